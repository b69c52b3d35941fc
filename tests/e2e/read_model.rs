//! Read models are caches of the log: deleting and rebuilding them changes no answer, and a
//! view folded from the log agrees with the read model's view of the head.

use crate::support::Travaux;

#[test]
fn rebuilding_the_read_models_changes_no_answer() {
    let t = Travaux::demo();
    let queries: [&[&str]; 6] = [
        &["--json", "show"],
        &["--json", "amend", "list", "--all"],
        &["--json", "doc", "list"],
        &["--json", "participant", "list"],
        &["--json", "tag"],
        &["show"],
    ];
    let before: Vec<String> = queries.iter().map(|q| t.ok(q)).collect();
    let head = t.head();

    let out = t.ok(&["rebuild"]);
    assert_eq!(out, "rebuilt the read models from 755 events\n");
    assert_eq!(t.head(), head, "rebuild does not touch the log");

    for (query, was) in queries.iter().zip(&before) {
        assert_eq!(
            &t.ok(query),
            was,
            "`travaux {}` changed after rebuild",
            query.join(" ")
        );
    }
}

#[test]
fn the_text_folded_at_the_head_sequence_is_the_read_models_text() {
    let t = Travaux::demo();
    let head = t.head();
    let from_read_model = t.json(&["show"]);
    let folded = t.json(&["show", "--at", &head.seq.to_string()]);
    assert_eq!(folded["seq"], head.seq);
    assert_eq!(folded["clauses"], from_read_model["clauses"]);
    assert_eq!(folded["version"], from_read_model["version"]);
    assert_eq!(folded["tags"], from_read_model["tags"]);
    let clauses = folded["clauses"].as_array().unwrap();
    assert!(
        clauses.len() > 60,
        "the whole text: {} clauses",
        clauses.len()
    );
}
