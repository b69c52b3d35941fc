//! The help people read: the command line as clap derives it from `cli.rs`, with one or two
//! examples under each subcommand's `--help`, and the options only writes take (`--as`,
//! `--date`, `--expect-version`, `--event-id`) shown in the help of the commands that write
//! rather than everywhere. They stay global: scripts write them before the subcommand.
//! Completions and man pages are made from the same description.

use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// The global options that only matter to a command that writes (by their ids).
const WRITE_ONLY: [&str; 4] = ["actor", "date", "expect_version", "event_id"];

/// The subcommands that write (or may: `tag NAME`, `comment TEXT`), by their words; their help
/// shows the write-only options.
const WRITES: [&str; 34] = [
    "run",
    "doc new",
    "doc visibility",
    "participant add",
    "participant import",
    "role grant",
    "role revoke",
    "import",
    "renumber",
    "amend propose",
    "amend alternative",
    "amend support",
    "amend oppose",
    "amend withdraw",
    "decide",
    "comment",
    "comment add",
    "tag",
    "tag add",
    "tag withdraw",
    "comment retract",
    "phase open",
    "phase close",
    "question",
    "report",
    "agree",
    "reopen",
    "bracket",
    "lift",
    "adopt",
    "token issue",
    "token revoke",
    "admin grant",
    "admin revoke",
];

/// One or two examples per subcommand, by its words.
const EXAMPLES: &[(&str, &str)] = &[
    ("init", "travaux init\n  travaux --store /srv/code.travaux init"),
    ("demo", "travaux demo\n  travaux --store who demo --quiet && travaux --store who status"),
    ("run", "travaux run negotiation.travaux\n  travaux --as secretariat run session-3.travaux"),
    ("doc new", "travaux --as secretariat doc new who-code --title \"WHO Global Code of Practice\""),
    ("doc list", "travaux doc list\n  travaux --json doc list"),
    ("doc visibility", "travaux --as secretariat --doc who-code doc visibility members"),
    ("participant add", "travaux participant add brazil --name Brazil --kind member-state\n  travaux --as secretariat participant add psi --name \"Public Services International\" --kind ngo"),
    ("participant import", "travaux --as secretariat participant import participants.csv"),
    ("participant list", "travaux participant list"),
    ("role grant", "travaux --as secretariat role grant brazil delegate\n  travaux --as secretariat role grant chair chair"),
    ("role revoke", "travaux --as secretariat role revoke brazil delegate"),
    ("role list", "travaux role list"),
    ("import", "travaux --as secretariat import drafts/draft-2.md --revision \"Revised draft\"\n  travaux --as secretariat import draft.docx --dry-run"),
    ("renumber", "travaux --as secretariat renumber --dry-run\n  travaux --as secretariat renumber --references"),
    ("show", "travaux show\n  travaux show --at WHA63.16 --clause 5.1 --format markdown"),
    ("amend propose", "travaux --as usa amend propose --replace 2.1 --text \"The Code is voluntary.\" --rationale \"A code cannot bind\"\n  travaux --as eu amend propose --in 9.4 --replace \"three years\" --by \"five years\""),
    ("amend alternative", "travaux --as usa amend alternative B1 \"periodically\""),
    ("amend support", "travaux --as canada amend support A1"),
    ("amend oppose", "travaux --as kenya amend oppose A1"),
    ("amend withdraw", "travaux --as brazil amend withdraw A6"),
    ("amend list", "travaux amend list\n  travaux amend list --all --json"),
    ("decide", "travaux --as chair decide A1 --accept\n  travaux --as chair decide A2 --accept-as-modified \"strongly encouraged\""),
    ("comment", "travaux --as psi comment \"The prohibition must stay.\" --clause 4.6 --position support\n  travaux comment list --clause 4.6"),
    ("comments", "travaux comments\n  travaux comments --clause 5.2 --limit 20 --after C40\n  travaux comments --question Q1 --phase P2 --json"),
    ("tag", "travaux --as secretariat tag WHA63.16\n  travaux tag list"),
    ("log", "travaux log --clause 5.1 -p\n  travaux log --participant usa --kind amendment_proposed --since 2010-05-01"),
    ("diff", "travaux diff first-draft WHA63.16\n  travaux diff D1 --clause 5.1 --stat"),
    ("blame", "travaux blame 5.1\n  travaux blame --at WHA63.16 --summary"),
    ("replay", "travaux replay --from first-draft --to WHA63.16\n  travaux --server http://127.0.0.1:7070 replay --follow"),
    ("export git", "travaux export git who-code.git\n  cd who-code.git && git log --stat"),
    ("generate", "travaux --store big generate --events 1000000"),
    ("admin grant", "travaux admin grant secretariat\n  travaux --as secretariat admin grant chair"),
    ("admin revoke", "travaux --as secretariat admin revoke chair"),
    ("admin list", "travaux admin list\n  travaux --json admin list"),
    ("checkpoint", "travaux checkpoint > checkpoint-wha63.json\n  travaux verify --checkpoint checkpoint-wha63.json --key PUBKEY"),
    ("checkpoint list", "travaux checkpoint list\n  travaux --json checkpoint list"),
    ("checkpoint key export", "travaux checkpoint key export > checkpoint.key.backup"),
    ("checkpoint key import", "travaux --store restored checkpoint key import checkpoint.key.backup"),
    ("checkpoint pubkey", "travaux checkpoint pubkey"),
    ("restore", "travaux --store restored restore backup.jsonl\n  travaux --server https://travaux.example export jsonl | travaux --store copy restore -"),
    ("export akn", "travaux export akn --at WHA63.16 -o who-code.akn.xml\n  xmllint --noout --schema akomantoso30.xsd who-code.akn.xml"),
    ("export docx", "travaux export docx --at WHA63.16 -o who-code.docx\n  travaux export docx --compare first-draft WHA63.16 -o comparative.docx"),
    ("export csv", "travaux export csv -o amendments.csv\n  travaux export csv | column -s, -t"),
    ("export jsonl", "travaux export jsonl -o backup.jsonl\n  travaux --server http://127.0.0.1:7070 export jsonl -o backup.jsonl"),
    ("phase open", "travaux --as secretariat phase open public-hearing \"Hearing on the draft\" --from 2008-09-01 --until 2008-10-05"),
    ("phase close", "travaux --as secretariat phase close P1"),
    ("phase list", "travaux phase list"),
    ("question", "travaux --as secretariat question \"Should the Code be voluntary?\" --clause 2.1"),
    ("questions", "travaux questions\n  travaux questions Q3 --limit 20\n  travaux questions Q3 --after C120 --json"),
    ("report", "travaux --as brazil report \"National report on the implementation of the Code.\"\n  travaux --as brazil report --file report-2015.md"),
    ("participation", "travaux participation\n  travaux participation --kind reporting"),
    ("agree", "travaux --as chair agree 2.1\n  travaux --as chair agree 5.2 --ad-referendum"),
    ("reopen", "travaux --as chair reopen 2.1"),
    ("bracket", "travaux --as eu bracket 9.4 \"every three years\""),
    ("lift", "travaux --as chair lift B2"),
    ("brackets", "travaux brackets\n  travaux brackets --clause 9.4 --all"),
    ("adopt", "travaux --as chair adopt WHA63.16"),
    ("status", "travaux status\n  travaux status --at first-draft"),
    ("serve", "travaux serve --addr 0.0.0.0:7070"),
    ("token issue", "travaux --as secretariat token issue brazil"),
    ("token revoke", "travaux --as secretariat token revoke 1a2b3c4d"),
    ("token list", "travaux token list"),
    ("verify", "travaux verify\n  travaux --json verify"),
    ("rebuild", "travaux rebuild && travaux verify"),
    ("compact", "travaux compact"),
    ("completions", "travaux completions bash > ~/.local/share/bash-completion/completions/travaux\n  travaux completions zsh > ~/.zfunc/_travaux"),
    ("man", "travaux man --dir ~/.local/share/man/man1\n  travaux man | man -l -"),
];

