//! One audit entry as an OCSF 1.5 event. Credentials and person tokens
//! changing are Account Change (3001) about the agent or person they belong
//! to; alerts are Detection Finding (2004); everything else Warden does to
//! an agent, a person or the fleet is Entity Management (3004). Who did it
//! is the actor; the chain's own fields (sequence, hash, previous hash) are
//! kept under `unmapped.warden` and the hash as an observable, so an
//! analyst can take an event back to the chain and verify it.

use super::target::{self, Named};
use super::{failed, severity};
use crate::model::AuditEntry;
use serde_json::{Map, Value, json};

/// The schema version the events follow (`metadata.version`).
pub const OCSF_VERSION: &str = "1.5.0";

struct Class {
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
}

const ACCOUNT_CHANGE: Class = Class {
    category_uid: 3,
    category_name: "Identity & Access Management",
    class_uid: 3001,
    class_name: "Account Change",
};
const ENTITY_MANAGEMENT: Class = Class {
    category_uid: 3,
    category_name: "Identity & Access Management",
    class_uid: 3004,
    class_name: "Entity Management",
};
const DETECTION_FINDING: Class = Class {
    category_uid: 2,
    category_name: "Findings",
    class_uid: 2004,
    class_name: "Detection Finding",
};

/// The class and activity (id, name) of an action.
fn classify(action: &str) -> (&'static Class, u32, &'static str) {
    match action {
        "credential.issue" | "token.create" | "token.bootstrap" => (&ACCOUNT_CHANGE, 1, "Create"),
        "credential.rotate" => (&ACCOUNT_CHANGE, 3, "Password Change"),
        "credential.revoke" | "credential.revoke_all" | "token.revoke" => {
            (&ACCOUNT_CHANGE, 5, "Disable")
        }
        "token.delete" => (&ACCOUNT_CHANGE, 6, "Delete"),
        "alert.open" => (&DETECTION_FINDING, 1, "Create"),
        "alert.severity" | "alert.ack" => (&DETECTION_FINDING, 2, "Update"),
        "alert.resolve" => (&DETECTION_FINDING, 3, "Close"),
        "agent.register" | "person.create" | "fleet.import" => (&ENTITY_MANAGEMENT, 1, "Create"),
        "agent.owner" | "grant.add" | "delegation.add" => (&ENTITY_MANAGEMENT, 3, "Update"),
        "agent.suspend" => (&ENTITY_MANAGEMENT, 12, "Suspend"),
        "agent.resume" => (&ENTITY_MANAGEMENT, 13, "Resume"),
        "person.offboard" => (&ENTITY_MANAGEMENT, 11, "Deactivate"),
        a if a.starts_with("agent.kill") => (&ENTITY_MANAGEMENT, 11, "Deactivate"),
        _ => (&ENTITY_MANAGEMENT, 99, "Other"),
    }
}

fn severity_name(id: u8) -> &'static str {
    match id {
        1 => "Informational",
        2 => "Low",
        3 => "Medium",
        4 => "High",
        5 => "Critical",
        _ => "Unknown",
    }
}

/// Who acted: a person's token, or the server itself (`system`, a rule).
fn actor(label: &str) -> Value {
    let system = label == "system" || label.starts_with("rule:");
    json!({"user": {
        "name": label,
        "type_id": if system { 3 } else { 1 },
        "type": if system { "System" } else { "User" },
    }})
}

/// The agent (or person) an entry is about, as an OCSF user.
fn subject_user(n: &Named, target: &str) -> Value {
    let mut user = Map::new();
    let uid = n.agent.clone().or_else(|| n.person.clone());
    match (&uid, &n.agent_name) {
        (Some(uid), name) => {
            user.insert("uid".into(), json!(uid));
            if let Some(name) = name {
                user.insert("name".into(), json!(name));
            }
        }
        (None, _) => {
            user.insert("name".into(), json!(target));
        }
    }
    if n.agent.is_some() {
        user.insert("type_id".into(), json!(99));
        user.insert("type".into(), json!("AI agent"));
    }
    if let Some(c) = n.credential.clone().or_else(|| n.token.clone()) {
        user.insert("credential_uid".into(), json!(c));
    }
    Value::Object(user)
}

fn entity(n: &Named, e: &AuditEntry) -> Value {
    let (kind, type_id) = match e.action.split('.').next().unwrap_or("") {
        "person" => ("Person", 2),
        "agent" | "grant" | "delegation" => ("AI agent", 99),
        "fleet" => ("Fleet", 99),
        _ => ("Warden object", 99),
    };
    let uid = n
        .agent
        .clone()
        .or_else(|| n.person.clone())
        .or_else(|| n.first.clone());
    let mut entity = Map::new();
    entity.insert(
        "name".into(),
        json!(n.agent_name.as_deref().unwrap_or(&e.target)),
    );
    if let Some(uid) = uid {
        entity.insert("uid".into(), json!(uid));
    }
    entity.insert("type".into(), json!(kind));
    entity.insert("type_id".into(), json!(type_id));
    Value::Object(entity)
}

