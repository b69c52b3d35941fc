//! `GET /v1/openapi.json`: an OpenAPI 3 description of the API, generated from clap's
//! description of the CLI (the same one the typed routes translate through), so that it
//! cannot list a route or a parameter the server does not take.

use clap::Arg;
use serde_json::{json, Map, Value};

use super::answers;
use super::typed::{self, Leaf, GLOBAL_KEYS};

/// The methods the description lists for a request's path (upper case), none for a path it
/// does not describe. A `{name}` segment of a path matches any one segment.
pub fn methods(path: &str) -> Vec<String> {
    static PATHS: std::sync::OnceLock<Vec<(String, Vec<String>)>> = std::sync::OnceLock::new();
    let paths = PATHS.get_or_init(|| {
        let doc = document();
        doc["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(template, item)| {
                        let methods = item
                            .as_object()
                            .map(|ops| {
                                ops.keys()
                                    .filter(|k| *k != "parameters")
                                    .map(|k| k.to_uppercase())
                                    .collect()
                            })
                            .unwrap_or_default();
                        (template.clone(), methods)
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let segments: Vec<&str> = path.split('/').collect();
    let matches = |template: &str| {
        let t: Vec<&str> = template.split('/').collect();
        t.len() == segments.len()
            && t.iter()
                .zip(&segments)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s)
    };
    // A path's own segments win over a `{name}` (`/v1/documents/{doc}/events` is not a command).
    paths
        .iter()
        .filter(|(template, _)| matches(template))
        .min_by_key(|(template, _)| template.matches('{').count())
        .map(|(_, methods)| methods.clone())
        .unwrap_or_default()
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths = Map::new();
    paths.insert("/v1/exec".into(), exec());
    paths.insert(
        "/v1/openapi.json".into(),
        json!({ "get": {
            "summary": "This description of the API",
            "operationId": "openapi",
            "responses": {
                "200": { "description": "OpenAPI 3 JSON", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["openapi", "info", "paths"],
                    "properties": { "openapi": { "type": "string" }, "info": { "type": "object" }, "paths": { "type": "object" } }
                }}}},
                "431": too_many_headers()
            }
        }}),
    );
    paths.insert("/v1/events".into(), events(false));
    paths.insert("/v1/documents/{doc}/events".into(), events(true));
    paths.insert(
        "/v1/documents".into(),
        store_path(&["doc", "list"], &["doc", "new"]),
    );
    paths.insert(
        "/v1/participants".into(),
        store_path(&["participant", "list"], &["participant", "add"]),
    );
    paths.insert(
        "/v1/verify".into(),
        json!({ "get": operation(&["verify"], "get", &typed::leaf(&["verify"]).expect("verify"), false) }),
    );
    paths.insert(
        "/v1/export.jsonl".into(),
        json!({ "get": {
            "summary": "The whole log as JSON Lines (`export jsonl`), for a token whose participant may read every document",
            "operationId": "export_jsonl",
            "responses": {
                "200": { "description": "One JSON object per line: a header, the events, the checkpoints", "content": { "application/jsonl": {} } },
                "400": error_response("A malformed request (an Authorization header that is not `Bearer TOKEN`)"),
                "401": error_response("No token, or a token not valid"),
                "403": error_response("The token's participant may not read every document"),
                "408": error_response("The request body did not arrive in time"),
                "413": error_response("The request body is too large"),
                "431": too_many_headers(),
                "503": error_response("The server is shutting down, or the log is damaged")
            }
        }}),
    );
    let mut show = operation(
        &["show"],
        "get",
        &typed::leaf(&["show"]).expect("show"),
        true,
    );
    show["operationId"] = json!("get_document");
    paths.insert(
        "/v1/documents/{doc}".into(),
        json!({ "parameters": [doc_parameter()], "get": show }),
    );
    for leaf in typed::document_leaves() {
        let words = leaf.words.join(" ");
        let mut item = Map::new();
        item.insert("parameters".into(), json!([doc_parameter()]));
        if typed::reads(&words) {
            item.insert("get".into(), leaf_operation(&leaf, "get"));
        }
        if typed::writes(&words) {
            item.insert("post".into(), leaf_operation(&leaf, "post"));
        }
        paths.insert(
            format!("/v1/documents/{{doc}}/{}", leaf.words.join("/")),
            Value::Object(item),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "travaux",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "A negotiated text as an append-only event log. Every route runs the command line \
                of the same name (`travaux --json …`) on the server's store, as the participant of the bearer \
                token sent; its answer is what the command prints. Errors are `{\"exit\": CODE, \"error\": MESSAGE}`."
        },
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer",
                "description": "A token from `travaux token issue PARTICIPANT`; writes need one" } },
            "schemas": {
                "Error": { "type": "object", "required": ["exit", "error"], "properties": {
                    "exit": { "type": "integer", "description": "The exit code the CLI would give" },
                    "error": { "type": "string" },
                    "version": { "type": "integer", "description": "The document's version, on a conflict" }
                }}
            }
        },
        "security": [ {}, { "token": [] } ],
        "paths": Value::Object(paths),
    })
}

