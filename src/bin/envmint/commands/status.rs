//! `envmint status [ENV...]`: each key's state, age, last rotation and next due date, from the
//! `# envmint:` records in the stores (sealed ones read in memory). Never a value.

use crate::changes::warn_manifest;
use crate::changes::warn_problems;
use crate::cli::StatusArgs;
use crate::context::Context;
use crate::error::Result;
use envmint::dotenv::Document;
use envmint::manifest::{Environment, Role};
use envmint::path::shown;
use envmint::plan::status::{self, KeyStatus, Problem, State};
use envmint::time::{Due, format_age, format_timestamp, push_age, push_utc_date, utc_date};
use envmint::{Exit, store};
use jiff::Timestamp;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// One environment's rows: the managed ones made, the unmanaged ones made from `doc` one at a
/// time when shown (a file of a million keys would otherwise hold a row per key).
struct EnvStatus<'a> {
    env: &'a Environment,
    exists: bool,
    doc: Document,
    rows: Vec<KeyStatus>,
}

impl EnvStatus<'_> {
    /// Every row in order: the managed ones, then the unmanaged ones.
    fn all_rows(&self) -> impl Iterator<Item = Cow<'_, KeyStatus>> {
        self.rows
            .iter()
            .map(Cow::Borrowed)
            .chain(status::unmanaged_rows(&self.rows, &self.doc).map(Cow::Owned))
    }
}

pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: StatusArgs) -> Result<Exit> {
    let now = resolved.now(ctx)?;
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    warn_manifest(manifest, &cwd);
    if args.json {
        crate::output::check_stdout()?;
    }
    // Every name is checked before any store is read.
    let (envs, _) = resolved.environments(ctx)?;
    let options = resolved.store_options(ctx, &envs)?;
    // This user's pending-value key, never made here; one that cannot be trusted (a link,
    // another user's) counts as none: no pending value is then resumable, as rotate says.
    let pending_key = crate::hooks::existing_pending_key(ctx).ok().flatten();
    let mut all = Vec::with_capacity(envs.len());
    // Stores whose records are ahead of the clock: rotate refuses them, so --check counts them.
    let mut behind = 0;
    for env in envs {
        let snapshot = store::peek(store::Storage::of(env, ctx.euid)?, &options)?;
        let doc = snapshot.document()?;
        let file = shown(env.store_path(), &cwd);
        for w in doc.warnings() {
            crate::output::say!("warning: {}:{}: {}", file.display(), w.line, w.message);
        }
        let mut rows = status::evaluate_managed(manifest, env, &doc, now);
        // A pending value is shown as resumable only when rotate would resume it.
        envmint::hooks::stage::mark_pending(&mut rows, &doc, &env.name, pending_key.as_ref(), now);
        if let Err(e) = envmint::plan::clock::check(&doc, now) {
            behind += 1;
            crate::output::say!(
                "warning: {}:{}: {e}; `envmint rotate` and `envmint apply` refuse this store \
                 until the clock is right or the record is",
                file.display(),
                e.newest.line
            );
        }
        warn_problems(&rows, file);
        all.push(EnvStatus {
            env,
            exists: snapshot.exists(),
            doc,
            rows,
        });
    }

    if args.json {
        print_json(&all, &cwd)?;
    } else {
        print_tables(&all, now, &cwd)?;
    }
    // Unmanaged rows never need attention.
    let attention = all
        .iter()
        .flat_map(|e| e.rows.iter())
        .filter(|r| r.state.needs_attention())
        .count();
    if attention > 0 && !args.json {
        say_next_steps(&all);
    }
    Ok(if args.check && attention + behind > 0 {
        Exit::Problems
    } else {
        Exit::Ok
    })
}

