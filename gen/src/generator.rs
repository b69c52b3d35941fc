//! The [`Generator`]: the working state (the registry, the document's state, who is who, the
//! outline of the text), the committing of events through `decide`, the start (registrations,
//! the document, roles, the first draft) and the loop of stages and chores. What each step
//! does is in [`process`] (phases, questions, comments, tags), [`amendments`] (amendments,
//! decisions, brackets, agreement) and [`revision`] (the secretariat's revisions).

mod amendments;
mod process;
mod revision;

use std::collections::{BTreeMap, VecDeque};

use chrono::{Duration, TimeZone, Utc};
use travaux_core::{
    create_document, decide, register_participant, Acting, BracketStatus, Change, ClauseId,
    ClauseOp, Command, DocumentId, DocumentState, DomainError, Event, EventId, Hash, NewEvent,
    Outcome, ParticipantId, ParticipantKind, PhaseKind, PhaseNo, QuestionNo, RecordedEvent,
    Registry, Role, StreamId, Timestamp,
};
use travaux_store::{Expected, StoreError};
use uuid::Uuid;

use crate::dice::Dice;
use crate::vocabulary::{
    COUNTRIES, FIRST_NAMES, HEADINGS, LAST_NAMES, NON_STATE_ACTORS, PROFESSIONS, RATIONALES,
};
use crate::wording::{clause_text, preamble_text};
use crate::{Batch, Spec, Summary, SLUG};

/// Makes the events of a history, batch by batch, without a store.
pub struct Generator {
    spec: Spec,
    dice: Dice,
    clock: Timestamp,
    /// Events made so far: the sequence number of the last.
    seq: u64,
    registry: Registry,
    registry_version: u64,
    registry_sent: u64,
    registry_out: Vec<NewEvent>,
    doc_id: DocumentId,
    state: Option<DocumentState>,
    doc_sent: u64,
    doc_out: Vec<NewEvent>,
    people: People,
    outline: Outline,
    /// What is being held: a hearing (or consultation), or a committee session.
    stage: Stage,
    /// Steps left in the stage.
    left: u64,
    /// What has to be done before the next ordinary step, in order.
    agenda: VecDeque<Chore>,
    /// The phase open now, and its kind.
    open_phase: Option<(PhaseNo, PhaseKind)>,
    /// Hearings (and consultations) and sessions held so far.
    hearings: u32,
    sessions: u32,
    /// The questions of the hearing open now.
    questions: Vec<QuestionNo>,
    /// Answers still to come in this hearing.
    answers_due: u64,
    /// Brackets still to be raised in this session, and alternatives still to be proposed.
    brackets_due: u64,
    alternatives_due: u64,
    tags: Vec<String>,
    kinds: BTreeMap<&'static str, u64>,
    prune: bool,
}

#[derive(Default)]
struct People {
    secretariat: Option<ParticipantId>,
    chair: Option<ParticipantId>,
    delegations: Vec<ParticipantId>,
    observers: Vec<ParticipantId>,
    public: Vec<ParticipantId>,
}

/// The clauses by kind, recomputed when the tree changes shape.
#[derive(Default)]
struct Outline {
    stale: bool,
    articles: Vec<ClauseId>,
    /// Preamble paragraphs and article paragraphs: what amendments reword.
    texts: Vec<ClauseId>,
    /// Article paragraphs.
    paragraphs: Vec<ClauseId>,
    /// Every clause.
    all: Vec<ClauseId>,
}

/// The two stages of a cycle of the negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// A public hearing or a regional or national consultation: comments, answers to
    /// questions.
    Hearing,
    /// A session of the drafting committee: amendments, brackets, decisions, agreement.
    Session,
}

/// Something done between ordinary steps, at the start or the end of a stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chore {
    /// Open the phase of a stage (and start counting its steps).
    Open(Stage),
    /// The secretariat poses a consultation question in the hearing open now.
    Pose,
    /// Close the phase open now.
    Close,
    /// The secretariat issues a revision (the chair first reopens agreed clauses it touches).
    Revise,
    /// Tag the head: by the secretariat (`false`) or the chair (`true`).
    Tag { chair: bool },
    /// The chair lifts a bracket nobody offered an alternative for.
    Lift,
    /// The chair records a clause as agreed (ad referendum, or agreed outright).
    Agree,
}

