//! Word-level amendments (`amend propose --in CLAUSE --replace/--insert/--delete WORDS`):
//! proposed and shown struck and inserted, accepted into the text, blamed for exactly their
//! words; refused, writing nothing, when the words are ambiguous, empty or gone.

use serde_json::Value;

use crate::support::{by_label, kind, text, Travaux};

/// The fixture's 2.2: "The Code is voluntary and is addressed to Member States and other
/// stakeholders."
const S22: &str = "The Code is voluntary and is addressed to Member States and other stakeholders.";

fn text_of(t: &Travaux, label: &str) -> String {
    text(&by_label(&t.clauses(&[]), label)["text"]).to_string()
}

fn decide(t: &Travaux, amendment: &str) {
    t.ok(&["--as", "chair", "decide", amendment, "--accept"]);
}

#[test]
fn a_replacement_is_listed_struck_and_inserted_accepted_and_blamed_on_its_proposer() {
    let t = Travaux::fixture();
    assert_eq!(text_of(&t, "2.2"), S22);
    let proposed = t.ok(&[
        "--as",
        "brazil",
        "amend",
        "propose",
        "--in",
        "2.2",
        "--replace",
        "voluntary",
        "--by",
        "binding",
        "--rationale",
        "teeth",
    ]);
    assert!(
        proposed.starts_with("proposed A1: in 2.2: replace \"voluntary\" by \"binding\""),
        "{proposed}"
    );
    let marked = "The Code is [-voluntary-]{+binding+} and is addressed to Member States and \
                  other stakeholders.";
    assert!(proposed.contains(marked), "{proposed}");

    // Listed and shown pending as struck and inserted words; the text waits.
    let list = t.ok(&["amend", "list"]);
    assert!(
        list.contains("in 2.2: replace \"voluntary\" by \"binding\""),
        "{list}"
    );
    assert!(list.contains(marked), "{list}");
    let show = t.ok(&["show", "--clause", "2.2"]);
    assert!(show.contains("[A1 pending: in 2.2: replace"), "{show}");
    assert!(show.contains(marked), "{show}");
    assert_eq!(text_of(&t, "2.2"), S22);

    // Tools get the change as asked: the words, the new words, and their context.
    let listed = t.json(&["amend", "list"]);
    let change = &listed[0]["change"];
    assert_eq!(change["kind"], "words");
    assert_eq!(change["edit"]["action"], "replace");
    assert_eq!(change["edit"]["words"], "voluntary");
    assert_eq!(change["edit"]["by"], "binding");
    assert_eq!(change["edit"]["context_before"], "The Code is ");
    assert_eq!(listed[0]["rationale"], "teeth");
    let new = "The Code is binding and is addressed to Member States and other stakeholders.";
    assert_eq!(listed[0]["proposed_text"], new);
    let pending = &t.json(&["show", "--clause", "2.2"])["pending_amendments"];
    assert_eq!(pending[0]["change"]["edit"]["words"], "voluntary");
    assert_eq!(pending[0]["proposed_text"], new);

    // The log tells the proposal in words.
    let log = t.ok(&["log", "--clause", "2.2"]);
    assert!(
        log.contains("proposed A1: in 2.2: replace \"voluntary\" by \"binding\""),
        "{log}"
    );

    // Replay tells what it would do, as a word diff.
    let replay = t.ok(&["replay"]);
    assert!(replay.contains("2.2  would be reworded"), "{replay}");
    assert!(
        replay.contains("The Code is [-voluntary-]{+binding+} and"),
        "{replay}"
    );

    // Accepted: the clause reads the new words, and the decision rewords it.
    decide(&t, "A1");
    assert_eq!(text_of(&t, "2.2"), new);
    let events = t.events(&["--kind", "decision_recorded"]);
    let (_, decision) = kind(events.last().unwrap());
    assert_eq!(decision["ops"][0]["op"], "reword");
    assert_eq!(decision["ops"][0]["text"], new);
    assert!(t.ok(&["amend", "list"]).contains("no amendments awaiting"));

    // Blame: the amendment wrote "binding" and nothing else.
    let blame = t.json(&["blame", "2.2"]);
    let runs = blame["runs"].as_array().unwrap();
    let by_brazil: Vec<&str> = runs
        .iter()
        .filter(|r| r["origin"]["author"] == "brazil")
        .map(|r| text(&r["text"]))
        .collect();
    assert_eq!(by_brazil, ["binding"]);
    for r in runs.iter().filter(|r| r["origin"]["author"] != "brazil") {
        assert_eq!(r["origin"]["author"], "secretariat", "{r}");
        assert_eq!(r["origin"]["source"]["kind"], "revision", "{r}");
    }
    let amended = runs.iter().find(|r| r["text"] == "binding").unwrap();
    assert_eq!(amended["origin"]["source"]["amendment"], "A1");
}

