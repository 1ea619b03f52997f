//! The scheduler's reads (what crosses a threshold soon, and when: each a
//! bounded index range) and the lease one server of several holds to run the scheduled
//! rules.

use super::SqlStore;
use super::rows::to_ms;
use crate::server::store::StoreResult;
use crate::server::store::db::{Db, Params, params};
use crate::server::store::scheduling::{Crossing, DueThresholds, Scheduling, ThresholdWindows};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

fn first(conn: &Db, sql: &str, params: Params) -> StoreResult<Option<DateTime<Utc>>> {
    let ms: Option<i64> = conn.query_row(sql, params, |r| r.get(0))?;
    Ok(ms.and_then(DateTime::from_timestamp_millis))
}

/// `(time, agent)` rows, earliest first.
fn crossings(conn: &Db, sql: &str, params: Params) -> StoreResult<Vec<Crossing>> {
    let rows = conn.query_map(sql, params, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(ms, agent)| Some((DateTime::from_timestamp_millis(ms)?, agent)))
        .collect())
}

fn due(conn: &Db, w: &ThresholdWindows) -> StoreResult<DueThresholds> {
    let limit = i64::try_from(w.limit).unwrap_or(i64::MAX);
    let (lo, hi) = w.dormant;
    let dormant = crossings(
        conn,
        "SELECT COALESCE(a.last_seen_at, a.created_at), a.id FROM agents a \
         WHERE COALESCE(a.last_seen_at, a.created_at) > ?1 \
           AND COALESCE(a.last_seen_at, a.created_at) <= ?2 AND a.status != 'killed' \
           AND EXISTS (SELECT 1 FROM credentials c WHERE c.agent_id = a.id \
                       AND c.status = 'active' AND (c.expires_at IS NULL OR c.expires_at > ?3)) \
         ORDER BY 1 LIMIT ?4",
        params![to_ms(lo), to_ms(hi), to_ms(w.now), limit],
    )?;
    let (lo, hi) = w.rotation;
    let rotation = crossings(
        conn,
        "SELECT c.issued_at, c.agent_id FROM credentials c \
         WHERE c.status = 'active' AND c.issued_at > ?1 AND c.issued_at <= ?2 \
           AND (c.expires_at IS NULL OR c.expires_at > ?3) \
         ORDER BY 1 LIMIT ?4",
        params![to_ms(lo), to_ms(hi), to_ms(w.now), limit],
    )?;
    let (lo, hi) = w.unused;
    let unused = crossings(
        conn,
        "SELECT COALESCE(g.last_used_at, g.granted_at), g.agent_id FROM grants g \
         WHERE COALESCE(g.last_used_at, g.granted_at) > ?1 \
           AND COALESCE(g.last_used_at, g.granted_at) <= ?2 \
           AND g.level IN ('write', 'admin') \
         ORDER BY 1 LIMIT ?3",
        params![to_ms(lo), to_ms(hi), limit],
    )?;
    let expiry = crossings(
        conn,
        "SELECT c.expires_at, c.agent_id FROM credentials c \
         WHERE c.status = 'active' AND c.expires_at IS NOT NULL \
           AND c.expires_at > ?1 AND c.expires_at <= ?2 \
         ORDER BY 1 LIMIT ?3",
        params![to_ms(w.now), to_ms(w.horizon), limit],
    )?;
    let token_expiry = first(
        conn,
        "SELECT MIN(expires_at) FROM tokens \
         WHERE revoked_at IS NULL AND expires_at > ?1 AND expires_at <= ?2",
        params![to_ms(w.now), to_ms(w.horizon)],
    )?;
    Ok(DueThresholds {
        dormant,
        rotation,
        unused,
        expiry,
        token_expiry,
    })
}

fn take(conn: &Db, name: &str, holder: &str, now: i64, until: i64) -> StoreResult<bool> {
    conn.execute(
        "INSERT INTO rule_leases (name, holder, until_at) VALUES (?1, ?2, ?4) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_at = excluded.until_at \
         WHERE rule_leases.holder = excluded.holder OR rule_leases.until_at < ?3",
        params![name, holder, now, until],
    )?;
    let held: String = conn.query_row(
        "SELECT holder FROM rule_leases WHERE name = ?1",
        params![name],
        |r| r.get(0),
    )?;
    Ok(held == holder)
}

#[async_trait]
impl Scheduling for SqlStore {
    async fn due_thresholds(&self, windows: &ThresholdWindows) -> StoreResult<DueThresholds> {
        let windows = windows.clone();
        self.read(move |c| due(c, &windows)).await
    }

    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.write(move |c| take(c, &name, &holder, to_ms(now), to_ms(until)))
            .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.write(move |c| {
            c.execute(
                "DELETE FROM rule_leases WHERE name = ?1 AND holder = ?2",
                params![name, holder],
            )?;
            Ok(())
        })
        .await
    }
}
