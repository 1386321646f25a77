//! The sentences users read when something fails: `error: ...` and the `hint: ...` line.
//!
//! This is the one place they are written. The library returns typed errors (what went wrong,
//! with the paths, sizes and uids needed to say it); this file turns each into words and adds
//! the advice, as rage's binary does for its library's errors. Variants that still carry a
//! message written elsewhere (`Usage`, `Data`, `MissingInput`, `CantCreate`: the binary's own
//! and the manifest's unknown environment) are printed as they come.

pub mod dotenv;
pub mod rotation;

use crate::advice::{self, SizeSyntax};
use envmint::Error;
use envmint::dotenv::EditError;
use envmint::error::{BadMode, EnvList, FileRefusal, SealingProblem, UnknownEnvironment};
use envmint::error::{
    Direction, DotenvError, DotenvProblem, Expected, FileError, FileKind, FileProblem, Location,
    ManifestError, ManifestProblem, ModeRefusal, NameOf, Op, SizeProblem, ValueType,
};
use envmint::seal::SealError;
use std::io;
use std::path::Path;

/// What the user reads for one error: the `error:` line and, when a fix is known, the
/// `hint:` line (both without their prefixes).
#[derive(Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The `error: ...` line.
    pub message: String,
    /// The `hint: ...` line.
    pub hint: Option<String>,
}

/// Writes `err` in words.
pub fn render(err: &Error) -> Rendered {
    let (message, hint) = match err {
        Error::Usage { message, hint } => (message.clone(), hint.clone()),
        Error::Data {
            location,
            message,
            hint,
        } => (format!("{location}: {message}"), hint.clone()),
        Error::MissingInput { path, what, hint } => (
            format!("{}: {what} not found", path.display()),
            hint.clone(),
        ),
        Error::CantCreate { path, reason, hint } | Error::Refused { path, reason, hint } => {
            (format!("{}: {reason}", path.display()), hint.clone())
        }
        Error::Seal(e) => seal(e),
        Error::Entropy { reason } => (
            format!("cannot seed the random generator from the OS: {reason}"),
            None,
        ),
        Error::File(e) => return file(e),
        Error::Dotenv(e) => return dotenv(e),
        Error::Manifest(e) => return manifest(e),
        Error::UnknownEnvironment(u) => unknown_environment(u),
        Error::Size(problem) => {
            let said = size(problem, None, SizeSyntax::Flag);
            (said.message, said.hint)
        }
    };
    Rendered { message, hint }
}

/// A hint that names `path` for a refused permission.
fn check_owner(path: &Path) -> Option<String> {
    Some(format!(
        "check the owner and mode of {} (ls -l)",
        path.display()
    ))
}

/// What an environment name may be, for hints.
const ENV_NAME_RULE: &str =
    "environment names are letters, digits, `-` and `_` (at most 64), e.g. production";

/// The advice for a manifest that is not a regular file.
const MANIFEST_NOT_A_FILE: &str = "the manifest must be a regular file; remove or rename this \
                                   one, or pass --manifest FILE";

/// Writes a [`FileError`] in words.
fn file(e: &FileError) -> Rendered {
    let path = e.path.display();
    let manifest = e.op == Op::ReadManifest;
    let (message, hint) = match &e.problem {
        FileProblem::Os(source) => return os(e, source),
        FileProblem::NotRegular { kind } => {
            let message = match (e.op, kind) {
                (Op::Read | Op::ReadManifest, kind) => format!(
                    "{path}: not a regular file ({}); envmint reads only regular files",
                    kind_words(kind.unwrap_or(FileKind::Other))
                ),
                _ => format!("{path}: not a regular file; envmint replaces only regular files"),
            };
            (message, manifest.then(|| MANIFEST_NOT_A_FILE.to_string()))
        }
        FileProblem::TooLarge { size, limit } if e.op == Op::Write => (
            format!(
                "{path}: the new file would be {size} bytes, over envmint's limit of {limit} \
                 bytes (no envmint command could read it back); nothing was written"
            ),
            Some(
                "remove keys or comments it does not need, or split the environment into \
                 several files"
                    .to_string(),
            ),
        ),
        FileProblem::TooLarge { size, limit } => (
            format!("{path}: the file is {size} bytes, over envmint's limit of {limit} bytes"),
            manifest.then(manifest_too_large),
        ),
        FileProblem::GrewPastLimit { limit } => (
            format!(
                "{path}: the file grew past envmint's limit of {limit} bytes while it was read"
            ),
            manifest.then(manifest_too_large),
        ),
        FileProblem::UntrustedSymlink { owner, euid } => (
            format!(
                "{path}: cannot follow the symlink: it is owned by uid {owner}, neither you \
                 (uid {euid}) nor root; envmint follows only links you or root own (the \
                 kernel's protected_symlinks rule)"
            ),
            check_owner(&e.path),
        ),
        FileProblem::SymlinkNotAFile { points_at } => (
            format!(
                "{path}: the symlink points at {}, not at a file",
                points_at.display()
            ),
            manifest.then(|| MANIFEST_NOT_A_FILE.to_string()),
        ),
        FileProblem::SymlinkLoop if manifest => (
            format!("{path}: a symlink loop (or a chain of more than 40 symlinks), not a file"),
            Some(MANIFEST_NOT_A_FILE.to_string()),
        ),
        FileProblem::SymlinkLoop => (
            format!("{path}: too many levels of symbolic links (is there a loop?)"),
            None,
        ),
        FileProblem::NotAFileName => (
            format!("{path}: not a file name"),
            manifest.then(|| MANIFEST_NOT_A_FILE.to_string()),
        ),
        FileProblem::SymlinkKeepsChanging => (
            format!("{path}: a symlink keeps changing while envmint waits to lock it"),
            None,
        ),
        FileProblem::FolderNotWritable { name, source } => (
            format!("{path}: cannot write {name} in this folder: it is not writable ({source})"),
            Some(
                "the folder must be writable: envmint writes a temporary file beside the file \
                 and renames it over the old one"
                    .to_string(),
            ),
        ),
        // Any user who can read the folder can hold its lock, so "another envmint process"
        // would be a guess.
        FileProblem::Busy { waited } => (
            format!(
                "another process holds the lock on {path} (waited {:.1}s)",
                waited.as_secs_f64()
            ),
            Some(
                "envmint locks the folder of the files it writes; try again when that process \
                 has finished (ENVMINT_LOCK_TIMEOUT sets how long to wait, in seconds)"
                    .to_string(),
            ),
        ),
        FileProblem::NothingRequested => (format!("{path}: nothing to lock"), None),
        FileProblem::Outside { target, folder } => (
            format!(
                "{path} leads to {} through a symlink, outside {}; refused: a symlink in the \
                 repository does not choose where envmint writes secrets",
                target.display(),
                folder.display()
            ),
            Some(format!(
                "if you chose {}, name it as it is, or allow it: envmint --allow-outside ..., or \
                 add {} to ~/.config/envmint/allow-outside (one folder per line)",
                target.display(),
                target.parent().unwrap_or(target).display()
            )),
        ),
        FileProblem::InsideGit { target } => (
            format!(
                "{path} leads into git's folder ({}) through a symlink; refused: envmint never \
                 writes secrets into .git",
                target.display()
            ),
            Some("name a file outside .git".to_string()),
        ),
        FileProblem::TrackedThroughLink { target } => (
            format!(
                "{path} leads through a symlink to {}, which git tracks; refused: the secrets \
                 written there would go into the next commit",
                target.display()
            ),
            Some(format!(
                "replace the link with a file of its own (rm {path}; git rm --cached it if it \
                 is committed), or point the manifest elsewhere; to write into {} anyway, name \
                 it itself (-o {}, where the command has -o)",
                target.display(),
                target.display()
            )),
        ),
    };
    Rendered { message, hint }
}

fn manifest_too_large() -> String {
    "a manifest is a few kilobytes; check that this is the right file (the limit is 1 MiB)"
        .to_string()
}

