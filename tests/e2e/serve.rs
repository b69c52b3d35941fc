//! `travaux serve`: the real server on a loopback port, driven by a real HTTP client.
//!
//! Commands through `POST /v1/exec` and the typed routes answer what the CLI prints; tokens
//! and roles are checked with nothing written on a refusal; `If-Match` makes a write
//! conditional; fifty clients racing on one clause each win a version once; an event stream
//! resumed after a dropped connection misses and repeats nothing; SIGTERM under load loses no
//! acknowledged write; the limits answer clearly; every path of the OpenAPI description is
//! routed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{kind, Travaux, DRAFT2};

/// A running `travaux serve` on a free loopback port; stopped with SIGTERM (then killed) when
/// dropped.
pub(crate) struct Server {
    child: Option<Child>,
    url: String,
    /// What the server printed on stdout after its first line, once it has exited.
    rest: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Server {
    /// Start the server on the store and wait for its `listening on` line.
    pub(crate) fn start(t: &Travaux) -> Server {
        Server::start_with(t, &[])
    }

    /// Start the server with more arguments of `serve` (its limits).
    pub(crate) fn start_with(t: &Travaux, args: &[&str]) -> Server {
        let log = std::fs::File::create(t.dir().join("serve.log")).expect("a log file");
        let mut child = t
            .command(&[&["serve", "--addr", "127.0.0.1:0"], args].concat())
            .env("TRAVAUX_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start travaux serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let rest = std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            let _ = tx.send(first);
            // Anything more on stdout would be a bug: kept to check once the server stops.
            lines.map_while(Result::ok).collect()
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        let url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the first line names the address: {line:?}"))
            .trim()
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        // A store in a directory says where its server is; a database has no directory.
        if !t.on_postgres() {
            let info: Value = serde_json::from_str(
                &std::fs::read_to_string(t.store().join("server.json")).expect("server.json"),
            )
            .expect("server.json is JSON");
            assert_eq!(info["url"], url.as_str());
            assert_eq!(info["pid"], child.id());
        }
        Server {
            child: Some(child),
            url,
            rest: Some(rest),
        }
    }

    /// A URL on the server.
    pub(crate) fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Send SIGTERM.
    pub(crate) fn terminate(&self) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
    }

    /// SIGTERM, and wait (at most a minute) for the server to exit.
    pub(crate) fn stop(mut self) -> ExitStatus {
        self.terminate();
        let mut child = self.child.take().expect("a running server");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait for the server") {
                let rest = self
                    .rest
                    .take()
                    .expect("stdout")
                    .join()
                    .expect("stdout read");
                assert!(
                    rest.is_empty(),
                    "serve printed more than its first line: {rest:?}"
                );
                return status;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                panic!("the server did not stop within a minute of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    etag: Option<String>,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// The version the ETag names.
    pub(crate) fn version(&self) -> u64 {
        self.etag
            .as_deref()
            .unwrap_or_else(|| panic!("no ETag: {self:?}"))
            .trim_matches('"')
            .parse()
            .expect("an ETag is a quoted version")
    }

    /// Insist on 200 and return the body.
    pub(crate) fn ok(self) -> Reply {
        assert_eq!(self.status, 200, "{}", self.body);
        self
    }

    /// Insist on this status and a JSON error naming every one of `names`.
    pub(crate) fn refused(&self, status: u16, names: &[&str]) {
        assert_eq!(self.status, status, "{}", self.body);
        let e = self.json();
        let message = e["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error: {e}"));
        assert!(e["exit"].as_u64().is_some_and(|c| c > 0), "{e}");
        for name in names {
            assert!(
                message.to_lowercase().contains(&name.to_lowercase()),
                "the error should name {name:?}: {message}"
            );
        }
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.expect("an HTTP answer");
    let etag = r
        .headers()
        .get("etag")
        .map(|v| v.to_str().expect("ASCII").to_string());
    Reply {
        status: r.status().as_u16(),
        body: r.body_mut().read_to_string().expect("a body"),
        etag,
    }
}

pub(crate) fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Reply {
    let mut req = agent.get(url);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    reply(req.call())
}

pub(crate) fn post(
    agent: &ureq::Agent,
    url: &str,
    token: Option<&str>,
    if_match: Option<u64>,
    body: &str,
) -> Reply {
    let mut req = agent.post(url).header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    if let Some(v) = if_match {
        req = req.header("If-Match", &format!("\"{v}\""));
    }
    reply(req.send(body))
}

/// `POST /v1/exec` with `--json`.
pub(crate) fn exec(s: &Server, token: Option<&str>, argv: &[&str]) -> Reply {
    post(
        &agent(),
        &s.at("/v1/exec"),
        token,
        None,
        &json!({ "argv": argv, "json": true }).to_string(),
    )
}

/// What `exec` printed, insisting on success.
fn exec_ok(s: &Server, token: Option<&str>, argv: &[&str]) -> String {
    let r = exec(s, token, argv).ok();
    let v = r.json();
    assert_eq!(v["exit"], 0, "{v}");
    v["stdout"].as_str().expect("stdout").to_string()
}

/// A token for a participant, issued on the store before the server starts.
pub(crate) fn token(t: &Travaux, participant: &str) -> String {
    token_and_id(t, participant).0
}

/// A token for a participant and its id (to revoke it).
fn token_and_id(t: &Travaux, participant: &str) -> (String, String) {
    let issued = t.json(&["--date", "2020-01-10", "token", "issue", participant]);
    (
        issued["token"].as_str().expect("a token").to_string(),
        issued["token_id"].as_str().expect("a token id").to_string(),
    )
}

/// The head of the log through the server (`GET /v1/verify`).
pub(crate) fn head(s: &Server) -> (u64, String) {
    let v = get(&agent(), &s.at("/v1/verify"), None).ok().json();
    assert_eq!(v["problem"], Value::Null, "{v}");
    (
        v["head_seq"].as_u64().expect("head_seq"),
        v["head_hash"].as_str().expect("head_hash").to_string(),
    )
}

#[test]
fn a_command_through_the_server_answers_what_the_cli_prints() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let secretariat = token(&t, "secretariat");
    let s = Server::start(&t);

    // A write through /v1/exec, attributed to the token's participant.
    let proposed = exec(
        &s,
        Some(&brazil),
        &[
            "amend",
            "propose",
            "--replace",
            "1.1",
            "--text",
            "Clarity first.",
        ],
    )
    .ok();
    let etag = proposed.version();
    let v = proposed.json();
    let answer: Value = serde_json::from_str(v["stdout"].as_str().unwrap()).unwrap();
    assert_eq!(answer["amendment"], "A1");
    assert_eq!(answer["status"], "pending");

    // A file sent with the request, as `import FILE` reads it.
    let imported = post(
        &agent(),
        &s.at("/v1/exec"),
        Some(&secretariat),
        None,
        &json!({ "argv": ["import", "draft2.md", "--revision", "D2"], "files": { "draft2.md": DRAFT2 } })
            .to_string(),
    )
    .ok();
    assert!(imported.version() > etag);
    let text = imported.json()["stdout"].as_str().unwrap().to_string();
    assert!(text.starts_with("recorded revision"), "{text}");

    // Help is an answer too.
    let help = exec_ok(&s, None, &["amend", "--help"]);
    assert!(help.contains("propose"), "{help}");

    // Reads: /v1/exec and the typed routes give the same JSON, with the version as ETag.
    let show_exec = exec(&s, None, &["show"]).ok();
    let show_typed = get(&agent(), &s.at("/v1/documents/code/show"), None).ok();
    let show_short = get(&agent(), &s.at("/v1/documents/code"), None).ok();
    assert_eq!(
        show_exec.json()["stdout"].as_str().unwrap(),
        show_typed.body
    );
    assert_eq!(show_typed.body, show_short.body);
    assert_eq!(
        show_typed.version(),
        show_typed.json()["version"].as_u64().unwrap()
    );
    let log_typed = get(
        &agent(),
        &s.at("/v1/documents/code/log?kind=amendment_proposed"),
        None,
    )
    .ok();
    let status_typed = get(&agent(), &s.at("/v1/documents/code/status"), None).ok();
    let clause_typed = get(
        &agent(),
        &s.at("/v1/documents/code/show?clause=1.1&at=d1"),
        None,
    )
    .ok();
    let docs = get(&agent(), &s.at("/v1/documents"), None).ok();
    let people = get(&agent(), &s.at("/v1/participants"), None).ok();
    let amendments = get(
        &agent(),
        &s.at("/v1/documents/code/amend/list?all=true"),
        None,
    )
    .ok();
    assert_eq!(s.stop().code(), Some(0));
    assert!(
        !t.store().join("server.json").exists(),
        "server.json is removed at shutdown"
    );

    // The same commands run locally print the same.
    assert_eq!(show_typed.body, t.ok(&["--json", "show"]));
    assert_eq!(
        log_typed.body,
        t.ok(&["--json", "log", "--kind", "amendment_proposed"])
    );
    assert_eq!(status_typed.body, t.ok(&["--json", "status"]));
    assert_eq!(
        clause_typed.body,
        t.ok(&["--json", "show", "--clause", "1.1", "--at", "d1"])
    );
    assert_eq!(docs.body, t.ok(&["--json", "doc", "list"]));
    assert_eq!(people.body, t.ok(&["--json", "participant", "list"]));
    assert_eq!(amendments.body, t.ok(&["--json", "amend", "list", "--all"]));
    let events = t.events(&["--participant", "brazil", "--kind", "amendment_proposed"]);
    assert_eq!(events.len(), 1, "the proposal is brazil's");
    let revisions = t.events(&["--kind", "revision_issued"]);
    assert_eq!(
        revisions.last().unwrap()["actor"],
        t.participant_id("secretariat")
    );
}

#[test]
fn without_the_right_token_or_role_nothing_is_read_or_written() {
    let t = Travaux::fixture();
    // Members only: the hearing is closed.
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-01-04",
        "phase",
        "close",
        "P1",
    ]);
    t.ok(&[
        "--date",
        "2020-01-04",
        "participant",
        "add",
        "outsider",
        "--kind",
        "public",
    ]);
    let brazil = token(&t, "brazil");
    let outsider = token(&t, "outsider");
    let secretariat = token(&t, "secretariat");
    let (jane, jane_id) = token_and_id(&t, "jane");
    t.ok(&["--date", "2020-01-10", "token", "revoke", &jane_id]);
    let s = Server::start(&t);
    let before = head(&s);
    let a = agent();

