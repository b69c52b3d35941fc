//! `travaux serve` under slow and hostile clients, and retries racing.
//!
//! A client holding half-sent headers, or an idle keep-alive connection, is closed after the
//! header timeout; none holds a shutdown past its deadline: the server exits, removes
//! `server.json` and the store opens again; a write still running at the shutdown deadline
//! finishes and is durable; bad limits are refused before serving; a body trickling in is cut
//! off (408) with nothing written; idle connections past the bound on open connections make a
//! normal request wait only until they are closed. Ten processes sending one write with the
//! same `--event-id` at once through a server record it once, and only one of them says it
//! wrote it; a retry on the store says the same.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::serve::{agent, exec, get, head, token, Server};
use crate::support::Travaux;

/// A connection that has sent the start of a request and stops there, like a slowloris.
fn half_sent_headers(s: &Server) -> TcpStream {
    let addr = s.at("").trim_start_matches("http://").to_string();
    let mut c = TcpStream::connect(addr).expect("connect");
    c.write_all(b"GET /v1/verify HTTP/1.1\r\nHost: travaux\r\nX-Slow: ")
        .expect("send half a request");
    c
}

/// A connection that sends nothing at all.
fn idle(s: &Server) -> TcpStream {
    TcpStream::connect(s.at("").trim_start_matches("http://")).expect("connect")
}

/// How long the server takes to close `c` (it reads nothing more from it), at most `limit`.
fn closed_within(c: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    c.set_read_timeout(Some(limit)).expect("a read timeout");
    let mut buf = [0u8; 1024];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(started.elapsed())
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn a_client_holding_half_sent_headers_is_closed_and_holds_no_shutdown() {
    let t = Travaux::fixture();
    let before = t.head();

    // The header timeout closes such a connection by itself, while others are served.
    let s = Server::start_with(&t, &["--header-timeout", "1s"]);
    let mut slow = half_sent_headers(&s);
    assert_eq!(
        head(&s).0,
        before.seq,
        "a normal request is answered meanwhile"
    );
    let closed = closed_within(&mut slow, Duration::from_secs(30));
    assert!(
        closed.is_some(),
        "the connection with half-sent headers was not closed within 30 s"
    );
    // So is a keep-alive connection left idle after its answer.
    let mut kept = idle(&s);
    kept.write_all(b"GET /v1/verify HTTP/1.1\r\nHost: travaux\r\n\r\n")
        .expect("send a request");
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).expect("an answer");
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(
        closed_within(&mut kept, Duration::from_secs(30)).is_some(),
        "the idle keep-alive connection was not closed within 30 s"
    );
    assert_eq!(s.stop().code(), Some(0));

    // With a header timeout longer than the shutdown deadline, the deadline drops them.
    let s = Server::start_with(&t, &["--header-timeout", "10m", "--shutdown-timeout", "2s"]);
    let slow: Vec<TcpStream> = (0..20).map(|_| half_sent_headers(&s)).collect();
    assert_eq!(head(&s).0, before.seq);
    let started = Instant::now();
    let status = s.stop();
    let took = started.elapsed();
    assert_eq!(status.code(), Some(0), "the server exits 0");
    // The deadline is 2 s; a minute allows for a loaded machine, while before the deadline
    // existed the server never exited at all.
    assert!(took < Duration::from_secs(60), "exited after {took:?}");
    drop(slow);
    assert!(
        !t.store().join("server.json").exists(),
        "server.json is removed"
    );
    // The store is released: the CLI opens it, and it is as it was.
    let report = t.json(&["verify"]);
    assert_eq!(report["problem"], Value::Null, "{report}");
    assert_eq!(t.head(), before);
}

