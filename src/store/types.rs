//! An environment's store as the other files of this module share it: its [`Format`] and
//! [`Storage`], the [`OpenOptions`] it is read with, the [`Snapshot`] of one read and the
//! locked [`EnvFile`], with [`open`] and [`peek`].

use super::sealed::{Pin, SealedState, Sealing};
use super::{plain, sealed};
use crate::atomic::{LockWait, Locked};
use crate::dotenv::Document;
use crate::error::{DotenvError, DotenvProblem, Error, FileError, FileProblem, Op, Result};
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeroize::Zeroizing;

/// How an environment's file holds its plaintext.
///
/// `decode` turns the bytes read into the plaintext (with the identities of [`OpenOptions`]
/// for a sealed file), `encode` the plaintext into the bytes to write; nothing else in the
/// store knows the format: the snapshot keeps the ciphertext as its raw bytes beside the
/// zeroizing plaintext, and "unchanged" is decided on the plaintext.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum Format {
    /// A dotenv file in the clear: the bytes are the plaintext.
    #[default]
    Plain,
    /// An age file: decrypted in memory with the identities of [`OpenOptions`], encrypted to
    /// these recipients on save. The plaintext never touches disk.
    Sealed(Arc<Sealing>),
    /// Tests only: a stand-in for sealed storage whose bytes differ on every encoding, as age
    /// output does (see `tests::Scrambled`).
    #[cfg(test)]
    Scrambled,
}

impl Format {
    /// The plaintext of `raw`, the bytes read from the file at `path`.
    fn decode(&self, path: &Path, raw: Zeroizing<Vec<u8>>, options: &OpenOptions) -> Result<Data> {
        match self {
            Format::Plain => Ok(Data {
                raw: None,
                plain: Content::new(plain::decode(raw)),
                sealed: None,
                imported: false,
                unsealed: false,
            }),
            Format::Sealed(_) => {
                #[cfg(test)]
                DECRYPTIONS.with(|n| n.set(n.get() + 1));
                let (plain, state) = sealed::decode(path, &raw, &options.identities)?;
                Ok(Data {
                    plain: Content::new(plain),
                    raw: Some(raw.to_vec()),
                    sealed: Some(state),
                    imported: false,
                    unsealed: false,
                })
            }
            #[cfg(test)]
            Format::Scrambled => Ok(Data {
                plain: Content::new(tests::unscramble(&raw)),
                raw: Some(raw.to_vec()),
                sealed: None,
                imported: false,
                unsealed: false,
            }),
        }
    }

    /// The bytes to write for `plaintext` (borrowed for plain files). A sealed store read as
    /// `before` is first checked against its pin ([`sealed::check`]) unless `repin` (rekey).
    pub(super) fn encode<'p>(
        &self,
        path: &Path,
        plaintext: &'p [u8],
        before: Option<&SealedState>,
        repin: bool,
    ) -> Result<Cow<'p, [u8]>> {
        // A store envmint could not read back is refused before anything is written (a
        // bootstrap that appended to a file just under the read limit wrote one over it, which
        // every later command refused): the plaintext first, so a sealed one is not encrypted
        // for nothing, then the bytes as they would be on disk.
        too_large(path, plaintext.len(), crate::seal::MAX_IN_MEMORY)?;
        let bytes = match self {
            Format::Plain => Cow::Borrowed(plain::encode(plaintext)),
            Format::Sealed(sealing) => {
                if let (Some(before), false) = (before, repin) {
                    sealed::check(path, sealing, before)?;
                }
                Cow::Owned(sealed::encode(path, sealing, plaintext)?)
            }
            #[cfg(test)]
            Format::Scrambled => Cow::Owned(tests::scramble(plaintext)),
        };
        too_large(path, bytes.len(), crate::atomic::MAX_DOTENV_BYTES)?;
        Ok(bytes)
    }

    /// The part of `plaintext` that is compared with what a store held: without the pin lines
    /// a sealed store's plaintext may start with (an unsealed copy made by `age -d`), which the
    /// store replaces anyway.
    pub(super) fn comparable<'p>(&self, plaintext: &'p [u8]) -> &'p [u8] {
        match self {
            Format::Sealed(_) => &plaintext[crate::seal::pin::split(plaintext).0..],
            _ => plaintext,
        }
    }
}

