//! `travaux participant add|import|list`.
//!
//! `import` registers many participants in one append, all or nothing, from a file of lines
//! `handle,kind,name` (the name is the rest of the line and may hold commas).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use travaux_core::{
    register_participant, Acting, Directory, DocumentEntry, DomainError, Participant,
    ParticipantId, ParticipantKind, StreamId,
};
use uuid::Uuid;

use crate::context::Ctx;
use crate::error::{CliError, CliResult};

/// Participant subcommands.
#[derive(Subcommand, Debug)]
pub enum ParticipantCommand {
    /// Register a participant in the store
    Add {
        /// The short name it is addressed by (lowercase letters, digits, '-', '_', '.')
        handle: String,
        /// Its display name [default: the handle]
        #[arg(long)]
        name: Option<String>,
        /// What it is: member-state, non-state-actor, secretariat, expert, public
        #[arg(long, default_value = "public")]
        kind: ParticipantKind,
    },
    /// Register many participants from a file, all or nothing: one `handle,kind,name` a line
    /// (the name is the rest of the line; '#' comments, blank lines and a header line are
    /// skipped)
    Import {
        /// The file: lines such as `kenya,member-state,Kenya`
        file: PathBuf,
    },
    /// List the participants
    List,
}

/// Run a participant subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &ParticipantCommand) -> CliResult {
    match cmd {
        ParticipantCommand::Add { handle, name, kind } => {
            let id = ParticipantId(Uuid::new_v4());
            // An administrator, or a document's secretariat for the public (--as), registers;
            // without --as the store's owner does, in the new participant's name.
            let (by, actor) = ctx.acting(&travaux_core::Participant {
                id,
                handle: handle.clone(),
                name: String::new(),
                kind: *kind,
                registered_at: chrono::Utc::now(),
            })?;
            let name = name.clone().unwrap_or_else(|| handle.clone());
            let w = ctx.write_to(StreamId::REGISTRY, &actor)?;
            let appended = ctx.write(w, |dir, _| {
                register_participant(dir, by, id, handle, &name, *kind)
            })?;
            let seq = appended.events[0].seq;
            // The first participant registered in a store administers it.
            let admin = ctx.store.first_participant() == Some(id);
            if ctx.globals.json {
                return ctx.json(&serde_json::json!({
                    "participant": id, "handle": handle, "name": name, "kind": kind, "seq": seq,
                    "admin": admin,
                }));
            }
            ctx.line(format_args!(
                "registered {handle} ({name}, {kind}) at event {seq}{}",
                if admin {
                    "; the first participant, it administers the store"
                } else {
                    ""
                }
            ))
        }
        ParticipantCommand::Import { file } => import(ctx, file),
        ParticipantCommand::List => {
            let participants = ctx.store.participants()?;
            if ctx.globals.json {
                return ctx.json(&participants);
            }
            for p in participants {
                ctx.line(format_args!("{:<16} {:<16} {}", p.handle, p.kind, p.name))?;
            }
            Ok(())
        }
    }
}

/// The largest participant file read.
const MAX_IMPORT_BYTES: usize = 4 << 20;
/// At most this many problems are listed in a refusal.
const MAX_PROBLEMS: usize = 20;

/// One line of a participant file, parsed.
struct Line {
    no: usize,
    handle: String,
    kind: ParticipantKind,
    name: String,
}

/// Parse a participant file: the lines to register, and the problems found, by line number.
fn parse(text: &str) -> (Vec<Line>, Vec<(usize, String)>) {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut first = true;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let header = std::mem::replace(&mut first, false);
        let fields: Vec<&str> = line.splitn(3, ',').map(str::trim).collect();
        if header
            && fields.len() == 3
            && fields[0].eq_ignore_ascii_case("handle")
            && fields[1].eq_ignore_ascii_case("kind")
            && fields[2].eq_ignore_ascii_case("name")
        {
            continue;
        }
        let [handle, kind, name] = fields[..] else {
            problems.push((
                no,
                format!("expected handle,kind,name, found '{}'", line.escape_debug()),
            ));
            continue;
        };
        let kind = match kind.parse::<ParticipantKind>() {
            Ok(k) => k,
            Err(e) => {
                problems.push((no, format!("kind {e}")));
                continue;
            }
        };
        lines.push(Line {
            no,
            handle: handle.to_string(),
            kind,
            name: unquote(name),
        });
    }
    (lines, problems)
}

/// A name as a spreadsheet writes it: `"Korea, Republic of"` stands for the words inside,
/// with `""` for a quote.
fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) if !inner.is_empty() => inner.replace("\"\"", "\""),
        _ => name.to_string(),
    }
}

/// The store's directory with the participants of this import added as they are checked, so
/// that a handle given twice in the file is taken the second time.
struct Pending<'a> {
    base: &'a dyn Directory,
    added: HashMap<String, Participant>,
    /// The first participant of the import, if the store had none before.
    first_added: Option<ParticipantId>,
    /// What the store says of administrators and of where the importer is a secretariat,
    /// asked once for the whole file (every line is checked against them).
    base_first: std::cell::OnceCell<Option<ParticipantId>>,
    admin_records: std::cell::OnceCell<Vec<(ParticipantId, bool)>>,
    secretariat_of: std::cell::OnceCell<Option<String>>,
}

