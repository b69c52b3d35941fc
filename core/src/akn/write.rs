//! Writing the text at a point as an Akoma Ntoso 3.0 `bill`; see the module above for the
//! mapping.

use std::collections::{HashMap, HashSet};
use std::io;

use pulldown_cmark::{Event as Md, LinkType, Options, Parser, Tag, TagEnd};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event as Xml};
use quick_xml::Writer;

use super::{element_of, Agent, LifecycleEvent, MARKDOWN_CLASS, NAMESPACE, NOTES_CLASS};
use crate::document::{Clause, DocumentState};
use crate::event::{ClauseKind, Note};
use crate::ids::ParticipantId;
use crate::vocabulary::ParticipantKind;

/// Why a text could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The text has no clauses at that point: an Akoma Ntoso body needs one.
    #[error("the text of {0} is empty at that point: there is nothing to export")]
    Empty(String),
    /// Writing failed (only if memory does).
    #[error("writing the XML failed: {0}")]
    Io(#[from] io::Error),
}

/// Where the work is from and in what language: the FRBR country (`un`, `eu`, an ISO 3166
/// code) and the expression's language (ISO 639-2, `eng`).
#[derive(Clone, Debug)]
pub struct Jurisdiction<'a> {
    /// `FRBRcountry`, the second part of each FRBR URI.
    pub country: &'a str,
    /// `FRBRlanguage`.
    pub language: &'a str,
}

