//! `travaux export git DIR`: the document's history as a git repository.
//!
//! One commit per text change (a revision, or a decision whose operations changed the text;
//! the parts of one large revision, appended together with one revision number, make one
//! commit) on branch `main`, whose tree holds the document as Markdown, byte for byte what
//! `show --at SEQ --format markdown` prints. A revision is authored and committed by the
//! participant who issued it; an accepted amendment is authored by its proposer and committed
//! by the chair who recorded the decision; both dates are the event's recorded time. Each tag
//! becomes an annotated git tag on the commit of the last text change at or before the event it
//! names, under a name git accepts ([`git_tag_names`]).
//!
//! The repository is written by `git init` and then ONE `git fast-import` process fed a
//! fast-import stream on its stdin (`data <len>` with exact byte lengths, a mark per commit,
//! blobs inline), then `git reset --hard` checks the text out. DIR must be new or empty; if
//! anything fails, what the export wrote in DIR is removed again.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use clap::{Args, Subcommand};
use travaux_core::{
    AmendmentNo, Change, ClauseOp, DocumentState, Event, Outcome, ParticipantId, RecordedEvent,
    StreamId, Timestamp,
};

use crate::context::{Ctx, Inputs};
use crate::error::{CliError, CliResult};
use crate::render;

/// Export subcommands.
#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The document's history as a git repository: one commit per text change, authored by
    /// the participant, the text as Markdown, tags as git tags
    Git(GitArgs),
    /// Every event of the store, in order, one JSON object per line with its envelope and
    /// hash, and the checkpoints: the backup `travaux restore` reads
    Jsonl(super::jsonl::JsonlArgs),
    /// The text at a point as an Akoma Ntoso 3.0 document (OASIS LegalDocML), with the
    /// lifecycle of its revisions
    Akn(super::akn::AknArgs),
    /// The text at a point, or the comparative print between two points (tracked changes
    /// named with their amendment, proposer, decision and date), as a Word document
    Docx(super::word::DocxArgs),
    /// The amendments as CSV, one a line: proposer, clause, change, fate and vote
    Csv(super::csv_export::CsvArgs),
}

/// Arguments of `export git`.
#[derive(Args, Debug)]
pub struct GitArgs {
    /// The directory to create the repository in: new, or empty
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The name of the Markdown file in the repository [default: SLUG.md]
    #[arg(long, value_name = "NAME.md")]
    pub file: Option<String>,
}

/// The branch the history is written to.
const BRANCH: &str = "main";

/// The domain of the synthetic e-mail addresses (`handle@travaux.invalid`).
const EMAIL_DOMAIN: &str = "travaux.invalid";

/// Run an export subcommand.
pub fn run(ctx: &mut Ctx<'_>, cmd: &ExportCommand) -> CliResult {
    match cmd {
        ExportCommand::Git(args) => git(ctx, args),
        ExportCommand::Jsonl(args) => super::jsonl::export(ctx, args),
        ExportCommand::Akn(args) => super::akn::run(ctx, args),
        ExportCommand::Docx(args) => super::word::run(ctx, args),
        ExportCommand::Csv(args) => super::csv_export::run(ctx, args),
    }
}

/// Who a commit or tag names: display name and handle.
#[derive(Clone)]
struct Ident {
    name: String,
    handle: String,
}

impl Ident {
    /// `Name <handle@travaux.invalid> EPOCH +0000`, with what git refuses in an ident taken out.
    fn line(&self, at: &Timestamp) -> String {
        let name: String = self
            .name
            .chars()
            .filter(|c| !matches!(c, '<' | '>' | '\n' | '\0'))
            .collect();
        let name = name.trim();
        let name = if name.is_empty() { &self.handle } else { name };
        format!(
            "{name} <{}@{EMAIL_DOMAIN}> {} +0000",
            self.handle,
            at.timestamp().max(0)
        )
    }
}

/// Participants by id.
struct People(HashMap<ParticipantId, Ident>);

impl People {
    fn of(&self, id: ParticipantId) -> Ident {
        self.0.get(&id).cloned().unwrap_or_else(|| Ident {
            name: id.short(),
            handle: id.short(),
        })
    }

    fn handle(&self, id: ParticipantId) -> String {
        self.of(id).handle
    }
}

