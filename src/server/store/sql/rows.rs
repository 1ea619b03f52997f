//! Turning rows into model values, and the column lists that go with
//! them. Times are stored as Unix milliseconds, lists and maps as JSON.

use crate::model::*;
use crate::server::store::db::{DbError, DbResult, Row};
use chrono::{DateTime, Utc};
use std::str::FromStr;

pub fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn time(ms: i64) -> DbResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| DbError::Conversion(format!("{ms} is not a time in milliseconds")))
}

pub fn opt_time(ms: Option<i64>) -> DbResult<Option<DateTime<Utc>>> {
    ms.map(time).transpose()
}

fn parse<T: FromStr<Err = String>>(row: &Row, col: &str) -> DbResult<T> {
    let text: String = row.get(col)?;
    T::from_str(&text).map_err(|e| DbError::Conversion(format!("{col}: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(row: &Row, col: &str) -> DbResult<T> {
    let text: String = row.get(col)?;
    serde_json::from_str(&text).map_err(|e| DbError::Conversion(format!("{col}: {e}")))
}

pub const AGENT_COLS: &str = "seq, id, name, kind, environment, owner_id, description, runtime, \
     labels, status, created_by, created_at, updated_at, last_seen_at, rev";

pub fn agent(row: &Row) -> DbResult<Agent> {
    Ok(Agent {
        id: row.get("id")?,
        name: row.get("name")?,
        kind: parse(row, "kind")?,
        environment: row.get("environment")?,
        owner: row.get("owner_id")?,
        description: row.get("description")?,
        runtime: row.get("runtime")?,
        labels: json(row, "labels")?,
        status: parse(row, "status")?,
        created_by: row.get("created_by")?,
        created_at: time(row.get("created_at")?)?,
        updated_at: time(row.get("updated_at")?)?,
        last_seen_at: opt_time(row.get("last_seen_at")?)?,
        rev: row.get("rev")?,
    })
}

pub const PERSON_COLS: &str =
    "id, name, email, team, manager_id, status, created_at, departed_at, rev";

pub fn person(row: &Row) -> DbResult<Person> {
    Ok(Person {
        id: row.get("id")?,
        name: row.get("name")?,
        email: row.get("email")?,
        team: row.get("team")?,
        manager: row.get("manager_id")?,
        status: parse(row, "status")?,
        created_at: time(row.get("created_at")?)?,
        departed_at: opt_time(row.get("departed_at")?)?,
        rev: row.get("rev")?,
    })
}

pub const CREDENTIAL_COLS: &str = "id, agent_id, prefix, scopes, issued_at, expires_at, \
     last_used_at, status, revoked_at, revoked_reason, replaced_by, fingerprint, rev";

pub fn credential(row: &Row) -> DbResult<Credential> {
    let expires_at = opt_time(row.get("expires_at")?)?;
    let mut status: CredentialStatus = parse(row, "status")?;
    // Expiry is a fact of the clock, not a write: derive it on read.
    if status == CredentialStatus::Active && expires_at.is_some_and(|e| e <= Utc::now()) {
        status = CredentialStatus::Expired;
    }
    Ok(Credential {
        id: row.get("id")?,
        agent_id: row.get("agent_id")?,
        scopes: json(row, "scopes")?,
        prefix: row.get("prefix")?,
        issued_at: time(row.get("issued_at")?)?,
        expires_at,
        last_used_at: opt_time(row.get("last_used_at")?)?,
        status,
        revoked_at: opt_time(row.get("revoked_at")?)?,
        revoked_reason: row.get("revoked_reason")?,
        replaced_by: row.get("replaced_by")?,
        fingerprint: row.get("fingerprint")?,
        rev: row.get("rev")?,
    })
}

pub const GRANT_COLS: &str = "id, agent_id, resource, scope, level, granted_at, last_used_at, rev";

pub fn grant(row: &Row) -> DbResult<Grant> {
    Ok(Grant {
        id: row.get("id")?,
        agent_id: row.get("agent_id")?,
        resource: row.get("resource")?,
        scope: row.get("scope")?,
        level: parse(row, "level")?,
        granted_at: time(row.get("granted_at")?)?,
        last_used_at: opt_time(row.get("last_used_at")?)?,
        rev: row.get("rev")?,
    })
}

pub const DELEGATION_COLS: &str =
    "id, parent_agent, parent_person, child_agent, on_behalf_of, scopes, created_at, rev";

pub fn delegation(row: &Row) -> DbResult<Delegation> {
    Ok(Delegation {
        id: row.get("id")?,
        parent_agent: row.get("parent_agent")?,
        parent_person: row.get("parent_person")?,
        child_agent: row.get("child_agent")?,
        on_behalf_of: row.get("on_behalf_of")?,
        scopes: json(row, "scopes")?,
        created_at: time(row.get("created_at")?)?,
        rev: row.get("rev")?,
    })
}

pub const ALERT_COLS: &str = "id, agent_id, rule, severity, summary, evidence, mapping, status, \
     source, created_at, updated_at, acknowledged_by, ack_reason, resolved_at, snoozed_until, \
     snoozed_by, snooze_reason, rev";

pub fn alert(row: &Row) -> DbResult<Alert> {
    Ok(Alert {
        id: row.get("id")?,
        agent_id: row.get("agent_id")?,
        rule: row.get("rule")?,
        severity: parse(row, "severity")?,
        summary: row.get("summary")?,
        evidence: row.get("evidence")?,
        mapping: json(row, "mapping")?,
        status: parse(row, "status")?,
        source: row.get("source")?,
        created_at: time(row.get("created_at")?)?,
        updated_at: time(row.get("updated_at")?)?,
        acknowledged_by: row.get("acknowledged_by")?,
        ack_reason: row.get("ack_reason")?,
        resolved_at: opt_time(row.get("resolved_at")?)?,
        snoozed_until: opt_time(row.get("snoozed_until")?)?,
        snoozed_by: row.get("snoozed_by")?,
        snooze_reason: row.get("snooze_reason")?,
        rev: row.get("rev")?,
    })
}

pub const OPERATION_COLS: &str =
    "id, kind, target, actor, reason, status, steps, created_at, finished_at";

pub fn operation(row: &Row) -> DbResult<Operation> {
    Ok(Operation {
        id: row.get("id")?,
        kind: row.get("kind")?,
        target: row.get("target")?,
        actor: row.get("actor")?,
        reason: row.get("reason")?,
        status: parse(row, "status")?,
        steps: json(row, "steps")?,
        created_at: time(row.get("created_at")?)?,
        finished_at: opt_time(row.get("finished_at")?)?,
    })
}

pub const AUDIT_COLS: &str = "seq, at, actor, action, target, reason, result, prev_hash, hash";

pub fn audit_entry(row: &Row) -> DbResult<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get("seq")?,
        at: time(row.get("at")?)?,
        actor: row.get("actor")?,
        action: row.get("action")?,
        target: row.get("target")?,
        reason: row.get("reason")?,
        result: row.get("result")?,
        prev_hash: row.get("prev_hash")?,
        hash: row.get("hash")?,
    })
}

/// JSON text of a value made of strings (cannot fail).
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}
