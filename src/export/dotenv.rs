//! `dotenv`: `KEY=value` lines, each value written as envmint's dotenv writer writes it
//! ([`crate::dotenv::quote_value`]: bare, or in single quotes), so python-dotenv, Node dotenv,
//! compose's `env_file` and `sh` all read back the same bytes. No `# envmint:` records, no
//! comments.

use super::{Entry, Format, Refusal, Why, sized};
use zeroize::Zeroizing;

/// Renders `entries` as dotenv lines.
///
/// # Errors
///
/// A key that is not a shell name, or a value with a character the dotenv writer refuses
/// ([`crate::dotenv::UnsafeChar`]): readers disagree about those.
pub fn render(entries: &[Entry<'_>]) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    let mut written = Vec::with_capacity(entries.len());
    let mut len = 0;
    for e in entries {
        if !crate::dotenv::is_valid_key(e.key) {
            return Err(Refusal::of(Format::Dotenv, e.key, Why::KeyNotAName));
        }
        let value = crate::dotenv::quote_value(e.value)
            .map_err(|class| Refusal::of(Format::Dotenv, e.key, Why::Unwritable(class)))?;
        len += e.key.len() + 1 + value.len() + 1;
        written.push(value);
    }
    Ok(sized(len, |out| {
        for (e, value) in entries.iter().zip(&written) {
            out.extend_from_slice(e.key.as_bytes());
            out.push(b'=');
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
    }))
}
