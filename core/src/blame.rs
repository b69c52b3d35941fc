//! Blame: who wrote each word of a clause, carried forward as the events are folded.
//!
//! git blame walks backwards and re-diffs each version against its parent; an event log can do
//! better. [`Blame`] is folded over a document's events in order, like `DocumentState`: each
//! live clause holds its heading and text cut into pieces, each piece a run of whole word
//! tokens (the Unicode word segmentation of [`diff_text`]'s word mode, so that pieces and diff
//! spans line up) with the [`Origin`] that introduced it. Adding a clause gives every token
//! the event; rewording it diffs the old text against the new one word by word, exactly (no
//! deadline: blame is never derived from an approximated diff), and kept tokens keep their
//! origin while inserted tokens get the event. Moving or relabelling a clause changes nothing:
//! blame follows the clause's identity, not its label. Removing a clause drops it.
//!
//! An origin names the event (sequence number, time, who recorded it), the author (the
//! proposer of an accepted amendment; the actor of a revision) and the source: the revision,
//! or the amendment with the decision that accepted it and how it was reached.
//!
//! Operations are applied one at a time, as `evolve` applies them: an event that rewords the
//! same clause twice is blamed step by step.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::diff::{count_words, diff_text, Granularity, SpanKind};
use crate::event::{ClauseOp, Event, Method, Outcome, RecordedEvent};
use crate::ids::{AmendmentNo, ClauseId, ParticipantId};
use crate::vocabulary::Timestamp;

/// How an amendment that wrote text was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// Accepted as proposed.
    Accepted,
    /// Accepted with a different final wording.
    AcceptedAsModified,
}

impl Acceptance {
    /// A short name, as decisions are told.
    pub fn name(self) -> &'static str {
        match self {
            Acceptance::Accepted => "accepted",
            Acceptance::AcceptedAsModified => "accepted as modified",
        }
    }
}

/// The event behind some text: a revision, or an accepted amendment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A draft issued as a whole.
    Revision {
        /// Its number within the document.
        revision: u32,
        /// Its symbol or name, such as "EB124/13".
        label: Option<String>,
    },
    /// An amendment the committee accepted.
    Amendment {
        /// Its number.
        amendment: AmendmentNo,
        /// How it was accepted.
        outcome: Acceptance,
        /// How the decision was reached.
        method: Method,
    },
}

/// Who introduced some text, when, and on what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The global sequence number of the event.
    pub seq: u64,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// Who recorded it (the secretariat for a revision, the chair for a decision).
    pub actor: ParticipantId,
    /// Who wrote the text: the proposer of an accepted amendment, the actor of a revision.
    pub author: ParticipantId,
    /// The revision or the amendment.
    pub source: Source,
}

/// Consecutive text with one origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Run<'a> {
    /// The text, whitespace and punctuation included: the runs of a clause, joined, give its
    /// text.
    pub text: &'a str,
    /// The event that introduced it.
    pub origin: &'a Origin,
}

impl Run<'_> {
    /// How many words the run holds (whitespace and punctuation not counted).
    pub fn words(&self) -> usize {
        count_words(self.text)
    }
}

/// The words written by one author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthorShare<'a> {
    /// The author.
    pub author: ParticipantId,
    /// How many words of the text are theirs.
    pub words: usize,
    /// The origins of those words, oldest first, each with its word count.
    pub sources: Vec<(&'a Origin, usize)>,
}

/// A run of whole tokens of a text with one origin, by its length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    len: usize,
    origin: u32,
}

/// A text cut into pieces by origin.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Attributed {
    text: String,
    pieces: Vec<Piece>,
}

impl Attributed {
    fn new(text: &str, origin: u32) -> Attributed {
        let mut a = Attributed::default();
        a.rewrite(text, origin);
        a
    }

