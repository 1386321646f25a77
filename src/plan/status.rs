//! Where each key of an environment stands: ok, due, missing, of unknown age, unmanaged, or a
//! retired value kept for its overlap window (previous, expired). Pure: the document and `now`
//! are given. Used by `status`, `plan --due`, `rotate --due` and `audit`.
//!
//! A current key's age comes from its record ([`super::record`]): due when
//! `now >= made + rotate_every`; no record, or one that does not read, means unknown (due
//! now). A variable named by a secret's `previous` is that secret's retired value when its
//! record says `previous-of=KEY`; one without such a record is unknown when the secret
//! overlaps (envmint would use that name) and unmanaged otherwise.
//!
//! A record's times count only as far as they can hold ([`capped`]): a `generated`, `set` or
//! `retired` more than [`CLOCK_TOLERANCE`](super::clock::CLOCK_TOLERANCE) after `now` counts as `now`, and an `expires` later
//! than `retired + overlap` (the secret's declared overlap; none: zero) counts as
//! `retired + overlap`, with a [`Problem`] saying so. A forged `expires=2099-...` then keeps
//! a retired value no longer than the manifest allows, whoever wrote the record.

use super::clock::is_ahead;
use super::record::{Record, RecordError, Stage};
use crate::dotenv::{Document, KeyRef};
use crate::manifest::{Environment, MAX_KEEP, Manifest, Previous, Role, SecretDecl};
use crate::time::due_at;
use jiff::Timestamp;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// The state of one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Made less than `rotate_every` ago.
    Ok,
    /// Made `rotate_every` or more ago.
    Due,
    /// Declared, but absent or empty.
    Missing,
    /// Of unknown age (no record, or one that does not read): due now.
    Unknown,
    /// In the file, not declared for this environment: never touched.
    Unmanaged,
    /// A retired value inside its overlap window.
    Previous,
    /// A retired value past its expiry, for the next scheduled run to remove.
    Expired,
    /// A credential's new value written before its service accepted it (`KEY_PENDING`, see
    /// [`crate::hooks::stage`]): the next rotation resumes it.
    Pending,
}

impl State {
    /// `ok`, `due`, `missing`, `unknown`, `unmanaged`, `previous` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Due => "due",
            State::Missing => "missing",
            State::Unknown => "unknown",
            State::Unmanaged => "unmanaged",
            State::Previous => "previous",
            State::Expired => "expired",
            State::Pending => "pending",
        }
    }

    /// Whether `status --check` (and alerts) count it: due, unknown or missing.
    pub fn needs_attention(self) -> bool {
        matches!(self, State::Due | State::Unknown | State::Missing)
    }
}

/// Why a key is [`State::Unknown`] beyond having no record (or what else is odd about it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The record line does not read: a warning naming the line.
    BadRecord(RecordError),
    /// The record reads but says neither `generated` nor `set`.
    NoTime,
    /// The record says the value was made more than [`CLOCK_TOLERANCE`](super::clock::CLOCK_TOLERANCE) after `now`: a clock
    /// behind, a `--at` in the past, or an edited record. Taken at its word it would keep the
    /// key from falling due for as long as its author liked, so it counts as made `now`
    /// (`rotate` and `apply` refuse the store, see [`super::clock`]).
    Future {
        /// The time the record gives.
        made: Timestamp,
    },
    /// A retired value's time that cannot hold, counted as the one that can: a `retired`
    /// after `now` (taken as `now`), or an `expires` later than `retired + overlap` (taken as
    /// that). For a list, the first item with such a time.
    Capped {
        /// `retired` or `expires`.
        field: &'static str,
        /// The time the record gives.
        recorded: Timestamp,
        /// The time it counts as.
        taken: Timestamp,
    },
    /// `stage=pending`: a value this version does not finish making current.
    Pending,
    /// A pending value whose `mac=` does not verify under this user's pending key: not
    /// written here (another machine or `HOME`, an older envmint, or planted); `rotate`
    /// refuses it.
    PendingNotOurs,
    /// A pending value written here longer than
    /// [`PENDING_MAX_AGE`](crate::hooks::stage::PENDING_MAX_AGE) ago; `rotate` refuses it.
    PendingStale {
        /// When it was generated.
        since: Timestamp,
    },
    /// The key appears only on a line nothing can read.
    Unreadable,
    /// A retired value without a `previous-of` record for its secret.
    NoRecord,
    /// A keyring's retired keys (a record without `expires`) under a secret whose role is no
    /// longer `encryption`: kept all the same, never removed by time (`envmint retire` does).
    KeyringOfAnotherRole {
        /// The role the manifest declares now.
        role: Role,
    },
    /// A current value whose record says it is an encryption key (`role=encryption`) under a
    /// secret whose role is no longer `encryption`: rotating it keeps the old value in a
    /// keyring all the same.
    EncryptionKeyOfAnotherRole {
        /// The role the manifest declares now.
        role: Role,
    },
    /// A list of retired values whose count differs from its record's.
    ListMismatch {
        /// Values in the variable.
        values: usize,
        /// Times in the record.
        recorded: usize,
    },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BadRecord(e) => write!(f, "bad record: {e}"),
            Problem::NoTime => f.write_str("the record has no generated= or set= time"),
            Problem::Future { made } => write!(
                f,
                "the record says it was made at {}, in the future; counted as made now",
                crate::time::format_timestamp(*made)
            ),
            Problem::Capped {
                field,
                recorded,
                taken,
            } => {
                let why = if *field == "retired" {
                    "in the future"
                } else {
                    "later than retired + the declared overlap"
                };
                write!(
                    f,
                    "the record's {field}={} is {why}; counted as {}",
                    crate::time::format_timestamp(*recorded),
                    crate::time::format_timestamp(*taken)
                )
            }
            Problem::Pending => f.write_str("a pending value (stage=pending) is not supported yet"),
            Problem::PendingNotOurs => f.write_str(
                "a pending value envmint did not write here (its mac= does not verify with \
                 your pending key): rotate refuses to resume it",
            ),
            Problem::PendingStale { since } => write!(
                f,
                "a pending value generated at {}, more than {} days ago: rotate refuses to \
                 resume it",
                crate::time::format_timestamp(*since),
                crate::hooks::stage::PENDING_MAX_AGE.as_hours() / 24
            ),
            Problem::Unreadable => f.write_str("the key is on a line no dotenv reader can read"),
            Problem::NoRecord => f.write_str("no `# envmint: previous-of=` record above it"),
            Problem::ListMismatch { values, recorded } => {
                write!(f, "{values} retired value(s) but {recorded} in the record")
            }
            Problem::KeyringOfAnotherRole { role } => write!(
                f,
                "its record has no expires= (an encryption key's keyring) but the secret's role \
                 is now {}; kept, never removed by time: declare role = \"encryption\" again, \
                 or remove these keys with `envmint retire` once no data needs them",
                role.name()
            ),
            Problem::EncryptionKeyOfAnotherRole { role } => write!(
                f,
                "its record says role=encryption but the secret's role is now {}; a rotation \
                 keeps its old value in a keyring all the same, never removed by time: declare \
                 role = \"encryption\" again, or `envmint retire` the old key once no data \
                 needs it",
                role.name()
            ),
        }
    }
}

