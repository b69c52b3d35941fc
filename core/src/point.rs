//! Points: where in history a view stands.
//!
//! A point is the head, a global sequence number, a moment, a tag or a revision's label. As
//! text it reads `head`, `42` (or `seq:42`), `2010-05-20` or `2010-05-20T03:00:00Z` (or
//! `time:…`), and anything else is a tag name (or `tag:NAME` when a tag looks like something
//! else) or, if no tag has that name, the label of a revision (`A/63/8`: just after it, after
//! its last part for a revision stored in several); `rev:LABEL` names a revision whatever the
//! tags are called.
//!
//! A point can also be relative: `POINT~N` stands N text changes before `POINT` (a text change
//! is a revision or a decision whose operations are non-empty; a revision stored in several parts
//! is one change), just before the N-th last change
//! that `POINT` includes; `POINT~` is `POINT~1`. So `WHA63.16~1` is the text just before the last
//! change before the adoption tag, and `EB126/8~1` the text the revision `EB126/8` replaced.
//! Relative points and revision labels need the document's events (those that change the text
//! are enough): [`Point::resolve`] takes them; [`Point::needs_events`] says when.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::document::DocumentState;
use crate::error::DomainError;
use crate::event::{Event, RecordedEvent};
use crate::vocabulary::Timestamp;

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
    /// At the point a tag names; if no tag has the name, just after the revision with that
    /// label.
    Tag(String),
    /// Just after the revision with this label (`rev:LABEL`), whatever the tags are.
    Revision(String),
    /// This many text changes before another point (`POINT~N`).
    Back {
        /// The point counted from.
        base: Box<Point>,
        /// How many text changes back.
        steps: u32,
    },
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
    /// Whether the point is relative (`POINT~N`) and so needs the document's events to be
    /// resolved ([`Point::resolve`]).
    pub fn is_relative(&self) -> bool {
        matches!(self, Point::Back { .. })
    }

    /// Whether [`Point::resolve`] needs the document's events to reduce this point: a relative
    /// point, a revision label, or a name that is no tag of the document (and so may be a
    /// revision's label).
    pub fn needs_events(&self, head: &DocumentState) -> bool {
        match self {
            Point::Back { .. } | Point::Revision(_) => true,
            Point::Tag(name) => !head.tags.contains_key(name),
            Point::Head | Point::Seq(_) | Point::Time(_) => false,
        }
    }

    /// Reduce the point to a cut, looking tags up in the document as it stands at its head,
    /// revision labels and relative points in the document's events (its stream in order, or
    /// only the events that change its text: no others are read).
    pub fn resolve(
        &self,
        head: &DocumentState,
        events: &[RecordedEvent],
    ) -> Result<Cut, DomainError> {
        match self {
            Point::Revision(label) => return revision_cut(head, events, label, false),
            Point::Tag(name) if !head.tags.contains_key(name) => {
                return revision_cut(head, events, name, true)
            }
            Point::Back { .. } => {}
            _ => return self.cut(head),
        }
        let Point::Back { base, steps } = self else {
            unreachable!("matched above")
        };
        let cut = base.resolve(head, events)?;
        if *steps == 0 {
            return Ok(cut);
        }
        // A revision stored in several parts is one change: counted by its first part.
        let changes: Vec<&RecordedEvent> = text_changes(events.iter().filter(|e| cut.includes(e)))
            .into_iter()
            .map(|parts| parts[0])
            .collect();
        let n = *steps as usize;
        if n > changes.len() {
            return Err(DomainError::Invalid(format!(
                "{self}: there {} only {} text change{} (revisions and decisions that changed the text) up to {base}",
                if changes.len() == 1 { "is" } else { "are" },
                changes.len(),
                if changes.len() == 1 { "" } else { "s" },
            )));
        }
        Ok(Cut::Seq(changes[changes.len() - n].seq - 1))
    }

    /// Reduce the point to a cut, looking tags up in the document as it stands at its head.
    /// A relative point needs the events: use [`Point::resolve`].
    pub fn cut(&self, head: &DocumentState) -> Result<Cut, DomainError> {
        Ok(match self {
            Point::Back { .. } => {
                return Err(DomainError::Invalid(format!(
                    "a relative point ({self}) is not accepted here; give a tag, an event number or a date"
                )))
            }
            Point::Revision(label) => {
                return Err(DomainError::Invalid(format!(
                    "a revision label (rev:{label}) is found in the document's events; resolve the point with them"
                )))
            }
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
            Point::Revision(l) => write!(f, "rev:{l}"),
            Point::Back { base, steps } => write!(f, "{base}~{steps}"),
        }
    }
}

