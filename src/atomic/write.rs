//! Replacing a file atomically: temp file created 0600, owner, extended attributes and mode set,
//! written, `fsync`ed ([`prepare`]); renamed over the target ([`Prepared::install`]); the folder
//! `fsync`ed by the caller, once for a whole group.
//!
//! The temporary file is created unnamed (`O_TMPFILE`) where the file system allows, and given
//! its temporary name only once it is complete and `fsync`ed: a process killed while it writes
//! leaves nothing. Elsewhere (a file system or kernel without `O_TMPFILE`) it is a named 0600
//! file from the start, which a kill leaves behind, partial, until the next write removes it.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Metadata, Permissions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
use std::path::Path;

use tempfile::{Builder, TempPath};

use crate::error::{FileError, FileProblem, Op};
use crate::{Error, Result};

/// Whether a write holds secrets, which decides its mode rule (named apart from
/// `generate::Kind`, the kind of a secret value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sensitivity {
    /// A secret: see [`Mode`].
    Secret(Mode),
    /// The old mode, or 0644 minus the umask for a new file.
    Public,
}

/// The step that puts the bytes into the temporary file. A parameter only so tests can make it
/// fail the way a full disk does; production code passes [`write_all`].
pub(super) type Fill<'a> = &'a mut dyn FnMut(&mut File, &[u8]) -> io::Result<()>;

/// The production [`Fill`].
pub(super) fn write_all(file: &mut File, contents: &[u8]) -> io::Result<()> {
    file.write_all(contents)
}

/// How a secret file's mode is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// 0600, or the old mode if stricter (0400 stays 0400, 0644 becomes 0600).
    #[default]
    Private,
    /// Exactly this mode (permission bits only), e.g. 0640 declared for a deploy layout where a
    /// service reads the file through its group.
    Declared(u32),
}

/// Where a write goes; borrowed from [`super::Locked`].
pub(super) struct Place<'a> {
    /// The file actually replaced, as named in messages.
    pub target: &'a Path,
    /// Its directory, as named in messages.
    pub dir_path: &'a Path,
    /// Its directory as every operation reaches it: the locked folder's descriptor
    /// (`/proc/self/fd/N`), so a folder on the way swapped for a link after the bounds check
    /// cannot move the write; the path itself where `/proc` is missing.
    pub at: &'a Path,
    /// The effective user id the write runs as (the owner rules: [`Within::euid`]).
    ///
    /// [`Within::euid`]: super::Within::euid
    pub euid: u32,
}

impl Place<'_> {
    /// The target reached through [`Place::at`].
    fn reached(&self) -> std::path::PathBuf {
        self.at
            .join(self.target.file_name().unwrap_or(OsStr::new("file")))
    }
}

/// The name prefix of envmint's temporary files for `target`, e.g.
/// `.env.production.local.envmint-tmp.` or `.config.toml.envmint-tmp.`: hidden, and recognisable
/// so a later run can remove what a killed one left behind.
pub(super) fn temp_prefix(target: &Path) -> OsString {
    let name = target.file_name().unwrap_or(OsStr::new("file"));
    let mut prefix = OsString::new();
    if !name.as_bytes().starts_with(b".") {
        prefix.push(".");
    }
    prefix.push(name);
    prefix.push(".envmint-tmp.");
    prefix
}

/// A temporary file ready to be renamed over its target. Held by path, its descriptor closed:
/// a group commit of thousands of files must not need thousands of open files.
pub(super) struct Prepared {
    temp: TempPath,
    /// The target as named in messages.
    target: std::path::PathBuf,
    /// The target reached through the locked folder ([`Place::at`]): what is renamed over.
    reached: std::path::PathBuf,
    mode_change: Option<(u32, u32)>,
}

impl Prepared {
    /// `(old, new)` permission bits when the old file had a different mode.
    pub(super) fn mode_change(&self) -> Option<(u32, u32)> {
        self.mode_change
    }

    /// Renames the temporary file over the target. On error the temporary file is removed.
    pub(super) fn install(self) -> Result<()> {
        self.temp
            .persist(&self.reached)
            .map(drop)
            .map_err(|e| Error::writing(&self.target, Op::Replace, e.error))
    }
}

