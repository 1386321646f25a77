//! An environment's storage: the one way in and out of a secret file.
//!
//! Commands never open a secret file themselves: they [`open`] it, or [`open_all`] the files of
//! several environments (taking the advisory locks for a read-modify-write), get a [`Document`],
//! change it through pure library functions, and [`EnvFile::save`] it back, or [`save_all`] of
//! them as one group commit, through the atomic writer. A document that renders to the bytes
//! that were read is not written at all, so a run that changes nothing leaves the file's bytes
//! *and* mtime alone.
//!
//! Today every environment is a plaintext dotenv file; an age-sealed file will be a second form
//! behind the same `open`/`document`/`save`, so that callers do not change.

use crate::atomic::{self, CommitError, Locked, Mode, Written};
use crate::dotenv::Document;
use crate::error::{Error, Location, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// A file's bytes as read at one moment (`None`: it did not exist), for planning changes before
/// taking the lock and checking afterwards that nothing moved in between.
pub struct Snapshot {
    path: PathBuf,
    bytes: Option<Content>,
}

/// A file's bytes: as text, shared with the documents parsed from it (a large file is held
/// once), or as raw bytes when they are not UTF-8.
enum Content {
    Text(Arc<Zeroizing<String>>),
    NotUtf8(Zeroizing<Vec<u8>>),
}

impl Content {
    /// Takes a buffer over without copying it.
    fn new(mut bytes: Zeroizing<Vec<u8>>) -> Content {
        match String::from_utf8(std::mem::take(&mut *bytes)) {
            Ok(text) => Content::Text(Arc::new(Zeroizing::new(text))),
            Err(e) => Content::NotUtf8(Zeroizing::new(e.into_bytes())),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Content::Text(t) => t.as_bytes(),
            Content::NotUtf8(b) => b,
        }
    }
}

/// Shows the path and the size, never the bytes: they are secrets.
impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .field("bytes", &self.bytes.as_ref().map(|b| b.as_bytes().len()))
            .finish()
    }
}

impl fmt::Debug for EnvFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvFile")
            .field("lock", &self.lock)
            .field("snapshot", &self.snapshot)
            .finish()
    }
}

impl Snapshot {
    /// Whether the file existed.
    pub fn exists(&self) -> bool {
        self.bytes.is_some()
    }

    /// The file parsed; an empty document when it did not exist.
    pub fn document(&self) -> Result<Document> {
        match &self.bytes {
            Some(Content::Text(text)) => Ok(Document::parse_shared(Arc::clone(text))),
            Some(Content::NotUtf8(bytes)) => Err(not_utf8(&self.path, bytes)),
            None => Ok(Document::parse("")),
        }
    }

    /// Whether two snapshots saw the same bytes (or both saw no file).
    pub fn same_as(&self, other: &Snapshot) -> bool {
        self.bytes.as_ref().map(Content::as_bytes) == other.bytes.as_ref().map(Content::as_bytes)
    }

    /// What `path` will hold once `doc` is saved: for planning a second environment that shares
    /// the file with a first one, on top of the first one's changes.
    pub fn of_document(path: &Path, doc: &Document) -> Snapshot {
        Snapshot {
            path: path.to_path_buf(),
            bytes: Some(Content::Text(Arc::new(doc.render()))),
        }
    }
}

/// An environment file held under the advisory lock, with the bytes it had when it was opened.
pub struct EnvFile {
    lock: Locked,
    snapshot: Snapshot,
}

/// Locks `path` (waiting up to `timeout` for another process) and reads it.
pub fn open(path: &Path, timeout: Duration) -> Result<EnvFile> {
    let mut files = open_all(&[path], timeout, &mut |_| {})?;
    files
        .pop()
        .ok_or_else(|| Error::cant_create(path, "nothing to open"))
}

/// Locks every path of `paths` (each folder once, see [`atomic::lock_all`]) and reads each file.
/// `waiting` is called once per folder whose lock is still busy after
/// [`atomic::SLOW_LOCK`]. Returns one [`EnvFile`] per path, in order; a file named twice is
/// read twice (see [`EnvFile::same_file`]).
pub fn open_all(
    paths: &[&Path],
    timeout: Duration,
    waiting: &mut dyn FnMut(&Path),
) -> Result<Vec<EnvFile>> {
    let locks = atomic::lock_all(paths, timeout, waiting)?;
    let mut files = Vec::with_capacity(locks.len());
    for lock in locks {
        let bytes = lock.read()?.map(Content::new);
        files.push(EnvFile {
            snapshot: Snapshot {
                path: lock.path().to_path_buf(),
                bytes,
            },
            lock,
        });
    }
    Ok(files)
}

