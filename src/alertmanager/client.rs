//! The HTTP client for Alertmanager's API v2: read the alerts and the
//! silences, create a silence, push alerts. Errors say which of three
//! things went wrong, as Warden's own client does: Alertmanager could not be
//! reached, it refused (with its status and message), or it answered
//! something that is not its API. An optional bearer token (for one behind
//! an authenticating proxy) never appears in an error or a `Debug` print.

use super::wire::{GettableAlert, GettableSilence, PostableAlert, PostableSilence, SilenceCreated};
use crate::api::client::{
    install_crypto_provider, normalise_host, preview, redirect_policy, root_cause, shown_url,
};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Alertmanager answers from memory; anything slower is as good as down.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum AmError {
    #[error("invalid Alertmanager URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
    #[error("cannot reach the Alertmanager at {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("the Alertmanager at {url} did not answer within {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("the Alertmanager at {url} refused: {message} (HTTP {status})")]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
    #[error("malformed answer from the Alertmanager at {url}: {cause}")]
    Malformed { url: String, cause: String },
    /// No alert with this fingerprint is firing there (any more).
    #[error("the Alertmanager at {url} has no alert {fingerprint} (resolved, or never there)")]
    NoSuchAlert { url: String, fingerprint: String },
}

/// A client for one Alertmanager. Cheap to clone: the pool is shared.
#[derive(Clone)]
pub struct AmClient {
    http: reqwest::Client,
    base: Url,
    /// The base URL without credentials, for messages.
    shown: String,
    token: Option<String>,
}

impl fmt::Debug for AmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AmClient")
            .field("base", &self.shown)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl AmClient {
    /// A client for the Alertmanager at `base_url`, e.g.
    /// `http://127.0.0.1:9093` (a path prefix, as behind a proxy, is kept).
    pub fn new(base_url: &str, token: Option<&str>) -> Result<AmClient, AmError> {
        let invalid = |reason: &str| AmError::InvalidUrl {
            url: base_url.to_string(),
            reason: reason.to_string(),
        };
        let mut base = Url::parse(base_url.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if base.cannot_be_a_base() || base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("expected a URL like http://127.0.0.1:9093"));
        }
        normalise_host(&mut base).map_err(|e| invalid(&e))?;
        // Joining `api/v2/…` must append to the path, not replace its end.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let shown = shown_url(&base);
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("warden/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect_policy())
            .build()
            .map_err(|e| AmError::Build(root_cause(&e)))?;
        Ok(AmClient {
            http,
            base,
            shown,
            token: token.map(str::to_string),
        })
    }

    /// The Alertmanager's URL, without any credentials it may carry.
    pub fn base_url(&self) -> &str {
        &self.shown
    }

    /// `GET /api/v2/alerts`: every alert it holds that is not resolved,
    /// whether active, silenced, inhibited or not yet processed.
    pub async fn alerts(&self) -> Result<Vec<GettableAlert>, AmError> {
        let query = [
            ("active", "true"),
            ("silenced", "true"),
            ("inhibited", "true"),
            ("unprocessed", "true"),
        ];
        self.call::<(), _>(Method::GET, "api/v2/alerts", &query, None)
            .await
    }

    /// `GET /api/v2/silences`: every silence, expired ones included.
    pub async fn silences(&self) -> Result<Vec<GettableSilence>, AmError> {
        self.call::<(), _>(Method::GET, "api/v2/silences", &[], None)
            .await
    }

    /// `POST /api/v2/silences`: the new silence's id.
    pub async fn create_silence(&self, silence: &PostableSilence) -> Result<String, AmError> {
        let created: SilenceCreated = self
            .call(Method::POST, "api/v2/silences", &[], Some(silence))
            .await?;
        Ok(created.silence_id)
    }

    /// `POST /api/v2/alerts`: fires, refreshes or (with an end in the past)
    /// resolves each alert.
    pub async fn push(&self, alerts: &[PostableAlert]) -> Result<(), AmError> {
        self.send(Method::POST, "api/v2/alerts", &[], Some(alerts))
            .await
            .map(|_| ())
    }

    async fn call<B, T>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T, AmError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let bytes = self.send(method, path, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| AmError::Malformed {
            url: self.shown.clone(),
            cause: format!("{e}; the answer began {:?}", preview(&bytes)),
        })
    }

    /// Sends the request; the body of a 2xx answer, else [`AmError::Refused`].
    async fn send<B>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<Vec<u8>, AmError>
    where
        B: Serialize + ?Sized,
    {
        let url = self.base.join(path).map_err(|e| AmError::InvalidUrl {
            url: self.shown.clone(),
            reason: e.to_string(),
        })?;
        let mut req = self
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        Err(AmError::Refused {
            url: self.shown.clone(),
            status: status.as_u16(),
            message: refusal(status, &bytes),
        })
    }

    fn transport(&self, e: reqwest::Error) -> AmError {
        if e.is_timeout() {
            return AmError::Timeout {
                url: self.shown.clone(),
                seconds: REQUEST_TIMEOUT.as_secs(),
            };
        }
        if e.is_decode() || e.is_body() {
            return AmError::Malformed {
                url: self.shown.clone(),
                cause: root_cause(&e),
            };
        }
        AmError::Unreachable {
            url: self.shown.clone(),
            cause: root_cause(&e),
        }
    }
}

/// Alertmanager refuses with a bare JSON string, a `{"message": …}` object
/// or plain text, depending on the route and version.
fn refusal(status: reqwest::StatusCode, body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct WithMessage {
        message: String,
    }
    if let Ok(s) = serde_json::from_slice::<String>(body) {
        return preview(s.as_bytes());
    }
    if let Ok(m) = serde_json::from_slice::<WithMessage>(body) {
        return preview(m.message.as_bytes());
    }
    let text = preview(body);
    if text.trim().is_empty() {
        status.canonical_reason().unwrap_or("refused").to_string()
    } else {
        text.trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_prefix_and_lose_their_credentials() {
        let c = AmClient::new("http://u:secret@am.example:9093/am", Some("tok")).unwrap();
        assert_eq!(c.base_url(), "http://am.example:9093/am");
        assert_eq!(
            c.base.join("api/v2/alerts").unwrap().as_str(),
            "http://u:secret@am.example:9093/am/api/v2/alerts"
        );
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("secret") && !shown.contains("tok\""),
            "{shown}"
        );
        for bad in ["ftp://x", "not a url", "http://h:1/?q=1"] {
            assert!(AmClient::new(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn refusals_quote_what_alertmanager_said() {
        let s = reqwest::StatusCode::BAD_REQUEST;
        assert_eq!(
            refusal(s, br#""start time must be before end time""#),
            "start time must be before end time"
        );
        assert_eq!(
            refusal(s, br#"{"code":400,"message":"bad matcher"}"#),
            "bad matcher"
        );
        assert_eq!(refusal(s, b"plain words\n"), "plain words");
        assert_eq!(refusal(s, b""), "Bad Request");
        assert!(refusal(s, "x".repeat(500).as_bytes()).ends_with('…'));
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let c = AmClient::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
        let e = c.alerts().await.unwrap_err();
        assert!(matches!(e, AmError::Unreachable { .. }), "{e}");
        assert!(
            e.to_string().contains("cannot reach the Alertmanager"),
            "{e}"
        );
    }
}
