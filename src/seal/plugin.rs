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

use std::ffi::OsString;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use age::secrecy::SecretString;

use super::PassphrasePrompt;

/// Where plugin messages go.
type Messages = Arc<dyn Fn(&str) + Send + Sync>;

static MESSAGES: OnceLock<Messages> = OnceLock::new();

/// A confirmation asked of the user: program, message, yes, no; `Some(true)` for yes.
pub type Confirm = dyn Fn(&str, &str, &str, Option<&str>) -> Option<bool> + Send + Sync;

/// A public string asked of the user: program, description; what was typed.
pub type AskPublic = dyn Fn(&str, &str) -> Option<String> + Send + Sync;

/// How the binary answers a plugin's questions: on the terminal, or not at all (`None`) when
/// there is none (the failed unwrap then says so, [`take_unanswered`]). The first argument is
/// always the plugin's program name.
pub struct Questions {
    /// A confirmation: the plugin's message, the answer meaning yes, the one meaning no (age's
    /// default "no" when the plugin names none). `Some(true)` for yes.
    pub confirm: Box<Confirm>,
    /// A public string (a slot, a label): what the user typed, echoed, not a secret.
    pub public: Box<AskPublic>,
}

static QUESTIONS: OnceLock<Questions> = OnceLock::new();

/// The first question no one could answer (no terminal): the plugin's program and the
/// question, for the error once the plugin has failed ([`take_unanswered`]).
static UNANSWERED: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);

/// The question a plugin asked that no one could answer, if any, forgotten once taken: what
/// a failed unwrap is reported as ([`super::SealError::Plugin`]).
pub fn take_unanswered() -> Option<(String, String)> {
    UNANSWERED.lock().ok()?.take()
}

/// Notes that `question` of `program` went unanswered (the first such stays).
fn unanswered(program: &str, question: &str) {
    if let Ok(mut slot) = UNANSWERED.lock() {
        slot.get_or_insert_with(|| (program.to_string(), question.to_string()));
    }
}

/// Installs how plugin questions are answered (once). Without it, none is: the plugin then
/// fails with its own error.
pub fn set_questions(questions: Questions) {
    let _ = QUESTIONS.set(questions);
}

/// Installs where plugin messages go (once; the binary does it before any sealing). Without it,
/// messages are dropped.
pub fn set_messages(say: impl Fn(&str) + Send + Sync + 'static) {
    let _ = MESSAGES.set(Arc::new(say));
}

/// The `PATH` plugins are looked up in, as the binary read it ([`set_search_path`]).
static SEARCH_PATH: OnceLock<Option<OsString>> = OnceLock::new();

/// Gives the value of `PATH` that the age crate will search for `age-plugin-NAME` (it reads
/// the process's own), so that [`check_lookup`] can refuse what that search would find in a
/// relative entry. Once; without it, no lookup is checked.
pub fn set_search_path(path: Option<OsString>) {
    let _ = SEARCH_PATH.set(path);
}

/// Refuses to run plugin `name` when the `PATH` search would find `age-plugin-NAME` first in
/// a relative or empty entry (`.`, `bin`, `::`): that entry names a folder of wherever envmint
/// runs, a cloned repository's included, which could plant `./age-plugin-yubikey` to see
/// the file keys. Only absolute entries count; a program found first in one is what age runs.
///
/// # Errors
///
/// The refusal, in words naming the entry and the program, never run.
pub fn check_lookup(name: &str) -> Result<(), String> {
    let Some(Some(path)) = SEARCH_PATH.get() else {
        return Ok(());
    };
    lookup_in(name, path)
}

/// [`check_lookup`] against the `PATH` value `path`.
fn lookup_in(name: &str, path: &std::ffi::OsStr) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let program = format!("age-plugin-{name}");
    let runnable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    for entry in std::env::split_paths(path) {
        let candidate = entry.join(&program);
        if !runnable(&candidate) {
            continue;
        }
        if entry.is_absolute() {
            return Ok(());
        }
        let shown = if entry.as_os_str().is_empty() {
            "an empty entry (the working folder)".to_string()
        } else {
            format!("the relative entry `{}`", entry.display())
        };
        return Err(format!(
            "would run {program} found through {shown} of PATH; refused: envmint runs plugins \
             only from absolute PATH entries, where a checked-out repository cannot plant one"
        ));
    }
    Ok(())
}

/// age's `Callbacks` for plugins: messages to [`set_messages`]' function, secrets asked through
/// the prompt (when there is one), confirmations and public strings through [`set_questions`]'
/// (the terminal; with none, the binary says so and the plugin fails with its own error).
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

    fn confirm(&self, message: &str, yes: &str, no: Option<&str>) -> Option<bool> {
        let shown: String = message.chars().flat_map(char::escape_debug).collect();
        let answer = QUESTIONS
            .get()
            .and_then(|q| (q.confirm)(&self.program, &shown, yes, no));
        if answer.is_none() {
            unanswered(&self.program, &shown);
        }
        answer
    }

    fn request_public_string(&self, description: &str) -> Option<String> {
        let shown: String = description.chars().flat_map(char::escape_debug).collect();
        let answer = QUESTIONS
            .get()
            .and_then(|q| (q.public)(&self.program, &shown));
        if answer.is_none() {
            unanswered(&self.program, &shown);
        }
        answer
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
