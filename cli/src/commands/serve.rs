//! `travaux serve`: one process owns the store and serves a whole committee over HTTP.

use clap::Args;

use crate::cli::Globals;
use crate::error::{CliError, CliResult};

/// Arguments of `serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {}

/// Run the server until SIGINT or SIGTERM.
pub fn run(_globals: &Globals, _args: &ServeArgs, _out: &mut dyn std::io::Write) -> CliResult {
    Err(CliError::refused("not yet"))
}
