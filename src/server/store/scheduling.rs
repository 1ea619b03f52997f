//! What the rules' scheduler asks of the store: what crosses a time
//! threshold before the next safety-net sweep (and when), and who among
//! several servers on one database runs the scheduled rules (a lease). A
//! supertrait of [`super::Store`], so the trait's own file stays the
//! catalogue of writes.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Windows to look in for what crosses a time threshold: each pair is
/// (after, up to), the span of the stored time (last activity, issue, last
/// use) that crosses its threshold before the horizon. Bounded, so each
/// answer is an index range scan of the few rows that cross soon.
#[derive(Debug, Clone)]
pub struct ThresholdWindows {
    pub now: DateTime<Utc>,
    /// Until when the scheduler looks (past its next safety-net sweep).
    pub horizon: DateTime<Utc>,
    /// R03: last activity of an agent with a live credential.
    pub dormant: (DateTime<Utc>, DateTime<Utc>),
    /// R05: issue time of a live credential.
    pub rotation: (DateTime<Utc>, DateTime<Utc>),
    /// R06: last use (or grant) of a write or admin grant.
    pub unused: (DateTime<Utc>, DateTime<Utc>),
    /// Most rows answered per window, earliest first.
    pub limit: usize,
}

/// A stored time in a window and the agent it belongs to.
pub type Crossing = (DateTime<Utc>, String);

/// What crosses in each window, earliest first and at most `limit` rows
/// (a full list may have left later rows out), and the next expiry of a
/// live person token before the horizon (R21, on no agent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DueThresholds {
    pub dormant: Vec<Crossing>,
    pub rotation: Vec<Crossing>,
    pub unused: Vec<Crossing>,
    /// Live credentials expiring in `(now, horizon]`: the time is the
    /// expiry itself.
    pub expiry: Vec<Crossing>,
    pub token_expiry: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait Scheduling: Send + Sync {
    /// What crosses a threshold in `windows`, and when.
    async fn due_thresholds(&self, windows: &ThresholdWindows) -> StoreResult<DueThresholds>;
    /// Takes or renews the lease `name` for `holder` until `until`, if it
    /// is free, expired at `now`, or already `holder`'s; answers whether
    /// `holder` holds it.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives the lease up if `holder` holds it, so another server takes
    /// over at once instead of after it expires.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
}
