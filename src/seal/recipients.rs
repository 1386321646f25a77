//! Recipients: who a file is sealed to.
//!
//! Accepted: age X25519 recipients (`age1...`) and SSH public keys `ssh-ed25519` and `ssh-rsa`,
//! written as a line of an `authorized_keys` file or of `https://github.com/USER.keys` (a trailing
//! comment is fine; `authorized_keys` options before the key type are not). A recipients file
//! holds one per line; blank lines and `#` comments are skipped. An age plugin's recipient
//! (`age1yubikey1...`) is accepted too: sealing to it runs `age-plugin-NAME` (see
//! [`super::plugin`]).

use std::fmt;
use std::str::FromStr;

use crate::error::Location;

use super::SealError;

/// One recipient a file is sealed to.
#[derive(Clone)]
pub enum Recipient {
    /// An age X25519 public key (`age1...`).
    X25519(age::x25519::Recipient),
    /// An SSH public key (`ssh-ed25519` or `ssh-rsa`).
    Ssh(age::ssh::Recipient),
    /// An age plugin's recipient (`age1yubikey1...`): sealing runs `age-plugin-NAME`.
    Plugin(age::plugin::Recipient),
}

impl Recipient {
    /// Parses one recipient; the error says why in words (the caller adds where).
    ///
    /// # Errors
    ///
    /// A description of what is wrong that never repeats any of the text: a recipients file
    /// may be a dotenv file by mistake (or by a repository's design), and its first characters
    /// would be a secret. The caller names the file and line.
    pub fn parse(text: &str) -> Result<Recipient, String> {
        let text = text.trim();
        // Checked first and anywhere in the line, in any case (Bech32 accepts lowercase): a
        // secret key pasted after a quote, a label or another word must not reach a message,
        // not even the first characters that `shorten` would show.
        if text
            .as_bytes()
            .windows(15)
            .any(|w| w.eq_ignore_ascii_case(b"AGE-SECRET-KEY-"))
        {
            return Err(
                "this is a secret key (AGE-SECRET-KEY-...), not a recipient; \
                 `envmint keygen -y FILE` prints its recipient"
                    .into(),
            );
        }
        if text.starts_with("age1") {
            // A comment after an age recipient is not part of any format; refuse it clearly.
            let key = text.split_whitespace().next().unwrap_or(text);
            if key.len() != text.len() {
                return Err("an age recipient is one word (no comment after it)".into());
            }
            return match age::x25519::Recipient::from_str(key) {
                Ok(r) => Ok(Recipient::X25519(r)),
                // `age1NAME1...`: a plugin's (an X25519 recipient's prefix is `age1` alone).
                Err(e) => age::plugin::Recipient::from_str(key)
                    .map(Recipient::Plugin)
                    .map_err(|_| format!("not a valid age recipient ({e})")),
            };
        }
        if text.starts_with("ssh-") {
            return match age::ssh::Recipient::from_str(text) {
                Ok(r) => Ok(Recipient::Ssh(r)),
                Err(age::ssh::ParseRecipientKeyError::RsaModulusTooSmall) => {
                    Err("an ssh-rsa key under 2048 bits is too weak".into())
                }
                Err(age::ssh::ParseRecipientKeyError::RsaModulusTooLarge) => {
                    Err("an ssh-rsa key over 4096 bits is not supported".into())
                }
                Err(age::ssh::ParseRecipientKeyError::Unsupported(_)) => {
                    Err(UNSUPPORTED_SSH.into())
                }
                Err(_) => Err("not a valid SSH public key".into()),
            };
        }
        let first = text.split_whitespace().next().unwrap_or("");
        if first.starts_with("ecdsa-sha2-") || first.starts_with("sk-ssh-") {
            return Err(UNSUPPORTED_SSH.into());
        }
        Err(
            "not a recipient (age1..., an age plugin's age1NAME1..., ssh-ed25519 or ssh-rsa)"
                .into(),
        )
    }

    /// The plugin's name, for a plugin recipient.
    pub fn plugin(&self) -> Option<&str> {
        match self {
            Recipient::Plugin(r) => Some(r.plugin()),
            _ => None,
        }
    }
}

/// `recipients` as the `age` crate encrypts to them: X25519 and SSH keys as they are, plugin
/// recipients grouped by plugin, one `age-plugin-NAME` process each (see [`super::plugin`]).
///
/// # Errors
///
/// A plugin that is not on `PATH`, in words.
pub fn for_age(recipients: &[Recipient]) -> Result<Vec<Box<dyn age::Recipient + Send>>, String> {
    let mut out: Vec<Box<dyn age::Recipient + Send>> = Vec::new();
    let mut plugins: Vec<(&str, Vec<age::plugin::Recipient>)> = Vec::new();
    for r in recipients {
        match r {
            Recipient::X25519(r) => out.push(Box::new(r.clone())),
            Recipient::Ssh(r) => out.push(Box::new(r.clone())),
            Recipient::Plugin(p) => match plugins.iter_mut().find(|(n, _)| *n == p.plugin()) {
                Some((_, list)) => list.push(p.clone()),
                None => plugins.push((p.plugin(), vec![p.clone()])),
            },
        }
    }
    for (name, list) in plugins {
        super::plugin::check_lookup(name)?;
        let ui = super::plugin::PluginUi::new(name, None);
        let plugin = age::plugin::RecipientPluginV1::new(name, &list, &[], ui)
            .map_err(|_| super::plugin::not_found(name))?;
        out.push(Box::new(plugin));
    }
    Ok(out)
}

