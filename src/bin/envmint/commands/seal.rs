//! `envmint seal -r/-R/--passphrase [-a] [-o OUT] [IN]`: any file or stdin, like `age -e`.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use envmint::Exit;
use envmint::error::Location;
use envmint::seal::{self, Recipient};
use secrecy::ExposeSecret;

use crate::cli::SealArgs;
use crate::context::Context;
use crate::identities::{read_passphrase_line, typed_passphrase};
use crate::sealed::{open_input, write_output};

/// Runs `envmint seal` on a file or stdin.
pub fn run(ctx: &Context, resolved: &crate::resolve::Resolved, args: SealArgs) -> Result<Exit> {
    // Without a recipient or a passphrase, the arguments are sealed environments.
    let env_mode =
        args.recipients.is_empty() && args.recipients_files.is_empty() && !args.passphrase;
    if env_mode && !args.input.is_empty() {
        if args.output.is_some() || args.armor {
            return Err(Error::usage(
                "-o and -a do not apply to `envmint seal ENV`: the manifest names the sealed file",
            )
            .with_hint("set `armor = true` in [environments.ENV]; or seal a file with -r"));
        }
        return crate::sealed::seal(
            ctx,
            resolved,
            &args.input,
            args.remove_plaintext,
            args.force,
        );
    }
    if args.remove_plaintext || args.manifest.is_some() || args.force {
        return Err(Error::usage(
            "--remove-plaintext, --force and --manifest apply to `envmint seal ENV...` only",
        )
        .with_hint("leave out -r, -R and --passphrase to seal environments"));
    }
    if args.input.len() > 1 {
        return Err(Error::usage("seal -r takes one input file (or stdin)")
            .with_hint("seal each file on its own, with -o for each"));
    }
    let recipients = if args.passphrase {
        Vec::new()
    } else {
        recipients(&args, ctx.euid)?
    };
    if args.output.is_none() && !args.armor && io::stdout().is_terminal() {
        return Err(
            Error::usage("refusing to write binary ciphertext to a terminal")
                .with_hint("add -a for armored text, or -o FILE, or redirect stdout"),
        );
    }
    let passphrase = if args.passphrase {
        Some(seal_passphrase(ctx)?)
    } else {
        None
    };
    let (mut input, input_name) = open_input(args.input.first().map(PathBuf::as_path))?;
    let mut encrypt = |out: &mut dyn Write, out_name: &Path| -> Result<()> {
        Ok(match &passphrase {
            Some(p) => seal::encrypt_with_passphrase(
                p.clone(),
                args.armor,
                &mut input,
                &input_name,
                out,
                out_name,
            )
            .map(drop),
            None => seal::encrypt(
                &recipients,
                args.armor,
                &mut input,
                &input_name,
                out,
                out_name,
            )
            .map(drop),
        }?)
    };
    match &args.output {
        Some(path) => write_output(ctx, resolved, path, &mut |out| encrypt(out, path))?,
        None => {
            crate::output::check_stdout()?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let name = PathBuf::from("<stdout>");
            let done = encrypt(&mut out, &name).and_then(|()| {
                out.flush()
                    .map_err(|e| Error::writing(&name, envmint::error::Op::Write, e))
            });
            if let Err(e) = done {
                return match e {
                    Error::Lib(envmint::Error::File(envmint::error::FileError {
                        problem: envmint::error::FileProblem::Os(source),
                        ..
                    })) if source.kind() == io::ErrorKind::BrokenPipe => Ok(Exit::Ok),
                    e => Err(e),
                };
            }
        }
    }
    Ok(Exit::Ok)
}

/// The recipients of `-r` and `-R`, at least one.
fn recipients(args: &SealArgs, euid: u32) -> Result<Vec<Recipient>> {
    let mut out = Vec::new();
    for text in &args.recipients {
        let r = Recipient::parse(text)
            .map_err(|why| Error::usage(format!("-r: {why}")).with_hint(RECIPIENT_HINT))?;
        out.push(r);
    }
    for path in &args.recipients_files {
        let bytes = envmint::atomic::read_regular(path, 1024 * 1024, euid)?
            .ok_or_else(|| Error::reading(path, io::ErrorKind::NotFound.into()))?;
        let location = Location::new(path, None);
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Error::data(location.clone(), "not a text file"))?;
        out.extend(seal::recipients::parse_file(text, &location)?);
    }
    if out.is_empty() {
        return Err(
            Error::usage("seal needs a recipient (-r, -R) or --passphrase").with_hint(
                "e.g. envmint seal -r \"$(envmint keygen -y ~/.config/envmint/identity.txt)\" FILE",
            ),
        );
    }
    Ok(out)
}

const RECIPIENT_HINT: &str = "a recipient is age1... (envmint keygen -y FILE prints one), or an \
                              ssh-ed25519 / ssh-rsa public key line";

/// The passphrase to seal with: asked twice on the terminal, else ENVMINT_PASSPHRASE.
fn seal_passphrase(ctx: &Context) -> Result<secrecy::SecretString> {
    let none = || {
        Error::from(seal::SealError::NoPassphrase {
            name: "seal --passphrase".into(),
        })
    };
    let Some(first_line) = read_passphrase_line("Enter passphrase: ")? else {
        return ctx.passphrase.clone().ok_or_else(none);
    };
    let first = typed_passphrase(&first_line);
    if first_line.is_empty() {
        return first; // end of input: there is nothing to confirm
    }
    if first
        .as_ref()
        .is_ok_and(|first| first.expose_secret().is_empty())
    {
        return Err(Error::usage("the passphrase is empty")
            .with_hint("type a passphrase; envmint does not generate one"));
    }
    // Checked once both were read: refused after the first, a second paste made by habit would
    // land in the shell, echoed and kept in its history (as `envmint set` does).
    let second_line = read_passphrase_line("Confirm passphrase: ")?.ok_or_else(none)?;
    let first = first?;
    let second = typed_passphrase(&second_line)?;
    if first.expose_secret() != second.expose_secret() {
        return Err(Error::usage("the passphrases do not match").with_hint("try again"));
    }
    Ok(first)
}
