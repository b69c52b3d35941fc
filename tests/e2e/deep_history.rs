//! History questions on a deep tree: clauses named by path (`2.1 (a)`) in what is printed and
//! read, a container (`Article 2`) covering everything under it in `log`, `blame`, `diff` and
//! `show`, revision labels as points, `log -S` in headings and labels, a revision stored in
//! several parts told once, and `log --clause` naming the clause's own change.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{kind, text, Travaux};

const DEEP1: &str = "# Deep Code

## Article 1 — Objectives

1. The objectives of this Code are set out below.
2. The Code promotes ethical recruitment.

## Article 2 — Scope

1. The Code applies to the following.
2. The Code is global in scope.
";

/// A/63/8: 1.2 reworded, Article 2's heading changed, 2.2 removed.
const DEEP2: &str = "# Deep Code

## Article 1 — Objectives

1. The objectives of this Code are set out below.
2. The Code promotes ethical and transparent recruitment.

## Article 2 — Scope and purpose

1. The Code applies to the following.
";

const DEEP_SCRIPT: &str = "--date 2020-01-01 participant add secretariat --name S --kind secretariat
--date 2020-01-01 participant add chair --name C --kind member-state
--date 2020-01-01 participant add brazil --name B --kind member-state
--as secretariat --date 2020-01-02 doc new code --title \"Deep Code\"
--as secretariat --date 2020-01-02 role grant chair chair
--as secretariat --date 2020-01-02 role grant brazil delegate
--as secretariat --date 2020-01-03 import deep1.md --revision A/63/7
--as secretariat --date 2020-01-04 import deep2.md --revision A/63/8
--as brazil --date 2020-01-05 amend propose --insert --parent 1.1 --label (a) --text \"the first point of 1.1\"
--as chair --date 2020-01-05 decide A1 --accept
--as brazil --date 2020-01-06 amend propose --insert --parent 2.1 --label (a) --text \"the first point of 2.1\"
--as chair --date 2020-01-06 decide A2 --accept
--as brazil --date 2020-01-07 amend propose --insert --after \"1.1 (a)\" --label (b) --text \"the second point of 1.1\"
--as chair --date 2020-01-07 decide A3 --accept
--as brazil --date 2020-01-08 amend propose --replace \"2.1(a)\" --text \"the first point of 2.1, reworded\"
--as chair --date 2020-01-08 decide A4 --accept
--as secretariat --date 2020-01-09 phase open public-hearing \"Hearing\"
--as brazil --date 2020-01-09 comment --clause \"Article 2 > 2.1 > (a)\" --position support \"A good point.\"
";

/// Two revisions, then points `(a)` under 1.1 and under 2.1 and `(b)` under 1.1, each by an
/// accepted amendment, and a comment on 2.1 (a).
fn deep() -> Travaux {
    let t = Travaux::new();
    t.write("deep1.md", DEEP1);
    t.write("deep2.md", DEEP2);
    t.write("deep.travaux", DEEP_SCRIPT);
    t.create(&["init"]);
    t.ok(&["run", "deep.travaux"]);
    t
}

fn seqs(events: &[Value]) -> BTreeSet<u64> {
    events.iter().map(|e| e["seq"].as_u64().unwrap()).collect()
}

/// The sequence number of the n-th event of a kind.
fn seq_of(t: &Travaux, kind: &str, nth: usize) -> u64 {
    t.events(&["--kind", kind])[nth]["seq"].as_u64().unwrap()
}

