//! Word-level amendments: "in 5.2, replace 'shall' by 'should'", "insert 'voluntary' after
//! 'the Code is'", "delete 'to the extent possible'".
//!
//! A [`WordEdit`] names the words it acts on as the proposer typed them, and is anchored when
//! proposed: the words must be in the clause (as whole words: "shall" is not found in
//! "marshall"), once, or the proposer says which occurrence; the words around them as they
//! stood are kept with the edit. When the chair decides, the anchor is found again in the
//! clause's current wording: the words exactly; where they occur several times, the occurrence
//! whose surroundings best match the kept context (the occurrence number settles a tie); where
//! they occur once, that one, whatever became of their context. Words no longer in the clause
//! cannot be applied: the decision says so (the chair may still accept a modified wording).
//!
//! Applying an edit gives the clause's new wording, so that accepting a word-level amendment is
//! an ordinary reword of its clause, and blame, diff and pickaxe need nothing new.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How many characters of context are kept on each side of the words.
pub const CONTEXT_CHARS: usize = 40;

/// What a word-level amendment does with its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WordAction {
    /// Put other words in their place.
    Replace,
    /// Take them out.
    Delete,
    /// Insert new words just before them.
    InsertBefore,
    /// Insert new words just after them.
    InsertAfter,
}

impl WordAction {
    /// A short name: replace, delete, insert before, insert after.
    pub fn name(self) -> &'static str {
        match self {
            WordAction::Replace => "replace",
            WordAction::Delete => "delete",
            WordAction::InsertBefore => "insert before",
            WordAction::InsertAfter => "insert after",
        }
    }
}

/// A change to some words of a clause, anchored to them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WordEdit {
    /// Replace, delete, or insert before or after.
    pub action: WordAction,
    /// The words acted on: those replaced or deleted, or those an insertion is placed by.
    pub words: String,
    /// The new words: the replacement, or the words inserted (empty for a deletion).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub by: String,
    /// Which occurrence of the words, from 1, when the proposer had to say (they occurred more
    /// than once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<u32>,
    /// Up to [`CONTEXT_CHARS`] characters before the words, as the clause read when proposed.
    #[serde(default)]
    pub context_before: String,
    /// Up to [`CONTEXT_CHARS`] characters after the words, as the clause read when proposed.
    #[serde(default)]
    pub context_after: String,
}

/// Why a word-level edit cannot be anchored or applied. [`WordsError::message`] says it in
/// words, naming the clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordsError {
    /// The words acted on are empty or blank.
    NoWords,
    /// The replacement or inserted words are empty or blank.
    NoNewWords(WordAction),
    /// The replacement is the words themselves.
    Unchanged,
    /// Occurrences count from 1.
    ZeroOccurrence,
    /// The words are not in the clause (when proposed).
    NotFound {
        /// The clause's wording.
        text: String,
    },
    /// The words occur several times and no occurrence was given (when proposed).
    Ambiguous {
        /// Each occurrence in its context.
        occurrences: Vec<String>,
    },
    /// The occurrence asked for is past the last.
    NoSuchOccurrence {
        /// The occurrence asked for.
        asked: u32,
        /// Each occurrence in its context.
        occurrences: Vec<String>,
    },
    /// The words are no longer in the clause (when decided).
    Vanished {
        /// The clause's wording now.
        text: String,
    },
    /// The words occur several times now and their context no longer tells which (when
    /// decided).
    Lost {
        /// Each occurrence in its context.
        occurrences: Vec<String>,
    },
}

/// A way out of a word-level refusal. [`WordsError::message`] says it in the domain's words; a
/// caller with flags of its own (the CLI's `--occurrence`) says it with them through
/// [`WordsError::message_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WayOut<'a> {
    /// Propose the deletion of the words (given quoted) instead of an empty replacement.
    DeleteWords(&'a str),
    /// Say which occurrence of the words is meant.
    SayOccurrence,
    /// Decide the amendment otherwise: accept it with a modified wording, or reject it.
    DecideOtherwise,
}

