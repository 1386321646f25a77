//! Adopting a live project's values (`envmint adopt`): record the age of values envmint did
//! not make, so the first `rotate --due` renews only what is due.
//!
//! A project that starts using envmint has values without `# envmint:` records: their age is
//! unknown, so they count as due, and the first scheduled run would rotate every one of them;
//! a retired value kept by hand (`KEY_PREVIOUS`, a fallback list) without a record would be
//! removed by that same run. [`plan`] decides, per variable of the environment, without
//! changing the document:
//!
//! - a declared secret with a value and no record gets `generated=AT` (`set=AT` for an
//!   `external` one, a value given rather than generated): `AT` is when the operator says it
//!   was made (`--at`), by default now;
//! - a retired value under one of the secret's previous names, without a record, is taken as
//!   retired now, with the declared overlap (`previous-of=KEY retired=NOW expires=NOW+OVERLAP`,
//!   one pair per item of a list; an encryption key's keyring record has no expiry);
//! - a variable with a record that does not read, a pending value, or a retired value that
//!   came from `.env.example` ([`super::bootstrap::foreign`]) is skipped with the reason:
//!   envmint does not vouch for those.
//!
//! [`apply`] then writes the records; nothing else in the file changes.

use super::record::Record;
use super::status::{self, Problem, State};
use crate::dotenv::{Document, EditError};
use crate::manifest::{Environment, Manifest, Previous, SecretDecl};
use jiff::Timestamp;
use std::collections::HashSet;

/// What adopting does to one variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A current value gets a `generated=` (or `set=`) record.
    Dated,
    /// A retired value gets a `previous-of=` record, retired now.
    Retired,
    /// Left as it is: see [`Adopted::reason`].
    Skipped,
}

impl Action {
    /// `dated`, `retired` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Dated => "dated",
            Action::Retired => "retired",
            Action::Skipped => "skipped",
        }
    }
}

/// One variable adopted (or skipped). Holds no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adopted {
    /// The variable.
    pub key: String,
    /// What happens to it.
    pub action: Action,
    /// For a retired value: its secret.
    pub previous_of: Option<String>,
    /// How many values it holds (a list holds several).
    pub count: usize,
    /// Why it is skipped.
    pub reason: Option<&'static str>,
    /// The record written above it (none when skipped).
    pub record: Option<String>,
}

/// Why adopting cannot be planned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdoptError {
    /// A key named that is not a secret of the environment.
    NotDeclared {
        /// The key as given.
        key: String,
    },
}

impl std::fmt::Display for AdoptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdoptError::NotDeclared { key } => write!(
                f,
                "{}: not a secret of the environment",
                crate::text::shown(key, 60)
            ),
        }
    }
}

impl std::error::Error for AdoptError {}

