//! The command line people expect: completions, man pages, the pager and progress on a
//! terminal, examples in the help, write-only options where they apply, words meant as
//! commands never recorded as text, and one JSON shape (errors included).

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

use crate::support::{Travaux, BIN};

/// Run the binary against this store on a terminal (a pseudo-terminal from util-linux's
/// `script`), with these environment variables; what the terminal showed (stdout and stderr).
fn on_a_terminal(t: &Travaux, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut line = vec![
        BIN.to_string(),
        "--store".into(),
        t.store().display().to_string(),
    ];
    line.extend(args.iter().map(|a| a.to_string()));
    let line = shlex::try_join(line.iter().map(String::as_str)).expect("a shell line");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(t.dir())
        .env_remove("PAGER")
        .env_remove("TRAVAUX_PAGER")
        .env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("util-linux's `script` runs");
    assert!(
        out.status.success(),
        "`{line}` on a terminal failed: {out:?}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_name_the_subcommands_for_each_shell() {
    let t = Travaux::new();
    let bash = t.ok(&["completions", "bash"]);
    for word in [
        "amend",
        "replay",
        "comment",
        "propose",
        "--expect-version",
        "completions",
    ] {
        assert!(bash.contains(word), "the bash completion lacks {word}");
    }
    // The script is valid bash.
    let path = t.write("travaux.bash", &bash);
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(check.status.success(), "{check:?}");
    for shell in ["zsh", "fish", "powershell"] {
        let script = t.ok(&["completions", shell]);
        assert!(script.contains("replay"), "{shell}: {script}");
    }
    t.fails(&["completions", "tcsh"], 2);
}

#[test]
fn man_pages_render_with_the_examples() {
    let t = Travaux::new();
    let page = t.ok(&["man"]);
    assert!(page.contains(".TH travaux 1"), "{page}");
    assert!(page.contains("Examples:"), "{page}");
    let dir = t.dir().join("man1");
    let written = t.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let names: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for name in [
        "travaux.1",
        "travaux-log.1",
        "travaux-amend-list.1",
        "travaux-role-list.1",
    ] {
        assert!(names.contains(name), "{name} not in {names:?}");
    }
    assert_eq!(written.lines().count(), names.len(), "{written}");
    // `man -l` renders a page as a reader sees it.
    let shown = Command::new("man")
        .args(["-l", dir.join("travaux-amend-propose.1").to_str().unwrap()])
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output();
    if let Ok(shown) = shown {
        let text = String::from_utf8_lossy(&shown.stdout);
        assert!(shown.status.success(), "{shown:?}");
        assert!(text.contains("--rationale"), "{text}");
        assert!(text.contains("travaux --as usa amend propose"), "{text}");
    }
}

#[test]
fn the_answer_of_a_read_goes_through_the_pager_only_on_a_terminal() {
    let t = Travaux::fixture();
    let pager = [("TRAVAUX_PAGER", "sed s/^/PAGED:/")];
    let shown = on_a_terminal(&t, &pager, &["log"]);
    assert!(shown.contains("PAGED:"), "{shown}");
    assert!(shown.contains("d1"), "{shown}");
    // PAGER when TRAVAUX_PAGER is not set.
    let shown = on_a_terminal(&t, &[("PAGER", "sed s/^/VIA-PAGER:/")], &["show"]);
    assert!(shown.contains("VIA-PAGER:"), "{shown}");
    // Not with --no-pager, nor with an empty pager.
    let shown = on_a_terminal(&t, &pager, &["--no-pager", "log"]);
    assert!(!shown.contains("PAGED:") && shown.contains("d1"), "{shown}");
    let shown = on_a_terminal(&t, &[("TRAVAUX_PAGER", "")], &["log"]);
    assert!(shown.contains("d1"), "{shown}");
    // Not for a write.
    let shown = on_a_terminal(&t, &pager, &["--as", "brazil", "comment", "Paged?"]);
    assert!(
        !shown.contains("PAGED:") && shown.contains("commented C1"),
        "{shown}"
    );
    // Not when stdout is piped.
    let out = t
        .command(&["log"])
        .env("TRAVAUX_PAGER", "sed s/^/PAGED:/")
        .output()
        .unwrap();
    let piped = String::from_utf8_lossy(&out.stdout);
    assert!(!piped.contains("PAGED:") && piped.contains("d1"), "{piped}");
}

#[test]
fn verify_rebuild_and_compact_show_progress_on_a_terminal_only() {
    let t = Travaux::fixture();
    let shown = on_a_terminal(&t, &[], &["verify"]);
    assert!(shown.contains("verifying"), "{shown}");
    assert!(shown.contains("ok:"), "{shown}");
    let shown = on_a_terminal(&t, &[], &["rebuild"]);
    assert!(shown.contains("rebuilding the read models"), "{shown}");
    // A database compacts itself (VACUUM): travaux compacts sled stores only.
    let commands: &[&str] = if t.on_postgres() {
        let out = t.run(&["compact"]);
        assert_ne!(out.code, 0, "{out:?}");
        assert!(out.stderr.contains("VACUUM"), "{}", out.stderr);
        &["verify", "rebuild"]
    } else {
        let shown = on_a_terminal(&t, &[], &["compact"]);
        assert!(shown.contains("compacting"), "{shown}");
        &["verify", "rebuild", "compact"]
    };
    // Piped: the answer alone.
    for &command in commands {
        let out = t.run(&[command]);
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.stderr, "", "`{command}` piped wrote on stderr");
        for doing in ["verifying", "rebuilding", "compacting"] {
            assert!(!out.stdout.contains(doing), "{}", out.stdout);
        }
    }
}

