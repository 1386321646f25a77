//! Encrypting and decrypting streams.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::secrecy::SecretString;
use zeroize::Zeroizing;

use super::SealError;
use super::identity::Identity;
use super::recipients::Recipient;
use crate::Error;

/// The scrypt work factor (log2 N) envmint encrypts passphrase files with: 18, the value the Go
/// `age` CLI uses, fixed rather than measured on this machine so the cost does not depend on
/// where a file was sealed (about 256 MiB of memory and under a second).
pub const SCRYPT_WORK_FACTOR: u8 = 18;

/// The largest scrypt work factor accepted when decrypting: 20 (1 GiB of memory, a few
/// seconds). Larger factors are refused before any scrypt work: a file could otherwise make
/// envmint compute for minutes and take gigabytes.
pub const MAX_SCRYPT_WORK_FACTOR: u8 = 20;

/// [`SealError::CannotSeal`] with `why`.
fn cannot_seal(passphrase: bool, why: impl std::fmt::Display) -> Error {
    SealError::CannotSeal {
        passphrase,
        why: why.to_string(),
    }
    .into()
}

/// Bytes per read and write: age's chunk size.
const CHUNK: usize = 64 * 1024;

/// Encrypts `input` to `recipients` into `output`, ASCII-armored when `armor`. Returns the
/// output once everything, the final chunk and armor line included, has been written to it.
///
/// # Errors
///
/// [`Error::Io`] naming `input_name` for a read error, `output_name` for a write error; an
/// empty recipient list is a usage error.
pub fn encrypt<W: Write>(
    recipients: &[Recipient],
    armor: bool,
    input: &mut dyn Read,
    input_name: &Path,
    output: W,
    output_name: &Path,
) -> crate::Result<W> {
    let boxed = super::recipients::for_age(recipients).map_err(|e| cannot_seal(false, e))?;
    let encryptor =
        age::Encryptor::with_recipients(boxed.iter().map(|r| r.as_ref() as &dyn age::Recipient))
            .map_err(|e| cannot_seal(false, e))?;
    run_encryptor(encryptor, armor, input, input_name, output, output_name)
}

/// Encrypts `input` with a passphrase (scrypt, work factor [`SCRYPT_WORK_FACTOR`]).
///
/// # Errors
///
/// As for [`encrypt`].
pub fn encrypt_with_passphrase<W: Write>(
    passphrase: SecretString,
    armor: bool,
    input: &mut dyn Read,
    input_name: &Path,
    output: W,
    output_name: &Path,
) -> crate::Result<W> {
    let mut recipient = age::scrypt::Recipient::new(passphrase);
    recipient.set_work_factor(SCRYPT_WORK_FACTOR);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| cannot_seal(true, e))?;
    run_encryptor(encryptor, armor, input, input_name, output, output_name)
}

fn run_encryptor<W: Write>(
    encryptor: age::Encryptor,
    armor: bool,
    input: &mut dyn Read,
    input_name: &Path,
    output: W,
    output_name: &Path,
) -> crate::Result<W> {
    let write_err = |e: io::Error| Error::writing(output_name, crate::error::Op::Write, e);
    let format = if armor {
        Format::AsciiArmor
    } else {
        Format::Binary
    };
    let armored = ArmoredWriter::wrap_output(WholeWrites(output), format).map_err(write_err)?;
    let mut writer = encryptor.wrap_output(armored).map_err(write_err)?;
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::reading(input_name, e)),
        };
        writer.write_all(&buf[..n]).map_err(write_err)?;
    }
    let armored = writer.finish().map_err(write_err)?;
    armored.finish().map(|w| w.0).map_err(write_err)
}

/// A writer whose every `write` takes the whole buffer. The age crate writes its header one
/// piece per `write` call and fails on a short one ("failed to write header:
/// BufferTooSmall"), which a legal writer such as the atomic pipe makes when a piece crosses
/// the end of its buffer: sealing to about 600 recipients or more (a header past 64 KiB) failed
/// with exit 74 (found by scripts/hostile.sh with 4,000).
struct WholeWrites<W>(W);

