//! Applying a plan: the one step that makes secret values.

use super::record::Record;
use super::{Action, KeyReport, Plan};
use crate::dotenv::{Document, EditError};
use crate::generate::Generator;
use jiff::Timestamp;
use rand::CryptoRng;

/// Generates a value with `rng` for every change of `plan`, in order, and writes it into `doc`:
/// appended for [`Action::Added`], in place (keeping the line's quoting) for
/// [`Action::Filled`] and [`Action::Replaced`], each with the record
/// `# envmint: generated=NOW` directly above it (replacing a record there). Kept keys and their
/// records are untouched; a retired value of [`Plan::foreign`] gets a record that marks it
/// expired now. Returns the plan's summary lines.
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
    now: Timestamp,
) -> Result<Vec<KeyReport>, EditError> {
    for item in plan.changes() {
        let record = Record::generated(now)
            .encryption(item.encryption)
            .to_string();
        let value = Generator::new(item.spec.clone()).generate(rng);
        match item.action {
            Action::Added => doc.append(&item.key, value.expose())?,
            _ => doc.replace_value(&item.key, value.expose())?,
        }
        doc.set_record(&item.key, &record)?;
    }
    // Retired values from `.env.example`: expired now, whatever their record said, so the
    // next rotation removes them.
    for f in plan.foreign.iter().filter(|f| !f.marked) {
        doc.set_record(&f.key, &f.record(now))?;
    }
    Ok(plan.report())
}
