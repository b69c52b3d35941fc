//! The command line as a client of `travaux serve`: with `--server URL` (or `TRAVAUX_SERVER`,
//! with `TRAVAUX_TOKEN`), commands go through the server's API instead of opening a store.
//!
//! The command line is sent as typed (`POST /v1/exec`): the server parses it with the same
//! parser, runs it as the token's participant on the store it owns, and answers with what the
//! command printed and its exit code, which this side prints and exits with. The files a
//! command reads (`import FILE`, `participant import FILE`, `report --file FILE`) are read
//! here and sent along. `replay --follow` reads the document's live event stream
//! (Server-Sent Events) instead.
//!
//! Exit codes are the local ones (see `error.rs`): the server answers with them. A server that
//! cannot be reached is exit code 5, as for a store held by another process: the store is not
//! available now.
//!
//! When a `travaux serve` on this machine holds the store a command names, the command goes
//! the same way without being told, through the server's local socket ([`local`]), as the
//! store's owner.

pub mod local;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::cli::{Cli, Command};
use crate::commands;
use crate::context::{Inputs, SentFile};
use crate::error::{CliError, CliResult, ErrorKind};
use crate::globals::{ColorChoice, Globals};

/// The environment variable that holds the bearer token sent to the server.
pub const TOKEN_ENV: &str = "TRAVAUX_TOKEN";

/// The file `travaux serve` writes in the store directory while it runs.
pub const SERVER_FILE: &str = "server.json";

/// The largest file sent along with a command (the server answers 413 to a larger request).
const MAX_FILE_BYTES: usize = 64 << 20;

/// The largest answer read from the server.
const MAX_ANSWER_BYTES: u64 = 1 << 30;

/// Run a command line against a server instead of a local store.
pub fn run(cli: &Cli, server: &str, out: &mut dyn Write) -> CliResult {
    let server = Server::new(server, std::env::var(TOKEN_ENV).ok())?;
    local_only(&cli.command)?;
    send(cli, &server, out)
}

/// Run a command line through the local socket of the server that holds the store, as the
/// store's owner: `--as` goes along, no token does.
pub fn run_local(
    cli: &Cli,
    (socket, connected): (PathBuf, std::os::unix::net::UnixStream),
    out: &mut dyn Write,
) -> CliResult {
    let holder = || match served_by(&cli.globals.store_path()) {
        Some((url, Some(pid))) => format!("travaux serve (pid {pid}, {url})"),
        Some((url, None)) => format!("travaux serve ({url})"),
        None => "travaux serve".to_string(),
    };
    if let Some(refused) = local::refusal(&cli.command, holder) {
        return Err(refused);
    }
    tracing::debug!(socket = %socket.display(), "the store is served: through the local socket");
    send(cli, &Server::local(socket, connected), out)
}

/// Send the command line to the server and print its answer.
fn send(cli: &Cli, server: &Server, out: &mut dyn Write) -> CliResult {
    if let Command::Replay(args) = &cli.command {
        if args.follow {
            return commands::replay::follow(&cli.globals, args, server, out);
        }
    }
    if let Command::Export(commands::export::ExportCommand::Jsonl(args)) = &cli.command {
        return commands::jsonl::export_from(server, &cli.globals, args, out);
    }
    if let Command::Run(args) = &cli.command {
        // Only through the local socket (`local_only` refuses it with --server).
        return run_script(cli, args, server, out);
    }
    let raw = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string().map_err(|a| {
                CliError::refused(format!(
                    "the argument {} is not UTF-8 and cannot be sent to the server",
                    a.to_string_lossy()
                ))
            })
        })
        .collect::<CliResult<Vec<String>>>()?;
    let owner = server.is_local();
    if !owner {
        check_store(&cli.globals, &raw, server)?;
    }
    let argv = argv(&cli.globals, &raw, owner)?;
    let files = files(&cli.command, &Inputs::Cwd)?;
    let stdout = server.exec(&argv, cli.globals.json, &files)?;
    out.write_all(stdout.as_bytes())?;
    Ok(())
}

