//! From manifest text to a validated [`Manifest`], with errors in the manifest's own words.
//!
//! The text is parsed into a spanned TOML tree ([`DeTable`]) and walked by hand rather than
//! deserialized into structs: serde's messages speak Rust (`expected u64`, `invalid type:
//! string, expected struct RawDefaults`), while each check here knows the field it is reading
//! and can say what it must be, with an example and the line.
//!
//! One file a table: this one walks the top of the manifest and `[defaults]`;
//! `environment.rs` reads `[environments.NAME]`, `secret.rs` `[secrets.KEY]` (its kind and
//! size), `rotation.rs` a secret's rotation fields (`rotate_every`, `role`, `previous`) and
//! `hooks.rs` its hooks; `read.rs` holds what they share (the error context and the typed
//! readers of TOML values).

mod environment;
mod hooks;
mod read;
mod rotation;
mod secret;
#[cfg(test)]
mod tests;

use super::{DEFAULT_ROTATE_EVERY, Environment, Manifest, Role, Source, closest, shown_name};
use crate::error::{Error, ManifestError, ManifestProblem, Result};
use environment::{ENV_FIELDS, environment, mode};
use hooks::{check_hook_names, timeout};
use read::{Ctx, Key, duration, in_file_order, string, table, unknown_field};
use rotation::{check_previous_names, period, role};
use secret::{SECRET_FIELDS, SecretDefaults, secret_decl};
use std::path::Path;
use toml::de::DeTable;

/// The tables a manifest may have.
const TABLES: [&str; 3] = ["defaults", "environments", "secrets"];
/// The fields of `[defaults]`.
const DEFAULT_FIELDS: [&str; 5] = ["rotate_every", "mode", "overlap", "role", "hook_timeout"];

/// Parses and validates a manifest; see [`Manifest::parse`].
pub(super) fn parse(text: &str, path: &Path, root: &Path) -> Result<Manifest> {
    let ctx = Ctx::new(text, path);
    let doc = DeTable::parse(text).map_err(|e| ctx.syntax(&e))?;

    let mut defaults = None;
    let mut environments = None;
    let mut secrets = None;
    for (key, value) in in_file_order(doc.into_inner()) {
        match key.get_ref().as_ref() {
            "defaults" => {
                defaults = Some(table(&ctx, value, "[defaults]", Some(DEFAULTS_EXAMPLE))?)
            }
            "environments" => {
                environments = Some(table(&ctx, value, "`environments`", Some(ENV_EXAMPLE))?);
            }
            "secrets" => secrets = Some(table(&ctx, value, "`secrets`", Some(SECRET_EXAMPLE))?),
            other => return Err(unknown_top(&ctx, &key, other, value.get_ref().is_table())),
        }
    }

    let mut rotate_every = Some(DEFAULT_ROTATE_EVERY);
    let mut default_mode = None;
    let mut default_overlap = None;
    let mut default_role = Role::Signing;
    let mut default_role_declared = false;
    let mut hook_timeout = crate::manifest::DEFAULT_HOOK_TIMEOUT;
    for (key, value) in defaults.map(in_file_order).unwrap_or_default() {
        match key.get_ref().as_ref() {
            "rotate_every" => {
                let t = string(&ctx, value, "rotate_every", "rotate_every = \"90d\"")?;
                rotate_every = period(&ctx, &t)?;
            }
            "role" => {
                default_role = role(&ctx, value)?;
                default_role_declared = true;
            }
            "mode" => default_mode = Some(mode(&ctx, value)?),
            "overlap" => {
                let t = string(&ctx, value, "overlap", "overlap = \"7d\"")?;
                default_overlap = Some(duration(&ctx, &t)?);
            }
            "hook_timeout" => hook_timeout = timeout(&ctx, value)?,
            _ => return Err(unknown_field(&ctx, &key, "[defaults]", &DEFAULT_FIELDS)),
        }
    }

    let mut envs: Vec<Environment> = Vec::new();
    for (name, value) in environments.map(in_file_order).unwrap_or_default() {
        envs.push(environment(
            &ctx,
            name,
            value,
            root,
            default_mode,
            hook_timeout,
        )?);
    }
    if envs.is_empty() {
        return Err(ManifestError::new(path, None, ManifestProblem::NoEnvironments).into());
    }

    let secrets = secrets.map(in_file_order).unwrap_or_default();
    // Sized once: a SecretDecl is large, and 10,000 of them grew the vector 14 times.
    let mut decls = Vec::with_capacity(secrets.len());
    let mut previous_spans = Vec::with_capacity(secrets.len());
    let defaults = SecretDefaults {
        rotate_every,
        overlap: default_overlap,
        role: default_role,
        role_declared: default_role_declared,
        hook_timeout,
    };
    let mut hook_spans = Vec::with_capacity(secrets.len());
    for (key, value) in secrets {
        let (decl, span, hook_span) = secret_decl(&ctx, &key, value, defaults, &envs)?;
        decls.push(decl);
        previous_spans.push(span);
        hook_spans.push(hook_span);
    }
    check_previous_names(&ctx, &decls, &previous_spans)?;
    check_hook_names(&ctx, &decls, &hook_spans)?;

    Ok(Manifest {
        source: Source::File(path.to_path_buf()),
        rotate_every,
        overlap: default_overlap,
        role: default_role,
        environments: envs,
        secrets: decls,
    })
}

const DEFAULTS_EXAMPLE: &str = "[defaults] on its own line, then e.g. rotate_every = \"90d\"";
const ENV_EXAMPLE: &str = "[environments.production] on its own line, then e.g. file = \".env\"";
const SECRET_EXAMPLE: &str = "[secrets.API_KEY] on its own line, then e.g. kind = \"hex\"";

/// A top-level entry that is none of the three tables.
fn unknown_top(ctx: &Ctx<'_>, key: &Key<'_>, name: &str, is_table: bool) -> Error {
    let belongs_under = if DEFAULT_FIELDS.contains(&name) {
        Some("[defaults]")
    } else if ENV_FIELDS.contains(&name) {
        Some("[environments.NAME]")
    } else if SECRET_FIELDS.contains(&name) {
        Some("[secrets.KEY]")
    } else {
        None
    };
    let problem = ManifestProblem::UnknownTable {
        name: shown_name(name),
        is_table,
        did_you_mean: closest(name, TABLES),
        belongs_under,
    };
    ctx.at(key.span(), problem)
}
