//! The live alerts the rules compare with what they find: open or
//! acknowledged, one rule's (in pages, for a whole-fleet sweep) or one
//! scope's; and the whole-fleet sweep's reads, one per condition.

use super::engine::{SqlStore, owned};
use super::rules::{all, parse, time};
use super::{rules, tokens};
use crate::server::store::db::{Db, DbResult, Row, params};
use crate::server::store::{LiveAlert, StoreResult, SweepFacts, SweepQuery};
use std::sync::Arc;

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

impl SqlStore {
    pub(super) async fn sweep_reads(&self, query: &SweepQuery) -> StoreResult<SweepFacts> {
        // One read per condition, not one transaction for all: each holds
        // the connection briefly, so batches of events go on in between.
        // Each condition is judged on its own, so they need no common
        // snapshot.
        let q = Arc::new(query.clone());
        Ok(SweepFacts {
            unowned: self.fact(&q, rules::unowned).await?,
            departed_owner: self.fact(&q, rules::departed_owner).await?,
            dormant: self.fact(&q, rules::dormant).await?,
            no_expiry: self.fact(&q, rules::no_expiry).await?,
            rotation_overdue: self.fact(&q, rules::rotation_overdue).await?,
            shared: self.fact(&q, rules::shared).await?,
            unused_grants: self.fact(&q, rules::unused_grants).await?,
            new_grants: self.fact(&q, rules::new_grants).await?,
            mcp_servers: self.fact(&q, rules::mcp_servers).await?,
            escalations: self.fact(&q, rules::escalations).await?,
            deep_chains: self.fact(&q, rules::deep_chains).await?,
            unpersoned_tokens: self.fact(&q, tokens::unpersoned).await?,
        })
    }

    pub(super) async fn live_alerts_paged(&self, rule: &str) -> StoreResult<Vec<LiveAlert>> {
        // In pages, each its own read: a rule with a hundred thousand live
        // alerts must not hold the connection (and so ingest, and an
        // action's evaluation) for the whole read.
        const PAGE: usize = 5_000;
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let (rule, from) = (owned(rule), after.clone());
            let page = self
                .read(move |c| live_alerts_page(c, &rule, &from, PAGE))
                .await?;
            let full = page.len() == PAGE;
            if let Some(last) = page.last() {
                after = last.cause.clone();
            }
            out.extend(page);
            if !full {
                return Ok(out);
            }
        }
    }
}
