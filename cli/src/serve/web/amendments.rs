//! `/d/{doc}/amendments`: the amendments (`amend list --all`) as a table, filtered by
//! `?proposer=`, `?clause=`, `?fate=` and `?phase=`, 200 a page (`?page=N`); `/d/{doc}/amendments/{A}`: one
//! amendment — its text, rationale, supporters, opponents, decision and vote, and its events.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::Value;

use super::clause::events;
use super::{doc_cli, enc, layout, respond, s, Req};
use crate::serve::error::ApiError;
use crate::serve::App;

/// Amendments per page of the table.
const PAGE: usize = 200;

pub(super) async fn list(
    State(app): State<App>,
    Path(doc): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let req = match Req::new(&headers, &uri) {
        Ok(r) => r,
        Err(e) => return respond(None, Err(e)),
    };
    let page = render_list(&app, &req, &doc).await;
    respond(Some(&req), page)
}

pub(super) async fn one(
    State(app): State<App>,
    Path((doc, amendment)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let req = match Req::new(&headers, &uri) {
        Ok(r) => r,
        Err(e) => return respond(None, Err(e)),
    };
    let page = render_one(&app, &req, &doc, &amendment).await;
    respond(Some(&req), page)
}

/// What the table shows of each amendment, with what it is filtered on.
struct Known {
    amendments: Vec<Value>,
    /// Clause id → its label at the head.
    labels: HashMap<String, String>,
    /// Amendment → the phase it was proposed in.
    phases: HashMap<String, String>,
}

async fn known(app: &App, req: &Req, doc: &str) -> Result<Known, ApiError> {
    let amendments = doc_cli(app, req, doc, &["amend", "list", "--all"]).await?;
    let shown = doc_cli(app, req, doc, &["show"]).await?;
    let proposed = doc_cli(app, req, doc, &["log", "--kind", "amendment_proposed"]).await?;
    let labels = shown["clauses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (s(c, "id").to_string(), s(c, "address").to_string()))
        .collect();
    let phases = proposed
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                format!("A{}", e["event"]["amendment"]),
                s(e, "phase").to_string(),
            )
        })
        .collect();
    Ok(Known {
        amendments: amendments.as_array().cloned().unwrap_or_default(),
        labels,
        phases,
    })
}

impl Known {
    fn clause(&self, a: &Value) -> String {
        let id = s(&a["change"], "clause");
        self.labels
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("{} (gone)", id.get(..8).unwrap_or(id)))
    }

    fn phase(&self, a: &Value) -> &str {
        self.phases
            .get(s(a, "amendment"))
            .map(String::as_str)
            .unwrap_or_default()
    }
}