/// One row of a status table. Holds no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStatus {
    /// The variable.
    pub key: String,
    /// Its state.
    pub state: State,
    /// Its 1-based line in the document, when present.
    pub line: Option<usize>,
    /// When the current value was made (generated or set); for a retired value, when it was
    /// retired (the newest, for a list).
    pub generated_at: Option<Timestamp>,
    /// When the current value falls due.
    pub due_at: Option<Timestamp>,
    /// For a retired value, when it expires (the latest, for a list: the variable holds a
    /// value apps accept until then), as [`capped`] counts it.
    pub expires_at: Option<Timestamp>,
    /// Whether the secret is `external = true`.
    pub external: bool,
    /// For a retired value, the secret it belonged to.
    pub previous_of: Option<String>,
    /// What is odd about it (a bad record line is a warning naming [`line`](Self::line) minus
    /// one, where the record sits).
    pub problem: Option<Problem>,
    /// The secret's role; for a retired value, its secret's.
    pub role: Role,
    /// On an encryption key's row: its keyring.
    pub keyring: Option<Keyring>,
    /// On a pending value's row: its stage (`pending` or `set`).
    pub stage: Option<Stage>,
}

/// An encryption key's keyring, as `status` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyring {
    /// How many keys it holds: the current one and the retired ones kept beside it.
    pub keys: usize,
    /// Whether it already holds `keep` retired keys: the key is not rotated until some are
    /// retired (`envmint retire`).
    pub full: bool,
}

impl KeyStatus {
    fn new(key: &str, state: State, line: Option<usize>) -> KeyStatus {
        KeyStatus {
            key: key.to_string(),
            state,
            line,
            generated_at: None,
            due_at: None,
            expires_at: None,
            external: false,
            previous_of: None,
            problem: None,
            role: Role::Signing,
            keyring: None,
            stage: None,
        }
    }
}

/// Every key of `env` in `doc` at `now`: each declared secret of `env` in declaration order,
/// each followed by its retired values, then the file's other keys (unmanaged) in file order.
/// The manifest is taken for its declarations; `doc` is the environment's store as loaded.
///
/// A retired value under a name its secret no longer uses (the manifest moved `A_PREVIOUS` to
/// a list, or renamed it) is still that secret's when its record reads
/// `previous-of=A ... expires=...`: it is listed after the secret's other retired values, as
/// previous until its last expiry and expired after it (see [`is_left_behind`]). A variable
/// without such a record stays unmanaged.
///
/// A row per key: on a file of a million keys that is a few hundred megabytes. Code that can
/// do without the unmanaged rows takes [`evaluate_managed`] (and [`unmanaged_rows`] one at a
/// time, when it shows them).
pub fn evaluate(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    now: Timestamp,
) -> Vec<KeyStatus> {
    let mut rows = evaluate_managed(manifest, env, doc, now);
    let unmanaged: Vec<KeyStatus> = unmanaged_rows(&rows, doc).collect();
    rows.extend(unmanaged);
    rows
}

/// The unmanaged rows of `doc`, in file order, one at a time: a row for each key that no row
/// of `managed` (from [`evaluate_managed`]) names.
pub fn unmanaged_rows<'a>(
    managed: &'a [KeyStatus],
    doc: &'a Document,
) -> impl Iterator<Item = KeyStatus> + 'a {
    unmanaged_keys(managed, doc).map(move |key| unmanaged_row(doc, key))
}

/// The row of `key`, one of [`unmanaged_keys`].
pub fn unmanaged_row(doc: &Document, key: &str) -> KeyStatus {
    let line = doc.line_of_key(key).or_else(|| doc.broken_line(key));
    KeyStatus::new(key, State::Unmanaged, line)
}

/// The keys of [`unmanaged_rows`], without making their rows.
pub fn unmanaged_keys<'a>(
    managed: &'a [KeyStatus],
    doc: &'a Document,
) -> impl Iterator<Item = &'a str> + 'a {
    let names: HashSet<&str> = managed.iter().map(|r| r.key.as_str()).collect();
    doc.keys()
        .into_iter()
        .filter(move |key| !names.contains(key))
}