/// Whether an event changes the text: a revision or a decision with clause operations.
pub(crate) fn changes_text(e: &RecordedEvent) -> bool {
    matches!(
        &e.event,
        Event::RevisionIssued { ops, .. } | Event::DecisionRecorded { ops, .. } if !ops.is_empty()
    )
}

/// Whether `next` is one more part of the revision `first` began: both revisions of one number,
/// in one stream, one just after the other (the parts are appended together).
pub fn same_revision(first: &RecordedEvent, next: &RecordedEvent) -> bool {
    match (&first.event, &next.event) {
        (Event::RevisionIssued { revision: a, .. }, Event::RevisionIssued { revision: b, .. }) => {
            a == b && first.stream == next.stream
        }
        _ => false,
    }
}

/// The text changes among `events` (in stream order), each as the events it is stored in: one
/// event, or every part of a revision stored in several.
pub fn text_changes<'a>(
    events: impl IntoIterator<Item = &'a RecordedEvent>,
) -> Vec<Vec<&'a RecordedEvent>> {
    let mut out: Vec<Vec<&RecordedEvent>> = Vec::new();
    for e in events.into_iter().filter(|e| changes_text(e)) {
        match out.last_mut() {
            Some(parts) if same_revision(parts[0], e) => parts.push(e),
            _ => out.push(vec![e]),
        }
    }
    out
}

