//! Commands, in the imperative, and `decide`: the rules that turn a command into events or
//! refuse it.
//!
//! Every rule of the domain lives here; `evolve` has none. Text changes are validated by
//! applying them to a copy of the state with the same function `evolve` uses.

use crate::document::{AmendmentStatus, DocumentState};
use crate::error::DomainError;
use crate::event::{Change, ClauseOp, Event, Method, Outcome, ParticipantKind, Position, Role};
use crate::ids::{AmendmentNo, ClauseId, CommentNo, DocumentId, ParticipantId};
use crate::point::Point;
use crate::registry::Directory;

/// Longest clause, heading or amendment text accepted, in bytes.
pub const MAX_TEXT: usize = 20_000;
/// Longest comment or rationale accepted, in bytes.
pub const MAX_COMMENT: usize = 20_000;
/// Longest title, label, name or tag accepted, in bytes.
pub const MAX_NAME: usize = 300;

/// Something a participant asks to do in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Give a participant a role.
    GrantRole {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: Role,
    },
    /// Take a role away.
    RevokeRole {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: Role,
    },
    /// Issue a new draft as a list of clause operations.
    IssueRevision {
        /// Its symbol or name.
        label: Option<String>,
        /// What it changes.
        ops: Vec<ClauseOp>,
    },
    /// Propose an amendment.
    ProposeAmendment {
        /// What it asks for.
        change: Change,
        /// Why.
        rationale: Option<String>,
    },
    /// Support an amendment.
    SupportAmendment(AmendmentNo),
    /// Oppose an amendment.
    OpposeAmendment(AmendmentNo),
    /// Withdraw one's own amendment.
    WithdrawAmendment(AmendmentNo),
    /// Record the committee's decision on an amendment.
    RecordDecision {
        /// Which.
        amendment: AmendmentNo,
        /// What was decided.
        outcome: Outcome,
        /// How.
        method: Method,
    },
    /// Comment on a clause or the whole document.
    PostComment {
        /// The clause, or `None` for the document.
        clause: Option<ClauseId>,
        /// The stance taken.
        position: Position,
        /// What it says.
        text: String,
        /// The comment it answers.
        reply_to: Option<CommentNo>,
    },
    /// Name a point of the log.
    SetTag {
        /// The name.
        name: String,
        /// The sequence number it names.
        seq: u64,
    },
}

/// Which roles allow a command (any one of them), and what it is called in a refusal.
fn permission(cmd: &Command) -> (&'static [Role], &'static str) {
    use Role::*;
    match cmd {
        Command::GrantRole { .. } => (&[Secretariat], "grant roles"),
        Command::RevokeRole { .. } => (&[Secretariat], "revoke roles"),
        Command::IssueRevision { .. } => (&[Secretariat], "issue a revision"),
        Command::ProposeAmendment { .. } => (&[Delegate], "propose an amendment"),
        Command::SupportAmendment(_) => (&[Delegate], "support an amendment"),
        Command::OpposeAmendment(_) => (&[Delegate], "oppose an amendment"),
        Command::WithdrawAmendment(_) => (&[Delegate], "withdraw an amendment"),
        Command::RecordDecision { .. } => (&[Chair], "record a decision"),
        Command::PostComment { .. } => {
            (&[Secretariat, Chair, Delegate, Observer, Public], "comment")
        }
        Command::SetTag { .. } => (&[Secretariat, Chair], "set a tag"),
    }
}

/// The role table, for documentation and help: each action and the roles that allow it.
pub fn role_table() -> Vec<(&'static str, &'static [Role])> {
    let probe = AmendmentNo(1);
    [
        Command::IssueRevision {
            label: None,
            ops: vec![],
        },
        Command::ProposeAmendment {
            change: Change::Delete {
                clause: ClauseId(uuid::Uuid::nil()),
            },
            rationale: None,
        },
        Command::SupportAmendment(probe),
        Command::OpposeAmendment(probe),
        Command::WithdrawAmendment(probe),
        Command::RecordDecision {
            amendment: probe,
            outcome: Outcome::Rejected,
            method: Method::Consensus,
        },
        Command::PostComment {
            clause: None,
            position: Position::Neutral,
            text: String::new(),
            reply_to: None,
        },
        Command::SetTag {
            name: String::new(),
            seq: 0,
        },
        Command::GrantRole {
            participant: ParticipantId(uuid::Uuid::nil()),
            role: Role::Public,
        },
        Command::RevokeRole {
            participant: ParticipantId(uuid::Uuid::nil()),
            role: Role::Public,
        },
    ]
    .iter()
    .map(|c| {
        let (roles, action) = permission(c);
        (action, roles)
    })
    .collect()
}

