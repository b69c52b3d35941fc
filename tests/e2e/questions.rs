//! Consultation questions: posed by the secretariat about clauses, answered as comments while
//! a phase admits the role, refused otherwise, and summarised by position and kind (the
//! scenario of `governance_process`; `consultation` reads a larger one).

use serde_json::Value;

use crate::governance_process::{ok, process, refused};

#[test]
fn questions_are_answered_as_comments_and_listed_by_position_and_kind() {
    let t = process();
    let posed = ok(
        &t,
        "secretariat",
        "2008-09-01",
        &[
            "question",
            "Should the Code apply to recruitment agencies?",
            "--group",
            "Box 2: International recruitment practices",
            "--clause",
            "2.1",
        ],
    );
    assert_eq!(posed, "posed Q1 at event 22\n");
    let q2 = t.json(&[
        "--as",
        "secretariat",
        "--date",
        "2008-09-01",
        "question",
        "Is the Code's scope right?",
    ]);
    assert_eq!(q2["question"], "Q2");
    assert_eq!(q2["clauses"], serde_json::json!([]));
    // Only the secretariat poses questions; a question is about clauses that exist.
    refused(
        &t,
        "brazil",
        "2008-09-01",
        &["question", "Why not?"],
        &["may not pose a consultation question", "secretariat"],
    );
    refused(
        &t,
        "secretariat",
        "2008-09-01",
        &["question", "Why not?", "--clause", "9.9"],
        &["no clause '9.9'"],
    );

    // Answers are comments: they need an open phase.
    refused(
        &t,
        "brazil",
        "2008-09-01",
        &["comment", "Yes", "--answers", "Q1"],
        &["none has been opened"],
    );
    ok(
        &t,
        "secretariat",
        "2008-09-01",
        &[
            "phase",
            "open",
            "public-hearing",
            "Web-based public hearing",
        ],
    );
    let answer = |who: &str, position: &str, text: &str| {
        ok(
            &t,
            who,
            "2008-09-10",
            &["comment", text, "--answers", "Q1", "--position", position],
        )
    };
    assert_eq!(
        answer("brazil", "support", "Yes, agencies recruit most nurses."),
        "answered Q1 with C1 on the document (support) at event 25\n"
    );
    answer("norway", "support", "Yes.");
    answer("kenya", "oppose", "Agencies are regulated nationally.");
    answer("psi", "support", "Yes, and employers too.");
    answer("icn", "oppose", "Not as drafted.");
    answer("jane", "neutral", "I do not know.");
    // An unknown question; an answer is not a reply.
    refused(
        &t,
        "brazil",
        "2008-09-10",
        &["comment", "Yes", "--answers", "Q9"],
        &["no question Q9", "travaux questions"],
    );
    t.refused(
        &[
            "--as",
            "brazil",
            "comment",
            "Yes",
            "--answers",
            "Q1",
            "--reply-to",
            "C1",
        ],
        2,
        &["--reply-to"],
    );

    let all = t.json(&["questions"]);
    let q1 = &all[0];
    assert_eq!(q1["question"], "Q1");
    assert_eq!(q1["group"], "Box 2: International recruitment practices");
    assert_eq!(q1["clauses"], serde_json::json!(["2.1"]));
    assert_eq!(q1["answers"], 6);
    let summary = &q1["summary"];
    let counts = |v: &Value| -> Vec<u64> {
        ["count", "support", "oppose", "neutral"]
            .iter()
            .map(|k| v[*k].as_u64().unwrap())
            .collect()
    };
    assert_eq!(counts(summary), [6, 3, 2, 1]);
    assert_eq!(summary["respondents"], 6);
    // By participant kind, in report order, with how many took part: counts, never who.
    let kinds: Vec<(&str, Vec<u64>, u64)> = summary["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap(),
                counts(k),
                k["respondents"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("member-state", vec![3, 2, 1, 0], 3),
            ("non-state-actor", vec![2, 1, 1, 0], 2),
            ("public", vec![1, 0, 0, 1], 1)
        ]
    );
    assert_eq!(summary["by_day"][0]["day"], "2008-09-10");
    assert_eq!(summary["by_phase"][0]["phase"], "P1");
    assert_eq!(summary["by_clause"][0]["clause"], "the document");
    assert_eq!(all[1]["answers"], 0);

    let text = t.ok(&["questions"]);
    assert!(
        text.contains(
            "Q1  Box 2: International recruitment practices\n    \
             Should the Code apply to recruitment agencies?\n    \
             on 2.1\n    \
             6 answers from 6 participants: 3 support, 2 oppose, 1 neutral\n"
        ),
        "{text}"
    );
    assert!(text.contains(
        "    by kind: member-state 3 (2 support, 1 oppose); non-state-actor 2 (1 support, 1 oppose); public 1 (1 neutral)"
    ), "{text}");
    assert!(
        text.contains("Q2\n    Is the Code's scope right?\n    no answers yet"),
        "{text}"
    );
    assert!(!text.contains("brazil"), "a summary names no one: {text}");

    // One question: its whole summary, then its answers in full.
    let one = t.ok(&["questions", "Q1"]);
    assert!(
        one.contains("    by kind            answers  support   oppose  neutral  participants\n      member-state           3        2        1        0             3\n"),
        "{one}"
    );
    assert!(
        one.contains(
            "C3 2008-09-10 00:00 Kenya on the document (oppose, answering Q1):\n    Agencies are regulated nationally.\n"
        ),
        "{one}"
    );
    assert!(one.ends_with("answers 1-6 of 6; the last page\n"), "{one}");
    let one = t.json(&["questions", "Q1"]);
    assert_eq!(
        one["items"][0]["text"],
        "Yes, agencies recruit most nurses."
    );
    assert_eq!(one["items"][0]["handle"], "brazil");
    assert_eq!(one["items"][0]["kind"], "member-state");
    assert_eq!(one["next"], Value::Null);
    t.refused(&["questions", "Q7"], 1, &["no question Q7"]);
}
