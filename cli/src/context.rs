//! What every command works with: the open store, the global options, where output goes and
//! where input files are read from. Also the helpers that turn names people type (handles,
//! slugs, labels, points) into ids, and the one path by which a document command is written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use travaux_core::{
    decide, parse_time, Command, DayEdge, Directory, DocumentEntry, DocumentState, EventId,
    Participant, Point, StreamId,
};
use travaux_store::{fingerprint, Appended, Clock, Expected, Store, Write as StoreWrite};
use uuid::Uuid;

use crate::error::{CliError, CliResult};
use crate::globals::Globals;

/// Where files named on the command line are read from.
pub enum Inputs {
    /// The current directory (paths as given).
    Cwd,
    /// A script's folder: relative paths are taken from there.
    Dir(PathBuf),
    /// Files built into the binary (the demo), by relative path.
    Embedded(&'static [(&'static str, &'static str)]),
    /// Files sent with a request to the server, by the name the command line gives them.
    Sent(std::collections::BTreeMap<String, SentFile>),
}

/// A file sent with a request to the server: its text (a JSON string), or the bytes of a file
/// that is not UTF-8 text, such as a `.docx` draft, in base64 (`{"base64": "…"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SentFile {
    /// A text file.
    Text(String),
    /// A binary file.
    Binary {
        /// Its bytes, in standard base64.
        base64: String,
    },
}

impl SentFile {
    /// The file's bytes as sent: its text, or its base64 form.
    fn sent_len(&self) -> usize {
        match self {
            SentFile::Text(t) => t.len(),
            SentFile::Binary { base64 } => base64.len() / 4 * 3,
        }
    }

    /// A file's bytes as sent: text as it is, anything else in base64.
    pub fn of(bytes: Vec<u8>) -> SentFile {
        match String::from_utf8(bytes) {
            Ok(text) => SentFile::Text(text),
            Err(e) => {
                use base64::Engine;
                SentFile::Binary {
                    base64: base64::engine::general_purpose::STANDARD.encode(e.as_bytes()),
                }
            }
        }
    }
}

impl Inputs {
    /// Read a file named on the command line, with a size limit.
    pub fn read(&self, path: &Path, limit: usize) -> CliResult<Vec<u8>> {
        let bytes = match self {
            Inputs::Embedded(files) => {
                let wanted = path.to_string_lossy();
                files
                    .iter()
                    .find(|(name, _)| *name == wanted)
                    .map(|(_, text)| text.as_bytes().to_vec())
                    .ok_or_else(|| CliError::refused(format!("no file {wanted} in the example")))?
            }
            Inputs::Sent(files) => {
                let wanted = path.to_string_lossy();
                let file = files.get(wanted.as_ref()).ok_or_else(|| {
                    let sent: Vec<&str> = files.keys().map(String::as_str).collect();
                    CliError::refused(format!(
                        "no file {wanted} was sent with the request (send its content in \"files\": {{\"{wanted}\": \"…\"}}); sent: {}",
                        if sent.is_empty() { "none".to_string() } else { sent.join(", ") }
                    ))
                })?;
                if file.sent_len() > limit {
                    return Err(CliError::refused(format!(
                        "{wanted} is {} bytes; at most {limit} are accepted",
                        file.sent_len()
                    )));
                }
                match file {
                    SentFile::Text(text) => text.as_bytes().to_vec(),
                    SentFile::Binary { base64 } => {
                        use base64::Engine;
                        base64::engine::general_purpose::STANDARD
                            .decode(base64)
                            .map_err(|e| {
                                CliError::refused(format!(
                                    "{wanted} was sent as base64 that does not decode: {e}"
                                ))
                            })?
                    }
                }
            }
            Inputs::Cwd | Inputs::Dir(_) => {
                let full = match self {
                    Inputs::Dir(dir) if path.is_relative() => dir.join(path),
                    _ => path.to_path_buf(),
                };
                let meta = std::fs::metadata(&full).map_err(|e| {
                    CliError::refused(format!("cannot read {}: {e}", full.display()))
                })?;
                if meta.len() > limit as u64 {
                    return Err(CliError::refused(format!(
                        "{} is {} bytes; at most {limit} are accepted",
                        full.display(),
                        meta.len()
                    )));
                }
                std::fs::read(&full).map_err(|e| {
                    CliError::refused(format!("cannot read {}: {e}", full.display()))
                })?
            }
        };
        Ok(bytes)
    }
}

