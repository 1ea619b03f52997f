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
        let mut took: Vec<(&str, u128)> = Vec::new();
        let mut clock = std::time::Instant::now();
        let mut lap = |name: &'static str| {
            took.push((name, clock.elapsed().as_millis()));
            clock = std::time::Instant::now();
        };
        let unowned = self.fact(&q, rules::unowned).await?;
        lap("unowned");
        let departed_owner = self.fact(&q, rules::departed_owner).await?;
        lap("departed_owner");
        let dormant = self.fact(&q, rules::dormant).await?;
        lap("dormant");
        let no_expiry = self.fact(&q, rules::no_expiry).await?;
        lap("no_expiry");
        let rotation_overdue = self.fact(&q, rules::rotation_overdue).await?;
        lap("rotation_overdue");
        let shared = self.fact(&q, rules::shared).await?;
        lap("shared");
        let unused_grants = self.fact(&q, rules::unused_grants).await?;
        lap("unused_grants");
        let new_grants = self.fact(&q, rules::new_grants).await?;
        lap("new_grants");
        let mcp_servers = self.fact(&q, rules::mcp_servers).await?;
        lap("mcp_servers");
        let escalations = self.fact(&q, rules::escalations).await?;
        lap("escalations");
        let deep_chains = self.fact(&q, rules::deep_chains).await?;
        lap("deep_chains");
        let unpersoned_tokens = self.fact(&q, tokens::unpersoned).await?;
        lap("unpersoned_tokens");
        // Where a slow sweep's reads go, condition by condition.
        tracing::debug!(took = ?took, "rules sweep facts (ms)");
        Ok(SweepFacts {
            unowned,
            departed_owner,
            dormant,
            no_expiry,
            rotation_overdue,
            shared,
            unused_grants,
            new_grants,
            mcp_servers,
            escalations,
            deep_chains,
            unpersoned_tokens,
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
