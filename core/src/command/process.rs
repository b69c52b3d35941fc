//! Commands on the process around the text: comments and their retraction, consultation
//! phases, questions and reports, how far a clause is agreed, brackets, visibility, tags and
//! adoption.

use super::checks::{check_len, check_name, MAX_COMMENT, MAX_TEXT};
use super::text::rejected;
use super::Ctx;
use crate::document::DocumentState;
use crate::error::DomainError;
use crate::event::{Event, Method};
use crate::governance::BracketStatus;
use crate::ids::{BracketNo, ClauseId, CommentNo, ParticipantId, PhaseNo, QuestionNo, ReportNo};
use crate::point::Point;
use crate::vocabulary::{Agreement, PhaseKind, Timestamp, Visibility, Window};
use crate::vocabulary::{Position, Role};

/// Post a comment on a clause or the document, in the phase that takes it.
pub(super) fn post_comment(
    cx: &Ctx<'_>,
    clause: Option<ClauseId>,
    position: Position,
    text: String,
    reply_to: Option<CommentNo>,
) -> Result<Vec<Event>, DomainError> {
    let (state, actor, who) = (cx.state, cx.actor, &cx.who);
    check_len("comment", &text, MAX_COMMENT)?;
    if text.trim().is_empty() {
        return Err(DomainError::Invalid("the comment is empty".into()));
    }
    if let Some(c) = clause {
        state.live(c)?;
    }
    if let Some(r) = reply_to {
        if r.0 == 0 || r.0 > state.comments {
            return Err(DomainError::UnknownComment(r));
        }
    }
    Ok(vec![comment(
        state,
        actor,
        &who.handle,
        clause,
        position,
        text,
        reply_to,
        None,
        None,
    )?])
}

/// Answer a consultation question, as a comment.
pub(super) fn answer_question(
    cx: &Ctx<'_>,
    question: QuestionNo,
    clause: Option<ClauseId>,
    position: Position,
    text: String,
) -> Result<Vec<Event>, DomainError> {
    let (state, actor, who) = (cx.state, cx.actor, &cx.who);
    state.question(question)?;
    Ok(vec![comment(
        state,
        actor,
        &who.handle,
        clause,
        position,
        text,
        None,
        Some(question),
        None,
    )?])
}

/// Record a response received earlier, as a comment or an answer, in the phase that was open
/// when it was received.
pub(super) fn record_response(
    cx: &Ctx<'_>,
    question: Option<QuestionNo>,
    clause: Option<ClauseId>,
    position: Position,
    text: String,
    received: Timestamp,
) -> Result<Vec<Event>, DomainError> {
    let (state, actor, who) = (cx.state, cx.actor, &cx.who);
    if let Some(q) = question {
        state.question(q)?;
    }
    Ok(vec![comment(
        state,
        actor,
        &who.handle,
        clause,
        position,
        text,
        None,
        question,
        Some(received),
    )?])
}

/// Retract one's own comment, once.
pub(super) fn retract_comment(
    cx: &Ctx<'_>,
    comment: CommentNo,
    author: ParticipantId,
) -> Result<Vec<Event>, DomainError> {
    let (state, actor, who, directory) = (cx.state, cx.actor, &cx.who, cx.directory);
    if comment.0 == 0 || comment.0 > state.comments {
        return Err(DomainError::UnknownComment(comment));
    }
    if let Some(seq) = state.process.retracted_comments.get(&comment) {
        return Err(DomainError::Invalid(format!(
            "{comment} was already retracted (event {seq})"
        )));
    }
    if author != actor {
        return Err(DomainError::NotTheAuthor {
            who: who.handle.clone(),
            comment,
            author: directory
                .participant(author)
                .map_or_else(|| author.short(), |p| p.handle),
        });
    }
    Ok(vec![Event::CommentRetracted { comment }])
}

