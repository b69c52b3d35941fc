//! Cross-references: the places in the text that cite a clause by a number renumbering
//! changes (`Article [8]`, `Articles 8 and 9`, `paragraph 6.4`, `see 6.4`, `§§ 312i`), and
//! their rewriting, every replacement computed from the original words in one pass (so that
//! 6.4 → 7.4 beside 7.4 → 7.5 rewrites each number once).
//!
//! A number cites a clause only where it names one: a dotted number (`6.4`), or a word or `§`
//! and a number of a family counted through the text (`Article 8`, `§ 312i`). Numbers that
//! recur under every parent (`(a)`, `1.`) are not looked for: `paragraph (a)` names no clause
//! without the words around it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::scheme;
use super::Relabel;
use crate::address::Addresses;
use crate::document::{Clause, DocumentState};
use crate::event::{Change, ClauseOp};
use crate::ids::ClauseId;

/// A cross-reference that names an old number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The clause whose words cite it.
    pub clause: ClauseId,
    /// How that clause is named after renumbering.
    pub address: String,
    /// Where in the clause: `text`, `heading`, or `note MARK`.
    pub place: String,
    /// The words that cite it, as they stand: `Article [8]`, `Articles 8 and 9`, `6.4`.
    pub found: String,
    /// The clause cited, when the number names one.
    pub cites: Option<ClauseId>,
    /// The cited clause's label before renumbering (`Article 8`), or the number found.
    pub old: String,
    /// Its label after (`Article 9`).
    pub new: Option<String>,
    /// Whether the renumbering rewrites it.
    pub rewritten: bool,
    /// Why `--references` leaves it as written: it cites another instrument, it is inside an
    /// open bracket, or its number names several clauses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
}

/// The clauses a number can cite: dotted ones, and those of a family with a word or `§` before
/// the number (with that word).
pub(crate) struct Citable<'a> {
    pub dotted: BTreeSet<ClauseId>,
    pub prefixed: Vec<(ClauseId, &'a str)>,
}

/// A number found in the words, before it is matched to a clause.
#[derive(Clone, Debug)]
struct Hit {
    /// Where the citation starts (its word, for `Article 8`).
    start: usize,
    /// The number's bytes.
    token: std::ops::Range<usize>,
    /// Where the citation of this number ends (after a closing `]`).
    end: usize,
    /// Where the list it is part of ends (`Articles 8 and 9`): what follows tells whether it
    /// cites another instrument.
    list_end: usize,
    /// The index key: the word in lower case (empty for dotted) and the number without spaces.
    key: (String, String),
}

