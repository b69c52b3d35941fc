//! Reads: the read models' map ([`Tree`]) and the log ([`Log`]), on the reader connections,
//! page by page.

use std::collections::VecDeque;

use postgres::Row;
use travaux_core::{EventId, Hash, StreamId};

use super::{errors, PgEngine, PAGE};
use crate::contract::{successor, Bytes, Entries, EventReader, Head, Log, Reading, Stored, Tree};
use crate::StoreError;

/// A sequence number or version as PostgreSQL's `bigint` (the largest `u64`s, which no log
/// reaches, as the largest `bigint`).
pub(crate) fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A stored `bigint` as a sequence number or version.
fn uint(row: &Row, i: usize) -> Result<u64, StoreError> {
    let v: i64 = row.get(i);
    u64::try_from(v).map_err(|_| {
        errors::corrupt(format!(
            "a stored sequence number or version is negative ({v})"
        ))
    })
}

/// A stored hash.
fn hash(row: &Row, i: usize) -> Result<Hash, StoreError> {
    let bytes: &[u8] = row.get(i);
    <[u8; 32]>::try_from(bytes)
        .map(Hash)
        .map_err(|_| errors::corrupt(format!("a stored hash is {} bytes, not 32", bytes.len())))
}

/// The `(seq, hash)` of a `head` row.
pub(crate) fn head_of(row: &Row) -> Result<Head, StoreError> {
    Ok(Head {
        seq: uint(row, 0)?,
        hash: hash(row, 1)?,
    })
}

/// A `(seq, body)` row as a stored event.
fn stored(row: &Row) -> Result<Stored, StoreError> {
    Ok(Stored::whole(uint(row, 0)?, row.get(1)))
}

/// Where a scan of the map stops.
#[derive(Clone)]
enum Upper {
    None,
    Included(Bytes),
    Excluded(Bytes),
}

/// The entries of the map from a key on, a page at a time.
struct KvPages<'a> {
    engine: &'a PgEngine,
    /// The first key of the next page (the key after the last one read: the last key with a
    /// zero byte appended, its immediate successor in byte order).
    from: Bytes,
    upper: Upper,
    page: VecDeque<(Bytes, Bytes)>,
    done: bool,
}

impl KvPages<'_> {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let from = &self.from;
        let rows =
            self.engine
                .readers
                .with(
                    &self.engine.target,
                    "reading the read models",
                    |c| match &self.upper {
                        Upper::None => c.query(
                            "SELECT k, v FROM kv WHERE k >= $1 ORDER BY k LIMIT $2",
                            &[from, &PAGE],
                        ),
                        Upper::Included(to) => c.query(
                            "SELECT k, v FROM kv WHERE k >= $1 AND k <= $2 ORDER BY k LIMIT $3",
                            &[from, to, &PAGE],
                        ),
                        Upper::Excluded(to) => c.query(
                            "SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k LIMIT $3",
                            &[from, to, &PAGE],
                        ),
                    },
                )?;
        self.done = (rows.len() as i64) < PAGE;
        self.page
            .extend(rows.into_iter().map(|r| (r.get::<_, Vec<u8>>(0), r.get(1))));
        if let Some((last, _)) = self.page.back() {
            self.from.clone_from(last);
            self.from.push(0);
        }
        Ok(())
    }
}

impl Iterator for KvPages<'_> {
    type Item = Result<(Bytes, Bytes), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty() && !self.done {
            if let Err(e) = self.fetch() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.page.pop_front().map(Ok)
    }
}

impl PgEngine {
    fn kv_pages(&self, from: &[u8], upper: Upper) -> Entries<'_> {
        let empty = match &upper {
            Upper::None => false,
            Upper::Included(to) => from > to.as_slice(),
            Upper::Excluded(to) => from >= to.as_slice(),
        };
        Box::new(KvPages {
            engine: self,
            from: from.to_vec(),
            upper,
            page: VecDeque::new(),
            done: empty,
        })
    }

    fn last_kv(
        &self,
        sql: &'static str,
        from: &[u8],
        to: Option<&[u8]>,
    ) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        let row = self
            .readers
            .with(&self.target, "reading the read models", |c| match to {
                Some(to) => c.query_opt(sql, &[&from, &to]),
                None => c.query_opt(sql, &[&from]),
            })?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }
}

