//! `travaux verify` and `travaux rebuild`.

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Walk the hash chain; a break is exit code 4.
pub fn verify(ctx: &mut Ctx<'_>) -> CliResult {
    let report = ctx.store.verify()?;
    if ctx.globals.json {
        ctx.json(&report)?;
    } else if report.problem.is_none() {
        ctx.line(format_args!(
            "ok: {} events, hash chain intact; head event {} has hash {} ({:.1} MiB of events as stored)",
            report.events,
            report.head_seq,
            report.head_hash,
            report.bytes as f64 / (1024.0 * 1024.0)
        ))?;
    }
    match report.problem {
        None => Ok(()),
        Some(p) => Err(CliError::damaged(format!(
            "verification failed at event {}: {} ({} events before it are intact)",
            p.seq, p.message, report.events
        ))),
    }
}

/// Rebuild the read models from the log.
pub fn rebuild(ctx: &mut Ctx<'_>) -> CliResult {
    let started = std::time::Instant::now();
    let events = ctx.store.rebuild()?;
    tracing::info!(events, elapsed = ?started.elapsed(), "rebuilt read models");
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({ "events": events }));
    }
    ctx.line(format_args!("rebuilt the read models from {events} events"))?;
    ctx.line("the old read models still take space in sled's file: `travaux compact` gives it back")
}
