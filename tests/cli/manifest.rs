//! End-to-end tests of how envmint finds, trusts and reads `envmint.toml`: the search stops at
//! the repository root and at home, another user's manifest is refused, a broken one is an
//! error (never a fallback to the preset), and the manifest's own checks (files inside its
//! folder, modes, messages in its words) reach the user as README documents them.

use crate::common;

use common::{NOBODY, Output, Test, binary_for_nobody, is_root, skip};
use snapbox::str;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

const PROD: &str = ".env.production.local";
const ONE: &str = "[environments.production]\n[secrets.API_TOKEN]\nkind = \"hex\"\n";

/// The refusal of a broken or untrusted manifest: `code`, no fallback to the preset, nothing
/// written anywhere (no preset file either), nothing on stdout. The caller asserts the words
/// (or names the test or case file that does).
#[track_caller]
fn refused(test: Test, code: i32) -> Output {
    let before = common::names(test.dir());
    let out = test.args(["bootstrap", "production"]).status(code);
    assert!(
        !out.stderr().contains("using the built-in"),
        "no fallback\n{}",
        out.describe()
    );
    assert_eq!(out.files(), before, "nothing written\n{}", out.describe());
    assert_eq!(out.stdout(), "");
    out
}

// --- discovery ----------------------------------------------------------------------------------

#[test]
fn the_search_stops_at_the_repository_root() {
    // A manifest above the repository (another project's, or planted) is not used.
    for git in ["dir", "file"] {
        let test = Test::new()
            .write("envmint.toml", "[environments.outer]\n")
            .write("repo/sub/.keep", "");
        match git {
            "dir" => fs::create_dir(test.path("repo/.git")).unwrap(),
            _ => fs::write(test.path("repo/.git"), "gitdir: /elsewhere\n").unwrap(),
        }
        let out = test
            .cwd("repo/sub")
            .args(["bootstrap", "production", "--json"])
            .status(0);
        assert_eq!(
            out.json()["manifest"],
            serde_json::Value::Null,
            "the preset"
        );
        assert!(out.exists(format!("repo/sub/{PROD}")), "{}", out.describe());
        assert!(!out.exists(".env.outer.local"));
    }
    // The repository root's own manifest is found from below.
    let test = Test::new()
        .write("envmint.toml", "[environments.outer]\n")
        .write("repo/envmint.toml", ONE)
        .write("repo/sub/.keep", "");
    fs::create_dir(test.path("repo/.git")).unwrap();
    let out = test
        .cwd("repo/sub")
        .args(["bootstrap", "production"])
        .status(0);
    assert!(out.read(format!("repo/{PROD}")).contains("\nAPI_TOKEN="));
}

#[test]
fn the_search_stops_at_home() {
    let test = Test::new()
        .write("envmint.toml", "[environments.outer]\n")
        .write("home/me/project/.keep", "");
    let home = test.path("home/me");
    let out = test
        .env("HOME", &home)
        .cwd("home/me/project")
        .args(["bootstrap", "production", "--json"])
        .status(0);
    assert_eq!(
        out.json()["manifest"],
        serde_json::Value::Null,
        "the preset"
    );
    assert!(out.exists(format!("home/me/project/{PROD}")));
    // A manifest in home itself is the user's own, and is found.
    let out = out
        .then()
        .write("home/me/envmint.toml", ONE)
        .env("HOME", &home)
        .cwd("home/me/project")
        .args(["bootstrap", "production"])
        .status(0);
    assert!(out.read(format!("home/me/{PROD}")).contains("\nAPI_TOKEN="));
}

