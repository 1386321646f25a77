//! The identities that open sealed stores (in the documented order: `-i`, ENVMINT_IDENTITY,
//! ENVMINT_AGE_KEY, the default file), the passphrase prompt, and what the store needs to open
//! an environment's files: identities, bounds and the lock.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use envmint::error::Location;
use envmint::path::shown;
use envmint::seal::{self, Identity, PassphrasePrompt, SealError};
use secrecy::SecretString;
use zeroize::Zeroizing;

use crate::context::Context;
use crate::output::{lock_waiter, plural, say};

/// Asks for a passphrase on the controlling terminal (`/dev/tty`, so stdin may carry the
/// input) without echo; `Ok(None)` when there is no terminal. Callers fall back to
/// `ENVMINT_PASSPHRASE` then, as documented: the terminal comes first. The line break that
/// ends the line is not part of the passphrase (as with `age` and `ssh-keygen`).
///
/// # Errors
///
/// Ctrl-C at the prompt (cancelled), and what [`typed_passphrase`] refuses: exit 65, never a
/// fallback.
pub fn ask_passphrase(prompt: &str) -> Result<Option<SecretString>> {
    match read_passphrase_line(prompt)? {
        Some(line) => typed_passphrase(&line).map(Some),
        None => Ok(None),
    }
}

