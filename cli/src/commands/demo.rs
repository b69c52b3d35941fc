//! `travaux demo` (the example negotiation, built into the binary) and `travaux run SCRIPT`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser};
use travaux_store::Store;

use crate::cli::{dispatch, Cli, Globals};
use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult};
use crate::script;

/// The example negotiation, as a user would write it: drafts and a script.
const EXAMPLE: &[(&str, &str)] = &[
    (
        "negotiation.travaux",
        include_str!("../../../examples/who-code/negotiation.travaux"),
    ),
    (
        "drafts/2008-08-secretariat-draft.md",
        include_str!("../../../examples/who-code/drafts/2008-08-secretariat-draft.md"),
    ),
    (
        "participants.csv",
        include_str!("../../../examples/who-code/participants.csv"),
    ),
    (
        "drafts/2009-01-eb124.md",
        include_str!("../../../examples/who-code/drafts/2009-01-eb124.md"),
    ),
    (
        "drafts/2010-01-eb126.md",
        include_str!("../../../examples/who-code/drafts/2010-01-eb126.md"),
    ),
];

/// A file in a demo store's directory that marks it as one `demo` may replace.
const DEMO_MARKER: &str = "TRAVAUX-DEMO";

/// Arguments of `demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Print only the final text, not each command as it runs
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The script: one travaux command line per line (without `travaux`); `#` starts a comment
    pub script: PathBuf,
    /// Print each command line before its output
    #[arg(long)]
    pub echo: bool,
}

/// Run the example negotiation into a fresh store (default `./travaux-demo`).
pub fn demo(globals: &Globals, args: &DemoArgs, out: &mut dyn Write) -> CliResult {
    let location = match &globals.store {
        Some(_) => globals.store_location(),
        None => travaux_store::Location::Dir(PathBuf::from("travaux-demo")),
    };
    let store = match &location {
        travaux_store::Location::Dir(path) => {
            if path.exists() {
                if path.join(DEMO_MARKER).is_file() {
                    std::fs::remove_dir_all(path)?;
                } else if path
                    .read_dir()
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true)
                {
                    return Err(CliError::refused(format!(
                        "{} exists and is not a demo store; remove it or pass --store NEW_DIR",
                        path.display()
                    )));
                }
            }
            let (store, _) = Store::create(&location)?;
            std::fs::write(
                path.join(DEMO_MARKER),
                "made by `travaux demo`; the next demo replaces it\n",
            )?;
            store
        }
        travaux_store::Location::Postgres(_) => {
            let (store, _) = Store::create(&location)?;
            if store.head().0 > 0 {
                return Err(CliError::refused(format!(
                    "the store {location} already holds events; the demo writes into an empty store"
                )));
            }
            store
        }
    };
    let inputs = Inputs::Embedded(EXAMPLE);
    let mut ctx = Ctx::new(&store, globals.clone(), out, &inputs);
    let lines = script::parse("negotiation.travaux", EXAMPLE[0].1)?;
    run_lines(
        &mut ctx,
        "negotiation.travaux",
        &lines,
        !args.quiet && !globals.json,
        true,
    )?;
    let (head, hash) = store.head();
    if globals.json {
        return ctx.json(&serde_json::json!({
            "store": location.to_string(), "events": head, "head_hash": hash.to_string(),
        }));
    }
    let store_arg = shell_word(&location.to_string());
    ctx.line("")?;
    ctx.line(format_args!(
        "== The text adopted as WHA63.16 ({head} events recorded in {location}) =="
    ))?;
    let show = Cli::try_parse_from(["travaux", "show", "--at", "WHA63.16"])
        .map_err(|e| CliError::refused(e.to_string()))?;
    dispatch(&mut ctx, &show.command)?;
    for (title, args) in [
        (
            "The committee's dashboard when the drafting committee reported",
            &["travaux", "status", "--at", "drafting-committee-report"][..],
        ),
        (
            "Who reported in each reporting round",
            &["travaux", "participation", "--kind", "reporting-round"][..],
        ),
    ] {
        ctx.line("")?;
        ctx.line(format_args!("== {title} =="))?;
        let cmd = Cli::try_parse_from(args).map_err(|e| CliError::refused(e.to_string()))?;
        dispatch(&mut ctx, &cmd.command)?;
    }
    ctx.line("")?;
    ctx.line("(travaux is target/release/travaux after `cargo run --release`; `cargo install --path cli` puts it on your PATH)")?;
    ctx.line("== What next ==")?;
    for (cmd, what) in [
        (
            "show --at first-draft",
            "the Secretariat's first draft, August 2008",
        ),
        (
            "show --at EB124/13 --clause 'Article 5'",
            "one article as the Executive Board saw it",
        ),
        (
            "log --clause 5.2",
            "every event that touched the compensation clause",
        ),
        (
            "amend list --all",
            "the amendments of the drafting committee and their fate",
        ),
        (
            "show --at 2010-05-19",
            "the text on the evening the drafting committee met",
        ),
        (
            "import --dry-run examples/who-code/drafts/2010-01-eb126.md",
            "how a draft's clauses match the text",
        ),
        (
            "diff EB126/8 WHA63.16",
            "what the drafting committee changed, word by word",
        ),
        (
            "blame 5.2 --at WHA63.16",
            "who wrote each word of the compensation clause",
        ),
        (
            "log -S compensat",
            "when \"compensation\" left the text, and on whose draft",
        ),
        (
            "phase list",
            "the hearing, the consultations, the sessions and the rounds",
        ),
        (
            "questions Q4",
            "what States answered on compensation in 2009, by position",
        ),
        (
            "brackets --all",
            "the words disputed in the drafting committee and their fate",
        ),
        (
            "log --phase P5",
            "everything that happened in the drafting committee",
        ),
        ("verify", "prove the record unaltered"),
    ] {
        ctx.line(format_args!(
            "  travaux --store {store_arg} {cmd:<58} # {what}"
        ))?;
    }
    Ok(())
}

