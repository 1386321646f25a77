//! `envmint bootstrap ENV...`: add every declared secret each environment's file lacks.

use super::{Global, lock_timeout, os_rng, shown};
use crate::cli::BootstrapArgs;
use envmint::bootstrap::{self, Action, KeyReport};
use envmint::dotenv::{Document, EditError};
use envmint::error::Location;
use envmint::generate::format_bits;
use envmint::manifest::{Environment, Manifest, Source};
use envmint::{Error, Exit, Result, store};
use std::path::Path;

/// What happened to one environment.
struct EnvOutcome<'a> {
    env: &'a Environment,
    created: bool,
    written: bool,
    keys: Vec<KeyReport>,
    /// `(old, new)` permission bits when a write changed the file's mode.
    #[allow(dead_code)] // for the summary: `mode 0640 -> 0600`
    mode_change: Option<(u32, u32)>,
}

pub fn run(global: &Global, args: BootstrapArgs) -> Result<Exit> {
    let cwd = super::cwd()?;
    let manifest = Manifest::load(global.manifest.as_deref(), &cwd)?;
    // Every name is checked before anything is read or written.
    let mut envs: Vec<&Environment> = Vec::new();
    let names: Vec<&str> = if args.all {
        manifest
            .environments()
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    } else {
        args.environments.iter().map(String::as_str).collect()
    };
    for name in names {
        let env = manifest.environment(name)?;
        if !envs.iter().any(|e| e.name == env.name) {
            envs.push(env);
        }
    }
    let mut rng = os_rng()?;

    // Pass 1, without locks or writes: parse every file and plan its additions, so a broken file
    // in the last environment stops the run before the first is touched. This is also --dry-run.
    let mut planned = Vec::with_capacity(envs.len());
    for env in &envs {
        let snapshot = store::peek(&env.file)?;
        let (doc, keys) = plan(env, &snapshot, &manifest, &mut rng)?;
        for w in doc.warnings() {
            super::say!(
                "warning: {}:{}: {}",
                shown(&env.file, &cwd).display(),
                w.line,
                w.message
            );
        }
        planned.push((snapshot, doc, keys));
    }

    if args.dry_run {
        let outcomes: Vec<EnvOutcome<'_>> = envs
            .iter()
            .zip(planned)
            .map(|(env, (snapshot, _, keys))| EnvOutcome {
                env,
                created: !snapshot.exists(),
                written: false,
                keys,
                mode_change: None,
            })
            .collect();
        report(&args, &manifest, &outcomes, &cwd)?;
        return Ok(Exit::Ok);
    }

    // Pass 2, under the locks of every file's folder, taken together: if another process wrote
    // a file since pass 1, plan it again from what is there now; otherwise keep the plan.
    let timeout = lock_timeout()?;
    let paths: Vec<&Path> = envs.iter().map(|e| e.file.as_path()).collect();
    let mut files = store::open_all(&paths, timeout, &mut |dir| {
        super::say!(
            "Blocking waiting for the lock on {}",
            shown_dir(dir, &cwd).display()
        );
    })?;
    // Per environment: the document to save (`None` once a later environment sharing the file
    // has planned on top of it), its keys, whether it creates the file, and its group: the
    // first environment of the same file.
    let mut docs: Vec<Option<Document>> = Vec::with_capacity(envs.len());
    let mut keys_of = Vec::with_capacity(envs.len());
    let mut created = Vec::with_capacity(envs.len());
    let mut group = Vec::with_capacity(envs.len());
    for (i, (env, (snapshot, doc, keys))) in envs.iter().zip(planned).enumerate() {
        let shared = (0..i).rev().find(|&j| files[j].same_file(&files[i]));
        let (doc, keys) = match shared.and_then(|j| docs[j].take()) {
            // Plan on top of the changes of the environment before it in the same file.
            Some(before) => {
                let snapshot = store::Snapshot::of_document(&env.file, &before);
                plan(env, &snapshot, &manifest, &mut rng)?
            }
            None => {
                let mut earlier = Some(snapshot);
                if files[i].settle(&mut earlier) {
                    (doc, keys)
                } else {
                    drop(doc);
                    plan(env, files[i].snapshot(), &manifest, &mut rng)?
                }
            }
        };
        created.push(shared.is_none() && !files[i].exists());
        group.push(shared.map_or(i, |j| group[j]));
        docs.push(Some(doc));
        keys_of.push(keys);
    }
    let adds = |keys: &[KeyReport]| keys.iter().any(|k| k.action == Action::Added);
    let mut saved_by = Vec::new();
    let mut saves = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let group_adds = (0..envs.len()).any(|k| group[k] == group[i] && adds(&keys_of[k]));
        if let (Some(doc), true) = (doc, group_adds) {
            saved_by.push(group[i]);
            saves.push(store::Save {
                file: &files[i],
                doc,
                mode: declared_mode(envs[i]),
            });
        }
    }
    let (done, failure) = match store::save_all(&saves) {
        Ok(done) => (done, None),
        Err(e) => (e.written, Some(e.error)),
    };
    let outcomes: Vec<EnvOutcome<'_>> = envs
        .iter()
        .zip(keys_of)
        .enumerate()
        .map(|(i, (env, keys))| {
            let saved = saved_by
                .iter()
                .zip(&done)
                .find(|(g, _)| **g == group[i])
                .map(|(_, w)| *w)
                .unwrap_or_default();
            let written = saved.written && adds(&keys);
            if !written && failure.is_none() {
                warn_if_exposed(&env.file, &cwd);
            }
            EnvOutcome {
                env,
                created: created[i] && written,
                written,
                keys,
                mode_change: saved.mode_change.filter(|_| written),
            }
        })
        .collect();
    // On failure too, the JSON lists every environment with its `written` flag, and the
    // summary the files that were written (none, unless a rename itself failed), before the
    // error: a summary of planned additions would read as if they had been made.
    match failure {
        None => {
            report(&args, &manifest, &outcomes, &cwd)?;
            Ok(Exit::Ok)
        }
        Some(error) if args.json => {
            report(&args, &manifest, &outcomes, &cwd)?;
            Err(error)
        }
        Some(error) => {
            let written: Vec<EnvOutcome<'_>> = outcomes.into_iter().filter(|o| o.written).collect();
            if !written.is_empty() {
                report(&args, &manifest, &written, &cwd)?;
            }
            Err(error)
        }
    }
}

