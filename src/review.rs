//! A store as lines a diff can show: what `envmint git diff` (git's `textconv` for
//! `diff=envmint`) prints for each version of a sealed store, so `git diff` and `git log -p`
//! read like a changelog of keys and records instead of ciphertext.
//!
//! One line per key, in file order: `KEY=<digest>` with the key's `# envmint:` record after it,
//! or `<empty>` and `<unreadable line>`; comments, blank lines and values are left out. A
//! value's digest is HMAC-SHA256 under a key that is not in the repository (see
//! [`crate::secret::KeyedHash::with_key`]; the binary keeps it in the git folder), cut to 64
//! bits: equal values give equal digests, so a changed digest shows a changed value, and
//! nobody holding only the repository can test guesses against it. Without a key, values show
//! as `<hidden>` and only added, removed and re-recorded keys show.

use crate::dotenv::Document;
use crate::secret::KeyedHash;
use std::fmt::Write as _;

/// The lines for `doc`, headed by the recipients it is pinned to (`pinned`, canonical; empty
/// when it has none), each value as its digest under `digest` (or `<hidden>` without one).
pub fn render(doc: &Document, pinned: &[String], digest: Option<&KeyedHash>) -> String {
    let mut out = String::new();
    if pinned.is_empty() {
        out.push_str("# not pinned to recipients\n");
    }
    for r in pinned {
        let _ = writeln!(out, "# sealed-to {}", shown(r));
    }
    for key in doc.keys() {
        let value = match doc.get(key) {
            None => "<unreadable line>".to_string(),
            Some("") => "<empty>".to_string(),
            Some(v) => match digest {
                Some(h) => format!("<{}>", hex::encode(&h.digest(v)[..8])),
                None => "<hidden>".to_string(),
            },
        };
        let _ = write!(out, "{}={value}", shown(key));
        if let Some(record) = doc.record(key) {
            let _ = write!(out, "  # {}", shown(record));
        }
        out.push('\n');
    }
    out
}

/// `text` with control characters escaped: a key or record is text anyone may have edited,
/// and a diff goes to a terminal.
fn shown(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    #[test]
    fn keys_and_records_show_values_never() {
        let doc = Document::parse(
            "# a comment with hunter2\n# envmint: generated=2026-01-01T00:00:00Z\n\
             A=hunter2\nB=\nC='open\n",
        );
        let h = KeyedHash::with_key(Zeroizing::new([7; 32]));
        let text = render(&doc, &["age1xyz".into()], Some(&h));
        assert!(!text.contains("hunter2"), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# sealed-to age1xyz");
        assert!(
            lines[1].starts_with("A=<")
                && lines[1].ends_with(">  # generated=2026-01-01T00:00:00Z"),
            "{text}"
        );
        assert_eq!(lines[2], "B=<empty>");
        assert_eq!(lines[3], "C=<unreadable line>");
        // The same value, the same digest; another value, another; another key, another.
        let again = render(&Document::parse("A=hunter2\n"), &[], Some(&h));
        assert_eq!(
            again.lines().nth(1).unwrap(),
            &lines[1][..lines[1].find("  #").unwrap()]
        );
        let changed = render(&Document::parse("A=hunter3\n"), &[], Some(&h));
        assert_ne!(changed.lines().nth(1), again.lines().nth(1));
        let other = KeyedHash::with_key(Zeroizing::new([8; 32]));
        assert_ne!(
            render(&Document::parse("A=hunter2\n"), &[], Some(&other)),
            again
        );
        assert_eq!(
            render(&Document::parse("A=hunter2\n"), &[], None),
            "# not pinned to recipients\nA=<hidden>\n"
        );
    }
}
