//! A manifest error in words: the file and line, what is wrong with the table or field, and
//! the advice (the environment-name rule, the size advice, a sealed environment's fields).

use super::Rendered;
use super::rotation::rotation;
use crate::advice::{self, SizeSyntax};
use envmint::error::{BadMode, EnvList, FileRefusal, SealingProblem, UnknownEnvironment};
use envmint::error::{
    Expected, Location, ManifestError, ManifestProblem, ModeRefusal, NameOf, SizeProblem, ValueType,
};

/// What an environment name may be, for hints.
pub(super) const ENV_NAME_RULE: &str =
    "environment names are letters, digits, `-` and `_` (at most 64), e.g. production";

/// Writes a [`ManifestError`] in words, after `FILE:LINE:` (or `FILE:`).
pub(super) fn manifest(e: &ManifestError) -> Rendered {
    use ManifestProblem as P;
    let location = Location::new(&e.path, e.line);
    let (what, hint): (String, Option<String>) = match &e.problem {
        P::NotFound => (
            "manifest not found".into(),
            Some("check --manifest, or run `envmint init` to create one".into()),
        ),
        P::DanglingSymlink { points_at } => (
            format!(
                "the file this symlink points to ({}) not found",
                points_at.display()
            ),
            Some(
                "fix or remove the symlink; envmint does not fall back to the built-in preset \
                 while an envmint.toml exists"
                    .into(),
            ),
        ),
        P::RemovedWhileRead => (
            "manifest not found".into(),
            Some("it was removed while envmint read it; run again".into()),
        ),
        P::Untrusted {
            owner,
            euid,
            through_symlink,
            found,
        } => {
            let what = if *through_symlink {
                "a symlink to a file owned"
            } else {
                "owned"
            };
            (
                format!(
                    "{what} by uid {owner}, not by you (uid {euid}) or root; envmint does not \
                     use a manifest another user could have planted"
                ),
                Some(format!(
                    "if you trust it, name it: envmint --manifest {} ...",
                    found.display()
                )),
            )
        }
        P::InsideGit {
            environment,
            field,
            path,
            target,
        } => (
            format!(
                "`{field}` of [environments.{environment}] names {} ({} through a symlink), \
                 inside git's folder; refused: envmint never reads or writes secrets in .git",
                target.display(),
                path.display()
            ),
            Some(
                "name a dotenv file outside the repository's .git folder, e.g. file = \
                 \".env.production.local\""
                    .to_string(),
            ),
        ),
        P::Outside {
            environment,
            field,
            path,
            target,
            folder,
        } => {
            let how = if path == target {
                String::new()
            } else {
                format!(" ({} through a symlink)", path.display())
            };
            (
                format!(
                    "`{field}` of [environments.{environment}] names {}{how}, outside the \
                     manifest's folder {}; refused: a repository does not choose where envmint \
                     reads and writes secrets",
                    target.display(),
                    folder.display()
                ),
                Some(format!(
                    "if you chose this path, allow it: envmint --allow-outside ..., or add {} \
                     to ~/.config/envmint/allow-outside (one folder per line)",
                    target.parent().unwrap_or(target).display()
                )),
            )
        }
        P::NotUtf8 => (
            "the manifest is not valid UTF-8".into(),
            Some("save it as UTF-8".into()),
        ),
        P::Syntax { message } => {
            // `mode = 0640`, the way modes are written everywhere else.
            let hint = if message.contains("leading zero") {
                "a mode goes in quotes, e.g. mode = \"0640\"; other numbers have no leading zero"
            } else {
                "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 \
                 (text in quotes, numbers without)"
            };
            (format!("invalid TOML: {message}"), Some(hint.into()))
        }
        P::DuplicateKey { key } => (
            format!("`{key}` is declared twice"),
            Some("each table and each field may appear only once; merge the two".into()),
        ),
        P::NoEnvironments => (
            "the manifest declares no environments".into(),
            Some("add one, e.g. [environments.production]".into()),
        ),
        P::UnknownField(unknown) => {
            let envmint::error::UnknownField {
                table,
                field,
                did_you_mean,
                fields,
            } = &**unknown;
            (
                format!("unknown field `{field}` in {table}"),
                Some(match did_you_mean {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("{table} takes: {}", fields.join(", ")),
                }),
            )
        }
        P::Size(refused) => {
            let said = size(&refused.problem, Some(&refused.key), SizeSyntax::Field);
            let hint = said.hint.unwrap_or_else(|| {
                format!(
                    "leave the size out for the default, {} = {} (256 bits)",
                    refused.native.name(),
                    refused.default
                )
            });
            (said.message, Some(hint))
        }
        P::WrongType {
            expected,
            field,
            found,
            example,
        } => match expected {
            Expected::Table => (
                format!("{field} must be a table, not {}", value_words(*found)),
                Some(format!("write it as {example}")),
            ),
            Expected::Text => (
                format!(
                    "{field} must be text in quotes, not {}",
                    value_words(*found)
                ),
                Some(format!("e.g. {example}")),
            ),
            Expected::WholeNumber => (
                format!(
                    "{field} must be a whole number, not {}",
                    value_words(*found)
                ),
                Some(if *found == ValueType::Text {
                    format!("write it without quotes, e.g. {example}")
                } else {
                    format!("e.g. {example}")
                }),
            ),
        },
        P::Negative { field, example } => (
            format!("{field} cannot be negative"),
            Some(format!("e.g. {example}")),
        ),
        P::NotWhole {
            field,
            literal,
            example,
        } => (
            format!("{field} must be a whole number, not {literal}"),
            Some(format!("e.g. {example}")),
        ),
        P::BadName {
            of: NameOf::Environment,
            name,
            too_long,
        } => (
            match too_long {
                Some((length, limit)) => format!(
                    "the environment name `{name}` is {length} characters, over the limit of \
                     {limit}"
                ),
                None => format!("invalid environment name `{name}`"),
            },
            Some(ENV_NAME_RULE.to_string()),
        ),
        P::BadName {
            of: NameOf::Key,
            name,
            too_long: Some((length, limit)),
        } => (
            format!("the key name `{name}` is {length} characters, over the limit of {limit}"),
            Some("use a shorter name; environment variable names are rarely over 50".into()),
        ),
        P::BadName {
            of: NameOf::Key,
            name,
            too_long: None,
        } => (
            format!("invalid key name `{name}`"),
            Some("key names are letters, digits and `_`, not starting with a digit".into()),
        ),
        P::BadMode(bad) => mode(bad),
        P::KindAndAlphabet => (
            "give either `kind` or `alphabet`, not both".into(),
            Some("`alphabet = \"...\"` is a kind of its own".into()),
        ),
        // The alphabet's and the character's own words are the library's Display (kind.rs,
        // quote.rs), shared with `gen --alphabet`.
        P::BadAlphabet(e) => (
            format!("bad alphabet: {e}"),
            Some("give at least 2 distinct printable ASCII characters".into()),
        ),
        P::UnsafeAlphabet(c) => (
            format!("the alphabet has {c}, which no quoting makes safe in every dotenv reader"),
            Some("leave out \\ ' whitespace and control characters, and $ or {".into()),
        ),
        P::BadFormat { count } => (
            if *count == 0 {
                "`format` has no {value} for the generated value".to_string()
            } else {
                format!("`format` has {count} {{value}}, not one")
            },
            Some("put {value} once where the value goes, e.g. format = \"base64:{value}\"".into()),
        ),
        P::UnsafeFormat(c) => (
            format!(
                "the format's text has {c}, which no quoting makes safe in every dotenv reader"
            ),
            Some("leave out \\ ' whitespace and control characters".into()),
        ),
        P::SeveralSizes { kind, native } => (
            "give only one of `bytes`, `bits`, `length`".into(),
            Some(format!("{kind} takes `{}` or `bits`", native.name())),
        ),
        P::SecretEnvironments(list) => env_list(list),
        P::BadFile { field, file, why } => bad_file(field, file, *why),
        P::Sealing(problem) => sealing(problem),
        P::Rotation(problem) => rotation(problem),
        P::Hooks(problem) => hooks(problem),
        P::UnknownKind { kind, did_you_mean } => (
            format!("unknown kind `{kind}`"),
            Some(match did_you_mean {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "use one of: {}, or `alphabet = \"...\"`",
                    envmint::generate::Kind::NAMES.join(", ")
                ),
            }),
        ),
        P::UnknownTable {
            name,
            is_table,
            did_you_mean,
            belongs_under,
        } => (
            if *is_table {
                format!("unknown table [{name}]")
            } else {
                format!("unknown setting `{name}` at the top of the manifest")
            },
            Some(match (did_you_mean, belongs_under) {
                (Some(close), _) => format!("did you mean [{close}]?"),
                (None, Some(table)) => format!("put `{name}` under {table}"),
                (None, None) => {
                    "a manifest has [defaults], [environments.NAME] and [secrets.KEY] tables"
                        .to_string()
                }
            }),
        ),
        // The duration parser's reason and hint are the time module's words (src/time.rs).
        P::BadPeriod { text, error } => (
            match error.reason() {
                Some(why) => format!("bad duration `{text}`: {why}"),
                None => format!("bad duration `{text}`"),
            },
            Some(error.hint().to_string()),
        ),
    };
    Rendered {
        message: format!("{location}: {what}"),
        hint,
    }
}

