//! The server's error answer: an HTTP status chosen by the kind of failure, and the body
//! `{"exit": CODE, "error": "message"}` with the exit code the CLI would have given.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{CliError, ErrorKind};

/// A failed request, as it is answered.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The exit code the CLI would have given.
    pub exit: u8,
    /// What went wrong, in words.
    pub message: String,
    /// The document's current version, for a conflict or a stale `If-Match`.
    pub version: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    exit: u8,
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
}

impl ApiError {
    /// An error with this status and message; the exit code follows the status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        let exit = match status {
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => 2,
            StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => 3,
            _ => 1,
        };
        ApiError {
            status,
            exit,
            message: message.into(),
            version: None,
        }
    }

    /// 400: the request itself is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: no token where one is needed, or a token the store does not know.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403: the participant may not do or read this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404: no such route.
    pub fn no_route(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("no route {method} {path}; GET /v1/openapi.json describes the API"),
        )
    }

    /// 503: the server is too busy or shutting down.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// The status a CLI error is answered with, by its kind.
    pub fn status_of(e: &CliError) -> StatusCode {
        match e.kind {
            ErrorKind::Usage => StatusCode::BAD_REQUEST,
            ErrorKind::NotAllowed => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Damaged | ErrorKind::Locked => StatusCode::SERVICE_UNAVAILABLE,
            // `dispatch` answers a raced retry itself: it never gets here.
            ErrorKind::Storage | ErrorKind::AlreadyRecorded => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Refused if e.code == 2 => StatusCode::BAD_REQUEST,
            ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl From<CliError> for ApiError {
    fn from(e: CliError) -> Self {
        ApiError {
            status: ApiError::status_of(&e),
            exit: e.code,
            message: e.message,
            version: None,
        }
    }
}

impl From<travaux_store::StoreError> for ApiError {
    fn from(e: travaux_store::StoreError) -> Self {
        CliError::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            exit: self.exit,
            error: &self.message,
            version: self.version,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(v) = self.version {
            if let Ok(value) = format!("\"{v}\"").parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::ETAG, value);
            }
        }
        response
    }
}
