//! `travaux replay`: not built yet.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {}

/// Run `replay`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &ReplayArgs) -> CliResult {
    Err(CliError::refused("`replay` is not built yet"))
}