/// The text of `doc` as an Akoma Ntoso 3.0 document, with the lifecycle of its text changes
/// (`lifecycle`, oldest first) and the participants it names (`agents`; one missing is named
/// by its id).
pub fn write_akn(
    doc: &DocumentState,
    lifecycle: &[LifecycleEvent],
    agents: &[Agent],
    place: &Jurisdiction<'_>,
) -> Result<String, WriteError> {
    if doc.roots().is_empty() {
        return Err(WriteError::Empty(doc.slug.clone()));
    }
    let mut out = Out {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
        eids: HashSet::new(),
    };
    out.w
        .write_event(Xml::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.open("akomaNtoso", &[("xmlns", NAMESPACE)])?;
    out.open("bill", &[("name", &doc.slug)])?;
    meta(&mut out, doc, lifecycle, agents, place)?;

    out.open("preface", &[("eId", "preface")])?;
    out.open("p", &[])?;
    out.leaf("docTitle", &[], &doc.title)?;
    out.close("p")?;
    out.close("preface")?;

    // The recitals before the first other clause open the text; the body needs a clause.
    let roots: Vec<&Clause> = doc
        .roots()
        .iter()
        .filter_map(|id| doc.clause(*id))
        .collect();
    let recitals = roots
        .iter()
        .take_while(|c| c.kind(doc) == ClauseKind::Recital && c.children.is_empty())
        .count();
    let recitals = if recitals == roots.len() { 0 } else { recitals };
    if recitals > 0 {
        out.open("preamble", &[("eId", "preamble")])?;
        out.open("recitals", &[("eId", "recs")])?;
        for (i, c) in roots[..recitals].iter().enumerate() {
            let eid = out.eid("", "rec", &c.label, i + 1);
            out.open("recital", &[("eId", &eid), ("wId", &c.id.0.to_string())])?;
            out.heads(c)?;
            out.blocks(&c.text, &c.notes, &eid, true)?;
            out.close("recital")?;
        }
        out.close("recitals")?;
        out.close("preamble")?;
    }
    out.open("body", &[("eId", "body")])?;
    let mut seen = HashMap::new();
    for c in &roots[recitals..] {
        clause(&mut out, doc, c, "", &mut seen)?;
    }
    out.close("body")?;
    out.close("bill")?;
    out.close("akomaNtoso")?;
    let mut bytes = out.w.into_inner();
    bytes.push(b'\n');
    Ok(String::from_utf8(bytes).expect("the writer writes the UTF-8 it is given"))
}

/// The writer, and the `eId`s given so far (each is given once).
struct Out {
    w: Writer<Vec<u8>>,
    eids: HashSet<String>,
}

impl Out {
    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.w.write_event(Xml::Start(
            BytesStart::new(name).with_attributes(attrs.iter().copied()),
        ))
    }

    fn close(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Xml::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        self.w.write_event(Xml::Empty(
            BytesStart::new(name).with_attributes(attrs.iter().copied()),
        ))
    }

    /// `<name …>text</name>`.
    fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> io::Result<()> {
        self.open(name, attrs)?;
        self.w
            .write_event(Xml::Text(BytesText::new(&xml_chars(text))))?;
        self.close(name)
    }

    /// A new `eId`: `PARENT__PREFIX_NUM`, the number from the label (`Article 5` gives 5,
    /// `(a)` a, `5.2` 5.2), or the place among its siblings when the label has none; made unique
    /// if two labels give the same.
    fn eid(&mut self, parent: &str, prefix: &str, label: &str, place: usize) -> String {
        let num = eid_number(label).unwrap_or_else(|| place.to_string());
        let base = if parent.is_empty() {
            format!("{prefix}_{num}")
        } else {
            format!("{parent}__{prefix}_{num}")
        };
        let mut eid = base.clone();
        let mut k = 2;
        while !self.eids.insert(eid.clone()) {
            eid = format!("{base}-{k}");
            k += 1;
        }
        eid
    }

    /// `num` and `heading`.
    fn heads(&mut self, c: &Clause) -> io::Result<()> {
        if !c.label.is_empty() {
            self.leaf("num", &[], &c.label)?;
        }
        if let Some(h) = &c.heading {
            self.leaf("heading", &[], h)?;
        }
        Ok(())
    }

    /// The blocks of a clause's text: a `p` per paragraph, with its notes where their marks
    /// are; `at_least_one` writes an empty `p` for an empty text (a recital needs a block).
    fn blocks(
        &mut self,
        text: &str,
        notes: &[Note],
        eid: &str,
        at_least_one: bool,
    ) -> io::Result<()> {
        let mut notes = NoteWriter {
            notes,
            placed: HashSet::new(),
            eid,
            count: 0,
        };
        let mut wrote = false;
        for block in split_blocks(text, notes.notes) {
            let (inner, class) = match block {
                Block::Paragraph(events, source) => {
                    // A paragraph given up on places its notes again, as Markdown.
                    let before = (notes.count, notes.placed.clone());
                    match inline(&events, &mut notes)? {
                        Some(inner) => (inner, None),
                        None => {
                            (notes.count, notes.placed) = before;
                            (notes.verbatim(source)?, Some(MARKDOWN_CLASS))
                        }
                    }
                }
                Block::Other(source) => (notes.verbatim(source)?, Some(MARKDOWN_CLASS)),
            };
            self.p(&inner, class)?;
            wrote = true;
        }
        let unplaced: Vec<&Note> = notes
            .notes
            .iter()
            .filter(|n| !notes.placed.contains(&n.mark))
            .collect();
        if !unplaced.is_empty() {
            let mut sub = Writer::new(Vec::new());
            for n in unplaced {
                notes.note(&mut sub, n)?;
            }
            self.p(
                &String::from_utf8_lossy(&sub.into_inner()),
                Some(NOTES_CLASS),
            )?;
            wrote = true;
        }
        if !wrote && at_least_one {
            self.p("", None)?;
        }
        Ok(())
    }

    /// A `p` holding `inner`, XML already written (by a writer that escaped it).
    fn p(&mut self, inner: &str, class: Option<&str>) -> io::Result<()> {
        match class {
            Some(class) => self.open("p", &[("class", class)])?,
            None => self.open("p", &[])?,
        }
        self.w
            .write_event(Xml::Text(BytesText::from_escaped(inner)))?;
        self.close("p")
    }
}

/// One clause and all under it.
fn clause(
    out: &mut Out,
    doc: &DocumentState,
    c: &Clause,
    parent: &str,
    seen: &mut HashMap<(String, &'static str), usize>,
) -> io::Result<()> {
    let kind = c.kind(doc);
    let (element, prefix) = element_of(kind);
    // A recital in the body (after an article, or holding clauses) is a container named so.
    let (element, name) = match kind {
        ClauseKind::Recital => ("hcontainer", Some("recital")),
        ClauseKind::Hcontainer => ("hcontainer", Some("hcontainer")),
        _ => (element, None),
    };
    let place = {
        let n = seen.entry((parent.to_string(), prefix)).or_insert(0);
        *n += 1;
        *n
    };
    let eid = out.eid(parent, prefix, &c.label, place);
    let wid = c.id.0.to_string();
    let mut attrs = vec![("eId", eid.as_str()), ("wId", wid.as_str())];
    if let Some(name) = name {
        attrs.push(("name", name));
    }
    out.open(element, &attrs)?;
    out.heads(c)?;
    let has_text = !c.text.is_empty() || !c.notes.is_empty();
    if c.children.is_empty() {
        if has_text {
            out.open("content", &[])?;
            out.blocks(&c.text, &c.notes, &eid, false)?;
            out.close("content")?;
        }
    } else {
        if has_text {
            out.open("intro", &[])?;
            out.blocks(&c.text, &c.notes, &eid, false)?;
            out.close("intro")?;
        }
        for child in c.children.iter().filter_map(|id| doc.clause(*id)) {
            clause(out, doc, child, &eid, seen)?;
        }
    }
    out.close(element)
}

/// The number an `eId` takes from a label: its last word without brackets and final stops,
/// anything but letters, digits, `.` and `-` made a `-`. `None` when nothing is left.
fn eid_number(label: &str) -> Option<String> {
    let last = label.split_whitespace().last()?;
    let trimmed = last.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '.' | ':'));
    let num: String = trimmed
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    (!num.is_empty()).then_some(num)
}

