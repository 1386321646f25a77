//! `envmint seal ENV...` and `envmint unseal ENV [-o FILE | --stdout]`: between a sealed
//! environment's store (its `sealed` age file) and its plaintext `file`.
//!
//! Both go through the store: the sealed file is decrypted in memory, written encrypted, and
//! the plaintext file is written 0600 by the same atomic writer. A seal whose plaintext equals
//! what the sealed file holds leaves the sealed file's bytes alone.

use std::path::{Path, PathBuf};

use envmint::manifest::{Environment, Manifest};
use envmint::{Error, Exit, Result, store};

use super::{say, shown};
use crate::context::Context;

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

/// `envmint seal ENV... [--remove-plaintext]`: encrypts each environment's plaintext `file` into
/// its `sealed` file. Overwriting an existing sealed file needs an identity that opens it: what
/// it holds is compared first, so an unchanged plaintext leaves its bytes alone, and a store
/// this user cannot read is never replaced blind.
pub fn seal(
    ctx: &Context,
    manifest: Option<&Path>,
    names: &[PathBuf],
    remove_plaintext: bool,
) -> Result<Exit> {
    let cwd = ctx.cwd()?.to_path_buf();
    let manifest = super::load_manifest(ctx, manifest, &cwd)?;
    let names: Vec<&str> = names
        .iter()
        .map(|p| p.to_str().unwrap_or("\u{fffd}"))
        .collect();
    let envs = sealed_envs(&manifest, &names, "seal")?;
    // Every plaintext read and parsed before any file is written.
    let mut docs = Vec::with_capacity(envs.len());
    for env in &envs {
        let snapshot = store::peek(store::Storage::plain(&env.file), &Default::default())?;
        if !snapshot.exists() {
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
        docs.push(snapshot.document()?);
    }
    let storages = envs
        .iter()
        .map(|env| store::Storage::of(env))
        .collect::<Result<Vec<_>>>()?;
    let mut options = super::unseal::store_options(ctx, &envs, &[])?;
    let files = super::open_locked(ctx, &storages, &mut options, &cwd)?;
    for (env, file) in envs.iter().zip(&files) {
        super::check_recipients(env, file.snapshot(), &cwd)?;
    }
    let saves: Vec<store::Save<'_>> = files
        .iter()
        .zip(&docs)
        .zip(&envs)
        .map(|((file, doc), env)| store::Save {
            file,
            doc,
            mode: super::bootstrap::declared_mode(env),
        })
        .collect();
    let written = store::save_all(&saves).map_err(|e| e.error)?;
    drop(files);
    for ((env, storage), w) in envs.iter().zip(&storages).zip(&written) {
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
                super::bootstrap::plural(count, "recipient")
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

/// `envmint unseal ENV [-o FILE | --stdout] [-i ID...]`: decrypts the store in memory and
/// writes its plaintext to the environment's `file` (or `-o FILE`), 0600 through the atomic
/// writer, or prints it.
pub fn unseal(
    ctx: &Context,
    manifest: Option<&Path>,
    name: &str,
    identities: &[PathBuf],
    output: Option<&Path>,
    stdout: bool,
) -> Result<Exit> {
    let cwd = ctx.cwd()?.to_path_buf();
    let manifest = super::load_manifest(ctx, manifest, &cwd)?;
    let envs = sealed_envs(&manifest, &[name], "unseal")?;
    let env = envs[0];
    let storage = store::Storage::of(env)?;
    let mut options = super::unseal::store_options(ctx, &envs, identities)?;
    let snapshot = store::peek(storage, &options)?;
    if !snapshot.exists() {
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
        super::check_stdout()?;
        super::write_stdout(doc.render().as_bytes())?;
        return Ok(Exit::Ok);
    }
    let target = output.unwrap_or(&env.file);
    let files = super::open_locked(ctx, &[store::Storage::plain(target)], &mut options, &cwd)?;
    let save = store::Save {
        file: &files[0],
        doc: &doc,
        mode: envmint::atomic::Mode::Private,
    };
    let written = store::save_all(std::slice::from_ref(&save)).map_err(|e| e.error)?;
    let shown_target = shown(target, &cwd).display();
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
