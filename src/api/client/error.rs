//! What went wrong with a request, as [`ClientError`]: unreachable,
//! refused (the API's error body, or the raw text), or malformed; and the
//! helpers that build these without ever showing a token or a password,
//! which Alertmanager's client uses too.

use crate::api::ErrorBody;
use reqwest::{StatusCode, Url};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("invalid backend URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
    #[error("cannot reach the backend at {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("the backend at {url} did not answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    /// A non-2xx answer. `code` is the API's error code, or `http_STATUS`
    /// when the body was not the API's error shape.
    #[error("{message} (HTTP {status}, {code})")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// A redirect to another host, or down to plain http off this machine.
    #[error("the backend at {url} answered with a redirect: {refused}")]
    Redirected {
        url: String,
        refused: super::redirect::RedirectRefused,
    },
    #[error("malformed answer from {url}: {cause}")]
    Malformed { url: String, cause: String },
}

impl ClientError {
    /// The HTTP status of a refusal, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

/// The error for a non-2xx answer: the API's error body when there is one,
/// else the raw text, else the status's own name.
pub(super) fn api_error(status: StatusCode, body: &[u8]) -> ClientError {
    if let Ok(e) = serde_json::from_slice::<ErrorBody>(body) {
        return ClientError::Api {
            status: status.as_u16(),
            code: e.error.code,
            message: e.error.message,
        };
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("the backend refused the request")
            .to_string()
    } else {
        preview(text.as_bytes())
    };
    ClientError::Api {
        status: status.as_u16(),
        code: format!("http_{}", status.as_u16()),
        message,
    }
}

/// The start of a body, for an error message. Alertmanager's client quotes
/// with it too.
pub(crate) fn preview(bytes: &[u8]) -> String {
    const MAX: usize = 200;
    // A malformed full sync can be 180 MB: decode only what can be shown.
    // A char is at most 4 bytes, so this holds MAX + 1 whole chars
    // whenever the body has more than MAX.
    let head = &bytes[..bytes.len().min(4 * (MAX + 1))];
    let text = String::from_utf8_lossy(head);
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// `url` as messages show it: without the user name and password it may
/// carry, nor a trailing `/`.
pub(crate) fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    let _ = shown.set_username("");
    shown.as_str().trim_end_matches('/').to_string()
}

pub(super) fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

/// The innermost cause of an error, e.g. "Connection refused (os error 111)":
/// the outer layers only repeat the URL.
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn a_preview_is_the_first_200_chars_and_says_when_there_is_more() {
        assert_eq!(preview(b"short"), "short");
        let exact = "x".repeat(200);
        assert_eq!(preview(exact.as_bytes()), exact);
        let long = "é".repeat(10_000);
        let shown = preview(long.as_bytes());
        assert_eq!(shown.chars().count(), 201);
        assert!(shown.starts_with("éé") && shown.ends_with('…'));
        // Four-byte chars fill the decoded head exactly: still cut right.
        let wide = "𝄞".repeat(201);
        assert_eq!(preview(wide.as_bytes()), format!("{}…", "𝄞".repeat(200)));
        assert_eq!(preview(&[0xff, b'a']), "\u{fffd}a");
    }
}
