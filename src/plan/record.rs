//! The `# envmint:` record line directly above a managed key: when its value was made, or,
//! above a retired value, whose it was and when it expires. The record travels with the file
//! (sealed or not, copied or committed), so there is no state file.
//!
//! The form, kept stable: space-separated `name=value` fields, written in a fixed order,
//! timestamps in RFC 3339 UTC with whole seconds ([`format_timestamp`]):
//!
//! ```text
//! # envmint: generated=2026-11-23T07:00:00Z      a value envmint generated (bootstrap, rotate)
//! # envmint: set=2026-11-23T07:00:00Z            a value given by `envmint set`
//! # envmint: generated=2026-11-23T07:00:00Z role=encryption   an encryption key's value
//! # envmint: previous-of=JWT_SECRET_KEY retired=2026-11-23T07:00:00Z expires=2026-11-30T07:00:00Z
//! # envmint: previous-of=APP_KEY retired=T1,T2 expires=E1,E2   a list: one per value, newest first
//! # envmint: previous-of=ENCRYPTION_KEY retired=T1,T2            a keyring: kept until retired
//! ```
//!
//! A record with `retired` and no `expires` holds an encryption key's retired keys (its
//! keyring): they never expire by time, only `envmint retire` removes them. `role=encryption`
//! on a current value's record says the value is an encryption key: the store remembers it, so
//! a manifest whose `role` is later changed (or deleted) cannot make its first rotation give
//! the key an expiry and drop it (an encryption key is data's only way back). Any other role is
//! the manifest's to say and is not written.
//!
//! Reading is forward compatible: fields this version does not know, and words without `=`,
//! are ignored. `stage=pending` is reserved for a value written before it is made current (a
//! rotation that first changes the credential at its service); a record without `stage` is
//! current. A field this version knows with a value it cannot read, or given twice, is an
//! error ([`RecordError`]): the key's age is then unknown, which the caller reports as a
//! warning.

use crate::time::{format_timestamp, parse_instant, whole_second};
use jiff::Timestamp;
use std::fmt;

/// Which stage of a rotation a value is in (`stage=`; absent means current).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    /// The value apps use (no `stage` field).
    #[default]
    Current,
    /// `stage=pending`: written before anything touched its service, not yet made current.
    Pending,
    /// `stage=set`: a pending value its service accepted (the `set` hook succeeded), not yet
    /// tested nor made current.
    Set,
}

impl Stage {
    /// `current`, `pending` or `set`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Current => "current",
            Stage::Pending => "pending",
            Stage::Set => "set",
        }
    }
}

/// One parsed record line. Holds no secret value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// `generated=`: when envmint generated the value.
    pub generated: Option<Timestamp>,
    /// `set=`: when `envmint set` wrote the value.
    pub set: Option<Timestamp>,
    /// `previous-of=KEY`: the line holds retired values of `KEY`.
    pub previous_of: Option<String>,
    /// `retired=T1,T2`: when each retired value was replaced, newest first.
    pub retired: Vec<Timestamp>,
    /// `expires=E1,E2`: when each retired value is dropped, in the order of `retired`; empty
    /// for a keyring's retired keys, which do not expire.
    pub expires: Vec<Timestamp>,
    /// `stage=`.
    pub stage: Stage,
    /// `role=encryption`: the current value is an encryption key, kept in its keyring when it
    /// is rotated whatever the manifest says by then.
    pub encryption: bool,
    /// `mac=`: on a pending value, the keyed MAC that binds it (with its environment, key and
    /// stage) to the machine whose envmint wrote it (see
    /// [`crate::hooks::stage::pending_mac`]); 64 hex digits.
    pub mac: Option<String>,
}

