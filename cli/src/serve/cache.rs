//! Answers to views at immutable points, kept in memory: the text at a tag or an event
//! number, the diff between two such points, blame at one, never change once the events they
//! stand on are durable, so the server answers them again from here.
//!
//! A view is cached when every point it names stands before the durable head: an event
//! number at most the durable head, a time before the durable head's event (no event recorded
//! later can be dated at or before it: the log never goes back in time), or a tag or revision
//! label resolved to the event number it names now. The key holds the resolved numbers, never
//! a tag's name alone: a tag withdrawn and set again on another event names another view. A
//! view at the head (`HEAD`, no `--at`, a diff to the head) is never cached. The key is the
//! command as parsed (with the point as typed, which the answer repeats), the global options
//! that shape the answer (`--json`, `--color`, the document), the document's id and the
//! resolved points; not who asks: these answers do not depend on it, and whether the caller
//! may read the document is checked before the cache is looked at.
//!
//! The same answer is also kept under the command as typed with the document's version
//! ([`typed_key`]): while the document stays at that version its points resolve the same, so a
//! view asked again is found without reading the document to resolve them.
//!
//! The cache is bounded by the bytes of the answers it holds ([`CAPACITY`]), least recently
//! and least frequently used first out (`quick_cache`'s CLOCK-Pro).

use std::sync::Arc;
use std::time::Duration;

use quick_cache::sync::Cache;
use quick_cache::Weighter;
use travaux_core::{Cut, DocumentId, Point};

use crate::cli::Command;
use crate::context::Ctx;
use crate::globals::Globals;

/// The most bytes of answers kept.
pub const CAPACITY: u64 = 64 << 20;

/// An answer larger than this is not kept (it would push out many others).
const LARGEST: usize = 8 << 20;

/// The answers kept, by key.
pub struct Answers {
    cache: Cache<String, Arc<str>, Bytes>,
}

/// An entry weighs the bytes of its key and its answer.
#[derive(Clone)]
struct Bytes;

impl Weighter<String, Arc<str>> for Bytes {
    fn weight(&self, key: &String, answer: &Arc<str>) -> u64 {
        (key.len() + answer.len()) as u64
    }
}

impl Answers {
    /// An empty cache holding up to `capacity` bytes.
    pub fn new(capacity: u64) -> Answers {
        Answers {
            cache: Cache::with_weighter(4096, capacity, Bytes),
        }
    }

    /// The answer kept for a key.
    pub fn get(&self, key: &str) -> Option<Arc<str>> {
        self.cache.get(key)
    }

    /// Keep an answer.
    pub fn put(&self, key: String, answer: Arc<str>) {
        if answer.len() <= LARGEST {
            self.cache.insert(key, answer);
        }
    }
}

/// A view that may be cached: its key, and how long it may take to be kept (a diff that runs
/// past its deadline is approximated, and another run could refine it further).
pub struct Cacheable {
    /// The key.
    pub key: String,
    /// Kept only if worked out within this time.
    pub within: Option<Duration>,
}

/// The key of a command whose answer never changes, or `None`: a command that is not a view
/// at points (`show`, `diff`, `blame`), a point at or near the head, or one that does not
/// resolve (the command then says why).
pub fn cacheable(ctx: &Ctx<'_>, command: &Command) -> Option<Cacheable> {
    let (points, within): (Vec<&Point>, _) = match command {
        Command::Show(a) => (vec![&a.at], None),
        Command::Diff(a) => (
            vec![&a.from.point, &a.to.as_ref()?.point],
            Some(Duration::from_millis(a.deadline_ms)),
        ),
        Command::Blame(a) => (std::iter::once(&a.at).chain(&a.from).collect(), None),
        _ => return None,
    };
    let durable = ctx.store.durable_head();
    let mut resolved = Vec::with_capacity(points.len());
    for point in points {
        let (_, cut) = ctx.cut(point).ok()?;
        match cut {
            Cut::Seq(n) if n <= durable => resolved.push(format!("@{n}")),
            Cut::Time(t) if t < time_of(ctx, durable)? => {
                resolved.push(format!("@{}", t.to_rfc3339()))
            }
            _ => return None,
        }
    }
    let entry = ctx.document_entry().ok()?;
    Some(Cacheable {
        key: format!(
            "{}|{}|{:?}|{command:?}",
            entry.id,
            resolved.join(","),
            shaping(&ctx.globals)
        ),
        within,
    })
}

/// The key of a view by the command as typed, at a version of its document: its points
/// resolve the same as long as the document's stream is at that version (tags, revision labels
/// and text changes are its events; event numbers and times name the same events for ever).
/// Only kept beside the answer to a command found [`cacheable`] at that version, so a hit on
/// it is a view at immutable points; `None` for a command that is never cached.
pub fn typed_key(
    document: DocumentId,
    version: u64,
    globals: &Globals,
    command: &Command,
) -> Option<String> {
    if !matches!(
        command,
        Command::Show(_) | Command::Diff(_) | Command::Blame(_)
    ) {
        return None;
    }
    Some(format!(
        "{document}|v{version}|{:?}|{command:?}",
        shaping(globals)
    ))
}

/// Only what shapes the answer: not who acts, nor the options of writes.
fn shaping(globals: &Globals) -> Globals {
    Globals {
        json: globals.json,
        doc: globals.doc.clone(),
        color: globals.color,
        ..Globals::default()
    }
}

/// When the event `seq` was recorded.
fn time_of(ctx: &Ctx<'_>, seq: u64) -> Option<travaux_core::Timestamp> {
    match ctx.store.events_from(seq).next()? {
        Ok(e) if e.seq == seq => Some(e.recorded_at),
        _ => None,
    }
}
