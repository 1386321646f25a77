//! Encoders of the byte kinds: random bytes in, ASCII out, into a buffer the caller sized.

use super::Kind;
use super::kind::HEX;
use base64::Engine as _;

/// Encodes `src` with a byte kind into `dst`, which has exactly the encoded length.
pub(super) fn encode(kind: &Kind, src: &[u8], dst: &mut [u8]) {
    match kind {
        Kind::Hex => hex_encode(src, dst),
        Kind::Base64 => {
            base64::engine::general_purpose::STANDARD
                .encode_slice(src, dst)
                .expect("sized for base64");
        }
        Kind::Base64Url => {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode_slice(src, dst)
                .expect("sized for base64url");
        }
        // In place, into the caller's zeroizing buffer: `encode_mut` reads `src` where it lies
        // (the last, short group too, without copying it) and keeps no buffer of its own.
        Kind::Base32 => data_encoding::BASE32_NOPAD.encode_mut(src, dst),
        Kind::Alnum | Kind::Password | Kind::Custom(_) => unreachable!("not a byte kind"),
    }
}

/// Lower-case hex through a 256-entry table of digit pairs: twice as fast as the `hex` crate's
/// per-nibble loop, which matters at 20 million secrets a second.
fn hex_encode(src: &[u8], dst: &mut [u8]) {
    static PAIRS: [[u8; 2]; 256] = {
        let digits = HEX.as_bytes();
        let mut t = [[0u8; 2]; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = [digits[i >> 4], digits[i & 15]];
            i += 1;
        }
        t
    };
    for (pair, &b) in dst.chunks_exact_mut(2).zip(src) {
        pair.copy_from_slice(&PAIRS[b as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::kind::BASE32;
    use crate::generate::test_util::{rng, spec};
    use crate::generate::{Alphabet, Generator, SizeUnit};

    #[test]
    fn every_kind_has_its_length_alphabet_and_decoded_size() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let mut r = rng();
        for bytes in [1u64, 2, 3, 4, 5, 16, 31, 32, 33, 64] {
            for kind in [Kind::Hex, Kind::Base64, Kind::Base64Url, Kind::Base32] {
                let s = spec(kind.clone(), SizeUnit::Bytes, bytes);
                let mut g = Generator::new(s.clone());
                let v = g.generate(&mut r);
                let v = v.expose();
                assert_eq!(v.len(), s.encoded_len(), "{kind:?} {bytes}");
                assert!(
                    v.chars().all(|c| kind.charset().contains(c)),
                    "{kind:?} {v}"
                );
                let decoded = match kind {
                    Kind::Hex => hex::decode(v).unwrap(),
                    Kind::Base64 => STANDARD.decode(v).unwrap(),
                    Kind::Base64Url => URL_SAFE_NO_PAD.decode(v).unwrap(),
                    Kind::Base32 => base32_decode(v),
                    _ => unreachable!(),
                };
                assert_eq!(decoded.len() as u64, bytes, "{kind:?}");
            }
        }
        for kind in [
            Kind::Alnum,
            Kind::Password,
            Kind::Custom(Alphabet::new("xyz#!").unwrap()),
        ] {
            let s = spec(kind.clone(), SizeUnit::Length, 40);
            let v = Generator::new(s).generate(&mut r);
            assert_eq!(v.len(), 40);
            assert!(v.expose().chars().all(|c| kind.charset().contains(c)));
        }
    }

    fn base32_decode(s: &str) -> Vec<u8> {
        let mut bits = 0u64;
        let mut nbits = 0;
        let mut out = vec![];
        for c in s.bytes() {
            let v = BASE32.bytes().position(|x| x == c).unwrap() as u64;
            bits = (bits << 5) | v;
            nbits += 5;
            if nbits >= 8 {
                out.push((bits >> (nbits - 8)) as u8);
                nbits -= 8;
            }
        }
        out
    }

    #[test]
    fn hex_table_matches_the_hex_crate() {
        let all: Vec<u8> = (0..=255).collect();
        let mut dst = vec![0u8; 512];
        hex_encode(&all, &mut dst);
        assert_eq!(std::str::from_utf8(&dst).unwrap(), hex::encode(&all));
    }

    #[test]
    fn base32_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (input, want) in cases {
            let mut dst = vec![0u8; (input.len() * 8).div_ceil(5)];
            encode(&Kind::Base32, input.as_bytes(), &mut dst);
            assert_eq!(std::str::from_utf8(&dst).unwrap(), want);
        }
    }
}
