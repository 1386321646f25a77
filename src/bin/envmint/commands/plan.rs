//! `envmint plan [ENV...]`: the rotation `rotate` would make, as a redacted summary, and with
//! `-o PLANFILE` saved with its new values for `envmint apply`.

use crate::hooks::staged;

use crate::cli::PlanArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::resolve::manifest_dir;
use crate::resolve::store_name;
use envmint::Exit;
use envmint::error::{ClockBehindError, FileProblem};
use envmint::manifest::{Environment, Manifest};
use envmint::path::shown;
use envmint::plan::file::{self, EnvSecrets, EnvToSave, SummaryLine};
use envmint::plan::rotation::{self, Action, Change};
use envmint::rotation::{EnvReport, Session};
use serde::Serialize;
use std::path::Path;

/// The summary line a plan file keeps for a change.
fn summary_line(c: &Change) -> SummaryLine {
    let action = match c.action {
        Action::Rotated => "rotate",
        Action::Retired => "retire",
        Action::ExpiredRemoved => "remove-expired",
        Action::Dropped => "drop",
        Action::ExternalDue => "external-due",
        Action::CredentialKept => "credential-kept",
        Action::KeyringFull => "keyring-full",
    };
    SummaryLine {
        key: c.key.clone(),
        action: action.to_string(),
        reason: c.reason.map(|r| r.as_str().to_string()),
        kind: c.kind.map(str::to_string),
        bits: c.bits,
    }
}

struct Made<'a> {
    env: &'a Environment,
    secrets: EnvSecrets,
    summary: Vec<SummaryLine>,
    /// The credentials with a `set` hook `apply` takes through the stages (`None`: the
    /// environment has none, and its digests are of the whole plaintext).
    hooked: Option<Vec<String>>,
}

pub fn run(
    ctx: &mut Context,
    resolved: &crate::resolve::Resolved,
    global: &crate::resolve::Global,
    args: PlanArgs,
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
        selection: crate::resolve::selection(&args.rotation.select),
        no_overlap: false,
        now,
        skip_undeclared: !named,
        rotated_earlier: Default::default(),
        set_at_service: Default::default(),
    };
    crate::resolve::check_keys_declared(manifest, &envs, named, &options.selection)?;
    let open = resolved.store_options(ctx, &envs)?;
    let dir = manifest_dir(manifest, &cwd);

    // Credentials with a `set` hook are rotated stage by stage (`envmint rotate`, or `envmint
    // apply --allow-hooks` of this plan): a plan lists them and their hooks, and its file
    // names them but never carries a new value for one (made when applied, under the lock,
    // then set at the service before it is current).
    let hook_run = staged::Run {
        lock: std::cell::OnceCell::new(),
        manifest,
        cwd: &cwd,
        open: &open,
        now,
        verbose: global.verbose,
        allow_hooks: false,
        resolved,
        mac_key: std::cell::OnceCell::new(),
    };
    options.rotated_earlier = staged::hooked_keys(manifest);
    let mut hooks = crate::hooks::session::Hooks {
        cwd: &cwd,
        probe: Some(staged::Probe::new(manifest, &options.selection, now)),
        stop_for_stages: false,
    };

    // Without the lock: the plan is checked against the stores again when it is applied. Each
    // store is read once: the probe looks at the session's read for hook work.
    let selection = options.selection.clone();
    let session = Session::new(manifest, envs.clone(), options).saving_plan();
    let mut report = session
        .dry_run(&open, &mut hooks, &mut ctx.rng)
        .map_err(|e| crate::report::rotation::session_error(&envs, e))?;
    let found = hooks
        .probe
        .as_mut()
        .map(staged::Probe::take)
        .unwrap_or_default();
    let stages = staged::run(ctx, &hook_run, &envs, &found, &selection, true)?;
    crate::changes::warn_report(&mut report, &cwd);
    // A store whose records are ahead of the clock is left out of the plan (exit 65 at the
    // end, naming it) and the others are planned, as `rotate` rotates them: a record someone
    // dated in the future in one store must not stop the plan of every store.
    let refusal = report.envs.iter().find_map(|r| {
        r.refused()
            .map(|b| Error::from(ClockBehindError::new(r.env.store_path(), b.clone())))
    });
    let made: Vec<Made<'_>> = report
        .envs
        .iter_mut()
        .filter_map(|r| {
            let saved = r.saved.take()?;
            let hooked =
                (!envmint::hooks::stage::staged_names(manifest, r.env).is_empty()).then(|| {
                    stages.of(&r.env.name).map_or_else(Vec::new, |s| {
                        s.changes
                            .iter()
                            .filter(|c| c.action == Action::Rotated)
                            .map(|c| c.key.clone())
                            .collect()
                    })
                });
            Some(Made {
                env: r.env,
                hooked,
                summary: r.changes.iter().map(summary_line).collect(),
                secrets: EnvSecrets {
                    before: saved.before,
                    after: saved.after,
                    edits: saved.edits,
                },
            })
        })
        .collect();
    let mut reports = report.envs;
    staged::merge(&mut reports, &stages);
    let hooks = planned_hooks(manifest, &reports, &stages);

    // Every store refused: no plan to write.
    let output = args
        .output
        .as_ref()
        .filter(|_| refusal.is_none() || !made.is_empty());
    if let Some(path) = output {
        write_plan(ctx, resolved, path, &dir, now, &made)?;
        // A plan holds the new values (in the clear for a plain environment).
        crate::output::warn_unignored(path, false, &cwd);
    }
    if args.json {
        print_json(&reports, &hooks, &cwd, now, output.map(|p| p.as_path()))?;
    } else {
        crate::changes::print_summary(&reports, &cwd, true);
        print_hooks(&hooks);
        if let Some(path) = output {
            crate::output::say!(
                "plan written to {}; apply it with: envmint apply {}",
                shown(path, &cwd).display(),
                shown(path, &cwd).display()
            );
        }
    }
    match refusal {
        Some(e) => Err(e),
        None => Ok(Exit::Ok),
    }
}

