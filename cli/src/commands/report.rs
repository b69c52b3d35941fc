//! `travaux report`: a report in the open reporting round.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `report`.
#[derive(Args, Debug)]
pub struct ReportArgs {}

/// Run `report`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &ReportArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
