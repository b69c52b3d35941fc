//! Given events, when a command, then events or an error.

use chrono::{TimeZone, Utc};
use uuid::Uuid;

use crate::*;

/// A small world: a registry and one document, with a fixed clock and counter ids.
pub(crate) struct World {
    pub registry: Registry,
    pub doc: Option<DocumentState>,
    pub log: Vec<RecordedEvent>,
    next: u128,
}

impl World {
    pub fn new() -> Self {
        World {
            registry: Registry::default(),
            doc: None,
            log: Vec::new(),
            next: 1,
        }
    }

    pub fn id(&mut self) -> Uuid {
        self.next += 1;
        Uuid::from_u128(self.next)
    }

    pub fn record(&mut self, actor: ParticipantId, stream: StreamId, event: Event) {
        let seq = self.log.len() as u64 + 1;
        let version = self.log.iter().filter(|e| e.stream == stream).count() as u64 + 1;
        let e = RecordedEvent {
            seq,
            id: EventId(self.id()),
            stream,
            version,
            recorded_at: Utc
                .timestamp_opt(1_200_000_000 + seq as i64 * 60, 0)
                .unwrap(),
            actor,
            schema: event.schema(),
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event,
        };
        self.registry.evolve(&e);
        if stream != StreamId::REGISTRY {
            match &mut self.doc {
                None => self.doc = DocumentState::created(&e),
                Some(d) => d.evolve(&e),
            }
        }
        self.log.push(e);
    }

    pub fn participant(&mut self, handle: &str, roles: &[Role]) -> ParticipantId {
        let id = ParticipantId(self.id());
        for e in register_participant(
            &self.registry,
            Acting::Owner,
            id,
            handle,
            handle,
            ParticipantKind::MemberState,
        )
        .unwrap()
        {
            self.record(id, StreamId::REGISTRY, e);
        }
        for role in roles {
            let secretariat = self.secretariat();
            self.run(
                secretariat,
                Command::GrantRole {
                    participant: id,
                    role: *role,
                },
            )
            .unwrap();
        }
        id
    }

    fn secretariat(&self) -> ParticipantId {
        let d = self.doc.as_ref().expect("a document");
        *d.roles
            .iter()
            .find(|(_, r)| r.contains(&Role::Secretariat))
            .unwrap()
            .0
    }

    /// A document created by a new participant "secretariat".
    pub fn with_document() -> (Self, ParticipantId) {
        let mut w = World::new();
        let s = ParticipantId(w.id());
        for e in register_participant(
            &w.registry,
            Acting::Owner,
            s,
            "secretariat",
            "Secretariat",
            ParticipantKind::Secretariat,
        )
        .unwrap()
        {
            w.record(s, StreamId::REGISTRY, e);
        }
        let doc = DocumentId(w.id());
        for e in create_document(&w.registry, s, doc, "code", "A Code").unwrap() {
            w.record(s, StreamId::document(doc), e);
        }
        (w, s)
    }

    /// When: run a command; then: the events it recorded, or the error.
    pub fn run(&mut self, actor: ParticipantId, cmd: Command) -> Result<Vec<Event>, DomainError> {
        let doc = self.doc.clone().expect("a document");
        let events = decide(&doc, actor, &self.registry, cmd)?;
        for e in &events {
            self.record(actor, StreamId::document(doc.id), e.clone());
        }
        Ok(events)
    }

    pub fn doc(&self) -> &DocumentState {
        self.doc.as_ref().unwrap()
    }

    /// Given: the secretariat opens a phase of this kind with the kind's default roles.
    pub fn open_phase(&mut self, kind: PhaseKind) -> PhaseNo {
        let s = self.secretariat();
        match self
            .run(
                s,
                Command::OpenPhase {
                    kind,
                    name: kind.words(),
                    window: Window::default(),
                    admits: None,
                },
            )
            .unwrap()[..]
        {
            [Event::PhaseOpened { phase, .. }] => phase,
            ref other => panic!("{other:?}"),
        }
    }

    pub fn label(&self, label: &str) -> ClauseId {
        self.doc().resolve_clause(label).unwrap()
    }

    /// The text as (depth, label, text) lines.
    pub fn text(&self) -> Vec<String> {
        self.doc()
            .outline()
            .iter()
            .map(|(d, c)| format!("{}{} {}", "  ".repeat(*d), c.label, c.text))
            .collect()
    }

