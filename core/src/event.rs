//! Events: what happened, in the past tense, and the envelope the log wraps them in.
//!
//! Every text change is a list of [`ClauseOp`]s, whether a revision issued it or a decision
//! accepted an amendment: one mechanism rebuilds the text at any point, and later views (diff,
//! blame) read the operations straight from the events.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{
    AmendmentNo, BracketNo, ClauseId, CommentNo, DocumentId, EventId, ParticipantId, PhaseNo,
    QuestionNo, ReportNo, StreamId, TokenId,
};
use crate::vocabulary::{
    kebab_names, Agreement, ParticipantKind, PhaseKind, Position, Role, Timestamp, Visibility,
    Window,
};
use crate::words::WordEdit;

/// What a clause is in the structure of the text, in Akoma Ntoso's vocabulary (the reference
/// for legal texts: LEOS, AT4AM, Indigo, Lawmaker). The text's own name for it ("Abschnitt",
/// "Titre", "Rule") stays in its label; the kind says where it sits in the hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseKind {
    /// A book of a code.
    Book,
    /// A part.
    Part,
    /// A title.
    Title,
    /// A chapter.
    Chapter,
    /// A section (a container; a numbered "§" is an article).
    Section,
    /// A sub-section, and any container below a section.
    Subsection,
    /// An article, a "§", a rule: the unit a text is cited by.
    Article,
    /// A paragraph of an article ("1.", "(1)", "5.2").
    Paragraph,
    /// A point of a list ("(a)", "1.", "(i)").
    Point,
    /// An unnumbered indent of a list.
    Indent,
    /// A recital or preambular paragraph.
    Recital,
    /// Any other container: front matter, annexes, unnamed groupings.
    Hcontainer,
}

kebab_names!(ClauseKind {
    Book => "book",
    Part => "part",
    Title => "title",
    Chapter => "chapter",
    Section => "section",
    Subsection => "subsection",
    Article => "article",
    Paragraph => "paragraph",
    Point => "point",
    Indent => "indent",
    Recital => "recital",
    Hcontainer => "hcontainer",
});

impl ClauseKind {
    /// Whether the kind groups provisions (book … sub-section, hcontainer) rather than being
    /// one.
    pub fn is_container(self) -> bool {
        matches!(
            self,
            ClauseKind::Book
                | ClauseKind::Part
                | ClauseKind::Title
                | ClauseKind::Chapter
                | ClauseKind::Section
                | ClauseKind::Subsection
                | ClauseKind::Hcontainer
        )
    }
}

/// A note of a clause: a footnote, as the text prints it (`[^3]` in the text, its words here).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Note {
    /// The note's mark in the text, without `[^` and `]`: "3", "a".
    pub mark: String,
    /// Its words.
    pub text: String,
}

/// One change to the clause tree. Positions are given relative to a sibling (`after`), or
/// first under `parent` when `after` is `None`; `parent: None` is the top level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ClauseOp {
    /// A new clause.
    Add {
        /// Its new, stable id.
        clause: ClauseId,
        /// The clause it sits under, if any.
        parent: Option<ClauseId>,
        /// The sibling it follows; `None` puts it first.
        after: Option<ClauseId>,
        /// Its label, such as "Article 5" or "5.2".
        label: String,
        /// A heading, for articles.
        heading: Option<String>,
        /// Its text.
        text: String,
        /// What it is (events written before kinds existed have none: see
        /// [`crate::Clause::kind`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<ClauseKind>,
        /// Its notes (footnotes).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notes: Vec<Note>,
    },
    /// New heading and text for a clause.
    Reword {
        /// The clause.
        clause: ClauseId,
        /// The heading it now has.
        heading: Option<String>,
        /// The text it now has.
        text: String,
        /// The notes it now has.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notes: Vec<Note>,
        /// What it is, when that is recorded now: a clause added before kinds were recorded
        /// gets its kind from the first draft that says it (`None` leaves the kind as it is).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kind: Option<ClauseKind>,
    },
    /// A clause taken out of the text, with nothing left under it.
    Remove {
        /// The clause.
        clause: ClauseId,
    },
    /// A clause put elsewhere.
    Move {
        /// The clause.
        clause: ClauseId,
        /// Its new parent.
        parent: Option<ClauseId>,
        /// The sibling it now follows; `None` puts it first.
        after: Option<ClauseId>,
    },
    /// A clause renumbered.
    Relabel {
        /// The clause.
        clause: ClauseId,
        /// Its new label.
        label: String,
    },
}