/// Writes the plan file, 0600, through the atomic writer; each sealed environment's secret
/// part encrypted to its recipients.
fn write_plan(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    path: &Path,
    dir: &Path,
    now: jiff::Timestamp,
    made: &[Made<'_>],
) -> Result<()> {
    let mut recipients = Vec::with_capacity(made.len());
    for m in made {
        recipients.push(match &m.env.sealed {
            Some(s) => Some(s.all_recipients(ctx.euid)?),
            None => None,
        });
    }
    let stores: Vec<String> = made.iter().map(|m| store_name(m.env, dir)).collect();
    let envs: Vec<EnvToSave<'_>> = made
        .iter()
        .zip(&recipients)
        .zip(&stores)
        .map(|((m, r), store)| EnvToSave {
            name: &m.env.name,
            store,
            summary: &m.summary,
            hooked: m.hooked.as_deref(),
            recipients: r.as_deref(),
            secrets: &m.secrets,
        })
        .collect();
    let bytes = file::render(path, &envmint::time::format_timestamp(now), &envs)?;
    let within = crate::target::output_bounds(ctx, path, ctx.cwd()?)?;
    let lock = envmint::atomic::lock(path, &within, resolved.lock_timeout(&ctx.lock_timeout)?)?;
    check_replaceable(path, ctx.euid)?;
    Ok(lock.write(&bytes)?)
}

/// `-o` replaces only an earlier plan (or an empty file, as `mktemp` makes): `plan -o .env`
/// or `-o envmint.toml`, a slip of the keyboard, would otherwise put the plan where the
/// secrets or the manifest were, and the unmanaged keys with them would be gone.
fn check_replaceable(path: &Path, euid: u32) -> Result<()> {
    // Opened without blocking, and only a regular file is looked into: anything else (a FIFO,
    // a device) is left to the writer, which refuses it in its own words (73).
    let head = match envmint::atomic::read_head(path, file::MARK_WITHIN, euid) {
        Err(envmint::Error::File(e)) if matches!(e.problem, FileProblem::NotRegular { .. }) => {
            return Ok(());
        }
        head => head?,
    };
    if head.is_none_or(|h| h.is_empty() || file::looks_like_plan(&h)) {
        return Ok(());
    }
    Err(Error::cant_create(
        path,
        "it exists and is not an envmint plan; `plan -o` replaces only an earlier plan",
    )
    .with_hint("name a new file (rotation.plan), or remove this one first if it is yours to lose"))
}

/// A hook a rotation of this plan runs (`envmint apply --allow-hooks`, or `envmint rotate`).
#[derive(Serialize)]
struct PlannedHook<'a> {
    environment: &'a str,
    /// The secret (absent for an environment's `after`).
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a str>,
    /// `set`, `test`, `retire`, `reencrypt` or `after`.
    stage: &'static str,
    /// The command, as the manifest gives it.
    command: &'a str,
}

