//! `travaux init`: create an empty store, perhaps with its first participant, who
//! administers it.

use std::io::Write;

use clap::Args;
use travaux_core::{register_participant, Acting, Directory, ParticipantId, StreamId};
use travaux_store::Store;
use uuid::Uuid;

use crate::cli::Globals;
use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult};

/// Arguments of `init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Register this participant (of the secretariat kind) first: it administers the store
    #[arg(long, value_name = "HANDLE")]
    pub admin: Option<String>,
    /// Its display name [default: the handle]
    #[arg(long, requires = "admin")]
    pub name: Option<String>,
}

/// Create the store, or say that it exists.
pub fn run(globals: &Globals, args: &InitArgs, out: &mut dyn Write) -> CliResult {
    let path = globals.store_location().to_string();
    if let Some(handle) = &args.admin {
        // Checked before the store is made, so that a bad handle leaves nothing behind.
        travaux_core::check_handle("participant handle", handle)?;
    }
    let (store, created) = Store::create(globals.store_location())?;
    let admin = match &args.admin {
        Some(handle) => Some(first_admin(
            &store,
            globals,
            handle,
            args.name.as_deref(),
            created,
        )?),
        None => None,
    };
    if globals.json {
        writeln!(
            out,
            "{}",
            serde_json::json!({ "store": path, "created": created, "admin": args.admin })
        )?;
    } else if let (true, Some(h), Some(Some(seq))) = (created, &args.admin, admin) {
        writeln!(
            out,
            "initialised a travaux store in {}; its first participant, {h} (secretariat), administers it (event {seq})",
            path
        )?;
    } else if created {
        writeln!(out, "initialised an empty travaux store in {}", path)?;
    } else {
        writeln!(out, "{} is already a travaux store; nothing changed", path)?;
    }
    store.close_for_exit()?;
    Ok(())
}

/// Register the store's first participant, who administers it: the event's sequence number,
/// or `None` when the store existed and that participant administers it already.
fn first_admin(
    store: &Store,
    globals: &Globals,
    handle: &str,
    name: Option<&str>,
    created: bool,
) -> CliResult<Option<u64>> {
    if !created || store.first_participant().is_some() {
        return match store.participant_by_handle(handle) {
            Some(p) if travaux_core::admin::is_admin(store, p.id) => Ok(None),
            _ => Err(CliError::refused(format!(
                "{} is already a store with participants; `init --admin` names the first one only: `travaux admin grant {handle}` gives the role to a registered participant",
                globals.store_location()
            ))),
        };
    }
    let id = ParticipantId(Uuid::new_v4());
    let participant = travaux_core::Participant {
        id,
        handle: handle.to_string(),
        name: String::new(),
        kind: travaux_core::ParticipantKind::Secretariat,
        registered_at: chrono::Utc::now(),
    };
    let mut sink = std::io::sink();
    let inputs = Inputs::Cwd;
    let ctx = Ctx::new(store, globals.clone(), &mut sink, &inputs);
    let w = ctx.write_to(StreamId::REGISTRY, &participant)?;
    let name = name.unwrap_or(handle);
    let appended = store.execute(w, |dir, _| {
        register_participant(
            dir,
            Acting::Owner,
            id,
            handle,
            name,
            travaux_core::ParticipantKind::Secretariat,
        )
    })?;
    Ok(Some(appended.events[0].seq))
}