impl fmt::Display for Recipient {
    /// The canonical text: `age1...`, or `ssh-ed25519 AAAA...` without the comment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::X25519(r) => write!(f, "{r}"),
            Recipient::Ssh(r) => write!(f, "{r}"),
            Recipient::Plugin(r) => write!(f, "{r}"),
        }
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({self})")
    }
}

/// What an SSH key of a type age cannot encrypt to gets (its type is not repeated either).
const UNSUPPORTED_SSH: &str = "an SSH key type envmint cannot encrypt to (use ssh-ed25519 or ssh-rsa; ECDSA and \
     security-key types are not supported)";

/// Parses a recipients file: one recipient per line, blank lines and `#` comments skipped.
/// `location` names the file; each error adds the 1-based line.
///
/// # Errors
///
/// [`SealError::BadKey`] naming the first line that does not parse, or the file when it holds
/// no recipient at all.
pub fn parse_file(text: &str, location: &Location) -> Result<Vec<Recipient>, SealError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let r = Recipient::parse(line).map_err(|message| SealError::BadKey {
            location: Location {
                path: location.path.clone(),
                line: Some(i + 1),
            },
            message,
        })?;
        out.push(r);
    }
    if out.is_empty() {
        return Err(SealError::BadKey {
            location: location.clone(),
            message: "no recipient in the file".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN alice@rust";
    const RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDE7nIXTGNuaRBN9toI/wNALuQec8mvlt0iJ7o3OaD2UvoKHJ7S8rmIn4FiQDUed/Vac3OhUibei1k+TBmm16u2Rj3klgWZOIDgi8d4vXKI5N3YBhxr3jsQ+kz1c+iZ4z/tTtz306+4K46XViVMWwyyg9j82Jn41mOAy9vdeDIfQ5fLeaGqn5KwlT61GNkZ+ozWK/ZNlQIlNCcoXxhJULIs9XrtczWyVBAea1nlDo0WHODePxoJjmsNHrpQXn5mf9O83xs10qfTUjnRUt48jRmedFy4tcra3QGmSTQ3KZne+wXXSb0cIpXLGvZjQSPHgG1hc4r3uBpiSzvesGLv79XL alice@rust";
    const AGE: &str = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

    #[test]
    fn the_three_kinds_parse_and_print_canonically() {
        assert_eq!(Recipient::parse(AGE).unwrap().to_string(), AGE);
        let ed = Recipient::parse(ED).unwrap().to_string();
        assert!(ED.starts_with(&ed) && !ed.contains("alice"), "{ed}");
        assert!(matches!(Recipient::parse(RSA).unwrap(), Recipient::Ssh(_)));
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for bad in [
            "",
            "age1",
            "age1qqqq",
            &format!("{AGE} comment"),
            "ssh-ed25519",
            "ssh-ed25519 !!!",
            "ssh-ed25519 AAAA",
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQ==",
            "ecdsa-sha2-nistp256 AAAAE2VjZHNh",
            "AGE-SECRET-KEY-1QQQQ",
            "\u{0}\u{1}\u{2}",
            "é",
        ] {
            let e = Recipient::parse(bad).unwrap_err();
            assert!(!e.is_empty());
            assert!(!e.contains("SECRET-KEY-1QQQQ"), "{e:?}");
            assert!(!e.contains("AAAA") && !e.contains("qqqq"), "{e:?}");
        }
    }

    #[test]
    fn files_skip_comments_and_name_the_bad_line() {
        let loc = Location::new("keys/prod.txt", None);
        let text = format!("# team\n\n{AGE}\n  {ED}\n");
        assert_eq!(parse_file(&text, &loc).unwrap().len(), 2);
        let text = format!("# team\n{AGE}\nnot-a-key\n");
        let e = parse_file(&text, &loc).unwrap_err();
        assert!(e.to_string().starts_with("keys/prod.txt:3: "), "{e:?}");
        assert_eq!(e.exit(), crate::Exit::DataErr);
        // A dotenv file given as a recipients file: the line is named, never shown.
        for line in [
            "DATABASE_PASSWORD=hunter2-very-secret",
            "sk-live-51HxYzSECRETsecret",
            "ecdsa-sha2-nistp256 SECRETAAAAE2VjZHNh",
            "ssh-dss SECRETAAAAB3NzaC1kc3M",
            "age1SECRETnotbech32",
        ] {
            let e = parse_file(&format!("{AGE}\n{line}\n"), &loc).unwrap_err();
            let shown = e.to_string();
            assert!(shown.starts_with("keys/prod.txt:2: "), "{shown}");
            for word in ["hunter2", "SECRET", "live", "DATABASE"] {
                assert!(!shown.contains(word), "{line}: {shown}");
            }
        }
        let e = parse_file("# nobody\n", &loc).unwrap_err();
        assert!(e.to_string().contains("no recipient"), "{e:?}");
    }
}
