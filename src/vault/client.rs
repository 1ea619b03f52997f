//! The HTTP side of Vault (or OpenBao): [`VaultConfig`], [`VaultClient`],
//! and how one request is sent and its answer read: the token as
//! `X-Vault-Token`, the namespace as `X-Vault-Namespace`, an extra CA to
//! trust, one timeout per request, LIST as `GET …?list=true` (which proxies
//! pass, unlike the `LIST` method). The token never appears in an error, a
//! `Debug` print or a log line.

use super::error::{Capability, VaultError, from_status};
use crate::api::client::{
    install_crypto_provider, is_local, normalise_host, preview, read_ca, redirect_policy,
    root_cause, shown_url,
};
use reqwest::header::HeaderValue;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The per-request timeout when the config names none: a lookup answers
/// from Vault's storage in milliseconds; ten seconds is a Vault in trouble.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach one Vault.
#[derive(Clone, Default)]
pub struct VaultConfig {
    /// E.g. `https://vault.example:8200`; `/v1/` is added by the client.
    pub url: String,
    pub token: String,
    /// Vault Enterprise's or OpenBao's namespace, e.g. `team1`.
    pub namespace: Option<String>,
    /// A PEM file of CA certificates to trust besides the platform's.
    pub ca_cert: Option<PathBuf>,
    /// Plain `http://` to a host that is not this machine; refused without
    /// it, as for every kind of backend: the token would cross in clear.
    pub allow_insecure_http: bool,
    /// Per request; [`DEFAULT_TIMEOUT`] when `None`.
    pub timeout: Option<Duration>,
}

impl fmt::Debug for VaultConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultConfig")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("namespace", &self.namespace)
            .field("ca_cert", &self.ca_cert)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A client for one Vault. Cheap to clone: the connection pool is shared.
#[derive(Clone)]
pub struct VaultClient {
    http: reqwest::Client,
    /// The base URL ending in `/v1/`.
    base: Url,
    /// The base URL without credentials, for messages.
    shown: String,
    /// Marked sensitive, so no HTTP layer prints it.
    token: HeaderValue,
    namespace: Option<String>,
    timeout: Duration,
}