/// Prepares the replacement of `place.target` with `contents`: everything but the rename. On
/// error the old file is untouched and the temporary file is gone (dropping a `NamedTempFile`
/// unlinks it), and so it is when the returned value is dropped without
/// [`Prepared::install`].
pub(super) fn prepare(
    place: &Place<'_>,
    contents: &[u8],
    sensitivity: Sensitivity,
    fill: Fill<'_>,
) -> Result<Prepared> {
    remove_stale_temps(place.at, &temp_prefix(place.target));
    prepare_swept(place, contents, sensitivity, fill)
}

/// [`prepare`] once the target's stale temporary files are gone ([`remove_stale_temps_of`]
/// swept its folder for a whole group).
pub(super) fn prepare_swept(
    place: &Place<'_>,
    contents: &[u8],
    sensitivity: Sensitivity,
    fill: Fill<'_>,
) -> Result<Prepared> {
    let target = place.target;
    let reached = place.reached();
    let old = match fs::symlink_metadata(&reached) {
        Ok(meta) if meta.file_type().is_file() => Some(meta),
        Ok(_) => {
            let problem = FileProblem::NotRegular { kind: None };
            return Err(FileError::new(target, Op::Inspect, problem).into());
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::writing(target, Op::Inspect, e)),
    };

    let prefix = temp_prefix(target);

    // The mode given at creation is what the file has from its first instant, so a secret is
    // never readable by others, not even between creation and a chmod. A public file may start
    // 0644 because the kernel then applies the umask, which is what a new file should get.
    let creation_mode = match (sensitivity, &old) {
        (Sensitivity::Public, None) => 0o644,
        _ => 0o600,
    };
    if let Some(old) = &old {
        refuse_planted(target, place.at, old, place.euid)?;
    }
    // Unnamed (O_TMPFILE) where the file system allows: a process killed while it writes leaves
    // nothing behind, not even a partial temporary file; it gets its name below, once complete.
    let (mut file, mut named) = match unnamed_in(place.at, creation_mode) {
        Ok(Some(file)) => (file, None),
        Ok(None) => {
            let temp = Builder::new()
                .prefix(&prefix)
                .permissions(Permissions::from_mode(creation_mode))
                .tempfile_in(place.at)
                .map_err(|e| folder_error(place.dir_path, target, e))?;
            let (file, path) = temp.into_parts();
            (file, Some(path))
        }
        Err(e) => return Err(folder_error(place.dir_path, target, e)),
    };

    if let Some(old) = &old {
        keep_owner(&file, old).map_err(|e| Error::writing(target, Op::KeepOwner, e))?;
        // Before the mode: a POSIX ACL (`system.posix_acl_access`) carries mode bits too, and
        // the chmod below must have the last word on them.
        super::xattrs::copy(&reached, target, &file)?;
    }
    // Set after the owner: changing the owner clears set-user-ID bits. Set even for a new secret,
    // because a umask such as 0277 would otherwise leave the owner unable to rewrite it.
    let mode = final_mode(sensitivity, old.as_ref());
    if let Some(mode) = mode {
        file.set_permissions(Permissions::from_mode(mode))
            .map_err(|e| Error::writing(target, Op::SetMode, e))?;
    }
    let mode_change = match (&old, mode) {
        (Some(old), Some(new)) if old.mode() & 0o7777 != new => Some((old.mode() & 0o7777, new)),
        _ => None,
    };

    fill(&mut file, contents).map_err(|e| Error::writing(target, Op::Write, e))?;
    file.sync_all()
        .map_err(|e| Error::writing(target, Op::Sync, e))?;
    if named.is_none() {
        // Complete and on disk: now it may have a (random, temporary) name, which the rename
        // then moves over the target. `linkat` cannot replace an existing name, hence the step.
        let linked = Builder::new()
            .prefix(&prefix)
            .make_in(place.at, |path| link_unnamed(&file, path))
            .map_err(|e| Error::writing(target, Op::Create, os_error(&e)))?;
        named = Some(linked.into_temp_path());
    }
    let Some(temp) = named else {
        unreachable!("the temporary file was named above")
    };
    // Closing after the fsync loses nothing: the data is on disk, and a close error on a synced
    // regular file cannot lose it.
    drop(file);
    Ok(Prepared {
        temp,
        target: target.to_path_buf(),
        reached,
        mode_change,
    })
}

