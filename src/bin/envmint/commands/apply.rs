//! `envmint apply PLANFILE`: replay a plan saved by `envmint plan -o` on every environment in
//! it, as one group commit.
//!
//! How a store's state is told: the plan holds the SHA-256 of each store's plaintext before and
//! after. Under the locks, each store's plaintext is hashed: equal to "after", the environment
//! is already applied and skipped; equal to "before", the plan's edits are replayed on the
//! document and the result must hash to "after" (edits are deterministic, so it does unless
//! the plan file was altered); anything else refuses the whole plan (exit 65, naming the
//! store) before any file is written. An apply killed between two renames therefore completes
//! when run again, and a plan applied twice changes nothing the second time.
//!
//! The digests prove nothing about who wrote the plan (anyone who can write the file can
//! recompute them, and a sealed part is encrypted to public recipients), so every edit is first
//! held to the variables a rotation of its environment may touch and to records envmint
//! writes ([`check_edits`]).
//!
//! Credentials with a `set` hook: the plan names them (never a value for one) and, once the
//! edits are written, they go through the stages as `rotate` takes them (`staged::run`, the
//! same allowance), then the environment's `after` hook. Their variables are left out of the
//! digests of such a plan ([`envmint::hooks::stage::plan_digest`]), so a plan applied, stages
//! and all, reads as applied; a named credential rotated since the plan was made is not
//! rotated again, and a pending one resumes.

use crate::cli::ApplyArgs;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::hooks::staged;
use crate::resolve::{manifest_dir, store_name};
use envmint::error::{ClockBehindError, Location};
use envmint::manifest::{Environment, Source};
use envmint::path::shown;
use envmint::plan::edit::check_edits;
use envmint::plan::file::{self, EnvSecrets, MAX_PLAN_BYTES, SummaryLine};
use envmint::plan::rotation::Change;
use envmint::plan::status;
use envmint::rotation::replay::{self, Done, ReplayError, Replayed};
use envmint::time::format_timestamp;
use envmint::{Exit, store};
use serde::Serialize;
use std::path::Path;