impl<W: Write> Write for WholeWrites<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.write_all(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Whether every stanza of the header in `kept` ends with a body line shorter than 64 columns,
/// as the age format requires. The age crate also accepts legacy stanzas without that line;
/// the Go `age` CLI and the C2SP vectors (`stanza_missing_body`, `stanza_missing_final_line`)
/// refuse them, and so does envmint.
fn stanzas_are_complete(kept: &[u8]) -> bool {
    let mut open = false; // inside a stanza that still needs its final short line
    for line in kept.split(|&b| b == b'\n').skip(1) {
        let next = line.starts_with(b"-> ") || line.starts_with(b"---");
        if next {
            if open {
                return false;
            }
            if line.starts_with(b"---") {
                return true;
            }
            open = true;
        } else if open && line.len() < 64 {
            open = false;
        }
    }
    true
}

/// Consumes leading ASCII whitespace (at most a little: a file of only whitespace is not age).
fn skip_whitespace<R: Read>(input: &mut BufReader<R>) -> io::Result<()> {
    use std::io::BufRead;
    let mut skipped = 0;
    loop {
        let buf = input.fill_buf()?;
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if n == 0 {
            return Ok(());
        }
        input.consume(n);
        skipped += n;
        if skipped > CHUNK {
            return Ok(());
        }
    }
}

/// The largest age header read: 16 MiB, about 160,000 recipient stanzas. A larger header is
/// refused (exit 65) rather than held in memory.
const MAX_HEADER: usize = 16 * 1024 * 1024;

/// The input with its header read ahead: every line up to and including the `---` MAC line,
/// read once, linearly, then served before the rest.
///
/// The age crate parses the header again from its first byte after every line it reads
/// (`Header::read_buffered`), and byte by byte without buffering (`Header::read`): 4,000
/// stanzas took minutes. Here the first `read_until` hands it the whole header, so it parses
/// once. The same bytes name the header's stanza types in hints.
struct Prefetched<R> {
    header: Vec<u8>,
    /// How much of `header` has been handed out.
    pos: usize,
    inner: R,
}

impl<R: BufRead> Prefetched<R> {
    /// Reads the header lines of `inner`: up to the first line starting with `---`, the end of
    /// the input, or [`MAX_HEADER`] bytes.
    fn new(mut inner: R) -> io::Result<Prefetched<R>> {
        let mut header = Vec::new();
        loop {
            let start = header.len();
            let n = (&mut inner)
                .take((MAX_HEADER - start) as u64 + 1)
                .read_until(b'\n', &mut header)?;
            if n == 0 || header[start..].starts_with(b"---") {
                break;
            }
            if header.len() > MAX_HEADER {
                return Err(io::Error::new(io::ErrorKind::InvalidData, HeaderTooLarge));
            }
        }
        Ok(Prefetched {
            header,
            pos: 0,
            inner,
        })
    }

    fn header(&self) -> &[u8] {
        &self.header
    }
}

/// The error inside the `io::Error` for a header above [`MAX_HEADER`].
#[derive(Debug)]
struct HeaderTooLarge;

impl std::fmt::Display for HeaderTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the header is larger than {} MiB", MAX_HEADER >> 20)
    }
}

impl std::error::Error for HeaderTooLarge {}

impl<R: BufRead> Read for Prefetched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = &self.header[self.pos..];
        if rest.is_empty() {
            return self.inner.read(buf);
        }
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Prefetched<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.header.len() {
            return Ok(&self.header[self.pos..]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        let in_header = (self.header.len() - self.pos).min(amt);
        self.pos += in_header;
        if amt > in_header {
            self.inner.consume(amt - in_header);
        }
    }

    /// The whole header read ahead in one call (more than one line: what makes the age crate's
    /// line-by-line parse run once), then line by line as usual.
    fn read_until(&mut self, byte: u8, buf: &mut Vec<u8>) -> io::Result<usize> {
        if self.pos < self.header.len() {
            let rest = &self.header[self.pos..];
            buf.extend_from_slice(rest);
            self.pos = self.header.len();
            return Ok(rest.len());
        }
        self.inner.read_until(byte, buf)
    }
}

/// What a damaged recipient stanza is called.
const DAMAGED_STANZA: &str = "a recipient stanza of the header is damaged";

