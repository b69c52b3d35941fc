//! `travaux question` and `travaux questions`: consultation questions and their answers.

use clap::Args;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Arguments of `question`.
#[derive(Args, Debug)]
pub struct QuestionArgs {}

/// Run `question`.
pub fn pose(_ctx: &mut Ctx<'_>, _args: &QuestionArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}

/// Arguments of `questions`.
#[derive(Args, Debug)]
pub struct QuestionsArgs {}

/// Run `questions`.
pub fn list(_ctx: &mut Ctx<'_>, _args: &QuestionsArgs) -> CliResult {
    Err(CliError::refused("not yet"))
}
