//! A model of dotenv editing for the property tests in `dotenv_corpus.rs` and `dotenv_peers.rs`:
//! a document is a list of blocks whose meaning is known by construction (this key, this
//! value, a record, a broken line), and each edit is applied to the list in the simplest way.
//! Random edits run on both the model and `envmint::dotenv::Document`; the rendered document
//! must be the model's blocks in order, every untouched block byte for byte.

// Each test file uses only part of the model.
#![allow(dead_code)]

use envmint::dotenv::{Document, quote_value};
use rand::{Rng, RngExt};
use std::collections::BTreeMap;

/// Source keys (on readable lines), keys only on unreadable lines, and keys edits add.
pub const SOURCE_KEYS: [&str; 5] = ["K0", "K1", "K2", "K3", "K4"];
pub const BROKEN_KEYS: [&str; 2] = ["B0", "B1"];
pub const NEW_KEYS: [&str; 4] = ["N0", "N1", "N2", "N3"];

/// One block of the document.
#[derive(Clone, Debug)]
pub enum Block {
    /// Source text, untouched: must render byte for byte.
    Orig {
        text: String,
        /// The key it defines and the value readers see, for an entry.
        def: Option<(String, String)>,
        /// The key an unreadable line names.
        broken: Option<String>,
        /// The record text, for a `# envmint:` comment.
        record: Option<String>,
        /// A quote opened here is never closed.
        unterminated: bool,
    },
    /// A definition envmint rewrote (set, replace_value): one line that reads `value`.
    Edited {
        key: String,
        value: String,
        /// Whether the source block lacked a line ending (the rewrite keeps that).
        open: bool,
    },
    /// A line envmint added: exactly `KEY=quoted value` and the line ending.
    New { key: String, value: String },
    /// A record envmint wrote: exactly `# envmint: TEXT` and the line ending.
    Record { text: String },
}

impl Block {
    fn def(&self) -> Option<(&str, &str)> {
        match self {
            Block::Orig {
                def: Some((k, v)), ..
            } => Some((k, v)),
            Block::Edited { key, value, .. } | Block::New { key, value } => Some((key, value)),
            _ => None,
        }
    }

    fn record(&self) -> Option<&str> {
        match self {
            Block::Orig {
                record: Some(r), ..
            } => Some(r),
            Block::Record { text } => Some(text),
            _ => None,
        }
    }

    fn broken(&self) -> Option<&str> {
        match self {
            Block::Orig {
                broken: Some(k), ..
            } => Some(k),
            _ => None,
        }
    }

    /// Lines the block shows.
    fn lines(&self) -> usize {
        match self {
            Block::Orig { text, .. } => {
                let breaks = text.matches('\n').count();
                breaks + usize::from(!text.ends_with('\n'))
            }
            _ => 1,
        }
    }
}

/// A document as the model sees it.
#[derive(Clone, Debug)]
pub struct Model {
    pub bom: bool,
    pub eol: &'static str,
    pub blocks: Vec<Block>,
    /// The source text, as generated.
    pub source: String,
}

/// One edit, applied to both.
#[derive(Clone, Debug)]
pub enum Op {
    Set(String, String),
    Replace(String, String),
    InsertAfter(String, String, String),
    Remove(String),
    SetRecord(String, String),
    Append(String, String),
}

/// Options for the document generator.
#[derive(Clone, Copy)]
pub struct Shape {
    /// Only blocks every peer reads the same way (no escapes, no BOM before a key).
    pub peer_safe: bool,
}

