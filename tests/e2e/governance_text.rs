//! Agreed text, brackets and alternatives, adoption, and the committee's dashboard: each rule
//! allowed and refused, and a refusal leaves the log unchanged.

use serde_json::Value;

use crate::support::{by_label, kind, text, Travaux};

/// A small draft. Its clauses and the words of their texts (headings aside):
/// PP1 5, Article 1 0, 1.1 6, 1.2 8, Article 2 0, 2.1 9; 28 in all.
const DRAFT: &str = "# Small Code

Recalling the need for cooperation;

## Article 1 — Objectives

1. Member States should cooperate on recruitment.
2. Recruiters should respect ethical principles in every country.

## Article 2 — Scope

1. The Code is voluntary and the Code is global.
";

/// The same draft with 1.1 reworded.
const DRAFT_11_REWORDED: &str = "# Small Code

Recalling the need for cooperation;

## Article 1 — Objectives

1. Member States shall cooperate closely on recruitment.
2. Recruiters should respect ethical principles in every country.

## Article 2 — Scope

1. The Code is voluntary and the Code is global.
";

/// A store with participants secretariat, chair, brazil, norway and india (delegates) and
/// jane (public), the document `code`, and the draft imported as revision D1.
fn negotiation() -> Travaux {
    let t = Travaux::new();
    t.create(&["init"]);
    for (handle, kind) in [
        ("secretariat", "secretariat"),
        ("chair", "member-state"),
        ("brazil", "member-state"),
        ("norway", "member-state"),
        ("india", "member-state"),
        ("jane", "public"),
    ] {
        t.ok(&["participant", "add", handle, "--kind", kind]);
    }
    t.ok(&[
        "--as",
        "secretariat",
        "doc",
        "new",
        "code",
        "--title",
        "Small Code",
    ]);
    for (who, role) in [
        ("chair", "chair"),
        ("brazil", "delegate"),
        ("norway", "delegate"),
        ("india", "delegate"),
        ("jane", "public"),
    ] {
        t.ok(&["--as", "secretariat", "role", "grant", who, role]);
    }
    t.write("draft.md", DRAFT);
    t.ok(&[
        "--as",
        "secretariat",
        "import",
        "draft.md",
        "--revision",
        "D1",
    ]);
    t
}

/// Run as a participant.
fn as_(t: &Travaux, who: &str, args: &[&str]) -> String {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    t.ok(&all)
}

/// Refused as a participant, with exit code 1, naming every one of `names`; nothing written.
fn refused_as(t: &Travaux, who: &str, args: &[&str], names: &[&str]) -> String {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    t.refused(&all, 1, names)
}

/// The text of a clause at the head.
fn clause_text(t: &Travaux, label: &str) -> String {
    text(&by_label(&t.clauses(&[]), label)["text"]).to_string()
}

/// The status name of an amendment, from `amend list --all --json`.
fn amendment_status(t: &Travaux, no: &str) -> String {
    t.json(&["amend", "list", "--all"])
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["amendment"] == no)
        .map(|a| text(&a["status"]).to_string())
        .unwrap_or_else(|| panic!("no amendment {no}"))
}