pub fn run(
    ctx: &mut Context,
    resolved: &crate::resolve::Resolved,
    global: &crate::resolve::Global,
    args: ApplyArgs,
) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    if args.json {
        crate::output::check_stdout()?;
    }
    let (bytes, meta) =
        envmint::atomic::read_regular_with_metadata(&args.plan, MAX_PLAN_BYTES, ctx.euid)?
            .ok_or_else(|| Error::MissingInput {
                path: args.plan.clone(),
                what: "plan file".into(),
                hint: Some("write one with `envmint plan -o FILE`".into()),
            })?;
    // Checked on the file that was read, not on the path again.
    check_plan_owner(&args.plan, &meta, ctx.euid)?;
    let plan = file::parse(&args.plan, &bytes)?;
    drop(bytes);
    // The plan's records are dated when it was made; they are written dated now (`--at`).
    let applied = resolved.now(ctx)?;
    let planned = envmint::time::parse_instant(&plan.created).map_err(|_| {
        Error::data(
            Location::new(&args.plan, None),
            format!(
                "the plan's `created` time ({}) does not read; nothing was changed",
                envmint::text::shown(&plan.created, 60)
            ),
        )
        .with_hint("make the plan again with `envmint plan -o FILE`")
    })?;
    if envmint::plan::clock::is_ahead(planned, applied) {
        return Err(Error::data(
            Location::new(&args.plan, None),
            format!(
                "the plan was made at {}, after the clock ({}): its records would be dated \
                 after the values they describe were written; nothing was changed",
                format_timestamp(planned),
                format_timestamp(applied)
            ),
        )
        .with_hint("check this machine's clock (or --at), or make a new plan here"));
    }
    let manifest = resolved.manifest(ctx)?;
    let dir = manifest_dir(manifest, &cwd);

    let mut envs: Vec<&Environment> = Vec::with_capacity(plan.environments.len());
    for saved in &plan.environments {
        // Names and paths from the plan are the plan's author's words: shown escaped.
        let name = envmint::text::shown(&saved.name, 60);
        let Some(env) = manifest
            .environments()
            .iter()
            .find(|e| e.name == saved.name)
        else {
            return Err(Error::data(
                Location::new(&args.plan, None),
                format!(
                    "the plan is for environment {name}, which {} does not declare; nothing \
                     was changed",
                    match manifest.source() {
                        Source::File(p) => shown(p, &cwd).display().to_string(),
                        Source::Builtin => "the built-in preset".to_string(),
                    }
                ),
            )
            .with_hint("make the plan again with `envmint plan -o FILE` for this manifest"));
        };
        let now = store_name(env, &dir);
        if now != saved.store {
            return Err(Error::data(
                Location::new(&args.plan, None),
                format!(
                    "the plan is for {name} in {}, but the manifest stores {name} in {now}",
                    envmint::text::shown(&saved.store, 60)
                ),
            )
            .with_hint("make the plan again with `envmint plan -o FILE` for this manifest"));
        }
        envs.push(env);
    }
    let mut open = resolved.store_options(ctx, &envs)?;
    if plan.environments.iter().any(|e| e.is_sealed()) && open.identities.is_empty() {
        open.identities = resolved.identities(ctx)?;
    }
    let mut secrets: Vec<EnvSecrets> = Vec::with_capacity(envs.len());
    let mut summaries = Vec::with_capacity(envs.len());
    let mut hooked: Vec<Option<Vec<String>>> = Vec::with_capacity(envs.len());
    for (saved, env) in plan.environments.into_iter().zip(&envs) {
        summaries.push(saved.summary.clone());
        check_hooked(manifest, env, saved.hooked.as_deref())
            .map_err(|why| refused(&args.plan, env, &why))?;
        hooked.push(saved.hooked.clone());
        let s = saved.open(&args.plan, &open.identities)?;
        // Removals of left-behind retired values are checked against the store itself, under
        // the lock, below.
        let everything = s.edits.iter().map(|e| e.key().to_owned()).collect();
        check_edits(
            &s.edits,
            &status::rotatable_names(manifest, env),
            &everything,
        )
        .map_err(|why| refused(&args.plan, env, &why))?;
        // A value for a credential with a `set` hook would change the file alone.
        let staged_names = envmint::hooks::stage::staged_names(manifest, env);
        if let Some(e) = s.edits.iter().find(|e| {
            !matches!(e, envmint::plan::edit::Edit::Remove { .. })
                && staged_names.iter().any(|n| n == e.key())
        }) {
            let why = format!(
                "it writes {}, which only the stages of a credential with a `set` hook change",
                envmint::text::shown(e.key(), 60)
            );
            return Err(refused(&args.plan, env, &why));
        }
        secrets.push(s);
    }
    // Hooks run only when allowed: refused (77) before anything is written.
    let named: Vec<(&Environment, &[String])> = envs
        .iter()
        .zip(&hooked)
        .filter_map(|(env, h)| Some((*env, h.as_deref().filter(|h| !h.is_empty())?)))
        .collect();
    // The keys each environment's edits give a new value: their `reencrypt` hooks and the
    // environment's `after` run once the edits are written, as `rotate` runs them.
    let renewed: Vec<Vec<String>> = envs
        .iter()
        .zip(&secrets)
        .map(|(env, s)| renewed_keys(manifest, env, s))
        .collect();
    let post_hooks = envs.iter().zip(&renewed).any(|(env, keys)| {
        !keys.is_empty()
            && (env.after.is_some()
                || manifest.secrets_for(&env.name).any(|d| {
                    keys.contains(&d.key) && d.hooks.as_ref().is_some_and(|h| h.reencrypt.is_some())
                }))
    });
    if !named.is_empty() || post_hooks {
        // What the hooks listing names: each environment's staged credentials, then the
        // renewed keys that have a `reencrypt` hook (their other hooks are listed too).
        let listed: Vec<(&Environment, Vec<String>)> = envs
            .iter()
            .zip(&renewed)
            .map(|(env, keys)| {
                let mut names: Vec<String> = named
                    .iter()
                    .filter(|(e, _)| e.name == env.name)
                    .flat_map(|(_, k)| k.iter().cloned())
                    .collect();
                names.extend(
                    keys.iter()
                        .filter(|k| {
                            manifest.secrets_for(&env.name).any(|d| {
                                &d.key == *k
                                    && d.hooks.as_ref().is_some_and(|h| h.reencrypt.is_some())
                            })
                        })
                        .cloned(),
                );
                (*env, names)
            })
            .filter(|(env, names)| !names.is_empty() || env.after.is_some())
            .collect();
        check_hooks_allowed(ctx, resolved, manifest, &cwd, &args, &listed)?;
    }
    // Retired values the plan removes whose secret has a `retire` hook: the hook runs first,
    // as `rotate` runs it before removing one; one that fails stops the apply (nothing written).
    let retired = {
        // Its own hook lock, released before the stages take theirs.
        let run = staged::Run::new(
            manifest,
            &cwd,
            &open,
            applied,
            global.verbose,
            args.allow_hooks,
            resolved,
        );
        retire_first(ctx, &run, &envs, &secrets)?
    };
    if let Some(failed) = retired {
        let failed = failed.with_hints_ending(
            "; nothing of the plan was written: apply it again once the hook succeeds",
        );
        // Never empty here: exit 1, as for a hook that failed in `rotate`.
        return Ok(failed.say_failures(Exit::Problems));
    }

    // Every store locked and checked, every new document made, before any is written.
    let storages = envs
        .iter()
        .map(|env| store::Storage::of(env, ctx.euid))
        .collect::<envmint::Result<Vec<_>>>()?;
    let files = crate::identities::open_locked(
        resolved.lock_timeout(&ctx.lock_timeout)?,
        &storages,
        &mut open,
        &cwd,
    )?;
    for (env, file) in envs.iter().zip(&files) {
        crate::identities::check_recipients(env, file.snapshot(), &cwd)?;
    }
    let staged_digests: Vec<bool> = hooked.iter().map(Option::is_some).collect();
    let Replayed { done, docs } = replay::replay(
        manifest,
        &envs,
        &files,
        &secrets,
        &staged_digests,
        planned,
        applied,
    )
    .map_err(|e| replay_error(&args.plan, &envs, planned, &cwd, e))?;
    let saves: Vec<store::Save<'_>> = files
        .iter()
        .zip(&docs)
        .zip(&envs)
        .filter_map(|((file, doc), env)| {
            Some(store::Save {
                file,
                doc: doc.as_ref()?,
                mode: envmint::rotation::declared_mode(env),
            })
        })
        .collect();
    let failure = store::save_all(&saves).err();
    if let Some(e) = &failure {
        // Only a failing rename leaves some written: say which, then the error.
        let names = envs.iter().map(|env| env.name.as_str());
        for line in written_before_the_failure(names, &e.written) {
            crate::output::say!("{line}");
        }
    }
    if let Some(e) = failure {
        return Err(e.error.into());
    }
    drop(saves);
    drop(files);
    // The edits are written; now the credentials the plan names, stage by stage (each stage
    // locks and re-reads its store), then `after` where one went through.
    let run = staged::Run::new(
        manifest,
        &cwd,
        &open,
        applied,
        global.verbose,
        args.allow_hooks,
        resolved,
    );
    let mut stages = run_stages(ctx, &run, &named, planned)?;
    // `reencrypt` (its success retires the old keys), then `after`, for each environment whose
    // store the plan wrote with new values; `run_stages` ran `after` where a credential went
    // through.
    let mut retired = Vec::new();
    for ((env, keys), d) in envs.iter().zip(&renewed).zip(&done) {
        if *d != Done::Applied || keys.is_empty() {
            continue;
        }
        let dropped = staged::reencrypt(ctx, &run, env, keys, &mut stages)?;
        if !dropped.is_empty() {
            retired.push((env.name.as_str(), dropped));
        }
        let after_ran = stages
            .of(&env.name)
            .is_some_and(|s| s.runs.iter().any(|r| r.stage == "after"));
        if env.after.is_some() && !after_ran {
            staged::after_run(ctx, &run, env, &mut stages)?;
        }
    }
    report(&args, &envs, &done, &summaries, &stages, &retired, &cwd)?;
    Ok(stages.say_failures(Exit::Ok))
}

