//! `/d/{doc}`: the text at any point, with pending amendments and open brackets marked.
//!
//! `?at=N` shows the text after event N (a link that shows the same text for ever); without
//! it, the head, followed live. The picker sends `?point=` (a tag, a revision `rev:LABEL`, a
//! date, an event number) and is answered with a redirect to the `?at=N` form.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::Value;

use super::{day, doc_cli, enc, layout, redirect, respond, s, Req};
use crate::serve::error::ApiError;
use crate::serve::App;

pub(super) async fn page(
    State(app): State<App>,
    Path(doc): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let req = match Req::new(&headers, &uri) {
        Ok(r) => r,
        Err(e) => return respond(None, Err(e)),
    };
    if let Some(point) = req.get("point") {
        // The picker: resolve the point to its event number, and show the lasting link.
        return match resolve(&app, &req, &doc, point).await {
            Ok(seq) => redirect(&req, &format!("/d/{}?at={seq}", enc(&doc))),
            Err(e) => respond(Some(&req), Err(e)),
        };
    }
    let page = render(&app, &req, &doc).await;
    respond(Some(&req), page)
}

/// The event number a point names (the text at the point is the text after that event).
pub(super) async fn resolve(app: &App, req: &Req, doc: &str, point: &str) -> Result<u64, ApiError> {
    let shown = doc_cli(app, req, doc, &["show", "--at", point]).await?;
    shown
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::bad_request(format!("{point:?} names no point of {doc}")))
}

/// `?at=N`, checked: an event number.
pub(super) fn at(req: &Req) -> Result<Option<u64>, ApiError> {
    req.get("at")
        .map(|a| {
            a.parse::<u64>().map_err(|_| {
                ApiError::bad_request(format!(
                    "`at` takes an event number (the picker turns a tag or a date into one), not {a:?}"
                ))
            })
        })
        .transpose()
}

