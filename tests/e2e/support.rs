//! What every scenario uses: a fresh store in a temporary directory, the real `travaux` binary
//! run against it with a clean environment, and the small negotiation most tests start from.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tempfile::TempDir;
use travaux_store::postgres::TestDatabase;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_travaux");

/// Environment variables that would otherwise leak the caller's store, actor, document, date
/// or log filter into a test.
const LEAKY_ENV: [&str; 7] = [
    "TRAVAUX_STORE",
    "TRAVAUX_AS",
    "TRAVAUX_DOC",
    "TRAVAUX_DATE",
    "TRAVAUX_LOG",
    "TRAVAUX_SERVER",
    "TRAVAUX_TOKEN",
];

/// The first draft of the fixture negotiation.
pub const DRAFT1: &str = "# Test Code

Recalling the need for a small test of the whole process;

## Article 1 — Objectives

1. The first objective of this Code is clarity of the recruitment rules.
2. The second objective of this Code is fairness towards source countries.

## Article 2 — Scope

1. The Code applies to all recruiters and employers of health personnel.
2. The Code is voluntary and is addressed to Member States and other stakeholders.
";

/// The second draft: a new 1.2 is inserted (the old 1.2 becomes 1.3) and 2.2 is removed.
pub const DRAFT2: &str = "# Test Code

Recalling the need for a small test of the whole process;

## Article 1 — Objectives

1. The first objective of this Code is clarity of the recruitment rules.
2. A new objective of this Code is transparency of the negotiation itself.
3. The second objective of this Code is fairness towards source countries.

## Article 2 — Scope

1. The Code applies to all recruiters and employers of health personnel.
";

/// The fixture negotiation as a script; the same lines, run one by one, build the same store
/// (see `script::the_fixture_script_and_its_lines_run_one_by_one_give_the_same_log`).
pub const FIXTURE_SCRIPT: &str = "# the fixture: five participants, one document, one draft
--date 2020-01-01 participant add secretariat --name \"The Secretariat\" --kind secretariat
--date 2020-01-01 participant add chair --name \"The Chair\" --kind member-state
--date 2020-01-01 participant add brazil --name Brazil --kind member-state
--date 2020-01-01 participant add norway --name Norway --kind member-state
--date 2020-01-01 participant add jane --name \"Jane Doe\" --kind public
--as secretariat --date 2020-01-02 doc new code --title \"Test Code\"
--as secretariat --date 2020-01-02 role grant chair chair
--as secretariat --date 2020-01-02 role grant brazil delegate
--as secretariat --date 2020-01-02 role grant norway delegate
--as secretariat --date 2020-01-02 role grant jane public
--as secretariat --date 2020-01-03 import draft1.md --revision D1
--as secretariat --date 2020-01-03 tag d1
--as secretariat --date 2020-01-03 phase open public-hearing \"Hearing on the draft\"
";

/// What a finished run of the binary gave.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// The head of the log, from `verify --json`: proof that nothing was written in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last event's sequence number.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
}

/// A store in a fresh temporary directory, and the binary to drive it.
pub struct Travaux {
    dir: TempDir,
    store: PathBuf,
    /// The database the store is in, when the suite runs on PostgreSQL: dropped with it.
    database: Option<TestDatabase>,
}

/// The suite runs on PostgreSQL when `TRAVAUX_E2E_ENGINE=postgres` and `TRAVAUX_TEST_POSTGRES`
/// names a server (a URL whose database the test may create databases from): each scenario's
/// store is then a fresh database on it, and `--store` its URL. (`.ci/run` runs the suite
/// once on sled and once so, less the scenarios about a store's directory.)
fn postgres_server() -> Option<String> {
    if std::env::var("TRAVAUX_E2E_ENGINE").ok().as_deref() != Some("postgres") {
        return None;
    }
    let url = std::env::var("TRAVAUX_TEST_POSTGRES")
        .expect("TRAVAUX_E2E_ENGINE=postgres needs TRAVAUX_TEST_POSTGRES, a server's URL");
    Some(url)
}

