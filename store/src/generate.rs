//! A deterministic generator of negotiation histories: not built yet.