impl WayOut<'_> {
    /// The way out in the domain's words.
    pub fn words(self) -> String {
        match self {
            WayOut::DeleteWords(words) => format!("propose the deletion of {words}"),
            WayOut::SayOccurrence => "say which occurrence is meant".to_string(),
            WayOut::DecideOtherwise => "accept it as modified (with the clause's whole new \
                                        wording) or reject it"
                .to_string(),
        }
    }
}

impl WordsError {
    /// The error in words, for the edit `edit` of the clause `label`.
    pub fn message(&self, edit: &WordEdit, label: &str) -> String {
        self.message_with(edit, label, |w| w.words())
    }

    /// The error in words, its way out (if any) said by `way`.
    pub fn message_with(
        &self,
        edit: &WordEdit,
        label: &str,
        way: impl Fn(WayOut<'_>) -> String,
    ) -> String {
        let words = quoted(&edit.words);
        let list = |occ: &[String]| {
            occ.iter()
                .enumerate()
                .map(|(i, o)| format!("\n  {}: {o}", i + 1))
                .collect::<String>()
        };
        match self {
            WordsError::NoWords => format!(
                "the words to {} are empty; name words of {label}",
                match edit.action {
                    WordAction::Replace => "replace",
                    WordAction::Delete => "delete",
                    WordAction::InsertBefore | WordAction::InsertAfter => "insert by",
                }
            ),
            WordsError::NoNewWords(WordAction::Replace) => format!(
                "the replacement for {words} is empty; to take the words out, {}",
                way(WayOut::DeleteWords(&words))
            ),
            WordsError::NoNewWords(_) => "the words to insert are empty".to_string(),
            WordsError::Unchanged => {
                format!("the replacement for {words} is the same words: it changes nothing")
            }
            WordsError::ZeroOccurrence => "occurrences count from 1".to_string(),
            WordsError::NotFound { text } => {
                format!("{words} is not in {label}, which reads: {}", excerpt(text))
            }
            WordsError::Ambiguous { occurrences } => format!(
                "{words} occurs {} times in {label}; {}:{}",
                occurrences.len(),
                way(WayOut::SayOccurrence),
                list(occurrences)
            ),
            WordsError::NoSuchOccurrence { asked, occurrences } => format!(
                "{words} occurs {} in {label}, so there is no occurrence {asked}:{}",
                times(occurrences.len()),
                list(occurrences)
            ),
            WordsError::Vanished { text } => format!(
                "the words {words} are no longer in {label}, which now reads: {}; {}",
                excerpt(text),
                way(WayOut::DecideOtherwise)
            ),
            WordsError::Lost { occurrences } => format!(
                "{words} now occurs {} times in {label} and the words around it no longer tell \
                 which was meant:{}\n{}",
                occurrences.len(),
                list(occurrences),
                way(WayOut::DecideOtherwise)
            ),
        }
    }
}

/// A clause's wording once an edit is applied, in four pieces: the text before the edit, the
/// text it takes out, the text it puts in, and the text after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edited {
    /// The wording before the edit, kept.
    pub before: String,
    /// The words taken out (with a space beside them, for a deletion).
    pub deleted: String,
    /// The words put in (with the space that separates them, for an insertion).
    pub inserted: String,
    /// The wording after the edit, kept.
    pub after: String,
}

impl Edited {
    /// The new wording.
    pub fn text(&self) -> String {
        [
            self.before.as_str(),
            self.inserted.as_str(),
            self.after.as_str(),
        ]
        .concat()
    }
}

impl WordEdit {
    /// Anchor a proposed edit in the clause's wording: check it and keep the context of the
    /// words it acts on (any context given is replaced).
    pub fn anchor(mut self, text: &str) -> Result<WordEdit, WordsError> {
        self.check()?;
        self.by = self.by.trim().to_string();
        let found = occurrences(text, &self.words);
        let at = match (found.len(), self.occurrence) {
            (0, _) => {
                return Err(WordsError::NotFound {
                    text: text.to_string(),
                })
            }
            (_, Some(0)) => return Err(WordsError::ZeroOccurrence),
            (1, None) => found[0].clone(),
            (_, None) => {
                return Err(WordsError::Ambiguous {
                    occurrences: in_context(text, &found),
                })
            }
            (n, Some(k)) if k as usize > n => {
                return Err(WordsError::NoSuchOccurrence {
                    asked: k,
                    occurrences: in_context(text, &found),
                })
            }
            (_, Some(k)) => found[k as usize - 1].clone(),
        };
        self.context_before = tail(&text[..at.start], CONTEXT_CHARS).to_string();
        self.context_after = head(&text[at.end..], CONTEXT_CHARS).to_string();
        Ok(self)
    }

