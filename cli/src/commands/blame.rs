//! `travaux blame`: who wrote each word of a clause, and on which amendment or revision; with
//! `--summary`, each author's share of the whole text and how much of an earlier version
//! survives.
//!
//! The document's stream is folded with `travaux_core::blame` up to the point: attribution is
//! carried forward event by event, never recomputed from an approximated diff.

use clap::Args;
use serde_json::{json, Value};
use travaux_core::blame::{Blame, Origin, Run, Source};
use travaux_core::{DocumentState, Point, StreamId};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

/// Arguments of `blame`.
#[derive(Args, Debug)]
pub struct BlameArgs {
    /// The clause: its label, or its path or the end of it (`5.1(b)`, `§ 312 (1)`), as it was
    /// at that point, or a prefix of its id (4 hex digits or more); a clause with clauses under
    /// it (an article, a chapter) is blamed with all of them, in reading order
    #[arg(
        value_name = "CLAUSE",
        required_unless_present = "summary",
        conflicts_with = "summary"
    )]
    pub clause: Option<String>,
    /// Where in history: head, an event number, a date or time, a tag or a revision's label
    #[arg(long, default_value = "head", value_name = "POINT")]
    pub at: Point,
    /// For the whole document: the share of its words each author wrote
    #[arg(long)]
    pub summary: bool,
    /// With --summary: how much of the text at this earlier point survives at --at
    #[arg(long, value_name = "POINT", conflicts_with = "clause")]
    pub from: Option<Point>,
}

/// Run `blame`.
pub fn run(ctx: &mut Ctx<'_>, args: &BlameArgs) -> CliResult {
    let doc = ctx.document_at(&args.at)?;
    let from = match &args.from {
        Some(p) => {
            let a = ctx.document_at(p)?;
            if a.seq > doc.seq {
                return Err(CliError::refused(format!(
                    "--from {p} (event {}) comes after --at {} (event {}); give the earlier point to --from",
                    a.seq, args.at, doc.seq
                )));
            }
            Some((p, a.seq))
        }
        None => None,
    };
    // One clause: fold only the events bearing on its wording (the per-clause index).
    // A clause with clauses under it: the events bearing on any of them.
    if let Some(c) = &args.clause {
        let id = doc.resolve_clause(c)?;
        let mut blame = Blame::default();
        for e in ctx
            .store
            .clauses_events(doc.id, &doc.subtree(id), doc.seq)?
        {
            blame.apply(&e);
        }
        let names = Names::load(ctx.store)?;
        return clause(ctx, args, &doc, &blame, &names, c);
    }
    // The whole text: fold the stream up to the point, noting the words of the text at --from
    // on the way.
    let mut blame = Blame::default();
    let mut from_words = None;
    for e in ctx.store.stream(StreamId::document(doc.id)) {
        let e = e?;
        if e.seq > doc.seq {
            break;
        }
        if let Some((_, a)) = from {
            if from_words.is_none() && e.seq > a {
                from_words = Some(blame.words());
            }
        }
        blame.apply(&e);
    }
    if blame.seq != doc.seq {
        return Err(CliError::damaged(format!(
            "the stream of {} ends at event {}, not at event {} as its state says",
            doc.slug, blame.seq, doc.seq
        )));
    }
    let names = Names::load(ctx.store)?;
    match &args.clause {
        Some(c) => clause(ctx, args, &doc, &blame, &names, c),
        None => {
            let survival = from.map(|(p, seq)| Survival {
                point: p,
                seq,
                words: from_words.unwrap_or_else(|| blame.words()),
                surviving: blame.words_up_to(seq),
            });
            summary(ctx, args, &doc, &blame, &names, survival)
        }
    }
}

/// The text at `--from`, and how much of it is still there at `--at`.
struct Survival<'a> {
    point: &'a Point,
    seq: u64,
    words: usize,
    surviving: usize,
}

/// A source in a few characters, for the left column: `A5`, `rev 2 EB124/13`.
fn short(origin: &Origin) -> String {
    match &origin.source {
        Source::Revision { revision, label } => match label {
            Some(l) => format!("rev {revision} {l}"),
            None => format!("rev {revision}"),
        },
        Source::Amendment { amendment, .. } => amendment.to_string(),
    }
}

/// A source told in words: `A5, accepted as modified by consensus`, `revision 2 "EB124/13"`.
fn told(origin: &Origin) -> String {
    match &origin.source {
        Source::Revision { revision, label } => match label {
            Some(l) => format!("revision {revision} \"{l}\""),
            None => format!("revision {revision}"),
        },
        Source::Amendment {
            amendment,
            outcome,
            method,
        } => format!("{amendment}, {} {method}", outcome.name()),
    }
}

