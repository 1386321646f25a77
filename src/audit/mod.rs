//! `envmint audit`: the security checklist of a project's secrets, as data.
//!
//! Each check returns [`Finding`]s: a severity, a check id, where it applies (environment, key,
//! path, line), what is wrong and how to fix it. A finding never holds a value nor a hash of
//! one; values are compared in memory ([`crate::secret::KeyedHash`], the automaton of
//! [`git::scan_history`]). The binary gathers the inputs (documents from the store, sealed ones
//! decrypted in memory; the identity files it would use) and renders the findings.
//!
//! One file per group of checks:
//! - [`files`]: modes of plaintext env files, plan files and identity files, folders writable
//!   by others, and the bounded scan of the project that finds plan and identity files;
//! - [`values`]: empty, placeholder and example values, values weaker than their declaration,
//!   unmanaged secrets under 128 bits ([`entropy`]), the same value twice;
//! - [`git`]: `.gitignore` coverage, tracked secret files, and values in the history (`--git`);
//! - [`staged`]: what a commit is about to add (`--staged`, the commit guard);
//! - [`rotation`]: keys due, unknown or overdue for rotation (from `plan::status`), and
//!   keyrings past [`rotation::KEYRING_AUDIT_KEYS`];
//! - [`roles`]: the manifest's rotation settings: a password-like name left `signing`, an
//!   overlap no `keep` can hold.

pub mod entropy;
pub mod error;
pub mod files;
pub mod fix;
pub mod git;

pub use fix::shell_word;
pub mod roles;
pub mod rotation;
pub mod staged;
pub mod values;

use serde::Serialize;
use std::path::PathBuf;

/// How serious a finding is. Any finding makes `audit` exit 1; the severity orders the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A secret is exposed or useless as one now (readable by others, committed, a placeholder).
    Error,
    /// A weakness or an omission that may expose a secret later.
    Warning,
}

impl Severity {
    /// The word shown to people and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The checks, by id (the `check` field of the JSON output, stable for scripts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// A plaintext env file, plan file or identity file readable or writable by group or others
    /// beyond what the manifest declares.
    FileMode,
    /// A folder holding secret files that others can write to (they could replace the files).
    FolderMode,
    /// A sealed environment that could not be decrypted, so its values were not checked.
    SealedUnopened,
    /// An empty value of a secret.
    EmptyValue,
    /// A known placeholder (`changeme`, `<your-key>`...).
    Placeholder,
    /// The same value as in `.env.example`.
    ExampleValue,
    /// A declared secret that does not match its declaration (length, alphabet).
    WeakValue,
    /// An undeclared secret under 128 bits by the [`entropy`] estimate.
    LowEntropy,
    /// The same value in two environments or under two keys.
    DuplicateValue,
    /// A secret file `.gitignore` does not cover.
    NotIgnored,
    /// A secret file tracked by git.
    Tracked,
    /// A value found verbatim in a tracked file or in the repository's history (`--git`).
    GitHistory,
    /// A sealed store `.gitattributes` does not send to envmint's merge driver and textconv.
    GitAttributes,
    /// A staged file that must not be committed (`--staged`): a plaintext env file, a plan,
    /// an identity, an export list, or a file holding a stored value.
    Staged,
    /// A secret the manifest declares for the environment that is not in its file.
    MissingValue,
    /// A key due for rotation (or that never was, as far as the records tell).
    RotationDue,
    /// A key whose record does not tell when it was made.
    RotationUnknown,
    /// A key long past its rotation date, or a retired value past its overlap window.
    RotationOverdue,
    /// A record time that cannot hold: a `generated`, `set` or `retired` after the clock, or an
    /// `expires` later than `retired` + the declared overlap (forged, or a clock behind).
    RecordTime,
    /// An encryption key's keyring holding more than [`rotation::KEYRING_AUDIT_KEYS`] keys.
    KeyringSize,
    /// Retired keys in a keyring's form (a record without `expires`), or a current value
    /// recorded as `role=encryption`, under a secret whose role is no longer `encryption` (the
    /// manifest's role was changed): kept for good all the same.
    KeyringRole,
    /// A secret named like a password, token or API key (`*_PASSWORD`, `*_TOKEN`...) whose
    /// role is `signing`, so `rotate --due` would change it in the file alone.
    SigningCredential,
    /// An `overlap` longer than `rotate_every` x `keep`: rotations inside the window push
    /// retired values out before they expire.
    OverlapKeep,
    /// A hook (a command envmint runs as the user) that is new or changed since the user
    /// allowed this manifest's hooks on this machine: review it like code.
    HookNotAllowed,
}

