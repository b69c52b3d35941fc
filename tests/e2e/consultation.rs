//! Reading a consultation: `questions Q1` and `comments` summarise the answers (by position,
//! participant kind, clause, phase, day and question) and page through them with `--limit`
//! and `--after CURSOR`. What a secretariat would check: the counts are those of the log,
//! folded by hand; following the pages gives every answer once, in order, even while answers
//! keep coming; a wrong cursor or limit is refused; and no line lists the respondents.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

use crate::support::{Travaux, DRAFT1};

/// Respondents of each kind: Member States, non-State actors, members of the public.
const STATES: usize = 12;
const ACTORS: usize = 6;
const PUBLIC: usize = 30;

const POSITIONS: [&str; 3] = ["support", "oppose", "neutral"];

/// A consultation as a script: 48 respondents registered in bulk, two questions, a public
/// hearing (P1) over six days where everyone answers Q1 (some twice, on a clause or not) and
/// some comment on 1.1, then a regional consultation (P2) where the Member States answer Q2;
/// three answers retracted by their authors.
fn consultation() -> Travaux {
    let t = Travaux::new();
    let mut people = String::from("handle,kind,name\n");
    let mut handles = Vec::new();
    for (n, kind, prefix) in [
        (STATES, "member-state", "ms"),
        (ACTORS, "non-state-actor", "nsa"),
        (PUBLIC, "public", "p"),
    ] {
        for i in 1..=n {
            let handle = format!("{prefix}{i:02}");
            people.push_str(&format!("{handle},{kind},Respondent {handle}\n"));
            handles.push(handle);
        }
    }
    t.write("people.csv", people);
    t.write("draft1.md", DRAFT1);
    let mut script = String::from(
        "--date 2020-01-01 participant add secretariat --name \"The Secretariat\" --kind secretariat
--as secretariat --date 2020-01-01 participant import people.csv
--as secretariat --date 2020-01-02 doc new code --title \"Test Code\"
--as secretariat --date 2020-01-02 role grant --every member-state delegate
--as secretariat --date 2020-01-02 role grant --every non-state-actor observer
--as secretariat --date 2020-01-02 role grant --every public public
--as secretariat --date 2020-01-03 import draft1.md --revision D1
--as secretariat --date 2020-01-03 question \"Should the Code cover agencies?\" --group \"Box 1\" --clause 2.1
--as secretariat --date 2020-01-03 question \"Is the scope right?\" --clause 2.2
--as secretariat --date 2020-01-03 phase open public-hearing \"Hearing on the draft\"
",
    );
    let mut n = 0usize;
    for (i, who) in handles.iter().enumerate() {
        // Eight respondents a day, an hour each, so that time only moves forward.
        let at = format!("2020-01-{:02}T{:02}", 4 + i / 8, 8 + i % 8);
        let position = POSITIONS[(i * 7 + 1) % 3];
        let on = if i % 4 == 0 { " --clause 2.1" } else { "" };
        script.push_str(&format!(
            "--as {who} --date {at}:00:00Z comment --answers Q1 --position {position}{on} \"Answer of {who} to Q1.\"\n"
        ));
        n += 1;
        if i % 5 == 0 {
            script.push_str(&format!(
                "--as {who} --date {at}:20:00Z comment --answers Q1 --position oppose \"Second thoughts of {who}.\"\n"
            ));
            n += 1;
        }
        if i % 3 == 0 {
            script.push_str(&format!(
                "--as {who} --date {at}:40:00Z comment --clause 1.1 --position {} \"A remark of {who} on 1.1.\"\n",
                POSITIONS[usize::from(i % 2 == 1)]
            ));
            n += 1;
        }
    }
    // Three answers taken back: C2, C5 and the last of the hearing.
    for c in [2, 5, n] {
        let who = author_in(&script, c);
        script.push_str(&format!(
            "--as {who} --date 2020-01-10 comment retract C{c}\n"
        ));
    }
    script.push_str(
        "--as secretariat --date 2020-01-10 phase close P1
--as secretariat --date 2020-03-02 phase open regional-consultation \"Regional consultation\"
",
    );
    for (i, who) in handles.iter().take(STATES).enumerate() {
        script.push_str(&format!(
            "--as {who} --date 2020-03-{:02} comment --answers Q2 --position {} --clause 2.2 \"{who} on the scope.\"\n",
            2 + i / 4,
            POSITIONS[i % 2]
        ));
    }
    t.write("consultation.travaux", script);
    t.create(&["init"]);
    t.ok(&["run", "consultation.travaux"]);
    t
}

