//! `envmint edit ENV`: the environment's file in the person's editor, through a private copy.
//!
//! The copy lives in a new 0700 folder (under `$XDG_RUNTIME_DIR`, a per-user tmpfs, when there
//! is one), is created 0600 with an exclusive create, and is overwritten with zeros and removed
//! with its folder on every path out, by a guard. While the editor runs, `Ctrl-C` and `Ctrl-\` are
//! the editor's, and SIGTERM and SIGHUP are passed on to it and waited for before the guard
//! runs (see `run_editor`). A process killed outright (SIGKILL) runs no guard: the folder is
//! named after the process id, and the next `edit` zeroes and removes the folders of processes
//! that are gone. The base folder must be one nobody else can rename things in.
//!
//! The editor is not run under the lock (it may stay open for an hour); instead the file is
//! checked under the lock before the result is saved, and a file that changed meanwhile is not
//! overwritten.

use crate::cli::EditArgs;
use crate::context::{Context, SECRET_VARIABLES};
use crate::error::{Error, Result};
use crate::target::Target;
use crate::terminal;
use envmint::error::Location;
use envmint::kv::{self, Edited, KeyChanges};
use envmint::{Exit, store};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use zeroize::Zeroizing;

/// The largest file an editor may leave: far above any dotenv file, and low enough that an
/// editor or script that writes without end is refused rather than read into memory.
const MAX_EDITED_LEN: u64 = 16 * 1024 * 1024;

/// The start of the private folder's name; the process id follows, so a later run can tell a
/// folder left by a killed `edit` from one in use.
const SCRATCH_PREFIX: &str = "envmint-edit-";

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, _args: EditArgs) -> Result<Exit> {
    let target = Target::of(ctx, resolved)?;
    let earlier = store::peek(target.storage()?, &target.options(ctx)?)?;
    // Refused before the editor opens, so no edit is lost to a refusal at the end.
    crate::identities::check_recipients(target.env, &earlier, &target.cwd)?;
    let before = earlier.document()?;
    let original = before.render();
    let name = target
        .env
        .file
        .file_name()
        .map_or_else(|| OsString::from("env"), OsStr::to_os_string);
    check_private_base(&ctx.private_tmp, ctx.euid)?;
    sweep_stale(&ctx.private_tmp, ctx.euid);
    let scratch = Scratch::new(&ctx.private_tmp, &name, original.as_bytes(), ctx.euid)?;
    let on_terminal = terminal::stdin_is_terminal();

    let doc = loop {
        match run_editor(&ctx.editor, scratch.path())? {
            Editor::Exited(true) => {}
            Editor::Exited(false) => return Ok(Exit::Problems),
            Editor::Signalled(sig) => {
                let dir = scratch.dir.path().display().to_string();
                drop(scratch);
                crate::output::say!(
                    "error: envmint got {} while the editor was open: the editor was stopped \
                     and its edits were discarded (the private copy in {dir} was zeroed and \
                     removed); nothing changed in {}",
                    signal_name(sig),
                    target.file()
                );
                // Exit by the same signal, as a shell and the process that sent it expect.
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                return Ok(Exit::Problems);
            }
        }
        let edited = scratch.read()?;
        match kv::check_edited(original.as_bytes(), &edited) {
            Edited::Unchanged => {
                crate::output::say!("{}: {}: no changes", target.env.name, target.file());
                return Ok(Exit::Ok);
            }
            Edited::Changed(doc) => {
                for w in kv::unportable_values(&before, &doc) {
                    crate::output::say!(
                        "warning: {} (edited):{}: {}",
                        target.file(),
                        w.line,
                        w.message
                    );
                }
                break doc;
            }
            Edited::Refused(problems) => {
                for p in &problems {
                    crate::output::say!(
                        "warning: {} (edited):{}: {}",
                        target.file(),
                        p.line,
                        p.message
                    );
                }
                if on_terminal && terminal::ask_yes("edit again? [Y/n] ")? {
                    continue;
                }
                return Err(Error::data(
                    Location::new(target.env.store_path(), problems.first().map(|p| p.line)),
                    "the edited file does not read cleanly (lines above); nothing changed",
                )
                .with_hint(
                    "fix those lines: every line must read KEY=value, a comment or a blank, \
                     each key once",
                ));
            }
        }
    };

    let file = target.open(ctx)?;
    if !file.snapshot().same_as(&earlier) {
        return Err(Error::cant_create(
            target.env.store_path(),
            "it was changed by another process while the editor was open; nothing written",
        )
        .with_hint(format!(
            "run envmint edit {} again to edit the new content",
            target.env.name
        )));
    }
    target.save(&file, &doc)?;
    drop(file);
    crate::output::say!(
        "{}: {}: edited ({})",
        target.env.name,
        target.file(),
        describe(&kv::key_changes(&before, &doc))
    );
    Ok(Exit::Ok)
}

