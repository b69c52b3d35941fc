//! Text diffs: the word (or line, or character) changes between two texts, with `similar`.
//!
//! Words are the default, because drafters read words: the text is split at Unicode word
//! boundaries, so punctuation and whitespace are tokens of their own and "health personnel;"
//! → "health workers;" changes one word, not the semicolon. Patience is used for words and
//! Myers for lines and characters (see `shared/notes/diff.md`). A diff can be given a
//! deadline; past it `similar` degrades to a coarser answer, and the result says it was
//! approximated: never derive blame from such a diff.
//!
//! The deadline is the one place core meets a clock: the caller computes it (an [`Instant`])
//! and passes it in; `similar` reads the monotonic clock to honour it, and `passed` reads it
//! once after a diff to say whether it was approximated. A diff without a deadline reads no
//! clock and always gives the same answer.
//!
//! [`diff_documents`] compares two states of a document clause by clause, by clause id, so a
//! clause that was renumbered or moved shows as such with its text diff, not as one deletion and
//! one insertion. [`unified`] diffs two texts by lines: the CLI gives it two renderings of
//! [`crate::markdown::markdown`] (`show --format markdown`).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;
use similar::{Algorithm, DiffTag, TextDiffConfig};

use crate::document::{Clause, DocumentState};
use crate::ids::ClauseId;

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

/// Whether a diff's deadline has passed (then the diff may be coarser than the best one): the
/// monotonic clock, read only when the caller gave a deadline.
fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
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
    let (old_words, new_words);
    let diff = match granularity {
        Granularity::Words => {
            (old_words, new_words) = (word_tokens(old), word_tokens(new));
            config.diff_slices(&old_words, &new_words)
        }
        Granularity::Lines => config.diff_lines(old, new),
        Granularity::Chars => config.diff_chars(old, new),
    };
    // One span per run of tokens (the tokens of a side are consecutive pieces of its text, so
    // a run is one slice of it). An equal run of one whitespace token between two changes is
    // marked so that `tidy` can fold it into them.
    let mut raw: Vec<(Span, bool)> = Vec::new();
    let mut put = |kind: SpanKind, text: &str, absorbable: bool| {
        if !text.is_empty() {
            raw.push((
                Span {
                    kind,
                    text: text.to_string(),
                },
                absorbable,
            ));
        }
    };
    for op in diff.ops() {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_run = run(old, |i| diff.old_slice(i), old_range);
        let new_run = run(new, |i| diff.new_slice(i), new_range);
        match tag {
            DiffTag::Equal => {
                let single = op.old_range().len() == 1;
                let absorbable = granularity == Granularity::Words
                    && single
                    && old_run.chars().all(char::is_whitespace);
                put(SpanKind::Equal, old_run, absorbable);
            }
            DiffTag::Delete => put(SpanKind::Delete, old_run, false),
            DiffTag::Insert => put(SpanKind::Insert, new_run, false),
            DiffTag::Replace => {
                put(SpanKind::Delete, old_run, false);
                put(SpanKind::Insert, new_run, false);
            }
        }
    }
    TextDiff {
        spans: tidy(raw),
        approximated: passed(deadline),
    }
}

/// The piece of `text` that its tokens `range` cover (`token(i)` is its token `i`; the tokens
/// of a text are consecutive slices of it).
fn run<'t, 'd>(
    text: &'t str,
    token: impl Fn(usize) -> Option<&'d str>,
    range: std::ops::Range<usize>,
) -> &'t str {
    let offset = |piece: &str| piece.as_ptr() as usize - text.as_ptr() as usize;
    if range.is_empty() {
        return "";
    }
    match (token(range.start), token(range.end - 1)) {
        (Some(first), Some(last)) => &text[offset(first)..offset(last) + last.len()],
        _ => "",
    }
}

