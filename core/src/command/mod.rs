//! Commands, in the imperative, and `decide`: the rules that turn a command into events or
//! refuse it.
//!
//! Every rule of the domain lives here; `evolve` has none. `decide` checks who may act and
//! whether adoption froze the text, then hands the command to its area: `text.rs` (revisions,
//! renumbering, amendments and decisions), `process.rs` (comments, phases, questions, reports,
//! agreement, brackets, visibility, tags, adoption), `registry.rs` (roles in a document, and
//! the registry's participants, tokens and documents); `checks.rs` holds the checks of
//! lengths, names, labels and handles they share. Text changes are validated by applying them
//! to a copy of the state with the same function `evolve` uses.

mod checks;
mod process;
mod registry;
mod text;

pub use checks::{check_handle, MAX_COMMENT, MAX_NAME, MAX_TEXT};
pub use registry::{create_document, issue_token, register_participant};

use crate::document::DocumentState;
use crate::error::DomainError;
use crate::event::{Change, ClauseOp, Event, Method, Outcome};
use crate::ids::{AmendmentNo, BracketNo, ClauseId, CommentNo, ParticipantId, PhaseNo, QuestionNo};
use crate::registry::{Directory, Participant};
use crate::vocabulary::{Agreement, PhaseKind, Timestamp, Window};
use crate::vocabulary::{Position, Role};

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
    /// Record a response received earlier (a web form's, taken in by the secretariat) as the
    /// respondent's comment, or answer to a question: taken by a phase that admits the
    /// respondent's role and was open when it was received, even if it has closed since.
    RecordResponse {
        /// The question it answers, if any.
        question: Option<QuestionNo>,
        /// The clause it is about, if any.
        clause: Option<ClauseId>,
        /// The stance taken.
        position: Position,
        /// What it says.
        text: String,
        /// When it was received.
        received: Timestamp,
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
    SetVisibility(crate::vocabulary::Visibility),
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
        Command::RecordResponse { .. } => (
            &[Secretariat, Chair, Delegate, Observer, Public],
            "respond to a consultation",
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
        Command::SetVisibility(crate::vocabulary::Visibility::Public),
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

/// Who acts, and against what: what the commands that need more than the state are decided
/// with.
struct Ctx<'a> {
    state: &'a DocumentState,
    actor: ParticipantId,
    who: Participant,
    directory: &'a dyn Directory,
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

    let cx = Ctx {
        state,
        actor,
        who,
        directory,
    };
    match cmd {
        Command::GrantRole { participant, role } => registry::grant_role(&cx, participant, role),
        Command::RevokeRole { participant, role } => registry::revoke_role(&cx, participant, role),
        Command::IssueRevision { label, title, ops } => {
            text::issue_revision(state, label, title, ops)
        }
        Command::Renumber {
            under,
            references,
            label,
        } => text::renumber(state, under, references, label),
        Command::ProposeAmendment { change, rationale } => text::propose(state, change, rationale),
        Command::SupportAmendment(no) => text::support(&cx, no, true),
        Command::OpposeAmendment(no) => text::support(&cx, no, false),
        Command::WithdrawAmendment(no) => text::withdraw(&cx, no),
        Command::RecordDecision {
            amendment,
            outcome,
            method,
            reopen,
        } => text::record_decision(state, amendment, outcome, method, reopen),
        Command::PostComment {
            clause,
            position,
            text,
            reply_to,
        } => process::post_comment(&cx, clause, position, text, reply_to),
        Command::AnswerQuestion {
            question,
            clause,
            position,
            text,
        } => process::answer_question(&cx, question, clause, position, text),
        Command::RecordResponse {
            question,
            clause,
            position,
            text,
            received,
        } => process::record_response(&cx, question, clause, position, text, received),
        Command::RetractComment { comment, author } => {
            process::retract_comment(&cx, comment, author)
        }
        Command::SetTag { name, seq } => Ok(vec![process::tag(state, name, seq)?]),
        Command::WithdrawTag { name } => Ok(vec![process::withdraw_tag(state, name)?]),
        Command::OpenPhase {
            kind,
            name,
            window,
            admits,
        } => process::open_phase(state, kind, name, window, admits),
        Command::ClosePhase(no) => process::close_phase(state, no),
        Command::PoseQuestion {
            group,
            text,
            clauses,
        } => process::pose_question(state, group, text, clauses),
        Command::SubmitReport { text } => process::submit_report(&cx, text),
        Command::RecordAgreement { clause, agreement } => {
            process::record_agreement(state, clause, agreement)
        }
        Command::BracketText { clause, span } => process::bracket_text(state, clause, span),
        Command::LiftBracket { bracket, method } => process::lift_bracket(state, bracket, method),
        Command::SetVisibility(visibility) => process::set_visibility(state, visibility),
        Command::Adopt { symbol, method } => process::adopt(state, symbol, method),
    }
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
