//! Command-line arguments turned into what a command works on: the environments named (or all),
//! the instant (`--at`, else the clock), the keys selected, and how a plan file names stores.

use crate::cli::SelectArgs;
use crate::context::Context;
use crate::report::rotation::rotation_error;
use envmint::manifest::{Environment, Manifest, Source};
use envmint::path::shown;
use envmint::plan::rotation::{RotationError, Selection};
use envmint::{Error, Result};
use std::path::{Path, PathBuf};

/// The environments named on the command line (each once, in order), or every declared one;
/// and whether they were named.
pub fn environments<'m>(
    manifest: &'m Manifest,
    names: &[String],
) -> Result<(Vec<&'m Environment>, bool)> {
    if names.is_empty() {
        return Ok((manifest.environments().iter().collect(), false));
    }
    let mut envs: Vec<&Environment> = Vec::new();
    for name in names {
        let env = manifest.environment(name)?;
        if !envs.iter().any(|e| e.name == env.name) {
            envs.push(env);
        }
    }
    Ok((envs, true))
}

/// `--at WHEN`, or the clock; `status`, `plan` and `rotate` say the same about a bad one, with
/// the text escaped and cut short (it is whatever a script passed).
pub fn instant(ctx: &Context, at: Option<&str>) -> Result<jiff::Timestamp> {
    let Some(text) = at else {
        return Ok(ctx.now);
    };
    envmint::time::parse_instant(text).map_err(|e| {
        Error::usage(format!("--at {}: {e}", envmint::text::shown(text, 60)))
            .with_hint(e.hint().to_string())
    })
}

/// The selection flags as the library's [`Selection`].
pub fn selection(args: &SelectArgs) -> Selection {
    if args.all {
        Selection::All
    } else if !args.keys.is_empty() {
        Selection::Keys(args.keys.clone())
    } else {
        Selection::Due
    }
}

/// Refuses, before any store is read, a `--key` that a named environment does not declare, or
/// (environments not named) that no environment declares: see
/// [`rotation::Options::skip_undeclared`].
pub fn check_keys_declared(
    manifest: &Manifest,
    envs: &[&Environment],
    named: bool,
    selection: &Selection,
) -> Result<()> {
    let Selection::Keys(keys) = selection else {
        return Ok(());
    };
    let declares =
        |env: &Environment, key: &str| manifest.secrets_for(&env.name).any(|s| s.key == key);
    for key in keys {
        if named {
            if let Some(env) = envs.iter().find(|e| !declares(e, key)) {
                return Err(rotation_error(
                    env,
                    RotationError::NotDeclared {
                        key: key.clone(),
                        environment: env.name.clone(),
                    },
                ));
            }
        } else if !envs.iter().any(|e| declares(e, key)) {
            return Err(Error::usage(format!(
                "--key {}: not a secret of any environment",
                envmint::text::shown(key, 60)
            ))
            .with_hint("name a key declared under [secrets] in envmint.toml"));
        }
    }
    Ok(())
}

/// The folder a plan's store paths are relative to: the manifest's, or the working folder for
/// the built-in preset (whose files are there).
pub fn manifest_dir(manifest: &Manifest, cwd: &Path) -> PathBuf {
    match manifest.source() {
        Source::File(p) => p.parent().unwrap_or(cwd).to_path_buf(),
        Source::Builtin => cwd.to_path_buf(),
    }
}

/// An environment's store as a plan names it: relative to the manifest's folder.
pub fn store_name(env: &Environment, dir: &Path) -> String {
    shown(env.store_path(), dir).to_string_lossy().into_owned()
}

/// Flags every command sees.
pub struct Global {
    /// `-v`.
    pub verbose: bool,
}