/// The sequence number in an acknowledgement ending "… event N" or "… (event N)".
fn event_of(line: &str, after: &str) -> u64 {
    let rest = &line[line.find(after).expect(after) + after.len()..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no event number after {after:?} in {line:?}"))
}

#[test]
fn an_agreed_clause_changes_only_once_the_chair_reopens_it() {
    let t = negotiation();

    // Only the chair records agreement.
    refused_as(&t, "brazil", &["agree", "1.1"], &["chair", "brazil"]);
    let out = as_(&t, "chair", &["agree", "1.1"]);
    assert!(out.starts_with("recorded 1.1 as agreed at event "), "{out}");
    refused_as(&t, "chair", &["agree", "1.1"], &["already agreed"]);
    refused_as(&t, "chair", &["reopen", "1.2"], &["1.2", "already open"]);
    refused_as(&t, "chair", &["agree", "9.9"], &["no clause '9.9'"]);

    // Visible in show, for people and for tools.
    let shown = t.ok(&["show"]);
    assert!(
        shown.contains("1.1 (agreed)  Member States should cooperate on recruitment."),
        "{shown}"
    );
    assert!(shown.contains("1.2  Recruiters should"), "{shown}");
    let clauses = t.clauses(&[]);
    assert_eq!(by_label(&clauses, "1.1")["agreement"], "agreed");
    assert_eq!(by_label(&clauses, "1.2")["agreement"], "open");

    // A revision that changes the agreed clause is refused, and says how to reopen it.
    t.write("d2.md", DRAFT_11_REWORDED);
    refused_as(
        &t,
        "secretariat",
        &["import", "d2.md", "--revision", "D2"],
        &["1.1 is agreed", "travaux reopen 1.1", "--reopen"],
    );

    // An amendment to it may be proposed, but accepting it needs --reopen.
    as_(
        &t,
        "brazil",
        &[
            "amend",
            "propose",
            "--replace",
            "1.1",
            "--text",
            "Member States shall cooperate on recruitment.",
        ],
    );
    refused_as(
        &t,
        "chair",
        &["decide", "A1", "--accept"],
        &["1.1 is agreed", "--reopen"],
    );
    let out = as_(&t, "chair", &["decide", "A1", "--accept", "--reopen"]);
    assert!(
        out.starts_with("decided A1: accepted by consensus"),
        "{out}"
    );
    assert!(out.contains("reopened 1.1 first (event "), "{out}");
    assert_eq!(
        clause_text(&t, "1.1"),
        "Member States shall cooperate on recruitment."
    );
    assert_eq!(by_label(&t.clauses(&[]), "1.1")["agreement"], "open");
    // The reopening and the decision are one append: the reopening first.
    let decided = event_of(&out, "; event ");
    let reopened = event_of(&out, "reopened 1.1 first (event ");
    assert_eq!(reopened + 1, decided, "{out}");
    let told = t.ok(&["log", "--clause", "1.1"]);
    assert!(told.contains("recorded 1.1 as agreed"), "{told}");
    assert!(told.contains("reopened 1.1"), "{told}");

    // --reopen on an open clause is refused: there is nothing to reopen.
    as_(
        &t,
        "norway",
        &[
            "amend",
            "propose",
            "--replace",
            "1.2",
            "--text",
            "Recruiters comply.",
        ],
    );
    refused_as(
        &t,
        "chair",
        &["decide", "A2", "--reject", "--reopen"],
        &["nothing to reopen", "1.2 is open"],
    );

    // Ad referendum locks too; once reopened, the revision goes through.
    let out = as_(&t, "chair", &["agree", "2.1", "--ad-referendum"]);
    assert!(
        out.starts_with("recorded 2.1 as agreed ad referendum"),
        "{out}"
    );
    assert!(t
        .ok(&["show"])
        .contains("2.1 (agreed ad referendum)  The Code is voluntary"));
    let json = t.json(&["--as", "chair", "agree", "1.1"]);
    assert_eq!(json["agreement"], "agreed");
    assert_eq!(json["label"], "1.1");
    let out = as_(&t, "chair", &["reopen", "1.1"]);
    assert!(out.starts_with("reopened 1.1 at event "), "{out}");
    t.write(
        "d3.md",
        DRAFT_11_REWORDED.replace("shall cooperate closely", "will cooperate"),
    );
    as_(&t, "secretariat", &["import", "d3.md", "--revision", "D3"]);
    assert_eq!(
        clause_text(&t, "1.1"),
        "Member States will cooperate on recruitment."
    );
}

#[test]
fn brackets_are_checked_against_the_words_of_the_clause() {
    let t = negotiation();
    // Only delegates bracket.
    refused_as(&t, "chair", &["bracket", "1.1", "cooperate"], &["delegate"]);
    refused_as(
        &t,
        "brazil",
        &["bracket", "1.1", "collaborate"],
        &["'collaborate' is not in the text of 1.1"],
    );
    refused_as(
        &t,
        "brazil",
        &["bracket", "2.1", "Code is"],
        &["occurs 2 times in 2.1"],
    );
    refused_as(
        &t,
        "brazil",
        &["bracket", "1.1", "  "],
        &["words to bracket are empty"],
    );
    let out = as_(&t, "brazil", &["bracket", "1.1", "cooperate"]);
    assert!(out.starts_with("bracketed B1 in 1.1 at event "), "{out}");
    refused_as(
        &t,
        "norway",
        &["bracket", "1.1", "should cooperate"],
        &["overlaps B1", "do not nest or overlap"],
    );
    // Words beside it are fine.
    let json = t.json(&["--as", "norway", "bracket", "1.1", "on recruitment"]);
    assert_eq!(json["bracket"], "B2");
    assert_eq!(json["label"], "1.1");

    // An agreed clause cannot be bracketed; a bracketed one cannot be agreed.
    refused_as(&t, "chair", &["agree", "1.1"], &["open brackets", "B1, B2"]);
    as_(&t, "chair", &["agree", "1.2"]);
    refused_as(
        &t,
        "brazil",
        &["bracket", "1.2", "ethical"],
        &["1.2 is agreed", "travaux reopen 1.2"],
    );

    let shown = t.ok(&["show"]);
    assert!(
        shown.contains("1.1  Member States should [cooperate] [on recruitment]."),
        "{shown}"
    );
    let listed = t.ok(&["brackets"]);
    assert!(
        listed.contains("B1  [cooperate]  raised by brazil"),
        "{listed}"
    );
    assert!(
        listed.contains("B2  [on recruitment]  raised by norway"),
        "{listed}"
    );
}

#[test]
fn accepting_an_alternative_resolves_the_bracket_and_rejects_its_rivals() {
    let t = negotiation();
    let before_md = t.ok(&["show", "--format", "markdown"]);
    as_(&t, "brazil", &["bracket", "1.1", "cooperate"]);
    refused_as(
        &t,
        "norway",
        &["amend", "alternative", "B9", "work together"],
        &["no bracket B9"],
    );
    refused_as(
        &t,
        "norway",
        &["amend", "alternative", "B1", "cooperate"],
        &["bracketed text of B1 itself"],
    );
    let out = as_(
        &t,
        "norway",
        &[
            "amend",
            "alternative",
            "B1",
            "work together",
            "--rationale",
            "Plainer.",
        ],
    );
    assert!(
        out.starts_with("proposed A1: alternative for B1 in 1.1, Alt 2 (event "),
        "{out}"
    );
    let out = as_(&t, "india", &["amend", "alternative", "B1", "collaborate"]);
    assert!(
        out.contains("A2: alternative for B1 in 1.1, Alt 3"),
        "{out}"
    );
    // Supporting an alternative is holding it.
    as_(&t, "brazil", &["amend", "support", "A1"]);
    as_(&t, "india", &["amend", "oppose", "A1"]);

    let shown = t.ok(&["show"]);
    assert!(
        shown.contains(
            "1.1  Member States should [Alt 1: cooperate] [Alt 2: work together] [Alt 3: collaborate] on recruitment."
        ),
        "{shown}"
    );
    let md = t.ok(&["show", "--format", "markdown"]);
    assert!(
        md.contains("[Alt 1: cooperate] [Alt 2: work together]"),
        "{md}"
    );
    let c = by_label(&t.clauses(&[]), "1.1").clone();
    assert_eq!(c["text"], "Member States should cooperate on recruitment.");
    let b = &c["brackets"][0];
    assert_eq!(b["bracket"], "B1");
    assert_eq!(b["span"], "cooperate");
    assert_eq!(b["raised_by"], "brazil");
    assert_eq!(b["alternatives"][0]["text"], "cooperate");
    assert_eq!(b["alternatives"][1]["amendment"], "A1");
    assert_eq!(
        b["alternatives"][1]["holders"],
        serde_json::json!(["norway", "brazil"])
    );
    assert_eq!(
        b["alternatives"][2]["holders"],
        serde_json::json!(["india"])
    );

    let listed = t.ok(&["brackets", "--clause", "1.1"]);
    assert!(
        listed.contains("Alt 1  \"cooperate\"  as drafted"),
        "{listed}"
    );
    assert!(
        listed.contains("Alt 2  \"work together\"  A1, held by norway, brazil; opposed by india"),
        "{listed}"
    );
    assert!(
        listed.contains("Alt 3  \"collaborate\"  A2, held by india"),
        "{listed}"
    );
    let json = t.json(&["brackets"]);
    assert_eq!(json[0]["label"], "1.1");
    assert_eq!(json[0]["brackets"][0]["alternatives"][2]["amendment"], "A2");
    // An alternative withdrawn while its bracket stays open is listed with it, closed.
    as_(&t, "india", &["amend", "alternative", "B1", "act jointly"]);
    as_(&t, "india", &["amend", "withdraw", "A3"]);
    let json = t.json(&["brackets"]);
    let closed = &json[0]["brackets"][0]["closed_alternatives"];
    assert_eq!(closed[0]["amendment"], "A3", "{json}");
    assert_eq!(closed[0]["status"], "withdrawn", "{json}");

    // A clause with open brackets is not agreed, nor the text adopted.
    refused_as(&t, "chair", &["agree", "1.1"], &["open brackets (B1)"]);

    let out = as_(
        &t,
        "chair",
        &["decide", "A1", "--accept", "--vote", "20-3-1"],
    );
    assert!(
        out.starts_with("decided A1: accepted by vote 20 in favour, 3 against, 1 abstaining"),
        "{out}"
    );
    assert!(out.contains("B1 resolved"), "{out}");
    assert!(
        out.contains("its rival alternatives rejected with it: A2 (event "),
        "{out}"
    );
    assert_eq!(amendment_status(&t, "A2"), "rejected");
    assert_eq!(
        clause_text(&t, "1.1"),
        "Member States should work together on recruitment."
    );
    assert!(t
        .ok(&["show"])
        .contains("1.1  Member States should work together on recruitment."));
    // No brackets left: Markdown is plain again, as import reads it.
    let md = t.ok(&["show", "--format", "markdown"]);
    assert_eq!(
        md,
        before_md.replace("should cooperate on", "should work together on")
    );
    assert!(t.ok(&["brackets"]).starts_with("no open brackets"));
    let all = t.ok(&["brackets", "--all"]);
    assert!(all.contains("resolved by A1 at event "), "{all}");
    assert!(
        all.contains("A2  \"collaborate\"  rejected, held by india"),
        "{all}"
    );
    let json = t.json(&["brackets", "--all"]);
    assert_eq!(json[0]["brackets"][0]["status"], "resolved");

    // The words are the proposer's, by blame.
    let blame = t.json(&["blame", "1.1"]);
    let run = blame["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| text(&r["text"]).contains("work together"))
        .expect("a run with the alternative's words")
        .clone();
    assert_eq!(run["origin"]["author"], "norway");
    assert_eq!(run["origin"]["source"]["amendment"], "A1");

    // The log tells it.
    let log = t.ok(&["log", "--clause", "1.1"]);
    assert!(log.contains("bracketed B1 in 1.1: [cooperate]"), "{log}");
    assert!(
        log.contains("proposed A1: alternative for B1 in 1.1: \"work together\""),
        "{log}"
    );
    assert!(
        log.contains(
            "decided A1: accepted by vote 20 in favour, 3 against, 1 abstaining, resolving B1"
        ),
        "{log}"
    );
    assert!(log.contains("decided A2: rejected by vote"), "{log}");

    // A resolved bracket takes no more alternatives and cannot be lifted.
    refused_as(
        &t,
        "india",
        &["amend", "alternative", "B1", "team up"],
        &["B1 is already resolved"],
    );
    refused_as(&t, "chair", &["lift", "B1"], &["already resolved"]);
}

#[test]
fn lifting_a_bracket_keeps_the_words_as_drafted() {
    let t = negotiation();
    as_(&t, "brazil", &["bracket", "1.2", "ethical principles"]);
    as_(
        &t,
        "norway",
        &["amend", "alternative", "B1", "fair practices"],
    );
    refused_as(&t, "brazil", &["lift", "B1"], &["chair"]);
    refused_as(&t, "chair", &["lift", "B7"], &["no bracket B7"]);
    let out = as_(&t, "chair", &["lift", "B1", "--vote", "10-2-1"]);
    assert!(
        out.starts_with(
            "lifted B1 in 1.2 by vote 10 in favour, 2 against, 1 abstaining, keeping \"ethical principles\" as drafted (event "
        ),
        "{out}"
    );
    assert!(
        out.contains("its alternatives rejected with it: A1 (event "),
        "{out}"
    );
    assert_eq!(
        clause_text(&t, "1.2"),
        "Recruiters should respect ethical principles in every country."
    );
    assert_eq!(amendment_status(&t, "A1"), "rejected");
    assert!(t
        .ok(&["show"])
        .contains("1.2  Recruiters should respect ethical principles in every country."));
    refused_as(&t, "chair", &["lift", "B1"], &["already lifted"]);
    let all = t.ok(&["brackets", "--all"]);
    assert!(all.contains("lifted at event "), "{all}");
    let log = t.ok(&["log", "--kind", "bracket_lifted"]);
    assert!(
        log.contains("lifted B1 in 1.2, keeping the words as drafted, by vote 10 in favour"),
        "{log}"
    );
    // Once lifted, the clause can be agreed.
    as_(&t, "chair", &["agree", "1.2"]);
}

#[test]
fn adoption_needs_a_settled_text_and_freezes_it() {
    let t = negotiation();
    as_(&t, "brazil", &["bracket", "1.1", "cooperate"]);
    as_(
        &t,
        "norway",
        &[
            "amend",
            "propose",
            "--replace",
            "2.1",
            "--text",
            "The Code is global.",
        ],
    );
    refused_as(&t, "secretariat", &["adopt", "WHA63.16"], &["chair"]);
    refused_as(
        &t,
        "chair",
        &["adopt", "WHA63.16"],
        &["open brackets (B1)", "resolve or lift"],
    );
    as_(&t, "chair", &["lift", "B1"]);
    refused_as(
        &t,
        "chair",
        &["adopt", "WHA63.16"],
        &["amendments still await a decision (A1)"],
    );
    as_(&t, "norway", &["amend", "withdraw", "A1"]);
    let head = t.head().seq;
    let out = as_(&t, "chair", &["adopt", "WHA63.16", "--vote", "100-0-2"]);
    assert_eq!(
        out,
        format!(
            "adopted code as WHA63.16 (tag WHA63.16 at event {head}) by vote 100 in favour, 0 against, 2 abstaining, at event {}\n",
            head + 2
        )
    );
    let tags = t.json(&["tag"]);
    assert_eq!(tags["WHA63.16"], head);

    // The text no longer changes.
    let frozen = ["code was adopted as WHA63.16", "no longer changes"];
    t.write("d2.md", DRAFT_11_REWORDED);
    refused_as(&t, "secretariat", &["import", "d2.md"], &frozen);
    refused_as(
        &t,
        "brazil",
        &[
            "amend",
            "propose",
            "--replace",
            "1.1",
            "--text",
            "Anything.",
        ],
        &frozen,
    );
    refused_as(&t, "chair", &["decide", "A1", "--accept"], &frozen);
    refused_as(&t, "brazil", &["bracket", "1.1", "cooperate"], &frozen);
    refused_as(&t, "chair", &["reopen", "1.1"], &frozen);
    refused_as(&t, "chair", &["agree", "1.1"], &frozen);
    refused_as(&t, "chair", &["adopt", "WHA63.17"], &frozen);

    // Every clause is agreed; show says the text is adopted.
    let shown = t.ok(&["show"]);
    assert!(shown.contains("· adopted as WHA63.16 (event "), "{shown}");
    assert!(!shown.contains("(agreed)"), "{shown}");
    let status = t.json(&["status"]);
    assert_eq!(status["adopted"]["symbol"], "WHA63.16");
    assert_eq!(status["progress"]["share_by_number"], 1.0);
    assert_eq!(status["progress"]["share_by_words"], 1.0);
    let log = t.ok(&["log", "--kind", "document_adopted"]);
    assert!(
        log.contains("adopted the text as WHA63.16 by vote 100 in favour"),
        "{log}"
    );

    // Comments are still taken in a review phase.
    refused_as(
        &t,
        "jane",
        &["comment", "Well done.", "--clause", "1.1"],
        &["phase open"],
    );
    as_(
        &t,
        "secretariat",
        &["phase", "open", "review", "First review"],
    );
    let out = as_(&t, "jane", &["comment", "Well done.", "--clause", "1.1"]);
    assert!(out.starts_with("commented C1 on 1.1"), "{out}");
    assert!(t
        .ok(&["status"])
        .contains("open phase: P1 review 'First review'"));

    // The text at the tag is the adopted text.
    assert_eq!(
        t.ok(&["show", "--at", "WHA63.16", "--format", "markdown"]),
        t.ok(&["show", "--format", "markdown"])
    );
}

#[test]
fn a_tag_set_before_at_the_head_is_the_adoption_tag() {
    let t = negotiation();
    as_(&t, "secretariat", &["tag", "WHA63.16"]);
    // The tag names the event before it, the last of the text as it stands.
    let tag_event = t.head().seq;
    let json = t.json(&["--as", "chair", "adopt", "WHA63.16"]);
    assert_eq!(json["tag"]["seq"], tag_event - 1);
    assert_eq!(json["tag"]["new"], false);
    assert_eq!(json["seq"], tag_event + 1);
}

#[test]
fn status_shows_where_each_clause_stands_and_the_share_agreed() {
    let t = negotiation();
    as_(&t, "chair", &["agree", "1.1"]); // 6 words
    as_(&t, "chair", &["agree", "2.1", "--ad-referendum"]); // 9 words
    as_(&t, "brazil", &["bracket", "PP1", "cooperation"]);
    as_(
        &t,
        "norway",
        &[
            "amend",
            "propose",
            "--replace",
            "1.2",
            "--text",
            "Recruiters comply.",
        ],
    );
    as_(
        &t,
        "india",
        &[
            "amend", "propose", "--insert", "--label", "1.3", "--text", "New.", "--after", "1.2",
        ],
    );

    let s = t.json(&["status"]);
    let p = &s["progress"];
    assert_eq!(p["clauses"], 6);
    assert_eq!(p["agreed"], 1);
    assert_eq!(p["agreed_ad_referendum"], 1);
    assert_eq!(p["open"], 4);
    assert_eq!(p["words"], 28);
    assert_eq!(p["words_agreed"], 15);
    assert!((p["share_by_number"].as_f64().unwrap() - 2.0 / 6.0).abs() < 1e-9);
    assert!((p["share_by_words"].as_f64().unwrap() - 15.0 / 28.0).abs() < 1e-9);
    assert_eq!(s["pending_amendments"], serde_json::json!(["A1", "A2"]));
    assert_eq!(s["pending_insertions"], serde_json::json!(["A2"]));
    assert_eq!(s["open_brackets"], 1);
    assert_eq!(s["adopted"], Value::Null);
    let labels: Vec<&str> = s["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| text(&c["label"]))
        .collect();
    assert_eq!(
        labels,
        ["PP1", "Article 1", "1.1", "1.2", "Article 2", "2.1"]
    );
    let row = |label: &str| {
        s["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == label)
            .unwrap()
            .clone()
    };
    assert_eq!(row("1.1")["agreement"], "agreed");
    assert_eq!(row("2.1")["agreement"], "agreed-ad-referendum");
    assert_eq!(row("1.2")["pending"], serde_json::json!(["A1"]));
    assert_eq!(row("PP1")["brackets"], serde_json::json!(["B1"]));
    assert_eq!(row("1.2")["words"], 8);

    let table = t.ok(&["status"]);
    assert!(
        table.contains(
            "agreed: 2 of 6 clauses (33.3%), 15 of 28 words (53.6%); 1 of them ad referendum"
        ),
        "{table}"
    );
    assert!(
        table.contains("pending amendments: 2 · open brackets: 1"),
        "{table}"
    );
    assert!(table.contains("A2 (insert 1.3 after 1.2)"), "{table}");
    let line = |start: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no row {start}:\n{table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("clause"), "clause status pending brackets comments");
    assert_eq!(line("PP1"), "PP1 open - B1 -");
    assert_eq!(line("1.1"), "1.1 agreed - - -");
    assert_eq!(line("1.2"), "1.2 open A1 - -");
    assert_eq!(line("2.1"), "2.1 agreed ad referendum - - -");
    assert!(table.contains("open phases: none"), "{table}");
    assert!(table.contains("not adopted"), "{table}");
}

#[test]
fn acknowledgements_for_tools_name_what_was_written() {
    let t = negotiation();
    let b = t.json(&["--as", "brazil", "bracket", "1.1", "cooperate"]);
    assert_eq!(b["bracket"], "B1");
    assert_eq!(b["span"], "cooperate");
    let a = t.json(&[
        "--as",
        "norway",
        "amend",
        "alternative",
        "B1",
        "work together",
    ]);
    assert_eq!(a["amendment"], "A1");
    assert_eq!(a["change"]["kind"], "alternative");
    assert_eq!(a["change"]["bracket"], 1);
    as_(&t, "india", &["amend", "alternative", "B1", "collaborate"]);
    let d = t.json(&["--as", "chair", "decide", "A2", "--accept"]);
    assert_eq!(d["resolved"], "B1");
    assert_eq!(d["rejected"][0]["amendment"], "A1");
    assert_eq!(d["reopened"], Value::Null);
    let events = t.events(&["--kind", "decision_recorded"]);
    assert_eq!(events.len(), 2);
    assert_eq!(kind(&events[1]).1["amendment"], 1);
}

#[test]
fn the_log_keeps_the_events_of_one_phase_and_status_counts_comments_since_the_revision() {
    let t = negotiation();
    as_(
        &t,
        "chair",
        &["phase", "open", "committee-session", "Drafting group"],
    );
    as_(&t, "brazil", &["bracket", "1.1", "cooperate"]);
    as_(
        &t,
        "brazil",
        &[
            "comment",
            "We cannot accept this.",
            "--clause",
            "1.1",
            "--position",
            "oppose",
        ],
    );
    as_(&t, "chair", &["phase", "close", "P1"]);
    as_(
        &t,
        "secretariat",
        &["phase", "open", "public-hearing", "Web hearing"],
    );
    as_(&t, "jane", &["comment", "Good draft."]);
    as_(&t, "jane", &["comment", "Fine.", "--clause", "1.1"]);

    let kinds = |events: &[Value]| -> Vec<String> {
        events.iter().map(|e| kind(e).0.to_string()).collect()
    };
    let p1 = t.events(&["--phase", "P1"]);
    assert_eq!(
        kinds(&p1),
        [
            "phase_opened",
            "text_bracketed",
            "comment_posted",
            "phase_closed"
        ]
    );
    assert!(p1.iter().all(|e| e["phase"] == "P1"), "{p1:?}");
    let p2 = t.events(&["--phase", "p2"]);
    assert_eq!(
        kinds(&p2),
        ["phase_opened", "comment_posted", "comment_posted"]
    );
    let all = t.events(&[]);
    let revision = all.iter().find(|e| kind(e).0 == "revision_issued").unwrap();
    assert_eq!(revision["phase"], Value::Null);
    // Filters combine.
    let brazil_p1 = t.events(&["--phase", "P1", "--participant", "brazil"]);
    assert_eq!(kinds(&brazil_p1), ["text_bracketed", "comment_posted"]);
    let told = t.ok(&["log", "--phase", "P1"]);
    assert!(told.contains("bracketed B1 in 1.1: [cooperate]"), "{told}");
    assert_eq!(told.lines().count(), 4, "{told}");
    refused_as(&t, "jane", &["log", "--phase", "P9"], &["no phase P9"]);
    t.fails(&["log", "--phase", "P1", "--all"], 2);

    // replay --json carries the phase too.
    let lines: Vec<Value> = t
        .ok(&["--json", "replay"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phases: Vec<Value> = lines.iter().map(|l| l["phase"].clone()).collect();
    assert_eq!(phases.first(), Some(&Value::Null));
    assert_eq!(phases.last(), Some(&Value::from("P2")));
    let bracketed = lines
        .iter()
        .find(|l| l["type"] == "text_bracketed")
        .unwrap();
    assert_eq!(bracketed["phase"], "P1");

    // Comments since the last revision, per clause and on the document.
    let s = t.json(&["status"]);
    let row = |s: &Value, label: &str| {
        s["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == label)
            .unwrap()
            .clone()
    };
    assert_eq!(row(&s, "1.1")["comments"], 2);
    assert_eq!(row(&s, "1.2")["comments"], 0);
    assert_eq!(s["document_comments"], 1);
    assert_eq!(s["open_phases"][0]["phase"], "P2");
    let table = t.ok(&["status"]);
    assert!(
        table.contains("comments on the document since the last revision: 1"),
        "{table}"
    );
    assert!(
        table.contains("open phase: P2 public hearing 'Web hearing'"),
        "{table}"
    );
    let line = table
        .lines()
        .find(|l| l.trim_start().starts_with("1.1"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(line, "1.1 open - B1 2");

    // A new revision starts the count again.
    t.write(
        "d2.md",
        DRAFT.replace("ethical principles in every", "ethical principles in each"),
    );
    as_(&t, "secretariat", &["import", "d2.md", "--revision", "D2"]);
    let s = t.json(&["status"]);
    assert_eq!(row(&s, "1.1")["comments"], 0);
    assert_eq!(s["document_comments"], 0);
}
