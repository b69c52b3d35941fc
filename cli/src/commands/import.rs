//! `travaux import FILE`: record a draft (Markdown, Word, or Akoma Ntoso) as one revision,
//! keeping clause identity.

use std::path::PathBuf;

use clap::Args;
use travaux_core::import::{
    parse_draft, plan_revision, Draft, DraftClause, EntryStatus, Plan, MAX_DRAFT_BYTES,
};
use travaux_core::Point;
use travaux_core::{ClauseId, Command};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The draft, in Markdown: headings for its parts, chapters and articles, paragraphs
    /// numbered as the text numbers them (`1.1`, `(1)`, `(a)`, or a Markdown list); or a Word
    /// draft (.docx), or an Akoma Ntoso document (.xml, .akn)
    pub file: PathBuf,
    /// What the file is [default: by its extension: .docx Word, .xml and .akn Akoma Ntoso,
    /// anything else Markdown]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DraftFormat>,
    /// The revision's symbol or name, such as "EB124/13"
    #[arg(long, value_name = "LABEL")]
    pub revision: Option<String>,
    /// Show the draft's clause tree and how its clauses match the text, and record nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What a draft file is.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftFormat {
    /// Markdown.
    Markdown,
    /// A Word document, read through pandoc.
    Docx,
    /// Akoma Ntoso 3.0 XML.
    Akn,
}

impl DraftFormat {
    /// The format a file's extension says.
    fn of(path: &std::path::Path) -> DraftFormat {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if crate::docx::is_docx(path) {
            DraftFormat::Docx
        } else if ext.eq_ignore_ascii_case("xml") || ext.eq_ignore_ascii_case("akn") {
            DraftFormat::Akn
        } else {
            DraftFormat::Markdown
        }
    }
}

/// Run `import`.
pub fn run(ctx: &mut Ctx<'_>, args: &ImportArgs) -> CliResult {
    let mut bytes = ctx.inputs.read(&args.file, MAX_DRAFT_BYTES)?;
    let format = args.format.unwrap_or_else(|| DraftFormat::of(&args.file));
    if format == DraftFormat::Docx {
        bytes = crate::docx::to_markdown(&args.file, &bytes)?;
    }
    let draft = match format {
        DraftFormat::Akn => travaux_core::akn::read_akn(&bytes),
        _ => parse_draft(&bytes),
    }
    .map_err(|e| CliError::refused(format!("{}: {e}", args.file.display())))?;
    // Where the reader guessed, on stderr: the answer on stdout stays the plan.
    for w in &draft.warnings {
        eprintln!("warning: {w}");
    }
    // A label that reads as an event number or a date names this revision only as rev:LABEL.
    if let Some(label) = &args.revision {
        if let Ok(p @ (Point::Seq(_) | Point::Time(_))) = label.parse::<Point>() {
            let what = if matches!(p, Point::Seq(_)) {
                "an event number"
            } else {
                "a date"
            };
            eprintln!(
                "note: the revision label '{label}' reads as {what} where a point is asked for (show --at {label} is {what}); name this revision rev:{label}"
            );
        }
    }
    let doc = ctx.document()?;
    let plan = plan_revision(&doc, &draft, &mut || ClauseId(Uuid::new_v4()));
    let title = draft.title.clone().filter(|t| *t != doc.title);
    let change = Change {
        draft: &draft,
        plan: &plan,
        title: title.as_deref().map(|t| (doc.title.as_str(), t)),
        names: crate::render::addresses(
            &doc,
            plan.entries
                .iter()
                .filter(|e| e.old_label.is_some())
                .map(|e| e.clause),
        ),
    };
    if args.dry_run {
        return show_plan(ctx, &change, None);
    }
    if plan.is_empty() && title.is_none() {
        if ctx.globals.json {
            return show_plan(ctx, &change, None);
        }
        return ctx.line(format_args!(
            "nothing to record: {} is already the text of {}",
            args.file.display(),
            doc.slug
        ));
    }
    let (_, appended) = ctx.execute(Command::IssueRevision {
        title: title.clone(),
        label: args.revision.clone(),
        ops: plan.ops.clone(),
    })?;
    let seqs = (
        appended.events[0].seq,
        appended.events[appended.events.len() - 1].seq,
    );
    show_plan(ctx, &change, Some(seqs))
}

