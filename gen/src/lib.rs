//! A deterministic generator of negotiation histories of any size, for benchmarks and tests:
//! what `travaux generate` runs. It stands above the store and uses only its public API.
//!
//! [`generate`] writes into an empty [`Store`](travaux_store::Store) a negotiation shaped like
//! the WHO Code of Practice: a secretariat, a chair, delegations (member-state), non-State
//! actors (observers) and members of the public register; the secretariat creates one
//! document and issues a first draft of A articles (3 to 8 paragraphs each, 20 to 80 words a
//! clause, built from treaty phrases); then cycles of two phases, each opened and closed in the
//! log, until the log holds exactly the number of events asked:
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
//! `create_document`) against the in-memory [`DocumentState`](travaux_core::DocumentState) and
//! [`Registry`](travaux_core::Registry) as they evolve, so the history obeys every rule
//! `travaux` enforces. The working state leaves out what `decide` never looks at again —
//! amendments once closed (decided or withdrawn), tags, the answers to questions, and the words
//! of closed phases, past questions and closed brackets — because `decide` validates a text
//! change on a clone of the whole state, and a clone that grows with the history would make
//! generation quadratic. A test checks that the events are the same with and without that
//! pruning.
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
//! Events are appended with [`Store::append`](travaux_store::Store::append), one durable flush
//! per batch of [`Spec::batch`] events per stream (the registry first, then the document). A
//! step that makes several events (a large revision, recorded in several parts, and the
//! reopening of the agreed paragraphs it touches; a decision that reopens a paragraph or
//! rejects the other alternatives to a bracket) stays in one batch, so a batch may exceed the
//! size by a few events. Generation runs on a thread of its own while the calling thread
//! appends, so the two overlap.
//!
//! # Where to read
//!
//! - `spec.rs`: what to generate ([`Spec`]), what came out ([`Summary`]), a [`Batch`].
//! - `append.rs`: [`generate`], the driver that appends the batches to a store.
//! - `generator.rs`: the [`Generator`], its working state and its loop of stages and chores;
//!   what the steps do in `generator/process.rs` (phases, questions, comments, tags),
//!   `generator/amendments.rs` (amendments, decisions, brackets, agreement) and
//!   `generator/revision.rs` (revisions).
//! - `dice.rs` (every choice), `wording.rs` (the words) and `vocabulary.rs` (the phrases).

mod append;
mod dice;
mod generator;
mod spec;
mod vocabulary;
mod wording;

pub use append::generate;
pub use generator::Generator;
pub use spec::{Batch, Spec, Summary, DEFAULT_BATCH, SLUG};

#[cfg(test)]
mod tests;
