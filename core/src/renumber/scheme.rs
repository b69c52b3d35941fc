//! Numbering schemes: what a label is made of (`Article ` + 5, `(` + b + `)`, 7.2 under its
//! parent), and numerals written back in the same system.

/// A numeral system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum System {
    /// 1, 2, 3.
    Arabic,
    /// a, b, … z, aa, bb, … (upper case when `upper`).
    Letter {
        /// Capitals.
        upper: bool,
    },
    /// i, ii, iii, iv (upper case when `upper`).
    Roman {
        /// Capitals.
        upper: bool,
    },
    /// `7.2`, `7.2.1`: the parent's number, a dot, and the clause's place.
    Dotted,
}

/// The numbered body of a label, before its system is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Body {
    /// Digits.
    Arabic(u64),
    /// Letters, one case: a letter numeral or a roman one, as the siblings tell.
    Alpha(String),
    /// Numbers joined by dots: the head (all but the last) and the last.
    Dotted(Vec<u64>),
}

/// A label taken apart: `Article ` `5` ` bis` ``; `(` `b` `` `)`; `` `7.2` `` `.`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// What comes before the number: `Article `, `§ `, `(`, `PP`, or nothing.
    pub prefix: String,
    /// The number.
    pub body: Body,
    /// A letter or Latin word marking an inserted provision: `a` in `§ 312a`, ` bis`.
    pub insertion: String,
    /// What comes after: `)`, `.`, `).`, `:` or nothing.
    pub suffix: String,
}

/// Latin insertion words (`Article 5 bis`).
const LATIN: &[&str] = &[
    "bis",
    "ter",
    "quater",
    "quinquies",
    "sexies",
    "septies",
    "octies",
    "novies",
    "nonies",
    "decies",
];

const SUFFIXES: &[&str] = &[").", ")", ".", ":"];

