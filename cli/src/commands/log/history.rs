//! The fold `log` and `replay` share: a document's stream read a change at a time (a revision
//! stored in several parts is one change), each told with the labels the text had just before
//! it, and its effect on the clauses it touched (old and new label, word diff of heading and
//! text).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;
use travaux_core::diff::{diff_text, Granularity, Span, SpanKind, TextDiff};
use travaux_core::{
    same_revision, Amendment, AmendmentNo, AmendmentStatus, BracketStatus, ClauseId, ClauseOp,
    DocumentId, DocumentState, Event, Outcome, RecordedEvent, StreamId,
};
use travaux_store::{Store, StoreError, Walk};

use super::DIFF_BUDGET;
use crate::error::CliResult;
use crate::render::{self, Names};

/// A document's events read a change at a time: one event, or every part of a revision stored
/// in several (appended together, so one after the other).
pub(super) struct Changes<I> {
    events: I,
    next: Option<RecordedEvent>,
}

impl<I: Iterator<Item = Result<RecordedEvent, StoreError>>> Changes<I> {
    pub(super) fn new(events: I) -> Changes<I> {
        Changes { events, next: None }
    }

    pub(super) fn next_change(&mut self) -> Result<Option<Vec<RecordedEvent>>, StoreError> {
        let first = match self.next.take() {
            Some(e) => e,
            None => match self.events.next() {
                Some(e) => e?,
                None => return Ok(None),
            },
        };
        let mut parts = vec![first];
        for e in self.events.by_ref() {
            let e = e?;
            if same_revision(&parts[0], &e) {
                parts.push(e);
            } else {
                self.next = Some(e);
                break;
            }
        }
        Ok(Some(parts))
    }
}

/// A change as one event: the first part, with the operations of all the parts.
pub(super) fn merged(parts: &[RecordedEvent]) -> Cow<'_, RecordedEvent> {
    if parts.len() == 1 {
        return Cow::Borrowed(&parts[0]);
    }
    let mut one = parts[0].clone();
    if let Event::RevisionIssued { ops, .. } = &mut one.event {
        for p in &parts[1..] {
            ops.extend(p.event.ops().iter().cloned());
        }
    }
    Cow::Owned(one)
}

/// What became of the amendment an event is about (`status`, as it stands at the head), in
/// brackets after the event (`[rejected]`, `[withdrawn]`, `[pending]`), unless this event sealed
/// it.
fn fate_of(e: &RecordedEvent, status: Option<&AmendmentStatus>) -> String {
    let Some(status) = status else {
        return String::new();
    };
    let sealed_here = match status {
        AmendmentStatus::Decided { seq, .. } | AmendmentStatus::Withdrawn { seq } => *seq == e.seq,
        AmendmentStatus::Deferred => matches!(
            &e.event,
            Event::DecisionRecorded {
                outcome: Outcome::Deferred,
                ..
            }
        ),
        AmendmentStatus::Pending => false,
    };
    if sealed_here {
        String::new()
    } else {
        format!(" [{}]", status.name())
    }
}

/// The fates of the amendments the events told are about, read one by one from the store (a
/// long log need not load every amendment of the document) and kept as their status only, so
/// that telling a long history holds a few bytes per amendment.
struct Fates<'s> {
    store: &'s Store,
    doc: DocumentId,
    known: HashMap<AmendmentNo, Option<AmendmentStatus>>,
}

