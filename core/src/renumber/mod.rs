//! Renumbering: every label put in sequence at its level, in the scheme its siblings use, and
//! the cross-references in the text that cite an old number.
//!
//! Each sibling list is read for its schemes: a label is taken apart into a prefix, a number
//! and a suffix (`Article ` 5; `(` b `)`; `§ ` 312 `a`; `PP` 3; `7.2` under `Article 7`), and the
//! labels of one list that share prefix, numeral system and suffix form a *family*, numbered 1,
//! 2, 3 in reading order. Letters and roman numerals are told apart by their siblings (`(h)`,
//! `(i)` are letters; `(i)`, `(ii)` roman). A family found under several parents counts through
//! the whole text when no number recurs between its lists (articles numbered across chapters,
//! § across a code), else afresh under each parent (`(a)` under every paragraph). A dotted
//! label takes its parent's number (`Article 7` → `7.1`, `7.2` → `7.2.1`), or where the parent
//! has none (`Chapter II`, `Preamble`) the head most of its siblings share. Letters are never
//! counted through the text. A label of no known scheme (`Preamble`, `Part Three`) is left as it is and
//! listed.
//!
//! Inserted provisions (`§ 312a`, `9a.`, `Article 5 bis`) are numbered into the sequence like
//! the others: renumbering makes a consolidated draft, where the inserted letters of amending
//! practice have no place.

mod references;
mod scheme;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::document::DocumentState;
use crate::error::DomainError;
use crate::event::{Change, ClauseOp};
use crate::ids::{AmendmentNo, ClauseId};

use crate::address::Addresses;
pub use references::Reference;
use scheme::{Body, Parsed, System};

/// One clause renumbered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Relabel {
    /// The clause.
    pub clause: ClauseId,
    /// Its label before.
    pub old: String,
    /// Its label after.
    pub new: String,
    /// How it was named before (`6.4`, `5.1 (c)`).
    pub old_address: String,
    /// How it is named after (`7.4`, `5.1 (b)`).
    pub new_address: String,
}

/// A clause whose label follows no numbering scheme, left as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unrecognised {
    /// The clause.
    pub clause: ClauseId,
    /// Its label.
    pub label: String,
    /// How it is named.
    pub address: String,
}

/// A pending amendment that would insert a clause under a label renumbering gives another
/// clause: accepting it as it stands will be refused (labels differ among siblings).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Clash {
    /// The amendment.
    pub amendment: AmendmentNo,
    /// The label it would give its clause.
    pub label: String,
    /// Where it would insert it: its parent's name after renumbering, or `the top level`.
    pub under: String,
}

/// What renumbering a text does: the labels it changes, the labels it leaves, the
/// cross-references it finds, and the operations that record it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Renumbering {
    /// The labels that change, in reading order.
    pub relabels: Vec<Relabel>,
    /// The labels of no known scheme, left as they are.
    pub unrecognised: Vec<Unrecognised>,
    /// Cross-references in the text that name an old number.
    pub references: Vec<Reference>,
    /// Pending amendments inserting a clause under a label renumbering takes.
    pub clashes: Vec<Clash>,
    /// The operations: a relabel for each label that changes, then (when references are
    /// rewritten) a reword of each clause that cites one.
    pub ops: Vec<ClauseOp>,
}

impl Renumbering {
    /// Whether there is nothing to record: the labels are in sequence and no reference is to
    /// be rewritten.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// How many references are rewritten.
    pub fn rewritten(&self) -> usize {
        self.references.iter().filter(|r| r.rewritten).count()
    }
}

/// A family of labels: the same prefix, numeral system and suffix.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Family {
    prefix: String,
    system: System,
    suffix: String,
}

/// A clause's label read in its family.
#[derive(Clone, Debug)]
struct Member {
    family: Family,
    /// Its number (the last part of a dotted one).
    value: u64,
    /// A dotted label's head (`7` in `7.2`), joined by dots.
    head: Option<String>,
}

