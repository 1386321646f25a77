//! A rotation's errors in the binary's words: a `--key` not declared, a store whose records are
//! ahead of the clock, a value that cannot be kept in a list, a full keyring.

use envmint::Error;
use envmint::manifest::Environment;
use envmint::plan::rotation::RotationError;
use envmint::rotation::SessionError;

/// The library's rotation error in the binary's words.
pub fn rotation_error(env: &Environment, err: RotationError) -> Error {
    match err {
        RotationError::NotDeclared { key, environment } => Error::usage(format!(
            "--key {}: not a secret of environment {environment}",
            envmint::text::shown(&key, 60)
        ))
        .with_hint("name a key declared under [secrets] for this environment (see envmint.toml)"),
        RotationError::Edit(e) => crate::report::dotenv::edit_error(env.store_path(), e),
        RotationError::ClockBehind(behind) => clock_behind(env, &behind),
        RotationError::SeparatorInValue { key, list } => Error::data(
            envmint::error::Location::new(env.store_path(), None),
            format!(
                "{key}: its value contains the separator of {list}, so it cannot be kept in \
                 that list"
            ),
        )
        .with_hint(format!(
            "rotate it without keeping the old value: envmint rotate {} --key {key} --no-overlap",
            env.name
        )),
        RotationError::KeyringFull {
            key,
            environment,
            held,
        } => Error::data(
            envmint::error::Location::new(env.store_path(), None),
            format!(
                "{key}: its keyring is full ({held} retired key{} kept): a new key would push \
                 out one that data may still need",
                if held == 1 { "" } else { "s" }
            ),
        )
        .with_hint(format!(
            "re-encrypt the data under the current key, then remove the old keys with: envmint \
             retire {environment} {key}"
        )),
    }
}

/// A store whose newest record is ahead of the clock (`rotate`, `plan` and `apply`): exit 65
/// naming the record's line, its time and the clock.
pub fn clock_behind(env: &Environment, behind: &envmint::plan::clock::ClockBehind) -> Error {
    Error::data(
        envmint::error::Location::new(env.store_path(), Some(behind.newest.line)),
        format!("{behind}; nothing was changed"),
    )
    .with_hint(
        "check this machine's clock (or --at); a record dated in the future by hand is fixed \
         by correcting or removing that line",
    )
}

/// The session's error in the binary's words.
pub fn session_error(envs: &[&Environment], err: SessionError) -> Error {
    match err {
        SessionError::Rotation { environment, error } => rotation_error(envs[environment], error),
        SessionError::Other(e) => e,
    }
}
