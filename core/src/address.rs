//! How clauses are named: by their label, or by as much of their path as tells them apart
//! (`5.1 (b)`, `§ 312 (1)`). [`DocumentState::address_of`] names one clause,
//! [`DocumentState::resolve_clause`] reads a name back, and [`Addresses`] names every clause of
//! a text in one pass.

use std::borrow::Cow;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::document::{Clause, DocumentState};
use crate::error::DomainError;
use crate::ids::ClauseId;

/// Every clause's path, and how many clauses share each label and each tail of a path.
pub struct Addresses {
    paths: HashMap<ClauseId, Vec<String>>,
    labels: HashMap<String, usize>,
    /// (tail length, label, the tail's labels run together) → clauses.
    tails: HashMap<(usize, String, String), usize>,
}

fn tail_key(path: &[String], k: usize) -> String {
    compact(&path[path.len() - k..].concat())
}

impl Addresses {
    /// The names in a text.
    pub fn of(state: &DocumentState) -> Addresses {
        let mut paths: HashMap<ClauseId, Vec<String>> = HashMap::new();
        let mut labels: HashMap<String, usize> = HashMap::new();
        // A parent comes before its children in reading order: a path is its parent's and
        // its own label.
        for (_, c) in state.outline() {
            let mut path = c
                .parent
                .and_then(|p| paths.get(&p).cloned())
                .unwrap_or_default();
            path.push(c.label.clone());
            *labels.entry(label_key(&c.label).into_owned()).or_default() += 1;
            paths.insert(c.id, path);
        }
        let mut tails: HashMap<(usize, String, String), usize> = HashMap::new();
        for path in paths.values() {
            let label = label_key(&path[path.len() - 1]);
            if labels[label.as_ref()] > 1 {
                for k in 2..=path.len() {
                    *tails
                        .entry((k, label.to_string(), tail_key(path, k)))
                        .or_default() += 1;
                }
            }
        }
        Addresses {
            paths,
            labels,
            tails,
        }
    }

    /// How a clause is named: as [`DocumentState::address_of`] names it (empty for a clause
    /// not in the text).
    pub fn of_clause(&self, id: ClauseId) -> String {
        let Some(path) = self.paths.get(&id) else {
            return String::new();
        };
        let label = &path[path.len() - 1];
        let key = label_key(label).into_owned();
        if self.labels[&key] <= 1 || path.len() == 1 {
            return label.clone();
        }
        for k in 2..=path.len() {
            if self.tails[&(k, key.clone(), tail_key(path, k))] == 1 {
                return path[path.len() - k..].join(" ");
            }
        }
        path.join(" > ")
    }
}

/// A label as labels are compared: trimmed, in Unicode normalization form NFKC, so that
/// full-width digits (`３.９`), compatibility forms (`⑴`, `Ⅳ`) and composed or decomposed
/// accents name the same clause as the plain characters. Letters and digits that merely look
/// alike — `(l)`, `(1)`, `(I)` — stay distinct, as statutes use them side by side.
pub fn label_key(label: &str) -> Cow<'_, str> {
    let label = label.trim();
    if label.is_ascii() {
        Cow::Borrowed(label)
    } else {
        Cow::Owned(label.nfkc().collect())
    }
}

/// A label reduced for comparison in a path: normalized as [`label_key`], without spaces, `>`
/// or `›`.
fn compact(s: &str) -> String {
    label_key(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '>' | '›'))
        .collect()
}

impl DocumentState {
    /// How many clauses of the text have this label.
    pub fn label_count(&self, label: &str) -> u32 {
        let counts = self.label_counts.0.get_or_init(|| {
            let mut counts = std::collections::HashMap::new();
            for c in self.clauses.values() {
                *counts.entry(label_key(&c.label).into_owned()).or_insert(0) += 1;
            }
            counts
        });
        counts.get(label_key(label).as_ref()).copied().unwrap_or(0)
    }

    /// A sibling of the clause whose label is the same once normalized but written otherwise
    /// (`3.9` beside `３.９`), if there is one.
    pub(crate) fn sibling_written_otherwise(&self, id: ClauseId) -> Option<ClauseId> {
        let c = self.clauses.get(&id)?;
        let siblings = match c.parent {
            Some(p) => self.clauses.get(&p)?.children.as_slice(),
            None => self.roots(),
        };
        let key = label_key(&c.label);
        siblings.iter().copied().find(|s| {
            *s != id && self.clauses[s].label != c.label && label_key(&self.clauses[s].label) == key
        })
    }

    /// Check labels are unique among siblings (the same label may recur under different
    /// parents, as `(a)` does under every paragraph: the path tells them apart).
    pub(crate) fn check_labels(&self) -> Result<(), DomainError> {
        let parents = std::iter::once(self.roots())
            .chain(self.clauses.values().map(|c| c.children.as_slice()));
        for siblings in parents {
            // Labels as compared (NFKC), each with the first sibling that has it.
            let mut seen: std::collections::HashMap<std::borrow::Cow<'_, str>, &str> =
                std::collections::HashMap::new();
            for id in siblings {
                let c = &self.clauses[id];
                let key = label_key(&c.label);
                if let Some(first) = seen.get(&key) {
                    let under = c
                        .parent
                        .map(|p| format!("under {}", self.address_of(p)))
                        .unwrap_or_else(|| "at the top level".into());
                    let same = if *first == c.label {
                        format!("labelled '{}'", c.label)
                    } else {
                        format!(
                            "labelled '{first}' and '{}', which are the same label once normalized (Unicode NFKC: full-width and compatibility characters read as plain ones)",
                            c.label
                        )
                    };
                    return Err(DomainError::Invalid(format!(
                        "two clauses {under} would be {same}; labels must differ among the clauses under one clause"
                    )));
                }
                seen.insert(key, c.label.as_str());
            }
        }
        Ok(())
    }

