//! `travaux token issue|revoke|list`: bearer tokens for the server.

use clap::Subcommand;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Token subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token to a participant; it is shown once and stored only as a hash
    Issue,
    /// Revoke a token
    Revoke,
    /// List the tokens (ids, participants, revoked or not; never the tokens)
    List,
}

impl TokenCommand {
    /// Whether it writes to the log.
    pub fn writes(&self) -> bool {
        !matches!(self, TokenCommand::List)
    }
}

/// Run a token subcommand.
pub fn run(_ctx: &mut Ctx<'_>, _cmd: &TokenCommand) -> CliResult {
    Err(CliError::refused("not yet"))
}
