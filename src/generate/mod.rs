//! Secret kinds, sizes, entropy arithmetic and unbiased sampling.
//!
//! A [`Spec`] is a kind plus a resolved size; it knows its entropy in bits. A [`Generator`]
//! turns a spec and a caller-supplied [`CryptoRng`] into secrets, writing into zeroizing buffers
//! so that no copy of a value is left in freed memory.
//!
//! Two families of kinds:
//! - byte kinds (`hex`, `base64`, `base64url`, `base32`): N random bytes, then encoded, so the
//!   entropy is exactly `8 * N` bits;
//! - alphabet kinds (`alnum`, `password`, a custom alphabet): N characters drawn uniformly, so the
//!   entropy is `N * log2(alphabet size)` bits. Uniformity comes from rejection sampling: a random
//!   byte is used only when it falls below the largest multiple of the alphabet size that fits in
//!   256, never `byte % n` over the whole range (which favours the first `256 % n` characters).

mod check;

pub use check::{Problem, is_placeholder};

use crate::secret::Secret;
use base64::Engine as _;
use rand::CryptoRng;
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// Secrets under this many bits are refused unless the caller explicitly allows weak ones.
pub const MIN_BITS: f64 = 128.0;

/// The largest size accepted for `bytes`, `length` (and so for `bits / 8`): far above any real
/// secret, low enough that a typo cannot ask for gigabytes.
pub const MAX_SIZE: usize = 1 << 20;

/// Every kind without an explicit size gets at least this much entropy (32 bytes).
pub const DEFAULT_BITS: u64 = 256;

/// Characters of the `alnum` kind.
pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Characters of the `password` kind: `alnum` plus `-`, `_` and `.`, the symbols of RFC 3986's
/// *unreserved* set without `~`. A value is therefore safe unencoded wherever a generated
/// password goes first:
/// - in a URL's userinfo (`postgres://app:PASSWORD@db/app`): unreserved characters are never
///   percent-encoded or decoded by any URL parser (Python's `urlsplit`, WHATWG/Node `URL`,
///   which does encode `: ; = @ / ^ |` there) nor turned into a space (`+` is, by form decoders
///   such as Java's `URLDecoder` or Python's `unquote_plus`);
/// - bare in a dotenv file (every character is in the writer's bare set, see `dotenv::quote`);
/// - in `set -a; . ./file` in sh: none of them is special to the shell.
///
/// Left out on purpose: `~` (tilde expansion after `=` and `:` in bash, so the dotenv writer
/// quotes it), `!` (history expansion; not bare either), `+ , ; = : @ / % ^ $ & * ( ) '` and the
/// rest (reserved or encoded in URLs, or shell syntax).
pub const PASSWORD: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A custom alphabet: 2 to 94 distinct printable ASCII characters (no space).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alphabet {
    /// Only printable ASCII, each character once (checked by [`Alphabet::new`]).
    chars: String,
}

/// Why an alphabet was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlphabetError {
    /// Fewer than 2 distinct characters.
    TooSmall,
    /// A character appears twice.
    Duplicate(char),
    /// A character outside printable ASCII (or a space).
    NotPrintableAscii(char),
}

impl fmt::Display for AlphabetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlphabetError::TooSmall => f.write_str("an alphabet needs at least 2 characters"),
            AlphabetError::Duplicate(c) => write!(f, "the alphabet lists `{c}` more than once"),
            AlphabetError::NotPrintableAscii(c) => write!(
                f,
                "the alphabet has {}, but only printable ASCII without space is allowed",
                describe_char(*c)
            ),
        }
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("the character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

impl Alphabet {
    /// Parses a custom alphabet, refusing duplicates, non-printable or non-ASCII characters.
    pub fn new(chars: &str) -> Result<Self, AlphabetError> {
        let mut seen = [false; 128];
        let mut out = String::with_capacity(chars.len());
        for c in chars.chars() {
            if !c.is_ascii_graphic() {
                return Err(AlphabetError::NotPrintableAscii(c));
            }
            let b = c as u8;
            if seen[b as usize] {
                return Err(AlphabetError::Duplicate(c));
            }
            seen[b as usize] = true;
            out.push(c);
        }
        if out.len() < 2 {
            return Err(AlphabetError::TooSmall);
        }
        Ok(Alphabet { chars: out })
    }

    /// The characters, in the order given.
    pub fn as_str(&self) -> &str {
        &self.chars
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// Always false: an alphabet has at least 2 characters.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }
}

/// What kind of secret to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Lower-case hexadecimal of N bytes (`openssl rand -hex N`).
    Hex,
    /// Standard base64 with padding (`openssl rand -base64 N`).
    Base64,
    /// URL-safe base64 without padding (Python's `secrets.token_urlsafe(N)`).
    Base64Url,
    /// RFC 4648 base32, upper case, without padding.
    Base32,
    /// A-Z, a-z, 0-9.
    Alnum,
    /// [`ALNUM`] plus `-_.`: safe unencoded in a URL's userinfo, a dotenv file and sh, see
    /// [`PASSWORD`].
    Password,
    /// A caller-chosen alphabet.
    Custom(Alphabet),
}

/// How a size was given: the three size flags/fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeUnit {
    /// `--bytes` / `bytes =`: only for byte kinds.
    Bytes,
    /// `--bits` / `bits =`: for every kind.
    Bits,
    /// `--length` / `length =`: only for alphabet kinds.
    Length,
}

