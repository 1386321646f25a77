//! The document: the source text, an index of its keys, and the edits envmint makes.
//!
//! # Representation
//!
//! A document keeps the text it was parsed from whole and, per distinct key, a few offsets into
//! it (where the key is named, where its last readable definition and its first unreadable
//! line start, and their line numbers). Values are not copied: [`Document::get`] reads the
//! definition again at its offset. Lines are not stored either. Edits are kept beside the
//! text: every line envmint writes (a rewritten definition, an inserted or appended line, a
//! `# envmint:` record) is one entry of an append-only list, and a *splice*, keyed by the
//! source offset of an item, says what the document shows in that item's place: the item
//! itself and written lines before or after it, written lines only (the item was rewritten),
//! or nothing (removed). Appended lines are the splice at the end of the source.
//! [`Document::render`] walks the source and the splices in order. A million-key (16 MB) file
//! thus costs about 36 bytes per key on top of its text, where one allocation per line and per
//! value cost over 500 bytes.
//!
//! A position names a line for as long as the line exists: the source offset of an item, or
//! `WRITTEN + index` of a written line. Inserting or removing lines moves no other line's
//! position, so the index stays valid; line numbers are counted from the splices when they are
//! reported.
//!
//! Offsets are `u32`: envmint reads files of at most 64 MiB, and a document refuses none.

use super::error::EditError;
use super::is_valid_key;
use super::item::{Broken, Item, ItemKind, LineEnding, ValueSpan};
use super::parse::{decoded, item_at, line_bounds, parse_items};
use super::quote::quote_value;
use super::warning::Warning;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use zeroize::Zeroizing;

const BOM: &str = "\u{feff}";

/// No offset.
const NONE: u32 = u32::MAX;

/// Positions at or above this are written lines (`WRITTEN + index`), below it source offsets.
const WRITTEN: u32 = 1 << 31;

/// In a splice's pieces: the source item itself.
const KEEP: u32 = u32::MAX;

/// How a per-key record comment starts (after optional indentation).
const RECORD_PREFIX: &str = "# envmint:";

/// At most this many warnings are listed; the rest are counted in one last warning, so a
/// hostile file of millions of bad lines cannot turn into gigabytes of messages.
const MAX_WARNINGS: usize = 100;

/// [`KeyState::flags`]: an unreadable line naming the key comes after its last definition.
const BROKEN_AFTER_ENTRY: u8 = 1;
/// [`KeyState::flags`]: the source defines the key more than once (`remove` must find them all).
const DEFINED_TWICE: u8 = 2;

/// Where a key occurs. Positions are source offsets of item starts or `WRITTEN + index`.
/// A key whose lines were all removed keeps its state (the hash table has no deletion) with
/// `entry` and `broken` both `NONE`: it is absent.
struct KeyState {
    /// Where the key's name is written (its first appearance; the text is never dropped).
    name: u32,
    /// The name's length in bytes.
    name_len: u32,
    /// The last readable definition, or `NONE`.
    entry: u32,
    /// The line `entry` started on when parsed (source entries only).
    entry_line: u32,
    /// The first unreadable line naming the key, or `NONE`.
    broken: u32,
    /// The line `broken` starts on, as parsed.
    broken_line: u32,
    /// `BROKEN_AFTER_ENTRY`, `DEFINED_TWICE`.
    flags: u8,
}

impl KeyState {
    fn present(&self) -> bool {
        self.entry != NONE || self.broken != NONE
    }
}

/// A present key of a [`Document`], found once ([`Document::key_ref`],
/// [`Document::key_refs`]). Each method answers as the document's method of the same name
/// does for the key's name. Shows no value in `Debug`: it has none.
#[derive(Clone, Copy)]
pub struct KeyRef<'a> {
    doc: &'a Document,
    /// The key's index in `doc.keys`.
    idx: u32,
}

impl<'a> KeyRef<'a> {
    fn state(&self) -> &'a KeyState {
        &self.doc.keys[self.idx as usize]
    }

    /// Its place among the document's keys, below [`Document::key_index_bound`]: the same
    /// for every `KeyRef` of the key, and no other key's.
    pub fn index(&self) -> usize {
        self.idx as usize
    }

    /// The key's name.
    pub fn name(&self) -> &'a str {
        self.doc.name(self.state())
    }

    /// As [`Document::get`].
    pub fn value(&self) -> Option<&'a str> {
        self.doc.value_at(self.idx)
    }

    /// As [`Document::record`].
    pub fn record(&self) -> Option<&'a str> {
        self.doc.record_of(self.state())
    }

    /// As [`Document::line_of_key`].
    pub fn line(&self) -> Option<usize> {
        self.doc.entry_line_of(self.state())
    }

    /// As [`Document::broken_line`].
    pub fn broken_line(&self) -> Option<usize> {
        self.doc.broken_line_of(self.state())
    }
}

impl fmt::Debug for KeyRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A "key" can be a pasted secret (see the document's Debug): its length only.
        f.debug_struct("KeyRef")
            .field("name_len", &self.state().name_len)
            .finish()
    }
}

/// A line envmint wrote: one line, ending in the document's line ending.
struct Written {
    /// The line, with its line ending.
    text: Zeroizing<String>,
    /// For a `KEY=value` line, the written value's offsets in `text` (quotes included).
    value: (u32, u32),
    /// The source offset of the splice the line belongs to.
    at: u32,
}

/// What the document shows in place of the source item at the splice's offset.
#[derive(Default)]
struct Splice {
    /// Where the item ends in the source (the offset itself at the end of the source).
    end: u32,
    /// The line the item starts on, as parsed.
    line: u32,
    /// How many source lines the item spans.
    lines: u32,
    /// In order: `KEEP` for the source item, else the index of a written line.
    pieces: Vec<u32>,
}

impl Splice {
    /// How many lines the splice shows.
    fn shown_lines(&self) -> u32 {
        self.pieces
            .iter()
            .map(|&p| if p == KEEP { self.lines } else { 1 })
            .sum()
    }

    /// Where the piece `piece` (`KEEP` or a written index) is among the pieces.
    fn index_of(&self, piece: u32) -> Option<usize> {
        self.pieces.iter().position(|&p| p == piece)
    }
}

/// Source item start -> the `# envmint:` comment directly above it, filled in source order by
/// the parse: a sorted list searched by halves, where a hash map hashed every key of a
/// 10,000-record file with SipHash twice (once to fill, once to read).
#[derive(Default)]
struct Records(Vec<(u32, u32)>);

impl Records {
    /// Notes `record` above the item at `start`, which is after every item noted so far.
    fn insert(&mut self, start: u32, record: u32) {
        debug_assert!(self.0.last().is_none_or(|&(s, _)| s < start));
        self.0.push((start, record));
    }

    /// The record above the item at `start`.
    fn get(&self, start: &u32) -> Option<&u32> {
        let i = self.0.binary_search_by_key(start, |&(s, _)| s).ok()?;
        Some(&self.0[i].1)
    }
}

