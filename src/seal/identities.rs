//! Identities: the private keys that open sealed files.
//!
//! An identity file holds age X25519 keys (`AGE-SECRET-KEY-1...`, several per file, `#`
//! comments and blank lines allowed), or one SSH private key (ed25519 or rsa, OpenSSH format,
//! passphrase-protected or not). A passphrase-protected SSH key asks its passphrase through the
//! [`PassphrasePrompt`] the binary supplies, and only when the file being opened has a stanza
//! for that very key: opening a file sealed to someone else never prompts. Age plugin
//! identities (`AGE-PLUGIN-YUBIKEY-1...`) may sit among the X25519 keys: each plugin's are
//! handed to one `age-plugin-NAME` process (see [`super::plugin`]).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use age_core::format::{FileKey, Stanza};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::Location;

use super::SealError;
pub use super::identity::{Identity, PassphrasePrompt};

/// The largest identity file read: keys are a few kilobytes.
const MAX_IDENTITY_BYTES: u64 = 1024 * 1024;

/// An identity file as loaded.
#[derive(Debug)]
pub struct IdentityFile {
    /// Its identities, in file order.
    pub identities: Vec<Identity>,
    /// The file's permission bits when group or others may read it (the binary warns).
    pub loose_mode: Option<u32>,
}

/// Loads an identity file, following a symlink to it only when `euid` (the effective user id)
/// or root owns it; see the module docs for what it may hold.
///
/// # Errors
///
/// Reading errors as for [`crate::atomic::read_regular`] (a missing file is exit 66);
/// [`SealError::BadKey`] naming the line that does not parse (never its text).
pub fn load_file(path: &Path, prompt: &PassphrasePrompt, euid: u32) -> crate::Result<IdentityFile> {
    use std::os::unix::fs::MetadataExt;
    let bytes = crate::atomic::read_regular(path, MAX_IDENTITY_BYTES, euid)?
        .ok_or_else(|| crate::Error::reading(path, std::io::ErrorKind::NotFound.into()))?;
    let mode = std::fs::metadata(path).map(|m| m.mode() & 0o777).ok();
    let location = Location::new(path, None);
    let bytes = if is_age_file(&bytes) {
        decrypt_identity_file(&bytes, &location, &path.display().to_string(), prompt)?
    } else {
        bytes
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| SealError::BadKey {
        location: location.clone(),
        message: "not a text file, so not an identity file".into(),
    })?;
    let identities = parse(text, &location, &path.display().to_string(), prompt)?;
    Ok(IdentityFile {
        identities,
        loose_mode: mode.filter(|m| m & 0o077 != 0),
    })
}

