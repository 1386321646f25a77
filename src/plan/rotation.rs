//! Rotation: which secrets of an environment get a new value, and what happens to the values
//! they retire, decided from the document, the manifest and `now`.
//!
//! [`build`] is pure but for the injected RNG that makes the new values: it reads the
//! document's records ([`super::status::evaluate`]), selects keys ([`Selection`]: the due ones
//! by default, all of them, or named ones), and returns the concrete [`Edit`]s with the
//! [`Change`]s they make, without touching the document. [`super::edit::apply_edits`] then
//! writes them; the same edits can be saved in a plan file and replayed later.
//!
//! # What a rotation does to one key
//!
//! - A selected key gets a new value, in place (its quoting kept), or appended when missing,
//!   with the record `# envmint: generated=NOW` directly above it.
//! - An `external = true` key never gets a value: it is reported as [`Action::ExternalDue`],
//!   with the `envmint set` command to run.
//! - With an `overlap` (its own or `[defaults]`), the value it had is *retired* into its
//!   `previous` form with the record `previous-of=KEY retired=NOW expires=NOW+OVERLAP`:
//!   - one variable (`KEY_PREVIOUS`, the default): the retired value replaces the one there;
//!   - numbered variables (`AUTH_SECRET_1`, `_2`, ...): `_1` is the newest, the others shift
//!     up by one, at most `keep` are kept;
//!   - a list in one variable, newest first, joined by its separator, at most `keep` values,
//!     with one `retired`/`expires` item per value (`retired=T1,T2 expires=E1,E2`).
//! - On every run, for every key of the environment (selected or not), previous values whose
//!   `expires` has passed are removed ([`Action::ExpiredRemoved`]), and the numbered and list
//!   forms close up. A previous value whose record cannot be read counts as expired when its
//!   key declares an overlap (envmint cannot tell how long it must stay); one without an
//!   `envmint: previous-of=KEY` record is left alone when its key declares none (it may be an
//!   app's own variable that happens to have that name).
//! - A retired value left under a name its key no longer uses (the manifest moved
//!   `A_PREVIOUS` to a list) is still removed once its record's last `expires` has passed,
//!   when that record says `previous-of=KEY` ([`super::status::is_left_behind`]); a variable
//!   without such a record is never touched.
//! - `--no-overlap` (a compromise) retires nothing and drops the selected keys' previous
//!   values at once ([`Action::Dropped`]), those left under old names too.
//!
//! # Roles ([`Role`])
//!
//! - `signing` (the default): all of the above.
//! - `encryption`: the old value is always retired into the `previous` form (the keyring),
//!   with a record that has no `expires` ([`Record::kept`]), and stays there whatever the
//!   time or `--no-overlap`: only `envmint retire` ([`super::retire`]) removes it. A keyring
//!   already holding `keep` retired keys is full: the key is not rotated, since that would
//!   push a key out ([`Action::KeyringFull`]; with `--key`, [`RotationError::KeyringFull`]).
//! - `credential`: `--due` and `--all` never give it a new value, since the service it is
//!   presented to would still expect the old one ([`Action::CredentialKept`], with the
//!   `--key` command to run once it has been changed there). A missing one is added, as
//!   bootstrap does; `--key KEY` rotates it. (A hook that changes it at the service first
//!   would plug in at [`role_decision`].)
//! - Environments sharing one file are rotated one on top of the other; a key an earlier one
//!   rotated in the same run is not rotated again ([`Options::rotated_earlier`]).
//!
//! New previous variables are inserted right after their key (or the previous slot);
//! unmanaged lines, comments and keys that do not change keep every byte.

use super::clock::{self, ClockBehind};
use super::edit::Edit;
use super::record::Record;
use super::status::{self, KeyStatus, State};
use crate::Secret;
use crate::dotenv::{Document, EditError};
use crate::generate::Generator;
use crate::manifest::{Environment, MAX_KEEP, Manifest, Previous, Role, SecretDecl};
use jiff::Timestamp;
use rand::CryptoRng;
use std::collections::{HashMap, HashSet};

/// Which keys a rotation gives new values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// Keys that are due, have no record (unknown age) or are missing (`--due`, the default).
    #[default]
    Due,
    /// Every key of the environment (`--all`).
    All,
    /// These keys (`--key KEY...`).
    Keys(Vec<String>),
}

/// What else a rotation is told.
#[derive(Clone, Debug)]
pub struct Options {
    /// Which keys.
    pub selection: Selection,
    /// `--no-overlap`: retire nothing, drop the selected keys' previous values.
    pub no_overlap: bool,
    /// The instant of the run (`--at` or the clock), written into the records.
    pub now: Timestamp,
    /// With [`Selection::Keys`]: a key that is not a secret of this environment is skipped
    /// rather than refused (the binary sets it when the environments were not named, so
    /// `--key` can name a secret only some of them declare).
    pub skip_undeclared: bool,
    /// Keys an environment planned earlier in this run already rotated in this same store
    /// (environments sharing one file): never selected again, so a shared key gets one new
    /// value per run and the value it retires is the one apps use, not an intermediate one.
    pub rotated_earlier: HashSet<String>,
    /// Credentials that a hook changes at their service: `--due` and `--all` give them new
    /// values like any other key (see [`crate::rotation::StageHooks::rotates_credential`]).
    pub set_at_service: HashSet<String>,
}

/// Why a key was selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Its age reached `rotate_every`.
    Due,
    /// It has no record: its age is unknown.
    Unknown,
    /// It is not in the file.
    Missing,
    /// Selected by `--all` or `--key` though not due.
    Selected,
}

impl Reason {
    /// `due`, `unknown`, `missing` or `selected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Due => "due",
            Reason::Unknown => "unknown",
            Reason::Missing => "missing",
            Reason::Selected => "selected",
        }
    }
}

/// What a rotation does to one variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A new value generated for the key.
    Rotated,
    /// The key's old value kept in this previous variable.
    Retired,
    /// An expired previous value removed.
    ExpiredRemoved,
    /// A previous value dropped at once (`--no-overlap`, or pushed out beyond `keep`).
    Dropped,
    /// An external key that is due: envmint makes no value; `envmint set` must be run.
    ExternalDue,
    /// A credential that `--due` or `--all` selected, left as it is: it must be changed at its
    /// service first, then renewed with `envmint rotate ENV --key KEY`.
    CredentialKept,
    /// An encryption key not rotated because its keyring already holds `keep` retired keys:
    /// rotating would push one out. `envmint retire ENV KEY` makes room.
    KeyringFull,
}

impl Action {
    /// `rotated`, `retired`, `expired-removed`, `dropped`, `external-due`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Rotated => "rotated",
            Action::Retired => "retired",
            Action::ExpiredRemoved => "expired-removed",
            Action::Dropped => "dropped",
            Action::ExternalDue => "external-due",
            Action::CredentialKept => "credential-kept",
            Action::KeyringFull => "keyring-full",
        }
    }
}