fn doc(state: &Option<DocumentState>) -> &DocumentState {
    state.as_ref().expect("the document is created first")
}

/// The amendments still open (with pruning, every amendment the working state holds).
fn open(
    state: &Option<DocumentState>,
) -> impl DoubleEndedIterator<Item = &travaux_core::Amendment> {
    doc(state)
        .amendments
        .values()
        .filter(|a| a.status.is_open())
}

impl Generator {
    /// A generator for this spec, with the registrations, the document and its first draft
    /// made. Refused if the spec is out of range or asks for fewer events than that start.
    pub fn new(spec: &Spec) -> Result<Generator, StoreError> {
        Self::with_pruning(spec, true)
    }

    pub(crate) fn with_pruning(spec: &Spec, prune: bool) -> Result<Generator, StoreError> {
        spec.check()?;
        let mut g = Generator {
            spec: spec.clone(),
            dice: Dice::new(spec.seed),
            clock: Utc
                .with_ymd_and_hms(2008, 8, 28, 9, 0, 0)
                .single()
                .expect("a valid date"),
            seq: 0,
            registry: Registry::default(),
            registry_version: 0,
            registry_sent: 0,
            registry_out: Vec::new(),
            doc_id: DocumentId(Uuid::nil()),
            state: None,
            doc_sent: 0,
            doc_out: Vec::new(),
            people: People::default(),
            outline: Outline {
                stale: true,
                ..Outline::default()
            },
            stage: Stage::Hearing,
            left: 0,
            agenda: VecDeque::from([Chore::Open(Stage::Hearing)]),
            open_phase: None,
            hearings: 0,
            sessions: 0,
            questions: Vec::new(),
            answers_due: 0,
            brackets_due: 0,
            alternatives_due: 0,
            tags: Vec::new(),
            kinds: BTreeMap::new(),
            prune,
        };
        g.setup()?;
        if g.seq > spec.events {
            return Err(StoreError::Domain(DomainError::Invalid(format!(
                "{} events are too few: registering {} participants, creating the document, granting the roles and issuing a first draft of {} articles take {} events",
                spec.events,
                g.registry_version,
                spec.articles,
                g.seq
            ))));
        }
        Ok(g)
    }

