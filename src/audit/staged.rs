//! What a commit is about to add (`envmint audit --staged`, the commit guard): the staged
//! plaintext env files of declared environments, plan files, identity files, the lists of
//! docker-secrets export folders, and any staged file holding a stored value (the automaton of
//! [`super::files::value_matcher`], over each staged blob). Sealed stores are meant to be
//! committed and are not looked at.
//!
//! The staged files are listed by `git diff --cached --raw` (added, copied, modified, renamed
//! or retyped; not deletions) and read by one `git cat-file --batch`, both in the index git
//! names (a hook's `GIT_INDEX_FILE`, as `git commit -a` or `git commit PATH` use their own), so
//! what is checked is what the commit will hold, not the work tree. A finding names the file and
//! why, never a value.

use super::error::AuditError;
use super::files::ValueMatcher;
use super::fix::Fix;
use super::{Check, Finding, Severity};
use crate::error::{Error, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// One staged file: its path from the root of the work tree and its blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StagedFile {
    /// The path, relative to the root.
    pub path: PathBuf,
    /// The blob's object name (hex).
    pub blob: String,
}

/// What makes a staged file a finding beyond its content.
#[derive(Default)]
pub struct Rules<'a> {
    /// The plaintext env files of declared environments (relative to the root), with the
    /// environment's name.
    pub plaintext: Vec<(PathBuf, String)>,
    /// The sealed stores (relative to the root): never findings.
    pub sealed: Vec<PathBuf>,
    /// Every stored value (from [`super::files::value_matcher`]); `None` when none is known.
    pub values: Option<&'a ValueMatcher>,
}

/// A git command in `root` reading the index `index` when given (else git's own).
fn git(root: &Path, index: Option<&Path>) -> std::process::Command {
    let mut cmd = super::git::git(root);
    if let Some(index) = index {
        cmd.env("GIT_INDEX_FILE", index);
    }
    cmd
}

fn failed(command: &'static str, detail: impl std::fmt::Display) -> Error {
    AuditError::Git {
        command,
        detail: detail.to_string(),
    }
    .into()
}

/// The files staged in `root`'s index (`index`: the index file a hook was given).
///
/// # Errors
///
/// git cannot be run or fails (not a repository).
pub fn staged(root: &Path, index: Option<&Path>) -> Result<Vec<StagedFile>> {
    let out = git(root, index)
        .args([
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--diff-filter=ACMRT",
            "--no-ext-diff",
        ])
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| failed("git diff --cached", e))?;
    if !out.status.success() {
        return Err(failed("git diff --cached", out.status));
    }
    // `:old new oldsha newsha status\0path\0`, repeated.
    let mut files = Vec::new();
    let mut parts = out.stdout.split(|&b| b == 0);
    while let Some(meta) = parts.next() {
        if meta.is_empty() {
            continue;
        }
        let Some(path) = parts.next() else { break };
        let meta = String::from_utf8_lossy(meta);
        let fields: Vec<&str> = meta.split_ascii_whitespace().collect();
        // A submodule (mode 160000) has no blob to read.
        if fields.len() < 5 || fields[1] == "160000" {
            continue;
        }
        use std::os::unix::ffi::OsStrExt;
        files.push(StagedFile {
            path: PathBuf::from(std::ffi::OsStr::from_bytes(path)),
            blob: fields[3].to_string(),
        });
    }
    Ok(files)
}

/// The findings for `files` (from [`staged`]) under `rules`: one per file at most, its path
/// joined to `root`.
///
/// # Errors
///
/// `git cat-file` cannot be run or breaks off.
pub fn check_staged(root: &Path, files: &[StagedFile], rules: &Rules<'_>) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    let mut to_read = Vec::new();
    for file in files {
        if rules.sealed.contains(&file.path) {
            continue;
        }
        if let Some((_, env)) = rules.plaintext.iter().find(|(p, _)| *p == file.path) {
            out.push(finding(
                root,
                &file.path,
                format!("the plaintext env file of `{env}` is staged for commit"),
            ));
            continue;
        }
        if file.path.file_name() == Some(std::ffi::OsStr::new(crate::export::folder::MARKER)) {
            out.push(finding(
                root,
                &file.path,
                "the list of an envmint export folder is staged: the folder holds secret values"
                    .into(),
            ));
            continue;
        }
        to_read.push(file);
    }
    if to_read.is_empty() {
        return Ok(out);
    }
    let mut child = super::git::git(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| failed("git cat-file", e))?;
    let mut stdin = child.stdin.take().expect("piped");
    let names: Vec<String> = to_read.iter().map(|f| f.blob.clone()).collect();
    // Written from a thread: git answers while it reads, and a full pipe both ways would stall.
    let writer = std::thread::spawn(move || {
        for name in names {
            if writeln!(stdin, "{name}").is_err() {
                break;
            }
        }
    });
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    let mut header = String::new();
    for file in &to_read {
        header.clear();
        if reader
            .read_line(&mut header)
            .map_err(|e| failed("git cat-file", e))?
            == 0
        {
            return Err(failed("git cat-file", "it stopped early"));
        }
        let size: Option<usize> = header
            .split_ascii_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok());
        let Some(size) = size else { continue };
        let mut blob = zeroize::Zeroizing::new(vec![0u8; size + 1]);
        reader
            .read_exact(&mut blob)
            .map_err(|e| failed("git cat-file", e))?;
        blob.truncate(size);
        if let Some(why) = why_refused(&blob, rules) {
            out.push(finding(root, &file.path, why.into()));
        }
    }
    drop(reader);
    let _ = writer.join();
    let _ = child.wait();
    Ok(out)
}

