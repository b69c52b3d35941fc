//! A store written before clauses had kinds and notes keeps loading: the fields are new and
//! optional, so an event stored without them reads as it always did, and the clause's kind is
//! inferred from its place (a top-level `PP` paragraph a recital, another top-level clause an
//! article, what is under an article its paragraphs).

use chrono::{TimeZone, Utc};
use serde_json::json;
use travaux_core::import::{parse_draft, plan_revision};
use travaux_core::{
    create_document, decide, register_participant, Acting, ClauseKind, Command, Directory,
    DocumentId, DocumentState, DomainError, Event, EventId, ParticipantId, ParticipantKind,
    StreamId,
};
use travaux_store::{encode_raw, fingerprint, Clock, Expected, Store, Write};
use uuid::Uuid;

fn write(stream: StreamId, actor: ParticipantId, minute: u32) -> Write {
    Write {
        stream,
        expected: Expected::Any,
        actor,
        clock: Clock::At(Utc.with_ymd_and_hms(2008, 8, 15, 9, minute, 0).unwrap()),
        event_id: EventId(Uuid::new_v4()),
        request: fingerprint(b"a request"),
    }
}

#[test]
fn a_revision_stored_before_kinds_and_notes_existed_loads_with_kinds_inferred() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::create(dir.path()).unwrap();
    let sec = ParticipantId(Uuid::new_v4());
    store
        .execute(write(StreamId::REGISTRY, sec, 1), |d: &dyn Directory, _| {
            register_participant(
                d,
                Acting::Owner,
                sec,
                "secretariat",
                "Secretariat",
                ParticipantKind::Secretariat,
            )
        })
        .unwrap();
    let doc = DocumentId(Uuid::new_v4());
    let stream = StreamId::document(doc);
    store
        .execute(write(stream, sec, 2), |d, _| {
            create_document(d, sec, doc, "code", "Code")
        })
        .unwrap();

    // A revision as the previous version wrote it: operations without "kind" or "notes".
    let (pp1, a1, p11) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let add = |clause: Uuid, parent: Option<Uuid>, after: Option<Uuid>, label: &str| {
        json!({"op": "add", "clause": clause, "parent": parent, "after": after,
               "label": label, "heading": null, "text": format!("The words of {label}.")})
    };
    let old = json!({
        "revision": 1,
        "label": "first draft",
        "ops": [add(pp1, None, None, "PP1"), add(a1, None, Some(pp1), "Article 1"),
                add(p11, Some(a1), None, "1.1")],
    });
    let event: Event = serde_json::from_value(json!({ "revision_issued": old.clone() })).unwrap();
    let appended = store
        .execute(write(stream, sec, 3), |_, _| Ok(vec![event.clone()]))
        .unwrap();
    let recorded = &appended.events[0];
    let (_, bytes) = encode_raw(recorded, "revision_issued", recorded.schema, old).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains("\"kind\""),
        "the record is in the old shape"
    );
    store.put_raw(recorded.seq, bytes).unwrap();
    store.rebuild().unwrap();
    drop(store);

    let store = Store::open(dir.path()).unwrap();
    assert!(store.verify().unwrap().problem.is_none());
    let state: DocumentState = store.document(doc).unwrap().unwrap();
    let kind = |label: &str| {
        let id = state.resolve_clause(label).unwrap();
        state.clause(id).unwrap().kind(&state)
    };
    assert_eq!(kind("PP1"), ClauseKind::Recital);
    assert_eq!(kind("Article 1"), ClauseKind::Article);
    assert_eq!(kind("1.1"), ClauseKind::Paragraph);
    assert_eq!(kind("Article 1 > 1.1"), ClauseKind::Paragraph);
    assert!(state
        .clause(state.resolve_clause("1.1").unwrap())
        .unwrap()
        .notes
        .is_empty());

    // And the store takes new writes on top of the old ones.
    let cmd = Command::IssueRevision {
        title: None,
        label: Some("second".into()),
        ops: vec![travaux_core::ClauseOp::Relabel {
            clause: travaux_core::ClauseId(p11),
            label: "1.2".into(),
        }],
    };
    store
        .execute(write(stream, sec, 4), |d, s| {
            let s = s.ok_or_else(|| DomainError::UnknownDocument(doc.to_string()))?;
            decide(s, sec, d, cmd.clone())
        })
        .unwrap();
    let state = store.document(doc).unwrap().unwrap();
    assert!(state.resolve_clause("Article 1 > 1.2").is_ok());

    // The next import of the same text records the kinds the draft gives, and nothing else;
    // the one after records nothing.
    let md =
        "The words of PP1.\n\n## Article 1\n\nThe words of Article 1.\n\n1.2 The words of 1.1.\n";
    let draft = parse_draft(md.as_bytes()).unwrap();
    let mut new_id = || travaux_core::ClauseId(Uuid::new_v4());
    let plan = plan_revision(&state, &draft, &mut new_id);
    assert_eq!(plan.ops.len(), 3, "{:?}", plan.ops);
    assert!(plan
        .ops
        .iter()
        .all(|op| matches!(op, travaux_core::ClauseOp::Reword { kind: Some(_), .. })));
    let cmd = Command::IssueRevision {
        label: None,
        title: None,
        ops: plan.ops.clone(),
    };
    store
        .execute(write(stream, sec, 5), |d, s| {
            let s = s.ok_or_else(|| DomainError::UnknownDocument(doc.to_string()))?;
            decide(s, sec, d, cmd.clone())
        })
        .unwrap();
    let state = store.document(doc).unwrap().unwrap();
    let recorded = |label: &str| {
        state
            .clause(state.resolve_clause(label).unwrap())
            .unwrap()
            .kind
    };
    assert_eq!(recorded("PP1"), Some(ClauseKind::Recital));
    assert_eq!(recorded("Article 1"), Some(ClauseKind::Article));
    assert_eq!(recorded("1.2"), Some(ClauseKind::Paragraph));
    assert!(plan_revision(&state, &draft, &mut new_id).is_empty());
}