#[test]
fn insertions_deletions_and_occurrences_apply_where_they_were_anchored() {
    let t = Travaux::fixture();
    let propose = |args: &[&str]| {
        let mut all = vec!["--as", "brazil", "amend", "propose", "--in", "2.2"];
        all.extend_from_slice(args);
        t.ok(&all)
    };
    let a1 = propose(&["--insert", "global", "--after", "The Code"]);
    assert!(a1.contains("The Code{+ global+} is voluntary"), "{a1}");
    let a2 = propose(&["--insert", "in principle", "--before", "voluntary"]);
    assert!(a2.contains("is {+in principle +}voluntary"), "{a2}");
    let a3 = propose(&[
        "--replace",
        "and",
        "--by",
        "as well as",
        "--occurrence",
        "2",
    ]);
    assert!(
        a3.contains("replace the 2nd \"and\" by \"as well as\""),
        "{a3}"
    );
    assert!(
        a3.contains("Member States [-and-]{+as well as+} other"),
        "{a3}"
    );
    let a4 = propose(&["--delete", "other"]);
    assert!(
        a4.contains("Member States and[- other-] stakeholders."),
        "{a4}"
    );
    for a in ["A1", "A2", "A3", "A4"] {
        decide(&t, a);
    }
    assert_eq!(
        text_of(&t, "2.2"),
        "The Code global is in principle voluntary and is addressed to Member States as well \
         as stakeholders."
    );
}

#[test]
fn a_point_is_addressed_by_its_path() {
    let t = Travaux::fixture();
    // Points (b) under 1.1 and under 2.1: "(b)" alone names neither.
    for (n, (parent, text)) in [
        ("1.1", "clarity for recruiters;"),
        ("2.1", "all employers of health personnel."),
    ]
    .into_iter()
    .enumerate()
    {
        t.ok(&[
            "--as", "brazil", "amend", "propose", "--insert", "--label", "(b)", "--parent", parent,
            "--text", text,
        ]);
        decide(&t, &format!("A{}", n + 1));
    }
    t.refused(
        &[
            "--as", "brazil", "amend", "propose", "--in", "(b)", "--delete", "all",
        ],
        1,
        &["(b)"],
    );
    let proposed = t.ok(&[
        "--as",
        "brazil",
        "amend",
        "propose",
        "--in",
        "2.1(b)",
        "--replace",
        "all",
        "--by",
        "public and private",
    ]);
    assert!(
        proposed.contains("in 2.1 (b): replace \"all\""),
        "{proposed}"
    );
    decide(&t, "A3");
    assert_eq!(
        t.clauses(&["--clause", "2.1(b)"])[0]["text"],
        "public and private employers of health personnel."
    );
    assert_eq!(
        t.clauses(&["--clause", "1.1(b)"])[0]["text"],
        "clarity for recruiters;"
    );
}

