//! A secret's `[secrets.KEY.hooks]`, `alternate` and `hook_timeout`, and the names its pending
//! value and alternate user take.

use super::read::{Ctx, Span, Value, duration, in_file_order, string, table, unknown_field};
use crate::dotenv;
use crate::error::{Error, ManifestProblem, Result};
use crate::manifest::HookProblem;
use crate::manifest::{MAX_KEY_LEN, Role, SecretDecl, shown_name};
use std::time::Duration;
use toml::de::DeValue;

/// The fields of `[secrets.KEY.hooks]`.
pub(super) const HOOK_FIELDS: [&str; 4] = ["set", "test", "retire", "reencrypt"];
/// `problem` in a secret's hooks, at the line of `span`.
pub(super) fn hook_problem(ctx: &Ctx<'_>, span: Span, problem: HookProblem) -> Error {
    ctx.at(span, ManifestProblem::Hooks(problem))
}

/// A hook's text (`set = '...'`, `after = '...'`): `None` when empty or only blanks (the
/// issue's `retire = ''` is "no hook"); a NUL is refused (no command line holds one).
pub(super) fn hook_text(
    ctx: &Ctx<'_>,
    value: Value<'_>,
    hook: &'static str,
) -> Result<Option<String>> {
    let text = string(
        ctx,
        value,
        hook,
        &format!("{hook} = 'systemctl reload app'"),
    )?;
    if text.get_ref().contains('\0') {
        return Err(hook_problem(ctx, text.span(), HookProblem::Nul { hook }));
    }
    let t = text.into_inner();
    Ok((!t.trim().is_empty()).then(|| t.into_owned()))
}

/// `hook_timeout = "60s"`: more than zero, at most a day.
pub(super) fn timeout(ctx: &Ctx<'_>, value: Value<'_>) -> Result<Duration> {
    let text = string(ctx, value, "hook_timeout", "hook_timeout = \"60s\"")?;
    let d = duration(ctx, &text)?;
    if d.is_zero() || d > crate::manifest::MAX_HOOK_TIMEOUT {
        return Err(hook_problem(ctx, text.span(), HookProblem::Timeout));
    }
    Ok(d)
}

/// `[secrets.KEY.hooks]`, `alternate` and `hook_timeout` of secret `key`.
#[allow(clippy::too_many_arguments)]
pub(super) fn hooks_decl(
    ctx: &Ctx<'_>,
    key: &str,
    role: Role,
    external: bool,
    hooks: Option<Value<'_>>,
    alternate: Option<Value<'_>>,
    timeout_field: Option<Value<'_>>,
    default_timeout: Duration,
) -> Result<Option<crate::manifest::Hooks>> {
    let timeout = match timeout_field {
        Some(v) => timeout(ctx, v)?,
        None => default_timeout,
    };
    if hooks.is_none() && alternate.is_none() {
        return Ok(None);
    }
    let first_span = hooks
        .as_ref()
        .or(alternate.as_ref())
        .map(|v| v.span())
        .unwrap_or(0..0);
    if external {
        let problem = HookProblem::External {
            key: shown_name(key),
        };
        return Err(hook_problem(ctx, first_span, problem));
    }
    let mut out = crate::manifest::Hooks {
        timeout,
        ..Default::default()
    };
    if let Some(v) = hooks {
        let header = format!("[secrets.{key}.hooks]");
        let fields = table(ctx, v, &header, None)?;
        for (name, value) in in_file_order(fields) {
            let (hook, needs): (&'static str, Role) = match name.get_ref().as_ref() {
                "set" => ("set", Role::Credential),
                "test" => ("test", Role::Credential),
                "retire" => ("retire", Role::Credential),
                "reencrypt" => ("reencrypt", Role::Encryption),
                _ => return Err(unknown_field(ctx, &name, &header, &HOOK_FIELDS)),
            };
            let span = value.span();
            let text = hook_text(ctx, value, hook)?;
            if text.is_some() && role != needs {
                let problem = HookProblem::WrongRole {
                    key: shown_name(key),
                    hook,
                    needs: needs.name(),
                };
                return Err(hook_problem(ctx, span, problem));
            }
            match hook {
                "set" => out.set = text,
                "test" => out.test = text,
                "retire" => out.retire = text,
                _ => out.reencrypt = text,
            }
        }
    }
    if let Some(v) = alternate {
        let span = v.span();
        if role != Role::Credential {
            let problem = HookProblem::WrongRole {
                key: shown_name(key),
                hook: "alternate",
                needs: Role::Credential.name(),
            };
            return Err(hook_problem(ctx, span, problem));
        }
        out.alternate = Some(alternate_decl(ctx, key, v)?);
    }
    for (hook, given) in [
        ("test", out.test.is_some()),
        ("alternate", out.alternate.is_some()),
    ] {
        if given && out.set.is_none() {
            let problem = HookProblem::WithoutSet {
                key: shown_name(key),
                hook,
            };
            return Err(hook_problem(ctx, first_span, problem));
        }
    }
    let empty = out.named().is_empty() && out.alternate.is_none();
    Ok((!empty).then_some(out))
}

