//! `[environments.NAME]`: files inside the manifest's folder, modes, and the sealing fields.

use super::hooks::{hook_text, timeout};
use super::read::{Ctx, Key, Span, Value, in_file_order, string, table, unknown_field, value_type};
use crate::error::{
    BadMode, FileRefusal, ManifestProblem, ModeRefusal, NameOf, Result, SealingProblem,
};
use crate::manifest::{Environment, MAX_ENV_NAME_LEN, Sealed, shown_name, valid_env_name};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;
use toml::de::DeValue;

/// The fields of `[environments.NAME]`.
pub(super) const ENV_FIELDS: [&str; 8] = [
    "file",
    "mode",
    "sealed",
    "recipients",
    "recipients_file",
    "armor",
    "after",
    "hook_timeout",
];
pub(super) fn environment(
    ctx: &Ctx<'_>,
    name: Key<'_>,
    value: Value<'_>,
    root: &Path,
    default_mode: Option<u32>,
    default_timeout: Duration,
) -> Result<Environment> {
    let n = name.get_ref();
    if !valid_env_name(n) {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        let too_long = (n.len() > MAX_ENV_NAME_LEN && n.bytes().all(allowed))
            .then_some((n.len(), MAX_ENV_NAME_LEN));
        let problem = ManifestProblem::BadName {
            of: NameOf::Environment,
            name: shown_name(n),
            too_long,
        };
        return Err(ctx.at(name.span(), problem));
    }
    let header = format!("[environments.{n}]");
    let fields = table(ctx, value, &header, None)?;
    let mut file = None;
    let mut env_mode = default_mode;
    let mut sealed = None;
    let mut recipients = Vec::new();
    let mut recipients_file = None;
    let mut armor = None;
    let mut after = None;
    let mut hook_timeout = default_timeout;
    // The first sealing field, for an error when `sealed` itself is missing.
    let mut sealing_field: Option<Key<'_>> = None;
    let sealing =
        |span: Span, problem: SealingProblem| ctx.at(span, ManifestProblem::Sealing(problem));
    for (key, value) in in_file_order(fields) {
        let field = key.get_ref().as_ref();
        if !matches!(field, "file" | "mode" | "after" | "hook_timeout") && sealing_field.is_none() {
            sealing_field = Some(key.clone());
        }
        match field {
            "file" => {
                let f = string(ctx, value, "file", &format!("file = \".env.{n}.local\""))?;
                file = Some(env_file(ctx, &f, root)?);
            }
            "mode" => env_mode = Some(mode(ctx, value)?),
            "sealed" => {
                let f = string(ctx, value, "sealed", &format!("sealed = \".env.{n}.age\""))?;
                sealed = Some(env_path(ctx, &f, root, "sealed")?);
            }
            "recipients" => recipients = recipient_list(ctx, value)?,
            "recipients_file" => {
                let example = format!("recipients_file = \"keys/{n}.txt\"");
                let f = string(ctx, value, "recipients_file", &example)?;
                recipients_file = Some(env_path(ctx, &f, root, "recipients_file")?);
            }
            "armor" => {
                let span = value.span();
                match value.into_inner() {
                    DeValue::Boolean(b) => armor = Some(b),
                    other => {
                        let found = value_type(&other);
                        return Err(sealing(span, SealingProblem::ArmorNotBoolean { found }));
                    }
                }
            }
            "after" => after = hook_text(ctx, value, "after")?,
            "hook_timeout" => hook_timeout = timeout(ctx, value)?,
            _ => return Err(unknown_field(ctx, &key, &header, &ENV_FIELDS)),
        }
    }
    let sealed = match (sealed, sealing_field) {
        (Some(path), _) => {
            if recipients.is_empty() && recipients_file.is_none() {
                let environment = n.to_string();
                return Err(sealing(
                    name.span(),
                    SealingProblem::NoRecipients { environment },
                ));
            }
            Some(Sealed {
                path,
                recipients,
                recipients_file,
                armor: armor.unwrap_or(false),
            })
        }
        (None, Some(field)) => {
            let problem = SealingProblem::WithoutSealed {
                field: shown_name(field.get_ref()),
                environment: n.to_string(),
            };
            return Err(sealing(field.span(), problem));
        }
        (None, None) => None,
    };
    let file = file.unwrap_or_else(|| root.join(format!(".env.{n}.local")));
    if sealed.as_ref().is_some_and(|s| s.path == file) {
        let environment = n.to_string();
        return Err(sealing(
            name.span(),
            SealingProblem::SameFile { environment },
        ));
    }
    Ok(Environment {
        file,
        name: name.into_inner().into_owned(),
        mode: env_mode,
        sealed,
        after,
        hook_timeout,
    })
}

