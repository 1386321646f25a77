//! A repository as an adversary (issue 15): the recipients pinned inside a sealed store, a
//! write that would lock its writer out, the owner and mode of a recipients file, recipient
//! errors that never print a line, and writes that stay inside the manifest's folder.

use crate::common;

use common::{Output, Test, keygen, skip, words_are};
use snapbox::str;
use std::process::Command;

const SECRETS: &str = "[secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n";
const STORE: &str = ".env.production.age";
const KEYS: &str = "keys/production.txt";

/// Two test identities (made by `envmint keygen` once, and fixed here so that the messages that
/// name their recipients read the same each run): (secret key, recipient). The first sorts
/// before the second.
const FIRST: (&str, &str) = (
    "AGE-SECRET-KEY-15XLTLN2E3CMLDCFX77JSUPGL5R2R2JFX68WQFD0EHCE5EUQENGTQM33SFC",
    "age155g78f8erm99qwy5yzctvrf9nhwrr9xqhz2jjy70p2vxf05lz4zqu05d48",
);
const SECOND: (&str, &str) = (
    "AGE-SECRET-KEY-1XD6778A246EQH347XD8DT3GD5YAGMC0VNJ8TCW0XM8QP2TQKTN9QVF5984",
    "age19n3kxzk5eau2jy7ltwewgyxamqclwz4dd0kwy9u0yt2wssh3jd9q76mm0y",
);

/// A folder with identity `id.txt` (ENVMINT_IDENTITY, [`FIRST`]), a second identity `id2.txt`
/// ([`SECOND`]), and a manifest whose `production` is sealed to the recipients in
/// `keys/production.txt`, which holds the first. Returns both public keys.
fn project() -> (Test, String, String) {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let identity = |(secret, public): (&str, &str)| format!("# public key: {public}\n{secret}\n");
    let (first, second) = (FIRST.1.to_string(), SECOND.1.to_string());
    let test = test
        .write("id.txt", identity(FIRST))
        .chmod("id.txt", 0o600)
        .write("id2.txt", identity(SECOND))
        .chmod("id2.txt", 0o600)
        .env("ENVMINT_IDENTITY", "id.txt")
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .env("HOME", dir.join("no-home"))
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \"{STORE}\"\n\
                 recipients_file = \"{KEYS}\"\n{SECRETS}"
            ),
        )
        .write(KEYS, format!("# ops\n{first}\n"));
    (test, first, second)
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The plaintext of the store as the reference `age -d -i KEY` reads it; `None`, after
/// [`skip`], without the age CLI.
fn age_decrypt(out: &Output, key: &str) -> Option<String> {
    if !have("age") {
        skip("the age CLI is not installed");
        return None;
    }
    let run = Command::new("age")
        .args(["-d", "-i", key, STORE])
        .current_dir(out.dir())
        .output()
        .expect("run age");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    Some(String::from_utf8(run.stdout).unwrap())
}

/// The pin lines at the top of a plaintext.
fn pin_lines(plain: &str) -> Vec<&str> {
    plain
        .lines()
        .take_while(|l| l.starts_with("# envmint: sealed-to "))
        .collect()
}

