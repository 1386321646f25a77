//! The `envmint.toml` model: environments, the secrets they get, and how often to rotate them.
//!
//! A manifest is validated completely when it is loaded: unknown fields, unknown kinds, sizes
//! that do not fit the kind, secrets under [`MIN_BITS`], bad durations, alphabets that cannot be
//! written safely to a dotenv file, invalid key names and secrets naming undeclared environments
//! are all data errors (exit 65) that name the manifest's path and line, with a hint.
//!
//! Without an `envmint.toml`, the built-in `web` preset ([`PRESET`]) is used; `envmint init`
//! writes the same text out.

use crate::dotenv;
use crate::error::{Error, Location, Result};
use crate::generate::{Alphabet, Kind, MIN_BITS, Size, SizeUnit, Spec, SpecError, format_bits};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

/// The file name searched for in the working directory and its parents.
pub const FILE_NAME: &str = "envmint.toml";

/// The built-in `web` preset, used when no manifest is found and written by `envmint init`.
pub const PRESET: &str = include_str!("presets/web.toml");

/// Where a manifest came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An `envmint.toml` file.
    File(PathBuf),
    /// The built-in preset.
    Builtin,
}

/// A validated manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    source: Source,
    rotate_every: Duration,
    environments: Vec<Environment>,
    secrets: Vec<SecretDecl>,
}

/// One declared environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Environment {
    /// Its name, e.g. `production`.
    pub name: String,
    /// Its dotenv file, resolved against the manifest's folder.
    pub file: PathBuf,
}

/// One declared secret.
#[derive(Clone, Debug)]
pub struct SecretDecl {
    /// The key, a valid environment variable name.
    pub key: String,
    /// Kind and size.
    pub spec: Spec,
    /// How often it should be rotated (its own, or the default).
    pub rotate_every: Duration,
    /// The environments it belongs to; `None` means all.
    pub environments: Option<Vec<String>>,
}

impl SecretDecl {
    /// Whether this secret belongs in environment `env`.
    pub fn applies_to(&self, env: &str) -> bool {
        self.environments
            .as_ref()
            .is_none_or(|list| list.iter().any(|e| e == env))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    defaults: Option<RawDefaults>,
    #[serde(default)]
    environments: BTreeMap<Spanned<String>, Spanned<RawEnvironment>>,
    #[serde(default)]
    secrets: BTreeMap<Spanned<String>, Spanned<RawSecret>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    rotate_every: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    file: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    kind: Option<Spanned<String>>,
    alphabet: Option<Spanned<String>>,
    bytes: Option<Spanned<u64>>,
    bits: Option<Spanned<u64>>,
    length: Option<Spanned<u64>>,
    rotate_every: Option<Spanned<String>>,
    environments: Option<Spanned<Vec<Spanned<String>>>>,
}

/// Default rotation period when the manifest names none.
pub const DEFAULT_ROTATE_EVERY: Duration = Duration::from_secs(90 * 86_400);

/// Reads the manifest errors are reported against.
struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Error {
        Error::data(
            Location::new(self.path, Some(self.line_of(span.start))),
            message,
        )
    }
}

