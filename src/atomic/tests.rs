//! Tests of the lock and the writer against a real filesystem.
//!
//! Some cases need another process: a different umask, an unprivileged user (tests run as root
//! here, and root ignores permission bits), a process killed mid-write, or several processes
//! contending. Those re-run this very test binary as a child (`--exact <test>`), with an
//! environment variable telling the test it is the child and which directory to work in.
//! A test that needs a privilege the machine lacks prints `skipped: <why>` and passes, unless
//! `CI` is set, where it fails instead.

use super::write::{self, Sensitivity, temp_prefix};
use super::*;

use std::ffi::OsString;
use std::fs::{self, Permissions};
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt, PermissionsExt, chown, symlink};
use std::process::{Command, Output};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::Exit;

const T: Duration = DEFAULT_LOCK_TIMEOUT;

/// [`super::lock`] without bounds: these tests are about the lock and the writer.
fn lock(path: &Path, wait: impl Into<LockWait>) -> Result<Locked> {
    super::lock(path, &Within::anywhere(crate::test_euid()), wait)
}

/// [`super::lock_all`] without bounds.
fn lock_all(
    paths: &[&Path],
    wait: impl Into<LockWait>,
    waiting: &mut dyn FnMut(&Path),
) -> Result<Vec<Locked>> {
    super::lock_all(paths, &Within::anywhere(crate::test_euid()), wait, waiting)
}
const NOBODY: u32 = 65534;

// ---------------------------------------------------------------------------------------------
// Helpers

fn tempdir() -> TempDir {
    tempfile::tempdir().unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, Permissions::from_mode(mode)).unwrap();
}

/// Creates a fixture file with `std` (not envmint) and the given mode. Removes the old one first:
/// a non-root user cannot open a 0400 file left by an earlier step for writing.
fn put(path: &Path, contents: &[u8], mode: u32) {
    let _ = fs::remove_file(path);
    fs::write(path, contents).unwrap();
    set_mode(path, mode);
}

/// Names of envmint temporary files in `dir`.
fn temps(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".envmint-tmp."))
        .collect()
}

fn lock_and_write(path: &Path, contents: &[u8]) -> Result<()> {
    lock(path, T)?.write(contents)
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Passes with a note, or fails when `CI` is set: CI machines are expected to have every
/// privilege these tests need, so a skip there would hide a regression.
fn skip(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("cannot run: {why} (CI is set, so this is a failure, not a skip)");
    }
    // Straight to the stderr handle: `eprintln!` would be captured and hidden for a passing test.
    let _ = writeln!(io::stderr(), "skipped: {why}");
}

/// The process umask, from `/proc` (reading it through `umask(2)` would need `unsafe`).
fn umask() -> u32 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
}

const CHILD_ENV: &str = "ENVMINT_ATOMIC_TEST_CHILD";
const DIR_ENV: &str = "ENVMINT_ATOMIC_TEST_DIR";

/// In a child run of `test`, the directory the parent passed; `None` in the parent.
fn child_dir(test: &str) -> Option<PathBuf> {
    if std::env::var(CHILD_ENV).ok()? != test {
        return None;
    }
    Some(PathBuf::from(std::env::var_os(DIR_ENV).unwrap()))
}

/// Runs `test` of this binary in a child process, prefixed by `wrapper` (e.g. `sh -c ...` or
/// `setpriv ...`), working on `dir`.
fn run_child(test: &str, dir: &Path, exe: &Path, wrapper: &[&str]) -> Output {
    let mut argv: Vec<OsString> = wrapper.iter().map(OsString::from).collect();
    argv.push(exe.into());
    for arg in [
        "--exact",
        &format!("atomic::tests::{test}"),
        "--test-threads=1",
        "--nocapture",
    ] {
        argv.push(arg.into());
    }
    Command::new(&argv[0])
        .args(&argv[1..])
        .env(CHILD_ENV, test)
        .env(DIR_ENV, dir)
        .output()
        .unwrap()
}

/// Asserts that the child ran exactly its one test and that it passed. Without the count check a
/// misspelt test name would run nothing and "pass".
fn assert_child_passed(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
}

/// A copy of this test binary that user 65534 can execute, and a 0755 directory it can reach.
/// The build directory may sit under a home directory nobody else can enter.
fn world_reachable_copy() -> (TempDir, PathBuf) {
    let dir = tempdir();
    set_mode(dir.path(), 0o755);
    let exe = dir.path().join("atomic-tests");
    fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    set_mode(&exe, 0o755);
    (dir, exe)
}

const AS_NOBODY: [&str; 4] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
];

/// Whether this process can run a child as user 65534; `Err(why)` if not.
fn can_run_as_nobody() -> std::result::Result<(), String> {
    if !is_root() {
        return Err("needs root to switch to user 65534".into());
    }
    match Command::new(AS_NOBODY[0])
        .args(&AS_NOBODY[1..])
        .arg("true")
        .status()
    {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("setpriv to user 65534 failed ({s})")),
        Err(e) => Err(format!("cannot run setpriv (util-linux): {e}")),
    }
}

// ---------------------------------------------------------------------------------------------
// Modes

#[test]
fn new_secret_file_is_0600_and_reads_back() {
    let dir = tempdir();
    let path = dir.path().join(".env.production.local");
    let locked = lock(&path, T).unwrap();
    assert_eq!(locked.path(), path);
    assert_eq!(locked.target(), path);
    assert!(locked.read().unwrap().is_none());
    locked.write(b"SECRET_KEY=abc\n").unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(&**locked.read().unwrap().unwrap(), b"SECRET_KEY=abc\n");
    locked.write(b"").unwrap();
    assert_eq!(&**locked.read().unwrap().unwrap(), b"");
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn umask_000_still_gives_0600() {
    if let Some(dir) = child_dir("umask_000_still_gives_0600") {
        // A plain create shows the umask really is 000 in this child.
        fs::File::create(dir.join("control")).unwrap();
        lock_and_write(&dir.join(".env"), b"A=1\n").unwrap();
        return;
    }
    let dir = tempdir();
    let exe = std::env::current_exe().unwrap();
    let wrapper = ["sh", "-c", "umask 000 && exec \"$0\" \"$@\""];
    let out = run_child("umask_000_still_gives_0600", dir.path(), &exe, &wrapper);
    assert_child_passed(&out);
    assert_eq!(
        mode(&dir.path().join("control")),
        0o666,
        "umask was not 000"
    );
    assert_eq!(mode(&dir.path().join(".env")), 0o600);
}

#[test]
fn a_readable_secret_file_becomes_0600() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    for old in [0o644, 0o666, 0o640, 0o604, 0o660, 0o700, 0o755, 0o4755] {
        put(&path, b"OLD=1\n", old);
        lock_and_write(&path, b"NEW=1\n").unwrap();
        assert_eq!(mode(&path), 0o600, "old mode {old:o}");
    }
}

