//! The plain format: the file's bytes are the plaintext, so a snapshot holds them once.

use super::Content;
use zeroize::Zeroizing;

/// The plaintext of a plain file: its bytes, taken over without a copy.
pub(super) fn decode(raw: Zeroizing<Vec<u8>>) -> Content {
    Content::new(raw)
}

/// The bytes a plain file holds for `plaintext`: the plaintext itself, borrowed.
pub(super) fn encode(plaintext: &[u8]) -> &[u8] {
    plaintext
}
