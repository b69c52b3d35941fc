//! The process around the text: participants imported and given roles by kind, phases that
//! take comments only from the roles they admit (consultation questions: `questions`),
//! reports in reporting rounds, and who took part in each round. Every rule is run allowed and
//! refused; a refusal leaves the log as it was.

use serde_json::Value;

use crate::support::{Travaux, DRAFT1};

/// The people of the scenario, as `participant import` reads them.
const PEOPLE: &str = "# the parties to the negotiation
handle,kind,name
chair,member-state,The Chair
brazil,member-state,Brazil
norway,member-state,Norway
kenya,member-state,Kenya

philippines,member-state,Philippines
psi,non-state-actor,Public Services International
icn,non-state-actor,\"International Council of Nurses, Geneva\"
jane,public,Jane Doe
";

/// Run as a participant on a date, insisting on success; return stdout.
pub(crate) fn ok(t: &Travaux, who: &str, date: &str, args: &[&str]) -> String {
    let mut all = vec!["--as", who, "--date", date];
    all.extend_from_slice(args);
    t.ok(&all)
}

/// Run as a participant on a date, insisting on a refusal (exit 1) that names each of `names`
/// and writes nothing; return stderr.
pub(crate) fn refused(t: &Travaux, who: &str, date: &str, args: &[&str], names: &[&str]) -> String {
    let mut all = vec!["--as", who, "--date", date];
    all.extend_from_slice(args);
    t.refused(&all, 1, names)
}

/// A store with a secretariat, the people above imported, the document `code` with the first
/// draft, the chair, every Member State a delegate, every non-State actor an observer and
/// jane public; no phase opened. Dated 2008-01-01 to 2008-01-03.
pub(crate) fn process() -> Travaux {
    let t = Travaux::new();
    t.write("people.csv", PEOPLE);
    t.write("draft1.md", DRAFT1);
    t.create(&["init"]);
    t.ok(&[
        "--date",
        "2008-01-01",
        "participant",
        "add",
        "secretariat",
        "--kind",
        "secretariat",
        "--name",
        "The Secretariat",
    ]);
    let imported = ok(
        &t,
        "secretariat",
        "2008-01-01",
        &["participant", "import", "people.csv"],
    );
    assert!(
        imported.starts_with(
            "registered 8 participants (5 member-state, 2 non-state-actor, 1 public) at events 2-9"
        ),
        "{imported}"
    );
    let s = |args: &[&str]| ok(&t, "secretariat", "2008-01-02", args);
    s(&["doc", "new", "code", "--title", "Test Code"]);
    s(&["role", "grant", "chair", "chair"]);
    let granted = s(&["role", "grant", "--every", "member-state", "delegate"]);
    assert_eq!(
        granted,
        "granted delegate to 5 member-state participants in code (events 13-17): brazil, chair, kenya, norway, philippines\n"
    );
    s(&["role", "grant", "--every", "non-state-actor", "observer"]);
    s(&["role", "grant", "jane", "public"]);
    ok(
        &t,
        "secretariat",
        "2008-01-03",
        &["import", "draft1.md", "--revision", "D1"],
    );
    t
}

/// The handles in a JSON array.
fn handles(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, found {v}"))
        .iter()
        .map(|h| h.as_str().expect("a handle"))
        .collect()
}