#[test]
fn a_stricter_secret_file_keeps_its_mode() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    for (old, new) in [
        (0o400, 0o400),
        (0o600, 0o600),
        (0o440, 0o400),
        (0o200, 0o200),
    ] {
        put(&path, b"OLD=1\n", old);
        lock_and_write(&path, b"NEW=1\n").unwrap();
        assert_eq!(mode(&path), new, "old mode {old:o}");
        // A write-only file can be read back only by root.
        if new & 0o400 != 0 || is_root() {
            assert_eq!(fs::read(&path).unwrap(), b"NEW=1\n");
        }
    }
}

#[test]
fn root_keeps_the_owner_and_group_of_another_users_file() {
    if !is_root() {
        return skip("needs root to chown a file to user 65534");
    }
    let dir = tempdir();
    let path = dir.path().join(".env");
    for old_mode in [0o600, 0o400, 0o644] {
        put(&path, b"OLD=1\n", old_mode);
        chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
        lock_and_write(&path, b"NEW=1\n").unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
        assert_eq!(meta.mode() & 0o7777, old_mode & 0o600);
    }
}

#[test]
fn public_files_keep_their_mode_and_new_ones_get_0644_minus_umask() {
    let dir = tempdir();
    let fresh = dir.path().join(".gitignore");
    lock(&fresh, T).unwrap().write_public(b".env*\n").unwrap();
    assert_eq!(mode(&fresh), 0o644 & !umask());

    let path = dir.path().join("envmint.toml");
    for old in [0o664, 0o644, 0o600, 0o444] {
        put(&path, b"# old\n", old);
        lock(&path, T).unwrap().write_public(b"# new\n").unwrap();
        assert_eq!(mode(&path), old, "old mode {old:o}");
        assert_eq!(fs::read(&path).unwrap(), b"# new\n");
    }
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn root_keeps_the_owner_of_a_public_file() {
    if !is_root() {
        return skip("needs root to chown a file to user 65534");
    }
    let dir = tempdir();
    let path = dir.path().join(".gitignore");
    put(&path, b"target\n", 0o664);
    chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
    lock(&path, T)
        .unwrap()
        .write_public(b"target\n.env*\n")
        .unwrap();
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (NOBODY, NOBODY, 0o664)
    );
}

// ---------------------------------------------------------------------------------------------
// Symlinks

/// Writes through `link` and checks that it is still the same link and `real` got the bytes.
fn assert_writes_through(link: &Path, real: &Path) {
    let before = fs::read_link(link).unwrap();
    let locked = lock(link, T).unwrap();
    assert_eq!(locked.path(), link);
    assert_eq!(
        fs::canonicalize(locked.target().parent().unwrap()).unwrap(),
        fs::canonicalize(real.parent().unwrap()).unwrap()
    );
    locked.write(b"NEW=1\n").unwrap();
    assert!(fs::symlink_metadata(link).unwrap().file_type().is_symlink());
    assert_eq!(fs::read_link(link).unwrap(), before);
    assert_eq!(fs::read(real).unwrap(), b"NEW=1\n");
    assert_eq!(&**locked.read().unwrap().unwrap(), b"NEW=1\n");
    assert!(temps(real.parent().unwrap()).is_empty());
    assert!(temps(link.parent().unwrap()).is_empty());
}

#[test]
fn a_relative_symlink_stays_a_link_and_its_target_is_replaced() {
    let dir = tempdir();
    fs::create_dir_all(dir.path().join("app")).unwrap();
    fs::create_dir_all(dir.path().join("shared")).unwrap();
    let real = dir.path().join("shared/.env.production");
    put(&real, b"OLD=1\n", 0o600);
    let link = dir.path().join("app/.env");
    symlink("../shared/.env.production", &link).unwrap();
    assert_writes_through(&link, &real);
}

#[test]
fn an_absolute_symlink_stays_a_link_and_its_target_is_replaced() {
    let dir = tempdir();
    fs::create_dir_all(dir.path().join("shared")).unwrap();
    let real = dir.path().join("shared/.env");
    put(&real, b"OLD=1\n", 0o400);
    let link = dir.path().join(".env");
    symlink(&real, &link).unwrap();
    assert_writes_through(&link, &real);
    assert_eq!(mode(&real), 0o400);
}

