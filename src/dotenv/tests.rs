//! Tests of the document as a whole: round trips, edits, refusals, secrecy of Debug/errors.

use super::*;

fn doc(text: &str) -> Document {
    let d = Document::parse(text);
    assert_eq!(d.render().as_str(), text, "round trip");
    d
}

#[test]
fn valid_keys() {
    for k in ["A", "_", "a_1", "DATABASE_URL", "_9"] {
        assert!(is_valid_key(k), "{k}");
    }
}

#[test]
fn fail_invalid_keys() {
    for k in ["", "1A", "A-B", "a.b", "A B", "É", "A=", "export A"] {
        assert!(!is_valid_key(k), "{k}");
    }
}

#[test]
fn round_trips_odd_inputs() {
    for text in [
        "",
        "\n",
        "\r\n\r\n",
        "\u{feff}A=1\n",
        "\u{feff}",
        "A=1",
        "# only a comment",
        "A='x\ny'",
        "junk line\nA=\"unterminated\n",
        "A=1\rB=2\r\nC=3\n",
        "  export   A = 'b' # c \t\n",
    ] {
        doc(text);
    }
}

#[test]
fn get_keys_and_last_one_wins() {
    let d = doc("# c\nA=1\nexport B='two'\nA=3\n\nC=\"x y\"\n");
    assert_eq!(d.get("A"), Some("3"));
    assert_eq!(d.get("B"), Some("two"));
    assert_eq!(d.get("C"), Some("x y"));
    assert_eq!(d.get("D"), None);
    assert_eq!(d.keys(), ["A", "B", "C"]);
    assert_eq!(d.warnings().len(), 1);
    assert_eq!(d.warnings()[0].line, 4);
    assert!(
        d.warnings()[0].message.contains("line 2"),
        "{:?}",
        d.warnings()
    );
}

#[test]
fn bom_is_kept_and_first_key_read() {
    let d = doc("\u{feff}A=1\r\n");
    assert_eq!(d.get("A"), Some("1"));
}

#[test]
fn a_trailing_backslash_is_a_warning_and_appends_leave_a_blank_line() {
    let mut d = doc("X=abc\\\nY=1\\\n");
    let w: Vec<(usize, &str)> = d
        .warnings()
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        [
            (
                1,
                "the value of `X` ends with a backslash: sh reads the next line as part of it \
                 (python-dotenv and Node do not)"
            ),
            (
                2,
                "the value of `Y` ends with a backslash: sh reads the next line as part of it \
                 (python-dotenv and Node do not)"
            )
        ]
    );
    d.append("A", "v").unwrap();
    assert_eq!(d.render().as_str(), "X=abc\\\nY=1\\\n\nA=v\n");
    d.append("B", "w").unwrap();
    assert_eq!(d.render().as_str(), "X=abc\\\nY=1\\\n\nA=v\nB=w\n");
    // Two backslashes, quotes, a comment or a blank after it: no continuation.
    for text in [
        "X=abc\\\\\n",
        "X=\"abc\\\\\"\n",
        "X=abc\\ # c\n",
        "X=abc\\ \n",
        "# c \\\n",
    ] {
        let mut d = doc(text);
        assert!(d.warnings().is_empty(), "{text:?}: {:?}", d.warnings());
        d.append("A", "v").unwrap();
        assert_eq!(d.render().as_str(), format!("{text}A=v\n"), "{text:?}");
    }
}

#[test]
fn a_bom_before_a_key_is_a_warning() {
    let d = doc("\u{feff}A=1\nB=\u{0}\n");
    let w: Vec<(usize, &str)> = d
        .warnings()
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(
        w[0],
        (
            1,
            "the file starts with a byte order mark (U+FEFF): python-dotenv reads `A` as another \
             name and sh does not read the line; save the file as UTF-8 without BOM"
        )
    );
    // Before a comment, or without a BOM, nothing to say.
    assert!(doc("\u{feff}# c\nA=1\n").warnings().is_empty());
    assert!(doc("A=1\n").warnings().is_empty());
}

