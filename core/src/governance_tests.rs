//! Given events, when a governance command, then events or an error; and the property that
//! nothing a non-chair does changes an agreed clause.

use proptest::prelude::*;

use crate::tests::World;
use crate::*;

fn agree(w: &mut World, chair: ParticipantId, label: &str, agreement: Agreement) {
    let clause = w.label(label);
    w.run(chair, Command::RecordAgreement { clause, agreement })
        .unwrap();
}

fn bracket(w: &mut World, who: ParticipantId, label: &str, span: &str) -> Result<(), DomainError> {
    let clause = w.label(label);
    w.run(
        who,
        Command::BracketText {
            clause,
            span: span.into(),
        },
    )
    .map(|_| ())
}

fn reword(w: &World, label: &str, text: &str) -> Command {
    Command::IssueRevision {
        title: None,
        label: None,
        ops: vec![ClauseOp::Reword {
            kind: None,
            notes: Vec::new(),
            clause: w.label(label),
            heading: None,
            text: text.into(),
        }],
    }
}

fn decide(amendment: u32, reopen: bool) -> Command {
    Command::RecordDecision {
        amendment: AmendmentNo(amendment),
        outcome: Outcome::Accepted,
        method: Method::Consensus,
        reopen,
    }
}

#[test]
fn comments_need_an_open_phase_that_admits_the_role() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let jane = w.participant("jane", &[Role::Public]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let post = |text: &str| Command::PostComment {
        clause: None,
        position: Position::Neutral,
        text: text.into(),
        reply_to: None,
    };
    let none = w.run(jane, post("hello")).unwrap_err().to_string();
    assert!(none.contains("none has been opened"), "{none}");

    let session = w.open_phase(PhaseKind::CommitteeSession);
    let refused = w.run(jane, post("hello")).unwrap_err().to_string();
    assert!(
        refused.contains("P1 committee session") && refused.contains("jane (public)"),
        "{refused}"
    );
    // A delegate's comment is taken, and records the phase that took it.
    match &w.run(brazil, post("we agree")).unwrap()[..] {
        [Event::CommentPosted { phase, .. }] => assert_eq!(*phase, Some(session)),
        other => panic!("{other:?}"),
    }
    let hearing = w.open_phase(PhaseKind::PublicHearing);
    w.run(jane, post("hello")).unwrap();
    assert_eq!(w.doc().phase(hearing).unwrap().participants.len(), 1);
    assert_eq!(w.doc().phase(session).unwrap().comments, 1);

    // Closed, it takes nothing more; closing twice is refused.
    let s2 = w.doc().created_by;
    w.run(s2, Command::ClosePhase(hearing)).unwrap();
    assert!(w.run(jane, post("again")).is_err());
    assert!(w
        .run(s2, Command::ClosePhase(hearing))
        .unwrap_err()
        .to_string()
        .contains("already closed"));
}

#[test]
fn an_agreed_clause_changes_only_through_a_decision_that_reopens_it() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    agree(&mut w, chair, "1.1", Agreement::Agreed);

    let refused = w.run(s, reword(&w, "1.1", "Other words.")).unwrap_err();
    assert!(
        refused.to_string().contains("1.1 is agreed") && refused.to_string().contains("reopen"),
        "{refused}"
    );
    // A proposal is not a change; accepting it is, and needs the reopening.
    w.run(
        brazil,
        Command::ProposeAmendment {
            change: Change::Replace {
                clause: w.label("1.1"),
                text: "Recruit fairly.".into(),
            },
            rationale: None,
        },
    )
    .unwrap();
    assert!(w.run(chair, decide(1, false)).is_err());
    let events = w.run(chair, decide(1, true)).unwrap();
    assert!(matches!(
        events[0],
        Event::AgreementRecorded {
            agreement: Agreement::Open,
            ..
        }
    ));
    assert_eq!(
        w.doc().clause(w.label("1.1")).unwrap().text,
        "Recruit fairly."
    );
    assert_eq!(w.doc().agreement_of(w.label("1.1")), Agreement::Open);
    // Reopening what is open is refused.
    assert!(w.run(chair, decide(1, true)).is_err());
}