impl Travaux {
    /// A temporary directory; the store path inside it (`store/`) does not exist yet (or, on
    /// PostgreSQL, a fresh database with no store in it yet).
    pub fn new() -> Travaux {
        let dir = tempfile::Builder::new()
            .prefix("travaux-e2e-")
            .tempdir()
            .expect("a temporary directory");
        let (store, database) = match postgres_server() {
            Some(server) => {
                let db = TestDatabase::create(&server).expect("a database for the scenario");
                (PathBuf::from(db.url.clone()), Some(db))
            }
            None => (dir.path().join("store"), None),
        };
        Travaux {
            dir,
            store,
            database,
        }
    }

    /// Whether the store is a PostgreSQL database (the suite's second run).
    #[allow(dead_code)] // reason: asked by the scenarios about a store's directory
    pub fn on_postgres(&self) -> bool {
        self.database.is_some()
    }

    /// The fixture negotiation: an initialised store, participants secretariat, chair,
    /// brazil, norway (delegates) and jane (public), the document `code` with its roles, the
    /// first draft imported (revision D1) and tagged `d1`, and a public hearing (P1) open for
    /// comments, all dated 2020-01-01 to 2020-01-03.
    pub fn fixture() -> Travaux {
        let t = Travaux::new();
        t.write("draft1.md", DRAFT1);
        t.write("fixture.travaux", FIXTURE_SCRIPT);
        t.create(&["init"]);
        t.ok(&["run", "fixture.travaux"]);
        t
    }

    /// The example negotiation of `travaux demo` (763 events).
    pub fn demo() -> Travaux {
        let t = Travaux::new();
        t.create(&["demo", "--quiet"]);
        t
    }

    /// Run a command that creates the store (`init`, `demo`), insist on exit code 0, and
    /// return stdout. (It used to retry: creating a store once raced sled's background
    /// release of its lock; `store_creation` guards the fix.)
    pub fn create(&self, args: &[&str]) -> String {
        self.ok(args)
    }

    /// The temporary directory; commands run with it as their current directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The store directory.
    pub fn store(&self) -> &Path {
        &self.store
    }

    /// Whether there is no store where this one's would be: no directory, or (on PostgreSQL) a
    /// database that `verify` finds no store in.
    pub fn holds_no_store(&self) -> bool {
        if !self.on_postgres() {
            return !self.store.exists();
        }
        let out = self.run(&["verify"]);
        out.code != 0 && out.stderr.contains("no travaux store")
    }

