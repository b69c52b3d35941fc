//! Recognising numbers as drafts print them: the label of a heading (`Article 5 — Title`,
//! `§ 312i Anwendungsbereich`, `Chapter II`), and the typed number at the start of a paragraph
//! (`1.1`, `(1)`, `9a.`, `(a)`, `i)`), with its numbering style.

use crate::event::ClauseKind;

/// How a number is written: its digits (or letters) and the marks around them. Two numbers of
/// the same style are siblings; a number of a new style opens a level below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Style {
    /// `1.1`, `1.1.2`: dotted decimals, by how many parts they have.
    Decimal(usize),
    /// `9a.`, `a.`, `IV.`, and the items of a Markdown list written `1.`.
    Dot(Digits),
    /// `(1)`, `(a)`, `(i)`, `(1a)`, `(aa)`.
    Paren(Digits),
    /// `a)`, `i)`, `1a)`, and the items of a Markdown list written `1)`.
    Close(Digits),
    /// The items of a Markdown list under `Article N`, labelled `N.k` whatever their marker.
    ArticleList,
}

/// The digits of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Digits {
    /// 1, 2, 9a.
    Arabic,
    /// a, b, aa.
    Lower,
    /// A, B.
    Upper,
    /// i, ii, iv.
    LowerRoman,
    /// I, II, IV.
    UpperRoman,
}

/// A typed number found at the start of a paragraph, before its style is settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Typed {
    /// The label it gives: the number as printed, less a trailing `.` after decimals (`1.1.`
    /// gives `1.1`); `9a.`, `(a)`, `a)` are kept whole.
    pub label: String,
    /// The number without its marks: "1.1", "9a", "a", "iv".
    pub token: String,
    /// Its marks: which style family it belongs to, letters and roman numerals not yet told
    /// apart (both are `Lower`/`Upper` here).
    pub style: Style,
    /// Bytes of the text the number takes, with the spaces after it.
    pub len: usize,
}

/// The typed number at the start of `text`, if it starts with one followed by a space (or is
/// nothing but the number).
pub(crate) fn typed_number(text: &str) -> Option<Typed> {
    let b = text.as_bytes();
    let mut end;
    let (token, style, label_end);
    if b.first() == Some(&b'(') {
        end = 1 + alnum_len(&text[1..]);
        if end == 1 || b.get(end) != Some(&b')') {
            return None;
        }
        token = &text[1..end];
        style = Style::Paren(digits_of(token)?);
        end += 1;
        label_end = end;
    } else {
        let n = alnum_len(text);
        if n == 0 {
            return None;
        }
        // Dotted decimals: 1.1, 1.1.2, 5.1a.
        let mut parts = 1;
        end = n;
        if text[..n].bytes().all(|c| c.is_ascii_digit()) {
            while b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
                end += 1 + alnum_len(&text[end + 1..]);
                parts += 1;
            }
        }
        if parts > 1 {
            token = &text[..end];
            if !decimal_ok(token) {
                return None;
            }
            style = Style::Decimal(parts);
            label_end = end;
            if b.get(end) == Some(&b'.') {
                end += 1;
            }
        } else {
            token = &text[..n];
            let digits = digits_of(token)?;
            match b.get(n) {
                Some(b'.') => {
                    // "a." and "IV." only for single letters and roman numerals: "ca." or
                    // "No." are words.
                    if matches!(digits, Digits::Lower | Digits::Upper)
                        && token.len() > 1
                        && !is_roman(token)
                    {
                        return None;
                    }
                    style = Style::Dot(digits);
                }
                Some(b')') => style = Style::Close(digits),
                _ => return None,
            }
            end = n + 1;
            label_end = end;
        }
    }
    let rest = &text[end..];
    let spaces = rest.len() - rest.trim_start().len();
    if spaces == 0 && !rest.is_empty() {
        return None;
    }
    Some(Typed {
        label: text[..label_end].to_string(),
        token: token.to_string(),
        style,
        len: end + spaces,
    })
}

fn alnum_len(s: &str) -> usize {
    s.bytes()
        .take_while(u8::is_ascii_alphanumeric)
        .count()
        .min(12)
}

