//! The one error type of envmint, gathering the areas' errors, and the one mapping from an
//! error to its exit code.
//!
//! Each area owns its error, next to where it is raised: [`FileError`] in `atomic::error`
//! (reading, creating, locking and replacing files), [`DotenvError`] in `dotenv::error` (a
//! dotenv file that cannot be read or edited, [`crate::dotenv::EditError`] among them),
//! [`ManifestError`] and [`UnknownEnvironment`] in `manifest::error` (a manifest missing,
//! untrusted or malformed), [`SizeProblem`] in `generate::error` (a size that cannot be
//! honoured, on the command line or in a manifest), [`crate::seal::SealError`] in
//! `seal::error`, [`PlanFileError`] and [`ClockBehindError`] in `plan::error` (a saved plan
//! that cannot be read, a store whose records are ahead of the clock),
//! [`AuditError`] in `audit::error` (a git command the staged check needs). They are
//! re-exported here, so `crate::error::FileError` still names them. An
//! area's error imports nothing above it; this file imports the areas' errors, never the areas.
//! A new area adds one variant to [`Error`] and one arm to [`Error::exit`].
//!
//! An error is data: what went wrong, where, and the values needed to say it (paths, line
//! numbers, sizes, uids, `io::Error`s). It never carries a secret value. What went wrong is
//! each area's `Display` (the `error: ...` line, naming the file and line), with `source()`
//! where there is a cause, as age's `age/src/error.rs` does; the advice, the `hint: ...` line,
//! is written by the binary (`src/bin/envmint/report/`), as rage's binary adds its hints to
//! its library's errors.
//!
//! The library builds no error in free text. The binary's own errors (a flag that makes no
//! sense, `ENVMINT_LOCK_TIMEOUT`, the working folder, `init`'s `.gitignore`) are its own type
//! (`src/bin/envmint/error.rs`), which wraps this one; when one must cross a library callback
//! (a rotation's hooks, a streamed write, a re-plan), it travels as [`Error::Caller`] and is
//! handed back unchanged. `run` passes its child's status on as [`Exit::Child`] (a status is a
//! command's result, not an error).

pub use crate::atomic::error::{Direction, FileError, FileKind, FileProblem, Op};
pub use crate::audit::error::AuditError;
pub use crate::dotenv::error::{DotenvError, DotenvProblem};
pub use crate::generate::error::{SizeInManifest, SizeProblem};
pub use crate::location::Location;
pub use crate::manifest::error::{
    BadMode, EnvList, Expected, FileRefusal, ManifestError, ManifestProblem, ModeRefusal, NameOf,
    SealingProblem, UnknownEnvironment, UnknownField, ValueType,
};
pub use crate::plan::error::{ClockBehindError, PlanFileError};
use crate::seal::error::SealError;
use std::io;
use std::path::{Path, PathBuf};

/// Process exit codes, sysexits-style, shared by every command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok,
    /// A check ran and found problems.
    Problems,
    /// The command line was wrong.
    Usage,
    /// Input data (a manifest, a dotenv file) is malformed.
    DataErr,
    /// An input file is missing.
    NoInput,
    /// An output file cannot be created.
    CantCreate,
    /// Reading or writing failed.
    Io,
    /// Another process holds the lock.
    Busy,
    /// Permission or decryption refused (the seal area's refusals map here).
    NoPerm,
    /// The exit status of a child process, passed on as it is: reserved for `run` (a status is
    /// a command's result, not an error).
    Child(u8),
}

impl Exit {
    /// The numeric process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Problems => 1,
            Exit::Usage => 2,
            Exit::DataErr => 65,
            Exit::NoInput => 66,
            Exit::CantCreate => 73,
            Exit::Io => 74,
            Exit::Busy => 75,
            Exit::NoPerm => 77,
            Exit::Child(status) => status,
        }
    }
}

