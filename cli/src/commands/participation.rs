//! `travaux participation`: who took part in each phase, by participant kind.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `participation`.
#[derive(Args, Debug)]
pub struct ParticipationArgs {}

/// Run `participation`.
pub fn run(_ctx: &mut Ctx<'_>, _args: &ParticipationArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
