//! One rotation of several environments: read each store once, plan, run the stages, commit.
//!
//! Why the stores are locked *before* they are planned: a plan made without the lock had to be
//! checked and made again under it (a sealed store decrypted twice), and a hook that set a
//! credential at its service from the first plan would disagree with the value the second plan
//! writes. Under the lock the plan is made once, from the one read, and is the one written.

use super::stage::{Stage, StageEvent, StageHooks};
use crate::dotenv::{Document, Warning};
use crate::error::{Error, FileError, FileProblem, Op, Result};
use crate::manifest::{Environment, Manifest, Role};
use crate::plan::clock::ClockBehind;
use crate::plan::edit::{Edit, apply_edits};
use crate::plan::rotation::{self, Action, Change, Options, RotationError};
use crate::plan::status::KeyStatus;
use crate::store::{self, EnvFile, OpenOptions, Snapshot, Storage};
use rand::CryptoRng;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A rotation of the environments of one manifest, as `rotate` and `plan` make it.
pub struct Session<'m> {
    manifest: &'m Manifest,
    envs: Vec<&'m Environment>,
    options: Options,
    saving_plan: bool,
}

/// Where an environment stands after a session.
#[derive(Debug)]
pub enum Standing {
    /// Its store does not exist: nothing to rotate (bootstrap makes it).
    NoStore,
    /// Its store's newest record is ahead of the clock: refused, nothing written to it (the
    /// other environments go on).
    Refused(ClockBehind),
    /// Planned (and, in a run, committed if it changed anything).
    Planned,
}

/// What a session did to one environment.
pub struct EnvReport<'m> {
    /// The environment.
    pub env: &'m Environment,
    /// Whether it was planned.
    pub standing: Standing,
    /// What changes, key by key. Holds no value.
    pub changes: Vec<Change>,
    /// Whether its rotation changes the document.
    pub edited: bool,
    /// Whether the store was written with this environment's changes.
    pub written: bool,
    /// The status rows with something odd about them, their lines those of the store as read.
    pub problems: Vec<KeyStatus>,
    /// The warnings of the document it was planned on.
    pub warnings: Vec<Warning>,
    /// With [`Session::saving_plan`]: the edits (with their new values) and the digests of
    /// the plaintext before and after them, for a plan file.
    pub saved: Option<Saved>,
}

/// An environment's part of a plan file.
pub struct Saved {
    /// The edits, in order.
    pub edits: Vec<Edit>,
    /// [`plan_digest`](crate::hooks::stage::plan_digest) of the plaintext planned from.
    pub before: String,
    /// [`plan_digest`](crate::hooks::stage::plan_digest) of the plaintext once the edits are
    /// made.
    pub after: String,
}

impl EnvReport<'_> {
    /// Whether its store exists.
    pub fn exists(&self) -> bool {
        !matches!(self.standing, Standing::NoStore)
    }

    /// Whether its store was refused (records ahead of the clock).
    pub fn refused(&self) -> Option<&ClockBehind> {
        match &self.standing {
            Standing::Refused(behind) => Some(behind),
            _ => None,
        }
    }
}

/// What a session did.
pub struct Report<'m> {
    /// Per environment, in the order given.
    pub envs: Vec<EnvReport<'m>>,
    /// Why the commit (or a stage after it) failed, if it did: the reports then say what was
    /// written anyway.
    pub failure: Option<Error>,
}

/// Why a session stopped before anything was written.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// The rotation of `envs[environment]` cannot be built.
    Rotation {
        /// The index of the environment.
        environment: usize,
        /// Why.
        error: RotationError,
    },
    /// Reading or locking a store, or a hook.
    Other(Error),
}

impl From<Error> for SessionError {
    fn from(e: Error) -> Self {
        SessionError::Other(e)
    }
}

impl std::fmt::Display for SessionError {
    /// The error it wraps: a rotation's names its key and environment, a store's its file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Rotation { error, .. } => std::fmt::Display::fmt(error, f),
            SessionError::Other(e) => std::fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Rotation { error, .. } => Some(error),
            SessionError::Other(e) => Some(e),
        }
    }
}

/// A store as a session holds it: read without the lock (dry run) or under it.
enum Held {
    Peeked(Snapshot),
    Locked(EnvFile),
}

