//! The store's administrators: who registers participants, creates documents and issues
//! tokens, locally and through `travaux serve`, with nothing written on a refusal.

use std::time::Duration;

use serde_json::{json, Value};

use crate::client::{issue, remote, serve};
use crate::support::Travaux;

impl Travaux {
    /// Run a command that must fail before any store exists, and leave none behind.
    fn refused_to_create(&self, args: &[&str], names: &str) {
        let out = self.run(args);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.stderr.contains(names), "{}", out.stderr);
        assert!(self.holds_no_store(), "a refused init made a store");
    }
}

/// `POST` a JSON body to the server with a token: the status and the body.
fn post(url: &str, token: &str, body: Value) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .header("Authorization", &format!("Bearer {token}"))
        .send(body.to_string())
        .expect("an HTTP answer");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("a body"))
}

/// The head of the served store (`verify --json` through the server).
fn served_head(t: &Travaux, url: &str, token: &str) -> (u64, String) {
    let out = remote(t, url, Some(token), &["--json", "verify"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    (
        v["head_seq"].as_u64().expect("head_seq"),
        v["head_hash"].as_str().expect("head_hash").to_string(),
    )
}

fn handles(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|p| p["handle"].as_str().unwrap())
        .collect()
}

#[test]
fn through_the_server_only_an_administrator_registers_and_creates_and_a_secretariat_registers_the_public(
) {
    let t = Travaux::fixture();
    // A second secretariat of the document who does not administer the store.
    t.ok(&[
        "--date",
        "2020-01-05",
        "participant",
        "add",
        "clerk",
        "--kind",
        "secretariat",
    ]);
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-01-05",
        "role",
        "grant",
        "clerk",
        "secretariat",
    ]);
    assert_eq!(handles(&t.json(&["admin", "list"])), ["secretariat"]);
    let (brazil, _) = issue(&t, "brazil");
    let (clerk, _) = issue(&t, "clerk");
    let (admin, _) = issue(&t, "secretariat");
    let server = serve(&t);
    let url = server.url.as_str();
    let before = served_head(&t, url, &brazil);

    // A delegate registers no one and creates no document: 403, exit 1 for the client.
    let (status, body) = post(
        &format!("{url}/v1/participants"),
        &brazil,
        json!({"handle": "mine", "kind": "secretariat"}),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("administrator"), "{body}");
    let (status, body) = post(
        &format!("{url}/v1/exec"),
        &brazil,
        json!({"argv": ["participant", "add", "mine", "--kind", "secretariat"]}),
    );
    assert_eq!(status, 403, "{body}");
    let (status, body) = post(
        &format!("{url}/v1/documents"),
        &brazil,
        json!({"slug": "mine", "title": "Mine"}),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("create documents"), "{body}");
    let out = remote(
        &t,
        url,
        Some(&brazil),
        &["participant", "add", "x", "--kind", "public"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("brazil may not register"),
        "{}",
        out.stderr
    );
    // Nor manages administrators.
    let out = remote(&t, url, Some(&brazil), &["admin", "grant", "brazil"]);
    assert_eq!(out.code, 1, "{out:?}");
    // A secretariat that does not administer: the public only.
    let out = remote(
        &t,
        url,
        Some(&clerk),
        &["participant", "add", "kenya", "--kind", "member-state"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("public kind only"), "{}", out.stderr);
    let out = remote(
        &t,
        url,
        Some(&clerk),
        &["doc", "new", "other", "--title", "O"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        served_head(&t, url, &brazil),
        before,
        "a refusal wrote to the log"
    );

    let (status, body) = post(
        &format!("{url}/v1/participants"),
        &clerk,
        json!({"handle": "respondent-1", "kind": "public"}),
    );
    assert_eq!(status, 200, "{body}");
    // The administrator registers anyone, and grants the role; the new administrator creates.
    let (status, body) = post(
        &format!("{url}/v1/participants"),
        &admin,
        json!({"handle": "kenya", "kind": "member-state"}),
    );
    assert_eq!(status, 200, "{body}");
    let out = remote(&t, url, Some(&admin), &["admin", "grant", "brazil"]);
    assert_eq!(out.code, 0, "{out:?}");
    let (status, body) = post(
        &format!("{url}/v1/documents"),
        &brazil,
        json!({"slug": "mine", "title": "Mine"}),
    );
    assert_eq!(status, 200, "{body}");
    let out = remote(&t, url, Some(&brazil), &["--json", "admin", "list"]);
    let list: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(handles(&list), ["secretariat", "brazil"]);
}

#[test]
fn locally_a_participant_named_must_administer_and_the_owner_may_without_one() {
    let t = Travaux::fixture();
    // The fixture's first participant administers; a delegate with --as may not.
    t.refused(
        &["--as", "brazil", "doc", "new", "mine", "--title", "Mine"],
        1,
        &[
            "brazil may not create documents",
            "administrator",
            "secretariat",
        ],
    );
    t.refused(
        &[
            "--as",
            "brazil",
            "participant",
            "add",
            "x",
            "--kind",
            "secretariat",
        ],
        1,
        &["brazil may not register participants"],
    );
    t.refused(
        &["--as", "brazil", "token", "issue", "brazil"],
        1,
        &["issue tokens"],
    );
    t.refused(
        &["--as", "brazil", "admin", "grant", "brazil"],
        1,
        &["administrator"],
    );
    t.write("people.csv", "kenya,member-state,Kenya\n");
    t.refused(
        &["--as", "brazil", "participant", "import", "people.csv"],
        1,
        &["brazil may not register"],
    );
    t.refused(&["--as", "brazil", "compact"], 1, &["compact the store"]);
    // The last administrator stays.
    t.refused(
        &["admin", "revoke", "secretariat"],
        1,
        &["only administrator"],
    );
    t.refused(&["admin", "grant", "nobody"], 1, &["nobody"]);

    // The owner (no --as) grants; the log records it; the grantee may then act.
    let granted = t.json(&["--date", "2020-01-05", "admin", "grant", "norway"]);
    assert_eq!(granted["participant"], "norway");
    assert_eq!(granted["granted"], true);
    t.refused(&["admin", "grant", "norway"], 1, &["already"]);
    t.ok(&[
        "--as",
        "norway",
        "--date",
        "2020-01-05",
        "doc",
        "new",
        "mine",
        "--title",
        "Mine",
    ]);
    t.ok(&[
        "--as",
        "norway",
        "--date",
        "2020-01-05",
        "admin",
        "revoke",
        "secretariat",
    ]);
    assert_eq!(handles(&t.json(&["admin", "list"])), ["norway"]);
    t.refused(
        &[
            "--as",
            "secretariat",
            "doc",
            "new",
            "again",
            "--title",
            "Again",
        ],
        1,
        &["held by norway"],
    );
    let log = t.ok(&["log", "--all"]);
    assert!(
        log.contains("made norway an administrator of the store"),
        "{log}"
    );
    assert!(
        log.contains("took the store's administrator role from secretariat"),
        "{log}"
    );
    // Rebuilt from the log, the read model answers the same.
    t.ok(&["rebuild"]);
    assert_eq!(handles(&t.json(&["admin", "list"])), ["norway"]);
}

#[test]
fn a_store_whose_log_names_no_administrator_is_administered_by_its_first_participant() {
    // Stores written before the role existed hold only registrations: the first participant
    // registered administers them, whatever its kind.
    let t = Travaux::new();
    t.create(&["init"]);
    t.ok(&["participant", "add", "brazil", "--kind", "member-state"]);
    t.ok(&["participant", "add", "who", "--kind", "secretariat"]);
    let log = t.ok(&["log", "--all", "--json"]);
    assert!(!log.contains("admin_granted"), "registrations alone: {log}");
    assert_eq!(handles(&t.json(&["admin", "list"])), ["brazil"]);
    t.refused(
        &["--as", "who", "doc", "new", "c", "--title", "C"],
        1,
        &["held by brazil"],
    );
    t.ok(&["--as", "brazil", "doc", "new", "c", "--title", "C"]);
}

#[test]
fn init_names_the_first_participant_who_administers_the_store() {
    let t = Travaux::new();
    t.refused_to_create(
        &["init", "--admin", "Not A Handle"],
        "not a valid participant handle",
    );
    let out = t.create(&["init", "--admin", "who", "--name", "WHO Secretariat"]);
    assert!(out.contains("who (secretariat), administers it"), "{out}");
    let admins = t.json(&["admin", "list"]);
    assert_eq!(handles(&admins), ["who"]);
    assert_eq!(admins[0]["kind"], "secretariat");
    assert_eq!(admins[0]["name"], "WHO Secretariat");
    // Again with the same administrator: nothing changes; with another: refused.
    t.ok(&["init", "--admin", "who"]);
    t.refused(&["init", "--admin", "kenya"], 1, &["admin grant kenya"]);
    t.ok(&["--as", "who", "doc", "new", "c", "--title", "C"]);
}
