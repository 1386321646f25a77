//! `envmint export`: each format read back by its own consumer. The shell output is `eval`ed by
//! sh, dash and bash; docker-env is read by the docker CLI itself (against a fake daemon that
//! records the container it is asked to create) and by a test-side copy of docker's reader in
//! both its released and its proposed form; JSON is parsed; the docker-secrets files are
//! compared byte for byte; the k8s manifest is parsed by kubectl and compared with what
//! `kubectl create secret generic --from-env-file` makes of the same values. Plus every refusal,
//! named by key and never showing a value.

use crate::common;

use common::{BIN, Output, Test, assert_stderr_snapshot, skip, tick};
use snapbox::str;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The plain environment's file.
pub const FILE: &str = ".env.production.local";

/// `production` (plain) declaring `PLAIN` and `DECLARED`; `vault` sealed (its recipient
/// filled in by [`sealed`]); `prod_eu`, whose default Secret name is not valid.
pub const MANIFEST: &str = "[environments.production]\nfile = \".env.production.local\"\n\n\
                        [environments.prod_eu]\nfile = \".env.eu\"\n\n\
                        [secrets.PLAIN]\nkind = \"alnum\"\n\n\
                        [secrets.DECLARED]\nkind = \"alnum\"\nenvironments = [\"production\"]\n";

