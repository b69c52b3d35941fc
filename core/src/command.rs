//! Commands, in the imperative, and `decide`: the rules that turn a command into events or
//! refuse it.
//!
//! Every rule of the domain lives here; `evolve` has none. Text changes are validated by
//! applying them to a copy of the state with the same function `evolve` uses.

use crate::admin::{check_admin, check_registrar, Acting};
use crate::document::{AmendmentStatus, DocumentState};
use crate::error::DomainError;
use crate::event::{
    Change, ClauseKind, ClauseOp, Event, Method, Note, Outcome, ParticipantKind, Position, Role,
};
use crate::governance::{Agreement, BracketStatus, PhaseKind, Window};
use crate::ids::{
    AmendmentNo, BracketNo, ClauseId, CommentNo, DocumentId, ParticipantId, PhaseNo, QuestionNo,
    ReportNo,
};
use crate::point::Point;
use crate::registry::Directory;

/// Longest clause text accepted, in bytes, its notes included: the text of a clause, of an
/// amendment's wording, of an alternative or a bracketed span. Real texts have clauses this
/// long (a definitions section); the store splits what it stores, not what a clause may hold.
pub const MAX_TEXT: usize = 1 << 20;
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
        /// The document's new title, if the revision changes it.
        title: Option<String>,
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
        /// Reopen the agreed clause the amendment changes, in the same decision.
        reopen: bool,
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
    /// Retract one's own comment. `author` is who posted it, as the log says: the caller reads
    /// it from the comment's event (a fact that never changes, as the `Directory` gives facts
    /// about participants), so the state need not hold every comment's author.
    RetractComment {
        /// Which.
        comment: CommentNo,
        /// Who posted it.
        author: ParticipantId,
    },
    /// Withdraw a tag set by mistake; its name may then be set again.
    WithdrawTag {
        /// The name.
        name: String,
    },
    /// Name a point of the log.
    SetTag {
        /// The name.
        name: String,
        /// The sequence number it names.
        seq: u64,
    },
    /// Open a phase of the process.
    OpenPhase {
        /// What it is.
        kind: PhaseKind,
        /// Its name.
        name: String,
        /// When it is planned for.
        window: Window,
        /// The roles whose comments it takes; `None` for the kind's default.
        admits: Option<Vec<Role>>,
    },
    /// Close a phase.
    ClosePhase(PhaseNo),
    /// Pose a consultation question.
    PoseQuestion {
        /// The group it belongs to, such as "Box 2: International recruitment practices".
        group: Option<String>,
        /// What it asks.
        text: String,
        /// The clauses it is about.
        clauses: Vec<ClauseId>,
    },
    /// Answer a consultation question, as a comment.
    AnswerQuestion {
        /// The question.
        question: QuestionNo,
        /// The clause the answer is about, if any.
        clause: Option<ClauseId>,
        /// The stance taken.
        position: Position,
        /// What it says.
        text: String,
    },
    /// Submit a report in the open reporting round.
    SubmitReport {
        /// What it says.
        text: String,
    },
    /// Record how far a clause is agreed.
    RecordAgreement {
        /// The clause.
        clause: ClauseId,
        /// Its status from now on.
        agreement: Agreement,
    },
    /// Put words of a clause in square brackets.
    BracketText {
        /// The clause.
        clause: ClauseId,
        /// The disputed words; they must occur once in the clause.
        span: String,
    },
    /// Lift a bracket, keeping the words as drafted; its open alternatives are rejected.
    LiftBracket {
        /// Which.
        bracket: BracketNo,
        /// How it was decided.
        method: Method,
    },
    /// Set who may read the document without a token.
    SetVisibility(crate::governance::Visibility),
    /// Adopt the text as it stands, under the resolution's symbol.
    Adopt {
        /// The symbol, such as "WHA63.16"; it becomes a tag.
        symbol: String,
        /// How it was adopted.
        method: Method,
    },
    /// Put the labels in sequence at each level: a revision of relabel operations (and, with
    /// `references`, of rewordings of the clauses that cite an old number), computed here from
    /// the text as it stands. Editorial: agreed clauses are renumbered too.
    Renumber {
        /// Only the clauses under this one (it keeps its label).
        under: Option<ClauseId>,
        /// Rewrite the cross-references that name an old number.
        references: bool,
        /// The revision's label; `renumbered` when none is given.
        label: Option<String>,
    },
}