#[test]
fn a_chain_of_symlinks_is_followed_to_the_end() {
    let dir = tempdir();
    for sub in ["app", "current", "releases/7"] {
        fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    let real = dir.path().join("releases/7/.env.real");
    put(&real, b"OLD=1\n", 0o644);
    // app/.env -> ../current/.env (relative) -> <abs>/releases/7/.env.real (absolute)
    symlink(&real, dir.path().join("current/.env")).unwrap();
    let link = dir.path().join("app/.env");
    symlink("../current/.env", &link).unwrap();
    assert_writes_through(&link, &real);
    assert!(
        fs::symlink_metadata(dir.path().join("current/.env"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(mode(&real), 0o600);
}

#[test]
fn a_dangling_symlinks_target_is_created() {
    let dir = tempdir();
    fs::create_dir_all(dir.path().join("app")).unwrap();
    fs::create_dir_all(dir.path().join("shared")).unwrap();
    let real = dir.path().join("shared/.env.new");
    let link = dir.path().join("app/.env");
    symlink("../shared/.env.new", &link).unwrap();
    assert!(lock(&link, T).unwrap().read().unwrap().is_none());
    assert_writes_through(&link, &real);
    assert_eq!(mode(&real), 0o600);
}

#[test]
fn a_symlink_loop_is_refused() {
    let dir = tempdir();
    let a = dir.path().join("a");
    symlink("b", &a).unwrap();
    symlink("a", dir.path().join("b")).unwrap();
    let err = lock(&a, T).unwrap_err();
    assert_eq!(err.exit(), Exit::CantCreate);
    assert!(
        matches!(file_error(&err).problem, FileProblem::SymlinkLoop),
        "{err:?}"
    );
    // Reading it is bad input (65), not an output that cannot be created.
    let err = read_file(&a, crate::test_euid()).unwrap_err();
    assert_eq!(err.exit(), Exit::DataErr, "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Temporary files

/// While it is written, the temporary file has no name (O_TMPFILE): a kill then leaves nothing.
#[test]
fn the_temp_file_is_0600_and_unnamed_while_written() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o644);
    let locked = lock(&path, T).unwrap();
    let mut seen = Vec::new();
    let mut fill = |file: &mut fs::File, contents: &[u8]| {
        seen.push((
            file.metadata()?.mode() & 0o7777,
            fs::read_dir(dir.path())?.count(),
        ));
        file.write_all(contents)
    };
    locked
        .replace(b"NEW=1\n", Sensitivity::Secret(Mode::Private), &mut fill)
        .unwrap();
    assert_eq!(seen, [(0o600, 1)], "only .env itself is in the folder");
    assert_eq!(fs::read(&path).unwrap(), b"NEW=1\n");
    assert_eq!(mode(&path), 0o600);
    assert!(temps(dir.path()).is_empty());
}

/// Where the file system has no O_TMPFILE: a named 0600 temporary file beside the target.
#[test]
fn the_temp_file_is_0600_next_to_the_target_while_written() {
    write::NAMED_ONLY.with(|n| n.set(true));
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o644);
    let locked = lock(&path, T).unwrap();
    let mut seen = Vec::new();
    let mut fill = |file: &mut fs::File, contents: &[u8]| {
        seen.push((file.metadata()?.mode() & 0o7777, temps(dir.path())));
        file.write_all(contents)
    };
    locked
        .replace(b"NEW=1\n", Sensitivity::Secret(Mode::Private), &mut fill)
        .unwrap();
    write::NAMED_ONLY.with(|n| n.set(false));
    let (temp_mode, names) = &seen[0];
    assert_eq!(*temp_mode, 0o600);
    assert_eq!(names.len(), 1);
    assert!(names[0].starts_with(".env.envmint-tmp."), "{names:?}");
}

#[test]
fn temp_prefixes_are_hidden_and_name_the_target() {
    assert_eq!(temp_prefix(Path::new("a/.env")), ".env.envmint-tmp.");
    assert_eq!(
        temp_prefix(Path::new("envmint.toml")),
        ".envmint.toml.envmint-tmp."
    );
}

#[test]
fn stale_temp_files_of_the_same_target_are_removed() {
    let dir = tempdir();
    let d = dir.path();
    let path = d.join(".env");
    put(&path, b"OLD=1\n", 0o600);
    put(&d.join(".env.envmint-tmp.AbC123"), b"LEFT=1\n", 0o600);
    put(&d.join(".env.envmint-tmp.zzzzzz"), b"LEFT=2\n", 0o600);
    // Another file's temp, and a symlink that only looks like ours: neither is touched.
    put(&d.join(".env.test.envmint-tmp.qqqqqq"), b"X=1\n", 0o600);
    symlink(".env", d.join(".env.envmint-tmp.link")).unwrap();
    lock_and_write(&path, b"NEW=1\n").unwrap();
    let mut left = temps(d);
    left.sort();
    assert_eq!(
        left,
        [".env.envmint-tmp.link", ".env.test.envmint-tmp.qqqqqq"]
    );
}

#[test]
fn a_group_commit_removes_the_stale_temps_of_each_of_its_targets_only() {
    let dir = tempdir();
    let d = dir.path();
    put(&d.join(".env.envmint-tmp.AbC123"), b"LEFT=1\n", 0o600);
    put(&d.join(".A.envmint-tmp.zzzzzz"), b"LEFT=2\n", 0o600);
    // Another file's temp, a name with the mark twice, a symlink that only looks like ours.
    put(&d.join(".env.test.envmint-tmp.qqqqqq"), b"X=1\n", 0o600);
    put(&d.join(".x.envmint-tmp.A.envmint-tmp.rr"), b"X=1\n", 0o600);
    symlink(".env", d.join(".env.envmint-tmp.link")).unwrap();
    let (env, a) = (d.join(".env"), d.join("A"));
    let locked = lock_all(&[&env, &a], Duration::from_secs(5), &mut |_| {}).unwrap();
    let changes: Vec<Change<'_>> = locked
        .iter()
        .map(|file| Change {
            file,
            contents: b"NEW=1\n",
            mode: Mode::Private,
        })
        .collect();
    commit(&changes).unwrap();
    let mut left = temps(d);
    left.sort();
    assert_eq!(
        left,
        [
            ".env.envmint-tmp.link",
            ".env.test.envmint-tmp.qqqqqq",
            ".x.envmint-tmp.A.envmint-tmp.rr"
        ]
    );
}

/// A writer killed halfway (SIGKILL, as `unseal -o` killed in the issue) leaves the old file
/// and nothing else: the partial plaintext was in an unnamed file, gone with the process.
#[test]
fn a_killed_writer_leaves_the_old_file_and_no_partial_temp_file() {
    let test = "a_killed_writer_leaves_the_old_file_and_no_partial_temp_file";
    if let Some(dir) = child_dir(test) {
        let locked = lock(&dir.join(".env"), T).unwrap();
        let mut die = |file: &mut fs::File, contents: &[u8]| {
            file.write_all(&contents[..contents.len() / 2])?;
            std::process::abort()
        };
        let _ = locked.replace(
            b"NEW=1\nNEW=2\n",
            Sensitivity::Secret(Mode::Private),
            &mut die,
        );
        unreachable!();
    }
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o644);
    let out = run_child(test, dir.path(), &std::env::current_exe().unwrap(), &[]);
    assert!(!out.status.success(), "the child should have aborted");
    assert_eq!(fs::read(&path).unwrap(), b"OLD=1\n");
    let left: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [".env"], "nothing but the old file");
}

/// Without O_TMPFILE (the named fallback), a kill leaves a partial 0600 temporary file, which
/// the next write of the same file removes: what the README says of the fallback.
#[test]
fn a_killed_writer_leaves_the_old_file_and_a_0600_temp_that_the_next_write_removes() {
    let test = "a_killed_writer_leaves_the_old_file_and_a_0600_temp_that_the_next_write_removes";
    if let Some(dir) = child_dir(test) {
        write::NAMED_ONLY.with(|n| n.set(true));
        let locked = lock(&dir.join(".env"), T).unwrap();
        let mut die = |file: &mut fs::File, contents: &[u8]| {
            file.write_all(&contents[..contents.len() / 2])?;
            // As abrupt as SIGKILL for the file system: no destructor runs.
            std::process::abort()
        };
        let _ = locked.replace(
            b"NEW=1\nNEW=2\n",
            Sensitivity::Secret(Mode::Private),
            &mut die,
        );
        unreachable!();
    }
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o644);
    let out = run_child(test, dir.path(), &std::env::current_exe().unwrap(), &[]);
    assert!(!out.status.success(), "the child should have aborted");
    assert_eq!(fs::read(&path).unwrap(), b"OLD=1\n");
    let left = temps(dir.path());
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(mode(&dir.path().join(&left[0])), 0o600);
    lock_and_write(&path, b"NEW=1\n").unwrap();
    assert!(temps(dir.path()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// The lock

/// A clock for lock tests. `sleep` moves `now` on at once and records the pause, so a wait of
/// seconds takes microseconds and every timing decision is exact. When the fake time reaches
/// the release instant it drops the lock it was handed, as another process finishing would;
/// from then on it sleeps for real as well: a child forked by another test in this process
/// shares the folder's descriptor until it execs (O_CLOEXEC) and can hold the flock a moment
/// past the drop, which fake time alone would turn into a spurious timeout.
struct FakeClock {
    origin: Instant,
    state: std::sync::Mutex<FakeState>,
}

struct FakeState {
    elapsed: Duration,
    pauses: Vec<Duration>,
    release: Option<(Duration, Locked)>,
    released: bool,
}

impl FakeClock {
    /// A clock that releases `held` once `at` has passed (never, without one). Leaked: a
    /// [`LockWait`] holds a `&'static` clock, and a test's few bytes do not matter.
    fn new(release: Option<(Duration, Locked)>) -> &'static FakeClock {
        Box::leak(Box::new(FakeClock {
            origin: Instant::now(),
            state: std::sync::Mutex::new(FakeState {
                elapsed: Duration::ZERO,
                pauses: Vec::new(),
                release,
                released: false,
            }),
        }))
    }

    fn wait(&'static self, timeout: Duration) -> LockWait {
        LockWait::new(timeout, self)
    }

    /// Fake time since the clock was made.
    fn elapsed(&self) -> Duration {
        self.state.lock().unwrap().elapsed
    }

    fn pauses(&self) -> Vec<Duration> {
        self.state.lock().unwrap().pauses.clone()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.origin + self.elapsed()
    }

    fn sleep(&self, pause: Duration) {
        let mut state = self.state.lock().unwrap();
        state.elapsed += pause;
        state.pauses.push(pause);
        if state.released {
            thread::sleep(pause);
        }
        if let Some((at, _)) = &state.release
            && state.elapsed >= *at
        {
            state.release = None;
            state.released = true;
        }
    }
}

fn busy_waited(err: &Error) -> Duration {
    match err {
        Error::File(FileError {
            problem: FileProblem::Busy { waited },
            ..
        }) => *waited,
        other => panic!("not busy: {other:?}"),
    }
}

#[test]
fn a_second_locker_is_busy_after_the_timeout() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    let held = lock(&path, T).unwrap();
    let clock = FakeClock::new(None);
    let err = lock(&path, clock.wait(Duration::from_millis(300))).unwrap_err();
    // Exactly the timeout: the last pause is cut to what is left of it.
    assert_eq!(busy_waited(&err), Duration::from_millis(300));
    assert_eq!(clock.elapsed(), Duration::from_millis(300));
    // Pauses double from 1 ms up to 25 ms, so a released lock is noticed quickly.
    let pauses = clock.pauses();
    let ms = |n| Duration::from_millis(n);
    assert_eq!(pauses[..6], [ms(1), ms(2), ms(4), ms(8), ms(16), ms(25)]);
    assert!(pauses.iter().all(|p| *p <= ms(25)), "{pauses:?}");
    assert_eq!(err.exit(), Exit::Busy);
    // The folder is named: the lock is on it, and any process that can read it may hold it.
    assert_eq!(file_error(&err).path, dir.path());
    // The lock is on the directory: another file there waits too, by design.
    let sibling = dir.path().join(".env.test");
    assert!(matches!(
        lock(&sibling, Duration::ZERO),
        Err(Error::File(FileError {
            problem: FileProblem::Busy { .. },
            ..
        }))
    ));
    drop(held);
    // Not Duration::ZERO: a child forked by another test in this process shares the directory
    // descriptor until it execs (O_CLOEXEC), which can hold the flock a moment past the drop.
    lock(&path, T).unwrap();
}

#[test]
fn the_system_clock_waits_the_timeout_for_real() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    let _held = lock(&path, T).unwrap();
    let start = Instant::now();
    let err = lock(&path, Duration::from_millis(100)).unwrap_err();
    // A lower bound only: the monotonic clock cannot run backwards, however busy the machine.
    assert!(start.elapsed() >= Duration::from_millis(100));
    assert!(busy_waited(&err) >= Duration::from_millis(100));
}

