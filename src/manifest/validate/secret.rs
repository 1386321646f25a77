//! `[secrets.KEY]`: kind, alphabet, size and format; the environments a secret belongs to; what
//! `[defaults]` gives it. Its rotation fields and hooks are read by `rotation.rs` and `hooks.rs`.

use super::hooks::hooks_decl;
use super::read::{
    Ctx, Key, Span, Value, count, duration, string, table_named, unknown_field, value_type,
};
use super::rotation::{period, previous_decl, role, rotation};
use crate::dotenv;
use crate::error::{EnvList, ManifestProblem, NameOf, Result, SizeInManifest, SizeProblem};
use crate::generate::{Alphabet, Kind, Size, SizeUnit, Spec};
use crate::manifest::{
    Environment, MAX_KEY_LEN, Role, RotationProblem, SecretDecl, closest, shown_name,
    valid_env_name,
};
use std::time::Duration;
use toml::Spanned;
use toml::de::DeValue;

/// The fields of `[secrets.KEY]`.
pub(super) const SECRET_FIELDS: [&str; 15] = [
    "kind",
    "alphabet",
    "bytes",
    "bits",
    "length",
    "rotate_every",
    "environments",
    "external",
    "overlap",
    "previous",
    "role",
    "format",
    "hooks",
    "alternate",
    "hook_timeout",
];
/// What `[defaults]` gives every secret.
#[derive(Clone, Copy)]
pub(super) struct SecretDefaults {
    pub(super) rotate_every: Option<Duration>,
    pub(super) overlap: Option<Duration>,
    pub(super) role: Role,
    pub(super) role_declared: bool,
    pub(super) hook_timeout: Duration,
}

