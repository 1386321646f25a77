//! The hints for a size that does not fit its kind and for a secret under the floor, worded
//! for the command line (`gen --bytes 8`) or for the manifest (`bytes = 8`), and the command
//! line's own sentences (`--bytes`). A manifest's sentence is the library's
//! ([`envmint::error::SizeInManifest`]). [`crate::report`] calls [`flag`] for a size given to
//! `gen` and [`field_hint`] for a manifest's `ManifestProblem::Size`.

use envmint::error::SizeProblem;
use envmint::generate::{MIN_BITS, SizeUnit, Spec, SpecError};

/// Where the reader wrote the size, and so how a message names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SizeSyntax {
    /// A command-line flag: `--bytes 16`. A weak secret can be let through with `--allow-weak`.
    Flag,
    /// A field of `envmint.toml`: `` `bytes = 16` ``. No way to let a weak secret through.
    Field,
}

impl SizeSyntax {
    /// The unit as the reader wrote it: `--bytes` or `` `bytes` ``.
    fn unit(self, unit: SizeUnit) -> String {
        match self {
            SizeSyntax::Flag => format!("--{}", unit.name()),
            SizeSyntax::Field => format!("`{}`", unit.name()),
        }
    }

    /// A setting to write: `--bytes 16` or `` `bytes = 16` ``.
    fn setting(self, unit: SizeUnit, amount: impl std::fmt::Display) -> String {
        match self {
            SizeSyntax::Flag => format!("--{} {amount}", unit.name()),
            SizeSyntax::Field => format!("`{} = {amount}`", unit.name()),
        }
    }
}

/// What to tell the reader: what is wrong and, when there is one, how to fix it. Never holds a
/// value, only kinds, units and counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advice {
    /// What is wrong, naming the size the way the reader gave it.
    pub message: String,
    /// What to give instead.
    pub hint: Option<String>,
}

/// A size given on the command line, in the command line's words (`--bytes`), with its hint.
/// A manifest's size is said by the library ([`envmint::error::SizeInManifest`]'s `Display`),
/// with [`field_hint`].
pub fn flag(problem: &SizeProblem) -> Advice {
    match problem {
        SizeProblem::Spec(e) => spec(e, SizeSyntax::Flag),
        SizeProblem::Weak(s) => weak(s, SizeSyntax::Flag),
        other => Advice {
            message: other.to_string(),
            hint: None,
        },
    }
}

/// The advice for a size refused in a manifest's field, when this module knows one.
pub fn field_hint(problem: &SizeProblem) -> Option<String> {
    match problem {
        SizeProblem::Spec(e) => spec(e, SizeSyntax::Field).hint,
        SizeProblem::Weak(s) => weak(s, SizeSyntax::Field).hint,
        _ => None,
    }
}

/// The refusal of a size, worded for `syntax` (a field's words are the library's `Display` of
/// the [`SpecError`]). A unit that does not fit the kind says which fits; a zero or too large
/// size has no hint here (the manifest adds its default size).
fn spec(err: &SpecError, syntax: SizeSyntax) -> Advice {
    let (unit, what) = match err {
        SpecError::Mismatch {
            kind,
            given,
            expected,
        } => {
            // The command line says why: `gen` users meet the two families there first.
            let message = match (syntax, expected) {
                (SizeSyntax::Field, _) => err.to_string(),
                (SizeSyntax::Flag, SizeUnit::Bytes) => format!(
                    "{} does not apply to {kind}, a byte kind: its size is the number of \
                     random bytes",
                    syntax.unit(*given)
                ),
                (SizeSyntax::Flag, _) => format!(
                    "{} does not apply to {kind}, an alphabet kind: its size is the number of \
                     characters",
                    syntax.unit(*given)
                ),
            };
            return Advice {
                message,
                hint: Some(format!(
                    "use {} or {}",
                    syntax.setting(*expected, "N"),
                    syntax.setting(SizeUnit::Bits, "N")
                )),
            };
        }
        SpecError::Zero(unit) | SpecError::TooLarge { unit, .. } => (unit, err.to_string()),
        // A refusal added later: the library's words, without the flag.
        _ => {
            return Advice {
                message: err.to_string(),
                hint: None,
            };
        }
    };
    Advice {
        message: match syntax {
            SizeSyntax::Flag => format!("--{}: {what}", unit.name()),
            SizeSyntax::Field => what,
        },
        hint: None,
    }
}

