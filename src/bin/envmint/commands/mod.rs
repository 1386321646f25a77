//! One file per subcommand. Each turns its parsed arguments into library calls and prints a
//! summary; this file holds what they share: the error report, stdout handling, path display.

mod adopt;
mod apply;
mod audit;
mod bootstrap;
mod completions;
mod edit;
mod example;
mod export;
mod r#gen;
mod get;
mod git_diff;
mod git_merge;
mod git_setup;
mod hooks;
mod init;
mod keygen;
mod kv;
mod man;
mod plan;
mod rekey;
mod retire;
mod rotate;
mod run;
mod seal;
mod sealed;
mod set;
mod status;
mod unseal;
mod unset;

use crate::cli::{Cli, Command, GitCommand};
use crate::context::Context;
use envmint::error::{FileError, Op};
use envmint::{Error, Exit, Result};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub use envmint::path::shown;

/// Runs the parsed command line: builds the one [`Context`], runs the command, and names the
/// paths in an error relative to the working directory.
pub fn run(cli: Cli) -> Result<Exit> {
    let global = Global {
        verbose: cli.verbose,
    };
    let command = with_leading_manifest(cli.manifest, cli.command)?;
    plugin_messages();
    let mut ctx = Context::from_process()?;
    ctx.allow_outside = cli.allow_outside;
    let result = match command {
        Command::Gen(args) => r#gen::run(&mut ctx, &global, args),
        Command::Init(args) => init::run(&ctx, &global, args),
        Command::Bootstrap(args) => bootstrap::run(&mut ctx, &global, args),
        Command::Set(args) => set::run(&ctx, args),
        Command::Get(args) => get::run(&ctx, args),
        Command::Unset(args) => unset::run(&ctx, args),
        Command::Edit(args) => edit::run(&ctx, args),
        Command::Keygen(args) => keygen::run(&mut ctx, args),
        Command::Seal(args) => seal::run(&ctx, args),
        Command::Unseal(args) => unseal::run(&ctx, args),
        Command::Rekey(args) => rekey::run(&ctx, args),
        Command::Plan(args) => plan::run(&mut ctx, &global, args),
        Command::Apply(args) => apply::run(&ctx, args),
        Command::Rotate(args) => rotate::run(&mut ctx, &global, args),
        Command::Retire(args) => retire::run(&ctx, args),
        Command::Adopt(args) => adopt::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, &global, args),
        Command::Run(args) => run::run(&ctx, &global, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Audit(args) => audit::run(&mut ctx, args),
        Command::Example(args) => example::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Git(args) => match args.command {
            GitCommand::Merge(args) => git_merge::run(&ctx, args),
            GitCommand::Diff(args) => git_diff::run(&mut ctx, args),
            GitCommand::Setup(args) => git_setup::run(&ctx, args),
        },
    };
    result.map_err(|err| match ctx.cwd_if_known() {
        Some(cwd) => err.relative_to(cwd),
        None => err,
    })
}

/// Hands `envmint --manifest PATH CMD` (the flag before the command, as older scripts write it)
/// to the command's own `--manifest`, and refuses it for a command that reads no manifest: a
/// flag that is accepted and then ignored misleads.
fn with_leading_manifest(manifest: Option<PathBuf>, mut command: Command) -> Result<Command> {
    let Some(path) = manifest else {
        return Ok(command);
    };
    let slot = match &mut command {
        Command::Gen(_) => {
            return Err(Error::usage("--manifest does not apply to gen")
                .with_hint("gen reads no manifest; leave --manifest out"));
        }
        Command::Keygen(_) => {
            return Err(Error::usage("--manifest does not apply to keygen")
                .with_hint("keygen reads no manifest; leave --manifest out"));
        }
        Command::Completions(_) | Command::Man(_) => {
            return Err(
                Error::usage("--manifest does not apply to completions or man")
                    .with_hint("they read no manifest; leave --manifest out"),
            );
        }
        // `seal ENV` and `unseal ENV` read the manifest; the commands themselves refuse it
        // for a file (`seal -r`, `unseal FILE`), where it would be ignored.
        Command::Seal(args) => &mut args.manifest,
        Command::Unseal(args) => &mut args.manifest,
        Command::Init(args) => &mut args.manifest,
        Command::Bootstrap(args) => &mut args.manifest,
        Command::Set(args) => &mut args.target.manifest,
        Command::Get(args) => &mut args.target.manifest,
        Command::Unset(args) => &mut args.target.manifest,
        Command::Edit(args) => &mut args.target.manifest,
        Command::Rekey(args) => &mut args.manifest,
        Command::Plan(args) => &mut args.rotation.manifest,
        Command::Apply(args) => &mut args.manifest,
        Command::Rotate(args) => &mut args.rotation.manifest,
        Command::Retire(args) => &mut args.target.manifest,
        Command::Adopt(args) => &mut args.target.manifest,
        Command::Export(args) => &mut args.target.manifest,
        Command::Run(args) => &mut args.target.manifest,
        Command::Status(args) => &mut args.manifest,
        Command::Audit(args) => &mut args.manifest,
        Command::Example(args) => &mut args.manifest,
        Command::Git(args) => match &mut args.command {
            GitCommand::Merge(args) => &mut args.manifest,
            GitCommand::Setup(args) => &mut args.manifest,
            GitCommand::Diff(_) => {
                return Err(Error::usage("--manifest does not apply to git diff")
                    .with_hint("git diff reads no manifest; leave --manifest out"));
            }
        },
    };
    if slot.is_some() {
        return Err(
            Error::usage("--manifest is given twice").with_hint("give it once, after the command")
        );
    }
    *slot = Some(path);
    Ok(command)
}

