//! Tests of reading drafts: numbering styles, headings, Markdown constructs, warnings.

use super::*;

/// The tree as indented lines: `label [kind] heading | text`.
pub(crate) fn outline(d: &Draft) -> String {
    fn walk(cs: &[DraftClause], depth: usize, out: &mut String) {
        for c in cs {
            out.push_str(&"  ".repeat(depth));
            out.push_str(&c.label);
            if let Some(k) = c.kind {
                out.push_str(&format!(" [{}]", k.name()));
            }
            if let Some(h) = &c.heading {
                out.push_str(&format!(" {h}"));
            }
            if !c.text.is_empty() {
                out.push_str(&format!(" | {}", c.text.replace('\n', "⏎")));
            }
            for n in &c.notes {
                out.push_str(&format!(" {{^{}: {}}}", n.mark, n.text));
            }
            out.push('\n');
            walk(&c.children, depth + 1, out);
        }
    }
    let mut out = String::new();
    walk(&d.clauses, 0, &mut out);
    out
}

fn read(md: &str) -> Draft {
    parse_draft(md.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{md}"))
}

fn tree(md: &str) -> String {
    outline(&read(md))
}

fn warnings(md: &str) -> Vec<String> {
    read(md).warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn every_heading_level_is_a_level_of_the_tree() {
    let md = "\
# Code of Laws

## Book 1 — General

### Part One

#### Title I

##### Chapter 1

###### Section 1

(1) Deep text.

##### Chapter 2

###### Article 5

Text of article 5.

## Book 2
";
    let d = read(md);
    assert_eq!(d.title.as_deref(), Some("Code of Laws"));
    assert_eq!(
        outline(&d),
        "\
Book 1 [book] General
  Part One [part]
    Title I [title]
      Chapter 1 [chapter]
        Section 1 [section]
          (1) [paragraph] | Deep text.
      Chapter 2 [chapter]
        Article 5 [article] | Text of article 5.
Book 2 [book]
"
    );
    // Six levels of clauses: with no title heading, `#` is a level like the others.
    let md = "# A\n\n## B\n\n### C\n\n#### D\n\n##### E\n\n###### F\n\nText.\n\n# G\n";
    let d = read(md);
    assert_eq!(d.title, None);
    assert_eq!(
        outline(&d),
        "A [hcontainer]\n  B [hcontainer]\n    C [hcontainer]\n      D [hcontainer]\n        E [hcontainer]\n          F [hcontainer] | Text.\nG [hcontainer]\n"
    );
}

#[test]
fn a_heading_goes_under_the_nearest_heading_of_a_lower_level() {
    // A level skipped (## then ####) still nests; a ### after #### closes the ####.
    let md = "## Part 1\n\n#### Article 1\n\n### Chapter 2\n\n#### Article 2\n\n## Part 2\n";
    assert_eq!(
        tree(md),
        "Part 1 [part]\n  Article 1 [article]\n  Chapter 2 [chapter]\n    Article 2 [article]\nPart 2 [part]\n"
    );
}

#[test]
fn front_matter_is_metadata_and_its_title_the_title() {
    let md = "---\ntitle: Code\nsymbol: A/RES/64/1\ndate: 2010-05-21\nsponsors: [Brazil, Norway]\n---\n\n# Preamble\n\nRecalling.\n";
    let d = read(md);
    assert_eq!(d.title.as_deref(), Some("Code"));
    assert_eq!(d.meta["symbol"], "A/RES/64/1");
    assert_eq!(d.meta["date"], "2010-05-21");
    assert_eq!(d.meta["sponsors"], "Brazil, Norway");
    // With a title in the front matter, a `#` heading is a clause.
    assert_eq!(outline(&d), "Preamble [hcontainer] | Recalling.\n");
    // A `#` heading that repeats the front matter's title is the title, not a clause.
    let d = read("---\ntitle: Code of Laws\n---\n\n# Code of Laws (CL)\n\n## § 1\n\nText.\n");
    assert_eq!(d.title.as_deref(), Some("Code of Laws"));
    assert_eq!(outline(&d), "§ 1 [article] | Text.\n");
    // Two `#` headings: neither is the title.
    let d = read("# One\n\nText.\n\n# Two\n");
    assert_eq!(d.title, None);
    assert_eq!(outline(&d), "One [hcontainer] | Text.\nTwo [hcontainer]\n");
    // A `#` after another heading is not the title either.
    let d = read("## Article 1\n\n# Late\n");
    assert_eq!(d.title, None);
}

#[test]
fn typed_numbers_nest_by_style_and_close_back_to_an_open_style() {
    let md = "\
## § 5 Rules

(1) First paragraph:

1. item one,

a) letter a,

b) letter b,

2. item two.

(2) Second paragraph.

(3) Third:

1.1 decimal;

1.1.1 deeper;

1.2 decimal two.
";
    assert_eq!(
        tree(md),
        "\
§ 5 [article] Rules
  (1) [paragraph] | First paragraph:
    1. [point] | item one,
      a) [point] | letter a,
      b) [point] | letter b,
    2. [point] | item two.
  (2) [paragraph] | Second paragraph.
  (3) [paragraph] | Third:
    1.1 [point] | decimal;
      1.1.1 [point] | deeper;
    1.2 [point] | decimal two.
