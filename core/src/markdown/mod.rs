//! The text as Markdown, in the form `import` reads: what `show --format markdown`, the
//! Markdown diff and `export git` write.
//!
//! Importing the rendering of a document gives back its clause tree (labels, headings, text,
//! notes, order) whenever the tree is one a draft gives. The forms:
//!
//! - the title as `# Title` (as YAML front matter `title:` when the headings go six deep, so
//!   that `#` is free for the top level);
//! - preamble paragraphs (`PP1`, `PP2`, …) as plain paragraphs before anything else;
//! - containers, articles and any clause with a heading as headings, their level by their
//!   depth: `## Article 5 — Heading`, `### § 312 Anwendungsbereich`;
//! - the provisions under a heading as the draft writes them: a clause whose label is its place
//!   in a list (`5.2` under `Article 5`, `3.` elsewhere) as a Markdown list item, any other
//!   numbered clause as a paragraph starting with its label (`(1) …`, `1.1 …`, `(a) …`), nested
//!   by style as the reader nests them. Where that would not read back as the same tree (the
//!   rendering is read again to check), the provisions under that heading are written as
//!   nested lists instead, which always do;
//! - what is under a list item as a nested list: a Markdown list if the labels are its places,
//!   else a bullet list whose items start with their labels (`- (a) …`);
//! - a clause's text as it is kept (canonical Markdown), its notes as footnote definitions
//!   right after it.
//!
//! [`escape`] is the one escaper of literal text (titles, headings, labels) in the Markdown
//! Travaux writes, here and in the CLI's comparative print, whose changed words [`spans`]
//! writes.

use crate::diff::{Span, SpanKind};
use crate::document::{Clause, DocumentState};
use crate::event::ClauseKind;
use crate::ids::ClauseId;
use crate::import::numbering::typed_number;
use crate::import::{parse_draft, DraftClause};

/// The document (or one clause and what is under it) as Markdown in the form `import` reads.
pub fn markdown(doc: &DocumentState, scope: Option<ClauseId>) -> String {
    // Open brackets are part of the text as the committee reads it ("[Alt 1: …] [Alt 2: …]"):
    // show, diff and export all render them, through this one function.
    if let Some(shown) = doc.with_brackets_shown() {
        return markdown(&shown, scope);
    }
    let w = Writer { doc };
    let mut md = String::new();
    match scope.and_then(|id| doc.clause(id)) {
        None => w.document(&mut md),
        Some(c) if w.heading_form(c) => w.heading(&mut md, c, 2),
        Some(c) => {
            md.push('\n');
            let parent = c.parent.and_then(|p| doc.clause(p));
            let number = list_number(doc, parent, &c.label);
            match number {
                Some((n, d)) => w.item(&mut md, c, Marker::Ordered(format!("{n}{d}")), ""),
                None => w.item(&mut md, c, Marker::Bullet(printed(c, &[])), ""),
            }
        }
    }
    md
}

struct Writer<'d> {
    doc: &'d DocumentState,
}

