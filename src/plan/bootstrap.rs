//! Bootstrap: add every declared secret an environment's document lacks, fill the empty ones,
//! and check the ones it keeps.
//!
//! Pure: [`plan`] takes a document, the environment's declared secrets and options, and says per
//! key what bootstrap does, without a value; [`apply`](super::apply()) then appends what is missing and fills
//! empty values in place. A value already there is kept, checked against its declaration and
//! against known placeholders ([`Spec::check`]), and replaced in place only when the caller asks
//! (`--replace-weak`). It never reorders a key; the store decides whether anything needs
//! writing.

use super::record::Record;
pub use super::types::{Foreign, ForeignWhy};
use super::{Action, Item, Plan};
use crate::dotenv::{Document, EditError};
use crate::generate::{Problem, Spec};
use crate::manifest::{MAX_KEEP, Previous, SecretDecl};

/// What else [`plan`] may do beyond adding missing keys.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// Replace kept values that fail the check, in place.
    pub replace_weak: bool,
    /// The template beside the file (`.env.example`): a kept value equal to the template's
    /// value for the same key is weak.
    pub example: Option<&'a Document>,
}

/// The retired values of `secrets` in `doc` that came from `example` ([`Foreign`]): a
/// variable under one of a secret's previous names (or recorded as its `previous-of`) that the
/// template gives a `previous-of=` record, or, for a secret that overlaps (or a variable whose
/// record says it is the secret's), that holds the template's value.
pub fn foreign<'a>(
    doc: &Document,
    secrets: impl IntoIterator<Item = &'a SecretDecl>,
    example: Option<&Document>,
) -> Vec<Foreign> {
    let Some(example) = example else {
        return Vec::new();
    };
    let records: Vec<(&str, Record)> = doc
        .keys()
        .into_iter()
        .filter_map(|k| Some((k, Record::parse(doc.record(k)?).ok()?)))
        .filter(|(_, r)| r.previous_of.is_some())
        .collect();
    let mut out = Vec::new();
    for decl in secrets {
        let mut names = match &decl.previous {
            Previous::Numbered { .. } => decl.previous.names(Some(MAX_KEEP)),
            other => other.names(None),
        };
        for (k, r) in &records {
            if r.previous_of.as_deref() == Some(decl.key.as_str()) && !names.iter().any(|n| n == k)
            {
                names.push((*k).to_string());
            }
        }
        for name in names {
            if name == decl.key {
                continue;
            }
            let Some(value) = doc.get(&name) else {
                continue;
            };
            let own = records
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, r)| r)
                .filter(|r| r.previous_of.as_deref() == Some(decl.key.as_str()));
            let example_record = example
                .record(&name)
                .and_then(|t| Record::parse(t).ok())
                .is_some_and(|r| r.previous_of.is_some());
            let why = if example_record {
                ForeignWhy::ExampleRecord
            } else if !value.is_empty()
                && example.get(&name) == Some(value)
                && (decl.overlap.is_some() || own.is_some())
            {
                ForeignWhy::ExampleValue
            } else {
                continue;
            };
            let count = match &decl.previous {
                Previous::List {
                    name: list,
                    separator,
                    ..
                } if *list == name && !value.is_empty() => value.split(separator.as_str()).count(),
                _ => 1,
            };
            // A record without `expires` (a keyring's) is no mark: it never expires by time,
            // whatever the secret's role, so a template that ships one must be re-marked.
            let marked = own.is_some_and(|r| {
                r.retired.len() == count
                    && r.expires.len() == count
                    && r.expires.iter().zip(&r.retired).all(|(e, r)| e <= r)
            });
            out.push(Foreign {
                key: name,
                of: decl.key.clone(),
                why,
                count,
                marked,
            });
        }
    }
    out
}

/// Comment line put at the top of a file bootstrap creates.
pub fn header(environment: &str) -> String {
    format!("# {environment} secrets, written by envmint. Keep this file out of version control.\n")
}

/// Checks a kept value against its declaration and the template; the problem, worded for the
/// summary (`placeholder, not a 32-byte hex secret`).
pub fn check_kept(
    key: &str,
    value: &str,
    spec: &Spec,
    example: Option<&Document>,
) -> Option<String> {
    let problem = kept_problem(key, value, spec, example)?;
    Some(format!("{problem}, not a {}", spec.describe()))
}

