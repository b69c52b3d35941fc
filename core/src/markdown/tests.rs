//! Tests of the Markdown rendering: what a draft imports as, it renders as, and reads back.

use super::markdown;
use crate::document::DocumentState;
use crate::ids::ClauseId;
use crate::import::{parse_draft, plan_revision, Draft, DraftClause};
use crate::tests::World;
use crate::{Command, ParticipantId};

/// Record a draft as the document's next revision (with its title).
pub(crate) fn record(w: &mut World, s: ParticipantId, draft: &Draft) {
    let doc = w.doc().clone();
    let plan = plan_revision(&doc, draft, &mut || ClauseId(w.id()));
    let title = draft.title.clone().filter(|t| *t != doc.title);
    if !plan.is_empty() || title.is_some() {
        w.run(
            s,
            Command::IssueRevision {
                label: None,
                title,
                ops: plan.ops.clone(),
            },
        )
        .unwrap();
    }
}

/// The tree without lines, kinds and metadata: what a rendering must give back.
pub(crate) fn shape(d: &Draft) -> (Option<String>, Vec<Shape>) {
    fn walk(cs: &[DraftClause]) -> Vec<Shape> {
        cs.iter()
            .map(|c| Shape {
                label: c.label.clone(),
                heading: c.heading.clone(),
                text: c.text.clone(),
                kind: c.kind.map(|k| k.name().to_string()),
                notes: c
                    .notes
                    .iter()
                    .map(|n| (n.mark.clone(), n.text.clone()))
                    .collect(),
                children: walk(&c.children),
            })
            .collect()
    }
    (d.title.clone(), walk(&d.clauses))
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    label: String,
    heading: Option<String>,
    text: String,
    kind: Option<String>,
    notes: Vec<(String, String)>,
    children: Vec<Shape>,
}

/// Import `md`, render the document, and check the rendering reads back as the same tree and
/// that importing it plans nothing. Returns the rendering.
pub(crate) fn round_trip(md: &str) -> String {
    let (mut w, s) = World::with_document();
    let draft = parse_draft(md.as_bytes()).unwrap();
    record(&mut w, s, &draft);
    let out = markdown(w.doc(), None);
    let again = parse_draft(out.as_bytes())
        .unwrap_or_else(|e| panic!("the rendering does not read: {e}\n{out}"));
    let mut want = shape(&draft);
    if want.0.is_none() {
        want.0 = Some(w.doc().title.clone());
    }
    assert_eq!(shape(&again), want, "rendering:\n{out}");
    let doc: DocumentState = w.doc().clone();
    let plan = plan_revision(&doc, &again, &mut || ClauseId(uuid::Uuid::nil()));
    assert!(plan.is_empty(), "re-importing plans {:?}\n{out}", plan.ops);
    out
}

pub(crate) const GERMAN: &str = "\
---
title: Bürgerliches Gesetzbuch
---

## Buch 1 Allgemeiner Teil

### Abschnitt 3 Rechtsgeschäfte

#### § 312 Anwendungsbereich

(1) Die Vorschriften dieses **Kapitels** sind *nur* anzuwenden:

1. auf Verträge,
2. auf andere[^1],

9a. eingefügt,

10. zehn.

(2) Zweiter Absatz:

a) erstens

b) zweitens

(3) Dritter

| a | b |
|---|---|
| 1 | 2 |

#### § 312i Allgemeine Pflichten

Text vor den Absätzen.

(1) Eins.

[^1]: Fußnote eins.
";

#[test]
fn a_german_code_renders_as_it_was_written() {
    let out = round_trip(GERMAN);
    assert!(out.starts_with("# Bürgerliches Gesetzbuch\n"), "{out}");
    for line in [
        "## Buch 1 — Allgemeiner Teil",
        "#### § 312 — Anwendungsbereich",
        "(1) Die Vorschriften dieses **Kapitels** sind *nur* anzuwenden:",
        "1. auf Verträge,",
        "9a. eingefügt,",
        "10. zehn.",
        "a) erstens",
        "   [^1]: Fußnote eins.",
        "| 1 | 2 |",
    ] {
        assert!(out.lines().any(|l| l == line), "no line {line:?} in\n{out}");
    }
}

const WHO: &str = "\
# Code

Recognizing the shortage.

## Article 5 — Health workforce

1. Member States should use this Code:
   - (a) effective assistance;
   - (b) support for training.
2. Second.

## Article 6

1. One.
3. Three.
";

#[test]
fn the_example_form_renders_as_it_was_written() {
    let out = round_trip(WHO);
    // The same file, but that the third item of Article 6 is its second (Markdown numbers a
    // list's items by place).
    assert_eq!(out, WHO.replace("3. Three.", "2. Three."));
}