#[test]
fn brackets_alternatives_and_their_resolution() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let norway = w.participant("norway", &[Role::Delegate]);

    assert!(bracket(&mut w, brazil, "1.2", "not there").is_err());
    assert!(bracket(&mut w, brazil, "1.2", "").is_err());
    bracket(&mut w, brazil, "1.2", "shall be compensated").unwrap();
    assert!(bracket(&mut w, norway, "1.2", "be compensated")
        .unwrap_err()
        .to_string()
        .contains("overlaps B1"));
    bracket(&mut w, norway, "1.2", "Source countries").unwrap();
    let c = w.doc().clause(w.label("1.2")).unwrap();
    assert_eq!(
        w.doc().bracketed_text(c),
        "[Source countries] [shall be compensated]."
    );
    let alternative = |text: &str| Command::ProposeAmendment {
        change: Change::Alternative {
            clause: w.label("1.2"),
            bracket: BracketNo(1),
            text: text.into(),
        },
        rationale: None,
    };
    let (a1, a2) = (
        alternative("should be assisted"),
        alternative("may be helped"),
    );
    w.run(norway, a1).unwrap();
    w.run(brazil, a2).unwrap();
    let c = w.doc().clause(w.label("1.2")).unwrap();
    assert_eq!(
        w.doc().bracketed_text(c),
        "[Source countries] [Alt 1: shall be compensated] [Alt 2: should be assisted] [Alt 3: may be helped]."
    );
    // Agreeing a clause with open brackets is refused.
    let clause = w.label("1.2");
    assert!(w
        .run(
            chair,
            Command::RecordAgreement {
                clause,
                agreement: Agreement::Agreed
            }
        )
        .unwrap_err()
        .to_string()
        .contains("open brackets (B2, B1)"));

    // Accepting A1 resolves B1 and rejects its rival A2 in the same decision.
    let events = w.run(chair, decide(1, false)).unwrap();
    assert_eq!(events.len(), 2);
    assert!(matches!(
        &events[1],
        Event::DecisionRecorded {
            amendment: AmendmentNo(2),
            outcome: Outcome::Rejected,
            ..
        }
    ));
    let doc = w.doc();
    assert_eq!(
        doc.clause(clause).unwrap().text,
        "Source countries should be assisted."
    );
    assert!(matches!(
        doc.bracket(BracketNo(1)).unwrap().status,
        BracketStatus::Resolved {
            amendment: AmendmentNo(1),
            ..
        }
    ));
    // Lifting B2 keeps the words as drafted.
    w.run(
        chair,
        Command::LiftBracket {
            bracket: BracketNo(2),
            method: Method::Consensus,
        },
    )
    .unwrap();
    let c = w.doc().clause(clause).unwrap();
    assert_eq!(
        w.doc().bracketed_text(c),
        "Source countries should be assisted."
    );
    assert!(w
        .run(
            chair,
            Command::LiftBracket {
                bracket: BracketNo(2),
                method: Method::Consensus
            }
        )
        .is_err());
}

#[test]
fn a_change_that_takes_the_bracketed_words_out_overtakes_the_bracket() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    bracket(&mut w, brazil, "1.2", "compensated").unwrap();
    w.run(s, reword(&w, "1.2", "Source countries shall be assisted."))
        .unwrap();
    assert!(matches!(
        w.doc().bracket(BracketNo(1)).unwrap().status,
        BracketStatus::Overtaken { .. }
    ));
}

