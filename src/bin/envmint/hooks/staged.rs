//! Credentials changed at their service, stage by stage: pending (written to the store before
//! anything runs), set, test, finish (one write: the pending value current, the old one
//! retired per its overlap form, `alternate`'s user switched), and retire (a retired value's
//! `retire` hook before the rotation removes it). Each stage is saved under the store's lock,
//! so a run killed at any instant is finished by the next with the same pending value.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};
use envmint::dotenv::Document;
use envmint::generate::Generator;
use envmint::hooks::stage::{self, Start};
use envmint::manifest::{Environment, Manifest, SecretDecl, pending_name};
use envmint::plan::record::Stage;
use envmint::plan::rotation::{Change, Reason, Selection};
use envmint::secret::Secret;
use envmint::{Exit, store};
use serde::Serialize;
use zeroize::Zeroizing;

use super::runner::{self, Ended};
use crate::context::Context;
use crate::output::say;
use crate::resolve::Resolved;

/// One hook that ran (or would run), as `-v` and `--json` report it. Never a value.
#[derive(Clone, Debug, Serialize)]
pub struct StageRun {
    /// The secret (absent for `after`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `set`, `test`, `retire` or `after`.
    pub stage: &'static str,
    /// `ok`, `failed`, `timed-out`, `not-started`.
    pub status: &'static str,
    /// The hook's exit code, when it exited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// How long it took, in seconds.
    pub seconds: f64,
}

/// What the stages did in one environment.
#[derive(Debug, Default)]
pub struct EnvStages {
    /// The environment.
    pub environment: String,
    /// Changes made by finishing (as a rotation reports them).
    pub changes: Vec<Change>,
    /// The hooks that ran.
    pub runs: Vec<StageRun>,
    /// Whether the store was written.
    pub written: bool,
    /// Whether a `retire` hook failed: the rotation must not remove that value this run.
    pub keep_expired: bool,
}

/// A hook that failed: the error and hint lines.
pub struct Failure {
    /// After `error: `.
    pub message: String,
    /// After `hint: `.
    pub hint: String,
}

/// What the staged part of a run did.
#[derive(Default)]
pub struct Outcome {
    /// Per environment with work.
    pub envs: Vec<EnvStages>,
    /// The hooks that failed.
    pub failures: Vec<Failure>,
}

impl Outcome {
    /// The stages of environment `name`.
    pub fn of(&self, name: &str) -> Option<&EnvStages> {
        self.envs.iter().find(|e| e.environment == name)
    }

    /// The same, each failure's hint followed by `more`: what the command left undone because
    /// of it (`apply` writes nothing of its plan when a `retire` hook fails).
    pub fn with_hints_ending(mut self, more: &str) -> Outcome {
        for f in &mut self.failures {
            f.hint.push_str(more);
        }
        self
    }

    /// Says each failed hook (`error:` naming the stage, key and status, `hint:` how to
    /// resume), once the run did what it could; exit 1 when one failed, as for a check that
    /// found problems, else `ok`.
    pub fn say_failures(&self, ok: Exit) -> Exit {
        for f in &self.failures {
            say!("error: {}", f.message);
            say!("hint: {}", f.hint);
        }
        if self.failures.is_empty() {
            ok
        } else {
            Exit::Problems
        }
    }
}

/// What every staged run needs.
pub struct Run<'a> {
    /// Held while hooks run, inherited by them ([`super::HookLock`]).
    pub lock: std::cell::OnceCell<Option<super::HookLock>>,
    pub manifest: &'a Manifest,
    pub cwd: &'a Path,
    pub open: &'a store::OpenOptions,
    pub now: jiff::Timestamp,
    pub verbose: bool,
    pub allow_hooks: bool,
    /// The run's resolved pieces: the lock timeout, read only when a lock is taken (a dry
    /// run never reads it).
    pub resolved: &'a Resolved,
    /// The pending-value key ([`super::pending_key`]), read (or made) when first needed.
    pub mac_key: std::cell::OnceCell<envmint::secret::KeyedHash>,
}

impl<'a> Run<'a> {
    /// A run of `manifest`'s hooks from `cwd` at `now`, stores opened with `open`, locks
    /// waited for as `resolved` says; no hook lock or pending key taken yet.
    pub fn new(
        manifest: &'a Manifest,
        cwd: &'a Path,
        open: &'a store::OpenOptions,
        now: jiff::Timestamp,
        verbose: bool,
        allow_hooks: bool,
        resolved: &'a Resolved,
    ) -> Self {
        Run {
            lock: std::cell::OnceCell::new(),
            manifest,
            cwd,
            open,
            now,
            verbose,
            allow_hooks,
            resolved,
            mac_key: std::cell::OnceCell::new(),
        }
    }