"
    );
    assert!(warnings(md).is_empty(), "{:?}", warnings(md));
}

#[test]
fn every_typed_style_gives_its_label() {
    for (number, label) in [
        ("1.1", "1.1"),
        ("1.1.2", "1.1.2"),
        ("(1)", "(1)"),
        ("(1a)", "(1a)"),
        ("9a.", "9a."),
        ("(a)", "(a)"),
        ("a)", "a)"),
        ("(aa)", "(aa)"),
        ("(i)", "(i)"),
        ("i)", "i)"),
        ("(A)", "(A)"),
        ("IV.", "IV."),
        ("**2.3**", "2.3"),
    ] {
        let d = read(&format!("## Article 1\n\n{number} The text.\n"));
        let c = &d.clauses[0].children[0];
        assert_eq!(
            (c.label.as_str(), c.text.as_str()),
            (label, "The text."),
            "{number}"
        );
    }
}

#[test]
fn letters_and_roman_numerals_are_told_apart_by_their_siblings() {
    let md = "## Article 1\n\n(g) g\n\n(h) h\n\n(i) i the letter\n\n(j) j\n";
    assert_eq!(
        tree(md),
        "Article 1 [article]\n  (g) [paragraph] | g\n  (h) [paragraph] | h\n  (i) [paragraph] | i the letter\n  (j) [paragraph] | j\n"
    );
    let md = "## Article 1\n\n(a) a:\n\n(i) roman one\n\n(ii) roman two\n\n(v) would be a letter\n\n(b) b\n";
    assert_eq!(
        tree(md),
        // (v) follows no roman numeral open: a letter, after (a).
        "Article 1 [article]\n  (a) [paragraph] | a:\n    (i) [point] | roman one\n    (ii) [point] | roman two\n  (v) [paragraph] | would be a letter\n  (b) [paragraph] | b\n"
    );
    // (iv) then (v): roman.
    let md = "## Article 1\n\n(a) a:\n\n(iv) four\n\n(v) five\n";
    assert_eq!(
        tree(md),
        "Article 1 [article]\n  (a) [paragraph] | a:\n    (iv) [point] | four\n    (v) [point] | five\n"
    );
}

#[test]
fn lists_are_numbered_clauses_and_keep_the_order_of_the_source() {
    // `9a.` between `9.` and `10.`: the order of the text, not of the numbers.
    let md = "## § 13\n\n1. one\n2. two\n9. nine\n\n9a. nine a\n\n10. ten\n";
    assert_eq!(
        tree(md),
        "§ 13 [article]\n  1. [paragraph] | one\n  2. [paragraph] | two\n  3. [paragraph] | nine\n  9a. [paragraph] | nine a\n  10. [paragraph] | ten\n"
    );
    // Under `Article N` the items are `N.k`; `- (a)` bullets inside are points.
    let md = "## Article 5\n\n1. Member States:\n   - (a) one;\n   - (b) two.\n2. Second.\n";
    assert_eq!(
        tree(md),
        "Article 5 [article]\n  5.1 [paragraph] | Member States:\n    (a) [point] | one;\n    (b) [point] | two.\n  5.2 [paragraph] | Second.\n"
    );
    // A list that goes on after a paragraph is the same list's level.
    let md = "## Article 5\n\n1. one\n\nmore of one\n\n3. three\n";
    assert_eq!(
        tree(md),
        "Article 5 [article]\n  5.1 [paragraph] | one⏎⏎more of one\n  5.3 [paragraph] | three\n"
    );
    // Items marked `1)` keep their marker; an ordered item's text is its own.
    let md = "## Annex\n\n1) first\n2) (a) not a point\n";
    assert_eq!(
        tree(md),
        "Annex [hcontainer]\n  1) [paragraph] | first\n  2) [paragraph] | \\(a) not a point\n"
    );
}

