//! `/d/{doc}/compare?from=P&to=Q`: the comparative print between two points — the whole text
//! at Q, struck (`<del>`) and inserted (`<ins>`) words from `diff`, each changed clause
//! annotated with the decisions and revisions that changed it between the points (amendment,
//! proposer, decision, date); `&view=columns` sets the two texts side by side.
//!
//! Points may be given as tags, revisions or dates; the page answers with a redirect to the
//! form with event numbers, which shows the same comparison for ever.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::Value;

use super::document::resolve;
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
    let result = async {
        let head = doc_cli(&app, &req, &doc, &["show"]).await?;
        let from = match req.get("from") {
            Some(p) => p.to_string(),
            // By default, from the first tag (the first draft, usually) to the head.
            None => head["tags"]
                .as_object()
                .and_then(|t| t.values().filter_map(Value::as_u64).min())
                .unwrap_or(0)
                .to_string(),
        };
        let to = req.get("to").unwrap_or("head").to_string();
        let numeric = |p: &str| p.parse::<u64>().is_ok();
        if !numeric(&from) || !numeric(&to) || req.get("from").is_none() {
            let f = resolve(&app, &req, &doc, &from).await?;
            let t = resolve(&app, &req, &doc, &to).await?;
            let view = match req.get("view") {
                Some("columns") => "&view=columns",
                _ => "",
            };
            return Ok(Err(format!(
                "/d/{}/compare?from={f}&to={t}{view}",
                enc(&doc)
            )));
        }
        render(&app, &req, &doc, &from, &to, &head).await.map(Ok)
    }
    .await;
    match result {
        Ok(Err(location)) => redirect(&req, &location),
        Ok(Ok(markup)) => respond(Some(&req), Ok(markup)),
        Err(e) => respond(Some(&req), Err(e)),
    }
}

/// What changed one clause between the points: a decision or a revision.
struct Note {
    seq: u64,
    text: String,
    href: Option<String>,
}

async fn render(
    app: &App,
    req: &Req,
    doc: &str,
    from: &str,
    to: &str,
    head: &Value,
) -> Result<Markup, ApiError> {
    let columns = req.get("view") == Some("columns");
    let diff = doc_cli(app, req, doc, &["diff", from, to]).await?;
    let shown = doc_cli(app, req, doc, &["show", "--at", to]).await?;
    let notes = notes(app, req, doc, from, to).await?;
    let title = s(&shown["document"], "title").to_string();
    let changed: Vec<&Value> = diff["clauses"].as_array().into_iter().flatten().collect();
    let by_id: HashMap<&str, (usize, &Value)> = changed
        .iter()
        .enumerate()
        .map(|(i, c)| (s(c, "clause"), (i, *c)))
        .collect();
    // The text at TO in order, with the clauses deleted since FROM where the diff puts them.
    let mut rows: Vec<Row> = Vec::new();
    let mut emitted = 0;
    for c in shown["clauses"].as_array().into_iter().flatten() {
        let found = by_id.get(s(c, "id")).copied();
        if let Some((i, _)) = found {
            for d in &changed[emitted.min(i)..i] {
                if s(d, "status") == "deleted" {
                    rows.push(Row::Gone(d));
                }
            }
            emitted = emitted.max(i + 1);
        }
        rows.push(Row::Now(c, found.map(|(_, d)| d)));
    }
    for d in changed.iter().skip(emitted) {
        if s(d, "status") == "deleted" {
            rows.push(Row::Gone(d));
        }
    }
    let base = format!("/d/{}/compare?from={from}&to={to}", enc(doc));
    let body = html! {
        h1 { "Comparative print" }
        p.state { (title) ": the text after event " (to) " compared with the text after event " (from) ". "
            "Struck words were taken out, underlined words put in. "
            (changed.len()) " clauses changed. "
            @if columns { a href=(base) { "One text with the changes marked" } }
            @else { a href=(format!("{base}&view=columns")) { "The two texts side by side" } }
        }
        form.picker method="get" action=(format!("/d/{}/compare", enc(doc))) {
            label for="from" { "From " } input id="from" name="from" type="text" value=(from);
            label for="to" { " to " } input id="to" name="to" type="text" value=(to);
            @if columns { input type="hidden" name="view" value="columns"; }
            " " button type="submit" { "Compare" }
            (tags_hint(head))
        }
        @if columns {
            div.columns role="group" aria-label="The two texts side by side" {
                h2 { "After event " (from) } h2 { "After event " (to) }
                @for row in &rows { (row.columns(&notes)) }
            }
        } @else {
            section aria-label="The text with the changes marked" {
                @for row in &rows { (row.inline(&notes)) }
            }
        }
    };
    Ok(layout::page(
        &format!("Comparative print — {title}"),
        Some(doc),
        None,
        body,
    ))
}

fn tags_hint(head: &Value) -> Markup {
    let mut tags: Vec<(&String, u64)> = head["tags"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k, v.as_u64().unwrap_or(0)))
        .collect();
    tags.sort_by_key(|(_, n)| *n);
    html! {
        p.note { "A point is an event number, a tag, a revision (rev:LABEL) or a date. Tags: "
            @for (i, (name, n)) in tags.iter().enumerate() { @if i > 0 { ", " } (name) " (" (n) ")" } }
    }
}

