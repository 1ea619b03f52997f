//! The audit trail in the shapes a SIEM reads, one event a line: the
//! entries as they are (`jsonl`), OCSF 1.5 events (`ocsf`), or ArcSight CEF
//! (`cef`). `warden audit export`, `GET /v1/audit?format=` and the audit
//! sinks all write lines through here, so the three never differ.

mod cef;
mod ocsf;
mod target;

use crate::api::AuditCheckpoint;
use crate::model::AuditEntry;
use std::fmt;
use std::str::FromStr;

pub use ocsf::OCSF_VERSION;

/// A line format of the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// The entry as `GET /v1/audit` answers it.
    Jsonl,
    /// An OCSF 1.5 event.
    Ocsf,
    /// An ArcSight Common Event Format line.
    Cef,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Jsonl, Format::Ocsf, Format::Cef];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Ocsf => "ocsf",
            Format::Cef => "cef",
        }
    }

    /// One line for `e`, without its newline.
    pub fn line(self, e: &AuditEntry) -> String {
        match self {
            // An entry of strings and numbers always serialises.
            Format::Jsonl => serde_json::to_string(e).unwrap_or_default(),
            Format::Ocsf => ocsf::event(e).to_string(),
            Format::Cef => cef::line(e),
        }
    }
}

impl Format {
    /// One line for a signed checkpoint: JSON `{"warden_checkpoint": …}`,
    /// or a CEF line of its own class, so a SIEM keeps the signed heads
    /// beside the entries they pin.
    pub fn checkpoint_line(self, cp: &AuditCheckpoint) -> String {
        match self {
            Format::Cef => cef::checkpoint(cp),
            _ => serde_json::json!({ "warden_checkpoint": cp }).to_string(),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "ocsf" => Ok(Format::Ocsf),
            "cef" => Ok(Format::Cef),
            _ => Err(format!(
                "unknown format {s:?}: one of jsonl (or ndjson), ocsf, cef"
            )),
        }
    }
}

/// How loud an entry is, 1 (informational) to 5 (critical), shared by the
/// OCSF severity and the CEF severity: a kill is high, a freeze or a
/// revocation medium, an alert as severe as it says.
pub fn severity(e: &AuditEntry) -> u8 {
    let a = e.action.as_str();
    let alert_severity = match a {
        "alert.open" => e.result.split(':').next(),
        "alert.severity" => e
            .result
            .split_once("-> ")
            .and_then(|(_, now)| now.split(':').next()),
        _ => None,
    };
    if let Some(sev) = alert_severity {
        return match sev.trim() {
            "critical" => 5,
            "high" => 4,
            "medium" => 3,
            "low" => 2,
            _ => 1,
        };
    }
    if a.starts_with("agent.kill") {
        4
    } else if a == "agent.suspend"
        || a.starts_with("credential.revoke")
        || a == "token.revoke"
        || a == "token.exchange.revoke"
        || a == "person.offboard"
    {
        3
    } else {
        1
    }
}

/// Whether the entry records something that failed.
pub fn failed(e: &AuditEntry) -> bool {
    let r = e.result.to_ascii_lowercase();
    r.starts_with("fail")
        || r.starts_with("error")
        || r.contains("failed")
        || r.starts_with("refused")
}
