//! The stages of a rotation session and the hooks that plug into them.
//!
//! A [`super::Session`] run walks every planned environment through the stages in this order,
//! all under the stores' locks: [`Stage::Pending`] (planned, nothing written), [`Stage::Set`]
//! and [`Stage::Test`] (for environments with a key given a new value: where a hook changes a
//! credential at its service and checks it works), the commit (one group write of every
//! store), then [`Stage::Finish`] (every environment written) and [`Stage::Retire`] (every
//! written environment whose previous values were removed). An error from a stage before the
//! commit stops the run and nothing is written; after the commit the store is written and the
//! error is the run's failure.

use super::super::manifest::Environment;
use crate::dotenv::Document;
use crate::plan::rotation::Change;
use crate::store::Snapshot;

/// One step of an environment's rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Planned under the lock; nothing written yet.
    Pending,
    /// The new values are to be set where they are checked (a credential's service).
    Set,
    /// The new values are to be proven to work.
    Test,
    /// The store was written: the new values are current.
    Finish,
    /// The store was written and previous values were removed from it.
    Retire,
}

impl Stage {
    /// `pending`, `set`, `test`, `finish` or `retire`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Pending => "pending",
            Stage::Set => "set",
            Stage::Test => "test",
            Stage::Finish => "finish",
            Stage::Retire => "retire",
        }
    }
}

/// What a stage is told about one environment.
pub struct StageEvent<'a> {
    /// The stage.
    pub stage: Stage,
    /// The environment.
    pub env: &'a Environment,
    /// What its rotation changes (may be empty at [`Stage::Pending`]). Holds no value.
    pub changes: &'a [Change],
    /// Its store as read under the lock (the old values).
    pub snapshot: &'a Snapshot,
    /// Its store's document as planned, with the new values (for environments sharing one
    /// store: with the changes of those planned before it too).
    pub document: &'a Document,
}

/// Where a caller plugs into a session: every method has a default that does nothing, so
/// [`NoHooks`] is a session without hooks.
pub trait StageHooks {
    /// A store was read (under the lock in a run, without it in a dry run), before its
    /// environment is planned. An error stops the session before anything is written.
    ///
    /// # Errors
    ///
    /// Whatever the caller refuses (the binary: a sealed store whose recipients changed).
    fn opened(&mut self, env: &Environment, snapshot: &Snapshot) -> crate::Result<()> {
        let _ = (env, snapshot);
        Ok(())
    }

    /// Whether a due credential `key` of `env` is given a new value by `--due` and `--all`,
    /// because a hook changes it at its service ([`Stage::Set`]). By default no: the file
    /// alone cannot change what a service expects, so it is kept and reported.
    fn rotates_credential(&self, env: &Environment, key: &str) -> bool {
        let _ = (env, key);
        false
    }

    /// One stage of one environment.
    ///
    /// # Errors
    ///
    /// Before the commit, an error stops the run with nothing written; after it, the error is
    /// [`super::Report::failure`].
    fn stage(&mut self, event: &StageEvent<'_>) -> crate::Result<()> {
        let _ = event;
        Ok(())
    }

    /// A stage before the commit failed after `env` had reached `reached` ([`Stage::Set`] or
    /// [`Stage::Test`]): its new values were not written, so what a hook set at a service may
    /// be undone here.
    fn abandoned(&mut self, env: &Environment, reached: Stage) {
        let _ = (env, reached);
    }
}

/// A session without hooks.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;

impl StageHooks for NoHooks {}