    /// Issue a first revision: article 1 with paragraphs 1.1 and 1.2, article 2 with 2.1.
    pub fn first_draft(&mut self, secretariat: ParticipantId) {
        let a1 = ClauseId(self.id());
        let p11 = ClauseId(self.id());
        let p12 = ClauseId(self.id());
        let a2 = ClauseId(self.id());
        let p21 = ClauseId(self.id());
        let add = |clause, parent, after, label: &str, text: &str| ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause,
            parent,
            after,
            label: label.into(),
            heading: None,
            text: text.into(),
        };
        self.run(
            secretariat,
            Command::IssueRevision {
                title: None,
                label: Some("first draft".into()),
                ops: vec![
                    add(a1, None, None, "Article 1", ""),
                    add(
                        p11,
                        Some(a1),
                        None,
                        "1.1",
                        "Health personnel shall be recruited ethically.",
                    ),
                    add(
                        p12,
                        Some(a1),
                        Some(p11),
                        "1.2",
                        "Source countries shall be compensated.",
                    ),
                    add(a2, None, Some(a1), "Article 2", ""),
                    add(
                        p21,
                        Some(a2),
                        None,
                        "2.1",
                        "Member States should exchange data.",
                    ),
                ],
            },
        )
        .unwrap();
    }
}

fn replace(w: &World, label: &str, text: &str) -> Command {
    Command::ProposeAmendment {
        change: Change::Replace {
            clause: w.label(label),
            text: text.into(),
        },
        rationale: None,
    }
}

#[test]
fn a_revision_builds_the_clause_tree_in_order() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    assert_eq!(
        w.text(),
        [
            "Article 1 ",
            "  1.1 Health personnel shall be recruited ethically.",
            "  1.2 Source countries shall be compensated.",
            "Article 2 ",
            "  2.1 Member States should exchange data.",
        ]
    );
    assert_eq!(w.doc().revisions, 1);
}

#[test]
fn only_the_secretariat_issues_revisions() {
    let (mut w, s) = World::with_document();
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let err = w
        .run(
            brazil,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: vec![],
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "brazil may not issue a revision in code: that needs the secretariat role (they hold: delegate)"
    );
    w.first_draft(s);
}

#[test]
fn an_accepted_amendment_changes_the_text_and_a_rejected_one_does_not() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let norway = w.participant("norway", &[Role::Delegate]);
    w.run(
        brazil,
        replace(&w, "1.2", "Source countries should be assisted."),
    )
    .unwrap();
    w.run(
        norway,
        replace(&w, "2.1", "Member States shall exchange data."),
    )
    .unwrap();
    w.run(norway, Command::SupportAmendment(AmendmentNo(1)))
        .unwrap();
    assert_eq!(w.doc().pending_on(w.label("1.2")).count(), 1);

    w.run(
        chair,
        Command::RecordDecision {
            reopen: false,
            amendment: AmendmentNo(1),
            outcome: Outcome::AcceptedAsModified {
                text: "Source countries should be assisted technically.".into(),
            },
            method: Method::Vote {
                yes: 10,
                no: 3,
                abstain: 1,
            },
        },
    )
    .unwrap();
    w.run(
        chair,
        Command::RecordDecision {
            reopen: false,
            amendment: AmendmentNo(2),
            outcome: Outcome::Rejected,
            method: Method::Consensus,
        },
    )
    .unwrap();
    let d = w.doc();
    assert_eq!(
        d.clause(w.label("1.2")).unwrap().text,
        "Source countries should be assisted technically."
    );
    assert_eq!(
        d.clause(w.label("2.1")).unwrap().text,
        "Member States should exchange data."
    );
    assert_eq!(d.pending_on(w.label("1.2")).count(), 0);

    // A copy with the open amendments only is the state with the closed ones dropped.
    w.run(
        brazil,
        replace(&w, "2.1", "Member States may exchange data."),
    )
    .unwrap();
    let d = w.doc();
    let open = d.open_copy();
    assert_eq!(open, d.clone().with_open_amendments_only());
    assert_eq!(
        open.amendments.keys().copied().collect::<Vec<_>>(),
        [AmendmentNo(3)]
    );
    assert_eq!(open.amendments_proposed, 3);
}

