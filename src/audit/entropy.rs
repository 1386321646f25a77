//! An honest estimate of the entropy of a value envmint did not generate.
//!
//! envmint cannot know how a value was made; it can bound how much guessing it takes at best.
//! The estimate is an upper bound for a value drawn at random from the characters it uses, cut
//! down where the value shows structure a guesser exploits:
//!
//! 1. **Alphabet.** The characters present decide the alphabet: all hex digits of one case
//!    is 16; otherwise the sum of the classes present: lowercase 26, uppercase 26, digits 10,
//!    `-`/`_` 2, `+`/`/`/`=` 3, other printable ASCII 27, anything else 128. A value is worth
//!    `log2(alphabet)` bits per character at most.
//! 2. **Runs.** A character that continues a run of three or more, repeats (`aaa`) or steps by
//!    one (`abc`, `321`), adds nothing: guessers try those first. Only the third character of a
//!    run on is discounted, so chance pairs in random text cost nothing.
//! 3. **Repeats.** A value made of one block repeated (`abcabcabc`) is worth its block.
//! 4. **Words.** A run of letters holding a common word or name found in passwords and
//!    example secrets (`password`, `secret`, `admin`, `qwerty`, `django`...) is worth
//!    [`WORD_BITS`] for the whole word, whatever its length.
//!
//! It over-estimates what people type (a phrase of rare words still scores high) and is exact
//! for uniformly random strings of one alphabet; below 128 bits it is a finding, not a proof.

/// Bits a dictionary word is worth: a guesser picks it from a list of about 2^11 words.
pub const WORD_BITS: f64 = 11.0;

/// Words found in leaked passwords, defaults and example secrets, lowercase, at least 4 letters.
const WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "admin",
    "administrator",
    "qwerty",
    "azerty",
    "letmein",
    "welcome",
    "dragon",
    "monkey",
    "master",
    "login",
    "hello",
    "shadow",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "batman",
    "trustno",
    "iloveyou",
    "changeme",
    "default",
    "example",
    "sample",
    "dummy",
    "test",
    "testing",
    "demo",
    "local",
    "localhost",
    "development",
    "staging",
    "production",
    "prod",
    "django",
    "rails",
    "laravel",
    "flask",
    "express",
    "node",
    "root",
    "user",
    "guest",
    "token",
    "apikey",
    "key",
    "private",
    "public",
    "insecure",
    "debug",
    "temp",
    "pass",
    "word",
    "summer",
    "winter",
    "spring",
    "autumn",
    "company",
    "secure",
    "database",
    "postgres",
    "mysql",
    "redis",
    "mongo",
    "admin123",
    "abcd",
    "asdf",
    "zxcv",
];

/// The estimated entropy of `value`, in bits (see the module documentation).
pub fn estimate_bits(value: &str) -> f64 {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    let body = smallest_block(&chars);
    let per_char = alphabet_size(body).log2();
    let words = word_spans(body);
    let mut bits = 0.0;
    let mut i = 0;
    while i < body.len() {
        if let Some(&(_, end)) = words.iter().find(|(start, _)| *start == i) {
            bits += WORD_BITS;
            i = end;
            continue;
        }
        if !continues_run(body, i) {
            bits += per_char;
        }
        i += 1;
    }
    bits
}

/// The shortest block that, repeated, makes `chars` (`abcabc` -> `abc`); `chars` itself when
/// none does.
fn smallest_block(chars: &[char]) -> &[char] {
    let n = chars.len();
    (1..=n / 2)
        .filter(|len| n.is_multiple_of(*len))
        .find(|&len| chars.chunks(len).all(|c| c == &chars[..len]))
        .map_or(chars, |len| &chars[..len])
}

