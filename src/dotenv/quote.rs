//! How envmint writes a value, and which values it refuses to write.
//!
//! A value is written so that python-dotenv (with its default `${VAR}` interpolation), the Node
//! `dotenv` package, docker compose and a POSIX shell (`set -a; . ./file`) all read back exactly
//! the same bytes. Those readers disagree about backslashes, `$` interpolation, backticks and
//! whitespace, so envmint picks the one form in which the value means the same to all of them:
//!
//! - **bare** when it holds only ASCII letters, digits and `-_.+:@/%^,=`;
//! - **single quotes** otherwise: literal in sh, Node and compose. python-dotenv still expands
//!   `${NAME}` and unescapes `\\` and `\'` there, and compose takes `\'` for an escaped quote,
//!   so a single-quoted value may hold `$`, `"`, `` ` ``, `#`, spaces and a backslash, but not a
//!   `${`, two backslashes in a row or a backslash at its end;
//! - **double quotes** for a value with a single quote, when it has no `$`, `` ` ``, `\` or `"`
//!   (the characters sh, compose and python-dotenv treat specially inside double quotes).
//!
//! Anything else (a control character, whitespace other than a space, a single quote next to
//! one of those characters) is refused: no quoting reads back the same everywhere.

use std::fmt;
use zeroize::Zeroizing;

/// The characters a bare (unquoted) value may contain besides ASCII letters and digits.
///
/// None of them is special to a shell in an assignment word, none starts a comment, and none is
/// trimmed by a dotenv reader. `~` is left out on purpose: bash expands it after `=` and `:`.
const BARE_PUNCTUATION: &str = "-_.+:@/%^,=";

/// Why envmint will not write a value (or accept an alphabet or separator).
///
/// It names the class only: the character's position or neighbours would reveal part of a
/// secret value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsafeChar {
    /// `${` (python-dotenv expands `${NAME}` even inside single quotes), or a `$` in a value
    /// that needs double quotes (sh and compose expand it there).
    Dollar,
    /// Two backslashes in a row or one at the end (python-dotenv unescapes `\\` inside single
    /// quotes, compose reads `\'` as an escaped quote), or a backslash in a value that needs
    /// double quotes.
    Backslash,
    /// `'` in an alphabet or separator (a generated value must fit single quotes).
    SingleQuote,
    /// `"` in a value that also holds a single quote.
    DoubleQuote,
    /// `` ` `` in a value that also holds a single quote (sh runs it inside double quotes).
    Backtick,
    /// Unicode whitespace other than a space (readers trim and split lines differently), or
    /// any whitespace in an alphabet or separator.
    Whitespace,
    /// A control character (C0, DEL or C1): line breaks and NUL cannot round-trip.
    Control,
}

impl UnsafeChar {
    /// The class of `c` when it may not appear in an alphabet or separator at all, or `None`
    /// when it may (see [`check_writable_alphabet`] for the one pair refused together).
    pub fn of(c: char) -> Option<UnsafeChar> {
        match c {
            '\\' => Some(UnsafeChar::Backslash),
            '\'' => Some(UnsafeChar::SingleQuote),
            c if c.is_control() => Some(UnsafeChar::Control),
            c if c.is_whitespace() => Some(UnsafeChar::Whitespace),
            _ => None,
        }
    }
}

impl fmt::Display for UnsafeChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnsafeChar::Dollar => {
                "a `$` some reader would expand (`${`, or `$` beside a single quote)"
            }
            UnsafeChar::Backslash => {
                "a backslash readers unescape differently (`\\\\`, one at the end, or one beside a \
                 single quote)"
            }
            UnsafeChar::SingleQuote => "a single quote",
            UnsafeChar::DoubleQuote => "a double quote beside a single quote",
            UnsafeChar::Backtick => "a backtick beside a single quote",
            UnsafeChar::Whitespace => "whitespace",
            UnsafeChar::Control => "a control character",
        })
    }
}

impl std::error::Error for UnsafeChar {}

