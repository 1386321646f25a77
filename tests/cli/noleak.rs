//! The no-leak sweep (issue 19): every subcommand, over a plain and a sealed environment holding
//! known values, through the error paths that can be provoked without a terminal. After every
//! step no known value, nor its base64 (standard or URL-safe, padded or not) or hex form, may
//! appear in:
//! - stderr, ever, nor a panic message;
//! - stdout, except for the commands that exist to print values (gen, get, export to stdout,
//!   unseal --stdout, run's child);
//! - any file in the project other than the stores and the outputs asked for (`-o`), the
//!   inputs the test itself wrote, and `.git`; the editor's and the child's argv, which they
//!   log to files, are checked that way;
//! - a temporary file left behind (none may be left: not in the project, `TMPDIR` or
//!   `XDG_RUNTIME_DIR`), or a core file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use crate::common::{Output, Test, keygen};

/// Values the test gives envmint itself (each at least 24 characters, so their encodings are
/// distinctive).
const PLAIN_TOKEN: &str = "pl41n-T0ken-Kn0wn-Value-7c1e2f9a3b";
const STRIPE_PLAIN: &str = "sk_live_Kn0wnStripeValue_4d5e6f7a8b9c";
const STRIPE_SEALED: &str = "sk_live_S3aledStripeValue_9a8b7c6d5e";
const EDITED: &str = "Ed1ted-Value-From-The-Editor-5b6c7d8e";
const REFUSED: &str = "Refus3d-Value-Never-Written-1a2b3c4d";
const RECIPIENT_LEAK: &str = "Recipient-Line-Is-A-Secret-0f1e2d3c4b";

const MANIFEST: &str = r#"[defaults]
overlap = "7d"

[environments.plain]
file = ".env.plain.local"

[environments.sealed]
file = ".env.sealed.local"
sealed = ".env.sealed.age"
recipients = [RECIPIENTS]

[secrets.SESSION_SECRET]
kind = "hex"
bytes = 32

[secrets.APP_KEY]
kind = "base64"
bytes = 32
role = "encryption"

[secrets.STRIPE_API_KEY]
external = true
"#;

/// A credential whose rotation runs hooks (added late in the sweep): each logs its argv and
/// its process's, and prints the new value on stdout and stderr, which envmint must redact.
const HOOKS: &str = r#"
[secrets.DB_PASSWORD]
kind = "alnum"
length = 32
role = "credential"

[secrets.DB_PASSWORD.hooks]
set = 'sh ./hook.sh set'
test = 'sh ./hook.sh test'
"#;

/// Whether a step's command exists to print values on stdout.
#[derive(Clone, Copy, PartialEq)]
enum Stdout {
    Clean,
    MayPrintValues,
}
use Stdout::{Clean, MayPrintValues};

struct Sweep {
    test: Option<Test>,
    dir: PathBuf,
    /// Every value known so far: given, generated (read back with `get`), the identity.
    values: Vec<String>,
    /// Files (relative paths, or folders ending in `/`) that may hold values.
    allowed: Vec<String>,
    steps: usize,
}

