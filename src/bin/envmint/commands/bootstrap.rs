//! `envmint bootstrap ENV...`: add every declared secret each environment's file lacks, fill
//! the empty ones in place, and check (or with `--replace-weak`, replace) the ones it keeps.

use crate::cli::BootstrapArgs;
use crate::context::Context;
use crate::error::Result;
use crate::hooks::staged;
use crate::output::plural;
use crate::report::dotenv::edit_error;
use crate::resolve::Global;
use crate::target::declared_mode;
use crate::target::example_path;
use crate::target::read_example;
use envmint::dotenv::Document;
use envmint::error::{DotenvError, DotenvProblem, FileError, Op};
use envmint::generate::format_bits;
use envmint::manifest::{Environment, Manifest, Source};
use envmint::path::shown;
use envmint::plan::bootstrap;
use envmint::plan::{Action, KeyReport};
use envmint::{Exit, store};
use serde::Serialize;
use std::path::Path;

/// What happened to one environment.
struct EnvOutcome<'a> {
    env: &'a Environment,
    created: bool,
    written: bool,
    keys: Vec<KeyReport>,
    /// `(old, new)` permission bits when a write changed the file's mode.
    mode_change: Option<(u32, u32)>,
}

pub fn run(
    ctx: &mut Context,
    resolved: &crate::resolve::Resolved,
    global: &Global,
    args: BootstrapArgs,
) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    if args.json {
        // A script that asked for JSON and cannot receive it must learn that before files change.
        crate::output::check_stdout()?;
    }
    // Every name is checked before anything is read or written (`--all`: every declared one).
    let (envs, _) = resolved.environments(ctx)?;
    let mut open = resolved.store_options(ctx, &envs)?;
    let opts = PlanOptions {
        replace_weak: args.replace_weak,
        now: ctx.now,
        defer_hooked: args.allow_hooks && !args.dry_run,
        euid: ctx.euid,
    };
    if opts.defer_hooked {
        // Allowed (and listed) before anything is written.
        crate::hooks::check_allowed(ctx, resolved, manifest, &cwd, true)?;
    }
    let rng = &mut ctx.rng;

    // Pass 1, without locks or writes: parse every file and plan its additions, so a broken file
    // in the last environment stops the run before the first is touched. This is also --dry-run.
    let storages = envs
        .iter()
        .map(|env| store::Storage::of(env, ctx.euid))
        .collect::<envmint::Result<Vec<_>>>()?;
    let mut planned = Vec::with_capacity(envs.len());
    for (env, storage) in envs.iter().zip(&storages) {
        let snapshot = store::peek(storage.clone(), &open)?;
        crate::identities::check_recipients(env, &snapshot, &cwd)?;
        let staged = plan(env, &snapshot, manifest, rng, opts)?;
        for w in staged.doc.warnings() {
            crate::output::say!(
                "warning: {}:{}: {}",
                shown(env.store_path(), &cwd).display(),
                w.line,
                w.message
            );
        }
        warn_foreign(env, &staged.doc, manifest, &cwd, ctx.euid);
        planned.push((snapshot, staged));
    }
    // Before any write: which files git would publish (and with -v, what was planned).
    if global.verbose && !args.json {
        say_manifest(manifest, &cwd);
    }
    let mut to_write: Vec<&Path> = Vec::new();
    for (env, (snapshot, store::Staged { report: keys, .. })) in envs.iter().zip(&planned) {
        if global.verbose {
            say_file(env, snapshot, keys, &cwd);
        }
        // A sealed file is meant to be committed: only plaintext files are checked.
        if env.sealed.is_none()
            && keys.iter().any(|k| k.action.wrote())
            && !to_write.contains(&env.file.as_path())
        {
            to_write.push(&env.file);
        }
    }
    warn_if_tracked(&to_write, &cwd);

    if args.dry_run {
        let outcomes: Vec<EnvOutcome<'_>> = envs
            .iter()
            .zip(planned)
            .map(|(env, (snapshot, staged))| EnvOutcome {
                env,
                // A sealed store made from its plaintext file is created too.
                created: !snapshot.is_stored(),
                written: false,
                keys: staged.report,
                mode_change: None,
            })
            .collect();
        return report(&args, global, manifest, &outcomes, None, &cwd);
    }

    // Pass 2, under the locks of every file's folder, taken together: if another process wrote
    // a file since pass 1, plan it again from what is there now; otherwise keep the plan.
    open.timeout = resolved.lock_timeout(&ctx.lock_timeout)?;
    let pending = envs
        .iter()
        .zip(storages)
        .zip(planned)
        .map(|((env, storage), (snapshot, staged))| store::Pending {
            storage,
            mode: declared_mode(env),
            snapshot,
            staged,
        })
        .collect();
    let adds = |keys: &Vec<KeyReport>| keys.iter().any(|k| k.action.wrote());
    let done = store::transact(
        pending,
        &open,
        &mut crate::output::lock_waiter(&cwd),
        adds,
        &mut |i, snapshot| Ok(plan(envs[i], snapshot, manifest, rng, opts)?),
    )?;
    let failure = done.failure;
    let outcomes: Vec<EnvOutcome<'_>> = envs
        .iter()
        .zip(done.outcomes)
        .map(|(env, o)| {
            if !o.written && failure.is_none() {
                warn_if_exposed(env, &cwd);
            }
            EnvOutcome {
                env,
                created: o.created,
                written: o.written,
                keys: o.report,
                mode_change: o.mode_change,
            }
        })
        .collect();
    // What the stages of hooked credentials (`--allow-hooks`) work with.
    let hook_run = staged::Run::new(
        manifest,
        &cwd,
        &open,
        ctx.now,
        global.verbose,
        true,
        resolved,
    );
    // On failure too, the JSON lists every environment with its `written` flag, and the
    // summary the files that were written (none, unless a rename itself failed), before the
    // error: a summary of planned additions would read as if they had been made.
    match failure {
        None if !opts.defer_hooked => {
            let exit = report(&args, global, manifest, &outcomes, None, &cwd)?;
            note_hooked(manifest, &outcomes);
            Ok(exit)
        }
        // --json: the stages first, so the one JSON document says what they did.
        None if args.json => {
            let stages = stage_missing(ctx, &hook_run, &envs, true)?;
            let exit = report(&args, global, manifest, &outcomes, Some(&stages), &cwd)?;
            Ok(stages.say_failures(exit))
        }
        None => {
            let exit = report(&args, global, manifest, &outcomes, None, &cwd)?;
            let stages = stage_missing(ctx, &hook_run, &envs, false)?;
            Ok(stages.say_failures(exit))
        }
        Some(error) if args.json => {
            report(&args, global, manifest, &outcomes, None, &cwd)?;
            Err(error.into())
        }
        Some(error) => {
            let written: Vec<EnvOutcome<'_>> = outcomes.into_iter().filter(|o| o.written).collect();
            if !written.is_empty() {
                report(&args, global, manifest, &written, None, &cwd)?;
            }
            Err(error.into())
        }
    }
}