#[test]
fn a_zero_timeout_tries_once_and_does_not_sleep() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    let _held = lock(&path, T).unwrap();
    let clock = FakeClock::new(None);
    let err = lock(&path, clock.wait(Duration::ZERO)).unwrap_err();
    assert_eq!(busy_waited(&err), Duration::ZERO);
    assert!(clock.pauses().is_empty());
}

#[test]
fn a_waiting_locker_gets_the_lock_when_it_is_released() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    let held = lock(&path, T).unwrap();
    let release = Duration::from_millis(200);
    let clock = FakeClock::new(Some((release, held)));
    let mut told = 0;
    lock_all(
        &[path.as_path()],
        clock.wait(Duration::from_secs(60)),
        &mut |_| told += 1,
    )
    .unwrap();
    // Taken at the first attempt after the release: at most one longest pause later.
    let waited = clock.elapsed();
    assert!(waited >= release, "{waited:?}");
    assert!(waited <= release + Duration::from_millis(25), "{waited:?}");
    assert_eq!(told, 0, "a wait shorter than SLOW_LOCK says nothing");
}

#[test]
fn the_timeout_counts_every_folder_of_one_call() {
    let dir = tempdir();
    fs::create_dir(dir.path().join("a")).unwrap();
    fs::create_dir(dir.path().join("b")).unwrap();
    let mut paths = [dir.path().join("a/.env"), dir.path().join("b/.env")];
    // In lock order (by inode): the first folder is released after 200 ms, the second never.
    paths.sort_by_key(|p| fs::metadata(p.parent().unwrap()).unwrap().ino());
    let first = lock(&paths[0], T).unwrap();
    let _second = lock(&paths[1], T).unwrap();
    let clock = FakeClock::new(Some((Duration::from_millis(200), first)));
    let err = lock_all(
        &[paths[0].as_path(), paths[1].as_path()],
        clock.wait(Duration::from_millis(300)),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err.exit(), Exit::Busy);
    assert_eq!(file_error(&err).path, paths[1].parent().unwrap());
    assert_eq!(
        clock.elapsed(),
        Duration::from_millis(300),
        "300 ms in all, not per folder"
    );
}
/// Locks `path`, reads a decimal counter (absent = 0), writes it back plus one.
fn increment(path: &Path) {
    let locked = lock(path, Duration::from_secs(60)).unwrap();
    let n: u64 = match locked.read().unwrap() {
        Some(bytes) => std::str::from_utf8(&bytes).unwrap().trim().parse().unwrap(),
        None => 0,
    };
    locked.write(format!("{}\n", n + 1).as_bytes()).unwrap();
}

