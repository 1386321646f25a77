//! The audit area's error: a git command that `audit --staged` runs failed. Its words are the
//! `Display`; the advice is the binary's.

use std::fmt;

/// A git command the staged check needs that could not run or failed (exit 2: the check was
/// asked for where it cannot work).
#[derive(Debug)]
#[non_exhaustive]
pub enum AuditError {
    /// `git diff --cached`, `git cat-file`, ... failed.
    Git {
        /// The command, as `git cat-file`.
        command: &'static str,
        /// What happened: the OS error or git's exit status, in words.
        detail: String,
    },
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::Git { command, detail } => write!(f, "{command} failed: {detail}"),
        }
    }
}

impl std::error::Error for AuditError {}