/// Just after the revision labelled `label` (after its last part). `as_tag`: the name was
/// given as a tag's, so the error names the tags too.
fn revision_cut(
    head: &DocumentState,
    events: &[RecordedEvent],
    label: &str,
    as_tag: bool,
) -> Result<Cut, DomainError> {
    let mut found: Vec<(u32, u64)> = Vec::new();
    let mut labels: Vec<&str> = Vec::new();
    for e in events {
        let Event::RevisionIssued {
            revision,
            label: Some(l),
            ..
        } = &e.event
        else {
            continue;
        };
        if l == label {
            match found.last_mut() {
                Some((r, seq)) if r == revision => *seq = e.seq,
                _ => found.push((*revision, e.seq)),
            }
        } else if !labels.contains(&l.as_str()) {
            labels.push(l);
        }
    }
    match found.as_slice() {
        [(_, seq)] => Ok(Cut::Seq(*seq)),
        [] => {
            let tags: Vec<&str> = head.tags.keys().map(String::as_str).collect();
            let list = |what: &str, names: &[&str]| {
                if names.is_empty() {
                    format!("it has no {what}s")
                } else {
                    format!("its {what}s are: {}", names.join(", "))
                }
            };
            Err(DomainError::Invalid(if as_tag {
                format!(
                    "no tag or revision labelled '{label}' in {}; {}; {}",
                    head.slug,
                    list("tag", &tags),
                    list("revision label", &labels)
                )
            } else {
                format!(
                    "no revision labelled '{label}' in {}; {}",
                    head.slug,
                    list("revision label", &labels)
                )
            }))
        }
        many => Err(DomainError::Invalid(format!(
            "{} revisions of {} are labelled '{label}' (revisions {}); name one by its event number ({})",
            many.len(),
            head.slug,
            many.iter()
                .map(|(r, _)| r.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            many.iter()
                .map(|(_, s)| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ))),
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
        if let Some((base, steps)) = s.rsplit_once('~') {
            if steps.bytes().all(|b| b.is_ascii_digit()) {
                let steps = if steps.is_empty() {
                    1
                } else {
                    steps
                        .parse()
                        .map_err(|_| format!("'{steps}' is too large a number of steps back"))?
                };
                if base.trim().is_empty() {
                    return Err(format!(
                        "'{s}' counts back from nothing; write POINT~N, such as head~1 or WHA63.16~2"
                    ));
                }
                return Ok(Point::Back {
                    base: Box::new(base.parse()?),
                    steps,
                });
            }
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
        if let Some(l) = s.strip_prefix("rev:") {
            if l.trim().is_empty() {
                return Err("'rev:' needs a revision label, such as rev:A/63/8".into());
            }
            return Ok(Point::Revision(l.trim().to_string()));
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
        if let Some(why) = invalid_date(s) {
            return Err(format!("{why}; a tag of that name is written tag:{s}"));
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
    Err(invalid_date(s).unwrap_or_else(|| {
        format!("'{s}' is not a date or time; use 2010-05-20, 2010-05-20T03:00 or RFC 3339")
    }))
}

/// Why something shaped like a date (`YYYY-MM-DD`, perhaps followed by `T` or a space and a
/// time) is not a valid one, or `None` if it is not shaped like a date at all.
fn invalid_date(s: &str) -> Option<String> {
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return None;
    }
    if let Some(t) = time {
        if !t.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
    }
    let use_ = "use YYYY-MM-DD, such as 2010-05-20, with an optional time (2010-05-20T03:00)";
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let why = if !(1..=12).contains(&month) {
        format!("there is no month {month}")
    } else if NaiveDate::from_ymd_opt(year, month, day).is_none() {
        let days = (28..=31)
            .rev()
            .find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())
            .unwrap_or(28);
        format!("{year}-{month:02} has {days} days, not {day}")
    } else {
        format!("the time '{}' is not valid", time.unwrap_or_default())
    };
    Some(format!("'{s}' is not a valid date: {why}; {use_}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_shaped_like_a_date_that_is_no_date_is_named_an_invalid_date() {
        for (point, why) in [
            ("2010-13-45", "there is no month 13"),
            ("2010-02-30", "2010-02 has 28 days, not 30"),
            ("2012-02-30", "2012-02 has 29 days, not 30"),
            ("2010-04-31T10:00", "2010-04 has 30 days, not 31"),
            ("2010-05-20T25:00", "the time '25:00' is not valid"),
        ] {
            let e = point.parse::<Point>().unwrap_err();
            assert!(e.contains("not a valid date"), "{point}: {e}");
            assert!(e.contains(why), "{point}: {e}");
            assert!(e.contains(&format!("tag:{point}")), "{point}: {e}");
            let e = parse_time(point, DayEdge::Start).unwrap_err();
            assert!(e.contains(why), "{point}: {e}");
        }
        // Not shaped like a date: tags as before.
        for tag in ["2010-13", "v2010-13-45", "WHA63.16", "2010-05-20-final"] {
            assert_eq!(tag.parse::<Point>(), Ok(Point::Tag(tag.into())), "{tag}");
        }
        assert_eq!(
            "tag:2010-13-45".parse::<Point>(),
            Ok(Point::Tag("2010-13-45".into()))
        );
    }

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
    fn relative_points_read_as_written() {
        let back = |base: Point, steps| Point::Back {
            base: Box::new(base),
            steps,
        };
        let tag = |t: &str| Point::Tag(t.into());
        assert_eq!("WHA63.16~1".parse::<Point>(), Ok(back(tag("WHA63.16"), 1)));
        assert_eq!("WHA63.16~".parse::<Point>(), Ok(back(tag("WHA63.16"), 1)));
        assert_eq!("head~3".parse::<Point>(), Ok(back(Point::Head, 3)));
        assert_eq!("42~2".parse::<Point>(), Ok(back(Point::Seq(42), 2)));
        assert_eq!(
            "EB124/13~1~2".parse::<Point>(),
            Ok(back(back(tag("EB124/13"), 1), 2))
        );
        assert_eq!("tag:x~1".parse::<Point>(), Ok(back(tag("x"), 1)));
        let Ok(Point::Back { base, .. }) = "2010-05-20~1".parse::<Point>() else {
            panic!("a date counts back too")
        };
        assert!(matches!(*base, Point::Time(_)));
        // A tilde not followed by a number belongs to a tag name.
        assert_eq!("a~b".parse::<Point>(), Ok(tag("a~b")));
        assert!("~1".parse::<Point>().is_err());
        assert!("x~99999999999".parse::<Point>().is_err());
        assert_eq!(back(tag("WHA63.16"), 2).to_string(), "WHA63.16~2");
        assert!(back(Point::Head, 1).is_relative() && !Point::Head.is_relative());
    }

    mod resolving {
        use super::*;
        use crate::tests::World;
        use crate::{AmendmentNo, Change, ClauseOp, Command, Method, Outcome, Role};

        /// A first draft (one text change), a tag `d1`, a rejected amendment (no change), an
        /// accepted one (a change), a comment, a second revision (a change), a tag `d2`.
        fn history() -> World {
            let (mut w, s) = World::with_document();
            w.first_draft(s);
            let chair = w.participant("chair", &[Role::Chair]);
            let brazil = w.participant("brazil", &[Role::Delegate]);
            let tag = |w: &mut World, name: &str| {
                let seq = w.doc().seq;
                w.run(
                    s,
                    Command::SetTag {
                        name: name.into(),
                        seq,
                    },
                )
                .unwrap();
            };
            tag(&mut w, "d1");
            for text in ["Rejected wording.", "Accepted wording."] {
                let clause = w.label("1.2");
                w.run(
                    brazil,
                    Command::ProposeAmendment {
                        change: Change::Replace {
                            clause,
                            text: text.into(),
                        },
                        rationale: None,
                    },
                )
                .unwrap();
            }
            for (no, outcome) in [(1, Outcome::Rejected), (2, Outcome::Accepted)] {
                w.run(
                    chair,
                    Command::RecordDecision {
                        reopen: false,
                        amendment: AmendmentNo(no),
                        outcome,
                        method: Method::Consensus,
                    },
                )
                .unwrap();
            }
            let clause = w.label("2.1");
            w.run(
                s,
                Command::IssueRevision {
                    title: None,
                    label: Some("second".into()),
                    ops: vec![ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause,
                        heading: None,
                        text: "Member States shall exchange data.".into(),
                    }],
                },
            )
            .unwrap();
            tag(&mut w, "d2");
            w
        }

        fn seq_of(w: &World, kind: &str, nth: usize) -> u64 {
            w.log
                .iter()
                .filter(|e| e.stream != crate::StreamId::REGISTRY && e.event.kind() == kind)
                .nth(nth)
                .unwrap()
                .seq
        }

        fn resolve(w: &World, point: &str) -> Result<Cut, DomainError> {
            let events: Vec<RecordedEvent> = w
                .log
                .iter()
                .filter(|e| e.stream != crate::StreamId::REGISTRY)
                .cloned()
                .collect();
            point.parse::<Point>().unwrap().resolve(w.doc(), &events)
        }

        #[test]
        fn counting_back_skips_events_that_do_not_change_the_text() {
            let w = history();
            let revision2 = seq_of(&w, "revision_issued", 1);
            let accepted = seq_of(&w, "decision_recorded", 1);
            let revision1 = seq_of(&w, "revision_issued", 0);
            assert_eq!(resolve(&w, "d2~1"), Ok(Cut::Seq(revision2 - 1)));
            assert_eq!(resolve(&w, "head~"), Ok(Cut::Seq(revision2 - 1)));
            assert_eq!(resolve(&w, "d2~2"), Ok(Cut::Seq(accepted - 1)));
            assert_eq!(resolve(&w, "d2~1~1"), Ok(Cut::Seq(accepted - 1)));
            assert_eq!(resolve(&w, "d2~3"), Ok(Cut::Seq(revision1 - 1)));
            assert_eq!(resolve(&w, "d1~1"), Ok(Cut::Seq(revision1 - 1)));
            assert_eq!(resolve(&w, "d1~0"), Ok(Cut::Seq(w.doc().tags["d1"])));
            // A point between changes counts from the last change it includes.
            assert_eq!(
                resolve(&w, &format!("{}~1", seq_of(&w, "decision_recorded", 0))),
                Ok(Cut::Seq(revision1 - 1))
            );
            let err = resolve(&w, "d1~2").unwrap_err().to_string();
            assert!(err.contains("only 1 text change"), "{err}");
            assert!(resolve(&w, "nope~1").is_err());
            // Without the events, a relative point is refused with a reason.
            assert!(Point::from_str("d2~1").unwrap().cut(w.doc()).is_err());
        }
        #[test]
        fn a_revision_label_is_a_point_and_a_tag_wins_over_it() {
            let mut w = history();
            let revision1 = seq_of(&w, "revision_issued", 0);
            let revision2 = seq_of(&w, "revision_issued", 1);
            // No tag has the name: the revision labelled so, as typed or with rev:.
            assert_eq!(resolve(&w, "second"), Ok(Cut::Seq(revision2)));
            assert_eq!(resolve(&w, "rev:second"), Ok(Cut::Seq(revision2)));
            assert_eq!(resolve(&w, "first draft"), Ok(Cut::Seq(revision1)));
            assert_eq!(resolve(&w, "second~1"), Ok(Cut::Seq(revision2 - 1)));
            assert!(Point::from_str("second").unwrap().needs_events(w.doc()));
            assert!(!Point::from_str("d1").unwrap().needs_events(w.doc()));
            // A tag of the same name wins; rev: still names the revision.
            let s = w.doc().created_by;
            w.run(
                s,
                Command::SetTag {
                    name: "second".into(),
                    seq: revision1,
                },
            )
            .unwrap();
            assert_eq!(resolve(&w, "second"), Ok(Cut::Seq(revision1)));
            assert_eq!(resolve(&w, "rev:second"), Ok(Cut::Seq(revision2)));
            // Neither: the error lists both.
            let err = resolve(&w, "third").unwrap_err().to_string();
            assert!(
                err.contains("no tag or revision labelled 'third'")
                    && err.contains("d1, d2, second")
                    && err.contains("first draft, second"),
                "{err}"
            );
            let err = resolve(&w, "rev:d1").unwrap_err().to_string();
            assert!(err.contains("no revision labelled 'd1'"), "{err}");
            assert!("rev:".parse::<Point>().is_err());
            assert_eq!(Point::Revision("A/63/8".into()).to_string(), "rev:A/63/8");
        }

        #[test]
        fn a_revision_in_several_parts_is_one_point_and_one_change() {
            let (mut w, s) = World::with_document();
            w.first_draft(s);
            // Enough text for several parts of ~40 KiB.
            let big = "Member States shall cooperate. ".repeat(400);
            let ops: Vec<ClauseOp> = (0..12)
                .map(|i| ClauseOp::Add {
                    kind: None,
                    notes: Vec::new(),
                    clause: crate::ClauseId(w.id()),
                    parent: None,
                    after: None,
                    label: format!("Annex {i}"),
                    heading: None,
                    text: big.clone(),
                })
                .collect();
            let parts = w
                .run(
                    s,
                    Command::IssueRevision {
                        title: None,
                        label: Some("big".into()),
                        ops,
                    },
                )
                .unwrap()
                .len();
            assert!(parts > 1, "the revision is stored in {parts} part(s)");
            let first = seq_of(&w, "revision_issued", 1);
            let last = seq_of(&w, "revision_issued", parts);
            assert_eq!(last, first + parts as u64 - 1);
            assert_eq!(resolve(&w, "big"), Ok(Cut::Seq(last)));
            // One change back from the head is before all its parts, not between two.
            assert_eq!(resolve(&w, "head~1"), Ok(Cut::Seq(first - 1)));
            assert_eq!(
                resolve(&w, "head~2"),
                Ok(Cut::Seq(seq_of(&w, "revision_issued", 0) - 1))
            );
        }
    }

    #[test]
    fn a_date_to_record_on_is_the_start_of_the_day() {
        let t = parse_time("2008-08-15", DayEdge::Start).unwrap();
        assert_eq!(t.to_rfc3339(), "2008-08-15T00:00:00+00:00");
        assert!(parse_time("15/08/2008", DayEdge::Start).is_err());
    }
}
