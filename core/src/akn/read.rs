//! Reading an Akoma Ntoso document into a draft; see the module above for the mapping.

use std::collections::{BTreeMap, HashMap, HashSet};

use pulldown_cmark::{CowStr, Event as Md, LinkType, Tag, TagEnd};

use super::xml::{all, line_at, parse_tree, plain, Element, Lines, Node};
use super::{kind_of, MARKDOWN_CLASS, NOTES_CLASS};
use crate::event::{ClauseKind, Note};
use crate::import::canonical::inline_markdown;
use crate::import::{Draft, DraftClause, ImportError, Warning, MAX_DRAFT_BYTES};

/// Read an Akoma Ntoso document (any document type: `act`, `bill`, `doc`…) into a draft, or
/// say which line is wrong and why.
pub fn read_akn(bytes: &[u8]) -> Result<Draft, ImportError> {
    if bytes.len() > MAX_DRAFT_BYTES {
        return Err(ImportError::new(
            1,
            format!(
                "the document is {} bytes; at most {MAX_DRAFT_BYTES} are accepted",
                bytes.len()
            ),
        ));
    }
    let source = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::new(
            line_at(bytes, e.valid_up_to()),
            "the document is not valid UTF-8; save it as UTF-8 and import it again",
        )
    })?;
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let root = parse_tree(source)?;
    let lines = Lines::new(source);
    if root.name != "akomaNtoso" {
        return Err(ImportError::new(
            lines.at(root.at),
            format!(
                "this is not an Akoma Ntoso document: its root element is <{}>, not <akomaNtoso>",
                root.name
            ),
        ));
    }
    let Some(doc) = root.elements().next() else {
        return Err(ImportError::new(
            lines.at(root.at),
            "<akomaNtoso> holds no document (act, bill, doc…)",
        ));
    };
    let meta = doc.child("meta");
    let mut reader = Read {
        lines,
        warnings: Vec::new(),
        meta_notes: HashMap::new(),
    };
    if let Some(notes) = meta.and_then(|m| m.child("notes")) {
        for n in notes.elements().filter(|n| n.name == "note") {
            if let Some(id) = n.attr("eId").or_else(|| n.attr("id")) {
                let mut inner = Vec::new();
                let text = reader.blocks(n, &mut inner).join("\n\n");
                reader
                    .meta_notes
                    .insert(id.to_string(), (n.attr("marker").map(str::to_string), text));
            }
        }
    }

    let mut draft_meta = BTreeMap::new();
    draft_meta.insert("type".to_string(), doc.name.clone());
    let identification = meta.and_then(|m| m.child("identification"));
    let work = identification.and_then(|i| i.child("FRBRWork"));
    if let Some(uri) = work
        .and_then(|w| w.child("FRBRthis"))
        .and_then(|t| t.attr("value"))
    {
        draft_meta.insert("uri".to_string(), uri.to_string());
    }
    let expression_date = identification
        .and_then(|i| i.child("FRBRExpression"))
        .and_then(|e| e.child("FRBRdate"))
        .and_then(|d| d.attr("date"));
    if let Some(date) = expression_date {
        draft_meta.insert("date".to_string(), date.to_string());
    }
    let title = doc
        .child("preface")
        .and_then(|p| {
            ["docTitle", "shortTitle", "longTitle"]
                .iter()
                .find_map(|name| p.descendant(name))
        })
        .map(plain)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            work.and_then(|w| w.child("FRBRname"))
                .and_then(|n| n.attr("value"))
                .map(str::to_string)
        })
        .or_else(|| doc.attr("name").map(str::to_string));
    if let Some(t) = &title {
        draft_meta.insert("title".to_string(), t.clone());
    }

    let mut clauses = Vec::new();
    if let Some(preamble) = doc.child("preamble") {
        reader.preamble(preamble, &mut clauses)?;
    }
    let body = [
        "body",
        "mainBody",
        "judgmentBody",
        "debateBody",
        "amendmentBody",
    ]
    .iter()
    .find_map(|name| doc.child(name));
    match body {
        Some(body) => {
            let mut children = reader.hierarchy(body, 0)?;
            clauses.append(&mut children);
        }
        None => reader.warn(
            doc.at,
            format!("<{}> has no body: no clauses read", doc.name),
        ),
    }
    for name in ["conclusions", "attachments", "components"] {
        if let Some(e) = doc.child(name) {
            reader.warn(
                e.at,
                format!("<{name}> is not part of the text here: left out"),
            );
        }
    }
    Ok(Draft {
        title,
        meta: draft_meta,
        clauses,
        warnings: reader.warnings,
    })
}

