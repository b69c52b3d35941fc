//! `travaux amend propose|alternative|support|oppose|withdraw|list` and `travaux decide`.

use clap::{ArgGroup, Args, Subcommand};
use travaux_core::words::{WordAction, WordEdit};
use travaux_core::{
    AmendmentNo, BracketNo, Change, ClauseId, Command, DocumentState, Event, Method, Outcome,
};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render::{self, Names};

/// Amendment subcommands.
#[derive(Subcommand, Debug)]
pub enum AmendCommand {
    /// Propose an amendment (delegate)
    Propose(Box<ProposeArgs>),
    /// Propose other words for bracketed text: an alternative (delegate); supporting it is
    /// holding it, accepting it resolves the bracket
    Alternative {
        /// The bracket: B2
        bracket: BracketNo,
        /// The words proposed in place of the bracketed ones ("" takes them out)
        text: String,
        /// Why
        #[arg(long)]
        rationale: Option<String>,
    },
    /// Support an amendment (delegate)
    Support {
        /// The amendment: A3
        amendment: AmendmentNo,
    },
    /// Oppose an amendment (delegate)
    Oppose {
        /// The amendment: A3
        amendment: AmendmentNo,
    },
    /// Withdraw your own amendment
    Withdraw {
        /// The amendment: A3
        amendment: AmendmentNo,
    },
    /// List the amendments awaiting a decision (all of them with --all)
    List {
        /// Also the decided and withdrawn ones
        #[arg(long)]
        all: bool,
    },
}

/// Arguments of `amend propose`: one of --replace, --insert, --delete, --move; with --in, a
/// change to some words of the clause.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("change").required(true).args(["replace", "insert", "delete", "move_clause"])))]
pub struct ProposeArgs {
    /// Change words of this clause (a label or path: 5.2, 5.1(b)) rather than the whole
    /// clause: with --replace WORDS --by NEW, --insert NEW --after WORDS (or --before WORDS),
    /// or --delete WORDS
    #[arg(long = "in", value_name = "CLAUSE")]
    pub in_clause: Option<String>,
    /// Replace the text of this clause (with --text); with --in, replace these words (with
    /// --by)
    #[arg(long, value_name = "CLAUSE|WORDS")]
    pub replace: Option<String>,
    /// Insert a new clause (with --label and --text, and --after or --parent to place it); with
    /// --in, insert these words (with --after or --before WORDS)
    #[arg(long, value_name = "WORDS", num_args = 0..=1)]
    pub insert: Option<Option<String>>,
    /// Delete this clause; with --in, delete these words
    #[arg(long, value_name = "CLAUSE|WORDS")]
    pub delete: Option<String>,
    /// Move this clause (with --after or --parent)
    #[arg(long = "move", value_name = "CLAUSE")]
    pub move_clause: Option<String>,
    /// The proposed wording
    #[arg(long)]
    pub text: Option<String>,
    /// The words that take the place of those of --replace (with --in)
    #[arg(long, value_name = "WORDS")]
    pub by: Option<String>,
    /// The new clause's label (with --insert)
    #[arg(long)]
    pub label: Option<String>,
    /// Place the clause after this one (under the same parent, unless --parent says otherwise);
    /// with --in --insert, the words to insert after
    #[arg(long, value_name = "CLAUSE|WORDS")]
    pub after: Option<String>,
    /// With --in --insert, the words to insert before
    #[arg(long, value_name = "WORDS", conflicts_with = "after")]
    pub before: Option<String>,
    /// Which occurrence of the words, from 1, when they occur more than once in the clause
    /// (with --in)
    #[arg(long, value_name = "N")]
    pub occurrence: Option<u32>,
    /// Place the clause under this one (first, unless --after says where)
    #[arg(long, value_name = "CLAUSE")]
    pub parent: Option<String>,
    /// Why
    #[arg(long)]
    pub rationale: Option<String>,
}

/// Arguments of `decide`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("outcome").required(true).args(["accept", "reject", "defer", "accept_as_modified"])))]
pub struct DecideArgs {
    /// The amendment: A3
    pub amendment: AmendmentNo,
    /// Accepted as proposed
    #[arg(long)]
    pub accept: bool,
    /// Accepted with this final wording
    #[arg(long, value_name = "TEXT")]
    pub accept_as_modified: Option<String>,
    /// Rejected
    #[arg(long)]
    pub reject: bool,
    /// Put off to a later decision
    #[arg(long)]
    pub defer: bool,
    /// Decided by vote: YES-NO-ABSTAIN, such as 58-31-12 [default: by consensus]
    #[arg(long, value_name = "Y-N-A", value_parser = parse_vote)]
    pub vote: Option<Method>,
    /// Reopen the agreed clause the amendment changes, in the same decision
    #[arg(long)]
    pub reopen: bool,
}