/// The line typed at `prompt` on the terminal, line break included, unchecked (see
/// [`typed_passphrase`]); `Ok(None)` when there is no terminal.
///
/// # Errors
///
/// Ctrl-C at the prompt (cancelled), a terminal that cannot be set up or read.
pub fn read_passphrase_line(prompt: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    // The same hidden prompt as `envmint set` (echo off before the prompt shows, Ctrl-C
    // restores the terminal and cancels).
    match crate::terminal::read_hidden(prompt, MAX_TYPED_PASSPHRASE) {
        Ok(line) => Ok(Some(line)),
        Err(_) if File::open("/dev/tty").is_err() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The passphrase in a line read by [`read_passphrase_line`], without its line break.
///
/// # Errors
///
/// End of input before Enter, a line as long as the terminal keeps (Linux keeps 4095 bytes of
/// a line being typed and silently drops the rest of a longer paste: such a line may have been
/// cut), or a passphrase that is not UTF-8: exit 65.
pub fn typed_passphrase(line: &[u8]) -> Result<SecretString> {
    let refused = |what: &str| Error::data(Location::new("<terminal>", None), what.to_string());
    let too_long = || {
        refused(&format!(
            "the passphrase typed is longer than {MAX_TYPED_PASSPHRASE} bytes, where the \
             terminal may have cut it"
        ))
    };
    let Some(typed) = line.strip_suffix(b"\n") else {
        // Read up to the limit without a line break: only a terminal not in line mode passes
        // that much; less is the end of input before Enter.
        return Err(if line.len() > MAX_TYPED_PASSPHRASE {
            too_long()
        } else {
            refused("no passphrase typed (end of input)")
        });
    };
    let typed = typed.strip_suffix(b"\r").unwrap_or(typed);
    if typed.len() > MAX_TYPED_PASSPHRASE {
        return Err(too_long());
    }
    let text =
        std::str::from_utf8(typed).map_err(|_| refused("the passphrase typed is not UTF-8"))?;
    Ok(SecretString::from(text.to_owned()))
}

/// The longest passphrase read from a terminal: Linux keeps 4095 bytes of a line being typed
/// (in canonical mode) and silently drops the rest, so a passphrase that long may have been
/// cut (as `envmint set` checks a typed value).
const MAX_TYPED_PASSPHRASE: usize = 4094;

/// The passphrase source for protected SSH identities: the terminal, else ENVMINT_PASSPHRASE.
fn prompt(ctx: &Context) -> PassphrasePrompt {
    let from_env = ctx.passphrase.clone();
    PassphrasePrompt::new(move |what| {
        // A cancel (Ctrl-C) gives no passphrase rather than falling back to the variable.
        match ask_passphrase(&format!("Enter passphrase for {what}: ")) {
            Ok(Some(typed)) => Some(typed),
            Ok(None) => from_env.clone(),
            Err(_) => None,
        }
    })
}

/// Names the sealed file that needed an identity in a "no identity" error, which is raised
/// before any file is opened.
pub fn name_the_file(e: Error, path: &Path) -> Error {
    match e {
        Error::Lib(envmint::Error::Seal(SealError::NoIdentity {
            name: None,
            searched,
        })) => SealError::NoIdentity {
            name: Some(path.to_path_buf()),
            searched,
        }
        .into(),
        other => other,
    }
}

/// The identities, in the documented order: -i files, else ENVMINT_IDENTITY, else
/// ENVMINT_AGE_KEY, else `$XDG_CONFIG_HOME/envmint/identity.txt`.
pub fn identities(ctx: &Context, flags: &[PathBuf]) -> Result<Vec<Identity>> {
    let identities = find_identities(ctx, flags)?;
    // Kept, not refused (SECURITY.md, "ssh-rsa"): people seal to the RSA keys GitHub publishes,
    // and the timing leak needs many decryptions of chosen files that someone can time.
    if identities.iter().any(Identity::is_ssh_rsa) {
        say!(
            "warning: an ssh-rsa identity is in use: RSA decryption in envmint is not \
             constant-time (RUSTSEC-2023-0071); prefer an age key (envmint keygen) or ssh-ed25519"
        );
    }
    Ok(identities)
}

/// [`identities`] without the warnings about their kind.
fn find_identities(ctx: &Context, flags: &[PathBuf]) -> Result<Vec<Identity>> {
    let prompt = prompt(ctx);
    let mut out = Vec::new();
    if !flags.is_empty() {
        for path in flags {
            out.extend(load(path, &prompt, ctx.euid)?);
        }
        return Ok(out);
    }
    if let Some(path) = &ctx.identity {
        return load(path, &prompt, ctx.euid);
    }
    if let Some(key) = &ctx.age_key {
        use secrecy::ExposeSecret;
        let location = Location::new("ENVMINT_AGE_KEY", None);
        return Ok(seal::identities::parse(
            key.expose_secret(),
            &location,
            "ENVMINT_AGE_KEY",
            &prompt,
        )?);
    }
    let default = ctx
        .xdg_config_home
        .clone()
        .or_else(|| ctx.home.as_ref().map(|h| h.join(".config")))
        .map(|dir| dir.join("envmint").join("identity.txt"));
    let mut searched = vec![
        "-i".to_string(),
        "ENVMINT_IDENTITY".to_string(),
        "ENVMINT_AGE_KEY".to_string(),
    ];
    if let Some(path) = default {
        if path.exists() {
            return load(&path, &prompt, ctx.euid);
        }
        searched.push(path.display().to_string());
    }
    Err(SealError::NoIdentity {
        name: None,
        searched,
    }
    .into())
}

/// Loads one identity file, warning when others may read it.
fn load(path: &Path, prompt: &PassphrasePrompt, euid: u32) -> Result<Vec<Identity>> {
    let file = seal::identities::load_file(path, prompt, euid)?;
    if let Some(mode) = file.loose_mode {
        say!(
            "warning: {} is readable by others (mode {mode:03o}); chmod 600 it",
            path.display()
        );
    }
    Ok(file.identities)
}

/// Before a write to `env`'s store read as `snapshot`: refuses recipients that differ from the
/// store's pin now, rather than after the work (the store checks again when it writes), and
/// says when the write will pin a store that has no pin yet (sealed before pins).
pub fn check_recipients(
    env: &envmint::manifest::Environment,
    snapshot: &envmint::store::Snapshot,
    cwd: &std::path::Path,
) -> Result<()> {
    snapshot.check_recipients()?;
    if snapshot.unpinned() {
        // A store with no pin could be one sealed before pins, or one a pull request forged
        // (recipients are public keys) together with a manifest that adds its author: pinning
        // it silently on the next write would hand every new value to that author.
        return Err(Error::Refused {
            path: shown(env.store_path(), cwd).to_path_buf(),
            reason: format!(
                "{}'s store has no recipient pin: its recipients were never confirmed, and a \
                 write would pin it to the manifest's {}",
                env.name,
                plural(snapshot.recipients().len(), "recipient")
            ),
            hint: Some(format!(
                "check the recipients (envmint rekey {} --dry-run), then pin them: envmint rekey {} --yes",
                env.name, env.name
            )),
        });
    }
    Ok(())
}

/// Locks and opens `storages` within `timeout` (`ENVMINT_LOCK_TIMEOUT`, from
/// [`crate::resolve::Resolved::lock_timeout`]), saying on stderr when another process holds a
/// lock (its folder shown relative to `cwd`).
pub fn open_locked(
    timeout: envmint::atomic::LockWait,
    storages: &[envmint::store::Storage<'_>],
    options: &mut envmint::store::OpenOptions,
    cwd: &std::path::Path,
) -> Result<Vec<envmint::store::EnvFile>> {
    options.timeout = timeout;
    Ok(envmint::store::open_all(
        storages,
        options,
        &mut lock_waiter(cwd),
    )?)
}