impl<'d> Writer<'d> {
    fn clauses(&self, ids: &[ClauseId]) -> Vec<&'d Clause> {
        ids.iter().filter_map(|id| self.doc.clause(*id)).collect()
    }

    /// Whether a clause is written as a heading: containers, articles, clauses with a heading,
    /// and clauses whose label is no number.
    fn heading_form(&self, c: &Clause) -> bool {
        let kind = c.kind(self.doc);
        if kind.is_container() || kind == ClauseKind::Article || c.heading.is_some() {
            return true;
        }
        if matches!(kind, ClauseKind::Recital) && c.parent.is_none() {
            return false;
        }
        let parent = c.parent.and_then(|p| self.doc.clause(p));
        list_number(self.doc, parent, &c.label).is_none() && !is_typed(&printed(c, &[]))
    }

    fn document(&self, md: &mut String) {
        let roots = self.clauses(self.doc.roots());
        let depth = roots
            .iter()
            .map(|c| self.heading_depth(c))
            .max()
            .unwrap_or(0);
        let top = if depth <= 5 {
            md.push_str("# ");
            md.push_str(&escape(&self.doc.title));
            md.push('\n');
            2
        } else {
            md.push_str("---\ntitle: ");
            md.push_str(&serde_json::to_string(&self.doc.title).expect("a string serializes"));
            md.push_str("\n---\n");
            1
        };
        let mut i = 0;
        // The preamble.
        while i < roots.len() && self.recital(roots[i], i) {
            md.push('\n');
            md.push_str(&roots[i].text);
            md.push('\n');
            self.notes(md, roots[i], "");
            i += 1;
        }
        let rest = &roots[i..];
        let split = rest
            .iter()
            .position(|c| self.heading_form(c))
            .unwrap_or(rest.len());
        self.body(md, None, &rest[..split]);
        for c in &rest[split..] {
            if self.heading_form(c) {
                self.heading(md, c, top);
            } else {
                // A provision after a heading cannot be written back at the top level.
                self.body(md, None, &[c]);
            }
        }
    }

    fn recital(&self, c: &Clause, at: usize) -> bool {
        c.heading.is_none()
            && c.children.is_empty()
            && c.notes
                .iter()
                .all(|n| c.text.contains(&format!("[^{}]", n.mark)))
            && c.label == format!("PP{}", at + 1)
            && !c.text.is_empty()
    }

    /// How many headings deep a clause's subtree goes, itself included.
    fn heading_depth(&self, c: &Clause) -> usize {
        if !self.heading_form(c) {
            return 0;
        }
        1 + self
            .clauses(&c.children)
            .iter()
            .map(|k| self.heading_depth(k))
            .max()
            .unwrap_or(0)
    }

    fn heading(&self, md: &mut String, c: &Clause, level: usize) {
        md.push('\n');
        md.push_str(&"#".repeat(level.min(6)));
        md.push(' ');
        let mut line = c.label.clone();
        if let Some(h) = &c.heading {
            line.push_str(" — ");
            line.push_str(h);
        }
        md.push_str(&escape(&line));
        md.push('\n');
        if !c.text.is_empty() {
            md.push('\n');
            md.push_str(&c.text);
            md.push('\n');
        }
        self.notes(md, c, "");
        let children = self.clauses(&c.children);
        let split = children
            .iter()
            .position(|k| self.heading_form(k))
            .unwrap_or(children.len());
        self.body(md, Some(c), &children[..split]);
        for k in &children[split..] {
            if self.heading_form(k) {
                self.heading(md, k, level + 1);
            } else {
                self.body(md, Some(c), &[k]);
            }
        }
    }

    /// The provisions under a heading (or at the top level): as the draft writes them if that
    /// reads back as the same tree, else as nested lists.
    fn body(&self, md: &mut String, parent: Option<&Clause>, children: &[&Clause]) {
        if children.is_empty() {
            return;
        }
        let mut natural = String::new();
        self.natural(&mut natural, parent, children);
        if self.reads_back(parent, children, &natural) {
            md.push_str(&natural);
        } else {
            md.push('\n');
            self.nested(md, parent, children, "");
        }
    }

    /// Whether `body`, written under `parent`'s heading, reads back as `children`.
    fn reads_back(&self, parent: Option<&Clause>, children: &[&Clause], body: &str) -> bool {
        let mut probe = String::from("# T\n");
        if let Some(p) = parent {
            probe.push_str("\n## ");
            let mut line = p.label.clone();
            if let Some(h) = &p.heading {
                line.push_str(" — ");
                line.push_str(h);
            }
            probe.push_str(&escape(&line));
            probe.push('\n');
        }
        probe.push_str(body);
        let Ok(draft) = parse_draft(probe.as_bytes()) else {
            return false;
        };
        let read = match parent {
            Some(_) => match draft.clauses.as_slice() {
                [one] => &one.children,
                _ => return false,
            },
            None => &draft.clauses,
        };
        self.same(children, read)
    }

    fn same(&self, clauses: &[&Clause], read: &[DraftClause]) -> bool {
        clauses.len() == read.len()
            && clauses.iter().zip(read).all(|(c, r)| {
                c.label == r.label
                    && c.heading == r.heading
                    && c.text == r.text
                    && c.notes == r.notes
                    && self.same(&self.clauses(&c.children), &r.children)
            })
    }

    /// Provisions as paragraphs starting with their labels, and list items.
    fn natural(&self, md: &mut String, parent: Option<&Clause>, children: &[&Clause]) {
        // The number the next item of the list being written would have.
        let mut next: Option<(u64, char)> = None;
        let mut delimiter = '.';
        for (i, c) in children.iter().enumerate() {
            match list_number(self.doc, parent, &c.label) {
                Some((n, d)) => {
                    let continues = next == Some((n, d));
                    let article = d == '.' && is_article_list(self.doc, parent);
                    if !continues && next.is_some() {
                        if article {
                            // Another list right after one: another marker keeps them apart.
                            delimiter = if delimiter == '.' { ')' } else { '.' };
                        } else {
                            // A number out of sequence: a paragraph with its typed number.
                            md.push('\n');
                            let label = format!("{n}\\{d}");
                            self.paragraph(md, c, &label);
                            next = None;
                            continue;
                        }
                    } else if !continues {
                        delimiter = if article { '.' } else { d };
                    }
                    if !continues {
                        md.push('\n');
                    }
                    self.item(md, c, Marker::Ordered(format!("{n}{delimiter}")), "");
                    next = Some((n + 1, d));
                }
                None => {
                    next = None;
                    md.push('\n');
                    let label = printed(c, &children[..i]);
                    self.paragraph(md, c, &label);
                }
            }
        }
    }

    /// A numbered paragraph, then its notes and what is under it.
    fn paragraph(&self, md: &mut String, c: &Clause, label: &str) {
        md.push_str(label);
        write_text(md, &c.text, "", true);
        self.notes(md, c, "");
        let children = self.clauses(&c.children);
        self.natural(md, Some(c), &children);
    }

    /// A list item: its marker, text, notes, then what is under it, indented under the marker.
    fn item(&self, md: &mut String, c: &Clause, marker: Marker, indent: &str) {
        let (head, width, labelled) = match &marker {
            Marker::Ordered(m) => (m.clone(), m.len() + 1, false),
            Marker::Bullet(label) => (format!("- {label}"), 2, true),
        };
        md.push_str(&head);
        let inner = format!("{indent}{}", " ".repeat(width));
        let children = self.clauses(&c.children);
        if c.text.is_empty() && c.notes.is_empty() && !labelled && !children.is_empty() {
            // An empty item: what is under it starts on the next line (a blank line would end
            // the item).
            md.push('\n');
            self.nested(md, Some(c), &children, &inner);
            return;
        }
        write_text(md, &c.text, &inner, labelled);
        self.notes(md, c, &inner);
        if !children.is_empty() {
            // A list right under a one-line item needs no blank line, unless it is numbered
            // from other than 1 (such a list cannot interrupt a paragraph).
            let one_line = !c.text.contains('\n') && c.notes.is_empty() && !starts_block(&c.text);
            let from_one = self
                .list_numbers(Some(c), &children)
                .is_none_or(|ns| ns[0].0 == 1);
            if !(one_line && from_one) {
                md.push('\n');
            }
            self.nested(md, Some(c), &children, &inner);
        }
    }

    /// Clauses as a nested list, which always reads back as written: a Markdown list if their
    /// labels are their places in one, else a bullet list of items starting with their labels.
    fn nested(&self, md: &mut String, parent: Option<&Clause>, children: &[&Clause], indent: &str) {
        let numbers = self.list_numbers(parent, children);
        for (i, c) in children.iter().enumerate() {
            md.push_str(indent);
            match &numbers {
                Some(ns) => {
                    let (n, d) = ns[i];
                    let d = if is_article_list(self.doc, parent) {
                        '.'
                    } else {
                        d
                    };
                    self.item(md, c, Marker::Ordered(format!("{n}{d}")), indent);
                }
                _ => {
                    let label = match list_number(self.doc, parent, &c.label) {
                        Some((n, d)) if !is_article_list(self.doc, parent) => format!("{n}\\{d}"),
                        _ => printed(c, &children[..i]),
                    };
                    self.item(md, c, Marker::Bullet(label), indent);
                }
            }
        }
    }

    /// The list numbers of clauses, if they are the items of one Markdown list, in sequence.
    fn list_numbers(
        &self,
        parent: Option<&Clause>,
        children: &[&Clause],
    ) -> Option<Vec<(u64, char)>> {
        let numbers: Vec<(u64, char)> = children
            .iter()
            .map(|c| list_number(self.doc, parent, &c.label))
            .collect::<Option<_>>()?;
        numbers
            .windows(2)
            .all(|w| w[1] == (w[0].0 + 1, w[0].1))
            .then_some(numbers)
    }

    /// A clause's notes, as footnote definitions after its text.
    fn notes(&self, md: &mut String, c: &Clause, indent: &str) {
        for n in &c.notes {
            md.push('\n');
            md.push_str(indent);
            md.push_str("[^");
            md.push_str(&n.mark);
            md.push_str("]: ");
            let inner = format!("{indent}    ");
            for (k, line) in n.text.split('\n').enumerate() {
                if k > 0 {
                    md.push('\n');
                    if !line.is_empty() {
                        md.push_str(&inner);
                    }
                }
                md.push_str(line);
            }
            md.push('\n');
        }
    }
}