/// What an environment name the manifest does not declare says.
pub(super) fn unknown_environment(u: &UnknownEnvironment) -> (String, Option<String>) {
    let whence = match &u.declared_in {
        Some(p) => p.display().to_string(),
        None => "the built-in preset".to_string(),
    };
    let name = &u.name;
    let hint = match (&u.did_you_mean, &u.declared_in) {
        (Some(close), _) => format!("did you mean `{close}`?"),
        (None, _) if !u.valid_name => ENV_NAME_RULE.to_string(),
        (None, Some(_)) => format!("declare it with [environments.{name}]"),
        (None, None) => {
            format!("run `envmint init` and add [environments.{name}] to envmint.toml")
        }
    };
    (
        format!(
            "unknown environment `{}`: {whence} declares {}",
            u.shown,
            u.declared.join(", ")
        ),
        Some(hint),
    )
}

/// What a refused `file = "..."` of an environment says.
pub(super) fn bad_file(field: &str, file: &str, why: FileRefusal) -> (String, Option<String>) {
    const NAME_IT: &str = "name the dotenv file, e.g. file = \".env.production.local\"";
    let (what, hint) = match why {
        FileRefusal::Empty => return (format!("`{field}` is empty"), Some(NAME_IT.into())),
        FileRefusal::Nul => {
            return (
                format!("`{field}` contains a NUL character"),
                Some(
                    "no file name can contain one; name the dotenv file, e.g. file = \".env\""
                        .into(),
                ),
            );
        }
        FileRefusal::Control => ("contains a control character", NAME_IT.to_string()),
        FileRefusal::TooLong { max_path, max_name } => (
            "is too long for a path",
            format!(
                "a path has at most {max_path} bytes, and each folder or file name at most \
                 {max_name}"
            ),
        ),
        FileRefusal::LeavesFolder => (
            "leaves the manifest's folder",
            "a relative `file` must stay in the manifest's folder or below it; move \
             envmint.toml up, or give an absolute path such as \"/etc/myapp/env\""
                .into(),
        ),
        FileRefusal::InsideGit => (
            "is inside .git",
            "name a dotenv file outside the repository's .git folder, e.g. file = \
             \".env.production.local\""
                .into(),
        ),
        FileRefusal::Folder => ("names a folder, not a file", NAME_IT.to_string()),
        FileRefusal::IsManifest => (
            "is the manifest itself",
            "secrets go in their own dotenv file, e.g. file = \".env.production.local\"".into(),
        ),
    };
    (format!("`{field} = \"{file}\"` {what}"), Some(hint))
}

