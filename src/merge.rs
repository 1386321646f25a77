//! A three-way merge of dotenv documents per key: what git's merge driver for sealed stores
//! (`envmint git merge`) decides once it has decrypted the common ancestor (*base*), the branch
//! being merged into (*ours*) and the branch merged in (*theirs*) in memory.
//!
//! Each key is one unit, with the value and its `# envmint:` record together:
//!
//! - the same on both sides, or changed on ours only: ours is kept;
//! - changed on theirs only (added, changed or removed there): theirs is taken; a key added on
//!   theirs goes after the key it follows there (the end of the file when none of those is in
//!   ours); the value is written in theirs' quotes (bare, `'...'` or `"..."`), as far as they
//!   hold it, since the side whose change is taken decides how its line reads;
//! - changed on both sides to the same value: ours is kept (its record too);
//! - changed on both sides to different values, both with a `generated=` record (two rotations):
//!   the newer value is current, and the older one is retired into the key's `previous` form at
//!   the newer one's time, as a rotation of the older branch at that instant would have done,
//!   since an app may have received it. A key that keeps no previous values just keeps the newer
//!   one. Equal times decide nothing;
//! - anything else changed on both sides (a value given by `set` on either side, a line envmint
//!   cannot read) is a conflict, named by key, never by value.
//!
//! - a pending value of a rotation through hooks (`KEY_PENDING` with a `stage=` record) is never
//!   taken from theirs: it is resumed only on the machine that wrote it (see
//!   [`crate::hooks::stage`]), and one arriving by a merge could be planted. Ours' state of
//!   that key is kept, and [`Merged::dropped_pending`] names it. The exception is a pending
//!   value the caller verified as this machine's own (its `mac=` checks out: `ours_pending`):
//!   in a rebase or cherry-pick the replayed commit is "theirs", and dropping the user's own
//!   pending value would lose the password the service may already hold.
//!
//! - a value taken from theirs that changed there with its record unchanged (envmint writes a
//!   new record with every value it sets) is taken and named in [`Merged::unrecorded`]: it was
//!   edited by hand or forged, and someone should look.
//!
//! Comments, blank lines and order are ours': every line of ours that no key change touches
//! keeps its bytes. A comment line only theirs added (in neither base nor ours) is carried
//! over, after the key it follows in theirs (the top of the file when none); a comment theirs
//! removed stays when ours has it (the conservative side: comments are not secrets).
//! The library decides and does not print; the binary reports [`Merged`] or the [`Conflict`]s.

use crate::dotenv::{Document, EditError};
use crate::manifest::{MAX_KEEP, SecretDecl};
use crate::plan::record::Record;
use std::collections::{HashMap, HashSet};
use zeroize::Zeroizing;

/// Which branch of a merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The branch merged into (git's `%A`).
    Ours,
    /// The branch merged in (git's `%B`).
    Theirs,
}

/// Two rotations of one key, merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// The key.
    pub key: String,
    /// The side whose value (the newer `generated=`) is current.
    pub newer: Side,
    /// The variables the older value went to (empty when the key keeps no previous values).
    pub kept_as: Vec<String>,
}

/// A merge that succeeded.
pub struct Merged {
    /// The merged document's text.
    pub text: Zeroizing<String>,
    /// Keys taken from theirs (added, changed or removed there only), in order.
    pub from_theirs: Vec<String>,
    /// Keys both sides rotated.
    pub rotations: Vec<Rotation>,
    /// Pending values on theirs that were not taken (ours' state of each kept).
    pub dropped_pending: Vec<String>,
    /// Keys taken from theirs whose value changed there while their record stayed as it was
    /// in base: envmint writes a new record with every value it sets or generates, so such a
    /// value was edited by hand or forged (a sealed store is not authenticated). Taken all
    /// the same, and named so someone looks.
    pub unrecorded: Vec<String>,
}

/// Why a key could not be merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Both sides gave it different values, and no pair of `generated=` records decides.
    BothChanged,
    /// A line of it cannot be read on one side: which value readers see is unclear.
    Unreadable,
    /// An encryption key's keyring is full: keeping both rotations would push a key out.
    KeyringFull,
    /// Its value cannot be written into ours (a line envmint cannot edit in place).
    NotWritable,
}

