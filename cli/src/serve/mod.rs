//! `travaux serve`: one process owns the store and serves a whole committee over HTTP.
//!
//! Every request runs through one executor ([`exec`]): its command line is parsed by the CLI's
//! own parser and run by the CLI's own `dispatch` on the shared open store, as the participant
//! of the bearer token sent; the answer is what the CLI prints with `--json`. Typed routes
//! ([`typed`]) are command lines built from clap's description of the CLI, which also
//! generates the OpenAPI description ([`openapi`]). Live streams are Server-Sent Events
//! ([`events`]).
//!
//! Routes:
//!
//! | route | what |
//! | --- | --- |
//! | `POST /v1/exec` | any command line: `{"argv": […], "json": true, "files": {…}}` (a file's text, or `{"base64": …}`) |
//! | `GET /v1/openapi.json` | the OpenAPI 3 description |
//! | `GET /v1/events?from=SEQ` | the store's events, live (SSE) |
//! | `GET /v1/documents/{doc}/events?from=SEQ` | a document's events, live (SSE) |
//! | `GET`, `POST /v1/documents` | `doc list`, `doc new` |
//! | `GET`, `POST /v1/participants` | `participant list`, `participant add` |
//! | `GET /v1/verify` | `verify` |
//! | `GET /v1/export.jsonl` | `export jsonl`, streamed (a token that may read every document) |
//! | `GET /v1/documents/{doc}` | `show` |
//! | `GET /v1/documents/{doc}/{command…}?key=value` | a command that reads |
//! | `POST /v1/documents/{doc}/{command…}` `{key: value}` | a command that writes |
//! | `GET /`, `GET /d/{doc}…` | the observer's web page ([`web`]) |

mod answers;
mod auth;
mod backup;
mod conn;
mod error;
mod events;
mod exec;
mod methods;
mod openapi;
mod typed;
mod web;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;
use tokio::sync::{watch, Semaphore};
use travaux_store::Store;

use crate::error::{CliError, CliResult};
pub use conn::Limits;
use error::ApiError;
use exec::{ExecBody, Job, Outcome};

/// The largest request body taken (413 past it): room for the largest draft `import` takes
/// (16 MiB) sent as JSON, or as base64 (a `.docx`), with its escapes.
pub const MAX_BODY: usize = 40 * 1024 * 1024;
/// How much of a body past [`MAX_BODY`] is still read (and dropped) before the 413, so that a
/// client that is still sending reads the answer rather than a closed connection.
const DRAIN_MAX: usize = MAX_BODY + 16 * 1024 * 1024;
/// How many requests run at once; more wait for a turn.
pub const MAX_CONCURRENT: usize = 64;
/// How long a request waits for its turn before a 503.
pub const QUEUE_WAIT: Duration = Duration::from_secs(30);
/// How many event streams may be open at once (503 past it).
pub const MAX_STREAMS: usize = 256;

/// What every handler shares.
#[derive(Clone)]
struct App {
    store: Arc<Store>,
    /// Turns to run a request.
    turns: Arc<Semaphore>,
    /// Places for event streams.
    streams: Arc<Semaphore>,
    /// The durable head, as the waiter thread last saw it.
    durable: watch::Receiver<u64>,
    /// Becomes true when the server shuts down.
    shutdown: watch::Receiver<bool>,
    /// Tells the waiter a write was acknowledged, so followers see it at once.
    notify: Arc<watch::Sender<u64>>,
    /// How long a client may take to send a request's body.
    body_timeout: Duration,
}

/// The file beside the store that says a server holds it.
pub fn server_file(store: &Path) -> PathBuf {
    store.join("server.json")
}

