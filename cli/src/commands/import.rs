//! `travaux import FILE`: record a Markdown draft as one revision, keeping clause identity.

use std::path::PathBuf;

use clap::Args;
use travaux_core::import::{parse_draft, plan_revision, EntryStatus, Plan, MAX_DRAFT_BYTES};
use travaux_core::{ClauseId, Command};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The draft, in Markdown: `## Article N — Heading`, then a numbered list of its paragraphs
    pub file: PathBuf,
    /// The revision's symbol or name, such as "EB124/13"
    #[arg(long, value_name = "LABEL")]
    pub revision: Option<String>,
    /// Show how the draft's clauses match the text, and record nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Run `import`.
pub fn run(ctx: &mut Ctx<'_>, args: &ImportArgs) -> CliResult {
    let mut bytes = ctx.inputs.read(&args.file, MAX_DRAFT_BYTES)?;
    if crate::docx::is_docx(&args.file) {
        bytes = crate::docx::to_markdown(&args.file, &bytes)?;
    }
    let draft = parse_draft(&bytes)
        .map_err(|e| CliError::refused(format!("{}: {e}", args.file.display())))?;
    let doc = ctx.document()?;
    let plan = plan_revision(&doc, &draft, &mut || ClauseId(Uuid::new_v4()));
    if args.dry_run {
        return show_plan(ctx, &plan, None);
    }
    if plan.is_empty() {
        if ctx.globals.json {
            return show_plan(ctx, &plan, None);
        }
        return ctx.line(format_args!(
            "nothing to record: {} is already the text of {}",
            args.file.display(),
            doc.slug
        ));
    }
    let (_, appended) = ctx.execute(Command::IssueRevision {
        label: args.revision.clone(),
        ops: plan.ops.clone(),
    })?;
    let seqs = (
        appended.events[0].seq,
        appended.events[appended.events.len() - 1].seq,
    );
    show_plan(ctx, &plan, Some(seqs))
}

fn show_plan(ctx: &mut Ctx<'_>, plan: &Plan, recorded: Option<(u64, u64)>) -> CliResult {
    let s = plan.summary();
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "recorded_at_seq": recorded.map(|(first, _)| first),
            "recorded_seqs": recorded.map(|(first, last)| (first..=last).collect::<Vec<_>>()),
            "summary": s,
            "entries": plan.entries,
            "ops": plan.ops,
        }));
    }
    if recorded.is_none() {
        for e in &plan.entries {
            let old = e.old_label.as_deref().unwrap_or("");
            let new = e.new_label.as_deref().unwrap_or("");
            let what = match e.status {
                EntryStatus::Unchanged => "unchanged".to_string(),
                EntryStatus::Reworded => format!("reworded ({:.0}% alike)", e.similarity * 100.0),
                EntryStatus::Added => "added".to_string(),
                EntryStatus::Removed => "removed".to_string(),
            };
            let mut notes = Vec::new();
            if e.relabelled {
                notes.push(format!("renumbered from {old}"));
            }
            if e.moved {
                notes.push("moved".to_string());
            }
            let sign = match e.status {
                EntryStatus::Unchanged if notes.is_empty() => ' ',
                EntryStatus::Added => '+',
                EntryStatus::Removed => '-',
                _ => '~',
            };
            let label = if e.status == EntryStatus::Removed {
                old
            } else {
                new
            };
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(", {}", notes.join(", "))
            };
            ctx.line(format_args!(
                "{sign} {label:<12} {what}{notes}  [{}]",
                e.clause.short()
            ))?;
        }
    }
    let counts = format!(
        "{} unchanged, {} reworded, {} added, {} removed, {} moved, {} renumbered",
        s.unchanged, s.reworded, s.added, s.removed, s.moved, s.relabelled
    );
    match recorded {
        Some((first, last)) if first == last => {
            ctx.line(format_args!("recorded revision at event {first}: {counts}"))
        }
        Some((first, last)) => ctx.line(format_args!(
            "recorded revision in events {first}-{last} (a large revision is stored in parts): {counts}"
        )),
        None if plan.is_empty() => {
            ctx.line("nothing would be recorded: the draft is the text as it stands")
        }
        None => ctx.line(format_args!(
            "would record: {counts} (dry run; nothing written)"
        )),
    }
}