impl fmt::Debug for VaultClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VaultClient")
            .field("url", &self.shown)
            .field("token", &"<redacted>")
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl VaultClient {
    pub fn new(config: VaultConfig) -> Result<VaultClient, VaultError> {
        let invalid =
            |reason: &str| VaultError::Invalid(format!("URL {:?}: {reason}", config.url.trim()));
        let mut base = Url::parse(config.url.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https"));
        }
        if base.cannot_be_a_base() || base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("expected a URL like https://vault.example:8200"));
        }
        normalise_host(&mut base).map_err(|e| invalid(&e))?;
        let shown = shown_url(&base);
        if base.scheme() == "http" && !config.allow_insecure_http && !is_local(&base) {
            return Err(invalid(
                "plain http:// to another host would send the Vault token across the network \
                 in clear; use https://, or allow_insecure_http on a network you trust",
            ));
        }
        if config.token.trim().is_empty() {
            return Err(VaultError::Invalid("no token given".into()));
        }
        let mut token = HeaderValue::from_str(config.token.trim()).map_err(|_| {
            VaultError::Invalid("the token holds characters an HTTP header cannot carry".into())
        })?;
        token.set_sensitive(true);
        let namespace = config.namespace.filter(|n| !n.trim().is_empty());
        if let Some(ns) = &namespace
            && HeaderValue::from_str(ns).is_err()
        {
            return Err(VaultError::Invalid(format!(
                "the namespace {ns:?} holds characters an HTTP header cannot carry"
            )));
        }
        // Joining `auth/…` must append to the path (a proxy's prefix stays).
        let path = format!("{}/v1/", base.path().trim_end_matches('/'));
        base.set_path(&path);

        install_crypto_provider();
        let timeout = config.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            .user_agent(concat!("warden/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect_policy());
        if let Some(path) = &config.ca_cert {
            let certs = read_ca(path).map_err(|e| VaultError::Invalid(e.to_string()))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| {
            VaultError::Invalid(format!("cannot build the HTTP client: {}", root_cause(&e)))
        })?;
        Ok(VaultClient {
            http,
            base,
            shown,
            token,
            namespace,
            timeout,
        })
    }

    /// Vault's URL, without any credentials it may carry.
    pub fn base_url(&self) -> &str {
        &self.shown
    }

    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// `base` + `path`, each `/`-separated part percent-encoded as one
    /// segment, so a role named `a?b` stays a role name. A trailing `/`
    /// (a lease prefix) is kept.
    fn url(&self, path: &str) -> Result<Url, VaultError> {
        let mut url = self.base.clone();
        {
            let mut segs = url
                .path_segments_mut()
                .map_err(|_| VaultError::Invalid(format!("{} cannot be a base URL", self.shown)))?;
            segs.pop_if_empty();
            let parts: Vec<&str> = path.split('/').collect();
            let last = parts.len() - 1;
            for (i, part) in parts.into_iter().enumerate() {
                // The URL library drops `.` and `..`, which would aim the
                // request at another path.
                if (part.is_empty() && i != last) || part == "." || part == ".." {
                    return Err(VaultError::Invalid(format!(
                        "{path:?} is not a Vault path Warden can send"
                    )));
                }
                segs.push(part);
            }
        }
        Ok(url)
    }

    /// Sends one request; the answer's JSON, or `None` for an empty 2xx
    /// (204). `path` is Vault's path under `/v1/`, as errors name it.
    pub(crate) async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<Value>, VaultError> {
        self.request_query(method, path, &[], body).await
    }

    async fn request_query(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, VaultError> {
        let capability = match (&method, query.iter().any(|(k, _)| *k == "list")) {
            (_, true) => Capability::List,
            (m, _) if *m == Method::GET => Capability::Read,
            (m, _) if *m == Method::DELETE => Capability::Delete,
            _ => Capability::Update,
        };
        let url = self.url(path)?;
        let mut req = self
            .http
            .request(method, url)
            .header("X-Vault-Token", self.token.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(ns) = &self.namespace {
            req = req.header("X-Vault-Namespace", ns);
        }
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| self.transport(e, path))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e, path))?;
        if !status.is_success() {
            return Err(from_status(&self.shown, path, capability, status, &bytes));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| malformed(path, &e.to_string(), &bytes))
    }

    fn transport(&self, e: reqwest::Error, path: &str) -> VaultError {
        if e.is_timeout() {
            return VaultError::Timeout {
                url: self.shown.clone(),
                path: path.to_string(),
                seconds: self.timeout.as_secs_f64().ceil() as u64,
            };
        }
        // A body that cannot be decoded (a broken gzip stream) is Vault's
        // answer gone wrong; one cut off mid-way is the connection's.
        if e.is_decode() {
            return VaultError::Malformed {
                path: path.to_string(),
                cause: root_cause(&e),
                preview: String::new(),
            };
        }
        VaultError::Unreachable {
            url: self.shown.clone(),
            cause: root_cause(&e),
        }
    }

    /// GET `path` with the query; the whole answer (for `sys/health`, which
    /// has no `data` envelope).
    pub(crate) async fn get_raw(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Option<Value>, VaultError> {
        self.request_query(Method::GET, path, query, None).await
    }

    /// The `data` of an answer to `method` on `path`, as `T`; `None` when
    /// there is none (an empty answer, or `"data": null`).
    pub(crate) async fn data<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Option<T>, VaultError> {
        let Some(mut answer) = self.request(method, path, body).await? else {
            return Ok(None);
        };
        match answer.get_mut("data").map(Value::take) {
            None | Some(Value::Null) => Ok(None),
            Some(data) => decode(path, data).map(Some),
        }
    }

    /// The keys under `path` (LIST). Vault answers 404 to a LIST of a path
    /// with nothing under it: that is an empty list here.
    pub(crate) async fn list(&self, path: &str) -> Result<Vec<String>, VaultError> {
        #[derive(serde::Deserialize)]
        struct Keys {
            #[serde(default)]
            keys: Option<Vec<String>>,
        }
        match self
            .request_query(Method::GET, path, &[("list", "true")], None)
            .await
        {
            Ok(Some(mut answer)) => match answer.get_mut("data").map(Value::take) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(data) => Ok(decode::<Keys>(path, data)?.keys.unwrap_or_default()),
            },
            Ok(None) | Err(VaultError::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

/// `value` as `T`, or [`VaultError::Malformed`] quoting it.
pub(crate) fn decode<T: DeserializeOwned>(path: &str, value: Value) -> Result<T, VaultError> {
    T::deserialize(&value)
        .map_err(|e| malformed(path, &e.to_string(), value.to_string().as_bytes()))
}

fn malformed(path: &str, cause: &str, body: &[u8]) -> VaultError {
    VaultError::Malformed {
        path: path.to_string(),
        cause: cause.to_string(),
        preview: preview(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> Result<VaultClient, VaultError> {
        VaultClient::new(VaultConfig {
            url: url.into(),
            token: "s.secret-token".into(),
            ..VaultConfig::default()
        })
    }

    #[test]
    fn the_token_is_never_printed() {
        let c = client("http://127.0.0.1:8200").unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret-token"), "{shown}");
        let config = VaultConfig {
            token: "s.secret-token".into(),
            ..VaultConfig::default()
        };
        assert!(!format!("{config:?}").contains("secret-token"));
    }

    #[test]
    fn urls_keep_a_prefix_and_encode_each_segment() {
        let c = client("http://127.0.0.1:8200/proxy").unwrap();
        assert_eq!(
            c.url("auth/approle/role/a?b/secret-id").unwrap().as_str(),
            "http://127.0.0.1:8200/proxy/v1/auth/approle/role/a%3Fb/secret-id"
        );
        assert_eq!(
            c.url("sys/leases/lookup/auth/token/").unwrap().as_str(),
            "http://127.0.0.1:8200/proxy/v1/sys/leases/lookup/auth/token/"
        );
        for bad in ["auth/../sys", "auth//x", "auth/./x"] {
            assert!(matches!(c.url(bad), Err(VaultError::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn bad_configs_are_refused_before_sending() {
        assert!(matches!(client("ftp://x"), Err(VaultError::Invalid(_))));
        assert!(
            matches!(client("http://vault.example:8200"), Err(VaultError::Invalid(m)) if m.contains("in clear"))
        );
        assert!(client("https://vault.example:8200").is_ok());
        let no_token = VaultClient::new(VaultConfig {
            url: "http://127.0.0.1:8200".into(),
            ..VaultConfig::default()
        });
        assert!(matches!(no_token, Err(VaultError::Invalid(_))));
        let bad_token = VaultClient::new(VaultConfig {
            url: "http://127.0.0.1:8200".into(),
            token: "s.secret\ntoken".into(),
            ..VaultConfig::default()
        });
        assert!(matches!(bad_token, Err(VaultError::Invalid(m)) if !m.contains("secret")));
        let missing_ca = VaultClient::new(VaultConfig {
            url: "https://vault.example".into(),
            token: "t".into(),
            ca_cert: Some("/nonexistent/ca.pem".into()),
            ..VaultConfig::default()
        });
        assert!(
            matches!(missing_ca, Err(VaultError::Invalid(m)) if m.contains("/nonexistent/ca.pem"))
        );
    }

    #[test]
    fn decode_failures_quote_the_value() {
        let e =
            decode::<Vec<String>>("auth/token/accessors", serde_json::json!({"a": 1})).unwrap_err();
        let VaultError::Malformed { path, preview, .. } = e else {
            panic!("{e:?}")
        };
        assert_eq!(path, "auth/token/accessors");
        assert_eq!(preview, r#"{"a":1}"#);
    }
}
