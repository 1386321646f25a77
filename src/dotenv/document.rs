//! The document: the source text, an index of its keys, and the edits envmint makes.
//!
//! # Representation
//!
//! A document keeps the text it was parsed from whole and, per distinct key, a few offsets into
//! it (where the key is named, where its last readable definition and its first unreadable
//! line start, and their line numbers). Values are not copied: [`Document::get`] reads the
//! definition again at its offset. Lines are not stored either; edits are kept beside the
//! text (a replaced definition by its offset, appended lines in order) and [`Document::render`]
//! splices them in. A million-key (16 MB) file thus costs about 36 bytes per key on top of its
//! text, where one allocation per line and per value cost over 500 bytes.
//!
//! Offsets are `u32`: envmint reads files of at most 64 MiB, and a document refuses none.

use super::error::EditError;
use super::is_valid_key;
use super::item::{Broken, Item, ItemKind, LineEnding, ValueSpan};
use super::parse::{decoded, item_at, parse_items};
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

/// Positions at or above this are appended lines (`ADDED + index`), below it source offsets.
const ADDED: u32 = 1 << 31;

/// At most this many warnings are listed; the rest are counted in one last warning, so a
/// hostile file of millions of bad lines cannot turn into gigabytes of messages.
const MAX_WARNINGS: usize = 100;

/// Where a key occurs. Positions are source offsets of item starts or `ADDED + index`.
struct KeyState {
    /// Where the key's name is written (its first appearance).
    name: u32,
    /// The name's length in bytes.
    name_len: u32,
    /// The last readable definition, or `NONE`.
    entry: u32,
    /// The line `entry` started on when parsed, for duplicate warnings.
    entry_line: u32,
    /// The first unreadable line naming the key, or `NONE`.
    broken: u32,
    /// The line `broken` starts on, as parsed.
    broken_line: u32,
    /// Whether an unreadable line naming the key comes after `entry`.
    broken_after_entry: bool,
}

/// A definition envmint rewrote, in place of source bytes `start..end`.
struct Edit {
    /// Where the replaced item ends in the source.
    end: u32,
    /// The new bytes.
    text: Zeroizing<String>,
    /// The written value's offsets in `text` (quotes included).
    value: (u32, u32),
    /// How many lines fewer than the source item it has (a multi-line value becomes one).
    removed_lines: u32,
}

/// A line envmint appended.
struct Added {
    /// `KEY=value` and a line ending.
    text: Zeroizing<String>,
    /// The written value's offsets in `text` (quotes included).
    value: (u32, u32),
}

