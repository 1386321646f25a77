//! Writes the `docker-secrets` form: a folder (0700) with one file (0600) per key holding
//! exactly its value, through the atomic writer.
//!
//! The folder may already exist, and hold files envmint did not write (a compose project's
//! other secrets). So envmint keeps a list of the files it wrote, [`MARKER`] (key names only,
//! never a value), and:
//!
//! - creates the folder 0700 when it does not exist (its parent must); adopts an existing one
//!   only when it is empty (but for `.gitkeep`, `.keep` or `.gitignore`) or holds
//!   [`MARKER`] as envmint writes it (a regular file of yours, no group or other access: a
//!   list committed to a repository checks out 0644 and counts for nothing), and tightens it
//!   to 0700 then (the old mode is reported). Anything else (`-o
//!   .`, `-o public/`) is refused untouched: its mode would change and secrets would land
//!   among files served or committed;
//! - refuses a symlink as the folder (`secrets -> /var/www/html`, committed to a repository):
//!   a path that reaches elsewhere is given as that place, not through a link;
//! - refuses a folder owned by another user, and a symlink owned by another user
//!   (another user could swap files in it);
//! - writes each key's file through the atomic writer (0600, fsync, rename), leaving a file
//!   that already holds exactly the value untouched (its mtime too: compose sees no change);
//! - refuses to replace a file of a key's name that is not on its list (a file it did not
//!   write), and anything at a key's name, or at the list's, that is not a regular file (a
//!   symlink, a folder);
//! - removes the files of keys no longer exported, but only regular files on its list that
//!   are still as it writes them (the user's, no access for group or others): never a file it
//!   did not write. The list is written first with the old and new names together,
//!   so a crash never leaves a file envmint wrote off the list.
//!
//! Everything happens under the folder's lock ([`crate::atomic::lock_all`]).

use super::Entry;
use crate::atomic::{self, Change, Locked, Mode};
use crate::error::Op;
use crate::{Error, Result};
use std::collections::HashSet;
use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The file in the folder that lists the files envmint wrote there, one key per line.
pub const MARKER: &str = ".envmint-export";

/// The largest list envmint reads back.
const MAX_MARKER: u64 = 4 * 1024 * 1024;

/// What [`write`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FolderReport {
    /// Whether the folder was created.
    pub created: bool,
    /// The folder's old mode when it was tightened to 0700.
    pub tightened: Option<u32>,
    /// How many files were written (new or changed).
    pub written: usize,
    /// How many already held their value.
    pub unchanged: usize,
    /// Files removed: keys envmint had written before and no longer exports.
    pub removed: Vec<String>,
    /// Files on the list, no longer exported, left in place because they are not as envmint
    /// writes them (another owner, or readable by group or others); taken off the list.
    pub left: Vec<String>,
}

/// Why the folder cannot be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum FolderError {
    /// Reading, locking or writing failed.
    File(Error),
    /// The path exists and is not a folder (exit 73).
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// The folder, or a symlink to it, belongs to another user (exit 77).
    NotOwned {
        /// The folder or link.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// The effective user.
        euid: u32,
    },
    /// The path is a symlink: a folder is adopted only under its own name (exit 73).
    Symlink {
        /// The link.
        path: PathBuf,
        /// Where it points, as read.
        to: PathBuf,
    },
    /// An existing folder that is not empty and holds no [`MARKER`] as envmint writes it (`holds`
    /// is [`MARKER`] when it holds one envmint did not write): not envmint's to adopt
    /// (exit 73).
    NotAdoptable {
        /// The folder.
        path: PathBuf,
        /// One of the names in it, for the message.
        holds: String,
    },
    /// A file of a key's name that envmint did not write would be replaced (exit 73).
    NotOurs {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
    },
    /// Something at a key's name is not a regular file (exit 73).
    NotRegular {
        /// The path.
        path: PathBuf,
        /// The key.
        key: String,
    },
}

impl From<Error> for FolderError {
    fn from(e: Error) -> Self {
        FolderError::File(e)
    }
}

