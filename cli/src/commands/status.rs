//! `travaux status`: the committee's dashboard.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `status`.
#[derive(Args, Debug)]
pub struct StatusArgs {}

/// Run `status`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &StatusArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