impl Manifest {
    /// Loads the manifest: `explicit` if given (it must exist), else the nearest `envmint.toml`
    /// in `cwd` or its parents, else the built-in preset rooted at `cwd`.
    pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Manifest> {
        let path = match explicit {
            Some(p) => Some(cwd.join(p)),
            None => find(cwd),
        };
        match path {
            None => Ok(Manifest::builtin(cwd)),
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::InvalidData => Error::data(
                        Location::new(&path, None),
                        "the manifest is not valid UTF-8",
                    ),
                    _ => Error::reading(&path, e)
                        .with_hint("check --manifest, or run `envmint init` to create one"),
                })?;
                let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                Manifest::parse(&text, &path, &root)
            }
        }
    }

    /// The built-in `web` preset with its files in `root`.
    pub fn builtin(root: &Path) -> Manifest {
        let mut m = Manifest::parse(PRESET, Path::new("<built-in preset>"), root)
            .expect("the built-in preset is valid (tested)");
        m.source = Source::Builtin;
        m
    }

    /// Parses and validates manifest `text` read from `path`; relative paths inside it are
    /// resolved against `root`.
    pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Manifest> {
        let ctx = Ctx { text, path };
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| ctx.line_of(s.start));
            Error::data(Location::new(path, line), e.message().trim().to_string()).with_hint(
                "fields: [defaults] rotate_every; [environments.NAME] file; \
                 [secrets.KEY] kind|alphabet, bytes|bits|length, rotate_every, environments",
            )
        })?;

        let rotate_every = match raw.defaults.and_then(|d| d.rotate_every) {
            Some(s) => duration(&ctx, &s)?,
            None => DEFAULT_ROTATE_EVERY,
        };

        let mut environments: Vec<(usize, Environment)> = Vec::new();
        for (name, env) in raw.environments {
            if !valid_env_name(name.get_ref()) {
                return Err(ctx
                    .err(
                        name.span(),
                        format!("invalid environment name `{}`", name.get_ref()),
                    )
                    .with_hint("use letters, digits, `-` and `_`, e.g. production"));
            }
            let env = env.into_inner();
            let file = match env.file {
                Some(f) if f.get_ref().is_empty() => {
                    return Err(ctx.err(f.span(), "`file` is empty"));
                }
                Some(f) => root.join(f.get_ref()),
                None => root.join(format!(".env.{}.local", name.get_ref())),
            };
            environments.push((
                name.span().start,
                Environment {
                    name: name.into_inner(),
                    file,
                },
            ));
        }
        // Declaration order, not alphabetical: it is the order users read and list them in.
        environments.sort_by_key(|(at, _)| *at);
        let environments: Vec<Environment> = environments.into_iter().map(|(_, e)| e).collect();
        if environments.is_empty() {
            return Err(Error::data(
                Location::new(path, None),
                "the manifest declares no environments",
            )
            .with_hint("add one, e.g. [environments.production]"));
        }

        let mut secrets: Vec<(usize, SecretDecl)> = Vec::new();
        for (key, secret) in raw.secrets {
            let at = key.span().start;
            let decl = secret_decl(&ctx, &key, secret, rotate_every, &environments)?;
            secrets.push((at, decl));
        }
        secrets.sort_by_key(|(at, _)| *at);

        Ok(Manifest {
            source: Source::File(path.to_path_buf()),
            rotate_every,
            environments,
            secrets: secrets.into_iter().map(|(_, s)| s).collect(),
        })
    }

    /// Where this manifest came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The default rotation period.
    pub fn rotate_every(&self) -> Duration {
        self.rotate_every
    }

    /// The declared environments, in declaration order.
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// The declared secrets, in declaration order.
    pub fn secrets(&self) -> &[SecretDecl] {
        &self.secrets
    }

    /// The environment called `name`; a usage error (exit 2) listing the declared ones if there
    /// is none.
    pub fn environment(&self, name: &str) -> Result<&Environment> {
        self.environments
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| {
                let declared: Vec<&str> =
                    self.environments.iter().map(|e| e.name.as_str()).collect();
                let whence = match &self.source {
                    Source::File(p) => p.display().to_string(),
                    Source::Builtin => "the built-in preset".to_string(),
                };
                Error::usage(format!(
                    "unknown environment `{name}`: {whence} declares {}",
                    declared.join(", ")
                ))
                .with_hint(match &self.source {
                    Source::File(_) => format!("declare it with [environments.{name}]"),
                    Source::Builtin => {
                        format!("run `envmint init` and add [environments.{name}] to envmint.toml")
                    }
                })
            })
    }

    /// The secrets that belong in environment `env`, in declaration order.
    pub fn secrets_for<'a>(&'a self, env: &'a str) -> impl Iterator<Item = &'a SecretDecl> + 'a {
        self.secrets.iter().filter(move |s| s.applies_to(env))
    }
}