/// The name of a passphrase-protected SSH key that failed to unlock when no identity says
/// which file it came from (every loaded one does: a fallback the age crate's error needs).
const UNNAMED_SSH_IDENTITY: &str = "the SSH identity";

type Input<R> = Prefetched<ArmoredReader<BufReader<BufReader<R>>>>;

/// An age file whose header has been read: ask [`Opened::is_passphrase`] to know whether to
/// supply identities or a passphrase.
pub struct Opened<R: Read> {
    decryptor: age::Decryptor<Input<R>>,
    /// The header's bytes, to name its stanza types.
    header: Vec<u8>,
    name: PathBuf,
}

/// Maps an I/O error met while reading an age file: damaged data is exit 65, anything else an
/// I/O error of the input.
fn read_error(name: &Path, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            let what = if e
                .get_ref()
                .is_some_and(|i| i.is::<age::armor::ArmoredReadError>())
            {
                format!("bad ASCII armor ({e})")
            } else if e.kind() == io::ErrorKind::UnexpectedEof {
                "truncated: the file ends before its last chunk".to_string()
            } else {
                "damaged: the payload does not authenticate (truncated, tampered with, or \
                 trailing data)"
                    .to_string()
            };
            SealError::Malformed {
                name: name.into(),
                what,
            }
            .into()
        }
        _ => Error::reading(name, e),
    }
}

impl<R: Read> Opened<R> {
    /// Reads the header of an age file, binary or ASCII-armored (detected). `name` is how
    /// messages name the input.
    ///
    /// # Errors
    ///
    /// [`SealError::Malformed`] when it is not an age file (exit 65); I/O errors.
    pub fn new(input: R, name: &str) -> crate::Result<Opened<R>> {
        let name = Path::new(name);
        // Whitespace before an armored file is allowed (C2SP's armor_whitespace_outside); the
        // age crate detects armor only at the first byte. A binary age file starts with
        // `age-encryption.org`, so skipping leading whitespace never changes a valid one.
        let mut input = BufReader::with_capacity(CHUNK, input);
        skip_whitespace(&mut input).map_err(|e| read_error(name, e))?;
        let reader = Prefetched::new(ArmoredReader::new(input)).map_err(|e| {
            if e.get_ref().is_some_and(|i| i.is::<HeaderTooLarge>()) {
                Error::from(SealError::Malformed {
                    name: name.into(),
                    what: format!("not a valid age header ({e})"),
                })
            } else {
                Self::map(name, age::DecryptError::Io(e))
            }
        })?;
        let header = reader.header().to_vec();
        let decryptor = age::Decryptor::new_buffered(reader).map_err(|e| match e {
            // The age crate says "unknown format" of any header it cannot parse; one that
            // starts with the v1 line is a damaged v1 header, not a newer age's file.
            age::DecryptError::UnknownFormat if header.starts_with(b"age-encryption.org/v1\n") => {
                SealError::Malformed {
                    name: name.into(),
                    what: "a damaged or invalid age header".into(),
                }
                .into()
            }
            e => Self::map(name, e),
        })?;
        if !stanzas_are_complete(&header) {
            return Err(SealError::Malformed {
                name: name.into(),
                what: "not a valid age header (a recipient stanza lacks its final short line)"
                    .into(),
            }
            .into());
        }
        Ok(Opened {
            decryptor,
            header,
            name: name.into(),
        })
    }