/// Read a tally, YES-NO-ABSTAIN, as a vote.
pub(crate) fn parse_vote(s: &str) -> Result<Method, String> {
    let parts: Vec<&str> = s.split('-').collect();
    let nums: Option<Vec<u32>> = parts.iter().map(|p| p.trim().parse().ok()).collect();
    match nums.as_deref() {
        Some([yes, no, abstain]) => Ok(Method::Vote {
            yes: *yes,
            no: *no,
            abstain: *abstain,
        }),
        _ => Err(format!(
            "'{s}' is not a tally; write YES-NO-ABSTAIN, such as 58-31-12"
        )),
    }
}

/// Run an amendment subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &AmendCommand) -> CliResult {
    let (command, verb) = match cmd {
        AmendCommand::Propose(args) => {
            let doc = ctx.document()?;
            let change = change(&doc, args)?;
            (
                Command::ProposeAmendment {
                    change,
                    rationale: args.rationale.clone(),
                },
                "proposed",
            )
        }
        AmendCommand::Alternative {
            bracket,
            text,
            rationale,
        } => {
            let doc = ctx.document()?;
            let clause = doc.bracket(*bracket)?.clause;
            (
                Command::ProposeAmendment {
                    change: Change::Alternative {
                        clause,
                        bracket: *bracket,
                        text: text.clone(),
                    },
                    rationale: rationale.clone(),
                },
                "proposed",
            )
        }
        AmendCommand::Support { amendment } => (Command::SupportAmendment(*amendment), "supported"),
        AmendCommand::Oppose { amendment } => (Command::OpposeAmendment(*amendment), "opposed"),
        AmendCommand::Withdraw { amendment } => {
            (Command::WithdrawAmendment(*amendment), "withdrew")
        }
        AmendCommand::List { all } => return list(ctx, *all),
    };
    let (doc, appended) = ctx.execute(command)?;
    let e = &appended.events[0];
    let no = match &e.event {
        travaux_core::Event::AmendmentProposed { amendment, .. }
        | travaux_core::Event::AmendmentSupported { amendment }
        | travaux_core::Event::AmendmentOpposed { amendment }
        | travaux_core::Event::AmendmentWithdrawn { amendment } => *amendment,
        other => {
            return Err(CliError::refused(format!(
                "event {} is a {}, not an amendment event: is --event-id reused?",
                e.seq,
                other.kind()
            )))
        }
    };
    let a = doc.amendment(no)?;
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "amendment": no.to_string(), "seq": e.seq, "status": a.status.name(),
            "change": a.change, "supporters": a.supporters.len(), "opposers": a.opposers.len(),
        }));
    }
    // An open alternative is numbered as `show` and `brackets` number it: Alt 2 onwards.
    let alt = match &a.change {
        Change::Alternative { bracket, .. } => doc
            .alternatives(*bracket)
            .position(|x| x.no == no)
            .map(|i| format!(", Alt {}", i + 2))
            .unwrap_or_default(),
        _ => String::new(),
    };
    ctx.line(format_args!(
        "{verb} {no}: {}{alt} (event {})",
        render::change(&doc, &a.change),
        e.seq
    ))?;
    if verb == "proposed" {
        marked(ctx, &doc, &a.change, "  ")?;
    }
    Ok(())
}

/// Under a word-level amendment, its words in the clause as it stands, struck and inserted
/// (or, once they are gone, that they are).
fn marked(ctx: &mut Ctx<'_>, doc: &DocumentState, change: &Change, indent: &str) -> CliResult {
    let Change::Words { clause, edit } = change else {
        return Ok(());
    };
    match render::words_marked(doc, *clause, edit, ctx.color()) {
        Some(line) => ctx.line(format_args!("{indent}{line}")),
        None => ctx.line(format_args!(
            "{indent}(its words are no longer in {})",
            doc.address_of(*clause)
        )),
    }
}

