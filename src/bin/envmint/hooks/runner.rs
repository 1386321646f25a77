//! Runs one hook: `sh -c HOOK` from the manifest's folder, stdin `/dev/null`, in its own
//! process group, with the store's values and `ENVMINT_*` in its environment (never in an
//! argument), its output passed on to envmint's stderr with every value redacted, and a
//! timeout: SIGTERM to the group, then SIGKILL after a grace period.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use envmint::hooks::Redactor;
use zeroize::Zeroizing;

use crate::context::SECRET_VARIABLES;

/// How long a hook has after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// One hook to run.
pub struct Hook<'a> {
    /// The command (`sh -c` runs it).
    pub script: &'a str,
    /// The manifest's folder: where it runs.
    pub dir: &'a Path,
    /// `hook_timeout`.
    pub timeout: Duration,
    /// Its environment on top of envmint's own (minus envmint's secret variables).
    pub vars: &'a [(String, Zeroizing<String>)],
    /// What its output must not show: `(KEY, value)`.
    pub redact: &'a [(String, Zeroizing<String>)],
    /// A locked file its processes inherit ([`super::HookLock`]).
    pub inherit: Option<std::os::fd::BorrowedFd<'a>>,
}

/// How a hook ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Exit status 0.
    Ok,
    /// Another exit status.
    Exit(i32),
    /// Killed by a signal (not ours).
    Signal(i32),
    /// Still running at its timeout: killed.
    TimedOut,
    /// `sh` could not be started.
    NotStarted(String),
    /// Not started because a value it would get could break its quoting (the reason names
    /// the key, never the value).
    Refused(String),
}

impl Ended {
    /// How it ended, in words: `exit status 3`, `killed by signal 9`, `timed out`.
    pub fn describe(&self) -> String {
        match self {
            Ended::Ok => "exit status 0".into(),
            Ended::Exit(c) => format!("exit status {c}"),
            Ended::Signal(s) => format!("killed by signal {s}"),
            Ended::TimedOut => "timed out, killed".into(),
            Ended::NotStarted(why) => format!("could not start sh: {why}"),
            Ended::Refused(why) => format!("not run: {why}"),
        }
    }

    /// `ok`, `failed`, `timed-out`, `not-started` or `refused` (the `--json` status).
    pub fn as_str(&self) -> &'static str {
        match self {
            Ended::Ok => "ok",
            Ended::Exit(_) | Ended::Signal(_) => "failed",
            Ended::TimedOut => "timed-out",
            Ended::NotStarted(_) => "not-started",
            Ended::Refused(_) => "refused",
        }
    }

    /// The exit code, when it exited.
    pub fn code(&self) -> Option<i32> {
        match self {
            Ended::Ok => Some(0),
            Ended::Exit(c) => Some(*c),
            _ => None,
        }
    }
}

/// Runs `hook` to the end (or its timeout) and says how it ended and how long it took.
pub fn run(hook: &Hook<'_>) -> (Ended, Duration) {
    let started = Instant::now();
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(hook.script)
        .current_dir(hook.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group: the timeout reaches every process the hook started, and a Ctrl-C
        // meant for envmint does not cut a hook off half way (the next run resumes anyway).
        .process_group(0);
    for name in SECRET_VARIABLES {
        command.env_remove(name);
    }
    for (name, value) in hook.vars {
        command.env(name, value.as_str());
    }
    // Inheritable only while the hook is spawned: envmint starts nothing else meanwhile.
    use rustix::io::{FdFlags, fcntl_setfd};
    if let Some(fd) = hook.inherit {
        let _ = fcntl_setfd(fd, FdFlags::empty());
    }
    let spawned = command.spawn();
    if let Some(fd) = hook.inherit {
        let _ = fcntl_setfd(fd, FdFlags::CLOEXEC);
    }
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return (Ended::NotStarted(e.to_string()), started.elapsed()),
    };
    let group = rustix::process::Pid::from_raw(child.id() as i32);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let mut readers = 0;
    for (label, pipe) in [
        (
            "stdout",
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            "stderr",
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let Some(pipe) = pipe else { continue };
        let mut redactor = Redactor::new(hook.redact.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let tx = done_tx.clone();
        readers += 1;
        std::thread::spawn(move || {
            let mut sink = std::io::stderr();
            pass_through(pipe, &mut redactor, label, OUTPUT_CAP, &mut sink);
            let _ = tx.send(());
        });
    }
    drop(done_tx);
    let deadline = started + hook.timeout;
    let kill = |signal| {
        if let Some(pid) = group {
            let _ = rustix::process::kill_process_group(pid, signal);
        }
    };
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(_) => break None,
        }
        if Instant::now() >= deadline {
            timed_out = true;
            kill(rustix::process::Signal::TERM);
            let grace = Instant::now() + GRACE;
            while Instant::now() < grace {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            kill(rustix::process::Signal::KILL);
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // The output of processes the hook left behind still holding its pipes is read until the
    // timeout; then the group is killed, and envmint goes on without them.
    let mut finished = 0;
    while finished < readers {
        let left = deadline.saturating_duration_since(Instant::now());
        match done_rx.recv_timeout(left.max(Duration::from_millis(1))) {
            Ok(()) => finished += 1,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill(rustix::process::Signal::KILL);
                // The pipes close with the group: give the readers a moment to say what was left.
                while done_rx.recv_timeout(Duration::from_secs(1)).is_ok() {}
                break;
            }
        }
    }
    let ended = if timed_out {
        Ended::TimedOut
    } else {
        match status {
            Some(s) if s.success() => Ended::Ok,
            Some(s) => match (s.code(), s.signal()) {
                (Some(c), _) => Ended::Exit(c),
                (None, Some(sig)) => Ended::Signal(sig),
                _ => Ended::Exit(-1),
            },
            None => Ended::Exit(-1),
        }
    };
    (ended, started.elapsed())
}

/// How much of each of a hook's streams is shown: a hook that loops printing cannot fill the
/// log of a scheduled job, nor envmint's memory.
pub const OUTPUT_CAP: u64 = 1024 * 1024;

/// Copies `pipe` (the hook's `label`: stdout or stderr) to envmint's stderr through `redactor`
/// until it closes, at most `cap` bytes of it; the rest is read and dropped (the hook never
/// blocks on a full pipe), and a line says how much was cut.
fn pass_through(
    mut pipe: Box<dyn Read + Send>,
    redactor: &mut Redactor,
    label: &str,
    cap: u64,
    sink: &mut dyn Write,
) {
    let mut buf = Zeroizing::new(vec![0u8; 8192]);
    let mut out = Vec::with_capacity(8192);
    let mut seen: u64 = 0;
    loop {
        let n = match pipe.read(&mut buf[..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let shown = usize::try_from(cap.saturating_sub(seen)).map_or(n, |left| left.min(n));
        seen += n as u64;
        if shown > 0 {
            out.clear();
            redactor.feed(&buf[..shown], &mut out);
            let _ = sink.write_all(&out);
        }
    }
    out.clear();
    redactor.finish(&mut out);
    let _ = sink.write_all(&out);
    if seen > cap {
        let _ = writeln!(
            sink,
            "\n[envmint: the hook's {label} was cut after {cap} bytes; {} more bytes not shown]",
            seen - cap
        );
    }
}
