//! `travaux renumber`: every label put in sequence at its level (secretariat), recorded as one
//! revision of relabel operations; the cross-references that name an old number listed, and
//! with `--references` rewritten in the same revision.

use clap::Args;
use travaux_core::renumber::{renumber, Renumbering};
use travaux_core::{decide, Command, DomainError, Event};

use crate::context::Ctx;
use crate::error::CliResult;

/// Arguments of `renumber`.
#[derive(Args, Debug)]
pub struct RenumberArgs {
    /// Only the clauses under this one (a label, a path such as `Article 7`, or an id prefix);
    /// it keeps its own label
    #[arg(long, value_name = "CLAUSE")]
    pub under: Option<String>,
    /// Rewrite the cross-references that name an old number (`Article [8]`, `see 6.4`,
    /// `§ 312i`) in the same revision
    #[arg(long)]
    pub references: bool,
    /// The revision's symbol or name
    #[arg(long, value_name = "LABEL", default_value = "renumbered")]
    pub revision: String,
    /// Show what would change, and record nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What was recorded: the revision's number and its events.
struct Recorded {
    revision: u32,
    seqs: Vec<u64>,
}

/// Run `renumber`.
pub fn run(ctx: &mut Ctx<'_>, args: &RenumberArgs) -> CliResult {
    let doc = ctx.document()?;
    let under = args
        .under
        .as_deref()
        .map(|c| doc.resolve_clause(c))
        .transpose()?;
    let plan = renumber(&doc, under, args.references)?;
    let command = Command::Renumber {
        under,
        references: args.references,
        label: Some(args.revision.clone()),
    };
    if args.dry_run || plan.is_empty() {
        // What would be refused is refused here too (the role, an adopted text); a dry run
        // without --as only shows the plan.
        if !args.dry_run || ctx.globals.actor.is_some() {
            let actor = ctx.actor()?;
            match decide(&doc, actor.id, ctx.store, command) {
                Ok(_) => {}
                // Nothing to renumber: said below, not an error.
                Err(DomainError::Invalid(_)) if plan.is_empty() => {}
                Err(e) => return Err(e.into()),
            }
        }
        return show(ctx, args, &plan, None);
    }
    // The plan shown is the one decided on, from the text under the writer's lock.
    let mut decided: Option<Renumbering> = None;
    let (_, appended) = ctx.execute_with(|dir, state, actor| {
        decided = Some(renumber(state, under, args.references)?);
        decide(state, actor, dir, command.clone())
    })?;
    let revision = appended
        .events
        .iter()
        .find_map(|e| match &e.event {
            Event::RevisionIssued { revision, .. } => Some(*revision),
            _ => None,
        })
        .unwrap_or_default();
    let recorded = Recorded {
        revision,
        seqs: appended.events.iter().map(|e| e.seq).collect(),
    };
    show(ctx, args, &decided.unwrap_or(plan), Some(recorded))
}

fn show(
    ctx: &mut Ctx<'_>,
    args: &RenumberArgs,
    plan: &Renumbering,
    recorded: Option<Recorded>,
) -> CliResult {
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "recorded_seqs": recorded.as_ref().map(|r| &r.seqs),
            "revision": recorded.as_ref().map(|r| r.revision),
            "label": recorded.as_ref().map(|_| &args.revision),
            "in_sequence": plan.is_empty(),
            "relabels": plan.relabels,
            "unrecognised": plan.unrecognised,
            "references": plan.references,
            "clashes": plan.clashes,
            "ops": plan.ops,
        }));
    }
    for r in &plan.relabels {
        ctx.line(format_args!("{} → {}", r.old_address, r.new_address))?;
    }
    if !plan.unrecognised.is_empty() {
        let labels: Vec<&str> = plan
            .unrecognised
            .iter()
            .map(|u| u.address.as_str())
            .collect();
        ctx.line(format_args!(
            "left as they are (no numbering scheme recognised): {}",
            labels.join(", ")
        ))?;
    }
    for r in &plan.references {
        let place = if r.place == "text" {
            String::new()
        } else {
            format!(" ({})", r.place)
        };
        let what = match &r.new {
            Some(new) => format!(" cites {}, now {new}", r.old),
            None => String::new(),
        };
        let fate = match (&r.left, r.rewritten) {
            (Some(why), _) => format!(" — left: {why}"),
            (None, true) if recorded.is_some() => " — rewritten".to_string(),
            (None, true) => " — would be rewritten".to_string(),
            (None, false) => String::new(),
        };
        ctx.line(format_args!(
            "{}{place}: \"{}\"{what}{fate}",
            r.address, r.found
        ))?;
    }
    for c in &plan.clashes {
        ctx.line(format_args!(
            "{} (pending) would insert {} under {}, a label renumbering gives another clause: accepting it as it stands will be refused",
            c.amendment, c.label, c.under
        ))?;
    }
    let counts = format!(
        "{} label{} renumbered{}",
        plan.relabels.len(),
        if plan.relabels.len() == 1 { "" } else { "s" },
        match (plan.references.len(), plan.rewritten()) {
            (0, _) => String::new(),
            (n, 0) => format!(
                ", {n} reference{} to an old number left as written{}",
                if n == 1 { "" } else { "s" },
                if args.references {
                    ""
                } else {
                    " (--references rewrites them)"
                }
            ),
            (_, k) => format!(", {k} reference{} rewritten", if k == 1 { "" } else { "s" }),
        }
    );
    match recorded {
        _ if plan.is_empty() => {
            ctx.line("already in sequence: nothing to renumber, nothing written")
        }
        None => ctx.line(format_args!(
            "would record: {counts} (dry run; nothing written)"
        )),
        Some(r) => {
            let at = match (r.seqs.first(), r.seqs.last()) {
                (Some(a), Some(b)) if a != b => format!("events {a}-{b}"),
                (Some(a), _) => format!("event {a}"),
                _ => "no event".to_string(),
            };
            ctx.line(format_args!(
                "recorded revision {} ({}) at {at}: {counts}",
                r.revision, args.revision
            ))
        }
    }
}
