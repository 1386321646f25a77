//! How envmint writes a value, and which characters it refuses to write.
//!
//! A value is written so that python-dotenv, the Node `dotenv` package, docker compose and a
//! POSIX shell (`set -a; . ./file`) all read back exactly the same bytes. Those readers disagree
//! about backslashes, `$` interpolation, backticks and whitespace, so envmint avoids every
//! character on which they differ instead of trying to escape it: a value is either bare (safe
//! everywhere without quotes) or single-quoted (literal everywhere), or it is refused.

use std::fmt;
use zeroize::Zeroizing;

/// The characters a bare (unquoted) value may contain besides ASCII letters and digits.
///
/// None of them is special to a shell in an assignment word, none starts a comment, and none is
/// trimmed by a dotenv reader. `~` is left out on purpose: bash expands it after `=` and `:`.
const BARE_PUNCTUATION: &str = "-_.+:@/%^,=";

/// A class of character envmint will not write into a dotenv file.
///
/// It names the class only: the character's position or neighbours would reveal part of a
/// secret value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsafeChar {
    /// `$`: docker compose interpolates it outside single quotes, and some tools inside too.
    Dollar,
    /// `\`: python-dotenv and compose unescape it inside quotes, Node and the shell do not.
    Backslash,
    /// `'`: it would end the single-quoted form.
    SingleQuote,
    /// `"`: quoting rules for it differ between readers.
    DoubleQuote,
    /// `` ` ``: Node treats it as a quote, the shell as command substitution.
    Backtick,
    /// Any Unicode whitespace: readers trim it differently and it ends a shell word.
    Whitespace,
    /// A control character (C0, DEL or C1): line breaks and NUL cannot round-trip.
    Control,
}

impl UnsafeChar {
    /// The class of `c`, or `None` when `c` may be written inside single quotes.
    pub fn of(c: char) -> Option<UnsafeChar> {
        match c {
            '$' => Some(UnsafeChar::Dollar),
            '\\' => Some(UnsafeChar::Backslash),
            '\'' => Some(UnsafeChar::SingleQuote),
            '"' => Some(UnsafeChar::DoubleQuote),
            '`' => Some(UnsafeChar::Backtick),
            c if c.is_control() => Some(UnsafeChar::Control),
            c if c.is_whitespace() => Some(UnsafeChar::Whitespace),
            _ => None,
        }
    }
}

impl fmt::Display for UnsafeChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnsafeChar::Dollar => "a `$`",
            UnsafeChar::Backslash => "a backslash",
            UnsafeChar::SingleQuote => "a single quote",
            UnsafeChar::DoubleQuote => "a double quote",
            UnsafeChar::Backtick => "a backtick",
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

/// Refuses an alphabet that could produce a value envmint cannot write.
///
/// The accepted set is exactly what [`quote_value`] can write, so every string drawn from an
/// accepted alphabet is writable.
pub fn check_writable_alphabet(chars: &str) -> Result<(), UnsafeChar> {
    match chars.chars().find_map(UnsafeChar::of) {
        Some(bad) => Err(bad),
        None => Ok(()),
    }
}

/// The text envmint writes after `KEY=` for `value`.
///
/// A value of only ASCII letters, digits and `-_.+:@/%^,=` is returned as is (the empty value
/// too); any other value free of [`UnsafeChar`]s is wrapped in single quotes.
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
    check_writable_alphabet(value)?;
    out.push('\'');
    out.push_str(value);
    out.push('\'');
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
        for v in ["#x", "a#b", "~", "{a}[b](c)<d>", "&|;*?!", "é€🙂"] {
            assert_eq!(*quote_value(v).unwrap(), format!("'{v}'"), "{v}");
        }
    }

    #[test]
    fn fail_values_with_unsafe_characters() {
        let table = [
            ("a$b", UnsafeChar::Dollar),
            ("a\\b", UnsafeChar::Backslash),
            ("it's", UnsafeChar::SingleQuote),
            ("say \"x\"", UnsafeChar::Whitespace),
            ("\"x\"", UnsafeChar::DoubleQuote),
            ("`id`", UnsafeChar::Backtick),
            ("a b", UnsafeChar::Whitespace),
            ("a\u{a0}b", UnsafeChar::Whitespace),
            ("a\tb", UnsafeChar::Control),
            ("a\nb", UnsafeChar::Control),
            ("a\0b", UnsafeChar::Control),
            ("a\u{7f}b", UnsafeChar::Control),
            ("a\u{2028}b", UnsafeChar::Whitespace),
        ];
        for (v, class) in table {
            assert_eq!(quote_value(v).map(|w| w.to_string()), Err(class), "{v:?}");
        }
    }

    #[test]
    fn unsafe_char_messages_name_the_class_only() {
        assert_eq!(UnsafeChar::Dollar.to_string(), "a `$`");
        assert_eq!(UnsafeChar::Control.to_string(), "a control character");
    }

    #[test]
    fn every_accepted_alphabet_is_writable() {
        let printable: String = (' '..='~').collect();
        let accepted: String = printable
            .chars()
            .filter(|c| UnsafeChar::of(*c).is_none())
            .collect();
        assert!(check_writable_alphabet(&accepted).is_ok());
        assert!(accepted.contains('#') && accepted.contains('~') && accepted.contains('!'));
        assert_eq!(*quote_value(&accepted).unwrap(), format!("'{accepted}'"));
    }

    #[test]
    fn fail_alphabets_with_unsafe_characters() {
        assert_eq!(check_writable_alphabet("abc$"), Err(UnsafeChar::Dollar));
        assert_eq!(check_writable_alphabet("ab c"), Err(UnsafeChar::Whitespace));
        assert_eq!(check_writable_alphabet("ab\\"), Err(UnsafeChar::Backslash));
        assert!(check_writable_alphabet("").is_ok());
    }
}