#[test]
fn set_replaces_only_the_value() {
    let mut d = doc("# head\n  export A = old # note\nB=2\n");
    d.set("A", "new").unwrap();
    assert_eq!(
        d.render().as_str(),
        "# head\n  export A = new # note\nB=2\n"
    );
    d.set("A", "n#w").unwrap();
    assert_eq!(
        d.render().as_str(),
        "# head\n  export A = 'n#w' # note\nB=2\n"
    );
    assert_eq!(d.get("A"), Some("n#w"));
}

#[test]
fn set_keeps_crlf_and_replaces_the_last_definition() {
    let mut d = doc("A=1\r\nA=2\r\nB=3");
    d.set("A", "x").unwrap();
    assert_eq!(d.render().as_str(), "A=1\r\nA=x\r\nB=3");
    d.set("B", "y").unwrap();
    assert_eq!(d.render().as_str(), "A=1\r\nA=x\r\nB=y");
}

#[test]
fn set_collapses_a_multiline_value_and_separates_a_glued_comment() {
    let mut d = doc("A=\"l1\nl2\"#c\nB=1\n");
    d.set("A", "v").unwrap();
    assert_eq!(d.render().as_str(), "A=v #c\nB=1\n");
    d.set("C", "3").unwrap();
    assert_eq!(d.render().as_str(), "A=v #c\nB=1\nC=3\n");
    assert_eq!(Document::parse(&d.render()).get("A"), Some("v"));
}

#[test]
fn append_uses_the_dominant_ending_and_ends_the_last_line() {
    let mut d = doc("A=1\r\nB=2\r\n# tail");
    d.append("C", "3").unwrap();
    assert_eq!(d.render().as_str(), "A=1\r\nB=2\r\n# tail\r\nC=3\r\n");
    let mut d = doc("");
    d.append("A", "a b".replace(' ', "~").as_str()).unwrap();
    assert_eq!(d.render().as_str(), "A='a~b'\n");
    assert_eq!(d.get("A"), Some("a~b"));
    let mut d = doc("\u{feff}");
    d.append("A", "1").unwrap();
    assert_eq!(d.render().as_str(), "\u{feff}A=1\n");
}

#[test]
fn fail_append_of_an_existing_key() {
    let mut d = doc("A=1\n");
    let e = d.append("A", "2").unwrap_err();
    assert_eq!(
        e,
        EditError::KeyExists {
            key: "A".into(),
            line: 1
        }
    );
    assert_eq!(e.line(), Some(1));
    assert_eq!(d.render().as_str(), "A=1\n");
}

#[test]
fn fail_edits_of_a_key_on_an_unparsable_line() {
    for text in ["X=1\nA='a' junk\n", "X=1\nA=\"never closed\n"] {
        let mut d = doc(text);
        assert!(d.contains_key("A"), "{text:?}");
        assert_eq!(d.get("A"), None);
        assert_eq!(d.broken_line("A"), Some(2));
        for e in [
            d.set("A", "v").unwrap_err(),
            d.append("A", "v").unwrap_err(),
        ] {
            assert_eq!(
                e,
                EditError::KeyOnUnparsableLine {
                    key: "A".into(),
                    line: 2
                }
            );
        }
        assert_eq!(d.render().as_str(), text);
        assert!(
            d.warnings().iter().any(|w| w.line == 2),
            "{:?}",
            d.warnings()
        );
    }
}

#[test]
fn words_without_equals_are_not_keys() {
    let mut d = doc("A\nexport B\nC: c\n");
    assert_eq!(d.keys(), Vec::<&str>::new());
    assert_eq!(d.warnings().len(), 3);
    assert!(!d.warnings()[0].message.contains('A'), "{:?}", d.warnings());
    // Every reader lets a later definition win over these lines, so appending is safe.
    d.append("A", "1").unwrap();
    assert_eq!(d.render().as_str(), "A\nexport B\nC: c\nA=1\n");
}

