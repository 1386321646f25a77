//! The advisory lock: an exclusive `flock` on a target's folder, polled until a timeout.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::Result;
use crate::error::{FileError, FileProblem, Op};

/// How long [`super::lock`] callers wait for another process by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a wait lasts before the caller's notifier is told about it (cargo's "Blocking
/// waiting for file lock" threshold is similar): shorter waits are the normal case of two runs
/// meeting and not worth a line.
pub const SLOW_LOCK: Duration = Duration::from_secs(1);

/// The first and the longest pause between two attempts. Short at first because most holders
/// finish within milliseconds; capped so a waiter notices a released lock quickly without
/// spinning.
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const LONGEST_PAUSE: Duration = Duration::from_millis(25);

/// Takes an exclusive `flock` on the open folder `dir`, polling until `timeout` has passed;
/// `waiting` is called once, with `dir_path`, if the lock is still busy after [`SLOW_LOCK`].
///
/// `std`'s blocking `File::lock` cannot time out, hence `try_lock` in a loop.
pub(super) fn acquire(
    dir: &File,
    dir_path: &Path,
    timeout: Duration,
    waiting: &mut dyn FnMut(&Path),
) -> Result<()> {
    let start = Instant::now();
    let mut pause = FIRST_PAUSE;
    let mut told = false;
    loop {
        match dir.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(source)) => {
                return Err(FileError::os(dir_path, Op::Lock, source).into());
            }
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(FileError::new(dir_path, Op::Lock, FileProblem::Busy { waited }).into());
        }
        if !told && waited >= SLOW_LOCK {
            told = true;
            waiting(dir_path);
        }
        thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}
