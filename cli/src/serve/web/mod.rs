//! The observer's web page: server-rendered HTML from the answers the CLI gives.
//!
//! Every page runs CLI commands with `--json` through the server's one executor
//! ([`super::exec`]), as the caller, so the same tokens and visibility rules hold as for the
//! API; the page only lays the answer out (with maud, which escapes by default). Pages read
//! without JavaScript and print (a print style sheet); pages that show the head carry a small
//! script that follows the document's Server-Sent Events and shows a banner when it changes.
//!
//! A browser cannot send `Authorization`: a page also takes the token as `?token=TOKEN`,
//! which sets the cookie `travaux_token` (HttpOnly, SameSite=Strict) so that the links and
//! the live stream that follow carry it; the header wins over the query, the query over the
//! cookie.
//!
//! | route | page ([module]) |
//! | --- | --- |
//! | `/` | the documents ([`index`]) |
//! | `/d/{doc}?at=N` | the text at event N, or at the head ([`document`]) |
//! | `/d/{doc}/compare?from=P&to=Q[&view=columns]` | the comparative print ([`compare`]) |
//! | `/d/{doc}/clause/{address}` | a clause's history, blame, comments, answers ([`clause`]) |
//! | `/d/{doc}/amendments`, `/d/{doc}/amendments/{A}` | the amendments ([`amendments`]) |
//! | `/d/{doc}/timeline` | the negotiation over time, and the reporting rounds ([`timeline`]) |

mod amendments;
mod clause;
mod compare;
mod document;
mod index;
mod layout;
mod timeline;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::Markup;
use serde_json::Value;

use super::error::ApiError;
use super::exec::Job;
use super::{auth, App};

/// The cookie that carries a token given as `?token=`.
pub const COOKIE: &str = "travaux_token";

/// The pages' routes.
pub(super) fn router() -> Router<App> {
    Router::new()
        .route("/", get(index::page))
        .route("/d/{doc}", get(document::page))
        .route("/d/{doc}/compare", get(compare::page))
        .route("/d/{doc}/clause/{address}", get(clause::page))
        .route("/d/{doc}/amendments", get(amendments::list))
        .route("/d/{doc}/amendments/{amendment}", get(amendments::one))
        .route("/d/{doc}/timeline", get(timeline::page))
}

/// One page request: its query and the caller's token.
pub(super) struct Req {
    /// The query's parameters, in order.
    pub query: Vec<(String, String)>,
    /// The token, from the header, the query or the cookie.
    pub token: Option<String>,
    /// A token given in the query, to keep as a cookie.
    pub remember: Option<String>,
}

impl Req {
    /// Read a request's query and token; a malformed query or header is refused.
    pub fn new(headers: &HeaderMap, uri: &axum::http::Uri) -> Result<Req, ApiError> {
        let query = super::serde_urlencoded_pairs(uri.query().unwrap_or_default())?;
        let from_query = query
            .iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let token = match auth::bearer(headers)? {
            Some(t) => Some(t),
            None => from_query.clone().or_else(|| cookie(headers)),
        };
        Ok(Req {
            query,
            token,
            remember: from_query,
        })
    }

    /// A query parameter, if given and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }
}

/// The token in the `travaux_token` cookie, if any.
pub fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Run a command line that reads, as the caller, and parse what it prints with `--json`.
pub(super) async fn cli(app: &App, req: &Req, argv: &[&str]) -> Result<Value, ApiError> {
    let job = Job {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        json: true,
        token: req.token.clone(),
        read_only: true,
        ..Job::default()
    };
    let outcome = app.run_job(job).await?;
    serde_json::from_str(&outcome.stdout).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("`{}` did not print JSON: {e}", argv.join(" ")),
        )
    })
}

/// A command about a document: `travaux --doc DOC WORDS…`.
pub(super) async fn doc_cli(
    app: &App,
    req: &Req,
    doc: &str,
    words: &[&str],
) -> Result<Value, ApiError> {
    let mut argv = vec!["--doc", doc];
    argv.extend_from_slice(words);
    cli(app, req, &argv).await
}

/// The answer to a page: the HTML, or the error as a page, with the token kept as a cookie
/// when it came in the query.
pub(super) fn respond(req: Option<&Req>, page: Result<Markup, ApiError>) -> Response {
    let (mut response, accepted) = match page {
        Ok(markup) => (html(StatusCode::OK, markup), true),
        Err(e) => (html(e.status, layout::error(&e)), false),
    };
    // Only a token the page was answered with is kept: a refused one is not.
    if accepted {
        remember(req, &mut response);
    }
    response
}

/// Set the cookie from a token given in the query, if it is made of a token's characters
/// (nothing that could add attributes to the cookie).
fn remember(req: Option<&Req>, response: &mut Response) {
    let Some(token) = req.and_then(|r| r.remember.as_deref()) else {
        return;
    };
    if !token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b))
    {
        return;
    }
    let value = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
}

fn html(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// A redirect to `location` (303), keeping the token as [`respond`] does.
pub(super) fn redirect(req: &Req, location: &str) -> Response {
    let mut response = (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response();
    remember(Some(req), &mut response);
    response
}

/// A string field of a JSON value, or "".
pub(super) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A date-time as its date (`2010-05-21`).
pub(super) fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// Percent-encode a path segment or query value.
pub(super) fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
