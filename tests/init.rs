//! End-to-end tests of `envmint init`: the built binary in temp directories, checked against
//! README.md's `envmint init` section.

mod common;

use common::{Output, Test, assert_stderr_has, skip};
use std::fs;
use std::process::Command;
use std::time::Duration;

/// What `init` must write: the preset, byte for byte.
const PRESET: &str = include_str!("../src/presets/web.toml");

/// The `.gitignore` init creates in a folder without one, spelled out as README shows it.
const GITIGNORE: &str = "# envmint: secret files stay out of git\n\
                         .env*.local\n\
                         *.age.key\n\
                         .*.envmint-tmp.*\n\
                         !.env.example\n";

const ENTRIES: [&str; 4] = [
    ".env*.local",
    "*.age.key",
    ".*.envmint-tmp.*",
    "!.env.example",
];

/// How many lines of `text` equal `entry` once trimmed.
fn count(text: &str, entry: &str) -> usize {
    text.lines().filter(|l| l.trim() == entry).count()
}

fn mtime(out: &Output, path: &str) -> std::time::SystemTime {
    fs::metadata(out.path(path)).unwrap().modified().unwrap()
}

#[test]
fn init_writes_the_preset_and_creates_the_gitignore() {
    let out = Test::new()
        .wrapper(["sh", "-c", "umask 022; exec \"$0\" \"$@\""])
        .arg("init")
        .status(0);
    assert_eq!(out.read("envmint.toml"), PRESET);
    assert_eq!(out.read(".gitignore"), GITIGNORE);
    assert_eq!(out.files(), [".gitignore", "envmint.toml"]);
    assert_eq!(out.stdout(), "");
    assert_stderr_has(&out, "wrote envmint.toml");
    assert_stderr_has(
        &out,
        "created .gitignore: .env*.local *.age.key .*.envmint-tmp.* !.env.example",
    );
    // Neither file holds a secret: they get ordinary modes, not 0600.
    assert_eq!(out.mode("envmint.toml"), 0o644);
    assert_eq!(out.mode(".gitignore"), 0o644);
}

#[test]
fn fail_a_second_init_is_exit_73_and_changes_nothing() {
    let first = Test::new().arg("init").status(0);
    let edited = format!("{PRESET}\n[secrets.MINE]\n");
    fs::write(first.path("envmint.toml"), &edited).unwrap();
    let before = mtime(&first, "envmint.toml");
    let ignore = first.read(".gitignore");
    std::thread::sleep(Duration::from_millis(30));
    let out = first.then().arg("init").status(73);
    assert!(
        out.stderr()
            .starts_with("error: envmint.toml: already exists"),
        "{}",
        out.describe()
    );
    assert_stderr_has(&out, "hint: ");
    assert_eq!(out.read("envmint.toml"), edited);
    assert_eq!(mtime(&out, "envmint.toml"), before);
    assert_eq!(out.read(".gitignore"), ignore);
    assert_eq!(out.files(), [".gitignore", "envmint.toml"], "no temp file");
}

#[test]
fn fail_init_over_an_existing_manifest_leaves_a_missing_gitignore_missing() {
    let out = Test::new()
        .write("envmint.toml", "[environments.x]\n")
        .arg("init")
        .status(73);
    assert_eq!(out.read("envmint.toml"), "[environments.x]\n");
    assert_eq!(out.files(), ["envmint.toml"]);
}

#[test]
fn an_existing_gitignore_gets_only_the_missing_entries() {
    struct Case {
        name: &'static str,
        text: &'static str,
        /// The existing bytes plus the line ending init adds when the last line has none.
        prefix: &'static str,
        eol: &'static str,
        missing: &'static [&'static str],
    }
    let cases = [
        Case {
            name: "LF, final newline, two entries present (one padded)",
            text: "node_modules/\n  .env*.local  \n*.age.key\n",
            prefix: "node_modules/\n  .env*.local  \n*.age.key\n",
            eol: "\n",
            missing: &[".*.envmint-tmp.*", "!.env.example"],
        },
        Case {
            name: "no final newline",
            text: "dist\n!.env.example",
            prefix: "dist\n!.env.example\n",
            eol: "\n",
            missing: &[".env*.local", "*.age.key", ".*.envmint-tmp.*"],
        },
        Case {
            name: "CRLF without a final newline",
            text: "dist\r\n.*.envmint-tmp.*\r\n/build",
            prefix: "dist\r\n.*.envmint-tmp.*\r\n/build\r\n",
            eol: "\r\n",
            missing: &[".env*.local", "*.age.key", "!.env.example"],
        },
        Case {
            name: "a wider pattern does not count as covering",
            text: ".env*\n",
            prefix: ".env*\n",
            eol: "\n",
            missing: &[
                ".env*.local",
                "*.age.key",
                ".*.envmint-tmp.*",
                "!.env.example",
            ],
        },
    ];
    for case in cases {
        let out = Test::new()
            .write(".gitignore", case.text)
            .chmod(".gitignore", 0o664)
            .arg("init")
            .status(0);
        let result = out.read(".gitignore");
        let tail = result.strip_prefix(case.prefix).unwrap_or_else(|| {
            panic!(
                "{}: existing bytes are not a prefix of {result:?}",
                case.name
            )
        });
        let mut want = String::from(case.eol);
        want.push_str("# envmint: secret files stay out of git");
        want.push_str(case.eol);
        for entry in case.missing {
            want.push_str(entry);
            want.push_str(case.eol);
        }
        assert_eq!(tail, want, "{}", case.name);
        for entry in ENTRIES {
            assert_eq!(count(&result, entry), 1, "{}: {entry} once", case.name);
        }
        assert_stderr_has(
            &out,
            &format!("updated .gitignore: {}", case.missing.join(" ")),
        );
        assert_eq!(out.mode(".gitignore"), 0o664, "{}: mode kept", case.name);

        // Again (with the manifest moved away): nothing is added, the bytes stay.
        fs::remove_file(out.path("envmint.toml")).unwrap();
        let again = out.then().arg("init").status(0);
        assert_eq!(
            again.read(".gitignore"),
            result,
            "{}: second run",
            case.name
        );
        assert_stderr_has(&again, ".gitignore already covers secret files");
    }
}