#[test]
fn no_update_is_lost_between_threads() {
    const THREADS: usize = 8;
    const EACH: usize = 25;
    let dir = tempdir();
    let path = Arc::new(dir.path().join("counter"));
    let start = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (path, start) = (Arc::clone(&path), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                for _ in 0..EACH {
                    increment(&path);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = fs::read_to_string(&*path).unwrap();
    assert_eq!(total.trim(), (THREADS * EACH).to_string());
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn no_update_is_lost_between_processes() {
    const PROCESSES: usize = 4;
    const EACH: usize = 25;
    let test = "no_update_is_lost_between_processes";
    if let Some(dir) = child_dir(test) {
        for _ in 0..EACH {
            increment(&dir.join("counter"));
        }
        return;
    }
    let dir = tempdir();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let (dir, exe) = (dir.path().to_path_buf(), exe.clone());
            thread::spawn(move || run_child(test, &dir, &exe, &[]))
        })
        .collect();
    for child in children {
        assert_child_passed(&child.join().unwrap());
    }
    let total = fs::read_to_string(dir.path().join("counter")).unwrap();
    assert_eq!(total.trim(), (PROCESSES * EACH).to_string());
}

// ---------------------------------------------------------------------------------------------
// Failures: clear error naming the path, old file untouched, no temp file left

const SECRET: &[u8] = b"SECRET_KEY=do-not-print-me-4f7a\n";

/// The [`FileError`] inside `err`; the test fails for any other area.
fn file_error(err: &Error) -> &FileError {
    match err {
        Error::File(e) => e,
        other => panic!("not a file error: {other:?}"),
    }
}

fn assert_names_path_not_contents(err: &Error, path: &Path) {
    let shown = format!("{err:?}");
    assert!(shown.contains(&*path.to_string_lossy()), "{shown}");
    assert!(!shown.contains("do-not-print-me"), "{shown}");
}

#[test]
fn a_missing_directory_cannot_be_created_into() {
    let dir = tempdir();
    let path = dir.path().join("no/such/dir/.env");
    let err = lock_and_write(&path, SECRET).unwrap_err();
    assert_eq!(err.exit(), Exit::CantCreate, "{err}");
    assert_names_path_not_contents(&err, &path);
    assert!(
        matches!(&file_error(&err).problem, FileProblem::Os(e) if e.kind() == io::ErrorKind::NotFound),
        "{err:?}"
    );
    assert!(!dir.path().join("no").exists());

    // The same through a dangling link into a missing directory.
    let link = dir.path().join(".env");
    symlink("gone/.env", &link).unwrap();
    let err = lock_and_write(&link, SECRET).unwrap_err();
    assert_eq!(err.exit(), Exit::CantCreate, "{err}");
}

#[test]
fn a_directory_in_place_of_the_file_is_refused() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    fs::create_dir(&path).unwrap();
    let err = lock_and_write(&path, SECRET).unwrap_err();
    assert_eq!(err.exit(), Exit::CantCreate, "{err}");
    assert_names_path_not_contents(&err, &path);
    assert!(path.is_dir());
    assert!(temps(dir.path()).is_empty());
}

#[test]
fn a_read_only_directory_cannot_be_written() {
    let test = "a_read_only_directory_cannot_be_written";
    if let Some(dir) = child_dir(test) {
        let path = dir.join("ro/.env");
        let err = lock_and_write(&path, SECRET).unwrap_err();
        assert_eq!(err.exit(), Exit::CantCreate, "{err}");
        // The folder is named and said to be read-only, not the temporary file.
        let e = file_error(&err);
        assert_eq!(e.path, dir.join("ro"));
        assert!(
            matches!(&e.problem, FileProblem::FolderNotWritable { name, .. } if name.as_os_str() == ".env"),
            "{err:?}"
        );
        assert!(!format!("{err:?}").contains("envmint-tmp"), "{err:?}");
        return;
    }
    if let Err(why) = can_run_as_nobody() {
        return skip(&why);
    }
    let (dir, exe) = world_reachable_copy();
    // Owned by root, 0755: user 65534 may list and enter it but not create files in it.
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    set_mode(&ro, 0o755);
    put(&ro.join(".env"), b"OLD=1\n", 0o644);
    assert_child_passed(&run_child(test, dir.path(), &exe, &AS_NOBODY));
    assert_eq!(fs::read(ro.join(".env")).unwrap(), b"OLD=1\n");
    assert_eq!(mode(&ro.join(".env")), 0o644);
    assert!(temps(&ro).is_empty());
}

