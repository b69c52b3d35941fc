//! Pickaxe: the events that changed how many times a phrase occurs in the text, as
//! `git log -S` finds the commits that changed how many times a string occurs in the code.
//!
//! The text is every clause's label, heading and text; a phrase is counted inside each label,
//! each heading and each text (never across two of them), non-overlapping from left to right, case-sensitively
//! unless asked otherwise. Only events that carry clause operations (revisions and accepted
//! decisions) change the text, so only they can be found.
//!
//! [`Pickaxe`] folds a document's events keeping one count per clause: an event costs a
//! recount of the clauses it adds or rewords, never of the whole document, so a log of
//! comments, proposals and decisions on a long text is searched at the speed of reading it. A
//! revision stored in several parts is folded as one change ([`Pickaxe::step_parts`]).

use std::collections::{HashMap, HashSet};

use crate::event::{ClauseOp, Note, RecordedEvent};
use crate::ids::ClauseId;

/// The phrase searched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needle {
    phrase: String,
    ignore_case: bool,
}

impl Needle {
    /// A phrase to count, ignoring case (Unicode lower case) if asked. `None` for an empty
    /// phrase, which occurs everywhere and so tells nothing.
    pub fn new(phrase: &str, ignore_case: bool) -> Option<Needle> {
        if phrase.is_empty() {
            return None;
        }
        Some(Needle {
            phrase: if ignore_case {
                phrase.to_lowercase()
            } else {
                phrase.to_string()
            },
            ignore_case,
        })
    }

    /// The phrase as searched for (lower case when case is ignored).
    pub fn phrase(&self) -> &str {
        &self.phrase
    }

    /// How many times the phrase occurs in a text, counted without overlaps from the left.
    pub fn count(&self, haystack: &str) -> usize {
        if self.ignore_case {
            haystack.to_lowercase().matches(&self.phrase).count()
        } else {
            haystack.matches(&self.phrase).count()
        }
    }

    /// How many times the phrase occurs in a clause's heading, text and notes.
    pub fn count_clause(&self, heading: Option<&str>, text: &str, notes: &[Note]) -> usize {
        heading.map_or(0, |h| self.count(h))
            + self.count(text)
            + notes.iter().map(|n| self.count(&n.text)).sum::<usize>()
    }
}

/// How often the phrase occurred in one clause before and after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClauseCount {
    /// The clause.
    pub clause: ClauseId,
    /// Occurrences before the event (0 if the clause was not in the text).
    pub before: usize,
    /// Occurrences after it (0 if the clause left the text).
    pub after: usize,
}

/// How an event changed the occurrences of the phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counts {
    /// The event's global sequence number.
    pub seq: u64,
    /// Occurrences in the whole text before the event.
    pub before: usize,
    /// Occurrences in the whole text after it.
    pub after: usize,
    /// The clauses whose count changed, in the order the event's operations touch them.
    pub clauses: Vec<ClauseCount>,
}

impl Counts {
    /// Whether the count in the whole text changed: what `git log -S` reports. (A phrase
    /// moved from one clause to another changes two clauses' counts, not the text's.)
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// The count of one clause, if the event changed it.
    pub fn changed_in(&self, clause: ClauseId) -> Option<&ClauseCount> {
        self.clauses.iter().find(|c| c.clause == clause)
    }
}

/// A fold of a document's events that keeps, for each clause in the text, how many times the
/// phrase occurs in its label and in its heading and text.
#[derive(Clone, Debug)]
pub struct Pickaxe {
    needle: Needle,
    counts: HashMap<ClauseId, Occurrences>,
    removed: HashSet<ClauseId>,
    total: usize,
}

/// Occurrences in one clause: its label apart, which a relabelling changes alone.
#[derive(Clone, Copy, Debug, Default)]
struct Occurrences {
    label: usize,
    body: usize,
}

impl Occurrences {
    fn sum(self) -> usize {
        self.label + self.body
    }
}

