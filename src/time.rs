//! The library's time vocabulary, on top of [`jiff`]: rotation periods, instants, record
//! timestamps and "due in 3 days" wording.
//!
//! Everything here is a pure function of its arguments: the library never reads the clock. The
//! binary reads it once (`jiff::Timestamp::now()`) and passes `now` down, so every decision can
//! be tested at a fixed instant, and `--at WHEN` is only a different `now`.
//!
//! All arithmetic is in UTC, where every day is 86,400 seconds (no daylight saving, and jiff
//! has no leap seconds): a rotation period of "90d" is exactly 90 × 86,400 seconds, whatever
//! time zone the operator lives in.
//!
//! - [`parse_duration`]: the one duration syntax (manifest `rotate_every`, later `overlap` and
//!   command-line flags): `90d`, `12h`, `2w 3d`, `1h30m`, `90 days`.
//! - [`parse_instant`]: `--at WHEN`, an RFC 3339 timestamp or a `YYYY-MM-DD` date (midnight UTC).
//! - [`format_timestamp`]: the form records are written in, `2026-11-23T07:00:00Z`.
//! - [`format_duration`] and [`format_age`]: periods and ages in the same syntax.
//! - [`due_at`] and [`Due`]: when a value falls due, and how to say it.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::fmt::friendly::SpanParser;
use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;
use jiff::{SignedDuration, SpanRelativeTo};
use std::fmt;
use std::time::Duration;

const SECONDS_PER_DAY: i64 = 86_400;

/// Why a duration was refused. [`reason`](DurationError::reason) and
/// [`hint`](DurationError::hint) are the words; the caller adds where the text came from
/// (a manifest line, a flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DurationError {
    /// Not a duration at all (no unit, an unknown unit, units out of order, out of range).
    Syntax,
    /// Zero or negative: a period must be longer than zero.
    NotPositive,
    /// A fraction (`1.5d`): periods are whole numbers of a unit.
    Fraction,
    /// Months or years, which have no fixed length.
    Calendar(CalendarUnit),
    /// Milliseconds or smaller: the smallest unit is a second.
    SubSecond,
}

/// A calendar unit that [`parse_duration`] refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarUnit {
    /// 28 to 31 days.
    Month,
    /// 365 or 366 days.
    Year,
}

impl DurationError {
    /// Why the text is not a usable period, or `None` when it is simply not a duration (then
    /// "bad duration `TEXT`" says it all and the hint shows the syntax).
    pub fn reason(self) -> Option<&'static str> {
        match self {
            DurationError::Syntax => None,
            DurationError::NotPositive => Some("it must be longer than zero"),
            DurationError::Fraction => Some("use whole numbers"),
            // A rotation period must be a fixed length so that "due" means the same thing in
            // every month and every year, and a record's age can be compared with it.
            DurationError::Calendar(CalendarUnit::Month) => {
                Some("a month is not a fixed length (28 to 31 days)")
            }
            DurationError::Calendar(CalendarUnit::Year) => {
                Some("a year is not a fixed length (365 or 366 days)")
            }
            DurationError::SubSecond => Some("the smallest unit is a second"),
        }
    }

    /// What to write instead.
    pub fn hint(self) -> &'static str {
        match self {
            DurationError::Syntax | DurationError::NotPositive => {
                "a whole number and a unit (s, m, h, d or w), e.g. \"90d\", \"12h\", \"2w 3d\" \
                 or \"90 days\""
            }
            DurationError::Fraction => "use a smaller unit, e.g. \"36h\" rather than \"1.5d\"",
            DurationError::Calendar(CalendarUnit::Month) => {
                "write it in days or weeks, e.g. \"30d\" or \"4w\""
            }
            DurationError::Calendar(CalendarUnit::Year) => {
                "write it in days or weeks, e.g. \"365d\" or \"52w\""
            }
            DurationError::SubSecond => "use seconds or a larger unit, e.g. \"30s\"",
        }
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason().unwrap_or("not a duration"))
    }
}

impl std::error::Error for DurationError {}

/// Parses a period: a positive whole number of seconds, minutes, hours, days or weeks, in
/// jiff's "friendly" format: `90d`, `12h`, `30m`, `45s`, `2w`, and combinations written from
/// the largest unit down (`2w 3d`, `1h30m`, `1d 12h`) or in words (`90 days`, `2 weeks`,
/// `3 days, 4 hours`).
///
/// A day is 24 hours and a week 7 days (in UTC a day has no daylight-saving jumps). Months and
/// years are refused, because they have no fixed length; so are zero, negative values,
/// fractions (`1.5d`), milliseconds and smaller, and ISO 8601 (`P90D`): one syntax everywhere.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    // jiff accepts a fraction on the smallest unit (`1.5h` is 1h 30m); periods here are whole
    // numbers, as they always were. A comma between digits is jiff's other decimal mark (a
    // comma that separates units is followed by a space).
    let fraction = text
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], b'.' | b',') && w[2].is_ascii_digit());
    if fraction {
        return Err(DurationError::Fraction);
    }
    let span = SpanParser::new()
        .parse_span(text)
        .map_err(|_| DurationError::Syntax)?;
    if span.is_negative() || span.is_zero() {
        return Err(DurationError::NotPositive);
    }
    if span.get_years() != 0 {
        return Err(DurationError::Calendar(CalendarUnit::Year));
    }
    if span.get_months() != 0 {
        return Err(DurationError::Calendar(CalendarUnit::Month));
    }
    if span.get_milliseconds() != 0 || span.get_microseconds() != 0 || span.get_nanoseconds() != 0 {
        return Err(DurationError::SubSecond);
    }
    let signed: SignedDuration = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| DurationError::Syntax)?;
    Duration::try_from(signed).map_err(|_| DurationError::NotPositive)
}

