//! What kind of secret to make: the built-in kinds, custom alphabets and their characters.

use super::SizeUnit;
use std::fmt;

/// Characters of the `alnum` kind.
pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Characters of the `password` kind: `alnum` plus `-`, `_` and `.`, the symbols of RFC 3986's
/// *unreserved* set without `~`. A value is therefore safe unencoded wherever a generated
/// password goes first:
/// - in a URL's userinfo (`postgres://app:PASSWORD@db/app`): unreserved characters are never
///   percent-encoded or decoded by any URL parser (Python's `urlsplit`, WHATWG/Node `URL`,
///   which does encode `: ; = @ / ^ |` there) nor turned into a space (`+` is, by form decoders
///   such as Java's `URLDecoder` or Python's `unquote_plus`);
/// - bare in a dotenv file (every character is in the writer's bare set, see `dotenv::quote`);
/// - in `set -a; . ./file` in sh: none of them is special to the shell.
///
/// Left out on purpose: `~` (tilde expansion after `=` and `:` in bash, so the dotenv writer
/// quotes it), `!` (history expansion; not bare either), `+ , ; = : @ / % ^ $ & * ( ) '` and the
/// rest (reserved or encoded in URLs, or shell syntax).
pub const PASSWORD: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

/// The digits of the `hex` kind, lower case.
pub(super) const HEX: &str = "0123456789abcdef";

/// The characters of the `base64` kind: RFC 4648 section 4, with `=` padding.
pub(super) const BASE64_PADDED: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

/// The characters of the `base64url` kind: RFC 4648 section 5, without padding.
pub(super) const BASE64URL: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The alphabet of the `base32` kind: RFC 4648 section 6, upper case, without padding.
pub(super) const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A custom alphabet: 2 to 94 distinct printable ASCII characters (no space).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alphabet {
    /// Only printable ASCII, each character once (checked by [`Alphabet::new`]).
    chars: String,
}

/// Why an alphabet was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlphabetError {
    /// Fewer than 2 distinct characters.
    TooSmall,
    /// A character appears twice.
    Duplicate(char),
    /// A character outside printable ASCII (or a space).
    NotPrintableAscii(char),
}

impl fmt::Display for AlphabetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlphabetError::TooSmall => f.write_str("an alphabet needs at least 2 characters"),
            AlphabetError::Duplicate(c) => write!(f, "the alphabet lists `{c}` more than once"),
            AlphabetError::NotPrintableAscii(c) => write!(
                f,
                "the alphabet has {}, but only printable ASCII without space is allowed",
                describe_char(*c)
            ),
        }
    }
}

impl std::error::Error for AlphabetError {}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("the character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

impl Alphabet {
    /// Parses a custom alphabet, refusing duplicates, non-printable or non-ASCII characters.
    pub fn new(chars: &str) -> Result<Self, AlphabetError> {
        let mut seen = [false; 128];
        let mut out = String::with_capacity(chars.len());
        for c in chars.chars() {
            if !c.is_ascii_graphic() {
                return Err(AlphabetError::NotPrintableAscii(c));
            }
            let b = c as u8;
            if seen[b as usize] {
                return Err(AlphabetError::Duplicate(c));
            }
            seen[b as usize] = true;
            out.push(c);
        }
        if out.len() < 2 {
            return Err(AlphabetError::TooSmall);
        }
        Ok(Alphabet { chars: out })
    }

    /// The characters, in the order given (one byte each: they are ASCII).
    pub fn as_str(&self) -> &str {
        &self.chars
    }
}

/// What kind of secret to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Lower-case hexadecimal of N bytes (`openssl rand -hex N`).
    Hex,
    /// Standard base64 with padding (`openssl rand -base64 N`).
    Base64,
    /// URL-safe base64 without padding (Python's `secrets.token_urlsafe(N)`).
    Base64Url,
    /// RFC 4648 base32, upper case, without padding.
    Base32,
    /// A-Z, a-z, 0-9.
    Alnum,
    /// [`ALNUM`] plus `-_.`: safe unencoded in a URL's userinfo, a dotenv file and sh, see
    /// [`PASSWORD`].
    Password,
    /// A caller-chosen alphabet.
    Custom(Alphabet),
}

impl Kind {
    /// The built-in kinds, in the order the command line lists them: the one list the command
    /// line, the manifest and [`Kind::from_name`] draw from.
    pub const BUILTIN: [Kind; 6] = [
        Kind::Hex,
        Kind::Base64,
        Kind::Base64Url,
        Kind::Base32,
        Kind::Alnum,
        Kind::Password,
    ];

    /// The names of [`Kind::BUILTIN`], in the same order: read off [`Kind::name`] at compile
    /// time, so there is no second list to keep in step.
    pub const NAMES: [&'static str; Kind::BUILTIN.len()] = {
        let mut names = [""; Kind::BUILTIN.len()];
        let mut i = 0;
        while i < names.len() {
            names[i] = Kind::BUILTIN[i].name();
            i += 1;
        }
        names
    };