/// Find the cross-references to renumbered clauses in every clause of `before`; with
/// `rewrite`, the rewording of each clause that cites one.
pub(crate) fn find(
    before: &DocumentState,
    names: &Addresses,
    new_names: &Addresses,
    citable: &Citable<'_>,
    relabels: &[Relabel],
    rewrite: bool,
) -> (Vec<Reference>, Vec<ClauseOp>) {
    let changed: HashMap<ClauseId, &Relabel> = relabels.iter().map(|r| (r.clause, r)).collect();
    if changed.is_empty() {
        return (Vec::new(), Vec::new());
    }
    // Every citable number, with the clauses it names (more than one: it is ambiguous).
    let mut index: BTreeMap<(String, String), Vec<ClauseId>> = BTreeMap::new();
    for id in &citable.dotted {
        if let Some(c) = before.clause(*id) {
            let key = c.label.trim().trim_end_matches('.').to_string();
            index.entry((String::new(), key)).or_default().push(*id);
        }
    }
    let mut stems: BTreeSet<String> = BTreeSet::new();
    for (id, stem) in &citable.prefixed {
        if let Some(c) = before.clause(*id) {
            let number = c.label.trim()[stem.len()..].trim();
            index
                .entry((stem.to_lowercase(), squeeze(number)))
                .or_default()
                .push(*id);
            stems.insert(stem.to_string());
        }
    }
    // Only the numbers that change are worth a look.
    index.retain(|_, ids| ids.iter().any(|id| changed.contains_key(id)));
    if index.is_empty() {
        return (Vec::new(), Vec::new());
    }

    let mut found = Vec::new();
    let mut ops = Vec::new();
    for (_, c) in before.outline() {
        // Words of the text others are settling: open brackets, and the words pending
        // word-level amendments act on (rewritten, they would not be found at the decision).
        let mut settling: Vec<(std::ops::Range<usize>, String)> = before
            .open_brackets_on(c)
            .iter()
            .filter_map(|b| c.text.find(&b.span).map(|s| s..s + b.span.len()))
            .map(|r| {
                (
                    r,
                    "it is inside an open bracket, whose words the committee settles".to_string(),
                )
            })
            .collect();
        for a in before.pending_on(c.id) {
            if let Change::Words { edit, .. } = &a.change {
                if let Ok(r) = edit.locate(&c.text) {
                    settling.push((
                        r,
                        format!("{} (pending) acts on these words, which must still be there when it is decided", a.no),
                    ));
                }
            }
        }
        let mut fields = Fields::of(c);
        let mut touched = false;
        for (place, words) in fields.iter_mut() {
            let hits = scan(words, &stems, &index);
            let mut replacements = Vec::new();
            for h in hits {
                let ids = &index[&h.key];
                let mut r = Reference {
                    clause: c.id,
                    address: new_names.of_clause(c.id),
                    place: place.clone(),
                    found: words[h.start..h.end].to_string(),
                    cites: None,
                    old: words[h.token.clone()].to_string(),
                    new: None,
                    rewritten: false,
                    left: None,
                };
                match ids.as_slice() {
                    [one] => {
                        let Some(relabel) = changed.get(one) else {
                            continue;
                        };
                        if let Some(other) = elsewhere(words, h.list_end) {
                            r.left = Some(format!("it cites another instrument (\"{other}\")"));
                        } else {
                            r.cites = Some(*one);
                            r.old = relabel.old.clone();
                            r.new = Some(relabel.new.clone());
                            let settled = settling.iter().find(|(b, _)| {
                                place == "text" && b.start < h.token.end && h.token.start < b.end
                            });
                            if let Some((_, why)) = settled {
                                r.left = Some(why.clone());
                            } else if rewrite {
                                r.rewritten = true;
                                replacements.push((h.token.clone(), new_number(&h, relabel)));
                            }
                        }
                    }
                    many => {
                        let names: Vec<String> =
                            many.iter().map(|id| names.of_clause(*id)).collect();
                        r.left = Some(format!(
                            "the number names several clauses ({})",
                            names.join(", ")
                        ));
                    }
                }
                found.push(r);
            }
            if !replacements.is_empty() {
                *words = rewritten(words, &replacements);
                touched = true;
            }
        }
        if touched {
            ops.push(fields.into_op(c.id));
        }
    }
    (found, ops)
}

/// Whether `s` starts with the ASCII words `prefix`, in any case, without copying `s` (the rest
/// of a clause may be a mebibyte long).
fn starts_with_ignoring_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// What names another instrument after a citation (`of the Treaty`, `of Regulation (EU)
/// No 1234/2013`), if anything does: `of` and words other than `this`, `these` or `the
/// present`. (`Article 7 of this Code` cites this text.)
fn elsewhere(words: &str, end: usize) -> Option<String> {
    let rest = &words[end..];
    let after = rest.strip_prefix(" of ")?;
    if ["this ", "these ", "the present "]
        .iter()
        .any(|w| starts_with_ignoring_case(after, w))
    {
        return None;
    }
    // Its name: an article, then words that do not start in lower case (`the Treaty`,
    // `Regulation (EU) No 1234/2013`), four at most.
    let mut named: Vec<&str> = Vec::new();
    for (i, w) in after.split_whitespace().take(4).enumerate() {
        let article = i == 0 && ["the", "a", "an"].contains(&w);
        if !article && w.starts_with(|c: char| c.is_lowercase()) {
            break;
        }
        let bare = w.trim_end_matches([',', ';', '.', ':']);
        named.push(bare);
        if bare.len() != w.len() {
            break;
        }
    }
    Some(format!("of {}", named.join(" ")))
}

/// The words of a clause that may cite another: its heading, its text and its notes.
struct Fields {
    heading: Option<String>,
    text: String,
    notes: Vec<crate::event::Note>,
}

impl Fields {
    fn of(c: &Clause) -> Fields {
        Fields {
            heading: c.heading.clone(),
            text: c.text.clone(),
            notes: c.notes.clone(),
        }
    }

    fn iter_mut(&mut self) -> Vec<(String, &mut String)> {
        let mut out: Vec<(String, &mut String)> = Vec::new();
        if let Some(h) = self.heading.as_mut() {
            out.push(("heading".into(), h));
        }
        out.push(("text".into(), &mut self.text));
        for n in &mut self.notes {
            out.push((format!("note {}", n.mark), &mut n.text));
        }
        out
    }