fn secret_decl(
    ctx: &Ctx<'_>,
    key: &Spanned<String>,
    secret: Spanned<RawSecret>,
    default_rotation: Duration,
    environments: &[Environment],
) -> Result<SecretDecl> {
    if !dotenv::is_valid_key(key.get_ref()) {
        return Err(ctx
            .err(key.span(), format!("invalid key name `{}`", key.get_ref()))
            .with_hint("key names are letters, digits and `_`, not starting with a digit"));
    }
    let span = secret.span();
    let s = secret.into_inner();
    let kind = match (&s.kind, &s.alphabet) {
        (Some(k), Some(_)) => {
            return Err(ctx
                .err(k.span(), "give either `kind` or `alphabet`, not both")
                .with_hint("`alphabet = \"...\"` is a kind of its own"));
        }
        (Some(k), None) => Kind::from_name(k.get_ref()).ok_or_else(|| {
            ctx.err(k.span(), format!("unknown kind `{}`", k.get_ref()))
                .with_hint(format!(
                    "use one of: {}, or `alphabet = \"...\"`",
                    Kind::NAMES.join(", ")
                ))
        })?,
        (None, Some(a)) => {
            let alphabet = Alphabet::new(a.get_ref()).map_err(|e| {
                ctx.err(a.span(), format!("bad alphabet: {e}"))
                    .with_hint("give at least 2 distinct printable ASCII characters")
            })?;
            dotenv::check_writable_alphabet(a.get_ref()).map_err(|e| {
                ctx.err(
                    a.span(),
                    format!(
                        "the alphabet has {e}, which no quoting makes safe in every dotenv reader"
                    ),
                )
                .with_hint("leave out $ \\ ' \" ` whitespace and control characters")
            })?;
            Kind::Custom(alphabet)
        }
        (None, None) => Kind::Base64Url,
    };
    let sizes = [
        (SizeUnit::Bytes, &s.bytes),
        (SizeUnit::Bits, &s.bits),
        (SizeUnit::Length, &s.length),
    ];
    let given: Vec<(SizeUnit, &Spanned<u64>)> = sizes
        .iter()
        .filter_map(|(u, v)| v.as_ref().map(|v| (*u, v)))
        .collect();
    if given.len() > 1 {
        return Err(ctx
            .err(
                given[1].1.span(),
                "give only one of `bytes`, `bits`, `length`",
            )
            .with_hint(format!(
                "{} takes `{}` or `bits`",
                kind.name(),
                kind.native_unit().name()
            )));
    }
    let size_span = given.first().map(|(_, v)| v.span()).unwrap_or(span.clone());
    let size = given.first().map(|(unit, v)| Size {
        unit: *unit,
        amount: *v.get_ref(),
    });
    let spec = Spec::new(kind, size).map_err(|e| match &e {
        SpecError::Mismatch {
            kind,
            given,
            expected,
        } => ctx
            .err(
                size_span.clone(),
                format!("`{}` does not apply to {kind}", given.name()),
            )
            .with_hint(format!("use `{} = N` or `bits = N`", expected.name())),
        SpecError::Zero(_) | SpecError::TooLarge { .. } => ctx
            .err(size_span.clone(), e.to_string())
            .with_hint("32 bytes (or bits = 256) is the usual size for a secret key"),
    })?;
    if spec.is_weak() {
        let unit = spec.kind().native_unit().name();
        return Err(ctx
            .err(
                size_span,
                format!(
                    "{} has {} bits of entropy, under the {MIN_BITS}-bit floor",
                    key.get_ref(),
                    format_bits(spec.bits())
                ),
            )
            .with_hint(format!(
                "use `{unit} = {}` or more, or `bits = 128`",
                spec.min_strong_amount()
            )));
    }
    let rotate_every = match &s.rotate_every {
        Some(d) => duration(ctx, d)?,
        None => default_rotation,
    };
    let envs = match s.environments {
        None => None,
        Some(list) => {
            let list_span = list.span();
            let list = list.into_inner();
            if list.is_empty() {
                return Err(ctx
                    .err(list_span, "`environments` is empty")
                    .with_hint("leave it out to mean every environment"));
            }
            let mut names = Vec::with_capacity(list.len());
            for name in list {
                if !environments.iter().any(|e| &e.name == name.get_ref()) {
                    let declared: Vec<&str> =
                        environments.iter().map(|e| e.name.as_str()).collect();
                    return Err(ctx
                        .err(
                            name.span(),
                            format!(
                                "{} names undeclared environment `{}`",
                                key.get_ref(),
                                name.get_ref()
                            ),
                        )
                        .with_hint(format!(
                            "declared: {}; or add [environments.{}]",
                            declared.join(", "),
                            name.get_ref()
                        )));
                }
                names.push(name.into_inner());
            }
            Some(names)
        }
    };
    Ok(SecretDecl {
        key: key.get_ref().clone(),
        spec,
        rotate_every,
        environments: envs,
    })
}

