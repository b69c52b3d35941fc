//! Rendering for people: times, events told in words, the text as an outline.

use std::collections::HashMap;

use travaux_core::{
    Agreement, Amendment, Bracket, BracketStatus, Change, ClauseId, ClauseOp, DocumentState, Event,
    Outcome, ParticipantId, RecordedEvent, Timestamp,
};

/// A time as people read it in a log.
pub fn when(t: &Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
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

    /// The handle of a participant.
    pub fn of(&self, id: ParticipantId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| id.short())
    }
}

/// A clause's label as the document knows it (current, or last before removal).
pub fn label(doc: &DocumentState, id: ClauseId) -> String {
    doc.label_of(id)
        .map(str::to_string)
        .unwrap_or_else(|| id.short())
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
    }
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
            ..
        } => format!(
            "{} {comment} on {}{} ({position}): {}",
            question
                .map(|q| format!("answered {q} in"))
                .unwrap_or_else(|| "commented".into()),
            clause
                .map(|c| label(doc, c))
                .unwrap_or_else(|| "the document".into()),
            reply_to
                .map(|r| format!(" in reply to {r}"))
                .unwrap_or_default(),
            quote(text)
        ),
        Event::TagSet { name, seq } => format!("tagged {name} at event {seq}"),
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
        Event::DocumentAdopted { symbol, method } => {
            format!("adopted the text as {symbol} {method}")
        }
    }
}

/// The clauses an event touches: by its operations, its amendment's clause, or its comment.
pub fn touches(e: &RecordedEvent, doc: &DocumentState, clause: ClauseId) -> bool {
    let by_amendment = |no| {
        doc.amendments
            .get(no)
            .is_some_and(|a| a.change.clause() == clause)
    };
    match &e.event {
        Event::RevisionIssued { ops, .. } => ops.iter().any(|op| op.clause() == clause),
        Event::DecisionRecorded { amendment, ops, .. } => {
            by_amendment(amendment) || ops.iter().any(|op| op.clause() == clause)
        }
        Event::AmendmentProposed { change, .. } => change.clause() == clause,
        Event::AmendmentSupported { amendment }
        | Event::AmendmentOpposed { amendment }
        | Event::AmendmentWithdrawn { amendment } => by_amendment(amendment),
        Event::CommentPosted { clause: c, .. } => *c == Some(clause),
        Event::AgreementRecorded { clause: c, .. } | Event::TextBracketed { clause: c, .. } => {
            *c == clause
        }
        Event::BracketLifted { bracket, .. } => doc
            .process
            .brackets
            .get(bracket)
            .is_some_and(|b| b.clause == clause),
        _ => false,
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