impl Model {
    /// A random corpus-like document: LF or CRLF, maybe a BOM, comments, records, `export`,
    /// quotes, multi-line values, duplicate keys, unreadable lines, maybe an unterminated quote
    /// and a missing final line ending.
    pub fn random(rng: &mut impl Rng, shape: Shape) -> Model {
        let eol = if rng.random_bool(0.5) { "\n" } else { "\r\n" };
        let bom = rng.random_bool(0.2);
        let mut blocks = Vec::new();
        if bom {
            blocks.push(orig(format!("# with a BOM{eol}")));
        }
        let count = rng.random_range(0..14);
        let mut unterminated = false;
        for n in 0..count {
            let k = SOURCE_KEYS[rng.random_range(0..SOURCE_KEYS.len())].to_owned();
            let v = format!("v{n}");
            let block = match rng.random_range(0..17) {
                0 => orig(eol.to_owned()),
                1 => orig(format!("  \t{eol}")),
                2 => orig(format!("# a comment{eol}")),
                3 | 4 => {
                    let text = format!("generated=2026-0{}-01T00:00:00Z", n % 9 + 1);
                    let mut b = orig(format!("# envmint: {text}{eol}"));
                    if let Block::Orig { record, .. } = &mut b {
                        *record = Some(text);
                    }
                    b
                }
                5 => entry(format!("{k}={v}{eol}"), &k, &v),
                6 => entry(format!("export {k}={v}{eol}"), &k, &v),
                7 => entry(format!("  {k} = {v} # note{eol}"), &k, &v),
                8 => entry(format!("{k}='{v} w' # c{eol}"), &k, &format!("{v} w")),
                9 => entry(format!("{k}=\"{v} x\"{eol}"), &k, &format!("{v} x")),
                10 if !shape.peer_safe => {
                    entry(format!("{k}=\"{v}\\tx\"{eol}"), &k, &format!("{v}\tx"))
                }
                11 => entry(
                    format!("{k}='multi{eol}{v}'{eol}"),
                    &k,
                    &format!("multi\n{v}"),
                ),
                12 => entry(format!("export {k}=\"{v}\"#glued{eol}"), &k, &v),
                13 => entry(format!("{k}={eol}"), &k, ""),
                14 => orig(format!("junk line{eol}")),
                15 => {
                    let b = BROKEN_KEYS[rng.random_range(0..BROKEN_KEYS.len())];
                    Block::Orig {
                        text: format!("{b}='a' junk{eol}"),
                        def: None,
                        broken: Some(b.to_owned()),
                        record: None,
                        unterminated: false,
                    }
                }
                16 if !unterminated && rng.random_bool(0.3) => {
                    unterminated = true;
                    Block::Orig {
                        text: format!("U=\"open{eol}"),
                        def: None,
                        broken: Some("U".to_owned()),
                        record: None,
                        unterminated: true,
                    }
                }
                _ => orig(format!("# filler{eol}")),
            };
            // Nothing after an unterminated double quote may close it.
            if unterminated
                && !matches!(
                    &block,
                    Block::Orig {
                        unterminated: true,
                        ..
                    }
                )
                && matches!(&block, Block::Orig { text, .. } if text.contains('"'))
            {
                continue;
            }
            blocks.push(block);
        }
        if rng.random_bool(0.2)
            && let Some(Block::Orig { text, .. }) = blocks.last_mut()
        {
            let trimmed = text.trim_end_matches(['\r', '\n']).len();
            // A lone blank line without its ending would vanish: keep some text.
            if trimmed > 0 {
                text.truncate(trimmed);
            }
        }
        let mut model = Model {
            bom,
            eol,
            blocks,
            source: String::new(),
        };
        model.source = model.text();
        model
    }

