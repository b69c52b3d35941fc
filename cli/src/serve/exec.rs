//! The one executor: every request, `POST /v1/exec` or a typed route, becomes a command line
//! that the CLI's own parser reads and the CLI's own `dispatch` runs, on the server's open
//! store, as the token's participant. What the CLI would print is the answer.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use serde::Deserialize;
use travaux_core::StreamId;
use travaux_store::Store;
use uuid::Uuid;

use super::auth::{self, Caller};
use super::error::ApiError;
use crate::cli::{dispatch, Cli, Command};
use crate::commands;
use crate::context::{Ctx, Inputs, SentFile};
use crate::error::ErrorKind;

/// The body of `POST /v1/exec`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecBody {
    /// The command line, without the word `travaux`: `["amend", "list", "--all"]`.
    pub argv: Vec<String>,
    /// Answer as `--json` would.
    #[serde(default)]
    pub json: bool,
    /// Files the command reads (`import FILE`, `report --file F`, `participant import FILE`),
    /// by the name the command line gives them: text as a string, other files (a `.docx`) as
    /// `{"base64": "…"}`.
    #[serde(default)]
    pub files: BTreeMap<String, SentFile>,
}

/// One command to run for a request.
#[derive(Debug, Default)]
pub struct Job {
    /// The command line, without the word `travaux`.
    pub argv: Vec<String>,
    /// Answer as `--json` would.
    pub json: bool,
    /// The files sent with the request.
    pub files: BTreeMap<String, SentFile>,
    /// The version `If-Match` named, if any.
    pub if_match: Option<u64>,
    /// The bearer token, if any.
    pub token: Option<String>,
    /// Whether the request may only read (a GET): a command that writes is then refused
    /// with 405.
    pub read_only: bool,
}

/// What a command printed, and the document version to answer as the ETag.
#[derive(Debug)]
pub struct Outcome {
    /// Exactly what the CLI would have printed on stdout.
    pub stdout: String,
    /// The document's stream version: after the write for a write, as read for a read.
    pub etag: Option<u64>,
    /// Whether the command wrote (or might have written) to the log.
    pub wrote: bool,
    /// Who asked, for the request log.
    pub caller: String,
}

/// The global options a request may not give: the server owns the store, and the actor is
/// the token's participant.
const REFUSED_GLOBALS: [(&str, &str); 3] = [
    (
        "store",
        "--store makes no sense through the server: it serves the one store it opened",
    ),
    (
        "actor",
        "--as makes no sense through the server: every command acts as the participant of the token sent (Authorization: Bearer TOKEN)",
    ),
    (
        "server",
        "--server makes no sense through the server: the request is already at one",
    ),
];

/// Whether a subcommand runs only on a local store, never through the server, and why.
fn local_only(command: &Command) -> Option<&'static str> {
    Some(match command {
        Command::Init(_) => "`init` creates a store; the server already has one",
        Command::Demo(_) => "`demo` builds a store of its own; run it locally",
        Command::Run(_) => {
            "`run` is not taken through the server: send each line of the script as its own request"
        }
        Command::Serve(_) => "`serve` starts a server; this is one",
        Command::Generate(_) => "`generate` fills a new, empty store; run it locally",
        Command::Export(crate::commands::export::ExportCommand::Git(_)) => {
            "`export git` writes to the server's file system; run it locally on a copy of the store"
        }
        Command::Export(crate::commands::export::ExportCommand::Jsonl(_)) => {
            "`export jsonl` through a command line would write on the server's disk: download it from GET /v1/export.jsonl, or run it locally"
        }
        Command::Rebuild => "`rebuild` runs locally, with the server stopped",
        Command::Compact => "`compact` runs locally, with the server stopped",
        Command::Restore(_) => "`restore` builds a new store; run it locally",
        Command::Verify(a) if a.export.is_some() => {
            "`verify --export` reads a file of the server's file system; run it locally"
        }
        Command::Checkpoint(a) if !a.public() => {
            "`checkpoint` signs with (or prints) the store's private key; run it locally (each tag and adoption signs one)"
        }
        _ => return None,
    })
}