/// One line of a rotation's report. Holds no value.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The variable: the key, or a previous variable.
    pub key: String,
    /// What happens to it.
    pub action: Action,
    /// Why the key was selected (rotated and external-due keys).
    pub reason: Option<Reason>,
    /// The kind of a new value.
    pub kind: Option<&'static str>,
    /// The entropy of a new value.
    pub bits: Option<f64>,
    /// For a previous variable: its key.
    pub previous_of: Option<String>,
    /// How many values (a list variable holds several); for [`Action::KeyringFull`], how
    /// many retired keys the keyring holds.
    pub count: usize,
}

/// A rotation of one environment: the edits to make, and what they do.
#[derive(Debug, Default)]
pub struct Built {
    /// The edits, in the order they are applied.
    pub edits: Vec<Edit>,
    /// What they do, key by key in declaration order.
    pub changes: Vec<Change>,
    /// The status rows with something odd about them (a record that does not read...), for
    /// the caller to warn about as `status` does: a rotation goes on regardless.
    pub problems: Vec<KeyStatus>,
}

impl Built {
    /// Whether the document changes.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// Why a rotation cannot be built. `Display` says it without the store's path (the caller
/// names the file, and the flag for [`RotationError::NotDeclared`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum RotationError {
    /// `--key KEY` names a key that is not a secret of the environment.
    NotDeclared {
        /// The key as given.
        key: String,
        /// The environment.
        environment: String,
    },
    /// The document refuses an edit (a key on an unreadable line, a value it cannot write).
    Edit(EditError),
    /// `now` is behind the newest record of the document ([`super::clock`]): nothing is
    /// rotated in that store.
    ClockBehind(ClockBehind),
    /// A key's current value contains its list's separator: retired into the list, it could
    /// not be told apart from the other values.
    SeparatorInValue {
        /// The key.
        key: String,
        /// The list variable.
        list: String,
    },
    /// `--key KEY` names an encryption key whose keyring already holds `keep` retired keys:
    /// rotating it would drop one, and with it the data only that key decrypts.
    KeyringFull {
        /// The key.
        key: String,
        /// The environment.
        environment: String,
        /// How many retired keys its keyring holds (at least its `keep`).
        held: usize,
    },
}

impl std::fmt::Display for RotationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RotationError::NotDeclared { key, environment } => write!(
                f,
                "{}: not a secret of environment {environment}",
                crate::text::shown(key, 60)
            ),
            RotationError::Edit(e) => std::fmt::Display::fmt(e, f),
            RotationError::ClockBehind(behind) => std::fmt::Display::fmt(behind, f),
            RotationError::SeparatorInValue { key, list } => write!(
                f,
                "{key}: its value contains the separator of {list}, so it cannot be kept in \
                 that list"
            ),
            RotationError::KeyringFull { key, held, .. } => write!(
                f,
                "{key}: its keyring is full ({held} retired key{} kept): a new key would push \
                 out one that data may still need",
                if *held == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for RotationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RotationError::Edit(e) => Some(e),
            RotationError::ClockBehind(behind) => Some(behind),
            _ => None,
        }
    }
}

impl From<EditError> for RotationError {
    fn from(e: EditError) -> Self {
        RotationError::Edit(e)
    }
}

/// A retired value and its times.
pub(super) struct Entry {
    value: Secret,
    /// When it was retired.
    pub(super) retired: Timestamp,
    /// `None`: a keyring's retired key, which does not expire.
    expires: Option<Timestamp>,
    /// The variable it was read from (`None`: retired by this run).
    from: Option<String>,
}

/// Previous values found in the document for one key.
pub(super) struct Found {
    /// Values still inside their window, newest first.
    pub(super) alive: Vec<Entry>,
    /// Variables (with how many values) whose values expired.
    pub(super) expired: Vec<(String, usize)>,
    /// The previous variables envmint manages for this key that are in the document: only
    /// these are ever removed.
    pub(super) names: Vec<String>,
}

impl Found {
    /// Whether `decl`'s retired values are a keyring: it is an encryption key, or its store
    /// holds a keyring's key (a record without `expires`) or says its value is one
    /// (`role=encryption`, read from `doc` last: a rotation asks only for the keys it renews),
    /// whatever its role says now.
    pub(super) fn is_keyring(&self, decl: &SecretDecl, doc: &Document) -> bool {
        decl.role == Role::Encryption
            || self.alive.iter().any(|e| e.expires.is_none())
            || marked_encryption(doc, &decl.key)
    }
}

/// The variables `entries` were read from, each once, with how many values.
pub(super) fn sources(entries: &[Entry]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for name in entries.iter().filter_map(|e| e.from.as_deref()) {
        match out.iter_mut().find(|(n, _)| n == name) {
            Some((_, count)) => *count += 1,
            None => out.push((name.to_string(), 1)),
        }
    }
    out
}

/// Decides the rotation of `env`'s document `doc` at `options.now`, generating new values with
/// `rng`. `doc` is not changed.
///
/// # Errors
///
/// [`RotationError::ClockBehind`] when `options.now` is behind the newest record of `doc`
/// (records are then dated no earlier than that record: [`clock::Checked::stamp`]);
/// [`RotationError::NotDeclared`] for a `--key` that is not a secret of the environment;
/// [`RotationError::Edit`] for a selected key that sits on an unreadable line;
/// [`RotationError::SeparatorInValue`].
pub fn build<R: CryptoRng + ?Sized>(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    options: &Options,
    rng: &mut R,
) -> Result<Built, RotationError> {
    let checked = clock::check(doc, options.now).map_err(RotationError::ClockBehind)?;
    let stamped;
    let options = if checked.stamp == options.now {
        options
    } else {
        stamped = Options {
            now: checked.stamp,
            ..options.clone()
        };
        &stamped
    };
    let decls: Vec<&SecretDecl> = manifest.secrets_for(&env.name).collect();
    let by_key: HashMap<&str, &SecretDecl> = decls.iter().map(|d| (d.key.as_str(), *d)).collect();
    // By key, so a 10,000-key environment is not searched once per key.
    let mut states: HashMap<String, State> = HashMap::new();
    // Per secret: its retired values left under names it no longer uses, and whether expired.
    let mut left_behind: HashMap<String, Vec<(String, bool)>> = HashMap::new();
    let mut problems = Vec::new();
    for row in status::evaluate_managed(manifest, env, doc, options.now) {
        if row.problem.is_some() {
            problems.push(row.clone());
        }
        match row.previous_of.as_deref() {
            None => {
                states.insert(row.key, row.state);
            }
            Some(of) => {
                if let Some(decl) = by_key.get(of)
                    && status::is_left_behind(decl, &row)
                {
                    let expired = row.state == State::Expired;
                    left_behind
                        .entry(of.to_string())
                        .or_default()
                        .push((row.key, expired));
                }
            }
        }
    }
    let reason_of = |key: &str| match states.get(key) {
        Some(State::Due) => Reason::Due,
        Some(State::Unknown) => Reason::Unknown,
        Some(State::Missing) => Reason::Missing,
        _ => Reason::Selected,
    };
    let mut selected: HashMap<&str, Reason> = HashMap::new();
    match &options.selection {
        Selection::Due => {
            for d in &decls {
                let r = reason_of(&d.key);
                if r != Reason::Selected {
                    selected.insert(&d.key, r);
                }
            }
        }
        Selection::All => {
            selected.extend(decls.iter().map(|d| (d.key.as_str(), reason_of(&d.key))))
        }
        Selection::Keys(keys) => {
            for k in keys {
                match decls.iter().find(|d| d.key == *k) {
                    Some(d) => {
                        selected.insert(&d.key, reason_of(&d.key));
                    }
                    None if options.skip_undeclared => {}
                    None => {
                        return Err(RotationError::NotDeclared {
                            key: k.clone(),
                            environment: env.name.clone(),
                        });
                    }
                }
            }
        }
    }

    for key in &options.rotated_earlier {
        selected.remove(key.as_str());
    }
    let explicit = matches!(options.selection, Selection::Keys(_));

    let mut built = Built {
        problems,
        ..Built::default()
    };
    for decl in &decls {
        let key = decl.key.as_str();
        let mut reason = selected.get(key).copied();
        if let Some(r) = reason
            && role_decision(decl, r, explicit || options.set_at_service.contains(key))
                == Decision::Keep
        {
            built
                .changes
                .push(held_back(key, Action::CredentialKept, r, 1));
            reason = None;
        }
        rotate_key(
            doc, decl, reason, options, &env.name, explicit, rng, &mut built,
        )?;
        // Retired values left under names the secret no longer uses: removed once expired, or
        // at once when the secret is rotated with --no-overlap. Only variables whose record
        // says they are this secret's get here.
        for (name, expired) in left_behind.remove(key).unwrap_or_default() {
            // A keyring's key goes only when retired explicitly.
            let action = if decl.role == Role::Encryption {
                continue;
            } else if expired {
                Action::ExpiredRemoved
            } else if reason.is_some() && !decl.external && options.no_overlap {
                Action::Dropped
            } else {
                continue;
            };
            let count = doc
                .record(&name)
                .and_then(|t| Record::parse(t).ok())
                .map_or(1, |r| r.expires.len().max(1));
            built.edits.push(Edit::Remove { key: name.clone() });
            built
                .changes
                .push(previous_change(name, action, key, count));
        }
    }
    Ok(built)
}

