//! Matching two clause trees: which clause of the draft is which clause of the text as it
//! stands.
//!
//! A clause's identity is decided by the evidence it has, strongest first:
//!
//! - its own words: the same heading and text (exact), or alike wording (fuzzy: Dice
//!   coefficient of at least 0.5 over word multisets, each word weighted by how rare it is in
//!   the two texts, so that clauses are not alike by "the" and "shall"; a provision with
//!   clauses under it is compared by all the words under it, so a renumbered § that kept 90% of
//!   its words is that §);
//! - its children: a clause whose matched children mostly went under one new clause is that
//!   clause (how containers — chapters, parts — are matched: by what they hold, not by their
//!   often empty text);
//! - its label and place, among the children of a matched parent: the same label (for
//!   containers, paragraphs and points, and provisions with neither text nor clauses under
//!   them; a provision with words is not taken for another by its number alone, since numbers
//!   shift), or, for a clause with neither text nor clauses under it, the same place between
//!   the same matched neighbours.
//!
//! A heading alone is not wording to match by, but where it is found once on each side.
//!
//! Children follow their parent: candidates under matched parents are preferred to candidates
//! elsewhere in the text, and wording found in several places (`Absatz 1 gilt entsprechend.`)
//! waits until the parents are known. Clauses of different groups (containers, provisions,
//! their parts) or of different recorded kinds are never one.
//!
//! Every step is near-linear: exact wording by hashing; alike wording by scoring every pair
//! under a parent when few are left there, else through an inverted index of each clause's
//! rarest words (a clause reworded by a few words keeps them), with a bounded number of
//! candidates scored per clause; children, labels and places by parent.

use std::collections::HashMap;

use super::words::{alike, content_key, merge, prefix, shared_weight, weight, Words};
use crate::event::{ClauseKind, Note};

/// Under one parent, up to this many pairs of clauses are all scored (a § and its
/// paragraphs); more are found through the index of words.
const LOCAL_PAIRS_MAX: usize = 64;

/// How many candidates one clause may draw from the index of words across the text.
const PROBE_BUDGET: usize = 256;

/// Of those, how many (sharing most of its probed words) are scored.
const SCORED_PER_CLAUSE: usize = 8;

/// Above this many candidate pairs, clauses with the same content are paired in reading order
/// rather than by nearest position, to keep the cost linear.
const NEAREST_PAIRS_MAX: usize = 1 << 16;

/// What a clause may be matched with: containers with containers, provisions (articles, §,
/// recitals) with provisions, the parts of provisions (paragraphs, points, indents) with parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Group {
    Container,
    Provision,
    Part,
}

impl Group {
    pub(super) fn of(kind: ClauseKind) -> Self {
        match kind {
            k if k.is_container() => Group::Container,
            ClauseKind::Article | ClauseKind::Recital => Group::Provision,
            _ => Group::Part,
        }
    }
}

/// One clause on either side of the match.
pub(super) struct Node<'a> {
    pub label: &'a str,
    pub heading: Option<&'a str>,
    pub text: &'a str,
    pub kind: Option<ClauseKind>,
    pub group: Group,
    pub notes: &'a [Note],
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Index among its parent's children (or among the top-level clauses).
    pub index: usize,
    /// Depth in its tree, from 0.
    pub depth: usize,
    /// A hash of its heading and text, whitespace-normalised (see [`same_wording`]).
    key: u64,
    /// Whether it has text (not only a heading).
    has_text: bool,
    /// Whether it has neither heading nor text.
    empty: bool,
    /// Its own words (heading and text): (word id, count), sorted by word id.
    pub bag: Vec<(u32, u32)>,
    /// Number of its own words.
    pub words: u32,
    /// The words it is compared by: its own, and for a provision or part with clauses under
    /// it, theirs too.
    mbag: Vec<(u32, u32)>,
    mwords: u32,
    /// Their weight: each word counts by how rare it is (see [`Words::weights`]).
    mweight: u64,
}

