//! The `envmint` binary: parse arguments, run the command, map the outcome to an exit code.

mod advice;
mod changes;
mod cli;
mod commands;
mod context;
mod error;
mod hardening;
mod hooks;
mod identities;
mod output;
mod private_file;
mod report;
mod resolve;
mod sealed;
mod target;
mod terminal;

use clap::Parser;

fn main() -> std::process::ExitCode {
    hardening::no_core_dumps();
    let cli = cli::Cli::parse();
    commands::exit(commands::run(cli))
}
