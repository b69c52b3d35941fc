//! `travaux admin grant|revoke|list`: the store's administrators, who register participants,
//! create documents, issue tokens and compact (see `travaux_core::admin` for the rule).

use clap::Subcommand;
use serde_json::json;
use travaux_core::admin::{admins, grant_admin, revoke_admin};
use travaux_core::{Directory, StreamId};

use crate::context::Ctx;
use crate::error::CliResult;

/// Administrator subcommands.
#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Make a participant an administrator of the store (an administrator, or the store's owner
    /// without --as)
    Grant {
        /// The participant (a handle, see `participant list`)
        participant: String,
    },
    /// Take the role from a participant; the store keeps at least one administrator
    Revoke {
        /// The participant (a handle)
        participant: String,
    },
    /// List the store's administrators
    List,
}

impl AdminCommand {
    /// Whether it writes to the log.
    pub fn writes(&self) -> bool {
        !matches!(self, AdminCommand::List)
    }
}

/// Run an admin subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &AdminCommand) -> CliResult {
    let (handle, grant) = match cmd {
        AdminCommand::Grant { participant } => (participant, true),
        AdminCommand::Revoke { participant } => (participant, false),
        AdminCommand::List => return list(ctx),
    };
    let participant = ctx.participant(handle)?;
    let (by, actor) = ctx.acting(&participant)?;
    let w = ctx.write_to(StreamId::REGISTRY, &actor)?;
    let appended = ctx.write(w, |dir, _| {
        Ok(vec![if grant {
            grant_admin(dir, by, participant.id)?
        } else {
            revoke_admin(dir, by, participant.id)?
        }])
    })?;
    let seq = appended.events[0].seq;
    let verb = if grant { "granted" } else { "revoked" };
    if ctx.globals.json {
        return ctx.json(&json!({
            "participant": participant.handle, verb: true, "seq": seq,
        }));
    }
    if grant {
        ctx.line(format_args!(
            "{} administers the store from event {seq}",
            participant.handle
        ))
    } else {
        ctx.line(format_args!(
            "{} no longer administers the store (event {seq})",
            participant.handle
        ))
    }
}

/// Run `admin list`.
fn list(ctx: &mut Ctx<'_>) -> CliResult {
    let ids = admins(ctx.store);
    let people: Vec<_> = ids
        .iter()
        .filter_map(|id| ctx.store.participant(*id))
        .collect();
    if ctx.globals.json {
        return ctx.json(&people);
    }
    if people.is_empty() {
        return ctx.line(
            "no administrators: the store has no participants yet; the first registered administers it",
        );
    }
    for p in people {
        ctx.line(format_args!("{:<16} {:<16} {}", p.handle, p.kind, p.name))?;
    }
    Ok(())
}
