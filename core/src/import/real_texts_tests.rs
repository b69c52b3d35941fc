//! Real texts, imported as they were published: the fixtures under `tests/fixtures/real` are
//! byte-for-byte copies of official versions (see their `SOURCES.md`), never edited to suit the
//! importer. Each text is imported version after version as revisions; the tests check the tree
//! a reader of the text would see, that a provision keeps its identity across versions where
//! the law kept it (renumbered or not), and that the Markdown rendering reads back as the same
//! tree and plans no change.

use std::collections::HashSet;

use super::parse_tests::outline;
use super::*;
use crate::ids::ClauseId;
use crate::markdown::markdown;
use crate::tests::World;
use crate::{ClauseKind, Command, DocumentState, ParticipantId};

const ABGG: [&str; 3] = [
    include_str!("../../../tests/fixtures/real/de-abgg/2011-11-08.md"),
    include_str!("../../../tests/fixtures/real/de-abgg/2017-01-05.md"),
    include_str!("../../../tests/fixtures/real/de-abgg/2021-10-08.md"),
];
const CONSTITUTION: [&str; 2] = [
    include_str!("../../../tests/fixtures/real/fr-constitution-1958/1976-06-19.md"),
    include_str!("../../../tests/fixtures/real/fr-constitution-1958/2005-03-02.md"),
];
const FRCP_26: [&str; 3] = [
    include_str!("../../../tests/fixtures/real/us-frcp-26/2010.md"),
    include_str!("../../../tests/fixtures/real/us-frcp-26/2015.md"),
    include_str!("../../../tests/fixtures/real/us-frcp-26/2020.md"),
];

/// Import a version as a revision, as `travaux import` does; the plan it recorded.
fn import(w: &mut World, s: ParticipantId, md: &str) -> Plan {
    let draft = parse_draft(md.as_bytes()).unwrap();
    let doc = w.doc().clone();
    let plan = plan_revision(&doc, &draft, &mut || ClauseId(w.id()));
    if !plan.is_empty() || draft.title.as_deref().is_some_and(|t| t != doc.title) {
        w.run(
            s,
            Command::IssueRevision {
                label: None,
                title: draft.title.clone().filter(|t| *t != doc.title),
                ops: plan.ops.clone(),
            },
        )
        .unwrap();
    }
    plan
}

/// Import every version in turn; the document after each.
fn history(versions: &[&str]) -> (World, ParticipantId, Vec<DocumentState>) {
    let (mut w, s) = World::with_document();
    let mut states = Vec::new();
    for md in versions {
        import(&mut w, s, md);
        states.push(w.doc().clone());
    }
    (w, s, states)
}

fn id(doc: &DocumentState, reference: &str) -> ClauseId {
    doc.resolve_clause(reference)
        .unwrap_or_else(|e| panic!("{reference}: {e}"))
}

fn ids(doc: &DocumentState) -> HashSet<ClauseId> {
    doc.outline().into_iter().map(|(_, c)| c.id).collect()
}

/// The lines of the source that start with `prefix`: an oracle independent of the importer.
fn lines_starting(md: &str, prefix: &str) -> usize {
    md.lines().filter(|l| l.starts_with(prefix)).count()
}

fn kinds(doc: &DocumentState, kind: ClauseKind) -> usize {
    doc.outline()
        .into_iter()
        .filter(|(_, c)| c.kind(doc) == kind)
        .count()
}

/// The rendering of the document reads back as the tree of the draft it came from, and
/// importing it into the document records nothing.
fn round_trips(w: &mut World, s: ParticipantId, md: &str) {
    let rendered = markdown(w.doc(), None);
    let original = parse_draft(md.as_bytes()).unwrap();
    let again = parse_draft(rendered.as_bytes()).unwrap();
    let (a, b) = (outline(&again), outline(&original));
    if let Some((x, y)) = a.lines().zip(b.lines()).find(|(x, y)| x != y) {
        panic!("the rendering reads back otherwise:\n  {x}\nwhere the draft has\n  {y}");
    }
    assert_eq!(a, b);
    assert_eq!(again.title, original.title);
    let plan = import(w, s, &rendered);
    assert!(plan.is_empty(), "{:?}", plan.summary());
}

