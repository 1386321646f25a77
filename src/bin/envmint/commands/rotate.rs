//! `envmint rotate [ENV...]`: plan and apply a rotation in one step, under the locks (the
//! scheduled job: `envmint rotate --due` from cron or CI). Also what `plan` shares with it:
//! choosing environments, `--at`, the session's hooks and errors in the binary's words, the summary.

use super::hooks::staged;
use super::shown;
use crate::cli::{RotateArgs, SelectArgs};
use crate::context::Context;
use envmint::manifest::{Environment, Manifest};
use envmint::plan::rotation::{self, Action, Change, RotationError, Selection};
use envmint::rotation::{EnvReport, Report, Session, SessionError, StageHooks};
use envmint::{Error, Exit, Result, store};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

/// The environments named on the command line (each once, in order), or every declared one;
/// and whether they were named.
pub(super) fn environments<'m>(
    manifest: &'m Manifest,
    names: &[String],
) -> Result<(Vec<&'m Environment>, bool)> {
    if names.is_empty() {
        return Ok((manifest.environments().iter().collect(), false));
    }
    let mut envs: Vec<&Environment> = Vec::new();
    for name in names {
        let env = manifest.environment(name)?;
        if !envs.iter().any(|e| e.name == env.name) {
            envs.push(env);
        }
    }
    Ok((envs, true))
}

/// An argument as an error shows it: control characters escaped, at most 60 characters (it
/// is whatever a script passed, and an error is one line).
fn shown_arg(text: &str) -> String {
    let mut shown: String = text.chars().take(60).flat_map(char::escape_debug).collect();
    if text.chars().nth(60).is_some() {
        shown.push('…');
    }
    shown
}

/// `--at WHEN`, or the clock; `status`, `plan` and `rotate` say the same about a bad one, with
/// the text escaped and cut short (it is whatever a script passed).
pub(super) fn instant(ctx: &Context, at: Option<&str>) -> Result<jiff::Timestamp> {
    let Some(text) = at else {
        return Ok(ctx.now);
    };
    envmint::time::parse_instant(text).map_err(|e| {
        Error::usage(format!("--at {}: {e}", shown_arg(text))).with_hint(e.hint().to_string())
    })
}

/// The selection flags as the library's [`Selection`].
pub(super) fn selection(args: &SelectArgs) -> Selection {
    if args.all {
        Selection::All
    } else if !args.keys.is_empty() {
        Selection::Keys(args.keys.clone())
    } else {
        Selection::Due
    }
}

/// The library's rotation error in the binary's words.
pub(super) fn rotation_error(env: &Environment, err: RotationError) -> Error {
    match err {
        RotationError::NotDeclared { key, environment } => Error::usage(format!(
            "--key {}: not a secret of environment {environment}",
            shown_arg(&key)
        ))
        .with_hint("name a key declared under [secrets] for this environment (see envmint.toml)"),
        RotationError::Edit(e) => super::bootstrap::edit_error(env.store_path(), e),
        RotationError::ClockBehind(behind) => clock_behind(env, &behind),
        RotationError::SeparatorInValue { key, list } => Error::data(
            envmint::error::Location::new(env.store_path(), None),
            format!(
                "{key}: its value contains the separator of {list}, so it cannot be kept in \
                 that list"
            ),
        )
        .with_hint(format!(
            "rotate it without keeping the old value: envmint rotate {} --key {key} --no-overlap",
            env.name
        )),
        RotationError::KeyringFull {
            key,
            environment,
            held,
        } => Error::data(
            envmint::error::Location::new(env.store_path(), None),
            format!(
                "{key}: its keyring is full ({held} retired key{} kept): a new key would push \
                 out one that data may still need",
                if held == 1 { "" } else { "s" }
            ),
        )
        .with_hint(format!(
            "re-encrypt the data under the current key, then remove the old keys with: envmint \
             retire {environment} {key}"
        )),
    }
}

/// A store whose newest record is ahead of the clock (`rotate`, `plan` and `apply`): exit 65
/// naming the record's line, its time and the clock.
pub(super) fn clock_behind(env: &Environment, behind: &envmint::plan::clock::ClockBehind) -> Error {
    Error::data(
        envmint::error::Location::new(env.store_path(), Some(behind.newest.line)),
        format!("{behind}; nothing was changed"),
    )
    .with_hint(
        "check this machine's clock (or --at); a record dated in the future by hand is fixed \
         by correcting or removing that line",
    )
}