    /// Parses a built-in kind name or one of its [`Kind::aliases`] (`urlsafe` for `base64url`).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::BUILTIN
            .into_iter()
            .find(|k| k.name() == name || k.aliases().contains(&name))
    }

    /// Other names accepted for this kind.
    pub fn aliases(&self) -> &'static [&'static str] {
        match self {
            Kind::Base64Url => &["urlsafe"],
            _ => &[],
        }
    }

    /// One line saying what a value of this kind looks like (for `--help`).
    pub fn about(&self) -> &'static str {
        match self {
            Kind::Hex => "Lower-case hex of N bytes, like `openssl rand -hex N`",
            Kind::Base64 => "Standard base64 with padding, like `openssl rand -base64 N`",
            Kind::Base64Url => {
                "URL-safe base64 without padding, like Python's `secrets.token_urlsafe(N)`"
            }
            Kind::Base32 => "RFC 4648 base32 without padding",
            Kind::Alnum => "Letters and digits",
            Kind::Password => {
                "Letters, digits and `-_.`: safe unencoded in URLs, dotenv files and sh"
            }
            Kind::Custom(_) => "Characters of a given alphabet",
        }
    }

    /// The kind's name (`alphabet` for a custom one).
    pub const fn name(&self) -> &'static str {
        match self {
            Kind::Hex => "hex",
            Kind::Base64 => "base64",
            Kind::Base64Url => "base64url",
            Kind::Base32 => "base32",
            Kind::Alnum => "alnum",
            Kind::Password => "password",
            Kind::Custom(_) => "alphabet",
        }
    }

    /// Whether the size is counted in random bytes (else in characters).
    pub fn is_byte_kind(&self) -> bool {
        matches!(
            self,
            Kind::Hex | Kind::Base64 | Kind::Base64Url | Kind::Base32
        )
    }

    /// The native size unit: bytes or length.
    pub fn native_unit(&self) -> SizeUnit {
        if self.is_byte_kind() {
            SizeUnit::Bytes
        } else {
            SizeUnit::Length
        }
    }

    /// The characters an alphabet kind draws from (`None` for byte kinds).
    pub(super) fn alphabet(&self) -> Option<&[u8]> {
        match self {
            Kind::Alnum => Some(ALNUM.as_bytes()),
            Kind::Password => Some(PASSWORD.as_bytes()),
            Kind::Custom(a) => Some(a.chars.as_bytes()),
            _ => None,
        }
    }

    /// Every character a value of this kind can contain (for checking where it may be written).
    pub fn charset(&self) -> &str {
        match self {
            Kind::Hex => HEX,
            Kind::Base64 => BASE64_PADDED,
            Kind::Base64Url => BASE64URL,
            Kind::Base32 => BASE32,
            Kind::Alnum => ALNUM,
            Kind::Password => PASSWORD,
            Kind::Custom(a) => a.as_str(),
        }
    }

    /// Entropy of one unit of the native size (8 for a byte, log2(n) for a character).
    pub fn bits_per_unit(&self) -> f64 {
        match self.alphabet() {
            Some(a) => (a.len() as f64).log2(),
            None => 8.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_and_aliases_are_one_list() {
        for (kind, name) in Kind::BUILTIN.iter().zip(Kind::NAMES) {
            assert_eq!(kind.name(), name);
            assert_eq!(Kind::from_name(name).as_ref(), Some(kind));
            for alias in kind.aliases() {
                assert_eq!(Kind::from_name(alias).as_ref(), Some(kind));
            }
        }
        assert_eq!(Kind::from_name("urlsafe"), Some(Kind::Base64Url));
        assert_eq!(
            Kind::from_name("alphabet"),
            None,
            "a custom alphabet is not a name"
        );
        assert_eq!(Kind::from_name("HEX"), None);
    }

    /// `--help` lists the built-in kinds' lines (tests/cli/cmd/gen/help_lists_the_kinds.toml);
    /// a custom alphabet is given with `--alphabet`, so no run shows its line.
    #[test]
    fn a_custom_alphabet_says_what_its_values_look_like() {
        let custom = Kind::Custom(Alphabet::new("01").unwrap());
        assert_eq!(custom.about(), "Characters of a given alphabet");
    }

    #[test]
    fn password_characters_are_bare_in_dotenv_and_unreserved_in_urls() {
        // RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
        let unreserved = |c: char| c.is_ascii_alphanumeric() || "-._~".contains(c);
        for c in PASSWORD.chars() {
            assert!(unreserved(c), "{c:?} is not unreserved in a URL");
            assert_ne!(c, '~', "tilde expansion in sh");
            let one = c.to_string();
            let written = crate::dotenv::quote_value(&one).unwrap();
            assert_eq!(written.as_str(), one, "{c:?} is not written bare");
        }
        // The whole alphabet at once, as one value, is written as it is.
        assert_eq!(
            crate::dotenv::quote_value(PASSWORD).unwrap().as_str(),
            PASSWORD
        );
    }

    #[test]
    fn fail_bad_alphabets() {
        assert_eq!(Alphabet::new("a"), Err(AlphabetError::TooSmall));
        assert_eq!(Alphabet::new(""), Err(AlphabetError::TooSmall));
        assert_eq!(Alphabet::new("abca"), Err(AlphabetError::Duplicate('a')));
        assert_eq!(
            Alphabet::new("ab c"),
            Err(AlphabetError::NotPrintableAscii(' '))
        );
        assert_eq!(
            Alphabet::new("abé"),
            Err(AlphabetError::NotPrintableAscii('é'))
        );
        assert!(Alphabet::new("01").is_ok());
    }
}
