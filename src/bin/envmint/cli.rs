//! Command-line definitions (clap derive) and nothing else.

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use envmint::export::Format;
use envmint::generate::Kind;
use std::path::PathBuf;
use std::sync::LazyLock;

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
                  envmint bootstrap production      # fill .env.production.local\n  \
                  envmint set production STRIPE_KEY < key.txt\n  \
                  envmint get production DATABASE_PASSWORD\n\n\
                  Exit codes: 0 ok, 1 problems found, 2 usage, 65 bad data, 66 missing input,\n\
                  73 cannot create output, 74 I/O error, 75 locked, 77 permission refused."
)]
pub struct Cli {
    /// `envmint --manifest PATH bootstrap|init`: the same as the command's own `--manifest`,
    /// kept for scripts that put it first. Hidden, and refused for a command that reads no
    /// manifest (`gen`).
    #[arg(long, value_name = "PATH", hide = true)]
    pub manifest: Option<PathBuf>,

    /// Say more on stderr (never a secret value).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Let the manifest's paths (file, sealed, recipients_file, and symlinks on the way) lead
    /// outside its folder. Without it, such a path is refused (exit 77) unless its folder is in
    /// ~/.config/envmint/allow-outside or root owns a manifest outside any git work tree.
    #[arg(long, global = true)]
    pub allow_outside: bool,

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
    /// Add the declared secrets a file lacks, fill empty ones, check the ones it keeps.
    Bootstrap(BootstrapArgs),
    /// Set one key's value, read from stdin or a hidden prompt (never from the command line).
    Set(SetArgs),
    /// Print one key's value on stdout, for scripts.
    Get(GetArgs),
    /// Remove every definition of one key.
    Unset(UnsetArgs),
    /// Edit an environment's file in $VISUAL or $EDITOR, through a private temporary copy.
    Edit(EditArgs),
    /// Make a new age identity (X25519 key), like age-keygen.
    Keygen(KeygenArgs),
    /// Encrypt a file or stdin to recipients or a passphrase, like `age -e`.
    Seal(SealArgs),
    /// Decrypt an age file or stdin with identities or a passphrase, like `age -d`.
    Unseal(UnsealArgs),
    /// Re-encrypt sealed environments to the recipients the manifest lists now.
    Rekey(RekeyArgs),
    /// Show which secrets a rotation would change (redacted), and save the plan with -o.
    Plan(PlanArgs),
    /// Apply a plan saved by `envmint plan -o`.
    Apply(ApplyArgs),
    /// Rotate secrets that are due (or --all, or --key KEY), keeping retired values for their
    /// overlap window.
    Rotate(RotateArgs),
    /// Remove a secret's retired values (an encryption key's old keys) explicitly.
    Retire(RetireArgs),
    /// Record the age of values a project already has, so `rotate --due` renews only what is
    /// due.
    Adopt(AdoptArgs),
    /// Write an environment's values for docker, Kubernetes, a shell or JSON.
    Export(ExportArgs),
    /// Run a command with an environment's values added to its environment.
    Run(RunArgs),
    /// Show each key's age, state and next due date (never a value).
    Status(StatusArgs),
    /// Check secret files, values and git for the usual security problems (exit 1 on findings).
    Audit(AuditArgs),
    /// Sealed stores in git: a per-key merge driver, readable diffs, and their setup.
    Git(GitArgs),
    /// Write or update .env.example from the manifest: declared keys, empty values, comments.
    Example(ExampleArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the manual page, or write one page per command into a folder with --dir.
    Man(ManArgs),
}

/// A built-in kind of secret as given on the command line: the library's own list
/// ([`Kind::BUILTIN`]), its names, aliases and descriptions, so the two cannot drift apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindArg(pub Kind);

/// [`Kind::BUILTIN`] wrapped for clap, which wants a `'static` slice of values.
static KIND_ARGS: LazyLock<Vec<KindArg>> =
    LazyLock::new(|| Kind::BUILTIN.into_iter().map(KindArg).collect());

impl ValueEnum for KindArg {
    fn value_variants<'a>() -> &'a [Self] {
        &KIND_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(
            PossibleValue::new(self.0.name())
                .aliases(self.0.aliases().iter().copied())
                .help(self.0.about()),
        )
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
#[command(after_help = "Examples:\n  envmint init && $EDITOR envmint.toml\n  \
    envmint init --preset django       # SECRET_KEY and SECRET_KEY_FALLBACKS as Django reads them\n\n\
    Covers secret files in .gitignore first, then writes envmint.toml. An existing envmint.toml\n\
    is kept as it is (exit 0), so running init again finishes what a failed run left undone.\n\
    Presets: web (the default: generic app secrets), django, flask, rails, laravel, nextjs\n\
    (Auth.js) and express (express-session); each declares the names, sizes, formats and\n\
    overlap form its framework reads (README: \"Framework presets\").")]
pub struct InitArgs {
    /// Write the manifest here instead of ./envmint.toml (the .gitignore beside it is updated).
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Which preset to write.
    #[arg(long, value_name = "NAME", default_value = "web",
          value_parser = ["web", "django", "flask", "rails", "laravel", "nextjs", "express"])]
    pub preset: String,
}

