//! Commands on the text: revisions and renumbering, amendments (proposed, supported, opposed,
//! withdrawn) and the decisions on them. A list of clause operations is checked by applying it
//! to a copy of the state (`check_ops`), with the function `evolve` uses.

use super::checks::{
    check_clause_text, check_label, check_len, check_name, notes_len, MAX_COMMENT, MAX_TEXT,
};
use super::Ctx;
use crate::document::{AmendmentStatus, DocumentState};
use crate::error::DomainError;
use crate::event::{Change, ClauseKind, ClauseOp, Event, Method, Outcome};
use crate::governance::BracketStatus;
use crate::ids::{AmendmentNo, ClauseId};
use crate::vocabulary::Agreement;

/// Issue a revision: its operations checked, split into parts of one revision number.
pub(super) fn issue_revision(
    state: &DocumentState,
    label: Option<String>,
    title: Option<String>,
    ops: Vec<ClauseOp>,
) -> Result<Vec<Event>, DomainError> {
    if let Some(l) = &label {
        check_name("revision label", l)?;
    }
    if let Some(t) = &title {
        check_name("title", t)?;
        if t.trim().is_empty() {
            return Err(DomainError::Invalid("the title is empty".into()));
        }
    }
    let title = title.filter(|t| *t != state.title);
    if ops.is_empty() && title.is_none() {
        return Err(DomainError::Invalid(
            "the revision changes nothing in the text".into(),
        ));
    }
    check_ops(state, &ops)?;
    check_unlocked(state, &ops, None)?;
    // A large revision is recorded as several events with the same number, appended
    // together: each stays well below what one stored event may hold.
    let revision = state.revisions + 1;
    let mut parts = revision_parts(ops);
    if parts.is_empty() {
        parts.push(Vec::new());
    }
    let mut title = title;
    Ok(parts
        .into_iter()
        .map(|ops| Event::RevisionIssued {
            revision,
            label: label.clone(),
            title: title.take(),
            ops,
        })
        .collect())
}

/// Put the labels in sequence: a revision of relabel (and reword) operations.
pub(super) fn renumber(
    state: &DocumentState,
    under: Option<ClauseId>,
    references: bool,
    label: Option<String>,
) -> Result<Vec<Event>, DomainError> {
    let label = label.unwrap_or_else(|| "renumbered".to_string());
    check_name("revision label", &label)?;
    let plan = crate::renumber::renumber(state, under, references)?;
    if plan.is_empty() {
        return Err(DomainError::Invalid(
            "the labels are already in sequence: there is nothing to renumber".into(),
        ));
    }
    // Renumbering is editorial: it relabels agreed clauses, and rewrites in their words
    // only the numbers that cite a renumbered clause (to cite the same clause), so the
    // rule that agreed clauses are closed to change is not asked here.
    check_ops(state, &plan.ops)?;
    let revision = state.revisions + 1;
    Ok(revision_parts(plan.ops)
        .into_iter()
        .map(|ops| Event::RevisionIssued {
            title: None,
            revision,
            label: Some(label.clone()),
            ops,
        })
        .collect())
}

/// Propose an amendment, its change checked and anchored.
pub(super) fn propose(
    state: &DocumentState,
    change: Change,
    rationale: Option<String>,
) -> Result<Vec<Event>, DomainError> {
    if let Some(r) = &rationale {
        check_len("rationale", r, MAX_COMMENT)?;
    }
    let change = check_change(state, change)?;
    Ok(vec![Event::AmendmentProposed {
        amendment: AmendmentNo(state.amendments_proposed + 1),
        change,
        rationale,
    }])
}

/// Support (or, with `supporting` false, oppose) an open amendment of someone else's.
pub(super) fn support(
    cx: &Ctx<'_>,
    no: AmendmentNo,
    supporting: bool,
) -> Result<Vec<Event>, DomainError> {
    let (state, actor, who) = (cx.state, cx.actor, &cx.who);
    let a = state.amendment(no)?;
    if !a.status.is_open() {
        return Err(closed(
            no,
            &a.status,
            "it can no longer be supported or opposed",
        ));
    }
    if a.proposer == actor {
        return Err(DomainError::Invalid(format!(
            "{} proposed {no}; a proposer neither supports nor opposes their own amendment",
            who.handle
        )));
    }
    let (already, word) = if supporting {
        (a.supporters.contains(&actor), "supports")
    } else {
        (a.opposers.contains(&actor), "opposes")
    };
    if already {
        return Err(DomainError::Invalid(format!(
            "{} already {word} {no}",
            who.handle
        )));
    }
    Ok(vec![if supporting {
        Event::AmendmentSupported { amendment: no }
    } else {
        Event::AmendmentOpposed { amendment: no }
    }])
}

