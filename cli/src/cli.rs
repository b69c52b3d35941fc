//! The command line: global options, the subcommands, and the one dispatch.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands;
use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult, ErrorKind};
use crate::globals::Globals;

/// Record and query the negotiation of a text: drafts, amendments, comments and decisions in
/// one append-only log.
#[derive(Parser, Debug)]
#[command(name = "travaux", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create an empty store
    Init(commands::init::InitArgs),
    /// Run the example negotiation (the WHO Code of Practice, 2008-2010) into a fresh store
    Demo(commands::demo::DemoArgs),
    /// Run a script of travaux commands, one per line, against the store
    Run(commands::demo::RunArgs),
    /// Create and list documents
    #[command(subcommand)]
    Doc(commands::doc::DocCommand),
    /// Register and list participants
    #[command(subcommand)]
    Participant(commands::participant::ParticipantCommand),
    /// Grant, revoke and list the store's administrators (who register participants, create
    /// documents, issue tokens and compact)
    #[command(subcommand)]
    Admin(commands::admin::AdminCommand),
    /// Grant, revoke and list roles in a document
    #[command(subcommand)]
    Role(commands::role::RoleCommand),
    /// Record a draft (Markdown, Word or Akoma Ntoso) as a revision of the document
    Import(commands::import::ImportArgs),
    /// Put the labels in sequence at each level, listing or rewriting cross-references
    /// (secretariat)
    Renumber(commands::renumber::RenumberArgs),
    /// Show the text as it stands, or as it stood at any point
    Show(commands::show::ShowArgs),
    /// Propose, support, oppose, withdraw and list amendments
    #[command(subcommand)]
    Amend(commands::amend::AmendCommand),
    /// Record the committee's decision on an amendment (chair)
    Decide(commands::amend::DecideArgs),
    /// Comment on a clause or the whole document (`comment TEXT`, `comment add TEXT`), list
    /// the comments (`comment list`), or retract your own (`comment retract C12`)
    Comment(commands::comment::CommentArgs),
    /// Summarise the comments and answers (by position, participant kind, clause, phase, day
    /// and question), then list a page of them in full, oldest first
    Comments(commands::comments::CommentsArgs),
    /// Name the current point (or another) of the document's history (`tag NAME`, `tag add
    /// NAME`), list the tags (`tag`, `tag list`), withdraw one set by mistake (`tag withdraw
    /// NAME`), or tell every tag set and withdrawn (`tag history`)
    Tag(commands::tag::TagArgs),
    /// The events of a document, oldest first
    Log(commands::log::LogArgs),
    /// How the text changed between two points
    Diff(commands::diff::DiffArgs),
    /// Who wrote each word of a clause, and on which amendment or revision
    Blame(commands::blame::BlameArgs),
    /// The negotiation told event by event, each with its effect
    Replay(commands::replay::ReplayArgs),
    /// Export the document's history elsewhere (git), or its text as Akoma Ntoso (akn)
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Generate a realistic negotiation history of a given size (for benchmarks)
    Generate(commands::generate::GenerateArgs),
    /// Open, close and list the phases of the process (public hearing, consultations, sessions, review, reporting rounds)
    #[command(subcommand)]
    Phase(commands::phase::PhaseCommand),
    /// Pose a consultation question (secretariat)
    Question(commands::question::QuestionArgs),
    /// Summarise the answers to each consultation question; with one question, its whole
    /// summary and a page of its answers in full
    Questions(commands::question::QuestionsArgs),
    /// Submit a report in the open reporting round
    Report(commands::report::ReportArgs),
    /// Take in a consultation's responses in bulk, as a web form exports them (secretariat)
    #[command(subcommand)]
    Responses(commands::responses::ResponsesCommand),
    /// Who took part in each phase and reporting round, by participant kind
    Participation(commands::participation::ParticipationArgs),
    /// Record a clause as agreed, or agreed ad referendum (chair)
    Agree(commands::agree::AgreeArgs),
    /// Reopen an agreed clause (chair)
    Reopen(commands::agree::ReopenArgs),
    /// Put disputed words of a clause in square brackets (delegate)
    Bracket(commands::bracket::BracketArgs),
    /// Lift a bracket, keeping the words as drafted (chair)
    Lift(commands::bracket::LiftArgs),
    /// List the open brackets per clause, with their alternatives and who holds them
    Brackets(commands::bracket::BracketsArgs),
    /// Adopt the text under the resolution's symbol, freezing it (chair)
    Adopt(commands::adopt::AdoptArgs),
    /// The committee's dashboard: per clause its status, pending amendments, brackets, comments
    Status(commands::status::StatusArgs),
    /// Serve the store to a whole committee over HTTP (JSON API, live event streams)
    Serve(commands::serve::ServeArgs),
    /// Issue, revoke and list the bearer tokens the server accepts
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// Walk the hash chain and report the first event that does not match; with --checkpoint,
    /// check that the store (or an export) extends a signed checkpoint
    Verify(commands::checkpoint::VerifyArgs),
    /// Sign the head of the log with the store's key (a checkpoint an observer can verify);
    /// list the checkpoints; print the public key
    Checkpoint(commands::checkpoint::CheckpointArgs),
    /// Build a new store from a JSON Lines export (`export jsonl`), checking its hash chain
    Restore(commands::jsonl::RestoreArgs),
    /// Delete the read models and rebuild them from the log
    Rebuild,
    /// Write the store again into a new one that takes its place: about the size of what it
    /// holds, and faster to open (sled never shrinks its file)
    Compact,
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish)
    Completions(commands::completions::CompletionsArgs),
    /// Print the man page travaux(1), or write it and one page per subcommand into a directory
    Man(commands::completions::ManArgs),
}

