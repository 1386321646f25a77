//! A small builder for end-to-end tests of the built `envmint` binary.
//!
//! Every test gets a fresh temporary directory as its working directory and an environment
//! without any `ENVMINT_*` variable, so tests neither see the developer's setup nor each other:
//!
//! ```ignore
//! let out = Test::new()
//!     .write(".env", "A=1\n")
//!     .args(["bootstrap", "production"])
//!     .status(0);
//! assert!(out.read(".env.production.local").contains("SECRET_KEY="));
//! assert_eq!(out.mode(".env.production.local"), 0o600);
//! ```
//!
//! `status(code)` runs the command, asserts the exit code (printing stdout and stderr when it
//! differs) and returns an [`Output`] that keeps the directory alive for inspection. To run a
//! second command in the same directory, call [`Output::then`].

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

/// Skips a test that lacks what it needs (a peer, root, a tool), saying why on stderr; with
/// `CI` set it fails instead, since CI installs and grants everything.
pub fn skip(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("cannot run: {why} (CI is set, so this is a failure, not a skip)");
    }
    // Straight to the handle: `eprintln!` is captured and hidden for a passing test.
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The folder of the test plugin `age-plugin-envminttest` (examples/age-plugin-envminttest.rs,
/// built by `cargo test` with the other examples), for PATH; `None` after [`skip`].
pub fn plugin_dir() -> Option<PathBuf> {
    let dir = Path::new(BIN).parent()?.join("examples");
    if dir.join("age-plugin-envminttest").is_file() {
        return Some(dir);
    }
    skip("the test plugin is not built (cargo build --examples; cargo test does)");
    None
}

/// A new identity of the test plugin (its file's text) and its recipient, with the PATH that
/// finds the plugin. Each time a store sealed to it is decrypted the plugin asks for a touch
/// (`age-plugin-envminttest: touch the test key` on stderr): tests count decryptions by it.
/// `None` after [`skip`].
pub fn plugin_identity() -> Option<(String, String, String)> {
    let plugins = plugin_dir()?;
    let path = format!(
        "{}:{}",
        plugins.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(plugins.join("age-plugin-envminttest"))
        .arg("--generate")
        .output()
        .unwrap();
    let id = String::from_utf8(out.stdout).unwrap();
    let recipient = id
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    Some((id, recipient, path))
}

/// What the test plugin says on each decryption ([`plugin_identity`]).
pub const PLUGIN_TOUCH: &str = "age-plugin-envminttest: touch the test key";

/// Asserts that stderr contains `needle`, showing the whole run when it does not.
#[track_caller]
pub fn assert_stderr_has(out: &Output, needle: &str) {
    assert!(
        out.stderr().contains(needle),
        "stderr should contain {needle:?}\n{}",
        out.describe()
    );
}

/// The binary under test, built by cargo for integration tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_envmint");

/// Whether the tests run as root (root ignores permission bits, and can run a command as
/// another user with [`NOBODY`]).
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The modification time of `path` (absolute, or relative to the test process's directory:
/// pass [`Output::path`]).
#[track_caller]
pub fn mtime(path: impl AsRef<Path>) -> SystemTime {
    let p = path.as_ref();
    fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("mtime of {}: {e}", p.display()))
}

/// A pause long enough that a rewrite would get a different mtime (the kernel's file clock
/// ticks every few milliseconds).
pub fn tick() {
    std::thread::sleep(Duration::from_millis(30));
}

/// The names of the entries of `dir` (not of its sub-folders), sorted.
#[track_caller]
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Names of envmint temporary files (`.NAME.envmint-tmp.*`) in `dir`.
pub fn temps(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".envmint-tmp."))
        .collect()
}

/// The wrapper that runs a command as user 65534 (tests run as root here, and root ignores
/// permission bits).
pub const NOBODY: [&str; 4] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
];

