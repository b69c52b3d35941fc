//! `travaux comment`: a remark on a clause or on the whole document, or an answer to a
//! consultation question (`--answers Q3`). Either is taken only while a phase that admits the
//! commenter's role is open.

use clap::Args;
use travaux_core::{Command, CommentNo, Event, Position, QuestionNo};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render;

/// Arguments of `comment`.
#[derive(Args, Debug)]
pub struct CommentArgs {
    /// What the comment says
    pub text: String,
    /// The clause it is about [default: the whole document]
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// support, oppose or neutral
    #[arg(long, default_value = "neutral")]
    pub position: Position,
    /// The comment it replies to: C3
    #[arg(long, value_name = "COMMENT", conflicts_with = "answers")]
    pub reply_to: Option<CommentNo>,
    /// The consultation question it answers: Q3 (`travaux questions` lists them)
    #[arg(long, value_name = "QUESTION")]
    pub answers: Option<QuestionNo>,
}

/// Run `comment`.
pub fn run(ctx: &mut Ctx<'_>, args: &CommentArgs) -> CliResult {
    let doc = ctx.document()?;
    let clause = args
        .clause
        .as_deref()
        .map(|c| doc.resolve_clause(c))
        .transpose()?;
    let command = match args.answers {
        Some(question) => Command::AnswerQuestion {
            question,
            clause,
            position: args.position,
            text: args.text.clone(),
        },
        None => Command::PostComment {
            clause,
            position: args.position,
            text: args.text.clone(),
            reply_to: args.reply_to,
        },
    };
    let (doc, appended) = ctx.execute(command)?;
    let e = &appended.events[0];
    let Event::CommentPosted {
        comment,
        question,
        phase,
        ..
    } = &e.event
    else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not a comment: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let on = clause
        .map(|c| render::label(&doc, c))
        .unwrap_or_else(|| "the document".into());
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "comment": comment.to_string(), "seq": e.seq, "clause": on, "position": args.position,
            "question": question.map(|q| q.to_string()), "phase": phase.map(|p| p.to_string()),
        }));
    }
    if let Some(q) = question {
        return ctx.line(format_args!(
            "answered {q} with {comment} on {on} ({}) at event {}",
            args.position, e.seq
        ));
    }
    ctx.line(format_args!(
        "commented {comment} on {on} ({}) at event {}",
        args.position, e.seq
    ))
}