/// Why `spec` is refused under [`MIN_BITS`] (call it when [`Spec::is_weak`]), and the smallest
/// size that is not. The message is the library's (the spec describes itself: `hex of 8
/// bytes`).
fn weak(spec: &Spec, syntax: SizeSyntax) -> Advice {
    let enough = syntax.setting(spec.kind().native_unit(), spec.min_strong_amount());
    let bits = syntax.setting(SizeUnit::Bits, MIN_BITS);
    Advice {
        message: SizeProblem::Weak(spec.clone()).to_string(),
        hint: Some(match syntax {
            SizeSyntax::Flag => format!(
                "use {enough} or more (or {bits}), or pass --allow-weak if a legacy system \
                 needs it"
            ),
            SizeSyntax::Field => format!("use {enough} or more, or {bits}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use envmint::generate::{Kind, Size};

    /// `kind` with `amount` of `unit`, which must be valid.
    fn spec_of(kind: Kind, unit: SizeUnit, amount: u64) -> Spec {
        Spec::new(kind, Some(Size { unit, amount })).unwrap()
    }

    fn mismatch(kind: Kind, unit: SizeUnit) -> SizeProblem {
        SizeProblem::Spec(Spec::new(kind, Some(Size { unit, amount: 10 })).unwrap_err())
    }

    fn advice(message: &str, hint: Option<&str>) -> Advice {
        Advice {
            message: message.to_string(),
            hint: hint.map(str::to_string),
        }
    }

    #[test]
    fn a_unit_that_does_not_fit_is_named_as_written() {
        let hex = mismatch(Kind::Hex, SizeUnit::Length);
        assert_eq!(
            flag(&hex),
            advice(
                "--length does not apply to hex, a byte kind: its size is the number of \
                 random bytes",
                Some("use --bytes N or --bits N")
            )
        );
        assert_eq!(
            field_hint(&hex).as_deref(),
            Some("use `bytes = N` or `bits = N`")
        );
        let alnum = mismatch(Kind::Alnum, SizeUnit::Bytes);
        assert_eq!(
            flag(&alnum),
            advice(
                "--bytes does not apply to alnum, an alphabet kind: its size is the number of \
                 characters",
                Some("use --length N or --bits N")
            )
        );
        assert_eq!(
            field_hint(&alnum).as_deref(),
            Some("use `length = N` or `bits = N`")
        );
    }

    #[test]
    fn zero_and_too_large_have_no_hint_of_their_own() {
        let zero = SizeProblem::Spec(SpecError::Zero(SizeUnit::Bytes));
        assert_eq!(
            flag(&zero),
            advice("--bytes: bytes must be at least 1", None)
        );
        assert_eq!(field_hint(&zero), None);
        let large = SizeProblem::Spec(SpecError::TooLarge {
            unit: SizeUnit::Bits,
            max: 8,
        });
        assert_eq!(
            flag(&large).message,
            "--bits: bits is too large (at most 8)"
        );
    }

    #[test]
    fn weak_secrets_name_the_floor_and_the_smallest_strong_size() {
        // The command line's words (`gen hex --bytes 8`) are the case file
        // tests/cli/cmd/gen/weak_bytes.toml.
        let alnum = SizeProblem::Weak(spec_of(Kind::Alnum, SizeUnit::Length, 21));
        assert_eq!(
            field_hint(&alnum).as_deref(),
            Some("use `length = 22` or more, or `bits = 128`")
        );
    }

    #[test]
    fn sizes_are_singular_for_one() {
        assert_eq!(spec_of(Kind::Hex, SizeUnit::Bytes, 1).size_text(), "1 byte");
        assert_eq!(
            spec_of(Kind::Hex, SizeUnit::Bytes, 2).size_text(),
            "2 bytes"
        );
        assert_eq!(
            spec_of(Kind::Alnum, SizeUnit::Length, 1).size_text(),
            "1 character"
        );
        let custom = Kind::Custom(envmint::generate::Alphabet::new("ab").unwrap());
        assert_eq!(
            spec_of(custom, SizeUnit::Length, 40).size_text(),
            "40 characters"
        );
    }
}
