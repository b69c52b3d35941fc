//! Snapshots of output for people, from stores written with `--date` everywhere, so that
//! nothing in them changes from run to run (no ids, no wall-clock times).

use crate::support::Travaux;

#[test]
fn the_demo_told_for_people() {
    let t = Travaux::demo();
    insta::assert_snapshot!(
        "demo_show_first_draft_article_1",
        t.ok(&["show", "--at", "first-draft", "--clause", "Article 1"])
    );
    insta::assert_snapshot!("demo_log_clause_5_2", t.ok(&["log", "--clause", "5.2"]));
    insta::assert_snapshot!("demo_amend_list_all", t.ok(&["amend", "list", "--all"]));
}

#[test]
fn the_fixture_told_for_people() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01T10:15:00+01:00",
        "amend",
        "propose",
        "--replace",
        "2.2",
        "--text",
        "The Code is voluntary.",
    ]);
    t.ok(&[
        "--as",
        "jane",
        "--date",
        "2020-02-01T11:00:00+01:00",
        "comment",
        "Shorter is better.",
        "--clause",
        "2.2",
        "--position",
        "support",
    ]);
    insta::assert_snapshot!("fixture_show", t.ok(&["show"]));
    insta::assert_snapshot!("fixture_log", t.ok(&["log"]));
}