/// The size of the alphabet the characters of `chars` are taken from.
fn alphabet_size(chars: &[char]) -> f64 {
    let hex_lower = chars.iter().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    let hex_upper = chars.iter().all(|c| matches!(c, '0'..='9' | 'A'..='F'));
    if hex_lower || hex_upper {
        return 16.0;
    }
    let mut classes = [false; 7];
    for &c in chars {
        let class = match c {
            'a'..='z' => 0,
            'A'..='Z' => 1,
            '0'..='9' => 2,
            '-' | '_' => 3,
            '+' | '/' | '=' => 4,
            c if c.is_ascii_graphic() || c == ' ' => 5,
            _ => 6,
        };
        classes[class] = true;
    }
    const SIZES: [f64; 7] = [26.0, 26.0, 10.0, 2.0, 3.0, 27.0, 128.0];
    classes
        .iter()
        .zip(SIZES)
        .filter(|(present, _)| **present)
        .map(|(_, size)| size)
        .sum()
}

/// Whether the character at `i` is the third or later of a run that repeats or steps by one.
fn continues_run(chars: &[char], i: usize) -> bool {
    if i < 2 {
        return false;
    }
    let step = |a: char, b: char| i64::from(u32::from(b)) - i64::from(u32::from(a));
    let d1 = step(chars[i - 2], chars[i - 1]);
    let d2 = step(chars[i - 1], chars[i]);
    d1 == d2 && d1.abs() <= 1
}

/// The spans (start, end) of dictionary words in `chars`, longest first at each position,
/// not overlapping, compared without case.
fn word_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < lower.len() {
        let best = WORDS
            .iter()
            .filter(|w| w.len() >= 4)
            // Compared in place: a `Vec` per word and position made a million values take
            // a minute and a half.
            .filter(|w| {
                let mut rest = lower[i..].iter();
                w.chars().all(|c| rest.next() == Some(&c))
            })
            .map(|w| w.len())
            .max();
        match best {
            Some(len) => {
                spans.push((i, i + len));
                i += len;
            }
            None => i += 1,
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_of_one_alphabet_are_exact() {
        // 64 hex characters (32 random bytes) without runs: 256 bits.
        let hex = "3f9a0c7e5b12d84f6a0e9c3b7d51f28a4c6e0b9d2f7a13c5e8b04d6f1a3c7e92";
        assert_eq!(estimate_bits(hex), 256.0);
        // 22 alphanumerics: 22 * log2(62) = 130.99.
        let alnum = "k3Jq9ZrT0vXw2LmB7nYc4H";
        assert!((estimate_bits(alnum) - 22.0 * 62f64.log2()).abs() < 1e-9);
    }

    #[test]
    fn structure_costs_bits() {
        assert_eq!(estimate_bits(""), 0.0);
        // A repeated block is worth one block.
        assert_eq!(estimate_bits("abc1abc1abc1"), estimate_bits("abc1"));
        // One character repeated is one hex character; in a run only the first two count.
        assert_eq!(estimate_bits("aaaaaaaa"), 4.0);
        assert_eq!(estimate_bits("zzzzzzzy"), 3.0 * 26f64.log2());
        assert_eq!(estimate_bits("bcdefghi"), 2.0 * 26f64.log2());
        // Words are worth WORD_BITS whatever their length.
        let w = estimate_bits("SuperSecretPassword");
        assert!(w < 60.0, "{w}");
        for weak in [
            "django-insecure-abc123",
            "mysecretpassword2024",
            "correcthorse",
        ] {
            assert!(
                estimate_bits(weak) < 128.0,
                "{weak}: {}",
                estimate_bits(weak)
            );
        }
    }

    #[test]
    fn strong_unmanaged_values_pass() {
        for strong in [
            "Zx8v2Qp7LmN4rT6wYb1Kc9Hd3Fj5Gs0a", // 32 alnum: 190 bits
            "q7NvR2mX9pL4zK8wT1yH6bC3fJ0dS5gA-_Ue",
        ] {
            assert!(estimate_bits(strong) >= 128.0, "{strong}");
        }
    }
}
