//! Reading a manifest's TOML tree: the error context (file, line index), and typed values
//! (tables, text, counts, durations) refused in the manifest's words, naming the field and line.

use crate::error::{
    Error, Expected, ManifestError, ManifestProblem, Result, UnknownField, ValueType,
};
use crate::manifest::{closest, shown_name};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(super) type Span = std::ops::Range<usize>;
pub(super) type Value<'i> = Spanned<DeValue<'i>>;
/// A table's key as the parser gives it: borrowed from the text unless it had escapes (a
/// manifest of 10,000 secrets has 20,000 keys, none of which needs a copy to be checked).
pub(super) type Key<'i> = Spanned<Cow<'i, str>>;

/// The manifest errors are reported against.
pub(super) struct Ctx<'a> {
    pub(super) text: &'a str,
    pub(super) path: &'a Path,
    /// The offset of every line feed, in order: a secret's line is a binary search, not a count
    /// from the start (which made a manifest of n secrets take n^2 time: 8,000 secrets took
    /// 12 s, found by scripts/hostile.sh).
    pub(super) newlines: Vec<usize>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(text: &'a str, path: &'a Path) -> Self {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        Ctx {
            text,
            path,
            newlines,
        }
    }

    /// The 1-based line of byte `offset` (as [`crate::text::line_of_offset`]).
    pub(super) fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset) + 1
    }

    /// `problem` at the line of `span`.
    pub(super) fn at(&self, span: Span, problem: ManifestProblem) -> Error {
        let line = self.line(span.start);
        ManifestError::new(self.path, Some(line), problem).into()
    }

    /// A TOML syntax error, in TOML's words (they are about the syntax, which is TOML's), with
    /// the line; a duplicate key is named.
    pub(super) fn syntax(&self, e: &toml::de::Error) -> Error {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim();
        if message == "duplicate key" {
            let key = shown_name(self.text.get(span.clone()).unwrap_or("a key"));
            return self.at(span, ManifestProblem::DuplicateKey { key });
        }
        let message = message.lines().next().unwrap_or("invalid TOML").to_string();
        self.at(span, ManifestProblem::Syntax { message })
    }
}

/// What a TOML value is.
pub(super) fn value_type(value: &DeValue<'_>) -> ValueType {
    match value {
        DeValue::String(_) => ValueType::Text,
        DeValue::Integer(_) => ValueType::Number,
        DeValue::Float(_) => ValueType::Decimal,
        DeValue::Boolean(_) => ValueType::Boolean,
        DeValue::Datetime(_) => ValueType::Date,
        DeValue::Array(_) => ValueType::List,
        DeValue::Table(_) => ValueType::Table,
    }
}

/// `value`, of the wrong type, refused: it should be `expected`, like `example`.
pub(super) fn wrong_type(
    ctx: &Ctx<'_>,
    span: Span,
    field: String,
    expected: Expected,
    value: &DeValue<'_>,
    example: &str,
) -> Error {
    let problem = ManifestProblem::WrongType {
        expected,
        field,
        found: value_type(value),
        example: example.to_string(),
    };
    ctx.at(span, problem)
}

/// A table's entries in the order they appear in the file (a TOML table iterates by key).
pub(super) fn in_file_order(table: DeTable<'_>) -> Vec<(Key<'_>, Value<'_>)> {
    let mut entries: Vec<_> = table.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// An unknown field `key` of table `table` (e.g. `[secrets.A]`) that has `fields`.
pub(super) fn unknown_field(
    ctx: &Ctx<'_>,
    key: &Key<'_>,
    table: &str,
    fields: &'static [&'static str],
) -> Error {
    let name = key.get_ref();
    let problem = ManifestProblem::UnknownField(Box::new(UnknownField {
        table: table.to_string(),
        field: shown_name(name),
        did_you_mean: closest(name, fields.iter().copied()),
        fields,
    }));
    ctx.at(key.span(), problem)
}

/// `value` as a table, or an error saying `name` must be one, like `example` (by default
/// `NAME on its own line`, made only for the error: 10,000 secrets are 10,000 tables).
pub(super) fn table<'i>(
    ctx: &Ctx<'_>,
    value: Value<'i>,
    name: &str,
    example: Option<&str>,
) -> Result<DeTable<'i>> {
    table_named(ctx, value, || name.to_string(), example)
}

/// [`table`], with the name made only for the error (`[secrets.KEY]` for each of 10,000
/// secrets would be 10,000 strings).
pub(super) fn table_named<'i>(
    ctx: &Ctx<'_>,
    value: Value<'i>,
    name: impl FnOnce() -> String,
    example: Option<&str>,
) -> Result<DeTable<'i>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Table(t) => Ok(t),
        other => {
            let name = name();
            let example = example.map_or_else(|| format!("{name} on its own line"), str::to_string);
            Err(wrong_type(
                ctx,
                span,
                name,
                Expected::Table,
                &other,
                &example,
            ))
        }
    }
}

/// `value` as text, or an error saying field `name` takes text, like `example`.
/// Borrowed from the manifest's text when it has no escapes: `kind = "hex"` 10,000 times is
/// not 10,000 copies.
pub(super) fn string<'i>(
    ctx: &Ctx<'_>,
    value: Value<'i>,
    name: &str,
    example: &str,
) -> Result<Key<'i>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::String(s) => Ok(Spanned::new(span, s)),
        other => Err(wrong_type(
            ctx,
            span,
            format!("`{name}`"),
            Expected::Text,
            &other,
            example,
        )),
    }
}

/// `value` as a whole number of at least 0, or an error in the words of field `name`.
pub(super) fn count(
    ctx: &Ctx<'_>,
    value: Value<'_>,
    name: &str,
    example: &dyn Fn() -> String,
) -> Result<Spanned<u64>> {
    let span = value.span();
    // Made for an error only: a manifest of 10,000 secrets reads 10,000 sizes.
    let field = || format!("`{name}`");
    match value.get_ref() {
        DeValue::Integer(n) => {
            if n.as_str().starts_with('-') {
                let (field, example) = (field(), example());
                return Err(ctx.at(span, ManifestProblem::Negative { field, example }));
            }
            match u64::from_str_radix(n.as_str().trim_start_matches('+'), n.radix()) {
                Ok(n) => Ok(Spanned::new(span.clone(), n)),
                // Only a number too large for 64 bits gets here; Spec's limits are far lower,
                // so say what they say.
                Err(_) => Ok(Spanned::new(span.clone(), u64::MAX)),
            }
        }
        DeValue::Float(f) => {
            let problem = ManifestProblem::NotWhole {
                field: field(),
                literal: f.as_str().to_string(),
                example: example(),
            };
            Err(ctx.at(span, problem))
        }
        other => Err(wrong_type(
            ctx,
            span.clone(),
            field(),
            Expected::WholeNumber,
            other,
            &example(),
        )),
    }
}

/// A period in the one duration syntax ([`crate::time::parse_duration`]), refused in the
/// manifest's words: "bad duration `TEXT`", why when there is more to say, and what to write.
pub(super) fn duration(ctx: &Ctx<'_>, text: &Key<'_>) -> Result<Duration> {
    crate::time::parse_duration(text.get_ref()).map_err(|error| {
        let text_shown = shown_name(text.get_ref());
        let problem = ManifestProblem::BadPeriod {
            text: text_shown,
            error,
        };
        ctx.at(text.span(), problem)
    })
}
