//! What the manifest refuses in a secret's rotation fields: `external`, `overlap`,
//! `previous` and `role`. The words are the binary's (`report.rs`); these are the cases.

use crate::error::ValueType;

/// A refused `external`, `overlap` or `previous` of `[secrets.KEY]`. Names in it are as shown
/// to users (escaped and cut short).
#[derive(Clone, Debug, PartialEq, Eq)]
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
pub enum Collides {
    /// A declared secret of that name.
    Declared,
    /// The previous values of another secret (named).
    PreviousOf(String),
}