impl SizeUnit {
    /// The field/flag name without dashes: `bytes`, `bits`, `length`.
    pub fn name(self) -> &'static str {
        match self {
            SizeUnit::Bytes => "bytes",
            SizeUnit::Bits => "bits",
            SizeUnit::Length => "length",
        }
    }
}

/// A requested size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Which unit.
    pub unit: SizeUnit,
    /// How many.
    pub amount: u64,
}

/// Why a kind/size combination was refused. The caller words it for its flag or field names.
#[derive(Clone, Debug, PartialEq)]
pub enum SpecError {
    /// A size unit that the kind does not take (`--length` with hex); `use` is the unit to use.
    Mismatch {
        /// The kind's name.
        kind: String,
        /// The unit given.
        given: SizeUnit,
        /// The unit that fits.
        expected: SizeUnit,
    },
    /// A size of zero.
    Zero(SizeUnit),
    /// A size over [`MAX_SIZE`] bytes or characters (`max` is in the unit given: for bits, what
    /// [`MAX_SIZE`] units of this kind hold).
    TooLarge {
        /// The unit given.
        unit: SizeUnit,
        /// The largest accepted amount in that unit.
        max: u64,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Mismatch { kind, given, .. } => {
                write!(f, "{} does not apply to {kind}", given.name())
            }
            SpecError::Zero(u) => write!(f, "{} must be at least 1", u.name()),
            SpecError::TooLarge { unit, max } => {
                write!(f, "{} is too large (at most {max})", unit.name())
            }
        }
    }
}

impl Kind {
    /// The built-in kinds, in the order the command line lists them: the one list the command
    /// line, the manifest and [`Kind::from_name`] draw from.
    pub const BUILTIN: [Kind; 6] = [
        Kind::Hex,
        Kind::Base64,
        Kind::Base64Url,
        Kind::Base32,
        Kind::Alnum,
        Kind::Password,
    ];

    /// The names of [`Kind::BUILTIN`], in the same order (a unit test keeps them in step).
    pub const NAMES: [&'static str; 6] =
        ["hex", "base64", "base64url", "base32", "alnum", "password"];

    /// Parses a built-in kind name or one of its [`Kind::aliases`] (`urlsafe` for `base64url`).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::BUILTIN
            .into_iter()
            .find(|k| k.name() == name || k.aliases().contains(&name))
    }

    /// Other names accepted for this kind.
    pub fn aliases(&self) -> &'static [&'static str] {
        match self {
            Kind::Base64Url => &["urlsafe"],
            _ => &[],
        }
    }

    /// One line saying what a value of this kind looks like (for `--help`).
    pub fn about(&self) -> &'static str {
        match self {
            Kind::Hex => "Lower-case hex of N bytes, like `openssl rand -hex N`",
            Kind::Base64 => "Standard base64 with padding, like `openssl rand -base64 N`",
            Kind::Base64Url => {
                "URL-safe base64 without padding, like Python's `secrets.token_urlsafe(N)`"
            }
            Kind::Base32 => "RFC 4648 base32 without padding",
            Kind::Alnum => "Letters and digits",
            Kind::Password => {
                "Letters, digits and `-_.`: safe unencoded in URLs, dotenv files and sh"
            }
            Kind::Custom(_) => "Characters of a given alphabet",
        }
    }

    /// The kind's name (`alphabet` for a custom one).
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Hex => "hex",
            Kind::Base64 => "base64",
            Kind::Base64Url => "base64url",
            Kind::Base32 => "base32",
            Kind::Alnum => "alnum",
            Kind::Password => "password",
            Kind::Custom(_) => "alphabet",
        }
    }

    /// Whether the size is counted in random bytes (else in characters).
    pub fn is_byte_kind(&self) -> bool {
        matches!(
            self,
            Kind::Hex | Kind::Base64 | Kind::Base64Url | Kind::Base32
        )
    }

    /// The native size unit: bytes or length.
    pub fn native_unit(&self) -> SizeUnit {
        if self.is_byte_kind() {
            SizeUnit::Bytes
        } else {
            SizeUnit::Length
        }
    }

    /// The characters an alphabet kind draws from.
    fn alphabet(&self) -> Option<&[u8]> {
        match self {
            Kind::Alnum => Some(ALNUM.as_bytes()),
            Kind::Password => Some(PASSWORD.as_bytes()),
            Kind::Custom(a) => Some(a.chars.as_bytes()),
            _ => None,
        }
    }

    /// Every character a value of this kind can contain (for checking where it may be written).
    pub fn charset(&self) -> &str {
        match self {
            Kind::Hex => "0123456789abcdef",
            Kind::Base64 => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
            Kind::Base64Url => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            Kind::Base32 => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
            Kind::Alnum => ALNUM,
            Kind::Password => PASSWORD,
            Kind::Custom(a) => a.as_str(),
        }
    }

    /// Entropy of one unit of the native size (8 for a byte, log2(n) for a character).
    pub fn bits_per_unit(&self) -> f64 {
        match self.alphabet() {
            Some(a) => (a.len() as f64).log2(),
            None => 8.0,
        }
    }
}