impl<'s> Fates<'s> {
    fn new(store: &'s Store, doc: DocumentId) -> Fates<'s> {
        Fates {
            store,
            doc,
            known: HashMap::new(),
        }
    }

    /// The status at the head of the amendment `e` is about.
    fn status(&mut self, e: &RecordedEvent) -> CliResult<Option<&AmendmentStatus>> {
        let Some(no) = e.event.amendment() else {
            return Ok(None);
        };
        if !self.known.contains_key(&no) {
            // A decision or a withdrawal that closes the amendment says its fate itself.
            let status = match AmendmentStatus::sealed_by(e) {
                Some(sealed) => Some(sealed),
                None => self.store.amendment(self.doc, no)?.map(|a| a.status),
            };
            self.known.insert(no, status);
        }
        Ok(self.known[&no].as_ref())
    }

    /// The amendment `e` is about, read whole from the store (its status kept as the fates
    /// do), for a fold that needs more than its status.
    fn read(&mut self, e: &RecordedEvent) -> CliResult<Option<Amendment>> {
        let Some(no) = e.event.amendment() else {
            return Ok(None);
        };
        let a = self.store.amendment(self.doc, no)?;
        self.known.insert(no, a.as_ref().map(|a| a.status.clone()));
        Ok(a)
    }

    /// What became of the amendment `e` is about, if it is not `e` itself that sealed it.
    fn of(&mut self, e: &RecordedEvent) -> CliResult<String> {
        Ok(fate_of(e, self.status(e)?))
    }
}

/// What one text change did to one clause.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ClauseEffect {
    /// The clause.
    pub clause: ClauseId,
    /// How it was named before the event (its address: its label, or as much of its path as
    /// tells it apart, `5.1 (b)`); `None` if the event added it.
    pub old_label: Option<String>,
    /// How it is named after the event; `None` if the event removed it.
    pub new_label: Option<String>,
    /// What happened: added, removed, moved, renumbered, reworded.
    pub changes: Vec<&'static str>,
    /// The heading's diff, if the heading changed (whole, for an added or removed clause).
    pub heading: Option<TextDiff>,
    /// The text's diff, if the text changed (whole, for an added or removed clause).
    pub text: Option<TextDiff>,
}

/// A clause as it stood, for comparing before and after an event.
struct Snapshot {
    label: String,
    /// How it was named then (see [`render::label`]).
    address: String,
    heading: Option<String>,
    text: String,
    parent: Option<ClauseId>,
}

fn snapshot(state: &DocumentState, id: ClauseId, address: Option<&String>) -> Option<Snapshot> {
    state.clause(id).map(|c| Snapshot {
        label: c.label.clone(),
        address: address.cloned().unwrap_or_else(|| c.label.clone()),
        heading: c.heading.clone(),
        text: c.text.clone(),
        parent: c.parent,
    })
}

/// What happened to a clause between two versions, in words, without diffing its text: added,
/// removed, moved, renumbered, reworded.
fn changes_between(
    old: Option<&Snapshot>,
    new: Option<&Snapshot>,
    moved: bool,
) -> Vec<&'static str> {
    match (old, new) {
        (None, None) => Vec::new(),
        (None, Some(_)) => vec!["added"],
        (Some(_), None) => vec!["removed"],
        (Some(o), Some(n)) => {
            let mut changes = Vec::new();
            if moved || o.parent != n.parent {
                changes.push("moved");
            }
            if o.label != n.label {
                changes.push("renumbered");
            }
            if o.heading != n.heading || o.text != n.text {
                changes.push("reworded");
            }
            changes
        }
    }
}

/// The whole of a text as one inserted or deleted span.
fn whole(kind: SpanKind, text: &str) -> TextDiff {
    TextDiff {
        spans: vec![Span {
            kind,
            text: text.to_string(),
        }],
        approximated: false,
    }
}

/// The diff between two versions of a clause, `None` for a side where it does not exist.
fn compare(
    clause: ClauseId,
    old: Option<&Snapshot>,
    new: Option<&Snapshot>,
    moved: bool,
    deadline: Instant,
) -> Option<ClauseEffect> {
    let changes = changes_between(old, new, moved);
    if changes.is_empty() {
        return None;
    }
    let (heading, text) = match (old, new) {
        (None, None) => return None,
        (None, Some(n)) => (
            n.heading.as_deref().map(|h| whole(SpanKind::Insert, h)),
            (!n.text.is_empty()).then(|| whole(SpanKind::Insert, &n.text)),
        ),
        (Some(o), None) => (
            o.heading.as_deref().map(|h| whole(SpanKind::Delete, h)),
            (!o.text.is_empty()).then(|| whole(SpanKind::Delete, &o.text)),
        ),
        (Some(o), Some(n)) => {
            let heading = (o.heading != n.heading).then(|| {
                diff_text(
                    o.heading.as_deref().unwrap_or(""),
                    n.heading.as_deref().unwrap_or(""),
                    Granularity::Words,
                    Some(deadline),
                )
            });
            let text = (o.text != n.text)
                .then(|| diff_text(&o.text, &n.text, Granularity::Words, Some(deadline)));
            (heading, text)
        }
    };
    Some(ClauseEffect {
        clause,
        old_label: old.map(|o| o.address.clone()),
        new_label: new.map(|n| n.address.clone()),
        changes,
        heading,
        text,
    })
}