    /// Maps the age crate's error for the input `name`.
    fn map(name: &Path, e: age::DecryptError) -> Error {
        let malformed = |what: &str| {
            Error::from(SealError::Malformed {
                name: name.into(),
                what: what.into(),
            })
        };
        match e {
            age::DecryptError::Io(e) => match e.kind() {
                io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                    if !e
                        .get_ref()
                        .is_some_and(|i| i.is::<age::armor::ArmoredReadError>()) =>
                {
                    malformed("no valid age header: not an age file, or one cut short")
                }
                _ => read_error(name, e),
            },
            // An age header (its first line read) that does not parse, or whose stanzas do not go
            // together (a passphrase stanza beside another): an age file all the same.
            age::DecryptError::InvalidHeader => malformed("a damaged or invalid age header"),
            age::DecryptError::UnknownFormat => {
                SealError::UnknownVersion { name: name.into() }.into()
            }
            age::DecryptError::InvalidMac => {
                malformed("the header's MAC does not match: the file was tampered with")
            }
            age::DecryptError::ExcessiveWork { .. } => SealError::ExcessiveWork {
                name: name.into(),
                limit: MAX_SCRYPT_WORK_FACTOR,
            }
            .into(),
            // What the C2SP vectors call "no match": a stanza for one of our keys that does
            // not decrypt is a key mismatch, not damage.
            age::DecryptError::DecryptionFailed => SealError::NoMatch {
                name: name.into(),
                stanzas: Vec::new(),
                tried: Vec::new(),
            }
            .into(),
            age::DecryptError::KeyDecryptionFailed => SealError::WrongPassphrase {
                name: UNNAMED_SSH_IDENTITY.into(),
            }
            .into(),
            age::DecryptError::Plugin(errors) => {
                let (message, unanswered) = match super::plugin::take_unanswered() {
                    Some((program, question)) => (
                        format!(
                            "{program} asked \"{question}\", and there is no terminal to \
                             answer it on"
                        ),
                        true,
                    ),
                    None => {
                        let said: String = errors
                            .first()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                            .chars()
                            .flat_map(char::escape_debug)
                            .take(300)
                            .collect();
                        (format!("an age plugin failed: {said}"), false)
                    }
                };
                SealError::Plugin {
                    name: name.into(),
                    message,
                    unanswered,
                }
                .into()
            }
            _ => malformed(DAMAGED_STANZA),
        }
    }

    /// Maps the age crate's error from unwrapping the file key, once the header has parsed:
    /// there an invalid header is a stanza the identity's type reads that is damaged (an
    /// `X25519` stanza with a bad share or body), not "not an age file".
    fn map_unwrap(name: &Path, e: age::DecryptError) -> Error {
        match e {
            age::DecryptError::InvalidHeader => SealError::Malformed {
                name: name.into(),
                what: DAMAGED_STANZA.into(),
            }
            .into(),
            e => Self::map(name, e),
        }
    }

    /// Whether the file is sealed with a passphrase (then use [`Opened::with_passphrase`]).
    pub fn is_passphrase(&self) -> bool {
        self.decryptor.is_scrypt()
    }

    /// The header's stanza types (`X25519`, `ssh-ed25519`, `scrypt`, ...), one per recipient.
    pub fn stanza_types(&self) -> Vec<String> {
        let kept = &self.header;
        let mut out = Vec::new();
        for line in kept.split(|&b| b == b'\n') {
            if line.starts_with(b"---") {
                break;
            }
            if let Some(rest) = line.strip_prefix(b"-> ") {
                let word = rest.split(|&b| b == b' ').next().unwrap_or(b"");
                let word: String = String::from_utf8_lossy(word)
                    .chars()
                    .filter(|c| c.is_ascii_graphic())
                    .take(40)
                    .collect();
                // The age crate adds a random `...-grease` stanza to every header: it is no
                // recipient, and hints count recipients.
                if !word.ends_with("-grease") {
                    out.push(word);
                }
            }
        }
        out
    }

    /// Unlocks the payload with `identities`.
    ///
    /// # Errors
    ///
    /// [`SealError::NoMatch`] (exit 77) naming the stanza types and the identities tried;
    /// [`SealError::Malformed`] for a damaged header.
    pub fn with_identities(self, identities: &[Identity]) -> crate::Result<Plaintext<R>> {
        if identities.is_empty() {
            return Err(SealError::NoIdentity {
                name: Some(self.name),
                searched: vec![],
            }
            .into());
        }
        let stanzas = self.stanza_types();
        let Opened {
            decryptor,
            header: _,
            name,
        } = self;
        match decryptor.decrypt(identities.iter().map(|i| i.as_age())) {
            Ok(reader) => Ok(Plaintext { reader, name }),
            Err(age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed) => {
                Err(SealError::NoMatch {
                    name,
                    stanzas,
                    tried: identities.iter().map(|i| i.public().to_string()).collect(),
                }
                .into())
            }
            // Only a passphrase-protected SSH key fails this way: name its file, not the input;
            // and say so when no passphrase could be had, which is no wrong one.
            Err(age::DecryptError::KeyDecryptionFailed) => {
                let missing = identities.iter().find(|i| i.passphrase_missing());
                let name = missing
                    .and_then(Identity::locked_name)
                    .or_else(|| identities.iter().find_map(Identity::locked_name))
                    .unwrap_or(UNNAMED_SSH_IDENTITY)
                    .into();
                Err(if missing.is_some() {
                    SealError::NoPassphrase { name }
                } else {
                    SealError::WrongPassphrase { name }
                }
                .into())
            }
            Err(e) => Err(Self::map_unwrap(&name, e)),
        }
    }

