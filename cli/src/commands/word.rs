//! `travaux export docx`: the text at a point, or the comparative print between two points, as
//! a Word document (written with `docx-rs`), for capitals that work in Word.
//!
//! The text: the title, then the clauses in reading order — containers, articles and clauses
//! with a heading as Word headings (`Heading 1`… by depth), provisions as paragraphs that start
//! with their label in bold, notes after their clause.
//!
//! The comparative print (`--compare FROM TO`): the whole text at TO, each changed clause with
//! its words struck and inserted as Word's tracked changes (`w:del`, `w:ins`, struck through
//! and underlined), authored by whoever made the change (the proposer of an accepted amendment,
//! the issuer of a revision) and dated; after the clause, a bracketed note names each change
//! between the two points that touched it: amendment, proposer, decision and date (or the
//! revision). Clauses removed stand struck where they stood. The comparison is `diff`'s
//! (`travaux_core::diff::diff_documents`, by clause identity).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use docx_rs::{Comment, Delete, Docx, Insert, Paragraph, Run, Style, StyleType};
use travaux_core::diff::{self, ClauseDiff, ClauseStatus, Granularity, Span, SpanKind};
use travaux_core::{
    Clause, ClauseId, ClauseKind, DocumentState, Event, ParticipantId, Point, RecordedEvent,
    Timestamp,
};

use super::diff::PointArg;
use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult};

/// Arguments of `export docx`.
#[derive(Args, Debug)]
pub struct DocxArgs {
    /// Where in history: head, an event number, a date or time, a tag or a revision's label
    #[arg(
        long,
        default_value = "head",
        value_name = "POINT",
        conflicts_with = "compare"
    )]
    pub at: Point,
    /// The comparative print from FROM to TO instead: struck and inserted words as tracked
    /// changes, each change named with its amendment, proposer, decision and date
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    pub compare: Option<Vec<PointArg>>,
    /// The file to write (a .docx)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where a file named with `-o` goes: relative to the directory of a script, refused over the
/// server (the file would be written where the server runs).
pub fn output_path(ctx: &Ctx<'_>, output: &Path, command: &str) -> CliResult<PathBuf> {
    match ctx.inputs {
        Inputs::Dir(base) if output.is_relative() => Ok(base.join(output)),
        Inputs::Sent(_) => Err(CliError::refused(format!(
            "{command} -o writes a file where the server runs; run it against the store"
        ))),
        _ => Ok(output.to_path_buf()),
    }
}

/// Who is who: display names by participant.
struct People(HashMap<ParticipantId, (String, String)>);

impl People {
    fn name(&self, id: ParticipantId) -> String {
        self.0
            .get(&id)
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| id.short())
    }
}

/// Run `export docx`.
pub fn run(ctx: &mut Ctx<'_>, args: &DocxArgs) -> CliResult {
    let Some(output) = &args.output else {
        return Err(CliError::refused(
            "a Word document is a binary file: name it with -o FILE.docx",
        ));
    };
    let path = output_path(ctx, output, "export docx")?;
    let people = People(
        ctx.store
            .participants()?
            .into_iter()
            .map(|p| (p.id, (p.name, p.handle)))
            .collect(),
    );
    let (docx, summary) = match &args.compare {
        Some(points) => {
            let [from, to] = points.as_slice() else {
                return Err(CliError::refused("--compare takes two points: FROM TO"));
            };
            compare(ctx, &people, from, to)?
        }
        None => {
            let doc = ctx.document_at(&ctx.absolute_point(&args.at)?)?;
            let doc = doc.with_brackets_shown().unwrap_or(doc);
            let summary = serde_json::json!({
                "document": doc.slug, "seq": doc.seq, "clauses": doc.clause_count(),
            });
            (text(&doc), summary)
        }
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| CliError::refused(format!("cannot write the Word document: {e}")))?;
    let bytes = bytes.into_inner();
    std::fs::write(&path, &bytes)
        .map_err(|e| CliError::refused(format!("cannot write {}: {e}", path.display())))?;
    let mut summary = summary;
    summary["file"] = path.display().to_string().into();
    summary["bytes"] = bytes.len().into();
    if ctx.globals.json {
        return ctx.json(&summary);
    }
    let what = match &args.compare {
        Some(p) => format!("the comparative print {} → {}", p[0].text, p[1].text),
        None => format!("the text as at event {}", summary["seq"]),
    };
    ctx.line(format_args!(
        "wrote {what} of {} as Word to {}",
        summary["document"].as_str().unwrap_or_default(),
        path.display()
    ))
}

