//! The stored form of an event, its hash, and the upcasters that read older forms.
//!
//! A stored event is `hash (32 bytes) ++ body`, where the body is the JSON of [`Stored`]: the
//! envelope with the payload's type name, its schema version and its data. The hash is
//! SHA-256 of the body, and the body holds the previous event's hash, so the log is a chain:
//! changing, removing or reordering any stored event breaks it, and `verify` finds where.
//!
//! The bytes are never rewritten. When a payload type changes shape, its schema version goes
//! up and [`upcast`] learns to turn the older data into the newer, on read.

use serde::de::value::{MapAccessDeserializer, MapDeserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use travaux_core::{Event, EventId, Hash, ParticipantId, RecordedEvent, StreamId, Timestamp};

use crate::StoreError;

/// The largest stored event accepted, in bytes: 8 MiB, room for a clause of `MAX_TEXT` (1 MiB)
/// even if every character of it were escaped in JSON (six bytes at most), with its notes.
/// `decide` keeps events far smaller than that unless one clause is large: a revision is split
/// into parts of about 40 KiB of text, a part of its own for a larger clause. A block of the
/// log that passes about 128 KiB is written by sled to a blob file, which the store's sync
/// covers (`syncfs`, see `sync_store_files`); measured, a value of 1 MiB costs sled about
/// 3 ms to write durably and 0.3 ms to read cold (4 MiB: 13 ms and 2 ms).
pub const MAX_EVENT_BYTES: usize = 8 << 20;

/// The envelope as stored. Written with an owned type name and payload; read with borrowed
/// ones, the payload left as raw JSON until its schema version is known.
#[derive(Serialize, Deserialize)]
struct Stored<K, D> {
    seq: u64,
    id: EventId,
    stream: StreamId,
    version: u64,
    recorded_at: Timestamp,
    actor: ParticipantId,
    #[serde(rename = "type")]
    kind: K,
    schema: u16,
    prev_hash: Hash,
    data: D,
}

/// Encode an event: the bytes to store, with its hash filled in.
pub fn encode(mut e: RecordedEvent) -> Result<(RecordedEvent, Vec<u8>), StoreError> {
    let Value::Object(mut tagged) = serde_json::to_value(&e.event)? else {
        unreachable!("events serialize as objects")
    };
    let (kind, data) = tagged.iter_mut().next().expect("one variant key");
    let stored = Stored {
        seq: e.seq,
        id: e.id,
        stream: e.stream,
        version: e.version,
        recorded_at: e.recorded_at,
        actor: e.actor,
        kind: kind.clone(),
        schema: e.event.schema(),
        prev_hash: e.prev_hash,
        data: data.take(),
    };
    let (hash, bytes) = seal(&stored)?;
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(StoreError::TooLarge {
            kind: e.event.kind(),
            bytes: bytes.len(),
            max: MAX_EVENT_BYTES,
        });
    }
    e.schema = stored.schema;
    e.hash = hash;
    Ok((e, bytes))
}

/// The stored bytes of an envelope: its hash, then its JSON body.
fn seal(stored: &Stored<String, Value>) -> Result<(Hash, Vec<u8>), StoreError> {
    let body = serde_json::to_vec(stored)?;
    let hash = digest(&body);
    let mut bytes = Vec::with_capacity(32 + body.len());
    bytes.extend_from_slice(&hash.0);
    bytes.extend_from_slice(&body);
    Ok((hash, bytes))
}

fn digest(body: &[u8]) -> Hash {
    Hash(Sha256::digest(body).into())
}

/// What `verify` learns about one stored record.
pub struct Checked {
    /// The decoded event (its `hash` is the stored one).
    pub event: RecordedEvent,
    /// Whether the stored hash is the hash of the stored body.
    pub hash_matches: bool,
}

/// The schema versions that changed shape, newest first per type: a payload stored with an
/// older one goes through [`upcast`].
const LATEST: &[(&str, u16)] = &[("amendment_proposed", 2)];

fn needs_upcast(kind: &str, schema: u16) -> bool {
    LATEST
        .iter()
        .any(|(k, latest)| *k == kind && schema < *latest)
}

/// Decode a stored event, upcasting an older payload to the current form. The hash is not
/// recomputed: [`check`] does that, for `verify`.
pub fn decode(bytes: &[u8]) -> Result<RecordedEvent, StoreError> {
    if bytes.len() < 32 {
        return Err(StoreError::Corrupt(format!(
            "a stored event of {} bytes is too short to hold a hash",
            bytes.len()
        )));
    }
    let (hash, body) = bytes.split_at(32);
    let stored: Stored<&str, &RawValue> = serde_json::from_slice(body)?;
    let corrupt = |e: serde_json::Error| {
        StoreError::Corrupt(format!(
            "event {} ({} v{}) does not decode: {e}",
            stored.seq, stored.kind, stored.schema
        ))
    };
    let event: Event = if needs_upcast(stored.kind, stored.schema) {
        let data = upcast(
            stored.kind,
            stored.schema,
            serde_json::from_str(stored.data.get())?,
        )?;
        let mut tagged = Map::new();
        tagged.insert(stored.kind.to_string(), data);
        serde_json::from_value(Value::Object(tagged)).map_err(corrupt)?
    } else {
        // The payload is current: read it as the variant its type names, straight from the
        // stored bytes (a map of one entry, type name to payload, is how the enum reads).
        let tagged = MapDeserializer::<_, serde_json::Error>::new(std::iter::once((
            stored.kind,
            stored.data,
        )));
        Event::deserialize(MapAccessDeserializer::new(tagged)).map_err(corrupt)?
    };
    Ok(RecordedEvent {
        seq: stored.seq,
        id: stored.id,
        stream: stored.stream,
        version: stored.version,
        recorded_at: stored.recorded_at,
        actor: stored.actor,
        schema: stored.schema,
        prev_hash: stored.prev_hash,
        hash: Hash(hash.try_into().expect("32 bytes")),
        event,
    })
}

