//! What envmint writes for people and scripts: lines on stderr ([`say!`]), stdout written so
//! that a closed or read-only stdout is an error and a closed pipe is not, counts in words,
//! and the warnings and notes several commands share (the lock waiter, files git would commit,
//! messages of age plugins).

use crate::error::{Error, Result};
use envmint::error::{FileError, Op};
use envmint::path::shown;
use std::io::{self, Write};

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

/// Sends what an age plugin says ("touch your YubiKey") to stderr, named by its program;
/// answers its questions on the terminal (`/dev/tty`; without one, none is answered and the
/// plugin's failure says so); gives it the `PATH` it is looked up in, to refuse relative
/// entries.
pub fn plugin_messages(ctx: &mut crate::context::Context) {
    use envmint::seal::plugin;
    plugin::set_messages(|message| say!("{message}"));
    plugin::set_search_path(ctx.search_path.take());
    plugin::set_questions(plugin::Questions {
        confirm: Box::new(move |program, message, yes, no| {
            let no = no.unwrap_or("no");
            let prompt = format!("{program}: {message} [{yes}/{no}] ");
            crate::terminal::read_line_shown(&prompt, 256)
                .ok()
                .map(|answer| answer.trim().eq_ignore_ascii_case(yes))
        }),
        public: Box::new(move |program, description| {
            crate::terminal::read_line_shown(&format!("{program}: {description} "), 4096).ok()
        }),
    });
}

/// Warns when `path`, just written with secrets in it, is in a git working tree that does not
/// ignore it (`git add .` would commit it). `folder`: `path` is the list inside an export
/// folder, and the folder is what is named.
pub fn warn_unignored(path: &std::path::Path, folder: bool, cwd: &std::path::Path) {
    let Some(rel) = envmint::audit::git::unignored(path, cwd) else {
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

/// `n` and `word`, with an `s` unless `n` is 1: "1 key", "3 keys".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `text` as one word for sh: a path or value in a command a hint or a config line gives to be
/// run as it is (git runs drivers through the shell; a user pastes a hint).
pub fn shell_quoted(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+%:=@,".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}
