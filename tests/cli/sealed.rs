//! Sealed environments end to end: bootstrap, set, get and unset through the sealed store,
//! `seal ENV` / `unseal ENV`, `rekey`, and the refusals (no or wrong identity, bad recipients).
//! The reference `age` CLI checks what envmint writes.

use crate::common;

use common::{Output, Test, envmint, keygen, mtime, skip, temps, tick, words_are};
use snapbox::str;
use std::process::Command;

const SECRETS: &str = "[secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n";

/// A test folder with identity `id.txt`, ENVMINT_IDENTITY pointing at it, no default identity
/// to fall back on, and a manifest whose `production` is sealed to it (`extra` is added to its
/// table).
fn sealed_project(extra: &str) -> (Test, String) {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let (test, public) = keygen(test, "id.txt");
    let test = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("HOME", dir.join("no-home"))
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{public}\"]\n{extra}{SECRETS}"
            ),
        );
    (test, public)
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The plaintext of the sealed file as the reference `age -d -i KEY` reads it; `None`, after
/// [`skip`], without the age CLI.
fn age_decrypt(out: &Output, file: &str, key: &str) -> Option<Result<String, String>> {
    if !have("age") {
        skip("the age CLI is not installed");
        return None;
    }
    let run = Command::new("age")
        .args(["-d", "-i", key, file])
        .current_dir(out.dir())
        .output()
        .expect("run age");
    Some(if run.status.success() {
        Ok(String::from_utf8(run.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&run.stderr).into_owned())
    })
}

#[test]
fn bootstrap_creates_a_sealed_file_that_age_decrypts_and_a_second_run_leaves_it_alone() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.age (created, 1 key, mode 0600)
  added     SECRET_KEY  hex       256 bits