/// `run SCRIPT` through the local server: its lines sent one by one, as `run` runs them on a
/// store of its own (the same defaults, `--echo`, the first failure naming its line), the
/// files they name read from the script's folder and sent along.
fn run_script(
    cli: &Cli,
    args: &commands::demo::RunArgs,
    server: &Server,
    out: &mut dyn Write,
) -> CliResult {
    let (name, lines, inputs) = commands::demo::read_script(&cli.globals, args, &Inputs::Cwd)?;
    commands::demo::each_line(&name, &lines, &cli.globals, |line, line_cli, globals| {
        if args.echo {
            writeln!(out, "$ travaux {}", line.text)?;
        }
        if let Some(refused) = local::refusal(&line_cli.command, || "travaux serve".to_string()) {
            return Err(refused);
        }
        let argv = argv(&globals, &line.words, true)?;
        let files = files(&line_cli.command, &inputs)?;
        let stdout = server.exec(&argv, globals.json, &files)?;
        out.write_all(stdout.as_bytes())?;
        out.flush()?;
        Ok(())
    })
}

/// Commands that make no sense on another machine's store.
fn local_only(command: &Command) -> CliResult {
    match command {
        Command::Run(_) => Err(CliError::refused(
            "`run` cannot go through a server: a script's lines act as several participants (--as), and through a server each participant acts with their own token; send the lines one by one with --server, or run the script on a store no server holds",
        )),
        Command::Export(crate::commands::export::ExportCommand::Git(_)) => Err(CliError::refused(
            "`export git` writes a repository on the machine that holds the store and cannot go through a server; run it where the store is, on a copy, or when the server is stopped",
        )),
        _ => Ok(()),
    }
}

/// `--store` names a local store; with `--server`, it is accepted only when it is the store
/// the server serves (the command a locked store suggested, with `--server` added).
fn check_store(globals: &Globals, raw: &[String], server: &Server) -> CliResult {
    let given = raw
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--store" || a.starts_with("--store="));
    if !given {
        return Ok(());
    }
    let served = globals
        .store
        .as_deref()
        .and_then(served_by)
        .is_some_and(|(url, _)| normalise(&url) == server.base);
    if served {
        return Ok(());
    }
    Err(CliError::refused(format!(
        "--store names a store on this machine, but the command goes to the server at {} and acts on the store it serves: leave out --store (or --server)",
        server.base
    )))
}

/// Options of the command line that this side handles, not sent as typed: `--server` and
/// `--store` (where to go), `--as` (refused: the token says who acts; through the local
/// socket, sent as parsed), `--json` (sent as a field), and the globals sent in their parsed
/// form (they may come from the environment).
const TAKES_VALUE: [&str; 8] = [
    "--server",
    "--store",
    "--as",
    "--doc",
    "--date",
    "--expect-version",
    "--event-id",
    "--color",
];

/// The arguments to send: the command as typed, without the program name and the options
/// this side handles, with the globals the server takes (`--doc`, `--date`,
/// `--expect-version`, `--event-id`, `--color`) as parsed, so that those set in the
/// environment (`TRAVAUX_DOC`, `TRAVAUX_DATE`) go too. The store's `owner`, through the local
/// socket, sends `--as` as parsed (it may come from `TRAVAUX_AS`).
pub fn argv(globals: &Globals, raw: &[String], owner: bool) -> CliResult<Vec<String>> {
    let mut args = Vec::with_capacity(raw.len() + 10);
    let mut rest = raw.iter();
    let mut after_dashes = Vec::new();
    while let Some(a) = rest.next() {
        if a == "--" {
            after_dashes.push(a.clone());
            after_dashes.extend(rest.by_ref().cloned());
            break;
        }
        if !owner && (a == "--as" || a.starts_with("--as=")) {
            return Err(CliError::refused(
                "--as cannot go through a server: the server acts as the participant of the token in TRAVAUX_TOKEN (`travaux token issue PARTICIPANT` gives one); leave out --as",
            ));
        }
        if a == "--json" || a == "--no-pager" {
            continue;
        }
        if TAKES_VALUE.contains(&a.as_str()) {
            rest.next();
            continue;
        }
        if TAKES_VALUE
            .iter()
            .any(|o| a.strip_prefix(o).is_some_and(|r| r.starts_with('=')))
        {
            continue;
        }
        args.push(a.clone());
    }
    match &globals.actor {
        Some(actor) if owner => args.extend(["--as".to_string(), actor.clone()]),
        Some(_) => tracing::warn!(
            "TRAVAUX_AS is ignored with --server: the server acts as the token's participant"
        ),
        None => {}
    }
    if let Some(doc) = &globals.doc {
        args.extend(["--doc".to_string(), doc.clone()]);
    }
    if let Some(date) = &globals.date {
        args.extend(["--date".to_string(), date.clone()]);
    }
    if let Some(v) = globals.expect_version {
        args.extend(["--expect-version".to_string(), v.to_string()]);
    }
    if let Some(id) = globals.event_id {
        args.extend(["--event-id".to_string(), id.to_string()]);
    }
    // The server's output is not a terminal: decide colour here, where the answer is shown.
    args.extend([
        "--color".to_string(),
        if color(globals) { "always" } else { "never" }.to_string(),
    ]);
    args.extend(after_dashes);
    Ok(args)
}

