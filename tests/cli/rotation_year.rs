//! A simulated year of scheduled rotation: `envmint rotate --due --at DAY --json` once a day
//! for 366 days, over one plain and one sealed environment, checked after every run against a
//! model of what the issue (9) and the record format promise:
//!
//! - each generated key is rotated exactly on the day it falls due (age >= rotate_every, or an
//!   unknown age, or missing), and on no other day; an external key never is;
//! - retired values appear in every overlap form (one `KEY_PREVIOUS`, a custom name, numbered
//!   `LINK_SIGNING_KEY_{n}` keeping 2 (the generic form, `_1` newest), a comma list keeping 2,
//!   newest first) and disappear when their window ends or `keep` pushes them out, each with
//!   its `# envmint: previous-of=...` record; a secret without overlap never leaves one behind;
//! - `--all` (day 100) rotates every generated key at once and `--key K --no-overlap`
//!   (day 200) drops K's old values at once;
//! - roles (issue 14): the encryption key's retired keys are never dropped by time (its
//!   keyring only grows, up to `keep`; a full keyring stops its rotation, reported as
//!   `keyring-full`), and the credential never changes without `--key` (`credential-kept`
//!   on every run that would have rotated it; a missing one is added);
//! - no value ever repeats, within or across environments;
//! - a run that changes nothing writes nothing (the sealed file keeps its exact bytes);
//! - unmanaged lines and comments are byte-identical at the end, the files stay 0600, no
//!   temporary or plaintext file is ever left beside them.
//!
//! The model is written from the issue's words, not from the implementation: it is the
//! oracle. One rotate run per day covers both environments; the sealed one is read back with
//! `envmint unseal ENV --stdout` on the days it changed. `status --json` is checked against the
//! same model every few days.
//!
//! Then rotation cases the year does not reach: overlapping scheduled runs, environments that
//! share one file, a retired value under a previous name the manifest no longer uses, a record
//! that does not read.

use crate::common;

use common::{Output, Test};
use snapbox::str;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Instant;

const DAY: i64 = 86_400;
/// Day 0 of the simulation, at the hour the scheduled job runs every day.
const START: &str = "2030-01-07T06:00:00Z";
const DAYS: i64 = 366;
/// The day the whole set is rotated with `--all` instead of `--due`.
const ALL_DAY: i64 = 100;
/// The day LINK_SIGNING_KEY is rotated again with `--key LINK_SIGNING_KEY --no-overlap` after `--due`.
const NO_OVERLAP_DAY: i64 = 200;
/// The day a run whose clock is a day behind comes after the day's run (which rotated
/// JWT_SECRET_KEY): refused, it changes nothing, and the next day's run does what the model
/// says.
const CLOCK_BEHIND_DAY: i64 = 149;
/// `status --json` is checked every this many days (and on each of the first 12).
const STATUS_EVERY: i64 = 3;

const PLAIN: &str = ".env.plain.local";
const SEALED: &str = ".env.sealed.age";

/// Where retired values go.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// No overlap: a retired value is dropped at once.
    Nothing,
    /// One variable.
    One(&'static str),
    /// `PREFIX{n}`, 1 the newest, keeping `keep`.
    Numbered(&'static str, usize),
    /// One variable holding up to `keep` values, newest first, joined by a separator.
    List(&'static str, &'static str, usize),
}

/// A secret's `role`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Signing,
    Encryption,
    Credential,
}

/// One declared secret, as the manifest below says it.
struct Decl {
    key: &'static str,
    period_days: i64,
    /// The overlap window in seconds (0: none).
    overlap: i64,
    form: Form,
    external: bool,
    role: Role,
    /// Its `[secrets.KEY]` table.
    toml: &'static str,
}

const DECLS: [Decl; 7] = [
    Decl {
        key: "JWT_SECRET_KEY",
        period_days: 7,
        overlap: 3 * DAY,
        form: Form::One("JWT_SECRET_KEY_PREVIOUS"),
        external: false,
        role: Role::Signing,
        toml: "[secrets.JWT_SECRET_KEY]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"7d\"\n\
               overlap = \"3d\"\n",
    },
    Decl {
        key: "SESSION_SECRET",
        period_days: 30,
        overlap: 10 * DAY + DAY / 2,
        form: Form::One("SESSION_SECRET_OLD"),
        external: false,
        role: Role::Signing,
        toml: "[secrets.SESSION_SECRET]\nkind = \"base64\"\nbytes = 32\nrotate_every = \"30d\"\n\
               overlap = \"10d 12h\"\nprevious = \"SESSION_SECRET_OLD\"\n",
    },
    Decl {
        key: "LINK_SIGNING_KEY",
        period_days: 7,
        // Between one and two periods: two old values at times, the oldest leaves by expiry,
        // except on day 100 (`--all`), where `keep` pushes one out.
        overlap: 10 * DAY,
        form: Form::Numbered("LINK_SIGNING_KEY_", 2),
        external: false,
        role: Role::Signing,
        toml: "[secrets.LINK_SIGNING_KEY]\nkind = \"base64url\"\nbytes = 32\nrotate_every = \"7d\"\n\
               overlap = \"10d\"\nprevious = { numbered = \"LINK_SIGNING_KEY_{n}\", keep = 2 }\n",
    },
    Decl {
        key: "APP_KEY",
        period_days: 30,
        // Shorter than two periods: the oldest leaves by expiry (except around day 100).
        overlap: 45 * DAY,
        form: Form::List("APP_PREVIOUS_KEYS", ",", 2),
        external: false,
        role: Role::Signing,
        toml: "[secrets.APP_KEY]\nkind = \"alnum\"\nlength = 40\nrotate_every = \"30d\"\n\
               overlap = \"45d\"\n\
               previous = { list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 2 }\n",
    },
    Decl {
        key: "DB_PASSWORD",
        period_days: 90,
        overlap: 0,
        form: Form::Nothing,
        external: false,
        // Never changed without --key: by hand without a record in the plain file (unknown
        // age, so "due" every day), missing in the sealed one (added on day 0).
        role: Role::Credential,
        toml: "[secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrole = \"credential\"\n",
    },
    Decl {
        key: "ENCRYPTION_KEY",
        period_days: 60,
        overlap: 0,
        // Rotated on days 0 (missing), 60, 100 (--all), 160 and 220; full from then on (4
        // retired keys), so the runs of days 280 and 340 report it instead of dropping one.
        form: Form::List("ENCRYPTION_KEY_PREVIOUS", ",", 4),
        external: false,
        role: Role::Encryption,
        toml: "[secrets.ENCRYPTION_KEY]\nkind = \"base64\"\nbytes = 32\nrotate_every = \"60d\"\n\
               role = \"encryption\"\n\
               previous = { list = \"ENCRYPTION_KEY_PREVIOUS\", separator = \",\", keep = 4 }\n",
    },
    Decl {
        key: "STRIPE_API_KEY",
        period_days: 30,
        overlap: 0,
        form: Form::Nothing,
        external: true,
        role: Role::Signing,
        toml: "[secrets.STRIPE_API_KEY]\nexternal = true\nrotate_every = \"30d\"\n",
    },
];

