use super::*;

const DAY: u64 = 86_400;

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn durations_in_the_manifest_form_today() {
    for (text, secs) in [
        ("45s", 45),
        ("30m", 30 * 60),
        ("12h", 12 * 3_600),
        ("90d", 90 * DAY),
        ("2w", 14 * DAY),
        ("1s", 1),
    ] {
        assert_eq!(
            parse_duration(text),
            Ok(Duration::from_secs(secs)),
            "{text}"
        );
    }
}

#[test]
fn durations_in_the_friendly_form() {
    for (text, secs) in [
        ("90 days", 90 * DAY),
        ("1 day", DAY),
        ("2 weeks", 14 * DAY),
        ("2w 3d", 17 * DAY),
        ("2w3d", 17 * DAY),
        ("1h30m", 5_400),
        ("1h 30m", 5_400),
        ("1d 12h", DAY + 12 * 3_600),
        ("3 days, 4 hours", 3 * DAY + 4 * 3_600),
        ("+1d", DAY),
    ] {
        assert_eq!(
            parse_duration(text),
            Ok(Duration::from_secs(secs)),
            "{text}"
        );
    }
}

#[test]
fn a_day_is_always_24_hours() {
    // A UTC period across a leap day and a European DST change is still 86,400 s a day.
    let every = parse_duration("1d").unwrap();
    let before_dst = ts("2026-03-28T12:00:00Z");
    assert_eq!(
        due_at(before_dst, every),
        ts("2026-03-29T12:00:00Z"),
        "no DST in UTC"
    );
    let feb28 = ts("2028-02-28T07:00:00Z");
    assert_eq!(due_at(feb28, every), ts("2028-02-29T07:00:00Z"));
    assert_eq!(
        due_at(feb28, parse_duration("2d").unwrap()),
        ts("2028-03-01T07:00:00Z")
    );
}

#[test]
fn fail_durations() {
    use CalendarUnit::*;
    use DurationError::*;
    for (text, err) in [
        ("", Syntax),
        ("90", Syntax),
        ("d", Syntax),
        ("90x", Syntax),
        (" 9d", Syntax),
        ("9é", Syntax),
        ("90D", Syntax),
        ("P90D", Syntax),
        ("2d1w", Syntax),
        ("1d 1d", Syntax),
        ("99999999999999999w", Syntax),
        ("0d", NotPositive),
        ("0s", NotPositive),
        ("-1d", NotPositive),
        ("1d ago", NotPositive),
        ("1.5d", Fraction),
        ("1.5h", Fraction),
        ("1,5h", Fraction),
        ("1mo", Calendar(Month)),
        ("3 months", Calendar(Month)),
        ("1y", Calendar(Year)),
        ("1 year 2d", Calendar(Year)),
        ("1y 1mo", Calendar(Year)),
        ("500ms", SubSecond),
        ("1s 5ms", SubSecond),
        ("1ns", SubSecond),
    ] {
        assert_eq!(parse_duration(text), Err(err), "{text:?}");
        assert!(!err.hint().is_empty());
    }
}

#[test]
fn duration_errors_say_why() {
    assert_eq!(
        DurationError::Calendar(CalendarUnit::Month).to_string(),
        "a month is not a fixed length (28 to 31 days)"
    );
    assert_eq!(DurationError::Syntax.reason(), None);
    assert_eq!(DurationError::Syntax.to_string(), "not a duration");
}

#[test]
fn the_longest_durations_are_values_not_panics() {
    // jiff's limit for weeks; anything longer is refused by the parser.
    let longest = parse_duration("1043497w").unwrap();
    assert_eq!(longest, Duration::from_secs(1_043_497 * 7 * DAY));
    assert_eq!(parse_duration("1043498w"), Err(DurationError::Syntax));
    // Due dates past the end of jiff's calendar saturate: never due, never a panic.
    for generated in [Timestamp::MIN, ts("2026-11-23T07:00:00Z"), Timestamp::MAX] {
        let due = due_at(generated, longest);
        assert!(due >= generated);
        let _ = Due::at(generated, due).to_string();
    }
    assert_eq!(
        due_at(Timestamp::MAX, Duration::from_secs(1)),
        Timestamp::MAX
    );
    assert_eq!(due_at(Timestamp::MIN, Duration::MAX), Timestamp::MAX);
}

