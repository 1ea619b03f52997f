//! The HTTP client for API v1: one async method per route of the contract,
//! typed with the model and the wire types of [`crate::api`].
//!
//! Errors say which of three things went wrong, because a responder acts
//! differently on each: the backend could not be reached, it refused (with
//! its status, code and message), or it answered something that is not the
//! API. The bearer token is never part of an error, a `Debug` print or a
//! log line.

use crate::api::*;
use crate::model::*;
use reqwest::{Method, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::Once;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Page size asked of `GET /v1/agents`.
const PAGE_LIMIT: u32 = 500;

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

/// Installs ring as rustls's process-wide crypto provider: reqwest is built
/// without one, and would panic on the first client otherwise.
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An error means some other part of the process installed one first,
        // which serves just as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
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

/// How a client may reach its backend, beyond the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// Allow plain `http://` to a host that is not this machine. Without it
    /// such a URL is refused: the bearer token would cross the network in
    /// clear. `--allow-insecure-http`, or `allow_insecure_http = true` in a
    /// `[[backend]]`.
    pub allow_insecure_http: bool,
    /// A PEM file of CA certificates to trust besides the platform's, for a
    /// backend with a private or self-signed certificate. `--ca-cert`, or
    /// `ca_cert` in a `[[backend]]`.
    pub ca_cert: Option<std::path::PathBuf>,
}

