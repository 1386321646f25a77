//! What the exports share: the formats, an entry to write, a refusal and why, the
//! Kubernetes metadata, and the exactly-sized zeroizing buffer every renderer fills.

use std::fmt;
use zeroize::Zeroizing;

/// An output format of `envmint export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `KEY=value` lines quoted as envmint's dotenv writer quotes, without records.
    Dotenv,
    /// Raw `KEY=value` lines for `docker run --env-file`.
    DockerEnv,
    /// One JSON object of key to value.
    Json,
    /// `export KEY='value'` lines that `eval` restores exactly.
    Shell,
    /// A folder with one file per key holding exactly the value.
    DockerSecrets,
    /// A Kubernetes `v1` `Secret` manifest.
    K8s,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 6] = [
        Format::Dotenv,
        Format::DockerEnv,
        Format::Json,
        Format::Shell,
        Format::DockerSecrets,
        Format::K8s,
    ];

    /// The name given to `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Dotenv => "dotenv",
            Format::DockerEnv => "docker-env",
            Format::Json => "json",
            Format::Shell => "shell",
            Format::DockerSecrets => "docker-secrets",
            Format::K8s => "k8s",
        }
    }

    /// The reader the format is written for, as messages name it.
    pub fn reader(self) -> &'static str {
        match self {
            Format::Dotenv => "dotenv readers",
            Format::DockerEnv => "docker --env-file",
            Format::Json => "JSON",
            Format::Shell => "a shell",
            Format::DockerSecrets => "a secrets folder",
            Format::K8s => "a Kubernetes Secret",
        }
    }
}

/// One variable to export: a key and its value, borrowed from the document. `Debug` shows
/// the key only.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    /// The variable's name.
    pub key: &'a str,
    /// Its value (a secret).
    pub value: &'a str,
}

impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Entry({}, ..)", self.key)
    }
}

/// A value or key the format's reader cannot carry: nothing is written. Names the key (never
/// the value, nor where in the value the problem is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The format asked for.
    pub format: Format,
    /// The key refused, when the refusal is about one.
    pub key: Option<String>,
    /// Why.
    pub why: Why,
}

/// Why a [`Refusal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// `dotenv`: a character the dotenv writer does not write (readers disagree about it).
    Unwritable(crate::dotenv::UnsafeChar),
    /// A line break (`\n` or `\r`) in a format that is one line per variable.
    LineBreak,
    /// A NUL character, which no environment variable can hold.
    Nul,
    /// `docker-env`: a value that starts and ends with the same quote: docker 28 keeps the
    /// quotes, newer releases strip them (docker/cli#6805), so readers disagree.
    Quoted,
    /// `docker-env`: `KEY=value` longer than docker's line limit (Go's `bufio.Scanner`).
    LineTooLong {
        /// The longest line docker reads, in bytes.
        limit: usize,
    },
    /// `shell`, `dotenv`: a key that is not a shell name (`[A-Za-z_][A-Za-z0-9_]*`).
    KeyNotAName,
    /// `docker-secrets`: a key that cannot be a file name of its own (empty, starting with a
    /// dot, longer than 255 bytes).
    KeyNotAFileName,
    /// `k8s`: a key a Secret's `data` does not accept (`[-._a-zA-Z0-9]+`, at most 253, not
    /// `.`, `..` or starting with `..`).
    KeyNotASecretKey,
    /// `k8s`: more data than a Secret holds.
    TooLarge {
        /// The values' total size in bytes.
        size: usize,
        /// The API server's limit in bytes.
        limit: usize,
    },
    /// `k8s`: a Secret name that is not a DNS subdomain name, or a namespace that is not a DNS
    /// label (the text is a name given on the command line, not a secret).
    BadName {
        /// The name as given.
        name: String,
        /// `true` for the namespace (a DNS label), `false` for the name (a subdomain).
        namespace: bool,
        /// Whether the name was the default `<env>-secrets`, not given with `--name`.
        default: bool,
    },
}

impl Refusal {
    /// A refusal of `key` for `why`.
    pub fn of(format: Format, key: &str, why: Why) -> Refusal {
        Refusal {
            format,
            key: Some(key.to_owned()),
            why,
        }
    }
}

/// What the `k8s` format needs besides the values.
#[derive(Clone, Copy, Debug)]
pub struct K8sMeta<'a> {
    /// The Secret's `metadata.name`.
    pub name: &'a str,
    /// Whether `name` is the default `<env>-secrets` (for the message when it is invalid).
    pub default_name: bool,
    /// The Secret's `metadata.namespace`, if any.
    pub namespace: Option<&'a str>,
}

/// A zeroizing buffer of exactly `len` bytes' capacity, filled by `fill`; the debug assertion
/// catches a size computed too small (which would have reallocated and left a copy).
pub(crate) fn sized(len: usize, fill: impl FnOnce(&mut Vec<u8>)) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    let capacity = out.capacity();
    fill(&mut out);
    debug_assert_eq!(
        out.capacity(),
        capacity,
        "the size computed up front was too small"
    );
    debug_assert_eq!(out.len(), len, "the size computed up front was not exact");
    out
}
