//! Sealed files: age encryption (the `age` crate, format v1) to recipients or a passphrase.
//!
//! - [`recipients`]: `age1...`, `ssh-ed25519` and `ssh-rsa` public keys, and recipients files.
//! - [`identities`]: identity files (age X25519 keys, SSH private keys) and key text.
//! - [`keygen`]: new X25519 identities in `age-keygen`'s format, and identity → recipient.
//! - [`encrypt`] and [`Opened`]: the streams, armored or binary, detected on input.
//!
//! The library neither prints nor reads the environment: the binary reads `ENVMINT_IDENTITY`,
//! `ENVMINT_AGE_KEY` and `ENVMINT_PASSPHRASE`, prompts on the terminal and passes what it got.
//! No plaintext is released before the whole input has authenticated: [`Plaintext::read_all`]
//! returns nothing on failure, and [`Plaintext::copy_to`] is meant for a temporary file that the
//! caller renames into place only on success (see [`crate::atomic::Locked::write_streamed`]).

pub mod identities;
pub mod keygen;
pub mod recipients;
mod stream;

use std::fmt;

pub use identities::{Identity, IdentityFile, PassphrasePrompt};
pub use recipients::Recipient;
pub use stream::{Opened, Plaintext, encrypt, encrypt_with_passphrase};

/// The largest plaintext decrypted into memory (stores, stdout of small inputs): 64 MiB, the
/// same bound as a dotenv file ([`crate::atomic::MAX_DOTENV_BYTES`]). Larger inputs go to a file.
pub const MAX_IN_MEMORY: u64 = 64 * 1024 * 1024;

/// The scrypt work factor (log2 N) envmint encrypts passphrase files with: 18, the value the Go
/// `age` CLI uses, fixed rather than measured on this machine so the cost does not depend on
/// where a file was sealed (about 256 MiB of memory and under a second).
pub const SCRYPT_WORK_FACTOR: u8 = 18;

/// The largest scrypt work factor accepted when decrypting: 20 (1 GiB of memory, a few
/// seconds). Larger factors are refused before any scrypt work: a file could otherwise make
/// envmint compute for minutes and take gigabytes.
pub const MAX_SCRYPT_WORK_FACTOR: u8 = 20;

/// What went wrong with a sealed file or a key. Each maps to an exit code in
/// [`crate::Error::exit`]: refusals to decrypt are 77, malformed inputs 65.
///
/// Messages name the input (`name`, a path or `<stdin>`), line numbers and public keys, never
/// a secret key or plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// No identity was given or found (exit 77).
    NoIdentity {
        /// Where envmint looked, in order, for the hint.
        searched: Vec<String>,
    },
    /// None of the identities opens the file (exit 77).
    NoMatch {
        /// The input.
        name: String,
        /// The stanza types of the file's header (`X25519`, `ssh-ed25519`, ...).
        stanzas: Vec<String>,
        /// The identities tried, by their public key.
        tried: Vec<String>,
    },
    /// The passphrase is wrong (exit 77).
    WrongPassphrase {
        /// The input.
        name: String,
    },
    /// A passphrase is needed and none could be asked for (exit 77).
    NoPassphrase {
        /// What it is for: the input or the identity file.
        name: String,
    },
    /// The file is passphrase-encrypted with a work factor above [`MAX_SCRYPT_WORK_FACTOR`]
    /// (exit 65).
    ExcessiveWork {
        /// The input.
        name: String,
    },
    /// Not an age file, truncated, tampered with, bad armor, trailing data (exit 65).
    Malformed {
        /// The input.
        name: String,
        /// What is wrong, in words.
        what: String,
    },
    /// The plaintext is larger than the in-memory limit (exit 65).
    TooLarge {
        /// The input.
        name: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A recipient or identity that does not parse (exit 65).
    BadKey {
        /// The file (or flag/variable) and line.
        location: crate::error::Location,
        /// What is wrong; never the key text of a secret key.
        message: String,
    },
}