    // Reading a members-only document: no token 401, a non-member 403, a member 200.
    get(&a, &s.at("/v1/documents/code/show"), None).refused(401, &["members only", "token"]);
    get(&a, &s.at("/v1/documents/code/show"), Some(&outsider))
        .refused(403, &["outsider", "members only"]);
    get(&a, &s.at("/v1/documents/code/show"), Some(&brazil)).ok();
    get(&a, &s.at("/v1/documents/code/show"), Some("not-a-token")).refused(401, &["token"]);
    get(&a, &s.at("/v1/documents/code/show"), Some(&jane)).refused(401, &["revoked"]);
    // The lists of the store are open to anyone.
    get(&a, &s.at("/v1/documents"), None).ok();

    // Writing: no token, a wrong one, a revoked one: 401; a role that does not allow it: 403.
    exec(&s, None, &["comment", "Hello"]).refused(401, &["token"]);
    exec(&s, Some("bad"), &["comment", "Hello"]).refused(401, &["token"]);
    exec(&s, Some(&jane), &["comment", "Hello"]).refused(401, &["revoked"]);
    exec(&s, Some(&brazil), &["agree", "1.1"]).refused(403, &["chair"]);
    exec(
        &s,
        Some(&brazil),
        &["role", "grant", "outsider", "delegate"],
    )
    .refused(403, &["secretariat"]);
    exec(
        &s,
        Some(&outsider),
        &["amend", "propose", "--replace", "1.1", "--text", "Mine."],
    )
    .refused(403, &["delegate"]);
    post(
        &a,
        &s.at("/v1/documents/code/agree"),
        Some(&brazil),
        None,
        r#"{"clause": "1.1"}"#,
    )
    .refused(403, &["chair"]);
    // Acting as someone else is not possible.
    exec(&s, Some(&brazil), &["--as", "chair", "agree", "1.1"]).refused(400, &["--as"]);
    exec(&s, Some(&brazil), &["--store", "/tmp/elsewhere", "show"]).refused(400, &["--store"]);
    // Unknown things are 404s.
    exec(&s, Some(&brazil), &["amend", "support", "A99"]).refused(404, &["A99"]);
    get(&a, &s.at("/v1/documents/nope/show"), Some(&brazil)).refused(404, &["nope"]);
    // Tokens are managed by the store's administrators only.
    exec(&s, Some(&brazil), &["token", "issue", "norway"]).refused(403, &["administrator"]);

