//! `${VAR}` and `${VAR:-default}` in values, expanded as python-dotenv (1.x) and docker compose
//! expand them, for the commands that hand values to an app in place of its loader (`run`,
//! `export`): `DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app` must reach the app as the
//! URL its own loader would have made, not with `${DB_PASSWORD}` in it.
//!
//! The rules are python-dotenv's (`dotenv/variables.py`, `resolve_variables`):
//!
//! - a reference is `${NAME}` or `${NAME:-DEFAULT}`: NAME is everything up to the first `}` or
//!   `:`, DEFAULT everything up to the first `}`; anything else (`$NAME`, `${A:b}`, a `$` alone)
//!   is literal;
//! - NAME is looked up among the keys defined *above* the value in the file (as already
//!   expanded) and in the outside variables; which wins is the caller's choice
//!   ([`Outside::Wins`] is `load_dotenv()`, [`Outside::Loses`] is `load_dotenv(override=True)`
//!   and `dotenv_values()`);
//! - DEFAULT is used only when NAME is defined nowhere (an empty value counts as defined), and
//!   is itself literal; an undefined NAME without a default becomes the empty string.
//!
//! Where the readers disagree, envmint takes compose's side: a **single-quoted** value is
//! literal (compose, `sh` and Node dotenv agree; python-dotenv 1.x expands there too), and
//! `$NAME` without braces is literal (python-dotenv; compose expands it). Node dotenv expands
//! nothing without `dotenv-expand`. See the table in the module docs of [`crate::dotenv`].

use super::Document;
use super::error::{DotenvError, DotenvProblem};
use std::collections::HashMap;
use zeroize::Zeroizing;

/// The longest value an expansion may make. References can double a value per line
/// (`A2=${A1}${A1}`): 40 such lines in a repository's file would otherwise take all memory.
pub const MAX_EXPANDED: usize = 1024 * 1024;

/// The most all expanded values of a file may hold together. [`MAX_EXPANDED`] alone bounds
/// each value, not their sum: 1,500 lines of `Bn=${A}` after a 1 MiB `A` (a 19 KB file) made
/// 1.5 GB. This is the largest dotenv file envmint reads ([`crate::atomic::MAX_DOTENV_BYTES`]):
/// an expansion may make no more than a file could hold.
pub const MAX_EXPANDED_TOTAL: usize = 64 * 1024 * 1024;

/// Which limit an expansion would pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// One value past [`MAX_EXPANDED`].
    Value,
    /// The expanded values together past [`MAX_EXPANDED_TOTAL`].
    Total,
}

/// Whether the outside variables (the process environment) win over the file's own values in
/// a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outside {
    /// The outside value wins (python-dotenv's `load_dotenv()`; `envmint run` without
    /// `--override`, where the variables already set are kept).
    Wins,
    /// The file's value wins (`load_dotenv(override=True)`, `dotenv_values()`; `run
    /// --override`; `export`, whose lookup has no outside variables at all).
    Loses,
}

/// A reference to a variable defined nowhere, replaced by the empty string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undefined {
    /// The key whose value holds the reference.
    pub key: String,
    /// The variable's name when it is a key of the file (defined below the value, too late
    /// for it), `None` otherwise: text between `${` and `}` that names nothing may be a piece
    /// of a secret, and is never repeated in a message.
    pub name: Option<String>,
}

/// The values of `doc` that change when expanded, by key, and the references to variables
/// defined nowhere.
#[derive(Default)]
pub struct Expanded {
    /// Each key whose value had a reference, with its expanded value. Keys not here read as
    /// [`Document::get`] gives them.
    pub values: HashMap<String, Zeroizing<String>>,
    /// References that found nothing, in file order (each became the empty string).
    pub undefined: Vec<Undefined>,
    /// The first key whose expansion would pass [`MAX_EXPANDED`] bytes, or take the expanded
    /// values together past [`MAX_EXPANDED_TOTAL`], with the limit it passes; the caller
    /// refuses it. Expansion stops there.
    pub too_large: Option<(String, Limit)>,
}

impl Expanded {
    /// The error that refuses [`Expanded::too_large`] for `doc`, read from `path`: the key and
    /// its line, and the limit it passes (exit 65). `None` when every value expanded.
    pub fn refusal(&self, path: &std::path::Path, doc: &Document) -> Option<DotenvError> {
        let (key, limit) = self.too_large.as_ref()?;
        let (total, max) = match limit {
            Limit::Value => (false, MAX_EXPANDED),
            Limit::Total => (true, MAX_EXPANDED_TOTAL),
        };
        Some(DotenvError {
            path: path.to_path_buf(),
            problem: DotenvProblem::ExpandsTooFar {
                key: key.clone(),
                line: doc.line_of_key(key),
                total,
                max,
            },
        })
    }

