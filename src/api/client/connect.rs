//! Making a client: checking the backend's URL (plain HTTP only to this
//! machine unless allowed), the extra CA certificates to trust, the
//! process-wide TLS crypto provider, and the HTTP client's timeouts and
//! redirect policy.

use super::error::{root_cause, shown_url};
use super::redirect::{self, normalise_host};
use super::{CONNECT_TIMEOUT, Client, ClientError, REQUEST_TIMEOUT};
use reqwest::Url;
use std::sync::Once;

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
        // `localhost.` is not local here: a resolver may send that name to
        // DNS. Clients write it as `localhost` before asking
        // ([`super::redirect::normalise_host`]).
        Err(_) => host.eq_ignore_ascii_case("localhost"),
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
        let mut base = Url::parse(base_url.trim()).map_err(|e| ClientError::InvalidUrl {
            url: base_url.to_string(),
            reason: e.to_string(),
        })?;
        normalise_host(&mut base).map_err(|reason| ClientError::InvalidUrl {
            url: base_url.to_string(),
            reason,
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
        let shown = shown_url(&base);
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
            .user_agent(concat!("warden/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect::policy());
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
}

/// The CA certificates of a PEM file; an error names the file. Vault's
/// client reads its `ca_cert` with it too.
pub(crate) fn read_ca(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, ClientError> {
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
