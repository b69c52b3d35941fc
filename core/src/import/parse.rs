//! Reading a Markdown draft into a clause tree.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};

use super::{Draft, DraftClause, ImportError, MAX_DRAFT_BYTES};
use crate::event::ClauseKind;
use crate::{MAX_NAME, MAX_TEXT};

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

    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES;
    let events: Vec<(Md<'_>, Range<usize>)> = Parser::new_ext(source, options)
        .into_offset_iter()
        .collect();
    let mut reader = Reader {
        events: events.into_iter().peekable(),
        newlines: source
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect(),
    };

    let mut title: Option<(String, usize)> = None;
    let mut clauses: Vec<DraftClause> = Vec::new();
    // The number of the article being read ("5" in "Article 5"), or its whole label when it has
    // no "Article N" form; `None` before the first article.
    let mut article: Option<ArticleNumber> = None;
    let mut preamble = 0;

    while let Some((event, range)) = reader.events.next() {
        let line = reader.line(range.start);
        let tag = match event {
            Md::Start(tag) => tag,
            Md::Rule => continue,
            _ => return Err(reader.unexpected(range.start)),
        };
        match reader.block(tag, range.start)? {
            Block::Heading { level: 1, text } => {
                if let Some((_, first)) = &title {
                    return Err(ImportError::new(
                        line,
                        format!(
                            "a second title; the draft already has one on line {first} (use ## for articles)"
                        ),
                    ));
                }
                if text.is_empty() {
                    return Err(ImportError::new(line, "the title is empty"));
                }
                title = Some((text, line));
            }
            Block::Heading { text, .. } => {
                if text.is_empty() {
                    return Err(ImportError::new(
                        line,
                        "the article heading is empty; write '## Article N — Heading'",
                    ));
                }
                let (label, heading, number) = article_label(&text);
                article = Some(match number {
                    Some(n) => ArticleNumber::Number(n),
                    None => ArticleNumber::Label(label.clone()),
                });
                clauses.push(DraftClause {
                    label,
                    heading,
                    text: String::new(),
                    kind: Some(ClauseKind::Article),
                    notes: Vec::new(),
                    children: Vec::new(),
                    line,
                });
            }
            Block::Para(text) => {
                if text.is_empty() {
                    continue;
                }
                match (&article, clauses.last_mut()) {
                    (Some(_), Some(current)) => push_paragraph(&mut current.text, &text),
                    _ => {
                        preamble += 1;
                        clauses.push(DraftClause {
                            label: format!("PP{preamble}"),
                            heading: None,
                            text,
                            kind: Some(ClauseKind::Recital),
                            notes: Vec::new(),
                            children: Vec::new(),
                            line,
                        });
                    }
                }
            }
            Block::List { start, items } => {
                let (Some(number), Some(current)) = (&article, clauses.last_mut()) else {
                    return Err(ImportError::new(
                        line,
                        "a list before the first article; lists go under an article (## Article N) as its numbered paragraphs",
                    ));
                };
                let Some(start) = start else {
                    return Err(ImportError::new(
                        line,
                        "a bullet list directly under an article; number the article's paragraphs (1., 2., …) and put subparagraphs in a bullet list inside a numbered paragraph",
                    ));
                };
                for (k, item) in items.into_iter().enumerate() {
                    let k = start.saturating_add(k as u64);
                    current.children.push(DraftClause {
                        label: match number {
                            ArticleNumber::Number(n) => format!("{n}.{k}"),
                            ArticleNumber::Label(l) => format!("{l} {k}"),
                        },
                        heading: None,
                        text: item.text,
                        kind: Some(ClauseKind::Paragraph),
                        notes: Vec::new(),
                        children: Vec::new(),
                        line: reader.line(item.at),
                    });
                }
            }
        }
    }

    if clauses.is_empty() {
        return Err(ImportError::new(
            1,
            "the draft has no clauses; write preamble paragraphs, and each article as a '## Article N — Heading' followed by its numbered paragraphs",
        ));
    }
    if let Some((t, line)) = &title {
        check_name(*line, "the title", t)?;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    check_clauses(&clauses, &mut seen)?;
    Ok(Draft {
        title: title.map(|(t, _)| t),
        clauses,
    })
}

enum ArticleNumber {
    Number(String),
    Label(String),
}

/// Check sizes and label uniqueness, in reading order.
fn check_clauses<'a>(
    clauses: &'a [DraftClause],
    seen: &mut HashMap<&'a str, usize>,
) -> Result<(), ImportError> {
    for c in clauses {
        check_name(c.line, "the label", &c.label)?;
        if let Some(first) = seen.get(c.label.as_str()) {
            return Err(ImportError::new(
                c.line,
                format!("label {} is used twice (first on line {first})", c.label),
            ));
        }
        seen.insert(&c.label, c.line);
        if let Some(h) = &c.heading {
            check_name(c.line, &format!("the heading of {}", c.label), h)?;
        }
        if c.text.len() > MAX_TEXT {
            return Err(ImportError::new(
                c.line,
                format!(
                    "the text of {} is {} bytes; at most {MAX_TEXT} are accepted",
                    c.label,
                    c.text.len()
                ),
            ));
        }
        check_clauses(&c.children, seen)?;
    }
    Ok(())
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

/// Split an article heading into its label, its heading and its number: "Article 1 —
/// Objectives" gives ("Article 1", Some("Objectives"), Some("1")); any other text is a label of
/// its own.
fn article_label(text: &str) -> (String, Option<String>, Option<String>) {
    const SEPARATORS: [char; 5] = ['—', '–', '-', ':', '.'];
    let whole = (text.to_string(), None, None);
    let Some(rest) = text.strip_prefix("Article ") else {
        return whole;
    };
    let len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let number = &rest[..len];
    let numeric = number.starts_with(|c: char| c.is_ascii_digit())
        || (!number.is_empty() && number.chars().all(|c| "IVXLCDM".contains(c)));
    if !numeric {
        return whole;
    }
    let after = rest[len..].trim_start();
    let heading = if after.is_empty() {
        None
    } else if let Some(sep) = after.strip_prefix(SEPARATORS) {
        Some(sep.trim()).filter(|h| !h.is_empty())
    } else {
        return whole;
    };
    (
        format!("Article {number}"),
        heading.map(str::to_string),
        Some(number.to_string()),
    )
}

/// A block of the draft, its inline content already flattened to text.
enum Block {
    Heading {
        level: usize,
        text: String,
    },
    Para(String),
    List {
        /// The start number of an ordered list; `None` for a bullet list.
        start: Option<u64>,
        items: Vec<Item>,
    },
}

struct Item {
    /// Its text, nested list items each on a line of their own.
    text: String,
    /// Byte offset where it starts.
    at: usize,
}

type Events<'a> = std::iter::Peekable<std::vec::IntoIter<(Md<'a>, Range<usize>)>>;

