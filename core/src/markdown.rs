//! The text as Markdown, in the form `import` reads: what `show --format markdown`, the
//! Markdown diff and `export git` write.

use crate::document::{Clause, DocumentState};
use crate::ids::ClauseId;

/// The document (or one clause and what is under it) as Markdown in the form `import` reads:
/// `# Title`, preamble paragraphs, `## Article N — Heading`, the article's text, then its
/// paragraphs as a numbered list, the subparagraph lines of a paragraph ("\n(a) …") as a nested
/// bullet list. Importing the rendering of a whole document gives back its clause tree when the
/// document is one a draft could give: labels `PP1`, `PP2`, … for the preamble, `Article N` for
/// articles, `N.k` for their paragraphs, two levels at most. A gap in paragraph numbers starts
/// a new list (alternating `1.` and `1)` markers) so the numbers survive.
pub fn markdown(doc: &DocumentState, scope: Option<ClauseId>) -> String {
    // Open brackets are part of the text as the committee reads it ("[Alt 1: …] [Alt 2: …]"):
    // show, diff and export all render them, through this one function.
    if let Some(shown) = doc.with_brackets_shown() {
        return markdown(&shown, scope);
    }
    let mut md = String::new();
    let tops: Vec<&Clause> = match scope {
        None => {
            md.push_str(&format!("# {}\n", escape_line(&doc.title)));
            doc.roots()
                .iter()
                .filter_map(|id| doc.clause(*id))
                .collect()
        }
        Some(id) => doc.clause(id).into_iter().collect(),
    };
    let mut in_articles = false;
    for c in tops {
        let is_paragraph_of = c.parent.and_then(|p| doc.clause(p));
        if let Some(parent) = is_paragraph_of {
            // A clause shown on its own, under its article: a one-item list.
            let mut list = ListWriter::default();
            md.push('\n');
            list.item(&mut md, doc, parent, c);
            continue;
        }
        let preamble = !in_articles
            && c.heading.is_none()
            && c.children.is_empty()
            && c.label.starts_with("PP")
            && !c.text.is_empty();
        if preamble {
            md.push('\n');
            md.push_str(&block(&c.text));
            md.push('\n');
            continue;
        }
        in_articles = true;
        md.push_str("\n## ");
        md.push_str(&escape_line(&c.label));
        if let Some(h) = &c.heading {
            md.push_str(" — ");
            let h = escape_inline(h);
            // A trailing '#' would be read as a closing sequence of the heading.
            match h.strip_suffix('#') {
                Some(rest) => {
                    md.push_str(rest);
                    md.push_str("\\#");
                }
                None => md.push_str(&h),
            }
        }
        md.push('\n');
        if !c.text.is_empty() {
            md.push('\n');
            md.push_str(&block(&c.text));
            md.push('\n');
        }
        let mut list = ListWriter::default();
        let mut first = true;
        for child in c.children.iter().filter_map(|id| doc.clause(*id)) {
            if first {
                md.push('\n');
                first = false;
            }
            list.item(&mut md, doc, c, child);
        }
    }
    md
}

/// Writes the numbered paragraphs of an article, starting a new list where numbers jump.
#[derive(Default)]
struct ListWriter {
    next: Option<u64>,
    paren: bool,
}

impl ListWriter {
    fn item(&mut self, md: &mut String, doc: &DocumentState, article: &Clause, c: &Clause) {
        let number = paragraph_number(article, &c.label);
        let n = match (number, self.next) {
            (Some(n), Some(next)) if n == next => n,
            (Some(n), Some(_)) => {
                // A new list: another delimiter, after a blank line (a list that does not start
                // at 1 cannot interrupt a paragraph).
                self.paren = !self.paren;
                md.push('\n');
                n
            }
            (Some(n), None) => n,
            (None, Some(next)) => next,
            (None, None) => 1,
        };
        self.next = Some(n + 1);
        let marker = format!("{n}{} ", if self.paren { ')' } else { '.' });
        let pad = " ".repeat(marker.len());
        md.push_str(&marker);
        let mut lines: Vec<String> = Vec::new();
        for (k, para) in c.text.split("\n\n").enumerate() {
            if k > 0 {
                lines.push(String::new());
            }
            for (j, line) in para.split('\n').enumerate() {
                if j == 0 {
                    lines.push(escape_line(line));
                } else {
                    lines.push(format!("- {}", escape_line(line)));
                }
            }
        }
        // Clauses deeper than paragraphs have no Markdown form of their own: they are shown as
        // subparagraph lines (an import would fold them into the paragraph's text).
        for deeper in c.children.iter().filter_map(|id| doc.clause(*id)) {
            for line in deeper.text.split('\n').filter(|l| !l.is_empty()) {
                lines.push(format!("- {}", escape_line(line)));
            }
        }
        for (k, line) in lines.iter().enumerate() {
            if k > 0 && !line.is_empty() {
                md.push_str(&pad);
            }
            md.push_str(line);
            md.push('\n');
        }
    }
}

/// The number k of a paragraph labelled `N.k` under `Article N` (or `L k` under an article
/// labelled `L`).
fn paragraph_number(article: &Clause, label: &str) -> Option<u64> {
    let prefix = match article.label.strip_prefix("Article ") {
        Some(n) if !n.contains(' ') => format!("{n}."),
        _ => format!("{} ", article.label),
    };
    label
        .strip_prefix(&prefix)
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|k| k.parse().ok())
}

/// A paragraph of text: its lines joined with hard breaks, paragraphs apart.
fn block(text: &str) -> String {
    text.split("\n\n")
        .map(|p| {
            p.split('\n')
                .map(escape_line)
                .collect::<Vec<_>>()
                .join("\\\n")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Escape what Markdown would read as markup inside a line.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escape a line: inline markup, and what would start a block at the beginning of a line.
fn escape_line(line: &str) -> String {
    let out = escape_inline(line.trim_start_matches([' ', '\t']));
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    let starts_list_item = digits > 0
        && digits < 10
        && matches!(out.as_bytes().get(digits), Some(b'.' | b')'))
        && out
            .as_bytes()
            .get(digits + 1)
            .is_none_or(|b| *b == b' ' || *b == b'\t');
    if starts_list_item {
        return format!("{}\\{}", &out[..digits], &out[digits..]);
    }
    if out.starts_with(['#', '>', '-', '+', '=', '|', '~']) {
        format!("\\{out}")
    } else {
        out
    }
}
