//! Typed routes: `GET /v1/documents/{doc}/{command…}?opt=value` and `POST` with a JSON
//! object, turned into a command line through clap's description of the CLI, so that every
//! subcommand and every option is a route and a parameter with nothing listed twice.
//!
//! Path segments are the subcommand's words (`amend/list`). Keys are an argument's long
//! option name (`accept-as-modified`) or, for a positional argument, its id (`amendment`);
//! a boolean flag takes `true` or `false`; an option that may be repeated takes a list (or
//! the key repeated in a query). `date` and `event-id` are the global options of the same
//! name; the document is the path's.

use clap::{Arg, ArgAction, CommandFactory};
use serde_json::Value;

use super::error::ApiError;
use crate::cli::Cli;

/// Global options a typed request may give by name.
pub const GLOBAL_KEYS: [(&str, &str); 3] = [
    (
        "date",
        "Record the event as of this date or time (to enter a past negotiation)",
    ),
    (
        "event-id",
        "An id for the event written, so that a retried request is recorded once",
    ),
    (
        "expect-version",
        "Write only if the document is still at this version (or send If-Match)",
    ),
];

/// Top-level subcommands that have no typed route: they run only locally, or are
/// store-level (the registry and documents have routes of their own; tokens, the store's
/// administrators and checkpoints go through `/v1/exec`).
const NOT_TYPED: [&str; 17] = [
    "init",
    "completions",
    "man",
    "demo",
    "run",
    "serve",
    "generate",
    "export",
    "rebuild",
    "token",
    "doc",
    "participant",
    "verify",
    "admin",
    "checkpoint",
    "compact",
    "restore",
];

/// Document-scoped commands that only read: typed routes answer them on GET. (`tag` reads
/// without a name and writes with one: it takes both.)
const READS: [&str; 17] = [
    "show",
    "diff",
    "log",
    "blame",
    "status",
    "replay",
    "questions",
    "brackets",
    "participation",
    "phase list",
    "amend list",
    "role list",
    "tag",
    "tag list",
    "tag history",
    "comment list",
    "comments",
];

/// Document-scoped commands that write: typed routes take them on POST.
pub fn writes(words: &str) -> bool {
    !READS.contains(&words) || words == "tag"
}

/// Document-scoped commands that read: typed routes answer them on GET.
pub fn reads(words: &str) -> bool {
    READS.contains(&words)
}

/// The methods a typed document route answers (`GET` for a command that reads, `POST` for one
/// that writes, both for `tag`), or `None` when the words name no typed route.
pub fn methods(words: &[&str]) -> Option<&'static [&'static str]> {
    static LEAVES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let leaves = LEAVES.get_or_init(|| {
        document_leaves()
            .into_iter()
            .map(|l| l.words.join(" "))
            .collect()
    });
    let words = words.join(" ");
    if !leaves.contains(&words) {
        return None;
    }
    Some(match (reads(&words), writes(&words)) {
        (true, true) => &["GET", "POST"],
        (true, false) => &["GET"],
        _ => &["POST"],
    })
}

/// A leaf subcommand of the CLI: its words and its clap description.
pub struct Leaf {
    /// The words that name it: `["amend", "propose"]`.
    pub words: Vec<String>,
    /// Its arguments and help.
    pub command: clap::Command,
}

/// Every document-scoped leaf subcommand, in the order of the help.
pub fn document_leaves() -> Vec<Leaf> {
    let mut leaves = Vec::new();
    for sub in Cli::command().get_subcommands() {
        if NOT_TYPED.contains(&sub.get_name()) {
            continue;
        }
        collect(sub, vec![sub.get_name().to_string()], &mut leaves);
    }
    leaves
}

fn collect(cmd: &clap::Command, words: Vec<String>, into: &mut Vec<Leaf>) {
    // `comment TEXT` and `tag NAME` are commands as well as `comment add TEXT`.
    if cmd.has_subcommands() && cmd.is_args_conflicts_with_subcommands_set() {
        into.push(Leaf {
            words: words.clone(),
            command: cmd.clone(),
        });
    }
    if cmd.has_subcommands() {
        for sub in cmd.get_subcommands() {
            let mut w = words.clone();
            w.push(sub.get_name().to_string());
            collect(sub, w, into);
        }
    } else {
        into.push(Leaf {
            words,
            command: cmd.clone(),
        });
    }
}

/// The leaf subcommand these words name (any subcommand, typed or not).
pub fn leaf(words: &[&str]) -> Result<clap::Command, ApiError> {
    let mut cmd = Cli::command();
    // Built, its positional arguments have their indexes (the order they are given in).
    cmd.build();
    let mut path = Vec::new();
    for w in words {
        let Some(sub) = cmd.find_subcommand(w).cloned() else {
            let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
            return Err(ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                format!(
                    "no command `{}`; {} takes: {}",
                    words.join(" "),
                    if path.is_empty() {
                        "travaux".to_string()
                    } else {
                        path.join(" ")
                    },
                    known.join(", ")
                ),
            ));
        };
        path.push(*w);
        cmd = sub;
    }
    if cmd.has_subcommands() && !cmd.is_args_conflicts_with_subcommands_set() {
        let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
        return Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!(
                "`{}` needs one more word: {}",
                words.join(" "),
                known.join(", ")
            ),
        ));
    }
    Ok(cmd)
}

