//! Tests of matching deep trees across versions: containers by what they hold, clauses without
//! text by label and place, renumbered provisions, the operations a plan carries, and a
//! property over redrafts of deep trees. Drafts are built as values, not parsed.

use super::plan::*;
use super::*;
use crate::document::DocumentState;
use crate::event::{ClauseKind, ClauseOp, Note};
use crate::ids::ClauseId;
use crate::tests::World;
use crate::{Command, ParticipantId};

/// A draft of these top-level clauses.
fn draft(clauses: Vec<DraftClause>) -> Draft {
    Draft {
        title: None,
        clauses,
    }
}

/// A clause of a kind, with a label, a heading, a text and the clauses under it.
fn c(
    kind: ClauseKind,
    label: &str,
    heading: Option<&str>,
    text: &str,
    children: Vec<DraftClause>,
) -> DraftClause {
    DraftClause {
        label: label.into(),
        heading: heading.map(Into::into),
        text: text.into(),
        kind: Some(kind),
        notes: Vec::new(),
        children,
        line: 0,
    }
}

fn chapter(label: &str, heading: Option<&str>, children: Vec<DraftClause>) -> DraftClause {
    c(ClauseKind::Chapter, label, heading, "", children)
}

/// A § with a heading and its numbered paragraphs `(1)`, `(2)`, ….
fn section(
    label: &str,
    heading: impl Into<Option<&'static str>>,
    paragraphs: &[&str],
) -> DraftClause {
    let children = paragraphs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            c(
                ClauseKind::Paragraph,
                &format!("({})", i + 1),
                None,
                t,
                vec![],
            )
        })
        .collect();
    c(ClauseKind::Article, label, heading.into(), "", children)
}

fn article(label: &str, heading: Option<&str>, text: &str) -> DraftClause {
    c(ClauseKind::Article, label, heading, text, vec![])
}

fn plan(w: &mut World, d: &Draft) -> Plan {
    let doc = w.doc().clone();
    plan_revision(&doc, d, &mut || ClauseId(w.id()))
}

/// Plan a draft, record it, and check the text is then exactly the draft.
fn import(w: &mut World, s: ParticipantId, d: &Draft) -> Plan {
    let p = plan(w, d);
    if !p.is_empty() {
        w.run(
            s,
            Command::IssueRevision {
                label: None,
                ops: p.ops.clone(),
            },
        )
        .unwrap();
    }
    assert_eq!(tree_of_doc(w.doc()), tree_of_draft(d));
    assert!(plan(w, d).is_empty(), "importing it again changes nothing");
    p
}

type Line = (usize, String, Option<String>, String, ClauseKind, Vec<Note>);

fn tree_of_doc(d: &DocumentState) -> Vec<Line> {
    d.outline()
        .into_iter()
        .map(|(depth, c)| {
            (
                depth,
                c.label.clone(),
                c.heading.clone(),
                c.text.clone(),
                c.kind(d),
                c.notes.clone(),
            )
        })
        .collect()
}

