//! Replaying a saved plan (`envmint apply`): for each environment, whether its store is
//! applied now, already applied, or stale.
//!
//! The plan holds the SHA-256 of each store's plaintext before and after. Under the locks, each
//! store's plaintext is hashed: equal to "after", the environment is already applied; equal to
//! "before", the plan's edits are replayed on the document and the result must hash to "after"
//! (edits are deterministic, so it does unless the plan file was altered); anything else is
//! stale. Environments sharing one file (decided by the locks, on the resolved file, as the
//! session that made the plan decided it) are replayed one on top of the other. Records are
//! dated when the plan was made; once every environment of a file is replayed, they are
//! re-dated to the time of the apply.

use crate::dotenv::{Document, EditError};
use crate::hooks::stage::plan_digest;
use crate::manifest::{Environment, Manifest};
use crate::plan::clock::{self, ClockBehind};
use crate::plan::edit::{apply_edits, check_edits, digest};
use crate::plan::file::EnvSecrets;
use crate::plan::{redate, status};
use crate::store::EnvFile;
use jiff::Timestamp;

/// What a replay does to one environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// The plan's edits are written.
    Applied,
    /// The store was already in the plan's "after" state.
    AlreadyApplied,
    /// The plan changes nothing in this environment.
    Nothing,
}

impl Done {
    /// `applied`, `already-applied` or `nothing-to-do`.
    pub fn as_str(self) -> &'static str {
        match self {
            Done::Applied => "applied",
            Done::AlreadyApplied => "already-applied",
            Done::Nothing => "nothing-to-do",
        }
    }
}

/// Why a plan is not replayed (nothing is written). `environment` indexes the environments
/// given.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReplayError {
    /// The plan is older than the shortest overlap of what it rotates there.
    TooOld {
        /// The environment.
        environment: usize,
    },
    /// The clock is behind the store's newest record.
    ClockBehind {
        /// The environment.
        environment: usize,
        /// The record.
        behind: ClockBehind,
    },
    /// An edit a rotation of the environment would not make.
    Refused {
        /// The environment.
        environment: usize,
        /// What the edit does.
        why: String,
    },
    /// The document refuses an edit.
    Edit {
        /// The environment.
        environment: usize,
        /// Why.
        error: EditError,
    },
    /// The edits replayed do not give the plan's "after" (the plan file was altered).
    Altered {
        /// The environment.
        environment: usize,
    },
    /// The store is neither in the plan's "before" nor its "after" state.
    Stale {
        /// The environment.
        environment: usize,
    },
    /// A store's plaintext cannot be read as a document (not UTF-8).
    Store(crate::Error),
}

impl std::fmt::Display for ReplayError {
    /// What is wrong, nothing changed; the environment is the caller's to name (an index here).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::TooOld { .. } => f.write_str(
                "the plan is older than the shortest overlap of the secrets it rotates: the \
                 values it retires would not be kept as long as the manifest says",
            ),
            ReplayError::ClockBehind { behind, .. } => std::fmt::Display::fmt(behind, f),
            ReplayError::Refused { why, .. } => write!(f, "the plan is refused: {why}"),
            ReplayError::Edit { error, .. } => std::fmt::Display::fmt(error, f),
            ReplayError::Altered { .. } => f.write_str(
                "replaying the plan does not give the result it records (the plan file was \
                 altered?)",
            ),
            ReplayError::Stale { .. } => {
                f.write_str("the store changed since the plan was made: the plan is stale")
            }
            ReplayError::Store(e) => std::fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for ReplayError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReplayError::ClockBehind { behind, .. } => Some(behind),
            ReplayError::Edit { error, .. } => Some(error),
            ReplayError::Store(e) => Some(e),
            _ => None,
        }
    }
}

/// A replay decided: per environment what it does, and per environment the document to save
/// (`None` when a later environment of the same file carries it on).
pub struct Replayed {
    /// Per environment.
    pub done: Vec<Done>,
    /// Per environment.
    pub docs: Vec<Option<Document>>,
}