#[test]
fn the_german_members_act_imports_as_its_sections_and_paragraphs() {
    let (mut w, s, states) = history(&ABGG[..1]);
    let doc = &states[0];
    assert_eq!(
        doc.title,
        "Gesetz über die Rechtsverhältnisse der Mitglieder des Deutschen Bundestages"
    );
    // Every `### §` of the source is an article, every `## … Abschnitt` a section.
    assert_eq!(
        kinds(doc, ClauseKind::Article),
        lines_starting(ABGG[0], "### §")
    );
    assert_eq!(
        kinds(doc, ClauseKind::Section),
        lines_starting(ABGG[0], "## ")
    );
    let s1 = doc.clause(id(doc, "§ 1")).unwrap();
    assert_eq!(
        s1.heading.as_deref(),
        Some("Erwerb und Verlust der Mitgliedschaft im Bundestag")
    );
    let first = doc.clause(s1.parent.unwrap()).unwrap();
    assert_eq!(first.label, "Erster Abschnitt");
    assert_eq!(first.kind, Some(ClauseKind::Section));
    // Paragraphs (1), (2) … under each §, addressed by the § and the paragraph.
    let p = doc.clause(id(doc, "§ 11 (1)")).unwrap();
    assert_eq!(p.kind, Some(ClauseKind::Paragraph));
    assert_eq!(doc.address_of(p.id), "§ 11 (1)");
    assert!(doc.resolve_clause("(1)").is_err(), "(1) alone names many");
    round_trips(&mut w, s, ABGG[0]);
}

#[test]
fn the_german_members_act_keeps_its_sections_through_three_versions() {
    let (mut w, s, states) = history(&ABGG);
    let [v2011, v2017, v2021] = &states[..] else {
        unreachable!()
    };
    // 2017: § 35c inserted between § 35b and § 36, which keep theirs.
    assert!(v2011.resolve_clause("§ 35c").is_err());
    let inserted = id(v2017, "§ 35c");
    assert!(!ids(v2011).contains(&inserted));
    assert_eq!(id(v2011, "§ 35b"), id(v2017, "§ 35b"));
    assert_eq!(id(v2011, "§ 36"), id(v2017, "§ 36"));
    // § 30 was repealed in its place ("§ 30 (weggefallen)"): the same section, emptied.
    assert_eq!(id(v2011, "§ 30"), id(v2017, "§ 30"));
    assert_eq!(
        v2017.clause(id(v2017, "§ 30")).unwrap().heading.as_deref(),
        Some("(weggefallen)")
    );
    // § 11 (1) was rewritten from a list into prose, and (4), (5) were added: the paragraph
    // keeps its identity, the new ones are new.
    assert_eq!(id(v2011, "§ 11 (1)"), id(v2017, "§ 11 (1)"));
    assert!(!ids(v2011).contains(&id(v2017, "§ 11 (4)")));
    // 2021: the sections on parliamentary groups, §§ 45–54, became §§ 53–62; the old numbers
    // went to new sections.
    for (old, new) in [(45, 53), (46, 54), (50, 58), (54, 62)] {
        let was = id(v2017, &format!("§ {old}"));
        assert_eq!(
            was,
            id(v2021, &format!("§ {new}")),
            "§ {old} of 2017 is § {new} of 2021"
        );
        assert_eq!(
            v2017.clause(was).unwrap().heading,
            v2021.clause(was).unwrap().heading
        );
        assert_eq!(
            id(v2017, &format!("§ {old} (1)")),
            id(v2021, &format!("§ {new} (1)")),
            "its paragraphs go with it"
        );
    }
    let new_45 = id(v2021, "§ 45");
    assert!(!ids(v2017).contains(&new_45));
    assert_eq!(
        v2021.clause(new_45).unwrap().heading.as_deref(),
        Some("Anzeigepflicht")
    );
    // § 44e inserted in 2021, with its own paragraphs.
    assert!(!ids(v2017).contains(&id(v2021, "§ 44e")));
    // § 12 keeps its paragraphs around the (3a) inserted before (4).
    for p in ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"] {
        assert_eq!(
            id(v2017, &format!("§ 12 {p}")),
            id(v2021, &format!("§ 12 {p}"))
        );
    }
    round_trips(&mut w, s, ABGG[2]);
}