/// How a list item starts: a Markdown list marker (`3.`), or a bullet and the clause's label
/// (`- (a)`).
enum Marker {
    Ordered(String),
    Bullet(String),
}

/// Write a clause's text after its label or marker: its first paragraph on the label's line
/// (if it is a paragraph), the rest a blank line apart, indented. After a label (a paragraph
/// of its own) a block that is no paragraph starts after a blank line; after a bare list
/// marker, on the next line.
fn write_text(md: &mut String, text: &str, indent: &str, labelled: bool) {
    if text.is_empty() {
        md.push('\n');
        return;
    }
    let first_end = text.find("\n\n").unwrap_or(text.len());
    let first = &text[..first_end];
    let inline = first
        .match_indices('\n')
        .all(|(i, _)| first[..i].ends_with('\\'))
        && !starts_block(first);
    let rest = if inline {
        md.push(' ');
        md.push_str(&indent_lines(first, indent));
        md.push('\n');
        &text[first_end..]
    } else {
        md.push('\n');
        if !labelled {
            md.push_str(indent);
            md.push_str(&indent_lines(text, indent));
            md.push('\n');
            return;
        }
        text
    };
    let rest = rest.trim_start_matches('\n');
    if !rest.is_empty() {
        md.push('\n');
        md.push_str(indent);
        md.push_str(&indent_lines(rest, indent));
        md.push('\n');
    }
}

