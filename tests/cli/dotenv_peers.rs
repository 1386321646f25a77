//! envmint's dotenv files checked against the real readers: python-dotenv, the Node `dotenv`
//! package and `sh` (`set -a; . ./file`).
//!
//! A missing peer skips its checks with a `skipped:` line that `cargo test` shows (it is written
//! past the output capture), except under `CI`, where every peer must be installed (see `.ci/`):
//! there a missing peer fails the test.
//! Node dotenv is looked up in `$ENVMINT_NODE_MODULES/node_modules/dotenv`, by default
//! `.ci/peers/node_modules/dotenv` in the crate (`npm install --prefix .ci/peers dotenv`).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use envmint::dotenv::{Document, check_writable_alphabet};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use snapbox::str;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

type Values = BTreeMap<String, Option<String>>;

use crate::common;
use crate::dotenv_model;

/// `true` when the peer can be used; otherwise skips, saying so once per run past libtest's
/// output capture (`cargo test` shows it without `--nocapture`), or fails under CI.
pub(crate) fn available(peer: &str, ok: bool, hint: &str) -> bool {
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    if ok {
        return true;
    }
    let mut said = SAID
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !said.iter().any(|p| p == peer) || std::env::var_os("CI").is_some() {
        said.push(peer.to_owned());
        common::skip(&format!(
            "{peer} not installed ({hint}): the checks against it did not run"
        ));
    }
    false
}

pub(crate) fn python() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import dotenv"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    available("python-dotenv", ok, "pip install python-dotenv")
}

pub(crate) fn node() -> Option<PathBuf> {
    let dir = std::env::var_os("ENVMINT_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/peers"));
    let module = dir.join("node_modules/dotenv");
    let ok = module.is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    let hint = format!("npm install --prefix {} dotenv", dir.display());
    available("Node dotenv", ok, &hint).then_some(module)
}

fn sh() -> bool {
    let ok = Command::new("sh")
        .args(["-c", "command -v env"])
        .output()
        .is_ok_and(|o| o.status.success());
    available("sh", ok, "a POSIX sh and env(1)")
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("peer runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// python-dotenv's `dotenv_values` of each file (with its default `${VAR}` interpolation when
/// asked), in one process.
fn read_python(files: &[PathBuf], interpolate: bool) -> Vec<Values> {
    let script = "import json, sys\nfrom dotenv import dotenv_values\n\
                  i = sys.argv[1] == '1'\n\
                  sys.stdout.write(json.dumps([dotenv_values(f, interpolate=i) for f in sys.argv[2:]]))";
    let flag = if interpolate { "1" } else { "0" };
    let out = run(Command::new("python3")
        .args(["-c", script, flag])
        .args(files));
    serde_json::from_slice(&out).expect("python json")
}

/// Node dotenv's `parse` of each file's bytes, in one process.
fn read_node(module: &Path, files: &[PathBuf]) -> Vec<Values> {
    let script = "const d = require(process.argv[1]);\
                  const fs = require('fs');\
                  const out = process.argv.slice(2).map(f => d.parse(fs.readFileSync(f)));\
                  process.stdout.write(JSON.stringify(out));";
    let out = run(Command::new("node")
        .args(["-e", script])
        .arg(module)
        .args(files));
    serde_json::from_slice(&out).expect("node json")
}

/// The variables `sh` exports after `set -a; . file`, read NUL-separated from `env -0`.
fn read_sh(file: &Path) -> Values {
    let out = run(Command::new("sh")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["-c", "set -a; . \"$1\"; exec env -0", "sh"])
        .arg(file));
    let text = String::from_utf8(out).expect("utf-8 env");
    text.split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), Some(v.to_owned())))
        .collect()
}

