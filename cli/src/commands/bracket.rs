//! `travaux bracket`, `travaux lift`, `travaux brackets`: disputed words and their alternatives.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `bracket`.
#[derive(Args, Debug)]
pub struct BracketArgs {}

/// Run `bracket`.
pub fn bracket(_ctx: &mut Ctx<'_>, _args: &BracketArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}

/// Arguments of `lift`.
#[derive(Args, Debug)]
pub struct LiftArgs {}

/// Run `lift`.
pub fn lift(_ctx: &mut Ctx<'_>, _args: &LiftArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}

/// Arguments of `brackets`.
#[derive(Args, Debug)]
pub struct BracketsArgs {}

/// Run `brackets`.
pub fn list(_ctx: &mut Ctx<'_>, _args: &BracketsArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
