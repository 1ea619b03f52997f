//! `POST /v1/oauth/token` from the command line: a form, not JSON, and
//! RFC 6749 errors (`error`, `error_description`) turned into the same
//! [`ClientError::Api`] every other refusal is.

use super::Client;
use super::error::ClientError;
use reqwest::Method;
use serde::Deserialize;

/// The answer of a token exchange (RFC 8693 §2.2.1).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ExchangedToken {
    pub access_token: String,
    pub issued_token_type: String,
    pub token_type: String,
    pub expires_in: i64,
    pub scope: String,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    error_description: Option<String>,
}

/// `application/x-www-form-urlencoded` (RFC 3986 unreserved kept).
fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Client {
    /// The token this client authenticates with, if any: the default
    /// subject of `warden token exchange`.
    pub fn bearer(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Token exchange with the given form parameters; the bearer token is
    /// not sent (the actor's credential in the form authenticates).
    pub async fn exchange_token(
        &self,
        params: &[(&str, &str)],
    ) -> Result<ExchangedToken, ClientError> {
        let url = self.url(&["v1", "oauth", "token"])?;
        let resp = self
            .http
            .request(Method::POST, url)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form(params))
            .send()
            .await
            .map_err(|e| self.transport_error(e, None))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(e, None))?;
        if !status.is_success() {
            if let Ok(e) = serde_json::from_slice::<OAuthErrorBody>(&bytes) {
                return Err(ClientError::Api {
                    status: status.as_u16(),
                    code: e.error,
                    message: e.error_description.unwrap_or_default(),
                });
            }
            return Err(super::error::api_error(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Malformed {
            url: self.shown.clone(),
            cause: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_form_is_encoded() {
        assert_eq!(
            super::form(&[("scope", "a:read b:write"), ("t", "x&y=z")]),
            "scope=a%3Aread+b%3Awrite&t=x%26y%3Dz"
        );
    }
}
