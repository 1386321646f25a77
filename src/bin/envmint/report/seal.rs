//! The advice for a sealed file's or a key's error: the keys tried, the variables to set, the
//! command that fixes it (never a secret key or plaintext). What is wrong is the library's
//! words ([`SealError`]'s `Display`).

use envmint::seal::SealError;
use envmint::seal::error::once_each;

/// The advice for a [`SealError`], when a fix is known.
pub(super) fn hint(e: &SealError) -> Option<String> {
    Some(match e {
        SealError::NoIdentity { searched, .. } => {
            if searched.iter().any(|s| s == "-i") {
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
            }
        }
        SealError::NoMatch { stanzas, tried, .. } => format!(
            "the file is sealed to {} of type {}; tried {}",
            crate::output::plural(stanzas.len().max(1), "recipient"),
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
        ),
        SealError::WrongPassphrase { .. } => {
            "check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)".into()
        }
        SealError::Plugin { unanswered, .. } => {
            if *unanswered {
                "run envmint on a terminal: a plugin's question needs a person".into()
            } else {
                "see the plugin's documentation; envmint passes its words on as they are".into()
            }
        }
        SealError::NoPassphrase { .. } => {
            "run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)".into()
        }
        SealError::ExcessiveWork { limit, .. } => format!(
            "envmint accepts scrypt work factors up to {limit}; re-encrypt the file with a lower \
             one (age uses 18)"
        ),
        SealError::UnknownVersion { .. } => "it was written by a newer age or another tool: \
                                              decrypt it there (`age -d`), then seal the \
                                              plaintext again"
            .into(),
        SealError::Malformed { .. } => {
            "the file is not a complete age file; restore it from a copy".into()
        }
        SealError::TooLarge { .. } => "decrypt it to a file with -o".into(),
        SealError::StoreGone { .. } => {
            "restore the sealed file if it was renamed or deleted (a pull request?: git log \
             --stat -- '*.age'); to start a new store from the plaintext, check the recipients \
             and run `envmint rekey ENV`, which shows them and asks first"
                .into()
        }
        SealError::RecipientsChanged { .. } => {
            "a changed recipients list (a pull request?) is applied only by `envmint rekey \
             ENV`, which shows the change and asks first; or restore the list"
                .into()
        }
        SealError::UnpinnedChanged { .. } => {
            "`envmint rekey ENV` shows the manifest's recipients and pins them once you confirm"
                .into()
        }
        SealError::LocksOut { .. } => {
            "add your own recipient to the list, or run `envmint rekey ENV --yes` if losing \
             access is intended"
                .into()
        }
        SealError::UntrustedRecipients {
            path, owner, euid, ..
        } => {
            let path = path.display();
            if owner != euid && *owner != 0 {
                format!(
                    "check its recipients, then take it over: cp {path} {path}.new && mv \
                     {path}.new {path}"
                )
            } else {
                format!("check its recipients, then: chmod go-w {path}")
            }
        }
        SealError::BadPin { .. } => {
            "`envmint rekey ENV` writes the pin again from the manifest's recipients".into()
        }
        SealError::RecipientsFileMissing { .. } => {
            "create it with one recipient per line, or fix `recipients_file`".into()
        }
        // BadKey and CannotSeal (their message says it all) and errors added later.
        _ => return None,
    })
}