impl ClauseOp {
    /// The clause the operation is about.
    pub fn clause(&self) -> ClauseId {
        match self {
            ClauseOp::Add { clause, .. }
            | ClauseOp::Reword { clause, .. }
            | ClauseOp::Remove { clause }
            | ClauseOp::Move { clause, .. }
            | ClauseOp::Relabel { clause, .. } => *clause,
        }
    }
}

/// What an amendment asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Replace a clause's text.
    Replace {
        /// The clause.
        clause: ClauseId,
        /// The proposed wording.
        text: String,
    },
    /// Insert a new clause.
    Insert {
        /// The id the clause will have if the amendment is accepted.
        clause: ClauseId,
        /// Its parent.
        parent: Option<ClauseId>,
        /// The sibling it would follow; `None` puts it first.
        after: Option<ClauseId>,
        /// Its label.
        label: String,
        /// The proposed wording.
        text: String,
    },
    /// Delete a clause.
    Delete {
        /// The clause.
        clause: ClauseId,
    },
    /// Move a clause.
    Move {
        /// The clause.
        clause: ClauseId,
        /// Its new parent.
        parent: Option<ClauseId>,
        /// The sibling it would follow; `None` puts it first.
        after: Option<ClauseId>,
    },
    /// Put other words in the place of bracketed (disputed) words: an alternative formulation.
    Alternative {
        /// The clause.
        clause: ClauseId,
        /// The bracket.
        bracket: BracketNo,
        /// The words proposed instead of the bracketed ones (empty: take them out).
        text: String,
    },
    /// Replace, delete or insert some words of a clause, anchored to the words and their
    /// context as they stood when proposed (see [`crate::words`]).
    Words {
        /// The clause.
        clause: ClauseId,
        /// What is done to which words.
        edit: WordEdit,
    },
}

impl Change {
    /// The clause the amendment is about.
    pub fn clause(&self) -> ClauseId {
        match self {
            Change::Replace { clause, .. }
            | Change::Insert { clause, .. }
            | Change::Delete { clause }
            | Change::Move { clause, .. }
            | Change::Alternative { clause, .. }
            | Change::Words { clause, .. } => *clause,
        }
    }

    /// A one-word name of the kind of change.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::Replace { .. } => "replace",
            Change::Insert { .. } => "insert",
            Change::Delete { .. } => "delete",
            Change::Move { .. } => "move",
            Change::Alternative { .. } => "alternative",
            Change::Words { .. } => "words",
        }
    }
}

/// The committee's outcome on an amendment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted as proposed.
    Accepted,
    /// Accepted with a different final wording.
    AcceptedAsModified {
        /// The wording agreed.
        text: String,
    },
    /// Rejected.
    Rejected,
    /// Put off; the amendment stays open for a later decision.
    Deferred,
}

impl Outcome {
    /// A short name.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::AcceptedAsModified { .. } => "accepted as modified",
            Outcome::Rejected => "rejected",
            Outcome::Deferred => "deferred",
        }
    }
}

/// How a decision was reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Without a vote.
    Consensus,
    /// By a vote.
    Vote {
        /// Votes in favour.
        yes: u32,
        /// Votes against.
        no: u32,
        /// Abstentions.
        abstain: u32,
    },
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Consensus => f.write_str("by consensus"),
            Method::Vote { yes, no, abstain } => {
                write!(
                    f,
                    "by vote {yes} in favour, {no} against, {abstain} abstaining"
                )
            }
        }
    }
}