/// A key the merge could not decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The key.
    pub key: String,
    /// Why.
    pub reason: Reason,
}

/// A key in one document: absent, a readable value with its record, or unreadable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State<'a> {
    Absent,
    Value {
        value: &'a str,
        record: Option<&'a str>,
    },
    Unreadable,
}

fn state<'a>(doc: &'a Document, key: &str) -> State<'a> {
    if !doc.contains_key(key) {
        return State::Absent;
    }
    match doc.get(key) {
        Some(value) => State::Value {
            value,
            record: doc.record(key),
        },
        None => State::Unreadable,
    }
}

/// Merges `ours` and `theirs`, both descended from `base`, per key. `decls` are the secrets the
/// manifest declares for the store's environment `environment` (their `previous` forms and
/// roles decide two rotations); without them every key changed on both sides is a conflict.
///
/// # Errors
///
/// Every key that could not be merged, in document order (ours first, then theirs).
pub fn merge(
    base: &Document,
    ours: &Document,
    theirs: &Document,
    decls: &[&SecretDecl],
    environment: &str,
    ours_pending: &HashSet<String>,
) -> Result<Merged, Vec<Conflict>> {
    let no_skip = HashSet::new();
    let (merged, conflicts) = merge_pass(
        base,
        ours,
        theirs,
        decls,
        environment,
        ours_pending,
        &no_skip,
    );
    if conflicts.is_empty() {
        Ok(merged)
    } else {
        Err(conflicts)
    }
}

/// [`merge`], which on conflicts still gives the merge of every other key: ours' state of each
/// conflicting key, everything else merged as without them. git's merge driver writes it
/// (git's contract: the driver leaves its best result in `%A` and exits non-zero), so that
/// resolving the named keys does not silently drop what theirs added elsewhere.
///
/// A failed key may have been half changed in the pass that found it (a line removed, its
/// new one not written), so the merge runs again with every conflicting key left untouched,
/// until a pass finds no new one: a merge without conflicts costs one pass, as [`merge`].
pub fn merge_partial(
    base: &Document,
    ours: &Document,
    theirs: &Document,
    decls: &[&SecretDecl],
    environment: &str,
    ours_pending: &HashSet<String>,
) -> (Merged, Vec<Conflict>) {
    let mut known: Vec<Conflict> = Vec::new();
    let mut skip: HashSet<String> = HashSet::new();
    loop {
        let (merged, new) = merge_pass(base, ours, theirs, decls, environment, ours_pending, &skip);
        // Each pass that goes on adds a key to `skip`, so this ends within one pass per key.
        if new.is_empty() {
            return (merged, known);
        }
        skip.extend(new.iter().map(|c| c.key.clone()));
        known.extend(new);
    }
}