/// `envmint bootstrap`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint bootstrap production                  # .env.production.local\n  \
    envmint bootstrap development staging production\n  \
    envmint bootstrap staging --dry-run --json\n  \
    envmint bootstrap --all\n  \
    envmint --allow-outside bootstrap production  # file = \"/etc/myapp/env\", chosen by you\n  \
    cp .env.example .env.production.local && envmint bootstrap production\n\n\
    New keys are appended at the end; empty values are filled in place, keeping the line's\n\
    export and quotes. Other values are kept and checked: a placeholder, a wrong length or\n\
    wrong characters for the kind, or the value of .env.example is reported and exits 1\n\
    (after writing what could be added); --replace-weak replaces such values in place.\n\
    Each value written gets the record `# envmint: generated=TIME` on the line above it\n\
    (`envmint status` reads its age there). A secret declared `external = true` is never\n\
    generated: it is reported missing with the `envmint set` command to run (exit 0).\n\
    Without envmint.toml the built-in web preset is used (see `envmint init`).")]
pub struct BootstrapArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt a sealed environment with the identities in this file (repeatable) [default:
    /// ENVMINT_IDENTITY, ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// Environments to bootstrap, as declared in the manifest.
    #[arg(required_unless_present = "all", value_name = "ENV")]
    pub environments: Vec<String>,

    /// Bootstrap every declared environment.
    #[arg(long, conflicts_with = "environments")]
    pub all: bool,

    /// Report what would be added, filled or replaced; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Replace kept values that fail the check (placeholders, wrong length or characters,
    /// copied from .env.example) with fresh secrets, in place.
    #[arg(long)]
    pub replace_weak: bool,

    /// Allow this manifest's hooks on this machine (listing them first), and take a missing
    /// credential with a `set` hook through its stages (set at its service, tested, then
    /// written) after the other keys are written.
    #[arg(long)]
    pub allow_hooks: bool,
}

/// The environment that `set`, `get`, `unset` and `edit` work on, and how to find and open it.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt a sealed environment with the identities in this file (repeatable) [default:
    /// ENVMINT_IDENTITY, ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// The environment, as declared in the manifest.
    #[arg(value_name = "ENV")]
    pub environment: String,
}

/// `envmint set`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint set production STRIPE_API_KEY              # asks twice, without echo\n  \
    envmint set production STRIPE_API_KEY < key.txt\n  \
    pass show stripe | envmint set production STRIPE_API_KEY --json\n\n\
    The value is all of stdin when stdin is not a terminal (one trailing newline removed),\n\
    else typed twice at a hidden prompt; there is no VALUE argument, so it never lands in\n\
    shell history or the process list. An existing key gets the value in place (its export\n\
    and quotes kept), a new key is appended; every other byte of the file stays. A key the\n\
    manifest declares is checked like bootstrap checks kept values: a weak value is written\n\
    with a warning, or refused with --strict (exit 1); an `external = true` one is not checked.\n\
    A changed value gets the record `# envmint: set=TIME` on the line above it.")]
pub struct SetArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// The key to set.
    #[arg(value_name = "KEY")]
    pub key: String,

    /// Accept an empty value (writes `KEY=`).
    #[arg(long)]
    pub allow_empty: bool,

    /// Refuse (exit 1, nothing written) a value that fails the declared key's check.
    #[arg(long)]
    pub strict: bool,

    /// Print {"environment", "file", "key", "action"} as JSON on stdout (never the value).
    #[arg(long)]
    pub json: bool,
}

/// `envmint get`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint get production DATABASE_PASSWORD\n  \
    psql \"postgres://app:$(envmint get production DATABASE_PASSWORD)@db/app\"\n\n\
    Prints the value readers see (the last definition) and a newline, to a terminal too.\n\
    A key that is not there: exit 66. A key on a line envmint cannot read: exit 65.")]
pub struct GetArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// The key to print.
    #[arg(value_name = "KEY")]
    pub key: String,
}

/// `envmint unset`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint unset production LEGACY_TOKEN\n  \
    envmint unset staging OLD_KEY --if-exists --json\n\n\
    Removes every definition of the key with the `# envmint:` record lines above it; every\n\
    other byte stays. A key that is not there: exit 66, or 0 with --if-exists.")]