/// Plan the renumbering of the whole text, or of the clauses under `under` (the clause itself
/// keeps its label). With `references`, the clauses that cite an old number are reworded to
/// cite the new one, in the same operations.
pub fn renumber(
    state: &DocumentState,
    under: Option<ClauseId>,
    references: bool,
) -> Result<Renumbering, DomainError> {
    let scope: Option<BTreeSet<ClauseId>> = match under {
        Some(c) => {
            state.live(c)?;
            Some(state.subtree(c).into_iter().skip(1).collect())
        }
        None => None,
    };
    let in_scope = |id: ClauseId| scope.as_ref().is_none_or(|s| s.contains(&id));
    let members = read_families(state);
    let outline = state.outline();
    let names = Addresses::of(state);

    // A family counts through the text when it appears under several parents and no number
    // recurs between them; dotted labels count under their parent, and letters (points) too:
    // `(c)` under one paragraph and `(a)` under the next are two lists, not one.
    let mut lists: BTreeMap<&Family, BTreeMap<Option<ClauseId>, Vec<u64>>> = BTreeMap::new();
    for (_, c) in &outline {
        if let Some(m) = members.get(&c.id) {
            lists
                .entry(&m.family)
                .or_default()
                .entry(c.parent)
                .or_default()
                .push(m.value);
        }
    }
    let continuous: BTreeSet<&Family> = lists
        .iter()
        .filter(|(f, by_parent)| {
            !matches!(f.system, System::Dotted | System::Letter { .. }) && runs_through(by_parent)
        })
        .map(|(f, _)| *f)
        .collect();
    // A family numbered once for the whole text (through it, or in one list) starts at 1,
    // unless it names provisions (a word or `§` before an arabic or roman number) and the text
    // is an excerpt: its smallest number is more than it has members (Articles 6 to 8; § 312 to
    // § 312k). Lists of points, and lists under each parent, start at 1 (a, i).
    let starts: HashMap<&Family, u64> = lists
        .iter()
        .filter(|(f, by_parent)| {
            f.system != System::Dotted && (continuous.contains(*f) || by_parent.len() == 1)
        })
        .map(|(f, by_parent)| {
            let values = by_parent.values().flatten();
            let count = values.clone().count() as u64;
            let min = values.min().copied().unwrap_or(1);
            let provisions = matches!(f.system, System::Arabic | System::Roman { .. })
                && !f.prefix.trim().is_empty()
                && !f.prefix.contains('(');
            (*f, if provisions && min > count { min } else { 1 })
        })
        .collect();

    // Dotted labels under a parent without a number keep their own heads where the text
    // numbers by sections (`1.1`, `1.2`, `2.1`, `3.1`: more than one head, rising in reading
    // order); else they take the head most of them share (a `6.4` moved among `7.1`–`7.3`).
    let mut heads_in_order: HashMap<(Option<ClauseId>, &Family), Vec<String>> = HashMap::new();
    for (_, c) in &outline {
        if let Some(m) = members
            .get(&c.id)
            .filter(|m| m.family.system == System::Dotted)
        {
            if let Some(h) = &m.head {
                heads_in_order
                    .entry((c.parent, &m.family))
                    .or_default()
                    .push(h.clone());
            }
        }
    }
    let sectioned: HashSet<(Option<ClauseId>, &Family)> = heads_in_order
        .into_iter()
        .filter(|(_, heads)| {
            let key = |h: &String| -> Vec<u64> {
                h.split('.')
                    .map(|p| p.parse().unwrap_or(u64::MAX))
                    .collect()
            };
            heads.windows(2).all(|w| key(&w[0]) <= key(&w[1])) && heads.first() != heads.last()
        })
        .map(|(k, _)| k)
        .collect();
    let mut by_head: HashMap<(Option<ClauseId>, &Family, String), u64> = HashMap::new();

    // Number in reading order: a parent is numbered before its children.
    let mut through: HashMap<&Family, u64> = HashMap::new();
    let mut afresh: HashMap<(&Family, Option<ClauseId>), u64> = HashMap::new();
    let mut label_now: HashMap<ClauseId, String> = HashMap::new();
    let mut heads: HashMap<(Option<ClauseId>, &Family), Option<String>> = HashMap::new();
    let mut out = Renumbering::default();
    for (_, c) in &outline {
        let Some(m) = members.get(&c.id) else {
            if in_scope(c.id) {
                out.unrecognised.push(Unrecognised {
                    clause: c.id,
                    label: c.label.clone(),
                    address: names.of_clause(c.id),
                });
            }
            label_now.insert(c.id, c.label.clone());
            continue;
        };
        let f = &m.family;
        let n = if let Some(start) = starts.get(f) {
            through.entry(f).or_insert(start - 1)
        } else {
            afresh.entry((f, c.parent)).or_default()
        };
        *n += 1;
        let number = match f.system {
            System::Dotted
                if c.parent
                    .and_then(|p| label_now.get(&p))
                    .and_then(|l| number_of(l))
                    .is_none()
                    && sectioned.contains(&(c.parent, f)) =>
            {
                let head = m.head.clone().unwrap_or_else(|| "1".into());
                let k = by_head.entry((c.parent, f, head.clone())).or_default();
                *k += 1;
                format!("{head}.{k}")
            }
            System::Dotted => {
                let parent_number = c
                    .parent
                    .and_then(|p| label_now.get(&p))
                    .and_then(|l| number_of(l));
                let head = parent_number
                    .or_else(|| {
                        heads
                            .entry((c.parent, f))
                            .or_insert_with(|| common_head(state, &members, c.parent, f))
                            .clone()
                    })
                    .or_else(|| m.head.clone())
                    .unwrap_or_else(|| "1".into());
                format!("{head}.{n}")
            }
            system => scheme::numeral(*n, system),
        };
        let label = format!("{}{number}{}", f.prefix, f.suffix);
        if in_scope(c.id) && label != c.label {
            out.relabels.push(Relabel {
                clause: c.id,
                old: c.label.clone(),
                new: label.clone(),
                old_address: names.of_clause(c.id),
                new_address: String::new(),
            });
            label_now.insert(c.id, label);
        } else {
            label_now.insert(c.id, c.label.clone());
        }
    }

    out.ops = out
        .relabels
        .iter()
        .map(|r| ClauseOp::Relabel {
            clause: r.clause,
            label: r.new.clone(),
        })
        .collect();
    let mut after = state.clone();
    for op in &out.ops {
        after.apply(op, state.seq + 1)?;
    }
    // Two labels of one scheme under one parent never come out alike, and labels of no scheme
    // never look like those of one; should that fail, the plan says so rather than the write.
    after
        .check_labels()
        .map_err(|e| DomainError::Invalid(format!("the text cannot be renumbered: {e}")))?;
    let new_names = Addresses::of(&after);
    for r in &mut out.relabels {
        r.new_address = new_names.of_clause(r.clause);
    }
    out.clashes = clashes(state, &after, &new_names);
    let (found, rewords) = references::find(
        state,
        &names,
        &new_names,
        &members_citable(&members, &lists, &continuous),
        &out.relabels,
        references,
    );
    out.references = found;
    out.ops.extend(rewords);
    Ok(out)
}

