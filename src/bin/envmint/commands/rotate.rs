//! `envmint rotate [ENV...]`: plan and apply a rotation in one step, under the locks (the
//! scheduled job: `envmint rotate --due` from cron or CI). Also what `plan` shares with it:
//! choosing environments, `--at`, building each environment's rotation, the summary.

use super::hooks::staged;
use super::shown;
use crate::cli::{RotateArgs, SelectArgs};
use crate::context::Context;
use envmint::dotenv::Document;
use envmint::manifest::{Environment, Manifest};
use envmint::plan::clock::ClockBehind;
use envmint::plan::edit::apply_edits;
use envmint::plan::rotation::{self, Action, Change, RotationError, Selection};
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

/// What a rotation of one environment does, as the commands report it.
pub(super) struct Planned {
    /// What changes, key by key.
    pub changes: Vec<Change>,
    /// Whether the document changes.
    pub edited: bool,
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

/// Builds the rotation of `env` from `snapshot` and applies it to a copy of its document.
pub(super) fn build(
    manifest: &Manifest,
    env: &Environment,
    snapshot: &store::Snapshot,
    options: &rotation::Options,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<(Document, rotation::Built)> {
    build_checked(manifest, env, snapshot, options, rng)?.map_err(|b| clock_behind(env, &b))
}

/// [`build`], with a store whose records are ahead of the clock told apart (`Ok(Err(..))`):
/// `rotate` refuses that store and goes on with the others.
fn build_checked(
    manifest: &Manifest,
    env: &Environment,
    snapshot: &store::Snapshot,
    options: &rotation::Options,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<std::result::Result<(Document, rotation::Built), ClockBehind>> {
    let mut doc = snapshot.document()?;
    let built = match rotation::build(manifest, env, &doc, options, rng) {
        Ok(built) => built,
        Err(RotationError::ClockBehind(behind)) => return Ok(Err(behind)),
        Err(e) => return Err(rotation_error(env, e)),
    };
    apply_edits(&mut doc, &built.edits)
        .map_err(|e| super::bootstrap::edit_error(env.store_path(), e))?;
    Ok(Ok((doc, built)))
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
    };
    check_keys_declared(&manifest, &envs, named, &options.selection)?;
    let mut open = super::unseal::store_options(ctx, &envs, &args.rotation.identities)?;

    // Credentials with hooks first, stage by stage (each stage saved under the lock), then
    // the plain rotation of everything else: it never changes a hooked key in the file alone.
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
        let dropped = staged::abandon(ctx, &hook_run, &envs, &keys)?;
        for (env, keys) in &dropped {
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
    let mut stages = staged::run(ctx, &hook_run, &envs, &options.selection, args.dry_run)?;
    options.rotated_earlier.extend(stages.keys.iter().cloned());
    let rng = &mut ctx.rng;

    // Pass 1, without locks: every store read and its rotation built, so a broken file in the
    // last environment stops the run before the first is touched. This is also --dry-run.
    // Environments sharing a store are planned one on top of the other, as the commit does,
    // each without the keys the ones before it rotated (`rotated[i]`: pending[i]'s).
    let mut reports: Vec<EnvReport<'_>> = Vec::new();
    let mut pending: Vec<store::Pending<'_, Planned>> = Vec::new();
    let mut pending_envs: Vec<&Environment> = Vec::new();
    let mut rotated: Vec<HashSet<String>> = Vec::new();
    let mut refusals: Vec<Error> = Vec::new();
    for env in &envs {
        if stages.of(&env.name).is_some_and(|s| s.keep_expired) {
            // A retire hook failed: the value it was for stays until it succeeds.
            reports.push(EnvReport {
                env,
                exists: true,
                written: false,
                refused: false,
                changes: Vec::new(),
            });
            continue;
        }
        let storage = store::Storage::of(env)?;
        let earlier = pending_envs
            .iter()
            .rposition(|e| e.store_path() == env.store_path());
        let snapshot = match earlier {
            Some(j) => store::Snapshot::of_document(storage.clone(), &pending[j].staged.doc),
            None => store::peek(storage.clone(), &open)?,
        };
        super::check_recipients(env, &snapshot, &cwd)?;
        if !snapshot.exists() {
            reports.push(EnvReport {
                env,
                exists: false,
                written: false,
                refused: false,
                changes: Vec::new(),
            });
            continue;
        }
        let options = shared_options(&options, &pending_envs, &rotated, env);
        let (doc, mut built) = match build_checked(&manifest, env, &snapshot, &options, rng)? {
            Ok(built) => built,
            // The clock is behind this store's records: it is refused (nothing written to
            // it, exit 65 at the end), and the others are rotated. A record someone dated in
            // the future in one store must not stop the scheduled rotation of every store.
            Err(behind) => {
                refusals.push(clock_behind(env, &behind));
                reports.push(EnvReport {
                    env,
                    exists: true,
                    written: false,
                    refused: true,
                    changes: Vec::new(),
                });
                continue;
            }
        };
        let file = shown(env.store_path(), &cwd);
        for w in doc.warnings() {
            super::say!("warning: {}:{}: {}", file.display(), w.line, w.message);
        }
        let disk = match earlier {
            Some(j) => Some(pending[j].snapshot.document()?),
            None => None,
        };
        warn_problems(std::mem::take(&mut built.problems), disk.as_ref(), file);
        rotated.push(rotated_keys(&built.changes));
        reports.push(EnvReport {
            env,
            exists: true,
            written: false,
            refused: false,
            changes: Vec::new(),
        });
        pending_envs.push(env);
        pending.push(store::Pending {
            storage,
            mode: super::bootstrap::declared_mode(env),
            snapshot,
            staged: store::Staged {
                doc,
                report: Planned {
                    edited: !built.is_empty(),
                    changes: built.changes,
                },
            },
        });
    }

    if args.dry_run {
        let mut planned = pending.into_iter().map(|p| p.staged.report);
        for r in reports.iter_mut().filter(|r| r.exists && !r.refused) {
            if let Some(p) = planned.next() {
                r.changes = p.changes;
            }
        }
        merge_stages(&mut reports, &stages);
        return finish(
            &args,
            &reports,
            &stages,
            &cwd,
            now,
            refusals.into_iter().next(),
        );
    }

    // Pass 2, under the locks of every store's folder: a store that moved since pass 1 is
    // planned again from what it holds now (with new values).
    open.timeout = ctx.lock_timeout.get()?;
    let done = store::transact(
        pending,
        &open,
        &mut super::lock_waiter(&cwd),
        |p: &Planned| p.edited,
        &mut |i, snapshot| {
            let env = pending_envs[i];
            let options = shared_options(&options, &pending_envs[..i], &rotated[..i], env);
            let (doc, built) = build(&manifest, env, snapshot, &options, rng)?;
            rotated[i] = rotated_keys(&built.changes);
            Ok(store::Staged {
                doc,
                report: Planned {
                    edited: !built.is_empty(),
                    changes: built.changes,
                },
            })
        },
    )?;
    let mut outcomes = done.outcomes.into_iter();
    for r in reports.iter_mut().filter(|r| r.exists && !r.refused) {
        if let Some(o) = outcomes.next() {
            r.written = o.written;
            r.changes = o.report.changes;
        }
    }
    let failure = done.failure.or_else(|| refusals.into_iter().next());
    merge_stages(&mut reports, &stages);
    // `after`, once per environment whose store got a new value in this run.
    for r in &reports {
        let rotated = r.changes.iter().any(|c| c.action == Action::Rotated);
        if r.written && rotated && r.env.after.is_some() {
            let mut es = staged::EnvStages {
                environment: r.env.name.clone(),
                ..Default::default()
            };
            if let Some(f) = staged::after(ctx, &hook_run, r.env, &mut es)? {
                stages.failures.push(f);
            }
            match stages.envs.iter_mut().find(|e| e.environment == r.env.name) {
                Some(e) => e.runs.extend(es.runs),
                None => stages.envs.push(es),
            }
        }
    }
    finish(&args, &reports, &stages, &cwd, now, failure)
}

/// Puts what the stages did into the environments' reports: their changes first.
fn merge_stages(reports: &mut [EnvReport<'_>], stages: &staged::Outcome) {
    for r in reports.iter_mut() {
        if let Some(s) = stages.of(&r.env.name) {
            let mut changes = s.changes.clone();
            changes.append(&mut r.changes);
            r.changes = changes;
            r.written |= s.written;
        }
    }
}

/// Warns about the odd keys of a rotation (a record that does not read...) as `status` does,
/// so the scheduled job's log names the line. `disk`: the store as read, when the rotation was
/// planned on top of another environment's changes to it (lines it inserted would shift
/// the numbers).
pub(super) fn warn_problems(
    mut problems: Vec<envmint::plan::status::KeyStatus>,
    disk: Option<&Document>,
    file: &Path,
) {
    if let Some(doc) = disk {
        for row in &mut problems {
            row.line = doc
                .line_of_key(&row.key)
                .or_else(|| doc.broken_line(&row.key));
        }
    }
    super::status::warn_problems(&problems, file);
}

/// The keys a rotation gives new values.
pub(super) fn rotated_keys(changes: &[Change]) -> HashSet<String> {
    changes
        .iter()
        .filter(|c| c.action == Action::Rotated)
        .map(|c| c.key.clone())
        .collect()
}

/// `options` for `env`, planned on top of the environments `before` it (`rotated`: the keys
/// each of them rotated): the keys those sharing its store rotated are not rotated again.
pub(super) fn shared_options(
    options: &rotation::Options,
    before: &[&Environment],
    rotated: &[HashSet<String>],
    env: &Environment,
) -> rotation::Options {
    let mut shared = options.clone();
    for (e, keys) in before.iter().zip(rotated) {
        if e.store_path() == env.store_path() {
            shared.rotated_earlier.extend(keys.iter().cloned());
        }
    }
    shared
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

/// What happened to one environment.
pub(super) struct EnvReport<'a> {
    pub env: &'a Environment,
    /// Whether its store exists (a store that does not is skipped: bootstrap makes it).
    pub exists: bool,
    pub written: bool,
    /// Whether the store was refused: its records are ahead of the clock.
    pub refused: bool,
    pub changes: Vec<Change>,
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
    // A hook that failed: the run did what it could (the others went on), and says which
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
    if !r.exists {
        return format!(
            "no store yet: run envmint bootstrap {}, then rotate",
            r.env.name
        );
    }
    if r.refused {
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
            exists: r.exists,
            written: r.written,
            refused: r.refused,
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
