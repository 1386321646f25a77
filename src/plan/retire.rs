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
//!
//! Retired values of the key left under names it no longer uses (a `previous` form the
//! manifest changed, numbered slots beyond the declared ones, or a key the manifest no longer
//! declares) are found by their `previous-of=KEY` record and removed too, reported like the
//! others: a keyring's (no `expires`) are never removed by a rotation, so without this they
//! would stay in the file for good.

use super::edit::Edit;
use super::record::Record;
use super::rotation::{self, Action, Built, RotationError};
use crate::dotenv::Document;
use crate::manifest::{Environment, Manifest, Role};
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
    let decl = manifest.secrets_for(&env.name).find(|d| d.key == key);
    let found = decl.map(|decl| rotation::read_previous(doc, decl, now));
    // Never another secret's variable, whatever a record above it says.
    let mut names: Vec<String> = found.as_ref().map_or_else(Vec::new, |f| f.names.clone());
    for d in manifest.secrets_for(&env.name).filter(|d| d.key != key) {
        names.push(d.key.clone());
        names.extend(d.previous.names(None));
    }
    let left = left_behind(doc, key, &names, older_than);
    let (Some(decl), Some(found)) = (decl, found) else {
        // Not (or no longer) declared: only its retired values left in the file go.
        if left.is_empty() {
            return Err(RotationError::NotDeclared {
                key: key.to_string(),
                environment: env.name.clone(),
            });
        }
        let mut built = Built::default();
        remove_left(left, key, &mut built);
        return Ok(built);
    };
    let (kept, gone): (Vec<_>, Vec<_>) = found
        .alive
        .into_iter()
        .partition(|e| older_than.is_some_and(|t| e.retired >= t));
    let mut built = Built::default();
    // Every old key retired from a secret the manifest no longer calls an encryption key:
    // its current value's `role=encryption` goes too, so its next rotation follows the role
    // the manifest declares (and `audit` stops reporting a keyring of another role).
    if older_than.is_none()
        && decl.role != Role::Encryption
        && let Some(value) = doc.get(key)
        && let Some(Ok(record)) = doc.record(key).map(Record::parse)
        && record.encryption
    {
        built.edits.push(Edit::Set {
            key: key.to_string(),
            value: crate::Secret::new(value.to_string()),
            record: record.encryption(false).to_string(),
        });
    }
    if gone.is_empty() && found.expired.is_empty() && left.is_empty() {
        return Ok(built);
    }
    for (name, count) in rotation::sources(&gone) {
        built
            .changes
            .push(rotation::previous_change(name, Action::Dropped, key, count));
    }
    for (name, count) in found.expired {
        built.changes.push(rotation::previous_change(
            name,
            Action::ExpiredRemoved,
            key,
            count,
        ));
    }
    if !gone.is_empty() || !built.changes.is_empty() {
        rotation::write_previous(doc, decl, &kept, &found.names, &mut built.edits);
    }
    remove_left(left, key, &mut built);
    Ok(built)
}

/// The variables of `doc` that hold retired values of `key` under a name it does not use now
/// (not among `names`: its own and the other secrets' names): the manifest moved its `previous` form, lowered a numbered form's
/// slots, or no longer declares `key`. Each is read by its record (`previous-of=KEY`), and goes
/// as a whole when every value in it was retired before `older_than` (all go without it; one
/// whose times do not read is kept under `--older-than`). A rotation leaves those of a keyring
/// (no `expires`) alone for good, so this is the one way they go.
fn left_behind(
    doc: &Document,
    key: &str,
    names: &[String],
    older_than: Option<Timestamp>,
) -> Vec<(String, usize)> {
    doc.keys()
        .into_iter()
        .filter(|k| *k != key && !names.iter().any(|n| n == k) && doc.get(k).is_some())
        .filter_map(|k| {
            let record = Record::parse(doc.record(k)?).ok()?;
            if record.previous_of.as_deref() != Some(key) {
                return None;
            }
            let old = match older_than {
                None => true,
                Some(t) => !record.retired.is_empty() && record.retired.iter().all(|r| *r < t),
            };
            old.then(|| (k.to_string(), record.retired.len().max(1)))
        })
        .collect()
}

/// Removes the variables `left` behind by `key`, as dropped changes.
fn remove_left(left: Vec<(String, usize)>, key: &str, built: &mut Built) {
    for (name, count) in left {
        built.edits.push(Edit::Remove { key: name.clone() });
        built
            .changes
            .push(rotation::previous_change(name, Action::Dropped, key, count));
    }
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

    /// Retired values left under names the key no longer uses (a moved `previous` form,
    /// numbered slots beyond the declared ones), or of a key the manifest no longer declares,
    /// are found by their records and removed; never another secret's variable.
    #[test]
    fn left_behind_names_are_retired_and_reported() {
        let text = "ENC=k3\n\
            # envmint: previous-of=ENC retired=2026-01-01T00:00:00Z\nENC_PREVIOUS=moved\n\
            # envmint: previous-of=N retired=2027-01-01T00:00:00Z\nN_9=beyond\n\
            # envmint: previous-of=GONE retired=2025-01-01T00:00:00Z expires=2099-01-01T00:00:00Z\n\
            GONE_PREVIOUS=left\n\
            # envmint: previous-of=ENC retired=2020-01-01T00:00:00Z\nN=not-yours\n";
        let (out, changes) = retire(text, "ENC", Some("2026-06-01"));
        assert!(!out.contains("ENC_PREVIOUS"), "{out}");
        assert!(out.contains("N=not-yours\n"), "{out}");
        assert_eq!(changes, [("ENC_PREVIOUS".to_string(), 1)]);
        // Retired after --older-than: kept.
        let (out, changes) = retire(text, "ENC", Some("2025-06-01"));
        assert_eq!((out.as_str(), changes.len()), (text, 0));
        // N_9 is a numbered slot read as N's own (up to the form's limit): retired with them.
        let (out, changes) = retire(text, "N", None);
        assert!(!out.contains("N_9"), "{out}");
        assert_eq!(changes, [("N_9".to_string(), 1)]);
        // GONE is no longer declared: its left value still goes; an unknown key is refused.
        let (out, changes) = retire(text, "GONE", None);
        assert!(!out.contains("GONE_PREVIOUS"), "{out}");
        assert_eq!(changes, [("GONE_PREVIOUS".to_string(), 1)]);
        let m = manifest();
        let env = m.environment("production").unwrap();
        let err = build(
            &m,
            env,
            &Document::parse(text),
            "NEVER",
            None,
            t("2030-01-01"),
        );
        assert!(matches!(err, Err(RotationError::NotDeclared { .. })));
    }
}