    /// Find the words again in the clause's wording as it is now.
    pub fn locate(&self, text: &str) -> Result<Range<usize>, WordsError> {
        self.check()?;
        let found = occurrences(text, &self.words);
        match found.len() {
            0 => {
                return Err(WordsError::Vanished {
                    text: text.to_string(),
                })
            }
            1 => return Ok(found[0].clone()),
            _ => {}
        }
        // Several: the one whose surroundings keep most of the context.
        let score = |r: &Range<usize>| {
            common_suffix(&text[..r.start], &self.context_before)
                + common_prefix(&text[r.end..], &self.context_after)
        };
        let scores: Vec<usize> = found.iter().map(score).collect();
        let best = *scores.iter().max().expect("several occurrences");
        let tied: Vec<usize> = (0..found.len()).filter(|i| scores[*i] == best).collect();
        if let [one] = tied.as_slice() {
            return Ok(found[*one].clone());
        }
        match self.occurrence {
            Some(k) if tied.contains(&(k as usize - 1)) => Ok(found[k as usize - 1].clone()),
            _ => Err(WordsError::Lost {
                occurrences: in_context(text, &found),
            }),
        }
    }

    /// The clause's wording with the edit applied, in pieces.
    pub fn apply(&self, text: &str) -> Result<Edited, WordsError> {
        let at = self.locate(text)?;
        let (pre, words, post) = (&text[..at.start], &text[at.clone()], &text[at.end..]);
        let by = self.by.trim();
        Ok(match self.action {
            WordAction::Replace => Edited {
                before: pre.into(),
                deleted: words.into(),
                inserted: by.into(),
                after: post.into(),
            },
            WordAction::Delete => {
                // Take a space beside the words with them, so that none is left doubled.
                let space_before = pre.ends_with(' ');
                let space_after = post.starts_with(' ');
                let next = post.chars().next();
                if space_before && (next.is_none_or(|c| c == ' ' || is_closing(c))) {
                    Edited {
                        before: pre[..pre.len() - 1].into(),
                        deleted: format!(" {words}"),
                        inserted: String::new(),
                        after: post.into(),
                    }
                } else if space_after {
                    Edited {
                        before: pre.into(),
                        deleted: format!("{words} "),
                        inserted: String::new(),
                        after: post[1..].into(),
                    }
                } else {
                    Edited {
                        before: pre.into(),
                        deleted: words.into(),
                        inserted: String::new(),
                        after: post.into(),
                    }
                }
            }
            WordAction::InsertAfter => {
                // A space between the words and the inserted ones, unless the insertion starts
                // with punctuation that sits against a word (", in principle,").
                let first = by.chars().next().expect("checked non-empty");
                let sep = if is_closing(first) { "" } else { " " };
                Edited {
                    before: format!("{pre}{words}"),
                    deleted: String::new(),
                    inserted: format!("{sep}{by}"),
                    after: post.into(),
                }
            }
            WordAction::InsertBefore => {
                let last = by.chars().last().expect("checked non-empty");
                let sep = if is_opening(last) { "" } else { " " };
                Edited {
                    before: pre.into(),
                    deleted: String::new(),
                    inserted: format!("{by}{sep}"),
                    after: format!("{words}{post}"),
                }
            }
        })
    }

    fn check(&self) -> Result<(), WordsError> {
        if self.words.trim().is_empty() {
            return Err(WordsError::NoWords);
        }
        match self.action {
            WordAction::Delete => {}
            _ if self.by.trim().is_empty() => return Err(WordsError::NoNewWords(self.action)),
            WordAction::Replace if self.by.trim() == self.words.trim() => {
                return Err(WordsError::Unchanged)
            }
            _ => {}
        }
        Ok(())
    }
}

