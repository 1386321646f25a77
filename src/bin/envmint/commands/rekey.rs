//! `envmint rekey ENV... | --all [--dry-run] [--yes] [-i ID...]`: re-encrypts sealed stores to
//! the recipients the manifest lists now, and pins them.
//!
//! Each store is decrypted in memory and encrypted again with a new file key. A store carries
//! the recipients it was last written to, pinned inside its payload (`envmint::seal::pin`), and
//! every other write refuses a manifest whose recipients differ from them: rekey is the one
//! write that changes them. It shows the difference first (the public keys added and removed)
//! and needs `--yes`, or a "y" at the terminal; `--dry-run` shows it and writes nothing. A
//! store made before pins is compared by its header (how many recipients, of which types: age
//! files do not name them). A rekey that would leave out every identity that opened the store
//! needs `--yes` itself.

use crate::error::{Error, Result};
use envmint::Exit;
use envmint::manifest::Environment;
use envmint::seal::{Opened, pin};
use envmint::store::{self, Pin, Snapshot};

use crate::cli::RekeyArgs;
use crate::context::Context;
use crate::output::say;
use envmint::path::shown;
use envmint::text::short_keys;

/// Runs `envmint rekey`.
pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: RekeyArgs) -> Result<Exit> {
    let cwd = resolved.cwd(ctx)?.to_path_buf();
    let manifest = resolved.manifest(ctx)?;
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
        .map(|env| store::Storage::of(env, ctx.euid))
        .collect::<envmint::Result<Vec<_>>>()?;
    let mut options = resolved.store_options(ctx, &envs)?;
    // What changes, read (and decrypted, which proves the identities open every store) before
    // anything is written or asked.
    let mut changes = Vec::with_capacity(envs.len());
    let mut locks_out = false;
    for (env, storage) in envs.iter().zip(&storages) {
        let snapshot = store::peek(storage.clone(), &options)?;
        let change = Change::of(env, &snapshot);
        locks_out |= change.locks_out;
        say!("{}", change.line(env, &cwd, args.dry_run));
        changes.push(change);
    }
    if args.dry_run {
        return Ok(Exit::Ok);
    }
    let asks = changes.iter().any(|c| c.changes_who);
    if locks_out && !args.yes {
        return Err(Error::usage(
            "refusing to rekey: none of the new recipients is an identity that opened the store, \
             so you would lose access to it",
        )
        .with_hint("add your own recipient to the list, or pass --yes if this is intended"));
    }
    if asks && !args.yes {
        let on_terminal = crate::terminal::stdin_is_terminal();
        if !on_terminal {
            return Err(Error::usage(
                "refusing to change who can decrypt the store without --yes (no terminal to ask)",
            )
            .with_hint(
                "check the recipients above (a pull request may have added one), then run \
                 `envmint rekey ... --yes`",
            ));
        }
        if !crate::terminal::ask_explicit_yes("Re-encrypt to these recipients? [y/N] ")? {
            say!("rekey: nothing written");
            return Ok(Exit::Problems);
        }
    }
    let files = crate::identities::open_locked(
        resolved.lock_timeout(&ctx.lock_timeout)?,
        &storages,
        &mut options,
        &cwd,
    )?;
    // The stores must still hold what was shown: another rekey in between changes the question.
    for ((file, change), env) in files.iter().zip(&changes).zip(&envs) {
        if Change::of(env, file.snapshot()) != *change {
            return Err(Error::usage(format!(
                "{}: the store changed while rekey was asking; nothing written",
                env.name
            ))
            .with_hint("run `envmint rekey` again to see the change"));
        }
    }
    let rewrites: Vec<(&store::EnvFile, envmint::atomic::Mode)> = files
        .iter()
        .zip(&envs)
        .map(|(f, env)| (f, crate::target::declared_mode(env)))
        .collect();
    let written = store::rewrite_all(&rewrites).map_err(|e| e.error)?;
    for (((env, storage), w), change) in envs.iter().zip(&storages).zip(&written).zip(&changes) {
        let file = shown(env.store_path(), &cwd).display();
        if w.written && change.gone {
            say!(
                "{}: {file} created from {}, sealed to {} and pinned",
                env.name,
                shown(&env.file, &cwd).display(),
                crate::output::plural(recipients(storage).len(), "recipient")
            );
        } else if w.written {
            say!(
                "{}: {file} re-encrypted to {} and pinned",
                env.name,
                crate::output::plural(recipients(storage).len(), "recipient")
            );
        } else if change.exists {
            // Not written although it was there when shown (deleted since): said here, as the
            // preview's "does not exist yet" line is for a store that was never there.
            say!("{}: {file} does not exist yet; nothing to rekey", env.name);
        }
    }
    Ok(Exit::Ok)
}

