//! `travaux question` and `travaux questions`: consultation questions and their answers.
//!
//! The secretariat poses questions (optionally grouped, as the boxes of a consultation paper,
//! and tied to clauses); participants answer them with `travaux comment --answers Q3`.
//! `questions` summarises each question's answers (by position and participant kind); with
//! one question, the whole summary (by kind, clause, phase and over time), then a page of its
//! answers in full, with the cursor of the next page. Only counts are told, never who: a
//! question with a million answers is summarised in as many lines as one with ten.

use std::collections::HashMap;

use clap::Args;
use travaux_core::{
    Command, DocumentState, Event, Participant, ParticipantId, Question, QuestionNo,
};

use crate::commands::consultation::page::{Page, PageArgs};
use crate::commands::consultation::summary::Summary;
use crate::commands::consultation::{posted, Lookup, Select};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render;

/// Arguments of `question`.
#[derive(Args, Debug)]
pub struct QuestionArgs {
    /// What the question asks
    pub text: String,
    /// The group it belongs to, such as "Box 2: International recruitment practices"
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// A clause it is about (its label, such as 3.1); repeat for several
    #[arg(long = "clause", value_name = "CLAUSE")]
    pub clauses: Vec<String>,
}

/// Run `question`: pose a consultation question (secretariat).
pub fn pose(ctx: &mut Ctx<'_>, args: &QuestionArgs) -> CliResult {
    // `question list` meant the list, which is `questions`.
    if ["list", "ls"].contains(&args.text.trim().to_ascii_lowercase().as_str()) {
        return Err(CliError::refused(format!(
            "a question reading {:?} looks like a command: `travaux questions` lists the questions. Nothing was written",
            args.text.trim()
        )));
    }
    let doc = ctx.document()?;
    let clauses = args
        .clauses
        .iter()
        .map(|c| doc.resolve_clause(c))
        .collect::<Result<Vec<_>, _>>()?;
    let (doc, appended) = ctx.execute(Command::PoseQuestion {
        group: args.group.clone(),
        text: args.text.clone(),
        clauses,
    })?;
    let e = &appended.events[0];
    let Event::QuestionPosed { question, .. } = &e.event else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not a question: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let q = doc.question(*question)?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "question": q.no.to_string(),
            "seq": e.seq,
            "group": q.group,
            "text": q.text,
            "clauses": labels(&doc, q),
        }));
    }
    ctx.line(format_args!("posed {} at event {}", q.no, e.seq))
}

/// Arguments of `questions`.
#[derive(Args, Debug)]
pub struct QuestionsArgs {
    /// Only this question, with a page of its answers in full: Q3
    #[arg(value_name = "QUESTION")]
    pub question: Option<QuestionNo>,
    /// The page of answers (of one question)
    #[command(flatten)]
    pub page: PageArgs,
}

/// The participant kinds in the order reports list them.
pub(crate) use crate::commands::consultation::summary::KINDS;

/// Handles for people: the first `max`, then how many more (JSON names them all).
pub(crate) fn some_names(names: &[String], max: usize) -> String {
    let mut s = names
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(" and {} more", names.len() - max));
    }
    s
}