#[test]
fn participants_are_imported_all_or_nothing() {
    let t = process();
    let people = t.json(&["participant", "list"]);
    let icn = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "icn")
        .expect("icn registered");
    assert_eq!(icn["name"], "International Council of Nurses, Geneva");
    assert_eq!(icn["kind"], "non-state-actor");

    // One bad line among good ones: every problem named by line, nobody registered.
    t.write(
        "more.csv",
        "chile,member-state,Chile\n\
         # a comment\n\
         india,state,India\n\
         Bad Handle,public,Someone\n\
         brazil,member-state,Brazil again\n\
         chile,member-state,Chile twice\n\
         just-a-handle\n\
         ghana,member-state,Ghana\n",
    );
    let stderr = refused(
        &t,
        "secretariat",
        "2008-01-04",
        &["participant", "import", "more.csv"],
        &[
            "5 lines are wrong",
            "nothing was registered",
            "line 3: kind 'state' is not one of: member-state",
            "line 4: 'bad handle' is not a valid participant handle",
            "line 5: participant 'brazil' is already registered",
            "line 6: participant 'chile' is already given on line 1",
            "line 7: expected handle,kind,name",
        ],
    );
    assert!(!stderr.contains("line 8"), "{stderr}");
    assert_eq!(t.json(&["participant", "list"]), people);

    // Someone must be recorded as doing it.
    t.write("ok.csv", "chile,member-state,Chile\n");
    t.refused(
        &["participant", "import", "ok.csv"],
        1,
        &["--as", "participant add"],
    );
    // A file with nobody in it.
    t.write("empty.csv", "# nobody yet\n\nhandle,kind,name\n");
    refused(
        &t,
        "secretariat",
        "2008-01-04",
        &["participant", "import", "empty.csv"],
        &["lists no participants"],
    );

    let id = "5f0c6d1e-8a8e-4b7e-9a51-3b1d2f6c7a90";
    let import = [
        "--as",
        "secretariat",
        "--date",
        "2008-01-04",
        "--event-id",
        id,
        "participant",
        "import",
        "ok.csv",
    ];
    let out = t.json(&import);
    assert_eq!(out["registered"], 1);
    assert_eq!(out["duplicate"], false);
    assert_eq!(out["participants"][0]["handle"], "chile");
    assert_eq!(t.participant_id("chile").len(), 36);
    // A retry with the same event id is answered from the log; nothing more is written.
    let head = t.head();
    assert_eq!(
        t.ok(&import),
        format!(
            "already recorded as event {} (a retry with the same --event-id); nothing written\n",
            head.seq
        )
    );
    assert_eq!(t.head(), head);
}

#[test]
fn roles_are_granted_to_every_participant_of_a_kind_once() {
    let t = process();
    let roles = t.json(&["role", "list"]);
    for ms in ["brazil", "kenya", "norway", "philippines"] {
        assert_eq!(roles[ms], serde_json::json!(["delegate"]), "{ms}");
    }
    assert_eq!(roles["chair"], serde_json::json!(["chair", "delegate"]));
    assert_eq!(roles["psi"], serde_json::json!(["observer"]));
    assert_eq!(roles["icn"], serde_json::json!(["observer"]));

    // Everyone of the kind holds it already: refused, nothing written.
    refused(
        &t,
        "secretariat",
        "2008-01-04",
        &["role", "grant", "--every", "member-state", "delegate"],
        &[
            "every member-state participant already holds the delegate role",
            "brazil",
        ],
    );
    // Nobody of the kind.
    refused(
        &t,
        "secretariat",
        "2008-01-04",
        &["role", "grant", "--every", "expert", "observer"],
        &["no expert participant is registered"],
    );
    // Only the secretariat grants roles, in bulk too.
    refused(
        &t,
        "chair",
        "2008-01-04",
        &["role", "grant", "--every", "public", "observer"],
        &["may not grant roles", "secretariat"],
    );
    // A participant or --every, not both, not neither.
    t.refused(
        &[
            "--as",
            "secretariat",
            "role",
            "grant",
            "brazil",
            "delegate",
            "--every",
            "member-state",
        ],
        2,
        &["--every"],
    );
    t.refused(
        &["--as", "secretariat", "role", "grant", "delegate"],
        2,
        &[],
    );

    // A newcomer of the kind: only they are granted the role.
    t.ok(&[
        "--date",
        "2008-01-04",
        "participant",
        "add",
        "chile",
        "--kind",
        "member-state",
    ]);
    let out = ok(
        &t,
        "secretariat",
        "2008-01-04",
        &["role", "grant", "--every", "member-state", "delegate"],
    );
    assert_eq!(
        out,
        "granted delegate to 1 member-state participant in code (event 23): chile\n\
         5 already held it: brazil, chair, kenya, norway, philippines\n"
    );
    let events = t.events(&["--kind", "role_granted"]);
    assert_eq!(events.len(), 11);
}

