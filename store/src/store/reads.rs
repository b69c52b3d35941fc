//! Reading the log: events by number, a stream, the text changes and a clause's history from
//! their indexes; the registry's read models (documents, participants, tokens); `Directory`.

#[allow(clippy::wildcard_imports)]
// reason: one module split in files by job, sharing its names
use super::*;

impl Store {
    /// One event by sequence number.
    pub fn event(&self, seq: u64) -> Result<RecordedEvent, StoreError> {
        read_event(&mut *self.db.reader(), seq)
    }

    /// Every event from `seq` on, in global order.
    pub fn events_from(
        &self,
        seq: u64,
    ) -> impl Iterator<Item = Result<RecordedEvent, StoreError>> + '_ {
        self.db
            .events_from(seq, Reading::Prefix)
            .map(|stored| codec::decode(stored?.bytes()))
    }

    /// The events of one stream, in order.
    pub fn stream(
        &self,
        stream: StreamId,
    ) -> impl Iterator<Item = Result<RecordedEvent, StoreError>> + '_ {
        self.stream_between(stream, 1, u64::MAX)
    }

    /// The events of one stream from version `from` to version `to` (both included), in order.
    pub fn stream_between(
        &self,
        stream: StreamId,
        from: u64,
        to: u64,
    ) -> impl Iterator<Item = Result<RecordedEvent, StoreError>> + '_ {
        let mut blocks = self.db.reader();
        self.db.stream_seqs(stream, from, to).map(move |entry| {
            let (version, seq) = entry?;
            let e = read_event(&mut *blocks, seq)?;
            if e.stream != stream || e.version != version {
                return Err(StoreError::Corrupt(format!(
                    "the stream index of {stream} points at event {}, which is not its version {version}",
                    e.seq
                )));
            }
            Ok(e)
        })
    }

    /// The events of a document that change its text (those with clause operations), in order:
    /// from the index of text changes, or from the whole stream in a store created before that
    /// index existed (until `rebuild`).
    pub fn text_events(
        &self,
        doc: DocumentId,
    ) -> Result<Box<dyn Iterator<Item = Result<RecordedEvent, StoreError>> + '_>, StoreError> {
        if !self.db.contains_key(TEXT_INDEX_KEY)? {
            return Ok(Box::new(self.stream(StreamId::document(doc)).filter(|e| {
                e.as_ref().map_or(true, |e| !e.event.ops().is_empty())
            })));
        }
        // As for the log: a block not full is the last, whatever appends go on meanwhile.
        let blocks = self
            .db
            .scan_prefix(&text_prefix(doc))
            .scan(false, |stop, kv| {
                if *stop {
                    return None;
                }
                let events = kv.and_then(|(_, v)| {
                    let raw = packed::unpack(&v, "a block of text changes")?;
                    let events = block_events(&raw)
                        .map(|r| codec::decode(&raw[r?]))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(events)
                });
                Some(match events {
                    Ok(events) => {
                        *stop = events.len() < TEXT_BLOCK;
                        events.into_iter().map(Ok).collect()
                    }
                    Err(e) => vec![Err(e)],
                })
            });
        Ok(Box::new(blocks.flatten()))
    }

    /// The events of a document that bear on one clause's wording (see `Event::clauses`), in
    /// order, up to `seq`: from the per-clause index, or from the whole stream in a store
    /// created before the index existed (until `rebuild`).
    pub fn clause_events(
        &self,
        doc: DocumentId,
        clause: ClauseId,
        seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.clauses_events(doc, &[clause], seq)
    }

    /// The events of a document that bear on the wording of any of `clauses` (a clause and
    /// those under it, for one), in order, each once, up to `seq`: their entries in the
    /// per-clause index merged, or the whole stream in a store created before the index.
    pub fn clauses_events(
        &self,
        doc: DocumentId,
        clauses: &[ClauseId],
        seq: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        if !self.db.contains_key(CLAUSE_INDEX_KEY)? {
            let wanted: std::collections::HashSet<ClauseId> = clauses.iter().copied().collect();
            return self
                .stream(StreamId::document(doc))
                .filter(|e| {
                    e.as_ref().map_or(true, |e| {
                        e.seq <= seq && e.event.clauses().iter().any(|c| wanted.contains(c))
                    })
                })
                .collect();
        }
        let mut seqs: Vec<u64> = Vec::new();
        for clause in clauses {
            for kv in self.db.scan_prefix(&clause_prefix(doc, *clause)) {
                let (_, v) = kv?;
                if !v.len().is_multiple_of(8) {
                    return Err(StoreError::Corrupt(
                        "a block of a clause's history index is malformed".into(),
                    ));
                }
                let had = seqs.len();
                seqs.extend(
                    v.chunks_exact(8)
                        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
                        .take_while(|at| *at <= seq),
                );
                // Past `seq`, or (as for the log) a block not full is the last, whatever
                // appends go on meanwhile.
                if seqs.len() - had < v.len() / 8 || v.len() < CLAUSE_BLOCK * 8 {
                    break;
                }
            }
        }
        seqs.sort_unstable();
        seqs.dedup();
        let mut blocks = self.db.reader();
        seqs.into_iter()
            .map(|at| read_event(&mut *blocks, at))
            .collect()
    }

    /// A stream's version: how many events it holds.
    pub fn stream_version(&self, stream: StreamId) -> Result<u64, StoreError> {
        self.db.stream_version(stream)
    }

    /// Every document, by slug.
    pub fn documents(&self) -> Result<Vec<DocumentEntry>, StoreError> {
        self.documents_model()
    }

    /// The documents as their read model (`g`) holds them.
    pub(crate) fn documents_model(&self) -> Result<Vec<DocumentEntry>, StoreError> {
        self.db
            .scan_prefix(b"g")
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect()
    }

    /// The registry's stream folded: every participant as the log has them.
    pub fn registry(&self) -> Result<travaux_core::Registry, StoreError> {
        let mut registry = travaux_core::Registry::default();
        for e in self.stream(StreamId::REGISTRY) {
            registry.evolve(&e?);
        }
        Ok(registry)
    }

    /// Every participant, by handle.
    ///
    /// Folded from the registry's stream (a few events per participant), not read from the
    /// read model: damage that sets a read model back (sled can lose the newest copy of a page
    /// when one of its segments is damaged) must not make a participant unknown to every answer.
    pub fn participants(&self) -> Result<Vec<Participant>, StoreError> {
        let mut people: Vec<Participant> = self.registry()?.participants().cloned().collect();
        people.sort_by(|a, b| a.handle.cmp(&b.handle));
        Ok(people)
    }

    /// The participants as their read model (`p`) holds them, for `verify`.
    pub(crate) fn participants_model(&self) -> Result<Vec<Participant>, StoreError> {
        self.db
            .scan_prefix(b"p")
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect()
    }

    /// The token with this digest (SHA-256 of the bearer token), and whom it authenticates,
    /// unless it was revoked. `None` for a token never issued or revoked.
    pub fn token(&self, digest: &Hash) -> Result<Option<(TokenId, ParticipantId)>, StoreError> {
        let Some(v) = self.db.get(&digest_key(digest))? else {
            return Ok(None);
        };
        if v.len() != 32 {
            return Err(StoreError::Corrupt(
                "a token digest's index entry is malformed".into(),
            ));
        }
        let uuid = |b: &[u8]| Uuid::from_slice(b).expect("16 bytes");
        Ok(Some((
            TokenId(uuid(&v[..16])),
            ParticipantId(uuid(&v[16..])),
        )))
    }

    /// Every token issued, revoked or not, in the order they were issued.
    pub fn tokens(&self) -> Result<Vec<TokenEntry>, StoreError> {
        let mut records = self
            .db
            .scan_prefix(b"t")
            .map(|kv| Ok(serde_json::from_slice(&kv?.1)?))
            .collect::<Result<Vec<TokenRecord>, StoreError>>()?;
        records.sort_by_key(|r| r.seq);
        Ok(records
            .into_iter()
            .map(|r| TokenEntry {
                token: r.token,
                participant: r.participant,
                issued_at: r.issued_at,
                revoked: r.revoked,
            })
            .collect())
    }
}