/// The word tokens of a text as Unicode's word segmentation (UAX #29) cuts it, every piece
/// kept (words, spaces, punctuation): what `similar`'s word diffs use. ASCII text, the usual
/// case, is cut here by the few rules that apply to it, several times faster; any other goes
/// to `unicode-segmentation`. Both give the same tokens (property test).
fn word_tokens(text: &str) -> Vec<&str> {
    if !text.is_ascii() {
        return similar::DiffableStr::tokenize_unicode_words(text);
    }
    let breaks: Vec<WordBreak> = text.bytes().map(word_break).collect();
    let mut tokens = Vec::with_capacity(breaks.len() / 4 + 1);
    let mut start = 0;
    for at in 1..breaks.len() {
        if word_boundary(&breaks, at) {
            tokens.push(&text[start..at]);
            start = at;
        }
    }
    if !text.is_empty() {
        tokens.push(&text[start..]);
    }
    tokens
}

/// The word-break property of an ASCII character (UAX #29, table 3).
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordBreak {
    Cr,
    Lf,
    Newline,
    Space,
    SingleQuote,
    MidNum,
    MidNumLet,
    MidLetter,
    Numeric,
    Letter,
    ExtendNumLet,
    Other,
}

fn word_break(c: u8) -> WordBreak {
    use WordBreak::*;
    match c {
        b'\r' => Cr,
        b'\n' => Lf,
        0x0b | 0x0c => Newline,
        b' ' => Space,
        b'\'' => SingleQuote,
        b',' | b';' => MidNum,
        b'.' => MidNumLet,
        b':' => MidLetter,
        b'0'..=b'9' => Numeric,
        b'a'..=b'z' | b'A'..=b'Z' => Letter,
        b'_' => ExtendNumLet,
        _ => Other,
    }
}

/// Whether an ASCII text (`text`: the word-break property of each of its characters) has a
/// word boundary before character `at` (0 < at < len): the rules of UAX #29 that ASCII
/// characters can meet, each decided from the characters around it.
fn word_boundary(text: &[WordBreak], at: usize) -> bool {
    use WordBreak::*;
    let (before, after) = (text[at - 1], text[at]);
    let earlier = at.checked_sub(2).map(|i| text[i]);
    let later = text.get(at + 1).copied();
    let mid_letter = |c| matches!(c, MidLetter | MidNumLet | SingleQuote);
    let mid_num = |c| matches!(c, MidNum | MidNumLet | SingleQuote);
    match (before, after) {
        (Cr, Lf) => false,                                                   // WB3
        (Cr | Lf | Newline, _) | (_, Cr | Lf | Newline) => true,             // WB3a, WB3b
        (Space, Space) => false,                                             // WB3d
        (Letter, Letter) => false,                                           // WB5
        (Letter, m) if mid_letter(m) && later == Some(Letter) => false,      // WB6
        (m, Letter) if mid_letter(m) && earlier == Some(Letter) => false,    // WB7
        (Numeric, Numeric) | (Letter, Numeric) | (Numeric, Letter) => false, // WB8, WB9, WB10
        (m, Numeric) if mid_num(m) && earlier == Some(Numeric) => false,     // WB11
        (Numeric, m) if mid_num(m) && later == Some(Numeric) => false,       // WB12
        (Letter | Numeric | ExtendNumLet, ExtendNumLet) => false,            // WB13a
        (ExtendNumLet, Letter | Numeric) => false,                           // WB13b
        _ => true,                                                           // WB999
    }
}

