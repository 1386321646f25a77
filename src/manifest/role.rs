//! What a secret is for (`role = "signing" | "encryption" | "credential"`), which decides how
//! it rotates. A secret without a role is `signing`, so a manifest written before roles existed
//! keeps its behaviour.

/// What a secret is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// Session, cookie and JWT keys, Django's `SECRET_KEY`: values the app signs with and
    /// verifies. A rotation retires the old value for the `overlap` window, then drops it.
    #[default]
    Signing,
    /// Keys of data at rest (`ENCRYPTION_KEY`, Fernet keys): a retired key is the data's only
    /// way back, so it is kept in the secret's `previous` form (its keyring) until it is
    /// retired explicitly (`envmint retire`), never removed by time.
    Encryption,
    /// A value presented to another service (a database or Redis password): `rotate --due`
    /// and `--all` never change it in the file alone, since the service would still expect the
    /// old one; a due credential is reported, and `rotate --key KEY` renews it once it has
    /// been changed at the service.
    Credential,
}

impl Role {
    /// The names a manifest gives them, in this order.
    pub const NAMES: [&'static str; 3] = ["signing", "encryption", "credential"];

    /// The role called `name`.
    pub fn from_name(name: &str) -> Option<Role> {
        match name {
            "signing" => Some(Role::Signing),
            "encryption" => Some(Role::Encryption),
            "credential" => Some(Role::Credential),
            _ => None,
        }
    }

    /// `signing`, `encryption` or `credential`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Signing => "signing",
            Role::Encryption => "encryption",
            Role::Credential => "credential",
        }
    }
}

/// The name endings that say a value is presented to another service.
const CREDENTIAL_ENDINGS: [&str; 12] = [
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "API_KEY",
    "APIKEY",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "ACCESS_KEY",
    "DSN",
    "DATABASE_URL",
];

/// Whether `key` is named like a credential: it is, or ends in `_`, one of
/// [`CREDENTIAL_ENDINGS`] (`DB_PASSWORD`, `STRIPE_API_KEY`, `GITHUB_TOKEN`, `SENTRY_DSN`; not
/// `SESSION_SECRET`, nor `PASSPORT_SECRET`).
pub fn looks_like_credential(key: &str) -> bool {
    // Compared in place, case-insensitively: `manifest` warnings ask this of every secret.
    let key = key.as_bytes();
    CREDENTIAL_ENDINGS.iter().any(|end| {
        let end = end.as_bytes();
        key.len() >= end.len()
            && key[key.len() - end.len()..].eq_ignore_ascii_case(end)
            && (key.len() == end.len() || key[key.len() - end.len() - 1] == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_the_default_is_signing() {
        for name in Role::NAMES {
            assert_eq!(Role::from_name(name).unwrap().name(), name);
        }
        assert_eq!(Role::from_name("Signing"), None);
        assert_eq!(Role::default(), Role::Signing);
    }
}
