//! Renumbering: schemes read from labels, sequences, references, and the rules of `decide`.

use super::scheme::{self, Body, System};
use super::*;
use crate::tests::World;
use crate::*;

/// A text given as (path of the parent by labels joined by " > ", label, words): each clause
/// goes last under its parent.
fn text(w: &mut World, s: ParticipantId, clauses: &[(&str, &str, &str)]) {
    let mut ops = Vec::new();
    let mut ids: Vec<(String, ClauseId)> = Vec::new();
    let mut last: BTreeMap<String, ClauseId> = BTreeMap::new();
    for (parent, label, words) in clauses {
        let id = ClauseId(w.id());
        let parent_id = (!parent.is_empty()).then(|| {
            ids.iter()
                .find(|(p, _)| p == parent)
                .unwrap_or_else(|| panic!("no parent {parent}"))
                .1
        });
        ops.push(ClauseOp::Add {
            clause: id,
            parent: parent_id,
            after: last.get(*parent).copied(),
            label: label.to_string(),
            heading: None,
            text: words.to_string(),
            kind: None,
            notes: Vec::new(),
        });
        last.insert(parent.to_string(), id);
        let path = if parent.is_empty() {
            label.to_string()
        } else {
            format!("{parent} > {label}")
        };
        ids.push((path, id));
    }
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: Some("draft".into()),
            ops,
        },
    )
    .unwrap();
}

fn id(w: &World, path: &str) -> ClauseId {
    w.doc().resolve_clause(path).unwrap()
}

/// Move a clause to be the last under a parent (or first, with `first`).
fn move_to(w: &mut World, s: ParticipantId, clause: &str, parent: &str, first: bool) {
    let clause = id(w, clause);
    let parent = id(w, parent);
    let after = if first {
        None
    } else {
        w.doc().clause(parent).unwrap().children.last().copied()
    };
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: vec![ClauseOp::Move {
                clause,
                parent: Some(parent),
                after,
            }],
        },
    )
    .unwrap();
}

/// Every clause's path, in reading order.
fn paths(d: &DocumentState) -> Vec<String> {
    d.outline()
        .iter()
        .map(|(_, c)| d.path_of(c.id).join(" > "))
        .collect()
}

fn renumber_cmd(references: bool) -> Command {
    Command::Renumber {
        under: None,
        references,
        label: None,
    }
}

/// Articles 6 and 7 with their paragraphs.
fn six_and_seven() -> (World, ParticipantId) {
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            ("", "Article 6", ""),
            ("Article 6", "6.1", "one"),
            ("Article 6", "6.2", "two"),
            ("Article 6", "6.3", "three"),
            ("Article 6", "6.4", "four"),
            ("", "Article 7", ""),
            ("Article 7", "7.1", "seven one"),
            ("Article 7", "7.2", "seven two"),
            ("Article 7", "7.3", "seven three, see 6.4 and 7.3"),
            ("", "Article 8", "As set out in Article [8] and Article 7."),
        ],
    );
    (w, s)
}

#[test]
fn labels_are_read_in_their_schemes() {
    let p = |l: &str| scheme::parse(l).map(|p| (p.prefix, p.body, p.insertion, p.suffix));
    let s = String::from;
    assert_eq!(
        p("Article 5"),
        Some((s("Article "), Body::Arabic(5), s(""), s("")))
    );
    assert_eq!(
        p("7.2"),
        Some((s(""), Body::Dotted(vec![7, 2]), s(""), s("")))
    );
    assert_eq!(
        p("7.2.1."),
        Some((s(""), Body::Dotted(vec![7, 2, 1]), s(""), s(".")))
    );
    assert_eq!(p("(b)"), Some((s("("), Body::Alpha(s("b")), s(""), s(")"))));
    assert_eq!(p("a)"), Some((s(""), Body::Alpha(s("a")), s(""), s(")"))));
    assert_eq!(
        p("(iv)"),
        Some((s("("), Body::Alpha(s("iv")), s(""), s(")")))
    );
    assert_eq!(p("(1)"), Some((s("("), Body::Arabic(1), s(""), s(")"))));
    assert_eq!(
        p("§ 312a"),
        Some((s("§ "), Body::Arabic(312), s("a"), s("")))
    );
    assert_eq!(p("9a."), Some((s(""), Body::Arabic(9), s("a"), s("."))));
    assert_eq!(p("PP3"), Some((s("PP"), Body::Arabic(3), s(""), s(""))));
    assert_eq!(
        p("Article 5 bis"),
        Some((s("Article "), Body::Arabic(5), s(" bis"), s("")))
    );
    assert_eq!(
        p("Chapter II"),
        Some((s("Chapter "), Body::Alpha(s("II")), s(""), s("")))
    );
    for unknown in [
        "Preamble",
        "Part Three",
        "Annex",
        "Article 1.1",
        "1 to 3",
        "(b",
    ] {
        assert_eq!(p(unknown), None, "{unknown}");
    }
}

