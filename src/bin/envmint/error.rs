//! The binary's error: the library's ([`envmint::Error`], typed by area, worded by each area's
//! `Display`), or one of the binary's own, in free text, for its own arguments and
//! environment (a flag that makes no sense, `ENVMINT_LOCK_TIMEOUT`, the working folder,
//! `init`'s `.gitignore`), with its hint. The library builds none of these; when one must
//! cross a library callback (a rotation's hooks, a streamed write, a re-plan) it travels as
//! [`envmint::Error::Caller`] and comes back as it was ([`From<envmint::Error>`]).

use envmint::Exit;
use envmint::error::Location;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Every error a command returns. Its exit code is [`Error::exit`]; its words are
/// [`crate::report::render`]'s.
#[derive(Debug)]
pub enum Error {
    /// The library's error.
    Lib(envmint::Error),
    /// A flag or argument does not make sense (exit 2).
    Usage {
        /// What is wrong, naming the flag or argument.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// Malformed input data (exit 65) in the binary's words (`init`'s `.gitignore`, a value a
    /// rotation cannot keep in a list).
    Data {
        /// The file and line.
        location: Location,
        /// What is wrong there.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// An input is missing (exit 66) (the working folder).
    MissingInput {
        /// The missing file.
        path: PathBuf,
        /// What it was needed for.
        what: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// An output cannot be created (exit 73) (`init`'s folder).
    CantCreate {
        /// The output path.
        path: PathBuf,
        /// Why, in words.
        reason: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// Permission refused (exit 77) (`edit`'s private folder).
    Refused {
        /// The path refused.
        path: PathBuf,
        /// Why, in words.
        reason: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// The operating system's random source failed (exit 74).
    Entropy {
        /// The error, in words.
        reason: String,
    },
}

/// Shorthand used across the binary.
pub type Result<T, E = Error> = std::result::Result<T, E>;

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

    /// A library error of a kind this binary has no words of its own for (exit 65) at
    /// `location` (none: `Location::default()`, when the library's words name the file): the
    /// library's error enums are `#[non_exhaustive]`, so a variant added there compiles here
    /// before the binary words it. It is said in the library's words, its `Display`.
    pub fn unworded(location: Location, err: &dyn std::error::Error) -> Self {
        Error::data(location, err.to_string())
    }

    /// An output that cannot be created (exit 73).
    pub fn cant_create(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::CantCreate {
            path: path.into(),
            reason: reason.into(),
            hint: None,
        }
    }

    /// An error met while reading `path` (see [`envmint::Error::reading`]).
    pub fn reading(path: &Path, source: io::Error) -> Self {
        envmint::Error::reading(path, source).into()
    }

    /// An error met while doing `op` to create or replace `path` (see
    /// [`envmint::Error::writing`]).
    pub fn writing(path: &Path, op: envmint::error::Op, source: io::Error) -> Self {
        envmint::Error::writing(path, op, source).into()
    }

    /// Adds or replaces the hint line of one of the binary's own errors (the library's get
    /// theirs from [`crate::report`]).
    pub fn with_hint(mut self, new: impl Into<String>) -> Self {
        match &mut self {
            Error::Usage { hint, .. }
            | Error::Data { hint, .. }
            | Error::MissingInput { hint, .. }
            | Error::CantCreate { hint, .. }
            | Error::Refused { hint, .. } => *hint = Some(new.into()),
            Error::Lib(_) | Error::Entropy { .. } => {}
        }
        self
    }

    /// The hint one of the binary's own errors carries.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Usage { hint, .. }
            | Error::Data { hint, .. }
            | Error::MissingInput { hint, .. }
            | Error::CantCreate { hint, .. }
            | Error::Refused { hint, .. } => hint.as_deref(),
            Error::Lib(_) | Error::Entropy { .. } => None,
        }
    }

    /// The same error with every path shown relative to `base` when it lies inside it.
    pub fn relative_to(mut self, base: &Path) -> Self {
        let shorten = |p: &mut PathBuf| *p = envmint::path::shown(p, base).to_path_buf();
        match &mut self {
            Error::Lib(e) => {
                return Error::Lib(std::mem::replace(e, placeholder()).relative_to(base));
            }
            Error::Data { location, .. } => {
                if let Some(p) = &mut location.path {
                    shorten(p);
                }
            }
            Error::MissingInput { path, .. }
            | Error::CantCreate { path, .. }
            | Error::Refused { path, .. } => shorten(path),
            Error::Usage { .. } | Error::Entropy { .. } => {}
        }
        self
    }

    /// The exit code: the library's mapping for its errors, and the binary's own.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Lib(e) => e.exit(),
            Error::Usage { .. } => Exit::Usage,
            Error::Data { .. } => Exit::DataErr,
            Error::MissingInput { .. } => Exit::NoInput,
            Error::CantCreate { .. } => Exit::CantCreate,
            Error::Refused { .. } => Exit::NoPerm,
            Error::Entropy { .. } => Exit::Io,
        }
    }
}

/// A stand-in while [`Error::relative_to`] moves the library's error out and back.
fn placeholder() -> envmint::Error {
    envmint::Error::caller(io::Error::other(""), Exit::Io)
}