#[test]
fn comments_are_taken_only_while_a_phase_admits_the_role() {
    let t = process();
    // No phase at all.
    refused(
        &t,
        "brazil",
        "2008-02-01",
        &["comment", "Too early"],
        &[
            "code takes comments only while a phase is open",
            "none has been opened",
            "phase open",
        ],
    );
    // A committee session does not take the public's comments.
    ok(
        &t,
        "secretariat",
        "2008-03-01",
        &[
            "phase",
            "open",
            "committee-session",
            "First session of the drafting group",
            "--from",
            "2008-03-01",
            "--until",
            "2008-03-05",
        ],
    );
    let out = ok(
        &t,
        "brazil",
        "2008-03-02",
        &["comment", "A delegation speaks"],
    );
    assert!(
        out.starts_with("commented C1 on the document (neutral) at event"),
        "{out}"
    );
    let stderr = refused(
        &t,
        "jane",
        "2008-03-02",
        &["comment", "May I speak?"],
        &[
            "no open phase of code takes comments from jane (public)",
            "P1 committee session 'First session of the drafting group'",
            "planned 2008-03-01 to 2008-03-05",
            "open since 2008-03-01",
            "taking secretariat, chair, delegate, observer",
        ],
    );
    assert!(!stderr.contains("taking secretariat, chair, delegate, observer, public"));

    // A public hearing does.
    ok(
        &t,
        "secretariat",
        "2008-09-01",
        &[
            "phase",
            "open",
            "public-hearing",
            "Web-based public hearing",
            "--from",
            "2008-09-01",
            "--until",
            "2008-10-15",
        ],
    );
    let out = t.json(&[
        "--as",
        "jane",
        "--date",
        "2008-09-02",
        "comment",
        "Protect migrant nurses",
        "--clause",
        "1.2",
        "--position",
        "support",
    ]);
    assert_eq!(out["comment"], "C2");
    assert_eq!(out["phase"], "P2");
    assert_eq!(out["clause"], "1.2");

    // Once it is closed, the message says when it was held.
    ok(&t, "secretariat", "2008-10-15", &["phase", "close", "P2"]);
    refused(
        &t,
        "jane",
        "2008-10-16",
        &["comment", "One more thing"],
        &[
            "P2 public hearing 'Web-based public hearing'",
            "held 2008-09-01 to 2008-10-15",
        ],
    );
    // The comments recorded the phase that took them.
    let events = t.events(&["--kind", "comment_posted"]);
    let phases: Vec<&Value> = events.iter().map(|e| &e["event"]["phase"]).collect();
    assert_eq!(phases, [&serde_json::json!(1), &serde_json::json!(2)]);
}