/// One `[secrets.KEY]`, and where its previous names must be checked against the other
/// secrets' (the span of `previous`, else of `overlap`, else of the header): `None` when the
/// secret has neither, so its default `KEY_PREVIOUS` is never used and may be anything.
pub(super) fn secret_decl(
    ctx: &Ctx<'_>,
    key: &Key<'_>,
    value: Value<'_>,
    defaults: SecretDefaults,
    environments: &[Environment],
) -> Result<(SecretDecl, Option<Span>, Option<Span>)> {
    let k: &str = key.get_ref();
    let length = k.chars().count();
    if length > MAX_KEY_LEN || !dotenv::is_valid_key(k) {
        let problem = ManifestProblem::BadName {
            of: NameOf::Key,
            name: shown_name(k),
            too_long: (length > MAX_KEY_LEN).then_some((length, MAX_KEY_LEN)),
        };
        return Err(ctx.at(key.span(), problem));
    }
    let header = || format!("[secrets.{k}]");
    let span = value.span();
    let fields = table_named(ctx, value, header, None)?;
    let mut f: [Option<Value<'_>>; 15] = Default::default();
    // In the table's order, not sorted into the file's (10,000 secrets are 10,000 tables):
    // the unknown field named is still the first one in the file.
    let mut unknown: Option<Key<'_>> = None;
    for (name, value) in fields {
        match SECRET_FIELDS.iter().position(|f| *f == name.get_ref()) {
            Some(i) => f[i] = Some(value),
            None if unknown
                .as_ref()
                .is_none_or(|u| name.span().start < u.span().start) =>
            {
                unknown = Some(name)
            }
            None => {}
        }
    }
    if let Some(name) = unknown {
        return Err(unknown_field(ctx, &name, &header(), &SECRET_FIELDS));
    }
    let [
        kind,
        alphabet,
        bytes,
        bits,
        length,
        rotate_every,
        envs,
        external,
        overlap,
        previous,
        role_field,
        format,
        hooks_field,
        alternate_field,
        timeout_field,
    ] = f;
    let role_declared = role_field.is_some() || defaults.role_declared;
    let role = match role_field {
        Some(v) => role(ctx, v)?,
        None => defaults.role,
    };
    let external = match external {
        None => false,
        Some(v) => {
            let span = v.span();
            match v.into_inner() {
                DeValue::Boolean(b) => b,
                other => {
                    let found = value_type(&other);
                    return Err(rotation(
                        ctx,
                        span,
                        RotationProblem::ExternalNotBoolean { found },
                    ));
                }
            }
        }
    };
    if external {
        // The first shape field in the file is the one named.
        let shape = [
            ("kind", &kind),
            ("alphabet", &alphabet),
            ("bytes", &bytes),
            ("bits", &bits),
            ("length", &length),
            ("format", &format),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name, v.span())))
        .min_by_key(|(_, span)| span.start);
        if let Some((field, span)) = shape {
            let problem = RotationProblem::ExternalWithShape {
                key: shown_name(k),
                field,
            };
            return Err(rotation(ctx, span, problem));
        }
    }
    let kind = match (kind, alphabet) {
        (Some(k), Some(_)) => {
            return Err(ctx.at(k.span(), ManifestProblem::KindAndAlphabet));
        }
        (Some(k), None) => {
            let k = string(ctx, k, "kind", "kind = \"hex\"")?;
            Kind::from_name(k.get_ref()).ok_or_else(|| {
                let problem = ManifestProblem::UnknownKind {
                    kind: shown_name(k.get_ref()),
                    did_you_mean: closest(k.get_ref(), Kind::NAMES),
                };
                ctx.at(k.span(), problem)
            })?
        }
        (None, Some(a)) => {
            let a = string(ctx, a, "alphabet", "alphabet = \"abcdef0123456789\"")?;
            let alphabet = Alphabet::new(a.get_ref())
                .map_err(|e| ctx.at(a.span(), ManifestProblem::BadAlphabet(e)))?;
            dotenv::check_writable_alphabet(a.get_ref())
                .map_err(|e| ctx.at(a.span(), ManifestProblem::UnsafeAlphabet(e)))?;
            Kind::Custom(alphabet)
        }
        (None, None) => Kind::Base64Url,
    };
    // The kind's default size, in its own unit: the example every size hint gives.
    let default = Spec::new(kind.clone(), None).map_or(32, |s| s.amount() as u64);
    let native = kind.native_unit();
    let mut given: Vec<(SizeUnit, Spanned<u64>)> = Vec::new();
    for (unit, value) in [
        (SizeUnit::Bytes, bytes),
        (SizeUnit::Bits, bits),
        (SizeUnit::Length, length),
    ] {
        if let Some(v) = value {
            let example = || match unit {
                SizeUnit::Bits => "bits = 256".to_string(),
                _ => format!("{} = {default}", native.name()),
            };
            given.push((unit, count(ctx, v, unit.name(), &example)?));
        }
    }
    if let Some((_, second)) = given.get(1) {
        let problem = ManifestProblem::SeveralSizes {
            kind: kind.name().to_string(),
            native,
        };
        return Err(ctx.at(second.span(), problem));
    }
    let size_span = given.first().map_or(span, |(_, v)| v.span());
    let size = given.first().map(|(unit, v)| Size {
        unit: *unit,
        amount: *v.get_ref(),
    });
    // The sentences are the command line's too (the binary's `advice.rs`), worded for fields.
    let refused = |problem| {
        let size = SizeInManifest {
            key: k.to_string(),
            problem,
            native,
            default,
        };
        ctx.at(size_span.clone(), ManifestProblem::Size(Box::new(size)))
    };
    let spec = Spec::new(kind, size).map_err(|e| refused(SizeProblem::Spec(e)))?;
    if spec.is_weak() {
        return Err(refused(SizeProblem::Weak(spec)));
    }
    let spec = match format {
        None => spec,
        Some(v) => {
            let text = string(ctx, v, "format", "format = \"base64:{value}\"")?;
            let parsed = crate::generate::Format::parse(text.get_ref())
                .map_err(|count| ctx.at(text.span(), ManifestProblem::BadFormat { count }))?;
            // Every value is the format's text around the kind's characters: together they
            // must be writable in single quotes, as an alphabet must.
            let chars = format!(
                "{}{}{}",
                parsed.prefix(),
                parsed.suffix(),
                spec.kind().charset()
            );
            dotenv::check_writable_alphabet(&chars)
                .map_err(|c| ctx.at(text.span(), ManifestProblem::UnsafeFormat(c)))?;
            spec.with_format(parsed)
        }
    };
    let rotate_every = match rotate_every {
        Some(d) => period(
            ctx,
            &string(ctx, d, "rotate_every", "rotate_every = \"90d\"")?,
        )?,
        None => defaults.rotate_every,
    };
    let envs = match envs {
        None => None,
        Some(list) => Some(secret_envs(ctx, k, list, environments)?),
    };
    let overlap_span = overlap.as_ref().map(|v| v.span());
    if role == Role::Encryption
        && let Some(span) = overlap_span.clone()
    {
        let problem = RotationProblem::OverlapOnEncryption { key: shown_name(k) };
        return Err(rotation(ctx, span, problem));
    }
    let overlap = match overlap {
        Some(d) => Some(duration(
            ctx,
            &string(ctx, d, "overlap", "overlap = \"7d\"")?,
        )?),
        // An encryption key's retired keys do not expire: [defaults]' overlap is not for it.
        None if role == Role::Encryption => None,
        None => defaults.overlap,
    };
    let (previous, check_at) = match previous {
        Some(p) => {
            let span = p.span();
            // The generator's characters: a list separator must avoid them. An external
            // value's characters are not known, so nothing is checked against them.
            let charset = (!external).then_some(&spec);
            (previous_decl(ctx, k, p, charset)?, Some(span))
        }
        None => (
            crate::manifest::Previous::default_for(k),
            // An encryption key always keeps its retired values (its keyring).
            overlap_span
                .or_else(|| (overlap.is_some() || role == Role::Encryption).then(|| key.span())),
        ),
    };
    let hook_span = hooks_field.as_ref().map(|v| v.span());
    let hooks = hooks_decl(
        ctx,
        k,
        role,
        external,
        hooks_field,
        alternate_field,
        timeout_field,
        defaults.hook_timeout,
    )?;
    let decl = SecretDecl {
        key: k.to_string(),
        spec,
        rotate_every,
        environments: envs,
        external,
        overlap,
        previous,
        role,
        role_declared,
        line: ctx.line(key.span().start),
        hooks,
    };
    Ok((decl, check_at, hook_span))
}

