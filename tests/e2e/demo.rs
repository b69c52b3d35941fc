//! `travaux demo`: the WHO Code negotiation of examples/who-code, run into a fresh store, ends
//! with the adopted text; the record it leaves holds the drafts, tags and amendments that the
//! example's README describes.

use serde_json::{json, Value};

use crate::support::{kind, text, Travaux};

/// The amendments of the README's table: number, proposer, status (as `amend list` names it),
/// and how the last decision was taken.
const FATES: [(&str, &str, &str, &str); 16] = [
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
];

#[test]
fn demo_ends_with_the_adopted_text_and_what_to_try_next() {
    let t = Travaux::new();
    let out = t.create(&["demo"]);

    let adopted = out
        .find("== The text adopted as WHA63.16 (149 events recorded in ")
        .unwrap_or_else(|| panic!("no adopted text in the demo's output:\n{out}"));
    let next = out
        .find("== What next ==")
        .expect("the demo ends with hints");
    assert!(adopted < next, "the hints come after the text");
    let text_part = &out[adopted..next];
    assert!(text_part.contains("Article 5  Health workforce development"));
    assert!(text_part.contains(
        "5.2  Destination countries should, to the extent possible, provide technical and financial assistance"
    ));
    assert!(text_part.contains("Article 10  Partnerships, technical collaboration"));
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
    // Each command of the script is shown as it runs, before the text.
    assert!(out[..adopted].contains("tagged WHA63.16"));

    let verified = t.ok(&["verify"]);
    assert!(
        verified.starts_with("ok: 149 events, hash chain intact"),
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
fn demo_records_the_sixteen_amendments_and_their_fates() {
    let t = Travaux::demo();
    let list = t.json(&["amend", "list", "--all"]);
    let list = list.as_array().expect("a list of amendments");
    assert_eq!(list.len(), 16);
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
    assert_eq!(decisions.len(), 17);
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
    assert_eq!(first.seq, 149);

    // Again into the same store: it is replaced, not appended to.
    t.create(&["demo", "--quiet"]);
    let second = t.head();
    assert_eq!(second.seq, 149);
    assert_ne!(second.hash, first.hash, "a new store with new ids");
    assert_eq!(
        t.json(&["amend", "list", "--all"])
            .as_array()
            .unwrap()
            .len(),
        16
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
