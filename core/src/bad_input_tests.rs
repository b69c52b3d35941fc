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
            m.contains("--delete"),
            "names the way to take a clause out: {m}"
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
