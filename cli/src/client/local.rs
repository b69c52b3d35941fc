//! The CLI's way to a `travaux serve` on this machine: when a server holds the store, a
//! command goes through the server's local socket (`<store>/server.sock`, see
//! `serve::local`), without being told, and acts as the store's owner would locally: no
//! token, `--as` as given. The server runs it with the CLI's own dispatch, so it prints what
//! the command prints locally, and fails with the same message and exit code.
//!
//! The exchange is HTTP/1.0 over the socket, to the server's own routes: one request per
//! connection, the answer read to the end of the connection (the server neither chunks nor
//! keeps an HTTP/1.0 connection open), so nothing beyond a status line needs parsing.
//!
//! A socket nobody answers on (a server killed with SIGKILL leaves it) does not stop local
//! work: the command opens the store itself, and sled's lock on it says whether some process
//! still holds it.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use crate::cli::Command;
use crate::commands::export::ExportCommand;
use crate::error::{CliError, ErrorKind};
use crate::serve::local::socket_path;

/// The socket of the server holding `store`, if one answers on it, with the connection made
/// (the first request goes on it).
pub fn reach(store: &Path) -> Option<(PathBuf, UnixStream)> {
    let socket = socket_path(store);
    if !socket.exists() {
        return None;
    }
    match UnixStream::connect(&socket) {
        Ok(stream) => Some((socket, stream)),
        Err(e) => {
            tracing::debug!(error = %e, socket = %socket.display(), "nobody answers on the local socket: opening the store");
            None
        }
    }
}

/// Send one request on the socket (on `connected`, if given): the status and the body, to be
/// read to its end.
pub fn request(
    socket: &Path,
    connected: Option<UnixStream>,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<(u16, BufReader<UnixStream>)> {
    let mut stream = match connected {
        Some(stream) => stream,
        None => UnixStream::connect(socket)?,
    };
    let mut head = format!("{method} {target} HTTP/1.0\r\nHost: localhost\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut message = head.into_bytes();
    message.extend_from_slice(body);
    stream.write_all(&message)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| line.starts_with("HTTP/"))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not an HTTP answer: {:?}", line.trim_end()),
            )
        })?;
    // The headers: nothing in them is needed (the body ends with the connection).
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    Ok((status, reader))
}

/// Commands that need the store to themselves, or write where only a process of their own
/// can: refused while a server holds the store, saying so.
pub fn refusal(command: &Command, server: impl FnOnce() -> String) -> Option<CliError> {
    let what = match command {
        Command::Export(ExportCommand::Git(_)) => "`export git`",
        Command::Export(ExportCommand::Akn(a)) if a.output.is_some() => "`export akn -o`",
        Command::Export(ExportCommand::Docx(_)) => "`export docx`",
        Command::Export(ExportCommand::Csv(a)) if a.output.is_some() => "`export csv -o`",
        Command::Generate(_) => "`generate`",
        Command::Rebuild => "`rebuild`",
        Command::Compact => "`compact`",
        _ => return None,
    };
    let mut e = CliError::refused(format!(
        "{what} runs in a process of its own on the store, and {} holds it: stop the server (Ctrl-C, or SIGTERM), run the command, and start the server again",
        server()
    ))
    .with_kind(ErrorKind::Locked);
    e.code = 5;
    Some(e)
}
