//! `travaux adopt`: adoption of the text under the resolution's symbol.
//!
//! Adoption needs every bracket resolved or lifted and every amendment decided or withdrawn. It
//! names the head with a tag of the symbol (unless that tag already names it) and freezes the
//! text: afterwards only comments and reports in a review or reporting phase are taken.

use clap::Args;
use travaux_core::{Command, Event, Method};

use crate::commands::amend::parse_vote;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `adopt`.
#[derive(Args, Debug)]
pub struct AdoptArgs {
    /// The resolution's symbol, such as WHA63.16; it becomes a tag of the adopted text
    pub symbol: String,
    /// Adopted by vote: YES-NO-ABSTAIN, such as 58-31-12 [default: by consensus]
    #[arg(long, value_name = "Y-N-A", value_parser = parse_vote)]
    pub vote: Option<Method>,
}

/// Run `adopt`.
pub fn run(ctx: &mut Ctx<'_>, args: &AdoptArgs) -> CliResult {
    let method = args.vote.clone().unwrap_or(Method::Consensus);
    let (doc, appended) = ctx.execute(Command::Adopt {
        symbol: args.symbol.clone(),
        method: method.clone(),
    })?;
    let Some(e) = appended
        .events
        .iter()
        .find(|e| matches!(e.event, Event::DocumentAdopted { .. }))
    else {
        let e = &appended.events[0];
        return Err(CliError::refused(format!(
            "event {} is a {}, not an adoption: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let tagged = appended
        .events
        .iter()
        .any(|e| matches!(e.event, Event::TagSet { .. }));
    let tag_seq = doc.tags.get(&args.symbol).copied().unwrap_or(e.seq);
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "document": doc.slug, "symbol": args.symbol, "method": method, "seq": e.seq,
            "tag": { "name": args.symbol, "seq": tag_seq, "new": tagged },
        }));
    }
    ctx.line(format_args!(
        "adopted {} as {} (tag {} at event {tag_seq}) {method}, at event {}",
        doc.slug, args.symbol, args.symbol, e.seq
    ))
}