pub struct UnsetArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// The key to remove.
    #[arg(value_name = "KEY")]
    pub key: String,

    /// Succeed (exit 0, nothing written) when the key is not there.
    #[arg(long)]
    pub if_exists: bool,

    /// Print {"environment", "file", "key", "action"} as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `envmint edit`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint edit production\n  \
    EDITOR=nano envmint edit staging\n\n\
    Runs $VISUAL, else $EDITOR, else vi, on a copy in a new 0700 folder under\n\
    $XDG_RUNTIME_DIR (else the temp folder); the copy is 0600, overwritten with zeros and\n\
    removed with its folder afterwards. The file changes only when the editor exits 0 and\n\
    the result differs and reads cleanly: a result with unreadable lines or a key defined\n\
    twice is shown and offered for editing again (without a terminal: exit 65, nothing\n\
    changed). A file changed by another process meanwhile is not overwritten (exit 73).\n\
    Ctrl-C is the editor's; SIGTERM/SIGHUP stop the editor too, and envmint says the edits\n\
    were discarded. The editor does not get ENVMINT_AGE_KEY or ENVMINT_PASSPHRASE.")]
pub struct EditArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,
}

/// `envmint keygen`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint keygen -o ~/.config/envmint/identity.txt   # prints the public key on stderr\n  \
    envmint keygen -y ~/.config/envmint/identity.txt   # the recipient of an identity\n\n\
    With -o the file is created 0600 and never overwritten (exit 73 if it exists).")]
pub struct KeygenArgs {
    /// Write the identity to this new file (0600) instead of stdout.
    #[arg(short, long, value_name = "FILE", conflicts_with = "to_recipient")]
    pub output: Option<PathBuf>,

    /// Print the recipient (public key) of each identity in FILE instead.
    #[arg(short = 'y', value_name = "FILE")]
    pub to_recipient: Option<PathBuf>,
}

/// `envmint seal`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint seal -r age1... -o secrets.env.age secrets.env\n  \
    envmint seal -R keys/team.txt -a < .env > .env.age      # armored\n  \
    envmint seal --passphrase -o backup.age backup.tar\n  \
    envmint seal production --remove-plaintext              # a sealed environment\n\n\
    Recipients: age1..., ssh-ed25519 and ssh-rsa public keys. The passphrase is asked on the\n\
    terminal, or read from ENVMINT_PASSPHRASE when there is none; never from an argument.\n\n\
    Without -r, -R and --passphrase the arguments are sealed environments: each one's plaintext\n\
    `file` is encrypted into its `sealed` file, to the manifest's recipients. Replacing an\n\
    existing sealed file needs an identity that opens it; an unchanged one is left as it is.\n\
    A store that changed since its plaintext was unsealed (another `set`, a teammate's commit)\n\
    is not overwritten: sealing would drop those changes (exit 73; --force seals anyway).")]
pub struct SealArgs {
    /// Encrypt to this recipient (repeatable).
    #[arg(short, long = "recipient", value_name = "RECIPIENT")]
    pub recipients: Vec<String>,

    /// Encrypt to the recipients listed in this file (repeatable).
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE")]
    pub recipients_files: Vec<PathBuf>,

    /// Encrypt with a passphrase instead of recipients.
    #[arg(short, long, conflicts_with_all = ["recipients", "recipients_files"])]
    pub passphrase: bool,

    /// ASCII-armored output (PEM-like text).
    #[arg(short, long)]
    pub armor: bool,

    /// Write here (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Environment mode: delete each environment's plaintext file once it is sealed.
    #[arg(long)]
    pub remove_plaintext: bool,

    /// Environment mode: seal even when the store changed since the plaintext was unsealed,
    /// dropping those changes.
    #[arg(long)]
    pub force: bool,

    /// Environment mode: the manifest [default: envmint.toml found from here].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// The file to encrypt [default: stdin]; or, without -r, -R and --passphrase, the sealed
    /// environments whose plaintext `file` to encrypt into their `sealed` file.
    #[arg(value_name = "IN | ENV")]
    pub input: Vec<PathBuf>,
}

/// `envmint unseal`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint unseal -o secrets.env secrets.env.age\n  \
    envmint unseal -i ~/.ssh/id_ed25519 < .env.age\n  \
    envmint unseal production                 # a sealed environment, into its `file`\n  \
    envmint unseal production --stdout\n\n\
    An argument made only of letters, digits, - and _ that is not an existing file names a\n\
    sealed environment: its store is decrypted in memory and written to the environment's\n\
    `file` (or -o FILE), 0600, or printed with --stdout. A plaintext edited since it was\n\
    unsealed and never sealed is not overwritten (exit 73; --force overwrites it), nor is a\n\
    file that is not a dotenv file (exit 65), the manifest or a store (exit 73); a target that\n\
    git tracks is written only when -o names it.\n\n\
    Identities: -i FILE (repeatable), else ENVMINT_IDENTITY (a path), else ENVMINT_AGE_KEY\n\
    (the key itself), else $XDG_CONFIG_HOME/envmint/identity.txt (~/.config/envmint/...).\n\
    With -o the output is written 0600 and appears only once the whole input authenticated.")]
pub struct UnsealArgs {
    /// Decrypt with the identities in this file (repeatable).
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// Write the plaintext here (0600, atomic) instead of stdout (for an environment: instead
    /// of its `file`).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Environment mode: print the plaintext on stdout instead of writing the environment's
    /// `file`.
    #[arg(long, conflicts_with = "output")]
    pub stdout: bool,

    /// Environment mode: overwrite a plaintext file edited since it was unsealed.
    #[arg(long, conflicts_with = "stdout")]
    pub force: bool,

    /// Environment mode: the manifest [default: envmint.toml found from here].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// The file to decrypt [default: stdin]; or a sealed environment's name (letters, digits,
    /// `-`, `_`) when no file of that name exists.
    #[arg(value_name = "IN | ENV")]
    pub input: Option<PathBuf>,
}

/// `envmint rekey`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint rekey --all --dry-run\n  \
    envmint rekey production --yes\n\n\
    Each sealed store is decrypted in memory and encrypted again, with a new file key, to the\n\
    recipients the manifest lists now (recipients and recipients_file), and pinned to them: a\n\
    store keeps the recipients it was last written to inside its encrypted payload, and every\n\
    other write (set, rotate, edit, bootstrap, apply, unset, seal ENV) refuses (exit 77) a\n\
    manifest whose recipients differ. rekey shows the keys added and removed and needs --yes,\n\
    or a \"y\" at the terminal; --dry-run only shows them. Leaving out every identity that\n\
    opened the store needs --yes. A removed recipient cannot open the new file, but may have\n\
    kept the old one or its values: rotate them too.")]
