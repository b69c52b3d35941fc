//! Matching a draft against the text as it stands, and planning the revision that turns one
//! into the other.

use std::collections::HashMap;

use serde::Serialize;

use super::{Draft, DraftClause};
use crate::document::DocumentState;
use crate::event::{ClauseKind, ClauseOp, Note};
use crate::ids::ClauseId;

/// Lowest similarity at which two clauses left unmatched are taken for one reworded clause.
const FUZZY_THRESHOLD: (u64, u64) = (1, 2);

/// Above this many candidate pairs, clauses with the same content are paired in reading order
/// rather than by nearest position, to keep the cost linear.
const NEAREST_PAIRS_MAX: usize = 1 << 16;

/// What happens to one clause in a planned revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Same heading and text.
    Unchanged,
    /// Its heading or text changed.
    Reworded,
    /// New in the draft.
    Added,
    /// Not in the draft.
    Removed,
}

/// One clause of a planned revision: which clause it is, and what happens to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanEntry {
    /// The clause (a fresh id for an added one).
    pub clause: ClauseId,
    /// Its label in the text as it stands; `None` if added.
    pub old_label: Option<String>,
    /// Its label in the draft; `None` if removed.
    pub new_label: Option<String>,
    /// Whether its content changed, or it comes or goes.
    pub status: EntryStatus,
    /// Whether it is put elsewhere: under another clause, or out of order among its siblings.
    pub moved: bool,
    /// Whether its label changes.
    pub relabelled: bool,
    /// How alike its old and new wording are: 1.0 unchanged, below for reworded, 0 for added or
    /// removed.
    pub similarity: f64,
}

/// The revision that turns the text as it stands into a draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The operations, in the order they must be applied; empty if the draft is the text
    /// already.
    pub ops: Vec<ClauseOp>,
    /// Every clause of the draft in reading order, then the clauses removed, in their old order.
    pub entries: Vec<PlanEntry>,
}

/// Counts of what a plan does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    /// Clauses whose heading and text stay.
    pub unchanged: usize,
    /// Clauses reworded.
    pub reworded: usize,
    /// Clauses added.
    pub added: usize,
    /// Clauses removed.
    pub removed: usize,
    /// Clauses moved.
    pub moved: usize,
    /// Clauses relabelled.
    pub relabelled: usize,
}

impl Plan {
    /// Whether the draft is the text already: nothing to record.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Counts of what the plan does.
    pub fn summary(&self) -> PlanSummary {
        let mut s = PlanSummary::default();
        for e in &self.entries {
            match e.status {
                EntryStatus::Unchanged => s.unchanged += 1,
                EntryStatus::Reworded => s.reworded += 1,
                EntryStatus::Added => s.added += 1,
                EntryStatus::Removed => s.removed += 1,
            }
            s.moved += usize::from(e.moved);
            s.relabelled += usize::from(e.relabelled);
        }
        s
    }
}

/// One clause on either side of the match.
struct Node<'a> {
    label: &'a str,
    heading: Option<&'a str>,
    text: &'a str,
    kind: Option<ClauseKind>,
    notes: &'a [Note],
    parent: Option<usize>,
    children: Vec<usize>,
    /// Index among its parent's children.
    index: usize,
    /// Heading and text, whitespace-normalised.
    key: String,
    /// Word multiset: (word id, count), sorted by word id.
    bag: Vec<(u32, u32)>,
    /// Number of words.
    words: u32,
}

impl<'a> Node<'a> {
    fn new(
        (label, heading, text): (&'a str, Option<&'a str>, &'a str),
        (kind, notes): (Option<ClauseKind>, &'a [Note]),
        parent: Option<usize>,
        index: usize,
        words: &mut Words,
    ) -> Self {
        let (bag, count) = words.bag(heading, text);
        Node {
            label,
            heading,
            text,
            kind,
            notes,
            parent,
            children: Vec::new(),
            index,
            key: content_key(heading, text),
            bag,
            words: count,
        }
    }

    fn top(&self) -> bool {
        self.parent.is_none()
    }

    fn empty(&self) -> bool {
        self.heading.unwrap_or("").trim().is_empty() && self.text.trim().is_empty()
    }
}

#[derive(Default)]
struct Words(HashMap<String, u32>);

impl Words {
    fn bag(&mut self, heading: Option<&str>, text: &str) -> (Vec<(u32, u32)>, u32) {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        let mut total = 0;
        for part in heading.into_iter().chain([text]) {
            for word in part.split(|c: char| !c.is_alphanumeric()) {
                if word.is_empty() {
                    continue;
                }
                let next = self.0.len() as u32;
                let id = *self.0.entry(word.to_lowercase()).or_insert(next);
                *counts.entry(id).or_default() += 1;
                total += 1;
            }
        }
        let mut bag: Vec<(u32, u32)> = counts.into_iter().collect();
        bag.sort_unstable();
        (bag, total)
    }
}

fn content_key(heading: Option<&str>, text: &str) -> String {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}\u{1f}{}", norm(heading.unwrap_or("")), norm(text))
}

/// Shared words of two bags, counted with multiplicity.
fn shared(a: &[(u32, u32)], b: &[(u32, u32)]) -> u32 {
    let (mut i, mut j, mut s) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1.min(b[j].1);
                i += 1;
                j += 1;
            }
        }
    }
    s
}

