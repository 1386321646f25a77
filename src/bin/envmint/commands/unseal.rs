//! `envmint unseal [-i IDENTITY...] [-o OUT] [IN]`: any file or stdin, like `age -d`.

use std::path::Path;

use crate::error::{Error, Result};
use envmint::Exit;
use envmint::seal::{self, Opened, SealError};

use crate::cli::UnsealArgs;
use crate::context::Context;
use crate::identities::ask_passphrase;
use crate::identities::name_the_file;
use crate::sealed::open_input;
use crate::sealed::write_output;

/// Runs `envmint unseal` on a file or stdin.
pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: UnsealArgs) -> Result<Exit> {
    // `unseal production`: a name that is no file is an environment (see
    // `sealed::names_environment`); `unseal .env.production.age` stays a file. A file of that
    // name does not change what the name means: a repository could commit one beside the
    // manifest and have its own ciphertext decrypted (and written out) in place of the store.
    if let Some(name) = args.input.as_deref().filter(|p| {
        crate::sealed::names_environment(p)
            || crate::sealed::shadows_environment(ctx, args.manifest.as_deref(), p)
    }) {
        let name = name.to_str().unwrap_or_default();
        return crate::sealed::unseal(
            ctx,
            resolved,
            name,
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
            .ok_or_else(|| SealError::NoPassphrase {
                name: (&name).into(),
            })?;
        opened.with_passphrase(passphrase)?
    } else {
        let identities = resolved
            .identities(ctx)
            .map_err(|e| name_the_file(e, Path::new(&name)))?;
        opened.with_identities(&identities)?
    };
    match &args.output {
        Some(path) => {
            let mut plaintext = Some(plaintext);
            write_output(ctx, resolved, path, &mut |out| match plaintext.take() {
                Some(p) => Ok(p.copy_to(out, path).map(drop)?),
                None => Ok(()),
            })?;
        }
        None => {
            crate::output::check_stdout()?;
            // Whole and authenticated before the first byte is printed.
            let bytes = plaintext.read_all(seal::MAX_IN_MEMORY)?;
            crate::output::write_stdout(&bytes)?;
        }
    }
    Ok(Exit::Ok)
}
