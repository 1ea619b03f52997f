//! One audit entry as an ArcSight CEF line: `CEF:0|Warden|Warden|VERSION|
//! action|name|severity|extension`, with `|` and `\` escaped in the header
//! and `=`, `\` and line breaks in the extension, as the format asks.

use super::{failed, severity};
use crate::api::AuditCheckpoint;
use crate::model::AuditEntry;

fn header(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

fn value(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('=', "\\=")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

pub fn line(e: &AuditEntry) -> String {
    // CEF severity runs 0 to 10.
    let sev = match severity(e) {
        5 => 10,
        4 => 8,
        3 => 5,
        2 => 3,
        _ => 1,
    };
    let mut ext = vec![
        ("rt", e.at.timestamp_millis().to_string()),
        ("suser", e.actor.clone()),
        ("act", e.action.clone()),
        (
            "outcome",
            if failed(e) { "failure" } else { "success" }.to_string(),
        ),
        ("cs1Label", "target".into()),
        ("cs1", e.target.clone()),
        ("cs2Label", "result".into()),
        ("cs2", e.result.clone()),
        ("cn1Label", "seq".into()),
        ("cn1", e.seq.to_string()),
        ("cs3Label", "hash".into()),
        ("cs3", e.hash.clone()),
        ("cs4Label", "prev_hash".into()),
        ("cs4", e.prev_hash.clone()),
        ("externalId", e.seq.to_string()),
    ];
    if let Some(r) = &e.reason {
        ext.push(("reason", r.clone()));
    }
    let ext = ext
        .iter()
        .map(|(k, v)| format!("{k}={}", value(v)))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "CEF:0|Warden|Warden|{}|{}|{}|{sev}|{ext}",
        header(env!("CARGO_PKG_VERSION")),
        header(&e.action),
        header(&format!("{} {}", e.action, e.target)),
    )
}

/// A signed checkpoint as a CEF line (`audit.checkpoint`).
pub fn checkpoint(cp: &AuditCheckpoint) -> String {
    let ext = [
        ("rt", cp.at.timestamp_millis().to_string()),
        ("cn1Label", "seq".into()),
        ("cn1", cp.seq.to_string()),
        ("cs3Label", "hash".into()),
        ("cs3", cp.hash.clone()),
        ("cn2Label", "rev".into()),
        ("cn2", cp.rev.to_string()),
        ("cs5Label", "key".into()),
        ("cs5", cp.key.clone()),
        ("cs6Label", "sig".into()),
        ("cs6", cp.sig.clone()),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", value(v)))
    .collect::<Vec<_>>()
    .join(" ");
    format!(
        "CEF:0|Warden|Warden|{}|audit.checkpoint|audit checkpoint {}|1|{ext}",
        header(env!("CARGO_PKG_VERSION")),
        cp.seq
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn separators_are_escaped() {
        let e = AuditEntry {
            seq: 3,
            at: Utc::now(),
            actor: "a=b".into(),
            action: "agent.kill".into(),
            target: "agt_1 (x|y)".into(),
            reason: Some("line\nbreak \\ here".into()),
            result: "ok".into(),
            prev_hash: "0".into(),
            hash: "1".into(),
        };
        let l = line(&e);
        assert!(l.starts_with("CEF:0|Warden|Warden|"), "{l}");
        assert!(l.contains("|agent.kill agt_1 (x\\|y)|8|"), "{l}");
        assert!(l.contains("suser=a\\=b"), "{l}");
        assert!(l.contains("reason=line\\nbreak \\\\ here"), "{l}");
        assert!(!l.contains('\n'));
    }
}
