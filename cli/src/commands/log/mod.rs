//! `travaux log`: the events of a document, oldest first, with filters; `-p` adds the word
//! diff each text change made, `-S PHRASE` keeps the events that changed how many times a
//! phrase occurs in the text (as `git log -S`). A revision stored in several parts is told as
//! one change ([`Changes`]); `--clause` covers a clause and all under it ([`Scope`]).
//!
//! Also the fold `replay` shares ([`History`], in `history.rs`): a document's stream read
//! event by event, each event told with the labels the text had just before it, and its effect
//! on the clauses it touched (old and new label, word diff of heading and text). `scope.rs`:
//! what `--clause` covers, and a change told as what it did to it.

mod history;
mod scope;

use std::collections::HashSet;
use std::time::Duration;

use clap::Args;
use travaux_core::pickaxe::{Counts, Needle, Pickaxe};
use travaux_core::{
    parse_time, ClauseId, DayEdge, DocumentState, Event, PhaseNo, RecordedEvent, StreamId,
    Timestamp,
};
use travaux_store::StoreError;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

pub(crate) use history::{effect_lines, ClauseEffect, History, Prepared, Step};
use history::{merged, Changes};
use scope::own_change;
pub(crate) use scope::Scope;

/// How long the word diffs of one event told may take in all; past it, they are approximated
/// and say so. Each event has its own budget, so a long history is told exactly however long
/// it takes to tell it all.
pub(crate) const DIFF_BUDGET: Duration = Duration::from_secs(5);

/// Arguments of `log`.
#[derive(Args, Debug)]
pub struct LogArgs {
    /// Only events about this clause and every clause under it (its label now, its path or the
    /// end of it such as `5.1(b)`, or an id prefix), followed by identity through renumbering,
    /// moves and rewording: their revisions, amendments and their fate, and comments on them;
    /// a text change says what it did to them
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// Only events by this participant
    #[arg(long, value_name = "PARTICIPANT")]
    pub participant: Option<String>,
    /// Only events of this type (such as amendment_proposed; see --json output for the names)
    #[arg(long, value_name = "TYPE")]
    pub kind: Option<String>,
    /// Only events recorded at or after this date or time (a date means its start, UTC)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events recorded at or before this date or time (a date means its end, UTC)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Under each text change, the word diff it made to each clause it touched
    #[arg(short = 'p', long)]
    pub patch: bool,
    /// Only the events that changed how many times PHRASE occurs in the text (headings and
    /// texts of all clauses; of the --clause only, with it), as `git log -S`
    #[arg(short = 'S', long = "pickaxe", value_name = "PHRASE")]
    pub pickaxe: Option<String>,
    /// With -S, ignore case
    #[arg(long, requires = "pickaxe")]
    pub ignore_case: bool,
    /// Only the events of this phase: P2 (a comment or report in the phase that took it, any
    /// other event while the phase was open; of phases open together, the one opened last)
    #[arg(long, value_name = "PHASE")]
    pub phase: Option<PhaseNo>,
    /// The whole store: every document and the participant registry
    #[arg(long, conflicts_with_all = ["clause", "pickaxe", "patch", "phase"])]
    pub all: bool,
}