/// Check a command against the document as it stands and turn it into events.
pub fn decide(
    state: &DocumentState,
    actor: ParticipantId,
    directory: &dyn Directory,
    cmd: Command,
) -> Result<Vec<Event>, DomainError> {
    let who = directory
        .participant(actor)
        .ok_or_else(|| DomainError::UnknownParticipant(actor.to_string()))?;
    let (roles, action) = permission(&cmd);
    if !roles.iter().any(|r| state.has_role(actor, *r)) {
        let held: Vec<String> = state
            .roles
            .get(&actor)
            .map(|rs| rs.iter().map(|r| r.to_string()).collect())
            .unwrap_or_default();
        let needed: Vec<&str> = roles.iter().map(|r| r.name()).collect();
        return Err(DomainError::NotAllowed {
            who: who.handle,
            action: action.to_string(),
            document: state.slug.clone(),
            needed: needed.join(" or "),
            held: held.join(", "),
        });
    }

    let event = match cmd {
        Command::GrantRole { participant, role } => {
            let p = directory
                .participant(participant)
                .ok_or_else(|| DomainError::UnknownParticipant(participant.to_string()))?;
            if state.has_role(participant, role) {
                return Err(DomainError::Invalid(format!(
                    "{} already holds the {role} role in {}",
                    p.handle, state.slug
                )));
            }
            Event::RoleGranted { participant, role }
        }
        Command::RevokeRole { participant, role } => {
            let p = directory
                .participant(participant)
                .ok_or_else(|| DomainError::UnknownParticipant(participant.to_string()))?;
            if !state.has_role(participant, role) {
                return Err(DomainError::Invalid(format!(
                    "{} does not hold the {role} role in {}",
                    p.handle, state.slug
                )));
            }
            if role == Role::Secretariat
                && state
                    .roles
                    .iter()
                    .filter(|(_, rs)| rs.contains(&Role::Secretariat))
                    .count()
                    == 1
            {
                return Err(DomainError::Invalid(format!(
                    "{} is the last secretariat of {}; grant the role to someone else first",
                    p.handle, state.slug
                )));
            }
            Event::RoleRevoked { participant, role }
        }
        Command::IssueRevision { label, ops } => {
            if let Some(l) = &label {
                check_name("revision label", l)?;
            }
            if ops.is_empty() {
                return Err(DomainError::Invalid(
                    "the revision changes nothing in the text".into(),
                ));
            }
            check_ops(state, &ops)?;
            // A large revision is recorded as several events with the same number, appended
            // together: each stays well below what one stored event may hold.
            let revision = state.revisions + 1;
            return Ok(revision_parts(ops)
                .into_iter()
                .map(|ops| Event::RevisionIssued {
                    revision,
                    label: label.clone(),
                    ops,
                })
                .collect());
        }
        Command::ProposeAmendment { change, rationale } => {
            if let Some(r) = &rationale {
                check_len("rationale", r, MAX_COMMENT)?;
            }
            check_change(state, &change)?;
            Event::AmendmentProposed {
                amendment: AmendmentNo(state.amendments_proposed + 1),
                change,
                rationale,
            }
        }
        Command::SupportAmendment(no) | Command::OpposeAmendment(no) => {
            let supporting = matches!(cmd, Command::SupportAmendment(_));
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
            if supporting {
                Event::AmendmentSupported { amendment: no }
            } else {
                Event::AmendmentOpposed { amendment: no }
            }
        }
        Command::WithdrawAmendment(no) => {
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
            Event::AmendmentWithdrawn { amendment: no }
        }
        Command::RecordDecision {
            amendment,
            outcome,
            method,
        } => {
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
            if !ops.is_empty() {
                check_ops(state, &ops)?;
            }
            Event::DecisionRecorded {
                amendment,
                outcome,
                method,
                ops,
            }
        }
        Command::PostComment {
            clause,
            position,
            text,
            reply_to,
        } => {
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
            Event::CommentPosted {
                comment: CommentNo(state.comments + 1),
                clause,
                position,
                text,
                reply_to,
            }
        }
        Command::SetTag { name, seq } => {
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
            Event::TagSet { name, seq }
        }
    };
    Ok(vec![event])
}

/// The most text one part of a revision carries, estimated: the store holds at most 96 KiB in
/// one event, and an operation's ids, position and field names take about 200 bytes beside
/// its text.
const REVISION_PART_BYTES: usize = 40 * 1024;

