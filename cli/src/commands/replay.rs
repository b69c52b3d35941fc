//! `travaux replay`: the negotiation told event by event, each with its effect: the clause
//! diffs a text change caused, the amendment a proposal makes and its eventual fate, the
//! clause and position of a comment, the name of a tag. `--json` writes one JSON object per
//! line (JSON Lines) for other tools.
//!
//! The events replayed are those after `--from` up to and including `--to`: replaying from
//! one point to another tells how the text at the first became the text at the second.
//!
//! For people it reads as the story of the negotiation: people by their names, a run of role
//! grants (or revocations) by one participant, or of reports in one round, told in one line
//! (`--full` tells each, and prints comments, reports and questions in full under their line);
//! `--kind`, `--participant` and `--clause` keep the events `log` would keep.
//!
//! `--follow` (through `--server`) tells the events as they are appended, read from the
//! server's event stream of the document, from its head (or after `--from`) until interrupted;
//! after a dropped connection it resumes where it stopped (`Last-Event-ID`), so that no event
//! is missed or told twice.

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use clap::Args;
use serde_json::{json, Value};
use travaux_core::diff::{Span, SpanKind};
use travaux_core::{Cut, DocumentState, Event, Point, RecordedEvent, StreamId};

use crate::client::{self, Server};
use crate::commands::log::{self, History, Scope};
use crate::context::Ctx;
use crate::error::{CliError, CliResult};
use crate::globals::Globals;
use crate::render::{self, Names};

/// Arguments of `replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Start after this point (an event number, a date or time, a tag; a date means its end,
    /// as in `show --at`) [default: the document's creation, included]
    #[arg(long, value_name = "POINT")]
    pub from: Option<Point>,
    /// End at this point, included
    #[arg(long, default_value = "head", value_name = "POINT")]
    pub to: Point,
    /// Keep following: tell each event as it is appended, until interrupted (Ctrl-C). Needs
    /// a server (--server URL or TRAVAUX_SERVER); starts at the head, or after --from
    #[arg(long, short = 'f')]
    pub follow: bool,
    /// Only events about this clause and every clause under it (as `log --clause`)
    #[arg(long, conflicts_with = "follow", value_name = "CLAUSE")]
    pub clause: Option<String>,
    /// Only events by this participant
    #[arg(long, conflicts_with = "follow", value_name = "PARTICIPANT")]
    pub participant: Option<String>,
    /// Only events of this type (such as comment_posted; as `log --kind`)
    #[arg(long, conflicts_with = "follow", value_name = "TYPE")]
    pub kind: Option<String>,
    /// Every event on its own line (runs of role grants and of reports are otherwise one line
    /// each), with comments, reports and questions in full under their line
    #[arg(long)]
    pub full: bool,
}

