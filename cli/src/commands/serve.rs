//! `travaux serve`: one process owns the store and serves a whole committee over HTTP (see
//! the `serve` module for the routes).

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;

use crate::cli::Globals;
use crate::error::{CliError, CliResult};

/// Arguments of `serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the line printed names it)
    #[arg(long, default_value = "127.0.0.1:7070", value_name = "HOST:PORT")]
    pub addr: SocketAddr,
    /// How long a connection may take to send a request's headers, from its opening or the
    /// end of its previous answer: slow clients and idle keep-alive connections are closed
    /// after it (a duration: 10s, 500ms, 2m)
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = duration)]
    pub header_timeout: Duration,
    /// How long a client may take to send a request's whole body (408 past it)
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = duration)]
    pub body_timeout: Duration,
    /// How long a client may leave an answer unread before its connection is closed
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = duration)]
    pub write_timeout: Duration,
    /// How many connections may be open at once; past it, new ones wait to be accepted
    /// until one closes (the limit on open files is raised to fit, as far as allowed)
    #[arg(long, default_value_t = 4096, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
    /// On SIGTERM or SIGINT, how long the requests in flight have to finish: connections
    /// still open then are dropped, and the server exits (writes already running still
    /// finish, durable)
    #[arg(long, default_value = "10s", value_name = "DURATION", value_parser = duration)]
    pub shutdown_timeout: Duration,
}

/// A duration: a number with a unit (`ms`, `s`, `m`), or seconds without one.
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: write 10s, 500ms or 2m"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" => value,
        "m" | "min" => value * 60.0,
        other => {
            return Err(format!(
                "{other:?} is not a unit of time: write ms, s or m (10s, 500ms, 2m)"
            ))
        }
    };
    if !(seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "{text} is out of range: more than 0 and at most a day"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Run the server until SIGINT or SIGTERM: print `listening on http://ADDR` once bound, log
/// requests to stderr, and exit 0 once the requests in flight are finished or the shutdown
/// deadline has passed.
pub fn run(globals: &Globals, args: &ServeArgs, out: &mut dyn std::io::Write) -> CliResult {
    if globals.server.is_some() {
        return Err(CliError::refused(
            "`serve` serves a local store; it takes no --server (unset TRAVAUX_SERVER)",
        ));
    }
    let store = travaux_store::Store::open(globals.store_location())?;
    let limits = crate::serve::Limits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        write_timeout: args.write_timeout,
        max_connections: args.max_connections as usize,
        shutdown_timeout: args.shutdown_timeout,
    };
    crate::serve::serve(store, args.addr, limits, out)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::duration;

    #[test]
    fn durations_read_with_their_unit_or_as_seconds() {
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration(" 3 s "), Ok(Duration::from_secs(3)));
    }

    #[test]
    fn a_bad_duration_says_what_to_write() {
        for bad in ["", "s", "ten", "10h", "-1s", "1e3"] {
            let e = duration(bad).expect_err(bad);
            assert!(e.contains("10s") || e.contains("unit"), "{bad}: {e}");
        }
        for out_of_range in ["0", "0ms", "2d", "100000"] {
            let e = duration(out_of_range).expect_err(out_of_range);
            assert!(
                e.contains("out of range") || e.contains("unit"),
                "{out_of_range}: {e}"
            );
        }
    }
}