/// A sealed store's bytes `raw` that did not come from its file: git hands its merge driver and
/// textconv each version of a store as a temporary file. Decrypted in memory with `identities`
/// (nothing is returned unless the whole file authenticated), without its pin lines, and what it
/// says about its recipients; `name` names it in errors. Refused above
/// [`crate::seal::MAX_IN_MEMORY`].
///
/// # Errors
///
/// As for opening a sealed store: no identity matches (77), not an age file (65).
pub fn decrypt_sealed(
    name: &Path,
    raw: &[u8],
    identities: &[crate::seal::Identity],
) -> Result<(Zeroizing<Vec<u8>>, SealedState)> {
    sealed::decode(name, raw, identities)
}

/// The age file of a store's `plaintext`, with the pin of `sealing`'s recipients on top,
/// encrypted to them: what [`decrypt_sealed`]'s caller writes back (through the atomic writer).
///
/// # Errors
///
/// Encryption errors.
pub fn encrypt_sealed(name: &Path, sealing: &Sealing, plaintext: &[u8]) -> Result<Vec<u8>> {
    sealed::encode(name, sealing, plaintext)
}

/// One environment's file: where, and in which format.
#[derive(Clone, Debug)]
pub struct Storage<'a> {
    /// The path as the manifest names it (possibly a symlink).
    pub path: &'a Path,
    /// How it holds its plaintext.
    pub format: Format,
}

