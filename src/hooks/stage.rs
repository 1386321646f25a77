//! The stages of a rotation whose credential is changed at its service (pending, set, test,
//! finish, retire), as decisions and document edits. Pure: the binary runs the hooks and saves
//! each document through the store between stages.
//!
//! The pending value lives in the store itself, under `KEY_PENDING` with a record
//! `# envmint: generated=T stage=pending` (then `stage=set` once the service accepted it), so
//! a run killed at any instant leaves a file from which the next run goes on with the **same**
//! value: the service may already hold it. Finishing makes it current, retires the old value
//! per the secret's `overlap` form, switches `alternate`'s user variable, and removes
//! `KEY_PENDING`, in one document written once.
//!
//! A pending value is resumed only if this machine's envmint wrote it: its record carries
//! `mac=`, a keyed MAC ([`pending_mac`]) over the environment, the key, the stage and the
//! value, under a key that never leaves this user's account on this machine (the binary keeps
//! it). A sealed store is not authenticated (its recipients are public keys: anyone who can
//! merge a pull request can write a whole new one), so without the MAC a planted
//! `KEY_PENDING` would be handed to the `set` hook and made current.

use crate::dotenv::{Document, EditError};
use crate::manifest::{Environment, Hooks, Manifest, SecretDecl, pending_name};
use crate::plan::edit::{Edit, apply_edits};
use crate::plan::record::{Record, Stage};
use crate::plan::rotation::{self, Change, RotationError, Selection};
use crate::plan::status::{self, State};
use crate::secret::{KeyedHash, Secret};
use jiff::Timestamp;
use zeroize::Zeroizing;

/// A pending value found in a document.
pub struct Pending {
    /// The value.
    pub value: Secret,
    /// `Pending` (nothing known about the service) or `Set` (the service accepted it).
    pub stage: Stage,
    /// When it was generated.
    pub since: Option<Timestamp>,
    /// Its line.
    pub line: Option<usize>,
    /// Its record's `mac=`, if any.
    pub mac: Option<String>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("stage", &self.stage)
            .field("since", &self.since)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// `key`'s pending value in `doc`: `KEY_PENDING` with a record that reads and says
/// `stage=pending` or `stage=set`. A `KEY_PENDING` without such a record is not envmint's (an
/// app's own variable), and is left alone.
pub fn pending(doc: &Document, key: &str) -> Option<Pending> {
    let name = pending_name(key);
    let value = doc.get(&name)?;
    let record = Record::parse(doc.record(&name)?).ok()?;
    if record.stage == Stage::Current || value.is_empty() {
        return None;
    }
    Some(Pending {
        value: Secret::new(value.to_string()),
        stage: record.stage,
        since: record.generated,
        line: doc.line_of_key(&name),
        mac: record.mac,
    })
}

/// The MAC that binds a pending `value` of `key` in `environment` at `stage`, generated at
/// `generated`, to the holder of `mac_key`: HMAC-SHA256 over the five (the time as RFC 3339,
/// empty when none), each length-prefixed, as 64 hex digits. The time is bound so that a
/// pending value cannot be re-dated: [`PENDING_MAX_AGE`] then limits how long an old store
/// holding one this machine wrote can replay it.
pub fn pending_mac(
    mac_key: &KeyedHash,
    environment: &str,
    key: &str,
    stage: Stage,
    generated: Option<Timestamp>,
    value: &str,
) -> String {
    let time = generated
        .map(crate::time::format_timestamp)
        .unwrap_or_default();
    let mut message = Zeroizing::new(String::from("envmint pending value v2"));
    for part in [environment, key, stage.as_str(), time.as_str(), value] {
        message.push_str(&format!("\n{}:", part.len()));
        message.push_str(part);
    }
    hex::encode(mac_key.digest(&message))
}

/// How long after it was generated a pending value may be resumed: 7 days. A MAC has no
/// freshness of its own: a store restored from an older commit (or forged from one by someone
/// who read it) would hand a pending value this machine wrote, and finished since, to the set
/// hook again, making a password they know current at the service. Past this age a pending
/// value is refused (`rotate`) and flagged (`status`, `audit`); a rotation left by a crash is
/// resumed within hours, and an older one is finished by hand (see docs/hooks.md).
pub const PENDING_MAX_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);