    /// The text of the untouched blocks (the source, before any edit).
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        for b in &self.blocks {
            if let Block::Orig { text, .. } = b {
                out.push_str(text);
            }
        }
        out
    }

    /// The line ending the document writes: the source's (LF when it has none).
    fn written_eol(&self) -> &'static str {
        if self.source.contains('\n') {
            self.eol
        } else {
            "\n"
        }
    }

    fn last_def(&self, key: &str) -> Option<usize> {
        self.blocks
            .iter()
            .rposition(|b| b.def().is_some_and(|(k, _)| k == key))
    }

    fn first_broken(&self, key: &str) -> Option<usize> {
        self.blocks.iter().position(|b| b.broken() == Some(key))
    }

    fn unterminated(&self) -> Option<usize> {
        self.blocks.iter().position(|b| {
            matches!(
                b,
                Block::Orig {
                    unterminated: true,
                    ..
                }
            )
        })
    }

    fn present(&self, key: &str) -> bool {
        self.last_def(key).is_some() || self.first_broken(key).is_some()
    }

    /// The block of `key`'s last definition when it can be edited in place (`Err` when the
    /// edit must be refused, `Ok(None)` when the key has no definition).
    fn editable(&self, key: &str) -> Result<Option<usize>, ()> {
        if self.first_broken(key).is_some() {
            return Err(());
        }
        let Some(at) = self.last_def(key) else {
            return Ok(None);
        };
        if self.unterminated().is_some_and(|u| u < at) {
            return Err(());
        }
        Ok(Some(at))
    }

    /// Applies `op`; `false` when the document must refuse it (and stay unchanged).
    pub fn apply(&mut self, op: &Op) -> bool {
        let valid = |value: &str| quote_value(value).is_ok();
        match op {
            Op::Set(k, v) | Op::Replace(k, v) => {
                if !valid(v) {
                    return false;
                }
                match self.editable(k) {
                    Err(()) => false,
                    Ok(Some(at)) => {
                        let open = matches!(&self.blocks[at], Block::Orig { text, .. } if !text.ends_with('\n'))
                            || matches!(&self.blocks[at], Block::Edited { open: true, .. });
                        self.blocks[at] = Block::Edited {
                            key: k.clone(),
                            value: v.clone(),
                            open,
                        };
                        true
                    }
                    Ok(None) if matches!(op, Op::Replace(..)) => false,
                    Ok(None) => self.append(k, v),
                }
            }
            Op::Append(k, v) => valid(v) && !self.present(k) && self.append(k, v),
            Op::InsertAfter(anchor, k, v) => {
                if !valid(v) || self.present(k) {
                    return false;
                }
                match self.editable(anchor) {
                    Ok(Some(at)) => {
                        self.blocks.insert(
                            at + 1,
                            Block::New {
                                key: k.clone(),
                                value: v.clone(),
                            },
                        );
                        true
                    }
                    _ => false,
                }
            }
            Op::Remove(k) => {
                if self.first_broken(k).is_some() || self.last_def(k).is_none() {
                    return false;
                }
                while let Some(at) = self.last_def(k) {
                    self.blocks.remove(at);
                    let mut above = at;
                    while above > 0 && self.blocks[above - 1].record().is_some() {
                        self.blocks.remove(above - 1);
                        above -= 1;
                    }
                }
                true
            }
            Op::SetRecord(k, text) => match self.editable(k) {
                Ok(Some(at)) => {
                    let record = Block::Record {
                        text: text.trim().to_owned(),
                    };
                    if at > 0 && self.blocks[at - 1].record().is_some() {
                        self.blocks[at - 1] = record;
                    } else {
                        self.blocks.insert(at, record);
                    }
                    true
                }
                _ => false,
            },
        }
    }

    fn append(&mut self, k: &str, v: &str) -> bool {
        if self.unterminated().is_some() {
            return false;
        }
        self.blocks.push(Block::New {
            key: k.to_owned(),
            value: v.to_owned(),
        });
        true
    }

    /// What every reader should see: key -> value of its last definition (keys named on
    /// unreadable lines are left out).
    pub fn expected(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for b in &self.blocks {
            if let Some((k, v)) = b.def() {
                out.insert(k.to_owned(), v.to_owned());
            }
        }
        out.retain(|k, _| self.first_broken(k).is_none());
        out
    }

    /// The record directly above each key's last definition.
    fn records(&self) -> BTreeMap<String, Option<String>> {
        self.expected()
            .into_keys()
            .map(|k| {
                let at = self.last_def(&k).unwrap_or(0);
                let r = (at > 0)
                    .then(|| self.blocks[at - 1].record().map(str::to_owned))
                    .flatten();
                (k, r)
            })
            .collect()
    }

    /// The 1-based line where block `at` starts.
    fn line_of(&self, at: usize) -> usize {
        1 + self.blocks[..at].iter().map(Block::lines).sum::<usize>()
    }

    /// Asserts the document renders as the model's blocks, reads the model's values, records
    /// and line numbers, and reads the same once parsed again.
    #[track_caller]
    pub fn check(&self, doc: &Document, context: &str) {
        let rendered = doc.render();
        let mut rest = rendered.as_str();
        if self.bom {
            rest = rest
                .strip_prefix('\u{feff}')
                .unwrap_or_else(|| panic!("{context}: BOM lost"));
        }
        let eol = self.written_eol();
        for (i, b) in self.blocks.iter().enumerate() {
            let more = i + 1 < self.blocks.len();
            match b {
                Block::Orig { text, .. } => {
                    let mut want = text.clone();
                    if more && !text.ends_with('\n') {
                        want.push_str(eol);
                    }
                    assert!(
                        rest.starts_with(&want),
                        "{context}: block {i} {want:?} not kept in {rendered:?}",
                        rendered = rendered.as_str()
                    );
                    rest = &rest[want.len()..];
                }
                _ => {
                    let len = rest.find('\n').map_or(rest.len(), |n| n + 1);
                    let line = &rest[..len];
                    rest = &rest[len..];
                    match b {
                        Block::New { key, value } => {
                            let want = format!("{key}={}{eol}", *quote_value(value).unwrap());
                            assert_eq!(line, want, "{context}: block {i}");
                        }
                        Block::Record { text } => {
                            let sep = if text.is_empty() { "" } else { " " };
                            assert_eq!(line, format!("# envmint:{sep}{text}{eol}"), "{context}");
                        }
                        Block::Edited { key, value, open } => {
                            assert!(
                                line.ends_with(eol) || (*open && !more),
                                "{context}: block {i} {line:?}"
                            );
                            let alone = Document::parse(line);
                            assert_eq!(alone.get(key), Some(value.as_str()), "{context}: {line:?}");
                        }
                        Block::Orig { .. } => unreachable!(),
                    }
                }
            }
        }
        assert_eq!(rest, "", "{context}: unexpected tail");
        let expected = self.expected();
        let again = Document::parse(&rendered);
        for key in SOURCE_KEYS.iter().chain(&NEW_KEYS).chain(&BROKEN_KEYS) {
            let want = expected.get(*key).map(String::as_str);
            assert_eq!(doc.get(key), want, "{context}: get {key}");
            assert_eq!(
                again.get(key),
                want,
                "{context}: get {key} after a new parse"
            );
            assert_eq!(doc.contains_key(key), self.present(key), "{context}: {key}");
            let line = self.last_def(key).map(|at| self.line_of(at));
            assert_eq!(doc.line_of_key(key), line, "{context}: line of {key}");
            let broken = self.first_broken(key).map(|at| self.line_of(at));
            assert_eq!(
                doc.broken_line(key),
                broken,
                "{context}: broken line of {key}"
            );
        }
        for (key, record) in self.records() {
            assert_eq!(
                doc.record(&key),
                record.as_deref(),
                "{context}: record of {key}"
            );
            assert_eq!(
                again.record(&key),
                record.as_deref(),
                "{context}: record of {key}"
            );
        }
    }
}

