//! `envmint status [ENV...]`: each key's state, age, last rotation and next due date, from the
//! `# envmint:` records in the stores (sealed ones read in memory). Never a value.

use super::shown;
use crate::cli::StatusArgs;
use crate::context::Context;
use envmint::error::{FileError, Op};
use envmint::manifest::{Environment, Manifest, Role};
use envmint::plan::status::{self, KeyStatus, Problem, State};
use envmint::time::{Due, format_age, format_timestamp, utc_date};
use envmint::{Exit, Result, store};
use jiff::Timestamp;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// One environment's rows.
struct EnvStatus<'a> {
    env: &'a Environment,
    exists: bool,
    rows: Vec<KeyStatus>,
}

pub fn run(ctx: &Context, args: StatusArgs) -> Result<Exit> {
    let now = super::rotate::instant(ctx, args.at.as_deref())?;
    let cwd = ctx.cwd()?.to_path_buf();
    let manifest = super::load_manifest(ctx, args.manifest.as_deref(), &cwd)?;
    warn_manifest(&manifest, &cwd);
    if args.json {
        super::check_stdout()?;
    }
    // Every name is checked before any store is read.
    let mut envs: Vec<&Environment> = Vec::new();
    if args.environments.is_empty() {
        envs.extend(manifest.environments());
    }
    for name in &args.environments {
        let env = manifest.environment(name)?;
        if !envs.iter().any(|e| e.name == env.name) {
            envs.push(env);
        }
    }
    let options = super::unseal::store_options(ctx, &envs, &args.identities)?;
    let mut all = Vec::with_capacity(envs.len());
    // Stores whose records are ahead of the clock: rotate refuses them, so --check counts them.
    let mut behind = 0;
    for env in envs {
        let snapshot = store::peek(store::Storage::of(env)?, &options)?;
        let doc = snapshot.document()?;
        let file = shown(env.store_path(), &cwd);
        for w in doc.warnings() {
            super::say!("warning: {}:{}: {}", file.display(), w.line, w.message);
        }
        let rows = status::evaluate(&manifest, env, &doc, now);
        if let Err(e) = envmint::plan::clock::check(&doc, now) {
            behind += 1;
            super::say!(
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
            rows,
        });
    }

    if args.json {
        print_json(&all, &cwd)?;
    } else {
        print_tables(&all, now, &cwd)?;
    }
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

/// Warns, once the manifest is loaded, about settings that cannot do what they say: an
/// `overlap` longer than `rotate_every` x `keep` (with the `keep` that holds). `audit`
/// reports the same as `overlap-keep`.
pub(super) fn warn_manifest(manifest: &Manifest, cwd: &Path) {
    let file = match manifest.source() {
        envmint::manifest::Source::File(p) => shown(p, cwd).display().to_string(),
        envmint::manifest::Source::Builtin => "<built-in preset>".to_string(),
    };
    let builtin = matches!(manifest.source(), envmint::manifest::Source::Builtin);
    for decl in manifest.secrets() {
        // The line of the secret's table, for a manifest file (the preset's own lines are
        // nowhere a person can edit).
        let at = if builtin {
            file.clone()
        } else {
            format!("{file}:{}", decl.line)
        };
        if let Some(needed) = envmint::audit::roles::overlap_keep(decl) {
            let f = envmint::audit::roles::overlap_keep_finding(decl, needed);
            super::say!("warning: {at}: {}", f.message);
            if let Some(hint) = f.hint {
                super::say!("hint: {hint}");
            }
        }
        if decl.credential_by_name() {
            let key = &decl.key;
            super::say!(
                "warning: {at}: {key} declares no role but is named like a credential: \
                 `rotate --due` and `--all` keep it as one (a password changed in the file \
                 alone locks the app out of its service); `rotate --key {key}` still renews it"
            );
            super::say!(
                "hint: declare role = \"credential\" in [secrets.{key}] (or role = \"signing\" \
                 if no other service checks it)"
            );
        }
    }
}

/// A warning for each row with something odd about it: a bad record names its own line (the
/// one above the key). Also `rotate` and `plan`'s, so the scheduled job's log names the line.
pub(super) fn warn_problems(rows: &[KeyStatus], file: &Path) {
    let file = file.display();
    for row in rows {
        let Some(problem) = &row.problem else {
            continue;
        };
        let line = match (problem, row.line) {
            (Problem::BadRecord(_) | Problem::Future { .. } | Problem::Capped { .. }, Some(l)) => {
                l.saturating_sub(1)
            }
            (_, Some(l)) => l,
            (_, None) => 0,
        };
        let consequence = match (row.state, &row.previous_of) {
            (State::Unknown, Some(_)) if row.role == Role::Encryption => {
                "kept: an encryption key's retired keys are never removed by time (envmint \
                 retire removes them)"
                    .to_string()
            }
            (State::Unknown, Some(of)) => format!(
                "its expiry is unknown, so the next `envmint rotate` removes it; to keep it a \
                 while, put a record above it: `# envmint: previous-of={of} retired=TIME \
                 expires=TIME`"
            ),
            (State::Unknown, None) => "its age is unknown, so it counts as due now".to_string(),
            _ => String::new(),
        };
        let key = &row.key;
        if consequence.is_empty() {
            super::say!("warning: {file}:{line}: {key}: {problem}");
        } else {
            super::say!("warning: {file}:{line}: {key}: {problem}; {consequence}");
        }
    }
}

/// One stderr line counting the keys that need attention and naming what fixes them.
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
    super::say!("{}: {}", counts.join(", "), fixes.join("; "));
}