/// Random values of every kind envmint generates, plus hand-picked edge cases.
fn values(count_per_kind: usize) -> Vec<(&'static str, String)> {
    const HEX: &str = "0123456789abcdef";
    const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    // The `password` kind's alphabet, and the writer's whole bare set (the former alphabet).
    const PASSWORD: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    const BARE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+:@/%^,=";
    const UNICODE: &str = "aé€漢字🙂ß#!~";
    // Every character a manifest's alphabet may have (`{` left out: `$` and `{` together are
    // refused, as they could make `${`).
    let manifest: String = (' '..='~')
        .filter(|c| check_writable_alphabet(&c.to_string()).is_ok() && *c != '{')
        .collect();
    assert!(check_writable_alphabet(&manifest).is_ok());
    assert!("#;&|*?~!}[]()<>$\"`".chars().all(|c| manifest.contains(c)));
    // Any printable ASCII and a space, and what the writer makes of it: a value some person
    // kept in a file (a Django key, a password) that rotation must write back as it is.
    let hostile: Vec<char> = (' '..='~').chain("$$''\\\\\"#".chars()).collect();

    let mut rng = ChaCha8Rng::seed_from_u64(0x0e0e_2024);
    let from = |alphabet: &str, rng: &mut ChaCha8Rng| -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let len = rng.random_range(1..=64);
        (0..len)
            .map(|_| chars[rng.random_range(0..chars.len())])
            .collect()
    };
    let mut out: Vec<(&'static str, String)> = [
        "", "=", "==", "-", "#", "a#b", "#a", "~", "a=b", "'#'", "!", "*", "{}",
    ]
    .iter()
    .filter(|v| !v.contains('\''))
    .map(|v| ("edge", (*v).to_owned()))
    .collect();
    for _ in 0..count_per_kind {
        let bytes: Vec<u8> = (0..rng.random_range(1..=48))
            .map(|_| rng.random())
            .collect();
        out.push(("base64", STANDARD.encode(&bytes)));
        out.push(("base64url", URL_SAFE_NO_PAD.encode(&bytes)));
        out.push(("hex", from(HEX, &mut rng)));
        out.push(("alnum", from(ALNUM, &mut rng)));
        out.push(("base32", from(BASE32, &mut rng)));
        out.push(("password", from(PASSWORD, &mut rng)));
        out.push(("bare", from(BARE, &mut rng)));
        out.push(("manifest", from(&manifest, &mut rng)));
        out.push(("unicode", from(UNICODE, &mut rng)));
        let len = rng.random_range(1..=40);
        let kept: String = (0..len)
            .map(|_| hostile[rng.random_range(0..hostile.len())])
            .collect();
        if envmint::dotenv::quote_value(&kept).is_ok() {
            out.push(("hostile", kept));
        }
    }
    // Hand-picked: each quoting rule's edge (Django's alphabet has `$`; a single quote goes
    // in double quotes).
    for v in [
        "a$b",
        "$",
        "$HOME",
        "a$(id)",
        "x`id`y",
        "say \"x\"",
        "a\\b",
        "\\n",
        "it's",
        "'",
        "a b",
        " lead",
        "trail ",
        "#!@#$%^&*(-_=+)",
        "a'b#c d",
        "}$",
        "$}{",
    ] {
        assert!(envmint::dotenv::quote_value(v).is_ok(), "{v:?}");
        out.push(("quoting", v.to_owned()));
    }
    out
}

/// Asserts every peer read `expected` for every key; `sh` only for the keys in `sh_keys`.
fn assert_peers_read(file: &Path, expected: &[(String, String)], sh_keys: Option<&[String]>) {
    let mut readers: Vec<(&str, Values)> = Vec::new();
    readers.push(("envmint", {
        let doc = Document::parse(&std::fs::read_to_string(file).unwrap());
        expected
            .iter()
            .map(|(k, _)| (k.clone(), doc.get(k).map(str::to_owned)))
            .collect()
    }));
    if python() {
        let mut read = read_python(&[file.to_path_buf()], true);
        readers.push(("python-dotenv", read.remove(0)));
    }
    if let Some(module) = node() {
        let mut read = read_node(&module, &[file.to_path_buf()]);
        readers.push(("Node dotenv", read.remove(0)));
    }
    if sh_keys.is_some() && sh() {
        readers.push(("sh", read_sh(file)));
    }
    for (peer, got) in &readers {
        for (key, value) in expected {
            if *peer == "sh" && !sh_keys.unwrap_or_default().contains(key) {
                continue;
            }
            assert_eq!(
                got.get(key).cloned().flatten().as_deref(),
                Some(value.as_str()),
                "{peer} read {key} differently (file {})",
                file.display()
            );
        }
    }
}

#[test]
fn appended_values_read_back_identically_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = Document::parse("# written by envmint\n");
    let mut expected = Vec::new();
    for (i, (kind, value)) in values(400).into_iter().enumerate() {
        let key = format!("K_{kind}_{i}").to_uppercase();
        doc.append(&key, &value).unwrap();
        expected.push((key, value));
    }
    let file = dir.path().join("appended.env");
    std::fs::write(&file, doc.render().as_bytes()).unwrap();
    assert!(expected.len() > 3000);
    let keys: Vec<String> = expected.iter().map(|(k, _)| k.clone()).collect();
    assert_peers_read(&file, &expected, Some(&keys));
}

