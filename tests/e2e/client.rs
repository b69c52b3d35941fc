//! Tokens, and the command line as a client of `travaux serve`: `token issue|list|revoke` on
//! the store; the same commands through `--server` printing what they print locally; a store
//! held by a server naming it; `replay --follow` telling an event appended after it started;
//! refusals through the server writing nothing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::support::{Output, Running, Travaux, DRAFT2};

/// `travaux token issue --json`, dated before the writes of the tests: the token and its id.
pub(crate) fn issue(t: &Travaux, participant: &str) -> (String, String) {
    let issued = t.json(&["--date", "2020-01-10", "token", "issue", participant]);
    (
        issued["token"].as_str().expect("a token").to_string(),
        issued["token_id"].as_str().expect("a token id").to_string(),
    )
}

#[test]
fn a_token_is_shown_once_listed_without_itself_and_revoked_once() {
    let t = Travaux::fixture();
    let out = t.ok(&["token", "issue", "brazil"]);
    let tokens: Vec<&str> = out
        .split_whitespace()
        .filter(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .collect();
    assert_eq!(tokens.len(), 1, "the token is shown once:\n{out}");
    let token = tokens[0];
    assert!(out.contains("keep it"), "{out}");
    assert!(out.contains("brazil"), "{out}");

    let issued = t.json(&["token", "issue", "norway"]);
    assert_eq!(issued["participant"], "norway");
    let norway_token = issued["token"].as_str().unwrap();
    assert_eq!(norway_token.len(), 64);
    assert_ne!(norway_token, token);
    let norway_id = issued["token_id"].as_str().unwrap().to_string();

    let list = t.ok(&["token", "list"]);
    let list_json = t.json(&["token", "list"]);
    let log = t.ok(&["--json", "log"]);
    for shown in [&list, &list_json.to_string(), &log] {
        assert!(
            !shown.contains(token) && !shown.contains(norway_token),
            "{shown}"
        );
    }
    assert!(
        list.contains(&norway_id) && list.contains("norway"),
        "{list}"
    );
    let entries = list_json.as_array().expect("a list");
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e["revoked"] == false));

    let revoked = t.ok(&["token", "revoke", &norway_id]);
    assert!(
        revoked.contains("revoked") && revoked.contains("norway"),
        "{revoked}"
    );
    t.refused(
        &["token", "revoke", &norway_id],
        1,
        &["already revoked", &norway_id],
    );
    t.refused(
        &["token", "revoke", "7d3c6f52-1f7e-4a43-9a3e-5d4c1b2a0f99"],
        1,
        &["no token", "token list"],
    );
    t.refused(&["token", "revoke", "not-an-id"], 2, &["TOKEN-ID"]);
    t.refused(&["token", "issue", "nobody"], 1, &["nobody"]);
    let after = t.json(&["token", "list"]);
    let states: Vec<(&str, bool)> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["participant"].as_str().unwrap(), e["revoked"] == true))
        .collect();
    assert_eq!(states, [("brazil", false), ("norway", true)]);
}

#[test]
fn replay_follow_needs_a_server() {
    let t = Travaux::fixture();
    t.refused(&["replay", "--follow"], 2, &["--server"]);
}

/// A running `travaux serve` on a loopback port, killed when dropped.
pub(crate) struct Served {
    pub(crate) url: String,
    _child: Running,
}