#[test]
fn each_subcommand_shows_examples_and_write_only_options_where_they_apply() {
    let t = Travaux::new();
    let top = t.ok(&["--help"]);
    for hidden in [
        "--date <TIME>",
        "--expect-version <VERSION>",
        "--event-id <UUID>",
        "--as <",
    ] {
        assert!(!top.contains(hidden), "the top-level help shows {hidden}");
    }
    assert!(top.contains("Examples:"));
    for read in [
        &["show", "--help"][..],
        &["log", "--help"],
        &["amend", "list", "--help"],
    ] {
        let help = t.ok(read);
        assert!(help.contains("Examples:\n  travaux "), "{read:?}: {help}");
        assert!(!help.contains("--date <TIME>"), "{read:?} shows --date");
        assert!(!help.contains("--as <"), "{read:?} shows --as");
    }
    for write in [
        &["comment", "--help"][..],
        &["amend", "propose", "--help"],
        &["tag", "add", "--help"],
    ] {
        let help = t.ok(write);
        assert!(help.contains("Examples:\n  travaux "), "{write:?}: {help}");
        for shown in [
            "--date <TIME>",
            "--expect-version <VERSION>",
            "--event-id <UUID>",
            "--as <",
        ] {
            assert!(help.contains(shown), "{write:?} lacks {shown}");
        }
    }
}

#[test]
fn write_only_options_are_still_taken_before_the_subcommand() {
    let t = Travaux::fixture();
    let version = t.json(&["show"])["version"].to_string();
    let out = t.json(&[
        "--as",
        "brazil",
        "--date",
        "2020-01-04",
        "--expect-version",
        &version,
        "comment",
        "Before.",
    ]);
    assert_eq!(out["comment"], "C1", "{out}");
    let out = t.json(&[
        "comment",
        "After.",
        "--as",
        "norway",
        "--date",
        "2020-01-05",
    ]);
    assert_eq!(out["comment"], "C2", "{out}");
    let events = t.events(&["--kind", "comment_posted"]);
    assert!(events[0]["time"]
        .as_str()
        .unwrap()
        .starts_with("2020-01-04"));
    assert_eq!(events[1]["handle"], "norway");
}