/// Runs the `retire` hooks of the expired retired values the plan's edits touch
/// ([`staged::retire_before_apply`]). `Some`: the hooks failed, and here is what they said.
fn retire_first(
    ctx: &mut Context,
    run: &staged::Run<'_>,
    envs: &[&Environment],
    secrets: &[EnvSecrets],
) -> Result<Option<staged::Outcome>> {
    let open = run.open;
    let mut failed = staged::Outcome::default();
    for (env, s) in envs.iter().zip(secrets) {
        let touched: Vec<&str> = s.edits.iter().map(|e| e.key()).collect();
        if touched.is_empty() {
            continue;
        }
        let snapshot = store::peek(store::Storage::of(env, ctx.euid)?, open)?;
        if !snapshot.exists() {
            continue;
        }
        let doc = snapshot.document()?;
        if let Some(out) = staged::retire_before_apply(ctx, run, env, &doc, &touched)? {
            failed.failures.extend(out.failures);
        }
    }
    Ok((!failed.failures.is_empty()).then_some(failed))
}

/// The hooked credentials a plan names for `env` must be the environment's own secrets with a
/// `set` hook (the clear part of a plan is anyone's words until checked).
fn check_hooked(
    manifest: &envmint::manifest::Manifest,
    env: &Environment,
    hooked: Option<&[String]>,
) -> std::result::Result<(), String> {
    for key in hooked.unwrap_or_default() {
        let declared = manifest
            .secrets_for(&env.name)
            .any(|d| d.key == *key && d.hooks.as_ref().is_some_and(|h| h.set.is_some()));
        if !declared {
            return Err(format!(
                "it names {} as a credential with a `set` hook, which the manifest does not \
                 declare for this environment",
                envmint::text::shown(key, 60)
            ));
        }
    }
    Ok(())
}