/// The decisions and revisions between the points, by the clauses they touched.
async fn notes(
    app: &App,
    req: &Req,
    doc: &str,
    from: &str,
    to: &str,
) -> Result<BTreeMap<String, Vec<Note>>, ApiError> {
    let (lo, hi) = (
        from.parse::<u64>().unwrap_or(0),
        to.parse::<u64>().unwrap_or(u64::MAX),
    );
    let amendments = doc_cli(app, req, doc, &["amend", "list", "--all"]).await?;
    let proposer: HashMap<String, (String, String)> = amendments
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let no = s(a, "amendment").to_string();
            (
                no,
                (s(a, "proposer").to_string(), s(a, "status").to_string()),
            )
        })
        .collect();
    let mut notes: BTreeMap<String, Vec<Note>> = BTreeMap::new();
    for kind in ["decision_recorded", "revision_issued"] {
        let events = doc_cli(app, req, doc, &["log", "--kind", kind]).await?;
        for e in events.as_array().into_iter().flatten() {
            let seq = e["seq"].as_u64().unwrap_or(0);
            if seq <= lo || seq > hi {
                continue;
            }
            let ev = &e["event"];
            let (text, href) = if kind == "decision_recorded" {
                let no = format!("A{}", ev["amendment"]);
                let (who, status) = proposer.get(&no).cloned().unwrap_or_default();
                let method = s(&ev["method"], "method").replace('_', " ");
                (
                    format!(
                        "{no}, proposed by {who}: {status} ({method}), {} by {}",
                        day(s(e, "time")),
                        s(e, "handle")
                    ),
                    Some(format!("/d/{}/amendments/{}", enc(doc), no)),
                )
            } else {
                (
                    format!(
                        "revision “{}”, issued {} by {}",
                        s(ev, "label"),
                        day(s(e, "time")),
                        s(e, "handle")
                    ),
                    None,
                )
            };
            for op in ev["ops"].as_array().into_iter().flatten() {
                if let Some(clause) = op["clause"].as_str() {
                    let list = notes.entry(clause.to_string()).or_default();
                    // One note per event, however many of its operations touch the clause.
                    if list.last().is_some_and(|n| n.seq == seq) {
                        continue;
                    }
                    list.push(Note {
                        seq,
                        text: text.clone(),
                        href: href.clone(),
                    });
                }
            }
        }
    }
    Ok(notes)
}

/// A clause of the comparative print.
enum Row<'a> {
    /// A clause at TO, and its diff if it changed.
    Now(&'a Value, Option<&'a Value>),
    /// A clause deleted since FROM.
    Gone(&'a Value),
}

impl Row<'_> {
    fn label(&self) -> String {
        match self {
            Row::Now(c, d) => {
                let label = s(c, "label").to_string();
                match d
                    .map(|d| s(d, "old_label"))
                    .filter(|o| !o.is_empty() && *o != label)
                {
                    Some(old) => format!("{label} (was {old})"),
                    None => label,
                }
            }
            Row::Gone(d) => format!("{} (deleted)", s(d, "old_label")),
        }
    }

    fn id(&self) -> &str {
        match self {
            Row::Now(c, _) => s(c, "id"),
            Row::Gone(d) => s(d, "clause"),
        }
    }

    fn diff(&self) -> Option<&Value> {
        match self {
            Row::Now(_, d) => *d,
            Row::Gone(d) => Some(d),
        }
    }

    fn depth(&self) -> u64 {
        match self {
            Row::Now(c, _) => c["depth"].as_u64().unwrap_or(0),
            Row::Gone(d) => d["depth"].as_u64().unwrap_or(0),
        }
    }

    fn inline(&self, notes: &BTreeMap<String, Vec<Note>>) -> Markup {
        html! {
            div.clause style=(format!("margin-left:{}rem", self.depth() * 2)) {
                span.label { (self.label()) }
                @match (self, self.diff()) {
                    (_, Some(d)) => { (spans(&d["text"], true, true)) }
                    (Row::Now(c, _), None) => { (s(c, "text")) }
                    _ => {}
                }
                @if self.diff().is_some() { (annotations(notes.get(self.id()))) }
            }
        }
    }

    fn columns(&self, notes: &BTreeMap<String, Vec<Note>>) -> Markup {
        let style = format!("margin-left:{}rem", self.depth() * 2);
        html! {
            @match (self, self.diff()) {
                (Row::Now(c, None), _) => {
                    div.clause style=(style) { span.label { (self.label()) } (s(c, "text")) }
                    div.clause style=(style) { span.label { (self.label()) } (s(c, "text")) }
                }
                (_, Some(d)) => {
                    div.clause style=(style) {
                        @if s(d, "status") != "added" { span.label { (s(d, "old_label")) } (spans(&d["text"], true, false)) }
                    }
                    div.clause style=(style) {
                        @if s(d, "status") != "deleted" { span.label { (s(d, "new_label")) } (spans(&d["text"], false, true)) }
                        (annotations(notes.get(self.id())))
                    }
                }
                _ => {}
            }
        }
    }
}

/// The spans of a diff: equal words as they are, deleted struck, inserted underlined.
fn spans(text: &Value, deleted: bool, inserted: bool) -> Markup {
    html! {
        @for sp in text["spans"].as_array().into_iter().flatten() {
            @match s(sp, "kind") {
                "delete" => { @if deleted { del { (s(sp, "text")) } } }
                "insert" => { @if inserted { ins { (s(sp, "text")) } } }
                _ => { (s(sp, "text")) }
            }
        }
    }
}

fn annotations(notes: Option<&Vec<Note>>) -> Markup {
    html! {
        @if let Some(notes) = notes.filter(|n| !n.is_empty()) {
            ul.note aria-label="What changed this clause" {
                @for n in notes {
                    li { "Event " (n.seq) ": "
                        @match &n.href { Some(h) => a href=(h) { (n.text) }, None => (n.text) } }
                }
            }
        }
    }
}
