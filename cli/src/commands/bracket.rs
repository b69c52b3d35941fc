//! `travaux bracket`, `travaux lift`, `travaux brackets`: disputed words and their alternatives.
//!
//! A delegation brackets words of a clause it disputes; alternatives to them are amendments
//! (`amend alternative`), held by their proposer and supporters. Accepting one resolves the
//! bracket; the chair may instead lift it, keeping the words as drafted.

use clap::Args;
use travaux_core::{
    Bracket, BracketNo, BracketStatus, ClauseId, Command, DocumentState, Event, Method,
};

use crate::commands::amend::parse_vote;
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

/// Arguments of `bracket`.
#[derive(Args, Debug)]
pub struct BracketArgs {
    /// The clause: its label, or an id prefix
    pub clause: String,
    /// The disputed words, exactly as they stand in the clause (they must occur once in it)
    pub words: String,
}

/// Run `bracket`.
pub fn bracket(ctx: &mut Ctx<'_>, args: &BracketArgs) -> CliResult {
    let clause = ctx.document()?.resolve_clause(&args.clause)?;
    let (doc, appended) = ctx.execute(Command::BracketText {
        clause,
        span: args.words.clone(),
    })?;
    let e = &appended.events[0];
    let Event::TextBracketed {
        bracket,
        clause,
        span,
    } = &e.event
    else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not a bracket: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let label = render::label(&doc, *clause);
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "bracket": bracket.to_string(), "clause": clause, "label": label, "span": span,
            "seq": e.seq,
        }));
    }
    ctx.line(format_args!(
        "bracketed {bracket} in {label} at event {}",
        e.seq
    ))
}

/// Arguments of `lift`.
#[derive(Args, Debug)]
pub struct LiftArgs {
    /// The bracket: B2
    pub bracket: BracketNo,
    /// Decided by vote: YES-NO-ABSTAIN, such as 58-31-12 [default: by consensus]
    #[arg(long, value_name = "Y-N-A", value_parser = parse_vote)]
    pub vote: Option<Method>,
}

/// Run `lift`.
pub fn lift(ctx: &mut Ctx<'_>, args: &LiftArgs) -> CliResult {
    let method = args.vote.clone().unwrap_or(Method::Consensus);
    let (doc, appended) = ctx.execute(Command::LiftBracket {
        bracket: args.bracket,
        method: method.clone(),
    })?;
    let e = &appended.events[0];
    if !matches!(&e.event, Event::BracketLifted { bracket, .. } if *bracket == args.bracket) {
        return Err(CliError::refused(format!(
            "event {} is a {}, not the lifting of {}: is --event-id reused?",
            e.seq,
            e.event.kind(),
            args.bracket
        )));
    }
    let b = doc.bracket(args.bracket)?;
    let label = render::label(&doc, b.clause);
    let rejected: Vec<(String, u64)> = appended.events[1..]
        .iter()
        .filter_map(|r| match &r.event {
            Event::DecisionRecorded { amendment, .. } => Some((amendment.to_string(), r.seq)),
            _ => None,
        })
        .collect();
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "bracket": args.bracket.to_string(), "clause": b.clause, "label": label,
            "span": b.span, "method": method, "seq": e.seq,
            "rejected": rejected.iter().map(|(no, seq)| serde_json::json!({
                "amendment": no, "seq": seq,
            })).collect::<Vec<_>>(),
        }));
    }
    let mut told = format!(
        "lifted {} in {label} {method}, keeping \"{}\" as drafted (event {})",
        args.bracket, b.span, e.seq
    );
    if !rejected.is_empty() {
        let list: Vec<String> = rejected
            .iter()
            .map(|(no, seq)| format!("{no} (event {seq})"))
            .collect();
        told.push_str(&format!(
            "; its alternatives rejected with it: {}",
            list.join(", ")
        ));
    }
    ctx.line(told)
}

/// Arguments of `brackets`.
#[derive(Args, Debug)]
pub struct BracketsArgs {
    /// Only the brackets in this clause: its label, or an id prefix
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// Also the brackets no longer open: resolved, lifted, overtaken
    #[arg(long)]
    pub all: bool,
}