/// A copy of the binary that user 65534 can execute (the build directory may be out of its
/// reach), with the folder that holds it; `None`, after [`skip`], when not root or without
/// setpriv.
///
/// `cp` makes the copy, in its own process: copied from here, the open write handle was
/// inherited for a moment by the children other test threads were starting, and running the
/// copy failed now and then with "Text file busy".
pub fn binary_for_nobody() -> Option<(tempfile::TempDir, PathBuf)> {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        skip("needs root to run envmint as user 65534");
        return None;
    }
    if !Command::new(NOBODY[0])
        .args(&NOBODY[1..])
        .arg("true")
        .status()
        .is_ok_and(|s| s.success())
    {
        skip("cannot run setpriv (util-linux) as user 65534");
        return None;
    }
    let bin_dir = tempfile::tempdir().unwrap();
    fs::set_permissions(bin_dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let bin = bin_dir.path().join("envmint");
    let copied = Command::new("cp").arg(BIN).arg(&bin).status();
    assert!(
        copied.is_ok_and(|s| s.success()),
        "cp {BIN} {}",
        bin.display()
    );
    Some((bin_dir, bin))
}

/// One command to run in a temporary directory.
pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
    /// Where the command runs, relative to the temp dir (`None`: the temp dir itself).
    cwd: Option<PathBuf>,
    /// The program to run instead of [`BIN`] (e.g. `sh` for a script).
    program: Option<OsString>,
    /// Arguments put before the program (e.g. `setpriv ...` or `sh -c '...' `).
    wrapper: Vec<OsString>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// A fresh, empty temporary directory and no arguments yet.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("envmint-test-")
            .tempdir()
            .expect("create temp dir");
        Test {
            dir,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            cwd: None,
            program: None,
            wrapper: Vec::new(),
        }
    }

    /// The temporary directory (the command's working directory).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `path` inside the temporary directory.
    pub fn path(&self, path: impl AsRef<Path>) -> PathBuf {
        self.dir().join(path)
    }

    /// Writes `contents` to `path` (relative to the temp dir), creating parent directories.
    pub fn write(self, path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Self {
        let p = self.path(path);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create parent dirs");
        }
        fs::write(&p, contents).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    /// Sets the mode of `path` (relative to the temp dir), e.g. to make a file world-readable.
    #[cfg(unix)]
    pub fn chmod(self, path: impl AsRef<Path>, mode: u32) -> Self {
        use std::os::unix::fs::PermissionsExt;
        let p = self.path(path);
        fs::set_permissions(&p, fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", p.display()));
        self
    }

    /// Runs the command in `dir` (relative to the temp dir, which must exist by then) instead
    /// of the temp dir itself, e.g. to check that a manifest in a parent folder is found.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Runs `program` instead of the envmint binary (e.g. `sh` for a script); arguments,
    /// environment and working directory apply as usual.
    pub fn program(mut self, program: impl AsRef<OsStr>) -> Self {
        self.program = Some(program.as_ref().to_os_string());
        self
    }

    /// Runs the program through `wrapper`: the command line becomes `WRAPPER... PROGRAM ARGS...`,
    /// e.g. `["setpriv", "--reuid=65534", ...]` or `["sh", "-c", "umask 000; exec \"$0\" \"$@\""]`.
    pub fn wrapper<I, S>(mut self, wrapper: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.wrapper = wrapper
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect();
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// Appends one argument.
    pub fn arg(self, arg: impl AsRef<OsStr>) -> Self {
        self.args([arg])
    }

    /// Sets an environment variable for the command (`ENVMINT_*` ones included).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_os_string(), value.as_ref().to_os_string()));
        self
    }

    /// Feeds `input` on stdin (otherwise stdin is empty: /dev/null).
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(input.as_ref().to_vec());
        self
    }

    /// The command as it will run: cwd = temp dir (or [`Test::cwd`]), no inherited `ENVMINT_*`
    /// variables.
    pub fn command(&self) -> Command {
        let program = self.program.clone().unwrap_or_else(|| BIN.into());
        let mut cmd = match self.wrapper.split_first() {
            None => Command::new(&program),
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg(&program);
                cmd
            }
        };
        let cwd = match &self.cwd {
            Some(sub) => self.dir().join(sub),
            None => self.dir().to_path_buf(),
        };
        cmd.args(&self.args).current_dir(cwd);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ENVMINT_") {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Starts the command with piped stdout and stderr, for tests that drive the pipes
    /// themselves (e.g. closing stdout early). Stdin is /dev/null or the given input.
    pub fn spawn(&self) -> Child {
        let mut cmd = self.command();
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = cmd.spawn().expect("spawn envmint");
        if let Some(input) = self.stdin.clone() {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            // From a thread, so a command that writes a lot before reading cannot deadlock; a
            // broken pipe is ignored: the command may exit without reading everything.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        child
    }

    /// Starts the command and returns it running, to wait for an event on its stderr (e.g.
    /// "Blocking waiting for the lock") before acting, instead of sleeping a guessed time.
    pub fn start(self) -> Running {
        let mut child = self.spawn();
        let mut stdout = child.stdout.take().expect("stdout pipe");
        let stderr = child.stderr.take().expect("stderr pipe");
        let stdout = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = std::io::Read::read_to_end(&mut stdout, &mut bytes);
            bytes
        });
        let (send, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)) {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            test: self,
            child,
            stdout,
            lines,
            stderr: Vec::new(),
        }
    }

    /// Runs the command to completion without checking its exit code.
    pub fn run(self) -> Output {
        let child = self.spawn();
        let output = child.wait_with_output().expect("wait for envmint");
        Output { test: self, output }
    }

    /// Runs the command and asserts its exit code, showing the command, stdout and stderr when
    /// it differs.
    #[track_caller]
    pub fn status(self, code: i32) -> Output {
        let out = self.run();
        if out.code() != code {
            panic!(
                "expected exit {code}, got {:?}\n{}",
                out.output.status,
                out.describe()
            );
        }
        out
    }
}

