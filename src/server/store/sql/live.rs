//! The live alerts the rules compare with what they find: open or
//! acknowledged, one rule's (in pages, for a whole-fleet sweep) or one
//! scope's.

use super::rules::{all, parse, time};
use crate::server::store::db::{Db, DbResult, Row, params};
use crate::server::store::{LiveAlert, StoreResult};

/// Columns of a [`LiveAlert`], read by [`live_alert`].
pub(super) const LIVE_ALERT_COLS: &str = "al.id, al.agent_id, al.rule, al.cause, al.severity, \
     al.summary, al.evidence, al.mapping, al.status, COALESCE(al.seen_at, al.updated_at)";

pub(super) fn live_alert(r: &Row) -> DbResult<LiveAlert> {
    let mapping: String = r.get(7)?;
    Ok(LiveAlert {
        id: r.get(0)?,
        agent_id: r.get(1)?,
        rule: r.get(2)?,
        cause: r.get(3)?,
        severity: parse(&r.get::<_, String>(4)?)?,
        summary: r.get(5)?,
        evidence: r.get(6)?,
        mapping: serde_json::from_str(&mapping).unwrap_or_default(),
        status: parse(&r.get::<_, String>(8)?)?,
        seen_at: time(r.get(9)?),
    })
}

/// The live alerts of `rule` after cause `after`, at most `limit`, in
/// cause order (through the live-cause index).
pub fn live_alerts_page(
    conn: &Db,
    rule: &str,
    after: &str,
    limit: usize,
) -> StoreResult<Vec<LiveAlert>> {
    all(
        conn,
        &format!(
            "SELECT {LIVE_ALERT_COLS} FROM alerts al \
             WHERE al.rule = ?1 AND al.status != 'resolved' AND al.cause > ?2 \
             ORDER BY al.cause LIMIT ?3"
        ),
        params![rule, after, limit],
        live_alert,
    )
}

pub fn live_alerts(conn: &Db, rule: &str) -> StoreResult<Vec<LiveAlert>> {
    all(
        conn,
        &format!(
            "SELECT {LIVE_ALERT_COLS} FROM alerts al WHERE al.rule = ?1 AND al.status != 'resolved'"
        ),
        params![rule],
        live_alert,
    )
}
