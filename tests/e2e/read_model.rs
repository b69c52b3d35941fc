//! Read models are caches of the log: deleting and rebuilding them changes no answer, and a
//! view folded from the log agrees with the read model's view of the head.

use crate::support::Travaux;

/// What a user would look at: the text, the amendments, the documents, the participants, the
/// tags, the whole log.
const QUERIES: [&[&str]; 7] = [
    &["--json", "show"],
    &["--json", "amend", "list", "--all"],
    &["--json", "doc", "list"],
    &["--json", "participant", "list"],
    &["--json", "tag"],
    &["show"],
    &["log", "--all"],
];

/// The answers to [`QUERIES`].
fn answers(t: &Travaux) -> Vec<String> {
    QUERIES.iter().map(|q| t.ok(q)).collect()
}

/// Every answer is as `before`, after `what`.
fn same_answers(t: &Travaux, before: &[String], what: &str) {
    for (query, was) in QUERIES.iter().zip(before) {
        assert_eq!(
            &t.ok(query),
            was,
            "`travaux {}` changed after {what}",
            query.join(" ")
        );
    }
}

#[test]
fn compacting_the_store_changes_no_answer() {
    let t = Travaux::demo();
    let before = answers(&t);
    let head = t.head();
    let done = t.json(&["compact"]);
    assert!(done["keys"].as_u64().unwrap() > 100, "{done}");
    assert!(
        done["bytes_after"].as_u64() < done["bytes_before"].as_u64(),
        "{done}"
    );
    let said = t.ok(&["compact"]);
    assert!(
        said.starts_with("compacted ") && said.contains("MiB ->"),
        "{said}"
    );
    assert_eq!(t.head(), head, "compaction keeps the log");
    same_answers(&t, &before, "compact");
    let verified = t.ok(&["verify"]);
    assert!(
        verified.starts_with(&format!("ok: {} events, hash chain intact", head.seq)),
        "{verified}"
    );
    // A script has the store open: it cannot replace it.
    let script = t.write("compact.travaux", "compact\n");
    t.refused(
        &["run", script.to_str().unwrap()],
        1,
        &["compact", "script"],
    );
}

#[test]
fn rebuilding_the_read_models_changes_no_answer() {
    let t = Travaux::demo();
    let before = answers(&t);
    let head = t.head();

    let out = t.ok(&["rebuild"]);
    assert_eq!(
        out,
        format!("rebuilt the read models from {} events\nthe old read models still take space in sled's file: `travaux compact` gives it back\n", head.seq)
    );
    assert_eq!(t.head(), head, "rebuild does not touch the log");

    same_answers(&t, &before, "rebuild");
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