/// Run `replay`.
pub fn run(ctx: &mut Ctx<'_>, args: &ReplayArgs) -> CliResult {
    if args.follow {
        return Err(client::usage(
            "replay --follow follows a document live through `travaux serve`: pass --server URL (or set TRAVAUX_SERVER), with TRAVAUX_TOKEN if the document is not public",
        ));
    }
    let head = ctx.head_without_amendments()?;
    let json = ctx.globals.json;
    // Tools get handles; people read names.
    let names = if json {
        Names::load(ctx.store)?
    } else {
        Names::load_names(ctx.store)?
    };
    let by = args
        .participant
        .as_deref()
        .map(|p| ctx.participant(p))
        .transpose()?
        .map(|p| p.id);
    if let Some(kind) = &args.kind {
        if !Event::KINDS.contains(&kind.as_str()) {
            return Err(CliError::refused(format!(
                "'{kind}' is not an event type; the types are: {}",
                Event::KINDS.join(", ")
            )));
        }
    }
    let scope = args
        .clause
        .as_deref()
        .map(|c| head.resolve_clause(c).map(|root| Scope::new(&head, root)))
        .transpose()?;
    // The last event (version, seq) of the document at a point: 0 before its creation.
    let last_at = |point: &Point| -> CliResult<(u64, u64)> {
        Ok(match cut(ctx, point)? {
            Cut::Head => (head.version, head.seq),
            cut => ctx
                .store
                .document_at(head.id, cut)?
                .map_or((0, 0), |s| (s.version, s.seq)),
        })
    };
    let (to_version, to_seq) = last_at(&args.to)?;
    if to_version == 0 {
        return Err(CliError::refused(format!(
            "{} did not exist yet at {} (it was created {})",
            head.slug,
            args.to,
            render::when(&head.created_at)
        )));
    }
    let (from_version, from_seq) = match &args.from {
        Some(p) => last_at(p)?,
        None => (0, 0),
    };
    if from_seq > to_seq {
        return Err(CliError::refused(format!(
            "--from {} (event {from_seq}) comes after --to {} (event {to_seq}); swap them",
            args.from.as_ref().expect("a --from"),
            args.to
        )));
    }

    let color = ctx.color();
    let full = args.full;
    if !json {
        let count = to_version - from_version;
        ctx.line(format_args!(
            "{}: {count} event{} from {} to {}",
            head.slug,
            if count == 1 { "" } else { "s" },
            match &args.from {
                Some(p) => format!("{p} (after event {from_seq})"),
                None => "the start".to_string(),
            },
            format_args!("{} (event {to_seq})", args.to),
        ))?;
    }
    let store = ctx.store;
    let mut history = History::new(store, head.id);
    let (names, head) = (&names, &*head);
    // Two threads: this one reads the events, folds them and tells each in words; the other
    // works out the diffs each made and writes the lines, in order, a batch at a time.
    std::thread::scope(|s| -> CliResult {
        // Each batch comes back with its lines, to be freed by the thread that made it: with
        // glibc's allocator, freeing on one thread what another allocated contends for its
        // arena (a replay of 1,000,000 events switched threads 283,000 times). The lines come
        // with what stopped them, if anything did: the lines before an event that cannot be
        // told are written all the same, as one thread would have.
        let (jobs, todo) = mpsc::sync_channel::<Vec<Job>>(4);
        let (lines, told) = mpsc::channel::<(Vec<u8>, CliResult, Vec<Job>)>();
        s.spawn(move || {
            for batch in todo {
                let mut text = Vec::new();
                let written = batch
                    .iter()
                    .try_for_each(|job| job.tell(&mut text, names, head, json, color, full));
                let stop = written.is_err();
                if lines.send((text, written, batch)).is_err() || stop {
                    break;
                }
            }
        });
        let mut write = |(text, written, _done): (Vec<u8>, CliResult, Vec<Job>)| -> CliResult {
            ctx.out.write_all(&text)?;
            written
        };
        let mut batch = Vec::with_capacity(BATCH);
        let stream =
            store.stream_between(StreamId::document(head.id), from_version + 1, to_version);
        let mut run: Option<Run> = None;
        let read = || -> CliResult {
            for e in stream {
                let e = e?;
                let kept = by.is_none_or(|id| e.actor == id)
                    && args.kind.as_deref().is_none_or(|k| e.event.kind() == k)
                    && match &scope {
                        None => true,
                        Some(scope) => history.before(&e)?.as_ref().is_some_and(|state| {
                            !scope.touched(std::slice::from_ref(&e), state).is_empty()
                        }),
                    };
                if !kept {
                    history.pass(&e);
                    continue;
                }
                // A run of grants or reports: one line for people, unless --full.
                let key = if json || full { None } else { RunKey::of(&e) };
                if let Some(r) = &mut run {
                    if key.as_ref() == Some(&r.key) {
                        if let Some(first) = r.first.take() {
                            history.pass(&first);
                        }
                        r.add(&e, names);
                        history.pass(&e);
                        continue;
                    }
                }
                if let Some(done) = run.take() {
                    batch.push(done.finish(&mut history, names)?);
                }
                if let Some(key) = key {
                    run = Some(Run::new(key, e, names));
                    continue;
                }
                batch.push(Job::told(&mut history, e, names, json)?);
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if jobs.send(full).is_err() {
                        // The other thread stopped: what stopped it comes below.
                        return Ok(());
                    }
                    while let Ok(lines) = told.try_recv() {
                        write(lines)?;
                    }
                }
            }
            if let Some(done) = run.take() {
                batch.push(done.finish(&mut history, names)?);
            }
            Ok(())
        };
        let read = read();
        // The events told before whatever stopped the reading are written, then the error.
        let _ = jobs.send(batch);
        drop(jobs);
        for lines in told {
            write(lines)?;
        }
        read
    })
}

