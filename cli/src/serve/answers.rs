//! The schemas of the answers in the OpenAPI description: what each command prints with
//! `--json`, at least its top-level shape (an object with its fields and their types, or an
//! array of such objects; `replay`: JSON Lines of them). The fields listed as required are
//! those every answer of the command carries; a type ending in `?` may also be null.

use serde_json::{json, Map, Value};

/// A field's type as written in the tables below: `string`, `integer`, `boolean`, `array`,
/// `object`, `any`, each with a trailing `?` when it may be null.
fn field(ty: &str) -> Value {
    let (ty, nullable) = match ty.strip_suffix('?') {
        Some(t) => (t, true),
        None => (ty, false),
    };
    let mut s = if ty == "any" {
        json!({})
    } else {
        json!({ "type": ty })
    };
    if nullable && ty != "any" {
        s["nullable"] = json!(true);
    }
    s
}

/// An object with these fields, all of them present in every answer.
pub fn object(fields: &[(&str, &str)]) -> Value {
    let mut props = Map::new();
    for (name, ty) in fields {
        props.insert((*name).into(), field(ty));
    }
    let required: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
    json!({ "type": "object", "required": required, "properties": props })
}

/// An array of objects with these fields.
fn list(fields: &[(&str, &str)]) -> Value {
    json!({ "type": "array", "items": object(fields) })
}

/// An object whose keys are names and whose values are of one type (`tag list`, `role list`).
fn map_of(value: Value, what: &str) -> Value {
    json!({ "type": "object", "additionalProperties": value, "description": what })
}

/// One event, in the shape `log --json`, `replay --json` and the event streams give it.
pub fn event() -> Value {
    object(&[
        ("seq", "integer"),
        ("id", "string"),
        ("stream", "string"),
        ("version", "integer"),
        ("time", "string"),
        ("actor", "string"),
        ("handle", "string"),
        ("type", "string"),
        ("phase", "string?"),
        ("event", "any"),
        ("schema", "integer"),
        ("prev_hash", "string"),
        ("hash", "string"),
    ])
}

/// How an amendment is acknowledged (`amend propose|support|oppose|withdraw|alternative`).
fn amendment_ack() -> Value {
    object(&[
        ("amendment", "string"),
        ("change", "object"),
        ("status", "string"),
        ("supporters", "integer"),
        ("opposers", "integer"),
        ("seq", "integer"),
    ])
}

fn comment_ack() -> Value {
    object(&[
        ("comment", "string"),
        ("seq", "integer"),
        ("clause", "string?"),
        ("phase", "string?"),
        ("position", "string?"),
        ("question", "string?"),
    ])
}

/// A summary of comments and a page of them (`comments`, `comment list`).
fn comments_page() -> Value {
    let mut page = object(&[
        ("document", "string"),
        ("summary", "object"),
        ("items", "array"),
        ("next", "string?"),
        ("after", "string?"),
        ("limit", "integer"),
    ]);
    page["properties"]["items"]["items"] = object(&[
        ("comment", "string"),
        ("seq", "integer"),
        ("time", "string"),
        ("actor", "string"),
        ("handle", "string?"),
        ("name", "string?"),
        ("kind", "string?"),
        ("text", "string"),
        ("clause", "string?"),
        ("phase", "string?"),
        ("position", "string?"),
        ("question", "string?"),
        ("reply_to", "string?"),
        ("retracted_seq", "integer?"),
    ]);
    page
}

fn tag_ack() -> Value {
    object(&[
        ("document", "string"),
        ("tag", "string"),
        ("seq", "integer"),
        ("names_seq", "integer"),
    ])
}

fn agreement_ack() -> Value {
    object(&[
        ("agreement", "string"),
        ("clause", "string"),
        ("label", "string?"),
        ("seq", "integer"),
    ])
}

fn phase_ack() -> Value {
    object(&[("phase", "object"), ("seq", "integer")])
}

