//! Rendering for people: times, events told in words, the text as an outline.

use std::collections::HashMap;

use travaux_core::address::Addresses;
use travaux_core::{
    Agreement, Amendment, Bracket, BracketStatus, Change, ClauseId, ClauseOp, DocumentState, Event,
    Outcome, ParticipantId, RecordedEvent, Timestamp,
};

/// A time as people read it in a log.
pub fn when(t: &Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// One event for tools, in the one shape `log --json` and `replay --json` give: its envelope
/// (`seq`, `id`, `stream`, `version`, `time`, `schema`, `prev_hash`, `hash`), who recorded it
/// (`actor`, the participant's id, and `handle`), its `type`, the `phase` it belongs to, and
/// its payload (`event`).
pub fn event_json(
    e: &RecordedEvent,
    names: &Names,
    phase: Option<travaux_core::PhaseNo>,
) -> Result<serde_json::Value, serde_json::Error> {
    let payload = match serde_json::to_value(&e.event)? {
        serde_json::Value::Object(mut m) => m.remove(e.event.kind()).unwrap_or_default(),
        other => other,
    };
    Ok(serde_json::json!({
        "seq": e.seq,
        "id": e.id,
        "stream": e.stream,
        "version": e.version,
        "time": e.recorded_at,
        "actor": e.actor,
        "handle": names.of(e.actor),
        "type": e.event.kind(),
        "phase": phase.map(|p| p.to_string()),
        "event": payload,
        "schema": e.schema,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }))
}

/// Participant handles by id, for telling events.
pub struct Names(pub HashMap<ParticipantId, String>);

impl Names {
    /// Load every participant's handle.
    pub fn load(store: &travaux_store::Store) -> Result<Names, travaux_store::StoreError> {
        Ok(Names(
            store
                .participants()?
                .into_iter()
                .map(|p| (p.id, p.handle))
                .collect(),
        ))
    }

    /// Load every participant's name, for telling the story to people.
    pub fn load_names(store: &travaux_store::Store) -> Result<Names, travaux_store::StoreError> {
        Ok(Names(
            store
                .participants()?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect(),
        ))
    }

    /// The handle of a participant.
    pub fn of(&self, id: ParticipantId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| id.short())
    }
}

/// How a clause is named to people: its address (`5.1 (b)`, `§ 312 (1)`: its label, or as much
/// of its path as tells it from the other clauses with that label; see
/// `DocumentState::address_of`), which `--clause` and the commands naming a clause read back;
/// for a removed clause, the label it last had.
pub fn label(doc: &DocumentState, id: ClauseId) -> String {
    match doc.label_of(id) {
        Some(_) => doc.address_of(id),
        None => id.short(),
    }
}

/// The addresses of many clauses of one state at once, as [`label`] names each, in time that
/// grows with the text (naming each clause by itself compares it with every other clause).
pub fn addresses(
    doc: &DocumentState,
    ids: impl IntoIterator<Item = ClauseId>,
) -> HashMap<ClauseId, String> {
    let ids: Vec<ClauseId> = ids.into_iter().collect();
    if ids.len() <= 16 {
        return ids.into_iter().map(|id| (id, label(doc, id))).collect();
    }
    let all = Addresses::of(doc);
    ids.into_iter()
        .map(|id| match doc.clause(id) {
            Some(_) => (id, all.of_clause(id)),
            None => (id, label(doc, id)),
        })
        .collect()
}

/// An amendment's change in a few words.
pub fn change(doc: &DocumentState, change: &Change) -> String {
    let l = |id| label(doc, id);
    let place = |parent: &Option<ClauseId>, after: &Option<ClauseId>| match (parent, after) {
        (_, Some(a)) => format!("after {}", l(*a)),
        (Some(p), None) => format!("first under {}", l(*p)),
        (None, None) => "at the top".to_string(),
    };
    match change {
        Change::Replace { clause, .. } => format!("replace {}", l(*clause)),
        Change::Insert {
            label,
            parent,
            after,
            ..
        } => format!("insert {label} {}", place(parent, after)),
        Change::Delete { clause } => format!("delete {}", l(*clause)),
        Change::Move {
            clause,
            parent,
            after,
        } => format!("move {} {}", l(*clause), place(parent, after)),
        Change::Alternative {
            clause, bracket, ..
        } => format!("alternative for {bracket} in {}", l(*clause)),
        Change::Words { clause, edit } => format!("in {}: {edit}", doc.address_of(*clause)),
    }
}

