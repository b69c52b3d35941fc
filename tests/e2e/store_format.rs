//! The store of format 1 of the first release (`tests/fixtures/store-sled-1/store`: the example
//! negotiation as `travaux demo` wrote it, then compacted; `log.jsonl` beside it is its export)
//! opens in this version, verifies, answers every question as a store this version builds from
//! the same log does, and takes new events. Every later version must keep this test green (see
//! "Formats" in docs/storage.md): the fixture is never rewritten; a version that changes the
//! layout reads or migrates it, and adds a fixture of its own format beside it.

use std::path::{Path, PathBuf};

use crate::support::Travaux;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/store-sled-1")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a directory for the copy");
    for entry in std::fs::read_dir(from).expect("the fixture") {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a file of the fixture");
        }
    }
}

#[test]
fn the_store_of_the_first_format_opens_and_answers_as_its_log_rebuilt_does() {
    let old = Travaux::new();
    copy_dir(&fixture().join("store"), old.store());
    let verified = old.ok(&["verify"]);
    assert!(verified.starts_with("ok: 763 events"), "{verified}");
    // The same log, restored by this version into a store of its own layout.
    let fresh = Travaux::new();
    let export = fixture().join("log.jsonl");
    fresh.ok(&["restore", export.to_str().unwrap()]);
    assert_eq!(old.head(), fresh.head());
    crate::backup::assert_same_answers(&old, &fresh, &["who-code"]);
    // It takes new events and still verifies.
    old.ok(&[
        "--as",
        "secretariat",
        "--doc",
        "who-code",
        "tag",
        "after-the-upgrade",
    ]);
    let verified = old.ok(&["verify"]);
    assert!(verified.starts_with("ok: 764 events"), "{verified}");
}