    /// The value of `key` as expanded: the expanded text, or `raw` (the document's) when it
    /// had no reference.
    pub fn value<'a>(&'a self, key: &str, raw: &'a str) -> &'a str {
        self.values.get(key).map_or(raw, |v| v.as_str())
    }
}

/// Expands the references in `doc`'s values (see the module docs). `outside` gives an outside
/// variable's value (the process environment for `run`; nothing for `export`).
pub fn expand(
    doc: &Document,
    outside: &dyn Fn(&str) -> Option<Zeroizing<String>>,
    order: Outside,
) -> Expanded {
    let mut out = Expanded::default();
    let keys = doc.keys();
    let mut above: Vec<&str> = Vec::with_capacity(keys.len());
    let mut total = 0usize;
    for &key in &keys {
        let Some(raw) = doc.get(key) else {
            continue;
        };
        if !raw.contains("${") || doc.is_single_quoted(key) {
            above.push(key);
            continue;
        }
        let substituted = substitute(raw, &mut |name: &str| {
            let file = || -> Option<Zeroizing<String>> {
                if !above.contains(&name) {
                    return None;
                }
                let raw = doc.get(name)?;
                Some(Zeroizing::new(out.value(name, raw).to_owned()))
            };
            match order {
                Outside::Wins => outside(name).or_else(file),
                Outside::Loses => file().or_else(|| outside(name)),
            }
        });
        let Some((value, missing)) = substituted else {
            out.too_large = Some((key.to_owned(), Limit::Value));
            break;
        };
        total = total.saturating_add(value.len());
        if total > MAX_EXPANDED_TOTAL {
            out.too_large = Some((key.to_owned(), Limit::Total));
            break;
        }
        out.undefined
            .extend(missing.into_iter().map(|name| Undefined {
                key: key.to_owned(),
                name: keys.contains(&name).then(|| name.to_owned()),
            }));
        out.values.insert(key.to_owned(), value);
        above.push(key);
    }
    out
}

/// `value` with each `${NAME}` / `${NAME:-DEFAULT}` replaced: by `lookup(NAME)`, else DEFAULT,
/// else nothing; and the NAMEs that got nothing (no value, no default). Everything else is
/// copied as it is. `None` when the result would pass [`MAX_EXPANDED`] bytes.
fn substitute<'v>(
    value: &'v str,
    lookup: &mut dyn FnMut(&str) -> Option<Zeroizing<String>>,
) -> Option<(Zeroizing<String>, Vec<&'v str>)> {
    let mut missing = Vec::new();
    let mut out = Zeroizing::new(String::with_capacity(value.len()));
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        let Some((name, default, len)) = reference(&rest[at..]) else {
            // Not a reference here: the `$` is literal, and the search goes on after it.
            out.push_str(&rest[..at + 1]);
            rest = &rest[at + 1..];
            continue;
        };
        out.push_str(&rest[..at]);
        let found = lookup(name);
        let piece = match (&found, default) {
            (Some(found), _) => found.as_str(),
            (None, Some(default)) => default,
            (None, None) => {
                missing.push(name);
                ""
            }
        };
        if out.len() + piece.len() + rest.len() > MAX_EXPANDED {
            return None;
        }
        // Grown by hand: a reallocation would leave an unzeroized copy behind.
        grow(&mut out, piece.len() + rest.len());
        out.push_str(piece);
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    Some((out, missing))
}

/// Makes room for `more` bytes in `out`, moving its text into a new zeroizing buffer (the old
/// one is wiped when dropped) rather than letting `String` reallocate and leave a copy.
fn grow(out: &mut Zeroizing<String>, more: usize) {
    if out.capacity() - out.len() >= more {
        return;
    }
    let size = (out.len() + more).max(out.capacity() * 2);
    let mut bigger = Zeroizing::new(String::with_capacity(size));
    bigger.push_str(out);
    *out = bigger;
}

