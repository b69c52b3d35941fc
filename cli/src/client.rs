//! The command line as a client of `travaux serve`: with `--server URL` (or `TRAVAUX_SERVER`,
//! with `TRAVAUX_TOKEN`), commands go through the server's API.

use crate::cli::Cli;
use crate::error::{CliError, CliResult};

/// Run a command line against a server instead of a local store.
pub fn run(_cli: &Cli, _server: &str, _out: &mut dyn std::io::Write) -> CliResult {
    Err(CliError::refused("not yet"))
}