/// A block of a clause's text.
enum Block<'t> {
    /// A paragraph: its inline events, and its Markdown as the text holds it.
    Paragraph(Vec<Md<'static>>, &'t str),
    /// Any other block (a table, a quote, a list kept as text): its Markdown as it is.
    Other(&'t str),
}

/// The text's blocks, read as `import` reads them (with the clause's notes defined after it,
/// so that their references read as such).
fn split_blocks<'t>(text: &'t str, notes: &[Note]) -> Vec<Block<'t>> {
    if text.is_empty() {
        return Vec::new();
    }
    let mut source = text.to_string();
    for n in notes {
        source.push_str(&format!("\n\n[^{}]: {}", n.mark, n.text.replace('\n', " ")));
    }
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_DEFINITION_LIST;
    let events: Vec<(Md<'_>, std::ops::Range<usize>)> = Parser::new_ext(&source, options)
        .into_offset_iter()
        .collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let (e, range) = &events[i];
        // Only what lies in the text itself; the notes appended after it are not blocks.
        if range.start >= text.len() {
            break;
        }
        let Md::Start(tag) = e else {
            // A rule, or HTML at the top level: a block of its own.
            blocks.push(Block::Other(block_text(text, range)));
            i += 1;
            continue;
        };
        let end = matching_end(&events, i);
        if matches!(tag, Tag::Paragraph) {
            let inner = events[i + 1..end]
                .iter()
                .map(|(e, _)| e.clone().into_static())
                .collect();
            blocks.push(Block::Paragraph(inner, block_text(text, range)));
        } else {
            blocks.push(Block::Other(block_text(text, range)));
        }
        i = end + 1;
    }
    blocks
}

/// The index of the event that ends the one started at `start`.
fn matching_end(events: &[(Md<'_>, std::ops::Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Md::Start(_) => depth += 1,
            Md::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// A block's Markdown as the text holds it.
fn block_text<'t>(text: &'t str, range: &std::ops::Range<usize>) -> &'t str {
    text[range.start..range.end.min(text.len())].trim_end_matches(['\n', '\r'])
}

/// The notes of a clause as they are placed.
struct NoteWriter<'n> {
    notes: &'n [Note],
    placed: HashSet<String>,
    eid: &'n str,
    count: usize,
}

impl NoteWriter<'_> {
    /// `<authorialNote marker="m" eId="…"><p>…</p></authorialNote>`.
    fn note(&mut self, w: &mut Writer<Vec<u8>>, note: &Note) -> io::Result<()> {
        self.count += 1;
        self.placed.insert(note.mark.clone());
        let eid = format!("{}__authorialNote_{}", self.eid, self.count);
        w.write_event(Xml::Start(
            BytesStart::new("authorialNote")
                .with_attributes([("marker", note.mark.as_str()), ("eId", eid.as_str())]),
        ))?;
        let mut none = NoteWriter {
            notes: &[],
            placed: HashSet::new(),
            eid: &eid,
            count: 0,
        };
        for block in split_blocks(&note.text, &[]) {
            let (inner, class) = match block {
                Block::Paragraph(events, source) => match inline(&events, &mut none)? {
                    Some(inner) => (inner, None),
                    None => (escaped(source), Some(MARKDOWN_CLASS)),
                },
                Block::Other(source) => (escaped(source), Some(MARKDOWN_CLASS)),
            };
            let mut p = BytesStart::new("p");
            if let Some(class) = class {
                p.push_attribute(("class", class));
            }
            w.write_event(Xml::Start(p))?;
            w.write_event(Xml::Text(BytesText::from_escaped(inner)))?;
            w.write_event(Xml::End(BytesEnd::new("p")))?;
        }
        w.write_event(Xml::End(BytesEnd::new("authorialNote")))
    }

    /// Markdown kept as it is, its notes' marks (`[^m]`) made the notes.
    fn verbatim(&mut self, source: &str) -> io::Result<String> {
        let mut w = Writer::new(Vec::new());
        let mut rest = source;
        while !rest.is_empty() {
            let next = self
                .notes
                .iter()
                .filter_map(|n| rest.find(&format!("[^{}]", n.mark)).map(|at| (at, n)))
                .min_by_key(|(at, _)| *at);
            match next {
                Some((at, n)) => {
                    w.write_event(Xml::Text(BytesText::new(&xml_chars(&rest[..at]))))?;
                    self.note(&mut w, n)?;
                    rest = &rest[at + n.mark.len() + 3..];
                }
                None => {
                    w.write_event(Xml::Text(BytesText::new(&xml_chars(rest))))?;
                    rest = "";
                }
            }
        }
        Ok(String::from_utf8_lossy(&w.into_inner()).into_owned())
    }
}