#[test]
fn a_key_appended_after_a_trailing_backslash_is_its_own_variable_in_sh() {
    if !sh() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (text, x) in [
        ("X=abc\\", "abc"),
        ("X=abc\\\n", "abc"),
        ("X=abc\\\\\n", "abc\\"),
    ] {
        let mut doc = Document::parse(text);
        doc.append("NEW_KEY", "v4lue").unwrap();
        let file = dir.path().join("continued.env");
        std::fs::write(&file, doc.render().as_bytes()).unwrap();
        let read = read_sh(&file);
        assert_eq!(
            read.get("NEW_KEY"),
            Some(&Some("v4lue".to_owned())),
            "{text:?}"
        );
        assert_eq!(read.get("X"), Some(&Some(x.to_owned())), "{text:?}");
        // What was there is kept byte for byte.
        assert!(doc.render().starts_with(text), "{text:?}");
        assert_eq!(Document::parse(&doc.render()).get("NEW_KEY"), Some("v4lue"));
    }
}

/// A file that starts with `header` and has `count` keys `{prefix}_0`, `{prefix}_1`..., one line
/// each in the `styles` by turn (`{k}` stands for the key), with `eol` line ends; parsed, and
/// read without a warning.
#[track_caller]
fn styled(header: &str, styles: &[&str], prefix: &str, count: usize, eol: &str) -> Document {
    let mut text = String::from(header);
    for i in 0..count {
        let line = styles[i % styles.len()].replace("{k}", &format!("{prefix}_{i}"));
        text.push_str(&line);
        text.push('\n');
    }
    let text = text.replace('\n', eol);
    let doc = Document::parse(&text);
    assert!(doc.warnings().is_empty(), "{:?}", doc.warnings());
    doc
}

#[test]
fn values_set_in_place_read_back_identically_everywhere() {
    // Existing lines in every style envmint must edit without disturbing: export, spacing,
    // quotes, trailing comments, multi-line values, CRLF.
    let styles = [
        "export {k}=old",
        "  {k} = old # note",
        "{k}='old value' # note",
        "{k}=\"multi\nline\"",
        "export {k}=\"x\"#glued",
        "{k}=",
    ];
    for eol in ["\n", "\r\n"] {
        let dir = tempfile::tempdir().unwrap();
        let vals = values(60);
        let mut doc = styled("# existing file\n", &styles, "S", vals.len(), eol);
        let mut expected = Vec::new();
        let mut sh_keys = Vec::new();
        for (i, (_, value)) in vals.into_iter().enumerate() {
            let key = format!("S_{i}");
            doc.set(&key, &value).unwrap();
            // `KEY = value` is a command to the shell, not an assignment, before and after.
            if !styles[i % styles.len()].contains(" = ") {
                sh_keys.push(key.clone());
            }
            expected.push((key, value));
        }
        let file = dir.path().join("set.env");
        std::fs::write(&file, doc.render().as_bytes()).unwrap();
        // sh keeps the `\r` of a CRLF line in the value: CRLF files are not shell-readable.
        assert_peers_read(&file, &expected, (eol == "\n").then_some(&sh_keys[..]));
    }
}

