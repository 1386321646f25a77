//! `docker-secrets`: a folder with one file per key holding exactly the value (no trailing
//! newline), for compose's `secrets:` (`file: ./secrets/DB_PASSWORD`) and the `*_FILE`
//! convention of official images (`POSTGRES_PASSWORD_FILE=/run/secrets/DB_PASSWORD`).
//!
//! Any value can be written. A key becomes a file name, so it must be one: keys are
//! `[A-Za-z0-9_.-]+` already; a key starting with a dot (`.`, `..`, a hidden file, or envmint's
//! own [`super::folder::MARKER`]) or longer than 255 bytes is refused. [`super::folder::write`]
//! writes the folder.

use super::{Entry, Format, Refusal, Why};

/// The longest file name on Linux file systems (`NAME_MAX`).
pub const MAX_NAME: usize = 255;

/// Whether `key` can name a file of its own in the folder.
pub fn is_file_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_NAME
        && !key.starts_with('.')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// Checks that every key can be a file name.
///
/// # Errors
///
/// The first key that cannot.
pub fn check(entries: &[Entry<'_>]) -> Result<(), Refusal> {
    match entries.iter().find(|e| !is_file_name(e.key)) {
        Some(e) => Err(Refusal::of(
            Format::DockerSecrets,
            e.key,
            Why::KeyNotAFileName,
        )),
        None => Ok(()),
    }
}