    assert_eq!(head(&s), before, "a refusal wrote to the log");
    assert_eq!(s.stop().code(), Some(0));
    let after = t.head();
    assert_eq!((after.seq, after.hash), before);

    // Made public by its secretariat, the document is readable without a token; a delegate
    // may not change that.
    let s = Server::start(&t);
    exec(&s, Some(&brazil), &["doc", "visibility", "public"]).refused(403, &["secretariat"]);
    exec_ok(&s, Some(&secretariat), &["doc", "visibility", "public"]);
    get(&a, &s.at("/v1/documents/code/show"), None).ok();
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn a_stale_if_match_is_refused_with_412_and_writes_nothing() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let a = agent();
    let read = get(&a, &s.at("/v1/documents/code/status"), None).ok();
    let v = read.version();
    let first = post(
        &a,
        &s.at("/v1/documents/code/comment"),
        Some(&brazil),
        Some(v),
        r#"{"text": "First.", "clause": "1.1"}"#,
    )
    .ok();
    assert_eq!(first.version(), v + 1);
    let before = head(&s);
    let stale = post(
        &a,
        &s.at("/v1/documents/code/comment"),
        Some(&brazil),
        Some(v),
        r#"{"text": "Second."}"#,
    );
    stale.refused(412, &[&format!("version {}", v + 1)]);
    assert_eq!(stale.json()["version"], v + 1);
    assert_eq!(stale.version(), v + 1, "the ETag names the current version");
    let stale_exec = post(
        &a,
        &s.at("/v1/exec"),
        Some(&brazil),
        Some(v),
        &json!({ "argv": ["comment", "Third."] }).to_string(),
    );
    stale_exec.refused(412, &["stale"]);
    // --expect-version without If-Match is the CLI's conflict: 409.
    exec(
        &s,
        Some(&brazil),
        &["--expect-version", &v.to_string(), "comment", "Fourth."],
    )
    .refused(409, &["conflict"]);
    assert_eq!(head(&s), before, "a stale write was recorded");
    assert_eq!(s.stop().code(), Some(0));
    let texts: Vec<String> = crate::support::comments(&t.events(&[]))
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(texts, ["First."]);
}

