//! Reading a file of responses: CSV with a header row, or JSON Lines, one response a line,
//! into [`Row`]s that keep their line number, and the problems found, by line.
//!
//! The columns (CSV) or keys (JSON Lines), in any order:
//!
//! | column | |
//! | --- | --- |
//! | `respondent` | the respondent's handle (required) |
//! | `kind` | to register a respondent not yet registered: its participant kind |
//! | `name` | its display name [default: the handle] |
//! | `question` | the question answered: `Q3` |
//! | `clause` | the clause the response is about [default: the whole document] |
//! | `position` | `support`, `oppose` or `neutral` (required for an answer) |
//! | `text` | what the response says (required) |
//! | `received` | when it was received: RFC 3339, `2008-09-03 14:05` (UTC) or a date (required) |
//! | `id` | the response's own id in the form's export, if it has one |

use travaux_core::{parse_time, DayEdge, ParticipantKind, Position, QuestionNo, Timestamp};

/// The columns a file may have.
pub const COLUMNS: [&str; 9] = [
    "id",
    "respondent",
    "kind",
    "name",
    "question",
    "clause",
    "position",
    "text",
    "received",
];

/// One response as the file gives it.
#[derive(Clone, Debug)]
pub struct Row {
    /// Its line in the file (where its record begins).
    pub line: usize,
    /// Its own id, if the file gives one.
    pub id: Option<String>,
    /// The respondent's handle.
    pub respondent: String,
    /// The kind to register the respondent with, if not registered.
    pub kind: Option<ParticipantKind>,
    /// The name to register the respondent with.
    pub name: Option<String>,
    /// The question answered.
    pub question: Option<QuestionNo>,
    /// The clause it is about, as written.
    pub clause: Option<String>,
    /// Its stance.
    pub position: Position,
    /// What it says.
    pub text: String,
    /// When it was received.
    pub received: Timestamp,
}

/// Problems, each with its line.
pub type Problems = Vec<(usize, String)>;

/// Whether a file is JSON Lines: by its extension, else by its first character that is not
/// white space.
pub fn is_json_lines(name: &str, text: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        return false;
    }
    if [".jsonl", ".ndjson", ".json"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return true;
    }
    text.trim_start().starts_with('{')
}

/// Read a CSV file with a header row.
pub fn csv(text: &str) -> Result<(Vec<Row>, Problems), String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("its header row does not read: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let columns = header(&headers)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push((line, format!("does not read as CSV: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            problems.push((
                line,
                format!(
                    "has {} fields where the header has {}",
                    record.len(),
                    headers.len()
                ),
            ));
            continue;
        }
        let get = |c: &str| {
            columns
                .iter()
                .position(|k| k == c)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        match row(line, get) {
            Ok(r) => rows.push(r),
            Err(e) => problems.push((line, e)),
        }
    }
    Ok((rows, problems))
}

/// The columns a header names, each known and named once.
fn header(headers: &[String]) -> Result<Vec<String>, String> {
    let mut seen: Vec<String> = Vec::new();
    for h in headers {
        if !COLUMNS.contains(&h.as_str()) {
            return Err(format!(
                "its header names a column '{h}' that is not one of: {}",
                COLUMNS.join(", ")
            ));
        }
        if seen.contains(h) {
            return Err(format!("its header names the column '{h}' twice"));
        }
        seen.push(h.clone());
    }
    for needed in ["respondent", "text", "received"] {
        if !seen.iter().any(|h| h == needed) {
            return Err(format!(
                "its header has no column '{needed}' (the columns: {})",
                COLUMNS.join(", ")
            ));
        }
    }
    Ok(seen)
}