impl Pickaxe {
    /// A fold that has seen no event: an empty text.
    pub fn new(needle: Needle) -> Pickaxe {
        Pickaxe {
            needle,
            counts: HashMap::new(),
            removed: HashSet::new(),
            total: 0,
        }
    }

    /// The phrase searched for.
    pub fn needle(&self) -> &Needle {
        &self.needle
    }

    /// Occurrences in the whole text, as folded so far.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Occurrences in one clause, label, heading and text (0 if it is not in the text).
    pub fn count_in(&self, clause: ClauseId) -> usize {
        self.counts.get(&clause).map_or(0, |o| o.sum())
    }

    /// Fold one more event (in stream order). `Some` when it changed the count of at least one
    /// clause; see [`Counts::changed`] for the whole text. Operations are taken as `decide`
    /// validated them; like `evolve`, one that could not apply (a clause added twice, a
    /// removed clause reworded) is passed over.
    pub fn step(&mut self, e: &RecordedEvent) -> Option<Counts> {
        self.step_parts(std::slice::from_ref(e))
    }

    /// Fold several events as one change (the parts of a revision stored in several, see
    /// [`crate::text_changes`]): the counts are those before the first and after the last, so
    /// the states between the parts give no hits. [`Counts::seq`] is the first event's.
    pub fn step_parts<E: std::borrow::Borrow<RecordedEvent>>(
        &mut self,
        events: &[E],
    ) -> Option<Counts> {
        let first = events.first()?.borrow().seq;
        let mut touched: Vec<(ClauseId, usize)> = Vec::new();
        let mut seen: HashSet<ClauseId> = HashSet::new();
        for e in events {
            self.apply(e.borrow(), &mut touched, &mut seen);
        }
        let before = self.total;
        let mut clauses = Vec::new();
        for (clause, was) in touched {
            let now = self.count_in(clause);
            if now != was {
                self.total = self.total - was + now;
                clauses.push(ClauseCount {
                    clause,
                    before: was,
                    after: now,
                });
            }
        }
        if clauses.is_empty() {
            return None;
        }
        Some(Counts {
            seq: first,
            before,
            after: self.total,
            clauses,
        })
    }

    /// Apply one event's operations to the clauses' counts (not yet to the total), noting in
    /// `touched` the count each clause had before its first change.
    fn apply(
        &mut self,
        e: &RecordedEvent,
        touched: &mut Vec<(ClauseId, usize)>,
        seen: &mut HashSet<ClauseId>,
    ) {
        for op in e.event.ops() {
            let id = op.clause();
            let now = self.counts.get(&id).copied();
            let new = match (op, now) {
                (
                    ClauseOp::Add {
                        label,
                        heading,
                        text,
                        notes,
                        ..
                    },
                    None,
                ) if !self.removed.contains(&id) => Some(Occurrences {
                    label: self.needle.count(label),
                    body: self.needle.count_clause(heading.as_deref(), text, notes),
                }),
                (
                    ClauseOp::Reword {
                        heading,
                        text,
                        notes,
                        ..
                    },
                    Some(o),
                ) => Some(Occurrences {
                    body: self.needle.count_clause(heading.as_deref(), text, notes),
                    ..o
                }),
                (ClauseOp::Relabel { label, .. }, Some(o)) => Some(Occurrences {
                    label: self.needle.count(label),
                    ..o
                }),
                (ClauseOp::Remove { .. }, Some(_)) => None,
                _ => continue,
            };
            if seen.insert(id) {
                touched.push((id, now.map_or(0, Occurrences::sum)));
            }
            match new {
                Some(n) => {
                    self.counts.insert(id, n);
                }
                None => {
                    self.counts.remove(&id);
                    self.removed.insert(id);
                }
            }
        }
    }
}

