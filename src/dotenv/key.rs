//! The keys envmint writes.

/// Whether envmint writes `key`: `[A-Za-z_][A-Za-z0-9_]*`, the names a POSIX shell accepts.
///
/// Documents read more (dots and dashes, a leading digit), but such keys cannot be set.
pub fn is_valid_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
