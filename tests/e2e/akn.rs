//! End-to-end tests of Akoma Ntoso: `export akn` validated against the OASIS schema with
//! xmllint (Debian's libxml2-utils), `import` of an Akoma Ntoso act with its own tree, and an
//! export that imports back to the same text.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::client::{issue, remote, remote_ok, serve};
use crate::support::Travaux;

/// `shared/schemas/akn/` beside the repository checkout.
fn schemas() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/schemas/akn");
    assert!(
        dir.join("akomantoso30.xsd").is_file(),
        "the Akoma Ntoso schema is not at {}: the tests need shared/ beside the repository",
        dir.display()
    );
    dir
}

/// Validate a file against the Akoma Ntoso 3.0 schema; panics with xmllint's message if not.
fn validate(file: &Path) {
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas().join("akomantoso30.xsd"))
        .arg(file)
        .output()
        .expect("xmllint runs (install Debian's libxml2-utils)");
    assert!(
        out.status.success(),
        "{} does not validate:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh store with one document, `copy`, and a secretariat to import into it.
fn fresh() -> Travaux {
    let t = Travaux::new();
    t.create(&["init"]);
    t.ok(&[
        "participant",
        "add",
        "secretariat",
        "--name",
        "The Secretariat",
        "--kind",
        "secretariat",
    ]);
    t.ok(&[
        "--as",
        "secretariat",
        "doc",
        "new",
        "copy",
        "--title",
        "Copy",
    ]);
    t
}

/// Import `xml` (an Akoma Ntoso file's text) into a fresh store and show its text as Markdown.
fn imported(xml: &str) -> (Travaux, String) {
    let t = fresh();
    t.write("text.xml", xml);
    t.ok(&["--as", "secretariat", "import", "text.xml"]);
    let md = t.ok(&["show", "--format", "markdown"]);
    (t, md)
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn the_demo_exported_at_tags_and_the_head_validates_and_reads_back() {
    let t = Travaux::demo();
    // Every tag of the demo, and the head.
    for at in [
        "first-draft",
        "public-hearing-closed",
        "EB124/13",
        "EB126/8",
        "drafting-committee-report",
        "WHA63.16",
        "head",
    ] {
        let file = t.dir().join(format!("at-{}.xml", at.replace('/', "-")));
        let done = t.ok(&["export", "akn", "--at", at, "-o", file.to_str().unwrap()]);
        assert!(
            done.starts_with("wrote who-code as Akoma Ntoso to "),
            "{done}"
        );
        validate(&file);
        let xml = std::fs::read_to_string(&file).unwrap();
        // Standard output carries the same document.
        assert_eq!(t.ok(&["export", "akn", "--at", at]), xml);
        // The same text, read back into a fresh store.
        let (_, md) = imported(&xml);
        assert_eq!(
            md,
            t.ok(&["show", "--at", at, "--format", "markdown"]),
            "the text at {at} does not read back"
        );
    }
    // The lifecycle has one event per text change up to the point: the first draft alone,
    // then three revisions.
    let first = t.ok(&["export", "akn", "--at", "first-draft"]);
    assert_eq!(count(&first, "<eventRef "), 1, "{first}");
    assert!(first.contains("type=\"generation\""));
    let eb126 = t.ok(&["export", "akn", "--at", "EB126/8"]);
    assert_eq!(count(&eb126, "<eventRef "), 3);
    assert!(eb126.contains("showAs=\"revision 3 (EB126/8)\""), "{eb126}");
    // At the head, each accepted amendment is in it, made by its proposer.
    let head = t.ok(&["export", "akn"]);
    let all = t.json(&["amend", "list", "--all"]);
    let accepted: Vec<&Value> = all
        .as_array()
        .expect("a list of amendments")
        .iter()
        .filter(|a| {
            a["decision"]["status"] == "decided"
                && a["decision"]["outcome"]["outcome"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("accepted"))
        })
        .collect();
    assert!(accepted.len() > 5, "{all}");
    for a in &accepted {
        let no = a["amendment"].as_str().unwrap();
        let seq = a["decision"]["seq"].as_u64().unwrap();
        let proposer = a["proposer"].as_str().unwrap();
        assert!(
            head.contains(&format!("showAs=\"amendment {no} accepted\"")),
            "no lifecycle event for {no}"
        );
        assert!(
            head.contains(&format!("<eventRef eId=\"evt_{seq}\"")),
            "no eventRef for {no} at {seq}"
        );
        assert!(
            head.contains(&format!(
                "source=\"#{proposer}\" type=\"amendment\" refersTo=\"#event_{seq}\""
            )),
            "{no} is not made by {proposer}"
        );
        assert!(head.contains(&format!(
            "eId=\"{proposer}\" href=\"/travaux/participant/{proposer}\""
        )));
    }
    // wIds are the clauses' ids; eIds follow the labels.
    let show = t.json(&["show"]);
    let first_clause = &show["clauses"][0];
    assert!(head.contains(&format!("wId=\"{}\"", first_clause["id"].as_str().unwrap())));
    assert!(head.contains("<article eId=\"art_1\""), "{head}");
    assert!(head.contains("eId=\"art_5__para_5.1\""), "{head}");
}

#[test]
fn the_example_act_imports_with_its_own_tree_and_round_trips() {
    let act = std::fs::read_to_string(schemas().join("example-act-queensland-1994.xml")).unwrap();
    let t = fresh();
    t.write("act.xml", &act);
    let plan = t.json(&["--as", "secretariat", "import", "--dry-run", "act.xml"]);
    let tree = &plan["tree"];
    assert_eq!(tree[0]["label"], "Chapter 1");
    assert_eq!(tree[0]["kind"], "chapter");
    let part = &tree[1]["children"][0];
    assert_eq!(part["label"], "2");
    assert_eq!(part["kind"], "part");
    assert_eq!(part["heading"], "Some Part");
    let sub = &tree[1]["children"][0]["children"][0]["children"][0];
    assert_eq!(sub["label"], "Subsection 1");
    assert_eq!(sub["kind"], "subsection");
    assert_eq!(sub["text"], "Always have notes. [^1]");
    assert_eq!(sub["notes"][0]["text"], "This is a note");

    t.ok(&["--as", "secretariat", "import", "act.xml"]);
    let show = t.json(&["show"]);
    assert_eq!(
        show["document"]["title"],
        "Wet Tropics of Queensland World Heritage Area Conservation Act 1994"
    );
    let labels: Vec<&str> = show["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Chapter 1",
            "1",
            "Section 1",
            "Subsection 1",
            "Chapter 2",
            "2",
            "Section 1",
            "Subsection 1"
        ]
    );
    // Exported, it validates and imports back to the same text.
    let xml = t.ok(&["export", "akn"]);
    let file = t.write("again.xml", &xml);
    validate(&file);
    let (copy, md) = imported(&xml);
    assert_eq!(md, t.ok(&["show", "--format", "markdown"]));
    assert_eq!(copy.ok(&["show"]), t.ok(&["show"]));
    // Importing the export again records nothing.
    let again = t.ok(&["--as", "secretariat", "import", "again.xml"]);
    assert!(again.starts_with("nothing to record"), "{again}");
}

#[test]
fn a_real_law_imported_exports_valid_and_reads_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/real");
    for law in [
        "de-abgg/2021-10-08.md",
        "fr-constitution-1958/2005-03-02.md",
        "us-frcp-26/2020.md",
    ] {
        let t = fresh();
        let md = std::fs::read_to_string(root.join(law)).unwrap();
        t.write("law.md", &md);
        t.ok(&["--as", "secretariat", "import", "law.md"]);
        let file = t.dir().join("law.xml");
        t.ok(&["export", "akn", "-o", file.to_str().unwrap()]);
        validate(&file);
        let (_, again) = imported(&std::fs::read_to_string(&file).unwrap());
        assert_eq!(
            again,
            t.ok(&["show", "--format", "markdown"]),
            "{law} does not read back"
        );
    }
}

