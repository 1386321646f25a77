//! The sentences users read that a case file can't hold, as exact text, each compared with
//! its snapshot file in `tests/cli/snapshots/`: runs that take two commands (`init` again,
//! `bootstrap` of a kept file), a file whose mode is set first, and a lock held by the test.
//! Every other message is a case file under `tests/cli/cmd/` (see `cases.rs`).
//! A change of wording is a visible diff there; after a deliberate one,
//! `SNAPSHOTS=overwrite cargo test --test cli messages` rewrites the files to review.
//!
//! Each case also pins the exit code and, for the lock's error, that nothing reached stdout.

use crate::common::{Test, assert_stderr_snapshot};

/// `#[test] fn NAME`: runs the test, expects exit 0 and stderr (the summary) equal to
/// `snapshots/AREA/NAME.stderr`; stdout is not checked.
macro_rules! summary {
    ($area:literal, $name:ident, $test:expr) => {
        #[test]
        fn $name() {
            let out = $test.status(0);
            assert_stderr_snapshot(&out, concat!($area, "/", stringify!($name)));
        }
    };
}

// --- init ------------------------------------------------------------------------------------

summary!(
    "init",
    init_summary_again,
    Test::new().arg("init").status(0).then().arg("init")
);

// --- bootstrap -------------------------------------------------------------------------------

summary!(
    "bootstrap",
    bootstrap_summary_kept,
    Test::new()
        .args(["bootstrap", "production"])
        .status(0)
        .then()
        .args(["bootstrap", "production"])
);
summary!(
    "bootstrap",
    bootstrap_summary_dry_run_and_mode,
    Test::new()
        .write(".env.staging.local", "OTHER=1\n")
        .chmod(".env.staging.local", 0o644)
        .args(["bootstrap", "staging", "development", "--dry-run"])
);
summary!(
    "bootstrap",
    bootstrap_summary_added_and_mode_fixed,
    Test::new()
        .write(".env.staging.local", "OTHER=1\n")
        .chmod(".env.staging.local", 0o644)
        .args(["bootstrap", "staging"])
);
#[test]
fn bootstrap_summary_weak_values() {
    // Kept weak values are exit 1, with a warning per value and one hint.
    let out = Test::new()
        .write(
            ".env.production.local",
            "SECRET_KEY=changeme\nDB_PASSWORD=short\n",
        )
        .chmod(".env.production.local", 0o644)
        .args(["bootstrap", "production"])
        .status(1);
    assert_stderr_snapshot(&out, "bootstrap/bootstrap_summary_weak_values");
}
summary!(
    "bootstrap",
    bootstrap_summary_replace_weak,
    Test::new()
        .write(
            ".env.production.local",
            "SECRET_KEY=changeme\nDB_PASSWORD=short\n"
        )
        .chmod(".env.production.local", 0o644)
        .args(["bootstrap", "production", "--replace-weak"])
);
#[test]
fn bootstrap_locked() {
    let test = Test::new().env("ENVMINT_LOCK_TIMEOUT", "0");
    let lock = std::fs::File::open(test.dir()).unwrap();
    lock.lock().unwrap();
    let out = test.args(["bootstrap", "production"]).status(75);
    drop(lock);
    assert_eq!(out.stdout(), "", "{}", out.describe());
    assert_stderr_snapshot(&out, "bootstrap/bootstrap_locked");
}

/// The snapshots are files: a deleted or renamed test must not leave one behind unnoticed.
#[test]
fn every_snapshot_has_its_test() {
    let source = [
        include_str!("messages.rs"),
        include_str!("gen.rs"),
        include_str!("manifest.rs"),
        include_str!("export.rs"),
        include_str!("status.rs"),
        include_str!("plan.rs"),
        include_str!("rotate.rs"),
    ]
    .concat();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/snapshots");
    for area in std::fs::read_dir(&dir).unwrap() {
        for file in std::fs::read_dir(area.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                source.contains(name.as_str()),
                "{} is not used by any test",
                path.display()
            );
        }
    }
}
