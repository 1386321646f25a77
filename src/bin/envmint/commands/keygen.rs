//! `envmint keygen`: a new age X25519 identity, or `-y` the recipient of one.

use std::io::IsTerminal;
use std::path::Path;

use crate::error::{Error, Result};
use envmint::Exit;
use envmint::error::Location;
use secrecy::ExposeSecret;

use crate::cli::KeygenArgs;
use crate::context::Context;
use crate::output::print_line;
use crate::output::say;

/// Runs `envmint keygen`.
pub fn run(
    ctx: &mut Context,
    resolved: &crate::resolve::Resolved,
    args: KeygenArgs,
) -> Result<Exit> {
    if let Some(path) = &args.to_recipient {
        return to_recipient(path, ctx.euid);
    }
    let pair = envmint::seal::keygen::generate(&mut ctx.rng, ctx.now);
    match &args.output {
        Some(path) => {
            write_new(ctx, resolved, path, pair.text.expose_secret().as_bytes())?;
            // Only this line, as age-keygen: scripts read the public key from it.
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

/// Creates `path` 0600 through the atomic writer ([`envmint::atomic::Locked::create_new`]):
/// whole or not at all, and an existing file (or a dangling link) is never overwritten. The
/// path is the user's, checked as every typed output is ([`crate::target::output_bounds`]): a
/// repository's symlink on the way cannot lead it outside the working folder or into `.git`.
/// A missing parent folder is created 0700 (the default `~/.config/envmint/` usually is).
fn write_new(
    ctx: &Context,
    resolved: &crate::resolve::Resolved,
    path: &Path,
    contents: &[u8],
) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let cwd = ctx.cwd()?.to_path_buf();
    let within = crate::target::output_bounds(ctx, path, &cwd)?;
    within.check_path(path)?;
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
    let locked = envmint::atomic::lock(path, &within, resolved.lock_timeout(&ctx.lock_timeout)?)?;
    locked.create_new(contents).map_err(|e| match &e {
        envmint::Error::File(f) if is_exists(f) => {
            Error::cant_create(path, "already exists; keygen never overwrites a key")
                .with_hint("choose another file, or remove the old key if you mean to")
        }
        _ => e.into(),
    })
}

/// Whether `e` says the file to create exists.
fn is_exists(e: &envmint::error::FileError) -> bool {
    matches!(&e.problem, envmint::error::FileProblem::Os(io) if io.kind() == std::io::ErrorKind::AlreadyExists)
}

/// `keygen -y FILE`: the recipient of each identity in FILE.
fn to_recipient(path: &Path, euid: u32) -> Result<Exit> {
    let text = envmint::atomic::read_regular(path, 1024 * 1024, euid)?
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