    /// How long to wait for another process's lock ([`Resolved::lock_timeout`]).
    fn lock_wait(&self, ctx: &Context) -> Result<envmint::atomic::LockWait> {
        self.resolved.lock_timeout(&ctx.lock_timeout)
    }

    /// The pending-value key, read (or made) once.
    fn mac_key(&self, ctx: &mut Context) -> Result<&envmint::secret::KeyedHash> {
        if self.mac_key.get().is_none() {
            let key = super::pending_key(ctx, self.resolved)?;
            let _ = self.mac_key.set(key);
        }
        self.mac_key
            .get()
            .ok_or_else(|| Error::cant_create(Path::new("pending-key"), "not kept"))
    }
}

/// A secret's retired values whose overlap ended: per variable, its values.
type Expired = Vec<(String, Vec<Zeroizing<String>>)>;

/// Keys with a `set` hook in `manifest`: a plain rotation never changes them in the file alone.
pub fn hooked_keys(manifest: &Manifest) -> HashSet<String> {
    manifest
        .secrets()
        .iter()
        .filter(|d| d.hooks.as_ref().is_some_and(|h| h.set.is_some()))
        .map(|d| d.key.clone())
        .collect()
}

/// What one environment's store asks of the staged part: the credentials to take through the
/// stages, and the retired values whose `retire` hook runs before they are removed.
struct Work<'m> {
    list: Vec<(&'m SecretDecl, Start)>,
    retiring: Vec<(&'m SecretDecl, Expired)>,
}

/// Whether `env` has a secret with a `set` or `retire` hook: only then is its store looked at
/// for staged work.
fn has_staged_hooks(manifest: &Manifest, env: &Environment) -> bool {
    manifest.secrets_for(&env.name).any(|d| {
        d.hooks
            .as_ref()
            .is_some_and(|h| h.set.is_some() || h.retire.is_some())
    })
}

/// The staged work of `env` in `doc`; `None` when there is none, or when its records are ahead
/// of the clock (the session refuses that store, exit 65 naming the record, and no hook runs
/// for it either).
fn work<'m>(
    manifest: &'m Manifest,
    env: &Environment,
    doc: &Document,
    selection: &Selection,
    now: jiff::Timestamp,
) -> Option<Work<'m>> {
    if envmint::plan::clock::check(doc, now).is_err() {
        return None;
    }
    let list = stage::staged(manifest, env, doc, selection, now);
    let retiring = retiring(manifest, env, doc, now);
    (!list.is_empty() || !retiring.is_empty()).then_some(Work { list, retiring })
}