struct Reader<'a> {
    events: Events<'a>,
    /// Byte offsets of the line feeds in the source.
    newlines: Vec<usize>,
}

impl<'a> Reader<'a> {
    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|n| *n < offset) + 1
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> ImportError {
        ImportError::new(self.line(offset), message)
    }

    fn unexpected(&self, offset: usize) -> ImportError {
        self.error(
            offset,
            "this Markdown construct is not supported in a draft; use headings, paragraphs and lists",
        )
    }

    /// Read a block whose start tag has just been taken.
    fn block(&mut self, tag: Tag<'a>, at: usize) -> Result<Block, ImportError> {
        match tag {
            Tag::Paragraph => Ok(Block::Para(self.inline(TagEnd::Paragraph, at)?)),
            Tag::Heading { level, .. } => {
                let level = level as usize;
                if level >= 3 {
                    return Err(self.error(
                        at,
                        format!(
                            "heading level {level} is not supported; use ## for articles and a numbered list for their paragraphs"
                        ),
                    ));
                }
                let text = self.inline(TagEnd::Heading(level_of(level)), at)?;
                Ok(Block::Heading {
                    level,
                    text: text.split_whitespace().collect::<Vec<_>>().join(" "),
                })
            }
            Tag::List(start) => {
                let mut items = Vec::new();
                loop {
                    match self.events.next() {
                        Some((Md::Start(Tag::Item), r)) => items.push(self.item(r.start)?),
                        Some((Md::End(TagEnd::List(_)), _)) | None => break,
                        Some((_, r)) => return Err(self.unexpected(r.start)),
                    }
                }
                Ok(Block::List { start, items })
            }
            Tag::CodeBlock(_) => Err(self.error(
                at,
                "code blocks are not supported; write the text as a plain paragraph (an indent of four spaces also makes a code block)",
            )),
            Tag::HtmlBlock => Err(self.error(
                at,
                "HTML blocks are not supported; write the text as plain Markdown",
            )),
            Tag::BlockQuote(_) => Err(self.error(
                at,
                "block quotes are not supported; write the text as a plain paragraph",
            )),
            Tag::Table(_) => Err(self.error(
                at,
                "tables are not supported; write each row as a numbered paragraph",
            )),
            Tag::FootnoteDefinition(_) => Err(self.error(
                at,
                "footnotes are not supported; write the note into the text",
            )),
            _ => Err(self.unexpected(at)),
        }
    }

    /// Read the inline content up to `end`, which is taken too.
    fn inline(&mut self, end: TagEnd, at: usize) -> Result<String, ImportError> {
        let text = self.inline_run()?;
        match self.events.next() {
            Some((Md::End(e), _)) if e == end => Ok(tidy(&text)),
            Some((_, r)) => Err(self.unexpected(r.start)),
            None => Err(self.unexpected(at)),
        }
    }

    /// Read inline events for as long as they come.
    fn inline_run(&mut self) -> Result<String, ImportError> {
        let mut out = String::new();
        while let Some((event, range)) = self.events.next_if(|(e, _)| is_inline(e)) {
            match event {
                Md::Text(t) | Md::Code(t) | Md::InlineHtml(t) => out.push_str(&t),
                Md::SoftBreak => out.push(' '),
                Md::HardBreak => out.push('\n'),
                Md::FootnoteReference(_) => {
                    return Err(self.error(
                        range.start,
                        "footnotes are not supported; write the note into the text",
                    ))
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Read a list item whose start tag has just been taken.
    fn item(&mut self, at: usize) -> Result<Item, ImportError> {
        let mut text = String::new();
        loop {
            if self.events.peek().is_some_and(|(e, _)| is_inline(e)) {
                let run = tidy(&self.inline_run()?);
                push_paragraph(&mut text, &run);
                continue;
            }
            let Some((event, range)) = self.events.next() else {
                break;
            };
            match event {
                Md::End(TagEnd::Item) => break,
                Md::Rule => {}
                Md::Start(Tag::Heading { level, .. }) if (level as usize) < 3 => {
                    return Err(self.error(
                        range.start,
                        "headings inside a list are not supported; end the list first",
                    ))
                }
                Md::Start(tag) => match self.block(tag, range.start)? {
                    Block::Para(p) => push_paragraph(&mut text, &p),
                    Block::List { items, .. } => {
                        for item in items {
                            text.push('\n');
                            text.push_str(&item.text);
                        }
                    }
                    Block::Heading { .. } => unreachable!("refused above"),
                },
                _ => return Err(self.unexpected(range.start)),
            }
        }
        Ok(Item {
            text: tidy(&text),
            at,
        })
    }
}

fn level_of(level: usize) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        1 => H1,
        _ => H2,
    }
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

/// Collapse runs of spaces and tabs, trim every line, and trim the whole.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut space = false;
        for c in line.trim_matches([' ', '\t', '\r']).chars() {
            if c == ' ' || c == '\t' {
                space = true;
            } else {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c);
            }
        }
    }
    out.trim_matches('\n').to_string()
}
