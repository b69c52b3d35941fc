//! `travaux demo`: the WHO Code negotiation of examples/who-code, run into a fresh store, ends
//! with the adopted text; the record it leaves holds the drafts, tags and amendments that the
//! example's README describes.

use serde_json::{json, Value};

use crate::support::{kind, text, Travaux};

/// The amendments of the README's table: number, proposer, status (as `amend list` names it),
/// and how the last decision was taken. The drafting committee's sixteen amendments of whole
/// clauses, the two alternatives proposed to brackets: A17 for B1 (accepted, resolving it) and
/// A18 for B2 (rejected when B2 was lifted), then the two amendments of words within a clause:
/// A19 in 4.6 (rejected by vote) and A20 in point 7.2(b) (accepted).
const FATES: [(&str, &str, &str, &str); 20] = [
    ("A1", "usa", "accepted as modified", "consensus"),
    ("A2", "india", "accepted", "consensus"),
    ("A3", "eu", "accepted", "consensus"),
    ("A4", "philippines", "accepted", "consensus"),
    ("A5", "south-africa", "accepted as modified", "consensus"),
    ("A6", "brazil", "withdrawn", ""),
    ("A7", "kenya", "rejected", "vote"),
    ("A8", "usa", "accepted", "consensus"),
    ("A9", "philippines", "accepted as modified", "consensus"),
    ("A10", "usa", "rejected", "consensus"),
    ("A11", "norway", "accepted", "consensus"),
    ("A12", "usa", "accepted", "vote"),
    ("A13", "kenya", "accepted as modified", "consensus"),
    ("A14", "norway", "accepted", "consensus"),
    ("A15", "south-africa", "rejected", "consensus"),
    ("A16", "canada", "rejected", "consensus"),
    ("A17", "usa", "accepted", "consensus"),
    ("A18", "usa", "rejected", "consensus"),
    ("A19", "kenya", "rejected", "vote"),
    ("A20", "india", "accepted", "consensus"),
];

#[test]
fn demo_ends_with_the_adopted_text_and_what_to_try_next() {
    let t = Travaux::new();
    let out = t.create(&["demo"]);

    let adopted = out
        .find("== The text adopted as WHA63.16 (763 events recorded in ")
        .unwrap_or_else(|| panic!("no adopted text in the demo's output:\n{out}"));
    let next = out
        .find("== What next ==")
        .expect("the demo ends with hints");
    assert!(adopted < next, "the hints come after the text");
    let text_part = &out[adopted..next];
    assert!(text_part.contains("Article 5  Health workforce development"));
    assert!(text_part.contains(
        "5.2 (agreed)  Destination countries should, to the extent possible, provide technical and financial assistance"
    ));
    assert!(text_part.contains("Article 10  Partnerships, technical collaboration"));
    // Renumbered before adoption: 6.4, moved under Article 7 by A11, is 7.4, and 9.1 names it so.
    let adopted_text = text_part
        .split("\n== ")
        .next()
        .expect("the adopted text, before the dashboard");
    assert!(adopted_text.contains("\n  7.4  Member States should share with one another"));
    assert!(adopted_text.contains("including the data referred to in paragraph 7.4."));
    assert!(!adopted_text.contains("6.4"), "{adopted_text}");
    let hints: Vec<&str> = out[next..].lines().skip(1).collect();
    assert!(hints.len() >= 5, "a few hints: {hints:?}");
    let store = t.store().display().to_string();
    for hint in &hints {
        assert!(
            hint.starts_with(&format!("  travaux --store {store} ")),
            "a hint names the demo's store: {hint:?}"
        );
    }
    assert!(hints.iter().any(|h| h.contains("log --clause 5.2")));
    assert!(hints.last().unwrap().contains(" verify "));
    // Each command of the script is shown as it runs, before the text: WHA63.16 is set by the
    // adoption.
    assert!(out[..adopted].contains(
        "$ travaux --as secretariat --date 2010-05-20T09:00:00+02:00 renumber --references\n"
    ));
    assert!(out[..adopted].contains("$ travaux --as chair --date 2010-05-21 adopt WHA63.16\n"));
    assert!(out[..adopted].contains("adopted who-code as WHA63.16 (tag WHA63.16 at event 194)"));

    let verified = t.ok(&["verify"]);
    assert!(
        verified.starts_with("ok: 763 events, hash chain intact"),
        "{verified}"
    );

    let tags = t.ok(&["tag"]);
    let names: Vec<&str> = tags
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for tag in ["first-draft", "EB124/13", "EB126/8", "WHA63.16"] {
        assert!(names.contains(&tag), "no tag {tag} in:\n{tags}");
    }
    // Listed in the order of the log.
    let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(pos("first-draft") < pos("EB124/13"));
    assert!(pos("EB124/13") < pos("EB126/8"));
    assert!(pos("EB126/8") < pos("WHA63.16"));
}

