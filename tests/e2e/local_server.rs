//! One way to a store: while `travaux serve` holds it, a command on the same machine goes
//! through the server's local socket (`<store>/server.sock`) without being told, as the store's
//! owner (`--as` as locally, no token), and prints, fails and exits as it does locally; a
//! socket left by a killed server does not stop local work. Views at immutable points are
//! answered from the server's cache, which follows a tag withdrawn and set again.

use std::os::unix::fs::PermissionsExt;

use crate::client::serve;
use crate::support::{Output, Travaux, DRAFT2};

/// Run against the store without `--store` given on the command line: `TRAVAUX_STORE` names it.
fn with_env(t: &Travaux, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = t.raw_command(args);
    cmd.env("TRAVAUX_STORE", t.store());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run travaux");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// Two copies of the fixture: the same commands on a served one and on one that is not.
fn twins() -> (Travaux, Travaux) {
    let served = Travaux::fixture();
    let local = Travaux::fixture();
    served.write("draft2.md", DRAFT2);
    local.write("draft2.md", DRAFT2);
    (served, local)
}

#[test]
fn a_command_on_a_served_store_goes_through_the_local_socket_and_answers_as_locally() {
    let (served, local) = twins();
    let server = serve(&served);
    let socket = served.store().join("server.sock");
    let mode = std::fs::metadata(&socket)
        .expect("the server listens on <store>/server.sock")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the socket is its owner's only");
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(served.store().join("server.json")).unwrap())
            .unwrap();
    assert!(
        info["socket"]
            .as_str()
            .is_some_and(|s| s.ends_with("server.sock")),
        "{info}"
    );

    // Reads, writes as a participant named with --as (or TRAVAUX_AS), a file sent along.
    let steps: [&[&str]; 9] = [
        &["show"],
        &["log"],
        &["show", "--at", "d1", "--format", "markdown"],
        &[
            "--as",
            "brazil",
            "--date",
            "2020-02-01",
            "comment",
            "--clause",
            "1.1",
            "clear",
        ],
        &[
            "--as",
            "secretariat",
            "--date",
            "2020-02-02",
            "import",
            "draft2.md",
            "--revision",
            "D2",
        ],
        &["diff", "d1", "head"],
        &["status"],
        &["comment", "list"],
        &["token", "list"],
    ];
    for args in steps {
        let through = served.run(args);
        let here = local.run(args);
        assert_eq!(
            (through.code, &through.stdout, &through.stderr),
            (0, &here.stdout, &here.stderr),
            "`{}` through the local server",
            args.join(" ")
        );
    }
    let env = [("TRAVAUX_AS", "norway")];
    let args = ["--date", "2020-02-03", "comment", "--clause", "1.2", "why"];
    let through = with_env(&served, &env, &args);
    assert_eq!(through.code, 0, "{}", through.stderr);
    assert_eq!(through.stdout, with_env(&local, &env, &args).stdout);

    // Refusals: the same message and exit code, and nothing written.
    let before = served.head();
    let refusals: [&[&str]; 3] = [
        &["show", "--at", "no-such-tag"],
        &["--as", "jane", "agree", "1.1"],
        &["comment", "--clause", "1.1", "nobody acts"],
    ];
    for args in refusals {
        let through = served.run(args);
        let here = local.run(args);
        assert_ne!(here.code, 0);
        assert_eq!(
            (through.code, &through.stdout, &through.stderr),
            (here.code, &here.stdout, &here.stderr),
            "`{}` refused through the local server as locally",
            args.join(" ")
        );
    }
    assert_eq!(served.head(), before, "a refusal writes nothing");

    // A command that needs the store to itself says who holds it.
    let out = served.run(&["compact"]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("travaux serve") && out.stderr.contains(&server.url),
        "{}",
        out.stderr
    );
    drop(server);
    assert_eq!(served.ok(&["log"]), local.ok(&["log"]));
    let report = served.json(&["verify"]);
    assert_eq!(report["problem"], serde_json::Value::Null);
}

#[test]
fn a_script_runs_through_the_local_server_as_on_a_store_of_its_own() {
    let (served, local) = twins();
    let script = "# a session\n\
        --as secretariat --date 2020-02-02 import drafts/draft2.md --revision D2\n\
        --as brazil --date 2020-02-03 comment --clause 1.2 \"why this?\"\n\
        --json tag\n\
        diff d1 D2\n";
    for t in [&served, &local] {
        std::fs::create_dir_all(t.dir().join("session/drafts")).unwrap();
        t.write("session/drafts/draft2.md", DRAFT2);
        t.write("session/s.travaux", script);
        t.write(
            "session/bad.travaux",
            "--as norway --date 2020-02-04 comment \"fine\"\n--as nobody comment \"who?\"\nshow\n",
        );
    }
    let _server = serve(&served);
    for args in [
        &["run", "session/s.travaux", "--echo"][..],
        &["--as", "chair", "run", "session/bad.travaux"],
    ] {
        let through = served.run(args);
        let here = local.run(args);
        assert_eq!(
            (through.code, &through.stdout, &through.stderr),
            (here.code, &here.stdout, &here.stderr),
            "`{}` through the local server",
            args.join(" ")
        );
    }
    let failed = served.run(&["run", "session/bad.travaux"]);
    local.run(&["run", "session/bad.travaux"]);
    assert_eq!(failed.code, 1);
    assert!(
        failed.stderr.contains("bad.travaux:2") && failed.stderr.contains("nobody"),
        "{}",
        failed.stderr
    );
    assert_eq!(served.ok(&["log"]), local.ok(&["log"]));
}

