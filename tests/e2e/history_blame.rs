//! End-to-end tests of history_blame: not written yet.
