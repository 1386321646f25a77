//! The generate area's error: a size that cannot be honoured, on the command line or in a
//! manifest, and its words as a manifest's field says them (`` `bytes` ``). The command line's
//! words (`--bytes`) and the advice are the binary's.

use super::{MIN_BITS, SizeUnit, Spec, SpecError, format_bits};
use std::fmt;

/// A size that cannot be honoured, wherever it was written: the same problem reads as a flag
/// (`--bytes 16`) on the command line and as a field (`bytes = 16`) in a manifest. `Display`
/// says it as a field, and a weak size by its kind and size (`hex of 8 bytes`).
#[derive(Debug)]
#[non_exhaustive]
pub enum SizeProblem {
    /// A unit the kind does not take, a zero, or a size over the limit.
    Spec(SpecError),
    /// A size whose entropy is under [`crate::generate::MIN_BITS`].
    Weak(Spec),
}

/// A secret's size in a manifest that cannot be honoured. `Display` names the secret for a
/// weak size.
#[derive(Debug)]
pub struct SizeInManifest {
    /// The secret's key.
    pub key: String,
    /// What is wrong with the size.
    pub problem: SizeProblem,
    /// The unit the kind counts in, for the hint that names the default size.
    pub native: SizeUnit,
    /// The kind's default size in that unit.
    pub default: u64,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Mismatch { kind, given, .. } => {
                write!(f, "`{}` does not apply to {kind}", given.name())
            }
            SpecError::Zero(unit) => write!(f, "{} must be at least 1", unit.name()),
            SpecError::TooLarge { unit, max } => {
                write!(f, "{} is too large (at most {max})", unit.name())
            }
        }
    }
}

impl std::error::Error for SpecError {}

/// Writes a weak size: `subject` has N bits, under the floor.
fn weak(f: &mut fmt::Formatter<'_>, subject: &dyn fmt::Display, spec: &Spec) -> fmt::Result {
    write!(
        f,
        "{subject} has {} bits of entropy, under the {MIN_BITS}-bit floor",
        format_bits(spec.bits())
    )
}

impl fmt::Display for SizeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeProblem::Spec(e) => fmt::Display::fmt(e, f),
            SizeProblem::Weak(spec) => weak(
                f,
                &format_args!("{} of {}", spec.kind().name(), spec.size_text()),
                spec,
            ),
        }
    }
}

impl std::error::Error for SizeProblem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SizeProblem::Spec(e) => Some(e),
            SizeProblem::Weak(_) => None,
        }
    }
}

impl fmt::Display for SizeInManifest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            SizeProblem::Weak(spec) => weak(f, &self.key, spec),
            other => fmt::Display::fmt(other, f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Kind, Size};

    fn spec_of(kind: Kind, unit: SizeUnit, amount: u64) -> Spec {
        Spec::new(kind, Some(Size { unit, amount })).unwrap()
    }

    #[test]
    fn sizes_are_said_as_manifest_fields() {
        let hex = Spec::new(
            Kind::Hex,
            Some(Size {
                unit: SizeUnit::Length,
                amount: 10,
            }),
        )
        .unwrap_err();
        assert_eq!(hex.to_string(), "`length` does not apply to hex");
        let zero = SpecError::Zero(SizeUnit::Bytes);
        assert_eq!(zero.to_string(), "bytes must be at least 1");
        let large = SpecError::TooLarge {
            unit: SizeUnit::Bits,
            max: 8,
        };
        assert_eq!(large.to_string(), "bits is too large (at most 8)");
    }

    #[test]
    fn a_weak_size_names_its_secret_or_its_kind() {
        let weak = || SizeProblem::Weak(spec_of(Kind::Alnum, SizeUnit::Length, 21));
        assert_eq!(
            weak().to_string(),
            "alnum of 21 characters has 125.03 bits of entropy, under the 128-bit floor"
        );
        let in_manifest = SizeInManifest {
            key: "DB".into(),
            problem: weak(),
            native: SizeUnit::Length,
            default: 32,
        };
        assert_eq!(
            in_manifest.to_string(),
            "DB has 125.03 bits of entropy, under the 128-bit floor"
        );
        assert!(
            SizeProblem::Weak(spec_of(Kind::Hex, SizeUnit::Bytes, 1))
                .to_string()
                .starts_with("hex of 1 byte has 8 bits")
        );
    }
}