/// `clients` clients, given to `servers` in turn, each proposing an amendment to clause 1.1 of
/// the fixture's document against the version it last read (If-Match) and retrying on 412
/// until it wins one: the version each client won, in the order they were won.
pub(crate) fn race_to_amend(
    servers: &[&Server],
    brazil: &str,
    clients: usize,
) -> Vec<(usize, u64)> {
    let won: Arc<Mutex<Vec<(usize, u64)>>> = Arc::default();
    std::thread::scope(|scope| {
        for client in 0..clients {
            let (s, won) = (servers[client % servers.len()], won.clone());
            scope.spawn(move || {
                let a = agent();
                for attempt in 0..2_000 {
                    let v = get(&a, &s.at("/v1/documents/code/status"), None)
                        .ok()
                        .version();
                    let body =
                        json!({ "replace": "1.1", "text": format!("Client {client} wins.") });
                    let r = post(
                        &a,
                        &s.at("/v1/documents/code/amend/propose"),
                        Some(brazil),
                        Some(v),
                        &body.to_string(),
                    );
                    match r.status {
                        200 => {
                            assert_eq!(
                                r.version(),
                                v + 1,
                                "a write on version {v} made {}",
                                r.version()
                            );
                            won.lock().unwrap().push((client, r.version()));
                            return;
                        }
                        412 => continue,
                        other => panic!("client {client}, attempt {attempt}: {other} {}", r.body),
                    }
                }
                panic!("client {client} never won a version");
            });
        }
    });
    let won = won.lock().unwrap().clone();
    won
}

#[test]
fn fifty_clients_amending_one_clause_each_win_a_version_once() {
    const CLIENTS: usize = 50;
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let start = get(&agent(), &s.at("/v1/documents/code/status"), None)
        .ok()
        .version();
    let won = race_to_amend(&[&s], &brazil, CLIENTS);
    let versions: BTreeSet<u64> = won.iter().map(|(_, v)| *v).collect();
    assert_eq!(versions.len(), CLIENTS, "a version was won twice: {won:?}");
    assert_eq!(
        versions.into_iter().collect::<Vec<_>>(),
        ((start + 1)..=(start + CLIENTS as u64)).collect::<Vec<_>>()
    );
    assert_eq!(s.stop().code(), Some(0));

    t.ok(&["verify"]);
    let proposals = t.events(&["--kind", "amendment_proposed"]);
    assert_eq!(proposals.len(), CLIENTS);
    let mut by_client: BTreeMap<String, u64> = BTreeMap::new();
    for p in &proposals {
        let (_, payload) = kind(p);
        let text = payload["change"]["text"].as_str().unwrap().to_string();
        assert!(
            by_client
                .insert(text, p["version"].as_u64().unwrap())
                .is_none(),
            "a proposal twice"
        );
    }
    for (client, version) in won {
        assert_eq!(by_client[&format!("Client {client} wins.")], version);
    }
}