/// The command line with its examples, and the write-only options shown only where they
/// apply.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    let write_only: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| WRITE_ONLY.contains(&a.get_id().as_str()))
        .cloned()
        .collect();
    for id in WRITE_ONLY {
        cmd = cmd.mut_arg(id, |a| a.hide(true));
    }
    for words in WRITES {
        cmd = at(cmd, words, &mut |sub| {
            write_only.iter().fold(sub, |sub, arg| {
                sub.arg(arg.clone().hide(false).help_heading("Options of a write"))
            })
        });
    }
    for (words, examples) in EXAMPLES {
        cmd = at(cmd, words, &mut |sub| {
            sub.after_help(format!("Examples:\n  {examples}"))
        });
    }
    cmd.after_help(
        "Examples:\n  travaux demo && travaux show --at WHA63.16\n  travaux --as brazil comment \"Keep the obligation.\" --clause 5.2\n\nThe options of commands that write (--as, --date, --expect-version, --event-id) are in their help (`travaux comment --help`); they may come before the command.",
    )
}

/// Change the subcommand these words name.
fn at(
    cmd: clap::Command,
    words: &str,
    change: &mut dyn FnMut(clap::Command) -> clap::Command,
) -> clap::Command {
    match words.split_once(' ') {
        None => cmd.mut_subcommand(words, change),
        Some((first, rest)) => cmd.mut_subcommand(first, |sub| at(sub, rest, change)),
    }
}

/// Parse the process's arguments against [`command`].
pub fn parse() -> Result<Cli, clap::Error> {
    let matches: ArgMatches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// A command line clap refused (or `--help`, `--version`): print it as clap does, or with
/// `--json` on the command line, as `{"exit": 2, "error": MESSAGE}` on stderr.
pub fn usage_error(e: clap::Error) -> std::process::ExitCode {
    let json = std::env::args_os().skip(1).any(|a| a == "--json");
    if !e.use_stderr() || !json {
        let _ = e.print();
        return std::process::ExitCode::from(e.exit_code() as u8);
    }
    let message = e.render().to_string();
    let message = message.trim().trim_start_matches("error: ");
    crate::cli::report_error(true, message, e.exit_code() as u8);
    std::process::ExitCode::from(e.exit_code() as u8)
}

#[cfg(test)]
mod tests {
    use super::{command, EXAMPLES, WRITES};

    #[test]
    fn every_subcommand_named_here_exists_and_the_command_line_is_well_formed() {
        // `mut_subcommand` panics on a name it does not know.
        command().debug_assert();
        assert!(!WRITES.is_empty() && !EXAMPLES.is_empty());
    }

    #[test]
    fn every_leaf_subcommand_has_examples() {
        fn walk(cmd: &clap::Command, words: Vec<&str>, missing: &mut Vec<String>) {
            let name = words.join(" ");
            let has = cmd.get_after_help().is_some();
            let leaf = !cmd.has_subcommands() || cmd.is_args_conflicts_with_subcommands_set();
            if leaf && !has && !words.is_empty() {
                missing.push(name);
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                let mut w = words.clone();
                w.push(sub.get_name());
                walk(sub, w, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&command(), Vec::new(), &mut missing);
        assert!(
            missing.is_empty(),
            "no examples in the help of: {missing:?}"
        );
    }
}
