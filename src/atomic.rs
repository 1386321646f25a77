//! The only writer of secret files, and the advisory lock that serialises envmint processes.
//!
//! Every change to a file goes through [`lock`] and then [`Locked::write`] (secrets) or
//! [`Locked::write_public`] (`.gitignore`, `envmint.toml`):
//!
//! 1. [`lock`] follows the symlink chain to the file actually written (the *target*), following
//!    only links owned by the effective user or root, and takes an exclusive `flock` on the
//!    target's directory, waiting up to a timeout.
//! 2. A write creates a temporary file in that directory with mode 0600 *at creation*, gives it
//!    the old file's owner, group and extended attributes (POSIX ACLs included) and the final
//!    mode, writes it, `fsync`s it, renames it over the target and `fsync`s the directory. The
//!    temporary file is unnamed (`O_TMPFILE`) until it is complete and `fsync`ed, then linked
//!    as `.<name>.envmint-tmp.XXXXXX` for the rename; on a file system without `O_TMPFILE` it
//!    has that name from the start.
//!
//! Every step after the lock (the stale temporary files' sweep, the old file's metadata, the
//! temporary file, its link, the rename, and a locked file's read) reaches the folder through
//! the descriptor that holds its lock (`/proc/self/fd/N/NAME`), whose identity [`lock_all`]
//! checked against the bounds: a folder on the way swapped for a symlink after the check
//! cannot move the write. Without `/proc` the folder's path is used, as before.
//!
//! A crash at any instant therefore leaves either the complete old file or the complete new one,
//! plus at worst a 0600 temporary file (complete; partial only without `O_TMPFILE`), which the
//! next write of the same file removes.
//!
//! Because the new contents arrive as a new inode, a file with several hard links is replaced
//! under the one name written; its other names keep the old contents. Symlinks, which deploy
//! tools use for shared `.env` files, are followed instead (see [`lock`]).
//!
//! # Why the lock is on the directory
//!
//! The rename replaces the target's inode, so a lock on the target itself would be lost by the
//! first write and a second process could lock the new inode while the first still works on the
//! old one. A separate lock file would litter the user's folder. The directory's inode survives
//! every rename in it, and `flock` works on a directory opened read-only. The cost is
//! granularity: two envmint processes writing *different* files of one directory also wait for
//! each other, which for files this small is only a few milliseconds.
//!
//! Several files are locked together by [`lock_all`]: each folder once, in the order of the
//! folders' device and inode numbers, so that two processes locking overlapping folders cannot
//! deadlock. [`commit`] then replaces them as a group: every temporary file is written and
//! `fsync`ed before the first rename, and each folder is `fsync`ed once at the end.
//!
//! # Who can hold the lock
//!
//! Any process that can open the folder for reading can take its `flock`, so a local user who
//! can read a project folder can make envmint wait (then exit 75 naming the folder; nothing is
//! ever written without the lock). Hence the message says "another process", not "another
//! envmint process". A lock file created 0600 would keep other users from opening it, but it
//! would be one more file in every folder that holds secrets (`/etc/myapp` included), a user
//! who can write the folder could still replace it, and a user who can only read the folder
//! can do no more than delay a run. The folder lock stays; a folder whose secrets matter should
//! not be readable by others anyway (0700 or 0750), and then only its owner and root can lock
//! it.
//!
//! The lock is advisory: it serialises envmint processes, not editors or other tools.

mod lock;
mod pipe;
mod resolve;
mod within;
mod write;
mod xattrs;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use crate::error::{FileError, FileKind, FileProblem, Op};
use crate::{Error, Result};

pub mod error;

pub use lock::{Clock, DEFAULT_LOCK_TIMEOUT, LockWait, SLOW_LOCK, SystemClock};
pub use resolve::real_target;
pub use within::{Refused, Within};
pub use write::Mode;