#[test]
fn a_withdrawn_or_decided_amendment_cannot_be_decided() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    w.run(brazil, replace(&w, "1.2", "Something else."))
        .unwrap();
    w.run(brazil, Command::WithdrawAmendment(AmendmentNo(1)))
        .unwrap();
    let decide = |outcome| Command::RecordDecision {
        reopen: false,
        amendment: AmendmentNo(1),
        outcome,
        method: Method::Consensus,
    };
    let err = w.run(chair, decide(Outcome::Accepted)).unwrap_err();
    assert!(
        err.to_string().starts_with("amendment A1 is withdrawn"),
        "{err}"
    );

    w.run(brazil, replace(&w, "1.2", "Something else again."))
        .unwrap();
    let decide2 = |outcome| Command::RecordDecision {
        reopen: false,
        amendment: AmendmentNo(2),
        outcome,
        method: Method::Consensus,
    };
    w.run(chair, decide2(Outcome::Deferred)).unwrap();
    w.run(chair, decide2(Outcome::Rejected)).unwrap();
    let err = w.run(chair, decide2(Outcome::Accepted)).unwrap_err();
    assert!(
        err.to_string().contains("already decided (rejected)"),
        "{err}"
    );
    assert_eq!(
        w.run(
            chair,
            Command::RecordDecision {
                reopen: false,
                amendment: AmendmentNo(9),
                outcome: Outcome::Rejected,
                method: Method::Consensus
            }
        )
        .unwrap_err(),
        DomainError::UnknownAmendment(AmendmentNo(9))
    );
}

#[test]
fn an_amendment_on_a_removed_clause_is_refused_with_when_it_went() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let gone = w.label("1.2");
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: vec![ClauseOp::Remove { clause: gone }],
        },
    )
    .unwrap();
    let err = w
        .run(
            brazil,
            Command::ProposeAmendment {
                change: Change::Replace {
                    clause: gone,
                    text: "x".into(),
                },
                rationale: None,
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, DomainError::ClauseRemoved { ref label, .. } if label == "1.2"),
        "{err}"
    );
    assert!(matches!(
        w.doc().resolve_clause("1.2"),
        Err(DomainError::ClauseRemoved { .. })
    ));
}

#[test]
fn removing_a_clause_with_clauses_under_it_is_refused() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let a1 = w.label("Article 1");
    let err = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: vec![ClauseOp::Remove { clause: a1 }],
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "clause Article 1 still has clause 1.1 under it; remove or move it first"
    );
}

#[test]
fn duplicate_labels_are_refused_but_a_swap_within_one_revision_is_fine() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let (p11, p12) = (w.label("1.1"), w.label("1.2"));
    let err = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: vec![ClauseOp::Relabel {
                    clause: p11,
                    label: "1.2".into(),
                }],
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("labelled '1.2'"), "{err}");
    w.run(
        s,
        Command::IssueRevision {
            title: None,
            label: None,
            ops: vec![
                ClauseOp::Relabel {
                    clause: p11,
                    label: "tmp".into(),
                },
                ClauseOp::Relabel {
                    clause: p12,
                    label: "1.1".into(),
                },
                ClauseOp::Relabel {
                    clause: p11,
                    label: "1.2".into(),
                },
                ClauseOp::Move {
                    clause: p11,
                    parent: Some(w.label("Article 1")),
                    after: Some(p12),
                },
            ],
        },
    )
    .unwrap();
    assert_eq!(w.text()[1], "  1.1 Source countries shall be compensated.");
    assert_eq!(w.doc().clause(p11).unwrap().label, "1.2");
}

#[test]
fn a_clause_cannot_move_under_itself() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let a1 = w.label("Article 1");
    let p11 = w.label("1.1");
    let before = w.doc().clone();
    let err = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: vec![ClauseOp::Move {
                    clause: a1,
                    parent: Some(p11),
                    after: None,
                }],
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("under itself"), "{err}");
    assert_eq!(w.doc(), &before);
}