    fn into_op(self, clause: ClauseId) -> ClauseOp {
        ClauseOp::Reword {
            kind: None,
            clause,
            heading: self.heading,
            text: self.text,
            notes: self.notes,
        }
    }
}

/// The new number to write where the old one stood: the new label without its word (for
/// `Article 8` → `Article 9`, `9`) or its final dot.
fn new_number(hit: &Hit, relabel: &Relabel) -> String {
    let label = relabel.new.trim();
    if hit.key.0.is_empty() {
        return label.trim_end_matches('.').to_string();
    }
    // The new label shares the old one's word: what follows it is the number.
    match scheme::parse(label) {
        Some(p) => label[p.prefix.len()..label.len() - p.suffix.len()]
            .trim()
            .to_string(),
        None => label.to_string(),
    }
}

/// The words with each range replaced, all computed from the words as they stood.
fn rewritten(words: &str, replacements: &[(std::ops::Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(words.len() + 8);
    let mut at = 0;
    for (range, new) in replacements {
        out.push_str(&words[at..range.start]);
        out.push_str(new);
        at = range.end;
    }
    out.push_str(&words[at..]);
    out
}

/// A number without spaces, for comparison (`5 bis` and `5bis` are one number).
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The citations of indexed numbers in some words, in order, none overlapping.
fn scan(
    words: &str,
    stems: &BTreeSet<String>,
    index: &BTreeMap<(String, String), Vec<ClauseId>>,
) -> Vec<Hit> {
    let mut hits = Vec::new();
    for stem in stems {
        hits.extend(scan_prefixed(words, stem, index));
    }
    if index.keys().any(|(stem, _)| stem.is_empty()) {
        hits.extend(scan_dotted(words, index));
    }
    hits.sort_by_key(|h| (h.token.start, h.start));
    let mut out: Vec<Hit> = Vec::new();
    for h in hits {
        if out.last().is_none_or(|l| l.token.end <= h.token.start) {
            out.push(h);
        }
    }
    out
}

fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|r| r.chars().next())
}

fn char_before(s: &str, i: usize) -> Option<char> {
    s.get(..i).and_then(|r| r.chars().next_back())
}

fn skip_space(s: &str, mut i: usize) -> usize {
    while let Some(c) = char_at(s, i).filter(|c| c.is_whitespace()) {
        i += c.len_utf8();
    }
    i
}

/// A number ends here: no letter or digit follows, nor a dot and a digit (`6` in `6.4` is not
/// a number of its own).
fn ends_number(s: &str, i: usize) -> bool {
    match char_at(s, i) {
        None => true,
        Some('.') => !char_at(s, i + 1).is_some_and(|c| c.is_ascii_digit()),
        Some(c) => !c.is_alphanumeric(),
    }
}