fn valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn duration(ctx: &Ctx<'_>, text: &Spanned<String>) -> Result<Duration> {
    parse_duration(text.get_ref()).ok_or_else(|| {
        ctx.err(text.span(), format!("bad duration `{}`", text.get_ref()))
            .with_hint("a whole number and a unit: s, m, h, d or w, e.g. \"90d\" or \"12h\"")
    })
}

/// Parses `90d`, `12h`, `2w`, `30m`, `45s`: a positive whole number and one unit.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let unit = text.chars().last()?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    if n == 0 {
        return None;
    }
    Some(Duration::from_secs(n.checked_mul(secs)?))
}

/// The nearest `envmint.toml` in `start` or one of its parents.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Exit;

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(text, Path::new("envmint.toml"), Path::new("/app"))
    }

    /// Asserts a data error at `line` whose message contains `needle`.
    fn fails_at(text: &str, line: usize, needle: &str) {
        let err = parse(text).expect_err("must fail");
        assert_eq!(err.exit(), Exit::DataErr, "{err}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("envmint.toml:{line}: ")),
            "want line {line}: {shown}"
        );
        assert!(shown.contains(needle), "want `{needle}` in: {shown}");
        assert!(err.hint().is_some(), "no hint for: {shown}");
    }

    const ENVS: &str = "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n";

    #[test]
    fn the_preset_is_the_web_default() {
        let m = Manifest::builtin(Path::new("/app"));
        assert_eq!(m.source(), &Source::Builtin);
        let names: Vec<_> = m.environments().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["development", "staging", "production"]);
        assert_eq!(
            m.environment("production").unwrap().file,
            Path::new("/app/.env.production.local")
        );
        let keys: Vec<_> = m
            .secrets()
            .iter()
            .map(|s| (s.key.as_str(), s.spec.kind().name(), s.spec.amount()))
            .collect();
        assert_eq!(
            keys,
            [
                ("SECRET_KEY", "hex", 32),
                ("JWT_SECRET_KEY", "hex", 32),
                ("SESSION_SECRET", "base64", 32),
                ("ENCRYPTION_KEY", "base64", 32),
                ("DB_PASSWORD", "alnum", 32),
                ("REDIS_PASSWORD", "alnum", 32),
            ]
        );
        assert!(
            m.secrets()
                .iter()
                .all(|s| s.rotate_every == DEFAULT_ROTATE_EVERY)
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
            Duration::from_secs(14 * 86_400)
        );
        assert_eq!(
            m.secrets()[1].rotate_every,
            Duration::from_secs(30 * 86_400)
        );
        let staging: Vec<_> = m.secrets_for("staging").map(|s| s.key.as_str()).collect();
        assert_eq!(staging, ["ZED", "DEFAULTED"]);
        assert_eq!(m.secrets()[2].spec.kind(), &Kind::Base64Url);
        assert_eq!(m.secrets()[2].spec.bits(), 256.0);
    }

    #[test]
    fn fail_unknown_fields_name_the_line() {
        fails_at(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbyts = 32\n"),
            6,
            "byts",
        );
        fails_at(&format!("[defualts]\n{ENVS}"), 1, "defualts");
        fails_at(
            &format!("{ENVS}[environments.dev]\npath = \"x\"\n"),
            5,
            "path",
        );
    }

    #[test]
    fn fail_unknown_kind() {
        fails_at(
            &format!("{ENVS}[secrets.A]\nkind = \"hax\"\n"),
            5,
            "unknown kind `hax`",
        );
    }

    #[test]
    fn fail_size_that_does_not_fit_the_kind() {
        fails_at(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nlength = 32\n"),
            6,
            "`length` does not apply to hex",
        );
        fails_at(
            &format!("{ENVS}[secrets.A]\nkind = \"alnum\"\nbytes = 32\n"),
            6,
            "`bytes` does not apply to alnum",
        );
        fails_at(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nbytes = 32\nbits = 256\n"),
            7,
            "only one of",
        );
    }

    #[test]
    fn fail_under_128_bits() {
        fails_at(
            &format!("{ENVS}[secrets.DB]\nkind = \"alnum\"\nlength = 21\n"),
            6,
            "under the 128-bit floor",
        );
        fails_at(
            &format!("{ENVS}[secrets.K]\nkind = \"hex\"\nbits = 64\n"),
            6,
            "64 bits",
        );
    }

    #[test]
    fn fail_bad_durations() {
        for bad in ["90", "d", "0d", "90x", "-1d", "1.5d", " 9d"] {
            fails_at(
                &format!("[defaults]\nrotate_every = \"{bad}\"\n{ENVS}"),
                2,
                "bad duration",
            );
        }
        fails_at(
            &format!("{ENVS}[secrets.A]\nrotate_every = \"soon\"\n"),
            5,
            "bad duration `soon`",
        );
        assert_eq!(parse_duration("12h"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("99999999999999999w"), None);
    }

    #[test]
    fn fail_secret_naming_an_undeclared_environment() {
        fails_at(
            &format!("{ENVS}[secrets.A]\nenvironments = [\"staging\", \"prod\"]\n"),
            5,
            "undeclared environment `prod`",
        );
    }

    #[test]
    fn fail_invalid_key_and_environment_names() {
        fails_at(
            &format!("{ENVS}[secrets.\"1KEY\"]\n"),
            4,
            "invalid key name",
        );
        fails_at(
            &format!("{ENVS}[secrets.\"MY-KEY\"]\n"),
            4,
            "invalid key name",
        );
        fails_at("[environments.\"prod/x\"]\n", 1, "invalid environment name");
    }

    #[test]
    fn fail_alphabets_no_quoting_makes_safe() {
        for bad in ["abc$", "abc\\\\", "abc'", "abc\\\"", "abc`"] {
            fails_at(
                &format!("{ENVS}[secrets.A]\nalphabet = \"{bad}\"\nlength = 100\n"),
                5,
                "alphabet",
            );
        }
        fails_at(
            &format!("{ENVS}[secrets.A]\nalphabet = \"ab a\"\nlength = 200\n"),
            5,
            "alphabet",
        );
        fails_at(
            &format!("{ENVS}[secrets.A]\nkind = \"hex\"\nalphabet = \"ab\"\n"),
            5,
            "not both",
        );
    }

    #[test]
    fn fail_no_environments_and_bad_toml() {
        let err = parse("[secrets.A]\n").unwrap_err();
        assert_eq!(err.exit(), Exit::DataErr);
        assert!(err.to_string().contains("no environments"), "{err}");
        fails_at(&format!("{ENVS}[secrets.A\n"), 4, "");
    }

    #[test]
    fn unknown_environment_is_a_usage_error_listing_the_declared() {
        let m = Manifest::builtin(Path::new("/app"));
        let err = m.environment("prod").unwrap_err();
        assert_eq!(err.exit(), Exit::Usage);
        assert!(
            err.to_string().contains("development, staging, production"),
            "{err}"
        );
    }

    #[test]
    fn find_walks_up_to_the_nearest_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find(&deep), None);
        std::fs::write(dir.path().join(FILE_NAME), ENVS).unwrap();
        assert_eq!(find(&deep), Some(dir.path().join(FILE_NAME)));
        let m = Manifest::load(None, &deep).unwrap();
        assert_eq!(
            m.environment("production").unwrap().file,
            dir.path().join("prod.env")
        );
        let missing = Manifest::load(Some(Path::new("nope.toml")), &deep).unwrap_err();
        assert_eq!(missing.exit(), Exit::NoInput);
    }
}
