//! Errors of the token endpoint as RFC 6749 §5.2 shapes them (not the
//! rest of the API's `{"error": {"code", "message"}}`): OAuth clients
//! read `error` and `error_description`.

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq)]
pub struct OAuthError {
    pub status: StatusCode,
    /// `invalid_request`, `invalid_client`, `invalid_grant`,
    /// `unsupported_grant_type`, `invalid_scope`, `invalid_target`.
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    pub fn request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }
}

impl From<crate::server::store::StoreError> for OAuthError {
    fn from(e: crate::server::store::StoreError) -> Self {
        let api = crate::server::error::ApiError::from(e);
        OAuthError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description: api.message,
        }
    }
}

/// Token answers and their errors are never cached (RFC 6749 §5.1).
pub fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(CACHE_CONTROL, "no-store"), (PRAGMA, "no-cache")],
        Json(body),
    )
        .into_response()
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        no_store(
            self.status,
            json!({"error": self.error, "error_description": self.description}),
        )
    }
}
