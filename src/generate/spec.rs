//! Sizes and entropy: a [`Spec`] is a kind with a resolved size, and knows its bits.

use super::{Kind, SizeUnit};

/// Secrets under this many bits are refused unless the caller explicitly allows weak ones.
pub const MIN_BITS: f64 = 128.0;

/// The largest size accepted for `bytes`, `length` (and so for `bits / 8`): far above any real
/// secret, low enough that a typo cannot ask for gigabytes.
pub const MAX_SIZE: usize = 1 << 20;

/// Every kind without an explicit size gets at least this much entropy (32 bytes).
pub const DEFAULT_BITS: u64 = 256;

/// A requested size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Which unit.
    pub unit: SizeUnit,
    /// How many.
    pub amount: u64,
}

/// Why a kind/size combination was refused. The caller words it for its flag or field names.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SpecError {
    /// A size unit that the kind does not take (`--length` with hex); `use` is the unit to use.
    Mismatch {
        /// The kind's name.
        kind: String,
        /// The unit given.
        given: SizeUnit,
        /// The unit that fits.
        expected: SizeUnit,
    },
    /// A size of zero.
    Zero(SizeUnit),
    /// A size over [`MAX_SIZE`] bytes or characters (`max` is in the unit given: for bits, what
    /// [`MAX_SIZE`] units of this kind hold).
    TooLarge {
        /// The unit given.
        unit: SizeUnit,
        /// The largest accepted amount in that unit.
        max: u64,
    },
}

/// A kind with a resolved size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    // Visible to the generator and the value check beside this file; outside, only through
    // `Spec::new`, so a spec is always within the limits.
    pub(super) kind: Kind,
    /// Random bytes for byte kinds, characters for alphabet kinds.
    pub(super) amount: usize,
    /// Text written around every value (`format = "base64:{value}"`), if any.
    pub(super) format: Option<Format>,
}

/// The text a framework expects around a key (`format = "base64:{value}"`, Laravel's
/// `APP_KEY`): a fixed prefix and suffix around the encoded random value. Sizes, entropy and
/// the checks of a kept value are about the part between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Format {
    prefix: String,
    suffix: String,
}

/// The placeholder of a [`Format`].
pub const VALUE_PLACEHOLDER: &str = "{value}";

impl Format {
    /// Parses `text`, which must hold [`VALUE_PLACEHOLDER`] exactly once; else how many it has.
    pub fn parse(text: &str) -> Result<Format, usize> {
        let count = text.matches(VALUE_PLACEHOLDER).count();
        match text.split_once(VALUE_PLACEHOLDER) {
            Some((prefix, suffix)) if count == 1 => Ok(Format {
                prefix: prefix.to_string(),
                suffix: suffix.to_string(),
            }),
            _ => Err(count),
        }
    }

    /// The text before the value.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The text after the value.
    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    /// The value inside `text`, when `text` has this format's prefix and suffix.
    pub fn inner<'a>(&self, text: &'a str) -> Option<&'a str> {
        text.strip_prefix(self.prefix.as_str())?
            .strip_suffix(self.suffix.as_str())
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{VALUE_PLACEHOLDER}{}", self.prefix, self.suffix)
    }
}

impl Spec {
    /// Resolves a kind and an optional size. With no size, every kind gets at least
    /// [`DEFAULT_BITS`]. `bits` resolves to the smallest size with at least that entropy:
    /// `ceil(bits / 8)` bytes, or `ceil(bits / log2(alphabet size))` characters.
    pub fn new(kind: Kind, size: Option<Size>) -> Result<Spec, SpecError> {
        let size = size.unwrap_or(Size {
            unit: SizeUnit::Bits,
            amount: DEFAULT_BITS,
        });
        if size.amount == 0 {
            return Err(SpecError::Zero(size.unit));
        }
        let native = kind.native_unit();
        let amount = match size.unit {
            SizeUnit::Bits => {
                let max = (MAX_SIZE as f64 * kind.bits_per_unit()).floor() as u64;
                if size.amount > max {
                    return Err(SpecError::TooLarge {
                        unit: SizeUnit::Bits,
                        max,
                    });
                }
                units_for_bits(&kind, size.amount)
            }
            unit if unit == native => size.amount,
            given => {
                return Err(SpecError::Mismatch {
                    kind: kind.name().to_string(),
                    given,
                    expected: native,
                });
            }
        };
        if amount > MAX_SIZE as u64 {
            return Err(SpecError::TooLarge {
                unit: size.unit,
                max: MAX_SIZE as u64,
            });
        }
        Ok(Spec {
            kind,
            amount: amount as usize,
            format: None,
        })
    }

    /// This spec with every value written inside `format`.
    pub fn with_format(mut self, format: Format) -> Spec {
        self.format = Some(format);
        self
    }

    /// The text written around every value, if any.
    pub fn format(&self) -> Option<&Format> {
        self.format.as_ref()
    }

    /// The kind.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The resolved size in the kind's native unit (bytes or characters).
    pub fn amount(&self) -> usize {
        self.amount
    }

    /// Entropy of one secret, in bits.
    pub fn bits(&self) -> f64 {
        self.amount as f64 * self.kind.bits_per_unit()
    }

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

    /// Whether this spec falls under [`MIN_BITS`].
    pub fn is_weak(&self) -> bool {
        self.bits() < MIN_BITS
    }

    /// The smallest size of this kind that reaches [`MIN_BITS`] (for hints).
    pub fn min_strong_amount(&self) -> u64 {
        units_for_bits(&self.kind, MIN_BITS as u64)
    }

    /// Length in bytes of one encoded secret, with its [`Format`]'s text.
    pub fn encoded_len(&self) -> usize {
        let framing = self
            .format
            .as_ref()
            .map_or(0, |f| f.prefix.len() + f.suffix.len());
        self.raw_len() + framing
    }

