//! Hooks: the commands that change a credential at its service (`[secrets.KEY.hooks]`: `set`,
//! `test`, `retire`; `reencrypt` for an encryption key), `alternate` users, and an
//! environment's `after` command. The manifest only declares them; the rotation decides when
//! they run and the binary runs them (`sh -c`, from the manifest's folder, with a timeout).
//!
//! A hook is a command the operator's account runs, written in the repository's manifest: a
//! pull request that adds or edits one could run anything. So hooks run only from a manifest
//! the trust rule accepts (owned by the user or root, see [`super::load`]) **and** whose hooks
//! the user allowed on this machine, like `direnv allow`: [`hooks_digest`](super::hooks_digest) covers every hook's text,
//! and a changed hook is a new digest that must be allowed again.

use std::time::Duration;

/// How long a hook may run when the manifest says nothing (`hook_timeout`).
pub const DEFAULT_HOOK_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest `hook_timeout` accepted: a day. A hook that takes longer is waiting for a person.
pub const MAX_HOOK_TIMEOUT: Duration = Duration::from_secs(86_400);

/// The suffix of the variable a pending value is kept under (`DB_PASSWORD_PENDING`).
pub const PENDING_SUFFIX: &str = "_PENDING";

/// The variable holding `key`'s pending value.
pub fn pending_name(key: &str) -> String {
    format!("{key}{PENDING_SUFFIX}")
}

/// The hooks of one secret (`[secrets.KEY.hooks]` and `alternate`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hooks {
    /// `set`: makes the service accept `$ENVMINT_NEW` (a credential).
    pub set: Option<String>,
    /// `test`: proves `$ENVMINT_NEW` works at the service (a credential; needs `set`).
    pub test: Option<String>,
    /// `retire`: when a retired value's overlap ends, before it is removed (`$ENVMINT_OLD`).
    pub retire: Option<String>,
    /// `reencrypt`: an encryption key's data re-encrypted under `$ENVMINT_NEW`; its success
    /// retires the old keys.
    pub reencrypt: Option<String>,
    /// `alternate = { user = "DB_USER", names = ["app_blue", "app_green"] }`.
    pub alternate: Option<Alternate>,
    /// `hook_timeout` (its own, or `[defaults]`').
    pub timeout: Duration,
}

impl Hooks {
    /// The hooks by stage name, those declared, in the order they run.
    pub fn named(&self) -> Vec<(&'static str, &str)> {
        [
            ("set", &self.set),
            ("test", &self.test),
            ("retire", &self.retire),
            ("reencrypt", &self.reencrypt),
        ]
        .into_iter()
        .filter_map(|(n, h)| h.as_deref().map(|h| (n, h)))
        .collect()
    }
}

/// Alternating users: each rotation sets a new password on the user not in use, then switches
/// the user variable and the password together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternate {
    /// The variable holding the user name the app logs in as (`DB_USER`).
    pub user: String,
    /// The two user names, used in turn.
    pub names: [String; 2],
}

impl Alternate {
    /// The user a rotation sets a password on: the one of the two names that `current` (the
    /// user variable's value) is not; the first when it is neither (or missing).
    pub fn next_user(&self, current: Option<&str>) -> &str {
        if current == Some(self.names[0].as_str()) {
            &self.names[1]
        } else {
            &self.names[0]
        }
    }
}

/// Whether `name` can be a user name in `alternate`: it is written into the store and handed
/// to hooks, so plain characters only.
pub fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alternate() -> Alternate {
        Alternate {
            user: "DB_USER".into(),
            names: ["app_blue".into(), "app_green".into()],
        }
    }

    #[test]
    fn the_next_user_is_the_one_not_in_use() {
        let a = alternate();
        assert_eq!(a.next_user(Some("app_blue")), "app_green");
        assert_eq!(a.next_user(Some("app_green")), "app_blue");
        assert_eq!(a.next_user(None), "app_blue");
        assert_eq!(a.next_user(Some("someone")), "app_blue");
    }

    #[test]
    fn user_names_are_plain() {
        assert!(valid_user_name("app_blue"));
        assert!(valid_user_name("svc.app@x-1"));
        for bad in ["", "a b", "a'b", "a$b", "a\nb", &"x".repeat(64)] {
            assert!(!valid_user_name(bad), "{bad:?}");
        }
    }
}
