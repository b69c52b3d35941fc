//! `travaux phase open|close|list`: the phases of the process and their windows.

use chrono::NaiveDate;
use clap::Subcommand;
use travaux_core::{Command, Event, Phase, PhaseKind, PhaseNo, Role, Window};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Phase subcommands.
#[derive(Subcommand, Debug)]
pub enum PhaseCommand {
    /// Open a phase (secretariat or chair): comments are taken only while a phase that admits
    /// the commenter's role is open
    Open {
        /// public-hearing, regional-consultation, national-consultation, committee-session,
        /// review or reporting-round
        kind: PhaseKind,
        /// Its name, such as "Web-based public hearing on the draft code"
        name: String,
        /// The first day planned: YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        from: Option<NaiveDate>,
        /// The last day planned: YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        until: Option<NaiveDate>,
        /// The roles whose comments it takes, comma-separated [default: by kind, see the
        /// README]
        #[arg(long, value_name = "ROLES", value_delimiter = ',')]
        admits: Option<Vec<Role>>,
    },
    /// Close a phase (secretariat or chair)
    Close {
        /// The phase: P2
        phase: PhaseNo,
    },
    /// List the phases with their windows, who they admit and who took part
    List,
}

impl PhaseCommand {
    /// Whether it writes to the log.
    pub fn writes(&self) -> bool {
        !matches!(self, PhaseCommand::List)
    }
}

/// Run a phase subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &PhaseCommand) -> CliResult {
    let command = match cmd {
        PhaseCommand::List => return list(ctx),
        PhaseCommand::Open {
            kind,
            name,
            from,
            until,
            admits,
        } => Command::OpenPhase {
            kind: *kind,
            name: name.clone(),
            window: Window {
                from: *from,
                until: *until,
            },
            admits: admits.clone(),
        },
        PhaseCommand::Close { phase } => Command::ClosePhase(*phase),
    };
    let (doc, appended) = ctx.execute(command)?;
    let e = &appended.events[0];
    let no = match &e.event {
        Event::PhaseOpened { phase, .. } | Event::PhaseClosed { phase } => *phase,
        other => {
            return Err(CliError::refused(format!(
                "event {} is a {}, not a phase: is --event-id reused?",
                e.seq,
                other.kind()
            )))
        }
    };
    let phase = doc.phase(no)?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({ "seq": e.seq, "phase": phase_json(phase) }));
    }
    if !phase.is_open() {
        return ctx.line(format_args!(
            "closed {} at event {}; it took {} comments and {} reports from {} participants",
            phase.describe(),
            e.seq,
            phase.comments,
            phase.reports,
            phase.participants.len()
        ));
    }
    ctx.line(format_args!(
        "opened {} at event {}; it takes {} from {}",
        phase.describe(),
        e.seq,
        takes(phase),
        roles(&phase.admits)
    ))
}

/// What a phase takes: reports in a reporting round, comments in any phase.
fn takes(p: &Phase) -> &'static str {
    if p.kind == PhaseKind::ReportingRound {
        "reports and comments"
    } else {
        "comments"
    }
}

fn roles(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A phase for tools.
pub fn phase_json(p: &Phase) -> serde_json::Value {
    serde_json::json!({
        "phase": p.no.to_string(),
        "kind": p.kind,
        "name": p.name,
        "planned": p.window,
        "admits": p.admits,
        "open": p.is_open(),
        "opened_seq": p.opened_seq,
        "opened_at": p.opened_at,
        "closed_seq": p.closed_seq,
        "closed_at": p.closed_at,
        "participants": p.participants.len(),
        "comments": p.comments,
        "reports": p.reports,
    })
}

fn list(ctx: &mut Ctx<'_>) -> CliResult {
    let doc = ctx.document_at(&travaux_core::Point::Head)?;
    let phases = &doc.process.phases;
    if ctx.globals.json {
        let all: Vec<_> = phases.iter().map(phase_json).collect();
        return ctx.json(&all);
    }
    if phases.is_empty() {
        return ctx.line(format_args!(
            "no phase has been opened in {}; `travaux phase open KIND NAME` opens one",
            doc.slug
        ));
    }
    for p in phases {
        ctx.line(format_args!("{}", p.describe()))?;
        ctx.line(format_args!(
            "    takes {} from {}; {} comments, {} reports, from {} participants",
            takes(p),
            roles(&p.admits),
            p.comments,
            p.reports,
            p.participants.len()
        ))?;
    }
    Ok(())
}