/// A comment or an answer, checked, in the phase that takes it.
#[allow(clippy::too_many_arguments)]
fn comment(
    state: &DocumentState,
    actor: ParticipantId,
    handle: &str,
    clause: Option<ClauseId>,
    position: Position,
    text: String,
    reply_to: Option<CommentNo>,
    question: Option<QuestionNo>,
    received: Option<Timestamp>,
) -> Result<Event, DomainError> {
    check_len("comment", &text, MAX_COMMENT)?;
    if text.trim().is_empty() {
        return Err(DomainError::Invalid("the comment is empty".into()));
    }
    if let Some(c) = clause {
        state.live(c)?;
    }
    let phase = match received {
        None => admitting_phase(state, actor, handle, "comments", |_| true)?,
        Some(t) => phase_open_at(state, actor, handle, t)?,
    };
    Ok(Event::CommentPosted {
        comment: CommentNo(state.comments + 1),
        clause,
        position,
        text,
        reply_to,
        question,
        phase: Some(phase),
        received,
    })
}

/// The phase (the one opened last, if several) that admits the actor's role and was open at
/// `received`, closed since or not; or an error naming the phases and when they were held.
fn phase_open_at(
    state: &DocumentState,
    actor: ParticipantId,
    handle: &str,
    received: Timestamp,
) -> Result<PhaseNo, DomainError> {
    let roles = state.roles.get(&actor).cloned().unwrap_or_default();
    let admitting: Vec<&crate::governance::Phase> = state
        .process
        .phases
        .iter()
        .filter(|p| p.admits_any(&roles))
        .collect();
    if let Some(p) = admitting
        .iter()
        .rfind(|p| p.opened_at <= received && p.closed_at.is_none_or(|c| received <= c))
    {
        return Ok(p.no);
    }
    if admitting.is_empty() {
        // No phase admits the participant's roles: the same refusal as a comment posted now.
        return admitting_phase(state, actor, handle, "comments", |_| true);
    }
    let held: Vec<String> = admitting.iter().map(|p| p.describe()).collect();
    Err(DomainError::Invalid(format!(
        "received {} from {handle}, when no phase of {} taking it was open; its phases: {}",
        received.format("%Y-%m-%d %H:%M:%S UTC"),
        state.slug,
        held.join("; ")
    )))
}

/// The open phase (the one opened last, if several) that takes what the actor brings, or an
/// error listing the phases and their windows.
fn admitting_phase(
    state: &DocumentState,
    actor: ParticipantId,
    handle: &str,
    what: &'static str,
    fits: impl Fn(&crate::governance::Phase) -> bool,
) -> Result<PhaseNo, DomainError> {
    let roles = state.roles.get(&actor).cloned().unwrap_or_default();
    if let Some(p) = state
        .open_phases()
        .filter(|p| fits(p) && p.admits_any(&roles))
        .last()
    {
        return Ok(p.no);
    }
    let held: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    let phases: Vec<String> = state
        .process
        .phases
        .iter()
        .filter(|p| fits(p))
        .map(|p| {
            let admits: Vec<&str> = p.admits.iter().map(|r| r.name()).collect();
            format!("{}, taking {}", p.describe(), admits.join(", "))
        })
        .collect();
    let kind = if what == "reports" {
        "reporting round"
    } else {
        "phase"
    };
    if phases.is_empty() {
        return Err(DomainError::NoPhaseOpened {
            document: state.slug.clone(),
            what,
            kind,
        });
    }
    Err(DomainError::Invalid(format!(
        "no open {kind} of {} takes {what} from {handle} ({}); its phases: {}",
        state.slug,
        if held.is_empty() {
            "no role".to_string()
        } else {
            held.join(", ")
        },
        phases.join("; ")
    )))
}

/// Open a phase of the process.
pub(super) fn open_phase(
    state: &DocumentState,
    kind: PhaseKind,
    name: String,
    window: Window,
    admits: Option<Vec<Role>>,
) -> Result<Vec<Event>, DomainError> {
    check_name("phase name", &name)?;
    if let (Some(from), Some(until)) = (window.from, window.until) {
        if from > until {
            return Err(DomainError::Invalid(format!(
                "the phase cannot end ({until}) before it begins ({from})"
            )));
        }
    }
    let mut admits = admits.unwrap_or_else(|| kind.default_admits().to_vec());
    admits.sort();
    admits.dedup();
    if admits.is_empty() {
        return Err(DomainError::Invalid(
            "a phase must take comments from at least one role".into(),
        ));
    }
    Ok(vec![Event::PhaseOpened {
        phase: PhaseNo(state.process.phases.len() as u32 + 1),
        kind,
        name,
        window,
        admits,
    }])
}

