//! `travaux comment`: a remark on a clause or on the whole document, or an answer to a
//! consultation question (`--answers Q3`). Either is taken only while a phase that admits the
//! commenter's role is open. `comment TEXT` is `comment add TEXT`; `comment list` is
//! `comments` (a summary, then a page), and a comment whose whole text is one of these words is refused (the user meant
//! the command). `comment retract C12` retracts one's own comment (only its author may, in any
//! phase): it stands as retracted, its text kept in the log.

use clap::{Args, Subcommand};
use travaux_core::{Command, CommentNo, Event, Position, QuestionNo, StreamId};

use crate::commands::comments::{self, CommentsArgs};
use crate::commands::tag::refuse_subcommand_word;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render;

/// Arguments of `comment`: a subcommand, or the comment to post (`comment TEXT` is
/// `comment add TEXT`).
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CommentArgs {
    /// `add` or `list`
    #[command(subcommand)]
    pub action: Option<CommentAction>,
    /// The comment to post (as `comment add`)
    #[command(flatten)]
    pub post: PostArgs,
}

/// What `comment` does.
#[derive(Subcommand, Debug)]
pub enum CommentAction {
    /// Post a comment on a clause or the whole document, or answer a consultation question
    #[command(
        after_help = "Examples:\n  travaux --as brazil comment add \"Keep the obligation.\" --clause 5.2 --position support\n  travaux --as jane comment add \"Yes, in writing.\" --answers Q1"
    )]
    Add(PostArgs),
    /// Summarise the comments (and answers), then list a page of them in full, oldest first
    /// (as `travaux comments`)
    #[command(
        after_help = "Examples:\n  travaux comment list --clause 4.5\n  travaux comment list --participant psi --json\n  travaux comment list --limit 20 --after C40"
    )]
    List(CommentsArgs),
    /// Retract your own comment: it stays in the log, marked retracted
    #[command(after_help = "Examples:\n  travaux --as psi comment retract C12")]
    Retract {
        /// The comment: C12
        comment: CommentNo,
    },
}

/// The words `comment` takes as subcommands, which no comment may consist of.
pub const SUBCOMMANDS: [&str; 4] = ["add", "list", "retract", "help"];

/// A comment to post.
#[derive(Args, Debug)]
pub struct PostArgs {
    /// What the comment says
    #[arg(required = true)]
    pub text: Option<String>,
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
    match &args.action {
        Some(CommentAction::List(list_args)) => comments::run(ctx, list_args, "comment list"),
        Some(CommentAction::Add(post_args)) => post(ctx, post_args),
        Some(CommentAction::Retract { comment }) => retract(ctx, *comment),
        None => post(ctx, &args.post),
    }
}

impl CommentArgs {
    /// Whether the command posts a comment (rather than listing them).
    pub fn writes(&self) -> bool {
        !matches!(self.action, Some(CommentAction::List(_)))
    }
}

fn post(ctx: &mut Ctx<'_>, args: &PostArgs) -> CliResult {
    let text = args.text.clone().unwrap_or_default();
    refuse_subcommand_word("a comment reading", &text, &SUBCOMMANDS, "comment")?;
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
            text: text.clone(),
        },
        None => Command::PostComment {
            clause,
            position: args.position,
            text,
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

/// Retract a comment: its author, as its event says, is checked against the actor by `decide`.
fn retract(ctx: &mut Ctx<'_>, no: CommentNo) -> CliResult {
    let doc = ctx.head_without_amendments()?;
    let mut author = None;
    if no.0 >= 1 && no.0 <= doc.comments {
        for e in ctx.store.stream(StreamId::document(doc.id)) {
            let e = e?;
            if matches!(&e.event, Event::CommentPosted { comment, .. } if *comment == no) {
                author = Some(e.actor);
                break;
            }
        }
    }
    let Some(author) = author else {
        return Err(travaux_core::DomainError::UnknownComment(no).into());
    };
    let (doc, appended) = ctx.execute(Command::RetractComment {
        comment: no,
        author,
    })?;
    let e = &appended.events[0];
    if !matches!(&e.event, Event::CommentRetracted { comment } if *comment == no) {
        return Err(CliError::refused(format!(
            "event {} is a {}, not this retraction: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    }
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "comment": no.to_string(), "retracted": true, "seq": e.seq, "document": doc.slug,
        }));
    }
    ctx.line(format_args!("retracted {no} at event {}", e.seq))
}