/// The reading of the text: the metadata's notes, and the warnings so far.
struct Read {
    lines: Lines,
    warnings: Vec<Warning>,
    /// Notes of the metadata by `eId`: their marker and text.
    meta_notes: HashMap<String, (Option<String>, String)>,
}

impl Read {
    fn warn(&mut self, at: usize, message: String) {
        self.warnings.push(Warning {
            line: self.lines.at(at),
            message,
        });
    }

    /// The preamble's recitals (and citations, and paragraphs of its own) as recitals.
    fn preamble(
        &mut self,
        preamble: &Element,
        out: &mut Vec<DraftClause>,
    ) -> Result<(), ImportError> {
        let mut items: Vec<&Element> = Vec::new();
        for e in preamble.elements() {
            match e.name.as_str() {
                "recitals" | "citations" => items.extend(
                    e.elements()
                        .filter(|i| matches!(i.name.as_str(), "recital" | "citation")),
                ),
                _ => items.push(e),
            }
        }
        let mut labels = HashSet::new();
        for e in items {
            let mut notes = Vec::new();
            let (label, heading) = self.heads(e);
            let text = if matches!(e.name.as_str(), "recital" | "citation" | "container") {
                self.blocks(e, &mut notes)
            } else {
                self.block(e, &mut notes)
            }
            .join("\n\n");
            if text.is_empty() && label.is_none() {
                continue;
            }
            let label = label.unwrap_or_else(|| format!("PP{}", out.len() + 1));
            self.unique(&mut labels, &label, e)?;
            out.push(DraftClause {
                label,
                heading,
                text,
                kind: Some(ClauseKind::Recital),
                notes,
                children: Vec::new(),
                line: self.lines.at(e.at),
            });
        }
        Ok(())
    }

    /// The clauses under a body or a clause.
    fn hierarchy(
        &mut self,
        parent: &Element,
        depth: usize,
    ) -> Result<Vec<DraftClause>, ImportError> {
        let mut under = Under::default();
        self.hierarchy_into(parent, depth, &mut under)?;
        Ok(under.clauses)
    }

    /// The clauses under `parent`, into `under`: an unnumbered `list` (as LEOS writes a
    /// paragraph's points) is no clause of its own: its points are the parent's, and the
    /// paragraphs of its `intro` and `wrapUp` the parent's text.
    fn hierarchy_into(
        &mut self,
        parent: &Element,
        depth: usize,
        under: &mut Under,
    ) -> Result<(), ImportError> {
        for e in parent.elements() {
            if matches!(e.name.as_str(), "list" | "sublist") && e.child("num").is_none() {
                for part in ["intro", "wrapUp"] {
                    if let Some(p) = e.child(part) {
                        let mut paragraphs = self.blocks(p, &mut under.notes);
                        under.text.append(&mut paragraphs);
                    }
                }
                self.hierarchy_into(e, depth + 1, under)?;
                continue;
            }
            let kind = match (e.name.as_str(), e.attr("name")) {
                ("hcontainer", Some("recital")) => ClauseKind::Recital,
                (name, _) => match kind_of(name) {
                    Some(k) => k,
                    None => {
                        // Inside a clause, what is not a clause is its text (read by `blocks`).
                        if depth == 0 {
                            self.warn(e.at, format!("<{name}> is not a clause: left out"));
                        }
                        continue;
                    }
                },
            };
            let place = {
                let n = under.places.entry(kind).or_insert(0);
                *n += 1;
                *n
            };
            let (label, heading) = self.heads(e);
            let label = label.unwrap_or_else(|| {
                let name = kind.to_string();
                let mut chars = name.chars();
                let first = chars.next().map(|c| c.to_uppercase().to_string());
                format!("{}{} {place}", first.unwrap_or_default(), chars.as_str())
            });
            self.unique(&mut under.labels, &label, e)?;
            let mut notes = Vec::new();
            let mut paragraphs = Vec::new();
            for part in ["intro", "content", "wrapUp"] {
                if let Some(p) = e.child(part) {
                    paragraphs.append(&mut self.blocks(p, &mut notes));
                }
            }
            // Blocks straight inside (a recital, a hcontainer of another producer).
            paragraphs.append(&mut self.blocks(e, &mut notes));
            let mut inner = Under::default();
            self.hierarchy_into(e, depth + 1, &mut inner)?;
            paragraphs.append(&mut inner.text);
            notes.append(&mut inner.notes);
            under.clauses.push(DraftClause {
                label,
                heading,
                text: paragraphs.join("\n\n"),
                kind: Some(kind),
                notes,
                children: inner.clauses,
                line: self.lines.at(e.at),
            });
        }
        Ok(())
    }