/// A plan naming hooked credentials runs their hooks: as for `rotate`, only once this
/// manifest's hooks are allowed on this machine (`--allow-hooks` lists and allows them).
/// Without: the hooks the plan would run are listed, and it is refused (77).
fn check_hooks_allowed(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    manifest: &envmint::manifest::Manifest,
    cwd: &Path,
    args: &ApplyArgs,
    named: &[(&Environment, Vec<String>)],
) -> Result<()> {
    if args.allow_hooks || crate::hooks::is_allowed(ctx, manifest, cwd)? {
        return crate::hooks::check_allowed(ctx, resolved, manifest, cwd, args.allow_hooks);
    }
    let mut hooks = Vec::new();
    let mut keys = Vec::new();
    for (env, names) in named {
        for key in names {
            keys.push(format!("{}: {key}", env.name));
            let decl = manifest.secrets_for(&env.name).find(|d| d.key == *key);
            for (stage, text) in decl
                .iter()
                .flat_map(|d| d.hooks.iter().flat_map(|h| h.named()))
            {
                hooks.push((format!("{}: {key}", env.name), stage, text));
            }
        }
        if let Some(after) = &env.after {
            keys.push(format!("{}: after", env.name));
            hooks.push((
                format!("{}: environment", env.name),
                "after",
                after.as_str(),
            ));
        }
    }
    Err(crate::hooks::refuse_listing(
        "applying the plan runs these hooks:",
        &hooks,
        &args.plan,
        format!(
            "it runs hooks ({}), and this manifest's hooks are not allowed on this machine \
             (new, or changed since you allowed them); nothing was changed",
            keys.join(", ")
        ),
        &format!("envmint apply {} --allow-hooks", args.plan.display()),
    ))
}

