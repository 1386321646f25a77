//! The manifest area's errors: a manifest missing, untrusted or malformed ([`ManifestError`]
//! and its [`ManifestProblem`]), and what it refuses in a secret's rotation fields
//! (`external`, `overlap`, `previous`, `role`: [`RotationProblem`]) and in hooks
//! ([`HookProblem`]), with their words (`Display`: `FILE:LINE: what is wrong`). The exit codes
//! are [`crate::error`]'s; the advice (`hint:`) is the binary's (`report/manifest.rs`).

use crate::generate::SizeUnit;
use crate::generate::error::SizeInManifest;
use crate::location::Location;
use std::fmt;
use std::path::PathBuf;

/// A refused `external`, `overlap` or `previous` of `[secrets.KEY]`. Names in it are as shown
/// to users (escaped and cut short).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RotationProblem {
    /// `external` that is not `true` or `false`.
    ExternalNotBoolean {
        /// What it is.
        found: ValueType,
    },
    /// `kind`, `alphabet`, `bytes`, `bits` or `length` on an `external = true` secret: envmint
    /// never makes its value, so a shape would only be a claim nothing checks.
    ExternalWithShape {
        /// The secret.
        key: String,
        /// The field.
        field: &'static str,
    },
    /// `previous` that is neither a name in quotes nor a table.
    PreviousForm {
        /// What it is.
        found: ValueType,
    },
    /// A `previous` table with neither `numbered` nor `list`, or with both.
    PreviousTable {
        /// The secret.
        key: String,
        /// Both were given (else neither).
        both: bool,
    },
    /// A name in `previous` that is not a valid variable name (`numbered` with `{n}` replaced).
    PreviousName {
        /// The field: `previous`, `numbered` or `list`.
        field: &'static str,
        /// The name as shown.
        name: String,
    },
    /// A `numbered` pattern without `{n}`, or with more than one.
    Placeholder {
        /// The pattern as shown.
        pattern: String,
        /// How many `{n}` it has.
        count: usize,
    },
    /// `keep` outside 1 to [`super::MAX_KEEP`].
    Keep {
        /// The number given.
        keep: u64,
    },
    /// `slots` that is not a list of names.
    SlotsNotAList {
        /// What it is.
        found: ValueType,
    },
    /// `keep` or `separator` beside `slots`: the slots are the names, and their number is how
    /// many are kept.
    SlotsWithKeep,
    /// An empty `separator`.
    EmptySeparator,
    /// A `separator` with a character no dotenv quoting makes safe.
    UnsafeSeparator(crate::dotenv::UnsafeChar),
    /// A `separator` with a character the secret's generator can produce: the list could not
    /// be split back into its values.
    SeparatorInAlphabet {
        /// The secret.
        key: String,
        /// The separator as shown.
        separator: String,
        /// The character both have.
        found: char,
        /// The secret's kind (`base64`, `custom alphabet`, ...).
        kind: String,
    },
    /// A `role` that is none of `signing`, `encryption`, `credential`.
    UnknownRole {
        /// The role as shown.
        role: String,
        /// The role it is probably a typo of.
        did_you_mean: Option<&'static str>,
    },
    /// `overlap` on an encryption key: its retired keys are kept until `envmint retire`, so
    /// an expiry would be a promise nothing keeps.
    OverlapOnEncryption {
        /// The secret.
        key: String,
    },
    /// A variable name `previous` would use that is already a declared key, or another
    /// secret's previous name.
    Collision {
        /// The name.
        name: String,
        /// The secret whose `previous` it is.
        key: String,
        /// What else it is.
        with: Collides,
    },
}

/// What a [`RotationProblem::Collision`] name collides with.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Collides {
    /// A declared secret of that name.
    Declared,
    /// The previous values of another secret (named).
    PreviousOf(String),
}

/// A manifest that cannot be used: missing (66), untrusted (77) or malformed (65).
#[derive(Debug)]
pub struct ManifestError {
    /// The manifest file.
    pub path: PathBuf,
    /// The 1-based line of the problem, when it is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: ManifestProblem,
}