/// `recipients = ["age1...", "ssh-ed25519 AAAA..."]`: each one checked now, so a typo is the
/// manifest's error naming its line, not a failure at the first seal. Kept in canonical form.
pub(super) fn recipient_list(ctx: &Ctx<'_>, value: Value<'_>) -> Result<Vec<String>> {
    let sealing =
        |span: Span, problem: SealingProblem| ctx.at(span, ManifestProblem::Sealing(problem));
    let span = value.span();
    let items = match value.into_inner() {
        DeValue::Array(items) => items,
        other => {
            let found = value_type(&other);
            return Err(sealing(span, SealingProblem::RecipientsNotAList { found }));
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let item_span = item.span();
        let DeValue::String(text) = item.into_inner() else {
            return Err(sealing(item_span, SealingProblem::RecipientNotText));
        };
        match crate::seal::Recipient::parse(&text) {
            Ok(r) => out.push(r.to_string()),
            Err(why) => return Err(sealing(item_span, SealingProblem::BadRecipient { why })),
        }
    }
    Ok(out)
}

/// An environment's `file`: relative to `root` and inside it once `.` and `..` are resolved
/// (lexically: the path is checked as written, and the checked form is the one used), or
/// absolute.
pub(super) fn env_file(ctx: &Ctx<'_>, file: &Key<'_>, root: &Path) -> Result<PathBuf> {
    env_path(ctx, file, root, "file")
}

/// A path field (`file`, `sealed`, `recipients_file`) checked by the rules of [`env_file`];
/// `field` names it in the messages.
pub(super) fn env_path(
    ctx: &Ctx<'_>,
    file: &Key<'_>,
    root: &Path,
    field: &'static str,
) -> Result<PathBuf> {
    let f: &str = file.get_ref();
    let bad = |why| {
        let problem = ManifestProblem::BadFile {
            field,
            file: crate::text::shown(f, 100),
            why,
        };
        Err(ctx.at(file.span(), problem))
    };
    if f.is_empty() {
        return bad(FileRefusal::Empty);
    }
    if f.contains('\0') {
        return bad(FileRefusal::Nul);
    }
    if f.chars().any(char::is_control) {
        // A line break in a file name would forge lines in every summary that names the file.
        return bad(FileRefusal::Control);
    }
    // Linux's PATH_MAX and NAME_MAX: a longer path fails at the first open, as an I/O error
    // that prints all of it; here it is the manifest's error, shown cut short.
    if f.len() > MAX_PATH_BYTES
        || Path::new(f)
            .components()
            .any(|c| c.as_os_str().len() > MAX_NAME_BYTES)
    {
        return bad(FileRefusal::TooLong {
            max_path: MAX_PATH_BYTES,
            max_name: MAX_NAME_BYTES,
        });
    }
    let path = Path::new(f);
    let mut resolved = PathBuf::new();
    // Relative components kept so far: `..` may only remove one of these.
    let mut depth = 0usize;
    for part in path.components() {
        match part {
            Component::RootDir | Component::Prefix(_) => resolved.push(part),
            Component::CurDir => {}
            Component::ParentDir if path.is_absolute() => {
                resolved.pop();
            }
            Component::ParentDir => {
                if depth == 0 {
                    return bad(FileRefusal::LeavesFolder);
                }
                resolved.pop();
                depth -= 1;
            }
            Component::Normal(p) => {
                // git's own folder holds `key = value` files (.git/config) that are never
                // meant to hold a secret, and no dotenv file belongs there.
                if p.eq_ignore_ascii_case(".git") {
                    return bad(FileRefusal::InsideGit);
                }
                resolved.push(p);
                depth += 1;
            }
        }
    }
    // `sub/`, `sub/.` and `a/b/..` name a folder, though the lexical resolution above reads
    // them as the file `sub` or `a`.
    if resolved.file_name().is_none() || matches!(f.rsplit('/').next(), Some("" | "." | "..")) {
        return bad(FileRefusal::Folder);
    }
    let resolved = if path.is_absolute() {
        resolved
    } else {
        root.join(resolved)
    };
    // Secrets written into the manifest would be committed with it (and break it).
    if resolved == lexical(ctx.path) || resolved == lexical(&root.join(ctx.path)) {
        return bad(FileRefusal::IsManifest);
    }
    Ok(resolved)
}

/// The longest `file`, in bytes (Linux's `PATH_MAX` less the final NUL).
pub(super) const MAX_PATH_BYTES: usize = 4095;
/// The longest folder or file name in a `file`, in bytes (Linux's `NAME_MAX`).
pub(super) const MAX_NAME_BYTES: usize = 255;

/// `path` with `.` and `..` resolved lexically, for comparing two spellings of one path.
pub(super) fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `mode = "0640"`: octal digits in quotes, owner read, nothing for others, never wider than
/// 0640. Allowed: 0600, 0640, 0400, 0440 (envmint replaces a file by renaming a new one over
/// it, so the owner's write bit is not needed to update it, and a read-only file is a valid
/// deploy choice).
pub(super) fn mode(ctx: &Ctx<'_>, value: Value<'_>) -> Result<u32> {
    let span = value.span();
    let bad = |span, why| Err(ctx.at(span, ManifestProblem::BadMode(why)));
    let raw = match value.into_inner() {
        DeValue::String(s) => s,
        DeValue::Integer(n) => return bad(span, BadMode::Number(n.to_string())),
        other => return bad(span, BadMode::WrongType(value_type(&other))),
    };
    let digits = raw.strip_prefix("0o").unwrap_or(&raw);
    let parsed =
        (3..=4).contains(&digits.len()) && digits.bytes().all(|b| (b'0'..=b'7').contains(&b));
    let bits = if parsed {
        u32::from_str_radix(digits, 8).ok()
    } else {
        None
    };
    let Some(bits) = bits else {
        return bad(span, BadMode::NotOctal(shown_name(&raw)));
    };
    let refusal = if bits & 0o7000 != 0 {
        Some(ModeRefusal::SpecialBits)
    } else if bits & 0o007 != 0 {
        Some(ModeRefusal::OthersReach)
    } else if bits & 0o400 == 0 {
        Some(ModeRefusal::OwnerCannotRead)
    } else if bits & !0o640 != 0 {
        Some(ModeRefusal::WiderThan0640)
    } else {
        None
    };
    match refusal {
        Some(why) => bad(span, BadMode::Refused(raw.into_owned(), why)),
        None => Ok(bits),
    }
}
