//! Concrete document edits with their values: what a rotation decided, in a form that can be
//! saved in a plan file and replayed on the same document later with the same result.
//!
//! A rotation ([`super::rotation`]) turns its value-free decisions and freshly generated values
//! into a list of [`Edit`]s; [`apply_edits`] replays them, in order, on a [`Document`]. Replaying
//! is deterministic: the same edits on the same document always give the same bytes, which is
//! what lets `envmint apply` check a saved plan against the digests it recorded
//! ([`digest`]).

use super::record::Record;
use crate::Secret;
use crate::dotenv::{Document, EditError};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// One change to a document. Values are [`Secret`]s: `Debug` never shows them.
#[derive(Debug)]
pub enum Edit {
    /// `key=value` with the record line `record` above it: the value replaced in place (its
    /// quoting kept) when the key is there, else appended as a new last line.
    Set {
        /// The key.
        key: String,
        /// The new value.
        value: Secret,
        /// The `# envmint:` record text (without the prefix).
        record: String,
    },
    /// A new line `key=value` directly after `anchor`'s definition, with its record above it.
    InsertAfter {
        /// The key the new line follows.
        anchor: String,
        /// The new key.
        key: String,
        /// Its value.
        value: Secret,
        /// The `# envmint:` record text (without the prefix).
        record: String,
    },
    /// Every definition of `key` removed, with its record lines.
    Remove {
        /// The key.
        key: String,
    },
}

impl Edit {
    /// The key the edit writes or removes.
    pub fn key(&self) -> &str {
        match self {
            Edit::Set { key, .. } | Edit::InsertAfter { key, .. } | Edit::Remove { key } => key,
        }
    }
}

/// Checks edits read from a saved plan before they are replayed: each must write or remove
/// one of `allowed` (the variables a rotation of the environment may touch, see
/// [`super::status::rotatable_names`]) or remove one of `removable` (retired values left
/// under a name their secret no longer uses, [`super::status::left_behind_names`] of the
/// document the plan is replayed on), and each record must be one envmint could have
/// written. A plan file is only as trustworthy as whoever could write it (a sealed one is
/// encrypted to public recipients, not signed), so this keeps a forged plan from rewriting
/// `DATABASE_URL` or planting comment lines.
///
/// # Errors
///
/// A sentence naming the first edit refused.
pub fn check_edits(
    edits: &[Edit],
    allowed: &HashSet<String>,
    removable: &HashSet<String>,
) -> Result<(), String> {
    for edit in edits {
        let key = edit.key();
        let removal = matches!(edit, Edit::Remove { .. });
        let permitted = allowed.contains(key) || (removal && removable.contains(key));
        if !permitted {
            let shown = crate::text::shown(key, 64);
            return Err(format!(
                "it changes `{shown}`, which is not a secret the manifest has envmint rotate there"
            ));
        }
        let record = match edit {
            Edit::Set { record, .. } | Edit::InsertAfter { record, .. } => record,
            Edit::Remove { .. } => continue,
        };
        // Any control character, not just a line break: a tab or NUL would pass here and be
        // refused by the document later, naming the .env file instead of the plan.
        let fine = !record.contains(char::is_control)
            && Record::parse(record)
                .is_ok_and(|r| r.made_at().is_some() || r.previous_of.is_some());
        if !fine {
            return Err(format!(
                "the record it writes above `{key}` is not an envmint record"
            ));
        }
    }
    Ok(())
}

/// Replays `edits` on `doc`, in order.
///
/// # Errors
///
/// The first [`EditError`] the document gives; `doc` may then hold some of the edits, and the
/// caller saves nothing.
pub fn apply_edits(doc: &mut Document, edits: &[Edit]) -> Result<(), EditError> {
    for edit in edits {
        match edit {
            Edit::Set { key, value, record } => {
                if doc.get(key).is_some() {
                    doc.replace_value(key, value.expose())?;
                } else {
                    doc.append(key, value.expose())?;
                }
                doc.set_record(key, record)?;
            }
            Edit::InsertAfter {
                anchor,
                key,
                value,
                record,
            } => {
                doc.insert_after(anchor, key, value.expose())?;
                doc.set_record(key, record)?;
            }
            Edit::Remove { key } => doc.remove(key)?,
        }
    }
    Ok(())
}

/// The SHA-256 of a store's plaintext, in lowercase hex: how a saved plan recognises the
/// document it was made from and the one it makes. `None` (a store that does not exist yet) has
/// its own digest, distinct from an empty file's.
pub fn digest(plaintext: Option<&[u8]>) -> String {
    match plaintext {
        Some(bytes) => hex::encode(Sha256::digest(bytes)),
        None => "absent".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> Secret {
        Secret::new(s.to_string())
    }

    #[test]
    fn a_record_with_any_control_character_is_refused_as_the_plans() {
        let allowed: HashSet<String> = ["A".to_string()].into();
        let set = |record: &str| Edit::Set {
            key: "A".into(),
            value: secret("v"),
            record: record.into(),
        };
        assert_eq!(
            check_edits(&[set("generated=2020-01-02T00:00:00Z")], &allowed, &allowed),
            Ok(())
        );
        for bad in ["\t", "\n", "\r", "\0", "\u{1b}"] {
            let record = format!("generated=2020-01-02T00:00:00Z{bad}note=x");
            assert_eq!(
                check_edits(&[set(&record)], &allowed, &allowed),
                Err("the record it writes above `A` is not an envmint record".to_string()),
                "{record:?}"
            );
        }
    }

    #[test]
    fn edits_replay_the_same_way_and_keep_other_bytes() {
        let text = "# top\nexport A='old' # note\nB=2\n";
        let edits = [
            Edit::Set {
                key: "A".into(),
                value: secret("new"),
                record: "generated=2026-11-23T07:00:00Z".into(),
            },
            Edit::InsertAfter {
                anchor: "A".into(),
                key: "A_PREVIOUS".into(),
                value: secret("old"),
                record: "previous-of=A retired=2026-11-23T07:00:00Z".into(),
            },
            Edit::Set {
                key: "C".into(),
                value: secret("3"),
                record: "generated=2026-11-23T07:00:00Z".into(),
            },
            Edit::Remove { key: "B".into() },
        ];
        let mut one = Document::parse(text);
        apply_edits(&mut one, &edits).unwrap();
        let mut two = Document::parse(text);
        apply_edits(&mut two, &edits).unwrap();
        assert_eq!(one.render(), two.render());
        assert_eq!(
            one.render().as_str(),
            "# top\n# envmint: generated=2026-11-23T07:00:00Z\nexport A='new' # note\n\
             # envmint: previous-of=A retired=2026-11-23T07:00:00Z\nA_PREVIOUS=old\n\
             # envmint: generated=2026-11-23T07:00:00Z\nC=3\n"
        );
        assert!(!format!("{edits:?}").contains("old"));
    }

    #[test]
    fn digests_tell_absent_from_empty() {
        assert_ne!(digest(None), digest(Some(b"")));
        assert_eq!(digest(Some(b"A=1\n")), digest(Some(b"A=1\n")));
        assert_eq!(digest(Some(b"")).len(), 64);
    }
}