/// One pass of the merge, leaving the keys of `skip` as ours has them (and unreported).
fn merge_pass(
    base: &Document,
    ours: &Document,
    theirs: &Document,
    decls: &[&SecretDecl],
    environment: &str,
    ours_pending: &HashSet<String>,
    skip: &HashSet<String>,
) -> (Merged, Vec<Conflict>) {
    let mut keys: Vec<&str> = ours.keys();
    let mut seen: HashSet<&str> = keys.iter().copied().collect();
    for key in theirs.keys() {
        if seen.insert(key) {
            keys.push(key);
        }
    }
    let mut result = Document::parse(&ours.render());
    let mut conflicts = Vec::new();
    let mut from_theirs = Vec::new();
    let mut dropped_pending = Vec::new();
    let mut unrecorded = Vec::new();
    let mut both: Vec<&str> = Vec::new();
    let order = Order::new(theirs);
    for key in keys {
        if skip.contains(key) {
            continue;
        }
        let (b, o, t) = (state(base, key), state(ours, key), state(theirs, key));
        if o == t || t == b {
            continue;
        }
        if is_pending(t) && !ours_pending.contains(key) {
            dropped_pending.push(key.to_string());
            continue;
        }
        if o == b {
            match copy(&mut result, theirs, &order, key) {
                Ok(()) => {
                    if changed_without_record(b, t) {
                        unrecorded.push(key.to_string());
                    }
                    from_theirs.push(key.to_string());
                }
                Err(reason) => conflicts.push(Conflict {
                    key: key.to_string(),
                    reason,
                }),
            }
            continue;
        }
        // Changed on both sides, to different states.
        if let (State::Value { value: a, .. }, State::Value { value: c, .. }) = (o, t)
            && a == c
        {
            continue;
        }
        both.push(key);
    }
    let mut rotations = Vec::new();
    let mut settled: HashSet<String> = HashSet::new();
    for &key in &both {
        let Some(decl) = decls.iter().find(|d| d.key == key) else {
            continue;
        };
        match rotation(&mut result, ours, theirs, decl, environment) {
            Ok(Some((rotation, names))) => {
                settled.insert(key.to_string());
                settled.extend(names);
                rotations.push(rotation);
            }
            Ok(None) => {}
            Err(reason) => {
                settled.insert(key.to_string());
                conflicts.push(Conflict {
                    key: key.to_string(),
                    reason,
                });
            }
        }
    }
    for key in both {
        if settled.contains(key) {
            continue;
        }
        let unreadable =
            [state(ours, key), state(theirs, key), state(base, key)].contains(&State::Unreadable);
        conflicts.push(Conflict {
            key: key.to_string(),
            reason: if unreadable {
                Reason::Unreadable
            } else {
                Reason::BothChanged
            },
        });
    }
    carry_comments(base, ours, theirs, &mut result);
    let merged = Merged {
        text: result.render(),
        from_theirs,
        rotations,
        dropped_pending,
        unrecorded,
    };
    (merged, conflicts)
}

/// Whether a key's value differs between `base` and `now` while its record is the same (the
/// same line, or none on both).
fn changed_without_record(base: State<'_>, now: State<'_>) -> bool {
    match (base, now) {
        (
            State::Value {
                value: a,
                record: ra,
            },
            State::Value {
                value: b,
                record: rb,
            },
        ) => a != b && ra == rb,
        _ => false,
    }
}

/// Adds to `result` the comment lines only theirs added (in neither base nor ours), each block
/// after the key it follows in theirs (the nearest earlier one `result` still has; the top of
/// the file when none), in theirs' order. A comment that cannot go there (its key's line
/// cannot be edited) is left out: comments never fail a merge.
fn carry_comments(base: &Document, ours: &Document, theirs: &Document, result: &mut Document) {
    let known: HashSet<&str> = base
        .comments()
        .into_iter()
        .chain(ours.comments())
        .map(|(_, line)| line)
        .collect();
    let order = Order::new(theirs);
    let mut blocks: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    for (after, line) in theirs.comments() {
        if known.contains(line) {
            continue;
        }
        // The key it follows, or the nearest earlier one the result has.
        let anchor = after.and_then(|k| {
            if result.get(k).is_some() {
                Some(k)
            } else {
                order.anchor(k, result)
            }
        });
        match blocks.last_mut() {
            Some((a, lines)) if *a == anchor => lines.push(line),
            _ => blocks.push((anchor, vec![line])),
        }
    }
    // Blocks with the same anchor: the later ones after the earlier ones.
    let mut merged: Vec<(Option<&str>, Vec<&str>)> = Vec::new();
    for (anchor, lines) in blocks {
        match merged.iter_mut().find(|(a, _)| *a == anchor) {
            Some((_, all)) => all.extend(lines),
            None => merged.push((anchor, lines)),
        }
    }
    for (anchor, lines) in merged {
        let _ = result.insert_comments(anchor, &lines);
    }
}

/// Whether a key's state is a pending value: a record that reads and has a `stage`.
fn is_pending(state: State<'_>) -> bool {
    match state {
        State::Value {
            record: Some(r), ..
        } => Record::parse(r).is_ok_and(|r| r.stage != crate::plan::record::Stage::Current),
        _ => false,
    }
}

/// Where each key of a document is, to place a key copied from it after its neighbour.
struct Order<'a> {
    keys: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Order<'a> {
    fn new(doc: &'a Document) -> Order<'a> {
        let keys = doc.keys();
        let index = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        Order { keys, index }
    }

    /// The nearest key before `key` in this order that `result` has a value for.
    fn anchor(&self, key: &str, result: &Document) -> Option<&'a str> {
        let at = *self.index.get(key)?;
        self.keys[..at]
            .iter()
            .rev()
            .find(|k| result.get(k).is_some())
            .copied()
    }
}