#[test]
fn typed_numbering_renders_as_paragraphs() {
    let md = "\
# Code

## Article 1 — Objectives

1.1 The objectives of this Code are to:

(a) establish principles;

(b) serve as a reference:

(i) one;

(ii) two.

1.2 Second.

1.2.1 Deeper.
";
    let out = round_trip(md);
    // `1.1` under `Article 1` is the label a list item there has: it is written as one.
    assert!(
        out.contains("\n1. The objectives of this Code are to:\n   - (a) establish principles;\n"),
        "{out}"
    );
    assert!(out.contains("\n2. Second.\n   - 1.2.1 Deeper.\n"), "{out}");
    let md = "\
# Code

## § 1 Zweck

(1) Erstens:

1. eins;

a) Buchstabe;

(i) roman;

(2) Zweitens.
";
    let out = round_trip(md);
    // What is under a list item is written inside it.
    assert!(
        out.contains(
            "\n(1) Erstens:\n\n1. eins;\n   - a) Buchstabe;\n     - (i) roman;\n\n(2) Zweitens.\n"
        ),
        "{out}"
    );
}

#[test]
fn six_levels_of_headings_render_with_front_matter() {
    let md = "\
# Part 1

## Chapter 1

### Section 1

#### Subsection 1

##### Article 1

###### Annex A

(1) Deep.

# Part 2
";
    let out = round_trip(md);
    assert!(out.starts_with("---\ntitle:"), "{out}");
}

#[test]
fn nesting_that_typed_numbers_cannot_say_is_written_as_lists() {
    // (b) under (a): only a nested list says so.
    let md = "\
# Code

## Article 1

- (a) first
  - (b) inner
- (c) third

## Article 2

- (1) one
- (a) a sibling of (1), by the list
";
    let out = round_trip(md);
    assert!(out.ends_with(md.trim_start_matches("# Code\n")), "{out}");
}

