//! What the process hands envmint besides its arguments, read once: the environment variables,
//! the working directory, the RNG's seed. This is the only code that reads them; commands get a
//! [`Context`] and pass plain values to the library, so every decision can be tested with fixed
//! inputs.
//!
//! Values a command may not need are kept raw and checked when used: `bootstrap --dry-run` takes
//! no lock, so a bad `ENVMINT_LOCK_TIMEOUT` must not stop it, and `gen` must work in a working
//! directory that was deleted.

use crate::error::{Error, Result};
use envmint::atomic::{LockWait, SystemClock};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use secrecy::SecretString;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// envmint's own variables that hold secrets (`ENVMINT_AGE_KEY`, `ENVMINT_PASSPHRASE`): no child
/// process gets them (run's command, the editor), and no `${...}` reference in a file expands
/// to them, so neither a command's `/proc/PID/environ` nor its children see them.
/// `ENVMINT_IDENTITY` is only a path, and stays.
pub const SECRET_VARIABLES: [&str; 2] = ["ENVMINT_AGE_KEY", "ENVMINT_PASSPHRASE"];

/// The process environment as envmint uses it, built once by [`Context::from_process`].
//
// Room for what later commands read, each added here and nowhere else: NO_COLOR.
pub struct Context {
    /// The clock, read once so a run uses one instant; the library takes it as a parameter
    /// (keygen's `# created:` line).
    pub now: jiff::Timestamp,
    /// The effective user id, read once: every owner rule compares with it (the library's
    /// symlink, manifest, recipients-file and sticky-folder rules, which take it as a
    /// parameter, and the binary's own).
    pub euid: u32,
    /// The working directory: where the manifest search starts, what relative paths and messages
    /// are relative to. `Err` keeps why it could not be read, reported only by a command that
    /// needs it.
    cwd: std::io::Result<PathBuf>,
    /// `$HOME`, where the manifest search stops.
    pub home: Option<PathBuf>,
    /// The editor `envmint edit` runs: `$VISUAL`, else `$EDITOR` (a non-empty one), else `vi`.
    /// Shell words (`code --wait`), run through `sh -c` as git does.
    pub editor: OsString,
    /// Where `envmint edit` makes its private folder: `$XDG_RUNTIME_DIR` when it is an absolute
    /// path to a folder (a per-user tmpfs on systemd machines), else the system temp folder
    /// (`$TMPDIR` or `/tmp`).
    pub private_tmp: PathBuf,
    /// `$XDG_CONFIG_HOME`, where the default identity lives (`envmint/identity.txt`).
    pub xdg_config_home: Option<PathBuf>,
    /// `ENVMINT_IDENTITY`: the path of an identity file.
    pub identity: Option<PathBuf>,
    /// `ENVMINT_AGE_KEY`: identity text itself (for CI secret variables).
    pub age_key: Option<SecretString>,
    /// `ENVMINT_PASSPHRASE`: the passphrase used when there is no terminal to ask on.
    pub passphrase: Option<SecretString>,
    /// `ENVMINT_LOCK_TIMEOUT`, parsed when a lock is taken.
    pub lock_timeout: LockTimeout,
    /// The process's one RNG: ChaCha20 seeded once from the operating system. Never a fixed,
    /// time-based or user-given seed.
    pub rng: ChaCha20Rng,
    /// `PATH`, for the age plugins' lookup (taken by the command runner, which hands it on).
    pub search_path: Option<std::ffi::OsString>,
    /// The names of the variables set in the process environment (names only: values are not
    /// copied), for `envmint run` to keep the ones already set.
    pub variable_names: Vec<OsString>,
    /// `--allow-outside`, set from the command line: the manifest's paths may leave its folder.
    pub allow_outside: bool,
    /// The user's allow list of folders outside a manifest's folder:
    /// `$XDG_CONFIG_HOME/envmint/allow-outside`, else `$HOME/.config/envmint/allow-outside`
    /// (only an absolute variable counts: an empty or relative one would make a file of the
    /// working folder, that is of the repository, the list).
    pub allow_list: Option<PathBuf>,
    /// Where the loaded manifest's files may lie, from [`crate::resolve::load_manifest`]
    /// (its check of the manifest's paths): every store opened later is checked against it
    /// again under the lock. Set once, by the first manifest loaded.
    pub bounds: std::cell::OnceCell<envmint::atomic::Within>,
}

/// A variable naming a folder, when it is an absolute path: an empty or relative `HOME` or
/// `XDG_CONFIG_HOME` would make the working folder (a cloned repository) the place the default
/// identity is read from, and where the manifest search stops. The XDG base directory
/// specification says the same of relative paths ("invalid and should be ignored").
fn absolute_var(name: &str) -> Option<PathBuf> {
    absolute(std::env::var_os(name))
}

