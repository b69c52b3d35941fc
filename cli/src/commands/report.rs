//! `travaux report`: a report in the open reporting round (a national report, a non-State
//! actor's or an independent stakeholder's report).

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use travaux_core::{Command, Event, MAX_COMMENT};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `report`: the text, or a file holding it.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("body").required(true).args(["text", "file"])))]
pub struct ReportArgs {
    /// What the report says
    pub text: Option<String>,
    /// Read the report from this file (UTF-8 text)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// Run `report`: submit a report in the open reporting round that admits the reporter's role.
pub fn run(ctx: &mut Ctx<'_>, args: &ReportArgs) -> CliResult {
    let text = match (&args.text, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) => {
            // Read a little more than a report may hold, so that the rule names the limit.
            let bytes = ctx.inputs.read(path, 4 * MAX_COMMENT)?;
            String::from_utf8(bytes)
                .map_err(|_| CliError::refused(format!("{} is not UTF-8 text", path.display())))?
        }
        (None, None) => return Err(CliError::refused("give the report's text or --file FILE")),
    };
    let (doc, appended) = ctx.execute(Command::SubmitReport { text })?;
    let e = &appended.events[0];
    let Event::ReportSubmitted { report, phase, .. } = &e.event else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not a report: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let p = doc.phase(*phase)?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "report": report.to_string(), "seq": e.seq, "phase": phase.to_string(),
            "phase_name": p.name, "phase_reports": p.reports,
        }));
    }
    ctx.line(format_args!(
        "submitted {report} in {phase} ({}) at event {}",
        p.name, e.seq
    ))
}