#[test]
fn adoption_freezes_the_text_but_not_the_review() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let adopt = |symbol: &str| Command::Adopt {
        symbol: symbol.into(),
        method: Method::Consensus,
    };
    bracket(&mut w, brazil, "1.2", "compensated").unwrap();
    assert!(w
        .run(chair, adopt("WHA63.16"))
        .unwrap_err()
        .to_string()
        .contains("open brackets (B1)"));
    w.run(
        chair,
        Command::LiftBracket {
            bracket: BracketNo(1),
            method: Method::Consensus,
        },
    )
    .unwrap();
    let head = w.doc().seq;
    let events = w.run(chair, adopt("WHA63.16")).unwrap();
    assert_eq!(
        events[0],
        Event::TagSet {
            name: "WHA63.16".into(),
            seq: head
        }
    );
    assert_eq!(w.doc().agreement_of(w.label("2.1")), Agreement::Agreed);

    let refused = w.run(s, reword(&w, "1.1", "Other words.")).unwrap_err();
    assert!(matches!(refused, DomainError::Adopted { .. }), "{refused}");
    assert!(bracket(&mut w, brazil, "1.1", "ethically").is_err());
    let review = w.open_phase(PhaseKind::Review);
    w.run(
        brazil,
        Command::PostComment {
            clause: None,
            position: Position::Neutral,
            text: "ten years on".into(),
            reply_to: None,
        },
    )
    .unwrap();
    assert_eq!(w.doc().phase(review).unwrap().comments, 1);
}

#[test]
fn reports_need_an_open_reporting_round() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let report = || Command::SubmitReport {
        text: "national report".into(),
    };
    w.open_phase(PhaseKind::Review);
    assert!(w
        .run(brazil, report())
        .unwrap_err()
        .to_string()
        .contains("reporting round"));
    let round = w.open_phase(PhaseKind::ReportingRound);
    match &w.run(brazil, report()).unwrap()[..] {
        [Event::ReportSubmitted { phase, report, .. }] => {
            assert_eq!((*phase, *report), (round, ReportNo(1)))
        }
        other => panic!("{other:?}"),
    }
    // The secretariat does not report.
    assert!(matches!(
        w.run(s, report()),
        Err(DomainError::NotAllowed { .. })
    ));
}

#[test]
fn answers_are_comments_that_name_a_question() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    w.open_phase(PhaseKind::RegionalConsultation);
    let answer = |q| Command::AnswerQuestion {
        question: QuestionNo(q),
        clause: None,
        position: Position::Oppose,
        text: "no".into(),
    };
    assert!(w.run(brazil, answer(1)).is_err());
    let clause = w.label("1.2");
    w.run(
        s,
        Command::PoseQuestion {
            group: Some("Box 3: Mutuality of benefits".into()),
            text: "Should destination states compensate source states?".into(),
            clauses: vec![clause],
        },
    )
    .unwrap();
    w.run(brazil, answer(1)).unwrap();
    let q = w.doc().question(QuestionNo(1)).unwrap();
    assert_eq!(q.answers.len(), 1);
    assert_eq!(q.answers[0].participant, brazil);
    assert_eq!(q.answers[0].position, Position::Oppose);
}

/// Something a participant who is not the chair might try.
#[derive(Clone, Debug)]
enum Try {
    Reword(usize, u8),
    Relabel(usize, u8),
    Remove(usize),
    Move(usize, usize),
    Propose(usize, u8),
    Support(u32),
    Bracket(usize, u8),
    Alternative(u32),
    Withdraw(u32),
}

