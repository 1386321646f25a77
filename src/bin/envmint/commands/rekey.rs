//! `envmint rekey ENV... | --all [--dry-run] [-i ID...]`: re-encrypts sealed stores to the
//! recipients the manifest lists now.
//!
//! Each store is decrypted in memory and encrypted again with a new file key. age files do not
//! name their recipients (an X25519 stanza is anonymous), so rekey cannot tell which recipient
//! changed: it always re-encrypts, and `--dry-run` compares the file's recipient stanzas (how
//! many, of which types) with the manifest's list.

use envmint::manifest::{Environment, Manifest};
use envmint::seal::Opened;
use envmint::{Error, Exit, Result, store};

use super::{say, shown};
use crate::cli::RekeyArgs;
use crate::context::Context;

/// Runs `envmint rekey`.
pub fn run(ctx: &Context, args: RekeyArgs) -> Result<Exit> {
    let cwd = ctx.cwd()?.to_path_buf();
    let manifest = Manifest::load(args.manifest.as_deref(), &cwd, ctx.home.as_deref())?;
    let mut envs: Vec<&Environment> = Vec::new();
    if args.all {
        envs.extend(
            manifest
                .environments()
                .iter()
                .filter(|e| e.sealed.is_some()),
        );
        if envs.is_empty() {
            return Err(
                Error::usage("no environment of the manifest is sealed").with_hint(
                    "declare sealed = \".env.NAME.age\" and recipients in [environments.NAME]",
                ),
            );
        }
    } else {
        for name in &args.environments {
            let env = manifest.environment(name)?;
            if env.sealed.is_none() {
                return Err(Error::usage(format!(
                    "environment `{}` is not sealed: there is nothing to rekey",
                    env.name
                ))
                .with_hint(
                    "rekey re-encrypts sealed environments (`sealed = ...` in the manifest)",
                ));
            }
            if !envs.iter().any(|e| e.name == env.name) {
                envs.push(env);
            }
        }
    }
    let storages = envs
        .iter()
        .map(|env| store::Storage::of(env))
        .collect::<Result<Vec<_>>>()?;
    let mut options = super::unseal::store_options(ctx, &envs, &args.identities)?;
    if args.dry_run {
        for (env, storage) in envs.iter().zip(&storages) {
            // Decrypting proves the rekey would succeed with these identities.
            let snapshot = store::peek(storage.clone(), &options)?;
            say!("{}", dry_run_line(env, storage, snapshot.exists(), &cwd));
        }
        return Ok(Exit::Ok);
    }
    let files = super::open_locked(ctx, &storages, &mut options, &cwd)?;
    let rewrites: Vec<(&store::EnvFile, envmint::atomic::Mode)> = files
        .iter()
        .zip(&envs)
        .map(|(f, env)| (f, super::bootstrap::declared_mode(env)))
        .collect();
    let written = store::rewrite_all(&rewrites).map_err(|e| e.error)?;
    for ((env, storage), w) in envs.iter().zip(&storages).zip(&written) {
        let file = shown(env.store_path(), &cwd).display();
        if w.written {
            say!(
                "{}: {file} re-encrypted to {}",
                env.name,
                super::bootstrap::plural(recipients(storage).len(), "recipient")
            );
        } else {
            say!("{}: {file} does not exist yet; nothing to rekey", env.name);
        }
    }
    Ok(Exit::Ok)
}

/// The recipients a storage seals to now.
fn recipients<'s>(storage: &'s store::Storage<'_>) -> &'s [envmint::seal::Recipient] {
    match &storage.format {
        store::Format::Sealed(s) => &s.recipients,
        _ => &[],
    }
}

/// The stanza type a recipient gets in an age header.
fn stanza_type(r: &envmint::seal::Recipient) -> &'static str {
    match r {
        envmint::seal::Recipient::X25519(_) => "X25519",
        envmint::seal::Recipient::Ssh(_) => {
            if r.to_string().starts_with("ssh-rsa") {
                "ssh-rsa"
            } else {
                "ssh-ed25519"
            }
        }
    }
}

/// `--dry-run`: what rekey would do to one store, and why as far as the file tells.
fn dry_run_line(
    env: &Environment,
    storage: &store::Storage<'_>,
    exists: bool,
    cwd: &std::path::Path,
) -> String {
    let file = shown(env.store_path(), cwd).display();
    if !exists {
        return format!("{}: {file} does not exist yet; nothing to rekey", env.name);
    }
    let wanted: Vec<&str> = recipients(storage).iter().map(stanza_type).collect();
    let now = std::fs::read(env.store_path())
        .ok()
        .and_then(|raw| Opened::new(&raw[..], "").ok().map(|o| o.stanza_types()))
        .unwrap_or_default();
    const KNOWN: [&str; 3] = ["X25519", "ssh-ed25519", "ssh-rsa"];
    let count = |list: &[&str], t: &str| list.iter().filter(|x| **x == t).count();
    // age adds a random "grease" stanza to every header: only recipient types count.
    let now_refs: Vec<&str> = now
        .iter()
        .map(String::as_str)
        .filter(|t| KNOWN.contains(t))
        .collect();
    let mut changes = Vec::new();
    for t in KNOWN {
        let (had, want) = (count(&now_refs, t), count(&wanted, t));
        if want > had {
            changes.push(format!("{} {t} recipient(s) added", want - had));
        } else if had > want {
            changes.push(format!("{} {t} recipient(s) removed", had - want));
        }
    }
    let why = if changes.is_empty() {
        format!(
            "the same number and types of recipients ({}); age files do not name their \
             recipients, so one replaced by another cannot be told apart",
            wanted.len()
        )
    } else {
        changes.join(", ")
    };
    format!(
        "{}: {file} would be re-encrypted to {} ({} now): {why}",
        env.name,
        super::bootstrap::plural(wanted.len(), "recipient"),
        now_refs.len()
    )
}
