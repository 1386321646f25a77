//! `envmint completions SHELL`: a completion script made from the command-line definitions in
//! `cli.rs`, so it offers exactly the commands, flags and values `--help` lists.

use crate::error::Result;
use clap::CommandFactory;
use envmint::Exit;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script for `args.shell` on stdout.
pub fn run(args: CompletionsArgs) -> Result<Exit> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "envmint", &mut script);
    crate::output::check_stdout()?;
    crate::output::write_stdout(&script)?;
    Ok(Exit::Ok)
}