/// An exclusive advisory lock on the file a command is about to change, held while this value is
/// alive (and while any other [`Locked`] of the same folder from the same [`lock_all`] call is).
/// Read and write the file only through it.
#[derive(Debug)]
pub struct Locked {
    /// The path the caller named.
    path: PathBuf,
    /// `path` with its symlink chain followed: the file that is actually written.
    target: PathBuf,
    /// The locked folder holding `target`, shared by every file of a [`lock_all`] call in it.
    dir: Arc<DirLock>,
    /// Whether `path` reached `target` through a symlink of the repository's
    /// ([`Within::through_link`]): a secret write then refuses a target git tracks.
    through_link: bool,
    /// The file `path` really names, every link on the way followed: what a refusal of a
    /// tracked file names (shown from the working folder by [`crate::Error::relative_to`]).
    real: PathBuf,
    /// The effective user id of the [`Within`] it was locked under (the owner rules of its
    /// reads and writes).
    euid: u32,
}

/// A folder held under an exclusive `flock`.
#[derive(Debug)]
struct DirLock {
    /// The folder, as a path (`.` rather than empty).
    path: PathBuf,
    /// The folder as it was opened: [`DirLock::path`], from the working folder the caller
    /// gave when it is relative.
    opened: PathBuf,
    /// The folder as writes reach it: `/proc/self/fd/N` of [`DirLock::file`] where that names
    /// this very folder, so every operation lands in the folder locked and checked whatever
    /// happens to the path later; [`DirLock::opened`] where `/proc` is not mounted.
    at: PathBuf,
    /// The open folder: holds the `flock` and is what gets `fsync`ed after a rename.
    file: File,
    /// Its identity, which orders the locks of several folders.
    id: (u64, u64),
}

/// The largest dotenv file envmint reads: far above any real environment (a 10,000-key file is
/// about 1 MB), far below what would hurt the machine.
pub const MAX_DOTENV_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a secret file whole into a zeroizing buffer, `None` if it does not exist. Only a regular
/// file of at most [`MAX_DOTENV_BYTES`] is read; see [`read_regular`].
pub fn read_file(path: &Path, euid: u32) -> Result<Option<Zeroizing<Vec<u8>>>> {
    read_regular(path, MAX_DOTENV_BYTES, euid)
}

/// Reads `path` whole into a zeroizing buffer, `None` if it does not exist.
///
/// A symlink is followed only when it is owned by `euid` (the effective user id, which the
/// binary reads once) or by root (see [`lock`]). The file is opened without blocking (a FIFO would otherwise hang the open until a writer
/// appears) and the *opened descriptor* is checked: anything but a regular file (FIFO, device,
/// socket, directory) is refused with exit 65 naming the path, as is a file larger than `limit`
/// bytes. The buffer is sized up front so it never reallocates: a reallocation would leave an
/// unzeroized copy of the secret in freed memory. At most `limit + 1` bytes are ever read, so a
/// file that grows while it is read cannot exhaust memory either.
pub fn read_regular(path: &Path, limit: u64, euid: u32) -> Result<Option<Zeroizing<Vec<u8>>>> {
    Ok(read_regular_with_metadata(path, limit, euid)?.map(|(bytes, _)| bytes))
}

/// [`read_regular`], with the metadata of the very file read (taken from the opened
/// descriptor): a check of its owner or mode then holds for the bytes read, which a separate
/// `stat` of the path would not if the file were swapped in between.
pub fn read_regular_with_metadata(
    path: &Path,
    limit: u64,
    euid: u32,
) -> Result<Option<(Zeroizing<Vec<u8>>, std::fs::Metadata)>> {
    read_shown(path, path, limit, euid)
}

/// [`read_regular_with_metadata`] of `reached`, named `path` in errors.
fn read_shown(
    reached: &Path,
    path: &Path,
    limit: u64,
    euid: u32,
) -> Result<Option<(Zeroizing<Vec<u8>>, std::fs::Metadata)>> {
    let Some((mut file, meta)) = open_regular(reached, path, euid)? else {
        return Ok(None);
    };
    if meta.len() > limit {
        let size = meta.len();
        return Err(FileError::new(path, Op::Read, FileProblem::TooLarge { size, limit }).into());
    }
    let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| Error::reading(path, e))?;
    if buf.len() as u64 > limit {
        return Err(FileError::new(path, Op::Read, FileProblem::GrewPastLimit { limit }).into());
    }
    Ok(Some((buf, meta)))
}

