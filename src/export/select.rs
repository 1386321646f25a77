//! Which keys of an environment's document are exported (or handed to `run`).

use super::Entry;
use crate::dotenv::Document;
use crate::manifest::Manifest;

/// Which keys to take from a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// The keys the manifest manages in the environment ([`managed_keys`]); every declared one
    /// must be in the file.
    Managed,
    /// The managed keys (every declared one required) and every other key of the file.
    ManagedAndOthers,
    /// Every key of the file, as a dotenv loader takes them; nothing required.
    File,
}

/// A key that cannot be exported as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectError {
    /// A key declared for the environment is not in the file.
    Missing {
        /// The key.
        key: String,
    },
    /// A key to export is on a line envmint cannot read, so its value is unclear.
    Unreadable {
        /// The key.
        key: String,
        /// Its first unreadable line (1-based), if known.
        line: Option<usize>,
    },
}

impl std::fmt::Display for SelectError {
    /// Names the key, never a value; the file and line are the caller's to put before it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectError::Missing { key } => {
                write!(
                    f,
                    "`{key}` is declared for the environment but is not in the file"
                )
            }
            SelectError::Unreadable { key, .. } => write!(
                f,
                "`{key}` is on a line envmint cannot read, so its value is unclear"
            ),
        }
    }
}

impl std::error::Error for SelectError {}

/// The keys the manifest manages in environment `env`: its declared secrets (every one
/// required in the file), and the variables of their retired values
/// ([`crate::manifest::Previous::names`]: `KEY_PREVIOUS`, `AUTH_SECRET_1`...,
/// `APP_PREVIOUS_KEYS`), exported with their secret while the overlap window keeps them in the
/// file, and never required. Both in declaration order.
pub fn managed_keys(manifest: &Manifest, env: &str) -> (Vec<String>, Vec<String>) {
    let declared: Vec<String> = manifest.secrets_for(env).map(|s| s.key.clone()).collect();
    let previous: Vec<String> = manifest
        .secrets_for(env)
        .flat_map(|s| s.previous.names(None))
        .collect();
    (declared, previous)
}

/// The entries of `doc` to export for environment `env`, in the file's order.
///
/// # Errors
///
/// A key to export on an unreadable line ([`SelectError::Unreadable`], first in file order),
/// then a declared key missing from the file ([`SelectError::Missing`]) unless `keys` is
/// [`Keys::File`].
pub fn select<'d>(
    manifest: &Manifest,
    env: &str,
    doc: &'d Document,
    keys: Keys,
) -> Result<Vec<Entry<'d>>, SelectError> {
    let (declared, previous) = managed_keys(manifest, env);
    let managed: std::collections::HashSet<&str> = declared
        .iter()
        .chain(&previous)
        .map(String::as_str)
        .collect();
    let mut entries = Vec::new();
    for key in doc.keys() {
        if keys == Keys::Managed && !managed.contains(key) {
            continue;
        }
        match doc.get(key) {
            Some(value) => entries.push(Entry { key, value }),
            None => {
                return Err(SelectError::Unreadable {
                    key: key.to_owned(),
                    line: doc.broken_line(key),
                });
            }
        }
    }
    if keys != Keys::File
        && let Some(key) = declared.into_iter().find(|k| !doc.contains_key(k))
    {
        return Err(SelectError::Missing { key });
    }
    Ok(entries)
}