/// Decides the replay of `secrets` (one per environment of `envs`) on `files` (opened under
/// their locks, one per environment) planned at `planned` and applied at `applied`.
/// `staged[i]`: the plan's digests of environment `i` leave out what the stages change
/// ([`plan_digest`]); else they are of the whole plaintext (a plan made before plans named
/// hooked credentials).
///
/// # Errors
///
/// See [`ReplayError`].
pub fn replay(
    manifest: &Manifest,
    envs: &[&Environment],
    files: &[EnvFile],
    secrets: &[EnvSecrets],
    staged: &[bool],
    planned: Timestamp,
    applied: Timestamp,
) -> Result<Replayed, ReplayError> {
    let state = |i: usize, doc: &Document| {
        if staged.get(i).copied().unwrap_or(false) {
            plan_digest(manifest, envs[i], doc)
        } else {
            digest(Some(doc.render().as_bytes()))
        }
    };
    let mut docs: Vec<Option<Document>> = Vec::with_capacity(files.len());
    // Per document: the re-dated records to put in place once every environment of its file
    // has been replayed (the digests are on the records as planned).
    let mut pending: Vec<Vec<(String, String)>> = Vec::with_capacity(files.len());
    let mut done = Vec::with_capacity(files.len());
    for (i, (env, s)) in envs.iter().zip(secrets).enumerate() {
        // An environment sharing its file with an earlier one continues from that one's result.
        let shared = (0..i).rev().find(|&j| files[j].same_file(&files[i]));
        let (mut doc, existed, mut redated) = match shared.and_then(|j| docs[j].take()) {
            Some(doc) => (doc, true, std::mem::take(&mut pending[shared.unwrap_or(0)])),
            None => (
                files[i].snapshot().document()?,
                files[i].exists(),
                Vec::new(),
            ),
        };
        let current = if existed {
            state(i, &doc)
        } else {
            digest(None)
        };
        let later_after = |digest: &str| {
            (i + 1..files.len())
                .any(|j| files[j].same_file(&files[i]) && secrets[j].after == digest)
        };
        if s.edits.is_empty() && current == s.after {
            done.push(Done::Nothing);
        } else if current == s.after
            // A later environment of the same file applied too: the file is in its state.
            || later_after(&current)
        {
            done.push(Done::AlreadyApplied);
        } else if current == s.before {
            let shortest = redate::shortest_overlap(manifest, env, &s.edits);
            if redate::too_old(planned, applied, shortest) {
                return Err(ReplayError::TooOld { environment: i });
            }
            clock::check(&doc, applied).map_err(|behind| ReplayError::ClockBehind {
                environment: i,
                behind,
            })?;
            let left = status::left_behind_names(manifest, env, &doc, applied);
            check_edits(&s.edits, &status::rotatable_names(manifest, env), &left).map_err(
                |why| ReplayError::Refused {
                    environment: i,
                    why,
                },
            )?;
            apply_edits(&mut doc, &s.edits).map_err(|error| ReplayError::Edit {
                environment: i,
                error,
            })?;
            if state(i, &doc) != s.after {
                return Err(ReplayError::Altered { environment: i });
            }
            redated.extend(
                redate::records(&s.edits)
                    .into_iter()
                    .map(|(k, r)| (k.to_string(), redate::redate(r, planned, applied))),
            );
            done.push(Done::Applied);
        } else if existed && {
            // Applied before, at a later time than the plan: its records were re-dated. Put
            // the planned ones back (those of every environment of this file) and compare.
            let mut undated = Document::parse(&doc.render());
            for j in (0..files.len()).filter(|&j| files[j].same_file(&files[i])) {
                for (key, record) in redate::records(&secrets[j].edits) {
                    if undated.get(key).is_some() {
                        let _ = undated.set_record(key, record);
                    }
                }
            }
            let undated = state(i, &undated);
            undated == s.after || later_after(&undated)
        } {
            done.push(Done::AlreadyApplied);
        } else {
            return Err(ReplayError::Stale { environment: i });
        }
        docs.push(Some(doc));
        pending.push(redated);
    }
    for (i, (doc, records)) in docs.iter_mut().zip(&pending).enumerate() {
        if let Some(doc) = doc {
            for (key, record) in records {
                doc.set_record(key, record)
                    .map_err(|error| ReplayError::Edit {
                        environment: i,
                        error,
                    })?;
            }
        }
    }
    Ok(Replayed { done, docs })
}

impl From<crate::Error> for ReplayError {
    fn from(e: crate::Error) -> Self {
        ReplayError::Store(e)
    }
}