/// How long a test waits for an event of a command it started, or for it to exit: only a guard
/// against a hang (so CI fails instead of stalling), far above any wait on a loaded machine.
/// Never a timing assertion.
pub const HANG: Duration = Duration::from_secs(60);

/// A command started by [`Test::start`], its stderr read line by line as it comes.
pub struct Running {
    test: Test,
    child: Child,
    stdout: std::thread::JoinHandle<Vec<u8>>,
    lines: std::sync::mpsc::Receiver<String>,
    /// The stderr lines received so far.
    stderr: Vec<String>,
}

impl Running {
    /// Waits until the command writes `line` to stderr (a whole line); fails the test if it
    /// exits first or says nothing of the kind within [`HANG`].
    #[track_caller]
    pub fn wait_for_stderr_line(&mut self, line: &str) {
        let deadline = std::time::Instant::now() + HANG;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(got) => {
                    let found = got == line;
                    self.stderr.push(got);
                    if found {
                        return;
                    }
                }
                Err(why) => {
                    let _ = self.child.kill();
                    panic!(
                        "no stderr line {line:?} ({why:?}); stderr so far:\n{}",
                        self.stderr.join("\n")
                    );
                }
            }
        }
    }

    /// Whether the command is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Waits for the command to exit (killing it and failing the test after [`HANG`]) and
    /// returns what it did, as [`Test::run`] does.
    #[track_caller]
    pub fn finish(mut self) -> Output {
        let status = wait_or_kill(&mut self.child, HANG);
        self.stderr.extend(self.lines.iter());
        let mut stderr = self.stderr.join("\n").into_bytes();
        if !stderr.is_empty() {
            stderr.push(b'\n');
        }
        let stdout = self.stdout.join().expect("stdout reader");
        Output {
            test: self.test,
            output: std::process::Output {
                status,
                stdout,
                stderr,
            },
        }
    }
}