#[test]
fn letters_and_roman_numerals_are_told_apart_by_their_siblings() {
    assert!(scheme::reads_as_roman(&["i", "ii", "iii", "iv"]));
    assert!(scheme::reads_as_roman(&["i"]));
    assert!(!scheme::reads_as_roman(&["h", "i"]));
    assert!(!scheme::reads_as_roman(&["c", "d"]));
    assert!(!scheme::reads_as_roman(&["v"]));
    assert_eq!(scheme::roman(14, false), "xiv");
    assert_eq!(scheme::roman_value("xiv"), Some(14));
    assert_eq!(scheme::roman_value("iiii"), None);
    assert_eq!(scheme::letter(27, false), "aa");
    assert_eq!(scheme::letter_value("bb"), Some(28));
    assert_eq!(scheme::numeral(3, System::Letter { upper: true }), "C");
}

#[test]
fn a_paragraph_moved_under_another_article_takes_its_number() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", false);
    let plan = renumber(w.doc(), None, false).unwrap();
    let changes: Vec<(&str, &str)> = plan
        .relabels
        .iter()
        .map(|r| (r.old.as_str(), r.new.as_str()))
        .collect();
    assert_eq!(changes, [("6.4", "7.4")]);
    w.run(s, renumber_cmd(false)).unwrap();
    let under_7: Vec<&str> = w
        .doc()
        .clause(id(&w, "Article 7"))
        .unwrap()
        .children
        .iter()
        .map(|c| w.doc().clause(*c).unwrap().label.as_str())
        .collect();
    assert_eq!(under_7, ["7.1", "7.2", "7.3", "7.4"]);
    // The text reads as moved, and its words are untouched.
    assert_eq!(w.doc().clause(id(&w, "7.4")).unwrap().text, "four");
    // Nothing left to do.
    assert!(renumber(w.doc(), None, false).unwrap().is_empty());
    let refused = w.run(s, renumber_cmd(false)).unwrap_err().to_string();
    assert!(refused.contains("already in sequence"), "{refused}");
}

#[test]
fn a_paragraph_moved_first_shifts_the_others_in_one_revision() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", true);
    let events = w.run(s, renumber_cmd(false)).unwrap();
    // One revision, labelled, of relabels only: 6.4 → 7.1 while 7.1 → 7.2 (labels are checked
    // once all are applied).
    let [Event::RevisionIssued { label, ops, .. }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(label.as_deref(), Some("renumbered"));
    assert_eq!(ops.len(), 4);
    assert!(ops.iter().all(|op| matches!(op, ClauseOp::Relabel { .. })));
    let d = w.doc();
    let texts: Vec<(String, String)> = d
        .clause(id(&w, "Article 7"))
        .unwrap()
        .children
        .iter()
        .map(|c| {
            let c = d.clause(*c).unwrap();
            (c.label.clone(), c.text.clone())
        })
        .collect();
    assert_eq!(
        texts,
        [
            ("7.1".to_string(), "four".to_string()),
            ("7.2".into(), "seven one".into()),
            ("7.3".into(), "seven two".into()),
            ("7.4".into(), "seven three, see 6.4 and 7.3".into()),
        ]
    );
}

