//! `travaux responses import FILE`: the secretariat's intake of a consultation's responses in
//! bulk, as a web form exports them (CSV with a header row, or JSON Lines; the columns are in
//! `parse.rs`).
//!
//! The whole file is read and checked first (`plan.rs`: each response decided as an answer
//! or comment of its respondent, with the time it was received, the registrations and role
//! grants it needs included), every bad line named, and nothing written unless every line is
//! good. Then the responses are appended in batches (`--batch`), each response its own event,
//! a batch's registrations in one append to the registry and its role grants and responses in
//! one append to the document. Every event's id is derived from the response, so a run cut
//! short and run again appends only what is missing.

mod parse;
mod plan;

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use travaux_core::{NewEvent, Role, StreamId};
use travaux_store::{Clock, Expected};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::progress;

/// `responses` subcommands.
#[derive(Subcommand, Debug)]
pub enum ResponsesCommand {
    /// Take in a consultation's responses from a file (CSV with a header row, or JSON Lines):
    /// checked whole first, then appended in batches; run again after an interruption, it
    /// appends only what is missing (secretariat)
    #[command(
        after_help = "Columns: respondent, text, received (required); question, clause, position, \
kind and name (to register a respondent on the fly), id (optional).\n\nExamples:\n  travaux --as secretariat responses import hearing.csv\n  travaux --as secretariat responses import hearing.jsonl --batch 5000 --json"
    )]
    Import(ImportArgs),
}

/// Arguments of `responses import`.
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file: CSV with a header row (`.csv`), or JSON Lines (`.jsonl`), one response a line
    pub file: PathBuf,
    /// How many responses each append holds: a batch is written whole or not at all
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch: u32,
}

/// The largest file read.
const MAX_FILE_BYTES: usize = 512 << 20;
/// At most this many bad lines are listed in a refusal.
const MAX_PROBLEMS: usize = 1000;

/// Run a `responses` subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &ResponsesCommand) -> CliResult {
    match cmd {
        ResponsesCommand::Import(args) => import(ctx, args),
    }
}

/// What an import did.
#[derive(Default)]
struct Done {
    imported: usize,
    batches: usize,
    first: Option<u64>,
    last: Option<u64>,
}

fn import(ctx: &mut Ctx<'_>, args: &ImportArgs) -> CliResult {
    // The events' ids come from the responses (an --event-id, which the server gives every
    // request, names none of them), and each batch is expected at the version it was checked
    // against.
    if ctx.globals.expect_version.is_some() {
        return Err(CliError::refused(
            "responses import checks the document's version itself, batch by batch; --expect-version does not apply",
        ));
    }
    let importer = ctx.actor().map_err(|e| {
        CliError::refused(format!(
            "{}; an import is recorded as done by the document's secretariat",
            e.message
        ))
    })?;
    let file = &args.file;
    let bytes = ctx.inputs.read(file, MAX_FILE_BYTES)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::refused(format!("{} is not UTF-8 text", file.display())))?;
    let (rows, mut problems) = if parse::is_json_lines(&file.to_string_lossy(), &text) {
        parse::json_lines(&text)
    } else {
        parse::csv(&text).map_err(|e| CliError::refused(format!("{}: {e}", file.display())))?
    };
    if rows.is_empty() && problems.is_empty() {
        return Err(CliError::refused(format!(
            "{} holds no responses",
            file.display()
        )));
    }
    let state = ctx.document()?;
    if !state.has_role(importer.id, Role::Secretariat) {
        return Err(CliError::refused(format!(
            "{} may not import responses into {}: that needs the secretariat role",
            importer.handle, state.slug
        )));
    }
    let now = now(ctx)?;
    let spinner = progress::spinner(format!(
        "checking {} responses",
        progress::count(rows.len() as u64)
    ));
    let plan = plan::plan(ctx.store, state, &importer, &rows, now)?;
    spinner.finish_and_clear();
    problems.extend(plan.problems.iter().cloned());
    if !problems.is_empty() {
        return Err(CliError::refused(refusal(file, problems)));
    }
    tracing::info!(
        responses = plan.units.len(),
        already = plan.already,
        "the file is good; appending"
    );
    let done = append(ctx, &plan, args.batch as usize)?;
    let seqs = done.first.zip(done.last);
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "file": file.display().to_string(),
            "responses": rows.len(),
            "imported": done.imported,
            "already": plan.already,
            "registered": plan.registered,
            "granted": plan.granted,
            "batches": done.batches,
            "seqs": seqs.map(|(a, b)| [a, b]),
        }));
    }
    let at = match seqs {
        Some((a, b)) if a == b => format!(" at event {a}"),
        Some((a, b)) => format!(" at events {a}-{b}"),
        None => String::new(),
    };
    ctx.line(format_args!(
        "imported {} of {} responses in {} {}{at}; {} already there; registered {} {}, granted {} {}",
        progress::count(done.imported as u64),
        progress::count(rows.len() as u64),
        done.batches,
        if done.batches == 1 { "batch" } else { "batches" },
        progress::count(plan.already as u64),
        progress::count(plan.registered as u64),
        if plan.registered == 1 { "participant" } else { "participants" },
        progress::count(plan.granted as u64),
        if plan.granted == 1 { "role" } else { "roles" },
    ))
}