#[test]
fn a_gitignore_with_every_entry_is_left_alone() {
    let text = "!.env.example\r\n.*.envmint-tmp.*\r\n*.age.key\r\n.env*.local";
    let out = Test::new().write(".gitignore", text).arg("init").status(0);
    assert_eq!(out.read(".gitignore"), text);
    assert_stderr_has(&out, ".gitignore already covers secret files");
}

#[test]
fn manifest_flag_writes_there_and_the_gitignore_next_to_it() {
    let out = Test::new()
        .write("config/.keep", "")
        .args(["--manifest", "config/envmint.toml", "init"])
        .status(0);
    assert_eq!(out.read("config/envmint.toml"), PRESET);
    assert_eq!(out.read("config/.gitignore"), GITIGNORE);
    assert_eq!(out.files(), ["config"]);
    assert_stderr_has(&out, "wrote config/envmint.toml");
    assert_stderr_has(&out, "created config/.gitignore");

    let out = out
        .then()
        .args(["init", "--manifest", "config/envmint.toml"])
        .status(73);
    assert_stderr_has(&out, "config/envmint.toml: already exists");
}

#[test]
fn fail_manifest_flag_into_a_missing_folder_is_exit_73() {
    let out = Test::new()
        .args(["--manifest", "nope/envmint.toml", "init"])
        .status(73);
    assert!(out.stderr().starts_with("error: "), "{}", out.describe());
    assert_stderr_has(&out, "nope/envmint.toml");
    assert!(out.files().is_empty(), "{:?}", out.files());
}

#[test]
fn bootstrap_uses_the_manifest_init_wrote() {
    let out = Test::new().arg("init").status(0);
    let manifest = format!(
        "{}\n[secrets.STRIPE_WEBHOOK_SECRET]\nkind = \"base64url\"\nenvironments = [\"production\"]\n",
        out.read("envmint.toml")
    );
    fs::write(out.path("envmint.toml"), manifest).unwrap();
    let out = out
        .then()
        .args(["bootstrap", "production", "staging", "--json"])
        .status(0);
    let json = out.json();
    assert_eq!(json["manifest"], "envmint.toml");
    let keys = |i: usize| -> Vec<String> {
        json["environments"][i]["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(0).len(), 7);
    assert_eq!(keys(0)[6], "STRIPE_WEBHOOK_SECRET");
    assert_eq!(
        keys(1).len(),
        6,
        "staging does not get the production-only key"
    );
    let prod = out.read(".env.production.local");
    let line = prod
        .lines()
        .last()
        .unwrap()
        .strip_prefix("STRIPE_WEBHOOK_SECRET=")
        .expect("the new key is the last line");
    assert_eq!(line.len(), 43, "32 bytes of unpadded base64url");
    assert!(!out.stderr().contains("built-in"), "{}", out.describe());
}

/// git itself, as the oracle: the entries init adds keep the files envmint writes out of git
/// and leave `.env.example` in.
#[test]
fn git_ignores_what_init_says_it_does() {
    let out = Test::new().arg("init").status(0);
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(out.dir())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", out.dir())
            .output()
    };
    match git(&["init", "-q"]) {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return skip(&format!(
                "git init failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        Err(e) => return skip(&format!("no git: {e}")),
    }
    for path in [
        ".env.production.local",
        ".env.local",
        "sub/.env.staging.local",
        ".env.production.local.envmint-tmp.AbC123",
        "prod.age.key",
    ] {
        let o = git(&["check-ignore", "-q", "--no-index", path]).unwrap();
        assert_eq!(o.status.code(), Some(0), "{path} should be ignored");
    }
    for path in [".env.example", "envmint.toml", ".env", ".gitignore"] {
        let o = git(&["check-ignore", "-q", "--no-index", path]).unwrap();
        assert_eq!(o.status.code(), Some(1), "{path} should not be ignored");
    }
}

#[test]
fn fail_a_gitignore_that_is_not_utf8_stops_init_before_anything_is_written() {
    let ignore: &[u8] = b"dist/\n\xff\n";
    let out = Test::new()
        .write(".gitignore", ignore)
        .arg("init")
        .status(65);
    assert!(
        !out.exists("envmint.toml"),
        "init half done\n{}",
        out.describe()
    );
    assert_eq!(out.bytes(".gitignore"), ignore);
    assert_stderr_has(&out, "error: .gitignore: not valid UTF-8");
    assert_stderr_has(&out, "hint: add these lines to it by hand");
}
