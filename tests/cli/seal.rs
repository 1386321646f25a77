//! keygen, seal and unseal end to end; the C2SP/CCTV age test vectors through the library; and
//! interoperability with the reference `age` CLI in both directions.

use crate::common;

use common::{Test, envmint, skip, words_are};
use envmint::error::Location;
use envmint::seal::{self, Opened, PassphrasePrompt};
use sha2::{Digest, Sha256};
use snapbox::str;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

// ---------------------------------------------------------------------------------------------
// C2SP/CCTV test vectors, read from the age crate's source (never copied).

/// The `tests/testdata/testkit` folder of the age crate this build uses.
fn testkit_dir() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata failed");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let age = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "age")
        .expect("age in cargo metadata");
    let manifest = PathBuf::from(age["manifest_path"].as_str().unwrap());
    manifest.parent().unwrap().join("tests/testdata/testkit")
}

struct Vector {
    expect: String,
    payload: Option<String>,
    identities: Vec<String>,
    passphrases: Vec<String>,
    file: Vec<u8>,
}

fn parse_vector(bytes: &[u8]) -> Vector {
    let mut rest = bytes;
    let mut v = Vector {
        expect: String::new(),
        payload: None,
        identities: vec![],
        passphrases: vec![],
        file: vec![],
    };
    let mut compressed = false;
    loop {
        let end = rest.iter().position(|&b| b == b'\n').expect("header line");
        let line = std::str::from_utf8(&rest[..end]).expect("header is text");
        rest = &rest[end + 1..];
        if line.is_empty() {
            break;
        }
        let (key, value) = line.split_once(": ").expect("key: value");
        match key {
            "expect" => v.expect = value.to_string(),
            "payload" => v.payload = Some(value.to_string()),
            "identity" => v.identities.push(value.to_string()),
            "passphrase" => v.passphrases.push(value.to_string()),
            "compressed" => compressed = value == "zlib",
            _ => {}
        }
    }
    v.file = if compressed {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(rest)
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        rest.to_vec()
    };
    v
}

/// Decrypts a vector in memory as `unseal` does; `Ok` holds the whole plaintext.
fn decrypt_vector(v: &Vector) -> envmint::Result<Vec<u8>> {
    let opened = Opened::new(&v.file[..], "vector")?;
    let plain = if opened.is_passphrase() {
        let p = v.passphrases.first().cloned().unwrap_or_default();
        opened.with_passphrase(p.into())?
    } else {
        let ids = if v.identities.is_empty() {
            Vec::new() // e.g. an `SCRYPT` stanza: not a passphrase file, and no identity
        } else {
            let text = v.identities.join("\n");
            seal::identities::parse(
                &text,
                &Location::default(),
                "vector",
                &PassphrasePrompt::none(),
            )?
        };
        opened.with_identities(&ids)?
    };
    Ok(plain.read_all(seal::MAX_IN_MEMORY)?.to_vec())
}

#[test]
fn every_c2sp_vector_decrypts_to_its_hash_or_releases_nothing() {
    let dir = testkit_dir();
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 123, "only {} vectors", names.len());
    let (mut ok, mut failed) = (0, 0);
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let v = parse_vector(&std::fs::read(path).unwrap());
        let got = decrypt_vector(&v);
        match (v.expect.as_str(), got) {
            ("success", Ok(plain)) => {
                let hash = hex::encode(Sha256::digest(&plain));
                assert_eq!(Some(hash), v.payload, "{name}: wrong payload");
                ok += 1;
            }
            ("success", Err(e)) => panic!("{name}: should decrypt, got {e:?}"),
            (expect, Ok(_)) => panic!("{name}: expected {expect}, but plaintext was released"),
            (expect, Err(e)) => {
                // A key that does not fit is refused (77); everything else is bad data (65).
                let code = if expect == "no match" { 77 } else { 65 };
                assert_eq!(e.exit().code() as i32, code, "{name} ({expect}): {e:?}");
                failed += 1;
            }
        }
    }
    assert_eq!(ok, 20, "success vectors");
    assert_eq!(ok + failed, names.len());
}

// ---------------------------------------------------------------------------------------------
// keygen

#[test]
fn keygen_o_creates_a_0600_key_and_prints_the_public_key() {
    let out = envmint(["keygen", "-o", "id.txt"]).status(0);
    assert_eq!(out.mode("id.txt"), 0o600);
    let text = out.read("id.txt");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("# created: 20") && lines[0].ends_with('Z'));
    let public = lines[1].strip_prefix("# public key: ").unwrap();
    assert!(lines[2].starts_with("AGE-SECRET-KEY-1"));
    assert_eq!(out.stderr(), format!("Public key: {public}\n"));
    assert_eq!(out.stdout(), "");
    // -y gives the same recipient back.
    let y = out.then().args(["keygen", "-y", "id.txt"]).status(0);
    assert_eq!(y.stdout(), format!("{public}\n"));
}

#[test]
fn keygen_creates_a_missing_folder_0700() {
    let out = envmint(["keygen", "-o", "cfg/envmint/identity.txt"]).status(0);
    assert_eq!(out.mode("cfg/envmint"), 0o700);
    assert_eq!(out.mode("cfg/envmint/identity.txt"), 0o600);
}

