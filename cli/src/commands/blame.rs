//! `travaux blame`: not built yet.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `blame`.
#[derive(Args, Debug)]
pub struct BlameArgs {}

/// Run `blame`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &BlameArgs) -> CliResult {
    Err(CliError::refused("`blame` is not built yet"))
}
