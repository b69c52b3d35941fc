//! The whole record backed up and restored (`export jsonl`, `restore`), and signed checkpoints
//! (`checkpoint`, `verify --checkpoint`): a restored store answers as the original did; an
//! export cut short or altered is refused with its line named and nothing left behind; a store
//! rewritten since a checkpoint, or a checkpoint under another key, fails verification.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::Travaux;

/// Export `t`'s store to `name` in its directory and return the file's text.
fn export(t: &Travaux, name: &str) -> String {
    let line = t.ok(&["export", "jsonl", "-o", name]);
    assert!(line.starts_with("exported "), "{line}");
    std::fs::read_to_string(t.dir().join(name)).expect("the export")
}

/// A new, empty place for a store, and the restore of `file` (in `from`'s directory) into it.
fn restore_from(from: &Travaux, file: &str) -> Travaux {
    let r = Travaux::new();
    let path = from.dir().join(file);
    let line = r.ok(&["restore", path.to_str().unwrap()]);
    assert!(line.starts_with("restored "), "{line}");
    r
}

/// Everything a reader of the whole store would compare.
pub(crate) fn answers(t: &Travaux, docs: &[&str]) -> Vec<(String, String)> {
    let mut all = vec![
        ("log --json --all".into(), t.ok(&["--json", "log", "--all"])),
        ("verify".into(), t.ok(&["verify"])),
        (
            "participant list".into(),
            t.ok(&["--json", "participant", "list"]),
        ),
        ("doc list".into(), t.ok(&["--json", "doc", "list"])),
        (
            "checkpoint list".into(),
            t.ok(&["--json", "checkpoint", "list"]),
        ),
    ];
    for doc in docs {
        let tags = t.json(&["--doc", doc, "tag"]);
        let tags = tags.as_object().expect("tags by name");
        assert!(!tags.is_empty(), "{doc} has tags to compare at");
        for tag in tags.keys() {
            for format in ["text", "markdown"] {
                all.push((
                    format!("{doc}: show --at {tag} --format {format}"),
                    t.ok(&["--doc", doc, "show", "--at", tag, "--format", format]),
                ));
            }
            all.push((
                format!("{doc}: show --json --at {tag}"),
                t.ok(&["--json", "--doc", doc, "show", "--at", tag]),
            ));
        }
        all.push((
            format!("{doc}: amend list --all"),
            t.ok(&["--json", "--doc", doc, "amend", "list", "--all"]),
        ));
        all.push((format!("{doc}: status"), t.ok(&["--doc", doc, "status"])));
    }
    all
}

pub(crate) fn assert_same_answers(a: &Travaux, b: &Travaux, docs: &[&str]) {
    let (one, two) = (answers(a, docs), answers(b, docs));
    assert_eq!(one.len(), two.len());
    for ((what, x), (_, y)) in one.iter().zip(&two) {
        assert!(x == y, "`{what}` differs after the restore");
    }
}

