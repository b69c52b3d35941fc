//! Reading comments and answers at the scale of a public consultation: one way in
//! ([`posted`]), a summary that folds what it gives ([`summary`]), and pages of it with a
//! stable cursor ([`page`]). `questions` and `comments` (`comment list`) read through here, so
//! they count and page alike, and never print an unbounded list.
//!
//! [`posted`] is the only place comments are read from. Today it walks the document's stream;
//! an index of comments per question, clause, participant and phase can take its place behind
//! the same signature without changing a caller.

pub mod page;
pub mod summary;

use std::collections::HashMap;

use travaux_core::{
    ClauseId, CommentNo, DocumentState, Event, Participant, ParticipantId, ParticipantKind,
    PhaseNo, Position, QuestionNo, StreamId, Timestamp,
};
use travaux_store::Store;

use crate::error::CliResult;
use crate::render;

/// Which comments to read: every one of the document, or only those that match each filter
/// given.
#[derive(Clone, Debug, Default)]
pub struct Select {
    /// Only the answers to this question.
    pub question: Option<QuestionNo>,
    /// Only the comments on this clause.
    pub clause: Option<ClauseId>,
    /// Only the comments by this participant.
    pub participant: Option<ParticipantId>,
    /// Only the comments this phase took.
    pub phase: Option<PhaseNo>,
}

impl Select {
    fn matches(&self, p: &Posted) -> bool {
        self.question.is_none_or(|q| p.question == Some(q))
            && self.clause.is_none_or(|c| p.clause == Some(c))
            && self.participant.is_none_or(|who| p.actor == who)
            && self.phase.is_none_or(|ph| p.phase == Some(ph))
    }
}

/// One comment (or answer) as it was posted.
#[derive(Clone, Debug)]
pub struct Posted {
    /// Its number: the cursor pages are cut at.
    pub comment: CommentNo,
    /// The event that posted it.
    pub seq: u64,
    /// When it was received: for a response taken in by `responses import`, the time the
    /// file gives; else when it was recorded.
    pub time: Timestamp,
    /// Who posted it.
    pub actor: ParticipantId,
    /// The clause it is about; `None` for the whole document.
    pub clause: Option<ClauseId>,
    /// The stance it takes.
    pub position: Position,
    /// What it says.
    pub text: String,
    /// The comment it replies to.
    pub reply_to: Option<CommentNo>,
    /// The question it answers.
    pub question: Option<QuestionNo>,
    /// The phase that took it.
    pub phase: Option<PhaseNo>,
}

/// The comments of `doc` that `select` picks, in the order they were posted (by number), from
/// the first after `after` (from the first of all without it).
pub fn posted<'s>(
    store: &'s Store,
    doc: &DocumentState,
    select: &Select,
    after: Option<CommentNo>,
) -> impl Iterator<Item = CliResult<Posted>> + 's {
    let select = select.clone();
    let after = after.map_or(0, |c| c.0);
    store
        .stream(StreamId::document(doc.id))
        .filter_map(move |e| {
            let e = match e {
                Ok(e) => e,
                Err(err) => return Some(Err(err.into())),
            };
            let Event::CommentPosted {
                comment,
                clause,
                position,
                text,
                reply_to,
                question,
                phase,
                received,
            } = e.event
            else {
                return None;
            };
            if comment.0 <= after {
                return None;
            }
            let p = Posted {
                comment,
                seq: e.seq,
                time: received.unwrap_or(e.recorded_at),
                actor: e.actor,
                clause,
                position,
                text,
                reply_to,
                question,
                phase,
            };
            select.matches(&p).then_some(Ok(p))
        })
}

/// What a summary and a page need to know about the document and its people: who each
/// participant is, the clauses' names, the phases', and which comments were retracted.
pub struct Lookup<'d> {
    /// The document at its head.
    pub doc: &'d DocumentState,
    /// Every registered participant, by id.
    pub people: HashMap<ParticipantId, Participant>,
}

impl Lookup<'_> {
    /// A participant's kind, or `None` for one the registry does not hold.
    pub fn kind(&self, id: ParticipantId) -> Option<ParticipantKind> {
        self.people.get(&id).map(|p| p.kind)
    }

    /// What a comment is on: a clause's label, or "the document".
    pub fn on(&self, clause: Option<ClauseId>) -> String {
        clause.map_or_else(|| "the document".into(), |c| render::label(self.doc, c))
    }

    /// The event that retracted a comment, if one did.
    pub fn retracted(&self, comment: CommentNo) -> Option<u64> {
        self.doc.process.retracted_comments.get(&comment).copied()
    }

    /// One comment for tools: the shape of every item of a page.
    pub fn item_json(&self, p: &Posted) -> serde_json::Value {
        let who = self.people.get(&p.actor);
        serde_json::json!({
            "comment": p.comment.to_string(), "seq": p.seq, "time": p.time,
            "actor": p.actor, "handle": who.map(|w| &w.handle), "name": who.map(|w| &w.name),
            "kind": who.map(|w| w.kind),
            "clause": self.on(p.clause), "position": p.position, "text": p.text,
            "reply_to": p.reply_to.map(|c| c.to_string()),
            "question": p.question.map(|q| q.to_string()), "phase": p.phase.map(|ph| ph.to_string()),
            "retracted_seq": self.retracted(p.comment),
        })
    }

    /// One comment for people: a line naming it, then its text indented.
    pub fn item_lines(&self, p: &Posted) -> Vec<String> {
        let name = self
            .people
            .get(&p.actor)
            .map_or_else(|| p.actor.short(), |w| w.name.clone());
        let about = match (p.question, p.reply_to) {
            (Some(q), _) => format!(", answering {q}"),
            (None, Some(c)) => format!(", replying to {c}"),
            _ => String::new(),
        };
        let retracted = self
            .retracted(p.comment)
            .map(|seq| format!(" [retracted at event {seq}]"))
            .unwrap_or_default();
        let mut lines = vec![format!(
            "{} {} {name} on {} ({}{about}){retracted}:",
            p.comment,
            render::when(&p.time),
            self.on(p.clause),
            p.position
        )];
        lines.extend(p.text.lines().map(|l| format!("    {l}")));
        lines
    }
}
