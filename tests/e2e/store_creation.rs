//! Creating a store: `init` on a fresh directory always succeeds; nothing else holds a store
//! that does not exist yet.

use std::thread;

use crate::support::Travaux;

/// Regression: `Store::create` used to open sled, drop it and open it again at once. sled 0.34
/// releases its file lock from a background thread after the drop (spacejam/sled#1234, #1289),
/// so under load the second open failed and `travaux init` (and `travaux demo`) on a fresh
/// directory exited with code 5, "in use by another travaux process". Now one handle is kept
/// from creation on. A race: this test creates 300 stores, 12 at a time, which on two cores
/// caught it in most runs.
#[test]
fn init_on_fresh_directories_never_finds_the_store_in_use() {
    let t = Travaux::new();
    let dir = t.dir().to_path_buf();
    let failures: Vec<String> = thread::scope(|scope| {
        let workers: Vec<_> = (0..12)
            .map(|worker| {
                let t = &t;
                let dir = &dir;
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for i in 0..25 {
                        let store = dir.join(format!("store-{worker}-{i}"));
                        let out = t.run_raw(&["--store", store.to_str().unwrap(), "init"]);
                        if out.code != 0 {
                            failures.push(format!(
                                "{}: exit code {}: {}",
                                store.display(),
                                out.code,
                                out.stderr.trim()
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of 300 `travaux init` on a fresh directory failed; the first:\n{}",
        failures.len(),
        failures[0]
    );
}
