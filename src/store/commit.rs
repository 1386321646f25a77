//! Opening several environments' files under their locks, and saving them as one group commit;
//! [`transact`], the plan/lock/check/re-plan/commit loop built on both.

use super::{EnvFile, OpenOptions, Snapshot, Storage};
use crate::atomic::{self, CommitError, Mode, Written};
use crate::dotenv::Document;
use crate::error::{Error, FileError, FileProblem, Op, Result};
use std::path::Path;

/// Locks the file of every storage in `files` (each folder once, see [`atomic::lock_all`]) and
/// reads each. `waiting` is called once per folder whose lock is still busy after
/// [`atomic::SLOW_LOCK`]. Returns one [`EnvFile`] per storage, in order; a file named twice is
/// read twice (see [`EnvFile::same_file`]).
pub fn open_all(
    files: &[Storage<'_>],
    options: &OpenOptions,
    waiting: &mut dyn FnMut(&Path),
) -> Result<Vec<EnvFile>> {
    let paths: Vec<&Path> = files.iter().map(|s| s.path).collect();
    let locks = atomic::lock_all(&paths, &options.within, options.timeout, waiting)?;
    let mut opened = Vec::with_capacity(locks.len());
    for (lock, storage) in locks.into_iter().zip(files) {
        let raw = lock.read()?;
        let snapshot = Snapshot::read(lock.path(), storage.format.clone(), raw, options)?;
        opened.push(EnvFile { lock, snapshot });
    }
    Ok(opened)
}

/// One file of a [`save_all`].
pub struct Save<'a> {
    /// The file, opened by [`open_all`].
    pub file: &'a EnvFile,
    /// What it should hold.
    pub doc: &'a Document,
    /// The mode rule (the default: 0600, or the old mode if stricter).
    pub mode: Mode,
}

