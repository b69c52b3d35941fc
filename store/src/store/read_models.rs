//! What an append writes beside its events: the registry's and tokens' read models, the
//! per-clause (`K`) and text-change (`X`) indexes in blocks, the amendments, the index of open
//! ones, and snapshots.

#[allow(clippy::wildcard_imports)]
// reason: one module split in files by job, sharing its names
use super::*;

/// A token's read model (`t`): its entry, its digest and the event that issued it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct TokenRecord {
    pub(super) token: TokenId,
    pub(super) participant: ParticipantId,
    pub(super) digest: Hash,
    pub(super) issued_at: Timestamp,
    /// The event that issued it: tokens are listed in the order they were issued.
    pub(super) seq: u64,
    pub(super) revoked: bool,
}

/// The token records a batch being built has written, ahead of the tree: a revocation finds
/// the token issued earlier in the same batch here, or else in `tree` (none during `rebuild`,
/// whose batch deletes the tree's records and writes every token anew).
pub(super) struct TokenBatch<'a> {
    written: HashMap<TokenId, TokenRecord>,
    tree: Option<&'a dyn Tree>,
}

impl<'a> TokenBatch<'a> {
    pub(super) fn new(tree: Option<&'a dyn Tree>) -> Self {
        TokenBatch {
            written: HashMap::new(),
            tree,
        }
    }

    pub(super) fn get(&self, token: TokenId) -> Result<Option<TokenRecord>, StoreError> {
        if let Some(r) = self.written.get(&token) {
            return Ok(Some(r.clone()));
        }
        let Some(tree) = self.tree else {
            return Ok(None);
        };
        match tree.get(&token_key(token))? {
            Some(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
            None => Ok(None),
        }
    }

    pub(super) fn put(&mut self, batch: &mut Batch, r: TokenRecord) -> Result<(), StoreError> {
        batch.insert(token_key(r.token), serde_json::to_vec(&r)?);
        self.written.insert(r.token, r);
        Ok(())
    }
}

pub(super) fn token_key(token: TokenId) -> Vec<u8> {
    key(b't', &[token.0.as_bytes()])
}

pub(super) fn digest_key(digest: &Hash) -> Vec<u8> {
    key(b'T', &[&digest.0])
}

/// The key prefix of one clause's history index (`K`).
pub(crate) fn clause_prefix(doc: DocumentId, clause: ClauseId) -> Vec<u8> {
    key(b'K', &[doc.0.as_bytes(), clause.0.as_bytes()])
}

/// The key prefix of one document's text changes (`X`).
pub(super) fn text_prefix(doc: DocumentId) -> Vec<u8> {
    key(b'X', &[doc.0.as_bytes()])
}

/// How the entries of a [`BlockIndex`] are kept.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Entries {
    /// Sequence numbers (u64 BE), 256 to a block, unpacked (`K`).
    Seqs,
    /// Stored events (length ++ bytes, as the log keeps them), 16 to a block, packed (`X`).
    Events,
}

impl Entries {
    pub(super) fn per_block(self) -> usize {
        match self {
            Entries::Seqs => CLAUSE_BLOCK,
            Entries::Events => TEXT_BLOCK,
        }
    }

    /// How many entries a block holds (unpacked).
    pub(super) fn count(self, raw: &[u8]) -> Result<usize, StoreError> {
        let malformed = || StoreError::Corrupt("a block of an index is malformed".into());
        match self {
            Entries::Seqs if raw.len().is_multiple_of(8) => Ok(raw.len() / 8),
            Entries::Seqs => Err(malformed()),
            Entries::Events => block_events(raw)
                .try_fold(0, |n, r| r.map(|_| n + 1))
                .map_err(|_| malformed()),
        }
    }
}