/// The digits of a token: digits with an optional letter suffix (`9a`), or letters of one
/// case (`a`, `aa`, `iv`, `IV`), a few at most.
fn digits_of(token: &str) -> Option<Digits> {
    let b = token.as_bytes();
    let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if lead > 0 {
        let suffix = &b[lead..];
        return (lead <= 4 && suffix.len() <= 2 && suffix.iter().all(u8::is_ascii_lowercase))
            .then_some(Digits::Arabic);
    }
    if b.len() > 6 {
        return None;
    }
    if b.iter().all(u8::is_ascii_lowercase) {
        // A word ("see", "and") is not a number: letters are one letter repeated, or a roman
        // numeral.
        (b.iter().all(|c| *c == b[0]) || is_roman(token)).then_some(Digits::Lower)
    } else if b.iter().all(u8::is_ascii_uppercase) {
        (b.iter().all(|c| *c == b[0]) || is_roman(token)).then_some(Digits::Upper)
    } else {
        None
    }
}

fn decimal_ok(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.iter().all(|p| {
        let lead = p.bytes().take_while(u8::is_ascii_digit).count();
        lead > 0
            && lead <= 4
            && p[lead..].bytes().all(|c| c.is_ascii_lowercase())
            && p.len() - lead <= 2
    }) && parts[..parts.len() - 1]
        .iter()
        .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
}

/// Whether a token of letters is a roman numeral (of any case).
pub(crate) fn is_roman(token: &str) -> bool {
    roman_value(token).is_some()
}

/// The value of a roman numeral, if the token is a well-formed one (up to 3999).
pub(crate) fn roman_value(token: &str) -> Option<u32> {
    if token.is_empty() || token.len() > 12 {
        return None;
    }
    let value = |c: u8| match c.to_ascii_lowercase() {
        b'i' => Some(1),
        b'v' => Some(5),
        b'x' => Some(10),
        b'l' => Some(50),
        b'c' => Some(100),
        b'd' => Some(500),
        b'm' => Some(1000),
        _ => None,
    };
    let vals: Option<Vec<u32>> = token.bytes().map(value).collect();
    let vals = vals?;
    let mut total = 0;
    for (i, v) in vals.iter().enumerate() {
        if vals.get(i + 1).is_some_and(|n| n > v) {
            total -= *v as i64;
        } else {
            total += *v as i64;
        }
    }
    let total = u32::try_from(total).ok().filter(|t| *t > 0)?;
    // Well-formed only: the canonical spelling of the value.
    (to_roman(u64::from(total)).eq_ignore_ascii_case(token)).then_some(total)
}

