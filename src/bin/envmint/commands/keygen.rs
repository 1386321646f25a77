//! `envmint keygen`: a new age X25519 identity, or `-y` the recipient of one.

use std::io::{IsTerminal, Write};
use std::path::Path;

use envmint::error::Location;
use envmint::{Error, Exit, Result};
use secrecy::ExposeSecret;

use crate::cli::KeygenArgs;
use crate::context::Context;
use crate::output::print_line;
use crate::output::say;

/// Runs `envmint keygen`.
pub fn run(ctx: &mut Context, args: KeygenArgs) -> Result<Exit> {
    if let Some(path) = &args.to_recipient {
        return to_recipient(path);
    }
    let pair = envmint::seal::keygen::generate(&mut ctx.rng, ctx.now);
    match &args.output {
        Some(path) => {
            write_new(path, pair.text.expose_secret().as_bytes())?;
            say!("Public key: {}", pair.recipient);
        }
        None => {
            crate::output::check_stdout()?;
            if !crate::output::write_stdout(pair.text.expose_secret().as_bytes())? {
                return Ok(Exit::Ok);
            }
            // As age-keygen: a person reading a terminal sees the key's public line already.
            if !std::io::stdout().is_terminal() {
                say!("Public key: {}", pair.recipient);
            }
        }
    }
    Ok(Exit::Ok)
}

/// Creates `path` 0600 with exclusive create: an existing file is never overwritten.
/// A missing parent folder is created 0700 (the default `~/.config/envmint/` usually is).
fn write_new(path: &Path, contents: &[u8]) -> Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(parent) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)
            .map_err(|e| Error::writing(parent, envmint::error::Op::Create, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::cant_create(path, "already exists; keygen never overwrites a key")
                    .with_hint("choose another file, or remove the old key if you mean to")
            } else {
                Error::writing(path, envmint::error::Op::Create, e)
            }
        })?;
    // A failed write leaves a partial key file: remove it rather than leave a broken key.
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(Error::writing(path, envmint::error::Op::Write, e));
    }
    Ok(())
}

/// `keygen -y FILE`: the recipient of each identity in FILE.
fn to_recipient(path: &Path) -> Result<Exit> {
    let text = envmint::atomic::read_regular(path, 1024 * 1024)?
        .ok_or_else(|| Error::reading(path, std::io::ErrorKind::NotFound.into()))?;
    let text = std::str::from_utf8(&text).map_err(|_| {
        Error::data(
            Location::new(path, None),
            "not a text file, so not an identity file",
        )
    })?;
    for recipient in envmint::seal::keygen::recipients_of(text, &Location::new(path, None))? {
        print_line(&recipient)?;
    }
    Ok(Exit::Ok)
}
