//! `shell`: `export KEY='value'` lines that `eval` (or `.`) restores exactly, in any POSIX
//! shell, bash and zsh.
//!
//! Inside single quotes a shell takes every byte literally, line breaks, `$`, backslashes and
//! backticks included; the only byte that cannot appear is the single quote itself, written as
//! `'\''` (close, an escaped quote, reopen). NUL is refused: no shell variable holds one.

use super::{Entry, Format, Refusal, Why, sized};
use zeroize::Zeroizing;

/// Renders `entries` as `export` lines.
///
/// # Errors
///
/// A key that is not a shell name (`[A-Za-z_][A-Za-z0-9_]*`), or a value with a NUL.
pub fn render(entries: &[Entry<'_>]) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    const EXPORT: &[u8] = b"export ";
    let mut len = 0;
    for e in entries {
        if !crate::dotenv::is_valid_key(e.key) {
            return Err(Refusal::of(Format::Shell, e.key, Why::KeyNotAName));
        }
        if memchr::memchr(0, e.value.as_bytes()).is_some() {
            return Err(Refusal::of(Format::Shell, e.key, Why::Nul));
        }
        let quotes = memchr::memchr_iter(b'\'', e.value.as_bytes()).count();
        len += EXPORT.len() + e.key.len() + 2 + e.value.len() + 3 * quotes + 2;
    }
    Ok(sized(len, |out| {
        for e in entries {
            out.extend_from_slice(EXPORT);
            out.extend_from_slice(e.key.as_bytes());
            out.extend_from_slice(b"='");
            let mut rest = e.value.as_bytes();
            while let Some(at) = memchr::memchr(b'\'', rest) {
                out.extend_from_slice(&rest[..at]);
                out.extend_from_slice(b"'\\''");
                rest = &rest[at + 1..];
            }
            out.extend_from_slice(rest);
            out.extend_from_slice(b"'\n");
        }
    }))
}