/// `alternate = { user = "DB_USER", names = ["app_blue", "app_green"] }`.
pub(super) fn alternate_decl(
    ctx: &Ctx<'_>,
    key: &str,
    value: Value<'_>,
) -> Result<crate::manifest::Alternate> {
    let span = value.span();
    let form = |span: Span| hook_problem(ctx, span, HookProblem::AlternateForm);
    let DeValue::Table(fields) = value.into_inner() else {
        return Err(form(span));
    };
    let mut user = None;
    let mut names = None;
    for (name, value) in in_file_order(fields) {
        let vspan = value.span();
        match name.get_ref().as_ref() {
            "user" => {
                let DeValue::String(u) = value.into_inner() else {
                    return Err(form(vspan));
                };
                if !dotenv::is_valid_key(&u) || u.len() > MAX_KEY_LEN || u == key {
                    let problem = HookProblem::AlternateUser {
                        key: shown_name(key),
                        user: shown_name(&u),
                    };
                    return Err(hook_problem(ctx, vspan, problem));
                }
                user = Some(u.into_owned());
            }
            "names" => {
                let DeValue::Array(items) = value.into_inner() else {
                    return Err(form(vspan));
                };
                let mut list = Vec::new();
                for item in items {
                    match item.into_inner() {
                        DeValue::String(s) if crate::manifest::valid_user_name(&s) => {
                            list.push(s.into_owned())
                        }
                        _ => return Err(hook_problem(ctx, vspan, HookProblem::AlternateNames)),
                    }
                }
                match <[String; 2]>::try_from(list) {
                    Ok(pair) if pair[0] != pair[1] => names = Some(pair),
                    _ => return Err(hook_problem(ctx, vspan, HookProblem::AlternateNames)),
                }
            }
            _ => return Err(form(name.span())),
        }
    }
    match (user, names) {
        (Some(user), Some(names)) => Ok(crate::manifest::Alternate { user, names }),
        _ => Err(form(span)),
    }
}

/// Refuses, for each secret with a `set` hook, a pending variable (`KEY_PENDING`) that is a
/// declared key or a previous name, and an `alternate` user variable that is a declared secret
/// (envmint would generate a value for it).
pub(super) fn check_hook_names(
    ctx: &Ctx<'_>,
    decls: &[SecretDecl],
    spans: &[Option<Span>],
) -> Result<()> {
    if decls.iter().all(|d| d.hooks.is_none()) {
        return Ok(());
    }
    let declared: std::collections::HashSet<&str> = decls.iter().map(|d| d.key.as_str()).collect();
    let previous: std::collections::HashSet<String> = decls
        .iter()
        .filter(|d| d.keeps_previous())
        .flat_map(|d| d.previous.names(None))
        .collect();
    for (decl, span) in decls.iter().zip(spans) {
        let Some(hooks) = &decl.hooks else { continue };
        let span = span.clone().unwrap_or(0..0);
        if hooks.set.is_some() {
            let name = crate::manifest::pending_name(&decl.key);
            if declared.contains(name.as_str()) || previous.contains(&name) {
                let problem = HookProblem::PendingCollision {
                    key: shown_name(&decl.key),
                    name: shown_name(&name),
                };
                return Err(hook_problem(ctx, span, problem));
            }
        }
        if let Some(a) = &hooks.alternate
            && (declared.contains(a.user.as_str()) || previous.contains(&a.user))
        {
            let problem = HookProblem::AlternateUser {
                key: shown_name(&decl.key),
                user: shown_name(&a.user),
            };
            return Err(hook_problem(ctx, span, problem));
        }
    }
    Ok(())
}
