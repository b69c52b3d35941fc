//! `travaux tag`: name a point of the document's history (`tag NAME`, `tag add NAME`), or list
//! the names (`tag`, `tag list`). A name that is one of `tag`'s own subcommands is refused: the
//! user meant the command. `tag withdraw NAME` withdraws a tag set by mistake (the secretariat
//! or the chair; not the adopted text's): the name then names no point until `tag add` sets it
//! again, and `tag history` tells every name set and withdrawn.

use clap::{Args, Subcommand};
use travaux_core::{Command, Event, Point, StreamId};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `tag`: a subcommand, or the name to set (`tag NAME` is `tag add NAME`).
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TagArgs {
    /// `add` or `list`
    #[command(subcommand)]
    pub action: Option<TagAction>,
    /// The name to set (as `tag add`); without one, list the tags
    #[command(flatten)]
    pub set: SetTag,
}

/// What `tag` does.
#[derive(Subcommand, Debug)]
pub enum TagAction {
    /// Name the current point (or another) of the document's history
    #[command(
        after_help = "Examples:\n  travaux --as secretariat tag add WHA63.16\n  travaux --as secretariat tag add first-draft --at D1"
    )]
    Add(AddTag),
    /// List the tags, oldest first
    #[command(after_help = "Examples:\n  travaux tag list\n  travaux --json tag list")]
    List,
    /// Withdraw a tag set by mistake; its name may then name another point
    #[command(
        after_help = "Examples:\n  travaux --as secretariat tag withdraw WHA63.61\n  travaux --as secretariat tag add WHA63.16 --at 412"
    )]
    Withdraw {
        /// The tag's name
        name: String,
    },
    /// Every tag set and withdrawn, oldest first (of one name, if given)
    #[command(
        after_help = "Examples:\n  travaux tag history\n  travaux --json tag history WHA63.16"
    )]
    History {
        /// Only this name
        name: Option<String>,
    },
}

/// The name to set and the point it names (`tag add`).
#[derive(Args, Debug)]
pub struct AddTag {
    /// The name, such as WHA63.16
    pub name: String,
    /// The point it names [default: the document's last event]
    #[arg(long, value_name = "POINT")]
    pub at: Option<Point>,
}

/// The name to set and the point it names, or neither (`tag [NAME]`).
#[derive(Args, Debug)]
pub struct SetTag {
    /// The name, such as WHA63.16
    pub name: Option<String>,
    /// The point it names [default: the document's last event]
    #[arg(long, value_name = "POINT")]
    pub at: Option<Point>,
    /// Every tag set and withdrawn (of NAME, if given), as `tag history`
    #[arg(long, conflicts_with = "at")]
    pub history: bool,
}

impl TagArgs {
    /// The tag this command sets, if it sets one.
    pub fn setting(&self) -> Option<(&str, Option<&Point>)> {
        match &self.action {
            Some(TagAction::Add(add)) => Some((&add.name, add.at.as_ref())),
            Some(TagAction::List | TagAction::Withdraw { .. } | TagAction::History { .. }) => None,
            None if self.set.history => None,
            None => Some((self.set.name.as_deref()?, self.set.at.as_ref())),
        }
    }
}

impl TagArgs {
    /// Whether the command writes: sets or withdraws a tag.
    pub fn writes(&self) -> bool {
        self.setting().is_some() || matches!(self.action, Some(TagAction::Withdraw { .. }))
    }
}

/// The words `tag` takes as subcommands, which no tag may be named.
pub const SUBCOMMANDS: [&str; 5] = ["add", "list", "withdraw", "history", "help"];

/// Run `tag`.
pub fn run(ctx: &mut Ctx<'_>, args: &TagArgs) -> CliResult {
    match &args.action {
        Some(TagAction::Withdraw { name }) => return withdraw(ctx, name),
        Some(TagAction::History { name }) => return history(ctx, name.as_deref()),
        None if args.set.history => return history(ctx, args.set.name.as_deref()),
        _ => {}
    }
    match args.setting() {
        Some((name, at)) => add(ctx, name, at),
        None if args.set.at.is_some() => Err(CliError::refused(
            "--at names the point a new tag names: give the tag's name (`travaux tag add NAME --at POINT`)",
        )),
        None => list(ctx),
    }
}

