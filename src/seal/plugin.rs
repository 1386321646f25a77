//! age plugins: recipients `age1NAME1...` and identities `AGE-PLUGIN-NAME-1...` handled by the
//! program `age-plugin-NAME` found on `PATH`, as age and rage run them (`age-plugin-yubikey`,
//! `age-plugin-tpm`, `age-plugin-se`: keys that never leave a device).
//!
//! A plugin talks to the user through [`PluginUi`], age's `Callbacks`: its messages ("touch
//! your YubiKey") go to the function the binary installs with [`set_messages`] (stderr,
//! control characters escaped, with the plugin's name); a PIN or passphrase it asks for goes
//! through the same [`PassphrasePrompt`] as protected SSH keys (the terminal, without echo).
//! Nothing envmint stores ever reaches a plugin: it sees only the age file key it wraps or
//! unwraps, and the stanzas.

use std::sync::{Arc, OnceLock};

use age::secrecy::SecretString;

use super::PassphrasePrompt;

/// Where plugin messages go.
type Messages = Arc<dyn Fn(&str) + Send + Sync>;

static MESSAGES: OnceLock<Messages> = OnceLock::new();

/// Installs where plugin messages go (once; the binary does it before any sealing). Without it,
/// messages are dropped.
pub fn set_messages(say: impl Fn(&str) + Send + Sync + 'static) {
    let _ = MESSAGES.set(Arc::new(say));
}

/// age's `Callbacks` for plugins: messages to [`set_messages`]' function, secrets asked through
/// the prompt (when there is one), no confirmation and no public string (a script cannot
/// answer them; the plugin then fails with its own error).
#[derive(Clone)]
pub struct PluginUi {
    /// The plugin's program name, named in messages.
    program: String,
    prompt: Option<PassphrasePrompt>,
}

impl PluginUi {
    /// The callbacks for plugin `name` (the part after `age-plugin-`).
    pub fn new(name: &str, prompt: Option<PassphrasePrompt>) -> PluginUi {
        PluginUi {
            program: format!("age-plugin-{name}"),
            prompt,
        }
    }
}

impl age::Callbacks for PluginUi {
    fn display_message(&self, message: &str) {
        if let Some(say) = MESSAGES.get() {
            let shown: String = message.chars().flat_map(char::escape_debug).collect();
            say(&format!("{}: {shown}", self.program));
        }
    }

    fn confirm(&self, _: &str, _: &str, _: Option<&str>) -> Option<bool> {
        None
    }

    fn request_public_string(&self, _: &str) -> Option<String> {
        None
    }

    fn request_passphrase(&self, description: &str) -> Option<SecretString> {
        self.prompt
            .as_ref()?
            .ask(&format!("{} ({description})", self.program))
    }
}

/// The error for plugin `name` not on `PATH`.
pub fn not_found(name: &str) -> String {
    format!(
        "needs the program age-plugin-{name}, which is not on PATH (install the plugin, as age \
         and rage need it too)"
    )
}