#[test]
fn instants_as_rfc_3339_or_a_date() {
    for (text, want) in [
        ("2026-11-23T07:00:00Z", "2026-11-23T07:00:00Z"),
        ("2026-11-23t07:00:00z", "2026-11-23T07:00:00Z"),
        ("2026-11-23 07:00:00Z", "2026-11-23T07:00:00Z"),
        ("2026-11-23T09:00:00+02:00", "2026-11-23T07:00:00Z"),
        ("2026-11-23T02:00:00-05:00", "2026-11-23T07:00:00Z"),
        ("2026-11-23T07:00:00.75Z", "2026-11-23T07:00:00.75Z"),
        ("2026-11-23", "2026-11-23T00:00:00Z"),
        ("2028-02-29", "2028-02-29T00:00:00Z"),
        ("2028-02-29T23:59:59Z", "2028-02-29T23:59:59Z"),
        ("1970-01-01", "1970-01-01T00:00:00Z"),
        ("0001-01-01", "0001-01-01T00:00:00Z"),
        ("9999-12-30T00:00:00Z", "9999-12-30T00:00:00Z"),
        // An offset decides; a zone annotation beside it is only a label.
        (
            "2026-11-23T08:00:00+01:00[Europe/Paris]",
            "2026-11-23T07:00:00Z",
        ),
    ] {
        assert_eq!(parse_instant(text), Ok(ts(want)), "{text}");
    }
}

#[test]
fn fail_instants() {
    use InstantError::*;
    for (text, err) in [
        ("", Syntax),
        ("now", Syntax),
        ("tomorrow", Syntax),
        ("23/11/2026", Syntax),
        ("2026-11-23T07:00:00Zjunk", Syntax),
        ("2027-02-29", Syntax),
        ("2026-02-30T00:00:00Z", Syntax),
        ("2026-11-23T24:00:00Z", Syntax),
        ("2026-13-01", Syntax),
        ("10000-01-01", Syntax),
        ("2026-11-23T07:00:00", NoOffset),
        ("2026-11-23T07:00", NoOffset),
        ("2026-11-23T07:00[Europe/Paris]", NoOffset),
        ("2026-11-23[Europe/Paris]", NoOffset),
        ("9999-12-31", OutOfRange),
        ("9999-12-31T23:59:59Z", OutOfRange),
        ("-009999-01-01T00:00:00Z", OutOfRange),
    ] {
        assert_eq!(parse_instant(text), Err(err), "{text:?}");
        assert!(!err.hint().is_empty());
        assert!(!err.to_string().is_empty());
    }
}

#[test]
fn records_carry_whole_utc_seconds() {
    assert_eq!(
        format_timestamp(ts("2026-11-23T07:00:00Z")),
        "2026-11-23T07:00:00Z"
    );
    // Fractions are dropped, never rounded up into the future; offsets become UTC.
    assert_eq!(
        format_timestamp(ts("2026-11-23T07:00:00.999999999Z")),
        "2026-11-23T07:00:00Z"
    );
    assert_eq!(
        format_timestamp(ts("2026-11-23T09:00:00+02:00")),
        "2026-11-23T07:00:00Z"
    );
    assert_eq!(
        format_timestamp(ts("2028-02-29T23:59:59.5Z")),
        "2028-02-29T23:59:59Z"
    );
    // Before 1970 too: the second at or before the instant.
    assert_eq!(
        format_timestamp(ts("1969-12-31T23:59:59.5Z")),
        "1969-12-31T23:59:59Z"
    );
    assert_eq!(
        format_timestamp(Timestamp::UNIX_EPOCH),
        "1970-01-01T00:00:00Z"
    );
    // The bounds format without a panic, and what is written reads back.
    for t in [Timestamp::MIN, Timestamp::MAX, ts("2026-11-23T07:00:00.5Z")] {
        let text = format_timestamp(t);
        let back = parse_instant(&text).unwrap();
        assert!(back <= t && t.as_second() - back.as_second() <= 1, "{text}");
    }
}