/// Run `decide`.
pub fn decide(ctx: &mut Ctx<'_>, args: &DecideArgs) -> CliResult {
    let outcome = if args.accept {
        Outcome::Accepted
    } else if let Some(text) = &args.accept_as_modified {
        Outcome::AcceptedAsModified { text: text.clone() }
    } else if args.reject {
        Outcome::Rejected
    } else {
        Outcome::Deferred
    };
    let method = args.vote.clone().unwrap_or(Method::Consensus);
    let (doc, appended) = ctx.execute(Command::RecordDecision {
        reopen: args.reopen,
        amendment: args.amendment,
        outcome: outcome.clone(),
        method: method.clone(),
    })?;
    // The events of one decision: the reopening of the clause (with --reopen), the decision,
    // and the rival alternatives rejected with it (when an alternative is accepted).
    let mut decision = None;
    let mut reopened = None;
    let mut rejected = Vec::new();
    for e in &appended.events {
        match &e.event {
            Event::AgreementRecorded { clause, .. } => reopened = Some((*clause, e.seq)),
            Event::DecisionRecorded { amendment, .. } if *amendment == args.amendment => {
                decision = Some(e)
            }
            Event::DecisionRecorded { amendment, .. } => rejected.push((*amendment, e.seq)),
            _ => {}
        }
    }
    let Some(e) = decision else {
        let e = &appended.events[0];
        return Err(CliError::refused(format!(
            "event {} is a {}, not the decision on {}: is --event-id reused?",
            e.seq,
            e.event.kind(),
            args.amendment
        )));
    };
    let a = doc.amendment(args.amendment)?;
    let resolved = match (&a.change, e.event.ops().is_empty()) {
        (Change::Alternative { bracket, .. }, false) => Some(*bracket),
        _ => None,
    };
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "amendment": args.amendment.to_string(), "seq": e.seq, "outcome": outcome,
            "method": method, "ops": e.event.ops(),
            "reopened": reopened.map(|(clause, seq)| serde_json::json!({
                "clause": clause, "label": render::label(&doc, clause), "seq": seq,
            })),
            "resolved": resolved.map(|b| b.to_string()),
            "rejected": rejected.iter().map(|(no, seq)| serde_json::json!({
                "amendment": no.to_string(), "seq": seq,
            })).collect::<Vec<_>>(),
        }));
    }
    let mut told = format!(
        "decided {}: {} {method} ({}; event {})",
        args.amendment,
        outcome.name(),
        render::change(&doc, &a.change),
        e.seq
    );
    if let Some((clause, seq)) = reopened {
        told.push_str(&format!(
            "; reopened {} first (event {seq})",
            render::label(&doc, clause)
        ));
    }
    if let Some(b) = resolved {
        told.push_str(&format!("; {b} resolved"));
        if !rejected.is_empty() {
            let rivals: Vec<String> = rejected
                .iter()
                .map(|(no, seq)| format!("{no} (event {seq})"))
                .collect();
            told.push_str(&format!(
                ", its rival alternatives rejected with it: {}",
                rivals.join(", ")
            ));
        }
    }
    ctx.line(told)
}

fn list(ctx: &mut Ctx<'_>, all: bool) -> CliResult {
    let doc = if all {
        ctx.document_with_every_amendment()?
    } else {
        ctx.document()?
    };
    let names = Names::load(ctx.store)?;
    let shown: Vec<_> = doc
        .amendments
        .values()
        .filter(|a| all || a.status.is_open())
        .collect();
    if ctx.globals.json {
        let rows: Vec<_> = shown
            .iter()
            .map(|a| render::amendment_json_in(&doc, a, &names))
            .collect();
        return ctx.json(&rows);
    }
    if shown.is_empty() {
        return ctx.line(if all {
            "no amendments yet"
        } else {
            "no amendments awaiting a decision (--all lists decided and withdrawn ones)"
        });
    }
    for a in shown {
        ctx.line(format_args!(
            "{:<4} {:<22} {:<28} by {:<14} {} for, {} against",
            a.no.to_string(),
            a.status.name(),
            render::change(&doc, &a.change),
            names.of(a.proposer),
            a.supporters.len(),
            a.opposers.len()
        ))?;
        if a.status.is_open() {
            marked(ctx, &doc, &a.change, "     ")?;
        }
    }
    Ok(())
}