impl std::fmt::Display for FolderError {
    /// Names the path; a name found in the folder is cut for display.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderError::File(e) => std::fmt::Display::fmt(e, f),
            FolderError::NotAFolder { path } => write!(f, "{}: not a folder", path.display()),
            FolderError::NotOwned { path, owner, euid } => write!(
                f,
                "{}: belongs to user {owner}, not to user {euid}: its files could be swapped",
                path.display()
            ),
            FolderError::Symlink { path, to } => write!(
                f,
                "{}: a symlink (to {}): a folder is written only under its own path",
                path.display(),
                crate::text::shown(&to.to_string_lossy(), 300)
            ),
            FolderError::NotAdoptable { path, holds } if holds == MARKER => write!(
                f,
                "{}: holds a {MARKER} that envmint did not write",
                path.display()
            ),
            FolderError::NotAdoptable { path, holds } => write!(
                f,
                "{}: not a folder envmint exported into (it holds `{}` and no {MARKER})",
                path.display(),
                crate::text::shown(holds, 100)
            ),
            FolderError::NotOurs { path, key } => write!(
                f,
                "{}: exists and envmint did not write it, so it is not replaced with `{key}`",
                path.display()
            ),
            FolderError::NotRegular { path, key } => write!(
                f,
                "{}: not a regular file (a link or a folder), so `{key}` is not written there",
                path.display()
            ),
        }
    }
}

impl std::error::Error for FolderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FolderError::File(e) => Some(e),
            _ => None,
        }
    }
}

