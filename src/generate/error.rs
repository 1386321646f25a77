//! The generate area's error: a size that cannot be honoured, on the command line or in a
//! manifest.

use super::{SizeUnit, Spec, SpecError};

/// A size that cannot be honoured, wherever it was written: the same problem reads as a flag
/// (`--bytes 16`) on the command line and as a field (`bytes = 16`) in a manifest.
#[derive(Debug)]
pub enum SizeProblem {
    /// A unit the kind does not take, a zero, or a size over the limit.
    Spec(SpecError),
    /// A size whose entropy is under [`crate::generate::MIN_BITS`].
    Weak(Spec),
}

/// A secret's size in a manifest that cannot be honoured.
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