/// A kept value that holds its declaration's list separator (`previous = { list = ... }`): it
/// could not be retired into the list and read back as one value.
pub fn separator_problem(decl: &SecretDecl, value: &str) -> Option<Problem> {
    match &decl.previous {
        crate::manifest::Previous::List {
            name, separator, ..
        } if value.contains(separator.as_str()) => {
            Some(Problem::HoldsSeparator { list: name.clone() })
        }
        _ => None,
    }
}

/// What is wrong with a kept value, as data: [`Spec::check`], then a copy of the template's
/// value for the same key. `audit` files each problem under its own check.
pub fn kept_problem(
    key: &str,
    value: &str,
    spec: &Spec,
    example: Option<&Document>,
) -> Option<Problem> {
    spec.check(value).err().or_else(|| {
        example
            .and_then(|e| e.get(key))
            .filter(|template| *template == value)
            .map(|_| Problem::SameAsExample)
    })
}

/// Whether a document that exists cannot be a dotenv file: it has content, but not one line
/// that reads `KEY=value`, and at least one line that does not. Returns that first line.
///
/// A file of only comments and blank lines is a dotenv file (a template with everything
/// commented out); `/etc/passwd` or a binary is not, and must never be written to.
pub fn not_a_dotenv_file(doc: &Document) -> Option<usize> {
    // No warning means no unreadable line: checked first, so a large valid file costs nothing.
    if doc.is_empty()
        || doc.warnings().is_empty()
        || doc.keys().iter().any(|k| doc.get(k).is_some())
    {
        return None;
    }
    doc.warnings().first().map(|w| w.line)
}