    /// The text becomes `new`: tokens kept by an exact word diff keep their origin, inserted
    /// ones get `origin`.
    fn rewrite(&mut self, new: &str, origin: u32) {
        if self.text == new {
            return;
        }
        let diff = diff_text(&self.text, new, Granularity::Words, None);
        let mut out: Vec<Piece> = Vec::with_capacity(self.pieces.len() + 2);
        let mut old = Cursor {
            pieces: &self.pieces,
            index: 0,
            offset: 0,
        };
        for span in &diff.spans {
            let len = span.text.len();
            match span.kind {
                SpanKind::Equal => old.take(len, |p| push(&mut out, p)),
                SpanKind::Delete => old.take(len, |_| {}),
                SpanKind::Insert => push(&mut out, Piece { len, origin }),
            }
        }
        self.text = new.to_string();
        self.pieces = out;
    }

    fn runs<'a>(&'a self, origins: &'a [Origin]) -> Vec<Run<'a>> {
        let mut start = 0;
        self.pieces
            .iter()
            .map(|p| {
                let text = &self.text[start..start + p.len];
                start += p.len;
                Run {
                    text,
                    origin: &origins[p.origin as usize],
                }
            })
            .collect()
    }

    /// Word counts by origin index.
    fn count_into(&self, counts: &mut HashMap<u32, usize>) {
        let mut start = 0;
        for p in &self.pieces {
            let words = count_words(&self.text[start..start + p.len]);
            start += p.len;
            if words > 0 {
                *counts.entry(p.origin).or_default() += words;
            }
        }
    }
}

/// Reads the pieces of the old text in order, splitting one where a span ends inside it.
struct Cursor<'a> {
    pieces: &'a [Piece],
    index: usize,
    offset: usize,
}

impl Cursor<'_> {
    fn take(&mut self, mut len: usize, mut emit: impl FnMut(Piece)) {
        while len > 0 {
            let Some(p) = self.pieces.get(self.index) else {
                // The spans cover the old text exactly; this cannot happen.
                return;
            };
            let n = (p.len - self.offset).min(len);
            emit(Piece {
                len: n,
                origin: p.origin,
            });
            self.offset += n;
            len -= n;
            if self.offset == p.len {
                self.index += 1;
                self.offset = 0;
            }
        }
    }
}

/// Append a piece, joining it to the last one when they share an origin.
fn push(out: &mut Vec<Piece>, piece: Piece) {
    if piece.len == 0 {
        return;
    }
    match out.last_mut() {
        Some(last) if last.origin == piece.origin => last.len += piece.len,
        _ => out.push(piece),
    }
}

/// A live clause's heading and text, attributed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ClauseBlame {
    heading: Attributed,
    text: Attributed,
}

/// The attribution of every live clause of a document after some prefix of its stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Blame {
    /// The global sequence number of the last event folded in (0 before any).
    pub seq: u64,
    origins: Vec<Origin>,
    clauses: BTreeMap<ClauseId, ClauseBlame>,
    proposers: HashMap<AmendmentNo, ParticipantId>,
}

/// Fold a document's events, in stream order, into its blame.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a RecordedEvent>) -> Blame {
    let mut b = Blame::default();
    for e in events {
        b.apply(e);
    }
    b
}

/// The runs of a clause's text, in order, or `None` if the clause is not in the text.
pub fn blame(state: &Blame, clause: ClauseId) -> Option<Vec<Run<'_>>> {
    state
        .clauses
        .get(&clause)
        .map(|c| c.text.runs(&state.origins))
}