/// [`evaluate`] without the unmanaged rows: each declared secret of `env` in declaration
/// order, each followed by its retired values (left-behind ones included). What `rotate`,
/// `audit` and `adopt` decide from, in memory that grows with the manifest, not the file.
pub fn evaluate_managed(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    now: Timestamp,
) -> Vec<KeyStatus> {
    let decls: Vec<&SecretDecl> = manifest.secrets_for(&env.name).collect();
    // Each declared secret's rows together, in one vector: `starts[i]` is where the rows of
    // `decls[i]` begin. Rows found later for a secret (a pending value, a left-behind retired
    // value) wait in `later` and join their secret's rows at the end. (A vector a secret, and
    // hash tables of the declared and found names, were most of the cost on 10,000 secrets.)
    let mut rows: Vec<KeyStatus> = Vec::with_capacity(decls.len());
    let mut starts: Vec<usize> = Vec::with_capacity(decls.len());
    // The document's keys some row names, by their index: found once, never hashed again.
    let mut managed = vec![false; doc.key_index_bound()];
    for decl in decls.iter().copied() {
        let start = rows.len();
        starts.push(start);
        let found = doc.key_ref(&decl.key);
        if let Some(k) = found {
            managed[k.index()] = true;
        }
        rows.push(current(decl, found, now));
        for name in candidate_names(decl) {
            let Some(k) = doc.key_ref(&name) else {
                continue;
            };
            if let Some(row) = previous(decl, k, now) {
                rows.push(row);
                managed[k.index()] = true;
            }
        }
        if decl.role == Role::Encryption {
            let keys = keyring_size(decl, doc, &rows[start..]);
            let current = usize::from(doc.get(&decl.key).is_some_and(|v| !v.is_empty()));
            rows[start].keyring = Some(Keyring {
                keys,
                full: current == 1 && keys - current >= decl.previous.keep(),
            });
        }
    }
    // Declared keys to their secret's place, made only when a key needs it.
    let mut index: Option<HashMap<&str, usize>> = None;
    let mut secret_of = |key: &str| -> Option<usize> {
        let index = index.get_or_insert_with(|| {
            decls
                .iter()
                .enumerate()
                .map(|(i, d)| (d.key.as_str(), i))
                .collect()
        });
        index.get(key).copied()
    };
    let mut later: Vec<(usize, KeyStatus)> = Vec::new();
    for found in doc.key_refs() {
        if managed[found.index()] {
            continue;
        }
        let key = found.name();
        // A credential's pending value, written by a rotation with hooks.
        if let Some(of) = key.strip_suffix(crate::manifest::PENDING_SUFFIX)
            && let Some(i) = secret_of(of)
            && decls[i].hooks.as_ref().is_some_and(|h| h.set.is_some())
            && let Some(p) = crate::hooks::stage::pending(doc, of)
        {
            let mut row = KeyStatus::new(key, State::Pending, found.line());
            row.role = decls[i].role;
            row.previous_of = Some(of.to_string());
            row.generated_at = p.since;
            row.stage = Some(p.stage);
            later.push((i, row));
            continue;
        }
        // Else unmanaged: [`unmanaged_rows`] makes its row when asked.
        let owner = left_behind_record(found)
            .and_then(|r| secret_of(r.previous_of.as_deref()?).map(|i| (i, r)));
        if let Some((i, record)) = owner {
            let decl_row = &rows[starts[i]];
            let mut row = KeyStatus::new(key, State::Previous, found.line());
            row.external = decl_row.external;
            row.role = decl_row.role;
            row.previous_of = Some(decl_row.key.clone());
            let decl = decls[i];
            let (times, problem) = capped_all(decl, &record, now);
            row.problem = problem;
            row.generated_at = times.iter().map(|t| t.0).max();
            // The variable goes as a whole (its form is no longer known, so a list cannot
            // be split): it expires with its last value.
            row.expires_at = times.iter().filter_map(|t| t.1).max();
            if row.expires_at.is_some_and(|e| now >= e) {
                row.state = State::Expired;
            }
            later.push((i, row));
        }
    }
    if later.is_empty() {
        return rows;
    }
    // Each late row after its secret's rows, in the document's order (a stable sort).
    later.sort_by_key(|(i, _)| *i);
    let mut later = later.into_iter().peekable();
    let mut out = Vec::with_capacity(rows.len() + later.len());
    let mut rows = rows.into_iter();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(start + rows.len());
        out.extend(rows.by_ref().take(end - start));
        while let Some((_, row)) = later.next_if(|(of, _)| *of == i) {
            out.push(row);
        }
    }
    out
}

/// Every variable a rotation of `env` may write or remove: each secret envmint generates for
/// it (not the external ones) and the names its retired values may sit under. What a saved
/// plan is held to before it is replayed.
pub fn rotatable_names(manifest: &Manifest, env: &Environment) -> HashSet<String> {
    let mut names = HashSet::new();
    for decl in manifest.secrets_for(&env.name).filter(|d| !d.external) {
        names.insert(decl.key.clone());
        names.extend(candidate_names(decl).map(Cow::into_owned));
    }
    names
}

/// The record of `key` when it marks a retired value envmint left under a name: it reads, says
/// `previous-of=`, and gives at least one expiry; and the value reads. (Whether the secret it
/// names is declared, and `key` is not one of its current names, is the caller's to check.)
fn left_behind_record(key: KeyRef<'_>) -> Option<Record> {
    key.value()?;
    let record = Record::parse(key.record()?).ok()?;
    let of = record.previous_of.as_deref()?;
    (of != key.name() && !record.expires.is_empty() && record.stage == Stage::Current)
        .then_some(record)
}

