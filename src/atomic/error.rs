//! The file area's error: what went wrong reading, creating, locking or replacing a file,
//! with the operation and the OS error, and its words ([`FileError`]'s `Display`: the path,
//! the verb of the operation, what the OS or the writer refused). Its exit code is decided in
//! [`crate::error`]; the advice (`hint:`) is the binary's.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// What envmint was doing to a file when it failed. The binary turns it into the verb of the
/// message ("cannot sync the folder"); [`Op::direction`] decides the exit code of an OS error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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

/// A file that could not be read, created, locked or replaced. `Display` says what and where,
/// naming the path as it is held (see [`crate::Error::relative_to`]); for an OS error it
/// includes the OS's words, which [`std::error::Error::source`] also returns, as age's
/// `DecryptError::Io` does.
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
#[non_exhaustive]
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
        /// The file that was to be written there (its name in the folder).
        name: PathBuf,
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
    /// Another user's file in a folder others can write to and that has the sticky bit
    /// (`/tmp`), which a write would replace and leave theirs (77): the kernel's
    /// `protected_regular` rule, which a rename does not go through.
    Planted {
        /// The file's owner.
        owner: u32,
        /// The effective user.
        euid: u32,
    },
    /// A secret write reached, through a symlink, a file that git tracks (77): a committed
    /// `.env.production.local -> .env.example` would put the secrets in the next commit.
    TrackedThroughLink {
        /// The file it really names, every link on the way followed.
        target: PathBuf,
        /// The link is a folder on the way, not the file's own name: the path as named *is*
        /// the tracked file, and removing it would remove that file.
        folder_link: bool,
    },
}

/// What a non-regular file is; `Display` names it ("a FIFO").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
    /// Every path of the error shown from `base` when it lies inside it: the file, and the
    /// tracked file a refused link leads to.
    pub(crate) fn shorten_paths(&mut self, base: &std::path::Path) {
        let shorten = |p: &mut PathBuf| *p = crate::path::shown(p, base).to_path_buf();
        shorten(&mut self.path);
        if let FileProblem::TrackedThroughLink { target, .. } = &mut self.problem {
            shorten(target);
        }
    }

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
}