/// A dotenv file that renders back to its exact input bytes.
///
/// Comments, blank lines, order, `export ` prefixes, quoting, line endings, a missing final
/// newline and a UTF-8 BOM are all kept; lines that cannot be read are kept too, with a
/// [`Warning`]. Edits touch only the lines of the key they change. The text and the values are
/// held in [`Zeroizing`] strings; `Debug` shows counts only (a "key" can be a pasted secret).
pub struct Document {
    /// The input, BOM included; never changed (edits are kept beside it).
    source: Arc<Zeroizing<String>>,
    /// Where the body starts: after the BOM, if any.
    body: u32,
    /// Lines in the source.
    source_lines: u32,
    /// Distinct keys in order of first appearance.
    keys: Vec<KeyState>,
    /// Open-addressing hash table of indices into `keys` (`NONE` = empty slot).
    slots: Vec<u32>,
    /// Seeded per document, so a file cannot be crafted to make every key collide.
    hasher: RandomState,
    /// Decoded values (escapes, CRs) of keys whose last definition needs decoding.
    decoded: HashMap<u32, Zeroizing<String>>,
    /// Rewritten definitions by source offset.
    edits: BTreeMap<u32, Edit>,
    /// Appended lines.
    added: Vec<Added>,
    /// Whether a line ending was put after a source that lacked a final one.
    newline_added: bool,
    warnings: Vec<Warning>,
    /// The line ending appended lines get: the file's most common one.
    eol: LineEnding,
    /// The first item whose quote never closes, and its line: nothing may be written after it.
    unterminated: Option<(u32, u32)>,
    /// Lines in the document (a last line without a terminator counts).
    total_lines: usize,
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
            source.len() < ADDED as usize,
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
            edits: BTreeMap::new(),
            added: Vec::new(),
            newline_added: false,
            warnings: Vec::new(),
            eol: LineEnding::Lf,
            unterminated: None,
            total_lines: 0,
        };
        let mut suppressed = (0usize, 0usize);
        doc.eol = parse_items(&source, body, |item| doc.fold(item, &mut suppressed));
        doc.source_lines = doc.total_lines as u32;
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
        let mut len = src.len();
        for (&start, edit) in &self.edits {
            len = len - (edit.end - start) as usize + edit.text.len();
        }
        if self.newline_added {
            len += self.eol.as_str().len();
        }
        len += self.added.iter().map(|a| a.text.len()).sum::<usize>();
        let mut out = Zeroizing::new(String::with_capacity(len));
        let mut pos = 0;
        for (&start, edit) in &self.edits {
            out.push_str(&src[pos..start as usize]);
            out.push_str(&edit.text);
            pos = edit.end as usize;
        }
        out.push_str(&src[pos..]);
        if self.newline_added {
            out.push_str(self.eol.as_str());
        }
        for a in &self.added {
            out.push_str(&a.text);
        }
        out
    }

    /// The value of `key` as python-dotenv, Node and compose read it: the last definition wins.
    ///
    /// `None` when the key is absent, and also when an unreadable line naming the key comes
    /// after its last readable definition: readers disagree about such a line, so no value can
    /// be trusted ([`Document::contains_key`] is still true).
    pub fn get(&self, key: &str) -> Option<&str> {
        let idx = self.find(key).ok()?;
        let state = &self.keys[idx as usize];
        if state.entry == NONE || state.broken_after_entry {
            return None;
        }
        if let Some(value) = self.decoded.get(&idx) {
            return Some(value.as_str());
        }
        // What envmint wrote is bare or single-quoted without escapes; a source value that
        // needs decoding is in `decoded`.
        if state.entry >= ADDED || self.edits.contains_key(&state.entry) {
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

    /// Whether `key` is defined, readably or not.
    ///
    /// A key that appears only on unreadable lines counts as present: some readers may still
    /// see a value there, so treating it as absent would invite a second, conflicting
    /// definition. See [`Document::broken_line`].
    pub fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// The 1-based line of the first unreadable line naming `key`, if any. `set` and `append`
    /// of such a key are refused.
    pub fn broken_line(&self, key: &str) -> Option<usize> {
        let state = &self.keys[self.find(key).ok()? as usize];
        (state.broken != NONE).then(|| self.line_of(state.broken, state.broken_line))
    }

    /// Distinct keys in order of first appearance, including keys seen only on unreadable lines.
    pub fn keys(&self) -> Vec<&str> {
        self.keys.iter().map(|k| self.name(k)).collect()
    }

    /// Problems found while parsing, in line order. They describe the input as parsed; edits
    /// do not change them. After 100, one last warning counts the rest.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether the document has no content at all (it renders to an empty string).
    pub fn is_empty(&self) -> bool {
        self.source.is_empty() && self.added.is_empty()
    }

    /// Sets `key` to `value`.
    ///
    /// The last definition's value is replaced in place: leading whitespace, `export `, the
    /// spacing around `=`, a trailing comment and the line ending are kept, and a multi-line
    /// value becomes one line. An absent key is appended as by [`Document::append`].
    /// On error the document is unchanged.
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
    /// as part of the value; a multi-line value becomes one line. An absent key is refused
    /// ([`EditError::KeyMissing`]), as are the values and lines [`Document::set`] refuses. On
    /// error the document is unchanged.
    pub fn replace_value(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let bare_or_single = written_value(key, value)?;
        let (idx, entry) = self
            .editable_entry(key)?
            .ok_or_else(|| EditError::KeyMissing {
                key: key.to_owned(),
            })?;
        let quote = self
            .written_value(entry)
            .and_then(|(text, start, _)| text.as_bytes().get(start).copied());
        let written = match quote {
            Some(q @ (b'"' | b'\'')) => {
                // Writable values hold no quote, `$`, backslash, backtick or whitespace, so
                // they read back unchanged inside either quote in every reader.
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
        if let Some((u, line)) = self.unterminated.filter(|&(u, _)| u < entry) {
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
        let (head, tail) = (&text[..start], &text[end..]);
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
        let value_pos = (start as u32, (head.len() + written.len()) as u32);
        raw.push_str(tail);
        if entry >= ADDED {
            let added = &mut self.added[(entry - ADDED) as usize];
            added.text = raw;
            added.value = value_pos;
        } else {
            let (end, removed_before, lines) = match self.edits.get(&entry) {
                Some(edit) => (edit.end, edit.removed_lines, 1),
                None => {
                    let item = item_at(&self.source, entry as usize);
                    (item.end as u32, 0, item.lines as u32)
                }
            };
            let removed = lines - 1;
            self.total_lines -= removed as usize;
            self.edits.insert(
                entry,
                Edit {
                    end,
                    text: raw,
                    value: value_pos,
                    removed_lines: removed_before + removed,
                },
            );
        }
        self.decoded.remove(&idx);
    }

    /// Appends `KEY=value` as a new last line, in the file's dominant line ending (first ending
    /// an unterminated last line in that style). Refused when the key exists.
    pub fn append(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let written = written_value(key, value)?;
        if let Ok(idx) = self.find(key) {
            let state = &self.keys[idx as usize];
            return Err(if state.broken != NONE {
                EditError::KeyOnUnparsableLine {
                    key: key.to_owned(),
                    line: self.line_of(state.broken, state.broken_line),
                }
            } else {
                EditError::KeyExists {
                    key: key.to_owned(),
                    line: self.line_of(state.entry, state.entry_line),
                }
            });
        }
        self.append_checked(key, &written)
    }

    /// Appends a key known to be absent, `written` already quoted.
    fn append_checked(&mut self, key: &str, written: &str) -> Result<(), EditError> {
        if let Some((u, line)) = self.unterminated {
            return Err(EditError::UnterminatedQuote {
                line: self.line_of(u, line),
            });
        }
        let eol = self.eol.as_str();
        if self.added.is_empty()
            && self.source.len() > self.body as usize
            && !self.source.ends_with(['\n', '\r'])
        {
            self.newline_added = true;
        }
        let mut raw = Zeroizing::new(String::with_capacity(
            key.len() + 1 + written.len() + eol.len(),
        ));
        raw.push_str(key);
        raw.push('=');
        let value = (raw.len() as u32, (raw.len() + written.len()) as u32);
        raw.push_str(written);
        raw.push_str(eol);
        let pos = ADDED + self.added.len() as u32;
        self.added.push(Added { text: raw, value });
        self.total_lines += 1;
        let line = self.total_lines as u32;
        let idx = match self.find(key) {
            Ok(idx) => idx,
            Err(slot) => self.insert(slot, pos, key.len(), key),
        };
        let state = &mut self.keys[idx as usize];
        state.entry = pos;
        state.entry_line = line;
        Ok(())
    }

    /// Takes one parsed item into the index, noting warnings.
    fn fold(&mut self, item: Item, suppressed: &mut (usize, usize)) {
        let line = self.total_lines + 1;
        self.total_lines += item.lines;
        let start = item.start as u32;
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
                let state = &mut self.keys[idx as usize];
                state.entry = start;
                state.entry_line = line as u32;
                state.broken_after_entry = false;
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
                        state.broken_after_entry = true;
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
        if state.name >= ADDED {
            &self.added[(state.name - ADDED) as usize].text[..len]
        } else {
            let start = state.name as usize;
            &self.source[start..start + len]
        }
    }

    /// `Ok(index into keys)`, or `Err(the empty slot where it would go)`.
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
            broken_after_entry: false,
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
        if pos >= ADDED {
            let a = self.added.get((pos - ADDED) as usize)?;
            return Some((&a.text, a.value.0 as usize, a.value.1 as usize));
        }
        if let Some(e) = self.edits.get(&pos) {
            return Some((&e.text, e.value.0 as usize, e.value.1 as usize));
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

    /// The 1-based line where position `pos` (parsed on line `parsed_line`) starts now, after
    /// edits that made earlier multi-line values one line.
    fn line_of(&self, pos: u32, parsed_line: u32) -> usize {
        let removed_before =
            |end: u32| -> u32 { self.edits.range(..end).map(|(_, e)| e.removed_lines).sum() };
        if pos >= ADDED {
            let source_now = self.source_lines - removed_before(ADDED);
            (source_now + pos - ADDED + 1) as usize
        } else {
            (parsed_line - removed_before(pos)) as usize
        }
    }
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

/// The value envmint wrote as `written`: bare, or in single or double quotes (a value envmint
/// writes holds no quote, backslash or `$`, so neither quote has escapes to decode).
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
            "text follows the closing quote {} lines further down: these {lines} lines are \
             {kept} (did a quote close too early, or too late?)",
            lines - 1
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
            .field("lines", &self.total_lines)
            .field("keys", &self.keys.len())
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