impl<'a> Storage<'a> {
    /// A plain dotenv file at `path`.
    pub fn plain(path: &'a Path) -> Storage<'a> {
        Storage {
            path,
            format: Format::Plain,
        }
    }

    /// The store of `env`: its sealed file, with the recipients of the manifest (and of its
    /// recipients file, read as effective user `euid`) when it is sealed, else its dotenv file.
    ///
    /// # Errors
    ///
    /// Reading or parsing the recipients file (see [`crate::manifest::Sealed::all_recipients`]).
    pub fn of(env: &'a crate::manifest::Environment, euid: u32) -> Result<Storage<'a>> {
        let Some(sealed) = &env.sealed else {
            return Ok(Storage::plain(&env.file));
        };
        Ok(Storage {
            path: &sealed.path,
            format: Format::Sealed(Arc::new(Sealing {
                recipients: sealed.all_recipients(euid)?,
                armor: sealed.armor,
                import: Some(env.file.clone()),
            })),
        })
    }
}

#[cfg(test)]
thread_local! {
    /// Tests only: how many sealed files this thread decrypted (a session decrypts each store
    /// once per run).
    pub(crate) static DECRYPTIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// What opening a store needs beyond the file: passed as one struct so that what sealed storage
/// adds (the identities that decrypt, read once by the binary) is a new field here, not a new
/// positional argument of every function.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// How long to wait for another process's lock, on which clock (the binary's).
    pub timeout: LockWait,
    /// The identities that decrypt sealed files (loaded by the binary in the documented order;
    /// empty when no sealed file is opened).
    pub identities: Arc<[crate::seal::Identity]>,
    /// Where the files may lie, checked on their real targets under the lock: the bounds
    /// [`crate::manifest::Manifest::confine`] returned, or those of a path the user typed.
    /// [`OpenOptions::new`]'s, [`crate::atomic::Within::anywhere`], applies only the `.git`
    /// rule and the owner rules. Its effective user id is the one every read compares owners
    /// with.
    pub within: crate::atomic::Within,
}

impl OpenOptions {
    /// The default lock wait, no identities, and no folder bound, for effective user `euid`
    /// (the binary reads it once).
    pub fn new(euid: u32) -> OpenOptions {
        OpenOptions {
            timeout: LockWait::default(),
            identities: Arc::from(Vec::new()),
            within: crate::atomic::Within::anywhere(euid),
        }
    }
}

/// A file as read at one moment (`None`: it did not exist), for planning changes before taking
/// the lock and checking afterwards that nothing moved in between.
pub struct Snapshot {
    pub(super) path: PathBuf,
    pub(super) format: Format,
    data: Option<Data>,
}

/// What a file held: its raw bytes and its plaintext.
struct Data {
    /// The bytes on disk when they differ from the plaintext (a sealed file); `None` when the
    /// plaintext *is* the raw bytes (a plain file), so they are held once.
    raw: Option<Vec<u8>>,
    /// The plaintext (for a sealed store, without its pin lines).
    plain: Content,
    /// For a sealed store: its pin and who opened it.
    sealed: Option<SealedState>,
    /// Read from the plaintext file of a sealed store that does not exist yet
    /// ([`Sealing::import`]), not from the store.
    imported: bool,
    /// Imported from a plaintext file that `unseal` wrote (it has the line of
    /// [`crate::seal::unsealed`]): a store existed, and is gone.
    unsealed: bool,
}

impl Data {
    fn raw(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or_else(|| self.plain.as_bytes())
    }
}

/// A file's plaintext: as text, shared with the documents parsed from it (a large file is held
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

/// Shows the path and the sizes, never the bytes: they are secrets.
impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("bytes", &self.data.as_ref().map(|d| d.raw().len()))
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
    pub(super) fn read(
        path: &Path,
        format: Format,
        raw: Option<Zeroizing<Vec<u8>>>,
        options: &OpenOptions,
    ) -> Result<Snapshot> {
        let mut data = raw
            .map(|raw| format.decode(path, raw, options))
            .transpose()?;
        if data.is_none()
            && let Format::Sealed(sealing) = &format
            && let Some(plain) = &sealing.import
        {
            data = import(plain, options.within.euid())?;
        }
        Ok(Snapshot {
            path: path.to_path_buf(),
            format,
            data,
        })
    }

    /// Whether the file existed, or, for a sealed store that does not exist yet, its
    /// plaintext file ([`Snapshot::is_imported`]).
    pub fn exists(&self) -> bool {
        self.data.is_some()
    }

    /// Whether the file itself existed (not only a plaintext file imported in its place).
    pub fn is_stored(&self) -> bool {
        self.data.as_ref().is_some_and(|d| !d.imported)
    }

    /// Whether the content is the plaintext file of a sealed store that does not exist yet:
    /// the first save creates the store with it, even when nothing else changes.
    pub fn is_imported(&self) -> bool {
        self.data.as_ref().is_some_and(|d| d.imported)
    }

    /// For a sealed store that existed: the recipients pinned in it and who opened it.
    pub fn sealed(&self) -> Option<&SealedState> {
        self.data.as_ref().and_then(|d| d.sealed.as_ref())
    }

    /// The recipients this snapshot's store is written to (empty unless sealed).
    pub fn recipients(&self) -> &[crate::seal::Recipient] {
        match &self.format {
            Format::Sealed(s) => &s.recipients,
            _ => &[],
        }
    }

    /// Whether a write of this store would refuse its recipients (see
    /// [`sealed::check`]); `Ok` for a plain file or a store that does not exist yet.
    ///
    /// # Errors
    ///
    /// As [`sealed::check`].
    pub fn check_recipients(&self) -> Result<()> {
        match (&self.format, self.sealed()) {
            (Format::Sealed(sealing), Some(before)) => sealed::check(&self.path, sealing, before),
            (Format::Sealed(sealing), None) => self.check_not_gone(sealing),
            _ => Ok(()),
        }
    }

    /// Whether this is a sealed store that does not exist, imported from a plaintext file that
    /// `unseal` wrote: the store it came from was renamed or deleted, and only
    /// [`rewrite_all`] (rekey, which shows the recipients and asks) may create a new one.
    pub fn is_gone(&self) -> bool {
        self.data.as_ref().is_some_and(|d| d.imported && d.unsealed)
    }

    /// Refuses (77) a write that would create a store that [`Snapshot::is_gone`].
    fn check_not_gone(&self, sealing: &Sealing) -> Result<()> {
        if !self.is_gone() {
            return Ok(());
        }
        let plain = sealing.import.as_deref().unwrap_or(&self.path);
        Err(crate::seal::SealError::StoreGone {
            name: self.path.clone(),
            plain: plain.to_path_buf(),
            recipients: crate::seal::pin::canonical(&sealing.recipients),
        }
        .into())
    }

    /// Whether this is a sealed store with no pin yet, which its next write pins.
    pub fn unpinned(&self) -> bool {
        self.sealed()
            .is_some_and(|s| matches!(s.pin, Pin::Unpinned(_)))
    }

    /// The file's plaintext parsed; an empty document when it did not exist.
    pub fn document(&self) -> Result<Document> {
        match self.data.as_ref().map(|d| &d.plain) {
            Some(Content::Text(text)) => Ok(Document::parse_shared(Arc::clone(text))),
            Some(Content::NotUtf8(bytes)) => Err(not_utf8(&self.path, bytes)),
            None => Ok(Document::parse("")),
        }
    }

    /// The plaintext, `None` when the file did not exist.
    pub(super) fn plaintext(&self) -> Option<&[u8]> {
        self.data.as_ref().map(|d| d.plain.as_bytes())
    }

    /// The plaintext the file itself holds: `None` when it did not exist, imported or not.
    pub(super) fn stored_plaintext(&self) -> Option<&[u8]> {
        self.data
            .as_ref()
            .filter(|d| !d.imported)
            .map(|d| d.plain.as_bytes())
    }

    /// Whether two snapshots saw the same plaintext (or both saw no file).
    pub fn same_as(&self, other: &Snapshot) -> bool {
        self.plaintext() == other.plaintext()
    }

    /// What `storage` will hold once `doc` is saved: for planning a second environment that
    /// shares the file with a first one, on top of the first one's changes. (Its plaintext only:
    /// the raw bytes a sealed file will get are not known before it is written.)
    pub fn of_document(storage: Storage<'_>, doc: &Document) -> Snapshot {
        Snapshot {
            path: storage.path.to_path_buf(),
            format: storage.format,
            data: Some(Data {
                raw: None,
                plain: Content::Text(Arc::new(doc.render())),
                sealed: None,
                imported: false,
                unsealed: false,
            }),
        }
    }
}

/// The plaintext file `path` of a sealed store that does not exist yet, without the line of
/// [`crate::seal::unsealed`]; `None` when it does not exist either.
fn import(path: &Path, euid: u32) -> Result<Option<Data>> {
    // A `file` under something that is not a folder is no file either.
    if std::fs::symlink_metadata(path).is_err() {
        return Ok(None);
    }
    let Some(bytes) = crate::atomic::read_file(path, euid)? else {
        return Ok(None);
    };
    let mut unsealed = false;
    let plain = match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let (mut plain, recorded) = crate::seal::unsealed::split(text);
            unsealed = recorded.is_some();
            Content::new(Zeroizing::new(std::mem::take(&mut *plain).into_bytes()))
        }
        Err(_) => Content::new(bytes),
    };
    Ok(Some(Data {
        raw: None,
        plain,
        sealed: None,
        imported: true,
        unsealed,
    }))
}

