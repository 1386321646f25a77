//! A secret's rotation fields: `rotate_every`, `role` and `previous` (one name, numbered, a list
//! or slots), and the check that no two secrets keep retired values under one name.

use super::read::{
    Ctx, Key, Span, Value, count, duration, in_file_order, string, unknown_field, value_type,
};
use crate::dotenv;
use crate::error::{Error, ManifestProblem, Result};
use crate::generate::Spec;
use crate::manifest::{
    Collides, MAX_KEY_LEN, Role, RotationProblem, SecretDecl, closest, shown_name,
};
use std::borrow::Cow;
use std::time::Duration;
use toml::Spanned;
use toml::de::DeValue;

/// The fields of a `previous = { ... }` table.
pub(super) const PREVIOUS_FIELDS: [&str; 5] = ["numbered", "list", "separator", "keep", "slots"];

/// `problem` in a rotation field, at the line of `span`.
pub(super) fn rotation(ctx: &Ctx<'_>, span: Span, problem: RotationProblem) -> Error {
    ctx.at(span, ManifestProblem::Rotation(problem))
}

/// `previous = "NAME"`, `{ numbered = "X_{n}", keep = N }` or
/// `{ list = "NAME", separator = ",", keep = N }` of secret `key`; `kind` is the generator's,
/// whose characters a list separator must avoid (`None` for an external secret).
pub(super) fn previous_decl(
    ctx: &Ctx<'_>,
    key: &str,
    value: Value<'_>,
    spec: Option<&Spec>,
) -> Result<crate::manifest::Previous> {
    let kind = spec.map(Spec::kind);
    let format = spec.and_then(Spec::format);
    use crate::manifest::{MAX_KEEP, NUMBER_PLACEHOLDER, Previous, numbered};
    let span = value.span();
    let name_ok = |name: &str| name.chars().count() <= MAX_KEY_LEN && dotenv::is_valid_key(name);
    let bad_name = |span: Span, field: &'static str, name: &str| {
        let problem = RotationProblem::PreviousName {
            field,
            name: shown_name(name),
        };
        rotation(ctx, span, problem)
    };
    let fields = match value.into_inner() {
        DeValue::String(name) => {
            if !name_ok(&name) {
                return Err(bad_name(span, "previous", &name));
            }
            return Ok(Previous::One(name.into_owned()));
        }
        DeValue::Table(t) => t,
        other => {
            let found = value_type(&other);
            return Err(rotation(ctx, span, RotationProblem::PreviousForm { found }));
        }
    };
    let table_name = format!("`previous` of [secrets.{key}]");
    let mut f: [Option<Value<'_>>; 5] = Default::default();
    for (name, value) in in_file_order(fields) {
        match PREVIOUS_FIELDS.iter().position(|f| f == name.get_ref()) {
            Some(i) => f[i] = Some(value),
            None => return Err(unknown_field(ctx, &name, &table_name, &PREVIOUS_FIELDS)),
        }
    }
    let [numbered_field, list, separator, keep, slots] = f;
    if let Some(slots) = slots {
        if numbered_field.is_some() || list.is_some() {
            let problem = RotationProblem::PreviousTable {
                key: shown_name(key),
                both: true,
            };
            return Err(rotation(ctx, slots.span(), problem));
        }
        if let Some(extra) = separator.or(keep) {
            let problem = RotationProblem::SlotsWithKeep;
            return Err(rotation(ctx, extra.span(), problem));
        }
        return slot_names(ctx, slots, &name_ok, &bad_name);
    }
    let keep = match keep {
        None => 1,
        Some(v) => {
            let n = count(ctx, v, "keep", &|| "keep = 2".to_string())?;
            let keep = *n.get_ref();
            if keep == 0 || keep > MAX_KEEP as u64 {
                return Err(rotation(ctx, n.span(), RotationProblem::Keep { keep }));
            }
            keep as usize
        }
    };
    let shown_key = shown_name(key);
    match (numbered_field, list) {
        (Some(pattern), None) => {
            if let Some(sep) = separator {
                return Err(unknown_field(
                    ctx,
                    &Spanned::new(sep.span(), Cow::Borrowed("separator")),
                    &table_name,
                    &["numbered", "keep"],
                ));
            }
            let pattern = string(ctx, pattern, "numbered", "numbered = \"AUTH_SECRET_{n}\"")?;
            let text = pattern.get_ref();
            let placeholders = text.matches(NUMBER_PLACEHOLDER).count();
            if placeholders != 1 {
                let problem = RotationProblem::Placeholder {
                    pattern: shown_name(text),
                    count: placeholders,
                };
                return Err(rotation(ctx, pattern.span(), problem));
            }
            // The longest name is the one with the largest number.
            for n in [1, keep] {
                let name = numbered(text, n);
                if !name_ok(&name) {
                    return Err(bad_name(pattern.span(), "numbered", &name));
                }
            }
            Ok(Previous::Numbered {
                pattern: pattern.into_inner().into_owned(),
                keep,
            })
        }
        (None, Some(list)) => {
            let name = string(ctx, list, "list", "list = \"APP_PREVIOUS_KEYS\"")?;
            if !name_ok(name.get_ref()) {
                return Err(bad_name(name.span(), "list", name.get_ref()));
            }
            let separator = match separator {
                None => Spanned::new(name.span(), Cow::Borrowed(",")),
                Some(v) => string(ctx, v, "separator", "separator = \",\"")?,
            };
            let sep = separator.get_ref();
            if sep.is_empty() {
                return Err(rotation(
                    ctx,
                    separator.span(),
                    RotationProblem::EmptySeparator,
                ));
            }
            dotenv::check_writable_alphabet(sep).map_err(|c| {
                rotation(ctx, separator.span(), RotationProblem::UnsafeSeparator(c))
            })?;
            if let Some(format) = format
                && let Some(found) = sep
                    .chars()
                    .find(|c| format.prefix().contains(*c) || format.suffix().contains(*c))
            {
                let problem = RotationProblem::SeparatorInAlphabet {
                    key: shown_key,
                    separator: shown_name(sep),
                    found,
                    kind: format!("`format = \"{format}\"`"),
                };
                return Err(rotation(ctx, separator.span(), problem));
            }
            if let Some(kind) = kind
                && let Some(found) = sep.chars().find(|c| kind.charset().contains(*c))
            {
                let problem = RotationProblem::SeparatorInAlphabet {
                    key: shown_key,
                    separator: shown_name(sep),
                    found,
                    kind: kind.name().to_string(),
                };
                return Err(rotation(ctx, separator.span(), problem));
            }
            Ok(Previous::List {
                name: name.into_inner().into_owned(),
                separator: separator.into_inner().into_owned(),
                keep,
            })
        }
        (a, b) => {
            let both = a.is_some();
            let problem = RotationProblem::PreviousTable {
                key: shown_key,
                both,
            };
            let at = b.map_or(span, |b| b.span());
            Err(rotation(ctx, at, problem))
        }
    }
}