    /// Length in bytes of the encoded random part alone.
    pub(super) fn raw_len(&self) -> usize {
        let n = self.amount;
        match self.kind {
            Kind::Hex => 2 * n,
            Kind::Base64 => n.div_ceil(3) * 4,
            Kind::Base64Url => (n * 4).div_ceil(3),
            Kind::Base32 => (n * 8).div_ceil(5),
            _ => n,
        }
    }
}

/// Bits shown to people: exact for whole numbers, else rounded *down* to 2 decimals so that a
/// report never overstates entropy.
pub fn format_bits(bits: f64) -> String {
    if bits.fract() == 0.0 {
        format!("{bits:.0}")
    } else {
        format!("{:.2}", (bits * 100.0).floor() / 100.0)
    }
}

fn units_for_bits(kind: &Kind, bits: u64) -> u64 {
    match kind.alphabet() {
        None => bits.div_ceil(8),
        Some(a) => {
            let per = (a.len() as f64).log2();
            let mut n = (bits as f64 / per).ceil() as u64;
            // Guard the float edge both ways: n must reach `bits`, n - 1 must not.
            while (n as f64) * per < bits as f64 {
                n += 1;
            }
            while n > 1 && ((n - 1) as f64) * per >= bits as f64 {
                n -= 1;
            }
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Alphabet;
    use crate::generate::kind::PASSWORD;
    use crate::generate::test_util::spec;

    #[test]
    fn default_is_at_least_256_bits_for_every_kind() {
        for name in Kind::NAMES {
            let s = Spec::new(Kind::from_name(name).unwrap(), None).unwrap();
            assert!(s.bits() >= 256.0, "{name}: {}", s.bits());
        }
        let hex = Spec::new(Kind::Hex, None).unwrap();
        assert_eq!(hex.amount(), 32);
        assert_eq!(Spec::new(Kind::Alnum, None).unwrap().amount(), 43);
    }

    #[test]
    fn bits_round_up_to_whole_units_at_the_edges() {
        let b = |kind: Kind, bits| spec(kind, SizeUnit::Bits, bits).amount();
        assert_eq!(b(Kind::Hex, 128), 16);
        assert_eq!(b(Kind::Hex, 129), 17);
        assert_eq!(b(Kind::Hex, 1), 1);
        // log2(62) = 5.954: 21 chars = 125.04 bits, 22 chars = 130.99 bits.
        assert_eq!(b(Kind::Alnum, 128), 22);
        assert_eq!(b(Kind::Alnum, 125), 21);
        assert_eq!(b(Kind::Alnum, 126), 22);
        // Power-of-two alphabet: exact division must not round up.
        let hex16 = Kind::Custom(Alphabet::new("0123456789abcdef").unwrap());
        assert_eq!(b(hex16.clone(), 128), 32);
        assert_eq!(b(hex16, 129), 33);
        // password: 65 symbols, log2 = 6.0224: 21 chars = 126.47 bits, 22 = 132.49.
        assert_eq!(PASSWORD.len(), 65);
        assert_eq!(b(Kind::Password, 126), 21);
        assert_eq!(b(Kind::Password, 128), 22);
    }

    #[test]
    fn fail_size_units_that_do_not_fit_the_kind() {
        let err = Spec::new(
            Kind::Hex,
            Some(Size {
                unit: SizeUnit::Length,
                amount: 10,
            }),
        )
        .unwrap_err();
        assert_eq!(
            err,
            SpecError::Mismatch {
                kind: "hex".into(),
                given: SizeUnit::Length,
                expected: SizeUnit::Bytes
            }
        );
        let err = Spec::new(
            Kind::Password,
            Some(Size {
                unit: SizeUnit::Bytes,
                amount: 10,
            }),
        )
        .unwrap_err();
        assert!(matches!(
            err,
            SpecError::Mismatch {
                expected: SizeUnit::Length,
                ..
            }
        ));
        let zero = Size {
            unit: SizeUnit::Bytes,
            amount: 0,
        };
        assert_eq!(
            Spec::new(Kind::Hex, Some(zero)),
            Err(SpecError::Zero(SizeUnit::Bytes))
        );
        let huge = Size {
            unit: SizeUnit::Bits,
            amount: u64::MAX,
        };
        assert!(matches!(
            Spec::new(Kind::Alnum, Some(huge)),
            Err(SpecError::TooLarge { .. })
        ));
        // The limit named for bits is the real one: it is accepted, one more is not.
        let bits = |amount| Size {
            unit: SizeUnit::Bits,
            amount,
        };
        let max = (MAX_SIZE * 8) as u64;
        assert!(Spec::new(Kind::Hex, Some(bits(max))).is_ok());
        assert_eq!(
            Spec::new(Kind::Hex, Some(bits(max + 1))),
            Err(SpecError::TooLarge {
                unit: SizeUnit::Bits,
                max
            })
        );
    }

    #[test]
    fn weak_specs_are_flagged() {
        assert!(spec(Kind::Hex, SizeUnit::Bytes, 15).is_weak());
        assert!(!spec(Kind::Hex, SizeUnit::Bytes, 16).is_weak());
        assert!(spec(Kind::Alnum, SizeUnit::Length, 21).is_weak());
        assert!(!spec(Kind::Alnum, SizeUnit::Length, 22).is_weak());
        assert_eq!(
            spec(Kind::Alnum, SizeUnit::Length, 8).min_strong_amount(),
            22
        );
    }

    #[test]
    fn format_bits_never_overstates() {
        assert_eq!(format_bits(256.0), "256");
        assert_eq!(format_bits(130.999), "130.99");
        assert_eq!(format_bits(22.0 * (62f64).log2()), "130.99");
    }
}