fn orig(text: String) -> Block {
    Block::Orig {
        text,
        def: None,
        broken: None,
        record: None,
        unterminated: false,
    }
}

fn entry(text: String, key: &str, value: &str) -> Block {
    Block::Orig {
        text,
        def: Some((key.to_owned(), value.to_owned())),
        broken: None,
        record: None,
        unterminated: false,
    }
}

/// A random edit: keys from every pool (present, absent, unreadable), values from `values`.
pub fn random_op(rng: &mut impl Rng, values: &[String]) -> Op {
    let all: Vec<&str> = SOURCE_KEYS
        .iter()
        .chain(&NEW_KEYS)
        .chain(&BROKEN_KEYS)
        .copied()
        .collect();
    let key = |rng: &mut dyn FnMut(usize) -> usize| all[rng(all.len())].to_owned();
    let mut pick = |n: usize| rng.random_range(0..n);
    let k = key(&mut pick);
    let v = values[pick(values.len())].clone();
    match pick(6) {
        0 => Op::Set(k, v),
        1 => Op::Replace(k, v),
        2 => {
            let anchor = key(&mut pick);
            Op::InsertAfter(anchor, k, v)
        }
        3 => Op::Remove(k),
        4 => Op::SetRecord(k, format!("rotated={}", pick(100))),
        _ => Op::Append(k, v),
    }
}

/// Applies `op` to the document; whether it was accepted.
pub fn apply(doc: &mut Document, op: &Op) -> bool {
    match op {
        Op::Set(k, v) => doc.set(k, v).is_ok(),
        Op::Replace(k, v) => doc.replace_value(k, v).is_ok(),
        Op::InsertAfter(a, k, v) => doc.insert_after(a, k, v).is_ok(),
        Op::Remove(k) => doc.remove(k).is_ok(),
        Op::SetRecord(k, t) => doc.set_record(k, t).is_ok(),
        Op::Append(k, v) => doc.append(k, v).is_ok(),
    }
}