/// A kind with a resolved size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    kind: Kind,
    /// Random bytes for byte kinds, characters for alphabet kinds.
    amount: usize,
}

impl Spec {
    /// Resolves a kind and an optional size. With no size, every kind gets at least
    /// [`DEFAULT_BITS`]. `bits` resolves to the smallest size with at least that entropy:
    /// `ceil(bits / 8)` bytes, or `ceil(bits / log2(alphabet size))` characters.
    pub fn new(kind: Kind, size: Option<Size>) -> Result<Spec, SpecError> {
        let size = size.unwrap_or(Size {
            unit: SizeUnit::Bits,
            amount: DEFAULT_BITS,
        });
        if size.amount == 0 {
            return Err(SpecError::Zero(size.unit));
        }
        let native = kind.native_unit();
        let amount = match size.unit {
            SizeUnit::Bits => {
                let max = (MAX_SIZE as f64 * kind.bits_per_unit()).floor() as u64;
                if size.amount > max {
                    return Err(SpecError::TooLarge {
                        unit: SizeUnit::Bits,
                        max,
                    });
                }
                units_for_bits(&kind, size.amount)
            }
            unit if unit == native => size.amount,
            given => {
                return Err(SpecError::Mismatch {
                    kind: kind.name().to_string(),
                    given,
                    expected: native,
                });
            }
        };
        if amount > MAX_SIZE as u64 {
            return Err(SpecError::TooLarge {
                unit: size.unit,
                max: MAX_SIZE as u64,
            });
        }
        Ok(Spec {
            kind,
            amount: amount as usize,
        })
    }

    /// The kind.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The resolved size in the kind's native unit (bytes or characters).
    pub fn amount(&self) -> usize {
        self.amount
    }

    /// Entropy of one secret, in bits.
    pub fn bits(&self) -> f64 {
        self.amount as f64 * self.kind.bits_per_unit()
    }

    /// Whether this spec falls under [`MIN_BITS`].
    pub fn is_weak(&self) -> bool {
        self.bits() < MIN_BITS
    }

    /// The smallest size of this kind that reaches [`MIN_BITS`] (for hints).
    pub fn min_strong_amount(&self) -> u64 {
        units_for_bits(&self.kind, MIN_BITS as u64)
    }

    /// Length in bytes of one encoded secret.
    pub fn encoded_len(&self) -> usize {
        let n = self.amount;
        match self.kind {
            Kind::Hex => 2 * n,
            Kind::Base64 => n.div_ceil(3) * 4,
            Kind::Base64Url => (n * 4).div_ceil(3),
            Kind::Base32 => (n * 8).div_ceil(5),
            _ => n,
        }
    }
}

/// Bits shown to people: exact for whole numbers, else rounded *down* to 2 decimals so that a
/// report never overstates entropy.
pub fn format_bits(bits: f64) -> String {
    if bits.fract() == 0.0 {
        format!("{bits:.0}")
    } else {
        format!("{:.2}", (bits * 100.0).floor() / 100.0)
    }
}

fn units_for_bits(kind: &Kind, bits: u64) -> u64 {
    match kind.alphabet() {
        None => bits.div_ceil(8),
        Some(a) => {
            let per = (a.len() as f64).log2();
            let mut n = (bits as f64 / per).ceil() as u64;
            // Guard the float edge both ways: n must reach `bits`, n - 1 must not.
            while (n as f64) * per < bits as f64 {
                n += 1;
            }
            while n > 1 && ((n - 1) as f64) * per >= bits as f64 {
                n -= 1;
            }
            n
        }
    }
}