/// Which roles allow a command (any one of them), and what it is called in a refusal.
fn permission(cmd: &Command) -> (&'static [Role], &'static str) {
    use Role::*;
    match cmd {
        Command::GrantRole { .. } => (&[Secretariat], "grant roles"),
        Command::RevokeRole { .. } => (&[Secretariat], "revoke roles"),
        Command::IssueRevision { .. } => (&[Secretariat], "issue a revision"),
        Command::Renumber { .. } => (&[Secretariat], "renumber the text"),
        Command::ProposeAmendment { .. } => (&[Delegate], "propose an amendment"),
        Command::SupportAmendment(_) => (&[Delegate], "support an amendment"),
        Command::OpposeAmendment(_) => (&[Delegate], "oppose an amendment"),
        Command::WithdrawAmendment(_) => (&[Delegate], "withdraw an amendment"),
        Command::RecordDecision { .. } => (&[Chair], "record a decision"),
        Command::PostComment { .. } => {
            (&[Secretariat, Chair, Delegate, Observer, Public], "comment")
        }
        Command::SetTag { .. } => (&[Secretariat, Chair], "set a tag"),
        Command::WithdrawTag { .. } => (&[Secretariat, Chair], "withdraw a tag"),
        Command::RetractComment { .. } => (
            &[Secretariat, Chair, Delegate, Observer, Public],
            "retract a comment",
        ),
        Command::OpenPhase { .. } => (&[Secretariat, Chair], "open a phase"),
        Command::ClosePhase(_) => (&[Secretariat, Chair], "close a phase"),
        Command::PoseQuestion { .. } => (&[Secretariat], "pose a consultation question"),
        Command::AnswerQuestion { .. } => (
            &[Secretariat, Chair, Delegate, Observer, Public],
            "answer a question",
        ),
        Command::SubmitReport { .. } => (&[Delegate, Observer, Public], "submit a report"),
        Command::RecordAgreement { .. } => (&[Chair], "record a clause as agreed or reopen it"),
        Command::BracketText { .. } => (&[Delegate], "bracket text"),
        Command::LiftBracket { .. } => (&[Chair], "lift a bracket"),
        Command::Adopt { .. } => (&[Chair], "adopt the text"),
        Command::SetVisibility(_) => (&[Secretariat], "set who may read the document"),
    }
}