/// Who posts the `c`-th comment of a script (comments are numbered in the order posted).
fn author_in(script: &str, c: usize) -> String {
    let line = script
        .lines()
        .filter(|l| l.contains(" comment "))
        .nth(c - 1)
        .expect("the comment's line");
    line.split_whitespace()
        .nth(1)
        .expect("--as WHO")
        .to_string()
}

/// How many, and how many of each position, as the summary gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally([u64; 4]);

impl Tally {
    fn add(&mut self, position: &str) {
        self.0[0] += 1;
        let i = POSITIONS
            .iter()
            .position(|p| *p == position)
            .expect("a position");
        self.0[1 + i] += 1;
    }

    fn of(v: &Value) -> Tally {
        let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
        Tally([n("count"), n("support"), n("oppose"), n("neutral")])
    }
}

/// The summary folded by hand from `log --json`: the comments posted that `keep` keeps, less
/// those retracted; each grouping keyed as the summary names it.
#[derive(Debug, Default, PartialEq)]
struct Fold {
    all: Tally,
    retracted: u64,
    respondents: BTreeSet<String>,
    by_kind: BTreeMap<String, (Tally, BTreeSet<String>)>,
    by_clause: BTreeMap<String, Tally>,
    by_phase: BTreeMap<String, Tally>,
    by_day: BTreeMap<String, Tally>,
    by_question: BTreeMap<String, Tally>,
}