/// Whether to colour what this side prints: `--color`, else colour only a terminal without
/// NO_COLOR (as `Ctx::color` decides for a local command).
pub fn color(globals: &Globals) -> bool {
    match globals.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The files the command reads, by the path given on the command line, read here (from
/// `inputs`: the current folder, or a script's): text as it is, anything else (a `.docx`
/// draft, which the server converts) in base64.
fn files(command: &Command, inputs: &Inputs) -> CliResult<BTreeMap<String, SentFile>> {
    use commands::participant::ParticipantCommand;
    let path = match command {
        Command::Import(a) => Some(&a.file),
        Command::Participant(ParticipantCommand::Import { file }) => Some(file),
        Command::Responses(commands::responses::ResponsesCommand::Import(a)) => Some(&a.file),
        Command::Report(a) if a.text.is_none() => a.file.as_ref(),
        Command::Verify(a) => a.checkpoint.as_ref(),
        _ => None,
    };
    let mut files = BTreeMap::new();
    if let Some(path) = path {
        let bytes = inputs.read(path, MAX_FILE_BYTES)?;
        files.insert(path.to_string_lossy().into_owned(), SentFile::of(bytes));
    }
    Ok(files)
}

/// A `travaux serve` to talk to.
pub struct Server {
    /// Its address, as `http://HOST:PORT` (no trailing slash), or its local socket's path.
    pub base: String,
    token: Option<String>,
    transport: Transport,
}

/// How requests reach the server.
enum Transport {
    /// Over TCP, to its URL.
    Http(ureq::Agent),
    /// Through its local socket, as the store's owner; with the connection made for the
    /// first request.
    Local(
        PathBuf,
        std::sync::Mutex<Option<std::os::unix::net::UnixStream>>,
    ),
}

impl Server {
    /// A server at `url` (`http://` is assumed when no scheme is given), with the bearer
    /// token to send, if any.
    pub fn new(url: &str, token: Option<String>) -> CliResult<Server> {
        let base = normalise(url);
        if base == "http://" {
            return Err(usage(
                "--server (or TRAVAUX_SERVER) is empty: give the server's URL, such as http://127.0.0.1:8080",
            ));
        }
        if base.starts_with("https://") {
            return Err(usage(format!(
                "{base}: this travaux speaks plain HTTP only; put the server behind a tunnel or proxy that this machine reaches over http://"
            )));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .build()
            .into();
        Ok(Server {
            base,
            token: token
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.trim().to_string()),
            transport: Transport::Http(agent),
        })
    }

    /// The server that holds a store, through its local socket.
    pub fn local(socket: PathBuf, connected: std::os::unix::net::UnixStream) -> Server {
        Server {
            base: format!("the local socket {}", socket.display()),
            token: None,
            transport: Transport::Local(socket, std::sync::Mutex::new(Some(connected))),
        }
    }

    /// Whether requests go through the local socket, as the store's owner.
    pub fn is_local(&self) -> bool {
        matches!(self.transport, Transport::Local(..))
    }

    /// Send a request: its status and its body, to read.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> CliResult<(u16, Box<dyn Read + Send>)> {
        let bearer = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let mut headers = headers.to_vec();
        if let Some(b) = &bearer {
            headers.push(("Authorization", b));
        }
        match &self.transport {
            Transport::Local(socket, connected) => {
                let connected = connected.lock().ok().and_then(|mut c| c.take());
                let (status, reader) =
                    local::request(socket, connected, method, path, &headers, body)
                        .map_err(|e| self.unreachable(e))?;
                Ok((status, Box::new(reader)))
            }
            Transport::Http(agent) => {
                let url = format!("{}{path}", self.base);
                let response = if method == "POST" {
                    let mut request = agent.post(&url);
                    for (name, value) in &headers {
                        request = request.header(*name, *value);
                    }
                    request.send(body)
                } else {
                    let mut request = agent.get(&url);
                    for (name, value) in &headers {
                        request = request.header(*name, *value);
                    }
                    request.call()
                }
                .map_err(|e| self.unreachable(e))?;
                let status = response.status().as_u16();
                // No limit here: a download (the whole log) may be larger than an answer.
                Ok((status, Box::new(response.into_body().into_reader())))
            }
        }
    }

    /// Run a command line on the server: what it printed, or its refusal with its exit code.
    pub fn exec(
        &self,
        argv: &[String],
        json: bool,
        files: &BTreeMap<String, SentFile>,
    ) -> CliResult<String> {
        let body = json!({ "argv": argv, "json": json, "files": files });
        let (status, mut reader) = self.send(
            "POST",
            "/v1/exec",
            &[
                ("Content-Type", "application/json"),
                ("Accept", "application/json"),
            ],
            &serde_json::to_vec(&body)?,
        )?;
        let mut text = String::new();
        reader
            .by_ref()
            .take(MAX_ANSWER_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| self.unreachable(e))?;
        let answer: Option<Value> = serde_json::from_str(&text).ok();
        let exit = answer
            .as_ref()
            .and_then(|a| a["exit"].as_u64())
            .map(|c| u8::try_from(c).unwrap_or(1));
        match (status, exit) {
            (200..=299, None | Some(0)) => {
                let stdout = answer.as_ref().and_then(|a| a["stdout"].as_str());
                stdout.map(str::to_string).ok_or_else(|| {
                    CliError::refused(format!(
                        "the server at {} answered without the command's output: {}",
                        self.base,
                        excerpt(&text)
                    ))
                })
            }
            _ => Err(self.refusal(status, &text, "")),
        }
    }

    /// An error answer (`{"exit": N, "error": "…"}`, or whatever the server sent to `to`) as
    /// the exit code and message the local command would give.
    fn refusal(&self, status: u16, text: &str, to: &str) -> CliError {
        let answer: Option<Value> = serde_json::from_str(text).ok();
        let exit = answer
            .as_ref()
            .and_then(|a| a["exit"].as_u64())
            .map(|c| u8::try_from(c).unwrap_or(1));
        let message = answer
            .as_ref()
            .and_then(|a| a["error"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!(
                    "the server at {} answered {status}{to}: {}",
                    self.base,
                    excerpt(text)
                )
            });
        let code = match exit {
            Some(c) if c != 0 => c,
            _ => match status {
                409 | 412 => 3,
                502..=504 => 5,
                _ => 1,
            },
        };
        let message = if status == 401 && self.token.is_none() {
            format!(
                "{message} (no token was sent: set {TOKEN_ENV} to the token `travaux token issue` gave you)"
            )
        } else {
            message
        };
        let kind = match status {
            403 => ErrorKind::NotAllowed,
            404 => ErrorKind::NotFound,
            409 | 412 => ErrorKind::Conflict,
            _ if code == 2 => ErrorKind::Usage,
            _ => ErrorKind::Refused,
        };
        with_code(CliError::refused(message), code).with_kind(kind)
    }

    /// A transport failure: the server could not be reached, or the connection broke.
    fn unreachable(&self, e: impl std::fmt::Display) -> CliError {
        let message = match &self.transport {
            Transport::Local(..) => format!(
                "the travaux serve holding the store stopped answering on {}: {e}; run the command again (once the server has stopped, it opens the store itself)",
                self.base
            ),
            Transport::Http(_) => format!(
                "cannot reach the travaux server at {}: {e}; is `travaux serve` running there? (--server or TRAVAUX_SERVER names it)",
                self.base
            ),
        };
        with_code(CliError::refused(message), 5).with_kind(ErrorKind::Locked)
    }

    /// Send a GET (with the token, if any); a status other than 2xx is the server's refusal.
    fn get_ok(
        &self,
        target: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> CliResult<Box<dyn Read + Send>> {
        let (status, reader) = self.send("GET", target, headers, &[])?;
        if !(200..=299).contains(&status) {
            let mut text = String::new();
            let _ = reader.take(1 << 20).read_to_string(&mut text);
            return Err(self.refusal(status, &text, &format!(" to {path}")));
        }
        Ok(reader)
    }

    /// The body of `GET path`, as it arrives (`/v1/export.jsonl`), or the server's refusal.
    pub fn download(&self, path: &str) -> CliResult<Box<dyn std::io::Read + Send>> {
        self.get_ok(path, path, &[])
    }

    /// Open an event stream (`path` such as `/v1/documents/SLUG/events`) after `after`, the
    /// last sequence number seen: `from` (the first to send) and `Last-Event-ID` (the last
    /// seen) both say where to resume.
    pub fn events(&self, path: &str, after: u64) -> CliResult<EventStream> {
        let target = format!("{path}?from={}", after + 1);
        let last = after.to_string();
        let headers = [
            ("Accept", "text/event-stream"),
            ("Cache-Control", "no-cache"),
            ("Last-Event-ID", last.as_str()),
        ];
        let reader = self.get_ok(&target, path, &headers)?;
        Ok(EventStream {
            reader: BufReader::new(reader),
        })
    }
}

/// One message of an event stream.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Message {
    /// `id:`, the event's sequence number.
    pub id: Option<String>,
    /// `event:`, the event's type.
    pub event: Option<String>,
    /// `data:`, its lines joined by newlines.
    pub data: String,
}

/// A Server-Sent Events stream, read message by message.
pub struct EventStream {
    reader: BufReader<Box<dyn std::io::Read + Send>>,
}

impl EventStream {
    /// Whether more of the stream has arrived and is waiting to be read.
    pub fn has_buffered(&self) -> bool {
        !self.reader.buffer().is_empty()
    }

    /// The next message; `None` when the server closed the stream. Comments (keep-alives) and
    /// messages without data are skipped.
    pub fn next_message(&mut self) -> std::io::Result<Option<Message>> {
        let mut message = Message::default();
        let mut has_data = false;
        let mut line = String::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            let l = line.trim_end_matches(['\n', '\r']);
            if l.is_empty() {
                if has_data {
                    return Ok(Some(message));
                }
                message = Message::default();
                continue;
            }
            if l.starts_with(':') {
                continue;
            }
            let (field, value) = match l.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (l, ""),
            };
            match field {
                "id" => message.id = Some(value.to_string()),
                "event" => message.event = Some(value.to_string()),
                "data" => {
                    if has_data {
                        message.data.push('\n');
                    }
                    message.data.push_str(value);
                    has_data = true;
                }
                _ => {}
            }
        }
    }
}