/// Writes an operating-system error met during `e.op`.
fn os(e: &FileError, source: &io::Error) -> Rendered {
    let path = e.path.display();
    let kind = source.kind();
    let refused = kind == io::ErrorKind::PermissionDenied;
    let (message, hint) = match e.op.direction() {
        Direction::Input if kind == io::ErrorKind::NotFound => {
            (format!("{path}: file not found"), None)
        }
        Direction::Output | Direction::Ownership if kind == io::ErrorKind::NotFound => (
            format!(
                "{path}: cannot {}: the directory does not exist ({source})",
                verb(e.op)
            ),
            None,
        ),
        Direction::Ownership if refused => (
            format!("{path}: cannot keep its owner and group: {source}"),
            check_owner(&e.path),
        ),
        Direction::Input if refused => (
            format!("{path}: cannot {}: {source}", verb(e.op)),
            check_owner(&e.path),
        ),
        _ => (format!("{path}: cannot {}: {source}", verb(e.op)), None),
    };
    Rendered { message, hint }
}

/// The verb of "cannot ...".
fn verb(op: Op) -> &'static str {
    match op {
        Op::Read | Op::ReadManifest => "read",
        Op::Inspect => "inspect",
        Op::OpenFolder | Op::Lock => "lock",
        Op::Create => "create",
        Op::Write | Op::WriteStdout => "write",
        Op::Sync => "sync",
        Op::SyncFolder => "sync the folder",
        Op::Replace => "replace",
        Op::SetMode => "set the mode of",
        Op::KeepOwner => "keep the owner of",
        Op::ListXattrs => "list the extended attributes of",
        Op::ReadXattrs => "read the extended attributes of",
        Op::KeepXattrs => "keep the extended attributes (ACLs included) of",
        Op::FollowSymlink => "follow the symlink",
        Op::Remove => "remove",
    }
}