/// What a refused sealed environment's field says.
pub(super) fn sealing(problem: &SealingProblem) -> (String, Option<String>) {
    const RECIPIENT: &str =
        "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line";
    const EXAMPLE: &str = "e.g. recipients = [\"age1...\"] (`envmint keygen -y KEY` prints one)";
    match problem {
        SealingProblem::NoRecipients { environment } => (
            format!("sealed environment `{environment}` has no recipients"),
            Some(
                "add recipients = [\"age1...\"] (see `envmint keygen`) or recipients_file = \
                 \"keys/NAME.txt\""
                    .into(),
            ),
        ),
        SealingProblem::BadRecipient { why } => {
            (format!("bad recipient: {why}"), Some(RECIPIENT.into()))
        }
        SealingProblem::RecipientsNotAList { found } => (
            format!(
                "`recipients` must be a list of public keys, not {}",
                value_words(*found)
            ),
            Some(if *found == ValueType::Text {
                "put it in brackets: recipients = [\"age1...\"]".into()
            } else {
                EXAMPLE.into()
            }),
        ),
        SealingProblem::RecipientNotText => (
            "each entry of `recipients` must be a public key in quotes".into(),
            Some(EXAMPLE.into()),
        ),
        SealingProblem::ArmorNotBoolean { found } => (
            format!("`armor` must be true or false, not {}", value_words(*found)),
            Some("e.g. armor = true, without quotes".into()),
        ),
        SealingProblem::WithoutSealed { field, environment } => (
            format!("`{field}` without `sealed` in [environments.{environment}]"),
            Some(format!(
                "name the sealed file, e.g. sealed = \".env.{environment}.age\", or remove \
                 `{field}`"
            )),
        ),
        SealingProblem::SameFile { environment } => (
            format!("`sealed` and `file` of [environments.{environment}] are the same file"),
            Some(format!(
                "`file` is where `envmint unseal {environment}` writes the plaintext; use another \
                 name, e.g. sealed = \".env.{environment}.age\""
            )),
        ),
    }
}

