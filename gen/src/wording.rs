//! The words of a generated negotiation: sentences in treaty language, paragraphs of 20 to 80
//! words, preamble paragraphs, comments, alternatives to a bracketed phrase, and rewordings
//! that change a few words.

use travaux_core::Position;

use crate::dice::Dice;
use crate::vocabulary::{
    CONNECTORS, MODALS_PLURAL, MODALS_SINGULAR, NEUTRAL_OPENERS, OPPOSE_OPENERS, PREAMBLE_OPENERS,
    PREDICATES, QUALIFIERS, REPLY_OPENERS, SUBJECTS, SUPPORT_OPENERS, SWAPS, TOPICS,
};

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub(crate) fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// One sentence without its final stop, starting in lower case unless with a proper noun.
fn sentence_body(d: &mut Dice, lead: bool) -> String {
    let (subject, plural) = *d.pick(SUBJECTS);
    let modal = if plural {
        *d.pick(MODALS_PLURAL)
    } else {
        *d.pick(MODALS_SINGULAR)
    };
    let predicate = d.below(PREDICATES.len());
    let mut s = String::with_capacity(200);
    let lead = lead && d.chance(200);
    if lead {
        s.push_str(d.phrase(QUALIFIERS));
        s.push_str(", ");
    }
    s.push_str(subject);
    s.push(' ');
    s.push_str(modal);
    s.push(' ');
    s.push_str(PREDICATES[predicate]);
    if !lead && d.chance(450) {
        s.push_str(", ");
        s.push_str(d.phrase(QUALIFIERS));
    }
    if d.chance(350) {
        let other = (predicate + 1 + d.below(PREDICATES.len() - 1)) % PREDICATES.len();
        s.push_str(d.phrase(CONNECTORS));
        s.push(' ');
        s.push_str(PREDICATES[other]);
        if d.chance(250) {
            s.push_str(", ");
            s.push_str(d.phrase(QUALIFIERS));
        }
    }
    s
}

fn sentence(d: &mut Dice) -> String {
    let mut s = capitalize(&sentence_body(d, true));
    s.push('.');
    s
}

/// A paragraph of 20 to 80 words, in whole sentences.
pub(crate) fn clause_text(d: &mut Dice) -> String {
    let target = d.range(20, 80) as usize;
    let mut text = String::new();
    let mut n = 0;
    loop {
        let s = sentence(d);
        let k = words(&s);
        if n >= 20 && n + k > 80 {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&s);
        n += k;
        if n >= target {
            break;
        }
    }
    text
}

/// A preamble paragraph: "Recognizing that …;".
pub(crate) fn preamble_text(d: &mut Dice, last: bool) -> String {
    let mut text = d.pick(PREAMBLE_OPENERS).to_string();
    text.push(' ');
    text.push_str(&sentence_body(d, false));
    while words(&text) < 20 {
        text.push_str(", and that ");
        text.push_str(&sentence_body(d, false));
    }
    text.push_str(if last {
        ", have agreed upon the following Code of Practice."
    } else {
        ";"
    });
    text
}

pub(crate) fn comment_text(d: &mut Dice, position: Position, reply: bool) -> String {
    let openers = match (reply, position) {
        (true, _) => REPLY_OPENERS,
        (false, Position::Support) => SUPPORT_OPENERS,
        (false, Position::Oppose) => OPPOSE_OPENERS,
        (false, Position::Neutral) => NEUTRAL_OPENERS,
    };
    let topic = *d.pick(TOPICS);
    let mut text = d.pick(openers).replace("{t}", topic);
    text.push(' ');
    text.push_str(&sentence(d));
    if d.chance(400) {
        text.push(' ');
        text.push_str(&sentence(d));
    }
    text
}

/// Other words for a bracketed phrase: a word or phrase swapped for another, or a qualifier
/// added.
pub(crate) fn alternative_text(d: &mut Dice, span: &str) -> String {
    let mut out = span.to_string();
    if !(d.chance(600) && swap_phrase(d, &mut out)) {
        out.push_str(", ");
        out.push_str(d.phrase(QUALIFIERS));
    }
    out
}

/// Where `needle` occurs in `haystack` as whole words.
fn occurrences(haystack: &str, needle: &str) -> Vec<usize> {
    let bytes = haystack.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    haystack
        .match_indices(needle)
        .map(|(i, _)| i)
        .filter(|i| {
            (*i == 0 || !word(bytes[i - 1]))
                && bytes.get(i + needle.len()).is_none_or(|b| !word(*b))
        })
        .collect()
}

/// A few words changed: a word or phrase swapped for another, a qualifier added or taken
/// out. Always different from `text`, and kept at about 20 to 90 words.
pub(crate) fn reword(d: &mut Dice, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..d.range(1, 3) {
        let n = words(&out);
        let choice = if n > 85 {
            2
        } else if n < 20 {
            1
        } else {
            d.weighted(&[60, 20, 20])
        };
        let done = match choice {
            0 => swap_phrase(d, &mut out),
            2 => drop_qualifier(d, &mut out),
            _ => false,
        };
        if !done {
            add_qualifier(d, &mut out);
        }
    }
    if words(&out) > 90 {
        if let Some(i) = out[..out.len() - 1].rfind(". ") {
            out.truncate(i + 1);
        }
    }
    if out == text {
        add_qualifier(d, &mut out);
    }
    out
}

fn swap_phrase(d: &mut Dice, out: &mut String) -> bool {
    let start = d.below(SWAPS.len());
    let flip = d.chance(500);
    for k in 0..SWAPS.len() {
        let (a, b) = SWAPS[(start + k) % SWAPS.len()];
        for (from, to) in if flip {
            [(b, a), (a, b)]
        } else {
            [(a, b), (b, a)]
        } {
            let found = occurrences(out, from);
            if !found.is_empty() {
                let i = found[d.below(found.len())];
                out.replace_range(i..i + from.len(), to);
                return true;
            }
        }
    }
    false
}

fn drop_qualifier(d: &mut Dice, out: &mut String) -> bool {
    let start = d.below(QUALIFIERS.len());
    for k in 0..QUALIFIERS.len() {
        let q = format!(", {}", QUALIFIERS[(start + k) % QUALIFIERS.len()]);
        if let Some(i) = out.find(&q) {
            out.replace_range(i..i + q.len(), "");
            return true;
        }
    }
    false
}

fn add_qualifier(d: &mut Dice, out: &mut String) {
    let stops: Vec<usize> = out
        .char_indices()
        .filter(|(i, c)| {
            matches!(c, '.' | ';') && out[i + 1..].chars().next().is_none_or(|n| n == ' ')
        })
        .map(|(i, _)| i)
        .collect();
    let q = format!(", {}", d.pick(QUALIFIERS));
    match stops.get(d.below(stops.len().max(1))) {
        Some(i) => out.insert_str(*i, &q),
        None => out.push_str(&q),
    }
}
