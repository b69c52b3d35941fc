//! Live event streams as Server-Sent Events: the whole store (`GET /v1/events`) or one
//! document (`GET /v1/documents/{doc}/events`).
//!
//! Each message is `id: SEQ`, `event: TYPE` (`comment_posted`, …) and `data:` one line of
//! JSON, the event in the one shape `log --json` and `replay --json` print
//! ([`crate::render::event_json`]: `time`, `type`, `event` (its payload), `actor` and
//! `handle`, `phase`, …). A stream starts at
//! `?from=SEQ` (that event included; `from=head` for only what comes next; the first event
//! by default) or, when the client reconnects, after its `Last-Event-ID`; it sends events in
//! order, each once, and only once they are durable. Idle streams get a keep-alive comment.
//! Streams end when the server shuts down.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::{watch, OwnedSemaphorePermit};
use travaux_core::{DocumentId, DocumentState, RecordedEvent, StreamId};
use travaux_store::Store;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::{self, Caller};
use super::error::ApiError;
use super::{serde_urlencoded_pairs, web, App, MAX_STREAMS};
use crate::error::CliError;
use crate::render::Names;

/// How many events one read of the log takes at most.
const BATCH: usize = 256;

/// Where a stream starts and what it keeps.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    /// The first sequence number to send.
    pub next: u64,
    /// Only this document's events (else the whole store's, those the caller may read).
    pub document: Option<DocumentId>,
}

/// The first sequence number to send, from `?from=` and `Last-Event-ID` (which wins: a
/// reconnecting client resumes after the last event it saw).
pub fn first_seq(
    from: Option<&str>,
    last_event_id: Option<&str>,
    durable: u64,
) -> Result<u64, ApiError> {
    if let Some(id) = last_event_id.map(str::trim).filter(|s| !s.is_empty()) {
        let seq: u64 = id.parse().map_err(|_| {
            ApiError::bad_request(format!("Last-Event-ID must be an event number, not {id:?}"))
        })?;
        return Ok(seq + 1);
    }
    match from.map(str::trim) {
        None | Some("") => Ok(1),
        Some("head") | Some("now") => Ok(durable + 1),
        Some(n) => n.parse::<u64>().map(|n| n.max(1)).map_err(|_| {
            ApiError::bad_request(format!(
                "`from` takes an event number (the first to send) or `head`, not {n:?}"
            ))
        }),
    }
}

struct Follow {
    store: Arc<Store>,
    caller: Caller,
    start: Start,
    buffered: VecDeque<SseEvent>,
    durable: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
}

/// The stream of events from `start`, as SSE.
pub fn stream(
    store: Arc<Store>,
    caller: Caller,
    start: Start,
    durable: watch::Receiver<u64>,
    shutdown: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let follow = Follow {
        store,
        caller,
        start,
        buffered: VecDeque::new(),
        durable,
        shutdown,
        _permit: permit,
    };
    let events = futures_util::stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(event) = f.buffered.pop_front() {
                return Some((Ok(event), f));
            }
            if *f.shutdown.borrow() {
                return None;
            }
            let durable = *f.durable.borrow_and_update();
            if f.start.next <= durable {
                let store = f.store.clone();
                let caller = f.caller.clone();
                let start = f.start;
                let read =
                    tokio::task::spawn_blocking(move || read(&store, &caller, start, durable))
                        .await;
                match read {
                    Ok(Ok((next, events))) => {
                        f.start.next = next;
                        f.buffered.extend(events);
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e.message, "event stream ended: the log does not read");
                        return None;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "event stream ended");
                        return None;
                    }
                }
                continue;
            }
            tokio::select! {
                changed = f.durable.changed() => if changed.is_err() { return None },
                _ = f.shutdown.changed() => {},
            }
        }
    });
    Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("keep-alive"),
    )
}

