//! From manifest text to a validated [`Manifest`], with errors in the manifest's own words.
//!
//! The text is parsed into a spanned TOML tree ([`DeTable`]) and walked by hand rather than
//! deserialized into structs: serde's messages speak Rust (`expected u64`, `invalid type:
//! string, expected struct RawDefaults`), while each check here knows the field it is reading
//! and can say what it must be, with an example and the line.

use super::{
    Collides, DEFAULT_ROTATE_EVERY, Environment, MAX_ENV_NAME_LEN, MAX_KEY_LEN, Manifest, Role,
    RotationProblem, Sealed, SecretDecl, Source, closest, shown_name, valid_env_name,
};
use crate::dotenv;
use crate::error::{
    BadMode, EnvList, Error, Expected, FileRefusal, ManifestError, ManifestProblem, ModeRefusal,
    NameOf, Result, SealingProblem, SizeInManifest, SizeProblem, UnknownField, ValueType,
};
use crate::generate::{Alphabet, Kind, Size, SizeUnit, Spec};
use crate::manifest::HookProblem;
use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

type Span = std::ops::Range<usize>;
type Value<'i> = Spanned<DeValue<'i>>;
/// A table's key as the parser gives it: borrowed from the text unless it had escapes (a
/// manifest of 10,000 secrets has 20,000 keys, none of which needs a copy to be checked).
type Key<'i> = Spanned<Cow<'i, str>>;

/// The tables a manifest may have.
const TABLES: [&str; 3] = ["defaults", "environments", "secrets"];
/// The fields of `[defaults]`.
const DEFAULT_FIELDS: [&str; 5] = ["rotate_every", "mode", "overlap", "role", "hook_timeout"];
/// The fields of `[environments.NAME]`.
const ENV_FIELDS: [&str; 8] = [
    "file",
    "mode",
    "sealed",
    "recipients",
    "recipients_file",
    "armor",
    "after",
    "hook_timeout",
];
/// The fields of `[secrets.KEY]`.
const SECRET_FIELDS: [&str; 15] = [
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
/// The fields of `[secrets.KEY.hooks]`.
const HOOK_FIELDS: [&str; 4] = ["set", "test", "retire", "reencrypt"];
/// The fields of a `previous = { ... }` table.
const PREVIOUS_FIELDS: [&str; 5] = ["numbered", "list", "separator", "keep", "slots"];

/// The manifest errors are reported against.
struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
    /// The offset of every line feed, in order: a secret's line is a binary search, not a count
    /// from the start (which made a manifest of n secrets take n^2 time: 8,000 secrets took
    /// 12 s, found by scripts/hostile.sh).
    newlines: Vec<usize>,
}

impl<'a> Ctx<'a> {
    fn new(text: &'a str, path: &'a Path) -> Self {
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        Ctx {
            text,
            path,
            newlines,
        }
    }