/// Loads the manifest (`explicit`, else the one found from `cwd`, else the preset) and checks
/// that its paths stay in its folder unless the user allowed more (`--allow-outside`, the allow
/// list): see [`envmint::manifest::Allow`].
pub fn load_manifest(
    ctx: &Context,
    explicit: Option<&std::path::Path>,
    cwd: &std::path::Path,
) -> Result<envmint::manifest::Manifest> {
    let manifest = envmint::manifest::Manifest::load(explicit, cwd, ctx.home.as_deref())?;
    let mut allow = envmint::manifest::Allow {
        everywhere: ctx.allow_outside,
        paths: Vec::new(),
    };
    // The list is read only when a path leads outside: most runs never need it, and a HOME
    // that is not this user's (sudo, setpriv) must not stop them.
    let within = match manifest.confine(cwd, &allow) {
        Ok(within) => within,
        Err(_) => {
            allow.paths = allow_list(ctx)?;
            manifest.confine(cwd, &allow)?
        }
    };
    let _ = ctx.bounds.set(within);
    Ok(manifest)
}

/// The bounds of a path the user typed (`-o`): the loaded manifest's (the working folder's
/// without one) read as [`envmint::atomic::Within::typed`] reads them, with the user's allow
/// list when the path needs it. The writer checks the path against them, under the lock; any
/// other trouble with the path is left to it, which words it best.
pub fn output_bounds(
    ctx: &Context,
    path: &std::path::Path,
    cwd: &std::path::Path,
) -> Result<envmint::atomic::Within> {
    use envmint::atomic::Within;
    let base = match ctx.bounds.get() {
        Some(within) => within.clone(),
        None if ctx.allow_outside => Within::anywhere(),
        None => Within::folder(cwd, &[]),
    }
    .typed();
    match base.check_path(path) {
        Err(Error::File(e)) if matches!(e.problem, envmint::error::FileProblem::Outside { .. }) => {
            Ok(base.allowing(&allow_list(ctx)?))
        }
        _ => Ok(base),
    }
}

/// The folders of the user's allow list (one absolute path per line, `#` comments; `*` allows
/// any path); none when there is no list.
fn allow_list(ctx: &Context) -> Result<Vec<PathBuf>> {
    let Some(path) = &ctx.allow_list else {
        return Ok(Vec::new());
    };
    let Some((bytes, meta)) = envmint::atomic::read_regular_with_metadata(path, 1024 * 1024)?
    else {
        return Ok(Vec::new());
    };
    // The list decides where secrets may be written: like git's safe.directory in the user's
    // own config, it counts only when no one else could have written it. The owner and mode
    // are those of the file read (from its descriptor), and its folder's are checked too.
    if let Some(reason) = not_only_yours(&meta).or_else(|| {
        let folder = path.parent()?;
        let meta = std::fs::metadata(folder).ok()?;
        not_only_yours(&meta).map(|why| format!("its folder {}: {why}", folder.display()))
    }) {
        return Err(Error::Refused {
            path: path.clone(),
            reason: format!("the allow list is not used: {reason}"),
            hint: Some(format!(
                "the list must be yours and writable by you alone: chown $(id -u) and chmod \
                 go-w it (ls -ld {0} {0}/..)",
                path.display()
            )),
        });
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "*" {
            out.push(PathBuf::from("/"));
            continue;
        }
        let entry = PathBuf::from(line);
        if !entry.is_absolute() {
            return Err(Error::data(
                envmint::error::Location::new(path, Some(i + 1)),
                "not an absolute path (one folder per line, or *)",
            ));
        }
        out.push(entry);
    }
    Ok(out)
}