#[test]
fn a_socket_left_by_a_killed_server_does_not_stop_local_work() {
    let t = Travaux::fixture();
    let mut server = serve(&t);
    assert!(t.ok(&["show"]).contains("Test Code"));
    server.kill();
    assert!(t.store().join("server.sock").exists());
    assert!(t.store().join("server.json").exists());
    // Nobody answers on the socket: the command opens the store itself.
    let shown = t.ok(&["show", "--at", "d1"]);
    assert!(shown.contains("Test Code"), "{shown}");
    let written = t.ok(&[
        "--as",
        "brazil",
        "--date",
        "2020-02-01",
        "comment",
        "--clause",
        "1.1",
        "after the crash",
    ]);
    assert!(written.starts_with("commented C1"), "{written}");
    // A new server takes the socket's place, and commands go through it again.
    let _again = serve(&t);
    let listed = t.ok(&["--json", "comment", "list"]);
    assert!(listed.contains("after the crash"), "{listed}");
}

/// `GET /v1/documents/code?at=POINT` as brazil: the text, and whether it came from the cache.
fn shown_over_http(url: &str, token: &str, at: &str) -> (String, bool) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(&format!("{url}/v1/documents/code?at={at}"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    let cached = r
        .headers()
        .get("x-travaux-cache")
        .is_some_and(|v| v == "hit");
    (r.body_mut().read_to_string().expect("a body"), cached)
}

#[test]
fn views_at_immutable_points_come_from_the_cache_and_follow_a_tag_set_again() {
    let (served, local) = twins();
    let (token, _) = crate::client::issue(&served, "brazil");
    crate::client::issue(&local, "brazil");
    let uncached_d1 = served.ok(&["show", "--at", "d1"]);
    let server = serve(&served);
    let url = server.url.as_str();

    // The cached answer is the uncached one.
    let (first, hit) = shown_over_http(url, &token, "d1");
    assert!(!hit, "the first answer is worked out");
    let (again, hit) = shown_over_http(url, &token, "d1");
    assert!(hit, "the second comes from the cache");
    assert_eq!(again, first);
    assert_eq!(served.ok(&["show", "--at", "d1"]), uncached_d1);
    assert_eq!(
        served.ok(&["show", "--at", "d1"]),
        local.ok(&["show", "--at", "d1"])
    );
    // The head is never cached, nor a time the log has not reached (an event recorded
    // later could be dated before it); an event number and a past time are.
    for (at, cached) in [
        ("head", false),
        ("2999-01-01", false),
        ("13", true),
        ("2020-01-02", true),
    ] {
        let (first, _) = shown_over_http(url, &token, at);
        let (again, hit) = shown_over_http(url, &token, at);
        assert_eq!(hit, cached, "show --at {at}");
        assert_eq!(again, first);
    }

    // A write changes the head, not the view at the tag.
    let head_before = served.ok(&["show"]);
    let draft2 = [
        "--as",
        "secretariat",
        "--date",
        "2020-02-02",
        "import",
        "draft2.md",
        "--revision",
        "D2",
    ];
    served.ok(&draft2);
    local.ok(&draft2);
    let head_after = served.ok(&["show"]);
    assert_ne!(head_after, head_before, "the head shows the new draft");
    assert_eq!(head_after, local.ok(&["show"]));
    assert_eq!(served.ok(&["show", "--at", "d1"]), uncached_d1);
    let (_, hit) = shown_over_http(url, &token, "d1");
    assert!(hit);
    let d1_to_d2 = served.ok(&["diff", "d1", "D2"]);
    assert_eq!(served.ok(&["diff", "d1", "D2"]), d1_to_d2);
    assert_eq!(d1_to_d2, local.ok(&["diff", "d1", "D2"]));

    // The tag withdrawn and set on the new draft: the view at it is the new one.
    for t in [&served, &local] {
        t.ok(&[
            "--as",
            "secretariat",
            "--date",
            "2020-02-03",
            "tag",
            "withdraw",
            "d1",
        ]);
        t.ok(&["--as", "secretariat", "--date", "2020-02-03", "tag", "d1"]);
    }
    let moved = served.ok(&["show", "--at", "d1"]);
    assert_ne!(moved, uncached_d1, "the tag names the new draft");
    assert_eq!(moved, local.ok(&["show", "--at", "d1"]));
    assert!(moved.contains("transparency of the negotiation"), "{moved}");
    let (over_http, hit) = shown_over_http(url, &token, "d1");
    assert!(!hit, "the tag names another event: another view");
    assert!(over_http.contains("transparency of the negotiation"));
    let (again, hit) = shown_over_http(url, &token, "d1");
    assert!(hit);
    assert_eq!(again, over_http);
    assert_eq!(
        served.ok(&["diff", "d1", "D2"]),
        local.ok(&["diff", "d1", "D2"])
    );
}

#[test]
fn a_script_runs_on_the_store_travaux_store_names() {
    let t = Travaux::fixture();
    t.write(
        "more.travaux",
        "--as brazil --date 2020-02-01 comment --clause 1.1 \"from a script\"\nshow --at d1\n",
    );
    let before = t.head();
    let out = with_env(&t, &[], &["run", "more.travaux"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("commented C1"), "{}", out.stdout);
    assert_ne!(t.head(), before);
    // A line that names another store is still refused, and writes nothing.
    t.write(
        "elsewhere.travaux",
        "--store other --as brazil comment --clause 1.1 \"elsewhere\"\n",
    );
    let head = t.head();
    let out = with_env(&t, &[], &["run", "elsewhere.travaux"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("elsewhere.travaux:1") && out.stderr.contains("--store"),
        "{}",
        out.stderr
    );
    assert_eq!(t.head(), head);
}