/// Writes a period in the syntax [`parse_duration`] reads, largest unit first and days as the
/// largest unit (`90d`, not `12w 6d`): `90d`, `1d 12h`, `1h 30m`, `45s`. Sub-second parts are
/// dropped; zero is `0s`. For every period `parse_duration` accepts,
/// `parse_duration(&format_duration(d)) == Ok(d)`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return "0s".to_string();
    }
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3_600, "h"),
        (secs % 3_600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let mut out = String::new();
    for (n, unit) in parts.into_iter().filter(|&(n, _)| n > 0) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!("{n}{unit}"));
    }
    out
}

/// How long ago `since` was at `now`, in its largest whole unit: `12d`, `5h`, `3m`, `40s`: the
/// "age" of a value in a status table. An instant after `now` (a record written by a clock
/// that runs ahead, or a forecast with `--at` in the past) has age `0s`.
pub fn format_age(now: Timestamp, since: Timestamp) -> String {
    let mut out = String::new();
    push_age(&mut out, now, since);
    out
}

/// Appends [`format_age`]'s text to `out` (a status table writes one a row, 10,000 rows).
pub fn push_age(out: &mut String, now: Timestamp, since: Timestamp) {
    let secs = floor_second(now).saturating_sub(floor_second(since)).max(0);
    let (n, unit) = match secs {
        s if s >= SECONDS_PER_DAY => (s / SECONDS_PER_DAY, "d"),
        s if s >= 3_600 => (s / 3_600, "h"),
        s if s >= 60 => (s / 60, "m"),
        s => (s, "s"),
    };
    push_decimal(out, n.unsigned_abs());
    out.push_str(unit);
}

/// Appends `n` in decimal to `out`, as `{n}` writes it, without the formatting machinery.
pub fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// Why an instant was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstantError {
    /// Neither an RFC 3339 timestamp nor a `YYYY-MM-DD` date (this includes dates that do not
    /// exist, such as `2027-02-29`).
    Syntax,
    /// A date and time with no UTC offset: the local time of which zone is not known.
    NoOffset,
    /// A valid date and time outside the years jiff represents (about -9999 to 9999).
    OutOfRange,
}

impl InstantError {
    /// What to write instead.
    pub fn hint(self) -> &'static str {
        match self {
            InstantError::Syntax => {
                "give an RFC 3339 time, e.g. 2026-11-23T07:00:00Z, or a date, e.g. 2026-11-23 \
                 (midnight UTC)"
            }
            InstantError::NoOffset => "add `Z` for UTC or an offset such as `+02:00`",
            InstantError::OutOfRange => "give a year from 1 to 9999",
        }
    }
}

impl fmt::Display for InstantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InstantError::Syntax => "not a date or a time",
            InstantError::NoOffset => "a time needs a UTC offset",
            InstantError::OutOfRange => "too far in the past or the future",
        })
    }
}

impl std::error::Error for InstantError {}

/// Parses an instant for `--at WHEN` or a record: an RFC 3339 timestamp
/// (`2026-11-23T07:00:00Z`, `2026-11-23T09:00:00+02:00`, fractional seconds allowed), or a
/// date alone (`2026-11-23`), meaning midnight UTC at its start.
///
/// A date and time without an offset is refused rather than guessed: the library has no local
/// time zone.
pub fn parse_instant(text: &str) -> Result<Timestamp, InstantError> {
    if let Some(t) = parse_record_form(text) {
        return Ok(t);
    }
    parse_general(text)
}

/// [`parse_instant`] by jiff's RFC 3339 parser.
fn parse_general(text: &str) -> Result<Timestamp, InstantError> {
    let pieces = Pieces::parse(text).map_err(|_| InstantError::Syntax)?;
    let offset = match (pieces.time(), pieces.to_numeric_offset()) {
        (_, Some(offset)) => offset,
        // `2026-11-23[Europe/Paris]` means Paris midnight, which needs a time zone database
        // the library does not carry: refuse it rather than read it as UTC.
        (None, None) if pieces.time_zone_annotation().is_some() => {
            return Err(InstantError::NoOffset);
        }
        (None, None) => Offset::UTC,
        (Some(_), None) => return Err(InstantError::NoOffset),
    };
    let datetime = pieces
        .date()
        .to_datetime(pieces.time().unwrap_or(Time::midnight()));
    offset
        .to_timestamp(datetime)
        .map_err(|_| InstantError::OutOfRange)
}