/// The hooks of the keys the stages would take (`set`, `test`, and `retire` when declared),
/// and `after` of each environment that would get a new value.
fn planned_hooks<'a>(
    manifest: &'a Manifest,
    reports: &[EnvReport<'a>],
    stages: &staged::Outcome,
) -> Vec<PlannedHook<'a>> {
    let mut out = Vec::new();
    for r in reports {
        let name = r.env.name.as_str();
        if let Some(s) = stages.of(name) {
            for c in s.changes.iter().filter(|c| c.action == Action::Rotated) {
                let Some(decl) = manifest.secrets().iter().find(|d| d.key == c.key) else {
                    continue;
                };
                for (stage, command) in decl.hooks.iter().flat_map(|h| h.named()) {
                    out.push(PlannedHook {
                        environment: name,
                        key: Some(&decl.key),
                        stage,
                        command,
                    });
                }
            }
        }
        if let Some(after) = &r.env.after
            && r.changes.iter().any(|c| c.action == Action::Rotated)
        {
            out.push(PlannedHook {
                environment: name,
                key: None,
                stage: "after",
                command: after,
            });
        }
    }
    out
}

/// The hooks, one line each, after the summary.
fn print_hooks(hooks: &[PlannedHook<'_>]) {
    if hooks.is_empty() {
        return;
    }
    crate::output::say!(
        "hooks (envmint apply --allow-hooks or envmint rotate runs them, stage by stage; a plan \
         file names a hooked credential, its new value is made when applied):"
    );
    for h in hooks {
        crate::output::say!(
            "  {}: {} {}: {}",
            h.environment,
            h.key.unwrap_or("environment"),
            h.stage,
            crate::hooks::one_line(h.command)
        );
    }
}

#[derive(Serialize)]
struct JsonPlan<'a> {
    /// The instant the plan was made for.
    at: String,
    /// The plan file written, if any.
    plan_file: Option<std::borrow::Cow<'a, str>>,
    environments: Vec<JsonEnv<'a>>,
    /// The hooks `envmint apply` (or `envmint rotate`) would run for this plan's keys.
    hooks: &'a [PlannedHook<'a>],
}

#[derive(Serialize)]
struct JsonEnv<'a> {
    environment: &'a str,
    file: std::borrow::Cow<'a, str>,
    exists: bool,
    changes: Vec<crate::changes::JsonChange<'a>>,
}

fn print_json(
    reports: &[EnvReport<'_>],
    hooks: &[PlannedHook<'_>],
    cwd: &Path,
    now: jiff::Timestamp,
    output: Option<&Path>,
) -> Result<()> {
    let environments = reports
        .iter()
        .map(|r| JsonEnv {
            environment: &r.env.name,
            file: shown(r.env.store_path(), cwd).to_string_lossy(),
            exists: r.exists(),
            changes: r
                .changes
                .iter()
                .map(|c| crate::changes::json_change(&r.env.name, c))
                .collect(),
        })
        .collect();
    let report = JsonPlan {
        at: envmint::time::format_timestamp(now),
        plan_file: output.map(|p| shown(p, cwd).to_string_lossy()),
        environments,
        hooks,
    };
    let text = serde_json::to_string(&report).map_err(|e| {
        envmint::error::FileError::os("<stdout>", envmint::error::Op::WriteStdout, e.into())
    })?;
    crate::output::print_line(&text)
}