/// Commands about the whole store rather than one document: the registry, the list of
/// documents (reading them is open to anyone), tokens, `verify`, `log --all`.
fn store_level(command: &Command) -> bool {
    match command {
        Command::Doc(_)
        | Command::Participant(_)
        | Command::Token(_)
        | Command::Admin(_)
        | Command::Verify(_)
        | Command::Checkpoint(_) => true,
        Command::Log(args) => args.all,
        _ => false,
    }
}

/// Run one job to the end, on a thread that may block.
pub fn execute(store: &Store, job: Job) -> Result<Outcome, ApiError> {
    let caller = auth::caller(store, job.token.as_deref())?;
    let mut cli = match parse(&job.argv, &caller)? {
        Parsed::Cli(cli) => *cli,
        Parsed::Help(text) => {
            return Ok(Outcome {
                stdout: text,
                etag: None,
                wrote: false,
                caller: caller.name().to_string(),
            })
        }
    };
    cli.globals.json |= job.json;
    let command = &cli.command;
    if let Some(why) = local_only(command) {
        return Err(ApiError::bad_request(why));
    }
    let writes = command.writes();
    if writes && job.read_only {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "this command writes: send it with POST",
        ));
    }
    if let Command::Token(_) = command {
        match &caller {
            Caller::Anonymous => {
                return Err(ApiError::unauthorized(
                    "tokens are managed by an administrator of the store: send a token",
                ))
            }
            Caller::Participant(p) if !travaux_core::admin::is_admin(store, p.id) => {
                return Err(ApiError::forbidden(format!(
                    "{} may not manage tokens: that needs the store's administrator role (`travaux admin list` lists who holds it)",
                    p.handle
                )))
            }
            _ => {}
        }
    }
    if writes && caller.participant().is_none() {
        return Err(ApiError::unauthorized(
            "writing needs a token: send `Authorization: Bearer TOKEN` (from `travaux token issue PARTICIPANT`)",
        ));
    }

    let inputs = Inputs::Sent(job.files);
    let mut sink = std::io::sink();
    let probe = Ctx::new(store, cli.globals.clone(), &mut sink, &inputs);

    // Which document the command is about, and whether the caller may read it.
    let mut document = None;
    let mut read_version = None;
    if !writes {
        if let Command::Log(commands::log::LogArgs { all: true, .. }) = command {
            for entry in store.documents()? {
                if let Some(doc) = store.document_without_amendments(entry.id)? {
                    auth::may_read(&caller, &doc).map_err(|e| ApiError {
                        message: format!("log --all shows every document: {}", e.message),
                        ..e
                    })?;
                }
            }
        } else if !store_level(command) {
            let entry = probe.document_entry().map_err(ApiError::from)?;
            let doc = store
                .document_without_amendments(entry.id)?
                .ok_or_else(|| {
                    ApiError::from(crate::error::CliError::damaged(format!(
                        "document {} has no events",
                        entry.slug
                    )))
                })?;
            auth::may_read(&caller, &doc)?;
            read_version = Some(doc.version);
            document = Some(entry);
        }
    } else if !store_level(command) {
        // A write resolves its document itself; here only to name the version on a conflict.
        document = probe.document_entry().ok();
    }

    if let Some(expected) = job.if_match {
        if writes {
            match cli.globals.expect_version {
                Some(v) if v != expected => {
                    return Err(ApiError::bad_request(format!(
                        "If-Match names version {expected} but --expect-version {v}; give one"
                    )))
                }
                _ => cli.globals.expect_version = Some(expected),
            }
        } else if let Some(current) = read_version.filter(|v| *v != expected) {
            return Err(stale(
                expected,
                current,
                document.as_ref().map(|d| d.slug.as_str()),
            ));
        }
    }
    if writes && cli.globals.event_id.is_none() {
        // Named here so that the events written can be found again for the ETag.
        cli.globals.event_id = Some(Uuid::new_v4());
    }

    let mut out: Vec<u8> = Vec::new();
    let result = {
        let mut ctx = Ctx::new(store, cli.globals.clone(), &mut out, &inputs);
        // A panic inside the storage engine (a page it cannot read) is damage, not a crash.
        let r = travaux_store::catch(|| Ok(dispatch(&mut ctx, &cli.command)))
            .unwrap_or_else(|e| Err(e.into()));
        let _ = ctx.out.flush();
        r
    };
    if let Err(e) = result {
        let mut err = ApiError::from(e.with_kind_for_usage());
        if err.status == StatusCode::CONFLICT {
            let current = document
                .as_ref()
                .and_then(|d| store.stream_version(StreamId::document(d.id)).ok());
            err.version = current;
            if let (Some(expected), Some(current)) = (job.if_match, current) {
                let slug = document.as_ref().map(|d| d.slug.as_str());
                return Err(stale(expected, current, slug));
            }
        }
        return Err(err);
    }

    let etag = if writes {
        written_version(store, cli.globals.event_id)?.or_else(|| {
            document
                .as_ref()
                .and_then(|d| store.stream_version(StreamId::document(d.id)).ok())
        })
    } else {
        read_version
    };
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&out).into_owned(),
        etag,
        wrote: writes,
        caller: caller.name().to_string(),
    })
}

