//! The manifest as data: its environments, secrets, sealing and limits, and the questions
//! asked of it (which environment, which secrets apply).

use super::{Hooks, Role, looks_like_credential};
use crate::error::{Error, Result, UnknownEnvironment};
use crate::generate::Spec;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file name searched for in the working directory and its parents.
pub const FILE_NAME: &str = "envmint.toml";

/// The largest manifest envmint reads. Real manifests are a few kilobytes; the limit keeps a
/// manifest that is a link to a huge file from eating memory.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// The longest key name a manifest may declare, in characters.
pub const MAX_KEY_LEN: usize = 255;

/// The longest environment name, in characters: it becomes part of a file name
/// (`.env.NAME.local`) and of every summary line.
pub const MAX_ENV_NAME_LEN: usize = 64;

/// The default mode of an environment's file when it declares none.
pub const DEFAULT_MODE: u32 = 0o600;

/// Default rotation period when the manifest names none.
pub const DEFAULT_ROTATE_EVERY: Duration = Duration::from_secs(90 * 86_400);

/// Where a manifest came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An `envmint.toml` file (found by the search or given with `--manifest`).
    File(PathBuf),
    /// The built-in preset.
    Builtin,
}

/// A validated manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub(super) source: Source,
    pub(super) rotate_every: Option<Duration>,
    pub(super) overlap: Option<Duration>,
    pub(super) role: Role,
    pub(super) environments: Vec<Environment>,
    pub(super) secrets: Vec<SecretDecl>,
}

/// One declared environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    /// Its name, e.g. `production`.
    pub name: String,
    /// Its dotenv file: resolved against the manifest's folder, with `.` and `..` resolved
    /// lexically (a relative `file` never leaves that folder), or absolute as declared.
    pub file: PathBuf,
    /// The mode the file must have (`mode = "0640"` in `[environments.NAME]` or `[defaults]`):
    /// one of 0600, 0640, 0400, 0440. `None` when the manifest declares none, which means
    /// [`DEFAULT_MODE`].
    pub mode: Option<u32>,
    /// Set when the environment is sealed (`sealed = ".env.production.age"`): its store is
    /// that age file, and [`file`](Self::file) is only where `envmint unseal ENV` writes the
    /// plaintext and where `envmint seal ENV` reads it.
    pub sealed: Option<Sealed>,
    /// `after = "systemctl reload app"`: run once after a rotation wrote this environment's
    /// store (see [`Hooks`]).
    pub after: Option<String>,
    /// `hook_timeout` for `after` (its own, or `[defaults]`').
    pub hook_timeout: Duration,
}

impl Environment {
    /// The file that stores this environment's secrets: the sealed file when it is sealed,
    /// else its dotenv file.
    pub fn store_path(&self) -> &Path {
        self.sealed.as_ref().map_or(&self.file, |s| &s.path)
    }
}

/// How a sealed environment is stored (`sealed`, `recipients`, `recipients_file`, `armor`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The age file, resolved as `file` is.
    pub path: PathBuf,
    /// The recipients listed in the manifest, checked and in canonical form (`age1...`, or an
    /// SSH key without its comment).
    pub recipients: Vec<String>,
    /// A file of more recipients (one per line, `#` comments), resolved as `file` is. Read
    /// when the environment is sealed ([`Sealed::all_recipients`]), so an error names its line.
    pub recipients_file: Option<PathBuf>,
    /// Whether the file is written ASCII-armored.
    pub armor: bool,
}

