//! Word-level amendments through `decide`: proposed, accepted, rejected, refused when their
//! words are gone, and blamed for exactly the words they wrote.

use crate::blame::{blame, Blame};
use crate::tests::World;
use crate::words::{WordAction, WordEdit};
use crate::*;

fn words(action: WordAction, words: &str, by: &str, occurrence: Option<u32>) -> WordEdit {
    WordEdit {
        action,
        words: words.into(),
        by: by.into(),
        occurrence,
        context_before: String::new(),
        context_after: String::new(),
    }
}

struct Committee {
    w: World,
    s: ParticipantId,
    chair: ParticipantId,
    brazil: ParticipantId,
}

impl Committee {
    fn new() -> Self {
        let (mut w, s) = World::with_document();
        w.first_draft(s);
        let chair = w.participant("chair", &[Role::Chair]);
        let brazil = w.participant("brazil", &[Role::Delegate]);
        Committee {
            w,
            s,
            chair,
            brazil,
        }
    }

    fn propose(&mut self, clause: &str, edit: WordEdit) -> Result<Change, DomainError> {
        let clause = self.w.label(clause);
        match &self.w.run(
            self.brazil,
            Command::ProposeAmendment {
                change: Change::Words { clause, edit },
                rationale: None,
            },
        )?[..]
        {
            [Event::AmendmentProposed { change, .. }] => Ok(change.clone()),
            other => panic!("{other:?}"),
        }
    }

    fn decide(&mut self, n: u32, outcome: Outcome) -> Result<Vec<Event>, DomainError> {
        self.w.run(
            self.chair,
            Command::RecordDecision {
                amendment: AmendmentNo(n),
                outcome,
                method: Method::Consensus,
                reopen: false,
            },
        )
    }

    fn reword(&mut self, clause: &str, text: &str) {
        let clause = self.w.label(clause);
        self.w
            .run(
                self.s,
                Command::IssueRevision {
                    title: None,
                    label: None,
                    ops: vec![ClauseOp::Reword {
                        kind: None,
                        clause,
                        heading: None,
                        text: text.into(),
                        notes: Vec::new(),
                    }],
                },
            )
            .unwrap();
    }

    fn text_of(&self, clause: &str) -> String {
        let id = self.w.label(clause);
        self.w.doc().clause(id).unwrap().text.clone()
    }
}

#[test]
fn a_proposal_is_stored_as_asked_with_its_anchor_and_the_text_waits_for_the_decision() {
    let mut c = Committee::new();
    let change = c
        .propose("1.1", words(WordAction::Replace, "shall", "should", None))
        .unwrap();
    let Change::Words { edit, .. } = change else {
        panic!("{change:?}")
    };
    assert_eq!(edit.words, "shall");
    assert_eq!(edit.by, "should");
    assert_eq!(edit.context_before, "Health personnel ");
    assert_eq!(edit.context_after, " be recruited ethically.");
    assert_eq!(
        c.text_of("1.1"),
        "Health personnel shall be recruited ethically."
    );
}

#[test]
fn accepted_it_rewords_the_clause_and_rejected_it_does_not() {
    let mut c = Committee::new();
    c.propose("1.1", words(WordAction::Replace, "shall", "should", None))
        .unwrap();
    c.propose(
        "1.2",
        words(WordAction::InsertBefore, "compensated", "fairly", None),
    )
    .unwrap();
    let events = c.decide(1, Outcome::Accepted).unwrap();
    assert!(matches!(
        &events[..],
        [Event::DecisionRecorded { ops, .. }]
            if matches!(&ops[..], [ClauseOp::Reword { text, .. }]
                if text == "Health personnel should be recruited ethically.")
    ));
    c.decide(2, Outcome::Rejected).unwrap();
    assert_eq!(
        c.text_of("1.1"),
        "Health personnel should be recruited ethically."
    );
    assert_eq!(c.text_of("1.2"), "Source countries shall be compensated.");
}

#[test]
fn insertions_and_deletions_apply_where_they_were_anchored() {
    let mut c = Committee::new();
    c.propose(
        "1.1",
        words(
            WordAction::InsertAfter,
            "be recruited",
            "and employed",
            None,
        ),
    )
    .unwrap();
    c.propose("1.2", words(WordAction::Delete, "Source", "", None))
        .unwrap();
    c.decide(1, Outcome::Accepted).unwrap();
    c.decide(2, Outcome::Accepted).unwrap();
    assert_eq!(
        c.text_of("1.1"),
        "Health personnel shall be recruited and employed ethically."
    );
    assert_eq!(c.text_of("1.2"), "countries shall be compensated.");
}

