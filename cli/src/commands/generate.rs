//! `travaux generate`: not built yet.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `generate`.
#[derive(Args, Debug)]
pub struct GenerateArgs {}

/// Run `generate`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &GenerateArgs) -> CliResult {
    Err(CliError::refused("`generate` is not built yet"))
}
