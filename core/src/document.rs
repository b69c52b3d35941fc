//! The state of one document, and `evolve`: folding its events into it.
//!
//! The text is a tree of clauses. A clause keeps its id forever; its label, place, heading and
//! text change through [`ClauseOp`]s. Applying an operation is the single place where the tree
//! changes: `decide` validates a list of operations by applying it to a copy, and `evolve`
//! applies the same operations to the state, so the two can never disagree.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::{Change, ClauseKind, ClauseOp, Event, Method, Note, Outcome, RecordedEvent};
use crate::governance::{Adoption, Answer, Bracket, BracketStatus, Phase, Question};
use crate::ids::{
    AmendmentNo, BracketNo, ClauseId, CommentNo, DocumentId, ParticipantId, PhaseNo, QuestionNo,
};
use crate::vocabulary::{Agreement, PhaseKind, Visibility};
use crate::vocabulary::{Role, Timestamp};

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
    /// What it is, as the draft said; see [`Clause::kind`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ClauseKind>,
    /// Its notes (footnotes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

impl Clause {
    /// Its text followed by its notes as Markdown writes them (`[^1]: …`, a paragraph each):
    /// what `diff` compares, so that a change to a note is a change to its clause.
    pub fn text_with_notes(&self) -> std::borrow::Cow<'_, str> {
        if self.notes.is_empty() {
            return std::borrow::Cow::Borrowed(&self.text);
        }
        let mut out = self.text.clone();
        for n in &self.notes {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&format!("[^{}]: {}", n.mark, n.text));
        }
        std::borrow::Cow::Owned(out)
    }

    /// What the clause is: as recorded, or, for a clause added before kinds were recorded, as
    /// the drafts of that time made it (a top-level `PP` paragraph a recital, another top-level
    /// clause an article, the clauses under an article its paragraphs, deeper ones points).
    pub fn kind(&self, doc: &DocumentState) -> ClauseKind {
        if let Some(k) = self.kind {
            return k;
        }
        match self.parent.and_then(|p| doc.clause(p)) {
            None if self.label.starts_with("PP") && self.children.is_empty() => ClauseKind::Recital,
            None => ClauseKind::Article,
            Some(p) if p.parent.is_none() => ClauseKind::Paragraph,
            Some(_) => ClauseKind::Point,
        }
    }
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

    /// The status `e` gives the amendment it is about, if `e` decides or withdraws it (the
    /// fold sets exactly this).
    pub fn given_by(e: &RecordedEvent) -> Option<AmendmentStatus> {
        match &e.event {
            Event::AmendmentWithdrawn { .. } => Some(AmendmentStatus::Withdrawn { seq: e.seq }),
            Event::DecisionRecorded {
                outcome: Outcome::Deferred,
                ..
            } => Some(AmendmentStatus::Deferred),
            Event::DecisionRecorded {
                outcome, method, ..
            } => Some(AmendmentStatus::Decided {
                outcome: outcome.clone(),
                method: method.clone(),
                seq: e.seq,
            }),
            _ => None,
        }
    }

    /// The status `e` gives its amendment for good: a decision other than a deferral, or a
    /// withdrawal. A closed amendment takes no further decision or withdrawal (`decide` refuses
    /// them), so this is its status at the head too, known without reading the amendment.
    pub fn sealed_by(e: &RecordedEvent) -> Option<AmendmentStatus> {
        AmendmentStatus::given_by(e).filter(|s| !s.is_open())
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
    /// Phases, questions, agreement, brackets and adoption.
    #[serde(default)]
    pub process: Process,
    pub(crate) clauses: BTreeMap<ClauseId, Clause>,
    roots: Vec<ClauseId>,
    pub(crate) removed: BTreeMap<ClauseId, RemovedClause>,
    /// How many clauses have each label: worked out when first asked for, forgotten when a
    /// label changes (naming a clause asks it whether its label is its name).
    #[serde(skip)]
    pub(crate) label_counts: LabelCounts,
}

