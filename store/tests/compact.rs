//! Compaction writes the store again into a new one that takes its place: the same answers,
//! a smaller store; and a compaction cut short at any step is finished or undone by the next
//! open.

use std::path::{Path, PathBuf};

use travaux_core::RecordedEvent;
use travaux_gen::{generate, Spec};
use travaux_store::{Store, StoreError};

/// Open a store, waiting for sled to let go of its lock if this process held it just before
/// (sled releases it from a background thread: spacejam/sled#1234).
fn open(path: &Path) -> Store {
    for _ in 0..200 {
        match Store::open(path) {
            Err(StoreError::Locked(_)) => std::thread::sleep(std::time::Duration::from_millis(20)),
            other => return other.unwrap(),
        }
    }
    panic!("the store stayed locked");
}

fn whole_log(store: &Store) -> Vec<RecordedEvent> {
    store.events_from(1).collect::<Result<_, _>>().unwrap()
}

fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                size(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A store at `<tmp>/store` holding a generated history.
fn generated(events: u64) -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let (store, _) = Store::create(&path).unwrap();
    generate(&store, &Spec::new(events), &mut |_| {}).unwrap();
    (dir, path, store)
}

#[test]
fn a_compacted_store_answers_the_same_and_is_smaller() {
    let (dir, path, store) = generated(10_000);
    // A rebuild rewrites every read model: what it replaced is left in sled's file.
    store.rebuild().unwrap();
    let doc = store.documents().unwrap()[0].id;
    let log = whole_log(&store);
    let head = store.document(doc).unwrap();
    let verified = store.verify().unwrap();
    let before = size(&path);
    let done = store.compact().unwrap();
    assert_eq!(done.bytes_before, before);
    assert!(
        done.bytes_after < done.bytes_before,
        "{} -> {} bytes",
        done.bytes_before,
        done.bytes_after
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["store"], "nothing left beside the store");

    let store = open(&path);
    assert!(
        size(&path) < before,
        "sled adds its snapshot on open, not the garbage"
    );
    assert_eq!(whole_log(&store), log);
    assert_eq!(store.document(doc).unwrap(), head);
    assert_eq!(store.verify().unwrap(), verified);
    // It takes appends as before.
    let more = generate(&store, &Spec::new(10_100), &mut |_| {});
    assert!(more.is_err(), "generate refuses a store that holds events");
    assert_eq!(store.head().0, log.len() as u64);
}

/// The names a compaction of `path` uses beside it.
fn beside(path: &Path) -> (PathBuf, PathBuf) {
    let parent = path.parent().unwrap();
    (
        parent.join(".store.compacting"),
        parent.join(".store.compacted-from"),
    )
}

/// Two states of one store: `old` (a copy made when it held `n` events) and the store itself,
/// which holds one event more, closed.
fn two_states() -> (tempfile::TempDir, PathBuf, PathBuf, u64) {
    let (dir, path, store) = generated(500);
    let n = store.head().0;
    drop(store);
    let old = dir.path().join("old-state");
    let store = open(&path);
    copy_dir(&path, &old);
    let doc = store.documents().unwrap()[0].id;
    let sec = travaux_core::Directory::participant_by_handle(&store, "secretariat")
        .unwrap()
        .id;
    let e = travaux_core::NewEvent {
        id: travaux_core::EventId(uuid::Uuid::new_v4()),
        recorded_at: store.event(n).unwrap().recorded_at,
        actor: sec,
        event: travaux_core::Event::TagSet {
            name: "after-the-copy".into(),
            seq: n,
        },
    };
    store
        .append(
            travaux_core::StreamId::document(doc),
            travaux_store::Expected::Any,
            vec![e],
        )
        .unwrap();
    drop(store);
    (dir, path, old, n)
}

#[test]
fn a_compaction_cut_short_is_finished_or_undone_when_the_store_is_opened() {
    // Cut short while copying: the copy, incomplete, is removed; the store is as it was.
    let (_dir, path, old, n) = two_states();
    let (copy, _) = beside(&path);
    std::fs::rename(&old, &copy).unwrap();
    let store = open(&path);
    assert_eq!(store.head().0, n + 1);
    assert!(!copy.exists());
    drop(store);

    // Cut short between the two renames, the copy complete: the copy takes the store's place.
    let (_dir, path, old, n) = two_states();
    let (copy, aside) = (copy_of(&path, &old, true), aside_of(&path));
    let store = open(&path);
    assert_eq!(store.head().0, n, "the complete copy is the store");
    assert!(!copy.exists() && !aside.exists());
    assert!(!path.join("travaux-compacted").exists());
    assert_eq!(store.verify().unwrap().problem, None);
    drop(store);

    // The same with the copy incomplete: the store is put back.
    let (_dir, path, old, n) = two_states();
    let (copy, aside) = (copy_of(&path, &old, false), aside_of(&path));
    let store = open(&path);
    assert_eq!(store.head().0, n + 1, "the store is back");
    assert!(!copy.exists() && !aside.exists());
    drop(store);

    // Cut short after the swap, before the old store was removed: it is removed.
    let (_dir, path, old, n) = two_states();
    std::fs::rename(&old, beside(&path).1).unwrap();
    let store = open(&path);
    assert_eq!(store.head().0, n + 1);
    assert!(!beside(&path).1.exists());
}

/// Move `state` beside `path` as a compaction's copy (marked complete or not), and the store
/// aside, as a compaction cut short between its two renames leaves them. Returns the copy's
/// path.
fn copy_of(path: &Path, state: &Path, complete: bool) -> PathBuf {
    let (copy, aside) = beside(path);
    std::fs::rename(state, &copy).unwrap();
    if complete {
        std::fs::write(copy.join("travaux-compacted"), b"").unwrap();
    }
    std::fs::rename(path, aside).unwrap();
    copy
}

fn aside_of(path: &Path) -> PathBuf {
    beside(path).1
}

#[test]
fn a_compaction_under_way_is_not_touched_by_another_open() {
    // A store held open, as by a compaction copying it, with its copy beside it.
    let (_dir, path, store) = generated(300);
    let (copy, _) = beside(&path);
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::write(copy.join("db"), b"being written").unwrap();
    match Store::open(&path) {
        Err(StoreError::Locked(_)) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("a store held open opened again"),
    }
    assert!(
        copy.join("db").is_file(),
        "the copy under way is left alone"
    );
    // Once the store is let go, what the compaction left is removed.
    drop(store);
    let store = open(&path);
    assert!(!copy.exists());
    assert_eq!(store.verify().unwrap().problem, None);
}

#[test]
fn a_store_without_a_name_of_its_own_is_not_compacted() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::create(dir.path()).unwrap();
    drop(store);
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    let result = open(Path::new(".")).compact();
    std::env::set_current_dir(cwd).unwrap();
    let err = result.unwrap_err().to_string();
    assert!(err.contains("no name of its own"), "{err}");
}