#[test]
fn articles_and_their_paragraphs_close_up_after_a_removal() {
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            ("", "PP1", "Recalling"),
            ("", "PP3", "Noting"),
            ("", "Article 1", ""),
            ("Article 1", "1.1", "a"),
            ("", "Article 3", ""),
            ("Article 3", "3.1", "b"),
            ("Article 3", "3.3", "c"),
            ("Article 3 > 3.3", "(a)", "x"),
            ("Article 3 > 3.3", "(c)", "y"),
            ("Article 3 > 3.3", "(d)", "z"),
            ("Article 3 > 3.3 > (d)", "(i)", "p"),
            ("Article 3 > 3.3 > (d)", "(iii)", "q"),
            ("", "Annex", "tables"),
        ],
    );
    let plan = renumber(w.doc(), None, false).unwrap();
    let after: Vec<(String, String)> = plan
        .relabels
        .iter()
        .map(|r| (r.old_address.clone(), r.new_address.clone()))
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        after,
        [
            pair("PP3", "PP2"),
            pair("Article 3", "Article 2"),
            pair("3.1", "2.1"),
            pair("3.3", "2.2"),
            pair("(c)", "(b)"),
            pair("(d)", "(c)"),
            pair("(iii)", "(ii)"),
        ]
    );
    let unrecognised: Vec<&str> = plan.unrecognised.iter().map(|u| u.label.as_str()).collect();
    assert_eq!(unrecognised, ["Annex"]);
    w.run(s, renumber_cmd(false)).unwrap();
    assert!(paths(w.doc()).contains(&"Article 2 > 2.2 > (c) > (ii)".to_string()));
}

#[test]
fn articles_numbered_through_the_chapters_stay_so_and_points_restart_under_each_paragraph() {
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            ("", "Chapter I", ""),
            ("Chapter I", "Article 1", ""),
            ("Chapter I", "Article 2", ""),
            ("", "Chapter III", ""),
            ("Chapter III", "Article 4", ""),
            ("Chapter III > Article 4", "1.", ""),
            ("Chapter III > Article 4 > 1.", "(a)", "x"),
            ("Chapter III > Article 4 > 1.", "(c)", "y"),
            ("Chapter III > Article 4", "2.", ""),
            ("Chapter III > Article 4 > 2.", "(a)", "z"),
            ("Chapter III", "Article 5", ""),
            ("Chapter III > Article 5", "1.", ""),
            ("Chapter III > Article 5", "3.", ""),
        ],
    );
    w.run(s, renumber_cmd(false)).unwrap();
    assert_eq!(
        paths(w.doc()),
        [
            "Chapter I",
            "Chapter I > Article 1",
            "Chapter I > Article 2",
            "Chapter II",
            "Chapter II > Article 3",
            "Chapter II > Article 3 > 1.",
            "Chapter II > Article 3 > 1. > (a)",
            "Chapter II > Article 3 > 1. > (b)",
            "Chapter II > Article 3 > 2.",
            "Chapter II > Article 3 > 2. > (a)",
            "Chapter II > Article 4",
            "Chapter II > Article 4 > 1.",
            "Chapter II > Article 4 > 2.",
        ]
    );
}

#[test]
fn inserted_sections_are_numbered_into_the_sequence() {
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            ("", "§ 1", "Scope; see § 2a and §§ 3 bis 3a."),
            ("", "§ 2", ""),
            ("", "§ 2a", ""),
            ("", "§ 3", ""),
            ("", "§ 3a", ""),
        ],
    );
    let plan = renumber(w.doc(), None, true).unwrap();
    let changes: Vec<(&str, &str)> = plan
        .relabels
        .iter()
        .map(|r| (r.old.as_str(), r.new.as_str()))
        .collect();
    assert_eq!(changes, [("§ 2a", "§ 3"), ("§ 3", "§ 4"), ("§ 3a", "§ 5")]);
    w.run(s, renumber_cmd(true)).unwrap();
    assert_eq!(
        w.doc().clause(id(&w, "§ 1")).unwrap().text,
        "Scope; see § 3 and §§ 4 bis 5."
    );
}

