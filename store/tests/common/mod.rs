//! Where a test's store lives: a temporary directory (sled), or, when the suite runs on
//! PostgreSQL (`TRAVAUX_STORE_TEST_ENGINE=postgres` with `TRAVAUX_TEST_POSTGRES` naming a server,
//! as `.ci/run` sets them for the second pass), a fresh database on that server, dropped when
//! the test ends. Tests about sled's own files (its blocks, its anchor, compaction, earlier
//! layouts) ask [`on_postgres`] and stay on sled.

#![allow(dead_code)] // reason: each test file uses part of it

use tempfile::TempDir;
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
    database: Option<Database>,
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
        let database = Database::create(&server);
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

struct Database {
    server: String,
    name: String,
    url: String,
}

impl Database {
    fn create(server: &str) -> Database {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "travaux_store_test_{}_{nanos}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test server: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database for the test");
        let url = with_database(server, &name);
        Database {
            server: server.to_string(),
            name,
            url,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The server's URL naming database `name` instead of its own.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}
