//! `travaux blame` on the example negotiation: who wrote each word of a clause, through
//! renumbering; each author's share of the text; how much of the first draft survives.

use serde_json::Value;

use crate::support::{by_label, text, Travaux};

/// The runs of `blame --json` with these arguments.
fn runs(t: &Travaux, args: &[&str]) -> (Value, Vec<Value>) {
    let mut all = vec!["blame"];
    all.extend_from_slice(args);
    let mut report = t.json(&all);
    let runs = match report["runs"].take() {
        Value::Array(runs) => runs,
        other => panic!("blame --json has no runs: {other}"),
    };
    (report, runs)
}

/// The runs joined: the clause's text.
fn joined(runs: &[Value]) -> String {
    runs.iter().map(|r| text(&r["text"])).collect()
}

/// The runs whose text contains `words`.
fn run_with<'a>(runs: &'a [Value], words: &str) -> &'a Value {
    runs.iter()
        .find(|r| text(&r["text"]).contains(words))
        .unwrap_or_else(|| panic!("no run contains {words:?}: {runs:?}"))
}

#[test]
fn the_compensation_clause_adopted_is_south_africas_a5_as_modified() {
    let t = Travaux::demo();
    let (report, adopted) = runs(&t, &["5.2", "--at", "WHA63.16"]);
    let shown = t.clauses(&["--at", "WHA63.16", "--clause", "5.2"]);
    assert_eq!(joined(&adopted), text(&by_label(&shown, "5.2")["text"]));
    assert_eq!(report["clause"]["label"], "5.2");

    // The final wording came from A5, proposed by south-africa and recorded by the chair.
    for words in [
        "to the extent possible, provide technical and financial assistance",
        "aimed at strengthening their health systems",
    ] {
        let origin = &run_with(&adopted, words)["origin"];
        assert_eq!(origin["author"], "south-africa", "{words}");
        assert_eq!(origin["handle"], "chair", "{words}");
        assert_eq!(origin["source"]["kind"], "amendment");
        assert_eq!(origin["source"]["amendment"], "A5");
        assert_eq!(origin["source"]["outcome"], "accepted_as_modified");
        assert_eq!(origin["source"]["method"]["method"], "consensus");
    }
    // Words the drafts wrote and A5 kept stay the Secretariat's.
    let kept = &run_with(&adopted, "Destination countries")["origin"];
    assert_eq!(kept["author"], "secretariat");
    assert_eq!(kept["source"]["revision"], 1);
    let a5_words: u64 = adopted
        .iter()
        .filter(|r| r["origin"]["source"]["amendment"] == "A5")
        .map(|r| r["words"].as_u64().unwrap())
        .sum();
    assert!(a5_words >= 15, "A5 wrote most of the clause: {a5_words}");

    // Before the drafting committee, every word is the Secretariat's, draft by draft.
    let (_, eb126) = runs(&t, &["5.2", "--at", "EB126/8"]);
    let shown = t.clauses(&["--at", "EB126/8", "--clause", "5.2"]);
    assert_eq!(joined(&eb126), text(&by_label(&shown, "5.2")["text"]));
    for r in &eb126 {
        assert_eq!(r["origin"]["source"]["kind"], "revision", "{r}");
        assert_eq!(r["origin"]["author"], "secretariat");
    }
    let revision_of = |words| run_with(&eb126, words)["origin"]["source"]["revision"].clone();
    assert_eq!(revision_of("Destination countries"), 1);
    assert_eq!(revision_of("in particular developing countries"), 2);
    assert_eq!(revision_of("consider providing"), 3);
    assert_eq!(
        run_with(&eb126, "consider providing")["origin"]["source"]["label"],
        "EB126/8"
    );

    // For people: one line per run, the source, author and date on the left.
    let human = t.ok(&["blame", "5.2", "--at", "WHA63.16"]);
    assert!(human.lines().any(|l| l.starts_with("A5 ")
        && l.contains("south-africa")
        && l.contains("2010-05-20")
        && l.contains("technical and financial assistance")));
    insta::assert_snapshot!("demo_blame_5_2_at_wha63_16", human);
}