#[test]
fn utc_dates() {
    assert_eq!(
        utc_date(ts("2026-11-23T23:59:59+00:00")).to_string(),
        "2026-11-23"
    );
    assert_eq!(
        utc_date(ts("2026-11-23T23:30:00-01:00")).to_string(),
        "2026-11-24"
    );
    assert_eq!(
        utc_date(ts("2028-02-29T12:00:00Z")).to_string(),
        "2028-02-29"
    );
}

#[test]
fn due_wording_counts_utc_calendar_days() {
    let now = ts("2026-11-23T12:00:00Z");
    for (due, want) in [
        ("2026-11-23T12:00:00Z", "due today"),
        ("2026-11-23T00:00:00Z", "due today"),
        ("2026-11-23T23:59:59Z", "due today"),
        ("2026-11-24T00:00:00Z", "due in 1 day"),
        ("2026-11-26T07:00:00Z", "due in 3 days"),
        ("2026-11-22T23:59:59Z", "overdue by 1 day"),
        ("2026-11-21T12:00:00Z", "overdue by 2 days"),
        ("2027-11-23T12:00:00Z", "due in 365 days"),
    ] {
        assert_eq!(Due::at(now, ts(due)).to_string(), want, "{due}");
    }
    // Across a leap day: 2028-02-28 to 2028-03-01 is two days.
    assert_eq!(
        Due::at(ts("2028-02-28T23:00:00Z"), ts("2028-03-01T01:00:00Z")),
        Due::In { days: 2 }
    );
    // Before 1970 the day boundary is still midnight UTC.
    assert_eq!(
        Due::at(ts("1969-12-31T23:59:59.5Z"), ts("1970-01-01T00:00:00Z")),
        Due::In { days: 1 }
    );
}

#[test]
fn due_wording_at_the_bounds() {
    let span = Due::at(Timestamp::MIN, Timestamp::MAX);
    assert!(matches!(span, Due::In { days } if days > 7_000_000));
    assert!(matches!(
        Due::at(Timestamp::MAX, Timestamp::MIN),
        Due::Overdue { .. }
    ));
}

#[test]
fn a_period_and_now_decide_due() {
    // Generated 2026-08-25T07:00:00Z with "90d": due 2026-11-23T07:00:00Z.
    let generated = parse_instant("2026-08-25T07:00:00Z").unwrap();
    let due = due_at(generated, parse_duration("90d").unwrap());
    assert_eq!(format_timestamp(due), "2026-11-23T07:00:00Z");
    assert_eq!(
        Due::at(parse_instant("2026-11-20").unwrap(), due).to_string(),
        "due in 3 days"
    );
    assert_eq!(
        Due::at(parse_instant("2026-11-25").unwrap(), due).to_string(),
        "overdue by 2 days"
    );
}

#[test]
fn periods_are_written_in_the_syntax_they_are_read_in() {
    for (secs, want) in [
        (0, "0s"),
        (45, "45s"),
        (5_400, "1h 30m"),
        (12 * 3_600, "12h"),
        (DAY, "1d"),
        (DAY + 12 * 3_600, "1d 12h"),
        (90 * DAY, "90d"),
        (17 * DAY + 61, "17d 1m 1s"),
    ] {
        assert_eq!(format_duration(Duration::from_secs(secs)), want, "{secs}");
    }
    assert_eq!(format_duration(Duration::from_millis(1_500)), "1s");
    // Round trip, including the longest period jiff reads back.
    for text in ["90d", "2w 3d", "1h30m", "3 days, 4 hours", "1s", "1043497w"] {
        let d = parse_duration(text).unwrap();
        assert_eq!(parse_duration(&format_duration(d)), Ok(d), "{text}");
    }
    // The longest std Duration formats without a panic (it is longer than jiff reads).
    assert!(format_duration(Duration::MAX).ends_with('s'));
}

#[test]
fn ages_in_their_largest_whole_unit() {
    let now = ts("2026-11-23T07:00:00Z");
    for (since, want) in [
        ("2026-11-23T07:00:00Z", "0s"),
        ("2026-11-23T06:59:20Z", "40s"),
        ("2026-11-23T06:57:00Z", "3m"),
        ("2026-11-23T01:30:00Z", "5h"),
        ("2026-11-22T07:00:01Z", "23h"),
        ("2026-11-22T07:00:00Z", "1d"),
        ("2026-08-25T07:00:00Z", "90d"),
        // A record from the future (clock skew, or --at in the past) is not negative.
        ("2026-11-24T07:00:00Z", "0s"),
    ] {
        assert_eq!(format_age(now, ts(since)), want, "{since}");
    }
    assert!(format_age(Timestamp::MAX, Timestamp::MIN).ends_with('d'));
    assert_eq!(format_age(Timestamp::MIN, Timestamp::MAX), "0s");
}

