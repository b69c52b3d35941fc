//! Which methods a path takes: a method the OpenAPI description does not list for a path is
//! answered 405 with `Allow` naming those it does (the description says, [`openapi::methods`]);
//! a typed document route takes GET for a command that reads and POST for one that writes.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::error::ApiError;
use super::{openapi, typed};

/// A 405 names the methods the description lists for its path in `Allow`.
pub async fn allow(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    // A path the description does not give (a page for people) keeps the router's own `Allow`.
    let methods = openapi::methods(&path);
    if response.status() == StatusCode::METHOD_NOT_ALLOWED && !methods.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&methods.join(", ")) {
            response.headers_mut().insert(header::ALLOW, value);
        }
    }
    response
}

/// The answer to a method the router has no handler for on a path it knows.
pub async fn not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    let path = uri.path();
    let methods = openapi::methods(path);
    let takes = if methods.is_empty() {
        String::new()
    } else {
        format!(": {path} takes {}", methods.join(" and "))
    };
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} {path} is not a route{takes} (GET /v1/openapi.json lists the routes)"),
    )
}

/// Whether a typed document route takes this method: `None` if it does, else the answer (404
/// for words that name no typed route, 405 for a method it does not take).
pub fn typed_route(words: &[&str], method: &str, path: &str) -> Option<ApiError> {
    match typed::methods(words) {
        // The CLI's own word for what is missing, where it has one.
        None => Some(typed::leaf(words).err().map_or_else(
            || ApiError::no_route(method, path),
            |e| ApiError {
                message: format!("no route {method} {path}: {}", e.message),
                ..e
            },
        )),
        Some(methods) if methods.contains(&method) => None,
        Some(methods) => Some(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "`{}` {}: send it with {}",
                words.join(" "),
                if method == "GET" {
                    "writes"
                } else {
                    "only reads"
                },
                methods.join(" or ")
            ),
        )),
    }
}