impl Check {
    /// The id, as in JSON (`file-mode`).
    pub fn id(self) -> &'static str {
        match self {
            Check::FileMode => "file-mode",
            Check::FolderMode => "folder-mode",
            Check::SealedUnopened => "sealed-unopened",
            Check::EmptyValue => "empty-value",
            Check::Placeholder => "placeholder",
            Check::ExampleValue => "example-value",
            Check::WeakValue => "weak-value",
            Check::LowEntropy => "low-entropy",
            Check::DuplicateValue => "duplicate-value",
            Check::NotIgnored => "not-ignored",
            Check::Tracked => "tracked",
            Check::GitHistory => "git-history",
            Check::GitAttributes => "git-attributes",
            Check::Staged => "staged",
            Check::MissingValue => "missing-value",
            Check::RotationDue => "rotation-due",
            Check::RotationUnknown => "rotation-unknown",
            Check::RotationOverdue => "rotation-overdue",
            Check::RecordTime => "record-time",
            Check::KeyringSize => "keyring-size",
            Check::KeyringRole => "keyring-role",
            Check::SigningCredential => "signing-credential",
            Check::OverlapKeep => "overlap-keep",
            Check::HookNotAllowed => "hook-not-allowed",
        }
    }

    /// The heading the human report groups this check's findings under.
    pub fn title(self) -> &'static str {
        match self {
            Check::FileMode | Check::FolderMode => "file and folder modes",
            Check::SealedUnopened => "sealed environments",
            Check::EmptyValue | Check::Placeholder | Check::ExampleValue => {
                "placeholder, example and empty values"
            }
            Check::WeakValue | Check::LowEntropy => "weak values",
            Check::DuplicateValue => "shared values",
            Check::NotIgnored | Check::Tracked | Check::GitAttributes => "git",
            Check::Staged => "staged for commit",
            Check::GitHistory => "values in git",
            Check::MissingValue => "missing values",
            Check::RotationDue
            | Check::RotationUnknown
            | Check::RotationOverdue
            | Check::RecordTime
            | Check::KeyringSize
            | Check::KeyringRole => "rotation",
            Check::SigningCredential | Check::OverlapKeep => "roles and overlap",
            Check::HookNotAllowed => "hooks",
        }
    }
}

/// One problem found. Never holds a value nor a hash of one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious.
    pub severity: Severity,
    /// Which check found it.
    pub check: Check,
    /// The environment, when the finding is about one.
    pub env: Option<String>,
    /// The key, when the finding is about one.
    pub key: Option<String>,
    /// The file it applies to (absolute or as the manifest resolved it; the binary shortens
    /// it).
    pub path: Option<PathBuf>,
    /// The 1-based line in that file (in a sealed file: in its decrypted text).
    pub line: Option<usize>,
    /// What is wrong, naming no value.
    pub message: String,
    /// How to fix it, often with the envmint command that does (`envmint rotate production
    /// --key A`): a [`fix::Fix`]'s words, the one place the library writes the command line's
    /// words (its module docs say why).
    pub hint: Option<String>,
}