/// The variables of `doc` that hold a retired value of one of `env`'s secrets (not an external
/// one) under a name that secret no longer uses ([`is_left_behind`]): a rotation may remove
/// them, so a saved plan may too.
pub fn left_behind_names(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    now: Timestamp,
) -> HashSet<String> {
    let rows = evaluate_managed(manifest, env, doc, now);
    manifest
        .secrets_for(&env.name)
        .filter(|d| !d.external)
        .flat_map(|decl| {
            rows.iter()
                .filter(move |row| is_left_behind(decl, row))
                .map(|row| row.key.clone())
        })
        .collect()
}

/// Whether `row` (from [`evaluate`]) is a retired value of `decl` under a name `decl` no
/// longer uses: `rotate` removes it once it expired, as a whole.
pub fn is_left_behind(decl: &SecretDecl, row: &KeyStatus) -> bool {
    row.previous_of.as_deref() == Some(decl.key.as_str())
        && !candidate_names(decl).any(|n| n == row.key.as_str())
}

/// The names a secret's retired values may sit under: a numbered form is looked for up to
/// [`MAX_KEEP`], so values left over from a larger `keep` are still found as its own.
///
/// Borrowed where the manifest holds the name (most secrets): 10,000 secrets are looked for
/// under 10,000 names, without copying one.
fn candidate_names(decl: &SecretDecl) -> impl Iterator<Item = Cow<'_, str>> {
    let (name, slots, pattern): (Option<&str>, &[String], Option<&str>) = match &decl.previous {
        Previous::One(name) | Previous::List { name, .. } => (Some(name), &[], None),
        Previous::Slots(names) => (None, names, None),
        Previous::Numbered { pattern, .. } => (None, &[], Some(pattern)),
    };
    let numbered = pattern
        .into_iter()
        .flat_map(|p| (1..=MAX_KEEP).map(move |n| Cow::Owned(crate::manifest::numbered(p, n))));
    name.into_iter()
        .chain(slots.iter().map(String::as_str))
        .map(Cow::Borrowed)
        .chain(numbered)
}

/// The row of a declared key's current value.
/// `found` is the key in the document, when present.
fn current(decl: &SecretDecl, found: Option<KeyRef<'_>>, now: Timestamp) -> KeyStatus {
    let key = decl.key.as_str();
    let mut row = KeyStatus::new(key, State::Unknown, found.and_then(|k| k.line()));
    row.external = decl.external;
    row.role = decl.role;
    let Some(found) = found else {
        row.state = State::Missing;
        return row;
    };
    let Some(value) = found.value() else {
        row.line = found.broken_line();
        row.problem = Some(Problem::Unreadable);
        return row;
    };
    if value.is_empty() {
        row.state = State::Missing;
        return row;
    }
    let Some(text) = found.record() else {
        return row;
    };
    let record = match Record::parse(text) {
        Ok(r) => r,
        Err(e) => {
            row.problem = Some(Problem::BadRecord(e));
            return row;
        }
    };
    if record.stage != Stage::Current {
        row.problem = Some(Problem::Pending);
        return row;
    }
    let Some(made) = record.made_at() else {
        row.problem = Some(Problem::NoTime);
        return row;
    };
    let made = if is_ahead(made, now) {
        row.problem = Some(Problem::Future { made });
        now
    } else {
        made
    };
    row.generated_at = Some(made);
    if record.encryption && decl.role != Role::Encryption && row.problem.is_none() {
        row.problem = Some(Problem::EncryptionKeyOfAnotherRole { role: decl.role });
    }
    // `rotate_every = "never"`: its age is known, it never falls due.
    let Some(every) = decl.rotate_every else {
        row.state = State::Ok;
        return row;
    };
    let due = due_at(made, every);
    row.due_at = Some(due);
    row.state = if now >= due { State::Due } else { State::Ok };
    row
}

/// How many keys the keyring of encryption key `decl` holds: its current value, when present,
/// and each retired value found in `rows` (its own, from [`evaluate`]).
fn keyring_size(decl: &SecretDecl, doc: &Document, rows: &[KeyStatus]) -> usize {
    let current = usize::from(doc.get(&decl.key).is_some_and(|v| !v.is_empty()));
    let retired: usize = rows
        .iter()
        .filter(|r| r.previous_of.is_some())
        .map(|r| match (&decl.previous, doc.get(&r.key)) {
            (Previous::List { separator, .. }, Some(v)) if !v.is_empty() => {
                v.split(separator.as_str()).count()
            }
            (Previous::List { .. }, _) => 0,
            _ => 1,
        })
        .sum();
    current + retired
}

/// When a retired value of `decl` expires: never for an encryption key (a keyring's keys go
/// only when retired explicitly); else its record's `expires`. A record without `expires` is a
/// keyring's, whatever the manifest says the secret is now: its keys never expire by time
/// either (a one-line change of `role` in a pull request must not make the next scheduled run
/// drop the keys the data needs), and only `envmint retire` removes them.
pub fn expiry(decl: &SecretDecl, expires: Option<Timestamp>) -> Option<Timestamp> {
    if decl.role == Role::Encryption {
        return None;
    }
    expires
}

/// When a value of `decl` retired at `retired` is declared to expire: never for an encryption
/// key; else `retired + overlap` (at once, without an overlap).
pub fn declared_expiry(decl: &SecretDecl, retired: Timestamp) -> Option<Timestamp> {
    if decl.role == Role::Encryption {
        return None;
    }
    Some(match decl.overlap {
        Some(overlap) => due_at(retired, overlap),
        None => retired,
    })
}