/// The form envmint writes in every record, `2026-11-23T07:00:00Z` (exactly 20 bytes, UTC,
/// whole seconds), read without the general RFC 3339 parser: a status of 10,000 keys reads
/// 20,000 of them. `None` for anything else (a leap second too), which the general parser
/// then reads, so both give the same instant.
fn parse_record_form(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        b[range].iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year == 0 || day == 0 || day > days_in_month || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Timestamp::from_second(days * 86_400 + hour * 3_600 + minute * 60 + second).ok()
}

/// The whole second at or before `t`: records and reports carry seconds, and truncating
/// (rather than rounding) never moves an instant into the future.
fn floor_second(t: Timestamp) -> i64 {
    let s = t.as_second();
    // Before 1970 jiff keeps the fraction negative, and `as_second` truncates toward zero.
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// `t` without its fraction of a second (floored, as [`format_timestamp`] writes it).
pub fn whole_second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(floor_second(t)).unwrap_or(t)
}

/// Formats `t` as RFC 3339 in UTC with whole seconds, the form of `# envmint: generated=...`
/// records: `2026-11-23T07:00:00Z`. The fraction of a second is dropped (not rounded).
pub fn format_timestamp(t: Timestamp) -> String {
    Timestamp::from_second(floor_second(t))
        .unwrap_or(t)
        .to_string()
}

/// The UTC calendar date of `t`, e.g. `2026-11-23` (a status table's "next due" column).
pub fn utc_date(t: Timestamp) -> Date {
    Offset::UTC.to_datetime(t).date()
}

/// Appends [`utc_date`] of `t` to `out` as its `Display` writes it (`2026-11-23`): by hand for
/// the years 1 to 9999, through jiff for the others (a status table writes two dates a row).
pub fn push_utc_date(out: &mut String, t: Timestamp) {
    // Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days,
    // the inverse of parse_record_form's days_from_civil).
    let z = floor_second(t).div_euclid(SECONDS_PER_DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(1..=9999).contains(&year) {
        use fmt::Write as _;
        let _ = write!(out, "{}", utc_date(t));
        return;
    }
    let mut text = *b"0000-00-00";
    for (at, n, width) in [(0, year, 4), (5, month, 2), (8, day, 2)] {
        let mut n = n;
        for i in (at..at + width).rev() {
            text[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    out.extend(text.iter().map(|&b| char::from(b)));
}

/// When a value generated at `generated` falls due with rotation period `every`. A period that
/// reaches past the last instant jiff represents (late in the year 9999) gives that instant,
/// which no clock reaches: never due, and never a panic.
pub fn due_at(generated: Timestamp, every: Duration) -> Timestamp {
    generated.saturating_add(every).unwrap_or(Timestamp::MAX)
}

/// How far a due date is from now, in whole UTC calendar days: the words of a status table.
///
/// Counting calendar days (not 24-hour spans) matches the dates shown beside it: a value due
/// tomorrow at 01:00 is "due in 1 day" at 23:00 today, and anything due on today's date, before
/// or after the current time, is "due today".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Due on a later date.
    In {
        /// Calendar days from today to the due date (at least 1).
        days: u64,
    },
    /// Due on today's date.
    Today,
    /// Was due on an earlier date.
    Overdue {
        /// Calendar days from the due date to today (at least 1).
        days: u64,
    },
}

impl Due {
    /// Compares `due` with `now`, both read as UTC dates.
    pub fn at(now: Timestamp, due: Timestamp) -> Due {
        // Both days lie within jiff's range (about ±7.3 million days), so the difference fits.
        let diff = floor_second(due).div_euclid(SECONDS_PER_DAY)
            - floor_second(now).div_euclid(SECONDS_PER_DAY);
        match diff {
            0 => Due::Today,
            d if d > 0 => Due::In {
                days: d.unsigned_abs(),
            },
            d => Due::Overdue {
                days: d.unsigned_abs(),
            },
        }
    }
}

impl Due {
    /// The words: what comes before the number of days, the number, and what follows it.
    fn words(self) -> (&'static str, Option<u64>, &'static str) {
        let days = |n: u64| if n == 1 { " day" } else { " days" };
        match self {
            Due::In { days: n } => ("due in ", Some(n), days(n)),
            Due::Today => ("due today", None, ""),
            Due::Overdue { days: n } => ("overdue by ", Some(n), days(n)),
        }
    }

    /// Appends its `Display` text to `out`, without the formatting machinery (a status table
    /// writes one a row).
    pub fn push_to(self, out: &mut String) {
        let (before, n, after) = self.words();
        out.push_str(before);
        if let Some(n) = n {
            push_decimal(out, n);
        }
        out.push_str(after);
    }
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (before, n, after) = self.words();
        f.write_str(before)?;
        if let Some(n) = n {
            write!(f, "{n}")?;
        }
        f.write_str(after)
    }
}

#[cfg(test)]
mod tests;