impl Sealed {
    /// Every recipient: the manifest's, then the recipients file's, each once.
    ///
    /// # Errors
    ///
    /// Reading the recipients file (a missing one is exit 66); a line that does not parse, or a
    /// file without a recipient, is [`crate::seal::SealError::BadKey`] naming the file and line
    /// (exit 65). A recipients file `euid` (the effective user id) or root does not own, or
    /// that group or others may write, is refused (exit 77).
    pub fn all_recipients(&self, euid: u32) -> Result<Vec<crate::seal::Recipient>> {
        let mut out = Vec::new();
        for text in &self.recipients {
            // Checked when the manifest was parsed; a failure here would be a bug, reported
            // rather than panicked on.
            let r = crate::seal::Recipient::parse(text).map_err(|message| {
                crate::seal::SealError::BadKey {
                    location: crate::error::Location::new(&self.path, None),
                    message,
                }
            })?;
            out.push(r);
        }
        if let Some(path) = &self.recipients_file {
            let (bytes, meta) =
                crate::atomic::read_regular_with_metadata(path, MAX_MANIFEST_BYTES, euid)?
                    .ok_or_else(|| crate::seal::SealError::RecipientsFileMissing {
                        path: path.clone(),
                    })?;
            trust_recipients_file(path, &meta, euid)?;
            let text = String::from_utf8_lossy(&bytes);
            let location = crate::error::Location::new(path, None);
            out.extend(crate::seal::recipients::parse_file(&text, &location)?);
        }
        let mut seen: Vec<String> = Vec::with_capacity(out.len());
        out.retain(|r| {
            let text = r.to_string();
            let fresh = !seen.contains(&text);
            seen.push(text);
            fresh
        });
        Ok(out)
    }
}

/// Refuses a recipients file, with the metadata of the very file read, that a user other than
/// `euid` or root owns, or that group or others may write: whoever can change it decides who
/// can read the store (the manifest's trust rule, and git's `safe.directory`).
fn trust_recipients_file(path: &Path, meta: &std::fs::Metadata, euid: u32) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let (owner, mode) = (meta.uid(), meta.mode() & 0o7777);
    if (owner != euid && owner != 0) || mode & 0o022 != 0 {
        return Err(crate::seal::SealError::UntrustedRecipients {
            path: path.to_path_buf(),
            owner,
            euid,
            mode,
        }
        .into());
    }
    Ok(())
}

/// One declared secret.
#[derive(Clone, Debug)]
pub struct SecretDecl {
    /// The key, a valid environment variable name of at most [`MAX_KEY_LEN`] characters.
    pub key: String,
    /// Kind and size.
    pub spec: Spec,
    /// How often it should be rotated (its own, or the default); `None` for
    /// `rotate_every = "never"`: its age is tracked, it never falls due.
    pub rotate_every: Option<Duration>,
    /// The environments it belongs to; `None` means all.
    pub environments: Option<Vec<String>>,
    /// `external = true`: a value envmint never generates (a provider's API key). It is given
    /// with `envmint set`; bootstrap reports it missing and rotate reports it due. Its
    /// [`spec`](Self::spec) is the default one and describes nothing: an external secret
    /// declares no kind or size (the manifest refuses them).
    pub external: bool,
    /// `overlap = "7d"` (its own, or `[defaults]`): how long a retired value is kept beside the
    /// new one after a rotation. `None`: retired values are dropped at once.
    pub overlap: Option<Duration>,
    /// Where retired values go (`previous = ...`); `KEY_PREVIOUS` unless declared.
    pub previous: Previous,
    /// What it is for (`role = ...`, its own or `[defaults]`'s; [`Role::Signing`] when none
    /// is declared): decides how [`crate::plan::rotation`] treats it.
    pub role: Role,
    /// Whether a `role` was declared (its own or `[defaults]`'s): a secret without one that
    /// is named like a credential is treated as one by scheduled rotation
    /// ([`SecretDecl::scheduled_role`]).
    pub role_declared: bool,
    /// The 1-based line of its `[secrets.KEY]` table in the manifest (warnings name it).
    pub line: usize,
    /// `[secrets.KEY.hooks]` and `alternate`: how the value is changed at its service. `None`
    /// when it declares no hook (the value only changes in the file).
    pub hooks: Option<Hooks>,
}