pub struct RekeyArgs {
    /// The manifest [default: envmint.toml found from here].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Sealed environments to re-encrypt.
    #[arg(required_unless_present = "all", value_name = "ENV")]
    pub environments: Vec<String>,

    /// Every sealed environment of the manifest.
    #[arg(long, conflicts_with = "environments")]
    pub all: bool,

    /// Say what would be re-encrypted, and why, without writing.
    #[arg(long)]
    pub dry_run: bool,

    /// Re-encrypt to changed recipients without asking (needed without a terminal, and to
    /// leave out every identity that opened the store).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Decrypt with the identities in this file (repeatable).
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,
}

/// Which keys `plan` and `rotate` give new values.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct SelectArgs {
    /// Keys that are due, have no record (unknown age) or are missing [the default]; a
    /// credential is only reported.
    #[arg(long)]
    pub due: bool,

    /// Every secret of each environment (but credentials, which are only reported).
    #[arg(long)]
    pub all: bool,

    /// These keys only (repeatable, or several after one --key).
    #[arg(long = "key", value_name = "KEY", num_args = 1..)]
    pub keys: Vec<String>,
}

/// What `plan` and `rotate` share: the manifest, identities, environments, which keys and when.
#[derive(Debug, Args)]
pub struct RotationArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt sealed environments with the identities in this file (repeatable) [default:
    /// ENVMINT_IDENTITY, ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// Environments to rotate [default: every declared environment].
    #[arg(value_name = "ENV")]
    pub environments: Vec<String>,

    #[command(flatten)]
    pub select: SelectArgs,

    /// Act as if it were this instant (RFC 3339, or YYYY-MM-DD for midnight UTC); records
    /// get this time.
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

/// `envmint plan`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint plan                              # what `rotate --due` would do, everywhere\n  \
    envmint plan production --all -o rotation.plan\n  \
    envmint plan --key JWT_SECRET_KEY --at 2027-01-01 --json\n  \
    envmint apply rotation.plan\n\n\
    The summary (env, key, what, why, kind, bits) never shows a value nor a hash. -o writes\n\
    the plan with its new values, 0600; a sealed environment's part is encrypted to its\n\
    recipients. The plan records a digest of each store before and after: `apply` refuses a\n\
    store that changed since (exit 65) and skips one already applied.")]
pub struct PlanArgs {
    #[command(flatten)]
    pub rotation: RotationArgs,

    /// Write the plan, with its new values, to this file (0600): a new file, an empty one or an earlier plan.
    #[arg(short, long, value_name = "PLANFILE")]
    pub output: Option<PathBuf>,

    /// Print the summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `envmint apply`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint plan --all -o rotation.plan && envmint apply rotation.plan\n  \
    envmint apply rotation.plan -i ~/.config/envmint/identity.txt\n\n\
    The records it writes are dated when it is applied (a value retired today keeps its whole\n\
    overlap); a plan older than the shortest overlap of the secrets it rotates, or made after\n\
    the clock, is refused (exit 65).\n\n\
    Every store is locked and checked before any is written: one already in the plan's\n\
    \"after\" state is skipped (so an interrupted apply is simply run again); one in neither\n\
    state refuses the whole plan (exit 65, nothing changed), and so does a plan that would\n\
    change a variable the manifest does not have envmint rotate in that environment. A plan\n\
    file another user could have written (group- or world-writable, or not yours) is refused\n\
    (exit 77): whoever can write a plan chooses the values it writes.")]
pub struct ApplyArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt sealed plans and stores with the identities in this file (repeatable)
    /// [default: ENVMINT_IDENTITY, ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// The plan file written by `envmint plan -o`.
    #[arg(value_name = "PLANFILE")]
    pub plan: PathBuf,

    /// Date what the plan writes at WHEN instead of now (RFC 3339, or YYYY-MM-DD for midnight
    /// UTC): its records are dated when it is applied, not when it was made.
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,

    /// Print what was applied as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Allow this manifest's hooks on this machine (listing them first): a plan that names
    /// credentials with a `set` hook runs their stages, which do not run without an allowance.
    #[arg(long)]
    pub allow_hooks: bool,
}

/// `envmint rotate`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint rotate                            # = rotate --due, every environment (cron)\n  \
    envmint rotate production --key DB_PASSWORD   # a credential, once changed at the server\n  \
    envmint rotate --all --no-overlap         # after a compromise\n  \
    envmint rotate --dry-run --at 2027-01-01 --json\n\n\
    Selected keys get a new value with `# envmint: generated=NOW` above it. By role:\n\
    signing keys keep the old value (KEY_PREVIOUS, numbered or a list) for their overlap,\n\
    then it is removed; encryption keys keep every old key in their keyring until `envmint\n\
    retire` (a full keyring is not rotated; --no-overlap keeps it too); credentials are\n\
    never changed by --due or --all, only reported (`--key` renews one), unless they have a\n\
    `set` hook: then they go through pending, set, test and finish (see README, Hooks).\n\
    External keys are\n\
    reported with the `envmint set` command to run. Exits 0 whether or not anything\n\
    changed.")]
pub struct RotateArgs {
    #[command(flatten)]
    pub rotation: RotationArgs,

    /// Keep no retired value: drop the selected keys' previous values at once (a compromise);
    /// an encryption key's keyring is kept all the same.
    #[arg(long)]
    pub no_overlap: bool,

    /// Report what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print what changed as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Drop the pending values of the --key credentials (a rotation whose hooks failed),
    /// instead of rotating; their current values stay.
    #[arg(long, requires = "keys")]
    pub abandon: bool,

    /// Allow this manifest's hooks on this machine (listing them first): hooks that are new
    /// or changed since they were last allowed do not run without it.
    #[arg(long)]
    pub allow_hooks: bool,
}

/// `envmint retire`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint retire production ENCRYPTION_KEY --dry-run     # what would go\n  \
    envmint retire production ENCRYPTION_KEY --older-than 180d\n  \
    envmint retire production ENCRYPTION_KEY --older-than 2027-01-01 --json\n\n\
    An encryption key's retired keys (its keyring) are never removed by time: re-encrypt the\n\
    data under the current key, then retire the old ones. Without --older-than every retired\n\
    value of KEY goes; with it, those retired before WHEN (a date, an RFC 3339 time, or a\n\
    period back from now). A value with no readable retirement time is kept by --older-than.\n\
    Numbered slots and lists close up; the file is written through the atomic writer (a\n\
    sealed one re-sealed). Works on any secret's retired values. Never prints a value.")]
pub struct RetireArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// The secret whose retired values go.
    #[arg(value_name = "KEY")]
    pub key: String,

    /// Only values retired before WHEN: a date (2027-01-01), an RFC 3339 time, or a period back
    /// from now (180d).
    #[arg(long, value_name = "WHEN")]
    pub older_than: Option<String>,

    /// Report what would go; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print what was retired as JSON on stdout (never a value).
    #[arg(long)]
    pub json: bool,
}

