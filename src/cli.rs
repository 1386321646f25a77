//! Command-line definitions (clap derive) and nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Generate, store and rotate application secrets in dotenv files.
#[derive(Debug, Parser)]
#[command(
    name = "envmint",
    version,
    about,
    long_about = "Generate, store and rotate application secrets in dotenv files.\n\n\
                  envmint replaces the scripts/generate-secrets.sh that web projects ship: it \
                  makes secrets of a stated entropy, and writes .env files 0600 from the first \
                  byte, crash-safe, without touching what was already there.",
    after_help = "Examples:\n  envmint gen                      # 32 random bytes, base64url\n  \
                  envmint gen hex --bytes 32        # like openssl rand -hex 32\n  \
                  envmint bootstrap production      # fill .env.production.local\n\n\
                  Exit codes: 0 ok, 1 problems found, 2 usage, 65 bad data, 66 missing input,\n\
                  73 cannot create output, 74 I/O error, 75 locked, 77 permission refused."
)]
pub struct Cli {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Say more on stderr (never a secret value).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print random secrets (the replacement for `openssl rand`).
    Gen(GenArgs),
    /// Write envmint.toml from the built-in preset and cover secret files in .gitignore.
    Init(InitArgs),
    /// Add every declared secret an environment's file lacks; never change existing keys.
    Bootstrap(BootstrapArgs),
}

/// Built-in kinds of secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Lower-case hex of N bytes, like `openssl rand -hex N`.
    Hex,
    /// Standard base64 with padding, like `openssl rand -base64 N`.
    Base64,
    /// URL-safe base64 without padding, like Python's `secrets.token_urlsafe(N)`.
    #[value(alias = "urlsafe")]
    Base64url,
    /// RFC 4648 base32 without padding.
    Base32,
    /// Letters and digits.
    Alnum,
    /// Letters, digits and `-_.`: safe unencoded in a URL (`postgres://app:PASSWORD@db`), bare in
    /// dotenv files, and in sh.
    Password,
}

impl KindArg {
    /// The library name of this kind.
    pub fn name(self) -> &'static str {
        match self {
            KindArg::Hex => "hex",
            KindArg::Base64 => "base64",
            KindArg::Base64url => "base64url",
            KindArg::Base32 => "base32",
            KindArg::Alnum => "alnum",
            KindArg::Password => "password",
        }
    }
}

/// `envmint gen`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint gen                          # base64url, 32 bytes (256 bits)\n  \
    envmint gen hex --bytes 32           # 64 hex characters\n  \
    envmint gen password --length 24     # 24 characters, 144 bits\n  \
    envmint gen alnum --bits 128 -n 5    # five 22-character secrets\n  \
    envmint gen --alphabet 0123456789abcdef --length 40\n  \
    envmint gen --json -n 3\n\n\
    Without a size every kind gets at least 256 bits. Under 128 bits is refused (exit 2)\n\
    unless --allow-weak is given.")]
pub struct GenArgs {
    /// The kind of secret [default: base64url].
    #[arg(value_enum)]
    pub kind: Option<KindArg>,

    /// Random bytes per secret (hex, base64, base64url, base32).
    #[arg(long, value_name = "N", group = "size")]
    pub bytes: Option<u64>,

    /// Minimum entropy per secret; rounds up to whole bytes or characters (any kind).
    #[arg(long, value_name = "N", group = "size")]
    pub bits: Option<u64>,

    /// Characters per secret (alnum, password, --alphabet).
    #[arg(long, value_name = "N", group = "size")]
    pub length: Option<u64>,

    /// How many secrets, one per line.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 1)]
    pub count: u64,

    /// Draw characters from this alphabet (2 to 94 distinct printable ASCII characters).
    #[arg(
        long,
        value_name = "CHARS",
        conflicts_with = "kind",
        allow_hyphen_values = true
    )]
    pub alphabet: Option<String>,

    /// Print {"kind", "bits", "values"} as one JSON object.
    #[arg(long)]
    pub json: bool,

    /// Allow secrets under 128 bits of entropy.
    #[arg(long)]
    pub allow_weak: bool,
}

/// `envmint init`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  envmint init && $EDITOR envmint.toml\n\n\
    Refuses to overwrite an existing envmint.toml (exit 73).")]
pub struct InitArgs {}

/// `envmint bootstrap`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint bootstrap production                  # .env.production.local\n  \
    envmint bootstrap development staging production\n  \
    envmint bootstrap staging --dry-run --json\n  \
    envmint bootstrap --all\n\n\
    Keys already in the file are never changed; new keys are appended at the end.\n\
    Without envmint.toml the built-in web preset is used (see `envmint init`).")]
pub struct BootstrapArgs {
    /// Environments to bootstrap, as declared in the manifest.
    #[arg(required_unless_present = "all", value_name = "ENV")]
    pub environments: Vec<String>,

    /// Bootstrap every declared environment.
    #[arg(long, conflicts_with = "environments")]
    pub all: bool,

    /// Report what would be added; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
