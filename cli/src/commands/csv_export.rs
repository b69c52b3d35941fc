//! `travaux export csv`: the amendments as a spreadsheet reads them — a header row, then one
//! amendment a line, oldest first, with its proposer, clause, what it asks, its fate and the
//! vote. The rows are what `amend list --all --json` gives, flattened (written with the `csv`
//! crate: fields quoted where they need it, RFC 4180).

use std::path::PathBuf;

use clap::Args;
use travaux_core::{AmendmentStatus, Method};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

/// Arguments of `export csv`.
#[derive(Args, Debug)]
pub struct CsvArgs {
    /// Write the table to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The columns, in order.
pub const HEADER: [&str; 15] = [
    "amendment",
    "proposer",
    "proposer_name",
    "clause",
    "change",
    "fate",
    "method",
    "yes",
    "no",
    "abstain",
    "decided_seq",
    "supporters",
    "opposers",
    "proposed_seq",
    "rationale",
];

/// Run `export csv`.
pub fn run(ctx: &mut Ctx<'_>, args: &CsvArgs) -> CliResult {
    let doc = ctx.document_with_every_amendment()?;
    let handles = Names::load(ctx.store)?;
    let names = Names::load_names(ctx.store)?;
    let mut table = csv::Writer::from_writer(Vec::new());
    table.write_record(HEADER).map_err(csv_error)?;
    for a in doc.amendments.values() {
        let (method, yes, no, abstain, decided) = match &a.status {
            AmendmentStatus::Decided { method, seq, .. } => match method {
                Method::Consensus => ("consensus", None, None, None, Some(seq)),
                Method::Vote { yes, no, abstain } => {
                    ("vote", Some(yes), Some(no), Some(abstain), Some(seq))
                }
            },
            AmendmentStatus::Withdrawn { seq } => ("", None, None, None, Some(seq)),
            _ => ("", None, None, None, None),
        };
        let n = |v: Option<&u32>| v.map(u32::to_string).unwrap_or_default();
        let list = |ps: &std::collections::BTreeSet<travaux_core::ParticipantId>| {
            ps.iter()
                .map(|p| handles.of(*p))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let clause = render::label(&doc, a.change.clause());
        table
            .write_record([
                a.no.to_string(),
                handles.of(a.proposer),
                names.of(a.proposer),
                clause,
                render::change(&doc, &a.change),
                a.status.name().to_string(),
                method.to_string(),
                n(yes),
                n(no),
                n(abstain),
                decided.map(u64::to_string).unwrap_or_default(),
                list(&a.supporters),
                list(&a.opposers),
                a.proposed_seq.to_string(),
                a.rationale.clone().unwrap_or_default(),
            ])
            .map_err(csv_error)?;
    }
    let bytes = table
        .into_inner()
        .map_err(|e| CliError::refused(format!("cannot write the table: {e}")))?;
    match &args.output {
        None => {
            ctx.out.write_all(&bytes)?;
            Ok(())
        }
        Some(output) => {
            let path = super::word::output_path(ctx, output, "export csv")?;
            std::fs::write(&path, &bytes)
                .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))?;
            let rows = doc.amendments.len();
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({
                    "document": doc.slug, "file": path, "amendments": rows, "bytes": bytes.len(),
                }));
            }
            ctx.line(format_args!(
                "wrote {rows} amendment{} of {} as CSV to {}",
                if rows == 1 { "" } else { "s" },
                doc.slug,
                path.display()
            ))
        }
    }
}

fn csv_error(e: csv::Error) -> CliError {
    CliError::refused(format!("cannot write the table: {e}"))
}