/// What a selected key's role lets the rotation do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    /// Give it a new value.
    Rotate,
    /// Leave it, and say so ([`Action::CredentialKept`]).
    Keep,
}

/// Whether a key selected for `reason` gets a new value: a credential only when it is missing
/// or named with `--key` (`explicit`), since the file alone cannot change what its service
/// expects. The hooks of a later release (change it at the service first) decide here.
fn role_decision(decl: &SecretDecl, reason: Reason, explicit: bool) -> Decision {
    match decl.scheduled_role() {
        Role::Credential if !decl.external && !explicit && reason != Reason::Missing => {
            Decision::Keep
        }
        _ => Decision::Rotate,
    }
}

/// The edits and changes of one declared secret (`reason`: why it is selected, if it is):
/// its new value, the value it retires, and its previous values that expire or are dropped.
/// `explicit`: the key was named with `--key` (a full keyring is then an error).
#[allow(clippy::too_many_arguments)]
fn rotate_key<R: CryptoRng + ?Sized>(
    doc: &Document,
    decl: &SecretDecl,
    mut reason: Option<Reason>,
    options: &Options,
    environment: &str,
    explicit: bool,
    rng: &mut R,
    built: &mut Built,
) -> Result<(), RotationError> {
    let key = decl.key.as_str();
    let now = options.now;
    if decl.external {
        if let Some(reason) = reason {
            built
                .changes
                .push(held_back(key, Action::ExternalDue, reason, 1));
        }
        return Ok(());
    }
    let mut found = read_previous(doc, decl, now);
    let mut retired = false;
    let mut dropped: Vec<(String, usize)> = Vec::new();
    // The store remembers a keyring even when the manifest no longer does: its keys are
    // handled as an encryption key's (kept, never pushed out, the old value kept too).
    // Only a key it renews needs to know (its record is read for it).
    let encryption = reason.is_some() && found.is_keyring(decl, doc);
    let has_value = doc.get(key).is_some_and(|v| !v.is_empty());
    if let Some(r) = reason
        && encryption
        && has_value
        && found.alive.len() >= decl.previous.keep()
    {
        // Full: a new key would push the oldest retired one out, and the data it encrypted
        // with it. Refused for `--key`; reported for --due and --all, which go on.
        if explicit {
            return Err(RotationError::KeyringFull {
                key: key.to_string(),
                environment: environment.to_string(),
                held: found.alive.len(),
            });
        }
        built
            .changes
            .push(held_back(key, Action::KeyringFull, r, found.alive.len()));
        reason = None;
    }
    if let Some(reason) = reason {
        if doc.contains_key(key) && doc.get(key).is_none() {
            return Err(EditError::KeyOnUnparsableLine {
                key: key.to_string(),
                line: doc.broken_line(key).unwrap_or(0),
            }
            .into());
        }
        let current = doc.get(key).filter(|v| !v.is_empty());
        let value = Generator::new(decl.spec.clone()).generate(rng);
        built.edits.push(Edit::Set {
            key: key.to_string(),
            value,
            record: Record::generated(now).encryption(encryption).to_string(),
        });
        built.changes.push(Change {
            key: key.to_string(),
            action: Action::Rotated,
            reason: Some(reason),
            kind: Some(decl.spec.kind().name()),
            bits: Some(decl.spec.bits()),
            previous_of: None,
            count: 1,
        });
        // An encryption key is kept in its keyring even with --no-overlap: after a compromise
        // the data still needs it until it is re-encrypted (then `envmint retire`).
        let expires = if encryption {
            Some(None)
        } else {
            decl.overlap.map(|o| Some(crate::time::due_at(now, o)))
        };
        if options.no_overlap && !encryption {
            dropped.extend(sources(&found.alive));
            found.alive.clear();
        } else if let (Some(expires), Some(current)) = (expires, current) {
            retire_value(decl, current, now, expires, &mut found)?;
            retired = true;
        }
    }
    finish(doc, decl, found, retired, dropped, built);
    Ok(())
}

/// Puts `current`, the value `decl` had, first among its retired values in `found`, retired at
/// `now` until `expires` (`None`: a keyring's key).
///
/// # Errors
///
/// [`RotationError::SeparatorInValue`] when it would go into a list whose separator it holds.
fn retire_value(
    decl: &SecretDecl,
    current: &str,
    now: Timestamp,
    expires: Option<Timestamp>,
    found: &mut Found,
) -> Result<(), RotationError> {
    if let Previous::List {
        name, separator, ..
    } = &decl.previous
        && current.contains(separator.as_str())
    {
        return Err(RotationError::SeparatorInValue {
            key: decl.key.clone(),
            list: name.clone(),
        });
    }
    found.alive.insert(
        0,
        Entry {
            value: Secret::new(current.to_string()),
            retired: now,
            expires,
            from: None,
        },
    );
    Ok(())
}

