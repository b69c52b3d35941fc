//! Matching a draft against the text as it stands, and planning the revision that turns one
//! into the other.

use std::collections::HashMap;

use serde::Serialize;

use super::matcher::{Group, Matcher, Node};
use super::words::{dice, shared, Words};
use super::{Draft, DraftClause};
use crate::document::DocumentState;
use crate::event::{ClauseKind, ClauseOp};
use crate::ids::ClauseId;

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
/// Clauses are matched by their words first, then by what they hold, then by their label and
/// place under a matched parent (see `import/matcher.rs`); after a renumbering a clause's old
/// label belongs to another clause, so a label alone decides only where nothing else does.
/// Containers are matched only with containers, provisions (articles, §, recitals) with
/// provisions, their paragraphs and points with paragraphs and points. The operations, applied
/// in order, give exactly the draft's tree: clauses added, moved, reworded and relabelled in the
/// draft's reading order (a relabelling may take a label another clause gives up later in the
/// same revision: labels are checked once all operations are applied), then clauses removed,
/// those under others first.
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
        let depth = parent.map_or(0, |p| old[p].depth + 1);
        old.push(Node::new(
            (&c.label, c.heading.as_deref(), &c.text),
            (c.kind, Group::of(c.kind(state)), &c.notes),
            (parent, index, depth),
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
            let depth = parent.map_or(0, |p| out[p].depth + 1);
            // A clause of unknown kind is taken for what a draft of its depth held before
            // kinds were recorded.
            let kind = c.kind.unwrap_or(match depth {
                0 => ClauseKind::Article,
                1 => ClauseKind::Paragraph,
                _ => ClauseKind::Point,
            });
            out.push(Node::new(
                (&c.label, c.heading.as_deref(), &c.text),
                (c.kind, Group::of(kind), &c.notes),
                (parent, index, depth),
                words,
            ));
            flatten(&c.children, Some(i), out, words);
        }
    }
    flatten(&draft.clauses, None, &mut new, &mut words);

    let mut m = Matcher::new(old, new, &words);
    m.run();

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
        // A clause recorded before kinds were (an older store) takes the draft's.
        let kind = node.kind.filter(|_| was.kind.is_none());
        if !same || kind.is_some() {
            ops.push(ClauseOp::Reword {
                clause,
                heading,
                text: node.text.to_string(),
                notes: node.notes.to_vec(),
                kind,
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