/// Run `log`.
pub fn run(ctx: &mut Ctx<'_>, args: &LogArgs) -> CliResult {
    let names = Names::load(ctx.store)?;
    let actor = args
        .participant
        .as_deref()
        .map(|p| ctx.participant(p))
        .transpose()?;
    if let Some(kind) = &args.kind {
        if !Event::KINDS.contains(&kind.as_str()) {
            return Err(CliError::refused(format!(
                "'{kind}' is not an event type; the types are: {}",
                Event::KINDS.join(", ")
            )));
        }
    }
    let since = time_bound("--since", args.since.as_deref(), DayEdge::Start)?;
    let until = time_bound("--until", args.until.as_deref(), DayEdge::End)?;
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(CliError::refused(format!(
                "--since ({}) is after --until ({}); nothing can match",
                render::when(&s),
                render::when(&u)
            )));
        }
    }
    let keep = |e: &RecordedEvent| {
        actor.as_ref().is_none_or(|a| e.actor == a.id)
            && args.kind.as_deref().is_none_or(|k| e.event.kind() == k)
            && since.is_none_or(|s| e.recorded_at >= s)
            && until.is_none_or(|u| e.recorded_at <= u)
    };
    if args.all {
        return log_all(ctx, &names, keep);
    }

    let head = ctx.head_without_amendments()?;
    if let Some(p) = args.phase {
        head.phase(p)?;
    }
    let scope = args
        .clause
        .as_deref()
        .map(|c| head.resolve_clause(c).map(|root| Scope::new(&head, root)))
        .transpose()?;
    let needle = match args.pickaxe.as_deref() {
        Some(phrase) => Some(Needle::new(phrase, args.ignore_case).ok_or_else(|| {
            CliError::refused("-S needs a phrase to look for; an empty one occurs everywhere")
        })?),
        None => None,
    };
    let mut pickaxe = needle.map(Pickaxe::new);
    // The events that can be told: with -S, only those that change the text, from their
    // index, told with the text they left; else the whole stream, with the whole document.
    // A revision stored in several parts is told once, as one change.
    let (candidates, mut history): (
        Box<dyn Iterator<Item = Result<RecordedEvent, StoreError>>>,
        _,
    ) = match &pickaxe {
        Some(_) => (
            ctx.store.text_events(head.id)?,
            History::text_changes(ctx.store, &head)?,
        ),
        None => (
            Box::new(ctx.store.stream(StreamId::document(head.id))),
            History::new(ctx.store, head.id),
        ),
    };
    let mut candidates = Changes::new(candidates);
    let color = ctx.color();
    let json = ctx.globals.json;
    let mut found: Vec<serde_json::Value> = Vec::new();
    while let Some(parts) = candidates.next_change()? {
        let e = &parts[0];
        let counts = pickaxe.as_mut().and_then(|p| p.step_parts(&parts));
        let phase = head.phase_of(e);
        let mut selected = keep(e)
            && args.phase.is_none_or(|p| phase == Some(p))
            && (pickaxe.is_none() || counts.is_some());
        // The clauses of the scope the change is about, as the document stood before it.
        let mut in_scope: Option<HashSet<ClauseId>> = None;
        if let (Some(scope), true) = (&scope, selected) {
            // Whether an event is about the clause can depend on the amendment it names, as
            // the document held it then.
            let touched = history
                .before(e)?
                .as_ref()
                .map(|state| scope.touched(&parts, state))
                .unwrap_or_default();
            selected = !touched.is_empty();
            in_scope = Some(touched);
        }
        // With -S: the count in the text, or in the scope, before and after.
        let counted = match (&pickaxe, &counts) {
            (Some(p), Some(c)) => Some(match (&scope, &in_scope) {
                (Some(scope), Some(set)) => scope.counted(c, set, p),
                _ => (c.before, c.after),
            }),
            _ => None,
        };
        if counted.is_some_and(|(before, after)| before == after) {
            selected = false;
        }
        if !selected {
            for p in &parts {
                history.pass(p);
            }
            continue;
        }
        let ops = parts.iter().any(|p| !p.event.ops().is_empty());
        let prepared =
            history.prepare_parts(&parts, &names, args.patch || (scope.is_some() && ops))?;
        // Which clauses' diffs to show: those of the scope asked for, else those whose count
        // of the phrase changed, else every clause the event touched.
        let show = |id: ClauseId| match (&in_scope, &counts) {
            (Some(set), _) => set.contains(&id),
            (None, Some(c)) => c.changed_in(id).is_some(),
            (None, None) => true,
        };
        let shown: Vec<ClauseEffect> = if args.patch {
            prepared.diffs_where(show)
        } else {
            Vec::new()
        };
        let merged = merged(&parts);
        if json {
            let mut v = render::event_json(&merged, &names, phase)?;
            if parts.len() > 1 {
                v["parts"] = serde_json::to_value(parts.iter().map(|p| p.seq).collect::<Vec<_>>())?;
            }
            if args.patch {
                v["effect"] = serde_json::to_value(&shown)?;
            }
            if let (Some(c), Some((before, after))) = (&counts, counted) {
                v["pickaxe"] = pickaxe_json(c, in_scope.as_ref(), before, after);
            }
            found.push(v);
            continue;
        }
        let mut told = match (&in_scope, ops) {
            (Some(set), true) => own_change(
                &merged,
                prepared.told(),
                &prepared,
                set,
                args.clause.as_deref().unwrap_or_default(),
            ),
            _ => prepared.told().to_string(),
        };
        if parts.len() > 1 {
            told.push_str(&format!(
                " (stored in {} parts, events {}–{})",
                parts.len(),
                e.seq,
                parts[parts.len() - 1].seq
            ));
        }
        told.push_str(&history.fate(e)?);
        if let Event::CommentPosted { comment, .. } = &e.event {
            if let Some(seq) = head.process.retracted_comments.get(comment) {
                told.push_str(&format!(" [retracted at event {seq}]"));
            }
        }
        if let (Some(p), Some((before, after))) = (&pickaxe, counted) {
            told.push_str(&format!(
                " · \"{}\" {before} → {after}",
                p.needle().phrase()
            ));
        }
        ctx.line(line(e, &names, &told))?;
        for f in &shown {
            for l in effect_lines(f, color, "") {
                ctx.line(l)?;
            }
        }
    }
    if json {
        return ctx.json(&found);
    }
    Ok(())
}

