//! The one canonical Markdown a clause's text is kept in: what a paragraph's inline content
//! becomes (emphasis as `*…*`, strong as `**…**`, code, links, footnote references `[^m]`, lines
//! joined, hard breaks as `\` at the end of a line), escaped just enough that it reads back the
//! same wherever the renderer puts it.

use pulldown_cmark::{Event as Md, LinkType, Tag, TagEnd};

use super::numbering::typed_number;

/// The canonical Markdown of a run of inline events.
pub(crate) fn inline_markdown(events: &[Md<'_>]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Md::Text(_) => {
                // Adjacent text events are one text: escapes look at the characters around.
                let mut text = String::new();
                while let Some(Md::Text(t)) = events.get(i) {
                    text.push_str(t);
                    i += 1;
                }
                let next_is_link = matches!(events.get(i), Some(Md::Start(Tag::Link { .. })));
                escape_text(&collapse(&text), &mut out, next_is_link);
                continue;
            }
            Md::Code(c) => {
                let c = collapse(c);
                let longest = longest_run(&c, '`');
                let fence = "`".repeat(longest + 1);
                let pad = if c.starts_with('`') || c.ends_with('`') || c.starts_with(' ') {
                    " "
                } else {
                    ""
                };
                out.push_str(&fence);
                out.push_str(pad);
                out.push_str(&c);
                out.push_str(pad);
                out.push_str(&fence);
            }
            Md::SoftBreak => push_space(&mut out),
            Md::HardBreak => {
                trim_end_spaces(&mut out);
                out.push_str("\\\n");
            }
            Md::InlineHtml(h) | Md::Html(h) => out.push_str(h),
            Md::FootnoteReference(m) => {
                out.push_str("[^");
                out.push_str(m);
                out.push(']');
            }
            Md::Start(Tag::Emphasis) | Md::End(TagEnd::Emphasis) => out.push('*'),
            Md::Start(Tag::Strong) | Md::End(TagEnd::Strong) => out.push_str("**"),
            Md::Start(Tag::Strikethrough) | Md::End(TagEnd::Strikethrough) => out.push_str("~~"),
            Md::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                dest_url,
                ..
            }) => {
                // `<https://…>`: the text is the address.
                out.push('<');
                out.push_str(dest_url);
                out.push('>');
                while i < events.len() && !matches!(events[i], Md::End(TagEnd::Link)) {
                    i += 1;
                }
            }
            Md::Start(Tag::Link { .. }) => out.push('['),
            Md::Start(Tag::Image { .. }) => out.push_str("!["),
            Md::End(TagEnd::Link | TagEnd::Image) => {
                // The destination is on the start tag: find it again.
                let mut depth = 0;
                let mut j = i;
                let (dest, title) = loop {
                    j -= 1;
                    match &events[j] {
                        Md::End(TagEnd::Link | TagEnd::Image) => depth += 1,
                        Md::Start(Tag::Link {
                            dest_url, title, ..
                        })
                        | Md::Start(Tag::Image {
                            dest_url, title, ..
                        }) => {
                            if depth == 0 {
                                break (dest_url.to_string(), title.to_string());
                            }
                            depth -= 1;
                        }
                        _ => {}
                    }
                };
                out.push_str("](");
                if dest.is_empty() || dest.contains([' ', '(', ')', '<', '>']) {
                    out.push('<');
                    out.push_str(&dest.replace('<', "%3C").replace('>', "%3E"));
                    out.push('>');
                } else {
                    out.push_str(&dest);
                }
                if !title.is_empty() {
                    out.push_str(" \"");
                    out.push_str(&title.replace('"', "\\\""));
                    out.push('"');
                }
                out.push(')');
            }
            Md::Start(_) | Md::End(_) => {}
            Md::InlineMath(m) => {
                out.push('$');
                out.push_str(m);
                out.push('$');
            }
            Md::DisplayMath(m) => {
                out.push_str("$$");
                out.push_str(m);
                out.push_str("$$");
            }
            Md::TaskListMarker(done) => out.push_str(if *done { "[x] " } else { "[ ] " }),
            Md::Rule => {}
        }
        i += 1;
    }
    trim_end_spaces(&mut out);
    let trimmed = out.trim_start_matches(' ');
    escape_line_starts(trimmed)
}

