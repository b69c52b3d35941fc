//! The tamper and corruption battery: a store damaged on disk answers right or says it is
//! damaged (exit 4), never a wrong answer with exit 0, never a crash.
//!
//! The example negotiation is written and left in each of the states a store is found in
//! (just written and never reopened, reopened, compacted, served and shut down); copies of it
//! are damaged — bits flipped at offsets drawn, with a fixed seed, from the bytes sled wrote
//! (not its zeroed free space), the data file cut short, files deleted — and `verify`, `show`
//! and `log --all --json` are run on each. Every answer must be the undamaged store's answer
//! with exit 0, or exit 4 naming damage. `TRAVAUX_TAMPER_FLIPS` (flips per state, 12 by
//! default) and `TRAVAUX_TAMPER_SEED` run it larger; the counts are printed (`--nocapture`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;

use crate::support::{Output, Travaux};

/// The commands each damaged store is asked.
const ASKED: [&[&str]; 3] = [&["verify"], &["show"], &["log", "--all", "--json"]];

/// How one command answered a damaged store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Answer {
    /// Exit 0 and the undamaged store's answer.
    Right,
    /// Exit 4, naming damage.
    Damage,
    /// Exit 0 with another answer: the failure this battery exists to rule out.
    SilentlyWrong,
    /// A panic (exit 101) or any other exit code.
    Crash,
}

/// A small deterministic generator (xorshift64*): the battery needs only reproducible draws.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a copy");
    for entry in std::fs::read_dir(from).expect("read the store") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// A damaged copy of a store, and what it is asked.
struct Case {
    name: String,
    damage: Box<dyn Fn(&Path)>,
}

fn flip(offset: usize, bit: u32) -> impl Fn(&Path) {
    move |store: &Path| {
        let path = store.join("db");
        let mut bytes = std::fs::read(&path).expect("read db");
        bytes[offset] ^= 1 << bit;
        std::fs::write(&path, bytes).expect("write db");
    }
}

/// Run the commands on a copy of `base` damaged by `case`, against the reference answers.
fn ask(t: &Travaux, base: &Path, case: &Case, reference: &[String]) -> Vec<(Answer, Output)> {
    let copy = t.dir().join("damaged");
    let _ = std::fs::remove_dir_all(&copy);
    copy_dir(base, &copy);
    (case.damage)(&copy);
    let store = copy.to_str().expect("a UTF-8 path");
    ASKED
        .iter()
        .zip(reference)
        .map(|(args, right)| {
            let mut all = vec!["--store", store];
            all.extend_from_slice(args);
            let out = t.run_raw(&all);
            let answer = match out.code {
                0 if out.stdout == *right => Answer::Right,
                0 => Answer::SilentlyWrong,
                4 if out.stderr.contains("damaged") => Answer::Damage,
                _ => Answer::Crash,
            };
            (answer, out)
        })
        .collect()
}

