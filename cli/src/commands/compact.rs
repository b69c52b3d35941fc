//! `travaux compact`: write the store again into a new one that takes its place.
//!
//! sled never shrinks its file: every block extended, every read model replaced and every
//! `rebuild` leaves old copies behind, and space it frees in the middle of the file is zeroed
//! again at every open. Compaction copies every key once into a new store (the same log, hash
//! chain and read models) and swaps the two; a compaction cut short is finished or undone the
//! next time the store is opened.

use std::io::Write;

use travaux_core::admin::check_admin;
use travaux_core::{Acting, Directory, DomainError};
use travaux_store::Store;

use crate::cli::Globals;
use crate::error::CliResult;

/// Compact the store and say how much smaller it became.
pub fn run(globals: &Globals, out: &mut dyn Write) -> CliResult {
    let path = globals.store_location().to_string();
    let store = Store::open(globals.store_location())?;
    // The store's owner compacts (no --as); a participant named must administer the store.
    if let Some(handle) = &globals.actor {
        let p = store
            .participant_by_handle(handle)
            .ok_or_else(|| DomainError::UnknownParticipant(handle.clone()))?;
        check_admin(&store, Acting::Participant(p.id), "compact the store")?;
    }
    let spinner = crate::progress::spinner(format!(
        "compacting {} ({} events)",
        path,
        crate::progress::count(store.head().0)
    ));
    let done = store.compact();
    spinner.finish_and_clear();
    let done = done?;
    if globals.json {
        writeln!(out, "{}", serde_json::to_string(&done)?)?;
    } else {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        writeln!(
            out,
            "compacted {}: {:.1} MiB -> {:.1} MiB ({} keys copied)",
            path,
            mib(done.bytes_before),
            mib(done.bytes_after),
            done.keys
        )?;
    }
    Ok(())
}