/// What is wrong with a manifest. Names in it (keys, fields, tables) are as shown to users:
/// cut to 40 characters, control characters escaped.
#[derive(Debug)]
#[non_exhaustive]
pub enum ManifestProblem {
    /// `--manifest FILE` names nothing (66).
    NotFound,
    /// `envmint.toml` is a symlink to nothing (66): envmint does not fall back to the preset.
    DanglingSymlink {
        /// Where the link points.
        points_at: PathBuf,
    },
    /// The file went away between the check and the read (66).
    RemovedWhileRead,
    /// A found manifest owned by another user (77), as git refuses "dubious ownership".
    Untrusted {
        /// The owner of the file, or of the symlink's target.
        owner: u32,
        /// The effective user.
        euid: u32,
        /// Whether `owner` owns the file a symlink points to rather than the path itself.
        through_symlink: bool,
        /// The path as found, for the user to pass to `--manifest` (kept whole where the
        /// message's path is shortened).
        found: PathBuf,
    },
    /// A path of the manifest that, symlinks resolved, leads outside the manifest's folder,
    /// which the user did not allow (77): see [`crate::manifest::Allow`].
    Outside {
        /// The environment.
        environment: String,
        /// The field: `file`, `sealed` or `recipients_file`.
        field: &'static str,
        /// The path as the manifest gives it (resolved against its folder).
        path: PathBuf,
        /// The file it really names, every symlink resolved.
        target: PathBuf,
        /// The manifest's folder, resolved.
        folder: PathBuf,
    },
    /// A path of the manifest that, symlinks resolved, leads into a `.git` folder (77): a
    /// committed `gitdir -> .git` with `file = "gitdir/config"`.
    InsideGit {
        /// The environment.
        environment: String,
        /// The field: `file`, `sealed` or `recipients_file`.
        field: &'static str,
        /// The path as the manifest gives it (resolved against its folder).
        path: PathBuf,
        /// The file it really names, every symlink resolved.
        target: PathBuf,
    },
    /// The bytes are not UTF-8 (the line is in [`ManifestError::line`]).
    NotUtf8,
    /// TOML syntax, in TOML's words (the first line of its message).
    Syntax {
        /// TOML's message.
        message: String,
    },
    /// A table or field given twice.
    DuplicateKey {
        /// The key as shown.
        key: String,
    },
    /// No `[environments.NAME]` table.
    NoEnvironments,
    /// A field the table does not have (boxed: it is the largest problem, and an error stays
    /// small to pass around).
    UnknownField(Box<UnknownField>),
    /// A secret's size that cannot be honoured (boxed, as above).
    Size(Box<SizeInManifest>),
    /// A value of the wrong TOML type.
    WrongType {
        /// What the value should be.
        expected: Expected,
        /// The field or table as written in messages: `` `kind` ``, `[defaults]`.
        field: String,
        /// What it is.
        found: ValueType,
        /// A setting to copy, e.g. `kind = "hex"`.
        example: String,
    },
    /// A number field given a negative number.
    Negative {
        /// The field as written in messages: `` `bytes` ``.
        field: String,
        /// A setting to copy.
        example: String,
    },
    /// A number field given a decimal number.
    NotWhole {
        /// The field as written in messages.
        field: String,
        /// The number as written.
        literal: String,
        /// A setting to copy.
        example: String,
    },
    /// An environment or key name that is not allowed.
    BadName {
        /// Which kind of name.
        of: NameOf,
        /// The name as shown.
        name: String,
        /// Its length in characters when that alone is the problem (over `limit`).
        too_long: Option<(usize, usize)>,
    },
    /// A `mode` that is not allowed.
    BadMode(BadMode),
    /// A secret's `environments = [...]` that is not a list of declared names.
    SecretEnvironments(EnvList),
    /// An environment's `file` (or `sealed`, `recipients_file`) that envmint will not use.
    BadFile {
        /// The field: `file`, `sealed` or `recipients_file`.
        field: &'static str,
        /// The `file` as shown (escaped, cut after 100 characters).
        file: String,
        /// Why.
        why: FileRefusal,
    },
    /// Both `kind` and `alphabet`.
    KindAndAlphabet,
    /// An `alphabet` that is not one (too few distinct characters, not printable ASCII).
    BadAlphabet(crate::generate::AlphabetError),
    /// An `alphabet` with a character no dotenv quoting makes safe.
    UnsafeAlphabet(crate::dotenv::UnsafeChar),
    /// A `format` without `{value}`, or with it more than once (`count` times).
    BadFormat {
        /// How many `{value}` it has.
        count: usize,
    },
    /// A `format` whose text, with the kind's characters, could make a value no dotenv quoting
    /// writes alike everywhere.
    UnsafeFormat(crate::dotenv::UnsafeChar),
    /// More than one of `bytes`, `bits`, `length`.
    SeveralSizes {
        /// The kind's name.
        kind: String,
        /// The unit the kind counts in.
        native: SizeUnit,
    },
    /// A `kind` that does not exist.
    UnknownKind {
        /// The kind as shown.
        kind: String,
        /// The known kind closest to it.
        did_you_mean: Option<&'static str>,
    },
    /// A top-level table or setting that is none of `[defaults]`, `[environments]`, `[secrets]`.
    UnknownTable {
        /// The name as shown.
        name: String,
        /// Whether it is a table (`[name]`) or a setting (`name = ...`).
        is_table: bool,
        /// The table it is probably a typo of.
        did_you_mean: Option<&'static str>,
        /// The table it belongs under, when it is a known field of one: `[defaults]`,
        /// `[environments.NAME]` or `[secrets.KEY]`.
        belongs_under: Option<&'static str>,
    },
    /// A duration that does not parse (`rotate_every = "90 days"`).
    BadPeriod {
        /// The text as shown.
        text: String,
        /// Why, from the duration parser.
        error: crate::time::DurationError,
    },
    /// A sealed environment's fields (`sealed`, `recipients`, `recipients_file`, `armor`).
    Sealing(SealingProblem),
    /// A secret's rotation fields (`external`, `overlap`, `previous`).
    Rotation(crate::manifest::RotationProblem),
    /// A secret's hooks (`[secrets.KEY.hooks]`, `alternate`, `hook_timeout`) or an
    /// environment's `after`.
    Hooks(crate::manifest::HookProblem),
}

