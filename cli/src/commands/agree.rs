//! `travaux agree` and `travaux reopen`: how far a clause is agreed.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `agree`.
#[derive(Args, Debug)]
pub struct AgreeArgs {}

/// Run `agree`.
pub fn agree(_ctx: &mut Ctx<'_>, _args: &AgreeArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}

/// Arguments of `reopen`.
#[derive(Args, Debug)]
pub struct ReopenArgs {}

/// Run `reopen`.
pub fn reopen(_ctx: &mut Ctx<'_>, _args: &ReopenArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