#[test]
fn words_gone_by_the_decision_refuse_acceptance_and_write_nothing() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "amend",
        "propose",
        "--in",
        "2.2",
        "--replace",
        "voluntary",
        "--by",
        "binding",
    ]);
    // Another amendment takes the words out first.
    t.ok(&[
        "--as",
        "norway",
        "amend",
        "propose",
        "--in",
        "2.2",
        "--delete",
        "is voluntary and",
    ]);
    decide(&t, "A2");
    let now = "The Code is addressed to Member States and other stakeholders.";
    assert_eq!(text_of(&t, "2.2"), now);
    assert!(t
        .ok(&["amend", "list"])
        .contains("(its words are no longer in 2.2)"));
    assert!(t
        .ok(&["show", "--clause", "2.2"])
        .contains("(its words are no longer in 2.2)"));
    assert_eq!(t.json(&["amend", "list"])[0]["proposed_text"], Value::Null);
    let err = t.refused(
        &["--as", "chair", "decide", "A1", "--accept"],
        1,
        &[
            "\"voluntary\" are no longer in 2.2",
            now,
            "--accept-as-modified",
        ],
    );
    assert!(err.starts_with("error: "), "{err}");
    // The chair may still accept it as modified (the clause's whole new wording).
    let modified = "The Code is binding and is addressed to Member States and other stakeholders.";
    t.ok(&[
        "--as",
        "chair",
        "decide",
        "A1",
        "--accept-as-modified",
        modified,
    ]);
    assert_eq!(text_of(&t, "2.2"), modified);
}

#[test]
fn ambiguous_missing_or_empty_words_are_refused_and_write_nothing() {
    let t = Travaux::fixture();
    let propose = |args: &[&str]| {
        let mut all = vec!["--as", "brazil", "amend", "propose"];
        all.extend_from_slice(args);
        all.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let refused = |args: &[&str], code: i32, names: &[&str]| {
        let all = propose(args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        t.refused(&all, code, names)
    };
    // "and" twice: the occurrences are listed in their context.
    let err = refused(
        &["--in", "2.2", "--replace", "and", "--by", "or"],
        1,
        &["\"and\" occurs 2 times in 2.2", "--occurrence"],
    );
    assert!(
        err.contains("1: The Code is voluntary «and» is addressed"),
        "{err}"
    );
    assert!(
        err.contains("2: …is addressed to Member States «and» other"),
        "{err}"
    );
    refused(
        &[
            "--in",
            "2.2",
            "--replace",
            "and",
            "--by",
            "or",
            "--occurrence",
            "3",
        ],
        1,
        &["no occurrence 3"],
    );
    refused(
        &["--in", "2.2", "--replace", "mandatory", "--by", "binding"],
        1,
        &["\"mandatory\" is not in 2.2", S22],
    );
    // Whole words only: "Code" is not found in "Codes", nor "is" in "this".
    refused(&["--in", "2.2", "--delete", "Cod"], 1, &["not in 2.2"]);
    for by in ["", "   "] {
        refused(
            &["--in", "2.2", "--replace", "voluntary", "--by", by],
            1,
            &["replacement for \"voluntary\" is empty", "--delete"],
        );
        refused(
            &["--in", "2.2", "--insert", by, "--after", "The Code"],
            1,
            &["the words to insert are empty"],
        );
    }
    refused(
        &["--in", "2.2", "--insert", "--after", "The Code"],
        1,
        &["the words to insert are empty"],
    );
    refused(
        &["--in", "2.2", "--replace", "voluntary", "--by", "voluntary"],
        1,
        &["changes nothing"],
    );
    refused(&["--in", "2.2", "--replace", "voluntary"], 1, &["--by"]);
    refused(
        &["--in", "2.2", "--insert", "global"],
        1,
        &["--after", "--before"],
    );
    refused(
        &["--in", "2.2", "--replace", "voluntary", "--text", "x"],
        1,
        &["--text"],
    );
    refused(
        &["--replace", "2.2", "--by", "binding"],
        1,
        &["--by", "--in"],
    );
    refused(&["--in", "9.9", "--delete", "x"], 1, &["9.9"]);
    refused(
        &[
            "--in", "2.2", "--insert", "x", "--after", "The", "--before", "Code",
        ],
        2,
        &["--before"],
    );
    // The old forms still work.
    t.ok(&[
        "--as", "brazil", "amend", "propose", "--insert", "--label", "2.3", "--text", "New.",
        "--after", "2.2",
    ]);
}