/// Whether `bytes` are an age file, binary or armored: an encrypted identity file.
fn is_age_file(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let bytes = &bytes[start..];
    bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

/// The identities inside a passphrase-encrypted identity file, as `age -d -i key.age` reads
/// one: the passphrase is asked through `prompt` (the terminal, else `ENVMINT_PASSPHRASE`).
///
/// # Errors
///
/// [`SealError::NoPassphrase`] when none can be had, [`SealError::WrongPassphrase`],
/// [`SealError::BadKey`] for an age file sealed to recipients rather than a passphrase, and
/// the errors of a damaged age file.
fn decrypt_identity_file(
    bytes: &[u8],
    location: &Location,
    name: &str,
    prompt: &PassphrasePrompt,
) -> crate::Result<zeroize::Zeroizing<Vec<u8>>> {
    let opened = super::Opened::new(bytes, name)?;
    if !opened.is_passphrase() {
        return Err(SealError::BadKey {
            location: location.clone(),
            message: "an age file sealed to recipients; an encrypted identity file must be \
                      sealed with a passphrase (age -p, envmint seal --passphrase)"
                .into(),
        }
        .into());
    }
    let passphrase = prompt
        .ask(name)
        .ok_or_else(|| SealError::NoPassphrase { name: name.into() })?;
    // A wrong passphrase names the identity file (the name the file was opened under).
    let plain = opened
        .with_passphrase(passphrase)?
        .read_all(MAX_IDENTITY_BYTES)?;
    if is_age_file(&plain) {
        return Err(SealError::BadKey {
            location: location.clone(),
            message: "encrypted twice; decrypt it once into an identity file".into(),
        }
        .into());
    }
    Ok(plain)
}

/// Parses identities from key text (an identity file's contents, or `ENVMINT_AGE_KEY`).
/// `location` names the source in errors; `name` is what a passphrase prompt is for.
///
/// # Errors
///
/// [`SealError::BadKey`] naming the line that does not parse, or the source when it holds no
/// identity.
pub fn parse(
    text: &str,
    location: &Location,
    name: &str,
    prompt: &PassphrasePrompt,
) -> Result<Vec<Identity>, SealError> {
    let bad = |line: Option<usize>, message: &str| SealError::BadKey {
        location: Location {
            path: location.path.clone(),
            line,
        },
        message: message.into(),
    };
    if text.contains("-----BEGIN ") {
        return parse_ssh(text, name, prompt)
            .map(|i| vec![i])
            .map_err(|m| bad(None, &m));
    }
    let mut out = Vec::new();
    let mut plugins: Vec<age::plugin::Identity> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("AGE-PLUGIN-") {
            use std::str::FromStr;
            let id = age::plugin::Identity::from_str(line)
                .map_err(|_| bad(Some(i + 1), "not a valid age plugin identity"))?;
            plugins.push(id);
            continue;
        }
        if !line.starts_with("AGE-SECRET-KEY-1") {
            let why = if line.starts_with("age1") || line.starts_with("ssh-") {
                "a public key (recipient), not an identity"
            } else {
                "not an age identity (AGE-SECRET-KEY-1...)"
            };
            return Err(bad(Some(i + 1), why));
        }
        let key: age::x25519::Identity = line.parse().map_err(|_| {
            bad(
                Some(i + 1),
                "not a valid age identity (bad checksum or length)",
            )
        })?;
        let public = key.to_public().to_string();
        out.push(Identity {
            inner: Box::new(key),
            public,
            locked: None,
            missing: None,
        });
    }
    // One `age-plugin-NAME` process per plugin, for all of its identities in the file.
    let mut names: Vec<&str> = Vec::new();
    for id in &plugins {
        if !names.contains(&id.plugin()) {
            names.push(id.plugin());
        }
    }
    for name in names {
        super::plugin::check_lookup(name).map_err(|m| bad(None, &m))?;
        let ui = super::plugin::PluginUi::new(name, Some(prompt.clone()));
        let inner = age::plugin::IdentityPluginV1::new(name, &plugins, ui)
            .map_err(|_| bad(None, &super::plugin::not_found(name)))?;
        out.push(Identity {
            inner: Box::new(inner),
            public: format!("age-plugin-{name}"),
            locked: None,
            missing: None,
        });
    }
    if out.is_empty() {
        return Err(bad(None, "no identity in it"));
    }
    Ok(out)
}

/// Parses one SSH private key.
fn parse_ssh(text: &str, name: &str, prompt: &PassphrasePrompt) -> Result<Identity, String> {
    let key = age::ssh::Identity::from_buffer(text.as_bytes(), Some(name.to_string()))
        .map_err(|_| "not a valid SSH private key (OpenSSH ed25519 or rsa)".to_string())?;
    if let age::ssh::Identity::Unsupported(u) = &key {
        return Err(match u {
            age::ssh::UnsupportedKey::EncryptedPem => {
                "a PEM-encrypted RSA key; convert it with `ssh-keygen -p -f FILE`".into()
            }
            _ => "an SSH key type envmint does not support (use ed25519 or rsa)".into(),
        });
    }
    let recipient = age::ssh::Recipient::try_from(key.clone())
        .map_err(|_| "an SSH key type envmint does not support (use ed25519 or rsa)".to_string())?;
    let public = recipient.to_string();
    let locked = matches!(key, age::ssh::Identity::Encrypted(_)).then(|| name.to_string());
    let missing = locked.as_ref().map(|_| Arc::new(AtomicBool::new(false)));
    let inner: Box<dyn age::Identity + Send + Sync> = match (key, &missing) {
        (key @ age::ssh::Identity::Encrypted(_), Some(missing)) => Box::new(LockedSsh {
            tag: ssh_tag(&public),
            name: name.to_string(),
            key,
            prompt: prompt.clone(),
            unlocked: Mutex::new(None),
            missing: Arc::clone(missing),
        }),
        (key, _) => Box::new(key),
    };
    Ok(Identity {
        inner,
        public,
        locked,
        missing,
    })
}

