//! `envmint unseal [-i IDENTITY...] [-o OUT] [IN]`: any file or stdin, like `age -d`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use envmint::error::Location;
use envmint::seal::{self, Identity, Opened, PassphrasePrompt, SealError};
use envmint::{Error, Exit, Result};
use secrecy::SecretString;

use super::say;
use crate::cli::UnsealArgs;
use crate::context::Context;

/// Runs `envmint unseal` on a file or stdin.
pub fn run(ctx: &Context, args: UnsealArgs) -> Result<Exit> {
    // `unseal production`: a name that is no file is an environment (see
    // `sealed::names_environment`); `unseal .env.production.age` stays a file. A file of that
    // name does not change what the name means: a repository could commit one beside the
    // manifest and have its own ciphertext decrypted (and written out) in place of the store.
    if let Some(name) = args.input.as_deref().filter(|p| {
        super::sealed::names_environment(p)
            || super::sealed::shadows_environment(ctx, args.manifest.as_deref(), p)
    }) {
        let name = name.to_str().unwrap_or_default();
        return super::sealed::unseal(
            ctx,
            args.manifest.as_deref(),
            name,
            &args.identities,
            args.output.as_deref(),
            args.stdout,
            args.force,
        );
    }
    if args.force {
        return Err(Error::usage("--force applies to `envmint unseal ENV` only")
            .with_hint("-o replaces its file whole once the input has authenticated"));
    }
    if args.manifest.is_some() {
        return Err(
            Error::usage("--manifest applies to `envmint unseal ENV` only").with_hint(
                "the argument is an existing file, so it is decrypted as a file; rename it or \
                 leave --manifest out",
            ),
        );
    }
    let (input, input_name) = open_input(args.input.as_deref())?;
    let name = input_name.display().to_string();
    let opened = Opened::new(input, &name)?;
    let plaintext = if opened.is_passphrase() {
        let passphrase = ask_passphrase(&format!("Enter passphrase for {name}: "))?
            .or_else(|| ctx.passphrase.clone())
            .ok_or_else(|| SealError::NoPassphrase { name: name.clone() })?;
        opened.with_passphrase(passphrase)?
    } else {
        let identities =
            identities(ctx, &args.identities).map_err(|e| name_the_file(e, Path::new(&name)))?;
        opened.with_identities(&identities)?
    };
    match &args.output {
        Some(path) => {
            let mut plaintext = Some(plaintext);
            write_output(ctx, path, &mut |out| match plaintext.take() {
                Some(p) => p.copy_to(out, path).map(drop),
                None => Ok(()),
            })?;
        }
        None => {
            super::check_stdout()?;
            // Whole and authenticated before the first byte is printed.
            let bytes = plaintext.read_all(seal::MAX_IN_MEMORY)?;
            super::write_stdout(&bytes)?;
        }
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
    path: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    // The atomic writer's pipe buffers and writes on its own thread: no BufWriter here.
    let within = super::output_bounds(ctx, path, ctx.cwd()?)?;
    let locked = envmint::atomic::lock(path, &within, ctx.lock_timeout.get()?)?;
    locked.write_streamed(fill)
}

/// Asks for a passphrase on the controlling terminal (`/dev/tty`, so stdin may carry the
/// input) without echo; `Ok(None)` when there is no terminal. Callers fall back to
/// `ENVMINT_PASSPHRASE` then, as documented: the terminal comes first. The line break that
/// ends the line is not part of the passphrase (as with `age` and `ssh-keygen`).
///
/// # Errors
///
/// Ctrl-C at the prompt (cancelled), end of input before Enter, a line longer than the
/// terminal keeps, or a passphrase that is not UTF-8: exit 65, never a fallback.
pub fn ask_passphrase(prompt: &str) -> Result<Option<SecretString>> {
    // The same hidden prompt as `envmint set` (echo off before the prompt shows, Ctrl-C
    // restores the terminal and cancels).
    let line = match crate::terminal::read_hidden(prompt, MAX_TYPED_PASSPHRASE) {
        Ok(line) => line,
        Err(_) if File::open("/dev/tty").is_err() => return Ok(None),
        Err(e) => return Err(e),
    };
    let refused = |what: &str| Error::data(Location::new("<terminal>", None), what.to_string());
    let Some(typed) = line.strip_suffix(b"\n") else {
        return Err(if line.is_empty() {
            refused("no passphrase typed (end of input)")
        } else {
            refused(&format!(
                "the passphrase typed is longer than {MAX_TYPED_PASSPHRASE} bytes, where the \
                 terminal may have cut it"
            ))
        });
    };
    let typed = typed.strip_suffix(b"\r").unwrap_or(typed);
    let text =
        std::str::from_utf8(typed).map_err(|_| refused("the passphrase typed is not UTF-8"))?;
    Ok(Some(SecretString::from(text.to_owned())))
}

/// The longest passphrase read from a terminal: a canonical-mode line holds 4095 bytes with its
/// line break, and a longer paste is cut there.
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

/// What the store needs to open `envs` (the caller sets the lock timeout): when one of them is sealed and
/// its sealed file exists, the identities (loaded once, in the documented order; `flags` are
/// the `-i` files). A sealed store that does not exist yet needs none: bootstrap creates it
/// from the recipients alone.
pub fn store_options(
    ctx: &Context,
    envs: &[&envmint::manifest::Environment],
    flags: &[PathBuf],
) -> Result<envmint::store::OpenOptions> {
    let mut options = envmint::store::OpenOptions {
        within: ctx.bounds.get().cloned().unwrap_or_default(),
        ..Default::default()
    };
    let needed = envs
        .iter()
        .filter_map(|e| e.sealed.as_ref())
        .find(|s| std::fs::symlink_metadata(&s.path).is_ok());
    if let Some(sealed) = needed {
        options.identities = identities(ctx, flags)
            .map_err(|e| name_the_file(e, &sealed.path))?
            .into();
    }
    Ok(options)
}

/// Names the sealed file that needed an identity in a "no identity" error, which is raised
/// before any file is opened.
fn name_the_file(e: Error, path: &Path) -> Error {
    match e {
        Error::Seal(SealError::NoIdentity {
            name: None,
            searched,
        }) => Error::Seal(SealError::NoIdentity {
            name: Some(path.display().to_string()),
            searched,
        }),
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
            out.extend(load(path, &prompt)?);
        }
        return Ok(out);
    }
    if let Some(path) = &ctx.identity {
        return load(path, &prompt);
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
            return load(&path, &prompt);
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
fn load(path: &Path, prompt: &PassphrasePrompt) -> Result<Vec<Identity>> {
    let file = seal::identities::load_file(path, prompt)?;
    if let Some(mode) = file.loose_mode {
        say!(
            "warning: {} is readable by others (mode {mode:03o}); chmod 600 it",
            path.display()
        );
    }
    Ok(file.identities)
}