/// The time the import records: now (or `--date`), never before the log's last event.
fn now(ctx: &Ctx<'_>) -> CliResult<travaux_core::Timestamp> {
    let last = match ctx.store.head().0 {
        0 => None,
        seq => Some(ctx.store.event(seq)?.recorded_at),
    };
    Ok(match ctx.clock()? {
        Clock::Now(t) => last.map_or(t, |l| t.max(l)),
        Clock::At(t) => t,
    })
}

/// Append the plan's responses, `batch` at a time: each batch's registrations to the
/// registry, then its grants and responses to the document, expected at the version the plan
/// was checked against (a document that moved meanwhile stops the import, what was appended
/// staying; run it again).
fn append(ctx: &Ctx<'_>, plan: &plan::Plan, batch: usize) -> CliResult<Done> {
    let doc = StreamId::document(ctx.document_entry()?.id);
    let bar = progress::bar(plan.units.len() as u64, "importing responses".into());
    let mut done = Done::default();
    for units in plan.units.chunks(batch) {
        let registry: Vec<NewEvent> = units.iter().flat_map(|u| u.registry.clone()).collect();
        if !registry.is_empty() {
            ctx.append_decided(StreamId::REGISTRY, Expected::Any, registry)
                .map_err(|e| stopped(e, &done, units[0].line))?;
        }
        let events: Vec<NewEvent> = units.iter().flat_map(|u| u.document.clone()).collect();
        let appended = ctx
            .append_decided(doc, Expected::Exact(units[0].version_before), events)
            .map_err(|e| stopped(e, &done, units[0].line))?;
        if let (Some(f), Some(l)) = (appended.events.first(), appended.events.last()) {
            done.first.get_or_insert(f.seq);
            done.last = Some(l.seq);
        }
        done.imported += units.len();
        done.batches += 1;
        bar.inc(units.len() as u64);
        tracing::info!(
            batch = done.batches,
            responses = units.len(),
            through_line = units[units.len() - 1].line,
            "appended"
        );
    }
    bar.finish_and_clear();
    Ok(done)
}

/// A batch that failed: what was appended before it stays.
fn stopped(e: CliError, done: &Done, line: usize) -> CliError {
    CliError {
        message: format!(
            "{}\nthe batch from line {line} was not written; {} responses in {} batches before it were; run the import again to append the rest",
            e.message, done.imported, done.batches
        ),
        ..e
    }
}

/// The problems of a file, as one refusal.
fn refusal(file: &Path, mut problems: Vec<(usize, String)>) -> String {
    problems.sort_by_key(|(no, _)| *no);
    let n = problems.len();
    let mut message = format!(
        "{}: {n} {} wrong; nothing was imported",
        file.display(),
        if n == 1 { "line is" } else { "lines are" }
    );
    for (no, problem) in problems.iter().take(MAX_PROBLEMS) {
        message.push_str(&format!("\n  line {no}: {problem}"));
    }
    if n > MAX_PROBLEMS {
        message.push_str(&format!("\n  and {} more", n - MAX_PROBLEMS));
    }
    message
}