impl<'a> Node<'a> {
    pub(super) fn new(
        (label, heading, text): (&'a str, Option<&'a str>, &'a str),
        (kind, group, notes): (Option<ClauseKind>, Group, &'a [Note]),
        (parent, index, depth): (Option<usize>, usize, usize),
        words: &mut Words,
    ) -> Self {
        let (bag, count) = words.bag(heading, text);
        Node {
            label,
            heading,
            text,
            kind,
            group,
            notes,
            parent,
            children: Vec::new(),
            index,
            depth,
            key: content_key(heading, text),
            has_text: !text.trim().is_empty(),
            empty: heading.unwrap_or("").trim().is_empty() && text.trim().is_empty(),
            bag,
            words: count,
            mbag: Vec::new(),
            mwords: 0,
            mweight: 0,
        }
    }

    pub(super) fn top(&self) -> bool {
        self.parent.is_none()
    }

    /// No heading and no text: nothing but its label, its place and its children to go by.
    fn empty(&self) -> bool {
        self.empty
    }

    fn has_text(&self) -> bool {
        self.has_text
    }
}

/// Whether two clauses have the same heading and text, whitespace-normalised.
fn same_wording(a: &Node<'_>, b: &Node<'_>) -> bool {
    fn words(s: Option<&str>) -> std::str::SplitWhitespace<'_> {
        s.unwrap_or("").split_whitespace()
    }
    a.key == b.key
        && (a.heading == b.heading && a.text == b.text
            || words(a.heading).eq(words(b.heading)) && words(Some(a.text)).eq(words(Some(b.text))))
}

pub(super) struct Matcher<'a> {
    pub old: Vec<Node<'a>>,
    pub new: Vec<Node<'a>>,
    pub o2n: Vec<Option<usize>>,
    pub n2o: Vec<Option<usize>>,
    /// The weight of each word, by id.
    weights: Vec<u32>,
}

impl<'a> Matcher<'a> {
    pub(super) fn new(mut old: Vec<Node<'a>>, mut new: Vec<Node<'a>>, words: &Words) -> Self {
        let rank = words.by_rarity();
        let weights = words.weights(&rank);
        for side in [&mut old, &mut new] {
            for node in side.iter_mut() {
                for e in &mut node.bag {
                    e.0 = rank[e.0 as usize];
                }
                node.bag.sort_unstable();
            }
            // The words compared: a provision's or part's own and those under it (children
            // come after their parent in reading order, so walk backwards).
            for i in (0..side.len()).rev() {
                let node = &side[i];
                let mut mwords = node.words;
                let mut mbag = if node.group != Group::Container && !node.children.is_empty() {
                    mwords += node.children.iter().map(|&c| side[c].mwords).sum::<u32>();
                    merge(
                        std::iter::once(node.bag.as_slice())
                            .chain(node.children.iter().map(|&c| side[c].mbag.as_slice())),
                    )
                } else {
                    node.bag.clone()
                };
                // A heading alone is no wording to compare: only a clause with text, or with
                // clauses under it, is matched by its words.
                if !node.has_text() && node.children.is_empty() {
                    mbag.clear();
                    mwords = 0;
                }
                side[i].mweight = weight(&mbag, &weights);
                side[i].mbag = mbag;
                side[i].mwords = mwords;
            }
        }
        Matcher {
            o2n: vec![None; old.len()],
            n2o: vec![None; new.len()],
            old,
            new,
            weights,
        }
    }

    /// Match the two trees.
    pub(super) fn run(&mut self) {
        // Words that are found once on each side, and what they say of parents.
        self.exact(Exact::Unique);
        self.up();
        // Alike words, under matched parents first; wording that recurs (the same text in
        // several places) is left until more parents are known.
        self.fuzzy(true, false);
        self.fuzzy(false, false);
        self.up();
        // Recurring wording, by the parents now known; then alike words again.
        self.exact(Exact::Ties);
        self.up();
        self.fuzzy(true, true);
        self.fuzzy(false, true);
        // Labels and places under matched parents, and what they say of parents.
        loop {
            let before = self.matched();
            self.up();
            self.by_place();
            self.container_headings();
            if self.matched() == before {
                break;
            }
        }
    }

    fn matched(&self) -> usize {
        self.o2n.iter().filter(|m| m.is_some()).count()
    }

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

