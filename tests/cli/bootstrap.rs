//! End-to-end tests of `envmint bootstrap`: the built binary in temp directories, checked
//! against what README.md documents (the bootstrap, manifest, safe writes and exit code
//! sections) and against `scripts/generate-secrets.sh`.
//!
//! Kinds, sizes and the preset's keys are spelled out here rather than taken from the library,
//! so a change to the preset or to a kind shows up as a failure. Tests that need a privilege the
//! machine lacks print `skipped: <why>` and pass, unless `CI` is set, where they fail.

use crate::common;

use base64::Engine as _;
use common::{BIN, NOBODY, Output, Test, binary_for_nobody, is_root, mtime, skip, temps, tick};
use snapbox::str;
use std::collections::HashSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PROD: &str = ".env.production.local";
const STAGING: &str = ".env.staging.local";
const DEV: &str = ".env.development.local";

/// The built-in web preset: key, kind, the bits the summary shows, the bits in JSON.
const PRESET: [(&str, &str, &str, f64); 6] = [
    ("SECRET_KEY", "hex", "256", 256.0),
    ("JWT_SECRET_KEY", "hex", "256", 256.0),
    ("SESSION_SECRET", "base64", "256", 256.0),
    ("ENCRYPTION_KEY", "base64", "256", 256.0),
    ("DB_PASSWORD", "alnum", "190.53", 190.53),
    ("REDIS_PASSWORD", "alnum", "190.53", 190.53),
];

const HEX: &str = "0123456789abcdef";

/// A value that passes the check for a 32-byte hex secret, for tests about something else.
const HEX64: &str = "3f9c0a7be21d4c58a6f0e9b7d3c2a1f05e4d3c2b1a09f8e7d6c5b4a392817065";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// --- helpers ---------------------------------------------------------------------------------

/// Splits text into lines at `\r\n`, `\n` or a lone `\r`, without the terminators.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\r', '\n']) {
            None => {
                lines.push(rest);
                break;
            }
            Some(i) => {
                lines.push(&rest[..i]);
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
        }
    }
    lines
}

/// Reads lines envmint appended: each key's record `# envmint: generated=TIME` (an RFC 3339
/// UTC time in whole seconds), then exactly `KEY=value` or `KEY='value'` (the only forms
/// envmint writes). Returns (key, value) pairs in file order.
#[track_caller]
fn appended(text: &str) -> Vec<(String, String)> {
    let lines = split_lines(text);
    assert!(
        lines.len().is_multiple_of(2),
        "a key without its record in {text:?}"
    );
    lines
        .chunks(2)
        .map(|pair| {
            // An encryption key's record says so (`role=encryption`).
            let record = pair[0];
            let time = record
                .strip_suffix(" role=encryption")
                .unwrap_or(record)
                .strip_prefix("# envmint: generated=")
                .unwrap_or_else(|| panic!("not a record line: {record:?}"));
            assert!(
                time.len() == 20 && time.ends_with('Z') && time.parse::<jiff::Timestamp>().is_ok(),
                "bad record time {time:?}"
            );
            pair[1]
        })
        .map(|line| {
            let (key, raw) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("not a KEY=value line: {line:?}"));
            assert!(
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "bad key in appended line {line:?}"
            );
            let value = match raw.strip_prefix('\'') {
                Some(q) => q.strip_suffix('\'').expect("closing quote").to_string(),
                None => raw.to_string(),
            };
            (key.to_string(), value)
        })
        .collect()
}

/// Asserts `value` is a fresh value of the preset kind `kind`.
#[track_caller]
fn check_kind(key: &str, kind: &str, value: &str) {
    match kind {
        "hex" => {
            assert_eq!(value.len(), 64, "{key}: hex of 32 bytes is 64 characters");
            assert!(value.chars().all(|c| HEX.contains(c)), "{key}: not hex");
        }
        "base64" => {
            assert_eq!(
                value.len(),
                44,
                "{key}: base64 of 32 bytes is 44 characters"
            );
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(value)
                .unwrap_or_else(|e| panic!("{key}: not base64: {e}"));
            assert_eq!(bytes.len(), 32, "{key}: 32 bytes");
        }
        "alnum" => {
            assert_eq!(value.len(), 32, "{key}: 32 alnum characters");
            assert!(value.chars().all(|c| ALNUM.contains(c)), "{key}: not alnum");
        }
        other => panic!("unexpected kind {other}"),
    }
}

/// The first line of a file bootstrap creates.
fn header(env: &str) -> String {
    format!("# {env} secrets, written by envmint. Keep this file out of version control.\n")
}

/// Asserts `file` is exactly what bootstrap creates for the preset in environment `env`: the
/// header, then the six keys in order, each a valid value of its kind. Returns the values.
#[track_caller]
fn assert_fresh_preset_file(out: &Output, file: &str, env: &str) -> Vec<String> {
    let text = out.read(file);
    let body = text
        .strip_prefix(&header(env))
        .unwrap_or_else(|| panic!("{file} does not start with the header:\n{text}"));
    assert!(
        body.ends_with('\n') && !body.contains('\r'),
        "{file}: LF lines"
    );
    let pairs = appended(body);
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let want: Vec<&str> = PRESET.iter().map(|p| p.0).collect();
    assert_eq!(keys, want, "{file}: keys in manifest order");
    for ((key, value), (_, kind, _, _)) in pairs.iter().zip(PRESET) {
        check_kind(key, kind, value);
    }
    assert_eq!(out.mode(file), 0o600, "{file} mode");
    pairs.into_iter().map(|(_, v)| v).collect()
}

/// No value appears on stdout or stderr.
#[track_caller]
fn assert_no_value_printed(out: &Output, values: &[String]) {
    assert!(!values.is_empty());
    for v in values {
        assert!(
            !out.stdout().contains(v.as_str()) && !out.stderr().contains(v.as_str()),
            "a secret value was printed\n{}",
            out.describe()
        );
    }
}

fn inode(path: &Path) -> u64 {
    fs::metadata(path).unwrap().ino()
}