/// Split a revision's operations into parts of at most [`REVISION_PART_BYTES`] (a part holds at
/// least one operation; one clause's text is at most [`MAX_TEXT`]).
fn revision_parts(ops: Vec<ClauseOp>) -> Vec<Vec<ClauseOp>> {
    let size = |op: &ClauseOp| -> usize {
        200 + match op {
            ClauseOp::Add {
                label,
                heading,
                text,
                ..
            } => label.len() + heading.as_ref().map_or(0, String::len) + text.len(),
            ClauseOp::Reword { heading, text, .. } => {
                heading.as_ref().map_or(0, String::len) + text.len()
            }
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
                clause: *clause,
                heading: c.heading.clone(),
                text: modified.unwrap_or(text).clone(),
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
        },
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

/// Check a proposed change against the text as it stands.
fn check_change(state: &DocumentState, change: &Change) -> Result<(), DomainError> {
    match change {
        Change::Replace { clause, text } => {
            let c = state.live(*clause)?;
            if &c.text == text {
                return Err(DomainError::Invalid(format!(
                    "the proposed text is already the text of {}",
                    c.label
                )));
            }
        }
        Change::Insert { .. } | Change::Delete { .. } | Change::Move { .. } => {}
    }
    // Whatever the change, accepting it now must be possible.
    check_ops(state, &change_ops(state, change, None)?)
}

/// Validate operations by applying them to a copy of the state.
fn check_ops(state: &DocumentState, ops: &[ClauseOp]) -> Result<(), DomainError> {
    let mut copy = state.clone();
    for op in ops {
        if let ClauseOp::Add {
            label,
            heading,
            text,
            ..
        } = op
        {
            check_name("label", label)?;
            if let Some(h) = heading {
                check_name("heading", h)?;
            }
            check_len("clause text", text, MAX_TEXT)?;
        }
        if let ClauseOp::Reword { heading, text, .. } = op {
            if let Some(h) = heading {
                check_name("heading", h)?;
            }
            check_len("clause text", text, MAX_TEXT)?;
        }
        if let ClauseOp::Relabel { label, .. } = op {
            check_name("label", label)?;
        }
        copy.apply(op, state.seq + 1)?;
    }
    copy.check_labels()
}

fn check_len(what: &'static str, s: &str, max: usize) -> Result<(), DomainError> {
    if s.len() > max {
        return Err(DomainError::TooLarge {
            what,
            len: s.len(),
            max,
        });
    }
    Ok(())
}

fn check_name(what: &'static str, s: &str) -> Result<(), DomainError> {
    check_len(what, s, MAX_NAME)?;
    if s.trim().is_empty() {
        return Err(DomainError::Invalid(format!("the {what} is empty")));
    }
    if s.chars().any(|c| c.is_control()) {
        return Err(DomainError::Invalid(format!(
            "the {what} '{}' contains control characters",
            s.escape_debug()
        )));
    }
    Ok(())
}

/// Check a handle or slug: lowercase letters, digits, `-`, `_` and `.`, starting with a letter
/// or digit.
pub fn check_handle(what: &'static str, s: &str) -> Result<(), DomainError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(DomainError::Invalid(format!(
            "'{s}' is not a valid {what}: use 1 to 64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit"
        )))
    }
}

/// Register a participant in the store.
pub fn register_participant(
    directory: &dyn Directory,
    id: ParticipantId,
    handle: &str,
    name: &str,
    kind: ParticipantKind,
) -> Result<Event, DomainError> {
    check_handle("participant handle", handle)?;
    check_name("participant name", name)?;
    if directory.participant_by_handle(handle).is_some() {
        return Err(DomainError::Taken {
            what: "participant",
            name: handle.to_string(),
        });
    }
    Ok(Event::ParticipantRegistered {
        participant: id,
        handle: handle.to_string(),
        name: name.to_string(),
        kind,
    })
}

/// Create a document; its creator becomes its secretariat.
pub fn create_document(
    directory: &dyn Directory,
    creator: ParticipantId,
    id: DocumentId,
    slug: &str,
    title: &str,
) -> Result<Vec<Event>, DomainError> {
    check_handle("document name", slug)?;
    check_name("title", title)?;
    if directory.participant(creator).is_none() {
        return Err(DomainError::UnknownParticipant(creator.to_string()));
    }
    if directory.document_by_slug(slug).is_some() {
        return Err(DomainError::Taken {
            what: "document",
            name: slug.to_string(),
        });
    }
    Ok(vec![
        Event::DocumentCreated {
            document: id,
            slug: slug.to_string(),
            title: title.to_string(),
        },
        Event::RoleGranted {
            participant: creator,
            role: Role::Secretariat,
        },
    ])
}