/// A record field this version knows, with a value it cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// A timestamp that does not parse (`generated=yesterday`).
    BadTimestamp {
        /// The field: `generated`, `set`, `retired` or `expires`.
        field: &'static str,
        /// The text, cut short and escaped.
        text: String,
    },
    /// A `stage` other than `pending`.
    BadStage {
        /// The text, cut short and escaped.
        text: String,
    },
    /// A `role` other than `encryption`, `signing` or `credential`.
    BadRole {
        /// The text, cut short and escaped.
        text: String,
    },
    /// A `mac` that is not 64 hex digits.
    BadMac {
        /// The text, cut short and escaped.
        text: String,
    },
    /// A `previous-of` that is not a variable name.
    BadKey {
        /// The text, cut short and escaped.
        text: String,
    },
    /// A field this version knows given twice (`generated=T1 generated=T2`): which one holds
    /// is anyone's guess, and an edited record could hide behind the later one.
    Duplicate {
        /// The field.
        field: &'static str,
    },
    /// `retired` and `expires` of different lengths (`expires` given).
    Mismatch {
        /// How many `retired` times.
        retired: usize,
        /// How many `expires` times.
        expires: usize,
    },
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::BadTimestamp { field, text } => {
                write!(f, "`{field}={text}` is not an RFC 3339 time")
            }
            RecordError::BadStage { text } => write!(f, "unknown stage `{text}`"),
            RecordError::BadRole { text } => write!(f, "unknown role `{text}`"),
            RecordError::BadMac { text } => write!(f, "`mac={text}` is not 64 hex digits"),
            RecordError::BadKey { text } => {
                write!(f, "`previous-of={text}` is not a variable name")
            }
            RecordError::Duplicate { field } => write!(f, "`{field}=` is given twice"),
            RecordError::Mismatch { retired, expires } => write!(
                f,
                "{retired} `retired` time(s) but {expires} `expires` time(s)"
            ),
        }
    }
}

impl std::error::Error for RecordError {}

impl Record {
    /// The record of a value envmint generated at `at`.
    pub fn generated(at: Timestamp) -> Record {
        Record {
            generated: Some(at),
            ..Record::default()
        }
    }

    /// The record of a value `envmint set` wrote at `at`.
    pub fn set(at: Timestamp) -> Record {
        Record {
            set: Some(at),
            ..Record::default()
        }
    }

    /// This record, saying (when `encryption`) that its value is an encryption key.
    pub fn encryption(mut self, encryption: bool) -> Record {
        self.encryption = encryption;
        self
    }

    /// The record above retired values of `key`: one `(retired, expires)` pair per value,
    /// newest first.
    pub fn previous(key: &str, values: &[(Timestamp, Timestamp)]) -> Record {
        Record {
            previous_of: Some(key.to_string()),
            retired: values.iter().map(|v| v.0).collect(),
            expires: values.iter().map(|v| v.1).collect(),
            ..Record::default()
        }
    }

    /// The record above an encryption key's retired keys (its keyring): when each was
    /// retired, newest first, and no expiry.
    pub fn kept(key: &str, retired: &[Timestamp]) -> Record {
        Record {
            previous_of: Some(key.to_string()),
            retired: retired.to_vec(),
            ..Record::default()
        }
    }

    /// When the current value was made: the later of `generated` and `set`.
    pub fn made_at(&self) -> Option<Timestamp> {
        match (self.generated, self.set) {
            (Some(g), Some(s)) => Some(g.max(s)),
            (g, s) => g.or(s),
        }
    }