/// How many events go to the thread that writes them at a time.
const BATCH: usize = 64;

/// What the thread that writes gets: an event to tell, or a line already said (a run of
/// events told as one).
enum Job {
    /// One event, with its diffs still to work out.
    Event(Box<Told>),
    /// A line told already.
    Said(String),
}

/// One event for the thread that works out its diffs and writes it.
struct Told {
    e: RecordedEvent,
    prepared: log::Prepared,
    /// The name of the head status of the amendment it is about (for JSON).
    status: Option<&'static str>,
    /// What became of that amendment, in words (for people).
    fate: String,
}

/// What makes events one run: the same type, by the same participant (role grants and
/// revocations, of one role), or in the same round (reports).
#[derive(PartialEq, Eq)]
enum RunKey {
    Granted(travaux_core::ParticipantId, String),
    Revoked(travaux_core::ParticipantId, String),
    Reports(String),
}

impl RunKey {
    fn of(e: &RecordedEvent) -> Option<RunKey> {
        match &e.event {
            Event::RoleGranted { role, .. } => Some(RunKey::Granted(e.actor, role.to_string())),
            Event::RoleRevoked { role, .. } => Some(RunKey::Revoked(e.actor, role.to_string())),
            Event::ReportSubmitted { phase, .. } => Some(RunKey::Reports(phase.to_string())),
            _ => None,
        }
    }
}

/// A run of events told as one line: the first (not yet folded while it is alone), how many,
/// the last, and who they name.
struct Run {
    key: RunKey,
    first: Option<RecordedEvent>,
    first_line: (u64, travaux_core::Timestamp, travaux_core::ParticipantId),
    last: (u64, travaux_core::Timestamp),
    count: usize,
    who: Vec<String>,
}

/// How many people a summary line names before "and N more".
const NAMED: usize = 8;

impl Run {
    fn new(key: RunKey, e: RecordedEvent, names: &Names) -> Run {
        let mut run = Run {
            key,
            first_line: (e.seq, e.recorded_at, e.actor),
            last: (e.seq, e.recorded_at),
            count: 0,
            who: Vec::new(),
            first: None,
        };
        run.add(&e, names);
        run.first = Some(e);
        run
    }

    fn add(&mut self, e: &RecordedEvent, names: &Names) {
        self.count += 1;
        self.last = (e.seq, e.recorded_at);
        if self.who.len() < NAMED {
            self.who.push(match &e.event {
                Event::RoleGranted { participant, .. } | Event::RoleRevoked { participant, .. } => {
                    names.of(*participant)
                }
                _ => names.of(e.actor),
            });
        }
    }