fn tries() -> impl Strategy<Value = Try> {
    prop_oneof![
        (0..5usize, any::<u8>()).prop_map(|(c, n)| Try::Reword(c, n)),
        (0..5usize, any::<u8>()).prop_map(|(c, n)| Try::Relabel(c, n)),
        (0..5usize).prop_map(Try::Remove),
        (0..5usize, 0..5usize).prop_map(|(c, a)| Try::Move(c, a)),
        (0..5usize, any::<u8>()).prop_map(|(c, n)| Try::Propose(c, n)),
        (1..6u32).prop_map(Try::Support),
        (0..5usize, 0..4u8).prop_map(|(c, n)| Try::Bracket(c, n)),
        (1..4u32).prop_map(Try::Alternative),
        (1..6u32).prop_map(Try::Withdraw),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever the secretariat, delegates and the public try, an agreed clause keeps its
    /// text, heading, label, parent and status: only the chair reopens it.
    #[test]
    fn no_sequence_of_commands_by_a_non_chair_changes_an_agreed_clause(
        agreed in proptest::collection::btree_set(0..5usize, 1..3),
        steps in proptest::collection::vec((0..3usize, tries()), 1..40),
    ) {
        let (mut w, s) = World::with_document();
        w.first_draft(s);
        let chair = w.participant("chair", &[Role::Chair]);
        let brazil = w.participant("brazil", &[Role::Delegate]);
        let norway = w.participant("norway", &[Role::Delegate]);
        let ids: Vec<ClauseId> = w.doc().outline().iter().map(|(_, c)| c.id).collect();
        for i in &agreed {
            let label = w.doc().clause(ids[*i]).unwrap().label.clone();
            agree(&mut w, chair, &label, Agreement::Agreed);
        }
        // What the clause itself is: its words, heading, label and parent. (Clauses around it
        // and under it may come and go: they are not agreed.)
        let place = |d: &DocumentState, id: ClauseId| {
            d.clause(id)
                .map(|c| (c.text.clone(), c.heading.clone(), c.label.clone(), c.parent))
        };
        let before: Vec<_> = agreed.iter().map(|i| place(w.doc(), ids[*i])).collect();

        for (who, t) in steps {
            let actor = [s, brazil, norway][who];
            let live = |i: usize| w.doc().clause(ids[i]).is_some();
            let cmd = match t {
                Try::Reword(c, n) if live(c) => Command::IssueRevision { title: None,
                    label: None,
                    ops: vec![ClauseOp::Reword { kind: None,  notes: Vec::new(),  clause: ids[c], heading: None, text: format!("words {n}") }],
                },
                Try::Relabel(c, n) if live(c) => Command::IssueRevision { title: None,
                    label: None,
                    ops: vec![ClauseOp::Relabel { clause: ids[c], label: format!("L{n}") }],
                },
                Try::Remove(c) => Command::IssueRevision { title: None, label: None, ops: vec![ClauseOp::Remove { clause: ids[c] }] },
                Try::Move(c, a) => Command::IssueRevision { title: None,
                    label: None,
                    ops: vec![ClauseOp::Move { clause: ids[c], parent: w.doc().clause(ids[a]).and_then(|x| x.parent), after: Some(ids[a]) }],
                },
                Try::Propose(c, n) => Command::ProposeAmendment {
                    change: Change::Replace { clause: ids[c], text: format!("proposal {n}") },
                    rationale: None,
                },
                Try::Support(a) => Command::SupportAmendment(AmendmentNo(a)),
                Try::Bracket(c, n) => match w.doc().clause(ids[c]) {
                    Some(cl) if !cl.text.is_empty() => Command::BracketText {
                        clause: ids[c],
                        span: cl.text.split_whitespace().nth(n as usize).unwrap_or("x").to_string(),
                    },
                    _ => continue,
                },
                Try::Alternative(b) => match w.doc().process.brackets.get(&BracketNo(b)) {
                    Some(br) => Command::ProposeAmendment {
                        change: Change::Alternative { clause: br.clause, bracket: br.no, text: "other".into() },
                        rationale: None,
                    },
                    None => continue,
                },
                Try::Withdraw(a) => Command::WithdrawAmendment(AmendmentNo(a)),
                _ => continue,
            };
            let _ = w.run(actor, cmd);
        }
        let after: Vec<_> = agreed.iter().map(|i| place(w.doc(), ids[*i])).collect();
        prop_assert_eq!(before, after);
        for i in &agreed {
            prop_assert_eq!(w.doc().agreement_of(ids[*i]), Agreement::Agreed);
        }
    }
}

#[test]
fn only_its_author_retracts_a_comment_and_only_once() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let norway = w.participant("norway", &[Role::Delegate]);
    w.open_phase(PhaseKind::CommitteeSession);
    w.run(
        brazil,
        Command::PostComment {
            clause: None,
            position: Position::Neutral,
            text: "posted by mistake".into(),
            reply_to: None,
        },
    )
    .unwrap();
    let retract = |author| Command::RetractComment {
        comment: CommentNo(1),
        author,
    };
    // Given C1 by brazil, when norway (or the secretariat) retracts it, then refused.
    for who in [norway, s] {
        let refused = w.run(who, retract(brazil)).unwrap_err();
        assert!(
            matches!(refused, DomainError::NotTheAuthor { ref author, .. } if author == "brazil"),
            "{refused}"
        );
    }
    // A comment that does not exist.
    let unknown = w
        .run(
            brazil,
            Command::RetractComment {
                comment: CommentNo(2),
                author: brazil,
            },
        )
        .unwrap_err();
    assert!(matches!(unknown, DomainError::UnknownComment(CommentNo(2))));
    // When brazil retracts it, then one event, and the state says so.
    let events = w.run(brazil, retract(brazil)).unwrap();
    assert_eq!(
        events,
        vec![Event::CommentRetracted {
            comment: CommentNo(1)
        }]
    );
    assert!(w
        .doc()
        .process
        .retracted_comments
        .contains_key(&CommentNo(1)));
    // Twice: refused.
    let twice = w.run(brazil, retract(brazil)).unwrap_err().to_string();
    assert!(twice.contains("already retracted"), "{twice}");
}

