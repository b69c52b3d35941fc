//! `travaux role grant|revoke|list`.

use clap::Subcommand;
use travaux_core::{Command, Role};

use crate::context::Ctx;
use crate::error::CliResult;
use crate::render::Names;

/// Role subcommands.
#[derive(Subcommand, Debug)]
pub enum RoleCommand {
    /// Give a participant a role in the document (secretariat)
    Grant {
        /// The participant's handle
        participant: String,
        /// secretariat, chair, delegate, observer or public
        role: Role,
    },
    /// Take a role away (secretariat)
    Revoke {
        /// The participant's handle
        participant: String,
        /// The role
        role: Role,
    },
    /// List who holds which role in the document
    List,
}

/// Run a role subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &RoleCommand) -> CliResult {
    let (participant, role, grant) = match cmd {
        RoleCommand::Grant { participant, role } => (participant, *role, true),
        RoleCommand::Revoke { participant, role } => (participant, *role, false),
        RoleCommand::List => return list(ctx),
    };
    let p = ctx.participant(participant)?;
    let command = if grant {
        Command::GrantRole {
            participant: p.id,
            role,
        }
    } else {
        Command::RevokeRole {
            participant: p.id,
            role,
        }
    };
    let (doc, appended) = ctx.execute(command)?;
    let seq = appended.events[0].seq;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "document": doc.slug, "participant": p.handle, "role": role, "granted": grant, "seq": seq,
        }));
    }
    let verb = if grant { "granted" } else { "revoked" };
    ctx.line(format_args!(
        "{verb} {role} {} {} in {} (event {seq})",
        if grant { "to" } else { "from" },
        p.handle,
        doc.slug
    ))
}

fn list(ctx: &mut Ctx<'_>) -> CliResult {
    let doc = ctx.document()?;
    let names = Names::load(ctx.store)?;
    let rows: Vec<(String, Vec<String>)> = doc
        .roles
        .iter()
        .map(|(p, roles)| (names.of(*p), roles.iter().map(|r| r.to_string()).collect()))
        .collect();
    if ctx.globals.json {
        let map: std::collections::BTreeMap<_, _> = rows.into_iter().collect();
        return ctx.json(&map);
    }
    let mut rows = rows;
    rows.sort();
    for (handle, roles) in rows {
        ctx.line(format_args!("{handle:<16} {}", roles.join(", ")))?;
    }
    Ok(())
}