/// The pending insertions whose label a clause takes by renumbering (and did not have before).
fn clashes(before: &DocumentState, after: &DocumentState, names: &Addresses) -> Vec<Clash> {
    let taken = |d: &DocumentState, parent: Option<ClauseId>, label: &str| {
        let siblings = match parent {
            Some(p) => d.clause(p).map_or(&[][..], |c| c.children.as_slice()),
            None => d.roots(),
        };
        siblings
            .iter()
            .any(|id| d.clause(*id).is_some_and(|c| c.label == label))
    };
    before
        .amendments
        .values()
        .filter(|a| a.status.is_open())
        .filter_map(|a| match &a.change {
            Change::Insert { parent, label, .. }
                if taken(after, *parent, label) && !taken(before, *parent, label) =>
            {
                Some(Clash {
                    amendment: a.no,
                    label: label.clone(),
                    under: parent.map_or_else(|| "the top level".into(), |p| names.of_clause(p)),
                })
            }
            _ => None,
        })
        .collect()
}

/// Whether a family found under several parents counts through the text: no number recurs
/// between its lists (`Article 1`–`5` under Chapter I, `6`–`9` under Chapter II).
fn runs_through(by_parent: &BTreeMap<Option<ClauseId>, Vec<u64>>) -> bool {
    if by_parent.len() < 2 {
        return false;
    }
    let mut seen: BTreeMap<u64, Option<ClauseId>> = BTreeMap::new();
    for (parent, values) in by_parent {
        for v in values {
            if let Some(p) = seen.insert(*v, *parent) {
                if p != *parent {
                    return false;
                }
            }
        }
    }
    true
}

