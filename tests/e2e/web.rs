//! The observer's web page, in a real browser: headless Chromium (Debian's `chromium`, which
//! `.ci/run` installs) loads each page of the example negotiation served by `travaux serve`,
//! and the test checks the DOM it rendered against what the CLI answers: the adopted text, a
//! struck word in the comparative print, the timeline's SVG, the live banner after an append.
//! Screenshots are saved under the test's temporary target directory (`CARGO_TARGET_TMPDIR`).
//! Tokens and visibility are checked over HTTP (a browser sends no `Authorization` header:
//! `?token=` sets a cookie).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve::{token, Server};
use crate::support::Travaux;

/// The browser, or a clear failure saying how to get it.
fn chromium() -> &'static str {
    let found = Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "these tests need Chromium: `apt-get install -y chromium` (.ci/run installs it)"
    );
    "chromium"
}

/// The arguments every headless run takes (CI runs as root: no sandbox).
fn browser(profile: &std::path::Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-dev-shm-usage",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .stderr(Stdio::null());
    cmd
}

/// The DOM Chromium rendered for `url`, after its scripts ran (a virtual time budget).
fn dom(t: &Travaux, url: &str) -> String {
    let out = browser(&t.dir().join("chromium-profile"))
        .args(["--virtual-time-budget=3000", "--dump-dom", url])
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed on {url}");
    String::from_utf8(out.stdout).expect("the DOM is UTF-8")
}

/// Save a screenshot of `url` as a test artifact, and return its path.
fn screenshot(t: &Travaux, url: &str, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshots' directory");
    let file = dir.join(format!("{name}.png"));
    let status = browser(&t.dir().join("chromium-profile"))
        .arg(format!("--screenshot={}", file.display()))
        .args(["--window-size=1200,900", "--hide-scrollbars", url])
        .stdout(Stdio::null())
        .status()
        .expect("run chromium");
    assert!(status.success(), "chromium could not take {name}");
    let size = std::fs::metadata(&file).expect("a screenshot").len();
    assert!(size > 5_000, "{name} is an empty picture ({size} bytes)");
    file
}

/// Text as an HTML serializer writes it.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An HTTP client that does not follow redirects.
fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// Status, a header and the body of a GET.
fn fetch(url: &str, headers: &[(&str, &str)], header: &str) -> (u16, Option<String>, String) {
    let mut req = http().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut r = req.call().expect("an answer");
    let value = r
        .headers()
        .get(header)
        .map(|v| v.to_str().expect("ASCII").to_string());
    let body = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), value, body)
}