/// Serve `store` on `addr` until SIGINT or SIGTERM: print `listening on http://ADDR` on `out`,
/// write `<store>/server.json`, and on a signal stop accepting, finish the requests in flight
/// (their writes durable) within `limits.shutdown_timeout`, drop the connections still open,
/// remove `server.json` and return.
pub fn serve(store: Store, addr: SocketAddr, limits: Limits, out: &mut dyn Write) -> CliResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("travaux-serve")
        .build()
        .map_err(|e| CliError::refused(format!("cannot start the server's runtime: {e}")))?;
    let store = Arc::new(store);
    let result = runtime.block_on(run(store.clone(), addr, limits, out));
    // Requests whose clients went away (or whose connections the deadline dropped) may still
    // be finishing on blocking threads: wait for them, so that their writes are durable.
    drop(runtime);
    let file = store.dir().map(server_file);
    // Every thread that held the store has ended: let go of it as a command does at its exit.
    let closed = match Arc::try_unwrap(store) {
        Ok(store) => store.close_for_exit().map_err(CliError::from),
        Err(_) => Ok(()),
    };
    if let Some(file) = file {
        let _ = std::fs::remove_file(file);
    }
    if result.is_ok() {
        tracing::info!("stopped");
    }
    result.and(closed)
}

async fn run(
    store: Arc<Store>,
    addr: SocketAddr,
    limits: Limits,
    out: &mut dyn Write,
) -> CliResult {
    let max_connections = conn::make_room(limits.max_connections);
    let listener = conn::listen(addr)
        .map_err(|e| CliError::refused(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");

    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let (durable_tx, durable_rx) = watch::channel(store.durable_head());
    let durable_tx = Arc::new(durable_tx);
    let stop_waiter = Arc::new(AtomicBool::new(false));
    let waiter = {
        let store = store.clone();
        let tx = durable_tx.clone();
        let stop = stop_waiter.clone();
        std::thread::Builder::new()
            .name("travaux-durable".into())
            .spawn(move || watch_durable(&store, &tx, &stop))?
    };

    let turns = Arc::new(Semaphore::new(MAX_CONCURRENT));
    let app = App {
        store: store.clone(),
        turns: turns.clone(),
        streams: Arc::new(Semaphore::new(MAX_STREAMS)),
        durable: durable_rx,
        shutdown: shutdown_rx,
        notify: durable_tx,
        body_timeout: limits.body_timeout,
    };
    let router = router(app);

    let signalled = signal();
    let info = serde_json::json!({ "url": url, "pid": std::process::id() });
    if let Some(dir) = store.dir() {
        write_server_file(dir, &info)?;
    }
    writeln!(out, "listening on {url}")?;
    out.flush()?;
    tracing::info!(%url, store = %store.location(), "serving");

    conn::serve(listener, router, limits, max_connections, async move {
        signalled.await;
        let _ = shutdown_tx.send(true);
    })
    .await;
    stop_waiter.store(true, Ordering::Relaxed);
    let _ = waiter.join();
    let running = MAX_CONCURRENT - turns.available_permits();
    if running > 0 {
        tracing::info!(
            commands = running,
            "connections closed; waiting for the commands still running to finish (their writes durable)"
        );
    }
    Ok(())
}

/// Follow the durable head for the event streams, until told to stop.
fn watch_durable(store: &Store, tx: &watch::Sender<u64>, stop: &AtomicBool) {
    let mut last = *tx.borrow();
    while !stop.load(Ordering::Relaxed) {
        let head = store.wait_for_durable(last, Duration::from_millis(250));
        if head > last {
            last = head;
            tx.send_if_modified(|h| {
                let newer = head > *h;
                if newer {
                    *h = head;
                }
                newer
            });
        }
    }
}

fn write_server_file(store: &Path, info: &Value) -> CliResult {
    let path = server_file(store);
    let tmp = store.join("server.json.tmp");
    std::fs::write(&tmp, format!("{info}\n"))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))
}