/// `--format` of `envmint export`: the library's own list ([`Format::ALL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormatArg(pub Format);

impl ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: LazyLock<Vec<FormatArg>> =
            LazyLock::new(|| Format::ALL.into_iter().map(FormatArg).collect());
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(match self.0 {
            Format::Dotenv => "KEY=value, quoted for dotenv readers and sh (no records)",
            Format::DockerEnv => "raw KEY=value lines for docker run --env-file",
            Format::Json => "one JSON object of key to value",
            Format::Shell => "export KEY='value' lines for eval",
            Format::DockerSecrets => "a folder (-o) with one file per key (compose secrets)",
            Format::K8s => "a v1 Secret manifest for kubectl apply -f -",
        }))
    }
}

/// `envmint export`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint export production --format k8s | kubectl apply -f -\n  \
    envmint export production --format docker-env -o prod.env && docker run --env-file prod.env app\n  \
    envmint export production --format docker-secrets -o secrets/\n  \
    eval \"$(envmint export development --format shell)\"\n  \
    envmint export staging --format json --all-keys > staging.json\n\n\
    Exports the keys the manifest declares for the environment (every one must be in the\n\
    file) and their retired values kept for an overlap (KEY_PREVIOUS...); --all-keys adds\n\
    the file's other keys. A value the format's reader cannot carry\n\
    (a line break for docker-env, a `$` for dotenv...) is refused naming the key, never\n\
    changed. -o writes 0600 through the atomic writer; without -o the values go to stdout,\n\
    but not to a terminal unless --stdout is given. docker-secrets writes a 0700 folder with\n\
    one 0600 file per key, and keeps a list (.envmint-export) of the files it wrote there:\n\
    files of keys no longer exported are removed, other files are never touched.")]
