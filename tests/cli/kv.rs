//! End-to-end tests of `envmint set`, `get`, `unset` and `edit` on plain environments.

use crate::common;

use common::{Output, Test};
use snapbox::str;

const MANIFEST: &str = "[environments.production]\n\
                        file = \".env.production.local\"\n\
                        mode = \"0640\"\n\n\
                        [environments.staging]\n\
                        file = \".env.staging.local\"\n\n\
                        [secrets.SECRET_KEY]\n\
                        kind = \"hex\"\n\
                        bytes = 32\n";

const FILE: &str = ".env.production.local";

/// A file with everything `set` must keep: comments, export, quotes, a record, CRLF.
const BEFORE: &str = "# production\r\nA=1\r\n# envmint: generated=2026-01-01\r\n\
                      export DB_PASSWORD=\"old-pass\" # db\r\nB='x'\r\n";

/// A value no test file contains otherwise, to look for in every output.
const VALUE: &str = "s3cr3t-V4lue_xyz";

fn with_file(contents: &str) -> Test {
    Test::new()
        .write("envmint.toml", MANIFEST)
        .write(FILE, contents)
        .chmod(FILE, 0o600)
}

/// `text` with the time of each `set=` record replaced by `NOW`, after checking it is the time
/// of this run (within ten minutes of the test's clock): `set` writes the record
/// `# envmint: set=TIME` above each key whose value it changes.
#[track_caller]
fn set_now(text: &str) -> String {
    const FIELD: &str = "# envmint: set=";
    let now = jiff::Timestamp::now();
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(FIELD) {
        let start = i + FIELD.len();
        let time = rest.get(start..start + 20).expect("a whole timestamp");
        let t: jiff::Timestamp = time.parse().expect("an RFC 3339 time");
        assert!(
            time.ends_with('Z') && (now.as_second() - t.as_second()).abs() < 600,
            "{time} is not now"
        );
        out.push_str(&rest[..start]);
        out.push_str("NOW");
        rest = &rest[start + 20..];
    }
    out.push_str(rest);
    out
}

#[track_caller]
fn assert_value_hidden(out: &Output) {
    assert!(
        !out.stderr().contains(VALUE) && !out.stdout().contains(VALUE),
        "the value leaked\n{}",
        out.describe()
    );
}