fn dice(shared: u32, a: u32, b: u32) -> f64 {
    if a + b == 0 {
        1.0
    } else {
        2.0 * f64::from(shared) / f64::from(a + b)
    }
}

struct Matcher<'a> {
    old: Vec<Node<'a>>,
    new: Vec<Node<'a>>,
    o2n: Vec<Option<usize>>,
    n2o: Vec<Option<usize>>,
}

impl<'a> Matcher<'a> {
    fn pair(&mut self, o: usize, n: usize) {
        debug_assert!(self.o2n[o].is_none() && self.n2o[n].is_none());
        self.o2n[o] = Some(n);
        self.n2o[n] = Some(o);
    }

    fn free(&self, o: usize, n: usize) -> bool {
        self.o2n[o].is_none() && self.n2o[n].is_none()
    }

    /// Where an old clause's parent went: `Some(None)` for the top level, `Some(Some(p))` if its
    /// parent is matched to new clause `p`, `None` if its parent is unmatched.
    fn parent_image(&self, o: usize) -> Option<Option<usize>> {
        match self.old[o].parent {
            None => Some(None),
            Some(p) => self.o2n[p].map(Some),
        }
    }

    fn same_parent(&self, o: usize, n: usize) -> bool {
        self.parent_image(o) == Some(self.new[n].parent)
    }

    fn distance(o: usize, n: usize) -> usize {
        o.abs_diff(n)
    }

    /// Unmatched clauses of one class (top level or not) on each side.
    fn unmatched(&self, top: bool) -> (Vec<usize>, Vec<usize>) {
        let olds = (0..self.old.len())
            .filter(|&o| self.o2n[o].is_none() && self.old[o].top() == top)
            .collect();
        let news = (0..self.new.len())
            .filter(|&n| self.n2o[n].is_none() && self.new[n].top() == top)
            .collect();
        (olds, news)
    }

    /// Pair clauses with the same content. Clauses without content are left for later unless
    /// `with_empty`.
    fn exact(&mut self, top: bool, with_empty: bool) {
        let (olds, news) = self.unmatched(top);
        let mut groups: HashMap<&str, (Vec<usize>, Vec<usize>)> = HashMap::new();
        for &o in &olds {
            if with_empty || !self.old[o].empty() {
                groups.entry(&self.old[o].key).or_default().0.push(o);
            }
        }
        for &n in &news {
            if with_empty || !self.new[n].empty() {
                if let Some(g) = groups.get_mut(self.new[n].key.as_str()) {
                    g.1.push(n);
                }
            }
        }
        let mut groups: Vec<(Vec<usize>, Vec<usize>)> = groups
            .into_values()
            .filter(|(o, n)| !o.is_empty() && !n.is_empty())
            .collect();
        // In reading order: a group's ties are broken by the parents matched before it, so the
        // order must not be the hash map's.
        groups.sort_unstable();
        for (olds, news) in groups {
            if olds.len() == 1 && news.len() == 1 {
                self.pair(olds[0], news[0]);
            } else {
                self.pair_ties(&olds, &news);
            }
        }
    }

    /// Pair clauses that are equally good candidates for each other: same parent and label
    /// first, then same parent, then same label, then nearest position.
    fn pair_ties(&mut self, olds: &[usize], news: &[usize]) {
        let by_label: HashMap<&str, usize> = olds.iter().map(|&o| (self.old[o].label, o)).collect();
        for &n in news {
            if let Some(&o) = by_label.get(self.new[n].label) {
                if self.free(o, n) && self.same_parent(o, n) {
                    self.pair(o, n);
                }
            }
        }
        let mut by_parent: HashMap<Option<usize>, (Vec<usize>, Vec<usize>)> = HashMap::new();
        for &o in olds {
            if self.o2n[o].is_none() {
                if let Some(p) = self.parent_image(o) {
                    by_parent.entry(p).or_default().0.push(o);
                }
            }
        }
        for &n in news {
            if self.n2o[n].is_none() {
                if let Some(g) = by_parent.get_mut(&self.new[n].parent) {
                    g.1.push(n);
                }
            }
        }
        let mut groups: Vec<(Vec<usize>, Vec<usize>)> = by_parent.into_values().collect();
        groups.sort();
        for (o, n) in groups {
            self.nearest(&o, &n);
        }
        for &n in news {
            if let Some(&o) = by_label.get(self.new[n].label) {
                if self.free(o, n) {
                    self.pair(o, n);
                }
            }
        }
        self.nearest(olds, news);
    }