    /// Whether two clauses may be one: of one group, and of one kind where both record it (no
    /// operation changes a clause's kind, so a paragraph that became a point is a new clause).
    fn compatible(&self, o: usize, n: usize) -> bool {
        let (was, now) = (&self.old[o], &self.new[n]);
        was.group == now.group
            && match (was.kind, now.kind) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    fn same_parent(&self, o: usize, n: usize) -> bool {
        self.parent_image(o) == Some(self.new[n].parent)
    }

    fn distance(o: usize, n: usize) -> usize {
        o.abs_diff(n)
    }

    /// Pair clauses with the same heading and text. Containers and clauses without words are
    /// left to their children, labels and places. `Unique` pairs only clauses whose wording
    /// has one candidate on each side, and only clauses with text (a heading alone recurs:
    /// "Definitions", "Repealed"); `Ties` pairs the rest, under matched parents first.
    fn exact(&mut self, pass: Exact) {
        let mut groups: HashMap<(Group, u64), Sides> = HashMap::new();
        let eligible = |node: &Node<'_>| {
            node.group != Group::Container
                && match pass {
                    Exact::Unique => node.has_text(),
                    Exact::Ties => !node.empty(),
                }
        };
        for (o, node) in self.old.iter().enumerate() {
            if self.o2n[o].is_none() && eligible(node) {
                groups.entry((node.group, node.key)).or_default().0.push(o);
            }
        }
        for (n, node) in self.new.iter().enumerate() {
            if self.n2o[n].is_none() && eligible(node) {
                if let Some(g) = groups.get_mut(&(node.group, node.key)) {
                    g.1.push(n);
                }
            }
        }
        let mut groups: Vec<Sides> = groups
            .into_values()
            .filter(|(o, n)| !o.is_empty() && !n.is_empty())
            .flat_map(|g| self.same_wordings(g))
            .collect();
        groups.sort_unstable();
        for (olds, news) in groups {
            if olds.len() == 1 && news.len() == 1 {
                if self.compatible(olds[0], news[0]) {
                    self.pair(olds[0], news[0]);
                }
            } else if pass == Exact::Ties {
                // A heading that recurs says nothing of which is which beyond its parent.
                let anywhere = self.old[olds[0]].has_text();
                self.pair_ties(&olds, &news, anywhere);
            }
        }
    }

    /// A group of clauses with the same hash of their wording, as groups of the same wording
    /// (one group, but for a collision of hashes).
    fn same_wordings(&self, (mut olds, mut news): Sides) -> Vec<Sides> {
        let mut out = Vec::new();
        while let Some(&first) = olds.first() {
            let first = &self.old[first];
            let (o, rest_o): (Vec<usize>, Vec<usize>) = olds
                .iter()
                .partition(|&&o| same_wording(&self.old[o], first));
            let (n, rest_n): (Vec<usize>, Vec<usize>) = news
                .iter()
                .partition(|&&n| same_wording(&self.new[n], first));
            if !n.is_empty() {
                out.push((o, n));
            }
            (olds, news) = (rest_o, rest_n);
        }
        out
    }