/// What the binary plugs into a rotation session: before a store is planned, its recipients
/// are checked (and an unpinned one noted), as for every command that writes a store. With a
/// [`staged::Probe`], each store is also looked at for hook work from the session's own read;
/// with `stop_for_stages`, a run that found some stops before its commit (nothing written), so
/// the stages go first and the session runs again after them.
pub(super) struct Hooks<'a> {
    pub cwd: &'a Path,
    pub probe: Option<staged::Probe<'a>>,
    pub stop_for_stages: bool,
}

impl<'a> Hooks<'a> {
    /// Recipients checked only.
    pub fn plain(cwd: &'a Path) -> Self {
        Hooks {
            cwd,
            probe: None,
            stop_for_stages: false,
        }
    }

    /// Whether the session was stopped for the stages.
    fn stopped(&self) -> bool {
        self.stop_for_stages && self.probe.as_ref().is_some_and(staged::Probe::found_work)
    }
}

impl StageHooks for Hooks<'_> {
    fn opened(&mut self, env: &Environment, snapshot: &store::Snapshot) -> Result<()> {
        super::check_recipients(env, snapshot, self.cwd)?;
        match &mut self.probe {
            Some(probe) => probe.look(env, snapshot),
            None => Ok(()),
        }
    }

    fn stage(&mut self, event: &envmint::rotation::StageEvent<'_>) -> Result<()> {
        if event.stage == envmint::rotation::Stage::Pending && self.stopped() {
            // Never shown: the caller sees `stopped()` and runs the stages first.
            return Err(Error::usage("stopped for the hooks' stages"));
        }
        Ok(())
    }
}

/// The session's error in the binary's words.
pub(super) fn session_error(envs: &[&Environment], err: SessionError) -> Error {
    match err {
        SessionError::Rotation { environment, error } => rotation_error(envs[environment], error),
        SessionError::Other(e) => e,
    }
}

/// Prints what a session found odd in each environment's store (unreadable lines, records that
/// do not read), naming the lines, as `status` does: the scheduled job's log shows them.
pub(super) fn warn_report(report: &mut Report<'_>, cwd: &Path) {
    for r in &mut report.envs {
        let file = shown(r.env.store_path(), cwd);
        for w in &r.warnings {
            super::say!("warning: {}:{}: {}", file.display(), w.line, w.message);
        }
        super::status::warn_problems(&std::mem::take(&mut r.problems), file);
    }
}

