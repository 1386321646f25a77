//! A sealed file's or a key's error in words (never a secret key or plaintext).

use super::once_each;
use super::short_keys;
use envmint::seal::SealError;

/// The seal area's words: refusals to decrypt name the keys tried and the file's stanza types,
/// never a secret key.
pub(super) fn seal(e: &SealError) -> (String, Option<String>) {
    use envmint::seal::MAX_SCRYPT_WORK_FACTOR;
    match e {
        SealError::NoIdentity { name, searched } => (
            match name {
                Some(name) => format!("{name}: no identity to decrypt it with"),
                None => "no identity to decrypt with".into(),
            },
            Some(if searched.iter().any(|s| s == "-i") {
                format!(
                    "pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the \
                     key); looked in: {}",
                    searched.join(", ")
                )
            } else {
                format!(
                    "set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: {}",
                    searched.join(", ")
                )
            }),
        ),
        SealError::NoMatch {
            name,
            stanzas,
            tried,
        } => (
            format!("{name}: no identity matches any recipient of the file"),
            Some(format!(
                "the file is sealed to {} recipient(s) of type {}; tried {}",
                stanzas.len().max(1),
                if stanzas.is_empty() {
                    "unknown".to_string()
                } else {
                    once_each(stanzas).join(", ")
                },
                if tried.is_empty() {
                    "no identity".to_string()
                } else {
                    tried.join(", ")
                }
            )),
        ),
        SealError::WrongPassphrase { name } => (
            format!("{name}: wrong passphrase"),
            Some("check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)".into()),
        ),
        SealError::Plugin {
            name,
            message,
            unanswered,
        } => (
            format!("{name}: {message}"),
            Some(if *unanswered {
                "run envmint on a terminal: a plugin's question needs a person".into()
            } else {
                "see the plugin's documentation; envmint passes its words on as they are".into()
            }),
        ),
        SealError::NoPassphrase { name } => (
            format!("{name}: a passphrase is needed and there is no terminal to ask on"),
            Some(
                "run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)"
                    .into(),
            ),
        ),
        SealError::ExcessiveWork { name } => (
            format!(
                "{name}: the passphrase's scrypt work factor is above {MAX_SCRYPT_WORK_FACTOR}; \
                 refused rather than computed"
            ),
            Some(format!(
                "envmint accepts scrypt work factors up to {MAX_SCRYPT_WORK_FACTOR}; \
                 re-encrypt the file with a lower one (age uses 18)"
            )),
        ),
        SealError::Malformed { name, what } => (
            format!("{name}: {what}"),
            Some("the file is not a complete age file; restore it from a copy".into()),
        ),
        SealError::TooLarge { name, limit } => (
            format!(
                "{name}: larger than {} MiB, the limit for decrypting into memory",
                limit / (1024 * 1024)
            ),
            Some("decrypt it to a file with -o".into()),
        ),
        SealError::BadKey { location, message } => (format!("{location}: {message}"), None),
        SealError::StoreGone {
            name,
            plain,
            recipients,
        } => (
            format!(
                "{name} does not exist, but {plain} was unsealed from a sealed store: a new store \
                 would be sealed to the manifest's {} ({}), whoever the list names now; refused",
                if recipients.len() == 1 {
                    "1 recipient".to_string()
                } else {
                    format!("{} recipients", recipients.len())
                },
                short_keys(recipients)
            ),
            Some(
                "restore the sealed file if it was renamed or deleted (a pull request?: git log \
                 --stat -- '*.age'); to start a new store from the plaintext, check the \
                 recipients and run `envmint rekey ENV`, which shows them and asks first"
                    .into(),
            ),
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
            (
                format!(
                    "{name}: the manifest's recipients differ from those pinned in the store: \
                     it {}; refused",
                    what.join(" and ")
                ),
                Some(
                    "a changed recipients list (a pull request?) is applied only by `envmint \
                     rekey ENV`, which shows the change and asks first; or restore the list"
                        .into(),
                ),
            )
        }
        SealError::UnpinnedChanged { name, stanzas, now } => (
            format!(
                "{name}: the store has no recipient pin yet, and it is sealed to {} \
                 recipient(s) ({}) where the manifest lists {} ({}); refused",
                stanzas.len(),
                once_each(stanzas).join(", "),
                now.len(),
                short_keys(now)
            ),
            Some(
                "`envmint rekey ENV` shows the manifest's recipients and pins them once you \
                 confirm"
                    .into(),
            ),
        ),
        SealError::LocksOut { name, identities } => (
            format!(
                "{name}: none of the new recipients is an identity that opened the store \
                 ({}): this write would lock you out; refused",
                short_keys(identities)
            ),
            Some(
                "add your own recipient to the list, or run `envmint rekey ENV --yes` if \
                 losing access is intended"
                    .into(),
            ),
        ),
        SealError::UntrustedRecipients {
            path,
            owner,
            euid,
            mode,
        } => {
            let path = path.display();
            if owner != euid && *owner != 0 {
                (
                    format!(
                        "{path}: the recipients file is owned by uid {owner}, not by you (uid \
                         {euid}) or root; refused, as whoever can change it chooses who can \
                         read the store"
                    ),
                    Some(format!(
                        "check its recipients, then take it over: cp {path} {path}.new && mv \
                         {path}.new {path}"
                    )),
                )
            } else {
                (
                    format!(
                        "{path}: the recipients file is writable by {} (mode {mode:04o}); \
                         refused, as whoever can change it chooses who can read the store",
                        if mode & 0o002 != 0 {
                            "others"
                        } else {
                            "its group"
                        }
                    ),
                    Some(format!("check its recipients, then: chmod go-w {path}")),
                )
            }
        }
        SealError::BadPin { name, line } => (
            format!(
                "{name}: line {line} of the store's recipient pin (`# envmint: sealed-to`) is \
                 not a recipient"
            ),
            Some("`envmint rekey ENV` writes the pin again from the manifest's recipients".into()),
        ),
    }
}
