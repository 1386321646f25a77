//! Saved plans: `envmint plan -o PLANFILE` writes one, `envmint apply PLANFILE` replays it.
//!
//! # Format
//!
//! A JSON object whose first member is `"envmint_plan": 1` (tools such as `envmint audit` find
//! plan files by that text in their first 100 bytes), then `created` (RFC 3339) and
//! `environments`, one object per environment, in order:
//!
//! ```json
//! {"envmint_plan":1,"created":"2026-11-23T07:00:00Z","environments":[
//!   {"name":"production","store":".env.production.age",
//!    "summary":[{"key":"JWT_SECRET_KEY","action":"rotate","reason":"due","kind":"hex","bits":256}],
//!    "sealed_secrets":"-----BEGIN AGE ENCRYPTED FILE-----\n..."},
//!   {"name":"staging","store":".env.staging.local","summary":[...],
//!    "secrets":{"before":"<sha256>","after":"<sha256>","edits":[
//!      {"op":"set","key":"JWT_SECRET_KEY","value":"...","record":"generated=..."}]}}]}
//! ```
//!
//! - `store` is the environment's store as the manifest names it, relative to the manifest's
//!   folder: `apply` refuses a plan whose store is not the one the manifest names now.
//! - `summary` holds no value nor hash: key names, what happens, why, kind and bits.
//! - The secret part (`before` and `after`, the SHA-256 of the store's plaintext before and
//!   after the plan, see [`super::edit::digest`], and the [`Edit`]s with their new values) is
//!   `secrets` in the clear for a plain environment (whose store is in the clear beside it), or
//!   `sealed_secrets`, the same JSON age-encrypted (ASCII-armored) to the environment's
//!   recipients, for a sealed one.
//! - An edit is `{"op": "set" | "insert_after" | "remove", "key", "anchor"?, "value"?,
//!   "record"?}`.
//!
//! The whole file is written 0600 through the atomic writer by the binary; [`render`] builds
//! it in a zeroizing buffer and [`parse`] reads it back (values straight into [`Secret`]s).

use super::edit::Edit;
use super::error::PlanFileError;
use crate::error::{Error, Result};
use crate::seal::{Identity, Opened, Recipient};
use crate::secret::reserve_zeroizing;
use crate::{Secret, seal};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::Path;
use zeroize::Zeroizing;

/// The format version written as `"envmint_plan": 1`.
pub const FORMAT: u32 = 1;

/// The largest plan file read: a plan holds at most a few values per key of each store, and a
/// store is at most [`crate::atomic::MAX_DOTENV_BYTES`].
pub const MAX_PLAN_BYTES: u64 = 4 * crate::atomic::MAX_DOTENV_BYTES;

/// One line of a plan's redacted summary: never a value nor a hash of one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryLine {
    /// The key (or a previous value's variable).
    pub key: String,
    /// What happens: `rotate`, `retire`, `remove-expired`, `drop`, `external-due`,
    /// `credential-kept`, `keyring-full`.
    pub action: String,
    /// Why (`due`, `unknown`, `missing`, `selected`, `expired`, `no-overlap`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The kind of a new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The entropy of a new value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<f64>,
}

/// The secret part of one environment's plan.
#[derive(Debug)]
pub struct EnvSecrets {
    /// Digest of the store's plaintext the plan was made from.
    pub before: String,
    /// Digest of the store's plaintext once the plan is applied.
    pub after: String,
    /// The edits, in order.
    pub edits: Vec<Edit>,
}

/// One environment of a plan to write.
pub struct EnvToSave<'a> {
    /// The environment's name.
    pub name: &'a str,
    /// Its store, relative to the manifest's folder.
    pub store: &'a str,
    /// The redacted summary.
    pub summary: &'a [SummaryLine],
    /// See [`SavedEnv::hooked`].
    pub hooked: Option<&'a [String]>,
    /// The recipients to seal the secret part to (a sealed environment), else `None`.
    pub recipients: Option<&'a [Recipient]>,
    /// The secret part.
    pub secrets: &'a EnvSecrets,
}

/// A plan read back: per environment, the clear part and the secret part (sealed or not).
#[derive(Debug)]
pub struct SavedPlan {
    /// When it was made (as written).
    pub created: String,
    /// The environments, in order.
    pub environments: Vec<SavedEnv>,
}