/// `slots = ["AUTH_SECRET_2", "AUTH_SECRET_1", "AUTH_SECRET"]`: 1 to `MAX_KEEP` names in
/// quotes, newest first, each a valid variable name.
pub(super) fn slot_names(
    ctx: &Ctx<'_>,
    value: Value<'_>,
    name_ok: &dyn Fn(&str) -> bool,
    bad_name: &dyn Fn(Span, &'static str, &str) -> Error,
) -> Result<crate::manifest::Previous> {
    let span = value.span();
    let items = match value.into_inner() {
        DeValue::Array(items) => items,
        other => {
            let found = value_type(&other);
            return Err(rotation(
                ctx,
                span,
                RotationProblem::SlotsNotAList { found },
            ));
        }
    };
    if items.is_empty() || items.len() > crate::manifest::MAX_KEEP {
        let problem = RotationProblem::Keep {
            keep: items.len() as u64,
        };
        return Err(rotation(ctx, span, problem));
    }
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        let item_span = item.span();
        let DeValue::String(text) = item.into_inner() else {
            return Err(bad_name(item_span, "slots", "(not text)"));
        };
        if !name_ok(&text) {
            return Err(bad_name(item_span, "slots", &text));
        }
        names.push(text.into_owned());
    }
    Ok(crate::manifest::Previous::Slots(names))
}

/// Refuses a previous name that is a declared key or another secret's previous name: rotation
/// would overwrite one value with the other. Only the secrets that use their previous names
/// (`spans[i]` is `Some`) are checked.
pub(super) fn check_previous_names(
    ctx: &Ctx<'_>,
    decls: &[SecretDecl],
    spans: &[Option<Span>],
) -> Result<()> {
    // Most manifests use no previous names: nothing to index (10,000 secrets stay cheap).
    if spans.iter().all(Option::is_none) {
        return Ok(());
    }
    let declared: std::collections::HashSet<&str> = decls.iter().map(|d| d.key.as_str()).collect();
    let mut taken: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for (decl, span) in decls.iter().zip(spans) {
        let Some(span) = span else { continue };
        for name in decl.previous.names(None) {
            let with = if declared.contains(name.as_str()) {
                Some(Collides::Declared)
            } else {
                taken
                    .get(&name)
                    .map(|other| Collides::PreviousOf(other.to_string()))
            };
            if let Some(with) = with {
                let problem = RotationProblem::Collision {
                    name: shown_name(&name),
                    key: shown_name(&decl.key),
                    with,
                };
                return Err(rotation(ctx, span.clone(), problem));
            }
            taken.insert(name, &decl.key);
        }
    }
    Ok(())
}

/// `rotate_every`: a period ([`duration`]), or `"never"` (`None`): the key's age is tracked,
/// it never falls due.
pub(super) fn period(ctx: &Ctx<'_>, text: &Key<'_>) -> Result<Option<Duration>> {
    if text.get_ref() == "never" {
        return Ok(None);
    }
    duration(ctx, text).map(Some)
}

/// `role = "signing" | "encryption" | "credential"`.
pub(super) fn role(ctx: &Ctx<'_>, value: Value<'_>) -> Result<Role> {
    let text = string(ctx, value, "role", "role = \"signing\"")?;
    Role::from_name(text.get_ref()).ok_or_else(|| {
        let problem = RotationProblem::UnknownRole {
            role: shown_name(text.get_ref()),
            did_you_mean: closest(text.get_ref(), Role::NAMES),
        };
        rotation(ctx, text.span(), problem)
    })
}