/// Whether `c` can be written without quotes.
fn is_bare_safe(c: char) -> bool {
    c.is_ascii_alphanumeric() || BARE_PUNCTUATION.contains(c)
}

/// Control characters and whitespace other than a space: no quoting carries them everywhere.
fn unquotable(value: &str) -> Option<UnsafeChar> {
    value.chars().find_map(|c| match c {
        c if c.is_control() => Some(UnsafeChar::Control),
        ' ' => None,
        c if c.is_whitespace() => Some(UnsafeChar::Whitespace),
        _ => None,
    })
}

/// Why `value` (free of [`unquotable`] characters and of `'`) cannot be single-quoted.
fn single_quote_problem(value: &str) -> Option<UnsafeChar> {
    if value.contains("${") {
        return Some(UnsafeChar::Dollar);
    }
    if value.contains("\\\\") || value.ends_with('\\') {
        return Some(UnsafeChar::Backslash);
    }
    None
}

/// Why `value` (free of [`unquotable`] characters) cannot be double-quoted.
fn double_quote_problem(value: &str) -> Option<UnsafeChar> {
    value.chars().find_map(|c| match c {
        '$' => Some(UnsafeChar::Dollar),
        '\\' => Some(UnsafeChar::Backslash),
        '"' => Some(UnsafeChar::DoubleQuote),
        '`' => Some(UnsafeChar::Backtick),
        _ => None,
    })
}

/// Whether `value` reads back unchanged everywhere inside quote `q` (`'` or `"`): what
/// [`crate::dotenv::Document::replace_value`] asks before it keeps a line's quotes.
pub fn fits_in(value: &str, q: char) -> bool {
    unquotable(value).is_none()
        && !value.contains(q)
        && match q {
            '\'' => single_quote_problem(value).is_none(),
            _ => double_quote_problem(value).is_none(),
        }
}

/// Refuses an alphabet (or a list separator) that could produce a value envmint cannot write
/// in single quotes: a backslash, a single quote, whitespace, a control character, or both
/// `$` and `{` (which could make `${`).
///
/// Every string drawn from an accepted alphabet is writable by [`quote_value`].
pub fn check_writable_alphabet(chars: &str) -> Result<(), UnsafeChar> {
    if let Some(bad) = chars.chars().find_map(UnsafeChar::of) {
        return Err(bad);
    }
    if chars.contains('$') && chars.contains('{') {
        return Err(UnsafeChar::Dollar);
    }
    Ok(())
}

/// Why envmint cannot write `value`, or `None` when [`quote_value`] writes it.
pub fn check_writable_value(value: &str) -> Option<UnsafeChar> {
    quote_value(value).err()
}

/// The text envmint writes after `KEY=` for `value`: bare, single-quoted or double-quoted, as
/// the [module docs](self) say, or the reason no form reads back the same everywhere.
///
/// The result is a copy of a secret, so it is zeroizing, sized up front so that it never
/// reallocates and leaves a copy behind.
pub fn quote_value(value: &str) -> Result<Zeroizing<String>, UnsafeChar> {
    let mut out = Zeroizing::new(String::with_capacity(value.len() + 2));
    push_quoted(&mut out, value)?;
    Ok(out)
}

