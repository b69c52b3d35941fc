//! `travaux role grant|revoke|list`.
//!
//! `role grant --every KIND ROLE` grants a role to every registered participant of a kind in
//! one append, each grant decided by the same rule as a single one.

use clap::Subcommand;
use travaux_core::{decide, Command, DomainError, Event, ParticipantKind, Role};

use crate::commands::question::some_names;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::Names;

/// Role subcommands.
#[derive(Subcommand, Debug)]
pub enum RoleCommand {
    /// Give a participant a role in the document, or every participant of a kind with --every
    /// (secretariat)
    #[command(allow_missing_positional = true)]
    Grant {
        /// The participant's handle (or --every KIND instead)
        #[arg(required_unless_present = "every")]
        participant: Option<String>,
        /// secretariat, chair, delegate, observer or public
        role: Role,
        /// Instead of one participant, every registered participant of this kind who does not
        /// hold the role yet: member-state, non-state-actor, secretariat, expert, public
        #[arg(long, value_name = "KIND", conflicts_with = "participant")]
        every: Option<ParticipantKind>,
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
        RoleCommand::Grant {
            every: Some(kind),
            role,
            ..
        } => return grant_every(ctx, *kind, *role),
        RoleCommand::Grant {
            participant, role, ..
        } => (
            participant.as_deref().ok_or_else(|| {
                CliError::refused("whom? give a participant's handle, or --every KIND")
            })?,
            *role,
            true,
        ),
        RoleCommand::Revoke { participant, role } => (participant.as_str(), *role, false),
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

/// At most this many handles are named for people; JSON names them all.
const NAMED: usize = 20;

/// Grant a role to every registered participant of a kind who does not hold it yet, in one
/// append: each grant is decided by `decide`, on the document as it stands under the writer
/// lock. Refused, writing nothing, if that leaves nobody.
fn grant_every(ctx: &mut Ctx<'_>, kind: ParticipantKind, role: Role) -> CliResult {
    let mut of_kind: Vec<_> = ctx
        .store
        .participants()?
        .into_iter()
        .filter(|p| p.kind == kind)
        .collect();
    of_kind.sort_by(|a, b| a.handle.cmp(&b.handle));
    let mut already: Vec<String> = Vec::new();
    let (doc, appended) = ctx.execute_with(|dir, state, actor| {
        let (holding, to_grant): (Vec<_>, Vec<_>) = of_kind
            .iter()
            .partition(|p| state.has_role(p.id, role));
        already = holding.iter().map(|p| p.handle.clone()).collect();
        if of_kind.is_empty() {
            return Err(DomainError::Invalid(format!(
                "no {kind} participant is registered; `travaux participant list` shows who is"
            )));
        }
        if to_grant.is_empty() {
            return Err(DomainError::Invalid(format!(
                "every {kind} participant already holds the {role} role in {} ({}); nothing to grant",
                state.slug,
                some_names(&already, NAMED)
            )));
        }
        let mut events = Vec::new();
        for p in to_grant {
            events.extend(decide(
                state,
                actor,
                dir,
                Command::GrantRole {
                    participant: p.id,
                    role,
                },
            )?);
        }
        Ok(events)
    })?;
    let names = Names::load(ctx.store)?;
    let granted: Vec<String> = appended
        .events
        .iter()
        .filter_map(|e| match &e.event {
            Event::RoleGranted { participant, .. } => Some(names.of(*participant)),
            _ => None,
        })
        .collect();
    let (first, last) = (
        appended.events[0].seq,
        appended.events[appended.events.len() - 1].seq,
    );
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "document": doc.slug, "role": role, "kind": kind, "granted": granted,
            "already": already, "seqs": [first, last],
        }));
    }
    let at = if first == last {
        format!("event {first}")
    } else {
        format!("events {first}-{last}")
    };
    ctx.line(format_args!(
        "granted {role} to {} {kind} {} in {} ({at}): {}",
        granted.len(),
        if granted.len() == 1 {
            "participant"
        } else {
            "participants"
        },
        doc.slug,
        some_names(&granted, NAMED)
    ))?;
    if !already.is_empty() {
        ctx.line(format_args!(
            "{} already held it: {}",
            already.len(),
            some_names(&already, NAMED)
        ))?;
    }
    Ok(())
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