fn origin_json(origin: &Origin, names: &Names) -> Value {
    let source = match &origin.source {
        Source::Revision { revision, label } => json!({
            "kind": "revision",
            "revision": revision,
            "label": label,
        }),
        Source::Amendment {
            amendment,
            outcome,
            method,
        } => json!({
            "kind": "amendment",
            "amendment": amendment.to_string(),
            "outcome": outcome,
            "method": method,
        }),
    };
    json!({
        "seq": origin.seq,
        "time": origin.recorded_at,
        "actor": origin.actor,
        "handle": names.of(origin.actor),
        "author": names.of(origin.author),
        "source": source,
        "told": told(origin),
    })
}

fn runs_json(runs: &[Run<'_>], names: &Names) -> Vec<Value> {
    runs.iter()
        .map(|r| {
            json!({
                "text": r.text,
                "words": r.words(),
                "origin": origin_json(r.origin, names),
            })
        })
        .collect()
}

/// One clause's blame: its rows, git-blame style (source, author, date, words).
struct ClauseRows<'b> {
    id: travaux_core::ClauseId,
    address: String,
    depth: usize,
    heading: Vec<Run<'b>>,
    text: Vec<Run<'b>>,
    rows: Vec<(&'b Origin, String)>,
}

/// The blame of one clause, or of a clause and every clause under it, in reading order.
fn clause(
    ctx: &mut Ctx<'_>,
    args: &BlameArgs,
    doc: &DocumentState,
    blame: &Blame,
    names: &Names,
    reference: &str,
) -> CliResult {
    let root = doc.resolve_clause(reference)?;
    doc.live(root)?;
    let ids = doc.subtree(root);
    let named = render::addresses(doc, ids.iter().copied());
    let root_depth = doc.path_of(root).len();
    let mut clauses: Vec<ClauseRows> = Vec::with_capacity(ids.len());
    for id in &ids {
        let (Some(heading), Some(text)) = (blame.heading_runs(*id), blame.text_runs(*id)) else {
            return Err(CliError::damaged(format!(
                "clause {} is in the text but not in its blame",
                named[id]
            )));
        };
        // One row per run. Whitespace between two runs of one origin does not split them.
        let mut rows: Vec<(&Origin, String)> = Vec::new();
        for (prefix, runs) in [("heading: ", &heading), ("", &text)] {
            let start = rows.len();
            for r in runs.iter() {
                let in_section = rows.len() > start;
                match rows.last_mut() {
                    Some((o, words))
                        if in_section && (o.seq == r.origin.seq || r.text.trim().is_empty()) =>
                    {
                        words.push_str(r.text)
                    }
                    _ => rows.push((r.origin, format!("{prefix}{}", r.text))),
                }
            }
        }
        rows.retain(|(_, words)| !words.trim().is_empty());
        clauses.push(ClauseRows {
            id: *id,
            address: named[id].clone(),
            depth: doc.path_of(*id).len() - root_depth,
            heading,
            text,
            rows,
        });
    }
    if ctx.globals.json {
        let view = |r: &ClauseRows| {
            let cl = doc.clause(r.id).expect("in the subtree");
            json!({
                "clause": {
                    "id": cl.id, "label": cl.label, "address": r.address,
                    "heading": cl.heading, "text": cl.text,
                },
                "heading_runs": runs_json(&r.heading, names),
                "runs": runs_json(&r.text, names),
            })
        };
        let mut out = view(&clauses[0]);
        out["document"] = json!(doc.slug);
        out["at"] = json!(args.at.to_string());
        out["seq"] = json!(doc.seq);
        if clauses.len() > 1 {
            out["subtree"] = Value::Array(clauses[1..].iter().map(view).collect());
        }
        return ctx.json(&out);
    }
    let rows: Vec<(usize, [String; 4])> = clauses
        .iter()
        .enumerate()
        .flat_map(|(i, cl)| {
            cl.rows.iter().map(move |(o, words)| {
                (
                    i,
                    [
                        short(o),
                        names.of(o.author),
                        o.recorded_at.format("%Y-%m-%d").to_string(),
                        words.trim().replace('\n', " ⏎ "),
                    ],
                )
            })
        })
        .collect();
    let mut sources: Vec<&Origin> = clauses
        .iter()
        .flat_map(|cl| cl.heading.iter().chain(&cl.text))
        .map(|r| r.origin)
        .collect();
    sources.sort_by_key(|o| o.seq);
    sources.dedup_by_key(|o| o.seq);
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    ctx.line(format_args!(
        "{} at {} (event {}): {}{} runs from {} {}",
        clauses[0].address,
        args.at,
        doc.seq,
        if clauses.len() > 1 {
            format!("{} clauses, ", clauses.len())
        } else {
            String::new()
        },
        rows.len(),
        sources.len(),
        plural(sources.len(), "source", "sources")
    ))?;
    let width = |i: usize| {
        rows.iter()
            .map(|(_, r)| r[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut at = None;
    for (i, [source, author, date, words]) in &rows {
        if clauses.len() > 1 && at != Some(*i) {
            // Each clause under its address, the clauses without words of their own too.
            let from = at.map_or(0, |a| a + 1);
            for cl in &clauses[from..=*i] {
                ctx.line("")?;
                ctx.line(format_args!("{}{}", "  ".repeat(cl.depth), cl.address))?;
            }
            at = Some(*i);
        }
        ctx.line(format_args!(
            "{source:<w0$}  {author:<w1$}  {date}  {words}"
        ))?;
    }
    if clauses.len() > 1 {
        let from = at.map_or(0, |a| a + 1);
        for cl in &clauses[from..] {
            ctx.line("")?;
            ctx.line(format_args!("{}{}", "  ".repeat(cl.depth), cl.address))?;
        }
    }
    ctx.line("")?;
    let w = sources.iter().map(|o| short(o).chars().count()).max();
    for o in &sources {
        let by = if o.author == o.actor {
            format!("by {}", names.of(o.author))
        } else {
            format!(
                "proposed by {}, recorded by {}",
                names.of(o.author),
                names.of(o.actor)
            )
        };
        ctx.line(format_args!(
            "{:<w$}  event {} ({}): {}, {by}",
            short(o),
            o.seq,
            render::when(&o.recorded_at),
            told(o),
            w = w.unwrap_or(0)
        ))?;
    }
    Ok(())
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Round to two decimals for JSON.
fn rounded(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The shares of the whole text by author, and what survives of `--from`.
fn summary(
    ctx: &mut Ctx<'_>,
    args: &BlameArgs,
    doc: &DocumentState,
    blame: &Blame,
    names: &Names,
    survival: Option<Survival<'_>>,
) -> CliResult {
    let total = blame.words();
    let shares = blame.by_author();
    if ctx.globals.json {
        let authors: Vec<Value> = shares
            .iter()
            .map(|s| {
                json!({
                    "author": names.of(s.author),
                    "words": s.words,
                    "percent": rounded(percent(s.words, total)),
                    "sources": s.sources.iter().map(|(o, n)| json!({
                        "source": short(o),
                        "seq": o.seq,
                        "words": n,
                        "origin": origin_json(o, names),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let survival = survival.map(|s| {
            json!({
                "from": s.point.to_string(),
                "from_seq": s.seq,
                "from_words": s.words,
                "surviving_words": s.surviving,
                "percent_of_from": rounded(percent(s.surviving, s.words)),
                "percent_of_at": rounded(percent(s.surviving, total)),
            })
        });
        return ctx.json(&json!({
            "document": doc.slug,
            "at": args.at.to_string(),
            "seq": doc.seq,
            "words": total,
            "authors": authors,
            "survival": survival,
        }));
    }
    ctx.line(format_args!(
        "{} at {} (event {}): {total} words",
        doc.slug, args.at, doc.seq
    ))?;
    let handles: Vec<String> = shares.iter().map(|s| names.of(s.author)).collect();
    let w = handles
        .iter()
        .map(|h| h.chars().count())
        .max()
        .unwrap_or(0)
        .max("author".len());
    ctx.line(format_args!(
        "{:<w$}  {:>6}  {:>6}  from",
        "author", "words", "share"
    ))?;
    for (s, handle) in shares.iter().zip(&handles) {
        let from: Vec<String> = s
            .sources
            .iter()
            .map(|(o, n)| format!("{} ({n})", short(o)))
            .collect();
        ctx.line(format_args!(
            "{handle:<w$}  {:>6}  {:>5.1}%  {}",
            s.words,
            percent(s.words, total),
            from.join(", ")
        ))?;
    }
    if let Some(s) = survival {
        ctx.line("")?;
        ctx.line(format_args!(
            "{} of the {} words at {} (event {}) survive at {}: {:.1}% of the text at {}, {:.1}% of the text at {}",
            s.surviving,
            s.words,
            s.point,
            s.seq,
            args.at,
            percent(s.surviving, s.words),
            s.point,
            percent(s.surviving, total),
            args.at
        ))?;
    }
    Ok(())
}