/// Text with the characters XML 1.0 cannot hold (controls other than tab and line ends, and
/// U+FFFE, U+FFFF) replaced by U+FFFD.
fn xml_chars(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if s.contains(bad) {
        std::borrow::Cow::Owned(s.replace(bad, "\u{fffd}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Text escaped for XML, by quick-xml.
fn escaped(s: &str) -> String {
    quick_xml::escape::escape(xml_chars(s)).into_owned()
}

/// A paragraph's inline content as Akoma Ntoso, or `None` if it holds what Akoma Ntoso's
/// inline elements do not say (an image, HTML, a reference to a note the clause lacks).
fn inline(events: &[Md<'_>], notes: &mut NoteWriter<'_>) -> io::Result<Option<String>> {
    let mut w = Writer::new(Vec::new());
    let mut open: Vec<&'static str> = Vec::new();
    for e in events {
        match e {
            Md::Text(t) => w.write_event(Xml::Text(BytesText::new(&xml_chars(t))))?,
            Md::SoftBreak => w.write_event(Xml::Text(BytesText::new(" ")))?,
            Md::HardBreak => w.write_event(Xml::Empty(BytesStart::new("eol")))?,
            Md::Code(c) => {
                w.write_event(Xml::Start(
                    BytesStart::new("inline").with_attributes([("name", "code")]),
                ))?;
                w.write_event(Xml::Text(BytesText::new(&xml_chars(c))))?;
                w.write_event(Xml::End(BytesEnd::new("inline")))?;
            }
            Md::FootnoteReference(m) => match notes.notes.iter().find(|n| n.mark == m.as_ref()) {
                Some(n) => notes.note(&mut w, n)?,
                None => return Ok(None),
            },
            Md::Start(tag) => {
                let el = match tag {
                    Tag::Emphasis => BytesStart::new("i"),
                    Tag::Strong => BytesStart::new("b"),
                    Tag::Strikethrough => BytesStart::new("del"),
                    Tag::Link {
                        link_type: LinkType::Inline | LinkType::Autolink | LinkType::Email,
                        dest_url,
                        title,
                        ..
                    } => {
                        let mut a = BytesStart::new("a");
                        a.push_attribute(("href", dest_url.as_ref()));
                        if !title.is_empty() {
                            a.push_attribute(("title", title.as_ref()));
                        }
                        a
                    }
                    _ => return Ok(None),
                };
                open.push(match tag {
                    Tag::Emphasis => "i",
                    Tag::Strong => "b",
                    Tag::Strikethrough => "del",
                    _ => "a",
                });
                w.write_event(Xml::Start(el))?;
            }
            Md::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link) => {
                let Some(name) = open.pop() else {
                    return Ok(None);
                };
                w.write_event(Xml::End(BytesEnd::new(name)))?;
            }
            _ => return Ok(None),
        }
    }
    if !open.is_empty() {
        return Ok(None);
    }
    Ok(Some(String::from_utf8_lossy(&w.into_inner()).into_owned()))
}

/// `<meta>`: identification, lifecycle, references.
fn meta(
    out: &mut Out,
    doc: &DocumentState,
    lifecycle: &[LifecycleEvent],
    agents: &[Agent],
    place: &Jurisdiction<'_>,
) -> io::Result<()> {
    // Who is named: the document's creator, then whoever made a change, each once.
    let mut named: Vec<ParticipantId> = vec![doc.created_by];
    for e in lifecycle {
        if !named.contains(&e.by) {
            named.push(e.by);
        }
    }
    let agent_of = |id: ParticipantId| -> Agent {
        agents
            .iter()
            .find(|a| a.id == id)
            .cloned()
            .unwrap_or(Agent {
                id,
                handle: format!("participant-{}", id.short()),
                name: id.short(),
                kind: ParticipantKind::Public,
            })
    };
    let eid_of = |id: ParticipantId| format!("#{}", agent_eid(&agent_of(id).handle));
    let source = eid_of(doc.created_by);
    let last_by = lifecycle.last().map_or(doc.created_by, |e| e.by);

    let created = doc.created_at.format("%Y-%m-%d").to_string();
    let at = doc.updated_at.format("%Y-%m-%d").to_string();
    let work = format!("/akn/{}/bill/{created}/{}", place.country, doc.slug);
    let expression = format!("{work}/{}@{at}", place.language);
    let manifestation = format!("{expression}.akn");

    out.open("meta", &[])?;
    out.open("identification", &[("source", &source)])?;
    out.open("FRBRWork", &[])?;
    out.empty("FRBRthis", &[("value", &format!("{work}/!main"))])?;
    out.empty("FRBRuri", &[("value", &work)])?;
    out.empty("FRBRdate", &[("date", &created), ("name", "created")])?;
    out.empty("FRBRauthor", &[("href", &source)])?;
    out.empty("FRBRcountry", &[("value", place.country)])?;
    out.empty("FRBRnumber", &[("value", &doc.slug)])?;
    out.empty("FRBRname", &[("value", &doc.title)])?;
    out.close("FRBRWork")?;
    out.open("FRBRExpression", &[])?;
    out.empty("FRBRthis", &[("value", &format!("{expression}/!main"))])?;
    out.empty("FRBRuri", &[("value", &expression)])?;
    out.empty("FRBRdate", &[("date", &at), ("name", "version")])?;
    out.empty("FRBRauthor", &[("href", &eid_of(last_by))])?;
    out.empty("FRBRlanguage", &[("language", place.language)])?;
    out.close("FRBRExpression")?;
    out.open("FRBRManifestation", &[])?;
    out.empty("FRBRthis", &[("value", &format!("{expression}/!main.akn"))])?;
    out.empty("FRBRuri", &[("value", &manifestation)])?;
    out.empty("FRBRdate", &[("date", &at), ("name", "export")])?;
    out.empty("FRBRauthor", &[("href", &source)])?;
    out.empty("FRBRformat", &[("value", "application/akn+xml")])?;
    out.close("FRBRManifestation")?;
    out.close("identification")?;

    if !lifecycle.is_empty() {
        out.open("lifecycle", &[("source", &source)])?;
        for (i, e) in lifecycle.iter().enumerate() {
            let date = e.at.format("%Y-%m-%d").to_string();
            let eid = format!("evt_{}", e.seq);
            out.empty(
                "eventRef",
                &[
                    ("eId", eid.as_str()),
                    ("date", &date),
                    ("source", &eid_of(e.by)),
                    ("type", if i == 0 { "generation" } else { "amendment" }),
                    ("refersTo", &format!("#event_{}", e.seq)),
                ],
            )?;
        }
        out.close("lifecycle")?;
    }

    out.open("references", &[("source", &source)])?;
    for e in lifecycle {
        out.empty(
            "TLCEvent",
            &[
                ("eId", &format!("event_{}", e.seq)),
                ("href", &format!("/travaux/event/{}", e.seq)),
                ("showAs", &e.what),
            ],
        )?;
    }
    for id in named {
        let a = agent_of(id);
        let element = match a.kind {
            ParticipantKind::Expert | ParticipantKind::Public => "TLCPerson",
            _ => "TLCOrganization",
        };
        let show = if a.name.trim().is_empty() {
            a.handle.clone()
        } else {
            a.name.clone()
        };
        out.empty(
            element,
            &[
                ("eId", &agent_eid(&a.handle)),
                ("href", &format!("/travaux/participant/{}", a.handle)),
                ("showAs", &show),
            ],
        )?;
    }
    out.close("references")?;
    out.close("meta")
}

/// A participant's `eId`: their handle (lowercase letters, digits, `-`, `_`, `.`), unless it
/// could be another element's (every clause's and event's has a `_`, and the four fixed ones).
fn agent_eid(handle: &str) -> String {
    if handle.contains('_') || matches!(handle, "preface" | "preamble" | "recs" | "body") {
        format!("participant.{handle}")
    } else {
        handle.to_string()
    }
}
