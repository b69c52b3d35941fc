//! Importing drafts: placeholder.
