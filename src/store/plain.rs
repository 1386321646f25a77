//! The plain format: the file's bytes are the plaintext, so a snapshot holds them once.

use zeroize::Zeroizing;

/// The plaintext of a plain file: its bytes, taken over without a copy.
pub(super) fn decode(raw: Zeroizing<Vec<u8>>) -> Zeroizing<Vec<u8>> {
    raw
}

/// The bytes a plain file holds for `plaintext`: the plaintext itself, borrowed.
pub(super) fn encode(plaintext: &[u8]) -> &[u8] {
    plaintext
}
