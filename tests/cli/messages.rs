//! The sentences users read, as exact text: every error with its hint, and the summaries of
//! `init` and `bootstrap`, each compared with its snapshot file in `tests/cli/snapshots/`.
//! A change of wording is a visible diff there; after a deliberate one,
//! `SNAPSHOTS=overwrite cargo test --test cli messages` rewrites the files to review.
//!
//! Each case also pins the exit code and, for errors, that nothing reached stdout.

use crate::common::{Test, assert_stderr_snapshot, envmint};

/// A one-environment manifest with secret `K` declared by `secret` (TOML lines).
fn manifest(secret: &str) -> String {
    format!("[environments.production]\n[secrets.K]\n{secret}")
}

/// `#[test] fn NAME`: runs the test, expects exit `CODE`, an empty stdout, and stderr equal to
/// `snapshots/AREA/NAME.stderr`.
macro_rules! error {
    ($area:literal, $name:ident, $code:literal, $test:expr) => {
        #[test]
        fn $name() {
            let out = $test.status($code);
            assert_eq!(out.stdout(), "", "{}", out.describe());
            assert_stderr_snapshot(&out, concat!($area, "/", stringify!($name)));
        }
    };
}

/// Like `error!` for a run that succeeds (exit 0) and whose summary is on stderr; stdout is
/// not checked (`gen` prints values there).
macro_rules! summary {
    ($area:literal, $name:ident, $test:expr) => {
        #[test]
        fn $name() {
            let out = $test.status(0);
            assert_stderr_snapshot(&out, concat!($area, "/", stringify!($name)));
        }
    };
}

// --- gen -------------------------------------------------------------------------------------

error!("gen", gen_unknown_kind, 2, envmint(["gen", "hexx"]));
error!(
    "gen",
    gen_length_on_a_byte_kind,
    2,
    envmint(["gen", "hex", "--length", "10"])
);
error!(
    "gen",
    gen_bytes_on_an_alphabet_kind,
    2,
    envmint(["gen", "alnum", "--bytes", "8"])
);
error!(
    "gen",
    gen_weak_bytes,
    2,
    envmint(["gen", "hex", "--bytes", "8"])
);
error!(
    "gen",
    gen_weak_length,
    2,
    envmint(["gen", "alnum", "--length", "1"])
);
error!(
    "gen",
    gen_zero_bytes,
    2,
    envmint(["gen", "hex", "--bytes", "0"])
);
error!(
    "gen",
    gen_zero_length,
    2,
    envmint(["gen", "alnum", "--length", "0"])
);
error!(
    "gen",
    gen_zero_bits,
    2,
    envmint(["gen", "hex", "--bits", "0"])
);
error!(
    "gen",
    gen_too_many_bytes,
    2,
    envmint(["gen", "hex", "--bytes", "99999999"])
);
error!(
    "gen",
    gen_too_many_bits,
    2,
    envmint(["gen", "hex", "--bits", "100000000"])
);
error!(
    "gen",
    gen_alphabet_repeats,
    2,
    envmint(["gen", "--alphabet", "aab", "--length", "100"])
);
error!(
    "gen",
    gen_alphabet_of_one,
    2,
    envmint(["gen", "--alphabet", "a", "--length", "100"])
);
error!(
    "gen",
    gen_alphabet_with_a_newline,
    2,
    envmint(["gen", "--alphabet", "ab\nc", "--length", "200"])
);
error!(
    "gen",
    gen_kind_and_alphabet,
    2,
    envmint(["gen", "hex", "--alphabet", "abc"])
);
error!(
    "gen",
    gen_bits_and_length,
    2,
    envmint(["gen", "password", "--bits", "100", "--length", "5"])
);
error!("gen", unknown_subcommand, 2, envmint(["frob"]));

// --- init ------------------------------------------------------------------------------------

