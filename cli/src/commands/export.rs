//! `travaux export`: not built yet.

use clap::Subcommand;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Export subcommands.
#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Not built yet
    Git,
}

/// Run an export subcommand.
pub fn run(_ctx: &mut Ctx<'_>, _cmd: &ExportCommand) -> CliResult {
    Err(CliError::refused("`export` is not built yet"))
}
