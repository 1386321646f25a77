//! Why an edit to a document was refused.

use super::UnsafeChar;
use std::fmt;

/// An edit of a [`Document`](super::Document) (`set`, `replace_value`, `append`, `insert_after`,
/// `remove`, `set_record`) refused. The document is unchanged. Messages name keys and lines, never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The key is not `[A-Za-z_][A-Za-z0-9_]*`.
    InvalidKey {
        /// The key as given (shown in messages only when it cannot be a pasted `KEY=value`).
        key: String,
    },
    /// The value contains a character envmint does not write.
    UnsafeValue {
        /// The key being written.
        key: String,
        /// The class of the first refused character.
        char: UnsafeChar,
    },
    /// The key appears on a line envmint cannot read; writing it elsewhere could leave two
    /// readers with two different values.
    KeyOnUnparsableLine {
        /// The key.
        key: String,
        /// The 1-based line of the first unreadable occurrence.
        line: usize,
    },
    /// A quote opened on `line` is never closed: a quote in a line written after it could close
    /// it and swallow the new line.
    UnterminatedQuote {
        /// The 1-based line where the quote opens.
        line: usize,
    },
    /// `replace_value`, `remove` or `set_record` of a key (or `insert_after` next to an anchor)
    /// the document does not define readably.
    KeyMissing {
        /// The key.
        key: String,
    },
    /// `set_record` of a text with a line break or another control character (a record is one
    /// comment line).
    InvalidRecord {
        /// The key whose record it was.
        key: String,
    },
    /// `append` or `insert_after` of a key the document already has.
    KeyExists {
        /// The key.
        key: String,
        /// The 1-based line of its last definition.
        line: usize,
    },
}

impl EditError {
    /// The 1-based line the error is about, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            EditError::KeyOnUnparsableLine { line, .. }
            | EditError::UnterminatedQuote { line }
            | EditError::KeyExists { line, .. } => Some(*line),
            EditError::InvalidKey { .. }
            | EditError::UnsafeValue { .. }
            | EditError::KeyMissing { .. }
            | EditError::InvalidRecord { .. } => None,
        }
    }
}

/// Whether a refused key can be shown: one with `=`, whitespace or control characters may be a
/// whole `KEY=secret` pasted where a name was expected.
fn showable(key: &str) -> bool {
    key.len() <= 64
        && !key
            .chars()
            .any(|c| c == '=' || c.is_whitespace() || c.is_control())
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::InvalidKey { key } if showable(key) => write!(
                f,
                "`{key}` is not a valid key: use ASCII letters, digits and `_`, not starting \
                 with a digit"
            ),
            EditError::InvalidKey { key } => write!(
                f,
                "a {}-byte key is not valid (not shown: it contains `=`, whitespace or control \
                 characters, or is long): use ASCII letters, digits and `_`, not starting with \
                 a digit",
                key.len()
            ),
            EditError::UnsafeValue { key, char } => write!(
                f,
                "the value for `{key}` contains {char}, which envmint does not write into \
                 dotenv files"
            ),
            // The line is not repeated here: callers put it in the location (`FILE:LINE:`).
            EditError::KeyOnUnparsableLine { key, .. } => write!(
                f,
                "`{key}` is on a line envmint cannot read; fix or remove that line first"
            ),
            EditError::UnterminatedQuote { .. } => write!(
                f,
                "a quote opened on this line is never closed; envmint will not write after it, \
                 since a later quote would swallow the new line"
            ),
            EditError::KeyMissing { key } => write!(f, "`{key}` is not defined"),
            EditError::InvalidRecord { key } => write!(
                f,
                "the `# envmint:` record for `{key}` holds a line break or control character; \
                 a record is one comment line"
            ),
            EditError::KeyExists { key, line } => {
                write!(f, "`{key}` already exists (line {line})")
            }
        }
    }
}

impl std::error::Error for EditError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EditError::UnsafeValue { char, .. } => Some(char),
            _ => None,
        }
    }
}