/// The edits and changes that leave `decl`'s previous form holding `found.alive` (at most
/// `keep`, but for a keyring, which keeps every key): `retired` when its first value was
/// retired by this run, `dropped` the variables (with counts) whose values already went.
fn finish(
    doc: &Document,
    decl: &SecretDecl,
    mut found: Found,
    retired: bool,
    mut dropped: Vec<(String, usize)>,
    built: &mut Built,
) {
    let key = decl.key.as_str();
    let keep = decl.previous.keep();
    // A keyring over `keep` (the manifest lowered it) keeps every key: none is dropped.
    if found.alive.len() > keep && !found.is_keyring(decl, doc) {
        let extra = found.alive.split_off(keep);
        dropped.extend(sources(&extra));
    }
    if !retired && found.expired.is_empty() && dropped.is_empty() {
        return;
    }
    if retired {
        let names = slots(decl, &found.alive[..1]);
        for (name, _) in names {
            built
                .changes
                .push(previous_change(name, Action::Retired, key, 1));
        }
    }
    for (name, count) in std::mem::take(&mut found.expired) {
        built
            .changes
            .push(previous_change(name, Action::ExpiredRemoved, key, count));
    }
    for (name, count) in dropped {
        built
            .changes
            .push(previous_change(name, Action::Dropped, key, count));
    }
    write_previous(doc, decl, &found.alive, &found.names, &mut built.edits);
}

/// What `envmint set` does before it writes a new value to a secret that keeps its previous
/// values (an external one with an `overlap`, such as a webhook signing secret, or an
/// encryption key): the edits that retire the value `doc` holds into its `previous` form, at
/// `now`, for its overlap (an encryption key's for good), as a rotation would. Empty when it
/// keeps none, or has no value.
///
/// # Errors
///
/// [`RotationError::KeyringFull`] for an encryption key whose keyring holds `keep` retired
/// keys; [`RotationError::SeparatorInValue`].
pub fn retire_current(
    doc: &Document,
    decl: &SecretDecl,
    environment: &str,
    now: Timestamp,
) -> Result<Built, RotationError> {
    let mut built = Built::default();
    let Some(current) = doc.get(&decl.key).filter(|v| !v.is_empty()) else {
        return Ok(built);
    };
    let mut found = read_previous(doc, decl, now);
    let keyring = found.is_keyring(decl, doc);
    let expires = match (keyring, decl.overlap) {
        (true, _) => None,
        (_, Some(overlap)) => Some(crate::time::due_at(now, overlap)),
        (_, None) => return Ok(built),
    };
    if keyring && found.alive.len() >= decl.previous.keep() {
        return Err(RotationError::KeyringFull {
            key: decl.key.clone(),
            environment: environment.to_string(),
            held: found.alive.len(),
        });
    }
    retire_value(decl, current, now, expires, &mut found)?;
    finish(doc, decl, found, true, Vec::new(), &mut built);
    Ok(built)
}

impl Entry {
    /// The `(retired, expires)` pair of a value that expires.
    fn times(&self) -> (Timestamp, Timestamp) {
        (self.retired, self.expires.unwrap_or(self.retired))
    }
}

/// The change of previous variable `name` of `key` (holding `count` values).
pub(super) fn previous_change(name: String, action: Action, key: &str, count: usize) -> Change {
    Change {
        key: name,
        action,
        reason: None,
        kind: None,
        bits: None,
        previous_of: Some(key.to_string()),
        count,
    }
}

/// The change of a selected `key` the rotation leaves as it is (an external key, a kept
/// credential, a full keyring), with why it was selected.
fn held_back(key: &str, action: Action, reason: Reason, count: usize) -> Change {
    Change {
        key: key.to_string(),
        action,
        reason: Some(reason),
        kind: None,
        bits: None,
        previous_of: None,
        count,
    }
}

/// The variable each of `entries` sits in (newest first), with how many values: the one name,
/// the numbered slots, or the list (once, with the count).
fn slots(decl: &SecretDecl, entries: &[Entry]) -> Vec<(String, usize)> {
    if entries.is_empty() {
        return Vec::new();
    }
    match &decl.previous {
        Previous::One(name) => vec![(name.clone(), 1)],
        Previous::Numbered { .. } | Previous::Slots(_) => (1..=entries.len())
            .filter_map(|n| decl.previous.slot(n).map(|name| (name, 1)))
            .collect(),
        Previous::List { name, .. } => vec![(name.clone(), entries.len())],
    }
}

/// A previous variable's record: whose it is, and one `(retired, expires)` per value
/// (`expires` `None` in a keyring's record, which gives none). A record that does not read
/// gives no times (its values count as expired, but for an encryption key).
type Times = Vec<(Timestamp, Option<Timestamp>)>;
fn previous_record(text: Option<&str>) -> (Option<String>, Times) {
    match text.map(Record::parse) {
        Some(Ok(r)) => {
            let times = r
                .retired
                .iter()
                .enumerate()
                .map(|(i, t)| (*t, r.expires.get(i).copied()))
                .collect();
            (r.previous_of, times)
        }
        Some(Err(_)) => {
            // Still whose it is, when the line names it: a damaged record of envmint's own.
            let of = text.and_then(|t| {
                t.split_ascii_whitespace()
                    .find_map(|w| w.strip_prefix("previous-of="))
                    .map(str::to_string)
            });
            (of, Vec::new())
        }
        None => (None, Vec::new()),
    }
}

/// Whether the record of `key` in `doc` says its value is an encryption key.
pub fn marked_encryption(doc: &Document, key: &str) -> bool {
    doc.record(key)
        .and_then(|t| Record::parse(t).ok())
        .is_some_and(|r| r.encryption)
}

/// The previous values of `decl` in `doc`, split into those still inside their window and
/// those expired at `now`.
pub(super) fn read_previous(doc: &Document, decl: &SecretDecl, now: Timestamp) -> Found {
    let mut found = Found {
        alive: Vec::new(),
        expired: Vec::new(),
        names: Vec::new(),
    };
    // Values in one variable: (variable, values, record).
    let take = |name: &str, values: Vec<&str>, doc: &Document, found: &mut Found| {
        let (of, times) = previous_record(doc.record(name));
        let mine = of.as_deref() == Some(decl.key.as_str());
        // A time that cannot hold counts as the one that can (`status::capped`): a forged
        // `expires=2099-...` keeps a value no longer than the declared overlap.
        let times: Times = times
            .into_iter()
            .map(|(r, e)| {
                let (r, e, _) = status::capped(decl, r, e, now);
                (r, e)
            })
            .collect();
        // Not envmint's, and the key keeps no previous values: an app's own variable, left
        // alone.
        if !mine && !decl.keeps_previous() {
            return;
        }
        found.names.push(name.to_string());
        // A list whose record dates a different number of values: which time is whose cannot
        // be told, so none is trusted (as `status` warns: its expiry is unknown).
        let dated = mine && times.len() == values.len();
        let mut expired = 0;
        for (i, v) in values.into_iter().enumerate() {
            let time = times.get(i).copied().filter(|_| dated);
            if decl.role == Role::Encryption {
                // A keyring keeps every key it holds, a key without a readable time too (taken
                // as retired now): only `envmint retire` removes one.
                found.alive.push(Entry {
                    value: Secret::new(v.to_string()),
                    retired: time.map_or(now, |t| t.0),
                    expires: None,
                    from: Some(name.to_string()),
                });
                continue;
            }
            let Some((retired, e)) = time else {
                expired += 1;
                continue;
            };
            match status::expiry(decl, e) {
                // A keyring's key (its record has no `expires`) under a secret the manifest
                // now calls something else: kept, as a keyring keeps it.
                None => found.alive.push(Entry {
                    value: Secret::new(v.to_string()),
                    retired,
                    expires: None,
                    from: Some(name.to_string()),
                }),
                Some(expires) if expires > now => found.alive.push(Entry {
                    value: Secret::new(v.to_string()),
                    retired,
                    expires: Some(expires),
                    from: Some(name.to_string()),
                }),
                Some(_) => expired += 1,
            }
        }
        if expired > 0 {
            found.expired.push((name.to_string(), expired));
        }
    };
    match &decl.previous {
        Previous::One(name) => {
            if let Some(v) = doc.get(name) {
                take(name, vec![v], doc, &mut found);
            }
        }
        Previous::Numbered { .. } | Previous::Slots(_) => {
            for name in (1..=MAX_KEEP).map_while(|n| decl.previous.slot(n)) {
                if let Some(v) = doc.get(&name) {
                    take(&name, vec![v], doc, &mut found);
                }
            }
        }
        Previous::List {
            name, separator, ..
        } => {
            if let Some(v) = doc.get(name) {
                let values: Vec<&str> = if v.is_empty() {
                    Vec::new()
                } else {
                    v.split(separator.as_str()).collect()
                };
                take(name, values, doc, &mut found);
            }
        }
    }
    found
}

