//! Tests of Akoma Ntoso: an act of another producer reads with its own tree; a text written
//! reads back as itself (and importing it plans nothing).

use std::path::PathBuf;

use super::*;
use crate::document::DocumentState;
use crate::ids::ClauseId;
use crate::import::{parse_draft, plan_revision, Draft, DraftClause};
use crate::markdown::tests::{record, shape, GERMAN};
use crate::tests::World;

/// `shared/schemas/akn/` beside the repository.
fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas/akn")
}

fn find<'d>(clauses: &'d [DraftClause], path: &[&str]) -> &'d DraftClause {
    let c = clauses
        .iter()
        .find(|c| c.label == path[0])
        .unwrap_or_else(|| panic!("no clause {} among {:?}", path[0], labels(clauses)));
    if path.len() == 1 {
        c
    } else {
        find(&c.children, &path[1..])
    }
}

fn labels(clauses: &[DraftClause]) -> Vec<&str> {
    clauses.iter().map(|c| c.label.as_str()).collect()
}

#[test]
fn the_example_act_reads_with_its_own_tree() {
    let path = schemas().join("example-act-queensland-1994.xml");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let d = read_akn(&bytes).unwrap();
    assert_eq!(
        d.title.as_deref(),
        Some("Wet Tropics of Queensland World Heritage Area Conservation Act 1994")
    );
    assert_eq!(labels(&d.clauses), ["Chapter 1", "Chapter 2"]);
    let part = find(&d.clauses, &["Chapter 2", "2"]);
    assert_eq!(part.kind, Some(ClauseKind::Part));
    assert_eq!(part.heading.as_deref(), Some("Some Part"));
    let sub = find(&d.clauses, &["Chapter 1", "1", "Section 1", "Subsection 1"]);
    assert_eq!(sub.kind, Some(ClauseKind::Subsection));
    assert_eq!(sub.text, "Never forget a part. [^1]");
    assert_eq!(sub.notes.len(), 1);
    assert_eq!(sub.notes[0].text, "This is a note");
    assert_eq!(sub.line, 53);
    assert_eq!(d.meta.get("date").map(String::as_str), Some("2000-07-16"));
}

/// Record `draft`, write it, read it back: the same tree, and nothing to plan.
pub(crate) fn written_reads_back(draft: &Draft) -> String {
    let (mut w, s) = World::with_document();
    record(&mut w, s, draft);
    let doc: DocumentState = w.doc().clone();
    let xml = write_akn(
        &doc,
        &[],
        &[],
        &write::Jurisdiction {
            country: "un",
            language: "eng",
        },
    )
    .unwrap();
    let again = read_akn(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let mut want = shape(draft);
    if want.0.is_none() {
        want.0 = Some(doc.title.clone());
    }
    assert_eq!(shape(&again), want, "written:\n{xml}");
    let plan = plan_revision(&doc, &again, &mut || ClauseId(uuid::Uuid::nil()));
    assert!(plan.is_empty(), "re-importing plans {:?}\n{xml}", plan.ops);
    xml
}

#[test]
fn a_german_code_reads_back_as_written() {
    let xml = written_reads_back(&parse_draft(GERMAN.as_bytes()).unwrap());
    assert!(xml.contains("<i>nur</i>"), "{xml}");
    assert!(xml.contains("<b>Kapitels</b>"), "{xml}");
    assert!(xml.contains("authorialNote marker=\"1\""), "{xml}");
    // The table is kept as Markdown.
    assert!(xml.contains("class=\"travaux-markdown\""), "{xml}");
}

#[test]
fn recitals_open_the_text_and_eids_follow_the_labels() {
    let md = "\
# Code

Recognizing the *global* shortage.

Deeply concerned & <aware>.

## Article 5 — Scope

5.1 The Code applies:

(a) to members, see <https://example.org> and a [link](https://example.org \"t\");

(b) to others,\\
on two lines.

## Article 6

Text with `code` and ~~struck~~ words.
";
    let xml = written_reads_back(&parse_draft(md.as_bytes()).unwrap());
    assert!(xml.contains("<recitals eId=\"recs\">"), "{xml}");
    assert!(xml.contains("<recital eId=\"rec_PP1\""), "{xml}");
    assert!(xml.contains("eId=\"art_5__para_5.1__point_a\""), "{xml}");
    assert!(xml.contains("<heading>Scope</heading>"), "{xml}");
    assert!(xml.contains("&amp; &lt;aware&gt;"), "{xml}");
}

#[test]
fn bad_documents_are_refused_with_their_line() {
    let e = read_akn(b"<akomaNtoso>\n<act>\n<body>\n</act>").unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("not well-formed"), "{e}");
    let e = read_akn(b"<html><body/></html>").unwrap_err();
    assert!(e.message.contains("not an Akoma Ntoso document"), "{e}");
    let twice = b"<akomaNtoso><act><body>\n<article><num>1</num></article>\n<article><num>1</num></article>\n</body></act></akomaNtoso>";
    let e = read_akn(twice).unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("'1'"), "{e}");
    let e =
        read_akn(b"<akomaNtoso><act><body><p>&nbsp;</p></body></act></akomaNtoso>").unwrap_err();
    assert!(e.message.contains("&nbsp;"), "{e}");
}