    /// Pair the still unmatched clauses of two lists (each in reading order) by nearest
    /// position.
    fn nearest(&mut self, olds: &[usize], news: &[usize]) {
        let olds: Vec<usize> = olds
            .iter()
            .copied()
            .filter(|&o| self.o2n[o].is_none())
            .collect();
        let news: Vec<usize> = news
            .iter()
            .copied()
            .filter(|&n| self.n2o[n].is_none())
            .collect();
        if olds.len().saturating_mul(news.len()) > NEAREST_PAIRS_MAX {
            for (&o, &n) in olds.iter().zip(&news) {
                self.pair(o, n);
            }
            return;
        }
        let mut pairs: Vec<(usize, usize, usize)> = olds
            .iter()
            .flat_map(|&o| news.iter().map(move |&n| (Self::distance(o, n), n, o)))
            .collect();
        pairs.sort_unstable();
        for (_, n, o) in pairs {
            if self.free(o, n) {
                self.pair(o, n);
            }
        }
    }

    /// Pair clauses whose words are alike enough: Dice coefficient over word multisets, the
    /// most alike first. Only pairs sharing a word are scored (inverted index).
    fn fuzzy(&mut self, top: bool) {
        let (olds, news) = self.unmatched(top);
        let olds: Vec<usize> = olds
            .into_iter()
            .filter(|&o| self.old[o].words > 0)
            .collect();
        let mut postings: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        for (i, &o) in olds.iter().enumerate() {
            for &(w, c) in &self.old[o].bag {
                postings.entry(w).or_default().push((i as u32, c));
            }
        }
        let mut shared = vec![0u32; olds.len()];
        let mut touched: Vec<u32> = Vec::new();
        // (shared words, total words, same parent, same label, distance, new, old)
        let mut candidates: Vec<(u32, u32, bool, bool, usize, usize, usize)> = Vec::new();
        for &n in &news {
            let node = &self.new[n];
            for (w, c) in &node.bag {
                for &(i, co) in postings.get(w).map(Vec::as_slice).unwrap_or(&[]) {
                    if shared[i as usize] == 0 {
                        touched.push(i);
                    }
                    shared[i as usize] += co.min(*c);
                }
            }
            for i in touched.drain(..) {
                let s = std::mem::take(&mut shared[i as usize]);
                let o = olds[i as usize];
                let total = self.old[o].words + node.words;
                // s / total * 2 >= threshold
                if u64::from(s) * 2 * FUZZY_THRESHOLD.1 >= u64::from(total) * FUZZY_THRESHOLD.0 {
                    candidates.push((
                        s,
                        total,
                        self.same_parent(o, n),
                        self.old[o].label == node.label,
                        Self::distance(o, n),
                        n,
                        o,
                    ));
                }
            }
        }
        candidates.sort_unstable_by(|a, b| {
            // Higher similarity first: a.s / a.total > b.s / b.total.
            (u64::from(b.0) * u64::from(a.1))
                .cmp(&(u64::from(a.0) * u64::from(b.1)))
                .then(b.2.cmp(&a.2))
                .then(b.3.cmp(&a.3))
                .then(a.4.cmp(&b.4))
                .then(a.5.cmp(&b.5))
                .then(a.6.cmp(&b.6))
        });
        for (.., n, o) in candidates {
            if self.free(o, n) {
                self.pair(o, n);
            }
        }
    }