pub struct ExportArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// The reader to write for.
    #[arg(short, long, value_enum, value_name = "FORMAT")]
    pub format: FormatArg,

    /// Write here (0600, atomically; a folder for docker-secrets) instead of stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Print to stdout even when it is a terminal.
    #[arg(long, conflicts_with = "output")]
    pub stdout: bool,

    /// Environment mode: overwrite a plaintext file edited since it was unsealed.
    #[arg(long, conflicts_with = "stdout")]
    pub force: bool,

    /// k8s: the Secret's name [default: ENV-secrets].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// k8s: the Secret's namespace [default: none, kubectl's current one].
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Also export the file's keys the manifest does not declare.
    #[arg(long)]
    pub all_keys: bool,

    /// With -o: print {"environment", "format", "output", "keys"} as JSON on stdout (key
    /// names only, never a value).
    #[arg(long, requires = "output")]
    pub json: bool,
}

/// `envmint run`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint run production -- ./server --port 8080\n  \
    envmint run development --only DATABASE_URL -- psql\n  \
    envmint run staging --override -- npm start\n  \
    envmint run development --allow-var NODE_OPTIONS -- node app.js\n\n\
    Every key of the environment's file is added to COMMAND's environment, as a dotenv\n\
    loader would (a sealed environment is decrypted in memory): values never touch the disk\n\
    nor any command line. A variable already set is kept unless --override, and named on\n\
    stderr. Variables that make programs load code (LD_*, DYLD_*, PATH, BASH_ENV, ENV, IFS,\n\
    NODE_OPTIONS, PYTHONPATH, PERL5OPT, RUBYOPT, JAVA_TOOL_OPTIONS...) are held back, and\n\
    named on stderr, unless --allow-var names them: the file is the repository's, not yours.\n\
    envmint then replaces itself with COMMAND (exec): signals, the terminal and the exit\n\
    status are COMMAND's own. A command not found exits 127, one that cannot be executed 126.\n\
    ENVMINT_AGE_KEY and ENVMINT_PASSPHRASE (envmint's, not the app's) are not passed on.")]
pub struct RunArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// Add only these keys (repeatable, or comma-separated).
    #[arg(long, value_name = "KEY", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Replace variables that are already set.
    #[arg(long = "override")]
    pub override_existing: bool,

    /// Pass this variable from the file even though it makes programs load code (LD_PRELOAD,
    /// PATH, NODE_OPTIONS...; repeatable, or comma-separated).
    #[arg(long = "allow-var", value_name = "NAME", value_delimiter = ',')]
    pub allow_var: Vec<String>,

    /// The command to run and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

/// `envmint adopt`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint adopt production --dry-run                # what it would record\n  \
    envmint adopt production --at 2026-09-01          # the values were made on September 1st\n  \
    envmint adopt production SECRET_KEY DB_PASSWORD   # these secrets only\n\n\
    A project that starts using envmint has values without `# envmint:` records: their age is\n\
    unknown, so the first `rotate --due` would renew every one, and remove retired values kept\n\
    by hand. adopt writes `# envmint: generated=WHEN` (set= for an external secret) above each\n\
    value that has no record (WHEN is --at, or now), and takes each retired value without a\n\
    record (KEY_PREVIOUS, a fallback list) as retired now, with the declared overlap. Values\n\
    and other lines keep every byte. A record that does not read, and a retired value that\n\
    came from .env.example, are skipped with the reason. Sealed stores are written sealed.")]