    /// The run told: as its one event if alone, else as one line.
    fn finish(self, history: &mut History<'_>, names: &Names) -> CliResult<Job> {
        if let Some(first) = self.first {
            return Job::told(history, first, names, false);
        }
        let mut who = self.who.join(", ");
        if self.count > self.who.len() {
            who.push_str(&format!(" and {} more", self.count - self.who.len()));
        }
        let (seq, at, actor) = self.first_line;
        let span = format!(
            "events {seq}–{}, to {}",
            self.last.0,
            render::when(&self.last.1)
        );
        let (actor, told) = match &self.key {
            RunKey::Granted(_, role) => (
                names.of(actor),
                format!(
                    "granted {role} to {} participants ({span}): {who}",
                    self.count
                ),
            ),
            RunKey::Revoked(_, role) => (
                names.of(actor),
                format!(
                    "revoked {role} from {} participants ({span}): {who}",
                    self.count
                ),
            ),
            RunKey::Reports(phase) => (
                format!("{} participants", self.count),
                format!("{} reports in {phase} ({span}), from {who}", self.count),
            ),
        };
        Ok(Job::Said(format!(
            "{seq:>6}  {}  {actor:<14} {told}",
            render::when(&at)
        )))
    }
}

impl Job {
    /// An event prepared for telling (the history folded over it).
    fn told(
        history: &mut History<'_>,
        e: RecordedEvent,
        names: &Names,
        json: bool,
    ) -> CliResult<Job> {
        let prepared = history.prepare(&e, names, true)?;
        let status = history.status(&e)?.map(|s| s.name());
        let fate = if json {
            String::new()
        } else {
            history.fate(&e)?
        };
        Ok(Job::Event(Box::new(Told {
            e,
            prepared,
            status,
            fate,
        })))
    }