/// An environment file held under the advisory lock, with what it held when it was opened.
pub struct EnvFile {
    pub(super) lock: Locked,
    pub(super) snapshot: Snapshot,
}

/// Reads `storage`'s file without locking, for reports, dry runs and plans that are checked
/// again under the lock before anything is written.
pub fn peek(storage: Storage<'_>, options: &OpenOptions) -> Result<Snapshot> {
    let raw = crate::atomic::read_file(storage.path, options.within.euid())?;
    Snapshot::read(storage.path, storage.format, raw, options)
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

    /// Whether `other` is the same file (two environments sharing one file).
    pub fn same_file(&self, other: &EnvFile) -> bool {
        self.lock.same_file(&other.lock)
    }

    /// When the file still holds the plaintext `earlier` saw (a snapshot taken before the lock),
    /// keeps `earlier` in place of the copy read under the lock, so a large file is held once,
    /// and returns `true`; otherwise changes nothing and returns `false`.
    pub(super) fn settle(&mut self, earlier: &mut Option<Snapshot>) -> bool {
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
}

/// Refuses to write `size` bytes to `path` when that is over `limit`, what envmint reads back
/// ([`FileProblem::TooLarge`] of [`Op::Write`], exit 65).
fn too_large(path: &Path, size: usize, limit: u64) -> Result<()> {
    let size = u64::try_from(size).unwrap_or(u64::MAX);
    if size > limit {
        return Err(FileError::new(path, Op::Write, FileProblem::TooLarge { size, limit }).into());
    }
    Ok(())
}

/// The error for a file that is not UTF-8 (exit 65), naming the first bad line: such a file is
/// refused rather than rewritten with its bytes altered.
fn not_utf8(path: &Path, bytes: &[u8]) -> Error {
    let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
    let line = crate::text::line_of_offset(bytes, valid);
    DotenvError {
        path: path.to_path_buf(),
        problem: DotenvProblem::NotUtf8 { line },
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atomic::Mode;
    use crate::error::Exit;
    use crate::store::*;

    use std::sync::atomic::{AtomicU8, Ordering};

    /// A nonce that differs on every call, as an encryption's does (odd, so never 0).
    static NONCE: AtomicU8 = AtomicU8::new(1);

    /// [`Format::Scrambled`]'s encoding: a nonce byte, then every byte XORed with it.
    pub(super) fn scramble(plaintext: &[u8]) -> Vec<u8> {
        let nonce = NONCE.fetch_add(2, Ordering::Relaxed);
        std::iter::once(nonce)
            .chain(plaintext.iter().map(|b| b ^ nonce))
            .collect()
    }

    pub(super) fn unscramble(raw: &[u8]) -> Zeroizing<Vec<u8>> {
        let Some((nonce, rest)) = raw.split_first() else {
            return Zeroizing::new(Vec::new());
        };
        Zeroizing::new(rest.iter().map(|b| b ^ nonce).collect())
    }

    fn scrambled(path: &Path) -> Storage<'_> {
        Storage {
            path,
            format: Format::Scrambled,
        }
    }

    #[test]
    fn a_sealed_like_file_is_not_rewritten_when_its_plaintext_is_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.age");
        std::fs::write(&path, scramble(b"A=1\n")).unwrap();
        let before = std::fs::read(&path).unwrap();
        let file = open(scrambled(&path), &opts()).unwrap();
        let doc = file.snapshot().document().unwrap();
        assert_eq!(doc.get("A"), Some("1"));
        // Encoding the same plaintext again gives other bytes: comparing those would rewrite.
        assert_ne!(scramble(b"A=1\n"), before);
        assert!(!file.save(&doc).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), before);
        drop(file);

        let file = open(scrambled(&path), &opts()).unwrap();
        let mut doc = file.snapshot().document().unwrap();
        doc.append("B", "2").unwrap();
        assert!(file.save(&doc).unwrap());
        let raw = std::fs::read(&path).unwrap();
        assert_ne!(raw, before);
        assert_eq!(unscramble(&raw).as_slice(), b"A=1\nB=2\n");
    }

    /// A sealed storage at `path` to a new key, and that key's identities.
    fn sealed_to_new_key(path: &Path) -> (Storage<'_>, Arc<[crate::seal::Identity]>) {
        use secrecy::ExposeSecret;
        let key = crate::seal::keygen::generate(&mut rand::rng(), jiff::Timestamp::UNIX_EPOCH);
        let identities = crate::seal::identities::parse(
            key.text.expose_secret(),
            &crate::error::Location::new("key", None),
            "key",
            &crate::seal::PassphrasePrompt::none(),
        )
        .unwrap();
        let recipient = crate::seal::Recipient::parse(&key.recipient).unwrap();
        let storage = Storage {
            path,
            format: Format::Sealed(Arc::new(Sealing {
                recipients: vec![recipient],
                armor: false,
                import: None,
            })),
        };
        (storage, identities.into())
    }

    #[test]
    fn a_sealed_store_decrypts_in_memory_and_is_rewritten_only_for_new_plaintext() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.age");
        let (storage, identities) = sealed_to_new_key(&path);
        let options = OpenOptions {
            identities,
            ..opts()
        };
        // A missing sealed file is an empty document; saving creates it encrypted.
        let file = open(storage.clone(), &options).unwrap();
        assert!(!file.exists());
        let mut doc = file.snapshot().document().unwrap();
        doc.append("TOKEN", "s3cr3t").unwrap();
        assert!(file.save(&doc).unwrap());
        drop(file);
        let raw = std::fs::read(&path).unwrap();
        assert!(raw.starts_with(b"age-encryption.org/v1\n"));
        assert!(!String::from_utf8_lossy(&raw).contains("s3cr3t"));
        let file = open(storage.clone(), &options).unwrap();
        let doc = file.snapshot().document().unwrap();
        assert_eq!(doc.get("TOKEN"), Some("s3cr3t"));
        assert!(!file.save(&doc).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), raw);
        drop(file);
        // rewrite_all encrypts afresh (rekey) with the same plaintext.
        let file = open(storage.clone(), &options).unwrap();
        let written = rewrite_all(&[(&file, Mode::Private)]).unwrap();
        assert!(written[0].written);
        drop(file);
        assert_ne!(std::fs::read(&path).unwrap(), raw);
        let again = peek(storage.clone(), &options).unwrap();
        assert_eq!(again.document().unwrap().get("TOKEN"), Some("s3cr3t"));

        // Without identities, or with another key's: exit 77, never an empty document.
        let err = peek(storage.clone(), &opts()).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm);
        let (_, others) = sealed_to_new_key(&path);
        let err = peek(
            storage,
            &OpenOptions {
                identities: others,
                ..opts()
            },
        )
        .unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm);
    }

    #[test]
    fn fail_a_save_refuses_recipients_other_than_the_pinned_ones_and_only_rekey_repins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.age");
        let (storage, identities) = sealed_to_new_key(&path);
        let options = OpenOptions {
            identities,
            ..opts()
        };
        let file = open(storage.clone(), &options).unwrap();
        let mut doc = file.snapshot().document().unwrap();
        doc.append("TOKEN", "s3cr3t").unwrap();
        assert!(file.save(&doc).unwrap());
        drop(file);
        // The same file, now to be sealed to its key and another one.
        let (other, _) = sealed_to_new_key(&path);
        let Format::Sealed(mine) = &storage.format else {
            unreachable!()
        };
        let Format::Sealed(theirs) = &other.format else {
            unreachable!()
        };
        let both = Storage {
            path: &path,
            format: Format::Sealed(Arc::new(Sealing {
                recipients: [mine.recipients.clone(), theirs.recipients.clone()].concat(),
                armor: false,
                import: None,
            })),
        };
        let before = std::fs::read(&path).unwrap();
        let file = open(both.clone(), &options).unwrap();
        let mut doc = file.snapshot().document().unwrap();
        doc.append("MORE", "x").unwrap();
        let err = file.save(&doc).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm);
        assert!(
            matches!(&err, Error::Seal(crate::seal::SealError::RecipientsChanged { added, removed, .. })
                if *added == [theirs.recipients[0].to_string()] && removed.is_empty()),
            "{err:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        drop(file);
        // Sealed to the other key alone: it would also lock the writer out.
        let file = open(other.clone(), &options).unwrap();
        assert!(file.save(&doc).is_err());
        assert!(file.snapshot().check_recipients().is_err());
        let now = crate::seal::pin::canonical(&theirs.recipients);
        assert!(locks_out(&path, &now, file.snapshot().sealed().unwrap()).is_err());
        drop(file);
        // rekey's rewrite repins; then saves pass again.
        let file = open(both.clone(), &options).unwrap();
        assert!(rewrite_all(&[(&file, Mode::Private)]).unwrap()[0].written);
        drop(file);
        let file = open(both, &options).unwrap();
        assert!(file.snapshot().check_recipients().is_ok());
        assert!(file.save(&doc).unwrap());
    }

    #[test]
    fn snapshots_of_one_plaintext_in_different_bytes_are_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.age");
        std::fs::write(&path, scramble(b"A=1\n")).unwrap();
        let first = peek(scrambled(&path), &opts()).unwrap();
        std::fs::write(&path, scramble(b"A=1\n")).unwrap();
        let second = peek(scrambled(&path), &opts()).unwrap();
        assert_ne!(
            first.data.as_ref().unwrap().raw(),
            second.data.as_ref().unwrap().raw()
        );
        assert!(first.same_as(&second));
        std::fs::write(&path, scramble(b"A=2\n")).unwrap();
        assert!(!first.same_as(&peek(scrambled(&path), &opts()).unwrap()));
    }

    #[test]
    fn a_plain_snapshot_holds_its_bytes_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let snap = peek(Storage::plain(&path), &opts()).unwrap();
        let data = snap.data.as_ref().unwrap();
        assert!(data.raw.is_none());
        assert_eq!(data.raw().as_ptr(), data.plain.as_bytes().as_ptr());
        assert_eq!(data.raw(), b"A=1\n");
    }

    /// A plan for tests: append `key=1` unless there; the report is whether it did.
    fn add(snapshot: &Snapshot, key: &str) -> Result<Staged<bool>> {
        let mut doc = snapshot.document()?;
        let report = doc.get(key).is_none();
        if report {
            doc.append(key, "1").unwrap();
        }
        Ok(Staged { doc, report })
    }

    fn pending<'a>(path: &'a Path, key: &str) -> Pending<'a, bool> {
        let snapshot = peek(Storage::plain(path), &opts()).unwrap();
        let staged = add(&snapshot, key).unwrap();
        Pending {
            storage: Storage::plain(path),
            mode: Mode::Private,
            snapshot,
            staged,
        }
    }

    #[test]
    fn transact_replans_a_file_that_moved_and_shares_one_file_between_plans() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let keys = ["B", "C"];
        let first = [pending(&path, keys[0]), pending(&path, keys[1])];
        // Another process writes between the plan and the lock.
        std::fs::write(&path, "A=1\nZ=9\n").unwrap();
        let mut replanned = Vec::new();
        let done = transact(
            first.into_iter().collect(),
            &opts(),
            &mut |_| {},
            |added: &bool| *added,
            &mut |i, snap| {
                replanned.push(i);
                add(snap, keys[i])
            },
        )
        .unwrap();
        assert!(done.failure.is_none());
        // The first is planned again from the moved file, the second on top of the first.
        assert_eq!(replanned, [0, 1]);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "A=1\nZ=9\nB=1\nC=1\n"
        );
        assert!(
            done.outcomes
                .iter()
                .all(|o| o.written && o.report && !o.created)
        );

        // Nothing moved and nothing to add: no re-plan, no write.
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let again = [pending(&path, "A")];
        let done = transact(
            again.into_iter().collect(),
            &opts(),
            &mut |_| {},
            |added: &bool| *added,
            &mut |_, _| panic!("nothing moved"),
        )
        .unwrap();
        assert!(!done.outcomes[0].written);
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            before
        );
    }

    fn opts() -> OpenOptions {
        OpenOptions {
            timeout: std::time::Duration::from_secs(1).into(),
            ..OpenOptions::new(crate::test_euid())
        }
    }

    #[test]
    fn unchanged_documents_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let before = std::fs::metadata(&path).unwrap().modified().unwrap();
        let file = open(Storage::plain(&path), &opts()).unwrap();
        assert!(file.exists());
        let doc = file.snapshot().document().unwrap();
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
        assert!(!peek(Storage::plain(&path), &opts()).unwrap().exists());
        let file = open(Storage::plain(&path), &opts()).unwrap();
        assert!(!file.exists());
        let mut doc = file.snapshot().document().unwrap();
        doc.append("A", "x").unwrap();
        assert!(file.save(&doc).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=x\n");
    }

    #[test]
    fn debug_never_shows_the_contents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "TOKEN=s3cr3t-value\n").unwrap();
        let file = open(Storage::plain(&path), &opts()).unwrap();
        let shown = format!(
            "{file:?} {:?}",
            peek(Storage::plain(&path), &opts()).unwrap()
        );
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("Some(19)"), "{shown}");
    }

    #[test]
    fn snapshots_compare_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        let none = peek(Storage::plain(&path), &opts()).unwrap();
        std::fs::write(&path, "A=1\n").unwrap();
        let one = peek(Storage::plain(&path), &opts()).unwrap();
        assert!(!none.same_as(&one));
        assert!(one.same_as(&open(Storage::plain(&path), &opts()).unwrap().snapshot));
        std::fs::write(&path, "A=2\n").unwrap();
        assert!(!one.same_as(&peek(Storage::plain(&path), &opts()).unwrap()));
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
            &[Storage::plain(&a), Storage::plain(&b)],
            &opts(),
            &mut |_| {},
        )
        .unwrap();
        let mut doc_a = files[0].snapshot().document().unwrap();
        doc_a.append("NEW", "x").unwrap();
        let doc_b = files[1].snapshot().document().unwrap();
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
        let mut earlier = Some(peek(Storage::plain(&path), &opts()).unwrap());
        let mut file = open(Storage::plain(&path), &opts()).unwrap();
        assert!(file.settle(&mut earlier));
        assert!(earlier.is_none());
        drop(file);
        let mut earlier = Some(peek(Storage::plain(&path), &opts()).unwrap());
        std::fs::write(&path, "A=2\n").unwrap();
        let mut file = open(Storage::plain(&path), &opts()).unwrap();
        assert!(!file.settle(&mut earlier));
        assert!(earlier.is_some());
        assert_eq!(file.snapshot().document().unwrap().get("A"), Some("2"));
    }

    #[test]
    fn a_snapshot_of_a_document_is_what_saving_it_would_write() {
        let mut doc = Document::parse("A=1");
        doc.append("B", "2").unwrap();
        let snap = Snapshot::of_document(Storage::plain(Path::new(".env")), &doc);
        assert!(snap.exists());
        assert_eq!(snap.document().unwrap().render().as_str(), "A=1\nB=2\n");
    }

    #[test]
    fn fail_non_utf8_names_the_line_and_leaves_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, b"A=1\nB=\xff\n").unwrap();
        let err = peek(Storage::plain(&path), &opts())
            .unwrap()
            .document()
            .unwrap_err();
        assert_eq!(err.exit(), Exit::DataErr);
        assert!(
            matches!(&err, Error::Dotenv(DotenvError { path: p, problem: DotenvProblem::NotUtf8 { line: 2 } }) if *p == path),
            "{err:?}"
        );
        let file = open(Storage::plain(&path), &opts()).unwrap();
        assert!(file.snapshot().document().is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"A=1\nB=\xff\n");
    }
}
