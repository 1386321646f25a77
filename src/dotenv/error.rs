//! Why an edit to a document was refused.

use super::UnsafeChar;
use std::path::PathBuf;

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

/// A dotenv file that envmint will not read or edit (exit 65). The file is left as it was.
#[derive(Debug)]
pub struct DotenvError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: DotenvProblem,
}

/// What is wrong with a dotenv file.
#[derive(Debug)]
pub enum DotenvProblem {
    /// The bytes are not UTF-8; `line` holds the first bad byte.
    NotUtf8 {
        /// 1-based.
        line: usize,
    },
    /// The file has content but no line reads `KEY=value`, so it is probably the wrong file.
    NotADotenvFile {
        /// The first line with content.
        line: usize,
        /// The manifest's name for the environment whose `file` it is.
        environment: String,
    },
    /// The document refused an edit.
    Edit(crate::dotenv::EditError),
    /// The file is the manifest under another name (a link), so secrets written there would be
    /// committed with it.
    IsTheManifest {
        /// The manifest's name for the environment whose `file` it is.
        environment: String,
    },
}

impl DotenvError {
    /// The 1-based line the problem is on, when there is one.
    pub fn line(&self) -> Option<usize> {
        match &self.problem {
            DotenvProblem::NotUtf8 { line } | DotenvProblem::NotADotenvFile { line, .. } => {
                Some(*line)
            }
            DotenvProblem::Edit(e) => e.line(),
            DotenvProblem::IsTheManifest { .. } => None,
        }
    }
}
