//! The `travaux` binary: parse, call, render. See `cli.rs` for the commands.

mod cli;
mod client;
mod commands;
mod context;
mod docx;
mod error;
mod globals;
mod help;
mod pager;
mod progress;
mod render;
mod script;
mod serve;

fn main() -> std::process::ExitCode {
    cli::main()
}