/// What a refused `environments = [...]` of a secret says.
pub(super) fn env_list(list: &EnvList) -> (String, Option<String>) {
    const EXAMPLE: &str = "e.g. environments = [\"production\"]";
    match list {
        EnvList::SingleName(name) => (
            "`environments` must be a list of names".into(),
            Some(format!(
                "put the name in brackets: environments = [\"{name}\"]"
            )),
        ),
        EnvList::NotAList(found) => (
            format!(
                "`environments` must be a list of names, not {}",
                value_words(*found)
            ),
            Some(EXAMPLE.into()),
        ),
        EnvList::Empty => (
            "`environments` is empty".into(),
            Some("leave it out to mean every environment".into()),
        ),
        EnvList::EntryNotText => (
            "each entry of `environments` must be a name in quotes".into(),
            Some(EXAMPLE.into()),
        ),
        EnvList::Undeclared {
            key,
            name,
            did_you_mean,
            declared,
            valid_name,
        } => (
            format!("{key} names undeclared environment `{name}`"),
            Some(match did_you_mean {
                Some(close) => format!("did you mean `{close}`?"),
                None if *valid_name => format!(
                    "declared: {}; or declare it with [environments.{name}]",
                    declared.join(", ")
                ),
                None => format!("declared: {}; {}", declared.join(", "), ENV_NAME_RULE),
            }),
        ),
    }
}

