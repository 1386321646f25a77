//! Sealed files: age encryption (the `age` crate, format v1) to recipients or a passphrase.
//!
//! - [`recipients`]: `age1...`, `ssh-ed25519` and `ssh-rsa` public keys, and recipients files.
//! - [`plugin`]: age plugins (`age1yubikey1...`, `AGE-PLUGIN-YUBIKEY-1...`) through
//!   `age-plugin-NAME` on `PATH`.
//! - [`identities`]: identity files (age X25519 keys, SSH private keys) and key text.
//! - [`unsealed`]: the line `unseal ENV` leaves in the plaintext, against lost updates.
//! - [`keygen`]: new X25519 identities in `age-keygen`'s format, and identity → recipient.
//! - [`encrypt`] and [`Opened`]: the streams, armored or binary, detected on input.
//!
//! The library neither prints nor reads the environment: the binary reads `ENVMINT_IDENTITY`,
//! `ENVMINT_AGE_KEY` and `ENVMINT_PASSPHRASE`, prompts on the terminal and passes what it got.
//! No plaintext is released before the whole input has authenticated: [`Plaintext::read_all`]
//! returns nothing on failure, and [`Plaintext::copy_to`] is meant for a temporary file that the
//! caller renames into place only on success (see [`crate::atomic::Locked::write_streamed`]).

pub mod identities;
mod identity;
pub mod keygen;
pub mod pin;
pub mod plugin;
pub mod recipients;
mod stream;
pub mod unsealed;

pub mod error;

pub use error::SealError;
pub use identities::IdentityFile;
pub use identity::{Identity, PassphrasePrompt};
pub use recipients::Recipient;
pub use stream::{
    MAX_SCRYPT_WORK_FACTOR, Opened, Plaintext, SCRYPT_WORK_FACTOR, encrypt, encrypt_with_passphrase,
};

/// The largest plaintext decrypted into memory (stores, stdout of small inputs): 64 MiB, the
/// same bound as a dotenv file ([`crate::atomic::MAX_DOTENV_BYTES`]). Larger inputs go to a file.
pub const MAX_IN_MEMORY: u64 = 64 * 1024 * 1024;

impl From<SealError> for crate::Error {
    fn from(e: SealError) -> Self {
        crate::Error::Seal(e)
    }
}
