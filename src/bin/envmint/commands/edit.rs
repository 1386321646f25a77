//! `envmint edit ENV`: the environment's file in the person's editor, through a private copy.
//!
//! The copy lives in a new 0700 folder (under `$XDG_RUNTIME_DIR`, a per-user tmpfs, when there
//! is one), is created 0600 with an exclusive create, and is overwritten with zeros and removed
//! with its folder on every path out, by a guard. The editor is not run under the lock (it may
//! stay open for an hour); instead the file is checked under the lock before the result is
//! saved, and a file that changed meanwhile is not overwritten.

use super::kv::Target;
use crate::cli::EditArgs;
use crate::context::Context;
use crate::terminal;
use envmint::error::Location;
use envmint::kv::{self, Edited, KeyChanges};
use envmint::{Error, Exit, Result, store};
use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use zeroize::Zeroizing;

pub fn run(ctx: &Context, args: EditArgs) -> Result<Exit> {
    let target = Target::load(ctx, args.manifest.as_deref(), &args.environment)?;
    let earlier = store::peek(target.storage(), &store::OpenOptions::default())?;
    let before = earlier.document()?;
    let original = before.render();
    let name = target
        .env
        .file
        .file_name()
        .map_or_else(|| OsString::from("env"), OsStr::to_os_string);
    let scratch = Scratch::new(&ctx.private_tmp, &name, original.as_bytes())?;
    let on_terminal = terminal::stdin_is_terminal();

    let doc = loop {
        if !run_editor(&ctx.editor, scratch.path())? {
            return Ok(Exit::Problems);
        }
        let edited = scratch.read()?;
        match kv::check_edited(original.as_bytes(), &edited) {
            Edited::Unchanged => {
                super::say!("{}: {}: no changes", target.env.name, target.file());
                return Ok(Exit::Ok);
            }
            Edited::Changed(doc) => break doc,
            Edited::Refused(problems) => {
                for p in &problems {
                    super::say!(
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
                    Location::new(&target.env.file, problems.first().map(|p| p.line)),
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
            &target.env.file,
            "it was changed by another process while the editor was open; nothing written",
        )
        .with_hint(format!(
            "run envmint edit {} again to edit the new content",
            target.env.name
        )));
    }
    target.save(&file, &doc)?;
    drop(file);
    super::say!(
        "{}: {}: edited ({})",
        target.env.name,
        target.file(),
        describe(&kv::key_changes(&before, &doc))
    );
    Ok(Exit::Ok)
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

/// Runs `editor` on `path` as git does: through `sh -c` so `code --wait` works, the path as an
/// argument (never a value). Returns whether it exited 0; says why not.
fn run_editor(editor: &OsStr, path: &Path) -> Result<bool> {
    let mut script = editor.to_os_string();
    script.push(" \"$@\"");
    let status = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg(editor)
        .arg(path)
        .status()
        .map_err(|e| Error::Io {
            path: "sh".into(),
            action: "run the editor through",
            source: e,
        })?;
    if !status.success() {
        super::say!(
            "error: the editor `{}` exited with {status}; nothing changed",
            editor.to_string_lossy()
        );
        super::say!("hint: set VISUAL or EDITOR to the editor to use");
    }
    Ok(status.success())
}

/// The private copy: a new 0700 folder and a 0600 file in it. Dropping it overwrites every file
/// the folder holds (the copy, an editor's swap or backup file) with zeros, then removes the
/// folder.
struct Scratch {
    /// The file to edit. Declared first: the guard's own `drop` runs before the folder's.
    path: PathBuf,
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new(base: &Path, name: &OsStr, contents: &[u8]) -> Result<Scratch> {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let dir = tempfile::Builder::new()
            .prefix("envmint-edit-")
            .permissions(fs::Permissions::from_mode(0o700))
            .tempdir_in(base)
            .map_err(|e| Error::writing(base, "create a private folder in", e))?;
        let path = dir.path().join(name);
        let scratch = Scratch { path, dir };
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&scratch.path)
            .map_err(|e| Error::writing(&scratch.path, "create", e))?;
        file.write_all(contents)
            .map_err(|e| Error::writing(&scratch.path, "write", e))?;
        Ok(scratch)
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// What the editor left (it may have replaced the file by a new one: read by path).
    fn read(&self) -> Result<Zeroizing<Vec<u8>>> {
        fs::read(&self.path)
            .map(Zeroizing::new)
            .map_err(|e| Error::reading(&self.path, e))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort: on a copy-on-write or journaling file system old blocks may survive;
        // under XDG_RUNTIME_DIR (tmpfs) nothing reaches a disk.
        if let Ok(entries) = fs::read_dir(self.dir.path()) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    zero_fill(&entry.path());
                }
            }
        }
        // `dir` removes the folder when it drops, right after this.
    }
}

/// Overwrites a file's bytes with zeros in place.
fn zero_fill(path: &Path) {
    let Ok(mut file) = fs::OpenOptions::new().write(true).open(path) else {
        return;
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return;
    };
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let scratch = Scratch::new(base.path(), OsStr::new(".env"), b"A=secret\n").unwrap();
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
        // A swap file an editor left beside it is zeroed too: keep a hard link to look.
        fs::write(dir.join(".env.swp"), b"A=secret").unwrap();
        let witness = base.path().join("witness");
        fs::hard_link(&path, &witness).unwrap();
        drop(scratch);
        assert!(!dir.exists());
        assert_eq!(fs::read(&witness).unwrap(), vec![0u8; 9]);
    }
}
