//! Splitting text into items and reading each one, in one forward pass.
//!
//! The reading rules (and where the peers disagree) are described in the module docs of
//! [`crate::dotenv`]. Everything here works on byte offsets: every delimiter is ASCII, so slicing
//! at them always falls on a character boundary.

use super::item::{Broken, Item, ItemKind, LineEnding, Quote, ValueSpan};
use zeroize::Zeroizing;

/// Whitespace inside a line. Line breaks are never inline whitespace.
fn is_inline_ws(c: char) -> bool {
    c != '\n' && c != '\r' && c.is_whitespace()
}

/// Characters of a key that python-dotenv and Node both accept.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'
}

/// The offset of the first non-whitespace character in `text[from..to]`, or `to`.
fn skip_ws(text: &str, from: usize, to: usize) -> usize {
    text[from..to]
        .char_indices()
        .find(|&(_, c)| !is_inline_ws(c))
        .map_or(to, |(i, _)| from + i)
}

/// The end of the line starting at `from` (excluding its terminator) and the start of the next.
pub(crate) fn line_bounds(bytes: &[u8], from: usize) -> (usize, usize) {
    match memchr::memchr2(b'\n', b'\r', &bytes[from..]) {
        None => (bytes.len(), bytes.len()),
        Some(i) => {
            let end = from + i;
            let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
            (end, next)
        }
    }
}

/// Line terminators seen, to pick the style of appended lines.
#[derive(Default)]
struct EndingCounts {
    lf: usize,
    crlf: usize,
    cr: usize,
}

impl EndingCounts {
    /// Counts the terminator of a one-line item.
    fn add_one(&mut self, terminator: &[u8]) {
        match terminator {
            b"\r\n" => self.crlf += 1,
            b"\r" => self.cr += 1,
            b"\n" => self.lf += 1,
            _ => {}
        }
    }

    /// Counts the terminators in `raw` and returns how many lines it spans.
    fn add(&mut self, raw: &[u8]) -> usize {
        let mut terminators = 0;
        let mut i = 0;
        while i < raw.len() {
            match raw[i] {
                b'\r' if raw.get(i + 1) == Some(&b'\n') => {
                    self.crlf += 1;
                    terminators += 1;
                    i += 1;
                }
                b'\r' => {
                    self.cr += 1;
                    terminators += 1;
                }
                b'\n' => {
                    self.lf += 1;
                    terminators += 1;
                }
                _ => {}
            }
            i += 1;
        }
        let unterminated_tail = !matches!(raw.last(), Some(b'\n' | b'\r'));
        terminators + usize::from(unterminated_tail && !raw.is_empty())
    }

    /// The most common terminator; `\n` when there is none or on a tie.
    fn dominant(&self) -> LineEnding {
        if self.crlf > self.lf && self.crlf >= self.cr {
            LineEnding::CrLf
        } else if self.cr > self.lf && self.cr > self.crlf {
            LineEnding::Cr
        } else {
            LineEnding::Lf
        }
    }
}

/// Reads the items of `text` from offset `from` (past a BOM) to the end, handing each to
/// `each` in order, and returns the line ending appended lines should use.
pub(crate) fn parse_items(text: &str, from: usize, mut each: impl FnMut(Item)) -> LineEnding {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        no_close_from: [usize::MAX; 2],
    };
    let mut endings = EndingCounts::default();
    let mut pos = from;
    while pos < text.len() {
        let (line_end, next) = line_bounds(parser.bytes, pos);
        let (kind, end) = parser.item_at(pos, line_end, next);
        // Most items are one line: their terminator is already known, no need to rescan.
        let lines = if end == next {
            endings.add_one(&parser.bytes[line_end..next]);
            1
        } else {
            endings.add(&parser.bytes[pos..end])
        };
        each(Item {
            start: pos,
            end,
            lines,
            kind,
        });
        pos = end;
    }
    endings.dominant()
}

/// Reads again the one item that parsing found at line start `start`: the same answer, since an
/// item depends only on the text from its start on.
pub(crate) fn item_at(text: &str, start: usize) -> Item {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        no_close_from: [usize::MAX; 2],
    };
    let (line_end, next) = line_bounds(parser.bytes, start);
    let (kind, end) = parser.item_at(start, line_end, next);
    let lines = if end == next {
        1
    } else {
        EndingCounts::default().add(&parser.bytes[start..end])
    };
    Item {
        start,
        end,
        lines,
        kind,
    }
}