/// Merge a change group into one deletion then one insertion, absorbing the equal spans
/// marked absorbable (one whitespace token, for words) that sit between two changes, and join
/// neighbours of the same kind.
fn tidy(raw: Vec<(Span, bool)>) -> Vec<Span> {
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
    for (i, (span, absorbable)) in raw.iter().enumerate() {
        match span.kind {
            SpanKind::Delete => deleted.push_str(&span.text),
            SpanKind::Insert => inserted.push_str(&span.text),
            SpanKind::Equal => {
                let in_change = !(deleted.is_empty() && inserted.is_empty());
                let change_follows = raw
                    .get(i + 1)
                    .is_some_and(|(n, _)| n.kind != SpanKind::Equal);
                if in_change && *absorbable && change_follows {
                    deleted.push_str(&span.text);
                    inserted.push_str(&span.text);
                } else {
                    flush(&mut out, &mut deleted, &mut inserted);
                    push(&mut out, SpanKind::Equal, span.text.clone());
                }
            }
        }
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

// ---------------------------------------------------------------------------------------------
// Documents, clause by clause
// ---------------------------------------------------------------------------------------------

/// What happened to a clause between two states. A clause reworded, moved and renumbered at
/// once is `Moved`; the flags of [`ClauseDiff`] say everything that happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseStatus {
    /// Only in the new state.
    Added,
    /// Only in the old state.
    Removed,
    /// Put elsewhere: under another clause, or out of order among its siblings.
    Moved,
    /// Given another label, in the same place.
    Renumbered,
    /// Only its heading or text changed.
    Reworded,
}

impl ClauseStatus {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            ClauseStatus::Added => "added",
            ClauseStatus::Removed => "removed",
            ClauseStatus::Moved => "moved",
            ClauseStatus::Renumbered => "renumbered",
            ClauseStatus::Reworded => "reworded",
        }
    }
}

/// How one clause changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseDiff {
    /// The clause.
    pub clause: ClauseId,
    /// What happened to it, in one word.
    pub status: ClauseStatus,
    /// Its label in the old state; `None` if added.
    pub old_label: Option<String>,
    /// Its label in the new state; `None` if removed.
    pub new_label: Option<String>,
    /// Its depth in the tree (new state; old state for a removed clause): 0 for articles and
    /// preamble paragraphs, 1 for their paragraphs.
    pub depth: usize,
    /// The clause it sits under (new state; old state for a removed clause).
    pub parent: Option<ClauseId>,
    /// Whether it was put elsewhere.
    pub moved: bool,
    /// Whether its label changed.
    pub relabelled: bool,
    /// Whether its heading or text changed (always for an added or removed clause).
    pub reworded: bool,
    /// The heading's diff, when it has or had one and it changed (or the clause came or went).
    pub heading: Option<TextDiff>,
    /// The text's diff: all inserted for an added clause, all deleted for a removed one.
    pub text: TextDiff,
    /// Words inserted, heading and text.
    pub words_inserted: usize,
    /// Words deleted, heading and text.
    pub words_deleted: usize,
}

impl ClauseDiff {
    /// The label to show: the new one, or the old one for a removed clause.
    pub fn label(&self) -> &str {
        self.new_label
            .as_deref()
            .or(self.old_label.as_deref())
            .unwrap_or("")
    }
}

/// How a document changed between two states, clause by clause; unchanged clauses are left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentDiff {
    /// The changed clauses in reading order of the new state, each removed clause where it stood
    /// (after the clause that preceded it and is still there).
    pub clauses: Vec<ClauseDiff>,
    /// The granularity of the text diffs.
    pub granularity: Granularity,
    /// Whether the deadline passed and some diff may be coarser than the best one.
    pub approximated: bool,
}

impl DocumentDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Words inserted and deleted, in all.
    pub fn word_counts(&self) -> (usize, usize) {
        self.clauses.iter().fold((0, 0), |(i, d), c| {
            (i + c.words_inserted, d + c.words_deleted)
        })
    }
}

/// A clause's place in one state.
struct Place<'a> {
    clause: &'a Clause,
    depth: usize,
}

/// The clauses of a state in reading order, limited to `scope` and what is under it.
fn places(doc: &DocumentState, scope: Option<ClauseId>) -> Vec<Place<'_>> {
    let outline = doc.outline();
    let Some(scope) = scope else {
        return outline
            .into_iter()
            .map(|(depth, clause)| Place { clause, depth })
            .collect();
    };
    let Some(start) = outline.iter().position(|(_, c)| c.id == scope) else {
        return Vec::new();
    };
    let top = outline[start].0;
    let mut out = vec![Place {
        clause: outline[start].1,
        depth: top,
    }];
    for (depth, clause) in &outline[start + 1..] {
        if *depth <= top {
            break;
        }
        out.push(Place {
            clause,
            depth: *depth,
        });
    }
    out
}

