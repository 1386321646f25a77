//! What `unseal ENV` wrote, remembered in the plaintext file, so that `seal ENV` and a later
//! `unseal ENV` can tell which side changed since and never silently drop the other side's
//! changes (a lost update between the plaintext and the store).
//!
//! `unseal ENV` writes the store's plaintext after one comment line,
//! `# envmint-unsealed: sha256=HEX`, the SHA-256 of that plaintext (the store's, without the
//! line). The line is a plain comment to every dotenv reader, and not a `# envmint:` record
//! (those belong to the key below them). It never goes into the store: `seal` removes it.
//!
//! - `seal ENV` seals the plaintext when the store still holds what was unsealed (only the
//!   plaintext changed), and refuses when the store changed since (sealing would drop those
//!   changes) or when the file has no line and differs from the store (where it came from is
//!   unknown).
//! - `unseal ENV` overwrites the plaintext when it is still what was unsealed (only the store
//!   changed), and refuses when it was edited and never sealed, or has no line and differs.
//!
//! Both give way to `--force`. The digest of a file next to the same plaintext tells nothing the
//! file does not.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The start of the line.
pub const PREFIX: &str = "# envmint-unsealed: sha256=";

/// The digest recorded for `plaintext`, in hex.
pub fn digest(plaintext: &[u8]) -> String {
    hex::encode(Sha256::digest(plaintext))
}

/// The text `unseal` writes for the store's `plaintext`: the line, then the plaintext.
pub fn with_line(plaintext: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(PREFIX.len() + 65 + plaintext.len()));
    out.push_str(PREFIX);
    out.push_str(&digest(plaintext.as_bytes()));
    out.push('\n');
    out.push_str(plaintext);
    out
}

/// A plaintext file split: its text without the line, and the digest the line recorded
/// (`None` when there is no well-formed line). Only the first such line counts; it is removed
/// wherever it is, with its line break.
pub fn split(text: &str) -> (Zeroizing<String>, Option<String>) {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(PREFIX) {
            let hex = rest.trim_end_matches(['\n', '\r']);
            if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                let mut out = Zeroizing::new(String::with_capacity(text.len()));
                out.push_str(&text[..start]);
                out.push_str(&text[start + line.len()..]);
                return (out, Some(hex.to_ascii_lowercase()));
            }
        }
        start += line.len();
    }
    (Zeroizing::new(text.to_string()), None)
}

/// What `unseal ENV` does with an existing plaintext file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseal {
    /// It already holds the store's plaintext and its line: nothing to write.
    Unchanged,
    /// Write it: absent, only the store changed, or only the line is missing.
    Write,
    /// It was edited after it was unsealed, and the edits were never sealed.
    EditedSinceUnseal,
    /// It has no line and differs from the store: it may hold the only copy of something.
    UnknownOrigin,
}

/// Decides [`Unseal`] for the existing file `existing` (`None`: absent) and the store's
/// plaintext `store`. An empty file (or only blanks) is written over.
pub fn check_unseal(existing: Option<&str>, store: &str) -> Unseal {
    let Some(existing) = existing else {
        return Unseal::Write;
    };
    if existing == with_line(store).as_str() {
        return Unseal::Unchanged;
    }
    let (plain, recorded) = split(existing);
    // An empty file has nothing to lose.
    if plain.as_str() == store || plain.trim().is_empty() {
        return Unseal::Write;
    }
    match recorded {
        Some(d) if d == digest(plain.as_bytes()) => Unseal::Write,
        Some(_) => Unseal::EditedSinceUnseal,
        None => Unseal::UnknownOrigin,
    }
}

/// What `seal ENV` does with the plaintext file's text (its line removed: `plain`, and the
/// digest it recorded) and the store's plaintext (`None`: no store yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// Seal it.
    Write,
    /// The store changed since the file was unsealed: sealing would drop those changes.
    StoreChangedSinceUnseal,
    /// The file has no line and differs from an existing store.
    UnknownOrigin,
}

/// Decides [`Seal`]. A plaintext equal to the store is [`Seal::Write`] too: saving it changes
/// nothing (the store's bytes stay).
pub fn check_seal(plain: &str, recorded: Option<&str>, store: Option<&str>) -> Seal {
    let Some(store) = store else {
        return Seal::Write;
    };
    if plain == store {
        return Seal::Write;
    }
    match recorded {
        Some(d) if d == digest(store.as_bytes()) => Seal::Write,
        Some(_) => Seal::StoreChangedSinceUnseal,
        None => Seal::UnknownOrigin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_is_found_anywhere_and_removed_with_its_break() {
        let text = with_line("A=1\n");
        assert!(text.starts_with(PREFIX));
        let (plain, d) = split(&text);
        assert_eq!(plain.as_str(), "A=1\n");
        assert_eq!(d.unwrap(), digest(b"A=1\n"));
        let moved = format!(
            "A=1\n{}B=2\n",
            text.lines().next().unwrap().to_string() + "\n"
        );
        assert_eq!(split(&moved).0.as_str(), "A=1\nB=2\n");
        // A damaged line is no line (and stays: it is the user's text).
        let bad = format!("{PREFIX}xyz\nA=1\n");
        let (same, none) = split(&bad);
        assert_eq!((same.as_str(), none), (bad.as_str(), None));
    }

    #[test]
    fn unseal_overwrites_only_what_was_not_edited() {
        let old = with_line("A=1\n");
        assert_eq!(check_unseal(None, "A=2\n"), Unseal::Write);
        assert_eq!(check_unseal(Some(&old), "A=1\n"), Unseal::Unchanged);
        // The store moved on; the file is as unsealed.
        assert_eq!(check_unseal(Some(&old), "A=2\n"), Unseal::Write);
        // The file was edited and never sealed.
        let edited = old.replace("A=1", "A=9");
        assert_eq!(
            check_unseal(Some(&edited), "A=2\n"),
            Unseal::EditedSinceUnseal
        );
        assert_eq!(check_unseal(Some("A=1\n"), "A=1\n"), Unseal::Write);
        assert_eq!(check_unseal(Some(" \n"), "A=1\n"), Unseal::Write);
        assert_eq!(check_unseal(Some("X=1\n"), "A=1\n"), Unseal::UnknownOrigin);
    }

    #[test]
    fn seal_refuses_to_drop_what_the_store_gained() {
        let d1 = digest(b"A=1\n");
        assert_eq!(check_seal("A=5\n", Some(&d1), None), Seal::Write);
        assert_eq!(check_seal("A=5\n", Some(&d1), Some("A=1\n")), Seal::Write);
        assert_eq!(
            check_seal("A=5\n", Some(&d1), Some("A=1\nB=2\n")),
            Seal::StoreChangedSinceUnseal
        );
        assert_eq!(check_seal("A=1\n", None, Some("A=1\n")), Seal::Write);
        assert_eq!(
            check_seal("A=5\n", None, Some("A=1\n")),
            Seal::UnknownOrigin
        );
    }
}
