//! The `envmint.toml` model: environments, the secrets they get, and how often to rotate them.
//!
//! - [`load`](Manifest::load) finds the manifest ([`find`]: the working folder and its parents,
//!   up to the repository root or the home folder), refuses one another user could have planted
//!   (exit 77) and one that is not a readable regular file (exit 65/66/77): a broken manifest is
//!   an error, never a reason to fall back to the preset.
//! - [`parse`](Manifest::parse) validates it completely: unknown tables and fields, values of
//!   the wrong type, unknown kinds, sizes that do not fit the kind, secrets under [`MIN_BITS`],
//!   bad durations and modes, alphabets that cannot be written safely to a dotenv file, invalid
//!   or over-long names, files outside the manifest's folder and secrets naming undeclared
//!   environments are all data errors (exit 65) that name the manifest's path and line, in the
//!   manifest's own words, with a hint that fits.
//!
//! Without an `envmint.toml`, the built-in `web` preset ([`PRESET`]) is used; `envmint init`
//! writes the same text out.
//!
//! [`MIN_BITS`]: crate::generate::MIN_BITS

mod allowance;
mod confine;
pub mod error;
mod hooks;
mod load;
mod model;
mod role;
mod validate;

pub use allowance::digest as hooks_digest;
pub use confine::Allow;
pub use error::{Collides, HookProblem, RotationProblem};
pub use hooks::{
    Alternate, DEFAULT_HOOK_TIMEOUT, Hooks, MAX_HOOK_TIMEOUT, PENDING_SUFFIX, pending_name,
    valid_user_name,
};
pub use load::find;
pub use role::{Role, looks_like_credential};

pub use model::{
    DEFAULT_MODE, DEFAULT_ROTATE_EVERY, Environment, FILE_NAME, MAX_ENV_NAME_LEN, MAX_KEEP,
    MAX_KEY_LEN, MAX_MANIFEST_BYTES, Manifest, NUMBER_PLACEHOLDER, Previous, Sealed, SecretDecl,
    Source, numbered,
};
pub(crate) use model::{closest, shown_name, valid_env_name};

use crate::error::Result;
use std::path::Path;

/// The built-in `web` preset, used when no manifest is found and written by `envmint init`.
pub const PRESET: &str = include_str!("../presets/web.toml");

/// Every preset `envmint init --preset NAME` writes, by name: `web` (the default) and one per
/// framework, each declaring the names, sizes, formats and overlap form that framework reads.
pub const PRESETS: [(&str, &str); 7] = [
    ("web", PRESET),
    ("django", include_str!("../presets/django.toml")),
    ("flask", include_str!("../presets/flask.toml")),
    ("rails", include_str!("../presets/rails.toml")),
    ("laravel", include_str!("../presets/laravel.toml")),
    ("nextjs", include_str!("../presets/nextjs.toml")),
    ("express", include_str!("../presets/express.toml")),
];

/// The text of the preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

impl Manifest {
    /// The built-in `web` preset with its files in `root`.
    pub fn builtin(root: &Path) -> Manifest {
        let mut m = Manifest::parse(PRESET, Path::new("<built-in preset>"), root)
            .expect("the built-in preset is valid (tested)");
        m.source = Source::Builtin;
        m
    }

    /// Parses and validates manifest `text` read from `path`; relative paths inside it are
    /// resolved against `root` (the manifest's folder) and must stay inside it.
    pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Manifest> {
        validate::parse(text, path, root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_declares_the_three_environments() {
        for (name, text) in PRESETS {
            let m = Manifest::parse(text, Path::new("/app/envmint.toml"), Path::new("/app"))
                .unwrap_or_else(|e| panic!("preset {name}: {e:?}"));
            let envs: Vec<_> = m.environments().iter().map(|e| e.name.as_str()).collect();
            assert_eq!(envs, ["development", "staging", "production"], "{name}");
            assert!(!m.secrets().is_empty(), "{name}");
        }
        let laravel = Manifest::parse(
            preset("laravel").unwrap(),
            Path::new("/app/envmint.toml"),
            Path::new("/app"),
        )
        .unwrap();
        let app_key = &laravel.secrets()[0];
        assert_eq!(app_key.spec.encoded_len(), "base64:".len() + 44);
        assert_eq!(app_key.spec.format().unwrap().to_string(), "base64:{value}");
        assert!(preset("symfony").is_none());
    }
}