/// One message of an event stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub(crate) id: u64,
    pub(crate) event: String,
    pub(crate) data: Value,
}

/// Read `count` messages of an event stream (with `Last-Event-ID` if given), then drop the
/// connection.
pub(crate) fn read_stream(
    url: &str,
    token: Option<&str>,
    last_id: Option<u64>,
    count: usize,
) -> Vec<Message> {
    let a: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut req = a.get(url);
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    if let Some(id) = last_id {
        req = req.header("Last-Event-ID", &id.to_string());
    }
    let r = req.call().expect("an event stream");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers().get("content-type").unwrap().to_str().unwrap(),
        "text/event-stream"
    );
    let mut lines = BufReader::new(r.into_body().into_reader()).lines();
    let mut out = Vec::new();
    let (mut id, mut event, mut data) = (None, None, None);
    while out.len() < count {
        let line = lines.next().expect("the stream goes on").expect("a line");
        if line.is_empty() {
            if let (Some(i), Some(e), Some(d)) = (id.take(), event.take(), data.take()) {
                out.push(Message {
                    id: i,
                    event: e,
                    data: d,
                });
            }
        } else if let Some(v) = line.strip_prefix("id: ") {
            id = Some(v.parse().expect("an event number"));
        } else if let Some(v) = line.strip_prefix("event: ") {
            event = Some(v.to_string());
        } else if let Some(v) = line.strip_prefix("data: ") {
            data = Some(serde_json::from_str(v).expect("one line of JSON"));
        }
    }
    out
}

#[test]
fn an_event_stream_resumed_after_a_dropped_connection_misses_and_repeats_nothing() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let before = document_events(&s);
    let url = s.at("/v1/documents/code/events?from=1");

    // A follower reads the first five events, then its connection drops.
    let first = read_stream(&url, None, None, 5);
    // Writes go on meanwhile.
    for i in 0..3 {
        exec_ok(&s, Some(&brazil), &["comment", &format!("While away {i}.")]);
    }
    // It comes back after the last event it saw, and waits for one more, written live.
    let last_seen = first.last().unwrap().id;
    let rest_count = before + 3 + 1 - first.len();
    let (tx, rx) = mpsc::channel();
    {
        let url = url.clone();
        std::thread::spawn(move || {
            let _ = tx.send(read_stream(&url, None, Some(last_seen), rest_count));
        });
    }
    std::thread::sleep(Duration::from_millis(300));
    exec_ok(&s, Some(&brazil), &["comment", "Live."]);
    let rest = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the resumed stream tells every event");
    let mut seen = first;
    seen.extend(rest);

    // The whole store's stream, from the start: every sequence number once, in order.
    let store_head = head(&s).0;
    let all = read_stream(&s.at("/v1/events"), None, None, store_head as usize);
    assert_eq!(
        all.iter().map(|m| m.id).collect::<Vec<_>>(),
        (1..=store_head).collect::<Vec<_>>()
    );
    assert_eq!(s.stop().code(), Some(0));

    // Every event of the document once, in order, as `log --json` gives it.
    let log = t.events(&[]);
    let expected: Vec<(u64, String)> = log
        .iter()
        .map(|e| (e["seq"].as_u64().unwrap(), kind(e).0.to_string()))
        .collect();
    let got: Vec<(u64, String)> = seen.iter().map(|m| (m.id, m.event.clone())).collect();
    assert_eq!(got, expected);
    for (m, e) in seen.iter().zip(&log) {
        // The stream carries the event in the shape `log --json` gives it, field for field.
        assert_eq!(&m.data, e);
    }
    assert_eq!(seen.last().unwrap().event, "comment_posted");
}