#[test]
fn listing_words_are_commands_never_text() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "comment",
        "A real remark.",
        "--clause",
        "1.1",
    ]);
    t.ok(&[
        "--as",
        "norway",
        "comment",
        "add",
        "Another one,\nover two lines.",
        "--position",
        "oppose",
    ]);
    let before = t.head();
    // The words list: nothing written.
    let listed = t.ok(&["--as", "brazil", "comment", "list"]);
    assert!(
        listed.contains("C1") && listed.contains("A real remark."),
        "{listed}"
    );
    assert!(listed.contains("Brazil on 1.1 (neutral)"), "{listed}");
    assert!(listed.contains("    over two lines."), "{listed}");
    let tags = t.ok(&["--as", "secretariat", "tag", "list"]);
    assert!(tags.starts_with("d1 "), "{tags}");
    assert_eq!(t.head(), before, "listing wrote to the log");
    // Filters, and JSON with the whole text.
    let only = t.json(&["comment", "list", "--participant", "norway"]);
    let only = only["items"].as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["text"], "Another one,\nover two lines.");
    assert_eq!(only[0]["handle"], "norway");
    assert_eq!(only[0]["actor"], t.participant_id("norway").as_str());
    let on = t.json(&["comment", "list", "--clause", "1.1"]);
    assert_eq!(on["items"].as_array().unwrap().len(), 1);
    // Those words as text or as a tag's name are refused, with nothing written.
    for args in [
        &["--as", "brazil", "comment", "--", "list"][..],
        &["--as", "brazil", "comment", "add", "list"],
        &["--as", "brazil", "comment", "--", " List "],
    ] {
        t.refused(
            args,
            1,
            &["subcommand", "comment list", "nothing was written"],
        );
    }
    t.refused(
        &["--as", "brazil", "comment", "add", "add"],
        1,
        &["subcommand", "nothing was written"],
    );
    for args in [
        &["--as", "secretariat", "tag", "--", "list"][..],
        &["--as", "secretariat", "tag", "add", "list"],
        &["--as", "secretariat", "tag", "add", "add"],
    ] {
        t.refused(args, 1, &["subcommand", "nothing was written"]);
    }
    t.refused(
        &["--as", "secretariat", "question", "list"],
        1,
        &["travaux questions", "nothing was written"],
    );
    // `tag NAME` and `tag add NAME` both set a tag.
    t.ok(&["--as", "secretariat", "tag", "t1"]);
    t.ok(&["--as", "secretariat", "tag", "add", "t2", "--at", "d1"]);
    let tags = t.json(&["tag", "list"]);
    assert_eq!(tags["t2"], tags["d1"], "{tags}");
    assert!(tags["t1"].as_u64() > tags["d1"].as_u64(), "{tags}");
    t.refused(&["tag", "--at", "d1"], 1, &["tag add NAME"]);
}