/// One stderr line counting the keys that need attention (managed ones: an unmanaged key
/// never does) and naming what fixes them.
fn say_next_steps(all: &[EnvStatus<'_>]) {
    let rows = || all.iter().flat_map(|e| e.rows.iter());
    let credential =
        |r: &&KeyStatus| r.role == Role::Credential && !r.external && r.previous_of.is_none();
    let count = |s: State| rows().filter(|r| r.state == s && !credential(r)).count();
    let full = rows()
        .filter(|r| r.state == State::Due && r.keyring.is_some_and(|k| k.full))
        .count();
    let (due, unknown) = (count(State::Due) - full, count(State::Unknown));
    let credentials = rows()
        .filter(|r| matches!(r.state, State::Due | State::Unknown) && credential(r))
        .count();
    let missing = rows()
        .filter(|r| r.state == State::Missing && !r.external)
        .count();
    let external = rows()
        .filter(|r| r.state == State::Missing && r.external)
        .count();
    let mut counts = Vec::new();
    let mut fixes = Vec::new();
    for (n, what) in [(due, "due"), (unknown, "unknown")] {
        if n > 0 {
            counts.push(format!("{n} {what}"));
        }
    }
    if due + unknown > 0 {
        fixes.push("`envmint rotate --due` renews due and unknown keys");
    }
    // Values without a record: a live project's, whose age the operator knows better.
    let unrecorded = rows()
        .filter(|r| {
            r.state == State::Unknown && matches!(r.problem, None | Some(Problem::NoRecord))
        })
        .count();
    if unrecorded > 0 {
        fixes.push(
            "`envmint adopt ENV [--at WHEN]` records the age of values without a record instead",
        );
    }
    if full > 0 {
        counts.push(format!("{full} due with a full keyring"));
        fixes.push("re-encrypt, then `envmint retire ENV KEY` makes room");
    }
    if credentials > 0 {
        counts.push(format!("{credentials} credential(s) due"));
        fixes.push(
            "change a credential at its service, then `envmint rotate ENV --key KEY` (--due \
             never changes one)",
        );
    }
    if missing > 0 {
        counts.push(format!("{missing} missing"));
        fixes.push("`envmint bootstrap ENV` adds missing ones");
    }
    if external > 0 {
        counts.push(format!("{external} external missing"));
        fixes.push("`envmint set ENV KEY` gives an external key its value");
    }
    crate::output::say!("{}: {}", counts.join(", "), fixes.join("; "));
}

/// Key names wider than this do not widen the table (as in bootstrap's summary).
const MAX_KEY_WIDTH: usize = 40;

fn print_tables(all: &[EnvStatus<'_>], now: Timestamp, cwd: &Path) -> Result<()> {
    crate::output::check_stdout()?;
    // Each environment's unmanaged keys, found once (16 bytes a key, not a row).
    let unmanaged: Vec<Vec<&str>> = all
        .iter()
        .map(|e| status::unmanaged_keys(&e.rows, &e.doc).collect())
        .collect();
    let managed = all
        .iter()
        .flat_map(|e| e.rows.iter().map(|r| r.key.as_str()));
    let width = managed
        .chain(unmanaged.iter().flatten().copied())
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(3, MAX_KEY_WIDTH);
    // Written in chunks (see spill_stdout): a million-key table is not held whole.
    let mut out = String::new();
    for (i, (e, unmanaged)) in all.iter().zip(&unmanaged).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let file = shown(e.env.store_path(), cwd);
        let _ = write!(out, "{}: {}", e.env.name, file.display());
        if !e.exists {
            out.push_str(" (no file yet)");
        }
        out.push('\n');
        if e.rows.is_empty() && unmanaged.is_empty() {
            out.push_str("  no keys\n");
            continue;
        }
        // An age of 100,000 days (a record from year 1, or `--at` far ahead) widens the
        // column rather than pushing its row out of line. An unmanaged row's age is "-".
        // The managed rows' ages, one text with each row's end (not a string a row).
        let mut age_text = String::new();
        let mut age_ends = Vec::with_capacity(e.rows.len());
        for row in &e.rows {
            match row.generated_at {
                Some(t) => push_age(&mut age_text, now, t),
                None => age_text.push_str(&age(row, now)),
            }
            age_ends.push(age_text.len());
        }
        let ages = age_ends.iter().scan(0, |start, &end| {
            Some(&age_text[std::mem::replace(start, end)..end])
        });
        let age_width = ages.clone().map(str::len).max().unwrap_or(0).max(5);
        let _ = writeln!(
            out,
            "  {:<width$}  {:<9}  {:>age_width$}  {:<13}  NEXT",
            "KEY", "STATE", "AGE", "LAST ROTATION"
        );
        let unmanaged = unmanaged.iter().map(|k| status::unmanaged_row(&e.doc, k));
        let ages = ages.map(Some).chain(std::iter::repeat(None));
        for (row, age_text) in e
            .rows
            .iter()
            .map(Cow::Borrowed)
            .chain(unmanaged.map(Cow::Owned))
            .zip(ages)
        {
            // As `"  {:<width$}  {:<9}  {:>age_width$}  {:<13}  {}\n"` would write it, without
            // a string per cell: 10,000 rows.
            out.push_str("  ");
            let start = out.len();
            out.push_str(&row.key);
            pad_to(&mut out, start, width);
            out.push_str("  ");
            let start = out.len();
            out.push_str(row.state.as_str());
            pad_to(&mut out, start, 9);
            out.push_str("  ");
            let age_text = age_text.map_or_else(|| Cow::Owned(age(&row, now)), Cow::Borrowed);
            let age_chars = age_text.chars().count();
            out.extend(std::iter::repeat_n(
                ' ',
                age_width.saturating_sub(age_chars),
            ));
            out.push_str(&age_text);
            out.push_str("  ");
            let start = out.len();
            match row.generated_at {
                Some(t) => push_utc_date(&mut out, t),
                None => out.push('-'),
            }
            pad_to(&mut out, start, 13);
            out.push_str("  ");
            write_next(&mut out, &row, &e.env.name, now);
            out.push('\n');
            if !crate::output::spill_stdout(&mut out, false)? {
                return Ok(());
            }
        }
    }
    crate::output::spill_stdout(&mut out, true).map(|_| ())
}

/// The AGE column.
fn age(row: &KeyStatus, now: Timestamp) -> String {
    match row.generated_at {
        Some(t) => format_age(now, t),
        None if row.state == State::Unknown => "?".to_string(),
        None => "-".to_string(),
    }
}

/// The NEXT column: when the key falls due or its retired value expires, or what to do.
/// Writes the NEXT column of `row` to `out`: a key with a due date (most rows) straight into
/// it, without a string of its own.
fn write_next(out: &mut String, row: &KeyStatus, env: &str, now: Timestamp) {
    if let (State::Ok | State::Due, Some(due)) = (row.state, row.due_at) {
        push_utc_date(out, due);
        out.push_str(" (");
        Due::at(now, due).push_to(out);
        out.push(')');
        due_suffix(out, row, env);
    } else {
        out.push_str(&next(row, env, now));
    }
}

/// What follows an `ok` or `due` key's due date: the command for a due credential, and a
/// keyring's size.
fn due_suffix(text: &mut String, row: &KeyStatus, env: &str) {
    if row.state == State::Due && row.role == Role::Credential && !row.external {
        let _ = write!(
            text,
            "; change it at its service, then: envmint rotate {env} --key {}",
            row.key
        );
    }
    if let Some(ring) = row.keyring {
        let n = ring.keys;
        let _ = write!(text, "; keyring: {n} key{}", plural(n as u64));
        if ring.full && row.state == State::Due {
            let _ = write!(
                text,
                ", full: re-encrypt, then envmint retire {env} {}",
                row.key
            );
        }
    }
}

/// Pads what was written to `out` since `start` with spaces to `width` characters, as `{:<width$}`
/// does.
fn pad_to(out: &mut String, start: usize, width: usize) {
    let written = out[start..].chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(written)));
}