/// A new document with the title and heading styles Word and pandoc know by name.
fn document(title: &str) -> Docx {
    let mut d = Docx::new().add_style(
        Style::new("TravauxTitle", StyleType::Paragraph)
            .name("Title")
            .size(36)
            .bold(),
    );
    for level in 1..=6 {
        d = d.add_style(
            Style::new(format!("Heading{level}"), StyleType::Paragraph)
                .name(format!("heading {level}"))
                .size(34 - 2 * level)
                .bold(),
        );
    }
    d.add_paragraph(
        Paragraph::new()
            .style("TravauxTitle")
            .add_run(Run::new().add_text(title)),
    )
}

/// Whether a clause is written as a heading (as `show --format markdown` does).
fn heading_form(doc: &DocumentState, c: &Clause) -> bool {
    let kind = c.kind(doc);
    kind.is_container() || kind == ClauseKind::Article || c.heading.is_some()
}

fn heading_style(depth: usize) -> String {
    format!("Heading{}", (depth + 1).min(6))
}

/// Paragraph runs of a text kept as Markdown: one paragraph per blank-line-separated block,
/// line breaks kept.
fn blocks(text: &str) -> Vec<Vec<Run>> {
    text.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|b| {
            let mut runs = Vec::new();
            for (i, line) in b.split('\n').enumerate() {
                let mut r = Run::new();
                if i > 0 {
                    r = r.add_break(docx_rs::BreakType::TextWrapping);
                }
                runs.push(r.add_text(line));
            }
            runs
        })
        .collect()
}

fn indented(p: Paragraph, depth: usize) -> Paragraph {
    if depth == 0 {
        return p;
    }
    p.indent(Some(360 * depth as i32), None, None, None)
}

/// The text at a point.
fn text(doc: &DocumentState) -> Docx {
    let mut d = document(&doc.title);
    for (depth, c) in doc.outline() {
        let mut paragraphs = Vec::new();
        if heading_form(doc, c) {
            let title = match &c.heading {
                Some(h) => format!("{} — {h}", c.label),
                None => c.label.clone(),
            };
            paragraphs.push(
                Paragraph::new()
                    .style(&heading_style(depth))
                    .add_run(Run::new().add_text(title)),
            );
            for runs in blocks(&c.text) {
                paragraphs.push(indented(
                    runs.into_iter().fold(Paragraph::new(), Paragraph::add_run),
                    depth,
                ));
            }
        } else {
            for (i, runs) in blocks(&c.text).into_iter().enumerate() {
                let mut p = Paragraph::new();
                if i == 0 {
                    p = p.add_run(Run::new().add_text(format!("{} ", c.label)).bold());
                }
                paragraphs.push(indented(
                    runs.into_iter().fold(p, Paragraph::add_run),
                    depth,
                ));
            }
            if c.text.trim().is_empty() {
                paragraphs.push(indented(
                    Paragraph::new().add_run(Run::new().add_text(c.label.clone()).bold()),
                    depth,
                ));
            }
        }
        for n in &c.notes {
            paragraphs.push(indented(
                Paragraph::new().add_run(
                    Run::new()
                        .add_text(format!("[{}] {}", n.mark, n.text))
                        .size(18),
                ),
                depth,
            ));
        }
        for p in paragraphs {
            d = d.add_paragraph(p);
        }
    }
    d
}

/// A change between the two points that touched a clause: who made it, when, and what it was.
struct Change {
    author: String,
    at: Timestamp,
    note: String,
}