/// The plain environment's file on day 0: unmanaged lines of every shape, look-alike names,
/// a commented-out previous, JWT_SECRET_KEY and DB_PASSWORD written by hand without a record
/// (unknown age: due at once), SESSION_SECRET with a record 20 days old (due on day 10),
/// STRIPE_API_KEY set 5 days before (due on day 25, never rotated), LINK_SIGNING_KEY and APP_KEY
/// missing (generated on day 0).
fn plain_initial() -> String {
    let session_at = stamp(start() - 20 * DAY);
    let stripe_at = stamp(start() - 5 * DAY);
    format!(
        "# Shop settings, edited by hand\n\
         APP_NAME=shop\n\
         export DEBUG=false\n\
         \n\
         # JWT_SECRET_KEY_PREVIOUS=an-old-commented-out-value\n\
         JWT_SECRET_KEY=3f9c0a7be21d4c58a6f0e9b7d3c2a1f05e4d3c2b1a09f8e7d6c5b4a392817065\n\
         GREETING=\"hello # not a comment\"\n\
         MULTI=\"line one\n\
         line two\"\n\
         # envmint: generated={session_at}\n\
         SESSION_SECRET=c2Vzc2lvbi1zZWNyZXQtd3JpdHRlbi1ieS1oYW5kIQ==\n\
         DATABASE_URL=postgres://app@db:5432/app\n\
         export DB_PASSWORD=HandWrittenPassword0123456789abcd\n\
         \t# an indented comment\n\
         # envmint: set={stripe_at}\n\
         STRIPE_API_KEY=sk_test_51HandWrittenExternalKey\n\
         LINK_SIGNING_KEY_OLDSTYLE=keep-me\n\
         APP_KEY_HINT='not the key'\n\
         # the end\n"
    )
}

/// The sealed environment's file on day 0: no STRIPE_API_KEY at all (external and missing:
/// reported, never invented), APP_KEY by hand without a record, the rest missing.
fn sealed_initial() -> String {
    "# production, sealed\n\
     PORT=8080\n\
     APP_KEY=HandWrittenAppKey0123456789abcdefghijklmn\n\
     export LOG_LEVEL=info\n\
     # trailing comment\n"
        .to_string()
}

// --- time ------------------------------------------------------------------------------------

fn start() -> i64 {
    START
        .parse::<jiff::Timestamp>()
        .expect("START parses")
        .as_second()
}

/// The record form of an instant: RFC 3339, UTC, whole seconds.
fn stamp(second: i64) -> String {
    jiff::Timestamp::from_second(second)
        .expect("in range")
        .to_string()
}

// --- the model -------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Prev {
    value: String,
    retired: i64,
    expires: i64,
}

#[derive(Clone, Debug, Default)]
struct KeyModel {
    current: Option<String>,
    /// When the current value was generated; `None` with a value: unknown age.
    generated: Option<i64>,
    /// Newest first.
    previous: Vec<Prev>,
}

/// What one run does.
#[derive(Clone, Copy, Debug)]
enum Run {
    Due,
    All,
    /// `--key KEY --no-overlap`.
    KeyNoOverlap(&'static str),
}

impl Run {
    fn args(self, now: i64) -> Vec<String> {
        let mut args = vec!["rotate".to_string()];
        match self {
            Run::Due => args.push("--due".into()),
            Run::All => args.push("--all".into()),
            Run::KeyNoOverlap(key) => {
                args.extend(["--key".into(), key.into(), "--no-overlap".into()]);
            }
        }
        args.extend(["--at".into(), stamp(now), "--json".into()]);
        args
    }
}

struct EnvModel {
    name: &'static str,
    keys: HashMap<&'static str, KeyModel>,
    /// The external key's line and record, which must never change (None: never present).
    external: Option<(String, String)>,
    /// Keys of the initial file that the manifest does not manage.
    unmanaged: BTreeSet<String>,
    initial: String,
    /// How often each key was rotated, an old value was pushed out by `keep`, expired.
    rotations: HashMap<&'static str, usize>,
    trimmed: HashMap<&'static str, usize>,
    expired: HashMap<&'static str, usize>,
    /// Per key, the runs that left it as it was because of its role: a credential kept, a
    /// full keyring (by the last run).
    held: Vec<(&'static str, &'static str)>,
}

impl EnvModel {
    fn new(name: &'static str, initial: String) -> EnvModel {
        let parsed = parse(&initial);
        let mut keys = HashMap::new();
        let mut external = None;
        for d in &DECLS {
            let found = parsed.get(d.key);
            if d.external {
                external = found.map(|e| (e.value.clone(), e.record.clone().unwrap_or_default()));
                continue;
            }
            let generated = found
                .and_then(|e| e.record.as_deref())
                .and_then(|r| fields(r).get("generated").cloned())
                .map(|t| t.parse::<jiff::Timestamp>().unwrap().as_second());
            keys.insert(
                d.key,
                KeyModel {
                    current: found.map(|e| e.value.clone()),
                    generated,
                    previous: Vec::new(),
                },
            );
        }
        let managed = managed_names();
        let unmanaged = parsed
            .keys()
            .filter(|k| !managed.contains(k.as_str()))
            .cloned()
            .collect();
        EnvModel {
            name,
            keys,
            external,
            unmanaged,
            initial,
            rotations: HashMap::new(),
            trimmed: HashMap::new(),
            expired: HashMap::new(),
            held: Vec::new(),
        }
    }

