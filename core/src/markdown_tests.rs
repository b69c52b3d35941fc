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

const GERMAN: &str = "\
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
