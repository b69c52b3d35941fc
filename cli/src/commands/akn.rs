//! `travaux export akn`: the text at a point as an Akoma Ntoso 3.0 document (OASIS
//! LegalDocML), with the lifecycle of the changes that made it. The mapping is in
//! `travaux_core::akn`.

use std::path::PathBuf;

use clap::Args;
use travaux_core::akn::{write_akn, Agent, Jurisdiction, LifecycleEvent};
use travaux_core::{text_changes, DocumentState, Event, Point, RecordedEvent};

use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult};

/// Arguments of `export akn`.
#[derive(Args, Debug)]
pub struct AknArgs {
    /// Where in history: head, an event number, a date or time, a tag or a revision's label
    #[arg(long, default_value = "head", value_name = "POINT")]
    pub at: Point,
    /// Write the document to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The work's country or body in its FRBR identifiers (ISO 3166 code, or `un`, `eu`…)
    #[arg(long, default_value = "un", value_name = "CODE")]
    pub country: String,
    /// The expression's language (ISO 639-2, three letters)
    #[arg(long, default_value = "eng", value_name = "CODE")]
    pub language: String,
}

/// Run `export akn`.
pub fn run(ctx: &mut Ctx<'_>, args: &AknArgs) -> CliResult {
    for (what, code, len) in [
        ("--country", &args.country, 2..=8),
        ("--language", &args.language, 2..=3),
    ] {
        if !len.contains(&code.len()) || !code.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(CliError::refused(format!(
                "{what} {code:?} is not a code Akoma Ntoso's identifiers take: lowercase letters, {} to {}",
                len.start(),
                len.end()
            )));
        }
    }
    let doc = ctx.document_at(&ctx.absolute_point(&args.at)?)?;
    let events: Vec<RecordedEvent> = ctx
        .store
        .text_events(doc.id)?
        .filter(|e| e.as_ref().map_or(true, |e| e.seq <= doc.seq))
        .collect::<Result<_, _>>()?;
    let lifecycle = lifecycle(ctx, &doc, &events)?;
    let agents: Vec<Agent> = ctx
        .store
        .participants()?
        .into_iter()
        .map(|p| Agent {
            id: p.id,
            handle: p.handle,
            name: p.name,
            kind: p.kind,
        })
        .collect();
    let place = Jurisdiction {
        country: &args.country,
        language: &args.language,
    };
    let xml = write_akn(&doc, &lifecycle, &agents, &place)
        .map_err(|e| CliError::refused(format!("{e} (at {})", args.at)))?;
    let Some(output) = &args.output else {
        write!(ctx.out, "{xml}")?;
        return Ok(());
    };
    let path = match ctx.inputs {
        Inputs::Dir(base) if output.is_relative() => base.join(output),
        Inputs::Sent(_) => {
            return Err(CliError::refused(
                "export akn -o writes a file where the server runs; leave -o out to have the document in the answer",
            ))
        }
        _ => output.clone(),
    };
    std::fs::write(&path, &xml)
        .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "document": doc.slug,
            "file": path,
            "seq": doc.seq,
            "clauses": doc.clause_count(),
            "lifecycle": lifecycle.len(),
            "bytes": xml.len(),
        }));
    }
    ctx.line(format_args!(
        "wrote {} as Akoma Ntoso to {}: {} clauses, {} text changes, as at event {}",
        doc.slug,
        path.display(),
        doc.clause_count(),
        lifecycle.len(),
        doc.seq
    ))
}

/// The text changes up to the point, oldest first: a revision (all its parts) by its issuer, an
/// accepted amendment by its proposer.
fn lifecycle(
    ctx: &Ctx<'_>,
    doc: &DocumentState,
    events: &[RecordedEvent],
) -> CliResult<Vec<LifecycleEvent>> {
    let mut out = Vec::new();
    for parts in text_changes(events) {
        let Some(e) = parts.first() else { continue };
        let (by, what) = match &e.event {
            Event::RevisionIssued {
                revision, label, ..
            } => (
                e.actor,
                match label {
                    Some(l) => format!("revision {revision} ({l})"),
                    None => format!("revision {revision}"),
                },
            ),
            Event::DecisionRecorded { amendment, .. } => (
                // Who proposed it never changes: the amendment as it stands says.
                ctx.store
                    .amendment(doc.id, *amendment)?
                    .map_or(e.actor, |a| a.proposer),
                format!("amendment {amendment} accepted"),
            ),
            other => (e.actor, other.kind().replace('_', " ")),
        };
        out.push(LifecycleEvent {
            seq: e.seq,
            at: e.recorded_at,
            by,
            what,
        });
    }
    Ok(out)
}