#[test]
fn bullet_lists_of_unnumbered_items_are_text() {
    let md = "## Article 1\n\nThe parties:\n\n- Brazil;\n- Norway.\n\n(1) First.\n";
    assert_eq!(
        tree(md),
        "Article 1 [article] | The parties:⏎⏎- Brazil;⏎- Norway.\n  (1) [paragraph] | First.\n"
    );
    let md = "## Article 1\n\n- (a) point\n- not a point\n";
    assert_eq!(
        tree(md),
        "Article 1 [article] | - (a) point⏎- not a point\n"
    );
    assert_eq!(
        warnings(md),
        ["line 3: a bullet list where only some items start with a number; kept as text"]
    );
}

#[test]
fn real_texts_constructs_are_kept_as_text_of_their_clause() {
    let md = "\
## Article 1

(1) Table:

| a | b |
|---|---|
| 1 | 2 |

> quoted
> text

```
code
```

<div>html</div>

Term
: Definition

***

Emphasis *kept*, __strong__ written **one way**, `code`.
";
    let d = read(md);
    let p = &d.clauses[0].children[0];
    assert_eq!(
        p.text,
        "Table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n> text\n\n```\ncode\n```\n\n<div>html</div>\n\nTerm\n: Definition\n\n***\n\nEmphasis *kept*, **strong** written **one way**, `code`."
    );
    assert!(d.warnings.is_empty());
}

#[test]
fn footnotes_are_notes_of_the_clause_that_references_them() {
    let md = "\
## Article 1

(1) First[^1] and[^a].

(2) Second[^1].

[^1]: The note,
    on two lines.

[^a]: Another.

[^1]: The second note one.

[^x]: Referenced nowhere.
";
    let d = read(md);
    let ps = &d.clauses[0].children;
    assert_eq!(ps[0].text, "First[^1] and[^a].");
    let notes = |i: usize| -> Vec<(String, String)> {
        ps[i]
            .notes
            .iter()
            .map(|n| (n.mark.clone(), n.text.clone()))
            .collect()
    };
    assert_eq!(
        notes(0),
        [
            ("1".into(), "The note, on two lines.".into()),
            ("a".into(), "Another.".into())
        ]
    );
    assert_eq!(
        notes(1),
        [
            ("1".into(), "The second note one.".into()),
            ("x".into(), "Referenced nowhere.".into())
        ]
    );
    assert_eq!(
        d.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["line 14: footnote [^x] is referenced nowhere; kept as a note of (2)"]
    );
}

#[test]
fn guesses_are_warned_with_their_line() {
    let md = "## Article 1\n\n(a) a\n\n(c) c\n\n(c) again\n\nText.\n\n(d) opens below\n";
    let d = read(md);
    assert_eq!(
        outline(&d),
        "Article 1 [article]\n  (a) [paragraph] | a\n  (c) [paragraph] | c\n  (c)-2 [paragraph] | again⏎⏎Text.\n  (d) [paragraph] | opens below\n"
    );
    assert_eq!(
        warnings(md),
        [
            "line 5: the numbering skips: (c) follows (a); read as its sibling",
            "line 7: the numbering skips: (c) follows (c); read as its sibling",
            "line 7: (c) is used twice under Article 1 (first on line 5); this one is labelled (c)-2",
        ]
    );
    // A paragraph that starts like a number in running text: read as one, and said.
    let md = "## Article 1\n\nText.\n\n(2) as said in the text.\n";
    assert_eq!(
        warnings(md),
        ["line 5: (2) opens a new level of numbering under Article 1 but is not a first number; read as a numbered provision (begin the paragraph with a backslash, \\, if it is running text)"]
    );
    // Escaped, it is text.
    assert_eq!(
        tree("## Article 1\n\nText.\n\n\\(2) as said.\n"),
        "Article 1 [article] | Text.⏎⏎\\(2) as said.\n"
    );
}

#[test]
fn duplicate_headings_are_made_unique_among_siblings_only() {
    let md = "## Annex\n\n### Part 1\n\n## Annex\n\n### Part 1\n";
    assert_eq!(
        tree(md),
        "Annex [hcontainer]\n  Part 1 [part]\nAnnex-2 [hcontainer]\n  Part 1 [part]\n"
    );
}