/// How many events the document has now, through the server.
fn document_events(s: &Server) -> usize {
    let out = exec_ok(s, None, &["log"]);
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn sigterm_under_load_loses_no_acknowledged_write() {
    const CLIENTS: usize = 8;
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (url, brazil, stop, acknowledged) = (
                s.at("/v1/exec"),
                brazil.clone(),
                stop.clone(),
                acknowledged.clone(),
            );
            std::thread::spawn(move || {
                let a = agent();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) || n > 10_000 {
                        return;
                    }
                    let text = format!("client {client} comment {n}");
                    let body = json!({ "argv": ["comment", &text], "json": true }).to_string();
                    let r = a
                        .post(&url)
                        .header("Authorization", &format!("Bearer {brazil}"))
                        .send(&body);
                    match r {
                        Ok(mut r) if r.status().as_u16() == 200 => {
                            // A body cut off is no acknowledgement.
                            let Ok(s) = r.body_mut().read_to_string() else {
                                continue;
                            };
                            let v: Value = serde_json::from_str(&s).unwrap();
                            let out: Value =
                                serde_json::from_str(v["stdout"].as_str().unwrap()).unwrap();
                            acknowledged
                                .lock()
                                .unwrap()
                                .push((text, out["seq"].as_u64().unwrap()));
                        }
                        // Shutting down: 503; or the connection is refused or closed.
                        Ok(r) => assert_eq!(r.status().as_u16(), 503, "client {client}"),
                        Err(_) => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                }
            })
        })
        .collect();
    // Let the load build up, then stop the server in the middle of it.
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 40 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = s.stop();
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("a client thread");
    }
    assert_eq!(status.code(), Some(0), "the server exits 0 on SIGTERM");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40, "{}", acknowledged.len());

    // After a restart (here: the CLI opening the store), every acknowledged write is there.
    t.ok(&["verify"]);
    let log = t.events(&[]);
    let by_text: BTreeMap<String, u64> = crate::support::comments(&log)
        .iter()
        .zip(log.iter().filter(|e| kind(e).0 == "comment_posted"))
        .map(|(c, e)| {
            (
                c["text"].as_str().unwrap().to_string(),
                e["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    for (text, seq) in &acknowledged {
        assert_eq!(
            by_text.get(text),
            Some(seq),
            "{text} was acknowledged at {seq}"
        );
    }
    // And the server starts again on the same store.
    let seq = t.head().seq;
    let again = Server::start(&t);
    assert_eq!(head(&again).0, seq);
    assert_eq!(again.stop().code(), Some(0));
}

#[test]
fn limits_and_malformed_requests_are_answered_clearly() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let before = head(&s);
    let a = agent();
    // Past the largest body taken (40 MiB: a draft of 16 MiB sent as JSON, with room).
    let big = "x".repeat(40 * 1024 * 1024 + 1);
    post(
        &a,
        &s.at("/v1/exec"),
        Some(&brazil),
        None,
        &json!({ "argv": ["comment", big] }).to_string(),
    )
    .refused(413, &["larger than"]);
    post(
        &a,
        &s.at("/v1/exec"),
        Some(&brazil),
        None,
        r#"{"argv": ["show"], "color": true}"#,
    )
    .refused(400, &["unknown field `color`"]);
    post(
        &a,
        &s.at("/v1/exec"),
        Some(&brazil),
        None,
        r#"{"argv": "show"#,
    )
    .refused(400, &["not what was expected"]);
    post(
        &a,
        &s.at("/v1/exec"),
        Some(&brazil),
        None,
        r#"{"argv": ["amend", "propose", "--bogus"]}"#,
    )
    .refused(400, &["--bogus"]);
    post(
        &a,
        &s.at("/v1/documents/code/comment"),
        Some(&brazil),
        None,
        r#"{"txt": "Hi"}"#,
    )
    .refused(400, &["unknown parameter `txt`", "text"]);
    get(&a, &s.at("/v1/documents/code/log?colour=red"), None).refused(400, &["colour"]);
    get(
        &a,
        &s.at("/v1/documents/code/amend/propose?replace=1.1&text=x"),
        Some(&brazil),
    )
    .refused(405, &["POST"]);
    get(&a, &s.at("/v1/documents/code/nothing"), None).refused(404, &["nothing"]);
    get(&a, &s.at("/v2/whatever"), None).refused(404, &["no route"]);
    exec(&s, Some(&brazil), &["export", "git", "/tmp/x"]).refused(400, &["locally"]);
    exec(&s, Some(&brazil), &["run", "script.travaux"]).refused(400, &["run"]);
    exec(&s, Some(&brazil), &["import", "missing.md"]).refused(422, &["missing.md", "files"]);
    assert_eq!(head(&s), before);
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn every_path_of_the_openapi_description_is_routed() {
    let t = Travaux::fixture();
    let s = Server::start(&t);
    let a = agent();
    let spec = get(&a, &s.at("/v1/openapi.json"), None).ok().json();
    assert_eq!(spec["openapi"], "3.0.3");
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() > 30, "{}", paths.len());
    for name in [
        "/v1/exec",
        "/v1/documents/{doc}/show",
        "/v1/documents/{doc}/amend/propose",
        "/v1/events",
    ] {
        assert!(paths.contains_key(name), "{name}");
    }
    let propose = &paths["/v1/documents/{doc}/amend/propose"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["properties"];
    assert!(
        propose["replace"]["description"].as_str().unwrap().len() > 5,
        "{propose}"
    );
    let ids: Vec<&str> = paths
        .values()
        .flat_map(|item| ["get", "post"].map(|m| item.get(m)))
        .flatten()
        .map(|op| op["operationId"].as_str().expect("an operationId"))
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "operationIds are unique");
    for (path, item) in paths {
        let url = s.at(&path.replace("{doc}", "code"));
        for method in ["get", "post"] {
            if item.get(method).is_none() {
                continue;
            }
            let r = if path.ends_with("/events") {
                // A live stream: only its answer's status.
                let r = a
                    .get(&format!("{url}?from=head"))
                    .call()
                    .expect("an answer");
                Reply {
                    status: r.status().as_u16(),
                    body: String::new(),
                    etag: None,
                }
            } else if method == "get" {
                get(&a, &url, None)
            } else {
                post(&a, &url, None, None, "{}")
            };
            assert_ne!(r.status, 405, "{method} {path}: {}", r.body);
            assert!(
                !(r.status == 404 && r.body.contains("no route")),
                "{method} {path} is not routed: {}",
                r.body
            );
        }
    }
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn word_level_amendments_and_new_clauses_are_proposed_through_typed_routes() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let a = agent();
    let propose = |body: Value| {
        post(
            &a,
            &s.at("/v1/documents/code/amend/propose"),
            Some(&brazil),
            None,
            &body.to_string(),
        )
    };
    let words = propose(json!({ "in": "2.2", "replace": "voluntary", "by": "binding" })).ok();
    let change = &words.json()["change"];
    assert_eq!(change["kind"], "words", "{change}");
    assert_eq!(change["edit"]["by"], "binding");
    let inserted = propose(json!({ "in": "2.2", "insert": "global", "after": "The Code" })).ok();
    assert_eq!(inserted.json()["change"]["edit"]["action"], "insert_after");
    // `insert: true` is the option alone: a new clause.
    let clause =
        propose(json!({ "insert": true, "label": "2.3", "text": "New.", "after": "2.2" })).ok();
    assert_eq!(clause.json()["change"]["kind"], "insert");
    let before = head(&s);
    propose(json!({ "in": "2.2", "replace": "and", "by": "or" }))
        .refused(422, &["occurs 2 times", "--occurrence"]);
    assert_eq!(head(&s), before);
    let spec = get(&a, &s.at("/v1/openapi.json"), None).ok().json();
    let body = &spec["paths"]["/v1/documents/{doc}/amend/propose"]["post"]["requestBody"]
        ["content"]["application/json"]["schema"]["properties"];
    assert_eq!(body["insert"]["oneOf"][1]["type"], "boolean", "{body}");
    assert_eq!(body["by"]["type"], "string");
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn the_whole_log_is_exported_while_serving_to_a_token_that_may_read_every_document() {
    let t = Travaux::fixture();
    let secretariat = token(&t, "secretariat");
    let brazil = token(&t, "brazil");
    t.ok(&[
        "--as",
        "secretariat",
        "doc",
        "new",
        "closed",
        "--title",
        "Closed",
    ]);
    let s = Server::start(&t);
    let a = agent();
    get(&a, &s.at("/v1/export.jsonl"), None).refused(401, &["token"]);
    get(&a, &s.at("/v1/export.jsonl"), Some(&brazil)).refused(403, &["every document", "closed"]);
    let served = get(&a, &s.at("/v1/export.jsonl"), Some(&secretariat))
        .ok()
        .body;
    let (seq, hash) = head(&s);
    let header: Value = serde_json::from_str(served.lines().next().unwrap()).unwrap();
    assert_eq!(header["events"], seq);
    assert_eq!(header["head"], hash.as_str());
    // The CLI with --server downloads the same file, checking it as it arrives.
    let out = t
        .raw_command(&["--server", &s.url, "export", "jsonl", "-o", "client.jsonl"])
        .env("TRAVAUX_TOKEN", &secretariat)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(t.dir().join("client.jsonl")).unwrap(),
        served
    );
    let out = t
        .raw_command(&["--server", &s.url, "export", "jsonl"])
        .env("TRAVAUX_TOKEN", &brazil)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("every document"));
    // `export jsonl` through `exec` would write on the server's disk: refused.
    exec(&s, Some(&secretariat), &["export", "jsonl"]).refused(400, &["locally"]);
    exec(&s, Some(&secretariat), &["checkpoint", "key", "export"]).refused(400, &["locally"]);
    // The checkpoint the fixture's tag signed, verified through the server (the file sent).
    let signed: Value = serde_json::from_str(&t.ok(&["--json", "checkpoint", "list"])).unwrap();
    let first = &signed[0].to_string();
    let body = json!({
        "argv": ["verify", "--checkpoint", "cp.json"], "json": true, "files": { "cp.json": first },
    });
    let v = post(&a, &s.at("/v1/exec"), None, None, &body.to_string())
        .ok()
        .json();
    assert_eq!(v["exit"], 0, "{v}");
    assert!(
        v["stdout"].as_str().unwrap().contains("\"ok\": true"),
        "{v}"
    );
    assert_eq!(s.stop().code(), Some(0));
    // What was served is what the CLI exports, and it restores.
    assert_eq!(t.ok(&["export", "jsonl"]), served);
    let path = t.write("served.jsonl", &served);
    let r = Travaux::new();
    r.ok(&["restore", path.to_str().unwrap()]);
    assert_eq!(r.head(), t.head());
}