#[test]
fn support_and_opposition_follow_the_last_word() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let norway = w.participant("norway", &[Role::Delegate]);
    w.run(brazil, replace(&w, "1.1", "Recruit fairly."))
        .unwrap();
    let a = AmendmentNo(1);
    w.run(norway, Command::SupportAmendment(a)).unwrap();
    assert!(w
        .run(norway, Command::SupportAmendment(a))
        .unwrap_err()
        .to_string()
        .contains("already supports"));
    w.run(norway, Command::OpposeAmendment(a)).unwrap();
    let am = w.doc().amendment(a).unwrap();
    assert!(am.opposers.contains(&norway) && !am.supporters.contains(&norway));
    assert!(w.run(brazil, Command::SupportAmendment(a)).is_err());
    assert!(w
        .run(norway, Command::WithdrawAmendment(a))
        .unwrap_err()
        .to_string()
        .contains("only its proposer (brazil)"));
}

#[test]
fn insert_move_and_delete_amendments_apply_when_accepted() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let new = ClauseId(w.id());
    let a1 = w.label("Article 1");
    w.run(
        brazil,
        Command::ProposeAmendment {
            change: Change::Insert {
                clause: new,
                parent: Some(a1),
                after: Some(w.label("1.1")),
                label: "1.1bis".into(),
                text: "Inserted.".into(),
            },
            rationale: Some("gap".into()),
        },
    )
    .unwrap();
    w.run(
        brazil,
        Command::ProposeAmendment {
            change: Change::Move {
                clause: w.label("2.1"),
                parent: Some(a1),
                after: None,
            },
            rationale: None,
        },
    )
    .unwrap();
    w.run(
        brazil,
        Command::ProposeAmendment {
            change: Change::Delete {
                clause: w.label("1.2"),
            },
            rationale: None,
        },
    )
    .unwrap();
    for n in 1..=3 {
        w.run(
            chair,
            Command::RecordDecision {
                reopen: false,
                amendment: AmendmentNo(n),
                outcome: Outcome::Accepted,
                method: Method::Consensus,
            },
        )
        .unwrap();
    }
    assert_eq!(
        w.text(),
        [
            "Article 1 ",
            "  2.1 Member States should exchange data.",
            "  1.1 Health personnel shall be recruited ethically.",
            "  1.1bis Inserted.",
            "Article 2 ",
        ]
    );
}

#[test]
fn replaying_the_log_gives_the_state_that_was_built_step_by_step() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let chair = w.participant("chair", &[Role::Chair]);
    let brazil = w.participant("brazil", &[Role::Delegate]);
    w.run(brazil, replace(&w, "1.1", "Recruit fairly."))
        .unwrap();
    w.run(
        chair,
        Command::RecordDecision {
            reopen: false,
            amendment: AmendmentNo(1),
            outcome: Outcome::Accepted,
            method: Method::Consensus,
        },
    )
    .unwrap();
    w.open_phase(PhaseKind::CommitteeSession);
    w.run(
        brazil,
        Command::PostComment {
            clause: Some(w.label("1.1")),
            position: Position::Support,
            text: "good".into(),
            reply_to: None,
        },
    )
    .unwrap();
    let doc = w.doc().id;
    let stream: Vec<&RecordedEvent> = w
        .log
        .iter()
        .filter(|e| e.stream == StreamId::document(doc))
        .collect();
    assert_eq!(
        DocumentState::replay(stream.iter().copied()).as_ref(),
        w.doc.as_ref()
    );
    // And a prefix gives the earlier text.
    let before_decision = DocumentState::replay(
        stream
            .iter()
            .copied()
            .take_while(|e| !matches!(e.event, Event::DecisionRecorded { .. })),
    )
    .unwrap();
    assert_eq!(
        before_decision.clause(w.label("1.1")).unwrap().text,
        "Health personnel shall be recruited ethically."
    );
}

#[test]
fn comments_need_a_role_and_replies_need_a_comment() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let outsider = w.participant("outsider", &[]);
    let public = w.participant("jane", &[Role::Public]);
    let post = |reply_to| Command::PostComment {
        clause: None,
        position: Position::Oppose,
        text: "no".into(),
        reply_to,
    };
    assert!(matches!(
        w.run(outsider, post(None)),
        Err(DomainError::NotAllowed { .. })
    ));
    w.open_phase(PhaseKind::PublicHearing);
    assert_eq!(
        w.run(public, post(Some(CommentNo(1)))).unwrap_err(),
        DomainError::UnknownComment(CommentNo(1))
    );
    w.run(public, post(None)).unwrap();
    w.run(public, post(Some(CommentNo(1)))).unwrap();
    assert_eq!(w.doc().comments, 2);
}

