//! Keys due, of unknown age or overdue for rotation, as [`crate::plan::status::evaluate`]
//! computes them for `status`.
//!
//! - due (`rotation-due`, a warning): made `rotate_every` or more ago;
//! - overdue (`rotation-overdue`, an error): a whole period past its due date too (made
//!   `2 x rotate_every` or more ago), or a retired value past its overlap window that apps
//!   still accept;
//! - unknown (`rotation-unknown`, a warning): no record, or one that does not read: due now.
//!
//! - missing (`missing-value`, an error): a declared secret the file does not have (the app
//!   starts without it); checked only for a store that exists, so a project not bootstrapped
//!   yet is not a flood of findings.
//!
//! - record time (`record-time`, an error): a record's `generated`, `set` or `retired` more
//!   than the clock's tolerance after `now`, or an `expires` later than `retired` + the
//!   declared overlap: counted as the time that can hold (see
//!   [`crate::plan::status::capped`]), but someone forged it or a clock was wrong, and
//!   `rotate` refuses a store whose records are ahead of the clock.
//!
//! - a keyring past [`KEYRING_AUDIT_KEYS`] keys (`keyring-size`, a warning): an encryption
//!   key whose old keys were never retired; every decryption may try each of them, and each
//!   is one more key that opens the data.
//!
//! - a keyring of another role (`keyring-role`, a warning): retired keys in a keyring's form
//!   (their record has no `expires`), or a current value recorded as `role=encryption`, under a
//!   secret the manifest no longer calls an encryption key. They are kept for good all the
//!   same (a changed role must not drop the keys data needs), which the new role does not say.
//!
//! A due credential's hint says to change it at its service first: `rotate --due` never
//! changes one in the file alone.
//!
//! `ok`, `previous` and `unmanaged` keys are fine.

use super::fix::Fix;
use super::{Check, Finding, Severity};
use crate::dotenv::Document;
use crate::manifest::{Environment, Manifest, Role};
use crate::plan::status::{Problem, State, evaluate_managed};
use crate::time::{due_at, format_age, format_timestamp};
use jiff::Timestamp;
use std::path::Path;

/// The most keys (the current one and the retired ones) an encryption key's keyring holds
/// before `audit` reports it (`keyring-size`): past it, re-encrypt the data under the current
/// key and `envmint retire` the old ones.
pub const KEYRING_AUDIT_KEYS: usize = 3;

