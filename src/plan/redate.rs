//! Dating a saved plan at the time it is applied, not the time it was made.
//!
//! `envmint plan -o` writes records dated at the plan's instant (`created`). A plan reviewed for
//! a week and then applied would leave a value "retired a week ago" whose overlap is already
//! partly or wholly spent, and a new value "generated a week ago" that falls due early. So
//! `apply` re-dates the records the plan writes: every `generated`, `set` and `retired` time at
//! or after the plan's instant (the ones the plan made; older ones are carried over from the
//! store) moves forward by the time between plan and apply, and so does the `expires` of each
//! retired value moved ([`redate`]). A plan older than the shortest overlap of the secrets it
//! rotates is refused instead ([`too_old`]): the store may have changed meaning since.
//!
//! The digests of the plan are taken on the records as planned, so `apply` replays the plan,
//! checks the result against them, then puts the re-dated records in place ([`records`] gives
//! each key's). An already applied store is recognised by putting the planned records back.

use super::edit::Edit;
use super::record::Record;
use crate::manifest::{Environment, Manifest};
use jiff::{SignedDuration, Timestamp};
use std::time::Duration;

/// The record each edit of `edits` writes, by key, in order (a `set` or `insert_after`; a
/// removal writes none).
pub fn records(edits: &[Edit]) -> Vec<(&str, &str)> {
    edits
        .iter()
        .filter_map(|e| match e {
            Edit::Set { key, record, .. } | Edit::InsertAfter { key, record, .. } => {
                Some((key.as_str(), record.as_str()))
            }
            Edit::Remove { .. } => None,
        })
        .collect()
}

/// `record` (a record's text, as a plan holds it) re-dated from `planned` to `applied`: each
/// `generated`, `set` and `retired` time at or after `planned` moves by `applied - planned`, and
/// the `expires` of each retired value moved with it. A record that does not read, or an
/// `applied` not after `planned`, is returned as it is.
pub fn redate(record: &str, planned: Timestamp, applied: Timestamp) -> String {
    let Ok(mut parsed) = Record::parse(record) else {
        return record.to_string();
    };
    let shift = applied.duration_since(planned);
    if shift <= SignedDuration::ZERO {
        return record.to_string();
    }
    let moved = |t: Timestamp| {
        if t >= planned {
            t.saturating_add(shift).unwrap_or(Timestamp::MAX)
        } else {
            t
        }
    };
    parsed.generated = parsed.generated.map(moved);
    parsed.set = parsed.set.map(moved);
    // A keyring's record (an encryption key's) has `retired` times and no `expires`.
    for (i, retired) in parsed.retired.iter_mut().enumerate() {
        if *retired >= planned {
            *retired = moved(*retired);
            if let Some(expires) = parsed.expires.get_mut(i) {
                *expires = expires.saturating_add(shift).unwrap_or(Timestamp::MAX);
            }
        }
    }
    parsed.to_string()
}

/// The shortest `overlap` among the secrets of `env` that `edits` give a new value, when any
/// of them overlaps.
pub fn shortest_overlap(
    manifest: &Manifest,
    env: &Environment,
    edits: &[Edit],
) -> Option<Duration> {
    manifest
        .secrets_for(&env.name)
        .filter(|d| {
            edits
                .iter()
                .any(|e| matches!(e, Edit::Set { key, .. } if *key == d.key))
        })
        .filter_map(|d| d.overlap)
        .min()
}

/// Whether a plan made at `planned` is too old to apply at `applied`: older than `overlap`,
/// the shortest window of the secrets it rotates. The values it would retire may have been
/// needed by apps for longer than the plan could know.
pub fn too_old(planned: Timestamp, applied: Timestamp, overlap: Option<Duration>) -> bool {
    let Some(overlap) = overlap else {
        return false;
    };
    crate::time::due_at(planned, overlap) < applied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn t(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    #[test]
    fn the_plans_own_times_move_to_the_apply_time_and_older_ones_stay() {
        let planned = t("2026-01-01");
        let applied = t("2026-01-04T12:00:00Z");
        assert_eq!(
            redate("generated=2026-01-01T00:00:00Z", planned, applied),
            "generated=2026-01-04T12:00:00Z"
        );
        // The value the plan retires moves with its expiry; one retired earlier keeps its
        // times (it was in the store before the plan).
        assert_eq!(
            redate(
                "previous-of=A retired=2026-01-01T00:00:00Z,2025-12-30T00:00:00Z \
                 expires=2026-01-08T00:00:00Z,2026-01-06T00:00:00Z",
                planned,
                applied
            ),
            "previous-of=A retired=2026-01-04T12:00:00Z,2025-12-30T00:00:00Z \
             expires=2026-01-11T12:00:00Z,2026-01-06T00:00:00Z"
        );
        // Applied at once (or with a clock a little behind): unchanged.
        let same = "generated=2026-01-01T00:00:00Z";
        assert_eq!(redate(same, planned, planned), same);
        assert_eq!(redate(same, planned, t("2025-12-31T23:59:00Z")), same);
        assert_eq!(redate("generated=bad", planned, applied), "generated=bad");
        // A keyring's record: no expiry to move.
        assert_eq!(
            redate(
                "previous-of=E retired=2026-01-01T00:00:00Z,2025-06-01T00:00:00Z",
                planned,
                applied
            ),
            "previous-of=E retired=2026-01-04T12:00:00Z,2025-06-01T00:00:00Z"
        );
    }

    #[test]
    fn fail_a_plan_older_than_its_shortest_overlap() {
        let day = Duration::from_secs(86_400);
        let planned = t("2026-01-01");
        assert!(!too_old(planned, t("2026-01-08"), Some(7 * day)));
        assert!(too_old(planned, t("2026-01-08T00:00:01Z"), Some(7 * day)));
        assert!(!too_old(planned, t("2027-01-01"), None));
    }
}
