//! Guardrail actions in SQL: planned, claimed by one server, finished,
//! stopped; each step appended to the audit chain with the alert and the
//! agent in its target, so both their trails show it.

use super::SqlStore;
use super::rows::{to_json, to_ms};
use super::tx::append_audit;
use crate::api::guardrails::GuardrailAction;
use crate::secrets::new_id;
use crate::server::store::db::{Db, DbResult, OptionalExt, Row, params};
use crate::server::store::guardrails::{GuardrailStore, PersonActed, PlannedAction};
use crate::server::store::{Actor, StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

const COLS: &str = "id, policy, action, alert_id, rule, agent_id, agent_name, credentials, \
                    created_at, due_at, status, finished_at, outcome, decided_by, since_seq";

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn action(r: &Row) -> DbResult<GuardrailAction> {
    let credentials: String = r.get(7)?;
    Ok(GuardrailAction {
        id: r.get(0)?,
        policy: r.get(1)?,
        action: r.get(2)?,
        alert_id: r.get(3)?,
        rule: r.get(4)?,
        agent_id: r.get(5)?,
        agent_name: r.get(6)?,
        credentials: serde_json::from_str(&credentials).unwrap_or_default(),
        created_at: time(r.get(8)?),
        due_at: time(r.get(9)?),
        status: r.get(10)?,
        finished_at: r.get::<_, Option<i64>>(11)?.map(time),
        outcome: r.get(12)?,
        decided_by: r.get(13)?,
    })
}

fn target(a: &GuardrailAction) -> String {
    format!(
        "{} on {} ({}) by {}",
        a.alert_id, a.agent_id, a.agent_name, a.policy
    )
}

fn get(conn: &Db, id: &str) -> StoreResult<GuardrailAction> {
    conn.query_row(
        &format!("SELECT {COLS} FROM guardrail_actions WHERE id = ?1"),
        params![id],
        action,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("no guardrail action {id}")))
}

fn since_seq(conn: &Db, id: &str) -> StoreResult<i64> {
    Ok(conn.query_row(
        "SELECT since_seq FROM guardrail_actions WHERE id = ?1",
        params![id],
        |r| r.get(0),
    )?)
}

fn plan(
    conn: &Db,
    actor: &Actor,
    p: &PlannedAction,
    now: i64,
) -> StoreResult<Option<GuardrailAction>> {
    let head: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit", params![], |r| {
        r.get(0)
    })?;
    let id = new_id("gra");
    let inserted = conn.execute(
        "INSERT INTO guardrail_actions (id, policy, action, alert_id, rule, agent_id, agent_name, \
         credentials, created_at, due_at, since_seq, status) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending') \
         ON CONFLICT (policy, alert_id) DO NOTHING",
        params![
            id,
            p.policy,
            p.action,
            p.alert_id,
            p.rule,
            p.agent_id,
            p.agent_name,
            to_json(&p.credentials),
            now,
            to_ms(p.due_at),
            head
        ],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    let a = get(conn, &id)?;
    append_audit(
        conn,
        actor,
        "guardrail.pending",
        &target(&a),
        None,
        &format!(
            "will {} {} at {} unless a person stops it ({id})",
            a.action,
            a.agent_name,
            a.due_at.format("%H:%M:%S UTC")
        ),
    )?;
    Ok(Some(a))
}

fn claim(conn: &Db, id: &str, by: Option<(&Actor, &str)>) -> StoreResult<Option<GuardrailAction>> {
    let by_text = by.map(|(a, why)| format!("{}: {why}", a.label));
    let n = conn.execute(
        "UPDATE guardrail_actions SET status = 'running', decided_by = COALESCE(?2, decided_by) \
         WHERE id = ?1 AND status = 'pending'",
        params![id, by_text],
    )?;
    if n == 0 {
        return Ok(None);
    }
    let a = get(conn, id)?;
    if let Some((actor, why)) = by {
        append_audit(conn, actor, "guardrail.run", &target(&a), Some(why), "ok")?;
    }
    Ok(Some(a))
}

fn finish(
    conn: &Db,
    actor: &Actor,
    id: &str,
    status: &str,
    outcome: &str,
    now: i64,
) -> StoreResult<GuardrailAction> {
    conn.execute(
        "UPDATE guardrail_actions SET status = ?2, outcome = ?3, finished_at = ?4 WHERE id = ?1",
        params![id, status, outcome, now],
    )?;
    let a = get(conn, id)?;
    append_audit(
        conn,
        actor,
        &format!("guardrail.{status}"),
        &target(&a),
        None,
        outcome,
    )?;
    Ok(a)
}

fn stop(
    conn: &Db,
    actor: &Actor,
    id: &str,
    reason: &str,
    now: i64,
) -> StoreResult<GuardrailAction> {
    let a = get(conn, id)?;
    if a.status != "pending" {
        return Err(StoreError::Conflict(format!(
            "guardrail action {id} is {}, not pending; only a pending action can be stopped",
            a.status
        )));
    }
    let by = format!("{}: {reason}", actor.label);
    conn.execute(
        "UPDATE guardrail_actions SET status = 'stopped', finished_at = ?2, decided_by = ?3, \
         outcome = 'stopped by a person before it acted' WHERE id = ?1",
        params![id, now, by],
    )?;
    append_audit(
        conn,
        actor,
        "guardrail.stop",
        &target(&a),
        Some(reason),
        "ok",
    )?;
    get(conn, id)
}