/// Where a secret's retired values are kept during its overlap window, in one of the shapes
/// apps read them (`previous = ...` in `[secrets.KEY]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Previous {
    /// One variable holding the last retired value: `previous = "JWT_SECRET_KEY_PREVIOUS"`
    /// (the default is `KEY_PREVIOUS`).
    One(String),
    /// Numbered variables, 1 the newest, keeping at most `keep`:
    /// `previous = { numbered = "AUTH_SECRET_{n}", keep = 2 }` (Auth.js).
    Numbered {
        /// The name with `{n}` where the number goes (exactly once).
        pattern: String,
        /// How many retired values are kept, 1 to [`MAX_KEEP`].
        keep: usize,
    },
    /// One variable holding up to `keep` retired values, newest first, joined by `separator`:
    /// `previous = { list = "APP_PREVIOUS_KEYS", separator = ",", keep = 2 }` (Laravel, a
    /// Django `SECRET_KEY_FALLBACKS` split by its settings file).
    List {
        /// The variable.
        name: String,
        /// What joins the values; never a character the secret's generator can produce.
        separator: String,
        /// How many retired values are kept, 1 to [`MAX_KEEP`].
        keep: usize,
    },
    /// Named variables, newest first, one retired value each:
    /// `previous = { slots = ["AUTH_SECRET_2", "AUTH_SECRET_1", "AUTH_SECRET"] }`. For an app
    /// that reads a fixed set of names in its own order: Auth.js reads `AUTH_SECRET_3`, `_2`,
    /// `_1`, then `AUTH_SECRET`, and encrypts with the first it finds, so its preset keeps the
    /// current value in `AUTH_SECRET_3` and the retired ones in these slots.
    Slots(Vec<String>),
}

/// The most retired values a `previous` may keep.
pub const MAX_KEEP: usize = 16;

/// The placeholder of a numbered `previous` pattern.
pub const NUMBER_PLACEHOLDER: &str = "{n}";

impl Previous {
    /// The default for `key`: one variable, `KEY_PREVIOUS`.
    pub fn default_for(key: &str) -> Previous {
        // Without the formatting machinery: every secret of a manifest gets one.
        const SUFFIX: &str = "_PREVIOUS";
        let mut name = String::with_capacity(key.len() + SUFFIX.len());
        name.push_str(key);
        name.push_str(SUFFIX);
        Previous::One(name)
    }

    /// How many retired values it keeps (1 for [`Previous::One`]).
    pub fn keep(&self) -> usize {
        match self {
            Previous::One(_) => 1,
            Previous::Numbered { keep, .. } | Previous::List { keep, .. } => *keep,
            Previous::Slots(names) => names.len(),
        }
    }

    /// The variable names it uses, newest first: the one name, `X_1` to `X_keep`, or the list's
    /// name. `keep_override` replaces the declared `keep` of the numbered form (the list form
    /// and the one-name form always use one variable).
    pub fn names(&self, keep_override: Option<usize>) -> Vec<String> {
        match self {
            Previous::One(name) | Previous::List { name, .. } => vec![name.clone()],
            Previous::Numbered { pattern, keep } => (1..=keep_override.unwrap_or(*keep))
                .map(|n| numbered(pattern, n))
                .collect(),
            Previous::Slots(names) => names.clone(),
        }
    }

    /// The variable of the `n`-th newest retired value (from 1) in a form with one value per
    /// variable: the numbered name (up to [`MAX_KEEP`]) or the `n`-th slot; `None` past them
    /// and for the one-name and list forms.
    pub fn slot(&self, n: usize) -> Option<String> {
        match self {
            Previous::Numbered { pattern, .. } if (1..=MAX_KEEP).contains(&n) => {
                Some(numbered(pattern, n))
            }
            Previous::Slots(names) => n.checked_sub(1).and_then(|i| names.get(i)).cloned(),
            _ => None,
        }
    }
}

/// `pattern` with its `{n}` replaced by `n`.
pub fn numbered(pattern: &str, n: usize) -> String {
    pattern.replacen(NUMBER_PLACEHOLDER, &n.to_string(), 1)
}

impl SecretDecl {
    /// The role `rotate --due` and `--all` treat it as: its role, but a secret that declares
    /// none, is not external, and is named like a credential ([`looks_like_credential`]) counts
    /// as a credential. This refines "a secret without a role is signing": deleting
    /// `role = "credential"` from `DB_PASSWORD` must not make the next scheduled run change
    /// the password in the file alone and lock the app out of its database.
    pub fn scheduled_role(&self) -> Role {
        if self.credential_by_name() {
            Role::Credential
        } else {
            self.role
        }
    }

