//! The server against its OpenAPI description: methods a path does not list are answered 405
//! with `Allow`, typed routes take what the description says, the event stream speaks the
//! shape of `log --json`, and Schemathesis (scripts/schemathesis.sh) finds nothing.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::serve::{agent, token, Server};
use crate::support::{Travaux, BIN};

/// Send `method` to `url` and return the status, the `Allow` header and the body.
fn call(url: &str, method: &str, token: Option<&str>, body: Option<&str>) -> (u16, String, String) {
    let request = ureq::http::Request::builder().method(method).uri(url);
    let request = match token {
        Some(t) => request.header("Authorization", format!("Bearer {t}")),
        None => request,
    }
    .header("Content-Type", "application/json");
    let a = agent();
    let mut r = match body {
        Some(b) => a.run(request.body(b.to_string()).expect("a request")),
        None => a.run(request.body(()).expect("a request")),
    }
    .expect("an HTTP answer");
    let allow = r
        .headers()
        .get("allow")
        .map(|v| v.to_str().expect("ASCII").to_string())
        .unwrap_or_default();
    let body = r.body_mut().read_to_string().unwrap_or_default();
    (r.status().as_u16(), allow, body)
}

#[test]
fn a_method_a_path_does_not_list_is_answered_405_with_the_methods_it_does() {
    let t = Travaux::fixture();
    let secretariat = token(&t, "secretariat");
    let s = Server::start(&t);
    let head = |s: &Server| crate::serve::head(s).0;
    let before = head(&s);
    for (method, path, allow) in [
        // A command that reads, sent to be written; one that writes, sent to be read.
        ("POST", "/v1/documents/code/show", "GET"),
        ("POST", "/v1/documents/code/blame", "GET"),
        ("GET", "/v1/documents/code/amend/propose", "POST"),
        ("PUT", "/v1/documents/code/amend/propose", "POST"),
        ("DELETE", "/v1/documents/code/tag", "GET, POST"),
        ("OPTIONS", "/v1/documents/code/log", "GET"),
        ("PATCH", "/v1/documents", "GET, POST"),
        ("DELETE", "/v1/verify", "GET"),
        ("PUT", "/v1/exec", "POST"),
        ("POST", "/v1/documents/code/events", "GET"),
    ] {
        let body = ["POST", "PUT", "PATCH"].contains(&method).then_some("{}");
        let (status, allowed, body) = call(&s.at(path), method, Some(&secretariat), body);
        assert_eq!(status, 405, "{method} {path}: {body}");
        assert_eq!(allowed, allow, "{method} {path}");
        let e: Value = serde_json::from_str(&body).expect("a JSON error");
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .contains(allow.split(',').next().unwrap()),
            "{e}"
        );
    }
    // Commands with no typed route (they run locally, or through /v1/exec) are no route.
    for path in [
        "/v1/documents/code/compact",
        "/v1/documents/code/init",
        "/v1/documents/code/admin/grant",
    ] {
        let (status, _, body) = call(&s.at(path), "POST", Some(&secretariat), Some("{}"));
        assert_eq!(status, 404, "{path}: {body}");
    }
    assert_eq!(head(&s), before, "nothing was written");
    assert_eq!(s.stop().code(), Some(0));
}

#[test]
fn role_grant_through_its_typed_route_takes_the_participant_and_the_role() {
    let t = Travaux::fixture();
    let secretariat = token(&t, "secretariat");
    let s = Server::start(&t);
    let url = s.at("/v1/documents/code/role/grant");
    let (status, _, body) = call(
        &url,
        "POST",
        Some(&secretariat),
        Some(&json!({ "participant": "jane", "role": "observer" }).to_string()),
    );
    assert_eq!(status, 200, "{body}");
    let granted: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(granted["participant"], "jane", "{granted}");
    assert_eq!(granted["role"], "observer", "{granted}");
    // The role alone, with every participant of a kind.
    let (status, _, body) = call(
        &url,
        "POST",
        Some(&secretariat),
        Some(&json!({ "every": "member-state", "role": "observer" }).to_string()),
    );
    assert_eq!(status, 200, "{body}");
    let every: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(every["kind"], "member-state", "{every}");
    assert_eq!(s.stop().code(), Some(0));
    let roles = t.json(&["role", "list"]);
    let of = |who: &str| roles[who].as_array().cloned().unwrap_or_default();
    assert!(of("jane").contains(&json!("observer")), "{roles}");
    assert!(of("norway").contains(&json!("observer")), "{roles}");
}

#[test]
fn schemathesis_finds_the_server_true_to_its_description() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is missing: Schemathesis cannot run here (CI has it)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schemathesis-venv");
    let out = Command::new("bash")
        .arg(root.join("scripts/schemathesis.sh"))
        .arg(BIN)
        .env("EXAMPLES", "10")
        .env("VENV", &venv)
        .current_dir(&root)
        .output()
        .expect("bash runs the script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{stderr}"
    );
    // It generated cases, and each passed.
    assert!(stdout.contains("generated,"), "{stdout}");
    assert!(!stdout.contains("failure"), "{stdout}");
}
