//! Writes that meet other writes: `--expect-version` turns a stale read into a conflict, and
//! `--event-id` makes a retried command count once, while an id reused for something else is
//! refused.

use crate::support::{comments, Travaux};

const ID: &str = "6f1c8e1e-0b7a-4c39-9a52-3d1f00000001";

#[test]
fn expect_version_writes_at_the_current_version_and_conflicts_on_a_stale_one() {
    let t = Travaux::fixture();
    let version = t.json(&["show"])["version"].as_u64().expect("a version");
    let v = version.to_string();

    let out = t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "--expect-version",
        &v,
        "comment",
        "first, at the version read",
        "--clause",
        "1.1",
    ]);
    assert!(out.starts_with("commented C1 on 1.1"), "{out}");
    assert_eq!(t.json(&["show"])["version"], version + 1);

    // Norway read the same version and writes after Brazil.
    let stderr = t.refused(
        &[
            "--as",
            "norway",
            "--date",
            "2020-02-02",
            "--expect-version",
            &v,
            "comment",
            "second, on a stale read",
        ],
        3,
        &["conflict", &format!("not {version}")],
    );
    assert!(
        stderr.contains(&format!("version {}", version + 1)),
        "names the current version: {stderr}"
    );
    assert_eq!(comments(&t.events(&["--kind", "comment_posted"])).len(), 1);

    // Any document command takes it, not only comments.
    t.refused(
        &[
            "--as",
            "secretariat",
            "--date",
            "2020-02-02",
            "--expect-version",
            &v,
            "tag",
            "late",
        ],
        3,
        &["conflict"],
    );
}

#[test]
fn a_retried_comment_with_the_same_event_id_is_recorded_once() {
    let t = Travaux::fixture();
    let args = [
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "--event-id",
        ID,
        "comment",
        "recorded once",
        "--clause",
        "2.1",
    ];
    t.ok(&args);
    let head = t.head();
    let second = t.ok(&args);
    assert_eq!(
        second.trim(),
        format!(
            "already recorded as event {} (a retry with the same --event-id); nothing written",
            head.seq
        ),
        "the retry is answered from the log"
    );
    assert_eq!(t.head(), head, "the retry wrote nothing");

    let events = t.events(&["--kind", "comment_posted"]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], ID);
    assert_eq!(comments(&events)[0]["text"], "recorded once");
}

#[test]
fn an_event_id_reused_by_another_participant_is_refused() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "--event-id",
        ID,
        "comment",
        "brazil's",
    ]);
    t.refused(
        &[
            "--as",
            "secretariat",
            "--date",
            "2020-02-02",
            "--event-id",
            ID,
            "tag",
            "t1",
        ],
        1,
        &[ID, "already in the log"],
    );
    assert!(t.json(&["tag"]).get("t1").is_none());
}

/// Regression: the store took any command with a known event id, from the same participant on
/// the same document, for a retry of the first one; `tag` then said it tagged, and no tag was
/// set. Now the id is stored with a fingerprint of the request.
#[test]
fn an_event_id_reused_for_a_tag_by_the_same_participant_is_refused() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-01",
        "--event-id",
        ID,
        "comment",
        "the secretariat's note",
    ]);
    t.refused(
        &[
            "--as",
            "secretariat",
            "--date",
            "2020-02-02",
            "--event-id",
            ID,
            "tag",
            "t1",
        ],
        1,
        &[ID, "already in the log"],
    );
}

/// Regression: as above, but the command's output expected an amendment event and found the
/// comment: the binary panicked (exit 101).
#[test]
fn an_event_id_reused_for_an_amendment_is_refused_not_a_crash() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "--event-id",
        ID,
        "comment",
        "brazil's",
    ]);
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-02",
            "--event-id",
            ID,
            "amend",
            "propose",
            "--replace",
            "1.1",
            "--text",
            "A clearer first objective.",
        ],
        1,
        &[ID, "already in the log"],
    );
}

/// Regression: a different comment under a used id was acknowledged as if recorded
/// ("commented C1"), while the log kept the first text only.
#[test]
fn an_event_id_reused_for_a_different_comment_is_refused() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "--event-id",
        ID,
        "comment",
        "the first text",
    ]);
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-02",
            "--event-id",
            ID,
            "comment",
            "a different text",
            "--clause",
            "1.2",
        ],
        1,
        &[ID, "already in the log"],
    );
}

/// Review finding: the request fingerprint covers the content of the file a command reads, so
/// an import retried after the draft changed is a different request, not a retry.
#[test]
fn an_event_id_reused_for_an_import_of_a_changed_draft_is_refused() {
    let t = Travaux::fixture();
    let draft = crate::support::DRAFT1.replace("Code", "Code of Practice");
    t.write("d2.md", &draft);
    let args = ["--as", "secretariat", "--event-id", ID, "import", "d2.md"];
    t.ok(&args);
    let head = t.head();
    assert!(t.ok(&args).starts_with("already recorded as event"));
    t.write(
        "d2.md",
        draft.replace("Code of Practice", "Code of Conduct"),
    );
    t.refused(&args, 1, &[ID, "different event"]);
    assert_eq!(t.head(), head);
}

/// Review finding: commands that mint a new id (documents, participants) can be retried.
#[test]
fn document_and_participant_creation_can_be_retried() {
    let t = Travaux::fixture();
    let doc = [
        "--as",
        "secretariat",
        "--event-id",
        ID,
        "doc",
        "new",
        "other",
        "--title",
        "Other",
    ];
    t.ok(&doc);
    let head = t.head();
    assert!(t.ok(&doc).starts_with("already recorded as events"));
    let second = "6f1c8e1e-0b7a-4c39-9a52-3d1f00000002";
    let add = [
        "--event-id",
        second,
        "participant",
        "add",
        "kenya",
        "--kind",
        "member-state",
    ];
    t.ok(&add);
    assert!(t.ok(&add).starts_with("already recorded as event"));
    assert_eq!(t.head().seq, head.seq + 1);
}

/// Review finding: `run` passes its --as, --doc and --date down to its lines, and refuses the
/// options that name one write.
#[test]
fn run_passes_its_defaults_down_and_refuses_per_write_options() {
    let t = Travaux::fixture();
    t.write("s.travaux", "comment \"from a script\" --clause 1.1\n");
    t.refused(
        &["--event-id", ID, "--as", "brazil", "run", "s.travaux"],
        1,
        &["--event-id"],
    );
    t.ok(&["--as", "brazil", "run", "s.travaux"]);
    let events = t.events(&["--kind", "comment_posted", "--participant", "brazil"]);
    assert_eq!(comments(&events).last().unwrap()["text"], "from a script");
}
