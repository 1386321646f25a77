//! Applying a plan: the one step that makes secret values.

use super::{Action, KeyReport, Plan};
use crate::dotenv::{Document, EditError};
use crate::generate::Generator;
use rand::CryptoRng;

/// Generates a value with `rng` for every change of `plan`, in order, and writes it into `doc`:
/// appended for [`Action::Added`], in place (keeping the line's quoting) for
/// [`Action::Filled`] and [`Action::Replaced`]. Returns the plan's summary lines.
///
/// # Errors
///
/// An [`EditError`] when the document refuses an edit (an appended line that an unterminated
/// quote could swallow); the document may then hold some of the changes, and the caller saves
/// nothing.
pub fn apply<R: CryptoRng + ?Sized>(
    plan: &Plan,
    doc: &mut Document,
    rng: &mut R,
) -> Result<Vec<KeyReport>, EditError> {
    for item in plan.changes() {
        let value = Generator::new(item.spec.clone()).generate(rng);
        match item.action {
            Action::Added => doc.append(&item.key, value.expose())?,
            _ => doc.replace_value(&item.key, value.expose())?,
        }
    }
    Ok(plan.report())
}
