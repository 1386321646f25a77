//! The file area's error: what went wrong reading, creating, locking or replacing a file,
//! with the operation and the OS error; its exit code is decided in [`crate::error`].

use std::io;
use std::path::PathBuf;
use std::time::Duration;

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
}
