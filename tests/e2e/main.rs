//! End-to-end scenarios: each drives the real `travaux` binary against a fresh store in a
//! temporary directory, and checks what a user would check.
//!
//! - `demo`: the example negotiation and the record it leaves.
//! - `points`: the text at a tag, a sequence number, a date or the head; `log` filters.
//! - `read_model`: rebuilding the read models changes no answer.
//! - `writes`: expected versions and event ids.
//! - `bad_input`: every refusal names what was wrong and writes nothing.
//! - `limits`: a draft of 10 MB, a clause of 1 MiB, locally and through the server.
//! - `docx`: Word drafts through pandoc.
//! - `client`: tokens; the CLI through `travaux serve` (`--server`, `replay --follow`).
//! - `concurrency`: a store in use by another process.
//! - `crash`: SIGKILL in the middle of a script loses nothing acknowledged.
//! - `script`: `travaux run`.
//! - `serve`: the HTTP server: exec and typed routes, auth, If-Match, concurrency, SSE,
//!   shutdown under load, limits, the OpenAPI description.
//! - `store_creation`: `init` on a fresh directory.
//! - `human_output`: snapshots of output for people.
//! - `export`: `export git`; `generate`: generated histories.
//! - `governance_process`: phases, questions, reports, participation.
//! - `governance_text`: agreement, brackets and alternatives, adoption, status.
//! - `history_diff`, `history_blame`, `history_log`: diff, blame, log filters, pickaxe, replay.

mod bad_input;
mod client;
mod concurrency;
mod crash;
mod demo;
mod docx;
mod export;
mod generate;
mod governance_process;
mod governance_text;
mod history_blame;
mod history_diff;
mod history_log;
mod human_output;
mod limits;
mod points;
mod read_model;
mod script;
mod serve;
mod store_creation;
mod support;
mod writes;
