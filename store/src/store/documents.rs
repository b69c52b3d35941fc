//! Documents: the head (a read model plus the events after it, its amendments from their own
//! read models), a view at a point (from the nearest snapshot), snapshots, and `Walk`.

#[allow(clippy::wildcard_imports)]
// reason: one module split in files by job, sharing its names
use super::*;

impl Store {
    /// A document at its head, from the read model. The read model names the stream version it
    /// holds; if that is not the stream's version, or it does not read back, the stream is
    /// replayed instead, so a damaged or missing cache never gives a wrong answer.
    pub fn document(&self, id: DocumentId) -> Result<Option<DocumentState>, StoreError> {
        self.document_with(id, None)
    }

    /// A document at its head without its amendments (its text, roles, tags and counters): all
    /// a point needs to be resolved, read without the cost of every amendment.
    pub fn document_without_amendments(
        &self,
        id: DocumentId,
    ) -> Result<Option<DocumentState>, StoreError> {
        Ok(self.document_with(id, Some(&[]))?.map(|mut d| {
            d.amendments.clear();
            d
        }))
    }

    /// A document at its head with all its amendments (`only: None`) or only those named: enough
    /// to fold events that touch no others. Checked as `document` is, else replayed whole.
    pub(super) fn document_with(
        &self,
        id: DocumentId,
        only: Option<&[AmendmentNo]>,
    ) -> Result<Option<DocumentState>, StoreError> {
        Ok(self
            .read_document(id, Wanted::from(only))?
            .map(|(state, _)| state))
    }

    /// A document at its head as `document_with` reads it (with the amendments `wanted`), and
    /// the version its read model holds (`None` if the read model could not be used and the
    /// stream was replayed).
    ///
    /// The read model, the events after it, the amendments and the index of open ones are read
    /// one after the other, and appends may go on meanwhile (readers do not take the writer
    /// lock): a read is taken only if the stream did not move while it was made, so that all
    /// of it is of one version; otherwise it is made again (an append moved it), and after
    /// [`READ_RETRIES`] the stream is replayed, as it is when the read model is not of this log.
    pub(super) fn read_document(
        &self,
        id: DocumentId,
        wanted: Wanted<'_>,
    ) -> Result<Option<(DocumentState, Option<u64>)>, StoreError> {
        let stream = StreamId::document(id);
        for attempt in 0.. {
            let before = self.stream_version(stream)?;
            if before == 0 {
                return Ok(None);
            }
            let only = match wanted {
                Wanted::Every => None,
                Wanted::These(nos) => Some(nos.to_vec()),
                Wanted::Open => self.open_amendments(id)?,
            };
            let outcome = self.load_document(id, only.as_deref());
            let after = self.stream_version(stream)?;
            if after != before && attempt < READ_RETRIES {
                continue;
            }
            match outcome {
                Ok(Some((state, checkpoint)))
                    if state.version == after
                        && after == before
                        && self.amendments_complete(&state, only.as_deref())? =>
                {
                    return Ok(Some((state, Some(checkpoint))));
                }
                outcome => {
                    let found = match outcome {
                        Ok(Some((s, _))) => format!("version {}", s.version),
                        Ok(None) => "nothing".to_string(),
                        Err(e) => e.to_string(),
                    };
                    tracing::warn!(document = %id, version = after, found, "read model is not current; replaying the stream");
                    return Ok(self.replay_document(id, Cut::Head)?.map(|s| (s, None)));
                }
            }
        }
        unreachable!("the loop returns")
    }

    /// Whether the amendments loaded are all there should be: every one (`only: None`), or the
    /// newest one's key and each one named that was proposed.
    pub(super) fn amendments_complete(
        &self,
        state: &DocumentState,
        only: Option<&[AmendmentNo]>,
    ) -> Result<bool, StoreError> {
        let proposed = state.amendments_proposed;
        Ok(match only {
            None => state.amendments.len() == proposed as usize,
            Some(nos) => {
                (proposed == 0
                    || Amendments::new(&*self.db, state.id).contains(AmendmentNo(proposed))?)
                    && nos
                        .iter()
                        .all(|n| n.0 > proposed || state.amendments.contains_key(n))
            }
        })
    }

