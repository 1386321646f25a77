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
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
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
    std::env::current_dir().map_err(|e| match e.kind() {
        // The shell's folder was removed under it: "./: file not found" would puzzle.
        io::ErrorKind::NotFound => Error::MissingInput {
            path: ".".into(),
            what: "the working folder".into(),
            hint: Some(
                "it was removed while the shell was in it; cd to a folder that exists".into(),
            ),
        },
        _ => Error::reading(std::path::Path::new("."), e),
    })
}

/// How long to wait for another envmint process's lock: `ENVMINT_LOCK_TIMEOUT` seconds, or the
/// library's default.
pub fn lock_timeout() -> Result<std::time::Duration> {
    match std::env::var("ENVMINT_LOCK_TIMEOUT") {
        Err(_) => Ok(envmint::atomic::DEFAULT_LOCK_TIMEOUT),
        Ok(text) => text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(std::time::Duration::from_secs_f64)
            .ok_or_else(|| {
                Error::usage(format!(
                    "ENVMINT_LOCK_TIMEOUT=`{text}` is not a number of seconds"
                ))
                .with_hint("e.g. ENVMINT_LOCK_TIMEOUT=30")
            }),
    }
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
