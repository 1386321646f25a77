//! Retiring old keys explicitly (`envmint retire ENV KEY [--older-than WHEN]`): the way an
//! encryption key's keyring shrinks, since time never removes its keys. Works on any secret's
//! retired values (a signing key's too, before their expiry).
//!
//! [`build`] is pure: it reads the secret's retired values from the document as a rotation
//! does ([`super::rotation`]), keeps those retired at or after `older_than` (all go when it is
//! `None`), and returns the edits that rewrite its `previous` form with the rest (numbered
//! slots and lists close up, each record rewritten), as [`Action::Dropped`] changes. A value
//! without a readable retirement time is kept under `--older-than` (its age is not known),
//! and gets a record dated now. The `reencrypt` hook of a later release calls the same code.

use super::rotation::{self, Action, Built, Change, RotationError};
use crate::dotenv::Document;
use crate::manifest::{Environment, Manifest};
use jiff::Timestamp;

/// Decides which retired values of `key` in `env`'s document `doc` go: those retired before
/// `older_than`, or all of them. `now` dates values that have no record.
///
/// # Errors
///
/// [`RotationError::NotDeclared`] when `key` is not a secret of the environment.
pub fn build(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    key: &str,
    older_than: Option<Timestamp>,
    now: Timestamp,
) -> Result<Built, RotationError> {
    let Some(decl) = manifest.secrets_for(&env.name).find(|d| d.key == key) else {
        return Err(RotationError::NotDeclared {
            key: key.to_string(),
            environment: env.name.clone(),
        });
    };
    let found = rotation::read_previous(doc, decl, now);
    let (kept, gone): (Vec<_>, Vec<_>) = found
        .alive
        .into_iter()
        .partition(|e| older_than.is_some_and(|t| e.retired >= t));
    let mut built = Built::default();
    if gone.is_empty() && found.expired.is_empty() {
        return Ok(built);
    }
    let change = |name: String, action, count| Change {
        key: name,
        action,
        reason: None,
        kind: None,
        bits: None,
        previous_of: Some(key.to_string()),
        count,
    };
    for (name, count) in rotation::sources(&gone) {
        built.changes.push(change(name, Action::Dropped, count));
    }
    for (name, count) in found.expired {
        built
            .changes
            .push(change(name, Action::ExpiredRemoved, count));
    }
    rotation::write_previous(doc, decl, &kept, &found.names, &mut built.edits);
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::edit::apply_edits;
    use std::path::Path;

    fn manifest() -> Manifest {
        Manifest::parse(
            "[environments.production]\n\
             [secrets.ENC]\nkind = \"hex\"\nrole = \"encryption\"\n\
             previous = { list = \"ENC_OLD\", separator = \",\", keep = 4 }\n\
             [secrets.N]\nkind = \"hex\"\nrole = \"encryption\"\n\
             previous = { numbered = \"N_{n}\", keep = 3 }\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap()
    }

    fn t(text: &str) -> Timestamp {
        crate::time::parse_instant(text).unwrap()
    }

    fn retire(text: &str, key: &str, older_than: Option<&str>) -> (String, Vec<(String, usize)>) {
        let m = manifest();
        let env = m.environment("production").unwrap();
        let mut doc = Document::parse(text);
        let built = build(&m, env, &doc, key, older_than.map(t), t("2030-01-01")).unwrap();
        apply_edits(&mut doc, &built.edits).unwrap();
        let changes = built
            .changes
            .into_iter()
            .map(|c| (c.key, c.count))
            .collect();
        (doc.render().to_string(), changes)
    }

    const LIST: &str = "ENC=k3\n\
        # envmint: previous-of=ENC retired=2029-01-01T00:00:00Z,2028-01-01T00:00:00Z,2027-01-01T00:00:00Z\n\
        ENC_OLD=k2,k1,k0\nOTHER=x\n";

    #[test]
    fn older_than_keeps_the_newer_keys_and_without_it_all_go() {
        let (out, changes) = retire(LIST, "ENC", Some("2028-01-01"));
        assert_eq!(
            out,
            "ENC=k3\n\
             # envmint: previous-of=ENC retired=2029-01-01T00:00:00Z,2028-01-01T00:00:00Z\n\
             ENC_OLD=k2,k1\nOTHER=x\n"
        );
        assert_eq!(changes, [("ENC_OLD".to_string(), 1)]);
        let (out, changes) = retire(LIST, "ENC", None);
        assert_eq!(out, "ENC=k3\nOTHER=x\n");
        assert_eq!(changes, [("ENC_OLD".to_string(), 3)]);
        // Nothing that old: no change at all.
        let (out, changes) = retire(LIST, "ENC", Some("2020-01-01"));
        assert_eq!((out.as_str(), changes.len()), (LIST, 0));
    }

    #[test]
    fn numbered_slots_close_up_and_an_undated_key_is_kept_under_older_than() {
        let text = "N=n3\n\
            # envmint: previous-of=N retired=2029-01-01T00:00:00Z\nN_1=n2\n\
            # envmint: previous-of=N retired=2027-01-01T00:00:00Z\nN_2=n1\n\
            N_3=hand\n";
        let (out, changes) = retire(text, "N", Some("2028-01-01"));
        assert_eq!(
            out,
            "N=n3\n\
             # envmint: previous-of=N retired=2029-01-01T00:00:00Z\nN_1=n2\n\
             # envmint: previous-of=N retired=2030-01-01T00:00:00Z\nN_2=hand\n"
        );
        assert_eq!(changes, [("N_2".to_string(), 1)]);
    }

    #[test]
    fn fail_an_undeclared_key() {
        let m = manifest();
        let env = m.environment("production").unwrap();
        let err = build(
            &m,
            env,
            &Document::parse(LIST),
            "NOPE",
            None,
            t("2030-01-01"),
        )
        .unwrap_err();
        assert!(matches!(err, RotationError::NotDeclared { .. }), "{err:?}");
    }
}