    /// Work out the diffs and write the event's lines (or JSON line) after `text`.
    fn tell(
        &self,
        text: &mut Vec<u8>,
        names: &Names,
        head: &DocumentState,
        json: bool,
        color: bool,
        full: bool,
    ) -> CliResult {
        let Told {
            e,
            prepared,
            status,
            fate,
        } = match self {
            Job::Event(told) => &**told,
            Job::Said(line) => {
                writeln!(text, "{line}")?;
                return Ok(());
            }
        };
        let (effects, proposal) = prepared.diffs();
        if json {
            let step = log::Step {
                told: prepared.told().to_string(),
                effects,
                proposal,
                label: prepared.label().map(str::to_string),
            };
            let line = json_line(e, &step, head, *status, names)?;
            writeln!(text, "{}", serde_json::to_string(&line)?)?;
            return Ok(());
        }
        // A comment since retracted says so where it is told.
        let retracted = match &e.event {
            Event::CommentPosted { comment, .. } => head
                .process
                .retracted_comments
                .get(comment)
                .map(|seq| format!(" [retracted at event {seq}]"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let told = format!("{}{fate}{retracted}", prepared.told());
        writeln!(text, "{}", log::line(e, names, &told))?;
        if full {
            if let Event::CommentPosted { text: said, .. }
            | Event::ReportSubmitted { text: said, .. }
            | Event::QuestionPosed { text: said, .. } = &e.event
            {
                for l in said.lines() {
                    writeln!(text, "          {l}")?;
                }
            }
        }
        if let Event::AmendmentProposed { rationale, .. } = &e.event {
            if let Some(p) = &proposal {
                for l in log::effect_lines(p, color, "would be ") {
                    writeln!(text, "{l}")?;
                }
            }
            if let Some(r) = rationale {
                writeln!(text, "          rationale: {r}")?;
            }
        }
        for f in &effects {
            for l in log::effect_lines(f, color, "") {
                writeln!(text, "{l}")?;
            }
        }
        Ok(())
    }
}

/// A point as a cut of the log, as `show --at` reads it.
fn cut(ctx: &Ctx<'_>, point: &Point) -> CliResult<Cut> {
    Ok(ctx.cut(point)?.1)
}

/// One event for tools: where and when, who, its type and payload, and its effect.
fn json_line(
    e: &RecordedEvent,
    step: &log::Step,
    head: &DocumentState,
    fate: Option<&str>,
    names: &Names,
) -> CliResult<serde_json::Value> {
    let effect = match &e.event {
        Event::RevisionIssued { .. } => json!({ "clauses": step.effects }),
        Event::DecisionRecorded {
            amendment, outcome, ..
        } => json!({
            "amendment": amendment.to_string(),
            "outcome": outcome.name(),
            "fate": fate,
            "clauses": step.effects,
        }),
        Event::AmendmentProposed {
            amendment, change, ..
        } => json!({
            "amendment": amendment.to_string(),
            "change": change.kind(),
            "clause": change.clause(),
            "label": step.label,
            "proposed": step.proposal,
            "fate": fate,
        }),
        Event::AmendmentSupported { amendment }
        | Event::AmendmentOpposed { amendment }
        | Event::AmendmentWithdrawn { amendment } => json!({
            "amendment": amendment.to_string(),
            "fate": fate,
        }),
        Event::CommentPosted {
            comment,
            clause,
            position,
            ..
        } => json!({
            "comment": comment.to_string(),
            "clause": clause,
            "label": step.label,
            "position": position,
            "retracted_seq": head.process.retracted_comments.get(comment),
        }),
        Event::TagSet { name, seq } | Event::TagWithdrawn { name, seq } => {
            json!({ "tag": name, "seq": seq })
        }
        Event::CommentRetracted { comment } => json!({ "comment": comment.to_string() }),
        Event::RoleGranted { participant, role } | Event::RoleRevoked { participant, role } => {
            json!({ "participant": names.of(*participant), "role": role })
        }
        _ => json!({}),
    };
    let mut line = render::event_json(e, names, head.phase_of(e))?;
    line["told"] = json!(step.told);
    line["effect"] = effect;
    Ok(line)
}

/// Run `replay --follow` through a server: tell each event of the document as it is appended,
/// read from the server's event stream, until interrupted (Ctrl-C or SIGTERM, exit code 0).
/// After a dropped connection it reconnects and resumes after the last event told.
///
/// Each event (or burst of events, as they arrive together) is told by the server's own
/// `replay --from A --to B`, so that the lines are those `replay` prints, with `--json` too.
pub fn follow(
    globals: &Globals,
    args: &ReplayArgs,
    server: &Server,
    out: &mut dyn Write,
) -> CliResult {
    if args.to != Point::Head {
        return Err(client::usage(
            "--to ends a replay and --follow never ends: leave out one of them",
        ));
    }
    let slug = match &globals.doc {
        Some(slug) => slug.clone(),
        None => only_document(server)?,
    };
    let start = match &args.from {
        Some(Point::Seq(n)) => *n,
        from => seq_at(server, &slug, from.as_ref())?,
    };
    stop_on_signal();
    let teller = Teller {
        server,
        slug: &slug,
        json: globals.json,
        color: client::color(globals),
    };
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        eprintln!("following {slug} after event {start} (Ctrl-C to stop)");
    }
    let path = format!("/v1/documents/{slug}/events");
    let mut last = start;
    let mut connected = false;
    let mut delay = Duration::from_millis(200);
    loop {
        match server.events(&path, last) {
            Ok(mut stream) => {
                if connected {
                    tracing::warn!(
                        "reconnected to {}; resuming after event {last}",
                        server.base
                    );
                }
                connected = true;
                delay = Duration::from_millis(200);
                let mut burst: Vec<(u64, client::Message)> = Vec::new();
                loop {
                    let message = match stream.next_message() {
                        Ok(Some(m)) => m,
                        Ok(None) => {
                            tracing::warn!("the server closed the event stream; reconnecting");
                            break;
                        }
                        Err(e) => {
                            tracing::warn!("the event stream broke ({e}); reconnecting");
                            break;
                        }
                    };
                    let seq = message.id.as_deref().and_then(|i| i.trim().parse().ok());
                    let Some(seq) = seq else {
                        tracing::debug!(event = ?message.event, "a message without an event number");
                        continue;
                    };
                    if seq <= burst.last().map_or(last, |(s, _)| *s) {
                        continue;
                    }
                    burst.push((seq, message));
                    // Tell a burst once nothing more has arrived with it.
                    if !stream.has_buffered() {
                        last = teller.tell(last, &burst, out)?;
                        burst.clear();
                    }
                }
                if !burst.is_empty() {
                    last = teller.tell(last, &burst, out)?;
                }
            }
            // Once followed, a server out of reach is waited for: it may be restarting.
            Err(e) if connected && e.code == 5 => {
                tracing::warn!("{}; retrying in {} ms", e.message, delay.as_millis());
            }
            Err(e) => return Err(e),
        }
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// How followed events are told.
struct Teller<'a> {
    server: &'a Server,
    slug: &'a str,
    json: bool,
    color: bool,
}

impl Teller<'_> {
    /// Tell the events of a burst (all after `last`, in order), flushed; the last one told.
    fn tell(
        &self,
        last: u64,
        burst: &[(u64, client::Message)],
        out: &mut dyn Write,
    ) -> CliResult<u64> {
        let Some(&(to, _)) = burst.last() else {
            return Ok(last);
        };
        let mut argv: Vec<String> = ["replay", "--doc", self.slug, "--from"]
            .map(String::from)
            .to_vec();
        argv.extend([
            last.to_string(),
            "--to".into(),
            to.to_string(),
            "--color".into(),
            if self.color { "always" } else { "never" }.into(),
        ]);
        match self.server.exec(&argv, self.json, &Default::default()) {
            Ok(replayed) => {
                // For people, the first line is replay's summary of the range.
                let skip = usize::from(!self.json);
                for line in replayed.lines().skip(skip) {
                    writeln!(out, "{line}")?;
                }
            }
            Err(e) => {
                // The events came; tell them from what the stream carries rather than lose
                // them.
                tracing::warn!("cannot replay events {}-{to}: {}", burst[0].0, e.message);
                for (_, m) in burst {
                    if self.json {
                        writeln!(out, "{}", m.data.trim())?;
                    } else if let Ok(line) = serde_json::from_str::<Value>(&m.data) {
                        for l in told(&line, self.color) {
                            writeln!(out, "{l}")?;
                        }
                    }
                }
            }
        }
        out.flush()?;
        Ok(to)
    }
}

/// The only document the server lets us see, as `replay` takes it without --doc.
fn only_document(server: &Server) -> CliResult<String> {
    let listed = server.exec(&["doc".into(), "list".into()], true, &Default::default())?;
    let docs: Value = serde_json::from_str(&listed)?;
    let slugs: Vec<&str> = docs
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["slug"].as_str()).collect())
        .unwrap_or_default();
    match slugs[..] {
        [slug] => Ok(slug.to_string()),
        [] => Err(CliError::refused(
            "the server's store has no document yet; create one with `travaux doc new SLUG --title TITLE`",
        )),
        _ => Err(CliError::refused(format!(
            "the server's store has several documents ({}); say which with --doc SLUG",
            slugs.join(", ")
        ))),
    }
}