    /// Whether it declares no role, is not external, and is named like a credential: kept by
    /// scheduled rotation as a credential, with a warning asking for a declared `role`.
    pub fn credential_by_name(&self) -> bool {
        !self.role_declared && !self.external && looks_like_credential(&self.key)
    }

    /// Whether a rotation keeps its old value under [`previous`](Self::previous): with an
    /// overlap, or always for an encryption key (its keyring).
    pub fn keeps_previous(&self) -> bool {
        self.overlap.is_some() || self.role == Role::Encryption
    }

    /// Whether this secret belongs in environment `env`.
    pub fn applies_to(&self, env: &str) -> bool {
        self.environments
            .as_ref()
            .is_none_or(|list| list.iter().any(|e| e == env))
    }
}

impl Manifest {
    /// Where this manifest came from: the binary says which one it used.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The default rotation period (`None`: `rotate_every = "never"` in `[defaults]`).
    pub fn rotate_every(&self) -> Option<Duration> {
        self.rotate_every
    }

    /// The default role (`role` in `[defaults]`; [`Role::Signing`] when none is declared).
    pub fn role(&self) -> Role {
        self.role
    }

    /// The default overlap (`overlap` in `[defaults]`), if any.
    pub fn overlap(&self) -> Option<Duration> {
        self.overlap
    }

    /// The declared environments, in declaration order.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// The declared secrets, in declaration order.
    pub fn secrets(&self) -> &[SecretDecl] {
        &self.secrets
    }

    /// The environment called `name`; a usage error (exit 2) listing the declared ones if there
    /// is none, suggesting a close one, or how to declare it when `name` is a valid name.
    pub fn environment(&self, name: &str) -> Result<&Environment> {
        if let Some(env) = self.environments.iter().find(|e| e.name == name) {
            return Ok(env);
        }
        let declared: Vec<&str> = self.environments.iter().map(|e| e.name.as_str()).collect();
        let unknown = UnknownEnvironment {
            name: name.to_string(),
            shown: shown_name(name),
            valid_name: valid_env_name(name),
            did_you_mean: closest(name, declared.iter().copied()).map(str::to_string),
            is_secret: self.secrets.iter().any(|s| s.key == name),
            declared: declared.iter().map(|d| d.to_string()).collect(),
            declared_in: match &self.source {
                Source::File(p) => Some(p.clone()),
                Source::Builtin => None,
            },
        };
        Err(Error::UnknownEnvironment(Box::new(unknown)))
    }

    /// The secrets that belong in environment `env`, in declaration order.
    pub fn secrets_for<'a>(&'a self, env: &'a str) -> impl Iterator<Item = &'a SecretDecl> + 'a {
        self.secrets.iter().filter(move |s| s.applies_to(env))
    }
}