/// Saves several documents as one group commit ([`atomic::commit`]): every file is prepared
/// before any is renamed, so a failure before the renames writes none of them. A document that
/// renders to the plaintext its file had is skipped (for a sealed file too, whose bytes would
/// differ on every encryption). Returns, per save, whether it was written and how its mode
/// changed.
///
/// # Errors
///
/// A [`CommitError`] whose `written` says, per save, what was written anyway (only a failing
/// rename or folder `fsync` leaves anything written).
pub fn save_all(saves: &[Save<'_>]) -> std::result::Result<Vec<Written>, CommitError> {
    let failed = |error: Error| CommitError {
        error,
        written: vec![Written::default(); saves.len()],
    };
    let mut rendered = Vec::with_capacity(saves.len());
    for s in saves {
        let text = s.doc.render();
        let format = &s.file.snapshot.format;
        let same = s.file.snapshot.stored_plaintext() == Some(format.comparable(text.as_bytes()));
        rendered.push((!same).then_some(text));
    }
    let mut encoded = Vec::with_capacity(saves.len());
    for (s, text) in saves.iter().zip(&rendered) {
        if let Some(text) = text {
            let snapshot = &s.file.snapshot;
            let before = snapshot.sealed();
            if before.is_none() {
                // A store created here: not one whose plaintext says it existed (rekey only).
                snapshot.check_recipients().map_err(failed)?;
            }
            let bytes = snapshot
                .format
                .encode(&snapshot.path, text.as_bytes(), before, false);
            encoded.push(bytes.map_err(failed)?);
        }
    }
    let mut which = Vec::new();
    let mut changes = Vec::new();
    let changed = saves.iter().zip(&rendered).enumerate();
    for ((i, (save, _)), contents) in changed.filter(|(_, (_, t))| t.is_some()).zip(&encoded) {
        which.push(i);
        changes.push(atomic::Change {
            file: &save.file.lock,
            contents,
            mode: save.mode,
        });
    }
    commit_some(saves.len(), &which, &changes)
}

/// Encodes each file's plaintext again and writes it, as one group commit, though the plaintext
/// is unchanged: for `envmint rekey`, where a sealed file is encrypted afresh (a new file key)
/// to the recipients its [`Storage`] has now, and pinned to them: the one write that changes a
/// store's pin (the caller shows the change and asks first). A file that did not exist is left
/// alone. Returns, per file, whether it was written.
///
/// # Errors
///
/// As for [`save_all`].
pub fn rewrite_all(files: &[(&EnvFile, Mode)]) -> std::result::Result<Vec<Written>, CommitError> {
    let failed = |error: Error| CommitError {
        error,
        written: vec![Written::default(); files.len()],
    };
    let mut encoded = Vec::with_capacity(files.len());
    for (file, _) in files {
        let snapshot = &file.snapshot;
        // A store that is gone (its plaintext was unsealed from it) is created again from that
        // plaintext: rekey showed the recipients and asked.
        let plain = snapshot
            .stored_plaintext()
            .or_else(|| snapshot.is_gone().then(|| snapshot.plaintext()).flatten());
        if let Some(plain) = plain {
            let bytes = snapshot.format.encode(&snapshot.path, plain, None, true);
            encoded.push(bytes.map_err(failed)?);
        }
    }
    let mut which = Vec::new();
    let mut changes = Vec::new();
    let existing = files
        .iter()
        .enumerate()
        .filter(|(_, (f, _))| f.snapshot.is_stored() || f.snapshot.is_gone());
    for ((i, (file, mode)), contents) in existing.zip(&encoded) {
        which.push(i);
        changes.push(atomic::Change {
            file: &file.lock,
            contents,
            mode: *mode,
        });
    }
    commit_some(files.len(), &which, &changes)
}

/// Commits `changes` as one group, `changes[n]` being file `which[n]` of `total`; reports, per
/// file of the `total`, whether it was written (a file with no change: not written).
fn commit_some(
    total: usize,
    which: &[usize],
    changes: &[atomic::Change<'_>],
) -> std::result::Result<Vec<Written>, CommitError> {
    let spread = |done: Vec<Written>| {
        let mut all = vec![Written::default(); total];
        for (i, w) in which.iter().zip(done) {
            all[*i] = w;
        }
        all
    };
    match atomic::commit(changes) {
        Ok(done) => Ok(spread(done)),
        Err(e) => Err(CommitError {
            error: e.error,
            written: spread(e.written),
        }),
    }
}

/// A document planned for one environment, with the report of what the plan does (for
/// bootstrap, the per-key report).
pub struct Staged<R> {
    /// The document with the changes made.
    pub doc: Document,
    /// What was planned, as the caller reports it.
    pub report: R,
}

/// One environment of a [`transact`], as planned without the lock.
pub struct Pending<'a, R> {
    /// Its file.
    pub storage: Storage<'a>,
    /// The mode rule its file is written with.
    pub mode: Mode,
    /// What the file held when it was planned.
    pub snapshot: Snapshot,
    /// The plan made from `snapshot`.
    pub staged: Staged<R>,
}

/// What a [`transact`] did for one environment.
#[derive(Debug)]
pub struct Outcome<R> {
    /// The report of the plan that was committed (made again if the file had moved).
    pub report: R,
    /// Whether this run created the file (and wrote it).
    pub created: bool,
    /// Whether this environment's changes were written.
    pub written: bool,
    /// `(old, new)` permission bits when the write changed the file's mode.
    pub mode_change: Option<(u32, u32)>,
}

/// What a [`transact`] did: one outcome per environment, in order, and the error of a commit
/// that failed (the outcomes then say what was written anyway: nothing, unless a rename failed).
#[derive(Debug)]
pub struct Transaction<R> {
    /// Per environment, in the order given.
    pub outcomes: Vec<Outcome<R>>,
    /// Why the commit failed, if it did.
    pub failure: Option<Error>,
}

/// Commits environments planned without the lock: locks every file's folder together, keeps
/// each plan whose file still holds the plaintext it was planned from, plans again (`replan`,
/// with the environment's index and what to plan from) each whose file moved, and saves every
/// changed file in one group commit ([`save_all`]).
///
/// Environments that share one file are planned on top of each other, in order (the later one
/// is planned again from the earlier one's document), and the file is saved once, with the last
/// document. `changes` says whether a report has anything to write: a file none of whose
/// environments changes anything is not written.
///
/// # Errors
///
/// A lock or read error, or an error of `replan`, before anything is written. A failed commit
/// is not an error here but [`Transaction::failure`], with the outcomes.
pub fn transact<R>(
    pending: Vec<Pending<'_, R>>,
    options: &OpenOptions,
    waiting: &mut dyn FnMut(&Path),
    changes: impl Fn(&R) -> bool,
    replan: &mut dyn FnMut(usize, &Snapshot) -> Result<Staged<R>>,
) -> Result<Transaction<R>> {
    let storages: Vec<Storage<'_>> = pending.iter().map(|p| p.storage.clone()).collect();
    let mut files = open_all(&storages, options, waiting)?;
    let n = pending.len();
    // Per environment: the document to save (`None` once a later environment sharing the file
    // has planned on top of it), its report, whether it creates the file, and its group: the
    // first environment of the same file.
    let mut docs: Vec<Option<Document>> = Vec::with_capacity(n);
    let mut reports = Vec::with_capacity(n);
    let mut created = Vec::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    let mut modes = Vec::with_capacity(n);
    for (i, p) in pending.into_iter().enumerate() {
        modes.push(p.mode);
        let shared = (0..i).rev().find(|&j| files[j].same_file(&files[i]));
        let staged = match shared.and_then(|j| docs[j].take()) {
            // Plan on top of the changes of the environment before it in the same file.
            Some(before) => {
                let snapshot = Snapshot::of_document(p.storage, &before);
                drop(before);
                replan(i, &snapshot)?
            }
            None => {
                let mut earlier = Some(p.snapshot);
                if files[i].settle(&mut earlier) {
                    p.staged
                } else {
                    drop(p.staged);
                    replan(i, files[i].snapshot())?
                }
            }
        };
        created.push(shared.is_none() && !files[i].snapshot.is_stored());
        group.push(shared.map_or(i, |j| group[j]));
        docs.push(Some(staged.doc));
        reports.push(staged.report);
    }
    let mut saved_by = Vec::new();
    let mut saves = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        // A store created from its plaintext file is written even when nothing else changes.
        let group_changes = (0..n).any(|k| group[k] == group[i] && changes(&reports[k]))
            || files[group[i]].snapshot.is_imported();
        if let (Some(doc), true) = (doc, group_changes) {
            saved_by.push(group[i]);
            saves.push(Save {
                file: &files[i],
                doc,
                mode: modes[i],
            });
        }
    }
    let (done, failure) = match save_all(&saves) {
        Ok(done) => (done, None),
        Err(e) => (e.written, Some(e.error)),
    };
    let outcomes = reports
        .into_iter()
        .enumerate()
        .map(|(i, report)| {
            let saved = saved_by
                .iter()
                .zip(&done)
                .find(|(g, _)| **g == group[i])
                .map(|(_, w)| *w)
                .unwrap_or_default();
            // A store created from its plaintext file was written though no key changed.
            let written = saved.written && (changes(&report) || created[i]);
            Outcome {
                created: created[i] && written,
                written,
                mode_change: saved.mode_change.filter(|_| written),
                report,
            }
        })
        .collect();
    Ok(Transaction { outcomes, failure })
}

/// Locks `storage`'s file (waiting up to `options.timeout` for another process) and reads it.
pub fn open(storage: Storage<'_>, options: &OpenOptions) -> Result<EnvFile> {
    open_waiting(storage, options, &mut |_| {})
}

/// [`open`], calling `waiting` with the path before it waits for another process's lock, as
/// [`open_all`] does.
pub fn open_waiting(
    storage: Storage<'_>,
    options: &OpenOptions,
    waiting: &mut dyn FnMut(&Path),
) -> Result<EnvFile> {
    let path = storage.path;
    let mut files = open_all(&[storage], options, waiting)?;
    files
        .pop()
        .ok_or_else(|| FileError::new(path, Op::Lock, FileProblem::NothingRequested).into())
}

impl EnvFile {
    /// Writes `doc` through the atomic writer if its plaintext differs from what was read.
    /// Returns whether the file was written.
    pub fn save(&self, doc: &Document) -> Result<bool> {
        let save = Save {
            file: self,
            doc,
            mode: Mode::Private,
        };
        match save_all(std::slice::from_ref(&save)) {
            Ok(w) => Ok(w.first().is_some_and(|w| w.written)),
            Err(e) => Err(e.error),
        }
    }
}