/// The ids of the clauses of `show --json` for these arguments.
fn ids(clauses: &[Value]) -> Vec<String> {
    clauses
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn clauses_under_two_parents_are_named_and_read_by_their_path() {
    let t = deep();
    // Printed by path where the label recurs, by label where it does not.
    let told = t.ok(&["log", "--clause", "2.1 (a)"]);
    assert!(told.contains("proposed A4: replace 2.1 (a):"), "{told}");
    assert!(told.contains("commented C1 on 2.1 (a) (support)"), "{told}");
    let told = t.ok(&["log", "--clause", "1.1(b)"]);
    assert!(
        told.contains("proposed A3: insert (b) after 1.1 (a)"),
        "{told}"
    );
    // Every way of naming it reads back as the same clause.
    let one = t.clauses(&["--clause", "2.1 (a)"]);
    for name in ["2.1(a)", "Article 2 > 2.1 > (a)", "Article 2 2.1 (a)"] {
        assert_eq!(t.clauses(&["--clause", name]), one, "{name}");
    }
    assert_eq!(text(&one[0]["text"]), "the first point of 2.1, reworded");
    assert_eq!(one[0]["address"], "2.1 (a)");
    // Shown alone, it is named in full; so is it in status --json.
    assert_eq!(
        t.ok(&["show", "--clause", "2.1(a)"]),
        "2.1 (a)  the first point of 2.1, reworded\n"
    );
    let status = t.json(&["status"]);
    let addresses: Vec<&str> = status["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        [
            "Article 1",
            "1.1",
            "1.1 (a)",
            "(b)",
            "1.2",
            "Article 2",
            "2.1",
            "2.1 (a)"
        ]
    );
    // A name two clauses answer to is refused, with both their names to paste back.
    for args in [
        &["log", "--clause", "(a)"][..],
        &["blame", "(a)"],
        &["show", "--clause", "(a)"],
        &["diff", "A/63/7", "--clause", "(a)"],
    ] {
        t.refused(
            args,
            1,
            &["'(a)' matches several clauses", "1.1 (a)", "2.1 (a)"],
        );
    }
    // With --at, names are read in the text as it stood: before A2, (a) was 1.1's alone.
    let before_a2 = seq_of(&t, "amendment_proposed", 1) - 1;
    let then = t.clauses(&["--at", &before_a2.to_string(), "--clause", "(a)"]);
    assert_eq!(ids(&then), ids(&t.clauses(&["--clause", "1.1 (a)"])));
}