/// The role table, for documentation and help: each action and the roles that allow it.
pub fn role_table() -> Vec<(&'static str, &'static [Role])> {
    let probe = AmendmentNo(1);
    let nil_clause = ClauseId(uuid::Uuid::nil());
    [
        Command::IssueRevision {
            label: None,
            title: None,
            ops: vec![],
        },
        Command::Renumber {
            under: None,
            references: false,
            label: None,
        },
        Command::ProposeAmendment {
            change: Change::Delete { clause: nil_clause },
            rationale: None,
        },
        Command::SupportAmendment(probe),
        Command::OpposeAmendment(probe),
        Command::WithdrawAmendment(probe),
        Command::BracketText {
            clause: nil_clause,
            span: String::new(),
        },
        Command::RecordDecision {
            amendment: probe,
            outcome: Outcome::Rejected,
            method: Method::Consensus,
            reopen: false,
        },
        Command::LiftBracket {
            bracket: BracketNo(1),
            method: Method::Consensus,
        },
        Command::RecordAgreement {
            clause: nil_clause,
            agreement: Agreement::Agreed,
        },
        Command::Adopt {
            symbol: String::new(),
            method: Method::Consensus,
        },
        Command::OpenPhase {
            kind: PhaseKind::Review,
            name: String::new(),
            window: Window::default(),
            admits: None,
        },
        Command::ClosePhase(PhaseNo(1)),
        Command::PoseQuestion {
            group: None,
            text: String::new(),
            clauses: vec![],
        },
        Command::PostComment {
            clause: None,
            position: Position::Neutral,
            text: String::new(),
            reply_to: None,
        },
        Command::AnswerQuestion {
            question: QuestionNo(1),
            clause: None,
            position: Position::Neutral,
            text: String::new(),
        },
        Command::SubmitReport {
            text: String::new(),
        },
        Command::SetTag {
            name: String::new(),
            seq: 0,
        },
        Command::WithdrawTag {
            name: String::new(),
        },
        Command::RetractComment {
            comment: CommentNo(1),
            author: ParticipantId(uuid::Uuid::nil()),
        },
        Command::SetVisibility(crate::governance::Visibility::Public),
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

    if let Some(adopted) = &state.process.adopted {
        if changes_the_text(&cmd) {
            return Err(DomainError::Adopted {
                document: state.slug.clone(),
                symbol: adopted.symbol.clone(),
                seq: adopted.seq,
            });
        }
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
        Command::IssueRevision { label, title, ops } => {
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
            return Ok(parts
                .into_iter()
                .map(|ops| Event::RevisionIssued {
                    revision,
                    label: label.clone(),
                    title: title.take(),
                    ops,
                })
                .collect());
        }
        Command::ProposeAmendment { change, rationale } => {
            if let Some(r) = &rationale {
                check_len("rationale", r, MAX_COMMENT)?;
            }
            let change = check_change(state, change)?;
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
            reopen,
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
            let clause = a.change.clause();
            let mut events = Vec::new();
            if reopen {
                if !state.agreement_of(clause).is_locked() {
                    return Err(DomainError::Invalid(format!(
                        "there is nothing to reopen: clause {} is open; decide without --reopen",
                        state.label_of(clause).unwrap_or("?")
                    )));
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
            return Ok(events);
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
            comment(
                state,
                actor,
                &who.handle,
                clause,
                position,
                text,
                reply_to,
                None,
            )?
        }
        Command::AnswerQuestion {
            question,
            clause,
            position,
            text,
        } => {
            state.question(question)?;
            comment(
                state,
                actor,
                &who.handle,
                clause,
                position,
                text,
                None,
                Some(question),
            )?
        }
        Command::SetTag { name, seq } => tag(state, name, seq)?,
        Command::WithdrawTag { name } => withdraw_tag(state, name)?,
        Command::RetractComment { comment, author } => {
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
                    who: who.handle,
                    comment,
                    author: directory
                        .participant(author)
                        .map_or_else(|| author.short(), |p| p.handle),
                });
            }
            Event::CommentRetracted { comment }
        }
        Command::OpenPhase {
            kind,
            name,
            window,
            admits,
        } => {
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
            Event::PhaseOpened {
                phase: PhaseNo(state.process.phases.len() as u32 + 1),
                kind,
                name,
                window,
                admits,
            }
        }
        Command::ClosePhase(no) => {
            let p = state.phase(no)?;
            if let Some(seq) = p.closed_seq {
                return Err(DomainError::Invalid(format!(
                    "{} was already closed (event {seq})",
                    p.describe()
                )));
            }
            Event::PhaseClosed { phase: no }
        }
        Command::PoseQuestion {
            group,
            text,
            clauses,
        } => {
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
            Event::QuestionPosed {
                question: QuestionNo(state.process.questions.len() as u32 + 1),
                group,
                text,
                clauses,
            }
        }
        Command::SubmitReport { text } => {
            check_len("report", &text, MAX_COMMENT)?;
            if text.trim().is_empty() {
                return Err(DomainError::Invalid("the report is empty".into()));
            }
            let phase = admitting_phase(state, actor, &who.handle, "reports", |p| {
                p.kind == PhaseKind::ReportingRound
            })?;
            Event::ReportSubmitted {
                report: ReportNo(state.process.reports + 1),
                phase,
                text,
            }
        }
        Command::RecordAgreement { clause, agreement } => {
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
            Event::AgreementRecorded { clause, agreement }
        }
        Command::BracketText { clause, span } => {
            let c = state.live(clause)?;
            check_len("bracketed text", &span, MAX_TEXT)?;
            if span.trim().is_empty() {
                return Err(DomainError::Invalid(
                    "the words to bracket are empty".into(),
                ));
            }
            let agreement = state.agreement_of(clause);
            if agreement.is_locked() {
                return Err(DomainError::Invalid(format!(
                    "clause {} is {}; the chair reopens it (`travaux reopen {}`) before its text can be bracketed",
                    c.label,
                    agreement.words(),
                    c.label
                )));
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
            Event::TextBracketed {
                bracket: BracketNo(state.process.brackets.len() as u32 + 1),
                clause,
                span,
            }
        }
        Command::LiftBracket { bracket, method } => {
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
            return Ok(events);
        }
        Command::SetVisibility(visibility) => {
            if state.process.visibility == visibility {
                return Err(DomainError::Invalid(format!(
                    "{} is already readable by {}",
                    state.slug,
                    if visibility == crate::governance::Visibility::Public {
                        "anyone"
                    } else {
                        "its members only"
                    }
                )));
            }
            Event::VisibilitySet { visibility }
        }
        Command::Adopt { symbol, method } => {
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
            return Ok(events);
        }
        Command::Renumber {
            under,
            references,
            label,
        } => {
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
            return Ok(revision_parts(plan.ops)
                .into_iter()
                .map(|ops| Event::RevisionIssued {
                    title: None,
                    revision,
                    label: Some(label.clone()),
                    ops,
                })
                .collect());
        }
    };
    Ok(vec![event])
}

/// Whether a command would change the text or the state of its negotiation (what adoption
/// freezes).
fn changes_the_text(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::IssueRevision { .. }
            | Command::Renumber { .. }
            | Command::ProposeAmendment { .. }
            | Command::SupportAmendment(_)
            | Command::OpposeAmendment(_)
            | Command::WithdrawAmendment(_)
            | Command::RecordDecision { .. }
            | Command::RecordAgreement { .. }
            | Command::BracketText { .. }
            | Command::LiftBracket { .. }
            | Command::Adopt { .. }
    )
}

