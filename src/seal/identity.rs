//! One identity (a private key that opens sealed files) and the passphrase prompt that
//! unlocks a protected one; [`super::identities`] loads them.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use age::secrecy::SecretString;

/// How the binary supplies a passphrase: the argument is what it is for (an identity file's
/// name); `None` means none could be had (no terminal and no `ENVMINT_PASSPHRASE`).
#[derive(Clone)]
pub struct PassphrasePrompt(Arc<AskFn>);

/// The function behind a [`PassphrasePrompt`].
type AskFn = dyn Fn(&str) -> Option<SecretString> + Send + Sync;

impl PassphrasePrompt {
    /// A prompt that calls `ask`.
    pub fn new(ask: impl Fn(&str) -> Option<SecretString> + Send + Sync + 'static) -> Self {
        PassphrasePrompt(Arc::new(ask))
    }

    /// A prompt that never has a passphrase (for scripts and tests).
    pub fn none() -> Self {
        PassphrasePrompt::new(|_| None)
    }

    /// Asks for the passphrase of `what`.
    pub fn ask(&self, what: &str) -> Option<SecretString> {
        (self.0)(what)
    }
}

impl fmt::Debug for PassphrasePrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassphrasePrompt")
    }
}

/// One loaded identity and the public key it answers to.
pub struct Identity {
    pub(super) inner: Box<dyn age::Identity + Send + Sync>,
    pub(super) public: String,
    /// For a passphrase-protected SSH key: the file it came from, so a wrong passphrase names it.
    pub(super) locked: Option<String>,
    /// For a passphrase-protected SSH key: set when its passphrase was needed and none could be
    /// had (no terminal, no `ENVMINT_PASSPHRASE`), which is no wrong passphrase.
    pub(super) missing: Option<Arc<AtomicBool>>,
}

impl Identity {
    /// The public key (recipient) of this identity: `age1...` or `ssh-ed25519 AAAA...`, shown
    /// in hints as the identities tried.
    pub fn public(&self) -> &str {
        &self.public
    }

    /// For a passphrase-protected SSH key, the file (or variable) it was loaded from.
    pub fn locked_name(&self) -> Option<&str> {
        self.locked.as_deref()
    }

    /// Whether this is a protected SSH key whose passphrase was needed and could not be had.
    pub fn passphrase_missing(&self) -> bool {
        self.missing
            .as_ref()
            .is_some_and(|m| m.load(Ordering::Relaxed))
    }

    /// Whether this is an `ssh-rsa` key. RSA decryption in the `rsa` crate is not constant-time
    /// (RUSTSEC-2023-0071, the Marvin attack): the binary warns on each use (SECURITY.md).
    pub fn is_ssh_rsa(&self) -> bool {
        self.public.starts_with("ssh-rsa ")
    }

    /// The identity as the `age` crate uses it.
    pub fn as_age(&self) -> &dyn age::Identity {
        &*self.inner
    }
}

impl fmt::Debug for Identity {
    /// The public key only; the secret never appears.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({})", self.public)
    }
}