/// What adopting `env`'s document `doc` would do, variable by variable in status order:
/// current values dated `at`, retired values without a record retired at `now` (see the
/// module documentation). `keys` limits it to these secrets (and their retired values); empty,
/// every secret of `env`. `foreign` names variables that came from `.env.example`.
///
/// # Errors
///
/// [`AdoptError::NotDeclared`] for a key of `keys` that `env` does not declare.
pub fn plan(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    keys: &[String],
    at: Timestamp,
    now: Timestamp,
    foreign: &HashSet<String>,
) -> Result<Vec<Adopted>, AdoptError> {
    let decls: Vec<&SecretDecl> = manifest.secrets_for(&env.name).collect();
    for key in keys {
        if !decls.iter().any(|d| d.key == *key) {
            return Err(AdoptError::NotDeclared { key: key.clone() });
        }
    }
    let selected = |key: &str| keys.is_empty() || keys.iter().any(|k| k == key);
    let mut out = Vec::new();
    for row in status::evaluate_managed(manifest, env, doc, now) {
        if row.state != State::Unknown {
            continue;
        }
        let secret = row.previous_of.as_deref().unwrap_or(&row.key);
        let Some(decl) = decls.iter().find(|d| d.key == secret) else {
            continue;
        };
        if !selected(secret) {
            continue;
        }
        let skip = |reason: &'static str| Adopted {
            key: row.key.clone(),
            action: Action::Skipped,
            previous_of: row.previous_of.clone(),
            count: 1,
            reason: Some(reason),
            record: None,
        };
        let Some(value) = doc.get(&row.key) else {
            out.push(skip("on a line no dotenv reader can read"));
            continue;
        };
        match (&row.previous_of, &row.problem) {
            (None, None) => {
                let record = if decl.external {
                    Record::set(at)
                } else {
                    Record::generated(at)
                }
                .encryption(decl.role == crate::manifest::Role::Encryption);
                out.push(Adopted {
                    key: row.key.clone(),
                    action: Action::Dated,
                    previous_of: None,
                    count: 1,
                    reason: None,
                    record: Some(record.to_string()),
                });
            }
            (Some(_), Some(Problem::NoRecord)) if foreign.contains(&row.key) => {
                out.push(skip(
                    "it holds the .env.example value: the next rotate removes it",
                ));
            }
            (Some(of), Some(Problem::NoRecord)) => {
                let count = match &decl.previous {
                    Previous::List {
                        name, separator, ..
                    } if *name == row.key => {
                        if value.is_empty() {
                            0
                        } else {
                            value.split(separator.as_str()).count()
                        }
                    }
                    _ => 1,
                };
                if count == 0 {
                    out.push(skip("it is empty"));
                    continue;
                }
                let expires = status::declared_expiry(decl, now);
                let record = Record {
                    previous_of: Some(of.clone()),
                    retired: vec![now; count],
                    expires: expires.map_or_else(Vec::new, |e| vec![e; count]),
                    ..Record::default()
                };
                out.push(Adopted {
                    key: row.key.clone(),
                    action: Action::Retired,
                    previous_of: Some(of.clone()),
                    count,
                    reason: None,
                    record: Some(record.to_string()),
                });
            }
            (_, Some(Problem::BadRecord(_) | Problem::NoTime)) => {
                out.push(skip(
                    "its record does not say when it was made: fix or remove that line",
                ));
            }
            (_, Some(Problem::Pending)) => out.push(skip("a pending value (stage=pending)")),
            (_, Some(Problem::ListMismatch { .. })) => out.push(skip(
                "its record and its values do not agree: fix or remove that line",
            )),
            (_, Some(_)) => out.push(skip("its record cannot be vouched for")),
            (Some(_), None) => {}
        }
    }
    Ok(out)
}

