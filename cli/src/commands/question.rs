//! `travaux question` and `travaux questions`: consultation questions and their answers.
//!
//! The secretariat poses questions (optionally grouped, as the boxes of a consultation paper,
//! and tied to clauses); participants answer them with `travaux comment --answers Q3`.
//! `questions` shows each question with its answers by position and by participant kind,
//! naming who answered; with one question, also the text of each answer.

use std::collections::{BTreeMap, HashMap};

use clap::Args;
use serde::Serialize;
use travaux_core::{
    Command, CommentNo, DocumentState, Event, Participant, ParticipantId, ParticipantKind,
    Position, Question, QuestionNo, StreamId,
};

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render;

/// Arguments of `question`.
#[derive(Args, Debug)]
pub struct QuestionArgs {
    /// What the question asks
    pub text: String,
    /// The group it belongs to, such as "Box 2: International recruitment practices"
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// A clause it is about (its label, such as 3.1); repeat for several
    #[arg(long = "clause", value_name = "CLAUSE")]
    pub clauses: Vec<String>,
}

/// Run `question`: pose a consultation question (secretariat).
pub fn pose(ctx: &mut Ctx<'_>, args: &QuestionArgs) -> CliResult {
    // `question list` meant the list, which is `questions`.
    if ["list", "ls"].contains(&args.text.trim().to_ascii_lowercase().as_str()) {
        return Err(CliError::refused(format!(
            "a question reading {:?} looks like a command: `travaux questions` lists the questions. Nothing was written",
            args.text.trim()
        )));
    }
    let doc = ctx.document()?;
    let clauses = args
        .clauses
        .iter()
        .map(|c| doc.resolve_clause(c))
        .collect::<Result<Vec<_>, _>>()?;
    let (doc, appended) = ctx.execute(Command::PoseQuestion {
        group: args.group.clone(),
        text: args.text.clone(),
        clauses,
    })?;
    let e = &appended.events[0];
    let Event::QuestionPosed { question, .. } = &e.event else {
        return Err(CliError::refused(format!(
            "event {} is a {}, not a question: is --event-id reused?",
            e.seq,
            e.event.kind()
        )));
    };
    let q = doc.question(*question)?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "question": q.no.to_string(),
            "seq": e.seq,
            "group": q.group,
            "text": q.text,
            "clauses": labels(&doc, q),
        }));
    }
    ctx.line(format_args!("posed {} at event {}", q.no, e.seq))
}

/// Arguments of `questions`.
#[derive(Args, Debug)]
pub struct QuestionsArgs {
    /// Only this question, with the text of each answer: Q3
    #[arg(value_name = "QUESTION")]
    pub question: Option<QuestionNo>,
}

/// The participant kinds in the order reports list them.
pub(crate) const KINDS: [ParticipantKind; 5] = [
    ParticipantKind::MemberState,
    ParticipantKind::NonStateActor,
    ParticipantKind::Expert,
    ParticipantKind::Public,
    ParticipantKind::Secretariat,
];

/// The positions in the order reports list them.
const POSITIONS: [Position; 3] = [Position::Support, Position::Oppose, Position::Neutral];

/// Handles for people: the first `max`, then how many more (JSON names them all).
pub(crate) fn some_names(names: &[String], max: usize) -> String {
    let mut s = names
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        s.push_str(&format!(" and {} more", names.len() - max));
    }
    s
}