/// The first `limit` bytes (or fewer) of `path`, `None` if it does not exist: opened as
/// [`read_regular`] opens (owner-checked symlinks, no blocking on a FIFO, regular files only),
/// for looking at what a file is without reading all of it.
pub fn read_head(path: &Path, limit: usize, euid: u32) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let Some((file, _)) = open_regular(path, path, euid)? else {
        return Ok(None);
    };
    let mut buf = Zeroizing::new(Vec::with_capacity(limit));
    file.take(limit as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Error::reading(path, e))?;
    Ok(Some(buf))
}

/// Opens `path` for [`read_regular`] and [`read_head`]: its symlinks followed only when owned
/// by `euid` or root, without blocking, and the opened descriptor checked to be a
/// regular file (exit 65 naming the path otherwise). `None` if it does not exist. `reached` is
/// opened, `path` named in errors (the same but for a locked file, reached through its
/// folder's descriptor).
fn open_regular(
    reached: &Path,
    path: &Path,
    euid: u32,
) -> Result<Option<(std::fs::File, std::fs::Metadata)>> {
    use std::os::unix::fs::OpenOptionsExt;
    // Symlinks are followed here, owner-checked, so that the open below need not follow any:
    // O_NOFOLLOW refuses a link swapped in after the check.
    // A loop or a link to nothing nameable is bad input here, not an output that cannot be
    // created.
    // A link's name met on the way is shown in `path`'s folder, not the descriptor's.
    let (from, to) = (
        reached.parent().unwrap_or(reached),
        path.parent().unwrap_or(path),
    );
    // `reached` is opened below as it reads (a relative one from the process's folder, as a
    // reader given a relative name opens it), so its links are followed the same way.
    let target = resolve::final_target(reached, euid, None).map_err(|e| match e {
        Error::File(mut e) if reached != path && e.path.starts_with(from) => {
            let rest = e.path.strip_prefix(from).unwrap_or(&e.path).to_path_buf();
            e.path = to.join(rest);
            Error::File(e)
        }
        e => e,
    });
    let target = target.map_err(|e| match e {
        Error::File(mut e) if e.op == Op::Inspect && !matches!(e.problem, FileProblem::Os(_)) => {
            e.op = Op::Read;
            Error::File(e)
        }
        e => e,
    })?;
    let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOFOLLOW;
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(&target)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::reading(path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::reading(path, e))?;
    if !meta.file_type().is_file() {
        let kind = Some(file_kind(&meta));
        return Err(FileError::new(path, Op::Read, FileProblem::NotRegular { kind }).into());
    }
    Ok(Some((file, meta)))
}

/// What a non-regular file is.
fn file_kind(meta: &std::fs::Metadata) -> FileKind {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        FileKind::Directory
    } else if t.is_fifo() {
        FileKind::Fifo
    } else if t.is_char_device() || t.is_block_device() {
        FileKind::Device
    } else if t.is_socket() {
        FileKind::Socket
    } else {
        FileKind::Other
    }
}

/// Locks `path` for reading and rewriting, waiting up to `wait` (a [`LockWait`], or a `Duration`
/// on the system clock) for another process to finish with it. The one-file form of
/// [`lock_all`], without a wait notice.
///
/// # Errors
///
/// As for [`lock_all`].
pub fn lock(path: &Path, within: &Within, wait: impl Into<LockWait>) -> Result<Locked> {
    let mut locked = lock_all(&[path], within, wait, &mut |_| {})?;
    locked
        .pop()
        .ok_or_else(|| FileError::new(path, Op::Lock, FileProblem::NothingRequested).into())
}

