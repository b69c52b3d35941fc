//! End-to-end tests of `export git` and `generate`: not written yet.