/// A decision rejecting an amendment, made as part of another decision.
fn rejected(amendment: AmendmentNo, method: &Method) -> Event {
    Event::DecisionRecorded {
        amendment,
        outcome: Outcome::Rejected,
        method: method.clone(),
        ops: Vec::new(),
    }
}

/// A tag, checked: a new name that reads back as itself, on an event of the document.
fn tag(state: &DocumentState, name: String, seq: u64) -> Result<Event, DomainError> {
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
fn withdraw_tag(state: &DocumentState, name: String) -> Result<Event, DomainError> {
    let Some(&seq) = state.tags.get(&name) else {
        return Err(DomainError::Unknown {
            what: "tag",
            name,
            hint: "`travaux tag list` lists them",
        });
    };
    if let Some(a) = state.process.adopted.as_ref().filter(|a| a.symbol == name) {
        return Err(DomainError::Invalid(format!(
            "tag '{name}' names the text adopted at event {}; an adoption's tag cannot be withdrawn",
            a.seq
        )));
    }
    Ok(Event::TagWithdrawn { name, seq })
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
) -> Result<Event, DomainError> {
    check_len("comment", &text, MAX_COMMENT)?;
    if text.trim().is_empty() {
        return Err(DomainError::Invalid("the comment is empty".into()));
    }
    if let Some(c) = clause {
        state.live(c)?;
    }
    let phase = admitting_phase(state, actor, handle, "comments", |_| true)?;
    Ok(Event::CommentPosted {
        comment: CommentNo(state.comments + 1),
        clause,
        position,
        text,
        reply_to,
        question,
        phase: Some(phase),
    })
}

/// The open phase (the one opened last, if several) that takes what the actor brings, or an
/// error listing the phases and their windows.
fn admitting_phase(
    state: &DocumentState,
    actor: ParticipantId,
    handle: &str,
    what: &str,
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
    Err(DomainError::Invalid(if phases.is_empty() {
        format!(
            "{} takes {what} only while a {kind} is open, and none has been opened; the secretariat or the chair opens one with `travaux phase open`",
            state.slug
        )
    } else {
        format!(
            "no open {kind} of {} takes {what} from {handle} ({}); its phases: {}",
            state.slug,
            if held.is_empty() {
                "no role".to_string()
            } else {
                held.join(", ")
            },
            phases.join("; ")
        )
    }))
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
            return Err(DomainError::Invalid(format!(
                "clause {label} is {}: it changes only after the chair reopens it (`travaux reopen {label}`, or a decision with --reopen)",
                agreement.words()
            )));
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
                return Err(DomainError::Invalid(format!(
                    "the proposed text of {} is empty{}; to take the clause out, propose its deletion (`amend propose --delete {}`)",
                    state.address_of(*clause),
                    blank_note(text),
                    state.address_of(*clause)
                )));
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
    DomainError::Invalid(e.message(edit, &state.address_of(clause)))
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

/// The bytes of a clause's notes: their marks and words.
fn notes_len(notes: &[Note]) -> usize {
    notes.iter().map(|n| n.mark.len() + n.text.len()).sum()
}

/// A clause's text and notes together hold at most [`MAX_TEXT`] bytes.
fn check_clause_text(text: &str, notes: &[Note]) -> Result<(), DomainError> {
    if notes.is_empty() {
        return check_len("clause text", text, MAX_TEXT);
    }
    let len = text.len() + notes_len(notes);
    if len > MAX_TEXT {
        return Err(DomainError::TooLarge {
            what: "clause text with its notes",
            len,
            max: MAX_TEXT,
        });
    }
    Ok(())
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

/// Check a clause's label: a name (not blank, no control characters), with no invisible
/// formatting characters either (zero-width spaces and joiners, direction marks, soft hyphens,
/// byte-order marks), which would make two labels that read alike differ. Any visible
/// character is allowed (`§ 5`, `Art. 3bis`, `(iv)`, `*`, `３.９`); labels are compared once
/// normalized (see [`crate::address::label_key`]).
fn check_label(label: &str) -> Result<(), DomainError> {
    check_name("label", label)?;
    let invisible = |c: char| {
        matches!(c,
            '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    if let Some(c) = label.chars().find(|c| invisible(*c)) {
        return Err(DomainError::Invalid(format!(
            "the label '{}' contains an invisible character (U+{:04X}); labels hold only characters that show",
            label.escape_debug(),
            c as u32
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

/// Register a participant in the store. The owner and the administrators register anyone, a
/// document's secretariat the public ([`crate::admin::check_registrar`]). The first
/// participant registered in a store administers it ([`crate::admin`]).
pub fn register_participant(
    directory: &dyn Directory,
    by: Acting,
    id: ParticipantId,
    handle: &str,
    name: &str,
    kind: ParticipantKind,
) -> Result<Vec<Event>, DomainError> {
    check_handle("participant handle", handle)?;
    check_name("participant name", name)?;
    if directory.participant_by_handle(handle).is_some() {
        return Err(DomainError::Taken {
            what: "participant",
            name: handle.to_string(),
        });
    }
    check_registrar(directory, by, kind)?;
    Ok(vec![Event::ParticipantRegistered {
        participant: id,
        handle: handle.to_string(),
        name: name.to_string(),
        kind,
    }])
}

/// Issue a bearer token to a participant: the caller draws the token, keeps only its digest
/// here, and shows the token once.
pub fn issue_token(
    directory: &dyn Directory,
    by: Acting,
    participant: ParticipantId,
    token: crate::ids::TokenId,
    digest: crate::event::Hash,
) -> Result<Event, DomainError> {
    if directory.participant(participant).is_none() {
        return Err(DomainError::UnknownParticipant(participant.to_string()));
    }
    check_admin(directory, by, "issue tokens")?;
    Ok(Event::TokenIssued {
        token,
        participant,
        digest,
    })
}

/// Create a document; its creator, an administrator of the store, becomes its secretariat.
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
    check_admin(directory, Acting::Participant(creator), "create documents")?;
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