#[test]
fn the_example_restored_from_its_export_answers_as_the_original() {
    let t = Travaux::demo();
    let text = export(&t, "who.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    let header: Value = serde_json::from_str(lines[0]).unwrap();
    let head = t.head();
    assert_eq!(header["format"], "travaux-export/1");
    assert_eq!(header["events"], head.seq);
    assert_eq!(header["head"], head.hash.as_str());
    // Every event line carries its envelope, and its hash is the SHA-256 of its record.
    let first: Value = serde_json::from_str(lines[1]).unwrap();
    for field in [
        "seq",
        "id",
        "stream",
        "version",
        "recorded_at",
        "actor",
        "type",
        "schema",
        "prev_hash",
        "data",
    ] {
        assert!(!first["event"][field].is_null(), "no {field} in {first}");
    }
    let record = record_of(lines[1]);
    assert_eq!(
        hex(&Sha256::digest(record.as_bytes())),
        first["hash"].as_str().unwrap()
    );
    // The demo tags and adopts: a checkpoint was signed at each, and they close the export.
    let checkpoints = t.json(&["checkpoint", "list"]);
    let n = checkpoints.as_array().unwrap().len();
    assert!(n >= 4, "{checkpoints}");
    assert_eq!(header["checkpoints"], n);
    assert!(lines[lines.len() - n..]
        .iter()
        .all(|l| l.starts_with("{\"checkpoint\":")));
    assert_eq!(lines.len(), 1 + head.seq as usize + n);

    let r = restore_from(&t, "who.jsonl");
    assert_eq!(r.head(), head, "the same head");
    assert_same_answers(&t, &r, &["who-code"]);
    // The restored store exports the same file, byte for byte.
    assert_eq!(export(&r, "again.jsonl"), text);
    // And it takes writes, chained to the restored head.
    r.ok(&["--as", "secretariat", "comment", "After the restore."]);
    assert_eq!(r.head().seq, head.seq + 1);
}

#[test]
fn a_generated_store_of_20000_events_restored_answers_as_the_original() {
    let t = Travaux::new();
    t.create(&["init"]);
    t.ok(&["generate", "--events", "20000", "--seed", "3"]);
    let text = export(&t, "gen.jsonl");
    assert_eq!(text.lines().count(), 1 + 20_000);
    let r = restore_from(&t, "gen.jsonl");
    assert_eq!(r.head(), t.head());
    assert_same_answers(&t, &r, &["gen-code"]);
    // Through standard input, too (`-`), and silent when piped: stdout holds the answer only.
    let s = Travaux::new();
    let out = s
        .command(&["restore", "-"])
        .stdin(std::fs::File::open(t.dir().join("gen.jsonl")).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(s.head(), t.head());
}

/// The record (`event`) of an event line, byte for byte.
fn record_of(line: &str) -> &str {
    let start = line.find("{\"event\":").expect("an event line") + "{\"event\":".len();
    let end = line.rfind(",\"hash\":\"").expect("a hash");
    &line[start..end]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An export whose event `seq` says `to` where it said `from`, every hash after it made again
/// so that the chain holds together (as someone rewriting history would), the checkpoints left
/// out, as they would be.
fn rewritten(text: &str, seq: usize, from: &str, to: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut header: Value = serde_json::from_str(lines[0]).unwrap();
    let mut out = Vec::new();
    let mut prev: Option<(String, String)> = None; // (old hash, new hash)
    for line in &lines[1..] {
        if line.starts_with("{\"checkpoint\":") {
            continue;
        }
        let value: Value = serde_json::from_str(line).unwrap();
        let this = value["event"]["seq"].as_u64().unwrap() as usize;
        let old_hash = value["hash"].as_str().unwrap().to_string();
        let mut record = record_of(line).to_string();
        if this == seq {
            assert!(
                record.contains(from),
                "event {seq} has no {from:?}: {record}"
            );
            record = record.replacen(from, to, 1);
        }
        if let Some((old, new)) = &prev {
            record = record.replacen(
                &format!("\"prev_hash\":\"{old}\""),
                &format!("\"prev_hash\":\"{new}\""),
                1,
            );
        }
        let new_hash = hex(&Sha256::digest(record.as_bytes()));
        let request = value["request"].as_str().unwrap();
        out.push(format!(
            "{{\"event\":{record},\"hash\":\"{new_hash}\",\"request\":\"{request}\"}}"
        ));
        prev = Some((old_hash, new_hash));
    }
    header["head"] = Value::String(prev.unwrap().1);
    header["checkpoints"] = 0.into();
    let mut all = vec![header.to_string()];
    all.extend(out);
    all.join("\n") + "\n"
}

#[test]
fn an_export_cut_short_or_altered_is_refused_naming_the_line_and_nothing_is_left() {
    let t = Travaux::fixture();
    let text = export(&t, "fixture.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    let events = t.head().seq as usize;

    let refused = |name: &str, contents: String, names: &[&str]| {
        let path = t.write(name, contents);
        let r = Travaux::new();
        let stderr = r.fails(&["restore", path.to_str().unwrap()], 4);
        for n in names {
            assert!(stderr.contains(n), "{name}: {n:?} not in {stderr}");
        }
        assert!(stderr.contains("nothing was restored"), "{stderr}");
        assert!(r.holds_no_store(), "{name}: a store was left behind");
        let left: Vec<_> = std::fs::read_dir(r.dir()).unwrap().collect();
        assert!(left.is_empty(), "{name}: files left behind: {left:?}");
    };
    // Cut at a line's end: the header's count finds it.
    let cut = lines[..10].join("\n") + "\n";
    refused(
        "cut.jsonl",
        cut,
        &["line 11 (event 10)", "ends after event 9", "cut short"],
    );
    // Cut in the middle of a line.
    let mid = &text[..text.find(lines[5]).unwrap() + lines[5].len() / 2];
    refused("mid.jsonl", mid.to_string(), &["line 6", "does not end"]);
    // One word of a payload changed: its hash no longer matches.
    let altered = text.replacen("Jane Doe", "Jane Roe", 1);
    let line = lines.iter().position(|l| l.contains("Jane Doe")).unwrap() + 1;
    refused(
        "altered.jsonl",
        altered,
        &[&format!("line {line} (event {})", line - 1), "altered"],
    );
    // Changed and rehashed, but the next event still names the old hash: the chain breaks.
    let seq = line - 1;
    let mut relinked: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let record = record_of(lines[line - 1]).replacen("Jane Doe", "Jane Roe", 1);
    let hash = hex(&Sha256::digest(record.as_bytes()));
    let v: Value = serde_json::from_str(lines[line - 1]).unwrap();
    relinked[line - 1] = format!(
        "{{\"event\":{record},\"hash\":\"{hash}\",\"request\":\"{}\"}}",
        v["request"].as_str().unwrap()
    );
    refused(
        "relinked.jsonl",
        relinked.join("\n") + "\n",
        &[
            &format!("line {} (event {})", line + 1, seq + 1),
            "chain is broken",
        ],
    );
    // Two lines swapped.
    let mut swapped: Vec<&str> = lines.clone();
    swapped.swap(3, 4);
    refused(
        "swapped.jsonl",
        swapped.join("\n") + "\n",
        &["line 4 (event 3)"],
    );
    // Not an export at all.
    refused("draft.jsonl", crate::support::DRAFT1.into(), &["line 1"]);
    assert_eq!(
        lines.len(),
        1 + events + 1,
        "the fixture's tag signed one checkpoint"
    );
}

#[test]
fn restore_builds_a_new_store_only() {
    let t = Travaux::fixture();
    export(&t, "f.jsonl");
    let before = t.head();
    let stderr = t.fails(&["restore", "f.jsonl"], 1);
    assert!(stderr.contains("exists and is not empty"), "{stderr}");
    assert_eq!(t.head(), before);
    // An empty directory (or a database with no store in it) is a new store's place.
    let r = Travaux::new();
    if !r.on_postgres() {
        std::fs::create_dir(r.store()).unwrap();
    }
    r.ok(&["restore", t.dir().join("f.jsonl").to_str().unwrap()]);
    assert_eq!(r.head(), before);
    // A missing file is named.
    let m = Travaux::new();
    let stderr = m.fails(&["restore", "nowhere.jsonl"], 1);
    assert!(stderr.contains("nowhere.jsonl"), "{stderr}");
    assert!(m.holds_no_store());
}

#[test]
fn a_checkpoint_is_signed_listed_and_verified_against_the_store_and_its_export() {
    let t = Travaux::fixture();
    // The fixture's tag signed one already; sign another by hand.
    let listed = t.json(&["checkpoint", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["reason"], "tag d1");
    let c = t.ok(&["checkpoint"]);
    let checkpoint: Value = serde_json::from_str(&c).expect("the checkpoint as JSON");
    let head = t.head();
    assert_eq!(checkpoint["seq"], head.seq);
    assert_eq!(checkpoint["hash"], head.hash.as_str());
    assert_eq!(checkpoint["documents"][0]["slug"], "code");
    let key = t.ok(&["checkpoint", "key"]).trim().to_string();
    assert_eq!(checkpoint["key"], key.as_str());
    assert_eq!(t.ok(&["checkpoint", "pubkey"]).trim(), key);
    let listed = t.json(&["checkpoint", "list"]);
    assert_eq!(listed[1], checkpoint);
    let human = t.ok(&["checkpoint", "list"]);
    assert!(
        human.contains(&format!("event {}", head.seq)) && human.contains("manual"),
        "{human}"
    );
    // The key is the owner's alone (in a directory: a file only its owner reads; in a
    // database, whoever may read the database), and it backs up.
    #[cfg(unix)]
    if !t.on_postgres() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.store().join("checkpoint.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let secret = t.ok(&["checkpoint", "key", "export"]);
    assert_eq!(secret.trim().len(), 64);
    assert_ne!(secret.trim(), key);

    // Published, then the negotiation goes on: the store extends it.
    t.write("published.json", &c);
    t.ok(&["--as", "brazil", "comment", "Later."]);
    let ok = t.ok(&["verify", "--checkpoint", "published.json", "--key", &key]);
    assert!(
        ok.starts_with("ok: the store extends the checkpoint of event"),
        "{ok}"
    );
    // So does its export, checked without any store.
    export(&t, "all.jsonl");
    let out = t.run_raw(&[
        "verify",
        "--checkpoint",
        "published.json",
        "--export",
        "all.jsonl",
        "--key",
        &key,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("ok: the export all.jsonl extends"),
        "{}",
        out.stdout
    );
    let json = t.json(&["verify", "--checkpoint", "published.json"]);
    assert_eq!(json["ok"], true);
    assert_eq!(json["checkpoint"]["seq"], head.seq);

    // Another key: refused, naming both.
    let other = "11".repeat(32);
    let stderr = t.fails(
        &["verify", "--checkpoint", "published.json", "--key", &other],
        4,
    );
    assert!(stderr.contains(&key) && stderr.contains(&other), "{stderr}");
    // A checkpoint altered after signing (a later head claimed): the signature fails.
    let forged = c.replacen(
        &format!("\"seq\": {}", head.seq),
        &format!("\"seq\": {}", head.seq + 1),
        1,
    );
    assert_ne!(forged, c);
    t.write("forged.json", forged);
    let stderr = t.fails(&["verify", "--checkpoint", "forged.json"], 4);
    assert!(stderr.contains("signature does not match"), "{stderr}");
    // A checkpoint signed by another store's key for this head: the signature is valid, the
    // key is not the published one.
    let u = Travaux::fixture();
    let theirs = u.ok(&["checkpoint"]);
    u.write("theirs.json", &theirs);
    let stderr = u.fails(&["verify", "--checkpoint", "theirs.json", "--key", &key], 4);
    assert!(stderr.contains("not with the key given"), "{stderr}");
}

#[test]
fn a_store_rewritten_since_a_checkpoint_fails_verification_naming_why() {
    let t = Travaux::fixture();
    t.ok(&["--as", "brazil", "comment", "An objection Brazil made."]);
    let c = t.ok(&["checkpoint"]);
    t.write("published.json", &c);
    let checkpoint: Value = serde_json::from_str(&c).unwrap();
    let seq = checkpoint["seq"].as_u64().unwrap();
    let text = export(&t, "honest.jsonl");

    // The comment is rewritten, every later hash made again: a self-consistent chain.
    let forged = rewritten(&text, seq as usize, "An objection", "A concession");
    t.write("forged.jsonl", &forged);
    let r = Travaux::new();
    r.ok(&["restore", t.dir().join("forged.jsonl").to_str().unwrap()]);
    let ok = r.ok(&["verify"]);
    assert!(ok.starts_with("ok:"), "the chain itself holds: {ok}");
    assert!(r.ok(&["log"]).contains("A concession"));
    let published = t.dir().join("published.json");
    let stderr = r.fails(&["verify", "--checkpoint", published.to_str().unwrap()], 4);
    assert!(
        stderr.contains(&format!("event {seq} has hash"))
            && stderr.contains("rewritten since the checkpoint"),
        "{stderr}"
    );
    // The forged export itself, checked without a store, fails the same way.
    let out = t.run_raw(&[
        "verify",
        "--checkpoint",
        "published.json",
        "--export",
        "forged.jsonl",
    ]);
    assert_eq!(out.code, 4, "{}", out.stdout);
    assert!(
        out.stderr.contains("rewritten since the checkpoint"),
        "{}",
        out.stderr
    );
    // Events removed from the end are found too: the log ends before the checkpoint's event.
    let short = rewritten(&text, 1, "", "");
    let mut lines: Vec<&str> = short.lines().collect();
    lines.truncate(seq as usize); // header and events 1..seq-1
    let last: Value = serde_json::from_str(lines[lines.len() - 1]).unwrap();
    let mut header: Value = serde_json::from_str(lines[0]).unwrap();
    header["events"] = (seq - 1).into();
    header["head"] = last["hash"].clone();
    let header = header.to_string();
    lines[0] = &header;
    t.write("short.jsonl", lines.join("\n") + "\n");
    let out = t.run_raw(&[
        "verify",
        "--checkpoint",
        "published.json",
        "--export",
        "short.jsonl",
    ]);
    assert_eq!(out.code, 4, "{}", out.stdout);
    assert!(out.stderr.contains("events were removed"), "{}", out.stderr);

    // An export that carries its checkpoints and was rewritten is refused by restore.
    let carried = text.replacen("An objection", "A concession", 1);
    assert_ne!(carried, text);
    let forged_carrying = {
        let body = rewritten(&text, seq as usize, "An objection", "A concession");
        let checkpoint_lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("{\"checkpoint\":"))
            .collect();
        let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
        let mut header: Value = serde_json::from_str(&lines[0]).unwrap();
        header["checkpoints"] = checkpoint_lines.len().into();
        lines[0] = header.to_string();
        lines.extend(checkpoint_lines.iter().map(|l| l.to_string()));
        lines.join("\n") + "\n"
    };
    t.write("carrying.jsonl", forged_carrying);
    let r2 = Travaux::new();
    let stderr = r2.fails(
        &["restore", t.dir().join("carrying.jsonl").to_str().unwrap()],
        4,
    );
    assert!(
        stderr.contains("does not extend its own checkpoint"),
        "{stderr}"
    );
    assert!(r2.holds_no_store());
}

#[test]
fn checkpoints_and_the_key_survive_compaction() {
    let t = Travaux::fixture();
    let signed = t.ok(&["checkpoint"]);
    t.write("published.json", &signed);
    let key = t.ok(&["checkpoint", "key"]);
    let secret = t.ok(&["checkpoint", "key", "export"]);
    let listed = t.ok(&["--json", "checkpoint", "list"]);
    t.ok(&["compact"]);
    assert_eq!(t.ok(&["--json", "checkpoint", "list"]), listed);
    assert_eq!(t.ok(&["checkpoint", "key"]), key);
    assert_eq!(t.ok(&["checkpoint", "key", "export"]), secret);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.store().join("checkpoint.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    t.ok(&[
        "verify",
        "--checkpoint",
        "published.json",
        "--key",
        key.trim(),
    ]);
}

#[test]
fn a_restore_killed_part_way_leaves_no_store_that_opens_and_the_next_one_replaces_it() {
    use std::io::Write;
    let t = Travaux::new();
    t.create(&["init"]);
    t.ok(&["generate", "--events", "5000", "--seed", "4"]);
    let text = export(&t, "gen.jsonl");
    // Half of the export through a pipe that stays open: the restore writes what it has read,
    // then waits for the rest, and is killed.
    let r = Travaux::new();
    let mut child = r
        .command(&["restore", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("restore starts");
    let half: String = text.lines().take(2_500).map(|l| format!("{l}\n")).collect();
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(half.as_bytes())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the restore ended early"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // What it left does not open as a store.
    let out = r.run(&["verify"]);
    assert_ne!(out.code, 0, "{out:?}");
    if r.on_postgres() {
        assert!(
            out.stderr.contains("restore that did not finish"),
            "{}",
            out.stderr
        );
    } else {
        assert!(out.stderr.contains("no travaux store"), "{}", out.stderr);
    }
    // The next restore replaces it, whole.
    let line = r.ok(&["restore", t.dir().join("gen.jsonl").to_str().unwrap()]);
    assert!(line.starts_with("restored 5000 events"), "{line}");
    assert_eq!(r.head(), t.head());
    assert!(r.ok(&["verify"]).starts_with("ok: 5000 events"));
}

#[test]
fn a_key_exported_from_a_store_signs_again_in_the_store_restored_from_it() {
    let t = Travaux::fixture();
    let key = t.ok(&["checkpoint", "key"]).trim().to_string();
    let secret = t.write("secret.key", t.ok(&["checkpoint", "key", "export"]));
    export(&t, "f.jsonl");
    let r = restore_from(&t, "f.jsonl");
    let head = r.head();
    // A file that holds no key is refused, naming it, and nothing is written.
    let bad = t.write("bad.key", "not a key\n");
    let stderr = r.fails(&["checkpoint", "key", "import", bad.to_str().unwrap()], 1);
    assert!(stderr.contains("does not hold a key"), "{stderr}");
    assert_eq!(r.head(), head);
    // The exported key, given back: the restored store signs with it.
    let said = r.ok(&["checkpoint", "key", "import", secret.to_str().unwrap()]);
    assert!(said.contains(&key), "{said}");
    assert_eq!(r.ok(&["checkpoint", "key"]).trim(), key);
    r.ok(&["--as", "secretariat", "--doc", "code", "tag", "restored"]);
    let listed = r.json(&["checkpoint", "list"]);
    let last = listed.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["reason"], "tag restored", "{last}");
    assert_eq!(last["key"], key.as_str(), "{last}");
    // The same key again is no change; another is refused, and the key stays.
    r.ok(&["checkpoint", "key", "import", secret.to_str().unwrap()]);
    let other = t.write("other.key", "11".repeat(32));
    let stderr = r.fails(&["checkpoint", "key", "import", other.to_str().unwrap()], 1);
    assert!(stderr.contains("already"), "{stderr}");
    assert_eq!(r.ok(&["checkpoint", "key"]).trim(), key);
}
