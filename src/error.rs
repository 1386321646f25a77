//! The errors of envmint, typed per area, and the one mapping from an error to its exit code.
//!
//! An error here is data: what went wrong, where, and the values needed to say it (paths, line
//! numbers, sizes, uids, `io::Error`s). It never carries a secret value. The sentences a user
//! reads, `error: ...` and the `hint: ...` line, are written by the binary
//! (`src/bin/envmint/report.rs`), in one place, as rage's binary adds the advice to its
//! library's typed errors.
//!
//! Areas: [`FileError`] (reading, creating, locking and replacing files), [`DotenvError`] (a
//! dotenv file that cannot be read or edited, [`crate::dotenv::EditError`] among them),
//! [`ManifestError`] (a manifest missing, untrusted or malformed), [`UnknownEnvironment`],
//! [`SizeProblem`] (a size that cannot be honoured, on the command line or in a manifest). A
//! new area adds one variant to [`Error`] and one arm to [`Error::exit`].
//!
//! The variants that carry free text ([`Error::Usage`], [`Error::Data`],
//! [`Error::MissingInput`], [`Error::CantCreate`], [`Error::Entropy`]) are built only by the
//! binary, for its own arguments and environment (`--manifest`, `ENVMINT_LOCK_TIMEOUT`, the
//! working folder, `init`'s `.gitignore`): the library builds none.
//!
//! Places left for what comes next: a decryption refusal belongs to the seal area's own variant
//! of [`Error`], mapped to [`Exit::NoPerm`] (77); `run` passes its child's status on as
//! [`Exit::Child`] (a status is a command's result, not an error).

