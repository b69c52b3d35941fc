//! `renumber`: a moved paragraph takes its place's number, cross-references are listed and
//! rewritten, a delegate is refused, and nothing is written when the labels are in sequence.

use serde_json::Value;

use crate::support::{by_label, kind, text, Travaux};

/// Three articles; 1.2 will move under Article 2. 1.2 cites 2.2, 3.1 cites 2.2 and Article 3.
const DRAFT: &str = "# Small Code

## Article 1 — Objectives

1. Member States should cooperate, as Article 3 provides.
2. Recruiters should respect ethical principles; see 2.2.

## Article 2 — Scope

1. The Code is voluntary.
2. The Code is global.

## Article 3 — Cooperation

1. Member States should exchange data, as paragraph 2.2 sets out.
";

/// The negotiation: secretariat, chair and brazil (delegate), the draft imported, and 1.2
/// moved to the head of Article 2 by an accepted amendment (it keeps its label, 1.2).
fn moved() -> Travaux {
    let t = Travaux::new();
    t.create(&["init"]);
    for (handle, kind) in [
        ("secretariat", "secretariat"),
        ("chair", "member-state"),
        ("brazil", "member-state"),
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
    t.ok(&["--as", "secretariat", "role", "grant", "chair", "chair"]);
    t.ok(&["--as", "secretariat", "role", "grant", "brazil", "delegate"]);
    t.write("draft.md", DRAFT);
    t.ok(&[
        "--as",
        "secretariat",
        "import",
        "draft.md",
        "--revision",
        "D1",
    ]);
    t.ok(&[
        "--as",
        "brazil",
        "amend",
        "propose",
        "--move",
        "1.2",
        "--parent",
        "Article 2",
    ]);
    t.ok(&["--as", "chair", "decide", "A1", "--accept"]);
    t
}

/// The labels under a clause, in order, from `show --json`.
fn labels_under(t: &Travaux, parent: &str) -> Vec<String> {
    let clauses = t.clauses(&[]);
    let parent_id = by_label(&clauses, parent)["id"].clone();
    clauses
        .iter()
        .filter(|c| c["parent"] == parent_id)
        .map(|c| text(&c["label"]).to_string())
        .collect()
}

fn clause_text(t: &Travaux, label: &str) -> String {
    text(&by_label(&t.clauses(&[]), label)["text"]).to_string()
}

#[test]
fn a_moved_paragraph_is_renumbered_and_the_references_to_it_rewritten() {
    let t = moved();
    assert_eq!(labels_under(&t, "Article 2"), ["1.2", "2.1", "2.2"]);

    // A dry run lists the changes and the references, and writes nothing.
    let before = t.head();
    let dry = t.ok(&["--as", "secretariat", "renumber", "--dry-run"]);
    for line in [
        "1.2 → 2.1",
        "2.1 → 2.2",
        "2.2 → 2.3",
        "2.1: \"see 2.2\" cites 2.2, now 2.3",
        "3.1: \"paragraph 2.2\" cites 2.2, now 2.3",
        "(--references rewrites them)",
        "dry run; nothing written",
    ] {
        assert!(dry.contains(line), "no {line:?} in:\n{dry}");
    }
    // Article 3 keeps its number: the reference to it is not listed.
    assert!(!dry.contains("Article 3\""), "{dry}");
    assert_eq!(t.head(), before);

    // A delegate may not renumber: refused, nothing written.
    let logged = t.events(&[]).len();
    t.refused(
        &["--as", "brazil", "renumber", "--references"],
        1,
        &["brazil", "renumber", "secretariat"],
    );
    assert_eq!(t.events(&[]).len(), logged);
    // So is its dry run: it says what the command would say.
    t.refused(
        &["--as", "brazil", "renumber", "--dry-run"],
        1,
        &["brazil", "secretariat"],
    );

    let out = t.ok(&["--as", "secretariat", "renumber", "--references"]);
    assert!(
        out.contains("recorded revision 2 (renumbered)") && out.contains("2 references rewritten"),
        "{out}"
    );
    assert_eq!(labels_under(&t, "Article 2"), ["2.1", "2.2", "2.3"]);
    assert_eq!(labels_under(&t, "Article 1"), ["1.1"]);
    // The moved clause's words, and the references rewritten to the clause they cited.
    assert_eq!(
        clause_text(&t, "2.1"),
        "Recruiters should respect ethical principles; see 2.3."
    );
    assert_eq!(
        clause_text(&t, "3.1"),
        "Member States should exchange data, as paragraph 2.3 sets out."
    );
    assert_eq!(
        clause_text(&t, "1.1"),
        "Member States should cooperate, as Article 3 provides."
    );

    // One revision, labelled, of relabels and rewordings: every history view reads it.
    let events = t.events(&[]);
    let revision: Vec<&Value> = events
        .iter()
        .filter_map(|e| match kind(e) {
            ("revision_issued", p) if p["label"] == "renumbered" => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(revision.len(), 1);
    let ops = revision[0]["ops"].as_array().expect("ops");
    let count = |op: &str| ops.iter().filter(|o| o["op"] == op).count();
    assert_eq!((count("relabel"), count("reword")), (3, 2), "{ops:?}");
    let diff = t.ok(&["diff", "head~1", "head"]);
    assert!(diff.contains("2.3"), "{diff}");
    let log = t.ok(&["log", "--clause", "2.3"]);
    assert!(log.contains("renumbered"), "{log}");

    // Once in sequence: nothing to do, nothing written, and it says so.
    let before = t.head();
    let again = t.ok(&["--as", "secretariat", "renumber", "--references"]);
    assert!(again.contains("already in sequence"), "{again}");
    assert_eq!(t.head(), before);
}

#[test]
fn renumber_json_gives_each_change_and_reference() {
    let t = moved();
    let plan = t.json(&["--as", "secretariat", "renumber", "--dry-run"]);
    assert_eq!(plan["recorded_seqs"], Value::Null);
    assert_eq!(plan["in_sequence"], false);
    let changes: Vec<(&str, &str)> = plan["relabels"]
        .as_array()
        .expect("relabels")
        .iter()
        .map(|r| (text(&r["old"]), text(&r["new"])))
        .collect();
    assert_eq!(changes, [("1.2", "2.1"), ("2.1", "2.2"), ("2.2", "2.3")]);
    let refs = plan["references"].as_array().expect("references");
    assert_eq!(refs.len(), 2);
    assert!(refs
        .iter()
        .all(|r| r["old"] == "2.2" && r["new"] == "2.3" && r["rewritten"] == false));

    let done = t.json(&[
        "--as",
        "secretariat",
        "renumber",
        "--references",
        "--revision",
        "A/63/8",
    ]);
    assert_eq!(done["label"], "A/63/8");
    assert_eq!(done["recorded_seqs"].as_array().map(Vec::len), Some(1));
    assert!(done["references"]
        .as_array()
        .expect("references")
        .iter()
        .all(|r| r["rewritten"] == true));
}

#[test]
fn renumber_under_an_unknown_clause_is_refused() {
    let t = moved();
    t.refused(
        &["--as", "secretariat", "renumber", "--under", "Article 9"],
        1,
        &["Article 9"],
    );
}

#[test]
fn an_agreed_clause_is_renumbered_but_an_adopted_text_is_not() {
    let t = moved();
    t.ok(&["--as", "chair", "agree", "2.1"]);
    t.ok(&["--as", "secretariat", "renumber"]);
    let clauses = t.clauses(&[]);
    let agreed = by_label(&clauses, "2.2");
    assert_eq!(text(&agreed["text"]), "The Code is voluntary.");
    assert_eq!(agreed["agreement"], "agreed", "{agreed}");

    // After adoption the text is frozen: refused, nothing written.
    t.ok(&[
        "--as",
        "brazil",
        "amend",
        "propose",
        "--move",
        "2.1",
        "--parent",
        "Article 1",
    ]);
    t.ok(&["--as", "chair", "decide", "A2", "--accept"]);
    t.ok(&["--as", "chair", "adopt", "WHA63.16"]);
    t.refused(
        &["--as", "secretariat", "renumber", "--dry-run"],
        1,
        &["adopted", "WHA63.16"],
    );
}