/// Whether `url` names this machine: `localhost`, 127.0.0.0/8, `::1`, or an
/// unspecified address (`0.0.0.0`, `::`), which a connection reaches this
/// machine through too (a server listening on all addresses prints it).
pub fn is_local(url: &Url) -> bool {
    use std::net::IpAddr;
    let ip_is_local = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_unspecified(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    // An IPv6 host comes in brackets; the URL parser has already turned any
    // other spelling of an IPv4 address (hex, octal) into dotted decimal.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip_is_local(ip),
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

impl Client {
    /// A client for the backend at `base_url` (`http://` or `https://`),
    /// sending `token` as the bearer token, with the default
    /// [`ConnectOptions`]: plain HTTP only to this machine.
    pub fn new(base_url: &str, token: Option<&str>) -> Result<Client, ClientError> {
        Self::with_options(base_url, token, &ConnectOptions::default())
    }

    /// [`Client::new`] with `options`: plain HTTP to another host, or an
    /// extra CA to trust.
    pub fn with_options(
        base_url: &str,
        token: Option<&str>,
        options: &ConnectOptions,
    ) -> Result<Client, ClientError> {
        let base = Url::parse(base_url.trim()).map_err(|e| ClientError::InvalidUrl {
            url: base_url.to_string(),
            reason: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(ClientError::InvalidUrl {
                url: base_url.to_string(),
                reason: "the scheme must be http or https".into(),
            });
        }
        if base.cannot_be_a_base() || base.query().is_some() || base.fragment().is_some() {
            return Err(ClientError::InvalidUrl {
                url: base_url.to_string(),
                reason: "expected a URL like http://127.0.0.1:7878".into(),
            });
        }
        let mut shown = base.clone();
        let _ = shown.set_password(None);
        let _ = shown.set_username("");
        let shown = shown.as_str().trim_end_matches('/').to_string();
        if base.scheme() == "http" && !options.allow_insecure_http && !is_local(&base) {
            return Err(ClientError::InvalidUrl {
                url: shown,
                reason: "plain http:// to another host would send the token across the \
                         network in clear. Use https:// (warden serve --tls-cert/--tls-key), \
                         or, on a network you trust, pass --allow-insecure-http \
                         (allow_insecure_http = true in its [[backend]])"
                    .into(),
            });
        }

        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("warden/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &options.ca_cert {
            for cert in read_ca(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Build(root_cause(&e)))?;
        Ok(Client {
            http,
            base,
            shown,
            token: token.map(str::to_string),
        })
    }

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
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(e, timeout))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Malformed {
            url: strip_query(&url),
            cause: format!("{e}; the answer began {:?}", preview(&bytes)),
        })
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
        let url = self.url(segments)?;
        let mut req = self
            .http
            .request(method, url.clone())
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

    // ---- the routes of API v1 ----

    /// `GET /v1/health`; needs no token.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get(&["v1", "health"]).await
    }

    /// `GET /v1/whoami`
    pub async fn whoami(&self) -> Result<WhoAmI, ClientError> {
        self.get(&["v1", "whoami"]).await
    }

    /// `POST /v1/tokens`: the token is in the answer, and only there.
    pub async fn create_token(&self, req: &NewToken) -> Result<IssuedToken, ClientError> {
        self.post(&["v1", "tokens"], req).await
    }

    /// `POST /v1/people`
    pub async fn create_person(&self, req: &NewPerson) -> Result<Person, ClientError> {
        self.post(&["v1", "people"], req).await
    }

    /// `GET /v1/people`
    pub async fn list_people(&self) -> Result<Vec<Person>, ClientError> {
        self.get::<List<Person>>(&["v1", "people"])
            .await
            .map(List::into_vec)
    }

    /// `POST /v1/people/{id}/offboard`; `person` is an id or an email.
    pub async fn offboard_person(&self, person: &str, reason: &str) -> Result<Person, ClientError> {
        self.post(&["v1", "people", person, "offboard"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/agents`
    pub async fn create_agent(&self, req: &NewAgent) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents"], req).await
    }

    /// One page of `GET /v1/agents`.
    pub async fn agents_page(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<AgentPage, ClientError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(c) = cursor {
            query.push(("cursor", c.to_string()));
        }
        self.call::<(), AgentPage>(Method::GET, &["v1", "agents"], &query, None, None)
            .await
    }

    /// Every agent: `GET /v1/agents`, following `next_cursor` to the end.
    pub async fn list_agents(&self) -> Result<Vec<Agent>, ClientError> {
        self.list_agents_by(PAGE_LIMIT).await
    }

    /// Every agent, asking for pages of `limit`.
    pub async fn list_agents_by(&self, limit: u32) -> Result<Vec<Agent>, ClientError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.agents_page(limit, cursor.as_deref()).await?;
            let empty = page.items.is_empty();
            all.extend(page.items);
            match page.next_cursor {
                // A cursor that does not move, or a page with nothing in it
                // that still promises more, would loop for ever.
                Some(next) if cursor.as_deref() == Some(next.as_str()) || empty => {
                    return Err(ClientError::Malformed {
                        url: format!("{}/v1/agents", self.shown),
                        cause: "the next_cursor does not advance".into(),
                    });
                }
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// `GET /v1/agents/{id}`; `agent` is an id or a name.
    pub async fn get_agent(&self, agent: &str) -> Result<AgentDetail, ClientError> {
        self.get(&["v1", "agents", agent]).await
    }

    /// `POST /v1/agents/{id}/credentials`: the secret is in the answer, and
    /// only there.
    pub async fn issue_credential(
        &self,
        agent: &str,
        req: &NewCredential,
    ) -> Result<IssuedCredential, ClientError> {
        self.post(&["v1", "agents", agent, "credentials"], req)
            .await
    }

    /// `POST /v1/agents/{id}/grants`
    pub async fn add_grant(&self, agent: &str, req: &NewGrant) -> Result<Grant, ClientError> {
        self.post(&["v1", "agents", agent, "grants"], req).await
    }

    /// `POST /v1/delegations`
    pub async fn delegate(&self, req: &NewDelegation) -> Result<Delegation, ClientError> {
        self.post(&["v1", "delegations"], req).await
    }

    /// `POST /v1/agents/{id}/owner`
    pub async fn set_owner(&self, agent: &str, req: &NewOwner) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents", agent, "owner"], req).await
    }

    /// `POST /v1/agents/{id}/suspend`
    pub async fn suspend(&self, agent: &str, reason: &str) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents", agent, "suspend"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/agents/{id}/resume`
    pub async fn resume(&self, agent: &str, reason: &str) -> Result<Agent, ClientError> {
        self.post(&["v1", "agents", agent, "resume"], &Self::reason(reason))
            .await
    }

    /// `POST /v1/agents/{id}/kill`; with `dry_run` the answer is the plan
    /// (status `planned`) and nothing changes.
    pub async fn kill(&self, agent: &str, req: &KillRequest) -> Result<Operation, ClientError> {
        // Runtime hooks may take their own timeout on the server's side.
        self.call(
            Method::POST,
            &["v1", "agents", agent, "kill"],
            &[],
            Some(req),
            Some(REQUEST_TIMEOUT * 3),
        )
        .await
    }

    /// `POST /v1/credentials/{id}/revoke`
    pub async fn revoke(&self, credential: &str, reason: &str) -> Result<Credential, ClientError> {
        self.post(
            &["v1", "credentials", credential, "revoke"],
            &Self::reason(reason),
        )
        .await
    }

    /// `POST /v1/introspect`
    pub async fn introspect(&self, token: &str) -> Result<Introspection, ClientError> {
        self.post(
            &["v1", "introspect"],
            &IntrospectRequest {
                token: token.to_string(),
            },
        )
        .await
    }

    /// `POST /v1/agent/heartbeat`, with this client's token as the agent's
    /// credential.
    pub async fn heartbeat(&self) -> Result<(), ClientError> {
        self.send::<()>(Method::POST, &["v1", "agent", "heartbeat"], &[], None, None)
            .await
            .map(|_| ())
    }

    /// `POST /v1/agent/events`, with this client's token as the agent's
    /// credential.
    pub async fn report_events(&self, events: &[AgentEvent]) -> Result<Accepted, ClientError> {
        self.post(&["v1", "agent", "events"], events).await
    }

    /// `GET /v1/alerts`
    pub async fn alerts(&self) -> Result<Vec<Alert>, ClientError> {
        self.get::<List<Alert>>(&["v1", "alerts"])
            .await
            .map(List::into_vec)
    }

    /// `POST /v1/alerts/{id}/ack`
    pub async fn ack(&self, alert: &str, reason: &str) -> Result<Alert, ClientError> {
        self.post(&["v1", "alerts", alert, "ack"], &Self::reason(reason))
            .await
    }

    /// `GET /v1/triage`: the agents that need an owner, most urgent first,
    /// each with its ranked owner suggestions.
    pub async fn triage(&self) -> Result<TriageReport, ClientError> {
        self.get(&["v1", "triage"]).await
    }

    /// `GET /v1/changes?since=N&wait=S`: everything changed after cursor
    /// `since`; with `wait`, the backend holds the request until something
    /// changes or the wait is over.
    pub async fn changes(
        &self,
        since: i64,
        wait: Option<Duration>,
    ) -> Result<Changes, ClientError> {
        let mut query = vec![("since", since.to_string())];
        let mut timeout = None;
        if let Some(w) = wait {
            query.push(("wait", w.as_secs().to_string()));
            timeout = Some(w + REQUEST_TIMEOUT);
        }
        self.call::<(), Changes>(Method::GET, &["v1", "changes"], &query, None, timeout)
            .await
    }

    /// `GET /v1/audit?after=N`: the entries after sequence number `after`.
    pub async fn audit(&self, after: i64) -> Result<Vec<AuditEntry>, ClientError> {
        self.call::<(), List<AuditEntry>>(
            Method::GET,
            &["v1", "audit"],
            &[("after", after.to_string())],
            None,
            None,
        )
        .await
        .map(List::into_vec)
    }

    /// `GET /v1/audit` with every parameter: a tail, one agent's trail…
    pub async fn audit_query(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, ClientError> {
        self.call::<(), List<AuditEntry>>(Method::GET, &["v1", "audit"], &query.pairs(), None, None)
            .await
            .map(List::into_vec)
    }

    /// `GET /v1/audit/verify`
    pub async fn audit_verify(&self) -> Result<AuditVerification, ClientError> {
        self.get(&["v1", "audit", "verify"]).await
    }
}

/// The error for a non-2xx answer: the API's error body when there is one,
/// else the raw text, else the status's own name.
/// The CA certificates of a PEM file; an error names the file.
fn read_ca(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, ClientError> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| {
        ClientError::InvalidArgument(format!("cannot read the CA certificate {shown}: {e}"))
    })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        ClientError::InvalidArgument(format!(
            "the CA certificate {shown} is not PEM: {}",
            root_cause(&e)
        ))
    })?;
    if certs.is_empty() {
        return Err(ClientError::InvalidArgument(format!(
            "the CA certificate {shown} holds no certificate: expected PEM with \
             -----BEGIN CERTIFICATE-----"
        )));
    }
    Ok(certs)
}

fn api_error(status: StatusCode, body: &[u8]) -> ClientError {
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

/// The start of a body, for an error message.
fn preview(bytes: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(bytes);
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

/// The innermost cause of an error, e.g. "Connection refused (os error 111)":
/// the outer layers only repeat the URL.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
