//! What bad input gets (DESIGN.md): a non-zero exit code, a message on stderr that names what
//! was wrong, nothing on stdout, and nothing written to the log.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::support::{Travaux, DRAFT2};

/// Brazil proposes A1 on 1.1 (dated 2020-02-01).
fn with_amendment() -> Travaux {
    let t = Travaux::fixture();
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "amend",
        "propose",
        "--replace",
        "1.1",
        "--text",
        "The first objective of this Code is clarity and simplicity.",
        "--rationale",
        "Simpler.",
    ]);
    t
}

#[test]
fn an_unknown_document() {
    let t = Travaux::fixture();
    t.refused(
        &["--as", "brazil", "--doc", "nope", "comment", "hello"],
        1,
        &["no document 'nope'", "doc list"],
    );
    t.refused(&["--doc", "nope", "show"], 1, &["'nope'"]);
    t.refused(
        &["--as", "secretariat", "--doc", "nope", "tag", "t1"],
        1,
        &["'nope'"],
    );
}

#[test]
fn an_unknown_clause() {
    let t = Travaux::fixture();
    t.refused(
        &["--as", "brazil", "comment", "hello", "--clause", "9.9"],
        1,
        &["no clause '9.9'"],
    );
    t.refused(
        &[
            "--as",
            "brazil",
            "amend",
            "propose",
            "--replace",
            "Article 7",
            "--text",
            "x",
        ],
        1,
        &["'Article 7'"],
    );
    t.refused(&["show", "--clause", "9.9"], 1, &["'9.9'"]);
}

#[test]
fn an_unknown_participant() {
    let t = Travaux::fixture();
    t.refused(
        &["--as", "nobody", "comment", "hello"],
        1,
        &["no participant 'nobody'", "participant list"],
    );
    t.refused(
        &["--as", "secretariat", "role", "grant", "nobody", "delegate"],
        1,
        &["'nobody'"],
    );
}

#[test]
fn a_command_without_an_actor() {
    let t = Travaux::fixture();
    t.refused(&["comment", "who says this?"], 1, &["--as"]);
    t.refused(&["tag", "t1"], 1, &["--as"]);
}

#[test]
fn a_delegate_issuing_a_revision() {
    let t = Travaux::fixture();
    t.write("draft2.md", DRAFT2);
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-01",
            "import",
            "draft2.md",
        ],
        1,
        &["brazil", "issue a revision", "secretariat role"],
    );
}

#[test]
fn the_public_proposing_an_amendment() {
    let t = Travaux::fixture();
    t.refused(
        &[
            "--as",
            "jane",
            "amend",
            "propose",
            "--replace",
            "1.1",
            "--text",
            "Another objective.",
        ],
        1,
        &["jane", "propose an amendment", "delegate role", "public"],
    );
}

#[test]
fn a_delegate_deciding() {
    let t = with_amendment();
    t.refused(
        &["--as", "norway", "decide", "A1", "--accept"],
        1,
        &["norway", "record a decision", "chair role"],
    );
    t.refused(
        &["--as", "brazil", "role", "grant", "norway", "chair"],
        1,
        &["brazil", "grant roles", "secretariat role"],
    );
}

#[test]
fn a_decision_on_a_withdrawn_amendment() {
    let t = with_amendment();
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-02",
        "amend",
        "withdraw",
        "A1",
    ]);
    t.refused(
        &[
            "--as",
            "chair",
            "--date",
            "2020-02-03",
            "decide",
            "A1",
            "--accept",
        ],
        1,
        &["A1", "withdrawn"],
    );
}

#[test]
fn a_decision_on_a_decided_amendment() {
    let t = with_amendment();
    t.ok(&[
        "--as",
        "chair",
        "--date",
        "2020-02-02",
        "decide",
        "A1",
        "--reject",
    ]);
    t.refused(
        &[
            "--as",
            "chair",
            "--date",
            "2020-02-03",
            "decide",
            "A1",
            "--accept",
        ],
        1,
        &["A1", "already decided", "rejected"],
    );
    t.refused(
        &[
            "--as",
            "chair",
            "--date",
            "2020-02-03",
            "decide",
            "A7",
            "--accept",
        ],
        1,
        &["no amendment A7"],
    );
}

#[test]
fn an_amendment_on_a_removed_clause() {
    let t = Travaux::fixture();
    t.write("draft2.md", DRAFT2);
    let out = t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-02-01",
        "import",
        "draft2.md",
    ]);
    assert!(out.contains("1 removed"), "{out}");
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-02",
            "amend",
            "propose",
            "--replace",
            "2.2",
            "--text",
            "The Code is binding.",
        ],
        1,
        &["2.2", "removed"],
    );
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-02",
            "comment",
            "on a clause that is gone",
            "--clause",
            "2.2",
        ],
        1,
        &["2.2", "removed"],
    );
}

#[test]
fn a_stale_expected_version() {
    let t = Travaux::fixture();
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-01",
            "--expect-version",
            "1",
            "comment",
            "late",
        ],
        3,
        &["conflict", "not 1"],
    );
}

#[test]
fn a_draft_whose_front_matter_is_not_yaml() {
    let t = Travaux::fixture();
    t.write(
        "meta.md",
        "---\ntitle: [unclosed\n---\n\n## Article 1 — Objectives\n\n1. One.\n",
    );
    t.refused(
        &["--as", "secretariat", "import", "meta.md"],
        1,
        &["meta.md", "line 3", "front matter is not valid YAML"],
    );
}