/// A number as a lowercase roman numeral, spelled the usual way (`iv`, not `iiii`).
pub(crate) fn to_roman(mut n: u64) -> String {
    const TABLE: [(u64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// A number's place in its sequence, to tell whether one follows another: (main value, suffix
/// rank). `9a` is (9, 1), `9` is (9, 0), `(c)` is (3, 0), `(iv)` is (4, 0), `1.2` is (2, 0).
pub(crate) fn ordinal(token: &str, digits: Option<Digits>) -> Option<(u32, u32)> {
    match digits {
        Some(Digits::LowerRoman | Digits::UpperRoman) => roman_value(token).map(|v| (v, 0)),
        Some(Digits::Lower | Digits::Upper) => {
            let b = token.as_bytes();
            let letter = u32::from(b[0].to_ascii_lowercase() - b'a') + 1;
            Some((letter + 26 * (b.len() as u32 - 1), 0))
        }
        _ => {
            let last = token.rsplit('.').next().unwrap_or(token);
            let lead = last.bytes().take_while(u8::is_ascii_digit).count();
            let n: u32 = last[..lead].parse().ok()?;
            let suffix = last[lead..]
                .bytes()
                .fold(0, |acc, c| acc * 26 + u32::from(c - b'a') + 1);
            Some((n, suffix))
        }
    }
}

/// Whether `next` follows `prev` in a numbering: the next value (`(b)` after `(a)`, `10` after
/// `9a`), or an inserted one (`9a` after `9`, `9b` after `9a`).
pub(crate) fn follows(prev: (u32, u32), next: (u32, u32)) -> bool {
    next == (prev.0 + 1, 0) || next == (prev.0, prev.1 + 1)
}

/// The label, heading and kind a heading's text gives: `Article 5 — Objectives` gives
/// (`Article 5`, `Objectives`, article); `Preamble` gives (`Preamble`, none, hcontainer).
pub(crate) fn heading_label(text: &str) -> (String, Option<String>, ClauseKind) {
    let whole = || (text.to_string(), None, ClauseKind::Hcontainer);
    if let Some((label_len, kind)) = worded_number(text)
        .or_else(|| ordinal_word(text))
        .or_else(|| bare_number(text))
    {
        let label = text[..label_len]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let rest = text[label_len..].trim_start();
        let rest = rest
            .strip_prefix(['—', '–', '-', ':', '.'])
            .unwrap_or(rest)
            .trim();
        let heading = (!rest.is_empty()).then(|| rest.to_string());
        return (label, heading, kind);
    }
    whole()
}

/// Words that name a level of a text, and the kind they give.
const WORDS: &[(&str, ClauseKind)] = &[
    ("book", ClauseKind::Book),
    ("buch", ClauseKind::Book),
    ("livre", ClauseKind::Book),
    ("part", ClauseKind::Part),
    ("teil", ClauseKind::Part),
    ("partie", ClauseKind::Part),
    ("title", ClauseKind::Title),
    ("titel", ClauseKind::Title),
    ("titre", ClauseKind::Title),
    ("chapter", ClauseKind::Chapter),
    ("kapitel", ClauseKind::Chapter),
    ("chapitre", ClauseKind::Chapter),
    ("section", ClauseKind::Section),
    ("abschnitt", ClauseKind::Section),
    ("subsection", ClauseKind::Subsection),
    ("sub-section", ClauseKind::Subsection),
    ("sous-section", ClauseKind::Subsection),
    ("unterabschnitt", ClauseKind::Subsection),
    ("untertitel", ClauseKind::Subsection),
    ("article", ClauseKind::Article),
    ("art.", ClauseKind::Article),
    ("art", ClauseKind::Article),
    ("artikel", ClauseKind::Article),
    ("rule", ClauseKind::Article),
    ("§§", ClauseKind::Article),
    ("§", ClauseKind::Article),
    ("annex", ClauseKind::Hcontainer),
    ("annexe", ClauseKind::Hcontainer),
    ("anhang", ClauseKind::Hcontainer),
    ("anlage", ClauseKind::Hcontainer),
    ("appendix", ClauseKind::Hcontainer),
    ("schedule", ClauseKind::Hcontainer),
];

const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "premier",
    "première",
    "unique",
    "preliminary",
    "préliminaire",
];

/// `Article 5`, `§ 312i`, `§§ 5 bis 7`, `Chapter II`, `Part Three`: the length of the label
/// and the kind of its word.
fn worded_number(text: &str) -> Option<(usize, ClauseKind)> {
    // The words are ASCII or `§`: compared byte for byte, ignoring ASCII case (lowercasing the
    // whole heading could change its length: `K`, KELVIN SIGN, lowercases to `k`).
    let (word, kind) = WORDS.iter().find(|(w, _)| {
        text.get(..w.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(w))
            && {
                let after = &text[w.len()..];
                after.starts_with(char::is_whitespace)
                    || (w.starts_with('§') || w.ends_with('.'))
                        && after.starts_with(|c: char| c.is_ascii_digit())
            }
    })?;
    let at = word.len() + (text.len() - word.len() - text[word.len()..].trim_start().len());
    let first = number_len(&text[at..])?;
    let mut end = at + first;
    if *word == "§§" {
        // A range or list: "5 bis 7", "5 to 7", "5-7", "5, 6".
        for joiner in [
            " bis ", " to ", " und ", " and ", "-", "–", " - ", " – ", ", ",
        ] {
            if let Some(rest) = text[end..].strip_prefix(joiner) {
                if let Some(n) = number_len(rest) {
                    end += joiner.len() + n;
                    break;
                }
            }
        }
    }
    Some((end, *kind))
}

/// Ordinals written before the word, as German laws number their parts (`Erster Abschnitt`,
/// `Zweites Buch`, `Dritter Teil`): the stems, to which `-er`, `-es`, `-e` or `-en` are added.
const ORDINAL_STEMS: &[&str] = &[
    "erst",
    "zweit",
    "dritt",
    "viert",
    "fünft",
    "sechst",
    "siebt",
    "siebent",
    "acht",
    "neunt",
    "zehnt",
    "elft",
    "zwölft",
    "dreizehnt",
    "vierzehnt",
    "fünfzehnt",
    "sechzehnt",
    "siebzehnt",
    "achtzehnt",
    "neunzehnt",
    "zwanzigst",
];

/// `Erster Abschnitt`, `Zweites Buch`, `First Part`: an ordinal, then a word that names a level.
/// The length of the label and the kind of its word.
fn ordinal_word(text: &str) -> Option<(usize, ClauseKind)> {
    let first: String = text.chars().take_while(|c| c.is_alphabetic()).collect();
    let lower = first.to_lowercase();
    let german = ["er", "es", "en", "e"].iter().any(|end| {
        lower
            .strip_suffix(end)
            .is_some_and(|stem| ORDINAL_STEMS.contains(&stem))
    });
    let english = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ]
    .contains(&lower.as_str());
    if !(german || english) {
        return None;
    }
    let after = &text[first.len()..];
    let rest = after.trim_start();
    if rest.len() == after.len() {
        return None;
    }
    let at = text.len() - rest.len();
    let word: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    let kind = WORDS
        .iter()
        .find(|(w, _)| w.chars().all(char::is_alphabetic) && word.to_lowercase() == *w)
        .map(|(_, k)| *k)?;
    let mut end = at + word.len();
    // A label made unique among its siblings (`Zwölfter Abschnitt-2`).
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    if let Some(n) = text[end..].strip_prefix('-').map(digits).filter(|n| *n > 0) {
        end += 1 + n;
    }
    let tail = &text[end..];
    let ok = tail.is_empty()
        || tail.starts_with(char::is_whitespace)
        || tail.starts_with(['—', '–', '-', ':', '.', ',']);
    ok.then_some((end, kind))
}

/// A heading that starts with a number of its own: `1. Scope`, `1.2 Terms`, `IV. Final`.
fn bare_number(text: &str) -> Option<(usize, ClauseKind)> {
    let t = typed_number(text)?;
    Some((t.label.len(), ClauseKind::Hcontainer))
}

/// The length of a number written after a word: `5`, `312i`, `5.1`, `II`, `Ier`, `Three`.
fn number_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let n = if digits > 0 {
        let mut end = digits;
        while b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end += 1 + b[end + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
        }
        end += b[end..]
            .iter()
            .take_while(|c| c.is_ascii_lowercase())
            .count()
            .min(6);
        // Numbers joined by hyphens, as inserted articles are numbered (`Article 37-1`,
        // `L. 123-4`), and as a label made unique is (`§ 55-2`).
        while b.get(end) == Some(&b'-') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end += 1 + b[end + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
        }
        end
    } else {
        let word: String = s.chars().take_while(|c| c.is_alphabetic()).collect();
        let lower = word.to_lowercase();
        let roman = lower.strip_suffix("er").unwrap_or(&lower);
        let single_letter = word.chars().count() == 1 && word.chars().all(|c| c.is_uppercase());
        if NUMBER_WORDS.contains(&lower.as_str())
            || (word.chars().all(|c| c.is_ascii_uppercase()) && is_roman(&word))
            || (word.starts_with(|c: char| c.is_ascii_uppercase()) && is_roman(roman))
            || single_letter
        {
            // A label made unique among its siblings (`Titre X-2`).
            let mut end = word.len();
            while b.get(end) == Some(&b'-') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
                end += 1 + b[end + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
            }
            end
        } else {
            return None;
        }
    };
    // The number ends the heading, or is followed by a space or a separator.
    let after = &s[n..];
    let ok = after.is_empty()
        || after.starts_with(char::is_whitespace)
        || after.starts_with(['—', '–', '-', ':', '.', ','])
        || after.starts_with(')');
    (n > 0 && ok).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_of_every_style_are_read() {
        let cases = [
            ("1.1 The objectives", "1.1", Style::Decimal(2)),
            ("1.1.2 Sub", "1.1.2", Style::Decimal(3)),
            ("1.1. Dotted", "1.1", Style::Decimal(2)),
            ("(1) Para", "(1)", Style::Paren(Digits::Arabic)),
            ("(1a) Inserted", "(1a)", Style::Paren(Digits::Arabic)),
            ("9a. Inserted", "9a.", Style::Dot(Digits::Arabic)),
            ("(a) point", "(a)", Style::Paren(Digits::Lower)),
            ("(aa) point", "(aa)", Style::Paren(Digits::Lower)),
            ("a) point", "a)", Style::Close(Digits::Lower)),
            ("(i) roman", "(i)", Style::Paren(Digits::Lower)),
            ("(iv) roman", "(iv)", Style::Paren(Digits::Lower)),
            ("i) roman", "i)", Style::Close(Digits::Lower)),
            ("IV. Upper", "IV.", Style::Dot(Digits::Upper)),
            ("(A) Upper", "(A)", Style::Paren(Digits::Upper)),
            ("(2)", "(2)", Style::Paren(Digits::Arabic)),
        ];
        for (text, label, style) in cases {
            let t = typed_number(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((t.label.as_str(), t.style), (label, style), "{text}");
        }
        for text in [
            "(see above) it",
            "No. 5",
            "ca. 5",
            "1990 was",
            "(1)text",
            "Member States",
            "1,5 million",
            "(and) so",
        ] {
            assert_eq!(typed_number(text), None, "{text}");
        }
    }

    #[test]
    fn headings_split_into_label_heading_and_kind() {
        use ClauseKind::*;
        let cases: &[(&str, &str, Option<&str>, ClauseKind)] = &[
            ("Article 5", "Article 5", None, Article),
            ("Article 5 — Title", "Article 5", Some("Title"), Article),
            ("Article 5. Title", "Article 5", Some("Title"), Article),
            ("Art 5", "Art 5", None, Article),
            ("Art. 5", "Art. 5", None, Article),
            ("§ 5 Title", "§ 5", Some("Title"), Article),
            (
                "§ 312i Anwendungsbereich",
                "§ 312i",
                Some("Anwendungsbereich"),
                Article,
            ),
            (
                "§§ 5 bis 7 (weggefallen)",
                "§§ 5 bis 7",
                Some("(weggefallen)"),
                Article,
            ),
            ("Artikel 5", "Artikel 5", None, Article),
            ("Article premier", "Article premier", None, Article),
            ("Rule 12", "Rule 12", None, Article),
            ("Section 3", "Section 3", None, Section),
            ("Chapter II", "Chapter II", None, Chapter),
            ("CHAPTER II – TITLE", "CHAPTER II", Some("TITLE"), Chapter),
            ("Part Three", "Part Three", None, Part),
            ("Title IV", "Title IV", None, Title),
            ("Book 2", "Book 2", None, Book),
            (
                "Buch 1 Allgemeiner Teil",
                "Buch 1",
                Some("Allgemeiner Teil"),
                Book,
            ),
            ("Teil 2", "Teil 2", None, Part),
            ("Abschnitt 3", "Abschnitt 3", None, Section),
            (
                "Erster Abschnitt - Erwerb der Mitgliedschaft",
                "Erster Abschnitt",
                Some("Erwerb der Mitgliedschaft"),
                Section,
            ),
            ("Zweites Buch", "Zweites Buch", None, Book),
            (
                "Zwölfter Abschnitt-2 — (weggefallen)",
                "Zwölfter Abschnitt-2",
                Some("(weggefallen)"),
                Section,
            ),
            ("Article 37-1", "Article 37-1", None, Article),
            ("BOO\u{212A} 1", "BOO\u{212A} 1", None, Hcontainer),
            ("§ 55-2 Aufgaben", "§ 55-2", Some("Aufgaben"), Article),
            ("Article 5 - Scope", "Article 5", Some("Scope"), Article),
            (
                "Zwölfter Abschnitt - (weggefallen)",
                "Zwölfter Abschnitt",
                Some("(weggefallen)"),
                Section,
            ),
            ("First Part — General", "First Part", Some("General"), Part),
            ("Erstens ist das so", "Erstens ist das so", None, Hcontainer),
            ("Unterabschnitt 1", "Unterabschnitt 1", None, Subsection),
            ("Titel 1", "Titel 1", None, Title),
            ("Kapitel 4", "Kapitel 4", None, Chapter),
            ("Untertitel 2", "Untertitel 2", None, Subsection),
            ("Chapitre I", "Chapitre I", None, Chapter),
            ("Titre II", "Titre II", None, Title),
            ("Sous-section 2", "Sous-section 2", None, Subsection),
            ("Livre Ier", "Livre Ier", None, Book),
            ("Preamble", "Preamble", None, Hcontainer),
            ("Annex", "Annex", None, Hcontainer),
            ("Annex I — Forms", "Annex I", Some("Forms"), Hcontainer),
            (
                "Articles of association",
                "Articles of association",
                None,
                Hcontainer,
            ),
            (
                "Section three: Scope",
                "Section three",
                Some("Scope"),
                Section,
            ),
            ("1.2 Terms", "1.2", Some("Terms"), Hcontainer),
        ];
        for (text, label, heading, kind) in cases {
            let (l, h, k) = heading_label(text);
            assert_eq!(
                (l.as_str(), h.as_deref(), k),
                (*label, *heading, *kind),
                "{text}"
            );
        }
    }

    #[test]
    fn roman_numerals_and_ordinals() {
        assert_eq!(roman_value("iv"), Some(4));
        assert_eq!(roman_value("XIV"), Some(14));
        assert_eq!(roman_value("iiii"), None);
        assert_eq!(roman_value("cd"), Some(400));
        assert!(follows((9, 0), (9, 1)));
        assert!(follows((9, 1), (10, 0)));
        assert!(!follows((1, 0), (3, 0)));
        assert_eq!(ordinal("9a", Some(Digits::Arabic)), Some((9, 1)));
        assert_eq!(ordinal("c", Some(Digits::Lower)), Some((3, 0)));
        assert_eq!(ordinal("5.2", None), Some((2, 0)));
    }
}