/// The arguments of a leaf that a typed request may give (not the global ones, not help).
pub fn parameters(cmd: &clap::Command) -> impl Iterator<Item = &Arg> {
    cmd.get_arguments().filter(|a| {
        !a.is_global_set()
            && !a.is_hide_set()
            && !matches!(a.get_action(), ArgAction::Help | ArgAction::Version)
    })
}

/// The key a typed request names an argument by.
pub fn key(arg: &Arg) -> String {
    match arg.get_long() {
        Some(long) if !arg.is_positional() => long.to_string(),
        _ => arg.get_id().to_string(),
    }
}

/// Whether an argument is a boolean flag.
pub fn is_flag(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse)
}

/// Whether an option may be given without its value (`--insert` alone, or `--insert WORDS`).
pub fn takes_optional_value(arg: &Arg) -> bool {
    !is_flag(arg) && !arg.is_positional() && arg.get_num_args().is_some_and(|n| n.min_values() == 0)
}

/// Whether an argument takes several values.
pub fn is_list(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
}

/// The command line of a typed request: `--doc DOC` (if any), the words, then each key as the
/// option or positional argument it names. An unknown key is a 400 naming it.
pub fn argv(
    doc: Option<&str>,
    words: &[&str],
    params: Vec<(String, Value)>,
) -> Result<Vec<String>, ApiError> {
    let cmd = leaf(words)?;
    let mut argv: Vec<String> = Vec::new();
    if let Some(doc) = doc {
        argv.push("--doc".into());
        argv.push(doc.into());
    }
    argv.extend(words.iter().map(|w| w.to_string()));
    let mut positional: Vec<(usize, Vec<String>)> = Vec::new();
    for (name, value) in params {
        if let Some((global, _)) = GLOBAL_KEYS.iter().find(|(k, _)| *k == name) {
            for v in values(&name, value)? {
                argv.push(format!("--{global}={v}"));
            }
            continue;
        }
        let Some(arg) = parameters(&cmd).find(|a| key(a) == name || a.get_id() == name.as_str())
        else {
            let known: Vec<String> = parameters(&cmd)
                .map(key)
                .chain(GLOBAL_KEYS.iter().map(|(k, _)| k.to_string()))
                .collect();
            return Err(ApiError::bad_request(format!(
                "unknown parameter `{name}` for `{}`; it takes: {}",
                words.join(" "),
                known.join(", ")
            )));
        };
        // An option whose value may be left out (`amend propose --insert`) takes `true` for
        // the option alone, and `false` for neither.
        if takes_optional_value(arg) {
            if let Value::Bool(given) = value {
                if given {
                    argv.push(flag(arg));
                }
                continue;
            }
        }
        let vals = values(&name, value)?;
        if is_flag(arg) {
            for v in vals {
                match v.as_str() {
                    "true" | "" => argv.push(flag(arg)),
                    "false" => {}
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "`{name}` is a flag: true or false, not {other:?}"
                        )))
                    }
                }
            }
        } else if arg.is_positional() {
            let index = arg.get_index().unwrap_or(usize::MAX);
            positional.push((index, vals));
        } else {
            for v in vals {
                match arg.get_long() {
                    Some(long) => argv.push(format!("--{long}={v}")),
                    None => argv.extend([flag(arg), v]),
                }
            }
        }
    }
    if !positional.is_empty() {
        positional.sort_by_key(|(i, _)| *i);
        // After `--` a value is never taken for an option or a subcommand (`comment` with the
        // text "list"). But a command whose first positional argument may be left out
        // (`role grant [PARTICIPANT] ROLE`) gives every value after `--` to its last one: it
        // has `--` only where a value could be taken for an option.
        let dashed = positional
            .iter()
            .any(|(_, vals)| vals.iter().any(|v| v.starts_with('-')));
        if dashed || !cmd.is_allow_missing_positional_set() {
            argv.push("--".into());
        }
        for (_, vals) in positional {
            argv.extend(vals);
        }
    }
    Ok(argv)
}

/// How an option is written on the command line.
fn flag(arg: &Arg) -> String {
    match (arg.get_long(), arg.get_short()) {
        (Some(long), _) => format!("--{long}"),
        (None, Some(short)) => format!("-{short}"),
        (None, None) => format!("--{}", arg.get_id()),
    }
}

/// A parameter's values as command-line words: a string, number or boolean is one; a list is
/// one each; null is none.
fn values(name: &str, value: Value) -> Result<Vec<String>, ApiError> {
    Ok(match value {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::Array(_) | Value::Object(_) => {
                        return Err(ApiError::bad_request(format!(
                            "`{name}`: a list holds strings, numbers or booleans"
                        )))
                    }
                    other => out.extend(values(name, other)?),
                }
            }
            out
        }
        Value::Object(_) => {
            return Err(ApiError::bad_request(format!(
                "`{name}` takes a string, a number, a boolean or a list of them, not an object"
            )))
        }
    })
}