/// SIGINT or SIGTERM. The handlers are installed at once, before the server says it listens:
/// a signal sent as soon as it has said so stops it gracefully rather than killing it.
fn signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let handlers = signal(SignalKind::terminate())
            .and_then(|term| Ok((term, signal(SignalKind::interrupt())?)));
        async move {
            match handlers {
                Ok((mut term, mut interrupt)) => {
                    tokio::select! {
                        _ = term.recv() => {},
                        _ = interrupt.recv() => {},
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; SIGINT still stops the server");
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn router(app: App) -> Router {
    let limit = middleware::from_fn_with_state(app.clone(), limit_body);
    let api = Router::new()
        .route("/v1/exec", post(exec_route))
        .route("/v1/openapi.json", get(openapi_route))
        .route("/v1/documents", get(documents_get).post(documents_post))
        .route(
            "/v1/participants",
            get(participants_get).post(participants_post),
        )
        .route("/v1/verify", get(verify_get))
        .route("/v1/export.jsonl", get(backup::export_jsonl))
        .route("/v1/documents/{doc}", get(document_show))
        .route(
            "/v1/documents/{doc}/{*command}",
            get(typed_get).post(typed_post),
        )
        .layer(limit)
        .layer(DefaultBodyLimit::max(MAX_BODY));
    let live = Router::new()
        .route("/v1/events", get(events_store))
        .route("/v1/documents/{doc}/events", get(events_document));
    api.merge(live)
        .merge(web::router())
        .fallback(no_route)
        .method_not_allowed_fallback(methods::not_allowed)
        .layer(middleware::from_fn(methods::allow))
        .layer(middleware::from_fn(log_request))
        .with_state(app)
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn no_route(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::no_route(method.as_str(), uri.path())
}

/// How an outcome is answered.
#[derive(Clone, Copy)]
enum Envelope {
    /// `{"exit": 0, "stdout": "…"}` (`/v1/exec`).
    Exec,
    /// What the command printed, as the body (typed routes: always JSON).
    Raw,
    /// What the command printed, as JSON Lines (`replay`).
    Lines,
}

impl App {
    /// Run a job on a blocking thread, in turn, and answer it.
    async fn run(&self, job: Job, envelope: Envelope) -> Response {
        match self.run_job(job).await {
            Ok(outcome) => answer(outcome, envelope),
            Err(e) => e.into_response(),
        }
    }

    async fn run_job(&self, job: Job) -> Result<Outcome, ApiError> {
        let shutting_down = || ApiError::unavailable("the server is shutting down; retry later");
        let mut shutdown = self.shutdown.clone();
        if *shutdown.borrow_and_update() {
            return Err(shutting_down());
        }
        // A request waiting for its turn gives way to a shutdown: it has done nothing yet.
        let turn = tokio::select! {
            waited = tokio::time::timeout(QUEUE_WAIT, self.turns.clone().acquire_owned()) => match waited {
                Ok(Ok(permit)) => permit,
                _ => {
                    return Err(ApiError::unavailable(format!(
                        "the server is busy ({MAX_CONCURRENT} requests running, none finished in {}s); retry",
                        QUEUE_WAIT.as_secs()
                    )))
                }
            },
            () = async { let _ = shutdown.wait_for(|stop| *stop).await; } => return Err(shutting_down()),
        };
        let store = self.store.clone();
        // The turn goes with the work: a request whose client left still holds it until done.
        let (outcome, durable) = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let outcome = exec::execute(&store, job);
            (outcome, store.durable_head())
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "a request failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the request failed: {e}"),
            )
        })?;
        let outcome = outcome?;
        if outcome.wrote {
            self.notify.send_if_modified(|h| {
                let newer = durable > *h;
                if newer {
                    *h = durable;
                }
                newer
            });
        }
        tracing::debug!(caller = %outcome.caller, wrote = outcome.wrote, "ran");
        Ok(outcome)
    }
}

fn answer(outcome: Outcome, envelope: Envelope) -> Response {
    let mut response = match envelope {
        Envelope::Exec => {
            axum::Json(serde_json::json!({ "exit": 0, "stdout": outcome.stdout })).into_response()
        }
        Envelope::Raw => {
            let kind = content_type(&outcome.stdout);
            ([(header::CONTENT_TYPE, kind)], outcome.stdout).into_response()
        }
        Envelope::Lines => (
            [(header::CONTENT_TYPE, "application/x-ndjson")],
            outcome.stdout,
        )
            .into_response(),
    };
    if let Some(v) = outcome.etag {
        if let Ok(value) = HeaderValue::from_str(&format!("\"{v}\"")) {
            response.headers_mut().insert(header::ETAG, value);
        }
    }
    response
}

/// What a command printed is JSON (one value), JSON Lines (`replay`), or else text.
fn content_type(stdout: &str) -> &'static str {
    let is_json = |s: &str| serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok();
    if stdout.trim().is_empty() || is_json(stdout) {
        "application/json"
    } else if stdout.lines().filter(|l| !l.trim().is_empty()).all(is_json) {
        "application/x-ndjson"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// The version an `If-Match` header names: `"12"`, `W/"12"` or `12`.
fn if_match(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse().map(Some).map_err(|_| {
        ApiError::bad_request(format!(
            "If-Match must name a document version, as the ETag gives it (\"12\"), not {text:?}"
        ))
    })
}

/// The answer to a body past [`MAX_BODY`].
fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than {MAX_BODY} bytes"),
    )
}

