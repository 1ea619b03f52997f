//! The HTTP client for API v1: one async method per route of the contract,
//! typed with the model and the wire types of [`crate::api`].
//!
//! Errors say which of three things went wrong, because a responder acts
//! differently on each: the backend could not be reached, it refused (with
//! its status, code and message), or it answered something that is not the
//! API. The bearer token is never part of an error, a `Debug` print or a
//! log line.
//!
//! This file owns the client and how one request is sent and read;
//! `connect` makes a client, `routes` holds the methods, one per route,
//! `redirect` which redirects are followed, and `error` the errors.

mod connect;
mod error;
mod guardrails;
mod oauth;
mod redirect;
mod routes;

pub use redirect::RedirectRefused;
pub(crate) use redirect::{normalise_host, policy as redirect_policy};

pub(crate) use connect::read_ca;
pub use connect::{ConnectOptions, install_crypto_provider, is_local};
pub use error::ClientError;

use crate::api::Reason;
use error::{api_error, strip_query};
pub(crate) use error::{preview, root_cause, shown_url};
pub use oauth::ExchangedToken;
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Page size asked of `GET /v1/agents`.
const PAGE_LIMIT: u32 = 500;

/// A client for one backend. Cheap to clone: the connection pool is shared.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    /// The base URL without credentials, for messages.
    shown: String,
    token: Option<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.shown)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A list answer: a bare JSON array, or an object with `items`, so that the
/// client does not depend on which one a backend chose.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum List<T> {
    Bare(Vec<T>),
    Wrapped { items: Vec<T> },
}

impl<T> List<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            List::Bare(v) | List::Wrapped { items: v } => v,
        }
    }
}

impl Client {
    /// The backend's URL, without any credentials it may carry.
    pub fn base_url(&self) -> &str {
        &self.shown
    }