#[test]
fn a_readable_definition_after_a_broken_one_is_read() {
    let d = doc("A='a' junk\nA=b\n");
    assert_eq!(d.get("A"), Some("b"));
    let d = doc("A=b\nA='a' junk\n");
    assert_eq!(d.get("A"), None);
}

#[test]
fn fail_writes_after_an_unterminated_quote() {
    let mut d = doc("A=1\nB='open\nC=3\n");
    assert_eq!(d.get("C"), Some("3"));
    assert_eq!(d.warnings()[0].line, 2);
    assert_eq!(
        d.set("C", "x"),
        Err(EditError::UnterminatedQuote { line: 2 })
    );
    assert_eq!(
        d.set("D", "x"),
        Err(EditError::UnterminatedQuote { line: 2 })
    );
    assert_eq!(
        d.append("D", "x"),
        Err(EditError::UnterminatedQuote { line: 2 })
    );
    d.set("A", "ok").unwrap();
    assert_eq!(d.render().as_str(), "A=ok\nB='open\nC=3\n");
}

#[test]
fn fail_invalid_keys_and_unsafe_values_leave_the_document_unchanged() {
    let mut d = doc("A=1\n");
    assert!(matches!(
        d.set("1A", "v"),
        Err(EditError::InvalidKey { .. })
    ));
    assert!(matches!(
        d.append("a.b", "v"),
        Err(EditError::InvalidKey { .. })
    ));
    let e = d.set("A", "x${y}").unwrap_err();
    assert_eq!(
        e,
        EditError::UnsafeValue {
            key: "A".into(),
            char: UnsafeChar::Dollar
        }
    );
    assert_eq!(e.line(), None);
    assert_eq!(d.render().as_str(), "A=1\n");
}

#[test]
fn secrets_never_show_in_debug_errors_or_warnings() {
    let secret = "hunter2secret";
    let mut d = doc(&format!(
        "A={secret}\nB='{secret}' {secret}\nC=\"{secret}\n{secret}\n{secret}: {secret}\nA={secret}\n"
    ));
    let mut shown = format!("{d:?} {d:#?}");
    for w in d.warnings() {
        shown += &format!("{w} {w:?}");
    }
    let errors = [
        d.set("A", &format!("{secret}$")).unwrap_err(),
        d.set("B", secret).unwrap_err(),
        d.append("A", secret).unwrap_err(),
        d.set(&format!("K={secret}"), "v").unwrap_err(),
        d.set(&format!("K {secret}"), "v").unwrap_err(),
    ];
    for e in &errors {
        shown += &format!("{e:?}");
    }
    // Debug of InvalidKey holds the caller's own argument. The words users read (written by the
    // binary's report.rs) must not echo a pasted value: tested there.
    let without_invalid_key_debug = shown
        .replace(&format!("K={secret}"), "")
        .replace(&format!("K {secret}"), "");
    assert!(!without_invalid_key_debug.contains(secret), "{shown}");
}

#[test]
fn dotted_keys_are_read_but_not_written() {
    let mut d = doc("a.b=1\n");
    assert_eq!(d.get("a.b"), Some("1"));
    assert!(matches!(
        d.set("a.b", "2"),
        Err(EditError::InvalidKey { .. })
    ));
}

#[test]
fn ten_thousand_keys_parse_set_render() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("# comment {i}\nKEY_{i}='{}'\n", "x".repeat(80)));
    }
    let mut d = doc(&text);
    d.set("KEY_5000", "new").unwrap();
    let out = d.render();
    assert_eq!(out.len(), text.len() - 82 + 3);
    assert_eq!(d.keys().len(), 10_000);
}