/// What is wrong with a sealed environment's fields in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealingProblem {
    /// `sealed` without `recipients` or `recipients_file`.
    NoRecipients {
        /// The environment.
        environment: String,
    },
    /// A recipient that does not parse; `why` never holds a secret key.
    BadRecipient {
        /// Why, from the recipient parser.
        why: String,
    },
    /// `recipients` that is not a list.
    RecipientsNotAList {
        /// What it is.
        found: ValueType,
    },
    /// An entry of `recipients` that is not text.
    RecipientNotText,
    /// `armor` that is not true or false.
    ArmorNotBoolean {
        /// What it is.
        found: ValueType,
    },
    /// `recipients`, `recipients_file` or `armor` without `sealed`.
    WithoutSealed {
        /// The field as shown.
        field: String,
        /// The environment.
        environment: String,
    },
    /// `sealed` and `file` name the same file.
    SameFile {
        /// The environment.
        environment: String,
    },
}

/// An environment name that the manifest does not declare.
#[derive(Debug)]
pub struct UnknownEnvironment {
    /// The name as given (used in a hint only when it is a valid name).
    pub name: String,
    /// The name as shown (cut short, control characters escaped).
    pub shown: String,
    /// Whether the name is a valid environment name, so it could be declared.
    pub valid_name: bool,
    /// The declared environments.
    pub declared: Vec<String>,
    /// The manifest file, or `None` for the built-in preset.
    pub declared_in: Option<PathBuf>,
    /// The declared name closest to it.
    pub did_you_mean: Option<String>,
    /// Whether it is a declared secret's key: a key given where an environment goes
    /// (`envmint rotate production SECRET_KEY`).
    pub is_secret: bool,
}

/// A field of a manifest table that the table does not have.
#[derive(Debug)]
pub struct UnknownField {
    /// The table as written in messages, e.g. `[secrets.A]`.
    pub table: String,
    /// The field as shown.
    pub field: String,
    /// The known field closest to it.
    pub did_you_mean: Option<&'static str>,
    /// The fields the table takes.
    pub fields: &'static [&'static str],
}

/// What a manifest value should have been.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// A table.
    Table,
    /// Text in quotes.
    Text,
    /// A whole number.
    WholeNumber,
}

