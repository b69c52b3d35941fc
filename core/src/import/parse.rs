//! Reading a Markdown draft into a clause tree.
//!
//! One pass over pulldown-cmark's events, with a stack of the clauses still open (the headings
//! above, then the numbered provisions below the nearest heading):
//!
//! - a heading of level n closes everything down to the nearest heading of a lower level and
//!   opens a clause under it;
//! - a paragraph that starts with a typed number (`1.1`, `(1)`, `9a.`, `(a)`, `i)`) is a
//!   provision: if a provision numbered in the same style is open below the nearest heading, the
//!   new one is its sibling (what was open under it closes), else it opens a level under the
//!   clause open last;
//! - a Markdown list is placed the same way, by its first item's style (an ordered list by its
//!   markers), and its items are siblings; what an item holds is read with the item as its
//!   base, so nesting by indentation always nests;
//! - any other block (an unnumbered paragraph, a table, a quote, a code block, a bullet list
//!   whose items are not numbered) is text of the clause open last, or a preamble paragraph
//!   (`PP1`, `PP2`, …) before any clause.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event as Md, Options, Parser, Tag, TagEnd};

mod lists;
mod notes;

use notes::Notes;

use super::canonical::{inline_markdown, inline_plain};
use super::numbering::{follows, heading_label, ordinal, roman_value, typed_number, Digits, Style};
use super::{Draft, DraftClause, ImportError, Warning, MAX_DRAFT_BYTES};
use crate::event::{ClauseKind, Note};
use crate::{MAX_NAME, MAX_TEXT};

/// How deep lists may nest in a draft.
const MAX_NESTING: usize = 64;

/// Read a Markdown draft into a clause tree, or say which line is wrong and why.
pub fn parse_draft(bytes: &[u8]) -> Result<Draft, ImportError> {
    if bytes.len() > MAX_DRAFT_BYTES {
        return Err(ImportError::new(
            1,
            format!(
                "the draft is {} bytes; at most {MAX_DRAFT_BYTES} are accepted",
                bytes.len()
            ),
        ));
    }
    let source = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ImportError::new(
            line,
            "the draft is not valid UTF-8 text; save it as UTF-8 and import it again",
        )
    })?;
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);

    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_DEFINITION_LIST;
    let events: Vec<(Md<'_>, Range<usize>)> = Parser::new_ext(source, options)
        .into_offset_iter()
        .collect();
    // Front matter that is never closed would be read as a rule and paragraphs of `key: value`.
    let opens_front_matter = source.starts_with("---\n") || source.starts_with("---\r\n");
    if opens_front_matter && !matches!(events.first(), Some((Md::Start(Tag::MetadataBlock(_)), _)))
    {
        let second = source.lines().nth(1).unwrap_or("");
        if !second.trim().is_empty() && second.contains(':') {
            return Err(ImportError::new(
                1,
                "the front matter opened on line 1 is not closed; end it with a line of three dashes (---)",
            ));
        }
    }
    let mut levels = events.iter().filter_map(|(e, _)| match e {
        Md::Start(Tag::Heading { level, .. }) => Some(*level as usize),
        _ => None,
    });
    let first_heading = levels.next();
    let title_heading = first_heading == Some(1) && levels.all(|l| l != 1);
    let mut reader = Reader {
        source,
        events,
        pos: 0,
        newlines: source
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect(),
        nodes: Vec::new(),
        roots: Vec::new(),
        stack: Vec::new(),
        warnings: Vec::new(),
        title: None,
        title_heading,
        meta: BTreeMap::new(),
        recitals: 0,
        notes: Notes::default(),
        depth: 0,
    };
    reader.blocks(0)?;
    reader.finish()
}

/// A clause being read.
struct Node {
    label: String,
    heading: Option<String>,
    text: String,
    kind: ClauseKind,
    notes: Vec<Note>,
    children: Vec<usize>,
    line: usize,
}

/// A clause still open, and what closes it.
#[derive(Clone, Copy)]
struct Open {
    node: usize,
    key: Key,
}