#[test]
fn references_are_listed_and_rewritten_only_when_asked() {
    let (mut w, s) = six_and_seven();
    // Article 7 goes before Article 6: both articles and their paragraphs change number (the
    // text is an excerpt, from Article 6: it still starts there).
    let a7 = id(&w, "Article 7");
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: vec![ClauseOp::Move {
                clause: a7,
                parent: None,
                after: None,
            }],
        },
    )
    .unwrap();
    let listed = renumber(w.doc(), None, false).unwrap();
    assert!(listed
        .ops
        .iter()
        .all(|op| matches!(op, ClauseOp::Relabel { .. })));
    let refs: Vec<(String, String, String, String, bool)> = listed
        .references
        .iter()
        .map(|r| {
            (
                r.address.clone(),
                r.found.clone(),
                r.old.clone(),
                r.new.clone().unwrap(),
                r.rewritten,
            )
        })
        .collect();
    let r = |a: &str, f: &str, o: &str, n: &str| (a.into(), f.into(), o.into(), n.into(), false);
    assert_eq!(
        refs,
        [
            r("6.3", "see 6.4", "6.4", "7.4"),
            r("6.3", "7.3", "7.3", "6.3"),
            r("Article 8", "Article 7", "Article 7", "Article 6"),
        ]
    );
    // Article 8 stays Article 8: "Article [8]" is not listed.
    let events = w.run(s, renumber_cmd(true)).unwrap();
    let d = w.doc();
    // Each number rewritten from the words as they stood (see also the agreed clause below,
    // where 6.4 → 7.1 beside 7.3 → 7.4).
    assert_eq!(
        d.clause(id(&w, "6.3")).unwrap().text,
        "seven three, see 7.4 and 6.3"
    );
    assert_eq!(
        d.clause(id(&w, "Article 8")).unwrap().text,
        "As set out in Article [8] and Article 6."
    );
    let [Event::RevisionIssued { ops, .. }] = &events[..] else {
        panic!()
    };
    assert_eq!(
        ops.iter()
            .filter(|op| matches!(op, ClauseOp::Reword { .. }))
            .count(),
        2
    );
}

#[test]
fn no_number_is_rewritten_twice() {
    let (mut w, s) = six_and_seven();
    // 6.4 goes first under Article 7: 6.4 → 7.1 while 7.1 → 7.2, 7.2 → 7.3 and 7.3 → 7.4.
    // Replacing one number after another would turn "see 6.4 and 7.3" into "see 7.4 and 7.4".
    move_to(&mut w, s, "6.4", "Article 7", true);
    let cites = id(&w, "7.3");
    w.run(s, renumber_cmd(true)).unwrap();
    let c = w.doc().clause(cites).unwrap();
    assert_eq!(
        (c.label.as_str(), c.text.as_str()),
        ("7.4", "seven three, see 7.1 and 7.4")
    );
}

#[test]
fn a_bracketed_number_and_a_number_in_a_list_are_references_too() {
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            (
                "",
                "Article 1",
                "Articles [3], 4 and 6 apply; so do 2.5 per cent and 3.1%.",
            ),
            ("", "Article 3", ""),
            ("Article 3", "3.1", "x"),
            ("", "Article 4", "Subject to Article [3]."),
            ("", "Article 6", "See article 3 and Article 30."),
        ],
    );
    w.run(s, renumber_cmd(true)).unwrap();
    let d = w.doc();
    assert_eq!(
        d.clause(id(&w, "Article 1")).unwrap().text,
        "Articles [2], 3 and 4 apply; so do 2.5 per cent and 3.1%."
    );
    assert_eq!(
        d.clause(id(&w, "Article 3")).unwrap().text,
        "Subject to Article [2]."
    );
    assert_eq!(
        d.clause(id(&w, "Article 4")).unwrap().text,
        "See article 2 and Article 30."
    );
}