/// The NEXT column of `row`.
fn next(row: &KeyStatus, env: &str, now: Timestamp) -> String {
    match row.state {
        State::Pending => {
            let stage = row.stage.map_or("pending", |s| s.as_str());
            let of = row.previous_of.as_deref().unwrap_or("KEY");
            match row.problem {
                Some(Problem::PendingNotOurs) => format!(
                    "stage {stage}: not written here, not resumable: envmint rotate {env} --key \
                     {of} --abandon drops it"
                ),
                Some(Problem::PendingStale { .. }) => format!(
                    "stage {stage}: too old to resume: envmint rotate {env} --key {of} refuses it \
                     and says what to do"
                ),
                _ => format!("stage {stage}: envmint rotate {env} --key {of} resumes it"),
            }
        }
        State::Ok | State::Due => {
            let mut text = match row.due_at {
                Some(due) => format!("{} ({})", utc_date(due), Due::at(now, due)),
                None if row.generated_at.is_some() => "never (rotate_every = \"never\")".into(),
                None => "-".into(),
            };
            due_suffix(&mut text, row, env);
            text
        }
        State::Previous | State::Expired => match row.expires_at {
            Some(exp) => {
                let when = match Due::at(now, exp) {
                    Due::In { days } => format!("in {days} day{}", plural(days)),
                    Due::Today => "today".into(),
                    Due::Overdue { days } => format!("{days} day{} ago", plural(days)),
                };
                let verb = if row.state == State::Expired {
                    "expired"
                } else {
                    "expires"
                };
                format!("{verb} {} ({when})", utc_date(exp))
            }
            None if row.role == Role::Encryption => "kept until envmint retire".into(),
            None => "-".into(),
        },
        State::Unknown if row.previous_of.is_some() && row.role == Role::Encryption => {
            "kept until envmint retire (no record)".into()
        }
        State::Unknown if row.previous_of.is_some() => "expiry unknown".into(),
        State::Unknown => match row.problem {
            None => "due now (no record: envmint adopt)".into(),
            Some(Problem::BadRecord(_)) => "due now (its record does not read)".into(),
            // A record dated ahead of the clock counts as made now: its row is ok or due,
            // never unknown.
            Some(_) => "due now".into(),
        },
        State::Missing if row.external => format!("envmint set {env} {}", row.key),
        State::Missing => format!("envmint bootstrap {env}"),
        State::Unmanaged => "-".into(),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One object of the `--json` array.
#[derive(Serialize)]
struct JsonKey<'a> {
    env: &'a str,
    /// The store, as shown in messages (relative to the working directory when inside it).
    file: std::borrow::Cow<'a, str>,
    key: &'a str,
    state: State,
    /// The key's line in the store (its record is the line above); `null` when absent.
    line: Option<usize>,
    /// When the current value was made (for a retired value: when it was retired).
    generated_at: Option<String>,
    due_at: Option<String>,
    /// When a retired value expires (the earliest, for a list).
    expires_at: Option<String>,
    /// For a retired value, the secret it belonged to.
    previous_of: Option<&'a str>,
    external: bool,
    /// `signing`, `encryption` or `credential` (for a retired value, its secret's); `null`
    /// for an unmanaged key.
    role: Option<&'static str>,
    /// For an encryption key: how many keys its keyring holds (current and retired).
    #[serde(skip_serializing_if = "Option::is_none")]
    keyring: Option<usize>,
    /// On a pending value (`state` `pending`): its stage, `pending` or `set`.
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'static str>,
    /// What is odd about the key (a bad record...), in words; `null` when nothing is.
    problem: Option<String>,
}

/// The `--json` array of every environment's rows, serialized one row at a time.
struct JsonRows<'a> {
    all: &'a [EnvStatus<'a>],
    cwd: &'a Path,
}