/// Something that happened. Past tense; no rules live here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A participant joined the store (registry stream).
    ParticipantRegistered {
        /// Its id.
        participant: ParticipantId,
        /// The short name it is addressed by.
        handle: String,
        /// Its display name.
        name: String,
        /// What it is.
        kind: ParticipantKind,
    },
    /// A document was created (first event of its stream).
    DocumentCreated {
        /// Its id.
        document: DocumentId,
        /// The short name it is addressed by.
        slug: String,
        /// Its title.
        title: String,
    },
    /// A participant was given a role in the document.
    RoleGranted {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: Role,
    },
    /// A participant lost a role in the document.
    RoleRevoked {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: Role,
    },
    /// A new draft was issued as a whole.
    RevisionIssued {
        /// Its number within the document: 1, 2, …
        revision: u32,
        /// Its symbol or name, such as "EB124/13".
        label: Option<String>,
        /// The document's new title, when the revision changes it (on the first part of a
        /// revision stored in several).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// What it changed.
        ops: Vec<ClauseOp>,
    },
    /// An amendment was proposed (by the event's actor).
    AmendmentProposed {
        /// Its number.
        amendment: AmendmentNo,
        /// What it asks for.
        change: Change,
        /// Why.
        rationale: Option<String>,
    },
    /// The actor supports an amendment.
    AmendmentSupported {
        /// Which.
        amendment: AmendmentNo,
    },
    /// The actor opposes an amendment.
    AmendmentOpposed {
        /// Which.
        amendment: AmendmentNo,
    },
    /// The proposer withdrew an amendment.
    AmendmentWithdrawn {
        /// Which.
        amendment: AmendmentNo,
    },
    /// The chair recorded the committee's decision on an amendment.
    DecisionRecorded {
        /// Which amendment.
        amendment: AmendmentNo,
        /// What was decided.
        outcome: Outcome,
        /// How.
        method: Method,
        /// What the decision changed in the text (empty unless accepted).
        ops: Vec<ClauseOp>,
    },
    /// A comment was posted.
    CommentPosted {
        /// Its number.
        comment: CommentNo,
        /// The clause it is about; `None` for the whole document.
        clause: Option<ClauseId>,
        /// The stance it takes.
        position: Position,
        /// What it says.
        text: String,
        /// The comment it answers.
        reply_to: Option<CommentNo>,
        /// The consultation question it answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionNo>,
        /// The phase that took it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phase: Option<PhaseNo>,
        /// When it was received, for a response taken in by the secretariat (a web form's
        /// export) rather than posted: the phase that took it was open then. `None` for a
        /// comment posted directly, received when it was recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        received: Option<Timestamp>,
    },
    /// A name was given to a point of the log.
    TagSet {
        /// The name, such as "WHA63.16".
        name: String,
        /// The sequence number it names.
        seq: u64,
    },
    /// A phase of the process opened.
    PhaseOpened {
        /// Its number.
        phase: PhaseNo,
        /// What it is.
        kind: PhaseKind,
        /// Its name.
        name: String,
        /// When it was planned for.
        window: Window,
        /// The roles whose comments it takes.
        admits: Vec<Role>,
    },
    /// A phase closed.
    PhaseClosed {
        /// Which.
        phase: PhaseNo,
    },
    /// The secretariat posed a consultation question.
    QuestionPosed {
        /// Its number.
        question: QuestionNo,
        /// The group it belongs to, such as "Box 2: International recruitment practices".
        group: Option<String>,
        /// What it asks.
        text: String,
        /// The clauses it is about.
        clauses: Vec<ClauseId>,
    },
    /// A participant submitted a report in a reporting round.
    ReportSubmitted {
        /// Its number.
        report: ReportNo,
        /// The reporting round.
        phase: PhaseNo,
        /// What it says.
        text: String,
    },
    /// The chair recorded how far a clause is agreed.
    AgreementRecorded {
        /// The clause.
        clause: ClauseId,
        /// Its status now.
        agreement: Agreement,
    },
    /// A delegation put words of a clause in square brackets: it disputes them.
    TextBracketed {
        /// Its number.
        bracket: BracketNo,
        /// The clause.
        clause: ClauseId,
        /// The disputed words.
        span: String,
    },
    /// The chair lifted a bracket, keeping the words as drafted.
    BracketLifted {
        /// Which.
        bracket: BracketNo,
        /// How it was decided.
        method: Method,
    },
    /// The secretariat set who may read the document without a token.
    VisibilitySet {
        /// Members only, or anyone.
        visibility: Visibility,
    },
    /// A bearer token was issued to a participant (registry stream). Only its digest is kept.
    TokenIssued {
        /// Its id, to name it when revoking.
        token: TokenId,
        /// Whom it authenticates.
        participant: ParticipantId,
        /// SHA-256 of the token.
        digest: Hash,
    },
    /// A token was revoked (registry stream).
    TokenRevoked {
        /// Which.
        token: TokenId,
    },
    /// A participant was made an administrator of the store (registry stream): they may
    /// register participants, create documents, issue tokens and grant this role.
    AdminGranted {
        /// Who.
        participant: ParticipantId,
    },
    /// A participant is no longer an administrator of the store (registry stream).
    AdminRevoked {
        /// Who.
        participant: ParticipantId,
    },
    /// The text was adopted, as it stands at the tag of the same name.
    DocumentAdopted {
        /// The resolution's symbol, such as "WHA63.16".
        symbol: String,
        /// How it was adopted.
        method: Method,
    },
    /// The author of a comment retracted it: it stands as retracted, its text kept in the log.
    CommentRetracted {
        /// Which.
        comment: CommentNo,
    },
    /// A tag set by mistake was withdrawn: its name names no point until it is set again.
    TagWithdrawn {
        /// The name.
        name: String,
        /// The sequence number it named.
        seq: u64,
    },
}