/// Read a JSON Lines file: one object a line, its keys the columns.
pub fn json_lines(text: &str) -> (Vec<Row>, Problems) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(serde_json::Value::Object(o)) => o,
            Ok(_) => {
                problems.push((line, "is not a JSON object".into()));
                continue;
            }
            Err(e) => {
                problems.push((line, format!("does not read as JSON: {e}")));
                continue;
            }
        };
        if let Some(k) = object.keys().find(|k| !COLUMNS.contains(&k.as_str())) {
            problems.push((
                line,
                format!("has a key '{k}' that is not one of: {}", COLUMNS.join(", ")),
            ));
            continue;
        }
        let mut values = std::collections::HashMap::new();
        let mut bad = None;
        for (k, v) in &object {
            match v {
                serde_json::Value::String(s) => {
                    values.insert(k.as_str(), s.trim().to_string());
                }
                serde_json::Value::Number(n) if k == "id" => {
                    values.insert(k.as_str(), n.to_string());
                }
                serde_json::Value::Null => {}
                _ => bad = Some(format!("'{k}' is not a string")),
            }
        }
        if let Some(b) = bad {
            problems.push((line, b));
            continue;
        }
        let get = |c: &str| values.get(c).map(String::as_str).filter(|v| !v.is_empty());
        match row(line, get) {
            Ok(r) => rows.push(r),
            Err(e) => problems.push((line, e)),
        }
    }
    (rows, problems)
}

/// One response from its fields (trimmed, empty ones absent), or what is wrong with it.
fn row<'a>(line: usize, get: impl Fn(&str) -> Option<&'a str>) -> Result<Row, String> {
    let mut wrong = Vec::new();
    let respondent = get("respondent").unwrap_or_default().to_string();
    if respondent.is_empty() {
        wrong.push("no respondent".to_string());
    }
    let text = get("text").unwrap_or_default().to_string();
    if text.is_empty() {
        wrong.push("no text".to_string());
    }
    let kind = match get("kind").map(str::parse::<ParticipantKind>).transpose() {
        Ok(k) => k,
        Err(e) => {
            wrong.push(format!("kind {e}"));
            None
        }
    };
    let question = match get("question").map(str::parse::<QuestionNo>).transpose() {
        Ok(q) => q,
        Err(e) => {
            wrong.push(format!("question: {e}"));
            None
        }
    };
    let position = match get("position") {
        Some(p) => match p.to_ascii_lowercase().parse::<Position>() {
            Ok(p) => p,
            Err(e) => {
                wrong.push(format!("position {e}"));
                Position::Neutral
            }
        },
        None if question.is_some() => {
            wrong.push("an answer needs a position (support, oppose or neutral)".to_string());
            Position::Neutral
        }
        None => Position::Neutral,
    };
    let received = match get("received").map(|t| parse_time(t, DayEdge::Start)) {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            wrong.push(format!("received: {e}"));
            None
        }
        None => {
            wrong.push("no time received".to_string());
            None
        }
    };
    match received {
        Some(received) if wrong.is_empty() => Ok(Row {
            line,
            id: get("id").map(str::to_string),
            respondent,
            kind,
            name: get("name").map(str::to_string),
            question,
            clause: get("clause").map(str::to_string),
            position,
            text,
            received,
        }),
        _ => Err(wrong.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_lines_and_every_problem_is_named() {
        let text = "respondent,kind,question,position,text,received\n\
                    jane,public,Q1,support,\"Yes, and\nmore\",2008-09-03 10:00\n\
                    bob,,Q1,,Hm,2008-09-03\n\
                    ,,Q9x,maybe,,yesterday\n";
        let (rows, problems) = csv(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].text, "Yes, and\nmore");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].0, 4);
        assert!(problems[0].1.contains("needs a position"), "{problems:?}");
        assert_eq!(problems[1].0, 5);
        for what in [
            "no respondent",
            "no text",
            "question",
            "position",
            "received",
        ] {
            assert!(problems[1].1.contains(what), "{what}: {problems:?}");
        }
    }

    #[test]
    fn an_unknown_or_missing_column_is_refused() {
        assert!(csv("respondent,text,recieved\n")
            .unwrap_err()
            .contains("recieved"));
        assert!(csv("respondent,text\n").unwrap_err().contains("received"));
    }

    #[test]
    fn json_lines_read_the_same_columns() {
        let text = "{\"respondent\":\"jane\",\"text\":\"Yes\",\"received\":\"2008-09-03\",\"id\":7}\n\n[1]\n";
        let (rows, problems) = json_lines(text);
        assert_eq!(rows[0].id.as_deref(), Some("7"));
        assert_eq!(problems, vec![(3, "is not a JSON object".to_string())]);
        assert!(is_json_lines("x.txt", " {"));
        assert!(!is_json_lines("x.csv", "{"));
    }
}