    /// Applies one run at `now`; returns the keys that get a new value and whether the file's
    /// content changes at all.
    fn step(&mut self, run: Run, now: i64) -> (Vec<&'static str>, bool) {
        let mut rotated = Vec::new();
        let mut changed = false;
        self.held.clear();
        for d in DECLS.iter().filter(|d| !d.external) {
            let km = self.keys.get_mut(d.key).unwrap();
            let due = match km.generated {
                _ if km.current.is_none() => true,
                None => true,
                Some(at) => now - at >= d.period_days * DAY,
            };
            let (mut selected, no_overlap) = match run {
                Run::Due => (due, false),
                Run::All => (true, false),
                Run::KeyNoOverlap(key) => (key == d.key, true),
            };
            let explicit = matches!(run, Run::KeyNoOverlap(_));
            // A credential in use is never changed without --key; a full keyring is not
            // rotated (a key would be dropped).
            if selected && km.current.is_some() {
                if d.role == Role::Credential && !explicit {
                    selected = false;
                    self.held.push((d.key, "credential-kept"));
                } else if d.role == Role::Encryption && km.previous.len() >= keep(d.form) {
                    selected = false;
                    self.held.push((d.key, "keyring-full"));
                }
            }
            if selected {
                rotated.push(d.key);
                changed = true;
                *self.rotations.entry(d.key).or_default() += 1;
                let old = km.current.take();
                let encryption = d.role == Role::Encryption;
                if no_overlap && !encryption {
                    km.previous.clear();
                } else if let (Some(value), true) = (old, d.overlap > 0 || encryption) {
                    km.previous.insert(
                        0,
                        Prev {
                            value,
                            retired: now,
                            // A keyring's key never expires.
                            expires: if encryption {
                                i64::MAX
                            } else {
                                now + d.overlap
                            },
                        },
                    );
                    if km.previous.len() > keep(d.form) {
                        km.previous.truncate(keep(d.form));
                        *self.trimmed.entry(d.key).or_default() += 1;
                    }
                }
                km.generated = Some(now);
            }
            let before = km.previous.len();
            km.previous.retain(|p| p.expires > now);
            if km.previous.len() != before {
                changed = true;
                *self.expired.entry(d.key).or_default() += before - km.previous.len();
            }
        }
        (rotated, changed)
    }
}

fn keep(form: Form) -> usize {
    match form {
        Form::Nothing => 0,
        Form::One(_) => 1,
        Form::Numbered(_, keep) | Form::List(_, _, keep) => keep,
    }
}

/// Every variable name the manifest manages: the keys and the names their old values use
/// (numbered ones one past `keep`, which must never appear).
fn managed_names() -> HashSet<String> {
    let mut names = HashSet::new();
    for d in &DECLS {
        names.insert(d.key.to_string());
        match d.form {
            Form::Nothing => {}
            Form::One(name) | Form::List(name, _, _) => {
                names.insert(name.to_string());
            }
            Form::Numbered(prefix, keep) => {
                for n in 1..=keep + 1 {
                    names.insert(format!("{prefix}{n}"));
                }
            }
        }
    }
    names
}

// --- reading a dotenv file -------------------------------------------------------------------

struct Entry {
    value: String,
    /// The `# envmint:` line directly above, without that prefix.
    record: Option<String>,
}

/// The simple `KEY=value` lines of `text` (optionally `export `, value bare or in single or
/// double quotes on one line), with the record line above each; a key defined twice panics.
/// Continuation lines of a multi-line value are not `NAME=` lines and are skipped.
fn parse(text: &str) -> HashMap<String, Entry> {
    let mut out = HashMap::new();
    let mut above: Option<&str> = None;
    for line in text.split('\n') {
        let body = line.strip_prefix("export ").unwrap_or(line);
        let name_len = body
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && body[name_len..].starts_with('=') {
            let name = &body[..name_len];
            let raw = &body[name_len + 1..];
            let value = ['\'', '"']
                .iter()
                .find_map(|q| raw.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
                .unwrap_or(raw);
            let record = above
                .and_then(|l| l.strip_prefix("# envmint:"))
                .map(|r| r.trim().to_string());
            let old = out.insert(
                name.to_string(),
                Entry {
                    value: value.to_string(),
                    record,
                },
            );
            assert!(old.is_none(), "{name} is defined twice in:\n{text}");
        }
        above = Some(line);
    }
    out
}

/// The `name=value` fields of a record.
fn fields(record: &str) -> HashMap<String, String> {
    record
        .split_whitespace()
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The lines that are neither a managed `NAME=` line nor an `# envmint:` record.
fn unmanaged_lines(text: &str) -> Vec<&str> {
    let managed = managed_names();
    text.split('\n')
        .filter(|line| {
            let body = line.strip_prefix("export ").unwrap_or(line);
            let is_managed = body
                .split_once('=')
                .is_some_and(|(name, _)| managed.contains(name));
            !is_managed && !line.starts_with("# envmint:")
        })
        .collect()
}

// --- checking a day --------------------------------------------------------------------------

/// Everything the model expects of `text` on `day`; `rotated` keys must hold a value never
/// seen before (recorded in `seen`), the others exactly the model's value.
fn check_env(
    env: &mut EnvModel,
    text: &str,
    day: i64,
    rotated: &[&'static str],
    seen: &mut HashMap<String, String>,
) -> Result<(), String> {
    let at = |what: String| {
        format!(
            "day {day} ({}), {}: {what}",
            stamp(start() + day * DAY),
            env.name
        )
    };
    let parsed = parse(text);
    let mut expected_names: BTreeSet<String> = env.unmanaged.clone();
    for d in &DECLS {
        if d.external {
            let found = parsed.get(d.key);
            match (&env.external, found) {
                (None, None) => {}
                (Some((value, record)), Some(e))
                    if &e.value == value && e.record.as_deref() == Some(record.as_str()) => {}
                (want, got) => {
                    return Err(at(format!(
                        "external {} changed: want {want:?}, got {:?}",
                        d.key,
                        got.map(|e| (&e.value, &e.record))
                    )));
                }
            }
            if found.is_some() {
                expected_names.insert(d.key.into());
            }
            continue;
        }
        let km = env.keys.get_mut(d.key).unwrap();
        let Some(e) = parsed.get(d.key) else {
            return Err(at(format!("{} is missing", d.key)));
        };
        expected_names.insert(d.key.into());
        if rotated.contains(&d.key) {
            if km.current.as_deref() == Some(e.value.as_str()) {
                return Err(at(format!("{} was due but kept its value", d.key)));
            }
            if e.value.len() < 32 {
                return Err(at(format!("{} got a short value {:?}", d.key, e.value)));
            }
            let whose = format!("{} {} on day {day}", env.name, d.key);
            if let Some(first) = seen.insert(e.value.clone(), whose) {
                return Err(at(format!(
                    "{}'s new value repeats the value of {first}",
                    d.key
                )));
            }
            km.current = Some(e.value.clone());
        } else if km.current.as_deref() != Some(e.value.as_str()) {
            return Err(at(format!("{} changed although it was not due", d.key)));
        }
        let want = km.generated.map(stamp);
        let got = e.record.as_deref().map(fields).unwrap_or_default();
        if got.get("generated") != want.as_ref() {
            return Err(at(format!(
                "{}'s record should say generated={want:?}, it is {:?}",
                d.key, e.record
            )));
        }
        // Where the old values are, under which names, with which records.
        let prev = &km.previous;
        let check_record = |name: &str, e: &Entry, items: &[Prev]| -> Result<(), String> {
            let join = |f: &dyn Fn(&Prev) -> i64| {
                items
                    .iter()
                    .map(|p| stamp(f(p)))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let got = e.record.as_deref().map(fields).unwrap_or_default();
            // A keyring's record has no expiry at all.
            if d.role == Role::Encryption && got.contains_key("expires") {
                return Err(at(format!("{name}'s record has an expiry: {:?}", e.record)));
            }
            let mut want = vec![
                ("previous-of", d.key.to_string()),
                ("retired", join(&|p| p.retired)),
            ];
            if d.role != Role::Encryption {
                want.push(("expires", join(&|p| p.expires)));
            }
            for (field, value) in want {
                if got.get(field) != Some(&value) {
                    return Err(at(format!(
                        "{name}'s record should have {field}={value}, it is {:?}",
                        e.record
                    )));
                }
            }
            Ok(())
        };
        let expect_absent = |name: &str| -> Result<(), String> {
            match parsed.get(name) {
                None => Ok(()),
                Some(_) => Err(at(format!(
                    "{name} should not be there (old values of {}: {})",
                    d.key,
                    prev.len()
                ))),
            }
        };
        match d.form {
            Form::Nothing => {}
            Form::One(name) => match (prev.first(), parsed.get(name)) {
                (None, _) => expect_absent(name)?,
                (Some(p), Some(e)) if e.value == p.value => {
                    expected_names.insert(name.into());
                    check_record(name, e, std::slice::from_ref(p))?;
                }
                (Some(_), got) => {
                    return Err(at(format!(
                        "{name} should hold {}'s value retired on {}, it is {:?}",
                        d.key,
                        stamp(prev[0].retired),
                        got.map(|e| &e.value)
                    )));
                }
            },
            Form::Numbered(prefix, keep) => {
                for n in 1..=keep + 1 {
                    let name = format!("{prefix}{n}");
                    match (prev.get(n - 1), parsed.get(&name)) {
                        (None, _) => expect_absent(&name)?,
                        (Some(p), Some(e)) if e.value == p.value => {
                            expected_names.insert(name.clone());
                            check_record(&name, e, std::slice::from_ref(p))?;
                        }
                        (Some(p), got) => {
                            return Err(at(format!(
                                "{name} should hold {}'s value retired on {}, it is {:?}",
                                d.key,
                                stamp(p.retired),
                                got.map(|e| &e.value)
                            )));
                        }
                    }
                }
            }
            Form::List(name, separator, _) => {
                if prev.is_empty() {
                    expect_absent(name)?;
                } else {
                    let want: Vec<&str> = prev.iter().map(|p| p.value.as_str()).collect();
                    let want = want.join(separator);
                    match parsed.get(name) {
                        Some(e) if e.value == want => {
                            expected_names.insert(name.into());
                            check_record(name, e, prev)?;
                        }
                        got => {
                            return Err(at(format!(
                                "{name} should be {} value(s) newest first, it is {:?}",
                                prev.len(),
                                got.map(|e| &e.value)
                            )));
                        }
                    }
                }
            }
        }
    }
    let names: BTreeSet<String> = parsed.keys().cloned().collect();
    if names != expected_names {
        return Err(at(format!(
            "keys differ from the model: extra {:?}, lacking {:?}",
            names.difference(&expected_names).collect::<Vec<_>>(),
            expected_names.difference(&names).collect::<Vec<_>>()
        )));
    }
    Ok(())
}

/// Checks what `--json` says of `env` against the model: `written` when anything changed, the
/// keys `rotated` exactly the model's, and on a `--due` run the external key reported
/// (`external-due`, with the `envmint set` command) exactly when it is due or missing.
fn check_json(
    json: &serde_json::Value,
    env: &EnvModel,
    run: Run,
    now: i64,
    rotated: &[&str],
    changed: bool,
) -> Result<(), String> {
    let report = json["environments"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["environment"] == env.name))
        .ok_or_else(|| format!("--json has no entry for {}: {json}", env.name))?;
    if report["written"] != changed {
        return Err(format!(
            "--json says written={}, the model {changed}",
            report["written"]
        ));
    }
    let changes = report["changes"].as_array().cloned().unwrap_or_default();
    let with = |action: &str| -> Vec<&serde_json::Value> {
        changes.iter().filter(|c| c["action"] == action).collect()
    };
    let mut got: Vec<&str> = with("rotated")
        .iter()
        .filter_map(|c| c["key"].as_str())
        .collect();
    let mut want = rotated.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    if got != want {
        return Err(format!("--json rotated {got:?}, the model {want:?}"));
    }
    // What the roles held back, and nothing else.
    let mut got: Vec<(String, String)> = changes
        .iter()
        .filter(|c| c["action"] == "credential-kept" || c["action"] == "keyring-full")
        .map(|c| (c["key"].to_string(), c["action"].to_string()))
        .collect();
    let mut want: Vec<(String, String)> = env
        .held
        .iter()
        .map(|(k, a)| (format!("{k:?}"), format!("{a:?}")))
        .collect();
    got.sort();
    want.sort();
    if got != want {
        return Err(format!("--json held back {got:?}, the model {want:?}"));
    }
    if let Run::Due = run {
        let decl = DECLS.iter().find(|d| d.external).expect("an external key");
        let due = env.external.as_ref().is_none_or(|(_, record)| {
            let at = fields(record)["set"].parse::<jiff::Timestamp>().unwrap();
            now - at.as_second() >= decl.period_days * DAY
        });
        let reported = with("external-due");
        let command = format!("envmint set {} {}", env.name, decl.key);
        match (due, reported.as_slice()) {
            (false, []) => {}
            (true, [c]) if c["key"] == decl.key && c["run"] == command.as_str() => {}
            _ => {
                return Err(format!(
                    "{} is {}due, --json reports {reported:?}",
                    decl.key,
                    if due { "" } else { "not " }
                ));
            }
        }
    }
    Ok(())
}

/// Checks `status --json` at `now` (before the day's run) against the model: each key's state
/// (`missing`, `unknown`, `due` or `ok`), when it was generated and when it falls due; the
/// external key's state from its `set=` record; old values shown as `previous` or `expired`.
fn check_status(json: &serde_json::Value, env: &EnvModel, now: i64) -> Result<(), String> {
    let rows: Vec<&serde_json::Value> = json
        .as_array()
        .ok_or("not an array")?
        .iter()
        .filter(|r| r["env"] == env.name)
        .collect();
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key && r["previous_of"].is_null())
            .copied()
    };
    for d in &DECLS {
        let r = row(d.key).ok_or_else(|| format!("no row for {}", d.key))?;
        let period = d.period_days * DAY;
        let (state, generated) = if d.external {
            match &env.external {
                None => ("missing", None),
                Some((_, record)) => {
                    let at = fields(record)["set"].parse::<jiff::Timestamp>().unwrap();
                    let at = at.as_second();
                    (if now - at >= period { "due" } else { "ok" }, Some(at))
                }
            }
        } else {
            let km = &env.keys[d.key];
            match (&km.current, km.generated) {
                (None, _) => ("missing", None),
                (Some(_), None) => ("unknown", None),
                (Some(_), Some(at)) => (if now - at >= period { "due" } else { "ok" }, Some(at)),
            }
        };
        if r["state"] != state {
            return Err(format!(
                "{} is {}, the model says {state}: {r}",
                d.key, r["state"]
            ));
        }
        if let Some(at) = generated
            && (r["generated_at"] != stamp(at).as_str()
                || r["due_at"] != stamp(at + period).as_str())
        {
            return Err(format!(
                "{}: generated/due times differ from {}: {r}",
                d.key,
                stamp(at)
            ));
        }
        if d.external {
            continue;
        }
        // Old values: still in their window `previous`, past it (to be removed by this very
        // run) `expired`. A list is one row: its latest expiry (it holds a value apps accept
        // until then), expired once that passed.
        let previous = &env.keys[d.key].previous;
        if d.role == Role::Encryption {
            // The keyring: one list row, never expiring, for as long as it holds keys.
            let shown = rows.iter().any(|r| {
                r["previous_of"] == d.key && r["state"] == "previous" && r["expires_at"].is_null()
            });
            if shown == previous.is_empty() {
                return Err(format!(
                    "{}'s keyring of {} retired key(s) shown: {shown}",
                    d.key,
                    previous.len()
                ));
            }
            let current = usize::from(env.keys[d.key].current.is_some());
            if r["keyring"] != serde_json::json!(previous.len() + current) {
                return Err(format!("{}: keyring size differs: {r}", d.key));
            }
            continue;
        }
        let earliest: Vec<Prev>;
        let items = match d.form {
            Form::List(..) if !previous.is_empty() => {
                earliest = previous
                    .iter()
                    .max_by_key(|p| p.expires)
                    .cloned()
                    .into_iter()
                    .collect();
                &earliest
            }
            _ => previous,
        };
        for p in items {
            let want = if p.expires > now {
                "previous"
            } else {
                "expired"
            };
            let found = rows.iter().any(|r| {
                r["previous_of"] == d.key
                    && r["state"] == want
                    && r["expires_at"] == stamp(p.expires).as_str()
            });
            if !found {
                return Err(format!(
                    "no {want} row for the value of {} retired {} (expires {})",
                    d.key,
                    stamp(p.retired),
                    stamp(p.expires)
                ));
            }
        }
    }
    Ok(())
}

/// Checks the folder: exactly the expected files, both 0600.
fn check_folder(out: &Output, day: i64) {
    assert_eq!(
        out.files(),
        [PLAIN, SEALED, "envmint.toml", "id.txt"],
        "day {day}: a temporary or plaintext file was left beside the stores"
    );
    for file in [PLAIN, SEALED] {
        assert_eq!(out.mode(file), 0o600, "day {day}: {file} mode");
    }
}

fn manifest(recipient: &str) -> String {
    let mut text = format!(
        "[defaults]\nrotate_every = \"90d\"\n\n\
         [environments.plain]\nfile = \"{PLAIN}\"\n\n\
         [environments.sealed]\nsealed = \"{SEALED}\"\nrecipients = [\"{recipient}\"]\n\n"
    );
    for d in &DECLS {
        text.push_str(d.toml);
        text.push('\n');
    }
    text
}

/// The folder on day 0: identity, manifest, the plain file and the sealed one.
fn project() -> Test {
    let (test, recipient) = common::with_identity();
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write("envmint.toml", manifest(&recipient))
        .write(PLAIN, plain_initial())
        .chmod(PLAIN, 0o600)
        .write(".env.sealed.local", sealed_initial())
        .args(["seal", "sealed", "--remove-plaintext"])
        .status(0);
    out.then()
}

#[test]
fn a_year_of_daily_rotate_due_runs_over_plain_and_sealed_environments() {
    let t0 = Instant::now();
    let mut test = project();
    let mut plain = EnvModel::new("plain", plain_initial());
    let mut sealed = EnvModel::new("sealed", sealed_initial());
    // Every value ever written, with where it first appeared; the hand-written ones too.
    let mut seen: HashMap<String, String> = HashMap::new();
    for env in [&plain, &sealed] {
        for (key, e) in parse(&env.initial) {
            seen.insert(e.value, format!("{} {key} on day 0 (by hand)", env.name));
        }
    }
    let mut spawns = 0;
    let mut last_sealed: Vec<u8> = Vec::new();
    for day in 0..DAYS {
        let now = start() + day * DAY;
        let mut runs = vec![if day == ALL_DAY { Run::All } else { Run::Due }];
        if day == NO_OVERLAP_DAY {
            runs.push(Run::KeyNoOverlap("LINK_SIGNING_KEY"));
        }
        // Every few days, and on the days around the first rotations, `status` says what the
        // run is about to find.
        if day % STATUS_EVERY == 0 || day < 12 {
            let out = test
                .args(["status", "--at", &stamp(now), "--json"])
                .status(0);
            spawns += 1;
            let json = out.json();
            for env in [&plain, &sealed] {
                if let Err(e) = check_status(&json, env, now) {
                    panic!("day {day}, {}: status: {e}\n{}", env.name, out.describe());
                }
            }
            test = out.then();
        }
        for run in runs {
            let out = test.args(run.args(now)).status(0);
            spawns += 1;
            let json = out.json();
            let (plain_rotated, plain_changed) = plain.step(run, now);
            let (sealed_rotated, sealed_changed) = sealed.step(run, now);
            for (env, rotated, changed) in [
                (&plain, &plain_rotated, plain_changed),
                (&sealed, &sealed_rotated, sealed_changed),
            ] {
                if let Err(e) = check_json(&json, env, run, now, rotated, changed) {
                    panic!("day {day}, {}: {e}\n{}", env.name, out.describe());
                }
            }

            check_folder(&out, day);
            let text = out.read(PLAIN);
            if let Err(e) = check_env(&mut plain, &text, day, &plain_rotated, &mut seen) {
                panic!("{e}\n--- {PLAIN} ---\n{text}\n{}", out.describe());
            }
            // Nothing to do: nothing written (for the sealed file, whose every write differs,
            // its bytes show it).
            let sealed_bytes = out.bytes(SEALED);
            if day > 0 && !sealed_changed {
                assert!(
                    sealed_bytes == last_sealed,
                    "day {day}: {SEALED} was rewritten although nothing changed\n{}",
                    out.describe()
                );
            }
            last_sealed = sealed_bytes;

            if day > 0 && !sealed_changed {
                // The same bytes as yesterday, checked then: no need to decrypt them again.
                test = out.then();
                continue;
            }
            let rotate_run = out.describe();
            let read = out.then().args(["unseal", "sealed", "--stdout"]).status(0);
            spawns += 1;
            let text = read.stdout().to_string();
            if let Err(e) = check_env(&mut sealed, &text, day, &sealed_rotated, &mut seen) {
                panic!("{e}\n--- {SEALED} (unsealed) ---\n{text}\n{rotate_run}");
            }
            test = read.then();
        }
        if day == CLOCK_BEHIND_DAY {
            let before = (
                std::fs::read_to_string(test.path(PLAIN)).unwrap(),
                std::fs::read(test.path(SEALED)).unwrap(),
            );
            let out = test
                .args(["rotate", "--due", "--at", &stamp(now - DAY)])
                .status(65);
            spawns += 1;
            // The refusal's words are those of
            // a_run_whose_clock_is_behind_the_records_is_refused_and_the_next_one_keeps_every_value.
            assert_eq!(
                (out.read(PLAIN), out.bytes(SEALED)),
                before,
                "day {day}: a run with a clock a day behind changed a store\n{}",
                out.describe()
            );
            test = out.then();
        }
    }

    // The year exercised what it claims (a check of the model and the schedule above): old
    // values of every form expired, `keep` pushed some out in both list forms.
    let mut summary = String::new();
    for env in [&plain, &sealed] {
        for d in DECLS.iter().filter(|d| !d.external) {
            let count = |m: &HashMap<&str, usize>| m.get(d.key).copied().unwrap_or(0);
            let _ = write!(
                summary,
                "\n  {} {}: {} rotations, {} expired, {} pushed out by keep",
                env.name,
                d.key,
                count(&env.rotations),
                count(&env.expired),
                count(&env.trimmed)
            );
        }
    }
    for key in [
        "JWT_SECRET_KEY",
        "SESSION_SECRET",
        "LINK_SIGNING_KEY",
        "APP_KEY",
    ] {
        assert!(
            plain.expired.contains_key(key),
            "{key} never expired:{summary}"
        );
    }
    for key in ["LINK_SIGNING_KEY", "APP_KEY", "JWT_SECRET_KEY"] {
        assert!(
            plain.trimmed.contains_key(key),
            "{key} never trimmed:{summary}"
        );
    }
    // The roles: the encryption key filled its keyring and nothing of it expired or was
    // pushed out; the credential was written once (the sealed file had none) and never
    // rotated after.
    for env in [&plain, &sealed] {
        let enc = "ENCRYPTION_KEY";
        assert_eq!(env.keys[enc].previous.len(), 4, "{}:{summary}", env.name);
        assert!(!env.expired.contains_key(enc) && !env.trimmed.contains_key(enc));
    }
    assert_eq!(plain.rotations.get("DB_PASSWORD"), None, "{summary}");
    assert_eq!(sealed.rotations.get("DB_PASSWORD"), Some(&1), "{summary}");

    // Unmanaged lines and comments are byte for byte what they were.
    let out = test.args(["unseal", "sealed", "--stdout"]).status(0);
    for (env, text) in [
        (&plain, out.read(PLAIN)),
        (&sealed, out.stdout().to_string()),
    ] {
        assert_eq!(
            unmanaged_lines(&text),
            unmanaged_lines(&env.initial),
            "{}: unmanaged lines or comments changed over the year\n{text}",
            env.name
        );
    }
    let elapsed = t0.elapsed();
    // Visible with --nocapture: the cost of a year.
    println!(
        "a year: {spawns} envmint runs in {:.1} s ({:.1} ms each); {summary}",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / f64::from(spawns)
    );
}

#[test]
fn overlapping_scheduled_runs_rotate_each_key_once() {
    // Four `rotate --due` runs at once (a cron job that overlaps itself, or two machines):
    // between them, each due key is rotated exactly once, and the retired value kept is the
    // original one, not a value another of the runs had just written.
    let t0 = "2030-01-01T00:00:00Z";
    let file = |env: &str| {
        let mut text = format!("# {env}\n");
        for key in ["A", "B"] {
            text.push_str(&format!(
                "# envmint: generated={t0}\n{key}=old-{key}-{env}-0123456789abcdef0123456789abcdef\n"
            ));
        }
        // Bulk, so that the runs overlap.
        for i in 0..20_000 {
            text.push_str(&format!("OTHER_{i}=x{i}\n"));
        }
        text
    };
    // A timeout far above any wait (see concurrent_runs_on_one_file_lose_no_update).
    let test = Test::new()
        .env("ENVMINT_LOCK_TIMEOUT", "600")
        .write(
            "envmint.toml",
            "[environments.one]\nfile = \".env.one\"\n[environments.two]\nfile = \".env.two\"\n\
             [secrets.A]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\noverlap = \"7d\"\n\
             [secrets.B]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n",
        )
        .write(".env.one", file("one"))
        .write(".env.two", file("two"))
        .chmod(".env.one", 0o600)
        .chmod(".env.two", 0o600)
        .args(["rotate", "--due", "--at", "2030-03-01T00:00:00Z", "--json"]);
    let children: Vec<_> = (0..4).map(|_| test.spawn()).collect();
    let mut rotated: HashMap<(String, String), usize> = HashMap::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a run failed: {stderr}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for env in json["environments"].as_array().unwrap() {
            for c in env["changes"].as_array().unwrap() {
                if c["action"] == "rotated" {
                    let key = (
                        env["environment"].as_str().unwrap().to_string(),
                        c["key"].as_str().unwrap().to_string(),
                    );
                    *rotated.entry(key).or_default() += 1;
                }
            }
        }
    }
    for env in ["one", "two"] {
        for key in ["A", "B"] {
            assert_eq!(
                rotated.get(&(env.into(), key.into())),
                Some(&1),
                "{env} {key}: {rotated:?}"
            );
        }
        let text = std::fs::read_to_string(test.path(format!(".env.{env}"))).unwrap();
        let parsed = parse(&text);
        assert_eq!(
            parsed["A_PREVIOUS"].value,
            format!("old-A-{env}-0123456789abcdef0123456789abcdef"),
            "{env}: the value kept is not the original one"
        );
        assert!(!parsed["A"].value.starts_with("old-"));
        assert!(!parsed["B"].value.starts_with("old-"));
        let others = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| {
                    !l.starts_with("# envmint:") && !l.starts_with('A') && !l.starts_with('B')
                })
                .map(str::to_string)
                .collect()
        };
        assert!(
            others(&text) == others(&file(env)),
            "{env}: other lines changed"
        );
    }
    assert!(common::temps(test.dir()).is_empty());
}

