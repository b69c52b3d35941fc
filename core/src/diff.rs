//! Text diffs: the word (or line, or character) changes between two texts, with `similar`.
//!
//! Words are the default, because drafters read words: the text is split at Unicode word
//! boundaries, so punctuation and whitespace are tokens of their own and "health personnel;"
//! → "health workers;" changes one word, not the semicolon. Patience is used for words and
//! Myers for lines and characters (see `shared/notes/diff.md`). A diff can be given a
//! deadline; past it `similar` degrades to a coarser answer, and the result says it was
//! approximated: never derive blame from such a diff.

use std::time::Instant;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiffConfig};

/// What a diff compares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Words, with punctuation and whitespace as tokens of their own.
    #[default]
    Words,
    /// Lines.
    Lines,
    /// Characters.
    Chars,
}

/// Whether a span is kept, inserted or deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// In both texts.
    Equal,
    /// Only in the new text.
    Insert,
    /// Only in the old text.
    Delete,
}

/// A run of text of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Kept, inserted or deleted.
    pub kind: SpanKind,
    /// The text.
    pub text: String,
}

/// The changes between two texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextDiff {
    /// The spans, in order: reading the equal and deleted ones gives the old text, the equal
    /// and inserted ones the new text. A deletion comes before the insertion that replaces it.
    pub spans: Vec<Span>,
    /// Whether the deadline passed and the diff may be coarser than the best one.
    pub approximated: bool,
}

impl TextDiff {
    /// Whether the texts are the same.
    pub fn is_unchanged(&self) -> bool {
        self.spans.iter().all(|s| s.kind == SpanKind::Equal)
    }

    /// The old text.
    pub fn old_text(&self) -> String {
        self.text_without(SpanKind::Insert)
    }

    /// The new text.
    pub fn new_text(&self) -> String {
        self.text_without(SpanKind::Delete)
    }

    fn text_without(&self, kind: SpanKind) -> String {
        self.spans
            .iter()
            .filter(|s| s.kind != kind)
            .map(|s| s.text.as_str())
            .collect()
    }

    /// Words inserted and deleted (whitespace and punctuation not counted).
    pub fn word_counts(&self) -> (usize, usize) {
        let words = |kind| -> usize {
            self.spans
                .iter()
                .filter(|s| s.kind == kind)
                .map(|s| count_words(&s.text))
                .sum()
        };
        (words(SpanKind::Insert), words(SpanKind::Delete))
    }
}

/// How many words a text has (runs of letters or digits).
pub fn count_words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// Diff two texts. `deadline`, when given, bounds the time spent: pass one deadline for all
/// the diffs of one request.
pub fn diff_text(
    old: &str,
    new: &str,
    granularity: Granularity,
    deadline: Option<Instant>,
) -> TextDiff {
    let mut config = TextDiffConfig::default();
    config.algorithm(match granularity {
        Granularity::Words => Algorithm::Patience,
        Granularity::Lines | Granularity::Chars => Algorithm::Myers,
    });
    if let Some(d) = deadline {
        config.deadline(d);
    }
    let diff = match granularity {
        Granularity::Words => config.diff_unicode_words(old, new),
        Granularity::Lines => config.diff_lines(old, new),
        Granularity::Chars => config.diff_chars(old, new),
    };
    let mut raw: Vec<Span> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => SpanKind::Equal,
            ChangeTag::Insert => SpanKind::Insert,
            ChangeTag::Delete => SpanKind::Delete,
        };
        raw.push(Span {
            kind,
            text: change.value().to_string(),
        });
    }
    let approximated = deadline.is_some_and(|d| Instant::now() >= d);
    TextDiff {
        spans: tidy(raw, granularity),
        approximated,
    }
}

/// Merge a change group into one deletion then one insertion, absorbing whitespace-only equal
/// spans that sit between two changes (for words), and join neighbours of the same kind.
fn tidy(raw: Vec<Span>, granularity: Granularity) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut deleted = String::new();
    let mut inserted = String::new();
    let flush = |out: &mut Vec<Span>, deleted: &mut String, inserted: &mut String| {
        for (kind, text) in [(SpanKind::Delete, deleted), (SpanKind::Insert, inserted)] {
            if !text.is_empty() {
                push(out, kind, std::mem::take(text));
            }
        }
    };
    let mut i = 0;
    while i < raw.len() {
        let span = &raw[i];
        match span.kind {
            SpanKind::Delete => deleted.push_str(&span.text),
            SpanKind::Insert => inserted.push_str(&span.text),
            SpanKind::Equal => {
                let in_change = !(deleted.is_empty() && inserted.is_empty());
                let whitespace =
                    granularity == Granularity::Words && span.text.chars().all(char::is_whitespace);
                let change_follows = raw.get(i + 1).is_some_and(|n| n.kind != SpanKind::Equal);
                if in_change && whitespace && change_follows {
                    deleted.push_str(&span.text);
                    inserted.push_str(&span.text);
                } else {
                    flush(&mut out, &mut deleted, &mut inserted);
                    push(&mut out, SpanKind::Equal, span.text.clone());
                }
            }
        }
        i += 1;
    }
    flush(&mut out, &mut deleted, &mut inserted);
    out
}

fn push(out: &mut Vec<Span>, kind: SpanKind, text: String) {
    match out.last_mut() {
        Some(last) if last.kind == kind => last.text.push_str(&text),
        _ => out.push(Span { kind, text }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(d: &TextDiff) -> String {
        d.spans
            .iter()
            .map(|s| match s.kind {
                SpanKind::Equal => s.text.clone(),
                SpanKind::Insert => format!("{{+{}+}}", s.text),
                SpanKind::Delete => format!("[-{}-]", s.text),
            })
            .collect()
    }

    #[test]
    fn a_changed_word_keeps_its_punctuation() {
        let d = diff_text(
            "recruitment of health personnel;",
            "recruitment of health workers;",
            Granularity::Words,
            None,
        );
        assert_eq!(show(&d), "recruitment of health [-personnel-]{+workers+};");
        assert_eq!(d.word_counts(), (1, 1));
    }

    #[test]
    fn a_reference_changes_one_token() {
        let d = diff_text("see 5(1)(a).", "see 5(2)(a).", Granularity::Words, None);
        assert_eq!(show(&d), "see 5([-1-]{+2+})(a).");
    }

    #[test]
    fn neighbouring_changes_join_into_one_replacement() {
        let d = diff_text(
            "States shall compensate source countries",
            "States should assist developing countries",
            Granularity::Words,
            None,
        );
        assert_eq!(
            show(&d),
            "States [-shall compensate source-]{+should assist developing+} countries"
        );
    }

    #[test]
    fn the_spans_give_back_both_texts() {
        let (old, new) = ("a b c\nd e\n", "a x c\nd e f\n");
        for g in [Granularity::Words, Granularity::Lines, Granularity::Chars] {
            let d = diff_text(old, new, g, None);
            assert_eq!(d.old_text(), old, "{g:?}");
            assert_eq!(d.new_text(), new, "{g:?}");
        }
        assert!(diff_text(old, old, Granularity::Words, None).is_unchanged());
    }

    #[test]
    fn a_passed_deadline_is_reported() {
        let d = diff_text("a b", "b a", Granularity::Words, Some(Instant::now()));
        assert!(d.approximated);
        assert_eq!(d.new_text(), "b a");
    }
}