use crate::generate::{SizeUnit, Spec, SpecError};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// Every error envmint reports, one variant per area. Each maps to one [`Exit`] code through
/// [`Error::exit`]; the binary writes its sentences.
#[derive(Debug)]
pub enum Error {
    /// A flag or argument does not make sense (exit 2).
    Usage {
        /// What is wrong, naming the flag or argument.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// Malformed input data (exit 65) in words the binary writes (`init`'s `.gitignore`).
    Data {
        /// The file and line.
        location: Location,
        /// What is wrong there.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// An input is missing (exit 66), in words the binary writes (the working folder).
    MissingInput {
        /// The missing file.
        path: PathBuf,
        /// What it was needed for.
        what: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// An output cannot be created (exit 73), in words the binary writes (`init`'s folder).
    CantCreate {
        /// The output path.
        path: PathBuf,
        /// Why, in words.
        reason: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
    /// Permission refused (exit 77), in words the binary writes (`edit`'s private folder).
    Refused {
        /// The path refused.
        path: PathBuf,
        /// Why, in words.
        reason: String,
        /// How to fix it, when known.
        hint: Option<String>,
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
    /// The operating system's random source failed (exit 74).
    Entropy {
        /// The error, in words.
        reason: String,
    },
    /// A sealed file or key refused or malformed: the seal area (exit 77 for a decryption
    /// refusal, 65 for bad data; see [`crate::seal::SealError::exit`]).
    Seal(crate::seal::SealError),
}

/// What envmint was doing to a file when it failed. The binary turns it into the verb of the
/// message ("cannot sync the folder"); [`Op::direction`] decides the exit code of an OS error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Reading an input (a dotenv file, the working folder).
    Read,
    /// Reading the manifest: the same, with advice about `--manifest`.
    ReadManifest,
    /// Looking at a path or a symlink before writing.
    Inspect,
    /// Opening a target's folder to lock it.
    OpenFolder,
    /// Taking the lock on a folder.
    Lock,
    /// Creating the temporary file.
    Create,
    /// Writing the temporary file.
    Write,
    /// `fsync` of the temporary file.
    Sync,
    /// `fsync` of the folder after a rename.
    SyncFolder,
    /// Renaming the temporary file over the target.
    Replace,
    /// Setting the new file's mode.
    SetMode,
    /// Giving the new file the old one's owner and group.
    KeepOwner,
    /// Listing the old file's extended attributes.
    ListXattrs,
    /// Reading one of them.
    ReadXattrs,
    /// Setting one of them on the new file (the attribute's name is in the message).
    KeepXattrs,
    /// Following a symlink.
    FollowSymlink,
    /// Writing to standard output.
    WriteStdout,
    /// Removing a file (`seal --remove-plaintext`).
    Remove,
}

/// Which exit codes an OS error during an [`Op`] maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A missing input is exit 66, a refused one 77, anything else 74.
    Input,
    /// A missing folder, a refused permission or a read-only file system is exit 73 (the output
    /// cannot be created), anything else (a full disk) 74.
    Output,
    /// A refused permission is 77, anything else as [`Direction::Output`].
    Ownership,
    /// Always exit 74: the kinds that would mean something else cannot occur there.
    Plain,
}

impl Op {
    /// How an OS error during this operation is classified.
    pub fn direction(self) -> Direction {
        match self {
            Op::Read | Op::ReadManifest => Direction::Input,
            Op::Inspect
            | Op::OpenFolder
            | Op::Create
            | Op::Write
            | Op::Sync
            | Op::Replace
            | Op::SetMode
            | Op::Remove
            | Op::ListXattrs
            | Op::ReadXattrs => Direction::Output,
            Op::KeepOwner => Direction::Ownership,
            Op::Lock | Op::SyncFolder | Op::KeepXattrs | Op::FollowSymlink | Op::WriteStdout => {
                Direction::Plain
            }
        }
    }
}

/// A file that could not be read, created, locked or replaced.
#[derive(Debug)]
pub struct FileError {
    /// The file (or folder, for a lock or an unwritable folder) the error is about.
    pub path: PathBuf,
    /// What envmint was doing.
    pub op: Op,
    /// What went wrong.
    pub problem: FileProblem,
}

/// What went wrong with a file.
#[derive(Debug)]
pub enum FileProblem {
    /// The operating system refused; the exit code follows [`Op::direction`].
    Os(io::Error),
    /// The path is a directory, FIFO, device or socket (65 when read, 73 when replaced).
    NotRegular {
        /// What it is instead, when it was looked at.
        kind: Option<FileKind>,
    },
    /// The file is larger than envmint reads (65).
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file grew past the limit while it was read (65).
    GrewPastLimit {
        /// The limit in bytes.
        limit: u64,
    },
    /// A symlink owned by another user, which envmint does not follow (77).
    UntrustedSymlink {
        /// The link's owner.
        owner: u32,
        /// The effective user.
        euid: u32,
    },
    /// A symlink whose target has no file name, such as `/` or `..` (73, or 65 when read).
    SymlinkNotAFile {
        /// Where it points.
        points_at: PathBuf,
    },
    /// A symlink loop, or a chain too long to follow (73, or 65 when read).
    SymlinkLoop,
    /// The path names no file, such as `.` (73, or 65 when read).
    NotAFileName,
    /// A symlink changed each time the lock was taken (73).
    SymlinkKeepsChanging,
    /// The folder refuses new files, so no temporary file can be made in it (73).
    FolderNotWritable {
        /// The file that was to be written there.
        name: String,
        /// The operating system's error.
        source: io::Error,
    },
    /// Another process holds the lock on the folder `path` (75).
    Busy {
        /// How long this process waited.
        waited: Duration,
    },
    /// An internal request named no file (73); kept rather than a panic.
    NothingRequested,
    /// The file really written, every symlink resolved, lies outside the folder the write is
    /// bound to, and the user did not allow it (77): see [`crate::atomic::Within`].
    Outside {
        /// The file it really names.
        target: PathBuf,
        /// The folder, resolved.
        folder: PathBuf,
    },
    /// The file really written is inside a `.git` folder that the path, as named, is not in:
    /// a symlink leads there (77).
    InsideGit {
        /// The file it really names.
        target: PathBuf,
    },
    /// A secret write reached, through a symlink, a file that git tracks (77): a committed
    /// `.env.production.local -> .env.example` would put the secrets in the next commit.
    TrackedThroughLink {
        /// The file it really names.
        target: PathBuf,
    },
}

/// What a non-regular file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A character or block device.
    Device,
    /// A Unix socket.
    Socket,
    /// Anything else that is not a regular file.
    Other,
}

impl FileError {
    /// An error of `op` on `path`.
    pub fn new(path: impl Into<PathBuf>, op: Op, problem: FileProblem) -> Self {
        FileError {
            path: path.into(),
            op,
            problem,
        }
    }

    /// The OS error `source` met during `op` on `path`.
    pub fn os(path: impl Into<PathBuf>, op: Op, source: io::Error) -> Self {
        FileError::new(path, op, FileProblem::Os(source))
    }

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
            | FileProblem::TrackedThroughLink { .. } => Exit::NoPerm,
            FileProblem::SymlinkKeepsChanging
            | FileProblem::FolderNotWritable { .. }
            | FileProblem::NothingRequested => Exit::CantCreate,
            FileProblem::Busy { .. } => Exit::Busy,
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

/// A dotenv file that envmint will not read or edit (exit 65). The file is left as it was.
#[derive(Debug)]
pub struct DotenvError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: DotenvProblem,
}

/// What is wrong with a dotenv file.
#[derive(Debug)]
pub enum DotenvProblem {
    /// The bytes are not UTF-8; `line` holds the first bad byte.
    NotUtf8 {
        /// 1-based.
        line: usize,
    },
    /// The file has content but no line reads `KEY=value`, so it is probably the wrong file.
    NotADotenvFile {
        /// The first line with content.
        line: usize,
        /// The manifest's name for the environment whose `file` it is.
        environment: String,
    },
    /// The document refused an edit.
    Edit(crate::dotenv::EditError),
    /// The file is the manifest under another name (a link), so secrets written there would be
    /// committed with it.
    IsTheManifest {
        /// The manifest's name for the environment whose `file` it is.
        environment: String,
    },
}

impl DotenvError {
    /// The 1-based line the problem is on, when there is one.
    pub fn line(&self) -> Option<usize> {
        match &self.problem {
            DotenvProblem::NotUtf8 { line } | DotenvProblem::NotADotenvFile { line, .. } => {
                Some(*line)
            }
            DotenvProblem::Edit(e) => e.line(),
            DotenvProblem::IsTheManifest { .. } => None,
        }
    }
}

/// A manifest that cannot be used: missing (66), untrusted (77) or malformed (65).
#[derive(Debug)]
pub struct ManifestError {
    /// The manifest file.
    pub path: PathBuf,
    /// The 1-based line of the problem, when it is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: ManifestProblem,
}

/// What is wrong with a manifest. Names in it (keys, fields, tables) are as shown to users:
/// cut to 40 characters, control characters escaped.
#[derive(Debug)]
pub enum ManifestProblem {
    /// `--manifest FILE` names nothing (66).
    NotFound,
    /// `envmint.toml` is a symlink to nothing (66): envmint does not fall back to the preset.
    DanglingSymlink {
        /// Where the link points.
        points_at: PathBuf,
    },
    /// The file went away between the check and the read (66).
    RemovedWhileRead,
    /// A found manifest owned by another user (77), as git refuses "dubious ownership".
    Untrusted {
        /// The owner of the file, or of the symlink's target.
        owner: u32,
        /// The effective user.
        euid: u32,
        /// Whether `owner` owns the file a symlink points to rather than the path itself.
        through_symlink: bool,
        /// The path as found, for the user to pass to `--manifest` (kept whole where the
        /// message's path is shortened).
        found: PathBuf,
    },
    /// A path of the manifest that, symlinks resolved, leads outside the manifest's folder,
    /// which the user did not allow (77): see [`crate::manifest::Allow`].
    Outside {
        /// The environment.
        environment: String,
        /// The field: `file`, `sealed` or `recipients_file`.
        field: &'static str,
        /// The path as the manifest gives it (resolved against its folder).
        path: PathBuf,
        /// The file it really names, every symlink resolved.
        target: PathBuf,
        /// The manifest's folder, resolved.
        folder: PathBuf,
    },
    /// A path of the manifest that, symlinks resolved, leads into a `.git` folder (77): a
    /// committed `gitdir -> .git` with `file = "gitdir/config"`.
    InsideGit {
        /// The environment.
        environment: String,
        /// The field: `file`, `sealed` or `recipients_file`.
        field: &'static str,
        /// The path as the manifest gives it (resolved against its folder).
        path: PathBuf,
        /// The file it really names, every symlink resolved.
        target: PathBuf,
    },
    /// The bytes are not UTF-8 (the line is in [`ManifestError::line`]).
    NotUtf8,
    /// TOML syntax, in TOML's words (the first line of its message).
    Syntax {
        /// TOML's message.
        message: String,
    },
    /// A table or field given twice.
    DuplicateKey {
        /// The key as shown.
        key: String,
    },
    /// No `[environments.NAME]` table.
    NoEnvironments,
    /// A field the table does not have (boxed: it is the largest problem, and an error stays
    /// small to pass around).
    UnknownField(Box<UnknownField>),
    /// A secret's size that cannot be honoured (boxed, as above).
    Size(Box<SizeInManifest>),
    /// A value of the wrong TOML type.
    WrongType {
        /// What the value should be.
        expected: Expected,
        /// The field or table as written in messages: `` `kind` ``, `[defaults]`.
        field: String,
        /// What it is.
        found: ValueType,
        /// A setting to copy, e.g. `kind = "hex"`.
        example: String,
    },
    /// A number field given a negative number.
    Negative {
        /// The field as written in messages: `` `bytes` ``.
        field: String,
        /// A setting to copy.
        example: String,
    },
    /// A number field given a decimal number.
    NotWhole {
        /// The field as written in messages.
        field: String,
        /// The number as written.
        literal: String,
        /// A setting to copy.
        example: String,
    },
    /// An environment or key name that is not allowed.
    BadName {
        /// Which kind of name.
        of: NameOf,
        /// The name as shown.
        name: String,
        /// Its length in characters when that alone is the problem (over `limit`).
        too_long: Option<(usize, usize)>,
    },
    /// A `mode` that is not allowed.
    BadMode(BadMode),
    /// A secret's `environments = [...]` that is not a list of declared names.
    SecretEnvironments(EnvList),
    /// An environment's `file` (or `sealed`, `recipients_file`) that envmint will not use.
    BadFile {
        /// The field: `file`, `sealed` or `recipients_file`.
        field: &'static str,
        /// The `file` as shown (escaped, cut after 100 characters).
        file: String,
        /// Why.
        why: FileRefusal,
    },
    /// Both `kind` and `alphabet`.
    KindAndAlphabet,
    /// An `alphabet` that is not one (too few distinct characters, not printable ASCII).
    BadAlphabet(crate::generate::AlphabetError),
    /// An `alphabet` with a character no dotenv quoting makes safe.
    UnsafeAlphabet(crate::dotenv::UnsafeChar),
    /// A `format` without `{value}`, or with it more than once (`count` times).
    BadFormat {
        /// How many `{value}` it has.
        count: usize,
    },
    /// A `format` whose text, with the kind's characters, could make a value no dotenv quoting
    /// writes alike everywhere.
    UnsafeFormat(crate::dotenv::UnsafeChar),
    /// More than one of `bytes`, `bits`, `length`.
    SeveralSizes {
        /// The kind's name.
        kind: String,
        /// The unit the kind counts in.
        native: SizeUnit,
    },
    /// A `kind` that does not exist.
    UnknownKind {
        /// The kind as shown.
        kind: String,
        /// The known kind closest to it.
        did_you_mean: Option<&'static str>,
    },
    /// A top-level table or setting that is none of `[defaults]`, `[environments]`, `[secrets]`.
    UnknownTable {
        /// The name as shown.
        name: String,
        /// Whether it is a table (`[name]`) or a setting (`name = ...`).
        is_table: bool,
        /// The table it is probably a typo of.
        did_you_mean: Option<&'static str>,
        /// The table it belongs under, when it is a known field of one: `[defaults]`,
        /// `[environments.NAME]` or `[secrets.KEY]`.
        belongs_under: Option<&'static str>,
    },
    /// A duration that does not parse (`rotate_every = "90 days"`).
    BadPeriod {
        /// The text as shown.
        text: String,
        /// Why, from the duration parser.
        error: crate::time::DurationError,
    },
    /// A sealed environment's fields (`sealed`, `recipients`, `recipients_file`, `armor`).
    Sealing(SealingProblem),
    /// A secret's rotation fields (`external`, `overlap`, `previous`).
    Rotation(crate::manifest::RotationProblem),
    /// A secret's hooks (`[secrets.KEY.hooks]`, `alternate`, `hook_timeout`) or an
    /// environment's `after`.
    Hooks(crate::manifest::HookProblem),
}

/// What is wrong with a sealed environment's fields in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealingProblem {
    /// `sealed` without `recipients` or `recipients_file`.
    NoRecipients {
        /// The environment.
        environment: String,
    },
    /// A recipient that does not parse; `why` never holds a secret key.
    BadRecipient {
        /// Why, from the recipient parser.
        why: String,
    },
    /// `recipients` that is not a list.
    RecipientsNotAList {
        /// What it is.
        found: ValueType,
    },
    /// An entry of `recipients` that is not text.
    RecipientNotText,
    /// `armor` that is not true or false.
    ArmorNotBoolean {
        /// What it is.
        found: ValueType,
    },
    /// `recipients`, `recipients_file` or `armor` without `sealed`.
    WithoutSealed {
        /// The field as shown.
        field: String,
        /// The environment.
        environment: String,
    },
    /// `sealed` and `file` name the same file.
    SameFile {
        /// The environment.
        environment: String,
    },
}

/// A size that cannot be honoured, wherever it was written: the same problem reads as a flag
/// (`--bytes 16`) on the command line and as a field (`bytes = 16`) in a manifest.
#[derive(Debug)]
pub enum SizeProblem {
    /// A unit the kind does not take, a zero, or a size over the limit.
    Spec(SpecError),
    /// A size whose entropy is under [`crate::generate::MIN_BITS`].
    Weak(Spec),
}

/// A secret's size in a manifest that cannot be honoured.
#[derive(Debug)]
pub struct SizeInManifest {
    /// The secret's key.
    pub key: String,
    /// What is wrong with the size.
    pub problem: SizeProblem,
    /// The unit the kind counts in, for the hint that names the default size.
    pub native: SizeUnit,
    /// The kind's default size in that unit.
    pub default: u64,
}

/// An environment name that the manifest does not declare.
#[derive(Debug)]
pub struct UnknownEnvironment {
    /// The name as given (used in a hint only when it is a valid name).
    pub name: String,
    /// The name as shown (cut short, control characters escaped).
    pub shown: String,
    /// Whether the name is a valid environment name, so it could be declared.
    pub valid_name: bool,
    /// The declared environments.
    pub declared: Vec<String>,
    /// The manifest file, or `None` for the built-in preset.
    pub declared_in: Option<PathBuf>,
    /// The declared name closest to it.
    pub did_you_mean: Option<String>,
}

/// A field of a manifest table that the table does not have.
#[derive(Debug)]
pub struct UnknownField {
    /// The table as written in messages, e.g. `[secrets.A]`.
    pub table: String,
    /// The field as shown.
    pub field: String,
    /// The known field closest to it.
    pub did_you_mean: Option<&'static str>,
    /// The fields the table takes.
    pub fields: &'static [&'static str],
}