/// Whether a pending value may be resumed here: [`Pending::trust`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// This machine's envmint wrote it, within [`PENDING_MAX_AGE`].
    Ours,
    /// Its `mac=` does not verify under this user's key (or there is no key here): another
    /// machine or `HOME` wrote it, an older envmint (MAC v1), or it was planted.
    NotOurs,
    /// This machine wrote it, longer than [`PENDING_MAX_AGE`] ago.
    Stale {
        /// When it was generated.
        since: Timestamp,
    },
}

impl Pending {
    /// Whether this machine's envmint wrote this pending value for `key` of `environment`
    /// (its `mac=` is the one `mac_key` gives, over its value, stage and time). Compared in
    /// constant time.
    pub fn is_ours(&self, mac_key: &KeyedHash, environment: &str, key: &str) -> bool {
        let Some(found) = &self.mac else {
            return false;
        };
        let want = pending_mac(
            mac_key,
            environment,
            key,
            self.stage,
            self.since,
            self.value.expose(),
        );
        found.len() == want.len()
            && found
                .bytes()
                .zip(want.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Whether it may be resumed here at `now`: written by this machine (under `mac_key`;
    /// `None`: this user has no key, so nothing here wrote it) and at most [`PENDING_MAX_AGE`]
    /// old.
    pub fn trust(
        &self,
        mac_key: Option<&KeyedHash>,
        environment: &str,
        key: &str,
        now: Timestamp,
    ) -> Trust {
        if !mac_key.is_some_and(|k| self.is_ours(k, environment, key)) {
            return Trust::NotOurs;
        }
        match self.since {
            Some(since) if now.duration_since(since) > PENDING_MAX_AGE => Trust::Stale { since },
            _ => Trust::Ours,
        }
    }
}

/// Marks the pending-value rows of `rows` (from [`crate::plan::status::evaluate_managed`] on
/// `doc`, `environment`'s store) that may not be resumed here: [`Problem::PendingNotOurs`] or
/// [`Problem::PendingStale`], so `status` and `audit` say so instead of showing them as
/// resumable.
///
/// [`Problem::PendingNotOurs`]: crate::plan::status::Problem::PendingNotOurs
/// [`Problem::PendingStale`]: crate::plan::status::Problem::PendingStale
pub fn mark_pending(
    rows: &mut [crate::plan::status::KeyStatus],
    doc: &Document,
    environment: &str,
    mac_key: Option<&KeyedHash>,
    now: Timestamp,
) {
    use crate::plan::status::Problem;
    for row in rows.iter_mut().filter(|r| r.state == State::Pending) {
        let Some(of) = row.previous_of.as_deref() else {
            continue;
        };
        let Some(p) = pending(doc, of) else { continue };
        match p.trust(mac_key, environment, of, now) {
            Trust::Ours => {}
            Trust::NotOurs => row.problem = Some(Problem::PendingNotOurs),
            Trust::Stale { since } => row.problem = Some(Problem::PendingStale { since }),
        }
    }
}

/// Why a value may not be handed to a hook: [`hook_safe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsafe {
    /// It does not match the secret's declaration (kind, alphabet, length, format).
    Spec(String),
    /// It holds a character a hook's quoting could break on (a quote, a backslash, `$`, a
    /// backtick, a control character), or one outside the kind's alphabet.
    Char(char),
}

/// The characters never handed to a hook inside a value, whatever the secret's alphabet: each
/// can end a quoted string in SQL, a shell word or a redis command.
pub const HOOK_UNSAFE: &[char] = &['\'', '"', '`', '\\', '$', ';'];

/// Whether `value` may be handed to `decl`'s hooks as `ENVMINT_NEW`: it matches the declared
/// kind, alphabet, length and format, and holds no quote, backslash, `$`, backtick, `;` or
/// control character. A generated value always does for the built-in kinds; a pending value
/// read back from a store is checked again (it is data from a file anyone may have edited).
///
/// # Errors
///
/// [`Unsafe`], naming the first problem (never the value).
pub fn hook_safe(decl: &SecretDecl, value: &str) -> Result<(), Unsafe> {
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() || HOOK_UNSAFE.contains(c))
    {
        return Err(Unsafe::Char(c));
    }
    decl.spec
        .check(value)
        .map_err(|p| Unsafe::Spec(p.to_string()))?;
    // `check` lets a person's password be any printable ASCII; a value envmint hands to a hook
    // must be of the kind's own alphabet (inside the declared format).
    let inner = match decl.spec.format() {
        Some(f) => f.inner(value).unwrap_or(value),
        None => value,
    };
    let charset = decl.spec.kind().charset();
    if let Some(c) = inner.chars().find(|c| !charset.contains(*c)) {
        return Err(Unsafe::Char(c));
    }
    Ok(())
}

/// The variables of `env` that only the stages change: for every secret with a `set` hook,
/// its value, its pending value, its retired values and, with `alternate`, its user variable.
pub fn staged_names(manifest: &Manifest, env: &Environment) -> Vec<String> {
    let mut out = Vec::new();
    for d in manifest.secrets_for(&env.name) {
        let Some(hooks) = d.hooks.as_ref().filter(|h| h.set.is_some()) else {
            continue;
        };
        out.push(d.key.clone());
        out.push(pending_name(&d.key));
        out.extend(d.previous.names(None));
        if let Some(a) = &hooks.alternate {
            out.push(a.user.clone());
        }
    }
    out
}

/// The digest a saved plan keeps of `env`'s store `doc` when `env` has secrets with a `set`
/// hook: the SHA-256 of its plaintext with the [`staged_names`] left out. `envmint apply`
/// replays the plan's edits and then takes the plan's hooked credentials through the stages,
/// which change those variables apart from the edits; with them left out, a plan applied
/// (its stages done) is still told from a stale store, and applying it again changes nothing.
/// Without such secrets it is [`crate::plan::edit::digest`] of the plaintext.
pub fn plan_digest(manifest: &Manifest, env: &Environment, doc: &Document) -> String {
    let names = staged_names(manifest, env);
    if names.is_empty() {
        return crate::plan::edit::digest(Some(doc.render().as_bytes()));
    }
    let text = doc.render();
    let lines = text.lines().count();
    let mut masked = Document::parse(&text);
    for name in &names {
        // A variable set twice: each line goes (bounded by the line count).
        for _ in 0..=lines {
            if masked.get(name).is_none() || masked.remove(name).is_err() {
                break;
            }
        }
    }
    crate::plan::edit::digest(Some(masked.render().as_bytes()))
}

/// What a run does with one secret that has a `set` hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// Generate a pending value, then set, test and finish it.
    New(rotation::Reason),
    /// A pending value is in the store: resume at `set` with it (a `set` hook must be
    /// idempotent: the service may already hold it).
    Resume(Stage),
}