/// The clauses kept in place among their siblings: the longest run of siblings (present in
/// both states under the same parent) whose old order is kept in the new order. The others
/// moved.
fn kept_in_order(old_positions: &[usize]) -> Vec<bool> {
    // Longest increasing subsequence, O(n log n), with back links.
    let n = old_positions.len();
    let mut tails: Vec<usize> = Vec::new(); // indexes into old_positions
    let mut back: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let v = old_positions[i];
        let k = tails.partition_point(|&t| old_positions[t] < v);
        back[i] = if k > 0 { Some(tails[k - 1]) } else { None };
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut kept = vec![false; n];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        kept[i] = true;
        at = back[i];
    }
    kept
}

/// The clauses that moved between two states: those under another parent, and those out of
/// order among siblings that kept their parent.
fn moved_clauses(old: &DocumentState, new: &DocumentState) -> HashSet<ClauseId> {
    let mut moved = HashSet::new();
    let old_index = |parent: Option<ClauseId>| -> HashMap<ClauseId, usize> {
        let siblings = match parent {
            None => old.roots(),
            Some(p) => old.clause(p).map(|c| c.children.as_slice()).unwrap_or(&[]),
        };
        siblings
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect()
    };
    let mut groups: Vec<Option<ClauseId>> = vec![None];
    groups.extend(new.outline().iter().map(|(_, c)| Some(c.id)));
    for parent in groups {
        let siblings = match parent {
            None => new.roots(),
            Some(p) => new.clause(p).map(|c| c.children.as_slice()).unwrap_or(&[]),
        };
        if siblings.is_empty() {
            continue;
        }
        let index = old_index(parent.filter(|p| old.clause(*p).is_some()));
        let mut stayed: Vec<ClauseId> = Vec::new();
        let mut positions: Vec<usize> = Vec::new();
        for id in siblings {
            let Some(before) = old.clause(*id) else {
                continue;
            };
            if before.parent != parent {
                moved.insert(*id);
                continue;
            }
            stayed.push(*id);
            positions.push(index[id]);
        }
        for (id, kept) in stayed.iter().zip(kept_in_order(&positions)) {
            if !kept {
                moved.insert(*id);
            }
        }
    }
    moved
}

/// A text wholly inserted or wholly deleted.
fn whole(text: &str, kind: SpanKind) -> TextDiff {
    TextDiff {
        spans: if text.is_empty() {
            Vec::new()
        } else {
            vec![Span {
                kind,
                text: text.to_string(),
            }]
        },
        approximated: false,
    }
}