#[test]
fn a_write_running_at_the_shutdown_deadline_finishes_and_is_durable() {
    // A 10 MB draft takes the server seconds to import (debug build): longer than the 1 s
    // shutdown deadline.
    let (draft, _) = crate::limits::big_draft(10_000_000);
    let t = Travaux::fixture();
    let secretariat = token(&t, "secretariat");
    let s = Server::start_with(&t, &["--shutdown-timeout", "1s"]);
    let body = serde_json::json!({
        "argv": ["import", "big.md", "--revision", "R2"],
        "json": true,
        "files": { "big.md": draft },
    })
    .to_string();
    let mut c = idle(&s);
    write!(
        c,
        "POST /v1/exec HTTP/1.1\r\nHost: travaux\r\nAuthorization: Bearer {secretariat}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("send the headers");
    c.write_all(body.as_bytes()).expect("send the body");
    // The body is sent (all but what the sockets' buffers hold): let the server take it in
    // and start the import, then stop it.
    std::thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let status = s.stop();
    assert_eq!(status.code(), Some(0), "the server exits 0");
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "exited after {:?}",
        started.elapsed()
    );
    // Whether or not the client got its answer (the deadline may have dropped the
    // connection), the write is in the log, whole.
    c.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
    assert_eq!(t.json(&["verify"])["problem"], Value::Null);
    let revisions = t.events(&["--kind", "revision_issued"]);
    assert!(
        revisions.iter().any(|e| e["event"]["revision"] == 2),
        "revision 2 was recorded"
    );
}

#[test]
fn bad_limits_are_refused_naming_the_flag_before_serving() {
    let t = Travaux::fixture();
    for (args, names) in [
        (
            &["--header-timeout", "0"][..],
            &["--header-timeout", "out of range"][..],
        ),
        (&["--body-timeout", "5h"], &["--body-timeout", "unit"]),
        (
            &["--shutdown-timeout", "soon"],
            &["--shutdown-timeout", "10s"],
        ),
        (&["--max-connections", "0"], &["--max-connections"]),
    ] {
        t.refused(
            &[&["serve", "--addr", "127.0.0.1:0"], args].concat(),
            2,
            names,
        );
        assert!(!t.store().join("server.json").exists());
    }
}

#[test]
fn a_trickling_body_is_cut_off_and_writes_nothing() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start_with(&t, &["--body-timeout", "1s"]);
    let before = head(&s);
    let body = r#"{"argv": ["comment", "sent one byte at a time"]}"#;
    let mut c = idle(&s);
    write!(
        c,
        "POST /v1/exec HTTP/1.1\r\nHost: travaux\r\nAuthorization: Bearer {brazil}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("send the headers");
    // One byte every 200 ms: the body would take 10 s; the server waits 1 s for all of it.
    let started = Instant::now();
    for b in body.bytes() {
        if c.write_all(&[b]).is_err() || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    c.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("a read timeout");
    let mut answer = String::new();
    let _ = c.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "a 408 answer, not {answer:?}"
    );
    assert!(answer.contains("did not arrive within 1s"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "cut off after {:?}",
        started.elapsed()
    );
    assert_eq!(head(&s), before, "nothing was written");
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn idle_connections_past_the_bound_make_a_request_wait_until_they_are_closed() {
    let t = Travaux::fixture();
    let before = t.head();

    // Many idle connections under the bound: a request is answered at once.
    let s = Server::start_with(&t, &["--max-connections", "100"]);
    let idle_ones: Vec<TcpStream> = (0..80).map(|_| idle(&s)).collect();
    assert_eq!(head(&s).0, before.seq);
    drop(idle_ones);
    assert_eq!(s.stop().code(), Some(0));

    // At the bound, a new connection waits to be accepted until one is closed: the idle
    // ones are, after the header timeout (1 s), and the request is then answered.
    let s = Server::start_with(&t, &["--max-connections", "4", "--header-timeout", "1s"]);
    let mut idle_ones: Vec<TcpStream> = (0..4).map(|_| idle(&s)).collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let r = get(&agent(), &s.at("/v1/verify"), None).ok().json();
    assert_eq!(r["head_seq"], before.seq);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "answered after {:?}",
        started.elapsed()
    );
    for c in &mut idle_ones {
        assert!(
            closed_within(c, Duration::from_secs(30)).is_some(),
            "the idle connection was closed"
        );
    }
    let log = std::fs::read_to_string(t.dir().join("serve.log")).expect("the server's log");
    assert!(log.contains("bound on open connections"), "{log}");
    assert_eq!(s.stop().code(), Some(0));
}

/// Start `PROCESSES` processes sending one comment with one `--event-id` through the server
/// at once; answer, for each, whether it says it wrote the comment, and the event it names.
fn race(t: &Travaux, s: &Server, token: &str, id: &str) -> Vec<(bool, u64, String)> {
    // Every other process asks for JSON: both forms say which answer is the writer's.
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let json = i % 2 == 1;
            let mut cmd =
                t.raw_command(&[&["--server", &s.at("")][..], &retry_argv(id, json)].concat());
            cmd.env("TRAVAUX_TOKEN", token)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            (json, cmd.spawn().expect("start travaux"))
        })
        .collect();
    children
        .into_iter()
        .map(|(json, child)| {
            let out = child.wait_with_output().expect("wait for travaux");
            let stdout = String::from_utf8(out.stdout).expect("UTF-8");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let (wrote, seq) = if json {
                let v: Value = serde_json::from_str(&stdout).expect("JSON");
                match v["duplicate"] == true {
                    true => (false, v["seqs"][0].as_u64()),
                    false => (true, v["seq"].as_u64()),
                }
            } else if let Some(rest) = stdout.strip_prefix("already recorded as event ") {
                (false, rest.split(' ').next().and_then(|n| n.parse().ok()))
            } else {
                let n = stdout.split("at event ").nth(1);
                (true, n.and_then(|n| n.trim().parse().ok()))
            };
            let seq = seq.unwrap_or_else(|| panic!("no event named: {stdout}"));
            (wrote, seq, stdout)
        })
        .collect()
}

