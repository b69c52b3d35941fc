//! Writing: `execute` (decide under the writer lock, then append) and `append` (events as they
//! are), the retry of an event id answered from the log, the state a write starts from, and
//! `write_locked`, which encodes the events, chains their hashes and commits them with the read
//! models they change in one write of the engine.

#[allow(clippy::wildcard_imports)]
// reason: one module split in files by job, sharing its names
use super::*;

impl Store {
    /// Decide and append under the writer lock: `decide` sees the stream's document state (for
    /// a document stream that exists) and the store as a [`Directory`]; its events are appended
    /// atomically and durably. The state holds the amendments still open; an amendment closed
    /// already is read when `decide` asks for it (it answers [`DomainError::UnknownAmendment`]
    /// for one that exists), and `decide` is asked again — it is pure, so this costs only
    /// time — so a command pays for the amendments it names, not for every one. If `w.event_id` is already in the log for the same stream and
    /// actor, nothing is decided or written and the stored events are returned.
    ///
    /// Safe to call from many threads at once: decisions are taken one at a time against the
    /// latest state, and the appends share fsyncs (see [`Store::durable_head`]). A retry
    /// returns once the stored events are durable, like the append it repeats.
    pub fn execute(
        &self,
        w: Write,
        decide: impl FnMut(&dyn Directory, Option<&DocumentState>) -> Result<Vec<Event>, DomainError>,
    ) -> Result<Appended, StoreError> {
        let appended = self.execute_locked(w, decide)?;
        self.durable_through(appended.events.last().map_or(0, |e| e.seq))?;
        Ok(appended)
    }

