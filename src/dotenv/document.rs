//! The document: items in file order, an index of keys, and the edits envmint makes.

use super::error::EditError;
use super::is_valid_key;
use super::item::{Broken, Item, Kind, LineEnding, Raw};
use super::parse::parse_items;
use super::quote::quote_value;
use super::warning::Warning;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use zeroize::Zeroizing;

const BOM: &str = "\u{feff}";

/// Where a key occurs.
#[derive(Default)]
struct KeyState {
    /// The last readable definition (item index).
    last_entry: Option<usize>,
    /// The first unreadable line that names the key (item index).
    first_broken: Option<usize>,
    /// The last unreadable line that names the key (item index).
    last_broken: Option<usize>,
    /// The line `last_entry` started on when it was added, for duplicate warnings.
    last_entry_line: usize,
}

/// A dotenv file that renders back to its exact input bytes.
///
/// Comments, blank lines, order, `export ` prefixes, quoting, line endings, a missing final
/// newline and a UTF-8 BOM are all kept; lines that cannot be read are kept too, with a
/// [`Warning`]. Edits touch only the lines of the key they change. The text and the values are
/// held in [`Zeroizing`] strings; `Debug` shows counts only (a "key" can be a pasted secret).
pub struct Document {
    bom: bool,
    /// The input without its BOM; unedited items are ranges of it.
    source: Zeroizing<String>,
    items: Vec<Item>,
    index: HashMap<String, KeyState>,
    /// The items where each key first appears, in order (keys are read from the items).
    order: Vec<usize>,
    warnings: Vec<Warning>,
    /// The line ending appended lines get: the file's most common one.
    eol: LineEnding,
    /// The first item whose quote never closes: nothing may be written after it.
    unterminated: Option<usize>,
    /// Lines in the document (a last line without a terminator counts).
    total_lines: usize,
}

