//! End-to-end scenarios: each drives the real `travaux` binary against a fresh store in a
//! temporary directory, and checks what a user would check.
//!
//! - `admins`: the store's administrators, locally and through the server.
//! - `amend_words`: word-level amendments, proposed, shown, decided, blamed, refused.
//! - `demo`: the example negotiation and the record it leaves.
//! - `points`: the text at a tag, a sequence number, a date or the head; `log` filters.
//! - `read_model`: rebuilding the read models changes no answer.
//! - `writes`: expected versions and event ids.
//! - `bad_input`: every refusal names what was wrong and writes nothing.
//! - `input_checks`: blank amendment text, invalid dates, labels in another Unicode form, a
//!   store the user may not write.
//! - `limits`: a draft of 10 MB, a clause of 1 MiB, locally and through the server.
//! - `docx`: Word drafts through pandoc.
//! - `engines`: two servers on one PostgreSQL database (the suite's PostgreSQL run).
//! - `office`: `export docx` (the text, the comparative print) and `export csv`.
//! - `corrections`: `comment retract`, `tag withdraw`, `tag history`.
//! - `command_line`: completions, man pages, the pager and progress on a terminal, examples and
//!   write-only options in the help, listing words never taken as text, one JSON shape.
//! - `client`: tokens; the CLI through `travaux serve` (`--server`, `replay --follow`).
//! - `local_server`: a served store reached through the server's local socket without being
//!   told (commands, scripts); a socket left by a killed server; views at immutable points from the server's cache;
//!   `run` on the store `TRAVAUX_STORE` names.
//! - `concurrency`: a store in use by another process.
//! - `consultation`: `questions` and `comments` summarised (equal to a fold of the log) and
//!   paged with `--limit` and `--after` (every answer once, in order); bad cursors refused.
//! - `crash`: SIGKILL in the middle of a script loses nothing acknowledged.
//! - `script`: `travaux run`.
//! - `serve`: the HTTP server: exec and typed routes, auth, If-Match, concurrency, SSE,
//!   shutdown under load, limits, the OpenAPI description.
//! - `openapi`: 405 and `Allow`, typed routes as described, Schemathesis against the
//!   description (scripts/schemathesis.sh).
//! - `serve_clients`: the server under slow and hostile clients (half-sent headers, trickling
//!   bodies, idle connections past the bound, shutdown within its deadline); retries racing.
//! - `store_creation`: `init` on a fresh directory.
//! - `human_output`: snapshots of output for people.
//! - `export`: `export git`; `generate`: generated histories.
//! - `backup`: `export jsonl` and `restore`; signed checkpoints and `verify --checkpoint`.
//! - `akn`: Akoma Ntoso export validated with xmllint, and import of Akoma Ntoso.
//! - `governance_process`: phases, reports, participation; `questions`: consultation questions.
//! - `governance_text`: agreement, brackets and alternatives, adoption, status.
//! - `renumber`: labels put in sequence, cross-references listed and rewritten.
//! - `history_diff`, `history_blame`, `history_log`: diff, blame, log filters, pickaxe, replay.
//! - `deep_history`: clauses named by path, containers, revision labels as points, pickaxe in
//!   headings and labels, revisions stored in several parts.
//! - `import_drafts`: drafts as real texts write them (typed numbers, notes, front matter).
//! - `tamper`: the tamper and corruption battery: a damaged store answers right or exit 4.
//! - `web`: the observer's web page in headless Chromium (each page, the live banner, tokens).

mod admins;
mod akn;
mod amend_words;
mod backup;
mod bad_input;
mod client;
mod command_line;
mod concurrency;
mod consultation;
mod corrections;
mod crash;
mod deep_history;
mod demo;
mod docx;
mod engines;
mod export;
mod generate;
mod governance_process;
mod governance_text;
mod history_blame;
mod history_diff;
mod history_log;
mod human_output;
mod import_drafts;
mod input_checks;
mod limits;
mod local_server;
mod office;
mod openapi;
mod points;
mod questions;
mod read_model;
mod renumber;
mod responses;
mod script;
mod serve;
mod serve_clients;
mod store_creation;
mod store_format;
mod support;
mod tamper;
mod web;
mod writes;