/// Read the whole body before the route does, within the body timeout (408 past it: a body
/// trickling in does not hold a connection and a turn for ever): one past [`MAX_BODY`] is read
/// to its end (up to [`DRAIN_MAX`]) and answered 413. Refusing it half-read would close the
/// connection under a client still sending, which then sees a reset instead of the answer.
async fn limit_body(State(app): State<App>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(app.body_timeout, axum::body::to_bytes(body, DRAIN_MAX));
    let Ok(read) = read.await else {
        tracing::info!(
            timeout_s = app.body_timeout.as_secs_f64(),
            "a request body did not arrive in time"
        );
        let mut response = ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request body did not arrive within {}s",
                app.body_timeout.as_secs_f64()
            ),
        )
        .into_response();
        // The rest of the body is not read: the connection cannot carry another request.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    };
    match read {
        Ok(bytes) if bytes.len() <= MAX_BODY => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Ok(_) => too_large().into_response(),
        Err(e) => {
            let e = e.into_inner();
            if e.is::<http_body_util::LengthLimitError>() {
                too_large().into_response()
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                )
                .into_response()
            }
        }
    }
}

/// A request body, or the answer to a bad one: 413 when too large.
fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return too_large();
        }
        ApiError::new(
            r.status(),
            format!("cannot read the request body: {}", r.body_text()),
        )
    })
}

/// A JSON request body, with serde's message (naming an unknown field) as a 400.
fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(format!("the request body is not what was expected: {e}"))
    })
}

async fn exec_route(
    State(app): State<App>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let prepared = (|| {
        let bytes = body(raw)?;
        let req: ExecBody = json_body(&bytes)?;
        Ok::<_, ApiError>(Job {
            argv: req.argv,
            json: req.json,
            files: req.files,
            if_match: if_match(&headers)?,
            token: auth::bearer(&headers)?,
            read_only: false,
        })
    })();
    match prepared {
        Ok(job) => app.run(job, Envelope::Exec).await,
        Err(e) => e.into_response(),
    }
}

async fn openapi_route() -> Response {
    axum::Json(openapi::document()).into_response()
}

/// A typed request: the words of a subcommand, its parameters, on a document or the store.
async fn typed(
    app: &App,
    headers: &HeaderMap,
    doc: Option<&str>,
    words: &[&str],
    params: Vec<(String, Value)>,
    files: std::collections::BTreeMap<String, crate::context::SentFile>,
    read_only: bool,
) -> Response {
    let prepared = (|| {
        Ok::<_, ApiError>(Job {
            argv: typed::argv(doc, words, params)?,
            json: true,
            files,
            if_match: if_match(headers)?,
            token: auth::bearer(headers)?,
            read_only,
        })
    })();
    let envelope = if words == ["replay"] {
        Envelope::Lines
    } else {
        Envelope::Raw
    };
    match prepared {
        Ok(job) => app.run(job, envelope).await,
        Err(e) => e.into_response(),
    }
}