/// The schema of what the command these words name prints with `--json`, answered on this
/// method (`tag` lists on GET and creates on POST); `None` for a command not described here
/// (its answer is then described as any JSON).
pub fn of(words: &str, method: &str) -> Option<Value> {
    Some(match (words, method) {
        ("doc new", _) => object(&[
            ("document", "string"),
            ("slug", "string"),
            ("title", "string"),
            ("seq", "integer"),
        ]),
        ("doc list", _) => list(&[
            ("id", "string"),
            ("slug", "string"),
            ("title", "string"),
            ("created_at", "string"),
        ]),
        ("participant add", _) => object(&[
            ("participant", "string"),
            ("handle", "string"),
            ("name", "string"),
            ("kind", "string"),
            ("admin", "boolean"),
            ("seq", "integer"),
        ]),
        ("responses import", _) => object(&[
            ("file", "string"),
            ("responses", "integer"),
            ("imported", "integer"),
            ("already", "integer"),
            ("registered", "integer"),
            ("granted", "integer"),
            ("batches", "integer"),
            ("seqs", "array?"),
        ]),
        ("participant list", _) => list(&[
            ("id", "string"),
            ("handle", "string"),
            ("name", "string"),
            ("kind", "string"),
            ("registered_at", "string"),
        ]),
        ("verify", _) => object(&[
            ("events", "integer"),
            ("head_seq", "integer"),
            ("head_hash", "string?"),
            ("problem", "any"),
            ("read_models", "array"),
            ("anchored", "integer?"),
            ("keys", "integer"),
            ("bytes", "integer"),
        ]),
        ("show", _) => object(&[
            ("document", "object"),
            ("at", "string"),
            ("seq", "integer"),
            ("version", "integer"),
            ("revisions", "integer"),
            ("clauses", "array"),
            ("pending_amendments", "array"),
            ("tags", "object"),
            ("adopted", "object?"),
            ("updated_at", "string?"),
        ]),
        ("diff", _) => object(&[
            ("document", "string"),
            ("from", "object"),
            ("to", "object"),
            ("granularity", "string"),
            ("clauses", "array"),
            ("stats", "object"),
            ("approximated", "boolean"),
        ]),
        ("log", _) => json!({ "type": "array", "items": event() }),
        ("replay", _) => {
            let mut e = event();
            e["description"] = json!("One line of JSON Lines per event told: the event as `log --json` gives it, with what it did (`effect`, `told`)");
            e
        }
        ("blame", _) => json!({ "type": "object", "required": ["document", "at", "seq"],
            "properties": {
                "document": field("string"), "at": field("string"), "seq": field("integer"),
                "clause": field("object"), "runs": field("array"), "heading_runs": field("array"),
                "authors": field("array"), "words": field("integer"), "survival": field("any")
            },
            "description": "One clause's runs (`clause`, `runs`), or with `summary` each author's share of the text (`authors`, `words`)" }),
        ("status", _) => object(&[
            ("document", "object"),
            ("seq", "integer"),
            ("version", "integer"),
            ("revisions", "integer"),
            ("clauses", "array"),
            ("progress", "object"),
            ("open_brackets", "integer"),
            ("open_phases", "array"),
            ("pending_amendments", "array"),
            ("pending_insertions", "array"),
            ("document_comments", "integer"),
            ("adopted", "object?"),
        ]),
        ("questions", _) => json!({
            "description": "Every question with the summary of its answers (an array), or with `question` the one named, with a page of its answers (`items`, and `next`: the cursor of the next page, or null)",
            "oneOf": [
                list(&[("question", "string"), ("text", "string"), ("answers", "integer"), ("clauses", "array"), ("summary", "object")]),
                object(&[("question", "string"), ("text", "string"), ("answers", "integer"), ("clauses", "array"), ("summary", "object"), ("items", "array"), ("next", "string?"), ("after", "string?"), ("limit", "integer")]),
            ]
        }),
        ("brackets", _) => list(&[
            ("clause", "string"),
            ("label", "string?"),
            ("agreement", "string"),
            ("brackets", "array"),
        ]),
        ("participation", _) => list(&[
            ("phase", "string"),
            ("name", "string"),
            ("kind", "string"),
            ("open", "boolean"),
            ("comments", "integer"),
            ("reports", "integer"),
        ]),
        ("phase list", _) => list(&[
            ("phase", "string"),
            ("name", "string"),
            ("kind", "string"),
            ("open", "boolean"),
            ("admits", "array"),
            ("opened_seq", "integer"),
            ("comments", "integer"),
            ("reports", "integer"),
            ("participants", "integer"),
        ]),
        ("amend list", _) => list(&[
            ("amendment", "string"),
            ("proposer", "string"),
            ("status", "string"),
            ("change", "object"),
            ("supporters", "array"),
            ("opposers", "array"),
            ("proposed_seq", "integer"),
            ("decision", "object?"),
            ("rationale", "string?"),
        ]),
        ("role list", _) => map_of(
            json!({ "type": "array", "items": { "type": "string" } }),
            "Each participant who holds a role, by handle, with their roles",
        ),
        ("tag list", _) => map_of(
            json!({ "type": "integer" }),
            "Each tag, by name, with the event it names",
        ),
        ("tag", "get") => json!({
            "description": "The tags, by name, with the event each names; with `history`, every tag set and withdrawn",
            "anyOf": [
                map_of(json!({ "type": "integer" }), "Each tag, by name, with the event it names"),
                { "type": "array", "items": { "type": "object" } }
            ]
        }),
        ("tag", _) => json!({
            "description": "The tag made (with `name`), or without a name the tags, as on GET; with `history`, every tag set and withdrawn",
            "anyOf": [
                tag_ack(),
                map_of(json!({ "type": "integer" }), "Each tag, by name, with the event it names"),
                { "type": "array", "items": { "type": "object" } }
            ]
        }),
        ("tag add", _) => tag_ack(),
        ("comment list", _) | ("comments", _) => comments_page(),
        ("comment", _) | ("comment add", _) => comment_ack(),
        ("role grant", _) => json!({
            "description": "One grant (`participant`, `granted`), or with `every` the participants of the kind granted in one append",
            "type": "object", "required": ["document", "role"],
            "properties": {
                "document": field("string"), "role": field("string"), "participant": field("string"),
                "granted": field("any"), "seq": field("integer"), "kind": field("string"),
                "already": field("array"), "seqs": field("array")
            }
        }),
        ("role revoke", _) => object(&[
            ("document", "string"),
            ("participant", "string"),
            ("role", "string"),
            ("granted", "boolean"),
            ("seq", "integer"),
        ]),
        ("import", _) => json!({ "type": "object", "required": ["summary"], "properties": {
            "title": field("string?"), "summary": field("object"), "entries": field("array"),
            "ops": field("array"), "warnings": field("array"), "recorded_at_seq": field("integer?"),
            "recorded_seqs": field("array?")
        }}),
        ("renumber", _) => {
            json!({ "type": "object", "required": ["in_sequence", "relabels"], "properties": {
                "in_sequence": field("boolean"), "relabels": field("array"), "references": field("array"),
                "clashes": field("array"), "ops": field("array"), "unrecognised": field("array"),
                "label": field("string?"), "revision": field("string?"), "recorded_seqs": field("array?")
            }})
        }
        ("phase open", _) | ("phase close", _) => phase_ack(),
        ("amend propose", _)
        | ("amend support", _)
        | ("amend oppose", _)
        | ("amend withdraw", _)
        | ("amend alternative", _) => amendment_ack(),
        ("decide", _) => object(&[
            ("amendment", "string"),
            ("outcome", "object"),
            ("method", "object"),
            ("ops", "array"),
            ("rejected", "array"),
            ("seq", "integer"),
        ]),
        ("bracket", _) => object(&[
            ("bracket", "string"),
            ("clause", "string"),
            ("label", "string?"),
            ("span", "string"),
            ("seq", "integer"),
        ]),
        ("lift", _) => object(&[
            ("bracket", "string"),
            ("clause", "string"),
            ("method", "object"),
            ("rejected", "array"),
            ("seq", "integer"),
        ]),
        ("agree", _) | ("reopen", _) => agreement_ack(),
        ("question", _) => object(&[
            ("question", "string"),
            ("text", "string"),
            ("clauses", "array"),
            ("group", "string?"),
            ("seq", "integer"),
        ]),
        ("report", _) => object(&[
            ("report", "string"),
            ("phase", "string"),
            ("phase_name", "string"),
            ("phase_reports", "integer"),
            ("seq", "integer"),
        ]),
        ("adopt", _) => object(&[
            ("document", "string"),
            ("symbol", "string"),
            ("method", "object"),
            ("tag", "object"),
            ("seq", "integer"),
        ]),
        _ => return None,
    })
}