/// [`absolute_var`] on a value.
fn absolute(value: Option<std::ffi::OsString>) -> Option<PathBuf> {
    value.map(PathBuf::from).filter(|p| p.is_absolute())
}

impl Context {
    /// Reads the process environment and the working directory, and seeds the RNG.
    pub fn from_process() -> Result<Context> {
        let rng = ChaCha20Rng::try_from_rng(&mut rand::rngs::SysRng).map_err(entropy_error)?;
        Ok(Context {
            now: jiff::Timestamp::now(),
            euid: rustix::process::geteuid().as_raw(),
            cwd: std::env::current_dir(),
            home: absolute_var("HOME"),
            editor: editor(std::env::var_os("VISUAL"), std::env::var_os("EDITOR")),
            private_tmp: private_tmp(std::env::var_os("XDG_RUNTIME_DIR"), std::env::temp_dir()),
            xdg_config_home: absolute_var("XDG_CONFIG_HOME"),
            identity: std::env::var_os("ENVMINT_IDENTITY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            age_key: secret_var("ENVMINT_AGE_KEY"),
            passphrase: secret_var("ENVMINT_PASSPHRASE"),
            lock_timeout: LockTimeout(std::env::var_os("ENVMINT_LOCK_TIMEOUT")),
            search_path: std::env::var_os("PATH"),
            rng,
            variable_names: std::env::vars_os().map(|(name, _)| name).collect(),
            allow_outside: false,
            bounds: std::cell::OnceCell::new(),
            allow_list: allow_list(
                std::env::var_os("XDG_CONFIG_HOME"),
                std::env::var_os("HOME"),
            ),
        })
    }

    /// The value of the process environment's variable `name`, read when asked (for `run`'s
    /// `${VAR}` expansion, as python-dotenv reads `os.environ`); `None` when unset or not
    /// UTF-8.
    pub fn variable(&self, name: &str) -> Option<zeroize::Zeroizing<String>> {
        if name.is_empty() || name.contains(['=', '\0']) {
            return None;
        }
        std::env::var(name).ok().map(zeroize::Zeroizing::new)
    }

    /// The working directory, or the error a command that needs it reports.
    pub fn cwd(&self) -> Result<&Path> {
        self.cwd.as_deref().map_err(|e| match e.kind() {
            // The shell's folder was removed under it: "./: file not found" would puzzle.
            std::io::ErrorKind::NotFound => Error::MissingInput {
                path: ".".into(),
                what: "the working folder".into(),
                hint: Some(
                    "it was removed while the shell was in it; cd to a folder that exists".into(),
                ),
            },
            _ => {
                // `io::Error` is not `Clone`; the OS error number carries the whole message.
                let copy = e
                    .raw_os_error()
                    .map_or_else(|| e.kind().into(), std::io::Error::from_raw_os_error);
                Error::reading(Path::new("."), copy)
            }
        })
    }

    /// The working directory when it could be read, for shortening paths in messages.
    pub fn cwd_if_known(&self) -> Option<&Path> {
        self.cwd.as_deref().ok()
    }
}

/// The error when the OS's random source fails (no run can make it fail: getrandom(2) does
/// not, on Linux, once the kernel's pool is initialised).
fn entropy_error(e: rand::rngs::SysError) -> Error {
    Error::Entropy {
        reason: e.to_string(),
    }
}

/// Where the allow list is: under `$XDG_CONFIG_HOME`, else `$HOME/.config`, each only when
/// absolute.
fn allow_list(xdg: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let absolute = |v: Option<OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    absolute(xdg)
        .or_else(|| absolute(home).map(|h| h.join(".config")))
        .map(|c| c.join("envmint/allow-outside"))
}

/// `$VISUAL`, else `$EDITOR`, else `vi`; an empty variable counts as unset, as git does.
fn editor(visual: Option<OsString>, editor: Option<OsString>) -> OsString {
    [visual, editor]
        .into_iter()
        .flatten()
        .find(|e| !e.is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// `$XDG_RUNTIME_DIR` when it is absolute and a folder (the spec says to ignore it otherwise),
/// else `fallback`.
fn private_tmp(runtime: Option<OsString>, fallback: PathBuf) -> PathBuf {
    runtime
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir())
        .unwrap_or(fallback)
}

/// A variable holding a secret, kept in a zeroizing string; unset, empty or not UTF-8 is none.
fn secret_var(name: &str) -> Option<SecretString> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(SecretString::from)
}

/// The longest `ENVMINT_LOCK_TIMEOUT` accepted: a day. Longer is surely a typo, and far larger
/// values do not fit a `Duration` at all.
const MAX_LOCK_TIMEOUT_SECS: f64 = 86_400.0;

/// `ENVMINT_LOCK_TIMEOUT` as the process got it; [`LockTimeout::get`] parses it. A separate
/// field so a command can read it while it holds `&mut` [`Context::rng`].
pub struct LockTimeout(Option<OsString>);

impl LockTimeout {
    /// How long to wait for another process's lock: `ENVMINT_LOCK_TIMEOUT` seconds, or the
    /// library's default, measured on the system clock (this module is the one that hands the
    /// library the clock). Called only by commands that take a lock (never by `--dry-run`).
    pub fn get(&self) -> Result<LockWait> {
        // Unset or not Unicode: the default, as `std::env::var` failing has always meant.
        let timeout = match self.0.as_ref().and_then(|text| text.to_str()) {
            None => envmint::atomic::DEFAULT_LOCK_TIMEOUT,
            Some(text) => parse_lock_timeout(text)?,
        };
        Ok(LockWait::new(timeout, &SystemClock))
    }
}

/// Parses a lock timeout in seconds: a finite number from 0 to a day.
fn parse_lock_timeout(text: &str) -> Result<Duration> {
    let bad = |why: &str| {
        Error::usage(format!(
            "ENVMINT_LOCK_TIMEOUT=`{text}` is not a number of seconds {why}"
        ))
        .with_hint("e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)")
    };
    let secs = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| bad("(0 or more)"))?;
    if secs > MAX_LOCK_TIMEOUT_SECS {
        return Err(bad("up to a day (86400)"));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| bad("(0 or more)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use envmint::Exit;

    #[test]
    fn a_failed_random_source_is_said_with_its_reason() {
        let e = entropy_error(rand::rngs::SysError::UNSUPPORTED);
        let said = crate::report::render(&e);
        assert_eq!(
            (said.message.as_str(), said.hint),
            (
                "cannot seed the random generator from the OS: getrandom: this target is not \
                 supported",
                None
            )
        );
        assert_eq!(e.exit(), Exit::Io);
    }

    #[test]
    fn lock_timeouts_parse_and_huge_ones_are_refused() {
        assert_eq!(
            parse_lock_timeout("1.5").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_lock_timeout("0").unwrap(), Duration::ZERO);
        for bad in ["1e30", "86401", "inf", "NaN", "-1", "x", ""] {
            let err = parse_lock_timeout(bad).unwrap_err();
            assert_eq!(err.exit(), Exit::Usage, "{bad}");
            assert!(crate::report::render(&err).hint.is_some(), "{bad}");
        }
    }

    #[test]
    fn the_allow_list_is_under_an_absolute_config_folder_only() {
        let at =
            |x: Option<&str>, h: Option<&str>| allow_list(x.map(Into::into), h.map(Into::into));
        assert_eq!(
            at(Some("/c"), Some("/h")),
            Some("/c/envmint/allow-outside".into())
        );
        assert_eq!(
            at(Some(""), Some("/h")),
            Some("/h/.config/envmint/allow-outside".into())
        );
        assert_eq!(at(Some("rel"), Some("")), None);
        assert_eq!(at(None, Some("rel")), None);
    }

    #[test]
    fn the_editor_is_visual_then_editor_then_vi() {
        let e = |v: Option<&str>, e: Option<&str>| editor(v.map(Into::into), e.map(Into::into));
        assert_eq!(e(Some("code --wait"), Some("nano")), "code --wait");
        assert_eq!(e(Some(""), Some("nano")), "nano");
        assert_eq!(e(None, None), "vi");
        assert_eq!(e(None, Some("")), "vi");
    }

    #[test]
    fn the_runtime_dir_is_used_only_when_it_is_an_absolute_folder() {
        let dir = tempfile::tempdir().unwrap();
        let fallback = PathBuf::from("/fallback");
        let got = |v: Option<&std::ffi::OsStr>| private_tmp(v.map(Into::into), fallback.clone());
        assert_eq!(got(Some(dir.path().as_os_str())), dir.path());
        assert_eq!(got(None), fallback);
        assert_eq!(got(Some("relative".as_ref())), fallback);
        assert_eq!(got(Some(dir.path().join("gone").as_os_str())), fallback);
    }

    #[test]
    fn an_unset_timeout_is_the_default_and_is_parsed_only_when_asked() {
        assert_eq!(
            LockTimeout(None).get().unwrap().timeout(),
            envmint::atomic::DEFAULT_LOCK_TIMEOUT
        );
        // Holding a bad value is fine; only asking for it fails.
        let bad = LockTimeout(Some("soon".into()));
        assert_eq!(bad.get().unwrap_err().exit(), Exit::Usage);
    }
}
