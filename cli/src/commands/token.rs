//! `travaux token issue|revoke|list`: the bearer tokens `travaux serve` accepts.
//!
//! A token is 32 bytes from the operating system's random source, written as 64 hex digits.
//! It is shown once, when issued; the log keeps only its SHA-256 digest
//! (`Event::TokenIssued` on the registry stream), so neither the store nor `token list` can
//! show it again. The server attributes every write made with it to its participant.

use clap::Subcommand;
use serde_json::json;
use travaux_core::{issue_token, Directory, DomainError, Event, StreamId, TokenId};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::render;

/// Token subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issue a token to a participant; it is shown once and stored only as a hash
    Issue {
        /// The participant the token authenticates (a handle, see `participant list`)
        participant: String,
    },
    /// Revoke a token: the server refuses it from then on
    Revoke {
        /// The token's id, as `token list` shows it (not the token itself)
        #[arg(value_name = "TOKEN-ID")]
        token: Uuid,
    },
    /// List the tokens (ids, participants, when issued, revoked or not; never the tokens)
    List,
}

impl TokenCommand {
    /// Whether it writes to the log.
    pub fn writes(&self) -> bool {
        !matches!(self, TokenCommand::List)
    }
}

/// Run a token subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &TokenCommand) -> CliResult {
    match cmd {
        TokenCommand::Issue { participant } => issue(ctx, participant),
        TokenCommand::Revoke { token } => revoke(ctx, TokenId(*token)),
        TokenCommand::List => list(ctx),
    }
}

/// How many random bytes a token holds.
const TOKEN_BYTES: usize = 32;

/// A new token: 32 bytes from the operating system's CSPRNG, as 64 lowercase hex digits.
fn draw() -> CliResult<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| CliError::refused(format!("cannot draw a random token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Run `token issue`.
fn issue(ctx: &mut Ctx<'_>, handle: &str) -> CliResult {
    let participant = ctx.participant(handle)?;
    // An administrator issues (--as), or the store's owner (no --as), recorded in the name of
    // the participant the token is for.
    let (by, actor) = ctx.acting(&participant)?;
    let token = draw()?;
    let id = TokenId(Uuid::new_v4());
    let digest = travaux_store::fingerprint(token.as_bytes());
    let w = ctx.write_to(StreamId::REGISTRY, &actor)?;
    // A retry with the same --event-id is answered "already recorded" by `dispatch`: the
    // token drawn then is not shown again (the store keeps only its hash).
    let appended = ctx.write(w, |dir, _| {
        Ok(vec![issue_token(dir, by, participant.id, id, digest)?])
    })?;
    let seq = appended.events[0].seq;
    if ctx.globals.json {
        return ctx.json(&json!({
            "token": token,
            "token_id": id,
            "participant": participant.handle,
            "seq": seq,
        }));
    }
    ctx.line(format_args!(
        "issued token {id} to {} at event {seq}:",
        participant.handle
    ))?;
    ctx.line(format_args!("  {token}"))?;
    ctx.line(format_args!(
        "keep it now: it is shown only this once (the store keeps only its hash); give it to {} as TRAVAUX_TOKEN; `travaux token revoke {id}` withdraws it",
        participant.handle
    ))
}

/// Run `token revoke`.
fn revoke(ctx: &mut Ctx<'_>, id: TokenId) -> CliResult {
    let entry = ctx
        .store
        .tokens()?
        .into_iter()
        .find(|t| t.token == id)
        .ok_or_else(|| unknown(id))?;
    if entry.revoked {
        return Err(already_revoked(id).into());
    }
    // Revoked by an administrator (--as), or by the store's owner in the name of the token's
    // participant.
    let holder = ctx
        .store
        .participant(entry.participant)
        .ok_or_else(|| CliError::damaged(format!("token {id} names no participant")))?;
    let (by, actor) = ctx.acting(&holder)?;
    let handle = render::Names::load(ctx.store)?.of(entry.participant);
    let w = ctx.write_to(StreamId::REGISTRY, &actor)?;
    let store = ctx.store;
    let appended = ctx.write(w, |dir, _| {
        travaux_core::admin::check_admin(dir, by, "revoke tokens")?;
        // Checked again under the writer lock: two revocations of one token write one event.
        let now = store
            .tokens()
            .map_err(|e| DomainError::Invalid(e.to_string()))?
            .into_iter()
            .find(|t| t.token == id);
        match now {
            None => Err(DomainError::Invalid(unknown(id).message)),
            Some(t) if t.revoked => Err(already_revoked(id)),
            Some(_) => Ok(vec![Event::TokenRevoked { token: id }]),
        }
    })?;
    let seq = appended.events[0].seq;
    if ctx.globals.json {
        return ctx.json(&json!({
            "revoked": id, "participant": handle, "seq": seq, "duplicate": false,
        }));
    }
    ctx.line(format_args!(
        "revoked token {id} of {handle} at event {seq}; the server refuses it from now on"
    ))
}

/// Run `token list`.
fn list(ctx: &mut Ctx<'_>) -> CliResult {
    let names = render::Names::load(ctx.store)?;
    let tokens = ctx.store.tokens()?;
    if ctx.globals.json {
        let list: Vec<serde_json::Value> = tokens
            .iter()
            .map(|t| {
                json!({
                    "token_id": t.token,
                    "participant": names.of(t.participant),
                    "issued_at": t.issued_at,
                    "revoked": t.revoked,
                })
            })
            .collect();
        return ctx.json(&list);
    }
    if tokens.is_empty() {
        return ctx.line("no tokens; issue one with `travaux token issue PARTICIPANT`");
    }
    ctx.line(format_args!(
        "{:<36}  {:<16} {:<16}  state",
        "token id", "participant", "issued"
    ))?;
    for t in &tokens {
        ctx.line(format_args!(
            "{:<36}  {:<16} {:<16}  {}",
            t.token,
            names.of(t.participant),
            render::when(&t.issued_at),
            if t.revoked { "revoked" } else { "active" }
        ))?;
    }
    Ok(())
}

/// The refusal of a token id that was never issued.
fn unknown(id: TokenId) -> CliError {
    CliError::refused(format!(
        "no token {id} in the store; `travaux token list` shows the token ids"
    ))
}

/// The refusal of a token revoked already.
fn already_revoked(id: TokenId) -> DomainError {
    DomainError::Invalid(format!("token {id} is already revoked; nothing written"))
}