/// Writes `entries` into the folder `dir`, one file per key (see the module's rules). Keys
/// must be file names ([`super::docker_secrets::check`]).
///
/// # Errors
///
/// A [`FolderError`]; files already replaced stay replaced (each is whole), nothing is removed
/// before every file is written.
pub fn write(
    dir: &Path,
    within: &atomic::Within,
    entries: &[Entry<'_>],
    timeout: impl Into<atomic::LockWait>,
    waiting: &mut dyn FnMut(&Path),
) -> std::result::Result<FolderReport, FolderError> {
    let mut report = FolderReport::default();
    let written = write_into(dir, within, entries, timeout.into(), waiting, &mut report);
    if written.is_err() && report.created {
        // A folder this run created and could not fill (a full disk) goes with the failure, as
        // a temporary file would; `remove_dir` removes only an empty folder.
        let _ = fs::remove_dir(dir);
    }
    written.map(|()| report)
}

/// [`write`]'s work; `report.created` is set as soon as the folder is made, so that a failure
/// after it can remove the folder again.
fn write_into(
    dir: &Path,
    within: &atomic::Within,
    entries: &[Entry<'_>],
    timeout: atomic::LockWait,
    waiting: &mut dyn FnMut(&Path),
    report: &mut FolderReport,
) -> std::result::Result<(), FolderError> {
    let euid = within.euid();
    // `secrets/` with its slash would make the kernel follow a link named `secrets`.
    let dir: PathBuf = dir.components().collect();
    let dir = dir.as_path();
    // A committed link on the way (`out -> /var/www` with `-o out/secrets`) must not carry the
    // folder elsewhere: checked before the folder is made or adopted, and each file again
    // under the lock.
    within.check_folder(dir)?;
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .mode(0o700)
                .create(dir)
                .map_err(|e| Error::writing(dir, Op::Create, e))?;
            report.created = true;
        }
        Err(e) => return Err(Error::writing(dir, Op::Inspect, e).into()),
        Ok(link) if link.file_type().is_symlink() && link.uid() != euid && link.uid() != 0 => {
            return Err(FolderError::NotOwned {
                path: dir.to_path_buf(),
                owner: link.uid(),
                euid,
            });
        }
        Ok(link) if link.file_type().is_symlink() => {
            return Err(FolderError::Symlink {
                path: dir.to_path_buf(),
                to: fs::read_link(dir).unwrap_or_default(),
            });
        }
        Ok(_) => {}
    }
    let meta = fs::metadata(dir).map_err(|e| Error::writing(dir, Op::Inspect, e))?;
    if !meta.is_dir() {
        return Err(FolderError::NotAFolder {
            path: dir.to_path_buf(),
        });
    }
    if meta.uid() != euid {
        return Err(FolderError::NotOwned {
            path: dir.to_path_buf(),
            owner: meta.uid(),
            euid,
        });
    }
    if !report.created {
        check_adoptable(dir, euid)?;
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::writing(dir, Op::SetMode, e))?;
        if !report.created {
            report.tightened = Some(mode);
        }
    }

    // One lock_all for every path: the folder is locked once (a second lock of it from this
    // process would wait for the first).
    let marker_path = dir.join(MARKER);
    let mut paths: Vec<PathBuf> = vec![marker_path.clone()];
    paths.extend(entries.iter().map(|e| dir.join(e.key)));
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let locked = atomic::lock_all(&refs, within, timeout, waiting)?;

    // The list is written in place like the key files: a symlink there (a cloned repository
    // can hold one) would have the writer replace its target, outside the folder.
    match fs::symlink_metadata(&marker_path) {
        Ok(m) if !m.file_type().is_file() => {
            return Err(FolderError::NotRegular {
                path: marker_path,
                key: MARKER.to_owned(),
            });
        }
        _ => {}
    }
    let listed = read_marker(&marker_path, euid)?;
    let listed_set: HashSet<&str> = listed.iter().map(String::as_str).collect();
    let exported: HashSet<&str> = entries.iter().map(|e| e.key).collect();
    let mut changed: Vec<(usize, &Entry<'_>)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let path = &paths[i + 1];
        match fs::symlink_metadata(path) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => changed.push((i + 1, e)),
            Err(err) => return Err(Error::writing(path, Op::Inspect, err).into()),
            Ok(m) if !m.file_type().is_file() => {
                return Err(FolderError::NotRegular {
                    path: path.clone(),
                    key: e.key.to_owned(),
                });
            }
            Ok(m) => {
                if !listed_set.contains(e.key) {
                    return Err(FolderError::NotOurs {
                        path: path.clone(),
                        key: e.key.to_owned(),
                    });
                }
                if holds(path, m.len(), e.value, euid)? {
                    report.unchanged += 1;
                } else {
                    changed.push((i + 1, e));
                }
            }
        }
    }
    // Listed keys no longer exported whose file is still a regular file as envmint leaves it
    // (yours, no access for group or others): envmint's to remove. The list alone is not
    // proof: one committed to a repository (or edited) can name `README.md`, and a checkout's
    // 0644 file is then left alone, and off the list.
    let mut stale: Vec<String> = Vec::new();
    for k in listed.iter().filter(|k| !exported.contains(k.as_str())) {
        match fs::symlink_metadata(dir.join(k)) {
            Ok(m) if m.file_type().is_file() && m.uid() == euid && m.mode() & 0o077 == 0 => {
                stale.push(k.clone());
            }
            Ok(m) if m.file_type().is_file() => report.left.push(k.clone()),
            _ => {}
        }
    }

    let new_keys: Vec<&str> = entries.iter().map(|e| e.key).collect();
    let mut union: Vec<&str> = new_keys.clone();
    union.extend(stale.iter().map(String::as_str));
    let union_text = marker_text(&union);
    let mut changes: Vec<Change<'_>> = Vec::new();
    if !same_set(&listed_set, listed.len(), &union) {
        changes.push(Change {
            file: &locked[0],
            contents: union_text.as_bytes(),
            mode: Mode::Private,
        });
    }
    for (at, e) in &changed {
        changes.push(Change {
            file: &locked[*at],
            contents: e.value.as_bytes(),
            mode: Mode::Private,
        });
    }
    atomic::commit(&changes).map_err(|e| e.error)?;
    report.written = changed.len();

    if !stale.is_empty() {
        for key in &stale {
            let path = dir.join(key);
            fs::remove_file(&path).map_err(|e| Error::writing(&path, Op::Remove, e))?;
        }
        write_marker(&locked[0], &new_keys)?;
        report.removed = stale;
    }
    Ok(())
}

