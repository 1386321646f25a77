//! Unbiased sampling of characters from an alphabet.

use rand::CryptoRng;

/// The largest multiple of `n` (the alphabet size, 2 to 256) that fits in 256: a random byte is
/// used only when it falls below it.
pub(super) fn rejection_zone(n: usize) -> u16 {
    (256 / n * n) as u16
}

/// Fills `dst` with characters of `alphabet`, each uniform, by rejection sampling: a random
/// byte `b` is accepted only when `b < zone` (the largest multiple of the alphabet size that
/// fits in 256), and then maps to `alphabet[b % n]`, so every character has exactly
/// `zone / n` accepting bytes.
pub(super) fn sample<R: CryptoRng + ?Sized>(
    alphabet: &[u8],
    zone: u16,
    rng: &mut R,
    scratch: &mut [u8],
    dst: &mut [u8],
) {
    let n = alphabet.len();
    let mut filled = 0;
    while filled < dst.len() {
        // Ask for what is missing plus a margin for rejections, within the scratch buffer.
        let want = ((dst.len() - filled) * 2).clamp(16, scratch.len());
        let chunk = &mut scratch[..want];
        rng.fill_bytes(chunk);
        for &b in chunk.iter() {
            if u16::from(b) < zone {
                dst[filled] = alphabet[b as usize % n];
                filled += 1;
                if filled == dst.len() {
                    break;
                }
            }
        }
    }
    // The scratch buffer is zeroized when its generator drops; wiping it per secret would
    // double the cost of `gen alnum -n 1000000`.
}

#[cfg(test)]
mod tests {
    use crate::generate::test_util::spec;
    use crate::generate::{ALNUM, Alphabet, Generator, Kind, PASSWORD, SizeUnit};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zeroize::Zeroizing;

    // --- Uniformity -------------------------------------------------------------------------

    /// Chi-square statistic of `counts` against a uniform distribution.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&c| {
                let d = c as f64 - expected;
                d * d / expected
            })
            .sum()
    }

    /// Critical value of chi-square with `df` degrees of freedom at p = 1e-9 (Wilson-Hilferty
    /// approximation, z = 6.0): a correct sampler fails this about once in a billion runs.
    fn critical(df: usize) -> f64 {
        let k = df as f64;
        let z = 6.0;
        k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
    }

    fn counts_of(alphabet: &str, text: &[u8]) -> Vec<u64> {
        let mut counts = vec![0u64; alphabet.len()];
        for &b in text {
            counts[alphabet.bytes().position(|c| c == b).unwrap()] += 1;
        }
        counts
    }

    const SAMPLE_CHARS: usize = 1_200_000;

    #[test]
    fn every_alphabet_kind_is_uniform_over_a_million_characters() {
        let kinds = [
            Kind::Alnum,
            Kind::Password,
            Kind::Custom(Alphabet::new("0123456789").unwrap()),
            Kind::Custom(Alphabet::new("abc").unwrap()),
        ];
        // Fresh OS-seeded RNG: the test must hold for any seed, not one picked to pass.
        let mut r = ChaCha20Rng::from_rng(&mut rand::rng());
        for kind in kinds {
            let alphabet = kind.charset().to_string();
            let mut g = Generator::new(spec(kind, SizeUnit::Length, 1000));
            let mut text = Zeroizing::new(Vec::new());
            while text.len() < SAMPLE_CHARS {
                g.append(&mut r, &mut text);
            }
            let stat = chi_square(&counts_of(&alphabet, &text));
            let limit = critical(alphabet.len() - 1);
            assert!(stat < limit, "{alphabet}: chi2 {stat:.1} >= {limit:.1}");
        }
    }

    /// Not random at all: yields 0, 1, ..., 255, 0, 1, ... So over whole cycles every byte
    /// value comes up equally often, and a sampler's counts can be checked exactly.
    struct CountingRng(u8);

    impl rand::TryRng for CountingRng {
        type Error = std::convert::Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0u8; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }

        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0u8; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                *b = self.0;
                self.0 = self.0.wrapping_add(1);
            }
            Ok(())
        }
    }

    // Only for these tests: it lets the generator accept the counting RNG.
    impl rand::TryCryptoRng for CountingRng {}

    /// Counts of each character of `alphabet` over `cycles` secrets of `zone` characters (the
    /// accepted byte values per cycle). The sampler asks for 256 bytes at a time, so each secret
    /// takes exactly one cycle of the counting RNG, which starts at `zone`: a sampler that also
    /// used the bytes `zone..=255` (plain `byte % n`) would meet them first and be caught.
    fn exact_counts(alphabet: &str, cycles: usize) -> Vec<u64> {
        let n = alphabet.len();
        let zone = 256 / n * n;
        let kind = Kind::Custom(Alphabet::new(alphabet).unwrap());
        let mut g = Generator::new(spec(kind, SizeUnit::Length, zone as u64));
        let start = zone as u8; // 256 wraps to 0: then no byte is rejected anyway
        let mut rng = CountingRng(start);
        let mut text = Zeroizing::new(Vec::new());
        for _ in 0..cycles {
            g.append(&mut rng, &mut text);
            assert_eq!(
                rng.0, start,
                "{alphabet}: one secret, one cycle of 256 bytes"
            );
        }
        counts_of(alphabet, &text)
    }

    #[test]
    fn every_character_gets_exactly_its_share_of_the_byte_values() {
        // Every alphabet size, from 2 to 94, and the built-in alphabets: each of 256 / n * n
        // accepted byte values maps to one character, 256 / n of them to each.
        let printable: String = ('!'..='~').collect();
        let mut alphabets: Vec<String> = (2..=94).map(|n| printable[..n].to_string()).collect();
        alphabets.extend([ALNUM.to_string(), PASSWORD.to_string(), "abc".to_string()]);
        for alphabet in alphabets {
            let counts = exact_counts(&alphabet, 3);
            let share = (256 / alphabet.len() * 3) as u64;
            assert!(
                counts.iter().all(|&c| c == share),
                "{alphabet}: {counts:?}, each should be {share}"
            );
        }
    }

    #[test]
    fn fail_the_exact_count_catches_a_modulo_sampler_on_three_characters() {
        // `byte % 3` over the first 255 bytes of a cycle starting at 255 (what the generator
        // would take if it used every byte): 255 maps to `a`, and 254 is never reached, so `a`
        // gets 86, `c` 84. The chi-square test above cannot see a bias this small (expected
        // statistic about 39 against a limit of about 48); the exact count does.
        let mut rng = CountingRng(255);
        let mut raw = [0u8; 255];
        rand::Rng::fill_bytes(&mut rng, &mut raw);
        let biased: Vec<u8> = raw.iter().map(|&b| b"abc"[b as usize % 3]).collect();
        assert_eq!(counts_of("abc", &biased), [86, 85, 84]);
    }

    #[test]
    fn fail_the_same_check_catches_a_modulo_sampler() {
        // `byte % 62` over all 256 bytes favours the first 8 characters (5/256 vs 4/256).
        let mut r = ChaCha20Rng::from_rng(&mut rand::rng());
        let mut raw = vec![0u8; SAMPLE_CHARS];
        rand::Rng::fill_bytes(&mut r, &mut raw);
        let biased: Vec<u8> = raw
            .iter()
            .map(|&b| ALNUM.as_bytes()[b as usize % 62])
            .collect();
        let stat = chi_square(&counts_of(ALNUM, &biased));
        let limit = critical(61);
        assert!(
            stat > limit,
            "biased sampler passed: chi2 {stat:.1} < {limit:.1}"
        );
    }
}