/// The stanza tag an SSH recipient's stanzas carry: the first 4 bytes of the SHA-256 of the
/// public key blob, base64 without padding (age's `ssh_tag`).
fn ssh_tag(public: &str) -> Option<String> {
    let blob = public.split_whitespace().nth(1)?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(blob)
        .ok()?;
    let digest = Sha256::digest(&blob);
    Some(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&digest[..4]))
}

/// A passphrase-protected SSH key, unlocked on first need: only when a stanza carries its tag,
/// and then once per run however many stanzas there are.
struct LockedSsh {
    tag: Option<String>,
    name: String,
    key: age::ssh::Identity,
    prompt: PassphrasePrompt,
    unlocked: Mutex<Option<age::ssh::Identity>>,
    /// Set when the passphrase was needed and none could be had.
    missing: Arc<AtomicBool>,
}

impl age::Identity for LockedSsh {
    fn unwrap_stanza(&self, stanza: &Stanza) -> Option<Result<FileKey, age::DecryptError>> {
        let ours = stanza.tag.starts_with("ssh-")
            && self.tag.is_some()
            && stanza.args.first() == self.tag.as_ref();
        if !ours {
            return None;
        }
        let mut slot = self.unlocked.lock().ok()?;
        if slot.is_none() {
            let age::ssh::Identity::Encrypted(enc) = &self.key else {
                return None;
            };
            let Some(passphrase) = self.prompt.ask(&self.name) else {
                self.missing.store(true, Ordering::Relaxed);
                return Some(Err(age::DecryptError::KeyDecryptionFailed));
            };
            match enc.decrypt(passphrase) {
                Ok(key) => *slot = Some(age::ssh::Identity::from(key)),
                Err(e) => return Some(Err(e)),
            }
        }
        slot.as_ref()?.unwrap_stanza(stanza)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";

    #[test]
    fn several_keys_and_comments() {
        let loc = Location::new("id.txt", None);
        let text = format!("# created: x\n# public key: y\n{KEY}\n\n{KEY}\n");
        let ids = parse(&text, &loc, "id.txt", &PassphrasePrompt::none()).unwrap();
        assert_eq!(ids.len(), 2);
        assert!(ids[0].public().starts_with("age1"));
        assert!(!format!("{:?}", ids[0]).contains("SECRET"));
    }

    #[test]
    fn bad_lines_are_named_without_their_text() {
        let loc = Location::new("id.txt", None);
        let broken = &KEY[..KEY.len() - 1];
        for (text, line) in [
            (format!("# c\n{broken}X\n"), 2),
            ("age1abc\n".to_string(), 1),
            (format!("{KEY}\nhello\n"), 2),
        ] {
            let e = parse(&text, &loc, "id.txt", &PassphrasePrompt::none()).unwrap_err();
            let shown = e.to_string();
            assert!(shown.starts_with(&format!("id.txt:{line}: ")), "{shown}");
            assert!(!shown.contains("EGTZVFF"), "{shown}");
            assert_eq!(e.exit(), crate::Exit::DataErr);
        }
        for junk in [
            "",
            "# only a comment\n",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n",
        ] {
            assert!(parse(junk, &loc, "id.txt", &PassphrasePrompt::none()).is_err());
        }
    }

    #[test]
    fn the_ssh_tag_is_ages() {
        // The tag of this key in age's own test vectors (ssh-ed25519 stanza argument).
        let public =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";
        assert_eq!(ssh_tag(public).unwrap().len(), 6);
        assert_eq!(ssh_tag("ssh-ed25519 !!"), None);
    }
}