/// Whether `name` can name an environment: letters, digits, `-` and `_`, at most
/// [`MAX_ENV_NAME_LEN`]. Every such name is also a bare TOML key, so a hint may suggest
/// `[environments.NAME]` as it is.
pub(crate) fn valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ENV_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `name` as shown in a message: at most 40 characters (a 64 KiB key name must not flood the
/// terminal) with control characters escaped (a name must not forge a `hint:` line or a
/// terminal escape).
pub(crate) fn shown_name(name: &str) -> String {
    const SHOWN: usize = 40;
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The candidate closest to `given`, if one is close enough to be a likely typo or
/// abbreviation: at most 2 edits (1 for names of 3 characters or fewer), or a prefix of at least
/// 3 characters (`prod` for `production`).
pub(crate) fn closest<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = if given.chars().count() <= 3 { 1 } else { 2 };
    // Case is compared loosely: `PRODUCTION` or `Hex` is a slip, not a new name.
    let given = given.to_lowercase();
    candidates
        .into_iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let d = edit_distance(&given, &lower);
            let prefix =
                given.len() >= 3 && (lower.starts_with(&given) || given.starts_with(&lower));
            (d <= limit || prefix).then_some((d, c))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance, by characters ([`strsim::levenshtein`]). Inputs are names from a
/// manifest or the command line; long ones are cut off, so the cost stays small whatever the
/// input.
fn edit_distance(a: &str, b: &str) -> usize {
    const MAX: usize = 100;
    let cut = |s: &str| -> String { s.chars().take(MAX).collect() };
    strsim::levenshtein(&cut(a), &cut(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;

    #[test]
    fn the_preset_is_the_web_default() {
        let m = Manifest::builtin(Path::new("/app"));
        assert_eq!(m.source(), &Source::Builtin);
        let names: Vec<_> = m.environments().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["development", "staging", "production"]);
        let prod = m.environment("production").unwrap();
        assert_eq!(prod.file, Path::new("/app/.env.production.local"));
        assert_eq!(prod.mode, None);
        let keys: Vec<_> = m
            .secrets()
            .iter()
            .map(|s| (s.key.as_str(), s.spec.kind().name(), s.spec.amount()))
            .collect();
        assert_eq!(
            keys,
            [
                ("SECRET_KEY", "hex", 32),
                ("JWT_SECRET_KEY", "hex", 32),
                ("SESSION_SECRET", "base64", 32),
                ("ENCRYPTION_KEY", "base64", 32),
                ("DB_PASSWORD", "alnum", 32),
                ("REDIS_PASSWORD", "alnum", 32),
            ]
        );
        assert!(
            m.secrets()
                .iter()
                .all(|s| s.rotate_every == Some(DEFAULT_ROTATE_EVERY))
        );
    }

    fn unknown(m: &Manifest, name: &str) -> UnknownEnvironment {
        match m.environment(name).unwrap_err() {
            Error::UnknownEnvironment(u) => *u,
            other => panic!("{other:?}"),
        }
    }

    // The words are report.rs's, tested there with these same manifests.
    #[test]
    fn fail_unknown_environment_lists_the_declared_and_suggests_a_close_one() {
        let m = Manifest::builtin(Path::new("/app"));
        assert_eq!(m.environment("prod").unwrap_err().exit(), Exit::Usage);
        let u = unknown(&m, "prod");
        assert_eq!(u.did_you_mean.as_deref(), Some("production"));
        assert_eq!(u.declared, ["development", "staging", "production"]);
        assert_eq!(u.declared_in, None);
        assert_eq!(unknown(&m, "qa").did_you_mean, None);
        assert!(unknown(&m, "SECRET_KEY").is_secret);
        assert!(!unknown(&m, "qa").is_secret);
        let m = Manifest::parse(
            "[environments.live]\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        let u = unknown(&m, "production");
        assert_eq!(
            u.declared_in.as_deref(),
            Some(Path::new("/app/envmint.toml"))
        );
        assert!(u.valid_name);
    }

    #[test]
    fn fail_unknown_environment_with_an_invalid_name_is_not_suggested_as_toml() {
        let m = Manifest::builtin(Path::new("/app"));
        for bad in ["../../etc/x", "a.b", "x y", "", &"x".repeat(65)] {
            assert!(!unknown(&m, bad).valid_name, "{bad:?}");
        }
        let u = unknown(&m, "evil\n\u{1b}[31mhint: x");
        assert_eq!(u.shown, "evil\\n\\u{1b}[31mhint: x");
        assert!(unknown(&m, &"K".repeat(70_000)).shown.len() < 100);
    }

    #[test]
    fn edit_distance_and_closest() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("byts", "bytes"), 1);
        assert_eq!(closest("byts", ["kind", "bytes", "bits"]), Some("bytes"));
        assert_eq!(closest("hax", ["hex", "base64"]), Some("hex"));
        assert_eq!(closest("zzz", ["hex", "base64"]), None);
        assert_eq!(closest("qa", ["staging"]), None);
        assert_eq!(
            closest("PRODUCTION", ["staging", "production"]),
            Some("production")
        );
        assert_eq!(closest("HEX", ["hex", "base64"]), Some("hex"));
    }
}