pub fn run(ctx: &mut Context, global: &super::Global, args: RotateArgs) -> Result<Exit> {
    let cwd = ctx.cwd()?.to_path_buf();
    let manifest = super::load_manifest(ctx, args.rotation.manifest.as_deref(), &cwd)?;
    super::status::warn_manifest(&manifest, &cwd);
    if args.json {
        super::check_stdout()?;
    }
    let (envs, named) = environments(&manifest, &args.rotation.environments)?;
    let now = instant(ctx, args.rotation.at.as_deref())?;
    let mut options = rotation::Options {
        selection: selection(&args.rotation.select),
        no_overlap: args.no_overlap,
        now,
        skip_undeclared: !named,
        rotated_earlier: HashSet::new(),
        set_at_service: HashSet::new(),
    };
    check_keys_declared(&manifest, &envs, named, &options.selection)?;
    let mut open = super::unseal::store_options(ctx, &envs, &args.rotation.identities)?;

    // Credentials with a `set` hook first, stage by stage, each stage saved under the lock
    // (the pending value is in the store before any hook runs: see hooks/staged.rs); then the
    // session rotates everything else, never a hooked key in the file alone.
    let hook_open = open.clone();
    let hook_run = staged::Run {
        lock: std::cell::OnceCell::new(),
        manifest: &manifest,
        cwd: &cwd,
        open: &hook_open,
        now,
        verbose: global.verbose,
        allow_hooks: args.allow_hooks,
    };
    if args.abandon {
        let keys = args.rotation.select.keys.clone();
        for (env, keys) in staged::abandon(ctx, &hook_run, &envs, &keys)? {
            if keys.is_empty() {
                super::say!("{env}: no pending value to drop");
            }
            for key in keys {
                super::say!(
                    "{env}: {key}: pending value dropped; the current value stays (run the \
                     rotation again for a new one)"
                );
            }
        }
        return Ok(Exit::Ok);
    }
    // Each store is read once, by the session, under its lock; the probe looks at what it read
    // for hook work. None (most scheduled runs): that one read is the run's. Some: the session
    // stops before its commit, the stages run (each under the lock, from the probe's
    // documents), and the session runs again on the stores as they left them.
    options.rotated_earlier = staged::hooked_keys(&manifest);
    let mut hooks = Hooks {
        cwd: &cwd,
        probe: Some(staged::Probe::new(&manifest, &options.selection, now)),
        stop_for_stages: !args.dry_run,
    };
    if !args.dry_run {
        open.timeout = ctx.lock_timeout.get()?;
    }
    let session = Session::new(&manifest, envs.clone(), options.clone());
    let first = if args.dry_run {
        session.dry_run(&open, &mut hooks, &mut ctx.rng)
    } else {
        session.run(
            &open,
            &mut super::lock_waiter(&cwd),
            &mut hooks,
            &mut ctx.rng,
        )
    };
    let found = hooks
        .probe
        .as_mut()
        .map(staged::Probe::take)
        .unwrap_or_default();
    let stopped = !args.dry_run && !found.is_empty();
    let mut stages = staged::run(
        ctx,
        &hook_run,
        &envs,
        &found,
        &options.selection,
        args.dry_run,
    )?;
    let first = if stopped { None } else { Some(first) };
    // A retire hook failed in these: the value it was for stays until it succeeds, so the
    // session does not remove it this run.
    let held: Vec<&Environment> = envs
        .iter()
        .copied()
        .filter(|e| stages.of(&e.name).is_some_and(|s| s.keep_expired))
        .collect();
    let session_envs: Vec<&Environment> = envs
        .iter()
        .copied()
        .filter(|e| !held.iter().any(|h| h.name == e.name))
        .collect();
    let report = match first {
        Some(report) => report.map_err(|e| session_error(&envs, e)),
        None => {
            let session = Session::new(&manifest, session_envs.clone(), options);
            session
                .run(
                    &open,
                    &mut super::lock_waiter(&cwd),
                    &mut Hooks::plain(&cwd),
                    &mut ctx.rng,
                )
                .map_err(|e| session_error(&session_envs, e))
        }
    };
    let mut report = report?;
    warn_report(&mut report, &cwd);
    staged::merge(&mut report.envs, &stages);
    // A store whose records are ahead of the clock is refused (nothing written to it, exit 65
    // at the end) and the others are rotated: a record someone dated in the future in one
    // store must not stop the scheduled rotation of every store.
    let refusal = report
        .envs
        .iter()
        .find_map(|r| r.refused().map(|b| clock_behind(r.env, b)));
    let failure = report.failure.take().or(refusal);
    // `reencrypt` (its success retires the old keys), then `after`, once per environment
    // whose store got a new value in this run.
    if !args.dry_run {
        for r in &mut report.envs {
            let rotated: Vec<String> = r
                .changes
                .iter()
                .filter(|c| c.action == Action::Rotated)
                .map(|c| c.key.clone())
                .collect();
            if r.written && !rotated.is_empty() {
                let retired = staged::reencrypt(ctx, &hook_run, r.env, &rotated, &mut stages)?;
                r.changes.extend(retired);
            }
        }
        for r in &report.envs {
            let rotated = r.changes.iter().any(|c| c.action == Action::Rotated);
            if r.written && rotated && r.env.after.is_some() {
                staged::after_run(ctx, &hook_run, r.env, &mut stages)?;
            }
        }
    }
    finish(&args, &report.envs, &stages, &cwd, now, failure)
}