/// Writes a [`ManifestError`] in words, after `FILE:LINE:` (or `FILE:`).
fn manifest(e: &ManifestError) -> Rendered {
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
fn unknown_environment(u: &UnknownEnvironment) -> (String, Option<String>) {
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
fn bad_file(field: &str, file: &str, why: FileRefusal) -> (String, Option<String>) {
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
fn sealing(problem: &SealingProblem) -> (String, Option<String>) {
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
fn env_list(list: &EnvList) -> (String, Option<String>) {
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
fn mode(bad: &BadMode) -> (String, Option<String>) {
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
fn value_words(found: ValueType) -> &'static str {
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
fn size(problem: &SizeProblem, key: Option<&str>, syntax: SizeSyntax) -> advice::Advice {
    match problem {
        SizeProblem::Spec(e) => advice::spec(e, syntax),
        SizeProblem::Weak(spec) => advice::weak(spec, key, syntax),
    }
}

/// Writes a [`DotenvError`] in words, after `FILE:LINE:`.
fn dotenv(e: &DotenvError) -> Rendered {
    let location = Location::new(&e.path, e.line());
    let (what, hint) = match &e.problem {
        DotenvProblem::NotUtf8 { .. } => (
            "the file is not valid UTF-8".to_string(),
            "envmint edits UTF-8 dotenv files only; convert it with iconv first".to_string(),
        ),
        DotenvProblem::NotADotenvFile { environment, .. } => (
            "not a dotenv file: no line reads KEY=value, so envmint will not write to it"
                .to_string(),
            format!(
                "check `file` of [environments.{environment}] in the manifest; envmint only \
                 adds to dotenv files (an empty file is fine)"
            ),
        ),
        DotenvProblem::Edit(err) => (edit(err), edit_hint(err)),
        DotenvProblem::IsTheManifest { environment } => (
            format!(
                "the file of [environments.{environment}] is the manifest itself, under another name"
            ),
            "secrets go in their own dotenv file; remove the link or change `file` in the \
             manifest"
                .to_string(),
        ),
    };
    Rendered {
        message: format!("{location}: {what}"),
        hint: Some(hint),
    }
}

/// What a refused edit says. It names keys and lines, never a value; the line itself is in
/// the `FILE:LINE:` before it.
pub fn edit(err: &EditError) -> String {
    match err {
        EditError::InvalidKey { key } if showable(key) => format!(
            "`{key}` is not a valid key: use ASCII letters, digits and `_`, not starting with a \
             digit"
        ),
        EditError::InvalidKey { key } => format!(
            "a {}-byte key is not valid (not shown: it contains `=`, whitespace or control \
             characters, or is long): use ASCII letters, digits and `_`, not starting with a \
             digit",
            key.len()
        ),
        EditError::UnsafeValue { key, char } => format!(
            "the value for `{key}` contains {char}, which envmint does not write into dotenv \
             files"
        ),
        EditError::KeyOnUnparsableLine { key, .. } => {
            format!("`{key}` is on a line envmint cannot read; fix or remove that line first")
        }
        EditError::UnterminatedQuote { .. } => "a quote opened on this line is never closed; \
                                                envmint will not write after it, since a later \
                                                quote would swallow the new line"
            .to_string(),
        EditError::KeyMissing { key } => format!("`{key}` is not defined"),
        EditError::InvalidRecord { key } => format!(
            "the `# envmint:` record for `{key}` holds a line break or control character; a \
             record is one comment line"
        ),
        EditError::KeyExists { key, line } => format!("`{key}` already exists (line {line})"),
    }
}

/// The advice for a refused edit.
fn edit_hint(err: &EditError) -> String {
    match err {
        EditError::UnterminatedQuote { line } => format!(
            "close the quote that opens on line {line}; a line appended after it could be read \
             as part of its value"
        ),
        EditError::KeyOnUnparsableLine { line, .. } => {
            format!("fix line {line} so that it reads KEY=value, then run again")
        }
        _ => "the file was left untouched".to_string(),
    }
}

/// Whether a refused key can be shown: one with `=`, whitespace or control characters may be a
/// whole `KEY=secret` pasted where a name was expected.
fn showable(key: &str) -> bool {
    key.len() <= 64
        && !key
            .chars()
            .any(|c| c == '=' || c.is_whitespace() || c.is_control())
}

/// How a non-regular file is named.
fn kind_words(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Directory => "a directory",
        FileKind::Fifo => "a FIFO",
        FileKind::Device => "a device",
        FileKind::Socket => "a socket",
        FileKind::Other => "not a regular file",
    }
}

/// The seal area's words: refusals to decrypt name the keys tried and the file's stanza types,
/// never a secret key.
fn seal(e: &SealError) -> (String, Option<String>) {
    use envmint::seal::MAX_SCRYPT_WORK_FACTOR;
    match e {
        SealError::NoIdentity { name, searched } => (
            match name {
                Some(name) => format!("{name}: no identity to decrypt it with"),
                None => "no identity to decrypt with".into(),
            },
            Some(if searched.iter().any(|s| s == "-i") {
                format!(
                    "pass -i FILE, or set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the \
                     key); looked in: {}",
                    searched.join(", ")
                )
            } else {
                format!(
                    "set ENVMINT_IDENTITY (a path) or ENVMINT_AGE_KEY (the key); looked in: {}",
                    searched.join(", ")
                )
            }),
        ),
        SealError::NoMatch {
            name,
            stanzas,
            tried,
        } => (
            format!("{name}: no identity matches any recipient of the file"),
            Some(format!(
                "the file is sealed to {} recipient(s) of type {}; tried {}",
                stanzas.len().max(1),
                if stanzas.is_empty() {
                    "unknown".to_string()
                } else {
                    once_each(stanzas).join(", ")
                },
                if tried.is_empty() {
                    "no identity".to_string()
                } else {
                    tried.join(", ")
                }
            )),
        ),
        SealError::WrongPassphrase { name } => (
            format!("{name}: wrong passphrase"),
            Some("check the passphrase (ENVMINT_PASSPHRASE when there is no terminal)".into()),
        ),
        SealError::Plugin {
            name,
            message,
            unanswered,
        } => (
            format!("{name}: {message}"),
            Some(if *unanswered {
                "run envmint on a terminal: a plugin's question needs a person".into()
            } else {
                "see the plugin's documentation; envmint passes its words on as they are".into()
            }),
        ),
        SealError::NoPassphrase { name } => (
            format!("{name}: a passphrase is needed and there is no terminal to ask on"),
            Some(
                "run it on a terminal to be asked, or set ENVMINT_PASSPHRASE (never an argument)"
                    .into(),
            ),
        ),
        SealError::ExcessiveWork { name } => (
            format!(
                "{name}: the passphrase's scrypt work factor is above {MAX_SCRYPT_WORK_FACTOR}; \
                 refused rather than computed"
            ),
            Some(format!(
                "envmint accepts scrypt work factors up to {MAX_SCRYPT_WORK_FACTOR}; \
                 re-encrypt the file with a lower one (age uses 18)"
            )),
        ),
        SealError::Malformed { name, what } => (
            format!("{name}: {what}"),
            Some("the file is not a complete age file; restore it from a copy".into()),
        ),
        SealError::TooLarge { name, limit } => (
            format!(
                "{name}: larger than {} MiB, the limit for decrypting into memory",
                limit / (1024 * 1024)
            ),
            Some("decrypt it to a file with -o".into()),
        ),
        SealError::BadKey { location, message } => (format!("{location}: {message}"), None),
        SealError::StoreGone {
            name,
            plain,
            recipients,
        } => (
            format!(
                "{name} does not exist, but {plain} was unsealed from a sealed store: a new store \
                 would be sealed to the manifest's {} ({}), whoever the list names now; refused",
                if recipients.len() == 1 {
                    "1 recipient".to_string()
                } else {
                    format!("{} recipients", recipients.len())
                },
                short_keys(recipients)
            ),
            Some(
                "restore the sealed file if it was renamed or deleted (a pull request?: git log \
                 --stat -- '*.age'); to start a new store from the plaintext, check the \
                 recipients and run `envmint rekey ENV`, which shows them and asks first"
                    .into(),
            ),
        ),
        SealError::RecipientsChanged {
            name,
            added,
            removed,
        } => {
            let mut what = Vec::new();
            if !added.is_empty() {
                what.push(format!("adds {}", short_keys(added)));
            }
            if !removed.is_empty() {
                what.push(format!("removes {}", short_keys(removed)));
            }
            (
                format!(
                    "{name}: the manifest's recipients differ from those pinned in the store: \
                     it {}; refused",
                    what.join(" and ")
                ),
                Some(
                    "a changed recipients list (a pull request?) is applied only by `envmint \
                     rekey ENV`, which shows the change and asks first; or restore the list"
                        .into(),
                ),
            )
        }
        SealError::UnpinnedChanged { name, stanzas, now } => (
            format!(
                "{name}: the store has no recipient pin yet, and it is sealed to {} \
                 recipient(s) ({}) where the manifest lists {} ({}); refused",
                stanzas.len(),
                once_each(stanzas).join(", "),
                now.len(),
                short_keys(now)
            ),
            Some(
                "`envmint rekey ENV` shows the manifest's recipients and pins them once you \
                 confirm"
                    .into(),
            ),
        ),
        SealError::LocksOut { name, identities } => (
            format!(
                "{name}: none of the new recipients is an identity that opened the store \
                 ({}): this write would lock you out; refused",
                short_keys(identities)
            ),
            Some(
                "add your own recipient to the list, or run `envmint rekey ENV --yes` if \
                 losing access is intended"
                    .into(),
            ),
        ),
        SealError::UntrustedRecipients {
            path,
            owner,
            euid,
            mode,
        } => {
            let path = path.display();
            if owner != euid && *owner != 0 {
                (
                    format!(
                        "{path}: the recipients file is owned by uid {owner}, not by you (uid \
                         {euid}) or root; refused, as whoever can change it chooses who can \
                         read the store"
                    ),
                    Some(format!(
                        "check its recipients, then take it over: cp {path} {path}.new && mv \
                         {path}.new {path}"
                    )),
                )
            } else {
                (
                    format!(
                        "{path}: the recipients file is writable by {} (mode {mode:04o}); \
                         refused, as whoever can change it chooses who can read the store",
                        if mode & 0o002 != 0 {
                            "others"
                        } else {
                            "its group"
                        }
                    ),
                    Some(format!("check its recipients, then: chmod go-w {path}")),
                )
            }
        }
        SealError::BadPin { name, line } => (
            format!(
                "{name}: line {line} of the store's recipient pin (`# envmint: sealed-to`) is \
                 not a recipient"
            ),
            Some("`envmint rekey ENV` writes the pin again from the manifest's recipients".into()),
        ),
    }
}

/// Public keys shortened for a message (`age1zvky…nujwj`, `ssh-ed25519 AAAA…isGN`): enough to
/// tell them apart, not a wall of base64.
pub fn short_keys(keys: &[String]) -> String {
    keys.iter()
        .map(|k| short_key(k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One public key shortened (see [`short_keys`]).
pub fn short_key(key: &str) -> String {
    let (kind, body) = match key.split_once(' ') {
        Some((kind, body)) => (format!("{kind} "), body),
        None => (String::new(), key),
    };
    let chars: Vec<char> = body.chars().filter(|c| c.is_ascii_graphic()).collect();
    if chars.len() <= 20 {
        return format!("{kind}{}", chars.iter().collect::<String>());
    }
    let head: String = chars[..12].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{kind}{head}…{tail}")
}

/// Stanza types listed once each, in order.
fn once_each(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

/// What a refused `external`, `overlap` or `previous` of a secret says.
fn hooks(problem: &envmint::manifest::HookProblem) -> (String, Option<String>) {
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

fn rotation(problem: &envmint::manifest::RotationProblem) -> (String, Option<String>) {
    use envmint::manifest::{Collides, MAX_KEEP, RotationProblem as R};
    const FORMS: &str = "previous = \"KEY_PREVIOUS\", previous = { numbered = \"KEY_{n}\", \
                         keep = 2 }, previous = { list = \"KEY_PREVIOUS\", separator = \",\", \
                         keep = 2 } or previous = { slots = [\"KEY_2\", \"KEY_1\"] }";
    match problem {
        R::ExternalNotBoolean { found } => (
            format!(
                "`external` must be true or false, not {}",
                value_words(*found)
            ),
            Some("e.g. external = true, without quotes".into()),
        ),
        R::ExternalWithShape { key, field } => (
            format!("`{field}` on the external secret {key}: envmint never generates its value"),
            Some(format!(
                "remove `{field}` (its value comes from its provider through `envmint set ENV \
                 {key}`), or remove `external = true` to have envmint generate it"
            )),
        ),
        R::PreviousForm { found } => (
            format!(
                "`previous` must be a name in quotes or a table, not {}",
                value_words(*found)
            ),
            Some(format!("write {FORMS}")),
        ),
        R::PreviousTable { key, both } => (
            if *both {
                format!("`previous` of {key} gives more than one of `numbered`, `list` and `slots`")
            } else {
                format!("`previous` of {key} gives none of `numbered`, `list` and `slots`")
            },
            Some(format!("write {FORMS}")),
        ),
        R::PreviousName { field, name } => (
            format!("`{field}` makes the invalid variable name `{name}`"),
            Some("names are letters, digits and `_`, not starting with a digit".into()),
        ),
        R::Placeholder { pattern, count } => (
            if *count == 0 {
                format!("`numbered = \"{pattern}\"` has no {{n}} for the number")
            } else {
                format!("`numbered = \"{pattern}\"` has {count} {{n}}, not one")
            },
            Some("put {n} once where the number goes, e.g. numbered = \"AUTH_SECRET_{n}\"".into()),
        ),
        R::Keep { keep } => (
            format!("`keep = {keep}` is out of range"),
            Some(format!(
                "keep 1 to {MAX_KEEP} retired values, e.g. keep = 2"
            )),
        ),
        R::SlotsNotAList { found } => (
            format!(
                "`slots` must be a list of names in quotes, not {}",
                value_words(*found)
            ),
            Some("e.g. slots = [\"AUTH_SECRET_2\", \"AUTH_SECRET_1\", \"AUTH_SECRET\"]".into()),
        ),
        R::SlotsWithKeep => (
            "`slots` takes no `keep` or `separator`: each slot holds one retired value".into(),
            Some("list as many names as values to keep, newest first".into()),
        ),
        R::EmptySeparator => (
            "`separator` is empty".into(),
            Some("give the character the app splits on, e.g. separator = \",\"".into()),
        ),
        R::UnsafeSeparator(c) => (
            format!("the separator has {c}, which no quoting makes safe in every dotenv reader"),
            Some("use a punctuation character such as , or ; or |".into()),
        ),
        R::SeparatorInAlphabet {
            key,
            separator,
            found,
            kind,
        } => (
            format!(
                "`separator = \"{separator}\"` of {key}: `{found}` is a character {kind} values \
                 contain, so the list could not be split back"
            ),
            Some(format!(
                "pick a separator {kind} never produces (e.g. , or ; for hex, base64url and \
                 alnum), or another kind for {key}"
            )),
        ),
        R::UnknownRole { role, did_you_mean } => (
            format!("unknown role `{role}`"),
            Some(match did_you_mean {
                Some(close) => format!("did you mean `{close}`?"),
                None => "a role is \"signing\" (the default: session and JWT keys), \
                         \"encryption\" (data at rest) or \"credential\" (a password another \
                         service checks)"
                    .into(),
            }),
        ),
        R::OverlapOnEncryption { key } => (
            format!(
                "`overlap` on the encryption key {key}: its retired keys are kept until \
                 `envmint retire`, never dropped by time"
            ),
            Some(format!(
                "remove `overlap` from [secrets.{key}], or make it role = \"signing\" if \
                 it only signs"
            )),
        ),
        R::Collision { name, key, with } => (
            match with {
                Collides::Declared => {
                    format!("{key}'s previous name `{name}` is also a declared secret")
                }
                Collides::PreviousOf(other) => {
                    format!("{key}'s previous name `{name}` is also {other}'s previous name")
                }
            },
            Some(format!(
                "give {key} its own name, e.g. previous = \"{key}_PREVIOUS\" (one variable \
                 holds one secret's retired values)"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn said(op: Op, problem: FileProblem) -> (String, Option<String>) {
        let r = render(&FileError::new("app/.env", op, problem).into());
        (r.message, r.hint)
    }

    fn os_error(op: Op, kind: io::ErrorKind) -> (String, Option<String>) {
        said(op, FileProblem::Os(io::Error::from(kind)))
    }

    #[test]
    fn os_errors_are_worded_by_direction() {
        use io::ErrorKind as K;
        assert_eq!(
            os_error(Op::Read, K::NotFound),
            ("app/.env: file not found".into(), None)
        );
        let (m, h) = os_error(Op::Read, K::PermissionDenied);
        assert_eq!(m, "app/.env: cannot read: permission denied");
        assert_eq!(h.unwrap(), "check the owner and mode of app/.env (ls -l)");
        let (m, h) = os_error(Op::Create, K::NotFound);
        assert_eq!(
            m,
            "app/.env: cannot create: the directory does not exist (entity not found)"
        );
        assert_eq!(h, None);
        let (m, h) = os_error(Op::KeepOwner, K::PermissionDenied);
        assert_eq!(
            m,
            "app/.env: cannot keep its owner and group: permission denied"
        );
        assert!(h.is_some());
        let (m, _) = os_error(Op::KeepOwner, K::StorageFull);
        assert!(m.starts_with("app/.env: cannot keep the owner of: "), "{m}");
        let (m, h) = os_error(Op::SyncFolder, K::StorageFull);
        assert!(m.starts_with("app/.env: cannot sync the folder: "), "{m}");
        assert_eq!(h, None);
    }

    #[test]
    fn every_file_problem_has_its_sentence() {
        let (m, h) = said(
            Op::Read,
            FileProblem::NotRegular {
                kind: Some(FileKind::Fifo),
            },
        );
        assert_eq!(
            m,
            "app/.env: not a regular file (a FIFO); envmint reads only regular files"
        );
        assert_eq!(h, None);
        let (m, h) = said(
            Op::ReadManifest,
            FileProblem::NotRegular {
                kind: Some(FileKind::Directory),
            },
        );
        assert!(m.contains("(a directory)"), "{m}");
        assert_eq!(h.as_deref(), Some(MANIFEST_NOT_A_FILE));
        let (m, _) = said(Op::Inspect, FileProblem::NotRegular { kind: None });
        assert_eq!(
            m,
            "app/.env: not a regular file; envmint replaces only regular files"
        );
        let (m, h) = said(
            Op::ReadManifest,
            FileProblem::TooLarge {
                size: 2_000_000,
                limit: 1_048_576,
            },
        );
        assert_eq!(
            m,
            "app/.env: the file is 2000000 bytes, over envmint's limit of 1048576 bytes"
        );
        assert!(h.unwrap().contains("1 MiB"));
        let (m, _) = said(Op::Read, FileProblem::GrewPastLimit { limit: 5 });
        assert_eq!(
            m,
            "app/.env: the file grew past envmint's limit of 5 bytes while it was read"
        );
        let (m, h) = said(
            Op::FollowSymlink,
            FileProblem::UntrustedSymlink {
                owner: 65534,
                euid: 1000,
            },
        );
        assert!(m.starts_with("app/.env: cannot follow the symlink: it is owned by uid 65534, neither you (uid 1000) nor root"), "{m}");
        assert!(h.is_some());
        let (m, _) = said(
            Op::Inspect,
            FileProblem::SymlinkNotAFile {
                points_at: "/".into(),
            },
        );
        assert_eq!(m, "app/.env: the symlink points at /, not at a file");
        let (m, h) = said(Op::Inspect, FileProblem::SymlinkLoop);
        assert_eq!(
            m,
            "app/.env: too many levels of symbolic links (is there a loop?)"
        );
        assert_eq!(h, None);
        let (m, h) = said(Op::ReadManifest, FileProblem::SymlinkLoop);
        assert_eq!(
            m,
            "app/.env: a symlink loop (or a chain of more than 40 symlinks), not a file"
        );
        assert_eq!(h.as_deref(), Some(MANIFEST_NOT_A_FILE));
        assert_eq!(
            said(Op::Inspect, FileProblem::NotAFileName).0,
            "app/.env: not a file name"
        );
        assert_eq!(
            said(Op::Lock, FileProblem::SymlinkKeepsChanging).0,
            "app/.env: a symlink keeps changing while envmint waits to lock it"
        );
        let (m, h) = said(
            Op::Create,
            FileProblem::FolderNotWritable {
                name: ".env".into(),
                source: io::Error::from(io::ErrorKind::PermissionDenied),
            },
        );
        assert_eq!(
            m,
            "app/.env: cannot write .env in this folder: it is not writable (permission denied)"
        );
        assert!(h.unwrap().contains("must be writable"));
        let (m, h) = said(
            Op::Lock,
            FileProblem::Busy {
                waited: Duration::from_millis(1300),
            },
        );
        assert_eq!(
            m,
            "another process holds the lock on app/.env (waited 1.3s)"
        );
        assert!(h.unwrap().contains("ENVMINT_LOCK_TIMEOUT"));
        assert_eq!(
            said(Op::Lock, FileProblem::NothingRequested).0,
            "app/.env: nothing to lock"
        );
    }

    fn dotenv_said(problem: DotenvProblem) -> Rendered {
        render(
            &DotenvError {
                path: ".env".into(),
                problem,
            }
            .into(),
        )
    }

    #[test]
    fn dotenv_problems_name_file_and_line() {
        let r = dotenv_said(DotenvProblem::NotUtf8 { line: 2 });
        assert_eq!(r.message, ".env:2: the file is not valid UTF-8");
        assert!(r.hint.unwrap().contains("iconv"));
        let r = dotenv_said(DotenvProblem::NotADotenvFile {
            line: 1,
            environment: "production".into(),
        });
        assert!(r.message.starts_with(".env:1: not a dotenv file"), "{r:?}");
        assert!(r.hint.unwrap().contains("[environments.production]"));
        let r = dotenv_said(DotenvProblem::Edit(EditError::UnterminatedQuote {
            line: 4,
        }));
        assert!(r.message.starts_with(".env:4: a quote opened"), "{r:?}");
        assert!(
            r.hint
                .unwrap()
                .starts_with("close the quote that opens on line 4")
        );
        let r = dotenv_said(DotenvProblem::Edit(EditError::KeyMissing {
            key: "A".into(),
        }));
        assert_eq!(r.message, ".env: `A` is not defined");
        assert_eq!(r.hint.as_deref(), Some("the file was left untouched"));
    }

    #[test]
    fn a_dotenv_file_that_is_the_manifest_says_which_environment() {
        let r = dotenv_said(DotenvProblem::IsTheManifest {
            environment: "production".into(),
        });
        assert_eq!(
            r.message,
            ".env: the file of [environments.production] is the manifest itself, under another \
             name"
        );
        assert!(
            r.hint
                .unwrap()
                .starts_with("secrets go in their own dotenv file")
        );
    }

    #[test]
    fn a_refused_key_that_may_hold_a_pasted_value_is_not_shown() {
        let secret = "s3cr3t-value-4f7a";
        for key in [
            format!("K={secret}"),
            format!("K {secret}"),
            secret.repeat(5),
        ] {
            let r = dotenv_said(DotenvProblem::Edit(EditError::InvalidKey { key }));
            assert!(!r.message.contains(secret), "{r:?}");
            assert!(r.message.contains("-byte key is not valid"), "{r:?}");
        }
        let r = dotenv_said(DotenvProblem::Edit(EditError::InvalidKey {
            key: "1A".into(),
        }));
        assert!(
            r.message.starts_with(".env: `1A` is not a valid key"),
            "{r:?}"
        );
    }

    /// The manifest problems that are typed, in the exact words users read: the same cases
    /// `manifest/validate.rs` checks by location and exit code.
    #[test]
    fn typed_manifest_problems_read_as_before() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "[environments.a]\nmode = 0640\n",
                "envmint.toml:2: invalid TOML: unexpected leading zero, expected nothing",
                "a mode goes in quotes, e.g. mode = \"0640\"; other numbers have no leading zero",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A\n",
                "envmint.toml:4: invalid TOML: unclosed table, expected `]`",
                "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 (text in quotes, numbers without)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\n[secrets.A]\n",
                "envmint.toml:5: `A` is declared twice",
                "each table and each field may appear only once; merge the two",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nkind = \"hex\"\n",
                "envmint.toml:6: `kind` is declared twice",
                "each table and each field may appear only once; merge the two",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbyts = 32\n",
                "envmint.toml:6: unknown field `byts` in [secrets.A]",
                "did you mean `bytes`?",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nsize = 32\n",
                "envmint.toml:5: unknown field `size` in [secrets.A]",
                "[secrets.A] takes: kind, alphabet, bytes, bits, length, rotate_every, environments, external, overlap, previous, role, format, hooks, alternate, hook_timeout",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[environments.dev]\npath = \"x\"\n",
                "envmint.toml:5: unknown field `path` in [environments.dev]",
                "[environments.dev] takes: file, mode, sealed, recipients, recipients_file, armor, after, hook_timeout",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[environments.dev]\nfiles = \"x\"\n",
                "envmint.toml:5: unknown field `files` in [environments.dev]",
                "did you mean `file`?",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = hex\n",
                "envmint.toml:5: invalid TOML: string values must be quoted, expected literal string",
                "tables look like [secrets.API_KEY], fields like kind = \"hex\" or bytes = 32 (text in quotes, numbers without)",
            ),
            (
                "[defaults]\nrotate = \"9d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: unknown field `rotate` in [defaults]",
                "did you mean `rotate_every`?",
            ),
            (
                "[defaults]\nrotation = \"9d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: unknown field `rotation` in [defaults]",
                "[defaults] takes: rotate_every, mode, overlap, role, hook_timeout",
            ),
            (
                "[secrets.A]\n",
                "envmint.toml: the manifest declares no environments",
                "add one, e.g. [environments.production]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"alnum\"\nlength = 0\n",
                "envmint.toml:6: length must be at least 1",
                "leave the size out for the default, length = 43 (256 bits)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 99999999999\n",
                "envmint.toml:6: bytes is too large (at most 1048576)",
                "leave the size out for the default, bytes = 32 (256 bits)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"alnum\"\nbytes = 32\n",
                "envmint.toml:6: `bytes` does not apply to alnum",
                "use `length = N` or `bits = N`",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.K]\nkind = \"hex\"\nbits = 64\n",
                "envmint.toml:6: K has 64 bits of entropy, under the 128-bit floor",
                "use `bytes = 16` or more, or `bits = 128`",
            ),
            (
                "[defaults]\nrotate_every = \"d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `d`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"90x\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `90x`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \" 9d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration ` 9d`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"9é\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `9é`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"P90D\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `P90D`",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"0d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `0d`: it must be longer than zero",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"-1d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `-1d`: it must be longer than zero",
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" or \"90 days\"",
            ),
            (
                "[defaults]\nrotate_every = \"1.5d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `1.5d`: use whole numbers",
                "use a smaller unit, e.g. \"36h\" rather than \"1.5d\"",
            ),
            (
                "[defaults]\nrotate_every = \"3 months\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `3 months`: a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
            (
                "[defaults]\nrotate_every = \"1y\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `1y`: a year is not a fixed length (365 or 366 days)",
                "write it in days or weeks, e.g. \"365d\" or \"52w\"",
            ),
            (
                "[defaults]\nrotate_every = \"500ms\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: bad duration `500ms`: the smallest unit is a second",
                "use seconds or a larger unit, e.g. \"30s\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nrotate_every = \"1mo\"\n",
                "envmint.toml:5: bad duration `1mo`: a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"uuid\"\n",
                "envmint.toml:5: unknown kind `uuid`",
                "use one of: hex, base64, base64url, base32, alnum, password, or `alphabet = \"...\"`",
            ),
            (
                "[defualts]\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:1: unknown table [defualts]",
                "did you mean [defaults]?",
            ),
            (
                "rotate_every = \"30d\"\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:1: unknown setting `rotate_every` at the top of the manifest",
                "put `rotate_every` under [defaults]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = 3\n",
                "envmint.toml:5: `kind` must be text in quotes, not a number",
                "e.g. kind = \"hex\"",
            ),
            (
                "[defaults]\nrotate_every = 90\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:2: `rotate_every` must be text in quotes, not a number",
                "e.g. rotate_every = \"90d\"",
            ),
            (
                "defaults = 3\n[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n",
                "envmint.toml:1: [defaults] must be a table, not a number",
                "write it as [defaults] on its own line, then e.g. rotate_every = \"90d\"",
            ),
            (
                "[[secrets]]\nkind = \"hex\"\n",
                "envmint.toml:1: `secrets` must be a table, not a list",
                "write it as [secrets.API_KEY] on its own line, then e.g. kind = \"hex\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets]\nA = \"hex\"\n",
                "envmint.toml:5: [secrets.A] must be a table, not text",
                "write it as [secrets.A] on its own line",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[environments.dev]\nfile = 3\n",
                "envmint.toml:5: `file` must be text in quotes, not a number",
                "e.g. file = \".env.dev.local\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.\"MY-KEY\"]\n",
                "envmint.toml:4: invalid key name `MY-KEY`",
                "key names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.\"A\\nhint: evil\"]\n",
                "envmint.toml:4: invalid key name `A\\nhint: evil`",
                "key names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK]\n",
                "envmint.toml:4: the key name `KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK…` is 256 characters, over the limit of 255",
                "use a shorter name; environment variable names are rarely over 50",
            ),
            (
                "[environments.\"prod/x\"]\n",
                "envmint.toml:1: invalid environment name `prod/x`",
                "environment names are letters, digits, `-` and `_` (at most 64), e.g. production",
            ),
            (
                "[environments.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee]\n",
                "envmint.toml:1: the environment name `eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee…` is 65 characters, over the limit of 64",
                "environment names are letters, digits, `-` and `_` (at most 64), e.g. production",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"alnum\"\nlength = 40.5\n",
                "envmint.toml:6: `length` must be a whole number, not 40.5",
                "e.g. length = 43",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbits = -256\n",
                "envmint.toml:6: `bits` cannot be negative",
                "e.g. bits = 256",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = true\n",
                "envmint.toml:6: `bytes` must be a whole number, not true or false",
                "e.g. bytes = 32",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 99999999999999999999999\n",
                "envmint.toml:6: bytes is too large (at most 1048576)",
                "leave the size out for the default, bytes = 32 (256 bits)",
            ),
            (
                "[environments.a]\nmode = \"0604\"\n",
                "envmint.toml:2: `mode = \"0604\"` lets other users reach the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0601\"\n",
                "envmint.toml:2: `mode = \"0601\"` lets other users reach the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0660\"\n",
                "envmint.toml:2: `mode = \"0660\"` is wider than 0640 (only the owner may write, the group may at most read)",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0700\"\n",
                "envmint.toml:2: `mode = \"0700\"` is wider than 0640 (only the owner may write, the group may at most read)",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0040\"\n",
                "envmint.toml:2: `mode = \"0040\"` does not let the owner read the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"0200\"\n",
                "envmint.toml:2: `mode = \"0200\"` does not let the owner read the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"000\"\n",
                "envmint.toml:2: `mode = \"000\"` does not let the owner read the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"4600\"\n",
                "envmint.toml:2: `mode = \"4600\"` sets special bits (setuid, setgid or sticky)",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.a]\nmode = \"rw-r-----\"\n",
                "envmint.toml:2: `mode = \"rw-r-----\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"0648\"\n",
                "envmint.toml:2: `mode = \"0648\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"64\"\n",
                "envmint.toml:2: `mode = \"64\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"06400\"\n",
                "envmint.toml:2: `mode = \"06400\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"\"\n",
                "envmint.toml:2: `mode = \"\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = \"0x1a0\"\n",
                "envmint.toml:2: `mode = \"0x1a0\"` is not an octal file mode",
                "three or four octal digits, e.g. mode = \"0640\"",
            ),
            (
                "[environments.a]\nmode = 640\n",
                "envmint.toml:2: `mode` must be octal digits in quotes, not the number 640",
                "write it in quotes, e.g. mode = \"0640\"",
            ),
            (
                "[defaults]\nmode = \"0644\"\n[environments.a]\n",
                "envmint.toml:2: `mode = \"0644\"` lets other users reach the file",
                "use \"0600\" (the default: owner only), \"0640\" (the group may read), \"0400\" or \"0440\" (read-only)",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = [\"qa\"]\n",
                "envmint.toml:5: A names undeclared environment `qa`",
                "declared: staging, production; or declare it with [environments.qa]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = [\"../../etc/x\"]\n",
                "envmint.toml:5: A names undeclared environment `../../etc/x`",
                "declared: staging, production; environment names are letters, digits, `-` and `_` (at most 64), e.g. production",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = \"production\"\n",
                "envmint.toml:5: `environments` must be a list of names",
                "put the name in brackets: environments = [\"production\"]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = [\"production\", 3]\n",
                "envmint.toml:5: each entry of `environments` must be a name in quotes",
                "e.g. environments = [\"production\"]",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nenvironments = []\n",
                "envmint.toml:5: `environments` is empty",
                "leave it out to mean every environment",
            ),
            (
                "[environments.p]\nfile = \"./envmint.toml\"\n",
                "envmint.toml:2: `file = \"./envmint.toml\"` is the manifest itself",
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/../envmint.toml\"\n",
                "envmint.toml:2: `file = \"a/../envmint.toml\"` is the manifest itself",
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/app/envmint.toml\"\n",
                "envmint.toml:2: `file = \"/app/envmint.toml\"` is the manifest itself",
                "secrets go in their own dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \".git/config\"\n",
                "envmint.toml:2: `file = \".git/config\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/.git/x.env\"\n",
                "envmint.toml:2: `file = \"a/.git/x.env\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/srv/app/.git/env\"\n",
                "envmint.toml:2: `file = \"/srv/app/.git/env\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \".GIT/config\"\n",
                "envmint.toml:2: `file = \".GIT/config\"` is inside .git",
                "name a dotenv file outside the repository's .git folder, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"sub/\"\n",
                "envmint.toml:2: `file = \"sub/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"sub/.\"\n",
                "envmint.toml:2: `file = \"sub/.\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/b/..\"\n",
                "envmint.toml:2: `file = \"a/b/..\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/etc/\"\n",
                "envmint.toml:2: `file = \"/etc/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n",
                "envmint.toml:2: `file = \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\"` is too long for a path",
                "a path has at most 4095 bytes, and each folder or file name at most 255",
            ),
            (
                "[environments.p]\nfile = \"../xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n",
                "envmint.toml:2: `file = \"../xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\"` is too long for a path",
                "a path has at most 4095 bytes, and each folder or file name at most 255",
            ),
            (
                "[environments.p]\nfile = \"x\\ny\"\n",
                "envmint.toml:2: `file = \"x\\ny\"` contains a control character",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a\\u001b[31m\"\n",
                "envmint.toml:2: `file = \"a\\u{1b}[31m\"` contains a control character",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"x\\ry\"\n",
                "envmint.toml:2: `file = \"x\\ry\"` contains a control character",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"../../outside.env\"\n",
                "envmint.toml:2: `file = \"../../outside.env\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \"a/../../x.env\"\n",
                "envmint.toml:2: `file = \"a/../../x.env\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \"./../x\"\n",
                "envmint.toml:2: `file = \"./../x\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \"a/b/../../..\"\n",
                "envmint.toml:2: `file = \"a/b/../../..\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move envmint.toml up, or give an absolute path such as \"/etc/myapp/env\"",
            ),
            (
                "[environments.p]\nfile = \".\"\n",
                "envmint.toml:2: `file = \".\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a/..\"\n",
                "envmint.toml:2: `file = \"a/..\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"/\"\n",
                "envmint.toml:2: `file = \"/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"\"\n",
                "envmint.toml:2: `file` is empty",
                "name the dotenv file, e.g. file = \".env.production.local\"",
            ),
            (
                "[environments.p]\nfile = \"a\\u0000b\"\n",
                "envmint.toml:2: `file` contains a NUL character",
                "no file name can contain one; name the dotenv file, e.g. file = \".env\"",
            ),
            (
                "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n[secrets.A]\nkind = \"hex\"\nbytes = 32\nbits = 256\n",
                "envmint.toml:7: give only one of `bytes`, `bits`, `length`",
                "hex takes `bytes` or `bits`",
            ),
        ];
        for (text, error, hint) in cases {
            let err = envmint::manifest::Manifest::parse(
                text,
                Path::new("envmint.toml"),
                Path::new("/app"),
            )
            .expect_err("must fail");
            assert_eq!(err.exit(), envmint::Exit::DataErr, "{text}");
            let r = render(&err);
            assert_eq!(
                (r.message.as_str(), r.hint.as_deref()),
                (*error, Some(*hint)),
                "for:\n{text}"
            );
        }
    }

    /// A secret's rotation fields, refused in the manifest's words, naming the line.
    #[test]
    fn rotation_problems_in_the_manifests_words() {
        const ENV: &str = "[environments.p]\n";
        const FORMS: &str = "write previous = \"KEY_PREVIOUS\", previous = { numbered = \"KEY_{n}\", keep = 2 }, previous = { list = \"KEY_PREVIOUS\", separator = \",\", keep = 2 } or previous = { slots = [\"KEY_2\", \"KEY_1\"] }";
        let cases: &[(&str, &str, &str)] = &[
            (
                "[secrets.A]\nexternal = \"yes\"\n",
                "envmint.toml:3: `external` must be true or false, not text",
                "e.g. external = true, without quotes",
            ),
            (
                "[secrets.STRIPE_KEY]\nexternal = true\nlength = 40\nkind = \"alnum\"\n",
                "envmint.toml:4: `length` on the external secret STRIPE_KEY: envmint never generates its value",
                "remove `length` (its value comes from its provider through `envmint set ENV STRIPE_KEY`), or remove `external = true` to have envmint generate it",
            ),
            (
                "[secrets.A]\nprevious = 2\n",
                "envmint.toml:3: `previous` must be a name in quotes or a table, not a number",
                FORMS,
            ),
            (
                "[secrets.A]\nprevious = { keep = 2 }\n",
                "envmint.toml:3: `previous` of A gives none of `numbered`, `list` and `slots`",
                FORMS,
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"A_{n}\", list = \"B\" }\n",
                "envmint.toml:3: `previous` of A gives more than one of `numbered`, `list` and `slots`",
                FORMS,
            ),
            (
                "[secrets.A]\nprevious = { slots = \"A_1\" }\n",
                "envmint.toml:3: `slots` must be a list of names in quotes, not text",
                "e.g. slots = [\"AUTH_SECRET_2\", \"AUTH_SECRET_1\", \"AUTH_SECRET\"]",
            ),
            (
                "[secrets.A]\nprevious = { slots = [\"A_1\"], keep = 2 }\n",
                "envmint.toml:3: `slots` takes no `keep` or `separator`: each slot holds one retired value",
                "list as many names as values to keep, newest first",
            ),
            (
                "[secrets.A]\nprevious = \"A-OLD\"\n",
                "envmint.toml:3: `previous` makes the invalid variable name `A-OLD`",
                "names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"{n}_A\" }\n",
                "envmint.toml:3: `numbered` makes the invalid variable name `1_A`",
                "names are letters, digits and `_`, not starting with a digit",
            ),
            (
                "[secrets.A]\n[secrets.A.previous]\nnumbered = \"A_OLD\"\n",
                "envmint.toml:4: `numbered = \"A_OLD\"` has no {n} for the number",
                "put {n} once where the number goes, e.g. numbered = \"AUTH_SECRET_{n}\"",
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"A_{n}_{n}\" }\n",
                "envmint.toml:3: `numbered = \"A_{n}_{n}\"` has 2 {n}, not one",
                "put {n} once where the number goes, e.g. numbered = \"AUTH_SECRET_{n}\"",
            ),
            (
                "[secrets.A]\nprevious = { numbered = \"A_{n}\", keep = 0 }\n",
                "envmint.toml:3: `keep = 0` is out of range",
                "keep 1 to 16 retired values, e.g. keep = 2",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", keep = 17 }\n",
                "envmint.toml:3: `keep = 17` is out of range",
                "keep 1 to 16 retired values, e.g. keep = 2",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", separator = \"\" }\n",
                "envmint.toml:3: `separator` is empty",
                "give the character the app splits on, e.g. separator = \",\"",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", separator = \" \" }\n",
                "envmint.toml:3: the separator has whitespace, which no quoting makes safe in every dotenv reader",
                "use a punctuation character such as , or ; or |",
            ),
            (
                "[secrets.APP_KEY]\nkind = \"base64\"\nprevious = { list = \"OLD\",\n  separator = \"/\" }\n",
                "envmint.toml:5: `separator = \"/\"` of APP_KEY: `/` is a character base64 values contain, so the list could not be split back",
                "pick a separator base64 never produces (e.g. , or ; for hex, base64url and alnum), or another kind for APP_KEY",
            ),
            (
                "[secrets.A]\nprevious = { list = \"OLD\", sep = \",\" }\n",
                "envmint.toml:3: unknown field `sep` in `previous` of [secrets.A]",
                "did you mean `separator`?",
            ),
            (
                "[secrets.A]\noverlap = \"7 days\"\n[secrets.A_PREVIOUS]\n",
                "envmint.toml:3: A's previous name `A_PREVIOUS` is also a declared secret",
                "give A its own name, e.g. previous = \"A_PREVIOUS\" (one variable holds one secret's retired values)",
            ),
            (
                "[secrets.A]\nprevious = \"OLD\"\n[secrets.B]\nprevious = { numbered = \"OLD{n}\", keep = 3 }\n[secrets.C]\nprevious = { list = \"OLD2\" }\n",
                "envmint.toml:7: C's previous name `OLD2` is also B's previous name",
                "give C its own name, e.g. previous = \"C_PREVIOUS\" (one variable holds one secret's retired values)",
            ),
            (
                "[secrets.A]\noverlap = \"1 month\"\n",
                "envmint.toml:3: bad duration `1 month`: a month is not a fixed length (28 to 31 days)",
                "write it in days or weeks, e.g. \"30d\" or \"4w\"",
            ),
        ];
        for (text, error, hint) in cases {
            let text = format!("{ENV}{text}");
            let err = envmint::manifest::Manifest::parse(
                &text,
                Path::new("envmint.toml"),
                Path::new("/app"),
            )
            .expect_err("must fail");
            assert_eq!(err.exit(), envmint::Exit::DataErr, "{text}");
            let r = render(&err);
            assert_eq!(
                (r.message.as_str(), r.hint.as_deref()),
                (*error, Some(*hint)),
                "for:\n{text}"
            );
        }
    }

    /// A sealed environment's fields, refused in the manifest's words.
    #[test]
    fn sealed_environment_problems_in_the_manifests_words() {
        const AGE: &str = "age1hmxr76wjma58p26d8lq642f3arp4cr4ph3e4xett0ptsuu83v44qgzrz6v";
        const RECIPIENT: &str =
            "a recipient is an age public key (age1...) or an ssh-ed25519/ssh-rsa public key line";
        let cases: Vec<(String, &str, String)> = vec![
            (
                "[environments.production]\nsealed = \".env.production.age\"\n".into(),
                "envmint.toml:1: sealed environment `production` has no recipients",
                "add recipients = [\"age1...\"] (see `envmint keygen`) or recipients_file = \
                 \"keys/NAME.txt\""
                    .into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [\n  \"age1xyz\",\n]\n".into(),
                "envmint.toml:4: bad recipient: not a valid age recipient (invalid Bech32 encoding)",
                RECIPIENT.into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"AGE-SECRET-KEY-1XYZ\"]\n"
                    .into(),
                "envmint.toml:3: bad recipient: this is a secret key (AGE-SECRET-KEY-...), not a \
                 recipient; `envmint keygen -y FILE` prints its recipient",
                RECIPIENT.into(),
            ),
            (
                format!("[environments.p]\nsealed = \"p.age\"\nrecipients = \"{AGE}\"\n"),
                "envmint.toml:3: `recipients` must be a list of public keys, not text",
                "put it in brackets: recipients = [\"age1...\"]".into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients = [1]\n".into(),
                "envmint.toml:3: each entry of `recipients` must be a public key in quotes",
                "e.g. recipients = [\"age1...\"] (`envmint keygen -y KEY` prints one)".into(),
            ),
            (
                format!("[environments.p]\nrecipients = [\"{AGE}\"]\n"),
                "envmint.toml:2: `recipients` without `sealed` in [environments.p]",
                "name the sealed file, e.g. sealed = \".env.p.age\", or remove `recipients`".into(),
            ),
            (
                format!(
                    "[environments.p]\nsealed = \"p.age\"\nrecipients = [\"{AGE}\"]\narmor = \"yes\"\n"
                ),
                "envmint.toml:4: `armor` must be true or false, not text",
                "e.g. armor = true, without quotes".into(),
            ),
            (
                format!("[environments.p]\nsealed = \"../p.age\"\nrecipients = [\"{AGE}\"]\n"),
                "envmint.toml:2: `sealed = \"../p.age\"` leaves the manifest's folder",
                "a relative `file` must stay in the manifest's folder or below it; move \
                 envmint.toml up, or give an absolute path such as \"/etc/myapp/env\""
                    .into(),
            ),
            (
                "[environments.p]\nsealed = \"p.age\"\nrecipients_file = \"keys/\"\n".into(),
                "envmint.toml:3: `recipients_file = \"keys/\"` names a folder, not a file",
                "name the dotenv file, e.g. file = \".env.production.local\"".into(),
            ),
            (
                format!(
                    "[environments.p]\nfile = \"p.env\"\nsealed = \"p.env\"\nrecipients = [\"{AGE}\"]\n"
                ),
                "envmint.toml:1: `sealed` and `file` of [environments.p] are the same file",
                "`file` is where `envmint unseal p` writes the plaintext; use another name, e.g. \
                 sealed = \".env.p.age\""
                    .into(),
            ),
            (
                "[environments.p]\nseald = \"p.age\"\n".into(),
                "envmint.toml:2: unknown field `seald` in [environments.p]",
                "did you mean `sealed`?".into(),
            ),
        ];
        for (text, error, hint) in &cases {
            let err = envmint::manifest::Manifest::parse(
                text,
                Path::new("envmint.toml"),
                Path::new("/app"),
            )
            .expect_err("must fail");
            assert_eq!(err.exit(), envmint::Exit::DataErr, "{text}");
            let r = render(&err);
            assert_eq!(
                (r.message.as_str(), r.hint.as_deref()),
                (*error, Some(hint.as_str())),
                "for:\n{text}"
            );
        }
    }

    #[test]
    fn alphabets_are_refused_in_the_manifests_words() {
        let envs = "[environments.staging]\n[environments.production]\nfile = \"prod.env\"\n";
        let said = |text: String| {
            render(
                &envmint::manifest::Manifest::parse(
                    &text,
                    Path::new("envmint.toml"),
                    Path::new("/app"),
                )
                .expect_err("must fail"),
            )
        };
        for bad in ["abc${", "abc\\\\", "abc'"] {
            let r = said(format!(
                "{envs}[secrets.A]\nalphabet = \"{bad}\"\nlength = 100\n"
            ));
            assert!(
                r.message.starts_with("envmint.toml:5: the alphabet has "),
                "{r:?}"
            );
            assert_eq!(
                r.hint.as_deref(),
                Some("leave out \\ ' whitespace and control characters, and $ or {")
            );
        }
        let r = said(format!(
            "{envs}[secrets.A]\nalphabet = \"ab a\"\nlength = 200\n"
        ));
        assert!(
            r.message.starts_with("envmint.toml:5: bad alphabet: "),
            "{r:?}"
        );
        let r = said(format!(
            "{envs}[secrets.A]\nkind = \"base64\"\nformat = \"base64:\"\n"
        ));
        assert_eq!(
            r.message,
            "envmint.toml:6: `format` has no {value} for the generated value"
        );
        assert_eq!(
            r.hint.as_deref(),
            Some("put {value} once where the value goes, e.g. format = \"base64:{value}\"")
        );
        let r = said(format!(
            "{envs}[secrets.A]\nkind = \"base64\"\nformat = \"it's {{value}}\"\n"
        ));
        assert!(
            r.message
                .starts_with("envmint.toml:6: the format's text has a single quote"),
            "{r:?}"
        );
    }

    #[test]
    fn a_path_too_long_is_shown_cut_short() {
        let text = format!("[environments.p]\nfile = \"{}\"\n", "a".repeat(4096));
        let err =
            envmint::manifest::Manifest::parse(&text, Path::new("envmint.toml"), Path::new("/app"))
                .expect_err("must fail");
        let r = render(&err);
        assert_eq!(
            r.message,
            format!(
                "envmint.toml:2: `file = \"{}…\"` is too long for a path",
                "a".repeat(100)
            )
        );
        assert_eq!(
            r.hint.as_deref(),
            Some("a path has at most 4095 bytes, and each folder or file name at most 255")
        );
    }

    #[test]
    fn a_command_line_size_is_a_usage_error_with_its_hint() {
        use envmint::generate::{Kind, Size, SizeUnit, Spec, SpecError};
        let weak = Spec::new(
            Kind::Hex,
            Some(Size {
                unit: SizeUnit::Bytes,
                amount: 8,
            }),
        )
        .unwrap();
        let e = Error::Size(SizeProblem::Weak(weak));
        assert_eq!(e.exit(), envmint::Exit::Usage);
        let r = render(&e);
        assert_eq!(
            r.message,
            "hex of 8 bytes has 64 bits of entropy, under the 128-bit floor"
        );
        assert!(r.hint.unwrap().contains("--allow-weak"));
        let e = Error::Size(SizeProblem::Spec(SpecError::Zero(SizeUnit::Bits)));
        assert_eq!(render(&e).hint, None);
    }

    use envmint::manifest::Manifest;

    fn unknown(m: &Manifest, name: &str) -> (String, String) {
        let err = m.environment(name).unwrap_err();
        assert_eq!(err.exit(), envmint::Exit::Usage);
        let r = render(&err);
        (r.message, r.hint.unwrap())
    }

    #[test]
    fn unknown_environments_list_the_declared_the_declared_and_suggests_a_close_one() {
        let m = Manifest::builtin(Path::new("/app"));
        assert_eq!(
            unknown(&m, "prod"),
            (
                "unknown environment `prod`: the built-in preset declares development, staging, production".into(),
                "did you mean `production`?".into()
            )
        );
        assert_eq!(unknown(&m, "stagign").1, "did you mean `staging`?");
        assert_eq!(unknown(&m, "dev").1, "did you mean `development`?");
        assert_eq!(
            unknown(&m, "qa").1,
            "run `envmint init` and add [environments.qa] to envmint.toml"
        );
        let m = Manifest::parse(
            "[environments.live]\n",
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        assert_eq!(
            unknown(&m, "production"),
            (
                "unknown environment `production`: /app/envmint.toml declares live".into(),
                "declare it with [environments.production]".into()
            )
        );
    }

    #[test]
    fn unknown_environments_with_an_invalid_name_is_not_suggested_as_toml() {
        let m = Manifest::builtin(Path::new("/app"));
        for bad in ["../../etc/x", "a.b", "x y", "", &"x".repeat(65)] {
            let (_, hint) = unknown(&m, bad);
            assert_eq!(hint, ENV_NAME_RULE, "{bad:?}");
        }
        let (msg, _) = unknown(&m, "evil\n\u{1b}[31mhint: x");
        assert!(
            msg.starts_with("unknown environment `evil\\n\\u{1b}[31mhint: x`"),
            "{msg}"
        );
        let (msg, _) = unknown(&m, &"K".repeat(70_000));
        assert!(msg.len() < 200, "{msg}");
    }

    #[test]
    fn untyped_variants_print_as_they_come() {
        let e = Error::data(
            envmint::error::Location::new("envmint.toml", Some(7)),
            "unknown kind `hax`",
        )
        .with_hint("use one of: hex, base64");
        assert_eq!(
            render(&e),
            Rendered {
                message: "envmint.toml:7: unknown kind `hax`".into(),
                hint: Some("use one of: hex, base64".into()),
            }
        );
    }
}
