//! The state of one document, and `evolve`: folding its events into it.
//!
//! The text is a tree of clauses. A clause keeps its id forever; its label, place, heading and
//! text change through [`ClauseOp`]s. Applying an operation is the single place where the tree
//! changes: `decide` validates a list of operations by applying it to a copy, and `evolve`
//! applies the same operations to the state, so the two can never disagree.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::event::{Change, ClauseOp, Event, Method, Outcome, RecordedEvent, Role, Timestamp};
use crate::ids::{AmendmentNo, ClauseId, DocumentId, ParticipantId};
use crate::DomainError;

/// One clause of the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    /// Stable id.
    pub id: ClauseId,
    /// The clause it sits under.
    pub parent: Option<ClauseId>,
    /// The clauses under it, in order.
    pub children: Vec<ClauseId>,
    /// Its label: "Article 5", "5.2", "PP3".
    pub label: String,
    /// A heading, for articles.
    pub heading: Option<String>,
    /// Its text.
    pub text: String,
}

/// Where an amendment stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AmendmentStatus {
    /// Awaiting a decision.
    Pending,
    /// Decided as deferred: still awaiting a final decision.
    Deferred,
    /// Withdrawn by its proposer.
    Withdrawn {
        /// When, as a sequence number.
        seq: u64,
    },
    /// Decided.
    Decided {
        /// The outcome.
        outcome: Outcome,
        /// How it was reached.
        method: Method,
        /// When, as a sequence number.
        seq: u64,
    },
}

impl AmendmentStatus {
    /// Whether a decision or a withdrawal can still come.
    pub fn is_open(&self) -> bool {
        matches!(self, AmendmentStatus::Pending | AmendmentStatus::Deferred)
    }

    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            AmendmentStatus::Pending => "pending",
            AmendmentStatus::Deferred => "deferred",
            AmendmentStatus::Withdrawn { .. } => "withdrawn",
            AmendmentStatus::Decided { outcome, .. } => outcome.name(),
        }
    }
}

/// An amendment and what has become of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// Its number.
    pub no: AmendmentNo,
    /// Who proposed it.
    pub proposer: ParticipantId,
    /// What it asks for.
    pub change: Change,
    /// Why.
    pub rationale: Option<String>,
    /// Who supports it.
    pub supporters: BTreeSet<ParticipantId>,
    /// Who opposes it.
    pub opposers: BTreeSet<ParticipantId>,
    /// Where it stands.
    pub status: AmendmentStatus,
    /// The sequence number of its proposal.
    pub proposed_seq: u64,
}

/// A clause that has been removed, remembered so that errors can say so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedClause {
    /// The label it last had.
    pub label: String,
    /// The sequence number of the event that removed it.
    pub seq: u64,
}

/// A document as it stands after some prefix of its stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentState {
    /// Its id.
    pub id: DocumentId,
    /// Its short name.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Who created it.
    pub created_by: ParticipantId,
    /// When it was created.
    pub created_at: Timestamp,
    /// Number of events folded in (the stream version).
    pub version: u64,
    /// The global sequence number of the last event folded in.
    pub seq: u64,
    /// When the last event folded in was recorded.
    pub updated_at: Timestamp,
    /// How many revisions have been issued.
    pub revisions: u32,
    /// How many comments have been posted.
    pub comments: u32,
    /// How many amendments have been proposed: the next one is numbered from it.
    pub amendments_proposed: u32,
    /// Roles held, by participant.
    pub roles: BTreeMap<ParticipantId, BTreeSet<Role>>,
    /// Every amendment, by number.
    pub amendments: BTreeMap<AmendmentNo, Amendment>,
    /// Tags, by name, with the sequence number each names.
    pub tags: BTreeMap<String, u64>,
    clauses: BTreeMap<ClauseId, Clause>,
    roots: Vec<ClauseId>,
    removed: BTreeMap<ClauseId, RemovedClause>,
}