#[test]
fn a_retired_value_under_a_previous_name_the_manifest_no_longer_uses_still_expires() {
    // A's retired value sits in A_PREVIOUS with `# envmint: previous-of=A ... expires=...`;
    // then the manifest moves A's old values to a list (or renames its previous variable).
    // The record still says whose value it is and until when: once it expires, a scheduled run
    // must remove it, not keep an old secret forever as an "unmanaged" key.
    let one = "[environments.p]\nfile = \".env.p\"\n\
               [secrets.A]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\noverlap = \"7d\"\n";
    let out = Test::new()
        .write("envmint.toml", one)
        .write(".env.p", "X=1\n")
        .chmod(".env.p", 0o600)
        .args(["rotate", "--at", "2030-01-01T00:00:00Z"])
        .status(0)
        .then()
        .args(["rotate", "--all", "--at", "2030-01-02T00:00:00Z"])
        .status(0);
    let retired = parse(&out.read(".env.p"))["A_PREVIOUS"].value.clone();
    let list = format!("{one}previous = {{ list = \"A_OLD\", separator = \",\", keep = 2 }}\n");
    let status = out
        .then()
        .write("envmint.toml", list)
        .args(["status", "--at", "2030-01-20T00:00:00Z", "--json"])
        .status(0);
    let rows = status.json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "A_PREVIOUS")
        .expect("a row for A_PREVIOUS");
    assert_eq!(row["previous_of"], "A", "status: {row}");
    assert_eq!(row["state"], "expired", "status: {row}");
    let rotated = status
        .then()
        .args(["rotate", "--due", "--at", "2030-01-20T00:00:00Z"])
        .status(0);
    let text = rotated.read(".env.p");
    assert!(
        !text.contains(&retired),
        "the expired retired value is still in the file:\n{text}"
    );
}