    /// The labels of a clause and of the clauses above it, from the top of the tree down.
    pub fn path_of(&self, id: ClauseId) -> Vec<&str> {
        let mut path = Vec::new();
        let mut at = self.clauses.get(&id);
        while let Some(c) = at {
            path.push(c.label.as_str());
            at = c.parent.and_then(|p| self.clauses.get(&p));
        }
        path.reverse();
        path
    }

    /// How a clause is named to the user: its label when no other clause of the text has it
    /// ("5.2", "Article 5"), else the shortest tail of its path that no other clause shares,
    /// its labels joined by spaces ("§ 312 (1)", "5.1 (b)"). [`Self::resolve_clause`] reads it
    /// back. A removed clause is named by the label it last had.
    pub fn address_of(&self, id: ClauseId) -> String {
        let Some(c) = self.clauses.get(&id) else {
            return self.label_of(id).unwrap_or_default().to_string();
        };
        let shared = self.label_count(&c.label);
        let path = self.path_of(id);
        if shared <= 1 || path.len() == 1 {
            return c.label.clone();
        }
        for k in 2..=path.len() {
            let tail = &path[path.len() - k..];
            let key = compact(&tail.concat());
            let others = self
                .clauses
                .values()
                .filter(|o| o.id != id && label_key(&o.label) == label_key(&c.label))
                .any(|o| {
                    let p = self.path_of(o.id);
                    p.len() >= k && compact(&p[p.len() - k..].concat()) == key
                });
            if !others {
                return tail.join(" ");
            }
        }
        path.join(" > ")
    }

    /// Find a clause by its label, by its path or any tail of it that names one clause alone
    /// (`5.1(b)`, `5.1 (b)`, `Article 5 > 5.1 > (b)`, `§ 312 (1)`: spaces and `>` between the
    /// labels are optional), or by a unique prefix (4 hex digits or more) of its id.
    pub fn resolve_clause(&self, reference: &str) -> Result<ClauseId, DomainError> {
        let reference = reference.trim();
        let wanted_label = label_key(reference);
        // The candidates in reading order, each by its name.
        let ambiguous = |many: Vec<&Clause>| {
            let ids: std::collections::HashSet<ClauseId> = many.iter().map(|c| c.id).collect();
            DomainError::AmbiguousClause {
                reference: reference.to_string(),
                candidates: self
                    .outline()
                    .into_iter()
                    .filter(|(_, c)| ids.contains(&c.id))
                    .map(|(_, c)| self.address_of(c.id))
                    .collect(),
            }
        };
        let exact: Vec<&Clause> = self
            .clauses
            .values()
            .filter(|c| label_key(&c.label) == wanted_label)
            .collect();
        match exact.as_slice() {
            [one] => return Ok(one.id),
            [] => {}
            // A label alone names the top-level clause that has it, as `address_of` names it;
            // the others are named by their paths.
            many => match many
                .iter()
                .filter(|c| c.parent.is_none())
                .collect::<Vec<_>>()[..]
            {
                [root] => return Ok(root.id),
                _ => return Err(ambiguous(exact)),
            },
        }
        let hex: String = reference.chars().filter(|c| *c != '-').collect();
        if hex.len() >= 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            let hex = hex.to_ascii_lowercase();
            let matches: Vec<&Clause> = self
                .clauses
                .values()
                .filter(|c| c.id.0.simple().to_string().starts_with(&hex))
                .collect();
            match matches.as_slice() {
                [one] => return Ok(one.id),
                [] => {}
                _ => return Err(ambiguous(matches)),
            }
        }
        let wanted = compact(reference);
        if !wanted.is_empty() {
            let by_path: Vec<&Clause> = self
                .clauses
                .values()
                .filter(|c| {
                    let key = compact(&c.label);
                    !key.is_empty() && wanted.ends_with(&key) && {
                        let path = self.path_of(c.id);
                        let mut tail = String::new();
                        path.iter().rev().any(|l| {
                            tail.insert_str(0, &compact(l));
                            tail == wanted
                        })
                    }
                })
                .collect();
            match by_path.as_slice() {
                [one] => return Ok(one.id),
                [] => {}
                _ => return Err(ambiguous(by_path)),
            }
        }
        if let Some((_, r)) = self
            .removed
            .iter()
            .rev()
            .find(|(_, r)| r.label == reference)
        {
            return Err(DomainError::ClauseRemoved {
                label: r.label.clone(),
                seq: r.seq,
            });
        }
        Err(DomainError::UnknownClause(reference.to_string()))
    }

    /// The clause and every clause under it, in reading order.
    pub fn subtree(&self, id: ClauseId) -> Vec<ClauseId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            if let Some(c) = self.clauses.get(&id) {
                out.push(id);
                stack.extend(c.children.iter().rev());
            }
        }
        out
    }
}