/// Locks every path in `paths` for reading and rewriting, waiting up to `wait`'s timeout in all,
/// as measured by its clock (a `Duration` converts into a wait on the system clock).
/// Returns one [`Locked`] per path, in the order given.
///
/// Each path may be a symlink (or a chain of them, relative or absolute, or dangling): the lock
/// and every later write concern the final target, and the links stay links. A link is followed
/// only when the link itself is owned by the effective user or by root, the rule of the kernel's
/// `protected_symlinks` applied everywhere: a link another user planted must not steer a write
/// (or a `chmod`) into a file that user could not touch.
///
/// The lock is on each target's folder, and a folder holding several of the files is locked
/// once. Folders are locked in the order of their device and inode numbers, the same order in
/// every process, so two envmint processes locking overlapping sets of folders cannot deadlock.
/// When a folder is still busy after [`SLOW_LOCK`], `waiting` is called once with that folder
/// (the binary prints a line, as cargo does).
///
/// Once the locks are held and the links resolved for the last time, each file's real target
/// (every folder on the way resolved, see [`real_target`]) is checked against `within`: a
/// repository's symlink re-pointed after the manifest was loaded, or one on the way of a path
/// the user typed, is caught here, where the write happens, and nothing is written.
///
/// # Errors
///
/// A [`FileError`]: [`FileProblem::Busy`] (exit 75) naming the folder when another process
/// still holds its lock after `timeout`; [`FileProblem::UntrustedSymlink`] (exit 77) for a
/// symlink owned by someone else; [`FileProblem::Outside`] or [`FileProblem::InsideGit`]
/// (exit 77) for a target `within` refuses; exit 73 when a target's folder does not exist or
/// cannot be opened, or a symlink chain is too long; exit 74 for other I/O errors.
pub fn lock_all(
    paths: &[&Path],
    within: &Within,
    wait: impl Into<LockWait>,
    waiting: &mut dyn FnMut(&Path),
) -> Result<Vec<Locked>> {
    // A symlink re-pointed between resolving and locking would leave us holding the lock of the
    // wrong folder, so resolve again once the locks are held and start over if one moved.
    const ATTEMPTS: usize = 5;
    let wait = wait.into();
    let clock = wait.clock();
    let start = clock.now();
    let mut targets = paths
        .iter()
        .map(|p| resolve::final_target(p, within.euid(), within.cwd()))
        .collect::<Result<Vec<_>>>()?;
    for _ in 0..ATTEMPTS {
        let dirs = open_dirs(&targets, within.cwd())?;
        let mut order: Vec<&Arc<DirLock>> = Vec::new();
        for dir in &dirs {
            if !order.iter().any(|d| Arc::ptr_eq(d, dir)) {
                order.push(dir);
            }
        }
        order.sort_by_key(|d| d.id);
        for dir in order {
            let spent = clock.now().saturating_duration_since(start);
            let left = LockWait::new(wait.timeout().saturating_sub(spent), clock);
            lock::acquire(&dir.file, &dir.path, left, waiting)?;
        }
        let again = paths
            .iter()
            .map(|p| resolve::final_target(p, within.euid(), within.cwd()))
            .collect::<Result<Vec<_>>>()?;
        if again == targets {
            let mut moved = false;
            let mut reals = Vec::with_capacity(paths.len());
            for ((path, target), dir) in paths.iter().zip(&targets).zip(&dirs) {
                let real = resolve::real_path(target, within.euid(), within.cwd())?;
                within.check_target(path, &real)?;
                // The folder checked must be the folder locked (and written through): a folder
                // on the way swapped for a link since it was opened is caught here.
                let folder = real.parent().unwrap_or(Path::new("/"));
                moved |= std::fs::metadata(folder).map_or(true, |m| (m.dev(), m.ino()) != dir.id);
                reals.push(real);
            }
            if moved {
                continue;
            }
            return Ok(paths
                .iter()
                .zip(targets)
                .zip(dirs)
                .zip(reals)
                .map(|(((path, target), dir), real)| Locked {
                    path: path.to_path_buf(),
                    through_link: within.through_link(path, &target),
                    target,
                    real,
                    dir,
                    euid: within.euid(),
                })
                .collect());
        }
        targets = again;
    }
    let path = paths.first().copied().unwrap_or(Path::new("."));
    Err(FileError::new(path, Op::Lock, FileProblem::SymlinkKeepsChanging).into())
}