#[test]
fn bad_akoma_ntoso_is_refused_and_nothing_written() {
    let t = fresh();
    t.write("broken.xml", "<akomaNtoso>\n<act>\n<body>\n</act>\n");
    t.refused(
        &["--as", "secretariat", "import", "broken.xml"],
        1,
        &["broken.xml", "line 4", "well-formed"],
    );
    t.write("page.xml", "<html><body/></html>");
    t.refused(
        &["--as", "secretariat", "import", "page.xml"],
        1,
        &["page.xml", "not an Akoma Ntoso document"],
    );
    // A Markdown draft named as Akoma Ntoso is read as what it is said to be.
    t.write("draft.md", "# Code\n\n## Article 1\n\nText.\n");
    t.refused(
        &[
            "--as",
            "secretariat",
            "import",
            "--format",
            "akn",
            "draft.md",
        ],
        1,
        &["draft.md", "xml"],
    );
    // An empty text has nothing to export; a bad code is named.
    t.refused(&["export", "akn"], 1, &["empty", "nothing to export"]);
    t.ok(&["--as", "secretariat", "import", "draft.md"]);
    t.refused(&["export", "akn", "--country", "U N"], 1, &["--country"]);
}

#[test]
fn through_a_server_the_export_is_the_answer_and_an_akoma_ntoso_file_is_sent() {
    let t = Travaux::fixture();
    let local = t.ok(&["export", "akn"]);
    let (secretariat, _) = issue(&t, "secretariat");
    let server = serve(&t);
    let through = remote_ok(&t, &server.url, Some(&secretariat), &["export", "akn"]);
    assert_eq!(through, local);
    // -o would write where the server runs: refused.
    let out = remote(
        &t,
        &server.url,
        Some(&secretariat),
        &["export", "akn", "-o", "x.xml"],
    );
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("leave -o out"), "{}", out.stderr);
    assert!(!t.dir().join("x.xml").exists());
    // An Akoma Ntoso file is sent with the command and read by the server.
    let act = std::fs::read_to_string(schemas().join("example-act-queensland-1994.xml")).unwrap();
    t.write("act.xml", &act);
    let done = remote_ok(
        &t,
        &server.url,
        Some(&secretariat),
        &["import", "act.xml", "--revision", "AKN"],
    );
    assert!(done.starts_with("recorded revision"), "{done}");
    drop(server);
    let (_, md) = imported(&act);
    assert_eq!(t.ok(&["show", "--format", "markdown"]), md);
}