/// The summary or the JSON.
fn report(
    args: &BootstrapArgs,
    manifest: &Manifest,
    outcomes: &[EnvOutcome<'_>],
    cwd: &Path,
) -> Result<()> {
    if args.json {
        print_json(manifest, outcomes, cwd, args.dry_run)
    } else {
        print_summary(outcomes, cwd, args.dry_run, manifest);
        Ok(())
    }
}

/// The mode rule for an environment's file. The manifest does not declare modes yet, so every
/// file gets the default (0600, or the old mode if stricter).
fn declared_mode(_env: &Environment) -> envmint::atomic::Mode {
    envmint::atomic::Mode::Private
}

/// A folder as shown to the user: relative to the working directory, `.` for the directory
/// itself.
fn shown_dir<'a>(dir: &'a Path, cwd: &Path) -> &'a Path {
    match dir.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => Path::new("."),
        Ok(rel) => rel,
        Err(_) => dir,
    }
}

/// A file bootstrap did not need to write keeps its mode; say so when others can read it, since
/// a write would have made it 0600.
fn warn_if_exposed(path: &Path, cwd: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            super::say!(
                "warning: {} is readable by others (mode {mode:04o}); run: chmod 600 {}",
                shown(path, cwd).display(),
                shown(path, cwd).display()
            );
        }
    }
}

/// Fills a snapshot's document with the environment's missing secrets. A file that does not
/// exist yet starts with a header comment.
fn plan(
    env: &Environment,
    snapshot: &store::Snapshot,
    manifest: &Manifest,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<(Document, Vec<KeyReport>)> {
    let mut doc = if snapshot.exists() {
        snapshot.document()?
    } else {
        Document::parse(&bootstrap::header(&env.name))
    };
    let keys = bootstrap::fill(&mut doc, manifest.secrets_for(&env.name), rng)
        .map_err(|e| edit_error(&env.file, e))?;
    Ok((doc, keys))
}

/// The path is made relative to the working directory where every error is printed.
fn edit_error(path: &Path, err: EditError) -> Error {
    let hint = match &err {
        EditError::UnterminatedQuote { line, .. } => format!(
            "close the quote that opens on line {line}; a line appended after it could be read \
             as part of its value"
        ),
        EditError::KeyOnUnparsableLine { line, .. } => {
            format!("fix line {line} so that it reads KEY=value, then run again")
        }
        _ => "the file was left untouched".to_string(),
    };
    Error::data(Location::new(path, err.line()), err.to_string()).with_hint(hint)
}

fn print_summary(outcomes: &[EnvOutcome<'_>], cwd: &Path, dry_run: bool, manifest: &Manifest) {
    if matches!(manifest.source(), Source::Builtin) {
        super::say!(
            "envmint: no envmint.toml found; using the built-in web preset (envmint init writes it out)"
        );
    }
    let width = outcomes
        .iter()
        .flat_map(|o| o.keys.iter().map(|k| k.key.len()))
        .max()
        .unwrap_or(0);
    for o in outcomes {
        let added = o.keys.iter().filter(|k| k.action == Action::Added).count();
        let state = match (dry_run, added, o.created) {
            (_, 0, _) => format!("unchanged, all {} present", plural(o.keys.len(), "key")),
            (true, n, true) => format!("would create with {}", plural(n, "key")),
            (true, n, false) => format!("would add {n} of {}", plural(o.keys.len(), "key")),
            (false, n, true) => format!("created, {}, mode 0600", plural(n, "key")),
            (false, n, false) => format!("{n} of {} added", plural(o.keys.len(), "key")),
        };
        super::say!(
            "{}: {} ({state})",
            o.env.name,
            shown(&o.env.file, cwd).display()
        );
        for k in &o.keys {
            let verb = match (k.action, dry_run) {
                (Action::Added, true) => "would add",
                (action, _) => action.as_str(),
            };
            super::say!(
                "  {verb:<9} {:<width$}  {:<9} {} bits",
                k.key,
                k.kind,
                format_bits(k.bits)
            );
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn print_json(
    manifest: &Manifest,
    outcomes: &[EnvOutcome<'_>],
    cwd: &Path,
    dry_run: bool,
) -> Result<()> {
    let envs: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            let keys: Vec<serde_json::Value> = o
                .keys
                .iter()
                .map(|k| {
                    serde_json::json!({
                        "key": k.key,
                        "action": k.action.as_str(),
                        "kind": k.kind,
                        "bits": super::bits_json(k.bits),
                    })
                })
                .collect();
            serde_json::json!({
                "environment": o.env.name,
                "file": shown(&o.env.file, cwd),
                "created": o.created,
                "written": o.written,
                "keys": keys,
            })
        })
        .collect();
    let manifest = match manifest.source() {
        Source::File(p) => serde_json::json!(shown(p, cwd)),
        Source::Builtin => serde_json::json!(null),
    };
    let doc = serde_json::json!({
        "dry_run": dry_run,
        "manifest": manifest,
        "environments": envs,
    });
    super::print_line(&doc.to_string())
}