#[test]
fn repeated_words_are_refused_without_an_occurrence_and_the_one_chosen_is_changed() {
    let mut c = Committee::new();
    c.reword("1.1", "States shall recruit and shall train.");
    let before = c.w.log.len();
    let err = c
        .propose("1.1", words(WordAction::Replace, "shall", "should", None))
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"shall\" occurs 2 times in 1.1"), "{err}");
    assert!(
        err.contains("1: States «shall» recruit and shall train."),
        "{err}"
    );
    assert!(
        err.contains("2: States shall recruit and «shall» train."),
        "{err}"
    );
    assert_eq!(c.w.log.len(), before, "nothing recorded");
    c.propose(
        "1.1",
        words(WordAction::Replace, "shall", "should", Some(2)),
    )
    .unwrap();
    // A revision puts another "shall" first: the context still finds the one meant.
    c.reword(
        "1.1",
        "States shall plan. States shall recruit and shall train.",
    );
    c.decide(1, Outcome::Accepted).unwrap();
    assert_eq!(
        c.text_of("1.1"),
        "States shall plan. States shall recruit and should train."
    );
}

#[test]
fn vanished_words_refuse_acceptance_but_not_a_modified_wording_or_a_rejection() {
    let mut c = Committee::new();
    c.propose(
        "1.1",
        words(WordAction::Replace, "ethically", "fairly", None),
    )
    .unwrap();
    c.reword("1.1", "Health personnel shall be recruited with care.");
    let err = c.decide(1, Outcome::Accepted).unwrap_err().to_string();
    assert_eq!(
        err,
        "the words \"ethically\" are no longer in 1.1, which now reads: \"Health personnel \
         shall be recruited with care.\"; accept it as modified (with the clause's whole new \
         wording) or reject it"
    );
    assert!(c.w.doc().amendments[&AmendmentNo(1)].status.is_open());
    c.decide(
        1,
        Outcome::AcceptedAsModified {
            text: "Health personnel shall be recruited fairly and with care.".into(),
        },
    )
    .unwrap();
    assert_eq!(
        c.text_of("1.1"),
        "Health personnel shall be recruited fairly and with care."
    );
    // Rejecting needs no words.
    c.propose("1.2", words(WordAction::Delete, "Source", "", None))
        .unwrap();
    c.reword("1.2", "Countries shall be compensated.");
    c.decide(2, Outcome::Rejected).unwrap();
}

#[test]
fn words_not_in_the_clause_or_empty_new_words_are_refused_when_proposed() {
    let mut c = Committee::new();
    let before = c.w.log.len();
    let err = c
        .propose("1.1", words(WordAction::Replace, "must", "should", None))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("\"must\" is not in 1.1, which reads:"),
        "{err}"
    );
    let err = c
        .propose("1.1", words(WordAction::Replace, "shall", " ", None))
        .unwrap_err()
        .to_string();
    assert!(err.contains("replacement for \"shall\" is empty"), "{err}");
    let err = c
        .propose("1.1", words(WordAction::InsertAfter, "shall", "", None))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "the words to insert are empty");
    assert_eq!(c.w.log.len(), before);
}

#[test]
fn blame_credits_the_amendment_with_the_words_it_wrote_and_no_other() {
    let mut c = Committee::new();
    c.propose("1.1", words(WordAction::Replace, "shall", "should", None))
        .unwrap();
    c.decide(1, Outcome::Accepted).unwrap();
    let mut b = Blame::default();
    for e in &c.w.log {
        b.apply(e);
    }
    let runs = blame(&b, c.w.label("1.1")).unwrap();
    let by_brazil: Vec<&str> = runs
        .iter()
        .filter(|r| r.origin.author == c.brazil)
        .map(|r| r.text)
        .collect();
    assert_eq!(by_brazil, ["should"]);
    let by_secretariat: String = runs
        .iter()
        .filter(|r| r.origin.author == c.s)
        .map(|r| r.text)
        .collect();
    assert_eq!(by_secretariat, "Health personnel  be recruited ethically.");
}