/// Refuses (exit 73) an output `target` (`unseal -o`, `export -o`) that is one of envmint's own
/// files: the manifest, a sealed store, a recipients file, or an environment's plaintext file
/// other than `own`'s (unseal writes its own environment's file; an export writes none). Files
/// are compared by device and inode, so a symlink or another spelling of the path is caught too.
/// `who` says who never replaces them ("unseal", "an export"); `hint` where to write instead.
pub fn refuse_kept_files(
    manifest: &envmint::manifest::Manifest,
    own: Option<&envmint::manifest::Environment>,
    target: &std::path::Path,
    who: &str,
    hint: &str,
) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(out) = std::fs::metadata(target) else {
        return Ok(());
    };
    let same = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.dev() == out.dev() && m.ino() == out.ino())
    };
    if let envmint::manifest::Source::File(path) = manifest.source()
        && same(path)
    {
        return Err(Error::cant_create(target, "is the manifest").with_hint(hint));
    }
    for env in manifest.environments() {
        let own_file = own.is_some_and(|o| o.name == env.name);
        let what = match &env.sealed {
            Some(s) if same(&s.path) => "the sealed store",
            Some(s) if s.recipients_file.as_deref().is_some_and(same) => "the recipients file",
            _ if !own_file && same(&env.file) => "the plaintext file",
            _ => continue,
        };
        return Err(Error::cant_create(
            target,
            format!(
                "is {what} of environment `{}`: {who} never replaces envmint's own files",
                env.name
            ),
        )
        .with_hint(hint));
    }
    Ok(())
}

/// Why a file or folder of the allow list's place could have been written by someone other than
/// the effective user: another owner (root's is accepted for a folder, as `/home` is root's),
/// or write permission for group or others (a sticky folder such as `/tmp` is still refused:
/// another user could have created the list in it).
fn not_only_yours(meta: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let euid = rustix::process::geteuid().as_raw();
    let owner_ok = meta.uid() == euid || (meta.is_dir() && meta.uid() == 0);
    if !owner_ok {
        return Some(format!(
            "it belongs to uid {}, not to you (uid {euid})",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        let who = match mode & 0o022 {
            0o020 => "its group",
            0o002 => "others",
            _ => "its group and others",
        };
        return Some(format!("{who} may write to it (mode {mode:04o})"));
    }
    None
}

/// Flags every command sees.
pub struct Global {
    /// `-v`.
    pub verbose: bool,
}

/// Prints an error as `error: ...` and `hint: ...` on stderr (in the words of
/// [`crate::report`]) and maps it to its exit code ([`Error::exit`], the one mapping).
pub fn exit(result: Result<Exit>) -> ExitCode {
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            let said = crate::report::render(&err);
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "error: {}", said.message);
            if let Some(hint) = said.hint {
                let _ = writeln!(stderr, "hint: {hint}");
            }
            ExitCode::from(err.exit().code())
        }
    }
}

/// Writes one line to stderr. A closed or full stderr (`envmint ... 2>&1 | head -0`) must never
/// panic or change what a command writes, so the error is dropped: `eprintln!` would panic.
///
/// The line is formatted first and written with one call: stderr is unbuffered, and `writeln!`
/// straight to it makes one system call per piece of the format string (a 25-line summary took
/// 350 of them, a third of a bootstrap's run time).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut line = format!($($arg)*);
        line.push('\n');
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }};
}
pub(crate) use say;

/// Sends what an age plugin says ("touch your YubiKey") to stderr, named by its program.
fn plugin_messages() {
    envmint::seal::plugin::set_messages(|message| say!("{message}"));
}