#[test]
fn replace_value_keeps_export_spacing_comment_and_quotes() {
    let cases = [
        ("export SECRET_KEY=\n", "export SECRET_KEY=abc\n"),
        ("SESSION_SECRET=\"\"\n", "SESSION_SECRET=\"abc\"\n"),
        (
            "  export A = '' # note\r\n",
            "  export A = 'abc' # note\r\n",
        ),
        ("A=\"old\"#c\nB=1", "A=\"abc\" #c\nB=1"),
        ("A=changeme", "A=abc"),
        ("A=1\nA=\n", "A=1\nA=abc\n"),
        // A blank after `=` goes (sh would run the value as a command), around `=` it stays.
        ("export A= \n", "export A=abc\n"),
        ("A=\t \r\n", "A=abc\r\n"),
        ("A = \n", "A = abc\n"),
    ];
    for (input, want) in cases {
        let key = if input.contains("SECRET_KEY") {
            "SECRET_KEY"
        } else if input.contains("SESSION") {
            "SESSION_SECRET"
        } else {
            "A"
        };
        let mut d = doc(input);
        d.replace_value(key, "abc").unwrap();
        assert_eq!(d.render().as_str(), want, "{input:?}");
        assert_eq!(d.get(key), Some("abc"));
    }
}

#[test]
fn replace_value_falls_back_to_the_writers_quoting() {
    // Unquoted: bare when the value allows, else single quotes.
    let mut d = doc("A= # c\nB=\n");
    d.replace_value("B", "x#y").unwrap();
    assert_eq!(d.render().as_str(), "A= # c\nB='x#y'\n");
    assert_eq!(d.get("B"), Some("x#y"));
    // An empty value before a comment is quoted, or the comment would become the value.
    let mut d = doc("A=old # c\n");
    d.replace_value("A", "").unwrap();
    assert_eq!(d.render().as_str(), "A='' # c\n");
    assert_eq!(Document::parse(&d.render()).get("A"), Some(""));
    // Double quotes carry every writable value.
    let mut d = doc("A=\"\"\n");
    d.replace_value("A", "a#b~!").unwrap();
    assert_eq!(d.render().as_str(), "A=\"a#b~!\"\n");
    // A multi-line value becomes one line; later line numbers follow.
    let mut d = doc("A='l1\nl2'\nB='x\n");
    d.replace_value("A", "v").unwrap();
    assert_eq!(d.render().as_str(), "A='v'\nB='x\n");
}

#[test]
fn fail_replace_value_of_an_absent_or_unreadable_key_or_an_unsafe_value() {
    let mut d = doc("A=1\nB='x' junk\n");
    let before = d.render().to_string();
    assert_eq!(
        d.replace_value("C", "v"),
        Err(EditError::KeyMissing { key: "C".into() })
    );
    assert!(matches!(
        d.replace_value("B", "v"),
        Err(EditError::KeyOnUnparsableLine { line: 2, .. })
    ));
    for bad in ["a\0b", "a\nb", "a\u{7}b", "it's $x", "a\\\\b", "${x}"] {
        assert!(
            matches!(
                d.replace_value("A", bad),
                Err(EditError::UnsafeValue { .. })
            ),
            "{bad:?}"
        );
        assert!(matches!(
            d.append("N", bad),
            Err(EditError::UnsafeValue { .. })
        ));
    }
    assert_eq!(d.render().as_str(), before);
}

