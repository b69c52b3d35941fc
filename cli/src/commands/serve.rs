//! `travaux serve`: one process owns the store and serves a whole committee over HTTP (see
//! the `serve` module for the routes).

use std::net::SocketAddr;

use clap::Args;

use crate::cli::Globals;
use crate::error::{CliError, CliResult};

/// Arguments of `serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the line printed names it)
    #[arg(long, default_value = "127.0.0.1:7070", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
}

/// Run the server until SIGINT or SIGTERM: print `listening on http://ADDR` once bound, log
/// requests to stderr, and exit 0 once the requests in flight are finished.
pub fn run(globals: &Globals, args: &ServeArgs, out: &mut dyn std::io::Write) -> CliResult {
    if globals.server.is_some() {
        return Err(CliError::refused(
            "`serve` serves a local store; it takes no --server (unset TRAVAUX_SERVER)",
        ));
    }
    let store = travaux_store::Store::open(&globals.store_path())?;
    crate::serve::serve(store, args.addr, out)
}