impl SealError {
    /// The exit code.
    pub fn exit(&self) -> crate::Exit {
        use crate::Exit;
        match self {
            SealError::NoIdentity { .. }
            | SealError::NoMatch { .. }
            | SealError::WrongPassphrase { .. }
            | SealError::NoPassphrase { .. } => Exit::NoPerm,
            SealError::ExcessiveWork { .. }
            | SealError::Malformed { .. }
            | SealError::TooLarge { .. }
            | SealError::BadKey { .. } => Exit::DataErr,
        }
    }

    /// The advice line.
    pub fn hint(&self) -> Option<String> {
        match self {
            SealError::NoIdentity { searched } => Some(format!(
                "pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); \
                 looked in: {}",
                searched.join(", ")
            )),
            SealError::NoMatch { stanzas, tried, .. } => Some(format!(
                "the file is sealed to {} recipient(s) of type {}; tried {}",
                stanzas.len().max(1),
                if stanzas.is_empty() {
                    "unknown".to_string()
                } else {
                    dedup(stanzas).join(", ")
                },
                if tried.is_empty() {
                    "no identity".to_string()
                } else {
                    tried.join(", ")
                }
            )),
            SealError::WrongPassphrase { .. } => {
                Some("check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)".into())
            }
            SealError::NoPassphrase { .. } => Some(
                "run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)"
                    .into(),
            ),
            SealError::ExcessiveWork { .. } => Some(format!(
                "envmint accepts scrypt work factors up to {MAX_SCRYPT_WORK_FACTOR}; \
                 re-encrypt the file with a lower one (age uses 18)"
            )),
            SealError::Malformed { .. } => {
                Some("the file is not a complete age file; restore it from a copy".into())
            }
            SealError::TooLarge { .. } => Some("decrypt it to a file with -o".into()),
            SealError::BadKey { .. } => None,
        }
    }
}

impl SealError {
    /// Shows the input's path (a sealed store is named by its full path) and a key file's
    /// location relative to `base` when inside it, as every other error does.
    pub(crate) fn shorten_paths(&mut self, base: &std::path::Path) {
        let shorten = |name: &mut String| {
            let short = crate::path::shown(std::path::Path::new(name.as_str()), base);
            *name = short.display().to_string();
        };
        match self {
            SealError::NoMatch { name, .. }
            | SealError::WrongPassphrase { name }
            | SealError::NoPassphrase { name }
            | SealError::ExcessiveWork { name }
            | SealError::Malformed { name, .. }
            | SealError::TooLarge { name, .. } => shorten(name),
            SealError::BadKey { location, .. } => {
                if let Some(p) = &mut location.path {
                    *p = crate::path::shown(p, base).to_path_buf();
                }
            }
            SealError::NoIdentity { .. } => {}
        }
    }
}

/// Stanza types listed once each, in order.
fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::NoIdentity { .. } => f.write_str("no identity to decrypt with"),
            SealError::NoMatch { name, .. } => {
                write!(f, "{name}: no identity matches any recipient of the file")
            }
            SealError::WrongPassphrase { name } => write!(f, "{name}: wrong passphrase"),
            SealError::NoPassphrase { name } => {
                write!(
                    f,
                    "{name}: a passphrase is needed and there is no terminal to ask on"
                )
            }
            SealError::ExcessiveWork { name } => write!(
                f,
                "{name}: the passphrase's scrypt work factor is above {MAX_SCRYPT_WORK_FACTOR}; \
                 refused rather than computed"
            ),
            SealError::Malformed { name, what } => write!(f, "{name}: {what}"),
            SealError::TooLarge { name, limit } => write!(
                f,
                "{name}: larger than {} MiB, the limit for decrypting into memory",
                limit / (1024 * 1024)
            ),
            SealError::BadKey { location, message } => write!(f, "{location}: {message}"),
        }
    }
}

impl std::error::Error for SealError {}

impl From<SealError> for crate::Error {
    fn from(e: SealError) -> Self {
        crate::Error::Seal(e)
    }
}
