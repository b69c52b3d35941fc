//! End-to-end tests of the formats capitals and spreadsheets read: `export docx` (the text at a
//! point, and the comparative print as Word tracked changes named with their amendment,
//! proposer, decision and date), checked by unzipping the file and by pandoc reading it back;
//! and `export csv` of the amendments, parsed back and compared with `amend list --all --json`.

use std::process::Command;

use serde_json::Value;

use crate::support::Travaux;

/// `word/document.xml` of a .docx, through `unzip`.
fn document_xml(t: &Travaux, file: &str) -> String {
    part(t, file, "word/document.xml")
}

/// A part of a .docx, through `unzip`.
fn part(t: &Travaux, file: &str, name: &str) -> String {
    let out = Command::new("unzip")
        .arg("-p")
        .arg(t.dir().join(file))
        .arg(name)
        .output()
        .expect("unzip runs");
    assert!(out.status.success(), "{file} is not a zip with {name}");
    String::from_utf8(out.stdout).expect("the part is UTF-8")
}

/// The document as plain text, through pandoc (tracked changes accepted, as Word would).
fn pandoc_text(t: &Travaux, file: &str) -> String {
    let out = Command::new("pandoc")
        .arg("--from")
        .arg("docx")
        .arg("--to")
        .arg("plain")
        .arg("--wrap=none")
        .arg(t.dir().join(file))
        .output()
        .expect("pandoc runs");
    assert!(
        out.status.success(),
        "pandoc could not read {file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("pandoc writes UTF-8")
}

/// The text of a clause at a point, from `show --json`.
fn clause_text(t: &Travaux, at: &str, label: &str) -> String {
    let shown = t.json(&["show", "--at", at]);
    let clauses = shown["clauses"].as_array().expect("show lists clauses");
    clauses
        .iter()
        .find(|c| c["label"] == label)
        .and_then(|c| c["text"].as_str())
        .unwrap_or_else(|| panic!("no clause {label} at {at}"))
        .to_string()
}

fn name_of(t: &Travaux, handle: &str) -> String {
    let people = t.json(&["participant", "list"]);
    people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == handle)
        .and_then(|p| p["name"].as_str())
        .unwrap_or_else(|| panic!("no participant {handle}"))
        .to_string()
}

fn xml_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn the_text_at_a_tag_as_word_opens_and_reads_back() {
    let t = Travaux::demo();
    let out = t.json(&["export", "docx", "--at", "WHA63.16", "-o", "code.docx"]);
    assert_eq!(out["document"], "who-code", "{out}");
    let xml = document_xml(&t, "code.docx");
    let adopted = clause_text(&t, "WHA63.16", "2.1");
    assert!(adopted.contains("strongly encouraged"), "{adopted}");
    assert!(
        xml.contains(&xml_escaped(&adopted)),
        "the adopted 2.1 is not in document.xml"
    );
    // Articles are headings, numbered provisions carry their labels.
    assert!(xml.contains("Heading"), "no heading style in document.xml");
    let text = pandoc_text(&t, "code.docx");
    assert!(
        text.contains(&adopted),
        "pandoc's text lacks the adopted 2.1:\n{text}"
    );
    assert!(text.contains("2.1 "), "{text}");
    // The text at an earlier point is the earlier text.
    t.ok(&["export", "docx", "--at", "first-draft", "-o", "first.docx"]);
    let first = pandoc_text(&t, "first.docx");
    assert!(first.contains(&clause_text(&t, "first-draft", "2.1")));
    assert!(!first.contains(&adopted));
}