#[test]
fn reports_are_taken_only_in_a_reporting_round_from_the_roles_it_admits() {
    let t = process();
    refused(
        &t,
        "brazil",
        "2011-01-01",
        &["report", "Our national report"],
        &[
            "takes reports only while a reporting round is open",
            "none has been opened",
        ],
    );
    // A review is not a reporting round.
    ok(
        &t,
        "secretariat",
        "2011-01-01",
        &["phase", "open", "review", "First review"],
    );
    refused(
        &t,
        "brazil",
        "2011-01-02",
        &["report", "Our national report"],
        &["reporting round"],
    );
    ok(
        &t,
        "secretariat",
        "2012-01-01",
        &[
            "phase",
            "open",
            "reporting-round",
            "First round of reporting",
            "--from",
            "2012-01-01",
            "--until",
            "2012-12-31",
        ],
    );
    assert_eq!(
        ok(
            &t,
            "brazil",
            "2012-02-01",
            &["report", "Our national report"]
        ),
        "submitted R1 in P2 (First round of reporting) at event 24\n"
    );
    t.write(
        "psi-report.txt",
        "Independent stakeholder report.\n\nTwo paragraphs.\n",
    );
    let out = t.json(&[
        "--as",
        "psi",
        "--date",
        "2012-02-02",
        "report",
        "--file",
        "psi-report.txt",
    ]);
    assert_eq!(
        (
            out["report"].as_str(),
            out["phase"].as_str(),
            out["phase_reports"].as_u64()
        ),
        (Some("R2"), Some("P2"), Some(2))
    );
    let reports = t.events(&["--kind", "report_submitted"]);
    assert_eq!(
        reports[1]["event"]["text"],
        "Independent stakeholder report.\n\nTwo paragraphs.\n"
    );
    // The secretariat does not report; an empty report is no report.
    refused(
        &t,
        "secretariat",
        "2012-02-03",
        &["report", "We report too"],
        &["may not submit a report", "delegate or observer or public"],
    );
    refused(
        &t,
        "brazil",
        "2012-02-03",
        &["report", "  "],
        &["the report is empty"],
    );
    t.refused(&["--as", "brazil", "report"], 2, &["--file"]);
    refused(
        &t,
        "brazil",
        "2012-02-03",
        &["report", "--file", "missing.txt"],
        &["cannot read", "missing.txt"],
    );
    // A round that admits only delegates refuses observers' reports.
    ok(&t, "secretariat", "2012-12-31", &["phase", "close", "P2"]);
    ok(
        &t,
        "secretariat",
        "2013-01-01",
        &[
            "phase",
            "open",
            "reporting-round",
            "Member States only",
            "--admits",
            "delegate",
        ],
    );
    refused(
        &t,
        "psi",
        "2013-01-02",
        &["report", "Ours"],
        &[
            "no open reporting round of code takes reports from psi (observer)",
            "P3",
        ],
    );
}