/// How many processes race.
const PROCESSES: usize = 10;

/// The command line of the write retried.
fn retry_argv(id: &str, json: bool) -> Vec<&str> {
    let mut argv = vec!["--event-id", id];
    if json {
        argv.push("--json");
    }
    argv.extend(["comment", "said once, sent ten times", "--clause", "2.1"]);
    argv
}

#[test]
fn ten_processes_retrying_one_write_at_once_record_it_once_and_one_says_it_wrote_it() {
    let t = Travaux::fixture();
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    // A few rounds, each with its own event id: processes start a few milliseconds apart,
    // and a round races (two or more past the first look at the log) only now and then.
    let ids: Vec<String> = (0..4)
        .map(|round| format!("0d5f3a3e-7c1b-4e9a-9f3e-2b6a1c4d8e7{round}"))
        .collect();
    for id in &ids {
        let before = head(&s).0;
        let answers = race(&t, &s, &brazil, id);
        let writers: Vec<_> = answers.iter().filter(|a| a.0).collect();
        assert_eq!(writers.len(), 1, "exactly one writer: {answers:?}");
        // One event, and every answer names it.
        let seq = before + 1;
        assert_eq!(head(&s).0, seq, "one event recorded");
        assert!(answers.iter().all(|a| a.1 == seq), "{answers:?}");
        let log = exec(&s, None, &["log", "--kind", "comment_posted"])
            .ok()
            .json();
        let comments: Vec<Value> =
            serde_json::from_str(log["stdout"].as_str().expect("stdout")).expect("JSON");
        assert_eq!(
            comments.iter().filter(|e| e["id"] == id.as_str()).count(),
            1,
            "{comments:?}"
        );
    }
    assert_eq!(s.stop().code(), Some(0));

    // A retry on the store, the server gone, is answered the same way and writes nothing.
    let head = t.head();
    let mut args = vec!["--as", "brazil"];
    args.extend(retry_argv(&ids[0], false));
    let seq = head.seq - ids.len() as u64 + 1;
    assert_eq!(
        t.ok(&args),
        format!(
            "already recorded as event {seq} (a retry with the same --event-id); nothing written\n"
        )
    );
    assert_eq!(t.head(), head);
}
