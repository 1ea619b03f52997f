//! The summary form's first answer (`GET /v1/changes?since=0&form=summary`),
//! kept encoded between changes: every dashboard that starts reads the same
//! bytes instead of the database reading and counting the whole fleet again.
//!
//! A kept answer is served while its cursor is the latest revision; after
//! a change the next first sync builds it again (a client must find in its
//! first answer what was written before it asked). The server builds it
//! once at start, so the first dashboard does not wait for the count.
//! It is kept gzip-compressed too, once, so a client that accepts gzip (the
//! dashboard does) gets it without the per-request compression of 60 MB at
//! 100,000 agents.

use crate::server::AppState;
use crate::server::error::ApiResult;
use bytes::Bytes;
use std::sync::Arc;
use std::time::Instant;

/// One encoded first answer and the revision it is of.
#[derive(Debug)]
pub struct Snapshot {
    pub cursor: i64,
    pub json: Bytes,
    pub gzip: Bytes,
}

/// The kept answer; one build at a time, the others wait for it.
#[derive(Debug, Default)]
pub struct Snapshots {
    slot: tokio::sync::Mutex<Option<Arc<Snapshot>>>,
}

impl Snapshots {
    /// The kept answer if it may still serve, else a new one.
    pub async fn get(&self, state: &AppState) -> ApiResult<Arc<Snapshot>> {
        let mut slot = self.slot.lock().await;
        let latest = *state.store.subscribe().borrow();
        if let Some(s) = slot.as_ref()
            && s.cursor == latest
        {
            return Ok(s.clone());
        }
        let started = Instant::now();
        let mut changes = state.store.changes_summary(0).await?;
        in_name_order(&mut changes);
        let json = serde_json::to_vec(&changes).map_err(|e| {
            crate::server::error::ApiError::internal(format!("cannot encode the changes: {e}"))
        })?;
        tracing::debug!(
            cursor = changes.cursor,
            bytes = json.len(),
            took = ?started.elapsed(),
            "built the summary form's first answer"
        );
        let gzip = gzipped(&json).map_err(|e| {
            crate::server::error::ApiError::internal(format!("cannot compress the changes: {e}"))
        })?;
        let fresh = Arc::new(Snapshot {
            cursor: changes.cursor,
            json: Bytes::from(json),
            gzip: Bytes::from(gzip),
        });
        *slot = Some(fresh.clone());
        Ok(fresh)
    }
}

/// The agents in name order (bytes, then id), each agent's counts in the
/// same order: a dashboard builds its name order from an answer already
/// sorted in one pass, and finds each agent's counts beside it without a
/// lookup (at a million agents, about a second of its first sync). Any
/// order is valid; this one is cheaper to take.
fn in_name_order(changes: &mut crate::api::Changes) {
    changes
        .agents
        .sort_unstable_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    let at: std::collections::HashMap<&str, usize> = changes
        .agents
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let place = |id: &str| at.get(id).copied().unwrap_or(usize::MAX);
    let mut summaries = std::mem::take(&mut changes.summaries);
    summaries.sort_by_cached_key(|h| place(&h.agent_id));
    drop(at);
    changes.summaries = summaries;
}

/// `json` gzip-compressed at the fastest level, as the router's layer does.
fn gzipped(json: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 8),
        flate2::Compression::fast(),
    );
    gz.write_all(json)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Changes, Holdings};
    use crate::model::fixtures::agent;

    fn counted(id: &str) -> Holdings {
        Holdings {
            agent_id: id.into(),
            credentials: 1,
            ..Holdings::default()
        }
    }

    #[test]
    fn the_kept_answer_is_in_name_order_with_the_counts_beside() {
        let mut c = Changes {
            full: true,
            summary: true,
            agents: vec![
                agent("a3", "zed"),
                agent("a1", "bob"),
                agent("a2", "Bob"),
                agent("a0", "bob"),
            ],
            summaries: vec![counted("a1"), counted("gone"), counted("a3"), counted("a0")],
            ..Changes::default()
        };
        in_name_order(&mut c);
        let ids = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            c.agents.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
            ids(vec!["a2", "a0", "a1", "a3"]),
            "bytewise, then by id"
        );
        assert_eq!(
            c.summaries
                .iter()
                .map(|h| h.agent_id.clone())
                .collect::<Vec<_>>(),
            ids(vec!["a0", "a1", "a3", "gone"]),
            "in the agents' order, an unknown agent's last"
        );
    }
}