/// Makes `key` in `result` what it is in `from` (whose key order is `order`): removed, or its
/// value and record.
fn copy(
    result: &mut Document,
    from: &Document,
    order: &Order<'_>,
    key: &str,
) -> Result<(), Reason> {
    let edit = |e: EditError| match e {
        EditError::KeyOnUnparsableLine { .. } => Reason::Unreadable,
        _ => Reason::NotWritable,
    };
    match state(from, key) {
        State::Unreadable => Err(Reason::Unreadable),
        State::Absent => {
            if result.contains_key(key) {
                result.remove(key).map_err(edit)?;
            }
            Ok(())
        }
        State::Value { value, record } => {
            // In place when the record can follow (set, or none on either side); else the line
            // is written again where it belongs, since a record cannot be taken off alone.
            // The value in the quotes `from` wrote it in (bare included), as far as they can
            // hold it: the side whose change is taken decides how its line reads.
            let quote = Some(from.quote_of(key).unwrap_or(' '));
            if result.get(key).is_some() && (record.is_some() || result.record(key).is_none()) {
                result
                    .replace_value_quoted(key, value, quote)
                    .map_err(edit)?;
            } else {
                if result.contains_key(key) {
                    result.remove(key).map_err(edit)?;
                }
                match order.anchor(key, result) {
                    Some(anchor) => result.insert_after(anchor, key, value).map_err(edit)?,
                    None => result.append(key, value).map_err(edit)?,
                }
                result
                    .replace_value_quoted(key, value, quote)
                    .map_err(edit)?;
            }
            if let Some(record) = record {
                result.set_record(key, record).map_err(edit)?;
            }
            Ok(())
        }
    }
}