/// A word-level amendment's words in the clause as it stands, struck and inserted as `diff`
/// marks them (`[-shall-]{+should+}` without colour), with up to 60 characters of the text
/// on each side; `None` when the words are no longer in the clause.
pub fn words_marked(
    doc: &DocumentState,
    clause: ClauseId,
    edit: &travaux_core::words::WordEdit,
    color: bool,
) -> Option<String> {
    use travaux_core::diff::{Span, SpanKind};
    const AROUND: usize = 60;
    let edited = edit.apply(&doc.clause(clause)?.text).ok()?;
    // Whole words of context: cut at a space, with an ellipsis where the text goes on.
    let before = match edited.before.char_indices().rev().nth(AROUND) {
        Some((at, _)) => match edited.before[at..].find(' ') {
            Some(space) => format!("…{}", &edited.before[at + space + 1..]),
            None => edited.before.clone(),
        },
        None => edited.before.clone(),
    };
    let after = match edited.after.char_indices().nth(AROUND) {
        Some((at, _)) => match edited.after[..at].rfind(' ') {
            Some(space) => format!("{}…", &edited.after[..space]),
            None => edited.after.clone(),
        },
        None => edited.after.clone(),
    };
    let spans: Vec<Span> = [
        (SpanKind::Equal, before),
        (SpanKind::Delete, edited.deleted),
        (SpanKind::Insert, edited.inserted),
        (SpanKind::Equal, after),
    ]
    .into_iter()
    .filter(|(_, text)| !text.is_empty())
    .map(|(kind, text)| Span {
        kind,
        text: text.replace('\n', " "),
    })
    .collect();
    Some(spans_inline(&spans, color))
}

/// An amendment for tools: the same JSON wherever amendments are listed.
pub fn amendment_json(a: &travaux_core::Amendment, names: &Names) -> serde_json::Value {
    let handles = |ps: &std::collections::BTreeSet<ParticipantId>| -> Vec<String> {
        ps.iter().map(|p| names.of(*p)).collect()
    };
    serde_json::json!({
        "amendment": a.no.to_string(),
        "proposer": names.of(a.proposer),
        "change": a.change,
        "rationale": a.rationale,
        "status": a.status.name(),
        "decision": a.status,
        "supporters": handles(&a.supporters),
        "opposers": handles(&a.opposers),
        "proposed_seq": a.proposed_seq,
    })
}

/// An amendment for tools, as [`amendment_json`], and for a word-level amendment the clause's
/// wording if it were accepted now (`proposed_text`: `null` once its words are gone).
pub fn amendment_json_in(
    doc: &DocumentState,
    a: &travaux_core::Amendment,
    names: &Names,
) -> serde_json::Value {
    let mut row = amendment_json(a, names);
    if let Change::Words { clause, edit } = &a.change {
        row["proposed_text"] = doc
            .clause(*clause)
            .and_then(|c| edit.apply(&c.text).ok())
            .map(|e| e.text())
            .into();
    }
    row
}

/// A text diff inline, as `git diff --word-diff` shows it: with colour, deleted text struck
/// through in red and inserted text underlined in green (the colour closed at each line end, so
/// that pagers and indentation keep it to the line); without, `[-deleted-]{+inserted+}`.
pub fn spans_inline(spans: &[travaux_core::diff::Span], color: bool) -> String {
    use travaux_core::diff::SpanKind;
    let mut out = String::new();
    for s in spans {
        let style = match (s.kind, color) {
            (SpanKind::Equal, _) => {
                out.push_str(&s.text);
                continue;
            }
            (SpanKind::Delete, false) => {
                out.push_str(&format!("[-{}-]", s.text));
                continue;
            }
            (SpanKind::Insert, false) => {
                out.push_str(&format!("{{+{}+}}", s.text));
                continue;
            }
            (SpanKind::Delete, true) => "\x1b[9;31m",
            (SpanKind::Insert, true) => "\x1b[4;32m",
        };
        for (i, line) in s.text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if !line.is_empty() {
                out.push_str(&format!("{style}{line}\x1b[0m"));
            }
        }
    }
    out
}

