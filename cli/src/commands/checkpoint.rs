//! `travaux checkpoint`: signed statements of the log's head, kept beside the log (see
//! `travaux_store::checkpoint`); and `travaux verify --checkpoint`, which checks that a store or
//! an export extends one.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use travaux_core::Event;
use travaux_store::checkpoint::{public_key_hex, Checkpoint, Extends};
use travaux_store::jsonl::{self, RestoreError};

use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult};
use crate::globals::Globals;

/// Arguments of `checkpoint`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CheckpointArgs {
    /// What to do; without a subcommand, sign the head now and print the checkpoint (JSON, to
    /// publish)
    #[command(subcommand)]
    pub command: Option<CheckpointCommand>,
}

/// `checkpoint` subcommands.
#[derive(Subcommand, Debug)]
pub enum CheckpointCommand {
    /// The checkpoints kept beside the log, oldest first
    List,
    /// Print the store's public key (to publish); `key export` prints the private key
    Key {
        /// `export`: print the private key, for a backup kept apart from the store
        #[command(subcommand)]
        action: Option<KeyAction>,
    },
    /// Print the store's public key (to publish)
    Pubkey,
}

/// `checkpoint key` subcommands.
#[derive(Subcommand, Debug)]
pub enum KeyAction {
    /// Print the private key (32 bytes in hexadecimal): keep it apart from the store, and give
    /// it back with `key import` to sign with it again after a restore
    Export,
    /// Sign this store's checkpoints with a key exported from another (`key export`), say the
    /// one it was restored from: refused if it signs with another key already
    Import {
        /// The file holding the key (32 bytes in hexadecimal, as `key export` prints it); `-`
        /// reads standard input
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

impl CheckpointArgs {
    /// Whether the command only reads what any reader of the store may see (the list and the
    /// public key): the others sign, or print the private key, and run only locally.
    pub fn public(&self) -> bool {
        matches!(
            self.command,
            Some(
                CheckpointCommand::List
                    | CheckpointCommand::Pubkey
                    | CheckpointCommand::Key { action: None }
            )
        )
    }
}

/// Arguments of `verify`.
#[derive(Args, Debug, Default)]
pub struct VerifyArgs {
    /// Check that the log extends this checkpoint (a file holding it as JSON, as `checkpoint`
    /// prints it and a secretariat publishes it): its signature, the event at its sequence
    /// number, the documents' heads, and the chain from event 1 to the head
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Check this JSON Lines export (from `export jsonl`) rather than the store: every hash and
    /// the chain, and with --checkpoint, that it extends the checkpoint
    #[arg(long, value_name = "EXPORT.jsonl")]
    pub export: Option<PathBuf>,
    /// The public key the checkpoint must be signed with (as published, in hexadecimal)
    #[arg(long, value_name = "PUBKEY", requires = "checkpoint")]
    pub key: Option<String>,
}

/// Run `checkpoint`.
pub fn run(ctx: &mut Ctx<'_>, args: &CheckpointArgs) -> CliResult {
    match &args.command {
        None => {
            let c = ctx.store.checkpoint("manual", chrono::Utc::now())?;
            ctx.json(&c)
        }
        Some(CheckpointCommand::List) => {
            let list = ctx.store.checkpoints()?;
            if ctx.globals.json {
                return ctx.json(&list);
            }
            if list.is_empty() {
                return ctx.line("no checkpoints yet (`travaux checkpoint` signs one; each tag and adoption does too)");
            }
            for c in list {
                let s = &c.statement;
                ctx.line(format_args!(
                    "event {:<8} {}  {}  {}  key {}",
                    s.seq,
                    s.hash,
                    s.time.format("%Y-%m-%d %H:%M:%S UTC"),
                    s.reason,
                    c.key
                ))?;
            }
            Ok(())
        }
        Some(CheckpointCommand::Key { action: None }) | Some(CheckpointCommand::Pubkey) => {
            let key = public_key_hex(&ctx.store.checkpoint_key_or_new()?);
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({ "key": key }));
            }
            ctx.line(key)
        }
        Some(CheckpointCommand::Key {
            action: Some(KeyAction::Export),
        }) => {
            let key = ctx.store.checkpoint_key_or_new()?;
            let secret = const_hex::encode(key.to_bytes());
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({
                    "private_key": secret, "key": public_key_hex(&key),
                }));
            }
            ctx.line(secret)
        }
        Some(CheckpointCommand::Key {
            action: Some(KeyAction::Import { file }),
        }) => import_key(ctx, file),
    }
}

/// Run `checkpoint key import FILE`.
fn import_key(ctx: &mut Ctx<'_>, file: &Path) -> CliResult {
    let text = if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| CliError::refused(format!("cannot read standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| CliError::refused(format!("cannot read {}: {e}", file.display())))?
    };
    let seed: [u8; 32] = const_hex::decode_to_array(text.trim()).map_err(|e| {
        CliError::refused(format!(
            "{} does not hold a key (32 bytes in hexadecimal, as `checkpoint key export` prints it): {e}; nothing was written",
            file.display()
        ))
    })?;
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    if let Some(other) = ctx.store.import_checkpoint_key(&key)? {
        return Err(CliError::refused(format!(
            "the store signs its checkpoints with key {} already, not {}: a store keeps one key; nothing was written",
            public_key_hex(&other),
            public_key_hex(&key)
        )));
    }
    let public = public_key_hex(&key);
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({ "key": public }));
    }
    ctx.line(format_args!(
        "the store signs its checkpoints with key {public}"
    ))
}

