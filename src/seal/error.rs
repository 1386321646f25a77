//! The seal area's error: what went wrong with a sealed file or a key.

use crate::location::Location;
use std::path::PathBuf;

/// What went wrong with a sealed file or a key. Each maps to an exit code in
/// [`crate::Error::exit`]: refusals to decrypt are 77, malformed inputs 65.
///
/// Messages name the input (`name`, a path or `<stdin>`), line numbers and public keys, never
/// a secret key or plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// No identity was given or found (exit 77).
    NoIdentity {
        /// The sealed file that needed one, when known, so the error names it.
        name: Option<String>,
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
    /// The file is passphrase-encrypted with a work factor above [`MAX_SCRYPT_WORK_FACTOR`](super::MAX_SCRYPT_WORK_FACTOR)
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
    /// A write to a sealed store whose recipients differ from the set pinned inside it (exit
    /// 77): only `envmint rekey` changes who a store is sealed to.
    RecipientsChanged {
        /// The store.
        name: String,
        /// Recipients the write would add (canonical public keys).
        added: Vec<String>,
        /// Recipients pinned in the store that the write would drop.
        removed: Vec<String>,
    },
    /// A write to a store that has no pin yet (sealed before pins), whose header has other
    /// recipients (by number and type) than the manifest lists (exit 77).
    UnpinnedChanged {
        /// The store.
        name: String,
        /// The stanza types of the store's header.
        stanzas: Vec<String>,
        /// The recipients the write would seal to.
        now: Vec<String>,
    },
    /// A write whose recipients include none of the identities that opened the store: the
    /// writer would lock themselves out (exit 77).
    LocksOut {
        /// The store.
        name: String,
        /// The public keys of the identities that were given.
        identities: Vec<String>,
    },
    /// A recipients file another user (not root) owns, or that group or others may write
    /// (exit 77): whoever can change it chooses who can read every secret of the store, as
    /// with a manifest another user owns.
    UntrustedRecipients {
        /// The recipients file.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// The effective user.
        euid: u32,
        /// Its permission bits.
        mode: u32,
    },
    /// A write that would create a sealed store while the environment's plaintext file says it
    /// was unsealed from one (exit 77): the store was renamed or deleted, and a new one would
    /// be sealed to whoever the manifest lists now (a pull request can change both at once).
    /// Only `envmint rekey ENV` creates it, showing the recipients and asking first.
    StoreGone {
        /// The sealed file that does not exist.
        name: String,
        /// The plaintext file that was unsealed from a store.
        plain: String,
        /// The recipients the new store would be sealed to (canonical public keys).
        recipients: Vec<String>,
    },
    /// A pin line inside a store that is not a recipient (exit 65).
    BadPin {
        /// The store.
        name: String,
        /// The 1-based line of the plaintext.
        line: usize,
    },
    /// An age plugin failed to unwrap a file key (exit 77): it asked a question and there
    /// was no terminal to answer it on, or it said why.
    Plugin {
        /// The input.
        name: String,
        /// What happened, in words (the plugin's own, control characters escaped).
        message: String,
        /// Whether a question went unanswered for want of a terminal.
        unanswered: bool,
    },
    /// A recipient or identity that does not parse (exit 65).
    BadKey {
        /// The file (or flag/variable) and line.
        location: Location,
        /// What is wrong; never the key text of a secret key.
        message: String,
    },
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
            | SealError::TooLarge { name, .. }
            | SealError::RecipientsChanged { name, .. }
            | SealError::UnpinnedChanged { name, .. }
            | SealError::LocksOut { name, .. }
            | SealError::Plugin { name, .. }
            | SealError::BadPin { name, .. } => shorten(name),
            SealError::StoreGone { name, plain, .. } => {
                shorten(name);
                shorten(plain);
            }
            SealError::UntrustedRecipients { path, .. } => {
                *path = crate::path::shown(path, base).to_path_buf();
            }
            SealError::BadKey { location, .. } => {
                if let Some(p) = &mut location.path {
                    *p = crate::path::shown(p, base).to_path_buf();
                }
            }
            SealError::NoIdentity { name, .. } => {
                if let Some(name) = name {
                    shorten(name);
                }
            }
        }
    }
}

#[cfg(test)]
impl SealError {
    /// What the library's own tests check: a bad key's location and message (the sentences
    /// users read are written by the binary's `report.rs`).
    pub(crate) fn shown(&self) -> String {
        match self {
            SealError::BadKey { location, message } => format!("{location}: {message}"),
            other => format!("{other:?}"),
        }
    }
}