/// One event as the fold tells it.
pub(crate) struct Step {
    /// The event in words, with labels as they stood just before it.
    pub told: String,
    /// What it did to each clause it touched (only when asked for), in the order of its
    /// operations.
    pub effects: Vec<ClauseEffect>,
    /// For a proposal (when effects are asked for): the wording it proposes, as a diff against
    /// the clause as it stood.
    pub proposal: Option<ClauseEffect>,
    /// The label, just before the event, of the clause a comment or a proposal is about.
    pub label: Option<String>,
}

/// A document's stream, told event by event: the events asked about, in order, each with the
/// document as it stood just before it, and the fate of the amendment each is about.
pub(crate) struct History<'s> {
    states: States<'s>,
    fates: Fates<'s>,
}

/// Where [`History`] finds the document before an event.
enum States<'s> {
    /// Any events of the stream: a [`Walk`], which skips from snapshot to snapshot over long
    /// stretches that are not told.
    Walk(Walk<'s>),
    /// Only the events that change the text, every one of them: their own fold, which holds
    /// the text as they left it (clauses, labels, wording); the rest of the document is not
    /// kept. A decision is told from its event alone (its fate too: it seals its amendment),
    /// but for the bracket an accepted alternative resolves: while one of those is told, the
    /// fold holds the amendment, read from the store.
    Text {
        state: Option<DocumentState>,
        /// The amendments whose acceptance resolved a bracket, from the head's brackets (a
        /// resolved bracket stays so).
        alternatives: HashSet<AmendmentNo>,
    },
}