#[test]
fn constructs_kept_as_text_render_back() {
    let md = "\
# Code

## Article 1

(1) A table:

| a | b |
|---|---|
| 1 | 2 |

> A quote
> on two lines.

```text
code *kept*
```

<div>html</div>

Term
: Definition.

- an indent
- another

***

(2) Emphasis *kept* and **strong**, `code`, a [link](https://example.org), a note[^n].

[^n]: The note, with *emphasis*.

    And a second paragraph.

1. Item with a table:

   | x |
   |---|
   | 1 |

2. Item.
";
    round_trip(md);
}

#[test]
fn one_clause_renders_with_what_is_under_it() {
    let (mut w, s) = World::with_document();
    let draft = parse_draft(WHO.as_bytes()).unwrap();
    record(&mut w, s, &draft);
    let p = w.label("5.1");
    let out = markdown(w.doc(), Some(p));
    assert_eq!(
        out,
        "\n1. Member States should use this Code:\n   - (a) effective assistance;\n   - (b) support for training.\n"
    );
    let a = w.label("Article 6");
    // A Markdown list numbers its items by place: "3." after "1." is the second item.
    assert_eq!(
        markdown(w.doc(), Some(a)),
        "\n## Article 6\n\n1. One.\n2. Three.\n"
    );
}

mod property {
    //! Drafts shaped as real texts are (headings six deep, typed numbering of several styles,
    //! lists with points, footnotes, tables, emphasis) import, render and import back as the
    //! same tree, and re-importing the rendering plans nothing.

    use super::round_trip;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "States",
        "shall",
        "should",
        "health",
        "personnel",
        "*voluntary*",
        "**ethical**",
        "`code`",
        "R&D",
        "[bracketed]",
        "snake_case",
        "5 %",
        "Verträge",
        "—",
        "(see above)",
    ];

    fn words() -> impl Strategy<Value = Vec<&'static str>> {
        prop::collection::vec(prop::sample::select(WORDS), 1..6)
    }

    /// A provision: its text, maybe a note, maybe a table after it, and its sub-provisions.
    #[derive(Clone, Debug)]
    struct Provision {
        text: Vec<&'static str>,
        note: bool,
        table: bool,
        children: Vec<Provision>,
    }

    fn provision(depth: u32) -> BoxedStrategy<Provision> {
        let leaf =
            (words(), any::<bool>(), prop::bool::weighted(0.1)).prop_map(|(text, note, table)| {
                Provision {
                    text,
                    note,
                    table,
                    children: Vec::new(),
                }
            });
        if depth == 0 {
            return leaf.boxed();
        }
        (
            words(),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.1),
            prop::collection::vec(provision(depth - 1), 0..4),
        )
            .prop_map(|(text, note, table, children)| Provision {
                text,
                note,
                table,
                children,
            })
            .boxed()
    }

    #[derive(Clone, Debug)]
    struct Heading {
        word: usize,
        title: Option<Vec<&'static str>>,
        text: Option<Vec<&'static str>>,
        /// 0: typed paragraphs `(1)`, `a)`, `(i)`; 1: `1.1`, `(a)`, `(i)`; 2: a Markdown list
        /// with `- (a)` points.
        style: usize,
        provisions: Vec<Provision>,
        children: Vec<Heading>,
    }

    fn heading(depth: u32) -> BoxedStrategy<Heading> {
        let own = (
            0..WORDS_OF_HEADINGS.len(),
            prop::option::of(words()),
            prop::option::of(words()),
            0..3usize,
            prop::collection::vec(provision(2), 0..4),
        );
        if depth == 0 {
            return own
                .prop_map(|(word, title, text, style, provisions)| Heading {
                    word,
                    title,
                    text,
                    style,
                    provisions,
                    children: Vec::new(),
                })
                .boxed();
        }
        (own, prop::collection::vec(heading(depth - 1), 0..3))
            .prop_map(
                |((word, title, text, style, provisions), children)| Heading {
                    word,
                    title,
                    text,
                    style,
                    provisions,
                    children,
                },
            )
            .boxed()
    }

    const WORDS_OF_HEADINGS: &[&str] = &["Part", "Chapter", "Section", "Article", "§", "Annex"];

    struct Writer {
        md: String,
        notes: Vec<String>,
        count: usize,
    }

    impl Writer {
        fn text(&mut self, words: &[&str], note: bool) -> String {
            // Each text its own (a draft with the same words twice is the matcher's business).
            self.count += 1;
            let mut t = format!("{} n{}", words.join(" "), self.count);
            if note {
                self.notes.push(format!("A note on {}.", words[0]));
                t.push_str(&format!("[^{}]", self.notes.len()));
            }
            t
        }

        fn heading(&mut self, h: &Heading, level: usize, number: usize) {
            if level > 6 {
                return;
            }
            let word = WORDS_OF_HEADINGS[h.word];
            let mut line = format!("{} {word} {number}", "#".repeat(level));
            // Every heading has words of its own: a heading with no content is matched by its
            // place, which plan.rs (not this test) is about.
            self.count += 1;
            let title = h.title.as_deref().unwrap_or(&["Title"]).join(" ");
            line.push_str(&format!(
                " — {} h{}",
                title.replace(['*', '`', '[', ']', '_'], ""),
                self.count
            ));
            self.md.push_str(&line);
            self.md.push_str("\n\n");
            if let Some(t) = &h.text {
                let t = self.text(t, false);
                self.md.push_str(&t);
                self.md.push_str("\n\n");
            }
            let article = (word == "Article").then_some(number);
            match h.style {
                2 => self.list(&h.provisions, article),
                s => self.typed(&h.provisions, if s == 0 { 0 } else { 3 }, None),
            }
            for (k, c) in h.children.iter().enumerate() {
                self.heading(c, level + 1, k + 1);
            }
        }

        /// Typed paragraphs, the style by depth from `styles[first..]`.
        fn typed(&mut self, ps: &[Provision], first: usize, prefix: Option<String>) {
            const LETTERS: &[&str] = &["a", "b", "c", "d"];
            const ROMAN: &[&str] = &["i", "ii", "iii", "iv"];
            for (k, p) in ps.iter().enumerate() {
                let label = match first {
                    0 => format!("({})", k + 1),
                    1 => format!("{})", LETTERS[k]),
                    2 | 5 => format!("({})", ROMAN[k]),
                    3 => format!("1.{}", k + 1),
                    4 => format!("({})", LETTERS[k]),
                    _ => unreachable!(),
                };
                let _ = &prefix;
                let t = self.text(&p.text, p.note);
                self.md.push_str(&format!("{label} {t}\n\n"));
                if p.table {
                    self.md.push_str("| a | b |\n|---|---|\n| 1 | 2 |\n\n");
                }
                let next = match first {
                    0 => 1,
                    1 => 2,
                    3 => 4,
                    4 => 5,
                    _ => continue,
                };
                self.typed(&p.children, next, None);
            }
        }

        /// A Markdown list, its items' points as `- (a)` bullets inside.
        fn list(&mut self, ps: &[Provision], _article: Option<usize>) {
            for (k, p) in ps.iter().enumerate() {
                let t = self.text(&p.text, false);
                self.md.push_str(&format!("{}. {t}\n", k + 1));
                for (j, q) in p.children.iter().enumerate() {
                    let t = self.text(&q.text, false);
                    self.md
                        .push_str(&format!("   - ({}) {t}\n", ["a", "b", "c", "d"][j]));
                }
            }
            self.md.push('\n');
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn a_real_shaped_draft_renders_back_as_itself(
            title in prop::option::of(words()),
            preamble in prop::collection::vec(words(), 0..3),
            headings in prop::collection::vec(heading(5), 1..3),
            deep in any::<bool>(),
        ) {
            let mut w = Writer { md: String::new(), notes: Vec::new(), count: 0 };
            if let Some(t) = &title {
                w.md.push_str(&format!("# {}\n\n", t.join(" ").replace(['*', '`', '[', ']', '_'], "")));
            }
            for p in &preamble {
                let t = w.text(p, false);
                w.md.push_str(&t);
                w.md.push_str("\n\n");
            }
            // Without a title, the headings may start at `#`: six levels of them.
            let top = if title.is_none() && deep && headings.len() > 1 { 1 } else { 2 };
            for (k, h) in headings.iter().enumerate() {
                w.heading(h, top, k + 1);
            }
            for (k, n) in w.notes.iter().enumerate() {
                w.md.push_str(&format!("[^{}]: {n}\n\n", k + 1));
            }
            round_trip(&w.md);
            // And as Akoma Ntoso: written, it reads back as the same tree.
            let draft = crate::import::parse_draft(w.md.as_bytes()).unwrap();
            crate::akn::tests::written_reads_back(&draft);
        }
    }
}