/// The secrets of `env` with a `set` hook that this run takes through the stages, in
/// declaration order: every one with a pending value (whatever the selection: an interrupted
/// rotation is finished first), and those the selection picks (`Due`: due, unknown or
/// missing).
pub fn staged<'m>(
    manifest: &'m Manifest,
    env: &Environment,
    doc: &Document,
    selection: &Selection,
    now: Timestamp,
) -> Vec<(&'m SecretDecl, Start)> {
    let hooked: Vec<&'m SecretDecl> = manifest
        .secrets()
        .iter()
        .filter(|d| d.applies_to(&env.name))
        .filter(|d| d.hooks.as_ref().is_some_and(|h| h.set.is_some()))
        .collect();
    if hooked.is_empty() {
        return Vec::new();
    }
    let rows = status::evaluate_managed(manifest, env, doc, now);
    let state = |key: &str| rows.iter().find(|r| r.key == key).map(|r| r.state);
    let mut out = Vec::new();
    for decl in hooked {
        if let Some(p) = pending(doc, &decl.key) {
            out.push((decl, Start::Resume(p.stage)));
            continue;
        }
        let reason = match state(&decl.key) {
            Some(State::Due) => Some(rotation::Reason::Due),
            Some(State::Unknown) => Some(rotation::Reason::Unknown),
            Some(State::Missing) => Some(rotation::Reason::Missing),
            _ => None,
        };
        let picked = match selection {
            Selection::Due => reason,
            Selection::All => Some(reason.unwrap_or(rotation::Reason::Selected)),
            Selection::Keys(keys) => keys
                .contains(&decl.key)
                .then(|| reason.unwrap_or(rotation::Reason::Selected)),
        };
        if let Some(reason) = picked {
            out.push((decl, Start::New(reason)));
        }
    }
    out
}