fn doc_parameter() -> Value {
    json!({ "name": "doc", "in": "path", "required": true, "schema": { "type": "string" },
        "description": "The document's slug (see GET /v1/documents)" })
}

fn exec() -> Value {
    json!({ "post": {
        "summary": "Run any travaux command line",
        "operationId": "exec",
        "description": "Parses `travaux ARGV…` as the CLI does and runs it as the token's participant. \
            --store, --as and --server are refused.",
        "parameters": [if_match()],
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
            "type": "object", "required": ["argv"], "additionalProperties": false,
            "properties": {
                "argv": { "type": "array", "items": { "type": "string" },
                    "description": "The command line without `travaux`" },
                "json": { "type": "boolean", "description": "As --json" },
                "files": { "type": "object", "additionalProperties": sent_file(),
                    "description": "The content of the files the command line names, by name" }
            }
        }}}},
        "responses": responses("`{\"exit\": 0, \"stdout\": …}`: what the command printed",
            json!({ "application/json": { "schema": answers::object(&[("exit", "integer"), ("stdout", "string")]) } }), false)
    }})
}

fn events(document: bool) -> Value {
    let mut parameters = vec![
        json!({ "name": "from", "in": "query", "schema": { "type": "string" },
            "description": "The first event to send: an event number, or `head` for only new events [default: 1]" }),
        json!({ "name": "Last-Event-ID", "in": "header", "schema": { "type": "string" },
            "description": "Resume after this event (sent by a reconnecting EventSource)" }),
    ];
    if document {
        parameters.insert(0, doc_parameter());
    }
    json!({ "get": {
        "summary": if document { "The document's events, live" } else { "The store's events, live (the documents the caller may read)" },
        "operationId": if document { "documentEvents" } else { "events" },
        "parameters": parameters,
        "responses": {
            "200": { "description": "text/event-stream: `id: SEQ`, `event: TYPE`, `data: {…}` (the event as `log --json` gives it)",
                "content": { "text/event-stream": {} } },
            "400": error_response("`from` or `Last-Event-ID` is not an event number, or the query has another parameter"),
            "401": error_response("No token, or an unknown one, for a document open to its members only"),
            "403": error_response("The token's participant holds no role in the document"),
            "404": error_response("No such document"),
            "431": too_many_headers(),
            "503": error_response("Too many event streams are open, or the log is damaged")
        }
    }})
}

fn store_path(get: &[&str], post: &[&str]) -> Value {
    let get_cmd = typed::leaf(get).expect("a CLI subcommand");
    let post_cmd = typed::leaf(post).expect("a CLI subcommand");
    json!({
        "get": operation(get, "get", &get_cmd, false),
        "post": operation(post, "post", &post_cmd, false),
    })
}

fn leaf_operation(leaf: &Leaf, method: &str) -> Value {
    let words: Vec<&str> = leaf.words.iter().map(String::as_str).collect();
    operation(&words, method, &leaf.command, true)
}

