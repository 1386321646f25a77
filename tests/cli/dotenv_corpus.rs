//! Every corpus file round-trips byte for byte; a `set` changes only that key's lines; an
//! `append` keeps the original bytes as a prefix; random sequences of edits keep every line
//! they do not touch byte for byte (checked against the model in `dotenv_model`).

use envmint::dotenv::{Document, EditError, is_valid_key};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::fs;
use std::path::PathBuf;

use crate::dotenv_model;
use dotenv_model::{Model, Op, Shape, apply, random_op};

fn corpus() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dotenv");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "env"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 20, "corpus has {} files", files.len());
    files
}

/// Lines with their terminators (`\n`, `\r\n` or a lone `\r`).
fn lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < b.len() {
        let end = match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => i + 2,
            b'\r' | b'\n' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        out.push(&text[start..end]);
        (start, i) = (end, end);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The most common line terminator, `\n` on a tie or when there is none.
fn dominant_ending(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    let cr = text.matches('\r').count() - crlf;
    if crlf > lf && crlf >= cr {
        "\r\n"
    } else if cr > lf && cr > crlf {
        "\r"
    } else {
        "\n"
    }
}

#[test]
fn every_file_round_trips() {
    for (name, text) in corpus() {
        let doc = Document::parse(&text);
        assert_eq!(doc.render().as_str(), text, "{name}");
    }
}

#[test]
fn set_changes_only_that_keys_lines() {
    let mut edits = 0;
    for (name, text) in corpus() {
        let before = Document::parse(&text);
        for key in before.keys() {
            if !is_valid_key(key) || before.get(key).is_none() {
                continue;
            }
            let mut doc = Document::parse(&text);
            match doc.set(key, "NEW-value_1") {
                Ok(()) => {}
                Err(EditError::UnterminatedQuote { .. }) => continue,
                Err(e) => panic!("{name}: set {key}: {e:?}"),
            }
            edits += 1;
            let after = doc.render();
            let (old, new) = (lines(&text), lines(&after));
            let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
            let suffix = old[prefix..]
                .iter()
                .rev()
                .zip(new[prefix..].iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let removed = &old[prefix..old.len() - suffix];
            let added = &new[prefix..new.len() - suffix];
            assert_eq!(added.len(), 1, "{name}: {key}: one line replaces the entry");
            assert!(!removed.is_empty(), "{name}: {key}");
            let head = removed[0].trim_start_matches('\u{feff}').trim_start();
            let head = match head.strip_prefix("export") {
                Some(rest) if rest.starts_with([' ', '\t']) => rest.trim_start(),
                _ => head,
            };
            assert!(
                head.starts_with(key),
                "{name}: {key}: edited the wrong line"
            );
            assert!(added[0].contains("NEW-value_1"), "{name}: {key}");

            let reread = Document::parse(&after);
            assert_eq!(reread.get(key), Some("NEW-value_1"), "{name}: {key}");
            for other in before.keys() {
                if other != key {
                    assert_eq!(
                        reread.get(other),
                        before.get(other),
                        "{name}: {key} vs {other}"
                    );
                }
            }
        }
    }
    assert!(edits > 80, "only {edits} edits were tried");
}

#[test]
fn append_keeps_the_original_as_a_prefix() {
    for (name, text) in corpus() {
        let mut doc = Document::parse(&text);
        match doc.append("ENVMINT_APPENDED", "a#b") {
            Ok(()) => {}
            Err(EditError::UnterminatedQuote { line }) => {
                assert!(name.starts_with("unterminated"), "{name}: line {line}");
                assert_eq!(
                    doc.render().as_str(),
                    text,
                    "{name}: refused edits change nothing"
                );
                continue;
            }
            Err(e) => panic!("{name}: {e:?}"),
        }
        let after = doc.render();
        let eol = dominant_ending(&text);
        let mut expected = text.clone();
        if !expected.is_empty() && !expected.ends_with(['\n', '\r']) {
            expected.push_str(eol);
        }
        expected.push_str("ENVMINT_APPENDED='a#b'");
        expected.push_str(eol);
        assert_eq!(after.as_str(), expected, "{name}");
        let reread = Document::parse(&after);
        assert_eq!(reread.get("ENVMINT_APPENDED"), Some("a#b"), "{name}");
    }
}

#[test]
fn warnings_point_at_the_unreadable_lines() {
    let files = corpus();
    let get = |n: &str| &files.iter().find(|(name, _)| name == n).unwrap().1;
    let doc = Document::parse(get("unparsable.env"));
    let lines: Vec<usize> = doc.warnings().iter().map(|w| w.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6, 7, 8, 9]);
    assert_eq!(doc.get("GOOD2"), Some("2"));
    assert!(doc.contains_key("JUNK_AFTER") && doc.get("JUNK_AFTER").is_none());

    let doc = Document::parse(get("unterminated.env"));
    assert_eq!(doc.warnings().len(), 1);
    assert_eq!(doc.warnings()[0].line, 2);
    assert_eq!(doc.get("AFTER"), Some("2"));
    assert_eq!(doc.get("ALSO_AFTER"), Some("fine"));

    let doc = Document::parse(get("duplicates.env"));
    assert_eq!(doc.get("KEY"), Some("third"));
    assert_eq!(doc.warnings().len(), 3);
}

/// Property: any sequence of set, replace_value, insert_after, remove, set_record and append on
/// corpus-like documents (LF/CRLF, BOM, comments, records, export, quotes, multi-line values,
/// duplicates, unreadable lines, an unterminated quote, no final line ending) renders as the
/// model's blocks: untouched lines byte for byte, edited ones reading the intended value, with
/// the model's line numbers and records; a refused edit changes nothing.
#[test]
fn random_edits_keep_every_untouched_line_byte_for_byte() {
    let values: Vec<String> = ["", "plain", "a#b", "x/y=+", "~!*", "é€", "0123456789abcdef"]
        .map(str::to_owned)
        .to_vec();
    let mut rng = ChaCha20Rng::seed_from_u64(0x7_2026);
    let mut accepted = [0usize; 6];
    for case in 0..3000 {
        let mut model = Model::random(&mut rng, Shape { peer_safe: false });
        let text = model.text();
        let mut doc = Document::parse(&text);
        model.check(&doc, &format!("case {case}: {text:?}"));
        let mut ops = Vec::new();
        for _ in 0..rng.random_range(1..12) {
            let op = random_op(&mut rng, &values);
            ops.push(op.clone());
            let before = doc.render();
            let want = model.apply(&op);
            let got = apply(&mut doc, &op);
            let context = format!("case {case}: {text:?} after {ops:?}");
            assert_eq!(got, want, "{context}: accepted");
            if got {
                accepted[op_index(&op)] += 1;
            } else {
                assert_eq!(
                    doc.render(),
                    before,
                    "{context}: refused edits change nothing"
                );
            }
            model.check(&doc, &context);
        }
    }
    assert!(
        accepted.iter().all(|&n| n > 300),
        "accepted per kind: {accepted:?}"
    );
}

fn op_index(op: &Op) -> usize {
    match op {
        Op::Set(..) => 0,
        Op::Replace(..) => 1,
        Op::InsertAfter(..) => 2,
        Op::Remove(..) => 3,
        Op::SetRecord(..) => 4,
        Op::Append(..) => 5,
    }
}