/// After a write: a checkpoint when it set a tag or adopted the text (its events are durable
/// by then). A checkpoint that cannot be made is reported, not an error of the write.
pub fn after_write(store: &travaux_store::Store, events: &[travaux_core::RecordedEvent]) {
    let reason = events.iter().rev().find_map(|e| match &e.event {
        Event::DocumentAdopted { symbol, .. } => Some(format!("adoption {symbol}")),
        Event::TagSet { name, .. } => Some(format!("tag {name}")),
        _ => None,
    });
    let Some(reason) = reason else { return };
    match store.checkpoint(&reason, chrono::Utc::now()) {
        Ok(c) => tracing::debug!(seq = c.statement.seq, %reason, "checkpoint signed"),
        Err(e) => {
            tracing::warn!(error = %e, %reason, "the write is recorded, but no checkpoint could be signed: run `travaux checkpoint`")
        }
    }
}

fn read_checkpoint(path: &Path, inputs: &Inputs) -> CliResult<Checkpoint> {
    let text = String::from_utf8(inputs.read(path, 16 << 20)?)
        .map_err(|_| CliError::refused(format!("{} is not UTF-8 text", path.display())))?;
    // A checkpoint as printed, or as a line of an export (`{"checkpoint": …}`).
    #[derive(serde::Deserialize)]
    struct Wrapped {
        checkpoint: Checkpoint,
    }
    serde_json::from_str::<Checkpoint>(&text)
        .or_else(|e| {
            serde_json::from_str::<Wrapped>(&text)
                .map(|w| w.checkpoint)
                .map_err(|_| e)
        })
        .map_err(|e| {
            CliError::refused(format!(
                "{} is not a checkpoint (JSON as `travaux checkpoint` prints it): {e}",
                path.display()
            ))
        })
}

/// The checkpoint, its signature checked (and its key, against `--key`).
fn checked(args: &VerifyArgs, inputs: &Inputs) -> CliResult<Option<Checkpoint>> {
    let Some(path) = &args.checkpoint else {
        return Ok(None);
    };
    let c = read_checkpoint(path, inputs)?;
    if let Some(key) = &args.key {
        if !key.trim().eq_ignore_ascii_case(c.key.trim()) {
            return Err(CliError::damaged(format!(
                "the checkpoint is signed with key {}, not with the key given ({}): it is not the published checkpoint",
                c.key,
                key.trim()
            )));
        }
    }
    c.check_signature()
        .map_err(|why| CliError::damaged(format!("checkpoint {}: {why}", path.display())))?;
    Ok(Some(c))
}

fn report(
    out: &mut dyn Write,
    json: bool,
    what: &str,
    head: (u64, travaux_core::Hash),
    c: Option<&Checkpoint>,
) -> CliResult {
    if json {
        let value = serde_json::json!({
            "ok": true,
            "checked": what,
            "head_seq": head.0,
            "head_hash": head.1,
            "checkpoint": c.map(|c| serde_json::json!({
                "seq": c.statement.seq, "hash": c.statement.hash, "key": c.key,
                "time": c.statement.time,
            })),
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    match c {
        None => writeln!(
            out,
            "ok: {what}: {} events, hash chain intact; head event {} has hash {}",
            head.0, head.0, head.1
        )?,
        Some(c) => writeln!(
            out,
            "ok: {what} extends the checkpoint of event {} (hash {}, signed {} by key {}); hash chain intact from event 1 to event {} (hash {})",
            c.statement.seq,
            c.statement.hash,
            c.statement.time.format("%Y-%m-%d %H:%M:%S UTC"),
            c.key,
            head.0,
            head.1
        )?,
    }
    Ok(())
}

/// `verify --checkpoint FILE` against the open store.
pub fn verify_store(ctx: &mut Ctx<'_>, args: &VerifyArgs) -> CliResult {
    let c = checked(args, ctx.inputs)?;
    let verified = ctx.store.verify()?;
    if let Some(p) = &verified.problem {
        return Err(CliError::damaged(format!(
            "verification failed at event {}: {} ({} events before it are intact)",
            p.seq, p.message, verified.events
        )));
    }
    if let Some(c) = &c {
        ctx.store.extends(&c.statement)?.map_err(|why| {
            CliError::damaged(format!(
                "the store does not extend the checkpoint of event {}: {why}",
                c.statement.seq
            ))
        })?;
    }
    let json = ctx.globals.json;
    report(
        ctx.out,
        json,
        "the store",
        (verified.head_seq, verified.head_hash),
        c.as_ref(),
    )
}

/// `verify --export FILE [--checkpoint FILE]`: no store is opened.
pub fn verify_export(globals: &Globals, args: &VerifyArgs, out: &mut dyn Write) -> CliResult {
    let path = args.export.as_ref().expect("called with --export");
    let c = checked(args, &Inputs::Cwd)?;
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::refused(format!("cannot read {}: {e}", path.display())))?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut check = c.as_ref().map(|c| Extends::new(&c.statement));
    let read = jsonl::read_export(&mut input, |_, _, e, _, _| {
        if let Some(check) = check.as_mut() {
            check.event(e.seq, e.stream, e.version, e.hash);
        }
        Ok(())
    })
    .map_err(|e| match e {
        RestoreError::Store(e) => CliError::from(e),
        other => CliError::damaged(format!(
            "verification of {} failed: {other}",
            path.display()
        )),
    })?;
    let head = (read.header.events, read.header.head);
    if let (Some(check), Some(c)) = (check, &c) {
        check.finish(head.0).map_err(|why| {
            CliError::damaged(format!(
                "{} does not extend the checkpoint of event {}: {why}",
                path.display(),
                c.statement.seq
            ))
        })?;
    }
    report(
        out,
        globals.json,
        &format!("the export {}", path.display()),
        head,
        c.as_ref(),
    )
}