async fn render_list(app: &App, req: &Req, doc: &str) -> Result<Markup, ApiError> {
    let k = known(app, req, doc).await?;
    let proposer = req.get("proposer");
    let clause = req.get("clause");
    let fate = req.get("fate");
    let phase = req.get("phase");
    let shown: Vec<&Value> = k
        .amendments
        .iter()
        .filter(|a| proposer.is_none_or(|p| s(a, "proposer") == p))
        .filter(|a| clause.is_none_or(|c| k.clause(a) == c))
        .filter(|a| fate.is_none_or(|f| s(a, "status") == f))
        .filter(|a| phase.is_none_or(|p| k.phase(a) == p))
        .collect();
    let page: usize = match req.get("page") {
        None => 1,
        Some(p) => p.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
            ApiError::bad_request(format!("`page` takes a page number from 1, not {p:?}"))
        })?,
    };
    let pages = shown.len().div_ceil(PAGE).max(1);
    let rows: Vec<&Value> = shown
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .copied()
        .collect();
    // The same filters, on another page.
    let link = |n: usize| {
        let mut q: Vec<String> = [
            ("proposer", proposer),
            ("clause", clause),
            ("fate", fate),
            ("phase", phase),
        ]
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", enc(v))))
        .collect();
        q.push(format!("page={n}"));
        format!("/d/{}/amendments?{}", enc(doc), q.join("&"))
    };
    let options = |f: &dyn Fn(&Value) -> String| {
        let mut v: Vec<String> = k
            .amendments
            .iter()
            .map(f)
            .filter(|x| !x.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let filter = |name: &str, label: &str, values: Vec<String>, chosen: Option<&str>| {
        html! {
            label for=(name) { (label) " " }
            select id=(name) name=(name) {
                option value="" { "any" }
                @for v in &values { option value=(v) selected[chosen == Some(v.as_str())] { (v) } }
            }
            " "
        }
    };
    let body = html! {
        h1 { "Amendments" }
        form.picker method="get" action=(format!("/d/{}/amendments", enc(doc))) {
            (filter("proposer", "Proposer", options(&|a| s(a, "proposer").to_string()), proposer))
            (filter("clause", "Clause", options(&|a| k.clause(a)), clause))
            (filter("fate", "Fate", options(&|a| s(a, "status").to_string()), fate))
            (filter("phase", "Phase", options(&|a| k.phase(a).to_string()), phase))
            button type="submit" { "Filter" }
        }
        p { (shown.len()) " of " (k.amendments.len()) " amendments."
            @if pages > 1 { " Page " (page) " of " (pages) ". "
                @if page > 1 { a href=(link(page - 1)) { "Previous" } " " }
                @if page < pages { a href=(link(page + 1)) { "Next" } } } }
        table {
            thead { tr { th scope="col" { "Amendment" } th scope="col" { "Clause" } th scope="col" { "Proposer" }
                th scope="col" { "Phase" } th scope="col" { "Change" } th scope="col" { "Fate" } th scope="col" { "Vote" } } }
            tbody {
                @for a in &rows {
                    tr {
                        td { a href=(format!("/d/{}/amendments/{}", enc(doc), enc(s(a, "amendment")))) { (s(a, "amendment")) } }
                        td { (k.clause(a)) }
                        td { (s(a, "proposer")) }
                        td { (k.phase(a)) }
                        td { (s(&a["change"], "kind")) ": " (s(&a["change"], "text")) }
                        td { (s(a, "status")) }
                        td { (vote(&a["decision"])) }
                    }
                }
            }
        }
    };
    Ok(layout::page("Amendments", Some(doc), None, body))
}

/// How the decision was taken: by consensus, or the vote's count.
fn vote(decision: &Value) -> String {
    let m = &decision["method"];
    match s(m, "method") {
        "vote" => format!(
            "vote: {} yes, {} no, {} abstaining",
            m["yes"], m["no"], m["abstain"]
        ),
        "" => String::new(),
        other => other.replace('_', " "),
    }
}

async fn render_one(app: &App, req: &Req, doc: &str, amendment: &str) -> Result<Markup, ApiError> {
    let k = known(app, req, doc).await?;
    let wanted = amendment.trim_start_matches(['A', 'a']);
    let a = k
        .amendments
        .iter()
        .find(|a| s(a, "amendment").trim_start_matches('A') == wanted)
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                format!("{doc} has no amendment {amendment}"),
            )
        })?;
    let no = s(a, "amendment");
    let clause_id = s(&a["change"], "clause");
    // Its events are among its clause's; a clause deleted since is no longer named by `log`.
    let history = doc_cli(app, req, doc, &["log", "--clause", clause_id])
        .await
        .ok();
    let own: Option<Vec<Value>> = history.map(|h| {
        h.as_array()
            .into_iter()
            .flatten()
            .filter(|e| format!("A{}", e["event"]["amendment"]) == no)
            .cloned()
            .collect()
    });
    let decision = &a["decision"];
    let names = |key: &str| {
        let v: Vec<&str> = a[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let label = k.clause(a);
    let body = html! {
        h1 { "Amendment " (no) }
        dl {
            dt { "Clause" } dd { a href=(format!("/d/{}/clause/{}", enc(doc), enc(&label))) { (label) } }
            dt { "Proposed by" } dd { (s(a, "proposer")) " (event " (a["proposed_seq"]) ", phase " (k.phase(a)) ")" }
            dt { "Change" } dd { (s(&a["change"], "kind")) ": " q { (s(&a["change"], "text")) } }
            @if let Some(r) = a["rationale"].as_str() { dt { "Rationale" } dd { (r) } }
            dt { "Supporters" } dd { (names("supporters")) }
            dt { "Opponents" } dd { (names("opposers")) }
            dt { "Fate" } dd { (s(a, "status"))
                @if let Some(seq) = decision["seq"].as_u64() { " (event " a href=(format!("/d/{}?at={seq}", enc(doc))) { (seq) } ")" } }
            @let v = vote(decision);
            @if !v.is_empty() { dt { "Decided by" } dd { (v) } }
            @if let Some(t) = decision["outcome"]["text"].as_str() { dt { "Text as adopted" } dd { q { (t) } } }
        }
        h2 { "Its events" }
        @match own {
            Some(own) => (events(doc, &Value::Array(own))),
            None => p { "Its clause is no longer in the text: the events are in the log, from event "
                (a["proposed_seq"]) "." },
        }
    };
    Ok(layout::page(
        &format!("Amendment {no}"),
        Some(doc),
        None,
        body,
    ))
}