impl Tree for PgEngine {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>, StoreError> {
        let row = self
            .readers
            .with(&self.target, "reading the read models", |c| {
                c.query_opt("SELECT v FROM kv WHERE k = $1", &[&key])
            })?;
        Ok(row.map(|r| r.get(0)))
    }

    fn contains_key(&self, key: &[u8]) -> Result<bool, StoreError> {
        let row = self
            .readers
            .with(&self.target, "reading the read models", |c| {
                c.query_opt("SELECT 1 FROM kv WHERE k = $1", &[&key])
            })?;
        Ok(row.is_some())
    }

    fn scan_prefix<'a>(&'a self, prefix: &[u8]) -> Entries<'a> {
        match successor(prefix) {
            Some(end) => self.kv_pages(prefix, Upper::Excluded(end)),
            None => self.kv_pages(prefix, Upper::None),
        }
    }

    fn range<'a>(&'a self, from: &[u8], to: &[u8]) -> Entries<'a> {
        self.kv_pages(from, Upper::Included(to.to_vec()))
    }

    fn last_in_range(&self, from: &[u8], to: &[u8]) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        if from > to {
            return Ok(None);
        }
        self.last_kv(
            "SELECT k, v FROM kv WHERE k >= $1 AND k <= $2 ORDER BY k DESC LIMIT 1",
            from,
            Some(to),
        )
    }

    fn last_with_prefix(&self, prefix: &[u8]) -> Result<Option<(Bytes, Bytes)>, StoreError> {
        match successor(prefix) {
            Some(end) => self.last_kv(
                "SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k DESC LIMIT 1",
                prefix,
                Some(&end),
            ),
            None => self.last_kv(
                "SELECT k, v FROM kv WHERE k >= $1 ORDER BY k DESC LIMIT 1",
                prefix,
                None,
            ),
        }
    }
}

/// The events from a sequence number on, a page at a time, up to `until`.
struct EventPages<'a> {
    engine: &'a PgEngine,
    next: u64,
    /// The last sequence number to read; `None` until a [`Reading::Prefix`] read has read the
    /// head.
    until: Option<u64>,
    page: VecDeque<Stored>,
    done: bool,
}

impl EventPages<'_> {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let until = match self.until {
            Some(u) => u,
            None => {
                let head = self.engine.head()?.seq;
                self.until = Some(head);
                head
            }
        };
        if self.next > until {
            self.done = true;
            return Ok(());
        }
        let (from, to) = (int(self.next), int(until));
        let rows = self
            .engine
            .readers
            .with(&self.engine.target, "reading the log", |c| {
                c.query(
                "SELECT seq, body FROM events WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                &[&from, &to, &PAGE],
            )
            })?;
        self.done = (rows.len() as i64) < PAGE;
        for row in &rows {
            self.page.push_back(stored(row)?);
        }
        if let Some(last) = self.page.back() {
            self.next = last.seq + 1;
        }
        Ok(())
    }
}

impl Iterator for EventPages<'_> {
    type Item = Result<Stored, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty() && !self.done {
            if let Err(e) = self.fetch() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.page.pop_front().map(Ok)
    }
}

/// A stream's (version, seq) pairs, a page at a time, up to the head when the read began.
struct StreamPages<'a> {
    engine: &'a PgEngine,
    stream: StreamId,
    next: u64,
    to: u64,
    until: Option<u64>,
    page: VecDeque<(u64, u64)>,
    done: bool,
}

impl StreamPages<'_> {
    fn fetch(&mut self) -> Result<(), StoreError> {
        let until = match self.until {
            Some(u) => u,
            None => {
                let head = self.engine.head()?.seq;
                self.until = Some(head);
                head
            }
        };
        if self.next > self.to {
            self.done = true;
            return Ok(());
        }
        let (stream, from, to, until) = (self.stream.0, int(self.next), int(self.to), int(until));
        let rows = self
            .engine
            .readers
            .with(&self.engine.target, "reading a stream", |c| {
                c.query(
                    "SELECT version, seq FROM events \
                 WHERE stream = $1 AND version >= $2 AND version <= $3 AND seq <= $4 \
                 ORDER BY version LIMIT $5",
                    &[&stream, &from, &to, &until, &PAGE],
                )
            })?;
        self.done = (rows.len() as i64) < PAGE;
        for row in &rows {
            self.page.push_back((uint(row, 0)?, uint(row, 1)?));
        }
        if let Some((version, _)) = self.page.back() {
            self.next = version + 1;
        }
        Ok(())
    }
}

