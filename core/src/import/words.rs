//! Words of clauses: bags of word ids, their weights by rarity, and the measures of how alike
//! two bags are.

use std::collections::HashMap;

/// Lowest similarity at which two clauses left unmatched are taken for one reworded clause.
pub(super) const FUZZY_THRESHOLD: (u64, u64) = (1, 2);

/// Word ids shared by both trees.
#[derive(Default)]
pub(super) struct Words {
    ids: HashMap<String, u32>,
    /// How many clauses use each word.
    df: Vec<u32>,
    /// How many clauses there are.
    clauses: u32,
}

impl Words {
    pub(super) fn bag(&mut self, heading: Option<&str>, text: &str) -> (Vec<(u32, u32)>, u32) {
        let mut bag: Vec<(u32, u32)> = Vec::new();
        let mut total = 0;
        let mut lower = String::new();
        for part in heading.into_iter().chain([text]) {
            for word in part.split(|c: char| !c.is_alphanumeric()) {
                if word.is_empty() {
                    continue;
                }
                let word = if word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                {
                    word
                } else {
                    lower.clear();
                    lower.extend(word.chars().flat_map(char::to_lowercase));
                    lower.as_str()
                };
                let id = match self.ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = self.ids.len() as u32;
                        self.ids.insert(word.to_string(), id);
                        self.df.push(0);
                        id
                    }
                };
                bag.push((id, 1));
                total += 1;
            }
        }
        bag.sort_unstable();
        bag.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        for &(id, _) in &bag {
            self.df[id as usize] += 1;
        }
        self.clauses += 1;
        (bag, total)
    }

    /// Word ids renumbered so that rarer words have smaller ids: a bag sorted by id is then
    /// sorted rarest first, as prefix filtering needs.
    pub(super) fn by_rarity(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.df.len() as u32).collect();
        order.sort_unstable_by_key(|&id| (self.df[id as usize], id));
        let mut rank = vec![0; order.len()];
        for (r, id) in order.into_iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
    }

    /// The weight of each word, by its id as renumbered by [`Words::by_rarity`]: 1 + ln(N /
    /// df), in sixteenths, where N is the number of clauses and df the number that use the
    /// word. A word every clause uses weighs 1; one clause's own word, 1 + ln N. Two clauses
    /// are then alike by the words that tell clauses apart, not by "the", "shall" and "of".
    pub(super) fn weights(&self, rank: &[u32]) -> Vec<u32> {
        let mut weights = vec![0; rank.len()];
        let n = f64::from(self.clauses.max(1));
        for (id, &r) in rank.iter().enumerate() {
            let df = f64::from(self.df[id].max(1));
            weights[r as usize] = 16 + (16.0 * (n / df).ln()).round() as u32;
        }
        weights
    }
}

/// A hash of a heading and text, whitespace-normalised, without building the normalised text.
pub(super) fn content_key(heading: Option<&str>, text: &str) -> u64 {
    use std::hash::{DefaultHasher, Hasher};
    let mut h = DefaultHasher::new();
    for part in [heading.unwrap_or(""), text] {
        for word in part.split_whitespace() {
            h.write(word.as_bytes());
            h.write_u8(0xff); // never in UTF-8
        }
        h.write_u8(0xfe);
    }
    h.finish()
}

/// Shared words of two bags, counted with multiplicity.
pub(super) fn shared(a: &[(u32, u32)], b: &[(u32, u32)]) -> u32 {
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

/// Word multisets added together, sorted by word id: a clause's words and those under it, in
/// time that grows with the words (not with the number of clauses times the words).
pub(super) fn merge<'b>(bags: impl IntoIterator<Item = &'b [(u32, u32)]>) -> Vec<(u32, u32)> {
    let mut counts: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    for bag in bags {
        for &(w, c) in bag {
            *counts.entry(w).or_insert(0) += c;
        }
    }
    let mut out: Vec<(u32, u32)> = counts.into_iter().collect();
    out.sort_unstable();
    out
}

pub(super) fn dice(shared: u32, a: u32, b: u32) -> f64 {
    if a + b == 0 {
        1.0
    } else {
        2.0 * f64::from(shared) / f64::from(a + b)
    }
}

/// Shared words of two bags, counted with multiplicity and weighted.
pub(super) fn shared_weight(a: &[(u32, u32)], b: &[(u32, u32)], weights: &[u32]) -> u64 {
    let (mut i, mut j, mut s) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += u64::from(a[i].1.min(b[j].1)) * u64::from(weights[a[i].0 as usize]);
                i += 1;
                j += 1;
            }
        }
    }
    s
}

pub(super) fn weight(bag: &[(u32, u32)], weights: &[u32]) -> u64 {
    bag.iter()
        .map(|&(w, c)| u64::from(c) * u64::from(weights[w as usize]))
        .sum()
}

/// Whether a shared weight out of a total (both sides together) reaches the fuzzy threshold.
pub(super) fn alike(shared: u64, total: u64) -> bool {
    u128::from(shared) * 2 * u128::from(FUZZY_THRESHOLD.1)
        >= u128::from(total) * u128::from(FUZZY_THRESHOLD.0)
}

/// How many of its rarest words a bag of `words` words must share with another for the two to
/// be alike: at Dice t, shared >= t * words / (2 - t). A pair sharing that many words shares
/// one among the first `words - that + 1` words of each (prefix filtering).
pub(super) fn prefix_len(words: u32) -> u32 {
    let (p, q) = (FUZZY_THRESHOLD.0 as u32, FUZZY_THRESHOLD.1 as u32);
    // t = p/q; t/(2-t) = p/(2q-p).
    let needed = (words * p).div_ceil(2 * q - p).max(1);
    words + 1 - needed.min(words)
}

/// The distinct words of a bag's prefix.
pub(super) fn prefix(bag: &[(u32, u32)], words: u32) -> impl Iterator<Item = u32> + '_ {
    let len = prefix_len(words);
    let mut seen = 0;
    bag.iter()
        .take_while(move |&&(_, c)| {
            let take = seen < len;
            seen += c;
            take
        })
        .map(|&(w, _)| w)
}
