//! The advice for a manifest error: the environment-name rule, the size advice, a sealed
//! environment's fields, a setting to copy. What is wrong, after `FILE:LINE:`, is the
//! library's words ([`ManifestError`]'s `Display`).

use super::rotation::rotation_hint;
use crate::advice;
use envmint::error::{BadMode, EnvList, FileRefusal, SealingProblem, UnknownEnvironment};
use envmint::error::{Expected, ManifestError, ManifestProblem, NameOf, ValueType};

/// What an environment name may be, for hints.
pub(super) const ENV_NAME_RULE: &str =
    "environment names are letters, digits, `-` and `_` (at most 64), e.g. production";

/// The advice for a [`ManifestError`], when a fix is known.
pub(super) fn hint(e: &ManifestError) -> Option<String> {
    use ManifestProblem as P;
    Some(match &e.problem {
        P::NotFound => "check --manifest, or run `envmint init` to create one".into(),
        P::DanglingSymlink { .. } => "fix or remove the symlink; envmint does not fall back to \
                                      the built-in preset while an envmint.toml exists"
            .into(),
        P::RemovedWhileRead => "it was removed while envmint read it; run again".into(),
        P::Untrusted { found, .. } => format!(
            "if you trust it, name it: envmint --manifest {} ...",
            found.display()
        ),
        P::InsideGit { .. } => "name a dotenv file outside the repository's .git folder, e.g. \
                                file = \".env.production.local\""
            .into(),
        P::Outside { target, .. } => format!(
            "if you chose this path, allow it: envmint --allow-outside ..., or add {} to \
             ~/.config/envmint/allow-outside (one folder per line)",
            target.parent().unwrap_or(target).display()
        ),
        P::NotUtf8 => "save it as UTF-8".into(),
        // `mode = 0640`, the way modes are written everywhere else.
        P::Syntax { message } if message.contains("leading zero") => {
            "a mode goes in quotes, e.g. mode = \"0640\"; other numbers have no leading zero".into()
        }
        P::Syntax { .. } => "tables look like [secrets.API_KEY], fields like kind = \"hex\" or \
                             bytes = 32 (text in quotes, numbers without)"
            .into(),
        P::DuplicateKey { .. } => {
            "each table and each field may appear only once; merge the two".into()
        }
        P::NoEnvironments => "add one, e.g. [environments.production]".into(),
        P::UnknownField(unknown) => match unknown.did_you_mean {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("{} takes: {}", unknown.table, unknown.fields.join(", ")),
        },
        P::Size(refused) => advice::field_hint(&refused.problem).unwrap_or_else(|| {
            format!(
                "leave the size out for the default, {} = {} (256 bits)",
                refused.native.name(),
                refused.default
            )
        }),
        P::WrongType {
            expected: Expected::Table,
            example,
            ..
        } => format!("write it as {example}"),
        P::WrongType {
            expected: Expected::WholeNumber,
            found: ValueType::Text,
            example,
            ..
        } => format!("write it without quotes, e.g. {example}"),
        P::WrongType { example, .. }
        | P::Negative { example, .. }
        | P::NotWhole { example, .. } => format!("e.g. {example}"),
        P::BadName {
            of: NameOf::Environment,
            ..
        } => ENV_NAME_RULE.to_string(),
        P::BadName {
            of: NameOf::Key,
            too_long: Some(_),
            ..
        } => "use a shorter name; environment variable names are rarely over 50".into(),
        P::BadName { .. } => {
            "key names are letters, digits and `_`, not starting with a digit".into()
        }
        P::BadMode(bad) => mode_hint(bad),
        P::KindAndAlphabet => "`alphabet = \"...\"` is a kind of its own".into(),
        P::BadAlphabet(_) => "give at least 2 distinct printable ASCII characters".into(),
        P::UnsafeAlphabet(_) => {
            "leave out \\ ' whitespace and control characters, and $ or {".into()
        }
        P::BadFormat { .. } => {
            "put {value} once where the value goes, e.g. format = \"base64:{value}\"".into()
        }
        P::UnsafeFormat(_) => "leave out \\ ' whitespace and control characters".into(),
        P::SeveralSizes { kind, native } => format!("{kind} takes `{}` or `bits`", native.name()),
        P::SecretEnvironments(list) => env_list_hint(list),
        P::BadFile { why, .. } => bad_file_hint(*why),
        P::Sealing(problem) => sealing_hint(problem),
        P::Rotation(problem) => return rotation_hint(problem),
        P::Hooks(problem) => return hooks_hint(problem),
        P::UnknownKind { did_you_mean, .. } => match did_you_mean {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "use one of: {}, or `alphabet = \"...\"`",
                envmint::generate::Kind::NAMES.join(", ")
            ),
        },
        P::UnknownTable {
            name,
            did_you_mean,
            belongs_under,
            ..
        } => match (did_you_mean, belongs_under) {
            (Some(close), _) => format!("did you mean [{close}]?"),
            (None, Some(table)) => format!("put `{name}` under {table}"),
            (None, None) => {
                "a manifest has [defaults], [environments.NAME] and [secrets.KEY] tables".into()
            }
        },
        // The duration parser's hint is the time module's words (src/time.rs).
        P::BadPeriod { error, .. } => error.hint().to_string(),
        _ => return None,
    })
}

/// The advice for an environment name the manifest does not declare.
pub(super) fn unknown_environment_hint(u: &UnknownEnvironment) -> String {
    let name = &u.name;
    match (&u.did_you_mean, &u.declared_in) {
        _ if u.is_secret => format!(
            "`{name}` is a secret, not an environment: name the environment first (and, to pick \
             one secret, --key {name})"
        ),
        (Some(close), _) => format!("did you mean `{close}`?"),
        (None, _) if !u.valid_name => ENV_NAME_RULE.to_string(),
        (None, Some(_)) => format!("declare it with [environments.{name}]"),
        (None, None) => {
            format!("run `envmint init` and add [environments.{name}] to envmint.toml")
        }
    }
}