/// The occurrences of `words` in `text` as whole words: a match that starts (ends) with a
/// letter or digit must not have one just before (after) it.
pub fn occurrences(text: &str, words: &str) -> Vec<Range<usize>> {
    if words.is_empty() {
        return Vec::new();
    }
    let starts_word = words.chars().next().is_some_and(is_word);
    let ends_word = words.chars().last().is_some_and(is_word);
    // Every start, overlapping ones too (`a a` is twice in `a a a`).
    text.char_indices()
        .filter(|(i, _)| text[*i..].starts_with(words))
        .map(|(i, _)| i..i + words.len())
        .filter(|r| {
            let glued_before = starts_word && text[..r.start].chars().last().is_some_and(is_word);
            let glued_after = ends_word && text[r.end..].chars().next().is_some_and(is_word);
            !glued_before && !glued_after
        })
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Punctuation written against the word before it.
fn is_closing(c: char) -> bool {
    matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | ')' | ']' | '”' | '’')
}

/// Punctuation written against the word after it.
fn is_opening(c: char) -> bool {
    matches!(c, '(' | '[' | '“' | '‘')
}

/// Each occurrence with the words around it, marked: `…States «shall» consider…`.
fn in_context(text: &str, found: &[Range<usize>]) -> Vec<String> {
    found
        .iter()
        .map(|r| {
            let pre = &text[..r.start];
            let post = &text[r.end..];
            let (b, a) = (tail(pre, 30), head(post, 30));
            format!(
                "{}{b}«{}»{a}{}",
                if b.len() < pre.len() { "…" } else { "" },
                &text[r.clone()],
                if a.len() < post.len() { "…" } else { "" }
            )
            .replace('\n', " ")
        })
        .collect()
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    let cut = s
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    if n == 0 {
        ""
    } else {
        &s[cut..]
    }
}

/// The first `n` characters of `s`.
fn head(s: &str, n: usize) -> &str {
    let cut = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..cut]
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// A clause's wording in quotes, cut after 600 characters.
fn excerpt(text: &str) -> String {
    let cut = head(text, 600);
    format!("\"{cut}{}\"", if cut.len() < text.len() { "…" } else { "" })
}

impl fmt::Display for WordEdit {
    /// The edit in words: `replace "shall" by "should"`, `insert "voluntary" after the 2nd
    /// "the Code is"`, `delete "to the extent possible"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nth = match self.occurrence {
            Some(k) => format!("the {} ", ordinal(k)),
            None => String::new(),
        };
        let words = quoted(&self.words);
        let by = quoted(self.by.trim());
        match self.action {
            WordAction::Replace => write!(f, "replace {nth}{words} by {by}"),
            WordAction::Delete => write!(f, "delete {nth}{words}"),
            WordAction::InsertBefore => write!(f, "insert {by} before {nth}{words}"),
            WordAction::InsertAfter => write!(f, "insert {by} after {nth}{words}"),
        }
    }
}