/// Start `travaux serve` on the store and wait for its `listening on URL`.
pub(crate) fn serve(t: &Travaux) -> Served {
    let mut cmd = t.command(&["serve", "--addr", "127.0.0.1:0"]);
    cmd.env_remove("TRAVAUX_SERVER")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = Running(cmd.spawn().expect("start travaux serve"));
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(at) = line.find("http://") {
                let url: String = line[at..].split_whitespace().next().unwrap().to_string();
                let _ = tx.send(url);
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("travaux serve says `listening on URL`");
    Served { url, _child: child }
}

impl Served {
    /// Kill the server with SIGKILL, as a crash would: it leaves its files behind.
    pub(crate) fn kill(&mut self) {
        self._child.kill();
    }
}

/// The binary sent to a server with a token (or none), in the test's directory.
fn remote_command(t: &Travaux, url: &str, token: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = t.raw_command(&["--server", url]);
    cmd.args(args).env_remove("TRAVAUX_TOKEN");
    if let Some(token) = token {
        cmd.env("TRAVAUX_TOKEN", token);
    }
    cmd
}

/// Run a command through a server.
pub(crate) fn remote(t: &Travaux, url: &str, token: Option<&str>, args: &[&str]) -> Output {
    let out = remote_command(t, url, token, args)
        .output()
        .expect("run travaux");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// Run a command through a server and insist on exit code 0.
pub(crate) fn remote_ok(t: &Travaux, url: &str, token: Option<&str>, args: &[&str]) -> String {
    let out = remote(t, url, token, args);
    assert_eq!(
        out.code,
        0,
        "`travaux --server {url} {}` failed:\n{}",
        args.join(" "),
        out.stderr
    );
    out.stdout
}

#[test]
fn a_command_through_the_server_prints_what_it_prints_locally() {
    // Two copies of the fixture: one served, one written locally, the same commands on both.
    let served = Travaux::fixture();
    let local = Travaux::fixture();
    served.write("draft2.md", DRAFT2);
    local.write("draft2.md", DRAFT2);
    let reads: [&[&str]; 5] = [
        &["show"],
        &["log"],
        &["status"],
        &["--json", "log"],
        &["diff", "d1", "head"],
    ];
    let before: Vec<String> = reads.iter().map(|a| served.ok(a)).collect();
    let (brazil, _) = issue(&served, "brazil");
    let (secretariat, _) = issue(&served, "secretariat");
    issue(&local, "brazil");
    issue(&local, "secretariat");

    let server = serve(&served);
    let url = server.url.as_str();
    for (args, local_out) in reads.iter().zip(&before) {
        let through = remote_ok(&served, url, Some(&brazil), args);
        assert_eq!(
            &through,
            local_out,
            "`{}` through the server",
            args.join(" ")
        );
    }
    // The same writes, through the server as the token's participant and locally with --as.
    let comment = [
        "--date",
        "2020-02-01",
        "comment",
        "--clause",
        "1.1",
        "--position",
        "support",
        "clear as it stands",
    ];
    let through = remote_ok(&served, url, Some(&brazil), &comment);
    let mut as_brazil = vec!["--as", "brazil"];
    as_brazil.extend_from_slice(&comment);
    assert_eq!(through, local.ok(&as_brazil));
    assert!(through.starts_with("commented C1 on 1.1"), "{through}");
    // A file named on the command line goes with the command.
    let import = [
        "--date",
        "2020-02-02",
        "import",
        "draft2.md",
        "--revision",
        "D2",
    ];
    let through = remote_ok(&served, url, Some(&secretariat), &import);
    let mut as_secretariat = vec!["--as", "secretariat"];
    as_secretariat.extend_from_slice(&import);
    assert_eq!(through, local.ok(&as_secretariat));
    // --json is sent as such.
    let shown = remote_ok(&served, url, None, &["--json", "questions"]);
    assert_eq!(shown, local.ok(&["--json", "questions"]));
    let through = remote_ok(&served, url, Some(&brazil), &["show"]);
    drop(server);
    assert_eq!(through, local.ok(&["show"]));
    assert_eq!(served.ok(&["show"]), local.ok(&["show"]));
    let report = served.json(&["verify"]);
    assert_eq!(report["problem"], Value::Null);
}

#[test]
fn a_store_held_by_a_server_names_it() {
    let t = Travaux::fixture();
    let server = serve(&t);
    // A local command goes through the server's local socket; without it (a store path too
    // long for a socket's address), the store is locked and the message names the server.
    std::fs::remove_file(t.store().join("server.sock")).expect("the server's local socket");
    let stderr = t.fails(&["show"], 5);
    assert!(stderr.contains(&server.url), "names the server: {stderr}");
    assert!(
        stderr.contains("--server") && stderr.contains("TRAVAUX_TOKEN"),
        "{stderr}"
    );
    // The command it suggests works: --store of the served store, with --server added.
    let store = t.store().display().to_string();
    let out = remote_ok(&t, &server.url, None, &["--store", &store, "show"]);
    assert!(out.contains("Test Code"), "{out}");
}

#[test]
fn refusals_through_the_server_name_the_problem_and_write_nothing() {
    let t = Travaux::fixture();
    let (jane, _) = issue(&t, "jane");
    let before = t.head();
    let server = serve(&t);
    let url = server.url.as_str();
    let refused = |token: Option<&str>, args: &[&str], code: i32, names: &[&str]| {
        let out = remote(&t, url, token, args);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (code, ""),
            "`{}`: {}",
            args.join(" "),
            out.stderr
        );
        for name in names {
            assert!(
                out.stderr.to_lowercase().contains(&name.to_lowercase()),
                "`{}` should mention {name}: {}",
                args.join(" "),
                out.stderr
            );
        }
    };
    refused(
        Some(&jane),
        &["--as", "brazil", "comment", "hello"],
        1,
        &["--as", "token"],
    );
    refused(
        Some(&jane),
        &["run", "fixture.travaux"],
        1,
        &["run", "script"],
    );
    refused(
        Some("0000000000000000000000000000000000000000000000000000000000000000"),
        &["comment", "hello"],
        1,
        &["token"],
    );
    refused(None, &["comment", "hello"], 1, &["TRAVAUX_TOKEN"]);
    // jane is public: she may comment in the hearing, not decide.
    refused(Some(&jane), &["agree", "1.1"], 1, &["chair"]);
    refused(
        Some(&jane),
        &["--expect-version", "1", "comment", "hello"],
        3,
        &["version"],
    );
    refused(
        Some(&jane),
        &["replay", "--follow", "--to", "d1"],
        2,
        &["--to"],
    );
    drop(server);
    assert_eq!(t.head(), before, "nothing was written");

    // No server there: exit code 5, naming the address.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let out = remote(&t, &gone, None, &["show"]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.contains(&gone), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

/// Follow the document through the server, with these extra arguments; each line of stdout is
/// sent on the channel.
fn follow(t: &Travaux, url: &str, token: &str, args: &[&str]) -> (Running, mpsc::Receiver<String>) {
    let mut all = vec!["replay", "--follow"];
    all.extend_from_slice(args);
    let mut cmd = remote_command(t, url, Some(token), &all);
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = Running(cmd.spawn().expect("start replay --follow"));
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

#[test]
fn replay_follow_tells_an_event_appended_after_it_started() {
    let t = Travaux::fixture();
    let (brazil, _) = issue(&t, "brazil");
    let server = serve(&t);
    let url = server.url.as_str();
    let (mut people, told) = follow(&t, url, &brazil, &[]);
    let (mut tools, lines) = follow(&t, url, &brazil, &["--json"]);
    // Nothing of the past: it starts at the head.
    assert!(told.recv_timeout(Duration::from_millis(1500)).is_err());
    assert!(lines.try_recv().is_err());

    let ack = remote_ok(
        &t,
        url,
        Some(&brazil),
        &["comment", "--position", "oppose", "seen live"],
    );
    let seq: u64 = ack.trim().rsplit(' ').next().unwrap().parse().expect(&ack);
    let line = told
        .recv_timeout(Duration::from_secs(20))
        .expect("replay --follow tells the comment");
    assert!(line.trim_start().starts_with(&seq.to_string()), "{line}");
    assert!(
        line.contains("Brazil") && line.contains("commented C1"),
        "{line}"
    );
    let json: Value = serde_json::from_str(
        &lines
            .recv_timeout(Duration::from_secs(20))
            .expect("replay --follow --json tells the comment"),
    )
    .expect("a JSON line");
    assert_eq!(json["seq"], seq);
    assert_eq!(json["type"], "comment_posted");
    // The same line as `replay --json` gives for it.
    let from = (seq - 1).to_string();
    let replayed = remote_ok(
        &t,
        url,
        Some(&brazil),
        &["--json", "replay", "--from", &from],
    );
    let replayed: Value = serde_json::from_str(replayed.trim()).unwrap();
    assert_eq!(json, replayed);

    // --from: the events after a point, then live.
    let (mut again, told_again) = follow(&t, url, &brazil, &["--from", &from]);
    let line = told_again
        .recv_timeout(Duration::from_secs(20))
        .expect("the comment after --from");
    assert!(line.contains("commented C1"), "{line}");
    people.kill();
    tools.kill();
    again.kill();
}