summary!("init", init_summary_fresh, envmint(["init"]));
summary!(
    "init",
    init_summary_again,
    Test::new().arg("init").status(0).then().arg("init")
);
error!(
    "init",
    init_missing_folder,
    73,
    envmint(["init", "--manifest", "nope/envmint.toml"])
);
error!(
    "init",
    init_manifest_twice,
    2,
    envmint(["init", "--manifest", "a.toml", "--manifest", "b.toml"])
);
error!(
    "init",
    init_gitignore_not_utf8,
    65,
    Test::new().write(".gitignore", b"\xff\n").arg("init")
);
#[test]
fn init_manifest_is_a_folder() {
    // The .gitignore is written first, so its line precedes the error.
    let out = Test::new()
        .write("d/x", "")
        .args(["init", "--manifest", "d"])
        .status(65);
    assert_stderr_snapshot(&out, "init/init_manifest_is_a_folder");
}

// --- bootstrap -------------------------------------------------------------------------------

summary!(
    "bootstrap",
    bootstrap_summary_created,
    envmint(["bootstrap", "production"])
);
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
summary!(
    "bootstrap",
    bootstrap_summary_with_a_manifest,
    Test::new()
        .write("envmint.toml", manifest("kind = \"alnum\"\nlength = 40\n"))
        .args(["bootstrap", "production"])
);
error!(
    "bootstrap",
    bootstrap_missing_environment,
    2,
    envmint(["bootstrap"])
);
error!(
    "bootstrap",
    bootstrap_unknown_environment,
    2,
    envmint(["bootstrap", "prod"])
);
error!(
    "bootstrap",
    bootstrap_unknown_environment_in_a_manifest,
    2,
    Test::new()
        .write("envmint.toml", "[environments.qa]\n[environments.live]\n")
        .args(["bootstrap", "production"])
);
error!(
    "bootstrap",
    bootstrap_manifest_not_found,
    66,
    envmint(["bootstrap", "production", "--manifest", "nope.toml"])
);
error!(
    "bootstrap",
    bootstrap_file_not_utf8,
    65,
    Test::new()
        .write(".env.production.local", b"A=1\nB=\xff\n")
        .args(["bootstrap", "production"])
);
error!(
    "bootstrap",
    bootstrap_missing_folder,
    73,
    Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \"nope/x.env\"\n"
        )
        .args(["bootstrap", "production"])
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

// --- the manifest ----------------------------------------------------------------------------

error!(
    "manifest",
    manifest_bytes_as_text,
    65,
    Test::new()
        .write("envmint.toml", manifest("kind = \"hex\"\nbytes = \"32\"\n"))
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_negative_bytes,
    65,
    Test::new()
        .write("envmint.toml", manifest("kind = \"hex\"\nbytes = -1\n"))
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_weak_secret,
    65,
    Test::new()
        .write("envmint.toml", manifest("kind = \"hex\"\nbytes = 8\n"))
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_rotate_every_as_a_number,
    65,
    Test::new()
        .write(
            "envmint.toml",
            "[defaults]\nrotate_every = 90\n[environments.production]\n"
        )
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_unknown_field_in_defaults,
    65,
    Test::new()
        .write(
            "envmint.toml",
            "[defaults]\nrotate_every = \"90d\"\n[defaults.x]\n[environments.production]\n"
        )
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_unknown_kind,
    65,
    Test::new()
        .write("envmint.toml", manifest("kind = \"hexx\"\n"))
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_undeclared_environment,
    65,
    Test::new()
        .write("envmint.toml", manifest("environments = [\"prod\"]\n"))
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_not_toml,
    65,
    Test::new()
        .write("envmint.toml", "[environments.production\n")
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_length_on_a_byte_kind,
    65,
    Test::new()
        .write("envmint.toml", manifest("kind = \"hex\"\nlength = 40\n"))
        .args(["bootstrap", "production"])
);
error!(
    "manifest",
    manifest_file_outside_its_folder,
    65,
    Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \"../x.env\"\n"
        )
        .args(["bootstrap", "production"])
);

/// The snapshots are files: a deleted or renamed test must not leave one behind unnoticed.
#[test]
fn every_snapshot_has_its_test() {
    let source = [
        include_str!("messages.rs"),
        include_str!("gen.rs"),
        include_str!("manifest.rs"),
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
