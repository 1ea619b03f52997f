//! The part of Alertmanager's API v2 that Warden uses, as it travels: the
//! alerts it answers, the silences it takes and answers, and the alerts it
//! takes. Everything it sends is read leniently (absent lists and maps are
//! empty, unknown fields ignored), because versions differ in what they
//! fill in; every string in it is untrusted.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One alert of `GET /api/v2/alerts`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableAlert {
    pub fingerprint: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub starts_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: Option<String>,
    pub status: AlertStatus,
}

/// Where an alert stands: `unprocessed`, `active` or `suppressed`, and what
/// suppresses it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertStatus {
    pub state: String,
    #[serde(default)]
    pub silenced_by: Vec<String>,
    #[serde(default)]
    pub inhibited_by: Vec<String>,
}

/// One label matcher of a silence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    /// False would make it a negative matcher (`!=`); older versions leave
    /// it out, which means equal.
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// The body of `POST /api/v2/silences`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

/// The answer of `POST /api/v2/silences`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SilenceCreated {
    #[serde(rename = "silenceID")]
    pub silence_id: String,
}

/// One silence of `GET /api/v2/silences`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableSilence {
    pub id: String,
    #[serde(default)]
    pub matchers: Vec<Matcher>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub comment: String,
    pub status: Option<SilenceStatus>,
}

/// `expired`, `active` or `pending`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SilenceStatus {
    pub state: String,
}

/// One alert of the body of `POST /api/v2/alerts`. An `ends_at` in the past
/// resolves it; one in the future says how long it holds without being
/// sent again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_alert_as_alertmanager_writes_it() {
        let text = r#"[{"annotations":{"summary":"too many errors"},
            "endsAt":"2026-11-25T21:19:37.452Z","fingerprint":"e66bccc4f5a0149c",
            "receivers":[{"name":"null"}],"startsAt":"2026-11-25T21:14:37.452Z",
            "status":{"inhibitedBy":[],"silencedBy":["224a"],"state":"suppressed"},
            "updatedAt":"2026-11-25T21:14:37.452Z",
            "labels":{"agent_id":"ag_1","alertname":"HighErr","severity":"critical"}}]"#;
        let alerts: Vec<GettableAlert> = serde_json::from_str(text).unwrap();
        let a = &alerts[0];
        assert_eq!(a.fingerprint, "e66bccc4f5a0149c");
        assert_eq!(a.labels["alertname"], "HighErr");
        assert_eq!(a.status.state, "suppressed");
        assert_eq!(a.status.silenced_by, ["224a"]);
        assert_eq!(a.generator_url, None);
        // The least a version may send.
        let bare: GettableAlert = serde_json::from_str(
            r#"{"fingerprint":"f","startsAt":"2026-01-01T00:00:00Z","status":{"state":"active"}}"#,
        )
        .unwrap();
        assert!(bare.labels.is_empty() && bare.status.silenced_by.is_empty());
    }

    #[test]
    fn a_silence_is_written_in_camel_case_with_equal_matchers() {
        let t = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let s = PostableSilence {
            matchers: vec![Matcher {
                name: "alertname".into(),
                value: "X".into(),
                is_regex: false,
                is_equal: true,
            }],
            starts_at: t,
            ends_at: t,
            created_by: "ada".into(),
            comment: "on it".into(),
        };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["createdBy"], "ada");
        assert_eq!(v["matchers"][0]["isEqual"], true);
        assert_eq!(v["matchers"][0]["isRegex"], false);
        let m: Matcher =
            serde_json::from_str(r#"{"name":"a","value":"b","isRegex":false}"#).unwrap();
        assert!(m.is_equal, "absent means equal");
        let c: SilenceCreated = serde_json::from_str(r#"{"silenceID":"abc"}"#).unwrap();
        assert_eq!(c.silence_id, "abc");
    }
}