#[test]
fn a_draft_that_is_not_utf8() {
    let t = Travaux::fixture();
    // Line 3 holds a Latin-1 byte.
    t.write(
        "latin1.md",
        b"# Test Code\n\nRecalling \xff the past;\n\n## Article 1 - Objectives\n\n1. One.\n",
    );
    t.refused(
        &["--as", "secretariat", "import", "latin1.md"],
        1,
        &["latin1.md", "line 3", "UTF-8"],
    );
}

#[test]
fn comment_text_that_is_not_utf8() {
    let t = Travaux::fixture();
    let before = t.head();
    let out = t
        .command(&["--as", "brazil", "comment"])
        .arg(OsStr::from_bytes(b"caf\xe9"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-8"));
    assert_eq!(t.head(), before);
}

#[test]
fn an_oversized_draft() {
    let t = Travaux::fixture();
    let mut draft = String::from("# Test Code\n\n## Article 1 — Objectives\n\n");
    let mut n = 0;
    while draft.len() <= 16 << 20 {
        n += 1;
        draft.push_str(&format!("{n}. {}\n", "word ".repeat(200)));
    }
    t.write("huge.md", &draft);
    t.refused(
        &["--as", "secretariat", "import", "huge.md"],
        1,
        &["huge.md", &format!("{} bytes", draft.len()), "16777216"],
    );
}

#[test]
fn an_oversized_comment() {
    let t = Travaux::fixture();
    let long = "x".repeat(20_001);
    t.refused(
        &["--as", "brazil", "comment", &long],
        1,
        &["comment is too long", "20001 bytes", "20000"],
    );
    // At the limit it is taken.
    t.ok(&["--as", "brazil", "comment", &"x".repeat(20_000)]);
}

#[test]
fn a_date_before_the_last_event() {
    let t = Travaux::fixture();
    // The fixture's last event is dated 2020-01-03.
    let stderr = t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2019-06-01",
            "comment",
            "too early",
        ],
        1,
        &["2019-06-01", "2020-01-03", "forward in time"],
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    t.refused(
        &["--as", "brazil", "--date", "yesterday", "comment", "when?"],
        1,
        &["--date", "'yesterday'"],
    );
}

#[test]
fn a_missing_store_is_not_created() {
    let t = Travaux::new();
    let missing = t.dir().join("no").join("such").join("store");
    let out = t.run_raw(&["--store", missing.to_str().unwrap(), "show"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("no travaux store at"), "{}", out.stderr);
    assert!(out.stderr.contains("travaux init"), "{}", out.stderr);
    assert!(
        !t.dir().join("no").exists(),
        "the store's directory was created"
    );

    let absolute = std::path::Path::new("/nonexistent/dir");
    if !absolute.exists() {
        let out = t.run_raw(&["--store", "/nonexistent/dir", "show"]);
        assert_eq!(out.code, 1, "{out:?}");
        assert_eq!(out.stdout, "");
        assert!(out.stderr.contains("/nonexistent/dir"), "{}", out.stderr);
        assert!(!absolute.exists());
        assert!(!std::path::Path::new("/nonexistent").exists());
    }

    // A write is refused the same way.
    let out = t.run_raw(&[
        "--store",
        missing.to_str().unwrap(),
        "--as",
        "brazil",
        "comment",
        "hello",
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!t.dir().join("no").exists());
}

/// A large draft of many short clauses is recorded whole, in several events appended together.
#[test]
fn a_large_draft_of_many_clauses_is_recorded_in_parts() {
    let t = Travaux::fixture();
    let mut draft = String::from("# Test Code\n\n");
    let mut clauses = 0;
    let mut article = 0;
    while draft.len() < 200 * 1024 {
        article += 1;
        draft.push_str(&format!("## Article {article} — Part {article}\n\n"));
        for k in 1..=8 {
            draft.push_str(&format!(
                "{k}. Member States should do thing {article}.{k}.\n"
            ));
            clauses += 1;
        }
        draft.push('\n');
    }
    t.write("large.md", &draft);
    let before = t.head().seq;
    let out = t.ok(&["--as", "secretariat", "import", "large.md"]);
    assert!(out.contains("in parts"), "{out}");
    let after = t.head().seq;
    assert!(after > before + 1, "several events");
    let shown = t.json(&["show"]);
    assert_eq!(
        shown["clauses"].as_array().unwrap().len(),
        clauses + article,
        "every clause is in the text"
    );
    t.ok(&["verify"]);
}

/// Review finding: a date in the future would pin the log's clock there (it never goes back).
#[test]
fn a_date_in_the_future() {
    let t = Travaux::fixture();
    t.refused(
        &[
            "--as",
            "brazil",
            "--date",
            "2100-01-01",
            "comment",
            "too early",
        ],
        1,
        &["2100-01-01", "future"],
    );
}

/// Review finding: a tag must read back as a tag where a point is expected.
#[test]
fn a_tag_name_that_reads_as_another_point() {
    let t = Travaux::fixture();
    for name in ["2010-05-20", "seq:3", "time:2010", " padded"] {
        t.refused(
            &["--as", "secretariat", "tag", name],
            1,
            &["cannot be a tag"],
        );
    }
}