/// Refuses, before any store is read, a `--key` that a named environment does not declare, or
/// (environments not named) that no environment declares: see
/// [`rotation::Options::skip_undeclared`].
pub(super) fn check_keys_declared(
    manifest: &Manifest,
    envs: &[&Environment],
    named: bool,
    selection: &Selection,
) -> Result<()> {
    let Selection::Keys(keys) = selection else {
        return Ok(());
    };
    let declares =
        |env: &Environment, key: &str| manifest.secrets_for(&env.name).any(|s| s.key == key);
    for key in keys {
        if named {
            if let Some(env) = envs.iter().find(|e| !declares(e, key)) {
                return Err(rotation_error(
                    env,
                    RotationError::NotDeclared {
                        key: key.clone(),
                        environment: env.name.clone(),
                    },
                ));
            }
        } else if !envs.iter().any(|e| declares(e, key)) {
            return Err(Error::usage(format!(
                "--key {}: not a secret of any environment",
                shown_arg(key)
            ))
            .with_hint("name a key declared under [secrets] in envmint.toml"));
        }
    }
    Ok(())
}

fn finish(
    args: &RotateArgs,
    reports: &[EnvReport<'_>],
    stages: &staged::Outcome,
    cwd: &Path,
    now: jiff::Timestamp,
    failure: Option<Error>,
) -> Result<Exit> {
    if args.json {
        print_json(reports, Some(stages), cwd, now, args.dry_run)?;
    } else {
        print_summary(reports, cwd, args.dry_run);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    // A hook that failed: the run did what it could (the other keys went on), and says which
    // stage, key and status, with how to resume. Exit 1, as for a check that found problems.
    for f in &stages.failures {
        super::say!("error: {}", f.message);
        super::say!("hint: {}", f.hint);
    }
    if stages.failures.is_empty() {
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Problems)
    }
}

/// The summary of one change, as a line (without the leading spaces). Never a value.
pub(super) fn change_line(env: &str, c: &Change, width: usize, dry_run: bool) -> String {
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
pub(super) fn run_command(env: &str, c: &Change) -> Option<String> {
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

pub(super) fn print_summary(reports: &[EnvReport<'_>], cwd: &Path, dry_run: bool) {
    let width = reports
        .iter()
        .flat_map(|r| &r.changes)
        .map(|c| c.key.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_KEY_WIDTH);
    for r in reports {
        super::say!(
            "{}: {} ({})",
            r.env.name,
            shown(r.env.store_path(), cwd).display(),
            state(r, dry_run)
        );
        for c in &r.changes {
            super::say!("  {}", change_line(&r.env.name, c, width, dry_run));
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    dry_run: bool,
    /// The instant of the run (`--at` or the clock).
    at: String,
    environments: Vec<JsonEnv<'a>>,
}

#[derive(Serialize)]
struct JsonEnv<'a> {
    environment: &'a str,
    file: std::borrow::Cow<'a, str>,
    exists: bool,
    written: bool,
    /// Present (true) when the store was refused: its records are ahead of the clock.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    refused: bool,
    changes: Vec<JsonChange<'a>>,
    /// The hooks that ran, in order (present when any did).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hooks: &'a [staged::StageRun],
}

/// One change; never a value nor a hash.
#[derive(Serialize)]
pub(super) struct JsonChange<'a> {
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

pub(super) fn json_change<'a>(env: &str, c: &'a Change) -> JsonChange<'a> {
    JsonChange {
        key: &c.key,
        action: c.action.as_str(),
        reason: c.reason.map(|r| r.as_str()),
        kind: c.kind,
        bits: c.bits.map(super::bits_json),
        previous_of: c.previous_of.as_deref(),
        count: (c.count > 1).then_some(c.count),
        run: run_command(env, c),
    }
}

fn print_json(
    reports: &[EnvReport<'_>],
    stages: Option<&staged::Outcome>,
    cwd: &Path,
    now: jiff::Timestamp,
    dry_run: bool,
) -> Result<()> {
    let environments = reports
        .iter()
        .map(|r| JsonEnv {
            environment: &r.env.name,
            file: shown(r.env.store_path(), cwd).to_string_lossy(),
            exists: r.exists(),
            written: r.written,
            refused: r.refused().is_some(),
            hooks: stages
                .and_then(|s| s.of(&r.env.name))
                .map_or(&[][..], |s| &s.runs[..]),
            changes: r
                .changes
                .iter()
                .map(|c| json_change(&r.env.name, c))
                .collect(),
        })
        .collect();
    let report = JsonReport {
        dry_run,
        at: envmint::time::format_timestamp(now),
        environments,
    };
    let text = serde_json::to_string(&report).map_err(|e| {
        envmint::error::FileError::os("<stdout>", envmint::error::Op::WriteStdout, e.into())
    })?;
    super::print_line(&text)
}