/// Whether a block of kept text starts with something that is not a paragraph (a
/// paragraph's canonical text escapes what would start a block).
fn starts_block(s: &str) -> bool {
    let b = s.as_bytes();
    let spaced = |at: usize| b.get(at).is_none_or(|c| *c == b' ' || *c == b'\t');
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let hashes = b.iter().take_while(|c| **c == b'#').count();
    let html = s.starts_with('<')
        && b.get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
        && !s[..s.find('>').unwrap_or(s.len())].contains([':', '@']);
    s.starts_with('>')
        || (hashes > 0 && spaced(hashes))
        || (s.starts_with(['-', '*', '+']) && spaced(1))
        || s.starts_with("***")
        || s.starts_with("---")
        || s.starts_with("```")
        || s.starts_with("~~~")
        || s.starts_with("    ")
        || html
        || (digits > 0 && matches!(b.get(digits), Some(b'.' | b')')) && spaced(digits + 1))
}

/// Indent every line but the first (blank lines stay blank).
fn indent_lines(s: &str, indent: &str) -> String {
    if indent.is_empty() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for (k, line) in s.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    out
}

/// Whether a label reads as a typed number at the start of a paragraph.
fn is_typed(label: &str) -> bool {
    typed_number(&format!("{label} x")).is_some_and(|t| t.label == label)
}

