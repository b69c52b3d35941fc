//! A sled store's layout: format 1 of the first release (`travaux-sled/1`). The layouts of the
//! development versions before it (`travaux/1` to `travaux/5`) and layouts this version does
//! not know are refused when opened, saying what to do, and left as they were. (That this
//! version opens the first release's store and answers the same is the end-to-end test
//! `store_format`, on the fixture `tests/fixtures/store-sled-1`.)

use travaux_store::{Store, StoreError};

/// A new store whose layout key says `layout`.
fn marked(layout: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::create(dir.path()).unwrap();
    store.raw_tree().insert(b"mformat", layout).unwrap();
    store.raw_tree().flush().unwrap();
    drop(store);
    dir
}

fn refusal(dir: &tempfile::TempDir) -> String {
    // sled lets go of its file lock from a thread of its own after the store is dropped
    // (spacejam/sled#1234): a store opened again at once may still be locked for a moment.
    for _ in 0..100 {
        match Store::open(dir.path()) {
            Err(StoreError::Locked(_)) => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(StoreError::Engine(why)) => return why,
            Err(other) => panic!("refused otherwise: {other}"),
            Ok(_) => panic!("opened"),
        }
    }
    panic!("the store stayed locked")
}

#[test]
fn a_store_of_a_development_layout_is_refused_naming_the_way_across() {
    for layout in [&b"travaux/1"[..], b"travaux/4", b"travaux/5"] {
        let dir = marked(layout);
        let why = refusal(&dir);
        assert!(
            why.contains("development version")
                && why.contains("export jsonl")
                && why.contains("restore"),
            "{why}"
        );
        // Left as it was: still refused the same way, its key unchanged.
        assert_eq!(refusal(&dir), why);
    }
}

#[test]
fn a_store_of_a_layout_this_version_does_not_know_is_refused_naming_both() {
    let dir = marked(b"travaux-sled/2");
    let why = refusal(&dir);
    assert!(
        why.contains("travaux-sled/2") && why.contains("travaux-sled/1"),
        "{why}"
    );
}

#[test]
fn a_new_store_is_of_the_first_release_layout() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::create(dir.path()).unwrap();
    assert_eq!(
        store.raw_tree().get(b"mformat").unwrap().as_deref(),
        Some(&b"travaux-sled/1"[..])
    );
}