/// One file of a [`save_all`].
pub struct Save<'a> {
    /// The file, opened by [`open_all`].
    pub file: &'a EnvFile,
    /// What it should hold.
    pub doc: &'a Document,
    /// The mode rule (the default: 0600, or the old mode if stricter).
    pub mode: Mode,
}

/// Saves several documents as one group commit ([`atomic::commit`]): every file is prepared
/// before any is renamed, so a failure before the renames writes none of them. A document that
/// renders to the bytes its file had is skipped. Returns, per save, whether it was written and
/// how its mode changed.
///
/// # Errors
///
/// A [`CommitError`] whose `written` says, per save, what was written anyway (only a failing
/// rename or folder `fsync` leaves anything written).
pub fn save_all(saves: &[Save<'_>]) -> std::result::Result<Vec<Written>, CommitError> {
    let rendered: Vec<Option<Zeroizing<String>>> = saves
        .iter()
        .map(|s| {
            let text = s.doc.render();
            let same = s
                .file
                .snapshot
                .bytes
                .as_ref()
                .is_some_and(|old| old.as_bytes() == text.as_bytes());
            (!same).then_some(text)
        })
        .collect();
    let mut which = Vec::new();
    let mut changes = Vec::new();
    for (i, (save, text)) in saves.iter().zip(&rendered).enumerate() {
        if let Some(text) = text {
            which.push(i);
            changes.push(atomic::Change {
                file: &save.file.lock,
                contents: text.as_bytes(),
                mode: save.mode,
            });
        }
    }
    let spread = |done: Vec<Written>| {
        let mut all = vec![Written::default(); saves.len()];
        for (i, w) in which.iter().zip(done) {
            all[*i] = w;
        }
        all
    };
    match atomic::commit(&changes) {
        Ok(done) => Ok(spread(done)),
        Err(e) => Err(CommitError {
            error: e.error,
            written: spread(e.written),
        }),
    }
}

/// Reads `path` without locking, for reports, dry runs and plans that are checked again under
/// the lock before anything is written.
pub fn peek(path: &Path) -> Result<Snapshot> {
    let bytes = atomic::read_file(path)?.map(Content::new);
    Ok(Snapshot {
        path: path.to_path_buf(),
        bytes,
    })
}

impl EnvFile {
    /// What the file held when it was locked.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Whether the file existed when it was opened.
    pub fn exists(&self) -> bool {
        self.snapshot.exists()
    }

    /// The path as the caller named it.
    pub fn path(&self) -> &Path {
        self.lock.path()
    }

    /// The file as read, parsed; an empty document when it does not exist yet.
    pub fn document(&self) -> Result<Document> {
        self.snapshot.document()
    }

    /// The locked folder holding the file.
    pub fn folder(&self) -> &Path {
        self.lock.folder()
    }

    /// Whether `other` is the same file (two environments sharing one file).
    pub fn same_file(&self, other: &EnvFile) -> bool {
        self.lock.same_file(&other.lock)
    }

    /// When the file still holds the bytes `earlier` saw (a snapshot taken before the lock),
    /// keeps `earlier` in place of the copy read under the lock, so a large file is held once,
    /// and returns `true`; otherwise changes nothing and returns `false`.
    pub fn settle(&mut self, earlier: &mut Option<Snapshot>) -> bool {
        match earlier.take() {
            Some(e) if e.same_as(&self.snapshot) => {
                self.snapshot = e;
                true
            }
            other => {
                *earlier = other;
                false
            }
        }
    }

    /// Writes `doc` through the atomic writer if it differs from what was read. Returns whether
    /// the file was written.
    pub fn save(&self, doc: &Document) -> Result<bool> {
        let save = Save {
            file: self,
            doc,
            mode: Mode::Private,
        };
        match save_all(std::slice::from_ref(&save)) {
            Ok(w) => Ok(w.first().is_some_and(|w| w.written)),
            Err(e) => Err(e.error),
        }
    }
}

/// The error for a file that is not UTF-8 (exit 65), naming the first bad line: such a file is
/// refused rather than rewritten with its bytes altered.
fn not_utf8(path: &Path, bytes: &[u8]) -> Error {
    let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
    let line = crate::text::line_of_offset(bytes, valid);
    Error::data(
        Location::new(path, Some(line)),
        "the file is not valid UTF-8",
    )
    .with_hint("envmint edits UTF-8 dotenv files only; convert it with iconv first")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;

    #[test]
    fn unchanged_documents_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let file = open(&path, Duration::from_secs(1)).unwrap();
        assert!(file.exists());
        let doc = file.document().unwrap();
        assert!(!file.save(&doc).unwrap());
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
    }

    #[test]
    fn a_missing_file_is_an_empty_document_and_is_created_on_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.production.local");
        assert!(!peek(&path).unwrap().exists());
        let file = open(&path, Duration::from_secs(1)).unwrap();
        assert!(!file.exists());
        let mut doc = file.document().unwrap();
        doc.append("A", "x").unwrap();
        assert!(file.save(&doc).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=x\n");
    }

    #[test]
    fn debug_never_shows_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "TOKEN=s3cr3t-value\n").unwrap();
        let file = open(&path, Duration::from_secs(1)).unwrap();
        let shown = format!("{file:?} {:?}", peek(&path).unwrap());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("Some(19)"), "{shown}");
    }

    #[test]
    fn snapshots_compare_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        let none = peek(&path).unwrap();
        std::fs::write(&path, "A=1\n").unwrap();
        let one = peek(&path).unwrap();
        assert!(!none.same_as(&one));
        assert!(one.same_as(&open(&path, Duration::from_secs(1)).unwrap().snapshot));
        std::fs::write(&path, "A=2\n").unwrap();
        assert!(!one.same_as(&peek(&path).unwrap()));
    }

    #[test]
    fn a_group_save_writes_changed_files_and_skips_unchanged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join(".env.a");
        let b = dir.path().join(".env.b");
        std::fs::write(&a, "A=1\n").unwrap();
        std::fs::write(&b, "B=1\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o644)).unwrap();
        let files = open_all(
            &[a.as_path(), b.as_path()],
            Duration::from_secs(1),
            &mut |_| {},
        )
        .unwrap();
        let mut doc_a = files[0].document().unwrap();
        doc_a.append("NEW", "x").unwrap();
        let doc_b = files[1].document().unwrap();
        let saves = [
            Save {
                file: &files[0],
                doc: &doc_a,
                mode: Mode::Private,
            },
            Save {
                file: &files[1],
                doc: &doc_b,
                mode: Mode::Private,
            },
        ];
        let done = save_all(&saves).unwrap();
        assert!(done[0].written && !done[1].written);
        assert_eq!(done[0].mode_change, Some((0o644, 0o600)));
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A=1\nNEW=x\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "B=1\n");
    }

    #[test]
    fn settle_keeps_the_earlier_snapshot_only_when_nothing_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let mut earlier = Some(peek(&path).unwrap());
        let mut file = open(&path, Duration::from_secs(1)).unwrap();
        assert!(file.settle(&mut earlier));
        assert!(earlier.is_none());
        drop(file);
        let mut earlier = Some(peek(&path).unwrap());
        std::fs::write(&path, "A=2\n").unwrap();
        let mut file = open(&path, Duration::from_secs(1)).unwrap();
        assert!(!file.settle(&mut earlier));
        assert!(earlier.is_some());
        assert_eq!(file.document().unwrap().get("A"), Some("2"));
    }

    #[test]
    fn a_snapshot_of_a_document_is_what_saving_it_would_write() {
        let mut doc = Document::parse("A=1");
        doc.append("B", "2").unwrap();
        let snap = Snapshot::of_document(Path::new(".env"), &doc);
        assert!(snap.exists());
        assert_eq!(snap.document().unwrap().render().as_str(), "A=1\nB=2\n");
    }

    #[test]
    fn fail_non_utf8_names_the_line_and_leaves_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, b"A=1\nB=\xff\n").unwrap();
        let err = peek(&path).unwrap().document().unwrap_err();
        assert_eq!(err.exit(), Exit::DataErr);
        assert!(
            err.to_string()
                .ends_with(".env:2: the file is not valid UTF-8"),
            "{err}"
        );
        let file = open(&path, Duration::from_secs(1)).unwrap();
        assert!(file.document().is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"A=1\nB=\xff\n");
    }
}