/// The row of `name`, one of `decl`'s previous names, when it belongs to `decl`: present, and
/// either recorded as `previous-of` it or (without such a record) a name `decl` uses now while
/// it overlaps. `None` leaves the variable to be listed as unmanaged.
fn previous(decl: &SecretDecl, found: KeyRef<'_>, now: Timestamp) -> Option<KeyStatus> {
    let name = found.name();
    if name == decl.key {
        return None;
    }
    let in_use = decl.keeps_previous() && decl.previous.names(None).iter().any(|n| n == name);
    let mut row = KeyStatus::new(name, State::Unknown, found.line());
    row.external = decl.external;
    row.role = decl.role;
    row.previous_of = Some(decl.key.clone());
    let Some(value) = found.value() else {
        if !in_use {
            return None;
        }
        row.line = found.broken_line();
        row.problem = Some(Problem::Unreadable);
        return Some(row);
    };
    let record = match found.record().map(Record::parse) {
        Some(Ok(r)) if r.previous_of.as_deref() == Some(decl.key.as_str()) => r,
        Some(Ok(_)) | None => {
            row.problem = Some(Problem::NoRecord);
            return in_use.then_some(row);
        }
        Some(Err(e)) => {
            // A record that names the secret but does not read is still its retired value.
            let names_it = found.record().is_some_and(|t| {
                t.split_ascii_whitespace()
                    .any(|w| w == format!("previous-of={}", decl.key))
            });
            row.problem = Some(Problem::BadRecord(e));
            return (in_use || names_it).then_some(row);
        }
    };
    let values = match &decl.previous {
        Previous::List { separator, .. } if !value.is_empty() => {
            value.split(separator.as_str()).count()
        }
        Previous::List { .. } => 0,
        _ => 1,
    };
    if values != record.retired.len() {
        row.problem = Some(Problem::ListMismatch {
            values,
            recorded: record.retired.len(),
        });
        return Some(row);
    }
    let (times, problem) = capped_all(decl, &record, now);
    row.problem = problem;
    if record.expires.is_empty() && decl.role != Role::Encryption {
        row.problem = Some(Problem::KeyringOfAnotherRole { role: decl.role });
    }
    row.generated_at = times.iter().map(|t| t.0).max();
    // A list is shown with its last expiry: it holds a value apps accept until then. Items
    // that expired before it are removed by the next run all the same.
    row.expires_at = times.iter().filter_map(|t| t.1).max();
    row.state = match row.expires_at {
        Some(e) if now >= e => State::Expired,
        _ => State::Previous,
    };
    Some(row)
}

/// One retired value's `(retired, expires)` as they count at `now` for `decl`: a `retired`
/// more than [`CLOCK_TOLERANCE`](super::clock::CLOCK_TOLERANCE) after `now` counts as `now`;
/// its expiry is [`expiry`]'s (none for an encryption key), and one later than
/// `retired + overlap` (as counted; the declared overlap, zero when none) counts as that. The
/// problem says which, when one was capped.
pub fn capped(
    decl: &SecretDecl,
    retired: Timestamp,
    expires: Option<Timestamp>,
    now: Timestamp,
) -> (Timestamp, Option<Timestamp>, Option<Problem>) {
    let mut problem = None;
    let retired_taken = if is_ahead(retired, now) {
        problem = Some(Problem::Capped {
            field: "retired",
            recorded: retired,
            taken: now,
        });
        now
    } else {
        retired
    };
    let Some(expires) = expiry(decl, expires) else {
        return (retired_taken, None, problem);
    };
    let limit = due_at(retired_taken, decl.overlap.unwrap_or_default());
    let expires_taken = if expires > limit {
        problem = problem.or(Some(Problem::Capped {
            field: "expires",
            recorded: expires,
            taken: limit,
        }));
        limit
    } else {
        expires
    };
    (retired_taken, Some(expires_taken), problem)
}