#[test]
fn renumbering_under_a_clause_leaves_the_rest() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", true);
    move_to(&mut w, s, "6.2", "Article 7", false);
    let a7 = id(&w, "Article 7");
    // Article 7 goes first: renumbering the whole text would make it Article 6.
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: vec![ClauseOp::Move {
                clause: a7,
                parent: None,
                after: None,
            }],
        },
    )
    .unwrap();
    let whole = renumber(w.doc(), None, false).unwrap();
    assert!(whole.relabels.iter().any(|r| r.old == "Article 7"));
    let plan = renumber(w.doc(), Some(a7), false).unwrap();
    let news: Vec<(&str, &str)> = plan
        .relabels
        .iter()
        .map(|r| (r.old.as_str(), r.new.as_str()))
        .collect();
    // Article 7 keeps its label and its paragraphs build on it; Article 6's 6.1, 6.3 stay.
    assert_eq!(
        news,
        [
            ("6.4", "7.1"),
            ("7.1", "7.2"),
            ("7.2", "7.3"),
            ("7.3", "7.4"),
            ("6.2", "7.5")
        ]
    );
    let gone = ClauseId(uuid::Uuid::from_u128(999_999));
    assert!(renumber(w.doc(), Some(gone), false).is_err());
}

#[test]
fn only_the_secretariat_renumbers_and_never_an_adopted_text() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", false);
    let delegate = w.participant("brazil", &[Role::Delegate]);
    let refused = w.run(delegate, renumber_cmd(false)).unwrap_err();
    assert!(
        matches!(refused, DomainError::NotAllowed { .. }),
        "{refused}"
    );
    let chair = w.participant("chair", &[Role::Chair]);
    w.run(
        chair,
        Command::Adopt {
            symbol: "WHA63.16".into(),
            method: Method::Consensus,
        },
    )
    .unwrap();
    let refused = w.run(s, renumber_cmd(false)).unwrap_err();
    assert!(matches!(refused, DomainError::Adopted { .. }), "{refused}");
}

#[test]
fn agreed_clauses_are_renumbered_and_stay_agreed() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", true);
    let chair = w.participant("chair", &[Role::Chair]);
    for label in ["6.4", "7.3", "Article 8"] {
        let clause = id(&w, label);
        w.run(
            chair,
            Command::RecordAgreement {
                clause,
                agreement: Agreement::Agreed,
            },
        )
        .unwrap();
    }
    let moved = id(&w, "6.4");
    let cites = id(&w, "7.3");
    // An ordinary revision may not relabel an agreed clause...
    let refused = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: vec![ClauseOp::Relabel {
                    clause: moved,
                    label: "7.9".into(),
                }],
            },
        )
        .unwrap_err();
    assert!(refused.to_string().contains("agreed"), "{refused}");
    // ...renumbering may, and rewrites the numbers the agreed words cite, nothing else.
    w.run(s, renumber_cmd(true)).unwrap();
    let d = w.doc();
    assert_eq!(d.clause(moved).unwrap().label, "7.1");
    assert_eq!(d.clause(cites).unwrap().label, "7.4");
    assert_eq!(
        d.clause(cites).unwrap().text,
        "seven three, see 7.1 and 7.4"
    );
    for c in [moved, cites] {
        assert_eq!(d.agreement_of(c), Agreement::Agreed);
    }
}

#[test]
fn a_reference_inside_an_open_bracket_is_listed_but_left() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", false);
    let delegate = w.participant("brazil", &[Role::Delegate]);
    let clause = id(&w, "7.3");
    w.run(
        delegate,
        Command::BracketText {
            clause,
            span: "see 6.4".into(),
        },
    )
    .unwrap();
    let plan = renumber(w.doc(), None, true).unwrap();
    let r = &plan.references[0];
    assert_eq!((r.old.as_str(), r.rewritten), ("6.4", false));
    assert!(r.left.as_deref().unwrap().contains("bracket"));
    assert!(plan
        .ops
        .iter()
        .all(|op| matches!(op, ClauseOp::Relabel { .. })));
}