/// The record form's own reader agrees with jiff's parser on every day of years around 1970,
/// the leap rules, 2026-2100 and each end of the range, at several times, and leaves anything
/// else (a leap second, day 31 of a 30-day month, year 0) to jiff.
#[test]
fn the_record_form_reads_as_the_general_parser_does() {
    let mut checked = 0;
    for year in [
        1, 4, 100, 1600, 1899, 1900, 1969, 1970, 1971, 2000, 2024, 9999,
    ]
    .into_iter()
    .chain(2026..=2100)
    {
        for month in 1..=12 {
            for day in 1..=31 {
                for time in ["00:00:00", "07:05:09", "23:59:59"] {
                    let text = format!("{year:04}-{month:02}-{day:02}T{time}Z");
                    let fast = parse_record_form(&text);
                    let general = parse_general(&text).ok();
                    assert_eq!(fast, general, "{text}");
                    checked += usize::from(fast.is_some());
                }
            }
        }
    }
    assert!(checked > 80_000, "{checked}");
    for text in [
        "2026-11-23T07:00:60Z",
        "0000-01-01T00:00:00Z",
        "2026-11-23T07:00:00+00:00",
        "2026-11-23 07:00:00Z",
        "2026-1-230T07:00:00Z",
        "+026-11-23T07:00:00Z",
    ] {
        assert_eq!(parse_record_form(text), None, "{text}");
    }
    assert_eq!(
        parse_instant("2026-11-23T07:00:60Z").ok(),
        parse_general("2026-11-23T07:00:60Z").ok()
    );
}

/// The hand-written date and age texts of a status table are the formatted ones, on every day
/// of the years jiff represents near the edges and around today, and in between by steps.
#[test]
fn pushed_dates_ages_and_due_words_read_as_the_formatted_ones() {
    let min = Timestamp::MIN.as_second();
    let max = Timestamp::MAX.as_second();
    let mut seconds: Vec<i64> = Vec::new();
    for day in -800_000i64..800_000 {
        seconds.push(day * 86_400);
        seconds.push(day * 86_400 + 86_399);
    }
    seconds.extend((min..max).step_by(86_400 * 97 + 3_601));
    seconds.extend([min, max, -1, 0, 1]);
    for s in seconds {
        let t = Timestamp::from_second(s).unwrap();
        let mut out = String::from("x");
        push_utc_date(&mut out, t);
        assert_eq!(out, format!("x{}", utc_date(t)), "{s}");
    }
    // A fraction of a second before 1970 belongs to the day before.
    let t = Timestamp::new(-86_400, -1).unwrap();
    let mut out = String::new();
    push_utc_date(&mut out, t);
    assert_eq!(out, utc_date(t).to_string());
    let now = ts("2026-11-23T12:00:00Z");
    for since in [
        0i64,
        1,
        59,
        60,
        3_599,
        3_600,
        86_399,
        86_400,
        10 * 86_400,
        -5,
    ] {
        let t = Timestamp::from_second(now.as_second() - since).unwrap();
        let mut out = String::new();
        push_age(&mut out, now, t);
        let (n, unit) = out.split_at(out.len() - 1);
        assert!(n.parse::<u64>().is_ok() && "smhd".contains(unit), "{out}");
        assert_eq!(out, format_age(now, t));
    }
    for days in [0u64, 1, 2, 10, 365, 7_300_000] {
        for due in [Due::In { days }, Due::Overdue { days }, Due::Today] {
            let mut out = String::new();
            due.push_to(&mut out);
            assert_eq!(out, due.to_string());
        }
    }
    assert_eq!(format_age(now, ts("2026-11-13T12:00:00Z")), "10d");
    for n in [0u64, 7, 10, 99, 100, u64::MAX] {
        let mut out = String::new();
        push_decimal(&mut out, n);
        assert_eq!(out, n.to_string());
    }
}