/// Opens the folder of each target, one [`DirLock`] per distinct folder (by device and inode,
/// so `a/` and `./a` share one), not locked yet. A relative target's folder is opened from
/// `cwd`, the folder its links were followed from ([`resolve::final_target`]).
fn open_dirs(targets: &[PathBuf], cwd: Option<&Path>) -> Result<Vec<Arc<DirLock>>> {
    let mut opened: Vec<Arc<DirLock>> = Vec::new();
    let mut dirs = Vec::with_capacity(targets.len());
    for target in targets {
        let path = resolve::parent_dir(target);
        let dir = match opened.iter().find(|d| d.path == path) {
            Some(d) => Arc::clone(d),
            None => {
                let from = resolve::at(&path, cwd).into_owned();
                let file =
                    File::open(&from).map_err(|e| Error::writing(target, Op::OpenFolder, e))?;
                let meta = file
                    .metadata()
                    .map_err(|e| Error::writing(target, Op::OpenFolder, e))?;
                let id = (meta.dev(), meta.ino());
                match opened.iter().find(|d| d.id == id) {
                    Some(d) => Arc::clone(d),
                    None => {
                        let at = through_descriptor(&file, id).unwrap_or_else(|| from.clone());
                        let d = Arc::new(DirLock {
                            path,
                            opened: from,
                            at,
                            file,
                            id,
                        });
                        opened.push(Arc::clone(&d));
                        d
                    }
                }
            }
        };
        dirs.push(dir);
    }
    Ok(dirs)
}

/// `/proc/self/fd/N` for the open folder `file` whose device and inode are `id`, when it names
/// that folder (`/proc` mounted), else `None`.
fn through_descriptor(file: &File, id: (u64, u64)) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    let at = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    let meta = std::fs::metadata(&at).ok()?;
    ((meta.dev(), meta.ino()) == id && meta.is_dir()).then_some(at)
}

/// One file of a [`commit`]: what to write, where, and with which mode rule.
#[derive(Debug)]
pub struct Change<'a> {
    /// The locked file.
    pub file: &'a Locked,
    /// Its new contents.
    pub contents: &'a [u8],
    /// The mode rule.
    pub mode: Mode,
}

/// What a [`commit`] did to one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Whether the new contents were renamed into place.
    pub written: bool,
    /// `(old, new)` permission bits when the file existed with a different mode than it has
    /// now, e.g. `(0o640, 0o600)`.
    pub mode_change: Option<(u32, u32)>,
}

/// A [`commit`] that failed, with what it had written by then (nothing, unless a rename or
/// the final folder `fsync` failed).
#[derive(Debug)]
pub struct CommitError {
    /// Why it failed.
    pub error: Error,
    /// One entry per change, in order.
    pub written: Vec<Written>,
}