/// A larger text: 60 articles of 8 paragraphs of 3 points, Article 1 and every (a) removed,
/// so that nearly every label changes, and every paragraph cites the next article and itself.
#[test]
fn a_larger_text_is_renumbered_whole_with_its_references() {
    let (mut w, s) = World::with_document();
    let mut clauses: Vec<(String, String, String)> = Vec::new();
    for a in 2..=61 {
        let art = format!("Article {a}");
        clauses.push((String::new(), art.clone(), String::new()));
        for p in 1..=8 {
            let para = format!("{a}.{p}");
            clauses.push((
                art.clone(),
                para.clone(),
                format!("See Article {} and {a}.{p}.", a + 1),
            ));
            for pt in ["(b)", "(c)", "(d)"] {
                clauses.push((format!("{art} > {para}"), pt.into(), "x".into()));
            }
        }
    }
    let refs: Vec<(&str, &str, &str)> = clauses
        .iter()
        .map(|(p, l, t)| (p.as_str(), l.as_str(), t.as_str()))
        .collect();
    text(&mut w, s, &refs);
    let plan = renumber(w.doc(), None, true).unwrap();
    assert_eq!(plan.relabels.len(), 60 + 480 + 1440);
    // Each paragraph cites the next article (but the last) and itself.
    assert_eq!(plan.references.len(), 59 * 8 + 480);
    w.run(s, renumber_cmd(true)).unwrap();
    let c = w.doc().clause(id(&w, "Article 60 > 60.8 > (c)")).unwrap();
    assert_eq!(c.text, "x");
    let p = w.doc().clause(id(&w, "Article 1 > 1.1")).unwrap();
    assert_eq!(p.text, "See Article 2 and 1.1.");
}

#[test]
fn a_number_of_another_instrument_is_listed_but_left() {
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            ("", "Article 1", ""),
            (
                "",
                "Article 3",
                "Article 3 of the Treaty and Articles 3 and 4 of this Code.",
            ),
            ("", "Article 4", ""),
        ],
    );
    let plan = renumber(w.doc(), None, true).unwrap();
    let refs: Vec<(&str, Option<&str>, bool, Option<&str>)> = plan
        .references
        .iter()
        .map(|r| {
            (
                r.found.as_str(),
                r.new.as_deref(),
                r.rewritten,
                r.left.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        refs,
        [
            (
                "Article 3",
                None,
                false,
                Some("it cites another instrument (\"of the Treaty\")")
            ),
            ("Articles 3", Some("Article 2"), true, None),
            ("Articles 3 and 4", Some("Article 3"), true, None),
        ]
    );
    w.run(s, renumber_cmd(true)).unwrap();
    assert_eq!(
        w.doc().clause(id(&w, "Article 2")).unwrap().text,
        "Article 3 of the Treaty and Articles 2 and 3 of this Code."
    );
}

#[test]
fn a_pending_insertion_whose_label_renumbering_takes_is_listed() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", false);
    let delegate = w.participant("brazil", &[Role::Delegate]);
    let parent = id(&w, "Article 7");
    let after = id(&w, "6.4");
    let clause = ClauseId(w.id());
    w.run(
        delegate,
        Command::ProposeAmendment {
            change: Change::Insert {
                clause,
                parent: Some(parent),
                after: Some(after),
                label: "7.4".into(),
                text: "new".into(),
            },
            rationale: None,
        },
    )
    .unwrap();
    let plan = renumber(w.doc(), None, false).unwrap();
    assert_eq!(
        plan.clashes,
        [Clash {
            amendment: AmendmentNo(1),
            label: "7.4".into(),
            under: "Article 7".into(),
        }]
    );
}

