//! `envmint run`: the values reach the command's environment and nothing else (not its
//! command line, not a file), envmint becomes the command (exec: same process, its signals and
//! status), and the shell's 126/127 when it cannot.

use crate::common;
use crate::export::{FILE, NASTY, project, sealed};

use common::BIN;
use snapbox::str;
use std::collections::BTreeMap;

/// `sh -c SCRIPT` as the command, with the environment as `env -0` prints it on stdout.
fn env_of(out: &common::Output) -> BTreeMap<String, String> {
    out.stdout()
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn every_value_of_the_file_reaches_the_command_exactly() {
    let out = project(NASTY)
        .args(["run", "production", "--", "env", "-0"])
        .status(0);
    let env = env_of(&out);
    for (k, _, v) in NASTY {
        assert_eq!(env.get(*k).map(String::as_str), Some(*v), "{k}");
    }
    assert!(out.stderr().is_empty(), "{}", out.describe());
    assert!(!out.exists(".env.production.local.tmp"));
}

#[test]
fn exit_codes_are_the_commands_or_the_shells() {
    let out = project(NASTY)
        .args(["run", "production", "--", "true"])
        .status(0);
    let out = out
        .then()
        .args(["run", "production", "--", "sh", "-c", "exit 3"])
        .status(3);
    let out = out
        .then()
        .args(["run", "production", "--", "no-such-command-envmint"])
        .status(127);
    out.stderr_is(str![[r#"
error: no-such-command-envmint: command not found
hint: check the name, or give its path; PATH is searched for names without a `/`

"#]]);
    let out = out
        .then()
        .write("script.txt", "echo hi\n")
        .chmod("script.txt", 0o644)
        .args(["run", "production", "--", "./script.txt"])
        .status(126);
    out.stderr_is(str![[r#"
error: ./script.txt: permission denied (not an executable file)
hint: chmod +x it, or run it through its interpreter (-- sh ./script.txt)

"#]]);
    // Errors before the command runs are envmint's own.
    let out = out.then().args(["run", "nowhere", "--", "true"]).status(2);
    // Its words are the case file bootstrap/unknown_environment_in_a_manifest's.
    assert_eq!(out.stdout(), "");
    let out = out.then().args(["run", "production"]).status(2);
    out.stderr_is(str![[r#"
error: the following required arguments were not provided:
  <COMMAND>...

Usage: envmint run <ENV> -- <COMMAND>...

For more information, try '--help'.

"#]]);
}

#[test]
fn envmint_becomes_the_command_so_sigterm_gives_143_to_the_callers_shell() {
    // The command kills itself with SIGTERM: with exec there is no envmint left to turn the
    // signal into an exit code, so the shell sees a death by signal 15 (128 + 15).
    let script = "\"$0\" run production -- sh -c 'kill -TERM $$'; echo \"status=$?\"";
    let out = project(NASTY)
        .program("sh")
        .args(["-c", script, BIN])
        .status(0);
    assert_eq!(out.stdout(), "status=143\n", "{}", out.describe());
    // Same process: the command's pid is the one the shell started envmint as.
    let script = "\"$0\" run production -- sh -c 'echo $$' & echo $!; wait";
    let out = out.then().program("sh").args(["-c", script, BIN]).status(0);
    let lines = out.lines();
    assert_eq!(lines.len(), 2, "{}", out.describe());
    assert_eq!(
        lines[0], lines[1],
        "the command runs in envmint's own process"
    );
}

#[test]
fn values_are_in_the_environment_and_never_in_the_command_line() {
    let script = "tr '\\0' '\\n' < /proc/$$/cmdline; echo ---; tr '\\0' '\\n' < /proc/$$/environ";
    let out = project(NASTY)
        .args(["run", "production", "--", "sh", "-c", script])
        .status(0);
    let (cmdline, environ) = out.stdout().split_once("---\n").unwrap();
    assert!(environ.contains("PLAIN=abc123\n"), "{environ}");
    assert!(environ.contains("DECLARED=d3cl4red-value\n"), "{environ}");
    for (k, _, v) in NASTY {
        if v.len() > 3 {
            assert!(
                !cmdline.contains(v),
                "{k} is in the command line: {cmdline}"
            );
        }
    }
}

#[test]
fn variables_already_set_are_kept_unless_override() {
    let test = project(NASTY).env("PLAIN", "from-the-caller");
    let out = test
        .args([
            "-v",
            "run",
            "production",
            "--",
            "printenv",
            "PLAIN",
            "DECLARED",
        ])
        .status(0);
    assert_eq!(out.lines(), ["from-the-caller", "d3cl4red-value"]);
    out.stderr_is(str![[r#"
production: 17 variables added from .env.production.local
production: kept 1 variable already set (--override replaces them): PLAIN

"#]]);
    assert!(!out.stderr().contains("abc123"));
    let out = out
        .then()
        .args(["run", "production", "--override", "--", "printenv", "PLAIN"])
        .status(0);
    assert_eq!(out.lines(), ["abc123"]);
    assert!(out.stderr().is_empty(), "{}", out.describe());
}

#[test]
fn a_variable_kept_from_the_callers_shell_is_named_without_v() {
    // A development value in the shell must not reach a production command unnoticed.
    let out = project(NASTY)
        .env("PLAIN", "from-the-caller")
        .args(["run", "production", "--", "printenv", "PLAIN"])
        .status(0);
    assert_eq!(out.lines(), ["from-the-caller"]);
    out.stderr_is(str![[r#"
production: kept 1 variable already set (--override replaces them): PLAIN

"#]]);
    assert!(
        !out.stderr().contains("from-the-caller"),
        "{}",
        out.describe()
    );
}

/// A file whose lines would make the command run code that is not its own.
const LOADERS: &str = "PLAIN=abc123\nDECLARED=d3cl4red-value\nLD_PRELOAD=./evil.so\n\
                       BASH_ENV=./evil.sh\nPATH=./bin\nNODE_OPTIONS=--require=./evil.js\n\
                       PYTHONPATH=./evil\nENV=./evil.sh\n";

#[test]
fn loader_and_shell_start_up_variables_from_the_file_are_held_back_and_named() {
    let test = common::Test::new()
        .write("envmint.toml", crate::export::MANIFEST)
        .write(crate::export::FILE, LOADERS)
        .chmod(crate::export::FILE, 0o600)
        .write("evil.sh", "echo RAN-EVIL\n");
    // bash reads BASH_ENV before running a script: had it passed, RAN-EVIL would be printed.
    let script = "printf '%s|' \"${LD_PRELOAD-unset}\" \"${NODE_OPTIONS-unset}\" \
                  \"${PYTHONPATH-unset}\" \"${ENV-unset}\" \"$PLAIN\"";
    let out = test
        .args([
            "run",
            "production",
            "--override",
            "--",
            "bash",
            "-c",
            script,
        ])
        .status(0);
    assert_eq!(
        out.stdout(),
        "unset|unset|unset|unset|abc123|",
        "{}",
        out.describe()
    );
    out.stderr_is(str![[r#"
production: held back 6 variables from the file (they make programs load or run code; --allow-var NAME passes one): LD_PRELOAD, BASH_ENV, PATH, NODE_OPTIONS, PYTHONPATH, ENV

"#]]);
    assert!(
        !out.stderr().contains("evil"),
        "names only: {}",
        out.describe()
    );
    // PATH is the caller's, even with --override: `bash` was found through it.
    let out = out
        .then()
        .args(["run", "production", "--override", "--", "printenv", "PATH"])
        .status(0);
    assert_ne!(out.stdout(), "./bin\n");

    // Named with --allow-var, a variable passes; the others are still held back.
    let out = out
        .then()
        .args([
            "run",
            "production",
            "--allow-var",
            "BASH_ENV,NODE_OPTIONS",
            "--",
            "bash",
            "-c",
            "printf '%s|' \"$NODE_OPTIONS\" \"${LD_PRELOAD-unset}\"",
        ])
        .status(0);
    assert_eq!(
        out.stdout(),
        "RAN-EVIL\n--require=./evil.js|unset|",
        "{}",
        out.describe()
    );
    out.stderr_is(str![[r#"
production: held back 4 variables from the file (they make programs load or run code; --allow-var NAME passes one): LD_PRELOAD, PATH, PYTHONPATH, ENV

"#]]);
}

#[test]
fn only_adds_the_keys_named_and_refuses_an_unknown_one() {
    let out = project(NASTY)
        .args([
            "run",
            "production",
            "--only",
            "PLAIN,QUOTE",
            "--only",
            "EMPTY",
        ])
        .args(["--", "env", "-0"])
        .status(0);
    let env = env_of(&out);
    assert_eq!(env.get("PLAIN").map(String::as_str), Some("abc123"));
    assert_eq!(env.get("QUOTE").map(String::as_str), Some("it's"));
    assert_eq!(env.get("EMPTY").map(String::as_str), Some(""));
    assert!(!env.contains_key("DECLARED") && !env.contains_key("NEWLINE"));
    let out = out
        .then()
        .args(["run", "production", "--only", "PLAIN,NOPE", "--", "true"])
        .status(66);
    out.stderr_is(str![[r#"
error: .env.production.local: `NOPE` (given to --only) not found
hint: the file has: PLAIN, DECLARED, QUOTE, DQUOTE, DOLLAR, BACKSLASH, BACKTICK, UNICODE, SPACES, HASH and 8 more

"#]]);
    // A pasted `KEY=value` is refused without echoing it.
    let out = out
        .then()
        .args([
            "run",
            "production",
            "--only",
            "A=s3cret-pasted",
            "--",
            "true",
        ])
        .status(2);
    out.stderr_is(str![[r#"
error: a 15-byte key is not valid (not shown: it contains `=`, whitespace or control characters, or is long): use ASCII letters, digits and `_`, not starting with a digit
hint: the value is never an argument: it is read from stdin

"#]]);
    assert!(
        !out.stderr().contains("s3cret-pasted"),
        "{}",
        out.describe()
    );
}

#[test]
fn an_unreadable_line_stops_the_run_unless_only_leaves_it_out() {
    let test = project(NASTY).write(FILE, "PLAIN=x\nBROKEN='never closed\n");
    let out = test.args(["run", "production", "--", "true"]).status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:2: `BROKEN` is on a line envmint cannot read, so its value is unclear
hint: fix the line so that it reads BROKEN=value (envmint edit production), or pick keys with --only

"#]]);
    let out = out
        .then()
        .args([
            "run",
            "production",
            "--only",
            "PLAIN",
            "--",
            "printenv",
            "PLAIN",
        ])
        .status(0);
    assert_eq!(out.lines(), ["x"]);
}

#[test]
fn a_sealed_environment_runs_from_memory() {
    let out = sealed()
        .args([
            "run",
            "vault",
            "-i",
            "id.txt",
            "--",
            "printenv",
            "BACKSLASH",
        ])
        .status(0);
    assert_eq!(out.stdout(), "back\\slash\\\n");
    assert!(!out.exists(".env.vault"), "no plaintext written");
}

#[test]
fn the_key_that_opens_the_store_is_not_handed_to_the_command() {
    let test = sealed();
    let key = std::fs::read_to_string(test.path("id.txt")).unwrap();
    let out = test
        .env("ENVMINT_AGE_KEY", key.trim())
        .env("ENVMINT_PASSPHRASE", "pass-phrase")
        .args(["run", "vault", "--", "env", "-0"])
        .status(0);
    let env = env_of(&out);
    assert_eq!(env.get("PLAIN").map(String::as_str), Some("abc123"));
    assert!(!env.contains_key("ENVMINT_AGE_KEY"), "the identity leaked");
    assert!(
        !env.contains_key("ENVMINT_PASSPHRASE"),
        "the passphrase leaked"
    );
    assert!(!out.stdout().contains("AGE-SECRET-KEY"));
}

#[test]
fn an_environment_too_large_for_exec_is_named_by_key_and_size_never_by_value() {
    // One value over the kernel's 128 KiB per variable: E2BIG, which the OS words as an
    // "argument list" problem although the values are in the environment.
    let big = "v".repeat(200_000);
    let rows = [("PLAIN", "abc123", "abc123"), ("HUGE", &big, &big)];
    let out = project(&rows)
        .args(["run", "production", "--", "true"])
        .status(126);
    out.stderr_is(str![[r#"
error: true: cannot execute: `HUGE` is 200006 bytes, more than one environment variable may hold (131072)
hint: pass fewer keys with --only KEY,..., or hand large values over as files (envmint export ENV --format docker-secrets -o DIR)

"#]]);
    assert!(!out.stderr().contains("vvvv"), "{}", out.describe());
    // Many small values: the total is named.
    let value = "w".repeat(1000);
    let many: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("K{i}"), value.clone()))
        .collect();
    let rows: Vec<(&str, &str, &str)> = many
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str(), v.as_str()))
        .chain([("PLAIN", "abc123", "abc123")])
        .collect();
    let out = project(&rows)
        .args(["run", "production", "--", "true"])
        .status(126);
    out.stderr_is(str![[r#"
error: true: cannot execute: the environment is too large for the system (3001 variables adding 3019903 bytes)
hint: pass fewer keys with --only KEY,..., or hand large values over as files (envmint export ENV --format docker-secrets -o DIR)

"#]]);
    // --only leaves them out, and the command runs.
    out.then()
        .args(["run", "production", "--only", "PLAIN", "--", "true"])
        .status(0);
}

#[test]
fn a_folder_as_the_command_is_named_a_folder_not_a_file_to_chmod() {
    let out = project(NASTY)
        .write("bin/keep", "")
        .args(["run", "production", "--", "./bin"])
        .status(126);
    out.stderr_is(str![[r#"
error: ./bin: is a folder, not a program
hint: give the path of a program inside it

"#]]);
    assert!(!out.stderr().contains("chmod"), "{}", out.describe());
}

#[test]
fn a_value_with_nul_is_refused_naming_its_line_and_only_leaves_it_out() {
    let out = project(NASTY)
        .write(FILE, "PLAIN=abc123\nDECLARED=x\nRAW=sec\0ret\n")
        .args(["run", "production", "--", "true"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:3: `RAW` has a NUL character in its value, which no environment variable can hold
hint: leave it out with --only KEY,..., or fix the value (envmint set)

"#]]);
    assert!(!out.stderr().contains("sec"), "{}", out.describe());
    out.then()
        .args(["run", "production", "--only", "PLAIN", "--", "true"])
        .status(0);
}

#[test]
fn a_script_whose_interpreter_is_missing_is_not_called_not_found() {
    let out = project(NASTY)
        .write("bad.sh", "#!/no/such/interpreter-envmint\necho hi\n")
        .chmod("bad.sh", 0o755)
        .args(["run", "production", "--", "./bad.sh"])
        .status(127);
    out.stderr_is(str![[r#"
error: ./bad.sh: cannot execute: the interpreter on its #! line was not found
hint: check its first line (head -1 ./bad.sh), or run it through one (-- sh ./bad.sh)

"#]]);
    assert!(
        !out.stderr().contains("command not found"),
        "{}",
        out.describe()
    );
}

#[test]
fn fail_a_reference_does_not_smuggle_envmints_own_secrets_to_the_command() {
    // ENVMINT_AGE_KEY opens every sealed store and is held back from the command; a file
    // (a repository's) referring to it must not pass it on under another name.
    let out = common::Test::new()
        .write("envmint.toml", crate::export::MANIFEST)
        .write(
            crate::export::FILE,
            "PLAIN=abc123\nDECLARED=d3cl4red-value\nLEAK=${ENVMINT_AGE_KEY}\n\
             LEAK2=x${ENVMINT_PASSPHRASE:-none}\n",
        )
        .chmod(crate::export::FILE, 0o600)
        .env("ENVMINT_AGE_KEY", "AGE-SECRET-KEY-1NOTREALLYAKEY")
        .env("ENVMINT_PASSPHRASE", "pass-phrase-value")
        .args([
            "run",
            "production",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"$LEAK\" \"$LEAK2\" \"${ENVMINT_AGE_KEY-unset}\"",
        ])
        .status(0);
    assert_eq!(out.stdout(), "|xnone|unset", "{}", out.describe());
    assert!(!out.stderr().contains("NOTREALLY"), "{}", out.describe());
}

#[test]
fn fail_references_that_double_a_value_per_line_are_refused_not_expanded_without_end() {
    // 40 lines of `A{i}=${A{i-1}}${A{i-1}}` (a repository's file) would be 32 TiB expanded.
    let mut text = String::from(
        "PLAIN=abc123\nDECLARED=d3cl4red-value\nA0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    );
    for i in 1..40 {
        text.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
    }
    let test = common::Test::new()
        .write("envmint.toml", crate::export::MANIFEST)
        .write(crate::export::FILE, &text)
        .chmod(crate::export::FILE, 0o600);
    let out = test.args(["run", "production", "--", "true"]).status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:18: `A15` would be longer than 1 MiB once its ${...} references are expanded
hint: check the references: each may only use values defined above it

"#]]);
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "--all-keys"])
        .status(65);
    // The same error as run's above, from the same reading of the file.
    assert_eq!(out.stdout(), "");
}

#[test]
fn fail_many_copies_of_a_large_value_are_refused_at_the_total_not_expanded_to_gigabytes() {
    // A 512 KiB `A19` built by doubling, then 1,500 lines copying it: each value is under the
    // 1 MiB limit, but the file (about 21 KB) would expand to 750 MB. Both commands stop at
    // 64 MiB in all, naming the first key past it.
    let mut text = String::from("PLAIN=abc123\nDECLARED=d3cl4red-value\nA0=x\n");
    for i in 1..=19 {
        text.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
    }
    for i in 0..1500 {
        text.push_str(&format!("B{i}=${{A19}}\n"));
    }
    assert!(text.len() < 25_000, "{}", text.len());
    let test = common::Test::new()
        .write("envmint.toml", crate::export::MANIFEST)
        .write(crate::export::FILE, &text)
        .chmod(crate::export::FILE, 0o600);
    let out = test.args(["run", "production", "--", "true"]).status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:149: `B126` would take the file's values past 64 MiB in all once their ${...} references are expanded
hint: check the references: each may only use values defined above it

"#]]);
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "--all-keys"])
        .status(65);
    // The same error as run's above, from the same reading of the file.
    assert_eq!(out.stdout(), "");
}

/// The environment's file missing: refused (66) before anything runs, with the command that
/// creates it.
#[test]
fn fail_a_missing_store_names_its_environment_and_how_to_make_it() {
    let out = common::Test::new()
        .write("envmint.toml", crate::export::MANIFEST)
        .args(["run", "production", "--", "true"])
        .status(66);
    out.stderr_is(str![[r#"
error: .env.production.local: the file of environment `production` not found
hint: envmint bootstrap production creates it

"#]]);
    assert_eq!(out.stdout(), "");
}

/// `--only` naming a key the file lacks: the hint lists the file's keys whole when they are few.
#[test]
fn fail_only_names_all_the_files_keys_when_they_are_few() {
    let out = common::Test::new()
        .write("envmint.toml", crate::export::MANIFEST)
        .write(FILE, "PLAIN=abc123\nDECLARED=d3cl4red-value\n")
        .chmod(FILE, 0o600)
        .args(["run", "production", "--only", "NOPE", "--", "true"])
        .status(66);
    out.stderr_is(str![[r#"
error: .env.production.local: `NOPE` (given to --only) not found
hint: the file has: PLAIN, DECLARED

"#]]);
}

/// A command the system refuses for another reason (here a symlink loop) is named with the
/// system's words, exit 126.
#[test]
fn fail_a_command_the_system_cannot_execute_is_named_with_its_reason() {
    let test = project(NASTY);
    std::os::unix::fs::symlink("loop", test.path("loop")).unwrap();
    let out = test.args(["run", "production", "--", "./loop"]).status(126);
    out.stderr_is(str![[r#"
error: ./loop: cannot execute: Too many levels of symbolic links (os error 40)

"#]]);
}