    /// Pair an unmatched old article with the unmatched new article to which more than half of
    /// its matched paragraphs went.
    fn structure(&mut self) {
        let (olds, news) = self.unmatched(true);
        let open: std::collections::HashSet<usize> = news.into_iter().collect();
        // (paragraphs that went along, same label, distance, old, new)
        let mut candidates: Vec<(usize, bool, usize, usize, usize)> = Vec::new();
        for o in olds {
            let mut matched = 0;
            let mut went: HashMap<usize, usize> = HashMap::new();
            for &c in &self.old[o].children {
                if let Some(nc) = self.o2n[c] {
                    matched += 1;
                    if let Some(p) = self.new[nc].parent.filter(|p| open.contains(p)) {
                        *went.entry(p).or_default() += 1;
                    }
                }
            }
            if let Some((&n, &count)) = went.iter().max_by_key(|(n, c)| (**c, usize::MAX - **n)) {
                if count * 2 > matched {
                    candidates.push((
                        count,
                        self.old[o].label == self.new[n].label,
                        Self::distance(o, n),
                        o,
                        n,
                    ));
                }
            }
        }
        candidates.sort_unstable_by(|a, b| {
            b.0.cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        for (.., o, n) in candidates {
            if self.free(o, n) {
                self.pair(o, n);
            }
        }
    }
}

impl Matcher<'_> {
    /// Pair the paragraphs left on both sides that have the same label under the same matched
    /// article: every content-based step has passed them by, so the paragraph in that place
    /// was rewritten (a short clause reworded by an amendment often shares few words).
    fn same_place(&mut self) {
        let (olds, news) = self.unmatched(false);
        let mut by_place: HashMap<(Option<usize>, &str), usize> = HashMap::new();
        for &n in &news {
            by_place.insert((self.new[n].parent, self.new[n].label), n);
        }
        for o in olds {
            // Only where the old paragraph's article was matched.
            let Some(parent) = self.parent_image(o) else {
                continue;
            };
            if let Some(&n) = by_place.get(&(parent, self.old[o].label)) {
                if self.free(o, n) {
                    self.pair(o, n);
                }
            }
        }
    }
}

/// The longest increasing subsequence of `seq`, as a mask over its positions.
fn longest_increasing(seq: &[usize]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new(); // positions in seq
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (i, &v) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq[t] < v);
        prev[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut keep = vec![false; seq.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        keep[i] = true;
        at = prev[i];
    }
    keep
}

/// Match a draft against the document as it stands and plan the revision that turns the text
/// into the draft. `new_id` gives the ids of added clauses.
///
/// Clauses are matched by content first; labels and positions only break ties, since after a
/// renumbering a clause's old label belongs to another clause. Articles are matched only with
/// articles (top-level clauses), paragraphs only with paragraphs:
///
/// 1. same heading and text (whitespace-normalised); among several candidates, the one under
///    the matched parent and with the same label first, then nearest in reading order;
/// 2. then alike wording: Dice coefficient over word multisets of at least 0.5, most alike
///    first;
/// 3. then an article whose heading changed entirely is matched to the new article that holds
///    most (more than half) of its matched paragraphs;
/// 4. then a paragraph rewritten beyond recognition keeps its identity if it kept its place:
///    the same label under the same (matched) article;
/// 5. the rest are removed or added.
pub fn plan_revision(
    state: &DocumentState,
    draft: &Draft,
    new_id: &mut dyn FnMut() -> ClauseId,
) -> Plan {
    let mut words = Words::default();

    // The text as it stands, in reading order.
    let outline = state.outline();
    let mut old_ids: Vec<ClauseId> = Vec::with_capacity(outline.len());
    let mut position: HashMap<ClauseId, usize> = HashMap::with_capacity(outline.len());
    let mut old: Vec<Node<'_>> = Vec::with_capacity(outline.len());
    for (i, (_, c)) in outline.iter().enumerate() {
        position.insert(c.id, i);
        old_ids.push(c.id);
        let parent = c.parent.map(|p| position[&p]);
        let index = match parent {
            Some(p) => {
                old[p].children.push(i);
                old[p].children.len() - 1
            }
            None => 0,
        };
        old.push(Node::new(
            (&c.label, c.heading.as_deref(), &c.text),
            (c.kind, &c.notes),
            parent,
            index,
            &mut words,
        ));
    }
    // Roots are listed in order, so their index is their rank among top-level nodes.
    for (rank, n) in old.iter_mut().filter(|n| n.parent.is_none()).enumerate() {
        n.index = rank;
    }

    // The draft, in reading order.
    let mut new: Vec<Node<'_>> = Vec::new();
    fn flatten<'d>(
        clauses: &'d [DraftClause],
        parent: Option<usize>,
        out: &mut Vec<Node<'d>>,
        words: &mut Words,
    ) {
        for (index, c) in clauses.iter().enumerate() {
            let i = out.len();
            if let Some(p) = parent {
                out[p].children.push(i);
            }
            out.push(Node::new(
                (&c.label, c.heading.as_deref(), &c.text),
                (c.kind, &c.notes),
                parent,
                index,
                words,
            ));
            flatten(&c.children, Some(i), out, words);
        }
    }
    flatten(&draft.clauses, None, &mut new, &mut words);

