//! `travaux diff` and `show --format markdown`: unified diffs that GNU `patch` applies, clauses
//! followed through renumbering and moves, relative points, the comparative prints, `--stat`,
//! and a diff of unrelated long texts that stops at its deadline and says so.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{Travaux, DRAFT1};

/// Apply a unified diff with GNU `patch` to `old` and return what it gives.
fn patched(t: &Travaux, old: &str, diff: &str) -> String {
    let from = t.write("from.md", old);
    let patch = t.write("change.diff", diff);
    let out = t.dir().join("to.md");
    let status = Command::new("patch")
        .current_dir(t.dir())
        .arg("--quiet")
        .arg("--force")
        .arg("-o")
        .arg(&out)
        .arg(&from)
        .arg("-i")
        .arg(&patch)
        .status()
        .expect("GNU patch is installed (CI installs it)");
    assert!(status.success(), "patch failed on:\n{diff}");
    std::fs::read_to_string(out).expect("the patched file")
}

fn markdown_at(t: &Travaux, point: &str) -> String {
    t.ok(&["show", "--at", point, "--format", "markdown"])
}

#[test]
fn the_unified_diff_patches_one_version_into_the_other_byte_for_byte() {
    let t = Travaux::demo();
    for (from, to) in [
        ("first-draft", "WHA63.16"),
        ("first-draft", "EB124/13"),
        ("EB124/13", "EB126/8"),
        ("EB126/8~1", "EB126/8"),
        ("WHA63.16~1", "WHA63.16"),
        ("WHA63.16~5", "drafting-committee-report~2"),
        ("WHA63.16", "first-draft"),
        ("2010-05-19", "head"),
    ] {
        let diff = t.ok(&["diff", from, to, "--format", "unified"]);
        assert!(
            diff.starts_with(&format!("--- {from}\n+++ {to}\n@@ ")),
            "{from} → {to}:\n{diff}"
        );
        let old = markdown_at(&t, from);
        let new = markdown_at(&t, to);
        assert_eq!(patched(&t, &old, &diff), new, "{from} → {to}");
    }
    // TO defaults to the head; no change, no diff.
    assert_eq!(
        t.ok(&["diff", "WHA63.16~1", "--format", "unified"]),
        t.ok(&["diff", "WHA63.16~1", "head", "--format", "unified"])
    );
    assert_eq!(
        t.ok(&["diff", "WHA63.16", "WHA63.16", "--format", "unified"]),
        ""
    );
}

#[test]
fn the_markdown_of_a_draft_is_the_draft_and_imports_as_no_change() {
    let t = Travaux::fixture();
    assert_eq!(t.ok(&["show", "--format", "markdown"]), DRAFT1);

    // The demo's drafts type their paragraph numbers (`5.2 …`) and points (`(a) …`); the
    // Markdown writes them the one way the README lists, and is otherwise the draft as it was
    // imported, byte for byte.
    let draft_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/who-code/drafts/2010-01-eb126.md"
    );
    let draft = std::fs::read_to_string(draft_path).unwrap();
    let demo = Travaux::demo();
    let md = markdown_at(&demo, "EB126/8");
    assert_eq!(
        md,
        written_canonically(&draft)
            .replace("# WHO Code of Practice", "# WHO Global Code of Practice")
    );
    // Both read as the same tree: labels, kinds, headings, text and notes.
    let rendered = demo.write("eb126-rendered.md", &md);
    let tree = |file: &str| -> Value {
        let mut tree = demo.json(&["import", "--dry-run", file])["tree"].take();
        fn unlined(clauses: &mut Value) {
            for c in clauses.as_array_mut().expect("a list of clauses") {
                c.as_object_mut().expect("a clause").remove("line");
                unlined(&mut c["children"]);
            }
        }
        unlined(&mut tree);
        tree
    };
    assert_eq!(tree(rendered.to_str().unwrap()), tree(draft_path));
    assert!(tree(draft_path).to_string().contains("\"label\":\"(b)\""));

    // Imported, then written and imported again: nothing to record.
    t.ok(&[
        "--as",
        "secretariat",
        "import",
        draft_path,
        "--revision",
        "EB126/8",
    ]);
    let md = t.ok(&["show", "--format", "markdown"]);
    let again = t.write("again.md", &md);
    let out = t.ok(&["--as", "secretariat", "import", again.to_str().unwrap()]);
    assert!(out.starts_with("nothing to record"), "{out}");
}