/// Before a write to `env`'s store read as `snapshot`: refuses recipients that differ from the
/// store's pin now, rather than after the work (the store checks again when it writes), and
/// says when the write will pin a store that has no pin yet (sealed before pins).
pub fn check_recipients(
    env: &envmint::manifest::Environment,
    snapshot: &envmint::store::Snapshot,
    cwd: &std::path::Path,
) -> Result<()> {
    snapshot.check_recipients()?;
    if snapshot.unpinned() {
        say!(
            "note: {}: {} has no recipient pin yet; a write pins it to the manifest's {} \
             (see `envmint rekey --dry-run`)",
            env.name,
            shown(env.store_path(), cwd).display(),
            bootstrap::plural(snapshot.recipients().len(), "recipient")
        );
    }
    Ok(())
}

/// Warns when `path`, just written with secrets in it, is in a git working tree that does not
/// ignore it (`git add .` would commit it). `folder`: `path` is the list inside an export
/// folder, and the folder is what is named.
pub fn warn_unignored(path: &std::path::Path, folder: bool, cwd: &std::path::Path) {
    let Some(rel) = envmint::audit::git::unignored(path) else {
        return;
    };
    let (named, rel) = match (folder, path.parent(), rel.parent()) {
        (true, Some(p), Some(r)) => (p.to_path_buf(), format!("/{}/", r.display())),
        _ => (path.to_path_buf(), format!("/{}", rel.display())),
    };
    let named = if named.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        named
    };
    say!(
        "warning: {} is not ignored by git: `git add` would put its secrets in the next commit",
        shown(&named, cwd).display()
    );
    say!("hint: add `{rel}` to .gitignore (envmint init adds ?*.env, *.plan and secrets/)");
}

/// Locks and opens `storages` within `--lock-timeout`, saying on stderr when another process
/// holds a lock (its folder shown relative to `cwd`).
pub fn open_locked(
    ctx: &Context,
    storages: &[envmint::store::Storage<'_>],
    options: &mut envmint::store::OpenOptions,
    cwd: &std::path::Path,
) -> Result<Vec<envmint::store::EnvFile>> {
    options.timeout = ctx.lock_timeout.get()?;
    envmint::store::open_all(storages, options, &mut lock_waiter(cwd))
}

/// What to do while waiting for a lock on `dir`: say so, as `flock(1)` users expect.
pub fn lock_waiter(cwd: &std::path::Path) -> impl FnMut(&std::path::Path) + '_ {
    move |dir| {
        say!(
            "Blocking waiting for the lock on {}",
            shown(dir, cwd).display()
        );
    }
}

/// Writes one line to stdout for a command whose output was asked for (`--json`). Unlike
/// [`say`], a failure is reported: a script that asked for JSON must not get exit 0 and nothing.
/// A reader that closed the pipe early is not an error (see [`stdout_error`]).
pub fn print_line(text: &str) -> Result<()> {
    check_stdout()?;
    let mut out = io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => stdout_error(e).map_or(Ok(()), Err),
    }
}

/// Writes `bytes` to stdout and flushes (after the caller's [`check_stdout`]). `Ok(false)`
/// when the reader closed the pipe early: no error (see [`stdout_error`]), but nothing more to
/// say either.
pub fn write_stdout(bytes: &[u8]) -> Result<bool> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) => stdout_error(e).map_or(Ok(false), Err),
    }
}

/// Bytes of a long report gathered before they are written to stdout.
pub const STDOUT_CHUNK: usize = 64 * 1024;

/// Writes `out` to stdout once it holds [`STDOUT_CHUNK`] bytes (or at once with `last`), and
/// empties it: a 10,000-line report is a few system calls, and a million-line one is never
/// held whole. `Ok(false)` when the reader closed the pipe (see [`write_stdout`]): stop.
pub fn spill_stdout(out: &mut String, last: bool) -> Result<bool> {
    if !last && out.len() < STDOUT_CHUNK {
        return Ok(true);
    }
    let more = write_stdout(out.as_bytes())?;
    out.clear();
    Ok(more)
}

/// Prints `value` as JSON and a newline (after the caller's [`check_stdout`]), written as it
/// is serialized rather than built whole first: a report of a million items stays small.
pub fn print_json_streamed<T: serde::Serialize + ?Sized>(value: &T, pretty: bool) -> Result<()> {
    let mut out = io::BufWriter::with_capacity(STDOUT_CHUNK, io::stdout().lock());
    let serialized = if pretty {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    let written = serialized
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(()),
        Err(e) => stdout_error(e).map_or(Ok(()), Err),
    }
}