impl fmt::Display for Error {
    /// The `error:` line without its prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Lib(e) => e.fmt(f),
            Error::Usage { message, .. } => f.write_str(message),
            // No location: the message names its file itself (an unworded library error's).
            Error::Data {
                location, message, ..
            } if *location == Location::default() => f.write_str(message),
            Error::Data {
                location, message, ..
            } => write!(f, "{location}: {message}"),
            Error::MissingInput { path, what, .. } => {
                write!(f, "{}: {what} not found", path.display())
            }
            Error::CantCreate { path, reason, .. } | Error::Refused { path, reason, .. } => {
                write!(f, "{}: {reason}", path.display())
            }
            Error::Entropy { reason } => {
                write!(f, "cannot seed the random generator from the OS: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Lib(e) => e.source(),
            _ => None,
        }
    }
}

impl From<envmint::Error> for Error {
    /// The library's error; one of the binary's own that crossed a callback comes back as
    /// it was.
    fn from(e: envmint::Error) -> Self {
        match e {
            envmint::Error::Caller { error, exit } => match error.downcast::<Error>() {
                Ok(own) => *own,
                Err(error) => Error::Lib(envmint::Error::Caller { error, exit }),
            },
            e => Error::Lib(e),
        }
    }
}

impl From<Error> for envmint::Error {
    /// The library's error as it was; one of the binary's own travels as
    /// [`envmint::Error::Caller`], with its exit code.
    fn from(e: Error) -> Self {
        match e {
            Error::Lib(e) => e,
            own => {
                let exit = own.exit();
                envmint::Error::caller(own, exit)
            }
        }
    }
}

/// The areas' errors convert as the library's do.
macro_rules! from_area {
    ($($area:ty),*) => {$(
        impl From<$area> for Error {
            fn from(e: $area) -> Self {
                Error::Lib(e.into())
            }
        }
    )*};
}

from_area!(
    envmint::error::FileError,
    envmint::error::DotenvError,
    envmint::error::ManifestError,
    envmint::error::PlanFileError,
    envmint::error::ClockBehindError,
    envmint::error::AuditError,
    envmint::seal::SealError
);

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(e.to_string(), "a/.env: file not found");
    }

    #[test]
    fn a_library_error_without_words_of_the_binary_is_said_in_the_librarys() {
        #[derive(Debug)]
        enum Later {
            NewRefusal { key: String },
        }
        impl fmt::Display for Later {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let Later::NewRefusal { key } = self;
                write!(f, "`{key}` is refused for a reason added later")
            }
        }
        impl std::error::Error for Later {}
        let later = Later::NewRefusal { key: "A".into() };
        let e = Error::unworded(Location::new(".env", None), &later);
        assert_eq!(
            e.to_string(),
            ".env: `A` is refused for a reason added later"
        );
        assert_eq!(e.exit(), Exit::DataErr);
        assert_eq!(e.hint(), None);
        // Without a location, the library's words alone: they name the file themselves.
        let e = Error::unworded(Location::default(), &later);
        assert_eq!(e.to_string(), "`A` is refused for a reason added later");
        assert_eq!(e.exit(), Exit::DataErr);
    }

    #[test]
    fn data_errors_name_file_and_line() {
        let e = Error::data(Location::new("envmint.toml", Some(7)), "unknown kind `hax`")
            .with_hint("use one of: hex, base64");
        assert_eq!(e.to_string(), "envmint.toml:7: unknown kind `hax`");
        assert_eq!(e.hint(), Some("use one of: hex, base64"));
        assert_eq!(e.exit(), Exit::DataErr);
    }

    #[test]
    fn every_own_variant_maps_to_its_exit_code() {
        let p = PathBuf::from("x");
        let table = [
            (Error::usage("u"), Exit::Usage),
            (Error::data(Location::default(), "d"), Exit::DataErr),
            (
                Error::MissingInput {
                    path: p.clone(),
                    what: "file".into(),
                    hint: None,
                },
                Exit::NoInput,
            ),
            (Error::cant_create(&p, "c"), Exit::CantCreate),
            (
                Error::Refused {
                    path: p.clone(),
                    reason: "r".into(),
                    hint: None,
                },
                Exit::NoPerm,
            ),
            (Error::Entropy { reason: "e".into() }, Exit::Io),
        ];
        for (error, exit) in table {
            assert_eq!(error.exit(), exit, "{error:?}");
        }
    }

    #[test]
    fn an_own_error_crosses_a_library_callback_and_comes_back_as_it_was() {
        let own = Error::usage("refused by a hook").with_hint("fix the hook");
        let crossed: envmint::Error = own.into();
        assert_eq!(crossed.exit(), Exit::Usage);
        assert_eq!(crossed.to_string(), "refused by a hook");
        let back = Error::from(crossed);
        assert!(
            matches!(&back, Error::Usage { hint: Some(h), .. } if h == "fix the hook"),
            "{back:?}"
        );
        let lib = Error::from(envmint::Error::reading(
            Path::new("x"),
            io::Error::from(io::ErrorKind::NotFound),
        ));
        let crossed: envmint::Error = lib.into();
        assert!(matches!(crossed, envmint::Error::File(_)), "{crossed:?}");
    }
}
