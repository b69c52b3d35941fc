//! `travaux show`: the text as it stands, or as it stood at any point, as an outline for people
//! (`--format text`), as Markdown in the form `import` reads (`--format markdown`), or as JSON.
//!
//! Open brackets are shown in the text ("[words]", "[Alt 1: …] [Alt 2: …]"), in the outline and
//! in Markdown; a clause agreed, or agreed ad referendum, says so after its label.

use clap::Args;
use serde::Serialize;
use travaux_core::{Agreement, ClauseId, DocumentState, Point};

use crate::context::Ctx;
use crate::error::CliResult;
use crate::render::{self, Names};

/// Arguments of `show`.
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Where in history: head, an event number, a date or time, a tag or a revision's label
    /// (rev:LABEL if a tag has the same name); POINT~N for N text changes before it
    #[arg(long, default_value = "head", value_name = "POINT")]
    pub at: Point,
    /// Only this clause and everything under it: its label, or its path or the end of it
    /// (`5.1(b)`, `Article 5 > 5.1`), as it was at that point, or an id prefix
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// How to print the text: an outline with pending amendments (text), or the Markdown that
    /// `import` reads (markdown)
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub format: ShowFormat,
}

/// How `show` prints the text.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShowFormat {
    /// An outline for people, with pending amendments.
    #[default]
    Text,
    /// Markdown in the form `import` reads: importing it records nothing.
    Markdown,
}

#[derive(Serialize)]
struct ClauseView<'a> {
    id: ClauseId,
    label: &'a str,
    /// How commands name it: its label, or as much of its path as tells it apart (`5.1 (b)`).
    address: String,
    depth: usize,
    parent: Option<ClauseId>,
    heading: Option<&'a str>,
    text: &'a str,
    /// Its notes (footnotes), each with the mark the text references it by.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    notes: &'a [travaux_core::Note],
    pending: Vec<String>,
    agreement: Agreement,
    brackets: Vec<serde_json::Value>,
    /// The text with its open brackets, for people.
    #[serde(skip)]
    shown: String,
}

