//! `travaux diff FROM [TO]`: how the text changed between two points, clause by clause.
//!
//! The comparison is by clause identity (`core::diff::diff_documents`): a clause renumbered or
//! moved shows as such, with its text diff. Formats: inline for the terminal (coloured when
//! `ctx.color()` says so), `unified` (a patch of `show --format markdown` at FROM into the same
//! at TO, which GNU `patch` applies), `markdown` and `html` comparative prints, `json`; `--stat`
//! for words inserted and deleted per clause. One deadline bounds the whole request; past it the
//! diff is approximated and the output says so.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use clap::Args;
use travaux_core::diff::{
    self, ClauseDiff, ClauseStatus, DocumentDiff, Granularity, Span, SpanKind,
};
use travaux_core::markdown as md;
use travaux_core::{ClauseId, ClauseKind, DocumentState, Point};

use crate::context::Ctx;
use crate::error::CliResult;
use crate::render;

/// Arguments of `diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier point: head, an event number, a date or time, a tag or a revision's label
    /// (rev:LABEL if a tag has the same name); POINT~N for N text changes before it
    /// (WHA63.16~1: just before the last change before the tag)
    #[arg(value_name = "FROM")]
    pub from: PointArg,
    /// The later point [default: head]
    #[arg(value_name = "TO")]
    pub to: Option<PointArg>,
    /// Only this clause and what is under it (an article, a chapter: every clause under it at
    /// FROM or at TO): its label, or its path or the end of it (`5.1(b)`), as at TO (or at FROM
    /// if it is gone at TO), or an id prefix
    #[arg(long, value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// Compare words, punctuation apart (the default)
    #[arg(long, conflicts_with_all = ["lines", "chars"])]
    pub words: bool,
    /// Compare lines
    #[arg(long, conflicts_with = "chars")]
    pub lines: bool,
    /// Compare characters
    #[arg(long)]
    pub chars: bool,
    /// How to print the changes
    #[arg(long, value_enum, default_value = "inline", value_name = "FORMAT")]
    pub format: DiffFormat,
    /// Only the words inserted and deleted in each changed clause, and a total
    #[arg(long)]
    pub stat: bool,
    /// Give up refining the diff after this many milliseconds (the whole request); the
    /// result is then approximated, and says so
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub deadline_ms: u64,
}

/// A point as typed, kept for the headers of the output, and as read.
#[derive(Clone, Debug)]
pub struct PointArg {
    /// The text typed.
    pub text: String,
    /// The point it names.
    pub point: Point,
}

impl std::str::FromStr for PointArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(PointArg {
            text: s.trim().to_string(),
            point: s.parse()?,
        })
    }
}

/// How `diff` prints the changes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DiffFormat {
    /// For the terminal: deleted text struck through in red, inserted underlined in green; or
    /// [-deleted-]{+inserted+} without colour.
    #[default]
    Inline,
    /// A unified diff of the Markdown text (`show --format markdown`), for `patch`.
    Unified,
    /// A comparative print in Markdown: ~~deleted~~, <ins>inserted</ins>.
    Markdown,
    /// A comparative print as a standalone HTML page, with <del> and <ins>.
    Html,
    /// The clause operations, their spans and counts, for tools.
    Json,
}

/// The two states compared, and what the request asked.
struct Compared {
    from_name: String,
    to_name: String,
    from: DocumentState,
    to: DocumentState,
    scope: Option<ClauseId>,
    scope_label: Option<String>,
    /// How the changed clauses are named at FROM and at TO (see [`render::label`]).
    names_from: HashMap<ClauseId, String>,
    names_to: HashMap<ClauseId, String>,
}

