//! Pages of comments and answers: `--limit N` of them after `--after CURSOR`, where the cursor
//! is a comment's number (`C50`, the last one of the page before). Numbers are given in the
//! order comments are posted and never change, so a page read again is the same page, and
//! comments posted meanwhile come at the end.

use clap::Args;
use travaux_core::{CommentNo, DocumentState};

use super::summary::count;
use super::{Lookup, Posted};
use crate::error::{CliError, CliResult};

/// How many comments a page shows unless told.
pub const DEFAULT_LIMIT: usize = 50;

/// The most a page may show.
pub const MAX_LIMIT: usize = 1000;

/// Which page to show.
#[derive(Args, Clone, Debug)]
pub struct PageArgs {
    /// How many to show on the page, 1 to 1000 [default: 50]
    #[arg(long, value_name = "N", value_parser = limit)]
    pub limit: Option<usize>,
    /// Start after this comment: the cursor the page before ended with, as its last line
    /// says (`next` in JSON), such as C50
    #[arg(long, value_name = "COMMENT")]
    pub after: Option<CommentNo>,
}

fn limit(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(format!(
            "a page shows 1 to {MAX_LIMIT} comments; '{s}' is not such a number (the default is {DEFAULT_LIMIT})"
        )),
    }
}

impl PageArgs {
    /// How many the page shows.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_LIMIT)
    }

    /// Whether a page was asked for by either option.
    pub fn given(&self) -> bool {
        self.limit.is_some() || self.after.is_some()
    }

    /// Refuse a cursor that names no comment of the document: it cannot be the end of a page.
    pub fn check(&self, doc: &DocumentState) -> CliResult {
        match self.after {
            Some(c) if doc.comments == 0 => Err(CliError::refused(format!(
                "--after {c}: {} has no comments yet; leave --after out for the first page",
                doc.slug
            ))),
            Some(c) if c.0 > doc.comments => Err(CliError::refused(format!(
                "--after {c}: {} has no comment {c} (its comments are C1 to C{}); give the cursor a page ended with",
                doc.slug, doc.comments
            ))),
            _ => Ok(()),
        }
    }
}

/// A page being filled from the comments in order, every one of the selection offered: those
/// up to the cursor are counted (to say where the page starts), the next `limit` kept, and
/// those after them counted (to say how many there are in all).
pub struct Page {
    after: Option<CommentNo>,
    limit: usize,
    /// The comments before the page.
    pub before: usize,
    /// The comments on the page.
    pub items: Vec<Posted>,
    /// The comments after the page.
    pub rest: usize,
}

impl Page {
    /// An empty page, as asked.
    pub fn new(args: &PageArgs) -> Page {
        Page {
            after: args.after,
            limit: args.limit(),
            before: 0,
            items: Vec::new(),
            rest: 0,
        }
    }

    /// Offer the next comment of the selection.
    pub fn offer(&mut self, p: &Posted) {
        if self.after.is_some_and(|a| p.comment <= a) {
            self.before += 1;
        } else if self.items.len() < self.limit {
            self.items.push(p.clone());
        } else {
            self.rest += 1;
        }
    }

    /// The cursor of the next page: the last comment shown, if more follow it.
    pub fn next(&self) -> Option<CommentNo> {
        match self.rest {
            0 => None,
            _ => self.items.last().map(|p| p.comment),
        }
    }

    /// The page for tools: its items, the cursor it started after, its limit, and `next`
    /// (`null` on the last page).
    pub fn json(&self, lookup: &Lookup<'_>) -> serde_json::Value {
        let items: Vec<serde_json::Value> =
            self.items.iter().map(|p| lookup.item_json(p)).collect();
        serde_json::json!({
            "after": self.after.map(|c| c.to_string()),
            "limit": self.limit,
            "items": items,
            "next": self.next().map(|c| c.to_string()),
        })
    }

    /// The page for people: each comment in full, then where the page stands and how to get
    /// the next one (`command` is the command line that showed this page, without `--after`).
    pub fn lines(&self, lookup: &Lookup<'_>, what: &str, command: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for p in &self.items {
            lines.extend(lookup.item_lines(p));
        }
        let total = self.before + self.items.len() + self.rest;
        let at = match self.items.len() {
            0 if self.after.is_some() => format!(
                "no {what} after {} ({} in all)",
                self.after_label(),
                count(total)
            ),
            0 => return lines,
            1 => format!(
                "{} {} of {}",
                what.strip_suffix('s').unwrap_or(what),
                count(self.before + 1),
                count(total)
            ),
            n => format!(
                "{what} {}-{} of {}",
                count(self.before + 1),
                count(self.before + n),
                count(total)
            ),
        };
        lines.push(match self.next() {
            Some(next) => format!("{at}; the next page: {command} --after {next}"),
            None => format!("{at}; the last page"),
        });
        lines
    }

    fn after_label(&self) -> String {
        self.after.map(|c| c.to_string()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use travaux_core::{CommentNo, ParticipantId, Position};

    use super::{Page, PageArgs};
    use crate::commands::consultation::Posted;

    fn comment(n: u32) -> Posted {
        Posted {
            comment: CommentNo(n),
            seq: u64::from(n) + 100,
            time: chrono::DateTime::from_timestamp(0, 0).expect("a time"),
            actor: ParticipantId(uuid::Uuid::nil()),
            clause: None,
            position: Position::Neutral,
            text: format!("comment {n}"),
            reply_to: None,
            question: None,
            phase: None,
        }
    }

    /// Fill a page from a selection of comment numbers.
    fn page(selection: &[u32], limit: usize, after: Option<u32>) -> Page {
        let mut page = Page::new(&PageArgs {
            limit: Some(limit),
            after: after.map(CommentNo),
        });
        for n in selection {
            page.offer(&comment(*n));
        }
        page
    }

    #[test]
    fn pages_followed_by_their_cursor_give_each_comment_once_in_order() {
        // A selection with gaps (the answers to one question among other comments).
        let selection: Vec<u32> = (1..=40).filter(|n| n % 3 != 0).collect();
        for limit in [1, 2, 5, 7, 26, 27, 50] {
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let p = page(&selection, limit, after);
                assert!(p.items.len() <= limit);
                assert_eq!(p.before + p.items.len() + p.rest, selection.len());
                seen.extend(p.items.iter().map(|c| c.comment.0));
                match p.next() {
                    Some(next) => after = Some(next.0),
                    None => break,
                }
            }
            assert_eq!(seen, selection, "limit {limit}");
        }
    }

    #[test]
    fn a_cursor_between_two_selected_comments_starts_after_it() {
        // C3 is not in the selection: the page starts at the next one that is.
        let p = page(&[1, 2, 4, 5], 10, Some(3));
        assert_eq!(p.before, 2);
        let shown: Vec<u32> = p.items.iter().map(|c| c.comment.0).collect();
        assert_eq!(shown, [4, 5]);
        assert_eq!(p.next(), None);
    }
}
