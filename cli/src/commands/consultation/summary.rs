//! A summary of comments or answers: how many, by position, by participant kind, by clause,
//! by phase, by day and by question — counts only, never a list of who, so that it stays as
//! short at a million answers as at ten. It is a plain fold of what [`super::posted`] gives.
//!
//! A retracted comment is counted as retracted and in no other count: the summary tells the
//! stances that stand.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use travaux_core::{ClauseId, ParticipantId, ParticipantKind, PhaseNo, Position, QuestionNo};

use super::{Lookup, Posted};

/// The participant kinds in the order reports list them (an unknown participant last).
pub const KINDS: [ParticipantKind; 5] = [
    ParticipantKind::MemberState,
    ParticipantKind::NonStateActor,
    ParticipantKind::Expert,
    ParticipantKind::Public,
    ParticipantKind::Secretariat,
];

/// The most rows a table for people shows of clauses (the others are in `--json`).
const CLAUSE_ROWS: usize = 20;

/// The widest a row's name is shown in a table for people.
const NAME_WIDTH: usize = 40;

/// A number as people read it: 4,776.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How many comments, and how many of each position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// How many.
    pub count: usize,
    /// How many in support.
    pub support: usize,
    /// How many against.
    pub oppose: usize,
    /// How many neutral.
    pub neutral: usize,
}

impl Tally {
    fn add(&mut self, position: Position) {
        self.count += 1;
        match position {
            Position::Support => self.support += 1,
            Position::Oppose => self.oppose += 1,
            Position::Neutral => self.neutral += 1,
        }
    }

    /// "3 support, 2 oppose" (the positions that occur).
    fn stances(&self) -> String {
        let parts: Vec<String> = [
            (self.support, "support"),
            (self.oppose, "oppose"),
            (self.neutral, "neutral"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, p)| format!("{} {p}", count(*n)))
        .collect();
        parts.join(", ")
    }
}

/// The fold: every comment of the selection added once, in order.
#[derive(Default)]
pub struct Summary {
    all: Tally,
    retracted: usize,
    respondents: HashSet<ParticipantId>,
    by_kind: HashMap<Option<ParticipantKind>, Tally>,
    by_clause: HashMap<Option<ClauseId>, Tally>,
    by_phase: BTreeMap<Option<PhaseNo>, Tally>,
    by_day: BTreeMap<NaiveDate, Tally>,
    by_question: BTreeMap<QuestionNo, Tally>,
}

/// One row of a grouping, for tools.
#[derive(Serialize)]
struct Row<K: Serialize> {
    #[serde(flatten)]
    key: K,
    #[serde(flatten)]
    tally: Tally,
}

impl Summary {
    /// Add the next comment.
    pub fn add(&mut self, p: &Posted, lookup: &Lookup<'_>) {
        if lookup.retracted(p.comment).is_some() {
            self.retracted += 1;
            return;
        }
        self.all.add(p.position);
        self.respondents.insert(p.actor);
        self.by_kind
            .entry(lookup.kind(p.actor))
            .or_default()
            .add(p.position);
        self.by_clause.entry(p.clause).or_default().add(p.position);
        self.by_phase.entry(p.phase).or_default().add(p.position);
        self.by_day
            .entry(p.time.date_naive())
            .or_default()
            .add(p.position);
        if let Some(q) = p.question {
            self.by_question.entry(q).or_default().add(p.position);
        }
    }

    /// How many stand (retracted ones aside).
    pub fn count(&self) -> usize {
        self.all.count
    }

    /// The kinds present, in report order, each with its tally and how many participants.
    fn kinds(&self, lookup: &Lookup<'_>) -> Vec<(Option<ParticipantKind>, Tally, usize)> {
        let mut people: HashMap<Option<ParticipantKind>, usize> = HashMap::new();
        for id in &self.respondents {
            *people.entry(lookup.kind(*id)).or_default() += 1;
        }
        KINDS
            .iter()
            .map(|k| Some(*k))
            .chain([None])
            .filter_map(|k| {
                let tally = self.by_kind.get(&k)?;
                Some((k, *tally, people.get(&k).copied().unwrap_or(0)))
            })
            .collect()
    }

    /// The clauses commented on in the order of the text (the whole document first, removed
    /// clauses last), each with its name, whether it was removed, and its tally.
    fn clauses(&self, lookup: &Lookup<'_>) -> Vec<(String, bool, Tally)> {
        let order: HashMap<ClauseId, usize> = lookup
            .doc
            .outline()
            .iter()
            .enumerate()
            .map(|(i, (_, c))| (c.id, i + 1))
            .collect();
        let mut rows: Vec<(usize, Option<ClauseId>, Tally)> = self
            .by_clause
            .iter()
            .map(|(c, t)| {
                let place = c.map_or(0, |c| order.get(&c).copied().unwrap_or(usize::MAX));
                (place, *c, *t)
            })
            .collect();
        rows.sort_by_key(|(place, c, _)| (*place, *c));
        let names = crate::render::addresses(lookup.doc, rows.iter().filter_map(|(_, c, _)| *c));
        rows.into_iter()
            .map(|(place, c, t)| {
                let name = c.map_or_else(
                    || "the document".to_string(),
                    |c| names.get(&c).cloned().unwrap_or_else(|| c.short()),
                );
                (name, place == usize::MAX, t)
            })
            .collect()
    }