impl Held {
    fn snapshot(&self) -> &Snapshot {
        match self {
            Held::Peeked(s) => s,
            Held::Locked(f) => f.snapshot(),
        }
    }
}

/// Per store: the environments' first index ("leader"), what was read, and the document as
/// planned so far.
struct Group {
    held: Held,
    doc: Option<Document>,
    /// The keys each environment of this store planned so far gave new values.
    rotated: HashSet<String>,
}

impl<'m> Session<'m> {
    /// A session rotating `envs` of `manifest` (each once, in order) with `options` (its
    /// `rotated_earlier` is the session's to fill).
    pub fn new(manifest: &'m Manifest, envs: Vec<&'m Environment>, options: Options) -> Self {
        Session {
            manifest,
            envs,
            options,
            saving_plan: false,
        }
    }

    /// Keeps each environment's edits and digests ([`EnvReport::saved`]) for a plan file.
    pub fn saving_plan(mut self) -> Self {
        self.saving_plan = true;
        self
    }

    /// Plans without locking or writing: each store read once (`rotate --dry-run`, `plan`).
    ///
    /// # Errors
    ///
    /// See [`SessionError`].
    pub fn dry_run<R: CryptoRng + ?Sized>(
        &self,
        open: &OpenOptions,
        hooks: &mut dyn StageHooks,
        rng: &mut R,
    ) -> std::result::Result<Report<'m>, SessionError> {
        let storages = self.storages(open.within.euid())?;
        let ids = store_ids(&storages, &open.within)?;
        let mut held: Vec<Option<Held>> = Vec::with_capacity(storages.len());
        for (i, storage) in storages.iter().enumerate() {
            held.push(if leader(&ids, i) == i {
                Some(Held::Peeked(store::peek(storage.clone(), open)?))
            } else {
                None
            });
        }
        let (envs, _) = self.plan_all(&ids, held, hooks, rng)?;
        Ok(Report {
            envs,
            failure: None,
        })
    }

    /// Rotates: locks every existing store (each resolved file once), reads it once, plans
    /// every environment, runs the stages, and writes every changed store in one group commit.
    /// `waiting` is called for each folder whose lock is slow to come.
    ///
    /// # Errors
    ///
    /// See [`SessionError`]: nothing is written. A failed commit is [`Report::failure`].
    pub fn run<R: CryptoRng + ?Sized>(
        &self,
        open: &OpenOptions,
        waiting: &mut dyn FnMut(&Path),
        hooks: &mut dyn StageHooks,
        rng: &mut R,
    ) -> std::result::Result<Report<'m>, SessionError> {
        let storages = self.storages(open.within.euid())?;
        let ids = store_ids(&storages, &open.within)?;
        // A store that does not exist is not locked (its folder may not exist either): it is
        // reported as such, as a dry run would.
        let leaders: Vec<usize> = (0..storages.len())
            .filter(|&i| leader(&ids, i) == i && ids[i].is_some())
            .collect();
        let to_open: Vec<Storage<'_>> = leaders.iter().map(|&i| storages[i].clone()).collect();
        let files = store::open_all(&to_open, open, waiting)?;
        // Decided once above by the resolved file; a symlink re-pointed in between could make
        // two of them one file now, which two writes would clobber.
        for (a, fa) in files.iter().enumerate() {
            if files[a + 1..].iter().any(|fb| fa.same_file(fb)) {
                return Err(Error::from(FileError::new(
                    storages[leaders[a]].path,
                    Op::Lock,
                    FileProblem::SymlinkKeepsChanging,
                ))
                .into());
            }
        }
        let mut held: Vec<Option<Held>> = (0..storages.len()).map(|_| None).collect();
        for (i, file) in leaders.iter().zip(files) {
            held[*i] = Some(Held::Locked(file));
        }
        let (mut envs, mut groups) = self.plan_all(&ids, held, hooks, rng)?;

        // The stages before the commit: any error stops the run, nothing written.
        let mut reached: Vec<Option<Stage>> = vec![None; envs.len()];
        let before = [Stage::Pending, Stage::Set, Stage::Test];
        for stage in before {
            for (i, r) in envs.iter().enumerate() {
                if !matches!(r.standing, Standing::Planned) {
                    continue;
                }
                if stage != Stage::Pending && !rotates(&r.changes) {
                    continue;
                }
                let Some(event) = event_for(stage, r, groups[leader(&ids, i)].as_ref()) else {
                    continue;
                };
                if let Err(e) = hooks.stage(&event) {
                    for (j, at) in reached.iter().enumerate() {
                        if let Some(at @ (Stage::Set | Stage::Test)) = at {
                            hooks.abandoned(envs[j].env, *at);
                        }
                    }
                    return Err(e.into());
                }
                reached[i] = Some(stage);
            }
        }

        // The commit: each store with a change written once, with its last document.
        let mut saved_by = Vec::new();
        let mut saves = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            let Some(group) = group else { continue };
            let Held::Locked(file) = &group.held else {
                continue;
            };
            let members: Vec<usize> = (0..envs.len()).filter(|&i| leader(&ids, i) == g).collect();
            let changed = members.iter().any(|&i| envs[i].edited) || file.snapshot().is_imported();
            let (Some(doc), true) = (&group.doc, changed) else {
                continue;
            };
            let last = members.last().map_or(g, |&i| i);
            saved_by.push(g);
            saves.push(store::Save {
                file,
                doc,
                mode: declared_mode(envs[last].env),
            });
        }
        let (done, mut failure) = match store::save_all(&saves) {
            Ok(done) => (done, None),
            Err(e) => (e.written, Some(e.error)),
        };
        for (i, r) in envs.iter_mut().enumerate() {
            let g = leader(&ids, i);
            let saved = saved_by
                .iter()
                .zip(&done)
                .find(|(s, _)| **s == g)
                .is_some_and(|(_, w)| w.written);
            r.written = saved && r.edited;
        }

        // The stages after the commit: the store is written whatever they say.
        for stage in [Stage::Finish, Stage::Retire] {
            for (i, r) in envs.iter().enumerate() {
                let removes = r
                    .changes
                    .iter()
                    .any(|c| matches!(c.action, Action::ExpiredRemoved | Action::Dropped));
                if !r.written || (stage == Stage::Retire && !removes) {
                    continue;
                }
                let Some(event) = event_for(stage, r, groups[leader(&ids, i)].as_ref()) else {
                    continue;
                };
                if let Err(e) = hooks.stage(&event)
                    && failure.is_none()
                {
                    failure = Some(e);
                }
            }
        }
        // Held to here: the locks are released when the groups go.
        groups.clear();
        Ok(Report {
            envs: std::mem::take(&mut envs),
            failure,
        })
    }

    /// Each environment's storage, its recipients file read as effective user `euid`.
    fn storages(&self, euid: u32) -> Result<Vec<Storage<'m>>> {
        self.envs.iter().map(|env| Storage::of(env, euid)).collect()
    }

    /// Plans every environment from `held` (one per store, at its leader's index), one on top
    /// of the other where they share a store.
    #[allow(clippy::type_complexity)]
    fn plan_all<R: CryptoRng + ?Sized>(
        &self,
        ids: &[Option<PathBuf>],
        held: Vec<Option<Held>>,
        hooks: &mut dyn StageHooks,
        rng: &mut R,
    ) -> std::result::Result<(Vec<EnvReport<'m>>, Vec<Option<Group>>), SessionError> {
        let mut groups: Vec<Option<Group>> = held
            .into_iter()
            .map(|h| {
                h.map(|held| Group {
                    held,
                    doc: None,
                    rotated: HashSet::new(),
                })
            })
            .collect();
        let mut reports = Vec::with_capacity(self.envs.len());
        for (i, env) in self.envs.iter().copied().enumerate() {
            let g = leader(ids, i);
            let report = |standing| EnvReport {
                env,
                standing,
                changes: Vec::new(),
                edited: false,
                written: false,
                problems: Vec::new(),
                warnings: Vec::new(),
                saved: None,
            };
            let Some(group) = groups[g].as_mut().filter(|g| g.held.snapshot().exists()) else {
                reports.push(report(Standing::NoStore));
                continue;
            };
            hooks.opened(env, group.held.snapshot())?;
            let doc = match &mut group.doc {
                Some(doc) => doc,
                slot => slot.insert(group.held.snapshot().document()?),
            };
            let mut options = self.options.clone();
            options
                .rotated_earlier
                .extend(group.rotated.iter().cloned());
            options.set_at_service = self
                .manifest
                .secrets_for(&env.name)
                .filter(|d| d.role == Role::Credential && hooks.rotates_credential(env, &d.key))
                .map(|d| d.key.clone())
                .collect();
            let built = match rotation::build(self.manifest, env, doc, &options, rng) {
                Ok(built) => built,
                Err(RotationError::ClockBehind(behind)) => {
                    reports.push(report(Standing::Refused(behind)));
                    continue;
                }
                Err(error) => {
                    return Err(SessionError::Rotation {
                        environment: i,
                        error,
                    });
                }
            };
            let before = self
                .saving_plan
                .then(|| crate::hooks::stage::plan_digest(self.manifest, env, doc));
            apply_edits(doc, &built.edits).map_err(|e| SessionError::Rotation {
                environment: i,
                error: RotationError::Edit(e),
            })?;
            let mut problems = built.problems;
            if g != i {
                // Planned on top of another environment's changes: lines it inserted would
                // shift the numbers, so they are those of the store as read.
                let disk = group.held.snapshot().document()?;
                for row in &mut problems {
                    row.line = disk
                        .line_of_key(&row.key)
                        .or_else(|| disk.broken_line(&row.key));
                }
            }
            group.rotated.extend(
                built
                    .changes
                    .iter()
                    .filter(|c| c.action == Action::Rotated)
                    .map(|c| c.key.clone()),
            );
            let edited = !built.edits.is_empty();
            let saved = before.map(|before| Saved {
                after: crate::hooks::stage::plan_digest(self.manifest, env, doc),
                before,
                edits: built.edits,
            });
            reports.push(EnvReport {
                env,
                standing: Standing::Planned,
                edited,
                changes: built.changes,
                written: false,
                problems,
                warnings: doc.warnings().to_vec(),
                saved,
            });
        }
        Ok((reports, groups))
    }
}