/// What a rekey changes in one store.
#[derive(Debug, PartialEq, Eq)]
struct Change {
    /// Whether the store's file exists (a plaintext file imported in its place does not count:
    /// rekey writes no store from it, unless the store is [`Change::gone`]).
    exists: bool,
    /// The recipients the manifest lists now (canonical).
    now: Vec<String>,
    /// What the store says now.
    pin: Option<Pin>,
    /// Whether who can decrypt it changes (or cannot be told: no pin, or a bad one).
    changes_who: bool,
    /// Whether none of the new recipients is an identity that opened it.
    locks_out: bool,
    /// Whether the store is gone: it does not exist, and the plaintext file says it was
    /// unsealed from one ([`Snapshot::is_gone`]); rekey creates it from the plaintext.
    gone: bool,
}

impl Change {
    fn of(env: &Environment, snapshot: &Snapshot) -> Change {
        let now = pin::canonical(snapshot.recipients());
        let state = snapshot.sealed();
        let pin = state.map(|s| s.pin.clone());
        let gone = snapshot.is_gone();
        let changes_who = match &pin {
            Some(Pin::Pinned(pinned)) => *pinned != now,
            Some(Pin::Unpinned(_) | Pin::Bad(_)) => true,
            None => gone,
        };
        let locks_out = state.is_some_and(|s| store::locks_out(env.store_path(), &now, s).is_err());
        Change {
            exists: snapshot.is_stored(),
            now,
            pin,
            changes_who,
            locks_out,
            gone,
        }
    }

    /// The line that shows the change (`dry`: as what would happen).
    fn line(&self, env: &Environment, cwd: &std::path::Path, dry: bool) -> String {
        let file = shown(env.store_path(), cwd).display();
        let count = crate::output::plural(self.now.len(), "recipient");
        if self.gone {
            return format!(
                "{}: {file} does not exist, and {} was unsealed from a sealed store: a new store \
                 {} sealed to {count}: {}",
                env.name,
                shown(&env.file, cwd).display(),
                if dry { "would be" } else { "to be" },
                short_keys(&self.now)
            );
        }
        if !self.exists {
            return format!("{}: {file} does not exist yet; nothing to rekey", env.name);
        }
        let verb = if dry {
            "would be re-encrypted"
        } else {
            "to be re-encrypted"
        };
        let why = match &self.pin {
            Some(Pin::Pinned(pinned)) => {
                let (added, removed) = pin::diff(pinned, &self.now);
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("adds {}", short_keys(&added)));
                }
                if !removed.is_empty() {
                    parts.push(format!("removes {}", short_keys(&removed)));
                }
                if parts.is_empty() {
                    "the recipients pinned in it, unchanged (a new file key)".to_string()
                } else {
                    parts.join("; ")
                }
            }
            Some(Pin::Unpinned(_)) => format!(
                "no recipient pin yet ({}); pins {}",
                stanza_change(env, &self.now),
                short_keys(&self.now)
            ),
            Some(Pin::Bad(line)) => format!(
                "its pin does not parse (line {line}); pins {}",
                short_keys(&self.now)
            ),
            None => String::new(),
        };
        let warn = if self.locks_out {
            "; none of them is an identity that opened it: you would lose access"
        } else {
            ""
        };
        format!("{}: {file} {verb} to {count}: {why}{warn}", env.name)
    }
}

/// The recipients a storage seals to now.
fn recipients<'s>(storage: &'s store::Storage<'_>) -> &'s [envmint::seal::Recipient] {
    match &storage.format {
        store::Format::Sealed(s) => &s.recipients,
        _ => &[],
    }
}

/// For a store without a pin: how its header's recipients (by number and type) compare with the
/// manifest's, the only thing an age header tells.
fn stanza_change(env: &Environment, now: &[String]) -> String {
    let wanted: Vec<String> = now
        .iter()
        .filter_map(|r| envmint::seal::Recipient::parse(r).ok())
        .map(|r| pin::stanza_type(&r))
        .collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let had = std::fs::read(env.store_path())
        .ok()
        .and_then(|raw| Opened::new(&raw[..], "").ok().map(|o| o.stanza_types()))
        .unwrap_or_default();
    const KNOWN: [&str; 3] = ["X25519", "ssh-ed25519", "ssh-rsa"];
    let had: Vec<&str> = had
        .iter()
        .map(String::as_str)
        .filter(|t| KNOWN.contains(t))
        .collect();
    let count = |list: &[&str], t: &str| list.iter().filter(|x| **x == t).count();
    let mut changes = Vec::new();
    for t in KNOWN {
        let (had, want) = (count(&had, t), count(&wanted, t));
        if want > had {
            let n = crate::output::plural(want - had, &format!("{t} recipient"));
            changes.push(format!("{n} added"));
        } else if had > want {
            let n = crate::output::plural(had - want, &format!("{t} recipient"));
            changes.push(format!("{n} removed"));
        }
    }
    if changes.is_empty() {
        format!(
            "sealed to {} now, of the same types; age files do not name their recipients, so one \
             replaced by another cannot be told apart",
            had.len()
        )
    } else {
        format!("sealed to {} now: {}", had.len(), changes.join(", "))
    }
}