/// A dotenv file that renders back to its exact input bytes.
///
/// Comments, blank lines, order, `export ` prefixes, quoting, line endings, a missing final
/// newline and a UTF-8 BOM are all kept; lines that cannot be read are kept too, with a
/// [`Warning`]. Edits touch only the lines they change: [`Document::set`] and
/// [`Document::replace_value`] rewrite a definition in place, [`Document::insert_after`] and
/// [`Document::append`] add a line, [`Document::remove`] takes a key's lines out, and
/// [`Document::set_record`] writes the `# envmint:` comment directly above a key. The text
/// and the values are held in [`Zeroizing`] strings; `Debug` shows counts only (a "key" can be
/// a pasted secret).
pub struct Document {
    /// The input, BOM included; never changed (edits are kept beside it).
    source: Arc<Zeroizing<String>>,
    /// Where the body starts: after the BOM, if any.
    body: u32,
    /// Lines in the source (a last line without a terminator counts).
    source_lines: u32,
    /// Distinct keys in order of first appearance.
    keys: Vec<KeyState>,
    /// Open-addressing hash table of indices into `keys` (`NONE` = empty slot).
    slots: Vec<u32>,
    /// Seeded per document, so a file cannot be crafted to make every key collide.
    hasher: RandomState,
    /// Decoded values (escapes, CRs) of keys whose last definition needs decoding.
    decoded: HashMap<u32, Zeroizing<String>>,
    /// Source item start -> start of the `# envmint:` comment item directly above it in the
    /// source (the end of the source counts as an item start). Empty in files without records.
    records: Records,
    /// Lines envmint wrote, in the order written (dropped lines stay, unreferenced).
    written: Vec<Written>,
    /// What replaces source items, by their offset.
    splices: BTreeMap<u32, Splice>,
    warnings: Vec<Warning>,
    /// The line ending written lines get: the file's most common one.
    eol: LineEnding,
    /// The first item whose quote never closes, and its line: nothing may be written after it.
    unterminated: Option<(u32, u32)>,
    /// Where each source item ends that sh joins the next line to (`X=abc\`), in order. Rare:
    /// a line written after one gets a blank line first.
    continued: Vec<u32>,
}

impl Document {
    /// Reads `text`. Never fails: a line that cannot be read is kept as it is and reported in
    /// [`Document::warnings`].
    ///
    /// # Panics
    ///
    /// When `text` is 2 GiB or longer (envmint reads dotenv files of at most 64 MiB).
    pub fn parse(text: &str) -> Document {
        Document::parse_shared(Arc::new(Zeroizing::new(text.to_owned())))
    }

    /// [`Document::parse`] of text the caller already holds, without copying it (the store
    /// shares a file's bytes between its snapshot and its document).
    pub(crate) fn parse_shared(source: Arc<Zeroizing<String>>) -> Document {
        assert!(
            source.len() < WRITTEN as usize,
            "a dotenv document is limited to 2 GiB"
        );
        let body = if source.starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        let mut doc = Document {
            source: Arc::clone(&source),
            body: body as u32,
            source_lines: 0,
            keys: Vec::new(),
            slots: Vec::new(),
            hasher: RandomState::new(),
            decoded: HashMap::new(),
            records: Records::default(),
            written: Vec::new(),
            splices: BTreeMap::new(),
            warnings: Vec::new(),
            eol: LineEnding::Lf,
            unterminated: None,
            continued: Vec::new(),
        };
        let mut suppressed = (0usize, 0usize);
        let mut record_above = None;
        doc.eol = parse_items(&source, body, |item| {
            doc.fold(item, &mut suppressed, &mut record_above)
        });
        if let Some(record) = record_above {
            doc.records.insert(source.len() as u32, record);
        }
        // envmint and Node dotenv skip the BOM; python-dotenv reads it as part of the first key
        // and sh runs that line as a command, so the key envmint reports as present is not
        // there for them.
        if body > 0
            && body < source.len()
            && let ItemKind::Entry { key, .. } = item_at(&source, body).kind
        {
            let key = &source[key.0..key.1];
            doc.warnings.insert(
                0,
                Warning {
                    line: 1,
                    message: format!(
                        "the file starts with a byte order mark (U+FEFF): python-dotenv reads \
                         `{key}` as another name and sh does not read the line; save the file \
                         as UTF-8 without BOM"
                    ),
                },
            );
        }
        if suppressed.0 > 0 {
            doc.warnings.push(Warning {
                line: suppressed.1,
                message: format!(
                    "{} more problems from this line on are not listed",
                    suppressed.0
                ),
            });
        }
        doc
    }

    /// The document's exact bytes: the input when nothing was edited.
    pub fn render(&self) -> Zeroizing<String> {
        let src = self.source.as_str();
        let len = src.len()
            + self.written.iter().map(|w| w.text.len()).sum::<usize>()
            + self.eol.as_str().len();
        let mut out = Zeroizing::new(String::with_capacity(len));
        let body = self.body as usize;
        out.push_str(&src[..body]);
        // Whether the last line pushed lacks a line ending (only the source's last line can):
        // a line shown after it first gets the document's ending.
        let mut open = false;
        let eol = self.eol.as_str();
        let mut push = |out: &mut String, text: &str| {
            if text.is_empty() {
                return;
            }
            if open {
                out.push_str(eol);
            }
            out.push_str(text);
            open = !text.ends_with(['\n', '\r']);
        };
        let mut pos = body;
        for (&at, splice) in &self.splices {
            push(&mut out, &src[pos..at as usize]);
            for &piece in &splice.pieces {
                if piece == KEEP {
                    push(&mut out, &src[at as usize..splice.end as usize]);
                } else {
                    push(&mut out, &self.written[piece as usize].text);
                }
            }
            pos = splice.end as usize;
        }
        push(&mut out, &src[pos..]);
        out
    }

