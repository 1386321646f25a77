//! The sealed format: an age file decrypted in memory and encrypted to the environment's
//! recipients, so the plaintext never touches disk.

use super::Sealing;
use crate::error::Result;
use crate::seal::{self, Identity, Opened};
use std::path::Path;
use zeroize::Zeroizing;

/// The plaintext of the age file `raw` read from `path`, decrypted with `identities`; refused
/// above [`seal::MAX_IN_MEMORY`]. Nothing is returned unless the whole file authenticated.
pub(super) fn decode(
    path: &Path,
    raw: &[u8],
    identities: &[Identity],
) -> Result<Zeroizing<Vec<u8>>> {
    let name = path.display().to_string();
    Opened::new(raw, &name)?
        .with_identities(identities)?
        .read_all(seal::MAX_IN_MEMORY)
}

/// The age file for `plaintext`, encrypted to `sealing`'s recipients (armored if asked).
pub(super) fn encode(path: &Path, sealing: &Sealing, plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut input = plaintext;
    seal::encrypt(
        &sealing.recipients,
        sealing.armor,
        &mut input,
        Path::new("<plaintext>"),
        Vec::with_capacity(plaintext.len() + 256),
        path,
    )
}
