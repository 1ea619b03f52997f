//! Syslog over TCP: RFC 5424 messages with octet-counting framing
//! (RFC 6587), optionally inside TLS (RFC 5425). One connection, kept open
//! and made again after a failure. The message is the formatted line; the
//! structured data names the chain's sequence number
//! (`[warden@32473 seq="N"]`), the MSGID says `audit` or `checkpoint`.

use super::{Line, Transport};
use async_trait::async_trait;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

enum Conn {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

pub struct Syslog {
    address: String,
    tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
    facility: u8,
    hostname: String,
    conn: Option<Conn>,
}

impl Syslog {
    pub fn new(
        address: &str,
        tls: bool,
        ca_cert: Option<&Path>,
        facility: u8,
    ) -> Result<Syslog, String> {
        let host = address
            .rsplit_once(':')
            .map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']'))
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("address {address:?} is not HOST:PORT"))?;
        let tls = if tls {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let extra = match ca_cert {
                Some(p) => {
                    let pem =
                        std::fs::read(p).map_err(|e| format!("ca_cert {}: {e}", p.display()))?;
                    CertificateDer::pem_slice_iter(&pem)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| {
                            format!("ca_cert {}: not PEM certificates: {e}", p.display())
                        })?
                }
                None => Vec::new(),
            };
            let verifier =
                rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
                    .map_err(|e| format!("TLS: {e}"))?;
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("TLS: {e}"))?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth();
            let name = ServerName::try_from(host.to_string())
                .map_err(|_| format!("{host:?} is not a host name for TLS"))?;
            Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
        } else {
            None
        };
        Ok(Syslog {
            address: address.to_string(),
            tls,
            facility,
            hostname: hostname(),
            conn: None,
        })
    }

    async fn connect(&self) -> Result<Conn, String> {
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&self.address))
            .await
            .map_err(|_| format!("connecting to {} timed out", self.address))?
            .map_err(|e| format!("cannot connect to {}: {e}", self.address))?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => Ok(Conn::Plain(tcp)),
            Some((connector, name)) => {
                let tls =
                    tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name.clone(), tcp))
                        .await
                        .map_err(|_| format!("TLS handshake with {} timed out", self.address))?
                        .map_err(|e| format!("TLS handshake with {}: {e}", self.address))?;
                Ok(Conn::Tls(Box::new(tls)))
            }
        }
    }

    /// One framed RFC 5424 message.
    fn frame(&self, l: &Line, out: &mut Vec<u8>) {
        // RFC 5424 severities: 2 critical … 6 informational.
        let severity = match l.severity {
            5 => 2,
            4 => 3,
            3 => 4,
            2 => 5,
            _ => 6,
        };
        let pri = u32::from(self.facility) * 8 + severity;
        let msgid = if l.checkpoint { "checkpoint" } else { "audit" };
        let msg = format!(
            "<{pri}>1 {} {} warden {} {msgid} [warden@32473 seq=\"{}\"] {}",
            l.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            self.hostname,
            std::process::id(),
            l.seq,
            // A line break would end the message for a receiver that
            // frames by newline after all.
            l.text.replace(['\n', '\r'], " ")
        );
        out.extend_from_slice(format!("{} ", msg.len()).as_bytes());
        out.extend_from_slice(msg.as_bytes());
    }
}

/// The receiver closed the connection (it never sends on syslog): seen
/// before writing into a socket nobody reads.
fn closed_by_peer(conn: &Conn) -> bool {
    match conn {
        Conn::Plain(tcp) => {
            let mut buf = [0u8; 64];
            matches!(tcp.try_read(&mut buf), Ok(0))
        }
        Conn::Tls(_) => false,
    }
}

#[async_trait]
impl Transport for Syslog {
    async fn send(&mut self, lines: &[Line]) -> Result<(), String> {
        if self.conn.as_ref().is_some_and(closed_by_peer) {
            self.conn = None;
            return Err(format!("{} closed the connection", self.address));
        }
        if self.conn.is_none() {
            self.conn = Some(self.connect().await?);
        }
        let mut buf = Vec::with_capacity(lines.len() * 512);
        for l in lines {
            self.frame(l, &mut buf);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err("not connected".into());
        };
        let written = tokio::time::timeout(WRITE_TIMEOUT, async {
            match conn {
                Conn::Plain(tcp) => {
                    tcp.write_all(&buf).await?;
                    tcp.flush().await
                }
                Conn::Tls(tls) => {
                    tls.write_all(&buf).await?;
                    tls.flush().await
                }
            }
        })
        .await;
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.conn = None;
                Err(format!("writing to {}: {e}", self.address))
            }
            Err(_) => {
                self.conn = None;
                Err(format!("writing to {} timed out", self.address))
            }
        }
    }

    fn unacknowledged(&self) -> bool {
        true
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.is_ascii() && !h.contains(' '))
        .unwrap_or_else(|| "-".into())
}