#[test]
fn blocks_paragraphs_cannot_say_are_kept_as_markdown() {
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

(2) Emphasis *kept* and **strong**, `code`, a [link](https://example.org), a note[^n], an
![image](i.png) and a second note[^m].

[^n]: The note, with *emphasis*.

    And a second paragraph.

[^m]: Another.

1. Item with a table:

   | x |
   |---|
   | 1 |

2. Item.
";
    let xml = written_reads_back(&parse_draft(md.as_bytes()).unwrap());
    assert!(
        xml.contains("class=\"travaux-markdown\">| a | b |"),
        "{xml}"
    );
    // The paragraph with an image is kept as Markdown, its notes as notes.
    assert!(
        xml.contains("a note<authorialNote marker=\"n\" eId=\"art_1__para_2__authorialNote_1\""),
        "{xml}"
    );
}

#[test]
fn a_paragraph_whose_points_are_in_a_list_holds_them_itself() {
    // As LEOS writes a paragraph with points.
    let xml = br#"<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
<bill name="reg"><meta/><body>
<article eId="art_1"><num>Article 1</num><heading>Subject matter</heading>
  <paragraph eId="art_1__para_1"><num>1.</num>
    <list><intro><p>This Regulation lays down:</p></intro>
      <point><num>(a)</num><content><p>rules on <i>x</i>;</p></content></point>
      <point><num>(b)</num><content><p>rules on y.</p></content></point>
    </list>
  </paragraph>
</article></body></bill></akomaNtoso>"#;
    let d = read_akn(xml).unwrap();
    let para = find(&d.clauses, &["Article 1", "1."]);
    assert_eq!(para.text, "This Regulation lays down:");
    assert_eq!(labels(&para.children), ["(a)", "(b)"]);
    assert_eq!(para.children[0].text, "rules on *x*;");
    assert_eq!(para.children[0].kind, Some(ClauseKind::Point));
    assert_eq!(d.title.as_deref(), Some("reg"));
}

#[test]
fn characters_xml_cannot_hold_are_replaced() {
    // A text recorded with a control character (an amendment's words, say).
    let (mut w, s) = World::with_document();
    let clause = ClauseId(w.id());
    w.run(
        s,
        crate::Command::IssueRevision {
            label: None,
            title: None,
            ops: vec![crate::ClauseOp::Add {
                clause,
                parent: None,
                after: None,
                label: "Article 1".into(),
                heading: None,
                text: "A\u{1}B.".into(),
                kind: Some(ClauseKind::Article),
                notes: Vec::new(),
            }],
        },
    )
    .unwrap();
    let place = write::Jurisdiction {
        country: "un",
        language: "eng",
    };
    let xml = write_akn(w.doc(), &[], &[], &place).unwrap();
    assert!(xml.contains("<p>A\u{fffd}B.</p>"), "{xml}");
    assert_eq!(
        read_akn(xml.as_bytes()).unwrap().clauses[0].text,
        "A\u{fffd}B."
    );
}