#[test]
fn a_reference_a_pending_word_level_amendment_acts_on_is_listed_but_left() {
    let (mut w, s) = six_and_seven();
    move_to(&mut w, s, "6.4", "Article 7", false);
    let delegate = w.participant("brazil", &[Role::Delegate]);
    let clause = id(&w, "7.3");
    w.run(
        delegate,
        Command::ProposeAmendment {
            change: Change::Words {
                clause,
                edit: crate::words::WordEdit {
                    action: crate::words::WordAction::Replace,
                    words: "see 6.4".into(),
                    by: "as 6.4 provides".into(),
                    occurrence: None,
                    context_before: String::new(),
                    context_after: String::new(),
                },
            },
            rationale: None,
        },
    )
    .unwrap();
    let plan = renumber(w.doc(), None, true).unwrap();
    let r = &plan.references[0];
    assert_eq!((r.old.as_str(), r.rewritten), ("6.4", false));
    assert!(r.left.as_deref().unwrap().contains("A1 (pending)"), "{r:?}");
    // It was the one reference (7.3 keeps its number): nothing is rewritten, only relabelled.
    assert_eq!(plan.references.len(), 1);
    assert!(plan
        .ops
        .iter()
        .all(|op| matches!(op, ClauseOp::Relabel { .. })));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// An article's number, and its paragraphs' numbers with their points' numbers.
    type Article = (u64, Vec<(u64, Vec<u64>)>);

    /// A text: articles with gaps in their numbers, paragraphs and points likewise, then some
    /// paragraphs moved to other articles (keeping their labels).
    fn shuffled_text() -> impl Strategy<Value = (Vec<Article>, Vec<(usize, usize)>)> {
        // A lone (i) is read as a roman numeral, as a list (i), (ii) that lost the rest; here
        // points are letters.
        let points = proptest::collection::btree_set(1..12u64, 0..4)
            .prop_filter("a lone (i) is roman", |p| p.len() != 1 || !p.contains(&9));
        let paragraphs = proptest::collection::btree_map(1..9u64, points, 0..5);
        let articles = proptest::collection::btree_map(1..12u64, paragraphs, 1..6);
        let moves = proptest::collection::vec((0..20usize, 0..6usize), 0..4);
        (articles, moves).prop_map(|(a, m)| {
            (
                a.into_iter()
                    .map(|(n, ps)| {
                        (
                            n,
                            ps.into_iter()
                                .map(|(p, pts)| (p, pts.into_iter().collect()))
                                .collect(),
                        )
                    })
                    .collect(),
                m,
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Renumbering puts every list in sequence, and a second renumbering finds nothing
        /// to do; the words and the order of the text are untouched.
        #[test]
        fn renumbering_is_in_sequence_and_stable((articles, moves) in shuffled_text()) {
            let (mut w, s) = World::with_document();
            let mut clauses: Vec<(String, String, String)> = Vec::new();
            for (a, paragraphs) in &articles {
                let art = format!("Article {a}");
                clauses.push((String::new(), art.clone(), String::new()));
                for (p, points) in paragraphs {
                    let para = format!("{a}.{p}");
                    clauses.push((art.clone(), para.clone(), format!("words of {a}.{p}")));
                    for pt in points {
                        clauses.push((
                            format!("{art} > {para}"),
                            format!("({})", scheme::letter(*pt, false)),
                            format!("point {pt} of {a}.{p}"),
                        ));
                    }
                }
            }
            let refs: Vec<(&str, &str, &str)> =
                clauses.iter().map(|(p, l, t)| (p.as_str(), l.as_str(), t.as_str())).collect();
            text(&mut w, s, &refs);
            let roots: Vec<ClauseId> = w.doc().roots().to_vec();
            for (para, to) in moves {
                let paras: Vec<ClauseId> = roots
                    .iter()
                    .flat_map(|a| w.doc().clause(*a).unwrap().children.clone())
                    .collect();
                if paras.is_empty() {
                    break;
                }
                let clause = paras[para % paras.len()];
                let parent = roots[to % roots.len()];
                let after = w.doc().clause(parent).unwrap().children.last().copied();
                if after == Some(clause) {
                    continue;
                }
                // A label already under the new parent: the move is refused; go on.
                let _ = w.run(s, Command::IssueRevision { title: None,
                    label: None,
                    ops: vec![ClauseOp::Move { clause, parent: Some(parent), after }],
                });
            }
            let words_before: Vec<(ClauseId, String)> =
                w.doc().outline().iter().map(|(_, c)| (c.id, c.text.clone())).collect();
            let plan = renumber(w.doc(), None, false).unwrap();
            if !plan.is_empty() {
                w.run(s, renumber_cmd(false)).unwrap();
            }
            let d = w.doc();
            let words_after: Vec<(ClauseId, String)> =
                d.outline().iter().map(|(_, c)| (c.id, c.text.clone())).collect();
            prop_assert_eq!(words_before, words_after);
            prop_assert!(renumber(d, None, true).unwrap().is_empty());
            // Articles in sequence from the first one's number, paragraphs N.1, N.2, …,
            // points (a), (b), ….
            let first: u64 = articles[0].0;
            let start = if first > articles.len() as u64 { first } else { 1 };
            for (i, a) in d.roots().iter().enumerate() {
                let article = d.clause(*a).unwrap();
                let n = start + i as u64;
                prop_assert_eq!(&article.label, &format!("Article {n}"));
                for (j, p) in article.children.iter().enumerate() {
                    let para = d.clause(*p).unwrap();
                    prop_assert_eq!(&para.label, &format!("{n}.{}", j + 1));
                    for (k, pt) in para.children.iter().enumerate() {
                        let expected = format!("({})", scheme::letter(k as u64 + 1, false));
                        prop_assert_eq!(&d.clause(*pt).unwrap().label, &expected);
                    }
                }
            }
        }

        /// Any label is read without a panic, and a label read is its parts put together.
        #[test]
        fn a_label_is_its_parts(label in "\\PC{0,12}|[(§ A-Za-z]{0,9}[0-9]{1,3}[a-z]{0,2}[).]{0,2}") {
            if let Some(p) = scheme::parse(&label) {
                let body = match &p.body {
                    Body::Arabic(n) => n.to_string(),
                    Body::Alpha(s) => s.clone(),
                    Body::Dotted(parts) => parts.iter().map(u64::to_string).collect::<Vec<_>>().join("."),
                };
                let trimmed = label.trim();
                let whole = format!("{}{body}{}{}", p.prefix, p.insertion, p.suffix);
                // Leading zeros are the one thing a number does not keep.
                if !trimmed.contains('0') {
                    prop_assert_eq!(whole, trimmed);
                }
            }
        }

        /// Any words are searched for references without a panic, and rewriting them twice
        /// changes nothing more than once.
        #[test]
        fn any_words_are_searched(words in "(\\PC|Article |Articles |§ |see |[0-9]\\.[0-9]| and | of the |\\[|\\]){0,30}") {
            let (mut w, s) = World::with_document();
            text(&mut w, s, &[
                ("", "Article 2", ""),
                ("Article 2", "2.1", ""),
                ("Article 2", "2.3", ""),
                ("", "Article 3", ""),
                ("", "Article 5", &words),
            ]);
            let plan = renumber(w.doc(), None, true).unwrap();
            prop_assert!(!plan.is_empty());
            w.run(s, renumber_cmd(true)).unwrap();
            prop_assert!(renumber(w.doc(), None, true).unwrap().is_empty());
        }
    }
}

#[test]
fn paragraphs_numbered_by_section_keep_their_sections() {
    // A draft numbered 1.1, 1.2, 2.1 … at the top level, with 1.1a inserted: only section 1
    // moves; 2.1, 2.2 and 3.1 keep their numbers, and so do the references to them.
    let (mut w, s) = World::with_document();
    text(
        &mut w,
        s,
        &[
            ("", "1.1", "First."),
            ("", "1.1a", "Inserted."),
            ("", "1.2", "As provided in 1.2 and set out in 3.1."),
            ("", "2.1", "Second."),
            ("", "2.2", "More."),
            ("", "3.1", "Third."),
        ],
    );
    let plan = renumber(w.doc(), None, true).unwrap();
    let relabels: Vec<(&str, &str)> = plan
        .relabels
        .iter()
        .map(|r| (r.old.as_str(), r.new.as_str()))
        .collect();
    assert_eq!(relabels, [("1.1a", "1.2"), ("1.2", "1.3")]);
    w.run(s, renumber_cmd(true)).unwrap();
    let c = w.doc().clause(id(&w, "1.3")).unwrap();
    assert_eq!(c.text, "As provided in 1.3 and set out in 3.1.");
}