pub struct AdoptArgs {
    // --manifest, -i/--identity and ENV, in that order (first in --help too).
    #[command(flatten)]
    pub target: EnvArgs,

    /// Only these secrets (and their retired values) [default: every secret of ENV].
    #[arg(value_name = "KEY")]
    pub keys: Vec<String>,

    /// When the values were made (RFC 3339, or YYYY-MM-DD for midnight UTC) [default: now].
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,

    /// Report what would be recorded; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print what was recorded as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `envmint status`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint status                         # every environment\n  \
    envmint status production --check      # exit 1 when a key is due, unknown or missing\n  \
    envmint status --at 2027-01-01         # what will be due then\n  \
    envmint status production --json | jq '.[] | select(.state == \"due\")'\n\n\
    States: ok, due (age >= rotate_every), missing, unknown (no `# envmint:` record: due now),\n\
    unmanaged (not in the manifest), previous (a retired value kept for its overlap window,\n\
    or an encryption key's old key, kept until `envmint retire`) and expired (one past it).\n\
    An encryption key's row says how many keys its keyring holds; a due credential's, the\n\
    `rotate --key` command to run once it is changed at its service. Sealed environments are\n\
    read in memory. Never prints a value.")]
pub struct StatusArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt a sealed environment with the identities in this file (repeatable) [default:
    /// ENVMINT_IDENTITY, ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// Environments to show [default: every declared one].
    #[arg(value_name = "ENV")]
    pub environments: Vec<String>,

    /// Evaluate at this instant instead of now, to forecast: an RFC 3339 time
    /// (2027-01-01T09:00:00Z) or a date (2027-01-01, midnight UTC).
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,

    /// Print one JSON array of keys on stdout instead of the tables.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when any key is due, unknown or missing (for alerts), else 0.
    #[arg(long)]
    pub check: bool,
}

/// `envmint audit`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint audit                          # every environment of the manifest\n  \
    envmint audit production --git         # and search git's history for its values\n  \
    envmint audit --json | jq '.[] | select(.severity == \"error\")'\n\n\
    Checks: modes of plaintext env files, plan files and identity files (a sealed file may be\n\
    0644) and of their folders; empty, placeholder and .env.example values; values weaker than\n\
    their declaration, and undeclared secrets under 128 bits by an estimate; the same value in\n\
    two environments or under two keys; secret files .gitignore does not cover or git tracks;\n\
    keys due, of unknown age or overdue for rotation (as `status` computes them).\n\
    --git also searches every blob of the history and the tracked files for each stored value\n\
    of 8 characters or more. Sealed environments are decrypted in memory; one that cannot be\n\
    opened is a finding. No value is ever printed. Exit 0 clean, 1 findings.")]
pub struct AuditArgs {
    /// The manifest [default: envmint.toml found from here].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt sealed environments with the identities in this file (repeatable) [default:
    /// ENVMINT_IDENTITY, ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// Environments to audit [default: all the manifest declares].
    #[arg(value_name = "ENV")]
    pub environments: Vec<String>,

    /// Print the findings as a JSON array on stdout.
    #[arg(long)]
    pub json: bool,

    /// Also search the git history and tracked files for the stored values.
    #[arg(long)]
    pub git: bool,

    /// Check only what is staged for commit (the commit guard, for a pre-commit hook):
    /// plaintext env files, plans, identity files, export lists and files holding a stored
    /// value. Exit 1 naming each file and why, never a value.
    #[arg(long, conflicts_with = "git")]
    pub staged: bool,
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

/// `envmint example`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint example                     # add the declared secrets .env.example lacks\n  \
    cp .env.example .env.production.local && envmint bootstrap production\n\n\
    Each declared secret the file lacks gets a comment (kind, size and bits, role; or\n\
    `external: given by you`) and an empty `KEY=` line. Your own lines, comments and values\n\
    are kept as they are; envmint never writes a value or a record here. One .env.example per\n\
    folder of environment files, where bootstrap reads it.")]
pub struct ExampleArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Say what would be added; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `envmint git`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint git setup --config          # .gitattributes + this repository's .git/config\n  \
    git merge feature                   # sealed stores now merge key by key\n  \
    git diff HEAD~1 -- .env.production.age\n\n\
    Nothing here touches ~/.gitconfig: setup writes .gitattributes beside the manifest and,\n\
    with --config, the drivers into the repository's own .git/config.")]
pub struct GitArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: GitCommand,
}

/// The subcommands of `envmint git`.
#[derive(Debug, Subcommand)]
pub enum GitCommand {
    /// Git's merge driver for sealed stores: merges key by key in memory (`merge=envmint`).
    Merge(GitMergeArgs),
    /// Git's textconv for sealed stores: keys and records, values as keyed digests
    /// (`diff=envmint`).
    Diff(GitDiffArgs),
    /// Write the .gitattributes lines for the manifest's sealed stores, and with --config the
    /// repository-local git config of the drivers.
    Setup(GitSetupArgs),
}

/// `envmint git merge`.
#[derive(Debug, Args)]
#[command(
    after_help = "Set up by `envmint git setup --config`, which writes:\n  \
    git config merge.envmint.driver 'envmint git merge %O %A %B %P'\n\n\
    Base (%O), ours (%A) and theirs (%B) are decrypted in memory and merged per key: a key\n\
    changed on one branch takes that branch's value; two rotations keep the newer value and\n\
    retire the older one into the key's previous form. The result is sealed to the recipients\n\
    pinned in both branches and written to %A. Keys given different values on both branches\n\
    are named (never their values) and the merge fails (exit 1), leaving your branch's file\n\
    as it was; branches sealed to different recipients are refused (exit 1): rekey first."
)]
pub struct GitMergeArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Decrypt with the identities in this file (repeatable) [default: ENVMINT_IDENTITY,
    /// ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// The common ancestor's version (git's %O; empty when there is none).
    #[arg(value_name = "BASE")]
    pub base: PathBuf,

    /// Our version (git's %A); the merge result is written here.
    #[arg(value_name = "OURS")]
    pub ours: PathBuf,

    /// Their version (git's %B).
    #[arg(value_name = "THEIRS")]
    pub theirs: PathBuf,

    /// The store's path in the repository (git's %P), to find its environment and to name it.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// `envmint git diff`.
#[derive(Debug, Args)]
#[command(
    after_help = "Set up by `envmint git setup --config`, which writes:\n  \
    git config diff.envmint.textconv 'envmint git diff'\n\n\
    Prints one line per key: KEY=<digest> and its record. The digest is HMAC-SHA256 of the\n\
    value under a random key kept in the repository's git folder (.git/envmint/diff-key, 0600,\n\
    never committed): a changed digest means a changed value, and the repository alone gives\n\
    nothing to test guesses against. A version no identity opens is shown by its ciphertext's\n\
    SHA-256."
)]
pub struct GitDiffArgs {
    /// Decrypt with the identities in this file (repeatable) [default: ENVMINT_IDENTITY,
    /// ENVMINT_AGE_KEY, then ~/.config/envmint/identity.txt].
    #[arg(short, long = "identity", value_name = "IDENTITY")]
    pub identities: Vec<PathBuf>,

