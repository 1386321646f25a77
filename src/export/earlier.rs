//! Whether a file that `export -o` would replace is an earlier export: `-o` replaces only an
//! earlier export or an empty file, as `plan -o` replaces only an earlier plan, so that
//! `export -o README.md` (or a path a script got wrong) never destroys a file.
//!
//! Recognised by content, never by a marker added to the output: each format stays exactly
//! what its reader expects (a JSON object of key to value has no room for one, and docker's,
//! kubectl's and a shell's readers are tested on the bytes), and exports written before this
//! rule are recognised too. A file is an earlier export of `format` when it reads entirely as
//! that format and every key in it is a key `known` accepts (the caller's: a key of the
//! environment's file or one the manifest manages there):
//!
//! | format | the file |
//! | --- | --- |
//! | `dotenv`, `docker-env` | blank lines, `#` comments, and `KEY=...` (or `export KEY=...`) lines only |
//! | `shell` | `export KEY='...'` items only, quotes as envmint writes them (`'\''`) |
//! | `json` | one JSON object |
//! | `k8s` | starts `apiVersion: v1` then `kind: Secret` |
//!
//! Whitespace only (an empty file, as `mktemp` makes) counts too. The values are never looked
//! at: the check holds whatever they became since (a rotation).

use super::Format;
use std::collections::BTreeMap;

/// Whether `bytes`, the current content of an `-o` target, is an earlier export in `format`
/// (see the module docs). `known` says whether a key belongs to the environment.
pub fn is_earlier_export(format: Format, bytes: &[u8], known: &dyn Fn(&str) -> bool) -> bool {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return true;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    match format {
        Format::Dotenv | Format::DockerEnv => text.lines().all(|line| {
            let line = line.trim_start();
            line.is_empty()
                || line.starts_with('#')
                || key_of(line.strip_prefix("export ").unwrap_or(line)).is_some_and(known)
        }),
        Format::Shell => shell_keys(text).is_some_and(|keys| keys.into_iter().all(known)),
        Format::Json => serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(text)
            .is_ok_and(|map| map.keys().all(|k| known(k))),
        Format::K8s => text.starts_with("apiVersion: v1\nkind: Secret\n"),
        // A folder, with its own list (`folder::MARKER`); never a file.
        Format::DockerSecrets => false,
    }
}

/// The key of a `KEY=value` line: the text before the first `=`, trimmed, when it is a key
/// dotenv readers accept.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim_end();
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    ok.then_some(key)
}

/// The keys of a text made only of `export KEY='value'` items as [`super::shell`] writes them
/// (a value may span lines; a quote in it is `'\''`), `None` for anything else.
fn shell_keys(text: &str) -> Option<Vec<&str>> {
    let mut keys = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches('\n');
        if rest.is_empty() {
            return Some(keys);
        }
        rest = rest.strip_prefix("export ")?;
        let eq = rest.find("='")?;
        let key = &rest[..eq];
        if !crate::dotenv::is_valid_key(key) {
            return None;
        }
        keys.push(key);
        rest = &rest[eq + 2..];
        loop {
            let quote = rest.find('\'')?;
            rest = &rest[quote + 1..];
            match rest.strip_prefix("\\''") {
                Some(after) => rest = after,
                None => break,
            }
        }
        if !rest.is_empty() {
            rest = rest.strip_prefix('\n')?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, is_earlier_export};
    use crate::export::{Entry, K8sMeta, render};

    const ENTRIES: &[Entry<'static>] = &[
        Entry {
            key: "A",
            value: "it's\nmulti 'line'",
        },
        Entry {
            key: "B_PREVIOUS",
            value: "x",
        },
    ];

    fn known(key: &str) -> bool {
        ["A", "B_PREVIOUS", "C"].contains(&key)
    }

    #[test]
    fn what_each_format_renders_is_recognised() {
        let meta = K8sMeta {
            name: "app",
            default_name: false,
            namespace: None,
        };
        for format in [Format::Json, Format::Shell, Format::K8s] {
            let bytes = render(format, ENTRIES, &meta).unwrap();
            assert!(is_earlier_export(format, &bytes, &known), "{format:?}");
        }
        let plain = &ENTRIES[1..];
        for format in [Format::Dotenv, Format::DockerEnv] {
            let bytes = render(format, plain, &meta).unwrap();
            assert!(is_earlier_export(format, &bytes, &known), "{format:?}");
        }
        for empty in ["", "\n", "  \n\t"] {
            assert!(is_earlier_export(Format::Json, empty.as_bytes(), &known));
        }
    }

    #[test]
    fn other_files_are_not() {
        let readme = b"# My app\n\nRun it with `make`.\n";
        let pkg = br#"{"name": "app", "version": "1.0.0"}"#;
        let other_env = b"A=1\nDATABASE_URL=postgres://x\n";
        for format in [
            Format::Dotenv,
            Format::DockerEnv,
            Format::Shell,
            Format::Json,
            Format::K8s,
        ] {
            for bytes in [&readme[..], &pkg[..], &other_env[..], b"\xff\xfe"] {
                assert!(
                    !is_earlier_export(format, bytes, &known),
                    "{format:?}: {}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
        // A script that is not only export lines.
        assert!(!is_earlier_export(
            Format::Shell,
            b"export A='x'\nrm -rf /\n",
            &known
        ));
        assert!(!is_earlier_export(Format::Shell, b"export A='x", &known));
        // A JSON array, a Deployment.
        assert!(!is_earlier_export(Format::Json, b"[\"A\"]", &known));
        assert!(!is_earlier_export(
            Format::K8s,
            b"apiVersion: apps/v1\nkind: Deployment\n",
            &known
        ));
    }
}