#[test]
fn a_record_that_does_not_read_is_warned_about_by_rotate_too() {
    // The record format's rule: a record that does not parse makes its key unknown (due),
    // "with a warning naming the line, never an error". `status` warns; the scheduled job is
    // where the operator reads its log, so `rotate --due` must say it as well.
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.p]\nfile = \".env.p\"\n[secrets.B]\nkind = \"hex\"\nbytes = 32\n",
        )
        .write(
            ".env.p",
            "X=1\n# envmint: generated=2030-13-01T00:00:00Z\nB=old-value-0123456789abcdef\n",
        )
        .chmod(".env.p", 0o600)
        .args(["rotate", "--due", "--at", "2030-01-05T00:00:00Z"])
        .status(0);
    assert!(
        out.read(".env.p")
            .contains("# envmint: generated=2030-01-05T00:00:00Z\nB=")
    );
    out.stderr_is(str![[r#"
warning: .env.p:2: B: bad record: `generated=2030-13-01T00:00:00Z` is not an RFC 3339 time; its age is unknown, so it counts as due now
p: .env.p (rotated 1)
  rotated              B  hex       256 bits (unknown)

"#]]);
}

#[test]
fn rotate_all_over_environments_sharing_one_file_rotates_a_shared_key_once() {
    // `a` and `b` share `.env` and both declare C (overlap 7d). `rotate --all` must give C one
    // new value and keep the value the apps use now as C_PREVIOUS. Planning `b` on top of `a`
    // rotated C a second time: C_PREVIOUS then held `a`'s value, which no app ever saw, and the
    // value in use was dropped at once, which is what the overlap is there to prevent.
    let original = "original0123456789abcdef0123456789abcdef0123456789abcdef01234567";
    for args in [&["rotate", "--all"][..], &["rotate", "--key", "C"][..]] {
        let out = Test::new()
            .write(
                "envmint.toml",
                "[environments.a]\nfile = \".env\"\n[environments.b]\nfile = \".env\"\n\
                 [secrets.C]\nkind = \"hex\"\nbytes = 32\noverlap = \"7d\"\n",
            )
            .write(
                ".env",
                format!("# envmint: generated=2030-01-01T00:00:00Z\nC={original}\n"),
            )
            .chmod(".env", 0o600)
            .args(args)
            .args(["--at", "2030-01-02T00:00:00Z"])
            .status(0);
        let out = if args[0] == "plan" {
            out.then().args(["apply", "p.plan"]).status(0)
        } else {
            out
        };
        let text = out.read(".env");
        let parsed = parse(&text);
        assert_eq!(
            parsed.get("C_PREVIOUS").map(|e| e.value.as_str()),
            Some(original),
            "{args:?}: the value in use was not kept as C_PREVIOUS:\n{text}"
        );
    }
}

#[test]
fn a_run_whose_clock_is_behind_the_records_is_refused_and_the_next_one_keeps_every_value() {
    // The issue's run: a clock a day behind found every key "made in the future" and rotated
    // them all; the next run, with the right clock, rotated again and dropped the first
    // retired value, the one the apps were using. Now the run behind is refused (exit 65,
    // naming the record, its time and the clock) and changes nothing, `plan` and `apply`
    // refuse it too, `status` warns, and the next correct run finds nothing to do.
    let manifest = "[environments.p]\nfile = \".env.p\"\n\
        [secrets.JWT]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"7d\"\noverlap = \"3d\"\n\
        [secrets.OTHER]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env.p", "X=1\n")
        .chmod(".env.p", 0o600)
        .args(["rotate", "--at", "2030-01-01T06:00:00Z"])
        .status(0)
        .then()
        .args(["rotate", "--due", "--at", "2030-01-08T06:00:00Z"])
        .status(0);
    let rotated = out.read(".env.p");
    let in_use = parse(&rotated)["JWT"].value.clone();
    let retired = parse(&rotated)["JWT_PREVIOUS"].value.clone();

    let behind = out
        .then()
        .args(["rotate", "--due", "--at", "2030-01-07T06:00:00Z"])
        .status(65);
    behind.stderr_is(str![[r#"
p: .env.p (refused: the clock is behind its records; nothing written)
error: .env.p:2: the clock (2030-01-07T06:00:00Z) is behind the record of JWT (generated=2030-01-08T06:00:00Z): a run dated before it would rotate values the apps have just started to use; nothing was changed
hint: check this machine's clock (or --at); a record dated in the future by hand is fixed by correcting or removing that line

"#]]);
    assert_eq!(behind.read(".env.p"), rotated, "a refused run wrote");
    let planned = behind
        .then()
        .args([
            "plan",
            "--due",
            "--at",
            "2030-01-07T06:00:00Z",
            "-o",
            "p.plan",
        ])
        .status(65);
    assert!(!planned.exists("p.plan"));
    let status = planned
        .then()
        .args(["status", "--at", "2030-01-07T06:00:00Z"])
        .status(0);
    // The warning's words are status.rs' (a_future_or_doubled_record_does_not_keep_a_key_from_falling_due).
    // Three warnings: the clock, JWT's record and JWT_PREVIOUS's.
    assert_eq!(status.stderr().lines().count(), 3, "{}", status.describe());
    // A plan made with the right clock, applied by a machine whose clock is behind.
    let planned = status
        .then()
        .args([
            "plan",
            "--all",
            "--at",
            "2030-01-08T07:00:00Z",
            "-o",
            "p.plan",
        ])
        .status(0);
    let refused = planned
        .then()
        .args(["apply", "--at", "2030-01-07T07:00:00Z", "p.plan"])
        .status(65);
    refused.stderr_is(str![[r#"
error: p.plan: the plan was made at 2030-01-08T07:00:00Z, after the clock (2030-01-07T07:00:00Z): its records would be dated after the values they describe were written; nothing was changed
hint: check this machine's clock (or --at), or make a new plan here

"#]]);
    assert_eq!(refused.read(".env.p"), rotated, "a refused apply wrote");

    // The next run with the right clock: nothing due, every value where it was.
    let next = refused
        .then()
        .args(["rotate", "--due", "--at", "2030-01-09T06:00:00Z"])
        .status(0);
    assert_eq!(next.read(".env.p"), rotated);
    let parsed = parse(&rotated);
    assert_eq!(
        (
            parsed["JWT"].value.as_str(),
            parsed["JWT_PREVIOUS"].value.as_str()
        ),
        (in_use.as_str(), retired.as_str())
    );
    // A clock a couple of minutes behind (another machine's) is within the tolerance, and
    // what it writes is dated no earlier than the records already there.
    let close = next
        .then()
        .args(["rotate", "--key", "JWT", "--at", "2030-01-08T05:58:00Z"])
        .status(0);
    let text = close.read(".env.p");
    assert!(
        text.contains(
            "# envmint: previous-of=JWT retired=2030-01-08T06:00:00Z expires=2030-01-11T06:00:00Z\n"
        ),
        "{text}"
    );
    assert_eq!(parse(&text)["JWT_PREVIOUS"].value, in_use);
}

#[test]
fn adopting_a_live_project_makes_the_first_scheduled_run_rotate_only_what_is_due() {
    // A live project: values and hand-kept fallbacks without records, in a plain and a sealed
    // store. Before adopt, the first `rotate --due` would renew every value (unknown age) and
    // drop the fallbacks. After `adopt --at` (when the values were made), it renews only the
    // key that is due and keeps the fallbacks for their overlap.
    let now = jiff::Timestamp::now();
    let made = now
        .checked_sub(jiff::SignedDuration::from_hours(40 * 24))
        .unwrap();
    let made = stamp(made.as_second());
    let jwt = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809";
    let jwt_old = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let session = "2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a";
    let fallbacks = "fb1fb1fb1fb1fb1fb1fb1fb1fb1fb1fb,fb2fb2fb2fb2fb2fb2fb2fb2fb2fb2fb";
    let live = format!(
        "# the app's own file\nJWT={jwt}\nJWT_PREVIOUS={jwt_old}\nSESSION={session}\n\
         SESSION_FALLBACKS={fallbacks}\nSTRIPE=sk_live_given\nPORT=8000\n"
    );
    let (test, recipient) = common::with_identity();
    let manifest = format!(
        "[environments.p]\nfile = \".env.p\"\n\
         [environments.s]\nsealed = \".env.s.age\"\nrecipients = [\"{recipient}\"]\n\
         [secrets.JWT]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\noverlap = \"7d\"\n\
         [secrets.SESSION]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"90d\"\noverlap = \"7d\"\n\
         previous = {{ list = \"SESSION_FALLBACKS\", separator = \",\", keep = 2 }}\n\
         [secrets.STRIPE]\nexternal = true\nrotate_every = \"180d\"\n"
    );
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write("envmint.toml", manifest)
        .write(".env.p", &live)
        .chmod(".env.p", 0o600)
        .write(".env.s.local", &live)
        .args(["seal", "s", "--remove-plaintext"])
        .status(0);
    // Unknown ages: status points at adopt; a dry run of the scheduled job would renew all.
    let status = out.then().args(["status", "p"]).status(0);
    // The summary line's words are status.rs' (check_exits_1_only_when_something_is_due_unknown_or_missing).
    status.stdout_is(str![[r#"
p: .env.p
  KEY                STATE        AGE  LAST ROTATION  NEXT
  JWT                unknown        ?  -              due now (no record: envmint adopt)
  JWT_PREVIOUS       unknown        ?  -              expiry unknown
  SESSION            unknown        ?  -              due now (no record: envmint adopt)
  SESSION_FALLBACKS  unknown        ?  -              expiry unknown
  STRIPE             unknown        ?  -              due now (no record: envmint adopt)
  PORT               unmanaged      -  -              -

"#]]);
    let dry = status
        .then()
        .args(["rotate", "--due", "--dry-run", "--json"])
        .status(0);
    let rotated = |out: &Output, env: usize| -> Vec<String> {
        out.json()["environments"][env]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["action"] == "rotated")
            .map(|c| c["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rotated(&dry, 0), ["JWT", "SESSION"]);

    // adopt: a dry run writes nothing; then both stores.
    let preview = dry
        .then()
        .args(["adopt", "p", "--at", &made, "--dry-run"])
        .status(0);
    assert_eq!(preview.read(".env.p"), live);
    preview.stderr_is(str![[r#"
p: .env.p (would date 3, would retire 2)
  dated    JWT                generated=[..]
  retired  JWT_PREVIOUS       previous value of JWT, retired now with its overlap
  dated    SESSION            generated=[..]
  retired  SESSION_FALLBACKS  2 previous values of SESSION, retired now with its overlap
  dated    STRIPE             set=[..]

"#]]);
    let adopted = preview
        .then()
        .args(["adopt", "p", "--at", &made, "--json"])
        .status(0);
    let j = adopted.json();
    assert_eq!(j["written"], true, "{j}");
    let actions: Vec<(String, String)> = j["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().into(),
                k["action"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("JWT", "dated"),
        ("JWT_PREVIOUS", "retired"),
        ("SESSION", "dated"),
        ("SESSION_FALLBACKS", "retired"),
        ("STRIPE", "dated"),
    ]
    .iter()
    .map(|(k, a)| ((*k).into(), (*a).into()))
    .collect();
    assert_eq!(actions, want);
    let text = adopted.read(".env.p");
    assert!(
        text.contains(&format!("# envmint: generated={made}\nJWT={jwt}\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("# envmint: set={made}\nSTRIPE=sk_live_given\n")),
        "{text}"
    );
    assert!(!adopted.stdout().contains(jwt) && !adopted.stderr().contains(jwt));
    // Values and other lines keep every byte: only record lines were added.
    let without_records: String = text
        .lines()
        .filter(|l| !l.starts_with("# envmint:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without_records, live);
    let sealed = adopted
        .then()
        .args(["adopt", "s", "--at", &made])
        .status(0)
        .then()
        .args(["unseal", "s", "--stdout"])
        .status(0);
    assert!(
        sealed
            .stdout()
            .contains(&format!("# envmint: generated={made}\nJWT={jwt}\n")),
        "{}",
        sealed.stdout()
    );
    assert!(!sealed.exists(".env.s.local"));

    // The first scheduled run: JWT (40 days, every 30) only; the session fallbacks stay.
    let run = sealed.then().args(["rotate", "--due", "--json"]).status(0);
    assert_eq!(rotated(&run, 0), ["JWT"]);
    assert_eq!(rotated(&run, 1), ["JWT"]);
    let text = run.read(".env.p");
    assert!(
        text.contains(&format!("SESSION={session}\n"))
            && text.contains(&format!("SESSION_FALLBACKS={fallbacks}\n"))
            && text.contains(&format!("JWT_PREVIOUS={jwt}\n")),
        "{text}"
    );
    // Adopting again has nothing left to do.
    let again = run.then().args(["adopt", "p"]).status(0);
    again.stderr_is(str![[r#"
p: .env.p (nothing to adopt: every value has a record)

"#]]);
    assert_eq!(again.read(".env.p"), text);
    // A key that is not a secret of the environment, and an --at in the future.
    let out = again.then().args(["adopt", "p", "PORT"]).status(2);
    out.stderr_is(str![[r#"
error: PORT: not a secret of environment p
hint: name keys declared under [secrets] for this environment (see envmint.toml)

"#]]);
    let out = out
        .then()
        .args(["adopt", "p", "--at", "2999-01-01"])
        .status(2);
    // The words are the case file adopt/at_after_the_clock.
    assert_eq!(out.stdout(), "");
}

#[test]
fn a_store_with_records_ahead_of_the_clock_is_refused_and_the_others_are_rotated() {
    // `dev`'s file carries a record dated 2099 (copied from somewhere, or forged): the clock
    // is behind it, so `dev` is refused (exit 65, naming its line), but one such file must not
    // stop the scheduled rotation of `prod`, which is rotated and written.
    let manifest = "[environments.prod]\nfile = \".env.prod\"\n\
        [environments.dev]\nfile = \".env.dev\"\n\
        [secrets.A]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n";
    let dev = "# envmint: generated=2099-01-01T00:00:00Z\nA=forged-record-above\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(
            ".env.prod",
            "# envmint: generated=2030-01-01T00:00:00Z\nA=old\n",
        )
        .write(".env.dev", dev)
        .chmod(".env.prod", 0o600)
        .chmod(".env.dev", 0o600)
        .args(["rotate", "--due", "--at", "2030-03-01T00:00:00Z", "--json"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env.dev:1: the clock (2030-03-01T00:00:00Z) is behind the record of A (generated=2099-01-01T00:00:00Z): a run dated before it would rotate values the apps have just started to use; nothing was changed
hint: check this machine's clock (or --at); a record dated in the future by hand is fixed by correcting or removing that line

"#]]);
    let j = out.json();
    assert_eq!(j["environments"][0]["written"], true, "{j}");
    assert_eq!(j["environments"][1]["refused"], true, "{j}");
    assert!(j["environments"][0].get("refused").is_none(), "{j}");
    assert!(
        out.read(".env.prod")
            .starts_with("# envmint: generated=2030-03-01T00:00:00Z\nA=")
    );
    assert_eq!(out.read(".env.dev"), dev);
}

/// The Auth.js form (the `nextjs` preset's `slots`), over scheduled runs: Auth.js reads
/// AUTH_SECRET_3, _2, _1, AUTH_SECRET in that order and encrypts with the first, so after every
/// rotation that order must list the values newest first, at most four, and a retired value
/// must leave when its 30-day window ends. (frameworks.rs proves the same with the real
/// `@auth/core`; this runs everywhere.)
#[test]
fn the_auth_js_slots_read_newest_first_over_scheduled_runs() {
    let order = [
        "AUTH_SECRET_3",
        "AUTH_SECRET_2",
        "AUTH_SECRET_1",
        "AUTH_SECRET",
    ];
    let read = |out: &Output| -> Vec<String> {
        let file = out.read(".env.production.local");
        order
            .iter()
            .filter_map(|k| {
                file.lines()
                    .find_map(|l| l.strip_prefix(&format!("{k}=")))
                    .map(str::to_string)
            })
            .collect()
    };
    let mut out = Test::new()
        .args(["init", "--preset", "nextjs"])
        .status(0)
        .then()
        .args(["bootstrap", "production"])
        .status(0);
    // Every value the current one has been, newest first.
    let mut history = read(&out);
    assert_eq!(history.len(), 1);
    // Four rotations ten days apart (--all: inside the window), then scheduled runs.
    let start = jiff::Timestamp::now();
    let day = |n: i64| {
        (start + jiff::SignedDuration::from_hours(24 * n))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    for n in [1, 11, 21, 31] {
        out = out
            .then()
            .args(["rotate", "production", "--all", "--at", &day(n)])
            .status(0);
        let now = read(&out);
        assert!(
            now[0] != history[0],
            "day {n}: the value Auth.js encrypts with is new"
        );
        history.insert(0, now[0].clone());
        let kept = now.len().min(4);
        assert!(
            now[..kept] == history[..kept],
            "day {n}: Auth.js's order is not newest first"
        );
        assert!(now.len() <= 4);
    }
    // The values retired on days 11, 21 and 31 end their windows on days 41, 51 and 61 (the
    // one of day 1 went on day 31): day 45 keeps two of them, day 62 none.
    out = out
        .then()
        .args(["rotate", "production", "--due", "--at", &day(45)])
        .status(0);
    assert_eq!(read(&out).len(), 3, "day 45: the day-11 value expired");
    out = out
        .then()
        .args(["rotate", "production", "--due", "--at", &day(62)])
        .status(0);
    assert!(read(&out) == history[..1], "day 62: only the current value");
}
