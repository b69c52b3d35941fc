//! History told as a log: `log -S` (pickaxe), `log -p` (the diff of each text change),
//! `log --since/--until`, and `replay` for people and as JSON Lines, on the example
//! negotiation.

use serde_json::Value;

use crate::support::{kind, text, Travaux};

/// How many times `phrase` occurs in the text (every clause's heading and text) at a point.
fn occurrences(t: &Travaux, at: u64, phrase: &str) -> usize {
    t.clauses(&["--at", &at.to_string()])
        .iter()
        .map(|c| {
            c["heading"].as_str().unwrap_or("").matches(phrase).count()
                + text(&c["text"]).matches(phrase).count()
        })
        .sum()
}

fn seqs(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["seq"].as_u64().unwrap()).collect()
}

/// The sequence numbers of the text changes (revisions and decisions) of the demo document.
fn text_changes(t: &Travaux) -> Vec<u64> {
    t.events(&[])
        .iter()
        .filter(|e| {
            let (k, p) = kind(e);
            k == "revision_issued"
                || k == "decision_recorded" && p["ops"].as_array().is_some_and(|o| !o.is_empty())
        })
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

#[test]
fn pickaxe_finds_when_compensation_entered_and_left_the_text() {
    let t = Travaux::demo();
    let tags = t.json(&["tag"]);
    let tag = |name: &str| tags[name].as_u64().unwrap();
    let found = t.events(&["-S", "compensat"]);
    let found_seqs = seqs(&found);
    // The first draft brought it in (1.2 and 5.2), EB124/13 dropped the objective 1.2, EB126/8
    // took the last "compensation" out of 5.2.
    assert_eq!(
        found_seqs,
        [tag("first-draft"), tag("EB124/13"), tag("EB126/8")]
    );
    // A5 proposed "compensate" again, but a proposal does not change the text, and the wording
    // accepted at 03:45 has none: its decision did not change the count (EB126/8's 5.2 had
    // none either), so pickaxe rightly leaves it out.
    let a5 = t
        .events(&["--kind", "decision_recorded"])
        .into_iter()
        .find(|e| kind(e).1["amendment"] == 5 && kind(e).1["outcome"]["outcome"] != "deferred")
        .expect("the decision on A5");
    let a5 = a5["seq"].as_u64().unwrap();
    assert!(!found_seqs.contains(&a5));
    assert_eq!(
        occurrences(&t, a5 - 1, "compensat"),
        occurrences(&t, a5, "compensat")
    );
    // The wording A5 brought in is found by its own phrase.
    let assistance = seqs(&t.events(&["-S", "technical and financial assistance"]));
    assert!(assistance.contains(&a5), "{assistance:?}");

    // Exactly the text changes whose count differs, checked against the text shown before and
    // after each one.
    for seq in text_changes(&t) {
        let (before, after) = (
            occurrences(&t, seq - 1, "compensat"),
            occurrences(&t, seq, "compensat"),
        );
        assert_eq!(
            found_seqs.contains(&seq),
            before != after,
            "event {seq}: {before} → {after}"
        );
        if let Some(e) = found.iter().find(|e| e["seq"] == seq) {
            assert_eq!(e["pickaxe"]["before"], before);
            assert_eq!(e["pickaxe"]["after"], after);
        }
    }

    // Told in words, with the counts.
    let told = t.ok(&["log", "-S", "compensat"]);
    assert_eq!(told.lines().count(), 3);
    assert!(told.contains("(EB126/8)") && told.contains("\"compensat\" 1 → 0"));
    // Case-sensitive by default.
    assert_eq!(t.ok(&["log", "-S", "COMPENSAT"]), "");
    assert_eq!(
        seqs(&t.events(&["-S", "COMPENSAT", "--ignore-case"])),
        found_seqs
    );
    t.refused(&["log", "-S", ""], 1, &["phrase"]);
}

#[test]
fn pickaxe_on_one_clause_and_with_its_diff() {
    let t = Travaux::demo();
    // In 5.2 itself "compensat" came with the first draft and left with EB126/8; EB124/13
    // reworded it but kept one.
    let on_5_2 = t.events(&["-S", "compensat", "--clause", "5.2"]);
    let tags = t.json(&["tag"]);
    assert_eq!(
        seqs(&on_5_2),
        [
            tags["first-draft"].as_u64().unwrap(),
            tags["EB126/8"].as_u64().unwrap()
        ]
    );
    let clause = &t.clauses(&["--clause", "5.2"])[0]["id"];
    for e in &on_5_2 {
        assert_eq!(e["pickaxe"]["clauses"][0]["clause"], *clause);
    }
    // With -p, the diff of the clauses whose count changed, and only those.
    let told = t.ok(&["log", "-S", "compensat", "-p", "--color", "never"]);
    assert!(told.contains("        1.2  added\n"), "{told}");
    assert!(told.contains("        1.2  removed\n"), "{told}");
    assert!(told.contains("[- compensation for-]"), "{told}");
    assert!(!told.contains("        2.1 "), "{told}");
}

#[test]
fn log_of_the_compensation_clause_with_its_diffs() {
    let t = Travaux::demo();
    let told = t.ok(&["log", "--clause", "5.2", "-p", "--color", "never"]);
    // The same events as without -p, each text change followed by what it did to 5.2.
    let plain = t.ok(&["log", "--clause", "5.2"]);
    let event_lines: Vec<&str> = told
        .lines()
        .filter(|l| !l.starts_with("        "))
        .collect();
    assert_eq!(event_lines, plain.lines().collect::<Vec<_>>());
    // The wording A5 brought in at 03:45, under the decision.
    let decision = told
        .split("decided A5: accepted as modified by consensus; reworded 5.2\n")
        .nth(1)
        .expect("the decision on A5");
    let effect: String = decision
        .lines()
        .take_while(|l| l.starts_with("        "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(effect.starts_with("        5.2  reworded\n"), "{effect}");
    assert!(
        effect.contains(
            "{+, to the extent possible, provide technical and financial assistance to+}"
        ),
        "{effect}"
    );
    assert!(
        effect.contains("[-recruited from them-]{+development+}"),
        "{effect}"
    );
    // Each amendment event says what became of the amendment.
    assert!(told.contains("proposed A5: replace 5.2: \"Destination countries should compensate"));
    assert!(told
        .lines()
        .filter(|l| l.contains(" A5"))
        .filter(|l| !l.contains("accepted as modified by consensus"))
        .all(|l| l.ends_with("[accepted as modified]")));
    insta::assert_snapshot!("demo_log_clause_5_2_patch", told);

    // As JSON, the effect is there for tools.
    let events = t.events(&["--clause", "5.2", "-p"]);
    let a5 = events
        .iter()
        .find(|e| {
            kind(e).0 == "decision_recorded"
                && kind(e).1["outcome"]["outcome"] == "accepted_as_modified"
        })
        .expect("the decision on A5");
    assert_eq!(a5["effect"][0]["new_label"], "5.2");
    assert_eq!(a5["effect"][0]["changes"][0], "reworded");

    // Colour only when asked (the tests' stdout is not a terminal).
    assert!(!told.contains('\x1b'));
    assert!(!t.ok(&["log", "--clause", "5.2", "-p"]).contains('\x1b'));
    let coloured = t.ok(&["log", "--clause", "5.2", "-p", "--color", "always"]);
    assert!(coloured.contains("\x1b[4;32m") && coloured.contains("\x1b[9;31m"));
}

#[test]
fn a_renumbered_clause_shows_both_labels() {
    let t = Travaux::demo();
    // Partnerships: Article 8 in 2008, moved to Article 10 by EB124/13, and renamed.
    let told = t.ok(&["log", "--clause", "Article 10", "-p", "--color", "never"]);
    assert!(
        told.contains("        Article 8 → Article 10  moved, renumbered, reworded\n"),
        "{told}"
    );
    assert!(
        told.contains("heading: Partnerships{+, technical collaboration+} and financial support"),
        "{told}"
    );
}

#[test]
fn since_and_until_bound_the_events() {
    let t = Travaux::demo();
    let all = t.events(&[]);
    let night = t.events(&["--since", "2010-05-20", "--until", "2010-05-20T01:00"]);
    let expected: Vec<u64> = all
        .iter()
        .filter(|e| {
            let time = text(&e["time"]);
            ("2010-05-20T00:00:00".."2010-05-20T01:00:01").contains(&time)
        })
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(seqs(&night), expected);
    // A date as --until means the end of that day, as `show --at` reads it.
    let before_2009 = t.events(&["--until", "2008-12-31"]);
    assert!(before_2009.iter().all(|e| text(&e["time"]) < "2009-01-01"));
    assert_eq!(
        before_2009.len() + t.events(&["--since", "2009-01-01"]).len(),
        all.len()
    );
    // With the other filters.
    let chair_that_night = t.events(&["--since", "2010-05-20", "--participant", "chair"]);
    assert!(chair_that_night
        .iter()
        .all(|e| text(&e["time"]) >= "2010-05-20"));
    assert!(!chair_that_night.is_empty());

    t.refused(
        &["log", "--since", "yesterday"],
        1,
        &["--since", "yesterday"],
    );
    t.refused(
        &["log", "--since", "2010-05-21", "--until", "2010-05-20"],
        1,
        &["--since", "after"],
    );
}

/// Parse `replay --json` output: one JSON object per line.
fn replay_json(t: &Travaux, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json", "replay"];
    all.extend_from_slice(args);
    t.ok(&all)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn replay_as_json_lines_covers_exactly_the_events_between_the_points() {
    let t = Travaux::demo();
    let tags = t.json(&["tag"]);
    let (from, to) = (
        tags["EB126/8"].as_u64().unwrap(),
        tags["WHA63.16"].as_u64().unwrap(),
    );
    let lines = replay_json(&t, &["--from", "EB126/8", "--to", "WHA63.16"]);
    let expected: Vec<u64> = seqs(&t.events(&[]))
        .into_iter()
        .filter(|s| *s > from && *s <= to)
        .collect();
    assert_eq!(seqs(&lines), expected);
    assert!(seqs(&lines).windows(2).all(|w| w[0] < w[1]));

    // Without points: the whole document, from its creation.
    assert_eq!(seqs(&replay_json(&t, &[])), seqs(&t.events(&[])));

    // Each line: the event and its effect.
    let a5 = lines
        .iter()
        .find(|l| {
            l["type"] == "decision_recorded"
                && l["event"]["amendment"] == 5
                && l["effect"]["outcome"] == "accepted as modified"
        })
        .expect("the decision on A5");
    assert_eq!(a5["handle"], "chair");
    let effect = &a5["effect"]["clauses"][0];
    assert_eq!(
        (&effect["old_label"], &effect["new_label"]),
        (&"5.2".into(), &"5.2".into())
    );
    let spans = effect["text"]["spans"].as_array().unwrap();
    assert!(spans.iter().any(|s| s["kind"] == "insert"
        && text(&s["text"]).contains("technical and financial assistance")));
    let proposal = lines
        .iter()
        .find(|l| l["type"] == "amendment_proposed" && l["event"]["amendment"] == 5)
        .unwrap();
    assert_eq!(proposal["effect"]["fate"], "accepted as modified");
    assert_eq!(proposal["effect"]["label"], "5.2");
    let comment = lines
        .iter()
        .find(|l| l["type"] == "comment_posted")
        .unwrap();
    assert!(comment["effect"]["position"].is_string());
    assert!(comment["effect"]["label"].is_string());
    let tag = lines.iter().find(|l| l["type"] == "tag_set").unwrap();
    assert!(tag["effect"]["tag"].is_string());

    t.refused(
        &["replay", "--from", "WHA63.16", "--to", "EB126/8"],
        1,
        &["--from", "after"],
    );
    t.refused(&["replay", "--to", "no-such-tag"], 1, &["no-such-tag"]);
    t.refused(&["replay", "--from", "100000"], 1, &["no event 100000"]);
}

#[test]
fn replay_for_people_tells_each_amendment_its_fate() {
    let t = Travaux::demo();
    let told = t.ok(&[
        "replay", "--from", "EB126/8", "--to", "WHA63.16", "--color", "never",
    ]);
    let amendments = t.json(&["amend", "list", "--all"]);
    let amendments = amendments.as_array().unwrap();
    // The drafting committee's sixteen, the two alternatives to brackets (A17, A18) and the two
    // amendments of words (A19, A20).
    assert_eq!(amendments.len(), 20);
    for a in amendments {
        let proposed = format!("proposed {}: ", text(&a["amendment"]));
        let line = told
            .lines()
            .find(|l| l.contains(&proposed))
            .unwrap_or_else(|| panic!("no {proposed} in the replay"));
        assert!(
            line.ends_with(&format!("[{}]", text(&a["status"]))),
            "{line}"
        );
    }
    let lines: Vec<&str> = told.lines().collect();
    let excerpt = [
        lines[..24].join("\n"),
        "…".to_string(),
        lines[lines.len() - 13..].join("\n"),
    ]
    .join("\n");
    insta::assert_snapshot!("demo_replay_eb126_to_wha63_16_excerpt", excerpt);
}
