//! Roles end to end: what `rotate --due` does with the built-in `web` preset's signing keys,
//! encryption key and credentials, and what `status` and `audit` say about them (issue 14,
//! section 2).

use crate::common;

use common::{Output, Test};
use snapbox::str;
use std::collections::HashMap;

const ENVS: [(&str, &str); 3] = [
    ("development", ".env.development.local"),
    ("staging", ".env.staging.local"),
    ("production", ".env.production.local"),
];

/// The variables of a dotenv file envmint wrote (unquoted values, `# envmint:` records).
fn values(out: &Output, file: &str) -> HashMap<String, String> {
    out.read(file)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').expect("KEY=value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// `days` after today, as `--at` takes it.
fn in_days(days: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
    t.strftime("%Y-%m-%d").to_string()
}

/// `init; bootstrap --all; rotate --due --at <today+100d>` leaves every environment working:
/// the signing keys rotated with their old value kept, the old ENCRYPTION_KEY in its keyring,
/// the passwords unchanged and reported with the command to run once changed at the server.
#[test]
fn the_web_preset_rotates_signing_keeps_encryption_keys_and_reports_credentials() {
    let boot = Test::new().arg("init").status(0).then();
    let boot = boot.args(["bootstrap", "--all"]).status(0);
    let before: Vec<_> = ENVS.iter().map(|(_, f)| values(&boot, f)).collect();
    let at = in_days(100);
    let out = boot.then().args(["rotate", "--due", "--at", &at]).status(0);
    for ((env, file), old) in ENVS.iter().zip(&before) {
        let new = values(&out, file);
        for key in ["SECRET_KEY", "JWT_SECRET_KEY", "SESSION_SECRET"] {
            // Compared, never printed: they are secrets, even in a test.
            assert!(new[key] != old[key], "{env} {key} rotated");
            assert!(
                new[&format!("{key}_PREVIOUS")] == old[key],
                "{env}: the old {key} kept"
            );
        }
        assert!(new["ENCRYPTION_KEY"] != old["ENCRYPTION_KEY"]);
        assert!(
            new.get("ENCRYPTION_KEY_PREVIOUS") == Some(&old["ENCRYPTION_KEY"]),
            "{env}: the old encryption key is in the keyring"
        );
        for key in ["DB_PASSWORD", "REDIS_PASSWORD"] {
            assert!(new[key] == old[key], "{env}: {key} unchanged");
            assert!(!new.contains_key(&format!("{key}_PREVIOUS")));
        }
    }
    // A line saying why, for each key of each environment.
    out.stderr_is(str![[r#"
development: .env.development.local (rotated 4, 2 credentials kept)
  rotated              SECRET_KEY               hex       256 bits (due)
  retired              SECRET_KEY_PREVIOUS      previous value of SECRET_KEY
  rotated              JWT_SECRET_KEY           hex       256 bits (due)
  retired              JWT_SECRET_KEY_PREVIOUS  previous value of JWT_SECRET_KEY
  rotated              SESSION_SECRET           base64    256 bits (due)
  retired              SESSION_SECRET_PREVIOUS  previous value of SESSION_SECRET
  rotated              ENCRYPTION_KEY           base64    256 bits (due)
  retired              ENCRYPTION_KEY_PREVIOUS  previous value of ENCRYPTION_KEY
  credential, kept     DB_PASSWORD              (due); a credential: change it at its service, then run: envmint rotate development --key DB_PASSWORD
  credential, kept     REDIS_PASSWORD           (due); a credential: change it at its service, then run: envmint rotate development --key REDIS_PASSWORD
staging: .env.staging.local (rotated 4, 2 credentials kept)
  rotated              SECRET_KEY               hex       256 bits (due)
  retired              SECRET_KEY_PREVIOUS      previous value of SECRET_KEY
  rotated              JWT_SECRET_KEY           hex       256 bits (due)
  retired              JWT_SECRET_KEY_PREVIOUS  previous value of JWT_SECRET_KEY
  rotated              SESSION_SECRET           base64    256 bits (due)
  retired              SESSION_SECRET_PREVIOUS  previous value of SESSION_SECRET
  rotated              ENCRYPTION_KEY           base64    256 bits (due)
  retired              ENCRYPTION_KEY_PREVIOUS  previous value of ENCRYPTION_KEY
  credential, kept     DB_PASSWORD              (due); a credential: change it at its service, then run: envmint rotate staging --key DB_PASSWORD
  credential, kept     REDIS_PASSWORD           (due); a credential: change it at its service, then run: envmint rotate staging --key REDIS_PASSWORD
production: .env.production.local (rotated 4, 2 credentials kept)
  rotated              SECRET_KEY               hex       256 bits (due)
  retired              SECRET_KEY_PREVIOUS      previous value of SECRET_KEY
  rotated              JWT_SECRET_KEY           hex       256 bits (due)
  retired              JWT_SECRET_KEY_PREVIOUS  previous value of JWT_SECRET_KEY
  rotated              SESSION_SECRET           base64    256 bits (due)
  retired              SESSION_SECRET_PREVIOUS  previous value of SESSION_SECRET
  rotated              ENCRYPTION_KEY           base64    256 bits (due)
  retired              ENCRYPTION_KEY_PREVIOUS  previous value of ENCRYPTION_KEY
  credential, kept     DB_PASSWORD              (due); a credential: change it at its service, then run: envmint rotate production --key DB_PASSWORD
  credential, kept     REDIS_PASSWORD           (due); a credential: change it at its service, then run: envmint rotate production --key REDIS_PASSWORD

"#]]);
    // The keyring record has no expiry; the signing ones do.
    let prod = out.read(".env.production.local");
    let record = |key: &str| {
        let at = prod.find(&format!("\n{key}=")).unwrap();
        prod[..at].lines().last().unwrap().to_string()
    };
    assert!(!record("ENCRYPTION_KEY_PREVIOUS").contains("expires="));
    assert!(record("SECRET_KEY_PREVIOUS").contains(" expires="));

    // The credentials are what status --check and audit point at, with the command.
    let status = out
        .then()
        .args(["status", "production", "--check", "--at", &at])
        .status(1);
    status.stdout_is(str![[r#"
production: .env.production.local
  KEY                      STATE        AGE  LAST ROTATION  NEXT
  SECRET_KEY               ok            0s  [..]     [..] (due in 90 days)
  SECRET_KEY_PREVIOUS      previous      0s  [..]     expires [..] (in 7 days)
  JWT_SECRET_KEY           ok            0s  [..]     [..] (due in 90 days)
  JWT_SECRET_KEY_PREVIOUS  previous      0s  [..]     expires [..] (in 7 days)
  SESSION_SECRET           ok            0s  [..]     [..] (due in 90 days)
  SESSION_SECRET_PREVIOUS  previous      0s  [..]     expires [..] (in 7 days)
  ENCRYPTION_KEY           ok            0s  [..]     [..] (due in 90 days); keyring: 2 keys
  ENCRYPTION_KEY_PREVIOUS  previous      0s  [..]     kept until envmint retire
  DB_PASSWORD              due          99d  [..]     [..] (overdue by 10 days); change it at its service, then: envmint rotate production --key DB_PASSWORD
  REDIS_PASSWORD           due          99d  [..]     [..] (overdue by 10 days); change it at its service, then: envmint rotate production --key REDIS_PASSWORD

"#]]);
    status.stderr_is(str![[r#"
2 credential(s) due: change a credential at its service, then `envmint rotate ENV --key KEY` (--due never changes one)

"#]]);
    let listed = status
        .then()
        .args(["status", "production", "--json", "--at", &at])
        .status(0);
    let json = listed.json();
    let row = |key: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(row("DB_PASSWORD")["role"], "credential");
    assert_eq!(row("DB_PASSWORD")["state"], "due");
    assert_eq!(row("ENCRYPTION_KEY")["keyring"], 2);
    assert_eq!(
        row("ENCRYPTION_KEY_PREVIOUS")["expires_at"],
        serde_json::Value::Null
    );
    assert_eq!(row("SECRET_KEY")["role"], "signing");

    // Changed at the server: --key puts the new one in the file.
    let keyed = listed
        .then()
        .args(["rotate", "production", "--key", "DB_PASSWORD", "--at", &at])
        .status(0);
    let after = values(&keyed, ".env.production.local");
    assert!(after["DB_PASSWORD"] != before[2]["DB_PASSWORD"]);
    assert!(after["REDIS_PASSWORD"] == before[2]["REDIS_PASSWORD"]);
}

/// An encryption key with three retired keys, as rotations leave it.
const KEYRING: &str = "# envmint: generated=2026-01-01T00:00:00Z\nENC=k3\n\
    # envmint: previous-of=ENC retired=2025-01-01T00:00:00Z,2024-01-01T00:00:00Z,2023-01-01T00:00:00Z\n\
    ENC_OLD=k2,k1,k0\nOTHER=x\n";

fn keyring_manifest(extra_env: &str) -> String {
    format!(
        "[environments.production]\nfile = \".env\"\n{extra_env}\
         [secrets.ENC]\nkind = \"hex\"\nrole = \"encryption\"\n\
         previous = {{ list = \"ENC_OLD\", separator = \",\", keep = 3 }}\n"
    )
}

#[test]
fn retire_removes_old_keys_explicitly_with_a_dry_run_and_json() {
    let t = Test::new()
        .write("envmint.toml", keyring_manifest(""))
        .write(".env", KEYRING)
        .chmod(".env", 0o600);
    // Full: rotate --key refuses, naming the key and the command.
    let out = t
        .args(["rotate", "production", "--key", "ENC", "--at", "2030-06-01"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env: ENC: its keyring is full (3 retired keys kept): a new key would push out one that data may still need
hint: re-encrypt the data under the current key, then remove the old keys with: envmint retire production ENC

"#]]);
    assert_eq!(out.read(".env"), KEYRING);
    // --dry-run says what would go and writes nothing.
    let out = out
        .then()
        .args([
            "retire",
            "production",
            "ENC",
            "--older-than",
            "2024-06-01",
            "--dry-run",
        ])
        .status(0);
    out.stderr_is(str![[r#"
production: .env (would retire 2 old values of ENC; its keyring holds 2 keys)
  would drop           ENC_OLD  2 previous values of ENC

"#]]);
    assert_eq!(out.read(".env"), KEYRING);
    let out = out
        .then()
        .args([
            "retire",
            "production",
            "ENC",
            "--older-than",
            "2024-06-01",
            "--json",
        ])
        .status(0);
    let json = out.json();
    assert_eq!(json["removed"], 2);
    assert_eq!(json["keyring"], 2);
    assert_eq!(json["written"], true);
    assert_eq!(json["changes"][0]["action"], "dropped");
    assert!(!out.stdout().contains("k1") && !out.stdout().contains("k0"));
    assert_eq!(
        out.read(".env"),
        "# envmint: generated=2026-01-01T00:00:00Z\nENC=k3\n\
         # envmint: previous-of=ENC retired=2025-01-01T00:00:00Z\nENC_OLD=k2\nOTHER=x\n"
    );
    assert_eq!(out.mode(".env"), 0o600);
    // Room again: the key rotates, and the one it retires joins the keyring.
    let out = out
        .then()
        .args(["rotate", "production", "--key", "ENC", "--at", "2030-06-01"])
        .status(0);
    assert!(out.read(".env").contains("ENC_OLD=k3,k2\n"));
    // Without --older-than every retired key goes; a second run has nothing to do.
    let out = out.then().args(["retire", "production", "ENC"]).status(0);
    assert!(!out.read(".env").contains("ENC_OLD"));
    out.stderr_is(str![[r#"
production: .env (retired 2 old values of ENC; its keyring holds 1 key)
  dropped              ENC_OLD  2 previous values of ENC

"#]]);
    let out = out.then().args(["retire", "production", "ENC"]).status(0);
    out.stderr_is(str![[r#"
production: .env (nothing to retire for ENC)

"#]]);
}

#[test]
fn fail_retire_an_undeclared_key_a_bad_when_or_a_missing_store() {
    let t = Test::new().write("envmint.toml", keyring_manifest(""));
    let out = t.args(["retire", "production", "ENC"]).status(66);
    // The words are the case file retire/no_store_yet.
    assert_eq!(out.stdout(), "");
    let out = out
        .then()
        .write(".env", KEYRING)
        .args(["retire", "production", "NOPE"])
        .status(2);
    out.stderr_is(str![[r#"
error: NOPE: not a secret of environment production
hint: name a key declared under [secrets] for this environment (see envmint.toml), or one whose retired values are still in the store

"#]]);
    let out = out
        .then()
        .args(["retire", "production", "ENC", "--older-than", "soon"])
        .status(2);
    out.stderr_is(str![[r#"
error: --older-than soon: neither a time nor a period
hint: give a date (2027-01-01), an RFC 3339 time, or a period back from now (90d)

"#]]);
    assert_eq!(out.read(".env"), KEYRING);
}

#[test]
fn retire_works_on_a_sealed_store_in_memory() {
    let (test, recipient) = common::with_identity();
    let sealed = format!(
        "[environments.vault]\nsealed = \".env.vault.age\"\nrecipients = [\"{recipient}\"]\n"
    );
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write("envmint.toml", keyring_manifest(&sealed))
        .write(".env.vault.local", KEYRING)
        .args(["seal", "vault", "--remove-plaintext"])
        .status(0);
    let out = out
        .then()
        .args(["retire", "vault", "ENC", "--older-than", "2024-06-01"])
        .status(0);
    assert!(!out.exists(".env.vault.local"), "no plaintext left behind");
    let read = out.then().args(["unseal", "vault", "--stdout"]).status(0);
    assert!(read.stdout().contains("\nENC_OLD=k2\n"));
    assert!(read.stdout().contains("ENC=k3\n"));
}

/// An external secret with an overlap (a webhook signing secret) rolls too: `set` retires the
/// value it replaces under the declared overlap, as a rotation would; an encryption key's old
/// value goes into its keyring. The same value set again retires nothing.
#[test]
fn set_retires_the_old_value_of_an_external_secret_with_an_overlap() {
    let manifest = "[environments.production]\nfile = \".env\"\n\
        [secrets.WEBHOOK_SECRET]\nexternal = true\noverlap = \"7d\"\n\
        [secrets.STRIPE_API_KEY]\nexternal = true\nrole = \"credential\"\n\
        [secrets.ENC]\nkind = \"hex\"\nrole = \"encryption\"\n\
        previous = { list = \"ENC_OLD\", separator = \",\", keep = 3 }\n";
    let text = "# envmint: set=2026-01-01T00:00:00Z\nWEBHOOK_SECRET=whsec_old\n\
        STRIPE_API_KEY=sk_old\nENC=k0\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env", text)
        .chmod(".env", 0o600)
        .args(["set", "production", "WEBHOOK_SECRET"])
        .stdin("whsec_new")
        .status(0);
    out.stderr_is(str![[r#"
production: .env: WEBHOOK_SECRET replaced
  retired              WEBHOOK_SECRET_PREVIOUS  previous value of WEBHOOK_SECRET

"#]]);
    let file = out.read(".env");
    assert!(file.contains("WEBHOOK_SECRET=whsec_new\n"), "{file}");
    let at = file
        .find("\nWEBHOOK_SECRET_PREVIOUS=whsec_old\n")
        .expect("kept");
    let record = file[..at].lines().last().unwrap();
    assert!(
        record.starts_with("# envmint: previous-of=WEBHOOK_SECRET retired=")
            && record.contains(" expires="),
        "{record}"
    );
    // A credential without an overlap is simply replaced; an encryption key keeps the old one.
    let out = out
        .then()
        .args(["set", "production", "STRIPE_API_KEY", "--json"])
        .stdin("sk_new")
        .status(0);
    assert!(!out.stdout().contains("retired"), "{}", out.stdout());
    // --json reports the retirement set made, as rotate --json does (never a value).
    let out = out
        .then()
        .args(["set", "production", "ENC", "--json"])
        .stdin("k1")
        .status(0);
    let json = out.json();
    assert_eq!(json["action"], "replaced");
    assert_eq!(json["retired"][0]["key"], "ENC_OLD");
    assert_eq!(json["retired"][0]["action"], "retired");
    assert_eq!(json["retired"][0]["previous_of"], "ENC");
    assert!(!out.stdout().contains("k0"), "{}", out.stdout());
    let file = out.read(".env");
    assert!(!file.contains("sk_old") && !file.contains("STRIPE_API_KEY_PREVIOUS"));
    assert!(file.contains("\nENC_OLD=k0\n"), "{file}");
    let status = out
        .then()
        .args(["status", "production", "--json"])
        .status(0);
    let json = status.json();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "WEBHOOK_SECRET_PREVIOUS")
        .expect("a row")
        .clone();
    assert_eq!(row["state"], "previous");
    // The same value again: nothing retired.
    let again = status
        .then()
        .args(["set", "production", "WEBHOOK_SECRET"])
        .stdin("whsec_new")
        .status(0);
    assert!(!again.stderr().contains("retired"), "{}", again.stderr());
    again.stderr_is(str![[r#"
production: .env: WEBHOOK_SECRET unchanged

"#]]);
    assert!(
        again
            .read(".env")
            .contains("WEBHOOK_SECRET_PREVIOUS=whsec_old\n")
    );
}

/// The manifest's role settings checked: a role that is no role, an overlap on an encryption
/// key (exit 65, naming the line), and an overlap no `keep` can hold (a warning when the
/// manifest loads, with the `keep` that holds; an audit finding).
#[test]
fn fail_bad_roles_and_warn_an_overlap_no_keep_can_hold() {
    let envs = "[environments.production]\nfile = \".env\"\n";
    let out = Test::new()
        .write(
            "envmint.toml",
            format!("{envs}[secrets.A]\nrole = \"encrypt\"\n"),
        )
        .args(["status"])
        .status(65);
    // The words are the case file rotation/unknown_role_credential.
    assert_eq!(out.stdout(), "");
    let out = out
        .then()
        .write(
            "envmint.toml",
            format!("{envs}[secrets.A]\nrole = \"encryption\"\noverlap = \"7d\"\n"),
        )
        .args(["rotate"])
        .status(65);
    // The words are the case file rotation/overlap_on_the_encryption_key_a.
    assert_eq!(out.stdout(), "");
    let manifest = format!(
        "{envs}[secrets.JWT]\nrotate_every = \"7d\"\noverlap = \"30d\"\n\
         [secrets.SMTP_PASSWORD]\n\
         [secrets.ENC]\nkind = \"hex\"\nrole = \"encryption\"\n\
         previous = {{ list = \"ENC_OLD\", keep = 8 }}\n"
    );
    let out = out
        .then()
        .write("envmint.toml", manifest)
        .write(
            ".env",
            "# envmint: generated=2026-01-01T00:00:00Z\nENC=k4\n\
             # envmint: previous-of=ENC retired=2025-05-01T00:00:00Z,2025-04-01T00:00:00Z,2025-03-01T00:00:00Z,2025-02-01T00:00:00Z\n\
             ENC_OLD=k3,k2,k1,k0\n",
        )
        .chmod(".env", 0o600)
        .args(["status", "--at", "2026-01-02"])
        .status(0);
    // Each warning names the secret's table in the manifest.
    out.stderr_is(str![[r#"
warning: envmint.toml:3: JWT: overlap 30d is longer than rotate_every 7d x keep 1: a rotation inside the window pushes a retired value out before it expires
hint: a numbered or list `previous` with keep = 5 makes it hold, e.g. previous = { list = "JWT_PREVIOUS", separator = ",", keep = 5 }
warning: envmint.toml:6: SMTP_PASSWORD declares no role but is named like a credential: `rotate --due` and `--all` keep it as one (a password changed in the file alone locks the app out of its service); `rotate --key SMTP_PASSWORD` still renews it
hint: declare role = "credential" in [secrets.SMTP_PASSWORD] (or role = "signing" if no other service checks it)
2 missing: `envmint bootstrap ENV` adds missing ones

"#]]);
    let out = out.then().args(["audit", "--json"]).status(1);
    let json = out.json();
    let checks: Vec<(String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["check"].to_string(), f["key"].to_string()))
        .collect();
    for (check, key) in [
        ("overlap-keep", "JWT"),
        ("signing-credential", "SMTP_PASSWORD"),
        ("keyring-size", "ENC"),
    ] {
        assert!(
            checks.contains(&(format!("{check:?}"), format!("{key:?}"))),
            "{check} {key}: {checks:?}"
        );
    }
}

/// The attacker findings on roles changed in the manifest (one line in a pull request):
/// `encryption` -> `signing` must not let `rotate --due` drop the keyring (a retired key whose
/// record has no `expires` goes only by `envmint retire`), and deleting
/// `role = "credential"` from DB_PASSWORD must not rotate the password in the file alone.
#[test]
fn a_role_changed_in_the_manifest_neither_drops_a_keyring_nor_rotates_a_password_alone() {
    let declared = "[environments.production]\nfile = \".env\"\n\
        [secrets.ENCRYPTION_KEY]\nkind = \"hex\"\nbytes = 32\nrole = \"encryption\"\n\
        rotate_every = \"30d\"\n\
        [secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrole = \"credential\"\n\
        rotate_every = \"30d\"\n";
    let out = Test::new()
        .write("envmint.toml", declared)
        .write(
            ".env",
            "# envmint: generated=2026-01-01T00:00:00Z\n\
             ENCRYPTION_KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\
             # envmint: generated=2026-01-01T00:00:00Z\n\
             DB_PASSWORD=Abcdefghijklmnopqrstuvwxyz012345\n",
        )
        .chmod(".env", 0o600)
        .args(["rotate", "--due", "--at", "2026-03-01"])
        .status(0);
    let before = values(&out, ".env");
    assert!(before.contains_key("ENCRYPTION_KEY_PREVIOUS"));
    // The pull request: ENCRYPTION_KEY now signing with a 1-day overlap, DB_PASSWORD's role
    // deleted.
    let changed = declared
        .replace(
            "role = \"encryption\"\n",
            "role = \"signing\"\noverlap = \"1d\"\n",
        )
        .replace("role = \"credential\"\n", "");
    let out = out
        .then()
        .write("envmint.toml", &changed)
        .args(["rotate", "--due", "--at", "2027-01-01"])
        .status(0);
    let after = values(&out, ".env");
    // Compared, never printed.
    assert!(
        after["ENCRYPTION_KEY_PREVIOUS"] == before["ENCRYPTION_KEY_PREVIOUS"],
        "the keyring's key was dropped"
    );
    assert!(after["ENCRYPTION_KEY"] == before["ENCRYPTION_KEY"]);
    assert!(
        after["DB_PASSWORD"] == before["DB_PASSWORD"],
        "the password changed"
    );
    out.stderr_is(str![[r#"
warning: envmint.toml:9: DB_PASSWORD declares no role but is named like a credential: `rotate --due` and `--all` keep it as one (a password changed in the file alone locks the app out of its service); `rotate --key DB_PASSWORD` still renews it
hint: declare role = "credential" in [secrets.DB_PASSWORD] (or role = "signing" if no other service checks it)
warning: .env:2: ENCRYPTION_KEY: its record says role=encryption but the secret's role is now signing; a rotation keeps its old value in a keyring all the same, never removed by time: declare role = "encryption" again, or `envmint retire` the old key once no data needs it
warning: .env:4: ENCRYPTION_KEY_PREVIOUS: its record has no expires= (an encryption key's keyring) but the secret's role is now signing; kept, never removed by time: declare role = "encryption" again, or remove these keys with `envmint retire` once no data needs them
production: .env (1 credential kept, 1 keyring full)
  keyring full, kept   ENCRYPTION_KEY  (due); 1 retired key kept, none may be dropped: re-encrypt, then run: envmint retire production ENCRYPTION_KEY
  credential, kept     DB_PASSWORD     (due); a credential: change it at its service, then run: envmint rotate production --key DB_PASSWORD

"#]]);
    let out = out.then().args(["status", "--at", "2027-01-01"]).status(0);
    out.stderr_is(str![[r#"
warning: envmint.toml:9: DB_PASSWORD declares no role but is named like a credential: `rotate --due` and `--all` keep it as one (a password changed in the file alone locks the app out of its service); `rotate --key DB_PASSWORD` still renews it
hint: declare role = "credential" in [secrets.DB_PASSWORD] (or role = "signing" if no other service checks it)
warning: .env:2: ENCRYPTION_KEY: its record says role=encryption but the secret's role is now signing; a rotation keeps its old value in a keyring all the same, never removed by time: declare role = "encryption" again, or `envmint retire` the old key once no data needs it
warning: .env:4: ENCRYPTION_KEY_PREVIOUS: its record has no expires= (an encryption key's keyring) but the secret's role is now signing; kept, never removed by time: declare role = "encryption" again, or remove these keys with `envmint retire` once no data needs them
2 due: `envmint rotate --due` renews due and unknown keys

"#]]);
    // audit says so too (`keyring-role`), with the fix in its hint.
    let out = out.then().args(["audit", "--json"]).status(1);
    assert!(
        keyring_role_findings(&out) == ["ENCRYPTION_KEY", "ENCRYPTION_KEY_PREVIOUS"],
        "{}",
        out.stdout()
    );
    let out = out.then().arg("audit").status(1);
    out.stdout_is(str![[r#"
== rotation ==
.env:2: error: ENCRYPTION_KEY is overdue for rotation: made [..] ago (2026-03-01T00:00:00Z), due 2026-03-31T00:00:00Z [rotation-overdue]
  hint: envmint rotate production --key ENCRYPTION_KEY (or `envmint rotate --due` for every due key)
.env:2: warning: ENCRYPTION_KEY is recorded as an encryption key (role=encryption) but ENCRYPTION_KEY's role is now signing: a rotation keeps its old value for good all the same, never removed by time [keyring-role]
  hint: if ENCRYPTION_KEY encrypts data, declare role = "encryption" in [secrets.ENCRYPTION_KEY] again; else, once no data needs the old keys, `envmint retire production ENCRYPTION_KEY` removes them
.env:4: warning: ENCRYPTION_KEY_PREVIOUS holds an encryption key's retired keys (its record has no expires=) but ENCRYPTION_KEY's role is now signing: they are kept for good all the same, never removed by time [keyring-role]
  hint: if ENCRYPTION_KEY encrypts data, declare role = "encryption" in [secrets.ENCRYPTION_KEY] again; else, once no data needs the old keys, `envmint retire production ENCRYPTION_KEY` removes them
.env:6: error: DB_PASSWORD is overdue for rotation: made [..] ago (2026-01-01T00:00:00Z), due 2026-01-31T00:00:00Z [rotation-overdue]
  hint: envmint rotate production --key DB_PASSWORD (or `envmint rotate --due` for every due key)

== roles and overlap ==
envmint.toml: warning: DB_PASSWORD is named like a credential and declares no role: `rotate --due` keeps it as a credential (never changed in the file alone), but every other command takes it for a signing key [signing-credential]
  hint: declare role = "credential" in [secrets.DB_PASSWORD] if another service checks it (or role = "encryption" for a data key)

"#]]);
    // --key still renews the password; only retire removes the keyring's key.
    let out = out
        .then()
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--at",
            "2027-01-01",
        ])
        .status(0);
    assert!(values(&out, ".env")["DB_PASSWORD"] != before["DB_PASSWORD"]);
    let out = out
        .then()
        .args(["retire", "production", "ENCRYPTION_KEY"])
        .status(0);
    assert!(!values(&out, ".env").contains_key("ENCRYPTION_KEY_PREVIOUS"));
}

/// A never-rotated encryption key (bootstrapped, no keyring yet) whose role is then changed in
/// the manifest: its first rotation must keep the old key for good (a keyring's record, no
/// `expires`), not give it the new role's overlap and drop it. The store remembers the role:
/// bootstrap, rotate, set and adopt write `role=encryption` on an encryption key's record.
#[test]
fn a_never_rotated_encryption_key_keeps_its_old_value_when_its_role_is_changed() {
    let declared = "[environments.production]\nfile = \".env\"\n\
        [secrets.ENCRYPTION_KEY]\nkind = \"hex\"\nbytes = 32\nrole = \"encryption\"\n\
        rotate_every = \"30d\"\n";
    for role in ["role = \"signing\"\noverlap = \"1d\"\n", ""] {
        let out = Test::new()
            .write("envmint.toml", declared)
            .args(["bootstrap", "production"])
            .status(0);
        assert!(
            out.read(".env")
                .lines()
                .any(|l| l.starts_with("# envmint: generated=") && l.ends_with(" role=encryption")),
            "{:?}",
            out.read(".env")
                .lines()
                .filter(|l| l.starts_with('#'))
                .collect::<Vec<_>>()
        );
        let before = values(&out, ".env");
        let changed = declared.replace("role = \"encryption\"\n", role);
        // Before any rotation: status and audit say the store holds an encryption key.
        let audit = out
            .then()
            .write("envmint.toml", &changed)
            .args(["audit", "--json"])
            .status(1);
        assert!(
            keyring_role_findings(&audit) == ["ENCRYPTION_KEY"],
            "{role}: {}",
            audit.stdout()
        );
        let out = audit
            .then()
            .args(["rotate", "--due", "--at", &in_days(400)])
            .status(0);
        let after = values(&out, ".env");
        // Compared, never printed.
        assert!(
            after["ENCRYPTION_KEY"] != before["ENCRYPTION_KEY"],
            "{role}"
        );
        assert!(
            after.get("ENCRYPTION_KEY_PREVIOUS") == Some(&before["ENCRYPTION_KEY"]),
            "{role}: the old key was not kept"
        );
        let text = out.read(".env");
        assert!(
            text.contains(&format!(
                "# envmint: previous-of=ENCRYPTION_KEY retired={}T00:00:00Z\n\
                     ENCRYPTION_KEY_PREVIOUS=",
                in_days(400)
            )) && text.contains(&format!(
                "# envmint: generated={}T00:00:00Z role=encryption\n",
                in_days(400)
            )),
            "{role}: records {:?}",
            text.lines()
                .filter(|l| l.starts_with('#'))
                .collect::<Vec<_>>()
        );
        // Years later the old key is still there: only `retire` removes it.
        let later = out
            .then()
            .args(["rotate", "--due", "--at", &in_days(4000)])
            .status(0);
        assert!(
            values(&later, ".env").get("ENCRYPTION_KEY_PREVIOUS")
                == Some(&before["ENCRYPTION_KEY"]),
            "{role}: dropped later"
        );
        // `retire` of every old key also clears the record's role=encryption: the next
        // rotation follows the declared role, and audit has nothing more to say about it.
        let retired = later
            .then()
            .args(["retire", "production", "ENCRYPTION_KEY"])
            .status(0);
        let text = retired.read(".env");
        assert!(
            !text.contains("role=encryption") && !text.contains("ENCRYPTION_KEY_PREVIOUS"),
            "{role}: {:?}",
            text.lines()
                .filter(|l| l.starts_with('#'))
                .collect::<Vec<_>>()
        );
        let audit = retired.then().args(["audit", "--json"]).run();
        assert!(
            keyring_role_findings(&audit).is_empty(),
            "{role}: {}",
            audit.stdout()
        );
    }
}

/// The keys of `audit --json`'s `keyring-role` findings.
fn keyring_role_findings(out: &Output) -> Vec<String> {
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "keyring-role")
        .map(|f| f["key"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `retire` also removes a key's retired values left under names it no longer uses, and those
/// of a key the manifest no longer declares (found by their `previous-of` record): a keyring's
/// are never removed by a rotation, so they would otherwise stay for good.
#[test]
fn retire_removes_values_left_behind_by_a_changed_or_removed_secret() {
    let text = format!(
        "{KEYRING}# envmint: previous-of=ENC retired=2024-01-01T00:00:00Z\nENC_PREVIOUS=moved\n\
         # envmint: previous-of=OLD_KEY retired=2024-01-01T00:00:00Z\nOLD_KEY_PREVIOUS=gone\n"
    );
    let out = Test::new()
        .write("envmint.toml", keyring_manifest(""))
        .write(".env", &text)
        .chmod(".env", 0o600)
        .args(["retire", "production", "OLD_KEY", "--json"])
        .status(0);
    assert_eq!(out.json()["changes"][0]["key"], "OLD_KEY_PREVIOUS");
    assert_eq!(out.json()["removed"], 1);
    let file = out.read(".env");
    assert!(!file.contains("OLD_KEY_PREVIOUS"), "{file}");
    let out = out
        .then()
        .args(["retire", "production", "ENC", "--older-than", "2023-01-01"])
        .status(0);
    assert_eq!(out.read(".env"), file, "nothing that old");
    let out = out.then().args(["retire", "production", "ENC"]).status(0);
    let file = out.read(".env");
    assert!(
        !file.contains("ENC_PREVIOUS") && !file.contains("ENC_OLD"),
        "{file}"
    );
}
