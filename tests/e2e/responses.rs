//! `responses import`: a consultation's responses taken in from a web form's export. The whole
//! file is checked before anything is written (every bad line named), the responses are
//! appended in batches, a run cut short and run again appends only what is missing, each
//! response is taken by the phase open when it was received (even if closed since), and the
//! summaries count what the file holds.

use serde_json::Value;

use crate::support::Travaux;

/// The fixture with a question Q1 on 1.1, its public hearing P1 (opened 2020-01-03) closed on
/// 2020-02-01.
fn consultation() -> Travaux {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-01-03",
        "question",
        "Should agencies be covered?",
        "--clause",
        "1.1",
    ]);
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-01",
        "phase",
        "close",
        "P1",
    ]);
    t
}

/// A CSV export of `n` answers to Q1: brazil and norway (registered delegates) and new
/// members of the public `p0`, `p1`, … registered on the fly; positions in turn support,
/// oppose, neutral; received a day apart from 2020-01-04 at 10:00, within the hearing.
fn export(n: usize) -> String {
    let mut csv = String::from("respondent,kind,name,question,position,text,received\n");
    for i in 0..n {
        let (who, kind, name) = match i % 4 {
            0 => ("brazil".to_string(), "", String::new()),
            1 => ("norway".to_string(), "member-state", "Norway".to_string()),
            _ => (
                format!("p{}", i % 9),
                "public",
                format!("\"Person {}, Esq.\"", i % 9),
            ),
        };
        let position = ["support", "oppose", "neutral"][i % 3];
        csv.push_str(&format!(
            "{who},{kind},{name},Q1,{position},\"Answer {i}, with a comma\",2020-01-{:02} 10:00\n",
            4 + i % 27
        ));
    }
    csv
}

fn count(csv: &str, word: &str) -> u64 {
    csv.lines()
        .filter(|l| l.contains(&format!(",{word},")))
        .count() as u64
}

fn summary(t: &Travaux) -> Value {
    t.json(&["questions", "Q1"])["summary"].clone()
}

/// Import as the secretariat, after the hearing closed.
fn run_import(t: &Travaux, file: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--as",
        "secretariat",
        "--date",
        "2020-02-02",
        "responses",
        "import",
        file,
    ];
    args.extend_from_slice(extra);
    t.ok(&args)
}

#[test]
fn a_file_is_imported_in_batches_and_summarised_as_it_counts() {
    let t = consultation();
    let csv = export(40);
    t.write("hearing.csv", &csv);
    let before = t.head().seq;
    let said = run_import(&t, "hearing.csv", &["--batch", "7"]);
    // Nine new members of the public (p0 to p8), each registered and granted the public role
    // before their first answer; the first batch's three registrations come first.
    assert_eq!(
        said,
        format!(
            "imported 40 of 40 responses in 6 batches at events {}-{}; 0 already there; registered 9 participants, granted 9 roles\n",
            before + 4,
            before + 9 + 9 + 40
        )
    );
    let s = summary(&t);
    assert_eq!(s["count"], 40);
    for word in ["support", "oppose", "neutral"] {
        assert_eq!(s[word].as_u64(), Some(count(&csv, word)), "{word}: {s}");
    }
    assert_eq!(s["respondents"], 11);
    let kinds: Vec<(String, u64)> = s["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().to_string(),
                k["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("member-state".to_string(), 20), ("public".to_string(), 20)]
    );
    // Dated by when each was received, in the hearing that took them though it has closed.
    assert_eq!(s["by_day"].as_array().unwrap().len(), 27);
    assert_eq!(s["by_day"][0]["day"], "2020-01-04");
    assert_eq!(s["by_phase"][0]["count"], 40);
    // The new respondents are registered, with the name the file gives, and may comment.
    let people = t.json(&["participant", "list"]);
    let p3 = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "p3")
        .expect("p3 registered");
    assert_eq!(p3["name"], "Person 3, Esq.");
    assert_eq!(p3["kind"], "public");
    let page = t.json(&["questions", "Q1", "--limit", "1"]);
    assert_eq!(page["items"][0]["time"], "2020-01-04T10:00:00Z");
    assert_eq!(page["items"][0]["text"], "Answer 0, with a comma");
}

#[test]
fn a_bad_line_writes_nothing_and_every_bad_line_is_named() {
    let t = consultation();
    let mut csv = export(12);
    csv.push_str("ghost,,,Q1,support,Who am I?,2020-01-10\n");
    csv.push_str("brazil,,,Q1,support,Too late,2020-02-01 00:01\n");
    csv.push_str("brazil,,,Q1,support,Too early,2020-01-02\n");
    csv.push_str("norway,,,Q7,maybe,No such question,2020-01-10\n");
    csv.push_str("jane,member-state,,Q1,oppose,Wrong kind,2020-01-10\n");
    csv.push_str("brazil,,,Q1,,No position,yesterday\n");
    t.write("bad.csv", &csv);
    let said = t.refused(
        &[
            "--as",
            "secretariat",
            "--date",
            "2020-02-02",
            "responses",
            "import",
            "bad.csv",
            "--batch",
            "5",
        ],
        1,
        &["bad.csv: 6 lines are wrong; nothing was imported"],
    );
    let lines: Vec<&str> = said.lines().skip(1).collect();
    assert_eq!(lines.len(), 6, "{said}");
    for (line, what) in [
        (14, "respondent 'ghost' is not registered"),
        (15, "received 2020-02-01 00:01:00 UTC from brazil, when no phase of code taking it was open"),
        (16, "received 2020-01-02 00:00:00 UTC from brazil"),
        (17, "position 'maybe' is not one of"),
        (18, "respondent 'jane' is registered as public, not member-state"),
        (19, "an answer needs a position"),
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("  line {line}: ")) && l.contains(what)),
            "line {line} should say {what:?}:\n{said}"
        );
    }
    assert!(
        said.contains("line 19:") && said.contains("received: "),
        "{said}"
    );
    // Nothing of it, registrations included: the good lines wait for a good file.
    assert!(t.json(&["participant", "list"]).as_array().unwrap().len() == 5);
}