impl<'s> History<'s> {
    /// Before the document's first event.
    pub fn new(store: &'s Store, doc: DocumentId) -> History<'s> {
        History {
            states: States::Walk(store.walk(doc)),
            fates: Fates::new(store, doc),
        }
    }

    /// Before the document's first event, for telling only events that change the text, when
    /// every one of them is passed or told in order (see [`Store::text_events`]).
    pub fn text_changes(store: &'s Store, head: &DocumentState) -> CliResult<History<'s>> {
        let mut state = None;
        for created in store.stream_between(StreamId::document(head.id), 1, 1) {
            DocumentState::fold(&mut state, &created?);
        }
        let alternatives = head
            .process
            .brackets
            .values()
            .filter_map(|b| match b.status {
                BracketStatus::Resolved { amendment, .. } => Some(amendment),
                _ => None,
            })
            .collect();
        Ok(History {
            states: States::Text {
                state,
                alternatives,
            },
            fates: Fates::new(store, head.id),
        })
    }

    /// The document just before `e` (an event later than any told).
    pub fn before(&mut self, e: &RecordedEvent) -> CliResult<&mut Option<DocumentState>> {
        match &mut self.states {
            States::Walk(walk) => Ok(walk.before(e)?),
            States::Text {
                state,
                alternatives,
            } => {
                if let Some(s) = state.as_mut() {
                    // The amendments decided by the events before: done with.
                    s.amendments.retain(|_, a| a.status.is_open());
                    let wanted = e
                        .event
                        .amendment()
                        .filter(|no| alternatives.contains(no) && !s.amendments.contains_key(no));
                    if wanted.is_some() {
                        if let Some(a) = self.fates.read(e)? {
                            s.amendments.insert(a.no, a);
                        }
                    }
                }
                Ok(state)
            }
        }
    }

    /// Pass over `e` without telling it.
    pub fn pass(&mut self, e: &RecordedEvent) {
        match &mut self.states {
            States::Walk(walk) => walk.pass(e),
            States::Text { state, .. } => DocumentState::fold(state, e),
        }
    }

    /// The status at the head of the amendment `e` is about.
    pub fn status(&mut self, e: &RecordedEvent) -> CliResult<Option<&AmendmentStatus>> {
        self.fates.status(e)
    }

    /// What became of the amendment `e` is about (see [`Fates::of`]).
    pub fn fate(&mut self, e: &RecordedEvent) -> CliResult<String> {
        self.fates.of(e)
    }

    /// Tell the next event asked about (later than the last); with `effects`, note the clauses
    /// it touched before and after it, but leave the diffs to [`Prepared::diffs`]: they need
    /// nothing more from the history, so another thread can work them out while this one goes
    /// on to the next event.
    pub fn prepare(
        &mut self,
        e: &RecordedEvent,
        names: &Names,
        effects: bool,
    ) -> CliResult<Prepared> {
        self.prepare_parts(std::slice::from_ref(e), names, effects)
    }

    /// Tell the next change asked about as [`History::prepare`] does, a revision stored in
    /// several parts (all its parts, in order) as one.
    pub fn prepare_parts(
        &mut self,
        parts: &[RecordedEvent],
        names: &Names,
        effects: bool,
    ) -> CliResult<Prepared> {
        let e = &parts[0];
        let slot = self.before(e)?;
        let Some(state) = slot else {
            *slot = DocumentState::created(e);
            let told = match slot {
                Some(s) => render::event(e, s, names),
                None => e.event.kind().to_string(),
            };
            return Ok(Prepared::without_diffs(told, None));
        };
        let told = render::event(&merged(parts), state, names);
        let about = match &e.event {
            Event::CommentPosted { clause, .. } => *clause,
            Event::AmendmentProposed { change, .. } => Some(change.clause()),
            _ => None,
        };
        let label = about
            .filter(|id| state.label_of(*id).is_some())
            .map(|id| render::label(state, id));
        let proposal = if effects { proposal(e, state) } else { None };
        let ops: Vec<&ClauseOp> = parts.iter().flat_map(|p| p.event.ops()).collect();
        if !effects || ops.is_empty() {
            for p in parts {
                state.evolve(p);
            }
            return Ok(Prepared {
                proposal,
                ..Prepared::without_diffs(told, label)
            });
        }
        let mut seen = HashSet::new();
        let ids: Vec<ClauseId> = ops
            .iter()
            .map(|op| op.clause())
            .filter(|id| seen.insert(*id))
            .collect();
        let named = render::addresses(
            state,
            ids.iter().copied().filter(|id| state.clause(*id).is_some()),
        );
        let before: Vec<(ClauseId, Option<Snapshot>)> = ids
            .iter()
            .map(|id| (*id, snapshot(state, *id, named.get(id))))
            .collect();
        for p in parts {
            state.evolve(p);
        }
        let named = render::addresses(
            state,
            ids.iter().copied().filter(|id| state.clause(*id).is_some()),
        );
        let effects = before
            .into_iter()
            .map(|(id, old)| {
                let moved = ops
                    .iter()
                    .any(|op| matches!(op, ClauseOp::Move { clause, .. } if *clause == id));
                Versions {
                    clause: id,
                    old,
                    new: snapshot(state, id, named.get(&id)),
                    moved,
                }
            })
            .collect();
        Ok(Prepared {
            told,
            label,
            effects,
            proposal,
        })
    }
}

/// A clause before and after an event (or as an amendment would have it), to be compared.
pub(crate) struct Versions {
    pub(crate) clause: ClauseId,
    old: Option<Snapshot>,
    new: Option<Snapshot>,
    moved: bool,
}

impl Versions {
    /// What happened to the clause, in words (see [`changes_between`]).
    pub(crate) fn changes(&self) -> Vec<&'static str> {
        changes_between(self.old.as_ref(), self.new.as_ref(), self.moved)
    }

    /// How the clause is named: `6.4 → 7.4` when renumbered, its name before or after.
    pub(crate) fn name(&self) -> String {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) if o.label != n.label => format!("{} → {}", o.address, n.address),
            (_, Some(n)) => n.address.clone(),
            (Some(o), None) => o.address.clone(),
            (None, None) => self.clause.short(),
        }
    }

    fn compare(&self, deadline: Instant) -> Option<ClauseEffect> {
        compare(
            self.clause,
            self.old.as_ref(),
            self.new.as_ref(),
            self.moved,
            deadline,
        )
    }
}

/// One event told, its diffs not yet worked out (see [`History::prepare`]).
pub(crate) struct Prepared {
    told: String,
    label: Option<String>,
    effects: Vec<Versions>,
    proposal: Option<Versions>,
}

impl Prepared {
    fn without_diffs(told: String, label: Option<String>) -> Prepared {
        Prepared {
            told,
            label,
            effects: Vec::new(),
            proposal: None,
        }
    }

