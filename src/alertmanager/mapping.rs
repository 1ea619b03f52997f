//! An Alertmanager alert as a Warden [`Alert`], and the matchers of the
//! silence that acknowledges one.
//!
//! - id: the fingerprint (the caller qualifies it with the backend's name);
//! - rule: the `alertname` label;
//! - severity: from the `severity` label, see [`severity`];
//! - summary: the `summary` annotation, else `description`, else the
//!   alertname;
//! - evidence: the description (when the summary is something else), every
//!   label, and what silences or inhibits it;
//! - status: silenced is acknowledged (by the silence's author, with its
//!   comment as the reason); active, unprocessed and inhibited are open;
//! - agent: the value of the configured `agent_label`, else of `agent_id`,
//!   else of `agent`, as Alertmanager has it: matching it to an agent of a
//!   Warden backend is the caller's business.

use super::wire::{GettableAlert, GettableSilence, Matcher};
use super::{SOURCE, Settings};
use crate::model::{Alert, AlertStatus, Severity};
use std::collections::{BTreeMap, HashMap};

/// The labels tried, in order, when the config names none.
pub const DEFAULT_AGENT_LABELS: [&str; 2] = ["agent_id", "agent"];

/// What `acknowledged_by` says when the silence itself could not be read.
pub const UNKNOWN_SILENCER: &str = "alertmanager silence";

/// Warden's severity for a `severity` label. Alertmanager has no fixed
/// scale; these are the words in common use. An unknown word, or none, is
/// medium: loud enough to be seen, not so loud it pages anyone, and the
/// label itself is in the evidence.
pub fn severity(label: Option<&str>) -> Severity {
    match label.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("critical" | "crit" | "page" | "emergency" | "fatal") => Severity::Critical,
        Some("high" | "error" | "err" | "major") => Severity::High,
        Some("warning" | "warn" | "medium" | "minor") => Severity::Medium,
        Some("low") => Severity::Low,
        Some("info" | "informational" | "none" | "notice") => Severity::Info,
        _ => Severity::Medium,
    }
}

/// The value naming the alert's agent: the configured label only, or the
/// first of [`DEFAULT_AGENT_LABELS`] present. Empty values name nothing.
pub fn agent_of<'a>(
    labels: &'a BTreeMap<String, String>,
    configured: Option<&str>,
) -> Option<&'a str> {
    let found = match configured {
        Some(label) => labels.get(label),
        None => DEFAULT_AGENT_LABELS.iter().find_map(|l| labels.get(*l)),
    };
    found.map(String::as_str).filter(|v| !v.trim().is_empty())
}

/// The alert as Warden shows it. `silences` are the Alertmanager's, by id,
/// to name who silenced it and why; an alert whose silence is not among
/// them still shows acknowledged.
pub fn to_alert(
    a: &GettableAlert,
    silences: &HashMap<String, GettableSilence>,
    settings: &Settings,
) -> Alert {
    let alertname = a.labels.get("alertname").map(String::as_str).unwrap_or("");
    let rule = if alertname.trim().is_empty() {
        "(no alertname)".to_string()
    } else {
        alertname.to_string()
    };
    let note = |k: &str| a.annotations.get(k).filter(|v| !v.trim().is_empty());
    let summary = note("summary")
        .or_else(|| note("description"))
        .cloned()
        .unwrap_or_else(|| rule.clone());
    let silence = a.status.silenced_by.iter().find_map(|id| silences.get(id));
    let silenced = !a.status.silenced_by.is_empty();
    // Alertmanager answers only alerts it has not resolved, by its own
    // clock; judging `endsAt` by ours would only add clock skew.
    let status = if silenced {
        AlertStatus::Acknowledged
    } else {
        AlertStatus::Open
    };
    let (acknowledged_by, ack_reason) = match (silenced, silence) {
        (false, _) => (None, None),
        (true, Some(s)) => (
            Some(if s.created_by.trim().is_empty() {
                UNKNOWN_SILENCER.to_string()
            } else {
                s.created_by.clone()
            }),
            Some(s.comment.clone()).filter(|c| !c.trim().is_empty()),
        ),
        (true, None) => (Some(UNKNOWN_SILENCER.to_string()), None),
    };
    Alert {
        id: a.fingerprint.clone(),
        agent_id: agent_of(&a.labels, settings.agent_label.as_deref()).map(str::to_string),
        rule,
        severity: severity(a.labels.get("severity").map(String::as_str)),
        evidence: evidence(a, &summary),
        summary,
        mapping: Vec::new(),
        status,
        source: SOURCE.to_string(),
        created_at: a.starts_at,
        updated_at: a.updated_at.unwrap_or(a.starts_at),
        acknowledged_by,
        ack_reason,
        resolved_at: None,
        snoozed_until: None,
        snoozed_by: None,
        snooze_reason: None,
        rev: 0,
    }
}