/// A tag as exported.
#[derive(serde::Serialize)]
struct TagOut {
    /// The travaux name.
    name: String,
    /// The git name (the same unless git refuses it).
    git: String,
    /// The event it names.
    seq: u64,
    /// The text change whose commit it points at.
    commit_seq: u64,
}

/// A tag that could not be exported.
#[derive(serde::Serialize)]
struct Skipped {
    name: String,
    seq: u64,
    reason: &'static str,
}

/// `export git`.
fn git(ctx: &mut Ctx<'_>, args: &GitArgs) -> CliResult {
    let head = ctx.document()?;
    let file = args
        .file
        .clone()
        .unwrap_or_else(|| format!("{}.md", head.slug));
    check_file_name(&file)?;
    let dir = match ctx.inputs {
        Inputs::Dir(base) if args.dir.is_relative() => base.join(&args.dir),
        _ => args.dir.clone(),
    };
    let created = check_dir(&dir)?;
    let version = git_version()?;
    tracing::debug!(%version, "found git");

    let people = People(
        ctx.store
            .participants()?
            .into_iter()
            .map(|p| {
                (
                    p.id,
                    Ident {
                        name: p.name,
                        handle: p.handle,
                    },
                )
            })
            .collect(),
    );
    if created {
        std::fs::create_dir_all(&dir)
            .map_err(|e| CliError::refused(format!("cannot create {}: {e}", dir.display())))?;
    }
    let outcome = write_repository(ctx, &head, &people, &dir, &file);
    let summary = match outcome {
        Ok(s) => s,
        Err(e) => {
            undo(&dir, created);
            return Err(e);
        }
    };

    let shown_dir = std::fs::canonicalize(&dir).unwrap_or(dir.clone());
    if ctx.globals.json {
        return ctx.json(&serde_json::json!({
            "document": head.slug,
            "dir": shown_dir,
            "branch": BRANCH,
            "file": file,
            "events": summary.events,
            "commits": summary.commits,
            "head": summary.head,
            "tags": summary.tags,
            "skipped_tags": summary.skipped,
        }));
    }
    ctx.line(format_args!(
        "exported {} to {}: {} commit{} on {BRANCH} ({file}), {} tag{}",
        head.slug,
        shown_dir.display(),
        summary.commits,
        plural(summary.commits),
        summary.tags.len(),
        plural(summary.tags.len()),
    ))?;
    for t in summary.tags.iter().filter(|t| t.git != t.name) {
        ctx.line(format_args!(
            "  tag {:?} is {} in git (git refuses the name as it is)",
            t.name, t.git
        ))?;
    }
    for s in &summary.skipped {
        ctx.line(format_args!(
            "  tag {} (event {}) not exported: {}",
            s.name, s.seq, s.reason
        ))?;
    }
    if let Some(h) = &summary.head {
        ctx.line(format_args!("  head {h}"))?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// What was written.
struct Summary {
    events: usize,
    commits: usize,
    head: Option<String>,
    tags: Vec<TagOut>,
    skipped: Vec<Skipped>,
}

/// The name of the file in the repository: a relative path git can hold.
fn check_file_name(file: &str) -> CliResult {
    let bad = file.is_empty()
        || file.starts_with('/')
        || file.starts_with('"')
        || file.ends_with('/')
        || file.chars().any(|c| c.is_control())
        || file
            .split('/')
            .any(|part| matches!(part, "" | "." | ".." | ".git"));
    if bad {
        return Err(CliError::refused(format!(
            "--file {file:?} is not a file name git can hold; give a relative path such as who-code.md"
        )));
    }
    Ok(())
}

/// DIR must be new (returns `true`: the export creates it) or an empty directory.
fn check_dir(dir: &Path) -> CliResult<bool> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(CliError::refused(format!(
            "cannot use {}: {e}",
            dir.display()
        ))),
        Ok(m) if !m.is_dir() => Err(CliError::refused(format!(
            "{} exists and is not a directory; export git needs a new or empty directory",
            dir.display()
        ))),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir)
                .map_err(|e| CliError::refused(format!("cannot read {}: {e}", dir.display())))?;
            if entries.next().is_some() {
                return Err(CliError::refused(format!(
                    "{} is not empty; export git writes a new repository into a new or empty directory",
                    dir.display()
                )));
            }
            Ok(false)
        }
    }
}

