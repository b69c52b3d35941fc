//! `travaux run SCRIPT`: command lines run one by one against one open store; the first
//! failing line stops the script, is named by file and line, and what came before it stays
//! recorded.

use crate::support::{comments, Travaux, DRAFT1, FIXTURE_SCRIPT};

#[test]
fn a_failing_line_stops_the_script_and_names_its_line() {
    let t = Travaux::fixture();
    t.write(
        "script.travaux",
        "# two comments, then a mistake on line 5\n\
         --as brazil --date 2020-02-01 comment \"before the mistake\" --clause 1.1\n\
         \n\
         --as norway --date 2020-02-02 comment 'also before it'\n\
         --as nobody --date 2020-02-03 comment \"the mistake\"\n\
         --as brazil --date 2020-02-04 comment \"never reached\"\n",
    );
    let out = t.run(&["run", "script.travaux"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("script.travaux:5: no participant 'nobody'"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stdout.lines().collect::<Vec<_>>(),
        [
            "commented C1 on 1.1 (neutral) at event 15",
            "commented C2 on the document (neutral) at event 16",
        ]
    );
    let events = t.events(&["--kind", "comment_posted"]);
    let texts: Vec<&str> = comments(&events)
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["before the mistake", "also before it"]);
    assert_eq!(t.head().seq, 16);
}

#[test]
fn a_failing_line_keeps_its_exit_code() {
    let t = Travaux::fixture();
    t.write(
        "stale.travaux",
        "--as brazil --date 2020-02-01 comment first\n\
         --as norway --date 2020-02-02 --expect-version 1 comment \"on a stale read\"\n",
    );
    let out = t.run(&["run", "stale.travaux"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(
        out.stderr.contains("stale.travaux:2: conflict"),
        "{}",
        out.stderr
    );
    assert_eq!(t.head().seq, 15);

    // A line the command line parser refuses stops the script too, with exit code 1.
    t.write(
        "typo.travaux",
        "--as brazil --date 2020-02-03 comment second\n--as brazil coment third\n",
    );
    let out = t.run(&["run", "typo.travaux"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("typo.travaux:2:"), "{}", out.stderr);
    assert_eq!(t.head().seq, 16);
}

#[test]
fn the_fixture_script_and_its_lines_run_one_by_one_give_the_same_log() {
    let scripted = Travaux::fixture();
    let by_hand = Travaux::new();
    by_hand.write("draft1.md", DRAFT1);
    by_hand.create(&["init"]);
    let mut acknowledgements = Vec::new();
    for line in FIXTURE_SCRIPT.lines().filter(|l| !l.starts_with('#')) {
        let words = split(line);
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        acknowledgements.push(by_hand.ok(&words));
    }
    assert_eq!(
        acknowledgements[0],
        "registered secretariat (The Secretariat, secretariat) at event 1; the first participant, it administers the store\n"
    );
    assert_eq!(
        acknowledgements[5],
        "created document code (event 6); secretariat holds its secretariat role\n"
    );
    assert!(acknowledgements[10].starts_with("recorded revision at event 12: "));
    assert_eq!(acknowledgements[11], "tagged d1: code as of event 12\n");

    for query in [
        &["log", "--all"][..],
        &["show"],
        &["role", "list"],
        &["participant", "list"],
        &["doc", "list"],
        &["tag"],
    ] {
        assert_eq!(
            by_hand.ok(query),
            scripted.ok(query),
            "`travaux {}` differs",
            query.join(" ")
        );
    }
    assert_eq!(by_hand.head().seq, 14);
}

/// Split a line like a POSIX shell for the simple quoting the fixture uses.
fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut in_word = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            ' ' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}