/// The name of a signal `run_editor` passes on.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        signal_hook::consts::SIGHUP => "SIGHUP (the terminal closed)",
        _ => "SIGTERM",
    }
}

/// `added A, B; changed C; removed D`, or that no value changed.
fn describe(changes: &KeyChanges) -> String {
    if changes.is_empty() {
        return "no value changed: comments or layout only".into();
    }
    [
        ("added", &changes.added),
        ("changed", &changes.changed),
        ("removed", &changes.removed),
    ]
    .iter()
    .filter(|(_, keys)| !keys.is_empty())
    .map(|(what, keys)| format!("{what} {}", keys.join(", ")))
    .collect::<Vec<_>>()
    .join("; ")
}

/// How the editor's run ended.
enum Editor {
    /// It exited; `true` with status 0.
    Exited(bool),
    /// envmint got this signal (SIGTERM or SIGHUP) while the editor was open: passed on to the
    /// editor, which has exited since.
    Signalled(i32),
}

/// Runs `editor` on `path` as git does: through `sh -c` so `code --wait` works (as `exec EDITOR`
/// unless it is a compound command), the path as an argument (never a value), without
/// envmint's secret variables.
///
/// The editor has the terminal, and envmint waits for it whatever happens: `Ctrl-C` and `Ctrl-\`
/// at the terminal reach the editor too, which decides what they mean (vi ignores them), so
/// envmint ignores them meanwhile, as git does; killed by them, the editor exits and nothing
/// changes. SIGTERM and SIGHUP (a closed terminal) are passed on to the editor and waited for,
/// then reported as [`Editor::Signalled`] so the caller cleans up before it exits by that
/// signal. Before, envmint died at once and left the editor running on a copy that was no
/// longer watched.
fn run_editor(editor: &OsStr, path: &Path) -> Result<Editor> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let os = |e: std::io::Error| {
        Error::from(envmint::error::FileError::os(
            "sh",
            envmint::error::Op::Read,
            e,
        ))
    };
    // `exec`, so the editor is envmint's own child and a signal passed on reaches it, not a
    // shell that would die and leave it running; not for a compound command (`a; b`, `a && b`),
    // which only a shell can run.
    use std::os::unix::ffi::OsStrExt;
    let compound = editor.as_bytes().iter().any(|b| b";&|()<>`\n".contains(b));
    let mut script = OsString::from(if compound { "" } else { "exec " });
    script.push(editor);
    script.push(" \"$@\"");
    let mut command = Command::new("sh");
    command.arg("-c").arg(&script).arg(editor).arg(path);
    for name in SECRET_VARIABLES {
        command.env_remove(name);
    }
    // Caught from before the editor starts until it has exited.
    let mut signals =
        signal_hook::iterator::Signals::new([SIGINT, SIGQUIT, SIGTERM, SIGHUP]).map_err(os)?;
    let handle = signals.handle();
    let mut child = command.spawn().map_err(os)?;
    let pid = rustix::process::Pid::from_child(&child);
    let forwarder = std::thread::spawn(move || {
        let mut got = None;
        for sig in signals.forever() {
            if sig == SIGTERM || sig == SIGHUP {
                if let Some(signal) = rustix::process::Signal::from_named_raw(sig) {
                    let _ = rustix::process::kill_process(pid, signal);
                }
                got = Some(sig);
            }
        }
        got
    });
    let status = child.wait();
    handle.close();
    let got = forwarder.join().unwrap_or(None);
    let status = status.map_err(os)?;
    if let Some(sig) = got {
        return Ok(Editor::Signalled(sig));
    }
    if !status.success() {
        crate::output::say!(
            "error: the editor `{}` exited with {status}; nothing changed",
            editor.to_string_lossy()
        );
        crate::output::say!("hint: set VISUAL or EDITOR to the editor to use");
    }
    Ok(Editor::Exited(status.success()))
}

/// The private copy: a new 0700 folder and a 0600 file in it. Dropping it overwrites every file
/// the folder holds (the copy, an editor's swap or backup file) with zeros, then removes the
/// folder.
struct Scratch {
    /// The file to edit. Declared first: the guard's own `drop` runs before the folder's.
    path: PathBuf,
    dir: tempfile::TempDir,
    /// The effective user id: only this user's files are zeroed.
    euid: u32,
}

