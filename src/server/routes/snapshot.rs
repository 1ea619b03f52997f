//! The first answers of the changes feed that every dashboard asks for
//! (`GET /v1/changes?since=0&form=lean`, and `form=summary` before it),
//! kept encoded between changes: every dashboard that starts reads the
//! same bytes instead of the database reading and counting the whole
//! fleet again.
//!
//! A kept answer is served while its cursor is the latest revision; after
//! a change the next first sync builds it again (a client must find in its
//! first answer what was written before it asked): from the last one and
//! the changes after it while that is young and not too large
//! ([`catch_up`]), else from the whole fleet read again. The server builds the
//! lean one once at start, so the first dashboard does not wait for the
//! count. Its gzip-compressed copy is made once, when a client that
//! accepts gzip first asks (Warden's own client on this machine asks for
//! it uncompressed, and compressing 600 MB at a million agents costs
//! seconds), so no request compresses it again.

use super::catch_up::{self, Base};
use crate::api::lean::LeanChanges;
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use bytes::Bytes;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// Which first answer: the summary form's, or the lean form's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Summary,
    Lean,
}

/// One encoded first answer and the revision it is of.
#[derive(Debug)]
pub struct Snapshot {
    pub cursor: i64,
    pub json: Bytes,
    gzip: OnceLock<Bytes>,
}

impl Snapshot {
    /// The answer gzip-compressed, compressed on the first call.
    pub fn gzip(&self) -> ApiResult<Bytes> {
        if let Some(g) = self.gzip.get() {
            return Ok(g.clone());
        }
        let started = Instant::now();
        let g = Bytes::from(
            gzipped(&self.json)
                .map_err(|e| ApiError::internal(format!("cannot compress the changes: {e}")))?,
        );
        tracing::debug!(bytes = g.len(), took = ?started.elapsed(), "compressed a kept first answer");
        Ok(self.gzip.get_or_init(|| g).clone())
    }
}

/// The kept answers, one per form; one build at a time, the others wait
/// for it.
#[derive(Debug, Default)]
pub struct Snapshots {
    summary: tokio::sync::Mutex<Slot>,
    lean: tokio::sync::Mutex<Slot>,
}

/// A form's kept answer, and the answer it was encoded from while it may
/// be caught up (see [`catch_up`]).
#[derive(Debug, Default)]
struct Slot {
    kept: Option<Arc<Snapshot>>,
    base: Option<Base>,
}

impl Snapshots {
    /// The kept answer of `form` if it may still serve, else a new one:
    /// the last one caught up with the changes after it while it is young
    /// and small enough to keep decoded, else the whole fleet read again.
    pub async fn get(&self, state: &AppState, form: Kept) -> ApiResult<Arc<Snapshot>> {
        let mut slot = match form {
            Kept::Summary => self.summary.lock().await,
            Kept::Lean => self.lean.lock().await,
        };
        let latest = *state.store.subscribe().borrow();
        if let Some(s) = slot.kept.as_ref()
            && s.cursor == latest
        {
            return Ok(s.clone());
        }
        // The other form's copy is of an older revision too: let it go
        // now rather than hold both (hundreds of MB each at a million).
        if form == Kept::Lean {
            let mut other = self.summary.lock().await;
            if other.kept.as_ref().is_some_and(|s| s.cursor != latest) {
                *other = Slot::default();
            }
        }
        let started = Instant::now();
        let (mut changes, read_at, caught_up) = match slot.base.take() {
            Some(mut base) if base.young() => {
                let delta = state.store.changes_summary(base.changes.cursor).await?;
                catch_up::merge(&mut base.changes, delta);
                (base.changes, base.read_at, true)
            }
            _ => (state.store.changes_summary(0).await?, Instant::now(), false),
        };
        let read = started.elapsed();
        let cursor = changes.cursor;
        let keep = changes.agents.len() <= catch_up::MAX_AGENTS;
        let (encoded, base) = match form {
            Kept::Summary => {
                in_name_order(&mut changes);
                (serde_json::to_vec(&changes), keep.then_some(changes))
            }
            Kept::Lean => {
                // The counts go inside each agent: only the agents' order.
                sort_by_name(&mut changes.agents);
                let base = keep.then(|| changes.clone());
                (
                    serde_json::to_vec(&LeanChanges::from_summary(changes)),
                    base,
                )
            }
        };
        let json =
            encoded.map_err(|e| ApiError::internal(format!("cannot encode the changes: {e}")))?;
        tracing::debug!(
            cursor,
            ?form,
            caught_up,
            bytes = json.len(),
            ?read,
            took = ?started.elapsed(),
            "built a kept first answer"
        );
        let fresh = Arc::new(Snapshot {
            cursor,
            json: Bytes::from(json),
            gzip: OnceLock::new(),
        });
        slot.kept = Some(fresh.clone());
        slot.base = base.map(|changes| Base { changes, read_at });
        Ok(fresh)
    }
}

/// The agents in name order (bytes, then id), each agent's counts in the
/// same order: a dashboard builds its name order from an answer already
/// sorted in one pass, and finds each agent's counts beside it without a
/// lookup (at a million agents, about a second of its first sync). Any
/// order is valid; this one is cheaper to take.
fn in_name_order(changes: &mut crate::api::Changes) {
    sort_by_name(&mut changes.agents);
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

fn sort_by_name(agents: &mut [crate::model::Agent]) {
    agents.sort_unstable_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
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