    /// The sealed file (git passes a temporary copy of each version).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `envmint git setup`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint git setup                   # .gitattributes only; says what --config would do\n  \
    envmint git setup --config          # and the drivers in .git/config (this repository)\n  \
    envmint git setup --config --hook   # and the commit guard as .git/hooks/pre-commit\n\n\
    Adds `/PATH merge=envmint diff=envmint` for each sealed store of the manifest to the\n\
    .gitattributes beside it (other lines kept). --config runs `git config --local` for\n\
    merge.envmint.driver and diff.envmint.textconv, naming this envmint binary; the global\n\
    ~/.gitconfig is never changed. Running it again changes nothing.")]
pub struct GitSetupArgs {
    /// Use this envmint.toml instead of searching the current folder and its parents.
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// Also write the drivers into this repository's git config (`git config --local`).
    #[arg(long)]
    pub config: bool,

    /// Also install the commit guard (`envmint audit --staged`) as this repository's
    /// pre-commit hook; an existing hook that is not envmint's is left as it is, and said.
    #[arg(long)]
    pub hook: bool,
}

/// `envmint completions`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint completions bash > ~/.local/share/bash-completion/completions/envmint\n  \
    envmint completions zsh > ~/.zfunc/_envmint    # a folder on $fpath\n  \
    envmint completions fish > ~/.config/fish/completions/envmint.fish\n  \
    envmint completions powershell >> $PROFILE")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `envmint man`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    envmint man | man -l -                         # read envmint(1) now\n  \
    envmint man --dir ~/.local/share/man/man1      # envmint.1, envmint-bootstrap.1, ...\n\n\
    The pages are made from the same definitions as --help.")]
pub struct ManArgs {
    /// Write envmint.1 and one page per command (envmint-bootstrap.1, envmint-git-merge.1, ...)
    /// into this folder, created if missing, instead of printing envmint(1) on stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
