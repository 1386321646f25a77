//! Why an edit to a document was refused.

use super::UnsafeChar;

/// An edit of a [`Document`](super::Document) (`set`, `replace_value`, `append`, `insert_after`,
/// `remove`, `set_record`) refused. The document is unchanged. The binary words it (naming keys
/// and lines, never a value).
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