impl Blame {
    /// Fold one more event in. Never fails: events were validated when they were decided.
    pub fn apply(&mut self, e: &RecordedEvent) {
        self.seq = e.seq;
        let (source, author, ops) = match &e.event {
            Event::AmendmentProposed { amendment, .. } => {
                self.proposers.insert(*amendment, e.actor);
                return;
            }
            Event::RevisionIssued {
                revision,
                label,
                ops,
                ..
            } => (
                Source::Revision {
                    revision: *revision,
                    label: label.clone(),
                },
                e.actor,
                ops,
            ),
            Event::DecisionRecorded {
                amendment,
                outcome,
                method,
                ops,
            } => (
                Source::Amendment {
                    amendment: *amendment,
                    outcome: match outcome {
                        Outcome::AcceptedAsModified { .. } => Acceptance::AcceptedAsModified,
                        _ => Acceptance::Accepted,
                    },
                    method: method.clone(),
                },
                self.proposers.get(amendment).copied().unwrap_or(e.actor),
                ops,
            ),
            _ => return,
        };
        if ops.is_empty() {
            return;
        }
        let origin = self.origins.len() as u32;
        self.origins.push(Origin {
            seq: e.seq,
            recorded_at: e.recorded_at,
            actor: e.actor,
            author,
            source,
        });
        for op in ops {
            match op {
                ClauseOp::Add {
                    clause,
                    heading,
                    text,
                    ..
                } => {
                    self.clauses.insert(
                        *clause,
                        ClauseBlame {
                            heading: Attributed::new(heading.as_deref().unwrap_or(""), origin),
                            text: Attributed::new(text, origin),
                        },
                    );
                }
                ClauseOp::Reword {
                    clause,
                    heading,
                    text,
                    ..
                } => {
                    let c = self.clauses.entry(*clause).or_default();
                    c.heading.rewrite(heading.as_deref().unwrap_or(""), origin);
                    c.text.rewrite(text, origin);
                }
                ClauseOp::Remove { clause } => {
                    self.clauses.remove(clause);
                }
                ClauseOp::Move { .. } | ClauseOp::Relabel { .. } => {}
            }
        }
    }

    /// Whether the clause is in the text.
    pub fn contains(&self, clause: ClauseId) -> bool {
        self.clauses.contains_key(&clause)
    }