/// When `decl`'s key holds a value with a `generated=` record on both sides, at different
/// times: writes the newer one into `result` and retires the older one into its previous form
/// (see the module docs). Returns the rotation and the previous variables it settled; `None`
/// when the records do not decide.
fn rotation(
    result: &mut Document,
    ours: &Document,
    theirs: &Document,
    decl: &SecretDecl,
    environment: &str,
) -> Result<Option<(Rotation, Vec<String>)>, Reason> {
    let key = decl.key.as_str();
    let generated = |doc: &Document| {
        doc.get(key)?;
        Record::parse(doc.record(key)?).ok()?.generated
    };
    let (Some(at_ours), Some(at_theirs)) = (generated(ours), generated(theirs)) else {
        return Ok(None);
    };
    let (newer, older, at, side) = match at_ours.cmp(&at_theirs) {
        std::cmp::Ordering::Equal => return Ok(None),
        std::cmp::Ordering::Greater => (ours, theirs, at_ours, Side::Ours),
        std::cmp::Ordering::Less => (theirs, ours, at_theirs, Side::Theirs),
    };
    // The older branch's file, its value retired at the newer value's time.
    let mut scratch = Document::parse(&older.render());
    let built = crate::plan::rotation::retire_current(&scratch, decl, environment, at).map_err(
        |e| match e {
            crate::plan::rotation::RotationError::KeyringFull { .. } => Reason::KeyringFull,
            _ => Reason::NotWritable,
        },
    )?;
    crate::plan::edit::apply_edits(&mut scratch, &built.edits).map_err(|_| Reason::NotWritable)?;
    let kept_as: Vec<String> = built
        .changes
        .iter()
        .filter(|c| c.action == crate::plan::rotation::Action::Retired)
        .map(|c| c.key.clone())
        .collect();
    copy(result, newer, &Order::new(newer), key)?;
    let mut settled = Vec::new();
    if !built.edits.is_empty() {
        let mut names = decl.previous.names(None);
        names.extend((1..=MAX_KEEP).map_while(|n| decl.previous.slot(n)));
        let order = Order::new(&scratch);
        for name in names {
            if settled.contains(&name) {
                continue;
            }
            if state(&scratch, &name) != state(result, &name) {
                copy(result, &scratch, &order, &name)?;
            }
            settled.push(name);
        }
    }
    Ok(Some((
        Rotation {
            key: key.to_string(),
            newer: side,
            kept_as,
        },
        settled,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use std::path::Path;

    const MANIFEST: &str = "[environments.production]\nfile = \".env\"\n[secrets.SESSION]\nkind = \"hex\"\nbytes = 16\n\
        overlap = \"7d\"\n[secrets.PLAIN]\nkind = \"hex\"\nbytes = 16\n";

    fn manifest() -> Manifest {
        Manifest::parse(MANIFEST, Path::new("/p/envmint.toml"), Path::new("/p")).unwrap()
    }

    fn run(base: &str, ours: &str, theirs: &str) -> Result<Merged, Vec<Conflict>> {
        run_trusting(base, ours, theirs, &[])
    }

    /// [`run`], with the pending keys the caller verified as this machine's own.
    fn run_trusting(
        base: &str,
        ours: &str,
        theirs: &str,
        trusted: &[&str],
    ) -> Result<Merged, Vec<Conflict>> {
        let m = manifest();
        let decls: Vec<&SecretDecl> = m.secrets().iter().collect();
        let trusted: HashSet<String> = trusted.iter().map(|k| k.to_string()).collect();
        merge(
            &Document::parse(base),
            &Document::parse(ours),
            &Document::parse(theirs),
            &decls,
            "production",
            &trusted,
        )
    }

    /// A pending value this machine wrote (verified by the caller) is taken from theirs like
    /// any change: in a rebase the user's own commit is theirs.
    #[test]
    fn a_pending_value_verified_as_ours_is_taken_from_theirs() {
        let pending = "# envmint: generated=2026-01-01T00:00:00Z stage=set\nPLAIN_PENDING=x\n";
        let base = "PLAIN=1\n";
        let theirs = format!("{base}{pending}");
        let m = run_trusting(base, base, &theirs, &["PLAIN_PENDING"]).unwrap();
        assert_eq!(m.text.as_str(), theirs);
        assert!(m.dropped_pending.is_empty());
        assert_eq!(m.from_theirs, ["PLAIN_PENDING"]);
    }

    /// A value theirs changed with its record left as it was (hand-edited, `envmint edit`, or
    /// forged) is taken and named; one with a new record, a new key, or a removed one is not.
    #[test]
    fn a_value_changed_on_theirs_with_the_same_record_is_named() {
        let base = "# envmint: generated=2026-01-01T00:00:00Z\nPLAIN=1\nOTHER=a\nGONE=x\n";
        let theirs = "# envmint: generated=2026-01-01T00:00:00Z\nPLAIN=2\nOTHER=b\nNEW=n\n";
        let m = run(base, base, theirs).unwrap();
        assert_eq!(m.text.as_str(), theirs);
        assert_eq!(m.unrecorded, ["PLAIN", "OTHER"]);
        let rotated = "# envmint: generated=2026-02-01T00:00:00Z\nPLAIN=2\nOTHER=a\nGONE=x\n";
        let m = run(base, base, rotated).unwrap();
        assert_eq!(m.from_theirs, ["PLAIN"]);
        assert!(m.unrecorded.is_empty());
    }

    /// A pending value is never taken from theirs (added, or changed there): ours' state stays
    /// and the key is named. A planted one would otherwise be resumed by the set hook.
    #[test]
    fn a_pending_value_from_theirs_is_never_taken() {
        let pending = "# envmint: generated=2026-01-01T00:00:00Z stage=pending\nPLAIN_PENDING=x\n";
        let base = "PLAIN=1\n";
        let m = run(base, base, &format!("{base}{pending}")).unwrap();
        assert_eq!(m.text.as_str(), base);
        assert_eq!(m.dropped_pending, ["PLAIN_PENDING"]);
        assert!(m.from_theirs.is_empty());
        // Changed on theirs: ours' pending value stays.
        let ours = format!("{base}{pending}");
        let theirs = ours.replace("=x", "=planted").replace("pending", "set");
        let m = run(&ours, &ours, &theirs).unwrap();
        assert_eq!(m.text.as_str(), ours);
        assert_eq!(m.dropped_pending, ["PLAIN_PENDING"]);
        // Removed on theirs (a finished rotation): taken, nothing planted by a removal.
        let m = run(&ours, &ours, base).unwrap();
        assert_eq!(m.text.as_str(), base);
        assert!(m.dropped_pending.is_empty());
    }

    #[test]
    fn keys_changed_on_one_side_each_are_both_kept() {
        let base = "# app\nA=1\nB=2\n";
        let ours = "# app\nA=10\nB=2\n";
        let theirs = "# app\nA=1\nB=2\n# envmint: set=2026-01-01T00:00:00Z\nC=3\n";
        let m = run(base, ours, theirs).unwrap_or_else(|c| panic!("{c:?}"));
        assert_eq!(
            m.text.as_str(),
            "# app\nA=10\nB=2\n# envmint: set=2026-01-01T00:00:00Z\nC=3\n"
        );
        assert_eq!(m.from_theirs, ["C"]);
        // Removed on theirs, kept unchanged on ours: removed with its record.
        let m = run(
            "A=1\n# envmint: set=2026-01-01T00:00:00Z\nB=2\n",
            "A=1\n# envmint: set=2026-01-01T00:00:00Z\nB=2\nD=4\n",
            "A=1\n",
        )
        .unwrap();
        assert_eq!(m.text.as_str(), "A=1\nD=4\n");
        // Added on both sides with the same value: fine.
        let m = run("", "X=same\n", "X=same\n").unwrap();
        assert_eq!(m.text.as_str(), "X=same\n");
    }

    #[test]
    fn two_sets_conflict_by_key_and_never_show_a_value() {
        let e = run(
            "A=1\nB=2\n",
            "A=ours-secret\nB=3\n",
            "A=theirs-secret\nB=3\n",
        )
        .err()
        .unwrap();
        assert_eq!(
            e,
            [Conflict {
                key: "A".into(),
                reason: Reason::BothChanged
            }]
        );
        let shown = format!("{e:?}");
        assert!(!shown.contains("secret"), "{shown}");
        // A rotation on one side against a set on the other is a conflict too.
        let e = run(
            "SESSION=a\n",
            "# envmint: generated=2026-01-02T00:00:00Z\nSESSION=b\n",
            "# envmint: set=2026-01-03T00:00:00Z\nSESSION=c\n",
        )
        .err()
        .unwrap();
        assert_eq!(e[0].key, "SESSION");
    }

    #[test]
    fn two_rotations_keep_the_newer_value_and_retire_the_older_one() {
        let base = "# envmint: generated=2026-01-01T00:00:00Z\nSESSION=v0\nOTHER=x\n";
        let ours = "# envmint: generated=2026-01-05T00:00:00Z\nSESSION=v1\n\
            # envmint: previous-of=SESSION retired=2026-01-05T00:00:00Z expires=2026-01-12T00:00:00Z\n\
            SESSION_PREVIOUS=v0\nOTHER=x\n";
        let theirs = "# envmint: generated=2026-01-09T00:00:00Z\nSESSION=v2\n\
            # envmint: previous-of=SESSION retired=2026-01-09T00:00:00Z expires=2026-01-16T00:00:00Z\n\
            SESSION_PREVIOUS=v0\nOTHER=x\n";
        let expected = "# envmint: generated=2026-01-09T00:00:00Z\nSESSION=v2\n\
            # envmint: previous-of=SESSION retired=2026-01-09T00:00:00Z expires=2026-01-16T00:00:00Z\n\
            SESSION_PREVIOUS=v1\nOTHER=x\n";
        let m = run(base, ours, theirs).unwrap_or_else(|c| panic!("{c:?}"));
        assert_eq!(m.text.as_str(), expected);
        assert_eq!(
            m.rotations,
            [Rotation {
                key: "SESSION".into(),
                newer: Side::Theirs,
                kept_as: vec!["SESSION_PREVIOUS".into()],
            }]
        );
        // The same from the other side.
        let m = run(base, theirs, ours).unwrap();
        assert_eq!(m.text.as_str(), expected);
        assert_eq!(m.rotations[0].newer, Side::Ours);
        // A key without overlap keeps the newer value only.
        let m = run(
            "PLAIN=a\n",
            "# envmint: generated=2026-01-02T00:00:00Z\nPLAIN=b\n",
            "# envmint: generated=2026-01-03T00:00:00Z\nPLAIN=c\n",
        )
        .unwrap();
        assert_eq!(
            m.text.as_str(),
            "# envmint: generated=2026-01-03T00:00:00Z\nPLAIN=c\n"
        );
        // The same time decides nothing.
        assert!(
            run(
                "PLAIN=a\n",
                "# envmint: generated=2026-01-02T00:00:00Z\nPLAIN=b\n",
                "# envmint: generated=2026-01-02T00:00:00Z\nPLAIN=c\n",
            )
            .is_err()
        );
    }

    #[test]
    fn comments_only_theirs_added_are_carried_after_their_key() {
        let base = "# app\nA=1\nB=2\n";
        let ours = "# app\n# ours says\nA=1\nB=20\n";
        let theirs = "# top of theirs\n# app\nA=1\n# about B\n# second line\nB=2\n# about C\nC=3\n";
        let m = run(base, ours, theirs).unwrap_or_else(|c| panic!("{c:?}"));
        assert_eq!(
            m.text.as_str(),
            "# top of theirs\n# app\n# ours says\nA=1\n# about B\n# second line\nB=20\n\
             # about C\nC=3\n"
        );
        // A comment theirs removed stays (ours has it); one both added is there once.
        let m = run("# old\nA=1\n", "# old\n# both\nA=1\n", "# both\nA=1\n").unwrap();
        assert_eq!(m.text.as_str(), "# old\n# both\nA=1\n");
        // Records are not comments: theirs' record comes with its key, once.
        let m = run(
            "A=1\n",
            "A=1\n",
            "# envmint: set=2026-01-01T00:00:00Z\nA=1\n",
        )
        .unwrap();
        assert_eq!(
            m.text.as_str(),
            "# envmint: set=2026-01-01T00:00:00Z\nA=1\n"
        );
    }

    #[test]
    fn a_value_taken_from_theirs_keeps_theirs_quoting() {
        // Ours single-quotes, theirs changed the value and wrote it double-quoted or bare.
        let m = run("A='x1'\nB='y1'\n", "A='x1'\nB='y1'\n", "A=\"x 2\"\nB=y2\n").unwrap();
        assert_eq!(m.text.as_str(), "A=\"x 2\"\nB=y2\n");
        // A key theirs added, quoted: as theirs wrote it.
        let m = run("A=1\n", "A=1\n", "A=1\nC=\"c 3\"\nD='d4'\n").unwrap();
        assert_eq!(m.text.as_str(), "A=1\nC=\"c 3\"\nD='d4'\n");
        // Quotes that cannot hold the value give way to a form that can.
        let m = run("A=1\n", "A=1\n", "A='it\"s'\n").unwrap();
        assert_eq!(m.text.as_str(), "A='it\"s'\n");
    }

    #[test]
    fn unreadable_lines_are_conflicts_not_guesses() {
        let e = run("A=1\n", "A=2\n", "A='never closed\n").err().unwrap();
        assert_eq!(e[0].key, "A");
        assert_eq!(e[0].reason, Reason::Unreadable);
    }

    /// Past a conflict the other keys still merge: ours' value of the conflicting key, theirs'
    /// added key, ours' added key; an unreadable line of theirs leaves ours' line whole.
    #[test]
    fn a_partial_merge_keeps_ours_for_conflicts_and_merges_the_rest() {
        let m = manifest();
        let decls: Vec<&SecretDecl> = m.secrets().iter().collect();
        let parse = Document::parse;
        let (merged, conflicts) = merge_partial(
            &parse("A=1\nB=1\n"),
            &parse("A=2\nB=1\nOURS=o\n"),
            &parse("A=3\nB='never closed\nTHEIRS=t\n"),
            &decls,
            "production",
            &HashSet::new(),
        );
        let keys: Vec<(&str, Reason)> = conflicts
            .iter()
            .map(|c| (c.key.as_str(), c.reason))
            .collect();
        assert_eq!(
            keys,
            [("B", Reason::Unreadable), ("A", Reason::BothChanged)]
        );
        // THEIRS follows its anchor in theirs, B.
        assert_eq!(merged.text.as_str(), "A=2\nB=1\nTHEIRS=t\nOURS=o\n");
        assert_eq!(merged.from_theirs, ["THEIRS"]);
    }
}