/// The sequence number of the document's last event at a point (the head without one), as
/// the server's `show --json` gives it: following starts after it.
fn seq_at(server: &Server, slug: &str, point: Option<&Point>) -> CliResult<u64> {
    let mut argv = vec!["show".to_string(), "--doc".into(), slug.to_string()];
    if let Some(p) = point {
        argv.extend(["--at".into(), p.to_string()]);
    }
    let shown: Value = serde_json::from_str(&server.exec(&argv, true, &Default::default())?)?;
    shown["seq"].as_u64().ok_or_else(|| {
        CliError::refused(format!(
            "the server's `show --json` of {slug} names no event number"
        ))
    })
}

/// Exit with code 0 on Ctrl-C (SIGINT) or SIGTERM: following ends only so, and that is not a
/// failure. Each event is flushed as it is told, so nothing told is lost.
fn stop_on_signal() {
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                #[cfg(unix)]
                {
                    use tokio::signal::unix::{signal, SignalKind};
                    let Ok(mut term) = signal(SignalKind::terminate()) else {
                        let _ = tokio::signal::ctrl_c().await;
                        return;
                    };
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                #[cfg(not(unix))]
                let _ = tokio::signal::ctrl_c().await;
            });
            std::process::exit(0);
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot watch for Ctrl-C ({e}); it will end with the signal's status");
    }
}