/// What an import does: the draft read, the plan, and the title it changes (from, to).
struct Change<'a> {
    draft: &'a Draft,
    plan: &'a Plan,
    title: Option<(&'a str, &'a str)>,
    /// How the clauses of the text as it stands are named (`§ 12 (3)`, not `(3)`).
    names: std::collections::HashMap<ClauseId, String>,
}

fn show_plan(ctx: &mut Ctx<'_>, change: &Change<'_>, recorded: Option<(u64, u64)>) -> CliResult {
    let plan = change.plan;
    let s = plan.summary();
    if ctx.globals.json {
        let mut value = serde_json::json!({
            "recorded_at_seq": recorded.map(|(first, _)| first),
            "recorded_seqs": recorded.map(|(first, last)| (first..=last).collect::<Vec<_>>()),
            "title": change.title.map(|(_, to)| to),
            "summary": s,
            "entries": plan.entries,
            "ops": plan.ops,
            "warnings": change.draft.warnings,
        });
        if recorded.is_none() {
            value["meta"] = serde_json::json!(change.draft.meta);
            value["tree"] = serde_json::json!(change.draft.clauses);
        }
        return ctx.json(&value);
    }
    if recorded.is_none() {
        // The tree as read: label, kind, heading, indented by depth.
        if let Some(t) = &change.draft.title {
            ctx.line(format_args!("title: {t}"))?;
        }
        for (k, v) in &change.draft.meta {
            if k != "title" {
                ctx.line(format_args!("{k}: {v}"))?;
            }
        }
        let mut lines = Vec::new();
        tree_lines(&change.draft.clauses, 0, &mut lines);
        for l in lines {
            ctx.line(l)?;
        }
        ctx.line("")?;
        if let Some((from, to)) = change.title {
            ctx.line(format_args!("~ title        {from:?} -> {to:?}"))?;
        }
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
            // A clause of the text as it stands is named as commands name it; a new or
            // renumbered one by the label the draft gives it.
            let named = change.names.get(&e.clause).map(String::as_str);
            let label = match e.status {
                EntryStatus::Removed => named.unwrap_or(old),
                EntryStatus::Added => new,
                _ if e.relabelled || e.moved => new,
                _ => named.unwrap_or(new),
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
    let counts = match change.title {
        Some(_) => format!("{counts}, title changed"),
        None => counts,
    };
    match recorded {
        Some((first, last)) if first == last => {
            ctx.line(format_args!("recorded revision at event {first}: {counts}"))
        }
        Some((first, last)) => ctx.line(format_args!(
            "recorded revision in events {first}-{last} (a large revision is stored in parts): {counts}"
        )),
        None if plan.is_empty() && change.title.is_none() => {
            ctx.line("nothing would be recorded: the draft is the text as it stands")
        }
        None => ctx.line(format_args!(
            "would record: {counts} (dry run; nothing written)"
        )),
    }
}

/// The draft's clauses as indented lines: `label  [kind]  heading  (line N)`.
fn tree_lines(clauses: &[DraftClause], depth: usize, out: &mut Vec<String>) {
    for c in clauses {
        let mut line = format!("{}{}", "  ".repeat(depth), c.label);
        if let Some(k) = c.kind {
            line.push_str(&format!("  [{k}]"));
        }
        if let Some(h) = &c.heading {
            line.push_str(&format!("  {h}"));
        }
        if !c.notes.is_empty() {
            line.push_str(&format!("  ({} notes)", c.notes.len()));
        }
        line.push_str(&format!("  (line {})", c.line));
        out.push(line);
        tree_lines(&c.children, depth + 1, out);
    }
}