    /// Parses the text of a record line after `# envmint:` (as [`Document::record`] gives it).
    ///
    /// # Errors
    ///
    /// A [`RecordError`] for a known field whose value does not read; unknown fields are
    /// ignored.
    ///
    /// [`Document::record`]: crate::dotenv::Document::record
    pub fn parse(text: &str) -> Result<Record, RecordError> {
        let mut record = Record::default();
        // One bit per field of KNOWN (no allocation: a status reads 20,000 records).
        let mut seen: u16 = 0;
        for word in text.split_ascii_whitespace() {
            let Some((name, value)) = word.split_once('=') else {
                continue;
            };
            if let Some(i) = KNOWN.iter().position(|f| *f == name) {
                if seen & (1 << i) != 0 {
                    return Err(RecordError::Duplicate { field: KNOWN[i] });
                }
                seen |= 1 << i;
            }
            match name {
                "generated" => record.generated = Some(instant("generated", value)?),
                "set" => record.set = Some(instant("set", value)?),
                "previous-of" => {
                    if !crate::dotenv::is_valid_key(value) {
                        return Err(RecordError::BadKey {
                            text: crate::text::shown(value, 40),
                        });
                    }
                    record.previous_of = Some(value.to_string());
                }
                "role" => {
                    record.encryption = match value {
                        "encryption" => true,
                        "signing" | "credential" => false,
                        other => {
                            return Err(RecordError::BadRole {
                                text: crate::text::shown(other, 40),
                            });
                        }
                    }
                }
                "retired" => record.retired = instants("retired", value)?,
                "expires" => record.expires = instants("expires", value)?,
                "stage" => {
                    record.stage = match value {
                        "pending" => Stage::Pending,
                        "set" => Stage::Set,
                        "current" => Stage::Current,
                        other => {
                            return Err(RecordError::BadStage {
                                text: crate::text::shown(other, 40),
                            });
                        }
                    }
                }
                "mac" => {
                    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(RecordError::BadMac {
                            text: crate::text::shown(value, 40),
                        });
                    }
                    record.mac = Some(value.to_ascii_lowercase());
                }
                _ => {}
            }
        }
        // No `expires` at all: a keyring's retired keys, which do not expire.
        if !record.expires.is_empty() && record.retired.len() != record.expires.len() {
            return Err(RecordError::Mismatch {
                retired: record.retired.len(),
                expires: record.expires.len(),
            });
        }
        Ok(record)
    }
}

/// The fields this version reads: each may appear once.
const KNOWN: [&str; 8] = [
    "generated",
    "set",
    "role",
    "previous-of",
    "retired",
    "expires",
    "stage",
    "mac",
];

fn instant(field: &'static str, text: &str) -> Result<Timestamp, RecordError> {
    // Records carry whole seconds: a fraction written by hand (`07:00:00.5Z`, or ISO 8601's
    // `07:00:00,5Z`) is dropped here, as writing the record drops it, so the record in memory
    // is the one a rewrite puts in the file (found by fuzzing: `fuzz/fuzz_targets/record.rs`).
    parse_instant(text)
        .map(whole_second)
        .map_err(|_| RecordError::BadTimestamp {
            field,
            text: crate::text::shown(text, 40),
        })
}

fn instants(field: &'static str, text: &str) -> Result<Vec<Timestamp>, RecordError> {
    text.split(',').map(|t| instant(field, t)).collect()
}

