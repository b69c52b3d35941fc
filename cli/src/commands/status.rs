//! `travaux status`: the committee's dashboard.
//!
//! Per clause in reading order: how far it is agreed, the amendments awaiting a decision on
//! it, its open brackets and the comments on it since the last revision. Overall: the share of
//! clauses agreed, by number and by words (a clause agreed ad referendum counts as agreed; the
//! words are those of the clauses' texts, headings aside), the open phases, the adoption if
//! any, and how many amendments and brackets are still open.

use clap::Args;
use travaux_core::{Agreement, BracketStatus, DocumentState};

use crate::context::Ctx;
use crate::error::CliResult;
use crate::render;

/// Arguments of `status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The point to look from [default: the head]: a tag, a revision's label, an event number
    /// or a date
    #[arg(long, value_name = "POINT")]
    pub at: Option<travaux_core::Point>,
}

/// One clause on the dashboard.
struct Row {
    id: travaux_core::ClauseId,
    label: String,
    address: String,
    depth: usize,
    agreement: Agreement,
    pending: Vec<String>,
    brackets: Vec<String>,
    comments: u32,
    words: usize,
}

/// How far the text is agreed.
struct Progress {
    clauses: usize,
    agreed: usize,
    ad_referendum: usize,
    words: usize,
    words_agreed: usize,
}

impl Progress {
    fn share(part: usize, whole: usize) -> f64 {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    }

    fn by_number(&self) -> f64 {
        Progress::share(self.agreed + self.ad_referendum, self.clauses)
    }

    fn by_words(&self) -> f64 {
        Progress::share(self.words_agreed, self.words)
    }
}

fn rows(doc: &DocumentState) -> Vec<Row> {
    let outline = doc.outline();
    let mut named = render::addresses(doc, outline.iter().map(|(_, c)| c.id));
    outline
        .into_iter()
        .map(|(depth, c)| Row {
            id: c.id,
            label: c.label.clone(),
            address: named.remove(&c.id).unwrap_or_else(|| c.label.clone()),
            depth,
            agreement: doc.agreement_of(c.id),
            pending: doc.pending_on(c.id).map(|a| a.no.to_string()).collect(),
            brackets: doc
                .open_brackets_on(c)
                .iter()
                .map(|b| b.no.to_string())
                .collect(),
            comments: doc.process.recent_comments.get(&c.id).copied().unwrap_or(0),
            words: c.text.split_whitespace().count(),
        })
        .collect()
}

fn progress(rows: &[Row]) -> Progress {
    let mut p = Progress {
        clauses: rows.len(),
        agreed: 0,
        ad_referendum: 0,
        words: 0,
        words_agreed: 0,
    };
    for r in rows {
        p.words += r.words;
        match r.agreement {
            Agreement::Open => continue,
            Agreement::Agreed => p.agreed += 1,
            Agreement::AgreedAdReferendum => p.ad_referendum += 1,
        }
        p.words_agreed += r.words;
    }
    p
}