/// Takes the credentials each environment of `named` names through the stages (those rotated
/// since the plan was made are done; a pending one resumes), then runs its `after` hook when
/// one went through.
fn run_stages(
    ctx: &mut Context,
    run: &staged::Run<'_>,
    named: &[(&Environment, &[String])],
    planned: jiff::Timestamp,
) -> Result<staged::Outcome> {
    let mut out = staged::Outcome::default();
    let open = run.open;
    for (env, keys) in named {
        let snapshot = store::peek(store::Storage::of(env, ctx.euid)?, open)?;
        if !snapshot.exists() {
            continue;
        }
        let doc = snapshot.document()?;
        let keys: Vec<String> = keys
            .iter()
            .filter(|k| !rotated_since(&doc, k, planned))
            .cloned()
            .collect();
        let selection = envmint::plan::rotation::Selection::Keys(keys);
        let found = [(env.name.clone(), doc)];
        let stages = staged::run(ctx, run, &[*env], &found, &selection, false)?;
        let went = stages.envs.iter().any(|s| !s.changes.is_empty());
        out.failures.extend(stages.failures);
        out.envs.extend(stages.envs);
        if went && env.after.is_some() {
            staged::after_run(ctx, run, env, &mut out)?;
        }
    }
    Ok(out)
}

/// Whether `key`'s value in `doc` was made after `planned`: the plan's rotation of it is done
/// (an earlier apply of this plan, or a rotation since). Records are to the second: a value
/// made in the plan's own second counts as before it (rotated again rather than never).
fn rotated_since(doc: &envmint::dotenv::Document, key: &str, planned: jiff::Timestamp) -> bool {
    doc.record(key)
        .and_then(|r| envmint::plan::record::Record::parse(r).ok())
        .and_then(|r| r.made_at())
        .is_some_and(|t| t > planned)
}

/// A plan someone else could have written is refused, as ssh refuses such key files: a plan's
/// digests and its sealing (to public recipients) prove nothing about its author, and whoever
/// can write it chooses the new values of the secrets it renews. Writable by group or others,
/// or owned by another user than you or root: exit 77. Envmint writes plans 0600.
fn check_plan_owner(path: &Path, meta: &std::fs::Metadata, me: u32) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let shown = path.display();
    let (reason, hint) = if meta.mode() & 0o022 != 0 {
        (
            format!(
                "the plan file is writable by {} (mode {:04o}): another user could have chosen \
                 the values it writes",
                if meta.mode() & 0o002 != 0 {
                    "anyone"
                } else {
                    "its group"
                },
                meta.mode() & 0o7777
            ),
            format!("if you trust it, `chmod go-w {shown}` and apply it again"),
        )
    } else if meta.uid() != me && meta.uid() != 0 {
        (
            format!(
                "the plan file belongs to uid {}, not to you (uid {me}) nor root: its owner chose \
                 the values it writes",
                meta.uid()
            ),
            format!(
                "if you trust it, copy it to a file of your own (cp {shown} mine.plan) and apply that"
            ),
        )
    } else {
        return Ok(());
    };
    Err(Error::Refused {
        path: path.to_path_buf(),
        reason,
        hint: Some(format!(
            "{hint}; otherwise make a new plan with `envmint plan -o FILE`"
        )),
    })
}

#[derive(Serialize)]
struct JsonApply<'a> {
    environments: Vec<JsonEnv<'a>>,
}