/// 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, 21st.
fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(action: WordAction, words: &str, by: &str, occurrence: Option<u32>) -> WordEdit {
        WordEdit {
            action,
            words: words.into(),
            by: by.into(),
            occurrence,
            context_before: String::new(),
            context_after: String::new(),
        }
    }

    const TEXT: &str = "Member States shall consider the Code. Recruiters shall respect it.";

    #[test]
    fn whole_words_only() {
        assert_eq!(occurrences("marshall shall shall.", "shall").len(), 2);
        assert_eq!(occurrences("a (b) c", "(b)"), vec![2..5]);
        assert!(occurrences("shallow", "shall").is_empty());
        assert_eq!(
            occurrences("a a a", "a a"),
            vec![0..3, 2..5],
            "overlapping too"
        );
    }

    #[test]
    fn a_replacement_that_differs_only_by_spaces_changes_nothing() {
        let e = edit(WordAction::Replace, " shall", "shall", None);
        assert_eq!(e.check(), Err(WordsError::Unchanged));
    }

    #[test]
    fn a_replacement_changes_only_its_words() {
        let e = edit(WordAction::Replace, "consider", " take into account ", None)
            .anchor(TEXT)
            .unwrap();
        assert_eq!(e.by, "take into account", "kept as applied");
        assert_eq!(e.context_before, "Member States shall ");
        assert_eq!(e.context_after, " the Code. Recruiters shall respect it.");
        assert_eq!(
            e.apply(TEXT).unwrap().text(),
            "Member States shall take into account the Code. Recruiters shall respect it."
        );
    }

    #[test]
    fn repeated_words_need_an_occurrence() {
        let err = edit(WordAction::Replace, "shall", "should", None)
            .anchor(TEXT)
            .unwrap_err();
        let WordsError::Ambiguous { occurrences } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(occurrences.len(), 2);
        assert!(occurrences[1].contains("Recruiters «shall» respect"));
        let msg = err.message(&edit(WordAction::Replace, "shall", "should", None), "5.2");
        assert!(msg.contains("say which occurrence is meant:"), "{msg}");
        assert!(!msg.contains("--"), "core names no flag: {msg}");
        // A caller with flags says the way out with them, where the domain's words were.
        let with = err.message_with(
            &edit(WordAction::Replace, "shall", "should", None),
            "5.2",
            |w| match w {
                WayOut::SayOccurrence => "say which with --occurrence N".into(),
                other => other.words(),
            },
        );
        assert_eq!(
            with,
            msg.replace(
                "say which occurrence is meant",
                "say which with --occurrence N"
            )
        );
        let second = edit(WordAction::Replace, "shall", "should", Some(2))
            .anchor(TEXT)
            .unwrap();
        assert_eq!(
            second.apply(TEXT).unwrap().text(),
            "Member States shall consider the Code. Recruiters should respect it."
        );
        assert!(matches!(
            edit(WordAction::Replace, "shall", "should", Some(3)).anchor(TEXT),
            Err(WordsError::NoSuchOccurrence { asked: 3, .. })
        ));
        assert_eq!(
            edit(WordAction::Replace, "shall", "should", Some(0)).anchor(TEXT),
            Err(WordsError::ZeroOccurrence)
        );
    }

    #[test]
    fn the_context_finds_the_occurrence_again_after_the_text_moved() {
        let e = edit(WordAction::Replace, "shall", "should", Some(2))
            .anchor(TEXT)
            .unwrap();
        // A revision put a new sentence with "shall" first: the second occurrence is now the
        // third, and its context still says which one was meant.
        let now = "Parties shall report. Member States shall consider the Code. Recruiters shall respect it.";
        assert_eq!(
            e.apply(now).unwrap().text(),
            "Parties shall report. Member States shall consider the Code. Recruiters should respect it."
        );
    }

    #[test]
    fn unique_words_are_found_whatever_their_context_became() {
        let e = edit(WordAction::Delete, "to the extent possible", "", None)
            .anchor("States should, to the extent possible, comply.")
            .unwrap();
        let now = "All States must to the extent possible comply fully.";
        assert_eq!(
            e.apply(now).unwrap().text(),
            "All States must comply fully."
        );
    }

    #[test]
    fn vanished_words_are_refused_with_the_current_wording() {
        let e = edit(WordAction::Replace, "consider", "apply", None)
            .anchor(TEXT)
            .unwrap();
        let now = "Member States shall apply the Code.";
        let err = e.apply(now).unwrap_err();
        assert_eq!(
            err,
            WordsError::Vanished {
                text: now.to_string()
            }
        );
        let msg = err.message(&e, "5.2");
        assert!(msg.contains("no longer in 5.2"), "{msg}");
        assert!(msg.contains(now), "{msg}");
        assert!(msg.contains("accept it as modified"), "{msg}");
        assert!(!msg.contains("--"), "core names no flag: {msg}");
    }

    #[test]
    fn several_occurrences_with_the_same_context_are_lost_unless_the_number_settles_it() {
        // Unique when proposed; now twice, each in the very context it had: nothing tells
        // which was meant.
        let e = edit(WordAction::Replace, "shall", "should", None)
            .anchor("States shall act.")
            .unwrap();
        let err = e
            .apply("New States shall act. Old States shall act.")
            .unwrap_err();
        let WordsError::Lost { occurrences } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(occurrences.len(), 2);
        assert!(err.message(&e, "5.2").ends_with(
            "\naccept it as modified (with the clause's whole new wording) or reject it"
        ));
        // The second of two, now the second and third of three in the same context: the
        // occurrence number settles the tie.
        let e = edit(WordAction::Replace, "shall", "should", Some(2))
            .anchor("shall shall")
            .unwrap();
        assert_eq!(
            e.apply("shall shall shall").unwrap().text(),
            "shall should shall"
        );
    }

    #[test]
    fn insertions_after_and_before() {
        let text = "Adherence to the Code is encouraged.";
        let after = edit(
            WordAction::InsertAfter,
            "the Code is",
            "voluntary and",
            None,
        )
        .anchor(text)
        .unwrap();
        assert_eq!(
            after.apply(text).unwrap().text(),
            "Adherence to the Code is voluntary and encouraged."
        );
        let before = edit(WordAction::InsertBefore, "encouraged", "strongly", None)
            .anchor(text)
            .unwrap();
        let applied = before.apply(text).unwrap();
        assert_eq!(applied.inserted, "strongly ");
        assert_eq!(
            applied.text(),
            "Adherence to the Code is strongly encouraged."
        );
        let comma = edit(WordAction::InsertAfter, "the Code", ", as amended,", None)
            .anchor(text)
            .unwrap();
        assert_eq!(
            comma.apply(text).unwrap().text(),
            "Adherence to the Code, as amended, is encouraged."
        );
    }

    #[test]
    fn deletions_leave_no_double_space() {
        let text = "States should to the extent possible comply.";
        let e = edit(WordAction::Delete, "to the extent possible", "", None)
            .anchor(text)
            .unwrap();
        let applied = e.apply(text).unwrap();
        assert_eq!(applied.deleted, " to the extent possible");
        assert_eq!(applied.text(), "States should comply.");
        let last = edit(WordAction::Delete, "fully", "", None)
            .anchor("Comply fully.")
            .unwrap();
        assert_eq!(last.apply("Comply fully.").unwrap().text(), "Comply.");
        let first = edit(WordAction::Delete, "All", "", None)
            .anchor("All States comply.")
            .unwrap();
        assert_eq!(
            first.apply("All States comply.").unwrap().text(),
            "States comply."
        );
    }

    #[test]
    fn empty_or_unchanged_words_are_refused() {
        for (action, words, by, err) in [
            (
                WordAction::Replace,
                "shall",
                "  ",
                WordsError::NoNewWords(WordAction::Replace),
            ),
            (
                WordAction::InsertAfter,
                "shall",
                "",
                WordsError::NoNewWords(WordAction::InsertAfter),
            ),
            (WordAction::Delete, " ", "", WordsError::NoWords),
            (WordAction::Replace, "shall", "shall", WordsError::Unchanged),
        ] {
            assert_eq!(edit(action, words, by, None).anchor(TEXT), Err(err));
        }
        let err = edit(WordAction::Replace, "must", "should", None)
            .anchor(TEXT)
            .unwrap_err();
        assert!(matches!(err, WordsError::NotFound { .. }));
    }

    #[test]
    fn words_beyond_ascii_are_cut_on_character_boundaries() {
        let text = "Les États membres doivent, dans la mesure du possible, coopérer.";
        let e = edit(WordAction::Replace, "doivent", "devraient", None)
            .anchor(text)
            .unwrap();
        assert_eq!(e.context_before, "Les États membres ");
        assert_eq!(
            e.apply(text).unwrap().text(),
            "Les États membres devraient, dans la mesure du possible, coopérer."
        );
        // "État" is not a whole word of "États".
        assert!(occurrences(text, "État").is_empty());
        let long = "é".repeat(100) + " mot " + &"è".repeat(100);
        let e = edit(WordAction::Delete, "mot", "", None)
            .anchor(&long)
            .unwrap();
        assert_eq!(e.context_before.chars().count(), CONTEXT_CHARS);
        assert_eq!(e.context_after.chars().count(), CONTEXT_CHARS);
    }

    #[test]
    fn told_in_words() {
        assert_eq!(
            edit(WordAction::Replace, "shall", "should", Some(2)).to_string(),
            "replace the 2nd \"shall\" by \"should\""
        );
        assert_eq!(
            edit(WordAction::InsertAfter, "the Code is", "voluntary", None).to_string(),
            "insert \"voluntary\" after \"the Code is\""
        );
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(23), "23rd");
    }
}