/// Creates `place.target` with `contents`, 0600, only if nothing has its name: complete or
/// not at all. Unnamed (`O_TMPFILE`) until written and `fsync`ed, then linked under the name,
/// which fails if the name exists (a link cannot replace); without `O_TMPFILE`, created
/// exclusively under its name (`O_EXCL`, no link followed) and removed again if the write
/// fails. The caller `fsync`s the folder.
///
/// # Errors
///
/// An [`Op::Create`] error of kind `AlreadyExists` when the name is taken; as for [`prepare`].
pub(super) fn create_new(place: &Place<'_>, contents: &[u8]) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let target = place.target;
    let reached = place.reached();
    let exists = || Error::writing(target, Op::Create, io::ErrorKind::AlreadyExists.into());
    if fs::symlink_metadata(&reached).is_ok() {
        return Err(exists());
    }
    let finish = |file: &mut File| -> io::Result<()> {
        file.set_permissions(Permissions::from_mode(0o600))?;
        file.write_all(contents)?;
        file.sync_all()
    };
    match unnamed_in(place.at, 0o600) {
        Ok(Some(mut file)) => {
            finish(&mut file).map_err(|e| Error::writing(target, Op::Write, e))?;
            link_unnamed(&file, &reached).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => exists(),
                _ => Error::writing(target, Op::Create, e),
            })
        }
        Ok(None) => {
            let flags = rustix::fs::OFlags::NOFOLLOW.bits() as i32;
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(flags)
                .open(&reached)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => exists(),
                    _ => folder_error(place.dir_path, target, e),
                })?;
            finish(&mut file).map_err(|e| {
                let _ = fs::remove_file(&reached);
                Error::writing(target, Op::Write, e)
            })
        }
        Err(e) => Err(folder_error(place.dir_path, target, e)),
    }
}

#[cfg(test)]
thread_local! {
    /// Tests only: act as on a file system without `O_TMPFILE`, to test the named fallback.
    pub(super) static NAMED_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// An unnamed file in `dir` (`O_TMPFILE`), created with `mode`; `Ok(None)` when the file system
/// or kernel has no `O_TMPFILE` (the caller then uses a named temporary file).
fn unnamed_in(dir: &Path, mode: u32) -> io::Result<Option<File>> {
    use rustix::fs::{Mode, OFlags};
    #[cfg(test)]
    if NAMED_ONLY.with(std::cell::Cell::get) {
        return Ok(None);
    }
    let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC;
    match rustix::fs::open(dir, flags, Mode::from_raw_mode(mode)) {
        Ok(fd) => Ok(Some(File::from(fd))),
        Err(e) if e == rustix::io::Errno::ACCESS || e == rustix::io::Errno::ROFS => Err(e.into()),
        // EOPNOTSUPP (the file system), EISDIR or EINVAL (a kernel without O_TMPFILE), and
        // anything else: the named file's own error, if any, is the one to report.
        Err(_) => Ok(None),
    }
}

/// Gives the unnamed `file` the name `path`: through its descriptor (`AT_EMPTY_PATH`, which
/// needs CAP_DAC_READ_SEARCH), else through `/proc/self/fd`, as `open(2)` documents.
fn link_unnamed(file: &File, path: &Path) -> io::Result<()> {
    use rustix::fs::{AtFlags, CWD, linkat};
    use std::os::fd::AsRawFd;
    match linkat(file, "", CWD, path, AtFlags::EMPTY_PATH) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
        Err(_) => {
            let proc = format!("/proc/self/fd/{}", file.as_raw_fd());
            linkat(CWD, proc.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW).map_err(io::Error::from)
        }
    }
}

/// The error for a temporary file that cannot be created: a folder that refuses new files is
/// named as such (the temporary file's random name would mean nothing to the user).
fn folder_error(dir: &Path, target: &Path, e: io::Error) -> Error {
    let name = target
        .file_name()
        .map_or_else(|| target.to_path_buf(), std::path::PathBuf::from);
    // tempfile's error text names the random temporary path; the OS error alone does not (and
    // keeps its own words: "Too many open files" rather than "uncategorized error").
    let e = os_error(&e);
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            let problem = FileProblem::FolderNotWritable { name, source: e };
            FileError::new(dir, Op::Create, problem).into()
        }
        _ => Error::writing(target, Op::Create, e),
    }
}