/// A label as the draft printed it: a label made unique by the reader (`(a)-2`, after an
/// `(a)` among its siblings) is printed as it was (`(a)`).
fn printed(c: &Clause, before: &[&Clause]) -> String {
    if let Some((stem, k)) = c.label.rsplit_once('-') {
        if k.bytes().all(|b| b.is_ascii_digit())
            && !k.is_empty()
            && before.iter().any(|b| b.label == stem)
        {
            return stem.to_string();
        }
    }
    c.label.clone()
}

/// Whether the items of a list under `parent` are labelled `N.k`: under `Article N` (or
/// `Art. N`, `Rule N`…, not `§ N`).
fn is_article_list(doc: &DocumentState, parent: Option<&Clause>) -> bool {
    article_number(doc, parent).is_some()
}

fn article_number<'c>(doc: &DocumentState, parent: Option<&'c Clause>) -> Option<&'c str> {
    let p = parent?;
    if p.kind(doc) != ClauseKind::Article || p.label.starts_with('§') {
        return None;
    }
    let number = p.label.rsplit(' ').next()?;
    (number != p.label).then_some(number)
}

/// The number and marker of a clause that is an item of a Markdown list under `parent`:
/// `N.k` under `Article N` gives (k, '.'); `k.` or `k)` elsewhere gives (k, '.' or ')').
fn list_number(doc: &DocumentState, parent: Option<&Clause>, label: &str) -> Option<(u64, char)> {
    let digits = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some(n) = article_number(doc, parent) {
        let k = label.strip_prefix(n)?.strip_prefix('.')?;
        return digits(k).map(|k| (k, '.'));
    }
    if let Some(k) = label.strip_suffix('.') {
        return digits(k).map(|k| (k, '.'));
    }
    label.strip_suffix(')').and_then(digits).map(|k| (k, ')'))
}

/// Literal text (a title, a heading's line, a label, a name) as Markdown that reads back as
/// the same characters wherever it stands in a line: every character Markdown may read as
/// markup is backslashed. The one escaper of the Markdown Travaux writes; a clause's text is
/// kept as Markdown already ([`crate::import::canonical_text`] makes it from plain text).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A diff's spans as Markdown, for a comparative print: ~~deleted~~ and <ins>inserted</ins>,
/// whitespace kept outside the marks, every word [`escape`]d (a change may cut through markup,
/// so the words show as written), lines joined with hard breaks, paragraphs kept apart.
pub fn spans(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        let (open, close) = match s.kind {
            SpanKind::Equal => {
                out.push_str(&escape(&s.text));
                continue;
            }
            SpanKind::Delete => ("~~", "~~"),
            SpanKind::Insert => ("<ins>", "</ins>"),
        };
        for (i, line) in s.text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let body = line.trim();
            if body.is_empty() {
                out.push_str(line);
                continue;
            }
            let lead = &line[..line.len() - line.trim_start().len()];
            let trail = &line[line.trim_end().len()..];
            out.push_str(lead);
            out.push_str(open);
            out.push_str(&escape(body));
            out.push_str(close);
            out.push_str(trail);
        }
    }
    // Hard breaks for single newlines, paragraphs kept apart.
    out.split("\n\n")
        .map(|p| p.replace('\n', "\\\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod import_tests;
#[cfg(test)]
pub(crate) mod tests;