/// A secret's `environments = [...]`: declared names only.
pub(super) fn secret_envs(
    ctx: &Ctx<'_>,
    key: &str,
    list: Value<'_>,
    environments: &[Environment],
) -> Result<Vec<String>> {
    let span = list.span();
    let bad = |span, why| Err(ctx.at(span, ManifestProblem::SecretEnvironments(why)));
    let items = match list.into_inner() {
        DeValue::Array(items) => items,
        DeValue::String(s) => return bad(span, EnvList::SingleName(s.escape_debug().to_string())),
        other => return bad(span, EnvList::NotAList(value_type(&other))),
    };
    if items.is_empty() {
        return bad(span, EnvList::Empty);
    }
    let declared: Vec<&str> = environments.iter().map(|e| e.name.as_str()).collect();
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let item_span = item.span();
        let DeValue::String(name) = item.into_inner() else {
            return bad(item_span, EnvList::EntryNotText);
        };
        if !declared.contains(&name.as_ref()) {
            return bad(
                item_span,
                EnvList::Undeclared {
                    key: key.to_string(),
                    name: shown_name(&name),
                    did_you_mean: closest(&name, declared.iter().copied()).map(str::to_string),
                    declared: declared.iter().map(|d| d.to_string()).collect(),
                    valid_name: valid_env_name(&name),
                },
            );
        }
        if !names.iter().any(|n| n == name.as_ref()) {
            names.push(name.into_owned());
        }
    }
    Ok(names)
}
