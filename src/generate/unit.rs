//! The unit a size is given in: bytes, bits or characters.

/// How a size was given: the three size flags/fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeUnit {
    /// `--bytes` / `bytes =`: only for byte kinds.
    Bytes,
    /// `--bits` / `bits =`: for every kind.
    Bits,
    /// `--length` / `length =`: only for alphabet kinds.
    Length,
}

impl SizeUnit {
    /// The field/flag name without dashes: `bytes`, `bits`, `length`.
    pub fn name(self) -> &'static str {
        match self {
            SizeUnit::Bytes => "bytes",
            SizeUnit::Bits => "bits",
            SizeUnit::Length => "length",
        }
    }
}