/// Makes secrets of one [`Spec`]. Keeps a zeroizing scratch buffer for random bytes so that
/// generating many secrets allocates nothing per secret.
pub struct Generator {
    spec: Spec,
    scratch: Zeroizing<Vec<u8>>,
    /// For alphabet kinds: a random byte `b` is used only if `b < zone`, as `b % n`.
    zone: u16,
}

impl fmt::Debug for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// Random bytes are drawn in chunks of at least this size for alphabet kinds, so that the RNG is
/// called rarely even with rejections.
const ALPHABET_CHUNK: usize = 256;

impl Generator {
    /// A generator for `spec`.
    pub fn new(spec: Spec) -> Self {
        let zone = match spec.kind.alphabet() {
            Some(a) => (256 / a.len() * a.len()) as u16,
            None => 256,
        };
        let cap = if spec.kind.is_byte_kind() {
            spec.amount.max(BYTE_BATCH)
        } else {
            spec.amount.max(ALPHABET_CHUNK)
        };
        Generator {
            spec,
            scratch: Zeroizing::new(vec![0u8; cap]),
            zone,
        }
    }

    /// The spec this generator makes.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// Makes one secret.
    pub fn generate<R: CryptoRng + ?Sized>(&mut self, rng: &mut R) -> Secret {
        let mut buf = Zeroizing::new(Vec::with_capacity(self.spec.encoded_len()));
        self.append(rng, &mut buf);
        // The buffer was sized exactly, so the String takes it over without reallocating.
        let bytes = std::mem::take(&mut *buf);
        Secret::new(String::from_utf8(bytes).expect("encodings are ASCII"))
    }

    /// Appends one secret (no newline) to `out`, growing it without leaving copies behind.
    pub fn append<R: CryptoRng + ?Sized>(&mut self, rng: &mut R, out: &mut Zeroizing<Vec<u8>>) {
        self.append_many(rng, out, 1, b"");
    }

    /// Appends `count` secrets to `out`, each followed by `sep`. For byte kinds the random bytes
    /// of many secrets are drawn in one call, which is most of the speed of `gen -n 1000000`.
    pub fn append_many<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        out: &mut Zeroizing<Vec<u8>>,
        count: usize,
        sep: &[u8],
    ) {
        let len = self.spec.encoded_len();
        reserve_zeroizing(out, (len + sep.len()) * count);
        let n = self.spec.amount;
        if let Some(alphabet) = self.spec.kind.alphabet() {
            for _ in 0..count {
                let start = out.len();
                out.resize(start + len, 0);
                sample(
                    alphabet,
                    self.zone,
                    rng,
                    &mut self.scratch,
                    &mut out[start..],
                );
                out.extend_from_slice(sep);
            }
            return;
        }
        let per_batch = (BYTE_BATCH / n).max(1);
        let mut left = count;
        while left > 0 {
            let batch = left.min(per_batch);
            left -= batch;
            let raw = &mut self.scratch[..batch * n];
            rng.fill_bytes(raw);
            for src in raw.chunks_exact(n) {
                let start = out.len();
                out.resize(start + len, 0);
                encode(&self.spec.kind, src, &mut out[start..]);
                out.extend_from_slice(sep);
            }
            // No wipe per batch: the next batch overwrites these bytes, and the scratch buffer
            // is zeroized when the generator drops (the encoded values sit in `out` until then
            // anyway). Wiping 4 KiB with volatile stores per batch cost a fifth of the time.
        }
    }
}

/// Random bytes for byte kinds are drawn in batches of up to this many bytes.
const BYTE_BATCH: usize = 4096;

/// Encodes `src` with a byte kind into `dst`, which has exactly the encoded length.
fn encode(kind: &Kind, src: &[u8], dst: &mut [u8]) {
    match kind {
        Kind::Hex => hex_encode(src, dst),
        Kind::Base64 => {
            base64::engine::general_purpose::STANDARD
                .encode_slice(src, dst)
                .expect("sized for base64");
        }
        Kind::Base64Url => {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode_slice(src, dst)
                .expect("sized for base64url");
        }
        Kind::Base32 => base32_encode(src, dst),
        Kind::Alnum | Kind::Password | Kind::Custom(_) => unreachable!("not a byte kind"),
    }
}

/// Lower-case hex through a 256-entry table of digit pairs: twice as fast as the `hex` crate's
/// per-nibble loop, which matters at 20 million secrets a second.
fn hex_encode(src: &[u8], dst: &mut [u8]) {
    static PAIRS: [[u8; 2]; 256] = {
        let digits = b"0123456789abcdef";
        let mut t = [[0u8; 2]; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = [digits[i >> 4], digits[i & 15]];
            i += 1;
        }
        t
    };
    for (pair, &b) in dst.chunks_exact_mut(2).zip(src) {
        pair.copy_from_slice(&PAIRS[b as usize]);
    }
}