    /// Read a document's read model (the document at some version, amendments aside), fold the
    /// events of its stream after that version, then add its amendments (all, or those named)
    /// from their own read models. Returns the document and the version its read model held.
    pub(crate) fn load_document(
        &self,
        id: DocumentId,
        only: Option<&[AmendmentNo]>,
    ) -> Result<Option<(DocumentState, u64)>, StoreError> {
        let mut json = Vec::new();
        for kv in self.db.scan_prefix(&key(b'd', &[id.0.as_bytes()])) {
            json.extend_from_slice(&kv?.1);
        }
        if json.is_empty() {
            return Ok(None);
        }
        let mut state: DocumentState = packed::from_model(&json, "a document's read model")?;
        let checkpoint = state.version;
        for e in self.stream_between(StreamId::document(id), checkpoint + 1, u64::MAX) {
            self.fold_after_checkpoint(&mut state, &e?)?;
        }
        // Amendments come from their own read models, which stand at the head.
        state.amendments.clear();
        match only {
            None => {
                for kv in self.db.scan_prefix(&amendments::prefix(id)) {
                    for a in amendments::in_block(&kv?.1)? {
                        state.amendments.insert(a.no, a);
                    }
                }
            }
            Some(nos) => {
                let mut read = Amendments::new(&*self.db, id);
                for no in nos {
                    if let Some(a) = read.get(*no)? {
                        state.amendments.insert(a.no, a);
                    }
                }
            }
        }
        Ok(Some((state, checkpoint)))
    }

    /// Fold into a document read from its read model one of the events after it. The fold
    /// needs an amendment only where it changes something besides the amendment (a decision
    /// on an alternative resolves its bracket): that one is read from its read model, whose
    /// change (what the fold looks at) never changes.
    pub(super) fn fold_after_checkpoint(
        &self,
        state: &mut DocumentState,
        e: &RecordedEvent,
    ) -> Result<(), StoreError> {
        if let Event::DecisionRecorded { amendment, .. } = &e.event {
            if !state.amendments.contains_key(amendment)
                && !self.add_amendment(state, *amendment)?
            {
                return Err(StoreError::Corrupt(format!(
                    "amendment {amendment} of document {} has no read model",
                    state.id
                )));
            }
        }
        state.evolve(e);
        Ok(())
    }

    /// Write a document's read model into a batch: the document as JSON in chunks, its
    /// amendments aside (see [`put_amendments`]), so that no value comes near sled's blob
    /// threshold. Written once the stream has gone [`HEAD_EVERY`] events past it (and by
    /// `rebuild`); a read folds the events after it.
    pub(super) fn put_document(
        &self,
        batch: &mut Batch,
        state: &mut DocumentState,
    ) -> Result<(), StoreError> {
        let doc = state.id.0;
        let amendments = std::mem::take(&mut state.amendments);
        let json = packed::model(state);
        state.amendments = amendments;
        let json = json?;
        let chunks = json.chunks(READ_MODEL_CHUNK).count() as u32;
        for (i, chunk) in json.chunks(READ_MODEL_CHUNK).enumerate() {
            batch.insert(
                key(b'd', &[doc.as_bytes(), &(i as u32).to_be_bytes()]),
                chunk,
            );
        }
        for kv in self.db.scan_prefix(&key(b'd', &[doc.as_bytes()])) {
            let (k, _) = kv?;
            let index = be_u32(&k[17..21])?;
            if index >= chunks {
                batch.remove(k);
            }
        }
        Ok(())
    }