/// Build the change an amendment asks for, resolving labels in the text as it stands.
fn change(doc: &DocumentState, args: &ProposeArgs) -> CliResult<Change> {
    let clause = |c: &str| doc.resolve_clause(c).map_err(CliError::from);
    if let Some(c) = &args.in_clause {
        return words(clause(c)?, args);
    }
    for (given, flag) in [
        (args.by.is_some(), "--by"),
        (args.before.is_some(), "--before"),
        (args.occurrence.is_some(), "--occurrence"),
    ] {
        if given {
            return Err(CliError::refused(format!(
                "{flag} changes words of a clause: name the clause with --in CLAUSE"
            )));
        }
    }
    let place =
        |default_parent: Option<ClauseId>| -> CliResult<(Option<ClauseId>, Option<ClauseId>)> {
            let after = args.after.as_deref().map(clause).transpose()?;
            let parent = match (&args.parent, after) {
                (Some(p), _) => Some(clause(p)?),
                (None, Some(a)) => doc.clause(a).and_then(|c| c.parent),
                (None, None) => default_parent,
            };
            Ok((parent, after))
        };
    let text = || args.text.clone().unwrap_or_default();
    if let Some(c) = &args.replace {
        if args.text.is_none() {
            return Err(CliError::refused(format!(
                "--replace {c} needs the clause's new wording with --text; to change some of \
                 its words, write --in {c} --replace WORDS --by NEW"
            )));
        }
        return Ok(Change::Replace {
            clause: clause(c)?,
            text: text(),
        });
    }
    if let Some(c) = &args.delete {
        return Ok(Change::Delete { clause: clause(c)? });
    }
    if let Some(c) = &args.move_clause {
        if args.after.is_none() && args.parent.is_none() {
            return Err(CliError::refused(
                "where to? give --after CLAUSE or --parent CLAUSE",
            ));
        }
        let (parent, after) = place(None)?;
        return Ok(Change::Move {
            clause: clause(c)?,
            parent,
            after,
        });
    }
    if let Some(Some(words)) = args
        .insert
        .as_ref()
        .filter(|w| w.as_ref().is_some_and(|w| !w.is_empty()))
    {
        return Err(CliError::refused(format!(
            "--insert \"{words}\" inserts words in a clause: name it with --in CLAUSE (and \
             place the words with --after or --before WORDS); to propose a new clause, give \
             --insert with --label and --text"
        )));
    }
    if args.label.is_none() || args.text.is_none() {
        return Err(CliError::refused(
            "a new clause needs its --label and its --text (and --after or --parent to place it)",
        ));
    }
    let (parent, after) = place(None)?;
    Ok(Change::Insert {
        clause: ClauseId(Uuid::new_v4()),
        parent,
        after,
        label: args.label.clone().unwrap_or_default(),
        text: text(),
    })
}

/// A change to some words of a clause: `--in C` with `--replace W --by N`, `--insert N --after
/// W` (or `--before W`), or `--delete W`. The words are anchored when `decide` records it.
fn words(clause: ClauseId, args: &ProposeArgs) -> CliResult<Change> {
    for (given, flag) in [
        (
            args.text.is_some(),
            "--text (with --in, give the new words with --by or --insert)",
        ),
        (args.label.is_some(), "--label"),
        (args.parent.is_some(), "--parent"),
        (args.move_clause.is_some(), "--move"),
    ] {
        if given {
            return Err(CliError::refused(format!(
                "--in changes words of a clause; it does not take {flag}"
            )));
        }
    }
    let no =
        |flag: &str, with: &str| Err(CliError::refused(format!("{flag} does not go with {with}")));
    let (action, words, by) = if let Some(w) = &args.replace {
        if args.after.is_some() || args.before.is_some() {
            return no("--after or --before", "--replace");
        }
        let Some(by) = &args.by else {
            return Err(CliError::refused(format!(
                "--replace \"{w}\" needs the words to put in their place: --by WORDS (to take \
                 them out, use --delete WORDS)"
            )));
        };
        (WordAction::Replace, w, by.clone())
    } else if let Some(w) = &args.delete {
        if args.by.is_some() || args.after.is_some() || args.before.is_some() {
            return no("--by, --after or --before", "--delete");
        }
        (WordAction::Delete, w, String::new())
    } else if let Some(new) = &args.insert {
        if args.by.is_some() {
            return no("--by", "--insert (the words to insert follow --insert)");
        }
        let new = new.clone().unwrap_or_default();
        match (&args.after, &args.before) {
            (Some(w), _) => (WordAction::InsertAfter, w, new),
            (None, Some(w)) => (WordAction::InsertBefore, w, new),
            (None, None) => {
                return Err(CliError::refused(
                    "where do the words go? give --after WORDS or --before WORDS of the clause",
                ))
            }
        }
    } else {
        return no("--move", "--in");
    };
    Ok(Change::Words {
        clause,
        edit: WordEdit {
            action,
            words: words.clone(),
            by,
            occurrence: args.occurrence,
            context_before: String::new(),
            context_after: String::new(),
        },
    })
}
