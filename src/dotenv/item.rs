//! The pieces a document is made of: one item per line, or per multi-line quoted entry.

/// A line terminator, as found in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// `\r` alone (old Mac files; python-dotenv and Node both break lines there).
    Cr,
}

impl LineEnding {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
            LineEnding::Cr => "\r",
        }
    }
}

/// The quote character that opened a quoted value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quote {
    Single,
    Double,
}

impl Quote {
    pub(crate) fn byte(self) -> u8 {
        match self {
            Quote::Single => b'\'',
            Quote::Double => b'"',
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Quote::Single => "single",
            Quote::Double => "double",
        }
    }
}

/// Why a line could not be read as an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Broken {
    /// A quote opened on this line is not closed before the end of the file.
    Unterminated(Quote),
    /// The closing quote is followed by something other than whitespace or a `#` comment.
    TextAfterQuote,
    /// A key with no `=` (python-dotenv reads it as unset, compose takes it from the
    /// environment, Node ignores it).
    NoEquals,
    /// Anything else: no key, a key with characters the readers disagree on, `KEY: value`...
    NotAnAssignment,
}

/// Where a readable value is written in the text, and how to read it. Offsets are absolute
/// in the text parsed. A value is held as offsets, not as a copy: a document of a million
/// keys must not hold a million small allocations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ValueSpan {
    /// Start of the written value (its opening quote, if any).
    pub(crate) start: usize,
    /// Just past the written value (past its closing quote, if any).
    pub(crate) end: usize,
    /// The characters between the quotes (or the bare value, trimmed and cut at a comment).
    pub(crate) content_start: usize,
    /// End of those characters.
    pub(crate) content_end: usize,
    /// The quote whose escapes must be decoded, when the content has a backslash or a CR;
    /// `None` when the content reads as it is written.
    pub(crate) decode: Option<Quote>,
}

/// What an item is (named apart from the generator and error `Kind`s).
pub(crate) enum ItemKind {
    /// Whitespace only.
    Blank,
    /// `#` is the first non-blank character.
    Comment,
    /// A readable `KEY=value`.
    Entry {
        /// Offsets of the key as written (key names are not secret).
        key: (usize, usize),
        /// Where the value is.
        value: ValueSpan,
    },
    /// Kept byte for byte, never read.
    Broken {
        /// Offsets of the key, when the line starts like an assignment to one.
        key: Option<(usize, usize)>,
        /// Why it could not be read.
        why: Broken,
    },
}

/// One line of the text, or several when a quoted value spans lines: produced while parsing
/// and folded into the document's key index, not stored.
pub(crate) struct Item {
    /// Where the item starts (a line start).
    pub(crate) start: usize,
    /// Where it ends: just past its last line's terminator (or the end of the text).
    pub(crate) end: usize,
    /// How many lines it spans.
    pub(crate) lines: usize,
    /// What the item is.
    pub(crate) kind: ItemKind,
}