/// Query parameters as keys and values, repeated keys kept.
fn query(raw: Option<&str>) -> Result<Vec<(String, Value)>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(raw.unwrap_or_default())?;
    Ok(pairs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

fn serde_urlencoded_pairs(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{raw}")
            .parse()
            .map_err(|_| ApiError::bad_request("the query string is malformed"))?,
    )
    .map(|q| q.0)
    .map_err(|e| ApiError::bad_request(format!("the query string is malformed: {e}")))
}

/// A JSON object body as parameters; `files` holds the files sent.
#[allow(clippy::type_complexity)]
fn object_body(
    raw: Result<Bytes, BytesRejection>,
) -> Result<
    (
        Vec<(String, Value)>,
        std::collections::BTreeMap<String, crate::context::SentFile>,
    ),
    ApiError,
> {
    let bytes = body(raw)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((Vec::new(), Default::default()));
    }
    let map: serde_json::Map<String, Value> = json_body(&bytes)?;
    let mut params = Vec::new();
    let mut files = std::collections::BTreeMap::new();
    for (k, v) in map {
        if k == "files" {
            files = serde_json::from_value(v).map_err(|e| {
                ApiError::bad_request(format!("`files` maps file names to their content: {e}"))
            })?;
        } else {
            params.push((k, v));
        }
    }
    Ok((params, files))
}

async fn typed_get(
    State(app): State<App>,
    UrlPath((doc, command)): UrlPath<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let words: Vec<&str> = command.split('/').filter(|w| !w.is_empty()).collect();
    if let Some(refused) = methods::typed_route(&words, "GET", uri.path()) {
        return refused.into_response();
    }
    match query(uri.query()) {
        Ok(params) => {
            typed(
                &app,
                &headers,
                Some(&doc),
                &words,
                params,
                Default::default(),
                true,
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

async fn typed_post(
    State(app): State<App>,
    UrlPath((doc, command)): UrlPath<(String, String)>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    let words: Vec<&str> = command.split('/').filter(|w| !w.is_empty()).collect();
    if let Some(refused) = methods::typed_route(&words, "POST", uri.path()) {
        return refused.into_response();
    }
    match object_body(raw) {
        Ok((params, files)) => {
            typed(&app, &headers, Some(&doc), &words, params, files, false).await
        }
        Err(e) => e.into_response(),
    }
}

async fn document_show(
    State(app): State<App>,
    UrlPath(doc): UrlPath<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    match query(uri.query()) {
        Ok(params) => {
            typed(
                &app,
                &headers,
                Some(&doc),
                &["show"],
                params,
                Default::default(),
                true,
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

async fn store_get(app: App, headers: HeaderMap, uri: axum::http::Uri, words: &[&str]) -> Response {
    match query(uri.query()) {
        Ok(params) => {
            typed(
                &app,
                &headers,
                None,
                words,
                params,
                Default::default(),
                true,
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

async fn store_post(
    app: App,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
    words: &[&str],
) -> Response {
    match object_body(raw) {
        Ok((params, files)) => typed(&app, &headers, None, words, params, files, false).await,
        Err(e) => e.into_response(),
    }
}

async fn documents_get(
    State(app): State<App>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    store_get(app, headers, uri, &["doc", "list"]).await
}

async fn documents_post(
    State(app): State<App>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    store_post(app, headers, raw, &["doc", "new"]).await
}

async fn participants_get(
    State(app): State<App>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    store_get(app, headers, uri, &["participant", "list"]).await
}

async fn participants_post(
    State(app): State<App>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> Response {
    store_post(app, headers, raw, &["participant", "add"]).await
}

async fn verify_get(State(app): State<App>, headers: HeaderMap, uri: axum::http::Uri) -> Response {
    store_get(app, headers, uri, &["verify"]).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    from: Option<String>,
}

async fn events_store(
    State(app): State<App>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    follow(app, headers, uri, None).await
}

async fn events_document(
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
        let (caller, document, durable) = tokio::task::spawn_blocking(move || {
            let caller = auth::caller(&store, token.as_deref())?;
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
        let next = events::first_seq(q.from.as_deref(), last.as_deref(), durable)?;
        Ok::<_, ApiError>(events::stream(
            app.store.clone(),
            caller,
            events::Start { next, document },
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
