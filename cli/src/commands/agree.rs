//! `travaux agree` and `travaux reopen`: how far a clause is agreed.
//!
//! The chair records a clause as agreed (or agreed ad referendum, subject to confirmation by
//! governments); an agreed clause changes only after the chair reopens it, with `reopen` or a
//! decision taken with `--reopen`.

use clap::Args;
use travaux_core::{Agreement, Command, Event};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render;

/// Arguments of `agree`.
#[derive(Args, Debug)]
pub struct AgreeArgs {
    /// The clause: its label, or an id prefix
    pub clause: String,
    /// Agreed subject to confirmation by governments, rather than agreed outright
    #[arg(long)]
    pub ad_referendum: bool,
}

/// Run `agree`.
pub fn agree(ctx: &mut Ctx<'_>, args: &AgreeArgs) -> CliResult {
    let agreement = if args.ad_referendum {
        Agreement::AgreedAdReferendum
    } else {
        Agreement::Agreed
    };
    record(ctx, &args.clause, agreement)
}

/// Arguments of `reopen`.
#[derive(Args, Debug)]
pub struct ReopenArgs {
    /// The clause: its label, or an id prefix
    pub clause: String,
}

/// Run `reopen`.
pub fn reopen(ctx: &mut Ctx<'_>, args: &ReopenArgs) -> CliResult {
    record(ctx, &args.clause, Agreement::Open)
}

/// Record a clause's agreement status and acknowledge it.
fn record(ctx: &mut Ctx<'_>, clause: &str, agreement: Agreement) -> CliResult {
    let clause = ctx.document()?.resolve_clause(clause)?;
    let (doc, appended) = ctx.execute(Command::RecordAgreement { clause, agreement })?;
    let e = &appended.events[0];
    let Event::AgreementRecorded { clause, agreement } = &e.event else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not an agreement: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let label = render::label(&doc, *clause);
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "clause": clause, "label": label, "agreement": agreement, "seq": e.seq,
        }));
    }
    match agreement {
        Agreement::Open => ctx.line(format_args!(
            "reopened {label} at event {}: it is open to change again",
            e.seq
        )),
        _ => ctx.line(format_args!(
            "recorded {label} as {} at event {}",
            render::agreement(*agreement),
            e.seq
        )),
    }
}
