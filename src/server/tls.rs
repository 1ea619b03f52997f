//! HTTPS for `warden serve` (`--tls-cert`/`--tls-key`, or `[serve]
//! tls_cert`/`tls_key`): the PEM files read into a rustls server config on
//! the ring provider. Each handshake runs on its connection's own task in
//! [`super::conn`], under the same header timeout and connection cap as a
//! request, so one slow or broken client never holds up the next.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

/// Where the certificate and key come from, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Names {
    pub cert: &'static str,
    pub key: &'static str,
}

/// Reads the certificate chain and the private key (both PEM) and checks
/// that the key is the certificate's. Every error names the file and says
/// what was expected.
pub fn server_config(
    cert: &Path,
    key: &Path,
    names: Names,
) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let cert_pem = std::fs::read(cert)
        .map_err(|e| anyhow::anyhow!("cannot read {} {}: {e}", names.cert, cert.display()))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            anyhow::anyhow!(
                "{} {} is not a PEM certificate chain: {e}",
                names.cert,
                cert.display()
            )
        })?;
    if chain.is_empty() {
        anyhow::bail!(
            "{} {} holds no certificate: expected PEM with -----BEGIN CERTIFICATE-----",
            names.cert,
            cert.display()
        );
    }
    let key_pem = std::fs::read(key)
        .map_err(|e| anyhow::anyhow!("cannot read {} {}: {e}", names.key, key.display()))?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
        anyhow::anyhow!(
            "{} {} holds no usable private key (expected PEM: -----BEGIN PRIVATE KEY-----, \
             RSA PRIVATE KEY or EC PRIVATE KEY): {e}",
            names.key,
            key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| anyhow::anyhow!("cannot set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => anyhow::anyhow!(
                "{} {} is not the private key of the certificate in {} {}",
                names.key,
                key.display(),
                names.cert,
                cert.display()
            ),
            e => anyhow::anyhow!(
                "cannot use {} {} with {} {}: {e}",
                names.cert,
                cert.display(),
                names.key,
                key.display()
            ),
        })?;
    // The router speaks HTTP/1.1 (axum's http2 feature is not enabled).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
