//! Counts for `GET /metrics`: plain `GROUP BY`/`COUNT(*)` queries, portable
//! SQL that any engine runs as written.

use super::rows::now_ms;
use crate::model::{AgentStatus, AlertStatus, Severity};
use crate::server::store::db::{Db, params};
use crate::server::store::{FleetCounts, StoreError, StoreResult};
use std::str::FromStr;

/// How the alerts' count names a snoozed alert.
const SNOOZED: &str = "snoozed";

/// Both counts from one snapshot: the caller reads them in one.
pub fn fleet_counts(conn: &Db) -> StoreResult<FleetCounts> {
    let mut agents = Vec::new();
    for (status, n) in conn.query_map(
        "SELECT status, COUNT(*) FROM agents GROUP BY status",
        params![],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )? {
        agents.push((parse::<AgentStatus>(&status)?, count(n)));
    }
    let (mut alerts, mut snoozed) = (Vec::new(), Vec::new());
    for (status, severity, n) in conn.query_map(
        "SELECT CASE WHEN snoozed_until > ?1 THEN 'snoozed' ELSE status END, severity, COUNT(*) \
         FROM alerts WHERE status <> 'resolved' GROUP BY 1, severity",
        params![now_ms()],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )? {
        let severity = parse::<Severity>(&severity)?;
        if status == SNOOZED {
            snoozed.push((severity, count(n)));
        } else {
            alerts.push((parse::<AlertStatus>(&status)?, severity, count(n)));
        }
    }
    Ok(FleetCounts {
        agents,
        alerts,
        snoozed,
    })
}

fn parse<T: FromStr<Err = String>>(text: &str) -> StoreResult<T> {
    T::from_str(text).map_err(StoreError::Internal)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NewAgent;
    use crate::model::AgentKind;
    use crate::server::store::sqlite::SqliteStore;
    use crate::server::store::{Actor, AlertInput, Store};

    #[tokio::test]
    async fn counts_agents_by_status_and_live_alerts_by_severity() {
        let store = SqliteStore::open_in_memory().unwrap();
        let actor = Actor::system();
        assert_eq!(store.fleet_counts().await.unwrap(), FleetCounts::default());
        let mut ids = Vec::new();
        for name in ["a", "b", "c"] {
            let new: NewAgent = serde_json::from_value(serde_json::json!({
                "name": name, "kind": AgentKind::Chatbot, "environment": "prod"
            }))
            .unwrap();
            ids.push(store.create_agent(&actor, &new).await.unwrap().id);
        }
        store
            .set_suspended(&actor, &ids[0], true, "test")
            .await
            .unwrap();
        for (cause, severity) in [
            ("x", Severity::High),
            ("y", Severity::High),
            ("z", Severity::Low),
        ] {
            store
                .raise_alert(&AlertInput {
                    agent_id: Some(ids[1].clone()),
                    rule: "R99".into(),
                    cause: cause.into(),
                    severity,
                    summary: "s".into(),
                    evidence: "e".into(),
                })
                .await
                .unwrap();
        }
        let mut c = store.fleet_counts().await.unwrap();
        c.agents.sort();
        c.alerts.sort();
        assert_eq!(
            c.agents,
            vec![(AgentStatus::Active, 2), (AgentStatus::Suspended, 1)]
        );
        assert_eq!(
            c.alerts,
            vec![
                (AlertStatus::Open, Severity::Low, 1),
                (AlertStatus::Open, Severity::High, 2)
            ]
        );
    }
}