/// Waits for `child` to exit; after `limit` (a guard against a hang, see [`HANG`]) kills it
/// and fails the test.
#[track_caller]
pub fn wait_or_kill(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the command was still running after {limit:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A finished command: its exit code, stdout and stderr, and the temp dir it ran in.
pub struct Output {
    test: Test,
    output: std::process::Output,
}

impl Output {
    /// The signal that ended the command, if one did.
    pub fn signal(&self) -> Option<i32> {
        use std::os::unix::process::ExitStatusExt;
        self.output.status.signal()
    }

    /// The exit code (-1 when killed by a signal).
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    /// Stdout as UTF-8.
    pub fn stdout(&self) -> &str {
        std::str::from_utf8(&self.output.stdout).expect("stdout is UTF-8")
    }

    /// Stderr as UTF-8.
    pub fn stderr(&self) -> &str {
        std::str::from_utf8(&self.output.stderr).expect("stderr is UTF-8")
    }

    /// Stdout split into lines (without the newlines).
    pub fn lines(&self) -> Vec<&str> {
        self.stdout().lines().collect()
    }

    /// Stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", self.describe()))
    }

    /// The temporary directory the command ran in.
    pub fn dir(&self) -> &Path {
        self.test.dir()
    }

    /// `path` inside the temporary directory.
    pub fn path(&self, path: impl AsRef<Path>) -> PathBuf {
        self.test.path(path)
    }

    /// Whether `path` exists in the temporary directory.
    pub fn exists(&self, path: impl AsRef<Path>) -> bool {
        self.path(path).exists()
    }

    /// The text of `path` in the temporary directory.
    #[track_caller]
    pub fn read(&self, path: impl AsRef<Path>) -> String {
        let p = self.path(path);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    /// The permission bits (e.g. `0o600`) of `path` in the temporary directory.
    #[cfg(unix)]
    #[track_caller]
    pub fn mode(&self, path: impl AsRef<Path>) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        let p = self.path(path);
        let meta = fs::metadata(&p).unwrap_or_else(|e| panic!("stat {}: {e}", p.display()));
        meta.permissions().mode() & 0o7777
    }

    /// The names of the entries of the temporary directory, sorted.
    pub fn files(&self) -> Vec<String> {
        names(self.dir())
    }

    /// The raw bytes of `path` in the temporary directory.
    #[track_caller]
    pub fn bytes(&self, path: impl AsRef<Path>) -> Vec<u8> {
        let p = self.path(path);
        fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    /// A new command in the same directory with the same environment variables (arguments,
    /// stdin, working directory, program and wrapper start afresh), e.g. to run bootstrap twice.
    pub fn then(self) -> Test {
        Test {
            args: Vec::new(),
            stdin: None,
            cwd: None,
            program: None,
            wrapper: Vec::new(),
            ..self.test
        }
    }

    /// The command line, exit status, stdout and stderr, for failure messages.
    pub fn describe(&self) -> String {
        let t = &self.test;
        let program = t
            .program
            .as_deref()
            .map_or("envmint".into(), OsStr::to_string_lossy);
        let line: Vec<_> = t
            .wrapper
            .iter()
            .map(|a| a.to_string_lossy())
            .chain(std::iter::once(program))
            .chain(t.args.iter().map(|a| a.to_string_lossy()))
            .collect();
        format!(
            "command: {}\nstatus: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            line.join(" "),
            self.output.status,
            String::from_utf8_lossy(&self.output.stdout),
            String::from_utf8_lossy(&self.output.stderr),
        )
    }
}

/// Makes identity `file` with `envmint keygen -o` in `test`'s folder and returns its recipient.
pub fn keygen(test: Test, file: &str) -> (Test, String) {
    let out = test.args(["keygen", "-o", file]).status(0);
    let public = out
        .stderr()
        .trim()
        .strip_prefix("Public key: ")
        .expect("keygen prints the public key")
        .to_string();
    (out.then(), public)
}

/// A new test folder with identity `id.txt` (made by `envmint keygen -o`) and no default
/// identity to fall back on: `XDG_CONFIG_HOME` and `HOME` name folders that do not exist, so
/// only what a test passes opens a sealed store. Returns the test and the recipient.
pub fn with_identity() -> (Test, String) {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let (test, public) = keygen(test, "id.txt");
    let test = test
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("HOME", dir.join("no-home"));
    (test, public)
}

/// Asserts that stderr is exactly the snapshot `tests/cli/snapshots/NAME.stderr`, with the
/// temporary directory written `[DIR]`; `[..]` in the snapshot matches any text within a line.
/// `SNAPSHOTS=overwrite cargo test --test cli` rewrites snapshots that differ.
#[track_caller]
pub fn assert_stderr_snapshot(out: &Output, name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/snapshots")
        .join(format!("{name}.stderr"));
    assert_words(out, out.stderr(), snapbox::Data::read_from(&path, None));
}

impl Output {
    /// Asserts that stderr is word for word `expected`, usually inline:
    /// `out.stderr_is(str![[r#"error: ..."#]])`. The temporary directory is written `[DIR]`;
    /// `[..]` matches any text within a line and is kept for what truly varies (a duration, a
    /// temp file's name, a date). `SNAPSHOTS=overwrite cargo test --test cli NAME` fills in or
    /// rewrites the inline text after a deliberate change of wording, for review.
    #[track_caller]
    pub fn stderr_is(&self, expected: impl snapbox::data::IntoData) {
        assert_words(self, self.stderr(), expected.into_data());
    }

    /// Asserts that stdout is word for word `expected`, as [`Output::stderr_is`] does stderr.
    #[track_caller]
    pub fn stdout_is(&self, expected: impl snapbox::data::IntoData) {
        assert_words(self, self.stdout(), expected.into_data());
    }
}

#[track_caller]
fn assert_words(out: &Output, actual: &str, expected: snapbox::Data) {
    words_are(actual, out.dir(), &[], expected);
}

/// Asserts that `actual` (a run's stderr or stdout) is word for word `expected`, as
/// [`Output::stderr_is`] does, with the folder `dir` written `[DIR]` and each `(placeholder,
/// text)` of `named` written as its placeholder: for what a run makes afresh and its words show,
/// such as a new key's recipient (`("[KEY]", &public)`), or for a run outside [`Test`] (git's
/// merge driver). A placeholder is `[` capitals or `_` `]`.
#[track_caller]
pub fn words_are(
    actual: &str,
    dir: &Path,
    named: &[(&'static str, &str)],
    expected: impl snapbox::data::IntoData,
) {
    let mut redactions = snapbox::Redactions::new();
    redactions
        .insert("[DIR]", dir.to_path_buf())
        .expect("a valid placeholder");
    for (placeholder, text) in named {
        redactions
            .insert(placeholder, text.to_string())
            .expect("a valid placeholder");
    }
    // No path normalisation: it would read every `\` as a path separator, so an escape such as
    // `A\nB` (how envmint shows a newline in a name) would compare equal to `A/nB`.
    snapbox::Assert::new()
        .action_env("SNAPSHOTS")
        .normalize_paths(false)
        .redact_with(redactions)
        .eq(actual, expected.into_data());
}

/// Shorthand: `envmint ARGS...` in a fresh temp dir.
pub fn envmint<I, S>(args: I) -> Test
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Test::new().args(args)
}

/// Whether `tool` is on PATH.
pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A folder holding a `git` that runs the real one except where `cases` (the arms of a `case
/// " $* " in ... esac` over its arguments, in sh) say otherwise, such as
/// `*" cat-file "*) "$real" "$@"; exit 3 ;;` (`$real` is the real git); and the PATH that
/// finds it first. For the errors envmint
/// says when git itself fails, which no repository makes it do. `None`, after [`skip`],
/// without git.
pub fn fake_git(cases: &str) -> Option<(tempfile::TempDir, OsString)> {
    let real = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let Some(real) = real else {
        skip("git is not installed");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "#!/bin/sh\nreal='{real}'\ncase \" $* \" in\n{cases}\nesac\nexec \"$real\" \"$@\"\n"
    );
    // Written by a process of its own, as `binary_for_nobody` copies: a handle open for
    // writing here could be inherited by another test thread's child, and running the
    // script would then fail with "Text file busy".
    let written = Command::new("sh")
        .args(["-c", "printf '%s' \"$1\" > \"$2\" && chmod 755 \"$2\""])
        .arg("sh")
        .arg(&script)
        .arg(dir.path().join("git"))
        .status();
    assert!(written.is_ok_and(|s| s.success()), "writing the fake git");
    let mut path = OsString::from(dir.path());
    path.push(":");
    path.push(std::env::var_os("PATH").unwrap_or_default());
    Some((dir, path))
}