/// Counts of what a list of operations did, in words: "3 added, 12 reworded".
pub fn ops_summary(ops: &[ClauseOp]) -> String {
    let mut counts = [0usize; 5];
    for op in ops {
        counts[match op {
            ClauseOp::Add { .. } => 0,
            ClauseOp::Reword { .. } => 1,
            ClauseOp::Remove { .. } => 2,
            ClauseOp::Move { .. } => 3,
            ClauseOp::Relabel { .. } => 4,
        }] += 1;
    }
    let words = ["added", "reworded", "removed", "moved", "relabelled"];
    let parts: Vec<String> = counts
        .iter()
        .zip(words)
        .filter(|(n, _)| **n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
    if parts.is_empty() {
        "no change to the text".into()
    } else {
        parts.join(", ")
    }
}

/// An event told in words, with labels as the document (at its head) knows them.
pub fn event(e: &RecordedEvent, doc: &DocumentState, names: &Names) -> String {
    // In quotes, spaces collapsed; past 70 characters, the first 69 and an ellipsis. The words
    // are joined only as far as that (a comment can be long).
    let quote = |s: &str| {
        let mut out = String::from("\"");
        let mut chars = 0;
        for (i, word) in s.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
                chars += 1;
            }
            out.push_str(word);
            chars += word.chars().count();
            if chars > 70 {
                let cut = out.char_indices().nth(70).map_or(out.len(), |(at, _)| at);
                out.truncate(cut);
                out.push_str("…\"");
                return out;
            }
        }
        out.push('"');
        out
    };
    match &e.event {
        Event::ParticipantRegistered {
            handle, name, kind, ..
        } => format!("registered {handle} ({name}, {kind})"),
        Event::DocumentCreated { slug, title, .. } => {
            format!("created document {slug}: {}", quote(title))
        }
        Event::RoleGranted { participant, role } => {
            format!("granted {role} to {}", names.of(*participant))
        }
        Event::RoleRevoked { participant, role } => {
            format!("revoked {role} from {}", names.of(*participant))
        }
        Event::RevisionIssued {
            revision,
            label,
            ops,
            title,
        } => {
            let mut what = ops_summary(ops);
            if let Some(t) = title {
                let titled = format!("titled {}", quote(t));
                what = if ops.is_empty() {
                    titled
                } else {
                    format!("{what}; {titled}")
                };
            }
            format!(
                "issued revision {revision}{}: {what}",
                label
                    .as_ref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default(),
            )
        }
        Event::AmendmentProposed {
            amendment, change, ..
        } => {
            let wording = match change {
                Change::Replace { text, .. }
                | Change::Insert { text, .. }
                | Change::Alternative { text, .. } => {
                    format!(": {}", quote(text))
                }
                _ => String::new(),
            };
            format!(
                "proposed {amendment}: {}{wording}",
                self::change(doc, change)
            )
        }
        Event::AmendmentSupported { amendment } => format!("supported {amendment}"),
        Event::AmendmentOpposed { amendment } => format!("opposed {amendment}"),
        Event::AmendmentWithdrawn { amendment } => format!("withdrew {amendment}"),
        Event::DecisionRecorded {
            amendment,
            outcome,
            method,
            ops,
        } => {
            // Accepting an alternative resolves its bracket.
            let resolving = match doc.amendments.get(amendment).map(|a| &a.change) {
                Some(Change::Alternative { bracket, .. })
                    if !ops.is_empty()
                        && matches!(
                            outcome,
                            Outcome::Accepted | Outcome::AcceptedAsModified { .. }
                        ) =>
                {
                    format!(", resolving {bracket}")
                }
                _ => String::new(),
            };
            format!(
                "decided {amendment}: {} {method}{resolving}",
                outcome.name()
            )
        }
        Event::CommentPosted {
            comment,
            clause,
            position,
            text,
            reply_to,
            question,
            received,
            ..
        } => format!(
            "{} {comment} on {}{} ({position}{}): {}",
            question
                .map(|q| format!("answered {q} in"))
                .unwrap_or_else(|| "commented".into()),
            clause
                .map(|c| label(doc, c))
                .unwrap_or_else(|| "the document".into()),
            reply_to
                .map(|r| format!(" in reply to {r}"))
                .unwrap_or_default(),
            received
                .map(|t| format!(", received {}", when(&t)))
                .unwrap_or_default(),
            quote(text)
        ),
        Event::TagSet { name, seq } => format!("tagged {name} at event {seq}"),
        Event::TagWithdrawn { name, seq } => {
            format!("withdrew tag {name} (it named event {seq})")
        }
        Event::CommentRetracted { comment } => format!("retracted {comment}"),
        Event::PhaseOpened {
            phase,
            kind,
            name,
            window,
            ..
        } => format!(
            "opened {phase}, {}: {}{}",
            kind.words(),
            quote(name),
            if window.is_empty() {
                String::new()
            } else {
                format!(" (planned {window})")
            }
        ),
        Event::PhaseClosed { phase } => format!("closed {phase}"),
        Event::QuestionPosed {
            question,
            group,
            text,
            ..
        } => format!(
            "posed {question}{}: {}",
            group
                .as_ref()
                .map(|g| format!(" ({g})"))
                .unwrap_or_default(),
            quote(text)
        ),
        Event::ReportSubmitted {
            report,
            phase,
            text,
        } => format!("reported {report} in {phase}: {}", quote(text)),
        Event::AgreementRecorded { clause, agreement } => match agreement {
            Agreement::Open => format!("reopened {}", label(doc, *clause)),
            _ => format!(
                "recorded {} as {}",
                label(doc, *clause),
                self::agreement(*agreement)
            ),
        },
        Event::TextBracketed {
            bracket,
            clause,
            span,
        } => format!(
            "bracketed {bracket} in {}: [{}]",
            label(doc, *clause),
            quote(span).trim_matches('"')
        ),
        Event::BracketLifted { bracket, method } => format!(
            "lifted {bracket}{}, keeping the words as drafted, {method}",
            doc.process
                .brackets
                .get(bracket)
                .map(|b| format!(" in {}", label(doc, b.clause)))
                .unwrap_or_default()
        ),
        Event::VisibilitySet { visibility } => format!(
            "made the document readable by {}",
            match visibility {
                travaux_core::Visibility::Public => "anyone",
                travaux_core::Visibility::Members => "its members only",
            }
        ),
        Event::TokenIssued { participant, .. } => {
            format!("issued a token to {}", names.of(*participant))
        }
        Event::TokenRevoked { token } => format!("revoked token {}", token.short()),
        Event::AdminGranted { participant } => {
            format!(
                "made {} an administrator of the store",
                names.of(*participant)
            )
        }
        Event::AdminRevoked { participant } => {
            format!(
                "took the store's administrator role from {}",
                names.of(*participant)
            )
        }
        Event::DocumentAdopted { symbol, method } => {
            format!("adopted the text as {symbol} {method}")
        }
    }
}