    /// A document as it stood at a cut of the log, with the amendments open at that point (what
    /// a view of the text shows): the same as `replay_document(id, cut)` with
    /// [`DocumentState::with_open_amendments_only`]. At the head, the read model with the open
    /// amendments only; at an earlier point, the nearest snapshot at or before the cut and the
    /// events after it. `None` if it did not exist then. (`document` gives every amendment.)
    pub fn document_at(
        &self,
        id: DocumentId,
        cut: Cut,
    ) -> Result<Option<DocumentState>, StoreError> {
        if cut == Cut::Head {
            return Ok(self
                .read_document(id, Wanted::Open)?
                .map(|(state, _)| state.with_open_amendments_only()));
        }
        let mut state = match self.snapshot_before(id, cut) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(document = %id, error = %e, "a snapshot does not read back; folding from the start");
                None
            }
        };
        let from = state.as_ref().map_or(1, |s| s.version + 1);
        for e in self.stream_between(StreamId::document(id), from, u64::MAX) {
            let e = e?;
            // Global time and sequence only grow, so the first event past the cut ends it.
            if !cut.includes(&e) {
                break;
            }
            DocumentState::fold(&mut state, &e);
        }
        Ok(state.map(DocumentState::with_open_amendments_only))
    }

    /// The latest snapshot of a document at or before a cut, if any.
    pub(super) fn snapshot_before(
        &self,
        id: DocumentId,
        cut: Cut,
    ) -> Result<Option<DocumentState>, StoreError> {
        let found = match cut {
            Cut::Seq(n) => self.snapshot_seq_through(id, n)?,
            Cut::Head | Cut::Time(_) => {
                let doc = id.0.as_bytes();
                let (from, to) = (
                    key(b'N', &[doc, &0u64.to_be_bytes()]),
                    key(b'N', &[doc, &u64::MAX.to_be_bytes()]),
                );
                let mut found = None;
                match cut {
                    Cut::Time(t) => {
                        // Snapshots are taken in the log's order, so their times rise: the
                        // last at or before `t`.
                        for kv in self.db.range(&from, &to) {
                            let (k, v) = kv?;
                            let at: Timestamp = serde_json::from_slice(&v)?;
                            if at > t {
                                break;
                            }
                            found = Some(be_u64(&k[17..25])?);
                        }
                    }
                    _ => {
                        if let Some((k, _)) = self.db.last_in_range(&from, &to)? {
                            found = Some(be_u64(&k[17..25])?);
                        }
                    }
                }
                found
            }
        };
        found.map(|seq| self.snapshot(id, seq)).transpose()
    }

    /// The sequence number of the latest snapshot of a document taken at or before event `seq`.
    pub(super) fn snapshot_seq_through(
        &self,
        id: DocumentId,
        seq: u64,
    ) -> Result<Option<u64>, StoreError> {
        let doc = id.0.as_bytes();
        let last = self.db.last_in_range(
            &key(b'N', &[doc, &0u64.to_be_bytes()]),
            &key(b'N', &[doc, &seq.to_be_bytes()]),
        )?;
        last.map(|(k, _)| be_u64(&k[17..25])).transpose()
    }

    /// The snapshot of a document taken after event `seq`.
    pub(crate) fn snapshot(&self, id: DocumentId, seq: u64) -> Result<DocumentState, StoreError> {
        let mut json = Vec::new();
        for kv in self
            .db
            .scan_prefix(&key(b'n', &[id.0.as_bytes(), &seq.to_be_bytes()]))
        {
            json.extend_from_slice(&kv?.1);
        }
        packed::from_model(&json, "a snapshot")
    }

    /// One amendment of a document as it stands at the head, from its read model (written in
    /// the same batch as each event that changes it); `None` if there is no such amendment.
    pub fn amendment(
        &self,
        doc: DocumentId,
        no: AmendmentNo,
    ) -> Result<Option<Amendment>, StoreError> {
        Amendments::new(&*self.db, doc).get(no)
    }

    /// A walk along a document's stream: see [`Walk`].
    pub fn walk(&self, id: DocumentId) -> Walk<'_> {
        Walk {
            store: self,
            id,
            state: None,
        }
    }

    /// The document as `state` holds it, with exactly the amendments still open: those among
    /// `touched` from `state` (just changed), the others from the open index.
    pub(super) fn open_view(
        &self,
        state: &DocumentState,
        touched: &[AmendmentNo],
    ) -> Result<DocumentState, StoreError> {
        let mut view = state.clone();
        for kv in self.db.scan_prefix(&key(b'o', &[state.id.0.as_bytes()])) {
            let (k, _) = kv?;
            let no = AmendmentNo(be_u32(&k[17..21])?);
            if !touched.contains(&no) && !view.amendments.contains_key(&no) {
                self.add_amendment(&mut view, no)?;
            }
        }
        Ok(view.with_open_amendments_only())
    }

    /// The amendments of a document still open, from their index; `None` for a store made
    /// before the index (its marker is the clause index's), where only loading them all tells.
    pub(crate) fn open_amendments(
        &self,
        id: DocumentId,
    ) -> Result<Option<Vec<AmendmentNo>>, StoreError> {
        if !self.db.contains_key(CLAUSE_INDEX_KEY)? {
            return Ok(None);
        }
        let mut open = Vec::new();
        for kv in self.db.scan_prefix(&key(b'o', &[id.0.as_bytes()])) {
            let (k, _) = kv?;
            open.push(AmendmentNo(be_u32(&k[17..21])?));
        }
        Ok(Some(open))
    }

    /// Add one amendment to `state` from its read model; whether there was one.
    pub(super) fn add_amendment(
        &self,
        state: &mut DocumentState,
        no: AmendmentNo,
    ) -> Result<bool, StoreError> {
        let Some(a) = self.amendment(state.id, no)? else {
            return Ok(false);
        };
        state.amendments.insert(no, a);
        Ok(true)
    }

    /// Fold a document's stream up to a cut, ignoring the read model.
    pub fn replay_document(
        &self,
        id: DocumentId,
        cut: Cut,
    ) -> Result<Option<DocumentState>, StoreError> {
        let mut state: Option<DocumentState> = None;
        for e in self.stream(StreamId::document(id)) {
            let e = e?;
            // Global time and sequence only grow, so the first event past the cut ends it.
            if !cut.includes(&e) {
                break;
            }
            DocumentState::fold(&mut state, &e);
        }
        Ok(state)
    }
}

