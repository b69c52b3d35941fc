//! Word drafts: `import draft.docx` reads the draft through pandoc. A draft whose paragraph
//! numbers are Word's list numbering gives numbered clauses; one whose numbers are typed gives
//! the text the same Markdown would; through the server, the file is sent and converted there.
//! Without pandoc, the refusal names the Debian package and nothing is written.
//!
//! The Word files are made here by pandoc from Markdown (pandoc is installed by `.ci/run`: these
//! tests fail without it, they do not skip).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::client::{issue, remote_ok, serve};
use crate::support::{Travaux, DRAFT2};

/// Make `docx` in the test's directory from Markdown, with pandoc reading it as `from`; the
/// text of its `word/document.xml`.
fn make_docx(t: &Travaux, markdown: &str, from: &str, docx: &str) -> String {
    let md = t.write("source.md", markdown);
    let status = Command::new("pandoc")
        .args(["--from", from, "--to", "docx", "--output"])
        .arg(t.dir().join(docx))
        .arg(&md)
        .status()
        .expect("pandoc is installed (apt-get install pandoc; .ci/run installs it)");
    assert!(status.success(), "pandoc made no {docx}");
    document_xml(&t.dir().join(docx))
}

/// The main part of a Word file, read with `unzip` (installed by `.ci/run`).
fn document_xml(docx: &Path) -> String {
    let out = Command::new("unzip")
        .arg("-p")
        .arg(docx)
        .arg("word/document.xml")
        .output()
        .expect("unzip is installed (apt-get install unzip)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("XML is UTF-8")
}

/// The text as `show --json` gives it.
fn shown(t: &Travaux) -> Value {
    t.json(&["show"])["clauses"].clone()
}

/// The `show --json` clause with this label, at any depth.
fn find<'a>(clauses: &'a Value, label: &str) -> Option<&'a Value> {
    clauses.as_array()?.iter().find_map(|c| {
        if c["label"] == label {
            return Some(c);
        }
        find(&c["children"], label)
    })
}

#[test]
fn a_word_draft_numbered_by_word_imports_as_numbered_clauses_locally_and_through_the_server() {
    let t = Travaux::fixture();
    let xml = make_docx(&t, DRAFT2, "markdown", "draft2.docx");
    assert!(
        xml.contains("<w:numPr>"),
        "the paragraphs are numbered by Word's list numbering"
    );
    assert!(
        !xml.contains("1. The first objective"),
        "the numbers are not typed in the text"
    );
    let out = t.ok(&[
        "--as",
        "secretariat",
        "import",
        "draft2.docx",
        "--revision",
        "D2",
    ]);
    assert!(out.contains("1 added"), "{out}");
    let clauses = shown(&t);
    for (label, words) in [
        ("1.1", "The first objective of this Code is clarity"),
        ("1.2", "A new objective of this Code is transparency"),
        ("1.3", "The second objective of this Code is fairness"),
        ("2.1", "The Code applies to all recruiters"),
    ] {
        let c = find(&clauses, label).unwrap_or_else(|| panic!("no clause {label}: {clauses}"));
        assert!(
            c["text"].as_str().unwrap().starts_with(words),
            "{label}: {c}"
        );
    }
    // The same text as the Markdown it was written from.
    let md = Travaux::fixture();
    md.write("draft2.md", DRAFT2);
    md.ok(&[
        "--as",
        "secretariat",
        "import",
        "draft2.md",
        "--revision",
        "D2",
    ]);
    assert_eq!(
        md.ok(&["show", "--format", "markdown"]),
        t.ok(&["show", "--format", "markdown"])
    );

    // Through a server: the file is sent as it is and converted there.
    let served = Travaux::fixture();
    make_docx(&served, DRAFT2, "markdown", "draft2.docx");
    let (secretariat, _) = issue(&served, "secretariat");
    let server = serve(&served);
    let through = remote_ok(
        &served,
        &server.url,
        Some(&secretariat),
        &["import", "draft2.docx", "--revision", "D2"],
    );
    assert!(through.contains("1 added"), "{through}");
    drop(server);
    assert_eq!(
        served.ok(&["show", "--format", "markdown"]),
        t.ok(&["show", "--format", "markdown"])
    );
}