/// One environment of a [`SavedPlan`].
#[derive(Debug)]
pub struct SavedEnv {
    /// The environment's name.
    pub name: String,
    /// Its store, relative to the manifest's folder, as the plan was made.
    pub store: String,
    /// The redacted summary.
    pub summary: Vec<SummaryLine>,
    /// The credentials with a `set` hook that applying takes through the stages (names
    /// only: their new values are made when the plan is applied). `None` in a plan made
    /// before plans carried them, or for an environment without such secrets: its digests
    /// are then of the whole plaintext, not [`plan_digest`](crate::hooks::stage::plan_digest)s.
    pub hooked: Option<Vec<String>>,
    secrets: SecretPart,
}

#[derive(Debug)]
enum SecretPart {
    Clear(EnvSecrets),
    Sealed(Zeroizing<String>),
}

impl SavedEnv {
    /// Whether the secret part is sealed (needs identities to open).
    pub fn is_sealed(&self) -> bool {
        matches!(self.secrets, SecretPart::Sealed(_))
    }

    /// The secret part, decrypted with `identities` when it is sealed. `path` names the plan
    /// file in errors.
    ///
    /// # Errors
    ///
    /// Decryption refused (exit 77) or a malformed secret part (exit 65).
    pub fn open(self, path: &Path, identities: &[Identity]) -> Result<EnvSecrets> {
        match self.secrets {
            SecretPart::Clear(s) => Ok(s),
            SecretPart::Sealed(armored) => {
                let name = format!("{} (environment {})", path.display(), self.name);
                let plain = Opened::new(armored.as_bytes(), &name)?
                    .with_identities(identities)?
                    .read_all(MAX_PLAN_BYTES)?;
                let body: SecretsJson = serde_json::from_slice(&plain)
                    .map_err(|e| malformed(path, format!("its sealed part: {e}")))?;
                body.into_secrets()
                    .map_err(|m| malformed(path, format!("its sealed part: {m}")))
            }
        }
    }
}

/// A value in the plan's JSON: written from a [`Secret`], read straight into one.
struct Value(Secret);

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose())
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Value, D::Error> {
        String::deserialize(d).map(|s| Value(Secret::new(s)))
    }
}

#[derive(Serialize, Deserialize)]
struct EditJson {
    op: String,
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    anchor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct SecretsJson {
    before: String,
    after: String,
    edits: Vec<EditJson>,
}

impl SecretsJson {
    fn of(s: &EnvSecrets) -> SecretsJson {
        let edits = s
            .edits
            .iter()
            .map(|e| match e {
                Edit::Set { key, value, record } => EditJson {
                    op: "set".into(),
                    key: key.clone(),
                    anchor: None,
                    value: Some(Value(Secret::new(value.expose().to_string()))),
                    record: Some(record.clone()),
                },
                Edit::InsertAfter {
                    anchor,
                    key,
                    value,
                    record,
                } => EditJson {
                    op: "insert_after".into(),
                    key: key.clone(),
                    anchor: Some(anchor.clone()),
                    value: Some(Value(Secret::new(value.expose().to_string()))),
                    record: Some(record.clone()),
                },
                Edit::Remove { key } => EditJson {
                    op: "remove".into(),
                    key: key.clone(),
                    anchor: None,
                    value: None,
                    record: None,
                },
            })
            .collect();
        SecretsJson {
            before: s.before.clone(),
            after: s.after.clone(),
            edits,
        }
    }