pub fn event(e: &AuditEntry) -> Value {
    let (class, activity_id, activity_name) = classify(&e.action);
    let named = target::parse(&e.target);
    let sev = severity(e);
    let failed = failed(e);
    let mut ev = json!({
        "category_uid": class.category_uid,
        "category_name": class.category_name,
        "class_uid": class.class_uid,
        "class_name": class.class_name,
        "activity_id": activity_id,
        "activity_name": activity_name,
        "type_uid": class.class_uid * 100 + activity_id,
        "type_name": format!("{}: {activity_name}", class.class_name),
        "time": e.at.timestamp_millis(),
        "severity_id": sev,
        "severity": severity_name(sev),
        "message": message(e),
        "actor": actor(&e.actor),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "Warden",
                "vendor_name": "Warden",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "uid": format!("warden-audit-{}", e.seq),
            "sequence": e.seq,
            "log_name": "audit",
            "event_code": e.action,
        },
        "observables": [{
            "name": "unmapped.warden.hash",
            "type_id": 99,
            "type": "Other",
            "value": e.hash,
        }],
        "unmapped": {"warden": {
            "seq": e.seq,
            "hash": e.hash,
            "prev_hash": e.prev_hash,
            "action": e.action,
            "target": e.target,
            "reason": e.reason,
            "result": e.result,
        }},
    });
    let fields = ev.as_object_mut().map(|m| {
        if class.class_uid == DETECTION_FINDING.class_uid {
            let uid = named.alert.clone().unwrap_or_else(|| e.target.clone());
            let title = e
                .result
                .split_once(": ")
                .map(|(_, t)| t)
                .unwrap_or(&e.result);
            m.insert("finding_info".into(), json!({"uid": uid, "title": title}));
            let (status_id, status) = match e.action.as_str() {
                "alert.open" => (1, "New"),
                "alert.ack" => (2, "In Progress"),
                "alert.resolve" => (4, "Resolved"),
                _ => (99, "Other"),
            };
            m.insert("status_id".into(), json!(status_id));
            m.insert("status".into(), json!(status));
            // A finding has an actor (the rule that opened it, the person
            // who acknowledged it) only through the Host profile.
            if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("profiles".into(), json!(["host"]));
            }
        } else {
            let (status_id, status) = if failed {
                (2, "Failure")
            } else {
                (1, "Success")
            };
            m.insert("status_id".into(), json!(status_id));
            m.insert("status".into(), json!(status));
            m.insert("status_detail".into(), json!(e.result));
            if class.class_uid == ACCOUNT_CHANGE.class_uid {
                m.insert("user".into(), subject_user(&named, &e.target));
            } else {
                m.insert("entity".into(), entity(&named, e));
            }
        }
        if let Some(op) = &named.operation {
            if let Some(Value::Object(meta)) = m.get_mut("metadata") {
                meta.insert("correlation_uid".into(), json!(op));
            }
        }
    });
    debug_assert!(fields.is_some());
    ev
}

fn message(e: &AuditEntry) -> String {
    match &e.reason {
        Some(r) => format!(
            "{} {} {}: {} ({})",
            e.actor, e.action, e.target, e.result, r
        ),
        None => format!("{} {} {}: {}", e.actor, e.action, e.target, e.result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn entry(action: &str, target: &str, result: &str) -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: Utc::now(),
            actor: "ada@corp.example (token laptop)".into(),
            action: action.into(),
            target: target.into(),
            reason: Some("INC-42".into()),
            result: result.into(),
            prev_hash: "a".repeat(64),
            hash: "b".repeat(64),
        }
    }

    #[test]
    fn a_revocation_is_an_account_change_of_the_agent() {
        let v = event(&entry("credential.revoke", "crd_1 of agt_2", "ok"));
        assert_eq!(v["class_uid"], 3001);
        assert_eq!(v["type_uid"], 300105);
        assert_eq!(v["user"]["uid"], "agt_2");
        assert_eq!(v["user"]["credential_uid"], "crd_1");
        assert_eq!(v["unmapped"]["warden"]["seq"], 7);
        assert_eq!(v["metadata"]["sequence"], 7);
    }

    #[test]
    fn a_kill_is_entity_management_and_an_alert_a_finding() {
        let v = event(&entry("agent.kill.mark", "agt_2 (bot)", "status killed"));
        assert_eq!(
            (v["class_uid"].clone(), v["activity_id"].clone()),
            (json!(3004), json!(11))
        );
        assert_eq!(v["entity"]["name"], "bot");
        assert_eq!(v["severity_id"], 4);
        let v = event(&entry(
            "alert.open",
            "alr_1 on agt_2",
            "high: secret reused",
        ));
        assert_eq!(v["class_uid"], 2004);
        assert_eq!(v["finding_info"]["title"], "secret reused");
        assert_eq!(v["severity_id"], 4);
    }
}
