//! `travaux participation`: who took part in each phase, by participant kind.
//!
//! For each phase (every phase, or those of one kind with `--kind`) and each participant kind:
//! how many took part (commented, answered a question or reported in it) out of how many were
//! registered when it closed (now, if it is open), and how that changed from the previous phase
//! of the same kind: who took part for the first time, who came back, who stopped.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use clap::Args;
use serde::Serialize;
use travaux_core::{
    Participant, ParticipantId, ParticipantKind, Phase, PhaseKind, Role, Timestamp, Window,
};

use crate::commands::question::{registry, some_names, KINDS};
use crate::context::Ctx;
use crate::error::CliResult;

/// Arguments of `participation`.
#[derive(Args, Debug)]
pub struct ParticipationArgs {
    /// Only phases of this kind: public-hearing, regional-consultation, national-consultation,
    /// committee-session, review or reporting-round
    #[arg(long, value_name = "KIND")]
    pub kind: Option<PhaseKind>,
}

/// How one participant kind (or all of them) took part in one phase.
#[derive(Serialize, Debug)]
struct KindRow {
    /// The participant kind, or "all" (the kinds listed).
    kind: String,
    /// How many of that kind were registered when the phase closed (now, if open).
    registered: usize,
    /// How many took part.
    count: usize,
    /// `count / registered`, when anyone was registered.
    share: Option<f64>,
    /// How many took part in the previous phase of the same kind.
    previous_count: Option<usize>,
    /// `count - previous_count`.
    change: Option<i64>,
    /// Who took part.
    took_part: Vec<String>,
    /// Who was registered and did not.
    did_not: Vec<String>,
    /// Who took part and had not in any earlier phase of the same kind.
    first_time: Vec<String>,
    /// Who took part, not in the previous phase of the same kind but in an earlier one.
    returned: Vec<String>,
    /// Who took part in the previous phase of the same kind and not in this one.
    stopped: Vec<String>,
}

/// One phase and who took part in it.
#[derive(Serialize, Debug)]
struct PhaseRow {
    phase: String,
    kind: PhaseKind,
    name: String,
    planned: Window,
    open: bool,
    opened_at: Timestamp,
    closed_at: Option<Timestamp>,
    /// The previous phase of the same kind, compared with.
    previous: Option<String>,
    comments: u32,
    reports: u32,
    /// Per participant kind that took part, or could have (holds a role the phase admits),
    /// then "all" of those kinds.
    kinds: Vec<KindRow>,
    #[serde(skip)]
    describe: String,
    #[serde(skip)]
    previous_name: Option<String>,
}

/// Run `participation`.
pub fn run(ctx: &mut Ctx<'_>, args: &ParticipationArgs) -> CliResult {
    let doc = ctx.document_at(&travaux_core::Point::Head)?;
    let people = registry(ctx)?;
    let phases = &doc.process.phases;
    let rows: Vec<PhaseRow> = phases
        .iter()
        .enumerate()
        .filter(|(_, p)| args.kind.is_none_or(|k| p.kind == k))
        .map(|(i, p)| {
            let earlier: Vec<&Phase> = phases[..i].iter().filter(|e| e.kind == p.kind).collect();
            phase_row(p, &earlier, &people, &doc.roles)
        })
        .collect();
    if ctx.globals.json {
        return ctx.json(&rows);
    }
    if rows.is_empty() {
        return ctx.line(match args.kind {
            Some(k) => format!(
                "no {} has been opened in {}; `travaux phase open {k} NAME` opens one",
                k.words(),
                doc.slug
            ),
            None => format!(
                "no phase has been opened in {}; `travaux phase open KIND NAME` opens one",
                doc.slug
            ),
        });
    }
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            ctx.line("")?;
        }
        render_row(ctx, row)?;
    }
    Ok(())
}

