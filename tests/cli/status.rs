//! End-to-end tests of `envmint status`: the table per environment, `--at` forecasts,
//! `--check`, `--json`, external keys, bad records, sealed environments read in memory.

use crate::common;

use common::{Output, Test, assert_stderr_snapshot};
use snapbox::str;
use std::collections::BTreeSet;

const MANIFEST: &str = "[environments.production]\n\
    [environments.staging]\n\
    [secrets.SECRET_KEY]\nkind = \"hex\"\nrotate_every = \"30d\"\n\
    [secrets.JWT]\noverlap = \"7d\"\n\
    [secrets.AUTH_SECRET]\noverlap = \"7d\"\n\
    previous = { numbered = \"AUTH_SECRET_{n}\", keep = 2 }\n\
    [secrets.APP_KEY]\nkind = \"hex\"\noverlap = \"7d\"\n\
    previous = { list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 2 }\n\
    [secrets.STRIPE_KEY]\nexternal = true\n";

const PROD: &str = ".env.production.local";

/// A value that must never be printed.
const VALUE: &str = "s3cr3t-V4lue";

/// Every form, with records written on 2026-01-01 and 2026-01-05.
fn prod_file() -> String {
    format!(
        "# production\n\
         # envmint: generated=2026-01-01T00:00:00Z\nSECRET_KEY={VALUE}1\n\
         # envmint: generated=2026-01-01T00:00:00Z\nJWT={VALUE}2\n\
         # envmint: previous-of=JWT retired=2026-01-01T00:00:00Z expires=2026-01-08T00:00:00Z\n\
         JWT_PREVIOUS={VALUE}3\n\
         # envmint: generated=2026-01-05T00:00:00Z\nAUTH_SECRET={VALUE}4\n\
         # envmint: previous-of=AUTH_SECRET retired=2026-01-05T00:00:00Z expires=2026-01-12T00:00:00Z\n\
         AUTH_SECRET_1={VALUE}5\n\
         # envmint: generated=2026-01-05T00:00:00Z\nAPP_KEY={VALUE}6\n\
         # envmint: previous-of=APP_KEY retired=2026-01-05T00:00:00Z,2026-01-01T00:00:00Z \
         expires=2026-01-12T00:00:00Z,2026-01-08T00:00:00Z\n\
         APP_PREVIOUS_KEYS={VALUE}7,{VALUE}8\n\
         # envmint: set=2026-01-02T00:00:00Z\nSTRIPE_KEY={VALUE}9\n\
         DATABASE_URL={VALUE}0\n"
    )
}

fn project() -> Test {
    Test::new()
        .write("envmint.toml", MANIFEST)
        .write(PROD, prod_file())
        .chmod(PROD, 0o600)
}

#[track_caller]
fn assert_no_value(out: &Output) {
    assert!(
        !out.stdout().contains(VALUE) && !out.stderr().contains(VALUE),
        "a value was printed\n{}",
        out.describe()
    );
}

#[test]
fn the_table_shows_every_state_age_last_rotation_and_next_due() {
    let out = project()
        .args(["status", "production", "--at", "2026-01-07T00:00:00Z"])
        .status(0);
    assert_eq!(
        out.stdout(),
        "production: .env.production.local\n\
         \x20 KEY                STATE        AGE  LAST ROTATION  NEXT\n\
         \x20 SECRET_KEY         ok            6d  2026-01-01     2026-01-31 (due in 24 days)\n\
         \x20 JWT                ok            6d  2026-01-01     2026-04-01 (due in 84 days)\n\
         \x20 JWT_PREVIOUS       previous      6d  2026-01-01     expires 2026-01-08 (in 1 day)\n\
         \x20 AUTH_SECRET        ok            2d  2026-01-05     2026-04-05 (due in 88 days)\n\
         \x20 AUTH_SECRET_1      previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)\n\
         \x20 APP_KEY            ok            2d  2026-01-05     2026-04-05 (due in 88 days)\n\
         \x20 APP_PREVIOUS_KEYS  previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)\n\
         \x20 STRIPE_KEY         ok            5d  2026-01-02     2026-04-02 (due in 85 days)\n\
         \x20 DATABASE_URL       unmanaged      -  -              -\n"
    );
    assert_eq!(out.stderr(), "", "nothing needs attention");
    assert_no_value(&out);
}

