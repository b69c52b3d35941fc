//! No limits below real texts: a draft of 10 MB is one revision, locally and through `travaux
//! serve`; a clause of 1 MiB is one clause, shown back byte for byte; past the limits (a draft
//! of 16 MiB, a clause of 1 MiB, text and notes together) the refusal names the file, the size
//! and the limit, and nothing is written.

use serde_json::Value;

use crate::client::{issue, remote, remote_ok, serve};
use crate::support::Travaux;

/// The largest draft `import` takes (`MAX_DRAFT_BYTES`).
const MAX_DRAFT: usize = 16 << 20;
/// The longest clause text (`MAX_TEXT`).
const MAX_TEXT: usize = 1 << 20;

/// Words of a text that does not repeat itself: a small generator with a fixed seed, in the
/// language of codes (non-ASCII letters and quotes included, which JSON escapes or not).
struct Words(u64);

impl Words {
    const VOCABULARY: [&'static str; 16] = [
        "the",
        "Member States",
        "shall",
        "Gesundheitsfachkräfte",
        "recruitment",
        "§",
        "\"ethical\"",
        "of",
        "cooperation",
        "données",
        "workforce",
        "and",
        "source countries",
        "Übergang",
        "training",
        "retention",
    ];

    fn word(&mut self) -> &'static str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Self::VOCABULARY[(self.0 % 16) as usize]
    }

    /// A line of text of exactly `len` bytes (no trailing space).
    fn text(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len + 32);
        while s.len() < len {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(self.word());
        }
        while s.len() > len {
            s.pop();
        }
        // A letter of two bytes popped may leave it one short; a space may end it.
        if s.ends_with(' ') {
            s.pop();
        }
        while s.len() < len {
            s.push('x');
        }
        s
    }
}

/// A draft of at least `bytes`: articles of five paragraphs of about 1 KB each.
pub(crate) fn big_draft(bytes: usize) -> (String, usize) {
    let mut words = Words(0x9E37_79B9_7F4A_7C15);
    let mut draft = String::from("# Test Code\n");
    let mut articles = 0;
    while draft.len() < bytes {
        articles += 1;
        draft.push_str(&format!("\n## Article {articles} — Heading {articles}\n\n"));
        for p in 1..=5 {
            draft.push_str(&format!("{p}. {} ({articles}.{p})\n", words.text(1000)));
        }
    }
    (draft, articles)
}

/// The `show --json` clause with this label, at any depth.
fn find<'a>(clauses: &'a [Value], label: &str) -> Option<&'a Value> {
    clauses.iter().find_map(|c| {
        if c["label"] == label {
            return Some(c);
        }
        c["children"]
            .as_array()
            .and_then(|children| find(children, label))
    })
}

#[test]
fn a_draft_of_ten_megabytes_is_one_revision_locally_and_through_the_server() {
    let (draft, articles) = big_draft(10_000_000);
    assert!(draft.len() >= 10_000_000);

    let local = Travaux::fixture();
    local.write("big.md", &draft);
    let out = local.ok(&[
        "--as",
        "secretariat",
        "import",
        "big.md",
        "--revision",
        "R2",
    ]);
    assert!(
        out.contains(&format!("{} added", articles * 6)),
        "every article and paragraph is added:\n{out}"
    );
    // The whole draft is the text: importing it again records nothing.
    let again = local.ok(&["--as", "secretariat", "import", "big.md"]);
    assert!(again.starts_with("nothing to record"), "{again}");
    let last = format!("Article {articles}");
    let shown = local.clauses(&["--clause", &last]);
    let five = find(&shown, "5").or_else(|| find(&shown, &format!("{articles}.5")));
    let five = five.unwrap_or_else(|| panic!("no fifth paragraph in {last}: {shown:?}"));
    assert!(
        five["text"]
            .as_str()
            .unwrap()
            .ends_with(&format!("({articles}.5)")),
        "{five}"
    );
    // One revision, R2, whatever the number of events that store it.
    let revisions: Vec<Value> = local
        .events(&[])
        .into_iter()
        .filter(|e| e["type"] == "revision_issued")
        .collect();
    assert!(revisions.len() > 1, "a 10 MB revision is stored in parts");
    assert!(revisions
        .iter()
        .all(|e| e["event"]["revision"] == 2 || e["event"]["label"] == "D1"));
    let markdown = local.ok(&["show", "--format", "markdown"]);

    // The same draft through a server: the same text.
    let served = Travaux::fixture();
    served.write("big.md", &draft);
    let (secretariat, _) = issue(&served, "secretariat");
    let server = serve(&served);
    let through = remote_ok(
        &served,
        &server.url,
        Some(&secretariat),
        &["import", "big.md", "--revision", "R2"],
    );
    assert!(through.contains("added"), "{through}");
    drop(server);
    assert_eq!(served.ok(&["show", "--format", "markdown"]), markdown);
    assert_eq!(served.json(&["verify"])["problem"], Value::Null);
}