/// Every error envmint reports, one variant per area. Each maps to one [`Exit`] code through
/// [`Error::exit`]; the binary writes its sentences.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An error of the caller's own (the binary's: a flag that makes no sense, its working
    /// folder, `init`'s `.gitignore`), carried through the library's callbacks
    /// ([`crate::rotation::StageHooks`], [`crate::atomic::Locked::write_streamed`],
    /// [`crate::store::transact`]'s re-plan) and handed back as it was: the caller downcasts
    /// `error` to its own type. The library builds none.
    Caller {
        /// The caller's error.
        error: Box<dyn std::error::Error + Send + Sync>,
        /// Its exit code, decided by the caller.
        exit: Exit,
    },
    /// A file could not be read, created, locked or replaced: the file area.
    File(FileError),
    /// A dotenv file envmint will not read or edit: the dotenv area (exit 65).
    Dotenv(DotenvError),
    /// A manifest that is missing, untrusted or malformed: the manifest area (boxed: an error
    /// stays small to pass around, and this one has the most to say).
    Manifest(Box<ManifestError>),
    /// An environment the manifest does not declare, named on the command line (exit 2).
    UnknownEnvironment(Box<UnknownEnvironment>),
    /// A size given on the command line (`--bytes`, `--bits`, `--length`) that cannot be
    /// honoured (exit 2): the generate area. A manifest's is [`ManifestProblem::Size`].
    Size(SizeProblem),
    /// A git command `audit --staged` needs failed (exit 2): the audit area.
    Audit(AuditError),
    /// A saved plan file this envmint cannot read (exit 65): the plan area.
    PlanFile(PlanFileError),
    /// A store whose newest record is ahead of the clock (exit 65): the plan area. Nothing
    /// was changed.
    ClockBehind(Box<ClockBehindError>),
    /// A sealed file or key refused or malformed: the seal area (exit 77 for a decryption
    /// refusal, 65 for bad data; see [`crate::seal::SealError::exit`]).
    Seal(SealError),
}

/// The exit codes of the areas' errors: the one mapping, beside [`Error::exit`].
impl FileError {
    /// The exit code: decided by the problem, and for an OS error by the operation's direction
    /// and the error's kind.
    pub fn exit(&self) -> Exit {
        let reading = matches!(self.op, Op::Read | Op::ReadManifest);
        match &self.problem {
            FileProblem::Os(source) => os_exit(self.op.direction(), source.kind()),
            FileProblem::NotRegular { .. }
            | FileProblem::SymlinkNotAFile { .. }
            | FileProblem::SymlinkLoop
            | FileProblem::NotAFileName => {
                if reading {
                    Exit::DataErr
                } else {
                    Exit::CantCreate
                }
            }
            FileProblem::TooLarge { .. } | FileProblem::GrewPastLimit { .. } => Exit::DataErr,
            FileProblem::UntrustedSymlink { .. }
            | FileProblem::Outside { .. }
            | FileProblem::InsideGit { .. }
            | FileProblem::TrackedThroughLink { .. }
            | FileProblem::Planted { .. } => Exit::NoPerm,
            FileProblem::SymlinkKeepsChanging
            | FileProblem::FolderNotWritable { .. }
            | FileProblem::NothingRequested => Exit::CantCreate,
            FileProblem::Busy { .. } => Exit::Busy,
        }
    }
}

impl ManifestError {
    /// The exit code: 66 for a missing manifest, 77 for an untrusted one, else 65.
    pub fn exit(&self) -> Exit {
        match self.problem {
            ManifestProblem::NotFound
            | ManifestProblem::DanglingSymlink { .. }
            | ManifestProblem::RemovedWhileRead => Exit::NoInput,
            ManifestProblem::Untrusted { .. }
            | ManifestProblem::Outside { .. }
            | ManifestProblem::InsideGit { .. } => Exit::NoPerm,
            _ => Exit::DataErr,
        }
    }
}