#[derive(Serialize)]
struct JsonEnv<'a> {
    environment: &'a str,
    file: std::borrow::Cow<'a, str>,
    /// `applied` or `already-applied`.
    result: &'static str,
    /// What the stages did to the credentials with a `set` hook (present when any went).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    staged: Vec<crate::changes::JsonChange<'a>>,
    /// The hooks that ran, in order (present when any did).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hooks: &'a [staged::StageRun],
    /// The old keys a successful `reencrypt` hook retired from the store (present when any
    /// were), as `rotate --json` lists them among its changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    retired: Vec<crate::changes::JsonChange<'a>>,
}

/// Says what was applied: per environment its result, the plan's summary, what the stages did,
/// and (`retired`, per environment name) the old keys a successful `reencrypt` removed.
fn report(
    args: &ApplyArgs,
    envs: &[&Environment],
    done: &[Done],
    summaries: &[Vec<SummaryLine>],
    stages: &staged::Outcome,
    retired: &[(&str, Vec<Change>)],
    cwd: &Path,
) -> Result<()> {
    let retired_in = |name: &str| {
        retired
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[][..], |(_, r)| &r[..])
    };
    if args.json {
        let environments = envs
            .iter()
            .zip(done)
            .map(|(env, d)| {
                let s = stages.of(&env.name);
                JsonEnv {
                    environment: &env.name,
                    file: shown(env.store_path(), cwd).to_string_lossy(),
                    result: d.as_str(),
                    staged: s
                        .map_or(&[][..], |s| &s.changes[..])
                        .iter()
                        .map(|c| crate::changes::json_change(&env.name, c))
                        .collect(),
                    hooks: s.map_or(&[][..], |s| &s.runs[..]),
                    retired: retired_in(&env.name)
                        .iter()
                        .map(|c| crate::changes::json_change(&env.name, c))
                        .collect(),
                }
            })
            .collect();
        let text = serde_json::to_string(&JsonApply { environments }).map_err(|e| {
            envmint::error::FileError::os("<stdout>", envmint::error::Op::WriteStdout, e.into())
        })?;
        return crate::output::print_line(&text);
    }
    for ((env, d), summary) in envs.iter().zip(done).zip(summaries) {
        let what = match d {
            Done::Applied => "plan applied",
            Done::AlreadyApplied => "already applied, unchanged",
            Done::Nothing => "nothing to do",
        };
        crate::output::say!(
            "{}: {} ({what})",
            env.name,
            shown(env.store_path(), cwd).display()
        );
        if *d == Done::Applied {
            for line in summary {
                // The summary is the plan's author's text, not checked against the edits.
                let why = line.reason.as_deref().map_or(String::new(), |r| {
                    format!(" ({})", envmint::text::shown(r, 60))
                });
                crate::output::say!(
                    "  {:<15} {}{why}",
                    envmint::text::shown(&line.action, 60),
                    envmint::text::shown(&line.key, 60)
                );
            }
        }
        let changes = stages.of(&env.name).map_or(&[][..], |s| &s.changes[..]);
        if !changes.is_empty() {
            crate::output::say!("  set at the service by its hooks, then made current:");
            let width = changes.iter().map(|c| c.key.len()).max().unwrap_or(0);
            for c in changes {
                crate::output::say!(
                    "    {}",
                    crate::changes::change_line(&env.name, c, width, false)
                );
            }
        }
        // The old keys a successful `reencrypt` retired are gone from the store: said, as
        // `rotate`'s summary says it.
        let dropped = retired_in(&env.name);
        if !dropped.is_empty() {
            crate::output::say!("{}: retired after its reencrypt hook succeeded:", env.name);
            let width = dropped.iter().map(|c| c.key.len()).max().unwrap_or(0);
            for c in dropped {
                crate::output::say!(
                    "    {}",
                    crate::changes::change_line(&env.name, c, width, false)
                );
            }
        }
    }
    Ok(())
}

/// A plan refused for an edit `rotate` would not make (`why`), naming the plan.
fn refused(plan: &Path, env: &Environment, why: &str) -> Error {
    Error::data(
        Location::new(plan, None),
        format!(
            "refused for environment {}: {why}; nothing was changed",
            env.name
        ),
    )
    .with_hint(
        "a plan only renews the secrets the manifest declares; make it again with \
         `envmint plan -o FILE`, and check who could write this file",
    )
}