#[test]
fn demo_records_the_twenty_amendments_and_their_fates() {
    let t = Travaux::demo();
    let list = t.json(&["amend", "list", "--all"]);
    let list = list.as_array().expect("a list of amendments");
    // The sixteen of the drafting committee, the two alternatives to brackets, then the two
    // amendments of words.
    assert_eq!(list.len(), 20);
    for (a, (no, proposer, status, method)) in list.iter().zip(FATES) {
        assert_eq!(a["amendment"], no);
        assert_eq!(a["proposer"], proposer, "{no}'s proposer");
        assert_eq!(a["status"], status, "{no}'s status");
        if !method.is_empty() {
            assert_eq!(a["decision"]["method"]["method"], method, "{no}'s method");
        }
    }
    let a = |no: &str| list.iter().find(|a| a["amendment"] == no).unwrap();
    // A5: the compensation amendment, accepted with the informal group's wording.
    assert!(text(&a("A5")["change"]["text"]).contains("should compensate source countries"));
    let final_a5 = text(&a("A5")["decision"]["outcome"]["text"]);
    assert!(final_a5.contains("to the extent possible"));
    assert!(!final_a5.to_lowercase().contains("compensat"));
    // A6: Brazil withdrew it.
    assert_eq!(a("A6")["status"], "withdrawn");
    assert_eq!(a("A6")["decision"]["status"], "withdrawn");
    // A7 lost on a vote, A12 won one.
    assert_eq!(
        a("A7")["decision"]["method"],
        json!({"method": "vote", "yes": 31, "no": 58, "abstain": 12})
    );
    assert_eq!(
        a("A12")["decision"]["method"],
        json!({"method": "vote", "yes": 61, "no": 27, "abstain": 13})
    );
    // A17 and A18 are not amendments of a clause's text but alternatives to bracketed words.
    assert_eq!(a("A17")["change"]["kind"], "alternative");
    assert_eq!(a("A17")["change"]["bracket"], 1);
    assert_eq!(a("A17")["change"]["text"], "periodically");
    assert_eq!(a("A18")["change"]["kind"], "alternative");
    assert_eq!(a("A18")["change"]["bracket"], 2);
    assert_eq!(a("A18")["change"]["text"], "are not undermined");
    // A19 and A20 ask for other words within a clause, not for a new clause: A19 in 4.6 (lost
    // on a vote), A20 in point (b) of 7.2 (accepted).
    assert_eq!(a("A19")["change"]["kind"], "words");
    assert_eq!(a("A19")["change"]["edit"]["words"], "should regulate");
    assert_eq!(a("A19")["change"]["edit"]["by"], "shall regulate");
    assert_eq!(
        a("A19")["decision"]["method"],
        json!({"method": "vote", "yes": 29, "no": 60, "abstain": 12})
    );
    assert_eq!(a("A20")["change"]["kind"], "words");
    assert_eq!(
        a("A20")["change"]["edit"]["by"],
        "collate and maintain up-to-date information"
    );
    let point = t.clauses(&["--at", "WHA63.16", "--clause", "7.2(b)"]);
    assert_eq!(point[0]["label"], "(b)");
    assert_eq!(a("A20")["change"]["clause"], point[0]["id"]);
    assert!(text(&point[0]["text"]).starts_with("collate and maintain up-to-date information"));
    let regulate = &t.clauses(&["--at", "WHA63.16", "--clause", "4.6"])[0];
    assert_eq!(a("A19")["change"]["clause"], regulate["id"]);
    assert!(text(&regulate["text"]).starts_with("Member States should regulate"));

    // A5 and A16 were deferred first: the decisions on each, in the order of the log.
    let decisions = t.events(&["--kind", "decision_recorded"]);
    let outcomes = |no: u64| -> Vec<String> {
        decisions
            .iter()
            .map(kind)
            .filter(|(_, d)| d["amendment"] == no)
            .map(|(_, d)| text(&d["outcome"]["outcome"]).to_string())
            .collect()
    };
    assert_eq!(outcomes(5), ["deferred", "accepted_as_modified"]);
    assert_eq!(outcomes(16), ["deferred", "rejected"]);
    assert_eq!(outcomes(7), ["rejected"]);
    assert_eq!(outcomes(6), Vec::<String>::new());
    // A17 accepted (resolving B1); A18 rejected when B2 was lifted.
    assert_eq!(outcomes(17), ["accepted"]);
    assert_eq!(outcomes(18), ["rejected"]);
    // A19 lost on a vote; A20 changed the words of a point.
    assert_eq!(outcomes(19), ["rejected"]);
    assert_eq!(outcomes(20), ["accepted"]);
    assert_eq!(decisions.len(), 21);
}

