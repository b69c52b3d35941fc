//! Where a test's store lives: a temporary directory (sled), or, when the suite runs on
//! PostgreSQL (`TRAVAUX_STORE_TEST_ENGINE=postgres` with `TRAVAUX_TEST_POSTGRES` naming a server,
//! as `.ci/run` sets them for the second pass), a fresh database on that server, dropped when
//! the test ends. Tests about sled's own files (its blocks, its anchor, compaction, earlier
//! layouts) ask [`on_postgres`] and stay on sled.

#![allow(dead_code)] // reason: each test file uses part of it

use tempfile::TempDir;
use travaux_store::postgres::TestDatabase;
use travaux_store::Location;

/// Whether the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("TRAVAUX_STORE_TEST_ENGINE").ok().as_deref() == Some("postgres")
}

/// A place for one store, removed with it.
pub struct Place {
    /// The temporary directory (a sled store's, or empty beside a database).
    pub dir: TempDir,
    /// Where the store is.
    pub location: Location,
    database: Option<TestDatabase>,
}

impl Place {
    /// The sled store's directory (tests about sled's own files only).
    pub fn path(&self) -> &std::path::Path {
        self.location
            .dir()
            .expect("a test about sled's files runs on sled only")
    }
}

/// A place for a new store: a directory `store` inside a temporary one, or a fresh database.
pub fn place() -> Place {
    let dir = tempfile::tempdir().unwrap();
    if on_postgres() {
        let server = std::env::var("TRAVAUX_TEST_POSTGRES").expect(
            "TRAVAUX_STORE_TEST_ENGINE=postgres needs TRAVAUX_TEST_POSTGRES, a server's URL",
        );
        let database = TestDatabase::create(&server).expect("a database for the test");
        let location = Location::Postgres(database.url.clone());
        return Place {
            dir,
            location,
            database: Some(database),
        };
    }
    let location = Location::Dir(dir.path().join("store"));
    Place {
        dir,
        location,
        database: None,
    }
}
