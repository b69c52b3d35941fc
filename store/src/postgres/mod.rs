//! The PostgreSQL engine (being written).

use crate::StoreError;

/// A store in a PostgreSQL database.
pub struct PgEngine;

impl PgEngine {
    /// Create the store's tables in the database at `url`, or open it.
    pub(crate) fn create(
        url: &str,
        _markers: &[&[u8]],
    ) -> Result<(crate::sled::SledEngine, bool), StoreError> {
        Err(StoreError::NoStore(url.into()))
    }

    /// Open the store in the database at `url`.
    pub(crate) fn open(url: &str) -> Result<crate::sled::SledEngine, StoreError> {
        Err(StoreError::NoStore(url.into()))
    }
}