/// Key names wider than this do not widen the table (as in bootstrap's summary).
const MAX_KEY_WIDTH: usize = 40;

fn print_tables(all: &[EnvStatus<'_>], now: Timestamp, cwd: &Path) -> Result<()> {
    super::check_stdout()?;
    let width = all
        .iter()
        .flat_map(|e| e.rows.iter())
        .map(|r| r.key.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(3, MAX_KEY_WIDTH);
    // One buffer, one write: a 10,000-key table is one system call, not 10,000.
    let mut out = String::new();
    for (i, e) in all.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let file = shown(e.env.store_path(), cwd);
        let _ = write!(out, "{}: {}", e.env.name, file.display());
        if !e.exists {
            out.push_str(" (no file yet)");
        }
        out.push('\n');
        if e.rows.is_empty() {
            out.push_str("  no keys\n");
            continue;
        }
        let ages: Vec<String> = e
            .rows
            .iter()
            .map(|row| match row.generated_at {
                Some(t) => format_age(now, t),
                None if row.state == State::Unknown => "?".to_string(),
                None => "-".to_string(),
            })
            .collect();
        // An age of 100,000 days (a record from year 1, or `--at` far ahead) widens the
        // column rather than pushing its row out of line.
        let age_width = ages.iter().map(String::len).max().unwrap_or(0).max(5);
        let _ = writeln!(
            out,
            "  {:<width$}  {:<9}  {:>age_width$}  {:<13}  NEXT",
            "KEY", "STATE", "AGE", "LAST ROTATION"
        );
        for (row, age) in e.rows.iter().zip(&ages) {
            let last = row
                .generated_at
                .map_or_else(|| "-".to_string(), |t| utc_date(t).to_string());
            let _ = writeln!(
                out,
                "  {:<width$}  {:<9}  {age:>age_width$}  {last:<13}  {}",
                row.key,
                row.state.as_str(),
                next(row, &e.env.name, now)
            );
        }
    }
    super::write_stdout(out.as_bytes()).map(|_| ())
}

/// The NEXT column: when the key falls due or its retired value expires, or what to do.
fn next(row: &KeyStatus, env: &str, now: Timestamp) -> String {
    match row.state {
        State::Pending => format!(
            "stage {}: envmint rotate {env} --key {} resumes it",
            row.stage.map_or("pending", |s| s.as_str()),
            row.previous_of.as_deref().unwrap_or("KEY")
        ),
        State::Ok | State::Due => {
            let mut text = match row.due_at {
                Some(due) => format!("{} ({})", utc_date(due), Due::at(now, due)),
                None if row.generated_at.is_some() => "never (rotate_every = \"never\")".into(),
                None => "-".into(),
            };
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
            Some(Problem::Future { .. }) => "due now (its record is dated in the future)".into(),
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

fn print_json(all: &[EnvStatus<'_>], cwd: &Path) -> Result<()> {
    let time = |t: Option<Timestamp>| t.map(format_timestamp);
    let keys: Vec<JsonKey<'_>> = all
        .iter()
        .flat_map(|e| {
            let file = shown(e.env.store_path(), cwd)
                .to_string_lossy()
                .into_owned();
            e.rows.iter().map(move |r| JsonKey {
                env: &e.env.name,
                file: file.clone().into(),
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
            })
        })
        .collect();
    let text = serde_json::to_string(&keys)
        .map_err(|e| FileError::os("<stdout>", Op::WriteStdout, e.into()))?;
    super::print_line(&text)
}
