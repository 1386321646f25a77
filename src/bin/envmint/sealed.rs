//! `envmint seal ENV...` and `envmint unseal ENV [-o FILE | --stdout]`: between a sealed
//! environment's store (its `sealed` age file) and its plaintext `file`.
//!
//! Both go through the store: the sealed file is decrypted in memory, written encrypted, and
//! the plaintext file is written 0600 by the same atomic writer. A seal whose plaintext equals
//! what the sealed file holds leaves the sealed file's bytes alone.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use envmint::dotenv::Document;
use envmint::error::Location;
use envmint::manifest::{Environment, Manifest};
use envmint::seal::unsealed;
use envmint::{Exit, store};

use crate::context::Context;
use crate::output::say;
use crate::resolve::Resolved;
use envmint::path::shown;

/// Whether `unseal`'s argument names an environment rather than a file: a name made only of
/// letters, digits, `-` and `_` (what an environment name may be, and what no age file name
/// envmint writes looks like) that is not an existing file or folder.
pub fn names_environment(arg: &Path) -> bool {
    let Some(text) = arg.to_str() else {
        return false;
    };
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && std::fs::symlink_metadata(arg).is_err()
}

/// Whether `unseal`'s argument, a file or folder that exists, also names a sealed environment
/// of the manifest: then the environment wins, and a note says how to name the file
/// (`./production`). A name like an environment's that the manifest does not define, or
/// defines unsealed, stays the file; a manifest that cannot be loaded says nothing here (the
/// file is read, as before manifests existed, and the manifest's error shows when one is used).
pub fn shadows_environment(ctx: &Context, manifest: Option<&Path>, arg: &Path) -> bool {
    let Some(text) = arg.to_str() else {
        return false;
    };
    let name_like = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !name_like {
        return false;
    }
    let Ok(cwd) = ctx.cwd() else {
        return false;
    };
    let sealed = envmint::manifest::Manifest::load(manifest, cwd, ctx.home.as_deref(), ctx.euid)
        .is_ok_and(|m| m.environment(text).is_ok_and(|e| e.sealed.is_some()));
    if sealed {
        say!(
            "note: `{text}` is a sealed environment of the manifest, and that is what is \
             unsealed; the file ./{text} is not read (`envmint unseal ./{text}` decrypts it)"
        );
    }
    sealed
}

/// The manifest and the named environments, each once, in order; each must be sealed.
fn sealed_envs<'m>(
    manifest: &'m Manifest,
    names: &[&str],
    command: &str,
) -> Result<Vec<&'m Environment>> {
    let mut envs: Vec<&Environment> = Vec::new();
    for name in names {
        let env = manifest.environment(name)?;
        if env.sealed.is_none() {
            return Err(Error::usage(format!(
                "environment `{}` is not sealed: `envmint {command}` works on sealed environments",
                env.name
            ))
            .with_hint(format!(
                "add sealed = \".env.{n}.age\" and recipients = [\"age1...\"] to [environments.{n}]",
                n = env.name
            )));
        }
        if !envs.iter().any(|e| e.name == env.name) {
            envs.push(env);
        }
    }
    Ok(envs)
}