#[test]
fn fail_a_manifest_owned_by_another_user() {
    if !is_root() {
        skip("needs root to chown a manifest to user 65534");
        return;
    }
    let test = Test::new()
        .write("app/envmint.toml", ONE)
        .write("app/web/.keep", "");
    std::os::unix::fs::chown(test.path("app/envmint.toml"), Some(65534), Some(65534)).unwrap();
    let out = refused(test.cwd("app/web"), 77);
    out.stderr_is(str![[r#"
error: [DIR]/app/envmint.toml: owned by uid 65534, not by you (uid 0) or root; envmint does not use a manifest another user could have planted
hint: if you trust it, name it: envmint --manifest [DIR]/app/envmint.toml ...

"#]]);
    assert!(!out.exists(format!("app/{PROD}")));
    assert!(!out.exists(format!("app/web/{PROD}")));
    // Named explicitly, it is trusted.
    let out = out
        .then()
        .args(["--manifest", "app/envmint.toml", "bootstrap", "production"])
        .status(0);
    assert!(out.read(format!("app/{PROD}")).contains("\nAPI_TOKEN="));
}

#[test]
fn fail_a_manifest_symlink_owned_by_another_user() {
    if !is_root() {
        skip("needs root to chown a symlink to user 65534");
        return;
    }
    let test = Test::new().write("mine.toml", ONE);
    symlink("mine.toml", test.path("envmint.toml")).unwrap();
    std::os::unix::fs::lchown(test.path("envmint.toml"), Some(65534), Some(65534)).unwrap();
    refused(test, 77).stderr_is(str![[r#"
error: envmint.toml: owned by uid 65534, not by you (uid 0) or root; envmint does not use a manifest another user could have planted
hint: if you trust it, name it: envmint --manifest [DIR]/envmint.toml ...

"#]]);
    // A symlink of mine to another user's file is refused too.
    let test = Test::new().write("theirs.toml", ONE);
    symlink("theirs.toml", test.path("envmint.toml")).unwrap();
    std::os::unix::fs::chown(test.path("theirs.toml"), Some(65534), Some(65534)).unwrap();
    refused(test, 77).stderr_is(str![[r#"
error: envmint.toml: a symlink to a file owned by uid 65534, not by you (uid 0) or root; envmint does not use a manifest another user could have planted
hint: if you trust it, name it: envmint --manifest [DIR]/envmint.toml ...

"#]]);
}

// --- broken manifests -----------------------------------------------------------------------

#[test]
fn fail_a_manifest_that_is_a_directory() {
    let test = Test::new();
    fs::create_dir(test.path("envmint.toml")).unwrap();
    // The words: report's unit test `every_file_problem_has_its_sentence`.
    refused(test, 65);
}

#[test]
fn fail_a_manifest_that_is_a_fifo() {
    let test = Test::new();
    make_fifo(&test.path("envmint.toml"));
    refused(test, 65).stderr_is(str![[r#"
error: envmint.toml: not a regular file (a FIFO); envmint reads only regular files
hint: the manifest must be a regular file; remove or rename this one, or pass --manifest FILE

"#]]);
    // Named with --manifest, the same (and no hang).
    let test = Test::new();
    make_fifo(&test.path("m.toml"));
    let out = test
        .args(["--manifest", "m.toml", "bootstrap", "production"])
        .status(65);
    assert_eq!(out.stdout(), "");
}

fn make_fifo(path: &Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
}

#[test]
fn fail_a_manifest_that_is_a_dangling_symlink() {
    let test = Test::new();
    symlink("gone/envmint.toml", test.path("envmint.toml")).unwrap();
    refused(test, 66).stderr_is(str![[r#"
error: envmint.toml: the file this symlink points to (gone/envmint.toml) not found
hint: fix or remove the symlink; envmint does not fall back to the built-in preset while an envmint.toml exists

"#]]);
}

#[test]
fn fail_a_manifest_that_is_a_symlink_loop() {
    let test = Test::new();
    symlink("b.toml", test.path("envmint.toml")).unwrap();
    symlink("envmint.toml", test.path("b.toml")).unwrap();
    // The words: report's unit test `every_file_problem_has_its_sentence`.
    refused(test, 65);
}

#[test]
fn fail_a_manifest_that_links_to_dev_zero() {
    let test = Test::new();
    symlink("/dev/zero", test.path("envmint.toml")).unwrap();
    refused(test, 65).stderr_is(str![[r#"
error: envmint.toml: not a regular file (a device); envmint reads only regular files
hint: the manifest must be a regular file; remove or rename this one, or pass --manifest FILE

"#]]);
}

#[test]
fn fail_a_manifest_over_one_mib() {
    let big = format!("{ONE}{}", "# padding\n".repeat(110_000));
    // The words: report's unit test `every_file_problem_has_its_sentence`.
    refused(Test::new().write("envmint.toml", &big), 65);
}

/// A test folder user 65534 owns, running a copy of the binary as 65534 (kept alive by the
/// returned folder); `None`, after `skip`, when not root or without setpriv.
fn as_nobody() -> Option<(tempfile::TempDir, Test)> {
    let (bin_dir, bin) = binary_for_nobody()?;
    let test = Test::new();
    std::os::unix::fs::chown(test.dir(), Some(65534), Some(65534)).unwrap();
    Some((bin_dir, test.program(&bin).wrapper(NOBODY)))
}

#[test]
fn as_another_user_a_root_manifest_is_trusted_a_third_users_refused() {
    let Some((_bin_dir, test)) = as_nobody() else {
        return;
    };
    // Root's (the test writes as root): trusted.
    let test = test.write("envmint.toml", ONE);
    let manifest = test.path("envmint.toml");
    let out = test.args(["bootstrap", "production"]).status(0);
    assert!(
        out.read(PROD).contains("\nAPI_TOKEN="),
        "{}",
        out.describe()
    );
    fs::remove_file(out.path(PROD)).unwrap();
    // A third user's (uid 1000): refused, and nothing written.
    std::os::unix::fs::chown(&manifest, Some(1000), Some(1000)).unwrap();
    let Some((_bin_dir, test)) = as_nobody() else {
        return;
    };
    fs::copy(&manifest, test.path("envmint.toml")).unwrap();
    std::os::unix::fs::chown(test.path("envmint.toml"), Some(1000), Some(1000)).unwrap();
    // The words of this refusal: `fail_a_manifest_owned_by_another_user`.
    refused(test, 77);
}

#[test]
fn fail_an_unreadable_manifest() {
    let Some((_bin_dir, test)) = as_nobody() else {
        return;
    };
    let test = test.write("envmint.toml", ONE).chmod("envmint.toml", 0);
    std::os::unix::fs::chown(test.path("envmint.toml"), Some(65534), Some(65534)).unwrap();
    let out = refused(test, 77);
    out.stderr_is(str![[r#"
error: envmint.toml: cannot read: Permission denied (os error 13)
hint: check the owner and mode of envmint.toml (ls -l)

"#]]);
    assert_eq!(out.files(), ["envmint.toml"]);
}

// --- the manifest's own checks --------------------------------------------------------------

#[test]
fn fail_a_relative_file_that_leaves_the_manifest_folder() {
    // The words: the case file manifest/file_outside_env_leaves_the_manifest_s_folder.
    let out = refused(
        Test::new()
            .write(
                "app/envmint.toml",
                "[environments.production]\nfile = \"../../outside.env\"\n",
            )
            .cwd("app"),
        65,
    );
    assert!(!out.exists("outside.env"));
    assert_eq!(out.files(), ["app"]);
}

#[test]
fn fail_a_file_that_is_the_manifest_or_in_git_or_a_line_break() {
    const SECRET: &str = "[secrets.API_TOKEN]\nkind = \"hex\"\n";
    // The words: the case files manifest/file_*_is_the_manifest_itself, *_is_inside_git,
    // *_contains_a_control_character and *_names_a_folder_not_a_file.
    for file in [
        "envmint.toml",
        "./x/../envmint.toml",
        ".git/config",
        "a\\nb",
        "sub/",
    ] {
        let manifest = format!("[environments.production]\nfile = \"{file}\"\n{SECRET}");
        let out = refused(
            Test::new()
                .write("envmint.toml", &manifest)
                .write(".git/config", "[core]\n\tbare = false\n"),
            65,
        );
        assert_eq!(out.read("envmint.toml"), manifest);
        assert_eq!(out.read(".git/config"), "[core]\n\tbare = false\n");
    }
    // Through a symlink the user made: the same file under another name.
    let test = Test::new().write(
        "envmint.toml",
        format!("[environments.production]\n{SECRET}"),
    );
    symlink("envmint.toml", test.path(PROD)).unwrap();
    // The words: report's unit test `a_dotenv_file_that_is_the_manifest_says_which_environment`.
    let out = refused(test, 65);
    assert!(!out.read("envmint.toml").contains("API_TOKEN="));
}

#[test]
fn an_absolute_file_is_allowed_and_inner_dots_resolve() {
    let test = Test::new().write("deploy/.keep", "");
    let target = test.path("deploy/app.env");
    let out = test
        .write(
            "app/envmint.toml",
            format!(
                "[environments.production]\nfile = \"{}\"\n[environments.staging]\n\
                 file = \"a/../staging.env\"\n{}",
                target.display(),
                "[secrets.API_TOKEN]\nkind = \"hex\"\n"
            ),
        )
        .cwd("app")
        // Outside the manifest's folder: allowed by the user (see trust.rs for the refusal).
        .args(["--allow-outside", "bootstrap", "--all", "--json"])
        .status(0);
    assert!(out.read("deploy/app.env").contains("\nAPI_TOKEN="));
    assert!(out.read("app/staging.env").contains("\nAPI_TOKEN="));
    assert_eq!(out.json()["environments"][1]["file"], "staging.env");
}

#[test]
fn fail_a_mode_others_could_read() {
    // The words: the case files manifest/mode_0644_lets_other_users_reach_the_file_2 and
    // manifest/mode_must_be_octal_digits_in_quotes_not_the_number_640.
    refused(
        Test::new().write(
            "envmint.toml",
            "[environments.production]\nmode = \"0644\"\n",
        ),
        65,
    );
    refused(
        Test::new().write(
            "envmint.toml",
            "[defaults]\nmode = 640\n[environments.production]\n",
        ),
        65,
    );
}

#[test]
fn a_declared_mode_is_accepted() {
    for mode in ["0640", "0600", "0440", "0400"] {
        Test::new()
            .write(
                "envmint.toml",
                format!(
                    "[environments.production]\nmode = \"{mode}\"\n{}",
                    &ONE[26..]
                ),
            )
            .args(["bootstrap", "production"])
            .status(0);
    }
}

#[test]
fn a_declared_mode_is_what_the_written_file_gets() {
    for mode in [0o640, 0o600, 0o440, 0o400] {
        let out = Test::new()
            .write(
                "envmint.toml",
                format!(
                    "[environments.production]\nmode = \"{mode:04o}\"\n{}",
                    &ONE[26..]
                ),
            )
            .args(["bootstrap", "production", "--json"])
            .status(0);
        assert_eq!(
            out.mode(".env.production.local"),
            mode,
            "{}",
            out.describe()
        );
        assert_eq!(
            out.json()["environments"][0]["mode"],
            format!("{mode:04o}"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn a_mode_change_is_reported_and_a_declared_group_mode_is_kept() {
    // Declared 0640: an existing 0640 file stays 0640, with no warning and no mode line.
    let declared = format!("[environments.production]\nmode = \"0640\"\n{}", &ONE[26..]);
    let out = Test::new()
        .write("envmint.toml", &declared)
        .write(".env.production.local", "OTHER=1\n")
        .chmod(".env.production.local", 0o640)
        .args(["bootstrap", "production"])
        .status(0);
    assert_eq!(out.mode(".env.production.local"), 0o640);
    assert!(!out.stderr().contains("mode 0"), "{}", out.describe());
    assert!(!out.stderr().contains("warning"), "{}", out.describe());
    // Nothing declared: the same file becomes 0600, and the summary says so.
    let out = Test::new()
        .write(
            "envmint.toml",
            format!("[environments.production]\n{}", &ONE[26..]),
        )
        .write(".env.production.local", "OTHER=1\n")
        .chmod(".env.production.local", 0o640)
        .args(["bootstrap", "production", "--json"])
        .status(0);
    assert_eq!(out.mode(".env.production.local"), 0o600);
    assert_eq!(
        out.json()["environments"][0]["mode_change"],
        serde_json::json!({"from": "0640", "to": "0600"}),
        "{}",
        out.describe()
    );
    let out = out
        .then()
        .write(".env.production.local", "OTHER=1\n")
        .chmod(".env.production.local", 0o640)
        .args(["bootstrap", "production"])
        .status(0);
    // The summary's words for a mode change: the snapshot
    // bootstrap/bootstrap_summary_added_and_mode_fixed.
    assert_eq!(out.mode(".env.production.local"), 0o600);
}

/// A refused manifest stops `bootstrap` before it writes anything. The exact text of each is
/// a case file under tests/cli/cmd/manifest/.
#[test]
fn fail_errors_speak_the_manifests_words() {
    let cases = [
        "[environments.production]\n[secrets.K]\nkind = \"hex\"\nbytes = \"32\"\n",
        "[environments.production]\n[secrets.K]\nkind = \"hex\"\nbytes = -1\n",
        "[defaults]\nrotate_every = 90\n[environments.production]\n",
        "[defaults]\nrotate_every = \"90d\"\n[defaults.x]\n[environments.production]\n",
        "[environments.production]\n[secrets.K]\nkind = \"hexx\"\n",
        "[environments.production]\n[secrets.K]\nenvironments = [\"prod\"]\n",
    ];
    for manifest in cases {
        let out = Test::new()
            .write("envmint.toml", manifest)
            .args(["bootstrap", "production"])
            .status(65);
        assert_eq!(out.stdout(), "", "{}", out.describe());
        assert_eq!(out.files(), ["envmint.toml"]);
    }
}

#[test]
fn fail_an_unknown_environment_suggests_a_close_one_and_only_valid_toml() {
    // `prod` (did you mean `production`?) is the case file
    // tests/cli/cmd/bootstrap/unknown_environment.toml.
    let out = Test::new()
        .write("envmint.toml", ONE)
        .args(["bootstrap", "../../etc/x"])
        .status(2);
    out.stderr_is(str![[r#"
error: unknown environment `../../etc/x`: envmint.toml declares production
hint: environment names are letters, digits, `-` and `_` (at most 64), e.g. production

"#]]);
    assert!(
        !out.stderr().contains("[environments."),
        "{}",
        out.describe()
    );
    assert_eq!(out.files(), ["envmint.toml"]);
}
