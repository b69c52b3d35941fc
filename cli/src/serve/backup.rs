//! `GET /v1/export.jsonl`: the whole log as JSON Lines (`travaux export jsonl`), streamed while
//! the server goes on serving. The hash chain runs through every document, so only the whole
//! log verifies: the export is for a token whose participant may read every document.

use std::io::Write;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use super::auth::{self, Caller};
use super::error::ApiError;
use super::App;

/// How much of the export is sent at a time.
const CHUNK: usize = 256 * 1024;

/// Lines written by the export thread, sent to the response body a chunk at a time; a client
/// gone (the receiver dropped) ends the export with an error.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Whether the caller may take the whole log: the owner, or a participant who may read every
/// document.
fn may_export(store: &travaux_store::Store, caller: &Caller) -> Result<(), ApiError> {
    if matches!(caller, Caller::Owner) {
        return Ok(());
    }
    if caller.participant().is_none() {
        return Err(ApiError::unauthorized(
            "the export holds the whole log: send a token (Authorization: Bearer TOKEN) whose participant may read every document",
        ));
    }
    for entry in store.documents()? {
        if let Some(doc) = store.document_without_amendments(entry.id)? {
            auth::may_read(caller, &doc).map_err(|e| ApiError {
                message: format!("the export holds every document: {}", e.message),
                ..e
            })?;
        }
    }
    Ok(())
}

/// The route.
pub async fn export_jsonl(State(app): State<App>, headers: HeaderMap) -> Response {
    let token = match auth::bearer(&headers) {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let store = app.store.clone();
    let local = app.local;
    let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<(), ApiError>>();
    tokio::task::spawn_blocking(move || {
        let caller = if local {
            Ok(Caller::Owner)
        } else {
            auth::caller(&store, token.as_deref())
        };
        let allowed = caller.and_then(|c| may_export(&store, &c));
        let ok = allowed.is_ok();
        let _ = ready_tx.send(allowed);
        if !ok {
            return;
        }
        let checkpoints = match store.checkpoint_lines() {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                return;
            }
        };
        let mut out = ChannelWriter {
            buf: Vec::with_capacity(CHUNK),
            tx: tx.clone(),
        };
        match store.export_jsonl(&mut out, &checkpoints, |_, _| {}) {
            Ok(header) => tracing::info!(events = header.events, "exported the log"),
            Err(e) => {
                tracing::warn!(error = %e, "the export stopped");
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
        }
    });
    match ready_rx.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return e.into_response(),
        Err(_) => {
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the export did not start",
            )
            .into_response()
        }
    }
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut response = Body::from_stream(stream).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jsonl"),
    );
    response
}