/// Writes `value` as `decl`'s pending value of `environment` at `stage` into `doc` (right
/// after the key, or at the end when the key is missing), dated `generated`, its record
/// carrying the [`pending_mac`] under `mac_key`.
///
/// # Errors
///
/// The document's refusal.
pub fn write_pending(
    doc: &mut Document,
    decl: &SecretDecl,
    environment: &str,
    value: &Secret,
    generated: Timestamp,
    stage: Stage,
    mac_key: &KeyedHash,
) -> Result<(), EditError> {
    let name = pending_name(&decl.key);
    let record = Record {
        generated: Some(generated),
        stage,
        mac: Some(pending_mac(
            mac_key,
            environment,
            &decl.key,
            stage,
            Some(generated),
            value.expose(),
        )),
        ..Record::default()
    }
    .to_string();
    let value = Secret::new(value.expose().to_string());
    let edit = if doc.get(&name).is_some() || doc.get(&decl.key).is_none() {
        Edit::Set {
            key: name,
            value,
            record,
        }
    } else {
        Edit::InsertAfter {
            anchor: decl.key.clone(),
            key: name,
            value,
            record,
        }
    };
    apply_edits(doc, std::slice::from_ref(&edit))
}

/// Removes `key`'s pending value (`rotate --key KEY --abandon`). Returns whether there was one.
///
/// # Errors
///
/// The document's refusal (a pending line it cannot read).
pub fn abandon(doc: &mut Document, key: &str) -> Result<bool, EditError> {
    if pending(doc, key).is_none() {
        return Ok(false);
    }
    doc.remove(&pending_name(key))?;
    Ok(true)
}

/// What finishing did: the changes to report (the key rotated, its old value retired or
/// dropped) and, with alternating users, the user now in use.
#[derive(Debug, Default)]
pub struct Finished {
    /// What changed, as a rotation reports it. Never a value.
    pub changes: Vec<Change>,
    /// The user variable's new value (`alternate`).
    pub user: Option<String>,
}