    fn phase_name(lookup: &Lookup<'_>, no: Option<PhaseNo>) -> Option<String> {
        no.and_then(|no| lookup.doc.phase(no).ok())
            .map(|ph| ph.name.clone())
    }

    /// The summary for tools: the counts, and each grouping as a list of rows in order.
    pub fn json(&self, lookup: &Lookup<'_>) -> serde_json::Value {
        let kinds: Vec<serde_json::Value> = self
            .kinds(lookup)
            .into_iter()
            .map(|(k, tally, people)| {
                let mut row = serde_json::to_value(Row {
                    key: serde_json::json!({ "kind": k.map_or("unknown", |k| k.name()) }),
                    tally,
                })
                .unwrap_or_default();
                row["respondents"] = people.into();
                row
            })
            .collect();
        let clauses: Vec<Row<serde_json::Value>> = self
            .clauses(lookup)
            .into_iter()
            .map(|(name, removed, tally)| Row {
                key: serde_json::json!({ "clause": name, "removed": removed }),
                tally,
            })
            .collect();
        let phases: Vec<Row<serde_json::Value>> = self
            .by_phase
            .iter()
            .map(|(no, tally)| Row {
                key: serde_json::json!({
                    "phase": no.map(|p| p.to_string()),
                    "name": Self::phase_name(lookup, *no),
                }),
                tally: *tally,
            })
            .collect();
        let days: Vec<Row<serde_json::Value>> = self
            .by_day
            .iter()
            .map(|(day, tally)| Row {
                key: serde_json::json!({ "day": day.to_string() }),
                tally: *tally,
            })
            .collect();
        let questions: Vec<Row<serde_json::Value>> = self
            .by_question
            .iter()
            .map(|(q, tally)| Row {
                key: serde_json::json!({ "question": q.to_string() }),
                tally: *tally,
            })
            .collect();
        serde_json::json!({
            "count": self.all.count,
            "support": self.all.support,
            "oppose": self.all.oppose,
            "neutral": self.all.neutral,
            "retracted": self.retracted,
            "respondents": self.respondents.len(),
            "by_kind": kinds,
            "by_clause": clauses,
            "by_phase": phases,
            "by_day": days,
            "by_question": questions,
        })
    }

    /// The first line for people: "6 answers from 5 participants: 3 support, 2 oppose, 1
    /// neutral (1 more retracted)", or "no answers yet".
    pub fn headline(&self, what: &str) -> String {
        if self.all.count == 0 && self.retracted == 0 {
            return format!("no {what} yet");
        }
        let what = match self.all.count {
            1 => what.strip_suffix('s').unwrap_or(what),
            _ => what,
        };
        let mut line = format!(
            "{} {what} from {} {}",
            count(self.all.count),
            count(self.respondents.len()),
            if self.respondents.len() == 1 {
                "participant"
            } else {
                "participants"
            }
        );
        if self.all.count > 0 {
            line.push_str(&format!(": {}", self.all.stances()));
        }
        if self.retracted > 0 {
            line.push_str(&format!(" ({} more retracted)", count(self.retracted)));
        }
        line
    }

    /// The kinds on one line, for a list of questions: "member-state 3 (2 support, 1
    /// oppose); public 1 (1 neutral)" — at most six kinds, however many answers.
    pub fn kinds_line(&self, lookup: &Lookup<'_>) -> String {
        let kinds: Vec<String> = self
            .kinds(lookup)
            .into_iter()
            .map(|(k, t, _)| {
                format!(
                    "{} {} ({})",
                    k.map_or("unknown", |k| k.name()),
                    count(t.count),
                    t.stances()
                )
            })
            .collect();
        kinds.join("; ")
    }

