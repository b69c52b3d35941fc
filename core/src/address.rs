//! The names of many clauses at once: what [`DocumentState::address_of`] gives, worked out for
//! the whole text in one pass (`address_of` looks through every clause for each name, which a
//! renumbering of thousands of clauses cannot afford).

use std::collections::HashMap;

use crate::document::DocumentState;
use crate::ids::ClauseId;

/// Every clause's path, and how many clauses share each label and each tail of a path.
pub struct Addresses {
    paths: HashMap<ClauseId, Vec<String>>,
    labels: HashMap<String, usize>,
    /// (tail length, label, the tail's labels run together) → clauses.
    tails: HashMap<(usize, String, String), usize>,
}

use crate::document::compact;

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
            *labels.entry(c.label.clone()).or_default() += 1;
            paths.insert(c.id, path);
        }
        let mut tails: HashMap<(usize, String, String), usize> = HashMap::new();
        for path in paths.values() {
            let label = &path[path.len() - 1];
            if labels[label] > 1 {
                for k in 2..=path.len() {
                    *tails
                        .entry((k, label.clone(), tail_key(path, k)))
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
        if self.labels[label] <= 1 || path.len() == 1 {
            return label.clone();
        }
        for k in 2..=path.len() {
            if self.tails[&(k, label.clone(), tail_key(path, k))] == 1 {
                return path[path.len() - k..].join(" ");
            }
        }
        path.join(" > ")
    }
}