/// Run `diff`.
pub fn run(ctx: &mut Ctx<'_>, args: &DiffArgs) -> CliResult {
    let deadline = Instant::now() + Duration::from_millis(args.deadline_ms);
    let to_arg = args.to.clone().unwrap_or(PointArg {
        text: "head".into(),
        point: Point::Head,
    });
    let from = ctx.document_at(&ctx.absolute_point(&args.from.point)?)?;
    let to = ctx.document_at(&ctx.absolute_point(&to_arg.point)?)?;
    let scope = match args.clause.as_deref() {
        None => None,
        Some(c) => Some(match to.resolve_clause(c) {
            Ok(id) => id,
            Err(at_to) => from.resolve_clause(c).map_err(|_| at_to)?,
        }),
    };
    let scope_label = scope.map(|id| match to.clause(id) {
        Some(_) => render::label(&to, id),
        None => render::label(&from, id),
    });
    let mut c = Compared {
        from_name: args.from.text.clone(),
        to_name: to_arg.text,
        from,
        to,
        scope,
        scope_label,
        names_from: HashMap::new(),
        names_to: HashMap::new(),
    };
    let granularity = if args.lines {
        Granularity::Lines
    } else if args.chars {
        Granularity::Chars
    } else {
        Granularity::Words
    };
    let format = if ctx.globals.json {
        DiffFormat::Json
    } else {
        args.format
    };

    if format == DiffFormat::Unified && !args.stat {
        let old = travaux_core::markdown::markdown(&c.from, c.scope);
        let new = travaux_core::markdown::markdown(&c.to, c.scope);
        let (old, new) = (strip_first_newline(&old), strip_first_newline(&new));
        let (patch, approximated) =
            diff::unified(old, new, &c.from_name, &c.to_name, Some(deadline));
        write!(ctx.out, "{patch}")?;
        note_approximated(approximated, args.deadline_ms);
        return Ok(());
    }

    let d = diff::diff_documents(&c.from, &c.to, c.scope, granularity, Some(deadline));
    c.names_from = render::addresses(
        &c.from,
        d.clauses
            .iter()
            .filter(|x| x.old_label.is_some())
            .map(|x| x.clause),
    );
    c.names_to = render::addresses(
        &c.to,
        d.clauses
            .iter()
            .filter(|x| x.new_label.is_some())
            .map(|x| x.clause),
    );
    if format == DiffFormat::Json {
        let (ins, del) = d.word_counts();
        return ctx.json(&serde_json::json!({
            "document": c.to.slug,
            "from": { "point": c.from_name, "seq": c.from.seq },
            "to": { "point": c.to_name, "seq": c.to.seq },
            "clause": c.scope_label,
            "granularity": d.granularity,
            "approximated": d.approximated,
            "stats": {
                "clauses_changed": d.clauses.len(),
                "words_inserted": ins,
                "words_deleted": del,
            },
            "clauses": d.clauses,
        }));
    }
    let color = ctx.color();
    let text = if args.stat {
        stat(&c, &d, color)
    } else {
        match format {
            DiffFormat::Markdown => markdown(&c, &d),
            DiffFormat::Html => html(&c, &d),
            _ => inline(&c, &d, color),
        }
    };
    write!(ctx.out, "{text}")?;
    note_approximated(d.approximated, args.deadline_ms);
    Ok(())
}

fn strip_first_newline(s: &str) -> &str {
    s.strip_prefix('\n').unwrap_or(s)
}

fn note_approximated(approximated: bool, ms: u64) {
    if approximated {
        eprintln!(
            "note: the diff was approximated: it took longer than --deadline-ms {ms}, so some \
             changes may be shown coarser than they are (whole passages replaced); the texts \
             it gives are exact"
        );
    }
}

/// How a changed clause is named: its address at TO (at FROM for a removed clause), "2.4 →
/// 3.5" when it was renumbered.
fn label_of(c: &Compared, x: &ClauseDiff) -> String {
    let old = x
        .old_label
        .as_ref()
        .map(|l| c.names_from.get(&x.clause).unwrap_or(l));
    let new = x
        .new_label
        .as_ref()
        .map(|l| c.names_to.get(&x.clause).unwrap_or(l));
    match (old, new, x.relabelled) {
        (Some(o), Some(n), true) => format!("{o} → {n}"),
        (_, Some(n), _) => n.clone(),
        (Some(o), None, _) => o.clone(),
        (None, None, _) => x.clause.short(),
    }
}

/// What happened to a clause, in words: "moved, renumbered, reworded".
fn status_of(c: &ClauseDiff) -> String {
    match c.status {
        ClauseStatus::Added | ClauseStatus::Removed => c.status.name().to_string(),
        _ => {
            let mut parts = Vec::new();
            if c.moved {
                parts.push("moved");
            }
            if c.relabelled {
                parts.push("renumbered");
            }
            if c.reworded {
                parts.push("reworded");
            }
            parts.join(", ")
        }
    }
}

/// The one-line summary of a diff.
fn summary(c: &Compared, d: &DocumentDiff) -> String {
    let (ins, del) = d.word_counts();
    let n = d.clauses.len();
    format!(
        "{}{}: {} → {} · {n} clause{} changed, {ins} word{} inserted, {del} deleted",
        c.to.slug,
        c.scope_label
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default(),
        c.from_name,
        c.to_name,
        if n == 1 { "" } else { "s" },
        if ins == 1 { "" } else { "s" },
    )
}

