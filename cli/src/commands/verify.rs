//! `travaux verify` and `travaux rebuild`.

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::progress;

/// Read every key of the store and hold it against the log; damage is exit code 4.
pub fn verify(ctx: &mut Ctx<'_>) -> CliResult {
    let spinner = progress::spinner(format!(
        "verifying {} events and every key of the store",
        progress::count(ctx.store.head().0)
    ));
    let report = ctx.store.verify();
    spinner.finish_and_clear();
    let report = report?;
    if ctx.globals.json {
        ctx.json(&report)?;
    } else if report.is_ok() {
        ctx.line(format_args!(
            "ok: {} events, hash chain intact, anchored through event {}; {} keys read, every read model agrees with the log; head event {} has hash {} ({:.1} MiB of events as stored)",
            report.events,
            report.anchored,
            report.keys,
            report.head_seq,
            report.head_hash,
            report.bytes as f64 / (1024.0 * 1024.0)
        ))?;
    }
    if report.is_ok() {
        return Ok(());
    }
    let mut message = String::new();
    if let Some(p) = &report.problem {
        message.push_str(&format!(
            "the log is damaged at event {}: {}\n  events 1 to {} are intact; what follows them is lost to this store: restore it from a backup (`travaux restore` of its latest `travaux export jsonl`, or a copy of its directory)",
            p.seq, p.message, report.events
        ));
    }
    if !report.read_models.is_empty() {
        if !message.is_empty() {
            message.push('\n');
        }
        message.push_str(&format!(
            "{}{} read model{} with the log or {} not read back (`travaux rebuild` makes them again from the log):",
            if report.read_models.len() == travaux_store::MAX_REPORTED { "at least " } else { "" },
            report.read_models.len(),
            if report.read_models.len() == 1 { " disagrees" } else { "s disagree" },
            if report.read_models.len() == 1 { "does" } else { "do" },
        ));
        for r in &report.read_models {
            message.push_str(&format!("\n  - {}: {}", r.key, r.message));
        }
    }
    Err(CliError::damaged(message))
}

/// Rebuild the read models from the log.
pub fn rebuild(ctx: &mut Ctx<'_>) -> CliResult {
    let started = std::time::Instant::now();
    let bar = progress::bar(ctx.store.head().0, "rebuilding the read models".into());
    let events = ctx
        .store
        .rebuild_with_progress(&mut |n| bar.set_position(n));
    bar.finish_and_clear();
    let events = events?;
    tracing::info!(events, elapsed = ?started.elapsed(), "rebuilt read models");
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({ "events": events }));
    }
    ctx.line(format_args!("rebuilt the read models from {events} events"))?;
    ctx.line("the old read models still take space in sled's file: `travaux compact` gives it back")
}
