//! The pieces a document is made of: one item per line, or per multi-line quoted entry.

use std::ops::Range;
use zeroize::Zeroizing;

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

/// What an item is.
pub(crate) enum Kind {
    /// Whitespace only.
    Blank,
    /// `#` is the first non-blank character.
    Comment,
    /// A readable `KEY=value`.
    Entry {
        /// The key as written (key names are not secret).
        key: String,
        /// The value as readers see it: quotes removed, escapes decoded.
        value: Zeroizing<String>,
        /// Byte offset in `raw` where the written value (with its quotes) starts.
        value_start: usize,
        /// Byte offset in `raw` just past the written value (past the closing quote).
        value_end: usize,
    },
    /// Kept byte for byte, never read.
    Broken {
        /// The key, when the line starts like an assignment to one.
        key: Option<String>,
        /// Why it could not be read.
        why: Broken,
    },
}

/// Where an item's bytes are.
pub(crate) enum Raw {
    /// Unedited: a range of the document's source text (one allocation for the whole file).
    Source(Range<usize>),
    /// Edited or appended.
    Owned(Zeroizing<String>),
}

/// One line of the document, or several when a quoted value spans lines.
pub(crate) struct Item {
    /// The exact bytes, line terminator included (absent on a last line without one).
    pub(crate) raw: Raw,
    /// How many lines `raw` spans, so line numbers can be recomputed after edits.
    pub(crate) lines: usize,
    /// What the item is.
    pub(crate) kind: Kind,
}

impl Item {
    /// The item's bytes; `source` is the document's source text.
    pub(crate) fn text<'a>(&'a self, source: &'a str) -> &'a str {
        match &self.raw {
            Raw::Source(range) => &source[range.clone()],
            Raw::Owned(text) => text,
        }
    }

    /// The key this item assigns or tries to assign.
    pub(crate) fn key(&self) -> Option<&str> {
        match &self.kind {
            Kind::Entry { key, .. } => Some(key),
            Kind::Broken { key, .. } => key.as_deref(),
            Kind::Blank | Kind::Comment => None,
        }
    }
}