/// Maps a failed write to stdout. A closed pipe (`envmint gen -n 1000 | head -1`) is not an
/// error worth a message: the reader got what it wanted.
pub fn stdout_error(err: io::Error) -> Option<Error> {
    if err.kind() == io::ErrorKind::BrokenPipe {
        None
    } else {
        Some(FileError::os("<stdout>", Op::WriteStdout, err).into())
    }
}

/// Entropy as a JSON number, exactly the figure `format_bits` shows people: whole bits as an
/// integer, else rounded down to 2 decimals (a float serde_json prints as `130.99`).
pub fn bits_json(bits: f64) -> serde_json::Value {
    if bits.fract() == 0.0 && (0.0..9.0e15).contains(&bits) {
        serde_json::Value::from(bits as u64)
    } else {
        serde_json::Value::from((bits * 100.0).floor() / 100.0)
    }
}

/// Fails (exit 74) when stdout was closed when envmint started, as in `envmint gen >&-`, or
/// is open for reading only, as in `envmint gen 1</dev/null`.
///
/// Writes to such a descriptor cannot be seen failing from Rust: the runtime opens
/// `/dev/null` (read-write) in place of a closed fd 1 before `main`, and `std` treats `EBADF` on
/// stdout as success, so the values printed would be lost with exit 0. So a descriptor that is
/// gone, that is `/dev/null` opened read-write, or that is open read-only counts as closed. A
/// shell's `>/dev/null` opens it write-only and still works.
pub fn check_stdout() -> Result<()> {
    use std::os::fd::AsFd;
    let stdout = io::stdout();
    if fd_was_closed(stdout.as_fd()) || read_only(stdout.as_fd()) {
        let closed = io::Error::from_raw_os_error(rustix::io::Errno::BADF.raw_os_error());
        return Err(FileError::os("<stdout>", Op::WriteStdout, closed).into());
    }
    Ok(())
}

/// Whether `fd` is open for reading only (`1</dev/null`, `1<file`): every write to it fails
/// with `EBADF`.
fn read_only(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    use rustix::fs::OFlags;
    rustix::fs::fcntl_getfl(fd).is_ok_and(|flags| flags & OFlags::RWMODE == OFlags::RDONLY)
}

/// Whether `fd` was closed when envmint started: gone (`EBADF`), or the `/dev/null` opened
/// read-write that the Rust runtime puts in place of a closed fd 0, 1 or 2 before `main`. A
/// shell's `>/dev/null` or `</dev/null` opens it one way only, so it does not count.
pub fn fd_was_closed(fd: std::os::fd::BorrowedFd<'_>) -> bool {
    use rustix::fs::{FileType, OFlags};
    match rustix::fs::fstat(fd) {
        Err(e) => e == rustix::io::Errno::BADF,
        Ok(st) => {
            FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice
                && rustix::fs::stat("/dev/null").is_ok_and(|null| null.st_rdev == st.st_rdev)
                && rustix::fs::fcntl_getfl(fd)
                    .is_ok_and(|flags| flags & OFlags::RWMODE == OFlags::RDWR)
        }
    }
}

/// The error for a value of `file` that its `${...}` references would make longer than
/// [`envmint::dotenv::interpolate::MAX_EXPANDED`], or that would take the expanded values
/// together past [`envmint::dotenv::interpolate::MAX_EXPANDED_TOTAL`] (run and export expand
/// them).
pub fn too_large(
    file: &std::path::Path,
    doc: &envmint::dotenv::Document,
    (key, limit): &(String, envmint::dotenv::interpolate::Limit),
) -> Error {
    use envmint::dotenv::interpolate::{Limit, MAX_EXPANDED, MAX_EXPANDED_TOTAL};
    let what = match limit {
        Limit::Value => format!(
            "`{key}` would be longer than {} MiB once its ${{...}} references are expanded",
            MAX_EXPANDED >> 20
        ),
        Limit::Total => format!(
            "`{key}` would take the file's values past {} MiB in all once their ${{...}} \
             references are expanded",
            MAX_EXPANDED_TOTAL >> 20
        ),
    };
    Error::data(
        envmint::error::Location::new(file, doc.line_of_key(key)),
        what,
    )
    .with_hint("check the references: each may only use values defined above it")
}