/// Why an environment's `file` is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileRefusal {
    /// `file = ""`.
    Empty,
    /// A NUL character.
    Nul,
    /// Another control character (a line break would forge summary lines).
    Control,
    /// Over Linux's `PATH_MAX` or `NAME_MAX`.
    TooLong {
        /// The longest path, in bytes.
        max_path: usize,
        /// The longest folder or file name, in bytes.
        max_name: usize,
    },
    /// A relative path that climbs out of the manifest's folder.
    LeavesFolder,
    /// A path inside `.git`.
    InsideGit,
    /// A path that names a folder.
    Folder,
    /// The manifest itself.
    IsManifest,
}

/// What is wrong with a secret's `environments = [...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvList {
    /// One name in quotes without the brackets (the text, escaped for a TOML string).
    SingleName(String),
    /// Another type than a list.
    NotAList(ValueType),
    /// `[]`.
    Empty,
    /// An entry that is not text.
    EntryNotText,
    /// A name no `[environments.NAME]` declares.
    Undeclared {
        /// The secret's key.
        key: String,
        /// The name as shown.
        name: String,
        /// The declared name closest to it.
        did_you_mean: Option<String>,
        /// The declared names.
        declared: Vec<String>,
        /// Whether it is a valid environment name (so it could be declared).
        valid_name: bool,
    },
}

/// What is wrong with a `mode = "..."`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadMode {
    /// A bare number (`mode = 0640` is a syntax error; `mode = 640` gets here).
    Number(String),
    /// Another type than text.
    WrongType(ValueType),
    /// Text that is not three or four octal digits (as shown).
    NotOctal(String),
    /// A valid mode that is refused (the text as written), and why.
    Refused(String, ModeRefusal),
}

/// Why a valid octal mode is refused for a secret file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModeRefusal {
    /// setuid, setgid or sticky.
    SpecialBits,
    /// Any bit for others.
    OthersReach,
    /// No read bit for the owner.
    OwnerCannotRead,
    /// Wider than 0640 otherwise.
    WiderThan0640,
}

/// Which kind of name a [`ManifestProblem::BadName`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameOf {
    /// `[environments.NAME]`.
    Environment,
    /// `[secrets.KEY]`.
    Key,
}

/// The type of a TOML value, for saying what was found instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueType {
    /// A string.
    Text,
    /// An integer.
    Number,
    /// A float.
    Decimal,
    /// A boolean.
    Boolean,
    /// A date or time.
    Date,
    /// An array.
    List,
    /// A table.
    Table,
}

impl ManifestError {
    /// A problem on `line` (or on no line) of the manifest at `path`.
    pub fn new(path: impl Into<PathBuf>, line: Option<usize>, problem: ManifestProblem) -> Self {
        ManifestError {
            path: path.into(),
            line,
            problem,
        }
    }
}

/// What the manifest refuses in hooks. Names are as shown to users (escaped and cut short).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HookProblem {
    /// A hook whose secret's role does not run it: `set`, `test`, `retire` and `alternate`
    /// are for a credential, `reencrypt` for an encryption key.
    WrongRole {
        /// The secret.
        key: String,
        /// The hook (or `alternate`).
        hook: &'static str,
        /// The role it needs.
        needs: &'static str,
    },
    /// Hooks on an `external` secret, whose value envmint never makes.
    External {
        /// The secret.
        key: String,
    },
    /// `test` or `alternate` without `set`: nothing would change the service.
    WithoutSet {
        /// The secret.
        key: String,
        /// `test` or `alternate`.
        hook: &'static str,
    },
    /// A hook with a NUL character, which no command line can hold.
    Nul {
        /// The hook (`set`, ..., `after`).
        hook: &'static str,
    },
    /// `hook_timeout` of zero or over [`MAX_HOOK_TIMEOUT`](super::hooks::MAX_HOOK_TIMEOUT).
    Timeout,
    /// `alternate` that is not `{ user = "VAR", names = ["a", "b"] }`.
    AlternateForm,
    /// `alternate`'s `user` that is not a variable name, or is a declared secret or the key.
    AlternateUser {
        /// The secret.
        key: String,
        /// The name as shown.
        user: String,
    },
    /// `alternate`'s `names` that are not two different user names of letters, digits and
    /// `_ . @ -`.
    AlternateNames,
    /// The pending variable `KEY_PENDING` of a secret with a `set` hook is a declared key or
    /// another secret's previous name.
    PendingCollision {
        /// The secret.
        key: String,
        /// The name.
        name: String,
    },
}