/// Makes `decl`'s pending value current in `doc` at `now`: the old value retired per its
/// overlap form (dropped without one), the user variable switched (`alternate`), the pending
/// variable removed. `reason` is why the rotation started, for the report.
///
/// # Errors
///
/// [`RotationError::Edit`] when the document refuses an edit; [`RotationError::SeparatorInValue`].
pub fn finish(
    doc: &mut Document,
    decl: &SecretDecl,
    environment: &str,
    now: Timestamp,
    reason: rotation::Reason,
) -> Result<Finished, RotationError> {
    let Some(p) = pending(doc, &decl.key) else {
        return Ok(Finished::default());
    };
    let mut out = Finished::default();
    let retired = rotation::retire_current(doc, decl, environment, now)?;
    apply_edits(doc, &retired.edits)?;
    let edits = [
        Edit::Set {
            key: decl.key.clone(),
            value: p.value,
            record: Record::generated(now).to_string(),
        },
        Edit::Remove {
            key: pending_name(&decl.key),
        },
    ];
    // The user the new password was set on, decided before anything changes.
    let alternate = decl.hooks.as_ref().and_then(|h| h.alternate.as_ref());
    let user = alternate.map(|a| a.next_user(doc.get(&a.user)).to_string());
    apply_edits(doc, &edits)?;
    if let (Some(a), Some(user)) = (alternate, user) {
        if doc.get(&a.user).is_some() {
            doc.replace_value(&a.user, &user)?;
        } else {
            doc.insert_after(&decl.key, &a.user, &user)?;
        }
        out.user = Some(user);
    }
    out.changes.push(Change {
        key: decl.key.clone(),
        action: rotation::Action::Rotated,
        reason: Some(reason),
        kind: Some(decl.spec.kind().name()),
        bits: Some(decl.spec.bits()),
        previous_of: None,
        count: 1,
    });
    out.changes.extend(retired.changes);
    Ok(out)
}

/// The retired values of `decl` in `doc` whose overlap has ended at `now`, each with the
/// variable it is in: what its `retire` hook is run for before the rotation removes them.
pub fn expired<'d>(
    manifest: &Manifest,
    env: &Environment,
    doc: &'d Document,
    decl: &SecretDecl,
    now: Timestamp,
) -> Vec<(String, Vec<&'d str>)> {
    let separator = match &decl.previous {
        crate::manifest::Previous::List { separator, .. } => Some(separator.as_str()),
        _ => None,
    };
    status::evaluate_managed(manifest, env, doc, now)
        .into_iter()
        .filter(|r| r.state == State::Expired && r.previous_of.as_deref() == Some(&decl.key))
        .filter_map(|r| {
            let value = doc.get(&r.key)?;
            let values = match separator {
                Some(sep) => value.split(sep).filter(|v| !v.is_empty()).collect(),
                None => vec![value],
            };
            Some((r.key, values))
        })
        .collect()
}

/// Whether `hooks` run at the `finish` of a rotation that `after` follows, for reports.
pub fn describe(hooks: &Hooks) -> Vec<(&'static str, &str)> {
    hooks.named()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn manifest(hooks: &str) -> Manifest {
        Manifest::parse(
            &format!(
                "[environments.production]\n[secrets.JWT]\nkind = \"hex\"\n\
                 [secrets.DB_PASSWORD]\nrole = \"credential\"\n{hooks}"
            ),
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap()
    }

    #[test]
    fn a_plan_digest_leaves_out_only_what_the_stages_change() {
        let hooked = manifest(
            "alternate = { user = \"DB_USER\", names = [\"a\", \"b\"] }\n\
             [secrets.DB_PASSWORD.hooks]\nset = 'true'\n",
        );
        let env = hooked.environment("production").unwrap();
        let doc = |text: &str| Document::parse(text);
        let base = "JWT=aa\nDB_USER=a\nDB_PASSWORD=x\n";
        let digest = |text: &str| plan_digest(&hooked, env, &doc(text));
        // The credential, its pending and retired values and its user: not in the digest.
        assert_eq!(
            digest(base),
            digest(
                "JWT=aa\nDB_USER=b\nDB_PASSWORD=y\nDB_PASSWORD_PENDING=z\nDB_PASSWORD_PREVIOUS=x\n"
            )
        );
        // Anything else is.
        assert_ne!(digest(base), digest("JWT=bb\nDB_USER=a\nDB_PASSWORD=x\n"));
        assert_ne!(
            digest(base),
            digest("JWT=aa\nOTHER=1\nDB_USER=a\nDB_PASSWORD=x\n")
        );
        // Without a `set` hook: the plaintext's digest, as plans always had.
        let plain = manifest("");
        let env = plain.environment("production").unwrap();
        assert_eq!(
            plan_digest(&plain, env, &doc(base)),
            crate::plan::edit::digest(Some(base.as_bytes()))
        );
    }
}