    /// A clause's `num` and `heading`, as plain text.
    fn heads(&self, e: &Element) -> (Option<String>, Option<String>) {
        let read = |name| e.child(name).map(plain).filter(|s: &String| !s.is_empty());
        (read("num"), read("heading"))
    }

    /// Labels differ among siblings.
    fn unique(
        &self,
        labels: &mut HashSet<String>,
        label: &str,
        e: &Element,
    ) -> Result<(), ImportError> {
        if labels.insert(label.to_string()) {
            return Ok(());
        }
        Err(ImportError::new(
            self.lines.at(e.at),
            format!(
                "two clauses under the same parent are numbered '{label}'; number them apart (<num>)"
            ),
        ))
    }

    /// The paragraphs of the blocks straight inside `e` (not its clauses, `num` or `heading`).
    fn blocks(&mut self, e: &Element, notes: &mut Vec<Note>) -> Vec<String> {
        let mut out = Vec::new();
        for c in e.elements() {
            if kind_of(&c.name).is_some()
                || matches!(
                    c.name.as_str(),
                    "num"
                        | "heading"
                        | "subheading"
                        | "intro"
                        | "content"
                        | "wrapUp"
                        | "crossHeading"
                )
            {
                continue;
            }
            out.append(&mut self.block(c, notes));
        }
        out
    }

    /// The paragraphs of one block element.
    fn block(&mut self, e: &Element, notes: &mut Vec<Note>) -> Vec<String> {
        let class = e.attr("class").unwrap_or("");
        match e.name.as_str() {
            "p" | "block" | "listIntroduction" | "listWrapUp" | "docTitle"
                if class.split_whitespace().any(|c| c == MARKDOWN_CLASS) =>
            {
                let text = self.verbatim(e, notes);
                vec![text].into_iter().filter(|t| !t.is_empty()).collect()
            }
            "p" if class.split_whitespace().any(|c| c == NOTES_CLASS) => {
                let _ = self.paragraph(e, notes);
                Vec::new()
            }
            "p" | "block" | "listIntroduction" | "listWrapUp" => {
                let text = self.paragraph(e, notes);
                vec![text].into_iter().filter(|t| !t.is_empty()).collect()
            }
            "table" => {
                // A row a paragraph, its cells apart.
                let mut out = Vec::new();
                for row in all(e, "tr") {
                    let cells: Vec<String> = row
                        .elements()
                        .map(|c| self.blocks(c, notes).join(" "))
                        .collect();
                    let row = cells.join(" | ");
                    if !row.is_empty() {
                        out.push(row);
                    }
                }
                out
            }
            "authorialNote" | "noteRef" => {
                let text = self.paragraph(
                    &Element {
                        name: "p".into(),
                        attrs: Vec::new(),
                        children: vec![Node::Element(e.clone())],
                        at: e.at,
                    },
                    notes,
                );
                vec![text].into_iter().filter(|t| !t.is_empty()).collect()
            }
            _ => {
                if e.elements().next().is_some() {
                    let out = self.blocks(e, notes);
                    if !out.is_empty() {
                        return out;
                    }
                }
                let text = self.paragraph(e, notes);
                vec![text].into_iter().filter(|t| !t.is_empty()).collect()
            }
        }
    }

    /// A paragraph's inline content as canonical Markdown.
    fn paragraph(&mut self, e: &Element, notes: &mut Vec<Note>) -> String {
        let mut events = Vec::new();
        self.inline(e, &mut events, notes);
        inline_markdown(&events).trim().to_string()
    }