impl Document {
    /// Reads `text`. Never fails: a line that cannot be read is kept as it is and reported in
    /// [`Document::warnings`].
    pub fn parse(text: &str) -> Document {
        let (bom, body) = match text.strip_prefix(BOM) {
            Some(body) => (true, body),
            None => (false, text),
        };
        let (items, eol) = parse_items(body);
        let mut doc = Document {
            bom,
            source: Zeroizing::new(body.to_owned()),
            items: Vec::new(),
            index: HashMap::default(),
            order: Vec::new(),
            warnings: Vec::new(),
            eol,
            unterminated: None,
            total_lines: 0,
        };
        for item in items {
            doc.push_item(item);
        }
        // envmint and Node dotenv skip the BOM; python-dotenv reads it as part of the first key
        // and sh runs that line as a command, so the key envmint reports as present is not
        // there for them.
        if let Some(Kind::Entry { key, .. }) = doc.items.first().map(|i| &i.kind)
            && bom
        {
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
        doc
    }

    /// The document's exact bytes: the input when nothing was edited.
    pub fn render(&self) -> Zeroizing<String> {
        let len = self
            .items
            .iter()
            .map(|i| i.text(&self.source).len())
            .sum::<usize>();
        let mut out = Zeroizing::new(String::with_capacity(len + BOM.len()));
        if self.bom {
            out.push_str(BOM);
        }
        for item in &self.items {
            out.push_str(item.text(&self.source));
        }
        out
    }

    /// The value of `key` as python-dotenv, Node and compose read it: the last definition wins.
    ///
    /// `None` when the key is absent, and also when an unreadable line naming the key comes
    /// after its last readable definition: readers disagree about such a line, so no value can
    /// be trusted ([`Document::contains_key`] is still true).
    pub fn get(&self, key: &str) -> Option<&str> {
        let state = self.index.get(key)?;
        let entry = state.last_entry?;
        if state.last_broken.is_some_and(|b| b > entry) {
            return None;
        }
        match &self.items[entry].kind {
            Kind::Entry { value, .. } => Some(value.as_str()),
            _ => None,
        }
    }

    /// Whether `key` is defined, readably or not.
    ///
    /// A key that appears only on unreadable lines counts as present: some readers may still
    /// see a value there, so treating it as absent would invite a second, conflicting
    /// definition. See [`Document::broken_line`].
    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// The 1-based line of the first unreadable line naming `key`, if any. `set` and `append`
    /// of such a key are refused.
    pub fn broken_line(&self, key: &str) -> Option<usize> {
        let first = self.index.get(key)?.first_broken?;
        Some(self.line_of(first))
    }

    /// Distinct keys in order of first appearance, including keys seen only on unreadable lines.
    pub fn keys(&self) -> Vec<&str> {
        self.order
            .iter()
            .filter_map(|&i| self.items[i].key())
            .collect()
    }

    /// Problems found while parsing, in line order. They describe the input as parsed; edits
    /// do not change them.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Whether the document has no content at all (it renders to an empty string).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && !self.bom
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
            Some(entry) => {
                self.write_at(entry, value, &written);
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
    /// as part of the value; a multi-line value becomes one line. An absent key is refused ([`EditError::KeyMissing`]), as are the
    /// values and lines [`Document::set`] refuses. On error the document is unchanged.
    pub fn replace_value(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let bare_or_single = written_value(key, value)?;
        let entry = self
            .editable_entry(key)?
            .ok_or_else(|| EditError::KeyMissing {
                key: key.to_owned(),
            })?;
        let item = &self.items[entry];
        let Kind::Entry { value_start, .. } = &item.kind else {
            return Err(EditError::KeyMissing {
                key: key.to_owned(),
            });
        };
        let quote = item
            .text(&self.source)
            .as_bytes()
            .get(*value_start)
            .copied();
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
        self.write_at(entry, value, &written);
        Ok(())
    }

    /// The item index of `key`'s last readable definition (`None` when the key is absent), or
    /// why it cannot be edited in place.
    fn editable_entry(&self, key: &str) -> Result<Option<usize>, EditError> {
        let Some(state) = self.index.get(key) else {
            return Ok(None);
        };
        if let Some(broken) = state.first_broken {
            return Err(EditError::KeyOnUnparsableLine {
                key: key.to_owned(),
                line: self.line_of(broken),
            });
        }
        let Some(entry) = state.last_entry else {
            return Ok(None);
        };
        if let Some(u) = self.unterminated.filter(|&u| u < entry) {
            return Err(EditError::UnterminatedQuote {
                line: self.line_of(u),
            });
        }
        Ok(Some(entry))
    }

    /// Puts `written` (the quoted form of `value`) in place of entry `entry`'s written value.
    fn write_at(&mut self, entry: usize, value: &str, written: &str) {
        let item = &mut self.items[entry];
        let Kind::Entry {
            value: stored,
            value_start,
            value_end,
            ..
        } = &mut item.kind
        else {
            return;
        };
        let text = match &item.raw {
            Raw::Source(range) => &self.source[range.clone()],
            Raw::Owned(text) => text.as_str(),
        };
        let (mut head, tail) = (&text[..*value_start], &text[*value_end..]);
        // `KEY= ` is an empty KEY in sh, but `KEY= value` runs `value` as a command: when an
        // empty, unquoted value is filled, the blank after `=` goes. Any other line keeps its
        // bytes (`KEY = ` or `KEY= 'x'` were never sh, and stay as written).
        let trimmed = head.trim_end_matches([' ', '\t']);
        if *value_start == *value_end
            && trimmed.len() < head.len()
            && trimmed.ends_with('=')
            && !trimmed[..trimmed.len() - 1].ends_with([' ', '\t'])
        {
            head = trimmed;
        }
        let head_len = head.len();
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
        let new_end = raw.len();
        raw.push_str(tail);
        *stored = Zeroizing::new(value.to_owned());
        *value_start = head_len;
        *value_end = new_end;
        self.total_lines -= item.lines - 1;
        item.lines = 1;
        item.raw = Raw::Owned(raw);
    }

    /// Appends `KEY=value` as a new last line, in the file's dominant line ending (first ending
    /// an unterminated last line in that style). Refused when the key exists.
    pub fn append(&mut self, key: &str, value: &str) -> Result<(), EditError> {
        let written = written_value(key, value)?;
        if let Some(state) = self.index.get(key) {
            return Err(match (state.first_broken, state.last_entry) {
                (Some(broken), _) => EditError::KeyOnUnparsableLine {
                    key: key.to_owned(),
                    line: self.line_of(broken),
                },
                (None, Some(entry)) => EditError::KeyExists {
                    key: key.to_owned(),
                    line: self.line_of(entry),
                },
                (None, None) => unreachable!("an indexed key is readable or broken"),
            });
        }
        self.append_checked(key, &written)
    }

    /// Appends a key known to be absent, `written` already quoted.
    fn append_checked(&mut self, key: &str, written: &str) -> Result<(), EditError> {
        if let Some(u) = self.unterminated {
            return Err(EditError::UnterminatedQuote {
                line: self.line_of(u),
            });
        }
        let eol = self.eol.as_str();
        if let Some(last) = self.items.last_mut() {
            // After `X=abc\`, sh would join the new line to X (X=abcKEY=secret, KEY unset): a
            // blank line ends the continuation.
            let blank = if continues_in_sh(last, &self.source) {
                eol
            } else {
                ""
            };
            let text = last.text(&self.source);
            if !text.ends_with(['\n', '\r']) || !blank.is_empty() {
                let mut raw = Zeroizing::new(String::with_capacity(text.len() + 2 * eol.len()));
                raw.push_str(text);
                if !text.ends_with(['\n', '\r']) {
                    raw.push_str(eol);
                }
                raw.push_str(blank);
                self.total_lines += usize::from(!blank.is_empty());
                last.lines += usize::from(!blank.is_empty());
                last.raw = Raw::Owned(raw);
            }
        }
        let mut raw = Zeroizing::new(String::with_capacity(
            key.len() + 1 + written.len() + eol.len(),
        ));
        raw.push_str(key);
        raw.push('=');
        let value_start = raw.len();
        raw.push_str(written);
        let value_end = raw.len();
        raw.push_str(eol);
        let value = Zeroizing::new(unquote_written(written).to_owned());
        self.push_item(Item {
            raw: Raw::Owned(raw),
            lines: 1,
            kind: Kind::Entry {
                key: key.to_owned(),
                value,
                value_start,
                value_end,
            },
        });
        Ok(())
    }

    /// Adds `item` at the end, indexing it and noting warnings.
    fn push_item(&mut self, item: Item) {
        let idx = self.items.len();
        let line = self.total_lines + 1;
        self.total_lines += item.lines;
        if let Some(key) = item.key() {
            let state = match self.index.entry(key.to_owned()) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => {
                    self.order.push(idx);
                    v.insert(KeyState::default())
                }
            };
            match &item.kind {
                Kind::Entry { .. } => {
                    if state.last_entry.is_some() {
                        let prev_line = state.last_entry_line;
                        self.warnings.push(Warning {
                            line,
                            message: format!(
                                "`{key}` is defined again (before on line {prev_line}); readers \
                                 take the last definition"
                            ),
                        });
                    }
                    state.last_entry = Some(idx);
                    state.last_entry_line = line;
                    if let Some(w) = control_char_warning(&item, &self.source, key, line) {
                        self.warnings.push(w);
                    }
                    if continues_in_sh(&item, &self.source) {
                        self.warnings.push(Warning {
                            line,
                            message: format!(
                                "the value of `{key}` ends with a backslash: sh reads the next \
                                 line as part of it (python-dotenv and Node do not)"
                            ),
                        });
                    }
                }
                Kind::Broken { .. } => {
                    state.first_broken.get_or_insert(idx);
                    state.last_broken = Some(idx);
                }
                Kind::Blank | Kind::Comment => {}
            }
        }
        if let Kind::Broken { key, why } = &item.kind {
            if matches!(why, Broken::Unterminated(_)) && self.unterminated.is_none() {
                self.unterminated = Some(idx);
            }
            self.warnings.push(Warning {
                line,
                message: broken_message(key.as_deref(), *why, item.lines),
            });
        }
        self.items.push(item);
    }

    /// The 1-based line where item `idx` starts (or would start, for `idx == len`).
    fn line_of(&self, idx: usize) -> usize {
        line_of_items(&self.items[..idx])
    }
}

/// Whether sh joins the line after `item` to it: an unquoted value that ends its line with an
/// odd number of backslashes (`X=abc\`). A comment or a blank after the value stops it.
fn continues_in_sh(item: &Item, source: &str) -> bool {
    let Kind::Entry {
        value_start,
        value_end,
        ..
    } = &item.kind
    else {
        return false;
    };
    let text = item.text(source);
    let (Some(written), Some(tail)) = (text.get(*value_start..*value_end), text.get(*value_end..))
    else {
        return false;
    };
    let unquoted = !written.starts_with(['"', '\'', '`']);
    let ends_line = tail.trim_end_matches(['\n', '\r']).is_empty();
    let slashes = written.len() - written.trim_end_matches('\\').len();
    unquoted && ends_line && slashes % 2 == 1
}

/// The 1-based line following `items`.
fn line_of_items(items: &[Item]) -> usize {
    1 + items.iter().map(|i| i.lines).sum::<usize>()
}

/// A warning for a control character (other than tab and line breaks) in an entry's written
/// value, on the line where it sits: readers cut a value at a NUL or keep it, each their own way,
/// and envmint never writes one. The character is named by class only.
fn control_char_warning(item: &Item, source: &str, key: &str, line: usize) -> Option<Warning> {
    let Kind::Entry {
        value_start,
        value_end,
        ..
    } = &item.kind
    else {
        return None;
    };
    let text = item.text(source);
    let written = text.get(*value_start..*value_end)?;
    let (at, c) = written
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
    let before = &text[..value_start + at];
    let line = line + before.matches('\n').count();
    let what = if c == '\0' {
        "a NUL byte".to_owned()
    } else {
        format!("a control character (U+{:04X})", u32::from(c))
    };
    Some(Warning {
        line,
        message: format!(
            "the value of `{key}` holds {what}: readers cut or keep it differently, and envmint \
             never writes one"
        ),
    })
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

/// The value envmint wrote as `written` (bare or single-quoted without escapes).
fn unquote_written(written: &str) -> &str {
    written
        .strip_prefix('\'')
        .and_then(|w| w.strip_suffix('\''))
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
            .field("keys", &self.order.len())
            .field("warnings", &self.warnings.len())
            .field("bom", &self.bom)
            .field("line_ending", &self.eol)
            .finish_non_exhaustive()
    }
}