#[test]
fn at_forecasts_due_keys_and_expired_previous_values() {
    let out = project()
        .args(["status", "production", "--at", "2026-02-01"])
        .status(0);
    let states: Vec<(&str, &str)> = out
        .stdout()
        .lines()
        .skip(2)
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap(), w.next().unwrap())
        })
        .collect();
    assert_eq!(
        states,
        [
            ("SECRET_KEY", "due"),
            ("JWT", "ok"),
            ("JWT_PREVIOUS", "expired"),
            ("AUTH_SECRET", "ok"),
            ("AUTH_SECRET_1", "expired"),
            ("APP_KEY", "ok"),
            ("APP_PREVIOUS_KEYS", "expired"),
            ("STRIPE_KEY", "ok"),
            ("DATABASE_URL", "unmanaged"),
        ]
    );
    out.stdout_is(str![[r#"
production: .env.production.local
  KEY                STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY         due          31d  2026-01-01     2026-01-31 (overdue by 1 day)
  JWT                ok           31d  2026-01-01     2026-04-01 (due in 59 days)
  JWT_PREVIOUS       expired      31d  2026-01-01     expired 2026-01-08 (24 days ago)
  AUTH_SECRET        ok           27d  2026-01-05     2026-04-05 (due in 63 days)
  AUTH_SECRET_1      expired      27d  2026-01-05     expired 2026-01-12 (20 days ago)
  APP_KEY            ok           27d  2026-01-05     2026-04-05 (due in 63 days)
  APP_PREVIOUS_KEYS  expired      27d  2026-01-05     expired 2026-01-12 (20 days ago)
  STRIPE_KEY         ok           30d  2026-01-02     2026-04-02 (due in 60 days)
  DATABASE_URL       unmanaged      -  -              -

"#]]);
    out.stderr_is(str![[r#"
1 due: `envmint rotate --due` renews due and unknown keys

"#]]);
    // An --at in the past: ages never go negative, a record after it counts as made then,
    // and the clock rule is said.
    let past = out
        .then()
        .args(["status", "production", "--at", "2025-12-31T23:00:00+00:00"])
        .status(0);
    past.stdout_is(str![[r#"
production: .env.production.local
  KEY                STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY         ok            0s  2025-12-31     2026-01-30 (due in 30 days)
  JWT                ok            0s  2025-12-31     2026-03-31 (due in 90 days)
  JWT_PREVIOUS       previous      0s  2025-12-31     expires 2026-01-07 (in 7 days)
  AUTH_SECRET        ok            0s  2025-12-31     2026-03-31 (due in 90 days)
  AUTH_SECRET_1      previous      0s  2025-12-31     expires 2026-01-07 (in 7 days)
  APP_KEY            ok            0s  2025-12-31     2026-03-31 (due in 90 days)
  APP_PREVIOUS_KEYS  previous      0s  2025-12-31     expires 2026-01-07 (in 7 days)
  STRIPE_KEY         ok            0s  2025-12-31     2026-03-31 (due in 90 days)
  DATABASE_URL       unmanaged      -  -              -

"#]]);
    past.stderr_is(str![[r#"
warning: .env.production.local:8: the clock (2025-12-31T23:00:00Z) is behind the record of AUTH_SECRET (generated=2026-01-05T00:00:00Z): a run dated before it would rotate values the apps have just started to use; `envmint rotate` and `envmint apply` refuse this store until the clock is right or the record is
warning: .env.production.local:2: SECRET_KEY: the record says it was made at 2026-01-01T00:00:00Z, in the future; counted as made now
warning: .env.production.local:4: JWT: the record says it was made at 2026-01-01T00:00:00Z, in the future; counted as made now
warning: .env.production.local:6: JWT_PREVIOUS: the record's retired=2026-01-01T00:00:00Z is in the future; counted as 2025-12-31T23:00:00Z
warning: .env.production.local:8: AUTH_SECRET: the record says it was made at 2026-01-05T00:00:00Z, in the future; counted as made now
warning: .env.production.local:10: AUTH_SECRET_1: the record's retired=2026-01-05T00:00:00Z is in the future; counted as 2025-12-31T23:00:00Z
warning: .env.production.local:12: APP_KEY: the record says it was made at 2026-01-05T00:00:00Z, in the future; counted as made now
warning: .env.production.local:14: APP_PREVIOUS_KEYS: the record's retired=2026-01-05T00:00:00Z is in the future; counted as 2025-12-31T23:00:00Z
warning: .env.production.local:16: STRIPE_KEY: the record says it was made at 2026-01-02T00:00:00Z, in the future; counted as made now

"#]]);
}

#[test]
fn check_exits_1_only_when_something_is_due_unknown_or_missing() {
    let at = ["--at", "2026-01-07"];
    let ok = project()
        .args(["status", "production", "--check"])
        .args(at)
        .status(0);
    // Due.
    ok.then()
        .args(["status", "production", "--check", "--at", "2026-01-31"])
        .status(1);
    // Unknown: a key written by hand, without a record.
    let unknown = project()
        .write(
            PROD,
            format!("{}SECRET_KEY_2=x\n", prod_file()).replace(
                "# envmint: generated=2026-01-01T00:00:00Z\nSECRET_KEY=",
                "SECRET_KEY=",
            ),
        )
        .args(["status", "production", "--check"])
        .args(at)
        .status(1);
    unknown.stdout_is(str![[r#"
production: .env.production.local
  KEY                STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY         unknown        ?  -              due now (no record: envmint adopt)
  JWT                ok            6d  2026-01-01     2026-04-01 (due in 84 days)
  JWT_PREVIOUS       previous      6d  2026-01-01     expires 2026-01-08 (in 1 day)
  AUTH_SECRET        ok            2d  2026-01-05     2026-04-05 (due in 88 days)
  AUTH_SECRET_1      previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)
  APP_KEY            ok            2d  2026-01-05     2026-04-05 (due in 88 days)
  APP_PREVIOUS_KEYS  previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)
  STRIPE_KEY         ok            5d  2026-01-02     2026-04-02 (due in 85 days)
  DATABASE_URL       unmanaged      -  -              -
  SECRET_KEY_2       unmanaged      -  -              -

"#]]);
    unknown.stderr_is(str![[r#"
1 unknown: `envmint rotate --due` renews due and unknown keys; `envmint adopt ENV [--at WHEN]` records the age of values without a record instead

"#]]);
    // Missing: staging has no file yet. Without --check the same report exits 0.
    let missing = project()
        .args(["status", "staging", "--check"])
        .args(at)
        .status(1);
    assert_eq!(
        missing.stdout(),
        "staging: .env.staging.local (no file yet)\n\
         \x20 KEY          STATE        AGE  LAST ROTATION  NEXT\n\
         \x20 SECRET_KEY   missing        -  -              envmint bootstrap staging\n\
         \x20 JWT          missing        -  -              envmint bootstrap staging\n\
         \x20 AUTH_SECRET  missing        -  -              envmint bootstrap staging\n\
         \x20 APP_KEY      missing        -  -              envmint bootstrap staging\n\
         \x20 STRIPE_KEY   missing        -  -              envmint set staging STRIPE_KEY\n"
    );
    assert_eq!(
        missing.stderr(),
        "4 missing, 1 external missing: `envmint bootstrap ENV` adds missing ones; \
         `envmint set ENV KEY` gives an external key its value\n"
    );
    let missing = missing
        .then()
        .args(["status", "staging"])
        .args(at)
        .status(0);
    assert!(
        !missing.path(".env.staging.local").exists(),
        "status writes nothing"
    );
    // Expired previous values and unmanaged keys do not fail the check.
    project()
        .args(["status", "production", "--check", "--at", "2026-01-20"])
        .status(0);
}

#[test]
fn json_is_one_array_with_every_field_and_no_value() {
    let out = project()
        .args(["status", "--json", "--at", "2026-01-07"])
        .status(0);
    assert_no_value(&out);
    let json = out.json();
    let rows = json.as_array().expect("an array");
    assert_eq!(rows.len(), 9 + 5, "production's 9 keys, staging's 5");
    let fields: BTreeSet<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "env",
            "file",
            "key",
            "state",
            "line",
            "role",
            "generated_at",
            "due_at",
            "expires_at",
            "previous_of",
            "external",
            "problem",
        ])
    );
    let by_key = |env: &str, key: &str| {
        rows.iter()
            .find(|r| r["env"] == env && r["key"] == key)
            .unwrap_or_else(|| panic!("{env} {key}"))
    };
    let s = by_key("production", "SECRET_KEY");
    assert_eq!(s["state"], "ok");
    assert_eq!(s["file"], PROD);
    assert_eq!(s["line"], 3);
    assert_eq!(s["generated_at"], "2026-01-01T00:00:00Z");
    assert_eq!(s["due_at"], "2026-01-31T00:00:00Z");
    assert!(s["expires_at"].is_null() && s["previous_of"].is_null() && s["problem"].is_null());
    let p = by_key("production", "APP_PREVIOUS_KEYS");
    assert_eq!(p["state"], "previous");
    assert_eq!(p["previous_of"], "APP_KEY");
    // A list shows its latest expiry: it holds a value apps accept until then.
    assert_eq!(p["expires_at"], "2026-01-12T00:00:00Z");
    assert!(p["due_at"].is_null());
    let e = by_key("staging", "STRIPE_KEY");
    assert_eq!(e["state"], "missing");
    assert_eq!(e["external"], true);
    assert!(e["line"].is_null() && e["generated_at"].is_null());
    assert_eq!(by_key("production", "DATABASE_URL")["state"], "unmanaged");
    // --json alone still exits 0; with --check the exit code says it.
    out.then()
        .args(["status", "--json", "--check", "--at", "2026-01-07"])
        .status(1);
}

#[test]
fn an_external_key_is_tracked_after_set_and_names_set_while_missing() {
    let test = Test::new().write("envmint.toml", MANIFEST);
    let out = test.args(["bootstrap", "production"]).status(0);
    // Evaluated at the instant bootstrap recorded, so the age is exactly 0s however long the
    // two runs took (a loaded machine made it 1s).
    let file = out.read(PROD);
    let generated = file
        .lines()
        .zip(file.lines().skip(1))
        .find(|(_, key)| key.starts_with("SECRET_KEY="))
        .and_then(|(record, _)| record.strip_prefix("# envmint: generated="))
        .map(|rest| rest.split_whitespace().next().unwrap().to_string())
        .expect("a generated= record above SECRET_KEY");
    let status = out
        .then()
        .args(["status", "production", "--at", &generated])
        .status(0);
    status.stdout_is(str![[r#"
production: .env.production.local
  KEY          STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY   ok            0s  [..]     [..] (due in 30 days)
  JWT          ok            0s  [..]     [..] (due in 90 days)
  AUTH_SECRET  ok            0s  [..]     [..] (due in 90 days)
  APP_KEY      ok            0s  [..]     [..] (due in 90 days)
  STRIPE_KEY   missing        -  -              envmint set production STRIPE_KEY

"#]]);
    status.stderr_is(str![[r#"
1 external missing: `envmint set ENV KEY` gives an external key its value

"#]]);
    let set = status
        .then()
        .args(["set", "production", "STRIPE_KEY"])
        .stdin(VALUE)
        .status(0);
    let after = set
        .then()
        .args(["status", "production", "--check", "--json"])
        .status(0);
    let json = after.json();
    let stripe = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "STRIPE_KEY")
        .unwrap();
    assert_eq!(stripe["state"], "ok");
    assert_eq!(stripe["external"], true);
    assert!(stripe["generated_at"].is_string());
    assert_no_value(&after);
}

#[test]
fn a_bad_record_makes_its_key_unknown_with_a_warning_naming_its_line() {
    let out = project()
        .write(
            PROD,
            prod_file().replace(
                "# envmint: generated=2026-01-01T00:00:00Z\nJWT=",
                "# envmint: generated=2026-01-01T07:00:00 by=hand\nJWT=",
            ),
        )
        .args(["status", "production", "--at", "2026-01-07"])
        .status(0);
    out.stdout_is(str![[r#"
production: .env.production.local
  KEY                STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY         ok            6d  2026-01-01     2026-01-31 (due in 24 days)
  JWT                unknown        ?  -              due now (its record does not read)
  JWT_PREVIOUS       previous      6d  2026-01-01     expires 2026-01-08 (in 1 day)
  AUTH_SECRET        ok            2d  2026-01-05     2026-04-05 (due in 88 days)
  AUTH_SECRET_1      previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)
  APP_KEY            ok            2d  2026-01-05     2026-04-05 (due in 88 days)
  APP_PREVIOUS_KEYS  previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)
  STRIPE_KEY         ok            5d  2026-01-02     2026-04-02 (due in 85 days)
  DATABASE_URL       unmanaged      -  -              -

"#]]);
    assert_stderr_snapshot(&out, "status/bad_record");
    assert_no_value(&out);
    out.then()
        .args(["status", "production", "--check", "--at", "2026-01-07"])
        .status(1);
}

/// A record dated far ahead (forged, or left by a clock or a `--at` run in the future) and one
/// that gives `generated=` twice would each keep their key from ever falling due if taken at
/// their word. The doubled one makes the key unknown (due). The one in the future counts as
/// made now, with a warning naming its line, and holds the whole store: the clock is behind
/// it, so `status --check` exits 1 and `rotate` refuses the store (exit 65, naming the record,
/// its time and the clock) until the record is fixed; then `rotate --due` renews both.
#[test]
fn a_future_or_doubled_record_does_not_keep_a_key_from_falling_due() {
    let forged = prod_file()
        .replace(
            "# envmint: generated=2026-01-01T00:00:00Z\nJWT=",
            "# envmint: generated=9999-01-01T00:00:00Z\nJWT=",
        )
        .replace(
            "# envmint: generated=2026-01-01T00:00:00Z\nSECRET_KEY=",
            "# envmint: generated=2026-01-01T00:00:00Z generated=2099-01-01T00:00:00Z\nSECRET_KEY=",
        );
    let out = project()
        .write(PROD, &forged)
        .args(["status", "production", "--at", "2026-01-07"])
        .status(0);
    out.stdout_is(str![[r#"
production: .env.production.local
  KEY                STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY         unknown        ?  -              due now (its record does not read)
  JWT                ok            0s  2026-01-07     2026-04-07 (due in 90 days)
  JWT_PREVIOUS       previous      6d  2026-01-01     expires 2026-01-08 (in 1 day)
  AUTH_SECRET        ok            2d  2026-01-05     2026-04-05 (due in 88 days)
  AUTH_SECRET_1      previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)
  APP_KEY            ok            2d  2026-01-05     2026-04-05 (due in 88 days)
  APP_PREVIOUS_KEYS  previous      2d  2026-01-05     expires 2026-01-12 (in 5 days)
  STRIPE_KEY         ok            5d  2026-01-02     2026-04-02 (due in 85 days)
  DATABASE_URL       unmanaged      -  -              -

"#]]);
    out.stderr_is(str![[r#"
warning: .env.production.local:4: the clock (2026-01-07T00:00:00Z) is behind the record of JWT (generated=9999-01-01T00:00:00Z): a run dated before it would rotate values the apps have just started to use; `envmint rotate` and `envmint apply` refuse this store until the clock is right or the record is
warning: .env.production.local:2: SECRET_KEY: bad record: `generated=` is given twice; its age is unknown, so it counts as due now
warning: .env.production.local:4: JWT: the record says it was made at 9999-01-01T00:00:00Z, in the future; counted as made now
1 unknown: `envmint rotate --due` renews due and unknown keys

"#]]);
    assert_no_value(&out);
    let checked = out
        .then()
        .args(["status", "production", "--check", "--at", "2026-01-07"])
        .status(1);
    let refused = checked
        .then()
        .args(["rotate", "production", "--at", "2026-01-07", "--json"])
        .status(65);
    // The refusal's words are rotation_year.rs'
    // (a_store_with_records_ahead_of_the_clock_is_refused_and_the_others_are_rotated).
    assert_eq!(refused.json()["environments"][0]["refused"], true);
    assert_eq!(
        refused.read(PROD),
        forged,
        "a refused run changed the store"
    );
    let fixed = forged.replace("# envmint: generated=9999-01-01T00:00:00Z\nJWT=", "JWT=");
    let rotated = refused
        .then()
        .write(PROD, &fixed)
        .args(["rotate", "production", "--at", "2026-01-07", "--json"])
        .status(0);
    let report: serde_json::Value = serde_json::from_str(rotated.stdout()).unwrap();
    let changed: BTreeSet<&str> = report["environments"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "rotated")
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(changed, BTreeSet::from(["JWT", "SECRET_KEY"]));
    // A record a little ahead (another machine's clock, `rotate --at` tomorrow) still counts.
    let ahead = project()
        .args([
            "status",
            "production",
            "--at",
            "2025-12-31T01:00:00Z",
            "--json",
        ])
        .status(0);
    let rows: serde_json::Value = serde_json::from_str(ahead.stdout()).unwrap();
    assert_eq!(rows[0]["key"], "SECRET_KEY");
    assert_eq!(rows[0]["state"], "ok", "{rows}");
}

#[test]
fn fail_unknown_environment_and_bad_at_are_usage_errors() {
    let out = project().args(["status", "prod"]).status(2);
    // The words are the case files bootstrap/unknown_environment (did you mean) and
    // bootstrap/unknown_environment_in_a_manifest (the manifest's declared names).
    assert_eq!(out.stdout(), "");
    let out = project()
        .args(["status", "--at", "2026-01-07T00:00:00"])
        .status(2);
    assert_stderr_snapshot(&out, "status/bad_at");
    let out = project().args(["status", "--at", "tomorrow"]).status(2);
    out.stderr_is(str![[r#"
error: --at tomorrow: not a date or a time
hint: give an RFC 3339 time, e.g. 2026-11-23T07:00:00Z, or a date, e.g. 2026-11-23 (midnight UTC)

"#]]);
    assert_eq!(out.stdout(), "");
}

#[test]
fn fail_a_manifest_with_a_bad_previous_is_refused_naming_the_line() {
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\n[secrets.APP_KEY]\nkind = \"base64\"\n\
             previous = { list = \"APP_PREVIOUS_KEYS\", separator = \"+\" }\n",
        )
        .args(["status"])
        .status(65);
    assert_stderr_snapshot(&out, "status/separator_in_alphabet");
}

#[test]
fn default_is_every_environment_in_declaration_order() {
    let out = project().args(["status", "--at", "2026-01-07"]).status(0);
    let headers: Vec<&str> = out
        .stdout()
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert_eq!(
        headers,
        [
            "production: .env.production.local",
            "staging: .env.staging.local (no file yet)"
        ]
    );
}

// --- sealed -----------------------------------------------------------------------------------

/// A project whose `production` is sealed to identity `id.txt` (ENVMINT_IDENTITY), no default
/// identity to fall back on.
fn sealed_project() -> Test {
    let (test, public) = common::with_identity();
    test.write(
        "envmint.toml",
        format!(
            "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n\
                 [secrets.SECRET_KEY]\nkind = \"hex\"\n[secrets.STRIPE_KEY]\nexternal = true\n"
        ),
    )
}

#[test]
fn sealed_environments_are_read_in_memory_with_identities() {
    let out = sealed_project()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["bootstrap", "production"])
        .status(0);
    let files = out.files();
    let status = out
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["status", "--json", "--check"])
        .status(1);
    assert_eq!(status.files(), files, "no plaintext written");
    let json = status.json();
    let states: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("SECRET_KEY", "ok"), ("STRIPE_KEY", "missing")]);
    assert_eq!(json[0]["file"], ".env.production.age");
    // -i works as for get; a year later the key is due.
    let later = status
        .then()
        .args(["status", "-i", "id.txt", "--at", "2027-11-23"])
        .status(0);
    later.stdout_is(str![[r#"
production: .env.production.age
  KEY         STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY  due [..]d  [..]     [..] (overdue by [..] days)
  STRIPE_KEY  missing        -  -              envmint set production STRIPE_KEY

"#]]);
    // `set` on the sealed store dates the external key's value: ok from then on.
    let set = later
        .then()
        .args(["set", "production", "STRIPE_KEY", "-i", "id.txt"])
        .stdin(VALUE)
        .status(0);
    let after = set
        .then()
        .args(["status", "-i", "id.txt", "--check", "--json"])
        .status(0);
    assert_eq!(after.json()[1]["state"], "ok");
    assert_no_value(&after);
    // Without an identity the sealed store cannot be read: refused, as get refuses.
    let refused = after
        .then()
        .env("ENVMINT_IDENTITY", "")
        .args(["status"])
        .run();
    assert_eq!(refused.code(), 77, "{}", refused.describe());
    // The words are sealed.rs' (fail_wrong_or_missing_identity_is_77_with_a_hint_and_writes_nothing).
    assert_eq!(refused.stdout(), "");
}

/// A huge age (a record from year 1, or `--at` far ahead) widens the AGE column: every row's
/// LAST ROTATION starts where the header's does.
#[test]
fn a_huge_age_widens_its_column_instead_of_breaking_the_table() {
    let out = project()
        .write(
            PROD,
            prod_file().replace(
                "# envmint: generated=2026-01-01T00:00:00Z\nJWT=",
                "# envmint: generated=0001-01-01T00:00:00Z\nJWT=",
            ),
        )
        .args(["status", "production", "--at", "2026-01-07"])
        .status(0);
    let lines: Vec<&str> = out.stdout().lines().skip(1).collect();
    let column = lines[0].find("LAST ROTATION").unwrap();
    for line in &lines[1..] {
        let date = line[column..].split(' ').next().unwrap();
        assert!(
            date == "-" || date.starts_with("20") || date.starts_with("0001"),
            "{line:?} in\n{}",
            out.stdout()
        );
    }
    out.stdout_is(str![[r#"
production: .env.production.local
  KEY                STATE          AGE  LAST ROTATION  NEXT
  SECRET_KEY         ok              6d  2026-01-01     2026-01-31 (due in 24 days)
  JWT                due        739622d  0001-01-01     0001-04-01 (overdue by 739532 days)
  JWT_PREVIOUS       previous        6d  2026-01-01     expires 2026-01-08 (in 1 day)
  AUTH_SECRET        ok              2d  2026-01-05     2026-04-05 (due in 88 days)
  AUTH_SECRET_1      previous        2d  2026-01-05     expires 2026-01-12 (in 5 days)
  APP_KEY            ok              2d  2026-01-05     2026-04-05 (due in 88 days)
  APP_PREVIOUS_KEYS  previous        2d  2026-01-05     expires 2026-01-12 (in 5 days)
  STRIPE_KEY         ok              5d  2026-01-02     2026-04-02 (due in 85 days)
  DATABASE_URL       unmanaged        -  -              -

"#]]);
}

/// A retired value with no record (one written by hand before envmint) is removed by the next
/// `rotate`, even when its secret is not due: the warning says so, and how to keep it.
#[test]
fn a_retired_value_without_a_record_is_announced_as_removed_by_the_next_rotate() {
    let file = prod_file().replace(
        "# envmint: previous-of=JWT retired=2026-01-01T00:00:00Z expires=2026-01-08T00:00:00Z\n",
        "",
    );
    let out = project()
        .write(PROD, file)
        .args(["status", "production", "--at", "2026-01-07"])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env.production.local:6: JWT_PREVIOUS: no `# envmint: previous-of=` record above it; its expiry is unknown, so the next `envmint rotate` removes it; to keep it a while, put a record above it: `# envmint: previous-of=JWT retired=TIME expires=TIME`
1 unknown: `envmint rotate --due` renews due and unknown keys; `envmint adopt ENV [--at WHEN]` records the age of values without a record instead

"#]]);
    assert_no_value(&out);
    let rotated = out
        .then()
        .args(["rotate", "production", "--at", "2026-01-07", "--json"])
        .status(0);
    let report: serde_json::Value = serde_json::from_str(rotated.stdout()).unwrap();
    let changes = report["environments"][0]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["key"] == "JWT_PREVIOUS" && c["action"] == "expired-removed"),
        "{report}"
    );
    assert!(!changes.iter().any(|c| c["key"] == "JWT"), "{report}");
    assert!(!rotated.read(PROD).contains("JWT_PREVIOUS="));
}

/// The rarer rows of the table: an encryption key due with a full keyring (the summary says to
/// re-encrypt and retire), a key that is never rotated, a keyring's retired value without a
/// record (kept, with a warning), and an environment that holds no key.
#[test]
fn a_full_keyring_a_never_rotated_key_and_an_empty_environment_are_said() {
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \".env\"\n\
             [environments.empty]\nfile = \".env.empty\"\n\
             [secrets.ENC]\nkind = \"hex\"\nrole = \"encryption\"\nrotate_every = \"30d\"\n\
             previous = { list = \"ENC_OLD\", separator = \",\", keep = 2 }\n\
             environments = [\"production\"]\n\
             [secrets.FOREVER]\nkind = \"hex\"\nrotate_every = \"never\"\n\
             environments = [\"production\"]\n\
             [secrets.VAULT]\nkind = \"hex\"\nrole = \"encryption\"\n\
             previous = { list = \"VAULT_OLD\", separator = \",\", keep = 3 }\n\
             environments = [\"production\"]\n",
        )
        .write(
            ".env",
            format!(
                "# envmint: generated=2026-01-01T00:00:00Z\nENC={VALUE}1\n\
                 # envmint: previous-of=ENC retired=2025-12-01T00:00:00Z,2025-11-01T00:00:00Z\n\
                 ENC_OLD={VALUE}2,{VALUE}3\n\
                 # envmint: generated=2026-01-01T00:00:00Z\nFOREVER={VALUE}4\n\
                 # envmint: generated=2026-01-01T00:00:00Z\nVAULT={VALUE}5\nVAULT_OLD={VALUE}6\n"
            ),
        )
        .chmod(".env", 0o600)
        .args(["status", "--at", "2026-03-01"])
        .status(0);
    out.stdout_is(str![[r#"
production: .env
  KEY        STATE        AGE  LAST ROTATION  NEXT
  ENC        due          59d  2026-01-01     2026-01-31 (overdue by 29 days); keyring: 3 keys, full: re-encrypt, then envmint retire production ENC
  ENC_OLD    previous     90d  2025-12-01     kept until envmint retire
  FOREVER    ok           59d  2026-01-01     never (rotate_every = "never")
  VAULT      ok           59d  2026-01-01     2026-04-01 (due in 31 days); keyring: 2 keys
  VAULT_OLD  unknown        ?  -              kept until envmint retire (no record)

empty: .env.empty (no file yet)
  no keys

"#]]);
    out.stderr_is(str![[r#"
warning: .env:9: VAULT_OLD: no `# envmint: previous-of=` record above it; kept: an encryption key's retired keys are never removed by time (envmint retire removes them)
1 unknown, 1 due with a full keyring: `envmint rotate --due` renews due and unknown keys; `envmint adopt ENV [--at WHEN]` records the age of values without a record instead; re-encrypt, then `envmint retire ENV KEY` makes room

"#]]);
    assert_no_value(&out);
}
