//! `travaux adopt`: adoption of the text under the resolution's symbol.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `adopt`.
#[derive(Args, Debug)]
pub struct AdoptArgs {}

/// Run `adopt`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &AdoptArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
