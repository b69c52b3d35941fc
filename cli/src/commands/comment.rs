//! `travaux comment`: a remark on a clause or on the whole document.

use clap::Args;
use travaux_core::{Command, CommentNo, Event, Position};

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
    /// The comment it answers: C3
    #[arg(long, value_name = "COMMENT")]
    pub reply_to: Option<CommentNo>,
}

/// Run `comment`.
pub fn run(ctx: &mut Ctx<'_>, args: &CommentArgs) -> CliResult {
    let doc = ctx.document()?;
    let clause = args
        .clause
        .as_deref()
        .map(|c| doc.resolve_clause(c))
        .transpose()?;
    let (doc, appended) = ctx.execute(Command::PostComment {
        clause,
        position: args.position,
        text: args.text.clone(),
        reply_to: args.reply_to,
    })?;
    let e = &appended.events[0];
    let Event::CommentPosted { comment, .. } = &e.event else {
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
        }));
    }
    ctx.line(format_args!(
        "commented {comment} on {on} ({}) at event {}",
        args.position, e.seq
    ))
}