impl Serialize for JsonRows<'_> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let time = |t: Option<Timestamp>| t.map(format_timestamp);
        let mut seq = serializer.serialize_seq(None)?;
        for e in self.all {
            let file = shown(e.env.store_path(), self.cwd);
            let file = file.to_string_lossy();
            for r in e.all_rows() {
                seq.serialize_element(&JsonKey {
                    env: &e.env.name,
                    file: Cow::Borrowed(&file),
                    key: &r.key,
                    state: r.state,
                    line: r.line,
                    generated_at: time(r.generated_at),
                    due_at: time(r.due_at),
                    expires_at: time(r.expires_at),
                    previous_of: r.previous_of.as_deref(),
                    external: r.external,
                    role: (r.state != State::Unmanaged).then(|| r.role.name()),
                    keyring: r.keyring.map(|k| k.keys),
                    stage: r.stage.map(|s| s.as_str()),
                    problem: r.problem.as_ref().map(ToString::to_string),
                })?;
            }
        }
        seq.end()
    }
}

/// The rows as one line of JSON, written as it is made (a million rows are not held whole).
fn print_json(all: &[EnvStatus<'_>], cwd: &Path) -> Result<()> {
    crate::output::check_stdout()?;
    crate::output::print_json_streamed(&JsonRows { all, cwd }, false)
}