/// Appends the written form of `value` to `out`, which the caller keeps zeroizing.
///
/// `out` must have room for `value.len() + 2` more bytes if the caller wants no reallocation to
/// leave a copy behind.
pub(crate) fn push_quoted(out: &mut String, value: &str) -> Result<(), UnsafeChar> {
    if value.chars().all(is_bare_safe) {
        out.push_str(value);
        return Ok(());
    }
    if let Some(bad) = unquotable(value) {
        return Err(bad);
    }
    let quote = if !value.contains('\'') {
        if let Some(bad) = single_quote_problem(value) {
            return Err(bad);
        }
        '\''
    } else {
        if let Some(bad) = double_quote_problem(value) {
            return Err(bad);
        }
        '"'
    };
    out.push(quote);
    out.push_str(value);
    out.push(quote);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_values_are_written_as_is() {
        for v in ["", "abc", "A-Za_z0.9+:@/%^,=", "==", "-x", "deadBEEF"] {
            assert_eq!(quote_value(v).unwrap().as_str(), v, "{v}");
        }
    }

    #[test]
    fn other_printable_values_are_single_quoted() {
        for v in [
            "#x",
            "a#b",
            "~",
            "{a}[b](c)<d>",
            "&|;*?!",
            "é€🙂",
            "a$b",
            "$",
            "$HOME",
            "a$(x)",
            "say \"x\"",
            "`id`",
            "a b",
            "a\\b",
            "\\n",
            "x}$",
            "!@#$%^&*(-_=+)",
        ] {
            assert_eq!(*quote_value(v).unwrap(), format!("'{v}'"), "{v}");
        }
    }

    #[test]
    fn values_with_a_single_quote_are_double_quoted_when_nothing_else_is_special() {
        for v in ["it's", "'", "a'b#c d", "''"] {
            assert_eq!(*quote_value(v).unwrap(), format!("\"{v}\""), "{v}");
        }
    }

    #[test]
    fn fail_values_no_quoting_reads_back_the_same() {
        let table = [
            ("a${b}", UnsafeChar::Dollar),
            ("${", UnsafeChar::Dollar),
            ("it's $5", UnsafeChar::Dollar),
            ("a\\\\b", UnsafeChar::Backslash),
            ("ab\\", UnsafeChar::Backslash),
            ("it's\\", UnsafeChar::Backslash),
            ("it's \"x\"", UnsafeChar::DoubleQuote),
            ("'`id`'", UnsafeChar::Backtick),
            ("a\u{a0}b", UnsafeChar::Whitespace),
            ("a\tb", UnsafeChar::Control),
            ("a\nb", UnsafeChar::Control),
            ("a\0b", UnsafeChar::Control),
            ("a\u{7f}b", UnsafeChar::Control),
            ("a\u{2028}b", UnsafeChar::Whitespace),
        ];
        for (v, class) in table {
            assert_eq!(quote_value(v).map(|w| w.to_string()), Err(class), "{v:?}");
            assert_eq!(check_writable_value(v), Some(class), "{v:?}");
        }
    }

    #[test]
    fn unsafe_char_messages_name_the_class_only() {
        assert!(UnsafeChar::Dollar.to_string().contains("`${`"));
        assert_eq!(UnsafeChar::Control.to_string(), "a control character");
    }

    #[test]
    fn every_accepted_alphabet_is_writable() {
        let printable: String = (' '..='~').collect();
        let accepted: String = printable
            .chars()
            .filter(|c| UnsafeChar::of(*c).is_none() && *c != '{')
            .collect();
        assert!(check_writable_alphabet(&accepted).is_ok());
        for c in "#~!$\"`".chars() {
            assert!(accepted.contains(c), "{c}");
        }
        assert_eq!(*quote_value(&accepted).unwrap(), format!("'{accepted}'"));
        // Django's get_random_secret_key() alphabet.
        assert!(
            check_writable_alphabet("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)").is_ok()
        );
    }

    #[test]
    fn fail_alphabets_with_unsafe_characters() {
        assert_eq!(check_writable_alphabet("abc${"), Err(UnsafeChar::Dollar));
        assert_eq!(check_writable_alphabet("ab c"), Err(UnsafeChar::Whitespace));
        assert_eq!(check_writable_alphabet("ab\\"), Err(UnsafeChar::Backslash));
        assert_eq!(check_writable_alphabet("ab'"), Err(UnsafeChar::SingleQuote));
        assert!(check_writable_alphabet("").is_ok());
        assert!(check_writable_alphabet("ab$").is_ok());
    }

    #[test]
    fn fits_in_a_quote() {
        assert!(fits_in("a$b", '\''));
        assert!(!fits_in("a$b", '"'));
        assert!(fits_in("it's", '"'));
        assert!(!fits_in("it's", '\''));
        assert!(!fits_in("a\\\\b", '\''));
        assert!(fits_in("plain#x", '"'));
    }
}
