//! `envmint audit`: one fixture project (a temp folder with `git init`) per check that must be
//! found, a clean project with no finding, `--git` on a value committed then removed, sealed
//! environments audited in memory, and no value ever in any output.

use crate::common;

use common::{Output, Test};
use snapbox::str;
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` (identity given, no user config needed), asserting success.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A git repository with `envmint init` (manifest and .gitignore) and `production` and
/// `staging` bootstrapped; HOME and XDG_CONFIG_HOME point into it so no identity of the
/// machine is seen.
fn project() -> Test {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let test = test
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .args(["init"])
        .status(0)
        .then()
        .args(["bootstrap", "production", "staging"])
        .status(0)
        .then();
    // development stays absent: a missing file has no finding.
    for file in [".env.production.local", ".env.staging.local"] {
        add_records(&dir.join(file));
    }
    test
}

/// A record line made now, as `bootstrap` writes it.
fn record_now() -> String {
    format!(
        "# envmint: generated={}",
        jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ")
    )
}

/// Puts a record made now above every key of `path` that has none, so the keys are not of
/// unknown age (whether or not bootstrap writes records itself).
fn add_records(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut above = "";
    for line in text.lines() {
        if line.contains('=') && !line.starts_with('#') && !above.starts_with("# envmint:") {
            out.push_str(&record_now());
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        above = line;
    }
    std::fs::write(path, out).unwrap();
}

/// The checks of a run, rotation aside.
fn value_checks(out: &Output) -> Vec<String> {
    let mut found: Vec<String> = checks(out)
        .into_iter()
        .filter(|c| !c.starts_with("rotation-") && c != "missing-value")
        .collect();
    found.sort();
    found
}

/// The values of every `KEY=value` line of the files, to prove none is printed.
fn values_of(out: &Output, files: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|f| out.exists(f))
        .flat_map(|f| {
            out.read(f)
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    l.split_once('=')
                        .map(|(_, v)| v.trim_matches('"').to_string())
                })
                .filter(|v| v.len() >= 3)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[track_caller]
fn assert_no_value_shown(out: &Output, values: &[String]) {
    for v in values {
        assert!(
            !out.stdout().contains(v.as_str()) && !out.stderr().contains(v.as_str()),
            "a value was printed\n{}",
            out.describe()
        );
    }
}

/// The `check` ids of a `--json` run.
fn checks(out: &Output) -> Vec<String> {
    out.json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect()
}

/// The finding of check `id` in a `--json` run.
#[track_caller]
fn finding(out: &Output, id: &str) -> serde_json::Value {
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == id)
        .unwrap_or_else(|| panic!("no {id} finding\n{}", out.describe()))
        .clone()
}

const ENV_FILES: [&str; 3] = [
    ".env.production.local",
    ".env.staging.local",
    ".env.development.local",
];

#[test]
fn a_clean_project_has_no_finding() {
    let out = project().args(["audit", "production", "staging"]).status(0);
    assert_eq!(out.stdout(), "");
    out.stderr_is(str![[r#"
audit: no findings (production, staging)

"#]]);
    let out = out
        .then()
        .args(["audit", "--json", "--git", "production", "staging"])
        .status(0);
    assert_eq!(out.json(), serde_json::json!([]));
}

#[test]
fn file_modes_of_env_plan_and_identity_files_and_open_folders_are_found() {
    let test = project()
        .chmod(".env.production.local", 0o644)
        .write(
            "plans/rotate.json",
            "{\"envmint_plan\": 1, \"environments\": {}}",
        )
        .chmod("plans/rotate.json", 0o644)
        .args(["keygen", "-o", "keys/me.age.key"])
        .status(0)
        .then()
        .chmod("keys/me.age.key", 0o640)
        .chmod("keys", 0o777);
    let out = test.args(["audit", "--json"]).status(1);
    let env = finding(&out, "file-mode");
    assert_eq!(env["severity"], "error");
    assert_eq!(env["env"], "production");
    assert_eq!(env["path"], ".env.production.local");
    assert_eq!(env["line"], serde_json::Value::Null);
    assert!(env["message"].as_str().unwrap().contains("0644"));
    assert!(env["hint"].as_str().unwrap().starts_with("chmod 600"));
    let paths: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "file-mode" || f["check"] == "folder-mode")
        .map(|f| {
            format!(
                "{} {}",
                f["check"].as_str().unwrap(),
                f["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            "file-mode .env.production.local",
            "folder-mode keys",
            "file-mode keys/me.age.key",
            "file-mode plans/rotate.json",
        ]
    );
    // The human form: grouped, `path: severity: message`, then the hint.
    let out = out.then().args(["audit"]).status(1);
    out.stdout_is(str![[r#"
== file and folder modes ==
.env.production.local: error: plaintext env file is 0644: group can read, others can read it [file-mode]
  hint: chmod 600 .env.production.local (or declare the mode it needs: mode = "0640" in the manifest)
keys: error: folder is 0777: others can write to it, so they can replace the secret files in it [folder-mode]
  hint: chmod o-w keys
keys/me.age.key: error: identity file (an age secret key) is 0640: group can read it [file-mode]
  hint: chmod 600 keys/me.age.key
plans/rotate.json: error: plan file is 0644: group can read, others can read it [file-mode]
  hint: chmod 600 plans/rotate.json

== git ==
plans/rotate.json: warning: plan file is not covered by .gitignore [not-ignored]
  hint: add `/plans/rotate.json` to .gitignore (envmint init adds the usual patterns)

"#]]);
}

#[test]
fn a_declared_mode_and_a_world_readable_sealed_file_are_not_findings() {
    let test = project();
    let manifest = test.dir().join("envmint.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let out = test
        .write(
            "envmint.toml",
            text.replace(
                "[environments.staging]",
                "[environments.staging]\nmode = \"0640\"",
            ),
        )
        .chmod(".env.staging.local", 0o640)
        .args(["audit", "staging"])
        .status(0);
    assert_eq!(out.stdout(), "");
}

#[test]
fn placeholder_example_empty_weak_and_low_entropy_values_are_found_with_their_lines() {
    let test = project()
        .write(".env.example", "SESSION_SECRET=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY=\n")
        .write(
            ".env.development.local",
            "SECRET_KEY=changeme\nJWT_SECRET_KEY=\nSESSION_SECRET=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0NTY=\n\
             ENCRYPTION_KEY=abc\nSTRIPE_API_KEY=sk_test_1234\nPORT=8080\n",
        )
        .chmod(".env.development.local", 0o600);
    let out = test.args(["audit", "--json", "development"]).status(1);
    assert_eq!(
        value_checks(&out),
        [
            "empty-value",
            "example-value",
            "low-entropy",
            "placeholder",
            "weak-value"
        ]
    );
    let p = finding(&out, "placeholder");
    assert_eq!(p["key"], "SECRET_KEY");
    assert_eq!(p["line"], 1);
    assert_eq!(p["path"], ".env.development.local");
    assert_eq!(finding(&out, "empty-value")["line"], 2);
    assert_eq!(finding(&out, "example-value")["key"], "SESSION_SECRET");
    assert_eq!(finding(&out, "weak-value")["key"], "ENCRYPTION_KEY");
    let low = finding(&out, "low-entropy");
    assert_eq!(low["key"], "STRIPE_API_KEY");
    assert_eq!(low["severity"], "warning");
    let values = values_of(&out, &[".env.development.local"]);
    assert_no_value_shown(&out, &values);
}

#[test]
fn the_same_value_in_two_environments_or_under_two_keys_is_found_without_showing_it() {
    let test = project();
    let prod = test.dir().join(".env.production.local");
    let text = std::fs::read_to_string(&prod).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("SECRET_KEY="))
        .unwrap()
        .to_string();
    let out = test
        .args(["set", "staging", "SECRET_KEY"])
        .stdin(format!("{secret}\n"))
        .status(0)
        .then()
        .args(["set", "production", "ANOTHER_TOKEN"])
        .stdin(format!("{secret}\n"))
        .status(0)
        .then()
        .args(["audit", "--json"])
        .status(1);
    let dups: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "duplicate-value")
        .map(|f| format!("{} {} {}", f["env"], f["key"], f["severity"]))
        .collect();
    assert_eq!(dups.len(), 3, "{dups:?}");
    assert!(dups.contains(&"\"staging\" \"SECRET_KEY\" \"error\"".to_string()));
    let values = values_of(&out, &ENV_FILES);
    assert_no_value_shown(&out, &values);
}

#[test]
fn env_and_identity_files_not_ignored_or_tracked_are_found() {
    let test = project()
        .write(".gitignore", "# nothing\n")
        .args(["keygen", "-o", "me.key"])
        .status(0)
        .then();
    git(test.dir(), &["add", "-f", ".env.staging.local"]);
    let out = test.args(["audit", "--json"]).status(1);
    let rows: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "not-ignored" || f["check"] == "tracked")
        .map(|f| {
            format!(
                "{} {}",
                f["check"].as_str().unwrap(),
                f["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "not-ignored .env.production.local",
            "not-ignored .env.staging.local",
            "tracked .env.staging.local",
            "not-ignored me.key",
        ]
    );
}

#[test]
fn git_finds_a_value_committed_then_removed_with_commit_and_path() {
    let test = project();
    let dir = test.dir().to_path_buf();
    let prod = std::fs::read_to_string(dir.join(".env.production.local")).unwrap();
    let line = prod
        .lines()
        .find(|l| l.starts_with("DB_PASSWORD="))
        .unwrap();
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(dir.join("config/settings.py"), format!("# oops\n{line}\n")).unwrap();
    git(&dir, &["add", "config/settings.py", ".gitignore"]);
    git(&dir, &["commit", "-q", "-m", "settings"]);
    git(&dir, &["rm", "-q", "config/settings.py"]);
    git(&dir, &["commit", "-q", "-m", "remove the password"]);
    let head = Command::new("git")
        .current_dir(&dir)
        .args(["rev-parse", "HEAD~1"])
        .output()
        .unwrap();
    let commit = String::from_utf8(head.stdout).unwrap();
    // Without --git the history is not searched: the project is clean.
    let out = test.args(["audit", "production"]).status(0);
    let out = out
        .then()
        .args(["audit", "production", "--git", "--json"])
        .status(1);
    let f = finding(&out, "git-history");
    assert_eq!(f["key"], "DB_PASSWORD");
    assert_eq!(f["env"], "production");
    assert_eq!(f["path"], "config/settings.py");
    assert!(
        f["message"].as_str().unwrap().contains(&commit[..12]),
        "{}",
        out.describe()
    );
    assert_eq!(checks(&out), ["git-history"]);
    let values = values_of(&out, &ENV_FILES);
    assert_no_value_shown(&out, &values);
    let out = out.then().args(["audit", "production", "--git"]).status(1);
    out.stdout_is(format!(
        "== values in git ==\n\
         config/settings.py: error: the value of DB_PASSWORD (production) is in \
         config/settings.py: commit {} [git-history]\n\
         \x20 hint: treat it as leaked: rotate DB_PASSWORD in production (rewriting history \
         does not undo a clone or a push)\n",
        &commit[..12]
    ));
    assert_no_value_shown(&out, &values);
}

#[test]
fn sealed_environments_are_audited_in_memory_and_unopened_ones_are_a_finding() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let out = test
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .args(["keygen", "-o", "id.age.key"])
        .status(0);
    let public = out
        .stderr()
        .trim()
        .strip_prefix("Public key: ")
        .unwrap()
        .to_string();
    let test = out
        .then()
        .write(".gitignore", "*.age.key\n.env*.local\n")
        // As `envmint git setup` writes it (else audit warns: git-attributes).
        .write(
            ".gitattributes",
            "/.env.production.age merge=envmint diff=envmint\n",
        )
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n[secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n"
            ),
        )
        .env("ENVMINT_IDENTITY", "id.age.key")
        .write(
            ".env.production.local",
            format!(
                "{}\nSECRET_KEY=3f9a0c7e5b12d84f6a0e9c3b7d51f28a4c6e0b9d2f7a13c5e8b04d6f1a3c7e92\n",
                record_now()
            ),
        )
        .chmod(".env.production.local", 0o600)
        .args(["seal", "production", "--remove-plaintext"])
        .status(0)
        .then()
        .chmod(".env.production.age", 0o644);
    let out = test.args(["audit"]).status(0);
    assert!(!out.exists(".env.production.local"), "no plaintext written");
    let out = out
        .then()
        .args(["set", "production", "API_TOKEN"])
        .stdin("changeme\n")
        .status(0)
        .then()
        .args(["audit", "--json"])
        .status(1);
    let p = finding(&out, "placeholder");
    assert_eq!(p["path"], ".env.production.age");
    assert_eq!(p["key"], "API_TOKEN");
    assert!(!out.exists(".env.production.local"));
    // Without an identity the store cannot be opened: a finding, and the rest still runs.
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "")
        .args(["audit", "--json"])
        .status(1);
    let f = finding(&out, "sealed-unopened");
    assert_eq!(f["env"], "production");
    assert_eq!(f["path"], ".env.production.age");
    assert!(f["hint"].as_str().is_some());
}

#[test]
fn fail_git_outside_a_repository_and_unknown_environments_are_usage_errors() {
    let out = Test::new().args(["audit", "--git"]).status(2);
    out.stderr_is(str![[r#"
error: --git needs a git repository, and . is in none
hint: run it inside the repository, or leave --git out

"#]]);
    // The words are the case files bootstrap/unknown_environment (did you mean) and
    // bootstrap/unknown_environment_in_a_manifest (the manifest's declared names).
    let out = project().args(["audit", "prod"]).status(2);
    assert_eq!(out.stdout(), "");
}

#[test]
fn audit_help_has_an_example() {
    let out = Test::new().args(["audit", "--help"]).status(0);
    assert!(out.stdout().contains("envmint audit production --git"));
}

#[test]
fn keys_due_overdue_or_of_unknown_age_are_found() {
    let test = project();
    let path = test.dir().join(".env.production.local");
    let ago = |days: i64| {
        (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    // SECRET_KEY made 100 days ago (due after 90), JWT_SECRET_KEY 200 days ago (a whole
    // period past due), SESSION_SECRET without a record.
    let mut out = String::new();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or("");
        if line.starts_with("# envmint:") {
            let made = match next.split('=').next().unwrap_or("") {
                "SECRET_KEY" => Some(ago(100)),
                "JWT_SECRET_KEY" => Some(ago(200)),
                "SESSION_SECRET" => None,
                _ => {
                    out.push_str(line);
                    out.push('\n');
                    continue;
                }
            };
            if let Some(made) = made {
                out.push_str(&format!("# envmint: generated={made}\n"));
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    std::fs::write(&path, out).unwrap();
    let out = test.args(["audit", "production", "--json"]).status(1);
    let rows: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["check"].as_str().unwrap(),
                f["key"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "rotation-due SECRET_KEY warning",
            "rotation-overdue JWT_SECRET_KEY error",
            "rotation-unknown SESSION_SECRET warning",
        ]
    );
    let due = finding(&out, "rotation-due");
    assert_eq!(due["line"], 3);
    assert!(due["message"].as_str().unwrap().contains("made 100d ago"));
    assert!(
        due["hint"]
            .as_str()
            .unwrap()
            .contains("envmint rotate production --key SECRET_KEY")
    );
}

#[test]
fn git_finds_a_value_in_an_uncommitted_tracked_file_and_in_a_commit_message() {
    let test = project();
    let dir = test.dir().to_path_buf();
    let prod = std::fs::read_to_string(dir.join(".env.production.local")).unwrap();
    let value = prod
        .lines()
        .find_map(|l| l.strip_prefix("REDIS_PASSWORD="))
        .unwrap()
        .to_string();
    std::fs::write(dir.join("README.md"), "docs\n").unwrap();
    git(&dir, &["add", "README.md"]);
    git(&dir, &["commit", "-q", "-m", &format!("redis is {value}")]);
    std::fs::write(dir.join("README.md"), format!("docs\nredis: {value}\n")).unwrap();
    let out = test
        .args(["audit", "production", "--git", "--json"])
        .status(1);
    let rows: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter()
            .any(|m| m.contains("is in a commit message: commit"))
    );
    assert!(
        rows.iter()
            .any(|m| m.contains("is in README.md: the working tree"))
    );
    assert!(!out.stdout().contains(&value) && !out.stderr().contains(&value));
    let out = out.then().args(["audit", "production", "--git"]).status(1);
    out.stdout_is(str![[r#"
== values in git ==
production: error: the value of REDIS_PASSWORD (production) is in a commit message: commit [..] [git-history]
  hint: treat it as leaked: rotate REDIS_PASSWORD in production (rewriting history does not undo a clone or a push)
README.md: error: the value of REDIS_PASSWORD (production) is in README.md: the working tree [git-history]
  hint: treat it as leaked: rotate REDIS_PASSWORD in production (rewriting history does not undo a clone or a push)

"#]]);
    assert!(!out.stdout().contains(&value) && !out.stderr().contains(&value));
}

/// Compares stdout with `tests/cli/snapshots/audit/NAME.stdout` (`SNAPSHOTS=overwrite`
/// rewrites it).
#[track_caller]
fn assert_stdout_snapshot(out: &Output, name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/snapshots/audit")
        .join(format!("{name}.stdout"));
    snapbox::Assert::new()
        .action_env("SNAPSHOTS")
        .eq(out.stdout(), snapbox::Data::read_from(&path, None));
}

#[test]
fn the_human_report_is_grouped_with_a_hint_under_each_finding() {
    let out = project()
        .write(
            ".env.example",
            "DB_PASSWORD=Q7fK2mZx9LpR4tVw8NcY3bHj6DgS1aEu\n",
        )
        .write(
            ".env.development.local",
            "SECRET_KEY=<your-secret-key>\nJWT_SECRET_KEY=\nSESSION_SECRET=abc\n\
             DB_PASSWORD=Q7fK2mZx9LpR4tVw8NcY3bHj6DgS1aEu\nSLACK_TOKEN=xoxb-1234\n",
        )
        .chmod(".env.development.local", 0o640)
        .args(["audit", "development"])
        .status(1);
    assert_stdout_snapshot(&out, "development");
    out.stderr_is(str![[r#"
audit: 11 findings (6 error(s), 5 warning(s)) in development

"#]]);
}

#[test]
fn a_declared_secret_missing_from_an_existing_store_is_found_and_an_absent_store_is_not() {
    let test = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\n[environments.staging]\n\
             [secrets.JWT_SECRET_KEY]\nkind = \"hex\"\n\
             [secrets.STRIPE_API_KEY]\nexternal = true\n",
        )
        .args(["bootstrap", "production"])
        .status(0);
    // staging has no store yet: not a flood of missing findings; production lacks only the
    // external key, which bootstrap never generates.
    let out = test.then().args(["audit", "--json"]).status(1);
    let missing: Vec<(String, String)> = serde_json::from_str::<serde_json::Value>(out.stdout())
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "missing-value")
        .map(|f| {
            (
                f["env"].as_str().unwrap().to_owned(),
                f["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        [("production".to_owned(), "STRIPE_API_KEY".to_owned())]
    );
    let human = out.then().args(["audit", "production"]).status(1);
    human.stdout_is(str![[r#"
== missing values ==
.env.production.local: error: STRIPE_API_KEY is missing: an external secret of production that the file does not have [missing-value]
  hint: get it from its issuer, then `envmint set production STRIPE_API_KEY`

"#]]);
}

#[test]
fn git_searches_each_item_of_a_list_of_retired_values() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let old = "9c1e5a7f3b2d4e6a8c0b1d3f5e7a9c2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c";
    let older = "1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b3d";
    std::fs::write(dir.join("notes.txt"), format!("old key: {older}\n")).unwrap();
    git(&dir, &["add", "notes.txt"]);
    git(&dir, &["commit", "-q", "-m", "notes"]);
    let now = record_now();
    let stamp = now.trim_start_matches("# envmint: generated=");
    // Inside the 7-day overlap (a later expiry would be capped, and reported as record-time).
    let expires = stamp
        .parse::<jiff::Timestamp>()
        .unwrap()
        .checked_add(jiff::SignedDuration::from_hours(6 * 24))
        .unwrap()
        .to_string();
    let out = test
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .write(".gitignore", ".env*.local\n")
        .write(
            "envmint.toml",
            "[environments.production]\n[secrets.APP_KEY]\nkind = \"hex\"\nbytes = 32\n\
             overlap = \"7d\"\nprevious = { list = \"APP_KEYS\", separator = \",\", keep = 2 }\n",
        )
        .write(
            ".env.production.local",
            format!(
                "{now}\nAPP_KEY=7e5c3a1f9d8b6e4c2a0f1e3d5c7b9a2e4d6c8b0a1f3e5d7c9b2a4e6d8c0f1b3a\n\
                 # envmint: previous-of=APP_KEY retired={stamp},{stamp} expires={expires},{expires}\n\
                 APP_KEYS={old},{older}\n"
            ),
        )
        .chmod(".env.production.local", 0o600)
        .args(["audit", "--git", "--json"])
        .status(1);
    let f = finding(&out, "git-history");
    assert_eq!(f["key"], "APP_KEYS");
    assert_eq!(f["path"], "notes.txt");
    assert_eq!(checks(&out), ["git-history"], "{}", out.describe());
    assert!(!out.stdout().contains(older) && !out.stderr().contains(older));
}

/// File names in a repository are anyone's choice: one with a line break (or a terminal
/// escape) is shown escaped in the human report, so it cannot print lines that read as
/// findings of their own; `--json` keeps the name as it is.
#[test]
fn a_file_name_with_a_line_break_stays_on_its_finding_line() {
    let test = project();
    let dir = test.dir().to_path_buf();
    let prod = std::fs::read_to_string(dir.join(".env.production.local")).unwrap();
    let line = prod
        .lines()
        .find(|l| l.starts_with("DB_PASSWORD="))
        .unwrap();
    let name = "notes\nproject: note: all clear \u{1b}[8m";
    std::fs::write(dir.join(name), format!("{line}\n")).unwrap();
    git(&dir, &["add", "--", name]);
    git(&dir, &["commit", "-q", "-m", "notes"]);
    let out = test.args(["audit", "production", "--git"]).status(1);
    let escaped = "notes\\nproject: note: all clear \\u{1b}[8m";
    // Compared as it is: a whole-text assertion would read each `\` as a path separator.
    let head = Command::new("git")
        .current_dir(&dir)
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    let commit = String::from_utf8(head.stdout).unwrap();
    assert_eq!(
        out.stdout(),
        format!(
            "== values in git ==\n\
             {escaped}: error: the value of DB_PASSWORD (production) is in {escaped}: the \
             working tree and commit {} [git-history]\n\
             \x20 hint: treat it as leaked: rotate DB_PASSWORD in production (rewriting history \
             does not undo a clone or a push)\n",
            commit.trim()
        ),
        "{}",
        out.describe()
    );
    assert!(
        !out.stdout().lines().any(|l| l.starts_with("project: ")),
        "{}",
        out.describe()
    );
    assert!(!out.stdout().contains('\u{1b}'));
    let out = out
        .then()
        .args(["audit", "production", "--git", "--json"])
        .status(1);
    assert_eq!(finding(&out, "git-history")["path"], name);
}

/// A hint is a command to paste: a file name in it is one quoted shell word, and one starting
/// with `-` cannot be read as an option. Pasted into sh, the hint untracks the file and runs
/// nothing else.
#[test]
fn a_hostile_file_name_in_a_hint_is_one_quoted_word() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let name = "-c x=$(touch PWNED).env";
    let test = test
        .write(
            "envmint.toml",
            format!("[environments.production]\nfile = \"{name}\"\n[secrets.A]\nkind = \"hex\"\n"),
        )
        .args(["bootstrap", "production"])
        .status(0)
        .then();
    git(&dir, &["add", "-f", "--", name]);
    git(&dir, &["commit", "-q", "-m", "oops"]);
    let out = test.args(["audit", "production", "--json"]).status(1);
    let hint = finding(&out, "tracked")["hint"]
        .as_str()
        .unwrap()
        .to_string();
    let command = hint.split(" and rotate").next().unwrap();
    assert_eq!(command, "git rm --cached -- './-c x=$(touch PWNED).env'");
    let ran = Command::new("sh")
        .current_dir(&dir)
        .arg("-c")
        .arg(format!("git rm -q {}", &command["git rm ".len()..]))
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(!dir.join("PWNED").exists());
    let tracked = Command::new("git")
        .current_dir(&dir)
        .args(["ls-files"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&tracked.stdout).contains("PWNED"));
}

/// Programs a repository's own config names for git to run while audit reads it: the fsmonitor
/// hook (run on reading the index) and `gpg.program` with `log.showSignature` (run by the `git
/// log` of `--git` on a signed commit). Audit, with and without --git, runs git with both off
/// (bootstrap already turned fsmonitor off), so auditing a checkout someone handed you runs
/// nothing of theirs.
#[test]
fn audit_runs_no_program_of_the_repository_config() {
    let test = project();
    let dir = test.dir().to_path_buf();
    // A value in the history, so that --git runs `git log` to name its commit.
    let prod = std::fs::read_to_string(dir.join(".env.production.local")).unwrap();
    let line = prod
        .lines()
        .find(|l| l.starts_with("DB_PASSWORD="))
        .unwrap();
    std::fs::write(dir.join("settings.py"), format!("{line}\n")).unwrap();
    git(&dir, &["add", "envmint.toml", "settings.py"]);
    git(&dir, &["commit", "-q", "-m", "settings"]);
    // A signed commit (the signature need not verify: git runs gpg.program to find out).
    let tree = Command::new("git")
        .current_dir(&dir)
        .args(["rev-parse", "HEAD^{tree}"])
        .output()
        .unwrap();
    let tree = String::from_utf8(tree.stdout).unwrap();
    std::fs::write(
        dir.join("signed.txt"),
        format!(
            "tree {}\nauthor t <t@example.com> 1700000000 +0000\ncommitter t <t@example.com> \
             1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n \
             -----END PGP SIGNATURE-----\n\nsigned\n",
            tree.trim()
        ),
    )
    .unwrap();
    let signed = Command::new("git")
        .current_dir(&dir)
        .args(["hash-object", "-t", "commit", "-w", "signed.txt"])
        .output()
        .unwrap();
    let signed = String::from_utf8(signed.stdout).unwrap();
    git(&dir, &["update-ref", "refs/heads/signed", signed.trim()]);
    std::fs::remove_file(dir.join("signed.txt")).unwrap();
    let gpg = dir.join("fake-gpg");
    std::fs::write(
        &gpg,
        "#!/bin/sh\ntouch \"$(dirname \"$0\")/ran-gpg\"\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gpg, std::fs::Permissions::from_mode(0o700)).unwrap();
    git(
        &dir,
        &["config", "core.fsmonitor", "touch ran-fsmonitor; false"],
    );
    git(&dir, &["config", "log.showSignature", "true"]);
    git(&dir, &["config", "gpg.program", gpg.to_str().unwrap()]);

    let out = test.args(["audit"]).run();
    assert!(
        !dir.join("ran-fsmonitor").exists(),
        "audit ran the repository's fsmonitor\n{}",
        out.describe()
    );
    let out = out.then().args(["audit", "--git", "--json"]).status(1);
    assert_eq!(
        finding(&out, "git-history")["path"],
        "settings.py",
        "{}",
        out.describe()
    );
    for ran in ["ran-fsmonitor", "ran-gpg"] {
        assert!(
            !dir.join(ran).exists(),
            "audit --git ran a program of the repository's config ({ran})\n{}",
            out.describe()
        );
    }
}

/// `project()` with DB_PASSWORD's line committed in `config/settings.py` and then removed: only
/// the history holds it.
fn project_with_a_leak_in_the_history() -> Test {
    let test = project();
    let dir = test.dir().to_path_buf();
    let prod = std::fs::read_to_string(dir.join(".env.production.local")).unwrap();
    let line = prod
        .lines()
        .find(|l| l.starts_with("DB_PASSWORD="))
        .unwrap();
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(dir.join("config/settings.py"), format!("{line}\n")).unwrap();
    git(&dir, &["add", "config/settings.py", ".gitignore"]);
    git(&dir, &["commit", "-q", "-m", "settings"]);
    git(&dir, &["rm", "-q", "config/settings.py"]);
    git(&dir, &["commit", "-q", "-m", "remove the password"]);
    test
}

#[test]
fn git_variables_pointing_elsewhere_do_not_hide_the_history() {
    // An empty object folder, an alternate and a common folder given through the environment
    // (a hook, a CI variable, someone who wants the search to find nothing) are ignored: git
    // reads the repository at the manifest's folder.
    let test = project_with_a_leak_in_the_history();
    let empty = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(empty.path().join("objects")).unwrap();
    let objects = empty.path().join("objects");
    for (name, value) in [
        ("GIT_OBJECT_DIRECTORY", objects.as_path()),
        ("GIT_ALTERNATE_OBJECT_DIRECTORIES", objects.as_path()),
        ("GIT_COMMON_DIR", empty.path()),
    ] {
        let out = Test::new()
            .cwd(test.dir())
            .env("HOME", test.dir().join("no-home"))
            .env("XDG_CONFIG_HOME", test.dir().join("no-config"))
            .env(name, value)
            .args(["audit", "production", "--git", "--json"])
            .status(1);
        assert_eq!(checks(&out), ["git-history"], "{name}: {}", out.describe());
    }
}

#[test]
fn fail_a_git_search_of_no_object_in_a_repository_with_commits_is_an_error() {
    let test = project_with_a_leak_in_the_history();
    let dir = test.dir().to_path_buf();
    // The objects moved away (as a partial copy or a misconfigured cache leaves them): git
    // lists none, yet the branch is there. "No finding" would be a pass that searched nothing.
    std::fs::rename(dir.join(".git/objects"), dir.join("objects.moved")).unwrap();
    std::fs::create_dir_all(dir.join(".git/objects")).unwrap();
    let out = test.args(["audit", "production", "--git"]).status(74);
    out.stderr_is(str![[r#"
error: git: cannot read: git listed no object, yet the repository has branches or tags: the history was not searched (are its objects in another folder?)

"#]]);
}

#[test]
fn fail_a_repository_git_refuses_to_read_is_an_error_naming_safe_directory() {
    // git refuses a repository another user owns ("dubious ownership", common in CI
    // containers): audit must not take it for "not a git repository" and pass with a
    // committed env file.
    if !common::is_root() {
        common::skip("needs root to give the repository to another user");
        return;
    }
    let test = project();
    let dir = test.dir().to_path_buf();
    git(&dir, &["add", "-f", ".env.production.local"]);
    git(&dir, &["commit", "-q", "-m", "oops"]);
    // git checks the owner of the repository's folder (`.git`): another user's, it refuses.
    let chown = Command::new("chown")
        .args(["65534:65534"])
        .arg(dir.join(".git"))
        .status()
        .unwrap();
    assert!(chown.success());
    let out = test
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["audit", "production"])
        .status(77);
    // git's quotes come escaped, as every text envmint shows from outside is; compared as it
    // is, since a whole-text assertion would read each `\` as a path separator.
    let dir = dir.display();
    assert_eq!(
        out.stderr(),
        format!(
            "error: .: git refuses to read the repository here (detected dubious ownership in \
             repository at \\'{dir}\\'), so what it tracks and ignores cannot be checked\n\
             hint: if you trust it, add it to git's safe.directory: git config --global --add \
             safe.directory {dir} (or run as the user who owns it)\n"
        )
    );
    assert!(
        !out.stderr().contains("not in a git repository"),
        "{}",
        out.describe()
    );
}

#[test]
fn fail_a_production_secret_copied_into_an_unmanaged_key_of_another_environment_is_found() {
    // `COPIED=<production JWT_SECRET_KEY>` in staging's file: the key is not declared and not
    // named like a secret, so no per-key check looks at it; the comparison with every other
    // environment's declared values does, without showing the value.
    let test = project();
    let prod = std::fs::read_to_string(test.dir().join(".env.production.local")).unwrap();
    let secret = prod
        .lines()
        .find_map(|l| l.strip_prefix("JWT_SECRET_KEY="))
        .unwrap()
        .to_string();
    let staging = test.dir().join(".env.staging.local");
    let mut text = std::fs::read_to_string(&staging).unwrap();
    text.push_str(&format!("COPIED={secret}\nPORT=8080\n"));
    std::fs::write(&staging, text).unwrap();
    // The same ordinary value in two files is no finding.
    let prod_path = test.dir().join(".env.production.local");
    let mut text = std::fs::read_to_string(&prod_path).unwrap();
    text.push_str("PORT=8080\n");
    std::fs::write(&prod_path, text).unwrap();
    let out = test.args(["audit", "--json"]).status(1);
    let dups: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "duplicate-value")
        .map(|f| format!("{} {} {}", f["env"], f["key"], f["severity"]))
        .collect();
    assert_eq!(
        dups,
        [
            "\"production\" \"JWT_SECRET_KEY\" \"error\"",
            "\"staging\" \"COPIED\" \"error\""
        ],
        "{}",
        out.describe()
    );
    let f = finding(&out, "duplicate-value");
    assert!(f["message"].as_str().is_some(), "{f}");
    assert!(!out.stdout().contains(&secret) && !out.stderr().contains(&secret));
    let values = values_of(&out, &ENV_FILES);
    assert_no_value_shown(&out, &values);
}

#[test]
fn fail_plan_and_export_outputs_git_would_commit_are_found() {
    // Exports carry no marker (their readers would see it): audit finds them by the values
    // they hold, as written or base64 (k8s), and docker-secrets folders by their list. Those
    // init's .gitignore covers are fine; the others are named with the line to add.
    let test = project();
    let out = test
        .args(["export", "production", "-f", "docker-env", "-o", "prod.env"])
        .status(0)
        .then()
        .args(["export", "production", "-f", "json", "-o", "prod.json"])
        .status(0)
        .then()
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "-o",
            "deploy/secret.yaml",
        ])
        .run();
    // (deploy/ does not exist: created below, then the export is run again.)
    assert_ne!(out.code(), 0);
    std::fs::create_dir(out.path("deploy")).unwrap();
    let out = out
        .then()
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "-o",
            "deploy/secret.yaml",
        ])
        .status(0)
        .then()
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(0)
        .then()
        .args(["export", "production", "-f", "docker-secrets", "-o", "out"])
        .status(0)
        .then()
        .args(["plan", "--all", "-o", "rotation.json"])
        .status(0)
        .then()
        .args(["audit", "production", "--json"])
        .status(1);
    let mut found: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "not-ignored")
        .map(|f| format!("{} {}", f["path"], f["hint"]))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "\"deploy/secret.yaml\" \"add `/deploy/secret.yaml` to .gitignore (envmint init adds the usual patterns)\"",
            "\"out/.envmint-export\" \"add `/out/` to .gitignore (envmint init adds the usual patterns)\"",
            "\"prod.json\" \"add `/prod.json` to .gitignore (envmint init adds the usual patterns)\"",
            "\"rotation.json\" \"add `/rotation.json` to .gitignore (envmint init adds the usual patterns)\"",
        ],
        "{}",
        out.describe()
    );
    let values = values_of(&out, &ENV_FILES);
    assert_no_value_shown(&out, &values);
}

