//! A rotation's errors framed by the binary (the library's words, with the `--key` flag or the
//! store's file, and the advice): a `--key` not declared, a value that cannot be kept in a
//! list, a full keyring; and the advice for a store whose records are ahead of the clock and
//! for a manifest's refused rotation fields (`external`, `overlap`, `previous`, `role`).

use crate::error::Error;
use envmint::error::ClockBehindError;
use envmint::manifest::Environment;
use envmint::plan::rotation::RotationError;
use envmint::rotation::SessionError;

/// The library's rotation error (its words are its `Display`), framed by the binary: the flag
/// or the store's file it is about, and the advice.
pub fn rotation_error(env: &Environment, err: RotationError) -> Error {
    let in_store = |err: &RotationError| {
        Error::data(
            envmint::error::Location::new(env.store_path(), None),
            err.to_string(),
        )
    };
    match err {
        RotationError::NotDeclared { .. } => Error::usage(format!("--key {err}")).with_hint(
            "name a key declared under [secrets] for this environment (see envmint.toml)",
        ),
        RotationError::Edit(e) => crate::report::dotenv::edit_error(env.store_path(), e),
        RotationError::ClockBehind(behind) => {
            ClockBehindError::new(env.store_path(), behind).into()
        }
        RotationError::SeparatorInValue { ref key, .. } => in_store(&err).with_hint(format!(
            "rotate it without keeping the old value: envmint rotate {} --key {key} \
                 --no-overlap",
            env.name
        )),
        RotationError::KeyringFull {
            ref key,
            ref environment,
            ..
        } => in_store(&err).with_hint(format!(
            "re-encrypt the data under the current key, then remove the old keys with: envmint \
             retire {environment} {key}"
        )),
        other => in_store(&other),
    }
}

/// The advice for a store whose records are ahead of the clock ([`ClockBehindError`]; what
/// is wrong is the library's words).
pub(super) fn clock_hint(_: &ClockBehindError) -> String {
    "check this machine's clock (or --at); a record dated in the future by hand is fixed by \
     correcting or removing that line"
        .to_string()
}

/// The session's error in the binary's words.
pub fn session_error(envs: &[&Environment], err: SessionError) -> Error {
    match err {
        SessionError::Rotation { environment, error } => rotation_error(envs[environment], error),
        SessionError::Other(e) => e.into(),
        other => Error::unworded(envmint::error::Location::default(), &other),
    }
}

/// The advice for a manifest's refused rotation field (`external`, `overlap`, `previous`,
/// `role`); what is wrong is the library's words.
pub(super) fn rotation_hint(problem: &envmint::manifest::RotationProblem) -> Option<String> {
    use envmint::manifest::{MAX_KEEP, RotationProblem as R};
    const FORMS: &str = "previous = \"KEY_PREVIOUS\", previous = { numbered = \"KEY_{n}\", \
                         keep = 2 }, previous = { list = \"KEY_PREVIOUS\", separator = \",\", \
                         keep = 2 } or previous = { slots = [\"KEY_2\", \"KEY_1\"] }";
    Some(match problem {
        R::ExternalNotBoolean { .. } => "e.g. external = true, without quotes".into(),
        R::ExternalWithShape { key, field } => format!(
            "remove `{field}` (its value comes from its provider through `envmint set ENV \
             {key}`), or remove `external = true` to have envmint generate it"
        ),
        R::PreviousForm { .. } | R::PreviousTable { .. } => format!("write {FORMS}"),
        R::PreviousName { .. } => {
            "names are letters, digits and `_`, not starting with a digit".into()
        }
        R::Placeholder { .. } => {
            "put {n} once where the number goes, e.g. numbered = \"AUTH_SECRET_{n}\"".into()
        }
        R::Keep { .. } => format!("keep 1 to {MAX_KEEP} retired values, e.g. keep = 2"),
        R::SlotsNotAList { .. } => {
            "e.g. slots = [\"AUTH_SECRET_2\", \"AUTH_SECRET_1\", \"AUTH_SECRET\"]".into()
        }
        R::SlotsWithKeep => "list as many names as values to keep, newest first".into(),
        R::EmptySeparator => "give the character the app splits on, e.g. separator = \",\"".into(),
        R::UnsafeSeparator(_) => "use a punctuation character such as , or ; or |".into(),
        R::SeparatorInAlphabet { key, kind, .. } => format!(
            "pick a separator {kind} never produces (e.g. , or ; for hex, base64url and alnum), \
             or another kind for {key}"
        ),
        R::UnknownRole { did_you_mean, .. } => match did_you_mean {
            Some(close) => format!("did you mean `{close}`?"),
            None => "a role is \"signing\" (the default: session and JWT keys), \
                     \"encryption\" (data at rest) or \"credential\" (a password another \
                     service checks)"
                .into(),
        },
        R::OverlapOnEncryption { key } => format!(
            "remove `overlap` from [secrets.{key}], or make it role = \"signing\" if it only \
             signs"
        ),
        R::Collision { key, .. } => format!(
            "give {key} its own name, e.g. previous = \"{key}_PREVIOUS\" (one variable holds \
             one secret's retired values)"
        ),
        _ => return None,
    })
}