/// Close an open phase.
pub(super) fn close_phase(state: &DocumentState, no: PhaseNo) -> Result<Vec<Event>, DomainError> {
    let p = state.phase(no)?;
    if let Some(seq) = p.closed_seq {
        return Err(DomainError::Invalid(format!(
            "{} was already closed (event {seq})",
            p.describe()
        )));
    }
    Ok(vec![Event::PhaseClosed { phase: no }])
}

/// Pose a consultation question about some clauses.
pub(super) fn pose_question(
    state: &DocumentState,
    group: Option<String>,
    text: String,
    clauses: Vec<ClauseId>,
) -> Result<Vec<Event>, DomainError> {
    if let Some(g) = &group {
        check_name("question group", g)?;
    }
    check_len("question", &text, MAX_COMMENT)?;
    if text.trim().is_empty() {
        return Err(DomainError::Invalid("the question is empty".into()));
    }
    for c in &clauses {
        state.live(*c)?;
    }
    Ok(vec![Event::QuestionPosed {
        question: QuestionNo(state.process.questions.len() as u32 + 1),
        group,
        text,
        clauses,
    }])
}

/// Submit a report in the open reporting round.
pub(super) fn submit_report(cx: &Ctx<'_>, text: String) -> Result<Vec<Event>, DomainError> {
    let (state, actor, who) = (cx.state, cx.actor, &cx.who);
    check_len("report", &text, MAX_COMMENT)?;
    if text.trim().is_empty() {
        return Err(DomainError::Invalid("the report is empty".into()));
    }
    let phase = admitting_phase(state, actor, &who.handle, "reports", |p| {
        p.kind == PhaseKind::ReportingRound
    })?;
    Ok(vec![Event::ReportSubmitted {
        report: ReportNo(state.process.reports + 1),
        phase,
        text,
    }])
}

/// Record how far a clause is agreed; a clause with open brackets is not agreed.
pub(super) fn record_agreement(
    state: &DocumentState,
    clause: ClauseId,
    agreement: Agreement,
) -> Result<Vec<Event>, DomainError> {
    let c = state.live(clause)?;
    let now = state.agreement_of(clause);
    if now == agreement {
        return Err(DomainError::Invalid(format!(
            "clause {} is already {}",
            c.label,
            agreement.words()
        )));
    }
    if agreement.is_locked() {
        let open: Vec<String> = state
            .open_brackets_on(c)
            .iter()
            .map(|b| b.no.to_string())
            .collect();
        if !open.is_empty() {
            return Err(DomainError::Invalid(format!(
                        "clause {} still has open brackets ({}); resolve or lift them before recording it as {}",
                        c.label,
                        open.join(", "),
                        agreement.words()
                    )));
        }
    }
    Ok(vec![Event::AgreementRecorded { clause, agreement }])
}

/// Bracket words that occur once in an open clause, overlapping no open bracket.
pub(super) fn bracket_text(
    state: &DocumentState,
    clause: ClauseId,
    span: String,
) -> Result<Vec<Event>, DomainError> {
    let c = state.live(clause)?;
    check_len("bracketed text", &span, MAX_TEXT)?;
    if span.trim().is_empty() {
        return Err(DomainError::Invalid(
            "the words to bracket are empty".into(),
        ));
    }
    let agreement = state.agreement_of(clause);
    if agreement.is_locked() {
        return Err(DomainError::LockedToBrackets {
            clause: c.label.clone(),
            agreement,
        });
    }
    let start = match c
        .text
        .match_indices(&span)
        .map(|(i, _)| i)
        .collect::<Vec<_>>()[..]
    {
        [one] => one,
        [] => {
            return Err(DomainError::Invalid(format!(
                "'{span}' is not in the text of {}",
                c.label
            )))
        }
        ref many => {
            return Err(DomainError::Invalid(format!(
                "'{span}' occurs {} times in {}; bracket a longer passage that occurs once",
                many.len(),
                c.label
            )))
        }
    };
    let end = start + span.len();
    for b in state.open_brackets_on(c) {
        if let Some(s) = c.text.find(&b.span) {
            if s < end && start < s + b.span.len() {
                return Err(DomainError::Invalid(format!(
                    "'{span}' overlaps {} ('{}') in {}; brackets do not nest or overlap",
                    b.no, b.span, c.label
                )));
            }
        }
    }
    Ok(vec![Event::TextBracketed {
        bracket: BracketNo(state.process.brackets.len() as u32 + 1),
        clause,
        span,
    }])
}