impl Directory for Pending<'_> {
    fn participant(&self, id: ParticipantId) -> Option<Participant> {
        self.base
            .participant(id)
            .or_else(|| self.added.values().find(|p| p.id == id).cloned())
    }
    fn participant_by_handle(&self, handle: &str) -> Option<Participant> {
        self.base
            .participant_by_handle(handle)
            .or_else(|| self.added.get(handle).cloned())
    }
    fn document_by_slug(&self, slug: &str) -> Option<DocumentEntry> {
        self.base.document_by_slug(slug)
    }
    fn first_participant(&self) -> Option<ParticipantId> {
        self.base_first
            .get_or_init(|| self.base.first_participant())
            .or(self.first_added)
    }
    fn admin_records(&self) -> Vec<(ParticipantId, bool)> {
        self.admin_records
            .get_or_init(|| self.base.admin_records())
            .clone()
    }
    fn secretariat_of(&self, id: ParticipantId) -> Option<String> {
        self.secretariat_of
            .get_or_init(|| self.base.secretariat_of(id))
            .clone()
    }
}

/// The problems of a file, as one refusal.
fn refusal(file: &Path, mut problems: Vec<(usize, String)>) -> String {
    problems.sort_by_key(|(no, _)| *no);
    let n = problems.len();
    let mut message = format!(
        "{}: {n} {} wrong; nothing was registered",
        file.display(),
        if n == 1 { "line is" } else { "lines are" }
    );
    for (no, problem) in problems.iter().take(MAX_PROBLEMS) {
        message.push_str(&format!("\n  line {no}: {problem}"));
    }
    if n > MAX_PROBLEMS {
        message.push_str(&format!("\n  and {} more", n - MAX_PROBLEMS));
    }
    message
}

/// Run `participant import`.
fn import(ctx: &mut Ctx<'_>, file: &Path) -> CliResult {
    let actor = ctx.actor().map_err(|e| {
        CliError::refused(format!(
            "{}; an import is recorded as done by someone (register yourself first with `travaux participant add`)",
            e.message
        ))
    })?;
    let bytes = ctx.inputs.read(file, MAX_IMPORT_BYTES)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::refused(format!("{} is not UTF-8 text", file.display())))?;
    let (lines, mut problems) = parse(&text);
    if lines.is_empty() && problems.is_empty() {
        return Err(CliError::refused(format!(
            "{} lists no participants; write one `handle,kind,name` a line",
            file.display()
        )));
    }
    let ids: Vec<ParticipantId> = lines
        .iter()
        .map(|_| ParticipantId(Uuid::new_v4()))
        .collect();
    let w = ctx.write_to(StreamId::REGISTRY, &actor)?;
    let now = chrono::Utc::now();
    let appended = ctx.write(w, |dir, _| {
        let mut pending = Pending {
            base: dir,
            added: HashMap::new(),
            first_added: None,
            base_first: std::cell::OnceCell::new(),
            admin_records: std::cell::OnceCell::new(),
            secretariat_of: std::cell::OnceCell::new(),
        };
        // One who may register no one is refused once, not on every line.
        travaux_core::admin::check_registrar(
            &pending,
            Acting::Participant(actor.id),
            ParticipantKind::Public,
        )?;
        let mut events = Vec::new();
        for (line, id) in lines.iter().zip(&ids) {
            let by = Acting::Participant(actor.id);
            match register_participant(&pending, by, *id, &line.handle, &line.name, line.kind) {
                Ok(e) => {
                    events.extend(e);
                    pending.first_added.get_or_insert(*id);
                    pending.added.insert(
                        line.handle.clone(),
                        Participant {
                            id: *id,
                            handle: line.handle.clone(),
                            name: line.name.clone(),
                            kind: line.kind,
                            registered_at: now,
                        },
                    );
                }
                Err(DomainError::Taken { name, .. })
                    if lines.iter().any(|l| l.handle == name && l.no < line.no) =>
                {
                    let earlier = lines.iter().find(|l| l.handle == name).map_or(0, |l| l.no);
                    problems.push((
                        line.no,
                        format!("participant '{name}' is already given on line {earlier}"),
                    ));
                }
                Err(DomainError::Taken { name, .. }) => problems.push((
                    line.no,
                    format!("participant '{name}' is already registered"),
                )),
                Err(e) => problems.push((line.no, crate::error::said(&e))),
            }
        }
        if problems.is_empty() {
            Ok(events)
        } else {
            Err(DomainError::Invalid(refusal(
                file,
                std::mem::take(&mut problems),
            )))
        }
    })?;
    let registered: Vec<Participant> = appended
        .events
        .iter()
        .filter_map(travaux_core::participant_of)
        .collect();
    let (first, last) = (
        appended.events[0].seq,
        appended.events[appended.events.len() - 1].seq,
    );
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "registered": registered.len(), "seqs": [first, last], "participants": registered,
            "duplicate": false,
        }));
    }
    let mut by_kind: Vec<(ParticipantKind, usize)> = Vec::new();
    for p in &registered {
        match by_kind.iter_mut().find(|(k, _)| *k == p.kind) {
            Some((_, n)) => *n += 1,
            None => by_kind.push((p.kind, 1)),
        }
    }
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let at = if first == last {
        format!("event {first}")
    } else {
        format!("events {first}-{last}")
    };
    ctx.line(format_args!(
        "registered {} {} ({}) at {at}",
        registered.len(),
        if registered.len() == 1 {
            "participant"
        } else {
            "participants"
        },
        kinds.join(", ")
    ))
}