impl fmt::Display for ValueType {
    /// What a TOML value is, in words: "a number", "true or false".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueType::Text => "text",
            ValueType::Number => "a number",
            ValueType::Decimal => "a decimal number",
            ValueType::Boolean => "true or false",
            ValueType::Date => "a date",
            ValueType::List => "a list",
            ValueType::Table => "a table",
        })
    }
}

impl fmt::Display for ManifestError {
    /// `FILE:LINE: what is wrong` (or `FILE: ...` when the problem is on no line).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = Location::new(&self.path, self.line);
        write!(f, "{location}: {}", self.problem)
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.problem {
            ManifestProblem::Size(size) => Some(&size.problem),
            ManifestProblem::BadAlphabet(e) => Some(e),
            ManifestProblem::UnsafeAlphabet(c) | ManifestProblem::UnsafeFormat(c) => Some(c),
            ManifestProblem::BadPeriod { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ManifestProblem as P;
        match self {
            P::NotFound | P::RemovedWhileRead => f.write_str("manifest not found"),
            P::DanglingSymlink { points_at } => write!(
                f,
                "the file this symlink points to ({}) not found",
                points_at.display()
            ),
            P::Untrusted {
                owner,
                euid,
                through_symlink,
                ..
            } => {
                let what = if *through_symlink {
                    "a symlink to a file owned"
                } else {
                    "owned"
                };
                write!(
                    f,
                    "{what} by uid {owner}, not by you (uid {euid}) or root; envmint does not \
                     use a manifest another user could have planted"
                )
            }
            P::InsideGit {
                environment,
                field,
                path,
                target,
            } => write!(
                f,
                "`{field}` of [environments.{environment}] names {} ({} through a symlink), \
                 inside git's folder; refused: envmint never reads or writes secrets in .git",
                target.display(),
                path.display()
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
                write!(
                    f,
                    "`{field}` of [environments.{environment}] names {}{how}, outside the \
                     manifest's folder {}; refused: a repository does not choose where envmint \
                     reads and writes secrets",
                    target.display(),
                    folder.display()
                )
            }
            P::NotUtf8 => f.write_str("the manifest is not valid UTF-8"),
            P::Syntax { message } => write!(f, "invalid TOML: {message}"),
            P::DuplicateKey { key } => write!(f, "`{key}` is declared twice"),
            P::NoEnvironments => f.write_str("the manifest declares no environments"),
            P::UnknownField(unknown) => fmt::Display::fmt(unknown, f),
            P::Size(refused) => fmt::Display::fmt(refused, f),
            P::WrongType {
                expected,
                field,
                found,
                ..
            } => match expected {
                Expected::Table => write!(f, "{field} must be a table, not {found}"),
                Expected::Text => write!(f, "{field} must be text in quotes, not {found}"),
                Expected::WholeNumber => write!(f, "{field} must be a whole number, not {found}"),
            },
            P::Negative { field, .. } => write!(f, "{field} cannot be negative"),
            P::NotWhole { field, literal, .. } => {
                write!(f, "{field} must be a whole number, not {literal}")
            }
            P::BadName {
                of,
                name,
                too_long: Some((length, limit)),
            } => write!(
                f,
                "the {} name `{name}` is {length} characters, over the limit of {limit}",
                match of {
                    NameOf::Environment => "environment",
                    NameOf::Key => "key",
                }
            ),
            P::BadName {
                of: NameOf::Environment,
                name,
                too_long: None,
            } => write!(f, "invalid environment name `{name}`"),
            P::BadName {
                of: NameOf::Key,
                name,
                too_long: None,
            } => write!(f, "invalid key name `{name}`"),
            P::BadMode(bad) => fmt::Display::fmt(bad, f),
            P::KindAndAlphabet => f.write_str("give either `kind` or `alphabet`, not both"),
            // The alphabet's and the character's own words are their Display (kind.rs,
            // quote.rs), shared with `gen --alphabet`.
            P::BadAlphabet(e) => write!(f, "bad alphabet: {e}"),
            P::UnsafeAlphabet(c) => write!(
                f,
                "the alphabet has {c}, which no quoting makes safe in every dotenv reader"
            ),
            P::BadFormat { count: 0 } => {
                f.write_str("`format` has no {value} for the generated value")
            }
            P::BadFormat { count } => write!(f, "`format` has {count} {{value}}, not one"),
            P::UnsafeFormat(c) => write!(
                f,
                "the format's text has {c}, which no quoting makes safe in every dotenv reader"
            ),
            P::SeveralSizes { .. } => f.write_str("give only one of `bytes`, `bits`, `length`"),
            P::SecretEnvironments(list) => fmt::Display::fmt(list, f),
            P::BadFile { field, file, why } => match why {
                FileRefusal::Empty => write!(f, "`{field}` is empty"),
                FileRefusal::Nul => write!(f, "`{field}` contains a NUL character"),
                why => write!(f, "`{field} = \"{file}\"` {why}"),
            },
            P::Sealing(problem) => fmt::Display::fmt(problem, f),
            P::Rotation(problem) => fmt::Display::fmt(problem, f),
            P::Hooks(problem) => fmt::Display::fmt(problem, f),
            P::UnknownKind { kind, .. } => write!(f, "unknown kind `{kind}`"),
            P::UnknownTable { name, is_table, .. } => {
                if *is_table {
                    write!(f, "unknown table [{name}]")
                } else {
                    write!(f, "unknown setting `{name}` at the top of the manifest")
                }
            }
            // The duration parser's reason is the time module's words (src/time.rs).
            P::BadPeriod { text, error } => match error.reason() {
                Some(why) => write!(f, "bad duration `{text}`: {why}"),
                None => write!(f, "bad duration `{text}`"),
            },
        }
    }
}

impl fmt::Display for FileRefusal {
    /// What is wrong with a `file = "..."`, after the field: "leaves the manifest's folder".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileRefusal::Empty => "is empty",
            FileRefusal::Nul => "contains a NUL character",
            FileRefusal::Control => "contains a control character",
            FileRefusal::TooLong { .. } => "is too long for a path",
            FileRefusal::LeavesFolder => "leaves the manifest's folder",
            FileRefusal::InsideGit => "is inside .git",
            FileRefusal::Folder => "names a folder, not a file",
            FileRefusal::IsManifest => "is the manifest itself",
        })
    }
}

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown field `{}` in {}", self.field, self.table)
    }
}