fn tree_of_draft(d: &Draft) -> Vec<Line> {
    fn walk(cs: &[DraftClause], depth: usize, out: &mut Vec<Line>) {
        for c in cs {
            out.push((
                depth,
                c.label.clone(),
                c.heading.clone(),
                c.text.clone(),
                c.kind.unwrap(),
                c.notes.clone(),
            ));
            walk(&c.children, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&d.clauses, 0, &mut out);
    out
}

/// The id of the clause at this path (labels from the top).
fn at(w: &World, path: &[&str]) -> ClauseId {
    let doc = w.doc();
    let mut siblings = doc.roots().to_vec();
    let mut found = None;
    for label in path {
        let id = *siblings
            .iter()
            .find(|id| doc.clause(**id).unwrap().label == *label)
            .unwrap_or_else(|| panic!("no {label} in {path:?}"));
        siblings = doc.clause(id).unwrap().children.clone();
        found = Some(id);
    }
    found.unwrap()
}

fn ids_under(w: &World, path: &[&str]) -> Vec<ClauseId> {
    w.doc().subtree(at(w, path))
}

const P312I_1: &str = "Bedient sich ein Unternehmer zum Zwecke des Abschlusses eines Vertrags über die Lieferung von Waren oder über die Erbringung von Dienstleistungen der Telemedien, hat er dem Kunden angemessene, wirksame und zugängliche technische Mittel zur Verfügung zu stellen, mit deren Hilfe der Kunde Eingabefehler vor Abgabe seiner Bestellung erkennen und berichtigen kann.";
const P312J_1: &str = "Auf Webseiten für den elektronischen Geschäftsverkehr mit Verbrauchern hat der Unternehmer zusätzlich zu den Angaben nach § 312i Absatz 1 spätestens bei Beginn des Bestellvorgangs klar und deutlich anzugeben, ob Lieferbeschränkungen bestehen und welche Zahlungsmittel akzeptiert werden.";
const P312J_2: &str = "Bei einem Verbrauchervertrag im elektronischen Geschäftsverkehr, der eine entgeltliche Leistung des Unternehmers zum Gegenstand hat, muss der Unternehmer dem Verbraucher die Informationen klar und verständlich in hervorgehobener Weise zur Verfügung stellen.";
const SAME: &str = "Absatz 1 gilt entsprechend.";

fn bgb_old(headings: bool) -> Draft {
    let h = |t: &'static str| headings.then_some(t);
    draft(vec![chapter(
        "Kapitel 3",
        Some("Verträge im elektronischen Geschäftsverkehr"),
        vec![
            section(
                "§ 312h",
                h("Kündigung und Vollmacht zur Kündigung"),
                &["Wird zwischen einem Unternehmer und einem Verbraucher ein Dauerschuldverhältnis begründet, das ein zwischen dem Verbraucher und einem anderen Unternehmer bestehendes Dauerschuldverhältnis ersetzen soll, so bedarf die Kündigung der Textform."],
            ),
            section(
                "§ 312i",
                h("Allgemeine Pflichten im elektronischen Geschäftsverkehr"),
                &[P312I_1, SAME],
            ),
            section(
                "§ 312j",
                h("Besondere Pflichten im elektronischen Geschäftsverkehr gegenüber Verbrauchern"),
                &[P312J_1, P312J_2, SAME],
            ),
        ],
    )])
}

/// The same chapter after a new § 312i was inserted and the old § 312i and § 312j became
/// § 312k and § 312l, their cross-references updated (about 90% of their words kept).
fn bgb_new(headings: bool) -> Draft {
    let h = |t: &'static str| headings.then_some(t);
    draft(vec![chapter(
        "Kapitel 3",
        Some("Verträge im elektronischen Geschäftsverkehr"),
        vec![
            section(
                "§ 312h",
                h("Kündigung und Vollmacht zur Kündigung"),
                &["Wird zwischen einem Unternehmer und einem Verbraucher ein Dauerschuldverhältnis begründet, das ein zwischen dem Verbraucher und einem anderen Unternehmer bestehendes Dauerschuldverhältnis ersetzen soll, so bedarf die Kündigung der Textform."],
            ),
            section(
                "§ 312i",
                h("Kündigungsschaltfläche"),
                &[
                    "Wird Verbrauchern über eine Webseite ermöglicht, einen Vertrag im elektronischen Geschäftsverkehr zu schließen, so hat der Unternehmer sicherzustellen, dass der Verbraucher auf der Webseite eine Erklärung zur Kündigung abgeben kann.",
                    SAME,
                ],
            ),
            section(
                "§ 312k",
                h("Allgemeine Pflichten im elektronischen Geschäftsverkehr"),
                &[&P312I_1.replace("angemessene, wirksame", "angemessene und wirksame"), SAME],
            ),
            section(
                "§ 312l",
                h("Besondere Pflichten im elektronischen Geschäftsverkehr gegenüber Verbrauchern"),
                &[
                    &P312J_1.replace("§ 312i", "§ 312k"),
                    &P312J_2.replace("klar und verständlich", "klar, verständlich"),
                    SAME,
                ],
            ),
        ],
    )])
}

#[test]
fn a_run_of_sections_shifted_by_two_keeps_its_ids_and_is_relabelled() {
    shifted_by_two(true);
}

#[test]
fn a_run_of_sections_without_headings_shifted_by_two_keeps_its_ids_and_is_relabelled() {
    shifted_by_two(false);
}

fn shifted_by_two(headings: bool) {
    let (mut w, s) = World::with_document();
    import(&mut w, s, &bgb_old(headings));
    let old_i = ids_under(&w, &["Kapitel 3", "§ 312i"]);
    let old_j = ids_under(&w, &["Kapitel 3", "§ 312j"]);
    let h = at(&w, &["Kapitel 3", "§ 312h"]);

    let p = import(&mut w, s, &bgb_new(headings));

    assert_eq!(
        ids_under(&w, &["Kapitel 3", "§ 312k"]),
        old_i,
        "§ 312i is § 312k"
    );
    assert_eq!(
        ids_under(&w, &["Kapitel 3", "§ 312l"]),
        old_j,
        "§ 312j is § 312l"
    );
    assert_eq!(at(&w, &["Kapitel 3", "§ 312h"]), h);
    let new_i = at(&w, &["Kapitel 3", "§ 312i"]);
    assert!(!old_i.contains(&new_i) && !old_j.contains(&new_i));
    for (id, label) in [(old_i[0], "§ 312k"), (old_j[0], "§ 312l")] {
        assert!(
            p.ops.contains(&ClauseOp::Relabel {
                clause: id,
                label: label.into()
            }),
            "{label}: {:#?}",
            p.ops
        );
    }
    let added: Vec<(ClauseId, Option<ClauseKind>)> = p
        .ops
        .iter()
        .filter_map(|op| match op {
            ClauseOp::Add { clause, kind, .. } => Some((*clause, *kind)),
            _ => None,
        })
        .collect();
    let new_i_all = ids_under(&w, &["Kapitel 3", "§ 312i"]);
    assert_eq!(
        added,
        vec![
            (new_i_all[0], Some(ClauseKind::Article)),
            (new_i_all[1], Some(ClauseKind::Paragraph)),
            (new_i_all[2], Some(ClauseKind::Paragraph)),
        ]
    );
    assert!(!p.ops.iter().any(|op| matches!(op, ClauseOp::Remove { .. })));
    let s = p.summary();
    assert_eq!((s.added, s.removed, s.relabelled), (3, 0, 2));
}

#[test]
fn containers_are_matched_by_what_they_hold_not_by_their_headings() {
    let sec = |l: &str, t: &str| article(l, None, t);
    let (mut w, s) = World::with_document();
    import(
        &mut w,
        s,
        &draft(vec![
            chapter(
                "Chapter 1",
                Some("General provisions"),
                vec![
                    sec("Article 1", "This Regulation lays down rules on data."),
                    sec("Article 2", "It applies to processing by automated means."),
                ],
            ),
            chapter(
                "Chapter 2",
                None,
                vec![
                    sec("Article 3", "Controllers shall keep records of processing."),
                    sec("Article 4", "Processors shall assist controllers."),
                ],
            ),
            chapter(
                "Chapter 3",
                Some("Final provisions"),
                vec![sec(
                    "Article 5",
                    "This Regulation enters into force tomorrow.",
                )],
            ),
        ]),
    );
    let (c1, c2, c3) = (
        at(&w, &["Chapter 1"]),
        at(&w, &["Chapter 2"]),
        at(&w, &["Chapter 3"]),
    );
    // A chapter inserted first; chapter 1 retitled, chapter 2 reworded in part; the final
    // provisions dropped and transitional provisions added in their place.
    let p = import(
        &mut w,
        s,
        &draft(vec![
            chapter(
                "Chapter 1",
                Some("Subject matter"),
                vec![sec(
                    "Article 1",
                    "This Regulation protects natural persons.",
                )],
            ),
            chapter(
                "Chapter 2",
                Some("Principles"),
                vec![
                    sec("Article 2", "This Regulation lays down rules on data."),
                    sec("Article 3", "It applies to processing by automated means."),
                ],
            ),
            chapter(
                "Chapter 3",
                None,
                vec![
                    sec(
                        "Article 4",
                        "Controllers shall keep written records of processing.",
                    ),
                    sec("Article 5", "Processors shall assist controllers."),
                ],
            ),
            chapter(
                "Chapter 4",
                Some("Transitional provisions"),
                vec![sec(
                    "Article 6",
                    "Pending proceedings continue under old rules.",
                )],
            ),
        ]),
    );
    assert_eq!(at(&w, &["Chapter 2"]), c1);
    assert_eq!(at(&w, &["Chapter 3"]), c2);
    let c4 = at(&w, &["Chapter 4"]);
    assert_ne!(
        c4, c3,
        "a chapter that holds nothing of the old one is not it, however alike their headings"
    );
    assert!(p.ops.contains(&ClauseOp::Remove { clause: c3 }));
    assert_ne!(at(&w, &["Chapter 1"]), c1);
}

#[test]
fn a_heading_without_text_is_matched_by_its_label_or_place_never_by_its_words() {
    let (mut w, s) = World::with_document();
    let t1 = "Member States shall cooperate in good faith.";
    let t3 = "This Convention is open for signature by all States.";
    let t4 = "Reservations are not permitted.";
    import(
        &mut w,
        s,
        &draft(vec![
            article("Article 1", None, t1),
            article("Article 2", Some("Final provisions"), ""),
            article("Article 3", None, t3),
            article("Part A", Some("Scope"), ""),
            article("Article 4", None, t4),
        ]),
    );
    let (a2, a3, part) = (
        at(&w, &["Article 2"]),
        at(&w, &["Article 3"]),
        at(&w, &["Part A"]),
    );
    let p = import(
        &mut w,
        s,
        &draft(vec![
            article("Article 1", None, t1),
            // Article 3 renumbered 2, so the old Article 2's label and place are taken.
            article("Article 2", None, t3),
            // Relabelled and retitled, in its place between Article 3 (now 2) and Article 4.
            article("Part B", Some("Scope of application"), ""),
            article("Article 4", None, t4),
            // Alike heading, but neither label nor place: a new clause.
            article("Article 5", Some("Transitional provisions"), ""),
        ]),
    );
    assert_eq!(at(&w, &["Article 2"]), a3);
    assert_ne!(at(&w, &["Article 5"]), a2);
    assert!(p.ops.contains(&ClauseOp::Remove { clause: a2 }));
    assert_eq!(at(&w, &["Part B"]), part);

    // Same label: the same clause, whatever its heading now says.
    let p = import(
        &mut w,
        s,
        &draft(vec![
            article("Article 1", None, t1),
            article("Article 2", None, t3),
            article("Part B", Some("Scope of application"), ""),
            article("Article 4", None, t4),
            article("Article 5", Some("Entry into force"), ""),
        ]),
    );
    assert_eq!(p.summary().reworded, 1);
    assert_eq!(p.summary().added, 0);
}

#[test]
fn paragraphs_with_the_same_label_and_words_stay_under_their_own_section() {
    // Every § has a `(1)` and a `(2)` "Absatz 1 gilt entsprechend."; the sections swap places
    // and one is reworded: each paragraph follows its section.
    let (mut w, s) = World::with_document();
    let a = section("§ 1", "Erster", &["Der erste Satz gilt für alle.", SAME]);
    let b = section(
        "§ 2",
        "Zweiter",
        &["Der zweite Satz gilt für wenige.", SAME],
    );
    import(&mut w, s, &draft(vec![a.clone(), b.clone()]));
    let (ia, ib) = (ids_under(&w, &["§ 1"]), ids_under(&w, &["§ 2"]));
    let mut b2 = section(
        "§ 1",
        "Zweiter",
        &["Der zweite Satz gilt für manche.", SAME],
    );
    b2.label = "§ 1".into();
    let mut a2 = a;
    a2.label = "§ 2".into();
    let p = import(&mut w, s, &draft(vec![b2, a2]));
    assert_eq!(ids_under(&w, &["§ 1"]), ib);
    assert_eq!(ids_under(&w, &["§ 2"]), ia);
    assert_eq!(p.summary().relabelled, 2, "{:#?}", p.ops);
}

#[test]
fn operations_carry_kinds_and_notes_and_a_change_of_notes_alone_is_a_rewording() {
    let (mut w, s) = World::with_document();
    let note = |t: &str| Note {
        mark: "1".into(),
        text: t.into(),
    };
    let mut para = c(ClauseKind::Paragraph, "(1)", None, "Text.[^1]", vec![]);
    para.notes = vec![note("As amended in 2020.")];
    let point = c(ClauseKind::Point, "(a)", None, "a point", vec![]);
    para.children = vec![point];
    let p = import(
        &mut w,
        s,
        &draft(vec![c(
            ClauseKind::Article,
            "§ 1",
            Some("Heading"),
            "",
            vec![para.clone()],
        )]),
    );
    let kinds: Vec<(Option<ClauseKind>, usize)> = p
        .ops
        .iter()
        .filter_map(|op| match op {
            ClauseOp::Add { kind, notes, .. } => Some((*kind, notes.len())),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (Some(ClauseKind::Article), 0),
            (Some(ClauseKind::Paragraph), 1),
            (Some(ClauseKind::Point), 0)
        ]
    );
    let id = at(&w, &["§ 1", "(1)"]);
    para.notes = vec![note("As amended in 2021.")];
    let p = import(
        &mut w,
        s,
        &draft(vec![c(
            ClauseKind::Article,
            "§ 1",
            Some("Heading"),
            "",
            vec![para],
        )]),
    );
    assert_eq!(
        p.ops,
        vec![ClauseOp::Reword {
            clause: id,
            heading: None,
            text: "Text.[^1]".into(),
            notes: vec![note("As amended in 2021.")],
        }]
    );
    assert_eq!(p.summary().reworded, 1);
}
