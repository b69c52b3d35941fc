//! `travaux phase open|close|list`: the phases of the process and their windows.

use clap::Subcommand;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Phase subcommands.
#[derive(Subcommand, Debug)]
pub enum PhaseCommand {
    /// Open a phase (secretariat or chair)
    Open,
    /// Close a phase (secretariat or chair)
    Close,
    /// List the phases with their windows
    List,
}

impl PhaseCommand {
    /// Whether it writes to the log.
    pub fn writes(&self) -> bool {
        !matches!(self, PhaseCommand::List)
    }
}

/// Run a phase subcommand.
pub fn run(_ctx: &mut Ctx<'_>, _cmd: &PhaseCommand) -> CliResult {
    Err(CliError::refused("not yet"))
}