#[test]
fn an_unprivileged_user_cannot_take_over_another_users_file() {
    let test = "an_unprivileged_user_cannot_take_over_another_users_file";
    if let Some(dir) = child_dir(test) {
        let path = dir.join("w/.env");
        let err = lock_and_write(&path, SECRET).unwrap_err();
        assert_eq!(err.exit(), Exit::NoPerm, "{err}");
        assert_names_path_not_contents(&err, &path);
        return;
    }
    if let Err(why) = can_run_as_nobody() {
        return skip(&why);
    }
    let (dir, exe) = world_reachable_copy();
    // The directory is writable by 65534, the file in it belongs to root: a rename would work,
    // but would hand root's file to 65534.
    let w = dir.path().join("w");
    fs::create_dir(&w).unwrap();
    chown(&w, Some(NOBODY), Some(NOBODY)).unwrap();
    put(&w.join(".env"), b"OLD=1\n", 0o644);
    assert_child_passed(&run_child(test, dir.path(), &exe, &AS_NOBODY));
    let meta = fs::metadata(w.join(".env")).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (0, 0));
    assert_eq!(fs::read(w.join(".env")).unwrap(), b"OLD=1\n");
    assert!(temps(&w).is_empty());
}

#[test]
fn a_full_disk_leaves_the_old_file_and_no_temp_file_injected() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o600);
    let locked = lock(&path, T).unwrap();
    let mut full = |file: &mut fs::File, contents: &[u8]| {
        file.write_all(&contents[..4])?;
        Err(io::Error::from(io::ErrorKind::StorageFull))
    };
    let err = locked
        .replace(SECRET, Sensitivity::Secret(Mode::Private), &mut full)
        .unwrap_err();
    assert_eq!(err.exit(), Exit::Io, "{err}");
    assert_names_path_not_contents(&err, &path);
    assert_eq!(fs::read(&path).unwrap(), b"OLD=1\n");
    assert!(temps(dir.path()).is_empty());
    // The production fill is the one that was replaced above.
    let mut real = write::write_all;
    locked
        .replace(b"NEW=1\n", Sensitivity::Secret(Mode::Private), &mut real)
        .unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"NEW=1\n");
}

/// Unmounts on drop, so a failing assertion does not leave a mount behind.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_old_file_and_no_temp_file_tmpfs() {
    if !is_root() {
        return skip("needs root to mount a small tmpfs");
    }
    let dir = tempdir();
    let mnt = dir.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k,mode=0755", "envmint-test"])
        .arg(&mnt)
        .output()
        .unwrap();
    if !mounted.status.success() {
        let why = String::from_utf8_lossy(&mounted.stderr);
        return skip(&format!("cannot mount a tmpfs: {}", why.trim()));
    }
    let _mount = Mount(mnt.clone());
    let path = mnt.join(".env");
    put(&path, b"OLD=1\n", 0o600);
    let mut big = SECRET.repeat(1 << 15); // about 1 MiB, far over 64 KiB
    big.extend_from_slice(b"END=1\n");
    let err = lock_and_write(&path, &big).unwrap_err();
    assert_eq!(err.exit(), Exit::Io, "{err}");
    assert!(
        matches!(&err, Error::File(FileError { problem: FileProblem::Os(source), .. }) if source.kind() == io::ErrorKind::StorageFull),
        "{err:?}"
    );
    assert_names_path_not_contents(&err, &path);
    assert_eq!(fs::read(&path).unwrap(), b"OLD=1\n");
    assert!(temps(&mnt).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Symlinks owned by someone else (the kernel's protected_symlinks rule, applied everywhere)

#[test]
fn fail_a_symlink_owned_by_another_user_is_not_followed() {
    let dir = tempdir();
    let victim = dir.path().join("shadow-copy");
    put(&victim, b"root:x:1:\n", 0o640);
    let link = dir.path().join(".env.production.local");
    symlink(&victim, &link).unwrap();
    let (owner, euid) = crate::someone_elses(&link);

    let err = super::lock(&link, &Within::anywhere(euid), T).unwrap_err();
    assert_eq!(err.exit(), Exit::NoPerm, "{err}");
    let e = file_error(&err);
    assert_eq!(e.path, link);
    assert!(
        matches!(e.problem, FileProblem::UntrustedSymlink { owner: o, euid: u } if o == owner && u == euid),
        "{err:?}"
    );
    // Reads refuse it too: a dry run must not read through it either.
    assert_eq!(read_file(&link, euid).unwrap_err().exit(), Exit::NoPerm);
    assert_eq!(fs::read(&victim).unwrap(), b"root:x:1:\n");
    assert_eq!(mode(&victim), 0o640);

    // The same link is followed by its owner (and by anyone when root owns it: the rule's
    // unit test in resolve.rs).
    super::lock(&link, &Within::anywhere(owner), T)
        .unwrap()
        .write(b"A=1\n")
        .unwrap();
    assert_eq!(fs::read(&victim).unwrap(), b"A=1\n");
    assert_eq!(
        read_file(&link, owner).unwrap().unwrap().as_slice(),
        b"A=1\n"
    );
}

#[test]
fn fail_a_foreign_link_anywhere_in_the_chain_is_refused() {
    // The first link must be trusted and the second not: only root can give links to two
    // different users (a made-up uid would refuse the first one already).
    if !is_root() {
        return skip("needs root to give a symlink to user 65534");
    }
    let dir = tempdir();
    let real = dir.path().join("real.env");
    put(&real, b"OLD=1\n", 0o600);
    let middle = dir.path().join("middle");
    symlink(&real, &middle).unwrap();
    std::os::unix::fs::lchown(&middle, Some(NOBODY), Some(NOBODY)).unwrap();
    let first = dir.path().join(".env");
    symlink("middle", &first).unwrap();
    let err = lock_and_write(&first, b"NEW=1\n").unwrap_err();
    assert_eq!(err.exit(), Exit::NoPerm, "{err}");
    assert!(err.to_string().contains("middle"), "{err}");
    assert_eq!(fs::read(&real).unwrap(), b"OLD=1\n");
}

// ---------------------------------------------------------------------------------------------
// Declared modes, mode changes, extended attributes

#[test]
fn a_declared_mode_is_applied_and_mode_changes_are_reported() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    // New file, declared 0640: no change to report (there was no old mode).
    let w = lock(&path, T)
        .unwrap()
        .write_with_mode(b"A=1\n", Mode::Declared(0o640))
        .unwrap();
    assert_eq!(mode(&path), 0o640);
    assert_eq!(w.mode_change, None);
    assert!(w.written);
    // The default narrows 0640 to 0600 and says so.
    let w = lock(&path, T)
        .unwrap()
        .write_with_mode(b"A=2\n", Mode::Private)
        .unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(w.mode_change, Some((0o640, 0o600)));
    // Unchanged mode: nothing to report.
    let w = lock(&path, T)
        .unwrap()
        .write_with_mode(b"A=3\n", Mode::Private)
        .unwrap();
    assert_eq!(w.mode_change, None);
    // A declared mode wins over a stricter old one.
    set_mode(&path, 0o400);
    let w = lock(&path, T)
        .unwrap()
        .write_with_mode(b"A=4\n", Mode::Declared(0o640))
        .unwrap();
    assert_eq!(mode(&path), 0o640);
    assert_eq!(w.mode_change, Some((0o400, 0o640)));
}

#[test]
fn user_extended_attributes_are_kept() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o600);
    if let Err(e) = xattr::set(&path, "user.envmint-test", b"kept") {
        return skip(&format!("the file system refuses user.* xattrs: {e}"));
    }
    lock_and_write(&path, b"NEW=1\n").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"NEW=1\n");
    assert_eq!(
        xattr::get(&path, "user.envmint-test").unwrap().as_deref(),
        Some(&b"kept"[..])
    );
}

