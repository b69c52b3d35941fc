//! `travaux import` of a draft written as real texts are: typed paragraph numbers (`5.1`),
//! points (`(a)`), footnotes, front matter; the warnings and the tree it shows; the history
//! questions on the clauses it gives; and `show --format markdown` reading back unchanged.

use crate::support::Travaux;

const TYPED: &str = "---
title: Typed Code
symbol: A/RES/1
---

Recalling the need for typed numbers;

## Article 5 — Recruitment

5.1 Member States should:

(a) observe the principles;

(b) regulate recruiters[^1].

5.2 Recruiters should inform.

## Article 7 — Data

7.1 Member States should gather data.

7.2 Member States should share data:

(a) first point;

(c) third point.

[^1]: Including agencies.
";

#[test]
fn a_typed_draft_imports_as_its_tree_and_answers_history_questions() {
    let t = Travaux::fixture();
    t.write("typed.md", TYPED);

    // The dry run shows the tree, and warns on stderr where the numbering skips.
    let dry = t.run(&["--as", "secretariat", "import", "typed.md", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    for line in [
        "title: Typed Code",
        "symbol: A/RES/1",
        "PP1  [recital]  (line 6)",
        "Article 5  [article]  Recruitment  (line 8)",
        "  5.1  [paragraph]  (line 10)",
        "    (b)  [point]  (1 notes)  (line 14)",
        "  7.2  [paragraph]  (line 22)",
        "    (c)  [point]  (line 26)",
    ] {
        assert!(
            dry.stdout.lines().any(|l| l == line),
            "no {line:?} in\n{}",
            dry.stdout
        );
    }
    assert!(
        dry.stderr
            .contains("warning: line 26: the numbering skips: (c) follows (a)"),
        "{}",
        dry.stderr
    );
    assert!(dry.stdout.contains("(dry run; nothing written)"));
    let json = t.json(&[
        "--as",
        "secretariat",
        "import",
        "typed.md",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(
        json["tree"][1]["children"][0]["children"][1]["label"],
        "(b)"
    );
    assert_eq!(json["warnings"][0]["line"], 26);
    assert_eq!(json["title"], "Typed Code");

    let out = t.run(&[
        "--as",
        "secretariat",
        "import",
        "typed.md",
        "--revision",
        "R2",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning: line 26:"), "{}", out.stderr);
    assert!(out.stdout.contains("title changed"), "{}", out.stdout);

    // The clauses a typed draft numbers are there to ask about.
    let log = t.ok(&["log", "--clause", "7.2"]);
    assert!(log.contains("R2"), "{log}");
    let blame = t.ok(&["blame", "5.1(b)"]);
    assert!(blame.contains("regulate recruiters"), "{blame}");
    let blame = t.ok(&["blame", "Article 5 > 5.1 > (b)"]);
    assert!(blame.contains("regulate recruiters"), "{blame}");

    // The Markdown of the text imports back as the same text: nothing to record.
    let md = t.ok(&["show", "--format", "markdown"]);
    assert!(md.starts_with("# Typed Code\n"), "{md}");
    // `5.1` under Article 5 is written as item 1 of a list (the one form of `N.k`), its
    // points inside it.
    assert!(
        md.contains("\n1. Member States should:\n   - (a) observe the principles;\n"),
        "{md}"
    );
    assert!(
        md.contains("   - (b) regulate recruiters[^1].\n\n     [^1]: Including agencies.\n"),
        "{md}"
    );
    t.write("again.md", &md);
    let again = t.ok(&["--as", "secretariat", "import", "again.md"]);
    assert!(again.starts_with("nothing to record"), "{again}");
}

#[test]
fn a_revision_labelled_like_a_date_is_named_with_rev() {
    let t = Travaux::fixture();
    t.write("typed.md", TYPED);
    let out = t.run(&[
        "--as",
        "secretariat",
        "import",
        "typed.md",
        "--revision",
        "2017-01-05",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("name this revision rev:2017-01-05"),
        "{}",
        out.stderr
    );
    let shown = t.ok(&["show", "--at", "rev:2017-01-05", "--clause", "5.1(b)"]);
    assert!(shown.contains("regulate recruiters"), "{shown}");
    // A label that reads as nothing else gets no note.
    t.write("again.md", TYPED.replace("gather data", "collect data"));
    let out = t.run(&[
        "--as",
        "secretariat",
        "import",
        "again.md",
        "--revision",
        "A/1",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("note:"), "{}", out.stderr);
}

#[test]
fn a_note_is_shown_diffed_and_searched_with_its_clause() {
    let t = Travaux::fixture();
    t.write("v1.md", TYPED);
    t.ok(&["--as", "secretariat", "import", "v1.md", "--revision", "v1"]);
    let shown = t.ok(&["show", "--clause", "5.1(b)"]);
    assert!(shown.contains("[^1]: Including agencies."), "{shown}");
    let json = t.json(&["show", "--clause", "5.1(b)"]);
    assert_eq!(
        json["clauses"][0]["notes"][0]["text"],
        "Including agencies."
    );

    // Only the note changes.
    t.write(
        "v2.md",
        TYPED.replace("Including agencies.", "Including agencies and brokers."),
    );
    let out = t.ok(&["--as", "secretariat", "import", "v2.md", "--revision", "v2"]);
    assert!(out.contains("1 reworded"), "{out}");
    let diff = t.ok(&["diff", "v1", "v2"]);
    assert!(
        diff.contains("{+and brokers.+}") || diff.contains("brokers"),
        "{diff}"
    );
    let stat = t.ok(&["diff", "v1", "v2", "--stat"]);
    assert!(stat.contains("1 clause changed"), "{stat}");
    let found = t.ok(&["log", "-S", "brokers"]);
    assert!(found.contains("v2"), "{found}");
}