#[test]
fn tags_name_a_point_once() {
    let (mut w, s) = World::with_document();
    w.first_draft(s);
    let head = w.doc().seq;
    w.run(
        s,
        Command::SetTag {
            name: "first-draft".into(),
            seq: head,
        },
    )
    .unwrap();
    assert_eq!(w.doc().tags["first-draft"], head);
    assert!(w
        .run(
            s,
            Command::SetTag {
                name: "first-draft".into(),
                seq: head
            }
        )
        .unwrap_err()
        .to_string()
        .contains("tags do not move"));
    assert!(w
        .run(
            s,
            Command::SetTag {
                name: "12".into(),
                seq: head
            }
        )
        .is_err());
    assert!(w
        .run(
            s,
            Command::SetTag {
                name: "later".into(),
                seq: head + 10
            }
        )
        .is_err());
}

#[test]
fn a_large_revision_is_recorded_in_parts_that_each_fit_in_one_event() {
    let (mut w, s) = World::with_document();
    let article = ClauseId(w.id());
    let mut ops = vec![ClauseOp::Add {
        kind: None,
        notes: Vec::new(),
        clause: article,
        parent: None,
        after: None,
        label: "Article 1".into(),
        heading: Some("Everything".into()),
        text: String::new(),
    }];
    let mut after = None;
    for k in 1..=2_000 {
        let clause = ClauseId(w.id());
        ops.push(ClauseOp::Add {
            kind: None,
            notes: Vec::new(),
            clause,
            parent: Some(article),
            after,
            label: format!("1.{k}"),
            heading: None,
            text: format!("Member States should do thing number {k} with care."),
        });
        after = Some(clause);
    }
    let events = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: Some("big".into()),
                ops,
            },
        )
        .unwrap();
    assert!(events.len() > 1, "split into parts");
    for e in &events {
        assert!(matches!(e, Event::RevisionIssued { revision: 1, .. }));
        let bytes = serde_json::to_vec(e).unwrap().len();
        assert!(bytes < 64 * 1024, "a part of {bytes} bytes");
    }
    assert_eq!(w.doc().revisions, 1);
    assert_eq!(w.doc().clause_count(), 2_001);
    assert_eq!(
        w.text()[2_000],
        "  1.2000 Member States should do thing number 2000 with care."
    );
}

#[test]
fn a_clause_of_a_mebibyte_is_a_part_of_its_own_and_text_with_notes_past_it_is_refused() {
    let (mut w, s) = World::with_document();
    let add = |clause: ClauseId, after: Option<ClauseId>, label: &str, text: String, notes| {
        ClauseOp::Add {
            kind: None,
            notes,
            clause,
            parent: None,
            after,
            label: label.into(),
            heading: None,
            text,
        }
    };
    let note = |text: String| Note {
        mark: "1".into(),
        text,
    };
    let (a, b, c) = (ClauseId(w.id()), ClauseId(w.id()), ClauseId(w.id()));
    // Two small clauses whose notes are large, then a clause of MAX_TEXT: three parts (the
    // notes count with the text: two of them pass what a part carries).
    let ops = vec![
        add(
            a,
            None,
            "PP1",
            "Small.".into(),
            vec![note("n".repeat(30_000))],
        ),
        add(
            b,
            Some(a),
            "PP2",
            "Small.".into(),
            vec![note("n".repeat(30_000))],
        ),
        add(c, Some(b), "PP3", "w".repeat(MAX_TEXT), Vec::new()),
    ];
    let events = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: ops.clone(),
            },
        )
        .unwrap();
    let parts: Vec<usize> = events
        .iter()
        .map(|e| match e {
            Event::RevisionIssued { ops, .. } => ops.len(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(parts, vec![1, 1, 1]);
    assert_eq!(w.doc().clause(c).unwrap().text.len(), MAX_TEXT);

    // One byte of note past the limit is refused, naming text and notes.
    let (mut w, s) = World::with_document();
    let over = add(
        ClauseId(w.id()),
        None,
        "PP1",
        "w".repeat(MAX_TEXT - 10),
        vec![note("n".repeat(10))],
    );
    let err = w
        .run(
            s,
            Command::IssueRevision {
                title: None,
                label: None,
                ops: vec![over],
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::TooLarge {
            what: "clause text with its notes",
            len: MAX_TEXT + 1,
            max: MAX_TEXT
        }
    );
}
