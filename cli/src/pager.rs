//! A pager for long output on a terminal, as git has: the answer of a command that reads (`log`,
//! `show`, `diff`, `blame`, `replay`, lists) goes through `$TRAVAUX_PAGER`, else `$PAGER`, else
//! `less` (with `LESS=FRX` unless `LESS` is set: it quits at once when the answer fits on the
//! screen, keeps colours, and leaves the text on the screen), but only when stdout is a
//! terminal. `--no-pager`, or a pager set to the empty string or `cat`, writes straight to the
//! terminal. Never for writes, `serve`, `run`, `demo`, `replay --follow`, or output piped.

use std::io::{IsTerminal, Write};
use std::process::{Child, Command as Process, Stdio};

use crate::cli::{Cli, Command};

/// A running pager and the pipe to it.
pub struct Pager {
    child: Child,
}

impl Pager {
    /// Start the pager this command line's answer should go through, if any.
    pub fn start(cli: &Cli) -> Option<Pager> {
        if cli.globals.no_pager || !std::io::stdout().is_terminal() || !cli.command.pages() {
            return None;
        }
        let pager = std::env::var("TRAVAUX_PAGER")
            .or_else(|_| std::env::var("PAGER"))
            .unwrap_or_else(|_| "less".to_string());
        let pager = pager.trim();
        if pager.is_empty() || pager == "cat" {
            return None;
        }
        let mut process = Process::new("sh");
        process.arg("-c").arg(pager).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            process.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            process.env("LV", "-c");
        }
        match process.spawn() {
            Ok(child) => Some(Pager { child }),
            Err(e) => {
                tracing::warn!("cannot start the pager {pager:?} ({e}); writing to the terminal");
                None
            }
        }
    }

    /// Where the answer goes.
    pub fn input(&mut self) -> &mut dyn Write {
        self.child
            .stdin
            .as_mut()
            .expect("the pager's stdin is piped")
    }

    /// Close the pipe and wait for the reader to quit.
    pub fn finish(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

impl Command {
    /// Whether the answer of this command may be long enough to page on a terminal: commands
    /// that read, and only them.
    pub fn pages(&self) -> bool {
        use crate::commands::{
            amend::AmendCommand, doc::DocCommand, participant::ParticipantCommand,
            phase::PhaseCommand, role::RoleCommand,
        };
        match self {
            Command::Replay(a) => !a.follow,
            Command::Show(_)
            | Command::Log(_)
            | Command::Diff(_)
            | Command::Blame(_)
            | Command::Status(_)
            | Command::Questions(_)
            | Command::Comments(_)
            | Command::Brackets(_)
            | Command::Participation(_)
            | Command::Amend(AmendCommand::List { .. })
            | Command::Role(RoleCommand::List)
            | Command::Participant(ParticipantCommand::List)
            | Command::Doc(DocCommand::List)
            | Command::Phase(PhaseCommand::List) => true,
            Command::Comment(_) | Command::Tag(_) => !self.writes(),
            _ => false,
        }
    }
}