#[test]
fn demo_waters_down_the_compensation_clause() {
    let t = Travaux::demo();
    let adopted = t.clauses(&["--at", "WHA63.16", "--clause", "5.2"]);
    let clause = &adopted[0];
    assert_eq!(clause["label"], "5.2");
    let wording = text(&clause["text"]);
    assert!(wording.contains("to the extent possible"), "{wording}");
    assert!(!wording.to_lowercase().contains("compensat"), "{wording}");

    // In the first draft, the clause that speaks of compensating source countries is the
    // same clause (same id), then also labelled 5.2.
    let first = t.clauses(&["--at", "first-draft"]);
    let by_content: Vec<&Value> = first
        .iter()
        .filter(|c| text(&c["text"]).contains("shall compensate source countries"))
        .collect();
    assert_eq!(by_content.len(), 1, "one compensation clause in 2008");
    let then = by_content[0];
    assert_eq!(then["id"], clause["id"], "the clause kept its identity");
    assert_eq!(then["label"], "5.2");
    assert!(text(&then["text"]).contains("compensat"));

    // In between, EB124/13 still spoke of compensation and EB126/8 no longer did.
    let eb124 = t.clauses(&["--at", "EB124/13", "--clause", "5.2"]);
    assert_eq!(eb124[0]["id"], clause["id"]);
    assert!(text(&eb124[0]["text"]).contains("may take the form of compensation"));
    let eb126 = t.clauses(&["--at", "EB126/8", "--clause", "5.2"]);
    assert_eq!(eb126[0]["id"], clause["id"]);
    assert!(!text(&eb126[0]["text"]).to_lowercase().contains("compensat"));
}

