//! Bootstrap: add every declared secret an environment's document lacks, fill the empty ones,
//! and check the ones it keeps.
//!
//! Pure: it takes a document, the environment's declared secrets and an RNG, appends what is
//! missing, fills empty values in place, and reports per key what it did. A value already there
//! is kept, checked against its declaration and against known placeholders ([`Spec::check`]),
//! and replaced in place only when the caller asks (`--replace-weak`). It never reorders a
//! key; the store decides whether anything needs writing.

use crate::dotenv::{Document, EditError};
use crate::generate::{Generator, Problem, Spec};
use crate::manifest::SecretDecl;
use rand::CryptoRng;

/// What bootstrap did with one declared key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The key was missing and a new value was appended.
    Added,
    /// The key was there with an empty value, which was filled in place.
    Filled,
    /// The key was there and its value passed the check; it was left untouched.
    Kept,
    /// The key was there and its value failed the check; it was left untouched.
    Weak,
    /// The key's value failed the check and was replaced in place (`--replace-weak`).
    Replaced,
}

impl Action {
    /// `added`, `filled`, `kept`, `weak` or `replaced`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Filled => "filled",
            Action::Kept => "kept",
            Action::Weak => "weak",
            Action::Replaced => "replaced",
        }
    }

    /// Whether envmint wrote a new value for the key.
    pub fn wrote(self) -> bool {
        matches!(self, Action::Added | Action::Filled | Action::Replaced)
    }
}

/// One line of the bootstrap summary. Holds no value.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyReport {
    /// The key.
    pub key: String,
    /// What was done.
    pub action: Action,
    /// The declared kind's name.
    pub kind: &'static str,
    /// The declared entropy in bits: of the new value, or what a kept value that passed the
    /// check would have if it was made randomly.
    pub bits: f64,
    /// For a weak or replaced value: what was wrong with the old value and what was declared
    /// (`placeholder, not a 32-byte hex secret`). Never the value.
    pub problem: Option<String>,
}

/// What else `fill` may do beyond adding missing keys.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// Replace kept values that fail the check, in place.
    pub replace_weak: bool,
    /// The template beside the file (`.env.example`): a kept value equal to the template's
    /// value for the same key is weak.
    pub example: Option<&'a Document>,
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
    let problem = spec.check(value).err().or_else(|| {
        example
            .and_then(|e| e.get(key))
            .filter(|template| *template == value)
            .map(|_| Problem::SameAsExample)
    })?;
    Some(format!("{problem}, not a {}", spec.describe()))
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

/// Appends a fresh value for every secret in `secrets` that `doc` lacks, in declaration order;
/// fills empty values in place; checks every value it keeps, replacing the weak ones in place
/// when `options.replace_weak` is set.
///
/// Fails without having changed anything visible to the caller's file (the caller saves only on
/// success) when a key sits on an unparsable line or an appended line could be swallowed by an
/// unterminated quote.
pub fn fill<'a, R: CryptoRng + ?Sized>(
    doc: &mut Document,
    secrets: impl IntoIterator<Item = &'a SecretDecl>,
    rng: &mut R,
    options: Options<'_>,
) -> Result<Vec<KeyReport>, EditError> {
    let mut report = Vec::new();
    for decl in secrets {
        let mut problem = None;
        let action = if doc.contains_key(&decl.key) {
            let Some(value) = doc.get(&decl.key) else {
                // Present only on a line nothing can read: "kept" would hide that it has no
                // value.
                return Err(EditError::KeyOnUnparsableLine {
                    key: decl.key.clone(),
                    line: doc.broken_line(&decl.key).unwrap_or(0),
                });
            };
            if value.is_empty() {
                let value = Generator::new(decl.spec.clone()).generate(rng);
                doc.replace_value(&decl.key, value.expose())?;
                Action::Filled
            } else {
                problem = check_kept(&decl.key, value, &decl.spec, options.example);
                match (&problem, options.replace_weak) {
                    (None, _) => Action::Kept,
                    (Some(_), false) => Action::Weak,
                    (Some(_), true) => {
                        let value = Generator::new(decl.spec.clone()).generate(rng);
                        doc.replace_value(&decl.key, value.expose())?;
                        Action::Replaced
                    }
                }
            }
        } else {
            let value = Generator::new(decl.spec.clone()).generate(rng);
            doc.append(&decl.key, value.expose())?;
            Action::Added
        };
        report.push(KeyReport {
            key: decl.key.clone(),
            action,
            kind: decl.spec.kind().name(),
            bits: decl.spec.bits(),
            problem,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use std::path::Path;

    fn preset() -> Manifest {
        Manifest::builtin(Path::new("/app"))
    }

    #[test]
    fn adds_only_what_is_missing_and_keeps_existing_bytes() {
        let m = preset();
        let original = "# mine\nexport SECRET_KEY='keep-me'\r\nDB_PASSWORD=\"x y\"";
        let mut doc = Document::parse(original);
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let report = fill(
            &mut doc,
            m.secrets_for("production"),
            &mut rng,
            Options::default(),
        )
        .unwrap();
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
        let m = preset();
        let mut doc = Document::parse("");
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        fill(
            &mut doc,
            m.secrets_for("staging"),
            &mut rng,
            Options::default(),
        )
        .unwrap();
        let first = doc.render().to_string();
        let report = fill(
            &mut doc,
            m.secrets_for("staging"),
            &mut rng,
            Options::default(),
        )
        .unwrap();
        assert!(
            report
                .iter()
                .all(|r| r.action == Action::Kept && r.problem.is_none())
        );
        assert_eq!(doc.render().as_str(), first);
    }

    #[test]
    fn fail_a_declared_key_only_on_an_unreadable_line() {
        let m = preset();
        let mut doc = Document::parse("A=1\nSECRET_KEY='half' quoted\n");
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let err = fill(
            &mut doc,
            m.secrets_for("staging"),
            &mut rng,
            Options::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, EditError::KeyOnUnparsableLine { line: 2, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn fail_an_unterminated_quote_refuses_to_append() {
        let m = preset();
        let mut doc = Document::parse("A=1\nB=\"never closed\n");
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let err = fill(
            &mut doc,
            m.secrets_for("staging"),
            &mut rng,
            Options::default(),
        )
        .unwrap_err();
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
        let lines: Vec<&str> = out.lines().collect();
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
        assert_eq!(
            out.lines().nth(3).unwrap().len(),
            "JWT_SECRET_KEY=".len() + 64
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
}