/// Fills `dst` with characters of `alphabet`, each uniform, by rejection sampling: a random
/// byte `b` is accepted only when `b < zone` (the largest multiple of the alphabet size that
/// fits in 256), and then maps to `alphabet[b % n]`, so every character has exactly
/// `zone / n` accepting bytes.
fn sample<R: CryptoRng + ?Sized>(
    alphabet: &[u8],
    zone: u16,
    rng: &mut R,
    scratch: &mut [u8],
    dst: &mut [u8],
) {
    let n = alphabet.len();
    let mut filled = 0;
    while filled < dst.len() {
        // Ask for what is missing plus a margin for rejections, within the scratch buffer.
        let want = ((dst.len() - filled) * 2).clamp(16, scratch.len());
        let chunk = &mut scratch[..want];
        rng.fill_bytes(chunk);
        for &b in chunk.iter() {
            if u16::from(b) < zone {
                dst[filled] = alphabet[b as usize % n];
                filled += 1;
                if filled == dst.len() {
                    break;
                }
            }
        }
    }
    // The scratch buffer is zeroized when its generator drops; wiping it per secret would
    // double the cost of `gen alnum -n 1000000`.
}

/// RFC 4648 base32 without padding. Written here rather than pulled in as a crate: it is a
/// dozen lines and tested against the RFC's vectors.
fn base32_encode(src: &[u8], dst: &mut [u8]) {
    let mut out = 0;
    for chunk in src.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let v = u64::from_be_bytes([0, 0, 0, block[0], block[1], block[2], block[3], block[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            dst[out] = BASE32[((v >> (35 - 5 * i)) & 31) as usize];
            out += 1;
        }
        block.zeroize();
    }
}

/// Makes room for `additional` bytes in `buf` without letting `Vec` reallocate in place: a
/// reallocation would free the old block without zeroizing it, leaving a copy of the secrets.
pub fn reserve_zeroizing(buf: &mut Zeroizing<Vec<u8>>, additional: usize) {
    if buf.capacity() - buf.len() >= additional {
        return;
    }
    let want = (buf.len() + additional).max(buf.capacity() * 2).max(64);
    let mut bigger = Zeroizing::new(Vec::with_capacity(want));
    bigger.extend_from_slice(buf);
    // The old buffer is zeroized (whole capacity) when `bigger`'s predecessor drops here.
    std::mem::swap(buf, &mut bigger);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(7)
    }

    fn spec(kind: Kind, unit: SizeUnit, amount: u64) -> Spec {
        Spec::new(kind, Some(Size { unit, amount })).unwrap()
    }

    #[test]
    fn builtin_names_and_aliases_are_one_list() {
        for (kind, name) in Kind::BUILTIN.iter().zip(Kind::NAMES) {
            assert_eq!(kind.name(), name);
            assert_eq!(Kind::from_name(name).as_ref(), Some(kind));
            for alias in kind.aliases() {
                assert_eq!(Kind::from_name(alias).as_ref(), Some(kind));
            }
        }
        assert_eq!(Kind::from_name("urlsafe"), Some(Kind::Base64Url));
        assert_eq!(
            Kind::from_name("alphabet"),
            None,
            "a custom alphabet is not a name"
        );
        assert_eq!(Kind::from_name("HEX"), None);
    }

    #[test]
    fn default_is_at_least_256_bits_for_every_kind() {
        for name in Kind::NAMES {
            let s = Spec::new(Kind::from_name(name).unwrap(), None).unwrap();
            assert!(s.bits() >= 256.0, "{name}: {}", s.bits());
        }
        let hex = Spec::new(Kind::Hex, None).unwrap();
        assert_eq!(hex.amount(), 32);
        assert_eq!(Spec::new(Kind::Alnum, None).unwrap().amount(), 43);
    }

    #[test]
    fn bits_round_up_to_whole_units_at_the_edges() {
        let b = |kind: Kind, bits| spec(kind, SizeUnit::Bits, bits).amount();
        assert_eq!(b(Kind::Hex, 128), 16);
        assert_eq!(b(Kind::Hex, 129), 17);
        assert_eq!(b(Kind::Hex, 1), 1);
        // log2(62) = 5.954: 21 chars = 125.04 bits, 22 chars = 130.99 bits.
        assert_eq!(b(Kind::Alnum, 128), 22);
        assert_eq!(b(Kind::Alnum, 125), 21);
        assert_eq!(b(Kind::Alnum, 126), 22);
        // Power-of-two alphabet: exact division must not round up.
        let hex16 = Kind::Custom(Alphabet::new("0123456789abcdef").unwrap());
        assert_eq!(b(hex16.clone(), 128), 32);
        assert_eq!(b(hex16, 129), 33);
        // password: 65 symbols, log2 = 6.0224: 21 chars = 126.47 bits, 22 = 132.49.
        assert_eq!(PASSWORD.len(), 65);
        assert_eq!(b(Kind::Password, 126), 21);
        assert_eq!(b(Kind::Password, 128), 22);
    }

    #[test]
    fn password_characters_are_bare_in_dotenv_and_unreserved_in_urls() {
        // RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
        let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
        for c in PASSWORD.chars() {
            assert!(unreserved(c), "{c:?} is not unreserved in a URL");
            assert_ne!(c, '~', "tilde expansion in sh");
            let one = c.to_string();
            let written = crate::dotenv::quote_value(&one).unwrap();
            assert_eq!(written.as_str(), one, "{c:?} is not written bare");
        }
        // The whole alphabet at once, as one value, is written as it is.
        assert_eq!(
            crate::dotenv::quote_value(PASSWORD).unwrap().as_str(),
            PASSWORD
        );
    }

    #[test]
    fn fail_size_units_that_do_not_fit_the_kind() {
        let err = Spec::new(
            Kind::Hex,
            Some(Size {
                unit: SizeUnit::Length,
                amount: 10,
            }),
        )
        .unwrap_err();
        assert_eq!(
            err,
            SpecError::Mismatch {
                kind: "hex".into(),
                given: SizeUnit::Length,
                expected: SizeUnit::Bytes
            }
        );
        let err = Spec::new(
            Kind::Password,
            Some(Size {
                unit: SizeUnit::Bytes,
                amount: 10,
            }),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            SpecError::Mismatch {
                expected: SizeUnit::Length,
                ..
            }
        ));
        let zero = Size {
            unit: SizeUnit::Bytes,
            amount: 0,
        };
        assert_eq!(
            Spec::new(Kind::Hex, Some(zero)),
            Err(SpecError::Zero(SizeUnit::Bytes))
        );
        let huge = Size {
            unit: SizeUnit::Bits,
            amount: u64::MAX,
        };
        assert!(matches!(
            Spec::new(Kind::Alnum, Some(huge)),
            Err(SpecError::TooLarge { .. })
        ));
        // The limit named for bits is the real one: it is accepted, one more is not.
        let bits = |amount| Size {
            unit: SizeUnit::Bits,
            amount,
        };
        let max = (MAX_SIZE * 8) as u64;
        assert!(Spec::new(Kind::Hex, Some(bits(max))).is_ok());
        assert_eq!(
            Spec::new(Kind::Hex, Some(bits(max + 1))),
            Err(SpecError::TooLarge {
                unit: SizeUnit::Bits,
                max
            })
        );
    }

    #[test]
    fn weak_specs_are_flagged() {
        assert!(spec(Kind::Hex, SizeUnit::Bytes, 15).is_weak());
        assert!(!spec(Kind::Hex, SizeUnit::Bytes, 16).is_weak());
        assert!(spec(Kind::Alnum, SizeUnit::Length, 21).is_weak());
        assert!(!spec(Kind::Alnum, SizeUnit::Length, 22).is_weak());
        assert_eq!(
            spec(Kind::Alnum, SizeUnit::Length, 8).min_strong_amount(),
            22
        );
    }

    #[test]
    fn fail_bad_alphabets() {
        assert_eq!(Alphabet::new("a"), Err(AlphabetError::TooSmall));
        assert_eq!(Alphabet::new(""), Err(AlphabetError::TooSmall));
        assert_eq!(Alphabet::new("abca"), Err(AlphabetError::Duplicate('a')));
        assert_eq!(
            Alphabet::new("ab c"),
            Err(AlphabetError::NotPrintableAscii(' '))
        );
        assert_eq!(
            Alphabet::new("abé"),
            Err(AlphabetError::NotPrintableAscii('é'))
        );
        assert!(Alphabet::new("01").is_ok());
    }

    #[test]
    fn every_kind_has_its_length_alphabet_and_decoded_size() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut r = rng();
        for bytes in [1u64, 2, 3, 4, 5, 16, 31, 32, 33, 64] {
            for kind in [Kind::Hex, Kind::Base64, Kind::Base64Url, Kind::Base32] {
                let s = spec(kind.clone(), SizeUnit::Bytes, bytes);
                let mut g = Generator::new(s.clone());
                let v = g.generate(&mut r);
                let v = v.expose();
                assert_eq!(v.len(), s.encoded_len(), "{kind:?} {bytes}");
                assert!(
                    v.chars().all(|c| kind.charset().contains(c)),
                    "{kind:?} {v}"
                );
                let decoded = match kind {
                    Kind::Hex => hex::decode(v).unwrap(),
                    Kind::Base64 => STANDARD.decode(v).unwrap(),
                    Kind::Base64Url => URL_SAFE_NO_PAD.decode(v).unwrap(),
                    Kind::Base32 => base32_decode(v),
                    _ => unreachable!(),
                };
                assert_eq!(decoded.len() as u64, bytes, "{kind:?}");
            }
        }
        for kind in [
            Kind::Alnum,
            Kind::Password,
            Kind::Custom(Alphabet::new("xyz#!").unwrap()),
        ] {
            let s = spec(kind.clone(), SizeUnit::Length, 40);
            let v = Generator::new(s).generate(&mut r);
            assert_eq!(v.len(), 40);
            assert!(v.expose().chars().all(|c| kind.charset().contains(c)));
        }
    }

    fn base32_decode(s: &str) -> Vec<u8> {
        let mut bits = 0u64;
        let mut nbits = 0;
        let mut out = vec![];
        for c in s.bytes() {
            let v = BASE32.iter().position(|&x| x == c).unwrap() as u64;
            bits = (bits << 5) | v;
            nbits += 5;
            if nbits >= 8 {
                out.push((bits >> (nbits - 8)) as u8);
                nbits -= 8;
            }
        }
        out
    }

    #[test]
    fn hex_table_matches_the_hex_crate() {
        let all: Vec<u8> = (0..=255).collect();
        let mut dst = vec![0u8; 512];
        hex_encode(&all, &mut dst);
        assert_eq!(std::str::from_utf8(&dst).unwrap(), hex::encode(&all));
    }

    #[test]
    fn append_many_separates_and_sizes_every_secret() {
        let mut r = rng();
        for kind in [Kind::Hex, Kind::Base32, Kind::Password] {
            let mut g = Generator::new(Spec::new(kind.clone(), None).unwrap());
            let mut out = Zeroizing::new(Vec::new());
            g.append_many(&mut r, &mut out, 300, b"\n");
            let text = std::str::from_utf8(&out).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 300);
            assert!(lines.iter().all(|l| l.len() == g.spec().encoded_len()));
            let distinct: std::collections::HashSet<_> = lines.iter().collect();
            assert_eq!(distinct.len(), 300, "{kind:?}");
        }
    }

    #[test]
    fn base32_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (input, want) in cases {
            let mut dst = vec![0u8; (input.len() * 8).div_ceil(5)];
            base32_encode(input.as_bytes(), &mut dst);
            assert_eq!(std::str::from_utf8(&dst).unwrap(), want);
        }
    }

    #[test]
    fn seeded_rng_is_deterministic_and_values_differ() {
        let s = Spec::new(Kind::Base64Url, None).unwrap();
        let a = Generator::new(s.clone()).generate(&mut rng());
        let b = Generator::new(s.clone()).generate(&mut rng());
        assert_eq!(a.expose(), b.expose());
        let mut g = Generator::new(s);
        let mut r = rng();
        let x = g.generate(&mut r);
        let y = g.generate(&mut r);
        assert_ne!(x.expose(), y.expose());
    }

    #[test]
    fn reserve_zeroizing_grows_and_keeps_content() {
        let mut buf = Zeroizing::new(Vec::with_capacity(2));
        buf.extend_from_slice(b"ab");
        reserve_zeroizing(&mut buf, 100);
        assert!(buf.capacity() >= 102);
        assert_eq!(&buf[..], b"ab");
    }

    #[test]
    fn format_bits_never_overstates() {
        assert_eq!(format_bits(256.0), "256");
        assert_eq!(format_bits(130.999), "130.99");
        assert_eq!(format_bits(22.0 * (62f64).log2()), "130.99");
    }

    // --- Uniformity -------------------------------------------------------------------------

    /// Chi-square statistic of `counts` against a uniform distribution.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&c| {
                let d = c as f64 - expected;
                d * d / expected
            })
            .sum()
    }

    /// Critical value of chi-square with `df` degrees of freedom at p = 1e-9 (Wilson-Hilferty
    /// approximation, z = 6.0): a correct sampler fails this about once in a billion runs.
    fn critical(df: usize) -> f64 {
        let k = df as f64;
        let z = 6.0;
        k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
    }

    fn counts_of(alphabet: &str, text: &[u8]) -> Vec<u64> {
        let mut counts = vec![0u64; alphabet.len()];
        for &b in text {
            counts[alphabet.bytes().position(|c| c == b).unwrap()] += 1;
        }
        counts
    }

    const SAMPLE_CHARS: usize = 1_200_000;

    #[test]
    fn every_alphabet_kind_is_uniform_over_a_million_characters() {
        let kinds = [
            Kind::Alnum,
            Kind::Password,
            Kind::Custom(Alphabet::new("0123456789").unwrap()),
            Kind::Custom(Alphabet::new("abc").unwrap()),
        ];
        // Fresh OS-seeded RNG: the test must hold for any seed, not one picked to pass.
        let mut r = ChaCha20Rng::from_rng(&mut rand::rng());
        for kind in kinds {
            let alphabet = kind.charset().to_string();
            let mut g = Generator::new(spec(kind, SizeUnit::Length, 1000));
            let mut text = Zeroizing::new(Vec::new());
            while text.len() < SAMPLE_CHARS {
                g.append(&mut r, &mut text);
            }
            let stat = chi_square(&counts_of(&alphabet, &text));
            let limit = critical(alphabet.len() - 1);
            assert!(stat < limit, "{alphabet}: chi2 {stat:.1} >= {limit:.1}");
        }
    }

    /// Not random at all: yields 0, 1, ..., 255, 0, 1, ... So over whole cycles every byte
    /// value comes up equally often, and a sampler's counts can be checked exactly.
    struct CountingRng(u8);

    impl rand::TryRng for CountingRng {
        type Error = std::convert::Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0u8; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0u8; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                *b = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }

    // Only for these tests: it lets the generator accept the counting RNG.
    impl rand::TryCryptoRng for CountingRng {}

    /// Counts of each character of `alphabet` over `cycles` secrets of `zone` characters (the
    /// accepted byte values per cycle). The sampler asks for 256 bytes at a time, so each secret
    /// takes exactly one cycle of the counting RNG, which starts at `zone`: a sampler that also
    /// used the bytes `zone..=255` (plain `byte % n`) would meet them first and be caught.
    fn exact_counts(alphabet: &str, cycles: usize) -> Vec<u64> {
        let n = alphabet.len();
        let zone = 256 / n * n;
        let kind = Kind::Custom(Alphabet::new(alphabet).unwrap());
        let mut g = Generator::new(spec(kind, SizeUnit::Length, zone as u64));
        let start = zone as u8; // 256 wraps to 0: then no byte is rejected anyway
        let mut rng = CountingRng(start);
        let mut text = Zeroizing::new(Vec::new());
        for _ in 0..cycles {
            g.append(&mut rng, &mut text);
            assert_eq!(
                rng.0, start,
                "{alphabet}: one secret, one cycle of 256 bytes"
            );
        }
        counts_of(alphabet, &text)
    }

    #[test]
    fn every_character_gets_exactly_its_share_of_the_byte_values() {
        // Every alphabet size, from 2 to 94, and the built-in alphabets: each of 256 / n * n
        // accepted byte values maps to one character, 256 / n of them to each.
        let printable: String = ('!'..='~').collect();
        let mut alphabets: Vec<String> = (2..=94).map(|n| printable[..n].to_string()).collect();
        alphabets.extend([ALNUM.to_string(), PASSWORD.to_string(), "abc".to_string()]);
        for alphabet in alphabets {
            let counts = exact_counts(&alphabet, 3);
            let share = (256 / alphabet.len() * 3) as u64;
            assert!(
                counts.iter().all(|&c| c == share),
                "{alphabet}: {counts:?}, each should be {share}"
            );
        }
    }

    #[test]
    fn fail_the_exact_count_catches_a_modulo_sampler_on_three_characters() {
        // `byte % 3` over the first 255 bytes of a cycle starting at 255 (what the generator
        // would take if it used every byte): 255 maps to `a`, and 254 is never reached, so `a`
        // gets 86, `c` 84. The chi-square test above cannot see a bias this small (expected
        // statistic about 39 against a limit of about 48); the exact count does.
        let mut rng = CountingRng(255);
        let mut raw = [0u8; 255];
        rand::Rng::fill_bytes(&mut rng, &mut raw);
        let biased: Vec<u8> = raw.iter().map(|&b| b"abc"[b as usize % 3]).collect();
        assert_eq!(counts_of("abc", &biased), [86, 85, 84]);
    }

    #[test]
    fn fail_the_same_check_catches_a_modulo_sampler() {
        // `byte % 62` over all 256 bytes favours the first 8 characters (5/256 vs 4/256).
        let mut r = ChaCha20Rng::from_rng(&mut rand::rng());
        let mut raw = vec![0u8; SAMPLE_CHARS];
        rand::Rng::fill_bytes(&mut r, &mut raw);
        let biased: Vec<u8> = raw
            .iter()
            .map(|&b| ALNUM.as_bytes()[b as usize % 62])
            .collect();
        let stat = chi_square(&counts_of(ALNUM, &biased));
        let limit = critical(61);
        assert!(
            stat > limit,
            "biased sampler passed: chi2 {stat:.1} < {limit:.1}"
        );
    }
}