#[test]
fn an_import_cut_short_and_run_again_appends_only_what_is_missing() {
    let t = consultation();
    let csv = export(30);
    // The first 17 responses, as if the import had been killed after them.
    let prefix: String = csv.lines().take(18).map(|l| format!("{l}\n")).collect();
    t.write("part.csv", &prefix);
    t.write("hearing.csv", &csv);
    let first = run_import(&t, "part.csv", &["--batch", "5"]);
    assert!(
        first.starts_with("imported 17 of 17 responses in 4 batches"),
        "{first}"
    );
    // The rest, p0, p4 and p8 answering for the first time among them.
    let again = run_import(&t, "hearing.csv", &["--batch", "4"]);
    assert!(
        again.starts_with("imported 13 of 30 responses in 4 batches")
            && again.contains("; 17 already there; registered 3 participants"),
        "{again}"
    );
    let s = summary(&t);
    assert_eq!(s["count"], 30);
    for word in ["support", "oppose", "neutral"] {
        assert_eq!(s[word].as_u64(), Some(count(&csv, word)), "{word}");
    }
    // Each answer once.
    let page = t.json(&["questions", "Q1", "--limit", "100"]);
    let mut texts: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["text"].as_str().unwrap())
        .collect();
    texts.sort_unstable();
    texts.dedup();
    assert_eq!(texts.len(), 30);
    // A third run finds everything there and writes nothing.
    let head = t.head();
    let third = t.json(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-02",
        "responses",
        "import",
        "hearing.csv",
    ]);
    assert_eq!(third["imported"], 0);
    assert_eq!(third["already"], 30);
    assert_eq!(third["seqs"], Value::Null);
    assert_eq!(t.head(), head);
}

#[test]
fn json_lines_with_response_ids_are_recognised_by_their_ids() {
    let t = consultation();
    let line = |id: u32, text: &str| {
        format!(
            "{{\"id\": {id}, \"respondent\": \"jane\", \"clause\": \"1.1\", \"text\": \"{text}\", \"received\": \"2020-01-20T08:00:00Z\"}}\n"
        )
    };
    t.write("a.jsonl", line(1, "First") + &line(2, "Second"));
    let done = t.json(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-02",
        "responses",
        "import",
        "a.jsonl",
    ]);
    assert_eq!(done["imported"], 2);
    // The same ids with a corrected text are the same responses: not taken twice.
    t.write(
        "b.jsonl",
        line(1, "First, corrected") + &line(2, "Second") + &line(3, "Third"),
    );
    let done = t.json(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-02",
        "responses",
        "import",
        "b.jsonl",
    ]);
    assert_eq!(
        (done["imported"].as_u64(), done["already"].as_u64()),
        (Some(1), Some(2))
    );
    let comments = t.json(&["comments", "--clause", "1.1"]);
    assert_eq!(comments["summary"]["count"], 3);
    assert_eq!(comments["items"][0]["position"], "neutral");
    // An id given twice in one file is a bad line.
    t.write("c.jsonl", line(4, "x") + &line(4, "y"));
    t.refused(
        &[
            "--as",
            "secretariat",
            "--date",
            "2020-02-02",
            "responses",
            "import",
            "c.jsonl",
        ],
        1,
        &["line 2: response id '4' is given on line 1 too"],
    );
}

#[test]
fn only_the_secretariat_imports_and_a_file_with_no_responses_is_refused() {
    let t = consultation();
    t.write("hearing.csv", export(3));
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-02",
            "responses",
            "import",
            "hearing.csv",
        ],
        1,
        &["brazil may not import responses into code", "secretariat"],
    );
    t.write("empty.csv", "respondent,text,received\n");
    t.refused(
        &["--as", "secretariat", "responses", "import", "empty.csv"],
        1,
        &["empty.csv holds no responses"],
    );
    t.write("typo.csv", "respondent,text,recieved\njane,hi,2020-01-10\n");
    t.refused(
        &["--as", "secretariat", "responses", "import", "typo.csv"],
        1,
        &["column 'recieved' that is not one of"],
    );
}

#[test]
fn a_served_store_takes_the_file_through_its_local_socket() {
    let t = consultation();
    t.write("hearing.csv", export(8));
    let _server = crate::client::serve(&t);
    let said = run_import(&t, "hearing.csv", &["--batch", "3"]);
    assert!(
        said.starts_with("imported 8 of 8 responses in 3 batches"),
        "{said}"
    );
    assert_eq!(summary(&t)["count"], 8);
}