impl Op {
    /// The verb of "cannot ...": what envmint was doing, in words. It reads after the path
    /// ("app/.env: cannot keep the owner: ..."), so it does not end in "of".
    pub fn verb(self) -> &'static str {
        match self {
            Op::Read | Op::ReadManifest => "read",
            Op::Inspect => "inspect",
            Op::OpenFolder | Op::Lock => "lock",
            Op::Create => "create",
            Op::Write | Op::WriteStdout => "write",
            Op::Sync => "sync",
            Op::SyncFolder => "sync the folder",
            Op::Replace => "replace",
            Op::SetMode => "set the mode",
            Op::KeepOwner => "keep the owner",
            Op::ListXattrs => "list the extended attributes",
            Op::ReadXattrs => "read the extended attributes",
            Op::KeepXattrs => "keep the extended attributes (ACLs included)",
            Op::FollowSymlink => "follow the symlink",
            Op::Remove => "remove",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "a directory",
            FileKind::Fifo => "a FIFO",
            FileKind::Device => "a device",
            FileKind::Socket => "a socket",
            FileKind::Other => "not a regular file",
        })
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        let manifest = self.op == Op::ReadManifest;
        match &self.problem {
            FileProblem::Os(source) => self.fmt_os(f, source),
            FileProblem::NotRegular { kind } => match (self.op, kind) {
                (Op::Read | Op::ReadManifest, kind) => write!(
                    f,
                    "{path}: not a regular file ({}); envmint reads only regular files",
                    kind.unwrap_or(FileKind::Other)
                ),
                _ => write!(
                    f,
                    "{path}: not a regular file; envmint replaces only regular files"
                ),
            },
            FileProblem::TooLarge { size, limit } if self.op == Op::Write => write!(
                f,
                "{path}: the new file would be {size} bytes, over envmint's limit of {limit} \
                 bytes (no envmint command could read it back); nothing was written"
            ),
            FileProblem::TooLarge { size, limit } => write!(
                f,
                "{path}: the file is {size} bytes, over envmint's limit of {limit} bytes"
            ),
            FileProblem::GrewPastLimit { limit } => write!(
                f,
                "{path}: the file grew past envmint's limit of {limit} bytes while it was read"
            ),
            FileProblem::UntrustedSymlink { owner, euid } => write!(
                f,
                "{path}: cannot follow the symlink: it is owned by uid {owner}, neither you \
                 (uid {euid}) nor root; envmint follows only links you or root own (the \
                 kernel's protected_symlinks rule)"
            ),
            FileProblem::SymlinkNotAFile { points_at } => write!(
                f,
                "{path}: the symlink points at {}, not at a file",
                points_at.display()
            ),
            FileProblem::SymlinkLoop if manifest => write!(
                f,
                "{path}: a symlink loop (or a chain of more than 40 symlinks), not a file"
            ),
            FileProblem::SymlinkLoop => write!(
                f,
                "{path}: too many levels of symbolic links (is there a loop?)"
            ),
            FileProblem::NotAFileName => write!(f, "{path}: not a file name"),
            FileProblem::SymlinkKeepsChanging => write!(
                f,
                "{path}: a symlink keeps changing while envmint waits to lock it"
            ),
            FileProblem::FolderNotWritable { name, source } => write!(
                f,
                "{path}: cannot write {} in this folder: it is not writable ({source})",
                name.display()
            ),
            // Any user who can read the folder can hold its lock, so "another envmint process"
            // would be a guess.
            FileProblem::Busy { waited } => write!(
                f,
                "another process holds the lock on {path} (waited {:.1}s)",
                waited.as_secs_f64()
            ),
            FileProblem::NothingRequested => write!(f, "{path}: nothing to lock"),
            FileProblem::Outside { target, folder } => write!(
                f,
                "{path} leads to {} through a symlink, outside {}; refused: a symlink in the \
                 repository does not choose where envmint writes secrets",
                target.display(),
                folder.display()
            ),
            FileProblem::InsideGit { target } => write!(
                f,
                "{path} leads into git's folder ({}) through a symlink; refused: envmint never \
                 writes secrets into .git",
                target.display()
            ),
            FileProblem::Planted { owner, euid } => write!(
                f,
                "{path}: belongs to user {owner}, not to you ({euid}), in a folder others can \
                 write to: the written file would stay theirs, and so would what it holds"
            ),
            FileProblem::TrackedThroughLink { target, .. } => write!(
                f,
                "{path} leads through a symlink to {}, which git tracks; refused: the secrets \
                 written there would go into the next commit",
                target.display()
            ),
        }
    }
}

impl FileError {
    /// Writes an operating-system error met during `self.op`: the verb, and what the OS said.
    fn fmt_os(&self, f: &mut fmt::Formatter<'_>, source: &io::Error) -> fmt::Result {
        let path = self.path.display();
        let kind = source.kind();
        match self.op.direction() {
            Direction::Input if kind == io::ErrorKind::NotFound => {
                write!(f, "{path}: file not found")
            }
            Direction::Output | Direction::Ownership if kind == io::ErrorKind::NotFound => write!(
                f,
                "{path}: cannot {}: the directory does not exist ({source})",
                self.op.verb()
            ),
            Direction::Ownership if kind == io::ErrorKind::PermissionDenied => {
                write!(f, "{path}: cannot keep its owner and group: {source}")
            }
            _ => write!(f, "{path}: cannot {}: {source}", self.op.verb()),
        }
    }
}

impl std::error::Error for FileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            FileProblem::Os(source) | FileProblem::FolderNotWritable { source, .. } => Some(source),
            _ => None,
        }
    }
}
