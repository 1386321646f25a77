//! Replacing a file atomically: temp file created 0600, owner and mode set, written, `fsync`ed,
//! renamed over the target, directory `fsync`ed.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Metadata, Permissions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
use std::path::Path;

use tempfile::Builder;

use crate::{Error, Result};

/// Which mode rule a write follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// 0600, or the old mode if stricter.
    Secret,
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

/// Where a write goes; borrowed from [`super::Locked`].
pub(super) struct Place<'a> {
    /// The file actually replaced.
    pub target: &'a Path,
    /// Its directory, as a path.
    pub dir_path: &'a Path,
    /// Its directory, open (and locked).
    pub dir: &'a File,
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

/// Replaces `place.target` with `contents`. On error the old file is untouched and the
/// temporary file is gone (dropping a `NamedTempFile` unlinks it).
pub(super) fn replace(
    place: &Place<'_>,
    contents: &[u8],
    kind: Kind,
    fill: Fill<'_>,
) -> Result<()> {
    let target = place.target;
    let old = match fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_file() => Some(meta),
        Ok(_) => {
            return Err(Error::cant_create(
                target,
                "not a regular file; envmint replaces only regular files",
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::writing(target, "inspect", e)),
    };

    let prefix = temp_prefix(target);
    remove_stale_temps(place.dir_path, &prefix);

    // The mode given at creation is what the file has from its first instant, so a secret is
    // never readable by others, not even between creation and a chmod. A public file may start
    // 0644 because the kernel then applies the umask, which is what a new file should get.
    let creation_mode = match (kind, &old) {
        (Kind::Public, None) => 0o644,
        _ => 0o600,
    };
    let mut temp = Builder::new()
        .prefix(&prefix)
        .permissions(Permissions::from_mode(creation_mode))
        .tempfile_in(place.dir_path)
        .map_err(|e| Error::writing(target, "create", e))?;

    if let Some(old) = &old {
        keep_owner(temp.as_file(), old).map_err(|e| match e.kind() {
            io::ErrorKind::PermissionDenied => Error::PermissionDenied {
                path: target.to_path_buf(),
                action: "keep its owner and group",
                source: e,
            },
            _ => Error::writing(target, "keep the owner of", e),
        })?;
    }
    // Set after the owner: changing the owner clears set-user-ID bits. Set even for a new secret,
    // because a umask such as 0277 would otherwise leave the owner unable to rewrite it.
    if let Some(mode) = final_mode(kind, old.as_ref()) {
        temp.as_file()
            .set_permissions(Permissions::from_mode(mode))
            .map_err(|e| Error::writing(target, "set the mode of", e))?;
    }

    fill(temp.as_file_mut(), contents).map_err(|e| Error::writing(target, "write", e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::writing(target, "sync", e))?;
    temp.persist(target)
        .map_err(|e| Error::writing(target, "replace", e.error))?;
    // Without this the rename may not survive a power loss: the new name lives in the directory.
    place.dir.sync_all().map_err(|source| Error::Io {
        path: place.dir_path.to_path_buf(),
        action: "sync the directory",
        source,
    })
}

/// The mode the new file gets; `None` leaves the creation mode (minus the umask) alone.
fn final_mode(kind: Kind, old: Option<&Metadata>) -> Option<u32> {
    match (kind, old) {
        (Kind::Secret, None) => Some(0o600),
        // Only ever remove bits: 0400 stays 0400, 0644 becomes 0600.
        (Kind::Secret, Some(old)) => Some(old.mode() & 0o600),
        (Kind::Public, Some(old)) => Some(old.mode() & 0o7777),
        (Kind::Public, None) => None,
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