/// A word a user meant as one of these subcommands, refused as text.
pub fn refuse_subcommand_word(
    what: &str,
    text: &str,
    words: &[&str],
    command: &str,
) -> CliResult<()> {
    let word = text.trim();
    if words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        return Err(CliError::refused(format!(
            "{what} {word:?} is the name of a subcommand: did you mean `travaux {command} {}`? Nothing was written",
            word.to_ascii_lowercase()
        )));
    }
    Ok(())
}

fn list(ctx: &mut Ctx<'_>) -> CliResult {
    let doc = ctx.document()?;
    if ctx.globals.json {
        return ctx.json(&doc.tags);
    }
    let mut tags: Vec<_> = doc.tags.iter().collect();
    tags.sort_by_key(|(_, seq)| **seq);
    for (name, seq) in tags {
        ctx.line(format_args!("{name:<28} event {seq}"))?;
    }
    Ok(())
}

fn add(ctx: &mut Ctx<'_>, name: &str, at: Option<&Point>) -> CliResult {
    refuse_subcommand_word("a tag named", name, &SUBCOMMANDS, "tag")?;
    let seq = match at {
        None => ctx.document()?.seq,
        Some(point) => ctx.document_at(point)?.seq,
    };
    let (doc, appended) = ctx.execute(Command::SetTag {
        name: name.to_string(),
        seq,
    })?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "tag": name, "names_seq": seq, "seq": appended.events[0].seq, "document": doc.slug,
        }));
    }
    ctx.line(format_args!(
        "tagged {name}: {} as of event {seq}",
        doc.slug
    ))
}

fn withdraw(ctx: &mut Ctx<'_>, name: &str) -> CliResult {
    let (doc, appended) = ctx.execute(Command::WithdrawTag {
        name: name.to_string(),
    })?;
    let e = &appended.events[0];
    let Event::TagWithdrawn { seq, .. } = &e.event else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not a tag's withdrawal: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "tag": name, "withdrawn": true, "named_seq": seq, "seq": e.seq, "document": doc.slug,
        }));
    }
    ctx.line(format_args!(
        "withdrew tag {name} of {} (it named event {seq}) at event {}",
        doc.slug, e.seq
    ))
}

/// A tag as set, and its withdrawal if any.
#[derive(serde::Serialize)]
struct TagRecord {
    tag: String,
    names_seq: u64,
    set_seq: u64,
    set_at: travaux_core::Timestamp,
    set_by: String,
    withdrawn_seq: Option<u64>,
    withdrawn_at: Option<travaux_core::Timestamp>,
    withdrawn_by: Option<String>,
}

fn history(ctx: &mut Ctx<'_>, only: Option<&str>) -> CliResult {
    let doc = ctx.head_without_amendments()?;
    let names = crate::render::Names::load(ctx.store)?;
    let mut records: Vec<TagRecord> = Vec::new();
    for e in ctx.store.stream(StreamId::document(doc.id)) {
        let e = e?;
        match &e.event {
            Event::TagSet { name, seq } if only.is_none_or(|o| o == name) => {
                records.push(TagRecord {
                    tag: name.clone(),
                    names_seq: *seq,
                    set_seq: e.seq,
                    set_at: e.recorded_at,
                    set_by: names.of(e.actor),
                    withdrawn_seq: None,
                    withdrawn_at: None,
                    withdrawn_by: None,
                })
            }
            Event::TagWithdrawn { name, .. } => {
                if let Some(r) = records
                    .iter_mut()
                    .rev()
                    .find(|r| &r.tag == name && r.withdrawn_seq.is_none())
                {
                    r.withdrawn_seq = Some(e.seq);
                    r.withdrawn_at = Some(e.recorded_at);
                    r.withdrawn_by = Some(names.of(e.actor));
                }
            }
            _ => {}
        }
    }
    if let (Some(name), true) = (only, records.is_empty()) {
        return Err(CliError::refused(format!(
            "no tag {name} was ever set in {}; `travaux tag history` lists every tag",
            doc.slug
        )));
    }
    if ctx.globals.json {
        return ctx.json(&records);
    }
    for r in &records {
        let state = match (&r.withdrawn_seq, &r.withdrawn_by) {
            (Some(w), Some(by)) => format!(
                "withdrawn at event {w} by {by}, {}",
                crate::render::when(r.withdrawn_at.as_ref().expect("set with the withdrawal"))
            ),
            _ => "current".to_string(),
        };
        ctx.line(format_args!(
            "{:<20} event {:<6} set at event {} by {}, {}; {state}",
            r.tag,
            r.names_seq,
            r.set_seq,
            r.set_by,
            crate::render::when(&r.set_at)
        ))?;
    }
    Ok(())
}
