//! Values people put in a store by hand: what `envmint set`, `get`, `unset` and `edit` decide.
//!
//! Pure: each function takes a [`Document`] (and the bytes a person typed or edited) and says
//! what changes, naming keys and lines, never a value. The binary reads stdin, prompts, runs the
//! editor and saves through the [`store`](crate::store); nothing here prints or touches a file.

use crate::dotenv::{Document, EditError, Warning};
use crate::generate::Spec;
use zeroize::Zeroizing;

/// The largest value `set` reads from stdin, in bytes: far above any API key or token, and low
/// enough that piping a large file by mistake is refused rather than held in memory.
pub const MAX_VALUE_LEN: usize = 64 * 1024;

/// What [`set`] did to a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAction {
    /// The key was absent: `KEY=value` was appended as the last line.
    Added,
    /// The key's last definition got the new value in place, keeping `export ` and quotes.
    Replaced,
    /// The key already had exactly this value: the document is unchanged.
    Unchanged,
}

impl SetAction {
    /// `added`, `replaced` or `unchanged` (the JSON `action`).
    pub fn as_str(self) -> &'static str {
        match self {
            SetAction::Added => "added",
            SetAction::Replaced => "replaced",
            SetAction::Unchanged => "unchanged",
        }
    }
}

/// Sets `key` to `value` in `doc`: in place when the key is defined (its last definition, as
/// readers see it; `export `, quotes, a trailing comment and a `# envmint:` record above are
/// kept), appended otherwise.
///
/// # Errors
///
/// What the document refuses ([`EditError`]): an invalid key, a value with characters envmint
/// does not write (named by class, never shown), a key on an unreadable line, or an append after
/// an unterminated quote. On error the document is unchanged.
pub fn set(doc: &mut Document, key: &str, value: &str) -> Result<SetAction, EditError> {
    if doc.get(key) == Some(value) && doc.broken_line(key).is_none() {
        return Ok(SetAction::Unchanged);
    }
    match doc.replace_value(key, value) {
        Ok(()) => Ok(SetAction::Replaced),
        // Absent (or only a definition envmint cannot edit in place, which `append` refuses).
        Err(EditError::KeyMissing { .. }) => doc.append(key, value).map(|()| SetAction::Added),
        Err(e) => Err(e),
    }
}

/// Removes every definition of `key` from `doc`, each with the `# envmint:` record lines above
/// it. Returns `false` when the key is absent (the document is unchanged).
///
/// # Errors
///
/// An invalid key, or a key on an unreadable line ([`EditError::KeyOnUnparsableLine`]): which
/// value readers see there is unclear, so a person fixes the line first.
pub fn unset(doc: &mut Document, key: &str) -> Result<bool, EditError> {
    if !crate::dotenv::is_valid_key(key) {
        return Err(EditError::InvalidKey {
            key: key.to_owned(),
        });
    }
    match doc.remove(key) {
        Ok(()) => Ok(true),
        Err(EditError::KeyMissing { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// What `get` finds for a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// The value readers see (the last definition).
    Value(&'a str),
    /// The key is not in the document.
    Absent,
    /// The key is on a line nothing can read (1-based), after its last readable definition or
    /// with none: no value can be trusted.
    Unreadable(usize),
}

/// Looks `key` up in `doc` the way [`Document::get`] reads it, telling an absent key from one on
/// an unreadable line.
pub fn get<'a>(doc: &'a Document, key: &str) -> Lookup<'a> {
    match doc.get(key) {
        Some(value) => Lookup::Value(value),
        None => match doc.broken_line(key) {
            Some(line) => Lookup::Unreadable(line),
            None => Lookup::Absent,
        },
    }
}

/// Why the bytes given for a value cannot be one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueError {
    /// Nothing was given (an empty value needs `--allow-empty`).
    Empty,
    /// Longer than [`MAX_VALUE_LEN`].
    TooLong,
    /// Not UTF-8.
    NotUtf8,
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueError::Empty => f.write_str("the value is empty"),
            ValueError::TooLong => write!(f, "the value is longer than {MAX_VALUE_LEN} bytes"),
            ValueError::NotUtf8 => f.write_str("the value is not valid UTF-8"),
        }
    }
}

impl std::error::Error for ValueError {}