/// Run `brackets`.
pub fn list(ctx: &mut Ctx<'_>, args: &BracketsArgs) -> CliResult {
    // Every bracket lists its closed alternatives too (rejected or withdrawn amendments, in
    // `--json`), which only every amendment holds: there is no index of them by bracket.
    let doc = ctx.document_with_every_amendment()?;
    let names = Names::load(ctx.store)?;
    let only = args
        .clause
        .as_deref()
        .map(|c| doc.resolve_clause(c))
        .transpose()?;
    let groups = by_clause(&doc, only, args.all);
    if ctx.globals.json {
        let rows: Vec<serde_json::Value> = groups
            .iter()
            .map(|(clause, brackets)| {
                serde_json::json!({
                    "clause": clause,
                    "label": render::label(&doc, *clause),
                    "agreement": doc.clause(*clause).map(|_| doc.agreement_of(*clause)),
                    "brackets": brackets
                        .iter()
                        .map(|b| render::bracket_json(&doc, b, &names))
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        return ctx.json(&rows);
    }
    if groups.is_empty() {
        let scope = only
            .map(|c| format!(" in {}", render::label(&doc, c)))
            .unwrap_or_default();
        return ctx.line(if args.all {
            format!("no brackets{scope} yet")
        } else {
            format!("no open brackets{scope} (--all lists the resolved, lifted and overtaken ones)")
        });
    }
    let mut first = true;
    for (clause, brackets) in &groups {
        if !first {
            ctx.line("")?;
        }
        first = false;
        let label = render::label(&doc, *clause);
        match doc.clause(*clause) {
            Some(c) => ctx.line(format_args!(
                "{label} ({})  {}",
                render::agreement(doc.agreement_of(*clause)),
                doc.bracketed_text(c).replace('\n', "\n    ")
            ))?,
            None => ctx.line(format_args!("{label} (removed from the text)"))?,
        }
        for b in brackets {
            for l in bracket_lines(&doc, b, &names, args.all) {
                ctx.line(l)?;
            }
        }
    }
    Ok(())
}

/// The brackets to list, grouped by clause in reading order (clauses removed from the text
/// last); in a clause, the open ones in the order of their words, then the others by number.
fn by_clause(
    doc: &DocumentState,
    only: Option<ClauseId>,
    all: bool,
) -> Vec<(ClauseId, Vec<&Bracket>)> {
    let shown = |b: &&Bracket| {
        (all || b.status == BracketStatus::Open) && only.is_none_or(|c| b.clause == c)
    };
    let mut groups: Vec<(ClauseId, Vec<&Bracket>)> = Vec::new();
    for (_, c) in doc.outline() {
        let mut brackets: Vec<&Bracket> = doc.open_brackets_on(c);
        brackets.extend(
            doc.process
                .brackets
                .values()
                .filter(|b| b.clause == c.id && b.status != BracketStatus::Open),
        );
        brackets.retain(shown);
        if !brackets.is_empty() {
            groups.push((c.id, brackets));
        }
    }
    // Brackets whose clause left the text (all overtaken).
    for b in doc.process.brackets.values().filter(shown) {
        if doc.clause(b.clause).is_none() {
            match groups.iter_mut().find(|(c, _)| *c == b.clause) {
                Some((_, list)) => list.push(b),
                None => groups.push((b.clause, vec![b])),
            }
        }
    }
    groups
}

/// One bracket for people: its words, who raised it and where it stands, then its
/// alternatives with the delegations holding each (with `all`, also those no longer open).
fn bracket_lines(doc: &DocumentState, b: &Bracket, names: &Names, all: bool) -> Vec<String> {
    let status = match &b.status {
        BracketStatus::Open => "open".to_string(),
        BracketStatus::Resolved { amendment, seq } => {
            format!("resolved by {amendment} at event {seq}")
        }
        BracketStatus::Lifted { seq } => format!("lifted at event {seq}, words kept as drafted"),
        BracketStatus::Overtaken { seq } => {
            format!("overtaken at event {seq}: a later change took the words out")
        }
    };
    let mut out = vec![format!(
        "  {}  [{}]  raised by {} at event {} · {status}",
        b.no,
        b.span,
        names.of(b.raised_by),
        b.raised_seq
    )];
    let text_of = |a: &travaux_core::Amendment| match &a.change {
        travaux_core::Change::Alternative { text, .. } => text.clone(),
        _ => String::new(),
    };
    if b.status == BracketStatus::Open {
        out.push(format!("      Alt 1  \"{}\"  as drafted", b.span));
        for (i, a) in doc.alternatives(b.no).enumerate() {
            let mut line = format!(
                "      Alt {}  \"{}\"  {}, held by {}",
                i + 2,
                text_of(a),
                a.no,
                render::holders(a, names).join(", ")
            );
            if !a.opposers.is_empty() {
                let against: Vec<String> = a.opposers.iter().map(|p| names.of(*p)).collect();
                line.push_str(&format!("; opposed by {}", against.join(", ")));
            }
            out.push(line);
        }
    }
    for a in render::alternatives_ever(doc, b)
        .filter(|a| !(b.status == BracketStatus::Open && a.status.is_open()))
        .filter(|_| all)
    {
        out.push(format!(
            "      {}  \"{}\"  {}, held by {}",
            a.no,
            text_of(a),
            a.status.name(),
            render::holders(a, names).join(", ")
        ));
    }
    out
}
