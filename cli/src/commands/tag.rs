//! `travaux tag`: name a point of the document's history (`tag NAME`, `tag add NAME`), or list
//! the names (`tag`, `tag list`). A name that is one of `tag`'s own subcommands is refused: the
//! user meant the command.

use clap::{Args, Subcommand};
use travaux_core::{Command, Point};

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
}

impl TagArgs {
    /// The tag this command sets, if it sets one.
    pub fn setting(&self) -> Option<(&str, Option<&Point>)> {
        match &self.action {
            Some(TagAction::Add(add)) => Some((&add.name, add.at.as_ref())),
            Some(TagAction::List) => None,
            None => Some((self.set.name.as_deref()?, self.set.at.as_ref())),
        }
    }
}

/// The words `tag` takes as subcommands, which no tag may be named.
pub const SUBCOMMANDS: [&str; 3] = ["add", "list", "help"];

/// Run `tag`.
pub fn run(ctx: &mut Ctx<'_>, args: &TagArgs) -> CliResult {
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