/// The advice for a refused `file = "..."` of an environment.
fn bad_file_hint(why: FileRefusal) -> String {
    const NAME_IT: &str = "name the dotenv file, e.g. file = \".env.production.local\"";
    match why {
        FileRefusal::Nul => {
            "no file name can contain one; name the dotenv file, e.g. file = \".env\"".into()
        }
        FileRefusal::TooLong { max_path, max_name } => format!(
            "a path has at most {max_path} bytes, and each folder or file name at most \
             {max_name}"
        ),
        FileRefusal::LeavesFolder => "a relative `file` must stay in the manifest's folder or \
                                      below it; move envmint.toml up, or give an absolute path \
                                      such as \"/etc/myapp/env\""
            .into(),
        FileRefusal::InsideGit => "name a dotenv file outside the repository's .git folder, \
                                   e.g. file = \".env.production.local\""
            .into(),
        FileRefusal::IsManifest => {
            "secrets go in their own dotenv file, e.g. file = \".env.production.local\"".into()
        }
        // Empty, Control, Folder, and refusals added later.
        _ => NAME_IT.into(),
    }
}

/// The advice for a refused sealed environment's field.
fn sealing_hint(problem: &SealingProblem) -> String {
    const RECIPIENT: &str =
        "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line";
    const EXAMPLE: &str = "e.g. recipients = [\"age1...\"] (`envmint keygen -y KEY` prints one)";
    match problem {
        SealingProblem::NoRecipients { .. } => "add recipients = [\"age1...\"] (see `envmint \
                                                keygen`) or recipients_file = \"keys/NAME.txt\""
            .into(),
        SealingProblem::BadRecipient { .. } => RECIPIENT.into(),
        SealingProblem::RecipientsNotAList {
            found: ValueType::Text,
        } => "put it in brackets: recipients = [\"age1...\"]".into(),
        SealingProblem::ArmorNotBoolean { .. } => "e.g. armor = true, without quotes".into(),
        SealingProblem::WithoutSealed { field, environment } => format!(
            "name the sealed file, e.g. sealed = \".env.{environment}.age\", or remove `{field}`"
        ),
        SealingProblem::SameFile { environment } => format!(
            "`file` is where `envmint unseal {environment}` writes the plaintext; use another \
             name, e.g. sealed = \".env.{environment}.age\""
        ),
        // RecipientsNotAList of another type, RecipientNotText, and problems added later.
        _ => EXAMPLE.into(),
    }
}

/// The advice for a refused `environments = [...]` of a secret.
fn env_list_hint(list: &EnvList) -> String {
    const EXAMPLE: &str = "e.g. environments = [\"production\"]";
    match list {
        EnvList::SingleName(name) => {
            format!("put the name in brackets: environments = [\"{name}\"]")
        }
        EnvList::Empty => "leave it out to mean every environment".into(),
        EnvList::Undeclared {
            name,
            did_you_mean,
            declared,
            valid_name,
            ..
        } => match did_you_mean {
            Some(close) => format!("did you mean `{close}`?"),
            None if *valid_name => format!(
                "declared: {}; or declare it with [environments.{name}]",
                declared.join(", ")
            ),
            None => format!("declared: {}; {}", declared.join(", "), ENV_NAME_RULE),
        },
        // NotAList, EntryNotText, and problems added later.
        _ => EXAMPLE.into(),
    }
}

/// The advice for a refused `mode`.
fn mode_hint(bad: &BadMode) -> String {
    match bad {
        BadMode::Number(_) => "write it in quotes, e.g. mode = \"0640\"".into(),
        BadMode::WrongType(_) => "e.g. mode = \"0640\"".into(),
        BadMode::NotOctal(_) => "three or four octal digits, e.g. mode = \"0640\"".into(),
        // Refused, and refusals added later.
        _ => "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" \
              or \"0440\" (read-only)"
            .into(),
    }
}

/// The advice for a manifest's refused hooks.
fn hooks_hint(problem: &envmint::manifest::HookProblem) -> Option<String> {
    use envmint::manifest::HookProblem as H;
    Some(match problem {
        H::WrongRole { key, hook, needs } if *needs == "credential" => format!(
            "declare role = \"credential\" for {key} (a value presented to a service), or \
             remove `{hook}`"
        ),
        H::WrongRole { key, hook, .. } => {
            format!("declare role = \"encryption\" for {key}, or remove `{hook}`")
        }
        H::External { key } => {
            format!("remove the hooks, or remove `external = true` to have envmint generate {key}")
        }
        H::WithoutSet { .. } => {
            "add set = '...' to [secrets.KEY.hooks], the command that changes it".into()
        }
        H::Nul { .. } => "remove it; a command line cannot hold one".into(),
        H::Timeout => "e.g. hook_timeout = \"60s\"".into(),
        H::AlternateForm => {
            "e.g. alternate = { user = \"DB_USER\", names = [\"app_blue\", \"app_green\"] }".into()
        }
        H::AlternateUser { .. } => {
            "name the variable the app reads its user name from, e.g. user = \"DB_USER\"".into()
        }
        H::AlternateNames => "letters, digits, `_`, `.`, `@` and `-`, e.g. names = \
                              [\"app_blue\", \"app_green\"]"
            .into(),
        H::PendingCollision { name, .. } => {
            format!("rename the other secret or previous variable; {name} is reserved")
        }
        _ => return None,
    })
}