/// The summary or the JSON (with what the stages of hooked credentials did, when they ran
/// first: `stages`), then the weak-value warnings; exit 1 when a value is weak.
fn report(
    args: &BootstrapArgs,
    global: &Global,
    manifest: &Manifest,
    outcomes: &[EnvOutcome<'_>],
    stages: Option<&crate::hooks::staged::Outcome>,
    cwd: &Path,
) -> Result<Exit> {
    if args.json {
        if let Err(e) = print_json(manifest, outcomes, stages, cwd, args.dry_run) {
            // Stdout failed after the files were written (`>/dev/full`): exit 74 alone would
            // read as "nothing happened", so say on stderr what was written.
            if outcomes.iter().any(|o| o.written) {
                say_manifest(manifest, cwd);
                print_summary(outcomes, cwd, args.dry_run);
            }
            return Err(e);
        }
    } else {
        if !global.verbose {
            say_manifest(manifest, cwd);
        }
        print_summary(outcomes, cwd, args.dry_run);
    }
    warn_external(outcomes, cwd);
    Ok(warn_weak(outcomes, cwd, args.all))
}

/// A file bootstrap did not need to write keeps its mode; say so when others can read it beyond
/// the mode the environment declares (0600 by default, or e.g. 0640 for a service's group),
/// since a write would have set that mode.
fn warn_if_exposed(env: &Environment, cwd: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let declared = env.mode.unwrap_or(envmint::manifest::DEFAULT_MODE);
    let Ok(meta) = std::fs::metadata(env.store_path()) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 & !declared == 0 {
        return;
    }
    let file = shown(env.store_path(), cwd).display();
    let declared_note = if declared == envmint::manifest::DEFAULT_MODE {
        String::new()
    } else {
        format!(", the manifest declares {declared:04o}")
    };
    crate::output::say!(
        "warning: {file} is readable by others (mode {mode:04o}{declared_note}); run: chmod \
         {declared:o} {file}"
    );
}

/// What `plan` may do beyond adding missing keys (from the command line).
#[derive(Clone, Copy)]
struct PlanOptions {
    /// `--replace-weak`.
    replace_weak: bool,
    /// The time written in the records of new values.
    now: jiff::Timestamp,
    /// `--allow-hooks`: a missing (or empty) credential with a `set` hook is left to its
    /// stages ([`stage_missing`]), not written here.
    defer_hooked: bool,
    /// The effective user id, for reading `.env.example`.
    euid: u32,
}

/// Whether `decl` is a credential with a `set` hook that `doc` lacks (or has empty).
fn missing_hooked(decl: &envmint::manifest::SecretDecl, doc: &Document) -> bool {
    decl.hooks.as_ref().is_some_and(|h| h.set.is_some())
        && doc.get(&decl.key).is_none_or(str::is_empty)
}

/// Without `--allow-hooks`: a credential with a `set` hook that bootstrap wrote is in the file
/// only (a new environment's provisioning often reads that first value); says so, and how to
/// set it at its service through the stages.
fn note_hooked(manifest: &Manifest, outcomes: &[EnvOutcome<'_>]) {
    for o in outcomes.iter().filter(|o| o.written) {
        for k in o.keys.iter().filter(|k| k.action.wrote()) {
            let hooked = manifest
                .secrets_for(&o.env.name)
                .any(|d| d.key == k.key && d.hooks.as_ref().is_some_and(|h| h.set.is_some()));
            if hooked {
                crate::output::say!(
                    "note: {}: {} has a set hook, which did not run: its new value is in the \
                     file only, not at its service",
                    o.env.name,
                    k.key
                );
                crate::output::say!(
                    "hint: to set it at the service through its hooks: envmint rotate {} --key \
                     {} --allow-hooks (or give the service this value yourself)",
                    o.env.name,
                    k.key
                );
            }
        }
    }
}

/// With `--allow-hooks`, once the other keys are written: each missing credential with a
/// `set` hook goes through the stages as `rotate` takes it (pending value written, set at its
/// service, tested, then current). Returns what the stages did, per environment, and the
/// hooks that failed (for [`crate::hooks::staged::Outcome::say_failures`]); `json`: the
/// summary lines are left to the JSON.
fn stage_missing(
    ctx: &mut Context,
    run: &staged::Run<'_>,
    envs: &[&Environment],
    json: bool,
) -> Result<staged::Outcome> {
    let (manifest, open) = (run.manifest, run.open);
    let mut all = staged::Outcome::default();
    for env in envs {
        let snapshot = store::peek(store::Storage::of(env, ctx.euid)?, open)?;
        if !snapshot.exists() {
            continue;
        }
        let doc = snapshot.document()?;
        let keys: Vec<String> = manifest
            .secrets_for(&env.name)
            .filter(|d| missing_hooked(d, &doc))
            .map(|d| d.key.clone())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let selection = envmint::plan::rotation::Selection::Keys(keys);
        let found = [(env.name.clone(), doc)];
        let mut out = staged::run(ctx, run, &[*env], &found, &selection, false)?;
        let went = out.envs.iter().any(|s| !s.changes.is_empty());
        if went && env.after.is_some() {
            staged::after_run(ctx, run, env, &mut out)?;
        }
        for s in out.envs.iter().filter(|_| !json) {
            for c in &s.changes {
                crate::output::say!(
                    "  {}: {}: set at its service by its hooks, then written",
                    env.name,
                    c.key
                );
            }
        }
        all.envs.extend(out.envs);
        all.failures.extend(out.failures);
    }
    Ok(all)
}

/// Plans a snapshot's document: the environment's missing secrets, empty values to fill, kept
/// ones checked (against `.env.example` beside the file too), then applies the plan with `rng`.
/// A file that does not exist yet starts with a header comment; an existing file that is not a
/// dotenv file is refused.
fn plan(
    env: &Environment,
    snapshot: &store::Snapshot,
    manifest: &Manifest,
    rng: &mut rand_chacha::ChaCha20Rng,
    opts: PlanOptions,
) -> Result<store::Staged<Vec<KeyReport>>> {
    let mut doc = if snapshot.exists() {
        snapshot.document()?
    } else {
        Document::parse(&bootstrap::header(&env.name))
    };
    if snapshot.exists()
        && let Some(line) = bootstrap::not_a_dotenv_file(&doc)
    {
        let environment = env.name.clone();
        let problem = DotenvProblem::NotADotenvFile { line, environment };
        // A sealed store not made yet takes its first content from the plaintext file: the
        // line is that file's.
        let path = if snapshot.is_imported() {
            &env.file
        } else {
            env.store_path()
        };
        return Err(DotenvError {
            path: path.to_path_buf(),
            problem,
        }
        .into());
    }
    let example = read_example(&env.file, opts.euid);
    let options = bootstrap::Options {
        replace_weak: opts.replace_weak,
        example: example.as_ref(),
    };
    let secrets = manifest
        .secrets_for(&env.name)
        .filter(|d| !(opts.defer_hooked && missing_hooked(d, &doc)));
    let plan =
        bootstrap::plan(&doc, secrets, options).map_err(|e| edit_error(env.store_path(), e))?;
    let report = envmint::plan::apply(&plan, &mut doc, rng, opts.now)
        .map_err(|e| edit_error(env.store_path(), e))?;
    Ok(store::Staged { doc, report })
}

/// A warning for each retired value that came from `.env.example` ([`bootstrap::foreign`]):
/// `doc` is the planned document, where it is marked expired.
fn warn_foreign(env: &Environment, doc: &Document, manifest: &Manifest, cwd: &Path, euid: u32) {
    let example = read_example(&env.file, euid);
    for f in bootstrap::foreign(doc, manifest.secrets_for(&env.name), example.as_ref()) {
        let why = match f.why {
            bootstrap::ForeignWhy::ExampleRecord => "it carries the template's previous-of record",
            bootstrap::ForeignWhy::ExampleValue => "it holds the template's value",
        };
        // An encryption key's keyring does not expire: only `envmint retire` removes a key
        // from it (data may still be encrypted under it).
        let keyring = manifest
            .secrets_for(&env.name)
            .any(|d| d.key == f.of && d.role == envmint::manifest::Role::Encryption);
        let then = if keyring {
            format!(
                "it is in an encryption keyring, which nothing expires: re-encrypt what uses \
                 it, then remove it (`envmint retire {} {}`)",
                env.name, f.of
            )
        } else {
            format!(
                "marked expired, the next `envmint rotate {}` removes it",
                env.name
            )
        };
        crate::output::say!(
            "warning: {}:{}: {}: a retired value of {} that came from .env.example ({why}): \
             apps must not accept a value the repository knows; {then}",
            shown(env.store_path(), cwd).display(),
            doc.line_of_key(&f.key).unwrap_or(0),
            f.key,
            f.of,
        );
    }
}

/// Says which manifest the run uses (on stderr; `--json` says it in its output).
fn say_manifest(manifest: &Manifest, cwd: &Path) {
    match manifest.source() {
        Source::File(path) => {
            crate::output::say!("using {}", envmint::path::relative(path, cwd).display())
        }
        Source::Builtin => crate::output::say!(
            "using the built-in web preset (no envmint.toml found; envmint init writes it out)"
        ),
    }
}

/// `-v`: the file, its mode or that it is new, and what was checked.
fn say_file(env: &Environment, snapshot: &store::Snapshot, keys: &[KeyReport], cwd: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let file = shown(env.store_path(), cwd).display();
    let state = if snapshot.exists() {
        match std::fs::metadata(env.store_path()) {
            Ok(meta) => format!("exists, mode {:04o}", meta.permissions().mode() & 0o7777),
            Err(_) => "exists".to_string(),
        }
    } else {
        "new".to_string()
    };
    let checked = keys
        .iter()
        .filter(|k| matches!(k.action, Action::Kept | Action::Weak | Action::Replaced))
        .filter(|k| !k.external)
        .count();
    let example = example_path(&env.file);
    let against = if checked == 0 {
        String::new()
    } else if example.is_file() {
        format!(
            "; checked {} against the manifest, known placeholders and {}",
            plural(checked, "existing value"),
            shown(&example, cwd).display()
        )
    } else {
        format!(
            "; checked {} against the manifest and known placeholders (no .env.example)",
            plural(checked, "existing value")
        )
    };
    crate::output::say!("{}: {file} ({state}){against}", env.name);
}

/// Warns about each of `paths` that git tracks: the secrets written to it would go into the
/// next commit.
///
/// One `git ls-files` call per folder, and only for a folder with a `.git` in it or above it.
/// git missing, or any failure of it, means no warning: this is advice, never an error.
fn warn_if_tracked(paths: &[&Path], cwd: &Path) {
    let mut folders: Vec<(&Path, Vec<&std::ffi::OsStr>)> = Vec::new();
    for path in paths {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            continue;
        };
        match folders.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, names)) => names.push(name),
            None => folders.push((dir, vec![name])),
        }
    }
    for (dir, names) in folders {
        for name in envmint::git::tracked(dir, &names) {
            let file = shown(&dir.join(name), cwd).display().to_string();
            crate::output::say!(
                "warning: {file} is tracked by git: the secrets written to it go into the next \
                 commit"
            );
            crate::output::say!("hint: git rm --cached {file}, and add it to .gitignore");
        }
    }
}