/// The blocks of an index that a write extends (`K`: each clause's history; `X`: each
/// document's text changes): the last block under each prefix is read once (from `tree`, when
/// there is one to read: not during `rebuild`, which starts them afresh), extended, and written
/// once per batch. Blocks are numbered from 0 under their prefix (u32 BE).
pub(super) struct BlockIndex<'t> {
    tree: Option<&'t dyn Tree>,
    entries: Entries,
    /// The number of the last block under each prefix.
    last: HashMap<Vec<u8>, u32>,
    /// The blocks extended since they were last written, unpacked, with their entry counts.
    touched: std::collections::BTreeMap<(Vec<u8>, u32), (Vec<u8>, usize)>,
}

impl<'t> BlockIndex<'t> {
    pub(super) fn new(tree: Option<&'t dyn Tree>, entries: Entries) -> Self {
        BlockIndex {
            tree,
            entries,
            last: HashMap::new(),
            touched: std::collections::BTreeMap::new(),
        }
    }

    /// The next entry under `prefix`: a seq (`Entries::Seqs`) or a stored event.
    pub(super) fn add(&mut self, prefix: Vec<u8>, entry: &[u8]) -> Result<(), StoreError> {
        let n = match self.last.get(&prefix) {
            Some(n) => *n,
            None => {
                let found = match self.tree {
                    Some(tree) => tree.last_with_prefix(&prefix)?,
                    None => None,
                };
                let (n, raw) = match found {
                    Some((k, v)) => (
                        be_u32(&k[prefix.len()..])?,
                        match self.entries {
                            Entries::Seqs => v.to_vec(),
                            Entries::Events => packed::unpack(&v, "a block of text changes")?,
                        },
                    ),
                    None => (0, Vec::new()),
                };
                let count = self.entries.count(&raw)?;
                self.last.insert(prefix.clone(), n);
                self.touched.insert((prefix.clone(), n), (raw, count));
                n
            }
        };
        let full = self
            .touched
            .get(&(prefix.clone(), n))
            .is_some_and(|(_, count)| *count >= self.entries.per_block());
        let n = if full {
            self.last.insert(prefix.clone(), n + 1);
            n + 1
        } else {
            n
        };
        let (raw, count) = self.touched.entry((prefix, n)).or_default();
        match self.entries {
            Entries::Seqs => raw.extend_from_slice(entry),
            Entries::Events => push_entry(raw, entry),
        }
        *count += 1;
        Ok(())
    }

    /// Write the blocks extended into `batch`, and forget those full (no entry goes to them
    /// again).
    pub(super) fn write(&mut self, batch: &mut Batch) -> Result<(), StoreError> {
        for ((prefix, n), (raw, _)) in &self.touched {
            let mut k = prefix.clone();
            k.extend_from_slice(&n.to_be_bytes());
            match self.entries {
                Entries::Seqs => batch.insert(k, raw.as_slice()),
                Entries::Events => batch.insert(k, packed::pack(raw)?),
            }
        }
        let last = &self.last;
        self.touched
            .retain(|(prefix, n), _| last.get(prefix) == Some(n));
        Ok(())
    }
}

/// The indexes a write extends: per clause (`K`) and the text changes (`X`).
pub(super) struct Indexes<'t> {
    clauses: BlockIndex<'t>,
    texts: BlockIndex<'t>,
}

impl<'t> Indexes<'t> {
    pub(super) fn new(tree: Option<&'t dyn Tree>) -> Self {
        Indexes {
            clauses: BlockIndex::new(tree, Entries::Seqs),
            texts: BlockIndex::new(tree, Entries::Events),
        }
    }

    /// The entries of a document event (`stored`, as the log stores it): per clause, and among
    /// the text changes, where it is stored again so that reading every text change reads them
    /// side by side rather than scattered among the comments.
    pub(super) fn add(&mut self, e: &RecordedEvent, stored: &[u8]) -> Result<(), StoreError> {
        let doc = DocumentId(e.stream.0);
        if !e.event.ops().is_empty() {
            self.texts.add(text_prefix(doc), stored)?;
        }
        for clause in e.event.clauses() {
            self.clauses
                .add(clause_prefix(doc, clause), &e.seq.to_be_bytes())?;
        }
        Ok(())
    }

    pub(super) fn write(&mut self, batch: &mut Batch) -> Result<(), StoreError> {
        self.clauses.write(batch)?;
        self.texts.write(batch)
    }
}

