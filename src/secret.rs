//! The secret value type, and growing a zeroizing buffer without leaving copies behind.
//!
//! A [`Secret`] holds its text in a [`secrecy::SecretString`], which zeroizes on drop and has
//! neither `Display` nor a revealing `Debug`. The only way to the characters is
//! [`Secret::expose`], so every place that reads a value is easy to find.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use zeroize::Zeroizing;

/// A generated or loaded secret value. Zeroized on drop; `Debug` prints `Secret(..)`.
///
/// It has no `Display`, so a value cannot reach a message by `{}` (this must not compile):
///
/// ```compile_fail
/// let value = envmint::Secret::new("s3cr3t".to_string());
/// let _ = format!("{value}");
/// ```
///
/// nor by `ToString`:
///
/// ```compile_fail
/// let value = envmint::Secret::new("s3cr3t".to_string());
/// let _ = value.to_string();
/// ```
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a string, taking ownership so no copy is left behind.
    pub fn new(value: String) -> Self {
        Secret(SecretString::from(value))
    }

    /// The value itself. Call only where the value must leave the process (a file, stdout when
    /// asked for) or be compared.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Length in bytes (safe to show: it is a property of the kind, not of the value).
    pub fn len(&self) -> usize {
        self.expose().len()
    }

    /// Whether the value is empty.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
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

/// A keyed hash (HMAC-SHA256) for telling whether two values are equal without keeping or
/// showing either: the key is drawn from the caller's RNG for one run and never leaves the
/// process, so a digest compares values inside that run and is useless to anyone who sees it
/// (no dictionary can be precomputed against a key nobody knows).
pub struct KeyedHash {
    key: Zeroizing<[u8; 32]>,
}

impl KeyedHash {
    /// A hasher with a fresh random key.
    pub fn new(rng: &mut impl rand::CryptoRng) -> KeyedHash {
        let mut key = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut key[..]);
        KeyedHash { key }
    }

    /// A hasher with a key the caller keeps (the diff key of `envmint git diff`, stored in the
    /// repository's git folder), so digests compare across runs that share it.
    pub fn with_key(key: Zeroizing<[u8; 32]>) -> KeyedHash {
        KeyedHash { key }
    }

    /// The keyed digest of `value`: equal values give equal digests within this hasher.
    pub fn digest(&self, value: &str) -> [u8; 32] {
        use hmac::Mac as _;
        let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&self.key[..])
            .expect("HMAC takes a key of any length");
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for KeyedHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyedHash(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-correct-horse".into());
        let shown = format!("{s:?} {s:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(s.expose(), "hunter2-correct-horse");
        assert_eq!(s.len(), 21);
    }

    #[test]
    fn keyed_hashes_match_within_a_run_and_differ_across_keys() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let a = KeyedHash::new(&mut rng);
        let b = KeyedHash::new(&mut rng);
        assert_eq!(a.digest("same"), a.digest("same"));
        assert_ne!(a.digest("same"), a.digest("other"));
        assert_ne!(a.digest("same"), b.digest("same"));
        assert_eq!(format!("{a:?}"), "KeyedHash(..)");
    }

    #[test]
    fn reserve_zeroizing_grows_and_keeps_content() {
        let mut buf = Zeroizing::new(Vec::with_capacity(2));
        buf.extend_from_slice(b"ab");
        reserve_zeroizing(&mut buf, 100);
        assert!(buf.capacity() >= 102);
        assert_eq!(&buf[..], b"ab");
    }
}