/// The forms of `value` searched for.
fn forms(value: &str) -> Vec<String> {
    let b = value.as_bytes();
    vec![
        value.to_string(),
        STANDARD.encode(b),
        STANDARD_NO_PAD.encode(b),
        URL_SAFE.encode(b),
        URL_SAFE_NO_PAD.encode(b),
        hex::encode(b),
        hex::encode_upper(b),
    ]
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != ".git" {
                walk(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

impl Sweep {
    /// The first form of a known value found in `text`, with the value it encodes.
    fn leak(&self, text: &str) -> Option<(String, String)> {
        self.values.iter().find_map(|v| {
            forms(v)
                .into_iter()
                .find(|f| text.contains(f.as_str()))
                .map(|f| (f, v.clone()))
        })
    }

    fn learn(&mut self, value: &str) {
        assert!(value.len() >= 16, "a known value too short to search for");
        if !self.values.iter().any(|v| v == value) {
            self.values.push(value.to_string());
        }
    }

    fn allow(&mut self, path: &str) {
        self.allowed.push(path.to_string());
    }

    fn is_allowed(&self, rel: &str) -> bool {
        self.allowed
            .iter()
            .any(|a| rel == a || (a.ends_with('/') && rel.starts_with(a.as_str())))
    }

    /// Runs one step and checks everything the module promises.
    fn step(&mut self, build: impl FnOnce(Test) -> Test, code: i32, stdout: Stdout) -> Output {
        self.steps += 1;
        let test = build(self.test.take().expect("a test"));
        // NOLEAK_DISCOVER=1 reports a different exit code instead of failing: for adding steps.
        let out = if std::env::var_os("NOLEAK_DISCOVER").is_some() {
            let out = test.run();
            if out.code() != code {
                let _ = writeln!(
                    std::io::stderr(),
                    "step {}: expected {code}, got {}\n{}",
                    self.steps,
                    out.code(),
                    out.describe()
                );
            }
            out
        } else {
            test.status(code)
        };
        let what = out.describe();
        assert!(!out.stderr().contains("panicked"), "a panic\n{what}");
        if let Some((form, value)) = self.leak(out.stderr()) {
            panic!("stderr holds {form:?} (a form of {value:?})\n{what}");
        }
        if stdout == Clean
            && let Some((form, value)) = self.leak(out.stdout())
        {
            panic!("stdout holds {form:?} (a form of {value:?})\n{what}");
        }
        let mut files = Vec::new();
        walk(&self.dir, &mut files);
        for path in files {
            let rel = path.strip_prefix(&self.dir).unwrap().to_string_lossy();
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(!name.contains(".envmint-tmp."), "{rel} left behind\n{what}");
            assert!(
                !name.starts_with("core"),
                "a core file {rel} was left\n{what}"
            );
            assert!(
                !rel.starts_with("tmp/") && !rel.starts_with("run/"),
                "{rel} left in TMPDIR or XDG_RUNTIME_DIR\n{what}"
            );
            if self.is_allowed(&rel) {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            if let Some((form, value)) = self.leak(&text) {
                panic!("{rel} holds {form:?} (a form of {value:?})\n{what}");
            }
        }
        // The folders envmint may use for copies are left empty.
        for d in ["tmp", "run"] {
            let left: Vec<_> = std::fs::read_dir(self.dir.join(d)).unwrap().collect();
            assert!(left.is_empty(), "{d}/ is not empty: {left:?}\n{what}");
        }
        out
    }

    /// `envmint ARGS` as a step, returning its stdout.
    fn capture(&mut self, build: impl FnOnce(Test) -> Test, code: i32, stdout: Stdout) -> String {
        let out = self.step(build, code, stdout);
        let text = out.stdout().to_string();
        self.test = Some(out.then());
        text
    }

    fn run(&mut self, args: &[&str], code: i32, stdout: Stdout) {
        self.capture(|t| t.args(args), code, stdout);
    }

    /// Reads a value back with `get` (a step too) and learns it.
    fn learn_get(&mut self, env: &str, key: &str) {
        let out = self.capture(|t| t.args(["get", env, key]), 0, MayPrintValues);
        let value = out.trim_end_matches('\n').to_string();
        assert!(!value.is_empty(), "get printed nothing");
        self.learn(&value);
    }

    fn write(&mut self, path: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.dir.join(path), contents).unwrap();
    }
}

#[test]
fn no_command_leaks_a_value_through_output_files_temp_files_or_argv() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    for d in ["tmp", "run"] {
        std::fs::create_dir(dir.join(d)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join(d), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let (test, public) = keygen(test, "id.txt");
    let (test, wrong) = keygen(test, "wrong.txt");
    let identity = std::fs::read_to_string(dir.join("id.txt")).unwrap();
    let identity = identity
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .to_string();
    let test = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("HOME", dir.join("no-home"))
        .env("TMPDIR", dir.join("tmp"))
        .env("XDG_RUNTIME_DIR", dir.join("run"))
        .env("VISUAL", "sh ./editor.sh")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .write(
            "envmint.toml",
            MANIFEST.replace("RECIPIENTS", &format!("\"{public}\"")),
        )
        .write(".env.plain.local", format!("PLAIN_TOKEN={PLAIN_TOKEN}\n"))
        .chmod(".env.plain.local", 0o600);
    let mut s = Sweep {
        test: Some(test),
        dir: dir.clone(),
        values: Vec::new(),
        allowed: Vec::new(),
        steps: 0,
    };
    for v in [
        PLAIN_TOKEN,
        STRIPE_PLAIN,
        STRIPE_SEALED,
        EDITED,
        REFUSED,
        RECIPIENT_LEAK,
        &identity,
    ] {
        s.learn(v);
    }
    // The stores, the identities, and the inputs this test writes with values in them.
    for a in [
        ".env.plain.local",
        ".env.sealed.local",
        ".env.sealed.age",
        "id.txt",
        "wrong.txt",
        "bad-recipients.toml",
        "editor.sh",
    ] {
        s.allow(a);
    }

    // The checker itself: a printed value is found, in each form.
    for form in forms(PLAIN_TOKEN) {
        assert!(s.leak(&format!("x{form}y")).is_some(), "{form}");
    }

    // gen and keygen print values they make (not known ones); their errors print none.
    s.run(&["gen", "hex"], 0, MayPrintValues);
    s.run(&["gen", "--bytes", "0"], 2, Clean);
    s.run(&["keygen"], 0, MayPrintValues);
    s.run(&["keygen", "-o", "id.txt"], 73, Clean);
    s.run(&["init"], 0, Clean);

    // bootstrap: plain and sealed, then the generated values are known.
    s.run(&["bootstrap", "plain"], 0, Clean);
    s.run(&["bootstrap", "sealed"], 0, Clean);
    for env in ["plain", "sealed"] {
        for key in ["SESSION_SECRET", "APP_KEY"] {
            s.learn_get(env, key);
        }
    }
    s.run(&["bootstrap", "sealed", "-i", "wrong.txt"], 77, Clean);
    s.run(&["bootstrap", "nope"], 2, Clean);

    // set, get, unset, and what they refuse.
    s.capture(
        |t| {
            t.args(["set", "plain", "STRIPE_API_KEY"])
                .stdin(STRIPE_PLAIN)
        },
        0,
        Clean,
    );
    s.capture(
        |t| {
            t.args(["set", "sealed", "STRIPE_API_KEY"])
                .stdin(STRIPE_SEALED)
        },
        0,
        Clean,
    );
    s.capture(
        |t| {
            t.args(["set", "plain", "OTHER"])
                .stdin(format!("a${{{REFUSED}}}"))
        },
        65,
        Clean,
    );
    s.capture(
        |t| {
            t.args(["set", "sealed", "OTHER", "-i", "wrong.txt"])
                .stdin(REFUSED)
        },
        77,
        Clean,
    );
    s.run(&["get", "plain", "PLAIN_TOKEN"], 0, MayPrintValues);
    s.run(&["get", "sealed", "STRIPE_API_KEY"], 0, MayPrintValues);
    s.run(&["get", "sealed", "NOPE"], 66, Clean);
    s.run(&["get", "sealed", "APP_KEY", "-i", "wrong.txt"], 77, Clean);
    s.run(&["unset", "plain", "NOPE"], 66, Clean);

    // edit: the editor logs its argv and its parent's (the `sh -c`), then edits; a second one
    // leaves a line envmint cannot read, which without a terminal is refused.
    s.write(
        "editor.sh",
        format!(
            "printf '%s\\n' \"$0\" \"$@\" >> editor-argv.log\n\
             tr '\\0' ' ' < /proc/$PPID/cmdline >> editor-argv.log\n\
             if [ -e break-it ]; then echo \"BROKEN 'unterminated {EDITED}\" >> \"$1\";\n\
             else sed -i 's/^PLAIN_TOKEN=.*/PLAIN_TOKEN={EDITED}/' \"$1\"; fi\n"
        ),
    );
    s.run(&["edit", "plain"], 0, Clean);
    s.write("break-it", "");
    s.run(&["edit", "plain"], 65, Clean);
    s.run(&["edit", "sealed"], 65, Clean);
    std::fs::remove_file(dir.join("break-it")).unwrap();
    s.run(&["edit", "sealed"], 0, Clean);
    assert!(
        std::fs::read_to_string(dir.join("editor-argv.log"))
            .unwrap()
            .contains("envmint-edit-"),
        "the editor ran with its copy's path"
    );

    // seal and unseal: of the environment, and of files.
    s.run(&["unseal", "sealed"], 0, Clean);
    // A plaintext changed since it was unsealed is not overwritten.
    let local = dir.join(".env.sealed.local");
    let mut text = std::fs::read_to_string(&local).unwrap();
    text.push_str("LOCAL_CHANGE=1\n");
    std::fs::write(&local, text).unwrap();
    s.run(&["unseal", "sealed"], 73, Clean);
    s.run(&["seal", "sealed", "--remove-plaintext"], 0, Clean);
    s.run(&["unseal", "sealed", "--stdout"], 0, MayPrintValues);
    s.run(
        &["unseal", "sealed", "--stdout", "-i", "wrong.txt"],
        77,
        Clean,
    );
    s.run(
        &["seal", "-r", &public, "-o", "file.age", ".env.plain.local"],
        0,
        Clean,
    );
    s.run(&["unseal", "file.age"], 0, MayPrintValues);
    s.allow("file.out");
    s.run(&["unseal", "file.age", "-o", "file.out"], 0, Clean);
    s.run(&["unseal", "file.age", "-i", "wrong.txt"], 77, Clean);
    s.write(
        "garbage.age",
        format!("age-encryption.org/v1\n-> X25519 {PLAIN_TOKEN}\n"),
    );
    s.allow("garbage.age");
    s.run(&["unseal", "garbage.age"], 65, Clean);

    // status and audit report on values without printing them.
    s.run(&["status"], 0, Clean);
    s.run(&["status", "--json"], 0, Clean);
    s.run(&["status", "--check"], 0, Clean);
    s.write(".env.example", format!("PLAIN_TOKEN={EDITED}\n"));
    s.allow(".env.example");
    s.run(&["audit"], 1, Clean);
    s.run(&["audit", "--json"], 1, Clean);

    // plan and apply: a saved plan is an output asked for; a tampered one is refused.
    s.run(&["plan", "--all"], 0, Clean);
    s.run(&["plan", "--all", "--json"], 0, Clean);
    s.allow("p.plan");
    s.run(&["plan", "--all", "-o", "p.plan"], 0, Clean);
    s.run(&["plan", "--all", "-o", ".env.plain.local"], 73, Clean);
    let plan = std::fs::read_to_string(dir.join("p.plan")).unwrap();
    let tampered = plan.replacen("\"before\":\"", "\"before\":\"00", 1);
    assert_ne!(plan, tampered);
    s.write("tampered.plan", &tampered);
    s.allow("tampered.plan");
    {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("tampered.plan");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    s.run(&["apply", "tampered.plan"], 65, Clean);
    s.run(&["apply", "p.plan"], 0, Clean);
    s.run(&["apply", "p.plan"], 0, Clean);
    for env in ["plain", "sealed"] {
        for key in ["SESSION_SECRET", "APP_KEY"] {
            s.learn_get(env, key);
        }
    }

    // rotate, retire, adopt.
    s.run(&["rotate", "--all"], 0, Clean);
    s.run(&["rotate", "--all", "--json"], 0, Clean);
    for env in ["plain", "sealed"] {
        for key in ["SESSION_SECRET", "APP_KEY"] {
            s.learn_get(env, key);
        }
    }
    s.run(&["rotate", "--key", "NOPE"], 2, Clean);
    s.run(&["retire", "sealed", "APP_KEY", "--dry-run"], 0, Clean);
    s.run(&["retire", "sealed", "APP_KEY"], 0, Clean);
    s.run(&["retire", "plain", "NOPE"], 2, Clean);
    s.run(&["adopt", "plain", "--dry-run"], 0, Clean);
    s.run(&["adopt", "plain"], 0, Clean);

    // export: to stdout it prints values; to files it writes outputs asked for.
    s.run(
        &["export", "plain", "--format", "dotenv"],
        0,
        MayPrintValues,
    );
    s.allow("out.json");
    s.run(
        &["export", "sealed", "--format", "json", "-o", "out.json"],
        0,
        Clean,
    );
    s.allow("secrets/");
    s.run(
        &[
            "export",
            "plain",
            "--format",
            "docker-secrets",
            "-o",
            "secrets",
        ],
        0,
        Clean,
    );
    s.run(
        &[
            "export",
            "plain",
            "--format",
            "dotenv",
            "-o",
            "envmint.toml",
        ],
        73,
        Clean,
    );

    // run: the values reach the child's environment, never its argv (which it logs).
    let out = s.capture(
        |t| {
            t.args([
                "run",
                "sealed",
                "--",
                "sh",
                "-c",
                "tr '\\0' ' ' < /proc/$$/cmdline > run-argv.log; printf %s \"$STRIPE_API_KEY\"",
            ])
        },
        0,
        MayPrintValues,
    );
    assert_eq!(out, STRIPE_SEALED, "the child got the value");
    s.run(&["run", "plain", "--only", "NOPE", "--", "true"], 66, Clean);

    // rekey: a changed recipients list is refused for writes until rekey, which re-encrypts.
    s.write(
        "envmint.toml",
        MANIFEST.replace("RECIPIENTS", &format!("\"{public}\", \"{wrong}\"")),
    );
    s.capture(
        |t| t.args(["set", "sealed", "OTHER"]).stdin(REFUSED),
        77,
        Clean,
    );
    s.run(&["rekey", "--all", "--dry-run"], 0, Clean);
    s.run(&["rekey", "--all", "--yes"], 0, Clean);
    s.run(&["rekey", "--all", "--yes", "-i", "wrong.txt"], 0, Clean);

    // Hooks: a credential rotated through its `set` and `test` hooks, which get the new value
    // in their environment only, print it (envmint redacts what they print) and log their argv.
    s.write(
        "hook.sh",
        "printf '%s\\n' \"$0\" \"$@\" >> hook-argv.log\n\
         tr '\\0' ' ' < /proc/$$/cmdline >> hook-argv.log\n\
         tr '\\0' ' ' < /proc/$PPID/cmdline >> hook-argv.log\n\
         echo \"hook $1 sees $ENVMINT_NEW\"\n\
         echo \"hook $1 on stderr: $ENVMINT_NEW\" >&2\n",
    );
    s.write(
        "envmint.toml",
        MANIFEST.replace("RECIPIENTS", &format!("\"{public}\", \"{wrong}\"")) + HOOKS,
    );
    s.run(&["bootstrap", "--all"], 0, Clean);
    for env in ["plain", "sealed"] {
        s.learn_get(env, "DB_PASSWORD");
    }
    s.run(&["plan", "--key", "DB_PASSWORD"], 0, Clean);
    s.run(&["rotate", "--key", "DB_PASSWORD"], 77, Clean);
    let hooked = s.step(
        |t| t.args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"]),
        0,
        Clean,
    );
    let printed = format!("{}{}", hooked.stdout(), hooked.stderr());
    s.test = Some(hooked.then());
    // The values the hooks saw are known only now: the output is checked again with them.
    for env in ["plain", "sealed"] {
        s.learn_get(env, "DB_PASSWORD");
    }
    if let Some((form, value)) = s.leak(&printed) {
        panic!("rotate with hooks printed {form:?} (a form of {value:?}):\n{printed}");
    }
    assert!(
        std::fs::read_to_string(dir.join("hook-argv.log"))
            .unwrap()
            .contains("./hook.sh"),
        "the hooks ran"
    );

    // A recipient that does not parse is named by line, never repeated (it could be a value).
    s.write(
        "bad-recipients.toml",
        MANIFEST.replace("RECIPIENTS", &format!("\"{RECIPIENT_LEAK}\"")),
    );
    s.run(
        &["--manifest", "bad-recipients.toml", "bootstrap", "sealed"],
        65,
        Clean,
    );

    // audit --git: a value committed once is found in history and named by commit, not shown.
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir.join("no-home"))
            .output()
            .map(|o| o.status.success());
        ok.unwrap_or(false)
    };
    if git(&["init", "-q"]) {
        std::fs::write(dir.join("leaked.txt"), format!("token {STRIPE_PLAIN}\n")).unwrap();
        assert!(git(&["add", "leaked.txt"]));
        assert!(git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "-qm",
            "oops"
        ]));
        std::fs::remove_file(dir.join("leaked.txt")).unwrap();
        s.run(&["audit", "--git"], 1, Clean);
        // git: the drivers' setup, the textconv (digests, never values) and the merge driver.
        s.run(&["git", "setup", "--config"], 0, Clean);
        s.run(&["git", "diff", ".env.sealed.age"], 0, Clean);
        s.run(
            &["git", "diff", ".env.sealed.age", "-i", "wrong.txt"],
            0,
            Clean,
        );
        for copy in ["m-base.age", "m-ours.age", "m-theirs.age"] {
            std::fs::copy(dir.join(".env.sealed.age"), dir.join(copy)).unwrap();
        }
        s.run(
            &[
                "git",
                "merge",
                "m-base.age",
                "m-ours.age",
                "m-theirs.age",
                ".env.sealed.age",
            ],
            0,
            Clean,
        );
        s.write("m-theirs.age", format!("not age {PLAIN_TOKEN}"));
        s.allow("m-theirs.age");
        s.run(
            &[
                "git",
                "merge",
                "m-base.age",
                "m-ours.age",
                "m-theirs.age",
                ".env.sealed.age",
            ],
            65,
            Clean,
        );
    } else {
        crate::common::skip("git is not installed: audit --git not swept");
    }

    // example: .env.example from the manifest, names only.
    s.run(&["example", "--dry-run"], 0, Clean);
    s.run(&["example"], 0, Clean);

    // completions and man: made from the command line's definitions, no value anywhere.
    s.run(&["completions", "bash"], 0, Clean);
    s.run(&["man"], 0, Clean);
    s.run(&["man", "--dir", "man1"], 0, Clean);

    // unset last: the value goes, the store stays.
    s.run(&["unset", "plain", "STRIPE_API_KEY"], 0, Clean);
    s.run(&["unset", "sealed", "STRIPE_API_KEY"], 0, Clean);
    // A lock timeout that is not a number is a usage error before anything is read.
    s.capture(
        |t| {
            t.env("ENVMINT_LOCK_TIMEOUT", "soon")
                .args(["rotate", "--all"])
        },
        2,
        Clean,
    );

    // Every subcommand was driven (the list is clap's, so a new one fails here until swept).
    let help = std::process::Command::new(crate::common::BIN)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for line in help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
    {
        let Some(name) = line.split_whitespace().next() else {
            break;
        };
        if name == "help" {
            continue;
        }
        assert!(
            SWEPT.contains(&name),
            "subcommand {name} is not swept:\n{help}"
        );
    }
    assert!(s.steps > 60, "{} steps", s.steps);
}

/// The subcommands driven above.
const SWEPT: &[&str] = &[
    "gen",
    "init",
    "bootstrap",
    "set",
    "get",
    "unset",
    "edit",
    "keygen",
    "seal",
    "unseal",
    "rekey",
    "plan",
    "apply",
    "rotate",
    "retire",
    "adopt",
    "export",
    "run",
    "status",
    "audit",
    "git",
    "example",
    "completions",
    "man",
];