fn operation(words: &[&str], method: &str, cmd: &clap::Command, document: bool) -> Value {
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let mut op = Map::new();
    op.insert("summary".into(), json!(about));
    op.insert(
        "operationId".into(),
        json!(format!("{method}_{}", words.join("_")).replace('-', "_")),
    );
    op.insert(
        "description".into(),
        json!(format!(
            "Runs `travaux --json {}{}`.",
            if document { "--doc DOC " } else { "" },
            words.join(" ")
        )),
    );
    let args: Vec<&Arg> = typed::parameters(cmd).collect();
    if method == "get" {
        let params: Vec<Value> = args
            .iter()
            .map(|a| {
                let mut p = json!({
                    "name": typed::key(a),
                    "in": "query",
                    "required": a.is_required_set(),
                    "description": help(a),
                    "schema": schema(a),
                });
                if typed::is_list(a) {
                    p["style"] = json!("form");
                    p["explode"] = json!(true);
                }
                p
            })
            .collect();
        op.insert("parameters".into(), Value::Array(params));
    } else {
        let mut props = Map::new();
        let mut required = Vec::new();
        for a in &args {
            let mut s = schema(a);
            s["description"] = json!(help(a));
            props.insert(typed::key(a), s);
            if a.is_required_set() {
                required.push(json!(typed::key(a)));
            }
        }
        for (key, help) in GLOBAL_KEYS {
            props.insert(key.into(), json!({ "type": "string", "description": help }));
        }
        props.insert(
            "files".into(),
            json!({ "type": "object", "additionalProperties": sent_file(),
                "description": "The content of the files named by the other parameters, by name" }),
        );
        let mut body =
            json!({ "type": "object", "additionalProperties": false, "properties": props });
        if !required.is_empty() {
            body["required"] = Value::Array(required);
        }
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/json": { "schema": body } } }),
        );
        op.insert("parameters".into(), json!([if_match()]));
    }
    let joined = words.join(" ");
    let content = match answers::of(&joined, method) {
        Some(schema) if joined == "replay" => {
            json!({ "application/x-ndjson": { "schema": schema } })
        }
        Some(schema) => json!({ "application/json": { "schema": schema } }),
        None => json!({ "application/json": {} }),
    };
    let ok = if joined == "replay" {
        "What `travaux --json replay` prints: JSON Lines, one event a line"
    } else {
        "What `travaux --json` prints for it"
    };
    // `tag NAME` writes: on GET, a name is refused with 405.
    let refused_read = method == "get" && typed::writes(&joined);
    op.insert("responses".into(), responses(ok, content, refused_read));
    Value::Object(op)
}

fn help(a: &Arg) -> String {
    a.get_long_help()
        .or_else(|| a.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

fn schema(a: &Arg) -> Value {
    let item = if typed::is_flag(a) {
        json!({ "type": "boolean" })
    } else {
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if values.is_empty() {
            json!({ "type": "string" })
        } else {
            json!({ "type": "string", "enum": values })
        }
    };
    if typed::is_list(a) {
        json!({ "type": "array", "items": item })
    } else if typed::takes_optional_value(a) {
        json!({ "oneOf": [item, { "type": "boolean" }] })
    } else {
        item
    }
}

fn if_match() -> Value {
    json!({ "name": "If-Match", "in": "header", "schema": { "type": "string" },
        "description": "Write only if the document is still at this version (the ETag of a read, `\"12\"`); else 412" })
}

fn error_response(description: &str) -> Value {
    json!({ "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

/// 431: the request's headers are larger than the server reads (hyper answers it, with no body).
fn too_many_headers() -> Value {
    json!({ "description": "The request's headers are too large (past 64 KiB); no body" })
}

/// The answers of a command: 200 with `content`, and every error the server gives.
fn responses(ok: &str, content: Value, refused_read: bool) -> Value {
    let mut r = json!({
        "200": { "description": ok, "content": content, "headers": { "ETag": {
            "description": "The document's version: after the write, or as read", "schema": { "type": "string" } } } },
        "400": error_response("A malformed request, an unknown parameter or field, a command line clap refuses, a command that runs only locally"),
        "401": error_response("No token where one is needed, or an unknown or revoked one"),
        "403": error_response("The participant's roles do not allow it (the message names the role needed)"),
        "404": error_response("No such document, clause, amendment, participant, phase, …"),
        "409": error_response("The document is no longer at the version expected (--expect-version)"),
        "412": error_response("If-Match named a version the document is no longer at; nothing was written"),
        "408": error_response("The request body did not arrive within the server's body timeout; nothing was run"),
        "413": error_response("The request body is too large"),
        "422": error_response("Refused by a rule of the process; nothing was written"),
        "431": too_many_headers(),
        "503": error_response("The server is busy or shutting down, or the log is damaged")
    });
    if refused_read {
        r["405"] = error_response("With a name, the command writes: send it with POST");
    }
    r
}

/// A file sent with a request: its text, or the bytes of a binary file (a `.docx`) in base64.
fn sent_file() -> Value {
    json!({ "oneOf": [
        { "type": "string", "description": "The file's text" },
        { "type": "object", "required": ["base64"], "additionalProperties": false,
          "properties": { "base64": { "type": "string",
            "description": "The bytes of a file that is not UTF-8 text (a .docx), in base64" } } }
    ]})
}