/// `log --all`: every event of the store, told with labels as each document has them now.
fn log_all(ctx: &mut Ctx<'_>, names: &Names, keep: impl Fn(&RecordedEvent) -> bool) -> CliResult {
    let events: Vec<RecordedEvent> = ctx
        .store
        .events_from(1)
        .filter(|e| e.as_ref().map_or(true, &keep))
        .collect::<Result<_, _>>()?;
    let docs: Vec<DocumentState> = ctx
        .store
        .documents()?
        .into_iter()
        .filter_map(|d| ctx.store.document(d.id).transpose())
        .collect::<Result<_, _>>()?;
    if ctx.globals.json {
        let mut rows = Vec::with_capacity(events.len());
        for e in &events {
            let phase = docs
                .iter()
                .find(|d| StreamId::document(d.id) == e.stream)
                .and_then(|d| d.phase_of(e));
            rows.push(render::event_json(e, names, phase)?);
        }
        return ctx.json(&rows);
    }
    for e in &events {
        let told = match docs.iter().find(|d| StreamId::document(d.id) == e.stream) {
            Some(doc) => render::event(e, doc, names),
            None => match &docs.first() {
                Some(doc) => render::event(e, doc, names),
                None => e.event.kind().to_string(),
            },
        };
        ctx.line(line(e, names, &told))?;
    }
    Ok(())
}

fn time_bound(flag: &str, value: Option<&str>, edge: DayEdge) -> CliResult<Option<Timestamp>> {
    value
        .map(|v| parse_time(v, edge).map_err(|e| CliError::refused(format!("{flag}: {e}"))))
        .transpose()
}

/// The counts for tools: in the text (or the one clause asked for), and clause by clause.
fn pickaxe_json(
    c: &Counts,
    only: Option<&HashSet<ClauseId>>,
    before: usize,
    after: usize,
) -> serde_json::Value {
    serde_json::json!({
        "before": before,
        "after": after,
        "clauses": c.clauses.iter().filter(|k| only.is_none_or(|set| set.contains(&k.clause))).map(|k| serde_json::json!({
            "clause": k.clause,
            "before": k.before,
            "after": k.after,
        })).collect::<Vec<_>>(),
    })
}

/// One event on one line: sequence number, time, who, and what.
pub(crate) fn line(e: &RecordedEvent, names: &Names, told: &str) -> String {
    format!(
        "{:>6}  {}  {:<14} {told}",
        e.seq,
        render::when(&e.recorded_at),
        names.of(e.actor)
    )
}