/// `envmint seal ENV... [--remove-plaintext] [--force]`: encrypts each environment's plaintext
/// `file` into its `sealed` file. Overwriting an existing sealed file needs an identity that
/// opens it: what it holds is compared first, so an unchanged plaintext leaves its bytes alone,
/// a store this user cannot read is never replaced blind, and a store that changed since the
/// plaintext was unsealed is not overwritten without `--force` (see
/// [`envmint::seal::unsealed`]). The plaintext file keeps its line, now naming what was sealed.
pub fn seal(
    ctx: &Context,
    resolved: &Resolved,
    names: &[PathBuf],
    remove_plaintext: bool,
    force: bool,
) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    let names: Vec<&str> = names
        .iter()
        .map(|p| p.to_str().unwrap_or("\u{fffd}"))
        .collect();
    let envs = sealed_envs(manifest, &names, "seal")?;
    let mut storages = Vec::with_capacity(2 * envs.len());
    for env in &envs {
        storages.push(store::Storage::of(env, ctx.euid)?);
        storages.push(store::Storage::plain(&env.file));
    }
    // `seal ENV` takes no -i: its "no identity" hint must not offer it.
    let mut options = resolved.store_options(ctx, &envs).map_err(|e| match e {
        Error::Lib(envmint::Error::Seal(envmint::seal::SealError::NoIdentity {
            name,
            searched,
        })) => {
            let searched = searched.into_iter().filter(|s| s != "-i").collect();
            envmint::seal::SealError::NoIdentity { name, searched }.into()
        }
        e => e,
    })?;
    let files = crate::identities::open_locked(
        resolved.lock_timeout(&ctx.lock_timeout)?,
        &storages,
        &mut options,
        &cwd,
    )?;
    // Every plaintext read, parsed and checked against its store before any file is written.
    let mut docs = Vec::with_capacity(2 * envs.len());
    for (env, pair) in envs.iter().zip(files.chunks(2)) {
        let (stored, plain) = (&pair[0], &pair[1]);
        if !plain.exists() {
            return Err(Error::MissingInput {
                path: env.file.clone(),
                what: "plaintext file".into(),
                hint: Some(format!(
                    "`envmint seal {n}` encrypts {}; `envmint unseal {n}` writes it from the \
                         sealed file",
                    shown(&env.file, &cwd).display(),
                    n = env.name
                )),
            });
        }
        crate::identities::check_recipients(env, stored.snapshot(), &cwd)?;
        let text = plain.snapshot().document()?.render();
        let (text, recorded) = unsealed::split(&text);
        let store_text = stored
            .snapshot()
            .is_stored()
            .then(|| stored.snapshot().document().map(|d| d.render()))
            .transpose()?;
        let store_text = store_text.as_ref().map(|t| t.as_str());
        let verdict = unsealed::check_seal(&text, recorded.as_deref(), store_text);
        if !force && verdict != unsealed::Seal::Write {
            return Err(seal_refusal(env, verdict, &cwd));
        }
        docs.push(Document::parse(&text));
        docs.push(Document::parse(&unsealed::with_line(&text)));
    }
    let mut saves = Vec::with_capacity(docs.len());
    for ((env, pair), doc) in envs.iter().zip(files.chunks(2)).zip(docs.chunks(2)) {
        saves.push(store::Save {
            file: &pair[0],
            doc: &doc[0],
            mode: crate::target::declared_mode(env),
        });
        if !remove_plaintext {
            saves.push(store::Save {
                file: &pair[1],
                doc: &doc[1],
                mode: envmint::atomic::Mode::Private,
            });
        }
    }
    let written = store::save_all(&saves).map_err(|e| e.error)?;
    drop(saves);
    drop(files);
    let step = if remove_plaintext { 1 } else { 2 };
    for ((env, storage), w) in envs
        .iter()
        .zip(storages.iter().step_by(2))
        .zip(written.iter().step_by(step))
    {
        let count = match &storage.format {
            store::Format::Sealed(s) => s.recipients.len(),
            _ => 0,
        };
        let sealed = shown(env.store_path(), &cwd).display();
        let plain = shown(&env.file, &cwd).display();
        if w.written {
            say!(
                "{}: {plain} sealed into {sealed} ({})",
                env.name,
                crate::output::plural(count, "recipient")
            );
        } else {
            say!("{}: {sealed} unchanged (already holds {plain})", env.name);
        }
        if remove_plaintext {
            std::fs::remove_file(&env.file)
                .map_err(|e| Error::writing(&env.file, envmint::error::Op::Remove, e))?;
            say!("{}: removed {plain}", env.name);
        }
    }
    Ok(Exit::Ok)
}