fn shell_word(s: &str) -> String {
    shlex::try_quote(s)
        .map(|q| q.into_owned())
        .unwrap_or_else(|_| s.to_string())
}

/// Run a script file against the open store.
pub fn run_script(ctx: &mut Ctx<'_>, args: &RunArgs) -> CliResult {
    if ctx.globals.event_id.is_some() || ctx.globals.expect_version.is_some() {
        return Err(CliError::refused(
            "--event-id and --expect-version name one write: give them on the script's lines, not to `run`",
        ));
    }
    let bytes = ctx.inputs.read(&args.script, 4 << 20)?;
    let name = args.script.display().to_string();
    let source = String::from_utf8(bytes)
        .map_err(|_| CliError::refused(format!("{name} is not UTF-8 text")))?;
    let lines = script::parse(&name, &source)?;
    let dir = args
        .script
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let inputs = Inputs::Dir(dir);
    let mut inner = Ctx::new(ctx.store, ctx.globals.clone(), &mut *ctx.out, &inputs);
    run_lines(&mut inner, &name, &lines, args.echo, false)
}

/// Run parsed lines one by one; stop at the first failure, naming its line.
fn run_lines(
    ctx: &mut Ctx<'_>,
    name: &str,
    lines: &[script::Line],
    echo: bool,
    quiet_output: bool,
) -> CliResult {
    for line in lines {
        let words = std::iter::once("travaux".to_string()).chain(line.words.iter().cloned());
        let cli = Cli::try_parse_from(words).map_err(|e| {
            let msg = e.to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            CliError::refused(format!("{name}:{}: {first}", line.number))
        })?;
        if cli.globals.store.is_some() {
            return Err(CliError::refused(format!(
                "{name}:{}: --store cannot change inside a script",
                line.number
            )));
        }
        if matches!(cli.command, crate::cli::Command::Run(_)) {
            return Err(CliError::refused(format!(
                "{name}:{}: a script cannot run another script",
                line.number
            )));
        }
        if echo {
            writeln!(ctx.out, "$ travaux {}", line.text)?;
        }
        let mut sink = std::io::sink();
        // What the line says wins; what `run` was given is the default.
        let globals = Globals {
            json: cli.globals.json || ctx.globals.json,
            actor: cli.globals.actor.clone().or(ctx.globals.actor.clone()),
            doc: cli.globals.doc.clone().or(ctx.globals.doc.clone()),
            date: cli.globals.date.clone().or(ctx.globals.date.clone()),
            color: if cli.globals.color == crate::cli::ColorChoice::Auto {
                ctx.globals.color
            } else {
                cli.globals.color
            },
            ..cli.globals.clone()
        };
        let out: &mut dyn Write = if echo || !quiet_output {
            &mut *ctx.out
        } else {
            &mut sink
        };
        let mut line_ctx = Ctx::new(ctx.store, globals, out, ctx.inputs);
        dispatch(&mut line_ctx, &cli.command).map_err(|e| CliError {
            code: e.code,
            message: format!("{name}:{}: {}", line.number, e.message),
            kind: e.kind,
        })?;
        ctx.out.flush()?;
    }
    Ok(())
}