/// Property: replacing one key's value changes only that value's bytes (its quotes kept, or the
/// writer's when there were none); every other byte of the document stays identical.
#[test]
fn replace_value_keeps_every_other_byte() {
    use rand::{RngExt, SeedableRng};
    // Whole lines that do not define K (the first one does, but an earlier definition is kept).
    let lines = [
        "K=first\n",
        "# comment\n",
        "\n",
        "\r\n",
        "  \t\n",
        "OTHER=1\r\n",
        "X='a\nb'\n",
        "Y=\"q\\\"r\"\n",
        "junk line\n",
        "Z=\u{0}\n",
        "É=é\n",
        "export W = 'w' # c\n",
        "KK=2\n",
    ];
    let heads = ["", "export ", "  export  ", " "];
    let eqs = ["=", " = ", "= ", " ="];
    let olds = [
        "",
        "''",
        "\"\"",
        "old",
        "'o l d'",
        "\"o\\nld\"",
        "'l1\nl2'",
        "chAnge#me",
    ];
    let tails = ["", " # note", "  ", "\t# x"];
    let values = [
        "",
        "abc",
        "a#b",
        "x/y=+",
        "ümlaut",
        "~!*",
        "0123456789abcdef",
    ];
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
    let mut pick = |n: usize| rng.random_range(0..n);
    for _ in 0..5000 {
        let before: String = (0..pick(5)).map(|_| lines[pick(lines.len())]).collect();
        let after: String = (0..pick(5))
            .map(|_| lines[1 + pick(lines.len() - 1)])
            .collect();
        let (head, eq, old, tail, value) = (
            heads[pick(heads.len())],
            eqs[pick(eqs.len())],
            olds[pick(olds.len())],
            tails[pick(tails.len())],
            values[pick(values.len())],
        );
        // A comment after an empty unquoted value is read as the value: not a case to build.
        let tail = if old.is_empty() { "" } else { tail };
        let glued = if old.starts_with(['\'', '"']) && pick(2) == 0 {
            "#glued"
        } else {
            tail
        };
        let eol = if pick(2) == 0 { "\n" } else { "\r\n" };
        let text = format!("{before}{head}K{eq}{old}{glued}{eol}{after}");
        let mut d = doc(&text);
        d.replace_value("K", value).unwrap();
        let written = match old.chars().next() {
            Some(q @ ('\'' | '"')) => format!("{q}{value}{q}"),
            // An empty value before a comment would read as the comment.
            _ if value.is_empty() && glued.contains('#') => "''".to_string(),
            _ => quote_value(value).unwrap().to_string(),
        };
        // A glued comment gets a space: sh would read it as part of the value.
        let sep = if glued.starts_with('#') { " " } else { "" };
        // Filling an empty unquoted value drops the blank after a bare `=` (`K= ` is sh).
        let eq = if old.is_empty() && eq.trim_end().ends_with('=') && !eq.starts_with([' ', '\t']) {
            eq.trim_end()
        } else {
            eq
        };
        let want = format!("{before}{head}K{eq}{written}{sep}{glued}{eol}{after}");
        assert_eq!(d.render().as_str(), want, "{text:?}");
        let again = Document::parse(&want);
        assert_eq!(again.get("K"), Some(value), "{want:?}");
        let orig = Document::parse(&text);
        for key in orig.keys() {
            if key != "K" {
                assert_eq!(again.get(key), orig.get(key), "{want:?}");
            }
        }
    }
}

#[test]
fn a_control_character_in_a_value_is_a_warning_with_its_line() {
    let d = doc("A=1\nB=zqx\u{0}qz\nC='l1\nl\u{7}2'\nD=\"tab\there\"\n# \u{0} in a comment\n");
    let w: Vec<(usize, &str)> = d
        .warnings()
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0].0, 2);
    assert!(w[0].1.contains("`B` holds a NUL byte"), "{}", w[0].1);
    assert_eq!(w[1].0, 4);
    assert!(w[1].1.contains("U+0007"), "{}", w[1].1);
    assert!(!w[0].1.contains("zq") && !w[0].1.contains("qz"));
}

#[test]
fn insert_after_puts_the_line_next_to_the_anchor() {
    let mut d = doc("# head\r\nexport KEY='old' # note\r\nOTHER=1\r\n");
    d.insert_after("KEY", "KEY_PREVIOUS", "old").unwrap();
    assert_eq!(
        d.render().as_str(),
        "# head\r\nexport KEY='old' # note\r\nKEY_PREVIOUS=old\r\nOTHER=1\r\n"
    );
    assert_eq!(d.get("KEY_PREVIOUS"), Some("old"));
    assert_eq!(d.line_of_key("OTHER"), Some(4));
    // After a rewritten anchor, after an inserted one, and at a last line without an ending.
    d.set("KEY", "new").unwrap();
    d.insert_after("KEY_PREVIOUS", "KEY_OLDER", "older")
        .unwrap();
    assert_eq!(
        d.render().as_str(),
        "# head\r\nexport KEY=new # note\r\nKEY_PREVIOUS=old\r\nKEY_OLDER=older\r\nOTHER=1\r\n"
    );
    let mut d = doc("A=1\nB='x\ny'");
    d.insert_after("B", "C", "3").unwrap();
    assert_eq!(d.render().as_str(), "A=1\nB='x\ny'\nC=3\n");
    assert_eq!(d.line_of_key("C"), Some(4));
}