    fn into_secrets(self) -> std::result::Result<EnvSecrets, String> {
        let mut edits = Vec::with_capacity(self.edits.len());
        for e in self.edits {
            let missing = |what: &str| format!("a `{}` edit of {} has no `{what}`", e.op, e.key);
            let edit = match e.op.as_str() {
                "set" => Edit::Set {
                    value: e.value.ok_or_else(|| missing("value"))?.0,
                    record: e.record.ok_or_else(|| missing("record"))?,
                    key: e.key,
                },
                "insert_after" => Edit::InsertAfter {
                    anchor: e.anchor.clone().ok_or_else(|| missing("anchor"))?,
                    value: e.value.ok_or_else(|| missing("value"))?.0,
                    record: e.record.ok_or_else(|| missing("record"))?,
                    key: e.key,
                },
                "remove" => Edit::Remove { key: e.key },
                other => return Err(format!("unknown edit `{other}`")),
            };
            edits.push(edit);
        }
        Ok(EnvSecrets {
            before: self.before,
            after: self.after,
            edits,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct EnvJson {
    name: String,
    store: String,
    summary: Vec<SummaryLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hooked: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secrets: Option<SecretsJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_secrets: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct FileJson {
    envmint_plan: u32,
    created: String,
    environments: Vec<EnvJson>,
}

/// A `Write` into a zeroizing buffer that never lets `Vec` reallocate (which would free an
/// unzeroized copy of the values).
struct ZeroizingWriter(Zeroizing<Vec<u8>>);

impl std::io::Write for ZeroizingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        reserve_zeroizing(&mut self.0, buf.len());
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `value` as JSON in a zeroizing buffer (`path` names the plan file in errors).
fn to_json<T: Serialize>(path: &Path, value: &T) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = ZeroizingWriter(Zeroizing::new(Vec::with_capacity(4096)));
    serde_json::to_writer(&mut out, value)
        .map_err(|e| Error::writing(path, crate::error::Op::Write, e.into()))?;
    Ok(out.0)
}

/// How many leading bytes of a file [`looks_like_plan`] reads: the marker is the first member.
pub const MARK_WITHIN: usize = 100;

/// Whether `head` (a file's first [`MARK_WITHIN`] bytes or more) is a saved plan's: it holds
/// `"envmint_plan"`, the first member every plan starts with. `plan -o` replaces only such a
/// file, and `audit` checks their modes.
pub fn looks_like_plan(head: &[u8]) -> bool {
    memchr::memmem::find(&head[..head.len().min(MARK_WITHIN)], b"\"envmint_plan\"").is_some()
}

/// The bytes of a plan file for `envs`, made at `created` (RFC 3339): secret parts sealed to
/// each environment's recipients when it has any. `path` names the file in errors.
///
/// # Errors
///
/// Sealing errors (an empty recipient list).
pub fn render(path: &Path, created: &str, envs: &[EnvToSave<'_>]) -> Result<Zeroizing<Vec<u8>>> {
    let mut environments = Vec::with_capacity(envs.len());
    // Sealed parts are kept in zeroizing buffers until the outer JSON is written.
    for env in envs {
        let body = SecretsJson::of(env.secrets);
        let (secrets, sealed_secrets) = match env.recipients {
            None => (Some(body), None),
            Some(recipients) => {
                let plain = to_json(path, &body)?;
                drop(body);
                let armored = seal::encrypt(
                    recipients,
                    true,
                    &mut plain.as_slice(),
                    Path::new("<plan>"),
                    Vec::new(),
                    path,
                )?;
                // Armored output is ASCII.
                let text = String::from_utf8(armored).unwrap_or_default();
                (None, Some(text))
            }
        };
        environments.push(EnvJson {
            name: env.name.to_string(),
            store: env.store.to_string(),
            summary: env.summary.to_vec(),
            hooked: env.hooked.map(<[String]>::to_vec),
            secrets,
            sealed_secrets,
        });
    }
    let mut out = to_json(
        path,
        &FileJson {
            envmint_plan: FORMAT,
            created: created.to_string(),
            environments,
        },
    )?;
    reserve_zeroizing(&mut out, 1);
    out.push(b'\n');
    Ok(out)
}

fn malformed(path: &Path, what: impl std::fmt::Display) -> Error {
    PlanFileError::Malformed {
        path: path.to_path_buf(),
        what: what.to_string(),
    }
    .into()
}

/// Reads the bytes of a plan file (`path` names it in errors).
///
/// # Errors
///
/// [`PlanFileError`] (exit 65) for anything that is not a version-1 plan.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<SavedPlan> {
    // A different version is named as such rather than as a field error.
    #[derive(Deserialize)]
    struct Version {
        envmint_plan: Option<serde_json::Value>,
    }
    let version: Version =
        serde_json::from_slice(bytes).map_err(|e| malformed(path, format!("{e}")))?;
    match version.envmint_plan {
        Some(v) if v == FORMAT => {}
        Some(v) => {
            return Err(PlanFileError::Version {
                path: path.to_path_buf(),
                found: v.to_string(),
                reads: FORMAT,
            }
            .into());
        }
        None => return Err(malformed(path, "no \"envmint_plan\" member")),
    }
    let file: FileJson = serde_json::from_slice(bytes).map_err(|e| malformed(path, e))?;
    let mut environments = Vec::with_capacity(file.environments.len());
    for env in file.environments {
        let secrets = match (env.secrets, env.sealed_secrets) {
            (Some(s), None) => SecretPart::Clear(
                s.into_secrets()
                    .map_err(|m| malformed(path, format!("environment {}: {m}", env.name)))?,
            ),
            (None, Some(s)) => SecretPart::Sealed(Zeroizing::new(s)),
            _ => {
                return Err(malformed(
                    path,
                    format!(
                        "environment {} needs exactly one of `secrets` and `sealed_secrets`",
                        env.name
                    ),
                ));
            }
        };
        environments.push(SavedEnv {
            name: env.name,
            store: env.store,
            summary: env.summary,
            hooked: env.hooked,
            secrets,
        });
    }
    Ok(SavedPlan {
        created: file.created,
        environments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> EnvSecrets {
        EnvSecrets {
            before: "b".repeat(64),
            after: "a".repeat(64),
            edits: vec![
                Edit::Set {
                    key: "A".into(),
                    value: Secret::new("s3cr3t-value".into()),
                    record: "generated=2026-11-23T07:00:00Z".into(),
                },
                Edit::InsertAfter {
                    anchor: "A".into(),
                    key: "A_PREVIOUS".into(),
                    value: Secret::new("old\"value".into()),
                    record: "previous-of=A".into(),
                },
                Edit::Remove { key: "B".into() },
            ],
        }
    }

    fn summary() -> Vec<SummaryLine> {
        vec![SummaryLine {
            key: "A".into(),
            action: "rotate".into(),
            reason: Some("due".into()),
            kind: Some("hex".into()),
            bits: Some(256.0),
        }]
    }

    #[test]
    fn a_clear_plan_round_trips_and_starts_with_its_marker() {
        let s = secrets();
        let summary = summary();
        let bytes = render(
            Path::new("p.json"),
            "2026-11-23T07:00:00Z",
            &[EnvToSave {
                name: "staging",
                hooked: None,
                store: ".env.staging.local",
                summary: &summary,
                recipients: None,
                secrets: &s,
            }],
        )
        .unwrap();
        assert!(bytes.starts_with(b"{\"envmint_plan\":1,"));
        let plan = parse(Path::new("p.json"), &bytes).unwrap();
        assert_eq!(plan.created, "2026-11-23T07:00:00Z");
        let env = plan.environments.into_iter().next().unwrap();
        assert_eq!(env.summary, summary);
        assert!(!env.is_sealed());
        let back = env.open(Path::new("p.json"), &[]).unwrap();
        assert_eq!(back.before, s.before);
        assert_eq!(back.edits.len(), 3);
        match &back.edits[1] {
            Edit::InsertAfter { value, anchor, .. } => {
                assert_eq!(value.expose(), "old\"value");
                assert_eq!(anchor, "A");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sealed_plan_hides_values_and_opens_only_with_the_identity() {
        use secrecy::ExposeSecret;
        let key = crate::seal::keygen::generate(&mut rand::rng(), jiff::Timestamp::UNIX_EPOCH);
        let ids = crate::seal::identities::parse(
            key.text.expose_secret(),
            &crate::location::Location::new("key", None),
            "key",
            &crate::seal::PassphrasePrompt::none(),
        )
        .unwrap();
        let recipient = Recipient::parse(&key.recipient).unwrap();
        let s = secrets();
        let summary = summary();
        let bytes = render(
            Path::new("p.json"),
            "2026-11-23T07:00:00Z",
            &[EnvToSave {
                name: "production",
                hooked: None,
                store: ".env.production.age",
                summary: &summary,
                recipients: Some(std::slice::from_ref(&recipient)),
                secrets: &s,
            }],
        )
        .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("s3cr3t") && !text.contains(&s.before),
            "{text}"
        );
        let plan = parse(Path::new("p.json"), &bytes).unwrap();
        let env = plan.environments.into_iter().next().unwrap();
        assert!(env.is_sealed());
        let err = parse(Path::new("p.json"), &bytes)
            .unwrap()
            .environments
            .remove(0);
        assert_eq!(
            err.open(Path::new("p.json"), &[]).unwrap_err().exit(),
            crate::Exit::NoPerm
        );
        let back = env.open(Path::new("p.json"), &ids).unwrap();
        assert_eq!(back.after, s.after);
    }

    #[test]
    fn fail_other_versions_and_junk_are_data_errors() {
        for bad in [
            &b"{\"envmint_plan\":2}"[..],
            b"not json",
            b"{\"x\":1}",
            b"{\"envmint_plan\":1,\"created\":\"x\",\"environments\":[{\"name\":\"a\",\"store\":\"s\",\"summary\":[]}]}",
        ] {
            let err = parse(Path::new("p.json"), bad).unwrap_err();
            assert_eq!(err.exit(), crate::Exit::DataErr, "{}", String::from_utf8_lossy(bad));
        }
    }
}
