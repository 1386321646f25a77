//! How a rotation's outcome is shown (`rotate`, `plan`, `retire`, `set`): the summary lines of
//! its changes and their `--json` form (never a value), and the warnings about a store's odd
//! lines and a manifest's settings that `status`, `rotate` and `plan` all print.

use envmint::manifest::{Manifest, Role};
use envmint::path::shown;
use envmint::plan::rotation::{Action, Change};
use envmint::plan::status::{KeyStatus, Problem, State};
use envmint::rotation::{EnvReport, Report};
use serde::Serialize;
use std::path::Path;

/// Prints what a session found odd in each environment's store (unreadable lines, records that
/// do not read), naming the lines, as `status` does: the scheduled job's log shows them.
pub fn warn_report(report: &mut Report<'_>, cwd: &Path) {
    for r in &mut report.envs {
        let file = shown(r.env.store_path(), cwd);
        for w in &r.warnings {
            crate::output::say!("warning: {}:{}: {}", file.display(), w.line, w.message);
        }
        crate::changes::warn_problems(&std::mem::take(&mut r.problems), file);
    }
}

/// The summary of one change, as a line (without the leading spaces). Never a value.
pub fn change_line(env: &str, c: &Change, width: usize, dry_run: bool) -> String {
    let verb = match (c.action, dry_run) {
        (Action::Rotated, true) => "would rotate",
        (Action::Retired, true) => "would retire",
        (Action::ExpiredRemoved, true) => "would remove expired",
        (Action::Dropped, true) => "would drop",
        (Action::Rotated, false) => "rotated",
        (Action::Retired, false) => "retired",
        (Action::ExpiredRemoved, false) => "removed expired",
        (Action::Dropped, false) => "dropped",
        (Action::ExternalDue, _) => "external, due",
        (Action::CredentialKept, _) => "credential, kept",
        (Action::KeyringFull, _) => "keyring full, kept",
    };
    let detail = match c.action {
        Action::Rotated => format!(
            "{:<9} {} bits ({})",
            c.kind.unwrap_or(""),
            envmint::generate::format_bits(c.bits.unwrap_or(0.0)),
            c.reason.map_or("", |r| r.as_str())
        ),
        Action::ExternalDue => format!(
            "({}); run: envmint set {env} {}",
            c.reason.map_or("", |r| r.as_str()),
            c.key
        ),
        Action::CredentialKept => format!(
            "({}); a credential: change it at its service, then run: {}",
            c.reason.map_or("", |r| r.as_str()),
            run_command(env, c).unwrap_or_default()
        ),
        Action::KeyringFull => format!(
            "({}); {} retired key{} kept, none may be dropped: re-encrypt, then run: {}",
            c.reason.map_or("", |r| r.as_str()),
            c.count,
            if c.count == 1 { "" } else { "s" },
            run_command(env, c).unwrap_or_default()
        ),
        _ => {
            let of = c.previous_of.as_deref().unwrap_or("");
            if c.count > 1 {
                format!("{} previous values of {of}", c.count)
            } else {
                format!("previous value of {of}")
            }
        }
    };
    format!("{verb:<20} {:<width$}  {detail}", c.key)
}