/// The store left in each state, beside the test's store.
fn states(t: &Travaux) -> Vec<(&'static str, std::path::PathBuf)> {
    let root = t.dir().join("states");
    let fresh = root.join("fresh");
    // Just written: the demo's store, never opened again.
    copy_dir(t.store(), &fresh);
    let reopened = root.join("reopened");
    copy_dir(t.store(), &reopened);
    t.run_raw(&["--store", reopened.to_str().unwrap(), "verify"]);
    let compacted = root.join("compacted");
    copy_dir(t.store(), &compacted);
    let out = t.run_raw(&["--store", compacted.to_str().unwrap(), "compact"]);
    assert_eq!(out.code, 0, "compact: {}", out.stderr);
    let served = root.join("served");
    copy_dir(t.store(), &served);
    let mut server = t
        .raw_command(&[
            "--store",
            served.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start travaux serve");
    // Wait for it to listen, then stop it as an operator would.
    let mut said = std::io::BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut said, &mut line).expect("its first line");
    assert!(line.contains("http://"), "serve said {line:?}");
    // Give it the moment it takes to install its signal handlers after it listens.
    std::thread::sleep(std::time::Duration::from_millis(500));
    // Read what else it says, so that it never writes to a closed pipe.
    let reader = std::thread::spawn(move || std::io::copy(&mut said, &mut std::io::sink()));
    std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill -TERM");
    let status = server.wait().expect("serve exits");
    assert!(status.success(), "serve after SIGTERM: {status:?}");
    let _ = reader.join();
    vec![
        ("just written", fresh),
        ("reopened", reopened),
        ("compacted", compacted),
        ("served and shut down", served),
    ]
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn a_damaged_store_answers_right_or_says_it_is_damaged() {
    let t = Travaux::demo();
    let flips = env_number("TRAVAUX_TAMPER_FLIPS", 12) as usize;
    let mut draw = Draw(env_number("TRAVAUX_TAMPER_SEED", 20) | 1);
    let mut counts: BTreeMap<Answer, usize> = BTreeMap::new();
    let (mut cases, mut detected, mut right) = (0, 0, 0);
    let mut failures = Vec::new();
    for (state, base) in states(&t) {
        // The undamaged answers, from a copy (asking the state itself would reopen it).
        let reference: Vec<String> = {
            let copy = t.dir().join("reference");
            let _ = std::fs::remove_dir_all(&copy);
            copy_dir(&base, &copy);
            ASKED
                .iter()
                .map(|args| {
                    let mut all = vec!["--store", copy.to_str().unwrap()];
                    all.extend_from_slice(args);
                    let out = t.run_raw(&all);
                    assert_eq!(out.code, 0, "{state}: {args:?}: {}", out.stderr);
                    out.stdout
                })
                .collect()
        };
        let db = std::fs::read(base.join("db")).expect("read db");
        let written: Vec<usize> = (0..db.len()).filter(|i| db[*i] != 0).collect();
        let mut battery: Vec<Case> = (0..flips)
            .map(|_| {
                let offset = written[draw.below(written.len())];
                let bit = draw.below(8) as u32;
                Case {
                    name: format!("bit {bit} of byte {offset} flipped"),
                    damage: Box::new(flip(offset, bit)),
                }
            })
            .collect();
        let len = db.len();
        for keep in [len * 99 / 100, len * 9 / 10, len / 2, len - 4096] {
            battery.push(Case {
                name: format!("db cut to {keep} of {len} bytes"),
                damage: Box::new(move |store: &Path| {
                    let f = std::fs::OpenOptions::new()
                        .write(true)
                        .open(store.join("db"))
                        .expect("open db");
                    f.set_len(keep as u64).expect("truncate");
                }),
            });
        }
        for file in ["anchor", "conf", "db"] {
            battery.push(Case {
                name: format!("{file} deleted"),
                damage: Box::new(move |store: &Path| {
                    std::fs::remove_file(store.join(file)).expect("delete");
                }),
            });
        }
        battery.push(Case {
            name: "the anchor's bytes flipped".into(),
            damage: Box::new(|store: &Path| {
                let path = store.join("anchor");
                let mut bytes = std::fs::read(&path).expect("read anchor");
                for b in &mut bytes {
                    *b ^= 0x5a;
                }
                std::fs::write(&path, bytes).expect("write anchor");
            }),
        });
        for case in &battery {
            cases += 1;
            let answers = ask(&t, &base, case, &reference);
            if answers.iter().any(|(a, _)| *a == Answer::Damage) {
                detected += 1;
            }
            if answers.iter().all(|(a, _)| *a == Answer::Right) {
                right += 1;
            }
            for (args, (answer, out)) in ASKED.iter().zip(&answers) {
                *counts.entry(*answer).or_default() += 1;
                if matches!(answer, Answer::SilentlyWrong | Answer::Crash) {
                    failures.push(format!(
                        "{state}, {}: `{}` answered {answer:?} (exit {}):\n{}",
                        case.name,
                        args.join(" "),
                        out.code,
                        out.stderr
                    ));
                }
            }
        }
    }
    eprintln!(
        "tamper battery: {cases} cases (4 states); {right} answered right by every command, {detected} detected as damage (exit 4) by at least one; answers by kind: {counts:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Nothing the battery does goes unseen by every command: deleting a file of the store or
    // cutting its data file short is always told.
    assert!(detected > 0, "no case was detected");
}

/// Put sled's own files of `from` (its data, config, snapshot and blobs) in the store `to`,
/// leaving `to`'s anchor: the store as sled would open it had it lost what came after `from`.
fn put_sled_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(to).expect("read the store") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().to_string_lossy().to_string();
        if name == "db" || name == "conf" || name.starts_with("snap.") {
            std::fs::remove_file(entry.path()).expect("remove");
        } else if name == "blobs" {
            std::fs::remove_dir_all(entry.path()).expect("remove");
        }
    }
    for entry in std::fs::read_dir(from).expect("read the copy") {
        let entry = entry.expect("an entry");
        let name = entry.file_name().to_string_lossy().to_string();
        if name == "db" || name == "conf" || name.starts_with("snap.") {
            std::fs::copy(entry.path(), to.join(&name)).expect("copy");
        } else if name == "blobs" {
            copy_dir(&entry.path(), &to.join("blobs"));
        }
    }
}

fn comment(t: &Travaux, text: &str) -> String {
    t.ok(&["--as", "brazil", "comment", "--clause", "1.1", text])
}

#[test]
fn a_log_that_lost_its_tail_is_refused_naming_what_was_lost() {
    let t = Travaux::fixture();
    let before = t.head();
    let earlier = t.dir().join("earlier");
    copy_dir(t.store(), &earlier);
    comment(&t, "First after the copy.");
    comment(&t, "Second after the copy.");
    let acknowledged = before.seq + 2;
    put_sled_files(&earlier, t.store());

    for args in [&["show"][..], &["log"], &["verify"]] {
        let err = t.fails(args, 4);
        assert!(err.contains("damaged"), "{err}");
        assert!(
            err.contains(&format!(
                "events {} to {acknowledged} are lost",
                before.seq + 1
            )) && err.contains(&format!("the last good event is {}", before.seq)),
            "`{}` said: {err}",
            args.join(" ")
        );
        assert!(err.contains("travaux restore"), "{err}");
    }
    // Nothing is written on it: a write is refused, and the log is as sled left it.
    let err = t.fails(
        &["--as", "brazil", "comment", "--clause", "1.1", "A third."],
        4,
    );
    assert!(err.contains("are lost"), "{err}");
    std::fs::copy(earlier.join("anchor"), t.store().join("anchor")).expect("the old anchor");
    assert_eq!(t.head(), before, "the refused write wrote nothing");
}

#[test]
fn an_anchor_behind_the_log_moves_to_its_head_and_a_missing_one_is_damage() {
    let t = Travaux::fixture();
    let earlier = t.dir().join("earlier");
    copy_dir(t.store(), &earlier);
    comment(&t, "After the copy.");
    // A crash between sled's sync and the anchor's leaves the anchor behind: not damage.
    std::fs::copy(earlier.join("anchor"), t.store().join("anchor")).expect("the old anchor");
    let report = t.json(&["verify"]);
    assert_eq!(report["problem"], serde_json::Value::Null, "{report}");
    assert_eq!(report["anchored"], report["head_seq"], "{report}");

    std::fs::remove_file(t.store().join("anchor")).expect("delete the anchor");
    let err = t.fails(&["show"], 4);
    assert!(err.contains("anchor") && err.contains("missing"), "{err}");
    let err = t.fails(&["verify"], 4);
    assert!(err.contains("anchor") && err.contains("missing"), "{err}");
}

#[test]
fn an_event_rewritten_at_the_anchored_head_is_refused() {
    // Two stores of the same length whose last events differ: one's anchor on the other's log.
    let a = Travaux::fixture();
    let b = Travaux::fixture();
    comment(&a, "One wording.");
    comment(&b, "Another wording.");
    let head = b.head();
    assert_eq!(a.head().seq, head.seq);
    assert_ne!(a.head().hash, head.hash);
    std::fs::copy(a.store().join("anchor"), b.store().join("anchor")).expect("copy the anchor");
    let err = b.fails(&["show"], 4);
    assert!(
        err.contains(&format!("event {} hashes to {}", head.seq, head.hash)),
        "{err}"
    );
}
