//! End-to-end tests of `export git`: the demo's history as a git repository, checked with git
//! itself against what travaux answers (text at tags, authors and dates, `log -S`), and the
//! refusals (a directory in use, git missing, fast-import failing).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{kind, text, Travaux};

/// Run git in `dir`, insist on success, and return stdout as bytes.
fn git_bytes(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "`git {}` failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Run git in `dir`, insist on success, and return stdout as text.
fn git(dir: &Path, args: &[&str]) -> String {
    String::from_utf8(git_bytes(dir, args)).expect("git output is UTF-8")
}

/// Export the store into `name` under the test directory; the export's JSON summary.
fn export(t: &Travaux, name: &str, extra: &[&str]) -> (PathBuf, Value) {
    let mut args = vec!["export", "git", name];
    args.extend_from_slice(extra);
    let summary = t.json(&args);
    (t.dir().join(name), summary)
}

/// The sequence numbers of the text changes in `log --json` events: revisions (the parts of
/// one revision, in a row, as one: the last part), and decisions that changed the text.
fn text_changes(events: &[Value]) -> Vec<u64> {
    let mut seqs: Vec<u64> = Vec::new();
    let mut last_revision: Option<u64> = None;
    for e in events {
        let seq = e["seq"].as_u64().expect("seq");
        match kind(e) {
            ("revision_issued", p) => {
                let n = p["revision"].as_u64();
                if last_revision.is_some() && last_revision == n {
                    *seqs.last_mut().expect("a previous part") = seq;
                } else {
                    seqs.push(seq);
                }
                last_revision = n;
                continue;
            }
            ("decision_recorded", p) if !p["ops"].as_array().expect("ops").is_empty() => {
                seqs.push(seq)
            }
            _ => {}
        }
        last_revision = None;
    }
    seqs
}

/// The `Travaux-Event` trailers of each commit `git log ARGS` lists, oldest first: the last one
/// of each commit (the last part of a revision).
fn trailer_seqs(dir: &Path, args: &[&str]) -> Vec<u64> {
    let mut all = vec!["log", "--reverse", "--format=%B%x00"];
    all.extend_from_slice(args);
    git(dir, &all)
        .split('\0')
        .filter(|m| !m.trim().is_empty())
        .map(|m| {
            m.lines()
                .rev()
                .find_map(|l| l.strip_prefix("Travaux-Event: "))
                .unwrap_or_else(|| panic!("a commit without a Travaux-Event trailer:\n{m}"))
                .parse()
                .expect("a sequence number")
        })
        .collect()
}

#[test]
fn the_demo_exports_one_commit_per_text_change() {
    let t = Travaux::demo();
    let (dir, summary) = export(&t, "who-code-git", &[]);
    let changes = text_changes(&t.events(&[]));
    assert_eq!(
        changes.len(),
        17,
        "3 drafts and the renumbering, 12 accepted amendments and A17, the alternative that resolved B1"
    );

    let oneline = git(&dir, &["log", "--oneline"]);
    assert_eq!(oneline.lines().count(), changes.len());
    assert_eq!(summary["commits"].as_u64(), Some(changes.len() as u64));
    assert_eq!(
        trailer_seqs(&dir, &[]),
        changes,
        "one commit per change, in order"
    );
    assert_eq!(
        git(&dir, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(
        git(&dir, &["rev-parse", "HEAD"]).trim(),
        text(&summary["head"])
    );
    assert_eq!(text(&summary["file"]), "who-code.md");
    assert_eq!(summary["skipped_tags"], Value::Array(vec![]));

    // The working tree holds the text at the head, and nothing else is changed.
    let head_md = t.ok(&["show", "--format", "markdown"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("who-code.md")).unwrap(),
        head_md
    );
    assert_eq!(git(&dir, &["status", "--porcelain"]), "");

    // The first lines tell the revision or the amendment and its fate.
    let subjects = git(&dir, &["log", "--reverse", "--format=%s"]);
    let subjects: Vec<&str> = subjects.lines().collect();
    assert_eq!(subjects[0], "Revision 1: Secretariat draft, August 2008");
    assert_eq!(subjects[1], "Revision 2: EB124/13");
    assert!(
        subjects.contains(&"A5 (south-africa): replace 5.2 — accepted as modified by consensus"),
        "{subjects:#?}"
    );
    assert!(
        subjects.contains(
            &"A12 (usa): replace 8.2 — accepted by vote 61 in favour, 27 against, 13 abstaining"
        ),
        "{subjects:#?}"
    );
    assert!(
        subjects.contains(&"A17 (usa): alternative for B1 in 9.4 — accepted by consensus"),
        "{subjects:#?}"
    );
    assert!(
        subjects.contains(&"A20 (india): in 7.2 (b): replace \"maintain updated information\" by \"collate and maintain up-to-date information\" — accepted by consensus"),
        "{subjects:#?}"
    );
    // The renumbering before adoption is the last change.
    assert_eq!(subjects.last(), Some(&"Revision 4: renumbered"));
}

#[test]
fn the_text_at_each_tag_is_byte_identical_to_show_at() {
    let t = Travaux::demo();
    let (dir, summary) = export(&t, "out", &[]);
    let tags = summary["tags"].as_array().expect("tags");
    assert_eq!(tags.len(), 6);
    let names: BTreeSet<String> = git(&dir, &["tag"]).lines().map(str::to_string).collect();
    for tag in tags {
        let name = text(&tag["name"]);
        // Every demo tag is a valid git ref name as it is.
        assert_eq!(text(&tag["git"]), name);
        assert!(names.contains(name), "no git tag {name}");
        let in_git = git_bytes(&dir, &["show", &format!("{name}:who-code.md")]);
        let shown = t.ok(&["show", "--at", name, "--format", "markdown"]);
        assert_eq!(
            String::from_utf8(in_git).unwrap(),
            shown,
            "the text at {name} differs"
        );
        // An annotated tag, by whoever set it.
        assert_eq!(git(&dir, &["cat-file", "-t", name]).trim(), "tag");
    }
    for name in ["first-draft", "EB124/13", "WHA63.16"] {
        assert!(names.contains(name), "{name} is among the git tags");
    }
    // A tag on an event that changed nothing points at the last change before it.
    let report = tags
        .iter()
        .find(|t| t["name"] == "public-hearing-closed")
        .expect("public-hearing-closed");
    let first_draft = tags.iter().find(|t| t["name"] == "first-draft").unwrap();
    assert_eq!(report["commit_seq"], first_draft["commit_seq"]);
    assert_eq!(
        git(&dir, &["rev-parse", "public-hearing-closed^{commit}"]),
        git(&dir, &["rev-parse", "first-draft^{commit}"])
    );
}

#[test]
fn an_accepted_amendment_is_authored_by_its_proposer_and_committed_by_the_chair() {
    let t = Travaux::demo();
    let (dir, _) = export(&t, "out", &[]);
    let log = git(
        &dir,
        &[
            "log",
            "--format=%an%x1f%ae%x1f%at%x1f%cn%x1f%ce%x1f%ct%x1f%s",
        ],
    );
    let rows: Vec<Vec<&str>> = log.lines().map(|l| l.split('\x1f').collect()).collect();
    let a5 = rows
        .iter()
        .find(|r| r[6].starts_with("A5 "))
        .expect("the A5 commit");
    assert_eq!(a5[0], "South Africa");
    assert_eq!(a5[1], "south-africa@travaux.invalid");
    assert_eq!(a5[3], "Chair of the drafting committee");
    assert_eq!(a5[4], "chair@travaux.invalid");

    // Dated when the decision that accepted it was recorded (2010-05-20 03:45 in Geneva).
    let decision = t
        .events(&["--kind", "decision_recorded"])
        .into_iter()
        .rfind(|e| kind(e).1["amendment"] == 5)
        .expect("the decision on A5");
    let at = chrono::DateTime::parse_from_rfc3339(text(&decision["time"]))
        .expect("an RFC 3339 time")
        .timestamp();
    assert_eq!(at, 1274319900, "2010-05-20T01:45:00Z");
    assert_eq!(a5[2], at.to_string());
    assert_eq!(a5[5], at.to_string());

    // The message carries the rationale, the decision, who supported and opposed, the trailer.
    let body = git(&dir, &["log", "-1", "--format=%B", "--grep=^A5 "]);
    for part in [
        "Rationale: On behalf of the African Region",
        "accepted as modified by consensus",
        "Agreed text:",
        "Supported by: brazil, india, kenya",
        "Opposed by: canada, eu, usa",
        &format!("Travaux-Event: {}", decision["seq"]),
        &format!("Travaux-Event-Id: {}", text(&decision["id"])),
    ] {
        assert!(
            body.contains(part),
            "the A5 message lacks {part:?}:\n{body}"
        );
    }

    // A revision is authored and committed by the Secretariat that issued it.
    let revision = rows
        .iter()
        .find(|r| r[6] == "Revision 2: EB124/13")
        .expect("revision 2");
    assert_eq!(revision[1], "secretariat@travaux.invalid");
    assert_eq!(revision[4], "secretariat@travaux.invalid");
}

#[test]
fn git_log_s_finds_the_events_travaux_log_s_finds() {
    let t = Travaux::demo();
    let (dir, _) = export(&t, "out", &[]);
    for phrase in ["compensat", "circular migration", "to the extent possible"] {
        let travaux: Vec<u64> = t
            .events(&["-S", phrase])
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        assert!(!travaux.is_empty(), "{phrase} is found");
        assert_eq!(trailer_seqs(&dir, &["-S", phrase]), travaux, "{phrase}");
    }
}

#[test]
fn odd_tag_names_are_mapped_and_tags_before_any_text_are_skipped() {
    let t = Travaux::fixture();
    let created = t.events(&["--kind", "document_created"])[0]["seq"]
        .as_u64()
        .unwrap()
        .to_string();
    t.ok(&["--as", "secretariat", "tag", "empty", "--at", &created]);
    t.ok(&["--as", "secretariat", "tag", "draft one: final?"]);
    let (dir, summary) = export(&t, "out", &["--file", "texts/code.md"]);
    assert_eq!(summary["commits"], 1);
    assert_eq!(text(&summary["file"]), "texts/code.md");
    let skipped = summary["skipped_tags"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["name"], "empty");

    let mapped = summary["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "draft one: final?")
        .expect("the odd tag");
    assert_eq!(text(&mapped["git"]), "draft_one__final_");
    let tags = git(&dir, &["tag"]);
    assert_eq!(
        tags.lines().collect::<Vec<_>>(),
        ["d1", "draft_one__final_"]
    );
    assert_eq!(
        String::from_utf8(git_bytes(
            &dir,
            &["show", "draft_one__final_:texts/code.md"]
        ))
        .unwrap(),
        t.ok(&["show", "--at", "draft one: final?", "--format", "markdown"])
    );
    // The tag message keeps the travaux name.
    let message = git(
        &dir,
        &["tag", "-l", "--format=%(contents)", "draft_one__final_"],
    );
    assert!(
        message.contains("Travaux-Tag: draft one: final?"),
        "{message}"
    );

    // For people: the summary names the mapping and the skipped tag.
    let t2 = t.ok(&["export", "git", "again"]);
    assert!(t2.contains("1 commit on main"), "{t2}");
    assert!(t2.contains("draft_one__final_"), "{t2}");
    assert!(t2.contains("tag empty"), "{t2}");
}

#[test]
fn an_empty_directory_is_used_and_a_non_empty_one_refused() {
    let t = Travaux::demo();
    std::fs::create_dir(t.dir().join("empty")).unwrap();
    export(&t, "empty", &[]);
    assert!(t.dir().join("empty/.git").is_dir());

    std::fs::create_dir(t.dir().join("busy")).unwrap();
    t.write("busy/notes.txt", "mine");
    t.refused(&["export", "git", "busy"], 1, &["busy", "not empty"]);
    assert!(!t.dir().join("busy/.git").exists(), "nothing written");
    assert_eq!(
        std::fs::read_to_string(t.dir().join("busy/notes.txt")).unwrap(),
        "mine"
    );

    // An export already there is not overwritten.
    t.refused(&["export", "git", "empty"], 1, &["not empty"]);
    t.write("a-file", "x");
    t.refused(&["export", "git", "a-file"], 1, &["not a directory"]);
    t.refused(
        &["export", "git", "x", "--file", "../escape.md"],
        1,
        &["--file"],
    );
    assert!(!t.dir().join("x").exists());
}

#[test]
fn without_git_the_export_is_refused_and_writes_nothing() {
    let t = Travaux::demo();
    let empty_path = t.dir().join("no-programs");
    std::fs::create_dir(&empty_path).unwrap();
    let out = t
        .command(&["export", "git", "out"])
        .env("PATH", &empty_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("git is not installed"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!t.dir().join("out").exists());
}

#[test]
fn a_failing_fast_import_is_reported_with_its_stderr_and_cleaned_up() {
    let t = Travaux::demo();
    let real_git = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let bin = t.dir().join("fake-bin");
    std::fs::create_dir(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\ncase \"$*\" in\n  *fast-import*) echo 'fatal: simulated failure' >&2; exit 128;;\n  *) exec {} \"$@\";;\nesac\n",
        real_git.trim()
    );
    let fake = bin.join("git");
    std::fs::write(&fake, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

    let before = t.head();
    let out = t
        .command(&["export", "git", "out"])
        .env("PATH", &bin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("fast-import failed"), "{stderr}");
    assert!(stderr.contains("fatal: simulated failure"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        !t.dir().join("out").exists(),
        "the half-made repository is removed"
    );
    assert_eq!(t.head(), before);
}

#[test]
fn the_parts_of_a_large_revision_make_one_commit() {
    let t = Travaux::new();
    let mut draft = String::from("# Big Code\n");
    for a in 1..=10 {
        draft.push_str(&format!("\n## Article {a} — Part {a}\n\n"));
        for p in 1..=30 {
            let words: Vec<String> = (0..120)
                .map(|w| format!("word{}", (a * 7919 + p * 104_729 + w * 31) % 997))
                .collect();
            draft.push_str(&format!("{p}. {}.\n", words.join(" ")));
        }
    }
    t.write("big.md", &draft);
    t.create(&["init"]);
    t.ok(&["participant", "add", "sec", "--kind", "secretariat"]);
    t.ok(&["--as", "sec", "doc", "new", "big", "--title", "Big Code"]);
    t.ok(&["--as", "sec", "import", "big.md", "--revision", "R1"]);
    t.ok(&["--as", "sec", "tag", "r1"]);
    // `log` lists the revision once, with the events it is stored in.
    let revisions = t.events(&["--kind", "revision_issued"]);
    assert_eq!(revisions.len(), 1);
    let parts: Vec<u64> = revisions[0]["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p.as_u64().unwrap())
        .collect();
    assert!(parts.len() > 1, "the draft is stored in several parts");

    let (dir, summary) = export(&t, "out", &[]);
    assert_eq!(summary["commits"], 1);
    let message = git(&dir, &["log", "-1", "--format=%B"]);
    let trailers: Vec<u64> = message
        .lines()
        .filter_map(|l| l.strip_prefix("Travaux-Event: "))
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(trailers, parts, "{message}");
    assert!(message.starts_with("Revision 1: R1\n"), "{message}");
    assert_eq!(
        String::from_utf8(git_bytes(&dir, &["show", "r1:big.md"])).unwrap(),
        t.ok(&["show", "--at", "r1", "--format", "markdown"])
    );
}