/// The value as readers see it, when it differs from the written content (escapes, CRs).
pub(crate) fn decoded(text: &str, value: &ValueSpan) -> Option<Zeroizing<String>> {
    let content = &text[value.content_start..value.content_end];
    match value.decode? {
        Quote::Single => Some(decode_single(content)),
        Quote::Double => Some(decode_double(content)),
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Per quote kind, an offset from which no closing quote exists: a second failed search
    /// for the same quote stops at once, so unterminated quotes cannot make parsing quadratic.
    no_close_from: [usize; 2],
}

impl Parser<'_> {
    /// Reads the item starting at `start`, a line start whose line ends at `end` (the next
    /// line starting at `next`); returns it and where it ends.
    fn item_at(&mut self, start: usize, end: usize, next: usize) -> (ItemKind, usize) {
        let first = skip_ws(self.text, start, end);
        if first == end {
            return (ItemKind::Blank, next);
        }
        if self.bytes[first] == b'#' {
            return (ItemKind::Comment, next);
        }
        let mut key_start = first;
        let rest = &self.text[first..end];
        if let Some(after) = rest.strip_prefix("export")
            && after.starts_with(is_inline_ws)
        {
            key_start = skip_ws(self.text, first + "export".len(), end);
        }
        let key_end = self.bytes[key_start..end]
            .iter()
            .position(|&b| !is_key_byte(b))
            .map_or(end, |i| key_start + i);
        let key = (key_start, key_end);
        let broken = |key: Option<(usize, usize)>, why| ItemKind::Broken { key, why };
        let key_ok = key_end > key_start
            && self.text[key_end..end]
                .chars()
                .next()
                .is_none_or(|c| c == '=' || c == '#' || c == ':' || is_inline_ws(c));
        if !key_ok {
            return (broken(None, Broken::NotAnAssignment), next);
        }
        let eq = skip_ws(self.text, key_end, end);
        // Without `=` the word may be a value pasted on its own line (the tail of a broken
        // multi-line value), so it is not remembered or named as a key.
        if eq == end || self.bytes[eq] == b'#' {
            return (broken(None, Broken::NoEquals), next);
        }
        if self.bytes[eq] != b'=' {
            return (broken(None, Broken::NotAnAssignment), next);
        }

        let value_start = skip_ws(self.text, eq + 1, end);
        let quote = match self.bytes.get(value_start) {
            Some(b'\'') => Some(Quote::Single),
            Some(b'"') => Some(Quote::Double),
            _ => None,
        };
        let Some(quote) = quote else {
            let value_end = unquoted_end(self.text, value_start, end);
            let value = ValueSpan {
                start: value_start,
                end: value_end,
                content_start: value_start,
                content_end: value_end,
                decode: None,
            };
            return (ItemKind::Entry { key, value }, next);
        };

        let Some(close) = self.closing_quote(quote, value_start + 1) else {
            return (broken(Some(key), Broken::Unterminated(quote)), next);
        };
        let (close_end, close_next) = line_bounds(self.bytes, close + 1);
        let after = skip_ws(self.text, close + 1, close_end);
        if after != close_end && self.bytes[after] != b'#' {
            return (broken(Some(key), Broken::TextAfterQuote), close_next);
        }
        let content = &self.text[value_start + 1..close];
        let value = ValueSpan {
            start: value_start,
            end: close + 1,
            content_start: value_start + 1,
            content_end: close,
            decode: needs_decoding(content).then_some(quote),
        };
        (ItemKind::Entry { key, value }, close_next)
    }

    /// The first `quote` at or after `from` that a backslash does not escape; a backslash
    /// escapes the next character, so `\\"` closes.
    ///
    /// python-dotenv's and Node's `"((?:\\"|[^"])*)"` regexes stop at the same quote except
    /// after `\\"`, where python-dotenv runs on to a later quote if there is one (losing both
    /// lines) and Node backtracks to the same answer as here.
    fn closing_quote(&mut self, quote: Quote, from: usize) -> Option<usize> {
        let slot = &mut self.no_close_from[quote as usize];
        if from >= *slot {
            return None;
        }
        let q = quote.byte();
        let mut i = from;
        while let Some(found) = self
            .bytes
            .get(i..)
            .and_then(|rest| memchr::memchr2(b'\\', q, rest))
        {
            i += found;
            if self.bytes[i] == q {
                return Some(i);
            }
            i += 2;
        }
        *slot = from;
        None
    }
}