    /// The 1-based line of byte `offset` (as [`crate::text::line_of_offset`]).
    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&nl| nl < offset) + 1
    }

    /// `problem` at the line of `span`.
    fn at(&self, span: Span, problem: ManifestProblem) -> Error {
        let line = self.line(span.start);
        ManifestError::new(self.path, Some(line), problem).into()
    }

    /// A TOML syntax error, in TOML's words (they are about the syntax, which is TOML's), with
    /// the line; a duplicate key is named.
    fn syntax(&self, e: &toml::de::Error) -> Error {
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
fn value_type(value: &DeValue<'_>) -> ValueType {
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
fn wrong_type(
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
fn in_file_order(table: DeTable<'_>) -> Vec<(Key<'_>, Value<'_>)> {
    let mut entries: Vec<_> = table.into_iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// An unknown field `key` of table `table` (e.g. `[secrets.A]`) that has `fields`.
fn unknown_field(
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
fn table<'i>(
    ctx: &Ctx<'_>,
    value: Value<'i>,
    name: &str,
    example: Option<&str>,
) -> Result<DeTable<'i>> {
    table_named(ctx, value, || name.to_string(), example)
}

/// [`table`], with the name made only for the error (`[secrets.KEY]` for each of 10,000
/// secrets would be 10,000 strings).
fn table_named<'i>(
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
fn string<'i>(ctx: &Ctx<'_>, value: Value<'i>, name: &str, example: &str) -> Result<Key<'i>> {
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
fn count(
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

fn environment(
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
fn recipient_list(ctx: &Ctx<'_>, value: Value<'_>) -> Result<Vec<String>> {
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
fn env_file(ctx: &Ctx<'_>, file: &Key<'_>, root: &Path) -> Result<PathBuf> {
    env_path(ctx, file, root, "file")
}

/// A path field (`file`, `sealed`, `recipients_file`) checked by the rules of [`env_file`];
/// `field` names it in the messages.
fn env_path(ctx: &Ctx<'_>, file: &Key<'_>, root: &Path, field: &'static str) -> Result<PathBuf> {
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
const MAX_PATH_BYTES: usize = 4095;
/// The longest folder or file name in a `file`, in bytes (Linux's `NAME_MAX`).
const MAX_NAME_BYTES: usize = 255;

/// `path` with `.` and `..` resolved lexically, for comparing two spellings of one path.
fn lexical(path: &Path) -> PathBuf {
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
fn mode(ctx: &Ctx<'_>, value: Value<'_>) -> Result<u32> {
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

/// What `[defaults]` gives every secret.
#[derive(Clone, Copy)]
struct SecretDefaults {
    rotate_every: Option<Duration>,
    overlap: Option<Duration>,
    role: Role,
    role_declared: bool,
    hook_timeout: Duration,
}

/// One `[secrets.KEY]`, and where its previous names must be checked against the other
/// secrets' (the span of `previous`, else of `overlap`, else of the header): `None` when the
/// secret has neither, so its default `KEY_PREVIOUS` is never used and may be anything.
fn secret_decl(
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
            super::Previous::default_for(k),
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

/// `problem` in a secret's hooks, at the line of `span`.
fn hook_problem(ctx: &Ctx<'_>, span: Span, problem: HookProblem) -> Error {
    ctx.at(span, ManifestProblem::Hooks(problem))
}

/// A hook's text (`set = '...'`, `after = '...'`): `None` when empty or only blanks (the
/// issue's `retire = ''` is "no hook"); a NUL is refused (no command line holds one).
fn hook_text(ctx: &Ctx<'_>, value: Value<'_>, hook: &'static str) -> Result<Option<String>> {
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
fn timeout(ctx: &Ctx<'_>, value: Value<'_>) -> Result<Duration> {
    let text = string(ctx, value, "hook_timeout", "hook_timeout = \"60s\"")?;
    let d = duration(ctx, &text)?;
    if d.is_zero() || d > crate::manifest::MAX_HOOK_TIMEOUT {
        return Err(hook_problem(ctx, text.span(), HookProblem::Timeout));
    }
    Ok(d)
}

/// `[secrets.KEY.hooks]`, `alternate` and `hook_timeout` of secret `key`.
#[allow(clippy::too_many_arguments)]
fn hooks_decl(
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
fn alternate_decl(
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
fn check_hook_names(ctx: &Ctx<'_>, decls: &[SecretDecl], spans: &[Option<Span>]) -> Result<()> {
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

/// `problem` in a rotation field, at the line of `span`.
fn rotation(ctx: &Ctx<'_>, span: Span, problem: RotationProblem) -> Error {
    ctx.at(span, ManifestProblem::Rotation(problem))
}

/// `previous = "NAME"`, `{ numbered = "X_{n}", keep = N }` or
/// `{ list = "NAME", separator = ",", keep = N }` of secret `key`; `kind` is the generator's,
/// whose characters a list separator must avoid (`None` for an external secret).
fn previous_decl(
    ctx: &Ctx<'_>,
    key: &str,
    value: Value<'_>,
    spec: Option<&Spec>,
) -> Result<super::Previous> {
    let kind = spec.map(Spec::kind);
    let format = spec.and_then(Spec::format);
    use super::{MAX_KEEP, NUMBER_PLACEHOLDER, Previous, numbered};
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
fn slot_names(
    ctx: &Ctx<'_>,
    value: Value<'_>,
    name_ok: &dyn Fn(&str) -> bool,
    bad_name: &dyn Fn(Span, &'static str, &str) -> Error,
) -> Result<super::Previous> {
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
    if items.is_empty() || items.len() > super::MAX_KEEP {
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
    Ok(super::Previous::Slots(names))
}

/// Refuses a previous name that is a declared key or another secret's previous name: rotation
/// would overwrite one value with the other. Only the secrets that use their previous names
/// (`spans[i]` is `Some`) are checked.
fn check_previous_names(ctx: &Ctx<'_>, decls: &[SecretDecl], spans: &[Option<Span>]) -> Result<()> {
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

/// A secret's `environments = [...]`: declared names only.
fn secret_envs(
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

/// `rotate_every`: a period ([`duration`]), or `"never"` (`None`): the key's age is tracked,
/// it never falls due.
fn period(ctx: &Ctx<'_>, text: &Key<'_>) -> Result<Option<Duration>> {
    if text.get_ref() == "never" {
        return Ok(None);
    }
    duration(ctx, text).map(Some)
}

/// `role = "signing" | "encryption" | "credential"`.
fn role(ctx: &Ctx<'_>, value: Value<'_>) -> Result<Role> {
    let text = string(ctx, value, "role", "role = \"signing\"")?;
    Role::from_name(text.get_ref()).ok_or_else(|| {
        let problem = RotationProblem::UnknownRole {
            role: shown_name(text.get_ref()),
            did_you_mean: closest(text.get_ref(), Role::NAMES),
        };
        rotation(ctx, text.span(), problem)
    })
}

/// A period in the one duration syntax ([`crate::time::parse_duration`]), refused in the
/// manifest's words: "bad duration `TEXT`", why when there is more to say, and what to write.
fn duration(ctx: &Ctx<'_>, text: &Key<'_>) -> Result<Duration> {
    crate::time::parse_duration(text.get_ref()).map_err(|error| {
        let text_shown = shown_name(text.get_ref());
        let problem = ManifestProblem::BadPeriod {
            text: text_shown,
            error,
        };
        ctx.at(text.span(), problem)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;

    /// The line index answers as counting from the start did, at every offset (the count
    /// made loading n secrets take n^2 time; scripts/hostile.sh times it).
    #[test]
    fn the_line_index_agrees_with_counting_line_feeds() {
        let text = "a\n\nb = 1\r\n[secrets.X]\nlast";
        let ctx = Ctx::new(text, Path::new("envmint.toml"));
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                ctx.line(offset),
                crate::text::line_of_offset(text.as_bytes(), offset),
                "{offset}"
            );
        }
    }

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(text, Path::new("envmint.toml"), Path::new("/app"))
    }

    /// Asserts where `text` fails, as `error` begins (`envmint.toml:LINE: `), with exit 65.
    /// The exact words, `error` and `hint`, are the binary's: the case files under
    /// `tests/cli/cmd/{manifest,rotation,sealed}/` assert them for these same cases.
    #[track_caller]
    fn says(text: &str, error: &str, _hint: &str) {
        let err = parse(text).expect_err("must fail");
        assert_eq!(err.exit(), Exit::DataErr, "{err:?}");
        let Error::Manifest(m) = &err else {
            panic!("not a manifest error: {err:?}");
        };
        let location = crate::error::Location::new(&m.path, m.line).to_string();
        assert!(
            error.starts_with(&format!("{location}: ")),
            "{err:?} for:\n{text}"
        );
    }

    const ENVS: &str = "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n";

    /// The manifest problem of `text` and the line it names.
    fn problem_at(text: &str) -> (Option<usize>, ManifestProblem) {
        match parse(text).expect_err("must fail") {
            Error::Manifest(m) => (m.line, m.problem),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn format_and_slots_parse() {
        let m = parse(&format!(
            "{ENVS}[secrets.APP_KEY]\nkind = \"base64\"\nbytes = 32\nformat = \"base64:{{value}}\"\n\
             previous = {{ list = \"APP_PREVIOUS_KEYS\" }}\n\
             [secrets.AUTH_SECRET_3]\nkind = \"base64\"\n\
             previous = {{ slots = [\"AUTH_SECRET_2\", \"AUTH_SECRET_1\", \"AUTH_SECRET\"] }}\n"
        ))
        .unwrap();
        let s = m.secrets();
        assert_eq!(s[0].spec.format().unwrap().prefix(), "base64:");
        assert_eq!(
            s[1].previous,
            super::super::Previous::Slots(vec![
                "AUTH_SECRET_2".into(),
                "AUTH_SECRET_1".into(),
                "AUTH_SECRET".into()
            ])
        );
        assert_eq!(s[1].previous.keep(), 3);
        assert_eq!(s[1].previous.slot(3).as_deref(), Some("AUTH_SECRET"));
        assert_eq!(s[1].previous.slot(4), None);
    }

    #[test]
    fn fail_formats_and_slots_name_their_line() {
        let secret = |body: &str| format!("{ENVS}[secrets.A]\nkind = \"hex\"\n{body}\n");
        for (body, want) in [
            (
                "format = \"base64:\"",
                ManifestProblem::BadFormat { count: 0 },
            ),
            (
                "format = \"{value}{value}\"",
                ManifestProblem::BadFormat { count: 2 },
            ),
            (
                "format = \"it's:{value}\"",
                ManifestProblem::UnsafeFormat(dotenv::UnsafeChar::SingleQuote),
            ),
        ] {
            let (line, found) = problem_at(&secret(body));
            assert_eq!(line, Some(6), "{body}");
            assert_eq!(format!("{found:?}"), format!("{want:?}"), "{body}");
        }
        // The list separator may not be in the format's text either.
        let (line, p) = problem_at(&secret(
            "format = \"k,{value}\"\nprevious = { list = \"OLD\", separator = \",\" }",
        ));
        assert_eq!(line, Some(7));
        assert!(
            matches!(
                p,
                ManifestProblem::Rotation(RotationProblem::SeparatorInAlphabet { found: ',', .. })
            ),
            "{p:?}"
        );
        for (body, line) in [
            ("previous = { slots = \"A_1\" }", 6),
            ("previous = { slots = [] }", 6),
            ("previous = { slots = [\"A_1\"], keep = 2 }", 6),
            ("previous = { slots = [\"1A\"] }", 6),
            ("previous = { slots = [\"A_1\"], numbered = \"A_{n}\" }", 6),
            ("previous = { slots = [\"A\"] }", 6),
        ] {
            assert_eq!(problem_at(&secret(body)).0, Some(line), "{body}");
        }
        // An external secret takes no format.
        let (line, p) = problem_at(&format!(
            "{ENVS}[secrets.A]\nexternal = true\nformat = \"x{{value}}\"\n"
        ));
        assert_eq!(line, Some(6));
        assert!(
            matches!(
                p,
                ManifestProblem::Rotation(RotationProblem::ExternalWithShape {
                    field: "format",
                    ..
                })
            ),
            "{p:?}"
        );
    }

    #[test]
    fn a_full_manifest_parses_in_declaration_order() {
        let m = parse(&format!(
            "[defaults]\nrotate_every = \"30d\"\n{ENVS}\
             [secrets.ZED]\nkind = \"hex\"\nbytes = 32\nrotate_every = \"2w\"\n\
             [secrets.ALPHA]\nalphabet = \"abcdefghij#;&*\"\nlength = 40\nenvironments = [\"production\"]\n\
             [secrets.DEFAULTED]\n"
        ))
        .unwrap();
        let names: Vec<_> = m.environments().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["staging", "production"]);
        assert_eq!(
            m.environments()[0].file,
            Path::new("/app/.env.staging.local")
        );
        assert_eq!(m.environments()[1].file, Path::new("/app/prod.env"));
        let keys: Vec<_> = m.secrets().iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["ZED", "ALPHA", "DEFAULTED"]);
        assert_eq!(
            m.secrets()[0].rotate_every,
            Some(Duration::from_secs(14 * 86_400))
        );
        assert_eq!(
            m.secrets()[1].rotate_every,
            Some(Duration::from_secs(30 * 86_400))
        );
        let staging: Vec<_> = m.secrets_for("staging").map(|s| s.key.as_str()).collect();
        assert_eq!(staging, ["ZED", "DEFAULTED"]);
        assert_eq!(m.secrets()[2].spec.kind(), &Kind::Base64Url);
        assert_eq!(m.secrets()[2].spec.bits(), 256.0);
    }

    #[test]
    fn fail_unknown_tables_and_fields_suggest_the_right_name() {
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbyts = 32\n"),
            "envmint.toml:6: unknown field `byts` in [secrets.A]",
            "did you mean `bytes`?",
        );
        says(
            &format!("{ENVS}[secrets.A]\nsize = 32\n"),
            "envmint.toml:5: unknown field `size` in [secrets.A]",
            "[secrets.A] takes: kind, alphabet, bytes, bits, length, rotate_every, environments, external, overlap, previous, role, format, hooks, alternate, hook_timeout",
        );
        says(
            &format!("[defualts]\n{ENVS}"),
            "envmint.toml:1: unknown table [defualts]",
            "did you mean [defaults]?",
        );
        says(
            &format!("rotate_every = \"30d\"\n{ENVS}"),
            "envmint.toml:1: unknown setting `rotate_every` at the top of the manifest",
            "put `rotate_every` under [defaults]",
        );
        says(
            &format!("{ENVS}[environments.dev]\npath = \"x\"\n"),
            "envmint.toml:5: unknown field `path` in [environments.dev]",
            "[environments.dev] takes: file, mode, sealed, recipients, recipients_file, armor, after, hook_timeout",
        );
        says(
            &format!("{ENVS}[environments.dev]\nfiles = \"x\"\n"),
            "envmint.toml:5: unknown field `files` in [environments.dev]",
            "did you mean `file`?",
        );
        says(
            &format!("[defaults]\nrotate = \"9d\"\n{ENVS}"),
            "envmint.toml:2: unknown field `rotate` in [defaults]",
            "did you mean `rotate_every`?",
        );
        says(
            &format!("[defaults]\nrotation = \"9d\"\n{ENVS}"),
            "envmint.toml:2: unknown field `rotation` in [defaults]",
            "[defaults] takes: rotate_every, mode, overlap, role, hook_timeout",
        );
    }

    #[test]
    fn fail_values_of_the_wrong_type_say_what_the_field_takes() {
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = \"32\"\n"),
            "envmint.toml:6: `bytes` must be a whole number, not text",
            "write it without quotes, e.g. bytes = 32",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nlength = 40.5\n"),
            "envmint.toml:6: `length` must be a whole number, not 40.5",
            "e.g. length = 43",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbits = -256\n"),
            "envmint.toml:6: `bits` cannot be negative",
            "e.g. bits = 256",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = true\n"),
            "envmint.toml:6: `bytes` must be a whole number, not true or false",
            "e.g. bytes = 32",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 99999999999999999999999\n"),
            "envmint.toml:6: bytes is too large (at most 1048576)",
            "leave the size out for the default, bytes = 32 (256 bits)",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = hex\n"),
            "envmint.toml:5: invalid TOML: string values must be quoted, expected literal string",
            "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 \
             (text in quotes, numbers without)",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = 3\n"),
            "envmint.toml:5: `kind` must be text in quotes, not a number",
            "e.g. kind = \"hex\"",
        );
        says(
            &format!("[defaults]\nrotate_every = 90\n{ENVS}"),
            "envmint.toml:2: `rotate_every` must be text in quotes, not a number",
            "e.g. rotate_every = \"90d\"",
        );
        says(
            &format!("defaults = 3\n{ENVS}"),
            "envmint.toml:1: [defaults] must be a table, not a number",
            "write it as [defaults] on its own line, then e.g. rotate_every = \"90d\"",
        );
        says(
            "[[secrets]]\nkind = \"hex\"\n",
            "envmint.toml:1: `secrets` must be a table, not a list",
            "write it as [secrets.API_KEY] on its own line, then e.g. kind = \"hex\"",
        );
        says(
            &format!("{ENVS}[secrets]\nA = \"hex\"\n"),
            "envmint.toml:5: [secrets.A] must be a table, not text",
            "write it as [secrets.A] on its own line",
        );
        says(
            &format!("{ENVS}[environments.dev]\nfile = 3\n"),
            "envmint.toml:5: `file` must be text in quotes, not a number",
            "e.g. file = \".env.dev.local\"",
        );
        says(
            &format!("{ENVS}[secrets.A]\nenvironments = \"production\"\n"),
            "envmint.toml:5: `environments` must be a list of names",
            "put the name in brackets: environments = [\"production\"]",
        );
        says(
            &format!("{ENVS}[secrets.A]\nenvironments = [\"production\", 3]\n"),
            "envmint.toml:5: each entry of `environments` must be a name in quotes",
            "e.g. environments = [\"production\"]",
        );
        says(
            &format!("{ENVS}[secrets.A]\nenvironments = []\n"),
            "envmint.toml:5: `environments` is empty",
            "leave it out to mean every environment",
        );
    }

    #[test]
    fn fail_toml_syntax_and_duplicates() {
        says(
            &format!("{ENVS}[secrets.A\n"),
            "envmint.toml:4: invalid TOML: unclosed table, expected `]`",
            "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 \
             (text in quotes, numbers without)",
        );
        says(
            &format!("{ENVS}[secrets.A]\n[secrets.A]\n"),
            "envmint.toml:5: `A` is declared twice",
            "each table and each field may appear only once; merge the two",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nkind = \"hex\"\n"),
            "envmint.toml:6: `kind` is declared twice",
            "each table and each field may appear only once; merge the two",
        );
    }

    #[test]
    fn fail_unknown_kind_suggests_a_close_one() {
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hax\"\n"),
            "envmint.toml:5: unknown kind `hax`",
            "did you mean `hex`?",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"uuid\"\n"),
            "envmint.toml:5: unknown kind `uuid`",
            "use one of: hex, base64, base64url, base32, alnum, password, or `alphabet = \"...\"`",
        );
    }

    #[test]
    fn fail_size_that_does_not_fit_the_kind() {
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nlength = 32\n"),
            "envmint.toml:6: `length` does not apply to hex",
            "use `bytes = N` or `bits = N`",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nbytes = 32\n"),
            "envmint.toml:6: `bytes` does not apply to alnum",
            "use `length = N` or `bits = N`",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 32\nbits = 256\n"),
            "envmint.toml:7: give only one of `bytes`, `bits`, `length`",
            "hex takes `bytes` or `bits`",
        );
    }

    #[test]
    fn fail_a_zero_or_huge_size_has_a_hint_for_the_kind() {
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 0\n"),
            "envmint.toml:6: bytes must be at least 1",
            "leave the size out for the default, bytes = 32 (256 bits)",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nlength = 0\n"),
            "envmint.toml:6: length must be at least 1",
            "leave the size out for the default, length = 43 (256 bits)",
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 99999999999\n"),
            "envmint.toml:6: bytes is too large (at most 1048576)",
            "leave the size out for the default, bytes = 32 (256 bits)",
        );
    }

    #[test]
    fn fail_under_128_bits() {
        says(
            &format!("{ENVS}[secrets.DB]\nkind = \"alnum\"\nlength = 21\n"),
            "envmint.toml:6: DB has 125.03 bits of entropy, under the 128-bit floor",
            "use `length = 22` or more, or `bits = 128`",
        );
        says(
            &format!("{ENVS}[secrets.K]\nkind = \"hex\"\nbits = 64\n"),
            "envmint.toml:6: K has 64 bits of entropy, under the 128-bit floor",
            "use `bytes = 16` or more, or `bits = 128`",
        );
    }

    #[test]
    fn fail_bad_durations() {
        let syntax = "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"";
        for (bad, why, hint) in [
            ("90", "", syntax),
            ("d", "", syntax),
            ("90x", "", syntax),
            (" 9d", "", syntax),
            ("9é", "", syntax),
            ("P90D", "", syntax),
            ("0d", ": it must be longer than zero", syntax),
            ("-1d", ": it must be longer than zero", syntax),
            (
                "1.5d",
                ": use whole numbers",
                "use a smaller unit, e.g. \"36h\" rather than \"1.5d\"",
            ),
            (
                "3 months",
                ": a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
            (
                "1y",
                ": a year is not a fixed length (365 or 366 days)",
                "write it in days or weeks, e.g. \"365d\" or \"52w\"",
            ),
            (
                "500ms",
                ": the smallest unit is a second",
                "use seconds or a larger unit, e.g. \"30s\"",
            ),
        ] {
            says(
                &format!("[defaults]\nrotate_every = \"{bad}\"\n{ENVS}"),
                &format!("envmint.toml:2: bad duration `{bad}`{why}"),
                hint,
            );
        }
        // The same words for a secret's own period, on its line.
        says(
            &format!("{ENVS}[secrets.A]\nrotate_every = \"1mo\"\n"),
            "envmint.toml:5: bad duration `1mo`: a month is not a fixed length (28 to 31 days)",
            "write it in days or weeks, e.g. \"30d\" or \"4w\"",
        );
    }

    #[test]
    fn friendly_durations_are_accepted() {
        let m = parse(&format!(
            "[defaults]\nrotate_every = \"90 days\"\n{ENVS}[secrets.A]\nrotate_every = \"2w 3d\"\n[secrets.B]\n"
        ))
        .unwrap();
        assert_eq!(m.rotate_every(), Some(Duration::from_secs(90 * 86_400)));
        assert_eq!(
            m.secrets()[0].rotate_every,
            Some(Duration::from_secs(17 * 86_400))
        );
        assert_eq!(
            m.secrets()[1].rotate_every,
            Some(Duration::from_secs(90 * 86_400))
        );
    }

    #[test]
    fn fail_secret_naming_an_undeclared_environment() {
        says(
            &format!("{ENVS}[secrets.A]\nenvironments = [\"staging\", \"prodution\"]\n"),
            "envmint.toml:5: A names undeclared environment `prodution`",
            "did you mean `production`?",
        );
        says(
            &format!("{ENVS}[secrets.A]\nenvironments = [\"qa\"]\n"),
            "envmint.toml:5: A names undeclared environment `qa`",
            "declared: staging, production; or declare it with [environments.qa]",
        );
        // Never a hint like [environments.../../etc/x], which is not TOML.
        says(
            &format!("{ENVS}[secrets.A]\nenvironments = [\"../../etc/x\"]\n"),
            "envmint.toml:5: A names undeclared environment `../../etc/x`",
            "declared: staging, production; environment names are letters, digits, `-` and `_` \
             (at most 64), e.g. production",
        );
    }

    #[test]
    fn fail_invalid_and_overlong_names() {
        says(
            &format!("{ENVS}[secrets.\"1KEY\"]\n"),
            "envmint.toml:4: invalid key name `1KEY`",
            "key names are letters, digits and `_`, not starting with a digit",
        );
        says(
            &format!("{ENVS}[secrets.\"MY-KEY\"]\n"),
            "envmint.toml:4: invalid key name `MY-KEY`",
            "key names are letters, digits and `_`, not starting with a digit",
        );
        says(
            &format!("{ENVS}[secrets.\"A\\nhint: evil\"]\n"),
            "envmint.toml:4: invalid key name `A\\nhint: evil`",
            "key names are letters, digits and `_`, not starting with a digit",
        );
        says(
            &format!("{ENVS}[secrets.{}]\n", "K".repeat(256)),
            &format!(
                "envmint.toml:4: the key name `{}…` is 256 characters, over the limit of 255",
                "K".repeat(40)
            ),
            "use a shorter name; environment variable names are rarely over 50",
        );
        assert!(parse(&format!("{ENVS}[secrets.{}]\n", "K".repeat(255))).is_ok());
        says(
            "[environments.\"prod/x\"]\n",
            "envmint.toml:1: invalid environment name `prod/x`",
            "(report.rs: ENV_NAME_RULE)",
        );
        says(
            &format!("[environments.{}]\n", "e".repeat(65)),
            &format!(
                "envmint.toml:1: the environment name `{}…` is 65 characters, over the limit of 64",
                "e".repeat(40)
            ),
            "(report.rs: ENV_NAME_RULE)",
        );
        assert!(parse(&format!("[environments.{}]\n", "e".repeat(64))).is_ok());
    }

    #[test]
    fn fail_alphabets_no_quoting_makes_safe() {
        // The words are report.rs's (tested there with these alphabets).
        let problem = |text: String| match parse(&text).expect_err("must fail") {
            Error::Manifest(m) if m.line == Some(5) => m.problem,
            other => panic!("{other:?}"),
        };
        for bad in ["abc${", "abc\\\\", "abc'"] {
            let found = problem(format!(
                "{ENVS}[secrets.A]\nalphabet = \"{bad}\"\nlength = 100\n"
            ));
            assert!(
                matches!(found, ManifestProblem::UnsafeAlphabet(_)),
                "{found:?}"
            );
        }
        let found = problem(format!(
            "{ENVS}[secrets.A]\nalphabet = \"ab a\"\nlength = 200\n"
        ));
        assert!(
            matches!(found, ManifestProblem::BadAlphabet(_)),
            "{found:?}"
        );
        says(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nalphabet = \"ab\"\n"),
            "envmint.toml:5: give either `kind` or `alphabet`, not both",
            "`alphabet = \"...\"` is a kind of its own",
        );
    }

    #[test]
    fn rotation_fields_parse_in_their_three_forms() {
        use crate::manifest::Previous;
        let m = parse(
            "[defaults]\noverlap = \"2d\"\n[environments.p]\n\
             [secrets.JWT]\noverlap = \"7d\"\nprevious = \"JWT_OLD\"\n\
             [secrets.AUTH_SECRET]\nprevious = { numbered = \"AUTH_SECRET_{n}\", keep = 2 }\n\
             [secrets.APP_KEY]\nkind = \"hex\"\nprevious = { list = \"APP_PREVIOUS_KEYS\", separator = \",\", keep = 3 }\n\
             [secrets.STRIPE_KEY]\nexternal = true\nrotate_every = \"180d\"\n\
             [secrets.PLAIN]\n",
        )
        .unwrap();
        assert_eq!(m.overlap(), Some(Duration::from_secs(2 * 86_400)));
        let s = m.secrets();
        assert_eq!(s[0].overlap, Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(s[0].previous, Previous::One("JWT_OLD".into()));
        assert_eq!(s[1].overlap, Some(Duration::from_secs(2 * 86_400)));
        assert_eq!(
            s[1].previous.names(None),
            ["AUTH_SECRET_1", "AUTH_SECRET_2"]
        );
        assert_eq!(s[1].previous.names(Some(3)).len(), 3);
        assert_eq!(s[1].previous.keep(), 2);
        assert_eq!(
            s[2].previous,
            Previous::List {
                name: "APP_PREVIOUS_KEYS".into(),
                separator: ",".into(),
                keep: 3
            }
        );
        assert_eq!(s[2].previous.names(None), ["APP_PREVIOUS_KEYS"]);
        assert!(s[3].external && !s[0].external);
        assert_eq!(s[4].previous, Previous::One("PLAIN_PREVIOUS".into()));
        assert_eq!(s[4].previous.names(Some(5)), ["PLAIN_PREVIOUS"]);
        // Without overlap anywhere, the default previous name is never used, so a secret of
        // that name is no collision (manifests written before rotation keep working).
        let m = parse("[environments.p]\n[secrets.A]\n[secrets.A_PREVIOUS]\n").unwrap();
        assert_eq!(m.overlap(), None);
        assert_eq!(m.secrets()[0].overlap, None);
        // An external secret's list separator is not checked against any alphabet, and the
        // list defaults to `,` and keep to 1.
        let m = parse(
            "[environments.p]\n[secrets.K]\nexternal = true\nprevious = { list = \"K_OLD\", separator = \"-\" }\n\
             [secrets.L]\nkind = \"password\"\nprevious = { list = \"L_OLD\" }\n",
        )
        .unwrap();
        assert_eq!(m.secrets()[0].previous.keep(), 1);
        assert!(
            matches!(&m.secrets()[1].previous, Previous::List { separator, .. } if separator == ",")
        );
        // ... but a generated one's is: `-` is a password character.
        says(
            "[environments.p]\n[secrets.K]\nkind = \"password\"\nprevious = { list = \"K_OLD\", separator = \"-\" }\n",
            "envmint.toml:4: `separator = \"-\"` of K: `-` is a character password values contain",
            "",
        );
    }

    #[test]
    fn roles_per_secret_and_in_defaults_and_never() {
        use crate::manifest::Previous;
        // No role anywhere: signing (manifests written before roles keep working).
        let m = parse("[environments.p]\n[secrets.A]\n").unwrap();
        assert_eq!(
            (m.role(), m.secrets()[0].role),
            (Role::Signing, Role::Signing)
        );
        let m = parse(
            "[defaults]\nrole = \"credential\"\noverlap = \"2d\"\nrotate_every = \"never\"\n\
             [environments.p]\n\
             [secrets.DB_PASSWORD]\n\
             [secrets.JWT]\nrole = \"signing\"\nrotate_every = \"30d\"\n\
             [secrets.ENC]\nrole = \"encryption\"\n",
        )
        .unwrap();
        assert_eq!(m.role(), Role::Credential);
        assert_eq!(m.rotate_every(), None);
        let s = m.secrets();
        let roles: Vec<_> = s.iter().map(|d| d.role).collect();
        assert_eq!(roles, [Role::Credential, Role::Signing, Role::Encryption]);
        assert_eq!(s[0].rotate_every, None);
        assert_eq!(s[1].rotate_every, Some(Duration::from_secs(30 * 86_400)));
        // [defaults]' overlap is not an encryption key's: its keys do not expire. It still
        // keeps its old values, under KEY_PREVIOUS by default.
        assert_eq!(s[2].overlap, None);
        assert!(s[2].keeps_previous());
        assert_eq!(s[2].previous, Previous::One("ENC_PREVIOUS".into()));
        // An encryption key always uses its previous name, so a collision is refused.
        says(
            "[environments.p]\n[secrets.E]\nrole = \"encryption\"\n[secrets.E_PREVIOUS]\n",
            "envmint.toml:2: E's previous name `E_PREVIOUS` is also a declared secret",
            "",
        );
    }

    #[test]
    fn fail_unknown_role_and_overlap_on_an_encryption_key() {
        let problem = |text: String| match parse(&text).expect_err("must fail") {
            Error::Manifest(m) => m.problem,
            other => panic!("{other:?}"),
        };
        let found = problem(format!("{ENVS}[secrets.A]\nrole = \"encrypt\"\n"));
        assert!(
            matches!(
                &found,
                ManifestProblem::Rotation(RotationProblem::UnknownRole { role, did_you_mean })
                    if role == "encrypt" && *did_you_mean == Some("encryption")
            ),
            "{found:?}"
        );
        says(
            &format!("{ENVS}[defaults]\nrole = \"Credential\"\n"),
            "envmint.toml:5: unknown role `Credential`",
            "",
        );
        says(
            &format!("{ENVS}[secrets.A]\nrole = 1\n"),
            "envmint.toml:5: `role` must be text in quotes, not a number",
            "",
        );
        says(
            &format!("{ENVS}[secrets.A]\nrole = \"encryption\"\noverlap = \"7d\"\n"),
            "envmint.toml:6: `overlap` on the encryption key A",
            "",
        );
        // "never" is for rotate_every only.
        says(
            &format!("{ENVS}[secrets.A]\noverlap = \"never\"\n"),
            "envmint.toml:5: bad duration `never`",
            "",
        );
    }

    #[test]
    fn fail_no_environments() {
        // The words are report.rs's (tested there with this manifest).
        let err = parse("[secrets.A]\n").unwrap_err();
        assert_eq!(err.exit(), Exit::DataErr);
        assert!(
            matches!(
                &err,
                Error::Manifest(m) if matches!(**m, ManifestError {
                    line: None,
                    problem: ManifestProblem::NoEnvironments,
                    ..
                })
            ),
            "{err:?}"
        );
    }

    fn file_of(decl: &str) -> PathBuf {
        let m = parse(&format!("[environments.p]\nfile = \"{decl}\"\n")).unwrap();
        m.environments()[0].file.clone()
    }

    #[test]
    fn relative_files_resolve_inside_the_manifest_folder() {
        assert_eq!(file_of("prod.env"), Path::new("/app/prod.env"));
        assert_eq!(file_of("./a/../b/./x.env"), Path::new("/app/b/x.env"));
        assert_eq!(file_of("a/b/../../x.env"), Path::new("/app/x.env"));
        assert_eq!(file_of("/etc/myapp/env"), Path::new("/etc/myapp/env"));
        assert_eq!(file_of("/etc/../srv/env"), Path::new("/srv/env"));
    }

    #[test]
    fn fail_files_that_leave_the_manifest_folder() {
        const HINT: &str = "a relative `file` must stay in the manifest's folder or below it; \
                            move envmint.toml up, or give an absolute path such as \
                            \"/etc/myapp/env\"";
        for bad in [
            "../outside.env",
            "../../outside.env",
            "a/../../x.env",
            "./../x",
            "a/b/../../..",
        ] {
            says(
                &format!("[environments.p]\nfile = \"{bad}\"\n"),
                &format!("envmint.toml:2: `file = \"{bad}\"` leaves the manifest's folder"),
                HINT,
            );
        }
        for folder in [".", "a/..", "/"] {
            says(
                &format!("[environments.p]\nfile = \"{folder}\"\n"),
                &format!("envmint.toml:2: `file = \"{folder}\"` names a folder, not a file"),
                "name the dotenv file, e.g. file = \".env.production.local\"",
            );
        }
        says(
            "[environments.p]\nfile = \"\"\n",
            "envmint.toml:2: `file` is empty",
            "name the dotenv file, e.g. file = \".env.production.local\"",
        );
        says(
            "[environments.p]\nfile = \"a\\u0000b\"\n",
            "envmint.toml:2: `file` contains a NUL character",
            "no file name can contain one; name the dotenv file, e.g. file = \".env\"",
        );
    }

    #[test]
    fn fail_files_that_are_the_manifest_inside_git_folders_or_odd_names() {
        const HINT: &str = "name the dotenv file, e.g. file = \".env.production.local\"";
        for manifest in [
            "envmint.toml",
            "./envmint.toml",
            "a/../envmint.toml",
            "/app/envmint.toml",
        ] {
            says(
                &format!("[environments.p]\nfile = \"{manifest}\"\n"),
                &format!("envmint.toml:2: `file = \"{manifest}\"` is the manifest itself"),
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            );
        }
        // The same name in another folder is another file.
        assert_eq!(
            file_of("sub/envmint.toml"),
            Path::new("/app/sub/envmint.toml")
        );
        for git in [
            ".git/config",
            "a/.git/x.env",
            "/srv/app/.git/env",
            ".GIT/config",
        ] {
            says(
                &format!("[environments.p]\nfile = \"{git}\"\n"),
                &format!("envmint.toml:2: `file = \"{git}\"` is inside .git"),
                "name a dotenv file outside the repository's .git folder, e.g. \
                 file = \".env.production.local\"",
            );
        }
        assert_eq!(file_of(".gitignore.env"), Path::new("/app/.gitignore.env"));
        for folder in ["sub/", "sub/.", "a/b/..", "/etc/"] {
            says(
                &format!("[environments.p]\nfile = \"{folder}\"\n"),
                &format!("envmint.toml:2: `file = \"{folder}\"` names a folder, not a file"),
                HINT,
            );
        }
        let long = "x".repeat(256);
        let deep = ["d"; 2049].join("/");
        for (file, shown) in [
            (long.clone(), format!("{}…", "x".repeat(100))),
            (format!("../{long}"), format!("../{}…", "x".repeat(97))),
            (deep.clone(), format!("{}…", &deep[..100])),
        ] {
            says(
                &format!("[environments.p]\nfile = \"{file}\"\n"),
                &format!("envmint.toml:2: `file = \"{shown}\"` is too long for a path"),
                "a path has at most 4095 bytes, and each folder or file name at most 255",
            );
        }
        assert_eq!(
            file_of(&"x".repeat(255)),
            Path::new("/app").join("x".repeat(255))
        );
        for (toml, shown) in [
            ("x\\ny", "x\\ny"),
            ("a\\u001b[31m", "a\\u{1b}[31m"),
            ("x\\ry", "x\\ry"),
        ] {
            says(
                &format!("[environments.p]\nfile = \"{toml}\"\n"),
                &format!("envmint.toml:2: `file = \"{shown}\"` contains a control character"),
                HINT,
            );
        }
    }

    fn mode_of(text: &str) -> Vec<Option<u32>> {
        parse(text)
            .unwrap()
            .environments()
            .iter()
            .map(|e| e.mode)
            .collect()
    }

    #[test]
    fn modes_are_declared_per_environment_or_in_defaults() {
        assert_eq!(mode_of(ENVS), [None, None]);
        assert_eq!(
            mode_of("[environments.a]\nmode = \"0640\"\n[environments.b]\n"),
            [Some(0o640), None]
        );
        assert_eq!(
            mode_of(
                "[defaults]\nmode = \"440\"\n[environments.a]\nmode = \"0600\"\n[environments.b]\n"
            ),
            [Some(0o600), Some(0o440)]
        );
        for (text, bits) in [
            ("0600", 0o600),
            ("0640", 0o640),
            ("0400", 0o400),
            ("0440", 0o440),
            ("0o640", 0o640),
        ] {
            assert_eq!(
                mode_of(&format!("[environments.a]\nmode = \"{text}\"\n")),
                [Some(bits)]
            );
        }
    }

    #[test]
    fn fail_modes_wider_than_0640_or_unreadable() {
        const HINT: &str = "use \"0600\" (the default: owner only), \"0640\" (the group may read), \
                            \"0400\" or \"0440\" (read-only)";
        for (mode, problem) in [
            ("0644", "lets other users reach the file"),
            ("0604", "lets other users reach the file"),
            ("0601", "lets other users reach the file"),
            (
                "0660",
                "is wider than 0640 (only the owner may write, the group may at most read)",
            ),
            (
                "0700",
                "is wider than 0640 (only the owner may write, the group may at most read)",
            ),
            ("0040", "does not let the owner read the file"),
            ("0200", "does not let the owner read the file"),
            ("000", "does not let the owner read the file"),
            ("4600", "sets special bits (setuid, setgid or sticky)"),
        ] {
            says(
                &format!("[environments.a]\nmode = \"{mode}\"\n"),
                &format!("envmint.toml:2: `mode = \"{mode}\"` {problem}"),
                HINT,
            );
        }
        for bad in ["rw-r-----", "0648", "64", "06400", "", "0x1a0"] {
            says(
                &format!("[environments.a]\nmode = \"{bad}\"\n"),
                &format!("envmint.toml:2: `mode = \"{bad}\"` is not an octal file mode"),
                "three or four octal digits, e.g. mode = \"0640\"",
            );
        }
        says(
            "[environments.a]\nmode = 640\n",
            "envmint.toml:2: `mode` must be octal digits in quotes, not the number 640",
            "write it in quotes, e.g. mode = \"0640\"",
        );
        says(
            "[environments.a]\nmode = 0640\n",
            "envmint.toml:2: invalid TOML: unexpected leading zero, expected nothing",
            "a mode goes in quotes, e.g. mode = \"0640\"; other numbers have no leading zero",
        );
        says(
            "[defaults]\nmode = \"0644\"\n[environments.a]\n",
            "envmint.toml:2: `mode = \"0644\"` lets other users reach the file",
            HINT,
        );
    }

    const AGE: &str = "age1hmxr76wjma58p26d8lq642f3arp4cr4ph3e4xett0ptsuu83v44qgzrz6v";

    #[test]
    fn sealed_environments_parse_with_their_recipients() {
        let m = parse(&format!(
            "[environments.production]\nsealed = \".env.production.age\"\n\
             recipients = [\"{AGE}\"]\nrecipients_file = \"keys/production.txt\"\narmor = true\n\
             [environments.dev]\n"
        ))
        .unwrap();
        let prod = m.environment("production").unwrap();
        let sealed = prod.sealed.as_ref().unwrap();
        assert_eq!(sealed.path, Path::new("/app/.env.production.age"));
        assert_eq!(sealed.recipients, [AGE]);
        assert_eq!(
            sealed.recipients_file.as_deref(),
            Some(Path::new("/app/keys/production.txt"))
        );
        assert!(sealed.armor);
        assert_eq!(prod.store_path(), Path::new("/app/.env.production.age"));
        assert_eq!(prod.file, Path::new("/app/.env.production.local"));
        let dev = m.environment("dev").unwrap();
        assert_eq!(dev.sealed, None);
        assert_eq!(dev.store_path(), Path::new("/app/.env.dev.local"));
    }

    #[test]
    fn fail_sealed_environments_without_recipients_or_with_bad_ones() {
        says(
            "[environments.production]\nsealed = \".env.production.age\"\n",
            "envmint.toml:1: sealed environment `production` has no recipients",
            "add recipients = [\"age1...\"] (see `envmint keygen`) or recipients_file = \
             \"keys/NAME.txt\"",
        );
        says(
            "[environments.p]\nsealed = \"p.age\"\nrecipients = [\n  \"age1xyz\",\n]\n",
            "envmint.toml:4: bad recipient: not a valid age recipient (invalid Bech32 encoding)",
            "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line",
        );
        says(
            "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"AGE-SECRET-KEY-1XYZ\"]\n",
            "envmint.toml:3: bad recipient: this is a secret key (AGE-SECRET-KEY-...), not a \
             recipient; `envmint keygen -y FILE` prints its recipient",
            "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line",
        );
        says(
            &format!("[environments.p]\nsealed = \"p.age\"\nrecipients = \"{AGE}\"\n"),
            "envmint.toml:3: `recipients` must be a list of public keys",
            "put it in brackets: recipients = [\"age1...\"]",
        );
        says(
            "[environments.p]\nsealed = \"p.age\"\nrecipients = [1]\n",
            "envmint.toml:3: each entry of `recipients` must be a public key in quotes",
            "e.g. recipients = [\"age1...\"] (`envmint keygen -y KEY` prints one)",
        );
    }

    #[test]
    fn fail_sealed_fields_in_the_manifests_words() {
        says(
            &format!("[environments.p]\nrecipients = [\"{AGE}\"]\n"),
            "envmint.toml:2: `recipients` without `sealed` in [environments.p]",
            "name the sealed file, e.g. sealed = \".env.p.age\", or remove `recipients`",
        );
        says(
            &format!(
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"{AGE}\"]\narmor = \"yes\"\n"
            ),
            "envmint.toml:4: `armor` must be true or false, not text",
            "e.g. armor = true, without quotes",
        );
        says(
            &format!("[environments.p]\nsealed = \"../p.age\"\nrecipients = [\"{AGE}\"]\n"),
            "envmint.toml:2: `sealed = \"../p.age\"` leaves the manifest's folder",
            "a relative `file` must stay in the manifest's folder or below it; move envmint.toml \
             up, or give an absolute path such as \"/etc/myapp/env\"",
        );
        says(
            "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"keys/\"\n",
            "envmint.toml:3: `recipients_file = \"keys/\"` names a folder, not a file",
            "name the dotenv file, e.g. file = \".env.production.local\"",
        );
        says(
            &format!(
                "[environments.p]\nfile = \"p.env\"\nsealed = \"p.env\"\nrecipients = [\"{AGE}\"]\n"
            ),
            "envmint.toml:1: `sealed` and `file` of [environments.p] are the same file",
            "`file` is where `envmint unseal p` writes the plaintext; use another name, e.g. \
             sealed = \".env.p.age\"",
        );
        says(
            "[environments.p]\nseald = \"p.age\"\n",
            "envmint.toml:2: unknown field `seald` in [environments.p]",
            "did you mean `sealed`?",
        );
    }

    #[test]
    fn a_recipients_file_is_read_when_sealing_and_names_its_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("keys")).unwrap();
        let file = root.join("keys/p.txt");
        std::fs::write(&file, format!("# ops\n{AGE}\n\nssh-ed25519 AAAA\n")).unwrap();
        let m = Manifest::parse(
            &format!(
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"{AGE}\"]\n\
                 recipients_file = \"keys/p.txt\"\n"
            ),
            &root.join("envmint.toml"),
            root,
        )
        .unwrap();
        let sealed = m.environment("p").unwrap().sealed.clone().unwrap();
        let err = sealed.all_recipients().unwrap_err();
        assert_eq!(err.exit(), crate::error::Exit::DataErr);
        let Error::Seal(crate::seal::SealError::BadKey { location, message }) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(location.path.as_deref(), Some(file.as_path()));
        assert_eq!(location.line, Some(4));
        assert_eq!(message, "not a valid SSH public key");
        std::fs::write(&file, format!("# ops\n{AGE}\n")).unwrap();
        // Listed in both places: sealed to once.
        assert_eq!(sealed.all_recipients().unwrap().len(), 1);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(
            sealed.all_recipients().unwrap_err().exit(),
            crate::error::Exit::NoInput
        );
    }
}