/// The canonical Markdown of plain text: its characters escaped where Markdown would read
/// them as markup, its lines joined by hard breaks, its paragraphs (a blank line apart) kept.
pub fn canonical_text(plain: &str) -> String {
    plain
        .split("\n\n")
        .map(|p| {
            let mut events = Vec::new();
            for (k, line) in p.split('\n').enumerate() {
                if k > 0 {
                    events.push(Md::HardBreak);
                }
                events.push(Md::Text(line.into()));
            }
            inline_markdown(&events)
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Plain text of a run of inline events: what a heading or a label reads, markup dropped.
pub(crate) fn inline_plain(events: &[Md<'_>]) -> String {
    let mut out = String::new();
    for e in events {
        match e {
            Md::Text(t) | Md::Code(t) | Md::InlineMath(t) | Md::DisplayMath(t) => out.push_str(t),
            Md::SoftBreak | Md::HardBreak => out.push(' '),
            Md::FootnoteReference(m) => {
                out.push_str("[^");
                out.push_str(m);
                out.push(']');
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

fn trim_end_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// Escape what Markdown would read as inline markup in literal text.
fn escape_text(text: &str, out: &mut String, next_is_link: bool) {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 {
            out.chars().next_back()
        } else {
            Some(chars[i - 1])
        };
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '*' | '`' => true,
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            '[' => next == Some('^'),
            ']' => matches!(next, Some('(' | '[' | ':')) || (next.is_none() && next_is_link),
            '!' => next.is_none() && next_is_link,
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => {
                let rest: String = chars[i + 1..].iter().take(32).collect();
                let name = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
                    .count();
                name > 0 && rest[name..].starts_with(';')
            }
            '~' => next == Some('~') || prev == Some('~'),
            '$' => false,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Escape, at the start of each line, what would start a block there; at the start of the
/// paragraph also what would read as a typed number (`(a) …`), so that text stays text.
fn escape_line_starts(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for (k, line) in s.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&escape_line_start(line, k == 0));
    }
    out
}

/// Escape a line of canonical text so that it does not start a block (or, at the start of a
/// paragraph, read as a typed number).
pub(crate) fn escape_line_start(line: &str, paragraph_start: bool) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let list_marker = digits > 0
        && digits < 10
        && matches!(line.as_bytes().get(digits), Some(b'.' | b')'))
        && line
            .as_bytes()
            .get(digits + 1)
            .is_none_or(|b| *b == b' ' || *b == b'\t');
    if list_marker || (paragraph_start && typed_number(line).is_some()) {
        if line.starts_with('(') {
            return format!("\\{line}");
        }
        // A letter or a digit cannot be escaped with a backslash: write the first character
        // as a character reference, which reads as text.
        let first = line.chars().next().expect("a typed number is not empty");
        return format!("&#{};{}", u32::from(first), &line[first.len_utf8()..]);
    }
    let b = line.as_bytes();
    let spaced = |at: usize| b.get(at).is_none_or(|c| *c == b' ' || *c == b'\t');
    let hashes = b.iter().take_while(|c| **c == b'#').count();
    let block_start = (hashes > 0 && hashes <= 6 && spaced(hashes))
        || line.starts_with('>')
        || (line.starts_with(['-', '+']) && spaced(1))
        || line.starts_with("---")
        || (!paragraph_start && line.starts_with('='))
        || line.starts_with("~~~")
        || line.starts_with("***")
        || line.starts_with("```");
    if block_start {
        format!("\\{line}")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    fn canon(md: &str) -> String {
        let events: Vec<Md<'_>> = Parser::new_ext(md, Options::ENABLE_FOOTNOTES)
            .filter(|e| !matches!(e, Md::Start(Tag::Paragraph) | Md::End(TagEnd::Paragraph)))
            .collect();
        inline_markdown(&events)
    }

    #[test]
    fn emphasis_and_markup_are_written_one_way() {
        assert_eq!(canon("a _b_ and __c__ d"), "a *b* and **c** d");
        assert_eq!(canon("line\none"), "line one");
        assert_eq!(canon("hard  \nbreak"), "hard\\\nbreak");
        assert_eq!(
            canon("a [link](http://x.org) b"),
            "a [link](http://x.org) b"
        );
        assert_eq!(canon("see <https://x.org>"), "see <https://x.org>");
        assert_eq!(canon("`co*de`"), "`co*de`");
        assert!(canon("note[^1]\n\n[^1]: n").starts_with("note[^1]"));
    }

    #[test]
    fn literal_characters_are_escaped_only_where_needed() {
        assert_eq!(canon("2 \\* 3 and snake_case"), "2 \\* 3 and snake_case");
        assert_eq!(canon("[bracketed] text"), "[bracketed] text");
        assert_eq!(canon("\\(a) not a number"), "\\(a) not a number");
        assert_eq!(canon("a\\) not"), "&#97;) not");
        assert_eq!(canon("\\# not a heading"), "\\# not a heading");
        assert_eq!(canon("R&D \\&amp; &amp;"), "R&D \\&amp; &");
    }

    #[test]
    fn canonical_text_reads_back_the_same() {
        for md in [
            "a *b* **c** `d` [e](f) <g@h.org>",
            "\\(1) x",
            "&#49;. x",
            "\\- x",
            "a\\\nb",
            "x \\_y\\_ z",
        ] {
            let once = canon(md);
            assert_eq!(canon(&once), once, "{md}");
        }
    }
}