    /// The next batch to append, or `None` when the history is complete.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, StoreError> {
        if !self.registry_out.is_empty() {
            let n = self.registry_out.len().min(self.spec.batch);
            let events: Vec<NewEvent> = self.registry_out.drain(..n).collect();
            let expected = expected(self.registry_sent);
            self.registry_sent += n as u64;
            return Ok(Some(Batch {
                stream: StreamId::REGISTRY,
                expected,
                events,
            }));
        }
        while self.doc_out.len() < self.spec.batch && self.seq < self.spec.events {
            self.step()?;
        }
        if self.doc_out.is_empty() {
            return Ok(None);
        }
        let events = std::mem::take(&mut self.doc_out);
        let expected = expected(self.doc_sent);
        self.doc_sent += events.len() as u64;
        Ok(Some(Batch {
            stream: StreamId::document(self.doc_id),
            expected,
            events,
        }))
    }

    /// What has been generated so far, with the hash of the last event (which only the store
    /// computes).
    pub fn summary(&self, head_hash: Hash) -> Summary {
        let st = doc(&self.state);
        Summary {
            events: self.seq,
            seed: self.spec.seed,
            document: st.slug.clone(),
            title: st.title.clone(),
            participants: self.registry_version as u32,
            revisions: st.revisions,
            amendments: st.amendments_proposed,
            decisions: self.kinds.get("decision_recorded").copied().unwrap_or(0),
            comments: st.comments,
            clauses: st.clause_count(),
            tags: self.tags.clone(),
            kinds: self
                .kinds
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            head_hash,
        }
    }

    fn remaining(&self) -> u64 {
        self.spec.events.saturating_sub(self.seq)
    }

    /// The clock, moved on by 30 seconds to 5 minutes.
    fn tick(&mut self) -> Timestamp {
        self.clock += Duration::seconds(self.dice.range(30, 300) as i64);
        self.clock
    }

    fn secretariat(&self) -> ParticipantId {
        self.people.secretariat.expect("registered")
    }

    fn chair(&self) -> ParticipantId {
        self.people.chair.expect("registered")
    }

    // ----- committing events -------------------------------------------------------------

    fn register(
        &mut self,
        handle: &str,
        name: &str,
        kind: ParticipantKind,
    ) -> Result<ParticipantId, StoreError> {
        let id = ParticipantId(self.dice.uuid());
        let events = register_participant(&self.registry, Acting::Owner, id, handle, name, kind)?;
        let at = self.tick();
        for event in events {
            self.seq += 1;
            self.registry_version += 1;
            let rec = RecordedEvent {
                seq: self.seq,
                id: EventId(self.dice.uuid()),
                stream: StreamId::REGISTRY,
                version: self.registry_version,
                recorded_at: at,
                actor: id,
                schema: event.schema(),
                prev_hash: Hash::default(),
                hash: Hash::default(),
                event,
            };
            self.registry.evolve(&rec);
            *self.kinds.entry(rec.event.kind()).or_default() += 1;
            self.registry_out.push(new_event(rec));
        }
        Ok(id)
    }

    /// Fold the events of one step into the state and queue them, all at one time.
    fn commit(&mut self, actor: ParticipantId, events: Vec<Event>) {
        let at = self.tick();
        for event in events {
            if event
                .ops()
                .iter()
                .any(|op| !matches!(op, ClauseOp::Reword { .. } | ClauseOp::Relabel { .. }))
            {
                self.outline.stale = true;
            }
            self.seq += 1;
            let version = self.state.as_ref().map_or(0, |s| s.version) + 1;
            let rec = RecordedEvent {
                seq: self.seq,
                id: EventId(self.dice.uuid()),
                stream: StreamId::document(self.doc_id),
                version,
                recorded_at: at,
                actor,
                schema: event.schema(),
                prev_hash: Hash::default(),
                hash: Hash::default(),
                event,
            };
            DocumentState::fold(&mut self.state, &rec);
            if self.prune {
                let st = self.state.as_mut().expect("created");
                match &rec.event {
                    Event::AmendmentWithdrawn { amendment } => {
                        st.amendments.remove(amendment);
                    }
                    Event::DecisionRecorded {
                        amendment, outcome, ..
                    } if *outcome != Outcome::Deferred => {
                        st.amendments.remove(amendment);
                    }
                    Event::TagSet { name, .. } => {
                        st.tags.remove(name);
                    }
                    Event::CommentPosted {
                        question: Some(q), ..
                    } => {
                        if let Some(q) = st.process.questions.get_mut(q) {
                            q.answers.clear();
                        }
                    }
                    // What is past when a phase closes: the phase itself, the questions posed
                    // so far (only those of the hearing open are answered), the brackets
                    // closed. Their numbering counts them, so they stay, emptied.
                    Event::PhaseClosed { phase } => {
                        if let Some(p) = st.process.phases.get_mut(phase.0 as usize - 1) {
                            p.name.clear();
                            p.admits.clear();
                            p.participants.clear();
                        }
                        for q in st.process.questions.values_mut() {
                            q.group = None;
                            q.text.clear();
                            q.clauses.clear();
                        }
                        for b in st.process.brackets.values_mut() {
                            if b.status != BracketStatus::Open {
                                b.span.clear();
                            }
                        }
                    }
                    _ => {}
                }
            }
            *self.kinds.entry(rec.event.kind()).or_default() += 1;
            self.doc_out.push(new_event(rec));
        }
    }

    /// Decide a command as `actor` against the working state.
    fn decide(&self, actor: ParticipantId, cmd: Command) -> Result<Vec<Event>, DomainError> {
        decide(doc(&self.state), actor, &self.registry, cmd)
    }

    /// Decide and commit; a refusal is a bug of the generator.
    fn must(&mut self, actor: ParticipantId, cmd: Command) -> Result<(), StoreError> {
        let events = self.decide(actor, cmd)?;
        self.commit(actor, events);
        Ok(())
    }

    /// Propose an amendment with a rationale; whether the rules let it be proposed (a refusal
    /// is a draw the generator could not make, not a bug).
    fn put_forward(&mut self, who: ParticipantId, change: Change) -> Result<bool, StoreError> {
        let rationale = Some(self.dice.pick(RATIONALES).to_string());
        match self.decide(who, Command::ProposeAmendment { change, rationale }) {
            Ok(events) => {
                self.commit(who, events);
                Ok(true)
            }
            Err(_) => Ok(false),
        }
    }

    fn refresh_outline(&mut self) {
        if !self.outline.stale {
            return;
        }
        let st = doc(&self.state);
        let o = &mut self.outline;
        o.articles.clear();
        o.texts.clear();
        o.paragraphs.clear();
        o.all.clear();
        for root in st.roots() {
            let c = st.clause(*root).expect("a root is live");
            o.all.push(c.id);
            if c.heading.is_some() {
                o.articles.push(c.id);
                for kid in &c.children {
                    o.paragraphs.push(*kid);
                    o.texts.push(*kid);
                    o.all.push(*kid);
                }
            } else {
                o.texts.push(c.id);
            }
        }
        o.stale = false;
    }

    // ----- the start ---------------------------------------------------------------------

    fn setup(&mut self) -> Result<(), StoreError> {
        let d = self.spec.delegations as usize;
        let sec = self.register(
            "secretariat",
            "The Secretariat",
            ParticipantKind::Secretariat,
        )?;
        self.people.secretariat = Some(sec);
        let chair = self.register(
            "chair",
            "Chair of the drafting committee",
            ParticipantKind::MemberState,
        )?;
        self.people.chair = Some(chair);
        for i in 0..d {
            let (handle, name) = match COUNTRIES.get(i) {
                Some(name) => (handle_of(name), name.to_string()),
                None => (
                    format!("delegation-{}", i + 1),
                    format!("Delegation {}", i + 1),
                ),
            };
            let id = self.register(&handle, &name, ParticipantKind::MemberState)?;
            self.people.delegations.push(id);
        }
        for i in 0..(d / 4).max(3) {
            let (handle, name) = match NON_STATE_ACTORS.get(i) {
                Some((h, n)) => (h.to_string(), n.to_string()),
                None => (
                    format!("nsa-{}", i + 1),
                    format!("Non-State actor {}", i + 1),
                ),
            };
            let id = self.register(&handle, &name, ParticipantKind::NonStateActor)?;
            self.people.observers.push(id);
        }
        for i in 0..(20 + d) {
            let first = FIRST_NAMES[i % FIRST_NAMES.len()];
            let last = LAST_NAMES[(i * 7 + i / FIRST_NAMES.len()) % LAST_NAMES.len()];
            let job = PROFESSIONS[i % PROFESSIONS.len()];
            let id = self.register(
                &format!("public-{:04}", i + 1),
                &format!("{first} {last} ({job})"),
                ParticipantKind::Public,
            )?;
            self.people.public.push(id);
        }

        self.doc_id = DocumentId(self.dice.uuid());
        let title = format!(
            "Generated Code of Practice on the International Recruitment of Health Personnel (seed {})",
            self.spec.seed
        );
        let events = create_document(&self.registry, sec, self.doc_id, SLUG, &title)?;
        self.commit(sec, events);
        let mut grants = vec![(chair, Role::Chair)];
        grants.extend(self.people.delegations.iter().map(|p| (*p, Role::Delegate)));
        grants.extend(self.people.observers.iter().map(|p| (*p, Role::Observer)));
        grants.extend(self.people.public.iter().map(|p| (*p, Role::Public)));
        for (participant, role) in grants {
            self.must(sec, Command::GrantRole { participant, role })?;
        }

        let ops = self.first_draft();
        self.must(
            sec,
            Command::IssueRevision {
                title: None,
                label: Some("First draft".into()),
                ops,
            },
        )?;
        self.tag(sec)
    }

    fn first_draft(&mut self) -> Vec<ClauseOp> {
        let mut ops = Vec::new();
        let mut previous_root = None;
        let preamble = self.dice.range(3, 6);
        for k in 1..=preamble {
            let clause = ClauseId(self.dice.uuid());
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause,
                parent: None,
                after: previous_root,
                label: format!("PP{k}"),
                heading: None,
                text: preamble_text(&mut self.dice, k == preamble),
            });
            previous_root = Some(clause);
        }
        for a in 1..=self.spec.articles {
            let article = ClauseId(self.dice.uuid());
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause: article,
                parent: None,
                after: previous_root,
                label: format!("Article {a}"),
                heading: Some(HEADINGS[(a as usize - 1) % HEADINGS.len()].to_string()),
                text: String::new(),
            });
            previous_root = Some(article);
            let mut previous = None;
            for p in 1..=self.dice.range(3, 8) {
                let clause = ClauseId(self.dice.uuid());
                ops.push(ClauseOp::Add {
                    kind: None,
                    notes: Vec::new(),
                    clause,
                    parent: Some(article),
                    after: previous,
                    label: format!("{a}.{p}"),
                    heading: None,
                    text: clause_text(&mut self.dice),
                });
                previous = Some(clause);
            }
        }
        ops
    }

    // ----- the loop ----------------------------------------------------------------------

    /// The length of a hearing plus a session: a fortieth of the history, within bounds.
    fn cycle(&self) -> u64 {
        (self.spec.events / 40).clamp(1_500, 50_000)
    }

    /// One step: the next chore of the agenda, or an ordinary step of the stage (which makes
    /// one event, or a few), never more events than remain. A step may make none (a chore with
    /// nothing to do); another follows.
    fn step(&mut self) -> Result<(), StoreError> {
        if let Some(chore) = self.agenda.pop_front() {
            return self.chore(chore);
        }
        if self.left == 0 {
            match self.stage {
                // The hearing is over: the secretariat closes it and issues a revision, then
                // the chair opens a session.
                Stage::Hearing => self.agenda.extend([
                    Chore::Close,
                    Chore::Revise,
                    Chore::Tag { chair: false },
                    Chore::Open(Stage::Session),
                ]),
                // The session is over: the chair lifts a bracket nobody offered other words
                // for, records a paragraph or two as agreed and closes the session; then the
                // next hearing.
                Stage::Session => {
                    self.agenda.push_back(Chore::Lift);
                    for _ in 0..self.dice.range(1, 3) {
                        self.agenda.push_back(Chore::Agree);
                    }
                    self.agenda.extend([
                        Chore::Close,
                        Chore::Tag { chair: true },
                        Chore::Open(Stage::Hearing),
                    ]);
                }
            }
            return Ok(());
        }
        self.left -= 1;
        match self.stage {
            Stage::Hearing => self.hearing_step(),
            Stage::Session => self.session_step(),
        }
    }

    /// Do a chore, if any event remains.
    fn chore(&mut self, chore: Chore) -> Result<(), StoreError> {
        if self.remaining() == 0 {
            return Ok(());
        }
        match chore {
            Chore::Open(stage) => self.open_stage(stage),
            Chore::Pose => self.pose(),
            Chore::Close => self.close_phase(),
            Chore::Revise => self.revise(),
            Chore::Tag { chair } => {
                let who = if chair {
                    self.chair()
                } else {
                    self.secretariat()
                };
                self.tag(who)
            }
            Chore::Lift => self.lift(),
            Chore::Agree => self.agree(),
        }
    }
}

fn expected(sent: u64) -> Expected {
    if sent == 0 {
        Expected::NoStream
    } else {
        Expected::Exact(sent)
    }
}

fn new_event(rec: RecordedEvent) -> NewEvent {
    let RecordedEvent {
        id,
        recorded_at,
        actor,
        event,
        ..
    } = rec;
    NewEvent {
        id,
        recorded_at,
        actor,
        event,
    }
}

/// How many clauses share a clause's parent (itself included).
fn siblings(st: &DocumentState, clause: ClauseId) -> usize {
    st.clause(clause)
        .and_then(|c| c.parent)
        .and_then(|p| st.clause(p))
        .map_or(0, |p| p.children.len())
}

fn handle_of(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
