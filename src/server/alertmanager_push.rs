//! The task of `warden serve --alertmanager URL`: Warden's own alerts,
//! pushed to an Alertmanager (`POST /api/v2/alerts`), so teams that route
//! alerts through it get these too.
//!
//! Each alert goes out with the labels `alertname` (the rule id), `severity`,
//! `source=warden`, `warden_alert_id`, and `agent_id` and `agent` (its name)
//! when it has an agent; the annotations `summary`, `evidence`, `status`,
//! `mapping`, who acknowledged it and why, and while it is snoozed until
//! when, by whom and why. It is sent when it changes
//! (every commit wakes the task; a burst is sent once), and every open or
//! acknowledged alert is sent again each [`RESEND`], with an end [`HOLD`]
//! ahead: Alertmanager keeps it firing while Warden keeps sending, and lets
//! it go by itself if this server stops. A resolved alert is sent once
//! with its end in the past, which resolves it there at once; so is the old
//! label set of an alert whose labels changed (its severity, say).
//!
//! Failures are logged and retried with back-off; the task never holds up
//! the API.

use crate::alertmanager::client::{AmClient, AmError};
use crate::alertmanager::wire::PostableAlert;
use crate::model::{Alert, AlertStatus};
use crate::server::store::Store;
use crate::sources::Backoff;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Every firing alert is sent again this often: well inside Alertmanager's
/// default `resolve_timeout` (5 minutes), and inside [`HOLD`].
pub const RESEND: Duration = Duration::from_secs(60);
/// How long a sent alert holds in Alertmanager without being sent again:
/// a few missed sends do not make it flap.
pub const HOLD: Duration = Duration::from_secs(4 * 60);
/// After a commit, wait this long for the rest of a burst (a sweep, a
/// batch of events) before reading the alerts.
const SETTLE: Duration = Duration::from_millis(300);

/// The `source` label of every alert Warden pushes.
pub const SOURCE_LABEL: &str = "warden";

/// Starts one pusher per URL; an invalid URL stops the server's start.
pub fn spawn_all(store: &Arc<dyn Store>, urls: &[String]) -> Result<Vec<JoinHandle<()>>, AmError> {
    let clients = urls
        .iter()
        .map(|u| AmClient::new(u, None))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(clients
        .into_iter()
        .map(|client| {
            tracing::info!(url = %client.base_url(), "pushing alerts to Alertmanager");
            let pusher = Pusher {
                store: store.clone(),
                client,
                sent: HashMap::new(),
                names: HashMap::new(),
            };
            tokio::spawn(pusher.run())
        })
        .collect())
}

/// What the Alertmanager was last sent for one Warden alert.
#[derive(Debug, Clone)]
struct Sent {
    rev: i64,
    alert: PostableAlert,
}

struct Pusher {
    store: Arc<dyn Store>,
    client: AmClient,
    /// By Warden alert id: every alert sent firing and not yet resolved there.
    sent: HashMap<String, Sent>,
    /// Agent names by id, for the `agent` label.
    names: HashMap<String, String>,
}

impl Pusher {
    async fn run(mut self) {
        let mut commits = self.store.subscribe();
        let mut backoff = Backoff::default();
        let mut resend_at = Instant::now();
        let mut failing = false;
        loop {
            let full = Instant::now() >= resend_at;
            let wait = match self.sync(full).await {
                Ok(sent) => {
                    if failing {
                        tracing::info!(url = %self.client.base_url(), "Alertmanager takes alerts again");
                    }
                    failing = false;
                    backoff.reset();
                    if full {
                        resend_at = Instant::now() + RESEND;
                    }
                    if sent > 0 {
                        tracing::debug!(url = %self.client.base_url(), sent, full, "pushed alerts");
                    }
                    resend_at.saturating_duration_since(Instant::now())
                }
                Err(e) => {
                    failing = true;
                    let retry_in = backoff.next_delay();
                    tracing::warn!(url = %self.client.base_url(), error = %e, ?retry_in, "cannot push alerts to Alertmanager");
                    // Alertmanager may have lost everything: send it all.
                    resend_at = Instant::now();
                    retry_in
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                // While failing, the back-off decides; a commit does not
                // make it try sooner.
                changed = commits.changed(), if !failing => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(SETTLE).await;
                    commits.borrow_and_update();
                }
            }
        }
    }