/// The value checks in one report: a retired value and an undeclared key that `.env.example`
/// gives, a placeholder, the same value under two keys of one environment (a warning) and in
/// two environments (an error, the fifth use said as "and 1 more"), and a retired value past
/// its expiry. `rotate_every = "never"`: no finding depends on today's date.
#[test]
fn value_findings_read_as_a_report() {
    const S: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const T: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    const U: &str = "1111111111abcdef2222222222abcdef3333333333abcdef4444444444abcdef";
    const W: &str = "a1b2c3d4e5f60718a1b2c3d4e5f60718a1b2c3d4e5f60718a1b2c3d4e5f60718";
    const X: &str = "5a5b5c5d5e5f50515a5b5c5d5e5f50515a5b5c5d5e5f50515a5b5c5d5e5f5051";
    const EXAMPLE: &str = "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz";
    const R: &str = "# envmint: generated=2026-01-01T00:00:00Z";
    let out = Test::new()
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .write(
            "envmint.toml",
            "[environments.production]\n[environments.staging]\n[environments.development]\n\
             [defaults]\nrotate_every = \"never\"\n\
             [secrets.SECRET_KEY]\nkind = \"hex\"\n[secrets.APP_SALT]\nkind = \"hex\"\n\
             [secrets.JWT]\nkind = \"hex\"\noverlap = \"7d\"\n",
        )
        .write(
            ".env.production.local",
            format!(
                "{R}\nSECRET_KEY={S}\n{R}\nAPP_SALT={S}\n{R}\nJWT={T}\n\
                 # envmint: previous-of=JWT retired=2026-01-01T00:00:00Z \
                 expires=2026-01-08T00:00:00Z\nJWT_PREVIOUS={U}\n\
                 SMTP_TOKEN=changeme\nOTHER_SECRET={EXAMPLE}\n"
            ),
        )
        .write(
            ".env.example",
            format!("JWT_PREVIOUS={U}\nOTHER_SECRET={EXAMPLE}\n"),
        )
        .write(
            ".env.staging.local",
            format!("{R}\nSECRET_KEY={S}\n{R}\nAPP_SALT={S}\n{R}\nJWT={S}\n"),
        )
        .write(
            ".env.development.local",
            format!("{R}\nSECRET_KEY={W}\n{R}\nAPP_SALT={W}\n{R}\nJWT={X}\n"),
        )
        .chmod(".env.production.local", 0o600)
        .chmod(".env.staging.local", 0o600)
        .chmod(".env.development.local", 0o600)
        .args(["audit"])
        .status(1);
    out.stdout_is(str![[r#"
== placeholder, example and empty values ==
.env.production.local:8: error: JWT_PREVIOUS, a retired value, has the same value as in .env.example: apps accept a value the repository knows [example-value]
  hint: `envmint bootstrap production` marks it expired and `envmint rotate production --due` removes it
.env.production.local:9: error: SMTP_TOKEN holds a placeholder, not a secret [placeholder]
  hint: set a real secret with `envmint set production SMTP_TOKEN`, or declare it in the manifest and run `envmint bootstrap production --replace-weak`
.env.production.local:10: error: OTHER_SECRET has the same value as in .env.example [example-value]
  hint: set a real secret with `envmint set production OTHER_SECRET`, or declare it in the manifest and run `envmint bootstrap production --replace-weak`

== shared values ==
.env.development.local:2: warning: SECRET_KEY has the same value as APP_SALT [duplicate-value]
  hint: give each use its own secret, so one leak does not open both
.env.development.local:4: warning: APP_SALT has the same value as SECRET_KEY [duplicate-value]
  hint: give each use its own secret, so one leak does not open both
.env.production.local:2: error: SECRET_KEY has the same value as APP_SALT, SECRET_KEY in staging, APP_SALT in staging and 1 more [duplicate-value]
  hint: every environment needs its own secrets: replace this one (envmint set, or declare it and run bootstrap --replace-weak)
.env.production.local:4: error: APP_SALT has the same value as SECRET_KEY, SECRET_KEY in staging, APP_SALT in staging and 1 more [duplicate-value]
  hint: every environment needs its own secrets: replace this one (envmint set, or declare it and run bootstrap --replace-weak)
.env.staging.local:2: error: SECRET_KEY has the same value as SECRET_KEY in production, APP_SALT in production, APP_SALT and 1 more [duplicate-value]
  hint: every environment needs its own secrets: replace this one (envmint set, or declare it and run bootstrap --replace-weak)
.env.staging.local:4: error: APP_SALT has the same value as SECRET_KEY in production, APP_SALT in production, SECRET_KEY and 1 more [duplicate-value]
  hint: every environment needs its own secrets: replace this one (envmint set, or declare it and run bootstrap --replace-weak)
.env.staging.local:6: error: JWT has the same value as SECRET_KEY in production, APP_SALT in production, SECRET_KEY and 1 more [duplicate-value]
  hint: every environment needs its own secrets: replace this one (envmint set, or declare it and run bootstrap --replace-weak)

== rotation ==
.env.production.local:8: error: JWT_PREVIOUS, a retired value of JWT, expired at 2026-01-08T00:00:00Z and is still in the file [rotation-overdue]
  hint: envmint rotate production --due removes expired values

"#]]);
    out.stderr_is(str![[r#"
note: . is not in a git repository (or git is not installed): the .gitignore and tracking checks do not apply
audit: 11 findings (9 error(s), 2 warning(s)) in production, staging, development

"#]]);
    for value in [S, T, U, W, X, EXAMPLE, "changeme"] {
        assert!(!out.stdout().contains(value) && !out.stderr().contains(value));
    }
}

/// The rotation and role findings in one report: an encryption key's keyring fuller than
/// audit likes (and full), a record dated in the future, a password declared a signing key, an
/// overlap no `keep` holds, and external secrets that are weak or a placeholder: those are
/// declared already, so the hint is their issuer and `envmint set`, never bootstrap.
#[test]
fn rotation_and_role_findings_read_as_a_report() {
    const K: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let out = Test::new()
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \".env\"\n[defaults]\nrotate_every = \"never\"\n\
             [secrets.ENC]\nkind = \"hex\"\nrole = \"encryption\"\n\
             previous = { list = \"ENC_OLD\", separator = \",\", keep = 3 }\n\
             [secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrole = \"signing\"\n\
             [secrets.JWT]\nkind = \"hex\"\nrotate_every = \"1d\"\noverlap = \"30d\"\n\
             [secrets.STRIPE_KEY]\nexternal = true\n\
             [secrets.WEBHOOK_SECRET]\nexternal = true\n",
        )
        .write(
            ".env",
            format!(
                "# envmint: generated=2026-01-01T00:00:00Z role=encryption\nENC={K}\n\
                 # envmint: previous-of=ENC retired=2025-12-01T00:00:00Z,\
                 2025-11-01T00:00:00Z,2025-10-01T00:00:00Z\nENC_OLD=1{t},2{t},3{t}\n\
                 # envmint: generated=2026-01-01T00:00:00Z\n\
                 DB_PASSWORD=Q7fK2mZx9LpR4tVw8NcY3bHj6DgS1aEu\n\
                 # envmint: generated=2999-01-01T00:00:00Z\nJWT=f{t}\n\
                 # envmint: set=2026-01-01T00:00:00Z\nSTRIPE_KEY=sk_live_abcdefghijklmnopqrstuvwx\n\
                 # envmint: set=2026-01-01T00:00:00Z\nWEBHOOK_SECRET=changeme\n",
                t = &K[1..]
            ),
        )
        .chmod(".env", 0o600)
        .args(["audit"])
        .status(1);
    out.stdout_is(str![[r#"
== placeholder, example and empty values ==
.env:12: error: WEBHOOK_SECRET holds a placeholder, not a secret [placeholder]
  hint: get a real one from its issuer, then `envmint set production WEBHOOK_SECRET`

== weak values ==
.env:10: warning: STRIPE_KEY (external) looks weak: about 49 bits by envmint's estimate, under 128 [low-entropy]
  hint: get a longer one from its issuer, then `envmint set production STRIPE_KEY`

== rotation ==
.env:2: warning: ENC's keyring holds 4 keys (more than 3): it is full, so the key is no longer rotated [keyring-size]
  hint: re-encrypt the data under the current ENC, then `envmint retire production ENC` removes the old keys
.env:7: error: JWT: the record says it was made at 2999-01-01T00:00:00Z, in the future; counted as made now [record-time]
  hint: correct or remove the record above JWT (or the clock): `envmint rotate` refuses this store until then

== roles and overlap ==
envmint.toml: warning: DB_PASSWORD is named like a credential but its role is signing, so `rotate --due` would change it in the file alone and the service it logs in to would refuse the new value [signing-credential]
  hint: declare role = "credential" in [secrets.DB_PASSWORD] if another service checks it (or role = "encryption" for a data key)
envmint.toml: warning: JWT: overlap 30d is longer than rotate_every 1d x keep 1: a rotation inside the window pushes a retired value out before it expires [overlap-keep]
  hint: shorten `overlap` to at most 1d x 16, or rotate less often

"#]]);
    out.stderr_is(str![[r#"
note: . is not in a git repository (or git is not installed): the .gitignore and tracking checks do not apply
audit: 6 findings (2 error(s), 4 warning(s)) in production

"#]]);
    for value in [&K[1..], "Q7fK2mZx9LpR", "sk_live_abc"] {
        assert!(!out.stdout().contains(value) && !out.stderr().contains(value));
    }
}

/// `audit --staged`, the commit guard: each kind of staged file it refuses, named with why and
/// how to unstage it, never a value; a clean index passes, and outside a repository it says
/// where it must run.
#[test]
fn staged_refusals_read_as_a_report() {
    let test = Test::new()
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent");
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let out = test
        .write(
            "envmint.toml",
            "[environments.production]\n[secrets.SECRET_KEY]\nkind = \"hex\"\n",
        )
        .args(["bootstrap", "production"])
        .status(0);
    let value = out
        .read(".env.production.local")
        .lines()
        .find_map(|l| l.strip_prefix("SECRET_KEY="))
        .unwrap()
        .to_string();
    let test = out
        .then()
        .write("settings.py", format!("key = \"{value}\"\n"))
        .write("rotate.plan", "{\"envmint_plan\": 1, \"environments\": {}}")
        .write("me.key", format!("AGE-SECRET-KEY-1{}\n", "Q".repeat(58)))
        .write(
            "deploy_key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
        )
        .write("secrets/.envmint-export", "SECRET_KEY\n")
        .write(
            "locked.age",
            "age-encryption.org/v1\n-> scrypt abc 18\nxyz\n",
        )
        .write("README.md", "hello\n");
    let staged = [
        "envmint.toml",
        ".env.production.local",
        "settings.py",
        "rotate.plan",
        "me.key",
        "deploy_key",
        "secrets/.envmint-export",
        "locked.age",
        "README.md",
    ];
    git(&dir, &[&["add", "-f", "--"][..], &staged].concat());
    let out = test.args(["audit", "--staged"]).status(1);
    out.stdout_is(str![[r#"
== staged for commit ==
.env.production.local: error: the plaintext env file of `production` is staged for commit [staged]
  hint: unstage it: git restore --staged .env.production.local (and add it to .gitignore)
deploy_key: error: a private key (PEM) is staged [staged]
  hint: unstage it: git restore --staged deploy_key (and add it to .gitignore)
locked.age: error: a passphrase-encrypted age file is staged: a protected identity file, or secrets sealed with a passphrase [staged]
  hint: unstage it: git restore --staged locked.age (and add it to .gitignore)
me.key: error: an age identity file (a private key) is staged [staged]
  hint: unstage it: git restore --staged me.key (and add it to .gitignore)
rotate.plan: error: a saved plan is staged: it holds the new values [staged]
  hint: unstage it: git restore --staged rotate.plan (and add it to .gitignore)
secrets/.envmint-export: error: the list of an envmint export folder is staged: the folder holds secret values [staged]
  hint: unstage it: git restore --staged secrets/.envmint-export (and add it to .gitignore)
settings.py: error: the staged file holds a value stored in envmint [staged]
  hint: unstage it: git restore --staged settings.py (and add it to .gitignore)

"#]]);
    out.stderr_is(str![[r#"
audit --staged: 7 files refused; the commit would add secrets

"#]]);
    assert!(!out.stdout().contains(&value) && !out.stderr().contains(&value));
    git(
        &dir,
        &[&["rm", "-q", "--cached", "-f", "--"][..], &staged[1..8]].concat(),
    );
    let out = out.then().args(["audit", "--staged"]).status(0);
    out.stdout_is(str![]);
    out.stderr_is(str![[r#"
audit --staged: nothing to refuse in 2 staged files

"#]]);
    let out = Test::new().args(["audit", "--staged"]).status(2);
    out.stderr_is(str![[r#"
error: --staged needs a git repository, and . is in none
hint: run it inside the repository (a pre-commit hook does)

"#]]);
}

/// A sealed environment in git: without an identity audit says the store was not opened (an
/// error: its values went unchecked), and with one or without, that `.gitattributes` lacks
/// envmint's merge and diff drivers for it.
#[test]
fn a_sealed_store_unopened_or_without_its_git_drivers_is_found() {
    let (test, public) = common::with_identity();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n[secrets.SECRET_KEY]\nkind = \"hex\"\n"
            ),
        )
        .write(".gitignore", ".env*.local\nid.txt\n")
        .args(["bootstrap", "production"])
        .status(0);
    git(
        &dir,
        &["add", "envmint.toml", ".gitignore", ".env.production.age"],
    );
    git(&dir, &["commit", "-q", "-m", "sealed"]);
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "")
        .args(["audit"])
        .status(1);
    out.stdout_is(str![[r#"
== sealed environments ==
.env.production.age: error: sealed environment `production` could not be opened, so its values were not checked: .env.production.age: no identity to decrypt it with [sealed-unopened]
  hint: pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: -i, ENVMINT_IDENTITY, ENVMINT_AGE_KEY, [DIR]/no-config/envmint/identity.txt

== git ==
.env.production.age: warning: sealed store lacks `merge=envmint diff=envmint` in .gitattributes: branches that both change it conflict over ciphertext, and its diffs are unreadable [git-attributes]
  hint: run `envmint git setup --config` (this repository's config only)

"#]]);
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["audit"])
        .status(1);
    // The git finding alone: its words are above.
    assert!(
        !out.stdout().contains("sealed-unopened"),
        "{}",
        out.stdout()
    );
}

/// A value in many commits is named by the first three and a count, and one in a git object
/// no commit introduces (a dangling blob, as `git add` of a file later unstaged leaves) by the
/// object.
#[test]
fn git_names_a_value_in_many_commits_and_in_an_object_no_commit_introduces() {
    let test = project();
    let dir = test.dir().to_path_buf();
    let prod = std::fs::read_to_string(dir.join(".env.production.local")).unwrap();
    let line = prod
        .lines()
        .find(|l| l.starts_with("DB_PASSWORD="))
        .unwrap()
        .to_string();
    for n in 1..=5 {
        std::fs::write(dir.join("notes.txt"), format!("{line}\nversion {n}\n")).unwrap();
        git(&dir, &["add", "notes.txt"]);
        git(&dir, &["commit", "-q", "-m", &format!("notes {n}")]);
    }
    git(&dir, &["rm", "-q", "notes.txt"]);
    git(&dir, &["commit", "-q", "-m", "no notes"]);
    let secret = prod
        .lines()
        .find(|l| l.starts_with("REDIS_PASSWORD="))
        .unwrap()
        .to_string();
    std::fs::write(dir.join("dangling.txt"), format!("{secret}\n")).unwrap();
    git(&dir, &["hash-object", "-w", "dangling.txt"]);
    std::fs::remove_file(dir.join("dangling.txt")).unwrap();
    let out = test.args(["audit", "production", "--git"]).status(1);
    out.stdout_is(str![[r#"
== values in git ==
production: error: the value of REDIS_PASSWORD (production) is in git object [..], which no commit introduces [git-history]
  hint: treat it as leaked: rotate REDIS_PASSWORD in production (rewriting history does not undo a clone or a push)
notes.txt: error: the value of DB_PASSWORD (production) is in notes.txt: commits [..], [..], [..] and 2 more [git-history]
  hint: treat it as leaked: rotate DB_PASSWORD in production (rewriting history does not undo a clone or a push)

"#]]);
    for l in [&line, &secret] {
        let value = l.split_once('=').unwrap().1;
        assert!(!out.stdout().contains(value) && !out.stderr().contains(value));
    }
}

/// `audit --git` and `--staged` when git fails under them (a `git` first on PATH that fails one command, as a
/// broken install or a damaged repository would): an error naming what git did, exit 74, and
/// never "nothing found".
#[test]
fn fail_git_failing_under_audit_is_an_error_saying_how() {
    let test = project_with_a_leak_in_the_history();
    let mut out = test.args(["audit", "production", "--git"]).status(1);
    for (cases, said) in [
        (
            r#"*" cat-file --batch-all-objects "*) "$real" "$@"; exit 3 ;;"#,
            str![[r#"
error: git: cannot read: git cat-file exited with exit status: 3

"#]],
        ),
        (
            r#"*" cat-file --batch-all-objects "*) printf '0123abcd blob many\n'; exit 0 ;;"#,
            str![[r#"
error: git: cannot read: git cat-file said `0123abcd blob many`

"#]],
        ),
        (
            r#"*" cat-file --batch-all-objects "*) printf '0123abcd blob 100\nshort'; exit 0 ;;"#,
            str![[r#"
error: git: cannot read: reading git cat-file: failed to fill whole buffer

"#]],
        ),
        (
            r#"*" log --all "*) exit 5 ;;"#,
            str![[r#"
error: git: cannot read: git log exited with exit status: 5

"#]],
        ),
    ] {
        let Some((_bin, path)) = common::fake_git(cases) else {
            return;
        };
        out = out
            .then()
            .env("PATH", path)
            .args(["audit", "production", "--git"])
            .status(74);
        out.stderr_is(said);
        assert_eq!(out.stdout(), "", "{cases}");
    }
    // The commit guard: what is staged cannot be listed.
    let Some((_bin, path)) = common::fake_git(r#"*" diff --cached "*) exit 128 ;;"#) else {
        return;
    };
    let out = out
        .then()
        .env("PATH", path)
        .args(["audit", "--staged"])
        .status(2);
    out.stderr_is(str![[r#"
error: git diff --cached failed: exit status: 128
hint: run it inside the repository whose commit is checked

"#]]);
}

/// The git findings of files in one report: a plaintext env file committed (with the fix that
/// untracks it), an export and a docker-secrets folder no `.gitignore` line covers, and, with
/// `--git`, the note on a value too short to look for.
#[test]
fn files_git_would_commit_read_as_a_report() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let out = test
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .write(
            "envmint.toml",
            "[defaults]\nrotate_every = \"never\"\n\
             [environments.production]\nfile = \".env.production.local\"\n\
             [secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n\
             [secrets.PIN]\nexternal = true\n",
        )
        .write(".gitignore", ".env*.local\n")
        .args(["bootstrap", "production"])
        .status(0)
        .then()
        .stdin("short1")
        .args(["set", "production", "PIN"])
        .status(0);
    git(
        &dir,
        &[
            "add",
            "-f",
            ".env.production.local",
            "envmint.toml",
            ".gitignore",
        ],
    );
    git(&dir, &["commit", "-q", "-m", "oops"]);
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "-o", "prod.json"])
        .status(0)
        .then()
        .args(["export", "production", "-f", "docker-secrets", "-o", "out"])
        .status(0)
        .then()
        .args(["audit", "--git"])
        .status(1);
    out.stdout_is(str![[r#"
== weak values ==
.env.production.local:5: warning: PIN (external) looks weak: about 31 bits by envmint's estimate, under 128 [low-entropy]
  hint: get a longer one from its issuer, then `envmint set production PIN`

== git ==
.env.production.local: error: plaintext env file is tracked by git [tracked]
  hint: git rm --cached -- .env.production.local and rotate what it holds: its content is in the history (envmint audit --git shows where)
out/.envmint-export: warning: docker-secrets export folder is not covered by .gitignore [not-ignored]
  hint: add `/out/` to .gitignore (envmint init adds the usual patterns)
prod.json: warning: file holding secret values (an export or a copy) is not covered by .gitignore [not-ignored]
  hint: add `/prod.json` to .gitignore (envmint init adds the usual patterns)

== values in git ==
.env.production.local: error: the value of SECRET_KEY (production) is in .env.production.local: the working tree and commit [..] [git-history]
  hint: treat it as leaked: rotate SECRET_KEY in production (rewriting history does not undo a clone or a push)

"#]]);
    out.stderr_is(str![[r#"
note: 1 value(s) shorter than 8 characters were not searched in git (they occur by chance)
audit: 5 findings (2 error(s), 3 warning(s)) in production

"#]]);
    let values = values_of(&out, &[".env.production.local"]);
    assert_no_value_shown(&out, &values);
}

/// A sealed environment audit cannot open: with an identity file that is not there, a finding
/// with what to do; under the commit guard (`--staged`, no identity), a note, since a teammate
/// without the key must still be able to commit.
#[test]
fn a_sealed_store_without_its_identity_is_a_finding_and_a_note_under_the_commit_guard() {
    let (test, public) = common::with_identity();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n[secrets.SECRET_KEY]\nkind = \"hex\"\n"
            ),
        )
        .write(".gitignore", ".env*.local\nid.txt\n")
        .args(["bootstrap", "production"])
        .status(0)
        .then()
        .args(["git", "setup", "--config"])
        .status(0);
    git(&dir, &["add", "-A"]);
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "missing.txt")
        .args(["audit"])
        .status(1);
    out.stdout_is(str![[r#"
== sealed environments ==
.env.production.age: error: sealed environment `production` could not be opened, so its values were not checked: identity: missing.txt: file not found [sealed-unopened]
  hint: pass -i with an identity that opens it, or set ENVMINT_IDENTITY

"#]]);
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "")
        .args(["audit", "--staged"])
        .status(0);
    out.stderr_is(str![[r#"
note: sealed environment `production` was not opened here, so its values were not looked for in the staged files
audit --staged: nothing to refuse in 4 staged files

"#]]);
}

/// A project of more files than the scan reads says so (what it did not check), and a blob
/// larger than `--git` searches (a build artefact, a media file) is counted, not read.
#[test]
fn what_audit_did_not_read_is_said() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    git(&dir, &["init", "-q"]);
    let test = test
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .write(
            "envmint.toml",
            "[defaults]\nrotate_every = \"never\"\n\
             [environments.production]\nfile = \".env.production.local\"\n\
             [secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n",
        )
        .write(".gitignore", ".env*.local\n")
        .args(["bootstrap", "production"])
        .status(0)
        .then();
    // 64 MiB and one byte of zeros: git stores it in a few kilobytes.
    let big = dir.join("big.bin");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len((64 << 20) + 1).unwrap();
    drop(file);
    git(&dir, &["add", "big.bin", "envmint.toml", ".gitignore"]);
    git(&dir, &["commit", "-q", "-m", "big"]);
    git(&dir, &["rm", "-q", "big.bin"]);
    git(&dir, &["commit", "-q", "-m", "no big"]);
    let out = test.args(["audit", "--git"]).status(0);
    out.stderr_is(str![[r#"
note: 1 git blob(s) larger than 64 MiB were not searched
audit: no findings (production)

"#]]);
    // One file more than the scan reads (20,000), in a folder of their own.
    std::fs::create_dir(dir.join("many")).unwrap();
    for n in 0..=20_000 {
        std::fs::write(dir.join(format!("many/{n}.txt")), "").unwrap();
    }
    let out = out.then().args(["audit"]).status(0);
    out.stderr_is(str![[r#"
note: the project scan stopped after 20000 files; plan and identity files beyond them were not checked
audit: no findings (production)

"#]]);
}