/// An event as `replay` tells it to people, from its JSON line (`replay --json`; from an
/// event as `log --json` prints it, only its number, time, actor and type): the line with its number, time, actor and what it did, then
/// the clause diffs of a text change or a proposal and a proposal's rationale.
pub fn told(line: &Value, color: bool) -> Vec<String> {
    let kind = line["type"]
        .as_str()
        .or_else(|| {
            line["event"]
                .as_object()
                .and_then(|m| m.keys().next())
                .map(String::as_str)
        })
        .unwrap_or("event");
    let mut said = line["told"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| kind.replace('_', " "));
    // The fate of the amendment an event is about, unless the event sealed it.
    if let Some(fate) = line["effect"]["fate"].as_str() {
        if !matches!(kind, "decision_recorded" | "amendment_withdrawn") {
            said.push_str(&format!(" [{fate}]"));
        }
    }
    let time = line["time"].as_str().or(line["recorded_at"].as_str());
    let when = time
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| render::when(&t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|| time.unwrap_or("").to_string());
    // A participant's handle, or the start of its id.
    let actor = line["handle"]
        .as_str()
        .or(line["actor"].as_str())
        .unwrap_or("?");
    let actor = match uuid::Uuid::parse_str(actor) {
        Ok(id) => travaux_core::ParticipantId(id).short(),
        Err(_) => actor.to_string(),
    };
    let mut lines = vec![format!(
        "{:>6}  {}  {:<14} {said}",
        line["seq"].as_u64().unwrap_or(0),
        when,
        actor
    )];
    if kind == "amendment_proposed" {
        if line["effect"]["proposed"].is_object() {
            lines.extend(effect_lines(
                &line["effect"]["proposed"],
                color,
                "would be ",
            ));
        }
        if let Some(r) = line["event"]["rationale"].as_str() {
            lines.push(format!("          rationale: {r}"));
        }
    }
    if let Some(clauses) = line["effect"]["clauses"].as_array() {
        for f in clauses {
            lines.extend(effect_lines(f, color, ""));
        }
    }
    lines
}

/// What a text change did to one clause, from its JSON, as `log::effect_lines` tells it.
fn effect_lines(f: &Value, color: bool, verb: &str) -> Vec<String> {
    const HEAD: &str = "        ";
    const BODY: &str = "          ";
    let label = match (f["old_label"].as_str(), f["new_label"].as_str()) {
        (Some(o), Some(n)) if o != n => format!("{o} → {n}"),
        (Some(l), _) | (None, Some(l)) => l.to_string(),
        (None, None) => f["clause"]
            .as_str()
            .map(|c| c.replace('-', "").chars().take(8).collect())
            .unwrap_or_default(),
    };
    let changes: Vec<&str> = f["changes"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = vec![format!("{HEAD}{label}  {verb}{}", changes.join(", "))];
    if f["heading"].is_object() {
        out.push(format!(
            "{BODY}heading: {}",
            render::spans_inline(&spans(&f["heading"]), color)
        ));
    }
    if f["text"].is_object() {
        for l in render::spans_inline(&spans(&f["text"]), color).lines() {
            out.push(format!("{BODY}{l}"));
        }
    }
    if [&f["heading"], &f["text"]]
        .iter()
        .any(|d| d["approximated"].as_bool() == Some(true))
    {
        out.push(format!(
            "{BODY}(diff approximated: the time allowed for diffs ran out)"
        ));
    }
    out
}

/// The spans of a text diff's JSON.
fn spans(diff: &Value) -> Vec<Span> {
    diff["spans"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| Span {
                    kind: match s["kind"].as_str() {
                        Some("insert") => SpanKind::Insert,
                        Some("delete") => SpanKind::Delete,
                        _ => SpanKind::Equal,
                    },
                    text: s["text"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}