/// The context of one command.
pub struct Ctx<'a> {
    /// The open store.
    pub store: &'a Store,
    /// The global options of this command line.
    pub globals: Globals,
    /// Where the answer goes.
    pub out: &'a mut dyn Write,
    /// Where input files come from.
    pub inputs: &'a Inputs,
    /// The command as parsed, in a canonical form: with `--event-id`, a retry must be the same
    /// request.
    pub request: String,
    /// The document at its head without its amendments, once read (points are resolved against
    /// it, once per point named); forgotten when the command writes.
    head: std::cell::RefCell<Option<Rc<DocumentState>>>,
}

impl<'a> Ctx<'a> {
    /// The context of a command on an open store, with no request recorded yet.
    pub fn new(
        store: &'a Store,
        globals: Globals,
        out: &'a mut dyn Write,
        inputs: &'a Inputs,
    ) -> Ctx<'a> {
        Ctx {
            store,
            globals,
            out,
            inputs,
            request: String::new(),
            head: std::cell::RefCell::new(None),
        }
    }
}

impl Ctx<'_> {
    /// The acting participant, which document commands require.
    pub fn actor(&self) -> CliResult<Participant> {
        let handle = self.globals.actor.as_deref().ok_or_else(|| {
            CliError::refused(
                "who is acting? pass --as PARTICIPANT (or set TRAVAUX_AS); `travaux participant list` shows the handles",
            )
        })?;
        self.participant(handle)
    }

    /// Who acts on the store as a whole (registering, tokens, administrators): the participant
    /// `--as` names, or else the store's owner — a local command naming no participant (the
    /// server always names its token's participant). With the participant to record the event
    /// under: the one acting, or `concerned` when the owner acts.
    pub fn acting(
        &self,
        concerned: &Participant,
    ) -> CliResult<(travaux_core::Acting, Participant)> {
        Ok(match &self.globals.actor {
            Some(_) => {
                let actor = self.actor()?;
                (travaux_core::Acting::Participant(actor.id), actor)
            }
            None => (travaux_core::Acting::Owner, concerned.clone()),
        })
    }

    /// A participant by handle.
    pub fn participant(&self, handle: &str) -> CliResult<Participant> {
        self.store
            .participant_by_handle(handle)
            .ok_or_else(|| travaux_core::DomainError::UnknownParticipant(handle.to_string()).into())
    }

    /// The document the command is about: `--doc`, or the only one in the store.
    pub fn document_entry(&self) -> CliResult<DocumentEntry> {
        if let Some(slug) = &self.globals.doc {
            return self
                .store
                .document_by_slug(slug)
                .ok_or_else(|| travaux_core::DomainError::UnknownDocument(slug.clone()).into());
        }
        let docs = self.store.documents()?;
        match docs.len() {
            1 => Ok(docs.into_iter().next().expect("one")),
            0 => Err(CliError::refused(
                "the store has no document yet; create one with `travaux doc new SLUG --title TITLE`",
            )),
            _ => {
                let slugs: Vec<&str> = docs.iter().map(|d| d.slug.as_str()).collect();
                Err(CliError::refused(format!(
                    "the store has several documents ({}); say which with --doc SLUG",
                    slugs.join(", ")
                )))
            }
        }
    }

    /// The document at its head, with the amendments still open: what the text, its brackets
    /// and the commands before a write need, read without the cost of every amendment.
    pub fn document(&self) -> CliResult<DocumentState> {
        let entry = self.document_entry()?;
        self.store
            .document_at(entry.id, travaux_core::Cut::Head)?
            .ok_or_else(|| CliError::damaged(format!("document {} has no events", entry.slug)))
    }

    /// The document at its head with every amendment, decided and withdrawn ones too (their
    /// number grows with the negotiation: read them only to list them).
    pub fn document_with_every_amendment(&self) -> CliResult<DocumentState> {
        let entry = self.document_entry()?;
        self.store
            .document(entry.id)?
            .ok_or_else(|| CliError::damaged(format!("document {} has no events", entry.slug)))
    }

    /// The document at its head without its amendments: enough to resolve a point, or to tell
    /// events with the amendments looked up one by one.
    pub fn head_without_amendments(&self) -> CliResult<Rc<DocumentState>> {
        if let Some(head) = self.head.borrow().as_ref() {
            return Ok(Rc::clone(head));
        }
        let entry = self.document_entry()?;
        let head = Rc::new(
            self.store
                .document_without_amendments(entry.id)?
                .ok_or_else(|| {
                    CliError::damaged(format!("document {} has no events", entry.slug))
                })?,
        );
        *self.head.borrow_mut() = Some(Rc::clone(&head));
        Ok(head)
    }

    /// The document at a point, with the head state used to look tags up.
    pub fn document_at(&self, point: &Point) -> CliResult<DocumentState> {
        let (head, cut) = self.cut(point)?;
        self.store.document_at(head.id, cut)?.ok_or_else(|| {
            CliError::refused(format!(
                "{} did not exist yet at {point} (it was created {})",
                head.slug,
                crate::render::when(&head.created_at)
            ))
        })
    }

    /// A point reduced to a cut of the document's log, with the document at its head: relative
    /// points counted back, tags looked up, an event number past the end refused.
    pub fn cut(&self, point: &Point) -> CliResult<(Rc<DocumentState>, travaux_core::Cut)> {
        let point = self.absolute_point(point)?;
        if let Point::Seq(n) = point {
            let (last, _) = self.store.head();
            if n > last {
                return Err(CliError::refused(format!(
                    "there is no event {n}: the log ends at event {last}"
                )));
            }
        }
        let head = self.head_without_amendments()?;
        let cut = point.cut(&head)?;
        Ok((head, cut))
    }

    /// A point made absolute: a relative one (`POINT~N`) counted back through the document's
    /// text changes, a revision label found among them, to the event number it stands at; any
    /// other as it is. Pass the result to [`Ctx::document_at`].
    pub fn absolute_point(&self, point: &Point) -> CliResult<Point> {
        if matches!(point, Point::Head | Point::Seq(_) | Point::Time(_)) {
            return Ok(point.clone());
        }
        let head = self.head_without_amendments()?;
        if !point.needs_events(&head) {
            return Ok(point.clone());
        }
        let events: Vec<travaux_core::RecordedEvent> =
            self.store.text_events(head.id)?.collect::<Result<_, _>>()?;
        Ok(match point.resolve(&head, &events)? {
            travaux_core::Cut::Head => Point::Head,
            travaux_core::Cut::Seq(n) => Point::Seq(n),
            travaux_core::Cut::Time(t) => Point::Time(t),
        })
    }

    /// The time to record.
    pub fn clock(&self) -> CliResult<Clock> {
        match &self.globals.date {
            Some(d) => {
                let t = parse_time(d, DayEdge::Start)
                    .map_err(|e| CliError::refused(format!("--date: {e}")))?;
                // The log never goes back in time, so a date in the future would pin it there.
                let now = chrono::Utc::now();
                if t > now + chrono::Duration::days(1) {
                    return Err(CliError::refused(format!(
                        "--date {d} is in the future; the log only moves forward, so it would stay there"
                    )));
                }
                Ok(Clock::At(t))
            }
            None => Ok(Clock::Now(chrono::Utc::now())),
        }
    }

    /// The write parameters for a stream.
    pub fn write_to(&self, stream: StreamId, actor: &Participant) -> CliResult<StoreWrite> {
        Ok(StoreWrite {
            stream,
            expected: match self.globals.expect_version {
                Some(v) => Expected::Exact(v),
                None => Expected::Any,
            },
            actor: actor.id,
            clock: self.clock()?,
            event_id: EventId(self.globals.event_id.unwrap_or_else(Uuid::new_v4)),
            request: fingerprint(self.request.as_bytes()),
        })
    }

    /// Decide a command on the current document as the acting participant and append its
    /// events durably. The one path every document write takes.
    pub fn execute(&self, command: Command) -> CliResult<(Arc<DocumentState>, Appended)> {
        self.execute_with(|dir, state, actor| decide(state, actor, dir, command.clone()))
    }

    /// Write to the current document as the acting participant: `decide_all` turns the
    /// document as it stands (under the writer lock) into events, or refuses; everything it
    /// returns is appended together. For commands made of several decisions, each through
    /// `decide`. The document holds the open amendments and any other it asks for (see
    /// [`Store::execute`]: it may be asked more than once).
    pub fn execute_with(
        &self,
        mut decide_all: impl FnMut(
            &dyn travaux_core::Directory,
            &DocumentState,
            travaux_core::ParticipantId,
        )
            -> Result<Vec<travaux_core::Event>, travaux_core::DomainError>,
    ) -> CliResult<(Arc<DocumentState>, Appended)> {
        let actor = self.actor()?;
        let entry = self.document_entry()?;
        let w = self.write_to(StreamId::document(entry.id), &actor)?;
        self.head.borrow_mut().take();
        let mut appended = self.write(w, |dir, state| {
            let state = state
                .ok_or_else(|| travaux_core::DomainError::UnknownDocument(entry.slug.clone()))?;
            decide_all(dir, state, actor.id)
        })?;
        crate::commands::checkpoint::after_write(self.store, &appended.events);
        // The store hands back the state it has just written.
        let state = match appended.document.take() {
            Some(state) => state,
            None => Arc::new(self.document_with_every_amendment()?),
        };
        Ok((state, appended))
    }

    /// Decide and append through [`Store::execute`]: the one way a command writes. When the
    /// store finds the `--event-id` recorded already (another process or request with the same
    /// id got there first, after [`crate::cli::dispatch`] looked), nothing is written and the
    /// command stops with [`CliError::already_recorded`], which `dispatch` answers as the
    /// retry it is: only the writer tells what it wrote.
    pub fn write(
        &self,
        w: StoreWrite,
        decide: impl FnMut(
            &dyn travaux_core::Directory,
            Option<&DocumentState>,
        ) -> Result<Vec<travaux_core::Event>, travaux_core::DomainError>,
    ) -> CliResult<Appended> {
        let appended = self.store.execute(w, decide)?;
        if appended.duplicate {
            tracing::info!("event id recorded meanwhile by another request; nothing written");
            return Err(CliError::already_recorded());
        }
        Ok(appended)
    }

    /// Append events decided beforehand, each with its own id and actor: the one write not
    /// decided under the writer lock, for a bulk import (`responses import`) whose events are
    /// decided with `decide` on a copy of the document. `expected` is the version they were
    /// decided against, so a stream that moved meanwhile is refused (a conflict), never written
    /// over; events whose ids are all in the log already are answered from it.
    pub fn append_decided(
        &self,
        stream: StreamId,
        expected: Expected,
        events: Vec<travaux_core::NewEvent>,
    ) -> CliResult<Appended> {
        let appended = self.store.append(stream, expected, events)?;
        crate::commands::checkpoint::after_write(self.store, &appended.events);
        Ok(appended)
    }

    /// Whether to colour the output: `--color`, else colour only a terminal without NO_COLOR.
    pub fn color(&self) -> bool {
        use std::io::IsTerminal;
        match self.globals.color {
            crate::globals::ColorChoice::Always => true,
            crate::globals::ColorChoice::Never => false,
            crate::globals::ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }

    /// Print a value as JSON.
    pub fn json(&mut self, value: &impl Serialize) -> CliResult {
        serde_json::to_writer_pretty(&mut *self.out, value)?;
        writeln!(self.out)?;
        Ok(())
    }

    /// Print a line of text.
    pub fn line(&mut self, text: impl std::fmt::Display) -> CliResult {
        writeln!(self.out, "{text}")?;
        Ok(())
    }
}
