//! `[[serve.audit_sink]]`: where `warden serve` streams its audit trail
//! and checkpoints besides the database: a syslog receiver (RFC 5424 over
//! TCP, TLS optional), an HTTP collector (batched JSON, Splunk HEC's
//! shape, with a token), or a local file (NDJSON, rotated). Checked when
//! the server starts (`server::audit::sinks::build`), naming the sink.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    Syslog,
    Http,
    File,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSinkConfig {
    /// Names the sink in `/metrics`, the log, alerts, `require_sink` and
    /// its cursor file.
    pub name: String,
    pub kind: SinkKind,
    /// `ocsf` (the default), `jsonl` or `cef`.
    pub format: Option<String>,
    /// syslog: `HOST:PORT` of the receiver's TCP input.
    pub address: Option<String>,
    /// syslog: TLS over the TCP connection.
    #[serde(default)]
    pub tls: bool,
    /// syslog with TLS: a PEM file of CA certificates to trust besides the
    /// platform's.
    pub ca_cert: Option<PathBuf>,
    /// syslog: the facility number (default 13, "log audit").
    pub facility: Option<u8>,
    /// http: the collector's URL (Splunk: `…/services/collector/event`).
    pub url: Option<String>,
    /// http: the variable holding the token, sent as `Authorization:
    /// Splunk TOKEN` (never written in the config itself).
    pub token_env: Option<String>,
    /// http: or a file holding the token (its first line).
    pub token_file: Option<PathBuf>,
    /// file: the NDJSON file, created 0600.
    pub path: Option<PathBuf>,
    /// file: rotate when it passes this many bytes (default 100 MiB)…
    pub rotate_bytes: Option<u64>,
    /// …keeping this many rotated files (default 5).
    pub keep: Option<u32>,
    /// Entries sent at a time (default 500).
    pub batch: Option<usize>,
    /// Raise an alert when the sink has failed for this long (default 300).
    pub alert_after_seconds: Option<u64>,
    /// Where its cursor is kept (default: beside the checkpoint file).
    pub cursor_file: Option<PathBuf>,
}