/// Warns about every external secret without a value, naming the command that gives it one.
///
/// Not a failure (exit 0): bootstrap did all it can do, and the value is an input only its
/// owner has; `envmint status --check` is the gate that fails while it is missing.
fn warn_external(outcomes: &[EnvOutcome<'_>], cwd: &Path) {
    for o in outcomes {
        for k in o.keys.iter().filter(|k| k.action == Action::Missing) {
            crate::output::say!(
                "warning: {}: {} is external: envmint does not generate it, and it has no value",
                shown(o.env.store_path(), cwd).display(),
                k.key,
            );
            crate::output::say!(
                "hint: give it with: envmint set {} {} (reads the value from stdin or a prompt)",
                o.env.name,
                k.key
            );
        }
    }
}

/// Warns about every weak value kept, and gives the exit code: 1 when there is one.
fn warn_weak(outcomes: &[EnvOutcome<'_>], cwd: &Path, all: bool) -> Exit {
    let mut weak = 0;
    for o in outcomes {
        for k in o.keys.iter().filter(|k| k.action == Action::Weak) {
            weak += 1;
            crate::output::say!(
                "warning: {}: kept {}: {}",
                shown(o.env.store_path(), cwd).display(),
                k.key,
                k.problem.as_deref().unwrap_or("weak")
            );
        }
    }
    if weak == 0 {
        return Exit::Ok;
    }
    let envs = if all {
        "--all".to_string()
    } else {
        let names: Vec<&str> = outcomes.iter().map(|o| o.env.name.as_str()).collect();
        names.join(" ")
    };
    crate::output::say!(
        "hint: to replace {} with fresh secrets: envmint bootstrap {envs} --replace-weak (then \
         update whatever holds the old value, such as a database's password)",
        if weak == 1 { "it" } else { "them" },
    );
    Exit::Problems
}

/// Key names wider than this do not widen the summary's column (a format width that large
/// once panicked; a long name now just pushes its own line to the right).
const MAX_KEY_WIDTH: usize = 40;

/// The width of the key column: the longest key, capped at [`MAX_KEY_WIDTH`].
fn key_width<'a>(keys: impl Iterator<Item = &'a KeyReport>) -> usize {
    keys.map(|k| k.key.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_KEY_WIDTH)
}

/// The state of one environment's file in the summary.
fn state_line(o: &EnvOutcome<'_>, dry_run: bool) -> String {
    let count = |a: Action| o.keys.iter().filter(|k| k.action == a).count();
    let (added, filled, replaced, weak, missing) = (
        count(Action::Added),
        count(Action::Filled),
        count(Action::Replaced),
        count(Action::Weak),
        count(Action::Missing),
    );
    let total = plural(o.keys.len(), "key");
    let mut parts = Vec::new();
    if o.keys.is_empty() {
        // Every secret is restricted to other environments (or none is declared).
        parts.push("no secrets declared for this environment".to_string());
    } else if o.created && added + filled + replaced == 0 {
        // A sealed store made from the plaintext file it had no store for: every key came
        // from that file, and the store is new, not "unchanged".
        parts.push(if dry_run {
            format!("would create from its plaintext file, {total}")
        } else {
            format!(
                "created from its plaintext file, {total}, mode {:04o}",
                o.env.mode.unwrap_or(0o600)
            )
        });
    } else if added + filled + replaced == 0 && missing == 0 {
        // "all 1 key present" reads wrong: one key is just present.
        parts.push(if o.keys.len() == 1 {
            "unchanged, 1 key present".to_string()
        } else {
            format!("unchanged, all {total} present")
        });
    } else if added + filled + replaced == 0 {
        parts.push(format!("unchanged, {total}"));
    } else if o.created {
        parts.push(if dry_run {
            format!("would create with {}", plural(added, "key"))
        } else {
            format!(
                "created, {}, mode {:04o}",
                plural(added, "key"),
                o.env.mode.unwrap_or(0o600)
            )
        });
    } else {
        let verbs: [(&str, &str, usize); 3] = [
            ("add", "added", added),
            ("fill", "filled", filled),
            ("replace", "replaced", replaced),
        ];
        let mut first = true;
        for (would, did, n) in verbs {
            if n == 0 {
                continue;
            }
            let what = if first {
                format!("{n} of {total}")
            } else {
                n.to_string()
            };
            parts.push(if dry_run && first {
                format!("would {would} {what}")
            } else if dry_run {
                format!("{would} {what}")
            } else {
                format!("{what} {did}")
            });
            first = false;
        }
    }
    if weak > 0 {
        parts.push(format!("{weak} weak"));
    }
    if missing > 0 {
        parts.push(format!("{missing} external missing"));
    }
    if let Some((old, new)) = o.mode_change {
        parts.push(format!("mode {old:04o} -> {new:04o}"));
    }
    parts.join(", ")
}

/// One key's summary line (without the leading spaces): verb, key, kind, and the bits of a value
/// envmint wrote or checked, or what is wrong with a weak one.
fn key_line(k: &KeyReport, width: usize, dry_run: bool) -> String {
    let verb = match (k.action, dry_run) {
        (Action::Added, true) => "would add",
        (Action::Filled, true) => "would fill",
        (Action::Replaced, true) => "would replace",
        (Action::Weak, _) => "kept",
        (action, _) => action.as_str(),
    };
    // An external secret's kind and bits are not declared: they would describe nothing.
    let kind = if k.external { "external" } else { k.kind };
    let detail = match k.action {
        Action::Missing => "no value: envmint never generates it".to_string(),
        Action::Kept if k.external => "given with envmint set, not checked".to_string(),
        Action::Weak => k.problem.clone().unwrap_or_default(),
        Action::Kept => format!("{} bits, checked", format_bits(k.bits)),
        Action::Replaced => format!(
            "{} bits (the old value: {})",
            format_bits(k.bits),
            k.problem.as_deref().unwrap_or("weak")
        ),
        _ => format!("{} bits", format_bits(k.bits)),
    };
    format!("{verb:<9} {:<width$}  {kind:<9} {detail}", k.key)
}

fn print_summary(outcomes: &[EnvOutcome<'_>], cwd: &Path, dry_run: bool) {
    let width = key_width(outcomes.iter().flat_map(|o| o.keys.iter()));
    for o in outcomes {
        crate::output::say!(
            "{}: {} ({})",
            o.env.name,
            shown(o.env.store_path(), cwd).display(),
            state_line(o, dry_run)
        );
        for k in &o.keys {
            crate::output::say!("  {}", key_line(k, width, dry_run));
        }
    }
}

/// `--json` output: one object for the whole run.
#[derive(Serialize)]
struct JsonReport<'a> {
    dry_run: bool,
    /// The manifest file used (relative to the working directory when inside it, like `file`),
    /// or `null` for a preset.
    manifest: Option<std::borrow::Cow<'a, str>>,
    /// The built-in preset used (`web`), or `null` for a manifest file.
    preset: Option<&'static str>,
    environments: Vec<JsonEnvironment<'a>>,
}

#[derive(Serialize)]
struct JsonEnvironment<'a> {
    environment: &'a str,
    /// JSON text is Unicode: a path that is not UTF-8 is shown with U+FFFD in place of its
    /// invalid bytes, rather than failing after the files were written.
    file: std::borrow::Cow<'a, str>,
    created: bool,
    written: bool,
    /// The mode the file gets when written, as octal text (`"0600"`).
    mode: String,
    /// `{"from": "0640", "to": "0600"}` when this run's write changed the file's mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    mode_change: Option<JsonModeChange>,
    keys: Vec<JsonKey<'a>>,
    /// With `--allow-hooks`: what the stages did to the missing credentials with a `set` hook
    /// (each set at its service, then written), as `rotate --json` reports its changes
    /// (present when any went through).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    staged: Vec<crate::changes::JsonChange<'a>>,
    /// The hooks that ran, in order, with their status (present when any did).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hooks: &'a [crate::hooks::staged::StageRun],
}