impl Scratch {
    fn new(base: &Path, name: &OsStr, contents: &[u8], euid: u32) -> Result<Scratch> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let dir = tempfile::Builder::new()
            .prefix(&format!("{SCRATCH_PREFIX}{}-", std::process::id()))
            .permissions(fs::Permissions::from_mode(0o700))
            .tempdir_in(base)
            .map_err(|e| Error::writing(base, envmint::error::Op::Create, e))?;
        let path = dir.path().join(name);
        let scratch = Scratch { path, dir, euid };
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&scratch.path)
            .map_err(|e| Error::writing(&scratch.path, envmint::error::Op::Create, e))?;
        file.write_all(contents)
            .map_err(|e| Error::writing(&scratch.path, envmint::error::Op::Write, e))?;
        Ok(scratch)
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// What the editor left (it may have replaced the file by a new one: read by path). Only a
    /// regular file is read, opened without following a symlink and without waiting on a FIFO:
    /// a link would copy some other file into the store, and a FIFO would hang `edit`.
    fn read(&self) -> Result<Zeroizing<Vec<u8>>> {
        use rustix::fs::{Mode, OFlags};
        let path = &self.path;
        let refuse = |what: &str| left_in_place(path, what);
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::LOOP) => return Err(refuse("a symlink")),
            Err(rustix::io::Errno::NOENT) => return Err(refuse("nothing (it was removed)")),
            Err(e) => return Err(Error::reading(path, e.into())),
        };
        let file = fs::File::from(fd);
        let meta = file.metadata().map_err(|e| Error::reading(path, e))?;
        if !meta.is_file() {
            return Err(refuse("something other than a regular file"));
        }
        if meta.len() > MAX_EDITED_LEN {
            return Err(refuse(&too_large(Some(meta.len()))));
        }
        // Sized up front: growing the buffer would leave copies of the plaintext behind.
        let mut buf = Zeroizing::new(Vec::with_capacity(meta.len() as usize + 1));
        std::io::Read::take(&file, MAX_EDITED_LEN + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::reading(path, e))?;
        // It grew after its size was read (the editor still writing it).
        if buf.len() as u64 > MAX_EDITED_LEN {
            return Err(refuse(&too_large(None)));
        }
        Ok(buf)
    }
}

/// The refusal of what the editor left at `path` in place of the copy.
fn left_in_place(path: &Path, what: &str) -> Error {
    Error::data(
        Location::new(path, None),
        format!("the editor left {what} in place of the copy; nothing changed"),
    )
    .with_hint("save the file in place (as a regular file) and exit the editor")
}

/// A file left above [`MAX_EDITED_LEN`], in words: of `len` bytes, or, when it grew while it
/// was read, of more.
fn too_large(len: Option<u64>) -> String {
    match len {
        Some(len) => format!("a file of {len} bytes (more than {MAX_EDITED_LEN})"),
        None => format!("a file of more than {MAX_EDITED_LEN} bytes"),
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: on a copy-on-write or journaling file system old blocks may survive;
        // under XDG_RUNTIME_DIR (tmpfs) nothing reaches a disk.
        if let Ok(entries) = fs::read_dir(self.dir.path()) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    zero_fill(&entry.path(), self.euid);
                }
            }
        }
        // `dir` removes the folder when it drops, right after this.
    }
}

/// Overwrites a file's bytes with zeros in place, when it is this user's regular file with no
/// other name: an editor may have left a symlink or a hard link to some other file in the
/// folder (`ln -f /etc/passwd COPY`), and zeroing through it would destroy that file.
fn zero_fill(path: &Path, euid: u32) {
    use rustix::fs::{Mode, OFlags};
    use std::os::unix::fs::MetadataExt;
    let flags = OFlags::WRONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let Ok(fd) = rustix::fs::open(path, flags, Mode::empty()) else {
        return;
    };
    let mut file = fs::File::from(fd);
    let Ok(meta) = file.metadata() else {
        return;
    };
    if !meta.is_file() || meta.nlink() != 1 || meta.uid() != euid {
        return;
    }
    let len = meta.len();
    let zeros = [0u8; 8192];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        if file.write_all(&zeros[..n]).is_err() {
            return;
        }
        left -= n as u64;
    }
    let _ = file.sync_data();
}

