//! The advisory lock: an exclusive `flock` on a target's folder, polled until a timeout.
//!
//! The wait runs on a [`Clock`] passed in with the timeout ([`LockWait`]): the binary passes
//! [`SystemClock`], tests a fake one whose `sleep` only moves its `now`, so every timing decision
//! (give up, tell the notifier, how long to pause) is tested without waiting in real time.

use std::fmt;
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

/// What a lock wait reads the time from and sleeps on.
pub trait Clock: Sync {
    /// The current instant (monotonic).
    fn now(&self) -> Instant;
    /// Pauses for `pause` (a fake clock just moves its `now` on).
    fn sleep(&self, pause: Duration);
}

/// The real clock: [`Instant::now`] and [`thread::sleep`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, pause: Duration) {
        thread::sleep(pause);
    }
}

/// How long to wait for another process's lock, and the clock that measures the wait.
///
/// A `Duration` converts into one on the [`SystemClock`], so `lock(path, timeout)` reads as
/// before; the binary builds it explicitly from `ENVMINT_LOCK_TIMEOUT`.
#[derive(Clone, Copy)]
pub struct LockWait {
    timeout: Duration,
    clock: &'static dyn Clock,
}

impl LockWait {
    /// Waits up to `timeout` as measured by `clock`.
    pub fn new(timeout: Duration, clock: &'static dyn Clock) -> LockWait {
        LockWait { timeout, clock }
    }

    /// The longest wait.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The clock the wait runs on.
    pub fn clock(&self) -> &'static dyn Clock {
        self.clock
    }
}

impl From<Duration> for LockWait {
    fn from(timeout: Duration) -> LockWait {
        LockWait::new(timeout, &SystemClock)
    }
}

impl Default for LockWait {
    fn default() -> LockWait {
        DEFAULT_LOCK_TIMEOUT.into()
    }
}

impl fmt::Debug for LockWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockWait")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Takes an exclusive `flock` on the open folder `dir`, polling until `wait`'s timeout has
/// passed on its clock; `waiting` is called once, with `dir_path`, if the lock is still busy
/// after [`SLOW_LOCK`].
///
/// `std`'s blocking `File::lock` cannot time out, hence `try_lock` in a loop.
pub(super) fn acquire(
    dir: &File,
    dir_path: &Path,
    wait: LockWait,
    waiting: &mut dyn FnMut(&Path),
) -> Result<()> {
    let LockWait { timeout, clock } = wait;
    let start = clock.now();
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
        let waited = clock.now().saturating_duration_since(start);
        if waited >= timeout {
            return Err(FileError::new(dir_path, Op::Lock, FileProblem::Busy { waited }).into());
        }
        if !told && waited >= SLOW_LOCK {
            told = true;
            waiting(dir_path);
        }
        clock.sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}
