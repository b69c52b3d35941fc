//! A deterministic generator of negotiation histories of any size, for benchmarks and tests.
//!
//! [`generate`] writes into an empty [`Store`] a negotiation shaped like the WHO Code of
//! Practice: a secretariat, a chair, delegations (member-state), non-State actors (observers)
//! and members of the public register; the secretariat creates one document and issues a first
//! draft of A articles (3 to 8 paragraphs each, 20 to 80 words a clause, built from treaty
//! phrases); then cycles of two phases, each opened and closed in the log, until the log holds
//! exactly the number of events asked:
//!
//! - a hearing, opened by the secretariat: first a web-based public hearing, later public
//!   hearings or regional or national consultations. A public hearing has a few consultation
//!   questions and takes comments (the largest share of the log) and a few dozen answers from
//!   the public, non-State actors and delegations; a consultation takes comments from
//!   delegations. The secretariat closes it, issues a new revision (rewording, a paragraph
//!   added or removed, moves, renumbering) and tags it;
//! - a session of the drafting committee, opened by the chair: amendments proposed, supported,
//!   opposed, withdrawn, decided by the chair, by consensus or by vote; a few passages put in
//!   brackets by delegations, with alternatives proposed as amendments (accepting one resolves
//!   its bracket); comments from delegations, observers, the chair and the secretariat. At its
//!   end the chair lifts a bracket nobody offered other words for, records a paragraph or two
//!   as agreed ad referendum (or agreed), closes the session and tags it.
//!
//! Every comment thus falls in an open phase that takes its author. An agreed paragraph is
//! left alone by amendments and revisions, except that a decision accepting a change to it
//! reopens it, and the chair reopens one that a revision moves, removes or renumbers. Tags are
//! named `gen-0001`, `gen-0002`, … The text is never adopted: a generated document stays open
//! to every command.
//!
//! # Valid by construction
//!
//! Every event comes out of `travaux_core::decide` (or `register_participant` and
//! `create_document`) against the in-memory [`DocumentState`] and [`Registry`] as they evolve,
//! so the history obeys every rule `travaux` enforces. The working state leaves out what
//! `decide` never looks at again — amendments once closed (decided or withdrawn), tags, the
//! answers to questions, and the words of closed phases, past questions and closed brackets —
//! because `decide` validates a text change on a clone of the whole state, and a clone that
//! grows with the history would make generation quadratic. A test checks that the events are
//! the same with and without that pruning.
//!
//! # Deterministic
//!
//! One `rand_chacha::ChaCha8Rng`, seeded from [`Spec::seed`], drives every choice, the event
//! ids (version-4 uuids made of its bytes) and the clock (a fixed start, 2008-08-28 09:00 UTC,
//! moving 30 s to 5 min per event). Ranges and choices are computed here from `next_u64`, not
//! with `rand`'s distributions, so the output depends only on the ChaCha8 stream, which is
//! stable across versions. The same [`Spec`] (batch size aside) gives the same events, ids,
//! times and therefore hashes.
//!
//! # Batches
//!
//! Events are appended with [`Store::append`], one durable flush per batch of
//! [`Spec::batch`] events per stream (the registry first, then the document). A step that
//! makes several events (a large revision, recorded in several parts, and the reopening of the
//! agreed paragraphs it touches; a decision that reopens a paragraph or rejects the other
//! alternatives to a bracket) stays in one batch, so a batch may exceed the size by a few
//! events. Generation runs on a thread of its own while the calling thread appends, so the two
//! overlap.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::mpsc;

use chrono::{Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use travaux_core::{
    create_document, decide, register_participant, Acting, Agreement, BracketNo, BracketStatus,
    Change, ClauseId, ClauseOp, Command, CommentNo, DocumentId, DocumentState, DomainError, Event,
    EventId, Hash, Method, NewEvent, Outcome, ParticipantId, ParticipantKind, PhaseKind, PhaseNo,
    Position, QuestionNo, RecordedEvent, Registry, Role, StreamId, Timestamp, Window,
};
use uuid::Uuid;

use crate::{Expected, Store, StoreError};

/// The slug of the generated document.
pub const SLUG: &str = "gen-code";

/// The default number of events per append. Each append also reads the document's read model
/// whole (every amendment) before it writes, so fewer, larger batches go faster: on two cores,
/// 100,000 events take about 3.1 s in batches of 5,000 and 4.7 s in batches of 1,000.
pub const DEFAULT_BATCH: usize = 5000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spec {
    /// How many events the log holds at the end, registry included: exactly this many.
    pub events: u64,
    /// The seed: the same seed and sizes give the same history.
    pub seed: u64,
    /// Articles in the first draft (1 to 200).
    pub articles: u32,
    /// Member-state delegations (2 to 1,000); non-State actors and members of the public are
    /// derived from it.
    pub delegations: u32,
    /// Events per append (1 to 100,000): each is made durable with one flush.
    pub batch: usize,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            events: 10_000,
            seed: 1,
            articles: 10,
            delegations: 40,
            batch: DEFAULT_BATCH,
        }
    }
}

impl Spec {
    /// The default spec with this many events.
    pub fn new(events: u64) -> Spec {
        Spec {
            events,
            ..Spec::default()
        }
    }

    fn check(&self) -> Result<(), StoreError> {
        let bad = |m: String| Err(StoreError::Domain(DomainError::Invalid(m)));
        if !(1..=200).contains(&self.articles) {
            return bad(format!(
                "{} articles: between 1 and 200 can be generated",
                self.articles
            ));
        }
        if !(2..=1000).contains(&self.delegations) {
            return bad(format!(
                "{} delegations: between 2 and 1000 can be generated",
                self.delegations
            ));
        }
        if !(1..=100_000).contains(&self.batch) {
            return bad(format!(
                "a batch of {} events: between 1 and 100000 per append",
                self.batch
            ));
        }
        Ok(())
    }
}

/// What was generated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Events in the log.
    pub events: u64,
    /// The seed used.
    pub seed: u64,
    /// The document's slug.
    pub document: String,
    /// Its title.
    pub title: String,
    /// Participants registered.
    pub participants: u32,
    /// Revisions issued (the first draft included).
    pub revisions: u32,
    /// Amendments proposed.
    pub amendments: u32,
    /// Decisions recorded (a deferred amendment may be decided again).
    pub decisions: u64,
    /// Comments posted.
    pub comments: u32,
    /// Clauses in the text at the end.
    pub clauses: usize,
    /// The tags set, in order.
    pub tags: Vec<String>,
    /// Events by payload type.
    pub kinds: BTreeMap<String, u64>,
    /// The hash of the last event (the same for the same spec).
    pub head_hash: Hash,
}

/// Events for one append: one stream, the version it expects, the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The stream.
    pub stream: StreamId,
    /// The stream version before the batch.
    pub expected: Expected,
    /// The events.
    pub events: Vec<NewEvent>,
}

