//! A lossless dotenv document, and the rules for the values envmint writes into one.
//!
//! [`Document::parse`] keeps every byte: comments, blank lines, order, `export ` prefixes,
//! quoting, CRLF or CR line endings, a missing final newline and a UTF-8 BOM. Rendering an
//! unedited document gives back the input, and an edit changes only the lines it is about
//! (see [Editing](#editing)). Parsing never fails: a line that cannot be read is kept as it is
//! and reported as a [`Warning`].
//!
//! # Reading
//!
//! Values are read the way python-dotenv (1.x), the Node `dotenv` package and docker compose
//! read them where they agree; where they do not, envmint follows python-dotenv and compose
//! (listed below), and never guesses on a line none of them would read the same way.
//!
//! - A line is: optional whitespace, optional `export` and whitespace, a key, optional
//!   whitespace, `=`, optional whitespace, a value. Keys are `[A-Za-z0-9_.-]+`, the characters
//!   both python-dotenv and Node accept. Lines break at `\n`, `\r\n` and a lone `\r` (both
//!   python-dotenv and Node do).
//! - Unquoted values are trimmed, and a `#` preceded by whitespace starts a comment.
//! - Single-quoted values are literal and may span lines.
//! - Double-quoted values may span lines and decode python-dotenv's escapes
//!   `\\ \' \" \a \b \f \n \r \t \v`; any other backslash is kept.
//! - A quote closes at the first matching quote not escaped by a backslash (a backslash
//!   escapes the next character, so `"C:\\"` closes). After it only whitespace and a `#`
//!   comment may follow on that line.
//! - `#` as first non-blank character: a comment line. Whitespace only: a blank line.
//! - The last definition of a key wins (all three readers agree); a repeated key is reported.
//!
//! Lines kept but not read, each with a warning:
//!
//! - a quote never closed before the end of the file: that line only; the following lines are
//!   read normally. Nothing may be written after it ([`EditError::UnterminatedQuote`]), since
//!   a quote in a new line would close it and swallow what lies between;
//! - text after a closing quote (`KEY='a' junk`): the item, up to the end of the line where
//!   the quote closed, which is where python-dotenv resumes;
//! - a key without `=` (`KEY`, `export KEY`): python-dotenv reads it as unset, compose takes
//!   the value from its own environment, Node skips it;
//! - anything else: `KEY: value` (Node's YAML form), quoted keys, keys with other characters.
//!
//! When an unreadable line starts with `KEY=` (the first two kinds), the key is remembered:
//! [`Document::contains_key`] counts it as present (some reader may see a value there, so a
//! second definition elsewhere would leave readers disagreeing), [`Document::get`] gives `None`
//! when that line comes after the last readable definition, and `set`/`append` of the key are
//! refused with [`EditError::KeyOnUnparsableLine`] until a person fixes the line.
//! A word without `=` is not remembered as a key: it may be a secret pasted on its own line
//! (the tail of a broken multi-line value), and every reader lets a later `KEY=value` win over
//! `KEY` or `KEY: value`, so appending after it is safe.
//!
//! # Where the readers disagree
//!
//! Found by reading the peers' sources and checked by `tests/dotenv_peers.rs`. None of these
//! affects a value envmint writes.
//!
//! | input | python-dotenv | Node dotenv | compose | envmint |
//! | --- | --- | --- | --- | --- |
//! | `A=b#c` | `b#c` | `b` (any `#` ends an unquoted value) | `b#c` | `b#c` |
//! | `A= #c`, `A=#c` | `#c` | empty | | `#c` |
//! | `A='x\'y'` | `x'y` | `x\'y` | `x'y` | `x'y` |
//! | `A='x\\y'` | `x\y` | `x\\y` | | `x\y` |
//! | `A="x\ty"` | tab | `\t` kept | tab | tab |
//! | `A="x\"y"` | `x"y` | `x\"y` | `x"y` | `x"y` |
//! | `A=`x``, backticks | literal | quotes | literal | literal |
//! | line break inside quotes | kept as `\r\n` | `\n` | `\n` | `\n` |
//! | `A='x` never closed | line skipped | `'x` | error | line kept, not read |
//! | `A='x' junk` | line skipped | `'x' junk` | | line kept, not read |
//! | `A` alone | unset (`None`) | skipped | from the environment | kept, not read |
//! | `A: b` | line skipped | `b` | `b` | kept, not read |
//! | `A=x\` at the end of a line (sh joins the next line) | `x\` | `x\` | | `x\`, a warning; an append or insert leaves a blank line after it |
//! | BOM before the first key | part of the key | stripped | | stripped (and kept), a warning |
//! | `A="x\\"` then a line with `"` | runs to that quote, drops both | closes (backtracks) | | closes |
//! | `A="x\"` and no later `"` | closes at that `\"` (backtracks) | same | error | unterminated |
//! | `A=` then a line starting with a quote | empty | the quoted next line | empty | empty |
//! | `B=${A}x`, `B="${A}x"`, `B=${A:-d}x` | expanded (`A` from above in the file or the environment) | literal | expanded | literal when read; `run` and `export` expand (see [`interpolate`]) |
//! | `B='${A}x'` | expanded (1.x) | literal | literal | literal |
//! | `B=$A` | literal | literal | expanded | literal |
//!
//! Docker compose also interpolates `$VAR` in unquoted and double-quoted values, python-dotenv
//! `${VAR}` in any value, and the shell (`set -a; . ./.env`) applies its own quoting; envmint
//! writes every value in the one form none of them changes (see [Writing](#writing)). A
//! hand-written `${VAR}` is read as written ([`Document::get`]); `run` and `export`, which hand
//! values to an app in place of its loader, expand it first ([`interpolate::expand`]:
//! python-dotenv's rules, single quotes literal as in compose).
//!
//! # Editing
//!
//! - [`Document::set`] and [`Document::replace_value`] rewrite a key's last definition in place
//!   (`replace_value` keeps its quotes); a multi-line value becomes one line.
//! - [`Document::insert_after`] writes a new `KEY=value` line directly after another key's last
//!   definition (rotation keeps `KEY_PREVIOUS` next to `KEY`); [`Document::append`] writes one
//!   at the end.
//! - [`Document::remove`] takes out every definition of a key and the records above them.
//! - Records: a comment line `# envmint: TEXT` directly above a key's definition belongs to that
//!   key. [`Document::record`] reads it, [`Document::set_record`] replaces or inserts it. It
//!   stays above its key through every edit and goes when the key is removed.
//!
//! New lines take the file's most common line ending. Every edit is refused, leaving the
//! document unchanged, for a key on an unreadable line and for a line written after a quote
//! that never closes. Line numbers in errors and [`Document::line_of_key`] count the lines as
//! they are after edits; warnings name the lines of the input as parsed.
//!
//! # Writing
//!
//! [`quote_value`] writes a value of ASCII letters, digits and `-_.+:@/%^,=` bare; any other
//! value in single quotes, where `$`, `"`, `` ` ``, `#`, spaces and a lone backslash are literal
//! to every reader; a value with a single quote in double quotes when it has no `$`, `` ` ``,
//! `\` or `"`; and refuses the rest (`${`, which python-dotenv expands even in single quotes,
//! `\\` or a final backslash, control characters, whitespace other than a space).
//! [`check_writable_alphabet`] refuses a generator's alphabet that could produce such a value.
//! Written values read back byte for byte in python-dotenv, Node dotenv, docker compose and sh.

mod document;
pub mod error;
pub mod interpolate;
mod item;
mod key;
mod parse;
mod quote;
mod warning;

pub use document::{Document, KeyRef};
pub use error::EditError;
pub use key::is_valid_key;
pub use quote::{UnsafeChar, check_writable_alphabet, check_writable_value, fits_in, quote_value};
pub use warning::Warning;

#[cfg(test)]
mod tests;