    /// The summary for people: the headline, then a table for each grouping, a row per
    /// kind, clause (at most twenty), phase, period and question; `what` names the counted
    /// ("answers", "comments").
    pub fn lines(&self, lookup: &Lookup<'_>, what: &str, with_questions: bool) -> Vec<String> {
        let mut out = vec![self.headline(what)];
        if self.all.count == 0 {
            return out;
        }
        let kinds: Vec<(String, Tally, Option<usize>)> = self
            .kinds(lookup)
            .into_iter()
            .map(|(k, t, n)| (k.map_or("unknown", |k| k.name()).to_string(), t, Some(n)))
            .collect();
        out.extend(table("by kind", what, &kinds, true));
        let mut clauses: Vec<(String, Tally, Option<usize>)> = self
            .clauses(lookup)
            .into_iter()
            .map(|(name, removed, t)| match removed {
                true => (format!("{name} (removed)"), t, None),
                false => (name, t, None),
            })
            .collect();
        let hidden = clauses.len().saturating_sub(CLAUSE_ROWS);
        let title = if hidden > 0 {
            // The most commented on, still in the order of the text.
            let mut by_count: Vec<usize> = (0..clauses.len()).collect();
            by_count.sort_by_key(|i| std::cmp::Reverse(clauses[*i].1.count));
            let keep: HashSet<usize> = by_count.into_iter().take(CLAUSE_ROWS).collect();
            clauses = clauses
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep.contains(i))
                .map(|(_, row)| row)
                .collect();
            format!(
                "by clause (the {CLAUSE_ROWS} with most; {} more in --json)",
                count(hidden)
            )
        } else {
            "by clause".to_string()
        };
        out.extend(table(&title, what, &clauses, false));
        let phases: Vec<(String, Tally, Option<usize>)> = self
            .by_phase
            .iter()
            .map(|(no, t)| {
                let name = match (no, Self::phase_name(lookup, *no)) {
                    (Some(no), Some(name)) => format!("{no} {name}"),
                    (Some(no), None) => no.to_string(),
                    (None, _) => "no phase".to_string(),
                };
                (name, *t, None)
            })
            .collect();
        out.extend(table("by phase", what, &phases, false));
        let (unit, periods) = self.periods();
        let periods: Vec<(String, Tally, Option<usize>)> =
            periods.into_iter().map(|(p, t)| (p, t, None)).collect();
        out.extend(table(&format!("by {unit}"), what, &periods, false));
        if with_questions && !self.by_question.is_empty() {
            let questions: Vec<(String, Tally, Option<usize>)> = self
                .by_question
                .iter()
                .map(|(q, t)| (q.to_string(), *t, None))
                .collect();
            out.extend(table("answering", what, &questions, false));
        }
        out
    }

    /// The days grouped so that a table stays short: by day over up to 31 days, by week
    /// (named by its Monday) over up to 26 weeks, else by month.
    fn periods(&self) -> (&'static str, Vec<(String, Tally)>) {
        let (Some(first), Some(last)) = (self.by_day.keys().next(), self.by_day.keys().last())
        else {
            return ("day", Vec::new());
        };
        let span = (*last - *first).num_days();
        let (unit, key): (&str, fn(&NaiveDate) -> String) = if span < 31 {
            ("day", |d| d.to_string())
        } else if span < 26 * 7 {
            ("week", |d| {
                let monday = *d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
                format!("week of {monday}")
            })
        } else {
            ("month", |d| format!("{:04}-{:02}", d.year(), d.month()))
        };
        let mut periods: Vec<(String, Tally)> = Vec::new();
        for (day, t) in &self.by_day {
            let k = key(day);
            match periods.last_mut() {
                Some((last, sum)) if *last == k => {
                    sum.count += t.count;
                    sum.support += t.support;
                    sum.oppose += t.oppose;
                    sum.neutral += t.neutral;
                }
                _ => periods.push((k, *t)),
            }
        }
        (unit, periods)
    }
}

/// A table for people: a title row naming the columns, then a row per name with its
/// counts (and its participants, for kinds), names cut to forty characters.
fn table(
    title: &str,
    what: &str,
    rows: &[(String, Tally, Option<usize>)],
    people: bool,
) -> Vec<String> {
    let cut = |s: &str| -> String {
        if s.chars().count() > NAME_WIDTH {
            let mut c: String = s.chars().take(NAME_WIDTH - 1).collect();
            c.push('…');
            c
        } else {
            s.to_string()
        }
    };
    let names: Vec<String> = rows.iter().map(|(n, _, _)| cut(n)).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count() + 2)
        .chain([title.chars().count()])
        .max()
        .unwrap_or(0);
    let w = what.len().max(7);
    let mut head = format!(
        "{title:<width$}  {what:>w$}  {:>7}  {:>7}  {:>7}",
        "support", "oppose", "neutral"
    );
    if people {
        head.push_str("  participants");
    }
    let mut out = vec![head];
    for (name, (_, t, n)) in names.iter().zip(rows) {
        let pad = width - 2;
        let mut line = format!(
            "  {name:<pad$}  {:>w$}  {:>7}  {:>7}  {:>7}",
            count(t.count),
            count(t.support),
            count(t.oppose),
            count(t.neutral)
        );
        if let Some(n) = n {
            line.push_str(&format!("  {:>12}", count(*n)));
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(4776), "4,776");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