#[test]
fn a_posix_acl_is_kept() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    put(&path, b"OLD=1\n", 0o640);
    let setfacl = Command::new("setfacl")
        .args(["-m", "u:65534:r"])
        .arg(&path)
        .output();
    match setfacl {
        Err(e) => return skip(&format!("cannot run setfacl (apt package acl): {e}")),
        Ok(out) if !out.status.success() => {
            let why = String::from_utf8_lossy(&out.stderr);
            return skip(&format!("setfacl failed: {}", why.trim()));
        }
        Ok(_) => {}
    }
    let acl = |p: &Path| xattr::get(p, "system.posix_acl_access").unwrap();
    let before = acl(&path).expect("setfacl wrote an ACL");
    // A declared 0640 keeps the ACL's mask (the group bits) as it was.
    lock(&path, T)
        .unwrap()
        .write_with_mode(b"NEW=1\n", Mode::Declared(0o640))
        .unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"NEW=1\n");
    assert_eq!(acl(&path).as_deref(), Some(before.as_slice()));
    let getfacl = Command::new("getfacl")
        .arg("-c")
        .arg(&path)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&getfacl.stdout);
    assert!(
        listed.contains("user:nobody:r--") || listed.contains("user:65534:r--"),
        "{listed}"
    );
}

// ---------------------------------------------------------------------------------------------
// Group commit

#[test]
fn fail_a_group_commit_that_fails_before_the_renames_writes_nothing() {
    let dir = tempdir();
    fs::create_dir(dir.path().join("b")).unwrap();
    let a = dir.path().join(".env.a");
    let b = dir.path().join("b/.env.b");
    let c = dir.path().join(".env.c");
    put(&a, b"A=old\n", 0o600);
    let paths = [a.as_path(), b.as_path(), c.as_path()];
    let locked = lock_all(&paths, T, &mut |_| {}).unwrap();
    let changes: Vec<Change<'_>> = locked
        .iter()
        .map(|l| Change {
            file: l,
            contents: b"NEW=1\n",
            mode: Mode::Private,
        })
        .collect();
    // The third file's temp file fails the way a full disk does.
    let mut calls = 0;
    let mut third_fails = |file: &mut fs::File, contents: &[u8]| {
        calls += 1;
        if calls == 3 {
            return Err(io::Error::from(io::ErrorKind::StorageFull));
        }
        file.write_all(contents)
    };
    let err = commit_with(&changes, &mut third_fails).unwrap_err();
    assert_eq!(err.error.exit(), Exit::Io);
    assert!(err.written.iter().all(|w| !w.written), "{:?}", err.written);
    assert_eq!(fs::read(&a).unwrap(), b"A=old\n");
    assert!(!b.exists() && !c.exists());
    assert!(temps(dir.path()).is_empty());
    assert!(temps(&dir.path().join("b")).is_empty());

    let done = commit(&changes).unwrap();
    assert!(done.iter().all(|w| w.written));
    for p in paths {
        assert_eq!(fs::read(p).unwrap(), b"NEW=1\n");
        assert_eq!(mode(p), 0o600);
    }
}

#[test]
fn files_of_one_folder_share_one_lock_and_folders_lock_in_a_fixed_order() {
    let dir = tempdir();
    fs::create_dir(dir.path().join("x")).unwrap();
    let one = dir.path().join(".env.one");
    let two = dir.path().join(".env.two");
    let other = dir.path().join("x/.env");
    let spelled = dir.path().join("x/../.env.three");
    let locked = lock_all(
        &[
            one.as_path(),
            other.as_path(),
            two.as_path(),
            spelled.as_path(),
        ],
        Duration::ZERO,
        &mut |_| {},
    )
    .unwrap();
    assert!(Arc::ptr_eq(&locked[0].dir, &locked[2].dir));
    assert!(
        Arc::ptr_eq(&locked[0].dir, &locked[3].dir),
        "x/.. is the same folder"
    );
    assert!(!Arc::ptr_eq(&locked[0].dir, &locked[1].dir));
    assert!(!locked[0].same_file(&locked[2]));
    // Both folders are held while the values live.
    assert!(matches!(
        lock(&other, Duration::ZERO),
        Err(Error::File(FileError {
            problem: FileProblem::Busy { .. },
            ..
        }))
    ));
    assert!(matches!(
        lock(&one, Duration::ZERO),
        Err(Error::File(FileError {
            problem: FileProblem::Busy { .. },
            ..
        }))
    ));
    drop(locked);
    // One file named two ways is one file.
    let again = dir.path().join("x/../.env.one");
    let twice = lock_all(&[one.as_path(), again.as_path()], T, &mut |_| {}).unwrap();
    assert!(twice[0].same_file(&twice[1]));
}

#[test]
fn a_slow_lock_calls_the_notifier_once_with_the_folder() {
    let dir = tempdir();
    let path = dir.path().join(".env");
    let held = lock(&path, T).unwrap();
    let release = SLOW_LOCK + Duration::from_millis(400);
    let clock = FakeClock::new(Some((release, held)));
    let mut told = Vec::new();
    lock_all(&[path.as_path()], clock.wait(T), &mut |dir| {
        told.push((dir.to_path_buf(), clock.elapsed()))
    })
    .unwrap();
    assert!(clock.elapsed() >= release);
    assert_eq!(
        told.len(),
        1,
        "once, though the wait went on after it: {told:?}"
    );
    assert_eq!(told[0].0, dir.path());
    // Told at the first attempt after SLOW_LOCK.
    let at = told[0].1;
    assert!(
        at >= SLOW_LOCK && at <= SLOW_LOCK + Duration::from_millis(25),
        "{at:?}"
    );
    // A free lock says nothing.
    let mut quiet = 0;
    lock_all(&[path.as_path()], T, &mut |_| quiet += 1).unwrap();
    assert_eq!(quiet, 0);
}