/// What a manifest value should have been.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A table.
    Table,
    /// Text in quotes.
    Text,
    /// A whole number.
    WholeNumber,
}

/// Why an environment's `file` is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRefusal {
    /// `file = ""`.
    Empty,
    /// A NUL character.
    Nul,
    /// Another control character (a line break would forge summary lines).
    Control,
    /// Over Linux's `PATH_MAX` or `NAME_MAX`.
    TooLong {
        /// The longest path, in bytes.
        max_path: usize,
        /// The longest folder or file name, in bytes.
        max_name: usize,
    },
    /// A relative path that climbs out of the manifest's folder.
    LeavesFolder,
    /// A path inside `.git`.
    InsideGit,
    /// A path that names a folder.
    Folder,
    /// The manifest itself.
    IsManifest,
}

/// What is wrong with a secret's `environments = [...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvList {
    /// One name in quotes without the brackets (the text, escaped for a TOML string).
    SingleName(String),
    /// Another type than a list.
    NotAList(ValueType),
    /// `[]`.
    Empty,
    /// An entry that is not text.
    EntryNotText,
    /// A name no `[environments.NAME]` declares.
    Undeclared {
        /// The secret's key.
        key: String,
        /// The name as shown.
        name: String,
        /// The declared name closest to it.
        did_you_mean: Option<String>,
        /// The declared names.
        declared: Vec<String>,
        /// Whether it is a valid environment name (so it could be declared).
        valid_name: bool,
    },
}