    /// Pair clauses that are equally good candidates for each other: under the same matched
    /// parent with the same label first, then under the same matched parent, nearest first,
    /// then, if `anywhere`, nearest in reading order.
    fn pair_ties(&mut self, olds: &[usize], news: &[usize], anywhere: bool) {
        let mut by_place: HashMap<(Option<usize>, &str), usize> = HashMap::new();
        for &o in olds {
            if let Some(p) = self.parent_image(o) {
                by_place.insert((p, self.old[o].label), o);
            }
        }
        for &n in news {
            if let Some(&o) = by_place.get(&(self.new[n].parent, self.new[n].label)) {
                if self.free(o, n) && self.compatible(o, n) {
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
        groups.sort_unstable();
        for (o, n) in groups {
            self.nearest(&o, &n);
        }
        if anywhere {
            self.nearest(olds, news);
        }
    }

    /// Pair the still unmatched clauses of two lists (each in reading order) by nearest
    /// position.
    /// The clauses of two lists not matched yet, in their order.
    fn still_free(&self, olds: &[usize], news: &[usize]) -> Sides {
        (
            olds.iter()
                .copied()
                .filter(|&o| self.o2n[o].is_none())
                .collect(),
            news.iter()
                .copied()
                .filter(|&n| self.n2o[n].is_none())
                .collect(),
        )
    }

    fn nearest(&mut self, olds: &[usize], news: &[usize]) {
        let (olds, news) = self.still_free(olds, news);
        if olds.len().saturating_mul(news.len()) > NEAREST_PAIRS_MAX {
            for (&o, &n) in olds.iter().zip(&news) {
                if self.compatible(o, n) {
                    self.pair(o, n);
                }
            }
            return;
        }
        let mut pairs: Vec<(usize, usize, usize)> = olds
            .iter()
            .flat_map(|&o| news.iter().map(move |&n| (Self::distance(o, n), n, o)))
            .collect();
        pairs.sort_unstable();
        for (_, n, o) in pairs {
            if self.free(o, n) && self.compatible(o, n) {
                self.pair(o, n);
            }
        }
    }

    /// Pair clauses whose words are alike enough: Dice coefficient over word multisets, the
    /// most alike first. With `within_parents`, only clauses under parents matched to each
    /// other. Without `ties`, clauses whose exact wording is found more than once among the
    /// clauses left (on either side) are left out.
    ///
    /// Under one parent with few clauses left, every pair is scored. Else candidates come
    /// from an inverted index: a pair is scored if it shares one of the rarest words of each
    /// (prefix filtering: two clauses alike enough share one of their rarest words), probing
    /// the rarest words first and stopping after [`PROBE_BUDGET`] candidates, so that a clause
    /// made of common words costs no more than any other; the [`SCORED_PER_CLAUSE`] candidates
    /// sharing most of those words are scored. A clause reworded by a few words keeps its
    /// rarest words and is found; one rewritten beyond that is left to its place.
    fn fuzzy(&mut self, within_parents: bool, ties: bool) {
        let (old_recurs, new_recurs) = if ties {
            (vec![false; self.old.len()], vec![false; self.new.len()])
        } else {
            self.recurring()
        };
        let olds: Vec<usize> = (0..self.old.len())
            .filter(|&o| {
                let node = &self.old[o];
                self.o2n[o].is_none()
                    && !old_recurs[o]
                    && node.mwords > 0
                    && node.group != Group::Container
                    && (!within_parents || self.parent_image(o).is_some())
            })
            .collect();
        let news: Vec<usize> = (0..self.new.len())
            .filter(|&n| {
                let node = &self.new[n];
                self.n2o[n].is_none()
                    && !new_recurs[n]
                    && node.mwords > 0
                    && node.group != Group::Container
            })
            .collect();
        let mut candidates = Vec::new();
        if within_parents {
            let mut by_parent: HashMap<Option<usize>, Sides> = HashMap::new();
            for &o in &olds {
                if let Some(p) = self.parent_image(o) {
                    by_parent.entry(p).or_default().0.push(o);
                }
            }
            for &n in &news {
                if let Some(g) = by_parent.get_mut(&self.new[n].parent) {
                    g.1.push(n);
                }
            }
            let (mut big_olds, mut big_news) = (Vec::new(), Vec::new());
            for (olds, news) in by_parent.into_values() {
                if olds.len() * news.len() > LOCAL_PAIRS_MAX {
                    big_olds.extend(olds);
                    big_news.extend(news);
                    continue;
                }
                for &n in &news {
                    for &o in &olds {
                        self.score(o, n, &mut candidates);
                    }
                }
            }
            big_olds.sort_unstable();
            big_news.sort_unstable();
            self.indexed(&big_olds, &big_news, true, &mut candidates);
        } else {
            self.indexed(&olds, &news, false, &mut candidates);
        }
        candidates.sort_unstable_by(|a, b| {
            // Higher similarity first: a.s / a.total > b.s / b.total.
            (u128::from(b.0) * u128::from(a.1))
                .cmp(&(u128::from(a.0) * u128::from(b.1)))
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

    /// Candidates among clauses anywhere in the text (under parents matched to each other if
    /// `within_parents`), by the inverted index of their rarest words.
    fn indexed(
        &self,
        olds: &[usize],
        news: &[usize],
        within_parents: bool,
        out: &mut Vec<Candidate>,
    ) {
        if olds.is_empty() || news.is_empty() {
            return;
        }
        let mut postings: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &o) in olds.iter().enumerate() {
            let node = &self.old[o];
            for w in prefix(&node.mbag, node.mwords) {
                postings.entry(w).or_default().push(i as u32);
            }
        }
        // How many of the new clause's probed words each old clause has.
        let mut hits = vec![0u32; olds.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &n in news {
            let node = &self.new[n];
            let mut probed = 0;
            for w in prefix(&node.mbag, node.mwords) {
                let list = postings.get(&w).map(Vec::as_slice).unwrap_or(&[]);
                probed += list.len();
                if probed > PROBE_BUDGET {
                    break;
                }
                for &i in list {
                    if within_parents && !self.same_parent(olds[i as usize], n) {
                        continue;
                    }
                    if hits[i as usize] == 0 {
                        touched.push(i);
                    }
                    hits[i as usize] += 1;
                }
            }
            // Score those that share most of the probed words.
            touched.sort_unstable_by_key(|&i| (std::cmp::Reverse(hits[i as usize]), i));
            for (k, i) in touched.drain(..).enumerate() {
                hits[i as usize] = 0;
                let o = olds[i as usize];
                if k < SCORED_PER_CLAUSE {
                    self.score(o, n, out);
                }
            }
        }
    }

    /// Score a pair, and keep it as a candidate if it is alike enough.
    fn score(&self, o: usize, n: usize, out: &mut Vec<Candidate>) {
        if !self.compatible(o, n) {
            return;
        }
        let (was, now) = (&self.old[o], &self.new[n]);
        let total = was.mweight + now.mweight;
        // The most two bags can share is the smaller.
        if !alike(was.mweight.min(now.mweight), total) {
            return;
        }
        let s = shared_weight(&was.mbag, &now.mbag, &self.weights);
        if alike(s, total) {
            out.push((
                s,
                total,
                self.same_parent(o, n),
                was.label == now.label,
                Self::distance(o, n),
                n,
                o,
            ));
        }
    }

    /// Which unmatched clauses have a wording (heading and text) found more than once among the
    /// unmatched clauses of either side.
    fn recurring(&self) -> (Vec<bool>, Vec<bool>) {
        let mut counts: HashMap<u64, (u32, u32)> = HashMap::new();
        for (o, node) in self.old.iter().enumerate() {
            if self.o2n[o].is_none() && node.has_text() {
                counts.entry(node.key).or_default().0 += 1;
            }
        }
        for (n, node) in self.new.iter().enumerate() {
            if self.n2o[n].is_none() && node.has_text() {
                counts.entry(node.key).or_default().1 += 1;
            }
        }
        let recurs = |node: &Node<'_>| {
            node.has_text() && counts.get(&node.key).is_some_and(|c| c.0 > 1 || c.1 > 1)
        };
        (
            self.old.iter().map(recurs).collect(),
            self.new.iter().map(recurs).collect(),
        )
    }

    /// Pair an unmatched old clause with the unmatched new clause that holds most of its
    /// matched children, if more than half of them went there and they make at least half of
    /// that clause's matched children (of two § merged into one, the one that gave more, or as
    /// much and has its label, is the merged one). Deepest first, so that a chapter is matched
    /// by its sections once they are matched by their paragraphs.
    fn up(&mut self) {
        let mut olds: Vec<usize> = (0..self.old.len())
            .filter(|&o| self.o2n[o].is_none() && !self.old[o].children.is_empty())
            .collect();
        olds.sort_by_key(|&o| std::cmp::Reverse(self.old[o].depth));
        let mut at = 0;
        while at < olds.len() {
            let depth = self.old[olds[at]].depth;
            let end = at
                + olds[at..]
                    .iter()
                    .take_while(|&&o| self.old[o].depth == depth)
                    .count();
            // (children that went along, same label, distance, old, new)
            let mut candidates: Vec<(usize, bool, usize, usize, usize)> = Vec::new();
            for &o in &olds[at..end] {
                let mut matched = 0;
                let mut went: HashMap<usize, usize> = HashMap::new();
                for &c in &self.old[o].children {
                    if let Some(nc) = self.o2n[c] {
                        matched += 1;
                        if let Some(p) = self.new[nc].parent.filter(|&p| self.n2o[p].is_none()) {
                            *went.entry(p).or_default() += 1;
                        }
                    }
                }
                let best = went
                    .into_iter()
                    .max_by_key(|&(n, count)| (count, usize::MAX - n));
                let Some((n, count)) = best else { continue };
                if !self.compatible(o, n) || count * 2 <= matched {
                    continue;
                }
                let theirs = self.new[n]
                    .children
                    .iter()
                    .filter(|&&c| self.n2o[c].is_some())
                    .count();
                if count * 2 >= theirs {
                    candidates.push((
                        count,
                        self.old[o].label == self.new[n].label,
                        Self::distance(o, n),
                        o,
                        n,
                    ));
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
            at = end;
        }
    }

    /// Under parents matched to each other (and at the top level), pair the children left on
    /// both sides by their place: the same label — for containers, parts of provisions and
    /// provisions with neither text nor clauses under them, since every step that looks at
    /// words or children has passed them by — and, for clauses with neither text nor clauses
    /// under them, the same place between the same matched neighbours.
    fn by_place(&mut self) {
        let mut parents: Vec<(Option<usize>, Option<usize>)> = vec![(None, None)];
        parents.extend((0..self.old.len()).filter_map(|o| self.o2n[o].map(|n| (Some(o), Some(n)))));
        let roots = |side: &[Node<'_>]| -> Vec<usize> {
            (0..side.len()).filter(|&i| side[i].top()).collect()
        };
        let (old_roots, new_roots) = (roots(&self.old), roots(&self.new));
        for (po, pn) in parents {
            let olds = match po {
                Some(p) => self.old[p].children.clone(),
                None => old_roots.clone(),
            };
            let news = match pn {
                Some(p) => self.new[p].children.clone(),
                None => new_roots.clone(),
            };
            if olds.iter().all(|&o| self.o2n[o].is_some())
                || news.iter().all(|&n| self.n2o[n].is_some())
            {
                continue;
            }
            // By label.
            let by_label: HashMap<&str, usize> = news
                .iter()
                .filter(|&&n| self.n2o[n].is_none())
                .map(|&n| (self.new[n].label, n))
                .collect();
            for &o in &olds {
                let Some(&n) = by_label.get(self.old[o].label) else {
                    continue;
                };
                let (was, now) = (&self.old[o], &self.new[n]);
                // A provision is known by its words and what it holds: by its number alone
                // only if it has neither (numbers shift; a § removed and another inserted may
                // meet at one number).
                let bare = |x: &Node<'_>| !x.has_text() && x.children.is_empty();
                let by_label_alone = was.group == Group::Container
                    || was.group == Group::Part
                    || (bare(was) && bare(now));
                if self.free(o, n) && self.compatible(o, n) && by_label_alone {
                    self.pair(o, n);
                }
            }
            // Clauses with neither text nor clauses under them, by their place: between the
            // same matched neighbours, as many on each side, in order.
            let position: HashMap<usize, usize> =
                news.iter().enumerate().map(|(i, &n)| (n, i)).collect();
            let mut from = (0, 0); // the gap's start in `olds` and in `news`
            for (i, &o) in olds.iter().enumerate().chain([(olds.len(), &usize::MAX)]) {
                let end = if o == usize::MAX {
                    Some(news.len())
                } else {
                    self.o2n[o].and_then(|n| position.get(&n).copied())
                };
                let Some(end) = end else { continue };
                if end >= from.1 {
                    self.gap(&olds[from.0..i], &news[from.1..end]);
                }
                from = (i + 1, end + 1);
            }
        }
    }

    /// Pair in order the clauses left in a gap between matched neighbours, if each side has as
    /// many and each pair has neither text nor clauses under it, or the same label.
    fn gap(&mut self, olds: &[usize], news: &[usize]) {
        let (olds, news) = self.still_free(olds, news);
        if olds.len() != news.len() {
            return;
        }
        for (o, n) in olds.into_iter().zip(news) {
            let (was, now) = (&self.old[o], &self.new[n]);
            let bare = |x: &Node<'_>| !x.has_text() && x.children.is_empty();
            // Or the same number in the same place: the provision, rewritten (§ 30 repealed
            // in place, "(weggefallen)"; an article whose wording was replaced).
            if self.compatible(o, n) && (bare(was) && bare(now) || was.label == now.label) {
                self.pair(o, n);
            }
        }
    }

    /// Pair containers left on both sides whose heading is the same and found once on each
    /// side (a chapter that kept its title but lost or renewed all it held).
    fn container_headings(&mut self) {
        let mut groups: HashMap<u64, Sides> = HashMap::new();
        for (o, node) in self.old.iter().enumerate() {
            if self.o2n[o].is_none() && node.group == Group::Container && !node.empty() {
                groups.entry(node.key).or_default().0.push(o);
            }
        }
        for (n, node) in self.new.iter().enumerate() {
            if self.n2o[n].is_none() && node.group == Group::Container && !node.empty() {
                if let Some(g) = groups.get_mut(&node.key) {
                    g.1.push(n);
                }
            }
        }
        let mut pairs: Vec<(usize, usize)> = groups
            .into_values()
            .filter(|(o, n)| {
                o.len() == 1
                    && n.len() == 1
                    && self.compatible(o[0], n[0])
                    && same_wording(&self.old[o[0]], &self.new[n[0]])
            })
            .map(|(o, n)| (o[0], n[0]))
            .collect();
        pairs.sort_unstable();
        for (o, n) in pairs {
            self.pair(o, n);
        }
    }
}

/// Clauses of the old and of the new tree.
type Sides = (Vec<usize>, Vec<usize>);

/// A pair alike enough: (shared weight, total weight, same parent, same label, distance, new,
/// old).
type Candidate = (u64, u64, bool, bool, usize, usize, usize);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exact {
    Unique,
    Ties,
}