    /// The event in words, as [`Step::told`].
    pub fn told(&self) -> &str {
        &self.told
    }

    /// The clauses the change touched, before and after it (only when effects were asked for).
    pub(crate) fn versions(&self) -> impl Iterator<Item = &Versions> {
        self.effects.iter()
    }

    /// The diffs of the clauses `keep` keeps, within one budget for the event.
    pub fn diffs_where(&self, keep: impl Fn(ClauseId) -> bool) -> Vec<ClauseEffect> {
        let deadline = Instant::now() + DIFF_BUDGET;
        self.effects
            .iter()
            .filter(|v| keep(v.clause))
            .filter_map(|v| v.compare(deadline))
            .collect()
    }

    /// The label of the clause a comment or proposal is about, as [`Step::label`].
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The diffs, as [`Step::effects`] and [`Step::proposal`], within one budget for the event
    /// (leaving the event as it is: the thread that made it can free it).
    pub fn diffs(&self) -> (Vec<ClauseEffect>, Option<ClauseEffect>) {
        let deadline = Instant::now() + DIFF_BUDGET;
        (
            self.effects
                .iter()
                .filter_map(|v| v.compare(deadline))
                .collect(),
            self.proposal.as_ref().and_then(|v| v.compare(deadline)),
        )
    }
}

/// What a proposed amendment would do to the text as it stands when proposed.
fn proposal(e: &RecordedEvent, state: &DocumentState) -> Option<Versions> {
    let Event::AmendmentProposed { change, .. } = &e.event else {
        return None;
    };
    use travaux_core::Change;
    let old = snapshot(
        state,
        change.clause(),
        Some(&render::label(state, change.clause())),
    );
    let new = match change {
        Change::Replace { text, .. } => old.as_ref().map(|o| Snapshot {
            label: o.label.clone(),
            address: o.address.clone(),
            heading: o.heading.clone(),
            text: text.clone(),
            parent: o.parent,
        }),
        Change::Insert {
            parent,
            label,
            text,
            ..
        } => Some(Snapshot {
            label: label.clone(),
            address: label.clone(),
            heading: None,
            text: text.clone(),
            parent: *parent,
        }),
        Change::Words { edit, .. } => {
            let o = old.as_ref()?;
            Some(Snapshot {
                label: o.label.clone(),
                address: o.address.clone(),
                heading: o.heading.clone(),
                text: edit.apply(&o.text).ok()?.text(),
                parent: o.parent,
            })
        }
        Change::Delete { .. } => None,
        Change::Move { .. } => return None,
        Change::Alternative { bracket, text, .. } => {
            let span = &state.process.brackets.get(bracket)?.span;
            old.as_ref().map(|o| Snapshot {
                label: o.label.clone(),
                address: o.address.clone(),
                heading: o.heading.clone(),
                text: o.text.replacen(span.as_str(), text, 1),
                parent: o.parent,
            })
        }
    };
    Some(Versions {
        clause: change.clause(),
        old,
        new,
        moved: false,
    })
}

/// A clause's effect for people: a header with its label(s) and what happened (after `verb`,
/// such as "would be " for a proposal), then the heading's and the text's word diffs, indented
/// under the event.
pub(crate) fn effect_lines(f: &ClauseEffect, color: bool, verb: &str) -> Vec<String> {
    const HEAD: &str = "        ";
    const BODY: &str = "          ";
    let label = match (&f.old_label, &f.new_label) {
        (Some(o), Some(n)) if o != n => format!("{o} → {n}"),
        (Some(l), _) | (None, Some(l)) => l.clone(),
        (None, None) => f.clause.short(),
    };
    let mut out = vec![format!("{HEAD}{label}  {verb}{}", f.changes.join(", "))];
    if let Some(h) = &f.heading {
        out.push(format!(
            "{BODY}heading: {}",
            render::spans_inline(&h.spans, color)
        ));
    }
    if let Some(t) = &f.text {
        for l in render::spans_inline(&t.spans, color).lines() {
            out.push(format!("{BODY}{l}"));
        }
    }
    if [&f.heading, &f.text]
        .iter()
        .any(|d| d.as_ref().is_some_and(|d| d.approximated))
    {
        out.push(format!(
            "{BODY}(diff approximated: the time allowed for diffs ran out)"
        ));
    }
    out
}
