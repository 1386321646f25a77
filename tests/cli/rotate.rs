//! `envmint rotate` end to end: due selection with `--at`, each overlap form (one variable,
//! numbered, list), expiry, `--no-overlap`, external keys, `--key` errors, `--dry-run`,
//! `--json`, and a sealed environment rotated in memory.

use crate::common;

use common::{Output, Test, mtime, tick};
use snapbox::str;

const T0: &str = "2026-01-01T00:00:00Z";

/// A manifest with one plain environment, `production` in `.env`, and `secrets` (TOML).
fn manifest(secrets: &str) -> String {
    format!("[environments.production]\nfile = \".env\"\n{secrets}")
}

/// A project with `envmint.toml` made of `secrets` and `.env` holding `env`.
fn project(secrets: &str, env: &str) -> Test {
    Test::new()
        .write("envmint.toml", manifest(secrets))
        .write(".env", env)
}

/// The value of `key` in `text` (the last `KEY=` line).
fn value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(|v| v.trim_matches('\'').to_string())
}

/// The line above `KEY=`.
fn record(text: &str, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(&format!("{key}=")))?;
    i.checked_sub(1).map(|j| lines[j].to_string())
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(out.stdout().trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.describe()))
}

/// `(key, action)` of every change of the first environment in rotate's JSON.
fn actions(out: &Output) -> Vec<(String, String)> {
    json(out)["environments"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_string(),
                c["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const HEX: &str = "kind = \"hex\"\nbytes = 32\n";

#[test]
fn due_keys_are_rotated_on_their_day_and_unmanaged_lines_keep_their_bytes() {
    let secrets = format!(
        "[secrets.A]\n{HEX}rotate_every = \"30d\"\n[secrets.B]\n{HEX}rotate_every = \"90d\"\n"
    );
    let env = format!(
        "# keep me\r\nexport UNMANAGED='x y' # note\n# envmint: generated={T0}\nA=old-a\n\
         # envmint: generated={T0}\nB=old-b\n"
    );
    let out = project(&secrets, &env)
        .args(["rotate", "--at", "2026-01-30T23:59:59Z", "--json"])
        .status(0);
    assert_eq!(actions(&out), []);
    assert_eq!(out.read(".env"), env);

    let out = out
        .then()
        .args(["rotate", "--due", "--at", "2026-01-31", "--json"])
        .status(0);
    assert_eq!(actions(&out), [("A".into(), "rotated".into())]);
    let c = &json(&out)["environments"][0]["changes"][0];
    assert_eq!(c["reason"], "due");
    assert_eq!(c["kind"], "hex");
    assert_eq!(c["bits"], 256);
    assert_eq!(json(&out)["environments"][0]["written"], true);
    let text = out.read(".env");
    assert!(text.starts_with("# keep me\r\nexport UNMANAGED='x y' # note\n"));
    assert_eq!(
        record(&text, "A").unwrap(),
        "# envmint: generated=2026-01-31T00:00:00Z"
    );
    let a = value(&text, "A").unwrap();
    assert_eq!(a.len(), 64);
    assert_eq!(value(&text, "B").unwrap(), "old-b");
    assert_eq!(out.mode(".env"), 0o600);

    // The same day again: nothing due, the file untouched (bytes and mtime).
    let before = mtime(out.path(".env"));
    tick();
    let again = out
        .then()
        .args(["rotate", "--at", "2026-01-31T12:00:00Z"])
        .status(0);
    again.stderr_is(str![[r#"
production: .env (nothing due)

"#]]);
    assert_eq!(again.read(".env"), text);
    assert_eq!(mtime(again.path(".env")), before);
}

#[test]
fn a_key_without_record_is_unknown_and_a_missing_one_is_added() {
    let secrets = format!("[secrets.A]\n{HEX}[secrets.B]\n{HEX}");
    let out = project(&secrets, "A=hand-written\n")
        .args(["rotate", "--at", T0, "--json"])
        .status(0);
    let changes = &json(&out)["environments"][0]["changes"];
    assert_eq!(changes[0]["key"], "A");
    assert_eq!(changes[0]["reason"], "unknown");
    assert_eq!(changes[1]["key"], "B");
    assert_eq!(changes[1]["reason"], "missing");
    let text = out.read(".env");
    assert_eq!(
        text.lines().collect::<Vec<_>>()[..3],
        [
            "# envmint: generated=2026-01-01T00:00:00Z",
            &format!("A={}", value(&text, "A").unwrap()),
            "# envmint: generated=2026-01-01T00:00:00Z"
        ]
    );
    assert_ne!(value(&text, "A").unwrap(), "hand-written");
    assert_eq!(value(&text, "B").unwrap().len(), 64);
}

#[test]
fn one_previous_value_is_kept_for_the_overlap_and_removed_when_it_expires() {
    let secrets = format!("[secrets.JWT]\n{HEX}rotate_every = \"30d\"\noverlap = \"7d\"\n");
    let env = format!("# envmint: generated={T0}\nJWT=first\nOTHER=1\n");
    let out = project(&secrets, &env)
        .args(["rotate", "--at", "2026-02-01", "--json"])
        .status(0);
    assert_eq!(
        actions(&out),
        [
            ("JWT".into(), "rotated".into()),
            ("JWT_PREVIOUS".into(), "retired".into())
        ]
    );
    let text = out.read(".env");
    let new = value(&text, "JWT").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "# envmint: generated=2026-02-01T00:00:00Z",
            &format!("JWT={new}"),
            "# envmint: previous-of=JWT retired=2026-02-01T00:00:00Z expires=2026-02-08T00:00:00Z",
            "JWT_PREVIOUS=first",
            "OTHER=1",
        ]
    );

    // Inside the window nothing changes; at its end the previous value goes.
    let out = out
        .then()
        .args(["rotate", "--at", "2026-02-07T23:00:00Z", "--json"])
        .status(0);
    assert_eq!(actions(&out), []);
    let out = out
        .then()
        .args(["rotate", "--at", "2026-02-08", "--json"])
        .status(0);
    assert_eq!(
        actions(&out),
        [("JWT_PREVIOUS".into(), "expired-removed".into())]
    );
    assert_eq!(
        out.read(".env"),
        format!("# envmint: generated=2026-02-01T00:00:00Z\nJWT={new}\nOTHER=1\n")
    );
}

/// Rotates `key` at each of `days` (`2026-01-DD`) and returns the file after each.
fn rotate_on(mut out: Output, key: &str, days: &[u32]) -> (Output, Vec<String>) {
    let mut texts = Vec::new();
    for day in days {
        out = out
            .then()
            .args(["rotate", "--key", key, "--at", &format!("2026-01-{day:02}")])
            .status(0);
        texts.push(out.read(".env"));
    }
    (out, texts)
}

/// The generic numbered form: `_1` is the newest retired value. It is not what Auth.js reads
/// (it tries `AUTH_SECRET_3`, `_2`, `_1` first and encrypts with the first it finds), so the
/// nextjs preset uses `slots` instead (`tests/cli/frameworks.rs` proves it with @auth/core).
#[test]
fn numbered_previous_values_shift_and_keep_the_newest_n() {
    let secrets = format!(
        "[secrets.SIGNING_KEY]\n{HEX}overlap = \"30d\"\n\
         previous = {{ numbered = \"SIGNING_KEY_{{n}}\", keep = 2 }}\n"
    );
    let start = Test::new()
        .write("envmint.toml", manifest(&secrets))
        .write(
            ".env",
            format!("# envmint: generated={T0}\nSIGNING_KEY=v0\n# tail\n"),
        )
        .args(["gen"])
        .status(0);
    let (out, texts) = rotate_on(start, "SIGNING_KEY", &[2, 3, 4]);
    let v = |t: &str, k: &str| value(t, k).unwrap();
    // After the first: _1 is v0.
    assert_eq!(v(&texts[0], "SIGNING_KEY_1"), "v0");
    assert!(value(&texts[0], "SIGNING_KEY_2").is_none());
    let v1 = v(&texts[0], "SIGNING_KEY");
    // After the second: _1 the value of day 2, _2 v0.
    assert_eq!(v(&texts[1], "SIGNING_KEY_1"), v1);
    assert_eq!(v(&texts[1], "SIGNING_KEY_2"), "v0");
    let v2 = v(&texts[1], "SIGNING_KEY");
    // After the third: v0 is pushed out; at most 2 kept, newest first.
    let last = &texts[2];
    assert_eq!(v(last, "SIGNING_KEY_1"), v2);
    assert_eq!(v(last, "SIGNING_KEY_2"), v1);
    assert!(!last.contains("v0"));
    let lines: Vec<&str> = last.lines().collect();
    assert_eq!(lines[0], "# envmint: generated=2026-01-04T00:00:00Z");
    assert_eq!(
        lines[2],
        "# envmint: previous-of=SIGNING_KEY retired=2026-01-04T00:00:00Z \
         expires=2026-02-03T00:00:00Z"
    );
    assert!(lines[3].starts_with("SIGNING_KEY_1="));
    assert_eq!(
        lines[4],
        "# envmint: previous-of=SIGNING_KEY retired=2026-01-03T00:00:00Z \
         expires=2026-02-02T00:00:00Z"
    );
    assert!(lines[5].starts_with("SIGNING_KEY_2="));
    assert_eq!(lines[6], "# tail");
    // On 2026-02-02 _2 expires, on 02-03 _1: the slots close up, then go.
    let out = out
        .then()
        .args(["rotate", "--at", "2026-02-02", "--json"])
        .status(0);
    assert_eq!(
        actions(&out),
        [("SIGNING_KEY_2".into(), "expired-removed".into())]
    );
    assert_eq!(v(&out.read(".env"), "SIGNING_KEY_1"), v2);
    let out = out
        .then()
        .args(["rotate", "--at", "2026-02-03", "--json"])
        .status(0);
    assert_eq!(
        actions(&out),
        [("SIGNING_KEY_1".into(), "expired-removed".into())]
    );
    assert_eq!(
        out.read(".env"),
        format!(
            "# envmint: generated=2026-01-04T00:00:00Z\nSIGNING_KEY={}\n# tail\n",
            v(last, "SIGNING_KEY")
        )
    );
}

#[test]
fn a_list_keeps_the_newest_n_values_newest_first_with_one_time_each() {
    let secrets = format!(
        "[secrets.APP_KEY]\n{HEX}overlap = \"30d\"\n\
         previous = {{ list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 2 }}\n"
    );
    let start = Test::new()
        .write("envmint.toml", manifest(&secrets))
        .write(".env", format!("# envmint: generated={T0}\nAPP_KEY=v0\n"))
        .args(["gen"])
        .status(0);
    let (_, texts) = rotate_on(start, "APP_KEY", &[2, 3, 4]);
    assert_eq!(value(&texts[0], "APP_PREVIOUS_KEYS").unwrap(), "v0");
    let v1 = value(&texts[0], "APP_KEY").unwrap();
    assert_eq!(
        value(&texts[1], "APP_PREVIOUS_KEYS").unwrap(),
        format!("{v1},v0")
    );
    let v2 = value(&texts[1], "APP_KEY").unwrap();
    let last = &texts[2];
    assert_eq!(
        value(last, "APP_PREVIOUS_KEYS").unwrap(),
        format!("{v2},{v1}")
    );
    assert_eq!(
        record(last, "APP_PREVIOUS_KEYS").unwrap(),
        "# envmint: previous-of=APP_KEY retired=2026-01-04T00:00:00Z,2026-01-03T00:00:00Z \
         expires=2026-02-03T00:00:00Z,2026-02-02T00:00:00Z"
    );
    // The list sits right after its key.
    let lines: Vec<&str> = last.lines().collect();
    assert!(lines[1].starts_with("APP_KEY="));
    assert!(lines[3].starts_with("APP_PREVIOUS_KEYS="));
}

#[test]
fn no_overlap_drops_previous_values_at_once_and_retires_nothing() {
    let secrets = format!("[secrets.JWT]\n{HEX}overlap = \"7d\"\n");
    let env = format!(
        "# envmint: generated={T0}\nJWT=leaked\n\
         # envmint: previous-of=JWT retired={T0} expires=2026-01-08T00:00:00Z\nJWT_PREVIOUS=older\n"
    );
    let out = project(&secrets, &env)
        .args([
            "rotate",
            "--key",
            "JWT",
            "--no-overlap",
            "--at",
            "2026-01-02",
            "--json",
        ])
        .status(0);
    assert_eq!(
        actions(&out),
        [
            ("JWT".into(), "rotated".into()),
            ("JWT_PREVIOUS".into(), "dropped".into())
        ]
    );
    let text = out.read(".env");
    assert!(
        !text.contains("leaked") && !text.contains("older"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn an_external_key_is_reported_due_with_the_set_command_and_never_generated() {
    let secrets = format!(
        "[secrets.STRIPE_KEY]\nexternal = true\nrotate_every = \"30d\"\n[secrets.A]\n{HEX}"
    );
    let env = format!(
        "# envmint: set={T0}\nSTRIPE_KEY=sk_live_1\n# envmint: generated=2026-01-30T00:00:00Z\nA=a\n"
    );
    let out = project(&secrets, &env)
        .args(["rotate", "--at", "2026-02-01", "--json"])
        .status(0);
    let c = &json(&out)["environments"][0]["changes"][0];
    assert_eq!(c["key"], "STRIPE_KEY");
    assert_eq!(c["action"], "external-due");
    assert_eq!(c["run"], "envmint set production STRIPE_KEY");
    assert_eq!(out.read(".env"), env);
    let human = out.then().args(["rotate", "--at", "2026-02-01"]).status(0);
    human.stderr_is(str![[r#"
production: .env (1 external due)
  external, due        STRIPE_KEY  (due); run: envmint set production STRIPE_KEY

"#]]);
    assert!(!human.stderr().contains("sk_live"));
}

#[test]
fn fail_a_key_that_is_not_declared_is_named() {
    let secrets = format!("[secrets.A]\n{HEX}");
    let out = project(&secrets, "A=1\n")
        .args(["rotate", "--key", "NOPE"])
        .status(2);
    // Its words, escaped, are fail_an_unknown_key_is_named_escaped_on_one_line's.
    assert_eq!(out.stdout(), "");
    assert_eq!(out.read(".env"), "A=1\n");
    // Named environments: each must declare it.
    let two = "[environments.production]\nfile = \".env\"\n[environments.staging]\n\
               file = \".env.staging\"\n[secrets.A]\nkind = \"hex\"\nbytes = 32\n\
               environments = [\"production\"]\n";
    let out = Test::new()
        .write("envmint.toml", two)
        .write(".env", "A=1\n")
        .write(".env.staging", "B=1\n")
        .args(["rotate", "staging", "production", "--key", "A"])
        .status(2);
    out.stderr_is(str![[r#"
error: --key A: not a secret of environment staging
hint: name a key declared under [secrets] for this environment (see envmint.toml)

"#]]);
    assert_eq!(out.read(".env"), "A=1\n");
    // Unnamed: the environments that declare it rotate it.
    let out = out
        .then()
        .args(["rotate", "--key", "A", "--json"])
        .status(0);
    assert_eq!(actions(&out), [("A".into(), "rotated".into())]);
    assert_eq!(out.read(".env.staging"), "B=1\n");
}

#[test]
fn dry_run_writes_nothing_and_a_missing_store_is_skipped() {
    let secrets = format!("[secrets.A]\n{HEX}");
    let out = project(&secrets, "A=1\n")
        .args(["rotate", "--dry-run"])
        .status(0);
    assert_eq!(out.read(".env"), "A=1\n");
    let out = Test::new()
        .write("envmint.toml", manifest(&secrets))
        .args(["rotate", "--json"])
        .status(0);
    assert_eq!(json(&out)["environments"][0]["exists"], false);
    assert!(!out.exists(".env"));
}

#[test]
fn fail_a_bad_at_is_a_usage_error() {
    let out = project(&format!("[secrets.A]\n{HEX}"), "A=1\n")
        .args(["rotate", "--at", "tomorrow"])
        .status(2);
    // The words are fail_a_bad_at_reads_the_same_in_status_plan_and_rotate's.
    assert_eq!(out.stdout(), "");
    assert_eq!(out.read(".env"), "A=1\n");
}

#[test]
fn a_sealed_environment_is_rotated_in_memory() {
    let (test, public) = common::with_identity();
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n[secrets.JWT]\n{HEX}overlap = \"7d\"\n"
            ),
        )
        .args(["bootstrap", "production"])
        .status(0);
    let out = out.then().args(["get", "production", "JWT"]).status(0);
    let first = out.stdout().trim().to_string();
    let out = out.then().args(["rotate", "--all", "--json"]).status(0);
    assert_eq!(
        actions(&out),
        [
            ("JWT".into(), "rotated".into()),
            ("JWT_PREVIOUS".into(), "retired".into())
        ]
    );
    assert_eq!(
        out.files(),
        [".env.production.age", "envmint.toml", "id.txt"]
    );
    assert!(!String::from_utf8_lossy(&out.bytes(".env.production.age")).contains(&first));
    let prev = out
        .then()
        .args(["get", "production", "JWT_PREVIOUS"])
        .status(0);
    assert_eq!(prev.stdout().trim(), first);
}

#[test]
fn the_summary_reads_as_its_snapshot() {
    let secrets = format!(
        "[secrets.JWT]\n{HEX}rotate_every = \"30d\"\noverlap = \"7d\"\n\
         [secrets.AUTH]\n{HEX}overlap = \"30d\"\n\
         previous = {{ numbered = \"AUTH_{{n}}\", keep = 2 }}\n\
         [secrets.STRIPE_KEY]\nexternal = true\n"
    );
    let env = format!(
        "# envmint: generated={T0}\nJWT=j\n\
         # envmint: generated=2026-01-20T00:00:00Z\nAUTH=a\n\
         # envmint: previous-of=AUTH retired={T0} expires=2026-01-31T00:00:00Z\nAUTH_1=old\n"
    );
    let out = project(&secrets, &env)
        .args(["rotate", "--at", "2026-02-01"])
        .status(0);
    common::assert_stderr_snapshot(&out, "rotate/summary");
    let dry = out
        .then()
        .write(".env", &env)
        .args(["rotate", "--at", "2026-02-01", "--dry-run", "--all"])
        .status(0);
    common::assert_stderr_snapshot(&dry, "rotate/summary_dry_run");
}

#[test]
fn fail_an_undeclared_key_reads_as_its_snapshot() {
    let out = project(&format!("[secrets.A]\n{HEX}"), "A=1\n")
        .args(["rotate", "production", "--key", "NOPE"])
        .status(2);
    assert_eq!(out.stdout(), "");
    common::assert_stderr_snapshot(&out, "rotate/key_not_declared");
}

/// A bad `--at` is refused the same way by status, plan and rotate: exit 2, one line, the text
/// escaped (a script may pass anything) and cut short.
#[test]
fn fail_a_bad_at_reads_the_same_in_status_plan_and_rotate() {
    let at = format!("soon\n{}", "x".repeat(500));
    let mut test = project(&format!("[secrets.A]\n{HEX}"), "A=1\n");
    for command in ["status", "plan", "rotate"] {
        let out = test.args([command, "--at", &at]).status(2);
        out.stderr_is(format!(
            "error: --at soon\\n{}…: not a date or a time\n\
             hint: give an RFC 3339 time, e.g. 2026-11-23T07:00:00Z, or a date, e.g. \
             2026-11-23 (midnight UTC)\n",
            "x".repeat(55)
        ));
        test = out.then();
    }
}

/// A `--key` that is no secret is named on one line, escaped, whether environments were named
/// or not.
#[test]
fn fail_an_unknown_key_is_named_escaped_on_one_line() {
    let out = project(&format!("[secrets.A]\n{HEX}"), "A=1\n")
        .args(["rotate", "--key", "A\nB"])
        .status(2);
    out.stderr_is(str![[r#"
error: --key A\nB: not a secret of any environment
hint: name a key declared under [secrets] in envmint.toml

"#]]);
    let out = out
        .then()
        .args(["plan", "production", "--key", "A\nB"])
        .status(2);
    out.stderr_is(str![[r#"
error: --key A\nB: not a secret of environment production
hint: name a key declared under [secrets] for this environment (see envmint.toml)

"#]]);
}

/// A value holding its list's separator cannot be retired into that list (it would read back
/// as two values): refused (65) naming the key, with the way to rotate without keeping it.
#[test]
fn fail_a_value_holding_its_lists_separator_is_not_retired_into_the_list() {
    let secrets = format!(
        "[secrets.APP_KEY]\n{HEX}overlap = \"30d\"\n\
         previous = {{ list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 2 }}\n"
    );
    let env = format!("# envmint: generated={T0}\nAPP_KEY=set,by,hand\n");
    let out = project(&secrets, &env)
        .args(["rotate", "--key", "APP_KEY", "--at", "2026-01-02"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env: APP_KEY: its value contains the separator of APP_PREVIOUS_KEYS, so it cannot be kept in that list
hint: rotate it without keeping the old value: envmint rotate production --key APP_KEY --no-overlap

"#]]);
    assert_eq!(out.read(".env"), env);
    // As the hint says: without keeping the old value, it rotates.
    let out = out
        .then()
        .args([
            "rotate",
            "--key",
            "APP_KEY",
            "--no-overlap",
            "--at",
            "2026-01-02",
        ])
        .status(0);
    assert!(!out.read(".env").contains("set,by,hand"));
}
