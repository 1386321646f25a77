//! The clock behind the records: a run whose `now` (the machine's clock, or `--at`) is earlier
//! than the newest `# envmint:` record in a store must not rotate it.
//!
//! Such a run would find every key "made in the future", and whatever it decided would be
//! dated before values the apps already use: the next run with the right clock would rotate
//! again and drop the value it had just retired, which nobody then holds. So `rotate`, `plan`
//! and `apply` refuse a store whose newest record (its `generated=`, `set=` or `retired=`
//! time; never `expires=`, which is meant to lie ahead) is more than [`CLOCK_TOLERANCE`]
//! after `now` ([`check`]), naming the record's line, its time and the clock; `status` warns.
//!
//! Within the tolerance the run goes on, and the records it writes are dated no earlier than
//! the newest one there ([`Checked::stamp`]): a rotation never writes a `retired=` before an
//! existing record's time.

pub use super::error::{ClockBehind, NewestRecord};
use super::record::Record;
use crate::dotenv::Document;
use jiff::{SignedDuration, Timestamp};

/// How far the newest record may lie after `now`: the clocks of two machines sharing a store
/// (a laptop and CI) differ by seconds, rarely by a minute; five minutes covers that without
/// letting a clock that is hours or days behind rotate anything.
pub const CLOCK_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// A store whose records are not ahead of the clock: when to date what a run writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The later of `now` and the newest record's time (at most [`CLOCK_TOLERANCE`] apart):
    /// the time to write in new records, so none is dated before one already there.
    pub stamp: Timestamp,
}

/// The newest `generated`, `set` or `retired` time among the records of `doc`'s keys. Records
/// that do not read are left out (they are warned about as bad records on their own).
pub fn newest_record(doc: &Document) -> Option<NewestRecord> {
    let mut newest: Option<NewestRecord> = None;
    // Each key found once, not looked up by name for its record and its line.
    for key in doc.key_refs() {
        let Some(record) = key.record().and_then(|t| Record::parse(t).ok()) else {
            continue;
        };
        let times = record
            .generated
            .map(|t| ("generated", t))
            .into_iter()
            .chain(record.set.map(|t| ("set", t)))
            .chain(record.retired.iter().map(|t| ("retired", *t)));
        for (field, at) in times {
            if newest.as_ref().is_none_or(|n| at > n.at) {
                newest = Some(NewestRecord {
                    key: key.name().to_string(),
                    line: key.line().map_or(0, |l| l.saturating_sub(1)),
                    field,
                    at,
                });
            }
        }
    }
    newest
}

/// Whether `t` lies more than [`CLOCK_TOLERANCE`] after `now`.
pub fn is_ahead(t: Timestamp, now: Timestamp) -> bool {
    t > now
        .saturating_add(CLOCK_TOLERANCE)
        .unwrap_or(Timestamp::MAX)
}

/// Holds `now` to the newest record of `doc` (see the module documentation).
///
/// # Errors
///
/// [`ClockBehind`] when that record is more than [`CLOCK_TOLERANCE`] after `now`.
pub fn check(doc: &Document, now: Timestamp) -> Result<Checked, ClockBehind> {
    match newest_record(doc) {
        Some(newest) if is_ahead(newest.at, now) => Err(ClockBehind { newest, now }),
        Some(newest) => Ok(Checked {
            stamp: now.max(newest.at),
        }),
        None => Ok(Checked { stamp: now }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn t(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    const DOC: &str = "X=1\n# envmint: generated=2030-01-01T00:00:00Z\nA=a\n\
        # envmint: previous-of=A retired=2030-01-05T00:00:00Z,2029-12-01T00:00:00Z \
        expires=2099-01-01T00:00:00Z,2030-01-01T00:00:00Z\nA_OLD=b,c\n\
        # envmint: set=2030-01-03T00:00:00Z\nB=x\n\
        # envmint: generated=2999-13-01T00:00:00Z\nC=bad-record-is-left-out\n";

    #[test]
    fn the_newest_generated_set_or_retired_time_never_an_expiry() {
        let doc = Document::parse(DOC);
        assert_eq!(
            newest_record(&doc),
            Some(NewestRecord {
                key: "A_OLD".into(),
                line: 4,
                field: "retired",
                at: t("2030-01-05"),
            })
        );
        assert_eq!(newest_record(&Document::parse("A=1\n")), None);
    }

    #[test]
    fn fail_a_clock_behind_the_newest_record_beyond_the_tolerance() {
        let doc = Document::parse(DOC);
        // Exactly at the tolerance: fine, and new records are dated at the newest one.
        let edge = t("2030-01-04T23:55:00Z");
        assert_eq!(
            check(&doc, edge),
            Ok(Checked {
                stamp: t("2030-01-05")
            })
        );
        let behind = t("2030-01-04T23:54:59Z");
        let err = check(&doc, behind).unwrap_err();
        assert_eq!(err.newest.line, 4);
        assert_eq!(err.now, behind);
        assert_eq!(
            err.to_string(),
            "the clock (2030-01-04T23:54:59Z) is behind the record of A_OLD \
             (retired=2030-01-05T00:00:00Z): a run dated before it would rotate values the \
             apps have just started to use"
        );
        // A day behind, as the run was.
        assert!(check(&doc, t("2030-01-04")).is_err());
        let later = t("2030-02-01");
        assert_eq!(check(&doc, later), Ok(Checked { stamp: later }));
        assert_eq!(check(&Document::parse(""), behind).unwrap().stamp, behind);
    }
}