impl fmt::Display for UnknownEnvironment {
    /// The name, where it was looked for, and the names declared there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown environment `{}`: ", self.shown)?;
        match &self.declared_in {
            Some(p) => write!(f, "{}", p.display())?,
            None => f.write_str("the built-in preset")?,
        }
        write!(f, " declares {}", self.declared.join(", "))
    }
}

impl std::error::Error for UnknownEnvironment {}

impl fmt::Display for BadMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadMode::Number(n) => write!(
                f,
                "`mode` must be octal digits in quotes, not the number {n}"
            ),
            BadMode::WrongType(found) => {
                write!(f, "`mode` must be octal digits in quotes, not {found}")
            }
            BadMode::NotOctal(raw) => write!(f, "`mode = \"{raw}\"` is not an octal file mode"),
            BadMode::Refused(raw, why) => {
                let why = match why {
                    ModeRefusal::SpecialBits => "sets special bits (setuid, setgid or sticky)",
                    ModeRefusal::OthersReach => "lets other users reach the file",
                    ModeRefusal::OwnerCannotRead => "does not let the owner read the file",
                    ModeRefusal::WiderThan0640 => {
                        "is wider than 0640 (only the owner may write, the group may at most \
                         read)"
                    }
                };
                write!(f, "`mode = \"{raw}\"` {why}")
            }
        }
    }
}

impl fmt::Display for EnvList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvList::SingleName(_) => f.write_str("`environments` must be a list of names"),
            EnvList::NotAList(found) => {
                write!(f, "`environments` must be a list of names, not {found}")
            }
            EnvList::Empty => f.write_str("`environments` is empty"),
            EnvList::EntryNotText => {
                f.write_str("each entry of `environments` must be a name in quotes")
            }
            EnvList::Undeclared { key, name, .. } => {
                write!(f, "{key} names undeclared environment `{name}`")
            }
        }
    }
}