/// Refuses a base folder someone else could rename our private folder out of, or swap it in:
/// `XDG_RUNTIME_DIR` set to another user's folder, or a world-writable folder without the
/// sticky bit. The system temp folder (root's, sticky) and one's own folders pass.
fn check_private_base(base: &Path, me: u32) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = fs::metadata(base).map_err(|e| Error::reading(base, e))?;
    let mode = meta.permissions().mode();
    let sticky = mode & 0o1000 != 0;
    let why = if !meta.is_dir() {
        Some("it is not a folder".to_string())
    } else if meta.uid() != me && !(meta.uid() == 0 && sticky) {
        Some(format!(
            "it is owned by uid {}, not you (uid {me}), who could swap the private copy",
            meta.uid()
        ))
    } else if mode & 0o022 != 0 && !sticky {
        Some(format!(
            "it is writable by others (mode {:o}) without the sticky bit",
            mode & 0o7777
        ))
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(reason) => Err(Error::Refused {
            path: base.to_path_buf(),
            reason: format!("will not put the private copy of the file to edit here: {reason}"),
            hint: Some(
                "XDG_RUNTIME_DIR (else TMPDIR) must be a folder you own, mode 0700; unset it \
                 to use /tmp"
                    .into(),
            ),
        }),
    }
}

/// Zeroes and removes private folders that an `edit` killed before it could clean up left in
/// `base` (SIGKILL): this user's `envmint-edit-PID-*` folders whose
/// process is gone. Says so, naming the folder (never its content).
fn sweep_stale(base: &Path, me: u32) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH_PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<i32>().ok())
            .and_then(rustix::process::Pid::from_raw)
        else {
            continue;
        };
        // Not followed: a symlink or another user's folder is not ours to clean.
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != me {
            continue;
        }
        if rustix::process::test_kill_process(pid) != Err(rustix::io::Errno::SRCH) {
            continue;
        }
        let dir = entry.path();
        if let Ok(files) = fs::read_dir(&dir) {
            for file in files.flatten() {
                zero_fill(&file.path(), me);
            }
        }
        if fs::remove_dir_all(&dir).is_ok() {
            crate::output::say!(
                "warning: removed {}, a private copy left by an `envmint edit` that was killed",
                dir.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test process's effective user id, which owns the files the tests make.
    fn me() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    /// No run reaches it: the file must grow between reading its size and reading it.
    #[test]
    fn a_copy_that_grew_while_it_was_read_is_refused_in_words() {
        let said = crate::report::render(&left_in_place(Path::new(".env.edit"), &too_large(None)));
        assert_eq!(
            said.message,
            ".env.edit: the editor left a file of more than 16777216 bytes in place of the copy; \
             nothing changed"
        );
        assert_eq!(
            said.hint.as_deref(),
            Some("save the file in place (as a regular file) and exit the editor")
        );
    }

    #[test]
    fn the_summary_names_keys_by_change_and_says_when_only_layout_changed() {
        let changes = KeyChanges {
            added: vec!["C".into(), "D".into()],
            changed: vec![],
            removed: vec!["A".into()],
        };
        assert_eq!(describe(&changes), "added C, D; removed A");
        assert_eq!(
            describe(&KeyChanges::default()),
            "no value changed: comments or layout only"
        );
    }

    #[test]
    fn the_private_copy_is_zeroed_and_removed_with_its_folder() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let scratch = Scratch::new(base.path(), OsStr::new(".env"), b"A=secret\n", me()).unwrap();
        let path = scratch.path().to_path_buf();
        let dir = path.parent().unwrap().to_path_buf();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(scratch.read().unwrap().as_slice(), b"A=secret\n");
        // A swap file an editor left beside it is zeroed too. Look through open handles: they
        // still read a file's blocks after its name is gone (a hard link would not be zeroed).
        fs::write(dir.join(".env.swp"), b"A=secret").unwrap();
        let mut copy = fs::File::open(&path).unwrap();
        let mut swap = fs::File::open(dir.join(".env.swp")).unwrap();
        drop(scratch);
        assert!(!dir.exists());
        let mut seen = Vec::new();
        copy.read_to_end(&mut seen).unwrap();
        assert_eq!(seen, vec![0u8; 9]);
        seen.clear();
        swap.read_to_end(&mut seen).unwrap();
        assert_eq!(seen, vec![0u8; 8]);
    }

    #[test]
    fn a_hard_link_or_symlink_left_in_the_folder_is_not_zeroed_through() {
        let base = tempfile::tempdir().unwrap();
        let victim = base.path().join("victim");
        fs::write(&victim, b"precious").unwrap();
        let scratch = Scratch::new(base.path(), OsStr::new(".env"), b"A=secret\n", me()).unwrap();
        // As an editor that saves with `ln -f` or `ln -sf` would leave them.
        fs::remove_file(scratch.path()).unwrap();
        fs::hard_link(&victim, scratch.path()).unwrap();
        std::os::unix::fs::symlink(&victim, scratch.path().with_extension("lnk")).unwrap();
        assert!(scratch.read().unwrap().as_slice() == b"precious");
        drop(scratch);
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
    }
}