/// The end of an unquoted value in `text[from..end]`: cut at the first `#` preceded by
/// whitespace (the python-dotenv and compose rule), then trimmed.
fn unquoted_end(text: &str, from: usize, end: usize) -> usize {
    let part = &text[from..end];
    // `#` is ASCII, so every byte match is a char boundary; only the char before each `#`
    // needs decoding. Most values have no `#` at all, and this never walks them char by char.
    let cut = memchr::memchr_iter(b'#', part.as_bytes())
        .find(|&i| part[..i].chars().next_back().is_some_and(is_inline_ws))
        .unwrap_or(part.len());
    let value = part[..cut].trim_end_matches(is_inline_ws);
    from + value.len()
}

/// Pushes `c`, reading a line break inside quotes as `\n` (Node and compose normalise CRLF and
/// CR; python-dotenv keeps them as they are).
fn push_normalised(out: &mut String, c: char, chars: &mut std::iter::Peekable<std::str::Chars>) {
    if c == '\r' {
        if chars.peek() == Some(&'\n') {
            chars.next();
        }
        out.push('\n');
    } else {
        out.push(c);
    }
}

/// Whether quoted content has a backslash or a CR, the only bytes decoding changes.
fn needs_decoding(content: &str) -> bool {
    content.bytes().any(|b| b == b'\\' || b == b'\r')
}

/// A single-quoted value: literal, except `\'` and `\\` (python-dotenv and compose unescape
/// them, Node does not).
fn decode_single(content: &str) -> Zeroizing<String> {
    if !needs_decoding(content) {
        return Zeroizing::new(content.to_owned());
    }
    let mut out = Zeroizing::new(String::with_capacity(content.len()));
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next @ ('\'' | '\\')) = chars.peek()
        {
            chars.next();
            out.push(next);
            continue;
        }
        push_normalised(&mut out, c, &mut chars);
    }
    out
}

