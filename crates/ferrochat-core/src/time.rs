//! UTC timestamps as Webex Connect writes them: ISO 8601 with milliseconds,
//! `2019-08-16T22:02:13.842Z`.
//!
//! Hand-written (days-from-civil arithmetic) rather than a date crate: it is
//! all the calendar the protocol needs and it keeps the widget's wasm small.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with millisecond precision, years 0000 to 9999.
/// The default is the epoch, 1970-01-01T00:00:00.000Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcMillis(i64);

/// Milliseconds from the epoch to 0000-01-01T00:00:00.000Z.
const MIN_MILLIS: i64 = -62_167_219_200_000;
/// Milliseconds from the epoch to 9999-12-31T23:59:59.999Z.
const MAX_MILLIS: i64 = 253_402_300_799_999;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// Why a timestamp did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.fff]Z` (or an offset).
    #[error("timestamp `{0}` is not ISO 8601 (YYYY-MM-DDTHH:MM:SS.sssZ)")]
    Format(String),
    /// Well formed, but no such date or time (February 30th, hour 24…).
    #[error("timestamp `{0}` names no real date and time")]
    OutOfRange(String),
}

impl UtcMillis {
    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z, or None
    /// outside years 0000 to 9999.
    pub fn from_unix_millis(millis: i64) -> Option<Self> {
        (MIN_MILLIS..=MAX_MILLIS)
            .contains(&millis)
            .then_some(UtcMillis(millis))
    }

    /// The instant `seconds` after the epoch (Chatwoot's `created_at`).
    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        seconds.checked_mul(1000).and_then(Self::from_unix_millis)
    }

    pub fn unix_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch, rounded down.
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count from 1970-01-01: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Reads `count` ASCII digits at `at`.
fn digits(bytes: &[u8], at: usize, count: usize) -> Option<i64> {
    let slice = bytes.get(at..at + count)?;
    slice.iter().try_fold(0i64, |acc, byte| {
        byte.is_ascii_digit()
            .then(|| acc * 10 + i64::from(byte - b'0'))
    })
}

impl FromStr for UtcMillis {
    type Err = TimestampError;

    /// Reads RFC 3339 (`T` or a space between date and time, any number of
    /// fraction digits, `Z` or an offset); fractions beyond milliseconds are
    /// truncated.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let format = || TimestampError::Format(text.to_owned());
        let range = || TimestampError::OutOfRange(text.to_owned());
        let bytes = text.as_bytes();
        let separators_ok = bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && matches!(bytes.get(10), Some(b'T' | b't' | b' '))
            && bytes.get(13) == Some(&b':')
            && bytes.get(16) == Some(&b':');
        if !separators_ok {
            return Err(format());
        }
        let field = |at, count| digits(bytes, at, count).ok_or_else(format);
        let (year, month, day) = (field(0, 4)?, field(5, 2)?, field(8, 2)?);
        let (hour, minute, second) = (field(11, 2)?, field(14, 2)?, field(17, 2)?);

        let mut at = 19;
        let mut millis = 0;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return Err(format());
            }
            let fraction = &bytes[start..at.min(start + 3)];
            millis = fraction
                .iter()
                .fold(0, |acc, byte| acc * 10 + i64::from(byte - b'0'));
            for _ in fraction.len()..3 {
                millis *= 10;
            }
        }
        let offset_minutes = match &bytes[at.min(bytes.len())..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), ..] if bytes.len() == at + 6 && bytes[at + 3] == b':' => {
                let (hours, minutes) = (field(at + 1, 2)?, field(at + 4, 2)?);
                if hours > 23 || minutes > 59 {
                    return Err(range());
                }
                let total = hours * 60 + minutes;
                if *sign == b'-' { -total } else { total }
            }
            _ => return Err(format()),
        };

        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(range());
        }
        let seconds_of_day = hour * 3600 + minute * 60 + second - offset_minutes * 60;
        let total =
            days_from_civil(year, month, day) * MILLIS_PER_DAY + seconds_of_day * 1000 + millis;
        UtcMillis::from_unix_millis(total).ok_or_else(range)
    }
}

impl fmt::Display for UtcMillis {
    /// Always `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let millis_of_day = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let seconds = millis_of_day / 1000;
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            millis_of_day % 1000
        )
    }
}

impl Serialize for UtcMillis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UtcMillis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::{TimestampError, UtcMillis};

    #[test]
    fn reads_and_writes_the_seed_timestamp() {
        let time: UtcMillis = "2019-08-16T22:02:13.842Z".parse().unwrap();
        assert_eq!(time.unix_millis(), 1_565_992_933_842);
        assert_eq!(time.to_string(), "2019-08-16T22:02:13.842Z");
    }

    #[test]
    fn normalises_offsets_and_precision_to_utc_millis() {
        let cases = [
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
            ("2024-02-29T23:59:59.9999+00:00", "2024-02-29T23:59:59.999Z"),
            ("2024-03-01T01:30:00.5+02:00", "2024-02-29T23:30:00.500Z"),
            ("1969-12-31 23:59:59.1-01:00", "1970-01-01T00:59:59.100Z"),
        ];
        for (input, written) in cases {
            let time: UtcMillis = input.parse().unwrap();
            assert_eq!(time.to_string(), written, "{input}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for input in [
            "",
            "2019-08-16",
            "2019-08-16T22:02:13",
            "2019-08-16T22:02:13.Z",
        ] {
            assert!(
                matches!(input.parse::<UtcMillis>(), Err(TimestampError::Format(_))),
                "{input}"
            );
        }
        for input in [
            "2023-02-29T00:00:00Z",
            "2019-13-01T00:00:00Z",
            "2019-08-16T24:00:00Z",
        ] {
            assert!(
                matches!(
                    input.parse::<UtcMillis>(),
                    Err(TimestampError::OutOfRange(_))
                ),
                "{input}"
            );
        }
    }

    #[test]
    fn bounds_are_years_0000_to_9999() {
        assert_eq!(
            UtcMillis::from_unix_millis(253_402_300_799_999).map(|t| t.to_string()),
            Some("9999-12-31T23:59:59.999Z".to_owned())
        );
        assert_eq!(UtcMillis::from_unix_millis(253_402_300_800_000), None);
        assert_eq!(
            UtcMillis::from_unix_millis(-62_167_219_200_000).map(|t| t.to_string()),
            Some("0000-01-01T00:00:00.000Z".to_owned())
        );
        assert_eq!(UtcMillis::from_unix_millis(-62_167_219_200_001), None);
    }
}