/// Read the durable events from `start.next` (at most a batch), keep those the stream shows,
/// and return the next sequence number to read.
fn read(
    store: &Store,
    caller: &Caller,
    start: Start,
    durable: u64,
) -> Result<(u64, Vec<SseEvent>), ApiError> {
    let mut next = start.next;
    let mut out = Vec::new();
    let mut docs: HashMap<StreamId, Option<DocumentState>> = HashMap::new();
    let mut names: Option<Names> = None;
    for e in store.events_from(start.next).take(BATCH) {
        let e = e?;
        if e.seq > durable {
            break;
        }
        next = e.seq + 1;
        if let Some(only) = start.document {
            if e.stream != StreamId::document(only) {
                continue;
            }
        }
        let doc = if e.stream == StreamId::REGISTRY {
            None
        } else {
            let state = match docs.entry(e.stream) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(new) => {
                    new.insert(store.document_without_amendments(DocumentId(e.stream.0))?)
                }
            };
            state.as_ref()
        };
        // A document stream checked its reader once, at the start; the store's stream keeps
        // only the documents the caller may read now.
        if start.document.is_none() && doc.is_some_and(|d| !auth::can_read(caller, d)) {
            continue;
        }
        let names = match &mut names {
            Some(names) => names,
            None => names.insert(Names::load(store)?),
        };
        out.push(message(&e, doc, names)?);
    }
    Ok((next, out))
}

/// One event as an SSE message.
fn message(
    e: &RecordedEvent,
    doc: Option<&DocumentState>,
    names: &Names,
) -> Result<SseEvent, ApiError> {
    let phase = doc.and_then(|d| d.phase_of(e));
    let v = crate::render::event_json(e, names, phase).map_err(crate::error::CliError::from)?;
    let data = serde_json::to_string(&v).map_err(crate::error::CliError::from)?;
    Ok(SseEvent::default()
        .id(e.seq.to_string())
        .event(e.event.kind())
        .data(data))
}

/// The routes: `GET /v1/events` and `GET /v1/documents/{doc}/events`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    from: Option<String>,
}

pub async fn events_store(
    State(app): State<App>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    follow(app, headers, uri, None).await
}

pub async fn events_document(
    State(app): State<App>,
    UrlPath(doc): UrlPath<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    follow(app, headers, uri, Some(doc)).await
}

async fn follow(
    app: App,
    headers: HeaderMap,
    uri: axum::http::Uri,
    doc: Option<String>,
) -> Response {
    let prepared = async {
        let q: EventsQuery =
            serde_urlencoded_pairs(uri.query().unwrap_or_default()).and_then(|pairs| {
                let map: serde_json::Map<String, Value> = pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                serde_json::from_value(Value::Object(map)).map_err(|e| {
                    ApiError::bad_request(format!("the query string is not what was expected: {e}"))
                })
            })?;
        // A page's live banner sends the token as the pages' cookie.
        let token = auth::bearer(&headers)?.or_else(|| web::cookie(&headers));
        let last = headers
            .get("last-event-id")
            .map(|v| v.to_str().unwrap_or_default().to_string());
        let permit = app.streams.clone().try_acquire_owned().map_err(|_| {
            ApiError::unavailable(format!(
                "{MAX_STREAMS} event streams are open already; retry later"
            ))
        })?;
        let store = app.store.clone();
        let local = app.local;
        let (caller, document, durable) = tokio::task::spawn_blocking(move || {
            let caller = if local {
                auth::Caller::Owner
            } else {
                auth::caller(&store, token.as_deref())?
            };
            let document = match doc {
                None => None,
                Some(slug) => {
                    let entry = travaux_core::Directory::document_by_slug(&*store, &slug)
                        .ok_or_else(|| {
                            CliError::from(travaux_core::DomainError::UnknownDocument(slug.clone()))
                        })?;
                    let state = store
                        .document_without_amendments(entry.id)?
                        .ok_or_else(|| {
                            CliError::damaged(format!("document {slug} has no events"))
                        })?;
                    auth::may_read(&caller, &state)?;
                    Some(entry.id)
                }
            };
            Ok::<_, ApiError>((caller, document, store.durable_head()))
        })
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
        let next = first_seq(q.from.as_deref(), last.as_deref(), durable)?;
        Ok::<_, ApiError>(stream(
            app.store.clone(),
            caller,
            Start { next, document },
            app.durable.clone(),
            app.shutdown.clone(),
            permit,
        ))
    };
    match prepared.await {
        Ok(sse) => sse.into_response(),
        Err(e) => e.into_response(),
    }
}
