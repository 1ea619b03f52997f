//! Values for unit tests: an agent, a person, a credential and an
//! Alertmanager alert with every field a test does not care about filled
//! in. A test states what matters to it with struct-update syntax
//! (`Agent { status, ..agent(id, name) }`).

use super::*;
use chrono::Utc;

/// An active chatbot in `prod`, with no owner, created now.
pub(crate) fn agent(id: &str, name: &str) -> Agent {
    Agent {
        id: id.into(),
        name: name.into(),
        kind: AgentKind::Chatbot,
        environment: "prod".into(),
        owner: None,
        description: None,
        runtime: None,
        labels: Default::default(),
        status: AgentStatus::Active,
        created_by: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        last_seen_at: None,
        rev: 1,
    }
}

/// A person `id` named `name`, in no team, active or departed, created
/// now.
pub(crate) fn person(id: &str, name: &str, departed: bool) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        email: format!("{id}@corp.example"),
        team: None,
        manager: None,
        status: if departed {
            PersonStatus::Departed
        } else {
            PersonStatus::Active
        },
        created_at: Utc::now(),
        departed_at: None,
        rev: 1,
    }
}

/// An active credential `id` of `agent` with the scope `a:read`, issued
/// now, never used, without expiry.
pub(crate) fn credential(id: &str, agent: &str) -> Credential {
    Credential {
        id: id.into(),
        agent_id: agent.into(),
        scopes: vec!["a:read".into()],
        prefix: "wdn_ac_x".into(),
        issued_at: Utc::now(),
        expires_at: None,
        last_used_at: None,
        status: CredentialStatus::Active,
        revoked_at: None,
        revoked_reason: None,
        replaced_by: None,
        fingerprint: None,
        rev: 1,
    }
}

/// An open, high alert `id` from an Alertmanager, naming `agent`.
pub(crate) fn alertmanager_alert(id: &str, agent: &str) -> Alert {
    Alert {
        id: id.into(),
        agent_id: Some(agent.into()),
        rule: "HighErrors".into(),
        severity: Severity::High,
        summary: String::new(),
        evidence: String::new(),
        mapping: Vec::new(),
        status: AlertStatus::Open,
        source: "alertmanager".into(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
        acknowledged_by: None,
        ack_reason: None,
        resolved_at: None,
        snoozed_until: None,
        snoozed_by: None,
        snooze_reason: None,
        rev: 0,
    }
}