/// How far a clause is agreed, in words: "open", "agreed ad referendum", "agreed".
pub fn agreement(a: Agreement) -> &'static str {
    match a {
        Agreement::Open => "open",
        Agreement::AgreedAdReferendum => "agreed ad referendum",
        Agreement::Agreed => "agreed",
    }
}

/// The delegations holding an amendment (an alternative): its proposer, then its supporters.
pub fn holders(a: &Amendment, names: &Names) -> Vec<String> {
    std::iter::once(names.of(a.proposer))
        .chain(a.supporters.iter().map(|p| names.of(*p)))
        .collect()
}

/// The amendments proposed as alternatives to a bracket, open or not, in order of proposal.
pub fn alternatives_ever<'a>(
    doc: &'a DocumentState,
    bracket: &'a Bracket,
) -> impl Iterator<Item = &'a Amendment> {
    doc.amendments.values().filter(
        move |a| matches!(a.change, Change::Alternative { bracket: b, .. } if b == bracket.no),
    )
}

/// A bracket for tools: its words, who raised it, where it stands, and its alternatives: Alt 1
/// the words as drafted, Alt 2.. the open alternative amendments in order, each with the
/// delegations holding it; alternatives no longer open under `closed_alternatives`.
pub fn bracket_json(doc: &DocumentState, b: &Bracket, names: &Names) -> serde_json::Value {
    let text_of = |a: &Amendment| match &a.change {
        Change::Alternative { text, .. } => text.clone(),
        _ => String::new(),
    };
    let mut alternatives = vec![serde_json::json!({
        "alt": 1, "text": b.span, "amendment": null, "holders": [],
    })];
    if b.status == BracketStatus::Open {
        alternatives.extend(doc.alternatives(b.no).enumerate().map(|(i, a)| {
            serde_json::json!({
                "alt": i + 2,
                "text": text_of(a),
                "amendment": a.no.to_string(),
                "holders": holders(a, names),
                "opposers": a.opposers.iter().map(|p| names.of(*p)).collect::<Vec<_>>(),
            })
        }));
    }
    let closed: Vec<serde_json::Value> = alternatives_ever(doc, b)
        .filter(|a| !(b.status == BracketStatus::Open && a.status.is_open()))
        .map(|a| {
            serde_json::json!({
                "text": text_of(a),
                "amendment": a.no.to_string(),
                "status": a.status.name(),
                "holders": holders(a, names),
            })
        })
        .collect();
    serde_json::json!({
        "bracket": b.no.to_string(),
        "clause": b.clause,
        "label": label(doc, b.clause),
        "span": b.span,
        "raised_by": names.of(b.raised_by),
        "raised_seq": b.raised_seq,
        "status": b.status.name(),
        "decision": b.status,
        "alternatives": alternatives,
        "closed_alternatives": closed,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use travaux_core::{DocumentId, EventId, Hash, ParticipantId, RecordedEvent, StreamId};
    use uuid::Uuid;

    use super::*;

    fn recorded(seq: u64, event: Event) -> RecordedEvent {
        RecordedEvent {
            seq,
            id: EventId(Uuid::from_u128(seq as u128)),
            stream: StreamId(Uuid::from_u128(1)),
            version: seq,
            recorded_at: Utc.timestamp_opt(1_200_000_000 + seq as i64, 0).unwrap(),
            actor: ParticipantId(Uuid::from_u128(2)),
            schema: 1,
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event,
        }
    }

    /// Two parts, each with two articles of two paragraphs `(1)`, `(2)` with points `(a)`,
    /// `(b)`; a `§ 9` with a `(1)` alone; labels repeated at every level.
    #[test]
    fn the_addresses_of_many_clauses_are_those_of_each_alone() {
        let mut ops = Vec::new();
        let mut next = 10u128;
        let mut add = |parent: Option<ClauseId>, after: Option<ClauseId>, label: String| {
            next += 1;
            let id = ClauseId(Uuid::from_u128(next));
            ops.push(ClauseOp::Add {
                kind: None,
                notes: Vec::new(),
                clause: id,
                parent,
                after,
                label,
                heading: None,
                text: "Text.".into(),
            });
            id
        };
        let mut last_part = None;
        for p in 1..=2 {
            let part = add(None, last_part, format!("Part {p}"));
            last_part = Some(part);
            let mut last_article = None;
            for a in 1..=2 {
                let article = add(Some(part), last_article, format!("Article {a}"));
                last_article = Some(article);
                let mut last_paragraph = None;
                for n in 1..=2 {
                    let paragraph = add(Some(article), last_paragraph, format!("({n})"));
                    last_paragraph = Some(paragraph);
                    let a = add(Some(paragraph), None, "(a)".into());
                    add(Some(paragraph), Some(a), "(b)".into());
                }
            }
        }
        let s9 = add(None, last_part, "§ 9".into());
        add(Some(s9), None, "(1)".into());
        let events = [
            recorded(
                1,
                Event::DocumentCreated {
                    document: DocumentId(Uuid::from_u128(1)),
                    slug: "code".into(),
                    title: "Code".into(),
                },
            ),
            recorded(
                2,
                Event::RevisionIssued {
                    title: None,
                    revision: 1,
                    label: None,
                    ops,
                },
            ),
        ];
        let doc = DocumentState::replay(&events).expect("a document");
        let ids: Vec<ClauseId> = doc.outline().iter().map(|(_, c)| c.id).collect();
        assert!(ids.len() > 16, "the batch way is taken");
        let named = addresses(&doc, ids.iter().copied());
        for id in &ids {
            assert_eq!(named[id], doc.address_of(*id));
            assert_eq!(doc.resolve_clause(&named[id]), Ok(*id), "{}", named[id]);
        }
        let some: Vec<&str> = ids[..6].iter().map(|id| named[id].as_str()).collect();
        assert_eq!(
            some,
            [
                "Part 1",
                "Part 1 Article 1",
                "Part 1 Article 1 (1)",
                "Part 1 Article 1 (1) (a)",
                "Part 1 Article 1 (1) (b)",
                "Part 1 Article 1 (2)"
            ]
        );
    }
}
