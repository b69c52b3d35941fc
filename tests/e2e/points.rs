//! Points in history: `show --at` a tag, a sequence number, a date or the head; clause labels
//! read as they were at that point; and `log` filtered by clause, participant and event type.

use serde_json::Value;

use crate::support::{by_label, comments, kind, text, Travaux, DRAFT2};

#[test]
fn show_at_a_tag_a_sequence_number_a_date_and_the_head() {
    let t = Travaux::demo();
    let tags = t.json(&["tag"]);
    let eb124_seq = tags["EB124/13"].as_u64().expect("EB124/13 is tagged");

    let by_tag = t.clauses(&["--at", "EB124/13"]);
    let by_seq = t.clauses(&["--at", &eb124_seq.to_string()]);
    // The Executive Board met in January 2009; on 1 June 2009 the EB124 text stood.
    let by_date = t.clauses(&["--at", "2009-06-01"]);
    assert_eq!(by_tag, by_seq);
    assert_eq!(by_tag, by_date);
    assert_eq!(
        by_label(&by_tag, "Article 5")["heading"],
        "Health workforce development and health systems sustainability"
    );
    assert!(text(&by_label(&by_tag, "5.2")["text"]).contains("may take the form of compensation"));

    // Each point is its own text.
    let first = t.clauses(&["--at", "first-draft"]);
    let eb126 = t.clauses(&["--at", "EB126/8"]);
    assert_eq!(
        by_label(&first, "Article 5")["heading"],
        "Mutuality of benefits"
    );
    assert_ne!(first, by_tag);
    assert_ne!(eb126, by_tag);

    // `--at head` is the default.
    assert_eq!(t.ok(&["show", "--at", "head"]), t.ok(&["show"]));
    let head = t.json(&["show"]);
    assert_eq!(head["at"], "head");
    assert_eq!(head["seq"], 763);

    // The header of the text names the point.
    let shown = t.ok(&["show", "--at", "EB124/13"]);
    assert!(
        shown
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("who-code at EB124/13 · event {eb124_seq} ")),
        "{shown}"
    );
}

#[test]
fn show_at_a_point_before_the_document_existed_is_refused() {
    let t = Travaux::fixture();
    // Events 1-5 register the participants; the document is created at event 6.
    let stderr = t.refused(&["show", "--at", "3"], 1, &["code", "did not exist yet"]);
    assert!(
        stderr.contains("2020-01-02"),
        "says when it was created: {stderr}"
    );
    t.refused(&["show", "--at", "2019-12-31"], 1, &["did not exist yet"]);
    t.refused(&["show", "--at", "2020-01-01"], 1, &["did not exist yet"]);
    // The day it was created, it existed (without clauses yet).
    let created = t.json(&["show", "--at", "2020-01-02"]);
    assert_eq!(created["clauses"], Value::Array(vec![]));
}

#[test]
fn an_unknown_tag_is_refused_with_the_known_tags() {
    let t = Travaux::demo();
    let stderr = t.refused(&["show", "--at", "WHA99.99"], 1, &["WHA99.99"]);
    for tag in [
        "first-draft",
        "public-hearing-closed",
        "EB124/13",
        "EB126/8",
        "drafting-committee-report",
        "WHA63.16",
    ] {
        assert!(stderr.contains(tag), "the error lists {tag}: {stderr}");
    }
}

#[test]
fn a_clause_label_is_read_as_it_was_at_the_point() {
    let t = Travaux::demo();
    // "Article 8" was Partnerships in 2008; EB124/13 moved Partnerships to Article 10 and
    // made Article 8 Implementation.
    let then = t.clauses(&["--at", "first-draft", "--clause", "Article 8"]);
    let now = t.clauses(&["--at", "head", "--clause", "Article 8"]);
    assert_eq!(then[0]["label"], "Article 8");
    assert_eq!(then[0]["heading"], "Partnerships and financial support");
    assert_eq!(now[0]["label"], "Article 8");
    assert_eq!(now[0]["heading"], "Implementation of the Code");
    assert_ne!(then[0]["id"], now[0]["id"]);
    // The 2008 Article 8 is today's Article 10: the same clause, renumbered.
    let ten = t.clauses(&["--clause", "Article 10"]);
    assert_eq!(ten[0]["id"], then[0]["id"]);
    // `--clause` shows the clause and what is under it, and only that.
    assert!(then[1..].iter().all(|c| c["parent"] == then[0]["id"]));
    assert!(now[1..].iter().all(|c| c["parent"] == now[0]["id"]));
    assert_ne!(
        t.ok(&["show", "--at", "first-draft", "--clause", "Article 8"]),
        t.ok(&["show", "--clause", "Article 8"])
    );
}