/// The key marking an amendment as open.
pub(super) fn open_key(doc: DocumentId, no: AmendmentNo) -> Vec<u8> {
    key(b'o', &[doc.0.as_bytes(), &no.0.to_be_bytes()])
}

/// The amendments some events are about.
pub(super) fn touched(events: &[RecordedEvent]) -> Vec<AmendmentNo> {
    events.iter().filter_map(|e| e.event.amendment()).collect()
}

/// Whether `e` tags the document as `state` holds it (a tag set at the head, as tags usually
/// are): the state is then snapshotted, so that a view at a tag, where people look most, starts
/// from a snapshot at its very point and folds nothing.
pub(super) fn tags(e: &RecordedEvent, state: &DocumentState) -> bool {
    matches!(&e.event, Event::TagSet { seq, .. } if *seq == state.seq)
}

/// Write the read models of a document's amendments into a batch: those named (the ones an
/// append changed), or all.
pub(super) fn put_amendments(
    tree: &dyn Tree,
    batch: &mut Batch,
    state: &DocumentState,
    touched: Option<&[AmendmentNo]>,
) -> Result<(), StoreError> {
    let mut write = AmendmentWrite::new(tree);
    match touched {
        Some(nos) => {
            for no in nos {
                if let Some(a) = state.amendments.get(no) {
                    write.put(state.id, a)?;
                }
            }
        }
        None => {
            for a in state.amendments.values() {
                write.put(state.id, a)?;
            }
        }
    }
    write.write(batch);
    Ok(())
}

/// Write a snapshot of a document (open amendments only) into a batch, in chunks.
pub(super) fn put_snapshot(batch: &mut Batch, state: &DocumentState) -> Result<(), StoreError> {
    let doc = state.id.0;
    let seq = state.seq.to_be_bytes();
    batch.insert(
        key(b'N', &[doc.as_bytes(), &seq]),
        serde_json::to_vec(&state.updated_at)?,
    );
    let json = packed::model(state)?;
    for (i, chunk) in json.chunks(READ_MODEL_CHUNK).enumerate() {
        batch.insert(
            key(b'n', &[doc.as_bytes(), &seq, &(i as u32).to_be_bytes()]),
            chunk,
        );
    }
    Ok(())
}

/// The registry read-model entries an event writes: participants, documents, tokens.
pub(super) fn registry_entries(
    e: &RecordedEvent,
    batch: &mut Batch,
    tokens: &mut TokenBatch<'_>,
) -> Result<(), StoreError> {
    if let Some(p) = participant_of(e) {
        batch.insert(key(b'q', &[p.id.0.as_bytes()]), p.handle.as_bytes());
        batch.insert(key(b'p', &[p.handle.as_bytes()]), serde_json::to_vec(&p)?);
    }
    if let Some(d) = document_of(e) {
        batch.insert(key(b'g', &[d.slug.as_bytes()]), serde_json::to_vec(&d)?);
    }
    match &e.event {
        Event::TokenIssued {
            token,
            participant,
            digest,
        } => {
            let mut value = token.0.as_bytes().to_vec();
            value.extend_from_slice(participant.0.as_bytes());
            batch.insert(digest_key(digest), value);
            tokens.put(
                batch,
                TokenRecord {
                    token: *token,
                    participant: *participant,
                    digest: *digest,
                    issued_at: e.recorded_at,
                    seq: e.seq,
                    revoked: false,
                },
            )?;
        }
        Event::AdminGranted { participant } => {
            batch.insert(key(b'R', &[participant.0.as_bytes()]), &[1u8][..]);
        }
        Event::AdminRevoked { participant } => {
            batch.insert(key(b'R', &[participant.0.as_bytes()]), &[0u8][..]);
        }
        Event::TokenRevoked { token } => {
            // A token the log never issued has nothing to revoke.
            if let Some(mut r) = tokens.get(*token)? {
                batch.remove(digest_key(&r.digest));
                r.revoked = true;
                tokens.put(batch, r)?;
            }
        }
        _ => {}
    }
    Ok(())
}