#[test]
fn demo_replaces_an_earlier_demo_but_not_another_directory() {
    let t = Travaux::new();
    t.create(&["demo", "--quiet"]);
    let first = t.head();
    assert_eq!(first.seq, 763);

    // Again into the same store: it is replaced, not appended to.
    t.create(&["demo", "--quiet"]);
    let second = t.head();
    assert_eq!(second.seq, 763);
    assert_ne!(second.hash, first.hash, "a new store with new ids");
    assert_eq!(
        t.json(&["amend", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        20
    );

    // A directory with other files in it is left alone.
    let other = t.dir().join("notes");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let out = t.run_raw(&["--store", other.to_str().unwrap(), "demo"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("is not a demo store"), "{}", out.stderr);
    let left: Vec<_> = std::fs::read_dir(&other)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["keep.txt"]);
    assert_eq!(
        std::fs::read_to_string(other.join("keep.txt")).unwrap(),
        "mine"
    );

    // So is a store made with `init` that holds a negotiation.
    let fixture = Travaux::fixture();
    let before = fixture.head();
    fixture.fails(&["demo"], 1);
    assert_eq!(fixture.head(), before);
}

/// The labels of the entries of a JSON array, in order.
fn labels(list: &Value) -> Vec<&str> {
    list.as_array().expect("a list").iter().map(text).collect()
}

#[test]
fn demo_shows_the_committee_where_it_stands_who_answered_who_reported_and_the_adopted_text() {
    let t = Travaux::demo();

    // The dashboard when the drafting committee reported: five clauses agreed, one of them
    // ad referendum; 8.5, agreed ad referendum at 18:55, was reopened by A13.
    let status = t.json(&["status", "--at", "drafting-committee-report"]);
    assert_eq!(status["seq"], 191);
    assert_eq!(status["adopted"], Value::Null);
    assert_eq!(status["open_brackets"], 0);
    assert_eq!(status["pending_amendments"], json!([]));
    let clauses = status["clauses"].as_array().expect("clauses");
    // The points (a), (b), … of the drafts are clauses of their own.
    assert_eq!(clauses.len(), 75);
    let agreed: Vec<(&str, &str)> = clauses
        .iter()
        .filter(|c| c["agreement"] != "open")
        .map(|c| (text(&c["label"]), text(&c["agreement"])))
        .collect();
    assert_eq!(
        agreed,
        [
            ("1.4", "agreed"),
            ("2.1", "agreed"),
            ("3.5", "agreed"),
            ("3.8", "agreed-ad-referendum"),
            ("5.2", "agreed"),
        ]
    );
    let at = |label: &str| clauses.iter().find(|c| c["label"] == label).unwrap();
    assert_eq!(at("8.5")["agreement"], "open");
    // C24-C26, C28 and C29 were posted on 5.2 since EB126/8.
    assert_eq!(at("5.2")["comments"], 5);
    let progress = &status["progress"];
    assert_eq!(progress["clauses"], 75);
    assert_eq!(progress["agreed"], 4);
    assert_eq!(progress["agreed_ad_referendum"], 1);
    assert_eq!(progress["open"], 70);
    let words_agreed: u64 = clauses
        .iter()
        .filter(|c| c["agreement"] != "open")
        .map(|c| c["words"].as_u64().unwrap())
        .sum();
    assert_eq!(words_agreed, 192);
    assert_eq!(progress["words_agreed"], words_agreed);
    // The points' labels "(a)", "(b)", … are labels now, no longer words of the text.
    assert_eq!(progress["words"], 2145);
    let share = |key: &str| progress[key].as_f64().expect("a share");
    assert!((share("share_by_number") - 5.0 / 75.0).abs() < 1e-9);
    assert!((share("share_by_words") - 192.0 / 2145.0).abs() < 1e-9);

    // The questions of the 2009 consultations; Q4, on compensation, answered by South Africa
    // (support) and the United States (oppose).
    let questions = t.json(&["questions"]);
    let numbers: Vec<&str> = questions
        .as_array()
        .expect("a list of questions")
        .iter()
        .map(|q| text(&q["question"]))
        .collect();
    assert_eq!(numbers, ["Q1", "Q2", "Q3", "Q4", "Q5"]);
    let q4 = &questions[3];
    assert_eq!(q4["group"], "Box 3: Mutuality of benefits");
    assert_eq!(q4["clauses"], json!(["5.2"]));
    assert_eq!(q4["answers"], 2);
    let summary = &q4["summary"];
    assert_eq!(
        (&summary["support"], &summary["oppose"], &summary["neutral"]),
        (&json!(1), &json!(1), &json!(0))
    );
    assert_eq!(summary["by_kind"][0]["kind"], "member-state");
    assert_eq!(summary["by_kind"][0]["respondents"], 2);
    // Who answered is on the page of answers.
    let q4 = t.json(&["questions", "Q4"]);
    let who: Vec<(&str, &str)> = q4["items"]
        .as_array()
        .expect("a page of answers")
        .iter()
        .map(|a| (text(&a["handle"]), text(&a["position"])))
        .collect();
    assert_eq!(who, [("south-africa", "support"), ("usa", "oppose")]);

    // The reporting rounds: 80 of 194 Member States in the third; non-State actors from 1 to
    // 14 of 14.
    let rounds = t.json(&["participation", "--kind", "reporting-round"]);
    let rounds = rounds.as_array().expect("a list of rounds");
    assert_eq!(rounds.len(), 2);
    let (second, third) = (&rounds[0], &rounds[1]);
    assert_eq!(second["phase"], "P6");
    assert_eq!(third["phase"], "P7");
    assert_eq!(third["name"], "Third round of national reporting");
    assert_eq!(third["previous"], "P6");
    let kind_in = |round: &Value, kind: &str| -> Value {
        round["kinds"]
            .as_array()
            .expect("kinds")
            .iter()
            .find(|k| k["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {}", round["phase"]))
            .clone()
    };
    let states = kind_in(third, "member-state");
    assert_eq!(
        (&states["count"], &states["registered"]),
        (&json!(80), &json!(194))
    );
    assert_eq!(states["took_part"].as_array().unwrap().len(), 80);
    let before = kind_in(second, "non-state-actor");
    let after = kind_in(third, "non-state-actor");
    assert_eq!(
        (&before["count"], &before["registered"]),
        (&json!(1), &json!(14))
    );
    assert_eq!(labels(&before["took_part"]), ["mmi-network"]);
    assert_eq!(
        (&after["count"], &after["registered"]),
        (&json!(14), &json!(14))
    );
    assert_eq!(after["previous_count"], 1);
    assert_eq!(after["change"], 13);
    assert_eq!(after["did_not"], json!([]));

    // The brackets of the drafting committee: B1 resolved by A17, B2 lifted (A18 rejected).
    let brackets: Vec<Value> = t
        .json(&["brackets", "--all"])
        .as_array()
        .expect("brackets per clause")
        .iter()
        .flat_map(|c| c["brackets"].as_array().expect("brackets").clone())
        .collect();
    assert_eq!(brackets.len(), 2);
    let (b1, b2) = (&brackets[0], &brackets[1]);
    assert_eq!(b1["bracket"], "B1");
    assert_eq!(b1["label"], "9.4");
    assert_eq!(b1["span"], "every three years");
    assert_eq!(b1["raised_by"], "eu");
    assert_eq!(b1["status"], "resolved");
    assert_eq!(b1["decision"]["amendment"], 17);
    assert_eq!(b1["closed_alternatives"][0]["amendment"], "A17");
    assert_eq!(b1["closed_alternatives"][0]["status"], "accepted");
    assert_eq!(b1["closed_alternatives"][0]["text"], "periodically");
    assert_eq!(b2["bracket"], "B2");
    assert_eq!(b2["label"], "10.3");
    assert_eq!(b2["raised_by"], "usa");
    assert_eq!(b2["status"], "lifted");
    assert_eq!(b2["closed_alternatives"][0]["amendment"], "A18");
    assert_eq!(b2["closed_alternatives"][0]["status"], "rejected");
    // The adopted text has A17's word in 9.4 and 10.3's words as drafted.
    let adopted = t.clauses(&["--at", "WHA63.16"]);
    let wording = |label: &str| {
        text(&adopted.iter().find(|c| c["label"] == label).unwrap()["text"]).to_string()
    };
    assert!(wording("9.4").contains("to the Health Assembly periodically on"));
    assert!(wording("10.3").contains("are not undermined by recruitment from those countries"));

    // After the adoption the text no longer changes: a revision is refused and writes nothing.
    assert_eq!(t.json(&["show"])["adopted"]["symbol"], "WHA63.16");
    let md = t.ok(&["show", "--format", "markdown"]);
    assert!(md.contains("Health Assembly periodically on"));
    t.write(
        "revised.md",
        md.replace(
            "Health Assembly periodically on",
            "Health Assembly every three years on",
        ),
    );
    let stderr = t.refused(
        &[
            "--as",
            "secretariat",
            "import",
            "revised.md",
            "--revision",
            "After adoption",
        ],
        1,
        &["adopted as WHA63.16", "no longer changes"],
    );
    assert!(stderr.contains("who-code"), "{stderr}");
    assert_eq!(t.head().seq, 763);
}
