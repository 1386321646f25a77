//! An environment's storage: the one way in and out of a secret file.
//!
//! Commands never open a secret file themselves: they [`open`] it (taking the advisory lock for a
//! read-modify-write), get a [`Document`], change it through pure library functions, and
//! [`EnvFile::save`] it back through the atomic writer. A document that renders to the bytes that
//! were read is not written at all, so a run that changes nothing leaves the file's bytes *and*
//! mtime alone.
//!
//! Today every environment is a plaintext dotenv file; an age-sealed file will be a second form
//! behind the same `open`/`document`/`save`, so that callers do not change.

use crate::atomic::{self, Locked};
use crate::dotenv::Document;
use crate::error::{Error, Location, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroizing;

/// A file's bytes as read at one moment (`None`: it did not exist), for planning changes before
/// taking the lock and checking afterwards that nothing moved in between.
pub struct Snapshot {
    path: PathBuf,
    bytes: Option<Zeroizing<Vec<u8>>>,
}

/// Shows the path and the size, never the bytes: they are secrets.
impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .field("bytes", &self.bytes.as_ref().map(|b| b.len()))
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
            Some(bytes) => parse(&self.path, bytes),
            None => Ok(Document::parse("")),
        }
    }

    /// Whether two snapshots saw the same bytes (or both saw no file).
    pub fn same_as(&self, other: &Snapshot) -> bool {
        self.bytes.as_deref().map(Vec::as_slice) == other.bytes.as_deref().map(Vec::as_slice)
    }
}

/// An environment file held under the advisory lock, with the bytes it had when it was opened.
pub struct EnvFile {
    lock: Locked,
    snapshot: Snapshot,
}

/// Locks `path` (waiting up to `timeout` for another envmint process) and reads it.
pub fn open(path: &Path, timeout: Duration) -> Result<EnvFile> {
    let lock = atomic::lock(path, timeout)?;
    let bytes = lock.read()?;
    Ok(EnvFile {
        snapshot: Snapshot {
            path: path.to_path_buf(),
            bytes,
        },
        lock,
    })
}

/// Reads `path` without locking, for reports, dry runs and plans that are checked again under
/// the lock before anything is written.
pub fn peek(path: &Path) -> Result<Snapshot> {
    let bytes = atomic::read_file(path)?;
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

    /// Writes `doc` through the atomic writer if it differs from what was read. Returns whether
    /// the file was written.
    pub fn save(&self, doc: &Document) -> Result<bool> {
        let rendered = doc.render();
        if self
            .snapshot
            .bytes
            .as_ref()
            .is_some_and(|old| old.as_slice() == rendered.as_bytes())
        {
            return Ok(false);
        }
        self.lock.write(rendered.as_bytes())?;
        Ok(true)
    }
}

/// Parses a file's bytes; a file that is not UTF-8 is refused (exit 65) naming the first bad
/// line, rather than rewritten with its bytes altered.
fn parse(path: &Path, bytes: &Zeroizing<Vec<u8>>) -> Result<Document> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Document::parse(text)),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(Error::data(
                Location::new(path, Some(line)),
                "the file is not valid UTF-8",
            )
            .with_hint("envmint edits UTF-8 dotenv files only; convert it with iconv first"))
        }
    }
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