/// The value in `input` (all of stdin, or a line typed at the prompt): one trailing line break
/// (`\n` or `\r\n`) removed, as `echo` and `printf '%s\n'` add one; then it must be UTF-8, at
/// most [`MAX_VALUE_LEN`] bytes, and not empty unless `allow_empty`.
///
/// Only one line break goes: a value that is meant to end in one is refused later by the
/// writer (control characters are never written), rather than silently cut short.
pub fn value_from_input(
    mut input: Zeroizing<Vec<u8>>,
    allow_empty: bool,
) -> Result<Zeroizing<String>, ValueError> {
    let cut = if input.ends_with(b"\r\n") {
        2
    } else {
        usize::from(input.ends_with(b"\n"))
    };
    let len = input.len() - cut;
    // Truncating keeps the capacity, which `Zeroizing` clears on drop.
    input.truncate(len);
    if input.len() > MAX_VALUE_LEN {
        return Err(ValueError::TooLong);
    }
    if input.is_empty() && !allow_empty {
        return Err(ValueError::Empty);
    }
    match String::from_utf8(std::mem::take(&mut *input)) {
        Ok(text) => Ok(Zeroizing::new(text)),
        Err(e) => {
            // Take the buffer back so it is zeroized on drop.
            *input = e.into_bytes();
            Err(ValueError::NotUtf8)
        }
    }
}

/// What is wrong with `value` for a key declared as `spec` (`placeholder, not a 32-byte hex
/// secret`), or `None` when it passes the check bootstrap makes of kept values. Never the
/// value.
pub fn check_declared(key: &str, value: &str, spec: &Spec) -> Option<String> {
    crate::plan::bootstrap::check_kept(key, value, spec, None)
}

/// The keys an edit added, changed and removed (names only, in document order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyChanges {
    /// Keys the edited document defines and the original did not.
    pub added: Vec<String>,
    /// Keys whose value (as readers see it) differs.
    pub changed: Vec<String>,
    /// Keys the original defined and the edited document does not.
    pub removed: Vec<String>,
}

impl KeyChanges {
    /// Whether no key's value differs (the edit changed only comments, order or spacing).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares the keys of two documents: for the summary after `edit`, without values.
pub fn key_changes(before: &Document, after: &Document) -> KeyChanges {
    let mut changes = KeyChanges::default();
    for key in after.keys() {
        if !before.contains_key(key) {
            changes.added.push(key.to_owned());
        } else if before.get(key) != after.get(key) {
            changes.changed.push(key.to_owned());
        }
    }
    for key in before.keys() {
        if !after.contains_key(key) {
            changes.removed.push(key.to_owned());
        }
    }
    changes
}

/// The values an edit added or changed that readers would read differently: a value envmint
/// itself would not write (see [`quote_value`](crate::dotenv::quote_value)), or one written in
/// a form that changes it for some reader (an unquoted `$(cmd)`, a double-quoted `$x`): sh runs
/// `B=$(cmd)` and the word after a space in `B=x cmd` as commands where python-dotenv reads
/// text. One warning per key, at its line, naming the key and the kind of character, never the
/// value. Values the edit left alone are not judged again.
pub fn unportable_values(before: &Document, after: &Document) -> Vec<Warning> {
    let changes = key_changes(before, after);
    changes
        .added
        .iter()
        .chain(&changes.changed)
        .filter_map(|key| {
            let value = after.get(key)?;
            let bad = match crate::dotenv::quote_value(value) {
                Err(bad) => bad.to_string(),
                Ok(_) => form_problem(value, after.quote_of(key))?.to_string(),
            };
            Some(Warning {
                line: after.line_of_key(key)?,
                message: format!(
                    "the value of `{key}` contains {bad}: sh, python-dotenv, Node and docker \
                     compose may read it differently (sh can run part of it as a command); \
                     `envmint set` would write it in quotes that every reader reads alike"
                ),
            })
        })
        .collect()
}

/// What in `value`, written bare (`quote` `None`) or in `quote`, some reader changes: the first
/// character that is special there, named by class; `None` when every reader reads it alike.
fn form_problem(value: &str, quote: Option<char>) -> Option<&'static str> {
    let class = |c: char| match c {
        '$' => Some("a `$`"),
        '\\' => Some("a backslash"),
        '\'' | '"' => Some("a quote"),
        '`' => Some("a backtick"),
        c if c.is_whitespace() => Some("whitespace"),
        _ => None,
    };
    match quote {
        Some(q @ ('\'' | '"')) if crate::dotenv::fits_in(value, q) => None,
        // A bare value of letters, digits and safe punctuation reads alike; `#`, `~`, `*`...
        // unquoted were never judged here (the parser reads them as python-dotenv does).
        None => value.chars().find_map(class),
        _ => value.chars().find_map(class).or(Some("a quote")),
    }
}

/// What an editor left, checked before it may replace a store's content.
pub enum Edited {
    /// The same bytes as before: nothing to write.
    Unchanged,
    /// A readable dotenv document that differs from the original.
    Changed(Box<Document>),
    /// The text cannot be stored as it is: the problems, by line (never a value).
    Refused(Vec<Warning>),
}

