//! Teams in git, with real git: `envmint git setup` (attributes and repository-local config),
//! the per-key merge driver through `git merge`, `git rebase` and `git cherry-pick`, and the
//! textconv through `git diff`. Every check reads what git did, never only what envmint says.

use crate::common::{BIN, words_are};
use snapbox::str;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A manifest with `production` sealed to `public`: SESSION rotates with a 7-day overlap into
/// SESSION_PREVIOUS; API_TOKEN and WEBHOOK are external (given with `set`).
fn manifest(public: &str) -> String {
    format!(
        "[environments.production]\nsealed = \".env.production.age\"\n\
         recipients = [\"{public}\"]\n\n\
         [secrets.SESSION]\nkind = \"hex\"\nbytes = 16\noverlap = \"7d\"\n\n\
         [secrets.API_TOKEN]\nexternal = true\n\n[secrets.WEBHOOK]\nexternal = true\n"
    )
}

/// A repository with a sealed `production` committed on `main`, set up by `envmint git setup
/// --config`. Nothing of the machine's git or envmint configuration is seen.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::Builder::new()
            .prefix("envmint-teams-")
            .tempdir()
            .unwrap();
        let repo = Repo { dir };
        repo.git_ok(&["init", "-q", "-b", "main"]);
        let out = repo.envmint(&["keygen", "-o", "id.txt"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let public = text(&out.stderr)
            .trim()
            .strip_prefix("Public key: ")
            .unwrap()
            .to_string();
        std::fs::write(repo.path("envmint.toml"), manifest(&public)).unwrap();
        std::fs::write(repo.path(".gitignore"), "id.txt\n.git-home/\n").unwrap();
        repo.ok(&["git", "setup", "--config"]);
        repo.ok(&["bootstrap", "production"]);
        repo.set("API_TOKEN", "token-zero");
        repo.git_ok(&["add", "-A"]);
        repo.git_ok(&["commit", "-q", "-m", "start"]);
        repo
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// The environment every process gets: the identity, and homes inside the test folder.
    fn isolate(&self, cmd: &mut Command) {
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("ENVMINT_") || k.starts_with("GIT_") {
                cmd.env_remove(&key);
            }
        }
        let home = self.path(".git-home");
        cmd.current_dir(self.dir.path())
            .env("ENVMINT_IDENTITY", self.path("id.txt"))
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .env("GIT_EDITOR", "true");
    }

    fn envmint(&self, args: &[&str], stdin: Option<&str>) -> Output {
        use std::io::Write;
        let mut cmd = Command::new(BIN);
        cmd.args(args);
        self.isolate(&mut cmd);
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.envmint(args, None);
        assert!(
            out.status.success(),
            "envmint {args:?}: {}",
            text(&out.stderr)
        );
        out
    }

    #[track_caller]
    fn set(&self, key: &str, value: &str) {
        let out = self.envmint(&["set", "production", key], Some(value));
        assert!(out.status.success(), "set {key}: {}", text(&out.stderr));
    }

    #[track_caller]
    fn get(&self, key: &str) -> String {
        let out = self.ok(&["get", "production", key]);
        text(&out.stdout).trim_end().to_string()
    }

    fn git(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.args(args);
        self.isolate(&mut cmd);
        cmd.output().unwrap()
    }

    #[track_caller]
    fn git_ok(&self, args: &[&str]) -> Output {
        let out = self.git(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        out
    }

    /// Commits everything on a new branch `name` made from `from`, after `change`.
    fn branch(&self, name: &str, from: &str, change: impl FnOnce(&Repo)) {
        self.git_ok(&["checkout", "-q", "-b", name, from]);
        change(self);
        self.git_ok(&["commit", "-q", "-am", name]);
    }

    /// Every file of the work tree (outside .git), with its bytes.
    fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts that `said` (what envmint, or git running envmint as its driver or hook, wrote in
/// `repo`) is word for word `expected`, the folder written `[DIR]` and each of `named` (text a
/// run makes afresh, such as a new key) as its placeholder.
#[track_caller]
fn said_is(
    repo: &Repo,
    said: &[u8],
    named: &[(&'static str, &str)],
    expected: impl snapbox::data::IntoData,
) {
    words_are(&text(said), repo.dir.path(), named, expected);
}

#[test]
fn setup_writes_attributes_and_local_config_only() {
    let repo = Repo::new();
    let attributes = std::fs::read_to_string(repo.path(".gitattributes")).unwrap();
    assert!(
        attributes.contains("/.env.production.age merge=envmint diff=envmint\n"),
        "{attributes}"
    );
    let driver = repo.git_ok(&["config", "--local", "merge.envmint.driver"]);
    assert!(text(&driver.stdout).contains(" git merge %O %A %B %P"));
    let attr = repo.git_ok(&["check-attr", "merge", "diff", "--", ".env.production.age"]);
    assert_eq!(
        text(&attr.stdout),
        ".env.production.age: merge: envmint\n.env.production.age: diff: envmint\n"
    );
    // Nothing outside the repository: the (isolated) global config does not exist.
    assert!(!repo.path(".git-home/.gitconfig").exists());
    assert!(!repo.path(".git-home/config/git").exists());
    // Again: nothing changes.
    let before = std::fs::read(repo.path(".gitattributes")).unwrap();
    let out = repo.ok(&["git", "setup", "--config"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name: already set
git config --local merge.envmint.driver: already set
git config --local diff.envmint.textconv: already set

"#]],
    );
    assert_eq!(std::fs::read(repo.path(".gitattributes")).unwrap(), before);
    // Everything in place: no hint to pass --config; the same words as with it.
    let again = out.stderr;
    let out = repo.ok(&["git", "setup"]);
    assert!(
        !text(&out.stderr).contains("hint:"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stderr), text(&again));
    // Without --config, nothing is written to .git/config and it says what would be.
    let fresh = Repo::new();
    fresh.git_ok(&["config", "--local", "--unset", "diff.envmint.textconv"]);
    let out = fresh.ok(&["git", "setup"]);
    said_is(
        &fresh,
        &out.stderr,
        &[("[BIN]", BIN)],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name: already set
git config --local merge.envmint.driver: already set
not set: git config --local diff.envmint.textconv '[BIN] git diff'
hint: pass --config to write these into this repository's .git/config (never ~/.gitconfig); until then git merges and diffs the stores as binary files

"#]],
    );
    assert!(
        fresh
            .git(&["config", "--local", "diff.envmint.textconv"])
            .status
            .code()
            == Some(1)
    );
}

#[test]
fn branches_setting_different_keys_merge_with_both_values() {
    let repo = Repo::new();
    repo.branch("a", "main", |r| r.set("WEBHOOK", "webhook-from-a"));
    repo.branch("b", "main", |r| r.set("API_TOKEN", "token-from-b"));
    let out = repo.git_ok(&["merge", "--no-edit", "a"]);
    // The driver's words (git's own are on stdout).
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
envmint: .env.production.age: merged per key, sealed to 1 recipient: 1 key from theirs (WEBHOOK)

"#]],
    );
    assert_eq!(repo.get("WEBHOOK"), "webhook-from-a");
    assert_eq!(repo.get("API_TOKEN"), "token-from-b");
    // Still sealed, still pinned: another write works without rekey.
    repo.set("WEBHOOK", "after-merge");
    let raw = std::fs::read(repo.path(".env.production.age")).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1\n"));
    // No plaintext anywhere in the work tree.
    for (path, bytes) in repo.files() {
        let t = text(&bytes);
        for value in ["webhook-from-a", "token-from-b", "after-merge"] {
            assert!(!t.contains(value), "{} holds {value}", path.display());
        }
    }
}

/// A value the other branch changed without a new record (here by `envmint edit`; a forged
/// store looks the same) is merged, and named in a warning with what to do; a value `set`
/// there (a new record) is not named.
#[test]
fn a_value_changed_on_theirs_without_a_new_record_is_named_by_the_merge() {
    let repo = Repo::new();
    repo.branch("hand", "main", |r| {
        let mut cmd = Command::new(BIN);
        r.isolate(&mut cmd);
        let out = cmd
            .args(["edit", "production"])
            .env("EDITOR", "sed -i s/token-zero/token-by-hand/")
            .env("VISUAL", "sed -i s/token-zero/token-by-hand/")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        r.set("WEBHOOK", "webhook-set-there");
    });
    repo.branch("b", "main", |r| {
        r.set("SESSION", "0123456789abcdef0123456789abcdef")
    });
    let out = repo.git_ok(&["merge", "--no-edit", "hand"]);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
envmint: .env.production.age: merged per key, sealed to 1 recipient: 2 keys from theirs (API_TOKEN, WEBHOOK)
warning: .env.production.age: 1 value changed on theirs with no new `# envmint:` record (API_TOKEN): envmint records every value it sets, so it was changed by `envmint edit`, by hand, or forged
hint: check who changed it and why (git log -p -- .env.production.age); if it is not yours to trust, set it again: envmint set production KEY

"#]],
    );
    assert!(
        !said.contains("token-by-hand") && !said.contains("webhook-set"),
        "{said}"
    );
    assert_eq!(repo.get("API_TOKEN"), "token-by-hand");
    assert_eq!(repo.get("WEBHOOK"), "webhook-set-there");
}

#[test]
fn two_rotations_keep_the_newer_value_and_the_older_as_previous() {
    let repo = Repo::new();
    let mut values = Vec::new();
    for (name, at) in [
        ("early", "2027-03-01T00:00:00Z"),
        ("late", "2027-03-04T00:00:00Z"),
    ] {
        repo.branch(name, "main", |r| {
            r.ok(&["rotate", "--key", "SESSION", "--at", at]);
        });
        values.push(repo.get("SESSION"));
    }
    // Merge the older rotation into the newer one, and the other way round.
    repo.git_ok(&["checkout", "-q", "late"]);
    repo.git_ok(&["checkout", "-q", "-b", "into-late"]);
    let out = repo.git_ok(&["merge", "--no-edit", "early"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
envmint: .env.production.age: merged per key, sealed to 1 recipient: 1 key rotated on both, the newer value kept (SESSION: newer on ours, older kept as SESSION_PREVIOUS)

"#]],
    );
    assert_eq!(repo.get("SESSION"), values[1]);
    assert_eq!(repo.get("SESSION_PREVIOUS"), values[0]);
    repo.git_ok(&["checkout", "-q", "-b", "into-early", "early"]);
    let out = repo.git_ok(&["merge", "--no-edit", "late"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
envmint: .env.production.age: merged per key, sealed to 1 recipient: 1 key rotated on both, the newer value kept (SESSION: newer on theirs, older kept as SESSION_PREVIOUS)

"#]],
    );
    assert_eq!(repo.get("SESSION"), values[1]);
    assert_eq!(repo.get("SESSION_PREVIOUS"), values[0]);
    // The retired value's record dates it at the newer rotation, with the 7-day overlap.
    let diff = text(&repo.git_ok(&["show", "--format=", "HEAD"]).stdout);
    assert!(
        diff.contains("+SESSION_PREVIOUS=<")
            && diff.contains("retired=2027-03-04T00:00:00Z expires=2027-03-11T00:00:00Z"),
        "{diff}"
    );
}

#[test]
fn conflicting_sets_fail_the_merge_name_the_key_and_leave_the_store() {
    let repo = Repo::new();
    repo.branch("a", "main", |r| {
        r.set("API_TOKEN", "value-a-7f3e");
        r.set("FROM_A", "from-a-5b2e");
    });
    repo.branch("b", "main", |r| {
        r.set("API_TOKEN", "value-b-9c1d");
        r.set("WEBHOOK", "webhook-b");
    });
    let out = repo.git(&["merge", "--no-edit", "a"]);
    assert!(!out.status.success());
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
error: .env.production.age: both branches gave API_TOKEN different values; envmint cannot choose
envmint: .env.production.age: every other key merged per key: 1 key from theirs (FROM_A)
hint: the file keeps your branch's value of that key and git marks it conflicted; set each with `envmint set production KEY` (or `envmint edit production`), then `git add .env.production.age`

"#]],
    );
    for value in [
        "value-a-7f3e",
        "value-b-9c1d",
        "webhook-b",
        "from-a-5b2e",
        "token-zero",
    ] {
        assert!(!said.contains(value), "{said}");
    }
    // Nothing plaintext was left anywhere.
    for (path, bytes) in repo.files() {
        let t = text(&bytes);
        for value in ["value-a-7f3e", "value-b-9c1d", "webhook-b", "from-a-5b2e"] {
            assert!(!t.contains(value), "{} holds {value}", path.display());
        }
    }
    // The store holds our value of the conflicting key and every other key merged: the key
    // theirs added is there, so resolving the named key does not drop it.
    assert_eq!(repo.get("API_TOKEN"), "value-b-9c1d");
    assert_eq!(repo.get("FROM_A"), "from-a-5b2e");
    // Resolved the way the hint says.
    repo.set("API_TOKEN", "value-a-7f3e");
    repo.git_ok(&["add", ".env.production.age"]);
    repo.git_ok(&["commit", "-q", "--no-edit"]);
    assert_eq!(repo.get("WEBHOOK"), "webhook-b");
    assert_eq!(repo.get("FROM_A"), "from-a-5b2e");
    assert_eq!(repo.get("API_TOKEN"), "value-a-7f3e");
}

/// A conflict with nothing else to merge leaves our branch's ciphertext byte for byte.
#[test]
fn a_conflict_with_nothing_else_to_merge_leaves_ours_byte_for_byte() {
    let repo = Repo::new();
    repo.branch("a", "main", |r| r.set("API_TOKEN", "value-a-7f3e"));
    repo.branch("b", "main", |r| r.set("API_TOKEN", "value-b-9c1d"));
    let before = std::fs::read(repo.path(".env.production.age")).unwrap();
    let out = repo.git(&["merge", "--no-edit", "a"]);
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(repo.path(".env.production.age")).unwrap(),
        before
    );
}

#[test]
fn rebase_and_cherry_pick_merge_per_key_too() {
    let repo = Repo::new();
    repo.branch("a", "main", |r| r.set("WEBHOOK", "webhook-a"));
    repo.branch("b", "main", |r| r.set("API_TOKEN", "token-b"));
    repo.git_ok(&["rebase", "-q", "a"]);
    assert_eq!(repo.get("WEBHOOK"), "webhook-a");
    assert_eq!(repo.get("API_TOKEN"), "token-b");
    repo.branch("c", "main", |r| r.set("WEBHOOK", "webhook-c-only"));
    repo.git_ok(&["checkout", "-q", "-b", "pick", "main"]);
    repo.set("API_TOKEN", "token-pick");
    repo.git_ok(&["commit", "-q", "-am", "pick base"]);
    repo.git_ok(&["cherry-pick", "c"]);
    assert_eq!(repo.get("WEBHOOK"), "webhook-c-only");
    assert_eq!(repo.get("API_TOKEN"), "token-pick");
}

/// A rebase replays the user's own commit as "theirs": a pending value this machine wrote (its
/// `mac=` checks out here) is kept, since the service may already hold it; one the other branch
/// carries that this machine did not write is still dropped (`a_pending_value_from_theirs...`
/// in src/merge.rs).
#[test]
fn a_rebase_keeps_the_pending_value_this_machine_wrote() {
    let repo = Repo::new();
    let mut manifest = std::fs::read_to_string(repo.path("envmint.toml")).unwrap();
    manifest.push_str(
        "\n[secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrole = \"credential\"\n\
         [secrets.DB_PASSWORD.hooks]\nset = 'true'\ntest = 'false'\n",
    );
    std::fs::write(repo.path("envmint.toml"), manifest).unwrap();
    repo.set("DB_PASSWORD", "first0password0of0thirty0two0ch");
    repo.git_ok(&["commit", "-q", "-am", "db"]);
    repo.git_ok(&["checkout", "-q", "-b", "feature", "main"]);
    // The test hook fails: the new value stays pending (stage=set) in the store.
    let out = repo.envmint(
        &[
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ],
        None,
    );
    assert!(!out.status.success(), "{}", text(&out.stderr));
    let pending = repo.get("DB_PASSWORD_PENDING");
    assert_eq!(pending.len(), 32);
    repo.git_ok(&["commit", "-q", "-am", "pending"]);
    repo.git_ok(&["checkout", "-q", "main"]);
    repo.set("API_TOKEN", "token-main");
    repo.git_ok(&["commit", "-q", "-am", "main moves"]);
    repo.git_ok(&["checkout", "-q", "feature"]);
    let out = repo.git_ok(&["rebase", "-q", "main"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
envmint: .env.production.age: merged per key, sealed to 1 recipient: 1 key from theirs (DB_PASSWORD_PENDING)

"#]],
    );
    assert_eq!(repo.get("API_TOKEN"), "token-main");
    assert_eq!(repo.get("DB_PASSWORD_PENDING"), pending);
}

#[test]
fn a_branch_sealed_to_other_recipients_is_refused() {
    let repo = Repo::new();
    let out = repo.ok(&["keygen", "-o", "bob.txt"]);
    let bob = text(&out.stderr)
        .trim()
        .strip_prefix("Public key: ")
        .unwrap()
        .to_string();
    repo.branch("a", "main", |r| {
        let m = std::fs::read_to_string(r.path("envmint.toml")).unwrap();
        let m = m.replace("recipients = [\"", &format!("recipients = [\"{bob}\", \""));
        std::fs::write(r.path("envmint.toml"), m).unwrap();
        r.ok(&["rekey", "production", "--yes"]);
    });
    repo.branch("b", "main", |r| r.set("WEBHOOK", "webhook-b"));
    let out = repo.git(&["merge", "--no-edit", "a"]);
    assert!(!out.status.success());
    let alice = text(&repo.ok(&["keygen", "-y", "id.txt"]).stdout);
    said_is(
        &repo,
        &out.stderr,
        &[("[ALICE]", alice.trim()), ("[BOB]", &bob)],
        str![[r#"
error: .env.production.age: the branches are sealed to different recipients (theirs adds [BOB], drops none)
hint: who can read a store changes only by `envmint rekey`: rekey one branch to the other's recipients, review it, then merge

"#]],
    );
}

#[test]
fn git_diff_shows_keys_and_records_never_values() {
    let repo = Repo::new();
    repo.set("WEBHOOK", "webhook-secret-1");
    let out = repo.git_ok(&["diff"]);
    let diff = text(&out.stdout);
    assert!(diff.contains("+WEBHOOK=<"), "{diff}");
    assert!(diff.contains("# set="), "{diff}");
    assert!(
        !diff.contains("webhook-secret-1") && !diff.contains("token-zero"),
        "{diff}"
    );
    assert!(!diff.contains("Binary files"), "{diff}");
    // API_TOKEN did not change: it is context, not a change.
    assert!(diff.contains("\n API_TOKEN=<"), "{diff}");
    repo.git_ok(&["commit", "-q", "-am", "webhook"]);
    repo.set("API_TOKEN", "token-one");
    let diff = text(&repo.git_ok(&["diff"]).stdout);
    assert!(
        diff.contains("-API_TOKEN=<") && diff.contains("+API_TOKEN=<"),
        "{diff}"
    );
    assert!(diff.contains("\n WEBHOOK=<"), "{diff}");
    // The key is in the git folder, private, and not in the work tree.
    let key = repo.path(".git/envmint/diff-key");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // git log -p reads the same way.
    let log = text(&repo.git_ok(&["log", "-p", "-1", "--format="]).stdout);
    assert!(log.contains("+WEBHOOK=<"), "{log}");
}

#[test]
fn fail_a_diff_key_others_could_read_a_symlink_or_of_the_wrong_length_is_not_used() {
    use std::os::unix::fs::PermissionsExt;
    let repo = Repo::new();
    repo.set("WEBHOOK", "webhook-secret-1");
    let shown = text(&repo.git_ok(&["diff"]).stdout);
    assert!(!shown.contains("<hidden>"), "{shown}");
    let key = repo.path(".git/envmint/diff-key");
    let folder = std::fs::metadata(repo.path(".git/envmint")).unwrap();
    assert_eq!(folder.permissions().mode() & 0o777, 0o700);
    let good = std::fs::read(&key).unwrap();
    let mut long = good.clone();
    long.extend_from_slice(b"\n\n   \n");
    // `git diff` with the key not used: values hidden, never shown; what envmint said.
    // The user's id, as the warnings say it, written `uid [UID]`.
    let uid = format!("uid {}", rustix::process::geteuid().as_raw());
    let shown_diff = || {
        let out = repo.git_ok(&["diff"]);
        let diff = text(&out.stdout);
        assert!(diff.contains("+WEBHOOK=<hidden>"), "{diff}");
        assert!(!diff.contains("webhook-secret-1"), "{diff}");
        text(&out.stderr).replace(&uid, "uid [UID]")
    };
    let hidden_diff = |said: snapbox::data::Inline| {
        let shown = shown_diff();
        said_is(&repo, shown.as_bytes(), &[], said);
        shown
    };
    let set_key = |bytes: &[u8], mode: u32| {
        std::fs::write(&key, bytes).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    // Others may read it, or write it: the same words but the mode.
    set_key(&good, 0o644);
    let readable = hidden_diff(str![[r#"
warning: [DIR]/.git/envmint/diff-key: the diff key is another user's, or others may read it (uid [UID], mode 0644; you are uid [UID]); not used, values show as <hidden>
hint: remove it (rm [DIR]/.git/envmint/diff-key): the next diff makes a new one, yours alone
warning: [DIR]/.git/envmint/diff-key: the diff key is another user's, or others may read it (uid [UID], mode 0644; you are uid [UID]); not used, values show as <hidden>
hint: remove it (rm [DIR]/.git/envmint/diff-key): the next diff makes a new one, yours alone

"#]]);
    set_key(&good, 0o620);
    assert_eq!(shown_diff(), readable.replace("mode 0644", "mode 0620"));
    // Too long or too short: the same words but the length.
    set_key(&long, 0o600);
    let too_long = hidden_diff(str![[r#"
warning: [DIR]/.git/envmint/diff-key: not a diff key (71 bytes; one is 64 hex digits and a line feed); not used, values show as <hidden>
hint: remove it (rm [DIR]/.git/envmint/diff-key): the next diff makes a new one, yours alone
warning: [DIR]/.git/envmint/diff-key: not a diff key (71 bytes; one is 64 hex digits and a line feed); not used, values show as <hidden>
hint: remove it (rm [DIR]/.git/envmint/diff-key): the next diff makes a new one, yours alone

"#]]);
    set_key(&good[..40], 0o600);
    assert_eq!(shown_diff(), too_long.replace("(71 bytes;", "(40 bytes;"));
    // A symlink to a good key of the user's own is not followed either: whoever can write
    // or swap its target would choose the digests (as for the pending key).
    let elsewhere = repo.path(".git/elsewhere-key");
    std::fs::write(&elsewhere, &good).unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::remove_file(&key).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &key).unwrap();
    hidden_diff(str![[r#"
warning: [DIR]/.git/envmint/diff-key: the diff key is a symlink: only a file of your own is trusted; not used, values show as <hidden>
hint: remove it (rm [DIR]/.git/envmint/diff-key): the next diff makes a new one, yours alone
warning: [DIR]/.git/envmint/diff-key: the diff key is a symlink: only a file of your own is trusted; not used, values show as <hidden>
hint: remove it (rm [DIR]/.git/envmint/diff-key): the next diff makes a new one, yours alone

"#]]);
    // A folder others may write (they could swap the key), or a linked folder: not used.
    std::fs::remove_file(&key).unwrap();
    std::fs::write(&key, &good).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let dir = repo.path(".git/envmint");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    hidden_diff(str![[r#"
warning: [DIR]/.git/envmint/diff-key: its folder [DIR]/.git/envmint is another user's, or others may write it (uid [UID], mode 0777; you are uid [UID]); the diff key is not used, values show as <hidden>
hint: make it yours and private (chmod 700 [DIR]/.git/envmint), or remove it: the next diff makes a new one
warning: [DIR]/.git/envmint/diff-key: its folder [DIR]/.git/envmint is another user's, or others may write it (uid [UID], mode 0777; you are uid [UID]); the diff key is not used, values show as <hidden>
hint: make it yours and private (chmod 700 [DIR]/.git/envmint), or remove it: the next diff makes a new one

"#]]);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let moved = repo.path(".git/envmint-real");
    std::fs::rename(&dir, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &dir).unwrap();
    hidden_diff(str![[r#"
warning: [DIR]/.git/envmint/diff-key: its folder [DIR]/.git/envmint is a symlink: only a folder of your own is trusted; the diff key is not used, values show as <hidden>
hint: make it yours and private (chmod 700 [DIR]/.git/envmint), or remove it: the next diff makes a new one
warning: [DIR]/.git/envmint/diff-key: its folder [DIR]/.git/envmint is a symlink: only a folder of your own is trusted; the diff key is not used, values show as <hidden>
hint: make it yours and private (chmod 700 [DIR]/.git/envmint), or remove it: the next diff makes a new one

"#]]);
    std::fs::remove_file(&dir).unwrap();
    std::fs::rename(&moved, &dir).unwrap();
    // Removed: a new one is made, and used.
    std::fs::remove_file(&key).unwrap();
    let diff = text(&repo.git_ok(&["diff"]).stdout);
    assert!(!diff.contains("<hidden>"), "{diff}");
    assert_eq!(std::fs::read(&key).unwrap().len(), 65);
}

#[test]
fn audit_reports_a_sealed_store_without_the_attributes() {
    let repo = Repo::new();
    let out = repo.envmint(&["audit"], None);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!said.contains("lacks `merge=envmint"), "{said}");
    std::fs::write(repo.path(".gitattributes"), "# nothing\n").unwrap();
    let out = repo.envmint(&["audit", "--json"], None);
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<&serde_json::Value> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "git-attributes")
        .collect();
    assert_eq!(found.len(), 1, "{findings:#}");
    assert_eq!(found[0]["env"], "production");
    assert!(
        found[0]["path"]
            .as_str()
            .unwrap()
            .ends_with(".env.production.age")
    );
    assert!(
        found[0]["hint"]
            .as_str()
            .unwrap()
            .contains("envmint git setup")
    );
}

/// `git commit` in `repo` of `file` (written with `contents` and added with -f).
fn commit_file(repo: &Repo, file: &str, contents: &str) -> Output {
    let path = repo.path(file);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, contents).unwrap();
    repo.git_ok(&["add", "-f", "--", file]);
    repo.git(&["commit", "-q", "-m", file])
}

/// The README's set-up on the manifest `envmint init` writes (nothing sealed yet): the commit
/// guard is installed all the same; there is no store to merge or diff.
#[test]
fn setup_hook_installs_the_guard_when_nothing_is_sealed() {
    let dir = tempfile::Builder::new()
        .prefix("envmint-teams-")
        .tempdir()
        .unwrap();
    let repo = Repo { dir };
    repo.git_ok(&["init", "-q", "-b", "main"]);
    repo.ok(&["init"]);
    let out = repo.ok(&["git", "setup", "--config", "--hook"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
note: no environment of the manifest is sealed: no merge or diff driver to set up
.git/hooks/pre-commit: installed the commit guard (envmint audit --staged)

"#]],
    );
    let hook = std::fs::read_to_string(repo.path(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("audit --staged"), "{hook}");
    // Without --hook there is nothing to do: still the usage error.
    let out = repo.envmint(&["git", "setup", "--config"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // The words of `rekey --all` here (sealed.rs's fail_seal_and_rekey_refuse_plain_environments
    // asserts them whole).
    let rekey = repo.envmint(&["rekey", "--all"], None);
    assert_eq!(rekey.status.code(), Some(2), "{}", text(&rekey.stderr));
    assert_eq!(text(&out.stderr), text(&rekey.stderr));
}

#[test]
fn the_commit_guard_refuses_secrets_in_a_real_commit() {
    let repo = Repo::new();
    let out = repo.ok(&["git", "setup", "--hook"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name: already set
git config --local merge.envmint.driver: already set
git config --local diff.envmint.textconv: already set
.git/hooks/pre-commit: installed the commit guard (envmint audit --staged)

"#]],
    );
    // Again: it is there already.
    let out = repo.ok(&["git", "setup", "--hook"]);
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name: already set
git config --local merge.envmint.driver: already set
git config --local diff.envmint.textconv: already set
.git/hooks/pre-commit: the commit guard is already installed

"#]],
    );
    let hook = std::fs::read_to_string(repo.path(".git/hooks/pre-commit")).unwrap();
    assert!(hook.contains("audit --staged"), "{hook}");
    let head = || text(&repo.git_ok(&["rev-parse", "HEAD"]).stdout);
    let start = head();
    for (file, contents, why) in [
        (
            "docs/copy.md",
            "the token is token-zero, keep it\n",
            str![[r#"
== staged for commit ==
docs/copy.md: error: the staged file holds a value stored in envmint [staged]
  hint: unstage it: git restore --staged docs/copy.md (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        (
            ".env.production.local",
            "API_TOKEN=whatever-else\n",
            str![[r#"
== staged for commit ==
.env.production.local: error: the plaintext env file of `production` is staged for commit [staged]
  hint: unstage it: git restore --staged .env.production.local (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        (
            "keys/me.txt",
            &std::fs::read_to_string(repo.path("id.txt")).unwrap(),
            str![[r#"
== staged for commit ==
keys/me.txt: error: an age identity file (a private key) is staged [staged]
  hint: unstage it: git restore --staged keys/me.txt (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        (
            "next.plan",
            "{\"envmint_plan\": 1, \"x\": []}\n",
            str![[r#"
== staged for commit ==
next.plan: error: a saved plan is staged: it holds the new values [staged]
  hint: unstage it: git restore --staged next.plan (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        (
            "deploy/server.pem",
            "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
            str![[r#"
== staged for commit ==
deploy/server.pem: error: a private key (PEM) is staged [staged]
  hint: unstage it: git restore --staged deploy/server.pem (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        (
            "deploy/id_rsa",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n",
            str![[r#"
== staged for commit ==
deploy/id_rsa: error: a private key (PEM) is staged [staged]
  hint: unstage it: git restore --staged deploy/id_rsa (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        // `base64 .env.production.local > backup.b64`: wrapped at 76 columns, the value
        // somewhere inside.
        (
            "backup.b64",
            "IyBhcHAgY29uZmlnCkRFQlVHPWZhbHNlCkFQSV9UT0tFTj10b2tlbi16ZXJvCkxPR19MRVZFTD1p\nbmZvCg==\n",
            str![[r#"
== staged for commit ==
backup.b64: error: the staged file holds a value stored in envmint [staged]
  hint: unstage it: git restore --staged backup.b64 (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
        (
            "backup.hex",
            "23206170700a4150495f544f4b454e3d746f6b656e2d7a65726f0a",
            str![[r#"
== staged for commit ==
backup.hex: error: the staged file holds a value stored in envmint [staged]
  hint: unstage it: git restore --staged backup.hex (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        ),
    ] {
        let out = commit_file(&repo, file, contents);
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success(), "{file}: {said}");
        // What the hook said, through git.
        said_is(&repo, &out.stderr, &[], why);
        assert!(
            !said.contains("token-zero") && !said.contains("AGE-SECRET-KEY"),
            "{said}"
        );
        assert_eq!(head(), start, "{file} was committed");
        repo.git_ok(&["rm", "-q", "--cached", "--", file]);
        std::fs::remove_file(repo.path(file)).unwrap();
    }
    // `git commit -a` checks its own index (GIT_INDEX_FILE) too.
    std::fs::write(repo.path("notes.txt"), "harmless\n").unwrap();
    repo.git_ok(&["add", "notes.txt"]);
    repo.git_ok(&["commit", "-q", "-m", "notes"]);
    std::fs::write(repo.path("notes.txt"), "pasted token-zero here\n").unwrap();
    let out = repo.git(&["commit", "-q", "-a", "-m", "oops"]);
    assert!(!out.status.success(), "{}", text(&out.stderr));
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
== staged for commit ==
notes.txt: error: the staged file holds a value stored in envmint [staged]
  hint: unstage it: git restore --staged notes.txt (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
    );
    // A clean file and a sealed store commit fine.
    std::fs::write(repo.path("notes.txt"), "harmless again\n").unwrap();
    repo.set("WEBHOOK", "webhook-committed");
    repo.git_ok(&["commit", "-q", "-a", "-m", "fine"]);
}

/// `program args` with `input` on stdin: its stdout (coreutils' `base32`, glibc's `iconv`,
/// which every Linux this runs on has: peers that make the copies a person would make).
fn piped(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{program} {args:?}");
    out.stdout
}

/// The copies the attacker's trial let through (L5): a store's text as `base32` writes it, in
/// upper-case hex, in UTF-16 (`iconv`), a value percent-encoded inside a URL, and a
/// `base64:{value}` key without its prefix. Each is refused by a real `git commit`; the same
/// encodings of text holding no stored value commit fine.
#[test]
fn the_commit_guard_refuses_encoded_copies_of_stored_values() {
    let repo = Repo::new();
    let mut manifest = std::fs::read_to_string(repo.path("envmint.toml")).unwrap();
    manifest.push_str(
        "\n[secrets.APP_KEY]\nkind = \"base64\"\nbytes = 32\nformat = \"base64:{value}\"\n",
    );
    std::fs::write(repo.path("envmint.toml"), manifest).unwrap();
    repo.ok(&["bootstrap", "production"]);
    let value = "tok/en+Zq8@sessi0n-s3cret:value=42";
    repo.set("API_TOKEN", value);
    repo.git_ok(&["add", "-A"]);
    repo.git_ok(&["commit", "-q", "-m", "app key"]);
    repo.ok(&["git", "setup", "--hook"]);
    let app_key = text(&repo.ok(&["get", "production", "APP_KEY"]).stdout);
    let inner = app_key.trim().strip_prefix("base64:").unwrap().to_string();
    let head = || text(&repo.git_ok(&["rev-parse", "HEAD"]).stdout);
    let start = head();
    let percent: String = value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let hex_upper = |t: &str| -> Vec<u8> {
        hex::encode_upper(t)
            .as_bytes()
            .chunks(60)
            .flat_map(|c| c.iter().copied().chain(*b"\n"))
            .collect()
    };
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Every offset of the value in the text, for the encodings of groups (base32: 5 bytes).
    for pad in ["", "A", "AB", "ABC", "ABCD"] {
        let env = format!("# app\n{pad}DEBUG=false\nAPI_TOKEN={value}\nLOG=info\n");
        cases.push((
            format!("b32-{}.txt", pad.len()),
            piped("base32", &[], env.as_bytes()),
        ));
        if pad.is_empty() {
            let lower = piped("base32", &[], env.as_bytes()).to_ascii_lowercase();
            cases.push(("b32-lower.txt".into(), lower));
            cases.push(("dump.hex".into(), hex_upper(&env)));
            for charset in ["UTF-16", "UTF-16LE", "UTF-16BE"] {
                let wide = piped("iconv", &["-f", "UTF-8", "-t", charset], env.as_bytes());
                cases.push((format!("{charset}.env"), wide));
            }
        }
    }
    cases.push((
        "config.yml".into(),
        format!("url: https://api.example.com/?token={percent}&x=1\n").into_bytes(),
    ));
    cases.push((
        "config.php".into(),
        format!("<?php return ['key' => '{inner}'];\n").into_bytes(),
    ));
    for (file, contents) in &cases {
        std::fs::write(repo.path(file), contents).unwrap();
        repo.git_ok(&["add", "-f", "--", file]);
        let out = repo.git(&["commit", "-q", "-m", file]);
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!out.status.success(), "{file}: {said}");
        // The same words for every copy, but its file's name.
        said_is(
            &repo,
            &out.stderr,
            &[("[FILE]", file)],
            str![[r#"
== staged for commit ==
[FILE]: error: the staged file holds a value stored in envmint [staged]
  hint: unstage it: git restore --staged [FILE] (and add it to .gitignore)
audit --staged: 1 file refused; the commit would add secrets

"#]],
        );
        assert!(!said.contains("s3cret") && !said.contains(&inner), "{said}");
        assert_eq!(head(), start, "{file} was committed");
        repo.git_ok(&["rm", "-q", "--cached", "--", file]);
        std::fs::remove_file(repo.path(file)).unwrap();
    }
    // The same encodings of a text with no stored value commit fine.
    let clean = "# app\nDEBUG=false\nAPI_TOKEN=not-the-stored-one/9+x@y\nLOG=info\n";
    std::fs::write(
        repo.path("clean.b32"),
        piped("base32", &[], clean.as_bytes()),
    )
    .unwrap();
    let wide = piped("iconv", &["-f", "UTF-8", "-t", "UTF-16"], clean.as_bytes());
    std::fs::write(repo.path("clean.utf16"), wide).unwrap();
    std::fs::write(repo.path("clean.hex"), hex_upper(clean)).unwrap();
    std::fs::write(
        repo.path("clean.url"),
        "https://x.example/?q=a%2Fb%40c%3Dd\n",
    )
    .unwrap();
    repo.git_ok(&[
        "add",
        "-f",
        "--",
        "clean.b32",
        "clean.utf16",
        "clean.hex",
        "clean.url",
    ]);
    repo.git_ok(&["commit", "-q", "-m", "clean"]);
}

#[test]
fn an_existing_hook_is_never_replaced_silently() {
    let repo = Repo::new();
    let path = repo.path(".git/hooks/pre-commit");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "#!/bin/sh\necho mine\n").unwrap();
    let out = repo.ok(&["git", "setup", "--hook"]);
    said_is(
        &repo,
        &out.stderr,
        &[("[BIN]", BIN)],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name: already set
git config --local merge.envmint.driver: already set
git config --local diff.envmint.textconv: already set
warning: .git/hooks/pre-commit exists and is not envmint's; it is left as it is (the commit guard is not installed)
hint: add this line to it yourself: [BIN] audit --staged || exit 1

"#]],
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
}

/// `pre-commit` (the framework), from PATH or pip's user site; `None` after [`skip`].
fn pre_commit() -> Option<Vec<String>> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&["pre-commit"]) {
        return Some(vec!["pre-commit".into()]);
    }
    if works(&["python3", "-m", "pre_commit"]) {
        return Some(vec!["python3".into(), "-m".into(), "pre_commit".into()]);
    }
    crate::common::skip("the pre-commit framework is not installed (pip install pre-commit)");
    None
}

#[test]
fn the_pre_commit_framework_hook_refuses_a_real_commit() {
    let Some(tool) = pre_commit() else { return };
    let repo = Repo::new();
    // This repository's hook definition, served from a repository of its own (pre-commit
    // clones hook repositories at a revision).
    let hooks = repo.path(".git-home/hooks-repo");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    let in_hooks = |args: &[&str]| {
        let mut all = vec!["-C", hooks.to_str().unwrap()];
        all.extend_from_slice(args);
        repo.git_ok(&all)
    };
    in_hooks(&["init", "-q"]);
    in_hooks(&["add", "."]);
    in_hooks(&["commit", "-q", "-m", "hooks"]);
    let rev = text(&in_hooks(&["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string();
    std::fs::write(
        repo.path(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: envmint-staged\n",
            hooks.display()
        ),
    )
    .unwrap();
    repo.git_ok(&["add", ".pre-commit-config.yaml"]);
    repo.git_ok(&["commit", "-q", "-m", "pre-commit config"]);
    // The hook runs the envmint on PATH.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        let mut cmd = Command::new(&tool[0]);
        cmd.args(&tool[1..]).args(args);
        repo.isolate(&mut cmd);
        cmd.env("PATH", &path)
            .env("PRE_COMMIT_HOME", repo.path(".git-home/pre-commit"));
        cmd.output().unwrap()
    };
    let out = run(&["install"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    std::fs::write(repo.path("leak.txt"), "token-zero\n").unwrap();
    repo.git_ok(&["add", "leak.txt"]);
    let mut commit = Command::new("git");
    commit.args(["commit", "-q", "-m", "leak"]);
    repo.isolate(&mut commit);
    commit
        .env("PATH", &path)
        .env("PRE_COMMIT_HOME", repo.path(".git-home/pre-commit"));
    let out = commit.output().unwrap();
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("leak.txt") && said.contains("envmint-staged") | said.contains("envmint ("),
        "{said}"
    );
    assert!(!said.contains("token-zero"), "{said}");
}

#[test]
fn example_lists_declared_keys_empty_and_bootstrap_accepts_a_copy() {
    use crate::common::Test;
    let manifest = "[environments.production]\nfile = \".env.production.local\"\n\n\
        [secrets.SESSION]\nkind = \"hex\"\nbytes = 32\noverlap = \"7d\"\n\n\
        [secrets.DB_PASSWORD]\nkind = \"password\"\nlength = 24\nrole = \"credential\"\n\n\
        [secrets.API_TOKEN]\nexternal = true\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(".env.example", "# my app\nPORT=8080\nSESSION=\n")
        .args(["example"])
        .status(0);
    out.stderr_is(str![[r#"
.env.example: added 2 keys (empty values, with kind, size and role): DB_PASSWORD, API_TOKEN

"#]]);
    let example = out.read(".env.example");
    assert!(
        example.starts_with("# my app\nPORT=8080\nSESSION=\n"),
        "{example}"
    );
    assert!(
        example.contains("# DB_PASSWORD: password, 24 characters (")
            && example.contains("role credential\nDB_PASSWORD=\n"),
        "{example}"
    );
    assert!(
        example.contains("# API_TOKEN: external: given by you")
            && example.ends_with("API_TOKEN=\n"),
        "{example}"
    );
    assert!(!example.contains("# envmint:"), "{example}");
    // Again: nothing to add, nothing written.
    let out = out.then().args(["example"]).status(0);
    out.stderr_is(str![[r#"
.env.example: lists every declared secret already

"#]]);
    assert_eq!(out.read(".env.example"), example);
    // A fresh clone's first run.
    let out = out
        .then()
        .write(".env.production.local", &example)
        .chmod(".env.production.local", 0o600)
        .args(["bootstrap", "production"])
        .status(0);
    let env = out.read(".env.production.local");
    for key in ["SESSION", "DB_PASSWORD"] {
        let value = env
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap();
        assert!(value.len() >= 24, "{key} not filled: {env}");
    }
    assert!(
        env.contains("PORT=8080\n") && env.contains("API_TOKEN=\n"),
        "{env}"
    );
    out.stderr_is(str![[r#"
using envmint.toml
production: .env.production.local (2 of 3 keys filled, 1 external missing)
  filled    SESSION      hex       256 bits
  filled    DB_PASSWORD  password  144.53 bits
  missing   API_TOKEN    external  no value: envmint never generates it
warning: .env.production.local: API_TOKEN is external: envmint does not generate it, and it has no value
hint: give it with: envmint set production API_TOKEN (reads the value from stdin or a prompt)

"#]]);
    // The template itself never got a value.
    assert_eq!(out.read(".env.example"), example);
}

#[test]
fn a_plugin_recipient_seals_an_environment_and_age_reads_it() {
    use crate::common::Test;
    let Some(plugins) = crate::common::plugin_dir() else {
        return;
    };
    let path = format!(
        "{}:{}",
        plugins.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let generated = Command::new(plugins.join("age-plugin-envminttest"))
        .arg("--generate")
        .output()
        .unwrap();
    let id = text(&generated.stdout);
    let recipient = id
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    assert!(recipient.starts_with("age1envminttest1"), "{id}");
    let test = Test::new();
    let dir = test.dir().to_path_buf();
    let test = test
        .env("PATH", &path)
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .write("key.txt", &id)
        .chmod("key.txt", 0o600)
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{recipient}\"]\n[secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n"
            ),
        );
    let out = test.args(["bootstrap", "production"]).status(0);
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "key.txt")
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
    let value = out.stdout().trim().to_string();
    assert_eq!(value.len(), 64, "{}", out.stderr());
    // The plugin's message reaches the user, named; no value in it.
    out.stderr_is(str![[r#"
age-plugin-envminttest: touch the test key

"#]]);
    assert!(!out.stderr().contains(&value));
    // A write re-seals to the plugin recipient the store is pinned to.
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "key.txt")
        .args(["set", "production", "API_TOKEN"])
        .stdin("token-through-a-plugin\n")
        .status(0);
    // The age CLI runs the same plugin and reads the store.
    let age = Command::new("age")
        .args(["-d", "-i", "key.txt", ".env.production.age"])
        .current_dir(out.dir())
        .env("PATH", &path)
        .output();
    match age {
        Ok(o) if o.status.success() => {
            let plain = text(&o.stdout);
            assert!(plain.contains(&format!("SECRET_KEY={value}")), "{plain}");
            assert!(
                plain.contains("API_TOKEN=token-through-a-plugin"),
                "{plain}"
            );
            assert!(
                plain.contains(&format!("# envmint: sealed-to {recipient}")),
                "{plain}"
            );
        }
        Ok(o) => panic!("age -d: {}", text(&o.stderr)),
        Err(_) => crate::common::skip("the age CLI is not installed"),
    }
    // Without the plugin on PATH, the error names the program to install.
    let out = out
        .then()
        .env("PATH", "/usr/bin:/bin")
        .env("ENVMINT_IDENTITY", "key.txt")
        .args(["get", "production", "SECRET_KEY"])
        .run();
    assert_ne!(out.code(), 0);
    out.stderr_is(str![[r#"
error: key.txt: needs the program age-plugin-envminttest, which is not on PATH (install the plugin, as age and rage need it too)

"#]]);
}

#[test]
fn seal_r_and_i_take_plugin_keys_and_interoperate_with_age() {
    use crate::common::Test;
    let Some(plugins) = crate::common::plugin_dir() else {
        return;
    };
    let path = format!(
        "{}:{}",
        plugins.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let id = text(
        &Command::new(plugins.join("age-plugin-envminttest"))
            .arg("--generate")
            .output()
            .unwrap()
            .stdout,
    );
    let recipient = id
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    let out = Test::new()
        .env("PATH", &path)
        .write("key.txt", &id)
        .chmod("key.txt", 0o600)
        .args(["seal", "-r", &recipient, "-o", "note.age"])
        .stdin("A=sealed-by-envmint\n")
        .status(0);
    let out = out
        .then()
        .args(["unseal", "-i", "key.txt", "note.age", "--stdout"])
        .status(0);
    assert_eq!(out.stdout(), "A=sealed-by-envmint\n");
    let age = |args: &[&str], input: Option<&str>| {
        use std::io::Write;
        let mut child = Command::new("age")
            .args(args)
            .current_dir(out.dir())
            .env("PATH", &path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .ok()?;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.unwrap_or("").as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().ok()
    };
    let Some(read) = age(&["-d", "-i", "key.txt", "note.age"], None) else {
        crate::common::skip("the age CLI is not installed");
        return;
    };
    assert_eq!(
        text(&read.stdout),
        "A=sealed-by-envmint\n",
        "{}",
        text(&read.stderr)
    );
    let written = age(
        &["-r", &recipient, "-o", "from-age.age"],
        Some("B=sealed-by-age\n"),
    )
    .unwrap();
    assert!(written.status.success(), "{}", text(&written.stderr));
    let out = out
        .then()
        .args(["unseal", "-i", "key.txt", "from-age.age", "--stdout"])
        .status(0);
    assert_eq!(out.stdout(), "B=sealed-by-age\n");
}

/// A folder whose `production` is sealed to a new test-plugin recipient, its identity in
/// `key.txt` (ENVMINT_IDENTITY), bootstrapped with the plugin's folder on PATH. Returns the
/// test and that folder.
fn plugin_store() -> Option<(crate::common::Test, PathBuf)> {
    let plugins = crate::common::plugin_dir()?;
    let generated = Command::new(plugins.join("age-plugin-envminttest"))
        .arg("--generate")
        .output()
        .unwrap();
    let id = text(&generated.stdout);
    let recipient = id
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    let test = crate::common::Test::new();
    let dir = test.dir().to_path_buf();
    let test = test
        .env("PATH", format!("{}:/usr/bin:/bin", plugins.display()))
        .env("HOME", dir.join("no-home"))
        .env("XDG_CONFIG_HOME", dir.join("no-config"))
        .write("key.txt", &id)
        .chmod("key.txt", 0o600)
        .write(
            "envmint.toml",
            format!(
                "[environments.production]\nsealed = \".env.production.age\"\n\
                 recipients = [\"{recipient}\"]\n[secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\n"
            ),
        );
    let out = test.args(["bootstrap", "production"]).status(0);
    Some((out.then().env("ENVMINT_IDENTITY", "key.txt"), plugins))
}

#[test]
fn fail_a_plugin_is_run_only_from_absolute_path_entries() {
    let Some((test, plugins)) = plugin_store() else {
        return;
    };
    // The repository plants the plugin in its own folder and in bin/.
    let planted = test.dir().join("age-plugin-envminttest");
    std::fs::copy(plugins.join("age-plugin-envminttest"), &planted).unwrap();
    std::fs::create_dir(test.dir().join("bin")).unwrap();
    std::fs::copy(&planted, test.dir().join("bin/age-plugin-envminttest")).unwrap();
    let mut out = test.args(["get", "production", "SECRET_KEY"]).status(0);
    let mut through_dot = String::new();
    for (path, said) in [
        (
            ".:/usr/bin:/bin".to_string(),
            str![[r#"
error: key.txt: would run age-plugin-envminttest found through the relative entry `.` of PATH; refused: envmint runs plugins only from absolute PATH entries, where a checked-out repository cannot plant one

"#]],
        ),
        (
            "bin:/usr/bin:/bin".to_string(),
            str![[r#"
error: key.txt: would run age-plugin-envminttest found through the relative entry `bin` of PATH; refused: envmint runs plugins only from absolute PATH entries, where a checked-out repository cannot plant one

"#]],
        ),
        (
            format!(":{}", plugins.display()),
            str![[r#"
error: key.txt: would run age-plugin-envminttest found through an empty entry (the working folder) of PATH; refused: envmint runs plugins only from absolute PATH entries, where a checked-out repository cannot plant one

"#]],
        ),
    ] {
        out = out
            .then()
            .env("PATH", &path)
            .args(["get", "production", "SECRET_KEY"])
            .run();
        assert_ne!(out.code(), 0, "{path}");
        assert_eq!(out.stdout(), "", "{path}");
        out.stderr_is(said);
        assert!(!out.stderr().contains("touch the test key"), "{path}");
        if path.starts_with(".:") {
            through_dot = out.stderr().to_string();
        }
    }
    // Sealing runs the plugin too: refused the same way, and the store is left as it was.
    let before = out.bytes(".env.production.age");
    let out = out
        .then()
        .env("PATH", ".:/usr/bin:/bin")
        .args(["set", "production", "API_TOKEN"])
        .stdin("token-1234567890\n")
        .run();
    assert_ne!(out.code(), 0);
    assert_eq!(out.stderr(), through_dot, "{}", out.describe());
    assert_eq!(out.bytes(".env.production.age"), before);
    // An absolute entry found first is what runs, planted copies after it or not.
    out.then()
        .env("PATH", format!("{}:.:bin", plugins.display()))
        .args(["get", "production", "SECRET_KEY"])
        .status(0);
}

#[test]
fn fail_a_plugin_question_is_asked_on_the_terminal_and_refused_without_one() {
    let Some((test, _)) = plugin_store() else {
        return;
    };
    // No terminal (a new session has no controlling one): said, and the plugin fails.
    let mut out = test.args(["get", "production", "SECRET_KEY"]).status(0);
    let value = out.stdout().trim().to_string();
    for (ask, said) in [
        (
            "confirm",
            str![[r#"
age-plugin-envminttest: touch the test key
error: .env.production.age: age-plugin-envminttest asked "use the test key?", and there is no terminal to answer it on
hint: run envmint on a terminal: a plugin's question needs a person

"#]],
        ),
        (
            "public",
            str![[r#"
age-plugin-envminttest: touch the test key
error: .env.production.age: age-plugin-envminttest asked "which slot?", and there is no terminal to answer it on
hint: run envmint on a terminal: a plugin's question needs a person

"#]],
        ),
    ] {
        out = out
            .then()
            .env("ENVMINTTEST_ASK", ask)
            .wrapper(["setsid", "-w"])
            .args(["get", "production", "SECRET_KEY"])
            .status(77);
        assert_eq!(out.stdout(), "", "{ask}");
        out.stderr_is(said);
    }
    // On a terminal: asked there, and the answer reaches the plugin.
    let env = out.then().env("ENVMINTTEST_ASK", "confirm");
    let out = crate::kv::on_terminal(
        env,
        &["get", "production", "SECRET_KEY"],
        &[("[yes/no] ", "yes\n")],
    );
    assert_eq!(out.code(), 0, "{}", out.stdout());
    // The terminal's transcript: the question, the answer's prompt, and the value.
    crate::common::words_are(
        out.stdout(),
        out.dir(),
        &[("[VALUE]", &value)],
        str![[r#"
age-plugin-envminttest: touch the test key
age-plugin-envminttest: use the test key? <[yes/no] >yes
[VALUE]

"#]],
    );
    let refused = crate::kv::on_terminal(
        out.then().env("ENVMINTTEST_ASK", "confirm"),
        &["get", "production", "SECRET_KEY"],
        &[("[yes/no] ", "no\n")],
    );
    assert_ne!(refused.code(), 0, "{}", refused.stdout());
    assert!(!refused.stdout().contains(&value), "{}", refused.stdout());
    refused.stdout_is(str![[r#"
age-plugin-envminttest: touch the test key
age-plugin-envminttest: use the test key? <[yes/no] >no
error: .env.production.age: an age plugin failed: (internal) the test key was not unlocked
hint: see the plugin's documentation; envmint passes its words on as they are

"#]]);
    let out = crate::kv::on_terminal(
        refused.then().env("ENVMINTTEST_ASK", "public"),
        &["get", "production", "SECRET_KEY"],
        &[("which slot? ", "slot-1\n")],
    );
    assert_eq!(out.code(), 0, "{}", out.stdout());
    crate::common::words_are(
        out.stdout(),
        out.dir(),
        &[("[VALUE]", &value)],
        str![[r#"
age-plugin-envminttest: touch the test key
age-plugin-envminttest: <which slot? >slot-1
[VALUE]

"#]],
    );
}

/// The merge driver run as git runs it (`envmint git merge %O %A %B %P`) on stores it refuses
/// to merge: each refusal in its words, exit 1 (git then marks the file conflicted).
#[test]
fn fail_the_merge_driver_refuses_stores_it_cannot_merge_in_their_words() {
    use crate::common::with_identity;
    let (test, public) = with_identity();
    let (test, other) = crate::common::keygen(test, "other.txt");
    let manifest = |recipients: &str| {
        format!(
            "[environments.production]\nsealed = \".env.production.age\"\n{recipients}\n\
             [secrets.A]\nexternal = true\n"
        )
    };
    let out = test
        .env("ENVMINT_IDENTITY", "id.txt")
        .write(
            "envmint.toml",
            manifest(&format!("recipients = [\"{public}\"]")),
        )
        .write("p.env", "A=1\n")
        .write("bad-pin.env", "# envmint: sealed-to nonsense\nA=1\n")
        .write("empty", "")
        .args(["seal", "-r", &public, "-o", "ours.age", "p.env"])
        .status(0);
    let out = out
        .then()
        .args([
            "seal", "-r", &public, "-r", &other, "-o", "two.age", "p.env",
        ])
        .status(0);
    let out = out
        .then()
        .args(["seal", "-r", &public, "-o", "bad-pin.age", "bad-pin.env"])
        .status(0);
    let before = out.bytes("ours.age");
    let mut out = out;
    for (theirs, path, said) in [
        (
            "empty",
            ".env.production.age",
            str![[r#"
error: .env.production.age: one branch has an empty file; envmint merges two sealed stores
hint: resolve it by hand: `git checkout --ours` or `--theirs` the file

"#]],
        ),
        (
            "ours.age",
            "other.age",
            str![[r#"
error: other.age: a branch's store has no recipient pin, and no sealed environment of the manifest names this file
hint: run `envmint rekey ENV` on both branches (it pins the store), then merge

"#]],
        ),
        (
            "two.age",
            ".env.production.age",
            str![[r#"
error: .env.production.age: a branch's store is sealed to other recipients than the manifest lists
hint: run `envmint rekey ENV --dry-run` on each branch, rekey, then merge

"#]],
        ),
        (
            "bad-pin.age",
            ".env.production.age",
            str![[r#"
error: .env.production.age: a branch's store has a pin line that is not a recipient (line 1)
hint: run `envmint rekey ENV` on that branch to pin it again

"#]],
        ),
    ] {
        out = out
            .then()
            .args(["git", "merge", "ours.age", "ours.age", theirs, path])
            .status(1);
        out.stderr_is(said);
        assert_eq!(out.bytes("ours.age"), before, "{theirs}: ours was written");
    }
    // A recipients file that cannot be read.
    let out = out
        .then()
        .write(
            "envmint.toml",
            manifest("recipients_file = \"missing.txt\""),
        )
        .args([
            "git",
            "merge",
            "ours.age",
            "ours.age",
            "ours.age",
            ".env.production.age",
        ])
        .status(1);
    out.stderr_is(str![[r#"
error: .env.production.age: the manifest's recipients cannot be read
hint: fix the recipients of the environment, then merge again

"#]]);
}

/// The merge driver run as git runs it on three versions (base, ours, theirs) it decrypts but
/// cannot merge whole: a store that is not text, keys it names with why (a line it cannot read
/// on one branch, an encryption key's full keyring, a value its previous list cannot hold),
/// and a pending value on theirs it leaves out of a merge that succeeds.
#[test]
fn fail_the_merge_driver_names_each_key_it_cannot_merge_and_why() {
    use crate::common::with_identity;
    let (test, public) = with_identity();
    let mut test = test.env("ENVMINT_IDENTITY", "id.txt").write(
        "envmint.toml",
        format!(
            "[environments.production]\nsealed = \".env.production.age\"\n\
             recipients = [\"{public}\"]\n\n\
             [secrets.A]\nexternal = true\n\n\
             [secrets.K]\nkind = \"hex\"\nbytes = 16\nrole = \"encryption\"\n\
             previous = {{ numbered = \"K_{{n}}\", keep = 1 }}\n\n\
             [secrets.S]\nkind = \"hex\"\nbytes = 16\noverlap = \"7d\"\n\
             previous = {{ list = \"S_OLD\", separator = \",\", keep = 2 }}\n"
        ),
    );
    // Each version's plaintext, sealed to the manifest's recipient (no pin: the header fits).
    // A changes on both, to a line theirs cannot read; K is rotated on both while its keyring
    // (keep = 1) is full; S is rotated on both, ours to a value holding S_OLD's separator.
    let version = |a: &str, at: &str, k: &str, s: &str| {
        format!(
            "A={a}\n# envmint: generated={at} role=encryption\nK={k}\n\
             # envmint: previous-of=K retired=2027-01-01T00:00:00Z\nK_1=zz\n\
             # envmint: generated={at}\nS={s}\n"
        )
    };
    let base = version("1", "2027-01-01T00:00:00Z", "aa", "s0");
    let pending = format!(
        "{base}# envmint: generated=2027-04-01T00:00:00Z stage=set\nA_PENDING=planted-value\n"
    );
    let versions = [
        (
            "ours",
            version("2", "2027-02-01T00:00:00Z", "bb", "\"s,1\""),
        ),
        ("theirs", version("\"3", "2027-03-01T00:00:00Z", "cc", "s2")),
        ("pending", pending),
        ("base", base),
    ];
    for (name, text) in &versions {
        test = test
            .write(format!("{name}.env"), text)
            .args([
                "seal",
                "-r",
                &public,
                "-o",
                &format!("{name}.age"),
                &format!("{name}.env"),
            ])
            .status(0)
            .then();
    }
    let out = test
        .write("binary.env", b"A=\xff\xfe\n")
        .args(["seal", "-r", &public, "-o", "binary.age", "binary.env"])
        .status(0);
    let ours = out.bytes("ours.age");
    let out = out
        .then()
        .args([
            "git",
            "merge",
            "base.age",
            "ours.age",
            "binary.age",
            ".env.production.age",
        ])
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.age (theirs): the decrypted store is not UTF-8 text
hint: envmint merges the stores it writes (dotenv text); resolve it by hand: `git checkout --ours` or `--theirs` the file

"#]]);
    let out = out
        .then()
        .args([
            "git",
            "merge",
            "base.age",
            "ours.age",
            "theirs.age",
            ".env.production.age",
        ])
        .status(1);
    out.stderr_is(str![[r#"
error: .env.production.age: A (a line envmint cannot read on one branch)
error: .env.production.age: K (a full keyring: keeping both rotations would push a key out)
error: .env.production.age: S (a value that cannot be written in place)
hint: the file keeps your branch's value of those keys and git marks it conflicted; set each with `envmint set production KEY` (or `envmint edit production`), then `git add .env.production.age`

"#]]);
    assert_eq!(out.bytes("ours.age"), ours, "ours was written");
    // A pending value on theirs (a rotation through hooks another machine left): not taken.
    let out = out
        .then()
        .args([
            "git",
            "merge",
            "base.age",
            "base.age",
            "pending.age",
            ".env.production.age",
        ])
        .status(0);
    out.stderr_is(str![[r#"
envmint: .env.production.age: merged per key, sealed to 1 recipient: 1 pending value on theirs not taken (A_PENDING): a pending value is resumed only on the machine that wrote it

"#]]);
    let out = out.then().args(["unseal", "base.age"]).status(0);
    assert!(out.stdout().contains("A=1\n"), "{}", out.describe());
    assert!(
        !out.stdout().contains("planted-value"),
        "{}",
        out.describe()
    );
}

/// git's textconv on a version it decrypts but cannot show as keys (not text): it says why
/// and shows the ciphertext's SHA-256 (so a change still shows), and succeeds, since a failing
/// textconv fails git's diff. Without an identity: tests/cli/cmd/git/diff_without_an_identity.
#[test]
fn git_diff_shows_a_version_it_cannot_read_as_why_and_its_digest() {
    use crate::common::with_identity;
    use sha2::Digest as _;
    let (test, public) = with_identity();
    let out = test
        .write("binary.env", b"A=\xff\xfe\n")
        .args(["seal", "-r", &public, "-o", "binary.age", "binary.env"])
        .status(0);
    let digest = hex::encode(sha2::Sha256::digest(out.bytes("binary.age")));
    let out = out
        .then()
        .env("ENVMINT_IDENTITY", "id.txt")
        .args(["git", "diff", "binary.age"])
        .status(0);
    words_are(
        out.stdout(),
        out.dir(),
        &[("[DIGEST]", &digest)],
        str![[r#"
# not decrypted here: not UTF-8 text once decrypted
# ciphertext sha256 [DIGEST]

"#]],
    );
    assert_eq!(out.stderr(), "");
}

/// git's textconv where the diff key cannot be made (a read-only `.git`, a read-only
/// `.git/envmint`): values show as `<hidden>`, it says why, and the diff still succeeds. Run as
/// user 65534, since root writes through permission bits.
#[test]
fn git_diff_where_the_diff_key_cannot_be_made_hides_values_and_says_why() {
    use crate::common::{NOBODY, binary_for_nobody, with_identity};
    use std::os::unix::fs::PermissionsExt;
    let Some((_bin_dir, bin)) = binary_for_nobody() else {
        return;
    };
    let (test, public) = with_identity();
    let dir = test.dir().to_path_buf();
    let out = test
        .write("p.env", "A=a-secret-value\n")
        .args(["seal", "-r", &public, "-o", "store.age", "p.env"])
        .status(0);
    for args in [&["init", "-q"][..], &["config", "user.name", "t"][..]] {
        let git = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(git.status.success(), "{}", text(&git.stderr));
    }
    let chown = Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(chown.success());
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    let git = dir.join(".git");
    let diff = |test: crate::common::Test, said: snapbox::data::Inline| {
        let out = test
            .program(&bin)
            .wrapper(NOBODY)
            .env("ENVMINT_IDENTITY", "id.txt")
            .args(["git", "diff", "store.age"])
            .status(0);
        out.stderr_is(said);
        // The keys as always (their words: src/review.rs), the value hidden, never shown.
        assert!(
            out.stdout().contains("\nA=<hidden>\n"),
            "{}",
            out.describe()
        );
        assert!(
            !out.stdout().contains("a-secret-value"),
            "{}",
            out.describe()
        );
        out
    };
    mode(&git, 0o555);
    let out = diff(
        out.then(),
        str![[r#"
warning: [DIR]/.git/envmint: cannot create: Permission denied (os error 13); values show as <hidden>

"#]],
    );
    mode(&git, 0o755);
    std::fs::create_dir(git.join("envmint")).unwrap();
    std::os::unix::fs::chown(git.join("envmint"), Some(65534), Some(65534)).unwrap();
    mode(&git.join("envmint"), 0o500);
    let out = diff(
        out.then(),
        str![[r#"
warning: [DIR]/.git/envmint: cannot write diff-key in this folder: it is not writable (Permission denied (os error 13)); values show as <hidden>

"#]],
    );
    mode(&git.join("envmint"), 0o700);
    drop(out);
}

/// `git setup --config --hook` for a manifest in a subfolder, with a store sealed outside it:
/// what it says, and the files it writes, each whole (`.gitattributes` beside the manifest, the
/// pre-commit hook naming the manifest from the top of the work tree). A hook that is not
/// envmint's is left, with the line to add to it.
#[test]
fn setup_for_a_manifest_in_a_subfolder_writes_its_files_whole() {
    let dir = tempfile::Builder::new()
        .prefix("envmint-teams-")
        .tempdir()
        .unwrap();
    let repo = Repo { dir };
    repo.git_ok(&["init", "-q", "-b", "main"]);
    std::fs::create_dir(repo.path("app")).unwrap();
    let out = repo.ok(&["keygen", "-o", "app/id.txt"]);
    let public = text(&out.stderr).trim().replace("Public key: ", "");
    let outside = repo.path("shared.age");
    std::fs::write(
        repo.path("app/envmint.toml"),
        format!(
            "[environments.production]\nsealed = \".env.production.age\"\n\
             recipients = [\"{public}\"]\n\n[environments.shared]\nsealed = \"{}\"\n\
             recipients = [\"{public}\"]\n\n[secrets.A]\nkind = \"hex\"\n",
            outside.display()
        ),
    )
    .unwrap();
    let setup = [
        "git",
        "setup",
        "--config",
        "--hook",
        "--manifest",
        "app/envmint.toml",
        "--allow-outside",
    ];
    let out = repo.ok(&setup);
    said_is(
        &repo,
        &out.stderr,
        &[("[BIN]", BIN)],
        str![[r#"
warning: shared: [DIR]/shared.age is outside the manifest's folder; add its .gitattributes line by hand
app/.gitattributes: added `/.env.production.age merge=envmint diff=envmint`
git config --local merge.envmint.name 'envmint: merge sealed stores per key'
git config --local merge.envmint.driver '[BIN] git merge %O %A %B %P'
git config --local diff.envmint.textconv '[BIN] git diff'
.git/hooks/pre-commit: installed the commit guard (envmint audit --staged)

"#]],
    );
    let attributes = std::fs::read(repo.path("app/.gitattributes")).unwrap();
    said_is(
        &repo,
        &attributes,
        &[],
        str![[r#"
# envmint: sealed stores merge per key and diff as keys (envmint git setup)
/.env.production.age merge=envmint diff=envmint

"#]],
    );
    let hook = std::fs::read(repo.path(".git/hooks/pre-commit")).unwrap();
    said_is(
        &repo,
        &hook,
        &[("[BIN]", BIN)],
        str![[r#"
#!/bin/sh
# envmint: the commit guard (envmint git setup --hook)
# Refuses a commit that would add a plaintext env file, a plan, an identity file, an
# export list or any stored value. Bypass once with `git commit --no-verify`.
exec [BIN] audit --staged --manifest app/envmint.toml

"#]],
    );
    // A hook of someone else's: left as it is, with the line to add.
    std::fs::write(repo.path(".git/hooks/pre-commit"), "#!/bin/sh\n").unwrap();
    let out = repo.ok(&setup);
    said_is(
        &repo,
        &out.stderr,
        &[("[BIN]", BIN)],
        str![[r#"
warning: shared: [DIR]/shared.age is outside the manifest's folder; add its .gitattributes line by hand
app/.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name: already set
git config --local merge.envmint.driver: already set
git config --local diff.envmint.textconv: already set
warning: .git/hooks/pre-commit exists and is not envmint's; it is left as it is (the commit guard is not installed)
hint: add this line to it yourself: [BIN] audit --staged --manifest app/envmint.toml || exit 1

"#]],
    );
}

/// `git setup` when git itself fails: it cannot write the repository's config, or cannot say
/// where its hooks are (a `git` first on PATH that fails those commands).
#[test]
fn fail_setup_says_which_git_command_failed() {
    let repo = Repo::new();
    let run = |cases: &str| {
        let (_bin, path) = crate::common::fake_git(cases)?;
        let mut cmd = Command::new(BIN);
        repo.isolate(&mut cmd);
        Some(
            cmd.env("PATH", path)
                .args(["git", "setup", "--config", "--hook"])
                .output()
                .unwrap(),
        )
    };
    repo.git_ok(&["config", "--local", "--unset", "merge.envmint.name"]);
    let Some(out) = run(
        r#"*" config --local merge.envmint.name "*) echo 'error: could not lock config file .git/config: File exists' >&2; exit 5 ;;"#,
    ) else {
        return;
    };
    assert_eq!(out.status.code(), Some(73), "{}", text(&out.stderr));
    said_is(
        &repo,
        &out.stderr,
        &[],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
error: .git/config: `git config --local merge.envmint.name` failed: git said `error: could not lock config file .git/config: File exists`

"#]],
    );
    let Some(out) = run(r#"*" rev-parse --git-path "*) exit 5 ;;"#) else {
        return;
    };
    assert_eq!(out.status.code(), Some(73), "{}", text(&out.stderr));
    said_is(
        &repo,
        &out.stderr,
        &[("[BIN]", BIN)],
        str![[r#"
.gitattributes: already has the lines for 1 sealed store
git config --local merge.envmint.name 'envmint: merge sealed stores per key'
git config --local merge.envmint.driver: already set
git config --local diff.envmint.textconv: already set
error: .git: git cannot say where its hooks are: git exited with status 5
hint: check that `git rev-parse --git-path hooks/pre-commit` works in this repository, then run `envmint git setup --hook` again

"#]],
    );
}
