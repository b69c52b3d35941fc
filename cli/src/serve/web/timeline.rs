//! `/d/{doc}/timeline`: the negotiation over time, drawn as SVG on the server — events per
//! week by kind (from `log`), amendments proposed and decided, and the share of the text agreed
//! (`status --at` at points through the history) — and the reporting rounds (`participation`).

use std::fmt::Write as _;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use maud::{html, Markup, PreEscaped};
use serde_json::Value;

use super::{day, doc_cli, layout, respond, s, Req};
use crate::serve::error::ApiError;
use crate::serve::App;

/// The kinds of event drawn, each with its colour (contrast against white at least 3:1).
const GROUPS: [(&str, &str); 5] = [
    ("text", "#0b4f9c"),
    ("amendments", "#b35900"),
    ("decisions", "#006b3c"),
    ("comments and reports", "#7a1f7a"),
    ("procedure", "#5c5c5c"),
];

/// How many points of the history the share agreed is measured at, at most.
const SAMPLES: usize = 24;

fn group(kind: &str) -> usize {
    match kind {
        "revision_issued" => 0,
        k if k.starts_with("amendment_") => 1,
        "decision_recorded" | "agreement_recorded" | "text_bracketed" | "bracket_lifted"
        | "document_adopted" => 2,
        "comment_posted" | "report_submitted" | "question_posed" => 3,
        _ => 4,
    }
}

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
    let page = render(&app, &req, &doc).await;
    respond(Some(&req), page)
}

/// One event, as the timeline needs it.
struct Point {
    seq: u64,
    time: DateTime<Utc>,
    kind: String,
}

async fn render(app: &App, req: &Req, doc: &str) -> Result<Markup, ApiError> {
    let log = doc_cli(app, req, doc, &["log"]).await?;
    let events: Vec<Point> = log
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Point {
                seq: e["seq"].as_u64()?,
                time: s(e, "time").parse().ok()?,
                kind: s(e, "type").to_string(),
            })
        })
        .collect();
    // The share agreed, measured where the text or its agreement changed.
    let changes: Vec<&Point> = events
        .iter()
        .filter(|p| group(&p.kind) == 2 || p.kind == "revision_issued")
        .collect();
    let step = changes.len().div_ceil(SAMPLES).max(1);
    let mut samples = Vec::new();
    for p in changes.iter().step_by(step).chain(changes.last()) {
        let seq = p.seq.to_string();
        let status = doc_cli(app, req, doc, &["status", "--at", &seq]).await?;
        let share = status["progress"]["share_by_words"].as_f64().unwrap_or(0.0);
        samples.push((p.time, share));
    }
    let rounds = doc_cli(app, req, doc, &["participation"]).await?;
    let title = "Timeline";
    let body = html! {
        h1 { "The negotiation over time" }
        @if events.is_empty() { p { "No event yet." } }
        @else {
            p.state { (events.len()) " events from " (day(&events[0].time.to_rfc3339())) " to "
                (day(&events[events.len() - 1].time.to_rfc3339())) "." }
            figure {
                (PreEscaped(svg(&events, &samples)))
                figcaption { "Above: events per week, by kind. Below: amendments proposed and decided (running totals), and the share of the text agreed (by words)." }
            }
            (totals(&events))
        }
        section aria-labelledby="rounds" {
            h2 id="rounds" { "Reporting rounds" }
            (reporting(&rounds))
        }
    };
    Ok(layout::page(title, Some(doc), None, body))
}