/// 412: the version `If-Match` named is not the document's.
fn stale(expected: u64, current: u64, slug: Option<&str>) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        format!(
            "If-Match \"{expected}\" is stale: {} is at version {current}; nothing was written: read it again and retry",
            slug.unwrap_or("the document")
        ),
    );
    e.version = Some(current);
    e
}

/// The version of the document stream the write with this event id left, if it wrote to one.
fn written_version(store: &Store, event_id: Option<Uuid>) -> Result<Option<u64>, ApiError> {
    let Some(id) = event_id else {
        return Ok(None);
    };
    let Some((events, _)) = store.recorded(travaux_core::EventId(id))? else {
        return Ok(None);
    };
    Ok(events
        .iter()
        .rev()
        .find(|e| e.stream != StreamId::REGISTRY)
        .map(|e| e.version))
}

/// A command line read: a command to run, or the help (or version) it asked for.
enum Parsed {
    Cli(Box<Cli>),
    Help(String),
}

/// Parse a request's command line as the CLI would, as the caller: global options that make
/// no sense remotely are refused, and those the server's own environment set are cleared.
fn parse(argv: &[String], caller: &Caller) -> Result<Parsed, ApiError> {
    use clap::error::ErrorKind as K;
    let line = std::iter::once("travaux".to_string()).chain(argv.iter().cloned());
    let matches = match Cli::command().try_get_matches_from(line) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), K::DisplayHelp | K::DisplayVersion) => {
            return Ok(Parsed::Help(e.to_string()))
        }
        Err(e) => return Err(usage(e)),
    };
    for (id, why) in REFUSED_GLOBALS {
        if matches.value_source(id) == Some(ValueSource::CommandLine) {
            return Err(ApiError::bad_request(why));
        }
    }
    let mut cli = Cli::from_arg_matches(&matches).map_err(usage)?;
    let from_env = |id: &str| matches.value_source(id) == Some(ValueSource::EnvVariable);
    if from_env("doc") {
        cli.globals.doc = None;
    }
    if from_env("date") {
        cli.globals.date = None;
    }
    cli.globals.store = None;
    cli.globals.server = None;
    cli.globals.color = crate::cli::ColorChoice::Never;
    cli.globals.actor = caller.participant().map(|p| p.handle.clone());
    Ok(Parsed::Cli(Box::new(cli)))
}

/// A command line clap refused: a 400 with clap's message (exit 2, as in the terminal).
fn usage(e: clap::Error) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        exit: 2,
        message: e.to_string().trim_end().to_string(),
        version: None,
    }
}

impl crate::error::CliError {
    /// Exit code 2 is always the command line's fault.
    fn with_kind_for_usage(self) -> Self {
        if self.code == 2 {
            self.with_kind(ErrorKind::Usage)
        } else {
            self
        }
    }
}