/// Why a staged file's bytes must not be committed, if they must not.
fn why_refused(bytes: &[u8], rules: &Rules<'_>) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(super::files::SCAN_PREFIX)];
    if crate::plan::file::looks_like_plan(head) {
        return Some("a saved plan is staged: it holds the new values");
    }
    if let Some(why) = private_key(bytes).or_else(|| encoded_private_key(bytes)) {
        return Some(why);
    }
    let holds = |m: &super::files::ValueMatcher| {
        // A base64 or hex copy of a file is wrapped in lines (`base64` at 76 columns, `xxd -p`
        // at 60): a value's encoding may be cut by a line break, so look at it unwrapped too.
        m.holds(bytes) || encoded_text(bytes).is_some_and(|joined| m.holds(&joined))
    };
    if rules.values.is_some_and(holds) {
        return Some("the staged file holds a value stored in envmint");
    }
    None
}

/// Whether `bytes` hold a private key, and which kind: an age identity (X25519 or a plugin's),
/// an OpenSSH, PKCS#1, SEC1, PKCS#8 (encrypted or not) or PGP private key in PEM form, or a
/// passphrase-encrypted age file (`age -p`, how a protected identity file is kept).
fn private_key(bytes: &[u8]) -> Option<&'static str> {
    use memchr::memmem::{find, find_iter};
    let age = |b: &[u8]| age_key(b, b"AGE-SECRET-KEY-1") || age_key(b, b"AGE-PLUGIN-");
    // bech32 is read in either case: an identity written in lower case is the same key.
    let lower = || {
        memchr::memmem::find(bytes, b"age-secret-key-1").is_some()
            || memchr::memmem::find(bytes, b"age-plugin-").is_some()
    };
    if age(bytes) || (lower() && age(&zeroize::Zeroizing::new(bytes.to_ascii_uppercase()))) {
        return Some("an age identity file (a private key) is staged");
    }
    for at in find_iter(bytes, b"-----BEGIN ") {
        let line = &bytes[at..];
        let line = &line[..memchr::memchr(b'\n', line).unwrap_or(line.len()).min(80)];
        if find(line, b"PRIVATE KEY").is_some() {
            return Some("a private key (PEM) is staged");
        }
    }
    if bytes.starts_with(b"age-encryption.org/v1\n-> scrypt ") {
        return Some(
            "a passphrase-encrypted age file is staged: a protected identity file, or secrets \
             sealed with a passphrase",
        );
    }
    None
}

/// [`private_key`] of `bytes` decoded, when they are a base64 copy of a whole file (either
/// alphabet, wrapped or not: `base64 key.txt`), as a CI secret is often kept.
fn encoded_private_key(bytes: &[u8]) -> Option<&'static str> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let joined = encoded_text(bytes).or_else(|| {
        // One line with no break (`base64 -w0`) has no white space to tell it by.
        let text = bytes.trim_ascii();
        (text.len() >= 24
            && text
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(b)))
        .then(|| text.to_vec())
    })?;
    let joined = zeroize::Zeroizing::new(joined);
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(&*joined).ok())
        .map(zeroize::Zeroizing::new)
        .and_then(|decoded| private_key(&decoded))
}

/// Whether `bytes` hold an age secret key starting with `prefix`: `AGE-SECRET-KEY-1` and 20 or
/// more bech32 characters, or `AGE-PLUGIN-NAME-1` and as many (a word in a text such as
/// `AGE-PLUGIN-YUBIKEY-1...` is no key).
fn age_key(bytes: &[u8], prefix: &[u8]) -> bool {
    const BECH32: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
    memchr::memmem::find_iter(bytes, prefix).any(|at| {
        let rest = &bytes[at + prefix.len()..];
        let rest = match prefix.strip_suffix(b"-1") {
            Some(_) => rest,
            // A plugin's name and `-1` first.
            None => {
                let word = rest
                    .iter()
                    .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'-')
                    .count();
                match memchr::memmem::rfind(&rest[..word], b"-1") {
                    Some(one) => &rest[one + 2..],
                    None => return false,
                }
            }
        };
        rest.iter().take_while(|b| BECH32.contains(b)).count() >= 20
    })
}

/// `bytes` without line breaks and blanks when they are nothing but base64 or hex text (a
/// whole file encoded), else `None`.
fn encoded_text(bytes: &[u8]) -> Option<Vec<u8>> {
    let encoded = |b: &u8| b.is_ascii_alphanumeric() || b"+/=-_".contains(b);
    if !bytes.iter().any(|b| b.is_ascii_whitespace())
        || !bytes.iter().all(|b| encoded(b) || b.is_ascii_whitespace())
    {
        return None;
    }
    Some(bytes.iter().copied().filter(encoded).collect())
}