/// Parse the process's arguments, run, and turn the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = match crate::help::parse() {
        Ok(cli) => cli,
        Err(e) => return crate::help::usage_error(e),
    };
    // A server logs its requests; a command logs only what went wrong.
    init_tracing(if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    });
    let stdout = std::io::stdout();
    let mut pager = crate::pager::Pager::start(&cli);
    let result = match pager.as_mut() {
        Some(pager) => {
            let out = pager.input();
            let result = run(&cli, out, &Inputs::Cwd);
            let _ = out.flush();
            result
        }
        None => {
            let mut out = stdout.lock();
            let result = run(&cli, &mut out, &Inputs::Cwd);
            let _ = out.flush();
            result
        }
    };
    if let Some(pager) = pager {
        pager.finish();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`travaux log | head`) is not a failure.
        Err(e) if e.code == 0 => ExitCode::SUCCESS,
        Err(e) => {
            report_error(cli.globals.json, &e.message, e.code);
            ExitCode::from(e.code)
        }
    }
}

/// Tell what went wrong on stderr: `error: MESSAGE`, or with `--json` the server's error body,
/// `{"exit": CODE, "error": MESSAGE}`, on one line.
pub fn report_error(json: bool, message: &str, code: u8) {
    if json {
        eprintln!("{}", serde_json::json!({ "exit": code, "error": message }));
    } else {
        eprintln!("error: {message}");
    }
}