/// A server URL in the form compared and requested: a scheme (`http://` if none was given),
/// no trailing slash.
pub fn normalise(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    if url.contains("://") {
        url.to_string()
    } else {
        format!("http://{url}")
    }
}

/// The server `<store>/server.json` says holds this store: its URL and process id.
pub fn served_by(store: &Path) -> Option<(String, Option<u64>)> {
    let text = std::fs::read_to_string(store.join(SERVER_FILE)).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    let url = v["url"].as_str()?.to_string();
    Some((url, v["pid"].as_u64()))
}

/// What to tell someone whose command found the store locked, when a `travaux serve` holds
/// it: where the server is and how to send the command there. `None` when no server says it
/// holds the store. Call it where `StoreError::Locked(path)` becomes a message.
// Until `error.rs` calls it for `StoreError::Locked`.
pub fn locked_hint(store: &Path) -> Option<String> {
    let (url, pid) = served_by(store)?;
    // A server that died leaves its file behind; then someone else holds the store.
    if let Some(p) = pid {
        let proc = Path::new("/proc");
        if proc.is_dir() && !proc.join(p.to_string()).exists() {
            return None;
        }
    }
    let pid = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
    Some(format!(
        "the store at {} is served by travaux serve at {url}{pid}: run the command with --server {url} (or TRAVAUX_SERVER={url}) and TRAVAUX_TOKEN set to your token (`travaux token issue` gives one)",
        store.display()
    ))
}