/// One line: the description when the summary did not already say it,
/// every label, and what holds the alert back.
fn evidence(a: &GettableAlert, summary: &str) -> String {
    let mut parts = Vec::new();
    if let Some(d) = a.annotations.get("description")
        && !d.trim().is_empty()
        && d != summary
    {
        parts.push(d.clone());
    }
    let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.push(format!("labels: {}", labels.join(", ")));
    if !a.status.silenced_by.is_empty() {
        parts.push(format!("silenced by {}", a.status.silenced_by.join(", ")));
    }
    if !a.status.inhibited_by.is_empty() {
        parts.push(format!("inhibited by {}", a.status.inhibited_by.join(", ")));
    }
    if let Some(u) = a.generator_url.as_deref().filter(|u| !u.is_empty()) {
        parts.push(format!("from {u}"));
    }
    parts.join(" · ")
}

/// A silence that matches exactly this alert: every one of its labels,
/// equal, none a regular expression. Alertmanager refuses a silence without
/// matchers, so an alert with no labels cannot be silenced (it cannot
/// exist either: `alertname` at least is required to push one).
pub fn matchers(labels: &BTreeMap<String, String>) -> Vec<Matcher> {
    labels
        .iter()
        .map(|(name, value)| Matcher {
            name: name.clone(),
            value: value.clone(),
            is_regex: false,
            is_equal: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alertmanager::wire::AlertStatus as AmStatus;
    use chrono::{DateTime, Utc};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn am(labels: &[(&str, &str)], notes: &[(&str, &str)], silenced_by: &[&str]) -> GettableAlert {
        GettableAlert {
            fingerprint: "fp1".into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            annotations: notes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            starts_at: t("2026-01-01T10:00:00Z"),
            updated_at: Some(t("2026-01-01T10:05:00Z")),
            ends_at: Some(t("2026-01-01T11:00:00Z")),
            generator_url: None,
            status: AmStatus {
                state: if silenced_by.is_empty() {
                    "active"
                } else {
                    "suppressed"
                }
                .into(),
                silenced_by: silenced_by.iter().map(|s| s.to_string()).collect(),
                inhibited_by: vec![],
            },
        }
    }

    #[test]
    fn severities_by_word_and_unknown_is_medium() {
        for (word, want) in [
            ("critical", Severity::Critical),
            ("CRITICAL", Severity::Critical),
            ("high", Severity::High),
            ("error", Severity::High),
            ("warning", Severity::Medium),
            ("medium", Severity::Medium),
            ("low", Severity::Low),
            ("info", Severity::Info),
            ("none", Severity::Info),
            ("sev2", Severity::Medium),
        ] {
            assert_eq!(severity(Some(word)), want, "{word}");
        }
        assert_eq!(severity(None), Severity::Medium);
    }

    #[test]
    fn the_agent_label_configured_or_agent_id_then_agent() {
        let labels: BTreeMap<String, String> =
            [("agent", "bot"), ("agent_id", "ag_1"), ("team_agent", "x")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(agent_of(&labels, None), Some("ag_1"));
        assert_eq!(agent_of(&labels, Some("team_agent")), Some("x"));
        assert_eq!(
            agent_of(&labels, Some("missing")),
            None,
            "the configured label only"
        );
        let only_name: BTreeMap<String, String> = [("agent".to_string(), "bot".to_string())].into();
        assert_eq!(agent_of(&only_name, None), Some("bot"));
        let empty: BTreeMap<String, String> = [("agent_id".to_string(), " ".to_string())].into();
        assert_eq!(agent_of(&empty, None), None);
    }

    #[test]
    fn an_active_alert_is_open_with_its_labels_as_evidence() {
        let a = am(
            &[
                ("alertname", "TokenLeak"),
                ("severity", "critical"),
                ("agent_id", "ag_7"),
            ],
            &[
                ("summary", "a token was posted"),
                ("description", "in #general"),
            ],
            &[],
        );
        let w = to_alert(&a, &HashMap::new(), &Settings::default());
        assert_eq!(w.id, "fp1");
        assert_eq!(w.rule, "TokenLeak");
        assert_eq!(w.severity, Severity::Critical);
        assert_eq!(w.summary, "a token was posted");
        assert_eq!(
            w.evidence,
            "in #general · labels: agent_id=ag_7, alertname=TokenLeak, severity=critical"
        );
        assert_eq!(w.status, AlertStatus::Open);
        assert_eq!(w.source, "alertmanager");
        assert_eq!(w.agent_id.as_deref(), Some("ag_7"));
        assert_eq!(w.created_at, t("2026-01-01T10:00:00Z"));
        assert_eq!(w.updated_at, t("2026-01-01T10:05:00Z"));
        assert_eq!(w.acknowledged_by, None);
    }

    #[test]
    fn the_summary_falls_back_to_the_description_then_the_alertname() {
        let a = am(&[("alertname", "X")], &[("description", "what")], &[]);
        let w = to_alert(&a, &HashMap::new(), &Settings::default());
        assert_eq!(w.summary, "what");
        assert_eq!(w.evidence, "labels: alertname=X", "said once");
        let a = am(&[("alertname", "X")], &[], &[]);
        assert_eq!(
            to_alert(&a, &HashMap::new(), &Settings::default()).summary,
            "X"
        );
        let a = am(&[], &[], &[]);
        assert_eq!(
            to_alert(&a, &HashMap::new(), &Settings::default()).rule,
            "(no alertname)"
        );
    }

    #[test]
    fn a_silenced_alert_is_acknowledged_by_the_silences_author() {
        let a = am(&[("alertname", "X")], &[], &["s1"]);
        let silence = GettableSilence {
            id: "s1".into(),
            matchers: vec![],
            starts_at: None,
            ends_at: None,
            created_by: "Ada".into(),
            comment: "looking".into(),
            status: None,
        };
        let known = HashMap::from([("s1".to_string(), silence)]);
        let w = to_alert(&a, &known, &Settings::default());
        assert_eq!(w.status, AlertStatus::Acknowledged);
        assert_eq!(w.acknowledged_by.as_deref(), Some("Ada"));
        assert_eq!(w.ack_reason.as_deref(), Some("looking"));
        assert!(w.evidence.ends_with("silenced by s1"), "{}", w.evidence);
        let w = to_alert(&a, &HashMap::new(), &Settings::default());
        assert_eq!(w.status, AlertStatus::Acknowledged);
        assert_eq!(w.acknowledged_by.as_deref(), Some(UNKNOWN_SILENCER));
    }

    #[test]
    fn inhibited_stays_open() {
        let mut a = am(&[("alertname", "X")], &[], &[]);
        a.status.state = "suppressed".into();
        a.status.inhibited_by = vec!["fp0".into()];
        let w = to_alert(&a, &HashMap::new(), &Settings::default());
        assert_eq!(w.status, AlertStatus::Open);
        assert!(w.evidence.ends_with("inhibited by fp0"), "{}", w.evidence);
    }

    #[test]
    fn matchers_are_every_label_equal_and_literal() {
        let labels: BTreeMap<String, String> = [
            ("alertname".to_string(), "X.*".to_string()),
            ("agent".to_string(), "b".to_string()),
        ]
        .into();
        let m = matchers(&labels);
        assert_eq!(m.len(), 2);
        assert!(m.iter().all(|m| m.is_equal && !m.is_regex));
        assert!(m.iter().any(|m| m.name == "alertname" && m.value == "X.*"));
    }
}