impl SealError {
    /// The exit code.
    pub fn exit(&self) -> Exit {
        match self {
            SealError::NoIdentity { .. }
            | SealError::NoMatch { .. }
            | SealError::WrongPassphrase { .. }
            | SealError::NoPassphrase { .. }
            | SealError::RecipientsChanged { .. }
            | SealError::UnpinnedChanged { .. }
            | SealError::LocksOut { .. }
            | SealError::StoreGone { .. }
            | SealError::Plugin { .. }
            | SealError::UntrustedRecipients { .. } => Exit::NoPerm,
            SealError::ExcessiveWork { .. }
            | SealError::Malformed { .. }
            | SealError::UnknownVersion { .. }
            | SealError::TooLarge { .. }
            | SealError::BadPin { .. }
            | SealError::BadKey { .. } => Exit::DataErr,
            SealError::CannotSeal { .. } => Exit::Usage,
            SealError::RecipientsFileMissing { .. } => Exit::NoInput,
        }
    }
}

/// The exit code of an OS error of `kind` in an operation of `direction`.
fn os_exit(direction: Direction, kind: io::ErrorKind) -> Exit {
    use io::ErrorKind as K;
    match (direction, kind) {
        (Direction::Input, K::NotFound) => Exit::NoInput,
        (Direction::Input, K::PermissionDenied) => Exit::NoPerm,
        (Direction::Ownership, K::PermissionDenied) => Exit::NoPerm,
        (
            Direction::Output | Direction::Ownership,
            K::NotFound | K::PermissionDenied | K::ReadOnlyFilesystem,
        ) => Exit::CantCreate,
        _ => Exit::Io,
    }
}

impl From<ManifestError> for Error {
    fn from(e: ManifestError) -> Self {
        Error::Manifest(Box::new(e))
    }
}

impl From<DotenvError> for Error {
    fn from(e: DotenvError) -> Self {
        Error::Dotenv(e)
    }
}

impl From<AuditError> for Error {
    fn from(e: AuditError) -> Self {
        Error::Audit(e)
    }
}

impl From<PlanFileError> for Error {
    fn from(e: PlanFileError) -> Self {
        Error::PlanFile(e)
    }
}

impl From<ClockBehindError> for Error {
    fn from(e: ClockBehindError) -> Self {
        Error::ClockBehind(Box::new(e))
    }
}

impl From<FileError> for Error {
    fn from(e: FileError) -> Self {
        Error::File(e)
    }
}

impl Error {
    /// The caller's own `error`, exiting with `exit` (see [`Error::Caller`]).
    pub fn caller(error: impl Into<Box<dyn std::error::Error + Send + Sync>>, exit: Exit) -> Self {
        Error::Caller {
            error: error.into(),
            exit,
        }
    }

    /// An error met while *reading* `path`: a missing file is exit 66, a refused one exit 77,
    /// anything else exit 74.
    pub fn reading(path: &Path, source: io::Error) -> Self {
        FileError::os(path, Op::Read, source).into()
    }

    /// An error met while doing `op` to *create or replace* `path`: a missing or read-only
    /// directory and a refused permission are exit 73; anything else, a full disk among them,
    /// is exit 74.
    pub fn writing(path: &Path, op: Op, source: io::Error) -> Self {
        FileError::os(path, op, source).into()
    }

    /// The same error with every path shown relative to `base` when it lies inside it, so
    /// messages name `envmint.toml:14`, not `/home/me/app/envmint.toml:14`.
    pub fn relative_to(mut self, base: &Path) -> Self {
        let shorten = |p: &mut PathBuf| *p = crate::path::shown(p, base).to_path_buf();
        match &mut self {
            Error::File(e) => e.shorten_paths(base),
            Error::Dotenv(e) => shorten(&mut e.path),
            Error::Manifest(e) => shorten(&mut e.path),
            Error::Seal(e) => e.shorten_paths(base),
            Error::PlanFile(e) => shorten(e.path_mut()),
            Error::ClockBehind(e) => shorten(&mut e.path),
            Error::UnknownEnvironment(e) => {
                if let Some(p) = &mut e.declared_in {
                    shorten(p);
                }
            }
            Error::Audit(_) => {}
            // The caller shortens its own paths before it hands an error in.
            Error::Caller { .. } | Error::Size(_) => {}
        }
        self
    }