/// Per environment, the file its store resolves to (symlinks followed, folders made
/// canonical): decided once, so two environments whose paths differ but name one file (a
/// symlinked store) are planned and written as one store. `None`: no store exists there.
fn store_ids(
    storages: &[Storage<'_>],
    within: &crate::atomic::Within,
) -> Result<Vec<Option<PathBuf>>> {
    storages
        .iter()
        .map(|s| {
            if !exists(s.path) && !imported(s) {
                return Ok(None);
            }
            crate::atomic::real_target(s.path, within.euid(), within.cwd()).map(Some)
        })
        .collect()
}

/// Whether something is at `path` (a dangling link is nothing; a file that cannot be looked
/// at is taken to exist, so reading it reports why).
fn exists(path: &Path) -> bool {
    match std::fs::metadata(path) {
        Ok(_) => true,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
        ),
    }
}

/// Whether a sealed store that does not exist yet has its plaintext file to start from.
fn imported(storage: &Storage<'_>) -> bool {
    match &storage.format {
        store::Format::Sealed(sealing) => sealing.import.as_deref().is_some_and(exists),
        _ => false,
    }
}

/// The first environment sharing environment `i`'s store (`i` itself when none before it).
fn leader(ids: &[Option<PathBuf>], i: usize) -> usize {
    match &ids[i] {
        Some(id) => ids[..i]
            .iter()
            .position(|o| o.as_ref() == Some(id))
            .unwrap_or(i),
        None => i,
    }
}

/// The event of `stage` for environment `report`, whose store's group is `group`: `None` when
/// the store was not read or not planned (nothing for a hook to see).
fn event_for<'a, 'm>(
    stage: Stage,
    report: &'a EnvReport<'m>,
    group: Option<&'a Group>,
) -> Option<StageEvent<'a>> {
    let group = group?;
    Some(StageEvent {
        stage,
        env: report.env,
        changes: &report.changes,
        snapshot: group.held.snapshot(),
        document: group.doc.as_ref()?,
    })
}

/// Whether a rotation gives a key a new value (the stages `set` and `test` are for those).
fn rotates(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.action == Action::Rotated)
}

/// The mode rule a store of `env` is written with: the declared `mode`, else 0600.
pub fn declared_mode(env: &Environment) -> crate::atomic::Mode {
    env.mode
        .map_or(crate::atomic::Mode::Private, crate::atomic::Mode::Declared)
}