/// A number at `i` (digits with an inserted letter or Latin word, or a roman numeral): its end.
fn number_at(s: &str, i: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut j = i;
    while j < bytes.len() && bytes[j].is_ascii_digit() {
        j += 1;
    }
    if j > i {
        let digits_end = j;
        // An inserted letter or two (`312i`, `9aa`).
        let mut k = j;
        while k < bytes.len() && k - j < 2 && bytes[k].is_ascii_lowercase() {
            k += 1;
        }
        if k > j && ends_number(s, k) {
            return Some(k);
        }
        // A Latin word (`5 bis`, `5bis`), unless it is German for "to" before another number.
        let spaced = s[j..].starts_with(' ');
        let w = if spaced { j + 1 } else { j };
        let word_end = s[w..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(s.len(), |e| w + e);
        if word_end > w && scheme::is_latin(&s[w..word_end]) && ends_number(s, word_end) {
            let next = skip_space(s, word_end);
            let range = spaced && char_at(s, next).is_some_and(|c| c.is_ascii_digit());
            if !range {
                return Some(word_end);
            }
        }
        return ends_number(s, digits_end).then_some(digits_end);
    }
    let end = s[i..]
        .find(|c: char| !c.is_ascii_alphabetic())
        .map_or(s.len(), |e| i + e);
    (end > i && scheme::roman_value(&s[i..end]).is_some() && ends_number(s, end)).then_some(end)
}

const SEPARATORS: &[&str] = &[
    ",", ";", "and", "or", "to", "through", "und", "bis", "et", "–", "-",
];

/// `Article 8`, `Articles [8] and 9`, `§§ 312 bis 312k`: the numbers after each occurrence of
/// the word.
fn scan_prefixed(
    words: &str,
    stem: &str,
    index: &BTreeMap<(String, String), Vec<ClauseId>>,
) -> Vec<Hit> {
    let key_stem = stem.to_lowercase();
    let lower = words.to_ascii_lowercase();
    let stem_lower = stem.to_ascii_lowercase();
    let word_like = stem.chars().next().is_some_and(char::is_alphanumeric);
    let mut hits = Vec::new();
    for (start, _) in lower.match_indices(&stem_lower) {
        if word_like && char_before(words, start).is_some_and(char::is_alphanumeric) {
            continue;
        }
        let mut j = start + stem.len();
        if stem.ends_with(|c: char| c.is_alphabetic()) {
            if char_at(&lower, j) == Some('s') {
                j += 1;
            }
            if char_at(words, j).is_some_and(char::is_alphabetic) {
                continue;
            }
        }
        while stem == "§" && char_at(words, j) == Some('§') {
            j += '§'.len_utf8();
        }
        let mut at = skip_space(words, j);
        let first = hits.len();
        let mut last_end = at;
        loop {
            let open = char_at(words, at) == Some('[');
            let n = if open { at + 1 } else { at };
            let Some(end) = number_at(words, n) else {
                break;
            };
            at = if open && char_at(words, end) == Some(']') {
                end + 1
            } else {
                end
            };
            last_end = at;
            let key = (key_stem.clone(), squeeze(&words[n..end]));
            if index.contains_key(&key) {
                hits.push(Hit {
                    start,
                    token: n..end,
                    end: at,
                    list_end: at,
                    key,
                });
            }
            // Another number of the same list?
            let s = skip_space(words, at);
            let Some(sep) = SEPARATORS.iter().find(|sep| {
                lower[s..].starts_with(*sep)
                    && (!sep.starts_with(char::is_alphabetic)
                        || !char_at(words, s + sep.len()).is_some_and(char::is_alphanumeric))
            }) else {
                break;
            };
            at = skip_space(words, s + sep.len());
        }
        for h in &mut hits[first..] {
            h.list_end = last_end;
        }
    }
    hits
}

/// Words that introduce a dotted number, shown with it (`paragraph 6.4`, `see 6.4`).
const CITING_WORDS: &[&str] = &[
    "paragraph",
    "paragraphs",
    "para.",
    "paras.",
    "subparagraph",
    "subparagraphs",
    "section",
    "sections",
    "clause",
    "clauses",
    "point",
    "points",
    "see",
];

/// Where the citation of the number at `i` starts: at the word before it, when it is one that
/// introduces a number.
fn cited_from(words: &str, i: usize) -> usize {
    let before = words[..i].trim_end();
    if before.len() == i {
        return i;
    }
    let start = before
        .rfind(|c: char| !(c.is_alphabetic() || c == '.'))
        .map_or(0, |k| {
            k + before[k..].chars().next().map_or(1, char::len_utf8)
        });
    let word = before[start..].to_lowercase();
    if CITING_WORDS.contains(&word.as_str()) {
        start
    } else {
        i
    }
}

/// `6.4`, `paragraph 7.2.1`: dotted numbers standing alone (not a percentage or an amount).
fn scan_dotted(words: &str, index: &BTreeMap<(String, String), Vec<ClauseId>>) -> Vec<Hit> {
    let bytes = words.as_bytes();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit()
            || char_before(words, i).is_some_and(|c| c.is_alphanumeric() || c == '.' || c == ',')
        {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut groups = 0;
        loop {
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < bytes.len() && bytes[j] == b'.' && bytes[j + 1].is_ascii_digit() {
                j += 1;
                groups += 1;
            } else {
                break;
            }
        }
        let mut end = j;
        if end < bytes.len() && bytes[end].is_ascii_lowercase() && ends_number(words, end + 1) {
            end += 1;
        }
        let rest = words[end..].trim_start();
        let amount = rest.starts_with('%')
            || starts_with_ignoring_case(rest, "per cent")
            || starts_with_ignoring_case(rest, "percent");
        if groups > 0 && ends_number(words, end) && !amount {
            let key = (String::new(), words[i..end].to_string());
            if index.contains_key(&key) {
                hits.push(Hit {
                    start: cited_from(words, i),
                    token: i..end,
                    end,
                    list_end: end,
                    key,
                });
            }
        }
        i = end.max(i + 1);
    }
    hits
}