    let mut m = Matcher {
        o2n: vec![None; old.len()],
        n2o: vec![None; new.len()],
        old,
        new,
    };
    m.exact(true, false);
    m.exact(false, false);
    m.fuzzy(true);
    m.fuzzy(false);
    m.structure();
    m.exact(true, true);
    m.exact(false, true);
    m.same_place();

    // Ids in the new tree.
    let ids: Vec<ClauseId> = m
        .n2o
        .iter()
        .map(|o| match o {
            Some(o) => old_ids[*o],
            None => new_id(),
        })
        .collect();

    // A matched clause stays in place when it keeps its parent and is in the longest run of
    // its parent's surviving children that keeps its order.
    let mut moved = vec![false; m.new.len()];
    let parents: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..m.new.len()).map(Some))
        .collect();
    let roots: Vec<usize> = (0..m.new.len()).filter(|&n| m.new[n].top()).collect();
    for parent in parents {
        let children = match parent {
            None => &roots,
            Some(p) => &m.new[p].children,
        };
        let parent_id = parent.map(|p| ids[p]);
        let mut survivors: Vec<usize> = Vec::new();
        let mut old_index: Vec<usize> = Vec::new();
        for &c in children {
            let Some(o) = m.n2o[c] else { continue };
            if m.old[o].parent.map(|p| old_ids[p]) == parent_id {
                survivors.push(c);
                old_index.push(m.old[o].index);
            } else {
                moved[c] = true;
            }
        }
        for (c, keep) in survivors.iter().zip(longest_increasing(&old_index)) {
            moved[*c] = !keep;
        }
    }

    let mut ops = Vec::new();
    let mut entries = Vec::with_capacity(m.new.len());
    for n in 0..m.new.len() {
        let node = &m.new[n];
        let parent = node.parent.map(|p| ids[p]);
        let after = match node.index {
            0 => None,
            i => Some(match node.parent {
                Some(p) => ids[m.new[p].children[i - 1]],
                None => ids[roots[i - 1]],
            }),
        };
        let clause = ids[n];
        let heading = node.heading.map(str::to_string);
        let Some(o) = m.n2o[n] else {
            ops.push(ClauseOp::Add {
                clause,
                parent,
                after,
                label: node.label.to_string(),
                heading,
                text: node.text.to_string(),
                kind: node.kind,
                notes: node.notes.to_vec(),
            });
            entries.push(PlanEntry {
                clause,
                old_label: None,
                new_label: Some(node.label.to_string()),
                status: EntryStatus::Added,
                moved: false,
                relabelled: false,
                similarity: 0.0,
            });
            continue;
        };
        let was = &m.old[o];
        if moved[n] {
            ops.push(ClauseOp::Move {
                clause,
                parent,
                after,
            });
        }
        let same = was.heading == node.heading && was.text == node.text && was.notes == node.notes;
        if !same {
            ops.push(ClauseOp::Reword {
                clause,
                heading,
                text: node.text.to_string(),
                notes: node.notes.to_vec(),
            });
        }
        let relabelled = was.label != node.label;
        if relabelled {
            ops.push(ClauseOp::Relabel {
                clause,
                label: node.label.to_string(),
            });
        }
        entries.push(PlanEntry {
            clause,
            old_label: Some(was.label.to_string()),
            new_label: Some(node.label.to_string()),
            status: if same {
                EntryStatus::Unchanged
            } else {
                EntryStatus::Reworded
            },
            moved: moved[n],
            relabelled,
            similarity: if same {
                1.0
            } else {
                dice(shared(&was.bag, &node.bag), was.words, node.words)
            },
        });
    }

    // Removals, children before parents.
    fn post_order(old: &[Node<'_>], at: usize, out: &mut Vec<usize>) {
        for &c in &old[at].children {
            post_order(old, c, out);
        }
        out.push(at);
    }
    let mut order = Vec::with_capacity(m.old.len());
    for o in (0..m.old.len()).filter(|&o| m.old[o].top()) {
        post_order(&m.old, o, &mut order);
    }
    for o in order {
        if m.o2n[o].is_none() {
            ops.push(ClauseOp::Remove { clause: old_ids[o] });
        }
    }
    for (o, &clause) in old_ids.iter().enumerate() {
        if m.o2n[o].is_none() {
            entries.push(PlanEntry {
                clause,
                old_label: Some(m.old[o].label.to_string()),
                new_label: None,
                status: EntryStatus::Removed,
                moved: false,
                relabelled: false,
                similarity: 0.0,
            });
        }
    }
    Plan { ops, entries }
}