/// Compare two states of a document clause by clause (by clause id), limited to `scope` (a
/// clause and what is under it, in either state) when given. Text diffs are computed only for
/// clauses whose heading or text changed, all against one `deadline` for the whole request.
pub fn diff_documents(
    old: &DocumentState,
    new: &DocumentState,
    scope: Option<ClauseId>,
    granularity: Granularity,
    deadline: Option<Instant>,
) -> DocumentDiff {
    let old_places = places(old, scope);
    let new_places = places(new, scope);
    let moved = moved_clauses(old, new);
    let survivor = |before: &Clause, after: &Clause, depth: usize| {
        changed_clause(
            before,
            after,
            depth,
            moved.contains(&after.id),
            granularity,
            deadline,
        )
    };

    // Clauses of the old state that are not in the new one (removed, or moved out of the
    // scope), each anchored after the last clause before it that is.
    let in_new: HashSet<ClauseId> = new_places.iter().map(|p| p.clause.id).collect();
    let mut left_after: HashMap<Option<ClauseId>, Vec<&Place<'_>>> = HashMap::new();
    let mut anchor: Option<ClauseId> = None;
    for p in &old_places {
        if in_new.contains(&p.clause.id) {
            anchor = Some(p.clause.id);
        } else {
            left_after.entry(anchor).or_default().push(p);
        }
    }

    let mut out: Vec<ClauseDiff> = Vec::new();
    let left = |out: &mut Vec<ClauseDiff>, after: Option<ClauseId>| {
        for p in left_after.get(&after).into_iter().flatten() {
            let c = p.clause;
            if let Some(now) = new.clause(c.id) {
                let depth = new
                    .outline()
                    .iter()
                    .find(|(_, x)| x.id == c.id)
                    .map_or(p.depth, |(d, _)| *d);
                out.extend(survivor(c, now, depth));
                continue;
            }
            let heading = c.heading.as_deref().map(|h| whole(h, SpanKind::Delete));
            let words =
                count_words(&c.text_with_notes()) + c.heading.as_deref().map_or(0, count_words);
            out.push(ClauseDiff {
                clause: c.id,
                status: ClauseStatus::Removed,
                old_label: Some(c.label.clone()),
                new_label: None,
                depth: p.depth,
                parent: c.parent,
                moved: false,
                relabelled: false,
                reworded: true,
                heading,
                text: whole(&c.text_with_notes(), SpanKind::Delete),
                words_inserted: 0,
                words_deleted: words,
            });
        }
    };
    left(&mut out, None);
    for p in &new_places {
        let c = p.clause;
        match old.clause(c.id) {
            None => {
                let heading = c.heading.as_deref().map(|h| whole(h, SpanKind::Insert));
                let words =
                    count_words(&c.text_with_notes()) + c.heading.as_deref().map_or(0, count_words);
                out.push(ClauseDiff {
                    clause: c.id,
                    status: ClauseStatus::Added,
                    old_label: None,
                    new_label: Some(c.label.clone()),
                    depth: p.depth,
                    parent: c.parent,
                    moved: false,
                    relabelled: false,
                    reworded: true,
                    heading,
                    text: whole(&c.text_with_notes(), SpanKind::Insert),
                    words_inserted: words,
                    words_deleted: 0,
                });
            }
            Some(before) => out.extend(survivor(before, c, p.depth)),
        }
        left(&mut out, Some(c.id));
    }
    let approximated = out
        .iter()
        .any(|c| c.text.approximated || c.heading.as_ref().is_some_and(|h| h.approximated));
    DocumentDiff {
        clauses: out,
        granularity,
        approximated,
    }
}

/// How a clause in both states changed, or `None` if it did not.
fn changed_clause(
    before: &Clause,
    c: &Clause,
    depth: usize,
    is_moved: bool,
    granularity: Granularity,
    deadline: Option<Instant>,
) -> Option<ClauseDiff> {
    let relabelled = before.label != c.label;
    let heading_changed = before.heading != c.heading;
    let (old_text, new_text) = (before.text_with_notes(), c.text_with_notes());
    let text_changed = old_text != new_text;
    if !(is_moved || relabelled || heading_changed || text_changed) {
        return None;
    }
    let heading = heading_changed.then(|| {
        diff_text(
            before.heading.as_deref().unwrap_or(""),
            c.heading.as_deref().unwrap_or(""),
            granularity,
            deadline,
        )
    });
    let text = if text_changed {
        diff_text(&old_text, &new_text, granularity, deadline)
    } else {
        whole(&new_text, SpanKind::Equal)
    };
    let (mut ins, mut del) = text.word_counts();
    if let Some(h) = &heading {
        let (i, d) = h.word_counts();
        ins += i;
        del += d;
    }
    Some(ClauseDiff {
        clause: c.id,
        status: if is_moved {
            ClauseStatus::Moved
        } else if relabelled {
            ClauseStatus::Renumbered
        } else {
            ClauseStatus::Reworded
        },
        old_label: Some(before.label.clone()),
        new_label: Some(c.label.clone()),
        depth,
        parent: c.parent,
        moved: is_moved,
        relabelled,
        reworded: heading_changed || text_changed,
        heading,
        text,
        words_inserted: ins,
        words_deleted: del,
    })
}