/// Names that do not stop a folder from counting as empty: the placeholders that keep an
/// empty folder in git, and the `.gitignore` that keeps its content out.
const PLACEHOLDERS: [&str; 3] = [".gitkeep", ".keep", ".gitignore"];

/// Refuses an existing folder that envmint has not exported into ([`MARKER`] absent, or not as
/// envmint writes it) and that holds anything but [`PLACEHOLDERS`].
fn check_adoptable(dir: &Path, euid: u32) -> std::result::Result<(), FolderError> {
    let entries = fs::read_dir(dir).map_err(|e| Error::writing(dir, Op::Inspect, e))?;
    let mut other: Option<String> = None;
    for entry in entries {
        let entry = entry.map_err(|e| Error::writing(dir, Op::Inspect, e))?;
        let name = entry.file_name();
        // The list makes the folder envmint's only as envmint leaves it: a regular file of
        // yours with no access for group or others. A checkout's list is 0644 (git keeps no
        // other mode), so one committed into `public/` cannot make a folder adoptable.
        if name == MARKER {
            let meta = entry
                .metadata()
                .map_err(|e| Error::writing(dir, Op::Inspect, e))?;
            if meta.file_type().is_file() && meta.uid() == euid && meta.mode() & 0o077 == 0 {
                return Ok(());
            }
            other = Some(MARKER.to_owned());
            break;
        }
        // A temporary file of envmint's writer left by a killed run (`.NAME.envmint-tmp.*`,
        // a regular file of yours with no access for group or others) makes no folder someone
        // else's: a run killed before its list was renamed left only that, and every later
        // run refused the folder (scripts/crash-test.sh, docker-secrets loop). The writer
        // removes it when it writes NAME.
        if name.to_string_lossy().contains(".envmint-tmp.") {
            let meta = entry
                .metadata()
                .map_err(|e| Error::writing(dir, Op::Inspect, e))?;
            if meta.file_type().is_file() && meta.uid() == euid && meta.mode() & 0o077 == 0 {
                continue;
            }
        }
        if other.is_none() && !PLACEHOLDERS.iter().any(|p| name == *p) {
            other = Some(name.to_string_lossy().into_owned());
        }
    }
    match other {
        None => Ok(()),
        Some(holds) => Err(FolderError::NotAdoptable {
            path: dir.to_path_buf(),
            holds,
        }),
    }
}

/// The keys listed in the marker (lines that are file names; comments and anything else
/// ignored), empty when there is none.
fn read_marker(path: &Path, euid: u32) -> Result<Vec<String>> {
    let Some(bytes) = atomic::read_regular(path, MAX_MARKER, euid)? else {
        return Ok(Vec::new());
    };
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|line| super::docker_secrets::is_file_name(line))
        .map(str::to_owned)
        .collect())
}

/// The marker's text for `keys`.
fn marker_text(keys: &[&str]) -> String {
    let mut text = String::from(
        "# envmint: the files envmint export --format docker-secrets wrote here (key names \
         only); files of keys no longer exported are removed, other files are never touched\n",
    );
    for k in keys {
        text.push_str(k);
        text.push('\n');
    }
    text
}

fn write_marker(file: &Locked, keys: &[&str]) -> Result<()> {
    file.write(marker_text(keys).as_bytes())
}

/// Whether the list (`len` lines, `listed` distinct) names exactly `keys`, each once.
fn same_set(listed: &HashSet<&str>, len: usize, keys: &[&str]) -> bool {
    len == keys.len() && listed.len() == len && keys.iter().all(|k| listed.contains(k))
}

/// Whether the regular file `path` of `len` bytes holds exactly `value`.
fn holds(path: &Path, len: u64, value: &str, euid: u32) -> Result<bool> {
    if len != value.len() as u64 {
        return Ok(false);
    }
    let bytes: Option<Zeroizing<Vec<u8>>> = atomic::read_regular(path, len.saturating_add(1), euid)
        .or_else(|e| match e {
            // Grew or changed type meanwhile: it is rewritten.
            Error::File(_) => Ok(None),
            e => Err(e),
        })?;
    Ok(bytes.is_some_and(|b| b.as_slice() == value.as_bytes()))
}