fn word_date(at: &Timestamp) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The comparative print.
fn compare(
    ctx: &mut Ctx<'_>,
    people: &People,
    from_arg: &PointArg,
    to_arg: &PointArg,
) -> CliResult<(Docx, serde_json::Value)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let from = ctx.document_at(&ctx.absolute_point(&from_arg.point)?)?;
    let to = ctx.document_at(&ctx.absolute_point(&to_arg.point)?)?;
    if from.seq > to.seq {
        return Err(CliError::refused(format!(
            "{} (event {}) comes after {} (event {}): give the earlier point first",
            from_arg.text, from.seq, to_arg.text, to.seq
        )));
    }
    let d = diff::diff_documents(&from, &to, None, Granularity::Words, Some(deadline));

    // Each text change between the two points, named, under every clause it touched.
    let events: Vec<RecordedEvent> = ctx
        .store
        .text_events(to.id)?
        .filter(|e| {
            e.as_ref()
                .map_or(true, |e| e.seq > from.seq && e.seq <= to.seq)
        })
        .collect::<Result<_, _>>()?;
    let mut changes: HashMap<ClauseId, Vec<usize>> = HashMap::new();
    let mut named: Vec<Change> = Vec::new();
    for e in &events {
        let change = match &e.event {
            Event::DecisionRecorded {
                amendment,
                outcome,
                method,
                ..
            } => {
                let proposer = ctx
                    .store
                    .amendment(to.id, *amendment)?
                    .map_or(e.actor, |a| a.proposer);
                let author = people.name(proposer);
                Change {
                    note: format!(
                        "{amendment}, proposed by {author}: {} {method} on {} (event {}, recorded by {})",
                        outcome.name().replace('_', " "),
                        e.recorded_at.format("%-d %B %Y"),
                        e.seq,
                        people.name(e.actor)
                    ),
                    author,
                    at: e.recorded_at,
                }
            }
            Event::RevisionIssued {
                revision, label, ..
            } => {
                let author = people.name(e.actor);
                let name = match label {
                    Some(l) => format!("Revision {revision} ({l})"),
                    None => format!("Revision {revision}"),
                };
                Change {
                    note: format!(
                        "{name}, issued by {author} on {} (event {})",
                        e.recorded_at.format("%-d %B %Y"),
                        e.seq
                    ),
                    author,
                    at: e.recorded_at,
                }
            }
            other => Change {
                author: people.name(e.actor),
                at: e.recorded_at,
                note: format!("{} (event {})", other.kind().replace('_', " "), e.seq),
            },
        };
        // A revision in parts is one change: name it once.
        let i = match named.last() {
            Some(last) if last.note == change.note => named.len() - 1,
            _ => {
                named.push(change);
                named.len() - 1
            }
        };
        for op in e.event.ops() {
            let list = changes.entry(op.clause()).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }

    let by_id: HashMap<ClauseId, &ClauseDiff> = d.clauses.iter().map(|c| (c.clause, c)).collect();
    // Removed clauses stand after the clause that preceded them and is still there.
    let mut removed_after: HashMap<Option<ClauseId>, Vec<(usize, &Clause)>> = HashMap::new();
    let mut anchor = None;
    for (depth, c) in from.outline() {
        if to.clause(c.id).is_some() {
            anchor = Some(c.id);
        } else {
            removed_after.entry(anchor).or_default().push((depth, c));
        }
    }

    let title = format!(
        "{} — comparative print, {} (event {}) → {} (event {})",
        to.title, from_arg.text, from.seq, to_arg.text, to.seq
    );
    let mut docx = document(&title);
    let comments = std::cell::Cell::new(0);
    let write_removed = |docx: Docx, after: Option<ClauseId>| {
        let mut docx = docx;
        for (depth, c) in removed_after.get(&after).into_iter().flatten() {
            let x = by_id.get(&c.id).copied();
            docx = clause(
                docx,
                &from,
                c,
                *depth,
                x,
                changes.get(&c.id),
                &named,
                &comments,
            );
        }
        docx
    };
    docx = write_removed(docx, None);
    for (depth, c) in to.outline() {
        docx = clause(
            docx,
            &to,
            c,
            depth,
            by_id.get(&c.id).copied(),
            changes.get(&c.id),
            &named,
            &comments,
        );
        docx = write_removed(docx, Some(c.id));
    }
    let (ins, del) = d.word_counts();
    let summary = serde_json::json!({
        "document": to.slug,
        "from": { "point": from_arg.text, "seq": from.seq },
        "to": { "point": to_arg.text, "seq": to.seq },
        "clauses_changed": d.clauses.len(),
        "words_inserted": ins,
        "words_deleted": del,
        "changes": named.len(),
        "approximated": d.approximated,
    });
    Ok((docx, summary))
}