"#]]);
    // No plaintext beside it, no temporary file left.
    assert_eq!(
        out.files(),
        [".env.production.age", "envmint.toml", "id.txt"]
    );
    assert_eq!(out.mode(".env.production.age"), 0o600);
    let raw = out.bytes(".env.production.age");
    assert!(raw.starts_with(b"age-encryption.org/v1\n"));
    assert!(!String::from_utf8_lossy(&raw).contains("SECRET_KEY"));
    if let Some(plain) = age_decrypt(&out, ".env.production.age", "id.txt") {
        let plain = plain.expect("age decrypts what envmint sealed");
        let value = plain
            .lines()
            .find_map(|l| l.strip_prefix("SECRET_KEY="))
            .expect("SECRET_KEY in the plaintext");
        assert_eq!(value.len(), 64);
    }

    // Nothing to add: neither the bytes nor the mtime change (age output differs every time).
    let before = mtime(out.path(".env.production.age"));
    tick();
    let again = out.then().args(["bootstrap", "production"]).status(0);
    again.stderr_is(str![[r#"
using envmint.toml
production: .env.production.age (unchanged, 1 key present)
  kept      SECRET_KEY  hex       256 bits, checked

"#]]);
    assert_eq!(again.bytes(".env.production.age"), raw);
    assert_eq!(mtime(again.path(".env.production.age")), before);
}

#[test]
fn sealed_bootstrap_never_writes_the_plaintext_file() {
    // `file` is under `ro`, which is a plain file: any write there fails (as root too).
    let (test, _) = sealed_project("file = \"ro/.env.production.local\"\n");
    let out = test
        .write("ro", "not a folder")
        .args(["bootstrap", "production"])
        .status(0);
    assert_eq!(out.read("ro"), "not a folder");
    let got = out
        .then()
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    assert_eq!(got.stdout().trim().len(), 64);
    assert!(temps(got.dir()).is_empty());
}

#[test]
fn armored_sealed_file_when_the_manifest_asks() {
    let (test, _) = sealed_project("armor = true\n");
    let out = test.args(["bootstrap", "production"]).status(0);
    assert!(
        out.read(".env.production.age")
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n")
    );
    if let Some(plain) = age_decrypt(&out, ".env.production.age", "id.txt") {
        assert!(plain.unwrap().contains("SECRET_KEY="));
    }
}

#[test]
fn set_get_unset_work_on_a_sealed_environment_in_memory() {
    let (test, _) = sealed_project("");
    let out = test
        .args(["set", "production", "STRIPE_KEY"])
        .stdin("sk_live_abc\n")
        .status(0);
    out.stderr_is(str![[r#"
production: .env.production.age: STRIPE_KEY added

"#]]);
    assert_eq!(
        out.files(),
        [".env.production.age", "envmint.toml", "id.txt"]
    );
    assert!(!String::from_utf8_lossy(&out.bytes(".env.production.age")).contains("sk_live"));
    let got = out
        .then()
        .args(["get", "production", "STRIPE_KEY"])
        .status(0);
    assert_eq!(got.stdout(), "sk_live_abc\n");
    if let Some(plain) = age_decrypt(&got, ".env.production.age", "id.txt") {
        assert!(plain.unwrap().ends_with("\nSTRIPE_KEY=sk_live_abc\n"));
    }
    let gone = got
        .then()
        .args(["unset", "production", "STRIPE_KEY"])
        .status(0);
    let missing = gone.then().args(["get", "production", "STRIPE_KEY"]).run();
    assert_ne!(missing.code(), 0);
    assert_eq!(missing.stdout(), "");
}

#[test]
fn seal_env_and_unseal_env_round_trip() {
    let (test, public) = sealed_project("");
    let out = test
        .write(".env.production.local", "# prod\nA=1\nB='two words'\n")
        .args(["seal", "production"])
        .status(0);
    out.stderr_is(str![[r#"
production: .env.production.local sealed into .env.production.age (1 recipient)

"#]]);
    let sealed = out.bytes(".env.production.age");
    // Sealing the same plaintext again leaves the sealed bytes alone.
    let again = out.then().args(["seal", "production"]).status(0);
    again.stderr_is(str![[r#"
production: .env.production.age unchanged (already holds .env.production.local)

"#]]);
    assert_eq!(again.bytes(".env.production.age"), sealed);

    // --remove-plaintext, then unseal it back: byte for byte, 0600.
    let removed = again
        .then()
        .args(["seal", "production", "--remove-plaintext"])
        .status(0);
    assert!(!removed.exists(".env.production.local"));
    let stdout = removed
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert_eq!(stdout.stdout(), "# prod\nA=1\nB='two words'\n");
    assert!(!stdout.exists(".env.production.local"));
    // `--manifest` before the command works for `unseal ENV` as for every command that reads
    // one (it was refused as if this were `unseal FILE`).
    let leading = stdout
        .then()
        .args([
            "--manifest",
            "envmint.toml",
            "unseal",
            "production",
            "--stdout",
        ])
        .status(0);
    assert_eq!(leading.stdout(), "# prod\nA=1\nB='two words'\n");
    let back = leading.then().args(["unseal", "production"]).status(0);
    // The plaintext starts with the line that remembers what was unsealed.
    let unsealed = envmint::seal::unsealed::with_line("# prod\nA=1\nB='two words'\n");
    assert_eq!(back.read(".env.production.local"), unsealed.as_str());
    assert_eq!(back.mode(".env.production.local"), 0o600);
    let to = back
        .then()
        .args(["unseal", "production", "-o", "copy.env"])
        .status(0);
    assert_eq!(to.read("copy.env"), unsealed.as_str());

    // A file named like an environment is a file when named as a path (`./production`; the
    // bare name is the environment, see tests/cli/trust.rs), like age -d.
    // It shows the whole payload, as `age -d` does: the recipient pin on top.
    let file_mode = to
        .then()
        .write("production", sealed)
        .args(["unseal", "-i", "id.txt", "./production"])
        .status(0);
    assert_eq!(
        file_mode.stdout(),
        format!("# envmint: sealed-to {public}\n# prod\nA=1\nB='two words'\n")
    );
}

#[test]
fn rekey_adds_and_removes_recipients() {
    let (test, first) = sealed_project("recipients_file = \"keys/production.txt\"\n");
    let (test, second) = keygen(test, "id2.txt");
    let out = test
        .write("keys/production.txt", format!("# ops\n{first}\n"))
        .args(["bootstrap", "production"])
        .status(0);
    let cant = out
        .then()
        .env("ENVMINT_IDENTITY", "id2.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(77);
    let before = cant.bytes(".env.production.age");
    let got = cant
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    let value = got.stdout().to_string();

    // Added in the recipients file: --dry-run says so and writes nothing; rekey lets it in.
    let dry = got
        .then()
        .write("keys/production.txt", format!("# ops\n{first}\n{second}\n"))
        .args(["rekey", "--all", "--dry-run"])
        .status(0);
    let short = |key: &str| format!("{}…{}", &key[..12], &key[key.len() - 6..]);
    let change = format!(
        "production: .env.production.age would be re-encrypted to 2 recipients: adds {}\n",
        short(&second)
    );
    assert_eq!(dry.stderr(), change);
    assert_eq!(dry.bytes(".env.production.age"), before);
    // Without a terminal, a change of recipients needs --yes.
    let unasked = dry.then().args(["rekey", "production"]).status(2);
    assert_eq!(
        unasked.stderr(),
        format!(
            "{}error: refusing to change who can decrypt the store without --yes (no terminal to \
             ask)\n\
             hint: check the recipients above (a pull request may have added one), then run \
             `envmint rekey ... --yes`\n",
            change.replace("would be", "to be")
        )
    );
    assert_eq!(unasked.bytes(".env.production.age"), before);
    let rekeyed = unasked
        .then()
        .args(["rekey", "production", "--yes"])
        .status(0);
    assert_eq!(
        rekeyed.stderr(),
        format!(
            "{}production: .env.production.age re-encrypted to 2 recipients and pinned\n",
            change.replace("would be", "to be")
        )
    );
    let now = rekeyed
        .then()
        .env("ENVMINT_IDENTITY", "id2.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    assert_eq!(now.stdout(), value);
    if let Some(plain) = age_decrypt(&now, ".env.production.age", "id2.txt") {
        assert!(plain.unwrap().contains(value.trim()));
    }

    // The first key removed (from the manifest and the file): it no longer opens the file.
    let manifest = now
        .read("envmint.toml")
        .replace(&format!("recipients = [\"{first}\"]\n"), "");
    let removed = now
        .then()
        .write("envmint.toml", manifest)
        .write("keys/production.txt", format!("{second}\n"))
        .env("ENVMINT_IDENTITY", "id2.txt")
        .args(["rekey", "production", "--yes"])
        .status(0);
    assert_eq!(
        removed.stderr(),
        format!(
            "production: .env.production.age to be re-encrypted to 1 recipient: removes {}\n\
             production: .env.production.age re-encrypted to 1 recipient and pinned\n",
            short(&first)
        )
    );
    let refused = removed
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(77);
    assert_eq!(refused.stdout(), "");
    if let Some(plain) = age_decrypt(&refused, ".env.production.age", "id.txt") {
        assert!(plain.is_err());
    }
}

/// On a terminal, rekey asks before changing who can decrypt the store: "n" writes nothing; a
/// store changed by another rekey while the question was open is not written over (the
/// question was about what it held before).
#[test]
fn rekey_asks_on_a_terminal_and_writes_nothing_the_answer_did_not_see() {
    if !have("expect") {
        return skip("expect is not installed (apt-get install expect)");
    }
    let (test, first) = sealed_project("");
    let (test, second) = keygen(test, "id2.txt");
    let out = test.args(["bootstrap", "production"]).status(0);
    let before = out.bytes(".env.production.age");
    let manifest = out.read("envmint.toml").replace(
        &format!("recipients = [\"{first}\"]"),
        &format!("recipients = [\"{first}\", \"{second}\"]"),
    );
    let script = format!(
        r#"
set timeout 60
spawn {bin} rekey production
expect "these recipients? "
send "n\r"
expect eof
catch wait result
if {{[lindex $result 3] != 1}} {{ exit 10 }}
spawn {bin} rekey production
expect "these recipients? "
exec {bin} rekey production --yes 2>@1
send "y\r"
expect eof
catch wait result
if {{[lindex $result 3] != 2}} {{ exit 11 }}
exit 0
"#,
        bin = common::BIN
    );
    let asked = out
        .then()
        .write("envmint.toml", manifest)
        .program("expect")
        .args(["-c", &script])
        .status(0);
    let short = format!("{}…{}", &second[..12], &second[second.len() - 6..]);
    words_are(
        asked.stdout(),
        asked.dir(),
        &[("[BIN]", common::BIN), ("[SECOND]", &short)],
        str![[r#"
spawn [BIN] rekey production
production: .env.production.age to be re-encrypted to 2 recipients: adds [SECOND]
Re-encrypt to these recipients? [y/N] n
rekey: nothing written
spawn [BIN] rekey production
production: .env.production.age to be re-encrypted to 2 recipients: adds [SECOND]
Re-encrypt to these recipients? [y/N] y
error: production: the store changed while rekey was asking; nothing written
hint: run `envmint rekey` again to see the change

"#]],
    );
    // The rekey run meanwhile (`exec`, --yes: its words are not in the transcript) wrote the
    // store; the asking one wrote nothing over it.
    assert_ne!(asked.bytes(".env.production.age"), before);
}

/// A pin made by hand whose line is no recipient: rekey shows it and writes the pin again;
/// until then a write to the store is refused (65), naming the line.
#[test]
fn a_pin_line_that_is_not_a_recipient_is_refused_until_rekey() {
    let (test, first) = sealed_project("");
    let out = test
        .write(
            "plain.env",
            format!("# envmint: sealed-to {first}\n# envmint: sealed-to not-a-key\nSECRET_KEY=0\n"),
        )
        .args([
            "seal",
            "-r",
            &first,
            "-o",
            ".env.production.age",
            "plain.env",
        ])
        .status(0);
    let dry = out
        .then()
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    let short = format!("{}…{}", &first[..12], &first[first.len() - 6..]);
    words_are(
        dry.stderr(),
        dry.dir(),
        &[("[FIRST]", &short)],
        str![[r#"
production: .env.production.age would be re-encrypted to 1 recipient: its pin does not parse (line 2); pins [FIRST]

"#]],
    );
    let store = dry.bytes(".env.production.age");
    let refused = dry
        .then()
        .stdin("1\n")
        .args(["set", "production", "ADDED"])
        .status(65);
    refused.stderr_is(str![[r#"
error: .env.production.age: line 2 of the store's recipient pin (`# envmint: sealed-to`) is not a recipient
hint: `envmint rekey ENV` writes the pin again from the manifest's recipients

"#]]);
    assert_eq!(refused.bytes(".env.production.age"), store);
    let rekeyed = refused
        .then()
        .args(["rekey", "production", "--yes"])
        .status(0);
    rekeyed
        .then()
        .stdin("1\n")
        .args(["set", "production", "ADDED"])
        .status(0);
}

/// The leading `--manifest` form reaches rekey as it reaches every other command that reads a
/// manifest (it used to be accepted and ignored).
#[test]
fn rekey_takes_the_leading_manifest_flag() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let moved = out
        .then()
        // A repository root here stops the manifest search: only the flag can name it.
        .write("sub/.git/HEAD", "")
        .cwd("sub")
        .env("ENVMINT_IDENTITY", "../id.txt")
        .args([
            "--manifest",
            "../envmint.toml",
            "rekey",
            "--all",
            "--dry-run",
        ])
        .status(0);
    moved.stderr_is(str![[r#"
production: ../.env.production.age would be re-encrypted to 1 recipient: the recipients pinned in it, unchanged (a new file key)

"#]]);
}

#[test]
fn fail_wrong_or_missing_identity_is_77_with_a_hint_and_writes_nothing() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let before = out.bytes(".env.production.age");
    let stamp = mtime(out.path(".env.production.age"));
    let (test, other) = keygen(out.then(), "other.txt");
    // A new secret to add, and a key that does not open the file.
    let text = std::fs::read_to_string(test.dir().join("envmint.toml")).unwrap();
    let wrong = test
        .write(
            "envmint.toml",
            format!("{text}[secrets.NEW_KEY]\nkind = \"hex\"\n"),
        )
        .env("ENVMINT_IDENTITY", "other.txt")
        .args(["bootstrap", "production"])
        .status(77);
    assert_eq!(
        wrong.stderr(),
        format!(
            "error: .env.production.age: no identity matches any recipient of the file\n\
             hint: the file is sealed to 1 recipient of type X25519; tried {other}\n"
        )
    );
    assert_eq!(wrong.bytes(".env.production.age"), before);
    assert_eq!(mtime(wrong.path(".env.production.age")), stamp);

    // No identity anywhere (ENVMINT_IDENTITY empty counts as unset; no default file).
    let none = wrong
        .then()
        .env("ENVMINT_IDENTITY", "")
        .args(["set", "production", "A"])
        .stdin("1")
        .status(77);
    none.stderr_is(str![[r#"
error: .env.production.age: no identity to decrypt it with
hint: pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: -i, ENVMINT_IDENTITY, ENVMINT_AGE_KEY, [DIR]/no-config/envmint/identity.txt

"#]]);
    assert_eq!(none.bytes(".env.production.age"), before);
}

#[test]
fn fail_bad_recipients_name_the_line() {
    let out = envmint(["bootstrap", "production"])
        .write(
            "envmint.toml",
            "[environments.production]\nsealed = \"p.age\"\nrecipients = [\"age1nope\"]\n",
        )
        .status(65);
    // The words are the case file sealed/bad_recipient_not_a_valid_age_recipient_invalid_bech32.
    assert_eq!(out.stdout(), "");
    assert!(!out.exists("p.age"));

    let out = envmint(["bootstrap", "production"])
        .write(
            "envmint.toml",
            "[environments.production]\nsealed = \"p.age\"\nrecipients_file = \"keys.txt\"\n",
        )
        .write("keys.txt", "# team\n\nssh-ed25519 AAAAnope\n")
        .status(65);
    out.stderr_is(str![[r#"
error: keys.txt:3: not a valid SSH public key

"#]]);
    assert!(!out.exists("p.age"));

    let out = envmint(["bootstrap", "production"])
        .write(
            "envmint.toml",
            "[environments.production]\nsealed = \"p.age\"\n",
        )
        .status(65);
    // The words are the case file sealed/sealed_environment_production_has_no_recipients.
    assert_eq!(out.stdout(), "");
}

#[test]
fn fail_seal_and_rekey_refuse_plain_environments() {
    // The words are the case file seal/environment_not_sealed.
    let out = envmint(["seal", "development"]).status(2);
    assert_eq!(out.stdout(), "");
    let out = envmint(["rekey", "--all"]).status(2);
    out.stderr_is(str![[r#"
error: no environment of the manifest is sealed
hint: declare sealed = ".env.NAME.age" and recipients in [environments.NAME]

"#]]);
    let out = envmint(["unseal", "production"]).status(2);
    out.stderr_is(str![[r#"
error: environment `production` is not sealed: `envmint unseal` works on sealed environments
hint: add sealed = ".env.production.age" and recipients = ["age1..."] to [environments.production]

"#]]);
}

#[test]
fn edit_works_on_a_sealed_environment_through_a_private_plaintext_copy() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let runtime = out.path("runtime");
    std::fs::create_dir_all(&runtime).unwrap();
    // By design the editor gets a plaintext copy: 0600, in a private folder under
    // XDG_RUNTIME_DIR, removed afterwards; the sealed file is written encrypted.
    let edited = out
        .then()
        .write(
            "editor.sh",
            "#!/bin/sh\nstat -c '%a' \"$1\" > \"$RECORD\"\necho API_KEY=from-editor >> \"$1\"\n",
        )
        .env("RECORD", runtime.parent().unwrap().join("record"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("EDITOR", "sh ./editor.sh")
        .env("VISUAL", "")
        .args(["edit", "production"])
        .status(0);
    edited.stderr_is(str![[r#"
production: .env.production.age: edited (added API_KEY)

"#]]);
    assert_eq!(edited.read("record"), "600\n");
    assert_eq!(std::fs::read_dir(&runtime).unwrap().count(), 0);
    assert!(!String::from_utf8_lossy(&edited.bytes(".env.production.age")).contains("API_KEY"));
    let got = edited
        .then()
        .args(["get", "production", "API_KEY"])
        .status(0);
    assert_eq!(got.stdout(), "from-editor\n");
}

#[test]
fn fail_environment_mode_misuse_is_refused_before_anything_is_written() {
    let (test, _) = sealed_project("");
    let out = test
        .write(".env.production.local", "A=1\n")
        .args(["seal", "production", "-o", "x.age"])
        .status(2);
    // Its words are asserted whole by tests/cli/cmd/seal/environment_with_o.toml.
    assert!(
        out.stderr().starts_with("error: -o and -a do not apply"),
        "{}",
        out.describe()
    );
    assert!(!out.exists("x.age") && !out.exists(".env.production.age"));
    let missing = out.then().args(["unseal", "production"]).status(66);
    missing.stderr_is(str![[r#"
error: .env.production.age: sealed file not found
hint: `envmint bootstrap production` creates it; `envmint seal production` seals .env.production.local

"#]]);
    let no_plain = missing
        .then()
        .args(["seal", "production", "--remove-plaintext"])
        .write(".env.production.local", "A=1\n");
    std::fs::remove_file(no_plain.path(".env.production.local")).unwrap();
    let no_plain = no_plain.status(66);
    no_plain.stderr_is(str![[r#"
error: .env.production.local: plaintext file not found
hint: `envmint seal production` encrypts .env.production.local; `envmint unseal production` writes it from the sealed file

"#]]);
    assert!(!no_plain.exists(".env.production.age"));
}

#[test]
fn dash_i_comes_before_envmint_identity_for_sealed_environments() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let (test, _) = keygen(out.then(), "other.txt");
    let wrong = test
        .env("ENVMINT_IDENTITY", "other.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(77);
    let right = wrong
        .then()
        .args(["get", "-i", "id.txt", "production", "SECRET_KEY"])
        .status(0);
    assert_eq!(right.stdout().trim().len(), 64);
    right
        .then()
        .args(["bootstrap", "--identity", "id.txt", "production"])
        .status(0);
}

#[test]
fn fail_a_secret_key_in_a_recipients_file_is_never_echoed_in_any_case_or_position() {
    let key = "AGE-SECRET-KEY-1NYRKEWDYQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQSZZZZZ";
    let lower = key.to_ascii_lowercase();
    for line in [
        key.to_string(),
        lower.clone(),
        format!("key: {key}"),
        format!("\"{key}\""),
        format!("x{lower}"),
    ] {
        let out = envmint(["bootstrap", "production"])
            .write(
                "envmint.toml",
                "[environments.production]\nsealed = \"p.age\"\nrecipients_file = \"keys.txt\"\n",
            )
            .write("keys.txt", format!("# team\n{line}\r\n"))
            .status(65);
        out.stderr_is(str![[r#"
error: keys.txt:2: this is a secret key (AGE-SECRET-KEY-...), not a recipient; `envmint keygen -y FILE` prints its recipient

"#]]);
        let all = format!("{}{}", out.stdout(), out.stderr()).to_ascii_uppercase();
        assert!(!all.contains("NYRKEW"), "{line}: {all}");
        assert!(!out.exists("p.age"));
    }
}

// ---------------------------------------------------------------------------------------------
// Lost updates between the plaintext and the store (issue 15)

#[test]
fn seal_refuses_to_drop_values_added_to_the_store_after_the_unseal() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let out = out.then().args(["unseal", "production"]).status(0);
    // The store gains a value; the plaintext, unsealed before, does not have it.
    let out = out
        .then()
        .stdin("from-the-store\n")
        .args(["set", "production", "ADDED"])
        .status(0);
    let store = out.bytes(".env.production.age");
    let out = out.then().args(["seal", "production"]).status(73);
    out.stderr_is(str![[r#"
error: .env.production.age: it changed since .env.production.local was unsealed: sealing .env.production.local would drop those changes
hint: see what .env.production.age holds with `envmint unseal production -o OTHER.env` and merge it into .env.production.local; then `envmint seal production --force` replaces the store with .env.production.local

"#]]);
    assert_eq!(out.bytes(".env.production.age"), store);
    // Unsealed again (the plaintext was not edited: no refusal), edited, sealed: all kept.
    let out = out.then().args(["unseal", "production"]).status(0);
    let text = out.read(".env.production.local") + "MINE=from-the-file\n";
    let out = out
        .then()
        .write(".env.production.local", text)
        .args(["seal", "production"])
        .status(0);
    let got = out
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert!(
        got.stdout().contains("ADDED=from-the-store"),
        "{}",
        got.stdout()
    );
    assert!(
        got.stdout().contains("MINE=from-the-file"),
        "{}",
        got.stdout()
    );
    assert!(
        !got.stdout().contains("envmint-unsealed"),
        "{}",
        got.stdout()
    );
    // The plaintext now remembers what was sealed: editing and sealing again just works.
    let text = got.read(".env.production.local") + "MORE=1\n";
    let again = got
        .then()
        .write(".env.production.local", text)
        .args(["seal", "production"])
        .status(0);
    // --force drops what the store gained.
    let again = again
        .then()
        .stdin("x\n")
        .args(["set", "production", "LOST"])
        .status(0);
    let forced = again
        .then()
        .args(["seal", "production", "--force"])
        .status(0);
    let got = forced
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert!(!got.stdout().contains("LOST="), "{}", got.stdout());
}

/// A plaintext file unseal did not write, whose values differ from the store's, is not sealed
/// over the store: its values may be older than the store's, or another environment's.
#[test]
fn seal_refuses_a_plaintext_file_unseal_did_not_write() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let store = out.bytes(".env.production.age");
    let out = out
        .then()
        .write(".env.production.local", "HANDMADE=1\n")
        .chmod(".env.production.local", 0o600)
        .args(["seal", "production"])
        .status(73);
    out.stderr_is(str![[r#"
error: .env.production.age: it holds other values than .env.production.local, which was not written by `envmint unseal`: sealing would replace them
hint: see what .env.production.age holds with `envmint unseal production -o OTHER.env` and merge it into .env.production.local; then `envmint seal production --force` replaces the store with .env.production.local

"#]]);
    assert_eq!(out.bytes(".env.production.age"), store);
    // Merged, then sealed with --force as the hint says (sealing again without it was refused
    // again: the hint said "then seal again").
    let merged = out.read(".env.production.local") + "SECRET_KEY=merged\n";
    let again = out
        .then()
        .write(".env.production.local", &merged)
        .args(["seal", "production", "--force"])
        .status(0);
    let got = again
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert_eq!(got.stdout(), merged);
}

/// A file named with -o that unseal did not write is not overwritten; the hint names the -o
/// that overwrites it (it named `envmint seal ENV`, which never seals an -o file, and an
/// `unseal --force` without the -o, which writes the environment's own file), quoted for sh.
#[test]
fn unseal_o_refuses_a_file_it_did_not_write_and_names_the_o_that_overwrites_it() {
    let (test, _) = sealed_project("");
    let out = test
        .args(["bootstrap", "production"])
        .status(0)
        .then()
        .write("my copy.env", "MINE=1\n")
        .args(["unseal", "production", "-o", "my copy.env"])
        .status(73);
    out.stderr_is(str![[r#"
error: my copy.env: it holds other values than the store and was not written by `envmint unseal`: unsealing would replace them
hint: unseal into another file with -o to compare; `envmint unseal production -o 'my copy.env' --force` overwrites it

"#]]);
    assert_eq!(out.read("my copy.env"), "MINE=1\n");
    let forced = out
        .then()
        .args(["unseal", "production", "-o", "my copy.env", "--force"])
        .status(0);
    assert!(forced.read("my copy.env").contains("SECRET_KEY="));
    assert!(!forced.exists(".env.production.local"));
}

#[test]
fn unseal_refuses_to_overwrite_plaintext_edits_never_sealed() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let out = out.then().args(["unseal", "production"]).status(0);
    let edited = out.read(".env.production.local") + "EDIT=unsealed-only\n";
    let out = out
        .then()
        .write(".env.production.local", &edited)
        .args(["unseal", "production"])
        .status(73);
    out.stderr_is(str![[r#"
error: .env.production.local: it was edited since it was unsealed and the edits were never sealed: unsealing would lose them
hint: `envmint seal production` keeps the edits (when the store has not changed meanwhile), or unseal elsewhere with -o to compare; `envmint unseal production --force` overwrites .env.production.local

"#]]);
    assert_eq!(out.read(".env.production.local"), edited);
    // A plaintext file unseal did not write, that differs from the store: refused too.
    let out = out
        .then()
        .write(".env.production.local", "HANDMADE=1\n")
        .args(["unseal", "production"])
        .status(73);
    out.stderr_is(str![[r#"
error: .env.production.local: it holds other values than the store and was not written by `envmint unseal`: unsealing would replace them
hint: unseal elsewhere with -o to compare; `envmint seal production --force` seals .env.production.local over the store, `envmint unseal production --force` overwrites it

"#]]);
    assert_eq!(out.read(".env.production.local"), "HANDMADE=1\n");
    let forced = out
        .then()
        .args(["unseal", "production", "--force"])
        .status(0);
    assert!(forced.read(".env.production.local").contains("SECRET_KEY="));
    // Unchanged since the unseal, and the store unchanged: nothing to write.
    let again = forced.then().args(["unseal", "production"]).status(0);
    again.stderr_is(str![[r#"
production: .env.production.local unchanged

"#]]);
}

#[test]
fn a_plaintext_environment_declared_sealed_keeps_its_values() {
    let (test, _) = sealed_project("");
    let live =
        "# live\nSECRET_KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
    let out = test
        .write(".env.production.local", live)
        .args(["bootstrap", "production"])
        .status(0);
    assert!(out.exists(".env.production.age"));
    let got = out
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert_eq!(got.stdout(), live);
}

#[test]
fn unseal_never_replaces_the_store_the_manifest_or_a_recipients_file() {
    let (test, public) = sealed_project("recipients_file = \"keys.txt\"\n");
    let out = test
        .write("keys.txt", format!("{public}\n"))
        .args(["bootstrap", "production"])
        .status(0);
    let store = out.bytes(".env.production.age");
    let mut out = out;
    let cases: [(&str, snapbox::data::Inline); 3] = [
        (
            ".env.production.age",
            str![[r#"
error: .env.production.age: is the sealed store of environment `production`: unseal never replaces envmint's own files
hint: unseal into another file with -o, or print it with --stdout

"#]],
        ),
        (
            "envmint.toml",
            str![[r#"
error: envmint.toml: is the manifest
hint: unseal into another file with -o, or print it with --stdout

"#]],
        ),
        (
            "keys.txt",
            str![[r#"
error: keys.txt: is the recipients file of environment `production`: unseal never replaces envmint's own files
hint: unseal into another file with -o, or print it with --stdout

"#]],
        ),
    ];
    for (target, said) in cases {
        let before = out.bytes(target);
        let refused = out
            .then()
            .args(["unseal", "production", "-o", target])
            .status(73);
        refused.stderr_is(said);
        assert_eq!(refused.bytes(target), before);
        out = refused;
    }
    assert_eq!(out.bytes(".env.production.age"), store);
}

#[test]
fn unseal_never_replaces_a_file_that_is_not_a_dotenv_file() {
    let (test, _) = sealed_project("file = \"README.md\"\n");
    let readme = "# My app\n\nSome words here.\n";
    let out = test
        .write("README.md", readme)
        .args(["bootstrap", "production"])
        .status(65);
    // Imported as the first content of the store, it is refused as bootstrap refuses it.
    out.stderr_is(str![[r#"
error: README.md:3: not a dotenv file: no line reads KEY=value, so envmint will not write to it
hint: check `file` of [environments.production] in the manifest; envmint only adds to dotenv files (an empty file is fine)

"#]]);
    assert!(!out.exists(".env.production.age"));
    let manifest = out
        .read("envmint.toml")
        .replace("file = \"README.md\"\n", "");
    let mut out = out
        .then()
        .write("envmint.toml", manifest)
        .args(["bootstrap", "production"])
        .status(0);
    for args in [
        vec!["unseal", "production", "-o", "README.md", "--force"],
        vec!["unseal", "production", "-o", "README.md"],
    ] {
        let refused = out.then().args(args).status(65);
        refused.stderr_is(str![[r#"
error: README.md:3: not a dotenv file: no line reads KEY=value, so envmint will not write to it
hint: unseal into a dotenv file, or a new one, with -o

"#]]);
        assert_eq!(refused.read("README.md"), readme);
        out = refused;
    }
}

#[test]
fn unseal_writes_a_file_git_tracks_only_when_o_names_it() {
    if !have("git") {
        return skip("git is not installed");
    }
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(out.dir())
            .output()
            .unwrap();
        assert!(ok.status.success(), "{ok:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(out.path(".env.production.local"), "").unwrap();
    git(&["add", ".env.production.local"]);
    let refused = out.then().args(["unseal", "production"]).status(73);
    refused.stderr_is(str![[r#"
error: .env.production.local: is tracked by git: the secrets written to it would go into the next commit
hint: git rm --cached .env.production.local and add it to .gitignore; or name it with -o to write it anyway

"#]]);
    assert_eq!(refused.read(".env.production.local"), "");
    let named = refused
        .then()
        .args(["unseal", "production", "-o", ".env.production.local"])
        .status(0);
    named.stderr_is(str![[r#"
warning: .env.production.local is tracked by git: the secrets written to it go into the next commit
hint: git rm --cached .env.production.local, and add it to .gitignore
production: .env.production.age unsealed into .env.production.local (mode 0600; keep it out of version control)

"#]]);
    assert!(named.read(".env.production.local").contains("SECRET_KEY="));
}

#[test]
fn fail_seal_env_without_an_identity_does_not_suggest_i_which_it_refuses() {
    let (test, _) = sealed_project("");
    let out = test.args(["bootstrap", "production"]).status(0);
    let out = out.then().args(["unseal", "production"]).status(0);
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "")
        .args(["seal", "production"])
        .status(77);
    out.stderr_is(str![[r#"
error: .env.production.age: no identity to decrypt it with
hint: set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: ENVMINT_IDENTITY, ENVMINT_AGE_KEY, [DIR]/no-config/envmint/identity.txt

"#]]);
    // " -i": the temporary folder's random name may hold "-i" itself.
    assert!(!out.stderr().contains(" -i"), "{}", out.describe());
    // What the hint says works: the store already holds the plaintext, so it stays as it is
    // (seal_env_and_unseal_env_round_trip asserts these words whole).
    let store = out.bytes(".env.production.age");
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["seal", "production"])
        .status(0);
    assert!(
        out.stderr()
            .ends_with(" unchanged (already holds .env.production.local)\n"),
        "{}",
        out.describe()
    );
    assert_eq!(out.bytes(".env.production.age"), store);
}

/// Identities are read only by a command that opens a sealed file that exists (loading one can
/// ask for a passphrase or start a plugin): beside a sealed environment, every command on the
/// plain one works with an identity that cannot be read, bootstrap creates the sealed store
/// from its recipients alone, and reading that store, once it exists, needs the identity.
#[test]
fn identities_are_read_only_when_a_sealed_file_is_opened() {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let (test, public) = keygen(test, "id.txt");
    let mut out = test
        .env("ENVMINT_IDENTITY", "missing.txt")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("HOME", dir.join("no-home"))
        .write(
            "envmint.toml",
            format!(
                "[environments.development]\n[environments.production]\n\
                 sealed = \".env.production.age\"\nrecipients = [\"{public}\"]\n{SECRETS}"
            ),
        )
        .args(["bootstrap", "development", "production"])
        .status(0);
    for args in [
        &["status", "development"][..],
        &["rotate", "development", "--dry-run"],
        &["rotate", "development", "--all"],
        &["plan", "development"],
        &["get", "development", "SECRET_KEY"],
        &["export", "development", "--format", "dotenv"],
        &["retire", "development", "SECRET_KEY"],
    ] {
        out = out.then().args(args).status(0);
    }
    let sealed = out.then().args(["status", "production"]).status(66);
    sealed.stderr_is(str![[r#"
error: missing.txt: file not found

"#]]);
}

/// `rekey` with no sealed file: a plaintext file written by hand is no store to rekey (the
/// preview said "would be re-encrypted to 1 recipient: " with nothing after it, then nothing
/// was written); one `unseal` wrote, whose store was deleted since, becomes a new store, after
/// the preview says so.
#[test]
fn rekey_without_a_sealed_file_rekeys_nothing_or_makes_the_store_the_plaintext_came_from() {
    let (test, public) = sealed_project("");
    // With no file at all, rekey says there is nothing to rekey (the words are asserted by
    // tests/cli/cmd/rekey/store_not_made_yet.toml); a plaintext file by hand changes nothing.
    let none = test.args(["rekey", "production", "--dry-run"]).status(0);
    let nothing = none.stderr().to_string();
    let out = none
        .then()
        .write(".env.production.local", "SECRET_KEY=by-hand\n")
        .chmod(".env.production.local", 0o600)
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    assert_eq!(out.stderr(), nothing, "{}", out.describe());
    let out = out.then().args(["rekey", "production", "--yes"]).status(0);
    assert_eq!(out.stderr(), nothing, "{}", out.describe());
    assert!(!out.exists(".env.production.age"));
    // A store unsealed, then deleted (a pull request?): rekey makes it again from the plaintext.
    std::fs::remove_file(out.path(".env.production.local")).unwrap();
    let out = out.then().args(["bootstrap", "production"]).status(0);
    let out = out.then().args(["unseal", "production"]).status(0);
    std::fs::remove_file(out.path(".env.production.age")).unwrap();
    let short = format!("{}…{}", &public[..12], &public[public.len() - 6..]);
    let out = out
        .then()
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    assert_eq!(
        out.stderr(),
        format!(
            "production: .env.production.age does not exist, and .env.production.local was \
             unsealed from a sealed store: a new store would be sealed to 1 recipient: {short}\n"
        )
    );
    let out = out.then().args(["rekey", "production", "--yes"]).status(0);
    assert_eq!(
        out.stderr(),
        format!(
            "production: .env.production.age does not exist, and .env.production.local was \
             unsealed from a sealed store: a new store to be sealed to 1 recipient: {short}\n\
             production: .env.production.age created from .env.production.local, sealed to 1 \
             recipient and pinned\n"
        )
    );
    assert!(out.exists(".env.production.age"));
}