/// [`capped`] for every value of a record, and the first problem.
fn capped_all(
    decl: &SecretDecl,
    record: &Record,
    now: Timestamp,
) -> (Vec<(Timestamp, Option<Timestamp>)>, Option<Problem>) {
    let mut first = None;
    let times = record
        .retired
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (r, e, problem) = capped(decl, *r, record.expires.get(i).copied(), now);
            first = first.take().or(problem);
            (r, e)
        })
        .collect();
    (times, first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;
    use std::path::Path;

    fn t(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    const MANIFEST: &str = "[environments.production]\n[environments.dev]\n\
        [secrets.SECRET_KEY]\nkind = \"hex\"\nrotate_every = \"30d\"\n\
        [secrets.JWT]\noverlap = \"7d\"\n\
        [secrets.AUTH_SECRET]\noverlap = \"7d\"\nprevious = { numbered = \"AUTH_SECRET_{n}\", keep = 2 }\n\
        [secrets.APP_KEY]\nkind = \"hex\"\noverlap = \"7d\"\nprevious = { list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 2 }\n\
        [secrets.STRIPE_KEY]\nexternal = true\n\
        [secrets.DEV_ONLY]\nenvironments = [\"dev\"]\n";

    fn manifest() -> Manifest {
        Manifest::parse(MANIFEST, Path::new("/app/envmint.toml"), Path::new("/app")).unwrap()
    }

    fn eval(text: &str, now: &str) -> Vec<(String, State)> {
        rows(text, now)
            .into_iter()
            .map(|r| (r.key, r.state))
            .collect()
    }

    fn rows(text: &str, now: &str) -> Vec<KeyStatus> {
        let m = manifest();
        let env = m.environment("production").unwrap().clone();
        evaluate(&m, &env, &Document::parse(text), t(now))
    }

    fn s(k: &str, st: State) -> (String, State) {
        (k.to_string(), st)
    }

    const FILE: &str = "# production\n\
        # envmint: generated=2026-01-01T00:00:00Z\nSECRET_KEY=abc\n\
        # envmint: generated=2026-01-01T00:00:00Z\nJWT=new\n\
        # envmint: previous-of=JWT retired=2026-01-01T00:00:00Z expires=2026-01-08T00:00:00Z\nJWT_PREVIOUS=old\n\
        # envmint: generated=2026-01-05T00:00:00Z\nAUTH_SECRET=a\n\
        # envmint: previous-of=AUTH_SECRET retired=2026-01-05T00:00:00Z expires=2026-01-12T00:00:00Z\nAUTH_SECRET_1=b\n\
        # envmint: previous-of=AUTH_SECRET retired=2026-01-01T00:00:00Z expires=2026-01-08T00:00:00Z\nAUTH_SECRET_2=c\n\
        # envmint: generated=2026-01-05T00:00:00Z\nAPP_KEY=ff\n\
        # envmint: previous-of=APP_KEY retired=2026-01-05T00:00:00Z,2026-01-01T00:00:00Z expires=2026-01-12T00:00:00Z,2026-01-08T00:00:00Z\n\
        APP_PREVIOUS_KEYS=ee,dd\n\
        # envmint: set=2026-01-02T00:00:00Z\nSTRIPE_KEY=sk_live\n\
        DEV_ONLY=x\nOTHER=y\n";

    #[test]
    fn every_state_in_declaration_order_then_unmanaged() {
        assert_eq!(
            eval(FILE, "2026-01-07T00:00:00Z"),
            [
                s("SECRET_KEY", State::Ok),
                s("JWT", State::Ok),
                s("JWT_PREVIOUS", State::Previous),
                s("AUTH_SECRET", State::Ok),
                s("AUTH_SECRET_1", State::Previous),
                s("AUTH_SECRET_2", State::Previous),
                s("APP_KEY", State::Ok),
                s("APP_PREVIOUS_KEYS", State::Previous),
                s("STRIPE_KEY", State::Ok),
                s("DEV_ONLY", State::Unmanaged),
                s("OTHER", State::Unmanaged),
            ]
        );
        // A day later the oldest retired values expired. A list holds a value apps accept
        // until its latest expiry: previous until then (its expired item is removed by the
        // next run all the same).
        let later = eval(FILE, "2026-01-08T00:00:00Z");
        assert_eq!(later[2], s("JWT_PREVIOUS", State::Expired));
        assert_eq!(later[4], s("AUTH_SECRET_1", State::Previous));
        assert_eq!(later[5], s("AUTH_SECRET_2", State::Expired));
        assert_eq!(later[7], s("APP_PREVIOUS_KEYS", State::Previous));
        let last = eval(FILE, "2026-01-12T00:00:00Z");
        assert_eq!(last[7], s("APP_PREVIOUS_KEYS", State::Expired));
        // SECRET_KEY rotates every 30 days, the others every 90 (the default).
        let due = eval(FILE, "2026-01-31T00:00:00Z");
        assert_eq!(due[0], s("SECRET_KEY", State::Due));
        assert_eq!(due[1], s("JWT", State::Ok));
        assert_eq!(
            eval(FILE, "2026-04-02T00:00:00Z")[8],
            s("STRIPE_KEY", State::Due)
        );
        assert_eq!(
            eval(FILE, "2026-04-01T23:59:59Z")[8],
            s("STRIPE_KEY", State::Ok)
        );
    }

    #[test]
    fn rows_carry_times_lines_and_what_they_belong_to() {
        let r = rows(FILE, "2026-01-07T00:00:00Z");
        assert_eq!(r[0].line, Some(3));
        assert_eq!(r[0].generated_at, Some(t("2026-01-01")));
        assert_eq!(r[0].due_at, Some(t("2026-01-31")));
        assert_eq!(r[0].expires_at, None);
        assert_eq!(r[2].previous_of.as_deref(), Some("JWT"));
        assert_eq!(r[2].expires_at, Some(t("2026-01-08")));
        assert_eq!(r[2].due_at, None);
        assert_eq!(r[7].generated_at, Some(t("2026-01-05")));
        // The list's latest expiry, not its earliest.
        assert_eq!(r[7].expires_at, Some(t("2026-01-12")));
        assert!(r[8].external && !r[0].external);
        assert!(r.iter().all(|k| k.problem.is_none()));
        assert_eq!(r[10].line, Some(21));
    }

    #[test]
    fn missing_unknown_and_bad_records() {
        let text = "SECRET_KEY=abc\n\
            # envmint: generated=last-tuesday\nJWT=x\n\
            # envmint: set=2026-01-01 stage=pending\nAUTH_SECRET=y\n\
            # envmint: owner=ops\nAPP_KEY=z\n\
            STRIPE_KEY=\n";
        let r = rows(text, "2026-01-07T00:00:00Z");
        let states: Vec<_> = r.iter().map(|k| (k.key.as_str(), k.state)).collect();
        assert_eq!(
            states,
            [
                ("SECRET_KEY", State::Unknown),
                ("JWT", State::Unknown),
                ("AUTH_SECRET", State::Unknown),
                ("APP_KEY", State::Unknown),
                ("STRIPE_KEY", State::Missing),
            ]
        );
        assert_eq!(r[0].problem, None);
        assert!(matches!(
            &r[1].problem,
            Some(Problem::BadRecord(RecordError::BadTimestamp {
                field: "generated",
                ..
            }))
        ));
        // The key's line; its record is the line above.
        assert_eq!(r[1].line, Some(3));
        assert_eq!(r[2].problem, Some(Problem::Pending));
        assert_eq!(r[3].problem, Some(Problem::NoTime));
        assert!(r[4].external);
        assert!(
            r.iter()
                .all(|k| k.generated_at.is_none() && k.due_at.is_none())
        );
        // Absent altogether: missing, without a line.
        let r = rows("", "2026-01-07T00:00:00Z");
        assert!(
            r.iter()
                .all(|k| k.state == State::Missing && k.line.is_none())
        );
        assert_eq!(r.len(), 5);
        let r = rows("SECRET_KEY='half\n", "2026-01-07T00:00:00Z");
        assert_eq!((r[0].state, r[0].line), (State::Unknown, Some(1)));
        assert_eq!(r[0].problem, Some(Problem::Unreadable));
    }

    #[test]
    fn previous_names_without_their_record() {
        // JWT overlaps: a JWT_PREVIOUS without a record is its value of unknown expiry.
        // SECRET_KEY does not: its default name is just another variable. AUTH_SECRET_3 is
        // past keep without a record: not envmint's.
        let text = "JWT_PREVIOUS=a\nSECRET_KEY_PREVIOUS=b\nAUTH_SECRET_3=c\n\
            # envmint: previous-of=AUTH_SECRET retired=2026-01-01 expires=2026-01-02\nAUTH_SECRET_4=d\n\
            # envmint: previous-of=APP_KEY retired=2026-01-01 expires=2026-01-09\nAPP_PREVIOUS_KEYS=a,b\n\
            # envmint: previous-of=JWT retired=bad expires=2026-01-09\nAUTH_SECRET_1=e\n";
        let r = rows(text, "2026-01-07T00:00:00Z");
        let states: Vec<_> = r
            .iter()
            .filter(|k| k.state != State::Missing)
            .map(|k| (k.key.as_str(), k.state, k.problem.clone()))
            .collect();
        assert_eq!(
            states,
            [
                ("JWT_PREVIOUS", State::Unknown, Some(Problem::NoRecord)),
                (
                    "AUTH_SECRET_1",
                    State::Unknown,
                    Some(Problem::BadRecord(RecordError::BadTimestamp {
                        field: "retired",
                        text: "bad".into()
                    }))
                ),
                ("AUTH_SECRET_4", State::Expired, None),
                (
                    "APP_PREVIOUS_KEYS",
                    State::Unknown,
                    Some(Problem::ListMismatch {
                        values: 2,
                        recorded: 1
                    })
                ),
                ("SECRET_KEY_PREVIOUS", State::Unmanaged, None),
                ("AUTH_SECRET_3", State::Unmanaged, None),
            ]
        );
    }

    #[test]
    fn times_that_cannot_hold_count_as_the_ones_that_can() {
        // A forged expiry far past retired + overlap, a retired time in the future, a record
        // under a secret that declares no overlap at all, a value "made" in 2099.
        let text = "# envmint: generated=2099-01-01T00:00:00Z\nSECRET_KEY=a\n\
            # envmint: previous-of=SECRET_KEY retired=2026-01-01T00:00:00Z expires=2099-01-01T00:00:00Z\n\
            SECRET_KEY_PREVIOUS=b\n\
            # envmint: previous-of=JWT retired=2026-01-02T00:00:00Z expires=2099-01-01T00:00:00Z\nJWT_PREVIOUS=c\n\
            # envmint: previous-of=AUTH_SECRET retired=2099-01-01T00:00:00Z expires=2099-01-08T00:00:00Z\n\
            AUTH_SECRET_1=d\n\
            # envmint: previous-of=APP_KEY retired=2026-01-03T00:00:00Z,2026-01-01T00:00:00Z \
            expires=2026-01-10T00:00:00Z,2099-01-01T00:00:00Z\nAPP_PREVIOUS_KEYS=e,f\n";
        let now = "2026-01-07T00:00:00Z";
        let r = rows(text, now);
        let row = |k: &str| r.iter().find(|row| row.key == k).unwrap().clone();
        let key = row("SECRET_KEY");
        assert_eq!(
            key.problem,
            Some(Problem::Future {
                made: t("2099-01-01")
            })
        );
        assert_eq!((key.state, key.generated_at), (State::Ok, Some(t(now))));
        assert_eq!(key.due_at, Some(t("2026-02-06")));
        // No overlap declared: a retired value has no time to stay.
        let none = row("SECRET_KEY_PREVIOUS");
        assert_eq!(
            (none.state, none.expires_at),
            (State::Expired, Some(t("2026-01-01")))
        );
        assert_eq!(
            none.problem,
            Some(Problem::Capped {
                field: "expires",
                recorded: t("2099-01-01"),
                taken: t("2026-01-01")
            })
        );
        let jwt = row("JWT_PREVIOUS");
        assert_eq!(
            (jwt.state, jwt.expires_at),
            (State::Previous, Some(t("2026-01-09")))
        );
        assert!(matches!(
            jwt.problem,
            Some(Problem::Capped {
                field: "expires",
                ..
            })
        ));
        assert_eq!(rows(text, "2026-01-09T00:00:00Z")[3].state, State::Expired);
        let future = row("AUTH_SECRET_1");
        assert_eq!(
            future.problem,
            Some(Problem::Capped {
                field: "retired",
                recorded: t("2099-01-01"),
                taken: t(now)
            })
        );
        assert_eq!(future.expires_at, Some(t("2026-01-14")));
        // In a list, the forged item counts as retired + 7 days: the list's last expiry is
        // its other item's.
        let list = row("APP_PREVIOUS_KEYS");
        assert_eq!(list.expires_at, Some(t("2026-01-10")));
        assert!(matches!(
            list.problem,
            Some(Problem::Capped {
                field: "expires",
                ..
            })
        ));
        assert_eq!(
            list.problem.unwrap().to_string(),
            "the record's expires=2099-01-01T00:00:00Z is later than retired + the declared \
             overlap; counted as 2026-01-08T00:00:00Z"
        );
        // Within the clock's tolerance, nothing is odd.
        let close = "# envmint: generated=2026-01-07T00:04:00Z\nSECRET_KEY=a\n";
        assert_eq!(rows(close, now)[0].problem, None);
    }

    #[test]
    fn a_keyring_never_expires_and_never_falls_due_when_never() {
        let m = Manifest::parse(
            "[environments.production]\n\
             [secrets.ENC]\nrole = \"encryption\"\nrotate_every = \"never\"\n\
             previous = { list = \"ENC_OLD\", keep = 3 }\n\
             [secrets.JWT]\noverlap = \"7d\"\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        let env = m.environment("production").unwrap();
        let text = "# envmint: generated=2020-01-01T00:00:00Z\nENC=a\n\
            # envmint: previous-of=ENC retired=2020-01-01T00:00:00Z,2019-01-01T00:00:00Z\n\
            ENC_OLD=b,c\n\
            # envmint: generated=2026-01-01T00:00:00Z\nJWT=x\n\
            # envmint: previous-of=JWT retired=2026-01-01T00:00:00Z\nJWT_PREVIOUS=y\n";
        let r = evaluate(&m, env, &Document::parse(text), t("2030-01-01"));
        let states: Vec<_> = r.iter().map(|k| (k.key.as_str(), k.state)).collect();
        assert_eq!(
            states,
            [
                ("ENC", State::Ok),
                ("ENC_OLD", State::Previous),
                ("JWT", State::Due),
                // A keyring-form record (no expires) on a signing key: the store remembers a
                // keyring (the role was changed in the manifest): kept, never expired by time,
                // and said so.
                ("JWT_PREVIOUS", State::Previous),
            ]
        );
        assert_eq!(r[0].due_at, None);
        assert_eq!(
            r[0].keyring,
            Some(Keyring {
                keys: 3,
                full: false
            })
        );
        assert_eq!(r[1].expires_at, None);
        assert_eq!(r[1].role, Role::Encryption);
        assert_eq!(r[3].expires_at, None);
        assert_eq!(
            r[3].problem,
            Some(Problem::KeyringOfAnotherRole {
                role: Role::Signing
            })
        );
        assert_eq!(r[2].keyring, None);
        assert!(r[..3].iter().all(|k| k.problem.is_none()));
    }

    #[test]
    fn states_read_as_words_and_count_for_check() {
        assert_eq!(State::Expired.as_str(), "expired");
        assert_eq!(
            serde_json::to_string(&State::Unmanaged).unwrap(),
            "\"unmanaged\""
        );
        let attention: Vec<_> = [
            State::Ok,
            State::Due,
            State::Missing,
            State::Unknown,
            State::Unmanaged,
            State::Previous,
            State::Expired,
        ]
        .into_iter()
        .filter(|s| s.needs_attention())
        .collect();
        assert_eq!(attention, [State::Due, State::Missing, State::Unknown]);
    }

    #[test]
    fn a_retired_value_left_under_a_name_its_secret_no_longer_uses() {
        // JWT's retired values once went to JWT_OLD (the manifest now says JWT_PREVIOUS): its
        // record still says whose it is and until when. One naming an undeclared secret, one
        // without a record and one whose record does not read stay unmanaged.
        let text = "# envmint: previous-of=JWT retired=2026-01-01T00:00:00Z,2025-12-27T00:00:00Z \
            expires=2026-01-08T00:00:00Z,2026-01-03T00:00:00Z\nJWT_OLD=a,b\n\
            # envmint: previous-of=NOPE retired=2026-01-01 expires=2026-01-02\nNOPE_OLD=c\n\
            JWT_OLDER=d\n\
            # envmint: previous-of=JWT retired=bad expires=2026-01-02\nJWT_BAD=e\n";
        let r = rows(text, "2026-01-07T00:00:00Z");
        let states: Vec<_> = r
            .iter()
            .filter(|k| k.state != State::Missing)
            .map(|k| (k.key.as_str(), k.state, k.previous_of.as_deref()))
            .collect();
        assert_eq!(
            states,
            [
                ("JWT_OLD", State::Previous, Some("JWT")),
                ("NOPE_OLD", State::Unmanaged, None),
                ("JWT_OLDER", State::Unmanaged, None),
                ("JWT_BAD", State::Unmanaged, None),
            ]
        );
        // Right after JWT's rows, with the variable's last expiry (it goes as a whole).
        assert_eq!(r[2].key, "JWT_OLD");
        assert_eq!(r[2].expires_at, Some(t("2026-01-08")));
        assert_eq!(r[2].generated_at, Some(t("2026-01-01")));
        assert_eq!(r[2].line, Some(2));
        assert_eq!(r[2].problem, None);
        let later = rows(text, "2026-01-08T00:00:00Z");
        assert_eq!(later[2].state, State::Expired);
        let m = manifest();
        let jwt = m
            .secrets_for("production")
            .find(|d| d.key == "JWT")
            .unwrap();
        assert!(is_left_behind(jwt, &later[2]));
        // A retired value under a name JWT uses is not "left behind".
        let own = rows(FILE, "2026-01-07T00:00:00Z");
        assert!(!is_left_behind(jwt, &own[2]));
    }
}