/// Every registered participant, by id.
pub(crate) fn registry(ctx: &Ctx<'_>) -> CliResult<HashMap<ParticipantId, Participant>> {
    Ok(ctx
        .store
        .participants()?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// One answer, as listed.
#[derive(Serialize)]
struct AnswerRow {
    comment: String,
    participant: String,
    kind: Option<ParticipantKind>,
    position: Position,
    #[serde(skip_serializing_if = "Option::is_none")]
    clause: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
}

/// Answers of one position: how many, and who gave them by participant kind.
#[derive(Serialize)]
struct PositionGroup {
    answers: usize,
    by_kind: BTreeMap<String, Vec<String>>,
}

/// Answers of one participant kind: how many of each position, and who.
#[derive(Serialize, Default)]
struct KindGroup {
    answers: usize,
    support: usize,
    oppose: usize,
    neutral: usize,
    participants: Vec<String>,
}

/// A question with its answers grouped, for tools and for rendering.
#[derive(Serialize)]
struct QuestionView {
    question: String,
    group: Option<String>,
    text: String,
    clauses: Vec<String>,
    posed_seq: u64,
    answers: usize,
    by_position: BTreeMap<String, PositionGroup>,
    by_kind: BTreeMap<String, KindGroup>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer_texts: Option<Vec<AnswerRow>>,
}

/// The text, clause and event of each comment answering a question, read from the stream.
struct Posted {
    text: String,
    clause: Option<String>,
    seq: u64,
}

/// Run `questions`.
pub fn list(ctx: &mut Ctx<'_>, args: &QuestionsArgs) -> CliResult {
    let doc = ctx.document_at(&travaux_core::Point::Head)?;
    let people = registry(ctx)?;
    let shown: Vec<&Question> = match args.question {
        Some(no) => vec![doc.question(no)?],
        None => doc.process.questions.values().collect(),
    };
    let texts = match args.question {
        Some(no) => Some(answer_texts(ctx, &doc, no)?),
        None => None,
    };
    let views: Vec<QuestionView> = shown
        .iter()
        .map(|q| view(&doc, q, &people, texts.as_ref()))
        .collect();
    if ctx.globals.json {
        return match args.question {
            Some(_) => ctx.json(&views[0]),
            None => ctx.json(&views),
        };
    }
    if views.is_empty() {
        return ctx.line(format_args!(
            "no consultation questions in {} yet; the secretariat poses one with `travaux question TEXT`",
            doc.slug
        ));
    }
    for (i, v) in views.iter().enumerate() {
        if i > 0 {
            ctx.line("")?;
        }
        render_view(ctx, v)?;
    }
    Ok(())
}

/// The comments that answer a question, by number, read from the document's stream.
fn answer_texts(
    ctx: &Ctx<'_>,
    doc: &DocumentState,
    no: QuestionNo,
) -> CliResult<HashMap<CommentNo, Posted>> {
    let mut found = HashMap::new();
    for e in ctx.store.stream(StreamId::document(doc.id)) {
        let e = e?;
        if let Event::CommentPosted {
            comment,
            clause,
            text,
            question: Some(q),
            ..
        } = &e.event
        {
            if *q == no {
                found.insert(
                    *comment,
                    Posted {
                        text: text.clone(),
                        clause: clause.map(|c| render::label(doc, c)),
                        seq: e.seq,
                    },
                );
            }
        }
    }
    Ok(found)
}

fn labels(doc: &DocumentState, q: &Question) -> Vec<String> {
    q.clauses.iter().map(|c| render::label(doc, *c)).collect()
}

fn view(
    doc: &DocumentState,
    q: &Question,
    people: &HashMap<ParticipantId, Participant>,
    texts: Option<&HashMap<CommentNo, Posted>>,
) -> QuestionView {
    let who = |id: ParticipantId| -> (String, Option<ParticipantKind>) {
        match people.get(&id) {
            Some(p) => (p.handle.clone(), Some(p.kind)),
            None => (id.short(), None),
        }
    };
    let kind_name = |k: Option<ParticipantKind>| k.map_or("unknown", |k| k.name()).to_string();
    let mut by_position = BTreeMap::new();
    for position in POSITIONS {
        let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut answers = 0;
        for a in q.answers.iter().filter(|a| a.position == position) {
            answers += 1;
            let (handle, kind) = who(a.participant);
            let names = by_kind.entry(kind_name(kind)).or_default();
            if !names.contains(&handle) {
                names.push(handle);
            }
        }
        by_position.insert(
            position.name().to_string(),
            PositionGroup { answers, by_kind },
        );
    }
    let mut by_kind: BTreeMap<String, KindGroup> = BTreeMap::new();
    for a in &q.answers {
        let (handle, kind) = who(a.participant);
        let g = by_kind.entry(kind_name(kind)).or_default();
        g.answers += 1;
        match a.position {
            Position::Support => g.support += 1,
            Position::Oppose => g.oppose += 1,
            Position::Neutral => g.neutral += 1,
        }
        if !g.participants.contains(&handle) {
            g.participants.push(handle);
        }
    }
    let answer_texts = texts.map(|texts| {
        q.answers
            .iter()
            .map(|a| {
                let (participant, kind) = who(a.participant);
                let posted = texts.get(&a.comment);
                AnswerRow {
                    comment: a.comment.to_string(),
                    participant,
                    kind,
                    position: a.position,
                    clause: posted.and_then(|p| p.clause.clone()),
                    text: posted.map(|p| p.text.clone()),
                    seq: posted.map(|p| p.seq),
                }
            })
            .collect()
    });
    QuestionView {
        question: q.no.to_string(),
        group: q.group.clone(),
        text: q.text.clone(),
        clauses: labels(doc, q),
        posed_seq: q.posed_seq,
        answers: q.answers.len(),
        by_position,
        by_kind,
        answer_texts,
    }
}

/// The kinds present in a grouping, in report order (an unknown kind last).
fn kinds_present<V>(map: &BTreeMap<String, V>) -> impl Iterator<Item = (&str, &V)> {
    KINDS
        .iter()
        .map(|k| k.name())
        .chain(["unknown"])
        .filter_map(move |k| map.get_key_value(k).map(|(k, v)| (k.as_str(), v)))
}

fn render_view(ctx: &mut Ctx<'_>, v: &QuestionView) -> CliResult {
    match &v.group {
        Some(g) => ctx.line(format_args!("{}  {g}", v.question))?,
        None => ctx.line(&v.question)?,
    }
    ctx.line(format_args!("    {}", v.text))?;
    if !v.clauses.is_empty() {
        ctx.line(format_args!("    on {}", v.clauses.join(", ")))?;
    }
    if v.answers == 0 {
        return ctx.line("    no answers yet");
    }
    let count = |p: &str| v.by_position.get(p).map_or(0, |g| g.answers);
    ctx.line(format_args!(
        "    {} {}: {} support, {} oppose, {} neutral",
        v.answers,
        if v.answers == 1 { "answer" } else { "answers" },
        count("support"),
        count("oppose"),
        count("neutral")
    ))?;
    for position in POSITIONS {
        let Some(g) = v.by_position.get(position.name()) else {
            continue;
        };
        for (i, (kind, names)) in kinds_present(&g.by_kind).enumerate() {
            let head = if i == 0 { position.name() } else { "" };
            ctx.line(format_args!(
                "      {head:<8} {kind:<16} {}",
                names.join(", ")
            ))?;
        }
    }
    let kinds: Vec<String> = kinds_present(&v.by_kind)
        .map(|(kind, g)| {
            let stances: Vec<String> = [
                (g.support, "support"),
                (g.oppose, "oppose"),
                (g.neutral, "neutral"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, p)| format!("{n} {p}"))
            .collect();
            format!("{kind} {} ({})", g.answers, stances.join(", "))
        })
        .collect();
    ctx.line(format_args!("    by kind: {}", kinds.join("; ")))?;
    if let Some(rows) = &v.answer_texts {
        ctx.line("")?;
        for r in rows {
            let on = r
                .clause
                .as_deref()
                .map(|c| format!(" on {c}"))
                .unwrap_or_default();
            ctx.line(format_args!(
                "  {} {} ({}), {}{on}:",
                r.comment,
                r.participant,
                r.kind.map_or("unknown", |k| k.name()),
                r.position
            ))?;
            for line in r.text.as_deref().unwrap_or("(text not found)").lines() {
                ctx.line(format_args!("      {line}"))?;
            }
        }
    }
    Ok(())
}
