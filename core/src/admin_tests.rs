//! The store's administrators: given a registry, when a store-level command, then events or a
//! refusal.

use crate::admin::{admins, grant_admin, is_admin, revoke_admin};
use crate::tests::World;
use crate::*;

fn register(
    w: &mut World,
    by: Acting,
    handle: &str,
    kind: ParticipantKind,
) -> Result<ParticipantId, DomainError> {
    let id = ParticipantId(w.id());
    let events = register_participant(&w.registry, by, id, handle, handle, kind)?;
    let actor = match by {
        Acting::Participant(p) => p,
        Acting::Owner => id,
    };
    for e in events {
        w.record(actor, StreamId::REGISTRY, e);
    }
    Ok(id)
}

fn not_admin(r: Result<impl std::fmt::Debug, DomainError>, who: &str) -> String {
    match r {
        Err(e @ DomainError::NotAdmin { .. }) => {
            let m = e.to_string();
            assert!(m.contains(who), "{m}");
            m
        }
        other => panic!("expected a refusal for not administering the store, got {other:?}"),
    }
}

#[test]
fn the_first_participant_registered_administers_a_new_store() {
    let mut w = World::new();
    let id = ParticipantId(w.id());
    let events = register_participant(
        &w.registry,
        Acting::Owner,
        id,
        "who",
        "WHO",
        ParticipantKind::Secretariat,
    )
    .unwrap();
    assert_eq!(
        events.iter().map(Event::kind).collect::<Vec<_>>(),
        ["participant_registered"],
        "the first registration is the record of who administers"
    );
    for e in events {
        w.record(id, StreamId::REGISTRY, e);
    }
    let second = register(&mut w, Acting::Owner, "who2", ParticipantKind::Secretariat).unwrap();
    assert_eq!(admins(&w.registry), [id]);
    assert!(is_admin(&w.registry, id));
    assert!(!is_admin(&w.registry, second));
}

#[test]
fn a_delegate_registers_no_one_and_creates_no_document() {
    let (mut w, _) = World::with_document();
    let brazil = w.participant("brazil", &[Role::Delegate]);
    let before = w.log.len();
    for kind in [ParticipantKind::Secretariat, ParticipantKind::Public] {
        let m = not_admin(
            register(&mut w, Acting::Participant(brazil), "mine", kind),
            "brazil",
        );
        assert!(m.contains("secretariat"), "names who holds it: {m}");
    }
    not_admin(
        create_document(
            &w.registry,
            brazil,
            DocumentId(uuid::Uuid::from_u128(99)),
            "mine",
            "Mine",
        ),
        "create documents",
    );
    assert_eq!(w.log.len(), before, "nothing recorded");
}

#[test]
fn a_documents_secretariat_registers_the_public_only() {
    let (mut w, _) = World::with_document();
    let clerk = w.participant("clerk", &[Role::Secretariat]);
    assert!(!is_admin(&w.registry, clerk));
    let jane = register(
        &mut w,
        Acting::Participant(clerk),
        "jane",
        ParticipantKind::Public,
    )
    .unwrap();
    assert_eq!(
        w.registry.participant(jane).unwrap().kind,
        ParticipantKind::Public
    );
    let m = not_admin(
        register(
            &mut w,
            Acting::Participant(clerk),
            "kenya",
            ParticipantKind::MemberState,
        ),
        "clerk",
    );
    assert!(m.contains("public kind only"), "{m}");
    // Nor the public, once the role is gone.
    let s = *w
        .doc()
        .roles
        .iter()
        .find(|(p, r)| **p != clerk && r.contains(&Role::Secretariat))
        .unwrap()
        .0;
    w.run(
        s,
        Command::RevokeRole {
            participant: clerk,
            role: Role::Secretariat,
        },
    )
    .unwrap();
    not_admin(
        register(
            &mut w,
            Acting::Participant(clerk),
            "joe",
            ParticipantKind::Public,
        ),
        "clerk",
    );
}

#[test]
fn an_administrator_grants_and_revokes_the_role_and_one_always_remains() {
    let (mut w, s) = World::with_document();
    let norway = w.participant("norway", &[]);
    let kenya = w.participant("kenya", &[]);
    not_admin(
        grant_admin(&w.registry, Acting::Participant(norway), kenya),
        "norway",
    );
    let e = grant_admin(&w.registry, Acting::Participant(s), norway).unwrap();
    w.record(s, StreamId::REGISTRY, e);
    assert_eq!(admins(&w.registry), [s, norway]);
    // The new administrator may do what the role allows.
    assert!(create_document(
        &w.registry,
        norway,
        DocumentId(uuid::Uuid::from_u128(98)),
        "other",
        "Other"
    )
    .is_ok());
    let again = grant_admin(&w.registry, Acting::Participant(s), norway).unwrap_err();
    assert!(again.to_string().contains("already"), "{again}");
    let e = revoke_admin(&w.registry, Acting::Participant(norway), s).unwrap();
    w.record(norway, StreamId::REGISTRY, e);
    assert_eq!(admins(&w.registry), [norway]);
    assert!(!is_admin(&w.registry, s));
    let last = revoke_admin(&w.registry, Acting::Owner, norway).unwrap_err();
    assert!(last.to_string().contains("only administrator"), "{last}");
    let none = revoke_admin(&w.registry, Acting::Owner, kenya).unwrap_err();
    assert!(none.to_string().contains("does not administer"), "{none}");
    // The owner grants without holding the role.
    assert!(grant_admin(&w.registry, Acting::Owner, kenya).is_ok());
}

#[test]
fn in_a_store_made_before_the_role_the_first_participant_registered_holds_it() {
    // An old-shaped log: registrations with no admin event.
    let mut w = World::new();
    let mut ids = Vec::new();
    for (handle, kind) in [
        ("brazil", ParticipantKind::MemberState),
        ("who", ParticipantKind::Secretariat),
    ] {
        let id = ParticipantId(w.id());
        w.record(
            id,
            StreamId::REGISTRY,
            Event::ParticipantRegistered {
                participant: id,
                handle: handle.into(),
                name: handle.into(),
                kind,
            },
        );
        ids.push(id);
    }
    assert_eq!(admins(&w.registry), [ids[0]]);
    not_admin(
        issue_token(
            &w.registry,
            Acting::Participant(ids[1]),
            ids[1],
            TokenId(uuid::Uuid::from_u128(7)),
            Hash::default(),
        ),
        "issue tokens",
    );
    // Once the first hands the role on and gives it up, the rule no longer names it.
    let e = grant_admin(&w.registry, Acting::Participant(ids[0]), ids[1]).unwrap();
    w.record(ids[0], StreamId::REGISTRY, e);
    let e = revoke_admin(&w.registry, Acting::Participant(ids[1]), ids[0]).unwrap();
    w.record(ids[1], StreamId::REGISTRY, e);
    assert_eq!(admins(&w.registry), [ids[1]]);
}
