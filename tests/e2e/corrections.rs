//! End-to-end tests of corrections that do not rewrite history: a participant retracts their
//! own comment (`comment retract`), the secretariat withdraws a tag set by mistake (`tag
//! withdraw`) and may set its name again; `tag history` tells both.

use crate::support::Travaux;

#[test]
fn a_comment_is_retracted_by_its_author_only_and_keeps_its_text_in_the_log() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "comment",
        "A remark posted by mistake.",
        "--clause",
        "1.1",
    ]);
    t.ok(&["--as", "norway", "comment", "add", "A remark that stays."]);
    // Someone else's comment: refused, nothing written.
    t.refused(
        &["--as", "norway", "comment", "retract", "C1"],
        1,
        &["norway may not retract C1", "only its author, brazil"],
    );
    t.refused(
        &["--as", "secretariat", "comment", "retract", "C1"],
        1,
        &["only its author"],
    );
    t.refused(
        &["--as", "brazil", "comment", "retract", "C9"],
        1,
        &["no comment C9"],
    );
    let out = t.json(&["--as", "brazil", "comment", "retract", "C1"]);
    assert_eq!(out["comment"], "C1", "{out}");
    let seq = out["seq"].as_u64().unwrap();
    // Twice: refused, nothing written.
    t.refused(
        &["--as", "brazil", "comment", "retract", "C1"],
        1,
        &["C1 was already retracted", &format!("event {seq}")],
    );
    // `comment list` shows it retracted, with its text; the other stands.
    let listed = t.ok(&["comment", "list"]);
    assert!(
        listed.contains(&format!("[retracted at event {seq}]")),
        "{listed}"
    );
    assert!(listed.contains("A remark posted by mistake."), "{listed}");
    let listed = t.json(&["comment", "list"]);
    let rows = listed["items"].as_array().unwrap();
    assert_eq!(rows[0]["retracted_seq"], seq);
    assert_eq!(rows[1]["retracted_seq"], serde_json::Value::Null);
    // The summary counts the one that stands, and the retracted one apart.
    assert_eq!(listed["summary"]["count"], 1);
    assert_eq!(listed["summary"]["retracted"], 1);
    // The log and the replay tell the retraction; the comment's text is still in the log.
    let log = t.ok(&["log"]);
    assert!(log.contains("retracted C1"), "{log}");
    assert!(log.contains("A remark posted by mistake."), "{log}");
    assert!(
        log.contains(&format!("[retracted at event {seq}]")),
        "the comment's own line does not say it was retracted:\n{log}"
    );
    let events = t.events(&["--kind", "comment_retracted"]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["handle"], "brazil");
    let replay = t.ok(&["replay"]);
    assert!(replay.contains("retracted C1"), "{replay}");
    assert!(
        replay.contains(&format!("[retracted at event {seq}]")),
        "the comment's own line does not say it was retracted:\n{replay}"
    );
    // `retract` as a comment's text is the command's word, refused.
    t.refused(
        &["--as", "brazil", "comment", "--", "retract"],
        1,
        &["subcommand", "nothing was written"],
    );
}

#[test]
fn a_tag_withdrawn_can_name_another_point_and_history_shows_both() {
    let t = Travaux::fixture();
    t.ok(&["--as", "brazil", "comment", "A remark."]);
    let first = t.json(&["--as", "secretariat", "tag", "add", "s1"]);
    let first_seq = first["names_seq"].as_u64().unwrap();
    // A name in use is refused until withdrawn.
    t.refused(
        &["--as", "secretariat", "tag", "add", "s1", "--at", "d1"],
        1,
        &["already names"],
    );
    // Only the secretariat or the chair withdraws; a name never set is refused.
    t.refused(
        &["--as", "brazil", "tag", "withdraw", "s1"],
        1,
        &["may not withdraw a tag"],
    );
    t.refused(
        &["--as", "secretariat", "tag", "withdraw", "s9"],
        1,
        &["no tag s9"],
    );
    let out = t.json(&["--as", "secretariat", "tag", "withdraw", "s1"]);
    assert_eq!(out["named_seq"], first_seq, "{out}");
    t.refused(
        &["--as", "secretariat", "tag", "withdraw", "s1"],
        1,
        &["no tag s1"],
    );
    // The name names nothing now.
    t.refused(&["show", "--at", "s1"], 1, &["s1"]);
    assert!(t.json(&["tag", "list"]).get("s1").is_none());
    // Set again, elsewhere: points resolve it to the new point.
    t.ok(&["--as", "secretariat", "tag", "add", "s1", "--at", "d1"]);
    let tags = t.json(&["tag", "list"]);
    assert_eq!(tags["s1"], tags["d1"], "{tags}");
    assert_eq!(
        t.ok(&["show", "--at", "s1", "--format", "markdown"]),
        t.ok(&["show", "--at", "d1", "--format", "markdown"])
    );
    // History: both, the first withdrawn.
    let history = t.json(&["tag", "history", "s1"]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["names_seq"], first_seq);
    assert!(history[0]["withdrawn_seq"].is_u64());
    assert_eq!(history[0]["withdrawn_by"], "secretariat");
    assert_eq!(history[1]["names_seq"], tags["d1"]);
    assert!(history[1]["withdrawn_seq"].is_null());
    // `tag --history`, as git-minded users write it, says the same.
    assert_eq!(
        t.json(&["tag", "--history", "s1"]).as_array().unwrap(),
        history
    );
    let human = t.ok(&["tag", "history"]);
    assert_eq!(t.ok(&["tag", "--history"]), human);
    assert!(
        human.contains("withdrawn at event") && human.contains("current"),
        "{human}"
    );
    t.refused(&["tag", "history", "never"], 1, &["no tag never"]);
    // The subcommands' words are not tag names.
    for word in ["withdraw", "history"] {
        t.refused(
            &["--as", "secretariat", "tag", "add", word],
            1,
            &["subcommand", "nothing was written"],
        );
    }
    let log = t.ok(&["log"]);
    assert!(log.contains("withdrew tag s1"), "{log}");
}

#[test]
fn the_adopted_texts_tag_cannot_be_withdrawn() {
    let t = Travaux::demo();
    t.refused(
        &["--as", "secretariat", "tag", "withdraw", "WHA63.16"],
        1,
        &["adopted", "cannot be withdrawn"],
    );
}

#[test]
fn through_the_server_only_the_token_of_the_author_retracts_and_tag_history_is_a_get() {
    use crate::serve::{agent, exec, get, head, token, Server};
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let norway = token(&t, "norway");
    let secretariat = token(&t, "secretariat");
    t.ok(&["--as", "brazil", "comment", "Said through the server."]);
    t.ok(&["--as", "secretariat", "tag", "add", "wrong"]);
    let s = Server::start(&t);
    let before = head(&s);
    exec(&s, Some(&norway), &["comment", "retract", "C1"])
        .refused(403, &["only its author, brazil"]);
    assert_eq!(head(&s), before, "a refused retraction wrote");
    exec(&s, Some(&brazil), &["comment", "retract", "C1"]).ok();
    exec(&s, Some(&secretariat), &["tag", "withdraw", "wrong"]).ok();
    let history = get(
        &agent(),
        &s.at("/v1/documents/code/tag/history"),
        Some(&brazil),
    )
    .ok()
    .json();
    let wrong = history
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tag"] == "wrong")
        .expect("the withdrawn tag is in the history");
    assert!(wrong["withdrawn_seq"].is_u64(), "{history}");
}