/// One clause of the comparative print: as it stands if unchanged, else its words struck and
/// inserted, and the note naming the changes that touched it (also as a Word comment on the
/// clause, by the author of the last of them).
#[allow(clippy::too_many_arguments)]
fn clause(
    docx: Docx,
    doc: &DocumentState,
    c: &Clause,
    depth: usize,
    x: Option<&ClauseDiff>,
    touched: Option<&Vec<usize>>,
    named: &[Change],
    comments: &std::cell::Cell<usize>,
) -> Docx {
    let Some(x) = x else {
        return text_clause(docx, doc, c, depth);
    };
    let last = touched.and_then(|t| t.last()).map(|&i| &named[i]);
    let (author, date) = match last {
        Some(ch) => (ch.author.clone(), word_date(&ch.at)),
        // Changed by no text change of its own (a sibling's move put it elsewhere).
        None => ("Travaux".to_string(), word_date(&doc.updated_at)),
    };
    let mark = |p: Paragraph, spans: &[Span]| -> Paragraph {
        spans.iter().fold(p, |p, s| {
            let text = s.text.replace('\n', " ");
            match s.kind {
                SpanKind::Equal => p.add_run(Run::new().add_text(text)),
                SpanKind::Delete => p.add_delete(
                    Delete::new()
                        .author(author.clone())
                        .date(date.clone())
                        .add_run(Run::new().add_delete_text(text).strike()),
                ),
                SpanKind::Insert => p.add_insert(
                    Insert::new(Run::new().add_text(text).underline("single"))
                        .author(author.clone())
                        .date(date.clone()),
                ),
            }
        })
    };
    let label = |p: Paragraph| -> Paragraph {
        match (&x.old_label, &x.new_label, x.status) {
            (Some(old), Some(new), _) if x.relabelled => mark(
                p,
                &[
                    Span {
                        kind: SpanKind::Delete,
                        text: old.clone(),
                    },
                    Span {
                        kind: SpanKind::Insert,
                        text: new.clone(),
                    },
                ],
            ),
            (_, _, ClauseStatus::Added) => mark(
                p,
                &[Span {
                    kind: SpanKind::Insert,
                    text: c.label.clone(),
                }],
            ),
            (_, _, ClauseStatus::Removed) => mark(
                p,
                &[Span {
                    kind: SpanKind::Delete,
                    text: c.label.clone(),
                }],
            ),
            _ => p.add_run(Run::new().add_text(c.label.clone())),
        }
    };
    // The Word comment naming the changes: its range opens before the clause's first run.
    let comment = touched.map(|touched| {
        let id = comments.get() + 1;
        comments.set(id);
        touched.iter().fold(
            Comment::new(id).author(author.clone()).date(date.clone()),
            |c, &i| c.add_paragraph(Paragraph::new().add_run(Run::new().add_text(&named[i].note))),
        )
    });
    let opened = |p: Paragraph| match comment.clone() {
        Some(c) => p.add_comment_start(c),
        None => p,
    };
    let mut paragraphs = Vec::new();
    let text_spans = || -> Vec<Span> {
        if x.reworded {
            x.text.spans.clone()
        } else {
            vec![Span {
                kind: SpanKind::Equal,
                text: c.text_with_notes().into_owned(),
            }]
        }
    };
    if heading_form(doc, c) {
        let mut p = label(opened(Paragraph::new().style(&heading_style(depth))));
        match (&x.heading, &c.heading) {
            (Some(h), _) => p = mark(p.add_run(Run::new().add_text(" — ")), &h.spans),
            (None, Some(h)) => p = p.add_run(Run::new().add_text(format!(" — {h}"))),
            _ => {}
        }
        paragraphs.push(p);
        let spans = text_spans();
        if spans.iter().any(|s| !s.text.trim().is_empty()) {
            paragraphs.push(indented(mark(Paragraph::new(), &spans), depth));
        }
    } else {
        let p = label(opened(Paragraph::new()));
        paragraphs.push(indented(
            mark(p.add_run(Run::new().add_text(" ")), &text_spans()),
            depth,
        ));
    }
    if let Some(touched) = touched {
        let notes: Vec<&str> = touched.iter().map(|&i| named[i].note.as_str()).collect();
        let id = comments.get();
        let last = paragraphs.pop().expect("a clause has a paragraph");
        paragraphs.push(
            last.add_run(
                Run::new()
                    .add_text(format!(" [{}]", notes.join("; ")))
                    .italic()
                    .size(18),
            )
            .add_comment_end(id),
        );
    }
    paragraphs.into_iter().fold(docx, |d, p| d.add_paragraph(p))
}

/// An unchanged clause of the comparative print.
fn text_clause(docx: Docx, doc: &DocumentState, c: &Clause, depth: usize) -> Docx {
    let mut d = docx;
    if heading_form(doc, c) {
        let title = match &c.heading {
            Some(h) => format!("{} — {h}", c.label),
            None => c.label.clone(),
        };
        d = d.add_paragraph(
            Paragraph::new()
                .style(&heading_style(depth))
                .add_run(Run::new().add_text(title)),
        );
        if !c.text.trim().is_empty() {
            d = d.add_paragraph(indented(
                Paragraph::new()
                    .add_run(Run::new().add_text(c.text_with_notes().replace('\n', " "))),
                depth,
            ));
        }
        return d;
    }
    d.add_paragraph(indented(
        Paragraph::new()
            .add_run(Run::new().add_text(format!("{} ", c.label)).bold())
            .add_run(Run::new().add_text(c.text_with_notes().replace('\n', " "))),
        depth,
    ))
}
