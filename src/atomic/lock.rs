//! The advisory lock: an exclusive `flock` on the target's directory, polled until a timeout.

use std::fs::{File, TryLockError};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// How long [`super::lock`] callers wait for another envmint process by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// The first and the longest pause between two attempts. Short at first because most holders
/// finish within milliseconds; capped so a waiter notices a released lock quickly without
/// spinning.
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const LONGEST_PAUSE: Duration = Duration::from_millis(25);

/// Opens `dir` and takes an exclusive `flock` on it, polling until `timeout` has passed.
///
/// `std`'s blocking `File::lock` cannot time out, hence `try_lock` in a loop. Errors name
/// `target` (the file the caller wants) for a missing or unreadable directory and `named` (the
/// path the caller gave) when busy.
pub(super) fn acquire(dir: &Path, target: &Path, named: &Path, timeout: Duration) -> Result<File> {
    let file = File::open(dir).map_err(|e| Error::writing(target, "lock", e))?;
    let start = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(source)) => {
                return Err(Error::Io {
                    path: target.to_path_buf(),
                    action: "lock",
                    source,
                });
            }
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(Error::Busy {
                path: named.to_path_buf(),
                waited,
            });
        }
        thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}
