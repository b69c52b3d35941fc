//! What `log --clause` covers (a clause and everything under it) and how it tells a change:
//! what the change did to those clauses.

use std::collections::HashSet;

use travaux_core::pickaxe::{Counts, Pickaxe};
use travaux_core::{ClauseId, ClauseOp, DocumentState, Event, RecordedEvent};

use super::Prepared;

/// The clause `log --clause` asks about and everything under it: the clauses under it now (at
/// the head), and any clause that was under it when an event touched it (since removed or moved
/// out).
pub(crate) struct Scope {
    root: ClauseId,
    now: HashSet<ClauseId>,
}

impl Scope {
    pub(crate) fn new(head: &DocumentState, root: ClauseId) -> Scope {
        Scope {
            root,
            now: head.subtree(root).into_iter().collect(),
        }
    }

    /// Whether a clause is in the scope now, or was in `state` (the document just before an
    /// event).
    fn holds(&self, id: ClauseId, state: &DocumentState) -> bool {
        if self.now.contains(&id) {
            return true;
        }
        let mut at = Some(id);
        while let Some(c) = at {
            if c == self.root {
                return true;
            }
            at = state.clause(c).and_then(|c| c.parent);
        }
        false
    }

    /// The clauses of the scope a change (its parts) is about, `state` the document just
    /// before it: those its operations touch (a clause added or moved under a clause of the
    /// scope included), the clause its amendment, comment, agreement or bracket is about.
    pub(crate) fn touched(
        &self,
        parts: &[RecordedEvent],
        state: &DocumentState,
    ) -> HashSet<ClauseId> {
        let mut out = HashSet::new();
        for e in parts {
            for op in e.event.ops() {
                let id = op.clause();
                let placed_under = match op {
                    ClauseOp::Add {
                        parent: Some(p), ..
                    }
                    | ClauseOp::Move {
                        parent: Some(p), ..
                    } => out.contains(p) || self.holds(*p, state),
                    _ => false,
                };
                if placed_under || self.holds(id, state) {
                    out.insert(id);
                }
            }
            let about = match &e.event {
                Event::AmendmentProposed { change, .. } => Some(change),
                Event::AmendmentSupported { amendment }
                | Event::AmendmentOpposed { amendment }
                | Event::AmendmentWithdrawn { amendment }
                | Event::DecisionRecorded { amendment, .. } => {
                    state.amendments.get(amendment).map(|a| &a.change)
                }
                _ => None,
            };
            let mut clauses: Vec<ClauseId> = Vec::new();
            if let Some(change) = about {
                clauses.push(change.clause());
                if let travaux_core::Change::Insert {
                    parent: Some(p), ..
                } = change
                {
                    if self.holds(*p, state) {
                        out.insert(change.clause());
                    }
                }
            }
            match &e.event {
                Event::CommentPosted {
                    clause: Some(c), ..
                }
                | Event::AgreementRecorded { clause: c, .. }
                | Event::TextBracketed { clause: c, .. } => clauses.push(*c),
                Event::BracketLifted { bracket, .. } => {
                    clauses.extend(state.process.brackets.get(bracket).map(|b| b.clause))
                }
                _ => {}
            }
            out.extend(clauses.into_iter().filter(|c| self.holds(*c, state)));
        }
        out
    }

    /// The occurrences of the phrase in the scope before and after a change whose counts are
    /// `c`, `touched` its clauses in the scope, `fold` the pickaxe just past it.
    pub(super) fn counted(
        &self,
        c: &Counts,
        touched: &HashSet<ClauseId>,
        fold: &Pickaxe,
    ) -> (usize, usize) {
        let after: usize = self
            .now
            .iter()
            .chain(touched.iter().filter(|id| !self.now.contains(id)))
            .map(|id| fold.count_in(*id))
            .sum();
        let (gained, lost) = c
            .clauses
            .iter()
            .filter(|k| touched.contains(&k.clause))
            .fold((0, 0), |(g, l), k| (g + k.after, l + k.before));
        ((after + lost).saturating_sub(gained), after)
    }
}

/// A change told for `log --clause`: what it did to the clauses of the scope (`reworded 5.2`,
/// `renumbered 6.4 → 7.4`, `added (c)`; past four clauses, counts `12 added in Article 5`,
/// `within` the clause as asked for), rather than to the whole text.
pub(super) fn own_change(
    e: &RecordedEvent,
    told: &str,
    prepared: &Prepared,
    scope: &HashSet<ClauseId>,
    within: &str,
) -> String {
    let items: Vec<(Vec<&'static str>, String)> = prepared
        .versions()
        .filter(|v| scope.contains(&v.clause))
        .filter_map(|v| {
            let changes = v.changes();
            (!changes.is_empty()).then(|| (changes, v.name()))
        })
        .collect();
    let own = if items.is_empty() {
        "no change to its text".to_string()
    } else if items.len() <= 4 {
        items
            .iter()
            .map(|(changes, name)| format!("{} {name}", changes.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        let mut counts: Vec<(&'static str, usize)> = Vec::new();
        for (changes, _) in &items {
            for c in changes {
                match counts.iter_mut().find(|(w, _)| w == c) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((c, 1)),
                }
            }
        }
        format!(
            "{} in {}",
            counts
                .iter()
                .map(|(w, n)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", "),
            within
        )
    };
    match &e.event {
        Event::RevisionIssued {
            revision, label, ..
        } => format!(
            "issued revision {revision}{}: {own}",
            label
                .as_ref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default()
        ),
        _ => format!("{told}; {own}"),
    }
}
