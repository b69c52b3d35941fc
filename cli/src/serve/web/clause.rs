//! `/d/{doc}/clause/{address}`: a clause's history (every event that touched it, through
//! renumbering: `log --clause`), its blame (who wrote each word: `blame`), its comments
//! (`comments --clause`: how many by position, then a page of them, `?after=C50` for the
//! next) and the consultation questions about it with the count of their answers.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::Value;

use super::document::at;
use super::{day, doc_cli, enc, layout, respond, s, Req};
use crate::serve::error::ApiError;
use crate::serve::App;

pub(super) async fn page(
    State(app): State<App>,
    Path((doc, address)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let req = match Req::new(&headers, &uri) {
        Ok(r) => r,
        Err(e) => return respond(None, Err(e)),
    };
    let page = render(&app, &req, &doc, &address).await;
    respond(Some(&req), page)
}

async fn render(app: &App, req: &Req, doc: &str, address: &str) -> Result<Markup, ApiError> {
    let at = at(req)?.map(|n| n.to_string());
    let mut blame_words = vec!["blame", address];
    if let Some(n) = &at {
        blame_words.extend(["--at", n]);
    }
    let blame = doc_cli(app, req, doc, &blame_words).await?;
    let label = s(&blame["clause"], "label").to_string();
    let id = s(&blame["clause"], "id").to_string();
    // The history and comments follow the clause by its stable id, through renumbering.
    let history = doc_cli(app, req, doc, &["log", "--clause", &id]).await?;
    let mut comment_words = vec!["comments", "--clause", &id];
    if let Some(after) = req.get("after") {
        comment_words.extend(["--after", after]);
    }
    let comments = doc_cli(app, req, doc, &comment_words).await?;
    let next = comments["next"].as_str().map(|next| {
        let mut link = format!(
            "/d/{}/clause/{}?after={}",
            enc(doc),
            enc(address),
            enc(next)
        );
        if let Some(n) = &at {
            link.push_str(&format!("&at={n}"));
        }
        link
    });
    let questions = doc_cli(app, req, doc, &["questions"]).await?;
    let about: Vec<&Value> = questions
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| {
            q["clauses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(|c| c == label || c == address || c == s(&blame["clause"], "address"))
        })
        .collect();
    let body = html! {
        h1 { "Clause " (label) }
        p.state { @match &at { Some(n) => { "As it stood after event " (n) ". " } None => { "As it stands. " } }
            a href=(format!("/d/{}#c-{id}", enc(doc))) { "In the text" } }
        @if let Some(h) = blame["clause"]["heading"].as_str() { h2 { (h) } }
        section aria-labelledby="blame" {
            h2 id="blame" { "Who wrote each word" }
            p {
                @for run in blame["runs"].as_array().into_iter().flatten() {
                    @let o = &run["origin"];
                    span title=(format!("{} — {}, event {}, {}", s(o, "author"), s(o, "told"), o["seq"], day(s(o, "time")))) {
                        (s(run, "text"))
                    }
                }
            }
            table {
                caption { "Each run of words, with who wrote it and how" }
                thead { tr { th scope="col" { "Words" } th scope="col" { "Written by" } th scope="col" { "How" } th scope="col" { "Date" } } }
                tbody {
                    @for run in blame["runs"].as_array().into_iter().flatten().filter(|r| r["words"].as_u64().unwrap_or(0) > 0) {
                        @let o = &run["origin"];
                        tr { td { (s(run, "text")) } td { (s(o, "author")) } td { (s(o, "told")) " (event " (o["seq"]) ")" } td { (day(s(o, "time"))) } }
                    }
                }
            }
        }
        section aria-labelledby="history" {
            h2 id="history" { "History" }
            (events(doc, &history))
        }
        section aria-labelledby="comments" {
            h2 id="comments" { "Comments" }
            @let list: Vec<&Value> = comments["items"].as_array().into_iter().flatten().collect();
            @let sum = &comments["summary"];
            @if list.is_empty() && req.get("after").is_none() { p { "No comment on this clause." } }
            @else { p { (stances(sum, "comments")) } }
            @for c in &list {
                article.clause {
                    p.note { (s(c, "comment")) " · " (s(c, "name")) " (" (s(c, "handle")) ") · " (day(s(c, "time")))
                        @if let Some(p) = c["position"].as_str() { " · " (p) }
                        @if let Some(q) = c["question"].as_str() { " · answers " (q) } }
                    p { (s(c, "text")) }
                }
            }
            @if let Some(link) = &next { p { a href=(link) { "Next comments" } } }
        }
        section aria-labelledby="questions" {
            h2 id="questions" { "Consultation questions about it" }
            @if about.is_empty() { p { "No consultation question names this clause." } }
            @for q in &about {
                h3 { (s(q, "question")) ": " (s(q, "text")) }
                p { (stances(&q["summary"], "answers"))
                    @let kinds: Vec<String> = q["summary"]["by_kind"].as_array().into_iter().flatten()
                        .map(|k| format!("{} {}", s(k, "kind"), k["count"].as_u64().unwrap_or(0))).collect();
                    @if !kinds.is_empty() { " (" (kinds.join(", ")) ")" }
                }
            }
        }
    };
    Ok(layout::page(
        &format!("Clause {label}"),
        Some(doc),
        None,
        body,
    ))
}

/// How many, and how many of each position: "6 answers: 3 support, 2 oppose, 1 neutral".
fn stances(summary: &Value, what: &str) -> String {
    let n = |key: &str| summary[key].as_u64().unwrap_or(0);
    let what = match n("count") {
        1 => what.strip_suffix('s').unwrap_or(what),
        _ => what,
    };
    format!(
        "{} {what}: {} support, {} oppose, {} neutral",
        n("count"),
        n("support"),
        n("oppose"),
        n("neutral")
    )
}

/// Events as a table: number, date, who, what.
pub(super) fn events(doc: &str, list: &Value) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { "Event" } th scope="col" { "Date" } th scope="col" { "By" } th scope="col" { "What" } } }
            tbody {
                @for e in list.as_array().into_iter().flatten() {
                    @let seq = e["seq"].as_u64().unwrap_or(0);
                    tr {
                        td { a href=(format!("/d/{}?at={seq}", enc(doc))) { (seq) } }
                        td { (day(s(e, "time"))) }
                        td { (s(e, "handle")) }
                        td { (s(e, "type").replace('_', " ")) (summary(&e["event"])) }
                    }
                }
            }
        }
    }
}

/// A few words on an event: its amendment, label, text or outcome.
fn summary(ev: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(n) = ev["amendment"].as_u64() {
        parts.push(format!("A{n}"));
    }
    if let Some(l) = ev["label"].as_str() {
        parts.push(format!("“{l}”"));
    }
    if let Some(o) = ev["outcome"]["outcome"].as_str() {
        parts.push(o.replace('_', " "));
    }
    if let Some(a) = ev["agreement"].as_str() {
        parts.push(a.replace('_', " "));
    }
    if let Some(t) = ev["change"]["text"].as_str().or(ev["text"].as_str()) {
        parts.push(format!("“{t}”"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    }
}