#[test]
fn a_container_covers_everything_under_it() {
    let t = deep();
    // log: the events on Article 2 or any clause under it (2.2 removed by A/63/8 included),
    // which is more than the events on its heading alone.
    let article = seqs(&t.events(&["--clause", "Article 2"]));
    let mut union = BTreeSet::new();
    for c in ["Article 2", "2.1", "2.1 (a)"] {
        union.extend(seqs(&t.events(&["--clause", c])));
    }
    let removed_22 = seq_of(&t, "revision_issued", 1);
    union.insert(removed_22);
    assert_eq!(article, union);
    assert!(
        article.contains(&seq_of(&t, "decision_recorded", 1)),
        "A2's decision"
    );
    assert!(
        !article.contains(&seq_of(&t, "decision_recorded", 0)),
        "A1 is under 1.1"
    );
    let told = t.ok(&["log", "--clause", "Article 2"]);
    assert!(
        told.contains("issued revision 2 (A/63/8): reworded Article 2; removed 2.2"),
        "{told}"
    );
    assert!(
        told.contains("decided A2: accepted by consensus; added 2.1 (a)"),
        "{told}"
    );

    // show: the clause and its subtree, in reading order.
    let shown = t.clauses(&["--clause", "Article 2"]);
    let labels: Vec<&str> = shown.iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Article 2", "2.1", "(a)"]);

    // blame: each clause under it, as blamed one by one.
    let whole = t.json(&["blame", "Article 2"]);
    assert_eq!(whole["clause"]["address"], "Article 2");
    let under: Vec<&Value> = whole["subtree"].as_array().unwrap().iter().collect();
    let addresses: Vec<&str> = under
        .iter()
        .map(|c| c["clause"]["address"].as_str().unwrap())
        .collect();
    assert_eq!(addresses, ["2.1", "2.1 (a)"]);
    for c in &under {
        let alone = t.json(&["blame", c["clause"]["address"].as_str().unwrap()]);
        assert_eq!(alone["runs"], c["runs"]);
        assert_eq!(alone["heading_runs"], c["heading_runs"]);
    }
    let told = t.ok(&["blame", "Article 2"]);
    assert!(told.starts_with("Article 2 at head (event "), "{told}");
    assert!(told.contains("3 clauses"), "{told}");
    assert!(told.contains("\n    2.1 (a)\n"), "{told}");
    assert!(told.contains("A4 "), "{told}");

    // diff: the changes to the clauses under it then or now, and only those.
    let mut under: BTreeSet<String> = ids(&shown).into_iter().collect();
    under.extend(ids(&t.clauses(&[
        "--at",
        "A/63/7",
        "--clause",
        "Article 2",
    ])));
    let all = t.json(&["diff", "A/63/7"]);
    let scoped = t.json(&["diff", "A/63/7", "--clause", "Article 2"]);
    let expected: Vec<&Value> = all["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| under.contains(c["clause"].as_str().unwrap()))
        .collect();
    let scoped: Vec<&Value> = scoped["clauses"].as_array().unwrap().iter().collect();
    assert_eq!(scoped, expected);
    // Article 2's heading, 2.1 (a) added, 2.2 removed.
    assert_eq!(scoped.len(), 3, "{scoped:?}");
    assert!(all["clauses"].as_array().unwrap().len() > scoped.len());
}

#[test]
fn a_revision_label_is_a_point() {
    let t = deep();
    let (first, second) = (
        seq_of(&t, "revision_issued", 0),
        seq_of(&t, "revision_issued", 1),
    );
    let at = |p: &str| t.clauses(&["--at", p]);
    assert_eq!(at("A/63/7"), at(&first.to_string()));
    assert_eq!(at("A/63/8"), at(&second.to_string()));
    assert_eq!(at("rev:A/63/8"), at(&second.to_string()));
    assert_ne!(at("A/63/7"), at("A/63/8"));
    assert_eq!(at("A/63/8~1"), at("A/63/7"));
    let diff = |a: &str, b: &str| t.json(&["diff", a, b])["clauses"].take();
    assert_eq!(
        diff("A/63/7", "A/63/8"),
        diff(&first.to_string(), &second.to_string())
    );
    let blame = t.json(&["blame", "1.2", "--at", "A/63/7"]);
    assert_eq!(blame["seq"], first);
    let status = t.json(&["status", "--at", "A/63/7"]);
    assert_eq!(status["seq"], first);

    // A tag of the same name wins; rev: still names the revision.
    t.ok(&[
        "--as",
        "secretariat",
        "tag",
        "A/63/8",
        "--at",
        &first.to_string(),
    ]);
    assert_eq!(at("A/63/8"), at(&first.to_string()));
    assert_eq!(at("rev:A/63/8"), at(&second.to_string()));

    // A name that is neither: refused, naming the tags and the revision labels.
    t.refused(
        &["show", "--at", "A/63/9"],
        1,
        &["no tag or revision labelled 'A/63/9'", "A/63/7, A/63/8"],
    );
    t.refused(
        &["diff", "rev:A/63/9"],
        1,
        &["no revision labelled 'A/63/9'"],
    );
}

#[test]
fn pickaxe_searches_headings_and_labels() {
    let t = deep();
    let second = seq_of(&t, "revision_issued", 1);
    // "purpose" came in with Article 2's new heading.
    let found = t.events(&["-S", "purpose"]);
    assert_eq!(seqs(&found), BTreeSet::from([second]));
    assert_eq!(found[0]["pickaxe"]["before"], 0);
    assert_eq!(found[0]["pickaxe"]["after"], 1);
    let found = t.events(&["-S", "purpose", "--clause", "Article 2"]);
    assert_eq!(seqs(&found), BTreeSet::from([second]));
    assert!(t
        .events(&["-S", "purpose", "--clause", "Article 1"])
        .is_empty());
    // "(b)" is a label: A3's decision put it in the text.
    let found = t.events(&["-S", "(b)"]);
    assert_eq!(
        seqs(&found),
        BTreeSet::from([seq_of(&t, "decision_recorded", 2)])
    );
    let told = t.ok(&["log", "-S", "purpose"]);
    assert!(told.contains("\"purpose\" 0 → 1"), "{told}");
}

/// A draft of `n` articles of about 4,000 bytes each, every one saying `word`; the first also
/// says `first` and the last `last`.
fn big_draft(n: usize, word: &str, first: &str, last: &str) -> String {
    let mut out = String::from("# Big Code\n");
    for i in 1..=n {
        let extra = match i {
            1 => first,
            _ if i == n => last,
            _ => "",
        };
        out.push_str(&format!(
            "\n## Article {i}\n\n1. {} {word} {extra}.\n",
            format!("Member States shall cooperate on matter {i}. ").repeat(90)
        ));
    }
    out
}

#[test]
fn a_revision_stored_in_several_parts_is_told_once() {
    let t = Travaux::new();
    t.create(&["init"]);
    t.ok(&[
        "participant",
        "add",
        "secretariat",
        "--name",
        "S",
        "--kind",
        "secretariat",
    ]);
    t.ok(&[
        "--as",
        "secretariat",
        "doc",
        "new",
        "big",
        "--title",
        "Big Code",
    ]);
    // Revision 1 says "zebra" in its last article; revision 2 rewords every article, moving
    // "zebra" to the first (one part adds it, a later one takes it out: the text has it
    // twice, then once, in between) and adding "yak" to the first and the last.
    t.write("v1.md", big_draft(30, "one", "", "zebra"));
    t.write("v2.md", big_draft(30, "two", "zebra yak", "yak"));
    t.ok(&["--as", "secretariat", "import", "v1.md", "--revision", "V1"]);
    t.ok(&["--as", "secretariat", "import", "v2.md", "--revision", "V2"]);
    let revisions = t.events(&["--kind", "revision_issued"]);
    // Each revision once, with the sequence numbers of its parts.
    assert_eq!(revisions.len(), 2, "{revisions:?}");
    let parts: Vec<u64> = revisions[1]["parts"]
        .as_array()
        .expect("revision 2 is stored in parts")
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect();
    assert!(parts.len() >= 2, "{parts:?}");
    let ops = kind(&revisions[1]).1["ops"].as_array().unwrap().len();
    assert_eq!(ops, 30, "the operations of all its parts");
    let told = t.ok(&["log"]);
    assert_eq!(
        told.matches("issued revision 2 (V2): 30 reworded").count(),
        1,
        "{told}"
    );
    assert!(
        told.contains(&format!(
            "(stored in {} parts, events {}–{})",
            parts.len(),
            parts[0],
            parts[parts.len() - 1]
        )),
        "{told}"
    );
    // -S: "zebra" occurs once before revision 2 and once after: no hit, whatever the parts
    // did in between; "yak" is one hit, 0 → 2.
    let zebra = t.events(&["-S", "zebra"]);
    assert_eq!(
        seqs(&zebra),
        BTreeSet::from([revisions[0]["seq"].as_u64().unwrap()])
    );
    let yak = t.events(&["-S", "yak"]);
    assert_eq!(seqs(&yak), BTreeSet::from([parts[0]]));
    assert_eq!(yak[0]["pickaxe"]["before"], 0);
    assert_eq!(yak[0]["pickaxe"]["after"], 2);
    // The revision's label is the point after its last part; one change back is before it.
    let at = |p: &str| t.clauses(&["--at", p]);
    assert_eq!(at("V2"), at(&parts[parts.len() - 1].to_string()));
    assert_eq!(at("V2~1"), at("V1"));
    // log --clause names what the revision did to the clause, whichever part it is in.
    let told = t.ok(&["log", "--clause", "Article 30", "-p", "--color", "never"]);
    assert!(
        told.contains("issued revision 2 (V2): reworded 30.1 (stored in"),
        "{told}"
    );
    assert!(told.contains("        30.1  reworded\n"), "{told}");
    assert!(told.contains("[-one zebra-]{+two yak+}"), "{told}");
}