fn inline(c: &Compared, d: &DocumentDiff, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint("1", &summary(c, d)));
    for x in &d.clauses {
        let status_color = match x.status {
            ClauseStatus::Added => "32",
            ClauseStatus::Removed => "31",
            _ => "33",
        };
        let _ = writeln!(
            out,
            "\n{} · {}",
            paint("1", &label_of(c, x)),
            paint(status_color, &status_of(x))
        );
        if let Some(h) = &x.heading {
            let _ = writeln!(out, "  heading: {}", render::spans_inline(&h.spans, color));
        }
        if x.reworded {
            if !x.text.spans.is_empty() {
                let body = render::spans_inline(&x.text.spans, color);
                let _ = writeln!(out, "  {}", body.replace('\n', "\n  "));
            }
        } else {
            let _ = writeln!(out, "  (text unchanged)");
        }
    }
    out
}

/// Words inserted and deleted per changed clause, with a bar, and a total (as `git diff --stat`).
fn stat(c: &Compared, d: &DocumentDiff, color: bool) -> String {
    const WIDTH: usize = 40;
    let labels: Vec<String> = d.clauses.iter().map(|x| label_of(c, x)).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let counts: Vec<usize> = d
        .clauses
        .iter()
        .map(|c| c.words_inserted + c.words_deleted)
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0);
    let number_width = max.to_string().len();
    let mut out = String::new();
    for ((c, label), n) in d.clauses.iter().zip(&labels).zip(&counts) {
        let scale = |k: usize| {
            if max <= WIDTH {
                k
            } else {
                (k * WIDTH).div_ceil(max)
            }
        };
        let (plus, minus) = (
            "+".repeat(scale(c.words_inserted)),
            "-".repeat(scale(c.words_deleted)),
        );
        let (plus, minus) = if color {
            (
                format!("\x1b[32m{plus}\x1b[0m"),
                format!("\x1b[31m{minus}\x1b[0m"),
            )
        } else {
            (plus, minus)
        };
        let pad = label_width - label.chars().count();
        let line = format!(
            " {label}{} | {n:>number_width$} {plus}{minus}",
            " ".repeat(pad)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let (ins, del) = d.word_counts();
    let n = d.clauses.len();
    let _ = writeln!(
        out,
        " {n} clause{} changed, {ins} word{} inserted(+), {del} word{} deleted(-)",
        if n == 1 { "" } else { "s" },
        if ins == 1 { "" } else { "s" },
        if del == 1 { "" } else { "s" },
    );
    out
}

/// The article a changed clause sits under, as a heading line (label, heading), from the state
/// it is in: the nearest clause above it that the text writes as a heading (an article, a
/// container, a clause with a heading), so that a point `7.2 (b)` goes under `Article 7`, not
/// under a heading `7.2`; the top of its branch if none is.
fn context_of<'a>(c: &'a Compared, x: &ClauseDiff) -> Option<(ClauseId, &'a str, Option<&'a str>)> {
    let doc = if x.status == ClauseStatus::Removed {
        &c.from
    } else {
        &c.to
    };
    let find = |id: ClauseId| {
        doc.clause(id)
            .map(|p| (p, doc))
            .or_else(|| c.from.clause(id).map(|p| (p, &c.from)))
    };
    let (mut p, mut in_doc) = find(x.parent?)?;
    loop {
        let kind = p.kind(in_doc);
        if kind.is_container() || kind == ClauseKind::Article || p.heading.is_some() {
            break;
        }
        match p.parent.and_then(find) {
            Some((up, up_doc)) => (p, in_doc) = (up, up_doc),
            None => break,
        }
    }
    Some((p.id, p.label.as_str(), p.heading.as_deref()))
}

/// An article's heading for a comparative print, ` — Heading`: its diff when it changed, else
/// the heading as it stands (as it stood, for a removed article), in the print's own escaping.
fn heading_of(
    c: &Compared,
    x: &ClauseDiff,
    spans: fn(&[Span]) -> String,
    escape: fn(&str) -> String,
) -> String {
    if let Some(h) = &x.heading {
        return format!(" — {}", spans(&h.spans));
    }
    let doc = if x.status == ClauseStatus::Removed {
        &c.from
    } else {
        &c.to
    };
    doc.clause(x.clause)
        .and_then(|cl| cl.heading.as_deref())
        .map(|h| format!(" — {}", escape(h)))
        .unwrap_or_default()
}