/// What is wrong with a `mode = "..."`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadMode {
    /// A bare number (`mode = 0640` is a syntax error; `mode = 640` gets here).
    Number(String),
    /// Another type than text.
    WrongType(ValueType),
    /// Text that is not three or four octal digits (as shown).
    NotOctal(String),
    /// A valid mode that is refused (the text as written), and why.
    Refused(String, ModeRefusal),
}

/// Why a valid octal mode is refused for a secret file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModeRefusal {
    /// setuid, setgid or sticky.
    SpecialBits,
    /// Any bit for others.
    OthersReach,
    /// No read bit for the owner.
    OwnerCannotRead,
    /// Wider than 0640 otherwise.
    WiderThan0640,
}

/// Which kind of name a [`ManifestProblem::BadName`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameOf {
    /// `[environments.NAME]`.
    Environment,
    /// `[secrets.KEY]`.
    Key,
}

/// The type of a TOML value, for saying what was found instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// A string.
    Text,
    /// An integer.
    Number,
    /// A float.
    Decimal,
    /// A boolean.
    Boolean,
    /// A date or time.
    Date,
    /// An array.
    List,
    /// A table.
    Table,
}

impl ManifestError {
    /// A problem on `line` (or on no line) of the manifest at `path`.
    pub fn new(path: impl Into<PathBuf>, line: Option<usize>, problem: ManifestProblem) -> Self {
        ManifestError {
            path: path.into(),
            line,
            problem,
        }
    }

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

impl From<FileError> for Error {
    fn from(e: FileError) -> Self {
        Error::File(e)
    }
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

