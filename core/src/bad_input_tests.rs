//! Bad input refused by `decide` with a message naming what was wrong, nothing recorded.

use crate::tests::World;
use crate::*;

fn propose(w: &mut World, who: ParticipantId, change: Change) -> Result<Vec<Event>, DomainError> {
    w.run(
        who,
        Command::ProposeAmendment {
            change,
            rationale: None,
        },
    )
}

#[test]
fn an_amendment_with_empty_or_blank_text_is_refused() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let before = w.log.len();
    let p11 = w.label("1.1");
    for text in ["", "   ", " \n\t "] {
        let e = propose(
            &mut w,
            brazil,
            Change::Replace {
                clause: p11,
                text: text.into(),
            },
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(m.contains("proposed text of 1.1 is empty"), "{m}");
        assert!(
            m.contains("propose its deletion"),
            "names the way to take a clause out: {m}"
        );
        assert!(
            matches!(&e, DomainError::EmptyProposal { clause, blank } if clause == "1.1" && *blank != text.is_empty()),
            "typed, so the CLI can name its flag: {e:?}"
        );
        let new = ClauseId(w.id());
        let article = w.label("Article 1");
        let e = propose(
            &mut w,
            brazil,
            Change::Insert {
                clause: new,
                parent: Some(article),
                after: Some(p11),
                label: "1.1a".into(),
                text: text.into(),
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("new clause 1.1a is empty"), "{e}");
    }
    assert_eq!(w.log.len(), before, "nothing recorded");
    assert_eq!(
        w.doc().clause(p11).unwrap().text,
        "Health personnel shall be recruited ethically."
    );
    // Wording that is not blank is taken.
    propose(
        &mut w,
        brazil,
        Change::Replace {
            clause: p11,
            text: " Recruitment shall be ethical. ".into(),
        },
    )
    .unwrap();
}

fn add(
    clause: ClauseId,
    parent: Option<ClauseId>,
    after: Option<ClauseId>,
    label: &str,
) -> ClauseOp {
    ClauseOp::Add {
        kind: None,
        notes: Vec::new(),
        clause,
        parent,
        after,
        label: label.into(),
        heading: None,
        text: format!("Text of {label}."),
    }
}

fn revision(ops: Vec<ClauseOp>) -> Command {
    Command::IssueRevision {
        label: None,
        title: None,
        ops,
    }
}

#[test]
fn labels_are_compared_once_normalized_and_look_alikes_stay_distinct() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let before = w.log.len();
    let article = w.label("Article 1");
    let p12 = w.label("1.2");
    // Full-width digits name the clause the plain ones name.
    assert_eq!(w.doc().resolve_clause("１.２"), Ok(p12));
    assert_eq!(w.doc().resolve_clause("Article 1 １.２"), Ok(p12));
    // A new sibling equal once normalized is refused, naming the sibling.
    let new = ClauseId(w.id());
    let e = w
        .run(
            s,
            revision(vec![add(new, Some(article), Some(p12), "１.２")]),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("'１.２' reads '1.2'"), "{e}");
    assert!(e.contains("its sibling 1.2 under Article 1"), "{e}");
    assert!(e.contains("NFKC"), "{e}");
    assert_eq!(w.log.len(), before, "nothing recorded");
    let new = ClauseId(w.id());
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let before_insert = w.log.len();
    let e = propose(
        &mut w,
        brazil,
        Change::Insert {
            clause: new,
            parent: Some(article),
            after: Some(p12),
            label: "１.１".into(),
            text: "Another.".into(),
        },
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("its sibling 1.1 under Article 1"),
        "{e}"
    );
    assert_eq!(w.log.len(), before_insert, "nothing recorded");
    // Control and invisible characters are refused in a label.
    for label in ["1.3\u{200B}", "1.3\u{0007}", "\u{202E}1.3"] {
        let new = ClauseId(w.id());
        let e = w
            .run(s, revision(vec![add(new, Some(article), Some(p12), label)]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("invisible") || e.contains("control"),
            "{label:?}: {e}"
        );
    }
    assert_eq!(w.log.len(), before_insert, "nothing recorded");

    // (l), (1) and (I) are three labels; ⑴ is (1).
    let p21 = w.label("2.1");
    let ids: Vec<ClauseId> = (0..3).map(|_| ClauseId(w.id())).collect();
    w.run(
        s,
        revision(vec![
            add(ids[0], Some(p21), None, "(l)"),
            add(ids[1], Some(p21), Some(ids[0]), "(1)"),
            add(ids[2], Some(p21), Some(ids[1]), "(I)"),
        ]),
    )
    .unwrap();
    for (label, id) in ["(l)", "(1)", "(I)"].iter().zip(&ids) {
        assert_eq!(w.doc().resolve_clause(label), Ok(*id), "{label}");
    }
    assert_eq!(w.doc().resolve_clause("⑴"), Ok(ids[1]));
    let extra = ClauseId(w.id());
    let e = w
        .run(s, revision(vec![add(extra, Some(p21), Some(ids[2]), "⑴")]))
        .unwrap_err();
    assert!(e.to_string().contains("'⑴' reads '(1)'"), "{e}");
}

/// Core's refusals name nothing of the command line (ARCHITECTURE.md's invariant): the CLI
/// says the way out with its own commands and flags, from the typed error. No line of core's
/// code (tests and comments aside) holds `--` followed by a letter, or a `` `travaux `` command.
#[test]
fn no_refusal_names_a_flag_or_command_of_the_command_line() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".rs") || name.contains("tests") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let code = source.split("#[cfg(test)]\nmod tests").next().unwrap();
            for (i, line) in code.lines().enumerate() {
                let code = line.split("//").next().unwrap();
                let flag = code
                    .match_indices("--")
                    .any(|(k, _)| code[k + 2..].starts_with(|c: char| c.is_ascii_lowercase()));
                if flag || code.contains("`travaux ") {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}