#[test]
fn a_clause_of_one_mebibyte_imports_and_shows_back_byte_identical() {
    let t = Travaux::fixture();
    let long = Words(7).text(MAX_TEXT);
    assert_eq!(long.len(), MAX_TEXT);
    t.write(
        "long.md",
        format!("# Test Code\n\n## Article 1 — Definitions\n\n1. {long}\n2. Short.\n"),
    );
    t.ok(&[
        "--as",
        "secretariat",
        "import",
        "long.md",
        "--revision",
        "D2",
    ]);
    let shown = t.clauses(&["--clause", "Article 1"]);
    let first = find(&shown, "1.1").unwrap_or_else(|| panic!("no 1.1 in {shown:?}"));
    assert!(
        first["text"] == long.as_str(),
        "1.1 is not shown back as imported"
    );
    assert_eq!(t.json(&["verify"])["problem"], Value::Null);
    // The Markdown of the text holds it as written, and imports back to nothing new.
    let markdown = t.ok(&["show", "--format", "markdown"]);
    assert!(markdown.contains(&long));
    t.write("back.md", &markdown);
    let again = t.ok(&["--as", "secretariat", "import", "back.md"]);
    assert!(again.starts_with("nothing to record"), "{again}");

    // One byte more is refused, naming the clause, its size and the limit.
    let longer = format!("{long}y");
    t.write(
        "longer.md",
        format!("# Test Code\n\n## Article 1 — Definitions\n\n1. {longer}\n"),
    );
    t.refused(
        &["--as", "secretariat", "import", "longer.md"],
        1,
        &[
            "longer.md",
            "1.1",
            &format!("{} bytes", MAX_TEXT + 1),
            &MAX_TEXT.to_string(),
        ],
    );
}

#[test]
fn a_draft_over_the_limit_is_refused_locally_and_through_the_server_writing_nothing() {
    let (draft, _) = big_draft(MAX_DRAFT + 1);
    assert!(draft.len() > MAX_DRAFT);
    let t = Travaux::fixture();
    t.write("huge.md", &draft);
    let size = format!("{} bytes", draft.len());
    t.refused(
        &["--as", "secretariat", "import", "huge.md"],
        1,
        &["huge.md", &size, &MAX_DRAFT.to_string()],
    );
    let before = t.head();
    let (secretariat, _) = issue(&t, "secretariat");
    let issued = t.head();
    assert_ne!(issued, before);
    let server = serve(&t);
    let out = remote(
        &t,
        &server.url,
        Some(&secretariat),
        &["import", "huge.md", "--revision", "R2"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("huge.md")
            && out.stderr.contains(&size)
            && out.stderr.contains(&MAX_DRAFT.to_string()),
        "{}",
        out.stderr
    );
    drop(server);
    assert_eq!(t.head(), issued);
}
