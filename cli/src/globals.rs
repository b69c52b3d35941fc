//! The options every command takes (`--store`, `--json`, `--as`, …), shared by the command
//! line, the context of a command, the client and the server.

use std::path::PathBuf;

use uuid::Uuid;

/// Options every command takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Globals {
    /// The store: a directory (sled) [default: .travaux], or a PostgreSQL database
    /// (postgres://USER@HOST/DB)
    #[arg(long, global = true, env = "TRAVAUX_STORE", value_name = "DIR|URL")]
    pub store: Option<PathBuf>,
    /// Print JSON for tools instead of text for people
    #[arg(long, global = true)]
    pub json: bool,
    /// The participant who acts (a handle, see `participant list`)
    #[arg(
        long = "as",
        global = true,
        env = "TRAVAUX_AS",
        value_name = "PARTICIPANT"
    )]
    pub actor: Option<String>,
    /// The document (a slug, see `doc list`); may be left out when the store has one
    #[arg(long, global = true, env = "TRAVAUX_DOC", value_name = "SLUG")]
    pub doc: Option<String>,
    /// Record the event as of this date or time (to enter a past negotiation); never before
    /// the log's last event [default: now]
    #[arg(long, global = true, env = "TRAVAUX_DATE", value_name = "TIME")]
    pub date: Option<String>,
    /// Write only if the document is still at this version (from `show`); otherwise fail
    /// with a conflict and write nothing
    #[arg(long, global = true, value_name = "VERSION")]
    pub expect_version: Option<u64>,
    /// An id for the event written, so that a retried command is recorded once
    #[arg(long, global = true, value_name = "UUID")]
    pub event_id: Option<Uuid>,
    /// Colour in the output: auto (when stdout is a terminal and NO_COLOR is unset), always,
    /// never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Write the answer straight to the terminal, not through the pager ($TRAVAUX_PAGER, else
    /// $PAGER, else `less`) that long answers of commands that read go through on a terminal
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Send the command to a `travaux serve` at this URL instead of opening a store; the token
    /// is read from TRAVAUX_TOKEN
    #[arg(long, global = true, env = "TRAVAUX_SERVER", value_name = "URL")]
    pub server: Option<String>,
}

/// When to colour the output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Globals {
    /// The store directory (or the URL of a PostgreSQL store, as given).
    pub fn store_path(&self) -> PathBuf {
        self.store
            .clone()
            .unwrap_or_else(|| PathBuf::from(".travaux"))
    }

    /// Where the store is: a directory, or a PostgreSQL database named by its URL.
    pub fn store_location(&self) -> travaux_store::Location {
        let path = self.store_path();
        match path.to_str() {
            Some(s) => travaux_store::Location::parse(s),
            None => travaux_store::Location::Dir(path),
        }
    }
}