/// Remove what a failed export wrote: DIR itself if it created it, else what is in it.
fn undo(dir: &Path, created: bool) {
    if created {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let _ = if path.is_dir() && !path.is_symlink() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// A git command with the environment variables that would point it at another repository
/// taken out.
fn git_command(dir: Option<&Path>) -> Process {
    let mut cmd = Process::new("git");
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_PREFIX",
    ] {
        cmd.env_remove(var);
    }
    if let Some(dir) = dir {
        cmd.arg("-C").arg(dir);
    }
    cmd.stdin(Stdio::null());
    cmd
}

fn spawn_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::NotFound {
        CliError::refused(
            "git is not installed (no `git` on PATH); export git needs it: install git and retry",
        )
    } else {
        CliError::refused(format!("cannot run git: {e}"))
    }
}

/// `git --version`, which also proves git is there.
fn git_version() -> CliResult<String> {
    let out = git_command(None)
        .arg("--version")
        .output()
        .map_err(spawn_error)?;
    if !out.status.success() {
        return Err(CliError::refused(format!(
            "`git --version` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Run a git command to completion; its stdout, or a refusal naming it with its stderr.
fn git_run(dir: &Path, args: &[&str]) -> CliResult<String> {
    let out = git_command(Some(dir))
        .args(args)
        .output()
        .map_err(spawn_error)?;
    if !out.status.success() {
        return Err(CliError::refused(format!(
            "`git {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `git init`, the fast-import stream, the checkout.
fn write_repository(
    ctx: &Ctx<'_>,
    head: &DocumentState,
    people: &People,
    dir: &Path,
    file: &str,
) -> CliResult<Summary> {
    let d = dir.to_string_lossy();
    git_run(
        Path::new("."),
        &["-c", "init.defaultBranch=main", "init", "-q", &d],
    )?;
    // Older git ignores init.defaultBranch: point HEAD at main whatever it chose.
    git_run(dir, &["symbolic-ref", "HEAD", "refs/heads/main"])?;

    let mut child = git_command(Some(dir))
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error)?;
    // Read stderr on the side, so that a chatty fast-import never blocks on a full pipe while
    // we block writing to it.
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let stdin = child.stdin.take().expect("piped stdin");
    let mut exporter = Exporter {
        out: BufWriter::with_capacity(1 << 20, stdin),
        people,
        file,
        marks: Vec::new(),
        events: 0,
    };
    let written = exporter.stream(ctx, head);
    let Exporter {
        out, marks, events, ..
    } = exporter;
    // Close stdin (flushing what is buffered) whatever happened, so that fast-import ends.
    let flushed = out.into_inner().map(drop).map_err(|e| e.into_error());
    let status = child
        .wait()
        .map_err(|e| CliError::refused(format!("git fast-import did not finish: {e}")))?;
    let stderr = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let written = match written {
        // Reading the log failed: the stream was cut short, and that is the error to report.
        Err(Failure::Travaux(e)) => return Err(e),
        Err(Failure::Io(e)) => Err(e),
        Ok(t) => Ok(t),
    };
    if !status.success() {
        return Err(CliError::refused(format!(
            "git fast-import failed ({status}); nothing is left in {}:\n{}",
            dir.display(),
            stderr.trim_end()
        )));
    }
    let (tags, skipped) = match (written, flushed) {
        (Ok(t), Ok(())) => t,
        (Err(e), _) | (Ok(_), Err(e)) => {
            return Err(CliError::refused(format!(
                "could not feed git fast-import: {e}\n{}",
                stderr.trim_end()
            )))
        }
    };
    let head_commit = if marks.is_empty() {
        None
    } else {
        git_run(dir, &["reset", "-q", "--hard"])?;
        Some(git_run(dir, &["rev-parse", "HEAD"])?)
    };
    Ok(Summary {
        events,
        commits: marks.len(),
        head: head_commit,
        tags,
        skipped,
    })
}

/// Why writing the stream stopped.
enum Failure {
    /// Reading the log failed.
    Travaux(CliError),
    /// The pipe to fast-import broke (it failed; its stderr says why).
    Io(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

impl From<travaux_store::StoreError> for Failure {
    fn from(e: travaux_store::StoreError) -> Self {
        Failure::Travaux(e.into())
    }
}

/// A text change waiting to be written: the events of one commit (several parts of one
/// revision, or one decision).
struct Pending {
    events: Vec<RecordedEvent>,
    /// For a decision: the message, worked out with the labels as they stood before it.
    message: Option<(Ident, String)>,
}

/// Writes the fast-import stream.
struct Exporter<'a, W: Write> {
    out: W,
    people: &'a People,
    file: &'a str,
    /// The seq of each commit's last event, in order; commit `i` has mark `i + 1`.
    marks: Vec<u64>,
    events: usize,
}

impl<W: Write> Exporter<'_, W> {
    /// The whole stream: commits as the document's events are folded, then tags, then `done`.
    fn stream(
        &mut self,
        ctx: &Ctx<'_>,
        head: &DocumentState,
    ) -> Result<(Vec<TagOut>, Vec<Skipped>), Failure> {
        let mut state: Option<DocumentState> = None;
        let mut pending: Option<Pending> = None;
        let mut tag_events: Vec<RecordedEvent> = Vec::new();
        let mut proposed: HashMap<AmendmentNo, Timestamp> = HashMap::new();
        // On a terminal, a progress bar for long histories (indicatif draws nothing otherwise).
        let progress = indicatif::ProgressBar::new(head.version);
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "exporting {bar:40} {pos}/{len} events ({per_sec}, {eta} left)",
            )
            .expect("a valid template"),
        );
        for e in ctx.store.stream(StreamId::document(head.id)) {
            let e = e?;
            self.events += 1;
            if self.events.is_multiple_of(4096) {
                progress.set_position(self.events as u64);
            }
            let continues = match (&pending, &e.event) {
                (Some(p), Event::RevisionIssued { revision, .. }) => matches!(
                    &p.events[0].event,
                    Event::RevisionIssued { revision: r, .. } if r == revision
                ),
                _ => false,
            };
            if !continues {
                if let (Some(p), Some(s)) = (pending.take(), &state) {
                    self.commit(p, s)?;
                }
            }
            match &e.event {
                Event::RevisionIssued { .. } => match &mut pending {
                    Some(p) => p.events.push(e.clone()),
                    None => {
                        pending = Some(Pending {
                            events: vec![e.clone()],
                            message: None,
                        })
                    }
                },
                Event::AmendmentProposed { amendment, .. } => {
                    proposed.insert(*amendment, e.recorded_at);
                }
                Event::DecisionRecorded { ops, amendment, .. } if !ops.is_empty() => {
                    let when = proposed.get(amendment).copied();
                    let message = state
                        .as_ref()
                        .map(|s| decision_message(&e, s, when, self.people));
                    pending = Some(Pending {
                        events: vec![e.clone()],
                        message,
                    });
                }
                Event::TagSet { .. } => tag_events.push(e.clone()),
                // A withdrawn tag is not exported; its name may name another point later.
                Event::TagWithdrawn { name, .. } => tag_events
                    .retain(|t| !matches!(&t.event, Event::TagSet { name: n, .. } if n == name)),
                _ => {}
            }
            DocumentState::fold(&mut state, &e);
        }
        if let (Some(p), Some(s)) = (pending.take(), &state) {
            self.commit(p, s)?;
        }
        progress.finish_and_clear();
        let tags = self.tags(&tag_events)?;
        self.out.write_all(b"done\n")?;
        Ok(tags)
    }

    /// One commit: the text as it stands after the pending events (`state`).
    fn commit(&mut self, p: Pending, state: &DocumentState) -> Result<(), Failure> {
        let last = p.events.last().expect("a commit has events");
        let (author, message) = match p.message {
            Some(m) => m,
            None => (
                self.people.of(last.actor),
                revision_message(&p.events, self.people),
            ),
        };
        let committer = self.people.of(last.actor);
        let md = travaux_core::markdown::markdown(state, None);
        let md = md.strip_prefix('\n').unwrap_or(&md);
        let mark = self.marks.len() + 1;
        let w = &mut self.out;
        writeln!(w, "commit refs/heads/{BRANCH}")?;
        writeln!(w, "mark :{mark}")?;
        writeln!(w, "author {}", author.line(&last.recorded_at))?;
        writeln!(w, "committer {}", committer.line(&last.recorded_at))?;
        data(w, message.as_bytes())?;
        writeln!(w, "M 100644 inline {}", self.file)?;
        data(w, md.as_bytes())?;
        self.marks.push(last.seq);
        Ok(())
    }

    /// Annotated tags, each on the commit of the last text change at or before its event.
    fn tags(&mut self, events: &[RecordedEvent]) -> Result<(Vec<TagOut>, Vec<Skipped>), Failure> {
        let named: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.event {
                Event::TagSet { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let git_names = git_tag_names(&named);
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        for (e, git_name) in events.iter().zip(git_names) {
            let Event::TagSet { name, seq } = &e.event else {
                continue;
            };
            let at = self.marks.partition_point(|s| s <= seq);
            if at == 0 {
                skipped.push(Skipped {
                    name: name.clone(),
                    seq: *seq,
                    reason: "the document had no text yet at that point",
                });
                continue;
            }
            let tagger = self.people.of(e.actor);
            let mut msg = format!(
                "{name}: the text as of event {seq}\n\nTagged by {} ({}) on {} UTC.\n\n",
                tagger.name,
                tagger.handle,
                render::when(&e.recorded_at)
            );
            if git_name != *name {
                msg.push_str(&format!("Travaux-Tag: {name}\n"));
            }
            msg.push_str(&format!(
                "Travaux-Tag-Seq: {seq}\nTravaux-Event: {}\nTravaux-Event-Id: {}\n",
                e.seq, e.id.0
            ));
            let w = &mut self.out;
            writeln!(w, "tag {git_name}")?;
            writeln!(w, "from :{at}")?;
            writeln!(w, "tagger {}", tagger.line(&e.recorded_at))?;
            data(w, msg.as_bytes())?;
            out.push(TagOut {
                name: name.clone(),
                git: git_name,
                seq: *seq,
                commit_seq: self.marks[at - 1],
            });
        }
        Ok((out, skipped))
    }
}

/// `data <len>` and the bytes, exactly.
fn data(w: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    writeln!(w, "data {}", bytes.len())?;
    w.write_all(bytes)?;
    w.write_all(b"\n")
}

/// The message of a revision's commit (one or several parts).
fn revision_message(parts: &[RecordedEvent], people: &People) -> String {
    let first = &parts[0];
    let Event::RevisionIssued {
        revision, label, ..
    } = &first.event
    else {
        unreachable!("a revision's commit holds revisions")
    };
    let ops: Vec<ClauseOp> = parts.iter().flat_map(|e| e.event.ops().to_vec()).collect();
    let who = people.of(first.actor);
    let mut msg = match label {
        Some(l) => format!("Revision {revision}: {}\n\n", one_line(l)),
        None => format!("Revision {revision}\n\n"),
    };
    let mut body = format!(
        "Issued by {} ({}) at event {}, {} UTC: {}.",
        who.name,
        who.handle,
        first.seq,
        render::when(&first.recorded_at),
        render::ops_summary(&ops)
    );
    if parts.len() > 1 {
        body.push_str(&format!(
            " Recorded in {} parts, events {} to {}.",
            parts.len(),
            first.seq,
            parts[parts.len() - 1].seq
        ));
    }
    msg.push_str(&wrap(&body));
    msg.push_str("\n\n");
    msg.push_str(&format!("Travaux-Revision: {revision}\n"));
    for e in parts {
        msg.push_str(&format!(
            "Travaux-Event: {}\nTravaux-Event-Id: {}\n",
            e.seq, e.id.0
        ));
    }
    msg
}

/// The author (the proposer) and the message of an accepted amendment's commit, with labels
/// as they stood just before the decision.
fn decision_message(
    e: &RecordedEvent,
    before: &DocumentState,
    proposed_at: Option<Timestamp>,
    people: &People,
) -> (Ident, String) {
    let Event::DecisionRecorded {
        amendment,
        outcome,
        method,
        ..
    } = &e.event
    else {
        unreachable!("a decision's commit holds a decision")
    };
    let chair = people.of(e.actor);
    let Some(a) = before.amendments.get(amendment) else {
        // Cannot happen in a verified log: a decision is on a proposed amendment.
        let msg = format!(
            "{amendment}: {} {method}\n\nTravaux-Event: {}\nTravaux-Event-Id: {}\n",
            outcome.name(),
            e.seq,
            e.id.0
        );
        return (chair, msg);
    };
    let proposer = people.of(a.proposer);
    let mut msg = format!(
        "{amendment} ({}): {} — {} {method}\n\n",
        proposer.handle,
        render::change(before, &a.change),
        outcome.name()
    );
    let mut paras: Vec<String> = Vec::new();
    let proposed = format!(
        "Proposed by {} ({}) at event {}{}.",
        proposer.name,
        proposer.handle,
        a.proposed_seq,
        proposed_at
            .map(|t| format!(", {} UTC", render::when(&t)))
            .unwrap_or_default()
    );
    paras.push(match &a.change {
        Change::Replace { text, .. } | Change::Insert { text, .. } => {
            format!("{}\nProposed text:\n{}", wrap(&proposed), quote(text))
        }
        _ => wrap(&proposed),
    });
    if let Some(r) = &a.rationale {
        paras.push(wrap(&format!("Rationale: {r}")));
    }
    let decided = format!(
        "Decided at event {}, {} UTC, recorded by {} ({}): {} {method}.",
        e.seq,
        render::when(&e.recorded_at),
        chair.name,
        chair.handle,
        outcome.name()
    );
    paras.push(match outcome {
        Outcome::AcceptedAsModified { text } => {
            format!("{}\nAgreed text:\n{}", wrap(&decided), quote(text))
        }
        _ => wrap(&decided),
    });
    let handles = |set: &BTreeSet<ParticipantId>| {
        let mut hs: Vec<String> = set.iter().map(|p| people.handle(*p)).collect();
        hs.sort();
        if hs.is_empty() {
            "none".to_string()
        } else {
            hs.join(", ")
        }
    };
    paras.push(format!(
        "{}\n{}",
        wrap(&format!("Supported by: {}", handles(&a.supporters))),
        wrap(&format!("Opposed by: {}", handles(&a.opposers)))
    ));
    msg.push_str(&paras.join("\n\n"));
    msg.push_str(&format!(
        "\n\nTravaux-Amendment: {amendment}\nTravaux-Event: {}\nTravaux-Event-Id: {}\n",
        e.seq, e.id.0
    ));
    (proposer, msg)
}

/// A label on one line (a first line of a commit message must not break).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A text quoted as `> ` lines, wrapped.
fn quote(text: &str) -> String {
    text.lines()
        .flat_map(|l| {
            let w = wrap_width(l, 70);
            w.lines().map(|x| format!("> {x}")).collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A paragraph wrapped at 72 columns.
fn wrap(text: &str) -> String {
    text.lines()
        .map(|l| wrap_width(l, 72))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_width(line: &str, width: usize) -> String {
    let mut out = String::new();
    let mut col = 0;
    for word in line.split_whitespace() {
        let n = word.chars().count();
        if col > 0 && col + 1 + n > width {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += n;
    }
    out
}

/// Git names for travaux tags, in the order given (the order they were set).
///
/// A name git accepts as `refs/tags/NAME` (see `git check-ref-format`) stays as it is:
/// `EB124/13`, `WHA63.16`. Otherwise each character git refuses (space, `~ ^ : ? * [ \`, ASCII
/// control characters) becomes `_`, as do a `.` that starts a path component or follows another
/// `.`, the `{` of `@{`, a `.` that ends the name, the `.` of a component's `.lock` ending, and
/// a leading `-` (it would read as an option); empty components (`a//b`, a leading or trailing
/// `/`) are dropped, and the name `@` alone (which git reads as HEAD) becomes `_`. When two
/// names end up the same, or one would be a folder of the other (`EB124` and `EB124/13` cannot
/// both be refs), the later one has its `/` turned into `_` and, if needed, `_2`, `_3`, …
/// appended.
pub fn git_tag_names(names: &[&str]) -> Vec<String> {
    let mapped: Vec<String> = names.iter().map(|n| git_ref_component(n)).collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out: Vec<Option<String>> = vec![None; names.len()];
    // Names git accepts as they are get them first; then the mapped ones.
    for pass in [true, false] {
        for (i, m) in mapped.iter().enumerate() {
            if out[i].is_some() || (m == names[i]) != pass {
                continue;
            }
            let flat = m.replace('/', "_");
            let mut candidates = vec![m.clone(), flat.clone()]
                .into_iter()
                .chain((2..).map(|k| format!("{flat}_{k}")));
            let chosen = candidates
                .find(|c| !conflicts(&taken, c))
                .expect("an unused name");
            taken.insert(chosen.clone());
            out[i] = Some(chosen);
        }
    }
    out.into_iter().map(|n| n.expect("every name")).collect()
}

/// Whether a ref name is taken, or one of the taken names is a folder of it or it of one.
fn conflicts(taken: &BTreeSet<String>, name: &str) -> bool {
    if taken.contains(name) {
        return true;
    }
    let mut prefix = String::new();
    for (i, part) in name.split('/').enumerate() {
        if i > 0 {
            if taken.contains(&prefix) {
                return true;
            }
            prefix.push('/');
        }
        prefix.push_str(part);
    }
    let folder = format!("{name}/");
    taken
        .range(folder.clone()..)
        .next()
        .is_some_and(|t| t.starts_with(&folder))
}

/// One travaux tag name made into a name git accepts under `refs/tags/`.
fn git_ref_component(name: &str) -> String {
    let refused = |c: char| {
        c.is_ascii_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    };
    let mut s = String::with_capacity(name.len());
    let mut prev = None;
    for c in name.chars() {
        let c = if refused(c)
            || (c == '.' && matches!(prev, None | Some('/') | Some('.')))
            || (c == '{' && prev == Some('@'))
        {
            '_'
        } else {
            c
        };
        s.push(c);
        prev = Some(c);
    }
    let parts: Vec<String> = s
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|p| match p.strip_suffix(".lock") {
            Some(stem) => format!("{stem}_lock"),
            None => p.to_string(),
        })
        .collect();
    let mut s = parts.join("/");
    if s.ends_with('.') {
        s.pop();
        s.push('_');
    }
    if s.starts_with('-') {
        s.replace_range(0..1, "_");
    }
    if s.is_empty() || s == "@" {
        s = "_".to_string();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_git_accepts_stay_as_they_are() {
        let names = ["EB124/13", "WHA63.16", "first-draft", "A/63/8", "ébauche"];
        assert_eq!(git_tag_names(&names), names);
    }

    #[test]
    fn refused_names_are_mapped_as_documented() {
        let cases = [
            ("final text", "final_text"),
            ("a..b", "a._b"),
            (".hidden", "_hidden"),
            ("x/.y", "x/_y"),
            ("ends.", "ends_"),
            ("v1.lock", "v1_lock"),
            ("a//b/", "a/b"),
            ("@", "_"),
            ("a@{1}", "a@_1}"),
            ("-x", "_x"),
            ("what? *this* [1]: ~2^", "what___this___1]___2_"),
            ("back\\slash", "back_slash"),
        ];
        for (from, to) in cases {
            assert_eq!(git_tag_names(&[from]), [to], "{from}");
        }
    }

    #[test]
    fn clashes_and_folders_are_kept_apart() {
        assert_eq!(
            git_tag_names(&["a b", "a_b", "a?b"]),
            ["a_b_2", "a_b", "a_b_3"]
        );
        assert_eq!(
            git_tag_names(&["EB124/13", "EB124"]),
            ["EB124/13", "EB124_2"]
        );
        assert_eq!(git_tag_names(&["EB124", "EB124/13"]), ["EB124", "EB124_13"]);
    }

    #[test]
    fn every_mapped_name_passes_git_check_ref_format() {
        let names = [
            "final text",
            "a..b",
            ".hidden",
            "x/.y",
            "ends.",
            "v1.lock",
            "a//b/",
            "@",
            "a@{1}",
            "-x",
            "what? *this* [1]: ~2^",
            "back\\slash",
            "...",
            "/",
            "./.",
            "a/./b",
            "x.lock/y",
            "tab\there",
            "del\u{7f}",
            "EB124/13",
            "WHA63.16",
            "@{",
            ".lock",
            "a/.lock",
        ];
        let mapped = git_tag_names(&names);
        let Ok(out) = Process::new("git").arg("--version").output() else {
            eprintln!("git is not installed; skipping");
            return;
        };
        assert!(out.status.success());
        for (n, m) in names.iter().zip(&mapped) {
            let ok = Process::new("git")
                .args(["check-ref-format", &format!("refs/tags/{m}")])
                .status()
                .expect("git check-ref-format");
            assert!(ok.success(), "{n:?} → {m:?} is refused by git");
        }
    }

    #[test]
    fn messages_wrap_at_72_columns() {
        let text = "word ".repeat(40);
        for line in wrap(&text).lines() {
            assert!(line.chars().count() <= 72);
        }
        assert_eq!(wrap("short"), "short");
    }
}
