//! What the binary plugs into a rotation session (`rotate`, `plan`): the recipient check of
//! every store written, and the probe that finds hook work in the session's own read.

use std::path::Path;

use crate::error::Error;
use envmint::manifest::Environment;
use envmint::rotation::StageHooks;
use envmint::store;

use super::staged;
use crate::identities::check_recipients;

/// What the binary plugs into a rotation session: before a store is planned, its recipients
/// are checked (and an unpinned one noted), as for every command that writes a store. With a
/// [`staged::Probe`], each store is also looked at for hook work from the session's own read;
/// with `stop_for_stages`, a run that found some stops before its commit (nothing written), so
/// the stages go first and the session runs again after them.
pub struct Hooks<'a> {
    pub cwd: &'a Path,
    pub probe: Option<staged::Probe<'a>>,
    pub stop_for_stages: bool,
}

impl<'a> Hooks<'a> {
    /// Recipients checked only.
    pub fn plain(cwd: &'a Path) -> Self {
        Hooks {
            cwd,
            probe: None,
            stop_for_stages: false,
        }
    }

    /// Whether the session was stopped for the stages.
    fn stopped(&self) -> bool {
        self.stop_for_stages && self.probe.as_ref().is_some_and(staged::Probe::found_work)
    }
}

impl StageHooks for Hooks<'_> {
    fn opened(&mut self, env: &Environment, snapshot: &store::Snapshot) -> envmint::Result<()> {
        check_recipients(env, snapshot, self.cwd)?;
        match &mut self.probe {
            Some(probe) => Ok(probe.look(env, snapshot)?),
            None => Ok(()),
        }
    }

    fn stage(&mut self, event: &envmint::rotation::StageEvent<'_>) -> envmint::Result<()> {
        if event.stage == envmint::rotation::Stage::Pending && self.stopped() {
            // Never shown: the caller sees `stopped()` and runs the stages first.
            return Err(Error::usage("stopped for the hooks' stages").into());
        }
        Ok(())
    }
}