/// What to do when `unseal ENV` will not overwrite `target` (shown as `shown_target`; `output`
/// when it was named with -o). `seal ENV` keeps the edits only of the environment's own file
/// unseal wrote: it refuses one unseal did not write, and it never seals an -o file.
fn unseal_refusal_hint(
    name: &str,
    shown_target: &str,
    output: Option<&Path>,
    verdict: unsealed::Unseal,
) -> String {
    match (output, verdict) {
        (Some(_), _) => format!(
            "unseal into another file with -o to compare; `envmint unseal {name} -o {} --force` \
             overwrites it",
            crate::output::shell_quoted(shown_target)
        ),
        (None, unsealed::Unseal::EditedSinceUnseal) => format!(
            "`envmint seal {name}` keeps the edits (when the store has not changed meanwhile), \
             or unseal elsewhere with -o to compare; `envmint unseal {name} --force` \
             overwrites {shown_target}"
        ),
        (None, _) => format!(
            "unseal elsewhere with -o to compare; `envmint seal {name} --force` seals \
             {shown_target} over the store, `envmint unseal {name} --force` overwrites it"
        ),
    }
}

/// Why `seal ENV` will not overwrite the store (exit 73), and what to do.
fn seal_refusal(env: &Environment, verdict: unsealed::Seal, cwd: &Path) -> Error {
    let sealed = shown(env.store_path(), cwd).display().to_string();
    let plain = shown(&env.file, cwd).display().to_string();
    let why = match verdict {
        unsealed::Seal::StoreChangedSinceUnseal => format!(
            "it changed since {plain} was unsealed: sealing {plain} would drop those changes"
        ),
        _ => format!(
            "it holds other values than {plain}, which was not written by `envmint unseal`: \
             sealing would replace them"
        ),
    };
    // Sealing again after a merge is refused again (the plaintext still differs from a store it
    // was not unsealed from): the merged file is sealed with --force.
    Error::cant_create(env.store_path(), why).with_hint(format!(
        "see what {sealed} holds with `envmint unseal {n} -o OTHER.env` and merge it into \
         {plain}; then `envmint seal {n} --force` replaces the store with {plain}",
        n = env.name
    ))
}