#[derive(Clone, Copy, PartialEq)]
enum Key {
    /// A heading of this level.
    Heading(usize),
    /// A provision numbered in this style, and its place in its sequence.
    Numbered(Style, Option<(u32, u32)>),
}

type Events<'a> = Vec<(Md<'a>, Range<usize>)>;

struct Reader<'a> {
    source: &'a str,
    events: Events<'a>,
    pos: usize,
    /// Byte offsets of the line feeds in the source.
    newlines: Vec<usize>,
    nodes: Vec<Node>,
    roots: Vec<usize>,
    stack: Vec<Open>,
    warnings: Vec<Warning>,
    title: Option<(String, usize)>,
    /// Whether the first heading is the draft's only `#` heading, hence its title.
    title_heading: bool,
    meta: BTreeMap<String, String>,
    recitals: usize,
    notes: Notes,
    /// How deep in lists the reader is.
    depth: usize,
}

impl<'a> Reader<'a> {
    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|n| *n < offset) + 1
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    /// Read blocks until the end of the container they are in (or of the draft). Clauses
    /// opened at or above `base` in the stack are this container's.
    fn blocks(&mut self, base: usize) -> Result<(), ImportError> {
        while self.pos < self.events.len() {
            let (event, range) = self.events[self.pos].clone();
            match event {
                Md::End(_) => return Ok(()),
                Md::Start(Tag::Paragraph) => {
                    self.pos += 1;
                    let from = self.pos;
                    self.inline_until(|e| matches!(e, Md::End(TagEnd::Paragraph)));
                    let to = self.pos;
                    self.pos += 1;
                    self.lines(base, from..to, range.start)?;
                }
                e if is_inline(&e) => {
                    let from = self.pos;
                    self.inline_until(|e| !is_inline(e));
                    let to = self.pos;
                    self.lines(base, from..to, range.start)?;
                }
                Md::Start(Tag::Heading { level, .. }) if base == 0 => {
                    self.pos += 1;
                    let inline = self.inline_until(|e| matches!(e, Md::End(TagEnd::Heading(_))));
                    self.pos += 1;
                    self.heading(level as usize, &inline, range.start);
                }
                Md::Start(Tag::List(start)) => self.list(base, start, range)?,
                Md::Start(Tag::FootnoteDefinition(mark)) => {
                    self.pos += 1;
                    let text = self.note_text()?;
                    self.pos += 1;
                    let line = self.line(range.start);
                    self.note(mark.to_string(), text, line);
                }
                Md::Start(Tag::MetadataBlock(_)) => {
                    self.pos += 1;
                    let mut yaml = String::new();
                    while let Some((Md::Text(t), _)) = self.events.get(self.pos) {
                        yaml.push_str(t);
                        self.pos += 1;
                    }
                    self.pos += 1;
                    self.front_matter(&yaml, self.line(range.start))?;
                }
                Md::Start(_) => {
                    let line = self.line(range.start);
                    self.skip_block();
                    let raw = self.raw(range);
                    self.content(raw, line);
                }
                Md::Rule => {
                    self.pos += 1;
                    self.content("***".to_string(), self.line(range.start));
                }
                _ => {
                    // Block-level HTML outside an HTML block, stray text: keep it as written.
                    self.pos += 1;
                    let raw = self.raw(range.clone());
                    self.content(raw, self.line(range.start));
                }
            }
        }
        Ok(())
    }

    /// Take inline events up to (not including) the first for which `stop` holds.
    fn inline_until(&mut self, stop: impl Fn(&Md<'a>) -> bool) -> Vec<Md<'a>> {
        let mut out = Vec::new();
        while let Some((e, _)) = self.events.get(self.pos) {
            if stop(e) {
                break;
            }
            out.push(e.clone());
            self.pos += 1;
        }
        out
    }

    /// Skip a block whose start tag is at `pos`, up to and including its end tag.
    fn skip_block(&mut self) {
        let mut depth = 0usize;
        while let Some((e, _)) = self.events.get(self.pos) {
            match e {
                Md::Start(_) => depth += 1,
                Md::End(_) => depth -= 1,
                _ => {}
            }
            self.pos += 1;
            if depth == 0 {
                break;
            }
        }
    }

    /// The source of a block as written, less the indentation of the container it is in.
    fn raw(&self, range: Range<usize>) -> String {
        let line_start = self.source[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let column = self.source[line_start..range.start].chars().count();
        let text = self.source[range].trim_end_matches(['\n', '\r']);
        let mut out = String::with_capacity(text.len());
        for (k, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if k > 0 {
                out.push('\n');
                let strip = line.len() - line.trim_start_matches(' ').len();
                out.push_str(&line[strip.min(column)..]);
            } else {
                out.push_str(line);
            }
        }
        out
    }

    fn heading(&mut self, level: usize, inline: &[Md<'a>], at: usize) {
        let line = self.line(at);
        let text = inline_plain(inline);
        if text.is_empty() {
            self.warn(line, "an empty heading; left out");
            return;
        }
        if level == 1 && self.title_heading {
            // The draft's title, unless the front matter names another: a `#` heading that
            // repeats the front matter's title (`# Gesetz über … (AbgG)` under `title: Gesetz
            // über …`) is the title still, and the front matter's wording is kept.
            let norm = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            };
            match &self.title {
                None => {
                    self.title = Some((text, line));
                    return;
                }
                Some((t, _)) if norm(&text).starts_with(&norm(t)) => return,
                Some(_) => {}
            }
        }
        let (label, heading, kind) = heading_label(&text);
        let keep = self
            .stack
            .iter()
            .rposition(|o| matches!(o.key, Key::Heading(l) if l < level))
            .map_or(0, |i| i + 1);
        self.stack.truncate(keep);
        let parent = self.stack.last().map(|o| o.node);
        let node = self.add(parent, label, heading, kind, line);
        self.stack.push(Open {
            node,
            key: Key::Heading(level),
        });
    }

    fn add(
        &mut self,
        parent: Option<usize>,
        label: String,
        heading: Option<String>,
        kind: ClauseKind,
        line: usize,
    ) -> usize {
        let i = self.nodes.len();
        self.nodes.push(Node {
            label,
            heading,
            text: String::new(),
            kind,
            notes: Vec::new(),
            children: Vec::new(),
            line,
        });
        match parent {
            Some(p) => self.nodes[p].children.push(i),
            None => self.roots.push(i),
        }
        i
    }

    /// A paragraph (its inline events at `events`), split where a line starts with a typed
    /// number — `(1) …` then `(2) …` on the next line, or `… as follows:` then `a) …` — as
    /// drafts pasted without blank lines write their provisions: when the line's number is a
    /// later one of the style the paragraph itself starts with (`(2)` in a paragraph that
    /// starts `(1)`), or a first one (`1`, `a`, `i`) after words ending in `:`, or follows such
    /// a line. A
    /// line that starts like a later number in running text (`(2) of Article 5`) stays
    /// text.
    fn lines(&mut self, base: usize, events: Range<usize>, at: usize) -> Result<(), ImportError> {
        let inline: Vec<Md<'a>> = self.events[events.clone()]
            .iter()
            .map(|(e, _)| e.clone())
            .collect();
        let lead = self.leading_number(&inline, at).map(|(t, _)| t.style);
        let cuts = self.cuts(&inline, events.start, lead);
        let mut from = 0;
        let mut start = at;
        for (cut, offset) in cuts {
            self.paragraph(base, inline[from..cut].to_vec(), start)?;
            from = cut + 1;
            start = offset;
        }
        self.paragraph(base, inline[from..].to_vec(), start)
    }

    /// Where a paragraph (its events from `first` in the draft's events) splits into
    /// provisions: the soft breaks before a line that starts with a typed number (see
    /// [`Reader::lines`]), with the offset that line starts at.
    fn cuts(&self, inline: &[Md<'a>], first: usize, lead: Option<Style>) -> Vec<(usize, usize)> {
        let mut cuts = Vec::new();
        for i in 0..inline.len().saturating_sub(1) {
            if !matches!(inline[i], Md::SoftBreak) {
                continue;
            }
            let offset = self.events[first + i + 1].1.start;
            let Some((typed, _)) = self.leading_number(&inline[i + 1..], offset) else {
                continue;
            };
            // A first number opens a list only after words that announce one (`… as
            // follows:`): a line of running text may begin with `1)` where it wrapped
            // (`nach § 5 Abs.` / `1) weiter …`).
            let announced = inline[..i].iter().rev().find_map(|e| match e {
                Md::Text(t) => Some(t.trim_end().ends_with(':')),
                _ => None,
            }) == Some(true);
            let opens = matches!(typed.token.as_str(), "1" | "a" | "A" | "i" | "I")
                || typed.token.ends_with(".1");
            let first_number = announced && opens;
            // A later number of the paragraph's own style is its sibling (`(1) …` / `(2) …`).
            let sibling = !opens && lead == Some(typed.style);
            // After one numbered line, the next numbered lines are its siblings or below.
            if sibling || first_number || !cuts.is_empty() {
                cuts.push((i, offset));
            }
        }
        cuts
    }

    /// A paragraph: a numbered provision if it starts with a typed number, else text.
    fn paragraph(
        &mut self,
        base: usize,
        inline: Vec<Md<'a>>,
        at: usize,
    ) -> Result<(), ImportError> {
        let line = self.line(at);
        if let Some((typed, rest)) = self.leading_number(&inline, at) {
            let text = inline_markdown(&rest);
            let node = self.numbered(base, &typed.label, &typed.token, typed.style, line);
            self.append(node, &text, &rest);
        } else {
            let text = inline_markdown(&inline);
            self.content_with(text, &inline, line);
        }
        Ok(())
    }

    /// The typed number a paragraph starts with, and the paragraph's events without it. A
    /// number wrapped alone in emphasis (`**1.1** The …`) counts, and so does one in bold with
    /// its caption (`**(a) Required Disclosures.**`); a paragraph whose source
    /// starts with an escape (`\(a)`, `&#97;)`) is text.
    fn leading_number(
        &self,
        inline: &[Md<'a>],
        at: usize,
    ) -> Option<(super::numbering::Typed, Vec<Md<'a>>)> {
        // (The text of an escaped character may start after its backslash.)
        if self.source[at..].starts_with(['\\', '&']) || self.source[..at].ends_with('\\') {
            return None;
        }
        let (skip, first) = match inline {
            [Md::Start(Tag::Strong | Tag::Emphasis), Md::Text(t), Md::End(TagEnd::Strong | TagEnd::Emphasis), ..] => {
                (3, t.to_string())
            }
            [Md::Text(_), ..] => {
                let mut t = String::new();
                let mut n = 0;
                while let Some(Md::Text(s)) = inline.get(n) {
                    t.push_str(s);
                    n += 1;
                }
                (n, t)
            }
            _ => return None,
        };
        // A number written with an escape (`22\. Dezember`) is text.
        let raw = &self.source[at..];
        let word = raw.find(char::is_whitespace).unwrap_or(raw.len());
        if raw[..word].contains('\\') {
            return None;
        }
        let typed = if skip == 3 {
            let trimmed = first.trim();
            let t = typed_number(trimmed)?;
            if t.len != trimmed.len() {
                // A number and its caption in bold (`**(a) Required Disclosures.** Except…`):
                // the caption stays bold, as the text of the provision.
                let caption = trimmed[t.len..].trim_start();
                if caption.is_empty() {
                    return None;
                }
                let mut rest: Vec<Md<'a>> = Vec::with_capacity(inline.len());
                rest.push(inline[0].clone());
                rest.push(Md::Text(CowStr::from(caption.to_string())));
                rest.extend_from_slice(&inline[2..]);
                return Some((t, rest));
            }
            t
        } else {
            typed_number(&first)?
        };
        let mut rest: Vec<Md<'a>> = Vec::with_capacity(inline.len());
        if skip == 3 {
            let mut tail = inline[3..].to_vec();
            if let Some(Md::Text(t)) = tail.first_mut() {
                *t = CowStr::from(t.trim_start().to_string());
            }
            rest = tail;
        } else {
            let remainder = &first[typed.len..];
            if !remainder.is_empty() {
                rest.push(Md::Text(CowStr::from(remainder.to_string())));
            }
            rest.extend_from_slice(&inline[skip..]);
        }
        Some((typed, rest))
    }

    /// Open a numbered provision, placed by its style; returns it.
    fn numbered(
        &mut self,
        base: usize,
        label: &str,
        token: &str,
        style: Style,
        line: usize,
    ) -> usize {
        let style = self.resolve(base, style, token);
        let ord = ordinal(token, digits_of_style(style));
        let (keep, sibling) = self.place(base, style);
        self.stack.truncate(keep);
        self.check_sequence(sibling, ord, label, line);
        let parent = self.stack.last().map(|o| o.node);
        let kind = self.provision_kind(parent);
        let node = self.add(parent, label.to_string(), None, kind, line);
        self.stack.push(Open {
            node,
            key: Key::Numbered(style, ord),
        });
        node
    }

    /// Where a provision of `style` goes: how much of the stack stays (its parent is the last
    /// that stays), and the sibling it follows, if any.
    fn place(&self, base: usize, style: Style) -> (usize, Option<Open>) {
        for i in (base..self.stack.len()).rev() {
            match self.stack[i].key {
                Key::Heading(_) => break,
                Key::Numbered(s, _) if s == style => return (i, Some(self.stack[i])),
                _ => {}
            }
        }
        (self.stack.len(), None)
    }

    /// Tell a letter from a roman numeral by what is open: `(i)` after `(h)` is a letter,
    /// `(i)` first, or `(v)` after `(iv)`, a roman numeral.
    fn resolve(&self, base: usize, style: Style, token: &str) -> Style {
        resolve_with(style, token, |s| match self.place(base, s) {
            (
                _,
                Some(Open {
                    key: Key::Numbered(_, ord),
                    ..
                }),
            ) => Some(ord),
            _ => None,
        })
    }
}

/// Tell a letter from a roman numeral, given the place in its sequence of the open provision
/// of a style (`None` if none is open; `Some(None)` if it has no place).
fn resolve_with(
    style: Style,
    token: &str,
    open_ord: impl Fn(Style) -> Option<Option<(u32, u32)>>,
) -> Style {
    {
        let (make, roman): (fn(Digits) -> Style, Digits) = match style {
            Style::Paren(Digits::Lower) => (Style::Paren, Digits::LowerRoman),
            Style::Paren(Digits::Upper) => (Style::Paren, Digits::UpperRoman),
            Style::Dot(Digits::Lower) => (Style::Dot, Digits::LowerRoman),
            Style::Dot(Digits::Upper) => (Style::Dot, Digits::UpperRoman),
            Style::Close(Digits::Lower) => (Style::Close, Digits::LowerRoman),
            Style::Close(Digits::Upper) => (Style::Close, Digits::UpperRoman),
            other => return other,
        };
        let Some(value) = roman_value(token) else {
            return style;
        };
        let letter = style;
        let roman = make(roman);
        let as_letter = ordinal(token, Some(Digits::Lower));
        if let Some(Some(prev)) = open_ord(letter) {
            if as_letter.is_some_and(|l| follows(prev, l)) {
                return letter;
            }
        }
        if let Some(Some(prev)) = open_ord(roman) {
            if follows(prev, (value, 0)) {
                return roman;
            }
        }
        if value == 1 || token.len() > 1 && !token.bytes().all(|c| c == token.as_bytes()[0]) {
            return roman;
        }
        if token.len() > 1 && open_ord(letter).is_none() && value <= 3 {
            // "ii", "iii" with nothing open: roman numerals.
            return roman;
        }
        letter
    }
}

impl<'a> Reader<'a> {
    /// Whether a dotted number opens the next section (`2.1` after `1.2`): no skip.
    fn opens_section(&self, style: Style, ord: (u32, u32), prev: usize, label: &str) -> bool {
        let head = |l: &str| l.rsplit_once('.').map(|(h, _)| h.to_string());
        matches!(style, Style::Decimal(_))
            && ord == (1, 0)
            && head(&self.nodes[prev].label) != head(label)
    }

    fn check_sequence(
        &mut self,
        sibling: Option<Open>,
        ord: Option<(u32, u32)>,
        label: &str,
        line: usize,
    ) {
        let Some(ord) = ord else { return };
        match sibling {
            Some(Open {
                node,
                key: Key::Numbered(style, Some(prev)),
            }) if !follows(prev, ord) && !self.opens_section(style, ord, node, label) => {
                let before = self.nodes[node].label.clone();
                self.warn(
                    line,
                    format!("the numbering skips: {label} follows {before}; read as its sibling"),
                );
            }
            None if ord != (1, 0) => {
                let under = self.stack.last().map_or("the top level".to_string(), |o| {
                    self.nodes[o.node].label.clone()
                });
                self.warn(
                    line,
                    format!(
                        "{label} opens a new level of numbering under {under} but is not a first number; read as a numbered provision (begin the paragraph with a backslash, \\, if it is running text)"
                    ),
                );
            }
            _ => {}
        }
    }

    fn provision_kind(&self, parent: Option<usize>) -> ClauseKind {
        match parent.map(|p| self.nodes[p].kind) {
            Some(ClauseKind::Paragraph | ClauseKind::Point | ClauseKind::Indent) => {
                ClauseKind::Point
            }
            _ => ClauseKind::Paragraph,
        }
    }

    /// Append a paragraph to a clause's text, and note the footnotes it references.
    fn append(&mut self, node: usize, text: &str, inline: &[Md<'a>]) {
        push_paragraph(&mut self.nodes[node].text, text);
        let mut seen = HashSet::new();
        for e in inline {
            if let Md::FootnoteReference(m) = e {
                if seen.insert(m.to_string()) {
                    self.reference(node, m);
                }
            }
        }
    }

    /// A block that is text: of the clause open last, or a new preamble paragraph.
    fn content(&mut self, text: String, line: usize) {
        self.content_with(text, &[], line);
    }

    fn content_with(&mut self, text: String, inline: &[Md<'a>], line: usize) {
        if text.is_empty() {
            return;
        }
        let node = match self.stack.last() {
            Some(o) => o.node,
            None => {
                self.recitals += 1;
                let label = format!("PP{}", self.recitals);
                self.add(None, label, None, ClauseKind::Recital, line)
            }
        };
        self.append(node, &text, inline);
    }

    fn finish(mut self) -> Result<Draft, ImportError> {
        // Notes still waiting: a later reference to a note already given.
        let mut waiting: Vec<(usize, String)> = std::mem::take(&mut self.notes.waiting)
            .into_iter()
            .flat_map(|(m, nodes)| nodes.into_iter().map(move |n| (n, m.clone())))
            .collect();
        waiting.sort();
        for (node, mark) in waiting {
            match self.notes.last.get(&mark) {
                Some(text) => self.nodes[node].notes.push(Note {
                    mark: mark.clone(),
                    text: text.clone(),
                }),
                None => {
                    let line = self.nodes[node].line;
                    self.warn(line, format!("footnote [^{mark}] has no text"));
                }
            }
        }
        let unclaimed = std::mem::take(&mut self.notes.unclaimed);
        let mut unclaimed: Vec<_> = unclaimed
            .into_iter()
            .flat_map(|(m, v)| v.into_iter().map(move |x| (m.clone(), x)))
            .collect();
        unclaimed.sort_by_key(|(_, (_, _, line))| *line);
        for (mark, (text, open, line)) in unclaimed {
            match open {
                Some(node) => {
                    let label = self.nodes[node].label.clone();
                    self.warn(
                        line,
                        format!(
                            "footnote [^{mark}] is referenced nowhere; kept as a note of {label}"
                        ),
                    );
                    self.nodes[node].notes.push(Note { mark, text });
                }
                None => self.warn(
                    line,
                    format!("footnote [^{mark}] is referenced nowhere; left out"),
                ),
            }
        }
        if self.roots.is_empty() {
            return Err(ImportError::new(
                1,
                "the draft has no clauses; write its text as paragraphs under headings (## Article 1 — Title), numbered as the text numbers them",
            ));
        }
        if let Some((t, line)) = &self.title {
            check_name(*line, "the title", t)?;
        }
        self.unique_labels(None);
        let roots = std::mem::take(&mut self.roots);
        let mut nodes: Vec<Option<Node>> = std::mem::take(&mut self.nodes)
            .into_iter()
            .map(Some)
            .collect();
        let clauses = build(&roots, &mut nodes)?;
        self.warnings.sort_by_key(|w| w.line);
        Ok(Draft {
            title: self.title.map(|(t, _)| t),
            meta: self.meta,
            clauses,
            warnings: self.warnings,
        })
    }

    /// Make labels unique among siblings: the second `(a)` under one clause becomes `(a)-2`.
    fn unique_labels(&mut self, parent: Option<usize>) {
        let children = match parent {
            Some(p) => self.nodes[p].children.clone(),
            None => self.roots.clone(),
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for &c in &children {
            let label = self.nodes[c].label.clone();
            if let Some(first) = seen.get(&label).copied() {
                let mut k = 2;
                let unique = loop {
                    let candidate = format!("{label}-{k}");
                    if !seen.contains_key(&candidate)
                        && !children.iter().any(|&o| self.nodes[o].label == candidate)
                    {
                        break candidate;
                    }
                    k += 1;
                };
                let under =
                    parent.map_or("the top level".to_string(), |p| self.nodes[p].label.clone());
                let line = self.nodes[c].line;
                self.warn(
                    line,
                    format!("{label} is used twice under {under} (first on line {first}); this one is labelled {unique}"),
                );
                self.nodes[c].label = unique.clone();
                seen.insert(unique, line);
            } else {
                seen.insert(label, self.nodes[c].line);
            }
        }
        for c in children {
            self.unique_labels(Some(c));
        }
    }
}

fn build(ids: &[usize], nodes: &mut [Option<Node>]) -> Result<Vec<DraftClause>, ImportError> {
    let mut out = Vec::with_capacity(ids.len());
    for &i in ids {
        let n = nodes[i].take().expect("each clause is built once");
        check_name(n.line, "the label", &n.label)?;
        if let Some(h) = &n.heading {
            check_name(n.line, &format!("the heading of {}", n.label), h)?;
        }
        if n.text.len() > MAX_TEXT {
            return Err(ImportError::new(
                n.line,
                format!(
                    "the text of {} is {} bytes; at most {MAX_TEXT} are accepted",
                    n.label,
                    n.text.len()
                ),
            ));
        }
        let children = build(&n.children, nodes)?;
        out.push(DraftClause {
            label: n.label,
            heading: n.heading,
            text: n.text,
            kind: Some(n.kind),
            notes: n.notes,
            children,
            line: n.line,
        });
    }
    Ok(out)
}

fn digits_of_style(style: Style) -> Option<Digits> {
    match style {
        Style::Dot(d) | Style::Paren(d) | Style::Close(d) => Some(d),
        Style::Decimal(_) | Style::ArticleList => None,
    }
}

fn check_name(line: usize, what: &str, s: &str) -> Result<(), ImportError> {
    if s.len() > MAX_NAME {
        return Err(ImportError::new(
            line,
            format!(
                "{what} is {} bytes; at most {MAX_NAME} are accepted",
                s.len()
            ),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(ImportError::new(
            line,
            format!("{what} contains control characters"),
        ));
    }
    Ok(())
}

fn is_inline(e: &Md<'_>) -> bool {
    let inline_tag = |t: &TagEnd| {
        matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        )
    };
    match e {
        Md::Start(t) => inline_tag(&t.to_end()),
        Md::End(t) => inline_tag(t),
        Md::Text(_)
        | Md::Code(_)
        | Md::InlineHtml(_)
        | Md::InlineMath(_)
        | Md::DisplayMath(_)
        | Md::FootnoteReference(_)
        | Md::SoftBreak
        | Md::HardBreak
        | Md::TaskListMarker(_) => true,
        Md::Html(_) | Md::Rule => false,
    }
}

fn push_paragraph(text: &mut String, paragraph: &str) {
    if paragraph.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(paragraph);
}
