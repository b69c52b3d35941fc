//! The read models of amendments, eight to a key.
//!
//! | prefix | key | value |
//! | --- | --- | --- |
//! | `A` | document id (16) ++ block (u32 BE) | amendments `block × 8 + 1` on: for each of the eight, its length (u32 BE) ++ its read model (packed JSON, see `packed`), or a length of 0 for none yet |
//!
//! A large negotiation has tens of thousands of amendments (86,660 in a generated history of
//! 1,000,000 events), and one key each made them a third of the store's keys: sled's open costs
//! in proportion to its keys (see `log_index`). Eight to a key, a block is about 4.5 KB, so a
//! leaf of sixteen stays below sled's blob threshold. Each amendment is packed on its own, so
//! reading one unpacks only it, and writing one copies the others' bytes as they are.
//!
//! An append writes the amendments its events change ([`AmendmentWrite`]): each block once per
//! append, read and extended in memory first, in the same batch as the events.

use std::collections::HashMap;
use std::ops::Range;

use travaux_core::{Amendment, AmendmentNo, DocumentId};

use crate::contract::{Batch, Tree};
use crate::keys::key;
use crate::keys::{block_events, push_entry};
use crate::packed;
use crate::StoreError;

const PREFIX: u8 = b'A';
/// How many amendments one block holds.
const PER_BLOCK: u32 = 8;

/// The block holding amendment `no`, and its slot there; `None` for 0 (amendments count from 1).
fn place(no: AmendmentNo) -> Option<(u32, usize)> {
    let i = no.0.checked_sub(1)?;
    Some((i / PER_BLOCK, (i % PER_BLOCK) as usize))
}

fn block_key(doc: DocumentId, block: u32) -> Vec<u8> {
    key(PREFIX, &[doc.0.as_bytes(), &block.to_be_bytes()])
}

/// The prefix of every block of a document.
pub(crate) fn prefix(doc: DocumentId) -> Vec<u8> {
    key(PREFIX, &[doc.0.as_bytes()])
}

/// Where each slot of a block lies (an empty range for an empty slot).
fn slots(block: &[u8]) -> Result<Vec<Range<usize>>, StoreError> {
    let slots: Vec<Range<usize>> = block_events(block).collect::<Result<_, _>>()?;
    if slots.len() > PER_BLOCK as usize {
        return Err(StoreError::Corrupt(
            "a block of amendments holds more than eight".into(),
        ));
    }
    Ok(slots)
}

fn decode(bytes: &[u8]) -> Result<Amendment, StoreError> {
    packed::from_model(bytes, "an amendment's read model")
}

/// Every amendment a block holds.
pub(crate) fn in_block(block: &[u8]) -> Result<Vec<Amendment>, StoreError> {
    slots(block)?
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| decode(&block[r]))
        .collect()
}

/// Reads amendments of one document, keeping the last block read: amendments asked for in
/// rising order cost one sled read per block.
pub(crate) struct Amendments<'t> {
    tree: &'t dyn Tree,
    doc: DocumentId,
    last: Option<(u32, Vec<u8>)>,
}

impl<'t> Amendments<'t> {
    pub(crate) fn new(tree: &'t dyn Tree, doc: DocumentId) -> Self {
        Amendments {
            tree,
            doc,
            last: None,
        }
    }

    /// The stored bytes of amendment `no`, if its read model is there.
    fn bytes(&mut self, no: AmendmentNo) -> Result<Option<&[u8]>, StoreError> {
        let Some((block, slot)) = place(no) else {
            return Ok(None);
        };
        if self.last.as_ref().is_none_or(|(b, _)| *b != block) {
            self.last = self
                .tree
                .get(&block_key(self.doc, block))?
                .map(|value| (block, value));
        }
        let Some((_, value)) = &self.last else {
            return Ok(None);
        };
        Ok(slots(value)?
            .get(slot)
            .filter(|r| !r.is_empty())
            .map(|r| &value[r.clone()]))
    }

    /// Amendment `no` as it stands at the head, if its read model is there (and is of it).
    pub(crate) fn get(&mut self, no: AmendmentNo) -> Result<Option<Amendment>, StoreError> {
        Ok(self
            .bytes(no)?
            .map(decode)
            .transpose()?
            .filter(|a| a.no == no))
    }

    /// Whether amendment `no` has a read model.
    pub(crate) fn contains(&mut self, no: AmendmentNo) -> Result<bool, StoreError> {
        Ok(self.bytes(no)?.is_some())
    }
}

/// The amendments an append writes, by block: each block is read from the tree (when there is
/// one) the first time one of its amendments is written, and written into the batch once.
pub(crate) struct AmendmentWrite<'t> {
    tree: &'t dyn Tree,
    blocks: HashMap<(DocumentId, u32), Vec<Vec<u8>>>,
}

impl<'t> AmendmentWrite<'t> {
    pub(crate) fn new(tree: &'t dyn Tree) -> Self {
        AmendmentWrite {
            tree,
            blocks: HashMap::new(),
        }
    }

    /// Write the read model of an amendment of `doc`.
    pub(crate) fn put(&mut self, doc: DocumentId, a: &Amendment) -> Result<(), StoreError> {
        let (block, slot) = place(a.no).ok_or_else(|| {
            StoreError::Corrupt(format!("document {doc} has an amendment numbered 0"))
        })?;
        let slots = match self.blocks.entry((doc, block)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let held = match self.tree.get(&block_key(doc, block))? {
                    Some(value) => slots(&value)?
                        .into_iter()
                        .map(|r| value[r].to_vec())
                        .collect(),
                    None => Vec::new(),
                };
                e.insert(held)
            }
        };
        if slots.len() <= slot {
            slots.resize(slot + 1, Vec::new());
        }
        slots[slot] = packed::model(a)?;
        Ok(())
    }

    /// Put the blocks written into `batch`.
    pub(crate) fn write(self, batch: &mut Batch) {
        for ((doc, block), slots) in self.blocks {
            let mut value = Vec::with_capacity(slots.iter().map(|s| s.len() + 4).sum());
            for slot in &slots {
                push_entry(&mut value, slot);
            }
            batch.insert(block_key(doc, block), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amendments_fall_eight_to_a_block_from_one() {
        assert_eq!(place(AmendmentNo(0)), None);
        assert_eq!(place(AmendmentNo(1)), Some((0, 0)));
        assert_eq!(place(AmendmentNo(8)), Some((0, 7)));
        assert_eq!(place(AmendmentNo(9)), Some((1, 0)));
        assert_eq!(place(AmendmentNo(86_660)), Some((10_832, 3)));
    }

    #[test]
    fn a_block_of_more_than_eight_is_named_malformed() {
        let mut value = Vec::new();
        for _ in 0..9 {
            push_entry(&mut value, b"x");
        }
        let err = slots(&value).unwrap_err();
        assert!(err.to_string().contains("more than eight"), "{err}");
    }
}
