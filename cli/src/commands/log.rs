//! `travaux log`: the events of a document, oldest first, with filters.

use clap::Args;
use travaux_core::{Event, RecordedEvent, StreamId};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

/// Arguments of `log`.
#[derive(Args, Debug)]
pub struct LogArgs {
    /// Only events about this clause (its label now, or an id prefix): its revisions,
    /// amendments and their fate, and comments on it
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// Only events by this participant
    #[arg(long, value_name = "PARTICIPANT")]
    pub participant: Option<String>,
    /// Only events of this type (such as amendment_proposed; see --json output for the names)
    #[arg(long, value_name = "TYPE")]
    pub kind: Option<String>,
    /// The whole store: every document and the participant registry
    #[arg(long, conflicts_with = "clause")]
    pub all: bool,
}

/// Run `log`.
pub fn run(ctx: &mut Ctx<'_>, args: &LogArgs) -> CliResult {
    let names = Names::load(ctx.store)?;
    let actor = args
        .participant
        .as_deref()
        .map(|p| ctx.participant(p))
        .transpose()?;
    if let Some(kind) = &args.kind {
        if !Event::KINDS.contains(&kind.as_str()) {
            return Err(CliError::refused(format!(
                "'{kind}' is not an event type; the types are: {}",
                Event::KINDS.join(", ")
            )));
        }
    }
    let keep = |e: &RecordedEvent| {
        actor.as_ref().is_none_or(|a| e.actor == a.id)
            && args.kind.as_deref().is_none_or(|k| e.event.kind() == k)
    };
    let events: Vec<RecordedEvent>;
    let docs: Vec<travaux_core::DocumentState>;
    if args.all {
        events = ctx
            .store
            .events_from(1)
            .filter(|e| e.as_ref().map_or(true, keep))
            .collect::<Result<_, _>>()?;
        docs = ctx
            .store
            .documents()?
            .into_iter()
            .filter_map(|d| ctx.store.document(d.id).transpose())
            .collect::<Result<_, _>>()?;
    } else {
        let doc = ctx.document()?;
        let clause = args
            .clause
            .as_deref()
            .map(|c| doc.resolve_clause(c))
            .transpose()?;
        events = ctx
            .store
            .stream(StreamId::document(doc.id))
            .filter(|e| {
                e.as_ref().map_or(true, |e| {
                    keep(e) && clause.is_none_or(|c| render::touches(e, &doc, c))
                })
            })
            .collect::<Result<_, _>>()?;
        docs = vec![doc];
    }
    if ctx.globals.json {
        return ctx.json(&events);
    }
    for e in &events {
        let told = match docs.iter().find(|d| StreamId::document(d.id) == e.stream) {
            Some(doc) => render::event(e, doc, &names),
            None => match &docs.first() {
                Some(doc) => render::event(e, doc, &names),
                None => e.event.kind().to_string(),
            },
        };
        ctx.line(format_args!(
            "{:>6}  {}  {:<14} {told}",
            e.seq,
            render::when(&e.recorded_at),
            names.of(e.actor)
        ))?;
    }
    Ok(())
}