/// Withdraw one's own open amendment.
pub(super) fn withdraw(cx: &Ctx<'_>, no: AmendmentNo) -> Result<Vec<Event>, DomainError> {
    let (state, actor, directory) = (cx.state, cx.actor, cx.directory);
    let a = state.amendment(no)?;
    if a.proposer != actor {
        let proposer = directory
            .participant(a.proposer)
            .map(|p| p.handle)
            .unwrap_or_else(|| a.proposer.to_string());
        return Err(DomainError::Invalid(format!(
            "only its proposer ({proposer}) may withdraw {no}"
        )));
    }
    if !a.status.is_open() {
        return Err(closed(no, &a.status, "there is nothing left to withdraw"));
    }
    Ok(vec![Event::AmendmentWithdrawn { amendment: no }])
}

/// Record a decision on an open amendment: its operations if accepted, the reopening of its
/// clause if asked, the rival alternatives rejected if it resolves a bracket.
pub(super) fn record_decision(
    state: &DocumentState,
    amendment: AmendmentNo,
    outcome: Outcome,
    method: Method,
    reopen: bool,
) -> Result<Vec<Event>, DomainError> {
    let a = state.amendment(amendment)?;
    if !a.status.is_open() {
        return Err(closed(
            amendment,
            &a.status,
            "a decision is recorded once (only a deferred amendment is decided again)",
        ));
    }
    if let Method::Vote { yes, no, abstain } = method {
        if yes == 0 && no == 0 && abstain == 0 {
            return Err(DomainError::Invalid(
                "a vote needs at least one vote cast".into(),
            ));
        }
    }
    let ops = match &outcome {
        Outcome::Accepted => change_ops(state, &a.change, None)?,
        Outcome::AcceptedAsModified { text } => {
            check_len("final wording", text, MAX_TEXT)?;
            change_ops(state, &a.change, Some(text))?
        }
        Outcome::Rejected | Outcome::Deferred => Vec::new(),
    };
    let clause = a.change.clause();
    let mut events = Vec::new();
    if reopen {
        if !state.agreement_of(clause).is_locked() {
            return Err(DomainError::NothingToReopen {
                clause: state.label_of(clause).unwrap_or("?").to_string(),
            });
        }
        events.push(Event::AgreementRecorded {
            clause,
            agreement: Agreement::Open,
        });
    }
    if !ops.is_empty() {
        check_ops(state, &ops)?;
        check_unlocked(state, &ops, reopen.then_some(clause))?;
    }
    // Accepting one alternative resolves its bracket: the others are rejected with it.
    let rivals: Vec<AmendmentNo> = match (&a.change, ops.is_empty()) {
        (Change::Alternative { bracket, .. }, false) => state
            .alternatives(*bracket)
            .map(|r| r.no)
            .filter(|no| *no != amendment)
            .collect(),
        _ => Vec::new(),
    };
    events.push(Event::DecisionRecorded {
        amendment,
        outcome,
        method: method.clone(),
        ops,
    });
    events.extend(rivals.into_iter().map(|no| rejected(no, &method)));
    Ok(events)
}

/// A decision rejecting an amendment, made as part of another decision.
pub(super) fn rejected(amendment: AmendmentNo, method: &Method) -> Event {
    Event::DecisionRecorded {
        amendment,
        outcome: Outcome::Rejected,
        method: method.clone(),
        ops: Vec::new(),
    }
}

/// Check that operations leave agreed clauses alone, except the one a decision reopens.
fn check_unlocked(
    state: &DocumentState,
    ops: &[ClauseOp],
    reopened: Option<ClauseId>,
) -> Result<(), DomainError> {
    for op in ops {
        let clause = op.clause();
        let agreement = state.agreement_of(clause);
        if agreement.is_locked() && Some(clause) != reopened {
            let label = state.label_of(clause).unwrap_or("?");
            return Err(DomainError::Locked {
                clause: label.to_string(),
                agreement,
            });
        }
    }
    Ok(())
}

/// The most text one part of a revision carries, estimated (an operation's ids, position and
/// field names take about 200 bytes beside its text): a part is an event, and an event is
/// stored in a block of sixteen that later appends extend, so parts stay small. One operation
/// larger than this (a clause of up to [`MAX_TEXT`]) is a part of its own.
const REVISION_PART_BYTES: usize = 40 * 1024;