#[test]
fn typed_routes_list_comments_and_tags_and_refuse_their_words_as_text() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let secretariat = token(&t, "secretariat");
    let s = Server::start(&t);
    let a = agent();
    post(
        &a,
        &s.at("/v1/documents/code/comment"),
        Some(&brazil),
        None,
        r#"{"text": "Typed.", "clause": "1.1"}"#,
    )
    .ok();
    post(
        &a,
        &s.at("/v1/documents/code/comment/add"),
        Some(&brazil),
        None,
        r#"{"text": "Typed again."}"#,
    )
    .ok();
    let listed = get(&a, &s.at("/v1/documents/code/comment/list"), Some(&brazil)).ok();
    let comments = listed.json();
    let texts: Vec<&Value> = comments["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["text"])
        .collect();
    assert_eq!(texts, ["Typed.", "Typed again."]);
    // `comments` pages on its typed route as on the command line: the cursor of the next page,
    // then the page after it, the last.
    let first = get(
        &a,
        &s.at("/v1/documents/code/comments?limit=1"),
        Some(&brazil),
    )
    .ok();
    let first = first.json();
    assert_eq!(
        (&first["items"][0]["text"], &first["next"]),
        (&json!("Typed."), &json!("C1"))
    );
    assert_eq!(first["summary"]["count"], 2);
    let second = get(
        &a,
        &s.at("/v1/documents/code/comments?limit=1&after=C1"),
        Some(&brazil),
    )
    .ok();
    let second = second.json();
    assert_eq!(
        (&second["items"][0]["text"], &second["next"]),
        (&json!("Typed again."), &Value::Null)
    );
    get(
        &a,
        &s.at("/v1/documents/code/comments?limit=0"),
        Some(&brazil),
    )
    .refused(400, &["a page shows 1 to 1000"]);
    get(
        &a,
        &s.at("/v1/documents/code/comments?after=C9"),
        Some(&brazil),
    )
    .refused(422, &["no comment C9"]);
    let tags = get(&a, &s.at("/v1/documents/code/tag/list"), Some(&brazil)).ok();
    assert!(tags.json()["d1"].is_u64(), "{}", tags.body);
    let before = head(&s);
    post(
        &a,
        &s.at("/v1/documents/code/comment"),
        Some(&brazil),
        None,
        r#"{"text": "list"}"#,
    )
    .refused(422, &["subcommand", "nothing was written"]);
    post(
        &a,
        &s.at("/v1/documents/code/tag"),
        Some(&secretariat),
        None,
        r#"{"name": "list"}"#,
    )
    .refused(422, &["subcommand", "nothing was written"]);
    assert_eq!(head(&s), before);
}