/// Decides, without changing `doc` or making a value, what bootstrap does with every secret of
/// `secrets`, in declaration order: add a missing key, fill an empty value, keep a value that
/// passes the check (against its declaration, known placeholders and `options.example`), and
/// keep or, with `options.replace_weak`, replace one that fails it. Retired values that came
/// from `options.example` are listed in [`Plan::foreign`] ([`foreign`]).
///
/// # Errors
///
/// [`EditError::KeyOnUnparsableLine`] for a declared key that appears only on a line nothing
/// can read: "kept" would hide that it has no value.
pub fn plan<'a>(
    doc: &Document,
    secrets: impl IntoIterator<Item = &'a SecretDecl>,
    options: Options<'_>,
) -> Result<Plan, EditError> {
    let mut items = Vec::new();
    let mut secrets_seen = Vec::new();
    for decl in secrets {
        secrets_seen.push(decl);
        let mut problem = None;
        let action = if decl.external {
            // Never generated; any value there is the provider's, with no shape to check.
            match doc.get(&decl.key) {
                Some(v) if !v.is_empty() => Action::Kept,
                _ => Action::Missing,
            }
        } else if doc.contains_key(&decl.key) {
            let Some(value) = doc.get(&decl.key) else {
                return Err(EditError::KeyOnUnparsableLine {
                    key: decl.key.clone(),
                    line: doc.broken_line(&decl.key).unwrap_or(0),
                });
            };
            if value.is_empty() {
                Action::Filled
            } else {
                problem = check_kept(&decl.key, value, &decl.spec, options.example).or_else(|| {
                    separator_problem(decl, value)
                        .map(|p| format!("{p}, not a {}", decl.spec.describe()))
                });
                match (&problem, options.replace_weak) {
                    (None, _) => Action::Kept,
                    (Some(_), false) => Action::Weak,
                    (Some(_), true) => Action::Replaced,
                }
            }
        } else {
            Action::Added
        };
        items.push(Item {
            key: decl.key.clone(),
            action,
            spec: decl.spec.clone(),
            problem,
            external: decl.external,
            encryption: decl.role == crate::manifest::Role::Encryption,
        });
    }
    Ok(Plan {
        items,
        foreign: foreign(doc, secrets_seen, options.example),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use crate::plan::{KeyReport, apply};
    use rand::CryptoRng;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use std::path::Path;

    /// [`plan`] then [`apply`](super::apply()), as bootstrap runs them: appends a fresh value for every secret in `secrets` that `doc`
    /// lacks, in declaration order; fills empty values in place; checks every value it keeps,
    /// replacing the weak ones in place when `options.replace_weak` is set.
    ///
    /// Fails without having changed anything visible to the caller's file (the caller saves only on
    /// success) when a key sits on an unparsable line or an appended line could be swallowed by an
    /// unterminated quote.
    fn fill<'a, R: CryptoRng + ?Sized>(
        doc: &mut Document,
        secrets: impl IntoIterator<Item = &'a SecretDecl>,
        rng: &mut R,
        options: Options<'_>,
    ) -> Result<Vec<KeyReport>, EditError> {
        let plan = plan(doc, secrets, options)?;
        apply(&plan, doc, rng, now())
    }

    /// The fixed clock of these tests.
    fn now() -> jiff::Timestamp {
        crate::time::parse_instant("2026-11-23T07:00:00Z").unwrap()
    }

    fn preset() -> Manifest {
        Manifest::builtin(Path::new("/app"))
    }

    /// [`fill`] with the built-in manifest's secrets for `env` and the default options.
    fn fill_preset(
        doc: &mut Document,
        env: &str,
        rng: &mut ChaCha20Rng,
    ) -> Result<Vec<KeyReport>, EditError> {
        fill(doc, preset().secrets_for(env), rng, Options::default())
    }

    #[test]
    fn adds_only_what_is_missing_and_keeps_existing_bytes() {
        let original = "# mine\nexport SECRET_KEY='keep-me'\r\nDB_PASSWORD=\"x y\"";
        let mut doc = Document::parse(original);
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let report = fill_preset(&mut doc, "production", &mut rng).unwrap();
        let actions: Vec<_> = report.iter().map(|r| (r.key.as_str(), r.action)).collect();
        assert_eq!(
            actions,
            [
                ("SECRET_KEY", Action::Weak),
                ("JWT_SECRET_KEY", Action::Added),
                ("SESSION_SECRET", Action::Added),
                ("ENCRYPTION_KEY", Action::Added),
                ("DB_PASSWORD", Action::Weak),
                ("REDIS_PASSWORD", Action::Added),
            ]
        );
        let out = doc.render();
        assert!(out.starts_with(original), "existing bytes rewritten");
        assert_eq!(doc.get("SECRET_KEY"), Some("keep-me"));
        assert_eq!(doc.get("JWT_SECRET_KEY").unwrap().len(), 64);
        assert_eq!(doc.get("SESSION_SECRET").unwrap().len(), 44);
        assert_eq!(doc.get("REDIS_PASSWORD").unwrap().len(), 32);
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let mut doc = Document::parse("");
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        fill_preset(&mut doc, "staging", &mut rng).unwrap();
        let first = doc.render().to_string();
        let report = fill_preset(&mut doc, "staging", &mut rng).unwrap();
        assert!(
            report
                .iter()
                .all(|r| r.action == Action::Kept && r.problem.is_none())
        );
        assert_eq!(doc.render().as_str(), first);
    }

    #[test]
    fn fail_a_declared_key_only_on_an_unreadable_line() {
        let mut doc = Document::parse("A=1\nSECRET_KEY='half' quoted\n");
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let err = fill_preset(&mut doc, "staging", &mut rng).unwrap_err();
        assert!(
            matches!(err, EditError::KeyOnUnparsableLine { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn fail_an_unterminated_quote_refuses_to_append() {
        let mut doc = Document::parse("A=1\nB=\"never closed\n");
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let err = fill_preset(&mut doc, "staging", &mut rng).unwrap_err();
        assert_eq!(err.line(), Some(2));
    }

    const EXAMPLE: &str = "# copy me\nexport SECRET_KEY=\nSESSION_SECRET=\"\"\nJWT_SECRET_KEY=changeme\n\
        ENCRYPTION_KEY=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\nDB_PASSWORD='' # db\n";

    #[test]
    fn empty_values_are_filled_in_place_and_placeholders_are_weak() {
        let m = preset();
        let mut doc = Document::parse(EXAMPLE);
        let example = Document::parse(EXAMPLE);
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let options = Options {
            replace_weak: false,
            example: Some(&example),
        };
        let report = fill(&mut doc, m.secrets_for("production"), &mut rng, options).unwrap();
        let got: Vec<_> = report
            .iter()
            .map(|r| (r.key.as_str(), r.action, r.problem.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("SECRET_KEY", Action::Filled, None),
                (
                    "JWT_SECRET_KEY",
                    Action::Weak,
                    Some("placeholder, not a 32-byte hex secret")
                ),
                ("SESSION_SECRET", Action::Filled, None),
                (
                    "ENCRYPTION_KEY",
                    Action::Weak,
                    Some("same value as in .env.example, not a 32-byte base64 secret")
                ),
                ("DB_PASSWORD", Action::Filled, None),
                ("REDIS_PASSWORD", Action::Added, None),
            ]
        );
        let out = doc.render();
        // Each key written (3 filled, 1 added) has its record directly above it; the kept
        // ones have none.
        const RECORD: &str = "# envmint: generated=2026-11-23T07:00:00Z";
        let all: Vec<&str> = out.lines().collect();
        for (i, line) in all.iter().enumerate() {
            let written = [
                "export SECRET_KEY=",
                "SESSION_SECRET=",
                "DB_PASSWORD=",
                "REDIS_",
            ]
            .iter()
            .any(|k| line.starts_with(k));
            assert_eq!(i > 0 && all[i - 1] == RECORD, written, "line {i}: {out:?}");
        }
        assert_eq!(all.iter().filter(|l| **l == RECORD).count(), 4);
        let lines: Vec<&str> = out.lines().filter(|l| *l != RECORD).collect();
        assert_eq!(lines[0], "# copy me");
        assert!(lines[1].starts_with("export SECRET_KEY=") && lines[1].len() == 18 + 64);
        assert!(lines[2].starts_with("SESSION_SECRET=\"") && lines[2].ends_with('"'));
        assert_eq!(lines[3], "JWT_SECRET_KEY=changeme");
        assert!(lines[5].starts_with("DB_PASSWORD=") && lines[5].ends_with(" # db"));
        assert!(lines[6].starts_with("REDIS_PASSWORD="));
        assert_eq!(doc.get("SESSION_SECRET").unwrap().len(), 44);
        assert_eq!(doc.get("DB_PASSWORD").unwrap().len(), 32);
    }

    #[test]
    fn replace_weak_replaces_in_place_and_a_second_run_keeps_everything() {
        let m = preset();
        let mut doc = Document::parse(EXAMPLE);
        let example = Document::parse(EXAMPLE);
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let options = Options {
            replace_weak: true,
            example: Some(&example),
        };
        let report = fill(&mut doc, m.secrets_for("production"), &mut rng, options).unwrap();
        assert_eq!(report[1].action, Action::Replaced);
        assert_eq!(report[3].action, Action::Replaced);
        assert!(
            report[1]
                .problem
                .as_deref()
                .unwrap()
                .starts_with("placeholder")
        );
        let out = doc.render().to_string();
        assert_eq!(doc.get("JWT_SECRET_KEY").unwrap().len(), 64);
        assert_eq!(
            doc.record("JWT_SECRET_KEY"),
            Some("generated=2026-11-23T07:00:00Z")
        );
        assert!(!out.contains("changeme"));
        let again = fill(&mut doc, m.secrets_for("production"), &mut rng, options).unwrap();
        assert!(again.iter().all(|r| r.action == Action::Kept), "{again:?}");
        assert_eq!(doc.render().as_str(), out);
    }

    #[test]
    fn only_a_file_with_content_and_no_readable_entry_is_not_a_dotenv_file() {
        for text in ["", "# only comments\n\n", "A=1\njunk\n", "\u{feff}"] {
            assert_eq!(not_a_dotenv_file(&Document::parse(text)), None, "{text:?}");
        }
        let passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n";
        assert_eq!(not_a_dotenv_file(&Document::parse(passwd)), Some(1));
        assert_eq!(
            not_a_dotenv_file(&Document::parse("# c\n\u{0}\u{1}\u{0}\u{7f}ELF\n")),
            Some(2)
        );
    }

    #[test]
    fn a_plan_is_pure_and_holds_no_value() {
        let m = preset();
        let doc = Document::parse(EXAMPLE);
        let example = Document::parse(EXAMPLE);
        let options = Options {
            replace_weak: true,
            example: Some(&example),
        };
        let plan = plan(&doc, m.secrets_for("production"), options).unwrap();
        assert_eq!(
            doc.render().as_str(),
            EXAMPLE,
            "planning changed the document"
        );
        let got: Vec<_> = plan
            .items
            .iter()
            .map(|i| (i.key.as_str(), i.action))
            .collect();
        assert_eq!(
            got,
            [
                ("SECRET_KEY", Action::Filled),
                ("JWT_SECRET_KEY", Action::Replaced),
                ("SESSION_SECRET", Action::Filled),
                ("ENCRYPTION_KEY", Action::Replaced),
                ("DB_PASSWORD", Action::Filled),
                ("REDIS_PASSWORD", Action::Added),
            ]
        );
        assert_eq!(plan.changes().count(), 6);
        assert_eq!(plan.items[0].report().kind, "hex");
        assert_eq!(plan.items[0].report().bits, 256.0);
        let shown = format!("{plan:?}");
        assert!(
            !shown.contains("changeme") && !shown.contains("q83v"),
            "{shown}"
        );
    }

    #[test]
    fn applying_a_plan_with_a_fixed_rng_is_reproducible_and_is_fill() {
        let m = preset();
        const BASE: &str = "A=1\nSECRET_KEY=\n";
        let plan = plan_of(BASE, &m);
        let applied = |seed| {
            let mut doc = Document::parse(BASE);
            let report = apply(
                &plan,
                &mut doc,
                &mut ChaCha20Rng::seed_from_u64(seed),
                now(),
            )
            .unwrap();
            (doc.render().to_string(), report)
        };
        let (one, report) = applied(7);
        assert_eq!(one, applied(7).0);
        assert_ne!(one, applied(8).0);
        assert_eq!(report, plan.report());
        let mut filled = Document::parse(BASE);
        let fill_report =
            fill_preset(&mut filled, "staging", &mut ChaCha20Rng::seed_from_u64(7)).unwrap();
        assert_eq!(
            (filled.render().as_str(), &fill_report),
            (one.as_str(), &report)
        );
        assert!(one.starts_with("A=1\n# envmint: generated=2026-11-23T07:00:00Z\nSECRET_KEY="));
        let again = plan_of(&one, &m);
        assert!(again.is_empty(), "{again:?}");
        assert!(again.items.iter().all(|i| i.action == Action::Kept));
    }

    #[test]
    fn external_secrets_are_never_generated_and_their_values_not_checked() {
        let m = Manifest::parse(
            "[environments.p]\n[secrets.STRIPE_KEY]\nexternal = true\n[secrets.SENTRY_DSN]\n\
             external = true\n[secrets.EMPTY]\nexternal = true\n[secrets.A]\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        let base = "SENTRY_DSN=changeme\nEMPTY=\n";
        let mut doc = Document::parse(base);
        let plan = plan(&doc, m.secrets_for("p"), Options::default()).unwrap();
        let got: Vec<_> = plan
            .items
            .iter()
            .map(|i| (i.key.as_str(), i.action, i.external))
            .collect();
        assert_eq!(
            got,
            [
                ("STRIPE_KEY", Action::Missing, true),
                ("SENTRY_DSN", Action::Kept, true),
                ("EMPTY", Action::Missing, true),
                ("A", Action::Added, false),
            ]
        );
        assert!(!Action::Missing.wrote());
        apply(&plan, &mut doc, &mut ChaCha20Rng::seed_from_u64(1), now()).unwrap();
        let out = doc.render();
        assert!(out.starts_with(base), "{out:?}");
        assert_eq!(doc.keys(), ["SENTRY_DSN", "EMPTY", "A"]);
    }

    fn plan_of(text: &str, m: &Manifest) -> Plan {
        plan(
            &Document::parse(text),
            m.secrets_for("staging"),
            Options::default(),
        )
        .unwrap()
    }

    #[test]
    fn fail_planning_a_key_only_on_an_unreadable_line() {
        let m = preset();
        let doc = Document::parse("SECRET_KEY='half' quoted\n");
        let err = plan(&doc, m.secrets_for("staging"), Options::default()).unwrap_err();
        assert!(
            matches!(err, EditError::KeyOnUnparsableLine { line: 1, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn fail_retired_values_from_the_example_are_foreign_and_marked_expired() {
        let m = Manifest::parse(
            "[environments.p]\n\
             [secrets.A]\nkind = \"hex\"\noverlap = \"7d\"\n\
             previous = { list = \"A_OLD\", separator = \",\", keep = 2 }\n\
             [secrets.B]\nkind = \"hex\"\noverlap = \"7d\"\n\
             [secrets.C]\nkind = \"hex\"\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        let example = Document::parse(
            "# envmint: previous-of=A retired=2026-01-01 expires=2099-01-01\nA_OLD=x,y\n\
             B_PREVIOUS=known\nC_PREVIOUS=apps-own\n",
        );
        // Copied: A_OLD by its record, B_PREVIOUS by its value; C does not overlap, so its
        // C_PREVIOUS is the app's own variable.
        let text = "A=1\n# envmint: previous-of=A retired=2026-01-01 expires=2099-01-01\n\
            A_OLD=x,y\nB=2\nB_PREVIOUS=known\nC=3\nC_PREVIOUS=apps-own\n";
        let mut doc = Document::parse(text);
        let plan = plan(
            &doc,
            m.secrets_for("p"),
            Options {
                example: Some(&example),
                ..Options::default()
            },
        )
        .unwrap();
        let found: Vec<_> = plan
            .foreign
            .iter()
            .map(|f| (f.key.as_str(), f.of.as_str(), f.why, f.count, f.marked))
            .collect();
        assert_eq!(
            found,
            [
                ("A_OLD", "A", ForeignWhy::ExampleRecord, 2, false),
                ("B_PREVIOUS", "B", ForeignWhy::ExampleValue, 1, false),
            ]
        );
        assert!(!plan.is_empty());
        apply(&plan, &mut doc, &mut ChaCha20Rng::seed_from_u64(1), now()).unwrap();
        assert_eq!(
            doc.record("A_OLD"),
            Some(
                "previous-of=A retired=2026-11-23T07:00:00Z,2026-11-23T07:00:00Z \
                 expires=2026-11-23T07:00:00Z,2026-11-23T07:00:00Z"
            )
        );
        assert_eq!(
            doc.record("B_PREVIOUS"),
            Some("previous-of=B retired=2026-11-23T07:00:00Z expires=2026-11-23T07:00:00Z")
        );
        // Marked: still foreign, nothing more to write.
        let again = super::plan(
            &doc,
            m.secrets_for("p"),
            Options {
                example: Some(&example),
                ..Options::default()
            },
        )
        .unwrap();
        assert!(again.foreign.iter().all(|f| f.marked) && again.foreign.len() == 2);
        assert!(again.is_empty());
        // Without a template, nothing is foreign.
        assert!(foreign(&doc, m.secrets_for("p"), None).is_empty());
    }

    /// A template whose retired value carries a keyring's record (no `expires`, which never
    /// expires by time whatever the role) is foreign and not already marked: bootstrap gives
    /// it an expired record, so the repository-known value cannot stay a fallback for good.
    #[test]
    fn fail_a_keyring_record_from_the_example_is_not_taken_as_marked() {
        let m = Manifest::parse(
            "[environments.p]\n[secrets.B]\nkind = \"hex\"\noverlap = \"7d\"\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        let text = "B=2\n# envmint: previous-of=B retired=2020-01-01T00:00:00Z\nB_PREVIOUS=known\n";
        let example = Document::parse(text);
        let mut doc = Document::parse(text);
        let options = Options {
            example: Some(&example),
            ..Options::default()
        };
        let plan = plan(&doc, m.secrets_for("p"), options).unwrap();
        assert_eq!(plan.foreign.len(), 1);
        assert!(!plan.foreign[0].marked);
        apply(&plan, &mut doc, &mut ChaCha20Rng::seed_from_u64(1), now()).unwrap();
        assert_eq!(
            doc.record("B_PREVIOUS"),
            Some("previous-of=B retired=2026-11-23T07:00:00Z expires=2026-11-23T07:00:00Z")
        );
    }
}
