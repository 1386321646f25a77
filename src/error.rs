//! The one error type of envmint and the exit codes it maps to.
//!
//! Every message names the file, line or flag it is about, and never a secret value: messages are
//! built only from paths, key names, flag names, counts and `io::Error`s, none of which carry
//! secret material. The binary prints `error: {error}` and then `hint: {hint}` when there is one.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Process exit codes, sysexits-style, shared by every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// A check ran and found problems.
    Problems = 1,
    /// The command line was wrong.
    Usage = 2,
    /// Input data (a manifest, a dotenv file) is malformed.
    DataErr = 65,
    /// An input file is missing.
    NoInput = 66,
    /// An output file cannot be created.
    CantCreate = 73,
    /// Reading or writing failed.
    Io = 74,
    /// Another process holds the lock.
    Busy = 75,
    /// Permission or decryption refused.
    NoPerm = 77,
}

impl Exit {
    /// The numeric process exit status.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// Where in which input a data error was found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, when the data came from one.
    pub path: Option<PathBuf>,
    /// The 1-based line, when known.
    pub line: Option<usize>,
}

impl Location {
    /// A location in `path` at 1-based `line`.
    pub fn new(path: impl Into<PathBuf>, line: Option<usize>) -> Self {
        Location {
            path: Some(path.into()),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => write!(f, "{}:{}", p.display(), l),
            (Some(p), None) => write!(f, "{}", p.display()),
            (None, Some(l)) => write!(f, "line {l}"),
            (None, None) => f.write_str("<input>"),
        }
    }
}