#[test]
fn a_word_draft_with_typed_numbers_reads_as_the_same_markdown() {
    // Numbers typed at the start of paragraphs, as secretariats type them (CommonMark reads
    // `1.1 …` and `(a) …` as paragraphs, so Word gets them as typed text).
    let typed = "# Test Code\n\n\
                 Recalling the need for a small test of the whole process;\n\n\
                 ## Article 1 — Objectives\n\n\
                 1.1 The first objective of this Code is clarity of the recruitment rules.\n\n\
                 1.2 The second objective of this Code is fairness towards source countries:\n\n\
                 (a) in recruitment;\n\n\
                 (b) in training.\n";
    let t = Travaux::fixture();
    let xml = make_docx(&t, typed, "commonmark", "typed.docx");
    assert!(!xml.contains("<w:numPr>"), "no list numbering");
    assert!(
        xml.contains("1.2 The second objective"),
        "the numbers are typed"
    );
    t.ok(&[
        "--as",
        "secretariat",
        "import",
        "typed.docx",
        "--revision",
        "D2",
    ]);
    let md = Travaux::fixture();
    md.write("typed.md", typed);
    md.ok(&[
        "--as",
        "secretariat",
        "import",
        "typed.md",
        "--revision",
        "D2",
    ]);
    // The same tree as the Markdown gives (its clauses, labels, kinds and texts).
    let markdown = t.ok(&["show", "--format", "markdown"]);
    assert_eq!(md.ok(&["show", "--format", "markdown"]), markdown);
    let labels = |t: &Travaux| -> Vec<String> {
        let mut all = Vec::new();
        let mut stack: Vec<Value> = vec![shown(t)];
        while let Some(v) = stack.pop() {
            for c in v.as_array().into_iter().flatten() {
                all.push(format!("{} {}", c["label"], c["text"]));
                stack.push(c["children"].clone());
            }
        }
        all
    };
    assert_eq!(labels(&md), labels(&t));
    for typed_words in [
        "The first objective of this Code is clarity",
        "(a) in recruitment;",
        "(b) in training.",
    ] {
        assert!(markdown.contains(typed_words), "{markdown}");
    }
}

#[test]
fn without_pandoc_a_word_draft_is_refused_naming_the_package_and_nothing_is_written() {
    let t = Travaux::fixture();
    make_docx(&t, DRAFT2, "markdown", "draft2.docx");
    let before = t.head();
    let empty = tempfile::tempdir().unwrap();
    let out = t
        .command(&["--as", "secretariat", "import", "draft2.docx"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("draft2.docx")
            && stderr.contains("pandoc")
            && stderr.contains("Debian package"),
        "{stderr}"
    );
    assert_eq!(t.head(), before);

    // A file named .docx that is not one is refused, naming it.
    t.write("fake.docx", "# Test Code\n");
    t.refused(
        &["--as", "secretariat", "import", "fake.docx"],
        1,
        &["fake.docx", "does not read as a Word draft"],
    );
}

#[test]
fn a_word_draft_sent_as_base64_that_does_not_decode_is_refused_by_the_server() {
    let t = Travaux::fixture();
    let (secretariat, _) = issue(&t, "secretariat");
    let before = t.head();
    let server = serve(&t);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let body = serde_json::json!({
        "argv": ["import", "d.docx"],
        "files": { "d.docx": { "base64": "not base64!" } },
    });
    let mut answer = agent
        .post(format!("{}/v1/exec", server.url))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {secretariat}"))
        .send(body.to_string())
        .expect("an answer");
    let status = answer.status().as_u16();
    let text = answer.body_mut().read_to_string().unwrap();
    assert_eq!(status, 422, "{text}");
    assert!(
        text.contains("d.docx was sent as base64 that does not decode"),
        "{text}"
    );
    drop(server);
    assert_eq!(t.head(), before);
}
