//! Checks of the e2e builder in tests/common itself, so that tests built on it (gen today,
//! bootstrap next) can trust its file, mode, environment and stdin helpers.

use crate::common;

use common::Test;

#[test]
fn write_creates_files_and_directories_in_a_fresh_cwd() {
    let test = Test::new()
        .write(".env", "A=1\n")
        .write("config/nested/envmint.toml", b"x = 1\n");
    assert!(test.dir().is_absolute());
    let out = test.args(["gen", "hex"]).status(0);
    assert_eq!(out.read(".env"), "A=1\n");
    assert_eq!(out.read("config/nested/envmint.toml"), "x = 1\n");
    assert!(out.exists("config/nested"));
    assert!(!out.exists(".env.production.local"));
    assert_eq!(out.files(), [".env", "config"]);
}

#[cfg(unix)]
#[test]
fn mode_reads_permission_bits() {
    let out = Test::new()
        .write("a", "")
        .chmod("a", 0o640)
        .write("b", "")
        .chmod("b", 0o600)
        .args(["gen"])
        .status(0);
    assert_eq!(out.mode("a"), 0o640);
    assert_eq!(out.mode("b"), 0o600);
}

#[test]
fn then_runs_again_in_the_same_directory_with_fresh_arguments() {
    let first = Test::new()
        .write("keep", "1")
        .args(["gen", "hex"])
        .status(0);
    let dir = first.dir().to_path_buf();
    let second = first.then().args(["gen", "alnum"]).status(0);
    assert_eq!(second.dir(), dir);
    assert_eq!(second.read("keep"), "1");
    assert_eq!(
        second.lines()[0].len(),
        43,
        "alnum, not hex: arguments were reset"
    );
}

#[test]
fn the_temp_dir_is_removed_when_the_output_is_dropped() {
    let out = Test::new().args(["gen"]).status(0);
    let dir = out.dir().to_path_buf();
    assert!(dir.exists());
    drop(out);
    assert!(!dir.exists());
}

#[test]
fn stdin_and_env_are_passed_and_status_reports_the_code() {
    // A program that reads both: the variable is echoed, stdin is counted (900 KB, more than a
    // pipe buffer, so a builder that wrote stdin before reading stdout would hang).
    let out = Test::new()
        .stdin("line one\n".repeat(100_000))
        .env("HARNESS_VALUE", "from the builder")
        .program("sh")
        .args(["-c", "echo \"$HARNESS_VALUE\"; wc -c | tr -d ' '; exit 3"])
        .status(3);
    assert_eq!(out.lines(), ["from the builder", "900000"]);
    assert_eq!(out.code(), 3);
    // The builder drops inherited ENVMINT_* variables, never the ones a test sets.
    let out = Test::new()
        .env("ENVMINT_LOCK_TIMEOUT", "7")
        .program("sh")
        .args(["-c", "echo \"${ENVMINT_LOCK_TIMEOUT-unset}\""])
        .status(0);
    assert_eq!(out.lines(), ["7"]);
    // And the envmint binary itself: the code is reported, the command line described.
    let out = Test::new().args(["gen", "--bytes", "0"]).status(2);
    assert_eq!(out.code(), 2);
    assert!(out.describe().contains("envmint gen --bytes 0"));
}

#[test]
#[should_panic(expected = "expected exit 0, got")]
fn status_panics_with_the_output_on_a_wrong_code() {
    Test::new().args(["gen", "--bytes", "0"]).status(0);
}

#[test]
fn cwd_program_and_wrapper_shape_the_command_and_then_resets_them() {
    let out = Test::new()
        .write("sub/dir/.keep", "")
        .cwd("sub/dir")
        .wrapper(["env", "HARNESS_CHECK=wrapped"])
        .program("sh")
        .args(["-c", "pwd; echo \"$HARNESS_CHECK\"; echo \"$0\""])
        .status(0);
    let lines = out.lines();
    assert_eq!(
        std::path::Path::new(lines[0]).canonicalize().unwrap(),
        out.dir().canonicalize().unwrap().join("sub/dir")
    );
    assert_eq!(lines[1], "wrapped");
    assert_eq!(lines[2], "sh");
    assert!(
        out.describe()
            .starts_with("command: env HARNESS_CHECK=wrapped sh -c "),
        "{}",
        out.describe()
    );
    // `then` runs envmint again, in the temp dir itself, without the wrapper.
    let again = out.then().args(["gen", "hex"]).status(0);
    assert_eq!(again.lines()[0].len(), 64);
    assert!(again.describe().starts_with("command: envmint gen hex"));
}

#[test]
fn bytes_reads_raw_file_contents() {
    let out = Test::new()
        .write("raw", b"A=\xff\r\n")
        .args(["gen"])
        .status(0);
    assert_eq!(out.bytes("raw"), b"A=\xff\r\n");
}

#[test]
fn stderr_is_and_stdout_is_compare_whole_texts_with_the_dir_written_dir() {
    let out = Test::new()
        .program("sh")
        .args(["-c", "echo \"in $PWD/x\" >&2; echo out"])
        .status(0);
    out.stderr_is(snapbox::str![[r#"
in [DIR]/x

"#]]);
    out.stdout_is(snapbox::str![[r#"
out

"#]]);
}

#[test]
#[should_panic]
fn stderr_is_fails_on_a_part_of_the_text() {
    let out = Test::new()
        .program("sh")
        .args(["-c", "echo 'hint: two' >&2"])
        .status(0);
    out.stderr_is(snapbox::str!["hint:"]);
}
