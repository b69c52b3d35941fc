//! `travaux tag [NAME]`: name a point of the document's history, or list the names.

use clap::Args;
use travaux_core::{Command, Point};

use crate::context::Ctx;
use crate::error::CliResult;

/// Arguments of `tag`.
#[derive(Args, Debug)]
pub struct TagArgs {
    /// The name, such as WHA63.16; without one, list the tags
    pub name: Option<String>,
    /// The point it names [default: the document's last event]
    #[arg(long, value_name = "POINT")]
    pub at: Option<Point>,
}

/// Run `tag`.
pub fn run(ctx: &mut Ctx<'_>, args: &TagArgs) -> CliResult {
    let Some(name) = &args.name else {
        let doc = ctx.document()?;
        if ctx.globals.json {
            return ctx.json(&doc.tags);
        }
        let mut tags: Vec<_> = doc.tags.iter().collect();
        tags.sort_by_key(|(_, seq)| **seq);
        for (name, seq) in tags {
            ctx.line(format_args!("{name:<28} event {seq}"))?;
        }
        return Ok(());
    };
    let seq = match &args.at {
        None => ctx.document()?.seq,
        Some(point) => ctx.document_at(point)?.seq,
    };
    let (doc, appended) = ctx.execute(Command::SetTag {
        name: name.clone(),
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
