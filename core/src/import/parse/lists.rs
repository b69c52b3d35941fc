//! Markdown lists: numbered clauses, placed like typed numbers (by their first item's style)
//! and in the order of the source; a bullet list whose items are not all numbered is text.

use std::ops::Range;

use pulldown_cmark::{Event as Md, Tag};

use super::{digits_of_style, is_inline, resolve_with, Key, Open, Reader, MAX_NESTING};
use crate::event::ClauseKind;
use crate::import::canonical::inline_markdown;
use crate::import::numbering::{ordinal, Digits, Style, Typed};
use crate::import::ImportError;

impl<'a> Reader<'a> {
    /// A list: numbered clauses if it is ordered or every item starts with a typed number,
    /// else text of the clause open last.
    pub(super) fn list(
        &mut self,
        base: usize,
        start: Option<u64>,
        range: Range<usize>,
    ) -> Result<(), ImportError> {
        let line = self.line(range.start);
        let items = self.items();
        if let Some(text) = self.wrapped_number(start, &items, range.start) {
            // `… (§ 5 Abs.` / `1) weiter …`: Markdown reads a list that interrupts the
            // paragraph, the text means its words: kept as text (its number escaped, so that
            // it reads back as text).
            self.warn(
                line,
                "a number at the start of a line of running text (a list that interrupts a paragraph ending without ':'); read as text",
            );
            self.skip_block();
            self.content(text, line);
            return Ok(());
        }
        let typed: Vec<Option<Typed>> = items.iter().map(|&i| self.item_number(i)).collect();
        if start.is_none() && (typed.is_empty() || typed.iter().any(Option::is_none)) {
            if typed.iter().any(Option::is_some) {
                self.warn(
                    line,
                    "a bullet list where only some items start with a number; kept as text",
                );
            }
            self.skip_block();
            let raw = self.raw(range);
            self.content(raw, line);
            return Ok(());
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ImportError::new(
                line,
                format!("lists nest more than {MAX_NESTING} deep"),
            ));
        }
        // Place the list by its first item.
        let delimiter = start.map(|_| {
            let at = range.start;
            let digits = self.source[at..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            self.source
                .as_bytes()
                .get(at + digits)
                .copied()
                .unwrap_or(b'.')
        });
        let (keep, mut sibling, article) = match (start, &typed[0]) {
            (Some(_), _) => {
                let dot = Style::Dot(Digits::Arabic);
                let close = Style::Close(Digits::Arabic);
                let wanted = if delimiter == Some(b')') { close } else { dot };
                let found = (base..self.stack.len())
                    .rev()
                    .find_map(|i| match self.stack[i].key {
                        Key::Heading(_) => Some(None),
                        Key::Numbered(Style::ArticleList, _) => Some(Some(i)),
                        Key::Numbered(s, _) if s == wanted => Some(Some(i)),
                        _ => None,
                    });
                match found.flatten() {
                    Some(i) => {
                        let article = match self.stack[i].key {
                            Key::Numbered(Style::ArticleList, _) => self.stack[..i]
                                .last()
                                .and_then(|o| self.article_number(o.node)),
                            _ => None,
                        };
                        (i, Some(self.stack[i]), article.map(|n| (n, wanted)))
                    }
                    None => {
                        let article = self.stack.last().and_then(|o| self.article_number(o.node));
                        (self.stack.len(), None, article.map(|n| (n, wanted)))
                    }
                }
            }
            (None, Some(t)) => {
                let style = self.resolve(base, t.style, &t.token);
                let (keep, sibling) = self.place(base, style);
                (keep, sibling, None)
            }
            (None, None) => unreachable!("a bullet list of numbered items has items"),
        };
        self.pos += 1; // the list's start tag
        for (k, typed) in typed.into_iter().enumerate() {
            let (item_event, item_range) = self.events[self.pos].clone();
            debug_assert!(matches!(item_event, Md::Start(Tag::Item)));
            let item_line = self.line(item_range.start);
            let (label, style, ord) = match (start, &typed) {
                (Some(s), _) => {
                    let n = s.saturating_add(k as u64);
                    let ord = u32::try_from(n).ok().map(|n| (n, 0));
                    match &article {
                        Some((number, _)) => (format!("{number}.{n}"), Style::ArticleList, ord),
                        None => {
                            let d = char::from(delimiter.unwrap_or(b'.'));
                            let style = if d == ')' {
                                Style::Close(Digits::Arabic)
                            } else {
                                Style::Dot(Digits::Arabic)
                            };
                            (format!("{n}{d}"), style, ord)
                        }
                    }
                }
                (None, Some(t)) => {
                    // Tell letters from roman numerals by the item before.
                    let style = match sibling {
                        // After the item before: only it tells.
                        Some(Open {
                            key: Key::Numbered(s, ord),
                            ..
                        }) if k > 0 => resolve_with(t.style, &t.token, |w| (w == s).then_some(ord)),
                        _ => self.resolve(base, t.style, &t.token),
                    };
                    let ord = ordinal(&t.token, digits_of_style(style));
                    (t.label.clone(), style, ord)
                }
                (None, None) => unreachable!(),
            };
            self.stack.truncate(keep);
            self.check_sequence(sibling, ord, &label, item_line);
            let parent = self.stack.last().map(|o| o.node);
            let kind = self.provision_kind(parent);
            let node = self.add(parent, label, None, kind, item_line);
            let open = Open {
                node,
                key: Key::Numbered(style, ord),
            };
            self.stack.push(open);
            sibling = Some(open);
            self.pos += 1; // the item's start tag
                           // An ordered item's text is its own, whatever it starts with.
            let number = typed.as_ref().filter(|_| start.is_none()).map(|t| t.len);
            self.item_text(node, number)?;
            let item_base = self.stack.len();
            self.blocks(item_base)?;
            self.pos += 1; // the item's end tag
        }
        self.pos += 1; // the list's end tag
        self.depth -= 1;
        Ok(())
    }