/// Decode a stored event and recompute its hash.
pub fn check(bytes: &[u8]) -> Result<Checked, StoreError> {
    let event = decode(bytes)?;
    Ok(Checked {
        hash_matches: digest(&bytes[32..]) == event.hash,
        event,
    })
}

/// Bring a payload stored with an older schema version up to the current one, one version at
/// a time.
pub fn upcast(kind: &str, schema: u16, mut data: Value) -> Result<Value, StoreError> {
    let mut version = schema;
    loop {
        data = match (kind, version) {
            // v1 could only replace a clause's text: {amendment, clause, text, rationale}.
            ("amendment_proposed", 1) => {
                let mut old = data;
                let field = |name: &str, v: &mut Value| v.get_mut(name).map(Value::take);
                let clause = field("clause", &mut old).unwrap_or(Value::Null);
                let text = field("text", &mut old).unwrap_or(Value::Null);
                json!({
                    "amendment": field("amendment", &mut old).unwrap_or(Value::Null),
                    "change": { "kind": "replace", "clause": clause, "text": text },
                    "rationale": field("rationale", &mut old).unwrap_or(Value::Null),
                })
            }
            _ => break,
        };
        version += 1;
    }
    Ok(data)
}

/// Build a stored record by hand, as an older version of Travaux wrote it. For tests of
/// upcasting and of `verify`.
#[doc(hidden)]
pub fn encode_raw(
    e: &RecordedEvent,
    kind: &str,
    schema: u16,
    data: Value,
) -> Result<(Hash, Vec<u8>), StoreError> {
    let stored = Stored {
        seq: e.seq,
        id: e.id,
        stream: e.stream,
        version: e.version,
        recorded_at: e.recorded_at,
        actor: e.actor,
        kind: kind.to_string(),
        schema,
        prev_hash: e.prev_hash,
        data,
    };
    seal(&stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use travaux_core::{AmendmentNo, Change, ClauseId};

    #[test]
    fn the_latest_schema_table_agrees_with_the_events() {
        let proposed = Event::AmendmentProposed {
            amendment: AmendmentNo(1),
            change: Change::Delete {
                clause: ClauseId(uuid::Uuid::nil()),
            },
            rationale: None,
        };
        assert!(LATEST.contains(&(proposed.kind(), proposed.schema())));
        assert!(needs_upcast("amendment_proposed", 1));
        assert!(!needs_upcast("amendment_proposed", 2));
        assert!(!needs_upcast("comment_posted", 1));
    }

    fn recorded(event: Event) -> RecordedEvent {
        RecordedEvent {
            seq: 7,
            id: EventId(uuid::Uuid::from_u128(1)),
            stream: StreamId(uuid::Uuid::from_u128(2)),
            version: 3,
            recorded_at: "2008-08-15T09:00:00Z".parse().unwrap(),
            actor: ParticipantId(uuid::Uuid::from_u128(4)),
            schema: 0,
            prev_hash: Hash::default(),
            hash: Hash::default(),
            event,
        }
    }

    #[test]
    fn an_event_reads_back_as_written() {
        let e = recorded(Event::AmendmentProposed {
            amendment: AmendmentNo(12),
            change: Change::Replace {
                clause: ClauseId(uuid::Uuid::from_u128(5)),
                text: "Member States should cooperate.".into(),
            },
            rationale: Some("Clearer.".into()),
        });
        let (written, bytes) = encode(e).unwrap();
        assert_eq!(decode(&bytes).unwrap(), written);
        assert!(check(&bytes).unwrap().hash_matches);
    }

    #[test]
    fn a_payload_that_does_not_fit_its_type_is_named_in_the_error() {
        let e = recorded(Event::AmendmentWithdrawn {
            amendment: AmendmentNo(1),
        });
        for (kind, data) in [
            ("amendment_vanished", json!({ "amendment": 1 })),
            ("amendment_withdrawn", json!({ "amendment": "one" })),
        ] {
            let (_, bytes) = encode_raw(&e, kind, 1, data).unwrap();
            let err = decode(&bytes).unwrap_err().to_string();
            assert!(
                err.contains(&format!("event 7 ({kind} v1) does not decode")),
                "{err}"
            );
        }
    }
}