    /// The value of `key` as python-dotenv, Node and compose read it: the last definition wins.
    ///
    /// `None` when the key is absent, and also when an unreadable line naming the key comes
    /// after its last readable definition: readers disagree about such a line, so no value can
    /// be trusted ([`Document::contains_key`] is still true).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.value_at(self.find(key).ok()?)
    }

    /// [`Document::get`] of the key at `idx` in `keys`.
    fn value_at(&self, idx: u32) -> Option<&str> {
        let state = &self.keys[idx as usize];
        if state.entry == NONE || state.flags & BROKEN_AFTER_ENTRY != 0 {
            return None;
        }
        // Most files need no decoding: no hash of the index then.
        if !self.decoded.is_empty()
            && let Some(value) = self.decoded.get(&idx)
        {
            return Some(value.as_str());
        }
        // What envmint wrote is bare or quoted without escapes; a source value that needs
        // decoding is in `decoded`.
        if state.entry >= WRITTEN {
            let (text, start, end) = self.written_value(state.entry)?;
            return Some(unquote_written(&text[start..end]));
        }
        match item_at(&self.source, state.entry as usize).kind {
            ItemKind::Entry { value, .. } => {
                Some(&self.source[value.content_start..value.content_end])
            }
            _ => None,
        }
    }

    /// The quote `key`'s readable value is written in (`'`, `"` or `` ` ``), `None` when it is
    /// bare; `None` too when the key has no readable value.
    pub fn quote_of(&self, key: &str) -> Option<char> {
        let idx = self.find(key).ok()?;
        let state = &self.keys[idx as usize];
        if state.entry == NONE || state.flags & BROKEN_AFTER_ENTRY != 0 {
            return None;
        }
        let (text, start, _) = self.written_value(state.entry)?;
        match text.as_bytes().get(start) {
            Some(q @ (b'\'' | b'"' | b'`')) => Some(char::from(*q)),
            _ => None,
        }
    }

    /// Whether the value of `key` (its last readable definition) is written in single quotes,
    /// where compose and `sh` take `${VAR}` literally. Values envmint writes never hold `$`.
    pub fn is_single_quoted(&self, key: &str) -> bool {
        self.quote_of(key) == Some('\'')
    }

    /// Whether `key` is defined, readably or not.
    ///
    /// A key that appears only on unreadable lines counts as present: some readers may still
    /// see a value there, so treating it as absent would invite a second, conflicting
    /// definition. See [`Document::broken_line`].
    pub fn contains_key(&self, key: &str) -> bool {
        self.state(key).is_some()
    }

    /// The 1-based line of the first unreadable line naming `key`, if any, in the document as
    /// it is now (after edits). `set` and `append` of such a key are refused.
    pub fn broken_line(&self, key: &str) -> Option<usize> {
        self.broken_line_of(self.state(key)?)
    }

    /// [`Document::broken_line`] of a present key's state.
    fn broken_line_of(&self, state: &KeyState) -> Option<usize> {
        (state.broken != NONE).then(|| self.line_of(state.broken, state.broken_line))
    }

    /// The 1-based line of `key`'s last readable definition in the document as it is now:
    /// lines inserted or removed above it count.
    pub fn line_of_key(&self, key: &str) -> Option<usize> {
        self.entry_line_of(self.state(key)?)
    }

    /// [`Document::line_of_key`] of a present key's state.
    fn entry_line_of(&self, state: &KeyState) -> Option<usize> {
        (state.entry != NONE).then(|| self.line_of(state.entry, state.entry_line))
    }

    /// `key`, when present, found once: its value, record and lines are then read without
    /// looking the name up again (a status of 10,000 keys asks four questions of each).
    pub fn key_ref(&self, key: &str) -> Option<KeyRef<'_>> {
        let idx = self.find(key).ok()?;
        self.keys[idx as usize]
            .present()
            .then_some(KeyRef { doc: self, idx })
    }

    /// The bound of [`KeyRef::index`]: a `vec![false; doc.key_index_bound()]` can mark keys.
    pub fn key_index_bound(&self) -> usize {
        self.keys.len()
    }

    /// Every present key, as [`Document::keys`] lists them, each as a [`KeyRef`].
    pub fn key_refs(&self) -> impl Iterator<Item = KeyRef<'_>> {
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.present())
            .map(|(idx, _)| KeyRef {
                doc: self,
                idx: idx as u32,
            })
    }

    /// Distinct keys in order of first appearance, including keys seen only on unreadable lines.
    /// A key removed and defined again keeps its first place.
    pub fn keys(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter(|k| k.present())
            .map(|k| self.name(k))
            .collect()
    }

    /// Problems found while parsing, in line order. They describe the input as parsed (the
    /// file as the user has it); edits do not change them. After 100, one last warning counts
    /// the rest.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether the document has no content at all (it renders to an empty string).
    pub fn is_empty(&self) -> bool {
        self.body == 0 && self.total_lines() == 0
    }

    /// Sets `key` to `value`.
    ///
    /// The last definition's value is replaced in place: leading whitespace, `export `, the
    /// spacing around `=`, a trailing comment, the line ending and a record above are kept,
    /// and a multi-line value becomes one line. An absent key is appended as by
    /// [`Document::append`]. On error the document is unchanged.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let written = written_value(key, value)?;
        match self.editable_entry(key)? {
            None => self.append_checked(key, &written),
            Some((idx, entry)) => {
                self.write_at(idx, entry, &written);
                Ok(())
            }
        }
    }

    /// Replaces the value of `key`'s last definition in place, keeping its quoting style.
    ///
    /// Unlike [`Document::set`], the line keeps its quotes: a value that was `"..."` or `'...'`
    /// is written in the same quotes (every value envmint writes reads back the same inside
    /// either), and an unquoted one is written bare when the value allows, else single-quoted
    /// as [`quote_value`] does. Every other byte of the document is kept, except that a comment
    /// glued to the closing quote (`"x"#c`) gets a space before it, without which sh reads it
    /// as part of the value, and the blanks after a bare `=` go when an empty unquoted value is
    /// filled (`export C= ` would make sh run the value); a multi-line value becomes one line. An absent key is refused
    /// ([`EditError::KeyMissing`]), as are the values and lines [`Document::set`] refuses. On
    /// error the document is unchanged.
    pub fn replace_value(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        self.replace_value_quoted(key, value, None)
    }

    /// [`Document::replace_value`] in the quotes `quote` (`Some('"')`, `Some('\'')`, or
    /// `Some(' ')` for bare) instead of the line's own: for a value taken from another version
    /// of the file with its quoting (the merge driver). `None` keeps the line's quotes. A value
    /// that does not read back unchanged inside the quotes takes [`quote_value`]'s form.
    pub fn replace_value_quoted(
        &mut self,
        key: &str,
        value: &str,
        quote: Option<char>,
    ) -> Result<(), EditError> {
        let bare_or_single = written_value(key, value)?;
        let (idx, entry) = self
            .editable_entry(key)?
            .ok_or_else(|| EditError::KeyMissing {
                key: key.to_owned(),
            })?;
        let quote = match quote {
            Some(q) => u8::try_from(q).ok(),
            None => self
                .written_value(entry)
                .and_then(|(text, start, _)| text.as_bytes().get(start).copied()),
        };
        let written = match quote {
            // The line's quotes are kept when the value reads back unchanged inside them in
            // every reader; otherwise it takes the form `quote_value` picks.
            Some(q @ (b'"' | b'\'')) if super::quote::fits_in(value, char::from(q)) => {
                let q = char::from(q);
                let mut w = Zeroizing::new(String::with_capacity(value.len() + 2));
                w.push(q);
                w.push_str(value);
                w.push(q);
                w
            }
            _ => bare_or_single,
        };
        self.write_at(idx, entry, &written);
        Ok(())
    }

    /// The comment lines of the source (`#` first, `# envmint:` records aside), each with the
    /// key whose definition comes last before it (`None` above the first key), in order: what
    /// the merge driver compares and carries over. Line endings are not included.
    pub fn comments(&self) -> Vec<(Option<&str>, &str)> {
        let src = self.source.as_str();
        let mut out = Vec::new();
        let mut last_key: Option<&str> = None;
        parse_items(src, self.body as usize, |item| match item.kind {
            ItemKind::Comment => {
                let line = src[item.start..item.end].trim_end_matches(['\r', '\n']);
                if !line.trim_start().starts_with(RECORD_PREFIX) {
                    out.push((last_key, line));
                }
            }
            ItemKind::Entry { key, .. } => last_key = Some(&src[key.0..key.1]),
            _ => {}
        });
        out
    }

    /// Inserts `lines` (comments: each must start with `#` after blanks, with no line break)
    /// directly after the last definition of `after`, or at the top of the file for `None`,
    /// in order, in the file's line ending. Refused for a line that is no comment or a record
    /// ([`EditError::InvalidRecord`] naming `after`), an `after` with no readable definition,
    /// or one that cannot be edited. On error the document is unchanged.
    pub fn insert_comments(
        &mut self,
        after: Option<&str>,
        lines: &[&str],
    ) -> Result<(), EditError> {
        let name = after.unwrap_or_default();
        for line in lines {
            let trimmed = line.trim_start();
            if !trimmed.starts_with('#')
                || trimmed.starts_with(RECORD_PREFIX)
                || line.chars().any(|c| c.is_control() && c != '\t')
            {
                return Err(EditError::InvalidRecord {
                    key: name.to_owned(),
                });
            }
        }
        let (at, line_no, index) = match after {
            Some(anchor) => {
                let (at, line, i) = self.after_anchor(anchor)?;
                (at, Some(line), i)
            }
            // Before the first line (the end of an empty file).
            None if (self.body as usize) < self.source.len() => (self.body, None, 0),
            None => (self.source.len() as u32, None, 0),
        };
        let blank = if after.is_some() {
            self.blank_if_joined(at, index)
        } else {
            None
        };
        let eol = self.eol.as_str();
        let mut pieces = Vec::with_capacity(lines.len() + 1);
        pieces.extend(blank);
        for line in lines {
            let mut text = Zeroizing::new(String::with_capacity(line.len() + eol.len()));
            text.push_str(line);
            text.push_str(eol);
            pieces.push(self.push_written(at, text, (0, 0)));
        }
        let splice = self.splice(at, line_no);
        splice.pieces.splice(index..index, pieces);
        Ok(())
    }

    /// Inserts `KEY=value` as a new line directly after the last definition of `anchor` (as
    /// rotation writes `KEY_PREVIOUS` next to `KEY`), in the file's dominant line ending; a
    /// blank line first when sh continues the anchor's line (`X=abc\`), as [`Document::append`].
    ///
    /// Refused when `key` exists ([`EditError::KeyExists`], or
    /// [`EditError::KeyOnUnparsableLine`]), when `anchor` has no readable definition
    /// ([`EditError::KeyMissing`]) or cannot be edited, and for the keys and values
    /// [`Document::set`] refuses. On error the document is unchanged.
    pub fn insert_after(&mut self, anchor: &str, key: &str, value: &str) -> Result<(), EditError> {
        let written = written_value(key, value)?;
        self.check_absent(key)?;
        let (at, line, i) = self.after_anchor(anchor)?;
        let (text, value) = assignment(key, &written, self.eol);
        let blank = self.blank_if_joined(at, i);
        let idx = self.push_written(at, text, value);
        let pieces = &mut self.splice(at, Some(line)).pieces;
        pieces.splice(i..i, blank.into_iter().chain([idx]));
        self.define(key, WRITTEN + idx);
        Ok(())
    }

    /// Where a line goes directly after the last definition of `anchor`: the source position,
    /// the anchor's line, and the index in that line's splice just past the anchor's piece.
    /// [`EditError::KeyMissing`] when `anchor` has no readable definition.
    fn after_anchor(&mut self, anchor: &str) -> Result<(u32, u32, usize), EditError> {
        let (anchor_idx, entry) =
            self.editable_entry(anchor)?
                .ok_or_else(|| EditError::KeyMissing {
                    key: anchor.to_owned(),
                })?;
        let line = self.keys[anchor_idx as usize].entry_line;
        let at = self.source_at(entry);
        let piece = piece_of(entry);
        let splice = self.splice(at, Some(line));
        let i = splice
            .index_of(piece)
            .map_or(splice.pieces.len(), |i| i + 1);
        Ok((at, line, i))
    }

    /// Removes every definition of `key`, each with the `# envmint:` record lines directly
    /// above it. Every other byte stays.
    ///
    /// Refused when the key is absent ([`EditError::KeyMissing`]) or on an unreadable line
    /// ([`EditError::KeyOnUnparsableLine`]: which value readers see there is unclear, and
    /// removing the readable lines would leave only that one). On error the document is
    /// unchanged.
    pub fn remove(&mut self, key: &str) -> Result<(), EditError> {
        let missing = || EditError::KeyMissing {
            key: key.to_owned(),
        };
        let idx = self.find(key).map_err(|_| missing())?;
        let state = &self.keys[idx as usize];
        if state.broken != NONE {
            return Err(EditError::KeyOnUnparsableLine {
                key: key.to_owned(),
                line: self.line_of(state.broken, state.broken_line),
            });
        }
        if state.entry == NONE {
            return Err(missing());
        }
        let entry = state.entry;
        let mut definitions = vec![(entry, Some(state.entry_line))];
        if state.flags & DEFINED_TWICE != 0 {
            // Earlier definitions are not indexed: read the source again (rare, and linear).
            let source = Arc::clone(&self.source);
            let mut line = 1;
            parse_items(&source, self.body as usize, |item| {
                if let ItemKind::Entry { key: k, .. } = item.kind
                    && &source[k.0..k.1] == key
                    && item.start as u32 != entry
                    && self.shown(item.start as u32)
                {
                    definitions.push((item.start as u32, Some(line)));
                }
                line += item.lines as u32;
            });
        }
        for (pos, line) in definitions {
            let mut above = self.record_above(pos);
            self.remove_line(pos, line);
            while let Some(record) = above {
                above = self.record_above(record);
                self.remove_line(record, None);
            }
        }
        let state = &mut self.keys[idx as usize];
        state.entry = NONE;
        state.flags = 0;
        self.decoded.remove(&idx);
        Ok(())
    }

    /// The text of the `# envmint:` comment line directly above `key`'s last readable
    /// definition, after the prefix and trimmed (`# envmint: generated=2026-11-23` gives
    /// `generated=2026-11-23`); `None` when there is no such line. When several record lines
    /// stack above a key, this is the nearest one (the one `set_record` replaces; `remove`
    /// removes them all).
    pub fn record(&self, key: &str) -> Option<&str> {
        self.record_of(self.state(key)?)
    }

    /// [`Document::record`] of a present key's state.
    fn record_of(&self, state: &KeyState) -> Option<&str> {
        if state.entry == NONE {
            return None;
        }
        let above = self.record_above(state.entry)?;
        Some(record_text(self.comment_line(above)))
    }

    /// Writes `# envmint: TEXT` (`TEXT` trimmed) directly above `key`'s last definition: it
    /// replaces the record line there, or is inserted, in the file's line ending. The record
    /// stays attached to the key through [`Document::set`], [`Document::replace_value`] and inserts, and
    /// [`Document::remove`] removes it with the key.
    ///
    /// Refused for a text with a line break or control character ([`EditError::InvalidRecord`]),
    /// a key without a readable definition ([`EditError::KeyMissing`]) and the lines
    /// [`Document::set`] refuses. On error the document is unchanged.
    pub fn set_record(&mut self, key: &str, text: &str) -> Result<(), EditError> {
        if text.chars().any(char::is_control) {
            return Err(EditError::InvalidRecord {
                key: key.to_owned(),
            });
        }
        let (idx, entry) = self
            .editable_entry(key)?
            .ok_or_else(|| EditError::KeyMissing {
                key: key.to_owned(),
            })?;
        let text = text.trim();
        let eol = self.eol.as_str();
        let mut line = Zeroizing::new(String::with_capacity(
            RECORD_PREFIX.len() + 1 + text.len() + eol.len(),
        ));
        line.push_str(RECORD_PREFIX);
        if !text.is_empty() {
            line.push(' ');
            line.push_str(text);
        }
        line.push_str(eol);
        match self.record_above(entry) {
            Some(record) if record >= WRITTEN => {
                self.written[(record - WRITTEN) as usize].text = line;
            }
            Some(record) => {
                // The record is one line directly above the item at `at` when the parse noted it
                // there: its line is one less, known without counting the lines before it (which
                // made a rotation of 1,000 keys in a 10,000-key file quadratic).
                let at = self.source_at(entry);
                let known =
                    self.splices.get(&at).map(|s| s.line).or_else(|| {
                        (entry < WRITTEN).then_some(self.keys[idx as usize].entry_line)
                    });
                let record_line = known
                    .filter(|_| self.records.get(&at) == Some(&record))
                    .map(|l| l.saturating_sub(1));
                // Checked against the count in tests (small files only: it is the slow way).
                #[cfg(debug_assertions)]
                if self.source.len() < 1 << 16
                    && let Some(l) = record_line
                {
                    debug_assert_eq!(l, self.parsed_line(record), "record line");
                }
                let new = self.push_written(record, line, (0, 0));
                let splice = self.splice(record, record_line);
                if let Some(piece) = splice.pieces.iter_mut().find(|p| **p == KEEP) {
                    *piece = new;
                }
            }
            None => {
                let at = self.source_at(entry);
                let entry_line = self.keys[idx as usize].entry_line;
                let new = self.push_written(at, line, (0, 0));
                let piece = piece_of(entry);
                let splice = self.splice(at, Some(entry_line));
                let i = splice.index_of(piece).unwrap_or(0);
                splice.pieces.insert(i, new);
            }
        }
        Ok(())
    }

    /// The key's index and the position of its last readable definition (`None` when the key
    /// has no readable definition), or why it cannot be edited in place.
    fn editable_entry(&self, key: &str) -> Result<Option<(u32, u32)>, EditError> {
        let Ok(idx) = self.find(key) else {
            return Ok(None);
        };
        let state = &self.keys[idx as usize];
        if state.broken != NONE {
            return Err(EditError::KeyOnUnparsableLine {
                key: key.to_owned(),
                line: self.line_of(state.broken, state.broken_line),
            });
        }
        let entry = state.entry;
        if entry == NONE {
            return Ok(None);
        }
        let at = self.source_at(entry);
        if let Some((u, line)) = self.unterminated.filter(|&(u, _)| u < at) {
            return Err(EditError::UnterminatedQuote {
                line: self.line_of(u, line),
            });
        }
        if self.written_value(entry).is_none() {
            return Ok(None);
        }
        Ok(Some((idx, entry)))
    }

    /// Puts `written` (an already quoted value) in place of the written value of key `idx`'s
    /// definition at `entry`, which [`Document::editable_entry`] found.
    fn write_at(&mut self, idx: u32, entry: u32, written: &str) {
        let Some((text, start, end)) = self.written_value(entry) else {
            return;
        };
        let (mut head, tail) = (&text[..start], &text[end..]);
        // `KEY= ` is an empty KEY in sh, but `KEY= value` runs `value` as a command: when an
        // empty, unquoted value is filled, the blanks after `=` go. Any other line keeps its
        // bytes (`KEY = ` or `KEY= 'x'` were never sh, and stay as written).
        let trimmed = head.trim_end_matches([' ', '\t']);
        if start == end
            && trimmed.len() < head.len()
            && trimmed.ends_with('=')
            && !trimmed[..trimmed.len() - 1].ends_with([' ', '\t'])
        {
            head = trimmed;
        }
        // An empty value before a comment (`K= # c`) would read as the comment.
        let written = if written.is_empty() && tail.trim_start_matches([' ', '\t']).starts_with('#')
        {
            "''"
        } else {
            written
        };
        // A comment glued to a closing quote (`'x'#c`) would become part of an unquoted value,
        // and sh reads it as part of a quoted one (`#` starts a comment only at a word's start).
        let glued = tail.starts_with('#');
        let mut raw = Zeroizing::new(String::with_capacity(
            head.len() + written.len() + 1 + tail.len(),
        ));
        raw.push_str(head);
        raw.push_str(written);
        if glued {
            raw.push(' ');
        }
        let value_pos = (head.len() as u32, (head.len() + written.len()) as u32);
        raw.push_str(tail);
        if entry >= WRITTEN {
            let line = &mut self.written[(entry - WRITTEN) as usize];
            line.text = raw;
            line.value = value_pos;
        } else {
            // The source item (one line or several) gives way to one written line, in its
            // place among the lines inserted around it.
            let line = self.keys[idx as usize].entry_line;
            let new = self.push_written(entry, raw, value_pos);
            let splice = self.splice(entry, Some(line));
            if let Some(piece) = splice.pieces.iter_mut().find(|p| **p == KEEP) {
                *piece = new;
            }
            self.keys[idx as usize].entry = WRITTEN + new;
        }
        self.decoded.remove(&idx);
    }

    /// Appends `KEY=value` as a new last line, in the file's dominant line ending (first ending
    /// an unterminated last line in that style). After a line sh continues (`X=abc\`), a blank
    /// line comes first, so sh reads the key as its own variable. Refused when the key exists.
    pub fn append(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let written = written_value(key, value)?;
        self.check_absent(key)?;
        self.append_checked(key, &written)
    }

    /// `KeyExists` (or `KeyOnUnparsableLine`) when `key` is present.
    fn check_absent(&self, key: &str) -> Result<(), EditError> {
        let Some(state) = self.state(key) else {
            return Ok(());
        };
        Err(if state.broken != NONE {
            EditError::KeyOnUnparsableLine {
                key: key.to_owned(),
                line: self.line_of(state.broken, state.broken_line),
            }
        } else {
            EditError::KeyExists {
                key: key.to_owned(),
                line: self.line_of(state.entry, state.entry_line),
            }
        })
    }

    /// Appends a key known to be absent, `written` already quoted.
    fn append_checked(&mut self, key: &str, written: &str) -> Result<(), EditError> {
        if let Some((u, line)) = self.unterminated {
            return Err(EditError::UnterminatedQuote {
                line: self.line_of(u, line),
            });
        }
        let (text, value) = assignment(key, written, self.eol);
        let end = self.source.len() as u32;
        let i = self.splices.get(&end).map_or(0, |s| s.pieces.len());
        let blank = self.blank_if_joined(end, i);
        let idx = self.push_written(end, text, value);
        let pieces = &mut self.splice(end, None).pieces;
        pieces.extend(blank.into_iter().chain([idx]));
        self.define(key, WRITTEN + idx);
        Ok(())
    }

    /// Makes the written line at `pos` the definition of `key`, adding the key if new.
    fn define(&mut self, key: &str, pos: u32) {
        let idx = match self.find(key) {
            Ok(idx) => idx,
            Err(slot) => self.insert(slot, pos, key.len(), key),
        };
        let state = &mut self.keys[idx as usize];
        state.entry = pos;
        state.entry_line = 0;
        state.flags = 0;
    }

    /// Adds a written line to the splice at `at` (the caller places it among the pieces).
    fn push_written(&mut self, at: u32, text: Zeroizing<String>, value: (u32, u32)) -> u32 {
        let idx = self.written.len() as u32;
        self.written.push(Written { text, value, at });
        idx
    }

    /// The splice at source offset `at` (an item start, or the end of the source), made if
    /// new; `line` is the item's parsed line when the caller knows it.
    fn splice(&mut self, at: u32, line: Option<u32>) -> &mut Splice {
        let fresh = (!self.splices.contains_key(&at)).then(|| {
            if at as usize >= self.source.len() {
                Splice {
                    end: at,
                    line: self.source_lines + 1,
                    lines: 0,
                    pieces: Vec::new(),
                }
            } else {
                let item = item_at(&self.source, at as usize);
                Splice {
                    end: item.end as u32,
                    line: line.unwrap_or_else(|| self.parsed_line(at)),
                    lines: item.lines as u32,
                    pieces: vec![KEEP],
                }
            }
        });
        self.splices
            .entry(at)
            .or_insert_with(|| fresh.unwrap_or_default())
    }

    /// A written blank line for the splice at `at`, when sh would join a line shown at index `i`
    /// of its pieces to the line above (`X=abc\` then `KEY=secret` is `X=abcKEY=secret` in
    /// sh, and KEY unset): the blank line ends the continuation. The caller places it.
    fn blank_if_joined(&mut self, at: u32, i: usize) -> Option<u32> {
        if !self.joins_above(at, i) {
            return None;
        }
        let eol = Zeroizing::new(self.eol.as_str().to_owned());
        Some(self.push_written(at, eol, (0, 0)))
    }

    /// Whether the line shown above index `i` of the pieces of the splice at `at` (made or
    /// not) is one sh joins the next line to. Only source lines can be: envmint writes no
    /// backslash.
    fn joins_above(&self, at: u32, i: usize) -> bool {
        if self.continued.is_empty() {
            return false;
        }
        let continued = |end: u32| self.continued.binary_search(&end).is_ok();
        if i > 0 {
            return self
                .splices
                .get(&at)
                .is_some_and(|s| s.pieces.get(i - 1) == Some(&KEEP) && continued(s.end));
        }
        // The first line of its splice: the line above is the last one shown before `at`.
        let mut at = at;
        loop {
            match self.splices.range(..at).next_back() {
                Some((&start, splice)) if splice.end == at => match splice.pieces.last() {
                    Some(&KEEP) => return continued(at),
                    Some(_) => return false,
                    None => at = start,
                },
                // An untouched source item ends at `at` (or nothing is above).
                _ => return continued(at),
            }
        }
    }

    /// Takes the line at `pos` out of the document (`line`: its parsed line, if known).
    fn remove_line(&mut self, pos: u32, line: Option<u32>) {
        let at = self.source_at(pos);
        let piece = piece_of(pos);
        self.splice(at, line).pieces.retain(|&p| p != piece);
    }

    /// Whether the source item at `start` is still shown.
    fn shown(&self, start: u32) -> bool {
        self.splices
            .get(&start)
            .is_none_or(|s| s.index_of(KEEP).is_some())
    }

    /// The source offset a position belongs to: its own, or its splice's.
    fn source_at(&self, pos: u32) -> u32 {
        if pos >= WRITTEN {
            self.written[(pos - WRITTEN) as usize].at
        } else {
            pos
        }
    }

    /// The `# envmint:` record line directly above the line at `pos`, if there is one.
    fn record_above(&self, pos: u32) -> Option<u32> {
        let at = self.source_at(pos);
        if let Some(splice) = self.splices.get(&at) {
            let i = splice.index_of(piece_of(pos))?;
            if i > 0 {
                let above = position(at, splice.pieces[i - 1]);
                return self.is_record(above).then_some(above);
            }
        }
        // The first line of its splice: the line above is the last one shown before `at`.
        let mut at = at;
        loop {
            match self.splices.range(..at).next_back() {
                Some((&start, splice)) if splice.end == at => match splice.pieces.last() {
                    Some(&piece) => {
                        let above = position(start, piece);
                        return self.is_record(above).then_some(above);
                    }
                    None => at = start,
                },
                // An untouched source item: the parse noted whether it is a record.
                _ => return self.records.get(&at).copied(),
            }
        }
    }

    /// Whether the line at `pos` is a `# envmint:` comment.
    fn is_record(&self, pos: u32) -> bool {
        if pos < WRITTEN && !matches!(item_at(&self.source, pos as usize).kind, ItemKind::Comment) {
            return false;
        }
        is_record_line(self.line_text(pos))
    }

    /// [`Document::line_text`] of a comment (a record), without parsing the item again: a
    /// source comment is the one line from `pos` (a status reads 20,000 records).
    fn comment_line(&self, pos: u32) -> &str {
        if pos >= WRITTEN {
            return self.line_text(pos);
        }
        let start = pos as usize;
        let (end, _) = line_bounds(self.source.as_bytes(), start);
        &self.source[start..end]
    }

    /// The text of the line (or item) at `pos`, with its ending.
    fn line_text(&self, pos: u32) -> &str {
        if pos >= WRITTEN {
            &self.written[(pos - WRITTEN) as usize].text
        } else {
            let item = item_at(&self.source, pos as usize);
            &self.source[item.start..item.end]
        }
    }

    /// The state of a present key.
    fn state(&self, key: &str) -> Option<&KeyState> {
        let state = &self.keys[self.find(key).ok()? as usize];
        state.present().then_some(state)
    }

    /// Takes one parsed item into the index, noting warnings. `record_above` is the start of
    /// the previous item when it was a `# envmint:` comment.
    fn fold(
        &mut self,
        item: Item,
        suppressed: &mut (usize, usize),
        record_above: &mut Option<u32>,
    ) {
        let line = self.source_lines as usize + 1;
        self.source_lines += item.lines as u32;
        let start = item.start as u32;
        if let Some(record) = record_above.take() {
            self.records.insert(start, record);
        }
        if matches!(item.kind, ItemKind::Comment)
            && is_record_line(&self.source[item.start..item.end])
        {
            *record_above = Some(start);
        }
        let mut warn = |warnings: &mut Vec<Warning>, message: String| {
            if warnings.len() < MAX_WARNINGS {
                warnings.push(Warning { line, message });
            } else {
                if suppressed.0 == 0 {
                    suppressed.1 = line;
                }
                suppressed.0 += 1;
            }
        };
        match item.kind {
            ItemKind::Blank | ItemKind::Comment => {}
            ItemKind::Entry { key, value } => {
                let idx = self.index_of(key);
                let state = &mut self.keys[idx as usize];
                if state.entry != NONE {
                    state.flags |= DEFINED_TWICE;
                    let prev_line = state.entry_line;
                    let name = &self.source[key.0..key.1];
                    warn(
                        &mut self.warnings,
                        format!(
                            "`{name}` is defined again (before on line {prev_line}); readers \
                             take the last definition"
                        ),
                    );
                }
                if let Some((down, message)) =
                    control_char_warning(&self.source, &value, &self.source[key.0..key.1])
                {
                    if down == 0 {
                        warn(&mut self.warnings, message);
                    } else if self.warnings.len() < MAX_WARNINGS {
                        self.warnings.push(Warning {
                            line: line + down,
                            message,
                        });
                    }
                }
                if continues_in_sh(&self.source, &value, item.end) {
                    self.continued.push(item.end as u32);
                    let name = &self.source[key.0..key.1];
                    warn(
                        &mut self.warnings,
                        format!(
                            "the value of `{name}` ends with a backslash: sh reads the next \
                             line as part of it (python-dotenv and Node do not)"
                        ),
                    );
                }
                let state = &mut self.keys[idx as usize];
                state.entry = start;
                state.entry_line = line as u32;
                state.flags &= !BROKEN_AFTER_ENTRY;
                match decoded(&self.source, &value) {
                    Some(text) => {
                        self.decoded.insert(idx, text);
                    }
                    None => {
                        if !self.decoded.is_empty() {
                            self.decoded.remove(&idx);
                        }
                    }
                }
            }
            ItemKind::Broken { key, why } => {
                if let Some(key) = key {
                    let idx = self.index_of(key);
                    let state = &mut self.keys[idx as usize];
                    if state.broken == NONE {
                        state.broken = start;
                        state.broken_line = line as u32;
                    }
                    if state.entry != NONE {
                        state.flags |= BROKEN_AFTER_ENTRY;
                    }
                }
                if matches!(why, Broken::Unterminated(_)) && self.unterminated.is_none() {
                    self.unterminated = Some((start, line as u32));
                }
                let name = key.map(|(a, b)| &self.source[a..b]);
                let message = broken_message(name, why, item.lines);
                warn(&mut self.warnings, message);
            }
        }
    }

    /// The index of the source key at offsets `key`, added to the index if new.
    fn index_of(&mut self, key: (usize, usize)) -> u32 {
        let source = Arc::clone(&self.source);
        let name = &source[key.0..key.1];
        match self.find(name) {
            Ok(idx) => idx,
            Err(slot) => self.insert(slot, key.0 as u32, key.1 - key.0, name),
        }
    }

    /// The name of a key.
    fn name(&self, state: &KeyState) -> &str {
        let len = state.name_len as usize;
        if state.name >= WRITTEN {
            &self.written[(state.name - WRITTEN) as usize].text[..len]
        } else {
            let start = state.name as usize;
            &self.source[start..start + len]
        }
    }

    /// `Ok(index into keys)`, or `Err(the empty slot where it would go)`. Absent (removed) keys
    /// are found too.
    fn find(&self, key: &str) -> Result<u32, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.hasher.hash_one(key.as_bytes()) as usize & mask;
        loop {
            let idx = self.slots[slot];
            if idx == NONE {
                return Err(slot);
            }
            if self.name(&self.keys[idx as usize]) == key {
                return Ok(idx);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds a key named at `name` (`name_len` bytes, spelled `key`) in `slot` (from
    /// [`Document::find`]); returns its index.
    fn insert(&mut self, slot: usize, name: u32, name_len: usize, key: &str) -> u32 {
        let idx = self.keys.len() as u32;
        self.keys.push(KeyState {
            name,
            name_len: name_len as u32,
            entry: NONE,
            entry_line: 0,
            broken: NONE,
            broken_line: 0,
            flags: 0,
        });
        // At most 3/4 full, so probes stay short.
        if !self.slots.is_empty() && self.keys.len() * 4 <= self.slots.len() * 3 {
            self.slots[slot] = idx;
            return idx;
        }
        self.grow();
        // The newest key is not in the new table yet, so this finds its empty slot.
        if let Err(slot) = self.find(key) {
            self.slots[slot] = idx;
        }
        idx
    }

    /// Doubles the table and places every key but the newest (which the caller places).
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let mut slots = vec![NONE; size];
        let mask = size - 1;
        for (idx, state) in self.keys[..self.keys.len() - 1].iter().enumerate() {
            let mut slot = self.hasher.hash_one(self.name(state).as_bytes()) as usize & mask;
            while slots[slot] != NONE {
                slot = (slot + 1) & mask;
            }
            slots[slot] = idx as u32;
        }
        self.slots = slots;
    }

    /// The definition at `pos` as it is now, with the written value's offsets in it.
    fn written_value(&self, pos: u32) -> Option<(&str, usize, usize)> {
        if pos >= WRITTEN {
            let w = self.written.get((pos - WRITTEN) as usize)?;
            return Some((&w.text, w.value.0 as usize, w.value.1 as usize));
        }
        let item = item_at(&self.source, pos as usize);
        match item.kind {
            ItemKind::Entry { value, .. } => Some((
                &self.source[item.start..item.end],
                value.start - item.start,
                value.end - item.start,
            )),
            _ => None,
        }
    }

    /// The line a source item starting at `at` was parsed on (counted: callers pass the line
    /// when the index knows it).
    fn parsed_line(&self, at: u32) -> u32 {
        let bytes = &self.source.as_bytes()[self.body as usize..at as usize];
        let breaks = memchr::memchr2_iter(b'\n', b'\r', bytes)
            .filter(|&i| !(bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r'))
            .count();
        breaks as u32 + 1
    }

    /// Lines the document shows now (a last line without a terminator counts).
    fn total_lines(&self) -> usize {
        self.splices
            .values()
            .fold(self.source_lines as usize, |n, s| {
                n - s.lines as usize + s.shown_lines() as usize
            })
    }

    /// The 1-based line where the line at `pos` (a source item parsed on `parsed_line`, or a
    /// written line) is shown now, counting the lines splices before it add or remove.
    fn line_of(&self, pos: u32, parsed_line: u32) -> usize {
        let at = self.source_at(pos);
        let splice = self.splices.get(&at);
        let mut line = i64::from(splice.map_or(parsed_line, |s| s.line));
        for s in self.splices.range(..at).map(|(_, s)| s) {
            line += i64::from(s.shown_lines()) - i64::from(s.lines);
        }
        if let Some(s) = splice {
            let piece = piece_of(pos);
            for &p in s.pieces.iter().take_while(|&&p| p != piece) {
                line += i64::from(if p == KEEP { s.lines } else { 1 });
            }
        }
        line.max(1) as usize
    }
}

/// The piece standing for position `pos` in its splice.
fn piece_of(pos: u32) -> u32 {
    if pos >= WRITTEN { pos - WRITTEN } else { KEEP }
}

/// The position of piece `piece` of the splice at `at`.
fn position(at: u32, piece: u32) -> u32 {
    if piece == KEEP { at } else { WRITTEN + piece }
}

/// `KEY=written` and a line ending, with the value's offsets.
fn assignment(key: &str, written: &str, eol: LineEnding) -> (Zeroizing<String>, (u32, u32)) {
    let eol = eol.as_str();
    let mut raw = Zeroizing::new(String::with_capacity(
        key.len() + 1 + written.len() + eol.len(),
    ));
    raw.push_str(key);
    raw.push('=');
    let value = (raw.len() as u32, (raw.len() + written.len()) as u32);
    raw.push_str(written);
    raw.push_str(eol);
    (raw, value)
}

/// Whether a comment line is a `# envmint:` record.
fn is_record_line(line: &str) -> bool {
    line.trim_start().starts_with(RECORD_PREFIX)
}

/// A record line's text after the prefix, trimmed (line ending included).
fn record_text(line: &str) -> &str {
    line.trim_start()
        .strip_prefix(RECORD_PREFIX)
        .unwrap_or_default()
        .trim()
}

/// A warning for a control character (other than tab and line breaks) in an entry's written
/// value, with how many lines into the value it sits: readers cut a value at a NUL or keep it, each their own way,
/// and envmint never writes one. The character is named by class only.
fn control_char_warning(source: &str, value: &ValueSpan, key: &str) -> Option<(usize, String)> {
    let written = source.get(value.start..value.end)?;
    let (at, c) = written
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
    let lines_before = written[..at].matches('\n').count();
    let what = if c == '\0' {
        "a NUL byte".to_owned()
    } else {
        format!("a control character (U+{:04X})", u32::from(c))
    };
    Some((
        lines_before,
        format!(
            "the value of `{key}` holds {what}: readers cut or keep it differently, and envmint \
             never writes one"
        ),
    ))
}

/// Whether sh joins the line after an entry to it: an unquoted value (`value`, in an item
/// ending at `end`) that ends its line with an odd number of backslashes (`X=abc\`). A
/// comment or a blank after the value stops it.
fn continues_in_sh(source: &str, value: &ValueSpan, end: usize) -> bool {
    let (Some(written), Some(tail)) = (
        source.get(value.start..value.end),
        source.get(value.end..end),
    ) else {
        return false;
    };
    let unquoted = !written.starts_with(['"', '\'', '`']);
    let ends_line = tail.trim_end_matches(['\n', '\r']).is_empty();
    let slashes = written.len() - written.trim_end_matches('\\').len();
    unquoted && ends_line && slashes % 2 == 1
}

/// Checks the key and quotes the value into a zeroizing buffer.
fn written_value(key: &str, value: &str) -> Result<Zeroizing<String>, EditError> {
    if !is_valid_key(key) {
        return Err(EditError::InvalidKey {
            key: key.to_owned(),
        });
    }
    quote_value(value).map_err(|char| EditError::UnsafeValue {
        key: key.to_owned(),
        char,
    })
}

/// The value envmint wrote as `written`: bare, or in single or double quotes. A single-quoted
/// value envmint writes holds no `'`, `\\` or final backslash, a double-quoted one no `"` or
/// backslash, so neither has escapes to decode.
fn unquote_written(written: &str) -> &str {
    ['\'', '"']
        .into_iter()
        .find_map(|q| written.strip_prefix(q).and_then(|w| w.strip_suffix(q)))
        .unwrap_or(written)
}

fn broken_message(key: Option<&str>, why: Broken, lines: usize) -> String {
    let kept = "kept as is and not read";
    let subject = match key {
        Some(key) => format!("the line for `{key}`"),
        None => "the line".to_owned(),
    };
    match why {
        Broken::Unterminated(q) => format!(
            "a {} quote opened here is never closed: {subject} is {kept}, and envmint will not \
             write after it",
            q.name()
        ),
        Broken::TextAfterQuote if lines > 1 => format!(
            "text follows the closing quote {} further down: these {lines} lines are {kept} \
             (did a quote close too early, or too late?)",
            match lines - 1 {
                1 => "1 line".to_owned(),
                n => format!("{n} lines"),
            }
        ),
        Broken::TextAfterQuote => {
            format!("text follows the closing quote: {subject} is {kept}")
        }
        Broken::NoEquals => format!(
            "a word without `=`: {subject} is {kept} (python-dotenv reads such a key as unset, \
             docker compose takes it from the environment)"
        ),
        Broken::NotAnAssignment => {
            format!("not a `KEY=value` line: {subject} is {kept}")
        }
    }
}

impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("lines", &self.total_lines())
            .field("keys", &self.keys.iter().filter(|k| k.present()).count())
            .field("warnings", &self.warnings.len())
            .field("bom", &(self.body > 0))
            .field("line_ending", &self.eol)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-key cost that keeps a million-key file under 5x its size (scripts/bench.sh).
    #[test]
    fn a_key_costs_28_bytes_plus_its_slot() {
        assert!(std::mem::size_of::<KeyState>() <= 28);
    }

    #[test]
    fn lines_after_a_collapsed_value_move_up() {
        let mut d = Document::parse("A=\"x\ny\"\nB=1\n");
        d.set("A", "z").unwrap();
        assert_eq!(d.render().as_str(), "A=z\nB=1\n");
        assert_eq!(
            d.append("B", "2"),
            Err(EditError::KeyExists {
                key: "B".into(),
                line: 2
            })
        );
        d.append("C", "3").unwrap();
        assert_eq!(
            d.append("C", "4"),
            Err(EditError::KeyExists {
                key: "C".into(),
                line: 3
            })
        );
    }

    #[test]
    fn repeated_sets_of_source_and_appended_keys() {
        let mut d = Document::parse("# c\nexport A='old' # note\n");
        d.set("A", "one").unwrap();
        d.set("A", "two#words").unwrap();
        d.append("B", "b1").unwrap();
        d.set("B", "b&2").unwrap();
        assert_eq!(d.get("A"), Some("two#words"));
        assert_eq!(d.get("B"), Some("b&2"));
        assert_eq!(
            d.render().as_str(),
            "# c\nexport A='two#words' # note\nB='b&2'\n"
        );
        assert_eq!(d.keys(), ["A", "B"]);
    }

    #[test]
    fn decoded_values_are_read_and_replaced() {
        let mut d = Document::parse("A=\"x\\ty\"\nB='p\\'q'\nA2=\"plain\"\n");
        assert_eq!(d.get("A"), Some("x\ty"));
        assert_eq!(d.get("B"), Some("p'q"));
        assert_eq!(d.get("A2"), Some("plain"));
        d.set("A", "z").unwrap();
        assert_eq!(d.get("A"), Some("z"));
        // A later plain definition wins over an earlier decoded one.
        let d = Document::parse("A=\"x\\ty\"\nA=plain\n");
        assert_eq!(d.get("A"), Some("plain"));
    }

    #[test]
    fn the_index_finds_every_key_of_a_large_document() {
        let text: String = (0..20_000).map(|i| format!("K{i}=v{i}\n")).collect();
        let mut d = Document::parse(&text);
        for i in (0..20_000).step_by(7) {
            assert_eq!(d.get(&format!("K{i}")), Some(format!("v{i}").as_str()));
        }
        assert!(!d.contains_key("K20000"));
        for i in 20_000..20_100 {
            d.append(&format!("K{i}"), "new").unwrap();
        }
        assert_eq!(d.keys().len(), 20_100);
        assert_eq!(d.get("K20099"), Some("new"));
        assert_eq!(d.get("K0"), Some("v0"));
    }

    #[test]
    fn a_bom_only_document_gets_no_extra_line_ending() {
        let mut d = Document::parse("\u{feff}");
        assert!(!d.is_empty());
        d.append("A", "1").unwrap();
        assert_eq!(d.render().as_str(), "\u{feff}A=1\n");
        let mut d = Document::parse("\u{feff}X=1");
        d.append("A", "1").unwrap();
        assert_eq!(d.render().as_str(), "\u{feff}X=1\nA=1\n");
        assert!(Document::parse("").is_empty());
    }

    #[test]
    fn fail_a_flood_of_bad_lines_lists_100_warnings_and_counts_the_rest() {
        let text = "junk line\n".repeat(150);
        let d = Document::parse(&text);
        let w = d.warnings();
        assert_eq!(w.len(), MAX_WARNINGS + 1);
        assert_eq!(w[MAX_WARNINGS].line, 101);
        assert!(
            w[MAX_WARNINGS].message.starts_with("50 more problems"),
            "{}",
            w[MAX_WARNINGS].message
        );
        assert_eq!(d.render().as_str(), text);
    }
}
