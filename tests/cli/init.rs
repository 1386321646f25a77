//! End-to-end tests of `envmint init`: the built binary in temp directories, checked against
//! README.md's `envmint init` section.

use crate::common;

use common::{Test, mtime, skip, tick};
use snapbox::str;
use std::fs;
use std::process::Command;

/// What `init` must write: the preset, byte for byte.
const PRESET: &str = include_str!("../../src/presets/web.toml");

/// The `.gitignore` init creates in a folder without one, spelled out as README shows it.
const GITIGNORE: &str = "# envmint: secret files stay out of git\n\
                         .env*.local\n\
                         ?*.env\n\
                         *.plan\n\
                         secrets/\n\
                         *.age.key\n\
                         .*.envmint-tmp.*\n\
                         !.env.example\n";

const ENTRIES: [&str; 7] = [
    ".env*.local",
    "?*.env",
    "*.plan",
    "secrets/",
    "*.age.key",
    ".*.envmint-tmp.*",
    "!.env.example",
];

/// How many lines of `text` equal `entry` once trimmed.
fn count(text: &str, entry: &str) -> usize {
    text.lines().filter(|l| l.trim() == entry).count()
}

/// `--preset NAME` writes that framework's preset, byte for byte; the manifest it writes is
/// the one bootstrap then uses; an unknown name is a usage error naming the choices.
#[test]
fn init_preset_writes_the_frameworks_manifest() {
    for (name, text) in [
        ("django", include_str!("../../src/presets/django.toml")),
        ("flask", include_str!("../../src/presets/flask.toml")),
        ("rails", include_str!("../../src/presets/rails.toml")),
        ("laravel", include_str!("../../src/presets/laravel.toml")),
        ("nextjs", include_str!("../../src/presets/nextjs.toml")),
        ("express", include_str!("../../src/presets/express.toml")),
        ("web", PRESET),
    ] {
        let out = common::envmint(["init", "--preset", name]).status(0);
        assert_eq!(out.read("envmint.toml"), text, "{name}");
        out.stderr_is(format!(
            "created .gitignore: .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* \
             !.env.example\n\
             wrote envmint.toml (the {name} preset: development, staging, production)\n"
        ));
        let out = out.then().args(["bootstrap", "production"]).status(0);
        assert!(out.exists(".env.production.local"), "{name}");
    }
    let out = common::envmint(["init", "--preset", "symfony"]).status(2);
    out.stderr_is(str![[r#"
error: invalid value 'symfony' for '--preset <NAME>'
  [possible values: web, django, flask, rails, laravel, nextjs, express]

For more information, try '--help'.

"#]]);
    assert!(!out.exists("envmint.toml"));
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
    // The summary's words: the case file tests/cli/cmd/init/summary_fresh.toml.
    // Neither file holds a secret: they get ordinary modes, not 0600.
    assert_eq!(out.mode("envmint.toml"), 0o644);
    assert_eq!(out.mode(".gitignore"), 0o644);
}

#[test]
fn a_second_init_keeps_the_manifest_fixes_the_gitignore_and_exits_0() {
    let first = Test::new().arg("init").status(0);
    let edited = format!("{PRESET}\n[secrets.MINE]\n");
    fs::write(first.path("envmint.toml"), &edited).unwrap();
    // Someone dropped a line from .gitignore since: the second run puts it back.
    let ignore = first.read(".gitignore").replace("*.age.key\n", "");
    fs::write(first.path(".gitignore"), &ignore).unwrap();
    let before = mtime(first.path("envmint.toml"));
    tick();
    let out = first.then().arg("init").status(0);
    out.stderr_is(str![[r#"
updated .gitignore: *.age.key
kept envmint.toml: it exists, and init never overwrites it

"#]]);
    assert_eq!(out.bytes("envmint.toml"), edited.as_bytes());
    assert_eq!(mtime(out.path("envmint.toml")), before, "not rewritten");
    let fixed = out.read(".gitignore");
    for entry in ENTRIES {
        assert_eq!(count(&fixed, entry), 1, "{entry} once");
    }
    assert_eq!(out.files(), [".gitignore", "envmint.toml"], "no temp file");

    // A third run has nothing to do (its words: the snapshot init/init_summary_again).
    let out = out.then().arg("init").status(0);
    assert_eq!(out.read(".gitignore"), fixed);
    assert_eq!(out.bytes("envmint.toml"), edited.as_bytes());
}

#[test]
fn init_over_an_existing_manifest_still_covers_secret_files() {
    let out = Test::new()
        .write("envmint.toml", "[environments.x]\n")
        .arg("init")
        .status(0);
    assert_eq!(out.bytes("envmint.toml"), b"[environments.x]\n");
    assert_eq!(out.read(".gitignore"), GITIGNORE);
    out.stderr_is(str![[r#"
created .gitignore: .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* !.env.example
kept envmint.toml: it exists, and init never overwrites it

"#]]);
    assert_eq!(out.files(), [".gitignore", "envmint.toml"]);
}

#[test]
fn fail_an_envmint_toml_that_is_not_a_file_is_an_error_not_kept() {
    let out = Test::new()
        .write("envmint.toml/.keep", "")
        .arg("init")
        .status(65);
    // The words: the case file tests/cli/cmd/init/manifest_is_a_folder.toml.
    assert_eq!(out.stdout(), "");
    assert!(!out.stderr().contains("kept"), "{}", out.describe());
    // Checked before .gitignore is written: with --manifest /dev/null, the .gitignore beside
    // it would be /dev/.gitignore.
    assert!(!out.exists(".gitignore"));
}

#[test]
fn fail_a_manifest_flag_naming_a_folder_a_device_or_gitignore_writes_nothing() {
    for (given, code, words) in [
        (
            ".",
            2,
            str![[r#"
error: --manifest . names a folder, not a file
hint: give the manifest's file name, e.g. --manifest config/envmint.toml

"#]],
        ),
        (
            "sub/",
            2,
            str![[r#"
error: --manifest sub/ names a folder, not a file
hint: give the manifest's file name, e.g. --manifest config/envmint.toml

"#]],
        ),
        (
            "sub/.",
            2,
            str![[r#"
error: --manifest sub/. names a folder, not a file
hint: give the manifest's file name, e.g. --manifest config/envmint.toml

"#]],
        ),
        (
            "sub/..",
            2,
            str![[r#"
error: --manifest sub/.. names a folder, not a file
hint: give the manifest's file name, e.g. --manifest config/envmint.toml

"#]],
        ),
        (
            ".gitignore",
            2,
            str![[r#"
error: --manifest names .gitignore, which init updates beside the manifest
hint: give the manifest's file name, e.g. --manifest envmint.toml

"#]],
        ),
        (
            "dev/null",
            65,
            str![[r#"
error: dev/null: not a regular file (a device); envmint reads only regular files

"#]],
        ),
    ] {
        let test = Test::new().write("sub/.keep", "");
        fs::create_dir(test.path("dev")).unwrap();
        std::os::unix::fs::symlink("/dev/null", test.path("dev/null")).unwrap();
        let out = test.args(["init", "--manifest", given]).status(code);
        out.stderr_is(words);
        for ignore in [".gitignore", "sub/.gitignore", "dev/.gitignore"] {
            assert!(!out.exists(ignore), "{given}: {ignore}");
        }
    }
}

#[test]
fn fail_a_gitignore_that_cannot_be_read_stops_init_before_the_manifest() {
    let out = Test::new()
        .write(".gitignore/.keep", "")
        .arg("init")
        .status(65);
    out.stderr_is(str![[r#"
error: .gitignore: not a regular file (a directory); envmint reads only regular files

"#]]);
    assert!(!out.exists("envmint.toml"), "{}", out.describe());
}

#[test]
fn verbose_init_says_what_it_checks_and_writes() {
    let out = Test::new().args(["init", "-v"]).status(0);
    // In that order: .gitignore first.
    out.stderr_is(str![[r#"
envmint: checking .gitignore
envmint: .gitignore: needs .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* !.env.example
envmint: .gitignore: writing 116 bytes (7 missing)
created .gitignore: .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* !.env.example
envmint: checking envmint.toml
envmint: envmint.toml: writing the web preset (2380 bytes)
wrote envmint.toml (the web preset: development, staging, production)

"#]]);
    // A manifest that is a symlink is named with the file it leads to.
    let linked = Test::new()
        .write("config/real.toml", "[environments.x]\n")
        .write(".gitignore", GITIGNORE);
    std::os::unix::fs::symlink("config/real.toml", linked.path("envmint.toml")).unwrap();
    let linked = linked.args(["init", "-v"]).status(0);
    linked.stderr_is(str![[r#"
envmint: checking .gitignore
envmint: .gitignore: needs .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* !.env.example
.gitignore already covers secret files
envmint: checking envmint.toml (a symlink to config/real.toml)
kept envmint.toml: it exists, and init never overwrites it

"#]]);
    assert_eq!(linked.read("config/real.toml"), "[environments.x]\n");
    // Without -v, only the two result lines.
    let quiet = Test::new().arg("init").status(0);
    assert_eq!(quiet.stderr().lines().count(), 2, "{}", quiet.describe());
}

/// Unmounts on drop, so a failing assertion does not leave a mount behind.
pub(crate) struct Mount(pub(crate) std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the file system holding `path` up to the last byte, with a file at `path`.
pub(crate) fn fill(path: &std::path::Path) {
    use std::io::Write;
    let mut file = fs::File::create(path).unwrap();
    let block = [0u8; 4096];
    while file.write_all(&block).is_ok() {}
    file.sync_all().ok();
}

/// The issue's full disk: init failed half way and a second run never finished the job. Now
/// each run does what fits, and a run with space again converges.
#[test]
fn init_converges_after_a_full_disk() {
    // The mount point lives outside the test's own directory and is declared first, so that
    // it is unmounted before any of them is removed, even when an assertion fails.
    let parent = tempfile::tempdir().unwrap();
    let disk = parent.path().join("disk");
    fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=64k,mode=0755",
            "envmint-init-test",
        ])
        .arg(&disk)
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return skip(&format!(
                "cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return skip(&format!("no mount(8): {e}")),
    }
    let _mount = Mount(disk.clone());
    let filler = disk.join("filler");
    let names = || common::names(&disk);
    let init = || Test::new().cwd(&disk).arg("init");

    // No space at all: .gitignore fails first, and envmint.toml is not written before it.
    fill(&filler);
    let out = init().status(74);
    out.stderr_is(str![[r#"
error: .gitignore: cannot write: No space left on device (os error 28)

"#]]);
    assert_eq!(names(), ["filler"], "nothing written, no temp file");

    // One page free: .gitignore fits, envmint.toml does not.
    let f = fs::OpenOptions::new().write(true).open(&filler).unwrap();
    f.set_len(f.metadata().unwrap().len() - 4096).unwrap();
    drop(f);
    let out = init().status(74);
    out.stderr_is(str![[r#"
created .gitignore: .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* !.env.example
error: envmint.toml: cannot write: No space left on device (os error 28)

"#]]);
    assert_eq!(
        fs::read_to_string(disk.join(".gitignore")).unwrap(),
        GITIGNORE
    );
    assert_eq!(names(), [".gitignore", "filler"]);

    // Space again: the next run finishes the job.
    fs::remove_file(&filler).unwrap();
    // Its words: `an_existing_gitignore_gets_only_the_missing_entries`' second runs.
    init().status(0);
    assert_eq!(
        fs::read_to_string(disk.join("envmint.toml")).unwrap(),
        PRESET
    );
    assert_eq!(
        fs::read_to_string(disk.join(".gitignore")).unwrap(),
        GITIGNORE
    );
    assert_eq!(names(), [".gitignore", "envmint.toml"]);
    // And once more: nothing to do, still exit 0.
    init().status(0);
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
            missing: &[
                "?*.env",
                "*.plan",
                "secrets/",
                ".*.envmint-tmp.*",
                "!.env.example",
            ],
        },
        Case {
            name: "no final newline",
            text: "dist\n!.env.example",
            prefix: "dist\n!.env.example\n",
            eol: "\n",
            missing: &[
                ".env*.local",
                "?*.env",
                "*.plan",
                "secrets/",
                "*.age.key",
                ".*.envmint-tmp.*",
            ],
        },
        Case {
            name: "CRLF without a final newline",
            text: "dist\r\n.*.envmint-tmp.*\r\n/build",
            prefix: "dist\r\n.*.envmint-tmp.*\r\n/build\r\n",
            eol: "\r\n",
            missing: &[
                ".env*.local",
                "?*.env",
                "*.plan",
                "secrets/",
                "*.age.key",
                "!.env.example",
            ],
        },
        Case {
            name: "a wider pattern does not count as covering",
            text: ".env*\n",
            prefix: ".env*\n",
            eol: "\n",
            missing: &[
                ".env*.local",
                "?*.env",
                "*.plan",
                "secrets/",
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
        out.stderr_is(format!(
            "updated .gitignore: {}\n\
             wrote envmint.toml (the web preset: development, staging, production)\n",
            case.missing.join(" ")
        ));
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
        again.stderr_is(
            ".gitignore already covers secret files\n\
             wrote envmint.toml (the web preset: development, staging, production)\n",
        );
    }
}

#[test]
fn a_gitignore_with_every_entry_is_left_alone() {
    let text = "!.env.example\r\n.*.envmint-tmp.*\r\n*.age.key\r\nsecrets/\r\n*.plan\r\n?*.env\r\n\
                .env*.local";
    let out = Test::new().write(".gitignore", text).arg("init").status(0);
    assert_eq!(out.read(".gitignore"), text);
    assert_eq!(out.read("envmint.toml"), PRESET);
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
    out.stderr_is(str![[r#"
created config/.gitignore: .env*.local ?*.env *.plan secrets/ *.age.key .*.envmint-tmp.* !.env.example
wrote config/envmint.toml (the web preset: development, staging, production)

"#]]);

    // The flag after the command (its own place) does the same; the file is kept.
    let out = out
        .then()
        .args(["init", "--manifest", "config/envmint.toml"])
        .status(0);
    out.stderr_is(str![[r#"
config/.gitignore already covers secret files
kept config/envmint.toml: it exists, and init never overwrites it

"#]]);
    assert_eq!(out.read("config/envmint.toml"), PRESET);
}

#[test]
fn fail_manifest_flag_into_a_missing_folder_is_exit_73() {
    for args in [
        ["--manifest", "nope/envmint.toml", "init"],
        ["init", "--manifest", "nope/envmint.toml"],
    ] {
        let out = Test::new().args(args).status(73);
        // The words: the case file tests/cli/cmd/init/missing_folder.toml.
        assert_eq!(out.stdout(), "");
        assert!(out.files().is_empty(), "{:?}", out.files());
    }
}

#[test]
fn fail_manifest_given_twice() {
    let out = Test::new()
        .args(["--manifest", "a.toml", "init", "--manifest", "b.toml"])
        .status(2);
    out.stderr_is(str![[r#"
error: --manifest is given twice
hint: give it once, after the command

"#]]);
    assert!(out.files().is_empty());
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
        // The README's exports, unsealed copy and plan file.
        "prod.env",
        "secrets.env",
        "secrets/DATABASE_PASSWORD",
        "secrets/.envmint-export",
        "rotation.plan",
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
    // The words: the case file tests/cli/cmd/init/gitignore_not_utf8.toml.
    assert_eq!(out.stdout(), "");
}