/// The rotation findings of `env`, whose document `doc` was read from `path`, at `now`.
pub fn check_rotation(
    manifest: &Manifest,
    env: &Environment,
    doc: &Document,
    path: &Path,
    now: Timestamp,
    pending_key: Option<&crate::secret::KeyedHash>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut rows = evaluate_managed(manifest, env, doc, now);
    crate::hooks::stage::mark_pending(&mut rows, doc, &env.name, pending_key, now);
    // A record ahead of the clock on a key no row reports (an unmanaged one) still holds the
    // whole store.
    if let Err(behind) = crate::plan::clock::check(doc, now)
        && !rows.iter().any(|r| {
            r.key == behind.newest.key
                && matches!(
                    r.problem,
                    Some(Problem::Future { .. } | Problem::Capped { .. })
                )
        })
    {
        out.push(
            Finding::new(Severity::Error, Check::RecordTime, format!("{behind}"))
                .env(&env.name)
                .key(&behind.newest.key)
                .path(path)
                .line(Some(behind.newest.line))
                .fix(Fix::CorrectRecordLine),
        );
    }
    for row in rows {
        let name = &env.name;
        let key = &row.key;
        let decl = manifest
            .secrets_for(name)
            .find(|d| Some(&d.key) == row.previous_of.as_ref() || d.key == *key);
        // A retired value is renewed through the secret it belongs to: `--key` takes only
        // declared secrets.
        let secret = row.previous_of.as_deref().unwrap_or(key);
        let fix = if row.role == Role::Credential && !row.external {
            Fix::RotateCredential { env: name, secret }
        } else if row.external {
            Fix::SetExternal { env: name, secret }
        } else {
            Fix::Rotate { env: name, secret }
        };
        let finding = |severity, check, message: String| {
            Finding::new(severity, check, message)
                .env(name)
                .key(key)
                .path(path)
                .line(row.line)
        };
        if let Some(problem @ (Problem::Future { .. } | Problem::Capped { .. })) = &row.problem {
            let fix = match problem {
                Problem::Future { .. } => Fix::CorrectRecordAbove { key },
                _ => Fix::RecordThatHolds { env: name, key },
            };
            out.push(
                Finding::new(
                    Severity::Error,
                    Check::RecordTime,
                    format!("{key}: {problem}"),
                )
                .env(name)
                .key(key)
                .path(path)
                .line(row.line.map(|l| l.saturating_sub(1)))
                .fix(fix),
            );
        }
        if let Some(
            Problem::KeyringOfAnotherRole { role } | Problem::EncryptionKeyOfAnotherRole { role },
        ) = &row.problem
        {
            let secret = row.previous_of.as_deref().unwrap_or(key);
            let (what, kept) = if row.previous_of.is_some() {
                (
                    "holds an encryption key's retired keys (its record has no expires=)",
                    "they are kept for good all the same, never removed by time",
                )
            } else {
                (
                    "is recorded as an encryption key (role=encryption)",
                    "a rotation keeps its old value for good all the same, never removed by time",
                )
            };
            out.push(
                finding(
                    Severity::Warning,
                    Check::KeyringRole,
                    format!(
                        "{key} {what} but {secret}'s role is now {}: {kept}",
                        role.name()
                    ),
                )
                .fix(Fix::KeyringRole { env: name, secret }),
            );
        }
        if let Some(ring) = row.keyring
            && ring.keys > KEYRING_AUDIT_KEYS
        {
            out.push(
                finding(
                    Severity::Warning,
                    Check::KeyringSize,
                    format!(
                        "{key}'s keyring holds {} keys (more than {KEYRING_AUDIT_KEYS}){}",
                        ring.keys,
                        if ring.full {
                            ": it is full, so the key is no longer rotated"
                        } else {
                            ""
                        }
                    ),
                )
                .fix(Fix::Reencrypt { env: name, key }),
            );
        }
        match row.state {
            State::Due => {
                let (Some(made), Some(due), Some(decl)) = (row.generated_at, row.due_at, decl)
                else {
                    continue;
                };
                let overdue = decl
                    .rotate_every
                    .is_some_and(|every| now >= due_at(due, every));
                let (severity, check, word) = if overdue {
                    (Severity::Error, Check::RotationOverdue, "overdue")
                } else {
                    (Severity::Warning, Check::RotationDue, "due")
                };
                out.push(
                    finding(
                        severity,
                        check,
                        format!(
                            "{key} is {word} for rotation: made {} ago ({}), due {}",
                            format_age(now, made),
                            format_timestamp(made),
                            format_timestamp(due)
                        ),
                    )
                    .fix(fix.clone()),
                );
            }
            State::Unknown => {
                let why = match &row.problem {
                    Some(problem) => format!("{problem}"),
                    None => "no `# envmint:` record says when it was made".to_string(),
                };
                let message = match &row.previous_of {
                    Some(of) => format!(
                        "{key}, a retired value of {of}, has no expiry envmint can read: {why}"
                    ),
                    None => format!("{key} is of unknown age, so it counts as due: {why}"),
                };
                out.push(
                    finding(Severity::Warning, Check::RotationUnknown, message).fix(fix.clone()),
                );
            }
            State::Pending
                if matches!(
                    row.problem,
                    Some(Problem::PendingNotOurs | Problem::PendingStale { .. })
                ) =>
            {
                let of = row.previous_of.as_deref().unwrap_or("a secret");
                let (why, fix) = match row.problem {
                    Some(Problem::PendingStale { since }) => (
                        format!(
                            "was generated here at {}, more than {} days ago (it may come from a \
                             restored store)",
                            format_timestamp(since),
                            crate::hooks::stage::PENDING_MAX_AGE.as_hours() / 24
                        ),
                        Fix::FinishByHand { env: name, key, of },
                    ),
                    _ => (
                        "was not written by envmint here (its mac= does not verify with your \
                         pending key: another machine or HOME wrote it, or it was planted)"
                            .to_string(),
                        Fix::ResumeWhereStarted { env: name, of },
                    ),
                };
                // A warning, as any pending value is: one another machine wrote may be a
                // teammate's rotation in progress, to be finished there.
                out.push(
                    finding(
                        Severity::Warning,
                        Check::RotationDue,
                        format!(
                            "{key} holds a pending value of {of} that {why}: rotate refuses to \
                             resume it"
                        ),
                    )
                    .fix(fix),
                );
            }
            State::Pending => {
                let of = row.previous_of.as_deref().unwrap_or("a secret");
                out.push(
                    finding(
                        Severity::Warning,
                        Check::RotationDue,
                        format!(
                            "{key} holds a pending value of {of} (stage {}): a rotation with \
                             hooks did not finish",
                            row.stage.map_or("pending", |s| s.as_str())
                        ),
                    )
                    .fix(Fix::Resume { env: name, of }),
                );
            }
            State::Expired => {
                let when = row
                    .expires_at
                    .map(|t| format!(" at {}", format_timestamp(t)))
                    .unwrap_or_default();
                out.push(
                    finding(
                        Severity::Error,
                        Check::RotationOverdue,
                        format!(
                            "{key}, a retired value of {}, expired{when} and is still in the \
                             file",
                            row.previous_of.as_deref().unwrap_or("a secret")
                        ),
                    )
                    .fix(Fix::RemoveExpired { env: name }),
                );
            }
            // An empty value is `missing` to status, and `empty-value` here already.
            State::Missing if row.line.is_none() => {
                let fix = if row.external {
                    Fix::GetFromIssuer { env: name, key }
                } else {
                    Fix::Bootstrap { env: name }
                };
                let what = if row.external {
                    "an external secret"
                } else {
                    "a declared secret"
                };
                out.push(
                    finding(
                        Severity::Error,
                        Check::MissingValue,
                        format!("{key} is missing: {what} of {name} that the file does not have"),
                    )
                    .fix(fix),
                );
            }
            State::Ok | State::Missing | State::Unmanaged | State::Previous => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_overdue_unknown_and_expired_keys_are_found() {
        let m = Manifest::parse(
            "[environments.production]\n[secrets.A]\nkind = \"hex\"\nrotate_every = \"30d\"\n\
             [secrets.B]\nkind = \"hex\"\nrotate_every = \"30d\"\n\
             [secrets.C]\nkind = \"hex\"\n[secrets.D]\nkind = \"hex\"\n",
            Path::new("/p/envmint.toml"),
            Path::new("/p"),
        )
        .unwrap();
        let env = m.environment("production").unwrap();
        let doc = Document::parse(
            "# envmint: generated=2026-10-01T00:00:00Z\nA=1\n\
             # envmint: generated=2026-08-01T00:00:00Z\nB=2\n\
             C=3\n\
             # envmint: generated=2026-11-20T00:00:00Z\nD=4\n",
        );
        let now: Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
        let found = check_rotation(&m, env, &doc, Path::new("/p/.env"), now, None);
        let rows: Vec<_> = found
            .iter()
            .map(|f| (f.key.as_deref().unwrap(), f.check.id(), f.line))
            .collect();
        assert_eq!(
            rows,
            [
                ("A", "rotation-due", Some(2)),
                ("B", "rotation-overdue", Some(4)),
                ("C", "rotation-unknown", Some(5)),
            ]
        );
        assert_eq!(
            found[0].message,
            "A is due for rotation: made 53d ago (2026-10-01T00:00:00Z), due 2026-10-31T00:00:00Z"
        );
    }

    #[test]
    fn a_retired_value_past_its_expiry_is_overdue_and_one_inside_it_is_fine() {
        let m = Manifest::parse(
            "[environments.production]\n[secrets.A]\nkind = \"hex\"\noverlap = \"7d\"\n",
            Path::new("/p/envmint.toml"),
            Path::new("/p"),
        )
        .unwrap();
        let env = m.environment("production").unwrap();
        let doc = |expires: &str| {
            Document::parse(&format!(
                "# envmint: generated=2026-11-20T00:00:00Z\nA=1\n\
                 # envmint: previous-of=A retired=2026-11-20T00:00:00Z expires={expires}\n\
                 A_PREVIOUS=0\n"
            ))
        };
        let now: Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
        let path = Path::new("/p/.env");
        let inside = check_rotation(&m, env, &doc("2026-11-27T00:00:00Z"), path, now, None);
        assert_eq!(inside, []);
        let past = check_rotation(&m, env, &doc("2026-11-22T00:00:00Z"), path, now, None);
        assert_eq!(past.len(), 1);
        assert_eq!(past[0].check, Check::RotationOverdue);
        assert_eq!(past[0].key.as_deref(), Some("A_PREVIOUS"));
        assert_eq!(past[0].line, Some(4));
        assert_eq!(
            past[0].message,
            "A_PREVIOUS, a retired value of A, expired at 2026-11-22T00:00:00Z and is still in \
             the file"
        );
    }

    #[test]
    fn fail_record_times_that_cannot_hold_are_errors() {
        let m = Manifest::parse(
            "[environments.production]\n[secrets.A]\nkind = \"hex\"\noverlap = \"7d\"\n",
            Path::new("/p/envmint.toml"),
            Path::new("/p"),
        )
        .unwrap();
        let env = m.environment("production").unwrap();
        let now: Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
        let path = Path::new("/p/.env");
        // A forged expiry (the overlap is 7 days).
        let doc = Document::parse(
            "# envmint: generated=2026-11-20T00:00:00Z\nA=1\n\
             # envmint: previous-of=A retired=2026-11-20T00:00:00Z expires=2099-01-01T00:00:00Z\n\
             A_PREVIOUS=0\n",
        );
        let found = check_rotation(&m, env, &doc, path, now, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].check.id(), found[0].severity, found[0].line),
            ("record-time", Severity::Error, Some(3))
        );
        assert_eq!(
            found[0].message,
            "A_PREVIOUS: the record's expires=2099-01-01T00:00:00Z is later than retired + the \
             declared overlap; counted as 2026-11-27T00:00:00Z"
        );
        // A value "made" in the future, and a record ahead of the clock on an unmanaged key.
        let doc = Document::parse(
            "# envmint: generated=2099-01-01T00:00:00Z\nA=1\n\
             # envmint: set=2098-01-01T00:00:00Z\nOTHER=2\n",
        );
        let found = check_rotation(&m, env, &doc, path, now, None);
        let rows: Vec<_> = found
            .iter()
            .map(|f| (f.key.as_deref().unwrap(), f.check.id(), f.line))
            .collect();
        assert_eq!(rows, [("A", "record-time", Some(1))]);
        let doc = Document::parse("A=1\n# envmint: set=2098-01-01T00:00:00Z\nOTHER=2\n");
        let found = check_rotation(&m, env, &doc, path, now, None);
        let rows: Vec<_> = found
            .iter()
            .map(|f| (f.key.as_deref().unwrap(), f.check.id(), f.line))
            .collect();
        assert_eq!(
            rows,
            [
                ("OTHER", "record-time", Some(2)),
                ("A", "rotation-unknown", Some(1))
            ]
        );
    }

    /// A retired value whose record does not read is renewed through its secret: the hint
    /// names `--key A`, which rotate takes, not `--key A_PREVIOUS`, which it refuses.
    #[test]
    fn a_retired_value_of_unknown_expiry_names_its_secret_in_the_hint() {
        let m = Manifest::parse(
            "[environments.production]\n[secrets.A]\nkind = \"hex\"\noverlap = \"7d\"\n",
            Path::new("/p/envmint.toml"),
            Path::new("/p"),
        )
        .unwrap();
        let env = m.environment("production").unwrap();
        let doc = Document::parse(
            "# envmint: generated=2026-11-20T00:00:00Z\nA=1\n\
             # envmint: previous-of=A retired=2026-11-20T00:00:00Z expires=soon\n\
             A_PREVIOUS=0\n",
        );
        let now: Timestamp = "2026-11-23T00:00:00Z".parse().unwrap();
        let found = check_rotation(&m, env, &doc, Path::new("/p/.env"), now, None);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].check, Check::RotationUnknown);
        assert_eq!(found[0].key.as_deref(), Some("A_PREVIOUS"));
        assert_eq!(
            found[0].message,
            "A_PREVIOUS, a retired value of A, has no expiry envmint can read: bad record: \
             `expires=soon` is not an RFC 3339 time"
        );
        assert_eq!(
            found[0].hint.as_deref(),
            Some("envmint rotate production --key A (or `envmint rotate --due` for every due key)")
        );
    }
}
