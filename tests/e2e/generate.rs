//! `travaux generate`: a deterministic history of a given size, written into an empty store,
//! that every other command reads like a recorded one; the same seed gives the same store;
//! a store that holds events is refused.

use serde_json::Value;

use crate::support::{kind, text, Travaux};

/// An initialised store with 5,000 generated events (seed 7), and the `--json` answer.
fn generated() -> (Travaux, Value) {
    let t = Travaux::new();
    t.create(&["init"]);
    let answer = t.json(&["generate", "--events", "5000", "--seed", "7"]);
    (t, answer)
}

#[test]
fn a_generated_history_is_read_like_a_recorded_one() {
    let (t, answer) = generated();
    let summary = &answer["summary"];
    assert_eq!(summary["events"], 5000);
    assert_eq!(summary["document"], "gen-code");
    let head = t.head();
    assert_eq!(head.seq, 5000, "exactly the size asked");
    assert_eq!(summary["head_hash"], head.hash.as_str());

    let text = t.ok(&["show"]);
    assert!(text.contains("Article 1"), "{text}");
    assert!(!t.clauses(&[]).is_empty());
    assert!(t.ok(&["show", "--at", "gen-0001"]).contains("PP1"));

    let decisions = t.events(&["--kind", "decision_recorded"]);
    assert!(!decisions.is_empty(), "the chair decided amendments");
    assert!(decisions.iter().all(|e| kind(e).0 == "decision_recorded"));

    let amendments = t.json(&["amend", "list", "--all"]);
    let amendments = amendments.as_array().expect("a list of amendments");
    assert!(!amendments.is_empty());

    let tags = t.json(&["tag"]);
    let tags = tags.as_object().expect("tags by name");
    assert!(tags.len() >= 2, "{tags:?}");
    let names: Vec<&str> = summary["tags"]
        .as_array()
        .expect("tags in the summary")
        .iter()
        .map(|n| n.as_str().expect("a name"))
        .collect();
    assert_eq!(names[0], "gen-0001");
    assert_eq!(names.len(), tags.len());
    assert!(names.iter().all(|n| tags.contains_key(*n)));

    // Comments are the largest share.
    let kinds = summary["kinds"].as_object().expect("kinds");
    let comments = kinds["comment_posted"].as_u64().expect("comments");
    assert!(kinds.values().all(|n| n.as_u64().unwrap() <= comments));

    // The human answer is one line.
    let t2 = Travaux::new();
    t2.create(&["init"]);
    let line = t2.ok(&["generate", "--events", "600"]);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.starts_with("generated 600 events (seed 1)"), "{line}");
}

#[test]
fn the_same_seed_gives_the_same_store_byte_for_byte() {
    let (one, _) = generated();
    let (two, _) = generated();
    assert_eq!(one.head(), two.head(), "the same head hash");
    for query in [
        &["--json", "show"][..],
        &["--json", "show", "--at", "gen-0002"],
        &["--json", "amend", "list", "--all"],
        &["--json", "participant", "list"],
        &["--json", "tag"],
    ] {
        assert_eq!(
            one.ok(query),
            two.ok(query),
            "`travaux {}` differs",
            query.join(" ")
        );
    }

    let other = Travaux::new();
    other.create(&["init"]);
    other.ok(&["generate", "--events", "5000", "--seed", "8"]);
    assert_ne!(other.head(), one.head(), "another seed, another history");
    assert_ne!(other.ok(&["--json", "show"]), one.ok(&["--json", "show"]));
}

#[test]
fn a_store_that_holds_events_is_refused_and_nothing_is_written() {
    let t = Travaux::fixture();
    t.refused(
        &["generate", "--events", "1000"],
        1,
        &["already holds", "empty store"],
    );

    let g = Travaux::new();
    g.create(&["init"]);
    g.ok(&["generate", "--events", "500"]);
    g.refused(
        &["generate", "--events", "500", "--seed", "2"],
        1,
        &["empty"],
    );

    // Sizes out of range are refused before anything is written.
    let e = Travaux::new();
    e.create(&["init"]);
    e.refused(&["generate", "--events", "10"], 1, &["too few"]);
    e.refused(
        &["generate", "--events", "1000", "--articles", "0"],
        1,
        &["articles"],
    );
    assert_eq!(e.head().seq, 0);
}