/// Split a revision's operations into parts of at most [`REVISION_PART_BYTES`] (a part holds at
/// least one operation; one clause's text and notes are at most [`MAX_TEXT`]).
fn revision_parts(ops: Vec<ClauseOp>) -> Vec<Vec<ClauseOp>> {
    let size = |op: &ClauseOp| -> usize {
        200 + match op {
            ClauseOp::Add {
                label,
                heading,
                text,
                notes,
                ..
            } => {
                label.len()
                    + heading.as_ref().map_or(0, String::len)
                    + text.len()
                    + notes_len(notes)
            }
            ClauseOp::Reword {
                heading,
                text,
                notes,
                ..
            } => heading.as_ref().map_or(0, String::len) + text.len() + notes_len(notes),
            ClauseOp::Relabel { label, .. } => label.len(),
            ClauseOp::Remove { .. } | ClauseOp::Move { .. } => 0,
        }
    };
    let mut parts: Vec<Vec<ClauseOp>> = Vec::new();
    let mut current = 0;
    for op in ops {
        let n = size(&op);
        match parts.last_mut() {
            Some(part) if current + n <= REVISION_PART_BYTES => {
                current += n;
                part.push(op);
            }
            _ => {
                current = n;
                parts.push(vec![op]);
            }
        }
    }
    parts
}

fn closed(no: AmendmentNo, status: &AmendmentStatus, hint: &'static str) -> DomainError {
    DomainError::AmendmentClosed {
        amendment: no,
        status: match status {
            AmendmentStatus::Withdrawn { .. } => "withdrawn".into(),
            other => format!("already decided ({})", other.name()),
        },
        hint,
    }
}
/// The clause operations that accepting a change makes, optionally with a modified wording.
fn change_ops(
    state: &DocumentState,
    change: &Change,
    modified: Option<&String>,
) -> Result<Vec<ClauseOp>, DomainError> {
    let op = match change {
        Change::Replace { clause, text } => {
            let c = state.live(*clause)?;
            ClauseOp::Reword {
                kind: None,
                clause: *clause,
                heading: c.heading.clone(),
                text: modified.unwrap_or(text).clone(),
                notes: c.notes.clone(),
            }
        }
        Change::Insert {
            clause,
            parent,
            after,
            label,
            text,
        } => ClauseOp::Add {
            clause: *clause,
            parent: *parent,
            after: *after,
            label: label.clone(),
            heading: None,
            text: modified.unwrap_or(text).clone(),
            // The kind of the clause it follows, or of the first under its parent; under a
            // parent with nothing under it, the kind that goes under the parent's.
            kind: after
                .or_else(|| parent.and_then(|p| state.clause(p)?.children.first().copied()))
                .or_else(|| {
                    parent
                        .is_none()
                        .then(|| state.roots().first().copied())
                        .flatten()
                })
                .and_then(|s| state.clause(s))
                .map(|s| s.kind(state))
                .or_else(|| {
                    let p = state.clause((*parent)?)?;
                    Some(match p.kind(state) {
                        ClauseKind::Paragraph | ClauseKind::Point | ClauseKind::Indent => {
                            ClauseKind::Point
                        }
                        ClauseKind::Article | ClauseKind::Recital => ClauseKind::Paragraph,
                        _ => ClauseKind::Article,
                    })
                }),
            notes: Vec::new(),
        },
        Change::Alternative {
            clause,
            bracket,
            text,
        } => {
            let c = state.live(*clause)?;
            let b = state.bracket(*bracket)?;
            if b.status != BracketStatus::Open {
                return Err(DomainError::Invalid(format!(
                    "bracket {bracket} is already {}; this alternative can only be rejected",
                    b.status.name()
                )));
            }
            if !c.text.contains(&b.span) {
                return Err(DomainError::Invalid(format!(
                    "the bracketed words of {bracket} are no longer in {}",
                    c.label
                )));
            }
            ClauseOp::Reword {
                kind: None,
                clause: *clause,
                heading: c.heading.clone(),
                text: c.text.replacen(&b.span, modified.unwrap_or(text), 1),
                notes: c.notes.clone(),
            }
        }
        Change::Words { clause, edit } => {
            let c = state.live(*clause)?;
            let text = match modified {
                Some(text) => text.clone(),
                None => edit
                    .apply(&c.text)
                    .map_err(|e| words_error(state, *clause, edit, e))?
                    .text(),
            };
            ClauseOp::Reword {
                kind: None,
                clause: *clause,
                heading: c.heading.clone(),
                text,
                notes: c.notes.clone(),
            }
        }
        Change::Delete { clause } | Change::Move { clause, .. } if modified.is_some() => {
            let _ = clause;
            return Err(DomainError::Invalid(format!(
                "a {} amendment has no wording to modify; accept or reject it",
                change.kind()
            )));
        }
        Change::Delete { clause } => ClauseOp::Remove { clause: *clause },
        Change::Move {
            clause,
            parent,
            after,
        } => ClauseOp::Move {
            clause: *clause,
            parent: *parent,
            after: *after,
        },
    };
    Ok(vec![op])
}