/// The retired values of `env` in `doc` whose overlap ended at `now`, of the secrets with a
/// `retire` hook.
fn retiring<'m>(
    manifest: &'m Manifest,
    env: &Environment,
    doc: &Document,
    now: jiff::Timestamp,
) -> Vec<(&'m SecretDecl, Expired)> {
    manifest
        .secrets()
        .iter()
        .filter(|d| d.applies_to(&env.name))
        .filter(|d| d.hooks.as_ref().is_some_and(|h| h.retire.is_some()))
        .map(|d| {
            let values = stage::expired(manifest, env, doc, d, now)
                .into_iter()
                .map(|(n, v)| {
                    let values = v.into_iter().map(|v| Zeroizing::new(v.to_string()));
                    (n, values.collect())
                })
                .collect::<Vec<_>>();
            (d, values)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// Looks for staged work in the stores a rotation session reads, from the session's own read
/// ([`envmint::rotation::StageHooks::opened`]): a sealed store is decrypted once per run when
/// no hook has anything to do (the scheduled `rotate --due` of most days), where reading each
/// store beforehand decrypted it twice. Keeps the document of each environment with work.
pub struct Probe<'m> {
    manifest: &'m Manifest,
    selection: Selection,
    now: jiff::Timestamp,
    /// Per environment with staged work: its store's document as the session read it.
    found: Vec<(String, Document)>,
}

impl<'m> Probe<'m> {
    /// A probe for a session of `manifest` with `selection` at `now`.
    pub fn new(manifest: &'m Manifest, selection: &Selection, now: jiff::Timestamp) -> Self {
        Probe {
            manifest,
            selection: selection.clone(),
            now,
            found: Vec::new(),
        }
    }

    /// Looks at `env`'s store as the session read it.
    ///
    /// # Errors
    ///
    /// A store that is not UTF-8 (as the session would say).
    pub fn look(&mut self, env: &Environment, snapshot: &store::Snapshot) -> Result<()> {
        if !has_staged_hooks(self.manifest, env)
            || !snapshot.exists()
            || self.found.iter().any(|(n, _)| *n == env.name)
        {
            return Ok(());
        }
        let doc = snapshot.document()?;
        if work(self.manifest, env, &doc, &self.selection, self.now).is_some() {
            self.found.push((env.name.clone(), doc));
        }
        Ok(())
    }

    /// Whether some environment has staged work.
    pub fn found_work(&self) -> bool {
        !self.found.is_empty()
    }

    /// The documents of the environments with staged work, for [`run`].
    pub fn take(&mut self) -> Vec<(String, Document)> {
        std::mem::take(&mut self.found)
    }
}

/// Takes every selected (or pending) credential with a `set` hook of `envs` through the
/// stages, and runs the `retire` hooks of values whose overlap ended. `found`: the documents
/// a [`Probe`] kept (the environments with work; the others are not read again). `dry_run`:
/// only says which would go.
pub fn run(
    ctx: &mut Context,
    run: &Run<'_>,
    envs: &[&Environment],
    found: &[(String, Document)],
    selection: &Selection,
    dry_run: bool,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    let mut allowed = false;
    for env in envs {
        let Some((_, doc)) = found.iter().find(|(n, _)| *n == env.name) else {
            continue;
        };
        let Some(Work { list, retiring }) = work(run.manifest, env, doc, selection, run.now) else {
            continue;
        };
        let mut stages = EnvStages {
            environment: env.name.clone(),
            ..EnvStages::default()
        };
        if dry_run {
            for (decl, start) in &list {
                stages.changes.push(rotated(decl, reason_of(*start)));
            }
            out.envs.push(stages);
            continue;
        }
        if !allowed {
            super::check_allowed(ctx, run.resolved, run.manifest, run.cwd, run.allow_hooks)?;
            take_lock(ctx, run)?;
            allowed = true;
        }
        retire_values(run, env, doc, &retiring, &mut stages, &mut out.failures);
        for (decl, start) in list {
            if let Err(f) = one(ctx, run, env, decl, start, &mut stages)? {
                out.failures.push(f);
            }
        }
        out.envs.push(stages);
    }
    Ok(out)
}

/// Runs the `retire` hook of each value of `retiring` (of `env`, whose store is `doc`); a
/// failure keeps the values (`keep_expired`) and is added to `failures`.
fn retire_values(
    run: &Run<'_>,
    env: &Environment,
    doc: &Document,
    retiring: &[(&SecretDecl, Expired)],
    stages: &mut EnvStages,
    failures: &mut Vec<Failure>,
) {
    for (decl, values) in retiring {
        for (_, list) in values {
            for old in list {
                let vars = [("ENVMINT_OLD", old.as_str())];
                let ended = hook(run, env, doc, decl, "retire", &vars, stages);
                if ended != Ended::Ok {
                    stages.keep_expired = true;
                    failures.push(Failure {
                        message: format!(
                            "{}: {}: the retire hook failed ({}); the retired value is kept",
                            env.name,
                            decl.key,
                            ended.describe()
                        ),
                        hint: format!(
                            "fix the cause; the next envmint rotate {} runs it again, then \
                             removes the value",
                            env.name
                        ),
                    });
                }
            }
        }
    }
}

/// Before `apply` writes a plan whose edits touch the variables in `touched` of `env` (store
/// `doc`): the `retire` hooks of the retired values there whose overlap ended (the plan's
/// edits remove them), as `rotate` runs them before removing such a value. `None`: no such
/// value (no hook ran, no allowance needed).
pub fn retire_before_apply(
    ctx: &Context,
    run: &Run<'_>,
    env: &Environment,
    doc: &Document,
    touched: &[&str],
) -> Result<Option<Outcome>> {
    let retiring: Vec<(&SecretDecl, Expired)> = retiring(run.manifest, env, doc, run.now)
        .into_iter()
        .map(|(d, values)| {
            let values = values
                .into_iter()
                .filter(|(name, _)| touched.contains(&name.as_str()))
                .collect::<Vec<_>>();
            (d, values)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if retiring.is_empty() {
        return Ok(None);
    }
    super::check_allowed(ctx, run.resolved, run.manifest, run.cwd, run.allow_hooks)?;
    take_lock(ctx, run)?;
    let mut out = Outcome::default();
    let mut stages = EnvStages {
        environment: env.name.clone(),
        ..EnvStages::default()
    };
    retire_values(run, env, doc, &retiring, &mut stages, &mut out.failures);
    out.envs.push(stages);
    Ok(Some(out))
}

/// Takes the hook lock once per run (waiting for an earlier run's hooks: the longest hook
/// timeout, plus the lock timeout).
fn take_lock(ctx: &Context, run: &Run<'_>) -> Result<()> {
    if run.lock.get().is_some() {
        return Ok(());
    }
    let longest = run
        .manifest
        .secrets()
        .iter()
        .filter_map(|d| d.hooks.as_ref().map(|h| h.timeout))
        .chain(run.manifest.environments().iter().map(|e| e.hook_timeout))
        .max()
        .unwrap_or_default();
    let lock = super::hook_lock(run.manifest, longest + run.lock_wait(ctx)?.timeout())?;
    let _ = run.lock.set(lock);
    Ok(())
}

fn reason_of(start: Start) -> Reason {
    match start {
        Start::New(r) => r,
        Start::Resume(_) => Reason::Selected,
    }
}

fn rotated(decl: &SecretDecl, reason: Reason) -> Change {
    Change {
        key: decl.key.clone(),
        action: envmint::plan::rotation::Action::Rotated,
        reason: Some(reason),
        kind: Some(decl.spec.kind().name()),
        bits: Some(decl.spec.bits()),
        previous_of: None,
        count: 1,
    }
}

/// Locks `env`'s store and reads it.
fn open(ctx: &Context, run: &Run<'_>, env: &Environment) -> Result<(store::EnvFile, Document)> {
    let mut options = run.open.clone();
    options.timeout = run.lock_wait(ctx)?;
    let file = store::open_waiting(
        store::Storage::of(env, ctx.euid)?,
        &options,
        &mut crate::output::lock_waiter(run.cwd),
    )?;
    crate::identities::check_recipients(env, file.snapshot(), run.cwd)?;
    let doc = file.snapshot().document()?;
    Ok((file, doc))
}

fn save(env: &Environment, file: &store::EnvFile, doc: &Document) -> Result<bool> {
    let save = store::Save {
        file,
        doc,
        mode: crate::target::declared_mode(env),
    };
    match store::save_all(std::slice::from_ref(&save)) {
        Ok(w) => Ok(w.first().is_some_and(|w| w.written)),
        Err(e) => Err(e.error.into()),
    }
}

fn edit_error(env: &Environment, e: envmint::dotenv::EditError) -> Error {
    crate::report::dotenv::edit_error(env.store_path(), e)
}

/// One credential through pending, set, test and finish. `Ok(Err(..))`: a hook failed (the
/// pending value stays for the next run).
fn one(
    ctx: &mut Context,
    run: &Run<'_>,
    env: &Environment,
    decl: &SecretDecl,
    start: Start,
    stages: &mut EnvStages,
) -> Result<std::result::Result<(), Failure>> {
    let key = decl.key.as_str();
    let hooks = decl.hooks.as_ref().expect("staged secrets have hooks");
    // Pending: the new value is in the store before anything touches the service. The
    // document read (and written) here is the store as the set hook sees it.
    let (file, mut doc) = open(ctx, run, env)?;
    let mac_key = run.mac_key(ctx)?;
    let (value, since, stage_now) = match stage::pending(&doc, key) {
        Some(p) => {
            // Resumed only if this machine's envmint wrote it: a pending value planted in a
            // committed or forged store would otherwise reach the set hook and become current.
            match p.trust(Some(mac_key), &env.name, key, run.now) {
                stage::Trust::Ours => {}
                stage::Trust::NotOurs => return Err(foreign_pending(env, key, p.line)),
                stage::Trust::Stale { since } => {
                    return Err(stale_pending(env, key, p.line, since));
                }
            }
            check_safe(env, decl, &p.value, Some(p.line))?;
            (p.value, p.since.unwrap_or(run.now), p.stage)
        }
        None => {
            let value = Generator::new(decl.spec.clone()).generate(&mut ctx.rng);
            check_safe(env, decl, &value, None)?;
            stage::write_pending(
                &mut doc,
                decl,
                &env.name,
                &value,
                run.now,
                Stage::Pending,
                mac_key,
            )
            .map_err(|e| edit_error(env, e))?;
            stages.written |= save(env, &file, &doc)?;
            if run.verbose {
                say!(
                    "{}: {key}: pending value written ({})",
                    env.name,
                    pending_name(key)
                );
            }
            (value, run.now, Stage::Pending)
        }
    };
    drop(file);
    let new = Zeroizing::new(value.expose().to_string());
    // Set, then test: the same call, the new value in `ENVMINT_NEW`. A failure keeps the
    // pending value at the stage it reached.
    let service = |name: &'static str, kept: Stage, stages: &mut EnvStages| {
        let vars = [("ENVMINT_NEW", new.as_str())];
        let ended = hook(run, env, &doc, decl, name, &vars, stages);
        (ended != Ended::Ok).then(|| Failure {
            message: format!(
                "{}: {key}: the {name} hook failed ({}); {key} keeps its current value, the new \
                 one stays pending ({}, stage={})",
                env.name,
                ended.describe(),
                pending_name(key),
                kept.as_str()
            ),
            hint: format!(
                "fix the cause, then run envmint rotate {env} --key {key}: it resumes at set \
                 with the same pending value (hooks must be idempotent); envmint rotate {env} \
                 --key {key} --abandon drops it",
                env = env.name
            ),
        })
    };
    if let Some(f) = service("set", stage_now, stages) {
        return Ok(Err(f));
    }
    if stage_now == Stage::Pending {
        let (file, mut doc) = open(ctx, run, env)?;
        if !same_pending(&doc, key, &value) {
            return Err(moved(env, key));
        }
        let mac_key = run.mac_key(ctx)?;
        stage::write_pending(
            &mut doc,
            decl,
            &env.name,
            &value,
            since,
            Stage::Set,
            mac_key,
        )
        .map_err(|e| edit_error(env, e))?;
        stages.written |= save(env, &file, &doc)?;
    }
    if hooks.test.is_some()
        && let Some(f) = service("test", Stage::Set, stages)
    {
        return Ok(Err(f));
    }
    // Finish: one write.
    let (file, mut doc) = open(ctx, run, env)?;
    if !same_pending(&doc, key, &value) {
        return Err(moved(env, key));
    }
    let finished = stage::finish(&mut doc, decl, &env.name, run.now, reason_of(start))
        .map_err(|e| crate::report::rotation::rotation_error(env, e))?;
    stages.written |= save(env, &file, &doc)?;
    if run.verbose {
        say!("{}: {key}: finished: the new value is current", env.name);
    }
    stages.changes.extend(finished.changes);
    Ok(Ok(()))
}

/// A pending value whose record has no valid `mac=` for this machine (exit 77).
fn foreign_pending(env: &Environment, key: &str, line: Option<usize>) -> Error {
    let at = line.map_or_else(String::new, |l| format!(", line {l}"));
    Error::Refused {
        path: env.store_path().to_path_buf(),
        reason: format!(
            "{key}: its pending value ({}{at}) was not written by envmint on this machine (no \
             valid mac= in its record); it is not handed to a hook nor made current",
            pending_name(key)
        ),
        hint: Some(format!(
            "if this machine did not start that rotation (a committed, merged or edited store), \
             drop it: envmint rotate {} --key {key} --abandon, then rotate again",
            env.name
        )),
    }
}

/// Refuses (77) a pending value this machine wrote longer than [`stage::PENDING_MAX_AGE`] ago:
/// a store restored from an older commit could otherwise hand a value finished since (and
/// known to whoever read that commit) to the set hook again.
fn stale_pending(
    env: &Environment,
    key: &str,
    line: Option<usize>,
    since: jiff::Timestamp,
) -> Error {
    let at = line.map_or_else(String::new, |l| format!(", line {l}"));
    Error::Refused {
        path: env.store_path().to_path_buf(),
        reason: format!(
            "{key}: its pending value ({}{at}) was generated at {}, more than {} days ago; an \
             old pending value may come from a restored store, so it is not handed to a hook \
             nor made current",
            pending_name(key),
            envmint::time::format_timestamp(since),
            stage::PENDING_MAX_AGE.as_hours() / 24
        ),
        hint: Some(format!(
            "if it is the rotation you left and the service holds it, finish by hand: envmint \
             get {env} {pending} | envmint set {env} {key}, then envmint rotate {env} --key \
             {key} --abandon; else drop it with that --abandon and rotate again",
            env = env.name,
            pending = pending_name(key)
        )),
    }
}

/// Refuses (65) a new or pending value (`pending`: read back from the store, at that line)
/// that does not match `decl` or could break a hook's
/// quoting ([`stage::hook_safe`]); names the key and the problem, never the value.
fn check_safe(
    env: &Environment,
    decl: &SecretDecl,
    value: &Secret,
    pending: Option<Option<usize>>,
) -> Result<()> {
    let Err(why) = stage::hook_safe(decl, value.expose()) else {
        return Ok(());
    };
    let key = decl.key.as_str();
    let (which, why) = match why {
        stage::Unsafe::Spec(p) => ("does not match its declaration", p),
        stage::Unsafe::Char(c) => (
            "holds a character no hook gets in a value",
            format!("{}", c.escape_debug()),
        ),
    };
    let line = pending.flatten();
    let (what, hint) = match pending {
        Some(_) => (
            format!("{key}: its pending value ({})", pending_name(key)),
            format!(
                "drop it: envmint rotate {} --key {key} --abandon, then rotate again",
                env.name
            ),
        ),
        None => (
            format!("{key}: its new value"),
            "give it a kind without quotes, backslashes, `$`, backticks or `;` (alnum, hex, \
             base64url, password)"
                .to_string(),
        ),
    };
    Err(Error::data(
        envmint::error::Location::new(env.store_path(), line),
        format!("{what} {which} ({why}); it is not handed to a hook"),
    )
    .with_hint(hint))
}

fn same_pending(doc: &Document, key: &str, value: &Secret) -> bool {
    stage::pending(doc, key).is_some_and(|p| p.value.expose() == value.expose())
}

fn moved(env: &Environment, key: &str) -> Error {
    Error::data(
        envmint::error::Location::new(env.store_path(), None),
        format!(
            "{key}: its pending value changed while its hooks ran (another run, or an edit); \
             nothing more was written"
        ),
    )
    .with_hint(format!(
        "run envmint rotate {} --key {key} again once the other run is done",
        env.name
    ))
}

/// Runs `decl`'s hook for `stage_name` with the store `doc`'s values and `extra` variables;
/// reports it (`-v`: always; else only a failure) and records it in `stages`.
fn hook(
    run: &Run<'_>,
    env: &Environment,
    doc: &Document,
    decl: &SecretDecl,
    stage_name: &'static str,
    extra: &[(&str, &str)],
    stages: &mut EnvStages,
) -> Ended {
    let hooks = decl.hooks.as_ref().expect("a hooked secret");
    let script = match stage_name {
        "set" => hooks.set.as_deref(),
        "test" => hooks.test.as_deref(),
        "retire" => hooks.retire.as_deref(),
        _ => hooks.reencrypt.as_deref(),
    }
    .unwrap_or("true");
    let key = decl.key.as_str();
    let old = doc.get(key).unwrap_or("");
    let mut vars = vec![
        ("ENVMINT_ENV".to_string(), Zeroizing::new(env.name.clone())),
        ("ENVMINT_KEY".to_string(), Zeroizing::new(key.to_string())),
        (
            "ENVMINT_STAGE".to_string(),
            Zeroizing::new(stage_name.to_string()),
        ),
        ("ENVMINT_OLD".to_string(), Zeroizing::new(old.to_string())),
        ("ENVMINT_NEW".to_string(), Zeroizing::new(String::new())),
    ];
    if let Some(a) = &hooks.alternate {
        // Set and test: the user not in use gets the new value. Retire: a retired value is the
        // password of the user that was in use before the last switch, which is the one not
        // in use now (never the live user: a retire hook that disables it would lock the app
        // out).
        let user = a.next_user(doc.get(&a.user)).to_string();
        vars.push(("ENVMINT_USER".to_string(), Zeroizing::new(user)));
    }
    for (name, value) in extra {
        match vars.iter_mut().find(|(n, _)| n == name) {
            Some(v) => v.1 = Zeroizing::new(value.to_string()),
            None => vars.push((name.to_string(), Zeroizing::new(value.to_string()))),
        }
    }
    // Every value a hook gets as ENVMINT_* comes from the store, and a store can be forged (its
    // recipients are public keys): a retired value holding a newline and a second command line
    // would run in a line-based client (`printf ... "$ENVMINT_OLD" | redis-cli`). New and pending
    // values were checked against their declaration; the old value and the user name are
    // checked here for the characters that break a recipe's quoting.
    if let Some(why) = unsafe_var(key, &vars) {
        let ended = Ended::Refused(why);
        report(
            run,
            &env.name,
            Some(key),
            stage_name,
            &ended,
            Duration::ZERO,
            stages,
        );
        return ended;
    }
    let mut redact: Vec<(String, Zeroizing<String>)> = Vec::new();
    for (name, value) in &vars {
        if name == "ENVMINT_NEW" || name == "ENVMINT_OLD" {
            redact.push((key.to_string(), value.clone()));
        }
    }
    let mut all = super::store_vars(run.manifest, env, doc);
    redact.extend(all.iter().cloned());
    all.extend(vars);
    let (dir, _) = super::manifest_paths(run.manifest, run.cwd);
    let (ended, took) = runner::run(&runner::Hook {
        script,
        dir: &dir,
        timeout: hooks.timeout,
        vars: &all,
        redact: &redact,
        inherit: run.lock.get().and_then(|l| l.as_ref()).map(|l| l.fd()),
    });
    report(run, &env.name, Some(key), stage_name, &ended, took, stages);
    ended
}

/// Why `vars` (the ENVMINT_* variables a hook of `key` gets) may not be handed to a hook: the
/// first value holding a control character, white space (a second word in a word-based
/// command: `ACL SETUSER app <%s` with `old nopass`) or one of [`stage::HOOK_UNSAFE`], named by its
/// variable and the character, never the value.
fn unsafe_var(key: &str, vars: &[(String, Zeroizing<String>)]) -> Option<String> {
    vars.iter().find_map(|(name, value)| {
        let c = value
            .chars()
            .find(|c| c.is_control() || c.is_whitespace() || stage::HOOK_UNSAFE.contains(c))?;
        Some(format!(
            "{key}: {name} would hold a character no hook gets in a value ({}); a value \
             envmint did not generate (a hand-set, edited or forged store) is not handed to a hook",
            if c == ' ' {
                "a space".to_string()
            } else {
                c.escape_debug().to_string()
            }
        ))
    })
}

fn report(
    run: &Run<'_>,
    environment: &str,
    key: Option<&str>,
    stage_name: &'static str,
    ended: &Ended,
    took: Duration,
    stages: &mut EnvStages,
) {
    let who = key.map_or_else(
        || environment.to_string(),
        |k| format!("{environment}: {k}"),
    );
    if run.verbose || *ended != Ended::Ok {
        say!(
            "{who}: {stage_name} hook: {} ({:.2}s)",
            ended.describe(),
            took.as_secs_f64()
        );
    }
    stages.runs.push(StageRun {
        key: key.map(str::to_string),
        stage: stage_name,
        status: ended.as_str(),
        exit_code: ended.code(),
        seconds: (took.as_secs_f64() * 1000.0).round() / 1000.0,
    });
}

/// Puts what the stages did into the session's reports: their changes first, and `written`.
/// An environment the session did not plan (a retire hook failed) is not in them: its stages
/// are still reported through `--json` and the failure.
pub fn merge(reports: &mut [envmint::rotation::EnvReport<'_>], stages: &Outcome) {
    for r in reports.iter_mut() {
        if let Some(s) = stages.of(&r.env.name) {
            let mut changes = s.changes.clone();
            changes.append(&mut r.changes);
            r.changes = changes;
            r.written |= s.written;
        }
    }
}

/// After a rotation wrote `env`'s store with a new value for an encryption key that has a
/// `reencrypt` hook: runs it (`ENVMINT_NEW`: the new key, `ENVMINT_OLD`: the newest retired
/// one; the whole keyring is in the store's values), and when it succeeds the data no longer
/// needs the old keys, so they are retired (`envmint retire`'s code), under the lock.
/// `rotated`: the keys the rotation gave new values. Returns the changes it made.
pub fn reencrypt(
    ctx: &Context,
    run: &Run<'_>,
    env: &Environment,
    rotated: &[String],
    stages: &mut Outcome,
) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    let decls: Vec<&SecretDecl> = run
        .manifest
        .secrets_for(&env.name)
        // The hook first: `rotated` is searched only for the few secrets that have one (each
        // of 10,000 secrets searched among 1,000 rotated keys took 40% of a `rotate --due`).
        .filter(|d| d.hooks.as_ref().is_some_and(|h| h.reencrypt.is_some()))
        .filter(|d| rotated.contains(&d.key))
        .collect();
    if decls.is_empty() {
        return Ok(changes);
    }
    super::check_allowed(ctx, run.resolved, run.manifest, run.cwd, run.allow_hooks)?;
    take_lock(ctx, run)?;
    let mut es = EnvStages {
        environment: env.name.clone(),
        ..EnvStages::default()
    };
    for decl in decls {
        let doc =
            store::peek(store::Storage::of(env, run.open.within.euid())?, run.open)?.document()?;
        let new = Zeroizing::new(doc.get(&decl.key).unwrap_or("").to_string());
        let old = Zeroizing::new(newest_retired(&doc, decl).unwrap_or_default());
        let vars = [("ENVMINT_NEW", new.as_str()), ("ENVMINT_OLD", old.as_str())];
        let ended = hook(run, env, &doc, decl, "reencrypt", &vars, &mut es);
        if ended != Ended::Ok {
            stages.failures.push(Failure {
                message: format!(
                    "{}: {}: the reencrypt hook failed ({}); the old keys stay in its keyring",
                    env.name,
                    decl.key,
                    ended.describe()
                ),
                hint: format!(
                    "fix the cause and re-encrypt the data, then: envmint retire {} {}",
                    env.name, decl.key
                ),
            });
            continue;
        }
        let (file, mut doc) = open(ctx, run, env)?;
        let built = envmint::plan::retire::build(run.manifest, env, &doc, &decl.key, None, run.now)
            .map_err(|e| crate::report::rotation::rotation_error(env, e))?;
        envmint::plan::edit::apply_edits(&mut doc, &built.edits).map_err(|e| edit_error(env, e))?;
        save(env, &file, &doc)?;
        changes.extend(built.changes);
    }
    match stages.envs.iter_mut().find(|e| e.environment == env.name) {
        Some(e) => e.runs.extend(es.runs),
        None => stages.envs.push(es),
    }
    Ok(changes)
}

/// The newest retired value of `decl` in `doc`: its first previous variable's value (a list's
/// first item).
fn newest_retired(doc: &Document, decl: &SecretDecl) -> Option<String> {
    let name = decl.previous.names(None).into_iter().next()?;
    let value = doc.get(&name)?;
    Some(match &decl.previous {
        envmint::manifest::Previous::List { separator, .. } => value
            .split(separator.as_str())
            .next()
            .unwrap_or("")
            .to_string(),
        _ => value.to_string(),
    })
}

/// [`after`] for `env`, recorded in `stages` (its failure among theirs).
pub fn after_run(
    ctx: &Context,
    run: &Run<'_>,
    env: &Environment,
    stages: &mut Outcome,
) -> Result<()> {
    let mut es = EnvStages {
        environment: env.name.clone(),
        ..EnvStages::default()
    };
    if let Some(f) = after(ctx, run, env, &mut es)? {
        stages.failures.push(f);
    }
    match stages.envs.iter_mut().find(|e| e.environment == env.name) {
        Some(e) => e.runs.extend(es.runs),
        None => stages.envs.push(es),
    }
    Ok(())
}

/// Runs `env`'s `after` hook once, with the store's values as they are now.
pub fn after(
    ctx: &Context,
    run: &Run<'_>,
    env: &Environment,
    stages: &mut EnvStages,
) -> Result<Option<Failure>> {
    let Some(script) = env.after.as_deref() else {
        return Ok(None);
    };
    super::check_allowed(ctx, run.resolved, run.manifest, run.cwd, run.allow_hooks)?;
    take_lock(ctx, run)?;
    let snapshot = store::peek(store::Storage::of(env, run.open.within.euid())?, run.open)?;
    let doc = snapshot.document()?;
    let mut vars = super::store_vars(run.manifest, env, &doc);
    let redact = vars.clone();
    vars.push(("ENVMINT_ENV".into(), Zeroizing::new(env.name.clone())));
    vars.push(("ENVMINT_STAGE".into(), Zeroizing::new("after".into())));
    let (dir, _) = super::manifest_paths(run.manifest, run.cwd);
    let (ended, took) = runner::run(&runner::Hook {
        script,
        dir: &dir,
        timeout: env.hook_timeout,
        vars: &vars,
        redact: &redact,
        inherit: run.lock.get().and_then(|l| l.as_ref()).map(|l| l.fd()),
    });
    report(run, &env.name, None, "after", &ended, took, stages);
    Ok((ended != Ended::Ok).then(|| Failure {
        message: format!(
            "{}: the after hook failed ({}); the store was written",
            env.name,
            ended.describe()
        ),
        hint: "fix the cause and run the after command by hand (the rotation is done)".into(),
    }))
}

/// `rotate --key KEY... --abandon`: drops the pending values of `keys` in `envs`. Returns, per
/// environment, the keys whose pending value was dropped.
pub fn abandon(
    ctx: &Context,
    run: &Run<'_>,
    envs: &[&Environment],
    keys: &[String],
) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for env in envs {
        let storage = store::Storage::of(env, ctx.euid)?;
        if !store::peek(storage, run.open)?.exists() {
            continue;
        }
        let (file, mut doc) = open(ctx, run, env)?;
        let mut dropped = Vec::new();
        for key in keys {
            if stage::abandon(&mut doc, key).map_err(|e| edit_error(env, e))? {
                dropped.push(key.clone());
            }
        }
        if !dropped.is_empty() {
            save(env, &file, &doc)?;
        }
        out.push((env.name.clone(), dropped));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::unsafe_var;
    use zeroize::Zeroizing;

    #[test]
    fn a_command_adds_what_it_left_undone_to_each_failed_hook_hint() {
        let failed = super::Outcome {
            failures: vec![super::Failure {
                message: "DB_PASSWORD: the retire hook failed (exit status 1)".into(),
                hint: "fix the hook".into(),
            }],
            ..super::Outcome::default()
        }
        .with_hints_ending("; nothing was written");
        assert_eq!(failed.failures[0].hint, "fix the hook; nothing was written");
        assert_eq!(
            failed.say_failures(envmint::Exit::Ok),
            envmint::Exit::Problems
        );
    }

    fn vars(old: &str) -> Vec<(String, Zeroizing<String>)> {
        vec![
            (
                "ENVMINT_KEY".into(),
                Zeroizing::new("REDIS_PASSWORD".into()),
            ),
            ("ENVMINT_OLD".into(), Zeroizing::new(old.into())),
        ]
    }

    /// What a forged retired value could smuggle into a recipe: a second line, a second word
    /// (`ACL SETUSER app <old nopass`), a quote. A generated value passes.
    #[test]
    fn an_old_value_that_could_break_a_recipe_is_named_never_shown() {
        for (old, shown) in [
            ("pw\nACL SETUSER app nopass", "\\n"),
            ("pw nopass", "a space"),
            ("pw\tnopass", "\\t"),
            ("pw';DROP", "\\'"),
        ] {
            let why = unsafe_var("REDIS_PASSWORD", &vars(old)).expect(old);
            assert!(
                why.contains(&format!(
                    "ENVMINT_OLD would hold a character no hook gets in a value ({shown})"
                )),
                "{why}"
            );
            assert!(!why.contains("nopass") && !why.contains("DROP"), "{why}");
        }
        assert_eq!(unsafe_var("REDIS_PASSWORD", &vars("Xq9aZ0b1c2D3")), None);
    }
}