fn person_acted(conn: &Db, a: &GuardrailAction) -> StoreResult<Option<PersonActed>> {
    let since = since_seq(conn, &a.id)?;
    let row = conn
        .query_row(
            "SELECT actor, action, at FROM audit WHERE seq > ?1 \
             AND (target LIKE ?2 OR target LIKE ?3) \
             AND actor NOT LIKE 'rule:%' AND actor NOT LIKE 'guardrail:%' AND actor != 'system' \
             AND action NOT LIKE 'guardrail.%' ORDER BY seq LIMIT 1",
            params![
                since,
                format!("%{}%", a.agent_id),
                format!("%{}%", a.alert_id)
            ],
            |r| {
                Ok(PersonActed {
                    actor: r.get(0)?,
                    action: r.get(1)?,
                    at: time(r.get(2)?),
                })
            },
        )
        .optional()?;
    Ok(row)
}

#[async_trait]
impl GuardrailStore for SqlStore {
    async fn plan_guardrail(
        &self,
        actor: &Actor,
        plan: &PlannedAction,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<GuardrailAction>> {
        let (actor, p) = (actor.clone(), plan.clone());
        self.write(move |c| self::plan(c, &actor, &p, to_ms(now)))
            .await
    }

    async fn guardrail_actions(&self, recent: usize) -> StoreResult<Vec<GuardrailAction>> {
        let recent = i64::try_from(recent).unwrap_or(i64::MAX);
        self.read(move |c| {
            let mut out = c.query_map(
                &format!(
                    "SELECT {COLS} FROM guardrail_actions WHERE status IN ('pending', 'running') \
                     ORDER BY due_at, id"
                ),
                params![],
                action,
            )?;
            out.extend(c.query_map(
                &format!(
                    "SELECT {COLS} FROM guardrail_actions \
                     WHERE status NOT IN ('pending', 'running') \
                     ORDER BY finished_at DESC, id LIMIT ?1"
                ),
                params![recent],
                action,
            )?);
            Ok(out)
        })
        .await
    }

    async fn guardrail_action(&self, id: &str) -> StoreResult<GuardrailAction> {
        let id = id.to_string();
        self.read(move |c| get(c, &id)).await
    }

    async fn due_guardrails(&self, now: DateTime<Utc>) -> StoreResult<Vec<GuardrailAction>> {
        self.read(move |c| {
            Ok(c.query_map(
                &format!(
                    "SELECT {COLS} FROM guardrail_actions \
                     WHERE status = 'pending' AND due_at <= ?1 ORDER BY due_at, id"
                ),
                params![to_ms(now)],
                action,
            )?)
        })
        .await
    }

    async fn next_guardrail_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        self.read(|c| {
            let ms: Option<i64> = c.query_row(
                "SELECT MIN(due_at) FROM guardrail_actions WHERE status = 'pending'",
                params![],
                |r| r.get(0),
            )?;
            Ok(ms.map(time))
        })
        .await
    }

    async fn claim_guardrail(
        &self,
        id: &str,
        by: Option<(&Actor, &str)>,
    ) -> StoreResult<Option<GuardrailAction>> {
        let id = id.to_string();
        let by = by.map(|(a, why)| (a.clone(), why.to_string()));
        self.write(move |c| claim(c, &id, by.as_ref().map(|(a, w)| (a, w.as_str()))))
            .await
    }

    async fn finish_guardrail(
        &self,
        actor: &Actor,
        id: &str,
        status: &str,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<GuardrailAction> {
        let (actor, id, status, outcome) = (
            actor.clone(),
            id.to_string(),
            status.to_string(),
            outcome.to_string(),
        );
        self.write(move |c| finish(c, &actor, &id, &status, &outcome, to_ms(now)))
            .await
    }

    async fn stop_guardrail(
        &self,
        actor: &Actor,
        id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<GuardrailAction> {
        let (actor, id, reason) = (actor.clone(), id.to_string(), reason.to_string());
        self.write(move |c| stop(c, &actor, &id, &reason, to_ms(now)))
            .await
    }

    async fn guardrail_done_since(&self, policy: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let policy = policy.to_string();
        self.read(move |c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM guardrail_actions \
                 WHERE policy = ?1 AND status = 'done' AND finished_at >= ?2",
                params![policy, to_ms(since)],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn person_acted(&self, action: &GuardrailAction) -> StoreResult<Option<PersonActed>> {
        let a = action.clone();
        self.read(move |c| self::person_acted(c, &a)).await
    }

    async fn alert_live(&self, alert_id: &str) -> StoreResult<bool> {
        let id = alert_id.to_string();
        self.read(move |c| {
            let status: Option<String> = c
                .query_row(
                    "SELECT status FROM alerts WHERE id = ?1",
                    params![id],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(status.is_some_and(|s| s != "resolved"))
        })
        .await
    }
}
