//! Hooks: credentials changed at their real service (PostgreSQL 15, Redis) through the stages
//! pending, set, test, finish and retire; crash safety under SIGKILL; nothing in any argv or
//! in envmint's output. The services run in a temp folder on Unix sockets, started and stopped
//! by each test (`.ci/run` installs them; without them a test skips by hand, and fails in CI).

use crate::common::{NOBODY, Test, is_root, skip};
use snapbox::str;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const ADMIN_PASSWORD: &str = "admin-Pw-4c2d9e1f";

/// A PostgreSQL 15 cluster in a temp folder, on a Unix socket there; stopped when dropped.
/// As root (initdb refuses root) it runs as user 65534.
struct Postgres {
    dir: tempfile::TempDir,
}

impl Postgres {
    fn start() -> Option<Postgres> {
        if !Path::new(PG_BIN).join("initdb").exists() || which("psql").is_none() {
            skip("PostgreSQL 15 is not installed (apt-get install postgresql)");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("envmint-pg-")
            .tempdir()
            .unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let pw = dir.path().join("pw");
        fs::write(&pw, ADMIN_PASSWORD).unwrap();
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "65534:65534"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown the cluster folder");
        }
        let pg = Postgres { dir };
        pg.as_owner(Path::new(PG_BIN).join("initdb").as_os_str(), |c| {
            c.arg("-D")
                .arg(pg.data())
                .args([
                    "-U",
                    "postgres",
                    "-A",
                    "scram-sha-256",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ])
                .arg(format!("--pwfile={}", pw.display()));
        });
        pg.as_owner(Path::new(PG_BIN).join("pg_ctl").as_os_str(), |c| {
            c.arg("-D")
                .arg(pg.data())
                .arg("-o")
                .arg(format!(
                    "-k {} -c listen_addresses='' -c fsync=off",
                    pg.socket().display()
                ))
                .arg("-l")
                .arg(pg.dir.path().join("log"))
                .args(["-w", "start"]);
        });
        pg.admin("CREATE ROLE app LOGIN; CREATE ROLE app_blue LOGIN; CREATE ROLE app_green LOGIN;");
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Runs `program` as the cluster's owner (65534 when root), asserting success.
    fn as_owner(&self, program: &std::ffi::OsStr, args: impl FnOnce(&mut Command)) {
        let mut c = if is_root() {
            let mut c = Command::new(NOBODY[0]);
            c.args(&NOBODY[1..]).arg(program);
            c
        } else {
            Command::new(program)
        };
        args(&mut c);
        let out = c
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{c:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs SQL as the superuser (password in the environment, SQL on stdin).
    fn admin(&self, sql: &str) {
        let ok = psql("postgres", ADMIN_PASSWORD, &self.socket(), sql);
        assert!(ok, "admin SQL failed: {sql}");
    }

    /// Whether the role `user` exists.
    fn role_exists(&self, user: &str) -> bool {
        let sql = format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') THEN \
             RAISE EXCEPTION 'gone'; END IF; END $$;"
        );
        psql("postgres", ADMIN_PASSWORD, &self.socket(), &sql)
    }

    /// Whether `user` logs in with `password`.
    fn logs_in(&self, user: &str, password: &str) -> bool {
        psql(user, password, &self.socket(), "select 1")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let mut c = if is_root() {
            let mut c = Command::new(NOBODY[0]);
            c.args(&NOBODY[1..]).arg(Path::new(PG_BIN).join("pg_ctl"));
            c
        } else {
            Command::new(Path::new(PG_BIN).join("pg_ctl"))
        };
        let _ = c
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `psql` as `user` with `password` (PGPASSWORD, not an argument), `sql` on stdin.
fn psql(user: &str, password: &str, socket: &Path, sql: &str) -> bool {
    use std::io::Write;
    let mut child = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            "postgres",
            "-U",
            user,
            "-h",
        ])
        .arg(socket)
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "10")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("psql");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(sql.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.exists())
}

/// The value of `key` in dotenv `text` (unquoted or single-quoted), if any.
fn value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(|v| v.trim_matches('\'').to_string())
}

/// The PostgreSQL recipe of the README, single user: `set` changes the role's password through
/// a here-document (never an argument), `test` logs in with the new one.
const PG_MANIFEST: &str = r#"[environments.production]
file = ".env"

[secrets.DB_PASSWORD]
kind = "alnum"
length = 32
role = "credential"
rotate_every = "30d"

[secrets.DB_PASSWORD.hooks]
set = '''
PGPASSWORD="$DB_ADMIN_PASSWORD" psql -X -q -h "$DB_HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
\set new `printf %s "$ENVMINT_NEW"`
ALTER ROLE app PASSWORD :'new';
SQL
'''
test = '''
test ! -e fail-test &&
PGPASSWORD="$ENVMINT_NEW" psql -X -q -h "$DB_HOST" -U app -d postgres -c "select 1" >/dev/null
'''
"#;

/// A temp project with `manifest`, its production store bootstrapped, and the config folder
/// (`XDG_CONFIG_HOME`: the allowance and the pending-value key) it used.
fn bootstrapped(manifest: &str) -> (crate::common::Output, PathBuf) {
    let t = Test::new().write("envmint.toml", manifest);
    let config = t.path("config");
    let out = t
        .env("XDG_CONFIG_HOME", &config)
        .args(["bootstrap", "production"])
        .status(0);
    (out, config)
}

/// A store value's `${VAR}` is expanded from the store's own keys only when handed to a hook:
/// a forged store's `DB_HOST=${CI_TOKEN}.evil.example` must not carry a secret of the caller's
/// environment into a host name a hook resolves.
#[test]
fn hook_values_expand_from_the_store_only_never_from_the_callers_environment() {
    let manifest = "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\n\
                    kind = \"alnum\"\nlength = 32\nrole = \"credential\"\n\
                    [secrets.DB_PASSWORD.hooks]\nset = 'printf \"%s|%s\" \"$DB_HOST\" \"$DB_URL\" > seen'\n";
    let t = Test::new().write("envmint.toml", manifest).write(
        ".env",
        "DB_PASSWORD=abcdefghijklmnopqrstuvwxyz012345\nDB_NAME=app\n\
         DB_HOST=${OUTSIDE_TOKEN}.evil.example\nDB_URL=db/${DB_NAME}\n",
    );
    let config = t.path("config");
    let out = t
        .env("XDG_CONFIG_HOME", &config)
        .env("OUTSIDE_TOKEN", "ghs_caller_secret")
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(0);
    assert_eq!(out.read("seen"), ".evil.example|db/app");
}

/// A project using `pg`: its manifest, the store bootstrapped with the admin password and
/// host beside DB_PASSWORD, the app role given DB_PASSWORD's first value.
fn pg_project(pg: &Postgres, manifest: &str) -> (Test, String) {
    let (out, config) = bootstrapped(manifest);
    let mut text = out.read(".env");
    text.push_str(&format!(
        "DB_HOST={}\nDB_ADMIN_PASSWORD={ADMIN_PASSWORD}\n",
        pg.socket().display()
    ));
    fs::write(out.path(".env"), &text).unwrap();
    let first = value(&text, "DB_PASSWORD").unwrap();
    pg.admin(&format!("ALTER ROLE app PASSWORD '{first}';"));
    assert!(pg.logs_in("app", &first));
    let t = out.then().env("XDG_CONFIG_HOME", config);
    (t, first)
}

#[test]
fn a_rotated_postgres_password_logs_in_and_the_old_one_does_not() {
    let Some(pg) = Postgres::start() else { return };
    let (t, first) = pg_project(&pg, PG_MANIFEST);
    // Hooks never allowed on this machine: refused, nothing run or written.
    let out = t
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
    // The refusal's words are plan_and_audit_show_the_hooks's.
    assert_eq!(value(&out.read(".env"), "DB_PASSWORD").unwrap(), first);
    assert!(!out.read(".env").contains("DB_PASSWORD_PENDING"));

    let out = out
        .then()
        .args(["-v", "rotate", "production", "--key", "DB_PASSWORD"])
        .arg("--allow-hooks")
        .status(0);
    let text = out.read(".env");
    let new = value(&text, "DB_PASSWORD").unwrap();
    assert_ne!(new, first);
    assert!(pg.logs_in("app", &new), "the new value logs in");
    assert!(!pg.logs_in("app", &first), "the old value is refused");
    assert!(!text.contains("DB_PASSWORD_PENDING"), "{text}");
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: PGPASSWORD="$DB_ADMIN_PASSWORD" psql -X -q -h "$DB_HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' ⏎ \set new `printf %s "$ENVMINT_NEW"` ⏎ ALTER ROLE app PASSWORD :'new'; ⏎ SQL
  DB_PASSWORD test: test ! -e fail-test && ⏎ PGPASSWORD="$ENVMINT_NEW" psql -X -q -h "$DB_HOST" -U app -d postgres -c "select 1" >/dev/null
  against environment production: [DIR]/.env
production: DB_PASSWORD: pending value written (DB_PASSWORD_PENDING)
production: DB_PASSWORD: set hook: exit status 0 ([..]s)
production: DB_PASSWORD: test hook: exit status 0 ([..]s)
production: DB_PASSWORD: finished: the new value is current
production: .env (rotated 1)
  rotated              DB_PASSWORD  alnum     190.53 bits (selected)

"#]]);
    assert!(!out.stderr().contains(&new) && !out.stdout().contains(&new));

    // Allowed once: the next run needs no flag; --json reports the hooks that ran.
    let out = out
        .then()
        .args(["rotate", "production", "--key", "DB_PASSWORD", "--json"])
        .status(0);
    let json = out.json();
    let hooks = &json["environments"][0]["hooks"];
    assert_eq!(hooks[0]["stage"], "set");
    assert_eq!(hooks[1]["stage"], "test");
    assert_eq!(hooks[1]["status"], "ok");
    assert_eq!(json["environments"][0]["changes"][0]["action"], "rotated");
    let newer = value(&out.read(".env"), "DB_PASSWORD").unwrap();
    assert!(pg.logs_in("app", &newer) && !pg.logs_in("app", &new));

    // A changed hook is a new digest: refused until allowed again.
    let changed = PG_MANIFEST.replace("select 1", "select 2");
    fs::write(out.path("envmint.toml"), changed).unwrap();
    out.then()
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
}