impl DocumentState {
    /// The state right after a `DocumentCreated` event, or `None` if `first` is not one.
    pub fn created(first: &RecordedEvent) -> Option<DocumentState> {
        let Event::DocumentCreated {
            document,
            slug,
            title,
        } = &first.event
        else {
            return None;
        };
        Some(DocumentState {
            id: *document,
            slug: slug.clone(),
            title: title.clone(),
            created_by: first.actor,
            created_at: first.recorded_at,
            version: first.version,
            seq: first.seq,
            updated_at: first.recorded_at,
            revisions: 0,
            comments: 0,
            amendments_proposed: 0,
            roles: BTreeMap::new(),
            amendments: BTreeMap::new(),
            tags: BTreeMap::new(),
            clauses: BTreeMap::new(),
            roots: Vec::new(),
            removed: BTreeMap::new(),
        })
    }

    /// Fold a document's events, in stream order, into its state. `None` if the first event
    /// does not create a document.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a RecordedEvent>) -> Option<Self> {
        let mut state = None;
        for e in events {
            DocumentState::fold(&mut state, e);
        }
        state
    }

    /// The same state keeping only the amendments still open (pending or deferred): what a
    /// view of the text at a point needs, and what stays small however long the history.
    pub fn with_open_amendments_only(mut self) -> Self {
        self.amendments.retain(|_, a| a.status.is_open());
        self
    }

    /// Fold one event into a document that may not exist yet: the first event creates it.
    pub fn fold(state: &mut Option<DocumentState>, e: &RecordedEvent) {
        match state {
            Some(s) => s.evolve(e),
            None => *state = DocumentState::created(e),
        }
    }

    /// Fold one more event in. Never fails: events were validated when they were decided.
    pub fn evolve(&mut self, e: &RecordedEvent) {
        self.version = e.version;
        self.seq = e.seq;
        self.updated_at = e.recorded_at;
        match &e.event {
            Event::ParticipantRegistered { .. } | Event::DocumentCreated { .. } => {}
            Event::RoleGranted { participant, role } => {
                self.roles.entry(*participant).or_default().insert(*role);
            }
            Event::RoleRevoked { participant, role } => {
                if let Some(roles) = self.roles.get_mut(participant) {
                    roles.remove(role);
                    if roles.is_empty() {
                        self.roles.remove(participant);
                    }
                }
            }
            Event::RevisionIssued { revision, ops, .. } => {
                // The parts of one large revision share its number.
                self.revisions = self.revisions.max(*revision);
                self.apply_all(ops, e.seq);
            }
            Event::AmendmentProposed {
                amendment,
                change,
                rationale,
            } => {
                self.amendments_proposed = self.amendments_proposed.max(amendment.0);
                self.amendments.insert(
                    *amendment,
                    Amendment {
                        no: *amendment,
                        proposer: e.actor,
                        change: change.clone(),
                        rationale: rationale.clone(),
                        supporters: BTreeSet::new(),
                        opposers: BTreeSet::new(),
                        status: AmendmentStatus::Pending,
                        proposed_seq: e.seq,
                    },
                );
            }
            Event::AmendmentSupported { amendment } => {
                if let Some(a) = self.amendments.get_mut(amendment) {
                    a.opposers.remove(&e.actor);
                    a.supporters.insert(e.actor);
                }
            }
            Event::AmendmentOpposed { amendment } => {
                if let Some(a) = self.amendments.get_mut(amendment) {
                    a.supporters.remove(&e.actor);
                    a.opposers.insert(e.actor);
                }
            }
            Event::AmendmentWithdrawn { amendment } => {
                if let Some(a) = self.amendments.get_mut(amendment) {
                    a.status = AmendmentStatus::Withdrawn { seq: e.seq };
                }
            }
            Event::DecisionRecorded {
                amendment,
                outcome,
                method,
                ops,
            } => {
                if let Some(a) = self.amendments.get_mut(amendment) {
                    a.status = match outcome {
                        Outcome::Deferred => AmendmentStatus::Deferred,
                        _ => AmendmentStatus::Decided {
                            outcome: outcome.clone(),
                            method: method.clone(),
                            seq: e.seq,
                        },
                    };
                }
                self.apply_all(ops, e.seq);
            }
            Event::CommentPosted { .. } => self.comments += 1,
            Event::TagSet { name, seq } => {
                self.tags.insert(name.clone(), *seq);
            }
        }
    }

    fn apply_all(&mut self, ops: &[ClauseOp], seq: u64) {
        for op in ops {
            // Validated when decided; an error here would mean a corrupt log, which `verify`
            // reports. The fold stays total.
            let _ = self.apply(op, seq);
        }
    }

    /// Apply one operation to the tree. The one place the tree changes.
    pub(crate) fn apply(&mut self, op: &ClauseOp, seq: u64) -> Result<(), DomainError> {
        match op {
            ClauseOp::Add {
                clause,
                parent,
                after,
                label,
                heading,
                text,
            } => {
                if self.clauses.contains_key(clause) || self.removed.contains_key(clause) {
                    return Err(DomainError::Invalid(format!(
                        "clause id {clause} is already in use"
                    )));
                }
                let index = self.insertion_index(*parent, *after)?;
                self.clauses.insert(
                    *clause,
                    Clause {
                        id: *clause,
                        parent: *parent,
                        children: Vec::new(),
                        label: label.clone(),
                        heading: heading.clone(),
                        text: text.clone(),
                    },
                );
                self.siblings_mut(*parent).insert(index, *clause);
            }
            ClauseOp::Reword {
                clause,
                heading,
                text,
            } => {
                let c = self.live_mut(*clause)?;
                c.heading = heading.clone();
                c.text = text.clone();
            }
            ClauseOp::Relabel { clause, label } => {
                self.live_mut(*clause)?.label = label.clone();
            }
            ClauseOp::Remove { clause } => {
                let c = self.live(*clause)?;
                if let Some(child) = c.children.first() {
                    return Err(DomainError::Invalid(format!(
                        "clause {} still has clause {} under it; remove or move it first",
                        c.label, self.clauses[child].label
                    )));
                }
                let c = self.clauses.remove(clause).expect("checked live");
                self.siblings_mut(c.parent).retain(|id| id != clause);
                self.removed.insert(
                    *clause,
                    RemovedClause {
                        label: c.label,
                        seq,
                    },
                );
            }
            ClauseOp::Move {
                clause,
                parent,
                after,
            } => {
                let old_parent = self.live(*clause)?.parent;
                if after == &Some(*clause) {
                    return Err(DomainError::Invalid(
                        "a clause cannot be placed after itself".into(),
                    ));
                }
                // No cycles: the new parent must not be the clause or lie under it.
                let mut up = *parent;
                while let Some(p) = up {
                    if p == *clause {
                        return Err(DomainError::Invalid(format!(
                            "clause {} cannot be moved under itself",
                            self.clauses[clause].label
                        )));
                    }
                    up = self.live(p)?.parent;
                }
                self.check_position(*parent, *after)?;
                self.siblings_mut(old_parent).retain(|id| id != clause);
                let index = self.insertion_index(*parent, *after)?;
                self.siblings_mut(*parent).insert(index, *clause);
                self.clauses.get_mut(clause).expect("live").parent = *parent;
            }
        }
        Ok(())
    }

    /// Check that `after` (if any) is a clause in the text directly under `parent`.
    fn check_position(
        &self,
        parent: Option<ClauseId>,
        after: Option<ClauseId>,
    ) -> Result<(), DomainError> {
        if let Some(p) = parent {
            self.live(p)?;
        }
        if let Some(a) = after {
            let sibling = self.live(a)?;
            if sibling.parent != parent {
                return Err(DomainError::Invalid(format!(
                    "clause {} is not under {}",
                    sibling.label,
                    parent
                        .map(|p| self.clauses[&p].label.clone())
                        .unwrap_or_else(|| "the top level".into())
                )));
            }
        }
        Ok(())
    }

    fn insertion_index(
        &self,
        parent: Option<ClauseId>,
        after: Option<ClauseId>,
    ) -> Result<usize, DomainError> {
        self.check_position(parent, after)?;
        Ok(match after {
            None => 0,
            Some(a) => {
                self.siblings(parent)
                    .iter()
                    .position(|id| *id == a)
                    .expect("checked: after is under parent")
                    + 1
            }
        })
    }

    fn siblings(&self, parent: Option<ClauseId>) -> &[ClauseId] {
        match parent {
            None => &self.roots,
            Some(p) => &self.clauses[&p].children,
        }
    }

    fn siblings_mut(&mut self, parent: Option<ClauseId>) -> &mut Vec<ClauseId> {
        match parent {
            None => &mut self.roots,
            Some(p) => &mut self.clauses.get_mut(&p).expect("live parent").children,
        }
    }

    fn live_mut(&mut self, id: ClauseId) -> Result<&mut Clause, DomainError> {
        self.live(id)?;
        Ok(self.clauses.get_mut(&id).expect("checked"))
    }

    /// A clause that is in the text now, or an error saying it is gone or unknown.
    pub fn live(&self, id: ClauseId) -> Result<&Clause, DomainError> {
        if let Some(c) = self.clauses.get(&id) {
            return Ok(c);
        }
        Err(match self.removed.get(&id) {
            Some(r) => DomainError::ClauseRemoved {
                label: r.label.clone(),
                seq: r.seq,
            },
            None => DomainError::UnknownClause(id.short()),
        })
    }

    /// The clause with this id, if it is in the text.
    pub fn clause(&self, id: ClauseId) -> Option<&Clause> {
        self.clauses.get(&id)
    }

    /// The label a clause has, or had when it was removed.
    pub fn label_of(&self, id: ClauseId) -> Option<&str> {
        self.clauses
            .get(&id)
            .map(|c| c.label.as_str())
            .or_else(|| self.removed.get(&id).map(|r| r.label.as_str()))
    }

    /// The clauses in reading order (depth first), each with its depth.
    pub fn outline(&self) -> Vec<(usize, &Clause)> {
        let mut out = Vec::with_capacity(self.clauses.len());
        let mut stack: Vec<(usize, ClauseId)> =
            self.roots.iter().rev().map(|id| (0, *id)).collect();
        while let Some((depth, id)) = stack.pop() {
            let c = &self.clauses[&id];
            out.push((depth, c));
            stack.extend(c.children.iter().rev().map(|id| (depth + 1, *id)));
        }
        out
    }

    /// The top-level clauses in order.
    pub fn roots(&self) -> &[ClauseId] {
        &self.roots
    }

    /// How many clauses the text has.
    pub fn clause_count(&self) -> usize {
        self.clauses.len()
    }

    /// Find a clause by its current label, or by a unique prefix (4 hex digits or more) of its
    /// id.
    pub fn resolve_clause(&self, reference: &str) -> Result<ClauseId, DomainError> {
        let reference = reference.trim();
        if let Some(c) = self.clauses.values().find(|c| c.label == reference) {
            return Ok(c.id);
        }
        let hex: String = reference.chars().filter(|c| *c != '-').collect();
        if hex.len() >= 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let hex = hex.to_ascii_lowercase();
            let matches: Vec<&Clause> = self
                .clauses
                .values()
                .filter(|c| c.id.0.simple().to_string().starts_with(&hex))
                .collect();
            match matches.as_slice() {
                [one] => return Ok(one.id),
                [] => {}
                many => {
                    return Err(DomainError::AmbiguousClause {
                        reference: reference.to_string(),
                        candidates: many.iter().map(|c| c.label.clone()).collect(),
                    })
                }
            }
        }
        if let Some((_, r)) = self
            .removed
            .iter()
            .rev()
            .find(|(_, r)| r.label == reference)
        {
            return Err(DomainError::ClauseRemoved {
                label: r.label.clone(),
                seq: r.seq,
            });
        }
        Err(DomainError::UnknownClause(reference.to_string()))
    }

    /// Whether the participant holds the role here.
    pub fn has_role(&self, who: ParticipantId, role: Role) -> bool {
        self.roles.get(&who).is_some_and(|r| r.contains(&role))
    }

    /// The amendments still awaiting a decision on a clause.
    pub fn pending_on(&self, clause: ClauseId) -> impl Iterator<Item = &Amendment> {
        self.amendments
            .values()
            .filter(move |a| a.status.is_open() && a.change.clause() == clause)
    }

    /// An amendment by number.
    pub fn amendment(&self, no: AmendmentNo) -> Result<&Amendment, DomainError> {
        self.amendments
            .get(&no)
            .ok_or(DomainError::UnknownAmendment(no))
    }

    /// Check labels are unique among the clauses in the text.
    pub(crate) fn check_labels(&self) -> Result<(), DomainError> {
        let mut seen = BTreeSet::new();
        for c in self.clauses.values() {
            if !seen.insert(c.label.as_str()) {
                return Err(DomainError::Invalid(format!(
                    "two clauses would be labelled '{}'; labels must be unique",
                    c.label
                )));
            }
        }
        Ok(())
    }
}