    /// Sends what changed since the last send (everything still firing
    /// when `full`); answers how many alerts went out.
    async fn sync(&mut self, full: bool) -> Result<usize, String> {
        let alerts = self.store.list_alerts().await.map_err(|e| e.to_string())?;
        let now = Utc::now();
        let mut batch = Vec::new();
        let mut next = HashMap::new();
        let mut seen = HashSet::new();
        for a in &alerts {
            seen.insert(a.id.as_str());
            let before = self.sent.get(&a.id).cloned();
            if a.status == AlertStatus::Resolved {
                if let Some(prev) = &before {
                    batch.push(ended(&prev.alert, a.resolved_at.unwrap_or(now)));
                }
                continue;
            }
            let mut alert = match &before {
                Some(prev) if prev.rev == a.rev => {
                    if !full {
                        next.insert(a.id.clone(), prev.clone());
                        continue;
                    }
                    prev.alert.clone()
                }
                _ => self.postable(a).await,
            };
            if let Some(prev) = &before
                && prev.alert.labels != alert.labels
            {
                batch.push(ended(&prev.alert, now));
            }
            alert.ends_at = now + chrono::Duration::from_std(HOLD).unwrap_or_default();
            batch.push(alert.clone());
            next.insert(a.id.clone(), Sent { rev: a.rev, alert });
        }
        // Gone from the store altogether: resolve it there too.
        for (id, prev) in &self.sent {
            if !seen.contains(id.as_str()) {
                batch.push(ended(&prev.alert, now));
            }
        }
        if !batch.is_empty() {
            self.client.push(&batch).await.map_err(|e| e.to_string())?;
        }
        // Only once Alertmanager has it: a failed send is sent again.
        self.sent = next;
        Ok(batch.len())
    }

    async fn postable(&mut self, a: &Alert) -> PostableAlert {
        let name = match &a.agent_id {
            Some(id) => self.agent_name(id).await,
            None => None,
        };
        to_postable(a, name.as_deref())
    }

    async fn agent_name(&mut self, id: &str) -> Option<String> {
        if let Some(n) = self.names.get(id) {
            return Some(n.clone());
        }
        match self.store.resolve_agent(id).await {
            Ok(agent) => {
                self.names.insert(id.to_string(), agent.name.clone());
                Some(agent.name)
            }
            // Sent without the name; asked again when the alert changes.
            Err(e) => {
                tracing::debug!(agent = id, error = %e, "no name for the agent label");
                None
            }
        }
    }
}

/// The alert as Alertmanager takes it, firing (its end is set by the
/// sender).
pub fn to_postable(a: &Alert, agent_name: Option<&str>) -> PostableAlert {
    let mut labels = BTreeMap::from([
        ("alertname".to_string(), a.rule.clone()),
        ("severity".to_string(), a.severity.as_str().to_string()),
        ("source".to_string(), SOURCE_LABEL.to_string()),
        ("warden_alert_id".to_string(), a.id.clone()),
    ]);
    if let Some(id) = &a.agent_id {
        labels.insert("agent_id".into(), id.clone());
    }
    if let Some(name) = agent_name {
        labels.insert("agent".into(), name.to_string());
    }
    let mut annotations = BTreeMap::from([
        ("summary".to_string(), a.summary.clone()),
        ("evidence".to_string(), a.evidence.clone()),
        ("status".to_string(), a.status.as_str().to_string()),
    ]);
    if !a.mapping.is_empty() {
        annotations.insert("mapping".into(), a.mapping.join(", "));
    }
    if let Some(by) = &a.acknowledged_by {
        annotations.insert("acknowledged_by".into(), by.clone());
    }
    if let Some(why) = &a.ack_reason {
        annotations.insert("ack_reason".into(), why.clone());
    }
    // Annotations, not labels: a label change would make it another alert
    // there. A route or inhibition can match on them; Alertmanager's own
    // way to quiet it is a silence.
    if let Some(until) = a.snoozed_until {
        annotations.insert(
            "snoozed_until".into(),
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        );
    }
    if let Some(by) = &a.snoozed_by {
        annotations.insert("snoozed_by".into(), by.clone());
    }
    if let Some(why) = &a.snooze_reason {
        annotations.insert("snooze_reason".into(), why.clone());
    }
    PostableAlert {
        labels,
        annotations,
        starts_at: a.created_at,
        ends_at: a.created_at,
    }
}