#[test]
fn fail_insert_after_of_an_existing_key_or_a_missing_or_unwritable_anchor() {
    let mut d = doc("A=1\nB='x' junk\nC=\"open\nD=4\n");
    let before = d.render().to_string();
    assert_eq!(
        d.insert_after("A", "D", "v"),
        Err(EditError::KeyExists {
            key: "D".into(),
            line: 4
        })
    );
    assert_eq!(
        d.insert_after("Z", "N", "v"),
        Err(EditError::KeyMissing { key: "Z".into() })
    );
    assert!(matches!(
        d.insert_after("B", "N", "v"),
        Err(EditError::KeyOnUnparsableLine { line: 2, .. })
    ));
    assert_eq!(
        d.insert_after("D", "N", "v"),
        Err(EditError::UnterminatedQuote { line: 3 })
    );
    assert!(matches!(
        d.insert_after("A", "N", "a\tb"),
        Err(EditError::UnsafeValue { .. })
    ));
    assert_eq!(d.render().as_str(), before);
    // Before the unterminated quote is fine: nothing written follows it.
    d.insert_after("A", "N", "v").unwrap();
    assert_eq!(d.render().as_str(), "A=1\nN=v\nB='x' junk\nC=\"open\nD=4\n");
    assert_eq!(d.broken_line("B"), Some(3));
}

#[test]
fn remove_takes_every_definition_and_its_records() {
    let mut d =
        doc("# envmint: first\nK=1\n# keep\n# envmint: a\n# envmint: b\nexport K='2' # c\nL=3\n");
    assert_eq!(d.record("K"), Some("b"));
    d.remove("K").unwrap();
    assert_eq!(d.render().as_str(), "# keep\nL=3\n");
    assert!(!d.contains_key("K"));
    assert_eq!(d.get("K"), None);
    assert_eq!(d.keys(), ["L"]);
    assert_eq!(d.line_of_key("L"), Some(2));
    assert_eq!(
        d.remove("K"),
        Err(EditError::KeyMissing { key: "K".into() })
    );
    // Removed keys can come back, and go again.
    d.append("K", "new").unwrap();
    assert_eq!(d.render().as_str(), "# keep\nL=3\nK=new\n");
    d.set_record("K", "generated=now").unwrap();
    d.remove("K").unwrap();
    assert_eq!(d.render().as_str(), "# keep\nL=3\n");
    // The last line without an ending.
    let mut d = doc("A=1\nB=2");
    d.remove("B").unwrap();
    assert_eq!(d.render().as_str(), "A=1\n");
    d.remove("A").unwrap();
    assert!(d.is_empty());
}

#[test]
fn fail_remove_of_a_key_on_an_unreadable_line() {
    let mut d = doc("A=1\nA='x' junk\n");
    assert!(matches!(
        d.remove("A"),
        Err(EditError::KeyOnUnparsableLine { line: 2, .. })
    ));
    assert_eq!(d.render().as_str(), "A=1\nA='x' junk\n");
}