/// A cache of how many clauses have each label. Not part of the state: two states are equal
/// whatever their caches hold.
#[derive(Clone, Debug, Default)]
pub(crate) struct LabelCounts(
    pub(crate) std::sync::OnceLock<std::collections::HashMap<String, u32>>,
);

impl PartialEq for LabelCounts {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for LabelCounts {}

/// The process around the text, as it stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    /// Every phase opened, in order (phase Pn is at index n-1).
    pub phases: Vec<Phase>,
    /// Consultation questions, by number.
    pub questions: BTreeMap<QuestionNo, Question>,
    /// How many reports have been submitted.
    pub reports: u32,
    /// Clauses agreed or agreed ad referendum (a clause not listed is open).
    pub agreement: BTreeMap<ClauseId, Agreement>,
    /// Every bracket, by number.
    pub brackets: BTreeMap<BracketNo, Bracket>,
    /// The adoption, once adopted.
    pub adopted: Option<Adoption>,
    /// The sequence number of the last event that changed the text.
    pub text_seq: u64,
    /// Comments on each clause since the last revision.
    pub recent_comments: BTreeMap<ClauseId, u32>,
    /// Comments on the whole document since the last revision.
    pub recent_document_comments: u32,
    /// Who may read it without a token.
    #[serde(default)]
    pub visibility: Visibility,
    /// Comments retracted by their authors, with the event that retracted each.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub retracted_comments: BTreeMap<CommentNo, u64>,
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
            process: Process::default(),
            clauses: BTreeMap::new(),
            roots: Vec::new(),
            removed: BTreeMap::new(),
            label_counts: LabelCounts::default(),
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

