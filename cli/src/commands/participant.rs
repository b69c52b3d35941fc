//! `travaux participant add|list`.

use clap::Subcommand;
use travaux_core::{register_participant, ParticipantId, ParticipantKind, StreamId};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::CliResult;

/// Participant subcommands.
#[derive(Subcommand, Debug)]
pub enum ParticipantCommand {
    /// Register a participant in the store
    Add {
        /// The short name it is addressed by (lowercase letters, digits, '-', '_', '.')
        handle: String,
        /// Its display name [default: the handle]
        #[arg(long)]
        name: Option<String>,
        /// What it is: member-state, non-state-actor, secretariat, expert, public
        #[arg(long, default_value = "public")]
        kind: ParticipantKind,
    },
    /// List the participants
    List,
}

/// Run a participant subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &ParticipantCommand) -> CliResult {
    match cmd {
        ParticipantCommand::Add { handle, name, kind } => {
            let id = ParticipantId(Uuid::new_v4());
            // Registration is open: without --as, the new participant registers itself.
            let actor = match &ctx.globals.actor {
                Some(_) => ctx.actor()?,
                None => travaux_core::Participant {
                    id,
                    handle: handle.clone(),
                    name: String::new(),
                    kind: *kind,
                    registered_at: chrono::Utc::now(),
                },
            };
            let name = name.clone().unwrap_or_else(|| handle.clone());
            let w = ctx.write_to(StreamId::REGISTRY, &actor)?;
            let appended = ctx.store.execute(w, |dir, _| {
                Ok(vec![register_participant(dir, id, handle, &name, *kind)?])
            })?;
            let seq = appended.events[0].seq;
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({
                    "participant": id, "handle": handle, "name": name, "kind": kind, "seq": seq,
                }));
            }
            ctx.line(format_args!(
                "registered {handle} ({name}, {kind}) at event {seq}"
            ))
        }
        ParticipantCommand::List => {
            let participants = ctx.store.participants()?;
            if ctx.globals.json {
                return ctx.json(&participants);
            }
            for p in participants {
                ctx.line(format_args!("{:<16} {:<16} {}", p.handle, p.kind, p.name))?;
            }
            Ok(())
        }
    }
}