    pub(super) fn execute_locked(
        &self,
        w: Write,
        mut decide: impl FnMut(
            &dyn Directory,
            Option<&DocumentState>,
        ) -> Result<Vec<Event>, DomainError>,
    ) -> Result<Appended, StoreError> {
        let mut head = self.writer();
        refuse_damaged(&head)?;
        self.refuse_unsynced()?;
        let turn = self.begin_write(&mut head)?;
        if let Some(stored) = self.retried(w.stream, w.actor, w.event_id, w.request)? {
            return Ok(Appended {
                events: stored,
                duplicate: true,
                document: None,
            });
        }
        let open = self.open_amendments(DocumentId(w.stream.0))?;
        let (mut state, checkpoint, version) =
            self.stream_state(&mut head, w.stream, w.expected, open.as_deref())?;
        let events = match self.decide_on(&mut state, &mut decide) {
            Ok(events) => events,
            Err(e) => {
                // Nothing was written: the document is still the head.
                if let Some(s) = state {
                    head.keep(Arc::new(s), checkpoint);
                }
                return Err(e);
            }
        };
        // Events change only amendments `decide` read, or open ones; make sure of it before
        // folding them, since the fold passes over an amendment it does not hold.
        if let Some(s) = &mut state {
            for no in events.iter().filter_map(Event::amendment) {
                // (A proposal's number is new: there is nothing to read.)
                if no.0 <= s.amendments_proposed && !s.amendments.contains_key(&no) {
                    self.add_amendment(s, no)?;
                }
            }
        }
        let time = resolve_clock(w.clock, head.last_time)?;
        let new: Vec<NewEvent> = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| NewEvent {
                id: derived_id(w.event_id, i),
                recorded_at: time,
                actor: w.actor,
                event,
            })
            .collect();
        let (events, document) = self.write_locked(
            &mut head,
            turn,
            Start {
                stream: w.stream,
                version,
                state,
                checkpoint,
            },
            new,
            w.request,
        )?;
        Ok(Appended {
            events,
            duplicate: false,
            document,
        })
    }

    /// Begin a write under the writer lock (see [`Engine::begin_write`]): if another process
    /// moved the log since this one last wrote (an engine shared between processes), the head
    /// is read again and the documents the writer kept are dropped, being no longer the head.
    pub(super) fn begin_write(&self, head: &mut Writer) -> Result<Turn<'_>, StoreError> {
        let turn = Turn {
            db: &*self.db,
            open: true,
        };
        if let Some(shared) = self.db.begin_write()? {
            if shared.seq != head.next_seq - 1 || shared.hash != head.hash {
                let (logged, last_time, damaged) = log_head(self.db.last_event())?;
                if let Some(why) = damaged {
                    return Err(StoreError::Damaged(why));
                }
                tracing::debug!(
                    from = head.next_seq - 1,
                    to = logged.seq,
                    "another process appended: the head moved"
                );
                head.next_seq = logged.seq + 1;
                head.hash = logged.hash;
                head.last_time = last_time;
                head.documents.clear();
                *self.applied() = logged;
                let mut d = self.durability();
                d.durable = d.durable.max(logged.seq);
            }
        }
        Ok(turn)
    }

    /// Ask `decide` for the events of a command on `state`, reading any closed amendment it
    /// names that `state` does not hold, and asking again (`decide` is pure).
    pub(super) fn decide_on(
        &self,
        state: &mut Option<DocumentState>,
        decide: &mut impl FnMut(
            &dyn Directory,
            Option<&DocumentState>,
        ) -> Result<Vec<Event>, DomainError>,
    ) -> Result<Vec<Event>, StoreError> {
        loop {
            match (decide(self, state.as_ref()), &mut *state) {
                (Err(DomainError::UnknownAmendment(no)), Some(s))
                    if !s.amendments.contains_key(&no) =>
                {
                    if self.add_amendment(s, no)? {
                        continue;
                    }
                    // Not proposed, or the state holds every amendment (replayed): none such.
                    let every = s.amendments.len() == s.amendments_proposed as usize;
                    if no.0 > s.amendments_proposed || every {
                        return Err(DomainError::UnknownAmendment(no).into());
                    }
                    // Proposed, yet its read model is missing: the stream tells.
                    tracing::warn!(document = %s.id, amendment = %no, "an amendment's read model is missing; replaying the stream");
                    let id = s.id;
                    *s = self.replay_document(id, Cut::Head)?.ok_or_else(|| {
                        StoreError::Corrupt(format!("document {id} has no events"))
                    })?;
                }
                (decided, _) => return Ok(decided?),
            }
        }
    }

    /// Append events to a stream as they are, durably. Idempotent on event id: if the first
    /// event's id is in the log and the stored events are the same, they are returned and
    /// nothing is written; the same id for different events is an error.
    ///
    /// Safe to call from many threads at once, as [`Store::execute`] is.
    pub fn append(
        &self,
        stream: StreamId,
        expected: Expected,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        let appended = self.append_locked(stream, expected, events)?;
        self.durable_through(appended.events.last().map_or(0, |e| e.seq))?;
        Ok(appended)
    }

    pub(super) fn append_locked(
        &self,
        stream: StreamId,
        expected: Expected,
        events: Vec<NewEvent>,
    ) -> Result<Appended, StoreError> {
        let mut head = self.writer();
        refuse_damaged(&head)?;
        self.refuse_unsynced()?;
        if events.is_empty() {
            return Ok(Appended {
                events: Vec::new(),
                duplicate: false,
                document: None,
            });
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(e) = events.iter().find(|e| !seen.insert(e.id)) {
            return Err(StoreError::DuplicateEventId(e.id));
        }
        let turn = self.begin_write(&mut head)?;
        // A retry is recognised event by event: all stored and the same, or none stored.
        let mut stored = Vec::new();
        for e in &events {
            if let Some((seq, _)) = self.db.by_id(e.id)? {
                let s = self.event(seq)?;
                if s.stream != stream || s.actor != e.actor || s.event != e.event {
                    return Err(StoreError::DuplicateEventId(e.id));
                }
                stored.push(s);
            }
        }
        if stored.len() == events.len() {
            return Ok(Appended {
                events: stored,
                duplicate: true,
                document: None,
            });
        }
        if let Some(s) = stored.first() {
            return Err(StoreError::DuplicateEventId(s.id));
        }
        let touched: Vec<AmendmentNo> = events.iter().filter_map(|e| e.event.amendment()).collect();
        let (state, checkpoint, version) =
            self.stream_state(&mut head, stream, expected, Some(&touched))?;
        let mut clocked = Vec::with_capacity(events.len());
        let mut last = head.last_time;
        for mut e in events {
            e.recorded_at = resolve_clock(Clock::At(e.recorded_at), last)?;
            last = Some(e.recorded_at);
            clocked.push(e);
        }
        let request = fingerprint(&serde_json::to_vec(
            &clocked.iter().map(|e| &e.event).collect::<Vec<_>>(),
        )?);
        // The state was loaded with only the amendments these events touch: not for callers.
        let start = Start {
            stream,
            version,
            state,
            checkpoint,
        };
        let (events, _) = self.write_locked(&mut head, turn, start, clocked, request)?;
        Ok(Appended {
            events,
            duplicate: false,
            document: None,
        })
    }

    /// The events an append with this first event id recorded, and the fingerprint of its
    /// request, if the id is in the log: lets a caller answer a retry before doing any work.
    pub fn recorded(&self, id: EventId) -> Result<Option<(Vec<RecordedEvent>, Hash)>, StoreError> {
        let Some((seq, request)) = self.by_id(id)? else {
            return Ok(None);
        };
        let mut events = vec![self.event(seq)?];
        for i in 1.. {
            match self.by_id(derived_id(id, i))? {
                Some((seq, _)) => events.push(self.event(seq)?),
                None => break,
            }
        }
        Ok(Some((events, request)))
    }

    /// The state a write starts from: the document at its head (for a document stream that
    /// exists), the version of its read model, and the stream's version, checked against the
    /// version expected. `only`, when given, names the amendments to load with the document: an
    /// append of events touches no others, and loading every amendment would make bulk appends
    /// quadratic. The document is the one the last write left (see [`Writer::documents`]) if it
    /// is still the head, else read.
    pub(super) fn stream_state(
        &self,
        head: &mut Writer,
        stream: StreamId,
        expected: Expected,
        only: Option<&[AmendmentNo]>,
    ) -> Result<(Option<DocumentState>, Option<u64>, u64), StoreError> {
        let (state, checkpoint) = if stream == StreamId::REGISTRY {
            (None, None)
        } else {
            let doc = DocumentId(stream.0);
            let kept = head.documents.remove(&doc);
            let found = match self.kept_document(kept, only)? {
                Some(found) => Some(found),
                None => self.read_document(doc, Wanted::from(only))?,
            };
            found.map_or((None, None), |(state, checkpoint)| {
                (Some(state), checkpoint)
            })
        };
        let version = match &state {
            Some(s) => s.version,
            None => self.stream_version(stream)?,
        };
        if let Err(e) = check_expected(stream, expected, version) {
            if let Some(s) = state {
                head.keep(Arc::new(s), checkpoint);
            }
            return Err(e);
        }
        Ok((state, checkpoint, version))
    }

    /// A document the writer kept, if it is still at the stream's head, holding exactly the
    /// amendments `only` names (read from their read models where it did not hold them); `None`
    /// if it must be read (not kept, not current, every amendment wanted, or one missing).
    pub(super) fn kept_document(
        &self,
        kept: Option<Kept>,
        only: Option<&[AmendmentNo]>,
    ) -> Result<Option<(DocumentState, Option<u64>)>, StoreError> {
        let (Some(kept), Some(only)) = (kept, only) else {
            return Ok(None);
        };
        if kept.state.version != self.stream_version(StreamId::document(kept.state.id))? {
            return Ok(None);
        }
        let mut state = Arc::unwrap_or_clone(kept.state);
        let wanted: std::collections::BTreeSet<AmendmentNo> = only.iter().copied().collect();
        state.amendments.retain(|no, _| wanted.contains(no));
        for no in wanted {
            if no.0 <= state.amendments_proposed
                && !state.amendments.contains_key(&no)
                && !self.add_amendment(&mut state, no)?
            {
                return Ok(None);
            }
        }
        Ok(Some((state, kept.checkpoint)))
    }

    /// If `id` is in the log, the events of the append it began, provided that append was the
    /// same request (same stream, actor and fingerprint); an error if the id names another.
    pub(super) fn retried(
        &self,
        stream: StreamId,
        actor: ParticipantId,
        id: EventId,
        request: Hash,
    ) -> Result<Option<Vec<RecordedEvent>>, StoreError> {
        let Some((events, stored_request)) = self.recorded(id)? else {
            return Ok(None);
        };
        let first = &events[0];
        if first.stream != stream || first.actor != actor || stored_request != request {
            return Err(StoreError::DuplicateEventId(id));
        }
        Ok(Some(events))
    }

    /// Whether an event with this id is in the log: lets a bulk import whose ids are derived
    /// from its input append only what is missing.
    pub fn contains_event(&self, id: EventId) -> Result<bool, StoreError> {
        Ok(self.by_id(id)?.is_some())
    }

    /// The sequence number and request fingerprint an event id was stored with.
    pub(crate) fn by_id(&self, id: EventId) -> Result<Option<(u64, Hash)>, StoreError> {
        self.db.by_id(id)
    }

    pub(super) fn write_locked(
        &self,
        head: &mut Writer,
        turn: Turn<'_>,
        start: Start,
        events: Vec<NewEvent>,
        request: Hash,
    ) -> Result<(Vec<RecordedEvent>, Option<Arc<DocumentState>>), StoreError> {
        let Start {
            stream,
            version,
            mut state,
            mut checkpoint,
        } = start;
        let mut batch = Batch::default();
        let mut recorded = Vec::with_capacity(events.len());
        let mut seq = head.next_seq;
        let mut prev = head.hash;
        let mut tokens = TokenBatch::new(Some(&*self.db));
        let mut indexes = Indexes::new(Some(&*self.db));
        let mut stored = Vec::with_capacity(events.len());
        for (i, e) in events.into_iter().enumerate() {
            let (r, bytes) = codec::encode(RecordedEvent {
                seq,
                id: e.id,
                stream,
                version: version + 1 + i as u64,
                recorded_at: e.recorded_at,
                actor: e.actor,
                schema: 0,
                prev_hash: prev,
                hash: Hash::default(),
                event: e.event,
            })?;
            if stream != StreamId::REGISTRY {
                indexes.add(&r, &bytes)?;
            }
            stored.push(bytes);
            registry_entries(&r, &mut batch, &mut tokens)?;
            if stream != StreamId::REGISTRY {
                if let Some(s) = state.as_ref().filter(|s| tags(&r, s)) {
                    put_snapshot(&mut batch, &self.open_view(s, &touched(&recorded))?)?;
                }
                DocumentState::fold(&mut state, &r);
            }
            prev = r.hash;
            seq += 1;
            recorded.push(r);
            // A snapshot at every SNAPSHOT_EVERY-th event of the stream, wherever it falls in
            // the batch (as `rebuild` writes them), so a view folds fewer than that many events.
            if let Some(s) = state.as_ref().filter(|s| s.version % SNAPSHOT_EVERY == 0) {
                put_snapshot(&mut batch, &self.open_view(s, &touched(&recorded))?)?;
            }
        }
        if let Some(s) = &mut state {
            let touched = touched(&recorded);
            put_amendments(&*self.db, &mut batch, s, Some(&touched))?;
            if checkpoint.is_none_or(|c| s.version >= c + HEAD_EVERY) {
                self.put_document(&mut batch, s)?;
                checkpoint = Some(s.version);
            }
            for no in &touched {
                match s.amendments.get(no) {
                    Some(a) if a.status.is_open() => batch.insert(open_key(s.id, *no), []),
                    _ => batch.remove(open_key(s.id, *no)),
                }
            }
        } else if stream != StreamId::REGISTRY {
            return Err(StoreError::Domain(DomainError::Invalid(
                "a document stream must begin with document_created".into(),
            )));
        }
        indexes.write(&mut batch)?;
        let entries: Vec<LogEntry<'_>> = recorded
            .iter()
            .zip(&stored)
            .map(|(r, bytes)| LogEntry {
                seq: r.seq,
                stream: r.stream,
                version: r.version,
                id: r.id,
                request,
                prev_hash: r.prev_hash,
                hash: r.hash,
                bytes,
            })
            .collect();
        turn.commit(
            Anchored {
                seq: head.next_seq - 1,
                hash: head.hash,
            },
            &entries,
            batch,
        )?;
        // The batch is in the tree: the next append must follow it, whatever becomes of the
        // flush (which the caller waits for after releasing the writer lock).
        head.next_seq = seq;
        head.hash = prev;
        head.last_time = recorded.last().map(|r| r.recorded_at).or(head.last_time);
        *self.applied() = Anchored {
            seq: seq - 1,
            hash: prev,
        };
        tracing::debug!(stream = %stream, events = recorded.len(), head = seq - 1, "appended");
        let state = state.map(Arc::new);
        if let Some(s) = &state {
            head.keep(Arc::clone(s), checkpoint);
        }
        Ok((recorded, state))
    }
}

