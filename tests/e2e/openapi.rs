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

/// Whether `value` has the shape `schema` gives (the keywords the description uses: `type`
/// with `nullable`, `required`, `properties`, `items`, `additionalProperties`, `anyOf`,
/// `oneOf`); the first place it does not, as a message.
fn conforms(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    if let Some(options) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let errors: Vec<String> = options
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| conforms(value, s, at).err())
            .collect();
        return if errors.len() < options.as_array().unwrap().len() {
            Ok(())
        } else {
            Err(errors.join("; "))
        };
    }
    if value.is_null() && schema["nullable"] == true {
        return Ok(());
    }
    if let Some(ty) = schema["type"].as_str() {
        let ok = match ty {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => panic!("a type the description does not use: {other}"),
        };
        if !ok {
            return Err(format!("{at}: {value} is not of type {ty}"));
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                return Err(format!("{at}: `{name}` is missing"));
            }
        }
        for (name, v) in object {
            let field = schema["properties"]
                .get(name)
                .or_else(|| schema.get("additionalProperties"));
            if let Some(field) = field.filter(|f| f.is_object()) {
                conforms(v, field, &format!("{at}.{name}"))?;
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            conforms(v, items, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn every_answer_has_the_shape_the_description_gives_it() {
    let t = Travaux::fixture();
    let tokens: Vec<(&str, String)> = ["secretariat", "chair", "brazil", "norway"]
        .into_iter()
        .map(|p| (p, token(&t, p)))
        .collect();
    let token_of = |who: &str| tokens.iter().find(|(p, _)| *p == who).unwrap().1.clone();
    let s = Server::start(&t);
    let spec: Value = serde_json::from_str(&call(&s.at("/v1/openapi.json"), "GET", None, None).2)
        .expect("the description");
    let mut checked = 0;
    let mut check = |method: &str, path: &str, template: &str, who: &str, body: Option<Value>| {
        let body = body.map(|b| b.to_string());
        let (status, _, answer) = call(&s.at(path), method, Some(&token_of(who)), body.as_deref());
        assert_eq!(status, 200, "{method} {path}: {answer}");
        let schema = &spec["paths"][template][method.to_lowercase()]["responses"]["200"]["content"]
            ["application/json"]["schema"];
        assert!(schema.is_object(), "{method} {template} has no schema");
        let value: Value = serde_json::from_str(&answer).expect("JSON");
        if let Err(e) = conforms(&value, schema, "answer") {
            panic!("{method} {path}: {e}\n{answer}");
        }
        checked += 1;
        value
    };
    let d = "/v1/documents/code";
    let read = |c: &str| format!("/v1/documents/{{doc}}/{c}");
    for (path, template) in [
        ("/v1/documents".to_string(), "/v1/documents".to_string()),
        ("/v1/participants".into(), "/v1/participants".into()),
        ("/v1/verify".into(), "/v1/verify".into()),
        (d.to_string(), "/v1/documents/{doc}".into()),
        (format!("{d}/show?at=d1"), read("show")),
        (format!("{d}/diff?from=d1"), read("diff")),
        (format!("{d}/log"), read("log")),
        (format!("{d}/blame?clause=1.1"), read("blame")),
        (format!("{d}/blame?summary=true"), read("blame")),
        (format!("{d}/status"), read("status")),
        (format!("{d}/brackets?all=true"), read("brackets")),
        (format!("{d}/participation"), read("participation")),
        (format!("{d}/phase/list"), read("phase/list")),
        (format!("{d}/role/list"), read("role/list")),
        (format!("{d}/tag"), read("tag")),
        (format!("{d}/tag/list"), read("tag/list")),
    ] {
        check("GET", &path, &template, "brazil", None);
    }
    let post = |c: &str| (format!("{d}/{c}"), read(c));
    let (p, tp) = post("comment");
    check(
        "POST",
        &p,
        &tp,
        "brazil",
        Some(json!({ "text": "Typed.", "clause": "1.1", "position": "support" })),
    );
    let (p, tp) = post("comment/add");
    check("POST", &p, &tp, "norway", Some(json!({ "text": "Again." })));
    let (p, tp) = post("question");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "text": "What of 1.1?", "clause": ["1.1"] })),
    );
    let (p, tp) = post("amend/propose");
    let a1 = check(
        "POST",
        &p,
        &tp,
        "brazil",
        Some(json!({ "replace": "1.1", "text": "A new wording." })),
    );
    let a2 = check(
        "POST",
        &p,
        &tp,
        "brazil",
        Some(json!({ "in": "1.1", "replace": "The", "by": "This", "occurrence": "1" })),
    );
    let (a1, a2) = (
        a1["amendment"].as_str().unwrap(),
        a2["amendment"].as_str().unwrap(),
    );
    let (p, tp) = post("amend/support");
    check("POST", &p, &tp, "norway", Some(json!({ "amendment": a1 })));
    let (p, tp) = post("amend/oppose");
    check("POST", &p, &tp, "norway", Some(json!({ "amendment": a2 })));
    let (p, tp) = post("amend/withdraw");
    check("POST", &p, &tp, "brazil", Some(json!({ "amendment": a2 })));
    let (p, tp) = post("decide");
    check(
        "POST",
        &p,
        &tp,
        "chair",
        Some(json!({ "amendment": a1, "accept": true })),
    );
    for (c, get) in [
        ("amend/list?all=true", "amend/list"),
        ("comment/list", "comment/list"),
        ("questions", "questions"),
    ] {
        check("GET", &format!("{d}/{c}"), &read(get), "brazil", None);
    }
    let (p, tp) = post("role/grant");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "participant": "jane", "role": "observer" })),
    );
    let (p, tp) = post("role/revoke");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "participant": "jane", "role": "observer" })),
    );
    let (p, tp) = post("tag/add");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "name": "after-a1" })),
    );
    let (p, tp) = post("tag");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "name": "after-a1-too" })),
    );
    check("POST", &p, &tp, "secretariat", Some(json!({})));
    let (p, tp) = post("phase/close");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "phase": "P1" })),
    );
    let (p, tp) = post("phase/open");
    check(
        "POST",
        &p,
        &tp,
        "secretariat",
        Some(json!({ "kind": "committee-session", "name": "Session" })),
    );
    let (p, tp) = post("agree");
    check("POST", &p, &tp, "chair", Some(json!({ "clause": "1.1" })));
    let (p, tp) = post("reopen");
    check("POST", &p, &tp, "chair", Some(json!({ "clause": "1.1" })));
    let (p, tp) = post("bracket");
    let b = check(
        "POST",
        &p,
        &tp,
        "brazil",
        Some(json!({ "clause": "2.1", "words": "all recruiters" })),
    );
    let b = b["bracket"].as_str().unwrap().to_string();
    let (p, tp) = post("amend/alternative");
    check(
        "POST",
        &p,
        &tp,
        "norway",
        Some(json!({ "bracket": b, "text": "every recruiter" })),
    );
    let (p, tp) = post("lift");
    check("POST", &p, &tp, "chair", Some(json!({ "bracket": b })));
    let (p, tp) = post("renumber");
    check("POST", &p, &tp, "secretariat", Some(json!({})));
    check(
        "POST",
        "/v1/participants",
        "/v1/participants",
        "secretariat",
        Some(json!({ "handle": "kenya", "kind": "member-state" })),
    );
    check(
        "POST",
        "/v1/documents",
        "/v1/documents",
        "secretariat",
        Some(json!({ "slug": "second", "title": "Second" })),
    );
    let (p, tp) = post("adopt");
    check("POST", &p, &tp, "chair", Some(json!({ "symbol": "RES/1" })));
    // The live stream and replay are JSON Lines: each line an event of the event's schema.
    let (status, _, lines) = call(&s.at(&format!("{d}/replay")), "GET", None, None);
    assert_eq!(status, 200, "{lines}");
    let event = &spec["paths"]["/v1/documents/{doc}/replay"]["get"]["responses"]["200"]["content"]
        ["application/x-ndjson"]["schema"];
    for line in lines.lines().filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_str(line).expect("a JSON line");
        conforms(&v, event, "line").unwrap_or_else(|e| panic!("{e}\n{line}"));
    }
    assert!(checked > 40, "{checked}");
    assert_eq!(s.stop().code(), Some(0));
}