/// Run `status`.
pub fn run(ctx: &mut Ctx<'_>, args: &StatusArgs) -> CliResult {
    let doc = match &args.at {
        Some(point) => ctx.document_at(point)?,
        None => ctx.document_at(&travaux_core::Point::Head)?,
    };
    let rows = rows(&doc);
    let progress = progress(&rows);
    let pending: Vec<&travaux_core::Amendment> = doc
        .amendments
        .values()
        .filter(|a| a.status.is_open())
        .collect();
    // Amendments inserting a clause are about a clause not in the text yet.
    let insertions: Vec<&&travaux_core::Amendment> = pending
        .iter()
        .filter(|a| doc.clause(a.change.clause()).is_none())
        .collect();
    let open_brackets = doc
        .process
        .brackets
        .values()
        .filter(|b| b.status == BracketStatus::Open)
        .count();
    let phases: Vec<&travaux_core::Phase> = doc.open_phases().collect();
    let document_comments = doc.process.recent_document_comments;

    if ctx.globals.json {
        let clauses: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "clause": r.id,
                    "label": r.label,
                    "address": r.address,
                    "depth": r.depth,
                    "agreement": r.agreement,
                    "pending": r.pending,
                    "brackets": r.brackets,
                    "comments": r.comments,
                    "words": r.words,
                })
            })
            .collect();
        return ctx.json(&serde_json::json!({
            "document": { "id": doc.id, "slug": doc.slug, "title": doc.title },
            "seq": doc.seq,
            "version": doc.version,
            "revisions": doc.revisions,
            "clauses": clauses,
            "document_comments": document_comments,
            "progress": {
                "clauses": progress.clauses,
                "agreed": progress.agreed,
                "agreed_ad_referendum": progress.ad_referendum,
                "open": progress.clauses - progress.agreed - progress.ad_referendum,
                "share_by_number": progress.by_number(),
                "words": progress.words,
                "words_agreed": progress.words_agreed,
                "share_by_words": progress.by_words(),
            },
            "pending_amendments": pending.iter().map(|a| a.no.to_string()).collect::<Vec<_>>(),
            "pending_insertions": insertions.iter().map(|a| a.no.to_string()).collect::<Vec<_>>(),
            "open_brackets": open_brackets,
            "open_phases": phases.iter().map(|p| serde_json::json!({
                "phase": p.no.to_string(), "kind": p.kind, "name": p.name,
                "planned": p.window, "opened_seq": p.opened_seq,
            })).collect::<Vec<_>>(),
            "adopted": doc.process.adopted,
        }));
    }

    ctx.line(format_args!(
        "{} · event {} ({}) · revision {} · {} clauses",
        doc.slug,
        doc.seq,
        render::when(&doc.updated_at),
        doc.revisions,
        doc.clause_count(),
    ))?;
    ctx.line("")?;
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(" ")
        }
    };
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                format!("{}{}", "  ".repeat(r.depth), r.label),
                render::agreement(r.agreement).to_string(),
                list(&r.pending),
                list(&r.brackets),
                if r.comments == 0 {
                    "-".to_string()
                } else {
                    r.comments.to_string()
                },
            ]
        })
        .collect();
    let header = ["clause", "status", "pending", "brackets", "comments"].map(String::from);
    let mut width = header.clone().map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&cells) {
        let line: Vec<String> = row
            .iter()
            .zip(width)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        ctx.line(line.join("  ").trim_end())?;
    }
    ctx.line("")?;
    let percent = |x: f64| format!("{:.1}%", x * 100.0);
    ctx.line(format_args!(
        "agreed: {} of {} clauses ({}), {} of {} words ({}){}",
        progress.agreed + progress.ad_referendum,
        progress.clauses,
        percent(progress.by_number()),
        progress.words_agreed,
        progress.words,
        percent(progress.by_words()),
        if progress.ad_referendum > 0 {
            format!("; {} of them ad referendum", progress.ad_referendum)
        } else {
            String::new()
        }
    ))?;
    let mut counts = format!(
        "pending amendments: {} · open brackets: {open_brackets} · comments on the document since the last revision: {document_comments}",
        pending.len()
    );
    if !insertions.is_empty() {
        let listed: Vec<String> = insertions
            .iter()
            .map(|a| format!("{} ({})", a.no, render::change(&doc, &a.change)))
            .collect();
        counts.push_str(&format!(" · pending insertions: {}", listed.join(", ")));
    }
    ctx.line(counts)?;
    if phases.is_empty() {
        ctx.line("open phases: none")?;
    } else {
        for p in &phases {
            ctx.line(format_args!("open phase: {}", p.describe()))?;
        }
    }
    match &doc.process.adopted {
        Some(a) => ctx.line(format_args!(
            "adopted as {} at event {} ({})",
            a.symbol,
            a.seq,
            render::when(&a.at)
        )),
        None => ctx.line("not adopted"),
    }
}
