//! The sentences for a size that does not fit its kind and for a secret under the floor, with
//! their hints: written once here, worded for the command line or for the manifest.

use super::{MIN_BITS, SizeUnit, Spec, SpecError, format_bits};
use crate::error::Error;

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

/// On the command line, a size that cannot be honoured is a usage error (exit 2).
impl From<Advice> for Error {
    fn from(advice: Advice) -> Error {
        let error = Error::usage(advice.message);
        match advice.hint {
            Some(hint) => error.with_hint(hint),
            None => error,
        }
    }
}

impl SpecError {
    /// The refusal worded for `syntax`. A unit that does not fit the kind says which fits;
    /// a zero or too large size has no hint here (the manifest adds its default size).
    pub fn advice(&self, syntax: SizeSyntax) -> Advice {
        match self {
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
                    (SizeSyntax::Flag, _) => {
                        ", an alphabet kind: its size is the number of characters"
                    }
                };
                Advice {
                    message: format!("{} does not apply to {kind}{why}", syntax.unit(*given)),
                    hint: Some(format!(
                        "use {} or {}",
                        syntax.setting(*expected, "N"),
                        syntax.setting(SizeUnit::Bits, "N")
                    )),
                }
            }
            SpecError::Zero(unit) | SpecError::TooLarge { unit, .. } => Advice {
                message: match syntax {
                    SizeSyntax::Flag => format!("--{}: {self}", unit.name()),
                    SizeSyntax::Field => self.to_string(),
                },
                hint: None,
            },
        }
    }
}

impl Spec {
    /// `32 bytes`, `1 character`: the resolved size in the kind's own unit, for sentences.
    pub fn size_text(&self) -> String {
        let unit = if self.kind.is_byte_kind() {
            "byte"
        } else {
            "character"
        };
        let s = if self.amount == 1 { "" } else { "s" };
        format!("{} {unit}{s}", self.amount)
    }

    /// Why this spec is refused under [`MIN_BITS`] (call it when [`Spec::is_weak`]), and the
    /// smallest size that is not. `key` names the declared secret in a manifest; without one
    /// the spec describes itself (`hex of 8 bytes`).
    pub fn weak_advice(&self, key: Option<&str>, syntax: SizeSyntax) -> Advice {
        let subject = match key {
            Some(key) => key.to_string(),
            None => format!("{} of {}", self.kind.name(), self.size_text()),
        };
        let enough = syntax.setting(self.kind.native_unit(), self.min_strong_amount());
        let bits = syntax.setting(SizeUnit::Bits, MIN_BITS);
        Advice {
            message: format!(
                "{subject} has {} bits of entropy, under the {MIN_BITS}-bit floor",
                format_bits(self.bits())
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::test_util::spec;
    use crate::generate::{Kind, Size};

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
            hex.advice(SizeSyntax::Flag),
            advice(
                "--length does not apply to hex, a byte kind: its size is the number of \
                 random bytes",
                Some("use --bytes N or --bits N")
            )
        );
        assert_eq!(
            hex.advice(SizeSyntax::Field),
            advice(
                "`length` does not apply to hex",
                Some("use `bytes = N` or `bits = N`")
            )
        );
        let alnum = mismatch(Kind::Alnum, SizeUnit::Bytes);
        assert_eq!(
            alnum.advice(SizeSyntax::Flag),
            advice(
                "--bytes does not apply to alnum, an alphabet kind: its size is the number of \
                 characters",
                Some("use --length N or --bits N")
            )
        );
        assert_eq!(
            alnum.advice(SizeSyntax::Field).hint.as_deref(),
            Some("use `length = N` or `bits = N`")
        );
    }

    #[test]
    fn zero_and_too_large_have_no_hint_of_their_own() {
        let zero = SpecError::Zero(SizeUnit::Bytes);
        assert_eq!(
            zero.advice(SizeSyntax::Flag),
            advice("--bytes: bytes must be at least 1", None)
        );
        assert_eq!(
            zero.advice(SizeSyntax::Field),
            advice("bytes must be at least 1", None)
        );
        let large = SpecError::TooLarge {
            unit: SizeUnit::Bits,
            max: 8,
        };
        assert_eq!(
            large.advice(SizeSyntax::Flag).message,
            "--bits: bits is too large (at most 8)"
        );
    }

    #[test]
    fn weak_secrets_name_the_floor_and_the_smallest_strong_size() {
        let hex = spec(Kind::Hex, SizeUnit::Bytes, 8);
        assert_eq!(
            hex.weak_advice(None, SizeSyntax::Flag),
            advice(
                "hex of 8 bytes has 64 bits of entropy, under the 128-bit floor",
                Some(
                    "use --bytes 16 or more (or --bits 128), or pass --allow-weak if a legacy \
                     system needs it"
                )
            )
        );
        let alnum = spec(Kind::Alnum, SizeUnit::Length, 21);
        assert_eq!(
            alnum.weak_advice(Some("DB"), SizeSyntax::Field),
            advice(
                "DB has 125.03 bits of entropy, under the 128-bit floor",
                Some("use `length = 22` or more, or `bits = 128`")
            )
        );
        assert!(
            spec(Kind::Hex, SizeUnit::Bytes, 1)
                .weak_advice(None, SizeSyntax::Flag)
                .message
                .starts_with("hex of 1 byte has 8 bits")
        );
    }

    #[test]
    fn sizes_are_singular_for_one() {
        assert_eq!(spec(Kind::Hex, SizeUnit::Bytes, 1).size_text(), "1 byte");
        assert_eq!(spec(Kind::Hex, SizeUnit::Bytes, 2).size_text(), "2 bytes");
        assert_eq!(
            spec(Kind::Alnum, SizeUnit::Length, 1).size_text(),
            "1 character"
        );
        let custom = Kind::Custom(crate::generate::Alphabet::new("ab").unwrap());
        assert_eq!(
            spec(custom, SizeUnit::Length, 40).size_text(),
            "40 characters"
        );
    }

    #[test]
    fn a_command_line_refusal_is_a_usage_error_with_its_hint() {
        let e =
            Error::from(spec(Kind::Hex, SizeUnit::Bytes, 8).weak_advice(None, SizeSyntax::Flag));
        assert_eq!(e.exit(), crate::Exit::Usage);
        assert!(e.hint().unwrap().contains("--allow-weak"));
        let e = Error::from(SpecError::Zero(SizeUnit::Bits).advice(SizeSyntax::Flag));
        assert_eq!(e.hint(), None);
    }
}