/// Check a proposed change against the text as it stands, and give it as it is recorded (a
/// word-level change anchored to its words' context).
fn check_change(state: &DocumentState, change: Change) -> Result<Change, DomainError> {
    let change = match change {
        Change::Words { clause, edit } => {
            let c = state.live(clause)?;
            check_len("words", &edit.words, MAX_TEXT)?;
            check_len("new words", &edit.by, MAX_TEXT)?;
            let edit = edit
                .clone()
                .anchor(&c.text)
                .map_err(|e| words_error(state, clause, &edit, e))?;
            Change::Words { clause, edit }
        }
        other => other,
    };
    match &change {
        Change::Replace { clause, text } => {
            let c = state.live(*clause)?;
            if text.trim().is_empty() {
                return Err(DomainError::EmptyProposal {
                    clause: state.address_of(*clause),
                    blank: !text.is_empty(),
                });
            }
            if &c.text == text {
                return Err(DomainError::Invalid(format!(
                    "the proposed text is already the text of {}",
                    c.label
                )));
            }
        }
        Change::Alternative {
            clause,
            bracket,
            text,
        } => {
            let b = state.bracket(*bracket)?;
            if b.clause != *clause {
                return Err(DomainError::Invalid(format!(
                    "bracket {bracket} is in {}, not in {}",
                    state.label_of(b.clause).unwrap_or("?"),
                    state.label_of(*clause).unwrap_or("?")
                )));
            }
            check_len("alternative", text, MAX_TEXT)?;
            if !text.is_empty() && text.trim().is_empty() {
                return Err(DomainError::Invalid(format!(
                    "the alternative to {bracket} is only spaces; to propose taking the bracketed words out, give an empty text (\"\")"
                )));
            }
            if *text == b.span {
                return Err(DomainError::Invalid(format!(
                    "the alternative is the bracketed text of {bracket} itself (Alt 1)"
                )));
            }
        }
        Change::Insert { label, text, .. } => {
            if text.trim().is_empty() {
                return Err(DomainError::Invalid(format!(
                    "the proposed text of the new clause {label} is empty{}; give its wording",
                    blank_note(text)
                )));
            }
        }
        Change::Delete { .. } | Change::Move { .. } | Change::Words { .. } => {}
    }
    // Whatever the change, accepting it now must be possible.
    check_ops(state, &change_ops(state, &change, None)?)?;
    Ok(change)
}

/// How a blank text is described: "" when empty, " (only spaces)" when it holds only them.
fn blank_note(text: &str) -> &'static str {
    if text.is_empty() {
        ""
    } else {
        " (only spaces)"
    }
}

/// A word-level change that cannot be anchored or applied, in words naming the clause.
fn words_error(
    state: &DocumentState,
    clause: ClauseId,
    edit: &crate::words::WordEdit,
    e: crate::words::WordsError,
) -> DomainError {
    DomainError::Words {
        clause: state.address_of(clause),
        edit: Box::new(edit.clone()),
        error: e,
    }
}

/// Validate operations by applying them to a copy of the state.
fn check_ops(state: &DocumentState, ops: &[ClauseOp]) -> Result<(), DomainError> {
    let mut copy = state.clone();
    for op in ops {
        if let ClauseOp::Add {
            label,
            heading,
            text,
            notes,
            ..
        } = op
        {
            check_label(label)?;
            if let Some(h) = heading {
                check_name("heading", h)?;
            }
            check_clause_text(text, notes)?;
        }
        if let ClauseOp::Reword {
            heading,
            text,
            notes,
            ..
        } = op
        {
            if let Some(h) = heading {
                check_name("heading", h)?;
            }
            check_clause_text(text, notes)?;
        }
        if let ClauseOp::Relabel { label, .. } = op {
            check_label(label)?;
        }
        copy.apply(op, state.seq + 1)?;
    }
    // A label given that equals a sibling's once normalized: named against that sibling.
    for op in ops {
        let (ClauseOp::Add { clause, .. } | ClauseOp::Relabel { clause, .. }) = op else {
            continue;
        };
        if let Some(other) = copy.sibling_written_otherwise(*clause) {
            let (label, theirs) = (&copy.clauses[clause].label, &copy.clauses[&other].label);
            let named = if state.clauses.contains_key(&other) {
                state.address_of(other)
            } else {
                copy.address_of(other)
            };
            let under = copy.clauses[clause]
                .parent
                .map(|p| format!("under {}", copy.address_of(p)))
                .unwrap_or_else(|| "at the top level".into());
            return Err(DomainError::Invalid(format!(
                "the label '{label}' reads '{theirs}' once normalized (Unicode NFKC: full-width and compatibility characters read as plain ones), the label of its sibling {named} {under}; labels must differ among the clauses under one clause"
            )));
        }
    }
    copy.check_labels()
}
