//! `travaux doc new|list|visibility`.

use clap::Subcommand;
use travaux_core::{create_document, Command, DocumentId, StreamId, Visibility};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::CliResult;

/// Document subcommands.
#[derive(Subcommand, Debug)]
pub enum DocCommand {
    /// Create a document; the participant acting (--as) becomes its secretariat
    New {
        /// Its short name (lowercase letters, digits, '-', '_', '.')
        slug: String,
        /// Its title
        #[arg(long)]
        title: String,
    },
    /// List the documents in the store
    List,
    /// Set who may read the document through a server without a token (secretariat):
    /// `public`, or `members` (the holders of a role in it; the default). A members-only
    /// document is readable by anyone anyway while a public hearing on it is open, and once
    /// adopted.
    Visibility {
        /// public or members
        visibility: Visibility,
    },
}

/// Run a document subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &DocCommand) -> CliResult {
    match cmd {
        DocCommand::New { slug, title } => {
            let actor = ctx.actor()?;
            let id = DocumentId(Uuid::new_v4());
            let mut w = ctx.write_to(StreamId::document(id), &actor)?;
            w.expected = travaux_store::Expected::NoStream;
            let appended =
                ctx.write(w, |dir, _| create_document(dir, actor.id, id, slug, title))?;
            let first = &appended.events[0];
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({
                    "document": id, "slug": slug, "title": title, "seq": first.seq,
                }));
            }
            ctx.line(format_args!(
                "created document {slug} (event {}); {} holds its secretariat role",
                first.seq, actor.handle
            ))
        }
        DocCommand::Visibility { visibility } => {
            let (doc, appended) = ctx.execute(Command::SetVisibility(*visibility))?;
            let seq = appended.events[0].seq;
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({
                    "document": doc.slug, "visibility": visibility, "seq": seq,
                    "readable_by_anyone": doc.readable_by_anyone(),
                }));
            }
            ctx.line(format_args!(
                "{} is now readable by {} (event {seq})",
                doc.slug,
                match visibility {
                    Visibility::Public => "anyone",
                    Visibility::Members =>
                        "its members only, except during a public hearing and once adopted",
                }
            ))
        }
        DocCommand::List => {
            let docs = ctx.store.documents()?;
            if ctx.globals.json {
                return ctx.json(&docs);
            }
            if docs.is_empty() {
                return ctx.line(
                    "no documents yet; create one with `travaux doc new SLUG --title TITLE`",
                );
            }
            for d in docs {
                let state = ctx.store.document_without_amendments(d.id)?;
                let (version, clauses) = state
                    .map(|s| (s.version, s.clause_count()))
                    .unwrap_or_default();
                ctx.line(format_args!(
                    "{:<16} {} ({} clauses, version {})",
                    d.slug, d.title, clauses, version
                ))?;
            }
            Ok(())
        }
    }
}