impl Finding {
    /// A finding with no environment, key, path, line or hint yet.
    pub fn new(severity: Severity, check: Check, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            check,
            env: None,
            key: None,
            path: None,
            line: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets the environment.
    pub fn env(mut self, env: impl Into<String>) -> Finding {
        self.env = Some(env.into());
        self
    }

    /// Sets the key.
    pub fn key(mut self, key: impl Into<String>) -> Finding {
        self.key = Some(key.into());
        self
    }

    /// Sets the file.
    pub fn path(mut self, path: impl Into<PathBuf>) -> Finding {
        self.path = Some(path.into());
        self
    }

    /// Sets the line (none when `None`).
    pub fn line(mut self, line: Option<usize>) -> Finding {
        self.line = line;
        self
    }

    /// Sets the hint: a caller's own words (the binary's hooks and sealed-store findings).
    pub fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint to `fix`'s words.
    pub fn fix(self, fix: fix::Fix<'_>) -> Finding {
        self.hint(fix.to_string())
    }
}

/// Orders findings for the report: by group ([`Check::title`], in the order of [`ALL`]), then
/// file, line, check and key, so a group reads down its files and a rerun prints the same lines
/// in the same order.
pub fn sort(findings: &mut [Finding]) {
    // Borrowed, not cloned: a clone per comparison made a million findings take minutes.
    findings.sort_by(|a, b| order(a).cmp(&order(b)));
}

/// The place of `check`'s group ([`Check::title`]) in the report: the first of [`ALL`] with
/// that title.
pub fn group_of(check: Check) -> usize {
    ALL.iter()
        .position(|other| other.title() == check.title())
        .unwrap_or(usize::MAX)
}

/// A source of findings already in report order, made one at a time.
pub type Source<'a> = Box<dyn Iterator<Item = Finding> + 'a>;

/// Merges `sources`, each in report order ([`sort`]'s), into one sequence in that order,
/// holding one finding per source (on a tie, the earlier source's first).
pub fn merge(sources: Vec<Source<'_>>) -> impl Iterator<Item = Finding> + '_ {
    let mut heads: Vec<(Option<Finding>, Source<'_>)> =
        sources.into_iter().map(|mut s| (s.next(), s)).collect();
    std::iter::from_fn(move || {
        let (best, _) = heads
            .iter()
            .enumerate()
            .filter_map(|(i, (head, _))| head.as_ref().map(|f| (i, f)))
            .min_by(|a, b| order(a.1).cmp(&order(b.1)))?;
        let (head, rest) = &mut heads[best];
        let next = rest.next();
        std::mem::replace(head, next)
    })
}

/// Every finding in report order without holding them all: `fixed` sorted, and in each
/// group's place the findings of `lazy_checks` that `lazy` makes for that group's checks (one
/// source per environment, each in report order), merged with the group's fixed ones. A
/// million weak values are written one at a time instead of held (and sorted) as a million
/// findings of a few hundred bytes each.
pub fn in_report_order<'a>(
    mut fixed: Vec<Finding>,
    lazy_checks: &[Check],
    mut lazy: impl FnMut(Vec<Check>) -> Vec<Source<'a>> + 'a,
) -> impl Iterator<Item = Finding> + 'a {
    sort(&mut fixed);
    let mut groups: Vec<usize> = fixed
        .iter()
        .map(|f| group_of(f.check))
        .chain(lazy_checks.iter().map(|c| group_of(*c)))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let lazy_checks = lazy_checks.to_vec();
    let mut fixed = fixed.into_iter().peekable();
    groups.into_iter().flat_map(move |g| {
        let mine: Vec<Finding> =
            std::iter::from_fn(|| fixed.next_if(|f| group_of(f.check) == g)).collect();
        let checks: Vec<Check> = lazy_checks
            .iter()
            .copied()
            .filter(|c| group_of(*c) == g)
            .collect();
        let mut sources: Vec<Source<'a>> = vec![Box::new(mine.into_iter())];
        if !checks.is_empty() {
            sources.extend(lazy(checks));
        }
        merge(sources)
    })
}

/// What [`sort`] orders by: the check's group, then path, line, check, env, key, message.
#[allow(clippy::type_complexity)]
fn order(
    f: &Finding,
) -> (
    usize,
    Option<&std::path::Path>,
    Option<usize>,
    Check,
    Option<&str>,
    Option<&str>,
    &str,
) {
    (
        group_of(f.check),
        f.path.as_deref(),
        f.line,
        f.check,
        f.env.as_deref(),
        f.key.as_deref(),
        f.message.as_str(),
    )
}

/// Every check, in report order.
pub const ALL: [Check; 22] = [
    Check::FileMode,
    Check::FolderMode,
    Check::SealedUnopened,
    Check::EmptyValue,
    Check::Placeholder,
    Check::ExampleValue,
    Check::WeakValue,
    Check::LowEntropy,
    Check::DuplicateValue,
    Check::NotIgnored,
    Check::Tracked,
    Check::GitAttributes,
    Check::Staged,
    Check::GitHistory,
    Check::MissingValue,
    Check::RotationDue,
    Check::RotationUnknown,
    Check::RotationOverdue,
    Check::KeyringSize,
    Check::KeyringRole,
    Check::SigningCredential,
    Check::OverlapKeep,
];

/// Whether a key's name says it holds a secret (`*_SECRET*`, `*KEY*`, `*TOKEN*`,
/// `*PASSWORD*`...). Keys the manifest does not declare are checked for strength, placeholders
/// and sharing only when their name says so: `PORT=8080` or `DEBUG=` is not a weak secret.
pub fn looks_secret(key: &str) -> bool {
    const WORDS: [&str; 13] = [
        "SECRET",
        "KEY",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PWD",
        "AUTH",
        "CREDENTIAL",
        "PRIVATE",
        "SALT",
        "SIGNING",
        "DSN",
    ];
    let upper = key.to_ascii_uppercase();
    WORDS.iter().any(|w| upper.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for k in [
            "SECRET_KEY",
            "api_key",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "SENTRY_DSN",
        ] {
            assert!(looks_secret(k), "{k}");
        }
        for k in ["PORT", "DEBUG", "DATABASE_HOST", "NODE_ENV"] {
            assert!(!looks_secret(k), "{k}");
        }
    }

    #[test]
    fn json_fields_are_the_documented_ones() {
        let f = Finding::new(Severity::Error, Check::FileMode, "m")
            .env("production")
            .key("K")
            .path("/p")
            .line(Some(3))
            .hint("h");
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["severity"], "error");
        assert_eq!(v["check"], "file-mode");
        assert_eq!(v["line"], 3);
        for (c, id) in [
            (Check::GitHistory, "git-history"),
            (Check::MissingValue, "missing-value"),
            (Check::RotationOverdue, "rotation-overdue"),
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), id);
            assert_eq!(c.id(), id);
        }
    }

    #[test]
    fn a_file_name_in_a_hint_is_one_safe_shell_word() {
        use std::path::Path;
        assert_eq!(
            shell_word(Path::new(".env.production.local")),
            ".env.production.local"
        );
        assert_eq!(shell_word(Path::new("/srv/app/.env")), "/srv/app/.env");
        assert_eq!(shell_word(Path::new("-rf")), "./-rf");
        assert_eq!(
            shell_word(Path::new("-c core.pager=touch PWN")),
            "'./-c core.pager=touch PWN'"
        );
        assert_eq!(shell_word(Path::new("a'b $(x)")), "'a'\\''b $(x)'");
        assert_eq!(shell_word(Path::new("")), "''");
    }
}