#[test]
fn preamble_paragraphs_come_before_any_heading() {
    let md = "# Resolution\n\nRecalling;\n\nNoting;\n\n1. Decides;\n2. Requests.\n";
    assert_eq!(
        tree(md),
        "PP1 [recital] | Recalling;\nPP2 [recital] | Noting;\n1. [paragraph] | Decides;\n2. [paragraph] | Requests.\n"
    );
}

#[test]
fn numbered_lines_without_blank_lines_between_are_provisions() {
    let md = "## § 1\n\n(1) First\nwrapped line.\n(2) Second:\na) one;\nb) two.\n\nSee paragraph\n(2) of Article 5.\n";
    assert_eq!(
        tree(md),
        "§ 1 [article]\n  (1) [paragraph] | First wrapped line.\n  (2) [paragraph] | Second:\n    a) [point] | one;\n    b) [point] | two.⏎⏎See paragraph (2) of Article 5.\n"
    );
    let d = read(md);
    let lines: Vec<usize> = d.clauses[0].children[1]
        .children
        .iter()
        .map(|c| c.line)
        .collect();
    assert_eq!(lines, [6, 7]);
}

#[test]
fn numbered_lines_inside_a_list_item_are_its_points() {
    let md = "## Article 5\n\n1. Member States should:\n(a) cooperate;\n(b) report.\n2. Second.\n";
    assert_eq!(
        tree(md),
        "Article 5 [article]\n  5.1 [paragraph] | Member States should:\n    (a) [point] | cooperate;\n    (b) [point] | report.\n  5.2 [paragraph] | Second.\n"
    );
}

#[test]
fn a_number_in_bold_with_its_caption_is_a_provision() {
    let md = "**(a) Required Disclosures.**\n\n**(1) Initial Disclosure.**\n\n**(A) In General.** Except as exempted, a party must:\n\n**(i)** the name;\n\n**(ii)** a copy.\n\n**(B) Proceedings Exempt.** The following:\n\n**(i)** an action;\n\n**(b) Discovery Scope.**\n";
    assert_eq!(
        tree(md),
        "(a) [paragraph] | **Required Disclosures.**\n  (1) [point] | **Initial Disclosure.**\n    (A) [point] | **In General.** Except as exempted, a party must:\n      (i) [point] | the name;\n      (ii) [point] | a copy.\n    (B) [point] | **Proceedings Exempt.** The following:\n      (i) [point] | an action;\n(b) [paragraph] | **Discovery Scope.**\n"
    );
}

#[test]
fn a_wrapped_line_of_running_text_stays_text() {
    // From the German Members Act (§ 6 (2), § 35a (1)): a line that wraps after "Abs." begins
    // with "1)", and one escaped by the source ("22\. Dezember") begins with "22.".
    let md = "## § 6\n\n(1) Erstens.\n\n(2) Stellt der Beamte keinen Antrag, so ruhen die Rechte (§ 5 Abs.\n1) weiter bis zum Eintritt in den Ruhestand.\n\n(3) Die Fassung vom\n22\\. Dezember 1995 gilt fort.\n";
    assert_eq!(
        tree(md),
        "§ 6 [article]\n  (1) [paragraph] | Erstens.\n  (2) [paragraph] | Stellt der Beamte keinen Antrag, so ruhen die Rechte (§ 5 Abs.⏎⏎&#49;) weiter bis zum Eintritt in den Ruhestand.\n  (3) [paragraph] | Die Fassung vom 22. Dezember 1995 gilt fort.\n"
    );
    assert_eq!(warnings(md).len(), 1, "{:?}", warnings(md));
    assert!(warnings(md)[0].starts_with("line 6: a number at the start of a line of running text"));
}

#[test]
fn front_matter_that_is_not_closed_is_refused() {
    let err = parse_draft(b"---\ntitle: x\n\n1. Text of the first paragraph.\n").unwrap_err();
    assert_eq!(err.line, 1);
    assert!(err.message.contains("not closed"), "{}", err.message);
    // A rule at the top followed by a blank line is a rule.
    assert!(parse_draft(b"---\n\n## Article 1\n\nText.\n").is_ok());
}

#[test]
fn a_dotted_number_that_opens_the_next_section_is_no_skip() {
    let md = "1.1 First.\n\n1.2 Second.\n\n2.1 Third.\n\n2.3 Fourth.\n";
    assert_eq!(
        warnings(md),
        ["line 7: the numbering skips: 2.3 follows 2.1; read as its sibling"]
    );
}
