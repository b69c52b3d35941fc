//! `travaux generate`: a realistic negotiation history of a given size, for benchmarks.
//!
//! Writes into the store named by `--store`, which must be initialised and hold no event
//! (otherwise nothing is written and the command exits with 1). The history is deterministic:
//! the same `--events`, `--seed`, `--articles` and `--delegations` give the same events, ids,
//! times and hashes (see the `travaux-gen` crate). A progress bar goes to stderr when it is
//! a terminal; the answer is one line on stdout (or JSON with `--json`).

use std::io::IsTerminal;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use travaux_gen::{generate, Spec, DEFAULT_BATCH};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// How many events the log holds at the end (registrations included): exactly this many
    #[arg(long, value_name = "N")]
    pub events: u64,
    /// The seed: the same seed and sizes give the same history, byte for byte
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Articles in the first draft (1 to 200), of 3 to 8 paragraphs each
    #[arg(long, value_name = "A", default_value_t = 10)]
    pub articles: u32,
    /// Member-state delegations (2 to 1000); non-State actors and members of the public
    /// are added in proportion
    #[arg(long, value_name = "D", default_value_t = 40)]
    pub delegations: u32,
    /// Events per durable append (one flush and fsync each)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BATCH)]
    pub batch: usize,
}

/// Run `generate`.
pub fn run(ctx: &mut Ctx<'_>, args: &GenerateArgs) -> CliResult {
    let (head, _) = ctx.store.head();
    if head > 0 {
        return Err(CliError::refused(format!(
            "the store at {} already holds {head} events; generate writes only into a new, empty store: run `travaux --store NEW_DIR init` and generate there",
            ctx.store.location()
        )));
    }
    let spec = Spec {
        events: args.events,
        seed: args.seed,
        articles: args.articles,
        delegations: args.delegations,
        batch: args.batch,
    };
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(spec.events), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} events · {rate} · {elapsed} (eta {eta})",
            )
            .expect("a valid template")
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0} events/s", s.per_sec());
            }),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let outcome = generate(ctx.store, &spec, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    let summary = outcome?;
    let seconds = started.elapsed().as_secs_f64();
    let rate = (summary.events as f64 / seconds.max(1e-9)).round() as u64;
    tracing::info!(events = summary.events, seconds, rate, "generated");
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "spec": spec,
            "summary": summary,
            "seconds": seconds,
            "events_per_second": rate,
        }));
    }
    let tags = match (summary.tags.first(), summary.tags.last()) {
        (Some(first), Some(last)) if first != last => format!("tags {first} to {last}"),
        (Some(only), _) => format!("tag {only}"),
        _ => "no tags".to_string(),
    };
    ctx.line(format_args!(
        "generated {} events (seed {}) in {seconds:.1} s, {rate} events/s: document {}, {} participants, {} revisions, {} clauses, {} amendments, {} decisions, {} comments, {tags}; head hash {}",
        summary.events,
        summary.seed,
        summary.document,
        summary.participants,
        summary.revisions,
        summary.clauses,
        summary.amendments,
        summary.decisions,
        summary.comments,
        summary.head_hash,
    ))
}
