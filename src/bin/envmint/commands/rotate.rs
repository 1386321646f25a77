//! `envmint rotate [ENV...]`: plan and apply a rotation in one step, under the locks (the
//! scheduled job: `envmint rotate --due` from cron or CI). What `plan` shares with it is in
//! `resolve` (environments, `--at`, the selection), `changes` (the summary),
//! `hooks::session` (the session's hooks) and `report::rotation` (its errors in words).

use crate::changes::JsonChange;
use crate::changes::json_change;
use crate::changes::print_summary;
use crate::changes::warn_report;
use crate::cli::RotateArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::hooks::staged;
use crate::report::rotation::session_error;
use crate::resolve::Resolved;
use crate::resolve::check_keys_declared;
use crate::resolve::selection;
use envmint::Exit;
use envmint::error::ClockBehindError;
use envmint::manifest::Environment;
use envmint::path::shown;
use envmint::plan::rotation::{self, Action};
use envmint::rotation::{EnvReport, Session};
use serde::Serialize;
use std::collections::HashSet;
use std::path::Path;

pub fn run(
    ctx: &mut Context,
    resolved: &Resolved,
    global: &crate::resolve::Global,
    args: RotateArgs,
) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    crate::changes::warn_manifest(manifest, &cwd);
    if args.json {
        crate::output::check_stdout()?;
    }
    let (envs, named) = resolved.environments(ctx)?;
    let now = resolved.now(ctx)?;
    let mut options = rotation::Options {
        selection: selection(&args.rotation.select),
        no_overlap: args.no_overlap,
        now,
        skip_undeclared: !named,
        rotated_earlier: HashSet::new(),
        set_at_service: HashSet::new(),
    };
    check_keys_declared(manifest, &envs, named, &options.selection)?;
    let mut open = resolved.store_options(ctx, &envs)?;

    // Credentials with a `set` hook first, stage by stage, each stage saved under the lock
    // (the pending value is in the store before any hook runs: see hooks/staged.rs); then the
    // session rotates everything else, never a hooked key in the file alone.
    let hook_open = open.clone();
    let hook_run = staged::Run {
        lock: std::cell::OnceCell::new(),
        manifest,
        cwd: &cwd,
        open: &hook_open,
        now,
        verbose: global.verbose,
        allow_hooks: args.allow_hooks,
        resolved,
        mac_key: std::cell::OnceCell::new(),
    };
    if args.abandon {
        let keys = args.rotation.select.keys.clone();
        for (env, keys) in staged::abandon(ctx, &hook_run, &envs, &keys)? {
            if keys.is_empty() {
                crate::output::say!("{env}: no pending value to drop");
            }
            for key in keys {
                crate::output::say!(
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
    options.rotated_earlier = staged::hooked_keys(manifest);
    let mut hooks = crate::hooks::session::Hooks {
        cwd: &cwd,
        probe: Some(staged::Probe::new(manifest, &options.selection, now)),
        stop_for_stages: !args.dry_run,
    };
    if !args.dry_run {
        open.timeout = resolved.lock_timeout(&ctx.lock_timeout)?;
    }
    let session = Session::new(manifest, envs.clone(), options.clone());
    let first = if args.dry_run {
        session.dry_run(&open, &mut hooks, &mut ctx.rng)
    } else {
        session.run(
            &open,
            &mut crate::output::lock_waiter(&cwd),
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
            let session = Session::new(manifest, session_envs.clone(), options);
            session
                .run(
                    &open,
                    &mut crate::output::lock_waiter(&cwd),
                    &mut crate::hooks::session::Hooks::plain(&cwd),
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
    let refusal = report.envs.iter().find_map(|r| {
        r.refused()
            .map(|b| Error::from(ClockBehindError::new(r.env.store_path(), b.clone())))
    });
    let failure = report.failure.take().map(Error::from).or(refusal);
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
    finish(&args, &report.envs, &held, &stages, &cwd, now, failure)
}

/// Prints the summary (or `--json`): every environment the session rotated, then each one
/// `held` out of it because a `retire` hook failed (what its stages did, and that nothing else
/// was rotated or removed there), so no environment of the run goes unmentioned.
fn finish(
    args: &RotateArgs,
    reports: &[EnvReport<'_>],
    held: &[&Environment],
    stages: &staged::Outcome,
    cwd: &Path,
    now: jiff::Timestamp,
    failure: Option<Error>,
) -> Result<Exit> {
    if args.json {
        print_json(reports, held, Some(stages), cwd, now, args.dry_run)?;
    } else {
        print_summary(reports, cwd, args.dry_run);
        for env in held {
            let changes = stages.of(&env.name).map_or(&[][..], |s| &s.changes[..]);
            crate::output::say!(
                "{}: {} (held: a retire hook failed, so nothing else was rotated or removed \
                 here this run){}",
                env.name,
                shown(env.store_path(), cwd).display(),
                if changes.is_empty() {
                    ""
                } else {
                    "; its hooked keys:"
                }
            );
            let width = changes.iter().map(|c| c.key.len()).max().unwrap_or(0);
            for c in changes {
                crate::output::say!(
                    "  {}",
                    crate::changes::change_line(&env.name, c, width, false)
                );
            }
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    // A hook that failed: the run did what it could (the other keys went on), and says which
    // stage, key and status, with how to resume.
    Ok(stages.say_failures(Exit::Ok))
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
    /// Present (true) when a `retire` hook failed here: the session left it alone this run.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    held: bool,
    changes: Vec<JsonChange<'a>>,
    /// The hooks that ran, in order (present when any did).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hooks: &'a [staged::StageRun],
}

fn print_json(
    reports: &[EnvReport<'_>],
    held: &[&Environment],
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
            held: false,
            hooks: stages
                .and_then(|s| s.of(&r.env.name))
                .map_or(&[][..], |s| &s.runs[..]),
            changes: r
                .changes
                .iter()
                .map(|c| json_change(&r.env.name, c))
                .collect(),
        })
        .chain(held.iter().map(|env| {
            let s = stages.and_then(|s| s.of(&env.name));
            JsonEnv {
                environment: &env.name,
                file: shown(env.store_path(), cwd).to_string_lossy(),
                exists: true,
                written: s.is_some_and(|s| s.written),
                refused: false,
                held: true,
                hooks: s.map_or(&[][..], |s| &s.runs[..]),
                changes: s
                    .map_or(&[][..], |s| &s.changes[..])
                    .iter()
                    .map(|c| json_change(&env.name, c))
                    .collect(),
            }
        }))
        .collect();
    let report = JsonReport {
        dry_run,
        at: envmint::time::format_timestamp(now),
        environments,
    };
    let text = serde_json::to_string(&report).map_err(|e| {
        envmint::error::FileError::os("<stdout>", envmint::error::Op::WriteStdout, e.into())
    })?;
    crate::output::print_line(&text)
}