/// A draft of the demo as `show --format markdown` writes it, by the normalisations the README
/// lists for its form: a paragraph `N.k` under `## Article N` written as item `k.` of a
/// Markdown list, a point `(a)` under it as a bullet item inside it (`   - (a) …`), and no blank
/// line between the items of a list.
fn written_canonically(draft: &str) -> String {
    let numbered = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_ascii_digit());
    let mut article: Option<String> = None;
    let mut lines: Vec<String> = Vec::new();
    for line in draft.lines() {
        if let Some(rest) = line.strip_prefix("## Article ") {
            article = rest.split_whitespace().next().map(str::to_string);
        }
        let item = article
            .as_ref()
            .and_then(|n| line.strip_prefix(&format!("{n}.")))
            .and_then(|rest| rest.split_once(' '))
            .filter(|(k, _)| numbered(k));
        let point = line
            .strip_prefix('(')
            .and_then(|rest| rest.split_once(") "))
            .is_some_and(|(letter, _)| {
                letter.len() == 1 && letter.chars().all(|c| c.is_ascii_lowercase())
            });
        lines.push(match item {
            Some((k, words)) => format!("{k}. {words}"),
            None if point => format!("   - {line}"),
            None => line.to_string(),
        });
    }
    let is_item =
        |l: &str| l.starts_with("   - ") || l.split_once(". ").is_some_and(|(k, _)| numbered(k));
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let between_items =
            i > 0 && i + 1 < lines.len() && is_item(&lines[i - 1]) && is_item(&lines[i + 1]);
        if line.is_empty() && between_items {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn clauses(diff: &Value) -> &Vec<Value> {
    diff["clauses"].as_array().expect("a clauses array")
}

#[test]
fn a_moved_and_renumbered_clause_shows_as_such_with_its_diff() {
    let t = Travaux::demo();
    let d = t.json(&["diff", "first-draft", "EB124/13"]);
    // The right to migrate went from 2.4 to 3.5 and was reworded ("shall" → "should").
    let migrate: Vec<&Value> = clauses(&d)
        .iter()
        .filter(|c| c["old_label"] == "2.4" || c["new_label"] == "3.5")
        .collect();
    assert_eq!(migrate.len(), 1, "{migrate:#?}");
    let c = migrate[0];
    assert_eq!(
        (&c["status"], &c["old_label"], &c["new_label"]),
        (&"moved".into(), &"2.4".into(), &"3.5".into())
    );
    assert_eq!(
        (&c["moved"], &c["relabelled"]),
        (&true.into(), &true.into())
    );
    let spans = c["text"]["spans"].as_array().unwrap();
    assert!(spans
        .iter()
        .any(|s| s["kind"] == "delete" && s["text"] == "shall"));
    assert!(spans
        .iter()
        .any(|s| s["kind"] == "insert" && s["text"] == "should"));
    // Partnerships: Article 8 became Article 10, not a removal and an addition.
    let partnerships = clauses(&d)
        .iter()
        .find(|c| c["old_label"] == "Article 8")
        .unwrap();
    assert_eq!(partnerships["new_label"], "Article 10");
    assert!(clauses(&d)
        .iter()
        .all(|c| c["status"] != "removed" || c["old_label"] != "Article 8"));

    let text = t.ok(&["diff", "first-draft", "EB124/13", "--color", "never"]);
    assert!(
        text.contains("\n2.4 → 3.5 · moved, renumbered, reworded\n"),
        "{text}"
    );
    assert!(text.contains("Nothing in this Code [-shall-]{+should+} be interpreted"));
}

#[test]
fn the_compensation_clause_between_eb126_and_adoption() {
    let t = Travaux::demo();
    let text = t.ok(&[
        "diff", "EB126/8", "WHA63.16", "--clause", "5.2", "--color", "never",
    ]);
    assert!(text.starts_with("who-code 5.2: EB126/8 → WHA63.16 · 1 clause changed"));
    assert!(text.contains("Destination countries should[- consider providing-]"));
    assert!(text
        .contains("{+, to the extent possible, provide technical and financial assistance to+}"));
    let d = t.json(&["diff", "EB126/8", "WHA63.16", "--clause", "5.2"]);
    assert_eq!(d["clause"], "5.2");
    assert_eq!(clauses(&d).len(), 1);
    assert_eq!(d["stats"]["words_inserted"], 21);
    assert_eq!(d["stats"]["words_deleted"], 24);
    // By characters, the same clause; by lines, the whole paragraph is one line.
    let chars = t.json(&["diff", "EB126/8", "WHA63.16", "--clause", "5.2", "--chars"]);
    assert_eq!(chars["granularity"], "chars");
    let lines = t.json(&["diff", "EB126/8", "WHA63.16", "--clause", "5.2", "--lines"]);
    assert_eq!(
        lines["clauses"][0]["text"]["spans"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // An article and its paragraphs, by a label as at TO.
    let a5 = t.json(&["diff", "first-draft", "WHA63.16", "--clause", "Article 5"]);
    assert!(clauses(&a5).len() > 1);
}

#[test]
fn stat_totals_are_the_json_totals() {
    let t = Travaux::demo();
    for (from, to) in [("first-draft", "EB124/13"), ("EB126/8", "WHA63.16")] {
        let stat = t.ok(&["diff", from, to, "--stat", "--color", "never"]);
        let json = t.json(&["diff", from, to]);
        let lines: Vec<&str> = stat.lines().collect();
        let total = lines.last().unwrap();
        let expected = format!(
            " {} clauses changed, {} words inserted(+), {} words deleted(-)",
            json["stats"]["clauses_changed"],
            json["stats"]["words_inserted"],
            json["stats"]["words_deleted"]
        );
        assert_eq!(*total, expected);
        assert_eq!(lines.len() - 1, clauses(&json).len());
        let sum: u64 = lines[..lines.len() - 1]
            .iter()
            .map(|l| {
                let count = l.split('|').nth(1).unwrap().split_whitespace().next();
                count.unwrap().parse::<u64>().unwrap()
            })
            .sum();
        let words = json["stats"]["words_inserted"].as_u64().unwrap()
            + json["stats"]["words_deleted"].as_u64().unwrap();
        assert_eq!(sum, words);
    }
}

#[test]
fn the_comparative_prints() {
    let t = Travaux::fixture();
    let draft2 = DRAFT1
        .replace(
            "clarity of the recruitment rules.",
            "clarity of the rules, where a < b & <b>bold</b> \"quoted\".",
        )
        .replace("## Article 2 — Scope", "## Article 2 — Scope and nature");
    t.write("draft2.md", &draft2);
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-01-04",
        "import",
        "draft2.md",
    ]);
    let html = t.ok(&["diff", "d1", "head", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</body>\n</html>"));
    for tag in ["ins", "del", "p", "h2", "h3", "b", "span"] {
        assert_eq!(
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count(),
            html.matches(&format!("</{tag}>")).count(),
            "<{tag}> opened and closed as often:\n{html}"
        );
    }
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
    assert!(html.contains("a &lt; b &amp;"), "{html}");
    assert!(!html.contains("<b>bold"));
    assert!(html.contains("<del>recruitment"), "{html}");

    let md = t.ok(&["diff", "d1", "head", "--format", "markdown"]);
    assert!(md.contains("~~recruitment~~"), "{md}");
    assert!(
        md.contains("<ins>, where a \\< b \\& \\<b\\>bold\\</b\\> \"quoted\"</ins>"),
        "{md}"
    );
    assert!(
        md.contains("## Article 2 — Scope <ins>and nature</ins>"),
        "{md}"
    );
    // A paragraph keeps its article's heading above it.
    assert!(
        md.contains("## Article 1 — Objectives\n\n**1.1** *(reworded)*"),
        "{md}"
    );
}

#[test]
fn human_formats_as_snapshots() {
    let t = Travaux::demo();
    insta::assert_snapshot!(
        "diff_eb126_wha_inline",
        t.ok(&["diff", "EB126/8", "WHA63.16", "--color", "never"])
    );
    let md = t.ok(&["diff", "EB126/8", "WHA63.16", "--format", "markdown"]);
    // A point goes under its article's heading, as its paragraph does; its paragraph is no
    // heading.
    assert!(
        md.contains("\n## Article 7 — Information exchange\n\n**7.2 (b)** *(reworded)*\n"),
        "{md}"
    );
    assert!(!md.contains("\n## 7.2"), "{md}");
    let html = t.ok(&["diff", "EB126/8", "WHA63.16", "--format", "html"]);
    assert!(
        html.contains("<h2>Article 7 — Information exchange</h2>\n<h3>7.2 (b) "),
        "{html}"
    );
    insta::assert_snapshot!("diff_eb126_wha_markdown", md);
    insta::assert_snapshot!(
        "diff_first_draft_eb124_stat",
        t.ok(&[
            "diff",
            "first-draft",
            "EB124/13",
            "--stat",
            "--color",
            "never"
        ])
    );
    // Colour only when asked (stdout is not a terminal here).
    let coloured = t.ok(&["diff", "EB126/8", "WHA63.16", "--color", "always"]);
    assert!(coloured.contains("\x1b[9;31m") && coloured.contains("\x1b[4;32m"));
    assert!(!t.ok(&["diff", "EB126/8", "WHA63.16"]).contains('\x1b'));
}

#[test]
fn unknown_points_and_clauses_are_refused() {
    let t = Travaux::demo();
    t.refused(
        &["diff", "no-such-tag", "head"],
        1,
        &["no-such-tag", "WHA63.16"],
    );
    t.refused(&["diff", "first-draft", "nope~1"], 1, &["nope"]);
    t.refused(&["diff", "first-draft~99"], 1, &["only", "text change"]);
    t.refused(&["diff", "first-draft", "--clause", "99.9"], 1, &["99.9"]);
    t.refused(&["show", "--at", "first-draft~9"], 1, &["first-draft~9"]);
    // A clause gone at TO is found as it was at FROM.
    let d = t.json(&["diff", "first-draft", "EB124/13", "--clause", "1.2"]);
    assert_eq!(d["clause"], "1.2");
    // show counts back too: the text just before the adoption tag's last change (the
    // renumbering) is the drafting committee's, and one change before each is the same text.
    assert_eq!(
        markdown_at(&t, "WHA63.16~1"),
        markdown_at(&t, "drafting-committee-report")
    );
    assert_eq!(
        markdown_at(&t, "WHA63.16~2"),
        markdown_at(&t, "drafting-committee-report~1")
    );
    assert_ne!(markdown_at(&t, "WHA63.16~1"), markdown_at(&t, "WHA63.16"));
}

/// Text of `words` pseudo-random words drawn from one vocabulary (so that two texts share
/// many tokens but not their order).
fn generated(seed: u64, words: usize) -> String {
    const VOCABULARY: &[&str] = &[
        "health",
        "personnel",
        "states",
        "shall",
        "should",
        "recruit",
        "source",
        "country",
        "workforce",
        "ethical",
        "data",
        "code",
        "member",
        "training",
        "migration",
        "rights",
    ];
    let mut x = seed;
    let mut out = Vec::with_capacity(words);
    for _ in 0..words {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push(VOCABULARY[(x >> 33) as usize % VOCABULARY.len()]);
    }
    out.join(" ")
}

fn long_draft(seed: u64) -> String {
    let mut md = String::from("# Long Code\n\n## Article 1 — Long\n\n");
    for k in 1..=4 {
        md.push_str(&format!("{k}. {}\n", generated(seed * 10 + k, 2_500)));
    }
    md
}

#[test]
fn unrelated_long_texts_finish_within_the_deadline_and_say_they_were_approximated() {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "secretariat",
        "doc",
        "new",
        "long",
        "--title",
        "Long Code",
    ]);
    t.write("long1.md", long_draft(1));
    t.write("long2.md", long_draft(2));
    let long = ["--doc", "long", "--as", "secretariat"];
    t.ok(&[&long[..], &["import", "long1.md", "--revision", "L1"]].concat());
    t.ok(&[&long[..], &["tag", "l1"]].concat());
    t.ok(&[&long[..], &["import", "long2.md", "--revision", "L2"]].concat());

    let started = Instant::now();
    let out = t.run(&[
        "--doc",
        "long",
        "diff",
        "l1",
        "--deadline-ms",
        "1",
        "--color",
        "never",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("approximated"), "{}", out.stderr);
    let d = t.json(&["--doc", "long", "diff", "l1", "--deadline-ms", "1"]);
    assert_eq!(d["approximated"], true);
    let inserted = d["stats"]["words_inserted"].as_u64().unwrap();
    assert!(inserted > 0);
    assert_eq!(inserted, d["stats"]["words_deleted"].as_u64().unwrap());
    // Approximated or not, the unified diff still gives the later text exactly.
    let out = t.run(&[
        "--doc",
        "long",
        "diff",
        "l1",
        "--format",
        "unified",
        "--deadline-ms",
        "1",
    ]);
    assert!(out.stderr.contains("approximated"), "{}", out.stderr);
    let old = t.ok(&[
        "--doc", "long", "show", "--at", "l1", "--format", "markdown",
    ]);
    let new = t.ok(&["--doc", "long", "show", "--format", "markdown"]);
    assert_eq!(patched(&t, &old, &out.stdout), new);
    // With the default deadline (2 s) the request is bounded too.
    let out = t.run(&["--doc", "long", "diff", "l1", "--stat"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(started.elapsed() < Duration::from_secs(60));
}