impl fmt::Display for SealingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealingProblem::NoRecipients { environment } => {
                write!(f, "sealed environment `{environment}` has no recipients")
            }
            SealingProblem::BadRecipient { why } => write!(f, "bad recipient: {why}"),
            SealingProblem::RecipientsNotAList { found } => {
                write!(f, "`recipients` must be a list of public keys, not {found}")
            }
            SealingProblem::RecipientNotText => {
                f.write_str("each entry of `recipients` must be a public key in quotes")
            }
            SealingProblem::ArmorNotBoolean { found } => {
                write!(f, "`armor` must be true or false, not {found}")
            }
            SealingProblem::WithoutSealed { field, environment } => write!(
                f,
                "`{field}` without `sealed` in [environments.{environment}]"
            ),
            SealingProblem::SameFile { environment } => write!(
                f,
                "`sealed` and `file` of [environments.{environment}] are the same file"
            ),
        }
    }
}

impl fmt::Display for RotationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RotationProblem as R;
        match self {
            R::ExternalNotBoolean { found } => {
                write!(f, "`external` must be true or false, not {found}")
            }
            R::ExternalWithShape { key, field } => write!(
                f,
                "`{field}` on the external secret {key}: envmint never generates its value"
            ),
            R::PreviousForm { found } => write!(
                f,
                "`previous` must be a name in quotes or a table, not {found}"
            ),
            R::PreviousTable { key, both } => write!(
                f,
                "`previous` of {key} gives {} of `numbered`, `list` and `slots`",
                if *both { "more than one" } else { "none" }
            ),
            R::PreviousName { field, name } => {
                write!(f, "`{field}` makes the invalid variable name `{name}`")
            }
            R::Placeholder { pattern, count: 0 } => {
                write!(f, "`numbered = \"{pattern}\"` has no {{n}} for the number")
            }
            R::Placeholder { pattern, count } => {
                write!(f, "`numbered = \"{pattern}\"` has {count} {{n}}, not one")
            }
            R::Keep { keep } => write!(f, "`keep = {keep}` is out of range"),
            R::SlotsNotAList { found } => {
                write!(f, "`slots` must be a list of names in quotes, not {found}")
            }
            R::SlotsWithKeep => f.write_str(
                "`slots` takes no `keep` or `separator`: each slot holds one retired value",
            ),
            R::EmptySeparator => f.write_str("`separator` is empty"),
            R::UnsafeSeparator(c) => write!(
                f,
                "the separator has {c}, which no quoting makes safe in every dotenv reader"
            ),
            R::SeparatorInAlphabet {
                key,
                separator,
                found,
                kind,
            } => write!(
                f,
                "`separator = \"{separator}\"` of {key}: `{found}` is a character {kind} values \
                 contain, so the list could not be split back"
            ),
            R::UnknownRole { role, .. } => write!(f, "unknown role `{role}`"),
            R::OverlapOnEncryption { key } => write!(
                f,
                "`overlap` on the encryption key {key}: its retired keys are kept until \
                 `envmint retire`, never dropped by time"
            ),
            R::Collision {
                name,
                key,
                with: Collides::Declared,
            } => write!(
                f,
                "{key}'s previous name `{name}` is also a declared secret"
            ),
            R::Collision {
                name,
                key,
                with: Collides::PreviousOf(other),
            } => write!(
                f,
                "{key}'s previous name `{name}` is also {other}'s previous name"
            ),
        }
    }
}

impl fmt::Display for HookProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookProblem::WrongRole { key, hook, needs } => write!(
                f,
                "`{hook}` of {key} runs only for a secret with role = \"{needs}\""
            ),
            HookProblem::External { key } => write!(
                f,
                "hooks on the external secret {key}: envmint never makes its value"
            ),
            HookProblem::WithoutSet { key, hook } => write!(
                f,
                "`{hook}` of {key} without a `set` hook: nothing would change the service"
            ),
            HookProblem::Nul { hook } => write!(f, "the `{hook}` hook has a NUL character"),
            HookProblem::Timeout => {
                f.write_str("`hook_timeout` must be more than 0 and at most 1 day")
            }
            HookProblem::AlternateForm => f.write_str(
                "`alternate` must be a table of `user` (a variable name) and `names` (two user \
                 names)",
            ),
            HookProblem::AlternateUser { key, user } => write!(
                f,
                "`alternate` of {key}: `{user}` cannot hold the user name (not a variable name, \
                 the key itself, or a declared secret)"
            ),
            HookProblem::AlternateNames => {
                f.write_str("`names` of `alternate` must be two different user names")
            }
            HookProblem::PendingCollision { key, name } => write!(
                f,
                "{name}, where {key} keeps its pending value, is already declared"
            ),
        }
    }
}
