//! `/`: the documents of the store, each with its state and its last change.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::Value;

use super::{cli, day, doc_cli, enc, layout, respond, s, Req};
use crate::serve::error::ApiError;
use crate::serve::App;

pub(super) async fn page(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    let req = match Req::new(&headers, &uri) {
        Ok(r) => r,
        Err(e) => return respond(None, Err(e)),
    };
    let page = render(&app, &req).await;
    respond(Some(&req), page)
}

async fn render(app: &App, req: &Req) -> Result<Markup, ApiError> {
    let docs = cli(app, req, &["doc", "list"]).await?;
    let mut rows = Vec::new();
    for d in docs.as_array().into_iter().flatten() {
        let slug = s(d, "slug");
        // A document the caller may not read is listed (the list is open to anyone), its state not.
        let status = doc_cli(app, req, slug, &["status"]).await.ok();
        let shown = doc_cli(app, req, slug, &["show"]).await.ok();
        rows.push((d.clone(), status, shown));
    }
    Ok(layout::page(
        "Documents",
        None,
        None,
        html! {
            h1 { "The documents of the store" }
            @if rows.is_empty() {
                p { "The store has no document yet." }
            } @else {
                table {
                    caption { "Each document with its phase, the share of its text agreed, whether it is adopted, and its last change" }
                    thead { tr { th scope="col" { "Document" } th scope="col" { "Phase" } th scope="col" { "Agreed" }
                                 th scope="col" { "Adopted" } th scope="col" { "Last change" } } }
                    tbody {
                        @for (d, status, shown) in &rows { (row(d, status.as_ref(), shown.as_ref())) }
                    }
                }
            }
        },
    ))
}

fn row(d: &Value, status: Option<&Value>, shown: Option<&Value>) -> Markup {
    let slug = s(d, "slug");
    let href = format!("/d/{}", enc(slug));
    html! {
        tr {
            td { a href=(href) { (s(d, "title")) } br; small { (slug) } }
            @match status {
                None => td colspan="4" { "open to its members only" }
                Some(st) => {
                    td { (phases(st)) }
                    td { (share(st)) }
                    td { @match st.get("adopted").filter(|a| !a.is_null()) {
                        Some(a) => { "adopted as " (s(a, "symbol")) " on " (day(s(a, "at"))) }
                        None => "not adopted",
                    } }
                    td { @if let Some(sh) = shown {
                        (day(s(sh, "updated_at"))) " (event " (sh.get("seq").and_then(Value::as_u64).unwrap_or(0)) ")"
                    } }
                }
            }
        }
    }
}

/// The open phases, by name.
pub(super) fn phases(status: &Value) -> Markup {
    let open: Vec<String> = status
        .get("open_phases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| format!("{} {}", s(p, "phase"), s(p, "name")))
        .collect();
    html! { @if open.is_empty() { "no phase open" } @else { (open.join("; ")) } }
}

/// The share of the text agreed, by words.
pub(super) fn share(status: &Value) -> Markup {
    let p = status.get("progress").cloned().unwrap_or_default();
    let share = p
        .get("share_by_words")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let n = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(0);
    html! { (format!("{:.0}%", share * 100.0)) " (" (n("agreed")) " of " (n("clauses")) " clauses)" }
}