fn finding(root: &Path, path: &Path, message: String) -> Finding {
    Finding::new(Severity::Error, Check::Staged, message)
        .path(root.join(path))
        .fix(Fix::Unstage { path })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGE_KEY: &str =
        "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQ";

    #[test]
    fn plans_identities_and_values_are_refused_by_content() {
        let m = super::super::files::value_matcher(["s3cr3t-value-123"]).unwrap();
        let rules = Rules {
            values: Some(&m),
            ..Rules::default()
        };
        assert!(why_refused(b"{\"envmint_plan\": 1}", &rules).is_some());
        assert!(why_refused(format!("# key\n{AGE_KEY}\n").as_bytes(), &rules).is_some());
        // The words of a text about keys are no key.
        assert!(why_refused(b"put AGE-SECRET-KEY-1... in key.txt", &rules).is_none());
        assert!(why_refused(b"AGE-PLUGIN-YUBIKEY-1... identities", &rules).is_none());
        assert!(why_refused(b"const k = 's3cr3t-value-123';", &rules).is_some());
        assert!(why_refused(b"nothing to see", &rules).is_none());
    }

    #[test]
    fn an_age_key_in_lower_case_or_base64_is_refused() {
        use base64::Engine;
        let rules = Rules::default();
        let lower = AGE_KEY.to_ascii_lowercase();
        assert!(why_refused(format!("# key\n{lower}\n").as_bytes(), &rules).is_some());
        assert!(why_refused(b"put age-secret-key-1... in key.txt", &rules).is_none());
        let file = format!("# created: 2026-12-07\n# public key: age1xyz\n{AGE_KEY}\n");
        let encoded = base64::engine::general_purpose::STANDARD.encode(&file);
        let wrapped: Vec<u8> = encoded
            .as_bytes()
            .chunks(76)
            .flat_map(|c| c.iter().copied().chain(*b"\n"))
            .collect();
        assert!(why_refused(&wrapped, &rules).is_some());
        assert!(why_refused(encoded.as_bytes(), &rules).is_some());
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&file);
        assert!(why_refused(url.as_bytes(), &rules).is_some());
        let other = base64::engine::general_purpose::STANDARD.encode("no key in here at all");
        assert!(why_refused(other.as_bytes(), &rules).is_none());
    }

    #[test]
    fn every_kind_of_private_key_is_refused() {
        let rules = Rules::default();
        for key in [
            &b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n"[..],
            b"-----BEGIN PRIVATE KEY-----\nMIIEvQ\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIEpA\n",
            b"-----BEGIN EC PRIVATE KEY-----\nMHcC\n",
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n",
            b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ\n",
            b"AGE-PLUGIN-YUBIKEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQ\n",
            b"age-encryption.org/v1\n-> scrypt c2FsdA 18\nbody\n",
        ] {
            assert!(
                why_refused(key, &rules).is_some(),
                "{}",
                String::from_utf8_lossy(key)
            );
        }
        for public in [
            &b"-----BEGIN PUBLIC KEY-----\nMIIB\n"[..],
            b"-----BEGIN CERTIFICATE-----\nMIID\n",
            b"age-encryption.org/v1\n-> X25519 abc\nbody\n",
        ] {
            assert!(why_refused(public, &rules).is_none());
        }
    }

    #[test]
    fn a_base64_or_hex_copy_of_an_env_file_is_refused() {
        use base64::Engine;
        let value = "Zq8-sessi0n-s3cret-value";
        let m = super::super::files::value_matcher([value]).unwrap();
        let rules = Rules {
            values: Some(&m),
            ..Rules::default()
        };
        // The value at every offset modulo 3, in a file encoded whole and wrapped as
        // `base64` wraps (76 columns), in both alphabets; and in hex, as `xxd -p` writes it.
        for pad in ["", "A", "AB", "ABC=1\n"] {
            let env = format!("# app\n{pad}SESSION_SECRET={value}\nDEBUG=0\n");
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
            ] {
                let encoded = engine.encode(&env);
                for width in [76, 64, 7] {
                    let wrapped: Vec<u8> = encoded
                        .as_bytes()
                        .chunks(width)
                        .flat_map(|c| c.iter().copied().chain(*b"\n"))
                        .collect();
                    assert!(why_refused(&wrapped, &rules).is_some(), "{pad:?} {width}");
                }
            }
            let hex: Vec<u8> = hex::encode(&env)
                .as_bytes()
                .chunks(60)
                .flat_map(|c| c.iter().copied().chain(*b"\n"))
                .collect();
            assert!(why_refused(&hex, &rules).is_some(), "{pad:?} hex");
            assert!(why_refused(hex::encode_upper(&env).as_bytes(), &rules).is_some());
        }
        let other =
            base64::engine::general_purpose::STANDARD.encode("SESSION_SECRET=another-value-9");
        assert!(why_refused(other.as_bytes(), &rules).is_none());
    }
}
