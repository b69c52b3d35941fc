//! One process owns a store: while a long `travaux run` holds it, another `travaux` is told
//! the store is in use (exit code 5), in words, not with sled's lock error.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{acknowledgement, comment_script, Running, Travaux};

#[test]
fn a_second_process_is_told_the_store_is_in_use() {
    let t = Travaux::fixture();
    t.write("big.travaux", comment_script(3000));
    let mut child = t.command(&["run", "big.travaux"]);
    child.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = Running(child.spawn().expect("start travaux run"));
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let first = lines
        .next()
        .expect("an acknowledgement")
        .expect("read stdout");
    assert_eq!(
        acknowledgement(&first).map(|(no, _)| no),
        Some(1),
        "{first}"
    );

    let before_kill = |args: &[&str]| {
        let stderr = t.fails(args, 5);
        assert!(
            stderr.contains("is in use by another travaux process"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&t.store().display().to_string()),
            "names the store: {stderr}"
        );
        for sled_text in [
            "could not acquire lock",
            "Resource temporarily unavailable",
            "WouldBlock",
            "os error",
            "storage error",
        ] {
            assert!(!stderr.contains(sled_text), "raw lock error: {stderr}");
        }
    };
    before_kill(&["show"]);
    before_kill(&["--as", "norway", "comment", "meanwhile"]);
    before_kill(&["verify"]);

    child.kill();
    // Once it is gone, the store opens again, and the other process wrote nothing.
    let report = t.json(&["verify"]);
    assert_eq!(report["problem"], serde_json::Value::Null);
    let events = t.events(&["--participant", "norway"]);
    assert!(events.is_empty(), "norway's comment was not written");
}
