//! HTTPS for `warden serve` (`--tls-cert`/`--tls-key`, or `[serve]
//! tls_cert`/`tls_key`): the PEM files read into a rustls server config on
//! the ring provider, and a listener that does each TLS handshake on its own
//! task, so one slow or broken client never holds up the next.

use axum::serve::Listener;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A client that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

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

/// A TCP listener that hands axum connections whose TLS handshake is done.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (tx, ready) = mpsc::channel(64);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(conn) => conn,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as
                        // axum does for plain TCP, rather than spin.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let acceptor = acceptor.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener {
            ready,
            local,
            acceptor_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // The server has stopped accepting: so does the socket.
        self.acceptor_task.abort();
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The acceptor task is gone (it only ends when aborted): no
            // connection will come again.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}