/// The `keys[]` of environment `i` in bootstrap's JSON as (key, action) pairs.
fn json_actions(json: &serde_json::Value, i: usize) -> Vec<(String, String)> {
    json["environments"][i]["keys"]
        .as_array()
        .expect("keys array")
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().to_string(),
                k["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Asserts a data refusal's behaviour (exit 65 is checked by the caller): nothing on stdout.
/// Its words are asserted whole once, in the case files of `tests/cli/cmd/manifest/` or by
/// the test that owns that message.
#[track_caller]
fn assert_data_refusal(out: &Output) {
    assert_eq!(out.stdout(), "", "nothing on stdout\n{}", out.describe());
}

/// A manifest declaring `envs` (default files) followed by `secrets` (TOML text).
fn manifest(envs: &[&str], secrets: &str) -> String {
    let mut text = String::new();
    for env in envs {
        text.push_str(&format!("[environments.{env}]\n"));
    }
    text.push_str(secrets);
    text
}

// --- the built-in preset in an empty folder --------------------------------------------------

#[test]
fn production_in_an_empty_folder_creates_a_0600_file_with_the_six_preset_keys() {
    let out = Test::new().args(["bootstrap", "production"]).status(0);
    let values = assert_fresh_preset_file(&out, PROD, "production");
    assert_eq!(out.files(), [PROD], "one file, no temporary file left");
    assert_eq!(out.stdout(), "", "stdout is empty without --json");
    // The summary's words are the case file tests/cli/cmd/bootstrap/summary_created.toml.
    assert_no_value_printed(&out, &values);
    let distinct: HashSet<&String> = values.iter().collect();
    assert_eq!(distinct.len(), 6, "every key gets its own value");
}

#[test]
fn three_environments_get_three_files_and_eighteen_distinct_values() {
    let out = Test::new()
        .args(["bootstrap", "development", "staging", "production"])
        .status(0);
    let mut all = Vec::new();
    for (file, env) in [
        (DEV, "development"),
        (STAGING, "staging"),
        (PROD, "production"),
    ] {
        all.extend(assert_fresh_preset_file(&out, file, env));
    }
    assert_eq!(out.files(), [DEV, PROD, STAGING]);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 18);
    assert_no_value_printed(&out, &all);
    // Environments are reported in the order given.
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
development: .env.development.local (created, 6 keys, mode 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
staging: .env.staging.local (created, 6 keys, mode 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
production: .env.production.local (created, 6 keys, mode 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits

"#]]);
}

/// The three preset environments were created fresh, with 18 distinct values, none printed.
#[track_caller]
fn assert_three_fresh_preset_files(out: &Output) {
    let mut all = Vec::new();
    for (file, env) in [
        (DEV, "development"),
        (STAGING, "staging"),
        (PROD, "production"),
    ] {
        all.extend(assert_fresh_preset_file(out, file, env));
    }
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 18);
    assert_no_value_printed(out, &all);
}

#[test]
fn all_bootstraps_every_declared_environment() {
    let out = Test::new().args(["bootstrap", "--all"]).status(0);
    assert_three_fresh_preset_files(&out);
}

#[test]
fn an_environment_named_twice_is_bootstrapped_once() {
    let out = Test::new()
        .args(["bootstrap", "production", "production", "--json"])
        .status(0);
    assert_eq!(out.json()["environments"].as_array().unwrap().len(), 1);
    assert_fresh_preset_file(&out, PROD, "production");
}

#[test]
fn fail_all_and_environment_names_together_is_a_usage_error() {
    let out = Test::new()
        .args(["bootstrap", "--all", "production"])
        .status(2);
    assert!(out.files().is_empty());
    let out = Test::new().args(["bootstrap"]).status(2);
    assert!(out.files().is_empty());
}

// --- a second run -----------------------------------------------------------------------------

#[test]
fn a_second_run_keeps_the_bytes_mtime_and_inode() {
    let first = Test::new().args(["bootstrap", "production"]).status(0);
    let path = first.path(PROD);
    let (bytes, time, ino) = (first.bytes(PROD), mtime(&path), inode(&path));
    tick();
    let second = first.then().args(["bootstrap", "production"]).status(0);
    assert_eq!(second.bytes(PROD), bytes, "bytes unchanged");
    assert_eq!(
        mtime(&path),
        time,
        "mtime unchanged: the file was not rewritten"
    );
    assert_eq!(inode(&path), ino, "same inode: no rename happened");
    // The summary's words are the snapshot bootstrap/bootstrap_summary_kept.
    assert!(!second.stderr().contains("added"), "{}", second.describe());
    assert!(
        !second.stderr().contains("warning"),
        "{}",
        second.describe()
    );

    let third = second
        .then()
        .args(["bootstrap", "production", "--json"])
        .status(0);
    let json = third.json();
    let env = &json["environments"][0];
    assert_eq!(env["created"], false);
    assert_eq!(env["written"], false);
    assert!(json_actions(&json, 0).iter().all(|(_, a)| a == "kept"));
    assert_eq!(mtime(&path), time);
}

// --- existing files: bytes kept, missing keys appended ----------------------------------------

/// One existing file: its text, the preset keys it defines, and the line ending appended lines
/// must use.
struct Existing {
    name: &'static str,
    text: &'static str,
    present: &'static [&'static str],
    eol: &'static str,
}

const EXISTING: &[Existing] = &[
    Existing {
        name: "comments, blank lines, export, quotes, inline comment",
        text: "# my app\n\n  # indented comment\nexport SECRET_KEY='keep-me'\nDB_PASSWORD=\"p a s s\" # db\nOTHER=1\n\n",
        present: &["SECRET_KEY", "DB_PASSWORD"],
        eol: "\n",
    },
    Existing {
        name: "CRLF without a final newline",
        text: "# x\r\nJWT_SECRET_KEY=abc\r\n\r\nexport REDIS_PASSWORD=r",
        present: &["JWT_SECRET_KEY", "REDIS_PASSWORD"],
        eol: "\r\n",
    },
    Existing {
        name: "LF without a final newline",
        text: "ENCRYPTION_KEY=zz",
        present: &["ENCRYPTION_KEY"],
        eol: "\n",
    },
    Existing {
        name: "BOM and a multi-line double-quoted value",
        text: "\u{feff}SECRET_KEY=abc\nSESSION_SECRET=\"multi\nline\"\n",
        present: &["SECRET_KEY", "SESSION_SECRET"],
        eol: "\n",
    },
    Existing {
        name: "CR line endings",
        text: "A=1\rSECRET_KEY=x\r",
        present: &["SECRET_KEY"],
        eol: "\r",
    },
    Existing {
        name: "spaces around =, single quotes with # inside",
        text: "  SECRET_KEY = spaced  \nDB_PASSWORD='a#b'\nJWT_SECRET_KEY=zz\n",
        present: &["SECRET_KEY", "DB_PASSWORD", "JWT_SECRET_KEY"],
        eol: "\n",
    },
    Existing {
        name: "every key present: nothing to add",
        text: "SECRET_KEY=1\nJWT_SECRET_KEY=2\nSESSION_SECRET=3\nENCRYPTION_KEY=4\nDB_PASSWORD=5\nREDIS_PASSWORD=6",
        present: &[
            "SECRET_KEY",
            "JWT_SECRET_KEY",
            "SESSION_SECRET",
            "ENCRYPTION_KEY",
            "DB_PASSWORD",
            "REDIS_PASSWORD",
        ],
        eol: "\n",
    },
];

#[test]
fn existing_bytes_are_an_exact_prefix_and_missing_keys_are_appended_in_manifest_order() {
    for case in EXISTING {
        // The kept values here are short: each is reported weak (exit 1), and kept as it is.
        let out = Test::new()
            .write(PROD, case.text)
            .chmod(PROD, 0o600)
            .args(["bootstrap", "production", "--json"])
            .status(1);
        let result = out.bytes(PROD);
        let result = String::from_utf8(result).unwrap();
        let missing: Vec<&str> = PRESET
            .iter()
            .map(|p| p.0)
            .filter(|k| !case.present.contains(k))
            .collect();

        if missing.is_empty() {
            assert_eq!(result, case.text, "{}: unchanged", case.name);
        } else {
            let mut prefix = case.text.to_string();
            if !prefix.ends_with(['\n', '\r']) {
                prefix.push_str(case.eol);
            }
            let tail = result.strip_prefix(&prefix).unwrap_or_else(|| {
                panic!(
                    "{}: the original bytes (plus a final newline) are not a prefix of\n{result:?}",
                    case.name
                )
            });
            // Every appended line ends with the file's own line ending and uses no other.
            let lines: Vec<&str> = tail.split_inclusive(case.eol).collect();
            assert!(
                lines.iter().all(|l| l.ends_with(case.eol)
                    && !l[..l.len() - case.eol.len()].contains(['\r', '\n'])),
                "{}: appended lines use {:?}: {tail:?}",
                case.name,
                case.eol
            );
            let pairs = appended(tail);
            let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, missing, "{}: appended keys", case.name);
            for (key, value) in &pairs {
                let kind = PRESET.iter().find(|p| p.0 == key).unwrap().1;
                check_kind(key, kind, value);
            }
            let values: Vec<String> = pairs.into_iter().map(|(_, v)| v).collect();
            assert_no_value_printed(&out, &values);
        }

        let json = out.json();
        let actions = json_actions(&json, 0);
        for (key, action) in &actions {
            let want = if case.present.contains(&key.as_str()) {
                "weak"
            } else {
                "added"
            };
            assert_eq!(action, want, "{}: {key}", case.name);
        }
        assert_eq!(json["environments"][0]["created"], false, "{}", case.name);
        assert_eq!(
            json["environments"][0]["written"],
            !missing.is_empty(),
            "{}",
            case.name
        );
        assert_eq!(out.mode(PROD), 0o600, "{}", case.name);
        assert!(temps(out.dir()).is_empty(), "{}", case.name);
    }
}

#[test]
fn unreadable_lines_not_naming_a_declared_key_are_kept_and_reported_as_warnings() {
    let original = format!("OTHER='x' junk\nSECRET_KEY=a\nSECRET_KEY={HEX64}\nFOO: bar\n");
    let original = original.as_str();
    let out = Test::new()
        .write(PROD, original)
        .args(["bootstrap", "production"])
        .status(0);
    let result = out.read(PROD);
    assert!(result.starts_with(original), "{result}");
    let keys: Vec<String> = appended(&result[original.len()..])
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys[0], "JWT_SECRET_KEY");
    assert_eq!(keys.len(), 5);
    out.stderr_is(str![[r#"
warning: .env.production.local:1: text follows the closing quote: the line for `OTHER` is kept as is and not read
warning: .env.production.local:3: `SECRET_KEY` is defined again (before on line 2); readers take the last definition
warning: .env.production.local:4: not a `KEY=value` line: the line is kept as is and not read
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (5 of 6 keys added, mode 0644 -> 0600)
  kept      SECRET_KEY      hex       256 bits, checked
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits

"#]]);
}

// --- --dry-run and --json ----------------------------------------------------------------------

#[test]
fn dry_run_creates_no_file_and_says_what_it_would_do() {
    let out = Test::new()
        .args(["bootstrap", "production", "staging", "--dry-run"])
        .status(0);
    assert!(out.files().is_empty(), "{:?}", out.files());
    assert_eq!(out.stdout(), "");
    // The summary's words are the snapshot bootstrap/bootstrap_summary_dry_run_and_mode.
}

#[test]
fn dry_run_leaves_an_existing_file_alone() {
    let original = format!("# keep\r\nSECRET_KEY={HEX64}");
    let test = Test::new().write(PROD, &original).chmod(PROD, 0o644);
    let before = mtime(test.path(PROD));
    tick();
    let out = test
        .args(["bootstrap", "production", "--dry-run"])
        .status(0);
    assert_eq!(out.read(PROD), original);
    assert_eq!(mtime(out.path(PROD)), before);
    assert_eq!(out.mode(PROD), 0o644);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (would add 5 of 6 keys)
  kept      SECRET_KEY      hex       256 bits, checked
  would add JWT_SECRET_KEY  hex       256 bits
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    assert_eq!(out.files(), [PROD]);
}

#[test]
fn json_reports_every_environment_and_key() {
    let out = Test::new()
        .write(STAGING, format!("SECRET_KEY={HEX64}\n"))
        .args(["bootstrap", "staging", "production", "--json"])
        .status(0);
    let json = out.json();
    assert_eq!(json["dry_run"], false);
    assert_eq!(json["manifest"], serde_json::Value::Null, "built-in preset");
    assert_eq!(json["preset"], "web");
    let envs = json["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 2);
    for (env, name, file, created) in [
        (&envs[0], "staging", STAGING, false),
        (&envs[1], "production", PROD, true),
    ] {
        assert_eq!(env["environment"], name);
        assert_eq!(env["file"], file);
        assert_eq!(env["created"], created);
        assert_eq!(env["written"], true);
        let keys = env["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 6);
        for (k, (key, kind, _, bits)) in keys.iter().zip(PRESET) {
            assert_eq!(k["key"], key);
            assert_eq!(k["kind"], kind);
            assert_eq!(k["bits"].as_f64(), Some(bits), "{key}");
            let want = if name == "staging" && key == "SECRET_KEY" {
                "kept"
            } else {
                "added"
            };
            assert_eq!(k["action"], want, "{name} {key}");
            let fields: HashSet<&str> = k.as_object().unwrap().keys().map(|s| s.as_str()).collect();
            assert_eq!(
                fields,
                HashSet::from(["key", "action", "kind", "bits", "external"])
            );
            assert_eq!(k["external"], false);
        }
    }
    // Whole bits are JSON integers.
    assert!(envs[0]["keys"][0]["bits"].is_u64());
    // The summary moved to stdout: stderr has no per-key lines, and no value is printed.
    assert!(!out.stderr().contains("added"), "{}", out.describe());
    let mut values: Vec<String> = appended(&out.read(PROD)[header("production").len()..])
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    values.extend(
        appended(&out.read(STAGING)[format!("SECRET_KEY={HEX64}\n").len()..])
            .into_iter()
            .map(|(_, v)| v),
    );
    assert_eq!(values.len(), 11);
    assert_no_value_printed(&out, &values);
}

#[test]
fn dry_run_json_reports_without_writing() {
    let out = Test::new()
        .write(PROD, format!("SECRET_KEY={HEX64}\n"))
        .args(["bootstrap", "production", "staging", "--dry-run", "--json"])
        .status(0);
    let json = out.json();
    assert_eq!(json["dry_run"], true);
    let envs = json["environments"].as_array().unwrap();
    assert_eq!(envs[0]["environment"], "production");
    assert_eq!(envs[0]["created"], false);
    assert_eq!(envs[0]["written"], false);
    assert_eq!(envs[1]["environment"], "staging");
    assert_eq!(envs[1]["created"], true, "would be created");
    assert_eq!(envs[1]["written"], false);
    let actions = json_actions(&json, 0);
    assert_eq!(actions[0], ("SECRET_KEY".into(), "kept".into()));
    assert!(actions[1..].iter().all(|(_, a)| a == "added"));
    assert_eq!(out.read(PROD), format!("SECRET_KEY={HEX64}\n"));
    assert_eq!(out.files(), [PROD]);
}

#[test]
fn json_names_the_manifest_relative_to_the_cwd() {
    let out = Test::new()
        .write(
            "envmint.toml",
            manifest(&["production"], "[secrets.A]\nkind = \"hex\"\n"),
        )
        .args(["bootstrap", "production", "--json"])
        .status(0);
    assert_eq!(out.json()["manifest"], "envmint.toml");
    assert!(!out.stderr().contains("built-in"), "{}", out.describe());
}

// --- refusals: exit 65, file untouched ---------------------------------------------------------

/// Runs `bootstrap production` on a file holding `original`; expects exit 65, nothing on
/// stdout, and the file byte-identical with its mtime and mode. The caller asserts the words.
#[track_caller]
fn refused_file(original: &[u8]) -> Output {
    let test = Test::new().write(PROD, original).chmod(PROD, 0o640);
    let path = test.path(PROD);
    let before = mtime(&path);
    tick();
    let out = test.args(["bootstrap", "production"]).status(65);
    assert_data_refusal(&out);
    assert_eq!(out.bytes(PROD), original, "file untouched");
    assert_eq!(mtime(&path), before, "mtime untouched");
    assert_eq!(out.mode(PROD), 0o640, "mode untouched");
    assert_eq!(out.files(), [PROD], "no temporary file");
    out
}

#[test]
fn fail_an_unterminated_quote_at_the_end() {
    let out = refused_file(b"A=1\nSECRET_KEY=k\nB=\"never closed\n");
    out.stderr_is(str![[r#"
error: .env.production.local:3: a quote opened on this line is never closed; envmint will not write after it, since a later quote would swallow the new line
hint: close the quote that opens on line 3; a line appended after it could be read as part of its value

"#]]);
    // Without a final newline too: the line is still the quote's.
    let out = refused_file(b"A=1\nB='never closed");
    out.stderr_is(str![[r#"
error: .env.production.local:2: a quote opened on this line is never closed; envmint will not write after it, since a later quote would swallow the new line
hint: close the quote that opens on line 2; a line appended after it could be read as part of its value

"#]]);
}

#[test]
fn fail_a_declared_key_only_on_an_unreadable_line() {
    let out = refused_file(b"A=1\nSECRET_KEY='x' junk\n");
    out.stderr_is(str![[r#"
error: .env.production.local:2: `SECRET_KEY` is on a line envmint cannot read; fix or remove that line first
hint: fix line 2 so that it reads KEY=value, then run again

"#]]);
}

#[test]
fn fail_a_file_that_is_not_utf8() {
    // The words are the case file tests/cli/cmd/bootstrap/file_not_utf8.toml.
    refused_file(b"A=1\nB=\xff\xfe\n");
    refused_file(b"\xc3(\n");
}

#[test]
fn fail_a_broken_last_environment_stops_the_run_before_the_first_is_touched() {
    for broken in [
        &b"B=\"never closed\n"[..],
        b"SECRET_KEY='x' junk\n",
        b"A=\xff\n",
    ] {
        // staging absent: must not be created.
        let test = Test::new().write(PROD, broken);
        let out = test
            .args(["bootstrap", "staging", "development", "production"])
            .status(65);
        assert_eq!(out.files(), [PROD], "nothing created\n{}", out.describe());
        assert_eq!(out.bytes(PROD), broken);

        // staging present but incomplete: must not change.
        let test = Test::new()
            .write(PROD, broken)
            .write(STAGING, "SECRET_KEY=s\n");
        let before = mtime(test.path(STAGING));
        tick();
        let out = test.args(["bootstrap", "staging", "production"]).status(65);
        assert_eq!(out.read(STAGING), "SECRET_KEY=s\n");
        assert_eq!(mtime(out.path(STAGING)), before);
        assert_eq!(out.files(), [PROD, STAGING]);
    }
}

#[test]
fn fail_an_unknown_environment_is_a_usage_error_listing_the_declared_ones() {
    let out = Test::new()
        .args(["bootstrap", "production", "prod"])
        .status(2);
    // The words are the case files tests/cli/cmd/bootstrap/unknown_environment*.toml.
    assert!(out.files().is_empty(), "production was not written either");

    let out = Test::new()
        .write("envmint.toml", manifest(&["qa", "live"], ""))
        .args(["bootstrap", "production"])
        .status(2);
    assert_eq!(out.files(), ["envmint.toml"], "nothing written");
}

/// Exact error lines as README documents them (`error: envmint.toml:14: unknown kind ...`):
/// paths relative to the working directory, like the other bootstrap errors and the JSON.
#[test]
fn fail_errors_show_paths_relative_to_the_cwd() {
    let test = Test::new().env("ENVMINT_LOCK_TIMEOUT", "0");
    let guard = hold_lock(test.dir());
    let out = test.args(["bootstrap", "production"]).status(75);
    drop(guard);
    // The words: the snapshot bootstrap/bootstrap_locked.
    assert_eq!(out.stdout(), "");
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \"nope/x.env\"\n",
        )
        .args(["bootstrap", "production"])
        .status(73);
    // The words: the case file tests/cli/cmd/bootstrap/missing_folder.toml.
    assert_eq!(out.stdout(), "");
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\n[secrets.A]\nkind = \"hax\"\n",
        )
        .args(["bootstrap", "production"])
        .status(65);
    out.stderr_is(str![[r#"
error: envmint.toml:3: unknown kind `hax`
hint: did you mean `hex`?

"#]]);
    let out = Test::new()
        .write(PROD, b"A=1\nB=\xff\n")
        .args(["bootstrap", "production"])
        .status(65);
    // The words: the case file tests/cli/cmd/bootstrap/file_not_utf8.toml.
    assert_eq!(out.stdout(), "");
}

// --- the manifest ------------------------------------------------------------------------------

const ONE_SECRET: &str = "[secrets.API_TOKEN]\nkind = \"hex\"\nbytes = 16\n";

#[test]
fn a_manifest_in_the_cwd_is_used() {
    let out = Test::new()
        .write(
            "envmint.toml",
            format!("[environments.production]\nfile = \"secrets/prod.env\"\n{ONE_SECRET}"),
        )
        .write("secrets/.keep", "")
        .args(["bootstrap", "production"])
        .status(0);
    let text = out.read("secrets/prod.env");
    let pairs = appended(text.strip_prefix(&header("production")).unwrap());
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0].0, "API_TOKEN");
    assert_eq!(pairs[0].1.len(), 32, "16 bytes of hex");
    assert_eq!(out.mode("secrets/prod.env"), 0o600);
    assert!(!out.exists(PROD), "the preset was not used");
}

#[test]
fn a_manifest_in_a_parent_folder_is_found_and_paths_are_relative_to_it() {
    let out = Test::new()
        .write(
            "app/envmint.toml",
            format!("[environments.production]\nfile = \"secrets/prod.env\"\n{ONE_SECRET}"),
        )
        .write("app/secrets/.keep", "")
        .write("app/web/src/.keep", "")
        .cwd("app/web/src")
        .args(["bootstrap", "production", "--json"])
        .status(0);
    assert!(out.read("app/secrets/prod.env").contains("\nAPI_TOKEN="));
    assert!(!out.exists("app/web/src/secrets"));
    assert!(!out.exists("app/web/src/.env.production.local"));
    let json = out.json();
    let manifest = json["manifest"].as_str().unwrap();
    assert!(manifest.ends_with("app/envmint.toml"), "{manifest}");
    let file = json["environments"][0]["file"].as_str().unwrap();
    assert!(file.ends_with("app/secrets/prod.env"), "{file}");
}

#[test]
fn the_nearest_manifest_wins() {
    let out = Test::new()
        .write("envmint.toml", manifest(&["outer"], ONE_SECRET))
        .write("sub/envmint.toml", manifest(&["inner"], ONE_SECRET))
        .cwd("sub")
        .args(["bootstrap", "inner"])
        .status(0);
    assert!(out.exists("sub/.env.inner.local"));
}

#[test]
fn manifest_flag_overrides_the_search() {
    let out = Test::new()
        .write(
            "envmint.toml",
            manifest(&["production"], "[secrets.WRONG]\n"),
        )
        .write(
            "config/envmint.toml",
            format!("[environments.production]\nfile = \"prod.env\"\n{ONE_SECRET}"),
        )
        .args([
            "--manifest",
            "config/envmint.toml",
            "bootstrap",
            "production",
        ])
        .status(0);
    let text = out.read("config/prod.env");
    assert!(text.contains("\nAPI_TOKEN="), "{text}");
    assert!(!text.contains("WRONG"));
    assert!(!out.exists(PROD));
    // The flag also works after the subcommand (it is global).
    let out = out
        .then()
        .args([
            "bootstrap",
            "production",
            "--manifest",
            "config/envmint.toml",
        ])
        .status(0);
    assert_eq!(
        out.read("config/prod.env"),
        text,
        "the same file, already complete"
    );
    assert!(!out.exists(PROD));
}

#[test]
fn fail_manifest_flag_naming_a_missing_file_is_exit_66() {
    let out = Test::new()
        .args(["--manifest", "missing.toml", "bootstrap", "production"])
        .status(66);
    // The words: the case file tests/cli/cmd/bootstrap/manifest_not_found.toml.
    assert_eq!(out.stdout(), "");
    assert!(out.files().is_empty(), "the preset was not used instead");
}

#[test]
fn fail_manifest_errors_name_the_line_and_exit_65() {
    let envs = "[environments.staging]\n[environments.production]\n";
    let cases: &[(String, usize, &str)] = &[
        (
            format!("{envs}[secrets.A]\nkind = \"hex\"\nbyts = 32\n"),
            5,
            "byts",
        ),
        (format!("[defualts]\n{envs}"), 1, "defualts"),
        (
            format!("{envs}[secrets.A]\nkind = \"hax\"\n"),
            4,
            "unknown kind `hax`",
        ),
        (
            format!("{envs}[secrets.A]\nkind = \"hex\"\nlength = 32\n"),
            5,
            "`length` does not apply to hex",
        ),
        (
            format!("{envs}[secrets.A]\nkind = \"hex\"\nbytes = 16\nbits = 128\n"),
            6,
            "only one of",
        ),
        (
            format!("{envs}[secrets.DB]\nkind = \"alnum\"\nlength = 21\n"),
            5,
            "under the 128-bit floor",
        ),
        (
            format!("[defaults]\nrotate_every = \"90\"\n{envs}"),
            2,
            "bad duration `90`",
        ),
        (
            format!("{envs}[secrets.A]\nrotate_every = \"1.5d\"\n"),
            4,
            "bad duration",
        ),
        (
            format!("{envs}[secrets.A]\nenvironments = [\"production\", \"prod\"]\n"),
            4,
            "undeclared environment `prod`",
        ),
        (
            format!("{envs}[secrets.A]\nalphabet = \"abcdef${{\"\nlength = 100\n"),
            4,
            "alphabet",
        ),
        (
            format!("{envs}[secrets.A]\nalphabet = \"ab cd\"\nlength = 100\n"),
            4,
            "alphabet",
        ),
        (
            format!("{envs}[secrets.A]\nkind = \"hex\"\nalphabet = \"abcdef\"\n"),
            4,
            "not both",
        ),
        (
            format!("{envs}[secrets.\"MY-KEY\"]\n"),
            3,
            "invalid key name",
        ),
        (
            "[environments.\"prod/x\"]\n".to_string(),
            1,
            "invalid environment name",
        ),
        (format!("{envs}[secrets.A\n"), 3, ""),
        (
            format!("{envs}[secrets.A]\n[secrets.A]\n"),
            4,
            "`A` is declared twice",
        ),
    ];
    // Each row: the manifest, the line and the words its error names, for the reader; the
    // words themselves are asserted whole by the case files in tests/cli/cmd/manifest/.
    for (text, _line, _names) in cases {
        let out = Test::new()
            .write("envmint.toml", text)
            .args(["bootstrap", "production"])
            .status(65);
        assert_data_refusal(&out);
        assert_eq!(out.files(), ["envmint.toml"], "nothing written");
    }
}

/// A zero or huge size: exit 65 naming the line (the hint README promises is tested by the
/// ignored `fail_a_zero_or_huge_size_gives_a_hint`).
#[test]
fn fail_a_zero_or_huge_size_names_the_line() {
    for size in ["bytes = 0", "bytes = 99999999999"] {
        let out = Test::new()
            .write(
                "envmint.toml",
                format!("[environments.production]\n[secrets.K]\nkind = \"hex\"\n{size}\n"),
            )
            .args(["bootstrap", "production"])
            .status(65);
        assert_data_refusal(&out);
        assert_eq!(out.files(), ["envmint.toml"]);
    }
}

#[test]
fn fail_a_zero_or_huge_size_gives_a_hint() {
    for (size, default) in [
        ("bytes = 0", "bytes = 32"),
        ("length = 0", "length = 43"),
        ("bytes = 99999999999", "bytes = 32"),
    ] {
        let kind = if size.starts_with("length") {
            "alnum"
        } else {
            "hex"
        };
        let out = Test::new()
            .write(
                "envmint.toml",
                format!("[environments.production]\n[secrets.K]\nkind = \"{kind}\"\n{size}\n"),
            )
            .args(["bootstrap", "production"])
            .status(65);
        assert_data_refusal(&out);
        assert_eq!(out.files(), ["envmint.toml"], "{default}: nothing written");
    }
}

#[test]
fn fail_a_manifest_without_environments() {
    let out = Test::new()
        .write("envmint.toml", "[secrets.A]\nkind = \"hex\"\n")
        .args(["bootstrap", "--all"])
        .status(65);
    // The words are the case file tests/cli/cmd/manifest/the_manifest_declares_no_environments.toml.
    assert_data_refusal(&out);
    assert_eq!(out.files(), ["envmint.toml"], "nothing written");
}

#[test]
fn per_secret_environments_restrict_keys() {
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.staging]\n[environments.production]\n\
             [secrets.BOTH]\nkind = \"hex\"\n\
             [secrets.PROD_ONLY]\nkind = \"alnum\"\nenvironments = [\"production\"]\n\
             [secrets.LAST]\nkind = \"base32\"\nenvironments = [\"staging\", \"production\"]\n",
        )
        .args(["bootstrap", "--all"])
        .status(0);
    let keys = |file: &str, env: &str| -> Vec<String> {
        let text = out.read(file);
        appended(text.strip_prefix(&header(env)).unwrap())
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    assert_eq!(keys(STAGING, "staging"), ["BOTH", "LAST"]);
    assert_eq!(keys(PROD, "production"), ["BOTH", "PROD_ONLY", "LAST"]);
    // Defaults: no kind is base64url, no size is 256 bits.
    let out = out
        .then()
        .write(
            "envmint.toml",
            "[environments.staging]\n[environments.production]\n[secrets.PLAIN]\n",
        )
        .args(["bootstrap", "staging", "--json"])
        .status(0);
    let json = out.json();
    assert_eq!(json["environments"][0]["keys"][0]["kind"], "base64url");
    assert_eq!(json["environments"][0]["keys"][0]["bits"], 256);
    let text = out.read(STAGING);
    let plain = text.lines().find_map(|l| l.strip_prefix("PLAIN=")).unwrap();
    assert_eq!(plain.len(), 43, "32 bytes of unpadded base64url");
}

#[test]
fn two_environments_sharing_one_file_are_planned_again_under_the_lock() {
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.staging]\nfile = \"shared.env\"\n\
             [environments.production]\nfile = \"shared.env\"\n\
             [secrets.A]\nkind = \"hex\"\n[secrets.B]\nenvironments = [\"production\"]\n",
        )
        .args(["bootstrap", "staging", "production", "--json"])
        .status(0);
    let text = out.read("shared.env");
    let body = text.strip_prefix(&header("staging")).unwrap();
    let keys: Vec<String> = appended(body).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["A", "B"], "A once, from staging; B from production");
    let json = out.json();
    assert_eq!(json_actions(&json, 0), [("A".into(), "added".into())]);
    assert_eq!(
        json_actions(&json, 1),
        [("A".into(), "kept".into()), ("B".into(), "added".into())]
    );
    assert_eq!(json["environments"][0]["created"], true);
    assert_eq!(json["environments"][1]["created"], false);
}

#[test]
fn a_custom_alphabet_with_symbols_is_written_single_quoted_and_reads_back() {
    let alphabet = "abc#;&*";
    let out = Test::new()
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\n[secrets.WEIRD]\nalphabet = \"{alphabet}\"\nlength = 100\n\
                 [secrets.AFTER]\nkind = \"hex\"\n"
            ),
        )
        .args(["bootstrap", "production"])
        .status(0);
    let text = out.read(PROD);
    let line = text
        .lines()
        .find(|l| l.starts_with("WEIRD="))
        .expect("WEIRD line");
    assert!(
        line.starts_with("WEIRD='") && line.ends_with('\''),
        "single-quoted: {line}"
    );
    let value = &line["WEIRD='".len()..line.len() - 1];
    assert_eq!(value.len(), 100);
    assert!(value.chars().all(|c| alphabet.contains(c)));
    let after = text
        .lines()
        .find_map(|l| l.strip_prefix("AFTER="))
        .unwrap()
        .to_string();
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (created, 2 keys, mode 0600)
  added     WEIRD  alphabet  280.73 bits
  added     AFTER  hex       256 bits

"#]]);
    assert_no_value_printed(&out, &[value.to_string(), after.clone()]);

    // The real python-dotenv reads the same values back.
    let py = Command::new("python3")
        .args([
            "-c",
            "import json,sys\nfrom dotenv import dotenv_values\n\
             print(json.dumps(dotenv_values(sys.argv[1])))",
        ])
        .arg(out.path(PROD))
        .output();
    match py {
        Ok(py) if py.status.success() => {
            let read: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
            assert_eq!(read["WEIRD"], value);
            assert_eq!(read["AFTER"], after.as_str());
        }
        Ok(py) => skip(&format!(
            "python-dotenv is not installed: {}",
            String::from_utf8_lossy(&py.stderr).trim()
        )),
        Err(e) => skip(&format!("no python3: {e}")),
    }
}

#[test]
fn an_environment_without_secrets_says_so_and_writes_nothing() {
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\n[environments.staging]\n[secrets.API_TOKEN]\n\
             kind = \"hex\"\nenvironments = [\"staging\"]\n",
        )
        .args(["bootstrap", "production"])
        .status(0);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (no secrets declared for this environment)

"#]]);
    assert!(!out.stderr().contains("all 0 keys"), "{}", out.describe());
    assert!(!out.exists(PROD));
}

#[test]
fn json_names_a_file_in_a_folder_that_is_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let folder = OsStr::from_bytes(b"caf\xe9");
    let manifest = Path::new(folder).join("envmint.toml");
    let out = Test::new()
        .write(
            &manifest,
            "[environments.production]\nfile = \"p.env\"\n[secrets.API_TOKEN]\nkind = \"hex\"\n",
        )
        .args(["bootstrap", "production", "--json", "--manifest"])
        .arg(&manifest)
        .status(0);
    let json = out.json();
    assert_eq!(json["manifest"], "caf\u{fffd}/envmint.toml");
    assert_eq!(json["environments"][0]["file"], "caf\u{fffd}/p.env");
    assert_eq!(json["environments"][0]["written"], true);
    assert!(
        out.read(Path::new(folder).join("p.env"))
            .contains("API_TOKEN=")
    );
}

#[test]
fn json_to_a_full_stdout_is_exit_74_and_stderr_says_what_was_written() {
    let out = Test::new()
        .wrapper(["sh", "-c", "exec \"$0\" \"$@\" >/dev/full"])
        .args(["bootstrap", "production", "--json"])
        .status(74);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (created, 6 keys, mode 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
error: <stdout>: cannot write: No space left on device (os error 28)

"#]]);
    assert!(out.read(PROD).contains("SECRET_KEY="));
    // Nothing written: nothing to report but the error.
    let again = out
        .then()
        .wrapper(["sh", "-c", "exec \"$0\" \"$@\" >/dev/full"])
        .args(["bootstrap", "production", "--json"])
        .status(74);
    assert!(
        !again.stderr().contains("production:"),
        "{}",
        again.describe()
    );
}

#[test]
fn fail_a_removed_working_folder_is_named_as_such() {
    for cmd in [&["bootstrap", "production"][..], &["init"][..]] {
        let out = Test::new()
            .wrapper([
                "sh",
                "-c",
                "mkdir gone && cd gone && rmdir ../gone && exec \"$0\" \"$@\"",
            ])
            .args(cmd)
            .status(66);
        out.stderr_is(str![[r#"
error: .: the working folder not found
hint: it was removed while the shell was in it; cd to a folder that exists

"#]]);
    }
}

// --- file modes ---------------------------------------------------------------------------------

#[test]
fn a_0644_file_that_gets_keys_becomes_0600() {
    let out = Test::new()
        .write(PROD, format!("SECRET_KEY={HEX64}\n"))
        .chmod(PROD, 0o644)
        .args(["bootstrap", "production"])
        .status(0);
    assert_eq!(out.mode(PROD), 0o600);
    assert!(
        out.read(PROD)
            .starts_with(&format!("SECRET_KEY={HEX64}\n# envmint: generated="))
    );
    assert!(
        !out.stderr().contains("readable by others"),
        "{}",
        out.describe()
    );
}

#[test]
fn a_0400_file_stays_0400() {
    let out = Test::new()
        .write(PROD, format!("SECRET_KEY={HEX64}\n"))
        .chmod(PROD, 0o400)
        .args(["bootstrap", "production"])
        .status(0);
    assert_eq!(out.mode(PROD), 0o400);
    assert!(out.read(PROD).contains("\nREDIS_PASSWORD="));
}

#[test]
fn umask_000_still_gives_0600() {
    let out = Test::new()
        .wrapper(["sh", "-c", "umask 000; : > control; exec \"$0\" \"$@\""])
        .args(["bootstrap", "production"])
        .status(0);
    assert_eq!(out.mode("control"), 0o666, "the umask really was 000");
    assert_eq!(out.mode(PROD), 0o600);
}

#[test]
fn a_complete_file_readable_by_others_gets_a_warning_and_is_left_alone() {
    let first = Test::new().args(["bootstrap", "production"]).status(0);
    fs::set_permissions(first.path(PROD), fs::Permissions::from_mode(0o644)).unwrap();
    let bytes = first.bytes(PROD);
    let before = mtime(first.path(PROD));
    tick();
    let out = first.then().args(["bootstrap", "production"]).status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local is readable by others (mode 0644); run: chmod 600 .env.production.local
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (unchanged, all 6 keys present)
  kept      SECRET_KEY      hex       256 bits, checked
  kept      JWT_SECRET_KEY  hex       256 bits, checked
  kept      SESSION_SECRET  base64    256 bits, checked
  kept      ENCRYPTION_KEY  base64    256 bits, checked
  kept      DB_PASSWORD     alnum     190.53 bits, checked
  kept      REDIS_PASSWORD  alnum     190.53 bits, checked

"#]]);
    assert_eq!(out.mode(PROD), 0o644);
    assert_eq!(out.bytes(PROD), bytes);
    assert_eq!(mtime(out.path(PROD)), before);
    // A 0640 file (group-readable) is warned about too; 0600 and 0400 are not.
    let again = Test::new()
        .write(PROD, &bytes)
        .chmod(PROD, 0o640)
        .args(["bootstrap", "production"])
        .status(0);
    // The same words as the 0644 run above, said once: only the mode differs.
    assert_eq!(
        again.stderr(),
        out.stderr().replace("(mode 0644)", "(mode 0640)"),
        "{}",
        again.describe()
    );
    for mode in [0o600, 0o400] {
        let again = Test::new()
            .write(PROD, &bytes)
            .chmod(PROD, mode)
            .args(["bootstrap", "production"])
            .status(0);
        assert!(
            !again.stderr().contains("readable by others"),
            "mode {mode:o}\n{}",
            again.describe()
        );
    }
}

#[test]
fn a_complete_file_with_its_declared_group_mode_gets_no_chmod_600_advice() {
    let manifest =
        "[environments.production]\nmode = \"0640\"\n[secrets.API_TOKEN]\nkind = \"hex\"\n";
    let value = format!("API_TOKEN={HEX64}\n");
    let run = |mode| {
        let out = Test::new()
            .write("envmint.toml", manifest)
            .write(PROD, &value)
            .chmod(PROD, mode)
            .args(["bootstrap", "production"])
            .status(0);
        assert_eq!(out.mode(PROD), mode, "left alone");
        assert_eq!(out.read(PROD), value);
        out
    };
    // No advice for the declared mode or a narrower one; `chmod 640` for a wider one.
    let declared = run(0o640);
    declared.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (unchanged, 1 key present)
  kept      API_TOKEN  hex       256 bits, checked

"#]]);
    let narrower = run(0o600);
    assert_eq!(
        narrower.stderr(),
        declared.stderr(),
        "{}",
        narrower.describe()
    );
    for (mode, words) in [
        (
            0o644,
            str![[r#"
warning: .env.production.local is readable by others (mode 0644, the manifest declares 0640); run: chmod 640 .env.production.local
using envmint.toml
production: .env.production.local (unchanged, 1 key present)
  kept      API_TOKEN  hex       256 bits, checked

"#]],
        ),
        (
            0o660,
            str![[r#"
warning: .env.production.local is readable by others (mode 0660, the manifest declares 0640); run: chmod 640 .env.production.local
using envmint.toml
production: .env.production.local (unchanged, 1 key present)
  kept      API_TOKEN  hex       256 bits, checked

"#]],
        ),
    ] {
        run(mode).stderr_is(words);
    }
}

// --- symlinks -------------------------------------------------------------------------------------

#[test]
fn a_symlinked_file_stays_a_link_and_its_target_gets_the_keys() {
    let test = Test::new()
        .write("shared/prod.env", format!("SECRET_KEY={HEX64}\n"))
        .chmod("shared/prod.env", 0o644);
    symlink("shared/prod.env", test.path(PROD)).unwrap();
    let out = test.args(["bootstrap", "production"]).status(0);
    let link = out.path(PROD);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("shared/prod.env"));
    let target = out.read("shared/prod.env");
    assert!(
        target.starts_with(&format!("SECRET_KEY={HEX64}\n# envmint: generated=")),
        "{target}"
    );
    // The kept key has no record (it is not envmint's to date); the 5 added ones do.
    assert_eq!(
        appended(&target[format!("SECRET_KEY={HEX64}\n").len()..]).len(),
        5
    );
    assert_eq!(out.mode("shared/prod.env"), 0o600);
    assert!(temps(out.dir()).is_empty() && temps(&out.path("shared")).is_empty());
}

#[test]
fn a_dangling_symlink_gets_its_target_created() {
    let test = Test::new().write("shared/.keep", "");
    symlink("shared/new.env", test.path(PROD)).unwrap();
    let out = test.args(["bootstrap", "production"]).status(0);
    assert!(
        fs::symlink_metadata(out.path(PROD))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_fresh_preset_file(&out, "shared/new.env", "production");
}

// --- directories that cannot be written ---------------------------------------------------------

#[test]
fn fail_a_missing_directory_is_exit_73_and_creates_nothing() {
    let out = Test::new()
        .write(
            "envmint.toml",
            format!("[environments.production]\nfile = \"nope/x.env\"\n{ONE_SECRET}"),
        )
        .args(["bootstrap", "production"])
        .status(73);
    // The words: the case file tests/cli/cmd/bootstrap/missing_folder.toml.
    assert_eq!(out.stdout(), "");
    assert_eq!(out.files(), ["envmint.toml"]);
    assert!(!out.exists("nope"));
}

#[test]
fn fail_a_read_only_directory_is_exit_73() {
    let Some((_bin_dir, bin)) = binary_for_nobody() else {
        return;
    };

    let test = Test::new()
        .write("ro/.env.staging.local", "SECRET_KEY=abc\n")
        .chmod("ro/.env.staging.local", 0o600);
    fs::set_permissions(test.dir(), fs::Permissions::from_mode(0o755)).unwrap();
    let ro = test.path("ro");
    std::os::unix::fs::chown(&ro, Some(65534), Some(65534)).unwrap();
    std::os::unix::fs::chown(ro.join(STAGING), Some(65534), Some(65534)).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).unwrap();

    // A new file cannot be created.
    let out = test
        .program(&bin)
        .wrapper(NOBODY)
        .cwd("ro")
        .args(["bootstrap", "production"])
        .status(73);
    out.stderr_is(str![[r#"
error: .: cannot write .env.production.local in this folder: it is not writable (Permission denied (os error 13))
hint: the folder must be writable: envmint writes a temporary file beside the file and renames it over the old one

"#]]);
    assert_eq!(
        fs::read_dir(&ro).unwrap().count(),
        1,
        "nothing created in ro/"
    );
    // An existing file cannot be replaced: it stays as it was.
    let out = out
        .then()
        .program(&bin)
        .wrapper(NOBODY)
        .cwd("ro")
        .args(["bootstrap", "staging"])
        .status(73);
    // The same refusal as above, for the file it would replace.
    assert_eq!(out.stdout(), "");
    assert_eq!(out.read("ro/.env.staging.local"), "SECRET_KEY=abc\n");
    assert!(temps(&ro).is_empty());
    // Let the temp dir be removed.
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).unwrap();
}

/// A group commit holds its prepared files by name, not by open descriptor: 300 environments in
/// three folders commit under a limit of 64 open files (each used to keep its temporary file
/// open until the renames, so the run failed with "uncategorized error").
#[test]
fn a_group_commit_of_many_files_fits_a_small_open_file_limit() {
    let mut manifest = String::new();
    for n in 0..300 {
        manifest.push_str(&format!(
            "[environments.e{n}]\nfile = \"d{}/f{n}.env\"\n",
            n % 3
        ));
    }
    manifest.push_str("[secrets.A]\nkind = \"hex\"\n");
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write("d0/.keep", "")
        .write("d1/.keep", "")
        .write("d2/.keep", "")
        .program("sh")
        .args([
            "-c",
            r#"ulimit -n 64 && exec "$0" bootstrap --all --json"#,
            BIN,
        ])
        .status(0);
    for n in [0, 149, 299] {
        assert!(
            out.read(format!("d{}/f{n}.env", n % 3)).contains("A="),
            "{}",
            out.describe()
        );
    }
}

/// `bootstrap --all` is all or nothing: one environment's folder is read-only, so the other
/// environment's file, which could be written, is not, and no temporary file is left.
#[test]
fn fail_all_with_one_read_only_folder_writes_nothing() {
    let Some((_bin_dir, bin)) = binary_for_nobody() else {
        return;
    };
    let test = Test::new()
        .write(
            "envmint.toml",
            "[environments.first]\nfile = \"app/.env\"\n\
             [environments.second]\nfile = \"ro/.env\"\n\
             [secrets.A]\nkind = \"hex\"\n",
        )
        .write("app/.env", "OTHER=1\n")
        .chmod("app/.env", 0o600);
    fs::create_dir(test.path("ro")).unwrap();
    fs::set_permissions(test.dir(), fs::Permissions::from_mode(0o755)).unwrap();
    for p in ["app", "app/.env", "ro"] {
        std::os::unix::fs::chown(test.path(p), Some(65534), Some(65534)).unwrap();
    }
    fs::set_permissions(test.path("ro"), fs::Permissions::from_mode(0o555)).unwrap();
    let out = test
        .program(&bin)
        .wrapper(NOBODY)
        .args(["--manifest", "envmint.toml", "bootstrap", "--all", "--json"])
        .status(73);
    assert_eq!(
        out.read("app/.env"),
        "OTHER=1\n",
        "the writable one is untouched"
    );
    assert!(temps(&out.path("app")).is_empty());
    assert!(temps(&out.path("ro")).is_empty());
    assert_eq!(fs::read_dir(out.path("ro")).unwrap().count(), 0);
    // The folder is named, and what to do about it.
    out.stderr_is(str![[r#"
error: ro: cannot write .env in this folder: it is not writable (Permission denied (os error 13))
hint: the folder must be writable: envmint writes a temporary file beside the file and renames it over the old one

"#]]);
    // The JSON still comes, and says nothing was written.
    let json = out.json();
    for i in 0..2 {
        assert_eq!(json["environments"][i]["written"], false, "{json}");
    }
    // The summary claims no addition that was not made.
    let out = out
        .then()
        .program(&bin)
        .wrapper(NOBODY)
        .args(["--manifest", "envmint.toml", "bootstrap", "--all"])
        .status(73);
    assert!(!out.stderr().contains("added"), "{}", out.describe());
    assert_eq!(out.read("app/.env"), "OTHER=1\n");
    fs::set_permissions(out.path("ro"), fs::Permissions::from_mode(0o755)).unwrap();
}

/// A link another user planted in a folder they can write to must not steer root's write.
#[test]
fn fail_a_symlink_planted_by_another_user_is_exit_77() {
    if !is_root() {
        return skip("needs root to give a symlink to user 65534");
    }
    let test = Test::new()
        .write("victim", "root:x:0:0\n")
        .chmod("victim", 0o644);
    let link = test.path(PROD);
    symlink(test.path("victim"), &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();
    let out = test.args(["bootstrap", "production"]).status(77);
    // The words: report's unit test `every_file_problem_has_its_sentence`.
    assert_eq!(out.stdout(), "");
    assert_eq!(out.read("victim"), "root:x:0:0\n");
    assert_eq!(out.mode("victim"), 0o644);
    // A dry run does not read through it either.
    let out = out
        .then()
        .args(["bootstrap", "production", "--dry-run"])
        .status(77);
    assert_eq!(out.read("victim"), "root:x:0:0\n");
}

#[test]
fn fail_a_file_envmint_may_not_read_is_exit_77() {
    let Some((_bin_dir, bin)) = binary_for_nobody() else {
        return;
    };

    // A folder user 65534 owns, holding root's 0600 secret file.
    let test = Test::new()
        .write("app/.env.production.local", "SECRET_KEY=root-only\n")
        .chmod("app/.env.production.local", 0o600);
    fs::set_permissions(test.dir(), fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::chown(test.path("app"), Some(65534), Some(65534)).unwrap();
    let out = test
        .program(&bin)
        .wrapper(NOBODY)
        .cwd("app")
        .args(["bootstrap", "production"])
        .status(77);
    out.stderr_is(str![[r#"
error: .env.production.local: cannot read: Permission denied (os error 13)
hint: check the owner and mode of .env.production.local (ls -l)

"#]]);
    assert_eq!(
        out.read("app/.env.production.local"),
        "SECRET_KEY=root-only\n"
    );
    assert!(temps(&out.path("app")).is_empty());
}

// --- the lock ----------------------------------------------------------------------------------

#[test]
fn concurrent_runs_on_one_file_lose_no_update() {
    // A timeout far above any wait: with both cores busy and slow fsyncs, four runs queued on
    // one lock could pass the default 10 s, and exit 75 is not what this test is about.
    let mut test = Test::new().env("ENVMINT_LOCK_TIMEOUT", "600");
    const N: usize = 4;
    // Absolute: a relative `file` may not leave its manifest's folder, and an absolute one
    // outside it must be allowed by the user (`--allow-outside`).
    let shared = test.path("shared.env");
    for i in 1..=N {
        test = test.write(
            format!("m{i}/envmint.toml"),
            format!(
                "[environments.production]\nfile = \"{}\"\n\
                 [secrets.SHARED]\nkind = \"hex\"\n[secrets.K{i}]\nkind = \"alnum\"\n",
                shared.display()
            ),
        );
    }
    for round in 0..5 {
        let _ = fs::remove_file(test.path("shared.env"));
        let children: Vec<_> = (1..=N)
            .map(|i| {
                let mut cmd = test.command();
                cmd.args([
                    "--allow-outside",
                    "--manifest",
                    &format!("m{i}/envmint.toml"),
                    "bootstrap",
                    "production",
                    "--json",
                ]);
                cmd.stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        let mut shared_added = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            shared_added += json_actions(&json, 0)
                .iter()
                .filter(|(k, a)| k == "SHARED" && a == "added")
                .count();
        }
        let text = fs::read_to_string(test.path("shared.env")).unwrap();
        let body = text
            .strip_prefix(&header("production"))
            .unwrap_or_else(|| panic!("round {round}: one header first:\n{text}"));
        let mut keys: Vec<String> = appended(body).into_iter().map(|(k, _)| k).collect();
        keys.sort();
        let mut want: Vec<String> = (1..=N).map(|i| format!("K{i}")).collect();
        want.push("SHARED".into());
        assert_eq!(keys, want, "round {round}: every key exactly once:\n{text}");
        assert_eq!(shared_added, 1, "round {round}: one process added SHARED");
        assert_eq!(
            fs::metadata(test.path("shared.env")).unwrap().mode() & 0o777,
            0o600
        );
        assert!(temps(test.dir()).is_empty());
    }
}

/// Holds an exclusive `flock` on `dir` (what envmint locks) until the returned file is dropped.
fn hold_lock(dir: &Path) -> fs::File {
    let file = fs::File::open(dir).unwrap();
    file.lock().unwrap();
    file
}

#[test]
fn fail_a_held_lock_is_exit_75_after_the_timeout() {
    let test = Test::new().env("ENVMINT_LOCK_TIMEOUT", "0.3");
    let guard = hold_lock(test.dir());
    let start = Instant::now();
    let out = test.args(["bootstrap", "production"]).status(75);
    // A lower bound only, which no load can break: the run cannot give up before its timeout
    // has passed on the monotonic clock that ours reads too. How much later it exits is the
    // machine's business (the lock's unit tests check the exact timeout on a fake clock).
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(300), "waited {took:?}");
    // The words: the snapshot bootstrap/bootstrap_locked.
    assert_eq!(out.stdout(), "");
    assert!(out.files().is_empty(), "nothing written");
    drop(guard);
    let out = out.then().args(["bootstrap", "production"]).status(0);
    assert_fresh_preset_file(&out, PROD, "production");
}

/// A run that meets a held lock waits, says so once (after [`envmint::atomic::SLOW_LOCK`]),
/// and finishes when the lock is released. Driven by the run's own "Blocking waiting" line,
/// not by sleeps: the lock is released only once the run has said it waits.
#[test]
fn a_lock_released_within_the_timeout_is_waited_for_and_said_once() {
    const WAITING: &str = "Blocking waiting for the lock on .";
    // The timeout only guards against a hang: the lock is released as soon as the run waits.
    let test = Test::new().env("ENVMINT_LOCK_TIMEOUT", "600");
    let dir = test.dir().to_path_buf();
    let guard = hold_lock(&dir);
    let mut run = test.args(["bootstrap", "production"]).start();
    run.wait_for_stderr_line(WAITING);
    // Held: it neither gave up nor wrote anything. The pause lets a repeated notice show
    // (the count is checked below); it asserts nothing about time.
    std::thread::sleep(Duration::from_millis(200));
    assert!(run.is_running(), "it waits while the lock is held");
    assert_eq!(
        common::names(&dir),
        Vec::<String>::new(),
        "nothing written yet"
    );
    drop(guard);
    let out = run.finish();
    assert_eq!(out.code(), 0, "{}", out.describe());
    let waits = out.stderr().lines().filter(|l| *l == WAITING).count();
    assert_eq!(waits, 1, "{}", out.describe());
    out.stderr_is(str![[r#"
Blocking waiting for the lock on .
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (created, 6 keys, mode 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    assert_fresh_preset_file(&out, PROD, "production");
}

#[test]
fn dry_run_takes_no_lock() {
    let test = Test::new().env("ENVMINT_LOCK_TIMEOUT", "0");
    let _guard = hold_lock(test.dir());
    test.args(["bootstrap", "production", "--dry-run"])
        .status(0);
}

#[test]
fn a_zero_lock_timeout_still_takes_a_free_lock() {
    let out = Test::new()
        .env("ENVMINT_LOCK_TIMEOUT", "0")
        .args(["bootstrap", "production"])
        .status(0);
    assert_fresh_preset_file(&out, PROD, "production");
}

#[test]
fn fail_a_bad_lock_timeout_is_a_usage_error() {
    // 1e30 seconds does not fit a Duration: it once panicked (exit 101).
    for (bad, words) in [
        (
            "abc",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`abc` is not a number of seconds (0 or more)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
        (
            "-1",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`-1` is not a number of seconds (0 or more)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
        (
            "inf",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`inf` is not a number of seconds (0 or more)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
        (
            "NaN",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`NaN` is not a number of seconds (0 or more)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
        (
            "",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`` is not a number of seconds (0 or more)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
        (
            "1e30",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`1e30` is not a number of seconds up to a day (86400)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
        (
            "86401",
            str![[r#"
error: ENVMINT_LOCK_TIMEOUT=`86401` is not a number of seconds up to a day (86400)
hint: e.g. ENVMINT_LOCK_TIMEOUT=30 (seconds, at most 86400)

"#]],
        ),
    ] {
        let out = Test::new()
            .env("ENVMINT_LOCK_TIMEOUT", bad)
            .args(["bootstrap", "production"])
            .status(2);
        out.stderr_is(words);
        assert!(out.files().is_empty(), "{bad:?}: nothing written");
    }
}

#[test]
fn dry_run_does_not_read_the_lock_timeout() {
    let out = Test::new()
        .env("ENVMINT_LOCK_TIMEOUT", "1e30")
        .args(["bootstrap", "production", "--dry-run"])
        .status(0);
    assert!(out.files().is_empty(), "a dry run writes nothing");
}

// --- temporary files ---------------------------------------------------------------------------

#[test]
fn a_stale_temp_file_is_removed_by_the_next_write() {
    // The prefix is `.` + the file name + `.envmint-tmp.` (no second dot for dotfiles).
    let stale = ".env.production.local.envmint-tmp.Ab12Cd";
    let other = ".env.staging.local.envmint-tmp.Zz99Yy";
    let out = Test::new()
        .write(stale, "SECRET_KEY=half-written\n")
        .chmod(stale, 0o600)
        .write(other, "x")
        .chmod(other, 0o600)
        .args(["bootstrap", "production"])
        .status(0);
    assert!(!out.exists(stale), "stale temp removed: {:?}", out.files());
    assert!(out.exists(other), "another file's temp is not touched");
    assert_eq!(out.files(), [PROD, other]);
    assert_fresh_preset_file(&out, PROD, "production");
}

// --- scripts/generate-secrets.sh ---------------------------------------------------------------

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/generate-secrets.sh");

/// PATH with the built binary's folder first.
fn path_with_envmint() -> String {
    let dir = Path::new(BIN).parent().unwrap();
    format!("{}:/usr/bin:/bin", dir.display())
}

fn script() -> Test {
    Test::new()
        .program("sh")
        .arg(SCRIPT)
        .env("PATH", path_with_envmint())
}

#[test]
fn generate_secrets_sh_bootstraps_every_environment() {
    let out = script().status(0);
    assert_three_fresh_preset_files(&out);
}

#[test]
fn generate_secrets_sh_passes_arguments_through() {
    let out = script().args(["production", "--dry-run"]).status(0);
    assert!(out.files().is_empty());
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (would create with 6 keys)
  would add SECRET_KEY      hex       256 bits
  would add JWT_SECRET_KEY  hex       256 bits
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    assert!(!out.stderr().contains("staging"), "{}", out.describe());

    let out = script().args(["--dry-run", "--json"]).status(0);
    assert!(out.files().is_empty());
    let json = out.json();
    let names: Vec<&str> = json["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["environment"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["development", "staging", "production"]);

    let out = script().args(["staging"]).status(0);
    assert_eq!(out.files(), [STAGING]);
    let out = script().args(["nope"]).status(2);
    out.stderr_is(str![[r#"
error: unknown environment `nope`: the built-in preset declares development, staging, production
hint: run `envmint init` and add [environments.nope] to envmint.toml

"#]]);
}

#[test]
fn generate_secrets_sh_passes_a_manifest_flag_through() {
    let out = script()
        .write(
            "config/envmint.toml",
            format!("[environments.production]\n{ONE_SECRET}"),
        )
        .args(["--manifest", "config/envmint.toml"])
        .status(0);
    assert!(out.exists("config/.env.production.local"));
}

#[test]
fn fail_generate_secrets_sh_without_envmint_exits_127_with_the_install_hint() {
    if ["/usr/bin/envmint", "/bin/envmint"]
        .iter()
        .any(|p| Path::new(p).exists())
    {
        return skip("an envmint is installed in /usr/bin or /bin");
    }
    let out = Test::new()
        .program("sh")
        .arg(SCRIPT)
        .env("PATH", "/usr/bin:/bin")
        .args(["production"])
        .status(127);
    out.stderr_is(str![[r#"
error: envmint is not installed
hint: install it from a checkout of envmint with `cargo install --locked --path .`
      (it lands in ~/.cargo/bin; make sure that is on PATH), then run this script again.

"#]]);
    assert!(out.files().is_empty());
}

// --- empty, placeholder and copied values (issue 6, point 6) -----------------------------------

/// A typical `.env.example`: empty values, a placeholder, a short password and a key bootstrap
/// does not declare.
const EXAMPLE: &str = "# Copy to .env.production.local\n\
    export SECRET_KEY=\n\
    SESSION_SECRET=\"\"\n\
    JWT_SECRET_KEY=changeme\n\
    DB_PASSWORD='' # the database\n\
    APP_NAME=demo\n\
    EMPTY_OTHER=\n";

/// The value of `key` on its line in `text` (after `=`, quotes kept).
fn raw_value<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| {
            l.trim_start_matches("export ")
                .strip_prefix(key)?
                .strip_prefix('=')
        })
        .unwrap_or_else(|| panic!("no line for {key} in\n{text}"))
}

#[test]
fn a_copied_env_example_gets_empty_values_filled_in_place_and_placeholders_reported() {
    let out = Test::new()
        .write(".env.example", EXAMPLE)
        .write(PROD, EXAMPLE)
        .args(["bootstrap", "production"])
        .status(1);
    let text = out.read(PROD);
    let all: Vec<&str> = text.lines().collect();
    // Each value written in place got its record directly above it; the kept one did not.
    let at = |key: &str| all.iter().position(|l| l.starts_with(key)).unwrap();
    for key in ["export SECRET_KEY=", "SESSION_SECRET=", "DB_PASSWORD="] {
        assert!(
            all[at(key) - 1].starts_with("# envmint: generated="),
            "{text}"
        );
    }
    assert!(!all[at("JWT_SECRET_KEY=") - 1].starts_with("# envmint:"));
    let lines: Vec<&str> = all
        .iter()
        .copied()
        .filter(|l| !l.starts_with("# envmint: "))
        .collect();
    // Each line stays where it was, with its export and its quotes.
    assert_eq!(lines[0], "# Copy to .env.production.local");
    assert!(lines[1].starts_with("export SECRET_KEY="), "{text}");
    check_kind("SECRET_KEY", "hex", raw_value(&text, "SECRET_KEY"));
    let session = raw_value(&text, "SESSION_SECRET");
    assert!(session.starts_with('"') && session.ends_with('"'), "{text}");
    check_kind("SESSION_SECRET", "base64", session.trim_matches('"'));
    assert_eq!(lines[3], "JWT_SECRET_KEY=changeme", "a weak value is kept");
    let db = raw_value(&text, "DB_PASSWORD");
    let db = db.strip_suffix(" # the database").expect("comment kept");
    check_kind("DB_PASSWORD", "alnum", db.trim_matches('\''));
    assert!(db.starts_with('\''), "single quotes kept: {text}");
    assert_eq!(lines[5], "APP_NAME=demo");
    assert_eq!(lines[6], "EMPTY_OTHER=", "undeclared keys are not touched");
    let tail: Vec<&str> = appended(&all[at("EMPTY_OTHER=") + 1..].join("\n"))
        .iter()
        .map(|(k, _)| k.as_str())
        .map(|k| if k == "ENCRYPTION_KEY" { "E" } else { "R" })
        .collect();
    assert_eq!(tail, ["E", "R"], "the missing keys are appended");
    assert_eq!(out.mode(PROD), 0o600);
    // The summary: what was filled, what is weak and why, never a bit count for it.
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (2 of 6 keys added, 3 filled, 1 weak, mode 0644 -> 0600)
  filled    SECRET_KEY      hex       256 bits
  kept      JWT_SECRET_KEY  hex       placeholder, not a 32-byte hex secret
  filled    SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  filled    DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
warning: .env.production.local: kept JWT_SECRET_KEY: placeholder, not a 32-byte hex secret
hint: to replace it with fresh secrets: envmint bootstrap production --replace-weak (then update whatever holds the old value, such as a database's password)

"#]]);
    assert!(!out.stderr().contains("changeme"), "{}", out.describe());
    let values: Vec<String> = ["SECRET_KEY", "SESSION_SECRET", "DB_PASSWORD"]
        .iter()
        .map(|k| raw_value(&text, k).trim_matches(['"', '\'']).to_string())
        .collect();
    assert_no_value_printed(&out, &values);

    // --json says the same with an action per key and a problem for the weak one.
    let json_run = out
        .then()
        .args(["bootstrap", "production", "--json"])
        .status(1);
    let json = json_run.json();
    let keys = json["environments"][0]["keys"].as_array().unwrap();
    let jwt = &keys[1];
    assert_eq!(jwt["action"], "weak");
    assert_eq!(jwt["bits"], serde_json::Value::Null);
    assert_eq!(jwt["problem"], "placeholder, not a 32-byte hex secret");
    assert_eq!(keys[0]["action"], "kept");
    assert!(keys[0].get("problem").is_none());
    assert_eq!(json_run.read(PROD), text, "nothing new to write");

    // --replace-weak replaces it in place; then everything is kept.
    let fixed = json_run
        .then()
        .args(["bootstrap", "production", "--replace-weak"])
        .status(0);
    let after = fixed.read(PROD);
    let jwt = raw_value(&after, "JWT_SECRET_KEY");
    check_kind("JWT_SECRET_KEY", "hex", jwt);
    let lines: Vec<&str> = after.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == format!("JWT_SECRET_KEY={jwt}"))
        .unwrap();
    let record = lines[at - 1];
    assert!(record.starts_with("# envmint: generated="), "{after}");
    assert_eq!(
        lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at - 1)
            .map(|(_, l)| format!("{l}\n"))
            .collect::<String>()
            .replace(jwt, "changeme"),
        text,
        "only that value changed, and its record was added above it"
    );
    // The replaced line's words: the snapshot bootstrap/bootstrap_summary_replace_weak.
    assert_no_value_printed(&fixed, &[jwt.to_string()]);
    let again = fixed.then().args(["bootstrap", "production"]).status(0);
    assert_eq!(again.read(PROD), after, "everything kept");
}

#[test]
fn a_dry_run_reports_weak_values_and_exits_1_without_writing() {
    let out = Test::new()
        .write(PROD, "JWT_SECRET_KEY=<your jwt secret>\nSECRET_KEY=\n")
        .args(["bootstrap", "production", "--dry-run", "--replace-weak"])
        .status(0);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (would add 4 of 6 keys, fill 1, replace 1)
  would fill SECRET_KEY      hex       256 bits
  would replace JWT_SECRET_KEY  hex       256 bits (the old value: placeholder, not a 32-byte hex secret)
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    assert_eq!(
        out.read(PROD),
        "JWT_SECRET_KEY=<your jwt secret>\nSECRET_KEY=\n"
    );
    let out = out
        .then()
        .args(["bootstrap", "production", "--dry-run"])
        .status(1);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (would add 4 of 6 keys, fill 1, 1 weak)
  would fill SECRET_KEY      hex       256 bits
  kept      JWT_SECRET_KEY  hex       placeholder, not a 32-byte hex secret
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits
warning: .env.production.local: kept JWT_SECRET_KEY: placeholder, not a 32-byte hex secret
hint: to replace it with fresh secrets: envmint bootstrap production --replace-weak (then update whatever holds the old value, such as a database's password)

"#]]);
    assert_eq!(
        out.read(PROD),
        "JWT_SECRET_KEY=<your jwt secret>\nSECRET_KEY=\n"
    );
    let out = out
        .then()
        .args(["bootstrap", "--all", "--dry-run"])
        .status(1);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
development: .env.development.local (would create with 6 keys)
  would add SECRET_KEY      hex       256 bits
  would add JWT_SECRET_KEY  hex       256 bits
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits
staging: .env.staging.local (would create with 6 keys)
  would add SECRET_KEY      hex       256 bits
  would add JWT_SECRET_KEY  hex       256 bits
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits
production: .env.production.local (would add 4 of 6 keys, fill 1, 1 weak)
  would fill SECRET_KEY      hex       256 bits
  kept      JWT_SECRET_KEY  hex       placeholder, not a 32-byte hex secret
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits
warning: .env.production.local: kept JWT_SECRET_KEY: placeholder, not a 32-byte hex secret
hint: to replace it with fresh secrets: envmint bootstrap --all --replace-weak (then update whatever holds the old value, such as a database's password)

"#]]);
}

#[test]
fn kept_values_are_checked_for_length_characters_and_the_example() {
    let short_b64 = "c2hvcnQ=";
    let copied = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    let file = format!(
        "SECRET_KEY={}\nJWT_SECRET_KEY={}\nSESSION_SECRET={short_b64}\nENCRYPTION_KEY={copied}\n\
         DB_PASSWORD=abc-def-ghi-jkl-mno-pqr-stu-vwx-yz\nREDIS_PASSWORD={}\n",
        HEX64.to_uppercase(),
        &HEX64[..40],
        "Zx9".repeat(12),
    );
    let out = Test::new()
        .write(".env.example", format!("ENCRYPTION_KEY={copied}\n"))
        .write(PROD, &file)
        .args(["bootstrap", "production", "--json"])
        .status(1);
    let json = out.json();
    let got: Vec<(String, String, String)> = json["environments"][0]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().to_string(),
                k["action"].as_str().unwrap().to_string(),
                k["problem"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = [
        ("SECRET_KEY", "kept", ""),
        (
            "JWT_SECRET_KEY",
            "weak",
            "20 bytes long, not a 32-byte hex secret",
        ),
        (
            "SESSION_SECRET",
            "weak",
            "5 bytes long, not a 32-byte base64 secret",
        ),
        (
            "ENCRYPTION_KEY",
            "weak",
            "same value as in .env.example, not a 32-byte base64 secret",
        ),
        (
            "DB_PASSWORD",
            "weak",
            "has characters outside alnum, not a 32-character alnum secret",
        ),
        ("REDIS_PASSWORD", "kept", ""),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(out.read(PROD), file, "nothing to add, nothing written");
    for problem in json.to_string().split("\"problem\"").skip(1) {
        assert!(!problem.contains(short_b64) && !problem.contains(copied));
    }
}

// --- control characters (issue 6, point 7) ------------------------------------------------------

#[test]
fn a_nul_byte_in_a_value_is_a_warning_with_its_line_and_is_never_written() {
    let original = format!("A=1\nOTHER=x\0y\nSECRET_KEY=ab\0{}\n", &HEX64[4..]);
    let out = Test::new()
        .write(PROD, &original)
        .args(["bootstrap", "production"])
        .status(1);
    out.stderr_is(str![[r#"
warning: .env.production.local:2: the value of `OTHER` holds a NUL byte: readers cut or keep it differently, and envmint never writes one
warning: .env.production.local:3: the value of `SECRET_KEY` holds a NUL byte: readers cut or keep it differently, and envmint never writes one
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (5 of 6 keys added, 1 weak, mode 0644 -> 0600)
  kept      SECRET_KEY      hex       holds a control character, not a 32-byte hex secret
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
warning: .env.production.local: kept SECRET_KEY: holds a control character, not a 32-byte hex secret
hint: to replace it with fresh secrets: envmint bootstrap production --replace-weak (then update whatever holds the old value, such as a database's password)

"#]]);
    let text = out.read(PROD);
    assert!(text.starts_with(&original));
    assert!(!text[original.len()..].contains('\0'));
    let out = out
        .then()
        .args(["bootstrap", "production", "--replace-weak"])
        .status(0);
    let text = out.read(PROD);
    assert_eq!(
        text.matches('\0').count(),
        1,
        "only the undeclared OTHER keeps its NUL"
    );
    check_kind("SECRET_KEY", "hex", raw_value(&text, "SECRET_KEY"));
}

// --- files that are not dotenv files (issue 6, point 2) ----------------------------------------

#[test]
fn fail_a_file_that_is_not_a_dotenv_file_is_refused_before_anything_is_written() {
    let passwd =
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
    let binaryish = "\u{7f}ELF\u{2}\u{1}\u{1}\0\0\0\0\n\0\0\u{3}\0>\0\u{1}\0\0\0";
    for contents in [passwd, binaryish] {
        let test = Test::new()
            .write(
                "envmint.toml",
                "[environments.staging]\n[environments.production]\nfile = \"system/passwd\"\n\
                 [secrets.A]\nkind = \"hex\"\n",
            )
            .write("system/passwd", contents)
            .chmod("system/passwd", 0o644);
        let before = mtime(test.path("system/passwd"));
        let out = test.args(["bootstrap", "staging", "production"]).status(65);
        // The words are report's unit test `dotenv_problems_name_file_and_line`.
        assert_data_refusal(&out);
        assert_eq!(out.read("system/passwd"), contents);
        assert_eq!(out.mode("system/passwd"), 0o644);
        assert_eq!(mtime(out.path("system/passwd")), before);
        assert!(
            !out.exists(STAGING),
            "the other environment was not written"
        );
    }
    // Comments and blank lines only: a dotenv file with nothing in it yet.
    let out = Test::new()
        .write(PROD, "# secrets go here\n\n")
        .args(["bootstrap", "production"])
        .status(0);
    assert!(
        out.read(PROD)
            .starts_with("# secrets go here\n\n# envmint: generated=")
    );
}

// --- files tracked by git (issue 6, point 13) ---------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_file_tracked_by_git_gets_a_warning_with_the_git_rm_hint() {
    let test = Test::new()
        .write(PROD, "# tracked\n")
        .write(DEV, "# tracked\n")
        .write(STAGING, "# not\n");
    if !git(test.dir(), &["init", "-q"]) {
        return skip("git is not installed");
    }
    assert!(git(test.dir(), &["add", "--", PROD, DEV]));
    let out = test
        .args(["bootstrap", "production", "staging", "development"])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local is tracked by git: the secrets written to it go into the next commit
hint: git rm --cached .env.production.local, and add it to .gitignore
warning: .env.development.local is tracked by git: the secrets written to it go into the next commit
hint: git rm --cached .env.development.local, and add it to .gitignore
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (6 of 6 keys added, mode 0644 -> 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
staging: .env.staging.local (6 of 6 keys added, mode 0644 -> 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
development: .env.development.local (6 of 6 keys added, mode 0644 -> 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    assert!(
        !out.stderr().contains(".env.staging.local is tracked"),
        "{}",
        out.describe()
    );
    // Nothing to write: no warning.
    let out = out.then().args(["bootstrap", "production"]).status(0);
    assert!(!out.stderr().contains("tracked"), "{}", out.describe());
    // Outside a repository, or with git missing from PATH: no warning, no error.
    let out = Test::new()
        .env("PATH", "/nonexistent")
        .write(".git/HEAD", "not really a repository\n")
        .args(["bootstrap", "production"])
        .status(0);
    assert!(!out.stderr().contains("tracked"), "{}", out.describe());
}

// --- the manifest used, -v, long keys (issue 6, points 3, 9, 15) -------------------------------

#[test]
fn every_run_names_its_manifest() {
    let out = Test::new()
        .write("app/envmint.toml", manifest(&["production"], ONE_SECRET))
        .write("app/src/.keep", "")
        .cwd("app/src")
        .args(["bootstrap", "production"])
        .status(0);
    out.stderr_is(str![[r#"
using ../envmint.toml
production: [DIR]/app/.env.production.local (created, 1 key, mode 0600)
  added     API_TOKEN  hex       128 bits

"#]]);
    // Without a manifest: the case file tests/cli/cmd/bootstrap/summary_created.toml.
}

#[test]
fn verbose_shows_the_manifest_each_file_its_mode_and_what_was_checked() {
    let out = Test::new()
        .write(PROD, format!("SECRET_KEY={HEX64}\n"))
        .chmod(PROD, 0o640)
        .write(".env.example", "SECRET_KEY=\n")
        .args(["-v", "bootstrap", "production", "staging"])
        .status(0);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (exists, mode 0640); checked 1 existing value against the manifest, known placeholders and .env.example
staging: .env.staging.local (new)
production: .env.production.local (5 of 6 keys added, mode 0640 -> 0600)
  kept      SECRET_KEY      hex       256 bits, checked
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits
staging: .env.staging.local (created, 6 keys, mode 0600)
  added     SECRET_KEY      hex       256 bits
  added     JWT_SECRET_KEY  hex       256 bits
  added     SESSION_SECRET  base64    256 bits
  added     ENCRYPTION_KEY  base64    256 bits
  added     DB_PASSWORD     alnum     190.53 bits
  added     REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    // Without a .env.example, the check says so.
    let out = Test::new()
        .write(PROD, format!("SECRET_KEY={HEX64}\n"))
        .args(["-v", "bootstrap", "production", "--dry-run"])
        .status(0);
    out.stderr_is(str![[r#"
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (exists, mode 0644); checked 1 existing value against the manifest and known placeholders (no .env.example)
production: .env.production.local (would add 5 of 6 keys)
  kept      SECRET_KEY      hex       256 bits, checked
  would add JWT_SECRET_KEY  hex       256 bits
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits

"#]]);
}

#[test]
fn a_255_character_key_gets_a_summary_line() {
    let key = format!("K{}", "_".repeat(254));
    let out = Test::new()
        .write(
            "envmint.toml",
            manifest(
                &["production"],
                &format!("[secrets.{key}]\nkind = \"hex\"\n"),
            ),
        )
        .args(["bootstrap", "production"])
        .status(0);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (created, 1 key, mode 0600)
  added     K______________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________  hex       256 bits

"#]]);
    assert!(out.read(PROD).contains(&format!("\n{key}=")));
}

#[test]
fn a_file_that_is_itself_the_example_is_not_compared_with_itself() {
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.template]\nfile = \".env.example\"\n[secrets.A]\nkind = \"hex\"\n",
        )
        .write(".env.example", format!("A={HEX64}\n"))
        .args(["bootstrap", "template", "--json"])
        .status(0);
    assert_eq!(json_actions(&out.json(), 0), [("A".into(), "kept".into())]);
}

// --- external secrets and records ------------------------------------------------------------

const EXTERNAL: &str = "[environments.production]\nfile = \".env.production.local\"\n\
                        [secrets.SECRET_KEY]\nkind = \"hex\"\n\
                        [secrets.STRIPE_KEY]\nexternal = true\n";

#[test]
fn external_secrets_are_reported_missing_with_the_set_command_and_never_generated() {
    let out = Test::new()
        .write("envmint.toml", EXTERNAL)
        .args(["bootstrap", "production"])
        .status(0);
    let text = out.read(PROD);
    assert!(!text.contains("STRIPE_KEY"), "{text}");
    assert_eq!(appended(&text[header("production").len()..]).len(), 1);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (created, 1 key, mode 0600, 1 external missing)
  added     SECRET_KEY  hex       256 bits
  missing   STRIPE_KEY  external  no value: envmint never generates it
warning: .env.production.local: STRIPE_KEY is external: envmint does not generate it, and it has no value
hint: give it with: envmint set production STRIPE_KEY (reads the value from stdin or a prompt)

"#]]);
    // JSON says so too, without a kind or bits.
    let json = out
        .then()
        .args(["bootstrap", "production", "--json"])
        .status(0);
    let keys = &json.json()["environments"][0]["keys"];
    assert_eq!(keys[1]["key"], "STRIPE_KEY");
    assert_eq!(keys[1]["action"], "missing");
    assert_eq!(keys[1]["external"], true);
    assert!(keys[1]["kind"].is_null() && keys[1]["bits"].is_null());
    // Once set (any shape: nothing is checked), bootstrap keeps it and its record.
    let set = json
        .then()
        .args(["set", "production", "STRIPE_KEY"])
        .stdin("sk_live_1")
        .status(0);
    assert!(!set.stderr().contains("warning"), "{}", set.describe());
    let text = set.read(PROD);
    let again = set.then().args(["bootstrap", "production"]).status(0);
    assert_eq!(again.read(PROD), text, "nothing written");
    again.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (unchanged, all 2 keys present)
  kept      SECRET_KEY  hex       256 bits, checked
  kept      STRIPE_KEY  external  given with envmint set, not checked

"#]]);
    assert!(text.contains("# envmint: set="), "{text}");
}

/// The issue's repro: a `.env.example` carrying a retired value with a record that says it
/// stays until 2099, copied as the README's start says (`cp .env.example
/// .env.production.local && envmint bootstrap`). Django would accept that fallback, which
/// everyone with the repository knows, until 2099. Bootstrap warns and marks it expired,
/// `status` shows it expired, `audit` reports it (example-value, on the retired variable),
/// and the next `rotate` removes it; a later bootstrap writes nothing more.
#[test]
fn a_retired_value_copied_from_the_example_is_marked_expired_and_removed() {
    let manifest = "[environments.production]\nfile = \".env.production.local\"\n\
        [secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"90d\"\noverlap = \"7d\"\n\
        previous = { list = \"SECRET_KEY_FALLBACKS\", separator = \",\", keep = 2 }\n\
        [secrets.SESSION_SECRET]\nkind = \"hex\"\nbytes = 32\noverlap = \"7d\"\n";
    let fallback = "repository-known-fallback-0123456789abcdef";
    let old = "another-known-value-0123456789abcdef0123";
    let example = format!(
        "SECRET_KEY=\n\
         # envmint: previous-of=SECRET_KEY retired=2026-01-01T00:00:00Z expires=2099-01-01T00:00:00Z\n\
         SECRET_KEY_FALLBACKS={fallback}\n\
         SESSION_SECRET=\nSESSION_SECRET_PREVIOUS={old}\n"
    );
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env.example", &example)
        .write(PROD, &example)
        .chmod(PROD, 0o600)
        .args(["bootstrap", "production"])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local:4: SECRET_KEY_FALLBACKS: a retired value of SECRET_KEY that came from .env.example (it carries the template's previous-of record): apps must not accept a value the repository knows; marked expired, the next `envmint rotate production` removes it
warning: .env.production.local:8: SESSION_SECRET_PREVIOUS: a retired value of SESSION_SECRET that came from .env.example (it holds the template's value): apps must not accept a value the repository knows; marked expired, the next `envmint rotate production` removes it
using envmint.toml
production: .env.production.local (2 of 2 keys filled)
  filled    SECRET_KEY      hex       256 bits
  filled    SESSION_SECRET  hex       256 bits

"#]]);
    let text = out.read(PROD);
    assert!(!text.contains("expires=2099"), "{text}");
    let status = out
        .then()
        .args(["status", "production", "--json"])
        .status(0);
    for key in ["SECRET_KEY_FALLBACKS", "SESSION_SECRET_PREVIOUS"] {
        let rows = status.json();
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("{key}: {rows}"))
            .clone();
        assert_eq!(row["state"], "expired", "{row}");
    }
    let audit = status
        .then()
        .args(["audit", "production", "--json"])
        .status(1);
    let findings = audit.json();
    let found = |key: &str, check: &str| {
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == key && f["check"] == check)
    };
    for key in ["SECRET_KEY_FALLBACKS", "SESSION_SECRET_PREVIOUS"] {
        assert!(found(key, "example-value"), "{key}: {findings}");
        assert!(found(key, "rotation-overdue"), "{key}: {findings}");
    }
    // A second bootstrap has nothing more to write.
    let again = audit.then().args(["bootstrap", "production"]).status(0);
    assert_eq!(again.read(PROD), text);
    let rotated = again
        .then()
        .args(["rotate", "production", "--due"])
        .status(0);
    let text = rotated.read(PROD);
    assert!(
        !text.contains(fallback) && !text.contains(old),
        "a value the repository knows is still in the file:\n{text}"
    );
}

/// Issue 19: a `.env` just under envmint's 64 MiB read limit, to which bootstrap would append a
/// key: the new file would be over the limit, and no envmint command could read it back. It
/// is refused before anything is written (exit 65), naming the file, the size and the limit,
/// and the file is left as it was; plain and sealed stores go through the same check.
#[test]
fn fail_bootstrap_refuses_to_write_a_file_over_the_read_limit() {
    const LIMIT: usize = 64 * 1024 * 1024;
    let mut text = String::with_capacity(LIMIT);
    text.push_str("X=1\n");
    let line = format!("# {}\n", "x".repeat(1021));
    while text.len() + line.len() <= LIMIT - 50 {
        text.push_str(&line);
    }
    // 50 bytes short of the limit: the key and its record (over 100 bytes) do not fit.
    text.push_str(&format!("#{}\n", "y".repeat(LIMIT - 50 - text.len() - 2)));
    assert_eq!(text.len(), LIMIT - 50);
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \".env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 32\n",
        )
        .write(".env", &text)
        .chmod(".env", 0o600)
        .args(["bootstrap", "production"])
        .status(65);
    // The size named: the file, a record (`# envmint: generated=<20-character time>`), `A=`
    // and 64 hex digits, with their newlines.
    out.stderr_is(str![[r#"
error: .env: the new file would be 67108923 bytes, over envmint's limit of 67108864 bytes (no envmint command could read it back); nothing was written
hint: remove keys or comments it does not need, or split the environment into several files

"#]]);
    assert!(out.bytes(".env") == text.as_bytes(), "the file changed");
    assert!(
        out.files()
            .iter()
            .all(|f| f == ".env" || f == "envmint.toml")
    );
    // Under the limit it is written, and read back.
    let out = out
        .then()
        .write(".env", &text[..text.len() - 2 * line.len()])
        .args(["bootstrap", "production"])
        .status(0);
    let out = out.then().args(["status", "production"]).status(0);
    assert!(out.read(".env").len() <= LIMIT);
}

/// Each reason a kept value fails its declaration, as the summary and the warnings say it:
/// not in its declared form, outside its alphabet or outside its kind.
#[test]
fn kept_values_name_why_they_fail_their_declaration() {
    let manifest = "[environments.production]\n\
        [secrets.TOKEN]\nkind = \"hex\"\nbytes = 16\nformat = \"tok_{value}\"\n\
        [secrets.PIN]\nalphabet = \"0123456789\"\nlength = 40\n\
        [secrets.CODE]\nkind = \"hex\"\nbytes = 16\n";
    let file = format!(
        "TOKEN={}\nPIN={}ab\nCODE={}\n",
        &HEX64[..32],
        "1".repeat(38),
        "0123456789abcdefghijklmnopqrstuv",
    );
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(PROD, &file)
        .chmod(PROD, 0o600)
        .args(["bootstrap", "production"])
        .status(1);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (unchanged, all 3 keys present, 3 weak)
  kept      TOKEN  hex       not in the form tok_{value}, not a 16-byte hex secret in the form tok_{value}
  kept      PIN    alphabet  has characters outside the declared alphabet, not a 40-character secret of its alphabet
  kept      CODE   hex       has characters outside hex, not a 16-byte hex secret
warning: .env.production.local: kept TOKEN: not in the form tok_{value}, not a 16-byte hex secret in the form tok_{value}
warning: .env.production.local: kept PIN: has characters outside the declared alphabet, not a 40-character secret of its alphabet
warning: .env.production.local: kept CODE: has characters outside hex, not a 16-byte hex secret
hint: to replace them with fresh secrets: envmint bootstrap production --replace-weak (then update whatever holds the old value, such as a database's password)

"#]]);
    assert_eq!(out.read(PROD), file, "weak values are kept, nothing added");
}

/// Lines envmint cannot read are kept as they are, and the warning says what each one is.
#[test]
fn warnings_say_what_each_unread_line_is() {
    let file = "WORD\nB=\"first\nsecond\" trailing\nC=a\u{1}b\n";
    let out = Test::new()
        .write(PROD, file)
        .args(["bootstrap", "production", "--dry-run"])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local:1: a word without `=`: the line is kept as is and not read (python-dotenv reads such a key as unset, docker compose takes it from the environment)
warning: .env.production.local:2: text follows the closing quote 1 line further down: these 2 lines are kept as is and not read (did a quote close too early, or too late?)
warning: .env.production.local:4: the value of `C` holds a control character (U+0001): readers cut or keep it differently, and envmint never writes one
using the built-in web preset (no envmint.toml found; envmint init writes it out)
production: .env.production.local (would add 6 of 6 keys)
  would add SECRET_KEY      hex       256 bits
  would add JWT_SECRET_KEY  hex       256 bits
  would add SESSION_SECRET  base64    256 bits
  would add ENCRYPTION_KEY  base64    256 bits
  would add DB_PASSWORD     alnum     190.53 bits
  would add REDIS_PASSWORD  alnum     190.53 bits

"#]]);
    assert_eq!(out.read(PROD), file);
}

/// A retired value of an encryption key copied from `.env.example` stays in its keyring (which
/// nothing expires): the warning says to re-encrypt and retire it instead.
#[test]
fn a_retired_encryption_key_from_the_example_is_left_to_retire() {
    let manifest = "[environments.production]\nfile = \".env.production.local\"\n\
        [secrets.DATA_KEY]\nkind = \"hex\"\nrole = \"encryption\"\n\
        previous = { list = \"DATA_KEY_OLD\", separator = \",\", keep = 2 }\n";
    let example = "DATA_KEY=\n\
        # envmint: previous-of=DATA_KEY retired=2026-01-01T00:00:00Z expires=2099-01-01T00:00:00Z\n\
        DATA_KEY_OLD=repository-known-value-0123456789abcdef\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env.example", example)
        .write(PROD, example)
        .chmod(PROD, 0o600)
        .args(["bootstrap", "production"])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local:4: DATA_KEY_OLD: a retired value of DATA_KEY that came from .env.example (it carries the template's previous-of record): apps must not accept a value the repository knows; it is in an encryption keyring, which nothing expires: re-encrypt what uses it, then remove it (`envmint retire production DATA_KEY`)
using envmint.toml
production: .env.production.local (1 of 1 key filled)
  filled    DATA_KEY  hex       256 bits

"#]]);
    assert!(
        out.read(PROD)
            .ends_with("\nDATA_KEY_OLD=repository-known-value-0123456789abcdef\n"),
        "the keyring keeps the value until `envmint retire`"
    );
}

/// A sealed environment that has only its plaintext file yet: bootstrap makes the store from
/// it, and says so (no key is "added": every one came from the file).
#[test]
fn a_sealed_store_is_created_from_its_plaintext_file() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let (test, public) = common::keygen(test, "id.txt");
    let test = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("HOME", dir.join("no-home"))
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n[secrets.SECRET_KEY]\nkind = \"hex\"\n"
            ),
        )
        .write(PROD, format!("SECRET_KEY={HEX64}\n"))
        .chmod(PROD, 0o600);
    let out = test
        .args(["bootstrap", "production", "--dry-run"])
        .status(0);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.age (would create from its plaintext file, 1 key)
  kept      SECRET_KEY  hex       256 bits, checked

"#]]);
    assert!(!out.exists(".env.production.age"));
    let out = out.then().args(["bootstrap", "production"]).status(0);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.age (created from its plaintext file, 1 key, mode 0600)
  kept      SECRET_KEY  hex       256 bits, checked

"#]]);
    assert!(out.exists(".env.production.age"));
}
