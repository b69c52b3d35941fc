//! A panic inside the storage engine is damage to the store, not a bug of travaux.
//!
//! sled 0.34 panics on some damaged files instead of returning an error (at open, a snapshot
//! of its page table that cannot be serialised again: "tried to serialize Uninitialized"). A
//! store must never answer a damaged file with a crash: [`catch`] runs storage work and turns
//! a panic raised inside sled into [`StoreError::Damaged`]. A panic elsewhere is a bug and
//! goes on unwinding. The panic hook installed on first use tells the two apart by where the
//! panic was raised, and keeps sled's message off stderr (the error reports it); other panics
//! reach the hook that was there before.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::RESTORE;
use crate::StoreError;

thread_local! {
    /// Set by the hook when this thread's last panic was raised inside the storage engine.
    static ENGINE_PANIC: Cell<bool> = const { Cell::new(false) };
    /// How many [`catch`]es this thread is inside: a panic raised inside sled elsewhere (one
    /// of its own threads) is reported as any panic is.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
}

fn raised_in_engine(file: &str) -> bool {
    file.contains("/sled-") || file.contains("\\sled-")
}

/// Install the hook that notes panics raised inside the storage engine (once per process).
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let before = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let caught = CATCHING.with(Cell::get) > 0;
            if caught && info.location().is_some_and(|l| raised_in_engine(l.file())) {
                ENGINE_PANIC.with(|p| p.set(true));
                tracing::debug!(panic = %info, "the storage engine panicked");
                return;
            }
            before(info)
        }));
    });
}

/// Run storage work; a panic raised inside the storage engine becomes
/// [`StoreError::Damaged`], any other panic unwinds on.
pub fn catch<T>(work: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    install_panic_hook();
    ENGINE_PANIC.with(|p| p.set(false));
    CATCHING.with(|c| c.set(c.get() + 1));
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    CATCHING.with(|c| c.set(c.get() - 1));
    match outcome {
        Ok(result) => result,
        Err(payload) if ENGINE_PANIC.with(Cell::get) => {
            ENGINE_PANIC.with(|p| p.set(false));
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            Err(StoreError::Damaged(format!(
                "sled, the storage engine, cannot read the store's files back (it stopped with \"{why}\"); {RESTORE}"
            )))
        }
        Err(payload) => panic::resume_unwind(payload),
    }
}