fn init_tracing(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRAVAUX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// Run one parsed command line, opening the store it names.
pub fn run(cli: &Cli, out: &mut dyn Write, inputs: &Inputs) -> CliResult {
    match &cli.command {
        Command::Init(args) => commands::init::run(&cli.globals, args, out),
        Command::Completions(args) => commands::completions::completions(args, out),
        Command::Man(args) => commands::completions::man(args, cli.globals.json, out),
        Command::Demo(args) => commands::demo::demo(&cli.globals, args, out),
        Command::Serve(args) => commands::serve::run(&cli.globals, args, out),
        Command::Restore(args) => commands::jsonl::restore(&cli.globals, args, out),
        Command::Verify(args) if args.export.is_some() => {
            commands::checkpoint::verify_export(&cli.globals, args, out)
        }
        _ if cli.globals.server.is_some() => {
            crate::client::run(cli, cli.globals.server.as_deref().unwrap_or_default(), out)
        }
        command => {
            let at = cli.globals.store_location();
            // A server holding the store takes the command on its local socket.
            if let Some(socket) = at.dir().and_then(crate::client::local::reach) {
                return crate::client::run_local(cli, socket, out);
            }
            if let Command::Compact = command {
                return commands::compact::run(&cli.globals, out);
            }
            // `verify` opens a damaged store too, to tell what it holds.
            let store = if matches!(command, Command::Verify(_)) {
                travaux_store::Store::open_to_verify(&at)?
            } else {
                travaux_store::Store::open(&at)?
            };
            // A panic inside the storage engine (a damaged file it cannot read) is damage,
            // exit 4, not a crash.
            let mut answer = Ok(());
            let ran = travaux_store::catch(|| {
                let mut ctx = Ctx::new(&store, cli.globals.clone(), out, inputs);
                answer = dispatch(&mut ctx, command);
                Ok(())
            });
            if let Err(e) = ran {
                // Whatever sled holds may panic again when dropped: leave it to the exit.
                std::mem::forget(store);
                return Err(e.into());
            }
            travaux_store::catch(|| store.close_for_exit())?;
            answer
        }
    }
}

/// Run a command on an open store.
pub fn dispatch(ctx: &mut Ctx<'_>, command: &Command) -> CliResult {
    ctx.request = request(ctx, command)?;
    if command.writes() && answer_retry(ctx)? {
        return Ok(());
    }
    match run_command(ctx, command) {
        // Another process or request with the same --event-id wrote it between the look above
        // and the writer lock: answered as the retry it is, so only the writer says it wrote.
        Err(e) if e.kind == ErrorKind::AlreadyRecorded => {
            if answer_retry(ctx)? {
                Ok(())
            } else {
                Err(CliError::damaged(
                    "the store answered that the --event-id was recorded, but the log does not hold it",
                ))
            }
        }
        answer => answer,
    }
}

/// Run a command on an open store, without the retry check.
fn run_command(ctx: &mut Ctx<'_>, command: &Command) -> CliResult {
    match command {
        Command::Init(_) => Err(CliError::refused(
            "`init` cannot run inside a script: the store is already open",
        )),
        Command::Demo(_) => Err(CliError::refused("`demo` cannot run inside a script")),
        Command::Compact => Err(CliError::refused(
            "`compact` cannot run inside a script: it replaces the store the script has open",
        )),
        Command::Restore(_) => Err(CliError::refused(
            "`restore` cannot run inside a script: it builds a new store",
        )),
        Command::Run(args) => commands::demo::run_script(ctx, args),
        Command::Completions(args) => commands::completions::completions(args, ctx.out),
        Command::Man(args) => commands::completions::man(args, ctx.globals.json, ctx.out),
        Command::Doc(c) => commands::doc::run(ctx, c),
        Command::Participant(c) => commands::participant::run(ctx, c),
        Command::Admin(c) => commands::admin::run(ctx, c),
        Command::Role(c) => commands::role::run(ctx, c),
        Command::Import(a) => commands::import::run(ctx, a),
        Command::Renumber(a) => commands::renumber::run(ctx, a),
        Command::Show(a) => commands::show::run(ctx, a),
        Command::Amend(c) => commands::amend::run(ctx, c),
        Command::Decide(a) => commands::amend::decide(ctx, a),
        Command::Comment(a) => commands::comment::run(ctx, a),
        Command::Comments(a) => commands::comments::run(ctx, a, "comments"),
        Command::Tag(a) => commands::tag::run(ctx, a),
        Command::Log(a) => commands::log::run(ctx, a),
        Command::Diff(a) => commands::diff::run(ctx, a),
        Command::Blame(a) => commands::blame::run(ctx, a),
        Command::Replay(a) => commands::replay::run(ctx, a),
        Command::Export(c) => commands::export::run(ctx, c),
        Command::Generate(a) => commands::generate::run(ctx, a),
        Command::Phase(c) => commands::phase::run(ctx, c),
        Command::Question(a) => commands::question::pose(ctx, a),
        Command::Questions(a) => commands::question::list(ctx, a),
        Command::Report(a) => commands::report::run(ctx, a),
        Command::Responses(c) => commands::responses::run(ctx, c),
        Command::Participation(a) => commands::participation::run(ctx, a),
        Command::Agree(a) => commands::agree::agree(ctx, a),
        Command::Reopen(a) => commands::agree::reopen(ctx, a),
        Command::Bracket(a) => commands::bracket::bracket(ctx, a),
        Command::Lift(a) => commands::bracket::lift(ctx, a),
        Command::Brackets(a) => commands::bracket::list(ctx, a),
        Command::Adopt(a) => commands::adopt::run(ctx, a),
        Command::Status(a) => commands::status::run(ctx, a),
        Command::Serve(_) => Err(CliError::refused("`serve` cannot run inside a script")),
        Command::Token(c) => commands::token::run(ctx, c),
        Command::Verify(a) if a.export.is_some() => {
            commands::checkpoint::verify_export(&ctx.globals, a, ctx.out)
        }
        Command::Verify(a) if a.checkpoint.is_some() => commands::checkpoint::verify_store(ctx, a),
        Command::Verify(_) => commands::verify::verify(ctx),
        Command::Checkpoint(a) => commands::checkpoint::run(ctx, a),
        Command::Rebuild => commands::verify::rebuild(ctx),
    }
}

/// The canonical form of a request, fingerprinted with its event id: who acts, on which
/// document, the command as parsed, and the content of the file it reads. A retry is the same
/// request; the same event id with another request is refused.
fn request(ctx: &Ctx<'_>, command: &Command) -> CliResult<String> {
    // The file's content only matters to recognise a retry, which needs an --event-id: without
    // one, the command reads its file once, itself.
    let input = match command {
        _ if ctx.globals.event_id.is_none() => None,
        Command::Import(a) => Some(&a.file),
        Command::Run(a) => Some(&a.script),
        Command::Participant(commands::participant::ParticipantCommand::Import { file }) => {
            Some(file)
        }
        Command::Report(a) => a.file.as_ref(),
        Command::Responses(commands::responses::ResponsesCommand::Import(a)) => Some(&a.file),
        _ => None,
    };
    let digest = match input {
        Some(path) => travaux_store::fingerprint(&ctx.inputs.read(path, 64 << 20)?).to_string(),
        None => String::new(),
    };
    Ok(format!(
        "{}|{}|{command:?}|{digest}",
        ctx.globals.actor.as_deref().unwrap_or(""),
        ctx.globals.doc.as_deref().unwrap_or("")
    ))
}

/// With `--event-id` already in the log: answer the retry from the log, before any work that
/// could differ now (labels resolved, drafts planned). `true` if answered.
fn answer_retry(ctx: &mut Ctx<'_>) -> CliResult<bool> {
    let Some(id) = ctx.globals.event_id else {
        return Ok(false);
    };
    let Some((events, request)) = ctx.store.recorded(travaux_core::EventId(id))? else {
        return Ok(false);
    };
    if request != travaux_store::fingerprint(ctx.request.as_bytes()) {
        return Err(travaux_store::StoreError::DuplicateEventId(travaux_core::EventId(id)).into());
    }
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    tracing::info!(?seqs, "a retry of a recorded write; nothing written");
    if ctx.globals.json {
        ctx.json(&serde_json::json!({ "duplicate": true, "seqs": seqs, "events": events }))?;
    } else {
        let (first, last) = (seqs[0], seqs[seqs.len() - 1]);
        let at = if first == last {
            format!("event {first}")
        } else {
            format!("events {first}-{last}")
        };
        ctx.line(format_args!(
            "already recorded as {at} (a retry with the same --event-id); nothing written"
        ))?;
    }
    Ok(true)
}

impl Command {
    /// Whether the command writes to the log.
    pub fn writes(&self) -> bool {
        use commands::role::RoleCommand;
        use commands::{amend::AmendCommand, doc::DocCommand, participant::ParticipantCommand};
        match self {
            Command::Doc(DocCommand::New { .. } | DocCommand::Visibility { .. })
            | Command::Participant(
                ParticipantCommand::Add { .. } | ParticipantCommand::Import { .. },
            )
            | Command::Role(RoleCommand::Grant { .. } | RoleCommand::Revoke { .. })
            | Command::Decide(_)
            | Command::Question(_)
            | Command::Report(_)
            | Command::Responses(_)
            | Command::Agree(_)
            | Command::Reopen(_)
            | Command::Bracket(_)
            | Command::Lift(_)
            | Command::Adopt(_) => true,
            Command::Phase(p) => p.writes(),
            Command::Token(t) => t.writes(),
            Command::Admin(a) => a.writes(),
            Command::Amend(a) => !matches!(a, AmendCommand::List { .. }),
            Command::Import(a) => !a.dry_run,
            Command::Renumber(a) => !a.dry_run,
            Command::Tag(a) => a.writes(),
            Command::Comment(a) => a.writes(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_readme_role_table_is_the_one_the_code_enforces() {
        let readme = include_str!("../../README.md");
        for (action, roles) in travaux_core::role_table() {
            let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
            let row = format!("| {action} | {} |", names.join(", "));
            assert!(readme.contains(&row), "README lacks the row `{row}`");
        }
    }
}