#[test]
fn records_are_read_replaced_inserted_and_stay_with_their_key() {
    let mut d = doc("A=1\r\n  # envmint: generated=2026-01-01 \r\nK=old\r\n");
    assert_eq!(d.record("K"), Some("generated=2026-01-01"));
    assert_eq!(d.record("A"), None);
    d.set_record("K", "generated=2026-11-23T07:00:00Z").unwrap();
    d.set("K", "new").unwrap();
    d.insert_after("K", "K_PREVIOUS", "old").unwrap();
    d.set_record("A", "manual").unwrap();
    assert_eq!(
        d.render().as_str(),
        "# envmint: manual\r\nA=1\r\n# envmint: generated=2026-11-23T07:00:00Z\r\nK=new\r\nK_PREVIOUS=old\r\n"
    );
    assert_eq!(d.record("K"), Some("generated=2026-11-23T07:00:00Z"));
    assert_eq!(d.record("K_PREVIOUS"), None);
    d.set_record("K_PREVIOUS", "rotated").unwrap();
    d.set_record("K_PREVIOUS", "rotated again").unwrap();
    assert_eq!(d.record("K_PREVIOUS"), Some("rotated again"));
    assert_eq!(d.line_of_key("K_PREVIOUS"), Some(6));
    d.remove("K").unwrap();
    assert_eq!(
        d.render().as_str(),
        "# envmint: manual\r\nA=1\r\n# envmint: rotated again\r\nK_PREVIOUS=old\r\n"
    );
    let again = Document::parse(&d.render());
    assert_eq!(again.record("K_PREVIOUS"), Some("rotated again"));
    assert_eq!(again.record("A"), Some("manual"));
}

#[test]
fn fail_records_with_line_breaks_or_without_a_key() {
    let mut d = doc("A=1\n");
    for text in ["a\nB=2", "a\rb", "a\0b"] {
        assert_eq!(
            d.set_record("A", text),
            Err(EditError::InvalidRecord { key: "A".into() })
        );
    }
    assert_eq!(
        EditError::InvalidRecord { key: "A".into() }.to_string(),
        "the `# envmint:` record for `A` holds a line break or control character; \
         a record is one comment line"
    );
    assert_eq!(
        d.set_record("Z", "x"),
        Err(EditError::KeyMissing { key: "Z".into() })
    );
    assert_eq!(d.render().as_str(), "A=1\n");
    // A comment that is part of a multi-line value is not a record.
    let d = doc("A='x\n# envmint: no'\nB=1\n");
    assert_eq!(d.record("B"), None);
}

#[test]
fn line_numbers_follow_inserts_and_removals_in_the_middle() {
    let mut d = doc("A=1\nM='l1\nl2'\nB=2\nC='x' junk\nD=4\n");
    assert_eq!(d.broken_line("C"), Some(5));
    d.insert_after("A", "N1", "n").unwrap();
    d.set_record("B", "r").unwrap();
    assert_eq!(d.line_of_key("B"), Some(6));
    assert_eq!(d.broken_line("C"), Some(7));
    d.set("M", "one").unwrap();
    d.remove("A").unwrap();
    assert_eq!(
        d.render().as_str(),
        "N1=n\nM=one\n# envmint: r\nB=2\nC='x' junk\nD=4\n"
    );
    assert_eq!(d.line_of_key("B"), Some(4));
    assert_eq!(d.broken_line("C"), Some(5));
    assert_eq!(
        d.append("D", "x"),
        Err(EditError::KeyExists {
            key: "D".into(),
            line: 6
        })
    );
    // Warnings still name the lines of the input as parsed.
    assert_eq!(d.warnings()[0].line, 5);
}

#[test]
fn secrets_never_show_in_debug_after_edits() {
    let secret = "hunter2secret";
    let mut d = doc(&format!("A={secret}\nB=1\n"));
    d.insert_after("A", "A_PREVIOUS", secret).unwrap();
    d.set_record("A", "generated").unwrap();
    d.remove("B").unwrap();
    let shown = format!("{d:?} {d:#?}");
    assert!(!shown.contains(secret), "{shown}");
}