/// The picture: two panels sharing a time axis.
fn svg(events: &[Point], samples: &[(DateTime<Utc>, f64)]) -> String {
    let (w, h1, h2, left, pad) = (900.0, 180.0, 160.0, 50.0, 24.0);
    let start = events[0].time;
    let end = events[events.len() - 1].time;
    let weeks = ((end - start).num_days() / 7 + 1).max(1) as usize;
    let x = |t: DateTime<Utc>| {
        left + (t - start).num_days() as f64 / 7.0 / weeks as f64 * (w - left - 10.0)
    };
    let mut per_week = vec![[0u32; GROUPS.len()]; weeks];
    for p in events {
        let week = (((p.time - start).num_days() / 7) as usize).min(weeks - 1);
        per_week[week][group(&p.kind)] += 1;
    }
    let most = per_week
        .iter()
        .map(|g| g.iter().sum::<u32>())
        .max()
        .unwrap_or(1)
        .max(1);
    let bar = ((w - left - 10.0) / weeks as f64).max(1.0);
    let total_h = h1 + h2 + 3.0 * pad + 20.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {total_h}" width="100%" role="img" aria-labelledby="tl-title" id="timeline-svg" font-family="sans-serif" font-size="11"><title id="tl-title">Events per week by kind; amendments proposed and decided; share of the text agreed</title>"#
    );
    // Panel 1: stacked bars.
    let base1 = pad + h1;
    let _ = write!(
        out,
        r##"<text x="{left}" y="14">Events per week (most: {most})</text><line x1="{left}" y1="{base1}" x2="{}" y2="{base1}" stroke="#1a1a1a"/>"##,
        w - 10.0
    );
    for (i, counts) in per_week.iter().enumerate() {
        let mut y = base1;
        for (g, n) in counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let hh = *n as f64 / most as f64 * h1;
            y -= hh;
            let _ = write!(
                out,
                r#"<rect class="bar" x="{:.1}" y="{y:.1}" width="{bar:.1}" height="{hh:.1}" fill="{}"><title>week {}: {n} {}</title></rect>"#,
                left + i as f64 * bar,
                GROUPS[g].1,
                i + 1,
                GROUPS[g].0
            );
        }
    }
    // Legend.
    let mut lx = left;
    for (name, colour) in GROUPS {
        let _ = write!(
            out,
            r#"<rect x="{lx}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}">{name}</text>"#,
            base1 + 6.0,
            lx + 14.0,
            base1 + 15.0
        );
        lx += 30.0 + name.len() as f64 * 6.5;
    }
    // Panel 2: running totals of amendments, and the share agreed.
    let top2 = base1 + 2.0 * pad;
    let base2 = top2 + h2;
    let proposed: Vec<(f64, usize)> = running(events, "amendment_proposed", &x);
    let decided: Vec<(f64, usize)> = running(events, "decision_recorded", &x);
    let most2 = proposed.last().map(|p| p.1).unwrap_or(0).max(1);
    let y2 = |n: usize| base2 - n as f64 / most2 as f64 * h2;
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{base2}" x2="{}" y2="{base2}" stroke="#1a1a1a"/><text x="4" y="{}">{most2}</text><text x="4" y="{base2}">0</text>"##,
        w - 10.0,
        top2 + 10.0
    );
    for (points, colour, name) in [
        (&proposed, "#b35900", "amendments proposed"),
        (&decided, "#006b3c", "amendments decided"),
    ] {
        let mut d = format!("M{left},{base2}");
        for (px, n) in points.iter() {
            let _ = write!(d, " H{px:.1} V{:.1}", y2(*n));
        }
        let _ = write!(d, " H{}", w - 10.0);
        let _ = write!(
            out,
            r#"<path class="line" d="{d}" fill="none" stroke="{colour}" stroke-width="2"><title>{name}: {}</title></path>"#,
            points.last().map(|p| p.1).unwrap_or(0)
        );
    }
    if !samples.is_empty() {
        let mut d = String::new();
        for (i, (t, share)) in samples.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if i == 0 { "M" } else { "L" },
                x(*t),
                base2 - share * h2
            );
        }
        let _ = write!(
            out,
            r##"<path class="share" d="{d}" fill="none" stroke="#0b4f9c" stroke-width="2" stroke-dasharray="6 3"><title>share of the text agreed</title></path><text x="{}" y="{}" text-anchor="end" fill="#0b4f9c">100% agreed</text>"##,
            w - 10.0,
            top2 + 10.0
        );
    }
    let _ = write!(
        out,
        r##"<text x="{left}" y="{}">amendments proposed (orange) and decided (green); share of the text agreed (blue, dashed)</text>"##,
        base2 + 16.0
    );
    let _ = write!(
        out,
        r#"<text x="{left}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
        base2 + 32.0,
        start.format("%Y-%m-%d"),
        w - 10.0,
        base2 + 32.0,
        end.format("%Y-%m-%d")
    );
    out.push_str("</svg>");
    out
}

/// The running count of events of a kind, at each one's place on the time axis.
fn running(events: &[Point], kind: &str, x: &dyn Fn(DateTime<Utc>) -> f64) -> Vec<(f64, usize)> {
    events
        .iter()
        .filter(|p| p.kind == kind)
        .enumerate()
        .map(|(i, p)| (x(p.time), i + 1))
        .collect()
}

/// The picture's numbers, for those who do not see it.
fn totals(events: &[Point]) -> Markup {
    let mut counts = [0usize; GROUPS.len()];
    for p in events {
        counts[group(&p.kind)] += 1;
    }
    html! {
        table {
            caption { "Events by kind" }
            thead { tr { @for (name, _) in GROUPS { th scope="col" { (name) } } } }
            tbody { tr { @for n in counts { td { (n) } } } }
        }
    }
}

/// The reporting rounds: who reported, out of how many, per kind of participant.
fn reporting(rounds: &Value) -> Markup {
    let list: Vec<&Value> = rounds
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| s(p, "kind") == "reporting-round")
        .collect();
    html! {
        @if list.is_empty() { p { "No reporting round yet." } }
        @else {
            table id="rounds-table" {
                thead { tr { th scope="col" { "Round" } th scope="col" { "Reports" } th scope="col" { "Who reported, out of how many" } } }
                tbody {
                    @for p in &list {
                        tr {
                            th scope="row" { (s(p, "phase")) " " (s(p, "name")) br; small { (day(s(p, "opened_at"))) " – " (day(s(p, "closed_at"))) } }
                            td { (p["reports"].as_u64().unwrap_or(0)) }
                            td { ul {
                                @for k in p["kinds"].as_array().into_iter().flatten() {
                                    li { (s(k, "kind")) ": " (k["count"].as_u64().unwrap_or(0)) " of " (k["registered"].as_u64().unwrap_or(0))
                                        @let did: Vec<&str> = k["took_part"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                                        @if !did.is_empty() && did.len() <= 20 && s(k, "kind") != "all" { " (" (did.join(", ")) ")" } }
                                }
                            } }
                        }
                    }
                }
            }
        }
    }
}