    /// Markdown kept as it is (`p class="travaux-markdown"`), its notes as `[^m]`.
    fn verbatim(&mut self, e: &Element, notes: &mut Vec<Note>) -> String {
        let mut out = String::new();
        for n in &e.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(c) if matches!(c.name.as_str(), "authorialNote" | "noteRef") => {
                    let mark = self.note(c, notes);
                    out.push_str(&format!("[^{mark}]"));
                }
                Node::Element(c) => out.push_str(&plain(c)),
            }
        }
        out
    }

    /// A note, added to the clause's: its mark.
    fn note(&mut self, e: &Element, notes: &mut Vec<Note>) -> String {
        let (marker, text) = if e.name == "noteRef" {
            let id = e.attr("href").unwrap_or("").trim_start_matches('#');
            match self.meta_notes.get(id) {
                Some((marker, text)) => (
                    e.attr("marker")
                        .map(str::to_string)
                        .or_else(|| marker.clone()),
                    text.clone(),
                ),
                None => {
                    self.warn(
                        e.at,
                        format!("a note reference to '{id}', a note the metadata does not hold"),
                    );
                    (e.attr("marker").map(str::to_string), String::new())
                }
            }
        } else {
            let mut inner = Vec::new();
            let mut text = self.blocks(e, &mut inner).join("\n\n");
            if text.is_empty() {
                text = self.paragraph(e, &mut inner);
            }
            (e.attr("marker").map(str::to_string), text)
        };
        let mut mark = marker
            .map(|m| m.split_whitespace().collect::<Vec<_>>().join(""))
            .filter(|m| !m.is_empty() && !m.contains([']', '[', '^']))
            .unwrap_or_else(|| (notes.len() + 1).to_string());
        while notes.iter().any(|n| n.mark == mark) {
            mark.push('\'');
        }
        notes.push(Note {
            mark: mark.clone(),
            text,
        });
        mark
    }

    /// The inline content of `e` as Markdown events.
    fn inline(&mut self, e: &Element, out: &mut Vec<Md<'static>>, notes: &mut Vec<Note>) {
        for n in &e.children {
            let c = match n {
                Node::Text(t) => {
                    out.push(Md::Text(CowStr::from(t.clone())));
                    continue;
                }
                Node::Element(c) => c,
            };
            let wrap = |tag: Tag<'static>,
                        end: TagEnd,
                        me: &mut Self,
                        out: &mut Vec<Md<'static>>,
                        notes: &mut Vec<Note>| {
                if plain(c).is_empty() {
                    return;
                }
                out.push(Md::Start(tag));
                me.inline(c, out, notes);
                out.push(Md::End(end));
            };
            match c.name.as_str() {
                "i" => wrap(Tag::Emphasis, TagEnd::Emphasis, self, out, notes),
                "b" => wrap(Tag::Strong, TagEnd::Strong, self, out, notes),
                "del" => wrap(Tag::Strikethrough, TagEnd::Strikethrough, self, out, notes),
                "eol" | "eop" | "br" => out.push(Md::HardBreak),
                "inline" if c.attr("name") == Some("code") => {
                    out.push(Md::Code(CowStr::from(plain(c))));
                }
                "a" => {
                    let href = c.attr("href").unwrap_or("").to_string();
                    let text = plain(c);
                    let link_type = if text == href && href.contains("://") {
                        LinkType::Autolink
                    } else if text == href && href.contains('@') && !href.contains(':') {
                        LinkType::Email
                    } else {
                        LinkType::Inline
                    };
                    if href.is_empty() {
                        self.inline(c, out, notes);
                        continue;
                    }
                    let tag = Tag::Link {
                        link_type,
                        dest_url: CowStr::from(href),
                        title: CowStr::from(c.attr("title").unwrap_or("").to_string()),
                        id: CowStr::from(String::new()),
                    };
                    wrap(tag, TagEnd::Link, self, out, notes);
                }
                "authorialNote" | "noteRef" => {
                    let mark = self.note(c, notes);
                    out.push(Md::FootnoteReference(CowStr::from(mark)));
                }
                _ => self.inline(c, out, notes),
            }
        }
    }
}

/// What is read under a clause: its clauses, and the text and notes of unnumbered lists.
#[derive(Default)]
struct Under {
    clauses: Vec<DraftClause>,
    labels: HashSet<String>,
    places: HashMap<ClauseKind, usize>,
    text: Vec<String>,
    notes: Vec<Note>,
}