/// The reference at the start of `text` (which starts with `${`): its name, its default and
/// its length, as python-dotenv's `\$\{([^}:]*)(?::-([^}]*))?\}` matches.
fn reference(text: &str) -> Option<(&str, Option<&str>, usize)> {
    let body = &text[2..];
    let name_end = body.find(['}', ':']).unwrap_or(body.len());
    let name = &body[..name_end];
    let after = &body[name_end..];
    if after.starts_with('}') {
        return Some((name, None, 2 + name_end + 1));
    }
    let default_text = after.strip_prefix(":-")?;
    let close = default_text.find('}')?;
    Some((
        name,
        Some(&default_text[..close]),
        2 + name_end + 2 + close + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(text: &str, env: &[(&str, &str)], order: Outside) -> Vec<(String, String)> {
        let doc = Document::parse(text);
        let outside = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| Zeroizing::new((*v).to_owned()))
        };
        let e = expand(&doc, &outside, order);
        doc.keys()
            .into_iter()
            .map(|k| (k.to_owned(), e.value(k, doc.get(k).unwrap()).to_owned()))
            .collect()
    }

    fn get(values: &[(String, String)], key: &str) -> String {
        values.iter().find(|(k, _)| k == key).unwrap().1.clone()
    }

    #[test]
    fn references_expand_as_python_dotenv_expands_them() {
        // The same cases are checked against the real python-dotenv in tests/cli.
        let text = "A=x\nB=${A}y\nC=\"${A}z\"\nD='${A}w'\nE=${NOPE:-dflt}\nF=${A:-dflt}\n\
                    G=$A\nH=${A:b}\nI=${}\nK=${L}\nL=late\nM=${A}${A}:${E}\nN=${A:-}\n\
                    O=${ unclosed\nP=$${A}\n";
        let v = expanded(text, &[], Outside::Loses);
        for (key, want) in [
            ("B", "xy"),
            ("C", "xz"),
            ("D", "${A}w"),
            ("E", "dflt"),
            ("F", "x"),
            ("G", "$A"),
            ("H", "${A:b}"),
            ("I", ""),
            ("K", ""),
            ("M", "xx:dflt"),
            ("N", "x"),
            ("O", "${ unclosed"),
            ("P", "$x"),
        ] {
            assert_eq!(get(&v, key), want, "{key}");
        }
    }

    #[test]
    fn the_outside_wins_or_loses_as_asked() {
        let text = "A=file\nB=${A}\nC=${HOME_DIR}\n";
        let env = [("A", "shell"), ("HOME_DIR", "/home/u")];
        let v = expanded(text, &env, Outside::Wins);
        assert_eq!(get(&v, "B"), "shell");
        assert_eq!(get(&v, "C"), "/home/u");
        let v = expanded(text, &env, Outside::Loses);
        assert_eq!(get(&v, "B"), "file");
        assert_eq!(get(&v, "C"), "/home/u");
    }

    #[test]
    fn a_doubling_chain_stops_at_the_limit_instead_of_taking_all_memory() {
        let mut text = String::from("A0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
        for i in 1..60 {
            text.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
        }
        let doc = Document::parse(&text);
        let e = expand(&doc, &|_| None, Outside::Loses);
        // 32 << 15 = 1 MiB: A15 is the first past it.
        assert_eq!(e.too_large, Some(("A15".to_owned(), Limit::Value)));
        assert!(e.values.values().all(|v| v.len() <= MAX_EXPANDED));
        // The refusal names the file, the key's line and the limit, in the dotenv area's words.
        let refused = e.refusal(std::path::Path::new("app/.env"), &doc).unwrap();
        assert_eq!(
            refused.to_string(),
            "app/.env:16: `A15` would be longer than 1 MiB once its ${...} references are \
             expanded"
        );
        assert!(std::error::Error::source(&refused).is_none());
        assert!(
            expand(&Document::parse("A=${B}\n"), &|_| None, Outside::Loses)
                .refusal(std::path::Path::new("app/.env"), &doc)
                .is_none()
        );
    }

    #[test]
    fn fail_many_values_each_under_the_limit_stop_at_the_total() {
        // A 512 KiB `A19` (19 doublings of 1 byte) then copies of it: each value is under
        // MAX_EXPANDED, together they would pass MAX_EXPANDED_TOTAL at the 127th copy.
        let mut text = String::from("A0=x\n");
        for i in 1..=19 {
            text.push_str(&format!("A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
        }
        for i in 0..200 {
            text.push_str(&format!("B{i}=${{A19}}\n"));
        }
        let doc = Document::parse(&text);
        let e = expand(&doc, &|_| None, Outside::Loses);
        let (key, limit) = e.too_large.clone().unwrap();
        assert_eq!(limit, Limit::Total);
        // A1..A19 hold 1 MiB - 2 bytes; then 126 copies fit.
        assert_eq!(key, "B126");
        assert_eq!(
            e.refusal(std::path::Path::new("app/.env"), &doc)
                .unwrap()
                .to_string(),
            "app/.env:147: `B126` would take the file's values past 64 MiB in all once their \
             ${...} references are expanded"
        );
        let sum: usize = e.values.values().map(|v| v.len()).sum();
        assert!(sum <= MAX_EXPANDED_TOTAL, "{sum}");
    }

    #[test]
    fn undefined_references_are_reported_naming_only_keys_of_the_file() {
        let doc = Document::parse("A=${LATER}\nB=${p4ss}\nLATER=1\nC=${X:-d}\n");
        let e = expand(&doc, &|_| None, Outside::Loses);
        assert_eq!(
            e.undefined,
            [
                Undefined {
                    key: "A".into(),
                    name: Some("LATER".into())
                },
                Undefined {
                    key: "B".into(),
                    name: None
                },
            ]
        );
    }
}
