//! Compression of what the store writes in bulk: the log's blocks and the snapshots.
//!
//! sled 0.34 stores every value as given and costs, on every open, in proportion to the size
//! of its file (it reads the header of each of its 512 KiB segments and zeroes the free ones):
//! a log kept three times smaller makes the store smaller to open, to read and to write.
//! zstd at level 1 packs a block of sixteen generated events 2.6 times, at about 370 MB/s, and
//! unpacks it at about 1 GB/s, with one context per thread kept between calls (a new context
//! for each block of a few kilobytes costs as much as the work).
//!
//! A packed value is the length of what it holds (u32 BE) followed by one zstd frame, with the
//! frame's checksum of its content.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::StoreError;

/// The zstd level: the fastest of the standard levels; higher ones pack these blocks barely
/// better (level 3: 1% smaller, a third slower).
const LEVEL: i32 = 1;

/// The largest value unpacked: a log block of sixteen events at their largest (16 × 8 MiB),
/// or the read model of a document made of the largest draft, with room to spare; anything
/// claiming more is corrupt, not a reason to allocate it.
const MAX_UNPACKED: usize = 256 << 20;

thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// Pack `raw`. (Public, hidden, for tests that build stored values by hand.)
pub fn pack(raw: &[u8]) -> Result<Vec<u8>, StoreError> {
    let len = u32::try_from(raw.len())
        .map_err(|_| StoreError::Corrupt("a value too large to pack".into()))?;
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            let mut made = zstd::bulk::Compressor::new(LEVEL)?;
            // A checksum of what the frame holds: a damaged value is reported where it is read,
            // not decoded into something else.
            made.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))?;
            *c = Some(made);
        }
        let frame = c.as_mut().expect("made above").compress(raw)?;
        let mut out = Vec::with_capacity(4 + frame.len());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&frame);
        Ok(out)
    })
}

/// Unpack a value written by [`pack`]; `what` names it in the error if it does not unpack.
pub fn unpack(packed: &[u8], what: &str) -> Result<Vec<u8>, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("{what} does not unpack: {why}"));
    let (len, frame) = match packed.split_first_chunk::<4>() {
        Some((len, frame)) => (u32::from_be_bytes(*len) as usize, frame),
        None => return Err(corrupt(format!("{} bytes hold no length", packed.len()))),
    };
    if len > MAX_UNPACKED {
        return Err(corrupt(format!("it claims {len} bytes")));
    }
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_none() {
            *d = Some(zstd::bulk::Decompressor::new()?);
        }
        let raw = d
            .as_mut()
            .expect("made above")
            .decompress(frame, len)
            .map_err(|e| corrupt(e.to_string()))?;
        if raw.len() != len {
            return Err(corrupt(format!(
                "{} bytes for the {len} it claims",
                raw.len()
            )));
        }
        Ok(raw)
    })
}

/// A read model's stored form: its JSON, packed.
pub(crate) fn model<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, StoreError> {
    pack(&serde_json::to_vec(value)?)
}

/// A read model from its stored form: packed JSON, or plain JSON as stores written before read
/// models were packed keep it (JSON begins with `{`; a packed value with its length, whose
/// first byte is never that).
pub(crate) fn from_model<T: DeserializeOwned>(stored: &[u8], what: &str) -> Result<T, StoreError> {
    if stored.first() == Some(&b'{') {
        return Ok(serde_json::from_slice(stored)?);
    }
    Ok(serde_json::from_slice(&unpack(stored, what)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_value_unpacks_to_itself() {
        for raw in [&b""[..], b"x", &b"health personnel ".repeat(500)] {
            let packed = pack(raw).unwrap();
            assert_eq!(unpack(&packed, "a block").unwrap(), raw);
        }
        assert!(pack(&b"health personnel ".repeat(500)).unwrap().len() < 500);
    }

    #[test]
    fn a_read_model_reads_back_packed_or_as_plain_json() {
        let value = serde_json::json!({ "text": "health personnel ".repeat(40), "no": 3 });
        let stored = model(&value).unwrap();
        assert_ne!(stored.first(), Some(&b'{'));
        assert!(stored.len() < serde_json::to_vec(&value).unwrap().len());
        assert_eq!(
            from_model::<serde_json::Value>(&stored, "a model").unwrap(),
            value
        );
        let plain = serde_json::to_vec(&value).unwrap();
        assert_eq!(
            from_model::<serde_json::Value>(&plain, "a model").unwrap(),
            value
        );
    }

    #[test]
    fn a_damaged_value_is_named_in_the_error() {
        let mut packed = pack(&b"health personnel ".repeat(50)).unwrap();
        for damaged in [
            packed[..2].to_vec(),
            {
                let n = packed.len();
                packed[n - 3] ^= 0xff;
                packed.clone()
            },
            {
                packed[0] = 0x7f;
                packed
            },
        ] {
            let err = unpack(&damaged, "log block 7").unwrap_err().to_string();
            assert!(err.contains("log block 7 does not unpack"), "{err}");
        }
    }
}