/// The state of one environment in the summary.
fn state(r: &EnvReport<'_>, dry_run: bool) -> String {
    if !r.exists() {
        return format!(
            "no store yet: run envmint bootstrap {}, then rotate",
            r.env.name
        );
    }
    if r.refused().is_some() {
        return "refused: the clock is behind its records; nothing written".to_string();
    }
    let count = |a: Action| r.changes.iter().filter(|c| c.action == a).count();
    let rotated = count(Action::Rotated);
    let external = count(Action::ExternalDue);
    let credentials = count(Action::CredentialKept);
    let full = count(Action::KeyringFull);
    let removed = count(Action::ExpiredRemoved) + count(Action::Dropped);
    if r.changes.is_empty() {
        return "nothing due".to_string();
    }
    let mut parts = Vec::new();
    let verb = if dry_run { "would rotate" } else { "rotated" };
    if rotated > 0 {
        parts.push(format!("{verb} {rotated}"));
    }
    if removed > 0 {
        parts.push(format!("{removed} previous removed"));
    }
    if external > 0 {
        parts.push(format!("{external} external due"));
    }
    if credentials > 0 {
        parts.push(format!(
            "{credentials} credential{} kept",
            plural(credentials)
        ));
    }
    if full > 0 {
        parts.push(format!("{full} keyring{} full", plural(full)));
    }
    if !dry_run && !r.written && rotated + removed > 0 {
        parts.push("not written".to_string());
    }
    parts.join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The command a person runs for a change the rotation could not make itself: `envmint set`
/// for an external key, `envmint rotate --key` for a credential (once changed at its service),
/// `envmint retire` for a full keyring.
pub fn run_command(env: &str, c: &Change) -> Option<String> {
    let key = &c.key;
    match c.action {
        Action::ExternalDue => Some(format!("envmint set {env} {key}")),
        Action::CredentialKept => Some(format!("envmint rotate {env} --key {key}")),
        Action::KeyringFull => Some(format!("envmint retire {env} {key}")),
        _ => None,
    }
}

/// Key names wider than this do not widen the summary's key column.
const MAX_KEY_WIDTH: usize = 40;

pub fn print_summary(reports: &[EnvReport<'_>], cwd: &Path, dry_run: bool) {
    let width = reports
        .iter()
        .flat_map(|r| &r.changes)
        .map(|c| c.key.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_KEY_WIDTH);
    for r in reports {
        crate::output::say!(
            "{}: {} ({})",
            r.env.name,
            shown(r.env.store_path(), cwd).display(),
            state(r, dry_run)
        );
        for c in &r.changes {
            crate::output::say!("  {}", change_line(&r.env.name, c, width, dry_run));
        }
    }
}

/// One change; never a value nor a hash.
#[derive(Serialize)]
pub struct JsonChange<'a> {
    key: &'a str,
    /// `rotated`, `retired`, `expired-removed`, `dropped`, `external-due`, `credential-kept`
    /// or `keyring-full`.
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bits: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_of: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    /// For an external key, a kept credential or a full keyring: the command to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
}

pub fn json_change<'a>(env: &str, c: &'a Change) -> JsonChange<'a> {
    JsonChange {
        key: &c.key,
        action: c.action.as_str(),
        reason: c.reason.map(|r| r.as_str()),
        kind: c.kind,
        bits: c.bits.map(crate::output::bits_json),
        previous_of: c.previous_of.as_deref(),
        count: (c.count > 1).then_some(c.count),
        run: run_command(env, c),
    }
}

/// Warns, once the manifest is loaded, about settings that cannot do what they say: an
/// `overlap` longer than `rotate_every` x `keep` (with the `keep` that holds). `audit`
/// reports the same as `overlap-keep`.
pub fn warn_manifest(manifest: &Manifest, cwd: &Path) {
    let file = match manifest.source() {
        envmint::manifest::Source::File(p) => shown(p, cwd).display().to_string(),
        envmint::manifest::Source::Builtin => "<built-in preset>".to_string(),
    };
    let builtin = matches!(manifest.source(), envmint::manifest::Source::Builtin);
    for decl in manifest.secrets() {
        // The line of the secret's table, for a manifest file (the preset's own lines are
        // nowhere a person can edit). Made only for a warning: 10,000 secrets, none warned.
        let at = || {
            if builtin {
                file.clone()
            } else {
                format!("{file}:{}", decl.line)
            }
        };
        if let Some(needed) = envmint::audit::roles::overlap_keep(decl) {
            let f = envmint::audit::roles::overlap_keep_finding(decl, needed);
            crate::output::say!("warning: {}: {}", at(), f.message);
            if let Some(hint) = f.hint {
                crate::output::say!("hint: {hint}");
            }
        }
        if decl.credential_by_name() {
            let key = &decl.key;
            let at = at();
            crate::output::say!(
                "warning: {at}: {key} declares no role but is named like a credential: \
                 `rotate --due` and `--all` keep it as one (a password changed in the file \
                 alone locks the app out of its service); `rotate --key {key}` still renews it"
            );
            crate::output::say!(
                "hint: declare role = \"credential\" in [secrets.{key}] (or role = \"signing\" \
                 if no other service checks it)"
            );
        }
    }
}

/// A warning for each row with something odd about it: a bad record names its own line (the
/// one above the key). Also `rotate` and `plan`'s, so the scheduled job's log names the line.
pub fn warn_problems(rows: &[KeyStatus], file: &Path) {
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
            crate::output::say!("warning: {file}:{line}: {key}: {problem}");
        } else {
            crate::output::say!("warning: {file}:{line}: {key}: {problem}; {consequence}");
        }
    }
}