/// Replaces several secret files as one group: all or nothing up to the renames.
///
/// First every file is prepared: a temporary file created 0600 beside it, given the old
/// file's owner, group and extended attributes (POSIX ACLs included) and its mode, written and
/// `fsync`ed. A failure there removes every temporary file and leaves every file untouched. Then
/// all are renamed into place, and each folder is `fsync`ed once. Only a failing rename or
/// folder `fsync` (an I/O error of the file system itself) can leave the group half-written;
/// [`CommitError::written`] then says which files were replaced.
///
/// A file listed twice is an error in the caller; the second rename would win.
///
/// # Errors
///
/// As for [`Locked::write`], in a [`CommitError`].
pub fn commit(changes: &[Change<'_>]) -> std::result::Result<Vec<Written>, CommitError> {
    commit_with(changes, &mut write::write_all)
}

/// [`commit`] with the step that fills each temporary file as a parameter (for tests).
fn commit_with(
    changes: &[Change<'_>],
    fill: write::Fill<'_>,
) -> std::result::Result<Vec<Written>, CommitError> {
    let mut written = vec![Written::default(); changes.len()];
    // Stale temporary files first, one pass per folder for all its targets.
    let mut folders: Vec<(&Arc<DirLock>, std::collections::HashSet<std::ffi::OsString>)> =
        Vec::new();
    for change in changes {
        let prefix = write::temp_prefix(&change.file.target);
        match folders
            .iter_mut()
            .find(|(d, _)| Arc::ptr_eq(d, &change.file.dir))
        {
            Some((_, prefixes)) => {
                prefixes.insert(prefix);
            }
            None => folders.push((&change.file.dir, [prefix].into())),
        }
    }
    for (dir, prefixes) in &folders {
        write::remove_stale_temps_of(&dir.at, prefixes);
    }
    for change in changes {
        if let Err(error) = change.file.refuse_tracked() {
            return Err(CommitError { error, written });
        }
    }
    let mut prepared = Vec::with_capacity(changes.len());
    for change in changes {
        let sensitivity = write::Sensitivity::Secret(change.mode);
        match write::prepare_swept(&change.file.place(), change.contents, sensitivity, fill) {
            Ok(p) => prepared.push(p),
            // Dropping `prepared` unlinks every temporary file made so far.
            Err(error) => return Err(CommitError { error, written }),
        }
    }
    let mut rest = prepared.into_iter().enumerate();
    for (i, p) in rest.by_ref() {
        let mode_change = p.mode_change();
        if let Err(error) = p.install() {
            return Err(CommitError { error, written });
        }
        written[i] = Written {
            written: true,
            mode_change,
        };
    }
    // Without this the renames may not survive a power loss: the new names live in the folders.
    let mut synced: Vec<&Arc<DirLock>> = Vec::new();
    for change in changes {
        let dir = &change.file.dir;
        if synced.iter().any(|d| Arc::ptr_eq(d, dir)) {
            continue;
        }
        if let Err(source) = dir.file.sync_all() {
            let error = FileError::os(&dir.path, Op::SyncFolder, source).into();
            return Err(CommitError { error, written });
        }
        synced.push(dir);
    }
    Ok(written)
}

impl Locked {
    /// The path the caller named (possibly a symlink).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file actually read and written: [`Locked::path`] with its symlinks resolved (`init`
    /// names it when `.gitignore` or the manifest is a symlink).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The locked folder holding [`Locked::target`].
    pub fn folder(&self) -> &Path {
        &self.dir.path
    }

    /// Whether `other` is the same file (the same name in the same locked folder), e.g. two
    /// environments sharing one file.
    pub fn same_file(&self, other: &Locked) -> bool {
        Arc::ptr_eq(&self.dir, &other.dir) && self.target.file_name() == other.target.file_name()
    }

    /// Reads the whole file into a buffer that is zeroized when dropped; `None` if it does not
    /// exist (a dangling symlink counts as not existing). See [`read_regular`].
    ///
    /// # Errors
    ///
    /// A [`FileError`] of [`Op::Read`]: exit 77 when the file cannot be opened for lack of
    /// permission, exit 65 for a file that is not regular or too large, exit 74 for other
    /// failures.
    pub fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        // Through the locked folder's descriptor, as writes go: the folder read is the one
        // checked and locked, whatever happened to the path since.
        let name = self.target.file_name().unwrap_or(std::ffi::OsStr::new("."));
        let reached = self.dir.at.join(name);
        Ok(
            read_shown(&reached, &self.target, MAX_DOTENV_BYTES, self.euid)?
                .map(|(bytes, _)| bytes),
        )
    }

    /// Atomically replaces the file with `contents`, as a secret: mode 0600, or the old mode if
    /// it was stricter (0400 stays 0400, 0644 becomes 0600), whatever the umask; owner, group
    /// and extended attributes kept. The one-file form of [`commit`].
    ///
    /// # Errors
    ///
    /// A [`FileError`]: exit 73 naming the folder when it is not writable
    /// ([`FileProblem::FolderNotWritable`]), or the file when the folder is missing or the
    /// target is not a regular file; exit 77 when the old owner or group cannot be kept (a
    /// non-root user replacing another user's file, [`Op::KeepOwner`]); exit 74 for other failures,
    /// a full disk among them. On any error the old file is untouched and no temporary file is
    /// left. Messages name the path, never the contents.
    pub fn write(&self, contents: &[u8]) -> Result<()> {
        self.write_with_mode(contents, Mode::Private).map(|_| ())
    }

    /// [`Locked::write`] with a mode rule; returns what happened to the mode.
    ///
    /// # Errors
    ///
    /// As for [`Locked::write`].
    pub fn write_with_mode(&self, contents: &[u8], mode: Mode) -> Result<Written> {
        let change = Change {
            file: self,
            contents,
            mode,
        };
        match commit(std::slice::from_ref(&change)) {
            Ok(mut w) => Ok(w.pop().unwrap_or_default()),
            Err(e) => Err(e.error),
        }
    }

    /// Creates the file with `contents` as a secret (0600), only when nothing has its name yet:
    /// whole or not at all, never replacing anything (a key file: `keygen -o`). See
    /// [`write::create_new`]; the folder is `fsync`ed after.
    ///
    /// # Errors
    ///
    /// An [`Op::Create`] error of kind `AlreadyExists` when the name is taken (a dangling
    /// symlink included); otherwise as for [`Locked::write`].
    pub fn create_new(&self, contents: &[u8]) -> Result<()> {
        self.refuse_tracked()?;
        write::create_new(&self.place(), contents)?;
        self.dir
            .file
            .sync_all()
            .map_err(|source| FileError::os(&self.dir.path, Op::SyncFolder, source).into())
    }

    /// Atomically replaces a non-secret file (`.gitignore`, `envmint.toml`) with `contents`: same
    /// steps as [`Locked::write`], but an existing file keeps its mode and a new one is created
    /// 0644 minus the umask.
    ///
    /// # Errors
    ///
    /// As for [`Locked::write`].
    pub fn write_public(&self, contents: &[u8]) -> Result<()> {
        self.replace(contents, write::Sensitivity::Public, &mut write::write_all)
    }

    /// Atomically replaces the file, as a secret ([`Mode::Private`]), with what `fill` writes
    /// into the temporary file: for contents streamed from elsewhere (a decrypted file) that
    /// must never be seen half-written. `fill` runs on this thread while a second one writes
    /// what it produces; it need not buffer. When `fill` fails, its error is returned, the temporary
    /// file is removed and the old file is untouched.
    ///
    /// # Errors
    ///
    /// `fill`'s error, or as for [`Locked::write`].
    pub fn write_streamed(&self, fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>) -> Result<()> {
        let mut failed: Option<Error> = None;
        let target = self.target.clone();
        let mut step = |file: &mut File, _: &[u8]| {
            pipe::run(file, &target, fill).map_err(|e| {
                failed = Some(e);
                // A marker only: `fill`'s own error, kept above, is the one returned.
                io::Error::from(io::ErrorKind::Other)
            })
        };
        self.refuse_tracked()?;
        let kind = write::Sensitivity::Secret(Mode::Private);
        match self.replace(&[], kind, &mut step) {
            Ok(()) => Ok(()),
            Err(e) => Err(failed.take().unwrap_or(e)),
        }
    }

    /// Refuses a secret write that reached, through a symlink of the repository's, a file git
    /// tracks ([`FileProblem::TrackedThroughLink`], 77). git is asked only for such a path.
    fn refuse_tracked(&self) -> Result<()> {
        // git is asked from the folder as opened: a relative target starts from the working
        // folder the caller gave, not the process's.
        let name = self.target.file_name().unwrap_or(std::ffi::OsStr::new("."));
        if self.through_link && crate::git::tracks(&self.dir.opened.join(name)) {
            // Named by its real path: through a folder link (`conf -> config`), the path as
            // written is the tracked file itself, and `rm` of it would delete that file.
            let problem = FileProblem::TrackedThroughLink {
                target: self.real.clone(),
                folder_link: self.target == self.path,
            };
            return Err(FileError::new(&self.path, Op::Inspect, problem).into());
        }
        Ok(())
    }

    fn place(&self) -> write::Place<'_> {
        write::Place {
            target: &self.target,
            dir_path: &self.dir.path,
            at: &self.dir.at,
            euid: self.euid,
        }
    }

    fn replace(
        &self,
        contents: &[u8],
        sensitivity: write::Sensitivity,
        fill: write::Fill<'_>,
    ) -> Result<()> {
        write::prepare(&self.place(), contents, sensitivity, fill)?.install()?;
        self.dir
            .file
            .sync_all()
            .map_err(|source| FileError::os(&self.dir.path, Op::SyncFolder, source).into())
    }
}