    /// The runs of a clause's text; see [`blame`].
    pub fn text_runs(&self, clause: ClauseId) -> Option<Vec<Run<'_>>> {
        blame(self, clause)
    }

    /// The runs of a clause's heading (empty when it has none).
    pub fn heading_runs(&self, clause: ClauseId) -> Option<Vec<Run<'_>>> {
        self.clauses
            .get(&clause)
            .map(|c| c.heading.runs(&self.origins))
    }

    /// Words of the whole text (headings and clause texts) by origin, oldest origin first.
    pub fn words_by_origin(&self) -> Vec<(&Origin, usize)> {
        let mut counts = HashMap::new();
        for c in self.clauses.values() {
            c.heading.count_into(&mut counts);
            c.text.count_into(&mut counts);
        }
        let mut out: Vec<(u32, usize)> = counts.into_iter().collect();
        out.sort_unstable();
        out.into_iter()
            .map(|(i, n)| (&self.origins[i as usize], n))
            .collect()
    }

    /// How many words the whole text has, counted run by run.
    pub fn words(&self) -> usize {
        self.words_by_origin().iter().map(|(_, n)| n).sum()
    }

    /// The words of the text by author, most words first (ties by the author's first
    /// origin).
    pub fn by_author(&self) -> Vec<AuthorShare<'_>> {
        let mut shares: Vec<AuthorShare> = Vec::new();
        for (origin, n) in self.words_by_origin() {
            match shares.iter_mut().find(|s| s.author == origin.author) {
                Some(s) => {
                    s.words += n;
                    s.sources.push((origin, n));
                }
                None => shares.push(AuthorShare {
                    author: origin.author,
                    words: n,
                    sources: vec![(origin, n)],
                }),
            }
        }
        // Stable: equal counts keep the order of first appearance.
        shares.sort_by_key(|s| std::cmp::Reverse(s.words));
        shares
    }

    /// How many words of the text were introduced by events up to sequence number `seq`:
    /// the words of an earlier version that survive into this one.
    pub fn words_up_to(&self, seq: u64) -> usize {
        self.words_by_origin()
            .iter()
            .filter(|(o, _)| o.seq <= seq)
            .map(|(_, n)| n)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::document::DocumentState;
    use crate::event::Change;
    use crate::ids::{DocumentId, EventId, StreamId};

    const SECRETARIAT: ParticipantId = ParticipantId(Uuid::from_u128(1));
    const CHAIR: ParticipantId = ParticipantId(Uuid::from_u128(2));
    const DOC: Uuid = Uuid::from_u128(9);

    fn delegate(i: u8) -> ParticipantId {
        ParticipantId(Uuid::from_u128(100 + i as u128))
    }

    fn clause(i: usize) -> ClauseId {
        ClauseId(Uuid::from_u128(1_000 + i as u128))
    }

    /// Events of one document, stamped in order.
    struct Log(Vec<RecordedEvent>);

    impl Log {
        fn new() -> Log {
            let mut log = Log(Vec::new());
            log.push(
                SECRETARIAT,
                Event::DocumentCreated {
                    document: DocumentId(DOC),
                    slug: "code".into(),
                    title: "Code".into(),
                },
            );
            log
        }

        fn push(&mut self, actor: ParticipantId, event: Event) {
            let n = self.0.len() as u64 + 1;
            self.0.push(RecordedEvent {
                seq: n,
                id: EventId(Uuid::from_u128(50_000 + n as u128)),
                stream: StreamId(DOC),
                version: n,
                recorded_at: Utc.timestamp_opt(1_200_000_000 + n as i64 * 60, 0).unwrap(),
                actor,
                schema: event.schema(),
                prev_hash: Default::default(),
                hash: Default::default(),
                event,
            });
        }

        fn revision(&mut self, ops: Vec<ClauseOp>) {
            let revision = self
                .0
                .iter()
                .filter(|e| matches!(e.event, Event::RevisionIssued { .. }))
                .count() as u32
                + 1;
            self.push(
                SECRETARIAT,
                Event::RevisionIssued {
                    title: None,
                    revision,
                    label: Some(format!("R{revision}")),
                    ops,
                },
            );
        }

        /// An amendment by `who` to reword `c`, proposed then decided.
        fn amend(&mut self, who: ParticipantId, c: ClauseId, text: &str, outcome: Outcome) {
            let amendment = AmendmentNo(
                self.0
                    .iter()
                    .filter(|e| matches!(e.event, Event::AmendmentProposed { .. }))
                    .count() as u32
                    + 1,
            );
            self.push(
                who,
                Event::AmendmentProposed {
                    amendment,
                    change: Change::Replace {
                        clause: c,
                        text: text.into(),
                    },
                    rationale: None,
                },
            );
            let ops = match outcome {
                Outcome::Rejected | Outcome::Deferred => vec![],
                _ => vec![ClauseOp::Reword {
                    kind: None,
                    notes: Vec::new(),
                    clause: c,
                    heading: None,
                    text: text.into(),
                }],
            };
            self.push(
                CHAIR,
                Event::DecisionRecorded {
                    amendment,
                    outcome,
                    method: Method::Consensus,
                    ops,
                },
            );
        }
    }

    fn add(i: usize, label: &str, text: &str) -> ClauseOp {
        ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: clause(i),
            parent: None,
            after: None,
            label: label.into(),
            heading: None,
            text: text.into(),
        }
    }

    fn reword(i: usize, text: &str) -> ClauseOp {
        ClauseOp::Reword {
            kind: None,
            notes: Vec::new(),
            clause: clause(i),
            heading: None,
            text: text.into(),
        }
    }

    /// The runs as (text, seq of the origin).
    fn runs(b: &Blame, i: usize) -> Vec<(String, u64)> {
        blame(b, clause(i))
            .expect("a live clause")
            .iter()
            .map(|r| (r.text.to_string(), r.origin.seq))
            .collect()
    }

    fn owned(runs: &[(&str, u64)]) -> Vec<(String, u64)> {
        runs.iter().map(|(t, s)| (t.to_string(), *s)).collect()
    }

    #[test]
    fn an_added_clause_is_all_its_revision() {
        let mut log = Log::new();
        log.revision(vec![add(
            1,
            "5.2",
            "States shall compensate source countries.",
        )]);
        let b = fold(&log.0);
        assert_eq!(
            runs(&b, 1),
            owned(&[("States shall compensate source countries.", 2)])
        );
        let r = &blame(&b, clause(1)).unwrap()[0];
        assert_eq!(r.origin.author, SECRETARIAT);
        assert_eq!(
            r.origin.source,
            Source::Revision {
                revision: 1,
                label: Some("R1".into())
            }
        );
        assert_eq!(r.words(), 5);
    }

    #[test]
    fn a_reword_keeps_the_kept_words_and_blames_the_new_ones() {
        let mut log = Log::new();
        log.revision(vec![add(
            1,
            "5.2",
            "States shall compensate source countries.",
        )]);
        log.revision(vec![reword(1, "States should assist source countries.")]);
        log.amend(
            delegate(1),
            clause(1),
            "States should assist developing source countries.",
            Outcome::AcceptedAsModified {
                text: "States should assist developing source countries.".into(),
            },
        );
        let b = fold(&log.0);
        assert_eq!(
            runs(&b, 1),
            owned(&[
                ("States ", 2),
                ("should assist", 3),
                (" ", 2),
                ("developing ", 5),
                ("source countries.", 2),
            ])
        );
        let runs = blame(&b, clause(1)).unwrap();
        let amended = runs[3].origin;
        assert_eq!(amended.author, delegate(1), "the proposer wrote it");
        assert_eq!(amended.actor, CHAIR, "the chair recorded it");
        assert_eq!(
            amended.source,
            Source::Amendment {
                amendment: AmendmentNo(1),
                outcome: Acceptance::AcceptedAsModified,
                method: Method::Consensus
            }
        );
        let text: String = runs.iter().map(|r| r.text).collect();
        assert_eq!(text, "States should assist developing source countries.");
    }

    #[test]
    fn blame_follows_the_clause_not_its_label_and_removal_drops_it() {
        let mut log = Log::new();
        log.revision(vec![
            add(1, "4.5", "Shall not actively recruit."),
            add(2, "4.6", "Fees are not charged."),
        ]);
        log.revision(vec![
            ClauseOp::Relabel {
                clause: clause(1),
                label: "5.3".into(),
            },
            ClauseOp::Move {
                clause: clause(1),
                parent: None,
                after: Some(clause(2)),
            },
            ClauseOp::Remove { clause: clause(2) },
        ]);
        let b = fold(&log.0);
        assert_eq!(runs(&b, 1), owned(&[("Shall not actively recruit.", 2)]));
        assert!(blame(&b, clause(2)).is_none());
        assert!(!b.contains(clause(2)));
    }

    #[test]
    fn headings_are_blamed_like_texts() {
        let mut log = Log::new();
        log.revision(vec![ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: clause(1),
            parent: None,
            after: None,
            label: "Article 5".into(),
            heading: Some("Mutuality of benefits".into()),
            text: String::new(),
        }]);
        log.revision(vec![ClauseOp::Reword {
            kind: None,
            notes: Vec::new(),
            clause: clause(1),
            heading: Some("Mutuality of obligations".into()),
            text: String::new(),
        }]);
        let b = fold(&log.0);
        let heading: Vec<(&str, u64)> = b
            .heading_runs(clause(1))
            .unwrap()
            .iter()
            .map(|r| (r.text, r.origin.seq))
            .collect();
        assert_eq!(heading, vec![("Mutuality of ", 2), ("obligations", 3)]);
        assert!(blame(&b, clause(1)).unwrap().is_empty());
        assert_eq!(b.words(), 3, "headings count in the summary");
    }

    #[test]
    fn rejected_amendments_write_nothing() {
        let mut log = Log::new();
        log.revision(vec![add(1, "1", "a b c")]);
        log.amend(delegate(1), clause(1), "a x c", Outcome::Rejected);
        let b = fold(&log.0);
        assert_eq!(runs(&b, 1), owned(&[("a b c", 2)]));
    }

    #[test]
    fn shares_and_survival() {
        let mut log = Log::new();
        log.revision(vec![
            add(1, "1", "one two three four"),
            add(2, "2", "five six"),
        ]);
        log.amend(
            delegate(1),
            clause(1),
            "one two seven eight",
            Outcome::Accepted,
        );
        log.amend(delegate(2), clause(2), "five nine", Outcome::Accepted);
        let b = fold(&log.0);
        assert_eq!(b.words(), 6);
        let shares: Vec<(ParticipantId, usize)> =
            b.by_author().iter().map(|s| (s.author, s.words)).collect();
        assert_eq!(
            shares,
            vec![(SECRETARIAT, 3), (delegate(1), 2), (delegate(2), 1)]
        );
        assert_eq!(
            b.words_up_to(2),
            3,
            "three words of the first draft survive"
        );
        assert_eq!(b.words_up_to(b.seq), 6);
    }

    // The property: the fold agrees with a naive recomputation from the events.

    const VOCAB: &[&str] = &[
        "States",
        "shall",
        "should",
        "compensate",
        "assist",
        "source",
        "countries",
        "health",
        "workers",
        "États",
        "5(1)(a)",
        ",",
        ";",
        ".",
        "the",
        "the",
        "of",
        "of",
    ];

    #[derive(Clone, Debug)]
    enum Step {
        /// A revision: rewords (at most once per clause), relabels, an addition, a removal.
        Revision {
            rewords: Vec<(usize, Vec<usize>)>,
            relabel: Option<usize>,
            add: Option<Vec<usize>>,
            remove: Option<usize>,
        },
        /// An amendment to reword a clause, and the decision on it.
        Amendment {
            target: usize,
            proposer: u8,
            words: Vec<usize>,
            outcome: u8,
        },
    }

    fn words() -> impl Strategy<Value = Vec<usize>> {
        prop::collection::vec(0..VOCAB.len(), 0..12)
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (
                prop::collection::vec((0..8usize, words()), 0..4),
                prop::option::of(0..8usize),
                prop::option::of(words()),
                prop::option::of(0..8usize),
            )
                .prop_map(|(rewords, relabel, add, remove)| Step::Revision {
                    rewords,
                    relabel,
                    add,
                    remove
                }),
            (0..8usize, 0..4u8, words(), 0..4u8).prop_map(|(target, proposer, words, outcome)| {
                Step::Amendment {
                    target,
                    proposer,
                    words,
                    outcome,
                }
            }),
        ]
    }

    fn sentence(words: &[usize]) -> String {
        words
            .iter()
            .map(|w| VOCAB[*w])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Turn steps into a valid log: targets index the clauses live at that step.
    fn history(first: Vec<Vec<usize>>, steps: Vec<Step>) -> Log {
        let mut log = Log::new();
        let mut next = 0usize;
        let mut live: Vec<usize> = Vec::new();
        let mut ops = Vec::new();
        for w in &first {
            ops.push(add(next, &format!("L{next}"), &sentence(w)));
            live.push(next);
            next += 1;
        }
        log.revision(ops);
        let mut relabels = 0;
        for s in steps {
            match s {
                Step::Revision {
                    rewords,
                    relabel,
                    add: added,
                    remove,
                } => {
                    let mut ops = Vec::new();
                    let mut touched = BTreeSet::new();
                    for (t, w) in rewords {
                        if live.is_empty() {
                            break;
                        }
                        let c = live[t % live.len()];
                        if touched.insert(c) {
                            ops.push(reword(c, &sentence(&w)));
                        }
                    }
                    if let (Some(t), false) = (relabel, live.is_empty()) {
                        relabels += 1;
                        ops.push(ClauseOp::Relabel {
                            clause: clause(live[t % live.len()]),
                            label: format!("M{relabels}"),
                        });
                    }
                    if let Some(w) = added {
                        ops.push(add(next, &format!("L{next}"), &sentence(&w)));
                        live.push(next);
                        next += 1;
                    }
                    if let (Some(t), false) = (remove, live.len() < 2) {
                        let c = live.remove(t % live.len());
                        ops.push(ClauseOp::Remove { clause: clause(c) });
                    }
                    if !ops.is_empty() {
                        log.revision(ops);
                    }
                }
                Step::Amendment {
                    target,
                    proposer,
                    words,
                    outcome,
                } => {
                    if live.is_empty() {
                        continue;
                    }
                    let text = sentence(&words);
                    let outcome = match outcome {
                        0 => Outcome::Accepted,
                        1 => Outcome::AcceptedAsModified { text: text.clone() },
                        2 => Outcome::Rejected,
                        _ => Outcome::Deferred,
                    };
                    log.amend(
                        delegate(proposer),
                        clause(live[target % live.len()]),
                        &text,
                        outcome,
                    );
                }
            }
        }
        log
    }

    /// The naive blame of every clause live after `k` events: replay the document to each
    /// earlier step, find each version of the clause's text from its first appearance, and
    /// re-diff version after version, attributing byte by byte. Runs as (text, seq, author).
    fn naive(states: &[DocumentState], log: &[RecordedEvent], k: usize) -> NaiveBlame {
        let mut out = BTreeMap::new();
        for (_, c) in states[k].outline() {
            let mut owner: Vec<(u64, ParticipantId)> = Vec::new();
            let mut text = String::new();
            for j in 0..=k {
                let Some(now) = states[j].clause(c.id) else {
                    continue;
                };
                let first = j == 0 || states[j - 1].clause(c.id).is_none();
                if !first && now.text == text {
                    continue;
                }
                let e = &log[j];
                let author = match &e.event {
                    Event::DecisionRecorded { amendment, .. } => {
                        states[j].amendments[amendment].proposer
                    }
                    _ => e.actor,
                };
                let who = (e.seq, author);
                let mut next = Vec::new();
                if first {
                    next.resize(now.text.len(), who);
                } else {
                    let mut at = 0;
                    for span in diff_text(&text, &now.text, Granularity::Words, None).spans {
                        let n = span.text.len();
                        match span.kind {
                            SpanKind::Equal => {
                                next.extend_from_slice(&owner[at..at + n]);
                                at += n;
                            }
                            SpanKind::Delete => at += n,
                            SpanKind::Insert => next.resize(next.len() + n, who),
                        }
                    }
                }
                owner = next;
                text = now.text.clone();
            }
            let mut runs: Vec<(String, u64, ParticipantId)> = Vec::new();
            for (i, ch) in text.char_indices() {
                let (seq, author) = owner[i];
                match runs.last_mut() {
                    Some(r) if r.1 == seq => r.0.push(ch),
                    _ => runs.push((ch.to_string(), seq, author)),
                }
            }
            out.insert(c.id, runs);
        }
        out
    }

    type NaiveBlame = BTreeMap<ClauseId, Vec<(String, u64, ParticipantId)>>;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn the_fold_agrees_with_a_naive_recomputation(
            first in prop::collection::vec(words(), 1..5),
            steps in prop::collection::vec(step(), 0..24),
        ) {
            let log = history(first, steps);
            let mut states = Vec::new();
            let mut state = DocumentState::created(&log.0[0]).unwrap();
            states.push(state.clone());
            for e in &log.0[1..] {
                state.evolve(e);
                states.push(state.clone());
            }
            let mut b = Blame::default();
            for (k, e) in log.0.iter().enumerate() {
                b.apply(e);
                prop_assert_eq!(&b, &fold(&log.0[..=k]));
                let expected = naive(&states, &log.0, k);
                let mut got: NaiveBlame = BTreeMap::new();
                for id in expected.keys() {
                    let runs = blame(&b, *id).expect("live in both");
                    got.insert(
                        *id,
                        runs.iter()
                            .map(|r| (r.text.to_string(), r.origin.seq, r.origin.author))
                            .collect(),
                    );
                }
                prop_assert_eq!(b.clauses.len(), expected.len());
                prop_assert_eq!(&got, &expected, "after event {}", k + 1);
                let total: usize = states[k]
                    .outline()
                    .iter()
                    .map(|(_, c)| count_words(&c.text))
                    .sum();
                prop_assert_eq!(b.words(), total);
            }
        }
    }
}