/// Every error envmint reports. Each variant maps to one [`Exit`] code.
#[derive(Debug)]
pub enum Error {
    /// A flag or argument does not make sense (exit 2).
    Usage {
        /// What is wrong, naming the flag or argument.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// Malformed input data (exit 65), e.g. a manifest field or a dotenv line.
    Data {
        /// The file and line.
        location: Location,
        /// What is wrong there.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// An input file is missing (exit 66).
    MissingInput {
        /// The missing file.
        path: PathBuf,
        /// What it was needed for.
        what: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// An output cannot be created (exit 73).
    CantCreate {
        /// The output path.
        path: PathBuf,
        /// Why, in words.
        reason: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// Reading or writing failed (exit 74).
    Io {
        /// The file.
        path: PathBuf,
        /// What envmint was doing: "read", "write", "fsync", ...
        action: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// Another process holds the lock (exit 75).
    Busy {
        /// The folder being locked.
        path: PathBuf,
        /// How long this process waited.
        waited: Duration,
    },
    /// The operating system's random source failed (exit 74).
    Entropy {
        /// The error, in words.
        reason: String,
    },
    /// Input envmint refuses to trust (exit 77), e.g. a found manifest owned by another user.
    Untrusted {
        /// The file.
        path: PathBuf,
        /// Why, in words.
        reason: String,
        /// How to proceed, when known.
        hint: Option<String>,
    },
    /// Permission refused (exit 77).
    PermissionDenied {
        /// The file.
        path: PathBuf,
        /// What envmint was doing.
        action: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// A sealed file or key refused or malformed (exit 77 or 65, see
    /// [`crate::seal::SealError::exit`]).
    Seal(crate::seal::SealError),
}

impl Error {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    /// A data error (exit 65) at `location`.
    pub fn data(location: Location, message: impl Into<String>) -> Self {
        Error::Data {
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// An output that cannot be created (exit 73).
    pub fn cant_create(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::CantCreate {
            path: path.into(),
            reason: reason.into(),
            hint: None,
        }
    }

    /// Classifies an error met while *reading* `path`: a missing file is exit 66, a refused one
    /// exit 77, anything else exit 74.
    pub fn reading(path: &Path, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::NotFound => Error::MissingInput {
                path: path.to_path_buf(),
                what: "file".into(),
                hint: None,
            },
            io::ErrorKind::PermissionDenied => Error::PermissionDenied {
                path: path.to_path_buf(),
                action: "read",
                source,
            },
            _ => Error::Io {
                path: path.to_path_buf(),
                action: "read",
                source,
            },
        }
    }

    /// Classifies an error met while *creating or writing* `path`: a missing or read-only
    /// directory and a refused permission are exit 73 (the output cannot be created); anything
    /// else, a full disk among them, is exit 74.
    pub fn writing(path: &Path, action: &'static str, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::NotFound => Error::CantCreate {
                path: path.to_path_buf(),
                reason: format!("cannot {action}: the directory does not exist ({source})"),
                hint: None,
            },
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                Error::CantCreate {
                    path: path.to_path_buf(),
                    reason: format!("cannot {action}: {source}"),
                    hint: None,
                }
            }
            _ => Error::Io {
                path: path.to_path_buf(),
                action,
                source,
            },
        }
    }

    /// Adds or replaces the hint line (ignored for variants without one).
    pub fn with_hint(mut self, new: impl Into<String>) -> Self {
        match &mut self {
            Error::Usage { hint, .. }
            | Error::Data { hint, .. }
            | Error::MissingInput { hint, .. }
            | Error::CantCreate { hint, .. }
            | Error::Untrusted { hint, .. } => *hint = Some(new.into()),
            Error::Io { .. }
            | Error::Entropy { .. }
            | Error::Busy { .. }
            | Error::PermissionDenied { .. }
            | Error::Seal(_) => {}
        }
        self
    }

    /// The same error with every path shown relative to `base` when it lies inside it, so
    /// messages name `envmint.toml:14`, not `/home/me/app/envmint.toml:14`.
    pub fn relative_to(mut self, base: &Path) -> Self {
        let shorten = |p: &mut PathBuf| *p = crate::path::shown(p, base).to_path_buf();
        match &mut self {
            Error::Data { location, .. } => {
                if let Some(p) = &mut location.path {
                    shorten(p);
                }
            }
            Error::MissingInput { path, .. }
            | Error::CantCreate { path, .. }
            | Error::Untrusted { path, .. }
            | Error::Io { path, .. }
            | Error::Busy { path, .. }
            | Error::PermissionDenied { path, .. } => shorten(path),
            Error::Seal(crate::seal::SealError::BadKey { location, .. }) => {
                if let Some(p) = &mut location.path {
                    shorten(p);
                }
            }
            Error::Usage { .. } | Error::Entropy { .. } | Error::Seal(_) => {}
        }
        self
    }

    /// The exit code this error maps to.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage { .. } => Exit::Usage,
            Error::Data { .. } => Exit::DataErr,
            Error::MissingInput { .. } => Exit::NoInput,
            Error::CantCreate { .. } => Exit::CantCreate,
            Error::Io { .. } | Error::Entropy { .. } => Exit::Io,
            Error::Busy { .. } => Exit::Busy,
            Error::PermissionDenied { .. } | Error::Untrusted { .. } => Exit::NoPerm,
            Error::Seal(e) => e.exit(),
        }
    }

    /// The hint line, if a fix is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. }
            | Error::Data { hint, .. }
            | Error::MissingInput { hint, .. }
            | Error::CantCreate { hint, .. }
            | Error::Untrusted { hint, .. } => hint.clone(),
            Error::Busy { .. } => Some(
                "envmint locks the folder of the files it writes; try again when that process \
                 has finished (ENVMINT_LOCK_TIMEOUT sets how long to wait, in seconds)"
                    .into(),
            ),
            Error::PermissionDenied { path, .. } => Some(format!(
                "check the owner and mode of {} (ls -l)",
                path.display()
            )),
            Error::Io { .. } | Error::Entropy { .. } => None,
            Error::Seal(e) => e.hint(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage { message, .. } => f.write_str(message),
            Error::Data {
                location, message, ..
            } => write!(f, "{location}: {message}"),
            Error::MissingInput { path, what, .. } => {
                write!(f, "{}: {what} not found", path.display())
            }
            Error::CantCreate { path, reason, .. } | Error::Untrusted { path, reason, .. } => {
                write!(f, "{}: {reason}", path.display())
            }
            Error::Io {
                path,
                action,
                source,
            } => write!(f, "{}: cannot {action}: {source}", path.display()),
            // Any user who can read the folder can hold its lock, so "another envmint process"
            // would be a guess.
            Error::Busy { path, waited } => write!(
                f,
                "another process holds the lock on {} (waited {:.1}s)",
                path.display(),
                waited.as_secs_f64()
            ),
            Error::PermissionDenied {
                path,
                action,
                source,
            } => write!(f, "{}: cannot {action}: {source}", path.display()),
            Error::Entropy { reason } => {
                write!(f, "cannot seed the random generator from the OS: {reason}")
            }
            Error::Seal(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::PermissionDenied { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_numbers() {
        let table = [
            (Exit::Ok, 0),
            (Exit::Problems, 1),
            (Exit::Usage, 2),
            (Exit::DataErr, 65),
            (Exit::NoInput, 66),
            (Exit::CantCreate, 73),
            (Exit::Io, 74),
            (Exit::Busy, 75),
            (Exit::NoPerm, 77),
        ];
        for (exit, code) in table {
            assert_eq!(exit.code(), code, "{exit:?}");
        }
    }

    #[test]
    fn io_errors_are_classified_by_direction() {
        let p = Path::new("x/.env");
        let nf = || io::Error::from(io::ErrorKind::NotFound);
        let pd = || io::Error::from(io::ErrorKind::PermissionDenied);
        assert_eq!(Error::reading(p, nf()).exit(), Exit::NoInput);
        assert_eq!(Error::reading(p, pd()).exit(), Exit::NoPerm);
        assert_eq!(Error::writing(p, "create", nf()).exit(), Exit::CantCreate);
        assert_eq!(Error::writing(p, "create", pd()).exit(), Exit::CantCreate);
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(Error::writing(p, "write", full).exit(), Exit::Io);
    }

    #[test]
    fn paths_are_shown_relative_to_the_working_directory() {
        let base = Path::new("/home/me/app");
        let e = Error::data(Location::new("/home/me/app/envmint.toml", Some(3)), "bad")
            .relative_to(base);
        assert_eq!(e.to_string(), "envmint.toml:3: bad");
        let e = Error::cant_create("/elsewhere/x.env", "no").relative_to(base);
        assert_eq!(e.to_string(), "/elsewhere/x.env: no");
        let e = Error::reading(
            Path::new("/home/me/app/a/.env"),
            io::Error::from(io::ErrorKind::NotFound),
        )
        .relative_to(base);
        assert!(e.to_string().starts_with("a/.env: "), "{e}");
    }

    #[test]
    fn data_errors_name_file_and_line() {
        let e = Error::data(Location::new("envmint.toml", Some(7)), "unknown kind `hax`")
            .with_hint("use one of: hex, base64");
        assert_eq!(e.to_string(), "envmint.toml:7: unknown kind `hax`");
        assert_eq!(e.hint().as_deref(), Some("use one of: hex, base64"));
        assert_eq!(e.exit(), Exit::DataErr);
    }
}