#[test]
fn the_pin_is_a_comment_that_age_and_python_dotenv_read_past() {
    let (test, first, _) = project();
    let out = test.args(["bootstrap", "production"]).status(0);
    let Some(plain) = age_decrypt(&out, "id.txt") else {
        return;
    };
    assert_eq!(pin_lines(&plain), [format!("# envmint: sealed-to {first}")]);
    // envmint's own reading never shows it.
    let shown = out
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert!(!shown.stdout().contains("sealed-to"), "{}", shown.stdout());
    let ok = Command::new("python3")
        .args(["-c", "import dotenv"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip("python-dotenv is not installed (pip install python-dotenv)");
        return;
    }
    let read = Command::new("python3")
        .args([
            "-c",
            "import sys, io, json, dotenv; \
             print(json.dumps(sorted(dotenv.dotenv_values(stream=io.StringIO(sys.stdin.read())))))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(plain.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3");
    assert_eq!(
        String::from_utf8_lossy(&read.stdout).trim(),
        "[\"SECRET_KEY\"]"
    );
}

#[test]
fn fail_every_write_refuses_recipients_that_differ_from_the_pin_until_rekey() {
    let (test, first, second) = project();
    let out = test.args(["bootstrap", "production"]).status(0);
    let sealed = out.bytes(STORE);
    // A pull request adds a key to the committed list.
    let mut out = out
        .then()
        .write(KEYS, format!("# ops\n{first}\n{second}\n"))
        .write(".env.production.local", "A=1\n")
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    let writes: [&[&str]; 6] = [
        &["set", "production", "NEW"],
        &["unset", "production", "SECRET_KEY"],
        &["rotate", "production", "--all"],
        &["bootstrap", "production"],
        &["seal", "production"],
        &["edit", "production"],
    ];
    for args in writes {
        out = out
            .then()
            .stdin("v\n")
            .env("EDITOR", "sh -c 'echo B=2 >> \"$1\"' sh")
            .env("VISUAL", "")
            .args(args)
            .status(77);
        out.stderr_is(str![[r#"
error: .env.production.age: the manifest's recipients differ from those pinned in the store: it adds age19n3kxzk5…76mm0y; refused
hint: a changed recipients list (a pull request?) is applied only by `envmint rekey ENV`, which shows the change and asks first; or restore the list

"#]]);
        assert_eq!(out.bytes(STORE), sealed, "{args:?} wrote the store");
    }
    let refused = out.stderr().to_string();
    // apply of a plan made before the change.
    let planned = out
        .then()
        .write(KEYS, format!("# ops\n{first}\n"))
        .args(["plan", "--all", "-o", "p.plan"])
        .status(0);
    let applied = planned
        .then()
        .write(KEYS, format!("# ops\n{first}\n{second}\n"))
        .args(["apply", "p.plan"])
        .status(77);
    assert_eq!(applied.stderr(), refused, "{}", applied.describe());
    assert_eq!(applied.bytes(STORE), sealed);

    // Removed from the list: named too.
    let removed = applied
        .then()
        .write(KEYS, format!("{second}\n"))
        .args(["set", "production", "NEW"])
        .stdin("v\n")
        .status(77);
    removed.stderr_is(str![[r#"
error: .env.production.age: the manifest's recipients differ from those pinned in the store: it adds age19n3kxzk5…76mm0y and removes age155g78f8e…u05d48; refused
hint: a changed recipients list (a pull request?) is applied only by `envmint rekey ENV`, which shows the change and asks first; or restore the list

"#]]);

    // rekey shows the change and applies it with --yes; writes work again after it.
    let rekeyed = removed
        .then()
        .write(KEYS, format!("# ops\n{first}\n{second}\n"))
        .args(["rekey", "production", "--yes"])
        .status(0);
    rekeyed.stderr_is(str![[r#"
production: .env.production.age to be re-encrypted to 2 recipients: adds age19n3kxzk5…76mm0y
production: .env.production.age re-encrypted to 2 recipients and pinned

"#]]);
    let set = rekeyed
        .then()
        .args(["set", "production", "NEW"])
        .stdin("v\n")
        .status(0);
    if let Some(plain) = age_decrypt(&set, "id2.txt") {
        let mut want = vec![
            format!("# envmint: sealed-to {first}"),
            format!("# envmint: sealed-to {second}"),
        ];
        want.sort();
        assert_eq!(pin_lines(&plain), want);
    }
}

#[test]
fn fail_a_pin_in_the_plaintext_is_replaced_not_trusted() {
    let (test, first, second) = project();
    let out = test.args(["bootstrap", "production"]).status(0);
    // The plaintext claims the second key is pinned: sealing it keeps the store's own pin.
    // (--force: a hand-written plaintext over an existing store is otherwise refused as a
    // possible lost update, see tests/cli/sealed.rs.)
    let sealed = out
        .then()
        .write(
            ".env.production.local",
            format!("# envmint: sealed-to {second}\nSECRET_KEY=x\n"),
        )
        .args(["seal", "production", "--force"])
        .status(0);
    if let Some(plain) = age_decrypt(&sealed, "id.txt") {
        assert_eq!(pin_lines(&plain), [format!("# envmint: sealed-to {first}")]);
        assert!(plain.ends_with("\nSECRET_KEY=x\n"), "{plain}");
    }
}

/// A store sealed by `envmint seal -r` (file mode, as `age -e`): no pin, as stores made
/// before pins.
fn unpinned_store(test: Test, to: &str) -> Output {
    test.write("plain.env", "SECRET_KEY=old\n")
        .args(["seal", "-r", to, "-o", STORE, "plain.env"])
        .status(0)
}

/// A store with no pin is never pinned silently by a write, even when its recipients match the
/// manifest: a pull request can forge both (a store sealed to its author's key too, and a
/// manifest that lists it), and the write would hand every new value to that author. `rekey
/// --yes` pins it once the user has seen the recipients.
#[test]
fn fail_a_store_without_a_pin_is_written_only_after_rekey_pins_it() {
    let (test, first, _) = project();
    let out = unpinned_store(test, &first);
    if let Some(plain) = age_decrypt(&out, "id.txt") {
        assert!(pin_lines(&plain).is_empty());
    }
    let before = out.bytes(STORE);
    let refused = out
        .then()
        .args(["set", "production", "SECRET_KEY"])
        .stdin("new\n")
        .status(77);
    refused.stderr_is(str![[r#"
error: .env.production.age: production's store has no recipient pin: its recipients were never confirmed, and a write would pin it to the manifest's 1 recipient
hint: check the recipients (envmint rekey production --dry-run), then pin them: envmint rekey production --yes

"#]]);
    assert_eq!(refused.bytes(STORE), before);
    let rekeyed = refused
        .then()
        .args(["rekey", "production", "--yes"])
        .status(0);
    let set = rekeyed
        .then()
        .args(["set", "production", "SECRET_KEY"])
        .stdin("new\n")
        .status(0);
    if let Some(plain) = age_decrypt(&set, "id.txt") {
        assert_eq!(pin_lines(&plain), [format!("# envmint: sealed-to {first}")]);
    }
}

#[test]
fn fail_a_store_without_a_pin_and_more_recipients_in_the_list_needs_rekey() {
    let (test, first, second) = project();
    let out = unpinned_store(test, &first);
    let before = out.bytes(STORE);
    let refused = out
        .then()
        .write(KEYS, format!("{first}\n{second}\n"))
        .args(["set", "production", "SECRET_KEY"])
        .stdin("new\n")
        .status(77);
    refused.stderr_is(str![[r#"
error: .env.production.age: the store has no recipient pin yet, and it is sealed to 1 recipient (X25519) where the manifest lists 2 (age155g78f8e…u05d48, age19n3kxzk5…76mm0y); refused
hint: `envmint rekey ENV` shows the manifest's recipients and pins them once you confirm

"#]]);
    assert_eq!(refused.bytes(STORE), before);
    let dry = refused
        .then()
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    dry.stderr_is(str![[r#"
production: .env.production.age would be re-encrypted to 2 recipients: no recipient pin yet (sealed to 1 now: 1 X25519 recipient added); pins age155g78f8e…u05d48, age19n3kxzk5…76mm0y

"#]]);
    assert_eq!(dry.bytes(STORE), before);
    let rekeyed = dry.then().args(["rekey", "production", "--yes"]).status(0);
    rekeyed.stderr_is(str![[r#"
production: .env.production.age to be re-encrypted to 2 recipients: no recipient pin yet (sealed to 1 now: 1 X25519 recipient added); pins age155g78f8e…u05d48, age19n3kxzk5…76mm0y
production: .env.production.age re-encrypted to 2 recipients and pinned

"#]]);
    rekeyed
        .then()
        .args(["set", "production", "SECRET_KEY"])
        .stdin("new\n")
        .status(0);
}

#[test]
fn fail_a_write_that_would_lock_the_writer_out_needs_rekey_yes() {
    let (test, first, second) = project();
    // Sealed to the first key; the list now names only the second (same number and type).
    let out = unpinned_store(test, &first);
    let before = out.bytes(STORE);
    let refused = out
        .then()
        .write(KEYS, format!("{second}\n"))
        .args(["set", "production", "SECRET_KEY"])
        .stdin("new\n")
        .status(77);
    refused.stderr_is(str![[r#"
error: .env.production.age: none of the new recipients is an identity that opened the store (age155g78f8e…u05d48): this write would lock you out; refused
hint: add your own recipient to the list, or run `envmint rekey ENV --yes` if losing access is intended

"#]]);
    assert_eq!(refused.bytes(STORE), before);
    let dry = refused
        .then()
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    dry.stderr_is(str![[r#"
production: .env.production.age would be re-encrypted to 1 recipient: no recipient pin yet (sealed to 1 now, of the same types; age files do not name their recipients, so one replaced by another cannot be told apart); pins age19n3kxzk5…76mm0y; none of them is an identity that opened it: you would lose access

"#]]);
    // Neither the terminal's "y" nor anything but --yes lets it through.
    let unasked = dry.then().args(["rekey", "production"]).status(2);
    unasked.stderr_is(str![[r#"
production: .env.production.age to be re-encrypted to 1 recipient: no recipient pin yet (sealed to 1 now, of the same types; age files do not name their recipients, so one replaced by another cannot be told apart); pins age19n3kxzk5…76mm0y; none of them is an identity that opened it: you would lose access
error: refusing to rekey: none of the new recipients is an identity that opened the store, so you would lose access to it
hint: add your own recipient to the list, or pass --yes if this is intended

"#]]);
    assert_eq!(unasked.bytes(STORE), before);
    let done = unasked
        .then()
        .args(["rekey", "production", "--yes"])
        .status(0);
    let locked = done
        .then()
        .args(["get", "production", "SECRET_KEY"])
        .status(77);
    let opened = locked
        .then()
        .env("ENVMINT_IDENTITY", "id2.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    assert_eq!(opened.stdout(), "old\n");
}

#[test]
fn fail_a_recipients_file_others_may_write_or_another_user_owns_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (test, _, _) = project();
    let mut out = test.args(["bootstrap", "production"]).status(0);
    let sealed = out.bytes(STORE);
    for (mode, said) in [
        (
            0o664,
            str![[r#"
error: keys/production.txt: the recipients file is writable by its group (mode 0664); refused, as whoever can change it chooses who can read the store
hint: check its recipients, then: chmod go-w keys/production.txt

"#]],
        ),
        (
            0o646,
            str![[r#"
error: keys/production.txt: the recipients file is writable by others (mode 0646); refused, as whoever can change it chooses who can read the store
hint: check its recipients, then: chmod go-w keys/production.txt

"#]],
        ),
    ] {
        let keys = out.path(KEYS);
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(mode)).unwrap();
        let refused = out
            .then()
            .args(["set", "production", "NEW"])
            .stdin("v\n")
            .status(77);
        refused.stderr_is(said);
        out = refused;
    }
    let keys = out.path(KEYS);
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(out.bytes(STORE), sealed);
    if !common::is_root() {
        skip("needs root to give the recipients file to another user");
        return;
    }
    std::os::unix::fs::chown(&keys, Some(65534), None).unwrap();
    let refused = out
        .then()
        .args(["set", "production", "NEW"])
        .stdin("v\n")
        .status(77);
    refused.stderr_is(str![[r#"
error: keys/production.txt: the recipients file is owned by uid 65534, not by you (uid 0) or root; refused, as whoever can change it chooses who can read the store
hint: check its recipients, then take it over: cp keys/production.txt keys/production.txt.new && mv keys/production.txt.new keys/production.txt

"#]]);
    assert_eq!(refused.bytes(STORE), sealed);
    // Root's own file is trusted (as a manifest root owns is).
    std::os::unix::fs::chown(refused.path(KEYS), Some(0), None).unwrap();
    refused
        .then()
        .args(["set", "production", "NEW"])
        .stdin("v\n")
        .status(0);
}

#[test]
fn fail_a_recipients_line_that_does_not_parse_is_named_never_shown() {
    let (test, first, _) = project();
    let out = test
        .write(
            KEYS,
            format!("{first}\nDATABASE_PASSWORD=hunter2-from-the-dotenv\n"),
        )
        .args(["bootstrap", "production"])
        .status(65);
    out.stderr_is(str![[r#"
error: keys/production.txt:2: not a recipient (age1..., an age plugin's age1NAME1..., ssh-ed25519 or ssh-rsa)

"#]]);
    assert!(!out.stderr().contains("hunter2"), "{}", out.stderr());
    assert!(!out.stderr().contains("DATABASE"), "{}", out.stderr());
    assert!(!out.exists(STORE));
}

/// A checked-out repository (`repo/.git`) whose working folder is `repo`, beside a `home` with
/// an SSH key in it; HOME and XDG_CONFIG_HOME point into that home.
fn repository(manifest: Option<&str>) -> Test {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let test = test
        .write("repo/.git/HEAD", "ref: refs/heads/main\n")
        .write("home/.ssh/id_ed25519", VICTIM)
        .chmod("home/.ssh/id_ed25519", 0o600)
        .env("HOME", dir.join("home"))
        .env("XDG_CONFIG_HOME", dir.join("home/.config"))
        .cwd("repo");
    match manifest {
        Some(text) => test.write("repo/envmint.toml", text),
        None => test,
    }
}

const VICTIM: &str =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nnot really\n-----END OPENSSH PRIVATE KEY-----\n";

#[test]
fn fail_a_manifest_file_outside_its_folder_is_refused_unless_the_user_allows_it() {
    // The path is only known once the test folder exists: the manifest is written after.
    let test = repository(None);
    let key = test.dir().join("home/.ssh/id_ed25519");
    let real = std::fs::canonicalize(test.dir()).unwrap();
    let test = test.write(
        "repo/envmint.toml",
        format!(
            "[environments.production]\nfile = \"{}\"\n{SECRETS}",
            key.display()
        ),
    );
    let mut out = test.args(["bootstrap", "production"]).status(77);
    words_are(
        out.stderr(),
        &real,
        &[],
        str![[r#"
error: envmint.toml: `file` of [environments.production] names [DIR]/home/.ssh/id_ed25519, outside the manifest's folder [DIR]/repo; refused: a repository does not choose where envmint reads and writes secrets
hint: if you chose this path, allow it: envmint --allow-outside ..., or add [DIR]/home/.ssh to ~/.config/envmint/allow-outside (one folder per line)

"#]],
    );
    assert_eq!(out.read("home/.ssh/id_ed25519"), VICTIM);
    let refused = out.stderr().to_string();
    // Reads too: get and export never open it.
    for args in [
        &["get", "production", "SECRET_KEY"][..],
        &["export", "production", "--format", "json"],
        &["status"],
    ] {
        let read = out.then().cwd("repo").args(args).status(77);
        // The same refusal as bootstrap's, word for word (asserted above).
        assert_eq!(read.stderr(), refused, "{args:?}");
        assert_eq!(read.stdout(), "");
        out = read;
    }
}

#[test]
fn a_path_outside_is_allowed_by_the_flag_or_the_users_list_never_by_the_repository() {
    let test = repository(None).write("deploy/.keep", "");
    let deploy = test.dir().join("deploy/app.env");
    let test = test.write(
        "repo/envmint.toml",
        format!(
            "[environments.production]\nfile = \"{}\"\n{SECRETS}",
            deploy.display()
        ),
    );
    let refused = test.args(["bootstrap", "production"]).status(77);
    assert!(!refused.exists("deploy/app.env"));
    // A list in the repository counts for nothing.
    let refused = refused
        .then()
        .cwd("repo")
        .write("repo/.config/envmint/allow-outside", "*\n")
        .args(["bootstrap", "production"])
        .status(77);
    let flag = refused
        .then()
        .cwd("repo")
        .args(["--allow-outside", "bootstrap", "production"])
        .status(0);
    assert!(flag.read("deploy/app.env").contains("SECRET_KEY="));
    std::fs::remove_file(flag.path("deploy/app.env")).unwrap();
    let folder = flag.dir().join("deploy");
    let listed = flag
        .then()
        .cwd("repo")
        .write(
            "home/.config/envmint/allow-outside",
            format!("# deploy targets\n{}\n", folder.display()),
        )
        .args(["bootstrap", "production"])
        .status(0);
    assert!(listed.read("deploy/app.env").contains("SECRET_KEY="));
    // A relative line in the list is refused, naming the line.
    let bad = listed
        .then()
        .cwd("repo")
        .write("home/.config/envmint/allow-outside", "deploy\n")
        .args(["bootstrap", "production"])
        .status(65);
    bad.stderr_is(str![[r#"
error: [DIR]/home/.config/envmint/allow-outside:1: not an absolute path (one folder per line, or *)

"#]]);
}

#[test]
fn fail_a_symlink_in_the_repository_cannot_lead_a_write_or_a_read_outside() {
    // No manifest: the built-in preset, whose production file is a committed symlink.
    let test = repository(None);
    std::os::unix::fs::symlink(
        "../home/.ssh/id_ed25519",
        test.dir().join("repo/.env.production.local"),
    )
    .unwrap();
    let out = test
        .args(["set", "production", "SECRET_KEY_BASE"])
        .stdin("x\n")
        .status(77);
    out.stderr_is(str![[r#"
error: <built-in preset>: `file` of [environments.production] names [DIR]/home/.ssh/id_ed25519 ([DIR]/repo/.env.production.local through a symlink), outside the manifest's folder [DIR]/repo; refused: a repository does not choose where envmint reads and writes secrets
hint: if you chose this path, allow it: envmint --allow-outside ..., or add [DIR]/home/.ssh to ~/.config/envmint/allow-outside (one folder per line)

"#]]);
    assert_eq!(out.read("home/.ssh/id_ed25519"), VICTIM);
    let read = out
        .then()
        .cwd("repo")
        .args(["export", "production", "--format", "json"])
        .status(77);
    assert_eq!(read.stdout(), "");

    // A symlinked folder on the way, in a manifest's `file`.
    let test = repository(Some(&format!(
        "[environments.production]\nfile = \"secrets/id_ed25519\"\n{SECRETS}"
    )));
    std::os::unix::fs::symlink("../home/.ssh", test.dir().join("repo/secrets")).unwrap();
    let out = test.args(["bootstrap", "production"]).status(77);
    out.stderr_is(str![[r#"
error: envmint.toml: `file` of [environments.production] names [DIR]/home/.ssh/id_ed25519 ([DIR]/repo/secrets/id_ed25519 through a symlink), outside the manifest's folder [DIR]/repo; refused: a repository does not choose where envmint reads and writes secrets
hint: if you chose this path, allow it: envmint --allow-outside ..., or add [DIR]/home/.ssh to ~/.config/envmint/allow-outside (one folder per line)

"#]]);
    assert_eq!(out.read("home/.ssh/id_ed25519"), VICTIM);
    // A link that stays inside is fine.
    std::fs::remove_file(out.path("repo/secrets")).unwrap();
    std::fs::create_dir(out.path("repo/real")).unwrap();
    std::os::unix::fs::symlink("real", out.path("repo/secrets")).unwrap();
    let ok = out
        .then()
        .cwd("repo")
        .args(["bootstrap", "production"])
        .status(0);
    assert!(ok.read("repo/real/id_ed25519").contains("SECRET_KEY="));
}

#[test]
fn a_manifest_root_owns_outside_any_repository_may_point_anywhere() {
    if !common::is_root() {
        skip("needs root: the manifest must belong to root");
        return;
    }
    // /etc/myapp/envmint.toml writing /srv/myapp/env, as a deploy would: no .git above it.
    let test = Test::new();
    let target = test.dir().join("srv/myapp/env");
    let test = test
        .write("srv/myapp/.keep", "")
        .write(
            "etc/myapp/envmint.toml",
            format!(
                "[environments.production]\nfile = \"{}\"\n{SECRETS}",
                target.display()
            ),
        )
        .cwd("etc/myapp");
    let out = test.args(["bootstrap", "production"]).status(0);
    assert!(out.read("srv/myapp/env").contains("SECRET_KEY="));
    // The same manifest inside a git work tree is a repository's: refused.
    let refused = out
        .then()
        .write("etc/.git/HEAD", "")
        .cwd("etc/myapp")
        .args(["bootstrap", "production"])
        .status(77);
    refused.stderr_is(str![[r#"
error: envmint.toml: `file` of [environments.production] names [DIR]/srv/myapp/env, outside the manifest's folder [DIR]/etc/myapp; refused: a repository does not choose where envmint reads and writes secrets
hint: if you chose this path, allow it: envmint --allow-outside ..., or add [DIR]/srv/myapp to ~/.config/envmint/allow-outside (one folder per line)

"#]]);
}

#[test]
fn fail_a_committed_file_named_like_the_environment_does_not_shadow_it() {
    let (test, first, _) = project();
    let out = test.args(["bootstrap", "production"]).status(0);
    let store = out
        .then()
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    let secret = store.stdout().trim().to_string();
    // A pull request commits `production`, its own ciphertext sealed to the user's key.
    let planted = store
        .then()
        .write("evil.env", "SECRET_KEY=attacker-chosen\n")
        .args(["seal", "-r", &first, "-o", "production", "evil.env"])
        .status(0);
    let out = planted
        .then()
        .args(["unseal", "production", "--stdout"])
        .status(0);
    assert!(out.stdout().contains(&secret), "{}", out.describe());
    assert!(
        !out.stdout().contains("attacker-chosen"),
        "{}",
        out.describe()
    );
    out.stderr_is(str![[r#"
note: `production` is a sealed environment of the manifest, and that is what is unsealed; the file ./production is not read (`envmint unseal ./production` decrypts it)

"#]]);
    // The file stays reachable by a path, and a name the manifest does not define stays a file.
    let out = out.then().args(["unseal", "./production"]).status(0);
    assert_eq!(out.stdout(), "SECRET_KEY=attacker-chosen\n");
    let out = out
        .then()
        .args(["seal", "-r", &first, "-o", "staging", "evil.env"])
        .status(0)
        .then()
        .args(["unseal", "staging"])
        .status(0);
    assert_eq!(out.stdout(), "SECRET_KEY=attacker-chosen\n");
    assert!(!out.stderr().contains("note:"), "{}", out.describe());
}

/// A repository whose plain `production` holds SECRET_KEY, with identity `id.txt` and a
/// committed `out -> ../home/.ssh` (outside the repository). Returns the test, the public key
/// and the resolved `home/.ssh`.
fn repository_with_link_out() -> (Test, String, std::path::PathBuf) {
    let test = repository(Some(&format!(
        "[environments.production]\nfile = \".env.production.local\"\n{SECRETS}"
    )));
    let (test, public) = keygen(test, "id.txt");
    let out = test.cwd("repo").args(["bootstrap", "production"]).status(0);
    std::os::unix::fs::symlink("../home/.ssh", out.path("repo/out")).unwrap();
    let ssh = std::fs::canonicalize(out.path("home/.ssh")).unwrap();
    (out.then().cwd("repo"), public, ssh)
}

#[test]
fn fail_o_through_a_committed_symlink_cannot_write_outside() {
    let (test, public, ssh) = repository_with_link_out();
    let sealed = test
        .args([
            "seal",
            "-r",
            &public,
            "-o",
            "s.age",
            ".env.production.local",
        ])
        .status(0);
    let mut out = sealed;
    let cases: [&[&str]; 5] = [
        &["export", "production", "-f", "dotenv", "-o", "out/x.env"],
        &[
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "out/x.env",
        ],
        &["unseal", "-i", "id.txt", "s.age", "-o", "out/x.env"],
        &["plan", "--all", "-o", "out/x.env"],
        &["--allow-outside", "plan", "--all", "-o", "out/x.env"],
    ];
    for (i, args) in cases.iter().enumerate() {
        let run = out.then().cwd("repo").args(*args);
        if i == 4 {
            // The user allows it: written, where the link leads.
            out = run.status(0);
            assert!(out.exists("home/.ssh/x.env"), "{}", out.describe());
            std::fs::remove_file(out.path("home/.ssh/x.env")).unwrap();
            continue;
        }
        out = run.status(77);
        out.stderr_is(str![[r#"
error: out/x.env leads to [DIR]/home/.ssh/x.env through a symlink, outside [DIR]/repo; refused: a symlink in the repository does not choose where envmint writes secrets
hint: if you chose [DIR]/home/.ssh/x.env, name it as it is, or allow it: envmint --allow-outside ..., or add [DIR]/home/.ssh to ~/.config/envmint/allow-outside (one folder per line)

"#]]);
        assert_eq!(
            common::names(&out.path("home/.ssh")),
            ["id_ed25519"],
            "{args:?}"
        );
    }
    // The same place typed as it is: the user's choice, written.
    let typed = ssh.join("x.env");
    let out = out
        .then()
        .cwd("repo")
        .args(["export", "production", "-f", "dotenv", "-o"])
        .arg(&typed)
        .status(0);
    assert!(out.read("home/.ssh/x.env").contains("SECRET_KEY="));
}

#[test]
fn fail_unseal_env_o_through_a_committed_symlink_cannot_write_outside() {
    let (test, _, _) = project();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = test.args(["bootstrap", "production"]).status(0);
    std::os::unix::fs::symlink(elsewhere.path(), out.path("out")).unwrap();
    let out = out
        .then()
        .args(["unseal", "production", "-o", "out/plain.env"])
        .status(77);
    let elsewhere_path = std::fs::canonicalize(elsewhere.path()).unwrap();
    words_are(
        out.stderr(),
        out.dir(),
        &[("[ELSEWHERE]", elsewhere_path.to_str().unwrap())],
        str![[r#"
error: out/plain.env leads to [ELSEWHERE]/plain.env through a symlink, outside [DIR]; refused: a symlink in the repository does not choose where envmint writes secrets
hint: if you chose [ELSEWHERE]/plain.env, name it as it is, or allow it: envmint --allow-outside ..., or add [ELSEWHERE] to ~/.config/envmint/allow-outside (one folder per line)

"#]],
    );
    assert!(common::names(elsewhere.path()).is_empty());
    // A link that stays inside the folder is followed.
    std::fs::remove_file(out.path("out")).unwrap();
    std::fs::create_dir(out.path("inside")).unwrap();
    std::os::unix::fs::symlink("inside", out.path("out")).unwrap();
    let out = out
        .then()
        .args(["unseal", "production", "-o", "out/plain.env"])
        .status(0);
    assert!(out.read("inside/plain.env").contains("SECRET_KEY="));
}

#[test]
fn fail_a_symlink_into_git_is_refused_after_resolving_it() {
    let test = repository(Some(&format!(
        "[environments.production]\nfile = \"gitdir/config\"\n{SECRETS}"
    )))
    .write("repo/.git/config", "[core]\n\tbare = false\n");
    std::os::unix::fs::symlink(".git", test.dir().join("repo/gitdir")).unwrap();
    let out = test.args(["bootstrap", "production"]).status(77);
    out.stderr_is(str![[r#"
error: envmint.toml: `file` of [environments.production] names [DIR]/repo/.git/config ([DIR]/repo/gitdir/config through a symlink), inside git's folder; refused: envmint never reads or writes secrets in .git
hint: name a dotenv file outside the repository's .git folder, e.g. file = ".env.production.local"

"#]]);
    assert_eq!(out.read("repo/.git/config"), "[core]\n\tbare = false\n");
    // --allow-outside does not open .git: the same refusal, word for word.
    let refused = out.stderr().to_string();
    let out = out
        .then()
        .cwd("repo")
        .args(["--allow-outside", "bootstrap", "production"])
        .status(77);
    assert_eq!(out.stderr(), refused);
    // Nor does -o through the link.
    let out = out
        .then()
        .cwd("repo")
        .write(
            "repo/envmint.toml",
            format!("[environments.production]\nfile = \".env\"\n{SECRETS}"),
        )
        .args(["bootstrap", "production"])
        .status(0)
        .then()
        .cwd("repo")
        .args([
            "export",
            "production",
            "-f",
            "dotenv",
            "-o",
            "gitdir/hooks-x",
        ])
        .status(77);
    out.stderr_is(str![[r#"
error: gitdir/hooks-x leads into git's folder ([DIR]/repo/.git/hooks-x) through a symlink; refused: envmint never writes secrets into .git
hint: name a file outside .git

"#]]);
    assert!(!out.exists("repo/.git/hooks-x"));
}

#[test]
fn fail_an_allow_list_others_could_write_is_refused() {
    let test = repository(None).write("deploy/.keep", "");
    let deploy = test.dir().join("deploy");
    let list = "home/.config/envmint/allow-outside";
    let test = test
        .write(
            "repo/envmint.toml",
            format!(
                "[environments.production]\nfile = \"{}\"\n{SECRETS}",
                deploy.join("app.env").display()
            ),
        )
        .write(list, format!("{}\n", deploy.display()))
        .chmod(list, 0o666);
    let out = test.args(["bootstrap", "production"]).status(77);
    out.stderr_is(str![[r#"
error: [DIR]/home/.config/envmint/allow-outside: the allow list is not used: its group and others may write to it (mode 0666)
hint: the list must be yours and writable by you alone: chown $(id -u) and chmod go-w it (ls -ld [DIR]/home/.config/envmint/allow-outside [DIR]/home/.config/envmint/allow-outside/..)

"#]]);
    assert!(!out.exists("deploy/app.env"));
    // Its folder writable by others: refused too.
    let out = out
        .then()
        .cwd("repo")
        .chmod(list, 0o600)
        .chmod("home/.config/envmint", 0o777)
        .args(["bootstrap", "production"])
        .status(77);
    out.stderr_is(str![[r#"
error: [DIR]/home/.config/envmint/allow-outside: the allow list is not used: its folder [DIR]/home/.config/envmint: its group and others may write to it (mode 0777)
hint: the list must be yours and writable by you alone: chown $(id -u) and chmod go-w it (ls -ld [DIR]/home/.config/envmint/allow-outside [DIR]/home/.config/envmint/allow-outside/..)

"#]]);
    let out = out
        .then()
        .cwd("repo")
        .chmod("home/.config/envmint", 0o700)
        .args(["bootstrap", "production"])
        .status(0);
    assert!(out.read("deploy/app.env").contains("SECRET_KEY="));
    if !common::is_root() {
        skip("needs root to give the list to another user");
        return;
    }
    std::os::unix::fs::chown(out.path(list), Some(65534), Some(65534)).unwrap();
    let out = out
        .then()
        .cwd("repo")
        .args(["bootstrap", "production"])
        .status(77);
    out.stderr_is(str![[r#"
error: [DIR]/home/.config/envmint/allow-outside: the allow list is not used: it belongs to uid 65534, not to you (uid 0)
hint: the list must be yours and writable by you alone: chown $(id -u) and chmod go-w it (ls -ld [DIR]/home/.config/envmint/allow-outside [DIR]/home/.config/envmint/allow-outside/..)

"#]]);
}

#[test]
fn fail_a_folder_symlink_another_user_owns_is_not_followed() {
    if !common::is_root() {
        skip("needs root to plant another user's symlink");
        return;
    }
    let test = repository(Some(&format!(
        "[environments.production]\nfile = \"shared/.env\"\n{SECRETS}"
    )))
    .write("repo/real/.keep", "");
    let link = test.dir().join("repo/shared");
    std::os::unix::fs::symlink("real", &link).unwrap();
    std::os::unix::fs::lchown(&link, Some(65534), Some(65534)).unwrap();
    let out = test.args(["bootstrap", "production"]).status(77);
    // Its words are report/'s every_file_problem_has_its_sentence (UntrustedSymlink).
    assert!(!out.exists("repo/real/.env"));
}

#[test]
fn fail_a_store_renamed_away_with_a_recipient_added_is_not_created_again_silently() {
    let (test, first, second) = project();
    let out = test.args(["bootstrap", "production"]).status(0);
    let out = out.then().args(["unseal", "production"]).status(0);
    let out = out
        .then()
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    let secret = out.stdout().trim().to_string();
    // A pull request renames the store away and adds its author's key.
    let renamed = ".env.production.v2.age";
    let out = out
        .then()
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \"{renamed}\"\n\
                 recipients_file = \"{KEYS}\"\n{SECRETS}"
            ),
        )
        .write(KEYS, format!("# ops\n{first}\n{second}\n"));
    let mut out = out;
    let writes: [&[&str]; 3] = [
        &["bootstrap", "production"],
        &["set", "production", "NEW"],
        &["seal", "production"],
    ];
    for args in writes {
        let run = out.stdin("v\n").args(args).status(77);
        run.stderr_is(str![[r#"
error: .env.production.v2.age does not exist, but .env.production.local was unsealed from a sealed store: a new store would be sealed to the manifest's 2 recipients (age155g78f8e…u05d48, age19n3kxzk5…76mm0y), whoever the list names now; refused
hint: restore the sealed file if it was renamed or deleted (a pull request?: git log --stat -- '*.age'); to start a new store from the plaintext, check the recipients and run `envmint rekey ENV`, which shows them and asks first

"#]]);
        assert!(!run.exists(renamed), "{}", run.describe());
        out = run.then();
    }
    // rekey shows who the new store is for, and creates it only when told.
    let dry = out.args(["rekey", "production", "--dry-run"]).status(0);
    dry.stderr_is(str![[r#"
production: .env.production.v2.age does not exist, and .env.production.local was unsealed from a sealed store: a new store would be sealed to 2 recipients: age155g78f8e…u05d48, age19n3kxzk5…76mm0y

"#]]);
    assert!(!dry.exists(renamed));
    let refused = dry.then().args(["rekey", "production"]).status(2);
    refused.stderr_is(str![[r#"
production: .env.production.v2.age does not exist, and .env.production.local was unsealed from a sealed store: a new store to be sealed to 2 recipients: age155g78f8e…u05d48, age19n3kxzk5…76mm0y
error: refusing to change who can decrypt the store without --yes (no terminal to ask)
hint: check the recipients above (a pull request may have added one), then run `envmint rekey ... --yes`

"#]]);
    assert!(!refused.exists(renamed));
    let made = refused
        .then()
        .args(["rekey", "production", "--yes"])
        .status(0);
    made.stderr_is(str![[r#"
production: .env.production.v2.age does not exist, and .env.production.local was unsealed from a sealed store: a new store to be sealed to 2 recipients: age155g78f8e…u05d48, age19n3kxzk5…76mm0y
production: .env.production.v2.age created from .env.production.local, sealed to 2 recipients and pinned

"#]]);
    let got = made
        .then()
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    assert_eq!(got.stdout().trim(), secret);
    // A plaintext file that was never unsealed (an environment sealed for the first time) is
    // imported as before.
    let fresh = got
        .then()
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \"fresh.age\"\n\
                 recipients_file = \"{KEYS}\"\n{SECRETS}"
            ),
        )
        .write(
            ".env.production.local",
            format!("SECRET_KEY={}\n", "ab".repeat(32)),
        )
        .args(["bootstrap", "production"])
        .status(0);
    assert!(fresh.exists("fresh.age"));
    // Said as what it is: a store created from the plaintext, not "unchanged".
    fresh.stderr_is(str![[r#"
using envmint.toml
production: fresh.age (created from its plaintext file, 1 key, mode 0600)
  kept      SECRET_KEY  hex       256 bits, checked

"#]]);
}

/// Runs git in `dir` with no user or system configuration but a committer.
fn git_in(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fail_a_committed_symlink_into_a_tracked_file_is_never_written_through() {
    if !have("git") {
        return skip("git is not installed");
    }
    const EXAMPLE: &str = "SECRET_KEY=\n";
    let test = Test::new()
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nfile = \".env.production.local\"\n\
                 [environments.staging]\nfile = \"conf/app.env\"\n\
                 [environments.development]\nfile = \".env.development.local\"\n{SECRETS}"
            ),
        )
        .write(".env.example", EXAMPLE)
        .write("config/app.env", EXAMPLE)
        .write("shared/dev.env", "");
    let dir = test.dir().to_path_buf();
    // The repository's links: one to a tracked file, one to a tracked file's folder.
    std::os::unix::fs::symlink(".env.example", dir.join(".env.production.local")).unwrap();
    std::os::unix::fs::symlink("config", dir.join("conf")).unwrap();
    // A deploy layout's link to a file git does not track is the user's, and followed.
    std::os::unix::fs::symlink("shared/dev.env", dir.join(".env.development.local")).unwrap();
    git_in(&dir, &["init", "-q"]);
    git_in(
        &dir,
        &[
            "add",
            "envmint.toml",
            ".env.example",
            ".env.production.local",
            "conf",
            "config/app.env",
        ],
    );
    git_in(&dir, &["commit", "-q", "-m", "hostile"]);

    let mut out = test.args(["bootstrap", "production"]).status(77);
    out.stderr_is(str![[r#"
warning: .env.production.local is tracked by git: the secrets written to it go into the next commit
hint: git rm --cached .env.production.local, and add it to .gitignore
error: .env.production.local leads through a symlink to .env.example, which git tracks; refused: the secrets written there would go into the next commit
hint: replace the link with a file of its own (rm .env.production.local; git rm --cached it if it is committed), or point the manifest elsewhere; to write into .env.example anyway, name it itself (-o .env.example, where the command has -o)

"#]]);
    for (args, said) in [
        (
            &["set", "production", "SECRET_KEY"][..],
            str![[r#"
error: .env.production.local leads through a symlink to .env.example, which git tracks; refused: the secrets written there would go into the next commit
hint: replace the link with a file of its own (rm .env.production.local; git rm --cached it if it is committed), or point the manifest elsewhere; to write into .env.example anyway, name it itself (-o .env.example, where the command has -o)

"#]],
        ),
        (
            &["bootstrap", "staging"],
            str![[r#"
warning: conf/app.env is tracked by git: the secrets written to it go into the next commit
hint: git rm --cached conf/app.env, and add it to .gitignore
error: conf/app.env leads through a symlink to config/app.env, which git tracks; refused: the secrets written there would go into the next commit
hint: a folder on the way to conf/app.env is a symlink into files git tracks: make it a folder of its own, or point the manifest elsewhere; to write into config/app.env anyway, name it itself (-o config/app.env, where the command has -o)

"#]],
        ),
        (
            &["set", "staging", "SECRET_KEY"],
            str![[r#"
error: conf/app.env leads through a symlink to config/app.env, which git tracks; refused: the secrets written there would go into the next commit
hint: a folder on the way to conf/app.env is a symlink into files git tracks: make it a folder of its own, or point the manifest elsewhere; to write into config/app.env anyway, name it itself (-o config/app.env, where the command has -o)

"#]],
        ),
    ] {
        out = out.then().args(args).stdin("typed-value-1234\n").status(77);
        out.stderr_is(said);
    }
    assert_eq!(out.read(".env.example"), EXAMPLE);
    assert_eq!(out.read("config/app.env"), EXAMPLE);
    let out = out.then().args(["bootstrap", "development"]).status(0);
    assert!(out.read("shared/dev.env").contains("SECRET_KEY="));
    // The tracked file named as it is: the manifest's (and the user's) choice, with a warning.
    let out = out
        .then()
        .write(
            "envmint.toml",
            format!("[environments.production]\nfile = \".env.example\"\n{SECRETS}"),
        )
        .args(["bootstrap", "production"])
        .status(0);
    out.stderr_is(str![[r#"
warning: .env.example is tracked by git: the secrets written to it go into the next commit
hint: git rm --cached .env.example, and add it to .gitignore
using envmint.toml
production: .env.example (1 of 1 key filled, mode 0644 -> 0600)
  filled    SECRET_KEY  hex       256 bits

"#]]);
    assert!(out.read(".env.example").contains("SECRET_KEY="));
}

#[test]
fn fail_keygen_o_through_a_committed_symlink_cannot_write_outside() {
    let (test, _, ssh) = repository_with_link_out();
    let out = test.args(["keygen", "-o", "out/new.key"]).status(77);
    out.stderr_is(str![[r#"
error: out/new.key leads to [DIR]/home/.ssh/new.key through a symlink, outside [DIR]/repo; refused: a symlink in the repository does not choose where envmint writes secrets
hint: if you chose [DIR]/home/.ssh/new.key, name it as it is, or allow it: envmint --allow-outside ..., or add [DIR]/home/.ssh to ~/.config/envmint/allow-outside (one folder per line)

"#]]);
    assert_eq!(common::names(&out.path("home/.ssh")), ["id_ed25519"]);
    // A dangling link named as the key file is never followed into a new file.
    std::os::unix::fs::symlink("../home/.ssh/planted.key", out.path("repo/me.key")).unwrap();
    let out = out
        .then()
        .cwd("repo")
        .args(["keygen", "-o", "me.key"])
        .run();
    assert_ne!(out.code(), 0);
    out.stderr_is(str![[r#"
error: me.key leads to [DIR]/home/.ssh/planted.key through a symlink, outside [DIR]/repo; refused: a symlink in the repository does not choose where envmint writes secrets
hint: if you chose [DIR]/home/.ssh/planted.key, name it as it is, or allow it: envmint --allow-outside ..., or add [DIR]/home/.ssh to ~/.config/envmint/allow-outside (one folder per line)

"#]]);
    assert_eq!(common::names(&out.path("home/.ssh")), ["id_ed25519"]);
    // Inside the folder, and as typed outside it: written 0600, never over an existing file.
    let out = out
        .then()
        .cwd("repo")
        .args(["keygen", "-o", "keys/me.key"])
        .status(0);
    assert_eq!(out.mode("repo/keys/me.key"), 0o600);
    assert!(out.read("repo/keys/me.key").contains("AGE-SECRET-KEY-1"));
    let before = out.read("repo/keys/me.key");
    let out = out
        .then()
        .cwd("repo")
        .args(["keygen", "-o", "keys/me.key"])
        .status(73);
    // Its words are seal.rs's keygen_never_overwrites_an_existing_file.
    assert_eq!(out.read("repo/keys/me.key"), before);
    let typed = ssh.join("typed.key");
    let out = out
        .then()
        .cwd("repo")
        .args(["keygen", "-o"])
        .arg(&typed)
        .status(0);
    assert_eq!(out.mode("home/.ssh/typed.key"), 0o600);
}
