//! The saved plan's error: a plan file this envmint cannot read, in words (`Display`). The
//! advice, which names the command that makes a plan, is the binary's.

use std::fmt;
use std::path::PathBuf;

/// A plan file that this envmint cannot read (exit 65). Nothing is written.
#[derive(Debug)]
#[non_exhaustive]
pub enum PlanFileError {
    /// Not a plan, or a plan whose content does not parse.
    Malformed {
        /// The plan file.
        path: PathBuf,
        /// What is wrong (the JSON parser's words, or which part is missing); never a value.
        what: String,
    },
    /// A plan of another format version.
    Version {
        /// The plan file.
        path: PathBuf,
        /// The version it declares, as written.
        found: String,
        /// The version this envmint reads.
        reads: u32,
    },
}

impl PlanFileError {
    /// The plan file.
    pub fn path_mut(&mut self) -> &mut PathBuf {
        match self {
            PlanFileError::Malformed { path, .. } | PlanFileError::Version { path, .. } => path,
        }
    }
}

impl fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanFileError::Malformed { path, what } => {
                write!(f, "{}: not a valid envmint plan: {what}", path.display())
            }
            PlanFileError::Version { path, found, reads } => write!(
                f,
                "{}: plan format {found}, this envmint reads format {reads}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for PlanFileError {}