#[test]
fn corpus_reads_agree_with_the_peers_where_they_agree() {
    let python = python();
    let Some(module) = node() else { return };
    if !python {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dotenv");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "env"))
        .collect();
    files.sort();
    let mut agreed = 0;
    let mut disagreements = Vec::new();
    let pys = read_python(&files, false);
    let jss = read_node(&module, &files);
    for ((file, py), js) in files.iter().zip(&pys).zip(&jss) {
        let name = file.file_name().unwrap().to_string_lossy();
        let doc = Document::parse(&std::fs::read_to_string(file).unwrap());
        let keys: std::collections::BTreeSet<&String> = py.keys().chain(js.keys()).collect();
        for key in keys {
            let (p, n) = (
                py.get(key).cloned().flatten(),
                js.get(key).cloned().flatten(),
            );
            let ours = doc.get(key).map(str::to_owned);
            if p.is_some() && p == n {
                assert_eq!(ours, p, "{name}: {key}: both peers read {p:?}");
                agreed += 1;
            } else {
                disagreements.push(format!(
                    "{name}: {key:?}: python {p:?}, node {n:?}, envmint {ours:?}"
                ));
            }
        }
    }
    eprintln!("peers disagree on {} corpus keys:", disagreements.len());
    for d in &disagreements {
        eprintln!("  {d}");
    }
    assert!(agreed > 80, "only {agreed} agreed values");
}

#[test]
fn values_replaced_in_place_keeping_their_quotes_read_back_identically_everywhere() {
    // `replace_value` keeps the line's quotes: double quotes must carry every value envmint
    // writes as literally as single quotes do, in every reader.
    let styles = [
        "export {k}=",
        "{k}=\"\"",
        "export {k}=''",
        "{k}=\"old value\" # note",
        "{k}='multi\nline'",
        "export {k}=\"x\"#glued",
        "{k}=placeholder # c",
        "export {k}= ",
    ];
    for eol in ["\n", "\r\n"] {
        let dir = tempfile::tempdir().unwrap();
        let vals = values(60);
        let mut doc = styled(
            "# copied from .env.example\n",
            &styles,
            "R",
            vals.len(),
            eol,
        );
        let mut expected = Vec::new();
        for (i, (_, value)) in vals.into_iter().enumerate() {
            let key = format!("R_{i}");
            doc.replace_value(&key, &value).unwrap();
            expected.push((key, value));
        }
        let rendered = doc.render();
        assert!(rendered.contains("R_1=\""), "double quotes kept");
        let file = dir.path().join("replaced.env");
        std::fs::write(&file, rendered.as_bytes()).unwrap();
        let keys: Vec<String> = expected.iter().map(|(k, _)| k.clone()).collect();
        assert_peers_read(&file, &expected, (eol == "\n").then_some(&keys[..]));
    }
}

/// Property, against the peers: documents edited by random sequences of set, replace_value,
/// insert_after, remove, set_record and append (the model's corpus-like documents, without the
/// escapes and BOM placements the peers read differently) read back, in python-dotenv and Node
/// dotenv, as the model's key -> value map.
#[test]
fn randomly_edited_documents_read_back_as_intended_everywhere() {
    use dotenv_model::{Model, Shape, apply, random_op};
    let python = python();
    let node = node();
    if !python && node.is_none() {
        return;
    }
    let vals: Vec<String> = values(8).into_iter().map(|(_, v)| v).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(0x7_0e0e);
    let dir = tempfile::tempdir().unwrap();
    let (mut files, mut expected) = (Vec::new(), Vec::new());
    let mut edits = 0;
    for case in 0..400 {
        let mut model = Model::random(&mut rng, Shape { peer_safe: true });
        let mut doc = Document::parse(&model.text());
        for _ in 0..rng.random_range(1..12) {
            let op = random_op(&mut rng, &vals);
            let want = model.apply(&op);
            assert_eq!(apply(&mut doc, &op), want, "case {case}: {op:?}");
            edits += usize::from(want);
        }
        model.check(&doc, &format!("case {case}"));
        let file = dir.path().join(format!("edited-{case}.env"));
        std::fs::write(&file, doc.render().as_bytes()).unwrap();
        files.push(file);
        expected.push(model.expected());
    }
    assert!(edits > 700, "only {edits} edits were accepted");
    let mut readers: Vec<(&str, Vec<Values>)> = Vec::new();
    if python {
        readers.push(("python-dotenv", read_python(&files, false)));
    }
    if let Some(module) = node {
        readers.push(("Node dotenv", read_node(&module, &files)));
    }
    for (peer, reads) in &readers {
        let mut compared = 0;
        for ((file, want), got) in files.iter().zip(&expected).zip(reads) {
            for (key, value) in want {
                compared += 1;
                // python-dotenv keeps a CRLF inside quotes as it is; the others read `\n`.
                let read = got
                    .get(key)
                    .cloned()
                    .flatten()
                    .map(|v| v.replace("\r\n", "\n"));
                assert_eq!(
                    read.as_deref(),
                    Some(value.as_str()),
                    "{peer} read {key} differently in {}:\n{}",
                    file.display(),
                    std::fs::read_to_string(file).unwrap()
                );
            }
        }
        assert!(compared > 1000, "{peer}: only {compared} values compared");
    }
}

/// The `# envmint:` record lines above keys are comments to every reader: the values read back
/// the same, and no reader sees a variable that is not one of the keys.
#[test]
fn record_lines_are_invisible_to_every_reader() {
    use envmint::plan::record::Record;
    let dir = tempfile::tempdir().unwrap();
    let t = |s: &str| envmint::time::parse_instant(s).unwrap();
    let mut doc = Document::parse("# written by envmint\nexport A='x y'\n");
    let mut expected = vec![("A".to_string(), "x y".to_string())];
    for (i, (kind, value)) in values(40).into_iter().enumerate() {
        let key = format!("K_{kind}_{i}").to_uppercase();
        doc.append(&key, &value).unwrap();
        let record = match i % 3 {
            0 => Record::generated(t("2026-11-23T07:00:00Z")),
            1 => Record::set(t("2026-11-23")),
            _ => Record::previous(
                "A",
                &[
                    (t("2026-11-23"), t("2026-11-30")),
                    (t("2026-11-01"), t("2026-11-08")),
                ],
            ),
        };
        doc.set_record(&key, &record.to_string()).unwrap();
        expected.push((key, value));
    }
    doc.set_record("A", "generated=2026-11-23T07:00:00Z stage=pending")
        .unwrap();
    let file = dir.path().join("records.env");
    let text = doc.render();
    assert!(text.matches("# envmint: ").count() > 40);
    std::fs::write(&file, text.as_bytes()).unwrap();
    let keys: Vec<String> = expected.iter().map(|(k, _)| k.clone()).collect();
    assert_peers_read(&file, &expected, Some(&keys));
    let mut seen: Vec<(&str, Values)> = Vec::new();
    if python() {
        seen.push((
            "python-dotenv",
            read_python(std::slice::from_ref(&file), true).remove(0),
        ));
    }
    if let Some(module) = node() {
        seen.push((
            "Node dotenv",
            read_node(&module, std::slice::from_ref(&file)).remove(0),
        ));
    }
    let mut want: Vec<&str> = keys.iter().map(String::as_str).collect();
    want.sort_unstable();
    for (peer, values) in seen {
        let got: Vec<&str> = values.keys().map(String::as_str).collect();
        assert_eq!(got, want, "{peer} saw other variables");
    }
}

/// A file whose values refer to each other as people write them for python-dotenv and
/// compose: `run` and `export` must hand the app what its own loader makes of it.
const INTERPOLATED: &str = "DB_USER=app\nDB_PASSWORD=s3cr3t-Pa55\nDB_HOST=db.internal\n\
    DATABASE_URL=postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:${DB_PORT:-5432}/app\n\
    QUOTED=\"host=${DB_HOST} port=${DB_PORT:-5432}\"\n\
    EMPTY_DEFAULT=${DB_USER:-}x\nTWICE=${DB_USER}${DB_USER}\n\
    NOT_A_REF=$DB_USER and ${DB_USER:x} and $${DB_USER}\n\
    FROM_SHELL=${SHELL_ONLY:-none}\n";

/// python-dotenv's reading of `file` in a clean environment plus `env`: `dotenv_values` when
/// `load` is false, else what `load_dotenv(override=OVERRIDE)` leaves in `os.environ` for the
/// file's keys.
fn python_reads(file: &Path, env: &[(&str, &str)], load: Option<bool>) -> Values {
    let script = "import json, os, sys\nfrom dotenv import dotenv_values, load_dotenv\n\
                  f, mode = sys.argv[1], sys.argv[2]\n\
                  keys = list(dotenv_values(f, interpolate=False))\n\
                  if mode == 'values':\n    out = dotenv_values(f)\n\
                  else:\n    load_dotenv(f, override=(mode == 'override'))\n    \
                  out = {k: os.environ.get(k) for k in keys}\n\
                  sys.stdout.write(json.dumps(out))";
    let mode = match load {
        None => "values",
        Some(true) => "override",
        Some(false) => "load",
    };
    let mut cmd = Command::new("python3");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .args(["-c", script])
        .arg(file)
        .arg(mode);
    serde_json::from_slice(&run(&mut cmd)).expect("python json")
}

/// `envmint run production [--override] -- env -0` in `test`'s project with `env` set, as a
/// map of the file's keys.
fn run_reads(test: common::Test, env: &[(&str, &str)], over: bool, keys: &Values) -> Values {
    let mut test = test;
    for (k, v) in env {
        test = test.env(k, v);
    }
    let mut args = vec!["run", "production"];
    if over {
        args.push("--override");
    }
    args.extend(["--", "env", "-0"]);
    let out = test.args(args).status(0);
    let all: BTreeMap<String, String> = out
        .stdout()
        .split('\0')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    keys.keys()
        .map(|k| (k.clone(), all.get(k).cloned()))
        .collect()
}

fn interpolated_project(text: &str) -> common::Test {
    common::Test::new()
        .write(
            "envmint.toml",
            "[environments.production]\nfile = \".env.production.local\"\n",
        )
        .write(".env.production.local", text)
        .chmod(".env.production.local", 0o600)
}

#[test]
fn run_and_export_expand_references_as_python_dotenv_does() {
    if !python() {
        return;
    }
    // python-dotenv reads its own copy: each project below is gone after its run.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env");
    std::fs::write(&file, INTERPOLATED).unwrap();
    let test = interpolated_project(INTERPOLATED);
    // dotenv_values (the file wins) against run --override and export.
    let theirs = python_reads(&file, &[], None);
    assert_eq!(theirs.len(), 9, "{theirs:?}");
    assert_eq!(
        theirs["DATABASE_URL"].as_deref(),
        Some("postgres://app:s3cr3t-Pa55@db.internal:5432/app")
    );
    let ours = run_reads(test, &[], true, &theirs);
    assert_eq!(ours, theirs, "run --override against dotenv_values");
    let test = interpolated_project(INTERPOLATED);
    let out = test
        .args(["export", "production", "-f", "json", "--all-keys"])
        .status(0);
    let exported: BTreeMap<String, Option<String>> = serde_json::from_str(out.stdout()).unwrap();
    assert_eq!(exported, theirs, "export against dotenv_values");

    // With variables already set in the shell: load_dotenv() lets them win (and run keeps
    // them), load_dotenv(override=True) lets the file win (run --override).
    let shell = [("DB_USER", "from-shell"), ("SHELL_ONLY", "yes")];
    for over in [false, true] {
        let theirs = python_reads(&file, &shell, Some(over));
        assert_eq!(theirs.len(), 9, "{theirs:?}");
        let user = if over { "app" } else { "from-shell" };
        assert!(
            theirs["DATABASE_URL"]
                .as_deref()
                .is_some_and(|url| url.starts_with(&format!("postgres://{user}:"))),
            "{theirs:?}"
        );
        let ours = run_reads(interpolated_project(INTERPOLATED), &shell, over, &theirs);
        assert_eq!(ours, theirs, "run (override: {over}) against load_dotenv");
    }
}

#[test]
fn single_quoted_references_are_where_python_dotenv_and_compose_disagree() {
    // python-dotenv 1.x expands `${A}` even inside single quotes; compose and sh do not. envmint
    // takes compose's side (the table in src/dotenv/mod.rs): pinned here so a change in either
    // is seen.
    if !python() {
        return;
    }
    let text = "A=x\nSINGLE='${A}y'\n";
    let test = interpolated_project(text);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), text).unwrap();
    let theirs = python_reads(&dir.path().join(".env"), &[], None);
    assert_eq!(theirs["SINGLE"].as_deref(), Some("xy"));
    let ours = run_reads(test, &[], true, &theirs);
    assert_eq!(ours["SINGLE"].as_deref(), Some("${A}y"));
}