impl Iterator for StreamPages<'_> {
    type Item = Result<(u64, u64), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty() && !self.done {
            if let Err(e) = self.fetch() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.page.pop_front().map(Ok)
    }
}

/// Events by sequence number: a read of one event, and when the reads go forward one after
/// the other, of a block that doubles up to [`PAGE`] events.
struct Reader<'a> {
    engine: &'a PgEngine,
    block: VecDeque<Stored>,
    last: Option<u64>,
    size: i64,
}

impl EventReader for Reader<'_> {
    fn event(&mut self, seq: u64) -> Result<Option<Stored>, StoreError> {
        while self.block.front().is_some_and(|e| e.seq < seq) {
            self.block.pop_front();
        }
        if let Some(e) = self.block.front().filter(|e| e.seq == seq) {
            self.last = Some(seq);
            return Ok(Some(e.clone()));
        }
        self.size = if self.last.is_some_and(|l| l + 1 == seq) {
            (self.size * 2).min(PAGE)
        } else {
            1
        };
        self.last = Some(seq);
        let (from, to) = (int(seq), int(seq).saturating_add(self.size - 1));
        let rows = self
            .engine
            .readers
            .with(&self.engine.target, "reading the log", |c| {
                c.query(
                    "SELECT seq, body FROM events WHERE seq >= $1 AND seq <= $2 ORDER BY seq",
                    &[&from, &to],
                )
            })?;
        self.block.clear();
        for row in &rows {
            self.block.push_back(stored(row)?);
        }
        Ok(self.block.front().filter(|e| e.seq == seq).cloned())
    }
}

impl Log for PgEngine {
    fn last_event(&self) -> Result<Option<Stored>, StoreError> {
        let row = self.readers.with(&self.target, "reading the log", |c| {
            c.query_opt(
                "SELECT seq, body FROM events ORDER BY seq DESC LIMIT 1",
                &[],
            )
        })?;
        row.as_ref().map(stored).transpose()
    }

    fn reader(&self) -> Box<dyn EventReader + '_> {
        Box::new(Reader {
            engine: self,
            block: VecDeque::new(),
            last: None,
            size: 1,
        })
    }

    fn events_from<'a>(
        &'a self,
        from: u64,
        reading: Reading,
    ) -> Box<dyn Iterator<Item = Result<Stored, StoreError>> + 'a> {
        Box::new(EventPages {
            engine: self,
            next: from.max(1),
            until: match reading {
                Reading::Prefix => None,
                Reading::Whole => Some(u64::MAX),
            },
            page: VecDeque::new(),
            done: false,
        })
    }

    fn stream_seqs<'a>(
        &'a self,
        stream: StreamId,
        from: u64,
        to: u64,
    ) -> Box<dyn Iterator<Item = Result<(u64, u64), StoreError>> + 'a> {
        Box::new(StreamPages {
            engine: self,
            stream,
            next: from,
            to,
            until: None,
            page: VecDeque::new(),
            done: false,
        })
    }

    fn stream_version(&self, stream: StreamId) -> Result<u64, StoreError> {
        let row = self
            .readers
            .with(&self.target, "reading a stream's version", |c| {
                c.query_opt(
                    "SELECT coalesce(max(version), 0) FROM events WHERE stream = $1",
                    &[&stream.0],
                )
            })?;
        match row {
            Some(row) => uint(&row, 0),
            None => Ok(0),
        }
    }

    fn index_entries(&self) -> Result<(u64, u64), StoreError> {
        // The stream and id indexes are the log's own columns: one entry per event each.
        let row = self
            .readers
            .with(&self.target, "counting the events", |c| {
                c.query_opt("SELECT count(*) FROM events", &[])
            })?;
        let n = match row {
            Some(row) => uint(&row, 0)?,
            None => 0,
        };
        Ok((n, n))
    }

    fn by_id(&self, id: EventId) -> Result<Option<(u64, Hash)>, StoreError> {
        let row = self
            .readers
            .with(&self.target, "looking up an event id", |c| {
                c.query_opt("SELECT seq, request FROM events WHERE id = $1", &[&id.0])
            })?;
        row.map(|r| Ok((uint(&r, 0)?, hash(&r, 1)?))).transpose()
    }
}