/// The amendments a read of a document's head loads with it.
#[derive(Clone, Copy)]
pub(super) enum Wanted<'a> {
    /// Every one.
    Every,
    /// Those named.
    These(&'a [AmendmentNo]),
    /// Those still open (from their index, read with the document).
    Open,
}

impl<'a> From<Option<&'a [AmendmentNo]>> for Wanted<'a> {
    /// Every amendment (`None`), or those named.
    fn from(only: Option<&'a [AmendmentNo]>) -> Self {
        only.map_or(Wanted::Every, Wanted::These)
    }
}

/// A document as it stood just before each of a rising series of its events, for telling only
/// some events of a long stream: the way from one event to the next folds the events between,
/// or, when it would fold more than a few, starts from the latest snapshot on the way (holding
/// the amendments open then, as every view does). The state before an event is that of the
/// plain fold of the stream, amendments closed earlier aside.
pub struct Walk<'s> {
    store: &'s Store,
    id: DocumentId,
    state: Option<DocumentState>,
}

impl Walk<'_> {
    /// The document just before `e`, an event of its stream later than any asked for before
    /// (`None` before the document's first event). Fold `e` into it (`DocumentState::fold`) to
    /// go on from `e`; otherwise the next call folds `e` itself.
    pub fn before(&mut self, e: &RecordedEvent) -> Result<&mut Option<DocumentState>, StoreError> {
        let (version, seq) = self.state.as_ref().map_or((0, 0), |s| (s.version, s.seq));
        if e.version <= version {
            return Err(StoreError::Corrupt(format!(
                "a walk along document {} was asked to go back to version {} from {version}",
                self.id, e.version
            )));
        }
        if e.version - version > WALK_JUMP {
            if let Some(at) = self.store.snapshot_seq_through(self.id, e.seq - 1)? {
                if at > seq {
                    self.state = Some(self.store.snapshot(self.id, at)?);
                }
            }
        }
        let from = self.state.as_ref().map_or(1, |s| s.version + 1);
        if from < e.version {
            for between in
                self.store
                    .stream_between(StreamId::document(self.id), from, e.version - 1)
            {
                DocumentState::fold(&mut self.state, &between?);
            }
        }
        Ok(&mut self.state)
    }

    /// Pass over `e`: fold it now if the walk stands just before it (so that a reader going
    /// through every event reads each once); otherwise leave it to the next [`Walk::before`].
    pub fn pass(&mut self, e: &RecordedEvent) {
        if self.state.as_ref().map_or(0, |s| s.version) + 1 == e.version {
            DocumentState::fold(&mut self.state, e);
        }
    }
}