/// A unified diff (`diff -u`, three lines of context) of two texts by lines, with `--- old_name`
/// and `+++ new_name` headers; empty if the texts are the same. Bounded by `deadline`: past it
/// the diff is coarser (larger hunks) but still turns the old text into the new one when
/// applied. The flag says whether the deadline passed.
pub fn unified(
    old: &str,
    new: &str,
    old_name: &str,
    new_name: &str,
    deadline: Option<Instant>,
) -> (String, bool) {
    let mut config = TextDiffConfig::default();
    config.algorithm(Algorithm::Myers);
    if let Some(d) = deadline {
        config.deadline(d);
    }
    let diff = config.diff_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    (text, passed(deadline))
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

    mod tokens {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2048))]

            /// The ASCII fast path cuts a text exactly as Unicode's word segmentation does:
            /// over every ASCII character the rules treat apart, and others.
            #[test]
            fn ascii_words_are_cut_as_unicode_cuts_them(
                text in "[a-cA-C0-2 \t\r\n\x0b\x0c'\".,;:_()\\-]{0,24}"
            ) {
                let expected = similar::DiffableStr::tokenize_unicode_words(text.as_str());
                prop_assert_eq!(word_tokens(&text), expected);
            }
        }

        #[test]
        fn references_and_contractions_stay_whole() {
            assert_eq!(
                word_tokens("see 5.2(a), don't"),
                ["see", " ", "5.2", "(", "a", ")", ",", " ", "don't"]
            );
            assert_eq!(word_tokens("État, 5.2"), ["État", ",", " ", "5.2"]);
        }
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

    mod documents {
        use super::*;
        use crate::import::{parse_draft, plan_revision};
        use crate::tests::World;
        use crate::{Command, ParticipantId};

        const DRAFT1: &str = "# Code

Recalling the need for a test;

## Article 1 — Objectives

1. The first objective is clarity of the recruitment rules.
2. Source countries shall be compensated by destination countries.
3. The third objective is fairness.

## Article 2 — Scope

1. The Code applies to all recruiters:
   - (a) public;
   - (b) private.
2. The right to migrate is recognised.
";

        /// Article 1 loses 1.2, the right to migrate moves from 2.2 to 1.3, 2.1 is reworded
        /// and Article 2's heading changes; a new 2.2 is added.
        const DRAFT2: &str = "# Code

Recalling the need for a test;

## Article 1 — Objectives

1. The first objective is clarity of the recruitment rules.
2. The third objective is fairness.
3. The right to migrate is recognised.

## Article 2 — Scope and nature

1. The Code applies to all recruiters:
   - (a) public;
   - (b) private and voluntary.
2. A new paragraph on data.
";

        fn import(w: &mut World, s: ParticipantId, md: &str) {
            let draft = parse_draft(md.as_bytes()).unwrap();
            let doc = w.doc().clone();
            let plan = plan_revision(&doc, &draft, &mut || ClauseId(w.id()));
            if !plan.is_empty() {
                w.run(
                    s,
                    Command::IssueRevision {
                        title: None,
                        label: None,
                        ops: plan.ops,
                    },
                )
                .unwrap();
            }
        }

        fn two_states() -> (DocumentState, DocumentState) {
            let (mut w, s) = World::with_document();
            import(&mut w, s, DRAFT1);
            let old = w.doc().clone();
            import(&mut w, s, DRAFT2);
            (old, w.doc().clone())
        }

        fn entry<'d>(d: &'d DocumentDiff, label: &str) -> &'d ClauseDiff {
            d.clauses
                .iter()
                .find(|c| c.label() == label)
                .unwrap_or_else(|| panic!("no {label} in {d:#?}"))
        }

        #[test]
        fn clauses_are_compared_by_identity() {
            let (old, new) = two_states();
            let d = diff_documents(&old, &new, None, Granularity::Words, None);
            let summary: Vec<(String, &str)> = d
                .clauses
                .iter()
                .map(|c| {
                    let label = match (&c.old_label, &c.new_label) {
                        (Some(o), Some(n)) if o != n => format!("{o}→{n}"),
                        _ => c.label().to_string(),
                    };
                    (label, c.status.name())
                })
                .collect();
            let expected: Vec<(String, &str)> = [
                ("1.2", "removed"),
                ("1.3→1.2", "renumbered"),
                ("2.2→1.3", "moved"),
                ("Article 2", "reworded"),
                // The point (b) under 2.1 is a clause of its own.
                ("(b)", "reworded"),
                ("2.2", "added"),
            ]
            .iter()
            .map(|(l, s)| (l.to_string(), *s))
            .collect();
            assert_eq!(summary, expected);

            let moved = entry(&d, "1.3");
            assert!(moved.moved && moved.relabelled && !moved.reworded);
            assert!(moved.text.is_unchanged());
            assert_eq!((moved.words_inserted, moved.words_deleted), (0, 0));
            let heading = entry(&d, "Article 2").heading.as_ref().unwrap();
            assert_eq!(heading.new_text(), "Scope and nature");
            assert_eq!(entry(&d, "Article 2").words_inserted, 2);
            let reworded = entry(&d, "(b)");
            assert_eq!((reworded.words_inserted, reworded.words_deleted), (2, 0));
            let removed = d
                .clauses
                .iter()
                .find(|c| c.status == ClauseStatus::Removed)
                .unwrap();
            assert_eq!(removed.words_deleted, 8);
            assert_eq!(
                removed.text.old_text(),
                old.clause(removed.clause).unwrap().text
            );
            assert_eq!(entry(&d, "2.2").words_inserted, 5);
            assert_eq!(d.word_counts(), (9, 8));
            assert!(!d.approximated);

            // Nothing changed, nothing shown; and the reverse diff mirrors the forward one.
            assert!(diff_documents(&new, &new, None, Granularity::Words, None).is_empty());
            let back = diff_documents(&new, &old, None, Granularity::Words, None);
            assert_eq!(back.word_counts(), (8, 9));
        }

        #[test]
        fn a_scope_keeps_one_article_and_what_was_or_is_under_it() {
            let (old, new) = two_states();
            let a1 = old.resolve_clause("Article 1").unwrap();
            let d = diff_documents(&old, &new, Some(a1), Granularity::Words, None);
            let labels: Vec<&str> = d.clauses.iter().map(ClauseDiff::label).collect();
            assert_eq!(labels, ["1.2", "1.2", "1.3"]);
            let a2 = new.resolve_clause("Article 2").unwrap();
            let d = diff_documents(&old, &new, Some(a2), Granularity::Words, None);
            let labels: Vec<&str> = d.clauses.iter().map(ClauseDiff::label).collect();
            // The clause that left Article 2 is shown as moved (to 1.3), not as removed.
            assert_eq!(labels, ["Article 2", "(b)", "1.3", "2.2"]);
            assert_eq!(d.clauses[2].status, ClauseStatus::Moved);
            assert_eq!(d.clauses[2].old_label.as_deref(), Some("2.2"));
            let p = new.resolve_clause("2.1").unwrap();
            let d = diff_documents(&old, &new, Some(p), Granularity::Chars, None);
            assert_eq!(d.clauses.len(), 1);
            assert_eq!(d.granularity, Granularity::Chars);
        }

        #[test]
        fn a_passed_deadline_marks_the_whole_diff_approximated() {
            let (old, new) = two_states();
            let d = diff_documents(&old, &new, None, Granularity::Words, Some(Instant::now()));
            assert!(d.approximated);
            for c in &d.clauses {
                let before = old
                    .clause(c.clause)
                    .map(|c| c.text.clone())
                    .unwrap_or_default();
                let after = new
                    .clause(c.clause)
                    .map(|c| c.text.clone())
                    .unwrap_or_default();
                assert_eq!((c.text.old_text(), c.text.new_text()), (before, after));
            }
        }

        #[test]
        fn siblings_out_of_order_are_the_fewest_that_explain_the_new_order() {
            assert_eq!(kept_in_order(&[0, 1, 2, 3]), [true; 4]);
            // One clause moved to the front: only it moved.
            assert_eq!(kept_in_order(&[3, 0, 1, 2]), [false, true, true, true]);
            assert_eq!(
                kept_in_order(&[0, 2, 1, 3]).iter().filter(|k| !**k).count(),
                1
            );
            assert_eq!(kept_in_order(&[]), Vec::<bool>::new());
        }
    }
}