#[test]
fn log_and_replay_give_events_in_one_shape() {
    let t = Travaux::fixture();
    t.ok(&["--as", "brazil", "comment", "A remark."]);
    let log = t.events(&[]);
    // replay --json writes a line per event (JSON Lines: it can follow a live log).
    let replay: Vec<Value> = t
        .ok(&["--json", "replay"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(log.len(), replay.len());
    let brazil = t.participant_id("brazil");
    for (l, r) in log.iter().zip(&replay) {
        let fields = |v: &Value| {
            v.as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<BTreeSet<_>>()
        };
        let (lf, rf) = (fields(l), fields(r));
        assert!(lf.is_subset(&rf), "log has {lf:?}, replay {rf:?}");
        for field in &lf {
            assert_eq!(l[field], r[field], "{field} differs between log and replay");
        }
        for field in ["seq", "time", "actor", "handle", "type", "event", "hash"] {
            assert!(lf.contains(field), "no {field} in {l}");
        }
    }
    let comment = log.iter().find(|e| e["type"] == "comment_posted").unwrap();
    assert_eq!(comment["actor"], brazil.as_str());
    assert_eq!(comment["handle"], "brazil");
    assert_eq!(comment["event"]["text"], "A remark.");
}

#[test]
fn errors_are_json_on_stderr_with_json() {
    let t = Travaux::fixture();
    let before = t.head();
    let stderr = t.fails(&["--json", "comment", "Who says this?"], 1);
    let error: Value = serde_json::from_str(stderr.trim()).expect("one JSON object on stderr");
    assert_eq!(error["exit"], 1);
    assert!(error["error"].as_str().unwrap().contains("--as"), "{error}");
    assert_eq!(t.head(), before);
    // The command line itself wrong: exit 2, still JSON.
    let stderr = t.fails(&["--json", "no-such-command"], 2);
    let error: Value = serde_json::from_str(stderr.trim()).expect("one JSON object on stderr");
    assert_eq!(error["exit"], 2);
    assert!(
        error["error"].as_str().unwrap().contains("no-such-command"),
        "{error}"
    );
    // Without --json, as before.
    let stderr = t.fails(&["comment", "Who says this?"], 1);
    assert!(stderr.starts_with("error: "), "{stderr}");
}

/// `replay --json` lines with these arguments.
fn replay_lines(t: &Travaux, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["--json", "replay"];
    all.extend_from_slice(args);
    t.ok(&all)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn seqs(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["seq"].as_u64().unwrap()).collect()
}

#[test]
fn replay_reads_as_the_story_of_the_negotiation() {
    let t = Travaux::demo();
    let story = t.ok(&["replay", "--color", "never"]);
    let every = t.ok(&["replay", "--color", "never", "--full"]);
    let events = t.events(&[]).len();
    // Role grants and reports: a line per run, not per event.
    let grants = t.events(&["--kind", "role_granted"]).len();
    let reports = t.events(&["--kind", "report_submitted"]).len();
    assert!(
        grants > 100 && reports > 100,
        "{grants} grants, {reports} reports"
    );
    let granting = story.lines().filter(|l| l.contains(" granted ")).count();
    assert!(
        granting * 5 < grants,
        "{granting} lines of grants for {grants}:\n{story}"
    );
    let bulk = story
        .lines()
        .find(|l| l.contains("granted delegate to") && l.contains(" participants (events "))
        .unwrap_or_else(|| panic!("no line for the delegates' grants:\n{story}"));
    assert!(bulk.contains(" more"), "{bulk}");
    let round = story
        .lines()
        .find(|l| l.contains(" reports in P6 (events "))
        .unwrap_or_else(|| panic!("no line for the reports of P6:\n{story}"));
    assert!(round.contains("75 reports"), "{round}");
    // The runs are what --full tells apart: a few lines for some 370 events.
    let (short, long) = (story.lines().count(), every.lines().count());
    assert!(
        long - short >= grants + reports - 20,
        "{short} lines, {long} with --full, for {grants} grants and {reports} reports"
    );
    // People by their names.
    let c1 = story.lines().find(|l| l.contains("commented C1 ")).unwrap();
    assert!(c1.contains("Medicus Mundi International Network"), "{c1}");
    assert!(c1.ends_with("…\""), "cut without --full: {c1}");
    // --full: every event on its line, and the comment in full under it.
    assert!(every.lines().count() > events, "{}", every.lines().count());
    assert!(every.contains(
        "\n          Compensation is the heart of the matter: source countries subsidize the health systems of rich countries. Keep the obligation and say how the transfers will be calculated.\n"
    ));
}

#[test]
fn replay_keeps_the_events_log_keeps() {
    let t = Travaux::demo();
    for filter in [
        &["--kind", "comment_posted"][..],
        &["--participant", "usa"],
        &["--clause", "5.2"],
        &["--participant", "chair", "--kind", "decision_recorded"],
    ] {
        let replayed = replay_lines(&t, filter);
        assert!(!replayed.is_empty(), "{filter:?}");
        assert_eq!(seqs(&replayed), seqs(&t.events(filter)), "{filter:?}");
    }
    let usa = replay_lines(&t, &["--participant", "usa"]);
    assert!(usa.iter().all(|e| e["handle"] == "usa"));
    // For people too: only comments.
    let told = t.ok(&["replay", "--kind", "comment_posted", "--color", "never"]);
    let comments = t.events(&["--kind", "comment_posted"]).len();
    let lines: Vec<&str> = told.lines().skip(1).collect();
    assert_eq!(lines.len(), comments, "{told}");
    assert!(lines
        .iter()
        .all(|l| l.contains(" commented C") || l.contains(" answered Q")));
    t.refused(
        &["replay", "--kind", "comment"],
        1,
        &["not an event type", "comment_posted"],
    );
    t.refused(&["replay", "--participant", "nobody"], 1, &["nobody"]);
    t.refused(&["replay", "--clause", "99.9"], 1, &["99.9"]);
}
