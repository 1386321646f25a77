//! Does a value someone else put in a file look like a secret of its declaration?
//!
//! envmint cannot know whether a kept value is random; it can tell a value that is surely not
//! what the manifest declares: empty, a known placeholder, the wrong length, or characters the
//! kind never produces. [`Spec::check`] says which, never echoing the value.

use super::{ALNUM, Kind, SizeUnit, Spec};
use base64::Engine as _;
use std::fmt;

/// Why a value does not pass for a secret of its declaration. Holds counts and kind names
/// only: never a part of the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The value is empty.
    Empty,
    /// A known placeholder: `changeme`, `secret`, `your-...`, `xxx`, `<...>`, `TODO`, one
    /// character repeated...
    Placeholder,
    /// The same value as in the template beside the file (`.env.example`). [`Spec::check`]
    /// does not find this one; callers that read the template do.
    SameAsExample,
    /// A control character (NUL, a line break inside a quoted value...).
    ControlChar,
    /// Not in the declared `format` (`base64:{value}`): the prefix or suffix is missing.
    Format {
        /// The format, as declared.
        format: String,
    },
    /// Characters no quoting makes every dotenv reader and sh read alike (`${`, `\\`, a
    /// single quote beside a `$`...): envmint could not write the value back, as a retired
    /// value in any overlap form, without some reader getting another one.
    Unportable(crate::dotenv::UnsafeChar),
    /// The separator of the secret's `previous` list: retired into the list, it would read back
    /// as two values. [`Spec::check`] does not find this one (it needs the declaration).
    HoldsSeparator {
        /// The list variable.
        list: String,
    },
    /// A character the kind never produces.
    Alphabet {
        /// The kind's name (`hex`, `alphabet` for a custom one).
        kind: &'static str,
    },
    /// The wrong size: `found` bytes (byte kinds: what the value decodes to) or characters.
    Size {
        /// The size found.
        found: usize,
        /// Bytes or characters (`Length`).
        unit: SizeUnit,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("empty"),
            Problem::Placeholder => f.write_str("placeholder"),
            Problem::SameAsExample => f.write_str("same value as in .env.example"),
            Problem::ControlChar => f.write_str("holds a control character"),
            Problem::Format { format } => write!(f, "not in the form {format}"),
            Problem::Unportable(c) => write!(
                f,
                "holds {c}, which no quoting makes every dotenv reader and sh read alike"
            ),
            Problem::HoldsSeparator { list } => {
                write!(f, "holds the separator of its previous list {list}")
            }
            Problem::Alphabet { kind: "alphabet" } => {
                f.write_str("has characters outside the declared alphabet")
            }
            Problem::Alphabet { kind } => write!(f, "has characters outside {kind}"),
            Problem::Size { found, unit } => {
                let unit = if *unit == SizeUnit::Bytes {
                    "byte"
                } else {
                    "character"
                };
                let s = if *found == 1 { "" } else { "s" };
                write!(f, "{found} {unit}{s} long")
            }
        }
    }
}

/// Values people leave in place of a secret, compared without case.
const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "change_this",
    "change-this",
    "changeit",
    "replaceme",
    "replace_me",
    "replace-me",
    "secret",
    "secretkey",
    "secret_key",
    "password",
    "passwd",
    "example",
    "placeholder",
    "todo",
    "fixme",
    "tbd",
    "default",
    "dummy",
    "test",
    "null",
    "none",
    "undefined",
];

/// Words that mark a value as a placeholder wherever they occur (`django-insecure-...`).
const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "replaceme",
    "replace_me",
    "replace-me",
    "insecure",
];

/// Whether `value` is a known placeholder rather than a secret: a known word (`changeme`,
/// `secret`, `password`...), `your-...`, `<...>`, `xxx...` (with `-` or `_` between), one
/// character repeated (base64 padding aside), or a value containing `changeme`, `replace-me` or
/// `insecure`. Case does not matter.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    if PLACEHOLDERS.contains(&v.as_str()) || PLACEHOLDER_PARTS.iter().any(|p| v.contains(p)) {
        return true;
    }
    if ["your-", "your_", "your ", "your."]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return true;
    }
    if (v.starts_with('<') && v.ends_with('>')) || (v.starts_with("{{") && v.ends_with("}}")) {
        return true;
    }
    // Base64 padding is not part of the pattern: `AAAA...A=` is 32 zero bytes.
    let body = v.trim_end_matches('=');
    let xs = body.bytes().filter(|&b| b == b'x').count();
    if xs >= 3 && body.bytes().all(|b| matches!(b, b'x' | b'-' | b'_' | b'.')) {
        return true;
    }
    let mut chars = body.chars();
    chars
        .next()
        .is_some_and(|first| body.len() >= 2 && chars.all(|c| c == first))
}