/// A usage error (exit code 2).
pub fn usage(message: impl Into<String>) -> CliError {
    with_code(CliError::refused(message), 2).with_kind(ErrorKind::Usage)
}

/// An error with another exit code.
fn with_code(mut e: CliError, code: u8) -> CliError {
    e.code = code;
    e
}

/// The start of an answer, for a message.
fn excerpt(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None if t.is_empty() => "(an empty answer)".to_string(),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_command_is_sent_as_typed_without_what_this_side_handles() {
        let globals = Globals {
            doc: Some("code".into()),
            color: ColorChoice::Never,
            ..Globals::default()
        };
        let raw = strings(&[
            "--server",
            "http://x",
            "--json",
            "comment",
            "--doc=code",
            "a text",
            "--clause",
            "1.1",
            "--store",
            "s",
            "--",
            "--json",
        ]);
        assert_eq!(
            argv(&globals, &raw, false).unwrap(),
            strings(&[
                "comment", "a text", "--clause", "1.1", "--doc", "code", "--color", "never", "--",
                "--json"
            ])
        );
    }

    #[test]
    fn as_is_refused() {
        let globals = Globals::default();
        for raw in [&["--as", "x", "show"][..], &["show", "--as=x"]] {
            let e = argv(&globals, &strings(raw), false).unwrap_err();
            assert_eq!(e.code, 1);
            assert!(e.message.contains("token"), "{}", e.message);
        }
    }

    #[test]
    fn an_event_stream_is_read_message_by_message() {
        let text = ": keep-alive\n\nid: 7\nevent: comment_posted\ndata: {\"seq\":7}\n\n\
                    id: 8\ndata: a\ndata: b\n\n";
        let mut s = EventStream {
            reader: BufReader::new(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))),
        };
        let m = s.next_message().unwrap().unwrap();
        assert_eq!(m.id.as_deref(), Some("7"));
        assert_eq!(m.event.as_deref(), Some("comment_posted"));
        assert_eq!(m.data, "{\"seq\":7}");
        let m = s.next_message().unwrap().unwrap();
        assert_eq!((m.id.as_deref(), m.data.as_str()), (Some("8"), "a\nb"));
        assert_eq!(s.next_message().unwrap(), None);
    }

    #[test]
    fn a_locked_store_names_the_server_that_holds_it() {
        let dir = std::env::temp_dir().join(format!("travaux-hint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(locked_hint(&dir), None);
        let file = dir.join(SERVER_FILE);
        let me = std::process::id();
        std::fs::write(
            &file,
            format!(r#"{{"url": "http://127.0.0.1:7070", "pid": {me}}}"#),
        )
        .unwrap();
        let hint = locked_hint(&dir).expect("a hint");
        assert!(hint.contains("--server http://127.0.0.1:7070"), "{hint}");
        assert!(
            hint.contains("TRAVAUX_TOKEN") && hint.contains(&format!("pid {me}")),
            "{hint}"
        );
        // A server that is gone says nothing.
        std::fs::write(
            &file,
            r#"{"url": "http://127.0.0.1:7070", "pid": 4294967295}"#,
        )
        .unwrap();
        assert_eq!(locked_hint(&dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn urls_are_normalised() {
        assert_eq!(normalise("127.0.0.1:8080/"), "http://127.0.0.1:8080");
        assert_eq!(normalise("http://h:1"), "http://h:1");
    }
}
