//! `rebuild`: every read model made again from the log; and the back doors tests use to damage
//! a store on purpose.

#[allow(clippy::wildcard_imports)]
// reason: one module split in files by job, sharing its names
use super::*;

impl Store {
    /// Rebuild the read models of a store whose indexes do not cover its log: one whose
    /// `rebuild` was cut short. Until then answers are right but slow (the indexes' fallbacks read whole
    /// streams). A store whose log does not read back is left as it is, for `verify`.
    pub(super) fn rebuild_if_incomplete(&self) -> Result<(), StoreError> {
        let complete = self.db.contains_key(CLAUSE_INDEX_KEY)?
            && self.db.contains_key(TEXT_INDEX_KEY)?
            && self.db.contains_key(AMENDMENT_BLOCKS_KEY)?;
        if complete || self.head().0 == 0 || self.writer().damaged.is_some() {
            return Ok(());
        }
        tracing::info!("the indexes do not cover the log (a store of an earlier version, or a rebuild cut short): rebuilding the read models");
        match self.rebuild() {
            Ok(events) => {
                tracing::info!(events, "rebuilt the read models");
                Ok(())
            }
            Err(StoreError::Corrupt(why)) => {
                tracing::warn!(error = %why, "the read models could not be rebuilt; `verify` the store");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Delete every read model and rebuild it from the log. Returns how many events were read.
    ///
    /// The indexes with a fallback (`K`, `X`, whose markers go first) and the snapshots (each
    /// one right whenever written) are rewritten in batches as the log is read, so that memory
    /// stays bounded; the read models every command relies on (documents, amendments,
    /// participants, tokens) and the markers are replaced in one last batch. A rebuild cut
    /// short leaves answers right (read from the stream), and the next one completes it.
    pub fn rebuild(&self) -> Result<u64, StoreError> {
        self.rebuild_with_progress(&mut |_| {})
    }

    /// [`Store::rebuild`], telling `progress` how many events it has read, every batch.
    pub fn rebuild_with_progress(&self, progress: &mut dyn FnMut(u64)) -> Result<u64, StoreError> {
        let mut writer = self.writer();
        // The head as the engine has it: in a database another process (or a restore's writes
        // of the log as stored) may have moved it, and each batch below is checked against it.
        drop(self.begin_write(&mut writer)?);
        // What the writer kept was read from the read models this replaces.
        writer.documents.clear();
        let mut batch = Batch::default();
        for marker in [CLAUSE_INDEX_KEY, TEXT_INDEX_KEY, AMENDMENT_BLOCKS_KEY] {
            batch.remove(marker);
        }
        self.commit_models(batch)?;
        for prefix in REBUILT_AS_READ {
            self.remove_in_batches(prefix)?;
        }
        let mut last = Batch::default();
        for prefix in READ_MODEL_PREFIXES {
            if !REBUILT_AS_READ.contains(&prefix) {
                for kv in self.db.scan_prefix(&[prefix]) {
                    last.remove(kv?.0);
                }
            }
        }
        let mut docs: HashMap<DocumentId, Option<DocumentState>> = HashMap::new();
        let mut count = 0;
        let mut read_head = None;
        let mut tokens = TokenBatch::new(None);
        let mut indexes = Indexes::new(None);
        // Amendments closed and written in the batch not yet applied: the fold drops each once
        // closed (memory stays bounded by the open ones), and reads it back if a later event
        // names it (a decision reopened).
        let mut closed: HashMap<(DocumentId, AmendmentNo), Amendment> = HashMap::new();
        let mut batch = Batch::default();
        let mut amendments = AmendmentWrite::new(&*self.db);
        for stored in self.db.events_from(1, Reading::Whole) {
            let stored = stored?;
            let bytes = stored.bytes();
            let e = codec::decode(bytes)?;
            count += 1;
            read_head = Some((e.seq, e.hash, e.recorded_at));
            registry_entries(&e, &mut last, &mut tokens)?;
            if e.stream != StreamId::REGISTRY {
                indexes.add(&e, bytes)?;
                let doc = DocumentId(e.stream.0);
                let slot = docs.entry(doc).or_default();
                let about = e.event.amendment();
                if let (Some(state), Some(no)) = (slot.as_mut(), about) {
                    if no.0 <= state.amendments_proposed && !state.amendments.contains_key(&no) {
                        let back = match closed.remove(&(doc, no)) {
                            Some(a) => Some(a),
                            None => self.amendment(doc, no)?,
                        };
                        if let Some(a) = back {
                            state.amendments.insert(no, a);
                        }
                    }
                }
                if let Some(state) = slot.as_ref().filter(|s| tags(&e, s)) {
                    put_snapshot(&mut batch, &state.open_copy())?;
                }
                DocumentState::fold(slot, &e);
                if let (Some(state), Some(no)) = (slot.as_mut(), about) {
                    if state
                        .amendments
                        .get(&no)
                        .is_some_and(|a| !a.status.is_open())
                    {
                        let a = state.amendments.remove(&no).expect("held");
                        amendments.put(doc, &a)?;
                        closed.insert((doc, no), a);
                    }
                }
                if let Some(state) = slot {
                    if state.version % SNAPSHOT_EVERY == 0 {
                        put_snapshot(&mut batch, &state.open_copy())?;
                    }
                }
            }
            if count % REBUILD_BATCH == 0 {
                progress(count);
                indexes.write(&mut batch)?;
                std::mem::replace(&mut amendments, AmendmentWrite::new(&*self.db))
                    .write(&mut batch);
                self.commit_models(std::mem::take(&mut batch))?;
                closed.clear();
            }
        }
        indexes.write(&mut batch)?;
        amendments.write(&mut batch);
        self.commit_models(batch)?;
        for state in docs.values_mut().flatten() {
            put_amendments(&*self.db, &mut last, state, None)?;
            self.put_document(&mut last, state)?;
            for a in state.amendments.values().filter(|a| a.status.is_open()) {
                last.insert(open_key(state.id, a.no), []);
            }
        }
        for marker in [CLAUSE_INDEX_KEY, TEXT_INDEX_KEY, AMENDMENT_BLOCKS_KEY] {
            last.insert(marker, []);
        }
        self.commit_models(last)?;
        // The head is the log's as read: a log written beside the append path (a restore)
        // becomes the store's, and is anchored by the sync below.
        if let Some((seq, hash, time)) = read_head {
            writer.next_seq = seq + 1;
            writer.hash = hash;
            writer.last_time = Some(time);
            *self.applied() = Anchored { seq, hash };
        }
        self.make_durable()?;
        Ok(count)
    }

    /// Remove every key with a prefix, in batches.
    pub(super) fn remove_in_batches(&self, prefix: u8) -> Result<(), StoreError> {
        let mut batch = Batch::default();
        let mut n = 0;
        for kv in self.db.scan_prefix(&[prefix]) {
            batch.remove(kv?.0);
            n += 1;
            if n % REBUILD_BATCH == 0 {
                self.commit_models(std::mem::take(&mut batch))?;
            }
        }
        self.commit_models(batch)?;
        Ok(())
    }

    /// The read models' map, to read. Only for tests.
    #[doc(hidden)]
    pub fn read_models(&self) -> &dyn Tree {
        &*self.db
    }

    /// Remove one key of the read models, durably, and return what it held. Only for tests that
    /// take a read model away on purpose.
    #[doc(hidden)]
    pub fn remove_read_model(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let mut writer = self.writer();
        writer.documents.clear();
        let old = self.db.get(key)?;
        let mut batch = Batch::default();
        batch.remove(key);
        self.commit_models(batch)?;
        self.make_durable()?;
        Ok(old)
    }

    /// The sled tree itself. Only for tests that damage a sled store on purpose.
    #[doc(hidden)]
    pub fn raw_tree(&self) -> &sled::Db {
        self.sled()
            .expect("raw_tree is a back door into sled stores only")
            .db()
    }

    /// Every stored record of the log, with its sequence number. Only for tests that rewrite a
    /// log in an earlier format.
    #[doc(hidden)]
    pub fn stored_records(&self) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        self.db
            .events_from(1, Reading::Whole)
            .map(|s| s.map(|s| (s.seq, s.bytes().to_vec())))
    }

    /// Overwrite a stored record of a sled store. Only for tests of `verify` and of upcasting.
    /// The anchor follows a record overwritten at the head, as if the version that wrote the
    /// record had written the anchor too.
    #[doc(hidden)]
    pub fn put_raw(&self, seq: u64, bytes: Vec<u8>) -> Result<(), StoreError> {
        let sled = self
            .sled()
            .expect("put_raw is a back door into sled stores only");
        let mut writer = self.writer();
        writer.documents.clear();
        sled.overwrite_event(seq, &bytes)?;
        self.make_durable()?;
        if let (true, Some(hash)) = (sled.anchored().seq == seq, bytes.get(..32)) {
            sled.reset_anchor(Anchored {
                seq,
                hash: Hash(hash.try_into().expect("32 bytes")),
            })?;
        }
        Ok(())
    }
}
