//! Why an edit to a document was refused ([`EditError`]), and a dotenv file envmint will not
//! read or edit ([`DotenvError`]), with their words (`Display`); the advice is the binary's.

use super::UnsafeChar;
use crate::location::Location;
use std::fmt;
use std::path::PathBuf;

/// An edit of a [`Document`](super::Document) (`set`, `replace_value`, `append`, `insert_after`,
/// `remove`, `set_record`) refused. The document is unchanged. `Display` names keys, never a
/// value; the line is for the `FILE:LINE:` before it ([`EditError::line`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
/// `Display` reads `FILE:LINE: what`.
#[derive(Debug)]
pub struct DotenvError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: DotenvProblem,
}

/// What is wrong with a dotenv file; `Display` says it without the file and line.
#[derive(Debug)]
#[non_exhaustive]
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
    /// A value whose `${...}` references would make it longer than one value may be, or take
    /// the file's expanded values together past their limit (`run` and `export` expand them;
    /// see [`crate::dotenv::interpolate::Expanded::refusal`]). Names the key, never a value.
    ExpandsTooFar {
        /// The key whose expansion passes the limit.
        key: String,
        /// The 1-based line of its definition, when known.
        line: Option<usize>,
        /// Which limit: one value's, or all values' together.
        total: bool,
        /// The limit, in bytes.
        max: usize,
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
            DotenvProblem::ExpandsTooFar { line, .. } => *line,
            DotenvProblem::IsTheManifest { .. } => None,
        }
    }
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
            EditError::KeyOnUnparsableLine { key, .. } => write!(
                f,
                "`{key}` is on a line envmint cannot read; fix or remove that line first"
            ),
            EditError::UnterminatedQuote { .. } => f.write_str(
                "a quote opened on this line is never closed; envmint will not write after it, \
                 since a later quote would swallow the new line",
            ),
            EditError::KeyMissing { key } => write!(f, "`{key}` is not defined"),
            EditError::InvalidRecord { key } => write!(
                f,
                "the `# envmint:` record for `{key}` holds a line break or control character; \
                 a record is one comment line"
            ),
            // The line is the `FILE:LINE:` before it.
            EditError::KeyExists { key, .. } => write!(f, "`{key}` already exists"),
        }
    }
}

impl std::error::Error for EditError {}

/// Whether a refused key can be shown: one with `=`, whitespace or control characters may be a
/// whole `KEY=secret` pasted where a name was expected.
fn showable(key: &str) -> bool {
    key.len() <= 64
        && !key
            .chars()
            .any(|c| c == '=' || c.is_whitespace() || c.is_control())
}

impl fmt::Display for DotenvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DotenvProblem::NotUtf8 { .. } => f.write_str("the file is not valid UTF-8"),
            DotenvProblem::NotADotenvFile { .. } => f.write_str(
                "not a dotenv file: no line reads KEY=value, so envmint will not write to it",
            ),
            DotenvProblem::Edit(err) => fmt::Display::fmt(err, f),
            DotenvProblem::IsTheManifest { environment } => write!(
                f,
                "the file of [environments.{environment}] is the manifest itself, under another \
                 name"
            ),
            DotenvProblem::ExpandsTooFar {
                key,
                total: false,
                max,
                ..
            } => write!(
                f,
                "`{key}` would be longer than {} MiB once its ${{...}} references are expanded",
                max >> 20
            ),
            DotenvProblem::ExpandsTooFar {
                key,
                total: true,
                max,
                ..
            } => write!(
                f,
                "`{key}` would take the file's values past {} MiB in all once their ${{...}} \
                 references are expanded",
                max >> 20
            ),
        }
    }
}

impl fmt::Display for DotenvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = Location::new(&self.path, self.line());
        write!(f, "{location}: {}", self.problem)
    }
}

impl std::error::Error for DotenvError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            DotenvProblem::Edit(e) => Some(e),
            _ => None,
        }
    }
}