fn phase_row(
    p: &Phase,
    earlier: &[&Phase],
    people: &HashMap<ParticipantId, Participant>,
    roles: &BTreeMap<ParticipantId, BTreeSet<Role>>,
) -> PhaseRow {
    let previous = earlier.last().copied();
    let before: BTreeSet<ParticipantId> = earlier
        .iter()
        .flat_map(|e| e.participants.iter().copied())
        .collect();
    let registered = |who: &Participant| {
        p.closed_at.is_none_or(|c| who.registered_at <= c) || p.participants.contains(&who.id)
    };
    let handles = |ids: &mut dyn Iterator<Item = &ParticipantId>| -> Vec<String> {
        let mut v: Vec<String> = ids
            .map(|id| {
                people
                    .get(id)
                    .map_or_else(|| id.short(), |p| p.handle.clone())
            })
            .collect();
        v.sort();
        v
    };
    let of_kind = |kinds: &[ParticipantKind], id: &ParticipantId| {
        people.get(id).is_some_and(|p| kinds.contains(&p.kind))
    };
    let row = |label: &str, kind: &[ParticipantKind]| -> KindRow {
        let here: BTreeSet<ParticipantId> = p
            .participants
            .iter()
            .filter(|id| of_kind(kind, id))
            .copied()
            .collect();
        let pool: BTreeSet<ParticipantId> = people
            .values()
            .filter(|who| registered(who) && of_kind(kind, &who.id))
            .map(|who| who.id)
            .chain(here.iter().copied())
            .collect();
        let prev: Option<BTreeSet<ParticipantId>> = previous.map(|e| {
            e.participants
                .iter()
                .filter(|id| of_kind(kind, id))
                .copied()
                .collect()
        });
        let empty = BTreeSet::new();
        let prev_set = prev.as_ref().unwrap_or(&empty);
        KindRow {
            kind: label.to_string(),
            registered: pool.len(),
            count: here.len(),
            share: (!pool.is_empty()).then(|| here.len() as f64 / pool.len() as f64),
            previous_count: prev.as_ref().map(BTreeSet::len),
            change: prev.as_ref().map(|s| here.len() as i64 - s.len() as i64),
            took_part: handles(&mut here.iter()),
            did_not: handles(&mut pool.difference(&here)),
            first_time: handles(&mut here.iter().filter(|id| !before.contains(id))),
            returned: handles(
                &mut here
                    .iter()
                    .filter(|id| before.contains(id) && !prev_set.contains(id)),
            ),
            stopped: handles(&mut prev_set.difference(&here)),
        }
    };
    // A kind is listed if someone of it took part here or in the previous phase of this kind,
    // or could have: holds a role the phase admits.
    let admitted = |k: ParticipantKind| {
        people
            .values()
            .any(|who| who.kind == k && roles.get(&who.id).is_some_and(|held| p.admits_any(held)))
    };
    let mut listed = Vec::new();
    let mut kinds: Vec<KindRow> = Vec::new();
    for k in KINDS {
        let r = row(k.name(), &[k]);
        if r.count > 0 || r.previous_count.is_some_and(|n| n > 0) || admitted(k) {
            listed.push(k);
            kinds.push(r);
        }
    }
    kinds.push(row("all", &listed));
    PhaseRow {
        phase: p.no.to_string(),
        kind: p.kind,
        name: p.name.clone(),
        planned: p.window,
        open: p.is_open(),
        opened_at: p.opened_at,
        closed_at: p.closed_at,
        previous: previous.map(|e| e.no.to_string()),
        comments: p.comments,
        reports: p.reports,
        kinds,
        describe: p.describe(),
        previous_name: previous.map(|e| e.name.clone()),
    }
}

/// One of the lists of handles in a row.
type Pick = fn(&KindRow) -> &Vec<String>;

/// At most this many handles are named on one line for people; JSON names them all.
const NAMED: usize = 12;

fn render_row(ctx: &mut Ctx<'_>, row: &PhaseRow) -> CliResult {
    ctx.line(&row.describe)?;
    let compared = match (&row.previous, &row.previous_name) {
        (Some(no), Some(name)) => format!("compared with {no} ({name})"),
        _ => format!("no earlier {} to compare with", row.kind.words()),
    };
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    ctx.line(format_args!(
        "  {}, {}; {compared}",
        plural(row.comments, "comment", "comments"),
        plural(row.reports, "report", "reports")
    ))?;
    ctx.line(format_args!(
        "  {:<16} {:>12} {:>6} {:>7} {:>11} {:>9} {:>8}",
        "kind", "took part", "share", "change", "first time", "returned", "stopped"
    ))?;
    for r in &row.kinds {
        let share = r
            .share
            .map_or_else(|| "-".to_string(), |s| format!("{:.0}%", s * 100.0));
        let (change, returned, stopped) = match r.change {
            Some(c) => (
                format!("{c:+}"),
                r.returned.len().to_string(),
                r.stopped.len().to_string(),
            ),
            None => ("n/a".to_string(), "n/a".to_string(), "n/a".to_string()),
        };
        ctx.line(format_args!(
            "  {:<16} {:>12} {share:>6} {change:>7} {:>11} {returned:>9} {stopped:>8}",
            r.kind,
            format!("{} of {}", r.count, r.registered),
            r.first_time.len(),
        ))?;
    }
    if row.previous.is_none() {
        return Ok(());
    }
    let per_kind = &row.kinds[..row.kinds.len() - 1];
    let lists: [(&str, Pick); 3] = [
        ("first time", |r| &r.first_time),
        ("returned", |r| &r.returned),
        ("stopped", |r| &r.stopped),
    ];
    for (what, pick) in lists {
        let named = per_kind.iter().filter(|r| !pick(r).is_empty());
        for (i, r) in named.enumerate() {
            let head = if i == 0 { what } else { "" };
            ctx.line(format_args!(
                "  {head:<11} {:<16} {}",
                r.kind,
                some_names(pick(r), NAMED)
            ))?;
        }
    }
    Ok(())
}
