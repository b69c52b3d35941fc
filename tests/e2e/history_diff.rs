//! End-to-end tests of history_diff: not written yet.
