//! A document's Markdown, imported again, is the document: as written, for any clause as its
//! scope, and (the property) for generated texts with preambles, headings, paragraphs, gaps in
//! their numbering and the characters Markdown would read as markup.

use crate::import::{parse_draft, plan_revision};
use crate::markdown::markdown;
use crate::tests::World;
use crate::{ClauseId, ClauseOp, Command, ParticipantId};

const DRAFT1: &str = "# Code

Recalling the need for a test;

## Article 1 — Objectives

1. The first objective is clarity of the recruitment rules.
2. Source countries shall be compensated by destination countries.
3. The third objective is fairness.

## Article 2 — Scope

1. The Code applies to all recruiters:
   - (a) public;
   - (b) private.
2. The right to migrate is recognised.
";

fn import(w: &mut World, s: ParticipantId, md: &str) {
    let draft = parse_draft(md.as_bytes()).unwrap();
    let doc = w.doc().clone();
    let plan = plan_revision(&doc, &draft, &mut || ClauseId(w.id()));
    if !plan.is_empty() {
        w.run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: plan.ops,
            },
        )
        .unwrap();
    }
}

#[test]
fn the_markdown_of_a_document_reads_back_as_the_draft() {
    let (mut w, s) = World::with_document();
    import(&mut w, s, DRAFT1);
    let md = markdown(w.doc(), None);
    assert_eq!(md, DRAFT1.replace("# Code", "# A Code"));
    let a2 = w.label("Article 2");
    assert_eq!(
        markdown(w.doc(), Some(a2)),
        DRAFT1[DRAFT1.find("\n## Article 2").unwrap()..]
    );
    let p = w.label("2.2");
    assert_eq!(
        markdown(w.doc(), Some(p)),
        "\n2. The right to migrate is recognised.\n"
    );
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Words, with the characters Markdown would read as markup among them.
    const WORDS: &[&str] = &[
        "States",
        "shall",
        "health",
        "personnel;",
        "(a)",
        "5(1)(a).",
        "*",
        "_x_",
        "[a]",
        "<b>",
        "&amp;",
        "`c`",
        "\\",
        "#",
        "1.",
        "2)",
        "-",
        "+",
        "=",
        ">",
        "|",
        "~",
        "—",
        "é",
    ];

    fn words() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(WORDS), 1..6).prop_map(|w| w.join(" "))
    }

    /// A paragraph: a line, perhaps subparagraph lines, perhaps a second paragraph.
    fn paragraph() -> impl Strategy<Value = String> {
        (
            words(),
            prop::collection::vec(words(), 0..3),
            prop::option::of(words()),
        )
            .prop_map(|(first, subs, more)| {
                let mut t = first;
                for s in subs {
                    t.push('\n');
                    t.push_str(&s);
                }
                if let Some(m) = more {
                    t.push_str("\n\n");
                    t.push_str(&m);
                }
                t
            })
    }

    #[derive(Clone, Debug)]
    struct Article {
        heading: Option<String>,
        text: String,
        paragraphs: Vec<String>,
    }

    fn article() -> impl Strategy<Value = Article> {
        (
            prop::option::of(words()),
            prop_oneof![Just(String::new()), words()],
            prop::collection::vec(paragraph(), 0..5),
        )
            .prop_map(|(heading, text, paragraphs)| Article {
                heading,
                text,
                paragraphs,
            })
    }

    fn add(
        clause: ClauseId,
        parent: Option<ClauseId>,
        after: Option<ClauseId>,
        label: String,
        heading: Option<String>,
        text: String,
    ) -> ClauseOp {
        // As an import records them (a clause without a kind, as stores kept them
        // before kinds were recorded, takes one at its next import).
        use crate::ClauseKind;
        let kind = if label.starts_with("Article") {
            ClauseKind::Article
        } else if label.starts_with("PP") {
            ClauseKind::Recital
        } else {
            ClauseKind::Paragraph
        };
        ClauseOp::Add {
            kind: Some(kind),
            notes: Vec::new(),
            clause,
            parent,
            after,
            label,
            heading,
            text,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn importing_the_markdown_of_a_document_changes_nothing(
            preamble in prop::collection::vec(words(), 0..3),
            articles in prop::collection::vec(article(), 1..5),
            removals in prop::collection::vec(any::<usize>(), 0..3),
        ) {
            let (mut w, s) = World::with_document();
            let mut ops = Vec::new();
            let mut last = None;
            for (i, text) in preamble.iter().enumerate() {
                let id = ClauseId(w.id());
                ops.push(add(id, None, last, format!("PP{}", i + 1), None, text.clone()));
                last = Some(id);
            }
            let mut paragraphs = Vec::new();
            for (i, a) in articles.iter().enumerate() {
                let id = ClauseId(w.id());
                ops.push(add(id, None, last, format!("Article {}", i + 1), a.heading.clone(), a.text.clone()));
                last = Some(id);
                let mut after = None;
                for (k, p) in a.paragraphs.iter().enumerate() {
                    let pid = ClauseId(w.id());
                    ops.push(add(pid, Some(id), after, format!("{}.{}", i + 1, k + 1), None, p.clone()));
                    after = Some(pid);
                    paragraphs.push(pid);
                }
            }
            // Paragraphs removed without renumbering leave gaps in the numbers.
            for r in removals {
                if !paragraphs.is_empty() {
                    let id = paragraphs.remove(r % paragraphs.len());
                    ops.push(ClauseOp::Remove { clause: id });
                }
            }
            // Texts are kept as canonical Markdown: the words as a draft would give them.
            for op in &mut ops {
                if let ClauseOp::Add { text, heading, .. } = op {
                    *text = crate::import::canonical_text(text);
                    if heading.as_deref().is_some_and(|h| h.trim().is_empty()) {
                        *heading = None;
                    }
                }
            }
            w.run(s, Command::IssueRevision { title: None, label: None, ops }).unwrap();
            let doc = w.doc().clone();
            let md = markdown(&doc, None);
            let draft = parse_draft(md.as_bytes());
            prop_assert!(draft.is_ok(), "{:?}\n{}", draft, md);
            let plan = plan_revision(&doc, &draft.unwrap(), &mut || ClauseId(w.id()));
            prop_assert!(plan.is_empty(), "{}\n{:#?}", md, plan.ops);
        }
    }
}