impl Event {
    /// The payload type, as stored in the envelope.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ParticipantRegistered { .. } => "participant_registered",
            Event::DocumentCreated { .. } => "document_created",
            Event::RoleGranted { .. } => "role_granted",
            Event::RoleRevoked { .. } => "role_revoked",
            Event::RevisionIssued { .. } => "revision_issued",
            Event::AmendmentProposed { .. } => "amendment_proposed",
            Event::AmendmentSupported { .. } => "amendment_supported",
            Event::AmendmentOpposed { .. } => "amendment_opposed",
            Event::AmendmentWithdrawn { .. } => "amendment_withdrawn",
            Event::DecisionRecorded { .. } => "decision_recorded",
            Event::CommentPosted { .. } => "comment_posted",
            Event::TagSet { .. } => "tag_set",
            Event::PhaseOpened { .. } => "phase_opened",
            Event::PhaseClosed { .. } => "phase_closed",
            Event::QuestionPosed { .. } => "question_posed",
            Event::ReportSubmitted { .. } => "report_submitted",
            Event::AgreementRecorded { .. } => "agreement_recorded",
            Event::TextBracketed { .. } => "text_bracketed",
            Event::BracketLifted { .. } => "bracket_lifted",
            Event::DocumentAdopted { .. } => "document_adopted",
            Event::VisibilitySet { .. } => "visibility_set",
            Event::TokenIssued { .. } => "token_issued",
            Event::TokenRevoked { .. } => "token_revoked",
            Event::AdminGranted { .. } => "admin_granted",
            Event::AdminRevoked { .. } => "admin_revoked",
            Event::CommentRetracted { .. } => "comment_retracted",
            Event::TagWithdrawn { .. } => "tag_withdrawn",
        }
    }

    /// The current schema version of this payload type. Bump it when the payload's shape
    /// changes, and teach the store's upcaster to read the older form.
    pub fn schema(&self) -> u16 {
        match self {
            // v1 of amendment_proposed could only replace a clause's text.
            Event::AmendmentProposed { .. } => 2,
            _ => 1,
        }
    }

    /// The text operations the event carries, if it changes the text.
    pub fn ops(&self) -> &[ClauseOp] {
        match self {
            Event::RevisionIssued { ops, .. } | Event::DecisionRecorded { ops, .. } => ops,
            _ => &[],
        }
    }

    /// The clauses whose wording the event bears on: those its text operations touch, and the
    /// clause an amendment proposal is about (blame needs the proposer of the amendment that
    /// later rewords it).
    pub fn clauses(&self) -> Vec<ClauseId> {
        let mut out: Vec<ClauseId> = self.ops().iter().map(ClauseOp::clause).collect();
        match self {
            Event::AmendmentProposed { change, .. } => out.push(change.clause()),
            Event::AgreementRecorded { clause, .. } | Event::TextBracketed { clause, .. } => {
                out.push(*clause)
            }
            _ => {}
        }
        out.sort();
        out.dedup();
        out
    }

    /// The amendment the event is about, if any.
    pub fn amendment(&self) -> Option<AmendmentNo> {
        match self {
            Event::AmendmentProposed { amendment, .. }
            | Event::AmendmentSupported { amendment }
            | Event::AmendmentOpposed { amendment }
            | Event::AmendmentWithdrawn { amendment }
            | Event::DecisionRecorded { amendment, .. } => Some(*amendment),
            _ => None,
        }
    }

    /// Every payload type name, for filters and documentation.
    pub const KINDS: &'static [&'static str] = &[
        "participant_registered",
        "document_created",
        "role_granted",
        "role_revoked",
        "revision_issued",
        "amendment_proposed",
        "amendment_supported",
        "amendment_opposed",
        "amendment_withdrawn",
        "decision_recorded",
        "comment_posted",
        "tag_set",
        "phase_opened",
        "phase_closed",
        "question_posed",
        "report_submitted",
        "agreement_recorded",
        "text_bracketed",
        "bracket_lifted",
        "document_adopted",
        "visibility_set",
        "token_issued",
        "token_revoked",
        "admin_granted",
        "admin_revoked",
        "comment_retracted",
        "tag_withdrawn",
    ];
}