#[test]
fn fail_a_link_re_pointed_after_the_check_is_refused_under_the_lock() {
    // The manifest was checked with `out -> in` (inside); then, before the write, someone
    // re-points it outside. The bounds are checked again on the real target under the lock.
    let top = TempDir::new().unwrap();
    let repo = top.path().join("repo");
    fs::create_dir_all(repo.join("in")).unwrap();
    fs::create_dir_all(top.path().join("victim")).unwrap();
    let link = repo.join("out");
    symlink("in", &link).unwrap();
    let within = Within::folder(&repo, &[], crate::test_euid());
    let path = repo.join("out/app.env");
    within.check_path(&path).unwrap();
    fs::remove_file(&link).unwrap();
    symlink("../victim", &link).unwrap();
    let err = super::lock(&path, &within, T).unwrap_err();
    assert_eq!(err.exit(), Exit::NoPerm);
    assert!(
        matches!(
            &err,
            Error::File(FileError {
                problem: FileProblem::Outside { .. },
                ..
            })
        ),
        "{err:?}"
    );
    assert!(
        fs::read_dir(top.path().join("victim"))
            .unwrap()
            .next()
            .is_none()
    );
    // Pointed back inside, the same lock and write go through.
    fs::remove_file(&link).unwrap();
    symlink("in", &link).unwrap();
    super::lock(&path, &within, T)
        .unwrap()
        .write(b"A=1\n")
        .unwrap();
    assert_eq!(fs::read(repo.join("in/app.env")).unwrap(), b"A=1\n");
}

#[test]
fn a_folder_swapped_for_a_link_after_the_lock_does_not_move_the_read_or_the_write() {
    let dir = tempdir();
    let app = dir.path().join("app");
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&app).unwrap();
    fs::create_dir(&elsewhere).unwrap();
    put(&app.join(".env"), b"A=checked\n", 0o600);
    put(&elsewhere.join(".env"), b"A=planted\n", 0o600);
    let locked = lock(&app.join(".env"), T).unwrap();
    // Between the check (under the lock) and the write: `app` becomes a link elsewhere.
    fs::rename(&app, dir.path().join("moved")).unwrap();
    symlink(&elsewhere, &app).unwrap();
    assert_eq!(locked.read().unwrap().unwrap().as_slice(), b"A=checked\n");
    locked.write(b"A=new\n").unwrap();
    assert_eq!(fs::read(dir.path().join("moved/.env")).unwrap(), b"A=new\n");
    assert_eq!(fs::read(elsewhere.join(".env")).unwrap(), b"A=planted\n");
    assert!(temps(&elsewhere).is_empty());
    // Errors still name the file as the caller did, not the descriptor's path.
    assert_eq!(locked.path(), app.join(".env"));
}

// ---------------------------------------------------------------------------------------------
// The owner rules with an injected effective user id: run by any user, not only by root

#[test]
fn fail_another_users_file_in_a_sticky_folder_is_not_replaced() {
    let dir = tempdir();
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    let path = shared.join("out.env");
    put(&path, b"PLANTED=1\n", 0o600);
    let (owner, euid) = crate::someone_elses(&path);
    let err = super::lock(&path, &Within::anywhere(euid), T)
        .unwrap()
        .write(b"A=1\n")
        .unwrap_err();
    assert_eq!(err.exit(), Exit::NoPerm, "{err}");
    let e = file_error(&err);
    assert_eq!(e.path, path);
    assert!(
        matches!(e.problem, FileProblem::Planted { owner: o, euid: u } if o == owner && u == euid),
        "{err:?}"
    );
    assert_eq!(fs::read(&path).unwrap(), b"PLANTED=1\n");
    assert!(temps(&shared).is_empty());
    // Its owner replaces it.
    super::lock(&path, &Within::anywhere(owner), T)
        .unwrap()
        .write(b"A=1\n")
        .unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"A=1\n");
}

#[test]
fn fail_a_folder_symlink_another_user_owns_is_not_followed() {
    let top = tempdir();
    let repo = top.path().join("repo");
    fs::create_dir_all(repo.join("sub")).unwrap();
    let keys = repo.join("keys");
    symlink("sub", &keys).unwrap();
    let (owner, euid) = crate::someone_elses(&keys);
    let path = repo.join("keys/p.txt");
    let err = Within::folder(&repo, &[], euid)
        .check_path(&path)
        .unwrap_err();
    assert_eq!(err.exit(), Exit::NoPerm, "{err}");
    let e = file_error(&err);
    assert_eq!(e.path, keys);
    assert!(
        matches!(e.problem, FileProblem::UntrustedSymlink { owner: o, euid: u } if o == owner && u == euid),
        "{err:?}"
    );
    assert!(super::real_target(&path, euid, None).is_err());
    // Its owner follows it, into the folder.
    let real = fs::canonicalize(&repo).unwrap().join("sub/p.txt");
    assert_eq!(super::real_target(&path, owner, None).unwrap(), real);
    assert_eq!(
        Within::folder(&repo, &[], owner).check_path(&path).unwrap(),
        real
    );
}

#[test]
fn fail_a_streamed_write_whose_fill_fails_returns_that_error_and_keeps_the_old_file() {
    let dir = tempdir();
    let path = dir.path().join("out.env");
    put(&path, b"OLD=1\n", 0o600);
    let locked = lock(&path, T).unwrap();
    let err = locked
        .write_streamed(&mut |out| {
            out.write_all(b"NEW=2\n").unwrap();
            Err(Error::caller(
                io::Error::other("the identity does not open this file"),
                Exit::DataErr,
            ))
        })
        .unwrap_err();
    // The fill's own error, whole: not the writer's stand-in for it.
    assert_eq!(err.to_string(), "the identity does not open this file");
    assert_eq!(err.exit(), Exit::DataErr);
    assert_eq!(fs::read(&path).unwrap(), b"OLD=1\n");
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}
