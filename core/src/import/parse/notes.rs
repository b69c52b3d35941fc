//! Footnotes and front matter: a footnote definition is a note of the clause whose text
//! references it (the first one still waiting for it), and YAML front matter is the draft's
//! metadata.

use std::collections::{HashMap, VecDeque};

use pulldown_cmark::{Event as Md, Tag, TagEnd};

use super::{is_inline, push_paragraph, Reader};
use crate::event::Note;
use crate::import::canonical::inline_markdown;
use crate::import::ImportError;

/// Footnotes: references waiting for their definition, and definitions waiting for a
/// reference.
#[derive(Default)]
pub(super) struct Notes {
    /// Mark → clauses that reference it and have no note for it yet, in reading order.
    pub(super) waiting: HashMap<String, VecDeque<usize>>,
    /// Mark → definitions read before any clause referenced them: (text, clause open then,
    /// line).
    pub(super) unclaimed: HashMap<String, VecDeque<(String, Option<usize>, usize)>>,
    /// Mark → the last definition read, for later references to the same note.
    pub(super) last: HashMap<String, String>,
}

impl<'a> Reader<'a> {
    pub(super) fn reference(&mut self, node: usize, mark: &str) {
        if self.nodes[node].notes.iter().any(|n| n.mark == mark) {
            return;
        }
        if let Some((text, _, _)) = self
            .notes
            .unclaimed
            .get_mut(mark)
            .and_then(VecDeque::pop_front)
        {
            self.nodes[node].notes.push(Note {
                mark: mark.to_string(),
                text,
            });
            return;
        }
        self.notes
            .waiting
            .entry(mark.to_string())
            .or_default()
            .push_back(node);
    }

    pub(super) fn note(&mut self, mark: String, text: String, line: usize) {
        self.notes.last.insert(mark.clone(), text.clone());
        if let Some(node) = self
            .notes
            .waiting
            .get_mut(&mark)
            .and_then(VecDeque::pop_front)
        {
            self.nodes[node].notes.push(Note { mark, text });
            return;
        }
        let open = self
            .stack
            .last()
            .map(|o| o.node)
            .or(self.nodes.len().checked_sub(1));
        self.notes
            .unclaimed
            .entry(mark)
            .or_default()
            .push_back((text, open, line));
    }

    /// The text of a footnote definition whose start tag has been taken, up to its end tag.
    pub(super) fn note_text(&mut self) -> Result<String, ImportError> {
        let mut text = String::new();
        while let Some((e, range)) = self.events.get(self.pos).cloned() {
            match e {
                Md::End(_) => break,
                Md::Start(Tag::Paragraph) => {
                    self.pos += 1;
                    let inline = self.inline_until(|e| matches!(e, Md::End(TagEnd::Paragraph)));
                    self.pos += 1;
                    push_paragraph(&mut text, &inline_markdown(&inline));
                }
                e if is_inline(&e) => {
                    let inline = self.inline_until(|e| !is_inline(e));
                    push_paragraph(&mut text, &inline_markdown(&inline));
                }
                Md::Start(_) => {
                    self.skip_block();
                    push_paragraph(&mut text, &self.raw(range));
                }
                _ => self.pos += 1,
            }
        }
        Ok(text)
    }

    pub(super) fn front_matter(&mut self, yaml: &str, line: usize) -> Result<(), ImportError> {
        use yaml_rust2::{Yaml, YamlLoader};
        let docs = YamlLoader::load_from_str(yaml).map_err(|e| {
            ImportError::new(
                line + e.marker().line(),
                format!("the front matter is not valid YAML: {}", e.info()),
            )
        })?;
        let Some(doc) = docs.into_iter().next() else {
            return Ok(());
        };
        let Yaml::Hash(map) = doc else {
            return Err(ImportError::new(
                line,
                "the front matter is not a list of 'key: value' lines",
            ));
        };
        fn scalar(y: &Yaml) -> Option<String> {
            match y {
                Yaml::Real(s) | Yaml::String(s) => Some(s.clone()),
                Yaml::Integer(i) => Some(i.to_string()),
                Yaml::Boolean(b) => Some(b.to_string()),
                Yaml::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(scalar)
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                _ => None,
            }
        }
        for (k, v) in &map {
            let (Some(k), Some(v)) = (scalar(k), scalar(v)) else {
                continue;
            };
            if k.eq_ignore_ascii_case("title") && !v.trim().is_empty() {
                // A `#` heading is then the title only if it repeats this one.
                self.title = Some((v.split_whitespace().collect::<Vec<_>>().join(" "), line));
            }
            self.meta.insert(k, v);
        }
        Ok(())
    }
}
