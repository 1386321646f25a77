//! A repository as an adversary (issue 15): the recipients pinned inside a sealed store, a
//! write that would lock its writer out, the owner and mode of a recipients file, recipient
//! errors that never print a line, and writes that stay inside the manifest's folder.

use crate::common;

use common::{Output, Test, assert_stderr_has, keygen, skip};
use std::process::Command;

const SECRETS: &str = "[secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n";
const STORE: &str = ".env.production.age";
const KEYS: &str = "keys/production.txt";

/// A folder with identity `id.txt` (ENVMINT_IDENTITY), a second identity `id2.txt`, and a
/// manifest whose `production` is sealed to the recipients in `keys/production.txt`, which
/// holds the first. Returns both public keys.
fn project() -> (Test, String, String) {
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let (test, first) = keygen(test, "id.txt");
    let (test, second) = keygen(test, "id2.txt");
    let test = test
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

/// A public key as messages shorten it.
fn short(key: &str) -> String {
    format!("{}…{}", &key[..12], &key[key.len() - 6..])
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
        assert_stderr_has(
            &out,
            &format!(
                "error: {STORE}: the manifest's recipients differ from those pinned in the store: \
                 it adds {}; refused",
                short(&second)
            ),
        );
        assert_stderr_has(&out, "envmint rekey ENV");
        assert_eq!(out.bytes(STORE), sealed, "{args:?} wrote the store");
    }
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
    assert_stderr_has(&applied, &format!("adds {}", short(&second)));
    assert_eq!(applied.bytes(STORE), sealed);

    // Removed from the list: named too.
    let removed = applied
        .then()
        .write(KEYS, format!("{second}\n"))
        .args(["set", "production", "NEW"])
        .stdin("v\n")
        .status(77);
    assert_stderr_has(
        &removed,
        &format!("it adds {} and removes {}", short(&second), short(&first)),
    );

    // rekey shows the change and applies it with --yes; writes work again after it.
    let rekeyed = removed
        .then()
        .write(KEYS, format!("# ops\n{first}\n{second}\n"))
        .args(["rekey", "production", "--yes"])
        .status(0);
    assert_stderr_has(&rekeyed, &format!("adds {}", short(&second)));
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
    assert_stderr_has(
        &refused,
        &format!(
            "error: {STORE}: production's store has no recipient pin: its recipients were never \
             confirmed, and a write would pin it to the manifest's 1 recipient"
        ),
    );
    assert_stderr_has(&refused, "envmint rekey production --yes");
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
    assert_stderr_has(
        &refused,
        "the store has no recipient pin yet, and it is sealed to 1 recipient(s) (X25519) where \
         the manifest lists 2",
    );
    assert_eq!(refused.bytes(STORE), before);
    let dry = refused
        .then()
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    assert_stderr_has(
        &dry,
        "no recipient pin yet (sealed to 1 now: 1 X25519 recipient(s) added)",
    );
    assert_eq!(dry.bytes(STORE), before);
    let rekeyed = dry.then().args(["rekey", "production", "--yes"]).status(0);
    assert_stderr_has(&rekeyed, "re-encrypted to 2 recipients and pinned");
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
    assert_stderr_has(
        &refused,
        &format!(
            "none of the new recipients is an identity that opened the store ({}): this write \
             would lock you out",
            short(&first)
        ),
    );
    assert_eq!(refused.bytes(STORE), before);
    let dry = refused
        .then()
        .args(["rekey", "production", "--dry-run"])
        .status(0);
    assert_stderr_has(&dry, "you would lose access");
    // Neither the terminal's "y" nor anything but --yes lets it through.
    let unasked = dry.then().args(["rekey", "production"]).status(2);
    assert_stderr_has(&unasked, "you would lose access to it");
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
    for (mode, who) in [(0o664, "its group"), (0o646, "others")] {
        let keys = out.path(KEYS);
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(mode)).unwrap();
        let refused = out
            .then()
            .args(["set", "production", "NEW"])
            .stdin("v\n")
            .status(77);
        assert_stderr_has(
            &refused,
            &format!(
                "error: {KEYS}: the recipients file is writable by {who} (mode {mode:04o}); refused"
            ),
        );
        assert_stderr_has(
            &refused,
            &format!("hint: check its recipients, then: chmod go-w {KEYS}"),
        );
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
    assert_stderr_has(
        &refused,
        &format!(
            "error: {KEYS}: the recipients file is owned by uid 65534, not by you (uid 0) or root"
        ),
    );
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
    assert_stderr_has(&out, &format!("error: {KEYS}:2: not a recipient"));
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
    assert_stderr_has(
        &out,
        &format!(
            "error: envmint.toml: `file` of [environments.production] names {}, outside the \
             manifest's folder {}; refused",
            real.join("home/.ssh/id_ed25519").display(),
            real.join("repo").display()
        ),
    );
    assert_stderr_has(
        &out,
        "hint: if you chose this path, allow it: envmint --allow-outside",
    );
    assert_eq!(out.read("home/.ssh/id_ed25519"), VICTIM);
    // Reads too: get and export never open it.
    for args in [
        &["get", "production", "SECRET_KEY"][..],
        &["export", "production", "--format", "json"],
        &["status"],
    ] {
        let read = out.then().cwd("repo").args(args).status(77);
        assert_stderr_has(&read, "outside the manifest's folder");
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
    assert_stderr_has(&bad, "allow-outside:1: not an absolute path");
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
    assert_stderr_has(
        &out,
        ".env.production.local through a symlink), outside the manifest's folder",
    );
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
    assert_stderr_has(&out, "id_ed25519 through a symlink), outside");
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
    assert_stderr_has(&refused, "outside the manifest's folder");
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
    assert_stderr_has(
        &out,
        "note: `production` is a sealed environment of the manifest, and that is what is \
         unsealed; the file ./production is not read (`envmint unseal ./production` decrypts it)",
    );
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
        assert_stderr_has(
            &out,
            &format!(
                "error: out/x.env leads to {} through a symlink, outside {}; refused",
                ssh.join("x.env").display(),
                ssh.parent()
                    .unwrap()
                    .parent()
                    .unwrap()
                    .join("repo")
                    .display()
            ),
        );
        assert_stderr_has(&out, "hint: if you chose");
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
    assert_stderr_has(&out, "error: out/plain.env leads to ");
    assert_stderr_has(&out, "through a symlink, outside");
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
    assert_stderr_has(&out, "`file` of [environments.production] names ");
    assert_stderr_has(&out, "inside git's folder; refused");
    assert_eq!(out.read("repo/.git/config"), "[core]\n\tbare = false\n");
    // --allow-outside does not open .git.
    let out = out
        .then()
        .cwd("repo")
        .args(["--allow-outside", "bootstrap", "production"])
        .status(77);
    assert_stderr_has(&out, "inside git's folder; refused");
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
    assert_stderr_has(&out, "error: gitdir/hooks-x leads into git's folder (");
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
    assert_stderr_has(
        &out,
        "allow-outside: the allow list is not used: its group and others may write to it \
         (mode 0666)",
    );
    assert_stderr_has(
        &out,
        "hint: the list must be yours and writable by you alone",
    );
    assert!(!out.exists("deploy/app.env"));
    // Its folder writable by others: refused too.
    let out = out
        .then()
        .cwd("repo")
        .chmod(list, 0o600)
        .chmod("home/.config/envmint", 0o777)
        .args(["bootstrap", "production"])
        .status(77);
    assert_stderr_has(&out, "the allow list is not used: its folder ");
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
    assert_stderr_has(&out, "it belongs to uid 65534, not to you (uid 0)");
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
    assert_stderr_has(
        &out,
        "shared: cannot follow the symlink: it is owned by uid 65534",
    );
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
    let mut both = [first.clone(), second.clone()];
    both.sort();
    let both = format!("{}, {}", short(&both[0]), short(&both[1]));
    let mut out = out;
    let writes: [&[&str]; 3] = [
        &["bootstrap", "production"],
        &["set", "production", "NEW"],
        &["seal", "production"],
    ];
    for args in writes {
        let run = out.stdin("v\n").args(args).status(77);
        assert_stderr_has(
            &run,
            &format!(
                "error: {renamed} does not exist, but .env.production.local was unsealed from a \
                 sealed store: a new store would be sealed to the manifest's 2 recipients \
                 ({both}), whoever the list names now; refused"
            ),
        );
        assert_stderr_has(&run, "envmint rekey ENV");
        assert!(!run.exists(renamed), "{}", run.describe());
        out = run.then();
    }
    // rekey shows who the new store is for, and creates it only when told.
    let dry = out.args(["rekey", "production", "--dry-run"]).status(0);
    assert_stderr_has(
        &dry,
        &format!(
            "production: {renamed} does not exist, and .env.production.local was unsealed from \
             a sealed store: a new store would be sealed to 2 recipients: {both}"
        ),
    );
    assert!(!dry.exists(renamed));
    let refused = dry.then().args(["rekey", "production"]).status(2);
    assert!(!refused.exists(renamed));
    let made = refused
        .then()
        .args(["rekey", "production", "--yes"])
        .status(0);
    assert_stderr_has(
        &made,
        &format!(
            "production: {renamed} created from .env.production.local, sealed to 2 recipients"
        ),
    );
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
    assert_stderr_has(
        &fresh,
        "production: fresh.age (created from its plaintext file, 1 key, mode 0600)",
    );
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
    assert_stderr_has(
        &out,
        &format!(
            "error: .env.production.local leads through a symlink to {}, which git tracks; \
             refused: the secrets written there would go into the next commit",
            dir.join(".env.example").display()
        ),
    );
    assert_stderr_has(&out, "hint: replace the link with a file of its own");
    for args in [
        &["set", "production", "SECRET_KEY"][..],
        &["bootstrap", "staging"],
        &["set", "staging", "SECRET_KEY"],
    ] {
        out = out.then().args(args).stdin("typed-value-1234\n").status(77);
        assert_stderr_has(&out, "which git tracks; refused");
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
    assert_stderr_has(&out, "warning: .env.example is tracked by git");
    assert!(out.read(".env.example").contains("SECRET_KEY="));
}

#[test]
fn fail_keygen_o_through_a_committed_symlink_cannot_write_outside() {
    let (test, _, ssh) = repository_with_link_out();
    let out = test.args(["keygen", "-o", "out/new.key"]).status(77);
    assert_stderr_has(
        &out,
        &format!(
            "error: out/new.key leads to {} through a symlink, outside",
            ssh.join("new.key").display()
        ),
    );
    assert_eq!(common::names(&out.path("home/.ssh")), ["id_ed25519"]);
    // A dangling link named as the key file is never followed into a new file.
    std::os::unix::fs::symlink("../home/.ssh/planted.key", out.path("repo/me.key")).unwrap();
    let out = out
        .then()
        .cwd("repo")
        .args(["keygen", "-o", "me.key"])
        .run();
    assert_ne!(out.code(), 0);
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
    assert_stderr_has(&out, "already exists; keygen never overwrites a key");
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