/// A double-quoted value with python-dotenv's escapes: `\\ \' \" \a \b \f \n \r \t \v`. Any
/// other backslash is kept.
fn decode_double(content: &str) -> Zeroizing<String> {
    if !needs_decoding(content) {
        return Zeroizing::new(content.to_owned());
    }
    let mut out = Zeroizing::new(String::with_capacity(content.len()));
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let decoded = match chars.peek() {
                Some('\\') => Some('\\'),
                Some('\'') => Some('\''),
                Some('"') => Some('"'),
                Some('a') => Some('\u{7}'),
                Some('b') => Some('\u{8}'),
                Some('f') => Some('\u{c}'),
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some('v') => Some('\u{b}'),
                _ => None,
            };
            if let Some(d) = decoded {
                chars.next();
                out.push(d);
                continue;
            }
        }
        push_normalised(&mut out, c, &mut chars);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> (Vec<Item>, LineEnding) {
        let mut items = Vec::new();
        let eol = parse_items(text, 0, |i| items.push(i));
        (items, eol)
    }

    fn kinds(text: &str) -> Vec<String> {
        all(text)
            .0
            .iter()
            .map(|it| match &it.kind {
                ItemKind::Blank => "blank".into(),
                ItemKind::Comment => "comment".into(),
                ItemKind::Entry { key, value } => {
                    let read = match decoded(text, value) {
                        Some(d) => d.as_str().to_owned(),
                        None => text[value.content_start..value.content_end].to_owned(),
                    };
                    format!("{}={read}", &text[key.0..key.1])
                }
                ItemKind::Broken { key, why } => {
                    let key = key.map(|(a, b)| &text[a..b]);
                    format!("broken {key:?} {why:?}")
                }
            })
            .collect()
    }

    #[test]
    fn unquoted_values_follow_python_dotenv() {
        assert_eq!(kinds("A=b"), ["A=b"]);
        assert_eq!(kinds("A = b \n"), ["A=b"]);
        assert_eq!(kinds("A=b # c"), ["A=b"]);
        assert_eq!(kinds("A=b#c"), ["A=b#c"]);
        assert_eq!(kinds("A=b\t#c"), ["A=b"]);
        assert_eq!(kinds("A= #c"), ["A=#c"]);
        assert_eq!(kinds("A="), ["A="]);
        assert_eq!(kinds("A=a\"b'c"), ["A=a\"b'c"]);
        assert_eq!(kinds("A=`x`"), ["A=`x`"]);
    }

    #[test]
    fn quoted_values() {
        assert_eq!(kinds("A='b # c' # d"), ["A=b # c"]);
        assert_eq!(kinds(r#"A="x\ny\t\"z\\""#), ["A=x\ny\t\"z\\"]);
        assert_eq!(kinds(r"A='x\ny\'z'"), [r"A=x\ny'z"]);
        assert_eq!(kinds(r#"A="\q\$""#), [r"A=\q\$"]);
        assert_eq!(kinds("A=\"C:\\d\\\\\"\nB=\"x\""), ["A=C:\\d\\", "B=x"]);
        assert_eq!(kinds(r"A='a\'b' #"), ["A=a'b"]);
        assert_eq!(kinds("A=''"), ["A="]);
        assert_eq!(kinds("A=\"a\r\nb\"\r\nB=1"), ["A=a\nb", "B=1"]);
        assert_eq!(kinds("A='a\nb'#c\nB=1"), ["A=a\nb", "B=1"]);
    }

    #[test]
    fn export_prefix_and_keys() {
        assert_eq!(kinds("export A=1"), ["A=1"]);
        assert_eq!(kinds("  export\tA=1"), ["A=1"]);
        assert_eq!(kinds("export=1"), ["export=1"]);
        assert_eq!(kinds("exportA=1"), ["exportA=1"]);
        assert_eq!(kinds("a.b-c=1"), ["a.b-c=1"]);
    }

    #[test]
    fn fail_lines_that_are_not_entries() {
        assert_eq!(kinds("A"), ["broken None NoEquals"]);
        assert_eq!(kinds("A # c"), ["broken None NoEquals"]);
        assert_eq!(kinds("A: b"), ["broken None NotAnAssignment"]);
        assert_eq!(kinds("A b=c"), ["broken None NotAnAssignment"]);
        assert_eq!(kinds("a$b=1"), ["broken None NotAnAssignment"]);
        assert_eq!(kinds("=1"), ["broken None NotAnAssignment"]);
        assert_eq!(kinds("'A'=1"), ["broken None NotAnAssignment"]);
        assert_eq!(
            kinds("A='b' c\nB=1"),
            ["broken Some(\"A\") TextAfterQuote", "B=1"]
        );
        assert_eq!(
            kinds("A=\"b\nB=1\n"),
            ["broken Some(\"A\") Unterminated(Double)", "B=1"]
        );
    }

    #[test]
    fn a_quote_closed_lines_later_swallows_them() {
        let (items, _) = all("A=\"x\nB=1\nC=\"y\"\nD=2\n");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].lines, 3);
        assert!(matches!(
            items[0].kind,
            ItemKind::Broken {
                why: Broken::TextAfterQuote,
                ..
            }
        ));
    }

    #[test]
    fn line_endings_and_counts() {
        let (items, eol) = all("A=1\r\nB=2\r\nC=3\n");
        assert_eq!(eol, LineEnding::CrLf);
        assert_eq!(items.iter().map(|i| i.lines).sum::<usize>(), 3);
        assert_eq!(kinds("A=1\rB=2\r"), ["A=1", "B=2"]);
        assert_eq!(all("A=1\rB=2").1, LineEnding::Cr);
        assert_eq!(all("A=1").1, LineEnding::Lf);
    }

    #[test]
    fn each_quote_closes_the_previous_line() {
        let text = "A='x\n".repeat(50_000);
        let (items, _) = all(&text);
        assert_eq!(items.len(), 25_000);
        assert!(items.iter().all(|i| i.lines == 2));
    }
}