#[test]
fn fail_export_refuses_a_reference_to_nothing_and_run_names_it() {
    // Export reads no shell variable: a reference the file does not define would reach the
    // app as an empty string. Named when it is a key of the file, never otherwise (the text
    // between the braces may be a piece of a secret).
    let text = "A=${LATER}\nB=ok\nLATER=1\n";
    let out = interpolated_project(text)
        .args(["export", "production", "-f", "json", "--all-keys"])
        .status(65);
    common::assert_stderr_has(
        &out,
        "error: .env.production.local:1: `A` refers to ${LATER}, which is defined below it in \
         the file: its readers would get an empty string there",
    );
    let out = interpolated_project("A=pre${p4ss-w0rd}post\n")
        .args(["export", "production", "-f", "json", "--all-keys"])
        .status(65);
    common::assert_stderr_has(&out, "`A` refers to a variable the file does not define");
    assert!(!out.stderr().contains("p4ss"), "{}", out.describe());
    // run follows python-dotenv (an empty string) and says so on stderr.
    let out = interpolated_project("A=pre${p4ss-w0rd}post\n")
        .args(["run", "production", "--", "printenv", "A"])
        .status(0);
    assert_eq!(out.stdout(), "prepost\n");
    out.stderr_is(str![[r#"
production: `A` refers to a variable that is set nowhere: replaced by an empty string, as python-dotenv does

"#]]);
    assert!(!out.stderr().contains("p4ss"), "{}", out.describe());
    // A reference to a key defined below it is named: a key's name is no secret.
    let out = interpolated_project(text)
        .args(["run", "production", "--", "printenv", "A"])
        .status(0);
    assert_eq!(out.stdout(), "\n");
    out.stderr_is(str![[r#"
production: `A` refers to ${LATER}, which is defined below it in the file: replaced by an empty string, as python-dotenv does

"#]]);
}

/// Values a person kept in a file (any printable ASCII the `password` kind accepts, quoted as
/// the file had them) pass bootstrap, and every overlap form then retires them with `rotate`
/// (exit 0, never 65) into lines every reader reads as the same value.
#[test]
fn kept_values_retire_into_every_overlap_form_and_read_back_alike() {
    const MANIFEST: &str = "[environments.production]\nfile = \".env\"\n\
        [secrets.ONE]\nkind = \"password\"\nlength = 24\noverlap = \"30d\"\n\
        [secrets.NUM]\nkind = \"password\"\nlength = 24\noverlap = \"30d\"\n\
        previous = { numbered = \"NUM_{n}\", keep = 2 }\n\
        [secrets.LIST]\nkind = \"password\"\nlength = 24\noverlap = \"30d\"\n\
        previous = { list = \"LIST_OLD\", separator = \",\", keep = 2 }\n\
        [secrets.SLOT]\nkind = \"password\"\nlength = 24\noverlap = \"30d\"\n\
        previous = { slots = [\"SLOT_B\", \"SLOT_A\"] }\n\
        [secrets.DJANGO]\nalphabet = \"abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)\"\n\
        length = 50\noverlap = \"14d\"\n\
        previous = { list = \"DJANGO_FALLBACKS\", separator = \",\", keep = 2 }\n";
    // (key, the line as a person wrote it, the value every reader sees)
    let kept = [
        (
            "ONE",
            r#"ONE='p4$$w0rd#"q"\x-long-enough'"#,
            r#"p4$$w0rd#"q"\x-long-enough"#,
        ),
        (
            "NUM",
            r#"NUM="it's-a-pa55word#long-enough""#,
            "it's-a-pa55word#long-enough",
        ),
        (
            "LIST",
            "LIST='$(id)`x`#$HOME-long-enough'",
            "$(id)`x`#$HOME-long-enough",
        ),
        (
            "SLOT",
            "export SLOT='a\\b\"c$d#e!f&g*h(i)j-long-enough'",
            "a\\b\"c$d#e!f&g*h(i)j-long-enough",
        ),
        (
            "DJANGO",
            "DJANGO='k$9(x#2!a@c%e^g&i*-_=+)m$q$r#s0t1u2v3w4x5y6z7abcde'",
            "k$9(x#2!a@c%e^g&i*-_=+)m$q$r#s0t1u2v3w4x5y6z7abcde",
        ),
    ];
    let text: String = kept
        .iter()
        .map(|(_, line, _)| format!("{line}\n"))
        .collect();
    let out = common::envmint(["bootstrap", "production"])
        .write("envmint.toml", MANIFEST)
        .write(".env", &text)
        .status(0);
    assert_eq!(out.read(".env"), text, "bootstrap keeps them as they are");
    let out = out
        .then()
        .args(["rotate", "production", "--at", "2030-01-01"])
        .status(0);
    let file = out.path(".env");
    let retired = [
        "ONE_PREVIOUS",
        "NUM_1",
        "LIST_OLD",
        "SLOT_B",
        "DJANGO_FALLBACKS",
    ];
    let mut expected: Vec<(String, String)> = retired
        .iter()
        .zip(&kept)
        .map(|(name, (_, _, value))| (name.to_string(), value.to_string()))
        .collect();
    assert_peers_read(&file, &expected, Some(&retired.map(String::from)));
    // Once more: the numbered and slot forms shift, each list gets the value generated in
    // between in front, and the kept values still read back the same.
    let between = Document::parse(&out.read(".env"));
    let generated = |key: &str| between.get(key).expect("rotated key").to_owned();
    let out = out
        .then()
        .args(["rotate", "production", "--all", "--at", "2030-01-02"])
        .status(0);
    expected[0].1 = generated("ONE"); // one value: the newest retired replaces it
    expected[1].0 = "NUM_2".into();
    expected[3].0 = "SLOT_A".into();
    expected[2].1 = format!("{},{}", generated("LIST"), expected[2].1);
    expected[4].1 = format!("{},{}", generated("DJANGO"), expected[4].1);
    let names: Vec<String> = expected.iter().map(|(k, _)| k.clone()).collect();
    assert_peers_read(&out.path(".env"), &expected, Some(&names));
}

/// What no quoting writes alike (`\\`, a quote beside a `$`) is reported by bootstrap, not
/// kept as valid; a value holding its list's separator too; and `set` refuses the separator,
/// naming the key.
#[test]
fn fail_values_no_form_carries_are_weak_and_a_separator_is_refused_by_set() {
    const MANIFEST: &str = "[environments.production]\nfile = \".env\"\n\
        [secrets.LIST]\nkind = \"password\"\nlength = 24\noverlap = \"30d\"\n\
        previous = { list = \"LIST_OLD\", separator = \",\", keep = 2 }\n\
        [secrets.ONE]\nkind = \"password\"\nlength = 24\noverlap = \"30d\"\n";
    let out = common::envmint(["bootstrap", "production"])
        .write("envmint.toml", MANIFEST)
        .write(
            ".env",
            "LIST=with,comma-long-enough-value\nONE=\"it's $5-long-enough-value\"\n",
        )
        .status(1);
    out.stderr_is(str![[r#"
warning: .env is readable by others (mode 0644); run: chmod 600 .env
using envmint.toml
production: .env (unchanged, all 2 keys present, 2 weak)
  kept      LIST  password  holds the separator of its previous list LIST_OLD, not a 24-character password secret
  kept      ONE   password  holds a `$` some reader would expand (`${`, or `$` beside a single quote), which no quoting makes every dotenv reader and sh read alike, not a 24-character password secret
warning: .env: kept LIST: holds the separator of its previous list LIST_OLD, not a 24-character password secret
warning: .env: kept ONE: holds a `$` some reader would expand (`${`, or `$` beside a single quote), which no quoting makes every dotenv reader and sh read alike, not a 24-character password secret
hint: to replace them with fresh secrets: envmint bootstrap production --replace-weak (then update whatever holds the old value, such as a database's password)

"#]]);
    assert!(!out.stderr().contains("long-enough"), "{}", out.stderr());
    let out = out
        .then()
        .args(["set", "production", "LIST"])
        .stdin("another,comma-long-enough")
        .status(65);
    common::assert_stderr_has(
        &out,
        "the value for `LIST` holds `,`, the separator of its previous list LIST_OLD",
    );
    assert!(!out.stderr().contains("long-enough"), "{}", out.stderr());
}

/// Why the writer refuses what it refuses: each value below, written in the quotes that would
/// otherwise carry it, is read differently by some real reader; `quote_value` refuses them all.
#[test]
fn fail_what_the_writer_refuses_is_read_differently_by_some_reader() {
    let cases = [
        // python-dotenv expands ${NAME} even inside single quotes.
        ("A", "A='a${HOME}b'\n", "a${HOME}b"),
        // python-dotenv unescapes \\ inside single quotes; sh keeps both.
        ("B", "B='a\\\\b'\n", "a\\\\b"),
        // A single quote needs double quotes, where sh expands $NAME.
        ("C", "C=\"it's $HOME\"\n", "it's $HOME"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (key, line, value) in cases {
        assert!(
            envmint::dotenv::quote_value(value).is_err(),
            "{value:?} must be refused"
        );
        let file = dir.path().join(format!("{key}.env"));
        std::fs::write(&file, line).unwrap();
        let mut reads: Vec<Option<String>> = Vec::new();
        if python() {
            reads.push(read_python(std::slice::from_ref(&file), true)[0][key].clone());
        }
        if let Some(module) = node() {
            reads.push(read_node(&module, std::slice::from_ref(&file))[0][key].clone());
        }
        if sh() {
            reads.push(read_sh(&file).get(key).cloned().flatten());
        }
        if reads.len() == 3 {
            assert!(
                reads.iter().any(|r| r.as_deref() != Some(value)),
                "{line:?}: every reader read {value:?}, so the writer need not refuse it"
            );
        }
    }
}
