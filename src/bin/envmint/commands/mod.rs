//! One file per subcommand. Each turns its parsed arguments into library calls and prints a
//! summary; none imports another: what they share has a room of its own beside this folder
//! (`output`, `target`, `identities`, `resolve`, `changes`, `sealed`, `hooks`, `report`). This
//! file runs the command chosen and maps its outcome to an exit code.

mod adopt;
mod apply;
mod audit;
mod bootstrap;
mod completions;
mod edit;
mod example;
mod export;
mod r#gen;
mod get;
mod git_diff;
mod git_merge;
mod git_setup;
mod init;
mod keygen;
mod man;
mod plan;
mod rekey;
mod retire;
mod rotate;
mod run;
mod seal;
mod set;
mod status;
mod unseal;
mod unset;

use crate::cli::{Cli, Command, GitCommand};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::output::plugin_messages;
use crate::resolve::{Global, Request, Resolved};
use envmint::Exit;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs the parsed command line: builds the one [`Context`], runs the command, and names the
/// paths in an error relative to the working directory.
pub fn run(cli: Cli) -> Result<Exit> {
    let global = Global {
        verbose: cli.verbose,
    };
    let command = with_leading_manifest(cli.manifest, cli.command)?;
    let mut ctx = Context::from_process()?;
    plugin_messages(&mut ctx);
    ctx.allow_outside = cli.allow_outside;
    // The arguments as one plain config (ripgrep's LowArgs -> HiArgs): each piece is built
    // once, when the command first asks for it.
    let resolved = &Resolved::new(Request::of(&command));
    let result = match command {
        Command::Gen(args) => r#gen::run(&mut ctx, &global, args),
        Command::Init(args) => init::run(&ctx, resolved, &global, args),
        Command::Bootstrap(args) => bootstrap::run(&mut ctx, resolved, &global, args),
        Command::Set(args) => set::run(&ctx, resolved, args),
        Command::Get(args) => get::run(&ctx, resolved, args),
        Command::Unset(args) => unset::run(&ctx, resolved, args),
        Command::Edit(args) => edit::run(&ctx, resolved, args),
        Command::Keygen(args) => keygen::run(&mut ctx, resolved, args),
        Command::Seal(args) => seal::run(&ctx, resolved, args),
        Command::Unseal(args) => unseal::run(&ctx, resolved, args),
        Command::Rekey(args) => rekey::run(&ctx, resolved, args),
        Command::Plan(args) => plan::run(&mut ctx, resolved, &global, args),
        Command::Apply(args) => apply::run(&mut ctx, resolved, &global, args),
        Command::Rotate(args) => rotate::run(&mut ctx, resolved, &global, args),
        Command::Retire(args) => retire::run(&ctx, resolved, args),
        Command::Adopt(args) => adopt::run(&ctx, resolved, args),
        Command::Export(args) => export::run(&ctx, resolved, &global, args),
        Command::Run(args) => run::run(&ctx, resolved, &global, args),
        Command::Status(args) => status::run(&ctx, resolved, args),
        Command::Audit(args) => audit::run(&mut ctx, resolved, args),
        Command::Example(args) => example::run(&ctx, resolved, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::Git(args) => match args.command {
            GitCommand::Merge(args) => git_merge::run(&ctx, resolved, args),
            GitCommand::Diff(args) => git_diff::run(&mut ctx, resolved, args),
            GitCommand::Setup(args) => git_setup::run(&ctx, resolved, args),
        },
    };
    result.map_err(|err| match ctx.cwd_if_known() {
        Some(cwd) => err.relative_to(cwd),
        None => err,
    })
}

/// Hands `envmint --manifest PATH CMD` (the flag before the command, as older scripts write it)
/// to the command's own `--manifest`, and refuses it for a command that reads no manifest: a
/// flag that is accepted and then ignored misleads.
fn with_leading_manifest(manifest: Option<PathBuf>, mut command: Command) -> Result<Command> {
    let Some(path) = manifest else {
        return Ok(command);
    };
    let slot = match &mut command {
        Command::Gen(_) => {
            return Err(Error::usage("--manifest does not apply to gen")
                .with_hint("gen reads no manifest; leave --manifest out"));
        }
        Command::Keygen(_) => {
            return Err(Error::usage("--manifest does not apply to keygen")
                .with_hint("keygen reads no manifest; leave --manifest out"));
        }
        Command::Completions(_) | Command::Man(_) => {
            return Err(
                Error::usage("--manifest does not apply to completions or man")
                    .with_hint("they read no manifest; leave --manifest out"),
            );
        }
        // `seal ENV` and `unseal ENV` read the manifest; the commands themselves refuse it
        // for a file (`seal -r`, `unseal FILE`), where it would be ignored.
        Command::Seal(args) => &mut args.manifest,
        Command::Unseal(args) => &mut args.manifest,
        Command::Init(args) => &mut args.manifest,
        Command::Bootstrap(args) => &mut args.manifest,
        Command::Set(args) => &mut args.target.manifest,
        Command::Get(args) => &mut args.target.manifest,
        Command::Unset(args) => &mut args.target.manifest,
        Command::Edit(args) => &mut args.target.manifest,
        Command::Rekey(args) => &mut args.manifest,
        Command::Plan(args) => &mut args.rotation.manifest,
        Command::Apply(args) => &mut args.manifest,
        Command::Rotate(args) => &mut args.rotation.manifest,
        Command::Retire(args) => &mut args.target.manifest,
        Command::Adopt(args) => &mut args.target.manifest,
        Command::Export(args) => &mut args.target.manifest,
        Command::Run(args) => &mut args.target.manifest,
        Command::Status(args) => &mut args.manifest,
        Command::Audit(args) => &mut args.manifest,
        Command::Example(args) => &mut args.manifest,
        Command::Git(args) => match &mut args.command {
            GitCommand::Merge(args) => &mut args.manifest,
            GitCommand::Setup(args) => &mut args.manifest,
            GitCommand::Diff(_) => {
                return Err(Error::usage("--manifest does not apply to git diff")
                    .with_hint("git diff reads no manifest; leave --manifest out"));
            }
        },
    };
    if slot.is_some() {
        return Err(
            Error::usage("--manifest is given twice").with_hint("give it once, after the command")
        );
    }
    *slot = Some(path);
    Ok(command)
}

/// Prints an error as `error: ...` and `hint: ...` on stderr (in the words of
/// [`crate::report`]) and maps it to its exit code ([`Error::exit`], the one mapping).
pub fn exit(result: Result<Exit>) -> ExitCode {
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            let said = crate::report::render(&err);
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "error: {}", said.message);
            if let Some(hint) = said.hint {
                let _ = writeln!(stderr, "hint: {hint}");
            }
            ExitCode::from(err.exit().code())
        }
    }
}
