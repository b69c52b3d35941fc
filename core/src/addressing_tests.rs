//! Clauses named by path: `address_of` gives the shortest name that `resolve_clause` reads back,
//! where labels recur under different parents.

use crate::tests::World;
use crate::*;

/// Part 1 > Article 1 > (1), (2); Part 2 > Article 1 > (1); § 312 > (1) > (a); § 313 > (1);
/// Article 5 > 5.1 > (a), (b); Article 5 > 5.2 > (a).
fn tree() -> World {
    let (mut w, s) = World::with_document();
    let mut ops = Vec::new();
    let mut add = |w: &mut World, parent: Option<ClauseId>, label: &str| {
        let id = ClauseId(w.id());
        let after = ops.iter().rev().find_map(|op| match op {
            ClauseOp::Add {
                clause, parent: p, ..
            } if *p == parent => Some(*clause),
            _ => None,
        });
        ops.push(ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause: id,
            parent,
            after,
            label: label.into(),
            heading: None,
            text: format!("Text of {label}."),
        });
        id
    };
    let p1 = add(&mut w, None, "Part 1");
    let a = add(&mut w, Some(p1), "Article 1");
    add(&mut w, Some(a), "(1)");
    add(&mut w, Some(a), "(2)");
    let p2 = add(&mut w, None, "Part 2");
    let a = add(&mut w, Some(p2), "Article 1");
    add(&mut w, Some(a), "(1)");
    let s312 = add(&mut w, None, "§ 312");
    let one = add(&mut w, Some(s312), "(1)");
    add(&mut w, Some(one), "(a)");
    let s313 = add(&mut w, None, "§ 313");
    add(&mut w, Some(s313), "(1)");
    let a5 = add(&mut w, None, "Article 5");
    let p51 = add(&mut w, Some(a5), "5.1");
    add(&mut w, Some(p51), "(a)");
    add(&mut w, Some(p51), "(b)");
    let p52 = add(&mut w, Some(a5), "5.2");
    add(&mut w, Some(p52), "(a)");
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: ops.clone(),
        },
    )
    .unwrap();
    w
}

fn path(w: &World, id: ClauseId) -> String {
    w.doc().path_of(id).join(" > ")
}

#[test]
fn a_repeated_label_is_named_by_the_shortest_tail_of_its_path() {
    let w = tree();
    let d = w.doc();
    let named = |r: &str| path(&w, d.resolve_clause(r).unwrap());
    assert_eq!(named("§ 312 (1)"), "§ 312 > (1)");
    assert_eq!(named("§312(1)"), "§ 312 > (1)");
    assert_eq!(named("§ 312 > (1)"), "§ 312 > (1)");
    assert_eq!(named("§ 313 (1)"), "§ 313 > (1)");
    assert_eq!(named("5.1(b)"), "Article 5 > 5.1 > (b)");
    assert_eq!(named("Article 5 > 5.1 > (b)"), "Article 5 > 5.1 > (b)");
    assert_eq!(named("5.2 (a)"), "Article 5 > 5.2 > (a)");
    assert_eq!(named("(1) (a)"), "§ 312 > (1) > (a)");
    assert_eq!(named("Part 2 Article 1 (1)"), "Part 2 > Article 1 > (1)");
    // A unique label is enough, wherever it sits.
    assert_eq!(named("(b)"), "Article 5 > 5.1 > (b)");
    assert_eq!(named("(2)"), "Part 1 > Article 1 > (2)");

    let address = |r: &str| d.address_of(d.resolve_clause(r).unwrap());
    assert_eq!(address("§ 312 (1)"), "§ 312 (1)");
    assert_eq!(address("5.1(a)"), "5.1 (a)");
    assert_eq!(address("5.1(b)"), "(b)");
    assert_eq!(address("§ 312"), "§ 312");
    // "Article 1 (1)" names two clauses: the address goes up to the part.
    assert_eq!(address("Part 1 Article 1 (1)"), "Part 1 Article 1 (1)");
    assert_eq!(address("Part 2 > Article 1"), "Part 2 Article 1");
}

#[test]
fn every_address_reads_back_as_its_clause() {
    let w = tree();
    let d = w.doc();
    for (_, c) in d.outline() {
        let address = d.address_of(c.id);
        assert_eq!(
            d.resolve_clause(&address),
            Ok(c.id),
            "{address} ({})",
            path(&w, c.id)
        );
    }
}

#[test]
fn an_ambiguous_name_lists_the_addresses_of_its_candidates() {
    let w = tree();
    let d = w.doc();
    let Err(DomainError::AmbiguousClause {
        reference,
        mut candidates,
    }) = d.resolve_clause("(1)")
    else {
        panic!("(1) is under four clauses")
    };
    assert_eq!(reference, "(1)");
    candidates.sort();
    assert_eq!(
        candidates,
        [
            "Part 1 Article 1 (1)",
            "Part 2 Article 1 (1)",
            "§ 312 (1)",
            "§ 313 (1)"
        ]
    );
    // Each candidate, pasted back, names one clause.
    for c in &candidates {
        assert!(d.resolve_clause(c).is_ok(), "{c}");
    }
    let Err(DomainError::AmbiguousClause { candidates, .. }) = d.resolve_clause("Article 1 (1)")
    else {
        panic!("Article 1 (1) is under both parts")
    };
    assert_eq!(candidates.len(), 2);
    let err = d.resolve_clause("(a)").unwrap_err().to_string();
    assert!(
        err.contains("5.1 (a)") && err.contains("5.2 (a)") && err.contains("(1) (a)"),
        "{err}"
    );
    assert!(matches!(
        d.resolve_clause("§ 314 (1)"),
        Err(DomainError::UnknownClause(_))
    ));
}

#[test]
fn a_top_level_clause_is_named_by_its_label_where_nested_ones_share_it() {
    // Operative paragraphs `1.`, `2.` of a resolution at the top level, and points `1.` under
    // an article: the bare label names the top-level one; the others go by their paths.
    let (mut w, s) = World::with_document();
    let (one, art, point) = (ClauseId(w.id()), ClauseId(w.id()), ClauseId(w.id()));
    let add = |clause, parent, after, label: &str| ClauseOp::Add {
        kind: None,
        notes: Vec::new(),
        clause,
        parent,
        after,
        label: label.into(),
        heading: None,
        text: format!("Text of {label}."),
    };
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: vec![
                add(one, None, None, "1."),
                add(art, None, Some(one), "Article 2"),
                add(point, Some(art), None, "1."),
            ],
        },
    )
    .unwrap();
    let doc = w.doc();
    assert_eq!(doc.address_of(one), "1.");
    assert_eq!(doc.resolve_clause("1."), Ok(one));
    assert_eq!(doc.address_of(point), "Article 2 1.");
    assert_eq!(doc.resolve_clause("Article 2 1."), Ok(point));
}