#[test]
fn keygen_never_overwrites_an_existing_file() {
    let out = Test::new()
        .write("id.txt", "precious\n")
        .args(["keygen", "-o", "id.txt"])
        .status(73);
    assert_eq!(out.read("id.txt"), "precious\n");
    out.stderr_is(str![[r#"
error: id.txt: already exists; keygen never overwrites a key
hint: choose another file, or remove the old key if you mean to

"#]]);
}

#[test]
fn keygen_without_o_prints_the_identity_on_stdout() {
    let out = envmint(["keygen"]).status(0);
    assert!(out.stdout().contains("\nAGE-SECRET-KEY-1"));
    // The recipient is new each run.
    out.stderr_is(str![[r#"
Public key: age1[..]

"#]]);
    let bad = Test::new()
        .write("id.txt", "age1notasecret\n")
        .args(["keygen", "-y", "id.txt"])
        .status(65);
    bad.stderr_is(str![[r#"
error: id.txt:1: a public key (recipient), not an identity

"#]]);
}

// ---------------------------------------------------------------------------------------------
// seal and unseal

/// A temp dir with `id.txt` (an identity made by envmint keygen) and its recipient.
fn with_key() -> (Test, String) {
    common::keygen(Test::new(), "id.txt")
}

#[test]
fn seal_and_unseal_round_trip_binary_and_armored() {
    let (t, r) = with_key();
    let t = t.write("plain.env", "A=1\nB=2\n");
    let out = t
        .args(["seal", "-r", &r, "-o", "s.age", "plain.env"])
        .status(0);
    assert!(out.bytes("s.age").starts_with(b"age-encryption.org/v1\n"));
    let out = out
        .then()
        .args(["seal", "-a", "-r", &r, "-o", "a.age", "plain.env"])
        .status(0);
    assert!(
        out.read("a.age")
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n")
    );
    let mut out = out;
    for f in ["s.age", "a.age"] {
        let u = out.then().args(["unseal", "-i", "id.txt", f]).status(0);
        assert_eq!(u.stdout(), "A=1\nB=2\n");
        let u = u
            .then()
            .args(["unseal", "-i", "id.txt", "-o", "back.env", f])
            .status(0);
        assert_eq!(u.read("back.env"), "A=1\nB=2\n");
        assert_eq!(u.mode("back.env"), 0o600);
        out = u;
    }
}

#[test]
fn seal_reads_stdin_and_recipients_files() {
    let (t, r) = with_key();
    let t = t.write("keys.txt", format!("# the team\n\n{r}\n"));
    let out = t
        .args(["seal", "-R", "keys.txt", "-a"])
        .stdin("from stdin\n")
        .status(0);
    let sealed = out.stdout().to_string();
    let u = out
        .then()
        .args(["unseal", "-i", "id.txt"])
        .stdin(sealed)
        .status(0);
    assert_eq!(u.stdout(), "from stdin\n");
}

#[test]
fn bad_recipients_are_refused_naming_where() {
    let out = envmint(["seal", "-r", "age1nope", "-a"])
        .stdin("x")
        .status(2);
    out.stderr_is(str![[r#"
error: -r: not a valid age recipient (invalid Bech32 encoding)
hint: a recipient is age1... (envmint keygen -y FILE prints one), or an ssh-ed25519 / ssh-rsa public key line

"#]]);
    let out = Test::new()
        .write("keys.txt", "# ok\nnot a key\n")
        .args(["seal", "-R", "keys.txt", "-a"])
        .stdin("x")
        .status(65);
    out.stderr_is(str![[r#"
error: keys.txt:2: not a recipient (age1..., an age plugin's age1NAME1..., ssh-ed25519 or ssh-rsa)

"#]]);
    let out = envmint(["seal", "-a"]).stdin("x").status(2);
    out.stderr_is(str![[r#"
error: seal needs a recipient (-r, -R) or --passphrase
hint: e.g. envmint seal -r "$(envmint keygen -y ~/.config/envmint/identity.txt)" FILE

"#]]);
}

#[test]
fn identities_are_found_in_the_documented_order() {
    let (t, r) = with_key();
    let key = std::fs::read_to_string(t.path("id.txt")).unwrap();
    let out = t
        .write("p", "secret\n")
        .args(["seal", "-r", &r, "-o", "s.age", "p"])
        .status(0);
    // ENVMINT_IDENTITY
    let o = out
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["unseal", "s.age"])
        .status(0);
    assert_eq!(o.stdout(), "secret\n");
    // ENVMINT_AGE_KEY
    let o = Test::new()
        .write("s.age", std::fs::read(o.path("s.age")).unwrap())
        .env("ENVMINT_AGE_KEY", &key)
        .env("HOME", "/nonexistent")
        .args(["unseal", "s.age"])
        .status(0);
    assert_eq!(o.stdout(), "secret\n");
    // $XDG_CONFIG_HOME/envmint/identity.txt
    let sealed = o.bytes("s.age");
    let t = Test::new()
        .write("s.age", &sealed)
        .write("cfg/envmint/identity.txt", &key)
        .chmod("cfg/envmint/identity.txt", 0o600);
    let cfg = t.path("cfg");
    let o = t
        .env("XDG_CONFIG_HOME", &cfg)
        .args(["unseal", "s.age"])
        .status(0);
    assert_eq!(o.stdout(), "secret\n");
    assert_eq!(o.stderr(), "");
    // ~/.config/envmint/identity.txt, and -i wins over a wrong ENVMINT_IDENTITY
    let t = Test::new()
        .write("s.age", &sealed)
        .write("home/.config/envmint/identity.txt", &key);
    let home = t.path("home");
    t.env("HOME", &home).args(["unseal", "s.age"]).status(0);
    // nothing anywhere: 77 with the places looked
    let o = Test::new()
        .write("s.age", &sealed)
        .env("HOME", "/nonexistent")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .args(["unseal", "s.age"])
        .status(77);
    o.stderr_is(str![[r#"
error: s.age: no identity to decrypt it with
hint: pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: -i, ENVMINT_IDENTITY, ENVMINT_AGE_KEY, /nonexistent/envmint/identity.txt

"#]]);
}

#[test]
fn a_world_readable_identity_gets_a_warning() {
    let (t, r) = with_key();
    let out = t
        .chmod("id.txt", 0o644)
        .write("p", "x")
        .args(["seal", "-r", &r, "-o", "s.age", "p"])
        .status(0);
    let o = out
        .then()
        .args(["unseal", "-i", "id.txt", "s.age"])
        .status(0);
    o.stderr_is(str![[r#"
warning: id.txt is readable by others (mode 644); chmod 600 it

"#]]);
}

#[test]
fn no_matching_identity_is_77_naming_stanzas_and_keys_tried() {
    let (t, _) = with_key();
    let other = envmint(["keygen"]).status(0);
    let other_r = other
        .stderr()
        .trim()
        .strip_prefix("Public key: ")
        .unwrap()
        .to_string();
    let out = t
        .write("p", "x")
        .write("out.env", "OLD\n")
        .args(["seal", "-r", &other_r, "-o", "s.age", "p"])
        .status(0);
    let y = out.then().args(["keygen", "-y", "id.txt"]).status(0);
    let mine = y.stdout().trim().to_string();
    let o = y
        .then()
        .args(["unseal", "-i", "id.txt", "-o", "out.env", "s.age"])
        .status(77);
    words_are(
        o.stderr(),
        o.dir(),
        &[("[MINE]", &mine)],
        str![[r#"
error: s.age: no identity matches any recipient of the file
hint: the file is sealed to 1 recipient of type X25519; tried [MINE]

"#]],
    );
    assert_eq!(
        o.read("out.env"),
        "OLD\n",
        "an existing output is untouched"
    );
}

#[test]
fn damaged_inputs_are_65_and_release_nothing() {
    let (t, r) = with_key();
    let big: String = "K=0123456789\n".repeat(20_000); // several 64 KiB chunks
    let out = t
        .write("p", &big)
        .args(["seal", "-r", &r, "-o", "s.age", "p"])
        .status(0);
    let sealed = out.bytes("s.age");
    let mut tampered = sealed.clone();
    let at = tampered.len() - 10;
    tampered[at] ^= 0x40;
    let mut trailing = sealed.clone();
    trailing.extend_from_slice(b"garbage");
    // None: the same words as the case before (the three damages read alike).
    let cases: [(&str, Vec<u8>, Option<snapbox::data::Inline>); 5] = [
        (
            "truncated",
            sealed[..sealed.len() - 100].to_vec(),
            Some(str![[r#"
error: bad.age: damaged: the payload does not authenticate (truncated, tampered with, or trailing data)
hint: the file is not a complete age file; restore it from a copy

"#]]),
        ),
        ("tampered", tampered, None),
        ("trailing", trailing, None),
        (
            "not age",
            b"A=1\n".to_vec(),
            Some(str![[r#"
error: bad.age: no valid age header: not an age file, or one cut short
hint: the file is not a complete age file; restore it from a copy

"#]]),
        ),
        (
            "bad armor",
            b"-----BEGIN AGE ENCRYPTED FILE-----\n!!!\n".to_vec(),
            Some(str![[r#"
error: bad.age: bad ASCII armor (invalid armor (last line is missing padding))
hint: the file is not a complete age file; restore it from a copy

"#]]),
        ),
    ];
    let mut out = out;
    let mut said_before = String::new();
    for (what, bytes, said) in cases {
        let t = out.then().write("bad.age", &bytes);
        let o = t
            .args(["unseal", "-i", "id.txt", "-o", "new.env", "bad.age"])
            .status(65);
        assert!(!o.exists("new.env"), "{what}: output created");
        assert!(
            !o.files().iter().any(|f| f.contains("envmint-tmp")),
            "{what}: temp left: {:?}",
            o.files()
        );
        let o = o
            .then()
            .args(["unseal", "-i", "id.txt", "bad.age"])
            .status(65);
        assert_eq!(o.stdout(), "", "{what}: plaintext released on stdout");
        match said {
            Some(said) => o.stderr_is(said),
            None => assert_eq!(o.stderr(), said_before, "{what}\n{}", o.describe()),
        }
        said_before = o.stderr().to_string();
        out = o;
    }
}

/// A header that parses but does not hold: its MAC, a recipient stanza, the file cut right
/// after it, and a header too large to read. Each is named for what it is (65), and nothing is
/// released. (A header that does not parse: the case files in tests/cli/cmd/unseal/.)
#[test]
fn a_damaged_header_is_named_for_what_is_damaged() {
    let (t, r) = with_key();
    let out = t
        .write("p", "A=1\n")
        .args(["seal", "-r", &r, "-o", "s.age", "p"])
        .status(0);
    let sealed = out.bytes("s.age");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let header_end = text(&sealed).find("\n---").unwrap() + 1;
    let payload_start = header_end
        + sealed[header_end..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap()
        + 1;
    // The MAC's first character changed (to another base64 character).
    let mut mac = sealed.clone();
    mac[header_end + 4] = if mac[header_end + 4] == b'A' {
        b'B'
    } else {
        b'A'
    };
    // The X25519 stanza's share is no base64.
    let stanza = text(&sealed).lines().nth(1).unwrap().to_string();
    assert!(stanza.starts_with("-> X25519 "), "{stanza}");
    let mut bad_stanza = sealed.clone();
    let at = "age-encryption.org/v1\n".len(); // the stanza is the second line
    bad_stanza.splice(at..at + stanza.len(), b"-> X25519 !!!".iter().copied());
    // A character of the X25519 stanza's body (its third line) that is no base64.
    let mut bad_body = sealed.clone();
    let body_at = at + stanza.len() + 1;
    bad_body[body_at + 3] = b'!';
    // The header and the 16-byte nonce, and no payload.
    let cut = sealed[..payload_start + 16].to_vec();
    // 16 MiB of well-formed stanzas, no MAC line.
    let mut huge = b"age-encryption.org/v1\n".to_vec();
    let fake = format!("-> X25519 {}\n{}\n", "A".repeat(43), "B".repeat(43));
    while huge.len() <= 16 << 20 {
        huge.extend_from_slice(fake.as_bytes());
    }
    let cases: [(&str, Vec<u8>, snapbox::data::Inline); 5] = [
        (
            "body",
            bad_body,
            str![[r#"
error: bad.age: a damaged or invalid age header
hint: the file is not a complete age file; restore it from a copy

"#]],
        ),
        (
            "mac",
            mac,
            str![[r#"
error: bad.age: the header's MAC does not match: the file was tampered with
hint: the file is not a complete age file; restore it from a copy

"#]],
        ),
        (
            "stanza",
            bad_stanza,
            str![[r#"
error: bad.age: a recipient stanza of the header is damaged
hint: the file is not a complete age file; restore it from a copy

"#]],
        ),
        (
            "cut",
            cut,
            str![[r#"
error: bad.age: truncated: the file ends before its last chunk
hint: the file is not a complete age file; restore it from a copy

"#]],
        ),
        (
            "huge",
            huge,
            str![[r#"
error: bad.age: not a valid age header (the header is larger than 16 MiB)
hint: the file is not a complete age file; restore it from a copy

"#]],
        ),
    ];
    let mut out = out;
    for (what, bytes, said) in cases {
        let o = out
            .then()
            .write("bad.age", &bytes)
            .args(["unseal", "-i", "id.txt", "bad.age"])
            .status(65);
        assert_eq!(o.stdout(), "", "{what}: plaintext released on stdout");
        o.stderr_is(said);
        out = o;
    }
}

#[test]
fn passphrases_come_from_the_environment_without_a_terminal() {
    // setsid: no controlling terminal, even when the tests run from one.
    let t = Test::new()
        .write("p", "by passphrase\n")
        .env("ENVMINT_PASSPHRASE", "correct horse")
        .wrapper(["setsid", "-w"])
        .args(["seal", "--passphrase", "-o", "s.age", "p"]);
    let out = t.status(0);
    assert!(out.bytes("s.age").windows(10).any(|w| w == b"-> scrypt "));
    let o = out
        .then()
        .wrapper(["setsid", "-w"])
        .args(["unseal", "s.age"])
        .status(0);
    assert_eq!(o.stdout(), "by passphrase\n");
    let sealed = o.bytes("s.age");
    let wrong = Test::new()
        .write("s.age", &sealed)
        .env("ENVMINT_PASSPHRASE", "wrong")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "s.age"])
        .status(77);
    wrong.stderr_is(str![[r#"
error: s.age: wrong passphrase
hint: check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)

"#]]);
    let none = Test::new()
        .write("s.age", &sealed)
        .wrapper(["setsid", "-w"])
        .args(["unseal", "s.age"])
        .status(77);
    none.stderr_is(str![[r#"
error: s.age: a passphrase is needed and there is no terminal to ask on
hint: run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)

"#]]);
}

#[test]
fn large_files_go_to_o_and_not_to_stdout() {
    let (t, r) = with_key();
    let out = t
        .args(["seal", "-r", &r, "-o", "s.age"])
        .stdin(vec![b'x'; 65 * 1024 * 1024])
        .status(0);
    let o = out
        .then()
        .args(["unseal", "-i", "id.txt", "s.age"])
        .status(65);
    o.stderr_is(str![[r#"
error: s.age: larger than 64 MiB, the limit for decrypting into memory
hint: decrypt it to a file with -o

"#]]);
    assert_eq!(o.stdout(), "");
    let o = o
        .then()
        .args(["unseal", "-i", "id.txt", "-o", "big", "s.age"])
        .status(0);
    assert_eq!(
        std::fs::metadata(o.path("big")).unwrap().len(),
        65 * 1024 * 1024
    );
}

// ---------------------------------------------------------------------------------------------
// Interoperability with the reference age CLI (Go, Debian package `age`).

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_ok(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn files_envmint_seals_decrypt_with_age() {
    if !have("age") {
        return skip("the age CLI is not installed (apt-get install age)");
    }
    let (t, r) = with_key();
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let out = t
        .write("p", &payload)
        .args(["seal", "-r", &r, "-o", "s.age", "p"])
        .status(0);
    let out = out
        .then()
        .args(["seal", "-a", "-r", &r, "-o", "a.age", "p"])
        .status(0);
    for f in ["s.age", "a.age"] {
        let got = run_ok(
            Command::new("age")
                .args(["-d", "-i", "id.txt", f])
                .current_dir(out.dir()),
        );
        assert!(got == payload, "{f}: age decrypted something else");
    }
}

/// Encrypts `payload` with the age CLI in `dir` with `args`, returning the file's path.
fn age_encrypt(dir: &Path, args: &[&str], payload: &[u8], name: &str) -> PathBuf {
    std::fs::write(dir.join("payload"), payload).unwrap();
    let mut cmd = Command::new("age");
    cmd.args(args)
        .args(["-o", name, "payload"])
        .current_dir(dir);
    run_ok(&mut cmd);
    dir.join(name)
}

#[test]
fn files_age_encrypts_unseal_with_envmint() {
    if !have("age") || !have("age-keygen") || !have("ssh-keygen") {
        return skip("age, age-keygen or ssh-keygen is not installed (apt-get install age)");
    }
    let t = Test::new();
    let dir = t.dir().to_path_buf();
    run_ok(
        Command::new("age-keygen")
            .args(["-o", "a.txt"])
            .current_dir(&dir),
    );
    run_ok(
        Command::new("age-keygen")
            .args(["-o", "b.txt"])
            .current_dir(&dir),
    );
    run_ok(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f", "ssh_ed"])
            .current_dir(&dir),
    );
    let pub_of = |f: &str| {
        String::from_utf8(run_ok(
            Command::new("age-keygen").args(["-y", f]).current_dir(&dir),
        ))
        .unwrap()
        .trim()
        .to_string()
    };
    let (a, b) = (pub_of("a.txt"), pub_of("b.txt"));
    let ssh_pub = std::fs::read_to_string(dir.join("ssh_ed.pub")).unwrap();
    let chunked: Vec<u8> = (0..(3 * 65536 + 17))
        .map(|i: u32| (i % 253) as u8)
        .collect();
    let cases: Vec<(&str, Vec<&str>, Vec<u8>, &str)> = vec![
        ("binary", vec!["-r", &a], b"A=1\n".to_vec(), "a.txt"),
        ("armored", vec!["-a", "-r", &a], b"A=1\n".to_vec(), "a.txt"),
        (
            "several",
            vec!["-r", &a, "-r", &b],
            b"B=2\n".to_vec(),
            "b.txt",
        ),
        (
            "ssh-ed25519",
            vec!["-r", ssh_pub.trim()],
            b"S=3\n".to_vec(),
            "ssh_ed",
        ),
        ("empty", vec!["-r", &a], Vec::new(), "a.txt"),
        ("64KiB", vec!["-r", &a], vec![b'z'; 65536], "a.txt"),
        ("chunks", vec!["-r", &a], chunked, "a.txt"),
    ];
    for (what, args, payload, identity) in cases {
        let name = format!("{what}.age");
        age_encrypt(&dir, &args, &payload, &name);
        let out = Command::new(common::BIN)
            .args([
                "unseal",
                "-i",
                identity,
                "-o",
                &format!("{what}.out"),
                &name,
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = std::fs::read(dir.join(format!("{what}.out"))).unwrap();
        assert!(got == payload, "{what}: different plaintext");
    }
}

#[test]
fn a_passphrase_file_from_age_unseals_with_envmint() {
    if !have("age") || !have("expect") {
        return skip("age or expect is not installed (apt-get install age expect)");
    }
    let t = Test::new().write("payload", "P=4\n");
    let dir = t.dir().to_path_buf();
    // age reads passphrases only from a terminal: expect gives it one.
    let script = r#"
set timeout 60
spawn age -p -o p.age payload
expect "passphrase"
send "tr0ub4dor\r"
expect "passphrase"
send "tr0ub4dor\r"
expect eof
catch wait result
exit [lindex $result 3]
"#;
    run_ok(
        Command::new("expect")
            .args(["-c", script])
            .current_dir(&dir),
    );
    let out = t
        .env("ENVMINT_PASSPHRASE", "tr0ub4dor")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "p.age"])
        .status(0);
    assert_eq!(out.stdout(), "P=4\n");
}

#[test]
fn ssh_identities_plain_protected_and_rsa_unseal() {
    if !have("ssh-keygen") {
        return skip("ssh-keygen is not installed (apt-get install openssh-client)");
    }
    let t = Test::new().write("p", "SSH=1\n");
    let dir = t.dir().to_path_buf();
    for (file, kind, pass) in [
        ("ed", "ed25519", ""),
        ("ed_locked", "ed25519", "s3cret pass"),
        ("rsa", "rsa", ""),
    ] {
        let mut cmd = Command::new("ssh-keygen");
        cmd.args(["-q", "-t", kind, "-N", pass, "-f", file]);
        if kind == "rsa" {
            cmd.args(["-b", "2048"]);
        }
        run_ok(cmd.current_dir(&dir));
    }
    let public = |f: &str| std::fs::read_to_string(dir.join(format!("{f}.pub"))).unwrap();
    let mut out = t.run();
    for (key, env_pass) in [
        ("ed", None),
        ("ed_locked", Some("s3cret pass")),
        ("rsa", None),
    ] {
        let sealed = format!("{key}.age");
        let o = out
            .then()
            .args(["seal", "-a", "-r", public(key).trim(), "-o", &sealed, "p"])
            .status(0);
        let mut u = o.then().wrapper(["setsid", "-w"]);
        if let Some(p) = env_pass {
            u = u.env("ENVMINT_PASSPHRASE", p);
        }
        let u = u.args(["unseal", "-i", key, &sealed]).status(0);
        assert_eq!(u.stdout(), "SSH=1\n", "{key}");
        // RUSTSEC-2023-0071: an ssh-rsa identity works, with a warning on each use.
        if key == "rsa" {
            u.stderr_is(str![[r#"
warning: an ssh-rsa identity is in use: RSA decryption in envmint is not constant-time (RUSTSEC-2023-0071); prefer an age key (envmint keygen) or ssh-ed25519

"#]]);
        } else {
            assert_eq!(u.stderr(), "", "{key}");
        }
        out = u;
    }
    // A protected key with the wrong passphrase is refused (77).
    let o = out
        .then()
        .env("ENVMINT_PASSPHRASE", "nope")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "-i", "ed_locked", "ed_locked.age"])
        .status(77);
    // The error names the key file whose passphrase was wrong, not the sealed input.
    o.stderr_is(str![[r#"
error: ed_locked: wrong passphrase
hint: check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)

"#]]);
    // With no terminal and no ENVMINT_PASSPHRASE, no passphrase was wrong: none could be had.
    let o = o
        .then()
        .env("ENVMINT_PASSPHRASE", "")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "-i", "ed_locked", "ed_locked.age"])
        .status(77);
    o.stderr_is(str![[r#"
error: ed_locked: a passphrase is needed and there is no terminal to ask on
hint: run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)

"#]]);
    // A protected key that is not a recipient of the file is never unlocked: no passphrase
    // needed, and the matching plain key opens the file.
    let o = o
        .then()
        .wrapper(["setsid", "-w"])
        .args(["unseal", "-i", "ed_locked", "-i", "ed", "ed.age"])
        .status(0);
    assert_eq!(o.stdout(), "SSH=1\n");
}

#[test]
fn binary_ciphertext_is_not_written_to_a_terminal() {
    if !have("script") {
        return skip("script (util-linux) is not installed");
    }
    let (t, r) = with_key();
    let t = t.write("p", "x");
    // script gives the command a terminal as stdout; -e returns the command's exit code.
    let line = format!("{} seal -r {r} p", common::BIN);
    let out = t
        .program("script")
        .args(["-qec", &line, "/dev/null"])
        .status(2);
    // The terminal's transcript: stderr, which script's terminal carries too.
    out.stdout_is(str![[r#"
error: refusing to write binary ciphertext to a terminal
hint: add -a for armored text, or -o FILE, or redirect stdout

"#]]);
    let line = format!("{} seal -a -r {r} p", common::BIN);
    let out = out
        .then()
        .program("script")
        .args(["-qec", &line, "/dev/null"])
        .status(0);
    assert!(out.stdout().contains("BEGIN AGE ENCRYPTED FILE"));
}

#[test]
fn envmint_passphrase_and_ssh_files_decrypt_with_age() {
    if !have("age") || !have("expect") || !have("ssh-keygen") {
        return skip("age, expect or ssh-keygen is not installed (apt-get install age expect)");
    }
    let t = Test::new().write("p", "PW=5\n");
    let dir = t.dir().to_path_buf();
    run_ok(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f", "ed"])
            .current_dir(&dir),
    );
    let ssh_pub = std::fs::read_to_string(dir.join("ed.pub")).unwrap();
    let out = t
        .env("ENVMINT_PASSPHRASE", "hunter2 hunter2")
        .wrapper(["setsid", "-w"])
        .args(["seal", "--passphrase", "-o", "p.age", "p"])
        .status(0);
    let out = out
        .then()
        .args(["seal", "-r", ssh_pub.trim(), "-o", "s.age", "p"])
        .status(0);
    let got = run_ok(
        Command::new("age")
            .args(["-d", "-i", "ed", "s.age"])
            .current_dir(out.dir()),
    );
    assert_eq!(got, b"PW=5\n");
    let script = r#"
set timeout 60
spawn age -d -o p.out p.age
expect "passphrase"
send "hunter2 hunter2\r"
expect eof
catch wait result
exit [lindex $result 3]
"#;
    run_ok(
        Command::new("expect")
            .args(["-c", script])
            .current_dir(out.dir()),
    );
    assert_eq!(out.read("p.out"), "PW=5\n");
}

#[test]
fn on_a_terminal_the_passphrase_is_asked_without_echo() {
    if !have("expect") {
        return skip("expect is not installed (apt-get install expect)");
    }
    let t = Test::new().write("p", "TTY=6\n");
    let dir = t.dir().to_path_buf();
    // seal asks twice; unseal once; the typed passphrase never appears in the transcript.
    // Echo is switched off before the prompt is printed (src/bin/envmint/terminal.rs), so the
    // prompt is the event to wait for: text sent as soon as it shows is neither echoed nor
    // flushed. No sleep: a timed pause was a guess that a loaded machine could beat.
    let script = format!(
        r#"
set timeout 60
log_user 1
spawn {bin} seal --passphrase -o p.age p
expect "Enter passphrase: "
send "typed secret\r"
expect "Confirm passphrase: "
send "typed secret\r"
expect eof
spawn {bin} unseal -o p.out p.age
expect "Enter passphrase for p.age: "
send "typed secret\r"
expect eof
catch wait result
exit [lindex $result 3]
"#,
        bin = common::BIN
    );
    let out = Command::new("expect")
        .args(["-c", &script])
        .current_dir(&dir)
        .env_remove("ENVMINT_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("typed secret"));
    assert_eq!(
        std::fs::read_to_string(dir.join("p.out")).unwrap(),
        "TTY=6\n"
    );
}

#[test]
fn a_passphrase_typed_on_a_terminal_is_the_line_without_its_line_break() {
    if !have("expect") {
        return skip("expect is not installed (apt-get install expect)");
    }
    let t = Test::new().write("p", "TTY=7\n");
    let dir = t.dir().to_path_buf();
    // Typed on a terminal, then given through ENVMINT_PASSPHRASE (and to age): the same
    // passphrase both ways. An empty line is refused, Ctrl-C cancels (not "no terminal").
    // Each answer is sent as soon as its prompt shows (see the test above); the timeout only
    // guards against a hang.
    let script = format!(
        r#"
set timeout 60
spawn {bin} seal --passphrase -o p.age p
expect "Enter passphrase: "
send "typed secret\r"
expect "Confirm passphrase: "
send "typed secret\r"
expect eof
catch close
catch wait result
if {{[lindex $result 3] != 0}} {{ exit 10 }}
spawn {bin} seal --passphrase -o empty.age p
expect "Enter passphrase: "
send "\r"
expect eof
catch close
catch wait result
if {{[lindex $result 3] != 2}} {{ exit 11 }}
spawn {bin} unseal p.age
expect "Enter passphrase for p.age: "
send "\003"
expect eof
catch close
catch wait result
if {{[lindex $result 3] != 65}} {{ exit 12 }}
exit 0
"#,
        bin = common::BIN
    );
    let out = Command::new("expect")
        .args(["-c", &script])
        .current_dir(&dir)
        .env_remove("ENVMINT_PASSPHRASE")
        .output()
        .unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{:?}: {transcript}", out.status);
    // The terminal's transcript, as the user saw it (no passphrase echoed).
    words_are(
        &transcript,
        &dir,
        &[("[BIN]", common::BIN)],
        str![[r#"
spawn [BIN] seal --passphrase -o p.age p
Enter passphrase: 
Confirm passphrase: 
spawn [BIN] seal --passphrase -o empty.age p
Enter passphrase: 
error: the passphrase is empty
hint: type a passphrase; envmint does not generate one
spawn [BIN] unseal p.age
Enter passphrase for p.age: 
error: <terminal>: cancelled (Ctrl-C); nothing written

"#]],
    );
    assert!(!dir.join("empty.age").exists());
    let out = t
        .env("ENVMINT_PASSPHRASE", "typed secret")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "p.age"])
        .status(0);
    assert_eq!(out.stdout(), "TTY=7\n");
}

/// What is typed at the passphrase prompts and cannot be used is refused, and nothing is
/// sealed: the end of input (Ctrl-D), two passphrases that differ, bytes that are not UTF-8,
/// and a paste longer than the terminal keeps (Linux cuts it to 4095 bytes; it was sealed
/// with the cut passphrase). The second prompt is always shown before a refusal of the first
/// answer, so a second paste never lands in the shell.
#[test]
fn a_typed_passphrase_that_cannot_be_used_is_refused() {
    if !have("expect") {
        return skip("expect is not installed (apt-get install expect)");
    }
    let t = Test::new().write("p", "TTY=8\n");
    let dir = t.dir().to_path_buf();
    let script = format!(
        r#"
set timeout 60
proc ends {{code}} {{
    expect eof
    catch close
    catch wait result
    if {{[lindex $result 3] != $code}} {{ exit 10 }}
}}
spawn {bin} seal --passphrase -o p.age p
expect "Enter passphrase: "
send "\004"
ends 65
spawn {bin} seal --passphrase -o p.age p
expect "Enter passphrase: "
send "one\r"
expect "Confirm passphrase: "
send "two\r"
ends 2
spawn {bin} seal --passphrase -o p.age p
expect "Enter passphrase: "
fconfigure $spawn_id -encoding binary
send "\xff\xfe\r"
expect "Confirm passphrase: "
send "\xff\xfe\r"
ends 65
spawn {bin} seal --passphrase -o p.age p
expect "Enter passphrase: "
send [string repeat a 5000]
send "\r"
expect "Confirm passphrase: "
send [string repeat a 5000]
send "\r"
ends 65
exit 0
"#,
        bin = common::BIN
    );
    let out = Command::new("expect")
        .args(["-c", &script])
        .current_dir(&dir)
        .env_remove("ENVMINT_PASSPHRASE")
        .output()
        .unwrap();
    let transcript = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{:?}: {transcript}", out.status);
    words_are(
        &transcript,
        &dir,
        &[("[BIN]", common::BIN)],
        str![[r#"
spawn [BIN] seal --passphrase -o p.age p
Enter passphrase: 
error: <terminal>: no passphrase typed (end of input)
spawn [BIN] seal --passphrase -o p.age p
Enter passphrase: 
Confirm passphrase: 
error: the passphrases do not match
hint: try again
spawn [BIN] seal --passphrase -o p.age p
Enter passphrase: 
Confirm passphrase: 
error: <terminal>: the passphrase typed is not UTF-8
spawn [BIN] seal --passphrase -o p.age p
Enter passphrase: 
Confirm passphrase: 
error: <terminal>: the passphrase typed is longer than 4094 bytes, where the terminal may have cut it

"#]],
    );
    assert!(!dir.join("p.age").exists());
}

/// An identity file encrypted with a passphrase (`age -p`, or `envmint seal --passphrase`), as
/// `age -d -i key.age` reads one: decrypted with the passphrase (the terminal, else
/// ENVMINT_PASSPHRASE), then used. It was refused as "not a valid SSH private key".
#[test]
fn a_passphrase_encrypted_identity_file_is_read() {
    let (t, r) = with_key();
    let mut sealed = t
        .write("p", "SECRET=1\n")
        .args(["seal", "-r", &r, "-o", "p.age", "p"])
        .status(0);
    for armor in [true, false] {
        let mut args = vec!["seal", "--passphrase", "-o", "key.age", "id.txt"];
        if armor {
            args.insert(1, "-a");
        }
        let key = sealed
            .then()
            .env("ENVMINT_PASSPHRASE", "key pass")
            .wrapper(["setsid", "-w"])
            .args(args)
            .status(0);
        let out = key
            .then()
            .env("ENVMINT_PASSPHRASE", "key pass")
            .wrapper(["setsid", "-w"])
            .args(["unseal", "-i", "key.age", "p.age"])
            .status(0);
        assert_eq!(out.stdout(), "SECRET=1\n");
        let wrong = out
            .then()
            .env("ENVMINT_PASSPHRASE", "nope")
            .wrapper(["setsid", "-w"])
            .args(["unseal", "-i", "key.age", "p.age"])
            .status(77);
        wrong.stderr_is(str![[r#"
error: key.age: wrong passphrase
hint: check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)

"#]]);
        let none = wrong
            .then()
            .env("ENVMINT_PASSPHRASE", "")
            .wrapper(["setsid", "-w"])
            .args(["unseal", "-i", "key.age", "p.age"])
            .status(77);
        none.stderr_is(str![[r#"
error: key.age: a passphrase is needed and there is no terminal to ask on
hint: run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)

"#]]);
        assert!(!none.stderr().contains("SSH"), "{}", none.describe());
        sealed = none;
    }
    // An identity file sealed to a recipient (not a passphrase) is named as such.
    let to_key = sealed
        .then()
        .args(["seal", "-r", &r, "-o", "key2.age", "id.txt"])
        .status(0);
    let refused = to_key
        .then()
        .args(["unseal", "-i", "key2.age", "p.age"])
        .status(65);
    refused.stderr_is(str![[r#"
error: key2.age: an age file sealed to recipients; an encrypted identity file must be sealed with a passphrase (age -p, envmint seal --passphrase)

"#]]);
}

/// An identity file sealed with a passphrase twice is named as such once the passphrase opened
/// its outer layer; a passphrase file whose scrypt work factor is above 20 is refused before
/// any scrypt work (the factor is read from the header; the MAC would fail later anyway).
#[test]
fn an_identity_sealed_twice_and_a_costly_work_factor_are_refused() {
    let (t, r) = with_key();
    let mut out = t
        .write("p", "SECRET=1\n")
        .args(["seal", "-r", &r, "-o", "p.age", "p"])
        .status(0);
    for (input, output) in [("id.txt", "once.age"), ("once.age", "twice.age")] {
        out = out
            .then()
            .env("ENVMINT_PASSPHRASE", "key pass")
            .wrapper(["setsid", "-w"])
            .args(["seal", "--passphrase", "-o", output, input])
            .status(0);
    }
    let twice = out
        .then()
        .env("ENVMINT_PASSPHRASE", "key pass")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "-i", "twice.age", "p.age"])
        .status(65);
    twice.stderr_is(str![[r#"
error: twice.age: encrypted twice; decrypt it once into an identity file

"#]]);
    let once = String::from_utf8_lossy(&twice.bytes("once.age")).into_owned();
    let stanza = once.lines().nth(1).unwrap().to_string();
    assert!(
        stanza.starts_with("-> scrypt ") && stanza.ends_with(" 18"),
        "{stanza}"
    );
    let mut costly = twice.bytes("once.age");
    let at = "age-encryption.org/v1\n".len() + stanza.len() - 2;
    costly[at..at + 2].copy_from_slice(b"21");
    let refused = twice
        .then()
        .write("costly.age", costly)
        .env("ENVMINT_PASSPHRASE", "key pass")
        .wrapper(["setsid", "-w"])
        .args(["unseal", "costly.age"])
        .status(65);
    refused.stderr_is(str![[r#"
error: costly.age: the passphrase's scrypt work factor is above 20; refused rather than computed
hint: envmint accepts scrypt work factors up to 20; re-encrypt the file with a lower one (age uses 18)

"#]]);
    assert_eq!(refused.stdout(), "");
}

/// An empty or relative HOME or XDG_CONFIG_HOME is no home: the default identity is never read
/// from the working folder (a cloned repository could ship one).
#[test]
fn an_empty_or_relative_home_does_not_make_the_working_folder_the_key_folder() {
    let (t, r) = with_key();
    let t = t
        .write("p", "X=1\n")
        .args(["seal", "-r", &r, "-o", "p.age", "p"])
        .status(0);
    let key = t.read("id.txt");
    let planted = t
        .then()
        .write(".config/envmint/identity.txt", &key)
        .write("cfg/envmint/identity.txt", &key)
        .chmod(".config/envmint/identity.txt", 0o600)
        .chmod("cfg/envmint/identity.txt", 0o600);
    let unseal = |home: &str, xdg: &str| {
        let out = Test::new()
            .cwd(planted.dir())
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", xdg)
            .args(["unseal", "p.age"])
            .run();
        assert_eq!(
            out.code(),
            77,
            "HOME={home:?} XDG_CONFIG_HOME={xdg:?}\n{}",
            out.describe()
        );
        out
    };
    // The places looked in never include the working folder.
    let unset = unseal("", "");
    unset.stderr_is(str![[r#"
error: p.age: no identity to decrypt it with
hint: pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: -i, ENVMINT_IDENTITY, ENVMINT_AGE_KEY

"#]]);
    // A relative HOME or XDG_CONFIG_HOME is as good as none: the same words.
    for (home, xdg) in [(".", ""), ("", "cfg")] {
        let out = unseal(home, xdg);
        assert_eq!(
            out.stderr(),
            unset.stderr(),
            "HOME={home:?} XDG_CONFIG_HOME={xdg:?}\n{}",
            out.describe()
        );
    }
    unseal("/nonexistent", "cfg").stderr_is(str![[r#"
error: p.age: no identity to decrypt it with
hint: pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: -i, ENVMINT_IDENTITY, ENVMINT_AGE_KEY, /nonexistent/.config/envmint/identity.txt

"#]]);
}

/// SIGKILL while `unseal -o` writes (the plaintext arrives on stdin, slowly): nothing is left
/// beside the output, not even a partial temporary file (O_TMPFILE). It left
/// `.OUT.envmint-tmp.*` holding the plaintext written so far.
#[test]
fn a_kill_during_unseal_o_leaves_no_partial_plaintext() {
    use std::io::Write as _;
    let (t, r) = with_key();
    let plain: String = (0..200_000).map(|i| format!("K{i}=v{i}\n")).collect();
    let sealed = t
        .write("big", &plain)
        .args(["seal", "-r", &r, "-o", "big.age", "big"])
        .status(0);
    let ciphertext = sealed.bytes("big.age");
    let test = sealed
        .then()
        .args(["unseal", "-i", "id.txt", "-o", "out.env"]);
    let mut cmd = test.command();
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Half the file: the first chunks are decrypted and written, then envmint waits for more.
    stdin
        .write_all(&ciphertext[..ciphertext.len() / 2])
        .unwrap();
    stdin.flush().unwrap();
    let dir = std::fs::canonicalize(test.dir()).unwrap();
    let writing = || {
        std::fs::read_dir(format!("/proc/{}/fd", child.id()))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|fd| std::fs::read_link(fd.path()).ok())
            .any(|target| target.starts_with(&dir) && !target.ends_with("big.age"))
    };
    let deadline = std::time::Instant::now() + common::HANG;
    while !writing() {
        assert!(
            std::time::Instant::now() < deadline,
            "envmint never opened its output"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    let left: Vec<String> = common::names(&dir)
        .into_iter()
        .filter(|n| n.contains("out.env"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