    /// Adds or replaces the hint line of a variant that carries one (ignored for the typed
    /// areas, whose hints the binary writes).
    pub fn with_hint(mut self, new: impl Into<String>) -> Self {
        match &mut self {
            Error::Usage { hint, .. }
            | Error::Data { hint, .. }
            | Error::MissingInput { hint, .. }
            | Error::CantCreate { hint, .. }
            | Error::Refused { hint, .. } => *hint = Some(new.into()),
            Error::File(_)
            | Error::Dotenv(_)
            | Error::Manifest(_)
            | Error::Size(_)
            | Error::UnknownEnvironment(_)
            | Error::Entropy { .. }
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
            Error::File(e) => shorten(&mut e.path),
            Error::Dotenv(e) => shorten(&mut e.path),
            Error::Manifest(e) => shorten(&mut e.path),
            Error::MissingInput { path, .. }
            | Error::CantCreate { path, .. }
            | Error::Refused { path, .. } => shorten(path),
            Error::Seal(e) => e.shorten_paths(base),
            Error::Usage { .. }
            | Error::Size(_)
            | Error::UnknownEnvironment(_)
            | Error::Entropy { .. } => {}
        }
        self
    }

    /// The exit code this error maps to: the one mapping of the whole program.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage { .. } => Exit::Usage,
            Error::Data { .. } => Exit::DataErr,
            Error::MissingInput { .. } => Exit::NoInput,
            Error::CantCreate { .. } => Exit::CantCreate,
            Error::Refused { .. } => Exit::NoPerm,
            Error::File(e) => e.exit(),
            Error::Dotenv(_) => Exit::DataErr,
            Error::Manifest(e) => e.exit(),
            Error::Size(_) | Error::UnknownEnvironment(_) => Exit::Usage,
            Error::Entropy { .. } => Exit::Io,
            Error::Seal(e) => e.exit(),
        }
    }
}

