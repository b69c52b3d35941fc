//! `travaux replay`: the negotiation told event by event, each with its effect: the clause
//! diffs a text change caused, the amendment a proposal makes and its eventual fate, the
//! clause and position of a comment, the name of a tag. `--json` writes one JSON object per
//! line (JSON Lines) for other tools.
//!
//! The events replayed are those after `--from` up to and including `--to`: replaying from
//! one point to another tells how the text at the first became the text at the second.

use clap::Args;
use serde_json::json;
use travaux_core::{Cut, DocumentState, Event, Point, RecordedEvent, StreamId};

use crate::commands::log::{self, History};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

/// Arguments of `replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Start after this point (an event number, a date or time, a tag; a date means its end,
    /// as in `show --at`) [default: the document's creation, included]
    #[arg(long, value_name = "POINT")]
    pub from: Option<Point>,
    /// End at this point, included
    #[arg(long, default_value = "head", value_name = "POINT")]
    pub to: Point,
}

/// Run `replay`.
pub fn run(ctx: &mut Ctx<'_>, args: &ReplayArgs) -> CliResult {
    let head = ctx.document()?;
    let names = Names::load(ctx.store)?;
    let events: Vec<RecordedEvent> = ctx
        .store
        .stream(StreamId::document(head.id))
        .collect::<Result<_, _>>()?;
    let from = args.from.as_ref().map(|p| cut(ctx, p)).transpose()?;
    let to = cut(ctx, &args.to)?;
    let last_in = |c: &Cut| {
        events
            .iter()
            .take_while(|e| c.includes(e))
            .last()
            .map(|e| e.seq)
    };
    let Some(to_seq) = last_in(&to) else {
        return Err(CliError::refused(format!(
            "{} did not exist yet at {} (it was created {})",
            head.slug,
            args.to,
            render::when(&head.created_at)
        )));
    };
    let from_seq = from.as_ref().and_then(last_in).unwrap_or(0);
    if from_seq > to_seq {
        return Err(CliError::refused(format!(
            "--from {} (event {from_seq}) comes after --to {} (event {to_seq}); swap them",
            args.from.as_ref().expect("a --from"),
            args.to
        )));
    }

    let json = ctx.globals.json;
    let color = ctx.color();
    let range = |e: &RecordedEvent| e.seq > from_seq && e.seq <= to_seq;
    if !json {
        let count = events.iter().filter(|e| range(e)).count();
        ctx.line(format_args!(
            "{}: {count} event{} from {} to {}",
            head.slug,
            if count == 1 { "" } else { "s" },
            match &args.from {
                Some(p) => format!("{p} (after event {from_seq})"),
                None => "the start".to_string(),
            },
            format_args!("{} (event {to_seq})", args.to),
        ))?;
    }
    let mut history = History::new();
    for e in &events {
        if e.seq > to_seq {
            break;
        }
        let step = history.step(e, &names, range(e));
        if !range(e) {
            continue;
        }
        if json {
            let line = json_line(e, &step, &head, &names)?;
            serde_json::to_writer(&mut *ctx.out, &line)?;
            writeln!(ctx.out)?;
            continue;
        }
        let told = format!("{}{}", step.told, log::fate(e, &head));
        ctx.line(log::line(e, &names, &told))?;
        if let Event::AmendmentProposed { rationale, .. } = &e.event {
            if let Some(p) = &step.proposal {
                for l in log::effect_lines(p, color, "would be ") {
                    ctx.line(l)?;
                }
            }
            if let Some(r) = rationale {
                ctx.line(format_args!("          rationale: {r}"))?;
            }
        }
        for f in &step.effects {
            for l in log::effect_lines(f, color, "") {
                ctx.line(l)?;
            }
        }
    }
    Ok(())
}

/// A point as a cut of the log, as `show --at` reads it.
fn cut(ctx: &Ctx<'_>, point: &Point) -> CliResult<Cut> {
    Ok(ctx.cut(point)?.1)
}

/// One event for tools: where and when, who, its type and payload, and its effect.
fn json_line(
    e: &RecordedEvent,
    step: &log::Step,
    head: &DocumentState,
    names: &Names,
) -> CliResult<serde_json::Value> {
    let payload = match serde_json::to_value(&e.event)? {
        serde_json::Value::Object(mut m) => m.remove(e.event.kind()).unwrap_or_default(),
        other => other,
    };
    let fate = e
        .event
        .amendment()
        .and_then(|no| head.amendments.get(&no))
        .map(|a| a.status.name());
    let effect = match &e.event {
        Event::RevisionIssued { .. } => json!({ "clauses": step.effects }),
        Event::DecisionRecorded {
            amendment, outcome, ..
        } => json!({
            "amendment": amendment.to_string(),
            "outcome": outcome.name(),
            "fate": fate,
            "clauses": step.effects,
        }),
        Event::AmendmentProposed {
            amendment, change, ..
        } => json!({
            "amendment": amendment.to_string(),
            "change": change.kind(),
            "clause": change.clause(),
            "label": step.label,
            "proposed": step.proposal,
            "fate": fate,
        }),
        Event::AmendmentSupported { amendment }
        | Event::AmendmentOpposed { amendment }
        | Event::AmendmentWithdrawn { amendment } => json!({
            "amendment": amendment.to_string(),
            "fate": fate,
        }),
        Event::CommentPosted {
            comment,
            clause,
            position,
            ..
        } => json!({
            "comment": comment.to_string(),
            "clause": clause,
            "label": step.label,
            "position": position,
        }),
        Event::TagSet { name, seq } => json!({ "tag": name, "seq": seq }),
        Event::RoleGranted { participant, role } | Event::RoleRevoked { participant, role } => {
            json!({ "participant": names.of(*participant), "role": role })
        }
        _ => json!({}),
    };
    Ok(json!({
        "seq": e.seq,
        "version": e.version,
        "time": e.recorded_at,
        "actor": names.of(e.actor),
        "type": e.event.kind(),
        "phase": head.phase_of(e).map(|p| p.to_string()),
        "event": payload,
        "told": step.told,
        "effect": effect,
    }))
}