pub(super) fn refuse_damaged(head: &Writer) -> Result<(), StoreError> {
    match &head.damaged {
        Some(why) => Err(StoreError::Corrupt(why.clone())),
        None => Ok(()),
    }
}

pub(super) fn check_expected(
    stream: StreamId,
    expected: Expected,
    actual: u64,
) -> Result<(), StoreError> {
    let ok = match expected {
        Expected::Any => true,
        Expected::NoStream => actual == 0,
        Expected::Exact(v) => v == actual,
    };
    if ok {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            stream: stream.to_string(),
            expected: expected.to_string(),
            actual,
        })
    }
}

pub(super) fn resolve_clock(
    clock: Clock,
    last: Option<Timestamp>,
) -> Result<Timestamp, StoreError> {
    match (clock, last) {
        (Clock::Now(t), Some(last)) => Ok(t.max(last)),
        (Clock::Now(t), None) | (Clock::At(t), None) => Ok(t),
        (Clock::At(t), Some(last)) if t < last => Err(StoreError::TimeBackwards { given: t, last }),
        (Clock::At(t), Some(_)) => Ok(t),
    }
}

/// The id of the `i`th event of an append whose first event has `first`.
pub(super) fn derived_id(first: EventId, i: usize) -> EventId {
    if i == 0 {
        first
    } else {
        EventId(Uuid::new_v5(&first.0, i.to_string().as_bytes()))
    }
}
