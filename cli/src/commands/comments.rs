//! `travaux comments` (and `comment list`, the same command): the comments and answers of a
//! document summarised — how many, by position, by participant kind, by clause, by phase, over
//! time and by question — then a page of them in full, oldest first, with the cursor of the
//! next page. `--after` shows a later page alone.

use clap::Args;
use travaux_core::{PhaseNo, QuestionNo};

use crate::commands::consultation::page::{Page, PageArgs};
use crate::commands::consultation::summary::Summary;
use crate::commands::consultation::{posted, Lookup, Select};
use crate::commands::question::registry;
use crate::context::Ctx;
use crate::error::CliResult;

/// Which comments `comments` summarises and pages through.
#[derive(Args, Debug)]
pub struct CommentsArgs {
    /// Only comments on this clause
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// Only comments by this participant
    #[arg(long, value_name = "PARTICIPANT")]
    pub participant: Option<String>,
    /// Only the answers to this consultation question: Q3
    #[arg(long, value_name = "QUESTION")]
    pub question: Option<QuestionNo>,
    /// Only the comments this phase took: P2
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<PhaseNo>,
    /// The page
    #[command(flatten)]
    pub page: PageArgs,
}

/// Run `comments`; `words` are the command's own (`comments` or `comment list`), to tell how
/// to ask for the next page.
pub fn run(ctx: &mut Ctx<'_>, args: &CommentsArgs, words: &str) -> CliResult {
    let doc = ctx.head_without_amendments()?;
    let clause = args
        .clause
        .as_deref()
        .map(|c| doc.resolve_clause(c))
        .transpose()?;
    let participant = args
        .participant
        .as_deref()
        .map(|p| ctx.participant(p))
        .transpose()?;
    if let Some(q) = args.question {
        doc.question(q)?;
    }
    if let Some(p) = args.phase {
        doc.phase(p)?;
    }
    args.page.check(&doc)?;
    let select = Select {
        question: args.question,
        clause,
        participant: participant.as_ref().map(|p| p.id),
        phase: args.phase,
    };
    let lookup = Lookup {
        doc: &doc,
        people: registry(ctx)?,
    };
    let mut summary = Summary::default();
    let mut page = Page::new(&args.page);
    for p in posted(ctx.store, &doc, &select, None) {
        let p = p?;
        summary.add(&p, &lookup);
        page.offer(&p);
    }
    if ctx.globals.json {
        let mut answer = page.json(&lookup);
        answer["document"] = doc.slug.clone().into();
        answer["summary"] = summary.json(&lookup);
        return ctx.json(&answer);
    }
    let mut lines = Vec::new();
    if args.page.after.is_none() {
        let mut summary = summary.lines(&lookup, "comments", args.question.is_none());
        summary[0] = format!("{}: {}", doc.slug, summary[0]);
        lines.extend(summary);
        if !page.items.is_empty() {
            lines.push(String::new());
        }
    }
    lines.extend(page.lines(&lookup, "comments", &again(ctx, words, args)));
    for line in lines {
        ctx.line(line)?;
    }
    Ok(())
}

/// The command line that shows the same selection, for the next page.
fn again(ctx: &Ctx<'_>, words: &str, args: &CommentsArgs) -> String {
    let quoted = |s: &str| {
        shlex::try_quote(s)
            .map(|q| q.into_owned())
            .unwrap_or_else(|_| s.to_string())
    };
    let mut line = match &ctx.globals.doc {
        Some(doc) => format!("travaux --doc {} {words}", quoted(doc)),
        None => format!("travaux {words}"),
    };
    if let Some(c) = &args.clause {
        line.push_str(&format!(" --clause {}", quoted(c)));
    }
    if let Some(p) = &args.participant {
        line.push_str(&format!(" --participant {}", quoted(p)));
    }
    if let Some(q) = args.question {
        line.push_str(&format!(" --question {q}"));
    }
    if let Some(p) = args.phase {
        line.push_str(&format!(" --phase {p}"));
    }
    if let Some(n) = args.page.limit {
        line.push_str(&format!(" --limit {n}"));
    }
    line
}