/// `replay --from` and `log -S` tell only part of a long stream, jumping from snapshot to
/// snapshot over the rest: each event they tell is told exactly as the whole replay and the
/// whole log tell it, with the text as it stood just before it.
#[test]
fn a_part_of_a_long_history_is_told_as_the_whole_tells_it() {
    let (t, _) = generated();
    // Every event on its own line (--full), told as `log` tells it once people's names are
    // put back to their handles and the texts printed in full under their line left out.
    let whole = t.ok(&["replay", "--full", "--color", "never"]);
    let body = |out: &str| out.lines().skip(1).map(str::to_string).collect::<Vec<_>>();
    let raw_body = body(&whole);
    let whole_body = as_log(&t, &raw_body);
    // Told on two threads (the diffs worked out apart, a batch at a time), the whole replay
    // tells every event in order, each as `log` tells it.
    let log = t.ok(&["log", "--color", "never"]);
    let told: Vec<&str> = whole_body
        .iter()
        .filter(|l| !l.starts_with("        "))
        .map(String::as_str)
        .collect();
    assert!(told.len() > 1_000, "{} events told", told.len());
    assert_eq!(told, log.lines().collect::<Vec<_>>());
    // And each event's diffs under it: `log -p` (one thread) shows the same, but for what a
    // proposal would do and its rationale, which only `replay` shows.
    let patched = t.ok(&["log", "-p", "--color", "never"]);
    let mut in_proposal = false;
    let without_proposals: Vec<&str> = whole_body
        .iter()
        .map(String::as_str)
        .filter(|l| {
            if !l.starts_with("        ") {
                in_proposal = l.contains(" proposed A");
                return true;
            }
            !in_proposal
        })
        .collect();
    assert!(
        without_proposals.len() > told.len() + 100,
        "the history has diffs"
    );
    assert_eq!(without_proposals, patched.lines().collect::<Vec<_>>());
    let tags: Vec<String> = {
        let tags = t.json(&["tag"]);
        let mut by_seq: Vec<(u64, String)> = tags
            .as_object()
            .expect("tags")
            .iter()
            .map(|(name, seq)| (seq.as_u64().expect("a seq"), name.clone()))
            .collect();
        by_seq.sort();
        by_seq.into_iter().map(|(_, name)| name).collect()
    };
    assert!(tags.len() >= 4, "{tags:?}");
    for (from, to) in [(&tags[1], &tags[2]), (&tags[2], &tags[tags.len() - 1])] {
        let part = t.ok(&[
            "replay", "--full", "--from", from, "--to", to, "--color", "never",
        ]);
        let part = body(&part);
        assert!(part.len() > 100, "{from}..{to}: {} lines", part.len());
        let at = raw_body
            .iter()
            .position(|l| *l == part[0])
            .unwrap_or_else(|| {
                panic!(
                    "{from}..{to} starts with a line the whole replay lacks: {}",
                    part[0]
                )
            });
        assert_eq!(
            raw_body[at..at + part.len()],
            part[..],
            "replay --from {from} --to {to} differs from the whole replay"
        );
    }

    // Every event `log -S` finds is told as `log` tells it, the counts aside.
    let lines: std::collections::HashSet<&str> = log.lines().collect();
    let found = t.ok(&["log", "-S", "Member States", "--color", "never"]);
    assert!(found.lines().count() >= 3, "{found}");
    for line in found.lines() {
        let (event, counts) = line
            .rsplit_once(" · \"Member States\" ")
            .expect("the counts");
        assert!(counts.contains(" → "), "{line}");
        assert!(
            lines.contains(event),
            "log -S told an event differently from log: {line}"
        );
    }
    // A decision accepting an alternative is told with the bracket it resolves, as `log` tells
    // it: `log -S` reads that amendment (and no other) for it.
    let accepted: Vec<(String, String)> = t
        .json(&["amend", "list", "--all"])
        .as_array()
        .expect("amendments")
        .iter()
        .filter(|a| a["change"]["kind"] == "alternative" && a["status"] == "accepted")
        .map(|a| {
            let text = a["change"]["text"].as_str().expect("a text");
            (
                a["amendment"].as_str().expect("a number").to_string(),
                text.to_string(),
            )
        })
        .collect();
    assert!(!accepted.is_empty(), "the history accepts an alternative");
    for (no, text) in &accepted {
        let found = t.ok(&["log", "-S", text, "--color", "never"]);
        let decided = format!("decided {no}: ");
        let line = found
            .lines()
            .find(|l| l.contains(&decided))
            .unwrap_or_else(|| panic!("log -S {text:?} does not tell {no}'s decision: {found}"));
        let (event, _) = line.rsplit_once(" · \"").expect("the counts");
        assert!(event.contains(", resolving B"), "{line}");
        assert!(
            lines.contains(event),
            "log -S told {no}'s decision differently: {line}"
        );
    }
    // And with -p, its diffs are those the whole replay shows.
    let patched = t.ok(&["log", "-S", "Member States", "-p", "--color", "never"]);
    for l in patched.lines().filter(|l| l.starts_with("        ")) {
        assert!(
            whole_body.iter().any(|w| w == l),
            "a diff line the replay lacks: {l}"
        );
    }
}

/// Lines of `replay --full` as `log` writes them: the actor by handle rather than name (and the
/// participant a role or token names), without the texts printed in full under their line.
fn as_log(t: &Travaux, lines: &[String]) -> Vec<String> {
    let people = t.json(&["participant", "list"]);
    let mut names: Vec<(String, String)> = people
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| (text(&p["name"]).to_string(), text(&p["handle"]).to_string()))
        .collect();
    // The longest name first, so that a name that begins another is not taken for it.
    names.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let handle = |name: &str| {
        names
            .iter()
            .find(|(n, _)| n == name)
            .map_or(name.to_string(), |(_, h)| h.clone())
    };
    let mut out = Vec::new();
    let mut in_text = false;
    for line in lines {
        if line.starts_with("        ") {
            if !in_text {
                out.push(line.clone());
            }
            continue;
        }
        // `{seq:>6}  {YYYY-MM-DD HH:MM}  `: 26 characters, then the actor and what it did.
        let (head, rest) = line.split_at(26);
        let (name, handle_of) = names
            .iter()
            .find(|(n, _)| rest.starts_with(&format!("{n} ")))
            .unwrap_or_else(|| panic!("no participant begins {rest:?}"));
        let mut told = rest[name.len()..].trim_start().to_string();
        in_text = [" commented C", " answered Q", " reported R", " posed Q"]
            .iter()
            .any(|w| format!(" {told}").starts_with(w));
        for verb in ["granted ", "revoked ", "issued a token to "] {
            if told.starts_with(verb) {
                let at = told.rfind([' ']).map(|i| i + 1).unwrap_or(0);
                let sep = [" to ", " from "]
                    .iter()
                    .filter_map(|s| told.find(s).map(|i| i + s.len()))
                    .min()
                    .unwrap_or(at);
                told = format!("{}{}", &told[..sep], handle(&told[sep..]));
            }
        }
        out.push(format!("{head}{handle_of:<14} {told}"));
    }
    out
}
