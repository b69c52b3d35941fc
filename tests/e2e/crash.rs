//! A crash (SIGKILL) in the middle of a long script loses nothing that was acknowledged: the
//! hash chain verifies, and every acknowledged comment is in the log, once, where it was
//! acknowledged.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{acknowledgement, comment_script, comments, Running, Travaux};

const ACKNOWLEDGED: usize = 200;

#[test]
fn a_killed_run_keeps_every_acknowledged_comment() {
    let t = Travaux::fixture();
    let start = t.head();
    t.write("big.travaux", comment_script(3000));
    let mut child = t.command(&["run", "big.travaux"]);
    child.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = Running(child.spawn().expect("start travaux run"));
    let lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let mut acks: Vec<(u64, u64)> = Vec::new();
    for line in lines {
        let line = line.expect("read stdout");
        let ack = acknowledgement(&line).unwrap_or_else(|| panic!("not an ack: {line}"));
        acks.push(ack);
        if acks.len() == ACKNOWLEDGED {
            break;
        }
    }
    child.kill();
    assert_eq!(acks.len(), ACKNOWLEDGED, "the script ended early");

    // The log verifies after the crash.
    let verified = t.ok(&["verify"]);
    assert!(verified.starts_with("ok: "), "{verified}");
    let head = t.head();
    assert!(head.seq >= start.seq + ACKNOWLEDGED as u64);

    let events = t.events(&["--kind", "comment_posted"]);
    let posted = comments(&events);
    // Every acknowledged comment is there, with its text, number and sequence number.
    let by_text: HashMap<&str, (&serde_json::Value, u64)> = events
        .iter()
        .zip(&posted)
        .map(|(e, c)| {
            (
                c["text"].as_str().unwrap(),
                (*c, e["seq"].as_u64().unwrap()),
            )
        })
        .collect();
    assert_eq!(by_text.len(), posted.len(), "no comment appears twice");
    for (i, (no, seq)) in acks.iter().enumerate() {
        let wording = format!("comment number {}", i + 1);
        let (comment, at) = by_text
            .get(wording.as_str())
            .unwrap_or_else(|| panic!("acknowledged {wording:?} (C{no}, event {seq}) is lost"));
        assert_eq!(comment["comment"], *no, "{wording}");
        assert_eq!(at, seq, "{wording}");
    }
    // What was recorded is a prefix of the script: no gaps, nothing twice.
    let recorded: Vec<&str> = posted.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let expected: Vec<String> = (1..=recorded.len())
        .map(|i| format!("comment number {i}"))
        .collect();
    assert_eq!(recorded, expected);
    assert!(recorded.len() < 3000, "the run was killed before the end");

    // And the store takes new writes after the crash.
    let out = t.ok(&["--as", "norway", "comment", "after the crash"]);
    let (_, seq) = acknowledgement(out.trim()).expect("an acknowledgement");
    assert_eq!(seq, head.seq + 1);
    t.ok(&["verify"]);
}
