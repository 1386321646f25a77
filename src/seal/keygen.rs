//! New X25519 identities, in `age-keygen`'s format.

use age::secrecy::{ExposeSecret, SecretString};
use bech32::{Bech32, Hrp};
use rand::{CryptoRng, RngExt};
use zeroize::Zeroizing;

use super::SealError;
use crate::error::Location;

/// A new identity: its file text and its recipient.
pub struct KeyPair {
    /// The identity file text, as `age-keygen` writes it:
    /// `# created: <RFC 3339>`, `# public key: age1...`, `AGE-SECRET-KEY-1...`.
    pub text: SecretString,
    /// The public key, `age1...`.
    pub recipient: String,
}

/// Generates an X25519 identity from `rng`; `now` is the `# created:` time.
pub fn generate(rng: &mut impl CryptoRng, now: jiff::Timestamp) -> KeyPair {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rng.fill(&mut bytes[..]);
    let hrp = Hrp::parse_unchecked("age-secret-key-");
    let encoded = Zeroizing::new(
        bech32::encode::<Bech32>(hrp, &bytes[..])
            .expect("32 bytes always fit a bech32 string")
            .to_uppercase(),
    );
    let identity: age::x25519::Identity =
        encoded.parse().expect("a freshly encoded identity parses");
    let recipient = identity.to_public().to_string();
    let created = jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .strftime("%Y-%m-%dT%H:%M:%SZ");
    let text = format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        identity.to_string().expose_secret()
    );
    KeyPair {
        text: SecretString::from(text),
        recipient,
    }
}

/// The recipients of the age identities in `text` (`keygen -y`), one per identity.
///
/// # Errors
///
/// [`SealError::BadKey`] naming the line that does not parse.
pub fn recipients_of(text: &str, location: &Location) -> Result<Vec<String>, SealError> {
    let prompt = super::PassphrasePrompt::none();
    let name = location.to_string();
    Ok(super::identities::parse(text, location, &name, &prompt)?
        .iter()
        .map(|i| i.public().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_format_is_age_keygens_and_y_gives_the_recipient_back() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let now: jiff::Timestamp = "2026-11-23T14:18:16.5Z".parse().unwrap();
        let pair = generate(&mut rng, now);
        let text = pair.text.expose_secret();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "# created: 2026-11-23T14:18:16Z");
        assert_eq!(lines[1], format!("# public key: {}", pair.recipient));
        assert!(lines[2].starts_with("AGE-SECRET-KEY-1") && lines[2].len() == 74);
        let back = recipients_of(text, &Location::default()).unwrap();
        assert_eq!(back, vec![pair.recipient.clone()]);
        let other = generate(&mut rng, now);
        assert_ne!(other.recipient, pair.recipient);
    }
}