/// The record's text after `# envmint: `, fields in their fixed order: `generated`, `set`,
/// `role` (only `encryption`), `previous-of`, `retired`, `expires`, `stage` (only when not
/// current), `mac`. What
/// [`Document::set_record`](crate::dotenv::Document::set_record) takes.
impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut fields: Vec<String> = Vec::new();
        let list = |ts: &[Timestamp]| {
            ts.iter()
                .map(|t| format_timestamp(*t))
                .collect::<Vec<_>>()
                .join(",")
        };
        if let Some(t) = self.generated {
            fields.push(format!("generated={}", format_timestamp(t)));
        }
        if let Some(t) = self.set {
            fields.push(format!("set={}", format_timestamp(t)));
        }
        if self.encryption {
            fields.push("role=encryption".to_string());
        }
        if let Some(key) = &self.previous_of {
            fields.push(format!("previous-of={key}"));
        }
        if !self.retired.is_empty() {
            fields.push(format!("retired={}", list(&self.retired)));
        }
        if !self.expires.is_empty() {
            fields.push(format!("expires={}", list(&self.expires)));
        }
        if self.stage != Stage::Current {
            fields.push(format!("stage={}", self.stage.as_str()));
        }
        if let Some(mac) = &self.mac {
            fields.push(format!("mac={mac}"));
        }
        f.write_str(&fields.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dotenv::Document;

    /// Fuzzing regression: a time with a fraction (here a comma fraction and a -11:00 offset)
    /// read, rendered and read again was not the same record: the fraction was kept in memory
    /// and dropped in the file.
    #[test]
    fn a_record_with_a_fraction_of_a_second_renders_to_itself() {
        for text in [
            "set=2026-11-23T07:00:00,2202626-11",
            "generated=2026-11-23T07:00:00.999999999Z",
            "previous-of=A retired=1969-12-31T23:59:59.5Z expires=2026-11-23T07:00:00.1+01:00",
        ] {
            let record = Record::parse(text).unwrap();
            let again = Record::parse(&record.to_string()).unwrap();
            assert_eq!(again, record, "{text} -> {record}");
        }
        let r = Record::parse("set=2026-11-23T07:00:00,5Z").unwrap();
        assert_eq!(r.to_string(), "set=2026-11-23T07:00:00Z");
    }

    fn t(text: &str) -> Timestamp {
        parse_instant(text).unwrap()
    }

    #[test]
    fn each_form_round_trips_in_its_fixed_order() {
        let g = Record::generated(t("2026-11-23T07:00:00.9Z"));
        assert_eq!(g.to_string(), "generated=2026-11-23T07:00:00Z");
        assert_eq!(
            Record::parse(&g.to_string()).unwrap().generated,
            Some(t("2026-11-23T07:00:00Z"))
        );
        let s = Record::set(t("2026-11-23T09:00:00+02:00"));
        assert_eq!(s.to_string(), "set=2026-11-23T07:00:00Z");
        assert_eq!(Record::parse(&s.to_string()).unwrap(), s);
        let p = Record::previous(
            "APP_KEY",
            &[
                (t("2026-11-23"), t("2026-11-30")),
                (t("2026-11-01"), t("2026-11-08")),
            ],
        );
        assert_eq!(
            p.to_string(),
            "previous-of=APP_KEY retired=2026-11-23T00:00:00Z,2026-11-01T00:00:00Z \
             expires=2026-11-30T00:00:00Z,2026-11-08T00:00:00Z"
        );
        assert_eq!(Record::parse(&p.to_string()).unwrap(), p);
        let k = Record::kept("ENC", &[t("2026-11-23"), t("2026-11-01")]);
        assert_eq!(
            k.to_string(),
            "previous-of=ENC retired=2026-11-23T00:00:00Z,2026-11-01T00:00:00Z"
        );
        assert_eq!(Record::parse(&k.to_string()).unwrap(), k);
        let e = Record::generated(t("2026-11-23")).encryption(true);
        assert_eq!(
            e.to_string(),
            "generated=2026-11-23T00:00:00Z role=encryption"
        );
        assert_eq!(Record::parse(&e.to_string()).unwrap(), e);
        assert!(
            !Record::parse("set=2026-11-23T00:00:00Z role=signing")
                .unwrap()
                .encryption
        );
        assert_eq!(
            Record::parse("generated=2026-11-23T00:00:00Z role=other"),
            Err(RecordError::BadRole {
                text: "other".into()
            })
        );
        let pending = Record {
            stage: Stage::Pending,
            ..Record::generated(t("2026-11-23"))
        };
        assert_eq!(
            pending.to_string(),
            "generated=2026-11-23T00:00:00Z stage=pending"
        );
        assert_eq!(Record::parse(&pending.to_string()).unwrap(), pending);
    }

    #[test]
    fn unknown_fields_and_words_are_ignored() {
        let r =
            Record::parse("by=ci  generated=2026-11-23   note hello=x=y future-field=1").unwrap();
        assert_eq!(r, Record::generated(t("2026-11-23")));
        assert_eq!(Record::parse("").unwrap(), Record::default());
        assert_eq!(Record::parse("").unwrap().made_at(), None);
    }

    #[test]
    fn made_at_is_the_later_of_generated_and_set() {
        let r = Record::parse("generated=2026-01-01 set=2026-02-01").unwrap();
        assert_eq!(r.made_at(), Some(t("2026-02-01")));
        let r = Record::parse("set=2026-01-01 generated=2026-02-01").unwrap();
        assert_eq!(r.made_at(), Some(t("2026-02-01")));
    }

    #[test]
    fn fail_known_fields_that_do_not_read() {
        assert_eq!(
            Record::parse("generated=yesterday").unwrap_err(),
            RecordError::BadTimestamp {
                field: "generated",
                text: "yesterday".into()
            }
        );
        assert_eq!(
            Record::parse("generated=2026-11-23T07:00:00")
                .unwrap_err()
                .to_string(),
            "`generated=2026-11-23T07:00:00` is not an RFC 3339 time"
        );
        assert!(matches!(
            Record::parse("previous-of=A retired=2026-01-01,x expires=2026-01-02,2026-01-03"),
            Err(RecordError::BadTimestamp {
                field: "retired",
                ..
            })
        ));
        assert_eq!(
            Record::parse("stage=later").unwrap_err().to_string(),
            "unknown stage `later`"
        );
        assert_eq!(
            Record::parse("previous-of=A-B").unwrap_err().to_string(),
            "`previous-of=A-B` is not a variable name"
        );
        assert_eq!(
            Record::parse("generated=2026-01-01 note generated=2099-01-01").unwrap_err(),
            RecordError::Duplicate { field: "generated" }
        );
        assert_eq!(
            Record::parse("previous-of=A previous-of=B")
                .unwrap_err()
                .to_string(),
            "`previous-of=` is given twice"
        );
        // Unknown fields may repeat: they are not read.
        assert!(Record::parse("by=ci by=cron set=2026-01-01").is_ok());
        assert_eq!(
            Record::parse("previous-of=A retired=2026-01-01 expires=2026-01-02,2026-01-03")
                .unwrap_err(),
            RecordError::Mismatch {
                retired: 1,
                expires: 2
            }
        );
        let long = format!("generated={}", "9".repeat(1000));
        let RecordError::BadTimestamp { text, .. } = Record::parse(&long).unwrap_err() else {
            panic!()
        };
        assert!(text.chars().count() <= 41);
    }

    /// The document keeps a record with its key through every edit: set, replace, inserts
    /// around it, and removes it with the key.
    #[test]
    fn a_record_stays_attached_to_its_key_through_edits() {
        let mut doc = Document::parse("# top\nA=1\nB=2\n");
        let rec = Record::generated(t("2026-11-23")).to_string();
        doc.set_record("B", &rec).unwrap();
        doc.set("B", "3").unwrap();
        doc.replace_value("B", "4").unwrap();
        doc.insert_after("A", "A_PREVIOUS", "0").unwrap();
        doc.append("C", "5").unwrap();
        assert_eq!(doc.record("B"), Some(rec.as_str()));
        assert_eq!(
            doc.render().as_str(),
            "# top\nA=1\nA_PREVIOUS=0\n# envmint: generated=2026-11-23T00:00:00Z\nB=4\nC=5\n"
        );
        // A new record replaces the old line rather than stacking.
        let newer = Record::set(t("2026-12-01")).to_string();
        doc.set_record("B", &newer).unwrap();
        assert_eq!(doc.record("B"), Some(newer.as_str()));
        doc.remove("B").unwrap();
        assert_eq!(doc.render().as_str(), "# top\nA=1\nA_PREVIOUS=0\nC=5\n");
        // Parsed back from the file, the record is found again.
        let mut doc = Document::parse(&format!("X=1\n# envmint: {newer}\nB=2\n"));
        assert_eq!(
            Record::parse(doc.record("B").unwrap()).unwrap().made_at(),
            Some(t("2026-12-01"))
        );
        doc.set("B", "9").unwrap();
        assert_eq!(doc.record("B"), Some(newer.as_str()));
    }
}
