//! The only writer of secret files, and the advisory lock that serialises envmint processes.
//!
//! Every change to a file goes through [`lock`] and then [`Locked::write`] (secrets) or
//! [`Locked::write_public`] (`.gitignore`, `envmint.toml`):
//!
//! 1. [`lock`] follows the symlink chain to the file actually written (the *target*) and takes an
//!    exclusive `flock` on the target's directory, waiting up to a timeout.
//! 2. A write creates a temporary file `.<name>.envmint-tmp.XXXXXX` in that directory with mode
//!    0600 *at creation*, gives it the old file's owner and group and the final mode, writes it,
//!    `fsync`s it, renames it over the target and `fsync`s the directory.
//!
//! A crash at any instant therefore leaves either the complete old file or the complete new one,
//! plus at worst a 0600 temporary file, which the next write of the same file removes.
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
//! The lock is advisory: it serialises envmint processes, not editors or other tools.

mod lock;
mod resolve;
mod write;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::Location;
use crate::{Error, Result};

pub use lock::DEFAULT_LOCK_TIMEOUT;

/// An exclusive advisory lock on the file a command is about to change, held while this value is
/// alive. Read and write the file only through it.
#[derive(Debug)]
pub struct Locked {
    /// The path the caller named.
    path: PathBuf,
    /// `path` with its symlink chain followed: the file that is actually written.
    target: PathBuf,
    /// The directory containing `target`, as a path (`.` rather than empty).
    dir_path: PathBuf,
    /// The open directory: holds the `flock` and is what gets `fsync`ed after a rename.
    dir: File,
}

/// The largest dotenv file envmint reads: far above any real environment (a 10,000-key file is
/// about 1 MB), far below what would hurt the machine.
pub const MAX_DOTENV_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a secret file whole into a zeroizing buffer, `None` if it does not exist. Only a regular
/// file of at most [`MAX_DOTENV_BYTES`] is read; see [`read_regular`].
pub fn read_file(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>> {
    read_regular(path, MAX_DOTENV_BYTES)
}

/// Reads `path` whole into a zeroizing buffer, `None` if it does not exist.
///
/// The file is opened without blocking (a FIFO would otherwise hang the open until a writer
/// appears) and the *opened descriptor* is checked: anything but a regular file (FIFO, device,
/// socket, directory) is refused with exit 65 naming the path, as is a file larger than `limit`
/// bytes. The buffer is sized up front so it never reallocates: a reallocation would leave an
/// unzeroized copy of the secret in freed memory. At most `limit + 1` bytes are ever read, so a
/// file that grows while it is read cannot exhaust memory either.
pub fn read_regular(path: &Path, limit: u64) -> Result<Option<Zeroizing<Vec<u8>>>> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::reading(path, e)),
    };
    let meta = file.metadata().map_err(|e| Error::reading(path, e))?;
    if !meta.file_type().is_file() {
        return Err(Error::data(
            Location::new(path, None),
            format!(
                "not a regular file ({}); envmint reads only regular files",
                file_kind(&meta)
            ),
        ));
    }
    if meta.len() > limit {
        return Err(Error::data(
            Location::new(path, None),
            format!(
                "the file is {} bytes, over envmint's limit of {limit} bytes",
                meta.len()
            ),
        ));
    }
    let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| Error::reading(path, e))?;
    if buf.len() as u64 > limit {
        return Err(Error::data(
            Location::new(path, None),
            format!("the file grew past envmint's limit of {limit} bytes while it was read"),
        ));
    }
    Ok(Some(buf))
}

/// What a non-regular file is, for error messages.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Locks `path` for reading and rewriting, waiting up to `timeout` for another envmint process to
/// finish with it.
///
/// `path` may be a symlink (or a chain of them, relative or absolute, or dangling): the lock and
/// every later write concern the final target, and the links stay links.
///
/// # Errors
///
/// [`Error::Busy`] (exit 75) when another process still holds the lock after `timeout`;
/// [`Error::CantCreate`] (exit 73) when the target's directory does not exist or cannot be opened,
/// or the symlink chain is too long; [`Error::Io`] (exit 74) for other I/O errors.
pub fn lock(path: &Path, timeout: Duration) -> Result<Locked> {
    // A symlink re-pointed between resolving and locking would leave us holding the lock of the
    // wrong directory, so resolve again once the lock is held and start over if it moved.
    const ATTEMPTS: usize = 5;
    let mut target = resolve::final_target(path)?;
    for _ in 0..ATTEMPTS {
        let dir_path = resolve::parent_dir(&target);
        let dir = lock::acquire(&dir_path, &target, path, timeout)?;
        let again = resolve::final_target(path)?;
        if again == target {
            return Ok(Locked {
                path: path.to_path_buf(),
                target,
                dir_path,
                dir,
            });
        }
        target = again;
    }
    Err(Error::cant_create(
        path,
        "the symlink keeps changing while envmint waits to lock it",
    ))
}

impl Locked {
    /// The path the caller named (possibly a symlink).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file actually read and written: [`Locked::path`] with its symlinks resolved.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Reads the whole file into a buffer that is zeroized when dropped; `None` if it does not
    /// exist (a dangling symlink counts as not existing).
    ///
    /// # Errors
    ///
    /// [`Error::PermissionDenied`] (exit 77) when the file cannot be opened for lack of
    /// permission, [`Error::Io`] (exit 74) for other failures.
    pub fn read(&self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        read_file(&self.target)
    }

    /// Atomically replaces the file with `contents`, as a secret: mode 0600, or the old mode if
    /// it was stricter (0400 stays 0400, 0644 becomes 0600), whatever the umask; owner and group
    /// kept.
    ///
    /// # Errors
    ///
    /// [`Error::CantCreate`] (exit 73) when the directory is missing or not writable or the target
    /// is not a regular file; [`Error::PermissionDenied`] (exit 77) when the old owner or group
    /// cannot be kept (a non-root user replacing another user's file); [`Error::Io`] (exit 74)
    /// for other failures, a full disk among them. On any error the old file is untouched and no
    /// temporary file is left. Messages name the path, never the contents.
    pub fn write(&self, contents: &[u8]) -> Result<()> {
        self.replace(contents, write::Kind::Secret, &mut write::write_all)
    }

    /// Atomically replaces a non-secret file (`.gitignore`, `envmint.toml`) with `contents`: same
    /// steps as [`Locked::write`], but an existing file keeps its mode and a new one is created
    /// 0644 minus the umask.
    ///
    /// # Errors
    ///
    /// As for [`Locked::write`].
    pub fn write_public(&self, contents: &[u8]) -> Result<()> {
        self.replace(contents, write::Kind::Public, &mut write::write_all)
    }

    fn replace(&self, contents: &[u8], kind: write::Kind, fill: write::Fill<'_>) -> Result<()> {
        write::replace(
            &write::Place {
                target: &self.target,
                dir_path: &self.dir_path,
                dir: &self.dir,
            },
            contents,
            kind,
            fill,
        )
    }
}