/// Keys, how the dotenv file writes them, and the value every reader must get back.
pub const NASTY: &[(&str, &str, &str)] = &[
    ("PLAIN", "abc123", "abc123"),
    ("DECLARED", "d3cl4red-value", "d3cl4red-value"),
    ("QUOTE", r#""it's""#, "it's"),
    ("DQUOTE", r#""say \"hi\" ""#, "say \"hi\" "),
    ("DOLLAR", "'$HOME ${PATH} $(id) $'", "$HOME ${PATH} $(id) $"),
    ("BACKSLASH", r#""back\\slash\\""#, "back\\slash\\"),
    ("BACKTICK", "'`id` ;|&'", "`id` ;|&"),
    ("UNICODE", "'é€🙂 日本 \u{2028}'", "é€🙂 日本 \u{2028}"),
    ("SPACES", "'  padded  '", "  padded  "),
    ("HASH", "'a #b'", "a #b"),
    ("TAB", r#""a\tb""#, "a\tb"),
    ("EQUALS", "a=b==", "a=b=="),
    ("EMPTY", "", ""),
    ("NEWLINE", r#""line1\nline2\n""#, "line1\nline2\n"),
    ("CR", r#""a\rb""#, "a\rb"),
    ("CR_END", r#""ab\r""#, "ab\r"),
    ("WRAPPED", r#""'quoted'""#, "'quoted'"),
    ("WRAPPED2", r#"'"dq"'"#, "\"dq\""),
];

/// The keys docker --env-file (and kubectl --from-env-file) cannot carry.
const MULTILINE: &[&str] = &["NEWLINE", "CR_END"];
const QUOTED: &[&str] = &["WRAPPED", "WRAPPED2"];

/// The dotenv text of `rows`.
pub fn dotenv(rows: &[(&str, &str, &str)]) -> String {
    rows.iter()
        .map(|(k, lit, _)| format!("{k}={lit}\n"))
        .collect()
}

/// [`NASTY`] without the keys in `without`.
fn nasty_without(without: &[&str]) -> Vec<(&'static str, &'static str, &'static str)> {
    NASTY
        .iter()
        .copied()
        .filter(|(k, _, _)| !without.contains(k))
        .collect()
}

/// The expected values of `rows`.
fn expected(rows: &[(&str, &str, &str)]) -> BTreeMap<String, String> {
    rows.iter()
        .map(|(k, _, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A project whose `production` file holds `rows`.
pub fn project(rows: &[(&str, &str, &str)]) -> Test {
    Test::new()
        .write("envmint.toml", MANIFEST)
        .write(FILE, dotenv(rows))
        .chmod(FILE, 0o600)
}

/// Asserts that no value of [`NASTY`] longer than 3 bytes is in stdout or stderr.
#[track_caller]
fn assert_no_value_shown(out: &Output) {
    for (k, _, v) in NASTY {
        if v.len() > 3 {
            assert!(
                !out.stderr().contains(v),
                "the value of {k} is on stderr\n{}",
                out.describe()
            );
        }
    }
}

/// Whether `tool` is on PATH.
fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The variables `shell` has after evaluating `script` (a file in `dir`), NUL-separated from
/// `env -0`, in a clean environment.
fn eval_in(shell: &str, dir: &Path, how: &str) -> BTreeMap<String, String> {
    let out = Command::new(shell)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(dir)
        .args(["-c", &format!("{how}; exec env -0")])
        .output()
        .expect("run the shell");
    assert!(
        out.status.success(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 environment")
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Asserts that `got` holds every expected value (and the shell's own variables besides).
#[track_caller]
fn assert_has_all(got: &BTreeMap<String, String>, want: &BTreeMap<String, String>, who: &str) {
    for (k, v) in want {
        assert_eq!(got.get(k), Some(v), "{who}: {k}");
    }
}

#[test]
fn shell_output_evaluates_back_exactly_in_sh_dash_and_bash() {
    let out = project(NASTY)
        .args([
            "export",
            "production",
            "--format",
            "shell",
            "--all-keys",
            "-o",
            "out.sh",
        ])
        .status(0);
    assert_eq!(out.mode("out.sh"), 0o600);
    out.stderr_is(str![[r#"
production: 18 keys exported as shell to out.sh (mode 0600)

"#]]);
    let want = expected(NASTY);
    let mut ran = 0;
    for shell in ["sh", "dash", "bash", "zsh"] {
        if !have(shell) {
            if shell != "zsh" {
                skip(&format!("{shell} is not installed"));
            }
            continue;
        }
        assert_has_all(
            &eval_in(shell, out.dir(), "eval \"$(cat out.sh)\""),
            &want,
            shell,
        );
        assert_has_all(&eval_in(shell, out.dir(), ". ./out.sh"), &want, shell);
        ran += 1;
    }
    assert!(ran > 0, "no shell ran");
}

#[test]
fn json_parses_back_to_the_values_in_file_order() {
    let out = project(NASTY)
        .args(["export", "production", "--format", "json", "--all-keys"])
        .status(0);
    let parsed: BTreeMap<String, String> = serde_json::from_str(out.stdout()).unwrap();
    assert_eq!(parsed, expected(NASTY));
    let order: Vec<&str> = out
        .lines()
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .collect();
    let keys: Vec<&str> = NASTY.iter().map(|(k, _, _)| *k).collect();
    assert_eq!(order, keys);
    assert!(out.stderr().is_empty(), "{}", out.describe());
}

#[test]
fn only_declared_keys_are_exported_by_default() {
    let out = project(NASTY)
        .args(["export", "production", "--format", "json"])
        .status(0);
    let parsed: BTreeMap<String, String> = serde_json::from_str(out.stdout()).unwrap();
    assert_eq!(parsed.keys().collect::<Vec<_>>(), ["DECLARED", "PLAIN"]);
    // DECLARED belongs to production only.
    let out = out
        .then()
        .write(".env.eu", "PLAIN=eu\nOTHER=x\n")
        .args(["export", "prod_eu", "--format", "json", "--stdout"])
        .status(0);
    assert_eq!(out.stdout(), "{\n  \"PLAIN\": \"eu\"\n}\n");
}

/// docker's `--env-file` reader (docker/cli `pkg/kvfile`), followed line by line: Go's
/// `bufio.ScanLines` (split at `\n`, drop one `\r` before it), the BOM removed on line 1,
/// leading Unicode whitespace trimmed, `#` lines and empty lines skipped, a key without
/// whitespace cut at the first `=`, the rest taken as it is. `trim_quotes` adds the matching
/// outer quote removal of docker/cli#6805 (not in docker 28).
fn docker_kvfile(text: &str, trim_quotes: bool) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut lines: Vec<&str> = text.split('\n').collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    for (i, raw) in lines.into_iter().enumerate() {
        if raw.len() >= 64 * 1024 {
            return Err("bufio.Scanner: token too long".into());
        }
        let mut line = raw.strip_suffix('\r').unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (line, None),
        };
        if key.is_empty() {
            return Err(format!("no variable name on line '{line}'"));
        }
        if key.contains([' ', '\t']) {
            return Err(format!("variable '{key}' contains whitespaces"));
        }
        let Some(mut value) = value else { continue };
        if trim_quotes && value.len() >= 2 {
            for q in ['\'', '"'] {
                if value.starts_with(q) && value.ends_with(q) {
                    value = &value[1..value.len() - 1];
                    break;
                }
            }
        }
        out.push((key.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// A fake Docker Engine API on a Unix socket: answers the ping and records the body of the
/// one `POST /containers/create` into `out`, then exits.
const FAKE_DOCKERD: &str = r#"
import http.server, socketserver, sys, os
sock, out = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def reply(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Api-Version", "1.41")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    def do_HEAD(self): self.reply(200)
    def do_GET(self): self.reply(200, b"OK")
    def do_POST(self):
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if "/containers/create" in self.path:
            with open(out, "wb") as f:
                f.write(body)
            self.reply(201, b'{"Id":"0123456789ab","Warnings":[]}')
            self.server.done = True
        else:
            self.reply(404, b'{"message":"fake daemon"}')
class S(socketserver.UnixStreamServer):
    done = False
with S(sock, H) as s:
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while not s.done:
        s.handle_request()
"#;

/// The `Env` the docker CLI sends when asked `docker create --env-file FILE`: docker's own
/// reader, run against [`FAKE_DOCKERD`]. `None`, after [`skip`], without docker or python3.
fn docker_reads(env_file: &Path) -> Option<Vec<String>> {
    if !have("docker") || !have("python3") {
        skip("the docker CLI (or python3 for its fake daemon) is not installed");
        return None;
    }
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("docker.sock");
    let body = dir.path().join("create.json");
    let mut daemon = Command::new("python3")
        .args(["-c", FAKE_DOCKERD])
        .arg(&sock)
        .arg(&body)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the fake daemon");
    let mut ready = String::new();
    std::io::BufReader::new(daemon.stdout.as_mut().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready, "ready\n");
    let run = Command::new("docker")
        .env("DOCKER_HOST", format!("unix://{}", sock.display()))
        .env("DOCKER_CONFIG", dir.path())
        .args(["create", "--env-file"])
        .arg(env_file)
        .arg("envmint-test-image")
        .output()
        .expect("run docker");
    let _ = daemon.kill();
    let _ = daemon.wait();
    assert!(
        run.status.success(),
        "docker create: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let sent: serde_json::Value = serde_json::from_slice(&std::fs::read(&body).unwrap()).unwrap();
    Some(
        sent["Env"]
            .as_array()
            .expect("Env")
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
    )
}

#[test]
fn docker_env_reads_back_exactly_in_docker_and_its_reader_old_and_new() {
    let rows = nasty_without(&[MULTILINE, QUOTED].concat());
    let out = project(&rows)
        .args([
            "export",
            "production",
            "-f",
            "docker-env",
            "--all-keys",
            "-o",
            "prod.env",
        ])
        .status(0);
    assert_eq!(out.mode("prod.env"), 0o600);
    let text = out.read("prod.env");
    let want: Vec<(String, String)> = rows
        .iter()
        .map(|(k, _, v)| (k.to_string(), v.to_string()))
        .collect();
    for trim in [false, true] {
        assert_eq!(
            docker_kvfile(&text, trim).unwrap(),
            want,
            "trim_quotes={trim}"
        );
    }
    if let Some(env) = docker_reads(&out.path("prod.env")) {
        let want: Vec<String> = want.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(env, want);
    }
}

#[test]
fn docker_env_refuses_what_docker_reads_differently_naming_the_key() {
    for key in [MULTILINE, QUOTED].concat() {
        let rows: Vec<_> = NASTY
            .iter()
            .copied()
            .filter(|(k, _, _)| *k == key || *k == "PLAIN" || *k == "DECLARED")
            .collect();
        let out = project(&rows)
            .args([
                "export",
                "production",
                "-f",
                "docker-env",
                "--all-keys",
                "-o",
                "prod.env",
            ])
            .status(65);
        // A line break's words are the snapshot export/export_docker_env_line_break.
        if QUOTED.contains(&key) {
            assert_eq!(
                out.stderr(),
                format!(
                    "error: .env.production.local:3: cannot export `{key}` as docker-env: its \
                     value starts and ends with the same quote, which docker 28 keeps and newer \
                     docker releases strip\n\
                     hint: --format docker-secrets or json carry it as it is\n"
                )
            );
        }
        assert!(!out.exists("prod.env"), "nothing is written");
        assert!(out.stdout().is_empty());
        assert_no_value_shown(&out);
        // The test-side reader shows why: docker would not read it back.
        let value = rows.iter().find(|(k, _, _)| *k == key).unwrap().2;
        let raw = format!("{key}={value}\n");
        let read = [false, true].map(|t| docker_kvfile(&raw, t).ok());
        assert!(
            read.iter()
                .any(|r| r.as_deref() != Some(&[(key.to_string(), value.to_string())][..])),
            "{key}: docker would read it back, so it need not be refused"
        );
    }
}

#[test]
fn refusals_read_as_documented() {
    let rows = nasty_without(&["QUOTE", "DQUOTE", "DOLLAR", "BACKSLASH", "BACKTICK"]);
    let out = project(&rows)
        .args([
            "export",
            "production",
            "-f",
            "docker-env",
            "--all-keys",
            "--stdout",
        ])
        .status(65);
    assert_stderr_snapshot(&out, "export/export_docker_env_line_break");
    let out = project(NASTY)
        .args([
            "export",
            "production",
            "-f",
            "dotenv",
            "--all-keys",
            "--stdout",
        ])
        .status(65);
    assert_stderr_snapshot(&out, "export/export_dotenv_unwritable");
    let out = project(NASTY)
        .args(["export", "prod_eu", "-f", "k8s", "--stdout"])
        .write(".env.eu", "PLAIN=x\n")
        .status(2);
    assert_stderr_snapshot(&out, "export/export_k8s_default_name");
}

#[test]
fn dotenv_output_reads_back_in_envmint_and_sh() {
    let rows = [
        ("PLAIN", "abc123", "abc123"),
        ("DECLARED", "'a#b'", "a#b"),
        ("UNICODE", "'é€🙂'", "é€🙂"),
        ("EMPTY", "", ""),
        ("EQUALS", "a=b==", "a=b=="),
    ];
    let out = project(&rows)
        .write(
            FILE,
            format!(
                "# envmint: generated=2026-01-01T00:00:00Z\n{}",
                dotenv(&rows)
            ),
        )
        .args([
            "export",
            "production",
            "-f",
            "dotenv",
            "--all-keys",
            "-o",
            "out.env",
        ])
        .status(0);
    let text = out.read("out.env");
    assert_eq!(
        text, "PLAIN=abc123\nDECLARED='a#b'\nUNICODE='é€🙂'\nEMPTY=\nEQUALS=a=b==\n",
        "no records, quoted as the writer quotes"
    );
    let doc = envmint::dotenv::Document::parse(&text);
    for (k, _, v) in rows {
        assert_eq!(doc.get(k), Some(v), "{k}");
    }
    assert_has_all(
        &eval_in("sh", out.dir(), "set -a; . ./out.env"),
        &expected(&rows),
        "sh",
    );
}

#[test]
fn docker_secrets_files_hold_exactly_each_value() {
    let out = project(NASTY)
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "--all-keys",
            "-o",
            "secrets",
        ])
        .status(0);
    assert_eq!(out.mode("secrets"), 0o700);
    for (k, _, v) in NASTY {
        let file = format!("secrets/{k}");
        assert_eq!(out.bytes(&file), v.as_bytes(), "{k}");
        assert_eq!(out.mode(&file), 0o600, "{k}");
    }
    out.stderr_is(str![[r#"
production: created secrets (mode 0700)
production: 18 keys exported as docker-secrets into secrets (18 written, 0 unchanged)

"#]]);
    let list = out.read("secrets/.envmint-export");
    assert!(list.lines().any(|l| l == "NEWLINE"), "{list}");
    assert_no_value_shown(&out);
}

#[test]
fn docker_secrets_leaves_unchanged_files_removes_its_stale_ones_and_never_touches_others() {
    let out = project(NASTY)
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "--all-keys",
            "-o",
            "secrets",
        ])
        .status(0);
    let before = common::mtime(out.path("secrets/PLAIN"));
    tick();
    // A file envmint did not write, and a key removed from the environment.
    let rows = nasty_without(&["QUOTE"]);
    let out = out
        .then()
        .write("secrets/theirs.txt", "not ours")
        .write(FILE, dotenv(&rows))
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "--all-keys",
            "-o",
            "secrets",
        ])
        .status(0);
    out.stderr_is(str![[r#"
production: 17 keys exported as docker-secrets into secrets (0 written, 17 unchanged)
production: removed secrets/QUOTE (no longer exported)

"#]]);
    assert_eq!(common::mtime(out.path("secrets/PLAIN")), before);
    assert!(!out.exists("secrets/QUOTE"));
    assert_eq!(out.read("secrets/theirs.txt"), "not ours");
    assert!(
        !out.read("secrets/.envmint-export")
            .lines()
            .any(|l| l == "QUOTE")
    );
    // A file of a key's name that envmint did not write: refused, nothing changed.
    let out = out
        .then()
        .write("secrets/QUOTE", "theirs")
        .write(FILE, dotenv(NASTY))
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "--all-keys",
            "-o",
            "secrets",
        ])
        .status(73);
    out.stderr_is(str![[r#"
error: secrets/QUOTE: already exists and envmint did not write it: refusing to replace it with `QUOTE`
hint: move it away, or export into a new folder, or one envmint exported into before (its list is .envmint-export)

"#]]);
    assert_eq!(out.read("secrets/QUOTE"), "theirs");
    // Moved away, then only the declared keys: every other file envmint wrote is removed;
    // a changed value is rewritten.
    std::fs::remove_file(out.path("secrets/QUOTE")).unwrap();
    let out = out
        .then()
        .write(FILE, dotenv(&[("PLAIN", "changed", "changed"), NASTY[1]]))
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(0);
    out.stderr_is(str![[r#"
production: 2 keys exported as docker-secrets into secrets (1 written, 1 unchanged)
production: removed secrets/DQUOTE (no longer exported)
production: removed secrets/DOLLAR (no longer exported)
production: removed secrets/BACKSLASH (no longer exported)
production: removed secrets/BACKTICK (no longer exported)
production: removed secrets/UNICODE (no longer exported)
production: removed secrets/SPACES (no longer exported)
production: removed secrets/HASH (no longer exported)
production: removed secrets/TAB (no longer exported)
production: removed secrets/EQUALS (no longer exported)
production: removed secrets/EMPTY (no longer exported)
production: removed secrets/NEWLINE (no longer exported)
production: removed secrets/CR (no longer exported)
production: removed secrets/CR_END (no longer exported)
production: removed secrets/WRAPPED (no longer exported)
production: removed secrets/WRAPPED2 (no longer exported)

"#]]);
    assert_eq!(
        common::names(&out.path("secrets")),
        [".envmint-export", "DECLARED", "PLAIN", "theirs.txt"]
    );
    assert_eq!(out.read("secrets/PLAIN"), "changed");
    // A symlink at a key's name is refused, not followed.
    std::fs::remove_file(out.path("secrets/PLAIN")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", out.path("secrets/PLAIN")).unwrap();
    let out = out
        .then()
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(73);
    out.stderr_is(str![[r#"
error: secrets/PLAIN: is not a regular file (a link or a folder): refusing to write `PLAIN` there
hint: remove it, or export into another folder

"#]]);
    assert!(!out.exists("elsewhere"));
}

#[test]
fn docker_secrets_tightens_an_existing_folder_and_needs_o() {
    let test = project(&NASTY[..2]).write("secrets/.keep", "");
    let test = test.chmod("secrets", 0o755);
    let out = test
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(0);
    assert_eq!(out.mode("secrets"), 0o700);
    out.stderr_is(str![[r#"
production: secrets mode 0755 -> 0700
production: 2 keys exported as docker-secrets into secrets (2 written, 0 unchanged)

"#]]);
    assert_eq!(out.read("secrets/.keep"), "");
    let out = out
        .then()
        .args(["export", "production", "-f", "docker-secrets"])
        .status(2);
    out.stderr_is(str![[r#"
error: --format docker-secrets writes a folder: give it with -o FOLDER
hint: e.g. envmint export ENV --format docker-secrets -o secrets/

"#]]);
    let out = out
        .then()
        .write("afile", "x")
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "afile",
        ])
        .status(73);
    out.stderr_is(str![[r#"
error: afile: is not a folder (docker-secrets writes a folder)
hint: give -o a folder, or a path where one can be created

"#]]);
}

/// `kubectl`'s reading of a Secret manifest (YAML or JSON) as JSON, offline (`label --local`
/// parses and prints the object without a cluster), with the label it adds removed.
fn kubectl_parse(file: &Path) -> serde_json::Value {
    let out = Command::new("kubectl")
        .args(["label", "--local", "-o", "json", "-f"])
        .arg(file)
        .arg("envmint-test=1")
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "kubectl label --local: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let meta = v["metadata"].as_object_mut().unwrap();
    meta.remove("labels");
    v
}

/// What `kubectl create secret generic` prints, made comparable: `creationTimestamp: null`
/// (dropped by newer kubectl) removed, and `type` given the API server's default, `Opaque`,
/// when kubectl leaves it out.
fn kubectl_create(dir: &Path, env_file: &str, extra: &[&str]) -> serde_json::Value {
    let out = Command::new("kubectl")
        .current_dir(dir)
        .args(["create", "secret", "generic"])
        .args(extra)
        .arg(format!("--from-env-file={env_file}"))
        .args(["--dry-run=client", "-o", "json"])
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "kubectl create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.entry("type").or_insert("Opaque".into());
    obj["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("creationTimestamp");
    v
}

#[test]
fn k8s_secret_matches_what_kubectl_makes_of_the_same_values() {
    if !have("kubectl") {
        skip("kubectl is not installed");
        return;
    }
    // kubectl's env file takes everything after `=` on one line: the one-line values.
    let rows = nasty_without(MULTILINE);
    let raw: String = rows.iter().map(|(k, _, v)| format!("{k}={v}\n")).collect();
    let out = project(&rows)
        .write("kubectl.env", raw)
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "--all-keys",
            "--namespace",
            "web",
            "-o",
            "secret.yaml",
        ])
        .status(0);
    let ours = kubectl_parse(&out.path("secret.yaml"));
    let theirs = kubectl_create(
        out.dir(),
        "kubectl.env",
        &["production-secrets", "--namespace", "web"],
    );
    assert_eq!(ours, theirs);
    assert!(
        out.read("secret.yaml")
            .starts_with("apiVersion: v1\nkind: Secret\n")
    );
    // With --name, and the values kubectl's env file cannot hold (line breaks): carried too.
    let out = out
        .then()
        .write(FILE, dotenv(NASTY))
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "--all-keys",
            "--name",
            "app.v1",
        ])
        .args(["-o", "all.yaml"])
        .status(0);
    let ours = kubectl_parse(&out.path("all.yaml"));
    assert_eq!(ours["metadata"]["name"], "app.v1");
    assert!(ours["metadata"].get("namespace").is_none());
    use base64::Engine;
    for (k, _, v) in NASTY {
        let b64 = ours["data"][k].as_str().unwrap_or_else(|| panic!("{k}"));
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(decoded, v.as_bytes(), "{k}");
    }
}

#[test]
fn k8s_names_are_checked() {
    let out = project(NASTY)
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "--name",
            "Bad_Name",
            "--stdout",
        ])
        .status(2);
    out.stderr_is(str![[r#"
error: --name `Bad_Name` is not a valid Secret name (a DNS subdomain: lowercase letters, digits, `-` and `.`, at most 253, each part starting and ending with a letter or digit)
hint: e.g. --name app-secrets

"#]]);
    let out = out
        .then()
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "--namespace",
            "a.b",
            "--stdout",
        ])
        .status(2);
    out.stderr_is(str![[r#"
error: --namespace `a.b` is not a valid namespace (a DNS label: lowercase letters, digits and `-`, at most 63, starting and ending with a letter or digit)
hint: e.g. --namespace web

"#]]);
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "--namespace", "web"])
        .status(2);
    out.stderr_is(str![[r#"
error: --namespace applies to --format k8s only, not json
hint: leave --namespace out, or use --format k8s

"#]]);
}

#[test]
fn a_terminal_gets_no_values_unless_asked() {
    if !have("python3") {
        skip("python3 (its pty module gives the command a terminal) is not installed");
        return;
    }
    let on_tty = "import os, pty, sys\n\
                  sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))";
    let out = project(NASTY)
        .program("python3")
        .args(["-c", on_tty, BIN, "export", "production", "-f", "json"])
        .status(2);
    // The terminal shows stderr and stdout as one.
    out.stdout_is(str![[r#"
error: refusing to print secret values on a terminal
hint: pipe or redirect stdout, write a file with -o PATH, or add --stdout to print them

"#]]);
    assert!(!out.stdout().contains("abc123"));
    let out = out
        .then()
        .program("python3")
        .args([
            "-c",
            on_tty,
            BIN,
            "export",
            "production",
            "-f",
            "json",
            "--stdout",
        ])
        .status(0);
    assert!(
        out.stdout().contains("\"PLAIN\": \"abc123\""),
        "{}",
        out.describe()
    );
}

#[test]
fn missing_and_unreadable_keys_and_files_are_errors_naming_them() {
    let out = project(&NASTY[..1])
        .args(["export", "production", "-f", "json"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local: `DECLARED` is declared for environment `production` but is not in the file
hint: envmint bootstrap production adds it (envmint set production DECLARED for a value you are given)

"#]]);
    // Bootstrap never adds an external key: the hint names `set`, not bootstrap.
    let manifest = format!("{MANIFEST}[secrets.STRIPE_KEY]\nexternal = true\n");
    let out = out
        .then()
        .write("envmint.toml", &manifest)
        .write(FILE, "PLAIN=x\nDECLARED=y\n")
        .args(["export", "production", "-f", "json"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local: `STRIPE_KEY` is declared for environment `production` but is not in the file
hint: `STRIPE_KEY` is external (its value comes from elsewhere): envmint set production STRIPE_KEY adds it, from stdin

"#]]);
    assert!(!out.stderr().contains("bootstrap"), "{}", out.describe());
    let out = out
        .then()
        .write("envmint.toml", MANIFEST)
        .write(FILE, "PLAIN=x\nDECLARED='unterminated\n")
        .args(["export", "production", "-f", "json"])
        .status(65);
    out.stderr_is(str![[r#"
error: .env.production.local:2: `DECLARED` is on a line envmint cannot read, so its value is unclear
hint: fix the line so that it reads DECLARED=value (envmint edit production)

"#]]);
    let out = out
        .then()
        .args(["export", "prod_eu", "-f", "json"])
        .status(66);
    out.stderr_is(str![[r#"
error: .env.eu: the file of environment `prod_eu` not found
hint: envmint bootstrap prod_eu creates it

"#]]);
    // -o naming the store itself (or the manifest) is refused: it would replace it.
    let out = project(NASTY)
        .args(["export", "production", "-f", "dotenv", "-o", FILE])
        .status(73);
    out.stderr_is(str![[r#"
error: .env.production.local: is the plaintext file of environment `production`: an export never replaces envmint's own files
hint: write the export somewhere else with -o, or to stdout

"#]]);
    assert_eq!(out.read(FILE), dotenv(NASTY));
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "-o", "envmint.toml"])
        .status(73);
    out.stderr_is(str![[r#"
error: envmint.toml: is the manifest
hint: write the export somewhere else with -o, or to stdout

"#]]);
}

/// A project whose `vault` environment is sealed to identity `id.txt` and holds [`NASTY`];
/// ENVMINT_IDENTITY is not set.
pub fn sealed() -> Test {
    let (test, public) = common::with_identity();
    let out = test
        .write(
            "envmint.toml",
            format!(
                "{MANIFEST}\n[environments.vault]\nfile = \".env.vault\"\n\
                 sealed = \".env.vault.age\"\nrecipients = [\"{public}\"]\n"
            ),
        )
        .write(".env.vault", dotenv(NASTY))
        .args(["seal", "vault", "--remove-plaintext"])
        .status(0);
    assert!(!out.exists(".env.vault"));
    out.then()
}

#[test]
fn a_sealed_environment_is_exported_from_memory() {
    let out = sealed()
        .args([
            "export",
            "vault",
            "-i",
            "id.txt",
            "-f",
            "json",
            "--all-keys",
        ])
        .status(0);
    let parsed: BTreeMap<String, String> = serde_json::from_str(out.stdout()).unwrap();
    assert_eq!(parsed, expected(NASTY));
    assert!(!out.exists(".env.vault"), "no plaintext written");
    let out = out.then().args(["export", "vault", "-f", "json"]).run();
    assert_ne!(out.code(), 0, "{}", out.describe());
    assert!(out.stdout().is_empty());
}

#[test]
fn docker_secrets_refuses_a_folder_or_link_of_another_user() {
    if !common::is_root() {
        skip("needs root to give a folder to user 65534");
        return;
    }
    let test = project(&NASTY[..2]).write("theirs/.keep", "");
    std::os::unix::fs::chown(test.path("theirs"), Some(65534), Some(65534)).unwrap();
    let out = test
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "theirs",
        ])
        .status(77);
    out.stderr_is(str![[r#"
error: theirs: belongs to user 65534, not to you (0): its files could be swapped
hint: export into a new folder, or one envmint exported into before

"#]]);
    assert_eq!(common::names(&out.path("theirs")), [".keep"]);
    // A link planted by another user is not followed, even to a folder of ours.
    std::fs::create_dir(out.path("mine")).unwrap();
    std::os::unix::fs::symlink("mine", out.path("link")).unwrap();
    std::os::unix::fs::lchown(out.path("link"), Some(65534), Some(65534)).unwrap();
    let out = out
        .then()
        .args(["export", "production", "-f", "docker-secrets", "-o", "link"])
        .status(77);
    out.stderr_is(str![[r#"
error: link: belongs to user 65534, not to you (0): its files could be swapped
hint: export into a new folder, or one envmint exported into before

"#]]);
    assert!(common::names(&out.path("mine")).is_empty());
}

#[test]
fn retired_values_of_declared_secrets_are_exported_with_them() {
    let manifest = "[environments.production]\nfile = \".env.production.local\"\n\n\
                    [secrets.JWT]\nkind = \"hex\"\noverlap = \"7d\"\n\n\
                    [secrets.AUTH_SECRET]\nkind = \"hex\"\n\
                    previous = { numbered = \"AUTH_SECRET_{n}\", keep = 2 }\n\n\
                    [secrets.APP_KEY]\nkind = \"hex\"\n\
                    previous = { list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 2 }\n";
    let file = "JWT=a1\nJWT_PREVIOUS=a0\nAUTH_SECRET=b2\nAUTH_SECRET_1=b1\nAUTH_SECRET_2=b0\n\
                AUTH_SECRET_3=old\nAPP_KEY=c2\nAPP_PREVIOUS_KEYS=c1,c0\nUNMANAGED=x\n";
    let out = Test::new()
        .write("envmint.toml", manifest)
        .write(FILE, file)
        .args(["export", "production", "-f", "json"])
        .status(0);
    let parsed: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(out.stdout()).unwrap();
    // (serde_json's map is sorted.)
    let keys: Vec<&str> = parsed.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "APP_KEY",
            "APP_PREVIOUS_KEYS",
            "AUTH_SECRET",
            "AUTH_SECRET_1",
            "AUTH_SECRET_2",
            "JWT",
            "JWT_PREVIOUS"
        ],
        "AUTH_SECRET_3 is past keep = 2, UNMANAGED is not declared"
    );
    // A retired value is not required: outside the overlap window it is simply not there.
    let out = out
        .then()
        .write(FILE, "JWT=a1\nAUTH_SECRET=b2\nAPP_KEY=c2\n")
        .args(["export", "production", "-f", "json"])
        .status(0);
    assert_eq!(out.json().as_object().unwrap().len(), 3);
}

#[test]
fn json_summary_of_a_written_export_names_keys_never_values() {
    let out = project(NASTY)
        .args([
            "export",
            "production",
            "-f",
            "k8s",
            "-o",
            "s.yaml",
            "--json",
        ])
        .status(0);
    assert_eq!(
        out.json(),
        serde_json::json!({
            "environment": "production",
            "format": "k8s",
            "output": "s.yaml",
            "keys": ["PLAIN", "DECLARED"],
        })
    );
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "--json"])
        .status(2);
    assert!(out.stdout().is_empty());
    out.stderr_is(str![[r#"
error: the following required arguments were not provided:
  --output <PATH>

Usage: envmint export --format <FORMAT> --output <PATH> --json <ENV>

For more information, try '--help'.

"#]]);
}

#[test]
fn o_naming_a_pipe_or_device_is_refused_pointing_at_stdout() {
    // `-o /dev/stdout` into a pipe: /dev/stdout -> /proc/self/fd/1 -> `pipe:[N]`.
    let test = project(NASTY);
    let mut cmd = test.command();
    cmd.args(["export", "production", "-f", "json", "-o", "/dev/stdout"]);
    cmd.stdout(std::process::Stdio::piped());
    let out = cmd.output().expect("envmint runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(73), "{stderr}");
    assert_eq!(
        stderr,
        "error: /dev/stdout: is not a regular file (a terminal, pipe, socket or device): -o \
         writes a new file in its place\n\
         hint: leave -o out: export writes to stdout when it is not a terminal\n"
    );
    assert!(!stderr.contains("directory does not exist"), "{stderr}");
    assert!(out.stdout.is_empty());
    let out = test
        .args(["export", "production", "-f", "json", "-o", "/dev/null"])
        .status(73);
    // The same words as /dev/stdout's, above.
    assert_eq!(out.stdout(), "");
}

#[test]
fn docker_secrets_never_writes_through_a_symlinked_list() {
    // A folder from a cloned repository may hold `.envmint-export -> ../somewhere`: the list
    // written through it would replace a file outside the folder.
    let test = project(&NASTY[..2])
        .write("victim.txt", "precious\n")
        .write("secrets/.keep", "");
    std::os::unix::fs::symlink("../victim.txt", test.path("secrets/.envmint-export")).unwrap();
    let out = test
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(73);
    // A link is no list envmint wrote: the folder is not adopted at all.
    out.stderr_is(str![[r#"
error: secrets: holds a .envmint-export that envmint did not write (a checkout's or another user's: envmint's is yours with mode 0600): refusing to change the folder's mode and drop secrets among its files
hint: give -o a new or empty folder for the secrets

"#]]);
    assert_eq!(out.read("victim.txt"), "precious\n");
    assert_eq!(
        common::names(&out.path("secrets")),
        [".envmint-export", ".keep"]
    );
}

#[test]
fn docker_secrets_removes_only_listed_files_still_as_it_wrote_them() {
    // A list edited (yours and 0600, so the folder counts as envmint's; a committed one is
    // refused whole) names a checkout's own file.
    let out = project(&NASTY[..2])
        .write("secrets/README.md", "docs\n")
        .chmod("secrets/README.md", 0o644)
        .write("secrets/.envmint-export", "README.md\nOLD\n")
        .chmod("secrets/.envmint-export", 0o600)
        .write("secrets/OLD", "old value")
        .chmod("secrets/OLD", 0o600)
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(0);
    assert_eq!(out.read("secrets/README.md"), "docs\n");
    assert!(!out.exists("secrets/OLD"), "{}", out.describe());
    out.stderr_is(str![[r#"
production: secrets mode 0755 -> 0700
production: 2 keys exported as docker-secrets into secrets (2 written, 0 unchanged)
production: left secrets/README.md in place (listed in .envmint-export but no longer 0600 and yours: not removed, taken off the list)
production: removed secrets/OLD (no longer exported)

"#]]);
    assert!(!out.read("secrets/.envmint-export").contains("README.md"));
}

#[test]
fn o_naming_a_file_another_user_planted_in_a_sticky_folder_is_refused() {
    if !common::is_root() {
        skip("needs root to give a file to user 65534");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let test = project(NASTY)
        .write("tmp/planted.json", "")
        .write("mine/app.json", "");
    let perm = |mode| std::fs::Permissions::from_mode(mode);
    std::fs::set_permissions(test.path("tmp"), perm(0o1777)).unwrap();
    std::os::unix::fs::chown(test.path("tmp/planted.json"), Some(65534), Some(65534)).unwrap();
    std::os::unix::fs::chown(test.path("mine/app.json"), Some(65534), Some(65534)).unwrap();
    let out = test
        .args([
            "export",
            "production",
            "-f",
            "json",
            "-o",
            "tmp/planted.json",
        ])
        .status(77);
    out.stderr_is(str![[r#"
error: tmp/planted.json: belongs to user 65534, not to you (0), in a folder others can write to: the written file would stay theirs, and so would what it holds
hint: write to a new file, or in a folder of your own

"#]]);
    assert_eq!(out.read("tmp/planted.json"), "");
    // In a folder of root's own, root writing an app user's file keeps it the app's.
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "-o", "mine/app.json"])
        .status(0);
    assert!(out.read("mine/app.json").contains("PLAIN"));
}

#[test]
fn o_dash_is_refused_not_a_file_named_dash() {
    let out = project(NASTY)
        .args(["export", "production", "-f", "json", "-o", "-"])
        .status(2);
    out.stderr_is(str![[r#"
error: -o - would write a file named `-`, not stdout
hint: leave -o out to write to stdout (add --stdout for a terminal); -o ./- for that file

"#]]);
    assert!(!out.exists("-"));
    assert!(out.stdout().is_empty());
    // ./- is that file, if it is really wanted.
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "-o", "./-"])
        .status(0);
    assert!(out.read("-").contains("PLAIN"));
}

/// On a full disk, `-f docker-secrets -o` into a new folder fails (74) and leaves nothing: the
/// folder it created goes with the failure, as a temporary file does.
#[test]
fn docker_secrets_on_a_full_disk_leaves_no_folder_behind() {
    // Mounted outside the test's directory and declared first: unmounted before any removal.
    let parent = tempfile::tempdir().unwrap();
    let disk = parent.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=64k,mode=0755",
            "envmint-export-test",
        ])
        .arg(&disk)
        .output();
    match mounted {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return skip(&format!(
                "cannot mount a tmpfs: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return skip(&format!("no mount(8): {e}")),
    }
    let _mount = crate::init::Mount(disk.clone());
    crate::init::fill(&disk.join("filler"));
    let out = project(&NASTY[..2])
        .arg("export")
        .arg("production")
        .args(["-f", "docker-secrets", "-o"])
        .arg(disk.join("secrets"))
        .status(74);
    out.stderr_is(str![[r#"
error: [..]/disk/secrets/.envmint-export: cannot write: No space left on device (os error 28)

"#]]);
    assert_eq!(common::names(&disk), ["filler"], "no folder, no temp file");
}

#[test]
fn fail_o_replaces_only_an_earlier_export_or_an_empty_file() {
    // `export -o README.md` replaced the README: now only an earlier export of the environment
    // (recognised by its content, in each format) or an empty file is replaced.
    let readme = "# My app\n\nRun it with `make`.\n";
    let package = "{\"name\": \"app\", \"version\": \"1.0.0\"}\n";
    let other_app = "DATABASE_URL=postgres://db/app\nPORT=8080\n";
    let mut test = project(&NASTY[..2])
        .write("README.md", readme)
        .write("package.json", package)
        .write("other.env", other_app);
    for (format, file) in [
        ("dotenv", "README.md"),
        ("docker-env", "other.env"),
        ("shell", "README.md"),
        ("json", "package.json"),
        ("k8s", "README.md"),
    ] {
        let out = test
            .args(["export", "production", "-f", format, "-o", file])
            .status(73);
        assert_eq!(
            out.stderr(),
            format!(
                "error: {file}: it exists and is not an earlier {format} export of \
                 `production`; `export -o` replaces only an earlier export or an empty file\n\
                 hint: name a new file, or remove this one first if it is yours to lose\n"
            )
        );
        assert_eq!(out.read("README.md"), readme);
        assert_eq!(out.read("package.json"), package);
        assert_eq!(out.read("other.env"), other_app);
        test = out.then();
    }
    // An earlier export is replaced, in every format, also after the values changed (a
    // rotation) and with --all-keys' keys; so is an empty file, as mktemp makes.
    for format in ["dotenv", "docker-env", "shell", "json", "k8s"] {
        let out = test
            .write("empty", "")
            .args(["export", "production", "-f", format, "-o", "empty"])
            .status(0);
        let first = out.read("empty");
        let out = out
            .then()
            .write(FILE, "PLAIN=rotated1\nDECLARED=rotated2\nEXTRA=x\n")
            .args([
                "export",
                "production",
                "-f",
                format,
                "--all-keys",
                "-o",
                "empty",
            ])
            .status(0);
        assert_ne!(out.read("empty"), first, "{format}");
        assert!(out.read("empty").contains("EXTRA"), "{format}");
        test = out.then().write(FILE, dotenv(&NASTY[..2]));
    }
}

#[test]
fn fail_docker_secrets_adopts_only_a_new_empty_or_earlier_export_folder() {
    // A repository's `secrets -> /var/www/html`: refused, the folder it points to untouched
    // (its mode too). With the slash too, which makes the kernel follow the link.
    let test = project(&NASTY[..2]).write("www/index.html", "<h1>hi</h1>\n");
    let test = test.chmod("www", 0o755);
    std::os::unix::fs::symlink("www", test.path("secrets")).unwrap();
    let mut test = test;
    for arg in ["secrets", "secrets/"] {
        let out = test
            .args(["export", "production", "-f", "docker-secrets", "-o", arg])
            .status(73);
        out.stderr_is(str![[r#"
error: secrets: is a symlink (to www): docker-secrets writes into a folder given by its own path, never through a link (a repository can hold one that points anywhere)
hint: if that is where the secrets belong, give the folder itself with -o

"#]]);
        assert_eq!(common::names(&out.path("www")), ["index.html"]);
        assert_eq!(out.mode("www"), 0o755);
        test = out.then();
    }
    // The working folder, or any folder holding other files: refused untouched.
    for arg in [".", "www"] {
        let out = test
            .args(["export", "production", "-f", "docker-secrets", "-o", arg])
            .status(73);
        let held = if arg == "." { "www" } else { "index.html" };
        assert_eq!(
            out.stderr(),
            format!(
                "error: {arg}: is a folder envmint did not export into (it holds `{held}` and no \
                 .envmint-export): refusing to change its mode and drop secrets among its files\n\
                 hint: export into a new or empty folder, e.g. -o secrets/\n"
            )
        );
        assert!(!out.exists("PLAIN") && !out.exists("www/PLAIN"));
        assert!(!out.exists(".envmint-export") && !out.exists("www/.envmint-export"));
        assert_eq!(out.mode("www"), 0o755);
        test = out.then();
    }
    // A list committed into a public folder (a checkout's 0644, or another user's) does not
    // make it envmint's: refused untouched.
    let out = test
        .write("public/index.html", "<h1>hi</h1>\n")
        .write("public/.envmint-export", "index.html\n")
        .chmod("public/.envmint-export", 0o644)
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "public",
        ])
        .status(73);
    // The words are those of a symlinked list's refusal
    // (docker_secrets_never_writes_through_a_symlinked_list).
    assert_eq!(out.stdout(), "");
    assert_eq!(
        common::names(&out.path("public")),
        [".envmint-export", "index.html"]
    );
    assert!(!out.exists("public/PLAIN"));
    assert_eq!(out.read("public/index.html"), "<h1>hi</h1>\n");
    let test = out.then();
    // Empty but for a .gitignore (and .gitkeep): adopted. Then it holds the list, and later
    // files of others beside envmint's do not stop the next export.
    let out = test
        .write("kept/.gitignore", "*\n!.gitignore\n")
        .write("kept/.gitkeep", "")
        .args(["export", "production", "-f", "docker-secrets", "-o", "kept"])
        .status(0);
    assert_eq!(out.read("kept/PLAIN"), "abc123");
    let out = out
        .then()
        .write("kept/compose-other", "x")
        .args(["export", "production", "-f", "docker-secrets", "-o", "kept"])
        .status(0);
    out.stderr_is(str![[r#"
production: 2 keys exported as docker-secrets into kept (0 written, 2 unchanged)

"#]]);
}

#[test]
fn o_warns_when_git_would_commit_the_output() {
    // In a git working tree whose .gitignore (envmint init's) covers the README's names,
    // nothing is said; another name is named with the line to add. Outside git, nothing.
    let test = project(&NASTY[..2]);
    let init = Command::new("git")
        .args(["init", "-q"])
        .current_dir(test.dir())
        .status();
    if !init.is_ok_and(|s| s.success()) {
        skip("git is not installed");
        return;
    }
    let out = test.args(["init"]).status(0);
    let out = out
        .then()
        .args(["export", "production", "-f", "docker-env", "-o", "prod.env"])
        .status(0);
    assert!(!out.stderr().contains("warning"), "{}", out.describe());
    let out = out
        .then()
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets/",
        ])
        .status(0);
    assert!(!out.stderr().contains("warning"), "{}", out.describe());
    let out = out
        .then()
        .args(["export", "production", "-f", "json", "-o", "out.json"])
        .status(0);
    out.stderr_is(str![[r#"
production: 2 keys exported as json to out.json (mode 0600)
warning: out.json is not ignored by git: `git add` would put its secrets in the next commit
hint: add `/out.json` to .gitignore (envmint init adds ?*.env, *.plan and secrets/)

"#]]);
    let out = out
        .then()
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "deploy",
        ])
        .status(0);
    out.stderr_is(str![[r#"
production: created deploy (mode 0700)
production: 2 keys exported as docker-secrets into deploy (2 written, 0 unchanged)
warning: deploy is not ignored by git: `git add` would put its secrets in the next commit
hint: add `/deploy/` to .gitignore (envmint init adds ?*.env, *.plan and secrets/)

"#]]);
    // plan -o: rotation.plan is covered, rotation.json is not.
    let out = out
        .then()
        .args(["plan", "--all", "-o", "rotation.plan"])
        .status(0);
    assert!(!out.stderr().contains("warning"), "{}", out.describe());
    let out = out
        .then()
        .args(["plan", "--all", "-o", "rotation.json"])
        .status(0);
    out.stderr_is(str![[r#"
warning: rotation.json is not ignored by git: `git add` would put its secrets in the next commit
hint: add `/rotation.json` to .gitignore (envmint init adds ?*.env, *.plan and secrets/)
production: .env.production.local (would rotate 2)
  would rotate         PLAIN     alnum     256.03 bits (unknown)
  would rotate         DECLARED  alnum     256.03 bits (unknown)
prod_eu: .env.eu (no store yet: run envmint bootstrap prod_eu, then rotate)
plan written to rotation.json; apply it with: envmint apply rotation.json

"#]]);
}

/// Regression (scripts/crash-test.sh): docker-secrets killed while creating its folder, before
/// the list was renamed, leaves only its writer's 0600 temporary files; the next run adopts the
/// folder, completes the export and removes them. A temporary-looking file others may read
/// still makes the folder someone else's.
#[test]
fn docker_secrets_killed_before_its_list_completes_on_the_next_run() {
    let test = project(&NASTY[..2])
        .write("secrets/.envmint-export.envmint-tmp.AbC123", "PLAIN\n")
        .chmod("secrets/.envmint-export.envmint-tmp.AbC123", 0o600)
        .write("secrets/.PLAIN.envmint-tmp.XyZ789", "abc")
        .chmod("secrets/.PLAIN.envmint-tmp.XyZ789", 0o600)
        .chmod("secrets", 0o700);
    let out = test
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "secrets",
        ])
        .status(0);
    assert_eq!(
        common::names(&out.path("secrets")),
        [".envmint-export", "DECLARED", "PLAIN"]
    );
    assert_eq!(out.read("secrets/PLAIN"), "abc123");
    let out = project(&NASTY[..2])
        .write("public/.x.envmint-tmp.AbC123", "x")
        .chmod("public/.x.envmint-tmp.AbC123", 0o644)
        .args([
            "export",
            "production",
            "-f",
            "docker-secrets",
            "-o",
            "public",
        ])
        .status(73);
    out.stderr_is(str![[r#"
error: public: is a folder envmint did not export into (it holds `.x.envmint-tmp.AbC123` and no .envmint-export): refusing to change its mode and drop secrets among its files
hint: export into a new or empty folder, e.g. -o secrets/

"#]]);
}

/// What each format cannot carry, refused naming the key and its line (exit 65), with the
/// format that carries it: a `${VAR}` the file defines below or not at all, a NUL, a line
/// longer than docker reads, a key no shell accepts, one too long for a file name or a
/// Kubernetes Secret key. Nothing is written.
#[test]
fn fail_what_a_format_cannot_carry_is_refused_naming_the_key() {
    let export = |text: &[u8], args: &[&str]| {
        let out = Test::new()
            .write(
                "envmint.toml",
                "[environments.production]\nfile = \".env\"\n",
            )
            .write(".env", text)
            .chmod(".env", 0o600)
            .args(["export", "production", "--all-keys"])
            .args(args)
            .status(65);
        assert_eq!(out.stdout(), "");
        assert_eq!(out.files(), [".env", "envmint.toml"], "nothing written");
        out
    };
    let out = export(b"A=\"x${LATER}\"\nLATER=y\n", &["-f", "json"]);
    out.stderr_is(str![[r#"
error: .env:1: `A` refers to ${LATER}, which is defined below it in the file: its readers would get an empty string there
hint: define the variable above it, give a default (${NAME:-value}), or single-quote the value to keep it literal

"#]]);
    let out = export(b"A=\"x${NOPE}\"\n", &["-f", "json"]);
    out.stderr_is(str![[r#"
error: .env:1: `A` refers to a variable the file does not define (export reads no variable of your shell): its readers would get an empty string there
hint: define the variable above it, give a default (${NAME:-value}), or single-quote the value to keep it literal

"#]]);
    let out = export(b"A=x\0y\n", &["-f", "shell"]);
    out.stderr_is(str![[r#"
error: .env:1: cannot export `A` as shell: its value has a NUL character, which no environment variable can hold
hint: --format docker-secrets, json or k8s carry it

"#]]);
    let long = format!("A={}\n", "x".repeat(70_000));
    let out = export(long.as_bytes(), &["-f", "docker-env"]);
    out.stderr_is(str![[r#"
error: .env:1: cannot export `A` as docker-env: the line would be longer than docker --env-file reads (65535 bytes)
hint: --format docker-secrets carries it

"#]]);
    let out = export(b"my.key=1\n", &["-f", "shell"]);
    out.stderr_is(str![[r#"
error: .env:1: cannot export `my.key` as shell: the key is not a name a shell accepts ([A-Za-z_][A-Za-z0-9_]*)
hint: --format json, k8s or docker-env carry it; without --all-keys only declared keys are exported

"#]]);
    // Long keys, compared with the key written out.
    let key = "K".repeat(256);
    let out = export(
        format!("{key}=1\n").as_bytes(),
        &["-f", "docker-secrets", "-o", "secrets"],
    );
    assert_eq!(
        out.stderr(),
        format!(
            "error: .env:1: cannot export `{key}` as docker-secrets: the key cannot be a file \
             name of its own (it starts with a dot, or is longer than 255 bytes)\n\
             hint: rename the key, or use another --format\n"
        )
    );
    let key = "K".repeat(254);
    let out = export(format!("{key}=1\n").as_bytes(), &["-f", "k8s"]);
    assert_eq!(
        out.stderr(),
        format!(
            "error: .env:1: cannot export `{key}` as k8s: the key is not a valid Kubernetes \
             Secret key (letters, digits, `-`, `_` and `.`, at most 253, not `.`, `..` or \
             starting with `..`)\n\
             hint: rename the key, or use another --format\n"
        )
    );
}

/// A Kubernetes Secret holds 1 MiB of data: k8s refuses values beyond it (65), naming the
/// store and both sizes, and writes nothing.
#[test]
fn k8s_refuses_values_larger_than_a_secret_holds() {
    let big = "x".repeat(400_000);
    let store = format!("A={}\nBIG0={big}\nBIG1={big}\nBIG2={big}\n", "0".repeat(64));
    let out = Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \".env\"\n[secrets.A]\nkind = \"hex\"\n",
        )
        .write(".env", store)
        .chmod(".env", 0o600)
        .args(["export", "production", "--format", "k8s", "--all-keys"])
        .status(65);
    out.stdout_is("");
    out.stderr_is(str![[r#"
error: .env: the values take 1200064 bytes, more than a Kubernetes Secret holds (1048576)
hint: export fewer keys (without --all-keys), or split the environment

"#]]);
}
