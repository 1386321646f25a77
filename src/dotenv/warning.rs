//! Problems found while reading a document.

use std::fmt;

/// Something a reader should know about a document: a line kept but not read, a key defined
/// twice. The message names lines and keys, never a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The 1-based line the warning is about (the first line of a multi-line item).
    pub line: usize,
    /// What is wrong, without the line's text.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}