#[test]
fn a_withdrawn_tag_names_nothing_until_set_again() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let first = w.doc().seq;
    let set = |seq| Command::SetTag {
        name: "t".into(),
        seq,
    };
    w.run(s, set(first)).unwrap();
    let withdraw = || Command::WithdrawTag { name: "t".into() };
    // A delegate may not withdraw it.
    assert!(matches!(
        w.run(brazil, withdraw()).unwrap_err(),
        DomainError::NotAllowed { .. }
    ));
    assert_eq!(
        w.run(s, withdraw()).unwrap(),
        vec![Event::TagWithdrawn {
            name: "t".into(),
            seq: first
        }]
    );
    assert!(!w.doc().tags.contains_key("t"));
    // Withdrawn: it is no more, so withdrawing again is refused.
    let again = w.run(s, withdraw()).unwrap_err().to_string();
    assert!(again.contains("no tag t"), "{again}");
    // The name may name another point now.
    w.run(s, set(1)).unwrap();
    assert_eq!(w.doc().tags.get("t"), Some(&1));
}

#[test]
fn a_response_received_earlier_is_taken_by_the_phase_open_when_it_was_received() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let jane = w.participant("jane", &[Role::Public]);
    let hearing = w.open_phase(PhaseKind::PublicHearing);
    let opened = w.doc().phase(hearing).unwrap().opened_at;
    let question = match &w
        .run(
            s,
            Command::PoseQuestion {
                group: None,
                text: "Agencies too?".into(),
                clauses: vec![],
            },
        )
        .unwrap()[..]
    {
        [Event::QuestionPosed { question, .. }] => *question,
        other => panic!("{other:?}"),
    };
    w.run(s, Command::ClosePhase(hearing)).unwrap();
    let closed = w.doc().phase(hearing).unwrap().closed_at.unwrap();
    let respond = |received| Command::RecordResponse {
        question: Some(question),
        clause: None,
        position: Position::Support,
        text: "Yes.".into(),
        received,
    };
    // Closed now, yet the response came while it was open: taken, in that phase, with its time.
    let within = opened + chrono::Duration::seconds(30);
    match &w.run(jane, respond(within)).unwrap()[..] {
        [Event::CommentPosted {
            phase,
            received,
            question: q,
            ..
        }] => {
            assert_eq!(*phase, Some(hearing));
            assert_eq!(*received, Some(within));
            assert_eq!(*q, Some(question));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.doc().question(question).unwrap().answers.len(), 1);
    // Received after it closed, or before it opened: refused, naming when it was held.
    let late = w
        .run(jane, respond(closed + chrono::Duration::seconds(1)))
        .unwrap_err()
        .to_string();
    assert!(
        late.contains("when no phase") && late.contains("P1 public hearing"),
        "{late}"
    );
    let early = w
        .run(jane, respond(opened - chrono::Duration::seconds(1)))
        .unwrap_err()
        .to_string();
    assert!(early.contains("when no phase"), "{early}");
    // A participant with no role in the document is refused, as a comment would be.
    let nobody = w.participant("nobody", &[]);
    assert!(w.run(nobody, respond(within)).is_err());
    // A comment posted now, with the hearing closed, is still refused.
    let now = w
        .run(
            jane,
            Command::PostComment {
                clause: None,
                position: Position::Neutral,
                text: "late".into(),
                reply_to: None,
            },
        )
        .unwrap_err()
        .to_string();
    assert!(now.contains("no open phase"), "{now}");
}