#[test]
fn blame_follows_the_clause_through_renumbering() {
    let t = Travaux::demo();
    // The clause on equal rights of migrant health personnel: 4.3 in the first draft, 4.4 in
    // the adopted text, amended on the way (A9).
    let (now, adopted) = runs(&t, &["4.4", "--at", "WHA63.16"]);
    let (then, first) = runs(&t, &["4.3", "--at", "first-draft"]);
    assert_eq!(now["clause"]["id"], then["clause"]["id"], "the same clause");
    assert_eq!(first.len(), 1, "the first draft wrote all of it: {first:?}");
    let draft = text(&first[0]["text"]);
    let origin = &first[0]["origin"];
    assert_eq!(origin["source"]["revision"], 1);

    // The words still there from the first draft have the very same origin, in order.
    let kept: Vec<&Value> = adopted
        .iter()
        .filter(|r| r["origin"]["seq"] == origin["seq"])
        .collect();
    assert!(kept.len() >= 2, "{adopted:?}");
    let mut rest = draft;
    for r in &kept {
        assert_eq!(r["origin"], *origin);
        let at = rest
            .find(text(&r["text"]))
            .unwrap_or_else(|| panic!("{:?} is not in the first draft, in order", r["text"]));
        rest = &rest[at + text(&r["text"]).len()..];
    }
    assert!(adopted
        .iter()
        .any(|r| r["origin"]["source"]["amendment"] == "A9"
            && r["origin"]["author"] == "philippines"));

    // The id names the clause too, at any point; a label is read at the point.
    let id = text(&now["clause"]["id"]);
    let (_, by_id) = runs(&t, &[&id[..8], "--at", "first-draft"]);
    assert_eq!(by_id, first);
}

#[test]
fn the_summary_shares_the_text_and_measures_what_survives() {
    let t = Travaux::demo();
    let report = t.json(&[
        "blame",
        "--summary",
        "--from",
        "first-draft",
        "--at",
        "WHA63.16",
    ]);
    let total = report["words"].as_u64().unwrap();
    let authors = report["authors"].as_array().unwrap();
    let words: u64 = authors.iter().map(|a| a["words"].as_u64().unwrap()).sum();
    let percent: f64 = authors.iter().map(|a| a["percent"].as_f64().unwrap()).sum();
    assert_eq!(words, total);
    assert!((percent - 100.0).abs() < 0.1, "shares add up to {percent}");
    assert_eq!(authors[0]["author"], "secretariat", "the drafts wrote most");
    let south_africa = authors
        .iter()
        .find(|a| a["author"] == "south-africa")
        .expect("south-africa wrote A5");
    assert_eq!(south_africa["sources"][0]["source"], "A5");
    assert!(
        authors.iter().all(|a| a["author"] != "kenya"
            || a["sources"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["source"] != "A7")),
        "A7 was rejected and wrote nothing"
    );

    let survival = &report["survival"];
    let from_words = survival["from_words"].as_u64().unwrap();
    let surviving = survival["surviving_words"].as_u64().unwrap();
    assert!(0 < surviving && surviving < from_words && surviving < total);
    for key in ["percent_of_from", "percent_of_at"] {
        let p = survival[key].as_f64().unwrap();
        assert!(0.0 < p && p < 100.0, "{key} = {p}");
    }
    // The first draft's words are those of its own summary, all by the Secretariat.
    let first = t.json(&["blame", "--summary", "--at", "first-draft"]);
    assert_eq!(first["words"].as_u64().unwrap(), from_words);
    assert_eq!(first["authors"][0]["percent"].as_f64().unwrap(), 100.0);
    assert_eq!(first["survival"], Value::Null);

    let human = t.ok(&[
        "blame",
        "--summary",
        "--from",
        "first-draft",
        "--at",
        "WHA63.16",
    ]);
    assert!(human.contains(&format!(
        "{surviving} of the {from_words} words at first-draft"
    )));
    assert!(human
        .lines()
        .any(|l| l.starts_with("south-africa") && l.contains("A5")));
}

#[test]
fn bad_blame_requests_are_refused_and_write_nothing() {
    let t = Travaux::demo();
    t.refused(&["blame", "99.9"], 1, &["99.9"]);
    t.refused(
        &["blame", "5.2", "--at", "no-such-tag"],
        1,
        &["no-such-tag"],
    );
    t.refused(&["blame", "5.2", "--at", "100000"], 1, &["100000"]);
    t.refused(&["blame", "Article 11"], 1, &["Article 11"]);
    t.refused(
        &[
            "blame",
            "--summary",
            "--from",
            "WHA63.16",
            "--at",
            "first-draft",
        ],
        1,
        &["--from", "WHA63.16"],
    );
    t.refused(&["blame"], 2, &["CLAUSE"]);
    t.refused(&["blame", "5.2", "--summary"], 2, &["--summary"]);
    t.refused(&["blame", "5.2", "--from", "first-draft"], 2, &["--from"]);
}
