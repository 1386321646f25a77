//! The advice for a saved plan that cannot be read: the command that makes a new one (the
//! library names no command).

use envmint::error::PlanFileError;

/// The advice for a [`PlanFileError`].
pub(super) fn hint(e: &PlanFileError) -> Option<String> {
    Some(match e {
        PlanFileError::Version { .. } => {
            "make the plan again with this envmint (`envmint plan -o FILE`)".into()
        }
        _ => "make a new one with `envmint plan -o FILE`".into(),
    })
}