#[derive(Serialize)]
struct JsonModeChange {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct JsonKey<'a> {
    key: &'a str,
    /// `added`, `filled`, `kept`, `weak`, `replaced` or `missing` (an external secret without
    /// a value).
    action: &'static str,
    /// The declared kind; `null` for an external secret.
    kind: Option<&'static str>,
    /// The declared bits of a value written or checked; `null` for a weak value and an
    /// external secret.
    bits: Option<serde_json::Value>,
    /// Whether the secret is external (`envmint set` gives its value).
    external: bool,
    /// What is wrong with a weak or replaced value; never the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<&'a str>,
}

fn print_json(
    manifest: &Manifest,
    outcomes: &[EnvOutcome<'_>],
    stages: Option<&crate::hooks::staged::Outcome>,
    cwd: &Path,
    dry_run: bool,
) -> Result<()> {
    let of = |name: &str| stages.and_then(|s| s.of(name));
    let environments = outcomes
        .iter()
        .map(|o| JsonEnvironment {
            staged: of(&o.env.name)
                .map_or(&[][..], |s| &s.changes[..])
                .iter()
                .map(|c| crate::changes::json_change(&o.env.name, c))
                .collect(),
            hooks: of(&o.env.name).map_or(&[][..], |s| &s.runs[..]),
            environment: &o.env.name,
            file: shown(o.env.store_path(), cwd).to_string_lossy(),
            created: o.created,
            written: o.written,
            mode: format!("{:04o}", o.env.mode.unwrap_or(0o600)),
            mode_change: o.mode_change.map(|(from, to)| JsonModeChange {
                from: format!("{from:04o}"),
                to: format!("{to:04o}"),
            }),
            keys: o
                .keys
                .iter()
                .map(|k| JsonKey {
                    key: &k.key,
                    action: k.action.as_str(),
                    kind: (!k.external).then_some(k.kind),
                    bits: (k.action != Action::Weak && !k.external)
                        .then(|| crate::output::bits_json(k.bits)),
                    external: k.external,
                    problem: k.problem.as_deref(),
                })
                .collect(),
        })
        .collect();
    let (manifest, preset) = match manifest.source() {
        Source::File(p) => (Some(shown(p, cwd).to_string_lossy()), None),
        Source::Builtin => (None, Some("web")),
    };
    let report = JsonReport {
        dry_run,
        manifest,
        preset,
        environments,
    };
    let text = serde_json::to_string(&report)
        .map_err(|e| FileError::os("<stdout>", Op::WriteStdout, e.into()))?;
    crate::output::print_line(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(key: &str, action: Action) -> KeyReport {
        KeyReport {
            key: key.to_string(),
            action,
            kind: "hex",
            bits: 256.0,
            problem: (action == Action::Weak)
                .then(|| "placeholder, not a 32-byte hex secret".to_string()),
            external: false,
        }
    }

    #[test]
    fn the_key_column_is_capped_and_a_huge_key_never_panics() {
        let huge = "K".repeat(65_536);
        let keys = [report("A", Action::Added), report(&huge, Action::Kept)];
        let width = key_width(keys.iter());
        assert_eq!(width, MAX_KEY_WIDTH);
        let line = key_line(&keys[1], width, false);
        assert!(line.starts_with("kept      KKKK") && line.ends_with("256 bits, checked"));
        let short = key_line(&keys[0], width, true);
        assert_eq!(short.find("hex"), Some(10 + MAX_KEY_WIDTH + 2), "{short}");
        assert_eq!(key_width([].iter()), 0);
    }

    #[test]
    fn weak_lines_show_the_problem_and_no_bits() {
        let line = key_line(&report("JWT_SECRET_KEY", Action::Weak), 14, false);
        assert_eq!(
            line,
            "kept      JWT_SECRET_KEY  hex       placeholder, not a 32-byte hex secret"
        );
    }
}
