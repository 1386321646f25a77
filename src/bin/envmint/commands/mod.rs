//! One file per subcommand. Each turns its parsed arguments into library calls and prints a
//! summary; this file holds what they share: the RNG, the error report, stdout handling.

mod bootstrap;
mod r#gen;
mod init;

use crate::cli::{Cli, Command};
use envmint::{Error, Exit, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    let global = Global {
        verbose: cli.verbose,
    };
    match with_leading_manifest(cli.manifest, cli.command)? {
        Command::Gen(args) => r#gen::run(&global, args),
        Command::Init(args) => init::run(&global, args),
        Command::Bootstrap(args) => bootstrap::run(&global, args),
    }
}

/// Hands `envmint --manifest PATH CMD` (the flag before the command, as older scripts write it)
/// to the command's own `--manifest`, and refuses it for a command that reads no manifest: a
/// flag that is accepted and then ignored misleads.
fn with_leading_manifest(manifest: Option<PathBuf>, command: Command) -> Result<Command> {
    let Some(path) = manifest else {
        return Ok(command);
    };
    let slot = match &command {
        Command::Gen(_) => {
            return Err(Error::usage("--manifest does not apply to gen")
                .with_hint("gen reads no manifest; leave --manifest out"));
        }
        Command::Init(args) => &args.manifest,
        Command::Bootstrap(args) => &args.manifest,
    };
    if slot.is_some() {
        return Err(
            Error::usage("--manifest is given twice").with_hint("give it once, after the command")
        );
    }
    Ok(match command {
        Command::Init(mut args) => {
            args.manifest = Some(path);
            Command::Init(args)
        }
        Command::Bootstrap(mut args) => {
            args.manifest = Some(path);
            Command::Bootstrap(args)
        }
        other => other,
    })
}

/// Flags every command sees.
pub struct Global {
    /// `-v`.
    pub verbose: bool,
}

/// Prints an error as `error: ...` and `hint: ...` on stderr and maps it to its exit code.
pub fn exit(result: Result<Exit>) -> ExitCode {
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            let err = match std::env::current_dir() {
                Ok(cwd) => err.relative_to(&cwd),
                Err(_) => err,
            };
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            if let Some(hint) = err.hint() {
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

/// The process's one RNG: ChaCha20 seeded once from the operating system. Never a fixed,
/// time-based or user-given seed.
pub fn os_rng() -> Result<ChaCha20Rng> {
    ChaCha20Rng::try_from_rng(&mut rand::rngs::SysRng).map_err(|e| Error::Entropy {
        reason: e.to_string(),
    })
}

/// Maps a failed write to stdout. A closed pipe (`envmint gen -n 1000 | head -1`) is not an
/// error worth a message: the reader got what it wanted.
pub fn stdout_error(err: io::Error) -> Option<Error> {
    if err.kind() == io::ErrorKind::BrokenPipe {
        None
    } else {
        Some(Error::Io {
            path: "<stdout>".into(),
            action: "write",
            source: err,
        })
    }
}

/// The working directory, which the manifest search and relative paths start from.
pub fn cwd() -> Result<std::path::PathBuf> {
    std::env::current_dir().map_err(|e| Error::reading(std::path::Path::new("."), e))
}

/// The longest `ENVMINT_LOCK_TIMEOUT` accepted: a day. Longer is surely a typo, and far larger
/// values do not fit a `Duration` at all.
const MAX_LOCK_TIMEOUT_SECS: f64 = 86_400.0;

/// How long to wait for another process's lock: `ENVMINT_LOCK_TIMEOUT` seconds, or the library's
/// default. Read only by commands that take a lock (never by `--dry-run`).
pub fn lock_timeout() -> Result<std::time::Duration> {
    match std::env::var("ENVMINT_LOCK_TIMEOUT") {
        Err(_) => Ok(envmint::atomic::DEFAULT_LOCK_TIMEOUT),
        Ok(text) => parse_lock_timeout(&text),
    }
}

/// Parses a lock timeout in seconds: a finite number from 0 to a day.
fn parse_lock_timeout(text: &str) -> Result<std::time::Duration> {
    let bad = |why: &str| {
        Error::usage(format!(
            "ENVMINT_LOCK_TIMEOUT=`{text}` is not a number of seconds {why}"
        ))
        .with_hint("e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)")
    };
    let secs = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| bad("(0 or more)"))?;
    if secs > MAX_LOCK_TIMEOUT_SECS {
        return Err(bad("up to a day (86400)"));
    }
    std::time::Duration::try_from_secs_f64(secs).map_err(|_| bad("(0 or more)"))
}

/// `path` as shown to the user: relative to the working directory when it is inside it.
pub fn shown<'a>(path: &'a std::path::Path, cwd: &std::path::Path) -> &'a std::path::Path {
    path.strip_prefix(cwd).unwrap_or(path)
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

/// Fails (exit 74) when stdout was closed when envmint started, as in `envmint gen >&-`.
///
/// Writes to a closed descriptor cannot be seen failing from Rust: the runtime opens
/// `/dev/null` (read-write) in place of a closed fd 1 before `main`, and `std` treats `EBADF` on
/// stdout as success. So a descriptor that is gone, or that is `/dev/null` opened read-write,
/// counts as closed. A shell's `>/dev/null` opens it write-only and still works.
pub fn check_stdout() -> Result<()> {
    use rustix::fs::{FileType, OFlags};
    use std::os::fd::AsFd;
    let stdout = io::stdout();
    let fd = stdout.as_fd();
    let closed = match rustix::fs::fstat(fd) {
        Err(e) => e == rustix::io::Errno::BADF,
        Ok(st) => {
            FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice
                && rustix::fs::stat("/dev/null").is_ok_and(|null| null.st_rdev == st.st_rdev)
                && rustix::fs::fcntl_getfl(fd)
                    .is_ok_and(|flags| flags & OFlags::RWMODE == OFlags::RDWR)
        }
    };
    if closed {
        return Err(Error::Io {
            path: "<stdout>".into(),
            action: "write",
            source: io::Error::from_raw_os_error(rustix::io::Errno::BADF.raw_os_error()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_timeouts_parse_and_huge_ones_are_refused() {
        assert_eq!(
            parse_lock_timeout("1.5").unwrap(),
            std::time::Duration::from_millis(1500)
        );
        assert_eq!(parse_lock_timeout("0").unwrap(), std::time::Duration::ZERO);
        for bad in ["1e30", "86401", "inf", "NaN", "-1", "x", ""] {
            let err = parse_lock_timeout(bad).unwrap_err();
            assert_eq!(err.exit(), Exit::Usage, "{bad}");
            assert!(err.hint().is_some(), "{bad}");
        }
    }
}