/// Run `show`.
pub fn run(ctx: &mut Ctx<'_>, args: &ShowArgs) -> CliResult {
    let doc = ctx.document_at(&ctx.absolute_point(&args.at)?)?;
    let names = Names::load(ctx.store)?;
    let root = args
        .clause
        .as_deref()
        .map(|c| doc.resolve_clause(c))
        .transpose()?;
    if args.format == ShowFormat::Markdown && !ctx.globals.json {
        // A text without open brackets renders exactly as `import` reads it back.
        let md = travaux_core::markdown::markdown(&doc, root);
        write!(ctx.out, "{}", md.strip_prefix('\n').unwrap_or(&md))?;
        return Ok(());
    }
    let clauses = selected(&doc, root);
    let mut named = render::addresses(&doc, clauses.iter().map(|(_, c)| c.id));
    let views: Vec<ClauseView> = clauses
        .iter()
        .map(|(depth, c)| ClauseView {
            id: c.id,
            label: &c.label,
            address: named.remove(&c.id).unwrap_or_else(|| c.label.clone()),
            depth: *depth,
            parent: c.parent,
            heading: c.heading.as_deref(),
            text: &c.text,
            notes: &c.notes,
            pending: doc.pending_on(c.id).map(|a| a.no.to_string()).collect(),
            agreement: doc.agreement_of(c.id),
            brackets: doc
                .open_brackets_on(c)
                .into_iter()
                .map(|b| render::bracket_json(&doc, b, &names))
                .collect(),
            shown: doc.bracketed_text(c),
        })
        .collect();
    if ctx.globals.json {
        let pending: Vec<_> = doc
            .amendments
            .values()
            .filter(|a| a.status.is_open())
            .filter(|a| root.is_none() || clauses.iter().any(|(_, c)| c.id == a.change.clause()))
            .map(|a| render::amendment_json_in(&doc, a, &names))
            .collect();
        return ctx.json(&serde_json::json!({
            "document": { "id": doc.id, "slug": doc.slug, "title": doc.title },
            "at": args.at.to_string(),
            "seq": doc.seq,
            "version": doc.version,
            "updated_at": doc.updated_at,
            "revisions": doc.revisions,
            "tags": doc.tags,
            "clauses": views,
            "pending_amendments": pending,
            "adopted": doc.process.adopted,
        }));
    }
    if root.is_none() {
        ctx.line(&doc.title)?;
        ctx.line(format_args!(
            "{} at {} · event {} ({}) · version {} · revision {} · {} clauses{}",
            doc.slug,
            args.at,
            doc.seq,
            render::when(&doc.updated_at),
            doc.version,
            doc.revisions,
            doc.clause_count(),
            doc.process
                .adopted
                .as_ref()
                .map(|a| format!(" · adopted as {} (event {})", a.symbol, a.seq))
                .unwrap_or_default()
        ))?;
    }
    let color = ctx.color();
    let mut previous_depth = None;
    for v in &views {
        let indent = "  ".repeat(v.depth);
        if v.depth == 0 && previous_depth.is_some() || root.is_none() && previous_depth.is_none() {
            ctx.line("")?;
        }
        previous_depth = Some(v.depth);
        let heading = v.heading.map(|h| format!("  {h}")).unwrap_or_default();
        // Once adopted, every clause is agreed: the header says so once.
        let marker = match v.agreement {
            _ if doc.process.adopted.is_some() => String::new(),
            Agreement::Open => String::new(),
            a => format!(" ({})", render::agreement(a)),
        };
        // The clause asked for is named in full (`5.1 (b)`): no outline above it says where.
        let name = if root.is_some() && v.depth == 0 {
            v.address.as_str()
        } else {
            v.label
        };
        let mut lines = v.shown.lines();
        let first = lines.next().unwrap_or("");
        // The text's lines line up under its first.
        let pad = if v.heading.is_some() || first.is_empty() {
            ctx.line(format_args!("{indent}{name}{marker}{heading}"))?;
            if !first.is_empty() {
                ctx.line(format_args!("{indent}  {first}"))?;
            }
            "  ".to_string()
        } else {
            ctx.line(format_args!("{indent}{name}{marker}  {first}"))?;
            " ".repeat(name.chars().count() + marker.chars().count() + 2)
        };
        for more in lines {
            ctx.line(format_args!("{indent}{pad}{more}"))?;
        }
        for n in v.notes {
            ctx.line(format_args!("{indent}{pad}[^{}]: {}", n.mark, n.text))?;
        }
        for no in &v.pending {
            let a = &doc.amendments[&no.parse().expect("an amendment number")];
            ctx.line(format_args!(
                "{indent}{pad}[{} pending: {} by {}, {} for, {} against]",
                a.no,
                render::change(&doc, &a.change),
                names.of(a.proposer),
                a.supporters.len(),
                a.opposers.len()
            ))?;
            if let travaux_core::Change::Words { clause, edit } = &a.change {
                match render::words_marked(&doc, *clause, edit, color) {
                    Some(line) => ctx.line(format_args!("{indent}{pad} {line}"))?,
                    None => ctx.line(format_args!(
                        "{indent}{pad} (its words are no longer in {})",
                        doc.address_of(*clause)
                    ))?,
                }
            }
        }
    }
    Ok(())
}

/// The clause and everything under it, or the whole outline.
fn selected(doc: &DocumentState, root: Option<ClauseId>) -> Vec<(usize, &travaux_core::Clause)> {
    let outline = doc.outline();
    let Some(root) = root else { return outline };
    let start = outline
        .iter()
        .position(|(_, c)| c.id == root)
        .expect("a live clause is in the outline");
    let depth = outline[start].0;
    let mut out = vec![(0, outline[start].1)];
    for (d, c) in &outline[start + 1..] {
        if *d <= depth {
            break;
        }
        out.push((d - depth, c));
    }
    out
}