/// Writes the records of `adopted` into `doc`, from the bottom of the file up: a line an
/// error names is then counted before any record is inserted above it, as the file on disk
/// has it.
///
/// # Errors
///
/// An [`EditError`] when the document refuses one (the caller then saves nothing).
pub fn apply(doc: &mut Document, adopted: &[Adopted]) -> Result<(), EditError> {
    let mut records: Vec<(Option<usize>, &str, &str)> = adopted
        .iter()
        .filter_map(|a| {
            Some((
                doc.line_of_key(&a.key),
                a.key.as_str(),
                a.record.as_deref()?,
            ))
        })
        .collect();
    records.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (_, key, record) in records {
        doc.set_record(key, record)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::status::evaluate;
    use crate::time::parse_instant;

    #[test]
    fn a_key_not_declared_is_named_cut_for_display() {
        let e = AdoptError::NotDeclared {
            key: "STRIPE_KEY".into(),
        };
        assert_eq!(e.to_string(), "STRIPE_KEY: not a secret of the environment");
        // A key as given may be anything pasted: one line, cut.
        let pasted = AdoptError::NotDeclared {
            key: format!("A\n{}", "x".repeat(80)),
        };
        assert_eq!(
            pasted.to_string(),
            format!("A\\n{}…: not a secret of the environment", "x".repeat(58))
        );
    }
    use std::path::Path;

    fn t(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    const MANIFEST: &str = "[environments.p]\n\
        [secrets.A]\nkind = \"hex\"\nrotate_every = \"30d\"\noverlap = \"7d\"\n\
        [secrets.B]\nkind = \"hex\"\noverlap = \"7d\"\n\
        previous = { list = \"B_FALLBACKS\", separator = \",\", keep = 3 }\n\
        [secrets.C]\nkind = \"hex\"\n\
        [secrets.S]\nexternal = true\n\
        [secrets.E]\nkind = \"hex\"\nrole = \"encryption\"\n";

    fn manifest() -> Manifest {
        Manifest::parse(MANIFEST, Path::new("/app/envmint.toml"), Path::new("/app")).unwrap()
    }

    const LIVE: &str = "A=a\nA_PREVIOUS=a0\nB=b\nB_FALLBACKS=b1,b2\n\
        # envmint: generated=bad\nC=c\nS=s\nE=e\nE_PREVIOUS=e0\n\
        # envmint: generated=2026-01-01T00:00:00Z\nOTHER=x\n";

    #[test]
    fn values_without_a_record_are_dated_and_hand_kept_ones_retired_now() {
        let m = manifest();
        let env = m.environment("p").unwrap();
        let mut doc = Document::parse(LIVE);
        let at = t("2025-12-15");
        let now = t("2026-02-01");
        let adopted = plan(&m, env, &doc, &[], at, now, &HashSet::new()).unwrap();
        let shown: Vec<_> = adopted
            .iter()
            .map(|a| (a.key.as_str(), a.action, a.record.as_deref()))
            .collect();
        assert_eq!(
            shown,
            [
                ("A", Action::Dated, Some("generated=2025-12-15T00:00:00Z")),
                (
                    "A_PREVIOUS",
                    Action::Retired,
                    Some("previous-of=A retired=2026-02-01T00:00:00Z expires=2026-02-08T00:00:00Z")
                ),
                ("B", Action::Dated, Some("generated=2025-12-15T00:00:00Z")),
                (
                    "B_FALLBACKS",
                    Action::Retired,
                    Some(
                        "previous-of=B retired=2026-02-01T00:00:00Z,2026-02-01T00:00:00Z \
                         expires=2026-02-08T00:00:00Z,2026-02-08T00:00:00Z"
                    )
                ),
                ("C", Action::Skipped, None),
                ("S", Action::Dated, Some("set=2025-12-15T00:00:00Z")),
                (
                    "E",
                    Action::Dated,
                    Some("generated=2025-12-15T00:00:00Z role=encryption")
                ),
                (
                    "E_PREVIOUS",
                    Action::Retired,
                    Some("previous-of=E retired=2026-02-01T00:00:00Z")
                ),
            ]
        );
        apply(&mut doc, &adopted).unwrap();
        // Now only C (its record does not read) is of unknown age; A (30 days from December
        // 15th) is due, B (90 days) is not; the retired values are kept for their overlap.
        let states: Vec<_> = evaluate(&m, env, &doc, now)
            .into_iter()
            .map(|r| (r.key, r.state))
            .filter(|(k, _)| k != "OTHER")
            .collect();
        assert_eq!(
            states,
            [
                ("A".to_string(), State::Due),
                ("A_PREVIOUS".to_string(), State::Previous),
                ("B".to_string(), State::Ok),
                ("B_FALLBACKS".to_string(), State::Previous),
                ("C".to_string(), State::Unknown),
                ("S".to_string(), State::Ok),
                ("E".to_string(), State::Ok),
                ("E_PREVIOUS".to_string(), State::Previous),
            ]
        );
        // Adopted again: nothing more but the skipped one.
        let again = plan(&m, env, &doc, &[], at, now, &HashSet::new()).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].action, Action::Skipped);
    }

    #[test]
    fn fail_named_keys_only_undeclared_ones_refused_and_foreign_ones_skipped() {
        let m = manifest();
        let env = m.environment("p").unwrap();
        let doc = Document::parse(LIVE);
        let now = t("2026-02-01");
        let only_a = plan(&m, env, &doc, &["A".into()], now, now, &HashSet::new()).unwrap();
        let keys: Vec<_> = only_a.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["A", "A_PREVIOUS"]);
        assert_eq!(
            plan(&m, env, &doc, &["OTHER".into()], now, now, &HashSet::new()),
            Err(AdoptError::NotDeclared {
                key: "OTHER".into()
            })
        );
        let foreign = HashSet::from(["A_PREVIOUS".to_string()]);
        let adopted = plan(&m, env, &doc, &["A".into()], now, now, &foreign).unwrap();
        assert_eq!(adopted[1].action, Action::Skipped);
        assert!(adopted[1].reason.unwrap().contains(".env.example"));
    }
}