#[test]
fn a_clause_label_in_a_small_negotiation_follows_the_point() {
    let t = Travaux::fixture();
    t.write("draft2.md", DRAFT2);
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-01",
        "import",
        "draft2.md",
        "--revision",
        "D2",
    ]);
    t.ok(&["--as", "secretariat", "--date", "2020-02-01", "tag", "d2"]);

    let fairness = "The second objective of this Code is fairness towards source countries.";
    let at_d1 = t.ok(&["show", "--at", "d1", "--clause", "1.2"]);
    assert_eq!(at_d1, format!("1.2  {fairness}\n"));
    let at_head = t.ok(&["show", "--clause", "1.2"]);
    assert_eq!(
        at_head,
        "1.2  A new objective of this Code is transparency of the negotiation itself.\n"
    );
    // The fairness clause is now 1.3, with the same id.
    let old = t.clauses(&["--at", "d1", "--clause", "1.2"]);
    let renumbered = t.clauses(&["--clause", "1.3"]);
    assert_eq!(old[0]["id"], renumbered[0]["id"]);
    assert_eq!(renumbered[0]["text"], fairness);
    // 2.2 was in D1 and is gone from D2.
    assert_eq!(t.clauses(&["--at", "d1", "--clause", "2.2"]).len(), 1);
    t.refused(&["show", "--clause", "2.2"], 1, &["2.2", "removed"]);
    // A date between the drafts gives D1.
    assert_eq!(
        t.clauses(&["--at", "2020-01-15"]),
        t.clauses(&["--at", "d1"])
    );
}

#[test]
fn log_of_the_compensation_clause() {
    let t = Travaux::demo();
    let events = t.events(&["--clause", "5.2"]);
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {seqs:?}"
    );

    // The three drafts that touched it.
    let revisions: Vec<&str> = events
        .iter()
        .map(kind)
        .filter(|(k, _)| *k == "revision_issued")
        .map(|(_, r)| text(&r["label"]))
        .collect();
    assert_eq!(
        revisions,
        ["Secretariat draft, August 2008", "EB124/13", "EB126/8"]
    );

    // A5: proposed, supported and opposed, deferred, then accepted as modified.
    let a5: Vec<(&str, String)> = events
        .iter()
        .map(kind)
        .filter(|(_, p)| p["amendment"] == 5)
        .map(|(k, p)| {
            let outcome = p["outcome"]["outcome"].as_str().unwrap_or("").to_string();
            (k, outcome)
        })
        .collect();
    let kinds: Vec<&str> = a5.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [
            "amendment_proposed",
            "amendment_supported",
            "amendment_supported",
            "amendment_supported",
            "amendment_opposed",
            "amendment_opposed",
            "amendment_opposed",
            "decision_recorded",
            "decision_recorded",
        ]
    );
    assert_eq!(a5[7].1, "deferred");
    assert_eq!(a5[8].1, "accepted_as_modified");
    // No other amendment is about 5.2.
    assert!(events
        .iter()
        .map(kind)
        .all(|(_, p)| p.get("amendment").is_none() || p["amendment"] == 5));

    // The comments on it, from the 2008 hearing to the night of the drafting committee; C17
    // and C18 are South Africa's and the United States' answers to Q4 in the 2009 consultations.
    let numbers: Vec<u64> = comments(&events)
        .iter()
        .map(|c| c["comment"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 13, 14, 17, 18, 24, 25, 26, 28, 29]);
    let answers: Vec<u64> = comments(&events)
        .iter()
        .filter(|c| c["question"] == 4)
        .map(|c| c["comment"].as_u64().unwrap())
        .collect();
    assert_eq!(answers, [17, 18]);
    let clause = &t.clauses(&["--clause", "5.2"])[0]["id"];
    assert!(comments(&events).iter().all(|c| c["clause"] == *clause));

    // Told in words, too.
    let told = t.ok(&["log", "--clause", "5.2"]);
    assert_eq!(told.lines().count(), events.len());
    assert!(told.contains("decided A5: deferred by consensus"));
    assert!(told.contains("decided A5: accepted as modified by consensus"));
}

#[test]
fn log_of_one_participant_and_one_event_type() {
    let t = Travaux::demo();
    let chair = t.participant_id("chair");
    // The seventeen on the drafting committee's amendments, A17 accepted (resolving B1), A18
    // rejected (lifting B2), A19 rejected and A20 accepted.
    let decisions = t.events(&["--participant", "chair", "--kind", "decision_recorded"]);
    assert_eq!(decisions.len(), 21);
    assert!(decisions.iter().all(|e| e["actor"] == chair.as_str()));
    assert!(decisions.iter().all(|e| kind(e).0 == "decision_recorded"));

    // The chair also commented and tagged; those are left out.
    let everything = t.events(&["--participant", "chair"]);
    assert!(everything.len() > decisions.len());
    assert!(everything.iter().any(|e| kind(e).0 == "comment_posted"));
    // And the other participants' events are left out of both.
    assert!(everything.iter().all(|e| e["actor"] == chair.as_str()));

    let told = t.ok(&[
        "log",
        "--participant",
        "chair",
        "--kind",
        "decision_recorded",
    ]);
    assert_eq!(told.lines().count(), 21);
    assert!(told
        .lines()
        .all(|l| l.contains(" chair ") && l.contains("decided A")));

    t.refused(
        &["log", "--kind", "decision"],
        1,
        &["not an event type", "decision_recorded"],
    );
    t.refused(&["log", "--participant", "nobody"], 1, &["nobody"]);
}

/// A sequence number past the end of the log is refused, not taken for the head.
#[test]
fn an_event_number_past_the_end_of_the_log_is_refused() {
    let t = Travaux::fixture();
    let last = t.head().seq;
    let past = (last + 1).to_string();
    t.refused(
        &["show", "--at", &past],
        1,
        &["no event", &last.to_string()],
    );
    t.ok(&["show", "--at", &last.to_string()]);
}
