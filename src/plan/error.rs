//! The plan area's errors, in words (`Display`): a plan file this envmint cannot read
//! ([`PlanFileError`]), and a store whose records are ahead of the clock ([`ClockBehind`], and
//! [`ClockBehindError`] naming the store's file). The advice, which names the command that
//! makes a plan or the `--at` flag, is the binary's.

use jiff::Timestamp;
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

/// The newest time any record of a document gives. Holds no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewestRecord {
    /// The key the record sits above.
    pub key: String,
    /// The record's own 1-based line (the one above the key).
    pub line: usize,
    /// The field the time comes from: `generated`, `set` or `retired`.
    pub field: &'static str,
    /// The time.
    pub at: Timestamp,
}

/// `now` is more than [`CLOCK_TOLERANCE`](super::clock::CLOCK_TOLERANCE) before the newest
/// record of a store ([`super::clock::check`]). `Display` says it without the store's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockBehind {
    /// The record.
    pub newest: NewestRecord,
    /// The clock of the run (or `--at`).
    pub now: Timestamp,
}

impl std::fmt::Display for ClockBehind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = &self.newest;
        write!(
            f,
            "the clock ({}) is behind the record of {} ({}={}): a run dated before it would \
             rotate values the apps have just started to use",
            crate::time::format_timestamp(self.now),
            n.key,
            n.field,
            crate::time::format_timestamp(n.at),
        )
    }
}

impl std::error::Error for ClockBehind {}

/// A store whose newest record is ahead of the clock, named by its file (exit 65): `rotate`,
/// `plan`, `apply` and `adopt` change nothing in it. `Display` reads `FILE:LINE: ...; nothing
/// was changed`, the line being the record's.
#[derive(Debug)]
pub struct ClockBehindError {
    /// The store's file.
    pub path: PathBuf,
    /// The record, and the clock.
    pub behind: ClockBehind,
}

impl ClockBehindError {
    /// The store `path` refused for `behind`.
    pub fn new(path: impl Into<PathBuf>, behind: ClockBehind) -> Self {
        ClockBehindError {
            path: path.into(),
            behind,
        }
    }
}

impl fmt::Display for ClockBehindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = crate::location::Location::new(&self.path, Some(self.behind.newest.line));
        write!(f, "{location}: {}; nothing was changed", self.behind)
    }
}

impl std::error::Error for ClockBehindError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.behind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, Exit};
    use std::error::Error as _;
    use std::path::Path;

    fn t(text: &str) -> Timestamp {
        crate::time::parse_instant(text).unwrap()
    }

    #[test]
    fn a_store_ahead_of_the_clock_is_named_by_its_file_and_the_record_line() {
        let behind = ClockBehind {
            newest: NewestRecord {
                key: "A_OLD".into(),
                line: 4,
                field: "retired",
                at: t("2030-01-05"),
            },
            now: t("2030-01-04"),
        };
        let e = Error::from(ClockBehindError::new("/home/me/app/.env", behind.clone()))
            .relative_to(Path::new("/home/me/app"));
        assert_eq!(
            e.to_string(),
            ".env:4: the clock (2030-01-04T00:00:00Z) is behind the record of A_OLD \
             (retired=2030-01-05T00:00:00Z): a run dated before it would rotate values the \
             apps have just started to use; nothing was changed"
        );
        assert_eq!(e.exit(), Exit::DataErr);
        // Error -> ClockBehindError -> ClockBehind, which has no cause of its own.
        let area = e.source().expect("the plan area's error");
        let cause = area.source().expect("the record and the clock");
        assert_eq!(cause.downcast_ref::<ClockBehind>(), Some(&behind));
        assert!(cause.source().is_none());
    }
}