/// Checks the bytes an editor left against the original plaintext: unchanged, or parsed and
/// refused when they are not UTF-8 or any line warns (an unreadable line, a key defined twice):
/// a store must not be replaced by text its readers would read differently from the person
/// who wrote it.
pub fn check_edited(original: &[u8], edited: &[u8]) -> Edited {
    if original == edited {
        return Edited::Unchanged;
    }
    let Ok(text) = std::str::from_utf8(edited) else {
        let valid = std::str::from_utf8(edited).map_or_else(|e| e.valid_up_to(), |_| 0);
        let line = edited[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
        return Edited::Refused(vec![Warning {
            line,
            message: "not valid UTF-8".to_owned(),
        }]);
    };
    let doc = Document::parse(text);
    if doc.warnings().is_empty() {
        Edited::Changed(Box::new(doc))
    } else {
        Edited::Refused(doc.warnings().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zv(bytes: &[u8]) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(bytes.to_vec())
    }

    #[test]
    fn set_replaces_in_place_keeping_export_quotes_and_other_bytes() {
        let mut doc = Document::parse("# top\nexport A=\"old\" # c\nB='x'\r\nC=3\n");
        assert_eq!(set(&mut doc, "A", "new1").unwrap(), SetAction::Replaced);
        assert_eq!(set(&mut doc, "B", "y").unwrap(), SetAction::Replaced);
        assert_eq!(
            doc.render().as_str(),
            "# top\nexport A=\"new1\" # c\nB='y'\r\nC=3\n"
        );
        assert_eq!(set(&mut doc, "D", "4").unwrap(), SetAction::Added);
        assert_eq!(
            doc.render().as_str(),
            "# top\nexport A=\"new1\" # c\nB='y'\r\nC=3\nD=4\n"
        );
        assert_eq!(set(&mut doc, "C", "3").unwrap(), SetAction::Unchanged);
    }

    #[test]
    fn set_keeps_a_record_above_and_changes_the_last_definition() {
        let mut doc = Document::parse("A=1\n# envmint: generated=2026-01-01\nA=2\n");
        assert_eq!(set(&mut doc, "A", "9").unwrap(), SetAction::Replaced);
        assert_eq!(
            doc.render().as_str(),
            "A=1\n# envmint: generated=2026-01-01\nA=9\n"
        );
    }

    #[test]
    fn set_refuses_unwritable_values_and_unreadable_lines_without_change() {
        let text = "A=1\nB='open\n";
        let mut doc = Document::parse(text);
        let err = set(&mut doc, "A", "has\ttab").unwrap_err();
        assert!(matches!(err, EditError::UnsafeValue { ref key, .. } if key == "A"));
        assert!(!format!("{err:?}").contains("has\ttab"));
        assert!(matches!(
            set(&mut doc, "A", "a\nb").unwrap_err(),
            EditError::UnsafeValue { .. }
        ));
        assert!(matches!(
            set(&mut doc, "NEW", "v").unwrap_err(),
            EditError::UnterminatedQuote { line: 2 }
        ));
        let mut broken = Document::parse("K='x' junk\n");
        assert!(matches!(
            set(&mut broken, "K", "v").unwrap_err(),
            EditError::KeyOnUnparsableLine { line: 1, .. }
        ));
        assert!(matches!(
            set(&mut doc, "1BAD", "v").unwrap_err(),
            EditError::InvalidKey { .. }
        ));
        assert_eq!(doc.render().as_str(), text);
    }

    #[test]
    fn unset_removes_every_definition_with_its_record() {
        let mut doc = Document::parse("A=1\n# keep\n# envmint: generated=x\nA=2\nB=3\n");
        assert!(unset(&mut doc, "A").unwrap());
        assert_eq!(doc.render().as_str(), "# keep\nB=3\n");
        assert!(!unset(&mut doc, "A").unwrap());
        assert!(!unset(&mut doc, "Z").unwrap());
        assert!(matches!(
            unset(&mut doc, "A=secret").unwrap_err(),
            EditError::InvalidKey { .. }
        ));
        let mut broken = Document::parse("K=1\nK='x' junk\n");
        assert!(matches!(
            unset(&mut broken, "K").unwrap_err(),
            EditError::KeyOnUnparsableLine { line: 2, .. }
        ));
    }

    #[test]
    fn get_tells_absent_from_unreadable() {
        let doc = Document::parse("A=\"q u\"\nB='x' junk\nE=\n");
        assert_eq!(get(&doc, "A"), Lookup::Value("q u"));
        assert_eq!(get(&doc, "E"), Lookup::Value(""));
        assert_eq!(get(&doc, "B"), Lookup::Unreadable(2));
        assert_eq!(get(&doc, "Z"), Lookup::Absent);
    }

    #[test]
    fn input_loses_one_line_break_and_is_checked() {
        let v = |b: &[u8]| value_from_input(zv(b), false).map(|s| s.as_str().to_owned());
        assert_eq!(v(b"abc\n").unwrap(), "abc");
        assert_eq!(v(b"abc\r\n").unwrap(), "abc");
        assert_eq!(v(b"abc").unwrap(), "abc");
        assert_eq!(v(b"abc\n\n").unwrap(), "abc\n");
        assert_eq!(v(b"\n"), Err(ValueError::Empty));
        assert_eq!(v(b""), Err(ValueError::Empty));
        assert_eq!(
            value_from_input(zv(b"\n"), true).unwrap().as_str(),
            "",
            "--allow-empty"
        );
        assert_eq!(v(b"\xff\n"), Err(ValueError::NotUtf8));
        assert_eq!(v(&vec![b'a'; MAX_VALUE_LEN]).unwrap().len(), MAX_VALUE_LEN);
        assert_eq!(v(&vec![b'a'; MAX_VALUE_LEN + 1]), Err(ValueError::TooLong));
    }

    /// The library's words for a refused value. `envmint set` words these three itself,
    /// naming the key and the input (tests/cli/kv.rs); a caller without words of its own, and
    /// the binary for a refusal added later, shows these.
    #[test]
    fn refused_values_are_said_without_their_content() {
        assert_eq!(ValueError::Empty.to_string(), "the value is empty");
        assert_eq!(
            ValueError::TooLong.to_string(),
            "the value is longer than 65536 bytes"
        );
        assert_eq!(
            ValueError::NotUtf8.to_string(),
            "the value is not valid UTF-8"
        );
    }

    #[test]
    fn declared_values_are_checked_without_showing_them() {
        let spec = Spec::new(crate::generate::Kind::Hex, None).unwrap();
        let problem = check_declared("K", "changeme", &spec).unwrap();
        assert!(problem.starts_with("placeholder"), "{problem}");
        assert!(!problem.contains("changeme"));
        assert_eq!(
            check_declared("K", &"ab".repeat(32), &spec),
            None,
            "256 bits is 32 bytes"
        );
    }

    #[test]
    fn edits_are_compared_and_unreadable_results_refused() {
        let before = b"A=1\nB=2\n";
        assert!(matches!(check_edited(before, before), Edited::Unchanged));
        let Edited::Changed(after) = check_edited(before, b"# note\nA=1\nB=3\nC=4\n") else {
            panic!("a readable edit is accepted");
        };
        let changes = key_changes(&Document::parse("A=1\nB=2\nD=5\n"), &after);
        assert_eq!(changes.added, ["C"]);
        assert_eq!(changes.changed, ["B"]);
        assert_eq!(changes.removed, ["D"]);
        let Edited::Refused(problems) = check_edited(before, b"A=1\nB='open\n") else {
            panic!("an unterminated quote is refused");
        };
        assert_eq!(problems[0].line, 2);
        let Edited::Refused(problems) = check_edited(before, b"A=1\nB=2\nA=3\n") else {
            panic!("a key defined twice is refused");
        };
        assert_eq!(problems.len(), 1);
        let Edited::Refused(problems) = check_edited(before, b"A=1\n\xffB=2\n") else {
            panic!("bytes that are not UTF-8 are refused");
        };
        assert_eq!(problems[0].line, 2);
        assert!(key_changes(&after, &Document::parse("C=4\nB=3\nA=1\n")).is_empty());
    }

    #[test]
    fn added_and_changed_values_that_readers_disagree_on_are_named_by_key_and_line() {
        let before = Document::parse("OLD=\"a b\"\nA=1\n");
        let after = Document::parse("OLD=\"a b\"\nA=$(id)\nB=x touch pwned\nC='ok:1'\n");
        let warnings = unportable_values(&before, &after);
        let lines: Vec<_> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines,
            [3, 2],
            "added first, then changed; OLD was not touched"
        );
        assert!(warnings[0].message.contains("`B` contains whitespace"));
        assert!(warnings[1].message.contains("`A` contains a `$`"));
        // Quoted as envmint would write them, the same values read alike everywhere.
        let quoted = Document::parse("OLD=\"a b\"\nA='$(id)'\nB='x touch pwned'\nC='ok:1'\n");
        assert!(unportable_values(&before, &quoted).is_empty());
        assert!(
            warnings
                .iter()
                .all(|w| !w.message.contains("touch") && !w.message.contains("id)"))
        );
    }
}