/// Lift an open bracket; its open alternatives are rejected with it.
pub(super) fn lift_bracket(
    state: &DocumentState,
    bracket: BracketNo,
    method: Method,
) -> Result<Vec<Event>, DomainError> {
    let b = state.bracket(bracket)?;
    if b.status != BracketStatus::Open {
        return Err(DomainError::Invalid(format!(
            "bracket {bracket} is already {}; there is nothing to lift",
            b.status.name()
        )));
    }
    let mut events = vec![Event::BracketLifted {
        bracket,
        method: method.clone(),
    }];
    events.extend(state.alternatives(bracket).map(|a| rejected(a.no, &method)));
    Ok(events)
}

/// Set who may read the document without a token.
pub(super) fn set_visibility(
    state: &DocumentState,
    visibility: Visibility,
) -> Result<Vec<Event>, DomainError> {
    if state.process.visibility == visibility {
        return Err(DomainError::Invalid(format!(
            "{} is already readable by {}",
            state.slug,
            if visibility == crate::vocabulary::Visibility::Public {
                "anyone"
            } else {
                "its members only"
            }
        )));
    }
    Ok(vec![Event::VisibilitySet { visibility }])
}

/// A tag, checked: a new name that reads back as itself, on an event of the document.
pub(super) fn tag(state: &DocumentState, name: String, seq: u64) -> Result<Event, DomainError> {
    check_name("tag", &name)?;
    // A tag must read back as itself where a point is expected.
    if name.trim() != name || name.parse::<Point>() != Ok(Point::Tag(name.clone())) {
        return Err(DomainError::Invalid(format!(
            "'{name}' cannot be a tag: it reads as a point of its own (a number, a date, head, or a seq:/time:/tag: form)"
        )));
    }
    if let Some(at) = state.tags.get(&name) {
        return Err(DomainError::Invalid(format!(
            "tag '{name}' already names event {at}; tags do not move"
        )));
    }
    if seq > state.seq {
        return Err(DomainError::Invalid(format!(
            "event {seq} is beyond the document's last event ({})",
            state.seq
        )));
    }
    Ok(Event::TagSet { name, seq })
}

/// A tag withdrawn, checked: one that names a point now, and not the adopted text's.
pub(super) fn withdraw_tag(state: &DocumentState, name: String) -> Result<Event, DomainError> {
    let Some(&seq) = state.tags.get(&name) else {
        return Err(DomainError::Unknown { what: "tag", name });
    };
    if let Some(a) = state.process.adopted.as_ref().filter(|a| a.symbol == name) {
        return Err(DomainError::Invalid(format!(
            "tag '{name}' names the text adopted at event {}; an adoption's tag cannot be withdrawn",
            a.seq
        )));
    }
    Ok(Event::TagWithdrawn { name, seq })
}

/// Adopt the text as it stands: no open bracket or amendment left; its symbol a tag.
pub(super) fn adopt(
    state: &DocumentState,
    symbol: String,
    method: Method,
) -> Result<Vec<Event>, DomainError> {
    let open_brackets: Vec<String> = state
        .process
        .brackets
        .values()
        .filter(|b| b.status == BracketStatus::Open)
        .map(|b| b.no.to_string())
        .collect();
    if !open_brackets.is_empty() {
        return Err(DomainError::Invalid(format!(
            "the text still has open brackets ({}); resolve or lift them before adoption",
            open_brackets.join(", ")
        )));
    }
    let open: Vec<String> = state
        .amendments
        .values()
        .filter(|a| a.status.is_open())
        .map(|a| a.no.to_string())
        .collect();
    if !open.is_empty() {
        return Err(DomainError::Invalid(format!(
                    "amendments still await a decision ({}); decide them, or have them withdrawn, before adoption",
                    open.join(", ")
                )));
    }
    let mut events = Vec::new();
    match state.tags.get(&symbol) {
                Some(at) if *at < state.process.text_seq => {
                    return Err(DomainError::Invalid(format!(
                        "tag '{symbol}' names event {at}, before the last change to the text (event {}); the text adopted is the text as it stands",
                        state.process.text_seq
                    )))
                }
                Some(_) => {}
                None => events.push(tag(state, symbol.clone(), state.seq)?),
            }
    events.push(Event::DocumentAdopted { symbol, method });
    Ok(events)
}