/// The same alert, ended at `at` (never before it started, which
/// Alertmanager refuses).
fn ended(alert: &PostableAlert, at: DateTime<Utc>) -> PostableAlert {
    PostableAlert {
        ends_at: at.max(alert.starts_at),
        ..alert.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn alert() -> Alert {
        let t = DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        Alert {
            id: "alr_1".into(),
            agent_id: Some("agt_1".into()),
            rule: "R01".into(),
            severity: Severity::High,
            summary: "Unowned agent: bot has no owner".into(),
            evidence: "no owner since …".into(),
            mapping: vec!["NHI1".into(), "ASI10".into()],
            status: AlertStatus::Acknowledged,
            source: "warden".into(),
            created_at: t,
            updated_at: t,
            acknowledged_by: Some("ada".into()),
            ack_reason: Some("on it".into()),
            resolved_at: None,
            snoozed_until: None,
            snoozed_by: None,
            snooze_reason: None,
            rev: 3,
        }
    }

    #[test]
    fn labels_name_the_rule_and_agent_and_annotations_say_the_rest() {
        let p = to_postable(&alert(), Some("bot"));
        let l: Vec<(&str, &str)> = p
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            l,
            [
                ("agent", "bot"),
                ("agent_id", "agt_1"),
                ("alertname", "R01"),
                ("severity", "high"),
                ("source", "warden"),
                ("warden_alert_id", "alr_1"),
            ]
        );
        assert_eq!(p.annotations["summary"], "Unowned agent: bot has no owner");
        assert_eq!(p.annotations["status"], "acknowledged");
        assert_eq!(p.annotations["mapping"], "NHI1, ASI10");
        assert_eq!(p.annotations["acknowledged_by"], "ada");
        assert_eq!(p.starts_at, alert().created_at);
        let mut bare = alert();
        bare.agent_id = None;
        bare.mapping.clear();
        bare.acknowledged_by = None;
        bare.ack_reason = None;
        let p = to_postable(&bare, None);
        assert!(!p.labels.contains_key("agent_id") && !p.labels.contains_key("agent"));
        assert_eq!(p.annotations.len(), 3);
    }

    #[test]
    fn a_snooze_is_said_in_annotations_and_keeps_the_labels() {
        let mut snoozed = alert();
        snoozed.snoozed_until = Some(snoozed.created_at + chrono::Duration::hours(1));
        snoozed.snoozed_by = Some("ada".into());
        snoozed.snooze_reason = Some("draining".into());
        let p = to_postable(&snoozed, Some("bot"));
        assert_eq!(p.labels, to_postable(&alert(), Some("bot")).labels);
        assert_eq!(p.annotations["snoozed_until"], "2026-01-01T11:00:00Z");
        assert_eq!(p.annotations["snoozed_by"], "ada");
        assert_eq!(p.annotations["snooze_reason"], "draining");
    }

    #[test]
    fn an_end_is_never_before_the_start() {
        let p = to_postable(&alert(), None);
        let early = p.starts_at - chrono::Duration::hours(1);
        assert_eq!(ended(&p, early).ends_at, p.starts_at);
        let late = p.starts_at + chrono::Duration::hours(1);
        assert_eq!(ended(&p, late).ends_at, late);
    }

    #[tokio::test]
    async fn a_bad_url_stops_the_start() {
        let store = crate::server::open_store("sqlite::memory:").unwrap();
        let e = spawn_all(&store, &["ftp://nope".into()]).unwrap_err();
        assert!(e.to_string().contains("ftp://nope"), "{e}");
    }
}
