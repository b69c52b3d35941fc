//! `travaux diff`: not built yet.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {}

/// Run `diff`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &DiffArgs) -> CliResult {
    Err(CliError::refused("`diff` is not built yet"))
}