/// A SHA-256 digest, shown in hex.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(const_hex::Buffer::<32>::new().format(&self.0))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(const_hex::Buffer::<32>::new().format(&self.0))
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read in place: every stored event holds a hash, and a copy of each cost reading a
        // history measurably.
        struct HexVisitor;
        impl serde::de::Visitor<'_> for HexVisitor {
            type Value = Hash;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a hash as 64 hexadecimal digits")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Hash, E> {
                let mut out = [0u8; 32];
                if s.len() != 64 {
                    return Err(E::invalid_length(s.len(), &self));
                }
                const_hex::decode_to_slice(s, &mut out).map_err(E::custom)?;
                Ok(Hash(out))
            }
        }
        d.deserialize_str(HexVisitor)
    }
}

/// An event as the log holds it: its place in the global order and in its stream, when and by
/// whom it was recorded, and the hash chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Position in the global, gap-free order, from 1.
    pub seq: u64,
    /// The writer's id for the event.
    pub id: EventId,
    /// The stream (document or registry).
    pub stream: StreamId,
    /// Position within the stream, from 1.
    pub version: u64,
    /// When it was recorded.
    pub recorded_at: Timestamp,
    /// Who acted.
    pub actor: ParticipantId,
    /// The schema version the payload was stored with (the payload itself is always current).
    pub schema: u16,
    /// Hash of the event before it in the global order (zero for the first).
    pub prev_hash: Hash,
    /// Hash of this event's stored form.
    pub hash: Hash,
    /// What happened.
    pub event: Event,
}

/// An event ready to be appended: the log gives it its place and hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// The writer's id; a retried append with the same id is recognised, not doubled.
    pub id: EventId,
    /// When it happened.
    pub recorded_at: Timestamp,
    /// Who acted.
    pub actor: ParticipantId,
    /// What happened.
    pub event: Event,
}