impl Spec {
    /// Checks a value found in a file against this declaration, without revealing it.
    ///
    /// In order: empty, a control character, a placeholder ([`is_placeholder`]), then the form:
    /// byte kinds must decode to exactly the declared number of bytes (hex of either case,
    /// base64 and base32 with or without `=` padding), since a key size is often fixed;
    /// character kinds must use the kind's characters and be at least the declared length.
    /// The `password` kind accepts any printable ASCII, so that a password chosen by a person,
    /// or made with an older alphabet, is not reported.
    pub fn check(&self, value: &str) -> Result<(), Problem> {
        if value.is_empty() {
            return Err(Problem::Empty);
        }
        if value.chars().any(char::is_control) {
            return Err(Problem::ControlChar);
        }
        if let Some(c) = crate::dotenv::check_writable_value(value) {
            return Err(Problem::Unportable(c));
        }
        if is_placeholder(value) {
            return Err(Problem::Placeholder);
        }
        // The declared text around the value first; the rest is checked on what is inside.
        let value = match &self.format {
            None => value,
            Some(f) => match f.inner(value) {
                Some(inner) if is_placeholder(inner) => return Err(Problem::Placeholder),
                Some(inner) if !inner.is_empty() => inner,
                _ => {
                    return Err(Problem::Format {
                        format: f.to_string(),
                    });
                }
            },
        };
        let kind = self.kind.name();
        let outside = Problem::Alphabet { kind };
        let bytes = |found| Problem::Size {
            found,
            unit: SizeUnit::Bytes,
        };
        let found = match &self.kind {
            Kind::Hex => {
                if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(outside);
                }
                if !value.len().is_multiple_of(2) {
                    return Err(Problem::Size {
                        found: value.len(),
                        unit: SizeUnit::Length,
                    });
                }
                value.len() / 2
            }
            Kind::Base64 | Kind::Base64Url => {
                let url = self.kind == Kind::Base64Url;
                let body = value.trim_end_matches('=');
                let ok = |b: u8| {
                    b.is_ascii_alphanumeric()
                        || if url {
                            matches!(b, b'-' | b'_')
                        } else {
                            matches!(b, b'+' | b'/')
                        }
                };
                if !body.bytes().all(ok) || value.len() - body.len() > 2 {
                    return Err(outside);
                }
                let engine = if url {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                } else {
                    base64::engine::general_purpose::STANDARD_NO_PAD
                };
                match engine.decode(body) {
                    Ok(mut decoded) => {
                        let n = decoded.len();
                        zeroize::Zeroize::zeroize(&mut decoded);
                        n
                    }
                    // A length no encoding produces (one character over a block).
                    Err(_) => body.len() * 3 / 4,
                }
            }
            Kind::Base32 => {
                let body = value.trim_end_matches('=');
                // Either case: some tools print base32 in lower case.
                let alphabet = Kind::Base32.charset().as_bytes();
                if !body
                    .bytes()
                    .all(|b| alphabet.contains(&b.to_ascii_uppercase()))
                {
                    return Err(outside);
                }
                body.len() * 5 / 8
            }
            Kind::Alnum | Kind::Password | Kind::Custom(_) => {
                let allowed = |c: char| match &self.kind {
                    Kind::Alnum => ALNUM.contains(c),
                    Kind::Password => c.is_ascii_graphic(),
                    _ => self.kind.charset().contains(c),
                };
                if !value.chars().all(allowed) {
                    return Err(outside);
                }
                let n = value.chars().count();
                if n < self.amount {
                    return Err(Problem::Size {
                        found: n,
                        unit: SizeUnit::Length,
                    });
                }
                return Ok(());
            }
        };
        if found != self.amount {
            return Err(bytes(found));
        }
        // Base32 and base64 lengths that round to the right byte count but that no encoder
        // writes (a stray extra character) are caught by comparing with the encoded length.
        let body_len = value.trim_end_matches('=').len();
        let want = match self.kind {
            Kind::Base64 | Kind::Base64Url => (self.amount * 4).div_ceil(3),
            Kind::Base32 => (self.amount * 8).div_ceil(5),
            _ => body_len,
        };
        if body_len != want {
            return Err(Problem::Size {
                found: value.len(),
                unit: SizeUnit::Length,
            });
        }
        Ok(())
    }

    /// What a value of this spec is, for messages: `32-byte hex secret`,
    /// `32-character alnum secret`, `20-character secret of its alphabet`.
    pub fn describe(&self) -> String {
        let what = match &self.kind {
            Kind::Custom(_) => format!("{}-character secret of its alphabet", self.amount),
            k if k.is_byte_kind() => format!("{}-byte {} secret", self.amount, k.name()),
            k => format!("{}-character {} secret", self.amount, k.name()),
        };
        match &self.format {
            Some(f) => format!("{what} in the form {f}"),
            None => what,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::test_util::spec;
    use crate::generate::{Alphabet, Generator};
    use rand::SeedableRng;

    fn specs() -> Vec<Spec> {
        let mut out = Vec::new();
        for name in Kind::NAMES {
            let kind = Kind::from_name(name).unwrap();
            for amount in [16, 17, 18, 32, 33, 64] {
                out.push(spec(kind.clone(), kind.native_unit(), amount));
            }
        }
        let custom = Kind::Custom(Alphabet::new("0123456789").unwrap());
        out.push(spec(custom, SizeUnit::Length, 40));
        out
    }

    #[test]
    fn every_generated_value_passes() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        for s in specs() {
            let mut g = Generator::new(s.clone());
            for _ in 0..200 {
                let v = g.generate(&mut rng);
                assert_eq!(s.check(v.expose()), Ok(()), "{}", s.describe());
            }
        }
    }

    #[test]
    fn base32_is_checked_against_its_alphabet_in_either_case() {
        let b32 = spec(Kind::Base32, SizeUnit::Bytes, 5);
        assert_eq!(b32.check("MZXW6YTB"), Ok(()));
        assert_eq!(
            b32.check("mzxw6ytb"),
            Ok(()),
            "lower case is the same value"
        );
        for outside in ["MZXW6YT1", "MZXW6YT8", "MZXW6YT0", "MZXW6YT+"] {
            assert_eq!(
                b32.check(outside),
                Err(Problem::Alphabet { kind: "base32" }),
                "{outside}"
            );
        }
        assert_eq!(
            b32.check("MZXW6YTBOI"),
            Err(Problem::Size {
                found: 6,
                unit: SizeUnit::Bytes
            })
        );
    }

    #[test]
    fn fail_placeholders_and_empty_values() {
        let hex = spec(Kind::Hex, SizeUnit::Bytes, 32);
        assert_eq!(hex.check(""), Err(Problem::Empty));
        for v in [
            "changeme",
            "CHANGEME",
            "secret",
            "Password",
            "example",
            "your-secret-key-here",
            "YOUR_API_KEY",
            "xxx",
            "xxxx-xxxx-xxxx",
            "<your key>",
            "<secret>",
            "TODO",
            "django-insecure-abc",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "{{ SECRET }}",
        ] {
            assert_eq!(hex.check(v), Err(Problem::Placeholder), "{v}");
        }
        let alnum = spec(Kind::Alnum, SizeUnit::Length, 8);
        assert_eq!(alnum.check("changeme"), Err(Problem::Placeholder));
        // Padded base64 of a pattern: 32 zero bytes, 32 bytes of `x` placeholders.
        let base64 = spec(Kind::Base64, SizeUnit::Bytes, 32);
        for v in [
            format!("{}=", "A".repeat(43)),
            format!("{}=", "x".repeat(43)),
        ] {
            assert_eq!(base64.check(&v), Err(Problem::Placeholder), "{v}");
        }
        assert_eq!(alnum.check("abc\0defgh"), Err(Problem::ControlChar));
    }

    #[test]
    fn fail_values_of_the_wrong_form() {
        let hex = spec(Kind::Hex, SizeUnit::Bytes, 32);
        let sixty_three = "a".repeat(62) + "b";
        assert_eq!(
            hex.check(&sixty_three),
            Err(Problem::Size {
                found: 63,
                unit: SizeUnit::Length
            })
        );
        assert_eq!(
            hex.check(&"ab".repeat(16)),
            Err(Problem::Size {
                found: 16,
                unit: SizeUnit::Bytes
            })
        );
        assert_eq!(
            hex.check(&("g".to_string() + &"a1".repeat(31) + "b")),
            Err(Problem::Alphabet { kind: "hex" })
        );
        assert_eq!(hex.check(&"A1".repeat(32)), Ok(()), "upper-case hex");
        let b64 = spec(Kind::Base64, SizeUnit::Bytes, 32);
        let sixteen = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        assert_eq!(
            b64.check(&sixteen),
            Err(Problem::Size {
                found: 16,
                unit: SizeUnit::Bytes
            })
        );
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xfbu8; 32]);
        assert_eq!(b64.check(&url), Err(Problem::Alphabet { kind: "base64" }));
        let std32 = base64::engine::general_purpose::STANDARD.encode([0xfbu8; 32]);
        assert_eq!(b64.check(&std32), Ok(()));
        assert_eq!(b64.check(std32.trim_end_matches('=')), Ok(()), "unpadded");
        assert!(
            b64.check(&format!("{std32}A")).is_err(),
            "a stray character"
        );
        let alnum = spec(Kind::Alnum, SizeUnit::Length, 32);
        assert_eq!(
            alnum.check("abcDEF123"),
            Err(Problem::Size {
                found: 9,
                unit: SizeUnit::Length
            })
        );
        assert_eq!(
            alnum.check(&format!("{}-", "aB3".repeat(11))),
            Err(Problem::Alphabet { kind: "alnum" })
        );
        assert_eq!(alnum.check(&"aB3".repeat(20)), Ok(()), "longer is fine");
        let pw = spec(Kind::Password, SizeUnit::Length, 12);
        assert_eq!(pw.check("Tr0ub4dor&3#xyz!"), Ok(()), "any printable ASCII");
        assert!(pw.check("short&3").is_err());
    }

    #[test]
    fn messages_name_the_problem_and_the_declaration_not_the_value() {
        let hex = spec(Kind::Hex, SizeUnit::Bytes, 32);
        let msg = format!(
            "{}, not a {}",
            hex.check("changeme").unwrap_err(),
            hex.describe()
        );
        assert_eq!(msg, "placeholder, not a 32-byte hex secret");
        assert_eq!(
            spec(Kind::Alnum, SizeUnit::Length, 32).describe(),
            "32-character alnum secret"
        );
        assert_eq!(
            Problem::Size {
                found: 1,
                unit: SizeUnit::Bytes
            }
            .to_string(),
            "1 byte long"
        );
    }

    #[test]
    fn a_format_wraps_generated_values_and_is_checked_on_kept_ones() {
        let inner = spec(Kind::Base64, SizeUnit::Bytes, 32);
        let f = crate::generate::Format::parse("base64:{value}").unwrap();
        let s = inner.clone().with_format(f);
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let v = Generator::new(s.clone()).generate(&mut rng);
        let v = v.expose();
        assert!(
            v.starts_with("base64:") && v.len() == s.encoded_len(),
            "{}",
            v.len()
        );
        assert_eq!(s.check(v), Ok(()));
        // Without its prefix, or with the wrong size inside it, a kept value is refused.
        assert_eq!(
            s.check(&v["base64:".len()..]),
            Err(Problem::Format {
                format: "base64:{value}".into()
            })
        );
        assert!(matches!(s.check("base64:AAAA"), Err(Problem::Placeholder)));
        assert!(matches!(
            s.check("base64:q3rUODFgGJaekUu0Ip1BRXzD"),
            Err(Problem::Size { .. })
        ));
        assert!(s.describe().ends_with("in the form base64:{value}"));
        assert_eq!(crate::generate::Format::parse("{value}{value}"), Err(2));
        assert_eq!(crate::generate::Format::parse("none"), Err(0));
    }

    #[test]
    fn fail_values_no_quoting_writes_alike_are_unportable() {
        let s = spec(Kind::Password, SizeUnit::Length, 20);
        assert!(matches!(
            s.check("it's $5-and-long-enough"),
            Err(Problem::Unportable(_))
        ));
        assert!(s.check("p4$$w0rd#\"q\"-long-enough").is_ok());
    }
}