    /// A copy keeping only the amendments still open: the same as
    /// `self.clone().with_open_amendments_only()` without copying the closed ones first (a
    /// long negotiation has tens of thousands of them).
    pub fn open_copy(&self) -> Self {
        let DocumentState {
            id,
            slug,
            title,
            created_by,
            created_at,
            version,
            seq,
            updated_at,
            revisions,
            comments,
            amendments_proposed,
            roles,
            amendments,
            tags,
            process,
            clauses,
            roots,
            removed,
            label_counts: _,
        } = self;
        DocumentState {
            id: *id,
            slug: slug.clone(),
            title: title.clone(),
            created_by: *created_by,
            created_at: *created_at,
            version: *version,
            seq: *seq,
            updated_at: *updated_at,
            revisions: *revisions,
            comments: *comments,
            amendments_proposed: *amendments_proposed,
            roles: roles.clone(),
            amendments: amendments
                .iter()
                .filter(|(_, a)| a.status.is_open())
                .map(|(no, a)| (*no, a.clone()))
                .collect(),
            tags: tags.clone(),
            process: process.clone(),
            clauses: clauses.clone(),
            roots: roots.clone(),
            removed: removed.clone(),
            label_counts: LabelCounts::default(),
        }
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
            Event::RevisionIssued {
                revision,
                ops,
                title,
                ..
            } => {
                if let Some(t) = title {
                    self.title = t.clone();
                }
                // The parts of one large revision share its number.
                self.revisions = self.revisions.max(*revision);
                self.process.recent_comments.clear();
                self.process.recent_document_comments = 0;
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
                    a.status = AmendmentStatus::given_by(e).unwrap_or_else(|| a.status.clone());
                }
            }
            Event::DecisionRecorded { amendment, ops, .. } => {
                if let Some(a) = self.amendments.get_mut(amendment) {
                    a.status = AmendmentStatus::given_by(e).unwrap_or_else(|| a.status.clone());
                    if let (Change::Alternative { bracket, .. }, false) =
                        (&a.change, ops.is_empty())
                    {
                        if let Some(b) = self.process.brackets.get_mut(bracket) {
                            b.status = BracketStatus::Resolved {
                                amendment: *amendment,
                                seq: e.seq,
                            };
                        }
                    }
                }
                self.apply_all(ops, e.seq);
            }
            Event::CommentPosted {
                clause,
                question,
                phase,
                comment,
                position,
                ..
            } => {
                self.comments += 1;
                match clause {
                    Some(c) => *self.process.recent_comments.entry(*c).or_default() += 1,
                    None => self.process.recent_document_comments += 1,
                }
                if let Some(q) = question.and_then(|q| self.process.questions.get_mut(&q)) {
                    q.answers.push(Answer {
                        comment: *comment,
                        participant: e.actor,
                        position: *position,
                    });
                }
                if let Some(p) = self.phase_mut(*phase) {
                    p.participants.insert(e.actor);
                    p.comments += 1;
                }
            }
            Event::TagSet { name, seq } => {
                self.tags.insert(name.clone(), *seq);
            }
            Event::PhaseOpened {
                phase,
                kind,
                name,
                window,
                admits,
            } => self.process.phases.push(Phase {
                no: *phase,
                kind: *kind,
                name: name.clone(),
                window: *window,
                admits: admits.clone(),
                opened_seq: e.seq,
                opened_at: e.recorded_at,
                closed_seq: None,
                closed_at: None,
                participants: BTreeSet::new(),
                comments: 0,
                reports: 0,
            }),
            Event::PhaseClosed { phase } => {
                if let Some(p) = self.phase_mut(Some(*phase)) {
                    p.closed_seq = Some(e.seq);
                    p.closed_at = Some(e.recorded_at);
                }
            }
            Event::QuestionPosed {
                question,
                group,
                text,
                clauses,
            } => {
                self.process.questions.insert(
                    *question,
                    Question {
                        no: *question,
                        group: group.clone(),
                        text: text.clone(),
                        clauses: clauses.clone(),
                        posed_seq: e.seq,
                        answers: Vec::new(),
                    },
                );
            }
            Event::ReportSubmitted { phase, .. } => {
                self.process.reports += 1;
                if let Some(p) = self.phase_mut(Some(*phase)) {
                    p.participants.insert(e.actor);
                    p.reports += 1;
                }
            }
            Event::AgreementRecorded { clause, agreement } => {
                if agreement.is_locked() {
                    self.process.agreement.insert(*clause, *agreement);
                } else {
                    self.process.agreement.remove(clause);
                }
            }
            Event::TextBracketed {
                bracket,
                clause,
                span,
            } => {
                self.process.brackets.insert(
                    *bracket,
                    Bracket {
                        no: *bracket,
                        clause: *clause,
                        span: span.clone(),
                        raised_by: e.actor,
                        raised_seq: e.seq,
                        status: BracketStatus::Open,
                    },
                );
            }
            Event::BracketLifted { bracket, .. } => {
                if let Some(b) = self.process.brackets.get_mut(bracket) {
                    b.status = BracketStatus::Lifted { seq: e.seq };
                }
            }
            Event::VisibilitySet { visibility } => self.process.visibility = *visibility,
            Event::TokenIssued { .. }
            | Event::TokenRevoked { .. }
            | Event::AdminGranted { .. }
            | Event::AdminRevoked { .. } => {}
            Event::DocumentAdopted { symbol, .. } => {
                self.process.adopted = Some(Adoption {
                    symbol: symbol.clone(),
                    seq: e.seq,
                    at: e.recorded_at,
                });
            }
            Event::CommentRetracted { comment } => {
                self.process.retracted_comments.insert(*comment, e.seq);
            }
            Event::TagWithdrawn { name, .. } => {
                self.tags.remove(name);
            }
        }
    }

    fn phase_mut(&mut self, no: Option<PhaseNo>) -> Option<&mut Phase> {
        let no = no?;
        self.process.phases.get_mut((no.0 as usize).checked_sub(1)?)
    }

    fn apply_all(&mut self, ops: &[ClauseOp], seq: u64) {
        if ops.is_empty() {
            return;
        }
        self.process.text_seq = seq;
        for op in ops {
            // Validated when decided; an error here would mean a corrupt log, which `verify`
            // reports. The fold stays total.
            let _ = self.apply(op, seq);
        }
        // Brackets whose words a change took out of their clause are overtaken; a removed
        // clause is no longer agreed or disputed.
        for b in self.process.brackets.values_mut() {
            if b.status == BracketStatus::Open
                && ops.iter().any(|op| op.clause() == b.clause)
                && !self
                    .clauses
                    .get(&b.clause)
                    .is_some_and(|c| c.text.contains(&b.span))
            {
                b.status = BracketStatus::Overtaken { seq };
            }
        }
        for op in ops {
            if let ClauseOp::Remove { clause } = op {
                self.process.agreement.remove(clause);
            }
        }
    }

    /// Apply one operation to the tree. The one place the tree changes.
    pub(crate) fn apply(&mut self, op: &ClauseOp, seq: u64) -> Result<(), DomainError> {
        if matches!(
            op,
            ClauseOp::Add { .. } | ClauseOp::Relabel { .. } | ClauseOp::Remove { .. }
        ) {
            self.label_counts = LabelCounts::default();
        }
        match op {
            ClauseOp::Add {
                clause,
                parent,
                after,
                label,
                heading,
                text,
                kind,
                notes,
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
                        kind: *kind,
                        notes: notes.clone(),
                    },
                );
                self.siblings_mut(*parent).insert(index, *clause);
            }
            ClauseOp::Reword {
                clause,
                heading,
                text,
                notes,
                kind,
            } => {
                let c = self.live_mut(*clause)?;
                c.heading = heading.clone();
                c.text = text.clone();
                c.notes = notes.clone();
                if kind.is_some() {
                    c.kind = *kind;
                }
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

    /// A phase by number.
    pub fn phase(&self, no: PhaseNo) -> Result<&Phase, DomainError> {
        (no.0 as usize)
            .checked_sub(1)
            .and_then(|i| self.process.phases.get(i))
            .ok_or_else(|| DomainError::Unknown {
                what: "phase",
                name: no.to_string(),
            })
    }

    /// The phases open now.
    pub fn open_phases(&self) -> impl Iterator<Item = &Phase> {
        self.process.phases.iter().filter(|p| p.is_open())
    }

    /// The phase an event happened in: the one that took it, for a comment or report; for any
    /// other event, the phase opened last among those open at the time.
    pub fn phase_of(&self, e: &RecordedEvent) -> Option<PhaseNo> {
        match &e.event {
            Event::CommentPosted { phase, .. } => *phase,
            Event::ReportSubmitted { phase, .. }
            | Event::PhaseOpened { phase, .. }
            | Event::PhaseClosed { phase } => Some(*phase),
            _ => self
                .process
                .phases
                .iter()
                .rev()
                .find(|p| p.open_at(e.seq))
                .map(|p| p.no),
        }
    }

    /// A question by number.
    pub fn question(&self, no: QuestionNo) -> Result<&Question, DomainError> {
        self.process
            .questions
            .get(&no)
            .ok_or_else(|| DomainError::Unknown {
                what: "question",
                name: no.to_string(),
            })
    }

    /// A bracket by number.
    pub fn bracket(&self, no: BracketNo) -> Result<&Bracket, DomainError> {
        self.process
            .brackets
            .get(&no)
            .ok_or_else(|| DomainError::Unknown {
                what: "bracket",
                name: no.to_string(),
            })
    }

    /// The open brackets on a clause, in the order their words appear in it.
    pub fn open_brackets_on(&self, clause: &Clause) -> Vec<&Bracket> {
        let mut out: Vec<&Bracket> = self
            .process
            .brackets
            .values()
            .filter(|b| b.clause == clause.id && b.status == BracketStatus::Open)
            .collect();
        out.sort_by_key(|b| clause.text.find(&b.span).unwrap_or(usize::MAX));
        out
    }

    /// The alternatives still open for a bracket, in order of proposal.
    pub fn alternatives(&self, bracket: BracketNo) -> impl Iterator<Item = &Amendment> {
        self.amendments.values().filter(move |a| {
            a.status.is_open()
                && matches!(a.change, Change::Alternative { bracket: b, .. } if b == bracket)
        })
    }

    /// A clause's text with its open brackets shown: "[disputed words]", or with alternatives
    /// "[Alt 1: words as drafted] [Alt 2: words proposed]".
    pub fn bracketed_text(&self, clause: &Clause) -> String {
        let mut out = String::with_capacity(clause.text.len() + 16);
        let mut at = 0;
        for b in self.open_brackets_on(clause) {
            let Some(start) = clause.text[at..].find(&b.span).map(|i| i + at) else {
                continue;
            };
            out.push_str(&clause.text[at..start]);
            let alts: Vec<&str> = self
                .alternatives(b.no)
                .filter_map(|a| match &a.change {
                    Change::Alternative { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            if alts.is_empty() {
                out.push('[');
                out.push_str(&b.span);
                out.push(']');
            } else {
                out.push_str(&format!("[Alt 1: {}]", b.span));
                for (i, t) in alts.iter().enumerate() {
                    out.push_str(&format!(" [Alt {}: {}]", i + 2, t));
                }
            }
            at = start + b.span.len();
        }
        out.push_str(&clause.text[at..]);
        out
    }

    /// The same text with each clause that has open brackets worded in its bracketed form
    /// ([`Self::bracketed_text`]), for rendering the text whole; `None` when no bracket is
    /// open, so that a text without brackets renders exactly as it always has. The copy holds
    /// the text alone (title, clauses, the brackets no longer open): not the amendments, roles,
    /// tags or the rest of the process, whose copying would cost more than the rendering.
    pub fn with_brackets_shown(&self) -> Option<DocumentState> {
        let shown: Vec<(ClauseId, String)> = self
            .clauses
            .values()
            .filter(|c| !self.open_brackets_on(c).is_empty())
            .map(|c| (c.id, self.bracketed_text(c)))
            .collect();
        if shown.is_empty() {
            return None;
        }
        let mut copy = DocumentState {
            id: self.id,
            slug: self.slug.clone(),
            title: self.title.clone(),
            created_by: self.created_by,
            created_at: self.created_at,
            version: self.version,
            seq: self.seq,
            updated_at: self.updated_at,
            revisions: self.revisions,
            comments: self.comments,
            amendments_proposed: self.amendments_proposed,
            roles: BTreeMap::new(),
            amendments: BTreeMap::new(),
            tags: BTreeMap::new(),
            process: Process {
                brackets: self.process.brackets.clone(),
                ..Process::default()
            },
            clauses: self.clauses.clone(),
            roots: self.roots.clone(),
            removed: self.removed.clone(),
            label_counts: LabelCounts::default(),
        };
        for (id, text) in shown {
            copy.clauses
                .get_mut(&id)
                .expect("a clause of the text")
                .text = text;
        }
        // The copy's brackets are shown in its words: none is left to show again.
        copy.process
            .brackets
            .retain(|_, b| b.status != BracketStatus::Open);
        Some(copy)
    }

    /// Whether anyone may read the document without a token: it is public, a public hearing
    /// on it is open, or it has been adopted.
    pub fn readable_by_anyone(&self) -> bool {
        self.process.visibility == Visibility::Public
            || self.process.adopted.is_some()
            || self
                .open_phases()
                .any(|p| p.kind == PhaseKind::PublicHearing)
    }

    /// How far a clause is agreed; every clause of an adopted text is agreed.
    pub fn agreement_of(&self, clause: ClauseId) -> Agreement {
        if self.process.adopted.is_some() {
            return Agreement::Agreed;
        }
        self.process
            .agreement
            .get(&clause)
            .copied()
            .unwrap_or_default()
    }
}
