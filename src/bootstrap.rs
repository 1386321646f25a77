//! Bootstrap: add every declared secret an environment's document lacks.
//!
//! Pure: it takes a document, the environment's declared secrets and an RNG, appends what is
//! missing, and reports per key what it did. It never changes or reorders a key that is already
//! there; the store decides whether anything needs writing.

use crate::dotenv::{Document, EditError};
use crate::generate::Generator;
use crate::manifest::SecretDecl;
use rand::CryptoRng;

/// What bootstrap did with one declared key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The key was missing and a new value was appended.
    Added,
    /// The key was already there and was left untouched.
    Kept,
}

impl Action {
    /// `added` or `kept`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Kept => "kept",
        }
    }
}

/// One line of the bootstrap summary. Holds no value.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyReport {
    /// The key.
    pub key: String,
    /// Added or kept.
    pub action: Action,
    /// The declared kind's name.
    pub kind: &'static str,
    /// The declared entropy in bits (of the new value, or of what the manifest asks for).
    pub bits: f64,
}

/// Comment line put at the top of a file bootstrap creates.
pub fn header(environment: &str) -> String {
    format!("# {environment} secrets, written by envmint. Keep this file out of version control.\n")
}

/// Appends a fresh value for every secret in `secrets` that `doc` lacks, in declaration order.
///
/// Fails without having changed anything visible to the caller's file (the caller saves only on
/// success) when a key sits on an unparsable line or an appended line could be swallowed by an
/// unterminated quote.
pub fn fill<'a, R: CryptoRng + ?Sized>(
    doc: &mut Document,
    secrets: impl IntoIterator<Item = &'a SecretDecl>,
    rng: &mut R,
) -> Result<Vec<KeyReport>, EditError> {
    let mut report = Vec::new();
    for decl in secrets {
        let action = if doc.contains_key(&decl.key) {
            // Present only on a line nothing can read: "kept" would hide that it has no value.
            if let (None, Some(line)) = (doc.get(&decl.key), doc.broken_line(&decl.key)) {
                return Err(EditError::KeyOnUnparsableLine {
                    key: decl.key.clone(),
                    line,
                });
            }
            Action::Kept
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
        let report = fill(&mut doc, m.secrets_for("production"), &mut rng).unwrap();
        let actions: Vec<_> = report.iter().map(|r| (r.key.as_str(), r.action)).collect();
        assert_eq!(
            actions,
            [
                ("SECRET_KEY", Action::Kept),
                ("JWT_SECRET_KEY", Action::Added),
                ("SESSION_SECRET", Action::Added),
                ("ENCRYPTION_KEY", Action::Added),
                ("DB_PASSWORD", Action::Kept),
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
        fill(&mut doc, m.secrets_for("staging"), &mut rng).unwrap();
        let first = doc.render().to_string();
        let report = fill(&mut doc, m.secrets_for("staging"), &mut rng).unwrap();
        assert!(report.iter().all(|r| r.action == Action::Kept));
        assert_eq!(doc.render().as_str(), first);
    }

    #[test]
    fn fail_a_declared_key_only_on_an_unreadable_line() {
        let m = preset();
        let mut doc = Document::parse("A=1\nSECRET_KEY='half' quoted\n");
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let err = fill(&mut doc, m.secrets_for("staging"), &mut rng).unwrap_err();
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
        let err = fill(&mut doc, m.secrets_for("staging"), &mut rng).unwrap_err();
        assert_eq!(err.line(), Some(2));
    }
}