/// The operating system's error inside `e` (which tempfile wraps with the temporary file's
/// path), or its kind when there is none.
fn os_error(e: &io::Error) -> io::Error {
    let inner = e
        .get_ref()
        .and_then(|r| r.source())
        .and_then(|s| s.downcast_ref::<io::Error>())
        .unwrap_or(e);
    inner
        .raw_os_error()
        .map_or_else(|| inner.kind().into(), io::Error::from_raw_os_error)
}

/// The mode the new file gets; `None` leaves the creation mode (minus the umask) alone.
fn final_mode(sensitivity: Sensitivity, old: Option<&Metadata>) -> Option<u32> {
    match (sensitivity, old) {
        (Sensitivity::Secret(Mode::Declared(mode)), _) => Some(mode & 0o7777),
        (Sensitivity::Secret(Mode::Private), None) => Some(0o600),
        // Only ever remove bits: 0400 stays 0400, 0644 becomes 0600.
        (Sensitivity::Secret(Mode::Private), Some(old)) => Some(old.mode() & 0o600),
        (Sensitivity::Public, Some(old)) => Some(old.mode() & 0o7777),
        (Sensitivity::Public, None) => None,
    }
}

/// Gives `temp` the owner and group of the file it replaces, because a rename installs the temp
/// file's inode: root rewriting an app user's secret must not leave it owned by root.
///
/// Only calls `fchown` when something differs, so an ordinary user rewriting their own file
/// never needs a privilege. A non-root user cannot give a file away; that fails (EPERM) rather
/// than silently taking the file over.
fn keep_owner(temp: &File, old: &Metadata) -> io::Result<()> {
    let mine = temp.metadata()?;
    let uid = (mine.uid() != old.uid()).then_some(old.uid());
    let gid = (mine.gid() != old.gid()).then_some(old.gid());
    if uid.is_some() || gid.is_some() {
        fchown(temp, uid, gid)?;
    }
    Ok(())
}

/// Refuses to replace another user's file in a folder others can write to and that has the
/// sticky bit (`/tmp`): the new file would keep that user as its owner ([`keep_owner`]), which
/// hands what is written to whoever planted the file there before the run. This is the kernel's
/// `protected_regular` rule, which a rename does not go through. Root rewriting an app user's
/// file in a folder that only trusted users can write still keeps the app as owner.
fn refuse_planted(target: &Path, dir: &Path, old: &Metadata, euid: u32) -> Result<()> {
    if old.uid() == euid {
        return Ok(());
    }
    let shared = fs::metadata(dir).is_ok_and(|d| d.mode() & 0o1000 != 0 && d.mode() & 0o022 != 0);
    if !shared {
        return Ok(());
    }
    let problem = FileProblem::Planted {
        owner: old.uid(),
        euid,
    };
    Err(FileError::new(target, Op::Replace, problem).into())
}

/// [`remove_stale_temps`] for several targets of one folder in one pass over it: a group
/// commit of N files in a folder reads the folder once, not N times (10,000 new files in one
/// folder, `export --format docker-secrets`, took 35 s, mostly listing a folder growing to
/// 20,000 entries 10,000 times). `prefixes` are the targets' [`temp_prefix`]es.
pub(super) fn remove_stale_temps_of(
    dir: &Path,
    prefixes: &std::collections::HashSet<OsString>,
) -> usize {
    const MARK: &[u8] = b".envmint-tmp.";
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        // The random suffix has no dots, so the last mark ends the prefix.
        let Some(at) = memchr::memmem::rfind(name.as_bytes(), MARK) else {
            continue;
        };
        let prefix = OsStr::from_bytes(&name.as_bytes()[..at + MARK.len()]);
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if prefixes.contains(prefix) && is_file && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Removes temporary files that a killed run left next to the target. Called with the
/// directory locked, so no live envmint process owns one of them. Best effort: a file that
/// cannot be removed here leaves the write to fail or succeed on its own terms.
pub(super) fn remove_stale_temps(dir: &Path, prefix: &OsStr) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let is_ours = entry.file_name().as_bytes().starts_with(prefix.as_bytes());
        // `file_type` does not follow symlinks: a link named like a temp file is not ours.
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_ours && is_file && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
