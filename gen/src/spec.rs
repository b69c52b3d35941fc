//! What to generate ([`Spec`]), what came out ([`Summary`]) and the unit of an append
//! ([`Batch`]).

use std::collections::BTreeMap;

use serde::Serialize;
use travaux_core::{DomainError, Hash, NewEvent, StreamId};
use travaux_store::{Expected, StoreError};

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

    pub(crate) fn check(&self) -> Result<(), StoreError> {
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