/// The record of a previous variable holding `entries` (newest first): a keyring's (no
/// expiry) when they do not expire.
fn record_of(key: &str, entries: &[Entry]) -> String {
    if entries.iter().any(|e| e.expires.is_none()) {
        let retired: Vec<Timestamp> = entries.iter().map(|e| e.retired).collect();
        return Record::kept(key, &retired).to_string();
    }
    let times: Vec<(Timestamp, Timestamp)> = entries.iter().map(Entry::times).collect();
    Record::previous(key, &times).to_string()
}

/// Edits that make `decl`'s previous variables hold exactly `alive` (newest first).
pub(super) fn write_previous(
    doc: &Document,
    decl: &SecretDecl,
    alive: &[Entry],
    managed: &[String],
    edits: &mut Vec<Edit>,
) {
    let present = |name: &str| managed.iter().any(|m| m == name);
    let key = decl.key.as_str();
    let one =
        |name: &str, anchor: &str, entries: &[Entry], value: String, edits: &mut Vec<Edit>| {
            let record = record_of(key, entries);
            let value = Secret::new(value);
            if doc.get(name).is_some() {
                edits.push(Edit::Set {
                    key: name.to_string(),
                    value,
                    record,
                });
            } else {
                edits.push(Edit::InsertAfter {
                    anchor: anchor.to_string(),
                    key: name.to_string(),
                    value,
                    record,
                });
            }
        };
    match &decl.previous {
        Previous::One(name) => match alive.first() {
            Some(e) => one(name, key, &alive[..1], e.value.expose().to_string(), edits),
            None if present(name) => edits.push(Edit::Remove { key: name.clone() }),
            None => {}
        },
        Previous::Numbered { .. } | Previous::Slots(_) => {
            let mut anchor = key.to_string();
            for n in 1..=MAX_KEEP {
                let Some(name) = decl.previous.slot(n) else {
                    break;
                };
                match alive.get(n - 1) {
                    Some(e) => {
                        one(
                            &name,
                            &anchor,
                            std::slice::from_ref(e),
                            e.value.expose().to_string(),
                            edits,
                        );
                        anchor = name;
                    }
                    None if present(&name) => edits.push(Edit::Remove { key: name }),
                    None => {}
                }
            }
        }
        Previous::List {
            name, separator, ..
        } => {
            if alive.is_empty() {
                if present(name) {
                    edits.push(Edit::Remove { key: name.clone() });
                }
            } else {
                let value = alive
                    .iter()
                    .map(|e| e.value.expose())
                    .collect::<Vec<_>>()
                    .join(separator);
                one(name, key, alive, value, edits);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::edit::apply_edits;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use std::path::Path;

    fn manifest(secrets: &str) -> Manifest {
        let text = format!("[environments.production]\nfile = \".env\"\n{secrets}");
        Manifest::parse(&text, Path::new("/app/envmint.toml"), Path::new("/app")).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        crate::time::parse_instant(text).unwrap()
    }

    #[test]
    fn rotation_errors_say_what_without_the_file() {
        let said = |e: RotationError| e.to_string();
        assert_eq!(
            said(RotationError::SeparatorInValue {
                key: "A".into(),
                list: "A_OLD".into()
            }),
            "A: its value contains the separator of A_OLD, so it cannot be kept in that list"
        );
        assert_eq!(
            said(RotationError::KeyringFull {
                key: "ENC".into(),
                environment: "p".into(),
                held: 1
            }),
            "ENC: its keyring is full (1 retired key kept): a new key would push out one that \
             data may still need"
        );
        assert_eq!(
            said(RotationError::NotDeclared {
                key: "A\nB".into(),
                environment: "p".into()
            }),
            "A\\nB: not a secret of environment p",
            "escaped: a key comes from the command line"
        );
        // The cause is the edit's own error (its words are src/error.rs's test's).
        let missing = || EditError::KeyMissing { key: "A".into() };
        let edit = RotationError::Edit(missing());
        let cause = std::error::Error::source(&edit).map(ToString::to_string);
        assert_eq!(cause, Some(missing().to_string()));
    }

    fn options(selection: Selection, now: &str) -> Options {
        Options {
            selection,
            no_overlap: false,
            now: at(now),
            skip_undeclared: false,
            rotated_earlier: HashSet::new(),
            set_at_service: HashSet::new(),
        }
    }

    /// Builds and applies a rotation; the new text and the changes as `(key, action)`.
    fn rotate(m: &Manifest, text: &str, o: &Options, seed: u64) -> (String, Vec<(String, Action)>) {
        let env = m.environment("production").unwrap();
        let mut doc = Document::parse(text);
        let built = build(m, env, &doc, o, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
        assert_eq!(doc.render().as_str(), text, "build changed the document");
        apply_edits(&mut doc, &built.edits).unwrap();
        let changes = built
            .changes
            .into_iter()
            .map(|c| (c.key, c.action))
            .collect();
        (doc.render().to_string(), changes)
    }

    const HEX: &str = "kind = \"hex\"\nbytes = 32\n";

    /// The error of a rotation that cannot be built.
    fn build_err(m: &Manifest, text: &str, o: &Options) -> RotationError {
        let env = m.environment("production").unwrap();
        let doc = Document::parse(text);
        build(m, env, &doc, o, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err()
    }

    #[test]
    fn the_same_seed_gives_the_same_edits_and_debug_shows_no_value() {
        let m = manifest(&format!("[secrets.A]\n{HEX}overlap = \"1d\"\n"));
        let text = "A=old-value-here\n";
        let o = options(Selection::All, "2026-01-01");
        assert_eq!(rotate(&m, text, &o, 1).0, rotate(&m, text, &o, 1).0);
        assert_ne!(rotate(&m, text, &o, 1).0, rotate(&m, text, &o, 2).0);
        let env = m.environment("production").unwrap();
        let built = build(
            &m,
            env,
            &Document::parse(text),
            &o,
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .unwrap();
        let shown = format!("{built:?}");
        assert!(!shown.contains("old-value-here"), "{shown}");
    }

    #[test]
    fn line_numbers_stay_right_after_records_are_replaced() {
        let m = manifest(&format!(
            "[secrets.A]\n{HEX}[secrets.B]\n{HEX}overlap = \"1d\"\n"
        ));
        let text = "# top\n# envmint: generated=2020-01-01T00:00:00Z\nA=1\nX=2\n\
                    # envmint: generated=2020-01-01T00:00:00Z\nB=3\nY=4\n";
        let env = m.environment("production").unwrap();
        let mut doc = Document::parse(text);
        let o = options(Selection::Due, "2026-01-01");
        let built = build(&m, env, &doc, &o, &mut ChaCha20Rng::seed_from_u64(3)).unwrap();
        apply_edits(&mut doc, &built.edits).unwrap();
        let out = doc.render().to_string();
        for key in ["A", "X", "B", "B_PREVIOUS", "Y"] {
            let want = out
                .lines()
                .position(|l| l.starts_with(&format!("{key}=")))
                .unwrap()
                + 1;
            assert_eq!(doc.line_of_key(key), Some(want), "{key} in\n{out}");
        }
    }

    #[test]
    fn an_apps_own_previous_variable_is_left_alone_without_overlap() {
        let m = manifest(&format!("[secrets.A]\n{HEX}"));
        let text = "A=1\nA_PREVIOUS=the-apps-own\n";
        let (out, changes) = rotate(&m, text, &options(Selection::All, "2026-01-01"), 1);
        assert!(out.ends_with("\nA_PREVIOUS=the-apps-own\n"), "{out}");
        assert_eq!(changes, [("A".to_string(), Action::Rotated)]);
    }

    #[test]
    fn a_previous_value_without_a_record_counts_as_expired_when_the_key_overlaps() {
        let m = manifest(&format!("[secrets.A]\n{HEX}overlap = \"7d\"\n"));
        let text = "# envmint: generated=2026-01-01T00:00:00Z\nA=1\nA_PREVIOUS=hand\n";
        let (out, changes) = rotate(&m, text, &options(Selection::Due, "2026-01-02"), 1);
        assert_eq!(out, "# envmint: generated=2026-01-01T00:00:00Z\nA=1\n");
        assert_eq!(
            changes,
            [("A_PREVIOUS".to_string(), Action::ExpiredRemoved)]
        );
    }

    #[test]
    fn fail_a_value_with_the_lists_separator_and_an_undeclared_key() {
        let m = manifest(&format!(
            "[secrets.A]\n{HEX}overlap = \"7d\"\n\
             previous = {{ list = \"A_OLD\", separator = \",\", keep = 2 }}\n"
        ));
        let env = m.environment("production").unwrap();
        let doc = Document::parse("A=x,y\n");
        let o = options(Selection::All, "2026-01-01");
        let err = build_err(&m, "A=x,y\n", &o);
        assert!(
            matches!(err, RotationError::SeparatorInValue { .. }),
            "{err:?}"
        );
        let o = options(Selection::Keys(vec!["NOPE".into()]), "2026-01-01");
        let err = build_err(&m, "A=x,y\n", &o);
        assert!(
            matches!(&err, RotationError::NotDeclared { key, .. } if key == "NOPE"),
            "{err:?}"
        );
        let skipping = Options {
            skip_undeclared: true,
            ..o
        };
        let built = build(&m, env, &doc, &skipping, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
        assert!(built.is_empty());
    }

    #[test]
    fn a_second_rotation_inside_the_window_keeps_at_most_keep() {
        let m = manifest(&format!("[secrets.A]\n{HEX}overlap = \"7d\"\n"));
        let o1 = options(Selection::All, "2026-01-01");
        let (one, _) = rotate(&m, "A=v0\n", &o1, 1);
        let o2 = options(Selection::All, "2026-01-02");
        let (two, changes) = rotate(&m, &one, &o2, 2);
        assert_eq!(
            changes,
            [
                ("A".to_string(), Action::Rotated),
                ("A_PREVIOUS".to_string(), Action::Retired),
                ("A_PREVIOUS".to_string(), Action::Dropped),
            ]
        );
        assert!(!two.contains("v0"));
        let first_value = one.lines().nth(1).unwrap().strip_prefix("A=").unwrap();
        assert!(two.contains(&format!("A_PREVIOUS={first_value}\n")));
    }

    #[test]
    fn a_retired_value_left_under_an_old_name_goes_when_it_expires() {
        // A's old values once went to A_PREVIOUS; the manifest now keeps them in a list.
        let m = manifest(&format!(
            "[secrets.A]\n{HEX}overlap = \"7d\"\n\
             previous = {{ list = \"A_OLD\", separator = \",\", keep = 2 }}\n"
        ));
        let text = "# envmint: generated=2026-01-01T00:00:00Z\nA=1\n\
            # envmint: previous-of=A retired=2026-01-01T00:00:00Z expires=2026-01-08T00:00:00Z\n\
            A_PREVIOUS=old\n\
            A_HAND=no-record\n\
            # envmint: previous-of=B retired=2026-01-01T00:00:00Z expires=2026-01-02T00:00:00Z\n\
            B_OLD=not-a-secret-here\n";
        // Inside its window: kept.
        let (out, changes) = rotate(&m, text, &options(Selection::Due, "2026-01-07"), 1);
        assert_eq!((out.as_str(), changes.len()), (text, 0));
        // Expired: removed with its record; the variables without such a record stay.
        let (out, changes) = rotate(&m, text, &options(Selection::Due, "2026-01-08"), 1);
        assert_eq!(
            changes,
            [("A_PREVIOUS".to_string(), Action::ExpiredRemoved)]
        );
        let rest = text.replace(
            "# envmint: previous-of=A retired=2026-01-01T00:00:00Z expires=2026-01-08T00:00:00Z\n\
             A_PREVIOUS=old\n",
            "",
        );
        assert_eq!(out, rest);
        // --no-overlap drops it at once with the key's new value (a compromise).
        let o = Options {
            no_overlap: true,
            ..options(Selection::All, "2026-01-02")
        };
        let (out, changes) = rotate(&m, text, &o, 1);
        assert_eq!(
            changes,
            [
                ("A".to_string(), Action::Rotated),
                ("A_PREVIOUS".to_string(), Action::Dropped)
            ]
        );
        assert!(
            !out.contains("old") && out.contains("A_HAND=no-record\n"),
            "{out}"
        );
    }

    const OLD: &str = "# envmint: generated=2026-01-01T00:00:00Z\n";

    #[test]
    fn a_credential_is_kept_by_due_and_all_and_rotated_by_key() {
        let m = manifest(&format!(
            "[secrets.DB_PASSWORD]\n{HEX}role = \"credential\"\noverlap = \"1d\"\n\
             [secrets.NEW_PASSWORD]\n{HEX}role = \"credential\"\n"
        ));
        let text = format!("{OLD}DB_PASSWORD=at-the-server\n");
        for selection in [Selection::Due, Selection::All] {
            let (out, changes) = rotate(&m, &text, &options(selection.clone(), "2026-06-01"), 1);
            // A missing credential is added, as bootstrap would; the one in use is not touched.
            assert!(out.starts_with(&text), "{selection:?}: {out}");
            assert!(out.contains("\nNEW_PASSWORD="), "{out}");
            assert_eq!(
                changes,
                [
                    ("DB_PASSWORD".to_string(), Action::CredentialKept),
                    ("NEW_PASSWORD".to_string(), Action::Rotated),
                ],
                "{selection:?}"
            );
        }
        // Not due: --due says nothing about it; --all says it kept it.
        let fresh = "# envmint: generated=2026-05-30T00:00:00Z\nDB_PASSWORD=x\nNEW_PASSWORD=y\n";
        let (_, changes) = rotate(&m, fresh, &options(Selection::Due, "2026-06-01"), 1);
        assert_eq!(
            changes,
            [("NEW_PASSWORD".to_string(), Action::CredentialKept)]
        );
        // --key: changed at the service, now in the file (its overlap keeps the old one).
        let o = options(Selection::Keys(vec!["DB_PASSWORD".into()]), "2026-06-01");
        let (out, changes) = rotate(&m, &text, &o, 1);
        assert_eq!(
            changes,
            [
                ("DB_PASSWORD".to_string(), Action::Rotated),
                ("DB_PASSWORD_PREVIOUS".to_string(), Action::Retired),
            ]
        );
        assert!(
            out.contains("DB_PASSWORD_PREVIOUS=at-the-server\n"),
            "{out}"
        );
    }

    #[test]
    fn an_encryption_key_is_kept_in_its_keyring_whatever_the_time_or_no_overlap() {
        let m = manifest(&format!(
            "[secrets.ENC]\n{HEX}role = \"encryption\"\n\
             previous = {{ list = \"ENC_OLD\", separator = \",\", keep = 2 }}\n"
        ));
        let (one, changes) = rotate(
            &m,
            &format!("{OLD}ENC=k0\n"),
            &options(Selection::Due, "2026-06-01"),
            1,
        );
        assert_eq!(
            changes,
            [
                ("ENC".to_string(), Action::Rotated),
                ("ENC_OLD".to_string(), Action::Retired)
            ]
        );
        // No expiry in the record: a keyring's key goes only when retired.
        assert!(
            one.contains("# envmint: previous-of=ENC retired=2026-06-01T00:00:00Z\nENC_OLD=k0\n"),
            "{one}"
        );
        // Years later, nothing expired; --no-overlap keeps it too.
        let o = Options {
            no_overlap: true,
            ..options(Selection::All, "2036-01-01")
        };
        let (two, changes) = rotate(&m, &one, &o, 2);
        assert_eq!(
            changes,
            [
                ("ENC".to_string(), Action::Rotated),
                ("ENC_OLD".to_string(), Action::Retired)
            ]
        );
        assert!(two.contains(",k0\n"), "{two}");
        assert!(
            two.contains("retired=2036-01-01T00:00:00Z,2026-06-01T00:00:00Z\n"),
            "{two}"
        );
        // keep = 2 reached: --due and --all leave it and say so...
        for selection in [Selection::Due, Selection::All] {
            let o = options(selection, "2046-01-01");
            let (three, changes) = rotate(&m, &two, &o, 3);
            assert_eq!(three, two);
            assert_eq!(changes, [("ENC".to_string(), Action::KeyringFull)]);
        }
        // ... and --key is refused, naming the key.
        let o = options(Selection::Keys(vec!["ENC".into()]), "2046-01-01");
        let err = build_err(&m, &two, &o);
        assert!(
            matches!(&err, RotationError::KeyringFull { key, held: 2, .. } if key == "ENC"),
            "{err:?}"
        );
    }

    #[test]
    fn a_keyring_keeps_keys_without_a_record_and_over_keep() {
        let m = manifest(&format!(
            "[secrets.ENC]\n{HEX}role = \"encryption\"\n\
             previous = {{ numbered = \"ENC_{{n}}\", keep = 1 }}\n"
        ));
        // A hand-kept old key (no record) and one past keep (the manifest lowered it): both
        // stay, and the key is not rotated (full).
        let text = format!(
            "{OLD}ENC=k0\nENC_1=hand\n\
             # envmint: previous-of=ENC retired=2025-01-01T00:00:00Z expires=2025-01-02T00:00:00Z\n\
             ENC_2=old\n"
        );
        let (out, changes) = rotate(&m, &text, &options(Selection::Due, "2027-01-01"), 1);
        assert_eq!(out, text);
        assert_eq!(changes, [("ENC".to_string(), Action::KeyringFull)]);
    }

    /// `status` warns that a list whose record dates a different number of values has an
    /// unknown expiry and that the next rotate removes it: the rotation does just that, to the
    /// whole list (which time is whose cannot be told), and keeps it for an encryption key.
    #[test]
    fn a_list_whose_record_dates_fewer_values_is_removed_as_status_warns() {
        let list = "previous = { list = \"A_OLD\", separator = \",\", keep = 3 }\n";
        let text = format!(
            "{OLD}A=1\n\
             # envmint: previous-of=A retired=2026-01-01T00:00:00Z expires=2026-02-01T00:00:00Z\n\
             A_OLD=x,y\n"
        );
        let m = manifest(&format!("[secrets.A]\n{HEX}overlap = \"31d\"\n{list}"));
        let env = m.environment("production").unwrap();
        let rows = status::evaluate(&m, env, &Document::parse(&text), at("2026-01-02"));
        assert_eq!(rows[1].state, State::Unknown);
        assert!(matches!(
            rows[1].problem,
            Some(status::Problem::ListMismatch {
                values: 2,
                recorded: 1
            })
        ));
        let (out, changes) = rotate(&m, &text, &options(Selection::Due, "2026-01-02"), 1);
        assert_eq!(out, format!("{OLD}A=1\n"));
        assert_eq!(changes, [("A_OLD".to_string(), Action::ExpiredRemoved)]);
        let m = manifest(&format!("[secrets.A]\n{HEX}role = \"encryption\"\n{list}"));
        let (out, changes) = rotate(&m, &text, &options(Selection::Due, "2026-01-02"), 1);
        assert_eq!((out.as_str(), changes.len()), (text.as_str(), 0));
    }

    #[test]
    fn fail_a_clock_behind_the_records_and_records_never_dated_before_them() {
        let m = manifest(&format!("[secrets.A]\n{HEX}overlap = \"7d\"\n"));
        let text = "# envmint: generated=2026-01-02T00:00:00Z\nA=1\n";
        // A day behind: refused, naming the record.
        let o = options(Selection::All, "2026-01-01");
        let err = build_err(&m, text, &o);
        let RotationError::ClockBehind(behind) = err else {
            panic!("{err:?}")
        };
        assert_eq!((behind.newest.key.as_str(), behind.newest.line), ("A", 1));
        // Two minutes behind (inside the tolerance): rotated, dated at the record's time.
        let (out, _) = rotate(
            &m,
            text,
            &options(Selection::All, "2026-01-01T23:58:00Z"),
            1,
        );
        assert!(
            out.contains(
                "# envmint: previous-of=A retired=2026-01-02T00:00:00Z \
                 expires=2026-01-09T00:00:00Z\n"
            ) && out.starts_with("# envmint: generated=2026-01-02T00:00:00Z\nA="),
            "{out}"
        );
    }

    #[test]
    fn a_forged_expiry_keeps_a_value_no_longer_than_the_overlap() {
        let m = manifest(&format!("[secrets.A]\n{HEX}overlap = \"7d\"\n"));
        let text = "# envmint: generated=2026-01-01T00:00:00Z\nA=1\n\
            # envmint: previous-of=A retired=2026-01-01T00:00:00Z expires=2099-01-01T00:00:00Z\n\
            A_PREVIOUS=known-to-the-repository\n";
        let (out, changes) = rotate(&m, text, &options(Selection::Due, "2026-01-07"), 1);
        assert_eq!((out.as_str(), changes.len()), (text, 0));
        let (out, changes) = rotate(&m, text, &options(Selection::Due, "2026-01-08"), 1);
        assert_eq!(
            changes,
            [("A_PREVIOUS".to_string(), Action::ExpiredRemoved)]
        );
        assert!(!out.contains("known-to-the-repository"), "{out}");
        // Kept by a rotation inside its window, it is written back with the time that holds.
        let (out, _) = rotate(&m, text, &options(Selection::All, "2026-01-03"), 1);
        assert!(!out.contains("2099"), "{out}");
    }

    #[test]
    fn a_key_rotated_earlier_in_the_run_is_not_rotated_again() {
        let m = manifest(&format!(
            "[secrets.A]\n{HEX}overlap = \"7d\"\n[secrets.B]\n{HEX}"
        ));
        let text = "# envmint: generated=2026-01-01T00:00:00Z\nA=1\nB=2\n";
        for selection in [
            Selection::All,
            Selection::Keys(vec!["A".into(), "B".into()]),
            Selection::Due,
        ] {
            let o = Options {
                rotated_earlier: HashSet::from(["A".to_string()]),
                ..options(selection.clone(), "2026-01-02")
            };
            let (out, changes) = rotate(&m, text, &o, 1);
            assert_eq!(
                changes,
                [("B".to_string(), Action::Rotated)],
                "{selection:?}"
            );
            assert!(out.starts_with("# envmint: generated=2026-01-01T00:00:00Z\nA=1\n"));
        }
    }

    /// Attacker finding: `role = "encryption"` changed to `signing` in the manifest (one line
    /// in a pull request) made `rotate --due` drop the keyring. A retired key whose record has
    /// no `expires` is never removed by time, whatever the role says now; the key it belongs
    /// to is then handled as a keyring's (not rotated past `keep`, its old value kept).
    #[test]
    fn a_keyring_outlives_a_change_of_role_in_the_manifest() {
        let text = format!(
            "{OLD}ENC=k1\n# envmint: previous-of=ENC retired=2026-01-01T00:00:00Z\n\
             ENC_PREVIOUS=k0\n"
        );
        for role in ["signing", "credential"] {
            let m = manifest(&format!(
                "[secrets.ENC]\n{HEX}role = \"{role}\"\noverlap = \"1d\"\nrotate_every = \"30d\"\n"
            ));
            // Years later, due: nothing is dropped; the full keyring is said, not emptied.
            for selection in [Selection::Due, Selection::All] {
                let o = Options {
                    no_overlap: true,
                    ..options(selection.clone(), "2030-01-01")
                };
                let (out, changes) = rotate(&m, &text, &o, 1);
                assert!(
                    out.contains("ENC_PREVIOUS=k0\n"),
                    "{role} {selection:?}: {out}"
                );
                assert!(
                    changes
                        .iter()
                        .all(|(_, a)| !matches!(a, Action::ExpiredRemoved | Action::Dropped)),
                    "{role} {selection:?}: {changes:?}"
                );
            }
        }
        // With room in the keyring (keep 2), a rotation keeps the old value too, for good.
        let m = manifest(&format!(
            "[secrets.ENC]\n{HEX}overlap = \"1d\"\n\
             previous = {{ numbered = \"ENC_{{n}}\", keep = 2 }}\n"
        ));
        let text = format!(
            "{OLD}ENC=k1\n# envmint: previous-of=ENC retired=2026-01-01T00:00:00Z\nENC_1=k0\n"
        );
        let (out, _) = rotate(&m, &text, &options(Selection::All, "2030-01-01"), 1);
        assert!(
            out.contains("# envmint: previous-of=ENC retired=2030-01-01T00:00:00Z\nENC_1=k1\n")
                && out.contains(
                    "# envmint: previous-of=ENC retired=2026-01-01T00:00:00Z\nENC_2=k0\n"
                ),
            "{out}"
        );
        let (later, changes) = rotate(&m, &out, &options(Selection::Due, "2040-01-01"), 2);
        assert!(
            later.contains("ENC_1=k1\n") && later.contains("ENC_2=k0\n"),
            "{later}"
        );
        assert_eq!(changes, [("ENC".to_string(), Action::KeyringFull)]);
    }

    /// Attacker finding: deleting `role = "credential"` from DB_PASSWORD made it rotate as
    /// signing and lock the app out. A secret with no declared role named like a credential is
    /// kept by `--due` and `--all`; `--key` still renews it; a declared role is obeyed.
    #[test]
    fn a_secret_named_like_a_credential_without_a_role_is_kept_by_scheduled_rotation() {
        let text = format!("{OLD}DB_PASSWORD=at-the-server\n{OLD}SENTRY_DSN=x\n");
        let undeclared = manifest(&format!(
            "[secrets.DB_PASSWORD]\n{HEX}[secrets.SENTRY_DSN]\n{HEX}"
        ));
        for selection in [Selection::Due, Selection::All] {
            let (out, changes) = rotate(
                &undeclared,
                &text,
                &options(selection.clone(), "2026-06-01"),
                1,
            );
            assert_eq!(out, text, "{selection:?}");
            assert_eq!(
                changes,
                [
                    ("DB_PASSWORD".to_string(), Action::CredentialKept),
                    ("SENTRY_DSN".to_string(), Action::CredentialKept)
                ],
                "{selection:?}"
            );
        }
        let o = options(Selection::Keys(vec!["DB_PASSWORD".into()]), "2026-06-01");
        let (_, changes) = rotate(&undeclared, &text, &o, 1);
        assert_eq!(changes, [("DB_PASSWORD".to_string(), Action::Rotated)]);
        // Declared signing, on the secret or in [defaults]: rotated as declared.
        for declared in [
            format!("[secrets.DB_PASSWORD]\n{HEX}role = \"signing\"\n"),
            format!("[defaults]\nrole = \"signing\"\n[secrets.DB_PASSWORD]\n{HEX}"),
        ] {
            let m = Manifest::parse(
                &format!("[environments.production]\nfile = \".env\"\n{declared}"),
                Path::new("/app/envmint.toml"),
                Path::new("/app"),
            )
            .unwrap();
            let (_, changes) = rotate(&m, &text, &options(Selection::Due, "2026-06-01"), 1);
            assert_eq!(
                changes,
                [("DB_PASSWORD".to_string(), Action::Rotated)],
                "{declared}"
            );
        }
    }
}