/// Every registered participant, by id.
pub(crate) fn registry(ctx: &Ctx<'_>) -> CliResult<HashMap<ParticipantId, Participant>> {
    Ok(ctx
        .store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// Run `questions`.
pub fn list(ctx: &mut Ctx<'_>, args: &QuestionsArgs) -> CliResult {
    let doc = ctx.head_without_amendments()?;
    let lookup = Lookup {
        doc: &doc,
        people: registry(ctx)?,
    };
    match args.question {
        Some(no) => one(ctx, &lookup, no, &args.page),
        None if args.page.given() => Err(CliError::refused(
            "--limit and --after page through the answers of one question: name it, as in `travaux questions Q1 --after C50`",
        )),
        None => all(ctx, &lookup),
    }
}

/// Every question with the summary of its answers.
fn all(ctx: &mut Ctx<'_>, lookup: &Lookup<'_>) -> CliResult {
    let doc = lookup.doc;
    let mut summaries: HashMap<QuestionNo, Summary> = HashMap::new();
    if !doc.process.questions.is_empty() {
        for p in posted(ctx.store, doc, &Select::default(), None) {
            let p = p?;
            if let Some(q) = p.question {
                summaries.entry(q).or_default().add(&p, lookup);
            }
        }
    }
    let empty = Summary::default();
    let shown: Vec<(&Question, &Summary)> = doc
        .process
        .questions
        .values()
        .map(|q| (q, summaries.get(&q.no).unwrap_or(&empty)))
        .collect();
    if ctx.globals.json {
        let views: Vec<serde_json::Value> = shown
            .iter()
            .map(|(q, s)| question_json(doc, q, s, lookup))
            .collect();
        return ctx.json(&views);
    }
    if shown.is_empty() {
        return ctx.line(format_args!(
            "no consultation questions in {} yet; the secretariat poses one with `travaux question TEXT`",
            doc.slug
        ));
    }
    for (i, (q, s)) in shown.iter().enumerate() {
        if i > 0 {
            ctx.line("")?;
        }
        for line in heading(doc, q) {
            ctx.line(line)?;
        }
        ctx.line(format_args!("    {}", s.headline("answers")))?;
        if s.count() > 0 {
            ctx.line(format_args!("    by kind: {}", s.kinds_line(lookup)))?;
        }
    }
    Ok(())
}

/// One question: the whole summary of its answers, then a page of them.
fn one(ctx: &mut Ctx<'_>, lookup: &Lookup<'_>, no: QuestionNo, page_args: &PageArgs) -> CliResult {
    let doc = lookup.doc;
    let q = doc.question(no)?;
    page_args.check(doc)?;
    let select = Select {
        question: Some(no),
        ..Select::default()
    };
    let mut summary = Summary::default();
    let mut page = Page::new(page_args);
    for p in posted(ctx.store, doc, &select, None) {
        let p = p?;
        summary.add(&p, lookup);
        page.offer(&p);
    }
    if ctx.globals.json {
        let mut view = question_json(doc, q, &summary, lookup);
        let paged = page.json(lookup);
        for key in ["after", "limit", "items", "next"] {
            view[key] = paged[key].clone();
        }
        return ctx.json(&view);
    }
    let mut lines = Vec::new();
    if page_args.after.is_none() {
        lines.extend(heading(doc, q));
        lines.extend(
            summary
                .lines(lookup, "answers", false)
                .into_iter()
                .map(|l| format!("    {l}")),
        );
        if !page.items.is_empty() {
            lines.push(String::new());
        }
    }
    let mut again = match &ctx.globals.doc {
        Some(d) => format!("travaux --doc {d} questions {no}"),
        None => format!("travaux questions {no}"),
    };
    if let Some(n) = page_args.limit {
        again.push_str(&format!(" --limit {n}"));
    }
    lines.extend(page.lines(lookup, "answers", &again));
    for line in lines {
        ctx.line(line)?;
    }
    Ok(())
}

fn labels(doc: &DocumentState, q: &Question) -> Vec<String> {
    q.clauses.iter().map(|c| render::label(doc, *c)).collect()
}

/// A question for tools: what it asks, and the summary of its answers (`answers` is how many
/// stand, as `summary.count`).
fn question_json(
    doc: &DocumentState,
    q: &Question,
    summary: &Summary,
    lookup: &Lookup<'_>,
) -> serde_json::Value {
    serde_json::json!({
        "question": q.no.to_string(),
        "group": q.group,
        "text": q.text,
        "clauses": labels(doc, q),
        "posed_seq": q.posed_seq,
        "answers": summary.count(),
        "summary": summary.json(lookup),
    })
}

/// A question for people: its number and group, what it asks, and the clauses it is about.
fn heading(doc: &DocumentState, q: &Question) -> Vec<String> {
    let mut lines = vec![match &q.group {
        Some(g) => format!("{}  {g}", q.no),
        None => q.no.to_string(),
    }];
    lines.push(format!("    {}", q.text));
    if !q.clauses.is_empty() {
        lines.push(format!("    on {}", labels(doc, q).join(", ")));
    }
    lines
}