/// Test builds only: the library's own tests check the messages the library still writes (the
/// untyped variants) through `to_string()` and `hint()`. The typed areas show as `Debug`; their
/// sentences are tested where they are written, in the binary's `report.rs`.
#[cfg(test)]
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
            Error::CantCreate { path, reason, .. } => {
                write!(f, "{}: {reason}", path.display())
            }
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
impl Error {
    /// The hint a variant carries (test builds only; see the `Display` above).
    pub(crate) fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. }
            | Error::Data { hint, .. }
            | Error::MissingInput { hint, .. }
            | Error::CantCreate { hint, .. }
            | Error::Refused { hint, .. } => hint.clone(),
            Error::Seal(_) => None,
            Error::File(_)
            | Error::Dotenv(_)
            | Error::Manifest(_)
            | Error::Size(_)
            | Error::UnknownEnvironment(_)
            | Error::Entropy { .. } => None,
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
        assert!(
            matches!(&e, Error::File(f) if f.path == Path::new("a/.env")),
            "{e:?}"
        );
    }

    #[test]
    fn data_errors_name_file_and_line() {
        let e = Error::data(Location::new("envmint.toml", Some(7)), "unknown kind `hax`")
            .with_hint("use one of: hex, base64");
        assert_eq!(e.to_string(), "envmint.toml:7: unknown kind `hax`");
        assert_eq!(e.hint().as_deref(), Some("use one of: hex, base64"));
        assert_eq!(e.exit(), Exit::DataErr);
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
    fn every_untyped_variant_maps_to_its_exit_code() {
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
            (Error::Entropy { reason: "e".into() }, Exit::Io),
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