fn fold_the_log(t: &Travaux, keep: impl Fn(&Value, &Value) -> bool) -> Fold {
    let events = t.events(&[]);
    let kinds: HashMap<String, String> = t
        .json(&["participant", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["handle"].as_str().unwrap().to_string(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let labels: HashMap<String, String> = t
        .clauses(&[])
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["address"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let retracted: BTreeSet<u64> = events
        .iter()
        .filter(|e| e["type"] == "comment_retracted")
        .map(|e| e["event"]["comment"].as_u64().unwrap())
        .collect();
    let mut fold = Fold::default();
    for e in events.iter().filter(|e| e["type"] == "comment_posted") {
        let payload = &e["event"];
        if !keep(e, payload) {
            continue;
        }
        if retracted.contains(&payload["comment"].as_u64().unwrap()) {
            fold.retracted += 1;
            continue;
        }
        let position = payload["position"].as_str().unwrap();
        let handle = e["handle"].as_str().unwrap().to_string();
        fold.all.add(position);
        fold.respondents.insert(handle.clone());
        let kind = fold.by_kind.entry(kinds[&handle].clone()).or_default();
        kind.0.add(position);
        kind.1.insert(handle);
        let clause = match payload["clause"].as_str() {
            Some(id) => labels[id].clone(),
            None => "the document".to_string(),
        };
        fold.by_clause.entry(clause).or_default().add(position);
        let phase = format!("P{}", payload["phase"].as_u64().unwrap());
        fold.by_phase.entry(phase).or_default().add(position);
        let day = e["time"].as_str().unwrap()[..10].to_string();
        fold.by_day.entry(day).or_default().add(position);
        if let Some(q) = payload["question"].as_u64() {
            fold.by_question
                .entry(format!("Q{q}"))
                .or_default()
                .add(position);
        }
    }
    fold
}

/// The same, read back from a summary of `--json`.
fn read_summary(s: &Value) -> Fold {
    let rows = |key: &str, name: &str| -> BTreeMap<String, Tally> {
        s[key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} in {s}"))
            .iter()
            .map(|r| (r[name].as_str().unwrap().to_string(), Tally::of(r)))
            .collect()
    };
    // The respondents are counted, not named: a count per kind, checked against the fold's.
    let by_kind = s["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let n = k["respondents"].as_u64().unwrap() as usize;
            (k["kind"].as_str().unwrap().to_string(), (Tally::of(k), n))
        })
        .collect::<BTreeMap<_, _>>();
    Fold {
        all: Tally::of(s),
        retracted: s["retracted"].as_u64().unwrap(),
        respondents: BTreeSet::new(),
        by_kind: by_kind
            .iter()
            .map(|(k, (t, _))| (k.clone(), (*t, BTreeSet::new())))
            .collect(),
        by_clause: rows("by_clause", "clause"),
        by_phase: rows("by_phase", "phase"),
        by_day: rows("by_day", "day"),
        by_question: rows("by_question", "question"),
    }
}

/// Compare a summary with the fold: every count, and the respondents by number.
fn assert_summary_is(summary: &Value, fold: &Fold, what: &str) {
    let mut counted = fold.clone_counts();
    counted.respondents.clear();
    assert_eq!(read_summary(summary), counted, "{what}: {summary}");
    assert_eq!(
        summary["respondents"].as_u64().unwrap() as usize,
        fold.respondents.len(),
        "{what}"
    );
    for row in summary["by_kind"].as_array().unwrap() {
        let kind = row["kind"].as_str().unwrap();
        assert_eq!(
            row["respondents"].as_u64().unwrap() as usize,
            fold.by_kind[kind].1.len(),
            "{what}: the {kind} respondents"
        );
    }
}

impl Fold {
    /// The counts alone, without who.
    fn clone_counts(&self) -> Fold {
        Fold {
            all: self.all,
            retracted: self.retracted,
            respondents: BTreeSet::new(),
            by_kind: self
                .by_kind
                .iter()
                .map(|(k, (t, _))| (k.clone(), (*t, BTreeSet::new())))
                .collect(),
            by_clause: self.by_clause.clone(),
            by_phase: self.by_phase.clone(),
            by_day: self.by_day.clone(),
            by_question: self.by_question.clone(),
        }
    }
}

#[test]
fn summaries_are_the_plain_fold_of_the_log() {
    let t = consultation();
    // Every comment of the document.
    let all = fold_the_log(&t, |_, _| true);
    assert_eq!(all.retracted, 3);
    assert_eq!(all.by_phase.len(), 2);
    let comments = t.json(&["comments"]);
    assert_summary_is(&comments["summary"], &all, "comments");

    // The answers to each question, one by one and all at once.
    let listed = t.json(&["questions"]);
    for (i, q) in ["Q1", "Q2"].iter().enumerate() {
        let fold = fold_the_log(&t, |_, p| p["question"].as_u64() == Some(i as u64 + 1));
        let one = t.json(&["questions", q]);
        assert_summary_is(&one["summary"], &fold, q);
        assert_eq!(one["answers"].as_u64(), Some(fold.all.0[0]), "{q}");
        assert_eq!(listed[i]["summary"], one["summary"], "{q} in the list");
        let filtered = t.json(&["comments", "--question", q]);
        assert_eq!(
            filtered["summary"], one["summary"],
            "comments --question {q}"
        );
    }

    // The filters of `comments`: a clause, a participant, a phase.
    let on = fold_the_log(&t, |_, p| {
        p["clause"].is_string() && p["question"].is_null()
    });
    assert_eq!(on.by_clause.keys().collect::<Vec<_>>(), ["1.1"]);
    assert_summary_is(
        &t.json(&["comments", "--clause", "1.1"])["summary"],
        &on,
        "1.1",
    );
    let by = fold_the_log(&t, |e, _| e["handle"] == "ms01");
    assert_summary_is(
        &t.json(&["comments", "--participant", "ms01"])["summary"],
        &by,
        "ms01",
    );
    let p2 = fold_the_log(&t, |_, p| p["phase"] == 2);
    assert_eq!(p2.all.0[0], STATES as u64);
    assert_summary_is(
        &t.json(&["comments", "--phase", "P2"])["summary"],
        &p2,
        "P2",
    );

    // For people: the same counts, the kinds in report order, the days of the hearing.
    let q1 = fold_the_log(&t, |_, p| p["question"] == 1);
    let text = t.ok(&["questions", "Q1"]);
    let [n, support, oppose, neutral] = q1.all.0;
    assert!(
        text.contains(&format!(
            "    {n} answers from {} participants: {support} support, {oppose} oppose, {neutral} neutral ({} more retracted)\n",
            q1.respondents.len(),
            q1.retracted
        )),
        "{text}"
    );
    let kinds: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("    by kind"))
        .skip(1)
        .take_while(|l| l.starts_with("      "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(kinds, ["member-state", "non-state-actor", "public"]);
    for day in q1.by_day.keys() {
        assert!(text.contains(&format!("      {day} ")), "{day}: {text}");
    }
}

/// The comment numbers at the start of the lines of a page for people.
fn numbers_in(page: &str) -> Vec<u64> {
    page.lines()
        .filter_map(|l| l.strip_prefix('C'))
        .filter_map(|l| l.split_once(' ')?.0.parse().ok())
        .collect()
}

/// The command the last line of a page names for the next one, if it names one.
fn next_command(page: &str) -> Option<Vec<String>> {
    let last = page.lines().last()?;
    let (_, command) = last.split_once("; the next page: travaux ")?;
    Some(command.split_whitespace().map(String::from).collect())
}

#[test]
fn the_pages_give_every_answer_once_in_order() {
    let t = consultation();
    let posted: Vec<u64> = t
        .events(&["--kind", "comment_posted"])
        .iter()
        .map(|e| e["event"]["comment"].as_u64().unwrap())
        .collect();
    let answers_to = |q: u64| -> Vec<u64> {
        t.events(&["--kind", "comment_posted"])
            .iter()
            .filter(|e| e["event"]["question"] == q)
            .map(|e| e["event"]["comment"].as_u64().unwrap())
            .collect()
    };

    // JSON: follow `next` until it is null.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut args = vec!["comments", "--limit", "7"];
        if let Some(a) = &after {
            args.extend(["--after", a]);
        }
        let page = t.json(&args);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 7);
        seen.extend(
            items
                .iter()
                .map(|c| c["comment"].as_str().unwrap()[1..].parse::<u64>().unwrap()),
        );
        pages += 1;
        match page["next"].as_str() {
            Some(next) => {
                assert_eq!(Some(next), items.last().and_then(|c| c["comment"].as_str()));
                after = Some(next.to_string());
            }
            None => break,
        }
    }
    assert_eq!(seen, posted, "every comment once, in the order posted");
    assert_eq!(pages, posted.len().div_ceil(7));

    // For people: follow the command each page ends with, as a user would copy it.
    let q1 = answers_to(1);
    let mut page = t.ok(&["questions", "Q1", "--limit", "10"]);
    assert!(page.starts_with("Q1  Box 1\n"), "{page}");
    let mut seen = numbers_in(&page);
    assert!(
        page.ends_with(&format!(
            "answers 1-10 of {}; the next page: travaux questions Q1 --limit 10 --after C{}\n",
            q1.len(),
            seen[9]
        )),
        "{page}"
    );
    let mut between = false;
    while let Some(command) = next_command(&page) {
        // An answer posted while the pages are read comes at the end, once.
        if !between {
            t.ok(&[
                "--as",
                "ms03",
                "--date",
                "2020-03-09",
                "comment",
                "--answers",
                "Q1",
                "Late, but here.",
            ]);
            between = true;
        }
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        page = t.ok(&args);
        assert!(
            !page.contains("by kind"),
            "a later page is the page alone: {page}"
        );
        seen.extend(numbers_in(&page));
    }
    assert!(page.trim_end().ends_with("; the last page"), "{page}");
    assert_eq!(
        seen,
        answers_to(1),
        "every answer to Q1 once, the late one last"
    );
    assert_eq!(seen.len(), q1.len() + 1);

    // The last cursor gives an empty page that says so.
    let last = format!("C{}", seen.last().unwrap());
    let empty = t.json(&["questions", "Q1", "--after", &last]);
    assert_eq!(empty["items"], json!([]));
    assert_eq!(empty["next"], Value::Null);
    assert!(t
        .ok(&["questions", "Q1", "--after", &last])
        .starts_with(&format!("no answers after {last}")),);
}

#[test]
fn bad_cursors_and_limits_are_refused_and_write_nothing() {
    let t = consultation();
    let last = t.json(&["comments"])["summary"]["count"].as_u64().unwrap();
    assert!(last > 0);
    for (args, code, names) in [
        (
            &["comments", "--limit", "0"][..],
            2,
            &["--limit", "1 to 1000"][..],
        ),
        (&["comments", "--limit", "1001"], 2, &["1 to 1000"]),
        (&["comments", "--limit", "ten"], 2, &["'ten'", "1 to 1000"]),
        (&["questions", "Q1", "--limit", "-3"], 2, &["-3"]),
        (&["comments", "--after", "C0"], 2, &["--after", "C3"]),
        (
            &["comments", "--after", "yesterday"],
            2,
            &["'yesterday'", "--after"],
        ),
        (
            &["questions", "Q1", "--after", "C9999"],
            1,
            &["no comment C9999", "C1 to C"],
        ),
        (
            &["comment", "list", "--after", "C9999"],
            1,
            &["no comment C9999"],
        ),
        (
            &["questions", "--after", "C3"],
            1,
            &["one question", "questions Q1 --after"],
        ),
        (&["questions", "--limit", "5"], 1, &["one question"]),
        (&["comments", "--question", "Q9"], 1, &["no question Q9"]),
        (&["comments", "--phase", "P9"], 1, &["P9"]),
    ] {
        t.refused(args, code, names);
    }
    // With --json, the error is JSON on stderr, and stdout stays empty.
    let err = t.fails(&["--json", "comments", "--after", "C9999"], 1);
    let err: Value = serde_json::from_str(err.trim()).expect("a JSON error");
    assert_eq!(err["exit"], 1);
}

#[test]
fn no_line_lists_the_respondents() {
    let t = consultation();
    let handles: Vec<String> = t
        .json(&["participant", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["handle"].as_str().unwrap().to_string())
        .collect();
    let names_none = |text: &str, what: &str| {
        for line in text.lines() {
            // Six kinds at most on a line, whatever the number of answers.
            assert!(line.chars().count() <= 300, "{what}: a long line: {line}");
            let words: BTreeSet<&str> = line
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .collect();
            assert!(
                !handles.iter().any(|h| words.contains(h.as_str())),
                "{what} names a respondent: {line}"
            );
        }
    };
    names_none(&t.ok(&["questions"]), "questions");
    let q1 = t.ok(&["questions", "Q1"]);
    let summary = q1.split("\n\n").next().unwrap();
    names_none(summary, "the summary of Q1");
    // The page shows the default fifty, two lines each, and says how to go on.
    let items = numbers_in(&q1);
    assert_eq!(items.len(), 50);
    assert!(q1.lines().last().unwrap().contains("--after C"), "{q1}");
    let comments = t.ok(&["comments"]);
    names_none(
        comments.split("\n\n").next().unwrap(),
        "the summary of comments",
    );
    // The summary for tools counts respondents, and names none.
    let json = t.json(&["questions", "Q1"])["summary"].to_string();
    for h in &handles {
        assert!(!json.contains(&format!("\"{h}\"")), "the summary names {h}");
    }
}
