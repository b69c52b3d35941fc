//! Points: where in history a view stands.
//!
//! A point is the head, a global sequence number, a moment, or a tag. As text it reads
//! `head`, `42` (or `seq:42`), `2010-05-20` or `2010-05-20T03:00:00Z` (or `time:…`), and
//! anything else is a tag name (or `tag:NAME` when a tag looks like something else).

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::document::DocumentState;
use crate::error::DomainError;
use crate::event::{RecordedEvent, Timestamp};

/// Where a view stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Point {
    /// After the last event.
    Head,
    /// After the event with this global sequence number.
    Seq(u64),
    /// After the last event recorded at or before this moment.
    Time(Timestamp),
    /// At the point a tag names.
    Tag(String),
}

/// A point reduced to a cut of the log: the events a view includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Everything.
    Head,
    /// Events with a sequence number at most this.
    Seq(u64),
    /// Events recorded at or before this moment.
    Time(Timestamp),
}

impl Cut {
    /// Whether the view includes the event.
    pub fn includes(&self, e: &RecordedEvent) -> bool {
        match self {
            Cut::Head => true,
            Cut::Seq(s) => e.seq <= *s,
            Cut::Time(t) => e.recorded_at <= *t,
        }
    }
}

impl Point {
    /// Reduce the point to a cut, looking tags up in the document as it stands at its head.
    pub fn cut(&self, head: &DocumentState) -> Result<Cut, DomainError> {
        Ok(match self {
            Point::Head => Cut::Head,
            Point::Seq(s) => Cut::Seq(*s),
            Point::Time(t) => Cut::Time(*t),
            Point::Tag(name) => Cut::Seq(*head.tags.get(name).ok_or_else(|| {
                let known: Vec<&str> = head.tags.keys().map(String::as_str).collect();
                DomainError::Invalid(if known.is_empty() {
                    format!("no tag '{name}' in {}; it has no tags yet", head.slug)
                } else {
                    format!(
                        "no tag '{name}' in {}; its tags are: {}",
                        head.slug,
                        known.join(", ")
                    )
                })
            })?),
        })
    }
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Point::Head => f.write_str("head"),
            Point::Seq(s) => write!(f, "{s}"),
            Point::Time(t) => write!(
                f,
                "{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Point::Tag(t) => f.write_str(t),
        }
    }
}

impl FromStr for Point {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("an empty point; give head, a sequence number, a date or a tag".into());
        }
        if s == "head" {
            return Ok(Point::Head);
        }
        if let Some(n) = s.strip_prefix("seq:") {
            return n
                .parse()
                .map(Point::Seq)
                .map_err(|_| format!("'{n}' is not a sequence number"));
        }
        if let Some(t) = s.strip_prefix("tag:") {
            return Ok(Point::Tag(t.to_string()));
        }
        if let Some(t) = s.strip_prefix("time:") {
            return parse_time(t, DayEdge::End).map(Point::Time);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return s
                .parse()
                .map(Point::Seq)
                .map_err(|_| format!("'{s}' is too large for a sequence number"));
        }
        if let Ok(t) = parse_time(s, DayEdge::End) {
            return Ok(Point::Time(t));
        }
        Ok(Point::Tag(s.to_string()))
    }
}

/// Which moment of a day a bare date stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayEdge {
    /// 00:00:00 UTC: when recording an event "on" a date.
    Start,
    /// The last instant of the day: when viewing the text "as it stood on" a date.
    End,
}

/// Read a moment: RFC 3339 (`2010-05-20T03:00:00Z`), a UTC date and time
/// (`2010-05-20T03:00` or `2010-05-20 03:00:00`), or a date (`2010-05-20`).
pub fn parse_time(s: &str, edge: DayEdge) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let time = match edge {
            DayEdge::Start => NaiveTime::MIN,
            DayEdge::End => NaiveTime::from_hms_nano_opt(23, 59, 59, 999_999_999).expect("valid"),
        };
        return Ok(Utc.from_utc_datetime(&d.and_time(time)));
    }
    Err(format!(
        "'{s}' is not a date or time; use 2010-05-20, 2010-05-20T03:00 or RFC 3339"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_read_as_written() {
        assert_eq!("head".parse::<Point>(), Ok(Point::Head));
        assert_eq!("42".parse::<Point>(), Ok(Point::Seq(42)));
        assert_eq!("seq:7".parse::<Point>(), Ok(Point::Seq(7)));
        assert_eq!(
            "WHA63.16".parse::<Point>(),
            Ok(Point::Tag("WHA63.16".into()))
        );
        assert_eq!("tag:2010".parse::<Point>(), Ok(Point::Tag("2010".into())));
        let Ok(Point::Time(t)) = "2010-05-20".parse::<Point>() else {
            panic!("a date is a time point")
        };
        assert_eq!(t.to_rfc3339(), "2010-05-20T23:59:59.999999999+00:00");
        let Ok(Point::Time(t)) = "2010-05-20T03:00".parse::<Point>() else {
            panic!("a date and time is a time point")
        };
        assert_eq!(t.to_rfc3339(), "2010-05-20T03:00:00+00:00");
        assert!("seq:x".parse::<Point>().is_err());
    }

    #[test]
    fn a_date_to_record_on_is_the_start_of_the_day() {
        let t = parse_time("2008-08-15", DayEdge::Start).unwrap();
        assert_eq!(t.to_rfc3339(), "2008-08-15T00:00:00+00:00");
        assert!(parse_time("15/08/2008", DayEdge::Start).is_err());
    }
}