#[test]
fn the_french_constitution_keeps_its_articles_through_two_versions() {
    let (mut w, s, states) = history(&CONSTITUTION);
    let [v1976, v2005] = &states[..] else {
        unreachable!()
    };
    assert_eq!(v1976.title, "Constitution du 4 octobre 1958");
    // Every `##### Article N` of the source is an article (`Article PREAMBULE` is not one:
    // it has no number, and is a part of its own).
    let numbered = CONSTITUTION[0]
        .lines()
        .filter(|l| {
            l.strip_prefix("##### Article ")
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        })
        .count();
    assert_eq!(kinds(v1976, ClauseKind::Article), numbered);
    let preamble = v1976.clause(id(v1976, "Article PREAMBULE")).unwrap();
    assert_eq!(preamble.kind, Some(ClauseKind::Hcontainer));
    let a5 = v1976.clause(id(v1976, "Article 5")).unwrap();
    let titre = v1976.clause(a5.parent.unwrap()).unwrap();
    assert_eq!(titre.label, "Titre II");
    assert_eq!(
        titre.heading.as_deref(),
        Some("Le Président de la République")
    );
    assert_eq!(titre.kind, Some(ClauseKind::Title));
    // Articles inserted by the revisions up to 2005 are new; those repealed are gone; the rest
    // keep their identity, reworded or not.
    for inserted in [
        "Article 37-1",
        "Article 53-2",
        "Article 72-1",
        "Article 88-5",
    ] {
        assert!(v1976.resolve_clause(inserted).is_err());
        assert!(!ids(v1976).contains(&id(v2005, inserted)), "{inserted}");
    }
    for repealed in ["Article 78", "Article 90"] {
        let was = id(v1976, repealed);
        assert!(v2005.clause(was).is_none(), "{repealed}");
    }
    // Article 28 was replaced by other words in 1995: the same article.
    for kept in [
        "Article 5",
        "Article 16",
        "Article 28",
        "Article 34",
        "Article 89",
    ] {
        assert_eq!(id(v1976, kept), id(v2005, kept), "{kept}");
    }
    round_trips(&mut w, s, CONSTITUTION[1]);
}

#[test]
fn rule_26_keeps_its_provisions_through_the_2010_and_2015_amendments() {
    let (mut w, s, states) = history(&FRCP_26);
    let [v2010, v2015, v2020] = &states[..] else {
        unreachable!()
    };
    // No headings: the tree comes from the typed numbers alone, (a) › (1) › (A) › (i).
    let ai = v2010.clause(id(v2010, "(a)(1)(A)(i)")).unwrap();
    assert_eq!(v2010.path_of(ai.id), ["(a)", "(1)", "(A)", "(i)"]);
    assert!(ai.text.starts_with("the name and, if known"));
    // 2010: a new (a)(2)(C) on expert witnesses; the old (C) and (D) become (D) and (E).
    let new_c = id(v2015, "(a)(2)(C)");
    assert!(!ids(v2010).contains(&new_c));
    assert_eq!(id(v2010, "(a)(2)(C)"), id(v2015, "(a)(2)(D)"));
    assert_eq!(id(v2010, "(a)(2)(D)"), id(v2015, "(a)(2)(E)"));
    // 2015: a new (d)(2), Early Rule 34 Requests; the old (d)(2), Sequence, becomes (d)(3).
    assert_eq!(id(v2015, "(d)(2)"), id(v2020, "(d)(3)"));
    assert!(!ids(v2015).contains(&id(v2020, "(d)(2)")));
    assert!(v2020
        .clause(id(v2020, "(d)(2)"))
        .unwrap()
        .text
        .contains("Early Rule 34 Requests"));
    round_trips(&mut w, s, FRCP_26[2]);
}