    /// `base` + `/v1/…`: each of `segments` becomes one path segment,
    /// percent-encoded, so a name with `/`, `?` or `#` in it stays one
    /// segment.
    fn url(&self, segments: &[&str]) -> Result<Url, ClientError> {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| ClientError::InvalidUrl {
                    url: self.shown.clone(),
                    reason: "cannot be a base URL".into(),
                })?;
            path.pop_if_empty();
            for s in segments {
                // The URL library drops `.` and `..` segments, which would
                // silently aim the request at another route.
                if s.is_empty() || *s == "." || *s == ".." {
                    return Err(ClientError::InvalidArgument(format!(
                        "{s:?} cannot be sent as a path segment; use the id instead"
                    )));
                }
                path.push(s);
            }
        }
        Ok(url)
    }

    async fn call<B, T>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
        timeout: Option<Duration>,
    ) -> Result<T, ClientError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned,
    {
        let (url, resp) = self.send(method, segments, query, body, timeout).await?;
        self.read_json(url, resp, timeout).await
    }

    /// A GET whose answer is large: from a backend on this machine it is
    /// asked for uncompressed, since inflating hundreds of megabytes costs
    /// more than carrying them over loopback (at a million agents, about
    /// a second of the first sync); from any other backend, gzip as usual.
    async fn get_large<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<T, ClientError> {
        let plain = connect::is_local(&self.base);
        let (url, resp) = self
            .send_with::<()>(Method::GET, segments, query, None, None, plain)
            .await?;
        self.read_json(url, resp, None).await
    }

    async fn read_json<T: DeserializeOwned>(
        &self,
        url: Url,
        resp: reqwest::Response,
        timeout: Option<Duration>,
    ) -> Result<T, ClientError> {
        let bytes = self.read_body(resp, timeout).await?;
        tracing::trace!(target: "warden::sync", "read {} bytes of {url}", bytes.len());
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Malformed {
            url: strip_query(&url),
            cause: format!("{e}; the answer began {:?}", preview(&bytes)),
        })
    }

    /// The whole body, into one buffer sized by the answer's length. Each
    /// chunk is copied in as it comes, so the connection's read buffer is
    /// reused: collecting the chunks first (`Response::bytes`) kept every
    /// one alive and then copied them all, twice the memory and a fresh
    /// page for every byte (a million agents' first answer is 514 MB).
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>, ClientError> {
        // Only a hint: a lying length costs at most this much address
        // space, and the buffer still grows past it if the body does.
        const MOST_RESERVED: u64 = 1 << 30;
        let hint = resp.content_length().unwrap_or(0).min(MOST_RESERVED);
        let mut body = Vec::with_capacity(hint as usize);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.transport_error(e, timeout))?
        {
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Sends the request; a non-2xx answer becomes [`ClientError::Api`].
    async fn send<B>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
        timeout: Option<Duration>,
    ) -> Result<(Url, reqwest::Response), ClientError>
    where
        B: Serialize + ?Sized,
    {
        self.send_with(method, segments, query, body, timeout, false)
            .await
    }

    /// [`send`](Self::send); `plain` asks for the answer uncompressed.
    async fn send_with<B>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
        timeout: Option<Duration>,
        plain: bool,
    ) -> Result<(Url, reqwest::Response), ClientError>
    where
        B: Serialize + ?Sized,
    {
        let url = self.url(segments)?;
        let mut req = self
            .http
            .request(method, url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if plain {
            req = req.header(reqwest::header::ACCEPT_ENCODING, "identity");
        }
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport_error(e, timeout))?;
        let status = resp.status();
        if status.is_success() {
            return Ok((url, resp));
        }
        let bytes = resp.bytes().await.unwrap_or_default();
        Err(api_error(status, &bytes))
    }

    fn transport_error(&self, e: reqwest::Error, timeout: Option<Duration>) -> ClientError {
        if e.is_timeout() {
            return ClientError::Timeout {
                url: self.shown.clone(),
                seconds: timeout.unwrap_or(REQUEST_TIMEOUT).as_secs(),
            };
        }
        if e.is_decode() || e.is_body() {
            return ClientError::Malformed {
                url: self.shown.clone(),
                cause: root_cause(&e),
            };
        }
        if let Some(refused) = redirect::refusal(&e) {
            return ClientError::Redirected {
                url: self.shown.clone(),
                refused: refused.clone(),
            };
        }
        ClientError::Unreachable {
            url: self.shown.clone(),
            cause: root_cause(&e),
        }
    }

    async fn get<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<T, ClientError> {
        self.call::<(), T>(Method::GET, segments, &[], None, None)
            .await
    }

    async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: &B,
    ) -> Result<T, ClientError> {
        self.call(Method::POST, segments, &[], Some(body), None)
            .await
    }

    fn reason(reason: &str) -> Reason {
        Reason {
            reason: reason.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn path_segments_are_encoded_one_each() {
        let c = Client::new("http://127.0.0.1:7878", None).unwrap();
        let u = c.url(&["v1", "agents", "a/b?c#d %e", "kill"]).unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:7878/v1/agents/a%2Fb%3Fc%23d%20%25e/kill"
        );
        let u = c.url(&["v1", "people", "ada@example.com"]).unwrap();
        assert_eq!(u.path(), "/v1/people/ada@example.com");
    }

    #[test]
    fn dot_segments_are_refused() {
        let c = Client::new("http://127.0.0.1:7878/", None).unwrap();
        for bad in ["..", ".", ""] {
            assert!(matches!(
                c.url(&["v1", "agents", bad, "kill"]),
                Err(ClientError::InvalidArgument(_))
            ));
        }
    }

    #[test]
    fn a_base_path_is_kept() {
        let c = Client::new("https://gw.example/warden/", None).unwrap();
        assert_eq!(
            c.url(&["v1", "health"]).unwrap().as_str(),
            "https://gw.example/warden/v1/health"
        );
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in [
            "127.0.0.1:7878",
            "ftp://x",
            "not a url",
            "http://127.0.0.1/?q=1",
        ] {
            assert!(
                matches!(Client::new(bad, None), Err(ClientError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_http_is_for_this_machine_only_unless_allowed() {
        for local in [
            "http://127.0.0.1:7878",
            "http://127.8.9.10:1",
            "http://localhost:7878",
            "http://LOCALHOST./x/",
            "http://[::1]:7878",
            "http://0.0.0.0:7878",
            "https://warden.corp.example",
            "https://10.0.0.5:7878",
        ] {
            assert!(Client::new(local, None).is_ok(), "{local}");
        }
        for remote in [
            "http://10.0.0.5:7878",
            "http://warden.corp.example",
            "http://localhost.evil.example",
            "http://[2001:db8::1]:7878",
            "http://128.0.0.1",
        ] {
            let e = Client::new(remote, None).unwrap_err();
            let msg = e.to_string();
            assert!(
                matches!(e, ClientError::InvalidUrl { .. }),
                "{remote}: {e:?}"
            );
            for want in ["https://", "--allow-insecure-http", "in clear"] {
                assert!(msg.contains(want), "{remote}: {want} not in {msg}");
            }
            let allowed = ConnectOptions {
                allow_insecure_http: true,
                ..Default::default()
            };
            assert!(
                Client::with_options(remote, None, &allowed).is_ok(),
                "{remote}"
            );
        }
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let missing = ConnectOptions {
            ca_cert: Some(dir.path().join("nope.pem")),
            ..Default::default()
        };
        let e = Client::with_options("https://h", None, &missing).unwrap_err();
        assert!(e.to_string().contains("nope.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = Client::with_options(
            "https://h",
            None,
            &ConnectOptions {
                ca_cert: Some(empty),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("holds no certificate"), "{e}");
    }

    #[test]
    fn debug_never_shows_the_token_or_url_password() {
        let c = Client::new("http://user:pw@127.0.0.1:1", Some("wdn_pt_supersecret")).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("supersecret") && !d.contains("pw"), "{d}");
        assert_eq!(c.base_url(), "http://127.0.0.1:1");
    }

    #[test]
    fn error_bodies_are_parsed_or_kept_raw() {
        let e = api_error(
            StatusCode::FORBIDDEN,
            br#"{"error":{"code":"forbidden","message":"role viewer cannot kill"}}"#,
        );
        assert_eq!(
            e.to_string(),
            "role viewer cannot kill (HTTP 403, forbidden)"
        );
        let e = api_error(StatusCode::BAD_GATEWAY, b"upstream down");
        assert_eq!(e.to_string(), "upstream down (HTTP 502, http_502)");
        let e = api_error(StatusCode::NOT_FOUND, b"");
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "Not Found (HTTP 404, http_404)");
    }

    #[test]
    fn lists_come_bare_or_wrapped() {
        let a: List<i32> = serde_json::from_str("[1,2]").unwrap();
        let b: List<i32> = serde_json::from_str(r#"{"items":[3]}"#).unwrap();
        assert_eq!(a.into_vec(), vec![1, 2]);
        assert_eq!(b.into_vec(), vec![3]);
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_with_the_url() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let url = format!("http://127.0.0.1:{port}");
        let c = Client::new(&url, Some("t")).unwrap();
        let e = c.health().await.unwrap_err();
        assert!(matches!(e, ClientError::Unreachable { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with(&format!("cannot reach the backend at {url}: ")),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_non_json_answer_is_malformed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let body = "<html>proxy login</html>";
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
        });
        let c = Client::new(&format!("http://{addr}"), None).unwrap();
        let e = c.health().await.unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, ClientError::Malformed { .. }), "{e:?}");
        assert!(
            msg.starts_with(&format!("malformed answer from http://{addr}/v1/health")),
            "{msg}"
        );
        assert!(msg.contains("proxy login"), "{msg}");
    }

    #[tokio::test]
    async fn the_first_sync_from_this_machine_is_asked_uncompressed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let asked = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).await.unwrap();
            let body = r#"{"cursor":3,"full":true,"agents":[],"people":[],"credentials":[],
                "grants":[],"delegations":[],"alerts":[],"removed":[],"summary":true}"#;
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            s.write_all(resp.as_bytes()).await.unwrap();
            String::from_utf8_lossy(&buf[..n]).to_lowercase()
        });
        let c = Client::new(&format!("http://{addr}"), None).unwrap();
        let changes = c.changes_summary(0).await.unwrap();
        assert!(changes.summary && changes.cursor == 3);
        let request = asked.await.unwrap();
        assert!(request.contains("accept-encoding: identity"), "{request}");
        assert!(!request.contains("gzip"), "{request}");
    }
}