    /// Write a file into the temporary directory and return its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir().join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path
    }

    /// The binary with a clean environment, run in the temporary directory, with exactly
    /// these arguments (no `--store` added).
    pub fn raw_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        for var in LEAKY_ENV {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.dir()).args(args).stdin(Stdio::null());
        cmd
    }

    /// The binary against this store.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.raw_command(&["--store"]);
        cmd.arg(self.store()).args(args);
        cmd
    }

    /// Run with exactly these arguments (no `--store` added).
    pub fn run_raw(&self, args: &[&str]) -> Output {
        finish(self.raw_command(args))
    }

    /// Run against this store.
    pub fn run(&self, args: &[&str]) -> Output {
        finish(self.command(args))
    }

    /// Run against this store, insist on exit code 0, and return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.code,
            0,
            "`travaux {}` failed with exit code {}\nstderr:\n{}\nstdout:\n{}",
            args.join(" "),
            out.code,
            out.stderr,
            out.stdout
        );
        out.stdout
    }

    /// Run against this store, insist on this exit code and an empty stdout, and return
    /// stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.code,
            code,
            "`travaux {}` should exit with {code}\nstderr:\n{}\nstdout:\n{}",
            args.join(" "),
            out.stderr,
            out.stdout
        );
        assert_eq!(
            out.stdout,
            "",
            "`travaux {}` failed but printed on stdout",
            args.join(" ")
        );
        out.stderr
    }

    /// What bad input gets: this exit code, nothing on stdout, a message on stderr that
    /// contains every one of `names` (compared in lower case), and nothing written to the log.
    pub fn refused(&self, args: &[&str], code: i32, names: &[&str]) -> String {
        let before = self.head();
        let stderr = self.fails(args, code);
        let lower = stderr.to_lowercase();
        for name in names {
            assert!(
                lower.contains(&name.to_lowercase()),
                "the message of `travaux {}` should mention {name:?}; it is:\n{stderr}",
                args.join(" ")
            );
        }
        assert!(
            !stderr.contains("panicked"),
            "`travaux {}` panicked:\n{stderr}",
            args.join(" ")
        );
        assert_eq!(
            self.head(),
            before,
            "`travaux {}` was refused but wrote to the log",
            args.join(" ")
        );
        stderr
    }

    /// Run with `--json` and parse stdout.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("`travaux {}` printed no JSON ({e}):\n{out}", all.join(" ")))
    }

    /// The head of the log, from `verify --json` (which must pass).
    pub fn head(&self) -> Head {
        let report = self.json(&["verify"]);
        assert_eq!(report["problem"], Value::Null, "verify found a problem");
        Head {
            seq: report["head_seq"].as_u64().expect("head_seq"),
            hash: report["head_hash"].as_str().expect("head_hash").to_string(),
        }
    }

    /// The `clauses` of `show --json` with these extra arguments.
    pub fn clauses(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["show"];
        all.extend_from_slice(args);
        match self.json(&all)["clauses"].take() {
            Value::Array(clauses) => clauses,
            other => panic!("show --json has no clauses array: {other}"),
        }
    }

    /// The events of `log --json` with these extra arguments.
    pub fn events(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["log"];
        all.extend_from_slice(args);
        match self.json(&all) {
            Value::Array(events) => events,
            other => panic!("log --json is not an array: {other}"),
        }
    }

    /// A participant's id, by handle.
    pub fn participant_id(&self, handle: &str) -> String {
        let list = self.json(&["participant", "list"]);
        list.as_array()
            .expect("a list of participants")
            .iter()
            .find(|p| p["handle"] == handle)
            .and_then(|p| p["id"].as_str())
            .unwrap_or_else(|| panic!("no participant {handle}"))
            .to_string()
    }
}

fn finish(mut cmd: Command) -> Output {
    let out = cmd.output().expect("run the travaux binary");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// An event's type name (`comment_posted`, …) and its payload, from `log --json`.
pub fn kind(event: &Value) -> (&str, &Value) {
    let kind = event["type"].as_str().expect("an event type");
    (kind, &event["event"])
}

/// The payloads of the comments in `log --json` output.
pub fn comments(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter_map(|e| match kind(e) {
            ("comment_posted", payload) => Some(payload),
            _ => None,
        })
        .collect()
}

/// The clause with this label in `show --json` clauses.
pub fn by_label<'a>(clauses: &'a [Value], label: &str) -> &'a Value {
    clauses
        .iter()
        .find(|c| c["label"] == label)
        .unwrap_or_else(|| panic!("no clause {label}"))
}

/// A field of a JSON value as a string.
pub fn text(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, found {v}"))
}

/// A child process that is killed (SIGKILL) and reaped when dropped, so that a failing
/// assertion does not leave it running.
pub struct Running(pub std::process::Child);

impl Running {
    /// Kill it now and wait for it.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A script of `n` comments by brazil on the whole document, "comment number 1" to
/// "comment number n", one per line.
pub fn comment_script(n: usize) -> String {
    let mut script = String::from("# many comments, numbered in their text\n");
    for i in 1..=n {
        script.push_str(&format!(
            "--as brazil --date 2020-02-01 comment \"comment number {i}\"\n"
        ));
    }
    script
}

/// Parse a `comment` acknowledgement, "commented C7 on the document (neutral) at event 19",
/// into the comment number and the event's sequence number.
pub fn acknowledgement(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("commented C")?;
    let (no, rest) = rest.split_once(' ')?;
    let seq = rest.rsplit_once(" at event ")?.1;
    Some((no.parse().ok()?, seq.trim().parse().ok()?))
}
