//! The framework presets proven with the frameworks' own code: `envmint init --preset NAME`,
//! `bootstrap`, then `rotate --at` on the real binary; after each step the file is loaded as
//! the app loads it (python-dotenv or Node dotenv) and handed to the framework's library:
//!
//! - a value signed (or encrypted) before a rotation still verifies after it, during the
//!   overlap;
//! - one made after the rotation uses the new key (it verifies with the new key alone);
//! - after the overlap expires, a signing key's old values are rejected.
//!
//! A missing framework skips its test with a `skipped:` line, and fails it under `CI`
//! (`.ci/run` installs them all), as the dotenv peers do.

use crate::common::{self, Output};
use crate::dotenv_peers::{available, node, python};
use std::path::{Path, PathBuf};
use std::process::Command;

const FILE: &str = ".env.production.local";

/// Whether `python3` imports `module` (and python-dotenv, which loads the file).
fn python_with(module: &str, hint: &str) -> bool {
    if !python() {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    available(module, ok, hint)
}

/// The folder holding `node_modules` with Node dotenv and `package`, when both are there.
fn node_with(package: &str) -> Option<PathBuf> {
    let dotenv = node()?;
    let dir = dotenv.parent()?.parent()?.to_path_buf();
    let ok = dir.join("node_modules").join(package).is_dir();
    let hint = format!("npm install --prefix {} {package}", dir.display());
    available(package, ok, &hint).then_some(dir)
}

/// Runs a peer and returns its stdout, trimmed; panics with its stderr when it fails.
fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("peer runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `envmint init --preset NAME` then `bootstrap production` in a fresh folder.
fn project(preset: &str) -> Output {
    common::envmint(["init", "--preset", preset])
        .status(0)
        .then()
        .args(["bootstrap", "production"])
        .status(0)
}

/// `envmint rotate production ARGS... --at AT`.
fn rotate(out: Output, at: &str, extra: &[&str]) -> Output {
    out.then()
        .args(["rotate", "production", "--at", at])
        .args(extra)
        .status(0)
}

/// What a preset's key is for, as its `role` says: it decides what happens after the overlap.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// Retired values are removed when the overlap ends: what they signed is refused.
    Signing,
    /// Retired keys stay in the keyring with no expiry: what they encrypted always decrypts.
    Encryption,
}

/// The steps every profile goes through, with `peer(file, mode, token)` the framework:
/// `sign` makes a token, `verify` checks one with every key the app reads, `current` with the
/// current key alone. `later` is a day past the preset's overlap after 2030-01-01 (and before
/// the key is due again).
fn prove(preset: &str, role: Role, later: &str, peer: &dyn Fn(&Path, &str, &str) -> String) {
    let out = project(preset);
    check_steps(out, preset, role, later, peer);
}

/// [`prove`] on a project that is bootstrapped already.
fn check_steps(
    out: Output,
    what: &str,
    role: Role,
    later: &str,
    peer: &dyn Fn(&Path, &str, &str) -> String,
) {
    let file = out.path(FILE);
    let before = peer(&file, "sign", "");
    assert_eq!(peer(&file, "verify", &before), "valid", "{what}: fresh");
    assert_eq!(peer(&file, "verify", "x"), "rejected", "{what}: junk");

    // Due (bootstrapped years earlier): rotated, the old value retired.
    // The summary's words are the snapshot rotate/summary: here the framework is the judge.
    let out = rotate(out, "2030-01-01", &[]);
    assert_eq!(peer(&file, "verify", &before), "valid", "{what}: overlap");
    assert_eq!(peer(&file, "current", &before), "rejected", "{what}: old");
    let after = peer(&file, "sign", "");
    assert_eq!(peer(&file, "current", &after), "valid", "{what}: new key");

    let out = rotate(out, later, &[]);
    // The last `Output` owns the temporary folder: kept until the end.
    let _out = match role {
        // Past the overlap: the retired value is removed, and what it signed is refused.
        Role::Signing => {
            assert_eq!(
                peer(&file, "verify", &before),
                "rejected",
                "{what}: expired"
            );
            out
        }
        // Time never removes a retired encryption key: what it encrypted still decrypts.
        Role::Encryption => {
            assert!(!out.stderr().contains("removed"), "{}", out.stderr());
            assert_eq!(peer(&file, "verify", &before), "valid", "{what}: keyring");
            let out = rotate(out, "2031-01-01", &[]);
            assert_eq!(peer(&file, "verify", &before), "valid", "{what}: a year on");
            // Until it is retired explicitly: then what only the old keys opened is refused.
            let key = if what == "fernet" {
                "FERNET_KEY"
            } else {
                "APP_KEY"
            };
            assert_eq!(peer(&file, "verify", &after), "valid", "{what}: keyring");
            let _out = out.then().args(["retire", "production", key]).status(0);
            assert_eq!(
                peer(&file, "verify", &before),
                "rejected",
                "{what}: retired"
            );
            assert_eq!(peer(&file, "verify", &after), "rejected", "{what}: retired");
            let now = peer(&file, "sign", "");
            assert_eq!(peer(&file, "verify", &now), "valid", "{what}: current");
            return;
        }
    };
    assert_eq!(peer(&file, "verify", &after), "valid", "{what}: current");
}

/// A Python peer: `script` gets the file, the mode and the token as `sys.argv[1:]`.
fn python_peer(script: &'static str) -> impl Fn(&Path, &str, &str) -> String {
    move |file, mode, token| {
        run(Command::new("python3")
            .args(["-c", script])
            .arg(file)
            .args([mode, token]))
    }
}

const DJANGO: &str = r#"
import sys
from dotenv import dotenv_values
env = dotenv_values(sys.argv[1])
from django.conf import settings
fallbacks = [k for k in (env.get("SECRET_KEY_FALLBACKS") or "").split(",") if k]
mode = sys.argv[2]
settings.configure(SECRET_KEY=env["SECRET_KEY"],
                   SECRET_KEY_FALLBACKS=[] if mode == "current" else fallbacks)
from django.core import signing
from django.core.checks.security.base import _check_secret_key
# Django's own deploy check of a key: 50+ characters, 5+ distinct, not django-insecure-.
assert _check_secret_key(settings.SECRET_KEY), "Django finds SECRET_KEY weak"
assert all(_check_secret_key(k) for k in fallbacks), "Django finds a fallback weak"
if mode == "sign":
    print(signing.dumps({"user": 42}))
else:
    try:
        print("valid" if signing.loads(sys.argv[3]) == {"user": 42} else "wrong")
    except signing.BadSignature:
        print("rejected")
"#;

#[test]
fn django_signing_with_secret_key_fallbacks() {
    if !python_with("django", "pip install 'Django>=5.2,<5.3'") {
        return;
    }
    prove("django", Role::Signing, "2030-01-16", &python_peer(DJANGO));
}

const FLASK: &str = r#"
import sys
from dotenv import dotenv_values
env = dotenv_values(sys.argv[1])
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
app = Flask("envmint_test")
mode = sys.argv[2]
app.config["SECRET_KEY"] = env["SECRET_KEY"]
app.config["SECRET_KEY_FALLBACKS"] = [] if mode == "current" else [
    k for k in (env.get("SECRET_KEY_FALLBACKS") or "").split(",") if k]
s = SecureCookieSessionInterface().get_signing_serializer(app)
if mode == "sign":
    print(s.dumps({"user": 42}))
else:
    try:
        print("valid" if s.loads(sys.argv[3]) == {"user": 42} else "wrong")
    except BadSignature:
        print("rejected")
"#;

#[test]
fn flask_session_cookies_with_secret_key_fallbacks() {
    if !python_with("flask", "pip install 'Flask>=3.1,<3.2'") {
        return;
    }
    prove("flask", Role::Signing, "2030-02-02", &python_peer(FLASK));
}

const AUTHJS: &str = r#"
const path = require('path'), fs = require('fs'), { pathToFileURL } = require('url');
const mods = path.join(process.argv[1], 'node_modules');
const dotenv = require(path.join(mods, 'dotenv'));
const env = dotenv.parse(fs.readFileSync(process.argv[2]));
const [mode, token] = [process.argv[3], process.argv[4]];
(async () => {
  const core = await import(pathToFileURL(path.join(mods, '@auth/core/index.js')));
  const jwt = await import(pathToFileURL(path.join(mods, '@auth/core/jwt.js')));
  // What Auth.js does with the environment: AUTH_SECRET, then AUTH_SECRET_1..3 unshifted.
  const config = { providers: [] };
  core.setEnvDefaults(env, config);
  const salt = 'authjs.session-token';
  // `current`: the value envmint keeps under the preset's key, the one it just generated.
  const secret = mode === 'current' ? env[process.env.ENVMINT_KEY || 'AUTH_SECRET_3'] : config.secret;
  if (mode === 'sign') {
    console.log(await jwt.encode({ token: { sub: '42' }, secret, salt }));
  } else {
    let out = 'rejected';
    try {
      const t = await jwt.decode({ token, secret, salt });
      if (t && t.sub === '42') out = 'valid';
    } catch (e) {}
    console.log(out);
  }
})();
"#;

fn node_peer(dir: PathBuf, script: &'static str) -> impl Fn(&Path, &str, &str) -> String {
    move |file, mode, token| {
        run(Command::new("node")
            .args(["-e", script])
            .arg(&dir)
            .arg(file)
            .args([mode, token]))
    }
}

#[test]
fn authjs_encrypts_with_the_newest_secret_and_decrypts_with_the_retired_ones() {
    let Some(dir) = node_with("@auth/core") else {
        return;
    };
    let peer = node_peer(dir, AUTHJS);
    prove("nextjs", Role::Signing, "2030-02-01", &peer);

    // Three rotations inside the window fill the three slots Auth.js reads; each time the
    // token it makes is encrypted with the value envmint just generated, and every earlier
    // token still decrypts.
    let out = project("nextjs");
    let file = out.path(FILE);
    let mut tokens = vec![peer(&file, "sign", "")];
    let mut out = out;
    for day in ["2030-01-01", "2030-01-02", "2030-01-03"] {
        out = rotate(out, day, &["--all"]);
        let t = peer(&file, "sign", "");
        assert_eq!(peer(&file, "current", &t), "valid", "{day}: newest first");
        tokens.push(t);
        for (i, t) in tokens.iter().enumerate() {
            assert_eq!(peer(&file, "verify", t), "valid", "{day}: token {i}");
        }
    }
    let text = out.read(FILE);
    for name in [
        "AUTH_SECRET_3=",
        "AUTH_SECRET_2=",
        "AUTH_SECRET_1=",
        "\nAUTH_SECRET=",
    ] {
        assert!(
            text.contains(name),
            "{name} in\n{}",
            text.replace(char::is_alphanumeric, "x")
        );
    }
    // A fourth rotation: Auth.js reads no more than four values, so the oldest goes.
    // The last `Output` owns the temporary folder: kept until the end.
    let _out = rotate(out, "2030-01-04", &["--all"]);
    assert_eq!(peer(&file, "verify", &tokens[0]), "rejected");
    assert_eq!(peer(&file, "verify", &tokens[1]), "valid");
}

const EXPRESS: &str = r#"
const path = require('path'), fs = require('fs'), http = require('http'), net = require('net');
const mods = path.join(process.argv[1], 'node_modules');
const dotenv = require(path.join(mods, 'dotenv'));
const session = require(path.join(mods, 'express-session'));
const signature = require(path.join(mods, 'cookie-signature'));
const env = dotenv.parse(fs.readFileSync(process.argv[2]));
const [mode, token] = [process.argv[3], process.argv[4]];
const previous = mode === 'current' ? [] : (env.SESSION_SECRET_PREVIOUS || '').split(',').filter(Boolean);
const secret = [env.SESSION_SECRET, ...previous];
if (mode === 'sign') {
  // What express-session sets: `s:` and the ID signed with the first secret.
  console.log('s:' + signature.sign('sid42', secret[0]));
} else {
  // express-session's own middleware reads the cookie: it keeps the session only when one of
  // its secrets verifies the signature.
  const store = new session.MemoryStore();
  const stored = { cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, user: 42 };
  store.set('sid42', stored, () => {
    const req = new http.IncomingMessage(new net.Socket());
    req.url = '/';
    req.originalUrl = '/';
    req.headers = { cookie: 'connect.sid=' + encodeURIComponent(token) };
    const res = new http.ServerResponse(req);
    session({ secret, store, resave: false, saveUninitialized: false })(req, res, () => {
      console.log(req.sessionID === 'sid42' && req.session.user === 42 ? 'valid' : 'rejected');
    });
  });
}
"#;

#[test]
fn express_session_with_a_secret_array() {
    let Some(dir) = node_with("express-session") else {
        return;
    };
    if node_with("cookie-signature").is_none() {
        return;
    }
    prove(
        "express",
        Role::Signing,
        "2030-01-09",
        &node_peer(dir, EXPRESS),
    );
}

/// Rails' cookie encryptor, as `ActionDispatch::Cookies` derives it from `secret_key_base`
/// (ActiveSupport's KeyGenerator, SHA256, 1000 iterations, AES-256-GCM), with the retired base
/// rotated in as the README shows. Values come from python-dotenv through the environment.
const RAILS: &str = r#"
require "active_support"
require "active_support/key_generator"
require "active_support/message_encryptor"
def encryptor(base)
  kg = ActiveSupport::KeyGenerator.new(base, iterations: 1000, hash_digest_class: OpenSSL::Digest::SHA256)
  ActiveSupport::MessageEncryptor.new(kg.generate_key("authenticated encrypted cookie", 32), cipher: "aes-256-gcm")
end
base = ENV.fetch("SECRET_KEY_BASE")
raise "Rails needs 64 bytes of hex" unless base.match?(/\A\h{128}\z/)
mode, token = ARGV
e = encryptor(base)
previous = ENV["SECRET_KEY_BASE_PREVIOUS"].to_s
if mode != "current" && !previous.empty?
  kg = ActiveSupport::KeyGenerator.new(previous, iterations: 1000, hash_digest_class: OpenSSL::Digest::SHA256)
  e.rotate(kg.generate_key("authenticated encrypted cookie", 32), cipher: "aes-256-gcm")
end
if mode == "sign"
  puts e.encrypt_and_sign("user 42")
else
  begin
    puts(e.decrypt_and_verify(token) == "user 42" ? "valid" : "rejected")
  rescue ActiveSupport::MessageEncryptor::InvalidMessage, ActiveSupport::MessageVerifier::InvalidSignature
    puts "rejected"
  end
end
"#;

/// Reads `file` with python-dotenv and runs `program args...` with its variables in the
/// environment (never on the command line), as a process manager loading the file would.
fn with_env(file: &Path, program: &str, args: &[&str]) -> String {
    const LOAD: &str = "import os, sys\nfrom dotenv import dotenv_values\n\
                        env = {k: v for k, v in dotenv_values(sys.argv[1]).items() if v is not None}\n\
                        os.execvpe(sys.argv[2], sys.argv[2:], {**os.environ, **env})";
    run(Command::new("python3")
        .args(["-c", LOAD])
        .arg(file)
        .arg(program)
        .args(args))
}

#[test]
fn rails_secret_key_base_with_the_previous_one_rotated_in() {
    let ok = Command::new("ruby")
        .args([
            "-e",
            "require 'active_support'; require 'active_support/message_encryptor'",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python()
        || !available(
            "ruby-activesupport",
            ok,
            "apt-get install ruby-activesupport",
        )
    {
        return;
    }
    prove(
        "rails",
        Role::Signing,
        "2030-01-16",
        &|file, mode, token| with_env(file, "ruby", &["-e", RAILS, mode, token]),
    );
}

/// Laravel's `Encrypter` (AES-256-CBC with an HMAC-SHA256 over iv and value, the key being the
/// 32 bytes after `base64:`, previous keys from `APP_PREVIOUS_KEYS` tried in turn), written
/// with PHP's openssl as Laravel's is: Laravel itself is not installable here.
const LARAVEL: &str = r#"
function key_of(string $k): string {
    if (!str_starts_with($k, 'base64:')) { fwrite(STDERR, "APP_KEY lacks base64:\n"); exit(3); }
    $raw = base64_decode(substr($k, 7), true);
    // Encrypter::supported(): AES-256-CBC needs exactly 32 bytes.
    if ($raw === false || strlen($raw) !== 32) { fwrite(STDERR, "not a 32-byte key\n"); exit(3); }
    return $raw;
}
[$mode, $token] = [$argv[1], $argv[2] ?? ''];
$keys = [key_of(getenv('APP_KEY'))];
if ($mode !== 'current') {
    foreach (array_filter(explode(',', (string) getenv('APP_PREVIOUS_KEYS'))) as $k) { $keys[] = key_of(trim($k)); }
}
if ($mode === 'sign') {
    $iv = random_bytes(16);
    $value = openssl_encrypt(serialize('user 42'), 'aes-256-cbc', $keys[0], 0, $iv);
    $iv = base64_encode($iv);
    $mac = hash_hmac('sha256', $iv.$value, $keys[0]);
    echo base64_encode(json_encode(['iv' => $iv, 'value' => $value, 'mac' => $mac, 'tag' => ''])), "\n";
    exit(0);
}
$p = json_decode((string) base64_decode($token), true);
foreach ($keys as $key) {
    if (is_array($p) && hash_equals(hash_hmac('sha256', $p['iv'].$p['value'], $key), $p['mac'])) {
        $plain = openssl_decrypt($p['value'], 'aes-256-cbc', $key, 0, base64_decode($p['iv']));
        echo ($plain !== false && unserialize($plain) === 'user 42') ? "valid\n" : "rejected\n";
        exit(0);
    }
}
echo "rejected\n";
"#;

#[test]
fn laravel_app_key_and_app_previous_keys() {
    let ok = Command::new("php")
        .args(["-r", "exit(extension_loaded('openssl') ? 0 : 1);"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python() || !available("php-cli", ok, "apt-get install php-cli") {
        return;
    }
    prove(
        "laravel",
        Role::Encryption,
        "2030-02-01",
        &|file, mode, token| with_env(file, "php", &["-r", LARAVEL, "--", mode, token]),
    );
}

/// `cryptography`'s MultiFernet over the current key and the keyring, newest first.
const FERNET: &str = r#"
import sys
from dotenv import dotenv_values
from cryptography.fernet import Fernet, MultiFernet, InvalidToken
env = dotenv_values(sys.argv[1])
mode = sys.argv[2]
keys = [env["FERNET_KEY"]]
if mode != "current":
    keys += [k for k in (env.get("FERNET_KEYS") or "").split(",") if k]
f = MultiFernet([Fernet(k) for k in keys])
if mode == "sign":
    print(f.encrypt(b"user 42").decode())
else:
    try:
        print("valid" if f.decrypt(sys.argv[3].encode()) == b"user 42" else "wrong")
    except InvalidToken:
        print("rejected")
"#;

/// A Fernet key as `Fernet.generate_key()` makes it (urlsafe base64 of 32 bytes, with its one
/// `=` of padding), as an encryption key whose keyring MultiFernet reads.
const FERNET_MANIFEST: &str = "[environments.production]\nfile = \".env.production.local\"\n\n\
    [secrets.FERNET_KEY]\nkind = \"base64url\"\nbytes = 32\nformat = \"{value}=\"\n\
    role = \"encryption\"\nprevious = { list = \"FERNET_KEYS\", separator = \",\", keep = 3 }\n";

#[test]
fn cryptography_multifernet_reads_the_encryption_keyring() {
    if !python_with("cryptography", "pip install cryptography") {
        return;
    }
    let out = common::envmint(["bootstrap", "production"])
        .write("envmint.toml", FERNET_MANIFEST)
        .status(0);
    check_steps(
        out,
        "fernet",
        Role::Encryption,
        "2030-02-01",
        &python_peer(FERNET),
    );
}