fn markdown(c: &Compared, d: &DocumentDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", md::escape(&c.to.title));
    let _ = writeln!(
        out,
        "Changes from {} to {}{}: deleted text ~~struck through~~, inserted text <ins>underlined</ins>.",
        md::escape(&c.from_name),
        md::escape(&c.to_name),
        c.scope_label
            .as_deref()
            .map(|l| format!(", {}", md::escape(l)))
            .unwrap_or_default()
    );
    let mut current_article: Option<ClauseId> = None;
    for x in &d.clauses {
        if x.depth == 0 || x.parent.is_none() {
            // An article or a preamble paragraph: its own heading.
            current_article = Some(x.clause);
            let heading = heading_of(c, x, md::spans, md::escape);
            let label = match x.status {
                ClauseStatus::Removed => format!("~~{}~~", md::escape(x.label())),
                ClauseStatus::Added => format!("<ins>{}</ins>", md::escape(x.label())),
                _ => md::escape(&label_of(c, x)),
            };
            let _ = writeln!(out, "\n## {label}{heading}\n\n*({})*", status_of(x));
        } else {
            if let Some((id, label, heading)) = context_of(c, x) {
                if current_article != Some(id) {
                    current_article = Some(id);
                    let heading = heading
                        .map(|h| format!(" — {}", md::escape(h)))
                        .unwrap_or_default();
                    let _ = writeln!(out, "\n## {}{heading}", md::escape(label));
                }
            }
            let _ = writeln!(
                out,
                "\n**{}** *({})*",
                md::escape(&label_of(c, x)),
                status_of(x)
            );
        }
        if x.reworded && !x.text.spans.is_empty() {
            let _ = writeln!(out, "\n{}", md::spans(&x.text.spans));
        }
    }
    if d.approximated {
        let _ = writeln!(
            out,
            "\n*This comparison was approximated: some changes may be shown coarser than they are.*"
        );
    }
    out
}

/// Escape text for HTML.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Spans as HTML: <del> and <ins> (closed at each line end), line breaks as <br>.
fn html_spans(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        let tag = match s.kind {
            SpanKind::Equal => None,
            SpanKind::Delete => Some("del"),
            SpanKind::Insert => Some("ins"),
        };
        for (i, line) in s.text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<br>\n");
            }
            match tag {
                Some(t) if !line.is_empty() => {
                    let _ = write!(out, "<{t}>{}</{t}>", html_escape(line));
                }
                _ => out.push_str(&html_escape(line)),
            }
        }
    }
    out
}

fn html(c: &Compared, d: &DocumentDiff) -> String {
    let mut out = String::new();
    let title = format!("{}: {} → {}", c.to.title, c.from_name, c.to_name);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>\nbody {{ font-family: serif; max-width: 48em; margin: 2em auto; line-height: 1.5; }}\n\
         del {{ color: #a00; text-decoration: line-through; }}\nins {{ color: #060; text-decoration: underline; }}\n\
         .status {{ font-size: 0.8em; color: #666; font-weight: normal; }}\n</style>\n</head>\n<body>",
        html_escape(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", html_escape(&c.to.title));
    let _ = writeln!(
        out,
        "<p>Changes from <b>{}</b> to <b>{}</b>{}: deleted text <del>struck through</del>, inserted text <ins>underlined</ins>.</p>",
        html_escape(&c.from_name),
        html_escape(&c.to_name),
        c.scope_label
            .as_deref()
            .map(|l| format!(", {}", html_escape(l)))
            .unwrap_or_default()
    );
    if d.approximated {
        let _ = writeln!(
            out,
            "<p><em>This comparison was approximated: some changes may be shown coarser than they are.</em></p>"
        );
    }
    let mut current_article: Option<ClauseId> = None;
    for x in &d.clauses {
        let status = format!(
            " <span class=\"status\">({})</span>",
            html_escape(&status_of(x))
        );
        if x.depth == 0 || x.parent.is_none() {
            current_article = Some(x.clause);
            let heading = heading_of(c, x, html_spans, html_escape);
            let label = match x.status {
                ClauseStatus::Removed => format!("<del>{}</del>", html_escape(x.label())),
                ClauseStatus::Added => format!("<ins>{}</ins>", html_escape(x.label())),
                _ => html_escape(&label_of(c, x)),
            };
            let _ = writeln!(out, "<h2>{label}{heading}{status}</h2>");
        } else {
            if let Some((id, label, heading)) = context_of(c, x) {
                if current_article != Some(id) {
                    current_article = Some(id);
                    let heading = heading
                        .map(|h| format!(" — {}", html_escape(h)))
                        .unwrap_or_default();
                    let _ = writeln!(out, "<h2>{}{heading}</h2>", html_escape(label));
                }
            }
            let _ = writeln!(out, "<h3>{}{status}</h3>", html_escape(&label_of(c, x)));
        }
        if x.reworded && !x.text.spans.is_empty() {
            let _ = writeln!(out, "<p>{}</p>", html_spans(&x.text.spans));
        }
    }
    let _ = writeln!(out, "</body>\n</html>");
    out
}