#[test]
fn the_example_drafts_import_without_guesses_and_render_back() {
    for (name, md) in [
        (
            "2008-08",
            include_str!("../../../examples/who-code/drafts/2008-08-secretariat-draft.md"),
        ),
        (
            "2009-01",
            include_str!("../../../examples/who-code/drafts/2009-01-eb124.md"),
        ),
        (
            "2010-01",
            include_str!("../../../examples/who-code/drafts/2010-01-eb126.md"),
        ),
    ] {
        let d = parse_draft(md.as_bytes()).unwrap();
        assert_eq!(d.warnings, [], "{name}");
        // Articles, their paragraphs N.k, and the points (a), (b), … of some paragraphs.
        assert!(d.clauses.iter().any(|c| c.label == "Article 5"), "{name}");
        round_trip(md);
    }
}

#[test]
fn a_revision_records_a_changed_title_and_nothing_else_needs_to_change() {
    use crate::event::Event;
    let (mut w, s) = World::with_document();
    let draft = parse_draft(WHO.as_bytes()).unwrap();
    record(&mut w, s, &draft);
    assert_eq!(w.doc().title, "Code");
    // The same text under another title: a revision with no clause operation.
    let renamed = parse_draft(WHO.replace("# Code", "# Code of Practice").as_bytes()).unwrap();
    let events = w
        .run(
            s,
            Command::IssueRevision {
                label: None,
                title: renamed.title.clone(),
                ops: Vec::new(),
            },
        )
        .unwrap();
    assert!(matches!(
        &events[..],
        [Event::RevisionIssued { title: Some(t), ops, .. }] if t == "Code of Practice" && ops.is_empty()
    ));
    assert_eq!(w.doc().title, "Code of Practice");
    // The same title again is no change.
    let again = w.run(
        s,
        Command::IssueRevision {
            label: None,
            title: Some("Code of Practice".into()),
            ops: Vec::new(),
        },
    );
    assert!(again.is_err());
    // A revision without a title serializes as before (no "title" key).
    let plain = Event::RevisionIssued {
        revision: 1,
        label: None,
        title: None,
        ops: Vec::new(),
    };
    assert!(!serde_json::to_string(&plain).unwrap().contains("title"));
}

#[test]
fn headings_with_markup_characters_read_back_as_written() {
    // Every character Markdown may read as markup, in a title and a heading: escaped once,
    // read back as the same characters.
    let md = "# Fees \\& \\<costs\\> \\| \\~ \\#1\n\n## Article 1 — \\*Rates\\* \\[a\\] \\_b\\_ \\`c\\` \\\\ \\#\n\n1. Text.\n";
    let out = round_trip(md);
    assert_eq!(out, md);
    let draft = parse_draft(out.as_bytes()).unwrap();
    assert_eq!(draft.title.as_deref(), Some("Fees & <costs> | ~ #1"));
    assert_eq!(
        draft.clauses[0].heading.as_deref(),
        Some("*Rates* [a] _b_ `c` \\ #")
    );
}

#[test]
fn changed_words_are_marked_and_escaped() {
    use crate::diff::{Span, SpanKind};
    let span = |kind, text: &str| Span {
        kind,
        text: text.into(),
    };
    let out = super::spans(&[
        span(SpanKind::Equal, "States *shall* "),
        span(SpanKind::Delete, " consider "),
        span(SpanKind::Insert, "apply\nthe ~Code~"),
        span(SpanKind::Equal, ".\n\nNext"),
    ]);
    assert_eq!(
        out,
        "States \\*shall\\*  ~~consider~~ <ins>apply</ins>\\\n<ins>the \\~Code\\~</ins>.\n\nNext"
    );
    assert_eq!(super::escape("a|b>c#"), "a\\|b\\>c\\#");
}