/// Take a label apart, or `None` when it follows no numbering scheme this module knows.
pub(crate) fn parse(label: &str) -> Option<Parsed> {
    let label = label.trim();
    if label.is_empty() {
        return None;
    }
    if let Some(p) = parse_dotted(label) {
        return Some(p);
    }
    let (rest, suffix) = split_suffix(label);
    match rest.find(|c: char| c.is_ascii_digit()) {
        Some(first) => {
            let prefix = &rest[..first];
            let digits_end = rest[first..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(rest.len(), |i| first + i);
            let n: u64 = rest[first..digits_end].parse().ok()?;
            let insertion = &rest[digits_end..];
            if !is_insertion(insertion) || !prefix_fits(prefix, suffix) {
                return None;
            }
            Some(Parsed {
                prefix: prefix.to_string(),
                body: Body::Arabic(n),
                insertion: insertion.to_string(),
                suffix: suffix.to_string(),
            })
        }
        None => {
            let start = rest
                .rfind(|c: char| !c.is_ascii_alphabetic())
                .map_or(0, |i| {
                    i + rest[i..].chars().next().map_or(1, char::len_utf8)
                });
            let (prefix, letters) = rest.split_at(start);
            let one_case = letters.chars().all(|c| c.is_ascii_lowercase())
                || letters.chars().all(|c| c.is_ascii_uppercase());
            let bare = prefix.is_empty() && suffix.is_empty();
            if letters.is_empty()
                || letters.len() > 8
                || !one_case
                || (bare && letters.len() > 4)
                || !(prefix.is_empty() || prefix == "(" || prefix.ends_with(' '))
                || !prefix_fits(prefix, suffix)
                || !(letter_value(letters).is_some() || roman_value(letters).is_some())
            {
                return None;
            }
            Some(Parsed {
                prefix: prefix.to_string(),
                body: Body::Alpha(letters.to_string()),
                insertion: String::new(),
                suffix: suffix.to_string(),
            })
        }
    }
}

/// `7.2`, `7.2.1`, `7.2a`, `1.1.`: digits joined by dots, an optional inserted letter and an
/// optional final dot.
fn parse_dotted(label: &str) -> Option<Parsed> {
    let (rest, suffix) = match label.strip_suffix('.') {
        Some(r) => (r, "."),
        None => (label, ""),
    };
    let (numbers, insertion) = match rest.char_indices().last() {
        Some((i, c)) if c.is_ascii_lowercase() => (&rest[..i], &rest[i..]),
        _ => (rest, ""),
    };
    let parts: Vec<u64> = numbers
        .split('.')
        .map(|p| {
            if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        })
        .collect::<Option<_>>()?;
    if parts.len() < 2 {
        return None;
    }
    Some(Parsed {
        prefix: String::new(),
        body: Body::Dotted(parts),
        insertion: insertion.to_string(),
        suffix: suffix.to_string(),
    })
}

fn split_suffix(label: &str) -> (&str, &'static str) {
    for s in SUFFIXES {
        if let Some(rest) = label.strip_suffix(s) {
            if !rest.is_empty() {
                return (rest, s);
            }
        }
    }
    (label, "")
}

/// A prefix that opens a parenthesis needs a suffix that closes it; a prefix has no digits and
/// no closing parenthesis.
fn prefix_fits(prefix: &str, suffix: &str) -> bool {
    !prefix.contains(')')
        && !prefix.chars().any(|c| c.is_ascii_digit())
        && (!prefix.ends_with('(') || suffix.starts_with(')'))
}

/// What may follow a number to mark an insertion: nothing, one or two lower-case letters
/// (`312a`, `9aa`), or a Latin word with or without a space (`5 bis`, `5bis`).
pub(crate) fn is_insertion(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    if s.len() <= 2 && s.chars().all(|c| c.is_ascii_lowercase()) {
        return true;
    }
    is_latin(s.strip_prefix(' ').unwrap_or(s))
}

/// A Latin word of insertion: `bis`, `ter`, `quater` …
pub(crate) fn is_latin(word: &str) -> bool {
    LATIN.contains(&word.to_ascii_lowercase().as_str())
}

/// The value of a letter numeral: a = 1 … z = 26, aa = 27 … zz = 52, aaa = 53 …
pub(crate) fn letter_value(s: &str) -> Option<u64> {
    let first = s.chars().next()?;
    if !first.is_ascii_alphabetic() || s.chars().any(|c| c != first) {
        return None;
    }
    let pos = u64::from(first.to_ascii_lowercase() as u8 - b'a') + 1;
    Some((s.len() as u64 - 1) * 26 + pos)
}

/// A letter numeral: 1 = a … 26 = z, 27 = aa …
pub(crate) fn letter(n: u64, upper: bool) -> String {
    let n = n.max(1) - 1;
    let c = (b'a' + (n % 26) as u8) as char;
    let c = if upper { c.to_ascii_uppercase() } else { c };
    std::iter::repeat_n(c, (n / 26 + 1) as usize).collect()
}

/// The value of a roman numeral written the usual way (`iv`, not `iiii`), either case.
pub(crate) fn roman_value(s: &str) -> Option<u64> {
    crate::import::numbering::roman_value(s).map(u64::from)
}

/// A roman numeral.
pub(crate) fn roman(n: u64, upper: bool) -> String {
    let out = crate::import::numbering::to_roman(n);
    if upper {
        out.to_ascii_uppercase()
    } else {
        out
    }
}

/// A number written in a system (not dotted: a dotted number is its head and its place).
pub(crate) fn numeral(n: u64, system: System) -> String {
    match system {
        System::Arabic | System::Dotted => n.to_string(),
        System::Letter { upper } => letter(n, upper),
        System::Roman { upper } => roman(n, upper),
    }
}

/// Whether a run of letter bodies (all of one sibling list, prefix and suffix) reads as roman
/// numerals rather than letters: every one is a roman numeral and they stay small, as a list
/// numbered i, ii, iii does (`(c)`, `(d)` are letters; `(i)` alone is roman; `(h)`, `(i)` are
/// letters because `h` is not roman).
pub(crate) fn reads_as_roman(bodies: &[&str]) -> bool {
    let values: Option<Vec<u64>> = bodies.iter().map(|b| roman_value(b)).collect();
    match values {
        Some(v) if !v.is_empty() => {
            let max = v.iter().copied().max().unwrap_or(0);
            max <= v.len() as u64 + 2
        }
        _ => false,
    }
}
