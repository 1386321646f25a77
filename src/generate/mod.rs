//! Secret kinds, sizes, entropy arithmetic and unbiased sampling.
//!
//! A [`Spec`] is a kind plus a resolved size; it knows its entropy in bits. A [`Generator`]
//! turns a spec and a caller-supplied [`CryptoRng`](rand::CryptoRng) into secrets, writing
//! into zeroizing buffers so that no copy of a value is left in freed memory.
//!
//! Two families of kinds:
//! - byte kinds (`hex`, `base64`, `base64url`, `base32`): N random bytes, then encoded, so the
//!   entropy is exactly `8 * N` bits;
//! - alphabet kinds (`alnum`, `password`, a custom alphabet): N characters drawn uniformly, so the
//!   entropy is `N * log2(alphabet size)` bits. Uniformity comes from rejection sampling: a random
//!   byte is used only when it falls below the largest multiple of the alphabet size that fits in
//!   256, never `byte % n` over the whole range (which favours the first `256 % n` characters).
//!
//! One concept a file: `kind` (the kinds, their characters and custom alphabets), `unit`
//! (the unit a size is given in), `spec` (sizes and entropy; the
//! sentences for a size that is refused are the binary's, `src/bin/envmint/advice.rs`),
//! `sampler` (unbiased characters), `encode` (the byte
//! kinds' encoders), `generator` (batches into zeroizing buffers) and `check` (whether a kept
//! value passes for its declaration).

mod check;
mod encode;
pub mod error;
mod generator;
mod kind;
mod sampler;
mod spec;
mod unit;

pub use check::{Problem, is_placeholder};
pub use generator::Generator;
pub use kind::{ALNUM, Alphabet, AlphabetError, Kind, PASSWORD};
pub use spec::{
    DEFAULT_BITS, Format, MAX_SIZE, MIN_BITS, Size, Spec, SpecError, VALUE_PLACEHOLDER, format_bits,
};
pub use unit::SizeUnit;

/// Where it lives now: [`crate::secret::reserve_zeroizing`]; kept here for the callers that
/// grow a buffer of generated secrets.
pub use crate::secret::reserve_zeroizing;

#[cfg(test)]
pub(crate) mod test_util {
    //! Fixtures shared by the tests of this module's files.
    use super::{Size, SizeUnit, Spec};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// A fixed-seed RNG: the same values on every run.
    pub fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(7)
    }

    /// A spec that must resolve.
    pub fn spec(kind: super::Kind, unit: SizeUnit, amount: u64) -> Spec {
        Spec::new(kind, Some(Size { unit, amount })).unwrap()
    }
}