    /// The positions of a list's items' start tags (the list's start tag is at `pos`).
    /// The text of a one-item list numbered 1 that only wraps running text (see
    /// [`Self::wraps_running_text`]) and holds one paragraph, number included.
    fn wrapped_number(&self, start: Option<u64>, items: &[usize], at: usize) -> Option<String> {
        let [item] = items else { return None };
        if start != Some(1) || !self.wraps_running_text(at) {
            return None;
        }
        let (inline, _) = self.first_run(item + 1)?;
        let from = match self.events.get(item + 1)?.0 {
            Md::Start(Tag::Paragraph) => item + 2 + inline.len() + 1,
            _ => item + 1 + inline.len(),
        };
        if !matches!(
            self.events.get(from)?.0,
            Md::End(pulldown_cmark::TagEnd::Item)
        ) {
            return None;
        }
        let marker: String = self.source[at..].chars().take(2).collect();
        let mut events = vec![Md::Text(format!("{marker} ").into())];
        events.extend(inline);
        Some(inline_markdown(&events))
    }

    /// Whether a list starting at `at` begins on the line right after a line of running text
    /// that announces no list (does not end with `:`).
    fn wraps_running_text(&self, at: usize) -> bool {
        let line_start = self.source[..at].rfind('\n').map_or(0, |i| i + 1);
        if !self.source[line_start..at].trim().is_empty() || line_start == 0 {
            return false;
        }
        let before = &self.source[..line_start - 1];
        let previous = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        let previous = previous.trim_end();
        !previous.trim().is_empty()
            && !previous.ends_with(':')
            && previous.ends_with(|c: char| c.is_alphanumeric() || c == '.' || c == ',')
            && !previous
                .trim_start()
                .starts_with(['-', '*', '+', '#', '|', '>'])
            && previous.chars().next().is_some_and(|c| !c.is_ascii_digit())
    }

    pub(super) fn items(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut depth = 0usize;
        for i in self.pos..self.events.len() {
            match &self.events[i].0 {
                Md::Start(t) => {
                    if depth == 1 && matches!(t, Tag::Item) {
                        out.push(i);
                    }
                    depth += 1;
                }
                Md::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The typed number an item (its start tag at `at`) starts with.
    pub(super) fn item_number(&self, at: usize) -> Option<Typed> {
        let (inline, start) = self.first_run(at + 1)?;
        self.leading_number(&inline, start).map(|(t, _)| t)
    }

    /// The inline events of the paragraph (or the bare run of a tight item) at `i`, with the
    /// offset it starts at.
    pub(super) fn first_run(&self, i: usize) -> Option<(Vec<Md<'a>>, usize)> {
        let (e, r) = self.events.get(i)?;
        let (from, start) = match e {
            Md::Start(Tag::Paragraph) => {
                (i + 1, self.events.get(i + 1).map_or(r.start, |x| x.1.start))
            }
            e if is_inline(e) => (i, r.start),
            _ => return None,
        };
        let inline = self.events[from..]
            .iter()
            .take_while(|(e, _)| is_inline(e))
            .map(|(e, _)| e.clone())
            .collect();
        Some((inline, start))
    }

    /// Read an item's first paragraph as the item's own text (less its typed number).
    pub(super) fn item_text(
        &mut self,
        node: usize,
        number: Option<usize>,
    ) -> Result<(), ImportError> {
        let Some((e, r)) = self.events.get(self.pos).cloned() else {
            return Ok(());
        };
        let wrapped = matches!(e, Md::Start(Tag::Paragraph));
        if !wrapped && !is_inline(&e) {
            return Ok(());
        }
        if wrapped {
            self.pos += 1;
        }
        let start = self.events.get(self.pos).map_or(r.start, |x| x.1.start);
        let first = self.pos;
        let inline = self.inline_until(|e| !is_inline(e));
        if wrapped {
            self.pos += 1;
        }
        // Numbered lines in the item's first paragraph are provisions under the item.
        let lead = number
            .and_then(|_| self.leading_number(&inline, start))
            .map(|(t, _)| t.style);
        let cuts = self.cuts(&inline, first, lead);
        let own = cuts.first().map_or(inline.len(), |(cut, _)| *cut);
        let rest = match number {
            Some(_) => match self.leading_number(&inline[..own], start) {
                Some((_, rest)) => rest,
                None => inline[..own].to_vec(),
            },
            None => inline[..own].to_vec(),
        };
        let text = inline_markdown(&rest);
        self.append(node, &text, &rest);
        let base = self.stack.len();
        for (k, (cut, offset)) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).map_or(inline.len(), |(next, _)| *next);
            self.paragraph(base, inline[cut + 1..end].to_vec(), *offset)?;
        }
        Ok(())
    }

    /// The number N of a clause labelled `Article N` (or `Art. N`, `Artikel N`, `Rule N`),
    /// whose list items are labelled `N.1`, `N.2`, …; not for `§`, whose items keep their own
    /// numbers.
    pub(super) fn article_number(&self, node: usize) -> Option<String> {
        let n = &self.nodes[node];
        if n.kind != ClauseKind::Article || n.label.starts_with('§') {
            return None;
        }
        let number = n.label.rsplit(' ').next()?;
        (number != n.label && !number.is_empty()).then(|| number.to_string())
    }
}