/// The text changes after which the phrase occurs a different number of times in the text
/// than before, in order: `git log -S`. `events` are one document's, in stream order, from its
/// creation (or only those that change its text); a revision stored in several parts is one
/// change, found by its first part.
pub fn pickaxe<'a>(
    events: impl IntoIterator<Item = &'a RecordedEvent>,
    needle: &Needle,
) -> Vec<Counts> {
    let mut fold = Pickaxe::new(needle.clone());
    crate::text_changes(events)
        .into_iter()
        .filter_map(|parts| fold.step_parts(&parts))
        .filter(Counts::changed)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::event::{Event, Hash, Method, Outcome};
    use crate::ids::{AmendmentNo, CommentNo, DocumentId, EventId, ParticipantId, StreamId};
    use crate::vocabulary::Position;
    use crate::DocumentState;

    const WORDS: &[&str] = &[
        "compensate",
        "compensation",
        "Compensation",
        "shall",
        "should",
        "source",
        "countries",
        "comp",
    ];
    const PHRASES: &[&str] = &[
        "compensat",
        "Compensat",
        "comp",
        "shall compensate",
        "countries",
        "should",
        "n c",
    ];

    fn recorded(seq: u64, event: Event) -> RecordedEvent {
        RecordedEvent {
            seq,
            id: EventId(Uuid::from_u128(seq as u128)),
            stream: StreamId(Uuid::from_u128(1)),
            version: seq,
            recorded_at: Utc.timestamp_opt(1_200_000_000 + seq as i64, 0).unwrap(),
            actor: ParticipantId(Uuid::from_u128(2)),
            schema: 1,
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event,
        }
    }

    fn created() -> RecordedEvent {
        recorded(
            1,
            Event::DocumentCreated {
                document: DocumentId(Uuid::from_u128(1)),
                slug: "doc".into(),
                title: "compensation".into(),
            },
        )
    }

    fn clause(n: u128) -> ClauseId {
        ClauseId(Uuid::from_u128(1000 + n))
    }

    fn revision(seq: u64, ops: Vec<ClauseOp>) -> RecordedEvent {
        recorded(
            seq,
            Event::RevisionIssued {
                title: None,
                revision: seq as u32,
                label: None,
                ops,
            },
        )
    }

    fn add(n: u128, heading: Option<&str>, text: &str) -> ClauseOp {
        ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: clause(n),
            parent: None,
            after: None,
            label: format!("L{n}"),
            heading: heading.map(str::to_string),
            text: text.into(),
        }
    }

    #[test]
    fn counts_occurrences_in_headings_and_texts() {
        let n = Needle::new("comp", false).unwrap();
        assert_eq!(n.count("compcomp comp"), 3);
        assert_eq!(n.count("Comp"), 0);
        assert_eq!(Needle::new("comp", true).unwrap().count("Comp COMP"), 2);
        assert_eq!(Needle::new("aa", false).unwrap().count("aaa"), 1);
        assert_eq!(n.count_clause(Some("comp"), "comp", &[]), 2);
        assert!(Needle::new("", false).is_none());
    }

    #[test]
    fn finds_the_events_that_changed_the_count() {
        let needle = Needle::new("compensat", false).unwrap();
        let events = vec![
            created(),
            revision(2, vec![add(1, None, "shall compensate"), add(2, None, "x")]),
            // Rewording without changing the count is not a hit.
            revision(
                3,
                vec![ClauseOp::Reword {
                    kind: None,
                    notes: Vec::new(),
                    clause: clause(1),
                    heading: None,
                    text: "should compensate".into(),
                }],
            ),
            // Moving the phrase from one clause to another changes two clauses, not the text.
            revision(
                4,
                vec![
                    ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause: clause(1),
                        heading: None,
                        text: "assist".into(),
                    },
                    ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause: clause(2),
                        heading: Some("Compensation".into()),
                        text: "compensation".into(),
                    },
                ],
            ),
            recorded(
                5,
                Event::CommentPosted {
                    question: None,
                    phase: None,
                    comment: CommentNo(1),
                    clause: Some(clause(2)),
                    position: Position::Oppose,
                    text: "compensation compensation".into(),
                    reply_to: None,
                    received: None,
                },
            ),
            recorded(
                6,
                Event::DecisionRecorded {
                    amendment: AmendmentNo(1),
                    outcome: Outcome::Accepted,
                    method: Method::Consensus,
                    ops: vec![ClauseOp::Remove { clause: clause(2) }],
                },
            ),
        ];
        let hits = pickaxe(&events, &needle);
        let seqs: Vec<(u64, usize, usize)> =
            hits.iter().map(|h| (h.seq, h.before, h.after)).collect();
        assert_eq!(seqs, [(2, 0, 1), (6, 1, 0)]);
        assert_eq!(
            hits[1].clauses,
            [ClauseCount {
                clause: clause(2),
                before: 1,
                after: 0
            }]
        );

        // Step by step, the moved phrase shows in the clauses it left and entered.
        let mut fold = Pickaxe::new(needle);
        let steps: Vec<Option<Counts>> = events.iter().map(|e| fold.step(e)).collect();
        let moved = steps[3].as_ref().expect("two clauses changed");
        assert!(!moved.changed());
        assert_eq!(moved.changed_in(clause(1)).map(|c| c.after), Some(0));
        assert_eq!(moved.changed_in(clause(2)).map(|c| c.after), Some(1));
        assert_eq!(fold.total(), 0);
    }

    #[test]
    fn headings_and_labels_are_searched_and_a_relabelling_can_be_a_hit() {
        let needle = Needle::new("312", false).unwrap();
        let heading = Needle::new("Anwendungsbereich", false).unwrap();
        let events = vec![
            created(),
            revision(2, vec![add(1, Some("Anwendungsbereich"), "Text.")]),
            revision(
                3,
                vec![ClauseOp::Relabel {
                    clause: clause(1),
                    label: "§ 312".into(),
                }],
            ),
            revision(
                4,
                vec![ClauseOp::Reword {
                    kind: None,
                    notes: Vec::new(),
                    clause: clause(1),
                    heading: Some("Geltungsbereich".into()),
                    text: "Text.".into(),
                }],
            ),
        ];
        let found = |n: &Needle| -> Vec<(u64, usize, usize)> {
            pickaxe(&events, n)
                .iter()
                .map(|h| (h.seq, h.before, h.after))
                .collect()
        };
        // The label: the relabelling brought the phrase in; the rewording of the heading kept
        // it.
        assert_eq!(found(&needle), [(3, 0, 1)]);
        // The heading: in with the clause, out with the new heading.
        assert_eq!(found(&heading), [(2, 0, 1), (4, 1, 0)]);
    }

    #[test]
    fn a_revision_in_parts_is_one_change_with_its_net_counts() {
        let needle = Needle::new("compensat", false).unwrap();
        let part = |seq, ops| {
            recorded(
                seq,
                Event::RevisionIssued {
                    title: None,
                    revision: 7,
                    label: Some("A/63/8".into()),
                    ops,
                },
            )
        };
        let reword = |n, text: &str| ClauseOp::Reword {
            kind: None,
            notes: Vec::new(),
            clause: clause(n),
            heading: None,
            text: text.into(),
        };
        let events = vec![
            created(),
            revision(2, vec![add(1, None, "compensate"), add(2, None, "x")]),
            // Part one removes the phrase from clause 1, part two puts it in clause 2: between
            // them the text has none, but the revision as a whole changes nothing.
            part(3, vec![reword(1, "assist")]),
            part(4, vec![reword(2, "compensate")]),
            // Part one adds one, part two adds another: one hit, 1 → 3.
            recorded(
                5,
                Event::RevisionIssued {
                    title: None,
                    revision: 8,
                    label: None,
                    ops: vec![reword(1, "compensate")],
                },
            ),
            recorded(
                6,
                Event::RevisionIssued {
                    title: None,
                    revision: 8,
                    label: None,
                    ops: vec![add(3, None, "compensation")],
                },
            ),
        ];
        let hits = pickaxe(&events, &needle);
        let seqs: Vec<(u64, usize, usize)> =
            hits.iter().map(|h| (h.seq, h.before, h.after)).collect();
        assert_eq!(seqs, [(2, 0, 1), (5, 1, 3)]);
        let mut clauses = hits[1].clauses.clone();
        clauses.sort_by_key(|c| c.clause);
        assert_eq!(
            clauses,
            [
                ClauseCount {
                    clause: clause(1),
                    before: 0,
                    after: 1
                },
                ClauseCount {
                    clause: clause(3),
                    before: 0,
                    after: 1
                }
            ]
        );
        // Folded part by part instead, the parts of revision 7 are two false hits.
        let mut fold = Pickaxe::new(needle);
        let one_by_one: Vec<u64> = events
            .iter()
            .filter_map(|e| fold.step(e))
            .filter(Counts::changed)
            .map(|c| c.seq)
            .collect();
        assert_eq!(one_by_one, [2, 3, 4, 5, 6]);
    }

    // -----------------------------------------------------------------------------------------
    // Property: on random histories, pickaxe returns exactly the events whose before and after
    // counts over the whole text differ, recounted naively from the folded state.
    // -----------------------------------------------------------------------------------------

    #[derive(Clone, Debug)]
    enum Step {
        Add {
            heading: Option<Vec<usize>>,
            words: Vec<usize>,
        },
        Reword {
            pick: usize,
            heading: Option<Vec<usize>>,
            words: Vec<usize>,
        },
        Remove {
            pick: usize,
        },
        Move {
            pick: usize,
            after: usize,
        },
        Relabel {
            pick: usize,
        },
    }

    fn words() -> impl Strategy<Value = Vec<usize>> {
        prop::collection::vec(0..WORDS.len(), 0..6)
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (prop::option::of(words()), words())
                .prop_map(|(heading, words)| Step::Add { heading, words }),
            4 => (any::<usize>(), prop::option::of(words()), words())
                .prop_map(|(pick, heading, words)| Step::Reword { pick, heading, words }),
            2 => any::<usize>().prop_map(|pick| Step::Remove { pick }),
            1 => (any::<usize>(), any::<usize>()).prop_map(|(pick, after)| Step::Move { pick, after }),
            1 => any::<usize>().prop_map(|pick| Step::Relabel { pick }),
        ]
    }

    fn join(words: &[usize]) -> String {
        words
            .iter()
            .map(|w| WORDS[*w])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Turn random steps into a valid history: the steps are read against the clauses in the
    /// text, so every operation applies.
    fn history(events: &[(u8, Vec<Step>)]) -> Vec<RecordedEvent> {
        let mut live: Vec<ClauseId> = Vec::new();
        let mut next = 0u128;
        let mut out = vec![created()];
        for (kind, steps) in events {
            let seq = out.len() as u64 + 1;
            let mut ops = Vec::new();
            // Only revisions and decisions (kinds 0 and 1) carry operations.
            let steps = if kind % 4 < 2 { &steps[..] } else { &[] };
            for s in steps {
                next += 1;
                match s {
                    Step::Add { heading, words } => {
                        let id = clause(next);
                        ops.push(ClauseOp::Add {
                            kind: None,
                            notes: Vec::new(),
                            clause: id,
                            parent: None,
                            after: live.last().copied(),
                            label: format!("L{next}"),
                            heading: heading.as_deref().map(join),
                            text: join(words),
                        });
                        live.push(id);
                    }
                    _ if live.is_empty() => {}
                    Step::Reword {
                        pick,
                        heading,
                        words,
                    } => ops.push(ClauseOp::Reword {
                        kind: None,
                        notes: Vec::new(),
                        clause: live[pick % live.len()],
                        heading: heading.as_deref().map(join),
                        text: join(words),
                    }),
                    Step::Remove { pick } => {
                        let id = live.remove(pick % live.len());
                        ops.push(ClauseOp::Remove { clause: id });
                    }
                    Step::Move { pick, after } => {
                        let id = live[pick % live.len()];
                        let others: Vec<ClauseId> =
                            live.iter().copied().filter(|c| *c != id).collect();
                        let after = (after % (others.len() + 1))
                            .checked_sub(1)
                            .map(|i| others[i]);
                        ops.push(ClauseOp::Move {
                            clause: id,
                            parent: None,
                            after,
                        });
                    }
                    Step::Relabel { pick } => ops.push(ClauseOp::Relabel {
                        clause: live[pick % live.len()],
                        label: format!("R{next}"),
                    }),
                }
            }
            let event = match kind % 4 {
                0 => Event::RevisionIssued {
                    title: None,
                    revision: seq as u32,
                    label: None,
                    ops,
                },
                1 => Event::DecisionRecorded {
                    amendment: AmendmentNo(1),
                    outcome: Outcome::Accepted,
                    method: Method::Consensus,
                    ops,
                },
                2 => Event::CommentPosted {
                    question: None,
                    phase: None,
                    comment: CommentNo(seq as u32),
                    clause: live.first().copied(),
                    position: Position::Neutral,
                    text: "compensation should".into(),
                    reply_to: None,
                    received: None,
                },
                _ => Event::TagSet {
                    name: format!("compensation-{seq}"),
                    seq,
                },
            };
            out.push(recorded(seq, event));
        }
        out
    }

    fn naive_total(state: &DocumentState, needle: &Needle) -> usize {
        state
            .outline()
            .iter()
            .map(|(_, c)| {
                needle.count(&c.label)
                    + needle.count_clause(c.heading.as_deref(), &c.text, &c.notes)
            })
            .sum()
    }

    fn naive_clause(state: &DocumentState, id: ClauseId, needle: &Needle) -> usize {
        state.clause(id).map_or(0, |c| {
            needle.count(&c.label) + needle.count_clause(c.heading.as_deref(), &c.text, &c.notes)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn pickaxe_finds_exactly_the_events_whose_counts_differ(
            events in prop::collection::vec((any::<u8>(), prop::collection::vec(step(), 0..5)), 0..30),
            phrase in prop::sample::select(PHRASES),
            ignore_case in any::<bool>(),
        ) {
            let log = history(&events);
            let needle = Needle::new(phrase, ignore_case).unwrap();

            let mut state = DocumentState::created(&log[0]).unwrap();
            let mut expected = Vec::new();
            let mut fold = Pickaxe::new(needle.clone());
            prop_assert_eq!(fold.step(&log[0]), None);
            for e in &log[1..] {
                let before = state.clone();
                state.evolve(e);
                let (b, a) = (naive_total(&before, &needle), naive_total(&state, &needle));
                if b != a {
                    expected.push((e.seq, b, a));
                }
                // Clause by clause too: the step lists exactly the clauses whose count changed.
                let mut ids: Vec<ClauseId> = before.outline().iter().map(|(_, c)| c.id)
                    .chain(state.outline().iter().map(|(_, c)| c.id))
                    .collect();
                ids.sort();
                ids.dedup();
                let mut changed: Vec<ClauseCount> = ids.into_iter()
                    .map(|id| ClauseCount {
                        clause: id,
                        before: naive_clause(&before, id, &needle),
                        after: naive_clause(&state, id, &needle),
                    })
                    .filter(|c| c.before != c.after)
                    .collect();
                let mut stepped = fold.step(e).map(|c| c.clauses).unwrap_or_default();
                changed.sort_by_key(|c| c.clause);
                stepped.sort_by_key(|c| c.clause);
                prop_assert_eq!(stepped, changed, "event {}", e.seq);
                prop_assert_eq!(fold.total(), a);
            }
            let found: Vec<(u64, usize, usize)> = pickaxe(&log, &needle)
                .iter()
                .map(|h| (h.seq, h.before, h.after))
                .collect();
            prop_assert_eq!(found, expected);
        }
    }
}
