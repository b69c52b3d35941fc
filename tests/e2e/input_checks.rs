//! Bad input that used to get through or get a poor answer: blank amendment text, a date that
//! is no date, labels that differ only in their Unicode form, a store the user may not
//! write. Each is refused with a message naming what was wrong, and nothing is written.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::support::{Travaux, BIN};

#[test]
fn an_amendment_with_empty_or_blank_text_is_refused() {
    let t = Travaux::fixture();
    for text in ["", "   ", "\n\t"] {
        t.refused(
            &[
                "--as",
                "brazil",
                "amend",
                "propose",
                "--replace",
                "1.1",
                "--text",
                text,
            ],
            1,
            &["proposed text of 1.1 is empty", "--delete"],
        );
        t.refused(
            &[
                "--as", "brazil", "amend", "propose", "--insert", "--label", "1.3", "--after",
                "1.2", "--text", text,
            ],
            1,
            &["new clause 1.3 is empty"],
        );
    }
    assert!(
        t.ok(&["show"])
            .contains("The first objective of this Code is clarity"),
        "the clause keeps its text"
    );
}

#[test]
fn a_point_shaped_like_a_date_that_is_no_date_is_named_an_invalid_date() {
    let t = Travaux::fixture();
    let e = t.refused(
        &["show", "--at", "2010-13-45"],
        2,
        &["not a valid date", "no month 13"],
    );
    assert!(!e.contains("no tag"), "{e}");
    t.refused(
        &["show", "--at", "2010-02-30"],
        2,
        &["2010-02 has 28 days, not 30"],
    );
    t.refused(
        &["--as", "brazil", "--date", "2020-02-30", "comment", "Hello"],
        1,
        &["2020-02 has 29 days, not 30"],
    );
    // A name that does not look like a date is still a tag.
    t.refused(
        &["show", "--at", "draft-13-45"],
        1,
        &["no tag or revision labelled 'draft-13-45'"],
    );
}

#[test]
fn labels_are_compared_in_their_normalized_form() {
    let t = Travaux::fixture();
    // Full-width digits name the clause the plain ones name.
    assert_eq!(
        t.ok(&["show", "--clause", "１.１"]),
        t.ok(&["show", "--clause", "1.1"])
    );
    t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "amend",
        "propose",
        "--replace",
        "１.１",
        "--text",
        "Clarity first.",
    ]);
    let amendments = t.ok(&["amend", "list"]);
    assert!(amendments.contains("1.1"), "{amendments}");
}

#[test]
fn a_new_label_equal_to_a_siblings_once_normalized_is_refused() {
    let t = Travaux::fixture();
    t.refused(
        &[
            "--as",
            "brazil",
            "amend",
            "propose",
            "--insert",
            "--label",
            "１.２",
            "--after",
            "1.1",
            "--text",
            "Another objective.",
        ],
        1,
        &[
            "'１.２' reads '1.2'",
            "its sibling 1.2 under article 1",
            "NFKC",
        ],
    );
    // Look-alikes of letters and digits are distinct labels.
    for label in ["(l)", "(1)", "(I)"] {
        t.ok(&[
            "--as",
            "brazil",
            "--date",
            "2020-02-01",
            "amend",
            "propose",
            "--insert",
            "--label",
            label,
            "--parent",
            "1.1",
            "--text",
            "A point.",
        ]);
    }
    t.refused(
        &[
            "--as",
            "brazil",
            "amend",
            "propose",
            "--insert",
            "--label",
            "1.3\u{200B}",
            "--after",
            "1.2",
            "--text",
            "Hidden.",
        ],
        1,
        &["invisible character", "U+200B"],
    );
}

/// Whether this process runs as root (CI does).
fn root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_store_the_user_may_not_write_names_its_path_owner_and_the_permission_needed() {
    let t = Travaux::fixture();
    let before = t.head();
    // The test's directory is private to its owner; others must reach the store.
    std::fs::set_permissions(t.dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let as_other = |args: &[&str]| -> Option<std::process::Output> {
        let mut cmd = if root() {
            // Drop root: CI runs as root, who may write anything.
            if Command::new("setpriv").arg("--version").output().is_ok() {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
                c
            } else if Command::new("runuser").arg("--version").output().is_ok() {
                let mut c = Command::new("runuser");
                c.args(["-u", "nobody", "--", BIN]);
                c
            } else {
                return None;
            }
        } else {
            // Not root: the store made read-only to its owner stands for one owned by another.
            Command::new(BIN)
        };
        cmd.arg("--store").arg(t.store()).args(args);
        cmd.env_remove("TRAVAUX_STORE").env_remove("TRAVAUX_AS");
        Some(cmd.output().expect("run travaux"))
    };
    if !root() {
        for entry in std::fs::read_dir(t.store()).unwrap() {
            let p = entry.unwrap().path();
            let mode = if p.is_dir() { 0o555 } else { 0o444 };
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        std::fs::set_permissions(t.store(), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let store = t.store().display().to_string();
    for args in [&["show"][..], &["--as", "brazil", "comment", "Hello"]] {
        let Some(out) = as_other(args) else {
            eprintln!("skipped: running as root and neither setpriv nor runuser exists to drop it");
            return;
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        for needed in [
            store.as_str(),
            "permission denied",
            "owned by",
            "read and write permission",
            "even to read",
        ] {
            assert!(stderr.contains(needed), "should name {needed:?}: {stderr}");
        }
        if root() {
            assert!(stderr.contains("owned by root"), "{stderr}");
            assert!(stderr.contains("you are nobody"), "{stderr}");
        }
    }
    if !root() {
        std::fs::set_permissions(t.store(), std::fs::Permissions::from_mode(0o755)).unwrap();
        for entry in std::fs::read_dir(t.store()).unwrap() {
            let p = entry.unwrap().path();
            let mode = if p.is_dir() { 0o755 } else { 0o644 };
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    assert_eq!(t.head(), before, "nothing was written");
}