/// Why a plan was not replayed, in the binary's words.
fn replay_error(
    plan: &Path,
    envs: &[&Environment],
    planned: jiff::Timestamp,
    cwd: &Path,
    err: ReplayError,
) -> Error {
    let stale_hint = "make a new plan with `envmint plan -o FILE`, or rotate with `envmint rotate`";
    match err {
        ReplayError::TooOld { environment } => Error::data(
            Location::new(plan, None),
            format!(
                "the plan was made at {}, longer ago than the shortest overlap of the secrets it \
                 rotates in environment {}: the values it retires would not be kept as long as \
                 the manifest says; nothing was changed",
                format_timestamp(planned),
                envs[environment].name
            ),
        )
        .with_hint("make a new plan with `envmint plan -o FILE` and apply that one"),
        ReplayError::ClockBehind {
            environment,
            behind,
        } => ClockBehindError::new(envs[environment].store_path(), behind).into(),
        ReplayError::Refused { environment, why } => refused(plan, envs[environment], &why),
        ReplayError::Edit { environment, error } => {
            crate::report::dotenv::edit_error(envs[environment].store_path(), error)
        }
        ReplayError::Altered { environment } => Error::data(
            Location::new(plan, None),
            format!(
                "replaying the plan on {} does not give the result it records (the plan file \
                 was altered?); nothing was changed",
                shown(envs[environment].store_path(), cwd).display()
            ),
        )
        .with_hint("make the plan again with `envmint plan -o FILE`"),
        ReplayError::Stale { environment } => Error::data(
            Location::new(envs[environment].store_path(), None),
            format!(
                "changed since the plan was made (environment {}): the plan is stale; nothing \
                 was changed",
                envs[environment].name
            ),
        )
        .with_hint(stale_hint),
        ReplayError::Store(e) => e.into(),
        other => Error::unworded(Location::new(plan, None), &other),
    }
}

/// The declared secrets of `env` that the plan's edits `s` give a new value (a `Set` or an
/// `InsertAfter` of the secret's own name; retired values and removals are not renewals).
fn renewed_keys(
    manifest: &envmint::manifest::Manifest,
    env: &Environment,
    s: &EnvSecrets,
) -> Vec<String> {
    use envmint::plan::edit::Edit;
    s.edits
        .iter()
        .filter_map(|e| match e {
            Edit::Set { key, .. } | Edit::InsertAfter { key, .. } => Some(key),
            Edit::Remove { .. } => None,
        })
        .filter(|k| manifest.secrets_for(&env.name).any(|d| &d.key == *k))
        .cloned()
        .collect()
}

/// The lines naming the environments (`names`, in the order of `written`) whose store a failed
/// group commit wrote before it failed. Only a failing rename or folder `fsync` (an I/O error
/// of the file system itself, after every temporary file was written) leaves any written.
fn written_before_the_failure<'a>(
    names: impl Iterator<Item = &'a str>,
    written: &[envmint::atomic::Written],
) -> Vec<String> {
    names
        .zip(written)
        .filter(|(_, w)| w.written)
        .map(|(name, _)| format!("{name}: written before the failure"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::written_before_the_failure;
    use envmint::atomic::Written;

    /// No run reaches these lines without a file system that fails a rename after accepting
    /// every temporary file (a read-only folder fails before any rename, a read-only file is
    /// replaced all the same): the words, for a group whose second rename failed.
    #[test]
    fn the_stores_written_before_a_failed_rename_are_named() {
        let written = [
            Written {
                written: true,
                mode_change: None,
            },
            Written::default(),
            Written::default(),
        ];
        let names = ["production", "staging", "preview"].into_iter();
        assert_eq!(
            written_before_the_failure(names, &written),
            ["production: written before the failure"]
        );
    }
}