#[test]
fn the_comparative_print_as_word_strikes_inserts_and_names_the_proposer() {
    let t = Travaux::demo();
    let diff = t.json(&["diff", "EB126/8", "WHA63.16", "--clause", "2.1"]);
    let spans = diff["clauses"][0]["text"]["spans"].as_array().unwrap();
    let struck = spans
        .iter()
        .find(|s| s["kind"] == "delete" && s["text"].as_str().unwrap().trim().len() > 2)
        .expect("a struck word in 2.1")["text"]
        .as_str()
        .unwrap()
        .to_string();
    let inserted = spans
        .iter()
        .find(|s| s["kind"] == "insert" && s["text"].as_str().unwrap().trim().len() > 2)
        .expect("an inserted word in 2.1")["text"]
        .as_str()
        .unwrap()
        .to_string();
    t.ok(&[
        "export",
        "docx",
        "--compare",
        "EB126/8",
        "WHA63.16",
        "-o",
        "compare.docx",
    ]);
    let xml = document_xml(&t, "compare.docx");
    let del = xml
        .split("<w:del ")
        .skip(1)
        .find(|d| d.contains(&xml_escaped(&struck)))
        .unwrap_or_else(|| panic!("no w:del holding {struck:?}"));
    assert!(
        del.contains("w:delText") && del.contains("<w:strike"),
        "{del}"
    );
    assert!(
        xml.split("<w:ins ")
            .skip(1)
            .any(|i| i.contains(&xml_escaped(&inserted)) && i.contains("w:u ")),
        "no underlined w:ins holding {inserted:?}"
    );
    // A1 (the USA's, accepted as modified) is named, with its proposer, after 2.1.
    let usa = name_of(&t, "usa");
    assert!(
        xml.contains(&xml_escaped(&usa)),
        "the proposer {usa} is not named"
    );
    assert!(xml.contains("A1, proposed by"), "A1 is not named");
    assert!(
        xml.contains("accepted as modified by consensus"),
        "its decision is not named"
    );
    // And as a Word comment on the clause, by its proposer.
    let comments = part(&t, "compare.docx", "word/comments.xml");
    assert!(
        comments.contains("A1, proposed by")
            && comments.contains(&format!("w:author=\"{}\"", xml_escaped(&usa))),
        "no comment naming A1 by {usa}"
    );
    // pandoc accepts the changes: the text at TO.
    let text = pandoc_text(&t, "compare.docx");
    assert!(text.contains(&clause_text(&t, "WHA63.16", "2.1")), "{text}");
}

#[test]
fn docx_refusals_name_what_was_wrong() {
    let t = Travaux::demo();
    t.refused(&["export", "docx"], 1, &["-o FILE"]);
    t.refused(
        &[
            "export",
            "docx",
            "--compare",
            "WHA63.16",
            "first-draft",
            "-o",
            "x.docx",
        ],
        1,
        &["earlier point first"],
    );
    t.refused(
        &["export", "docx", "--at", "no-such-tag", "-o", "x.docx"],
        1,
        &["no-such-tag"],
    );
    assert!(!t.dir().join("x.docx").exists());
    t.fails(
        &[
            "export",
            "docx",
            "--at",
            "head",
            "--compare",
            "first-draft",
            "head",
            "-o",
            "x.docx",
        ],
        2,
    );
}

/// The CSV, parsed back, row by row against `amend list --all --json`.
fn compare_csv(t: &Travaux, csv_text: &str) {
    let listed = t.json(&["amend", "list", "--all"]);
    let listed = listed.as_array().unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "amendment",
        "proposer",
        "clause",
        "fate",
        "method",
        "yes",
        "no",
        "abstain",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "no column {column}: {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), listed.len(), "one amendment a line");
    assert!(!rows.is_empty());
    let mut votes = 0;
    for (row, a) in rows.iter().zip(listed) {
        assert_eq!(
            row[col("amendment")],
            a["amendment"].as_str().unwrap().to_string()
        );
        assert_eq!(
            row[col("proposer")],
            a["proposer"].as_str().unwrap().to_string()
        );
        assert_eq!(row[col("fate")], a["status"].as_str().unwrap().to_string());
        let handles = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(row[col("supporters")], handles(&a["supporters"]));
        assert_eq!(row[col("opposers")], handles(&a["opposers"]));
        assert_eq!(
            row[col("rationale")],
            a["rationale"].as_str().unwrap_or("").to_string()
        );
        let method = &a["decision"]["method"];
        match method["method"].as_str() {
            Some("vote") => {
                votes += 1;
                assert_eq!(row[col("method")], "vote".to_string());
                for k in ["yes", "no", "abstain"] {
                    assert_eq!(row[col(k)], method[k].to_string(), "{a}");
                }
            }
            Some(m) => assert_eq!(row[col("method")], m.to_string(), "{a}"),
            None => assert_eq!(row[col("method")], "".to_string(), "{a}"),
        }
    }
    assert!(votes > 0, "the demo has amendments decided by vote");
}

#[test]
fn amendments_as_csv_read_back_as_amend_list_says() {
    let t = Travaux::demo();
    let out = t.ok(&["export", "csv"]);
    compare_csv(&t, &out);
    let written = t.ok(&["export", "csv", "-o", "amendments.csv"]);
    assert!(written.contains("amendments.csv"), "{written}");
    let file = std::fs::read_to_string(t.dir().join("amendments.csv")).unwrap();
    assert_eq!(file, out, "the file and stdout differ");
    // The header row first (rationales with commas are quoted: `compare_csv` read them back).
    assert!(out
        .lines()
        .next()
        .unwrap()
        .starts_with("amendment,proposer,"));
}