    /// Unlocks a passphrase-sealed payload; work factors above [`MAX_SCRYPT_WORK_FACTOR`] are
    /// refused before any work.
    ///
    /// # Errors
    ///
    /// [`SealError::WrongPassphrase`] (exit 77), [`SealError::ExcessiveWork`] (exit 65).
    pub fn with_passphrase(self, passphrase: SecretString) -> crate::Result<Plaintext<R>> {
        let mut identity = age::scrypt::Identity::new(passphrase);
        identity.set_max_work_factor(MAX_SCRYPT_WORK_FACTOR);
        let Opened {
            decryptor,
            header: _,
            name,
        } = self;
        match decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)) {
            Ok(reader) => Ok(Plaintext { reader, name }),
            Err(age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed) => {
                Err(SealError::WrongPassphrase { name }.into())
            }
            Err(e) => Err(Self::map_unwrap(&name, e)),
        }
    }
}

/// An unlocked payload. Its bytes authenticate chunk by chunk; only the whole, read to its end
/// without error, is the plaintext.
pub struct Plaintext<R: Read> {
    reader: age::stream::StreamReader<Input<R>>,
    name: PathBuf,
}

impl<R: Read> Plaintext<R> {
    /// Reads the whole plaintext into a zeroizing buffer, refusing more than `limit` bytes.
    /// Nothing is returned unless all of it authenticated.
    ///
    /// # Errors
    ///
    /// [`SealError::TooLarge`], [`SealError::Malformed`] (exit 65), I/O errors.
    pub fn read_all(mut self, limit: u64) -> crate::Result<Zeroizing<Vec<u8>>> {
        let mut out = Zeroizing::new(Vec::with_capacity(CHUNK));
        let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
        loop {
            let n = match self.reader.read(&mut buf) {
                Ok(0) => return Ok(out),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(&self.name, e)),
            };
            if (out.len() + n) as u64 > limit {
                return Err(SealError::TooLarge {
                    name: self.name,
                    limit,
                }
                .into());
            }
            if out.len() + n > out.capacity() {
                // Grow by hand: a reallocation by `Vec` would leave an unzeroized copy behind.
                let mut bigger =
                    Zeroizing::new(Vec::with_capacity((out.capacity() * 2).max(out.len() + n)));
                bigger.extend_from_slice(&out);
                out = bigger;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    /// Streams the plaintext into `output` (a temporary file the caller renames into place only
    /// on success, so a failure releases nothing); returns the number of bytes.
    ///
    /// # Errors
    ///
    /// [`SealError::Malformed`] (exit 65), read errors of the input; write errors naming
    /// `output_name`.
    pub fn copy_to(mut self, output: &mut dyn Write, output_name: &Path) -> crate::Result<u64> {
        let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
        let mut total = 0u64;
        loop {
            let n = match self.reader.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_error(&self.name, e)),
            };
            output
                .write_all(&buf[..n])
                .map_err(|e| Error::writing(output_name, crate::error::Op::Write, e))?;
            total += n as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::seal::identities::{PassphrasePrompt, parse};

    const KEY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

    fn ids() -> Vec<Identity> {
        parse(KEY, &Location::default(), "k", &PassphrasePrompt::none()).unwrap()
    }

    fn seal(plain: &[u8], armor: bool) -> Vec<u8> {
        let r = Recipient::parse(ids()[0].public()).unwrap();
        encrypt(
            &[r],
            armor,
            &mut &plain[..],
            Path::new("in"),
            Vec::new(),
            Path::new("out"),
        )
        .unwrap()
    }

    /// A writer with a 1,000-byte buffer that, like the atomic pipe, takes only what fits
    /// before the buffer's end in one `write`.
    struct Trickle(Vec<u8>);

    impl Write for Trickle {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            let n = data.len().min(1000 - self.0.len() % 1000);
            self.0.extend_from_slice(&data[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Regression (hostile sizes): a header piece crossing the end of the output's buffer was
    /// refused with "failed to write header: BufferTooSmall"; a 100-recipient header is
    /// written whole, binary and armored, and opens.
    #[test]
    fn a_header_larger_than_the_output_buffer_is_written_whole() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let mut recipients: Vec<Recipient> = (0..99)
            .map(|_| {
                let pair = crate::seal::keygen::generate(&mut rng, jiff::Timestamp::UNIX_EPOCH);
                Recipient::parse(&pair.recipient).unwrap()
            })
            .collect();
        recipients.push(Recipient::parse(ids()[0].public()).unwrap());
        for armor in [false, true] {
            let out = encrypt(
                &recipients,
                armor,
                &mut &b"A=1\n"[..],
                Path::new("in"),
                Trickle(Vec::new()),
                Path::new("out"),
            )
            .unwrap_or_else(|e| panic!("armor {armor}: {e}"));
            assert_eq!(&open(&out.0).unwrap()[..], b"A=1\n", "armor {armor}");
        }
    }

    fn open(sealed: &[u8]) -> crate::Result<Zeroizing<Vec<u8>>> {
        Opened::new(sealed, "f.age")?
            .with_identities(&ids())?
            .read_all(1 << 20)
    }

    #[test]
    fn round_trips_binary_and_armored() {
        for armor in [false, true] {
            for len in [0, 1, CHUNK, CHUNK + 1, 3 * CHUNK] {
                let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let sealed = seal(&plain, armor);
                assert_eq!(sealed.starts_with(b"-----BEGIN AGE"), armor);
                assert_eq!(&open(&sealed).unwrap()[..], &plain[..], "{len} {armor}");
            }
        }
    }

    #[test]
    fn damage_is_65_and_releases_nothing() {
        let sealed = seal(&[7u8; 3 * CHUNK], false);
        let mut tampered = sealed.clone();
        let last = tampered.len() - 5;
        tampered[last] ^= 1;
        let mut trailing = sealed.clone();
        trailing.extend_from_slice(b"x");
        for bad in [
            &sealed[..sealed.len() - 1],
            &tampered[..],
            &trailing[..],
            b"hello",
            b"",
        ] {
            let e = open(bad).unwrap_err();
            assert_eq!(e.exit(), crate::Exit::DataErr, "{e}");
        }
    }

    #[test]
    fn no_match_names_stanzas_and_tried_keys() {
        let other = crate::seal::keygen::generate(&mut rand::rng(), jiff::Timestamp::UNIX_EPOCH);
        let r = Recipient::parse(&other.recipient).unwrap();
        let sealed = encrypt(
            &[r],
            false,
            &mut &b"x"[..],
            Path::new("i"),
            Vec::new(),
            Path::new("o"),
        )
        .unwrap();
        let e = open(&sealed).unwrap_err();
        assert_eq!(e.exit(), crate::Exit::NoPerm);
        // The stanza types and the keys tried travel with the error; report.rs words them.
        let data = format!("{e:?}");
        assert!(
            data.contains("X25519") && data.contains(ids()[0].public()),
            "{data}"
        );
    }

    #[test]
    fn every_stanza_needs_its_final_short_line() {
        let full = "A".repeat(64);
        let ok = format!("age-encryption.org/v1\n-> X25519 a\n{full}\n\n--- mac\n");
        assert!(stanzas_are_complete(ok.as_bytes()));
        let ok = "age-encryption.org/v1\n-> X25519 a\nshort\n-> b\n\n--- mac\n";
        assert!(stanzas_are_complete(ok.as_bytes()));
        let bad = format!("age-encryption.org/v1\n-> X25519 a\n{full}\n--- mac\n");
        assert!(!stanzas_are_complete(bad.as_bytes()));
        let bad = "age-encryption.org/v1\n-> X25519 a\nshort\n-> empty\n--- mac\n";
        assert!(!stanzas_are_complete(bad.as_bytes()));
    }

    /// The age crate's own header reading is quadratic (4,000 stanzas: 233 s); read ahead,
    /// a header of 4,000 stanzas is read at once. Ours comes first, then 3,999 more are spliced
    /// in (so the MAC no longer matches and the file is refused, after the header is read: real
    /// recipients would cost a debug build 15 s of key generation). The bound only catches the
    /// quadratic case on a loaded machine; the timing itself is in `scripts/bench.sh`.
    #[test]
    fn a_header_of_4000_stanzas_is_read_in_linear_time() {
        let sealed = seal(b"A=1\n", false);
        let ours_end = memchr::memmem::find(&sealed, b"\n---").unwrap() + 1;
        let fake = format!("-> X25519 {}\n{}\n", "A".repeat(43), "A".repeat(43));
        let mut big = sealed[..ours_end].to_vec();
        for _ in 0..3999 {
            big.extend_from_slice(fake.as_bytes());
        }
        big.extend_from_slice(&sealed[ours_end..]);
        for armor in [false, true] {
            let input = if armor {
                let mut out = ArmoredWriter::wrap_output(Vec::new(), Format::AsciiArmor).unwrap();
                out.write_all(&big).unwrap();
                out.finish().unwrap()
            } else {
                big.clone()
            };
            let start = std::time::Instant::now();
            let opened = Opened::new(&input[..], "f.age").unwrap();
            assert_eq!(opened.stanza_types().len(), 4000);
            let e = opened.with_identities(&ids()).err().unwrap();
            let took = start.elapsed();
            assert!(format!("{e:?}").contains("MAC"), "{e:?}");
            assert!(took.as_secs() < 10, "{took:?} for 4,000 stanzas");
        }
    }

    #[test]
    fn a_header_above_the_limit_is_refused_as_damage() {
        let mut huge = b"age-encryption.org/v1\n".to_vec();
        let stanza = format!("-> X25519 {}\n{}\n", "A".repeat(43), "B".repeat(43));
        while huge.len() <= MAX_HEADER {
            huge.extend_from_slice(stanza.as_bytes());
        }
        let e = Opened::new(&huge[..], "f.age").err().unwrap();
        assert_eq!(e.exit(), crate::Exit::DataErr, "{e:?}");
        assert!(format!("{e:?}").contains("larger than 16 MiB"), "{e:?}");
    }

    /// No run reaches these: every protected SSH key envmint loads carries its file's name,
    /// so the age crate's `KeyDecryptionFailed` is named by it; and one scrypt recipient alone
    /// is always accepted by the age crate. Their words, as the code builds them.
    #[test]
    fn an_unnamed_ssh_key_and_a_refused_passphrase_seal_are_worded() {
        let e = Opened::<&[u8]>::map(Path::new("f.age"), age::DecryptError::KeyDecryptionFailed);
        assert_eq!(e.to_string(), "the SSH identity: wrong passphrase");
        let scrypt = age::scrypt::Recipient::new(SecretString::from("p".to_string()));
        let x25519 = Recipient::parse(ids()[0].public()).unwrap();
        let boxed = crate::seal::recipients::for_age(&[x25519]).unwrap();
        let mixed: Vec<&dyn age::Recipient> = vec![&scrypt, boxed[0].as_ref()];
        let Err(why) = age::Encryptor::with_recipients(mixed.into_iter()) else {
            panic!("a passphrase beside a recipient was accepted");
        };
        assert_eq!(
            cannot_seal(true, why).to_string(),
            "cannot seal with a passphrase: scrypt::Recipient can't be used with other recipients."
        );
    }

    #[test]
    fn too_large_is_refused() {
        let sealed = seal(&[1u8; 1000], false);
        let e = Opened::new(&sealed[..], "f")
            .unwrap()
            .with_identities(&ids())
            .unwrap()
            .read_all(999)
            .unwrap_err();
        assert_eq!(e.exit(), crate::Exit::DataErr);
    }
}