#[test]
fn every_page_of_the_example_shows_in_a_browser_what_the_cli_answers() {
    let t = Travaux::demo();
    let adopted = t.json(&["show", "--at", "WHA63.16", "--json"]);
    let at = adopted["seq"].as_u64().expect("the tag's event");
    let diff = t.json(&["diff", "first-draft", "WHA63.16", "--json"]);
    let first = t.json(&["show", "--at", "first-draft", "--json"])["seq"]
        .as_u64()
        .expect("the first draft's event");
    let amendments = t.json(&["amend", "list", "--all", "--json"]);
    let during = t.json(&["show", "--at", "170", "--json"]);
    let blame = t.json(&["blame", "2.1", "--json"]);
    let history = t.json(&["log", "--clause", "2.1", "--json"]);
    let commented = t.json(&["comment", "list", "--json"]);
    let rounds = t.json(&["participation", "--json"]);
    // The server holds the store from here on.
    let s = Server::start(&t);

    // The documents, with their state.
    let index = dom(&t, &s.at("/"));
    assert!(index.contains("WHO Global Code of Practice"), "{index}");
    assert!(index.contains("adopted as WHA63.16"), "{index}");
    assert!(index.contains("100%"), "the share agreed: {index}");

    // The picker turns a tag into the lasting link with its event number.
    let (status, location, _) = fetch(&s.at("/d/who-code?point=WHA63.16"), &[], "location");
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some(&*format!("/d/who-code?at={at}")));
    // The adopted text, every clause of it.
    let page = dom(&t, &s.at(&format!("/d/who-code?at={at}")));
    for c in adopted["clauses"].as_array().expect("clauses") {
        let text = c["text"].as_str().unwrap_or_default();
        assert!(
            page.contains(&escaped(text)),
            "{} is not shown as adopted: {text}",
            c["label"]
        );
    }
    assert!(
        page.contains(&format!("The text after event {at}")),
        "{page}"
    );
    assert!(
        !page.contains("id=\"live\""),
        "a past point is not followed live"
    );
    screenshot(&t, &s.at(&format!("/d/who-code?at={at}")), "document");
    // Before the drafting committee decided, amendments were pending and words bracketed.
    let pending = during["pending_amendments"].as_array().expect("pending");
    assert!(!pending.is_empty());
    let page = dom(&t, &s.at("/d/who-code?at=170"));
    for a in pending {
        let no = a["amendment"].as_str().unwrap();
        assert!(
            page.contains(&format!("/d/who-code/amendments/{no}\"")),
            "{no}"
        );
    }
    let bracket = during["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["brackets"].as_array().unwrap().iter())
        .next()
        .expect("an open bracket at event 170");
    let span = bracket["span"].as_str().unwrap();
    assert!(
        page.contains(&format!("[{}]</mark>", escaped(span))),
        "{span}"
    );

    // The comparative print: a struck word and an inserted one, each as `diff` has them, and
    // the amendments that made them.
    let url = s.at(&format!("/d/who-code/compare?from={first}&to={at}"));
    let page = dom(&t, &url);
    let spans: Vec<&Value> = diff["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["text"]["spans"].as_array().unwrap().iter())
        .collect();
    let struck = spans
        .iter()
        .find(|s| s["kind"] == "delete")
        .expect("a deletion");
    let put = spans
        .iter()
        .find(|s| s["kind"] == "insert")
        .expect("an insertion");
    let struck = escaped(struck["text"].as_str().unwrap());
    assert!(page.contains(&format!("<del>{struck}</del>")), "{struck}");
    let put = escaped(put["text"].as_str().unwrap());
    assert!(page.contains(&format!("<ins>{put}</ins>")), "{put}");
    let a1 = &amendments[0];
    assert!(
        page.contains(&format!(
            "A1, proposed by {}: {}",
            a1["proposer"].as_str().unwrap(),
            a1["status"].as_str().unwrap()
        )),
        "the change is annotated with its amendment"
    );
    screenshot(&t, &url, "compare");
    // It prints: the browser makes a PDF of it (the print style sheet drops the navigation).
    let pdf = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("web-screenshots")
        .join("compare.pdf");
    let status = browser(&t.dir().join("chromium-profile"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(&url)
        .stdout(Stdio::null())
        .status()
        .expect("run chromium");
    assert!(status.success());
    let printed = std::fs::read(&pdf).expect("a PDF");
    assert!(
        printed.starts_with(b"%PDF") && printed.len() > 10_000,
        "{} bytes",
        printed.len()
    );
    let columns = dom(&t, &format!("{url}&view=columns"));
    assert!(columns.contains("class=\"columns\""));
    assert!(columns.contains(&format!("<del>{struck}</del>")));
    // A comparison between tags redirects to event numbers.
    let (status, location, _) = fetch(
        &s.at("/d/who-code/compare?from=first-draft&to=WHA63.16"),
        &[],
        "location",
    );
    assert_eq!(status, 303);
    assert_eq!(
        location.as_deref(),
        Some(&*format!("/d/who-code/compare?from={first}&to={at}"))
    );

    // A clause: who wrote each word, its history, its comments.
    let page = dom(&t, &s.at("/d/who-code/clause/2.1"));
    for run in blame["runs"].as_array().unwrap() {
        let author = run["origin"]["author"].as_str().unwrap();
        assert!(page.contains(author), "{author}");
    }
    for e in history.as_array().unwrap() {
        let seq = e["seq"].as_u64().unwrap();
        assert!(
            page.contains(&format!("?at={seq}\">{seq}</a>")),
            "event {seq}"
        );
    }
    let c = commented["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clause"].is_string())
        .expect("a comment on a clause");
    let page = dom(
        &t,
        &s.at(&format!(
            "/d/who-code/clause/{}",
            c["clause"].as_str().unwrap()
        )),
    );
    assert!(page.contains(&escaped(c["text"].as_str().unwrap())));

    // The amendments, filtered, and one of them.
    let rejected = amendments
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "rejected")
        .count();
    assert!(rejected > 0);
    let page = dom(&t, &s.at("/d/who-code/amendments?fate=rejected"));
    assert!(
        page.contains(&format!(
            "{rejected} of {} amendments",
            amendments.as_array().unwrap().len()
        )),
        "{page}"
    );
    let page = dom(&t, &s.at("/d/who-code/amendments/A1"));
    for name in a1["supporters"].as_array().unwrap() {
        assert!(page.contains(name.as_str().unwrap()));
    }
    assert!(page.contains("Opponents"));

    // The timeline: an SVG drawn on the server, and the reporting rounds.
    let page = dom(&t, &s.at("/d/who-code/timeline"));
    assert!(page.contains("<svg"), "{page}");
    assert!(page.contains("id=\"timeline-svg\""));
    assert!(page.contains("class=\"bar\""));
    assert!(page.contains("id=\"rounds-table\""));
    let round = rounds
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "reporting-round")
        .expect("a reporting round");
    assert!(page.contains(&format!("<td>{}</td>", round["reports"])));
    screenshot(&t, &s.at("/d/who-code/timeline"), "timeline");

    // Unknown documents and bad points are answered as pages, not as JSON.
    let (status, _, body) = fetch(&s.at("/d/nope"), &[], "content-type");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("<h1>") && body.contains("nope"), "{body}");
    let (status, _, body) = fetch(&s.at("/d/who-code?at=soon"), &[], "content-type");
    assert_eq!(status, 400);
    assert!(body.contains("soon"), "{body}");
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn the_document_page_shows_a_banner_when_an_event_is_appended() {
    let t = Travaux::demo();
    let secretariat = token(&t, "secretariat");
    let s = Server::start(&t);
    let head = t_head(&s);
    // The browser opens the head and waits: its stream is open until something happens.
    let dumped = t.dir().join("live.html");
    let mut child = browser(&t.dir().join("chromium-profile"))
        .args([
            "--virtual-time-budget=5000",
            "--dump-dom",
            &s.at("/d/who-code"),
        ])
        .stdout(std::fs::File::create(&dumped).expect("a file for the DOM"))
        .spawn()
        .expect("run chromium");
    // Wait until the page's script has opened its stream.
    let log = t.dir().join("serve.log");
    let started = Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("path=/v1/documents/who-code/events")
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the page never followed the document"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let r = http()
        .post(&s.at("/v1/exec"))
        .header("Authorization", &format!("Bearer {secretariat}"))
        .header("Content-Type", "application/json")
        .send(json!({"argv": ["comment", "add", "Seen live"], "json": true}).to_string())
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    // The page stops following once it has shown the banner; then the browser ends.
    let started = Instant::now();
    while child.try_wait().expect("wait for chromium").is_none() {
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("the page never saw the new event");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = std::fs::read_to_string(&dumped).expect("the DOM");
    let banner = page
        .split("<div id=\"live\"")
        .nth(1)
        .expect("the banner")
        .split("</div>")
        .next()
        .unwrap();
    assert!(!banner.contains("hidden"), "the banner shows: {banner}");
    assert!(banner.contains("comment posted"), "{banner}");
    assert!(banner.contains(&format!("event {}", head + 1)), "{banner}");
    assert!(banner.contains("Reload at the new head"), "{banner}");
    assert_eq!(s.stop().code(), Some(0));
}

/// The head through the server.
fn t_head(s: &Server) -> u64 {
    crate::serve::head(s).0
}

#[test]
fn pages_follow_the_apis_tokens_and_keep_a_token_given_once_as_a_cookie() {
    let t = Travaux::fixture();
    // Members only once the hearing is closed.
    t.ok(&[
        "--as",
        "secretariat",
        "--date",
        "2020-01-04",
        "phase",
        "close",
        "P1",
    ]);
    let brazil = token(&t, "brazil");
    let s = Server::start(&t);
    let url = s.at("/d/code");
    let (status, _, body) = fetch(&url, &[], "set-cookie");
    assert_eq!(status, 401, "{body}");
    assert!(
        body.contains("?token=TOKEN"),
        "the page says how to send a token: {body}"
    );
    // The list of documents is open to anyone; the state of this one is not.
    let (status, _, body) = fetch(&s.at("/"), &[], "set-cookie");
    assert_eq!(status, 200);
    assert!(body.contains("open to its members only"), "{body}");
    // The header, as the API takes it.
    let bearer = format!("Bearer {brazil}");
    let (status, _, _) = fetch(&url, &[("Authorization", &bearer)], "set-cookie");
    assert_eq!(status, 200);
    // The query sets the cookie, and the cookie alone then opens the pages.
    let (status, cookie, _) = fetch(&format!("{url}?token={brazil}"), &[], "set-cookie");
    assert_eq!(status, 200);
    let cookie = cookie.expect("a cookie is set");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let (status, _, body) = fetch(&s.at("/d/code/amendments"), &[("Cookie", &pair)], "x");
    assert_eq!(status, 200, "{body}");
    // A bad token is refused, wherever it comes from.
    let (status, cookie, _) = fetch(&format!("{url}?token=not-a-token"), &[], "set-cookie");
    assert_eq!(status, 401);
    assert_eq!(cookie, None, "a refused token is not kept");
    let (status, _, _) = fetch(&url, &[("Cookie", "travaux_token=not-a-token")], "x");
    assert_eq!(status, 401);
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn a_generated_negotiation_pages_its_amendments_and_shows_those_of_deleted_clauses() {
    let t = Travaux::new();
    t.create(&["init"]);
    t.ok(&["generate", "--events", "6000", "--seed", "3"]);
    let amendments = t.json(&["amend", "list", "--all", "--json"]);
    let amendments = amendments.as_array().expect("amendments");
    let head = t.json(&["show", "--json"]);
    let here: Vec<&str> = head["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let orphan = amendments
        .iter()
        .find(|a| !here.contains(&a["change"]["clause"].as_str().unwrap()))
        .expect("an amendment to a clause deleted since");
    let chair = token(&t, "chair");
    let s = Server::start(&t);
    let bearer = format!("Bearer {chair}");
    let auth = [("Authorization", bearer.as_str())];

    assert!(amendments.len() > 200, "{}", amendments.len());
    let pages = amendments.len().div_ceil(200);
    let (status, _, first) = fetch(&s.at("/d/gen-code/amendments"), &auth, "x");
    assert_eq!(status, 200, "{first}");
    assert!(first.contains(&format!("Page 1 of {pages}")), "{first}");
    assert_eq!(first.matches("<tr>").count(), 201, "a header and 200 rows");
    let (status, _, last) = fetch(
        &s.at(&format!("/d/gen-code/amendments?page={pages}")),
        &auth,
        "x",
    );
    assert_eq!(status, 200);
    let rest = amendments.len() - (pages - 1) * 200;
    assert_eq!(last.matches("<tr>").count(), rest + 1);
    let (status, _, body) = fetch(&s.at("/d/gen-code/amendments?page=0"), &auth, "x");
    assert_eq!(status, 400);
    assert!(body.contains("page"), "{body}");

    let no = orphan["amendment"].as_str().unwrap();
    let (status, _, page) = fetch(&s.at(&format!("/d/gen-code/amendments/{no}")), &auth, "x");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("no longer in the text"), "{page}");
    assert_eq!(s.stop().code(), Some(0));
}