/// `envmint unseal ENV [-o FILE | --stdout] [-i ID...] [--force]`: decrypts the store in memory
/// and writes its plaintext to the environment's `file` (or `-o FILE`), 0600 through the atomic
/// writer, or prints it. The file written starts with the line of
/// [`envmint::seal::unsealed`]; a plaintext edited since the last unseal and never sealed is not
/// overwritten without `force`. The target must be a dotenv file (or absent), none of envmint's
/// stores or the manifest, and a file git tracks is written only when `-o` names it.
pub fn unseal(
    ctx: &Context,
    resolved: &Resolved,
    name: &str,
    output: Option<&Path>,
    stdout: bool,
    force: bool,
) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
    let envs = sealed_envs(manifest, &[name], "unseal")?;
    let env = envs[0];
    let storage = store::Storage::of(env, ctx.euid)?;
    let mut options = resolved.store_options(ctx, &envs)?;
    let snapshot = store::peek(storage, &options)?;
    if !snapshot.is_stored() {
        return Err(Error::MissingInput {
            path: env.store_path().to_path_buf(),
            what: "sealed file".into(),
            hint: Some(format!(
                "`envmint bootstrap {n}` creates it; `envmint seal {n}` seals {}",
                shown(&env.file, &cwd).display(),
                n = env.name
            )),
        });
    }
    let doc = snapshot.document()?;
    if stdout {
        crate::output::check_stdout()?;
        crate::output::write_stdout(doc.render().as_bytes())?;
        return Ok(Exit::Ok);
    }
    let target = output.unwrap_or(&env.file);
    crate::target::refuse_kept_files(
        manifest,
        Some(env),
        target,
        "unseal",
        "unseal into another file with -o, or print it with --stdout",
    )?;
    let tracked = envmint::git::tracks(target);
    let shown_target = shown(target, &cwd).display().to_string();
    if tracked && output.is_none() {
        return Err(Error::cant_create(
            target,
            "is tracked by git: the secrets written to it would go into the next commit",
        )
        .with_hint(format!(
            "git rm --cached {shown_target} and add it to .gitignore; or name it with -o to \
             write it anyway"
        )));
    }
    if output.is_some() {
        options.within = crate::target::output_bounds(ctx, target, &cwd)?;
    }
    let files = crate::identities::open_locked(
        resolved.lock_timeout(&ctx.lock_timeout)?,
        &[store::Storage::plain(target)],
        &mut options,
        &cwd,
    )?;
    let existing = if files[0].exists() {
        let existing = files[0].snapshot().document()?;
        if let Some(line) = envmint::plan::bootstrap::not_a_dotenv_file(&existing) {
            return Err(Error::data(
                Location::new(target, Some(line)),
                "not a dotenv file: no line reads KEY=value, so envmint will not write to it",
            )
            .with_hint("unseal into a dotenv file, or a new one, with -o"));
        }
        Some(existing.render())
    } else {
        None
    };
    let store_text = doc.render();
    let verdict = unsealed::check_unseal(existing.as_ref().map(|t| t.as_str()), &store_text);
    match verdict {
        unsealed::Unseal::Unchanged => {
            say!("{}: {shown_target} unchanged", env.name);
            return Ok(Exit::Ok);
        }
        unsealed::Unseal::Write => {}
        _ if force => {}
        unsealed::Unseal::EditedSinceUnseal | unsealed::Unseal::UnknownOrigin => {
            let why = if verdict == unsealed::Unseal::EditedSinceUnseal {
                "it was edited since it was unsealed and the edits were never sealed: unsealing \
                 would lose them"
            } else {
                "it holds other values than the store and was not written by `envmint unseal`: \
                 unsealing would replace them"
            };
            return Err(
                Error::cant_create(target, why).with_hint(unseal_refusal_hint(
                    &env.name,
                    &shown_target,
                    output,
                    verdict,
                )),
            );
        }
    }
    if tracked {
        say!(
            "warning: {shown_target} is tracked by git: the secrets written to it go into the \
             next commit"
        );
        say!("hint: git rm --cached {shown_target}, and add it to .gitignore");
    }
    let new = Document::parse(&unsealed::with_line(&store_text));
    let save = store::Save {
        file: &files[0],
        doc: &new,
        mode: envmint::atomic::Mode::Private,
    };
    let written = store::save_all(std::slice::from_ref(&save)).map_err(|e| e.error)?;
    if written.first().is_some_and(|w| w.written) {
        say!(
            "{}: {} unsealed into {shown_target} (mode 0600; keep it out of version control)",
            env.name,
            shown(env.store_path(), &cwd).display()
        );
    } else {
        say!("{}: {shown_target} unchanged", env.name);
    }
    Ok(Exit::Ok)
}

/// Opens `path` for reading, or stdin when it is `None` or `-`; returns how messages name it.
pub fn open_input(path: Option<&Path>) -> Result<(Box<dyn Read>, PathBuf)> {
    match path {
        None => Ok((Box::new(io::stdin()), PathBuf::from("<stdin>"))),
        Some(p) if p == Path::new("-") => Ok((Box::new(io::stdin()), PathBuf::from("<stdin>"))),
        Some(p) => {
            let file = File::open(p).map_err(|e| Error::reading(p, e))?;
            if file.metadata().is_ok_and(|m| m.is_dir()) {
                return Err(Error::data(Location::new(p, None), "a folder, not a file"));
            }
            Ok((Box::new(file), p.to_path_buf()))
        }
    }
}

/// Writes `-o FILE` whole or not at all, under its lock: `fill` writes into a buffer that is
/// flushed before the file replaces the old one.
pub fn write_output(
    ctx: &Context,
    resolved: &Resolved,
    path: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    // The atomic writer's pipe buffers and writes on its own thread: no BufWriter here.
    let within = crate::target::output_bounds(ctx, path, ctx.cwd()?)?;
    let locked = envmint::atomic::lock(path, &within, resolved.lock_timeout(&ctx.lock_timeout)?)?;
    Ok(locked.write_streamed(&mut |out| Ok(fill(out)?))?)
}