#[test]
fn participation_is_counted_per_round_and_kind_with_who_started_and_stopped() {
    let t = process();
    let open_round = |date: &str, name: &str| {
        ok(
            &t,
            "secretariat",
            date,
            &["phase", "open", "reporting-round", name],
        );
    };
    // Round 1: two Member States of five, one non-State actor of two.
    open_round("2012-01-01", "First round of reporting");
    for who in ["brazil", "norway", "psi"] {
        ok(&t, who, "2012-03-01", &["report", "Our report"]);
    }
    ok(&t, "secretariat", "2012-12-31", &["phase", "close", "P1"]);
    // A public hearing in between is not compared with the rounds.
    ok(
        &t,
        "secretariat",
        "2013-06-01",
        &["phase", "open", "public-hearing", "Hearing on the review"],
    );
    ok(&t, "jane", "2013-06-02", &["comment", "Report more"]);
    ok(&t, "secretariat", "2013-06-30", &["phase", "close", "P2"]);
    // Chile registers after round 1: it counts in round 2 only.
    t.ok(&[
        "--date",
        "2014-01-01",
        "participant",
        "add",
        "chile",
        "--kind",
        "member-state",
    ]);
    ok(
        &t,
        "secretariat",
        "2014-01-01",
        &["role", "grant", "chile", "delegate"],
    );
    // Round 2: norway stops, kenya and chile report for the first time, icn too.
    open_round("2015-01-01", "Second round of reporting");
    for who in ["brazil", "kenya", "chile", "psi", "icn"] {
        ok(&t, who, "2015-03-01", &["report", "Our report"]);
    }
    ok(&t, "secretariat", "2015-12-31", &["phase", "close", "P3"]);
    // Round 3, still open: norway comes back.
    open_round("2019-01-01", "Third round of reporting");
    ok(&t, "norway", "2019-03-01", &["report", "We are back"]);

    let rounds = t.json(&["participation", "--kind", "reporting-round"]);
    let rounds = rounds.as_array().expect("a list of phases");
    assert_eq!(rounds.len(), 3);
    let row = |round: &Value, kind: &str| -> Value {
        round["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap_or_else(|| panic!("no row {kind} in {round}"))
            .clone()
    };

    let first = &rounds[0];
    assert_eq!(first["phase"], "P1");
    assert_eq!(first["previous"], Value::Null);
    let ms = row(first, "member-state");
    assert_eq!(
        (ms["count"].as_u64(), ms["registered"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(ms["share"], 0.4);
    assert_eq!(ms["change"], Value::Null);
    assert_eq!(handles(&ms["took_part"]), ["brazil", "norway"]);
    assert_eq!(handles(&ms["did_not"]), ["chair", "kenya", "philippines"]);
    assert_eq!(handles(&ms["first_time"]), ["brazil", "norway"]);
    let nsa = row(first, "non-state-actor");
    assert_eq!(
        (nsa["count"].as_u64(), nsa["registered"].as_u64()),
        (Some(1), Some(2))
    );

    let second = &rounds[1];
    assert_eq!(second["phase"], "P3");
    assert_eq!(second["previous"], "P1");
    let ms = row(second, "member-state");
    assert_eq!(
        (ms["count"].as_u64(), ms["registered"].as_u64()),
        (Some(3), Some(6))
    );
    assert_eq!(ms["change"], 1);
    assert_eq!(handles(&ms["took_part"]), ["brazil", "chile", "kenya"]);
    assert_eq!(handles(&ms["first_time"]), ["chile", "kenya"]);
    assert_eq!(handles(&ms["stopped"]), ["norway"]);
    assert_eq!(handles(&ms["did_not"]), ["chair", "norway", "philippines"]);
    let nsa = row(second, "non-state-actor");
    assert_eq!(
        (nsa["count"].as_u64(), nsa["change"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(handles(&nsa["first_time"]), ["icn"]);
    // The secretariat cannot report: its kind is not listed, nor counted in "all".
    assert!(second["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["kind"] != "secretariat"));
    let all = row(second, "all");
    assert_eq!(
        (
            all["count"].as_u64(),
            all["registered"].as_u64(),
            all["change"].as_i64()
        ),
        (Some(5), Some(9), Some(2))
    );

    let third = &rounds[2];
    assert_eq!(third["open"], true);
    let ms = row(third, "member-state");
    assert_eq!(
        (ms["count"].as_u64(), ms["change"].as_i64()),
        (Some(1), Some(-2))
    );
    assert_eq!(handles(&ms["returned"]), ["norway"]);
    assert_eq!(handles(&ms["first_time"]), Vec::<&str>::new());
    assert_eq!(handles(&ms["stopped"]), ["brazil", "chile", "kenya"]);

    // For people: a compact table per round.
    let text = t.ok(&["participation", "--kind", "reporting-round"]);
    assert!(
        text.contains("P3 reporting round 'Second round of reporting' (")
            && text.contains("held 2015-01-01 to 2015-12-31)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  member-state           3 of 6    50%      +1           2         0        1\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  first time  member-state     chile, kenya\n              non-state-actor  icn\n  stopped     member-state     norway\n"),
        "{text}"
    );
    assert!(
        text.contains("  0 comments, 5 reports; compared with P1 (First round of reporting)\n"),
        "{text}"
    );
    assert!(
        text.contains("  returned    member-state     norway\n"),
        "{text}"
    );
    assert!(!text.contains("Hearing on the review"), "{text}");

    // Every phase without --kind; the hearing is compared with no round.
    let every = t.json(&["participation"]);
    assert_eq!(every.as_array().unwrap().len(), 4);
    assert_eq!(every[1]["kind"], "public-hearing");
    assert_eq!(every[1]["previous"], Value::Null);
    assert_eq!(handles(&row(&every[1], "public")["took_part"]), ["jane"]);
    assert_eq!(
        t.ok(&["participation", "--kind", "committee-session"]),
        "no committee session has been opened in code; `travaux phase open committee-session NAME` opens one\n"
    );
}
