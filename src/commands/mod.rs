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
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit> {
    let global = Global {
        manifest: cli.manifest,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Gen(args) => r#gen::run(&global, args),
        Command::Init(args) => init::run(&global, args),
        Command::Bootstrap(args) => bootstrap::run(&global, args),
    }
}

/// Flags every command sees.
pub struct Global {
    /// `--manifest PATH`.
    #[allow(dead_code)] // read by bootstrap and init, which land next
    pub manifest: Option<std::path::PathBuf>,
    /// `-v`.
    pub verbose: bool,
}

/// Prints an error as `error: ...` and `hint: ...` on stderr and maps it to its exit code.
pub fn exit(result: Result<Exit>) -> ExitCode {
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            if let Some(hint) = err.hint() {
                let _ = writeln!(stderr, "hint: {hint}");
            }
            ExitCode::from(err.exit().code())
        }
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