    /// The exit code this error maps to: the one mapping of the whole program.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Caller { exit, .. } => *exit,
            Error::File(e) => e.exit(),
            Error::Dotenv(_) => Exit::DataErr,
            Error::Manifest(e) => e.exit(),
            Error::Size(_) | Error::UnknownEnvironment(_) => Exit::Usage,
            Error::Seal(e) => e.exit(),
            Error::PlanFile(_) | Error::ClockBehind(_) => Exit::DataErr,
            Error::Audit(_) => Exit::Usage,
        }
    }
}

impl std::fmt::Display for Error {
    /// What went wrong, naming the file and line or the flag: the `error:` line without its
    /// prefix. The advice (`hint:`) is the binary's, or the variant's own `hint` for the
    /// variants that carry free text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Caller { error, .. } => std::fmt::Display::fmt(error, f),
            Error::File(e) => std::fmt::Display::fmt(e, f),
            Error::Dotenv(e) => std::fmt::Display::fmt(e, f),
            Error::Manifest(e) => std::fmt::Display::fmt(e, f),
            Error::UnknownEnvironment(e) => std::fmt::Display::fmt(e, f),
            Error::Size(e) => std::fmt::Display::fmt(e, f),
            Error::Seal(e) => std::fmt::Display::fmt(e, f),
            Error::PlanFile(e) => std::fmt::Display::fmt(e, f),
            Error::ClockBehind(e) => std::fmt::Display::fmt(e, f),
            Error::Audit(e) => std::fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for Error {
    /// The area's error this one wraps (its own `source()` goes on to the OS error).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::File(e) => Some(e),
            Error::Dotenv(e) => Some(e),
            Error::Manifest(e) => Some(&**e),
            Error::UnknownEnvironment(e) => Some(&**e),
            Error::Size(e) => Some(e),
            Error::Seal(e) => Some(e),
            Error::PlanFile(e) => Some(e),
            Error::ClockBehind(e) => Some(&**e),
            Error::Audit(e) => Some(e),
            // A transparent wrapper: its Display is the caller's error's.
            Error::Caller { error, .. } => error.source(),
        }
    }
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{SizeUnit, SpecError};
    use std::time::Duration;

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
            (Exit::Child(3), 3),
            (Exit::Child(0), 0),
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
        assert_eq!(Error::writing(p, Op::Create, nf()).exit(), Exit::CantCreate);
        assert_eq!(Error::writing(p, Op::Create, pd()).exit(), Exit::CantCreate);
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(Error::writing(p, Op::Write, full).exit(), Exit::Io);
        let ro = io::Error::from(io::ErrorKind::ReadOnlyFilesystem);
        assert_eq!(Error::writing(p, Op::Replace, ro).exit(), Exit::CantCreate);
        assert_eq!(Error::writing(p, Op::KeepOwner, pd()).exit(), Exit::NoPerm);
        assert_eq!(
            Error::writing(p, Op::KeepOwner, nf()).exit(),
            Exit::CantCreate
        );
        assert_eq!(Error::writing(p, Op::SyncFolder, pd()).exit(), Exit::Io);
        let other = io::Error::other("x");
        assert_eq!(Error::reading(p, other).exit(), Exit::Io);
    }

    #[test]
    fn paths_are_shown_relative_to_the_working_directory() {
        let base = Path::new("/home/me/app");
        let e = Error::from(ManifestError::new(
            "/home/me/app/envmint.toml",
            Some(3),
            ManifestProblem::NotUtf8,
        ))
        .relative_to(base);
        assert_eq!(
            e.to_string(),
            "envmint.toml:3: the manifest is not valid UTF-8"
        );
        let e = Error::from(FileError::new(
            "/elsewhere/x.env",
            Op::Create,
            FileProblem::NotAFileName,
        ))
        .relative_to(base);
        assert_eq!(e.to_string(), "/elsewhere/x.env: not a file name");
        let e = Error::reading(
            Path::new("/home/me/app/a/.env"),
            io::Error::from(io::ErrorKind::NotFound),
        )
        .relative_to(base);
        assert!(
            matches!(&e, Error::File(f) if f.path == Path::new("a/.env")),
            "{e:?}"
        );
    }

    #[test]
    fn area_errors_say_what_and_lead_to_their_cause() {
        use std::error::Error as _;
        let denied = Error::reading(
            Path::new("app/.env"),
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert_eq!(
            denied.to_string(),
            "app/.env: cannot read: permission denied"
        );
        let file = denied.source().expect("the file area's error");
        let os = file.source().expect("the OS error");
        assert_eq!(
            os.downcast_ref::<io::Error>().map(io::Error::kind),
            Some(io::ErrorKind::PermissionDenied)
        );
        let edit = Error::from(DotenvError {
            path: "app/.env".into(),
            problem: DotenvProblem::Edit(crate::dotenv::EditError::KeyMissing { key: "A".into() }),
        });
        assert_eq!(edit.to_string(), "app/.env: `A` is not defined");
        let cause = edit.source().and_then(|e| e.source());
        assert_eq!(
            cause.map(ToString::to_string).as_deref(),
            Some("`A` is not defined")
        );
        let manifest = Error::from(ManifestError::new(
            "envmint.toml",
            Some(3),
            ManifestProblem::NoEnvironments,
        ));
        assert_eq!(
            manifest.to_string(),
            "envmint.toml:3: the manifest declares no environments"
        );
        assert!(manifest.source().and_then(|e| e.source()).is_none());
    }

    #[test]
    fn sealed_files_are_paths_shown_relative_and_lossless_until_shown() {
        use std::os::unix::ffi::OsStrExt;
        let base = Path::new("/home/me/app");
        let e = Error::Seal(SealError::WrongPassphrase {
            name: "/home/me/app/.env.production.age".into(),
        })
        .relative_to(base);
        assert_eq!(e.to_string(), ".env.production.age: wrong passphrase");
        let odd = Path::new(std::ffi::OsStr::from_bytes(b"/home/me/app/\xff.age"));
        let e = Error::Seal(SealError::StoreGone {
            name: odd.to_path_buf(),
            plain: "/home/me/app/.env".into(),
            recipients: vec!["age1x".into()],
        })
        .relative_to(base);
        match &e {
            Error::Seal(SealError::StoreGone { name, plain, .. }) => {
                assert_eq!(
                    name.as_os_str().as_bytes(),
                    b"\xff.age",
                    "the bytes are kept"
                );
                assert_eq!(plain, Path::new(".env"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            e.to_string()
                .starts_with("\u{fffd}.age does not exist, but .env was"),
            "{e}"
        );
    }

    #[test]
    fn a_callers_error_comes_back_as_it_was_with_its_exit_code() {
        let e = Error::caller(io::Error::other("the caller's words"), Exit::CantCreate);
        assert_eq!(e.to_string(), "the caller's words");
        assert_eq!(e.exit(), Exit::CantCreate);
        let Error::Caller { error, .. } = e.relative_to(Path::new("/")) else {
            panic!("still the caller's")
        };
        assert!(error.downcast::<io::Error>().is_ok());
    }

    #[test]
    fn every_file_problem_maps_to_its_exit_code() {
        use FileProblem as P;
        let at = |op, problem| Error::from(FileError::new("x", op, problem)).exit();
        let kind = || P::NotRegular {
            kind: Some(FileKind::Fifo),
        };
        assert_eq!(at(Op::Read, kind()), Exit::DataErr);
        assert_eq!(at(Op::ReadManifest, kind()), Exit::DataErr);
        assert_eq!(at(Op::Inspect, kind()), Exit::CantCreate);
        assert_eq!(at(Op::Read, P::SymlinkLoop), Exit::DataErr);
        assert_eq!(at(Op::Inspect, P::SymlinkLoop), Exit::CantCreate);
        assert_eq!(at(Op::Read, P::NotAFileName), Exit::DataErr);
        assert_eq!(at(Op::Inspect, P::NotAFileName), Exit::CantCreate);
        let not_a_file = || P::SymlinkNotAFile {
            points_at: "/".into(),
        };
        assert_eq!(at(Op::Read, not_a_file()), Exit::DataErr);
        assert_eq!(at(Op::Inspect, not_a_file()), Exit::CantCreate);
        let big = P::TooLarge { size: 9, limit: 1 };
        assert_eq!(at(Op::Read, big), Exit::DataErr);
        assert_eq!(at(Op::Read, P::GrewPastLimit { limit: 1 }), Exit::DataErr);
        let link = P::UntrustedSymlink { owner: 7, euid: 8 };
        assert_eq!(at(Op::FollowSymlink, link), Exit::NoPerm);
        assert_eq!(at(Op::Lock, P::SymlinkKeepsChanging), Exit::CantCreate);
        let folder = P::FolderNotWritable {
            name: ".env".into(),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert_eq!(at(Op::Create, folder), Exit::CantCreate);
        let busy = P::Busy {
            waited: Duration::from_secs(1),
        };
        assert_eq!(at(Op::Lock, busy), Exit::Busy);
        assert_eq!(at(Op::Lock, P::NothingRequested), Exit::CantCreate);
    }

    #[test]
    fn errors_the_library_once_built_as_free_text_keep_their_exit_codes() {
        let table: [(Error, Exit); 5] = [
            (
                SealError::RecipientsFileMissing { path: "k".into() }.into(),
                Exit::NoInput,
            ),
            (
                SealError::CannotSeal {
                    passphrase: true,
                    why: "x".into(),
                }
                .into(),
                Exit::Usage,
            ),
            (
                FileError::new("x", Op::Replace, FileProblem::Planted { owner: 1, euid: 2 }).into(),
                Exit::NoPerm,
            ),
            (
                PlanFileError::Version {
                    path: "p".into(),
                    found: "2".into(),
                    reads: 1,
                }
                .into(),
                Exit::DataErr,
            ),
            (
                AuditError::Git {
                    command: "git cat-file",
                    detail: "x".into(),
                }
                .into(),
                Exit::Usage,
            ),
        ];
        for (error, exit) in table {
            assert_eq!(error.exit(), exit, "{error:?}");
        }
    }

    #[test]
    fn every_variant_maps_to_its_exit_code() {
        let p = PathBuf::from("x");
        let table = [
            (
                Error::caller(io::Error::other("u"), Exit::Usage),
                Exit::Usage,
            ),
            (
                Error::Size(SizeProblem::Spec(SpecError::Zero(SizeUnit::Bits))),
                Exit::Usage,
            ),
            (
                ManifestError::new(&p, None, ManifestProblem::NotFound).into(),
                Exit::NoInput,
            ),
            (
                ManifestError::new(
                    &p,
                    None,
                    ManifestProblem::DanglingSymlink {
                        points_at: "y".into(),
                    },
                )
                .into(),
                Exit::NoInput,
            ),
            (
                ManifestError::new(&p, None, ManifestProblem::RemovedWhileRead).into(),
                Exit::NoInput,
            ),
            (
                ManifestError::new(
                    &p,
                    None,
                    ManifestProblem::Untrusted {
                        owner: 1,
                        euid: 2,
                        through_symlink: false,
                        found: "x".into(),
                    },
                )
                .into(),
                Exit::NoPerm,
            ),
            (
                ManifestError::new(&p, Some(1), ManifestProblem::NotUtf8).into(),
                Exit::DataErr,
            ),
            (
                ManifestError::new(&p, None, ManifestProblem::NoEnvironments).into(),
                Exit::DataErr,
            ),
            (
                ManifestError::new(&p, Some(1), ManifestProblem::KindAndAlphabet).into(),
                Exit::DataErr,
            ),
            (
                DotenvError {
                    path: p.clone(),
                    problem: DotenvProblem::NotUtf8 { line: 1 },
                }
                .into(),
                Exit::DataErr,
            ),
            (
                DotenvError {
                    path: p.clone(),
                    problem: DotenvProblem::Edit(crate::dotenv::EditError::UnterminatedQuote {
                        line: 1,
                    }),
                }
                .into(),
                Exit::DataErr,
            ),
        ];
        for (error, exit) in table {
            assert_eq!(error.exit(), exit, "{error:?}");
        }
    }
}