/// What a refused `mode` says.
pub(super) fn mode(bad: &BadMode) -> (String, Option<String>) {
    const HINT: &str = "use \"0600\" (the default: owner only), \"0640\" (the group may read), \
                        \"0400\" or \"0440\" (read-only)";
    match bad {
        BadMode::Number(n) => (
            format!("`mode` must be octal digits in quotes, not the number {n}"),
            Some("write it in quotes, e.g. mode = \"0640\"".into()),
        ),
        BadMode::WrongType(found) => (
            format!(
                "`mode` must be octal digits in quotes, not {}",
                value_words(*found)
            ),
            Some("e.g. mode = \"0640\"".into()),
        ),
        BadMode::NotOctal(raw) => (
            format!("`mode = \"{raw}\"` is not an octal file mode"),
            Some("three or four octal digits, e.g. mode = \"0640\"".into()),
        ),
        BadMode::Refused(raw, why) => {
            let why = match why {
                ModeRefusal::SpecialBits => "sets special bits (setuid, setgid or sticky)",
                ModeRefusal::OthersReach => "lets other users reach the file",
                ModeRefusal::OwnerCannotRead => "does not let the owner read the file",
                ModeRefusal::WiderThan0640 => {
                    "is wider than 0640 (only the owner may write, the group may at most read)"
                }
            };
            (format!("`mode = \"{raw}\"` {why}"), Some(HINT.into()))
        }
    }
}

/// What a TOML value is, in words.
pub(super) fn value_words(found: ValueType) -> &'static str {
    match found {
        ValueType::Text => "text",
        ValueType::Number => "a number",
        ValueType::Decimal => "a decimal number",
        ValueType::Boolean => "true or false",
        ValueType::Date => "a date",
        ValueType::List => "a list",
        ValueType::Table => "a table",
    }
}

/// Writes a refused size in the words of [`crate::advice`], for a flag or a manifest field.
pub(super) fn size(problem: &SizeProblem, key: Option<&str>, syntax: SizeSyntax) -> advice::Advice {
    match problem {
        SizeProblem::Spec(e) => advice::spec(e, syntax),
        SizeProblem::Weak(spec) => advice::weak(spec, key, syntax),
    }
}

/// What a refused `external`, `overlap` or `previous` of a secret says.
pub(super) fn hooks(problem: &envmint::manifest::HookProblem) -> (String, Option<String>) {
    use envmint::manifest::HookProblem as H;
    match problem {
        H::WrongRole { key, hook, needs } => (
            format!("`{hook}` of {key} runs only for a secret with role = \"{needs}\""),
            Some(if *needs == "credential" {
                format!(
                    "declare role = \"credential\" for {key} (a value presented to a service), \
                     or remove `{hook}`"
                )
            } else {
                format!("declare role = \"encryption\" for {key}, or remove `{hook}`")
            }),
        ),
        H::External { key } => (
            format!("hooks on the external secret {key}: envmint never makes its value"),
            Some(format!(
                "remove the hooks, or remove `external = true` to have envmint generate {key}"
            )),
        ),
        H::WithoutSet { key, hook } => (
            format!("`{hook}` of {key} without a `set` hook: nothing would change the service"),
            Some("add set = '...' to [secrets.KEY.hooks], the command that changes it".into()),
        ),
        H::Nul { hook } => (
            format!("the `{hook}` hook has a NUL character"),
            Some("remove it; a command line cannot hold one".into()),
        ),
        H::Timeout => (
            "`hook_timeout` must be more than 0 and at most 1 day".into(),
            Some("e.g. hook_timeout = \"60s\"".into()),
        ),
        H::AlternateForm => (
            "`alternate` must be { user = \"VAR\", names = [\"USER1\", \"USER2\"] }".into(),
            Some(
                "e.g. alternate = { user = \"DB_USER\", names = [\"app_blue\", \"app_green\"] }"
                    .into(),
            ),
        ),
        H::AlternateUser { key, user } => (
            format!(
                "`alternate` of {key}: `{user}` cannot hold the user name (not a variable name, \
                 the key itself, or a declared secret)"
            ),
            Some("name the variable the app reads its user name from, e.g. user = \"DB_USER\"".into()),
        ),
        H::AlternateNames => (
            "`names` of `alternate` must be two different user names".into(),
            Some(
                "letters, digits, `_`, `.`, `@` and `-`, e.g. names = [\"app_blue\", \"app_green\"]"
                    .into(),
            ),
        ),
        H::PendingCollision { key, name } => (
            format!("{name}, where {key} keeps its pending value, is already declared"),
            Some(format!("rename the other secret or previous variable; {name} is reserved")),
        ),
    }
}