/// Generate a history into `store`, which must hold no event yet (otherwise nothing is written
/// and an error says so). `progress` is told how many events are durable after each append.
/// An error after the first append leaves the events appended so far in the store.
pub fn generate(
    store: &Store,
    spec: &Spec,
    progress: &mut dyn FnMut(u64),
) -> Result<Summary, StoreError> {
    let (head, _) = store.head();
    if head > 0 {
        return Err(StoreError::Domain(DomainError::Invalid(format!(
            "the store at {} already holds {head} events; a history is generated only into a new, empty store",
            store.location()
        ))));
    }
    let mut generator = Generator::new(spec)?;
    let (generator, outcome) = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Result<Batch, StoreError>>(4);
        let producer = scope.spawn(move || {
            loop {
                match generator.next_batch() {
                    Ok(Some(batch)) => {
                        if tx.send(Ok(batch)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        break;
                    }
                }
            }
            generator
        });
        let mut outcome = Ok(());
        for batch in rx {
            let appended = batch.and_then(|b| store.append(b.stream, b.expected, b.events));
            match appended {
                Ok(_) => progress(store.head().0),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        (producer.join().expect("the generator thread"), outcome)
    });
    outcome?;
    let (head, hash) = store.head();
    if head != generator.seq {
        return Err(StoreError::Corrupt(format!(
            "the generator made {} events but the log holds {head}",
            generator.seq
        )));
    }
    Ok(generator.summary(hash))
}

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

    fn with_pruning(spec: &Spec, prune: bool) -> Result<Generator, StoreError> {
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

    /// Open the phase of a stage and count its steps. The first hearing is a web-based public
    /// hearing with questions; later ones are public hearings (with questions too), regional
    /// or national consultations (delegations only); a session is a session of the drafting
    /// committee, in which a few brackets will be raised.
    fn open_stage(&mut self, stage: Stage) -> Result<(), StoreError> {
        let cycle = self.cycle();
        let share = self.dice.range(35, 65);
        self.left = match stage {
            Stage::Hearing => cycle * share / 100,
            Stage::Session => cycle * (100 - share) / 100,
        };
        self.stage = stage;
        let (who, kind, name) = match stage {
            Stage::Hearing => {
                self.hearings += 1;
                let kind = if self.hearings == 1 {
                    PhaseKind::PublicHearing
                } else {
                    [
                        PhaseKind::PublicHearing,
                        PhaseKind::RegionalConsultation,
                        PhaseKind::NationalConsultation,
                    ][self.dice.weighted(&[55, 30, 15])]
                };
                let name = match kind {
                    PhaseKind::PublicHearing if self.hearings == 1 => {
                        "Web-based public hearing".to_string()
                    }
                    PhaseKind::PublicHearing => match doc(&self.state).revisions {
                        0 | 1 => format!("Public hearing {}", self.hearings),
                        n => format!("Public hearing on Rev.{}", n - 1),
                    },
                    PhaseKind::RegionalConsultation => {
                        format!("Regional consultation, {}", self.dice.phrase(REGIONS))
                    }
                    _ => {
                        let k = self.dice.below(self.people.delegations.len());
                        let country = COUNTRIES
                            .get(k)
                            .map_or_else(|| format!("Delegation {}", k + 1), |c| c.to_string());
                        format!("National consultation, {country}")
                    }
                };
                (self.secretariat(), kind, name)
            }
            Stage::Session => {
                self.sessions += 1;
                self.brackets_due = self.dice.range(1, 4);
                let name = format!("Drafting committee, session {}", self.sessions);
                (self.chair(), PhaseKind::CommitteeSession, name)
            }
        };
        // Planned for about as long as its steps take (165 s each on average).
        let from = self.clock.date_naive();
        let days = (self.left * 165).div_ceil(86_400) as i64;
        let window = Window {
            from: Some(from),
            until: Some(from + Duration::days(days)),
        };
        self.must(
            who,
            Command::OpenPhase {
                kind,
                name,
                window,
                admits: None,
            },
        )?;
        let no = PhaseNo(doc(&self.state).process.phases.len() as u32);
        self.open_phase = Some((no, kind));
        if kind == PhaseKind::PublicHearing {
            for _ in 0..self.dice.range(2, 4) {
                self.agenda.push_front(Chore::Pose);
            }
            self.answers_due = self.dice.range(20, 60);
        }
        Ok(())
    }

    /// The secretariat poses a question of the hearing open now, about a paragraph or two.
    fn pose(&mut self) -> Result<(), StoreError> {
        self.refresh_outline();
        let (group, template) = *self.dice.pick(QUESTIONS);
        let topic = self.dice.phrase(TOPICS);
        let mut clauses = vec![*self.dice.pick(&self.outline.texts)];
        if self.dice.chance(400) {
            let other = *self.dice.pick(&self.outline.texts);
            if other != clauses[0] {
                clauses.push(other);
            }
        }
        self.must(
            self.secretariat(),
            Command::PoseQuestion {
                group: Some(format!("Box {}: {group}", self.questions.len() + 1)),
                text: template.replace("{t}", topic),
                clauses,
            },
        )?;
        let no = QuestionNo(doc(&self.state).process.questions.len() as u32);
        self.questions.push(no);
        Ok(())
    }

    /// Close the phase open now: a hearing by the secretariat, a session by the chair.
    fn close_phase(&mut self) -> Result<(), StoreError> {
        let Some((no, kind)) = self.open_phase.take() else {
            return Ok(());
        };
        self.questions.clear();
        let who = if kind == PhaseKind::CommitteeSession {
            self.chair()
        } else {
            self.secretariat()
        };
        self.must(who, Command::ClosePhase(no))
    }

    /// A comment in a hearing, or now and then an answer to one of its questions: from the
    /// public, a non-State actor or a delegation in a public hearing; from a delegation (or
    /// the secretariat or the chair) in a consultation.
    fn hearing_step(&mut self) -> Result<(), StoreError> {
        let who = if matches!(self.open_phase, Some((_, PhaseKind::PublicHearing))) {
            match self.dice.weighted(&[60, 25, 15]) {
                0 => *self.dice.pick(&self.people.public),
                1 => *self.dice.pick(&self.people.observers),
                _ => *self.dice.pick(&self.people.delegations),
            }
        } else {
            match self.dice.weighted(&[85, 10, 5]) {
                0 => *self.dice.pick(&self.people.delegations),
                1 => self.secretariat(),
                _ => self.chair(),
            }
        };
        // A hearing's answers (a few dozen submissions, however long it is) come at moments
        // spread over it.
        if self.answers_due > 0
            && !self.questions.is_empty()
            && self.dice.below(self.left as usize + 1) < self.answers_due as usize
        {
            self.answers_due -= 1;
            return self.answer(who);
        }
        self.comment(who)
    }

    fn session_step(&mut self) -> Result<(), StoreError> {
        // The session's brackets come at moments spread over it, their alternatives soon
        // after them.
        let left = self.left as usize + 1;
        if self.brackets_due > 0 && self.dice.below(left) < self.brackets_due as usize {
            self.brackets_due -= 1;
            if self.bracket()? {
                return Ok(());
            }
        }
        if self.alternatives_due > 0 && self.dice.below(left) < 8 * self.alternatives_due as usize {
            self.alternatives_due -= 1;
            if self.alternative()? {
                return Ok(());
            }
        }
        let open = open(&self.state).count() as u32;
        let any = u32::from(open > 0);
        let weights = [
            if open < 60 { 18 } else { 0 }, // propose
            24 * any,                       // support
            12 * any,                       // oppose
            (10 + open / 2).min(40) * any,  // decide
            2 * any,                        // withdraw
            26,                             // comment
        ];
        let done = match self.dice.weighted(&weights) {
            0 => self.propose()?,
            1 => self.back(true)?,
            2 => self.back(false)?,
            3 => self.decide_one()?,
            4 => self.withdraw()?,
            _ => false,
        };
        if done {
            return Ok(());
        }
        let who = match self.dice.weighted(&[70, 20, 5, 5]) {
            0 => *self.dice.pick(&self.people.delegations),
            1 => *self.dice.pick(&self.people.observers),
            2 => self.chair(),
            _ => self.secretariat(),
        };
        self.comment(who)
    }

    fn comment(&mut self, who: ParticipantId) -> Result<(), StoreError> {
        self.refresh_outline();
        let n = doc(&self.state).comments;
        let reply_to = (n > 0 && self.dice.chance(150))
            .then(|| CommentNo(n - self.dice.below(n.min(30) as usize) as u32));
        let clause = self
            .dice
            .chance(800)
            .then(|| *self.dice.pick(&self.outline.all));
        let position = [Position::Support, Position::Oppose, Position::Neutral]
            [self.dice.weighted(&[30, 30, 40])];
        let text = comment_text(&mut self.dice, position, reply_to.is_some());
        self.must(
            who,
            Command::PostComment {
                clause,
                position,
                text,
                reply_to,
            },
        )
    }

    /// An answer to a question of the hearing open now, half the time about one of the
    /// paragraphs it asks about.
    fn answer(&mut self, who: ParticipantId) -> Result<(), StoreError> {
        let question = *self.dice.pick(&self.questions);
        let st = doc(&self.state);
        let about = &st.process.questions[&question].clauses;
        let clause = if self.dice.chance(500) {
            let c = *self.dice.pick(about);
            st.clause(c).map(|_| c)
        } else {
            None
        };
        let position = [Position::Support, Position::Oppose, Position::Neutral]
            [self.dice.weighted(&[30, 30, 40])];
        let text = comment_text(&mut self.dice, position, false);
        self.must(
            who,
            Command::AnswerQuestion {
                question,
                clause,
                position,
                text,
            },
        )
    }

    fn tag(&mut self, who: ParticipantId) -> Result<(), StoreError> {
        let name = format!("gen-{:04}", self.tags.len() + 1);
        let seq = doc(&self.state).seq;
        self.must(
            who,
            Command::SetTag {
                name: name.clone(),
                seq,
            },
        )?;
        self.tags.push(name);
        Ok(())
    }

    /// A delegation proposes an amendment: mostly new wording for a paragraph, a few words
    /// changed; sometimes a new paragraph, a deletion or a move; never a change to an agreed
    /// paragraph. `false` if none fits.
    fn propose(&mut self) -> Result<bool, StoreError> {
        self.refresh_outline();
        let who = *self.dice.pick(&self.people.delegations);
        let st = doc(&self.state);
        let change = match self.dice.weighted(&[90, 3, 3, 4]) {
            0 => {
                let clause = *self.dice.pick(&self.outline.texts);
                if st.agreement_of(clause).is_locked() {
                    return Ok(false);
                }
                let text = reword(&mut self.dice, &st.clause(clause).expect("live").text);
                Change::Replace { clause, text }
            }
            1 => {
                let article = *self.dice.pick(&self.outline.articles);
                let kids = &st.clause(article).expect("live").children;
                let Some(after) = kids.get(self.dice.below(kids.len().max(1))).copied() else {
                    return Ok(false);
                };
                let base = &st.clause(after).expect("live").label;
                let Some(label) = ["bis", "ter", "quater", "quinquies", "sexies"]
                    .iter()
                    .map(|s| format!("{base} {s}"))
                    .find(|l| st.resolve_clause(l).is_err())
                else {
                    return Ok(false);
                };
                Change::Insert {
                    clause: ClauseId(self.dice.uuid()),
                    parent: Some(article),
                    after: Some(after),
                    label,
                    text: clause_text(&mut self.dice),
                }
            }
            2 => {
                let clause = *self.dice.pick(&self.outline.paragraphs);
                if siblings(st, clause) < 3 || st.agreement_of(clause).is_locked() {
                    return Ok(false);
                }
                Change::Delete { clause }
            }
            _ => {
                let clause = *self.dice.pick(&self.outline.paragraphs);
                if siblings(st, clause) < 3 || st.agreement_of(clause).is_locked() {
                    return Ok(false);
                }
                let from = st.clause(clause).expect("live").parent;
                let to = if self.dice.chance(700) {
                    from
                } else {
                    Some(*self.dice.pick(&self.outline.articles))
                };
                let kids: Vec<ClauseId> = st
                    .clause(to.expect("an article"))
                    .expect("live")
                    .children
                    .iter()
                    .copied()
                    .filter(|k| *k != clause)
                    .collect();
                let i = self.dice.below(kids.len() + 1);
                let after = if i == kids.len() { None } else { Some(kids[i]) };
                Change::Move {
                    clause,
                    parent: to,
                    after,
                }
            }
        };
        self.put_forward(who, change)
    }

    /// A delegation supports or opposes a recent open amendment it has not taken a side on.
    fn back(&mut self, support: bool) -> Result<bool, StoreError> {
        let count = open(&self.state).count();
        let k = self.dice.below(count.min(12));
        let a = open(&self.state).rev().nth(k).expect("open");
        for _ in 0..6 {
            let who = *self.dice.pick(&self.people.delegations);
            if who != a.proposer && !a.supporters.contains(&who) && !a.opposers.contains(&who) {
                let cmd = if support {
                    Command::SupportAmendment(a.no)
                } else {
                    Command::OpposeAmendment(a.no)
                };
                self.must(who, cmd)?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The proposer withdraws an open amendment.
    fn withdraw(&mut self) -> Result<bool, StoreError> {
        let k = self.dice.below(open(&self.state).count());
        let a = open(&self.state).nth(k).expect("open");
        let (who, no) = (a.proposer, a.no);
        self.must(who, Command::WithdrawAmendment(no))?;
        Ok(true)
    }

    /// A delegation puts words of a paragraph in square brackets: a phrase of 3 to 12 words
    /// between punctuation that occurs once in a paragraph still open, with no brackets yet.
    /// `false` if none of a few paragraphs tried fits.
    fn bracket(&mut self) -> Result<bool, StoreError> {
        self.refresh_outline();
        let who = *self.dice.pick(&self.people.delegations);
        let st = doc(&self.state);
        for _ in 0..4 {
            let clause = *self.dice.pick(&self.outline.texts);
            let c = st.clause(clause).expect("live");
            if st.agreement_of(clause).is_locked() || !st.open_brackets_on(c).is_empty() {
                continue;
            }
            let spans: Vec<&str> = c
                .text
                .split([',', ';', '.'])
                .map(str::trim)
                .filter(|s| (3..=12).contains(&words(s)) && c.text.matches(*s).count() == 1)
                .collect();
            if spans.is_empty() {
                continue;
            }
            let span = self.dice.pick(&spans).to_string();
            self.must(who, Command::BracketText { clause, span })?;
            self.alternatives_due += self.dice.range(1, 3);
            return Ok(true);
        }
        Ok(false)
    }

    /// A delegation proposes other words for one of the latest open brackets (three
    /// alternatives at most). `false` if none fits.
    fn alternative(&mut self) -> Result<bool, StoreError> {
        let st = doc(&self.state);
        let candidates: Vec<(BracketNo, ClauseId, String)> = st
            .process
            .brackets
            .values()
            .rev()
            .filter(|b| b.status == BracketStatus::Open && st.alternatives(b.no).count() < 3)
            .take(4)
            .map(|b| (b.no, b.clause, b.span.clone()))
            .collect();
        if candidates.is_empty() {
            return Ok(false);
        }
        let (bracket, clause, span) = self.dice.pick(&candidates).clone();
        let who = *self.dice.pick(&self.people.delegations);
        let change = Change::Alternative {
            clause,
            bracket,
            text: alternative_text(&mut self.dice, &span),
        };
        self.put_forward(who, change)
    }

    /// The chair lifts the oldest open bracket that no alternative still open is offered for,
    /// keeping the words as drafted. Nothing if there is none.
    fn lift(&mut self) -> Result<(), StoreError> {
        let st = doc(&self.state);
        let Some(bracket) = st
            .process
            .brackets
            .values()
            .find(|b| b.status == BracketStatus::Open && st.alternatives(b.no).next().is_none())
            .map(|b| b.no)
        else {
            return Ok(());
        };
        self.must(
            self.chair(),
            Command::LiftBracket {
                bracket,
                method: Method::Consensus,
            },
        )
    }

    /// The chair records a paragraph with no open bracket and no amendment pending as agreed
    /// ad referendum, or one agreed ad referendum as agreed. Nothing if none of a few tried
    /// fits.
    fn agree(&mut self) -> Result<(), StoreError> {
        self.refresh_outline();
        let st = doc(&self.state);
        for _ in 0..4 {
            let clause = *self.dice.pick(&self.outline.texts);
            let agreement = match st.agreement_of(clause) {
                Agreement::Open => Agreement::AgreedAdReferendum,
                Agreement::AgreedAdReferendum => Agreement::Agreed,
                Agreement::Agreed => continue,
            };
            let c = st.clause(clause).expect("live");
            if !st.open_brackets_on(c).is_empty() || st.pending_on(clause).next().is_some() {
                continue;
            }
            return self.must(self.chair(), Command::RecordAgreement { clause, agreement });
        }
        Ok(())
    }

    /// The chair decides an open amendment, mostly the oldest: accepted, accepted as modified,
    /// rejected or deferred, by consensus or by vote. An outcome the text no longer allows
    /// (its clause was removed since, or its bracket lifted, say) becomes a rejection. Accepting
    /// a change to an agreed paragraph reopens it. `false` if the decision would take more
    /// events than remain.
    fn decide_one(&mut self) -> Result<bool, StoreError> {
        let chair = self.chair();
        let st = doc(&self.state);
        let count = open(&self.state).count();
        let a = if self.dice.chance(700) {
            open(&self.state).next()
        } else {
            open(&self.state).nth(self.dice.below(count))
        }
        .expect("open");
        let no = a.no;
        let worded = matches!(a.change, Change::Replace { .. } | Change::Insert { .. });
        let mut outcome = match self
            .dice
            .weighted(&[35, if worded { 20 } else { 0 }, 30, 15])
        {
            0 => Outcome::Accepted,
            1 => {
                let proposed = match &a.change {
                    Change::Replace { text, .. } | Change::Insert { text, .. } => text.as_str(),
                    _ => unreachable!("only worded changes are modified"),
                };
                Outcome::AcceptedAsModified {
                    text: reword(&mut self.dice, proposed),
                }
            }
            2 => Outcome::Rejected,
            _ => Outcome::Deferred,
        };
        if let Change::Delete { clause } = a.change {
            if outcome == Outcome::Accepted
                && st.clause(clause).is_some_and(|_| siblings(st, clause) < 3)
            {
                outcome = Outcome::Rejected;
            }
        }
        // Changing an agreed paragraph reopens it in the same decision.
        let reopen = matches!(
            outcome,
            Outcome::Accepted | Outcome::AcceptedAsModified { .. }
        ) && st.agreement_of(a.change.clause()).is_locked();
        let method = if outcome != Outcome::Deferred && self.dice.chance(200) {
            self.vote(matches!(outcome, Outcome::Rejected))
        } else {
            Method::Consensus
        };
        let cmd = Command::RecordDecision {
            reopen,
            amendment: no,
            outcome,
            method,
        };
        let events = match self.decide(chair, cmd) {
            Ok(events) => events,
            Err(_) => self.decide(
                chair,
                Command::RecordDecision {
                    reopen: false,
                    amendment: no,
                    outcome: Outcome::Rejected,
                    method: Method::Consensus,
                },
            )?,
        };
        // A decision that reopens a paragraph, or accepts an alternative (rejecting the others
        // with it), makes several events: not more than remain.
        if events.len() as u64 > self.remaining() {
            return Ok(false);
        }
        self.commit(chair, events);
        Ok(true)
    }

    /// A tally among the delegations present: a majority in favour, or not.
    fn vote(&mut self, against: bool) -> Method {
        let d = self.people.delegations.len() as u64;
        let present = (d * self.dice.range(70, 100) / 100).max(1);
        let majority = present * self.dice.range(51, 85) / 100 + 1;
        let majority = majority.min(present);
        let rest = present - majority;
        let minority = rest * self.dice.range(40, 100) / 100;
        let abstain = rest - minority;
        let (yes, no) = if against {
            (minority, majority)
        } else {
            (majority, minority)
        };
        Method::Vote {
            yes: yes as u32,
            no: no as u32,
            abstain: abstain as u32,
        }
    }

    /// The secretariat issues a revision: some paragraphs reworded, articles kept between 3
    /// and 8 paragraphs, perhaps a paragraph added, moved, an article moved, and everything
    /// renumbered in order. Agreed paragraphs are not reworded, but if the revision moves,
    /// removes or renumbers one, the chair first reopens it. Skipped if it would take more
    /// events than remain.
    fn revise(&mut self) -> Result<(), StoreError> {
        let sec = self.secretariat();
        let chair = self.chair();
        let label = Some(format!("Rev.{}", doc(&self.state).revisions));
        let mut ops = self.revision_ops(true);
        let mut tried = self.try_revision(&label, &ops);
        if tried.is_err() {
            ops = self.revision_ops(false);
            if ops.is_empty() {
                return Ok(());
            }
            tried = self.try_revision(&label, &ops);
        }
        let (reopened, parts) = tried?;
        if (reopened.len() + parts) as u64 > self.remaining() {
            return Ok(());
        }
        for clause in reopened {
            self.must(
                chair,
                Command::RecordAgreement {
                    clause,
                    agreement: Agreement::Open,
                },
            )?;
        }
        self.must(
            sec,
            Command::IssueRevision {
                title: None,
                label,
                ops,
            },
        )
    }

    /// Decide a revision as if the agreed clauses it touches had been reopened: those clauses,
    /// and how many events the revision makes.
    fn try_revision(
        &self,
        label: &Option<String>,
        ops: &[ClauseOp],
    ) -> Result<(Vec<ClauseId>, usize), DomainError> {
        let st = doc(&self.state);
        let locked: BTreeSet<ClauseId> = ops
            .iter()
            .map(ClauseOp::clause)
            .filter(|c| st.agreement_of(*c).is_locked())
            .collect();
        let cmd = Command::IssueRevision {
            title: None,
            label: label.clone(),
            ops: ops.to_vec(),
        };
        let events = if locked.is_empty() {
            decide(st, self.secretariat(), &self.registry, cmd)?
        } else {
            let mut reopened = st.clone();
            for c in &locked {
                reopened.process.agreement.remove(c);
            }
            decide(&reopened, self.secretariat(), &self.registry, cmd)?
        };
        Ok((locked.into_iter().collect(), events.len()))
    }

    fn revision_ops(&mut self, restructure: bool) -> Vec<ClauseOp> {
        self.outline.stale = true;
        self.refresh_outline();
        let st = doc(&self.state);
        let d = &mut self.dice;
        let o = &self.outline;
        let mut ops = Vec::new();
        let mut added = BTreeSet::new();
        let mut removed = BTreeSet::new();
        let mut new_paragraph = |d: &mut Dice, ops: &mut Vec<ClauseOp>, article, after| {
            let clause = ClauseId(d.uuid());
            added.insert(clause);
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause,
                parent: Some(article),
                after,
                label: format!("new {}", clause.short()),
                heading: None,
                text: clause_text(d),
            });
        };
        if restructure {
            for article in &o.articles {
                let kids = &st.clause(*article).expect("live").children;
                if kids.len() < 3 {
                    new_paragraph(d, &mut ops, *article, kids.last().copied());
                } else if kids.len() > 8 {
                    let last = *kids.last().expect("paragraphs");
                    removed.insert(last);
                    ops.push(ClauseOp::Remove { clause: last });
                }
            }
            if d.chance(300) {
                let article = *d.pick(&o.articles);
                let kids: Vec<ClauseId> = st.clause(article).expect("live").children.clone();
                let kids: Vec<ClauseId> =
                    kids.into_iter().filter(|k| !removed.contains(k)).collect();
                if (1..8).contains(&kids.len()) {
                    let after = *d.pick(&kids);
                    new_paragraph(d, &mut ops, article, Some(after));
                }
            }
            if d.chance(500) {
                let clause = *d.pick(&o.paragraphs);
                if !removed.contains(&clause) && siblings(st, clause) >= 4 {
                    let to = if d.chance(600) {
                        st.clause(clause).expect("live").parent.expect("an article")
                    } else {
                        *d.pick(&o.articles)
                    };
                    let kids: Vec<ClauseId> = st
                        .clause(to)
                        .expect("live")
                        .children
                        .iter()
                        .copied()
                        .filter(|k| *k != clause && !removed.contains(k))
                        .collect();
                    let i = d.below(kids.len() + 1);
                    ops.push(ClauseOp::Move {
                        clause,
                        parent: Some(to),
                        after: kids.get(i).copied(),
                    });
                }
            }
            if o.articles.len() >= 3 && d.chance(250) {
                let i = d.below(o.articles.len());
                let j = d.below(o.articles.len());
                if i != j {
                    ops.push(ClauseOp::Move {
                        clause: o.articles[i],
                        parent: None,
                        after: Some(o.articles[j]),
                    });
                }
            }
        }
        // Paragraphs agreed stay as they are; at least one other is reworded.
        let open = |c: &ClauseId| !removed.contains(c) && !st.agreement_of(*c).is_locked();
        let last_open = o.texts.iter().rposition(open);
        let mut reworded = 0;
        for (n, clause) in o.texts.iter().enumerate() {
            let last_chance = reworded == 0 && Some(n) == last_open;
            if !open(clause) || !(last_chance || d.chance(200)) {
                continue;
            }
            let text = reword(d, &st.clause(*clause).expect("live").text);
            ops.push(ClauseOp::Reword {
                kind: None,
                notes: Vec::new(),
                clause: *clause,
                heading: None,
                text,
            });
            reworded += 1;
        }

        // Renumber: the labels the text will have after these operations, in reading order.
        let mut after = st.clone();
        after.evolve(&RecordedEvent {
            seq: st.seq + 1,
            id: EventId(Uuid::nil()),
            stream: StreamId::document(st.id),
            version: st.version + 1,
            recorded_at: self.clock,
            actor: self.people.secretariat.expect("registered"),
            schema: 1,
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event: Event::RevisionIssued {
                title: None,
                revision: st.revisions + 1,
                label: None,
                ops: ops.clone(),
            },
        });
        let mut wanted = Vec::new();
        let (mut pp, mut art) = (0, 0);
        for root in after.roots() {
            let c = after.clause(*root).expect("live");
            if c.heading.is_some() {
                art += 1;
                wanted.push((c.id, format!("Article {art}")));
                for (j, kid) in c.children.iter().enumerate() {
                    wanted.push((*kid, format!("{art}.{}", j + 1)));
                }
            } else {
                pp += 1;
                wanted.push((c.id, format!("PP{pp}")));
            }
        }
        for (clause, label) in wanted {
            if added.contains(&clause) {
                for op in ops.iter_mut() {
                    if let ClauseOp::Add {
                        clause: c,
                        label: l,
                        ..
                    } = op
                    {
                        if *c == clause {
                            *l = label.clone();
                        }
                    }
                }
            } else if after.clause(clause).expect("live").label != label {
                ops.push(ClauseOp::Relabel { clause, label });
            }
        }
        ops
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

// ----- randomness --------------------------------------------------------------------------

/// Every choice, from one ChaCha8 stream. Ranges are computed here from `next_u64` (multiply
/// and shift), so that they do not depend on `rand`'s distribution code.
struct Dice(ChaCha8Rng);

impl Dice {
    fn new(seed: u64) -> Dice {
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..].copy_from_slice(b"travaux generate history");
        Dice(ChaCha8Rng::from_seed(bytes))
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.0.next_u64()) * n as u128) >> 64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below((hi - lo + 1) as usize) as u64
    }

    /// True `per_mille` times in a thousand.
    fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of these phrases.
    fn phrase(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// An index, with these weights (at least one above zero).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        unreachable!("r < total")
    }

    /// A version-4 uuid made of the stream's bytes.
    fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.0.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

// ----- wording -----------------------------------------------------------------------------

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// One sentence without its final stop, starting in lower case unless with a proper noun.
fn sentence_body(d: &mut Dice, lead: bool) -> String {
    let (subject, plural) = *d.pick(SUBJECTS);
    let modal = if plural {
        *d.pick(MODALS_PLURAL)
    } else {
        *d.pick(MODALS_SINGULAR)
    };
    let predicate = d.below(PREDICATES.len());
    let mut s = String::with_capacity(200);
    let lead = lead && d.chance(200);
    if lead {
        s.push_str(d.phrase(QUALIFIERS));
        s.push_str(", ");
    }
    s.push_str(subject);
    s.push(' ');
    s.push_str(modal);
    s.push(' ');
    s.push_str(PREDICATES[predicate]);
    if !lead && d.chance(450) {
        s.push_str(", ");
        s.push_str(d.phrase(QUALIFIERS));
    }
    if d.chance(350) {
        let other = (predicate + 1 + d.below(PREDICATES.len() - 1)) % PREDICATES.len();
        s.push_str(d.phrase(CONNECTORS));
        s.push(' ');
        s.push_str(PREDICATES[other]);
        if d.chance(250) {
            s.push_str(", ");
            s.push_str(d.phrase(QUALIFIERS));
        }
    }
    s
}

fn sentence(d: &mut Dice) -> String {
    let mut s = capitalize(&sentence_body(d, true));
    s.push('.');
    s
}

/// A paragraph of 20 to 80 words, in whole sentences.
fn clause_text(d: &mut Dice) -> String {
    let target = d.range(20, 80) as usize;
    let mut text = String::new();
    let mut n = 0;
    loop {
        let s = sentence(d);
        let k = words(&s);
        if n >= 20 && n + k > 80 {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&s);
        n += k;
        if n >= target {
            break;
        }
    }
    text
}

/// A preamble paragraph: "Recognizing that …;".
fn preamble_text(d: &mut Dice, last: bool) -> String {
    let mut text = d.pick(PREAMBLE_OPENERS).to_string();
    text.push(' ');
    text.push_str(&sentence_body(d, false));
    while words(&text) < 20 {
        text.push_str(", and that ");
        text.push_str(&sentence_body(d, false));
    }
    text.push_str(if last {
        ", have agreed upon the following Code of Practice."
    } else {
        ";"
    });
    text
}

fn comment_text(d: &mut Dice, position: Position, reply: bool) -> String {
    let openers = match (reply, position) {
        (true, _) => REPLY_OPENERS,
        (false, Position::Support) => SUPPORT_OPENERS,
        (false, Position::Oppose) => OPPOSE_OPENERS,
        (false, Position::Neutral) => NEUTRAL_OPENERS,
    };
    let topic = *d.pick(TOPICS);
    let mut text = d.pick(openers).replace("{t}", topic);
    text.push(' ');
    text.push_str(&sentence(d));
    if d.chance(400) {
        text.push(' ');
        text.push_str(&sentence(d));
    }
    text
}

/// Other words for a bracketed phrase: a word or phrase swapped for another, or a qualifier
/// added.
fn alternative_text(d: &mut Dice, span: &str) -> String {
    let mut out = span.to_string();
    if !(d.chance(600) && swap_phrase(d, &mut out)) {
        out.push_str(", ");
        out.push_str(d.phrase(QUALIFIERS));
    }
    out
}

/// Where `needle` occurs in `haystack` as whole words.
fn occurrences(haystack: &str, needle: &str) -> Vec<usize> {
    let bytes = haystack.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    haystack
        .match_indices(needle)
        .map(|(i, _)| i)
        .filter(|i| {
            (*i == 0 || !word(bytes[i - 1]))
                && bytes.get(i + needle.len()).is_none_or(|b| !word(*b))
        })
        .collect()
}

/// A few words changed: a word or phrase swapped for another, a qualifier added or taken
/// out. Always different from `text`, and kept at about 20 to 90 words.
fn reword(d: &mut Dice, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..d.range(1, 3) {
        let n = words(&out);
        let choice = if n > 85 {
            2
        } else if n < 20 {
            1
        } else {
            d.weighted(&[60, 20, 20])
        };
        let done = match choice {
            0 => swap_phrase(d, &mut out),
            2 => drop_qualifier(d, &mut out),
            _ => false,
        };
        if !done {
            add_qualifier(d, &mut out);
        }
    }
    if words(&out) > 90 {
        if let Some(i) = out[..out.len() - 1].rfind(". ") {
            out.truncate(i + 1);
        }
    }
    if out == text {
        add_qualifier(d, &mut out);
    }
    out
}

fn swap_phrase(d: &mut Dice, out: &mut String) -> bool {
    let start = d.below(SWAPS.len());
    let flip = d.chance(500);
    for k in 0..SWAPS.len() {
        let (a, b) = SWAPS[(start + k) % SWAPS.len()];
        for (from, to) in if flip {
            [(b, a), (a, b)]
        } else {
            [(a, b), (b, a)]
        } {
            let found = occurrences(out, from);
            if !found.is_empty() {
                let i = found[d.below(found.len())];
                out.replace_range(i..i + from.len(), to);
                return true;
            }
        }
    }
    false
}

fn drop_qualifier(d: &mut Dice, out: &mut String) -> bool {
    let start = d.below(QUALIFIERS.len());
    for k in 0..QUALIFIERS.len() {
        let q = format!(", {}", QUALIFIERS[(start + k) % QUALIFIERS.len()]);
        if let Some(i) = out.find(&q) {
            out.replace_range(i..i + q.len(), "");
            return true;
        }
    }
    false
}

fn add_qualifier(d: &mut Dice, out: &mut String) {
    let stops: Vec<usize> = out
        .char_indices()
        .filter(|(i, c)| {
            matches!(c, '.' | ';') && out[i + 1..].chars().next().is_none_or(|n| n == ' ')
        })
        .map(|(i, _)| i)
        .collect();
    let q = format!(", {}", d.pick(QUALIFIERS));
    match stops.get(d.below(stops.len().max(1))) {
        Some(i) => out.insert_str(*i, &q),
        None => out.push_str(&q),
    }
}

// ----- vocabulary --------------------------------------------------------------------------

const SUBJECTS: &[(&str, bool)] = &[
    ("Member States", true),
    ("destination countries", true),
    ("source countries", true),
    ("recruiters and employers", true),
    ("international recruitment agencies", true),
    ("health personnel", true),
    ("the Secretariat", false),
    ("all stakeholders", true),
    ("Member States and other stakeholders", true),
    ("national health authorities", true),
    ("governments of source and destination countries", true),
    ("relevant international organizations", true),
    ("health professional organizations", true),
    ("employers of migrant health personnel", true),
    ("the Director-General", false),
    ("each Member State", false),
];

const MODALS_PLURAL: &[&str] = &[
    "should",
    "should",
    "shall",
    "should, as appropriate,",
    "are encouraged to",
    "should endeavour to",
    "should strive to",
    "may",
    "are urged to",
    "should take effective measures to",
    "should, to the extent possible,",
    "are invited to",
    "should consider how to",
];

const MODALS_SINGULAR: &[&str] = &[
    "should",
    "shall",
    "should, as appropriate,",
    "is encouraged to",
    "should endeavour to",
    "should strive to",
    "may",
    "is requested to",
    "should take effective measures to",
    "should, to the extent possible,",
];

const PREDICATES: &[&str] = &[
    "strengthen their health systems",
    "ensure fair and transparent recruitment practices",
    "mitigate the negative effects of health worker migration on source countries",
    "promote the circular migration of health personnel",
    "maintain records of all recruiters they authorize to operate",
    "collect and exchange data on the health workforce",
    "provide technical and financial assistance to source countries",
    "facilitate the return of migrant health personnel",
    "respect the rights and obligations of migrant health workers",
    "develop sustainable plans for the education and retention of health personnel",
    "discourage active recruitment from countries facing critical shortages of health workers",
    "observe fair labour practices for all health personnel",
    "establish a national database of health personnel",
    "support the training of health workers in developing countries",
    "designate a national authority for the exchange of information on this Code",
    "report periodically to the Health Assembly on the implementation of this Code",
    "cooperate on bilateral, regional and multilateral agreements",
    "take into account the needs of developing countries",
    "apply equal conditions of employment to migrant and domestically trained health personnel",
    "recognize the qualifications of migrant health personnel",
    "make information on recruitment policies publicly available",
    "ensure that no recruitment fees are charged to health personnel",
    "invest in the health workforce of source countries",
    "promote research on the migration of health personnel",
    "meet their health personnel needs from their own human resources",
    "ensure that migrant health personnel enjoy the same legal rights as domestically trained health workers",
];

const QUALIFIERS: &[&str] = &[
    "to the extent possible",
    "as appropriate",
    "in accordance with national law",
    "where appropriate",
    "taking into account the capacities of source countries",
    "consistent with the principles of this Code",
    "in particular in developing countries",
    "on the basis of transparency, fairness and mutuality of benefits",
    "in cooperation with relevant stakeholders",
    "within available resources",
    "with due regard to the right to health",
    "in line with national and subnational responsibilities",
    "in a manner that strengthens health systems",
    "without prejudice to the right of individuals to migrate",
    "subject to applicable legislation",
    "through bilateral, regional and multilateral arrangements",
    "including in small island developing States",
];

const CONNECTORS: &[&str] = &[", and", ", in order to", ", so as to", " and should also"];

const PREAMBLE_OPENERS: &[&str] = &[
    "Recalling that",
    "Recognizing that",
    "Mindful that",
    "Concerned that",
    "Acknowledging that",
    "Reaffirming that",
    "Noting with concern that",
    "Convinced that",
    "Emphasizing that",
    "Bearing in mind that",
];

/// Pairs of words or phrases a rewording swaps, either way. Neither of a pair occurs inside
/// the other as a whole word.
const SWAPS: &[(&str, &str)] = &[
    ("should", "shall"),
    ("health personnel", "health workers"),
    ("source countries", "countries of origin"),
    ("to the extent possible", "as far as possible"),
    ("ensure", "promote"),
    ("strengthen", "reinforce"),
    ("encouraged", "urged"),
    ("as appropriate", "where appropriate"),
    ("mitigate", "minimize"),
    ("provide", "offer"),
    ("facilitate", "support"),
    ("develop", "establish"),
    ("data", "information"),
    ("fair", "equitable"),
    ("cooperate", "collaborate"),
    ("developing countries", "low- and middle-income countries"),
    ("discourage", "refrain from"),
    ("endeavour", "strive"),
    ("critical shortages", "severe shortages"),
    ("relevant stakeholders", "all partners"),
];

const HEADINGS: &[&str] = &[
    "Objectives",
    "Nature and scope",
    "Guiding principles",
    "Mutuality of benefits",
    "Recruitment practices",
    "Health workforce development and health systems sustainability",
    "Fair treatment of migrant health personnel",
    "Data gathering and research",
    "Information exchange",
    "Implementation of the Code",
    "Monitoring and institutional arrangements",
    "Partnerships, technical collaboration and financial support",
    "Definitions",
    "Responsibilities of recruiters and employers",
    "Health workforce planning",
    "Retention strategies",
    "Recognition of qualifications",
    "Review of the Code",
    "Reporting",
    "Final provisions",
];

const RATIONALES: &[&str] = &[
    "To align the text with Article 3.",
    "To reflect the capacities of developing countries.",
    "To strengthen the commitment of destination countries.",
    "To keep the provision voluntary, consistent with Article 2.",
    "To avoid duplication with existing obligations.",
    "For clarity.",
    "To reflect the discussion in the regional committees.",
    "To bring the wording into line with agreed language from resolution WHA58.17.",
    "To take into account national and subnational responsibilities.",
    "To address concerns raised in the public hearing.",
    "The current wording is too prescriptive.",
    "To protect the rights of migrant health personnel.",
    "To recognize the burden borne by source countries.",
    "To allow for different national circumstances.",
];

const SUPPORT_OPENERS: &[&str] = &[
    "We support this provision.",
    "We welcome this paragraph and its reference to {t}.",
    "This wording strikes the right balance.",
    "Strongly supported.",
    "We support the text as drafted, which reflects the importance of {t}.",
    "Our organization endorses this paragraph.",
];

const OPPOSE_OPENERS: &[&str] = &[
    "We cannot accept this wording.",
    "This paragraph goes too far.",
    "The text should not weaken commitments on {t}.",
    "We object to this provision as drafted.",
    "This language is too vague on {t}.",
    "We propose to delete the reference to {t}.",
];

const NEUTRAL_OPENERS: &[&str] = &[
    "Could the Secretariat clarify what is meant by {t}?",
    "We suggest the following change.",
    "It is unclear how this provision applies to {t}.",
    "A definition of {t} would help.",
    "We note the link with {t}.",
    "Further consultation is needed on {t}.",
];

const REPLY_OPENERS: &[&str] = &[
    "We agree with the previous comment.",
    "We share this concern about {t}.",
    "We disagree with the previous speaker.",
    "Further to the comment above, we would add a point on {t}.",
    "The comment above overlooks {t}.",
];

/// The groups of a hearing's questions, and the questions (`{t}` is a topic).
const QUESTIONS: &[(&str, &str)] = &[
    (
        "Scope and definitions",
        "Should the Code apply to {t}, and if so, how?",
    ),
    (
        "International recruitment practices",
        "What practices of recruiters and employers should the Code address with regard to {t}?",
    ),
    (
        "Mutuality of benefits",
        "How can source and destination countries share the benefits of migration, in particular for {t}?",
    ),
    (
        "Data and information exchange",
        "What data on {t} can Member States collect and exchange?",
    ),
    (
        "Implementation and reporting",
        "How should the implementation of the Code be monitored as regards {t}?",
    ),
    (
        "Fair treatment",
        "Which rights of migrant health personnel should the Code set out, considering {t}?",
    ),
    (
        "Health workforce sustainability",
        "What measures would strengthen {t} in countries facing critical shortages?",
    ),
];

/// The WHO regions, where regional consultations are held.
const REGIONS: &[&str] = &[
    "African Region",
    "Region of the Americas",
    "South-East Asia Region",
    "European Region",
    "Eastern Mediterranean Region",
    "Western Pacific Region",
];

const TOPICS: &[&str] = &[
    "source countries",
    "health personnel",
    "circular migration",
    "recruitment agencies",
    "data collection",
    "the rights of migrant health workers",
    "health systems strengthening",
    "bilateral agreements",
    "technical and financial assistance",
    "the right to health",
    "rural and remote areas",
    "the recognition of qualifications",
    "mutuality of benefits",
    "the health workforce",
    "small island developing States",
    "compensation",
];

const COUNTRIES: &[&str] = &[
    "Brazil",
    "Norway",
    "South Africa",
    "India",
    "Kenya",
    "Philippines",
    "Canada",
    "European Union",
    "United States of America",
    "Ghana",
    "Indonesia",
    "Thailand",
    "Zimbabwe",
    "United Kingdom",
    "Australia",
    "New Zealand",
    "Japan",
    "China",
    "Mexico",
    "Chile",
    "Argentina",
    "Egypt",
    "Nigeria",
    "Ethiopia",
    "Uganda",
    "United Republic of Tanzania",
    "Malawi",
    "Zambia",
    "Mozambique",
    "Senegal",
    "Mali",
    "Cameroon",
    "Morocco",
    "Tunisia",
    "Jamaica",
    "Trinidad and Tobago",
    "Barbados",
    "Fiji",
    "Samoa",
    "Sri Lanka",
    "Bangladesh",
    "Pakistan",
    "Nepal",
    "Viet Nam",
    "Malaysia",
    "Republic of Korea",
    "Saudi Arabia",
    "United Arab Emirates",
    "Qatar",
    "Oman",
    "Iran",
    "Turkey",
    "Russian Federation",
    "Ukraine",
    "Poland",
    "Romania",
    "Germany",
    "France",
    "Italy",
    "Spain",
    "Portugal",
    "Ireland",
    "Netherlands",
    "Belgium",
    "Switzerland",
    "Sweden",
    "Finland",
    "Denmark",
    "Iceland",
    "Colombia",
    "Peru",
    "Ecuador",
    "Bolivia",
    "Paraguay",
    "Uruguay",
    "Cuba",
    "Dominican Republic",
    "Guatemala",
    "Honduras",
    "El Salvador",
    "Costa Rica",
    "Panama",
    "Botswana",
    "Namibia",
    "Lesotho",
    "Eswatini",
    "Rwanda",
    "Burundi",
    "Madagascar",
    "Mauritius",
];

const NON_STATE_ACTORS: &[(&str, &str)] = &[
    ("psi", "Public Services International"),
    ("icn", "International Council of Nurses"),
    ("wma", "World Medical Association"),
    ("fip", "International Pharmaceutical Federation"),
    ("mmi", "Medicus Mundi International Network"),
    ("wfpha", "World Federation of Public Health Associations"),
    ("hw4all", "Health Workers for All Coalition"),
    ("icm", "International Confederation of Midwives"),
    ("fdi", "FDI World Dental Federation"),
    ("wcpt", "World Confederation for Physical Therapy"),
    (
        "ifmsa",
        "International Federation of Medical Students' Associations",
    ),
    ("msh", "Management Sciences for Health"),
    ("ipa", "International Pediatric Association"),
    ("ahwn", "African Health Workforce Network"),
];

const FIRST_NAMES: &[&str] = &[
    "Ana",
    "Kwame",
    "Maria",
    "Joseph",
    "Amina",
    "Li",
    "Fatima",
    "Juan",
    "Priya",
    "Samuel",
    "Grace",
    "Ahmed",
    "Elena",
    "Tunde",
    "Mei",
    "Oluwaseun",
    "Sofia",
    "Rahul",
    "Nomvula",
    "Pedro",
    "Aisha",
    "Jan",
    "Chipo",
    "Hiroshi",
];

const LAST_NAMES: &[&str] = &[
    "Reyes", "Boateng", "Silva", "Mwangi", "Okafor", "Wei", "Haddad", "Garcia", "Sharma", "Mensah",
    "Banda", "Hassan", "Popescu", "Adeyemi", "Chen", "Ndlovu", "Rossi", "Patel", "Dlamini",
    "Santos", "Yusuf", "Kowalski", "Moyo", "Tanaka", "Kariuki", "Nguyen", "Osei",
];

const PROFESSIONS: &[&str] = &[
    "nurse",
    "medical officer",
    "midwife",
    "pharmacist",
    "health policy researcher",
    "recruitment agent",
    "hospital administrator",
    "nursing student",
    "community health worker",
    "trade unionist",
];

#[cfg(test)]
mod tests {
    use super::*;
    use travaux_core::Directory;

    fn all_events(spec: &Spec, prune: bool) -> Vec<Batch> {
        let mut g = Generator::with_pruning(spec, prune).expect("a generator");
        let mut out = Vec::new();
        while let Some(b) = g.next_batch().expect("a batch") {
            out.push(b);
        }
        out
    }

    fn payloads(batches: &[Batch]) -> Vec<&NewEvent> {
        batches.iter().flat_map(|b| &b.events).collect()
    }

    fn spec(events: u64, seed: u64) -> Spec {
        Spec {
            events,
            seed,
            ..Spec::default()
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_events_ids_and_times() {
        let a = all_events(&spec(4000, 7), true);
        let b = all_events(&spec(4000, 7), true);
        assert_eq!(a, b);
    }

    #[test]
    fn different_seeds_give_different_histories() {
        let a = all_events(&spec(3000, 7), true);
        let b = all_events(&spec(3000, 8), true);
        let texts = |bs: &[Batch]| -> Vec<Event> {
            payloads(bs).into_iter().map(|e| e.event.clone()).collect()
        };
        assert_ne!(texts(&a), texts(&b));
    }

    #[test]
    fn the_size_asked_is_reached_exactly() {
        for events in [400, 1001, 2500, 6789] {
            let batches = all_events(&spec(events, 3), true);
            assert_eq!(payloads(&batches).len() as u64, events, "{events} events");
        }
    }

    #[test]
    fn pruning_the_working_state_changes_no_event() {
        let s = spec(8000, 11);
        assert_eq!(all_events(&s, true), all_events(&s, false));
    }

    #[test]
    fn the_batch_size_changes_no_event() {
        let a = all_events(&spec(3000, 5), true);
        let b = all_events(
            &Spec {
                batch: 137,
                ..spec(3000, 5)
            },
            true,
        );
        assert_eq!(payloads(&a), payloads(&b));
        // Only a step of several events (a revision in parts) makes a batch run over.
        assert!(b.iter().all(|b| b.events.len() <= 137 + 5));
        assert!(b.len() > a.len());
    }

    #[test]
    fn too_few_events_or_sizes_out_of_range_are_refused() {
        let e = Generator::new(&spec(10, 1)).err().expect("refused");
        assert!(e.to_string().contains("too few"), "{e}");
        for bad in [
            Spec {
                articles: 0,
                ..spec(1000, 1)
            },
            Spec {
                delegations: 1,
                ..spec(1000, 1)
            },
            Spec {
                batch: 0,
                ..spec(1000, 1)
            },
        ] {
            assert!(Generator::new(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_first_draft_has_articles_of_3_to_8_paragraphs_of_20_to_80_words() {
        let batches = all_events(&spec(1000, 2), true);
        let first = payloads(&batches)
            .into_iter()
            .find_map(|e| match &e.event {
                Event::RevisionIssued { ops, .. } => Some(ops.clone()),
                _ => None,
            })
            .expect("a first draft");
        let mut per_article: BTreeMap<ClauseId, usize> = BTreeMap::new();
        let mut articles = 0;
        for op in &first {
            let ClauseOp::Add {
                parent,
                heading,
                text,
                label,
                ..
            } = op
            else {
                panic!("a first draft only adds: {op:?}");
            };
            if heading.is_some() {
                articles += 1;
                continue;
            }
            let n = words(text);
            assert!((20..=80).contains(&n), "{label}: {n} words: {text}");
            if let Some(p) = parent {
                *per_article.entry(*p).or_default() += 1;
            }
        }
        assert_eq!(articles, 10);
        assert!(per_article.values().all(|n| (3..=8).contains(n)));
    }

    #[test]
    fn a_history_has_the_mix_of_a_negotiation() {
        let batches = all_events(&spec(20_000, 1), true);
        let events = payloads(&batches);
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut outcomes: BTreeSet<&str> = BTreeSet::new();
        let mut changes: BTreeSet<&str> = BTreeSet::new();
        let (mut votes, mut relabels, mut moves, mut replies) = (0, 0, 0, 0);
        for e in &events {
            *kinds.entry(e.event.kind()).or_default() += 1;
            match &e.event {
                Event::DecisionRecorded {
                    outcome, method, ..
                } => {
                    outcomes.insert(outcome.name());
                    votes += usize::from(matches!(method, Method::Vote { .. }));
                }
                Event::AmendmentProposed { change, .. } => {
                    changes.insert(change.kind());
                }
                Event::RevisionIssued { ops, .. } => {
                    for op in ops {
                        relabels += usize::from(matches!(op, ClauseOp::Relabel { .. }));
                        moves += usize::from(matches!(op, ClauseOp::Move { .. }));
                    }
                }
                Event::CommentPosted { reply_to, .. } => {
                    replies += usize::from(reply_to.is_some());
                }
                _ => {}
            }
        }
        let comments = kinds["comment_posted"];
        assert!(
            kinds.values().all(|n| *n <= comments),
            "comments are the largest share: {kinds:?}"
        );
        // Every kind of event but these: nobody loses a role, and the text is never adopted
        // (a generated document stays open to every command), so no reporting round on it;
        // visibility and tokens are for the server, not the negotiation; the store's first
        // participant administers it throughout; no one corrects a mistake.
        let absent = [
            "admin_granted",
            "admin_revoked",
            "role_revoked",
            "document_adopted",
            "report_submitted",
            "visibility_set",
            "token_issued",
            "token_revoked",
            "comment_retracted",
            "tag_withdrawn",
        ];
        for k in Event::KINDS {
            if !absent.contains(k) {
                assert!(kinds.contains_key(k), "no {k}: {kinds:?}");
            }
        }
        assert_eq!(
            outcomes,
            BTreeSet::from(["accepted", "accepted as modified", "rejected", "deferred"])
        );
        assert_eq!(
            changes,
            BTreeSet::from(["replace", "insert", "delete", "move", "alternative"])
        );
        assert!(votes > 0 && relabels > 0 && moves > 0 && replies > 0);
        assert!(kinds["revision_issued"] >= 5, "{kinds:?}");
        // Times move forward.
        assert!(events
            .windows(2)
            .all(|w| w[0].recorded_at <= w[1].recorded_at));
    }

    /// The document's events of a generated history, as the store would record them (hashes
    /// aside).
    fn recorded(batches: &[Batch]) -> Vec<RecordedEvent> {
        let mut seq = 0;
        let mut out: Vec<RecordedEvent> = Vec::new();
        for b in batches {
            for e in &b.events {
                seq += 1;
                if b.stream == StreamId::REGISTRY {
                    continue;
                }
                out.push(RecordedEvent {
                    seq,
                    id: e.id,
                    stream: b.stream,
                    version: out.len() as u64 + 1,
                    recorded_at: e.recorded_at,
                    actor: e.actor,
                    schema: e.event.schema(),
                    prev_hash: Hash::default(),
                    hash: Hash::default(),
                    event: e.event.clone(),
                });
            }
        }
        out
    }

    #[test]
    fn every_comment_falls_in_an_open_phase_that_takes_its_author() {
        let events = recorded(&all_events(&spec(20_000, 4), true));
        let mut state: Option<DocumentState> = None;
        let mut kinds = BTreeSet::new();
        let (mut answers, mut public) = (0, 0);
        for e in &events {
            if let Some(st) = &state {
                if let Event::CommentPosted {
                    phase, question, ..
                } = &e.event
                {
                    let p = st.phase(phase.expect("a phase")).expect("a known phase");
                    let roles = &st.roles[&e.actor];
                    assert!(p.is_open(), "{}: {}", e.seq, p.describe());
                    assert!(p.admits_any(roles), "{}: {roles:?} in {:?}", e.seq, p.kind);
                    answers += usize::from(question.is_some());
                    public += usize::from(roles.contains(&Role::Public));
                }
                if let Event::PhaseOpened { kind, .. } = &e.event {
                    // One phase at a time: the one before was closed first.
                    assert_eq!(st.open_phases().count(), 0, "{}", e.seq);
                    kinds.insert(*kind);
                }
            }
            DocumentState::fold(&mut state, e);
        }
        let st = state.expect("the document");
        assert!(st.process.phases.len() >= 20, "{}", st.process.phases.len());
        assert_eq!(st.process.phases[0].kind, PhaseKind::PublicHearing);
        assert!(kinds.contains(&PhaseKind::CommitteeSession), "{kinds:?}");
        assert!(
            kinds.contains(&PhaseKind::RegionalConsultation),
            "{kinds:?}"
        );
        assert!(
            answers > 0 && public > 0,
            "{answers} answers, {public} public comments"
        );
        // Brackets are resolved by an alternative or lifted; paragraphs are agreed, some
        // outright.
        let statuses: BTreeSet<&str> = st
            .process
            .brackets
            .values()
            .map(|b| b.status.name())
            .collect();
        assert!(
            statuses.contains("resolved") && statuses.contains("lifted"),
            "{statuses:?}"
        );
        let agreed: BTreeSet<Agreement> = events
            .iter()
            .filter_map(|e| match e.event {
                Event::AgreementRecorded { agreement, .. } => Some(agreement),
                _ => None,
            })
            .collect();
        assert_eq!(
            agreed,
            BTreeSet::from([
                Agreement::Open,
                Agreement::AgreedAdReferendum,
                Agreement::Agreed
            ])
        );
    }

    #[test]
    fn a_rewording_changes_a_few_words() {
        let mut d = Dice::new(9);
        for _ in 0..500 {
            let text = clause_text(&mut d);
            let new = reword(&mut d, &text);
            assert_ne!(new, text);
            let n = words(&new);
            assert!((15..=95).contains(&n), "{n} words: {new}");
        }
    }

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (store, _) = Store::create(dir.path().join("store")).expect("a store");
        (dir, store)
    }

    #[test]
    fn a_generated_store_verifies_and_its_read_model_is_its_fold() {
        let (_d1, one) = temp_store();
        let (_d2, two) = temp_store();
        let s = spec(3000, 7);
        let mut seen = Vec::new();
        let summary = generate(&one, &s, &mut |n| seen.push(n)).expect("generated");
        assert_eq!(summary.events, 3000);
        assert_eq!(seen.last(), Some(&3000));
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
        let report = one.verify().expect("verify");
        assert_eq!(report.problem, None);
        assert_eq!(report.head_seq, 3000);
        assert_eq!(report.head_hash, summary.head_hash);

        let entry = one.document_by_slug(SLUG).expect("the document");
        let read_model = one.document(entry.id).expect("read").expect("exists");
        let folded = one
            .replay_document(entry.id, travaux_core::Cut::Head)
            .expect("fold")
            .expect("exists");
        assert_eq!(read_model, folded);
        assert_eq!(folded.comments, summary.comments);
        assert_eq!(folded.tags.len(), summary.tags.len());
        assert!(summary.decisions > 0 && summary.amendments > 0);
        // The history holds the process around the text too: phases opened and closed,
        // questions, paragraphs agreed, words bracketed and alternatives to them.
        for k in [
            "phase_opened",
            "phase_closed",
            "question_posed",
            "agreement_recorded",
            "text_bracketed",
        ] {
            assert!(summary.kinds.contains_key(k), "no {k}: {:?}", summary.kinds);
        }
        let p = &folded.process;
        assert!(p.phases.len() >= 3 && !p.questions.is_empty() && !p.brackets.is_empty());
        assert!(p
            .phases
            .iter()
            .any(|ph| ph.comments > 0 && !ph.participants.is_empty()));
        assert!(p.questions.values().any(|q| !q.answers.is_empty()));
        assert!(folded
            .amendments
            .values()
            .any(|a| matches!(a.change, Change::Alternative { .. })));
        // Rebuilt from the log, the read model is the same.
        assert_eq!(one.rebuild().expect("rebuild"), 3000);
        assert_eq!(
            one.document(entry.id).expect("read").expect("exists"),
            folded
        );

        let again = generate(&two, &s, &mut |_| {}).expect("generated");
        assert_eq!(again, summary);
        let a: Vec<RecordedEvent> = one.events_from(1).map(Result::unwrap).collect();
        let b: Vec<RecordedEvent> = two.events_from(1).map(Result::unwrap).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn a_store_that_holds_events_is_refused_and_left_alone() {
        let (_d, store) = temp_store();
        generate(&store, &spec(500, 1), &mut |_| {}).expect("generated");
        let before = store.head();
        let e = generate(&store, &spec(500, 2), &mut |_| {}).expect_err("refused");
        assert!(e.to_string().contains("empty store"), "{e}");
        assert_eq!(store.head(), before);
    }
}