#[test]
fn a_line_inserted_after_a_trailing_backslash_gets_a_blank_line_first() {
    // Directly after the continued definition: sh would read `X=abcN=v`.
    let mut d = doc("X=abc\\\r\nY=1\r\n");
    d.insert_after("X", "N", "v").unwrap();
    assert_eq!(d.render().as_str(), "X=abc\\\r\n\r\nN=v\r\nY=1\r\n");
    assert_eq!(d.line_of_key("N"), Some(3));
    assert_eq!(d.line_of_key("Y"), Some(4));
    // After a line envmint wrote (no backslash there), nothing more.
    d.insert_after("N", "M", "w").unwrap();
    assert_eq!(d.render().as_str(), "X=abc\\\r\n\r\nN=v\r\nM=w\r\nY=1\r\n");
    // Once X is rewritten it no longer continues: no blank line.
    let mut d = doc("X=abc\\\n");
    d.set("X", "new").unwrap();
    d.insert_after("X", "N", "v").unwrap();
    d.append("A", "a").unwrap();
    assert_eq!(d.render().as_str(), "X=new\nN=v\nA=a\n");
    // An append after a removed last line looks at the line now last, and without a final
    // line ending the continued line first gets one.
    let mut d = doc("X=abc\\\nY=1\n");
    d.remove("Y").unwrap();
    d.append("A", "a").unwrap();
    assert_eq!(d.render().as_str(), "X=abc\\\n\nA=a\n");
    let mut d = doc("X=abc\\");
    d.append("A", "a").unwrap();
    assert_eq!(d.render().as_str(), "X=abc\\\n\nA=a\n");
    assert_eq!(Document::parse(&d.render()).get("A"), Some("a"));
}

/// A key found once answers as the document's own lookups by name do: value, record, line,
/// unreadable line; on a file with CRLF and CR endings, a BOM, unreadable lines, a key
/// defined twice and records, before and after edits above and around the keys.
#[test]
fn a_key_ref_answers_as_the_lookups_by_name() {
    let text = "\u{feff}# envmint: generated=2026-01-01T00:00:00Z\r\nA=1\r\nB='x' y\nB=2\nB='z' w\n\
                # envmint: set=2026-01-02T00:00:00Z\rC=\"q\\nr\"\rA=2\n\
                not a line\nD = 4 # c\n  # envmint: previous-of=A retired=x\nE=\n";
    let mut doc = Document::parse(text);
    let check = |doc: &Document| {
        let names: Vec<&str> = doc.key_refs().map(|k| k.name()).collect();
        assert_eq!(names, doc.keys());
        let mut seen = vec![false; doc.key_index_bound()];
        for key in doc.keys() {
            let k = doc.key_ref(key).expect("present");
            assert_eq!(k.name(), key);
            assert_eq!(k.value(), doc.get(key), "{key}");
            assert_eq!(k.record(), doc.record(key), "{key}");
            assert_eq!(k.line(), doc.line_of_key(key), "{key}");
            assert_eq!(k.broken_line(), doc.broken_line(key), "{key}");
            assert!(!std::mem::replace(&mut seen[k.index()], true), "{key}");
        }
        assert!(doc.key_ref("NOPE").is_none());
    };
    check(&doc);
    assert_eq!(
        doc.key_ref("A").and_then(|k| k.record()),
        None,
        "A's last definition has no record above it"
    );
    assert_eq!(
        doc.key_ref("E").and_then(|k| k.record()),
        Some("previous-of=A retired=x")
    );
    // A record line read to its end, whatever ends it (a CR alone here).
    assert_eq!(
        doc.key_ref("C").and_then(|k| k.record()),
        Some("set=2026-01-02T00:00:00Z")
    );
    doc.set_record("D", "generated=2026-03-01T00:00:00Z")
        .unwrap();
    doc.insert_after("A", "F", "6").unwrap();
    doc.remove("C").unwrap();
    doc.set("A", "3").unwrap();
    check(&doc);
    assert!(doc.key_ref("C").is_none());
    assert_eq!(
        doc.key_ref("D").and_then(|k| k.record()),
        Some("generated=2026-03-01T00:00:00Z")
    );
}