async fn render(app: &App, req: &Req, doc: &str) -> Result<Markup, ApiError> {
    let at = at(req)?;
    let at_text = at.map(|n| n.to_string());
    let mut words = vec!["show"];
    if let Some(n) = &at_text {
        words.extend(["--at", n]);
    }
    let shown = doc_cli(app, req, doc, &words).await?;
    let head = match at {
        Some(_) => doc_cli(app, req, doc, &["show"]).await?,
        None => shown.clone(),
    };
    let seq = shown.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let head_seq = head.get("seq").and_then(Value::as_u64).unwrap_or(0);
    let title = s(&shown["document"], "title").to_string();
    let pending: Vec<&Value> = shown["pending_amendments"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let live = at.is_none().then_some((doc, head_seq));
    let body = html! {
        h1 { (title) }
        p.state {
            @match at {
                Some(n) => { "The text after event " (n) " (" (day(s(&shown, "updated_at"))) "). " }
                None => { "The text as it stands (event " (seq) ", " (day(s(&shown, "updated_at"))) "). " }
            }
            @if let Some(a) = shown.get("adopted").filter(|a| !a.is_null()) {
                strong { "Adopted as " (s(a, "symbol")) " on " (day(s(a, "at"))) "." }
            } @else {
                "Not adopted. "
            }
            " " (pending.len()) " amendments pending. "
            a href=(format!("/d/{}?at={seq}", enc(doc))) { "Lasting link to this text" }
            @if at.is_some() && seq != head_seq {
                " · " a href=(format!("/d/{}", enc(doc))) { "The text as it stands" }
                " · " a href=(format!("/d/{}/compare?from={seq}&to={head_seq}", enc(doc))) { "What changed since" }
            }
        }
        (picker(doc, &head))
        section aria-labelledby="text" {
            h2 id="text" { "The text" }
            @for c in shown["clauses"].as_array().into_iter().flatten() {
                (clause(doc, c, at))
            }
        }
        @if !pending.is_empty() {
            section aria-labelledby="pending" {
                h2 id="pending" { "Pending amendments" }
                ul {
                    @for a in &pending {
                        li {
                            a href=(format!("/d/{}/amendments/{}", enc(doc), enc(s(a, "amendment")))) { (s(a, "amendment")) }
                            " by " (s(a, "proposer")) " (" (s(a, "status")) "): " (s(&a["change"], "kind")) " — "
                            q { (s(&a["change"], "text")) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&title, Some(doc), live, body))
}

/// The picker over tags, and a free point (a revision, a date, an event number).
fn picker(doc: &str, head: &Value) -> Markup {
    let mut tags: Vec<(&String, u64)> = head["tags"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k, v.as_u64().unwrap_or(0)))
        .collect();
    tags.sort_by_key(|(_, n)| *n);
    html! {
        form.picker method="get" action=(format!("/d/{}", enc(doc))) {
            label for="point-tag" { "Show the text at a tag: " }
            select id="point-tag" name="point" {
                @for (name, n) in &tags { option value=(name) { (name) " (event " (n) ")" } }
            }
            " " button type="submit" { "Show" }
        }
        form.picker method="get" action=(format!("/d/{}", enc(doc))) {
            label for="point-free" { "or at a date, a revision (rev:LABEL) or an event number: " }
            input id="point-free" name="point" type="text" placeholder="2010-05-19, rev:EB126/8, 120";
            " " button type="submit" { "Show" }
        }
    }
}

/// One clause: its label (a link to its page), heading and text, open brackets marked, and a
/// note of the amendments pending on it.
fn clause(doc: &str, c: &Value, at: Option<u64>) -> Markup {
    let depth = c["depth"].as_u64().unwrap_or(0);
    let pending: Vec<&str> = c["pending"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let address = s(c, "address");
    let href = match at {
        Some(n) => format!("/d/{}/clause/{}?at={n}", enc(doc), enc(address)),
        None => format!("/d/{}/clause/{}", enc(doc), enc(address)),
    };
    let class = if pending.is_empty() {
        "clause"
    } else {
        "clause pending"
    };
    html! {
        div class=(class) id=(format!("c-{}", s(c, "id"))) style=(format!("margin-left:{}rem", depth * 2)) {
            @if let Some(h) = c["heading"].as_str() {
                h3 { a href=(href) { (s(c, "label")) } " " (h) }
            } @else {
                a.label href=(href) { (s(c, "label")) }
            }
            @if !s(c, "text").is_empty() {
                span.text { (bracketed(s(c, "text"), &c["brackets"])) }
            }
            @let agreement = s(c, "agreement");
            @if !pending.is_empty() || agreement != "agreed" {
                p.note {
                    @if agreement != "agreed" { (agreement.replace('_', " ")) ". " }
                    @for (i, a) in pending.iter().enumerate() {
                        @if i == 0 { "Pending: " } @else { ", " }
                        a href=(format!("/d/{}/amendments/{}", enc(doc), enc(a))) { (a) }
                    }
                }
            }
        }
    }
}

/// The text with each open bracket's words marked `[…]`, with its alternatives named.
fn bracketed(text: &str, brackets: &Value) -> Markup {
    let mut spans: Vec<(usize, usize, &Value)> = Vec::new();
    for b in brackets.as_array().into_iter().flatten() {
        let span = s(b, "span");
        if span.is_empty() {
            continue;
        }
        if let Some(start) = text.find(span) {
            if spans
                .iter()
                .all(|(s0, e0, _)| start >= *e0 || start + span.len() <= *s0)
            {
                spans.push((start, start + span.len(), b));
            }
        }
    }
    spans.sort_by_key(|(start, _, _)| *start);
    // Each piece: the plain words before a bracket, and the bracket (if any).
    let mut pieces: Vec<(&str, Option<(&str, &Value)>)> = Vec::new();
    let mut cursor = 0;
    for (start, end, b) in spans {
        pieces.push((&text[cursor..start], Some((&text[start..end], b))));
        cursor = end;
    }
    pieces.push((&text[cursor..], None));
    html! {
        @for (plain, bracket) in &pieces {
            (plain)
            @if let Some((words, b)) = bracket {
                @let alts: Vec<String> = b["alternatives"].as_array().into_iter().flatten().skip(1)
                    .map(|a| format!("Alt {}: {}", a["alt"], s(a, "text"))).collect();
                mark title=(format!("bracket {} raised by {}", s(b, "bracket"), s(b, "raised_by"))) {
                    "[" (words) "]"
                }
                @if !alts.is_empty() { " " small { "[" (alts.join("] [")) "]" } }
            }
        }
    }
}
