//! The sentences for a size that does not fit its kind and for a secret under the floor, with
//! their hints: written once here, worded for the command line (`gen --bytes 8`) or for the
//! manifest (`bytes = 8`). [`crate::report`] calls them for `Error::Size` and for a manifest's
//! `ManifestProblem::Size`.

use envmint::generate::{MIN_BITS, SizeUnit, Spec, SpecError, format_bits};

/// Where the reader wrote the size, and so how a message names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeSyntax {
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

/// The refusal of a size, worded for `syntax`. A unit that does not fit the kind says which
/// fits; a zero or too large size has no hint here (the manifest adds its default size).
pub fn spec(err: &SpecError, syntax: SizeSyntax) -> Advice {
    let (unit, what) = match err {
        SpecError::Mismatch {
            kind,
            given,
            expected,
        } => {
            // The command line says why: `gen` users meet the two families there first.
            let why = match (syntax, expected) {
                (SizeSyntax::Field, _) => "",
                (SizeSyntax::Flag, SizeUnit::Bytes) => {
                    ", a byte kind: its size is the number of random bytes"
                }
                (SizeSyntax::Flag, _) => ", an alphabet kind: its size is the number of characters",
            };
            return Advice {
                message: format!("{} does not apply to {kind}{why}", syntax.unit(*given)),
                hint: Some(format!(
                    "use {} or {}",
                    syntax.setting(*expected, "N"),
                    syntax.setting(SizeUnit::Bits, "N")
                )),
            };
        }
        SpecError::Zero(unit) => (unit, format!("{} must be at least 1", unit.name())),
        SpecError::TooLarge { unit, max } => (
            unit,
            format!("{} is too large (at most {max})", unit.name()),
        ),
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
/// size that is not. `key` names the declared secret in a manifest; without one the spec
/// describes itself (`hex of 8 bytes`).
pub fn weak(spec: &Spec, key: Option<&str>, syntax: SizeSyntax) -> Advice {
    let subject = match key {
        Some(key) => key.to_string(),
        None => format!("{} of {}", spec.kind().name(), spec.size_text()),
    };
    let enough = syntax.setting(spec.kind().native_unit(), spec.min_strong_amount());
    let bits = syntax.setting(SizeUnit::Bits, MIN_BITS);
    Advice {
        message: format!(
            "{subject} has {} bits of entropy, under the {MIN_BITS}-bit floor",
            format_bits(spec.bits())
        ),
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

    fn mismatch(kind: Kind, unit: SizeUnit) -> SpecError {
        Spec::new(kind, Some(Size { unit, amount: 10 })).unwrap_err()
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
            spec(&hex, SizeSyntax::Flag),
            advice(
                "--length does not apply to hex, a byte kind: its size is the number of \
                 random bytes",
                Some("use --bytes N or --bits N")
            )
        );
        assert_eq!(
            spec(&hex, SizeSyntax::Field),
            advice(
                "`length` does not apply to hex",
                Some("use `bytes = N` or `bits = N`")
            )
        );
        let alnum = mismatch(Kind::Alnum, SizeUnit::Bytes);
        assert_eq!(
            spec(&alnum, SizeSyntax::Flag),
            advice(
                "--bytes does not apply to alnum, an alphabet kind: its size is the number of \
                 characters",
                Some("use --length N or --bits N")
            )
        );
        assert_eq!(
            spec(&alnum, SizeSyntax::Field).hint.as_deref(),
            Some("use `length = N` or `bits = N`")
        );
    }

    #[test]
    fn zero_and_too_large_have_no_hint_of_their_own() {
        let zero = SpecError::Zero(SizeUnit::Bytes);
        assert_eq!(
            spec(&zero, SizeSyntax::Flag),
            advice("--bytes: bytes must be at least 1", None)
        );
        assert_eq!(
            spec(&zero, SizeSyntax::Field),
            advice("bytes must be at least 1", None)
        );
        let large = SpecError::TooLarge {
            unit: SizeUnit::Bits,
            max: 8,
        };
        assert_eq!(
            spec(&large, SizeSyntax::Flag).message,
            "--bits: bits is too large (at most 8)"
        );
    }

    #[test]
    fn weak_secrets_name_the_floor_and_the_smallest_strong_size() {
        let hex = spec_of(Kind::Hex, SizeUnit::Bytes, 8);
        assert_eq!(
            weak(&hex, None, SizeSyntax::Flag),
            advice(
                "hex of 8 bytes has 64 bits of entropy, under the 128-bit floor",
                Some(
                    "use --bytes 16 or more (or --bits 128), or pass --allow-weak if a legacy \
                     system needs it"
                )
            )
        );
        let alnum = spec_of(Kind::Alnum, SizeUnit::Length, 21);
        assert_eq!(
            weak(&alnum, Some("DB"), SizeSyntax::Field),
            advice(
                "DB has 125.03 bits of entropy, under the 128-bit floor",
                Some("use `length = 22` or more, or `bits = 128`")
            )
        );
        assert!(
            weak(
                &spec_of(Kind::Hex, SizeUnit::Bytes, 1),
                None,
                SizeSyntax::Flag
            )
            .message
            .starts_with("hex of 1 byte has 8 bits")
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