/// Every clause's label read in its family, the systems of letters told apart among siblings.
fn read_families(state: &DocumentState) -> HashMap<ClauseId, Member> {
    let mut out = HashMap::new();
    let lists = std::iter::once(state.roots()).chain(
        state
            .outline()
            .into_iter()
            .map(|(_, c)| c.children.as_slice())
            .collect::<Vec<_>>(),
    );
    for siblings in lists {
        let parsed: Vec<(ClauseId, Parsed)> = siblings
            .iter()
            .filter_map(|id| {
                let c = state.clause(*id)?;
                Some((*id, scheme::parse(&c.label)?))
            })
            .collect();
        // Letters or roman numerals: decided for each prefix, case and suffix of the list.
        let mut alpha: BTreeMap<(&str, bool, &str), Vec<&str>> = BTreeMap::new();
        for (_, p) in &parsed {
            if let Body::Alpha(s) = &p.body {
                let upper = s.chars().all(|c| c.is_ascii_uppercase());
                alpha
                    .entry((p.prefix.as_str(), upper, p.suffix.as_str()))
                    .or_default()
                    .push(s);
            }
        }
        let roman: BTreeSet<(&str, bool, &str)> = alpha
            .iter()
            .filter(|(_, bodies)| scheme::reads_as_roman(bodies))
            .map(|(k, _)| *k)
            .collect();
        for (id, p) in &parsed {
            let (system, value, head) = match &p.body {
                Body::Arabic(n) => (System::Arabic, *n, None),
                Body::Dotted(parts) => {
                    let head: Vec<String> = parts[..parts.len() - 1]
                        .iter()
                        .map(u64::to_string)
                        .collect();
                    (System::Dotted, parts[parts.len() - 1], Some(head.join(".")))
                }
                Body::Alpha(s) => {
                    let upper = s.chars().all(|c| c.is_ascii_uppercase());
                    if roman.contains(&(p.prefix.as_str(), upper, p.suffix.as_str())) {
                        match scheme::roman_value(s) {
                            Some(v) => (System::Roman { upper }, v, None),
                            None => continue,
                        }
                    } else {
                        match scheme::letter_value(s) {
                            Some(v) => (System::Letter { upper }, v, None),
                            None => continue,
                        }
                    }
                }
            };
            out.insert(
                *id,
                Member {
                    family: Family {
                        prefix: p.prefix.clone(),
                        system,
                        suffix: p.suffix.clone(),
                    },
                    value,
                    head,
                },
            );
        }
    }
    out
}

/// The number a clause's children build on: `7` for `Article 7` or `7.`, `7.2` for `7.2`;
/// `None` for letters, roman numerals and labels of no scheme.
fn number_of(label: &str) -> Option<String> {
    let p = scheme::parse(label)?;
    match p.body {
        Body::Arabic(n) if p.insertion.is_empty() => Some(n.to_string()),
        Body::Dotted(parts) if p.insertion.is_empty() => Some(
            parts
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("."),
        ),
        _ => None,
    }
}

/// The head most dotted labels of a family share under a parent (the first such, on a tie).
fn common_head(
    state: &DocumentState,
    members: &HashMap<ClauseId, Member>,
    parent: Option<ClauseId>,
    family: &Family,
) -> Option<String> {
    let siblings = match parent {
        Some(p) => state.clause(p)?.children.as_slice(),
        None => state.roots(),
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut best: Option<(&str, usize)> = None;
    for h in siblings
        .iter()
        .filter_map(|id| members.get(id))
        .filter(|m| &m.family == family)
        .filter_map(|m| m.head.as_deref())
    {
        let count = counts.entry(h).or_default();
        *count += 1;
        if best.is_none_or(|(_, c)| *count > c) {
            best = Some((h, *count));
        }
    }
    best.map(|(h, _)| h.to_string())
}

/// The families whose numbers name one clause in the whole text, so that a reference can cite
/// them: dotted labels, and families counted through the text or found in one list only, with
/// a word or `§` before the number and nothing after it (`Article 8`, `§ 312i`, `Rule 12`).
fn members_citable<'a>(
    members: &'a HashMap<ClauseId, Member>,
    lists: &BTreeMap<&Family, BTreeMap<Option<ClauseId>, Vec<u64>>>,
    continuous: &BTreeSet<&Family>,
) -> references::Citable<'a> {
    let citable: BTreeSet<&Family> = lists
        .iter()
        .filter(|(f, by_parent)| {
            f.system == System::Dotted
                || ((continuous.contains(*f) || by_parent.len() == 1)
                    && f.suffix.is_empty()
                    && (f.prefix.trim() == "§"
                        || f.prefix.ends_with(' ')
                            && f.prefix.trim().chars().any(|c| c.is_alphabetic())))
        })
        .map(|(f, _)| *f)
        .collect();
    references::Citable {
        dotted: members
            .iter()
            .filter(|(_, m)| m.family.system == System::Dotted && citable.contains(&m.family))
            .map(|(id, _)| *id)
            .collect(),
        prefixed: members
            .iter()
            .filter(|(_, m)| m.family.system != System::Dotted && citable.contains(&m.family))
            .map(|(id, m)| (*id, m.family.prefix.trim()))
            .collect(),
    }
}
