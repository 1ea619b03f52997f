//! The detection rules of `rules.md` that apply to Vault identities, judged
//! on each read: R04 (non-expiring credential), R05 (rotation overdue),
//! R06 (excess privilege: a root token) and R02 (a linked agent's owner
//! departed while it still holds a live Vault credential). Vault does not
//! say when a token was last used, so R03 (dormant) and R06's "unused"
//! cannot be judged from it. An unclaimed identity is not an alert each:
//! the header counts them and `:unclaimed` lists them.

use super::{IdentityKind, MachineIdentity};
use crate::fleet::state::Fleet;
use crate::model::{Alert, AlertStatus, PersonStatus, Severity};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// R05's rotation policy, as `rules.md` sets its default.
const ROTATION: Duration = Duration::days(90);

/// The alerts `identities` raise; ids start with `ours` (the backend's
/// prefix and `vault`) so the next read can tell which are its own.
pub fn alerts(
    fleet: &Fleet,
    ours: &str,
    source: &str,
    identities: &[MachineIdentity],
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let mut out = Vec::new();
    let mut departed = BTreeSet::new();
    for i in identities.iter().filter(|i| i.kind != IdentityKind::Entity) {
        let live = i.expires.is_none_or(|e| e > now);
        if !live {
            continue;
        }
        // `:token:<accessor>`, so the alert reads `…vault:R04:token:<accessor>`.
        let raw = i.id.strip_prefix(ours).unwrap_or(&i.id);
        let agent = i.link.as_ref().map(|l| l.agent_id.clone());
        let mut alert = |rule: &str, severity, summary: String, evidence: String, map: &[&str]| {
            out.push(Alert {
                id: format!("{ours}:{rule}{raw}"),
                agent_id: agent.clone(),
                rule: rule.into(),
                severity,
                summary,
                evidence,
                mapping: map.iter().map(|m| m.to_string()).collect(),
                status: AlertStatus::Open,
                source: source.into(),
                created_at: now,
                updated_at: now,
                acknowledged_by: None,
                ack_reason: None,
                resolved_at: None,
                snoozed_until: None,
                snoozed_by: None,
                snooze_reason: None,
                rev: 0,
            });
        };
        let what = describe(i);
        if i.root {
            alert(
                "R06",
                Severity::High,
                format!("Root Vault token {}", i.name),
                format!("{what} holds the root policy: it can do anything in Vault"),
                &["NHI5", "ASI03"],
            );
        }
        if i.no_expiry {
            alert(
                "R04",
                Severity::Medium,
                format!("Non-expiring Vault credential {}", i.name),
                format!("{what} has no expiry"),
                &["NHI7"],
            );
        }
        if let Some(created) = i.created
            && now - created > ROTATION
        {
            alert(
                "R05",
                Severity::Medium,
                format!("Vault credential {} overdue for rotation", i.name),
                format!(
                    "{what} was created {} days ago (policy: {} days)",
                    (now - created).num_days(),
                    ROTATION.num_days()
                ),
                &["NHI7"],
            );
        }
        if let Some(link) = &i.link
            && let Some(owner) = fleet.agent(&link.agent_id).and_then(|a| fleet.owner_of(a))
            && owner.status == PersonStatus::Departed
        {
            departed.insert((link.agent_id.clone(), owner.name.clone()));
        }
    }
    for (agent_id, owner) in departed {
        let count = identities
            .iter()
            .filter(|i| i.link.as_ref().is_some_and(|l| l.agent_id == agent_id))
            .count();
        out.push(Alert {
            id: format!("{ours}:R02:{agent_id}"),
            agent_id: Some(agent_id),
            rule: "R02".into(),
            severity: Severity::Critical,
            summary: format!("Owner {owner} offboarded; Vault credentials still live"),
            evidence: format!("{count} Vault credentials of the agent are still valid"),
            mapping: vec!["NHI1".into()],
            status: AlertStatus::Open,
            source: source.into(),
            created_at: now,
            updated_at: now,
            acknowledged_by: None,
            ack_reason: None,
            resolved_at: None,
            snoozed_until: None,
            snoozed_by: None,
            snooze_reason: None,
            rev: 0,
        });
    }
    out
}

fn describe(i: &MachineIdentity) -> String {
    let kind = match i.kind {
        IdentityKind::Token => "the token",
        IdentityKind::SecretId => "the AppRole secret-id of",
        IdentityKind::Lease => "the lease under",
        IdentityKind::Entity => "the entity",
    };
    format!("{kind} {}", i.name)
}
