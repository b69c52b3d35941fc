//! End-to-end tests of history_log: not written yet.