#[test]
fn a_failing_test_hook_keeps_the_old_value_current_and_the_next_run_resumes() {
    let Some(pg) = Postgres::start() else { return };
    let (t, first) = pg_project(&pg, PG_MANIFEST);
    let t = t.write("fail-test", "");
    let out = t
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(1);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: PGPASSWORD="$DB_ADMIN_PASSWORD" psql -X -q -h "$DB_HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL' ⏎ \set new `printf %s "$ENVMINT_NEW"` ⏎ ALTER ROLE app PASSWORD :'new'; ⏎ SQL
  DB_PASSWORD test: test ! -e fail-test && ⏎ PGPASSWORD="$ENVMINT_NEW" psql -X -q -h "$DB_HOST" -U app -d postgres -c "select 1" >/dev/null
  against environment production: [DIR]/.env
production: DB_PASSWORD: test hook: exit status 1 ([..]s)
production: .env (nothing due)
error: production: DB_PASSWORD: the test hook failed (exit status 1); DB_PASSWORD keeps its current value, the new one stays pending (DB_PASSWORD_PENDING, stage=set)
hint: fix the cause, then run envmint rotate production --key DB_PASSWORD: it resumes at set with the same pending value (hooks must be idempotent); envmint rotate production --key DB_PASSWORD --abandon drops it

"#]]);
    let text = out.read(".env");
    assert_eq!(
        value(&text, "DB_PASSWORD").unwrap(),
        first,
        "old value current"
    );
    let pending = value(&text, "DB_PASSWORD_PENDING").expect("pending kept");
    assert!(text.contains("stage=set"), "{text}");
    assert!(!out.stderr().contains(&pending));
    // The service already holds the pending value (single strategy: set changed it).
    assert!(pg.logs_in("app", &pending));

    // `status` shows it, with its stage.
    let out = out.then().args(["status", "production"]).status(0);
    out.stdout_is(str![[r#"
production: .env
  KEY                  STATE        AGE  LAST ROTATION  NEXT
  DB_PASSWORD          ok [..]  [..]     [..] (due in 30 days)
  DB_PASSWORD_PENDING  pending [..]  [..]     stage set: envmint rotate production --key DB_PASSWORD resumes it
  DB_HOST              unmanaged      -  -              -
  DB_ADMIN_PASSWORD    unmanaged      -  -              -

"#]]);

    // Fixed: a scheduled run (no --key) resumes at set with the SAME value, and finishes.
    fs::remove_file(out.path("fail-test")).unwrap();
    let out = out.then().args(["rotate", "production"]).status(0);
    let text = out.read(".env");
    assert_eq!(value(&text, "DB_PASSWORD").unwrap(), pending);
    assert!(!text.contains("DB_PASSWORD_PENDING"), "{text}");
    assert!(pg.logs_in("app", &pending));
    assert!(!pg.logs_in("app", &first));
}

#[test]
fn abandon_drops_a_pending_value_and_keeps_the_current_one() {
    let (out, config) = bootstrapped(
        "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\nrole = \
         \"credential\"\n[secrets.DB_PASSWORD.hooks]\nset = 'exit 3'\n",
    );
    let first = value(&out.read(".env"), "DB_PASSWORD").unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(1);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: exit 3
  against environment production: [DIR]/.env
production: DB_PASSWORD: set hook: exit status 3 ([..]s)
production: .env (nothing due)
error: production: DB_PASSWORD: the set hook failed (exit status 3); DB_PASSWORD keeps its current value, the new one stays pending (DB_PASSWORD_PENDING, stage=pending)
hint: fix the cause, then run envmint rotate production --key DB_PASSWORD: it resumes at set with the same pending value (hooks must be idempotent); envmint rotate production --key DB_PASSWORD --abandon drops it

"#]]);
    assert!(out.read(".env").contains("stage=pending"));
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "production", "--key", "DB_PASSWORD", "--abandon"])
        .status(0);
    out.stderr_is(str![[r#"
production: DB_PASSWORD: pending value dropped; the current value stays (run the rotation again for a new one)

"#]]);
    let text = out.read(".env");
    assert!(!text.contains("DB_PASSWORD_PENDING"), "{text}");
    assert_eq!(value(&text, "DB_PASSWORD").unwrap(), first);
    // Nothing left to drop: said, and nothing written.
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "production", "--key", "DB_PASSWORD", "--abandon"])
        .status(0);
    out.stderr_is(str![[r#"
production: no pending value to drop

"#]]);
    assert_eq!(out.read(".env"), text);
}

/// (f): a hook that scans every process's command line and echoes the values: no value in any
/// argv, and none in envmint's output.
#[test]
fn no_value_is_in_any_argv_nor_in_envmints_output() {
    let manifest = r#"[environments.production]
file = ".env"
after = 'echo "after sees $DB_PASSWORD and $ADMIN_TOKEN"'

[secrets.DB_PASSWORD]
kind = "alnum"
length = 32
role = "credential"

[secrets.DB_PASSWORD.hooks]
set = '''
echo "new is $ENVMINT_NEW, old is $ENVMINT_OLD"
echo "admin is $ADMIN_TOKEN" >&2
printf '%s' "$ENVMINT_NEW" | cat > /dev/null &
for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' < "$f" 2>/dev/null; echo; done > cmdlines.txt
wait
'''
test = 'echo "testing $ENVMINT_NEW"; sleep 0.2 & for f in /proc/[0-9]*/cmdline; do tr "\0" " " < "$f" 2>/dev/null; echo; done >> cmdlines.txt; wait'
"#;
    let (out, config) = bootstrapped(manifest);
    let mut text = out.read(".env");
    text.push_str("ADMIN_TOKEN=tok-admin-9f8e7d6c5b\n");
    fs::write(out.path(".env"), &text).unwrap();
    let old = value(&text, "DB_PASSWORD").unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "-v",
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(0);
    let new = value(&out.read(".env"), "DB_PASSWORD").unwrap();
    let cmdlines = out.read("cmdlines.txt");
    assert!(cmdlines.lines().count() > 3, "{cmdlines}");
    for v in [&old, &new, &"tok-admin-9f8e7d6c5b".to_string()] {
        assert!(
            !cmdlines.contains(v.as_str()),
            "a value in an argv:\n{cmdlines}"
        );
        assert!(!out.stdout().contains(v.as_str()) && !out.stderr().contains(v.as_str()));
    }
    // The hook's own lines, as envmint passes them on (redacted); their order against
    // envmint's lines and each other's streams varies, so they are looked for one by one.
    for said in [
        "new is [DB_PASSWORD redacted], old is [DB_PASSWORD redacted]",
        "admin is [ADMIN_TOKEN redacted]",
        "testing [DB_PASSWORD redacted]",
        "after sees [DB_PASSWORD redacted] and [ADMIN_TOKEN redacted]",
    ] {
        assert!(out.stderr().contains(said), "{said}: {}", out.describe());
    }
}

#[test]
fn a_hook_past_its_timeout_is_killed_with_its_group() {
    let manifest = "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\nrole = \
                    \"credential\"\nhook_timeout = \"1s\"\n[secrets.DB_PASSWORD.hooks]\nset = \
                    'sleep 30 & sleep 30; echo never'\n";
    let (out, config) = bootstrapped(manifest);
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(1);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: sleep 30 & sleep 30; echo never
  against environment production: [DIR]/.env
production: DB_PASSWORD: set hook: timed out, killed ([..]s)
production: .env (nothing due)
error: production: DB_PASSWORD: the set hook failed (timed out, killed); DB_PASSWORD keeps its current value, the new one stays pending (DB_PASSWORD_PENDING, stage=pending)
hint: fix the cause, then run envmint rotate production --key DB_PASSWORD: it resumes at set with the same pending value (hooks must be idempotent); envmint rotate production --key DB_PASSWORD --abandon drops it

"#]]);
    assert!(!out.stderr().lines().any(|l| l == "never"));
    assert!(out.read(".env").contains("stage=pending"));
}

/// (c): SIGKILL at every instant of a rotation (the kill time sweeps the stages), then a run
/// to the end: each time the store's current value logs in.
#[test]
fn a_sigkill_at_any_stage_leaves_a_store_the_next_run_finishes() {
    let Some(pg) = Postgres::start() else { return };
    let (t, _) = pg_project(&pg, PG_MANIFEST);
    let mut out = t
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(0);
    let kills: u64 = std::env::var("ENVMINT_HOOK_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(40);
    let mut killed_with_pending = 0;
    for i in 0..kills {
        let t = out
            .then()
            .args(["rotate", "production", "--key", "DB_PASSWORD"]);
        let mut child = t.spawn();
        // 0 to ~200 ms: before the pending write, during set, test, and the finish.
        std::thread::sleep(Duration::from_micros((i * 5_003) % 200_000));
        let _ = child.kill();
        let _ = child.wait();
        if fs::read_to_string(t.path(".env"))
            .unwrap()
            .contains("DB_PASSWORD_PENDING")
        {
            killed_with_pending += 1;
        }
        // The next run finishes what was pending (or makes a whole new rotation).
        out = t.status(0);
        let text = out.read(".env");
        assert!(!text.contains("DB_PASSWORD_PENDING"), "kill {i}: {text}");
        let current = value(&text, "DB_PASSWORD").unwrap();
        assert!(
            pg.logs_in("app", &current),
            "kill {i}: the current value is refused"
        );
    }
    // The sweep must have hit the window between pending and finish at least once.
    assert!(
        killed_with_pending > 0,
        "no kill landed while a value was pending"
    );
    let _ = writeln!(
        std::io::stderr(),
        "hooks crash test: {kills} kills, {killed_with_pending} left a pending value"
    );
}

/// A Redis server on a Unix socket in a temp folder, with a temp config; stopped when dropped.
struct Redis {
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl Redis {
    fn start() -> Option<Redis> {
        if which("redis-server").is_none() || which("redis-cli").is_none() {
            skip("redis-server is not installed (apt-get install redis-server)");
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("envmint-redis-")
            .tempdir()
            .unwrap();
        let sock = dir.path().join("redis.sock");
        let conf = dir.path().join("redis.conf");
        fs::write(
            &conf,
            format!(
                "port 0\nunixsocket {}\nunixsocketperm 700\nsave \"\"\nappendonly no\n\
                 dir {}\n",
                sock.display(),
                dir.path().display()
            ),
        )
        .unwrap();
        let child = Command::new("redis-server")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let r = Redis { dir, child };
        for _ in 0..500 {
            if r.cli(None, "PING\n").contains("PONG") {
                return Some(r);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis did not start");
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("redis.sock")
    }

    /// `redis-cli` with `commands` on stdin, as `user`/`password` (REDISCLI_AUTH) or default.
    fn cli(&self, auth: Option<(&str, &str)>, commands: &str) -> String {
        use std::io::Write;
        let mut c = Command::new("redis-cli");
        c.arg("-s").arg(self.socket());
        if let Some((user, password)) = auth {
            c.args(["--user", user]).env("REDISCLI_AUTH", password);
        }
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(commands.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Whether `app` logs in with `password` (redis-cli goes on as `default` after a refused
    /// AUTH, so the test asks who it is).
    fn logs_in(&self, password: &str) -> bool {
        self.cli(None, &format!("AUTH app {password}\nACL WHOAMI\n"))
            .lines()
            .any(|l| l.trim() == "app")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// docs/hooks.md's Redis recipe for `REDIS_PASSWORD` (its `overlap`; the `test` hook when
/// `test`), bootstrapped, the store given `REDIS_SOCKET` and then `extra` (lines a forged
/// store would carry), and `app` set up at `redis` with the store's password: the project, its
/// config folder (`XDG_CONFIG_HOME`) and that password.
fn redis_project(
    redis: &Redis,
    overlap: &str,
    test: bool,
    extra: &str,
) -> (crate::common::Output, PathBuf, String) {
    let test = if test {
        r#"test = 'printf "AUTH app %s\nACL WHOAMI\n" "$ENVMINT_NEW" | redis-cli -s "$REDIS_SOCKET" | grep -qx app'"#
    } else {
        ""
    };
    let manifest = format!(
        r#"[environments.production]
file = ".env"

[secrets.REDIS_PASSWORD]
kind = "alnum"
length = 32
role = "credential"
overlap = "{overlap}"

[secrets.REDIS_PASSWORD.hooks]
set = 'printf "ACL SETUSER app on >%s ~* +@all\n" "$ENVMINT_NEW" | redis-cli -s "$REDIS_SOCKET" | grep -qx OK'
{test}
retire = 'printf "ACL SETUSER app <%s\n" "$ENVMINT_OLD" | redis-cli -s "$REDIS_SOCKET" | grep -qx OK'
"#
    );
    let (out, config) = bootstrapped(&manifest);
    let mut text = out.read(".env");
    let password = value(&text, "REDIS_PASSWORD").unwrap();
    text.push_str(&format!("REDIS_SOCKET={}\n", redis.socket().display()));
    text.push_str(extra);
    fs::write(out.path(".env"), &text).unwrap();
    redis.cli(None, &format!("ACL SETUSER app on >{password} ~* +@all\n"));
    assert!(redis.logs_in(&password));
    (out, config, password)
}

/// (e): Redis ACL dual passwords: `set` adds the new one, both work during the overlap, and
/// the `retire` hook removes the old one when the overlap ends.
#[test]
fn redis_dual_passwords_both_work_during_the_overlap_and_retire_removes_the_old() {
    let Some(redis) = Redis::start() else { return };
    let (out, config, first) = redis_project(&redis, "1h", true, "");

    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args([
            "rotate",
            "production",
            "--key",
            "REDIS_PASSWORD",
            "--allow-hooks",
        ])
        .args(["--at", "2027-01-02T00:00:00Z"])
        .status(0);
    let text = out.read(".env");
    let new = value(&text, "REDIS_PASSWORD").unwrap();
    assert_eq!(value(&text, "REDIS_PASSWORD_PREVIOUS").unwrap(), first);
    assert!(
        redis.logs_in(&new) && redis.logs_in(&first),
        "both during the overlap"
    );

    // Inside the window nothing retires; past it the retire hook runs, then the value goes.
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "production", "--at", "2027-01-02T00:30:00Z"])
        .status(0);
    assert!(redis.logs_in(&first));
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["-v", "rotate", "production", "--at", "2027-01-02T02:00:00Z"])
        .status(0);
    out.stderr_is(str![[r#"
production: REDIS_PASSWORD: retire hook: exit status 0 ([..]s)
production: .env (1 previous removed)
  removed expired      REDIS_PASSWORD_PREVIOUS  previous value of REDIS_PASSWORD

"#]]);
    assert!(!out.read(".env").contains("REDIS_PASSWORD_PREVIOUS"));
    assert!(redis.logs_in(&new), "the current one still works");
    assert!(
        !redis.logs_in(&first),
        "the old one is refused after retire"
    );
}

/// A forged retired value (a sealed store can be written by anyone: its recipients are public)
/// holding a newline and a second Redis command never reaches the `retire` hook: the hook is not
/// run, the value is kept, and `app` still needs its password (the recipe of docs/hooks.md,
/// which pipes `ENVMINT_OLD` into redis-cli line by line, would otherwise make it `nopass`).
#[test]
fn a_forged_retired_value_with_a_second_command_line_is_not_handed_to_the_retire_hook() {
    let Some(redis) = Redis::start() else { return };
    let (out, config, current) = redis_project(
        &redis,
        "1d",
        false,
        "# envmint: previous-of=REDIS_PASSWORD retired=2026-11-01T00:00:00Z \
         expires=2026-11-02T00:00:00Z\n\
         REDIS_PASSWORD_PREVIOUS=\"x\\nACL SETUSER app on nopass ~* +@all\"\n",
    );

    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "--due", "production", "--allow-hooks"])
        .args(["--at", "2027-01-02T00:00:00Z"])
        .run();
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  REDIS_PASSWORD set: printf "ACL SETUSER app on >%s ~* +@all\n" "$ENVMINT_NEW" | redis-cli -s "$REDIS_SOCKET" | grep -qx OK
  REDIS_PASSWORD retire: printf "ACL SETUSER app <%s\n" "$ENVMINT_OLD" | redis-cli -s "$REDIS_SOCKET" | grep -qx OK
  against environment production: [DIR]/.env
production: REDIS_PASSWORD: retire hook: not run: REDIS_PASSWORD: ENVMINT_OLD would hold a character no hook gets in a value (\n); a value envmint did not generate (a hand-set, edited or forged store) is not handed to a hook ([..]s)
production: .env (held: a retire hook failed, so nothing else was rotated or removed here this run)
error: production: REDIS_PASSWORD: the retire hook failed (not run: REDIS_PASSWORD: ENVMINT_OLD would hold a character no hook gets in a value (\n); a value envmint did not generate (a hand-set, edited or forged store) is not handed to a hook); the retired value is kept
hint: fix the cause; the next envmint rotate production runs it again, then removes the value

"#]]);
    assert!(
        out.read(".env").contains("REDIS_PASSWORD_PREVIOUS"),
        "the retired value is kept"
    );
    assert!(redis.logs_in(&current));
    assert!(
        !redis.logs_in("anything"),
        "app must still need its password (the injected line ran)"
    );
}

/// `plan` lists the hooks a rotation runs and never puts a hooked credential's value in its file;
/// `audit` reports hooks not allowed on this machine, and lists them once allowed.
#[test]
fn plan_and_audit_show_the_hooks() {
    let manifest = "[environments.production]\nfile = \".env\"\nafter = 'echo reload app'\n\
                    [secrets.DB_PASSWORD]\nrole = \"credential\"\n[secrets.DB_PASSWORD.hooks]\n\
                    set = 'echo set-at-service'\ntest = 'true'\n[secrets.JWT]\nkind = \"hex\"\n";
    let (out, _) = bootstrapped(manifest);
    let out = out.then().args(["plan", "--all", "-o", "r.plan"]).status(0);
    out.stderr_is(str![[r#"
production: .env (would rotate 2)
  would rotate         DB_PASSWORD  base64url 256 bits (selected)
  would rotate         JWT          hex       256 bits (selected)
hooks (envmint apply --allow-hooks or envmint rotate runs them, stage by stage; a plan file names a hooked credential, its new value is made when applied):
  production: DB_PASSWORD set: echo set-at-service
  production: DB_PASSWORD test: true
  production: environment after: echo reload app
plan written to r.plan; apply it with: envmint apply r.plan

"#]]);
    // The plan names the hooked credential (for `apply`), never with a value.
    let plan = out.read("r.plan");
    assert!(plan.contains("\"JWT\""), "{plan}");
    assert_eq!(plan.matches("\"DB_PASSWORD\"").count(), 1, "{plan}");
    assert!(plan.contains("\"hooked\":[\"DB_PASSWORD\"]"), "{plan}");

    let out = out.then().args(["audit"]).status(1);
    out.stdout_is(str![[r#"
== hooks ==
project: warning: DB_PASSWORD: the set hook runs `echo set-at-service` as you; new or changed since this manifest's hooks were allowed on this machine [hook-not-allowed]
  hint: review it like code; envmint rotate --allow-hooks allows the hooks as they are now
project: warning: DB_PASSWORD: the test hook runs `true` as you; new or changed since this manifest's hooks were allowed on this machine [hook-not-allowed]
  hint: review it like code; envmint rotate --allow-hooks allows the hooks as they are now
project: warning: environment production: the after hook runs `echo reload app` as you; new or changed since this manifest's hooks were allowed on this machine [hook-not-allowed]
  hint: review it like code; envmint rotate --allow-hooks allows the hooks as they are now

"#]]);
    // (Its stderr, the git note and the count of findings, is audit's summary, not this test's point.)
    // Not allowed: rotate lists every hook it refuses, not only a pointer to another command
    // (`plan ENV` lists none when nothing is due).
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD"])
        .status(77);
    out.stderr_is(str![[r#"
this manifest's hooks, not allowed on this machine:
  DB_PASSWORD set: echo set-at-service
  DB_PASSWORD test: true
  environment production after: echo reload app
error: envmint.toml: its hooks (commands envmint runs as you) are new or changed since you last allowed them on this machine
hint: review the hooks listed above, then run again with --allow-hooks

"#]]);
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(0)
        .then()
        .args(["audit"])
        .run();
    assert!(
        !out.stdout().contains("hook-not-allowed") && !out.stdout().contains("the set hook runs")
    );
    out.stderr_is(str![[r#"
note: . is not in a git repository (or git is not installed): the .gitignore and tracking checks do not apply
note: hooks allowed on this machine (envmint rotate runs them as you):
  DB_PASSWORD set: echo set-at-service
  DB_PASSWORD test: true
  environment production after: echo reload app
audit: no findings (production)

"#]]);
}

/// `reencrypt` of an encryption key: it gets the new and the old key, and its success retires
/// the old keys from the keyring; a failure keeps them.
#[test]
fn a_reencrypt_hook_that_succeeds_retires_the_old_keys() {
    let manifest = "[environments.production]\nfile = \".env\"\n[secrets.ENCRYPTION_KEY]\n\
                    kind = \"hex\"\nrole = \"encryption\"\nprevious = { list = \
                    \"ENCRYPTION_KEY_PREVIOUS\", keep = 4 }\n[secrets.ENCRYPTION_KEY.hooks]\n\
                    reencrypt = 'test ! -e fail && printf \"%s %s\" \"$ENVMINT_OLD\" \
                    \"$ENVMINT_NEW\" > reencrypted'\n";
    let t = Test::new()
        .write("envmint.toml", manifest)
        .write("fail", "");
    let config = t.path("config");
    let out = t
        .env("XDG_CONFIG_HOME", &config)
        .args(["bootstrap", "production"])
        .status(0);
    let first = value(&out.read(".env"), "ENCRYPTION_KEY").unwrap();
    let out = out
        .then()
        .args(["rotate", "--key", "ENCRYPTION_KEY", "--allow-hooks"])
        .status(1);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  ENCRYPTION_KEY reencrypt: test ! -e fail && printf "%s %s" "$ENVMINT_OLD" "$ENVMINT_NEW" > reencrypted
  against environment production: [DIR]/.env
production: ENCRYPTION_KEY: reencrypt hook: exit status 1 ([..]s)
production: .env (rotated 1)
  rotated              ENCRYPTION_KEY           hex       256 bits (selected)
  retired              ENCRYPTION_KEY_PREVIOUS  previous value of ENCRYPTION_KEY
error: production: ENCRYPTION_KEY: the reencrypt hook failed (exit status 1); the old keys stay in its keyring
hint: fix the cause and re-encrypt the data, then: envmint retire production ENCRYPTION_KEY

"#]]);
    let text = out.read(".env");
    assert_eq!(value(&text, "ENCRYPTION_KEY_PREVIOUS").unwrap(), first);
    let second = value(&text, "ENCRYPTION_KEY").unwrap();

    fs::remove_file(out.path("fail")).unwrap();
    let out = out
        .then()
        .args(["rotate", "--key", "ENCRYPTION_KEY", "--json"])
        .status(0);
    let text = out.read(".env");
    let third = value(&text, "ENCRYPTION_KEY").unwrap();
    assert_eq!(out.read("reencrypted"), format!("{second} {third}"));
    assert!(!text.contains("ENCRYPTION_KEY_PREVIOUS"), "{text}");
    let changes = &out.json()["environments"][0]["changes"];
    assert_eq!(changes[0]["action"], "rotated");
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["action"] == "dropped" && c["key"] == "ENCRYPTION_KEY_PREVIOUS"),
        "{changes}"
    );
}

/// `apply` of a saved plan that renews an encryption key runs its `reencrypt` hook (whose
/// success retires the old key) and the environment's `after`, as `rotate` does; without an
/// allowance it lists them and refuses before anything is written.
#[test]
fn apply_runs_reencrypt_and_after_for_the_keys_its_plan_renews() {
    let manifest = "[environments.production]\nfile = \".env\"\nafter = 'echo done > after-ran'\n\
                    [secrets.ENCRYPTION_KEY]\nkind = \"hex\"\nrole = \"encryption\"\n\
                    previous = { list = \"ENCRYPTION_KEY_PREVIOUS\", keep = 4 }\n\
                    [secrets.ENCRYPTION_KEY.hooks]\nreencrypt = 'printf \"%s %s\" \"$ENVMINT_OLD\" \
                    \"$ENVMINT_NEW\" > reencrypted'\n";
    let (out, config) = bootstrapped(manifest);
    let first = value(&out.read(".env"), "ENCRYPTION_KEY").unwrap();
    let plan = |out: crate::common::Output, file: &str| {
        out.then()
            .env("XDG_CONFIG_HOME", &config)
            .args(["plan", "production", "--key", "ENCRYPTION_KEY", "-o", file])
            .status(0)
    };
    let out = plan(out, "k.plan");
    let before = out.read(".env");
    let refused = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "k.plan"])
        .status(77);
    refused.stderr_is(str![[r#"
applying the plan runs these hooks:
  production: ENCRYPTION_KEY reencrypt: printf "%s %s" "$ENVMINT_OLD" "$ENVMINT_NEW" > reencrypted
  production: environment after: echo done > after-ran
error: k.plan: it runs hooks (production: ENCRYPTION_KEY, production: after), and this manifest's hooks are not allowed on this machine (new, or changed since you allowed them); nothing was changed
hint: review the hooks listed above, then run envmint apply k.plan --allow-hooks

"#]]);
    assert_eq!(
        refused.read(".env"),
        before,
        "nothing written before the allowance"
    );
    let out = refused
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "k.plan", "--allow-hooks"])
        .status(0);
    let text = out.read(".env");
    let second = value(&text, "ENCRYPTION_KEY").unwrap();
    assert_ne!(first, second);
    assert_eq!(out.read("reencrypted"), format!("{first} {second}"));
    assert!(!text.contains("ENCRYPTION_KEY_PREVIOUS"), "{text}");
    assert_eq!(out.read("after-ran"), "done\n");
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  ENCRYPTION_KEY reencrypt: printf "%s %s" "$ENVMINT_OLD" "$ENVMINT_NEW" > reencrypted
  environment production after: echo done > after-ran
  against environment production: [DIR]/.env
production: .env (plan applied)
  rotate          ENCRYPTION_KEY (selected)
  retire          ENCRYPTION_KEY_PREVIOUS
production: retired after its reencrypt hook succeeded:
    dropped              ENCRYPTION_KEY_PREVIOUS  previous value of ENCRYPTION_KEY

"#]]);
    // --json lists them too, as rotate --json does among its changes.
    let out = plan(out, "k2.plan")
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "k2.plan", "--allow-hooks", "--json"])
        .status(0);
    let report = out.json();
    let env = &report["environments"][0];
    assert_eq!(env["result"], "applied", "{report}");
    let retired = env["retired"].as_array().expect("a retired list");
    assert_eq!(retired.len(), 1, "{report}");
    assert_eq!(retired[0]["key"], "ENCRYPTION_KEY_PREVIOUS", "{report}");
    assert_eq!(retired[0]["previous_of"], "ENCRYPTION_KEY", "{report}");
    assert!(!out.stdout().contains(&second), "{}", out.stdout());
}

/// The alternating users recipe of the README: each rotation sets a new password on the user
/// not in use, tests it, then switches DB_USER and DB_PASSWORD together.
const PG_ALTERNATE: &str = r#"[environments.production]
file = ".env"

[secrets.DB_PASSWORD]
kind = "alnum"
length = 32
role = "credential"
alternate = { user = "DB_USER", names = ["app_blue", "app_green"] }

[secrets.DB_PASSWORD.hooks]
set = '''
PGPASSWORD="$DB_ADMIN_PASSWORD" psql -X -q -h "$DB_HOST" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
\set user `printf %s "$ENVMINT_USER"`
\set new `printf %s "$ENVMINT_NEW"`
ALTER ROLE :"user" PASSWORD :'new';
SQL
'''
test = 'PGPASSWORD="$ENVMINT_NEW" psql -X -q -h "$DB_HOST" -U "$ENVMINT_USER" -d postgres -c "select 1" >/dev/null'
"#;

/// (d): a client connects every 20 ms through 20 rotations, one with the credentials it read
/// when it (re)started (it restarts once per rotation, as an app deploy would), one reading the
/// file for each connection: no login fails.
#[test]
fn alternating_users_never_fail_a_login_through_20_rotations() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let Some(pg) = Postgres::start() else { return };
    let (t, first) = pg_project(&pg, PG_ALTERNATE);
    // The app starts as app_blue with the first password.
    let env = t.path(".env");
    let mut text = fs::read_to_string(&env).unwrap();
    text.push_str("DB_USER=app_blue\n");
    fs::write(&env, &text).unwrap();
    pg.admin(&format!("ALTER ROLE app_blue PASSWORD '{first}';"));

    let stop = Arc::new(AtomicBool::new(false));
    let generation = Arc::new(AtomicUsize::new(0));
    // The generation the client's last whole round of connections began in: a rotation starts
    // only once every credential read before the previous one has been used (real rotations
    // are days apart; here a slow connection must not span two of them).
    let done = Arc::new(AtomicUsize::new(0));
    let socket = pg.socket();
    let read = {
        let env = env.clone();
        move || {
            let text = fs::read_to_string(&env).unwrap();
            (
                value(&text, "DB_USER").unwrap(),
                value(&text, "DB_PASSWORD").unwrap(),
            )
        }
    };
    let client = {
        let (stop, generation, read) = (stop.clone(), generation.clone(), read.clone());
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut tries, mut failures) = (0, Vec::new());
            let mut held = read();
            let mut seen = 0;
            while !stop.load(Ordering::SeqCst) {
                // Restarted after each rotation: reads the file once, then keeps what it read.
                let g = generation.load(Ordering::SeqCst);
                if g != seen {
                    held = read();
                    seen = g;
                }
                let fresh = read();
                for (who, (user, pw)) in [("held", &held), ("fresh", &fresh)] {
                    tries += 1;
                    if !psql(user, pw, &socket, "select 1") {
                        failures.push(format!("{who} {user} after rotation {g}"));
                    }
                }
                done.store(g, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
            (tries, failures)
        })
    };
    let mut out = t
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(0);
    generation.fetch_add(1, Ordering::SeqCst);
    let settle = |g: usize| {
        let deadline = std::time::Instant::now() + crate::common::HANG;
        while done.load(Ordering::SeqCst) < g {
            assert!(std::time::Instant::now() < deadline, "the client stalled");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    for g in 1..20 {
        settle(g);
        out = out
            .then()
            .args(["rotate", "production", "--key", "DB_PASSWORD"])
            .status(0);
        generation.fetch_add(1, Ordering::SeqCst);
    }
    settle(20);
    stop.store(true, Ordering::SeqCst);
    let (tries, failures) = client.join().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {tries} logins failed: {failures:?}",
        failures.len()
    );
    assert!(tries >= 40, "only {tries} logins");
    let (user, pw) = read();
    assert!(pg.logs_in(&user, &pw));
    // 20 rotations alternate: back to the user it started with.
    assert_eq!(user, "app_blue");
}

/// A sealed store is decrypted once per run when no hook has work (the scheduled
/// `rotate --due` of most days, `plan`, a dry run), even in an environment with hooked
/// credentials: the staged part looks at the session's own read. The test plugin says "touch
/// the test key" on each decryption; a run that also read each store for hooks said it twice.
#[test]
fn a_sealed_store_is_decrypted_once_per_run_when_no_hook_has_work() {
    use crate::common::{PLUGIN_TOUCH, plugin_identity};
    let Some((id, recipient, path)) = plugin_identity() else {
        return;
    };
    let manifest = format!(
        "[environments.production]\nsealed = \".env.production.age\"\nrecipients = \
         [\"{recipient}\"]\n[environments.staging]\nfile = \".env.staging\"\n\
         [secrets.SECRET_KEY]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"30d\"\n\
         [secrets.DB_PASSWORD]\nrole = \"credential\"\nrotate_every = \"365d\"\n\
         [secrets.DB_PASSWORD.hooks]\nset = 'printf %s \"$ENVMINT_NEW\" > got-new'\n\
         retire = 'echo retire'\n"
    );
    let t = Test::new();
    let config = t.path("config");
    let mut out = t
        .env("PATH", &path)
        .env("XDG_CONFIG_HOME", &config)
        .env("ENVMINT_IDENTITY", "key.txt")
        .write("key.txt", &id)
        .chmod("key.txt", 0o600)
        .write("envmint.toml", manifest)
        .args(["bootstrap", "--all"])
        .status(0);
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 40)).to_string();
    for args in [
        &["rotate", "--due"][..],
        &["plan", "--at", &at],
        &["rotate", "--due", "--dry-run", "--at", &at],
        // SECRET_KEY is due in both stores and rotated; DB_PASSWORD is not: no hook runs.
        &["rotate", "--due", "--at", &at],
    ] {
        out = out.then().args(args).status(0);
        assert_eq!(
            out.stderr().matches(PLUGIN_TOUCH).count(),
            1,
            "{args:?}: {}",
            out.stderr()
        );
    }
    // Hooks on a sealed store: the set hook gets the new value, which the store then holds.
    let out = out
        .then()
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
            "--at",
            &at,
        ])
        .status(0);
    let got = out.read("got-new");
    assert!(got.len() >= 32, "{}", out.stderr());
    assert!(!out.stderr().contains(&got));
    let out = out
        .then()
        .args(["get", "production", "DB_PASSWORD"])
        .status(0);
    assert_eq!(out.stdout().trim(), got);
}

/// Every `set` hook of the README's PostgreSQL recipes (the toml blocks that write
/// `PASSWORD :'new'`), run as envmint runs it with a hostile value: one full of quotes, `;`,
/// `$` and backticks. The role's password becomes exactly that value, and nothing else runs.
/// (envmint itself never hands such a value to a hook; the recipe must hold without that.)
#[test]
fn the_readme_postgres_recipes_are_injection_safe_for_a_hostile_value() {
    let Some(pg) = Postgres::start() else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    if let Ok(dir) = fs::read_dir(root.join("docs")) {
        docs.extend(dir.flatten().map(|e| e.path()));
    }
    let quotes = "'''";
    let mut recipes = Vec::new();
    for doc in docs
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        let text = fs::read_to_string(doc).unwrap();
        for block in text.split("```toml").skip(1) {
            let block = block.split("```").next().unwrap();
            if !block.contains("PASSWORD :'new'") {
                continue;
            }
            // Indented blocks (in a list) and fragments: dedent, and read the `set` string.
            let indent = block
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0);
            let dedented: String = block
                .lines()
                .map(|l| l.get(indent..).unwrap_or("").to_string() + "\n")
                .collect();
            let open = format!("set = {quotes}\n");
            let start = dedented.find(&open).unwrap();
            let body = &dedented[start + open.len()..];
            let end = body.find(quotes).unwrap();
            recipes.push((doc.clone(), body[..end].to_string()));
        }
    }
    assert!(recipes.len() >= 3, "the recipes: {recipes:?}");
    let hostile = "x'; DROP ROLE app_green; -- \" $(touch pwned) `touch pwned2` \\ ;'";
    for (i, (doc, script)) in recipes.iter().enumerate() {
        let value = format!("{hostile}{i}");
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("DB_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("DB_HOST", pg.socket())
            .env("ENVMINT_NEW", &value)
            .env("ENVMINT_USER", "app_blue")
            .current_dir(pg.socket())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {script}\n{}",
            doc.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let user = if script.contains(":\"user\"") {
            "app_blue"
        } else {
            "app"
        };
        assert!(pg.logs_in(user, &value), "{}: {script}", doc.display());
        assert!(pg.role_exists("app_green"), "a role was dropped: {script}");
        assert!(!pg.socket().join("pwned").exists() && !pg.socket().join("pwned2").exists());
    }
}

/// A project with a credential whose `set` hook records that it ran, allowed and rotated once
/// (so this machine's pending-value key exists): its test, config folder and store text.
fn marker_project(extra: &str) -> (Test, PathBuf) {
    let manifest = format!(
        "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\nkind = \"alnum\"\n\
         length = 32\nrole = \"credential\"\n[secrets.DB_PASSWORD.hooks]\n\
         set = 'echo \"$ENVMINT_STAGE\" >> hook-ran'\n{extra}"
    );
    let (out, config) = bootstrapped(&manifest);
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(0);
    fs::remove_file(out.path("hook-ran")).unwrap();
    (out.then().env("XDG_CONFIG_HOME", &config), config)
}

/// The MAC this machine's envmint writes on a pending value (the test recomputes it from the
/// key file, to plant values that pass it and so reach the value check).
fn pending_mac(
    config: &Path,
    env: &str,
    key: &str,
    stage: &str,
    generated: &str,
    value: &str,
) -> String {
    use hmac::Mac as _;
    let text = fs::read_to_string(config.join("envmint/pending-key")).unwrap();
    let key_bytes = hex::decode(text.trim()).unwrap();
    let mut message = String::from("envmint pending value v2");
    for part in [env, key, stage, generated, value] {
        message.push_str(&format!("\n{}:{part}", part.len()));
    }
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&key_bytes).unwrap();
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A pending value this machine's envmint did not write (planted in a committed or forged
/// store: no `mac=`, or a wrong one) is refused (77) before any hook runs, naming the key,
/// with `--abandon` in the hint; one with a valid MAC but a value no hook may get (a quote,
/// a wrong length) is refused (65). `--abandon` then clears the way.
#[test]
fn a_pending_value_this_machine_did_not_write_is_refused_before_any_hook() {
    let (t, config) = marker_project("");
    // The key is private and the record of a real rotation's pending value carries a mac.
    let key_file = config.join("envmint/pending-key");
    assert_eq!(
        fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let planted = "PlantedValue0123456789abcdefghij";
    let forms = [
        String::new(),
        format!(" mac={}", "ab".repeat(32)),
        // A mac made for another key of the same value does not do either.
        format!(
            " mac={}",
            pending_mac(
                &config,
                "production",
                "OTHER",
                "pending",
                "2026-01-01T00:00:00Z",
                planted
            )
        ),
    ];
    let base = fs::read_to_string(t.path(".env")).unwrap();
    let mut t = t;
    for mac in forms {
        let setup = t.write(
            ".env",
            base.clone() + &format!("# envmint: generated=2026-01-01T00:00:00Z stage=pending{mac}\nDB_PASSWORD_PENDING={planted}\n"),
        );
        let before = fs::read_to_string(setup.path(".env")).unwrap();
        let out = setup
            .args(["rotate", "production", "--key", "DB_PASSWORD"])
            .status(77);
        out.stderr_is(str![[r#"
error: .env: DB_PASSWORD: its pending value (DB_PASSWORD_PENDING, line 5) was not written by envmint on this machine (no valid mac= in its record); it is not handed to a hook nor made current
hint: if this machine did not start that rotation (a committed, merged or edited store), drop it: envmint rotate production --key DB_PASSWORD --abandon, then rotate again

"#]]);
        assert!(!out.exists("hook-ran"), "a hook ran: {}", out.stderr());
        assert_eq!(out.read(".env"), before);
        t = out.then();
    }
    // A valid mac over a value no hook may get: refused (65), the hook not run.
    let now = utc_now();
    for (value, says) in [
        (
            "Planted'Value0123456789abcdefghi",
            str![[r#"
error: .env:5: DB_PASSWORD: its pending value (DB_PASSWORD_PENDING) holds a character no hook gets in a value (\'); it is not handed to a hook
hint: drop it: envmint rotate production --key DB_PASSWORD --abandon, then rotate again

"#]],
        ),
        (
            "Short1",
            str![[r#"
error: .env:5: DB_PASSWORD: its pending value (DB_PASSWORD_PENDING) does not match its declaration (6 characters long); it is not handed to a hook
hint: drop it: envmint rotate production --key DB_PASSWORD --abandon, then rotate again

"#]],
        ),
    ] {
        let mac = pending_mac(&config, "production", "DB_PASSWORD", "set", &now, value);
        let setup = t.write(
            ".env",
            base.clone()
                + &format!(
                    "# envmint: generated={now} stage=set mac={mac}\nDB_PASSWORD_PENDING={value}\n"
                ),
        );
        let out = setup
            .args(["rotate", "production", "--key", "DB_PASSWORD"])
            .status(65);
        out.stderr_is(says);
        assert!(!out.stderr().contains(value), "{}", out.stderr());
        assert!(!out.exists("hook-ran"));
        t = out.then();
    }
    // Abandoned, the next rotation runs the hook with a value of its own.
    let out = t
        .args(["rotate", "production", "--key", "DB_PASSWORD", "--abandon"])
        .status(0)
        .then()
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set\n");
    assert!(!out.read(".env").contains("DB_PASSWORD_PENDING"));
}

/// The current time as records write it (seconds, UTC).
fn utc_now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A pending value's `mac=` covers its `generated=` time, and one older than 7 days is not
/// resumed (77, the hook not run), with the way to finish it by hand: a store restored from an
/// older commit would otherwise replay a value this machine wrote and finished since.
/// `status` and `audit` flag it, and a pending value not written here, instead of showing
/// them as resumable; a fresh one of this machine's stays resumable everywhere.
#[test]
fn a_stale_or_foreign_pending_value_is_refused_by_rotate_and_flagged_by_status_and_audit() {
    let (t, config) = marker_project("");
    let base = fs::read_to_string(t.path(".env")).unwrap();
    let value = "StaleValue0123456789abcdefghijkl";
    let old = "2026-01-01T00:00:00Z";
    let now = utc_now();
    let record = |at: &str, mac: &str| {
        format!("# envmint: generated={at} stage=set mac={mac}\nDB_PASSWORD_PENDING={value}\n")
    };
    let stale = record(
        old,
        &pending_mac(&config, "production", "DB_PASSWORD", "set", old, value),
    );
    // Re-dated to look fresh, under the mac of the old time: not this machine's any more.
    let redated = record(
        &now,
        &pending_mac(&config, "production", "DB_PASSWORD", "set", old, value),
    );
    let fresh = record(
        &now,
        &pending_mac(&config, "production", "DB_PASSWORD", "set", &now, value),
    );

    let out = t
        .write(".env", base.clone() + &stale)
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
    out.stderr_is(str![[r#"
error: .env: DB_PASSWORD: its pending value (DB_PASSWORD_PENDING, line 5) was generated at 2026-01-01T00:00:00Z, more than 7 days ago; an old pending value may come from a restored store, so it is not handed to a hook nor made current
hint: if it is the rotation you left and the service holds it, finish by hand: envmint get production DB_PASSWORD_PENDING | envmint set production DB_PASSWORD, then envmint rotate production --key DB_PASSWORD --abandon; else drop it with that --abandon and rotate again

"#]]);
    assert!(!out.exists("hook-ran"), "a hook ran: {}", out.stderr());
    assert!(!out.stderr().contains(value));
    let out = out.then().args(["status", "production"]).status(0);
    out.stderr_is(str![[r#"
warning: .env:5: DB_PASSWORD_PENDING: a pending value generated at 2026-01-01T00:00:00Z, more than 7 days ago: rotate refuses to resume it

"#]]);
    out.stdout_is(str![[r#"
production: .env
  KEY                  STATE        AGE  LAST ROTATION  NEXT
  DB_PASSWORD          ok [..]  [..]     [..] (due in 90 days)
  DB_PASSWORD_PENDING  pending [..]  2026-01-01     stage set: too old to resume: envmint rotate production --key DB_PASSWORD refuses it and says what to do

"#]]);
    assert!(!out.stdout().contains("resumes it"), "{}", out.stdout());
    let out = out.then().args(["audit", "production"]).status(1);
    out.stdout_is(str![[r#"
== weak values ==
.env:5: warning: DB_PASSWORD_PENDING is not declared and looks weak: about 82 bits by envmint's estimate, under 128 [low-entropy]
  hint: if envmint may make it, declare it in the manifest and run `envmint bootstrap production --replace-weak`; else get a longer one from its issuer

== rotation ==
.env:5: warning: DB_PASSWORD_PENDING holds a pending value of DB_PASSWORD that was generated here at 2026-01-01T00:00:00Z, more than 7 days ago (it may come from a restored store): rotate refuses to resume it [rotation-due]
  hint: if the service holds it, finish by hand: envmint get production DB_PASSWORD_PENDING | envmint set production DB_PASSWORD; then envmint rotate production --key DB_PASSWORD --abandon drops it

"#]]);
    out.stderr_is(str![[r#"
note: . is not in a git repository (or git is not installed): the .gitignore and tracking checks do not apply
note: hooks allowed on this machine (envmint rotate runs them as you):
  DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
audit: 2 findings (0 error(s), 2 warning(s)) in production

"#]]);
    // The way out the hint gives, when it is yours and the service holds it.
    let out = out
        .then()
        .args(["get", "production", "DB_PASSWORD_PENDING"])
        .status(0);
    let pending = out.stdout().trim().to_string();
    assert_eq!(pending, value);
    let out = out
        .then()
        .args(["set", "production", "DB_PASSWORD"])
        .stdin(&pending)
        .status(0)
        .then()
        .args(["rotate", "production", "--key", "DB_PASSWORD", "--abandon"])
        .status(0);
    assert!(!out.exists("hook-ran"));
    assert!(
        out.read(".env")
            .contains(&format!("\nDB_PASSWORD={value}\n")),
        "{}",
        out.read(".env")
    );
    assert!(!out.read(".env").contains("DB_PASSWORD_PENDING"));

    let out = out
        .then()
        .write(".env", base.clone() + &redated)
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
    // Its words are a_pending_value_this_machine_did_not_write_is_refused_before_any_hook's
    // (a mac that does not verify).
    let out = out
        .then()
        .args(["status", "production", "--json"])
        .status(0);
    let rows: serde_json::Value = serde_json::from_str(out.stdout()).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "DB_PASSWORD_PENDING")
        .unwrap();
    assert_eq!(row["state"], "pending");
    assert!(
        row["problem"]
            .as_str()
            .unwrap()
            .contains("did not write here"),
        "{row}"
    );
    let out = out.then().args(["status", "production"]).status(0);
    // The words of both runs below (the ages and dates vary, so they are compared by this one
    // text, not by one run's output).
    let not_resumable = str![[r#"
production: .env
  KEY                  STATE        AGE  LAST ROTATION  NEXT
  DB_PASSWORD          ok [..]  [..]     [..] (due in 90 days)
  DB_PASSWORD_PENDING  pending [..]  [..]     stage set: not written here, not resumable: envmint rotate production --key DB_PASSWORD --abandon drops it

"#]];
    out.stdout_is(not_resumable.clone());
    let out = out.then().args(["audit", "production"]).status(1);
    out.stdout_is(str![[r#"
== weak values ==
.env:5: warning: DB_PASSWORD_PENDING is not declared and looks weak: about 82 bits by envmint's estimate, under 128 [low-entropy]
  hint: if envmint may make it, declare it in the manifest and run `envmint bootstrap production --replace-weak`; else get a longer one from its issuer

== rotation ==
.env:5: warning: DB_PASSWORD_PENDING holds a pending value of DB_PASSWORD that was not written by envmint here (its mac= does not verify with your pending key: another machine or HOME wrote it, or it was planted): rotate refuses to resume it [rotation-due]
  hint: resume it where it was started; if nobody here started it: envmint rotate production --key DB_PASSWORD --abandon

"#]]);
    // (Its stderr is the same notes and count as the audit above.)
    // With no pending key at all (a fresh HOME), nothing is resumable either.
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", config.join("elsewhere"))
        .args(["status", "production"])
        .status(0);
    out.stdout_is(not_resumable);

    // This machine's fresh pending value: resumable, and resumed.
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .write(".env", base.clone() + &fresh)
        .args(["status", "production"])
        .status(0);
    out.stdout_is(str![[r#"
production: .env
  KEY                  STATE        AGE  LAST ROTATION  NEXT
  DB_PASSWORD          ok [..]  [..]     [..] (due in 90 days)
  DB_PASSWORD_PENDING  pending [..]  [..]     stage set: envmint rotate production --key DB_PASSWORD resumes it

"#]]);
    assert!(!out.stderr().contains("refuses"), "{}", out.stderr());
    let out = out
        .then()
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set\n");
    assert!(!out.read(".env").contains("DB_PASSWORD_PENDING"));
}

/// A store's keys that point a client elsewhere (`PGHOST`, `PGHOSTADDR`, `REDISCLI_AUTH`...)
/// or load code (`LD_PRELOAD`, `PATH`) never reach a hook unless the manifest declares them
/// under `[secrets]`; declaring one changes what `--allow-hooks` allowed.
#[test]
fn hooks_get_no_client_redirection_from_the_store_unless_declared() {
    let hook = "test = 'env | cut -d= -f1 > hook-env; printf %s \"$PATH\" > hook-path'\n";
    let (t, _) = marker_project(hook);
    let text = fs::read_to_string(t.path(".env")).unwrap();
    let planted = "PGHOST=evil.example\nPGHOSTADDR=192.0.2.1\nREDISCLI_AUTH=x\n\
                   LD_PRELOAD=/tmp/evil.so\nPATH=/evil\nHTTPS_PROXY=http://evil\nDB_HOST=db\n";
    let out = t
        .write(".env", format!("{text}{planted}"))
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(0);
    let names = out.read("hook-env");
    let names: Vec<&str> = names.lines().collect();
    for held in [
        "PGHOST",
        "PGHOSTADDR",
        "REDISCLI_AUTH",
        "LD_PRELOAD",
        "HTTPS_PROXY",
    ] {
        assert!(!names.contains(&held), "{held} reached the hook: {names:?}");
    }
    assert!(names.contains(&"DB_HOST"), "{names:?}");
    assert_ne!(out.read("hook-path"), "/evil");
    // Declared, it is passed, once allowed again (what the hooks run against changed).
    let manifest = out.read("envmint.toml") + "[secrets.PGHOST]\nexternal = true\n";
    let out = out
        .then()
        .write("envmint.toml", manifest)
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
    // The refusal's words are plan_and_audit_show_the_hooks's.
    assert_eq!(out.stdout(), "");
    let out = out
        .then()
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(0);
    assert!(out.read("hook-env").lines().any(|l| l == "PGHOST"));
    assert!(!out.read("hook-env").lines().any(|l| l == "PGHOSTADDR"));
}

/// The allowance covers what the hooks run against: a new environment (or another store)
/// needs a new one, `--allow-hooks` names each environment's store, and a symlinked
/// manifest runs no hooks (it would run hooks allowed elsewhere against its folder's stores).
#[test]
fn the_allowance_covers_the_environments_and_stores_and_no_symlinked_manifest() {
    let (t, _) = marker_project("");
    let manifest = fs::read_to_string(t.path("envmint.toml")).unwrap();
    let grown = manifest.replace(
        "[environments.production]\nfile = \".env\"\n",
        "[environments.production]\nfile = \".env\"\n[environments.staging]\nfile = \".env.staging\"\n",
    );
    let out = t
        .write("envmint.toml", &grown)
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
    assert!(!out.exists("hook-ran"));
    let out = out
        .then()
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(0);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
  against environment production: [DIR]/.env
  against environment staging: [DIR]/.env.staging
production: .env (rotated 1)
  rotated              DB_PASSWORD  alnum     190.53 bits (selected)

"#]]);
    assert_eq!(out.read("hook-ran"), "set\n");
    // The same manifest through a symlink, from another folder: refused, nothing run.
    fs::create_dir(out.path("other")).unwrap();
    std::os::unix::fs::symlink(out.path("envmint.toml"), out.path("other/envmint.toml")).unwrap();
    fs::write(out.path("other/.env"), fs::read(out.path(".env")).unwrap()).unwrap();
    let out = out
        .then()
        .cwd("other")
        .args([
            "rotate",
            "production",
            "--key",
            "DB_PASSWORD",
            "--allow-hooks",
        ])
        .status(77);
    out.stderr_is(str![[r#"
error: envmint.toml: its hooks run only from a manifest that is not a symlink (a link would run hooks allowed for the file it points to against other stores)
hint: run envmint with --manifest naming the real file

"#]]);
    assert!(!out.exists("other/hook-ran"));
}

/// `--allow-hooks` shows every hook in full (no cut at 200 characters) with bidirectional and
/// control characters escaped; a hook's output is capped per stream, and the cut is said.
#[test]
fn the_hook_listing_is_whole_and_escaped_and_hook_output_is_capped() {
    let long = format!("echo {} > /dev/null", "x".repeat(300));
    let hooks = format!(
        "test = '{long}; printf \"a\\u202eb\\n\" > /dev/null; head -c 3000000 /dev/zero | tr \"\\\\0\" a'\n"
    );
    let manifest = format!(
        "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\nkind = \"alnum\"\n\
         length = 32\nrole = \"credential\"\n[secrets.DB_PASSWORD.hooks]\nset = 'true # \u{202e}evil'\n{hooks}"
    );
    let (out, _) = bootstrapped(&manifest);
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(0);
    let err = out.stderr();
    assert!(!err.contains('\u{202e}'));
    assert!(err.len() < 1_100_000, "{} bytes of stderr", err.len());
    // Whole: the long hook uncut, the bidirectional character escaped, the first MiB of the
    // hook's output, then the line that says how much was cut.
    let output = "a".repeat(1_048_576);
    crate::common::words_are(
        err,
        out.dir(),
        &[("[LONG_HOOK]", &long), ("[FIRST_MIB]", &output)],
        str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: true # \u{202e}evil
  DB_PASSWORD test: [LONG_HOOK]; printf "a\u202eb\n" > /dev/null; head -c 3000000 /dev/zero | tr "\\0" a
  against environment production: [DIR]/.env
[FIRST_MIB]
[envmint: the hook's stdout was cut after 1048576 bytes; 1951424 more bytes not shown]
production: .env (rotated 1)
  rotated              DB_PASSWORD  alnum     190.53 bits (selected)

"#]],
    );
}

/// The user's envmint files that decide what runs as them are trusted only when they are their
/// own regular files: the pending-value key (private: not readable by others) and the
/// allowance (not writable by others). Loosened, or a symlink: refused, no hook run.
#[test]
fn a_pending_key_or_allowance_that_others_may_touch_or_a_symlink_is_refused() {
    for (name, loose, loosened, linked) in [
        (
            "pending-key",
            0o644,
            str![[r#"
error: config/envmint/pending-key: the pending-value key is another user's, or others may read it (uid 0, mode 0644; you are uid 0)
hint: make it yours and private: chmod 600, or remove it

"#]],
            str![[r#"
error: config/envmint/pending-key: the pending-value key is a symlink: only a file of your own is trusted
hint: replace the link by a regular file of yours (chmod 600), or remove it

"#]],
        ),
        (
            "allow-hooks",
            0o664,
            str![[r#"
error: config/envmint/allow-hooks: the hooks allowance file is another user's, or others may write it (uid 0, mode 0664; you are uid 0)
hint: make it yours and private: chmod 600, or remove it

"#]],
            str![[r#"
error: config/envmint/allow-hooks: the hooks allowance file is a symlink: only a file of your own is trusted
hint: replace the link by a regular file of yours (chmod 600), or remove it

"#]],
        ),
    ] {
        let (t, config) = marker_project("");
        let file = config.join("envmint").join(name);
        fs::set_permissions(&file, fs::Permissions::from_mode(loose)).unwrap();
        let out = t
            .args(["rotate", "production", "--key", "DB_PASSWORD"])
            .status(77);
        out.stderr_is(loosened);
        assert!(!out.exists("hook-ran"));
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        fs::rename(&file, config.join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(config.join("elsewhere"), &file).unwrap();
        let out = out
            .then()
            .args(["rotate", "production", "--key", "DB_PASSWORD"])
            .status(77);
        out.stderr_is(linked);
        assert!(!out.exists("hook-ran"));
    }
}

/// `alternate` with `retire`: the retire hook gets the user **not** in use (whose password the
/// retired value is), never the live one. A failing retire hook keeps the value and holds that
/// store out of the run, and the summary and `--json` say so; fixed, the next run retires it.
#[test]
fn alternate_retire_gets_the_user_not_in_use_and_a_failed_retire_is_reported() {
    let manifest = "[environments.production]\nfile = \".env\"\n[secrets.SESSION]\nkind = \"hex\"\n\
        bytes = 32\nrotate_every = \"1d\"\n[secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\n\
        role = \"credential\"\noverlap = \"1d\"\n\
        alternate = { user = \"DB_USER\", names = [\"app_blue\", \"app_green\"] }\n\
        [secrets.DB_PASSWORD.hooks]\n\
        set = 'echo \"set $ENVMINT_USER\" >> hook-ran'\n\
        retire = 'echo \"retire $ENVMINT_USER\" >> hook-ran; test ! -e fail-retire'\n";
    let (out, _) = bootstrapped(manifest);
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set app_blue\n");
    assert_eq!(
        value(&out.read(".env"), "DB_USER").as_deref(),
        Some("app_blue")
    );
    fs::write(out.path("fail-retire"), "").unwrap();
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 3)).to_string();
    let before = out.read(".env");
    let out = out.then().args(["rotate", "--due", "--at", &at]).status(1);
    assert_eq!(out.read("hook-ran"), "set app_blue\nretire app_green\n");
    out.stderr_is(str![[r#"
production: DB_PASSWORD: retire hook: exit status 1 ([..]s)
production: .env (held: a retire hook failed, so nothing else was rotated or removed here this run)
error: production: DB_PASSWORD: the retire hook failed (exit status 1); the retired value is kept
hint: fix the cause; the next envmint rotate production runs it again, then removes the value

"#]]);
    assert_eq!(out.read(".env"), before, "nothing rotated or removed");
    let out = out
        .then()
        .args(["rotate", "--due", "--at", &at, "--json"])
        .status(1);
    let json = out.json();
    let env = &json["environments"][0];
    assert_eq!(env["environment"], "production");
    assert_eq!(env["held"], true);
    assert_eq!(env["hooks"][0]["stage"], "retire");
    assert_eq!(env["hooks"][0]["status"], "failed");
    // Fixed: the retire hook runs again, the value goes, the due key is rotated.
    fs::remove_file(out.path("fail-retire")).unwrap();
    let out = out.then().args(["rotate", "--due", "--at", &at]).status(0);
    assert!(
        out.read("hook-ran")
            .ends_with("retire app_green\nretire app_green\nretire app_green\n")
    );
    let text = out.read(".env");
    assert!(!text.contains("DB_PASSWORD_PREVIOUS"), "{text}");
    assert_ne!(value(&text, "SESSION"), value(&before, "SESSION"));
}

/// A credential with `set`, `test` and `after` hooks that record their stage in `hook-ran`,
/// beside a plain secret.
const MARKER_HOOKS: &str = "[environments.production]\nfile = \".env\"\n\
    after = 'echo after >> hook-ran'\n[secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\n\
    role = \"credential\"\n[secrets.DB_PASSWORD.hooks]\n\
    set = 'echo \"$ENVMINT_STAGE\" >> hook-ran'\ntest = 'echo \"$ENVMINT_STAGE\" >> hook-ran'\n\
    [secrets.JWT]\nkind = \"hex\"\n";

/// `plan` names a hooked credential in its file (never a value), `apply` without an allowance
/// refuses it before writing anything (77, listing the hooks), and `apply --allow-hooks`
/// writes the edits and takes it through set, test, finish, then `after`; applied again,
/// nothing runs and nothing changes. A plan naming a key without a `set` hook is refused.
#[test]
fn apply_takes_the_hooked_credentials_a_plan_names_through_the_stages() {
    let (out, config) = bootstrapped(MARKER_HOOKS);
    let before = out.read(".env");
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["plan", "--all", "-o", "r.plan"])
        .status(0);
    let plan = out.read("r.plan");
    assert!(plan.contains("\"hooked\":[\"DB_PASSWORD\"]"), "{plan}");
    assert_eq!(plan.matches("DB_PASSWORD").count(), 1, "{plan}");
    let old_password = value(&before, "DB_PASSWORD").unwrap();
    assert!(!plan.contains(&old_password));

    // Never allowed on this machine: refused before any write, the hooks listed.
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "r.plan"])
        .status(77);
    out.stderr_is(str![[r#"
applying the plan runs these hooks:
  production: DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
  production: DB_PASSWORD test: echo "$ENVMINT_STAGE" >> hook-ran
  production: environment after: echo after >> hook-ran
error: r.plan: it runs hooks (production: DB_PASSWORD, production: after), and this manifest's hooks are not allowed on this machine (new, or changed since you allowed them); nothing was changed
hint: review the hooks listed above, then run envmint apply r.plan --allow-hooks

"#]]);
    assert_eq!(out.read(".env"), before);
    assert!(!out.path("hook-ran").exists());

    // A plan naming a secret without a `set` hook as hooked: refused (65), nothing run.
    fs::write(
        out.path("bad.plan"),
        plan.replace("\"hooked\":[\"DB_PASSWORD\"]", "\"hooked\":[\"JWT\"]"),
    )
    .unwrap();
    let mut perms = fs::metadata(out.path("bad.plan")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    fs::set_permissions(out.path("bad.plan"), perms).unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "bad.plan", "--allow-hooks"])
        .status(65);
    out.stderr_is(str![[r#"
error: bad.plan: refused for environment production: it names JWT as a credential with a `set` hook, which the manifest does not declare for this environment; nothing was changed
hint: a plan only renews the secrets the manifest declares; make it again with `envmint plan -o FILE`, and check who could write this file

"#]]);
    assert_eq!(out.read(".env"), before);
    // A plan that writes the hooked credential's value itself, which would change the file
    // alone: refused (65), nothing run.
    let mut forged: serde_json::Value = serde_json::from_str(&plan).unwrap();
    forged["environments"][0]["secrets"]["edits"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "op": "set",
            "key": "DB_PASSWORD",
            "value": "Forged0123456789abcdefghijklmnop",
            "record": "generated=2026-01-01T00:00:00Z",
        }));
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .write("forged.plan", forged.to_string())
        .chmod("forged.plan", 0o600)
        .args(["apply", "forged.plan", "--allow-hooks"])
        .status(65);
    out.stderr_is(str![[r#"
error: forged.plan: refused for environment production: it writes DB_PASSWORD, which only the stages of a credential with a `set` hook change; nothing was changed
hint: a plan only renews the secrets the manifest declares; make it again with `envmint plan -o FILE`, and check who could write this file

"#]]);
    assert_eq!(out.read(".env"), before);
    assert!(!out.path("hook-ran").exists());

    // Records are to the second: the apply is a second after the plan, as in real use.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "r.plan", "--allow-hooks"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set\ntest\nafter\n");
    let after = out.read(".env");
    let new_password = value(&after, "DB_PASSWORD").unwrap();
    assert_ne!(new_password, old_password);
    assert_ne!(value(&after, "JWT"), value(&before, "JWT"));
    assert!(!after.contains("DB_PASSWORD_PENDING"), "{after}");
    assert!(!out.stderr().contains(&new_password));
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
  DB_PASSWORD test: echo "$ENVMINT_STAGE" >> hook-ran
  environment production after: echo after >> hook-ran
  against environment production: [DIR]/.env
production: .env (plan applied)
  rotate          JWT (selected)
  set at the service by its hooks, then made current:
    rotated              DB_PASSWORD  alnum     190.53 bits (selected)

"#]]);

    // Applied again: already applied, no hook runs, nothing changes.
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "r.plan", "--json"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set\ntest\nafter\n");
    assert_eq!(out.read(".env"), after);
    assert_eq!(
        out.json()["environments"][0]["result"],
        "already-applied",
        "{}",
        out.stdout()
    );
}

/// `bootstrap` of a new environment: without `--allow-hooks`, a credential with a `set` hook
/// is written to the file with a note naming it and how to set it at the service; with it,
/// the other keys are written, then the credential goes through set, test and `after`.
#[test]
fn bootstrap_takes_a_missing_hooked_credential_through_its_stages_when_allowed() {
    let (out, config) = bootstrapped(MARKER_HOOKS);
    out.stderr_is(str![[r#"
using envmint.toml
production: .env (created, 2 keys, mode 0600)
  added     DB_PASSWORD  alnum     190.53 bits
  added     JWT          hex       256 bits
note: production: DB_PASSWORD has a set hook, which did not run: its new value is in the file only, not at its service
hint: to set it at the service through its hooks: envmint rotate production --key DB_PASSWORD --allow-hooks (or give the service this value yourself)

"#]]);
    assert!(!out.path("hook-ran").exists());
    assert!(value(&out.read(".env"), "DB_PASSWORD").is_some());

    fs::remove_file(out.path(".env")).unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["bootstrap", "production", "--allow-hooks"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set\ntest\nafter\n");
    let text = out.read(".env");
    assert!(
        value(&text, "DB_PASSWORD").is_some_and(|v| v.len() == 32),
        "{text}"
    );
    assert!(value(&text, "JWT").is_some(), "{text}");
    assert!(!text.contains("DB_PASSWORD_PENDING"), "{text}");
    assert!(!out.stderr().contains("note: production: DB_PASSWORD"));
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
  DB_PASSWORD test: echo "$ENVMINT_STAGE" >> hook-ran
  environment production after: echo after >> hook-ran
  against environment production: [DIR]/.env
using envmint.toml
production: .env (created, 1 key, mode 0600)
  added     JWT  hex       256 bits
  production: DB_PASSWORD: set at its service by its hooks, then written

"#]]);

    // --json: the one document says what the stages did and which hooks ran, never a value.
    fs::remove_file(out.path(".env")).unwrap();
    fs::remove_file(out.path("hook-ran")).unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["bootstrap", "production", "--allow-hooks", "--json"])
        .status(0);
    assert_eq!(out.read("hook-ran"), "set\ntest\nafter\n");
    let report = out.json();
    let env = &report["environments"][0];
    assert_eq!(env["written"], true, "{report}");
    let staged = env["staged"].as_array().expect("a staged list");
    assert_eq!(staged.len(), 1, "{report}");
    assert_eq!(staged[0]["key"], "DB_PASSWORD", "{report}");
    let stages: Vec<&str> = env["hooks"]
        .as_array()
        .expect("a hooks list")
        .iter()
        .map(|h| h["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["set", "test", "after"], "{report}");
    assert!(
        env["hooks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["status"] == "ok"),
        "{report}"
    );
    let password = value(&out.read(".env"), "DB_PASSWORD").unwrap();
    assert!(!out.stdout().contains(&password), "{}", out.stdout());
    assert!(
        !out.stderr().contains("set at its service by its hooks"),
        "{}",
        out.stderr()
    );
}

/// A plan that removes a credential's retired value whose overlap ended: `apply` runs its
/// `retire` hook first, as `rotate` does; a failing one stops the apply before any write.
#[test]
fn apply_runs_the_retire_hook_before_a_plan_removes_a_retired_value() {
    let manifest = "[environments.production]\nfile = \".env\"\n[secrets.SESSION]\nkind = \"hex\"\n\
        bytes = 32\nrotate_every = \"1d\"\n[secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\n\
        role = \"credential\"\noverlap = \"1d\"\n[secrets.DB_PASSWORD.hooks]\n\
        set = 'echo set >> hook-ran'\n\
        retire = 'echo \"retire $ENVMINT_KEY\" >> hook-ran; test ! -e fail-retire'\n";
    let (out, config) = bootstrapped(manifest);
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(0);
    assert!(out.read(".env").contains("DB_PASSWORD_PREVIOUS"));
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 3)).to_string();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["plan", "--due", "--at", &at, "-o", "r.plan"])
        .status(0);
    fs::write(out.path("fail-retire"), "").unwrap();
    let before = out.read(".env");
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "r.plan", "--at", &at])
        .status(1);
    assert_eq!(out.read("hook-ran"), "set\nretire DB_PASSWORD\n");
    out.stderr_is(str![[r#"
production: DB_PASSWORD: retire hook: exit status 1 ([..]s)
error: production: DB_PASSWORD: the retire hook failed (exit status 1); the retired value is kept
hint: fix the cause; the next envmint rotate production runs it again, then removes the value; nothing of the plan was written: apply it again once the hook succeeds

"#]]);
    assert_eq!(out.read(".env"), before);

    fs::remove_file(out.path("fail-retire")).unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["apply", "r.plan", "--at", &at])
        .status(0);
    assert_eq!(
        out.read("hook-ran"),
        "set\nretire DB_PASSWORD\nretire DB_PASSWORD\n"
    );
    let text = out.read(".env");
    assert!(!text.contains("DB_PASSWORD_PREVIOUS"), "{text}");
    assert_ne!(value(&text, "SESSION"), value(&before, "SESSION"));
}

/// An `after` hook that fails comes after the store was written: the rotation stands, and the
/// error says so (exit 1).
#[test]
fn a_failing_after_hook_leaves_the_rotation_written_and_says_so() {
    let (out, config) = bootstrapped(
        "[environments.production]\nfile = \".env\"\nafter = 'exit 4'\n[secrets.JWT]\n\
         kind = \"hex\"\n",
    );
    let before = value(&out.read(".env"), "JWT").unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "--key", "JWT", "--allow-hooks"])
        .status(1);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  environment production after: exit 4
  against environment production: [DIR]/.env
production: after hook: exit status 4 ([..]s)
production: .env (rotated 1)
  rotated              JWT  hex       256 bits (selected)
error: production: the after hook failed (exit status 4); the store was written
hint: fix the cause and run the after command by hand (the rotation is done)

"#]]);
    assert_ne!(value(&out.read(".env"), "JWT").unwrap(), before);
}

/// A `set` hook killed by a signal is a failed stage: the value stays pending, the signal named.
#[test]
fn a_set_hook_killed_by_a_signal_keeps_the_new_value_pending() {
    let (out, config) = bootstrapped(
        "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\nrole = \
         \"credential\"\n[secrets.DB_PASSWORD.hooks]\nset = 'kill -9 $$'\n",
    );
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(1);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: kill -9 $$
  against environment production: [DIR]/.env
production: DB_PASSWORD: set hook: killed by signal 9 ([..]s)
production: .env (nothing due)
error: production: DB_PASSWORD: the set hook failed (killed by signal 9); DB_PASSWORD keeps its current value, the new one stays pending (DB_PASSWORD_PENDING, stage=pending)
hint: fix the cause, then run envmint rotate production --key DB_PASSWORD: it resumes at set with the same pending value (hooks must be idempotent); envmint rotate production --key DB_PASSWORD --abandon drops it

"#]]);
    assert!(out.read(".env").contains("stage=pending"));
}

/// A pending value that changes while its hooks run (another run, an edit) is not made
/// current: exit 65, and the changed line is left for the next run to judge.
#[test]
fn a_pending_value_changed_while_its_hooks_ran_is_not_made_current() {
    let (out, config) = bootstrapped(
        "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\nrole = \
         \"credential\"\n[secrets.DB_PASSWORD.hooks]\n\
         set = 'sed -i \"s/^DB_PASSWORD_PENDING=.*/DB_PASSWORD_PENDING=changed/\" .env'\n",
    );
    let first = value(&out.read(".env"), "DB_PASSWORD").unwrap();
    let out = out
        .then()
        .env("XDG_CONFIG_HOME", &config)
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(65);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: sed -i "s/^DB_PASSWORD_PENDING=.*/DB_PASSWORD_PENDING=changed/" .env
  against environment production: [DIR]/.env
error: .env: DB_PASSWORD: its pending value changed while its hooks ran (another run, or an edit); nothing more was written
hint: run envmint rotate production --key DB_PASSWORD again once the other run is done

"#]]);
    let text = out.read(".env");
    assert_eq!(value(&text, "DB_PASSWORD").unwrap(), first);
    assert_eq!(value(&text, "DB_PASSWORD_PENDING").unwrap(), "changed");
}

/// The pending-value key must read as 64 hex digits, or no hook runs (77).
#[test]
fn a_pending_key_that_does_not_read_is_refused() {
    let (t, config) = marker_project("");
    fs::write(config.join("envmint/pending-key"), "zz\n").unwrap();
    let out = t
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(77);
    out.stderr_is(str![[r#"
error: config/envmint/pending-key: the pending-value key is not 64 hex digits
hint: remove it (a new one is made; pending values written with the old one must then be dropped with --abandon)

"#]]);
    assert!(!out.exists("hook-ran"));
}

/// With neither XDG_CONFIG_HOME nor HOME an absolute folder there is nowhere to keep the
/// allowance: `--allow-hooks` is refused (73) and no hook runs.
#[test]
fn allowing_hooks_needs_an_absolute_config_folder() {
    let t = Test::new().write("envmint.toml", MARKER_HOOKS);
    let config = t.path("config");
    let out = t
        .env("XDG_CONFIG_HOME", &config)
        .args(["bootstrap", "production"])
        .status(0)
        .then()
        .env("XDG_CONFIG_HOME", "")
        .env("HOME", "relative")
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(73);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
  DB_PASSWORD test: echo "$ENVMINT_STAGE" >> hook-ran
  environment production after: echo after >> hook-ran
  against environment production: [DIR]/.env
error: $XDG_CONFIG_HOME/envmint/allow-hooks: neither XDG_CONFIG_HOME nor HOME is an absolute folder
hint: set HOME (or XDG_CONFIG_HOME) to an absolute folder of yours, where envmint keeps the hooks allowance and the pending-value key

"#]]);
    assert!(!out.exists("hook-ran"));
}

/// A hook holds the manifest's lock while it runs, and one left running by a killed run keeps
/// holding it: the next run says it waits, and past the hook's timeout plus its lock timeout
/// is refused naming the manifest, with no hook run twice at once. Driven by files the hook
/// and the test write, not by sleeps.
#[test]
fn a_hook_left_running_by_a_killed_run_holds_the_next_run_off() {
    // Every hook timeout (the environment's `after` too) 1s: the wait is 1s + 1s.
    let manifest = "[defaults]\nhook_timeout = \"1s\"\n[environments.production]\n\
                    file = \".env\"\n[secrets.DB_PASSWORD]\nrole = \"credential\"\n\
                    [secrets.DB_PASSWORD.hooks]\n\
                    set = 'touch started; i=0; while [ ! -e release ] && [ $i -lt 1200 ]; \
                    do sleep 0.05; i=$((i+1)); done; touch ended'\n";
    let (out, config) = bootstrapped(manifest);
    let test = out.then().env("XDG_CONFIG_HOME", &config);
    let mut first = test.command();
    first
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut first = first.spawn().unwrap();
    let deadline = std::time::Instant::now() + crate::common::HANG;
    while !test.path("started").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the hook never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // envmint dies; its hook (in its own process group) runs on, holding the lock.
    first.kill().unwrap();
    first.wait().unwrap();
    let out = test
        .env("ENVMINT_LOCK_TIMEOUT", "1")
        .args(["rotate", "--key", "DB_PASSWORD"])
        .run();
    fs::write(out.path("release"), "").unwrap();
    // The hook must see `release` before the test's folder (and `release` with it) is
    // removed: one left looping in a deleted folder ran on for good, holding every file it
    // inherited (a landing's `flock` on its lock file, once). Its loop also ends by itself
    // after a minute, for a test that fails before it writes `release`.
    let deadline = std::time::Instant::now() + crate::common::HANG;
    while !out.path("ended").exists() {
        assert!(std::time::Instant::now() < deadline, "the hook never ended");
        std::thread::sleep(Duration::from_millis(10));
    }
    out.stderr_is(str![[r#"
waiting for a hook of an earlier run to end (it holds the manifest's lock)
error: envmint.toml: a hook of an earlier envmint run is still running (it holds the manifest's lock)
hint: wait for it to end (or find it: fuser on the manifest), then run again

"#]]);
    assert_eq!(out.code(), 77, "{}", out.describe());
}

/// A pending value this machine wrote, fresh (a rotation with hooks that stopped between its
/// stages): audit warns that the rotation did not finish, naming its stage, and gives the
/// command that resumes it.
#[test]
fn audit_warns_of_a_rotation_with_hooks_that_did_not_finish() {
    let (t, config) = marker_project("");
    let base = fs::read_to_string(t.path(".env")).unwrap();
    let value = "q7Z2xK9mP4vR8tL1wN6yB3cH5jD0fG2s";
    let now = utc_now();
    let mac = pending_mac(&config, "production", "DB_PASSWORD", "set", &now, value);
    let out = t
        .write(
            ".env",
            format!(
                "{base}# envmint: generated={now} stage=set mac={mac}\nDB_PASSWORD_PENDING={value}\n"
            ),
        )
        .args(["audit", "production"])
        .status(1);
    out.stdout_is(str![[r#"
== rotation ==
.env:5: warning: DB_PASSWORD_PENDING holds a pending value of DB_PASSWORD (stage set): a rotation with hooks did not finish [rotation-due]
  hint: envmint rotate production --key DB_PASSWORD resumes it; --abandon drops it

"#]]);
    out.stderr_is(str![[r#"
note: . is not in a git repository (or git is not installed): the .gitignore and tracking checks do not apply
note: hooks allowed on this machine (envmint rotate runs them as you):
  DB_PASSWORD set: echo "$ENVMINT_STAGE" >> hook-ran
audit: 1 finding (0 error(s), 1 warning(s)) in production

"#]]);
}

/// A retire hook that fails holds its store out of the run; the hooked keys the run took
/// through their stages there all the same are listed under it.
#[test]
fn a_held_store_lists_the_hooked_keys_its_stages_took() {
    let manifest = "[environments.production]\nfile = \".env\"\n\
        [secrets.DB_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrole = \"credential\"\n\
        overlap = \"1d\"\n[secrets.DB_PASSWORD.hooks]\n\
        set = 'true'\nretire = 'test ! -e fail-retire'\n\
        [secrets.API_PASSWORD]\nkind = \"alnum\"\nlength = 32\nrole = \"credential\"\n\
        rotate_every = \"1d\"\n[secrets.API_PASSWORD.hooks]\nset = 'true'\n";
    let (out, _) = bootstrapped(manifest);
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(0);
    fs::write(out.path("fail-retire"), "").unwrap();
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 3)).to_string();
    let out = out.then().args(["rotate", "--due", "--at", &at]).status(1);
    out.stderr_is(str![[r#"
production: DB_PASSWORD: retire hook: exit status 1 ([..]s)
production: .env (held: a retire hook failed, so nothing else was rotated or removed here this run); its hooked keys:
  rotated              API_PASSWORD  alnum     190.53 bits (due)
error: production: DB_PASSWORD: the retire hook failed (exit status 1); the retired value is kept
hint: fix the cause; the next envmint rotate production runs it again, then removes the value

"#]]);
}

/// A hook `sh` cannot be started for (here the store hands it a variable longer than the
/// kernel takes for one, 128 KiB: E2BIG) fails as any failing hook does, with the reason the
/// system gave: the current value stays, the new one pending.
#[test]
fn a_hook_sh_cannot_start_for_says_why() {
    let (t, _) = marker_project("");
    let base = fs::read_to_string(t.path(".env")).unwrap();
    let big = "x".repeat(200_000);
    let out = t
        .write(".env", format!("{base}NOTES={big}\n"))
        .args(["rotate", "production", "--key", "DB_PASSWORD"])
        .status(1);
    out.stderr_is(str![[r#"
production: DB_PASSWORD: set hook: could not start sh: Argument list too long (os error 7) ([..]s)
production: .env (nothing due)
error: production: DB_PASSWORD: the set hook failed (could not start sh: Argument list too long (os error 7)); DB_PASSWORD keeps its current value, the new one stays pending (DB_PASSWORD_PENDING, stage=pending)
hint: fix the cause, then run envmint rotate production --key DB_PASSWORD: it resumes at set with the same pending value (hooks must be idempotent); envmint rotate production --key DB_PASSWORD --abandon drops it

"#]]);
    assert!(!out.exists("hook-ran"));
    let text = out.read(".env");
    assert_eq!(value(&text, "DB_PASSWORD"), value(&base, "DB_PASSWORD"));
    assert!(value(&text, "DB_PASSWORD_PENDING").is_some(), "{text}");
}

/// A new value whose declared alphabet holds a character a hook's quoting could break on (`$`)
/// is refused (65) before its hook gets it, naming the character and the kinds that never
/// make one; the store keeps its value.
#[test]
fn a_new_value_a_hook_could_not_quote_is_refused_before_the_hook() {
    let manifest = "[environments.production]\nfile = \".env\"\n[secrets.DB_PASSWORD]\n\
        alphabet = \"a$\"\nlength = 160\nrole = \"credential\"\n\
        [secrets.DB_PASSWORD.hooks]\nset = 'echo set >> hook-ran'\n";
    let (out, _) = bootstrapped(manifest);
    let before = out.read(".env");
    let out = out
        .then()
        .args(["rotate", "--key", "DB_PASSWORD", "--allow-hooks"])
        .status(65);
    out.stderr_is(str![[r#"
allowing the hooks of [DIR]/envmint.toml on this machine:
  DB_PASSWORD set: echo set >> hook-ran
  against environment production: [DIR]/.env
error: .env: DB_PASSWORD: its new value holds a character no hook gets in a value ($); it is not handed to a hook
hint: give it a kind without quotes, backslashes, `$`, backticks or `;` (alnum, hex, base64url, password)

"#]]);
    assert!(!out.exists("hook-ran"));
    assert_eq!(out.read(".env"), before);
}