/// Event `seq`, decoded, read through `blocks`; an event the log should hold and does not is
/// corruption.
pub(crate) fn read_event(
    blocks: &mut dyn EventReader,
    seq: u64,
) -> Result<RecordedEvent, StoreError> {
    let stored = blocks
        .event(seq)?
        .ok_or_else(|| StoreError::Corrupt(format!("event {seq} is missing")))?;
    codec::decode(stored.bytes())
}

impl Directory for Store {
    fn participant(&self, id: ParticipantId) -> Option<Participant> {
        let handle = self.db.get(&key(b'q', &[id.0.as_bytes()])).ok()??;
        self.participant_by_handle(std::str::from_utf8(&handle).ok()?)
    }

    fn participant_by_handle(&self, handle: &str) -> Option<Participant> {
        let bytes = self.db.get(&key(b'p', &[handle.as_bytes()])).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    fn document_by_slug(&self, slug: &str) -> Option<DocumentEntry> {
        let bytes = self.db.get(&key(b'g', &[slug.as_bytes()])).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    fn first_participant(&self) -> Option<ParticipantId> {
        crate::admins::first_participant(self)
    }

    fn admin_records(&self) -> Vec<(ParticipantId, bool)> {
        crate::admins::records(&*self.db)
    }

    fn secretariat_of(&self, id: ParticipantId) -> Option<String> {
        crate::admins::secretariat_of(self, id)
    }
}
