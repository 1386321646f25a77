//! The seal area's error: what went wrong with a sealed file or a key, and its words
//! (`Display`); the advice is the binary's.

use crate::location::Location;
use crate::text::short_keys;
use std::fmt;
use std::path::PathBuf;

/// What went wrong with a sealed file or a key. Each maps to an exit code in
/// [`crate::Error::exit`]: refusals to decrypt are 77, malformed inputs 65.
///
/// Messages name the input (`name`, a path or `<stdin>`), line numbers and public keys, never
/// a secret key or plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// No identity was given or found (exit 77).
    NoIdentity {
        /// The sealed file that needed one, when known, so the error names it.
        name: Option<PathBuf>,
        /// Where envmint looked, in order, for the hint.
        searched: Vec<String>,
    },
    /// None of the identities opens the file (exit 77).
    NoMatch {
        /// The input.
        name: PathBuf,
        /// The stanza types of the file's header (`X25519`, `ssh-ed25519`, ...).
        stanzas: Vec<String>,
        /// The identities tried, by their public key.
        tried: Vec<String>,
    },
    /// The passphrase is wrong (exit 77).
    WrongPassphrase {
        /// The input.
        name: PathBuf,
    },
    /// A passphrase is needed and none could be asked for (exit 77).
    NoPassphrase {
        /// What it is for: the input or the identity file.
        name: PathBuf,
    },
    /// The file is passphrase-encrypted with a work factor above [`MAX_SCRYPT_WORK_FACTOR`](super::MAX_SCRYPT_WORK_FACTOR)
    /// (exit 65).
    ExcessiveWork {
        /// The input.
        name: PathBuf,
        /// The highest work factor accepted.
        limit: u8,
    },
    /// An age file of a format version this build's age crate does not read (a newer age, or
    /// another tool's): not damaged, so not said as [`SealError::Malformed`] (exit 65).
    UnknownVersion {
        /// The input.
        name: PathBuf,
    },
    /// Not an age file, truncated, tampered with, bad armor, trailing data (exit 65).
    Malformed {
        /// The input.
        name: PathBuf,
        /// What is wrong, in words.
        what: String,
    },
    /// The plaintext is larger than the in-memory limit (exit 65).
    TooLarge {
        /// The input.
        name: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// A write to a sealed store whose recipients differ from the set pinned inside it (exit
    /// 77): only `envmint rekey` changes who a store is sealed to.
    RecipientsChanged {
        /// The store.
        name: PathBuf,
        /// Recipients the write would add (canonical public keys).
        added: Vec<String>,
        /// Recipients pinned in the store that the write would drop.
        removed: Vec<String>,
    },
    /// A write to a store that has no pin yet (sealed before pins), whose header has other
    /// recipients (by number and type) than the manifest lists (exit 77).
    UnpinnedChanged {
        /// The store.
        name: PathBuf,
        /// The stanza types of the store's header.
        stanzas: Vec<String>,
        /// The recipients the write would seal to.
        now: Vec<String>,
    },
    /// A write whose recipients include none of the identities that opened the store: the
    /// writer would lock themselves out (exit 77).
    LocksOut {
        /// The store.
        name: PathBuf,
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
        name: PathBuf,
        /// The plaintext file that was unsealed from a store.
        plain: PathBuf,
        /// The recipients the new store would be sealed to (canonical public keys).
        recipients: Vec<String>,
    },
    /// A pin line inside a store that is not a recipient (exit 65).
    BadPin {
        /// The store.
        name: PathBuf,
        /// The 1-based line of the plaintext.
        line: usize,
    },
    /// An age plugin failed to unwrap a file key (exit 77): it asked a question and there
    /// was no terminal to answer it on, or it said why.
    Plugin {
        /// The input.
        name: PathBuf,
        /// What happened, in words (the plugin's own, control characters escaped).
        message: String,
        /// Whether a question went unanswered for want of a terminal.
        unanswered: bool,
    },
    /// The age crate refused to encrypt to the recipients (or with the passphrase) given
    /// (exit 2).
    CannotSeal {
        /// To a passphrase (else to recipients).
        passphrase: bool,
        /// Why, in the age crate's words.
        why: String,
    },
    /// An environment's `recipients_file` that does not exist (exit 66).
    RecipientsFileMissing {
        /// The recipients file.
        path: PathBuf,
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
        let shorten = |name: &mut PathBuf| *name = crate::path::shown(name, base).to_path_buf();
        match self {
            SealError::NoMatch { name, .. }
            | SealError::WrongPassphrase { name }
            | SealError::NoPassphrase { name }
            | SealError::ExcessiveWork { name, .. }
            | SealError::Malformed { name, .. }
            | SealError::UnknownVersion { name }
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
            SealError::UntrustedRecipients { path, .. }
            | SealError::RecipientsFileMissing { path } => shorten(path),
            SealError::CannotSeal { .. } => {}
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

impl fmt::Display for SealError {
    /// Refusals to decrypt name the file; the keys tried and the file's stanza types are the
    /// hint's. Never a secret key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::NoIdentity {
                name: Some(name), ..
            } => write!(
                f,
                "{name}: no identity to decrypt it with",
                name = name.display()
            ),
            SealError::NoIdentity { name: None, .. } => f.write_str("no identity to decrypt with"),
            SealError::NoMatch { name, .. } => {
                write!(
                    f,
                    "{name}: no identity matches any recipient of the file",
                    name = name.display()
                )
            }
            SealError::WrongPassphrase { name } => {
                write!(f, "{name}: wrong passphrase", name = name.display())
            }
            SealError::Plugin { name, message, .. } => {
                write!(f, "{name}: {message}", name = name.display())
            }
            SealError::NoPassphrase { name } => write!(
                f,
                "{name}: a passphrase is needed and there is no terminal to ask on",
                name = name.display()
            ),
            SealError::ExcessiveWork { name, limit } => write!(
                f,
                "{name}: the passphrase's scrypt work factor is above {limit}; \
                 refused rather than computed",
                name = name.display()
            ),
            SealError::Malformed { name, what } => {
                write!(f, "{name}: {what}", name = name.display())
            }
            SealError::UnknownVersion { name } => write!(
                f,
                "{name}: an age format version envmint does not know",
                name = name.display()
            ),
            SealError::TooLarge { name, limit } => write!(
                f,
                "{name}: larger than {} MiB, the limit for decrypting into memory",
                limit / (1024 * 1024),
                name = name.display()
            ),
            SealError::BadKey { location, message } => write!(f, "{location}: {message}"),
            SealError::CannotSeal {
                passphrase: false,
                why,
            } => write!(f, "cannot seal to these recipients: {why}"),
            SealError::CannotSeal {
                passphrase: true,
                why,
            } => write!(f, "cannot seal with a passphrase: {why}"),
            SealError::RecipientsFileMissing { path } => {
                write!(f, "{}: recipients file not found", path.display())
            }
            SealError::StoreGone {
                name,
                plain,
                recipients,
            } => write!(
                f,
                "{name} does not exist, but {plain} was unsealed from a sealed store: a new \
                 store would be sealed to the manifest's {} ({}), whoever the list names now; \
                 refused",
                if recipients.len() == 1 {
                    "1 recipient".to_string()
                } else {
                    format!("{} recipients", recipients.len())
                },
                short_keys(recipients),
                name = name.display(),
                plain = plain.display()
            ),
            SealError::RecipientsChanged {
                name,
                added,
                removed,
            } => {
                let mut what = Vec::new();
                if !added.is_empty() {
                    what.push(format!("adds {}", short_keys(added)));
                }
                if !removed.is_empty() {
                    what.push(format!("removes {}", short_keys(removed)));
                }
                write!(
                    f,
                    "{name}: the manifest's recipients differ from those pinned in the store: \
                     it {}; refused",
                    what.join(" and "),
                    name = name.display()
                )
            }
            SealError::UnpinnedChanged { name, stanzas, now } => write!(
                f,
                "{name}: the store has no recipient pin yet, and it is sealed to {} ({}) where \
                 the manifest lists {} ({}); refused",
                match stanzas.len() {
                    1 => "1 recipient".to_string(),
                    n => format!("{n} recipients"),
                },
                once_each(stanzas).join(", "),
                now.len(),
                short_keys(now),
                name = name.display()
            ),
            SealError::LocksOut { name, identities } => write!(
                f,
                "{name}: none of the new recipients is an identity that opened the store \
                 ({}): this write would lock you out; refused",
                short_keys(identities),
                name = name.display()
            ),
            SealError::UntrustedRecipients {
                path,
                owner,
                euid,
                mode,
            } => {
                let path = path.display();
                if owner != euid && *owner != 0 {
                    write!(
                        f,
                        "{path}: the recipients file is owned by uid {owner}, not by you (uid \
                         {euid}) or root; refused, as whoever can change it chooses who can \
                         read the store"
                    )
                } else {
                    write!(
                        f,
                        "{path}: the recipients file is writable by {} (mode {mode:04o}); \
                         refused, as whoever can change it chooses who can read the store",
                        if mode & 0o002 != 0 {
                            "others"
                        } else {
                            "its group"
                        }
                    )
                }
            }
            SealError::BadPin { name, line } => write!(
                f,
                "{name}: line {line} of the store's recipient pin (`# envmint: sealed-to`) is \
                 not a recipient",
                name = name.display()
            ),
        }
    }
}

impl std::error::Error for SealError {}

/// Items listed once each, in order (a file's stanza types).
pub fn once_each(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}