#[test]
fn set_replaces_in_place_keeping_every_other_byte_and_the_declared_mode() {
    let out = with_file(BEFORE)
        .args(["set", "production", "DB_PASSWORD"])
        .stdin(format!("{VALUE}\n"))
        .status(0);
    assert_eq!(
        set_now(&out.read(FILE)),
        BEFORE
            .replace("old-pass", VALUE)
            .replace("generated=2026-01-01", "set=NOW"),
        "export, quotes, comment and CRLF kept; the record says the value was set now"
    );
    assert_eq!(out.mode(FILE), 0o640, "the declared mode");
    out.stderr_is(str![[r#"
production: .env.production.local: DB_PASSWORD replaced

"#]]);
    assert_value_hidden(&out);
    // The value reads back exactly, through `get`.
    let got = out
        .then()
        .args(["get", "production", "DB_PASSWORD"])
        .status(0);
    assert_eq!(got.stdout(), format!("{VALUE}\n"));
}

#[test]
fn set_appends_a_new_key_and_json_names_the_action_not_the_value() {
    let out = with_file("A=1\n")
        .args(["set", "production", "API_KEY", "--json"])
        .stdin(VALUE)
        .status(0);
    assert_eq!(
        set_now(&out.read(FILE)),
        format!("A=1\n# envmint: set=NOW\nAPI_KEY={VALUE}\n")
    );
    let json = out.json();
    assert_eq!(json["environment"], "production");
    assert_eq!(json["file"], FILE);
    assert_eq!(json["key"], "API_KEY");
    assert_eq!(json["action"], "added");
    assert!(!out.stdout().contains(VALUE));
    assert_eq!(out.stderr(), "");
}

#[test]
fn set_creates_a_missing_file_0600() {
    let out = Test::new()
        .write("envmint.toml", MANIFEST)
        .args(["set", "staging", "TOKEN"])
        .stdin(format!("{VALUE}\r\n"))
        .status(0);
    let text = out.read(".env.staging.local");
    assert!(text.ends_with(&format!("\nTOKEN={VALUE}\n")), "{text}");
    assert_eq!(out.mode(".env.staging.local"), 0o600);
}

#[test]
fn set_refuses_empty_unwritable_and_argv_values_without_writing() {
    // Empty stdin, unless --allow-empty.
    let out = with_file(BEFORE)
        .args(["set", "production", "A"])
        .status(65);
    out.stderr_is(str![[r#"
error: <stdin>: the value for `A` is empty; nothing written
hint: pipe the value in (printf '%s' "$VALUE" | envmint set ENV A); --allow-empty writes `A=`

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    let out = out
        .then()
        .args(["set", "production", "A", "--allow-empty"])
        .stdin("\n")
        .status(0);
    assert!(out.read(FILE).contains("\r\nA=\r\n"));

    // A value the writer cannot write: the key is named, the value is not.
    let spaced = format!("{VALUE}\u{a0}with\u{a0}no-break spaces");
    let out = with_file(BEFORE)
        .args(["set", "production", "A"])
        .stdin(&spaced)
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local: the value for `A` contains whitespace, which envmint does not write into dotenv files
hint: the file was left untouched

"#]]);
    assert_value_hidden(&out);
    assert_eq!(out.read(FILE), BEFORE);

    // There is no VALUE argument.
    let out = with_file(BEFORE)
        .args(["set", "production", "A", VALUE])
        .stdin("x")
        .status(2);
    assert_eq!(out.read(FILE), BEFORE);

    // A pasted KEY=value in place of the key is refused without showing it.
    let out = with_file(BEFORE)
        .args(["set", "production", &format!("A={VALUE}")])
        .stdin("x")
        .status(2);
    assert_value_hidden(&out);
}

#[test]
fn set_checks_a_declared_key_and_strict_refuses_a_weak_value() {
    let out = with_file("A=1\n")
        .args(["set", "production", "SECRET_KEY"])
        .stdin("changeme")
        .status(0);
    out.stderr_is(str![[r#"
production: .env.production.local: SECRET_KEY added
warning: .env.production.local: SECRET_KEY: placeholder, not a 32-byte hex secret (written anyway)

"#]]);
    assert!(out.read(FILE).contains("SECRET_KEY=changeme"));
    // A value of the wrong size reads as bootstrap's check does.
    let out = with_file("A=1\n")
        .args(["set", "production", "SECRET_KEY"])
        .stdin("abcd")
        .status(0);
    out.stderr_is(str![[r#"
production: .env.production.local: SECRET_KEY added
warning: .env.production.local: SECRET_KEY: 2 bytes long, not a 32-byte hex secret (written anyway)

"#]]);

    let out = with_file("A=1\n")
        .args(["set", "production", "SECRET_KEY", "--strict"])
        .stdin("changeme")
        .status(1);
    out.stderr_is(str![[r#"
error: .env.production.local: the value for SECRET_KEY fails its declaration: placeholder, not a 32-byte hex secret; nothing written
hint: leave out --strict to write it anyway

"#]]);
    assert!(!out.stderr().contains("changeme"));
    assert_eq!(out.read(FILE), "A=1\n");

    let good = "ab".repeat(32);
    let out = with_file("A=1\n")
        .args(["set", "production", "SECRET_KEY", "--strict"])
        .stdin(&good)
        .status(0);
    assert!(!out.stderr().contains("warning"), "{}", out.describe());
}

#[test]
fn get_prints_the_value_and_exits_66_or_65_otherwise() {
    let out = with_file("A=1\nQ=\"quoted value\"\nBAD='x' junk\n")
        .args(["get", "production", "Q"])
        .status(0);
    assert_eq!(out.stdout(), "quoted value\n");
    let out = out.then().args(["get", "production", "NOPE"]).status(66);
    out.stderr_is(str![[r#"
error: .env.production.local: `NOPE` not found
hint: envmint set production NOPE adds it (the value from stdin)

"#]]);
    assert_eq!(out.stdout(), "");
    let out = out.then().args(["get", "production", "BAD"]).status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:3: `BAD` is on a line envmint cannot read, so its value is unclear
hint: fix line 3 so that it reads BAD=value (envmint edit production)

"#]]);
    let out = out
        .then()
        .args(["get", "production", &format!("Q={VALUE}")])
        .status(2);
    assert_value_hidden(&out);
    let out = out.then().args(["get", "staging", "A"]).status(66);
    out.stderr_is(str![[r#"
error: .env.staging.local: the file of environment `staging` not found
hint: envmint bootstrap staging creates it; envmint set staging A adds one value

"#]]);
}

#[test]
fn unset_removes_every_definition_with_its_record() {
    let before = "A=1\n# keep me\nDB_PASSWORD=first\nB=2\n\
                  # envmint: generated=2026-01-01\nexport DB_PASSWORD='second'\nC=3\n";
    let out = with_file(before)
        .args(["unset", "production", "DB_PASSWORD", "--json"])
        .status(0);
    assert_eq!(out.read(FILE), "A=1\n# keep me\nB=2\nC=3\n");
    assert_eq!(out.json()["action"], "removed");
    assert_eq!(out.mode(FILE), 0o640);

    let out = out
        .then()
        .args(["unset", "production", "DB_PASSWORD"])
        .status(66);
    out.stderr_is(str![[r#"
error: .env.production.local: `DB_PASSWORD` not found
hint: --if-exists makes a missing key succeed

"#]]);
    let out = out
        .then()
        .args([
            "unset",
            "production",
            "DB_PASSWORD",
            "--if-exists",
            "--json",
        ])
        .status(0);
    assert_eq!(out.json()["action"], "absent");
    assert_eq!(out.read(FILE), "A=1\n# keep me\nB=2\nC=3\n");
    // Without --json, each says what it did (a missing key: the case file
    // unset/missing_key_if_exists).
    let out = out
        .then()
        .args(["unset", "production", "DB_PASSWORD", "--if-exists"])
        .status(0);
    assert_eq!(out.read(FILE), "A=1\n# keep me\nB=2\nC=3\n");
    let out = out.then().args(["unset", "production", "C"]).status(0);
    out.stderr_is(str![[r#"
production: .env.production.local: C removed

"#]]);
    assert_eq!(out.read(FILE), "A=1\n# keep me\nB=2\n");
}

/// An editor script: records its argument's mode and its folder's mode into `side/modes` and
/// its path into `side/path`, then runs `action` on the file (`$1`). `EDITOR` holds words, as
/// people's often does (`code --wait`).
fn editor(test: Test, action: &str) -> Test {
    let script = format!(
        "#!/bin/sh\n\
         stat -c '%a' \"$1\" > \"$SIDE/modes\"\n\
         stat -c '%a' \"$(dirname \"$1\")\" >> \"$SIDE/modes\"\n\
         echo \"$1\" > \"$SIDE/path\"\n\
         {action}\n"
    );
    let side = test.path("side");
    std::fs::create_dir_all(&side).unwrap();
    let runtime = test.path("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    // Run by `sh`, not executed: exec of a file just written races with other tests' forks
    // holding it open for writing (ETXTBSY).
    test.write("editor.sh", script)
        .env("SIDE", side)
        .env("XDG_RUNTIME_DIR", runtime)
        .env("EDITOR", "sh ./editor.sh")
        .env_remove_visual()
}

/// Asserts the copy was 0600 in a 0700 folder under XDG_RUNTIME_DIR, and is gone now.
#[track_caller]
fn assert_private_and_removed(out: &Output) {
    assert_eq!(out.read("side/modes"), "600\n700\n", "{}", out.describe());
    let path = out.read("side/path");
    let path = std::path::Path::new(path.trim());
    assert!(path.starts_with(out.path("runtime")), "{}", path.display());
    assert!(!path.exists(), "the copy is removed");
    assert!(!path.parent().unwrap().exists(), "its folder is removed");
}

trait NoVisual {
    fn env_remove_visual(self) -> Self;
}

impl NoVisual for Test {
    /// `VISUAL` would win over `EDITOR`: an empty one counts as unset.
    fn env_remove_visual(self) -> Self {
        self.env("VISUAL", "")
    }
}

#[test]
fn edit_saves_a_changed_result_through_the_store() {
    let out = editor(with_file(BEFORE), "sed -i 's/^A=1/A=2/; $a C=3' \"$1\"")
        .args(["edit", "production"])
        .status(0);
    assert_eq!(
        out.read(FILE),
        BEFORE.replace("A=1", "A=2") + "C=3\n",
        "{}",
        out.describe()
    );
    assert_eq!(out.mode(FILE), 0o640, "the declared mode");
    out.stderr_is(str![[r#"
production: .env.production.local: edited (added C; changed A)

"#]]);
    assert!(!out.stderr().contains("old-pass"));
    assert_private_and_removed(&out);
}

#[test]
fn edit_with_no_change_writes_nothing() {
    let out = editor(with_file(BEFORE), "true")
        .args(["edit", "production"])
        .status(0);
    out.stderr_is(str![[r#"
production: .env.production.local: no changes

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert_eq!(out.mode(FILE), 0o600, "not rewritten");
    assert_private_and_removed(&out);
}

#[test]
fn edit_refuses_an_unreadable_result_without_a_terminal() {
    let out = editor(with_file(BEFORE), "echo \"BROKEN='open\" >> \"$1\"")
        .args(["edit", "production"])
        .status(65);
    out.stderr_is(str![[r#"
warning: .env.production.local (edited):6: a single quote opened here is never closed: the line for `BROKEN` is kept as is and not read, and envmint will not write after it
error: .env.production.local:6: the edited file does not read cleanly (lines above); nothing changed
hint: fix those lines: every line must read KEY=value, a comment or a blank, each key once

"#]]);
    assert!(!out.stderr().contains("old-pass"));
    assert_eq!(out.read(FILE), BEFORE);
    assert_private_and_removed(&out);
}

#[test]
fn edit_changes_nothing_when_the_editor_fails() {
    let out = editor(with_file(BEFORE), "echo A=9 > \"$1\"; exit 1")
        .args(["edit", "production"])
        .status(1);
    out.stderr_is(str![[r#"
error: the editor `sh ./editor.sh` exited with exit status: 1; nothing changed
hint: set VISUAL or EDITOR to the editor to use

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert_private_and_removed(&out);
}

#[test]
fn edit_does_not_overwrite_a_file_changed_meanwhile() {
    let out = editor(
        with_file(BEFORE),
        "echo A=9 > \"$1\"; printf 'Z=1\\n' >> .env.production.local",
    )
    .args(["edit", "production"])
    .status(73);
    out.stderr_is(str![[r#"
error: .env.production.local: it was changed by another process while the editor was open; nothing written
hint: run envmint edit production again to edit the new content

"#]]);
    assert_eq!(out.read(FILE), format!("{BEFORE}Z=1\n"));
    assert_private_and_removed(&out);
}

/// Runs envmint with `args` on a new pseudo-terminal (stdin, stdout, stderr and `/dev/tty`),
/// answering each prompt of `dialog` (text to wait for, line to type) in turn. stdout is the
/// terminal's transcript: what a person would have seen, echo included.
pub(crate) fn on_terminal(test: Test, args: &[&str], dialog: &[(&str, &str)]) -> Output {
    const DRIVER: &str = r#"
import json, os, pty, sys
argv, dialog = json.loads(sys.argv[1]), json.loads(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
seen = b""
def more():
    global seen
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        chunk = b""
    seen += chunk
    return chunk
for wait, typed in dialog:
    while wait.encode() not in seen:
        if not more():
            break
    seen = seen.replace(wait.encode(), b"<" + wait.encode() + b">", 1)
    os.write(fd, typed.encode())
while more():
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let mut argv = vec![common::BIN];
    argv.extend_from_slice(args);
    let argv = serde_json::to_string(&argv).unwrap();
    let dialog = serde_json::to_string(dialog).unwrap();
    test.program("python3")
        .args(["-c", DRIVER, &argv, &dialog])
        .run()
}

#[test]
fn set_on_a_terminal_asks_twice_without_echo() {
    let out = on_terminal(
        with_file("A=1\n"),
        &["set", "production", "TYPED"],
        &[
            ("Value for TYPED: ", &format!("{VALUE}\n")),
            ("Again, to confirm TYPED: ", &format!("{VALUE}\n")),
        ],
    );
    assert_eq!(out.code(), 0, "{}", out.describe());
    assert_eq!(
        set_now(&out.read(FILE)),
        format!("A=1\n# envmint: set=NOW\nTYPED={VALUE}\n")
    );
    out.stdout_is(str![[r#"
<Value for TYPED: >
<Again, to confirm TYPED: >
production: .env.production.local: TYPED added

"#]]);
    assert!(!out.stdout().contains(VALUE), "echoed: {}", out.describe());

    let out = on_terminal(
        with_file("A=1\n"),
        &["set", "production", "TYPED"],
        &[
            ("Value for TYPED: ", &format!("{VALUE}\n")),
            ("Again, to confirm TYPED: ", "other\n"),
        ],
    );
    assert_eq!(out.code(), 65, "{}", out.describe());
    out.stdout_is(str![[r#"
<Value for TYPED: >
<Again, to confirm TYPED: >
error: <terminal>: the two values typed for `TYPED` differ; nothing written
hint: run the command again

"#]]);
    assert_eq!(out.read(FILE), "A=1\n");
}

#[test]
fn edit_on_a_terminal_offers_to_edit_a_bad_result_again() {
    // First run: a broken line. Second run (after "edit again"): fixed.
    let test = editor(
        with_file("A=1\n"),
        "if [ -e \"$SIDE/once\" ]; then sed -i \"s/^B='open/B=fixed/\" \"$1\"; \
         else touch \"$SIDE/once\"; echo \"B='open\" >> \"$1\"; fi",
    );
    let out = on_terminal(
        test,
        &["edit", "production"],
        &[("edit again? [Y/n] ", "\n")],
    );
    assert_eq!(out.code(), 0, "{}", out.describe());
    out.stdout_is(str![[r#"
warning: .env.production.local (edited):2: a single quote opened here is never closed: the line for `B` is kept as is and not read, and envmint will not write after it
<edit again? [Y/n] >
production: .env.production.local: edited (added B)

"#]]);
    assert_eq!(out.read(FILE), "A=1\nB=fixed\n");
    assert_private_and_removed(&out);

    // Answering no changes nothing.
    let test = editor(with_file("A=1\n"), "echo \"B='open\" >> \"$1\"");
    let out = on_terminal(
        test,
        &["edit", "production"],
        &[("edit again? [Y/n] ", "n\n")],
    );
    assert_eq!(out.code(), 65, "{}", out.describe());
    assert_eq!(out.read(FILE), "A=1\n");
}

#[test]
fn edit_refuses_a_fifo_a_symlink_or_a_huge_file_left_in_place_of_the_copy() {
    // A FIFO: reading it would wait for a writer forever (`timeout` turns a hang into 124; 60 s, a bound only for a hang).
    let out = editor(with_file(BEFORE), "rm \"$1\"; mkfifo \"$1\"")
        .wrapper(["timeout", "60"])
        .args(["edit", "production"])
        .status(65);
    out.stderr_is(str![[r#"
error: runtime/envmint-edit-[..]/.env.production.local: the editor left something other than a regular file in place of the copy; nothing changed
hint: save the file in place (as a regular file) and exit the editor

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert_private_and_removed(&out);

    // A symlink: the file it names (here another dotenv file) would be copied into the store.
    let out = editor(with_file(BEFORE), "ln -sf \"$PWD/other.env\" \"$1\"")
        .write("other.env", "OTHER=from-elsewhere\n")
        .args(["edit", "production"])
        .status(65);
    out.stderr_is(str![[r#"
error: runtime/envmint-edit-[..]/.env.production.local: the editor left a symlink in place of the copy; nothing changed
hint: save the file in place (as a regular file) and exit the editor

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert_private_and_removed(&out);

    // No file at all: the editor removed the copy.
    let out = editor(with_file(BEFORE), "rm \"$1\"")
        .args(["edit", "production"])
        .status(65);
    out.stderr_is(str![[r#"
error: runtime/envmint-edit-[..]/.env.production.local: the editor left nothing (it was removed) in place of the copy; nothing changed
hint: save the file in place (as a regular file) and exit the editor

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert_private_and_removed(&out);

    // An editor that writes without end: refused from its size, not read into memory.
    let out = editor(
        with_file(BEFORE),
        "head -c 17000000 /dev/zero | tr '\\0' a > \"$1\"",
    )
    .args(["edit", "production"])
    .status(65);
    out.stderr_is(str![[r#"
error: runtime/envmint-edit-[..]/.env.production.local: the editor left a file of 17000000 bytes (more than 16777216) in place of the copy; nothing changed
hint: save the file in place (as a regular file) and exit the editor

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert_private_and_removed(&out);
}

#[test]
fn edit_does_not_zero_a_file_the_editor_hard_linked_in_place_of_the_copy() {
    // `ln -f` puts another file's inode at the copy's name; zeroing "the copy" afterwards
    // would destroy that file (as root: any file on the same file system).
    let out = editor(with_file("A=1\n"), "ln -f victim.env \"$1\"")
        .write("victim.env", "VICTIM=1\n")
        .args(["edit", "production"])
        .status(0);
    assert_eq!(out.read("victim.env"), "VICTIM=1\n", "{}", out.describe());
    assert_eq!(out.read(FILE), "VICTIM=1\n");
    assert_private_and_removed(&out);
}

#[test]
fn edit_refuses_a_runtime_dir_that_others_can_write() {
    use std::os::unix::fs::PermissionsExt;
    let test = editor(with_file(BEFORE), "echo A=9 > \"$1\"");
    let runtime = test.path("runtime");
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = test.args(["edit", "production"]).status(77);
    out.stderr_is(str![[r#"
error: runtime: will not put the private copy of the file to edit here: it is writable by others (mode 777) without the sticky bit
hint: XDG_RUNTIME_DIR (else TMPDIR) must be a folder you own, mode 0700; unset it to use /tmp

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
    assert!(!out.path("side/path").exists(), "the editor did not run");

    if !common::is_root() {
        common::skip("needs root to give the runtime folder to another user");
        return;
    }
    let test = editor(with_file(BEFORE), "echo A=9 > \"$1\"");
    let runtime = test.path("runtime");
    std::os::unix::fs::chown(&runtime, Some(65534), None).unwrap();
    let out = test.args(["edit", "production"]).status(77);
    out.stderr_is(str![[r#"
error: runtime: will not put the private copy of the file to edit here: it is owned by uid 65534, not you (uid 0), who could swap the private copy
hint: XDG_RUNTIME_DIR (else TMPDIR) must be a folder you own, mode 0700; unset it to use /tmp

"#]]);
    assert_eq!(out.read(FILE), BEFORE);
}

#[test]
fn a_copy_left_by_a_killed_edit_is_removed_by_the_next_edit() {
    // The editor kills envmint (SIGKILL: no destructor runs), as a closed terminal or Ctrl-C
    // would: the plaintext copy is left behind in XDG_RUNTIME_DIR.
    let kill_envmint = "p=$PPID; while [ \"$(cat /proc/$p/comm)\" != envmint ]; do \
                        p=$(cut -d' ' -f4 /proc/$p/stat); done; kill -9 $p";
    let out = editor(with_file(BEFORE), kill_envmint)
        .args(["edit", "production"])
        .run();
    assert_eq!(out.code(), -1, "killed\n{}", out.describe());
    let left = out.read("side/path");
    let left = std::path::Path::new(left.trim());
    assert!(
        std::fs::read_to_string(left).unwrap().contains("old-pass"),
        "the plaintext copy is left behind"
    );
    // A folder of a live process (this test's) is in use: left alone.
    let live = out
        .path("runtime")
        .join(format!("envmint-edit-{}-live", std::process::id()));
    std::fs::create_dir(&live).unwrap();

    let out = out
        .then()
        .env("EDITOR", "true")
        .args(["edit", "production"])
        .status(0);
    out.stderr_is(str![[r#"
warning: removed [DIR]/runtime/envmint-edit-[..], a private copy left by an `envmint edit` that was killed
production: .env.production.local: no changes

"#]]);
    assert!(!out.stderr().contains("old-pass"));
    assert!(!left.exists(), "the copy is gone");
    assert!(!left.parent().unwrap().exists(), "its folder is gone");
    assert!(live.exists(), "a folder in use is kept");
}

#[test]
fn set_refuses_a_closed_stdin_even_with_allow_empty() {
    // Read as empty, a closed stdin (a cron job, `<&-`) would wipe the value.
    let script = format!("exec {} set production A --allow-empty <&-", common::BIN);
    let out = with_file("A=keep\n")
        .program("sh")
        .args(["-c", &script])
        .status(66);
    out.stderr_is(str![[r#"
error: <stdin>: stdin is closed, so the value was not found
hint: pipe the value in, or run set on a terminal to type it; nothing written

"#]]);
    assert_eq!(out.read(FILE), "A=keep\n");
    // `</dev/null` is an empty value on purpose.
    let script = format!(
        "exec {} set production A --allow-empty </dev/null",
        common::BIN
    );
    let out = out.then().program("sh").args(["-c", &script]).status(0);
    assert_eq!(set_now(&out.read(FILE)), "# envmint: set=NOW\nA=\n");
}

#[test]
fn edit_warns_about_added_values_that_sh_would_run_as_a_command() {
    let out = editor(
        with_file("A=1\n"),
        "printf 'B=x touch pwned\\nC=$(id)\\n' >> \"$1\"",
    )
    .args(["edit", "production"])
    .status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local (edited):2: the value of `B` contains whitespace: sh, python-dotenv, Node and docker compose may read it differently (sh can run part of it as a command); `envmint set` would write it in quotes that every reader reads alike
warning: .env.production.local (edited):3: the value of `C` contains a `$`: sh, python-dotenv, Node and docker compose may read it differently (sh can run part of it as a command); `envmint set` would write it in quotes that every reader reads alike
production: .env.production.local: edited (added B, C)

"#]]);
    assert!(!out.stderr().contains("touch") && !out.stderr().contains("(id)"));
    assert_eq!(
        out.read(FILE),
        "A=1\nB=x touch pwned\nC=$(id)\n",
        "saved anyway"
    );
}

#[test]
fn set_on_a_terminal_refuses_a_paste_the_terminal_may_have_cut() {
    // Linux keeps 4095 bytes of a line typed in canonical mode and drops the rest without a
    // sound: both pastes are cut alike, match, and a cut secret would be written.
    let long = format!("{}\n", "a".repeat(5000));
    let out = on_terminal(
        with_file("A=1\n"),
        &["set", "production", "LONG"],
        &[
            ("Value for LONG: ", &long),
            ("Again, to confirm LONG: ", &long),
        ],
    );
    assert_eq!(out.code(), 65, "{}", out.describe());
    // Refused after both prompts: a second paste never lands in the shell.
    out.stdout_is(str![[r#"
<Value for LONG: >
<Again, to confirm LONG: >
error: <terminal>: the value typed for `LONG` is longer than 4094 bytes, where the terminal may have cut it; nothing written
hint: pipe a long value in on stdin (envmint set ENV LONG < FILE)

"#]]);
    assert_eq!(out.read(FILE), "A=1\n");
}

#[test]
fn ctrl_c_at_a_prompt_cancels_cleanly() {
    // Killed by SIGINT at the hidden prompt, envmint left the terminal without echo.
    let out = on_terminal(
        with_file("A=1\n"),
        &["set", "production", "TYPED"],
        &[("Value for TYPED: ", "abc\u{3}")],
    );
    assert_eq!(out.code(), 65, "{}", out.describe());
    out.stdout_is(str![[r#"
<Value for TYPED: >
error: <terminal>: cancelled (Ctrl-C); nothing written

"#]]);
    assert_eq!(out.read(FILE), "A=1\n");

    // Killed at "edit again?", it left the plaintext copy behind.
    let test = editor(with_file("A=1\n"), "echo \"B='open\" >> \"$1\"");
    let out = on_terminal(
        test,
        &["edit", "production"],
        &[("edit again? [Y/n] ", "\u{3}")],
    );
    assert_eq!(out.code(), 65, "{}", out.describe());
    assert_eq!(out.read(FILE), "A=1\n");
    assert_private_and_removed(&out);
}

#[test]
fn ctrl_d_at_the_prompt_is_not_an_empty_value() {
    let out = on_terminal(
        with_file("A=keep\n"),
        &["set", "production", "A", "--allow-empty"],
        &[
            ("Value for A: ", "\u{4}"),
            ("Again, to confirm A: ", "\u{4}"),
        ],
    );
    assert_eq!(out.code(), 65, "{}", out.describe());
    out.stdout_is(str![[r#"
<Value for A: >
<Again, to confirm A: >
error: <terminal>: no value typed for `A` (end of input); nothing written
hint: press Enter on an empty line to give an empty value with --allow-empty

"#]]);
    assert_eq!(out.read(FILE), "A=keep\n");
    // Enter on an empty line is.
    let out = on_terminal(
        with_file("A=keep\n"),
        &["set", "production", "A", "--allow-empty"],
        &[("Value for A: ", "\n"), ("Again, to confirm A: ", "\n")],
    );
    assert_eq!(out.code(), 0, "{}", out.describe());
    assert_eq!(set_now(&out.read(FILE)), "# envmint: set=NOW\nA=\n");
}

#[test]
fn set_refuses_a_key_longer_than_a_manifest_may_declare_without_echoing_it() {
    let long = "K".repeat(256);
    let out = with_file("A=1\n")
        .args(["set", "production", &long])
        .stdin(VALUE)
        .status(2);
    out.stderr_is(str![[r#"
error: a 256-byte key is longer than 255 bytes (not shown)
hint: the value is never an argument: it is read from stdin

"#]]);
    assert!(!out.stderr().contains(&long));
    assert_eq!(out.read(FILE), "A=1\n");
    let out = out
        .then()
        .args(["set", "production", &"K".repeat(255)])
        .stdin(VALUE)
        .status(0);
    assert!(out.read(FILE).contains(&"K".repeat(255)));
}

/// `set` dates a changed value; an unchanged one keeps its record; `unset` removes the record
/// with its key; a bootstrap or a set elsewhere in the file leaves other records alone.
#[test]
fn records_stay_with_their_keys_through_set_and_unset() {
    let out = with_file(BEFORE)
        .args(["set", "production", "B"])
        .stdin("x")
        .status(0);
    assert_eq!(
        out.read(FILE),
        BEFORE,
        "unchanged: no record, nothing written"
    );
    let out = out
        .then()
        .args(["set", "production", "B"])
        .stdin("y")
        .status(0);
    let text = set_now(&out.read(FILE));
    assert_eq!(
        text,
        BEFORE.replace("B='x'", "# envmint: set=NOW\r\nB='y'"),
        "the other record is untouched"
    );
    let out = out
        .then()
        .args(["unset", "production", "DB_PASSWORD"])
        .status(0);
    assert_eq!(
        set_now(&out.read(FILE)),
        "# production\r\nA=1\r\n# envmint: set=NOW\r\nB='y'\r\n",
        "the record went with its key"
    );
}

#[test]
fn the_editor_does_not_get_envmints_secret_variables() {
    let out = editor(with_file(BEFORE), "env | cut -d= -f1 > \"$SIDE/names\"")
        .env("ENVMINT_AGE_KEY", "AGE-SECRET-KEY-1NOTUSEDHERE")
        .env("ENVMINT_PASSPHRASE", "not-for-the-editor")
        .env("ENVMINT_IDENTITY", "only-a-path.txt")
        .args(["edit", "production"])
        .status(0);
    let names = out.read("side/names");
    assert!(names.lines().any(|n| n == "ENVMINT_IDENTITY"), "{names}");
    assert!(!names.contains("ENVMINT_AGE_KEY"), "{names}");
    assert!(!names.contains("ENVMINT_PASSPHRASE"), "{names}");
}

/// SIGTERM to envmint while the editor is open (as `kill`, or a closed terminal's SIGHUP):
/// envmint passes it on to the editor, waits for it, zeroes and removes the copy, says the
/// edits were discarded, changes nothing, and exits by that signal. Before, envmint died at
/// once and the editor kept running on a copy no one would save. Ctrl-C (SIGINT) is the
/// editor's: envmint waits through it and saves what the editor saved.
#[test]
fn a_signal_while_the_editor_is_open_stops_it_cleans_up_and_says_so() {
    // The editor edits, then sends SIGTERM to envmint and waits (60 s at most) to be told to
    // stop; it records that it was.
    let action = "echo EDITED=1 >> \"$1\"\n\
         p=$PPID\n\
         while [ \"$(cat /proc/$p/comm)\" != envmint ]; do \
           p=$(awk '/^PPid:/{print $2}' /proc/$p/status); done\n\
         trap 'echo stopped > \"$SIDE/stopped\"; exit 3' TERM\n\
         kill -TERM $p\n\
         i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
    let out = editor(with_file(BEFORE), action)
        .args(["edit", "production"])
        .run();
    assert_eq!(out.read(FILE), BEFORE, "{}", out.describe());
    assert_eq!(out.read("side/stopped"), "stopped\n", "{}", out.describe());
    out.stderr_is(str![[r#"
error: envmint got SIGTERM while the editor was open: the editor was stopped and its edits were discarded (the private copy in [DIR]/runtime/envmint-edit-[..] was zeroed and removed); nothing changed in .env.production.local

"#]]);
    assert_private_and_removed(&out);
    assert_eq!(out.signal(), Some(15), "{}", out.describe());

    // SIGHUP (the terminal closed) does the same, and says which.
    let action = "echo EDITED=1 >> \"$1\"\n\
         p=$PPID\n\
         while [ \"$(cat /proc/$p/comm)\" != envmint ]; do \
           p=$(awk '/^PPid:/{print $2}' /proc/$p/status); done\n\
         trap 'exit 3' HUP TERM\n\
         kill -HUP $p\n\
         i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
    let out = editor(with_file(BEFORE), action)
        .args(["edit", "production"])
        .run();
    assert_eq!(out.read(FILE), BEFORE, "{}", out.describe());
    out.stderr_is(str![[r#"
error: envmint got SIGHUP (the terminal closed) while the editor was open: the editor was stopped and its edits were discarded (the private copy in [DIR]/runtime/envmint-edit-[..] was zeroed and removed); nothing changed in .env.production.local

"#]]);
    assert_private_and_removed(&out);
    assert_eq!(out.signal(), Some(1), "{}", out.describe());

    // SIGINT is the editor's business: envmint waits, and saves what the editor saved.
    let action = "echo EDITED=1 >> \"$1\"\n\
         p=$PPID\n\
         while [ \"$(cat /proc/$p/comm)\" != envmint ]; do \
           p=$(awk '/^PPid:/{print $2}' /proc/$p/status); done\n\
         kill -INT $p\n\
         sleep 0.2";
    let out = editor(with_file(BEFORE), action)
        .args(["edit", "production"])
        .status(0);
    assert!(out.read(FILE).contains("EDITED=1"), "{}", out.describe());
    assert_private_and_removed(&out);
}

#[test]
fn set_refuses_a_value_over_64_kib_or_not_utf8_without_writing() {
    // The words: the case files set/value_too_long and set/value_not_utf8.
    let out = with_file("A=1\n")
        .args(["set", "production", "BIG"])
        .stdin("a".repeat(64 * 1024 + 1))
        .status(65);
    assert_eq!(out.read(FILE), "A=1\n");
    let out = with_file("A=1\n")
        .args(["set", "production", "RAW"])
        .stdin(b"ab\xffcd".as_slice())
        .status(65);
    assert_eq!(out.read(FILE), "A=1\n");
}

#[test]
fn set_refuses_to_write_into_a_file_that_is_not_a_dotenv_file() {
    let passwd = "root:x:0:0:root:/root:/bin/bash\n";
    let out = with_file(passwd)
        .args(["set", "production", "A"])
        .stdin(VALUE)
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:1: not a dotenv file: no line reads KEY=value, so envmint will not write to it
hint: check the environment's `file` in the manifest

"#]]);
    assert_value_hidden(&out);
    assert_eq!(out.read(FILE), passwd);
}

/// A secret that keeps its old values in a list: a new value holding the list's separator
/// would read back as two values once retired into it.
#[test]
fn set_refuses_a_value_holding_the_separator_of_its_previous_list() {
    let manifest = "[environments.production]\nfile = \".env.production.local\"\n\
                    [secrets.SECRET_KEY]\nkind = \"hex\"\n\
                    previous = { list = \"SECRET_KEY_FALLBACKS\", separator = \",\", keep = 2 }\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(FILE, "SECRET_KEY=old\n")
        .chmod(FILE, 0o600)
        .args(["set", "production", "SECRET_KEY"])
        .stdin("new,value")
        .status(65);
    out.stderr_is(str![[r#"
error: <stdin>: the value for `SECRET_KEY` holds `,`, the separator of its previous list SECRET_KEY_FALLBACKS: retired into the list it would read back as two values; nothing written
hint: give SECRET_KEY a value without `,`, or declare another separator in the manifest

"#]]);
    assert_eq!(out.read(FILE), "SECRET_KEY=old\n");
}

/// A value no quoting writes for every reader alike is refused, naming what it holds.
#[test]
fn set_refuses_a_value_with_a_quote_beside_a_single_quote() {
    let out = with_file("A=1\n")
        .args(["set", "production", "A"])
        .stdin("a'b\"c")
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local: the value for `A` contains a double quote beside a single quote, which envmint does not write into dotenv files
hint: the file was left untouched

"#]]);
    let out = with_file("A=1\n")
        .args(["set", "production", "A"])
        .stdin("a'b`c")
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local: the value for `A` contains a backtick beside a single quote, which envmint does not write into dotenv files
hint: the file was left untouched

"#]]);
    assert_eq!(out.read(FILE), "A=1\n");
}
