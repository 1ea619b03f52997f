//! What the rules' scheduler asks of the store: when the next time
//! threshold passes, and who among several servers on one database runs
//! the scheduled rules (a lease). A supertrait of [`super::Store`], so the
//! trait's own file stays the catalogue of writes.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Windows to look in for the next moment a time threshold passes: each
/// pair is (after, up to), the span of the stored time (last activity,
/// issue, last use) that crosses its threshold before the next scheduled
/// sweep. Bounded, so each answer is an index range scan of a few rows.
#[derive(Debug, Clone)]
pub struct ThresholdWindows {
    pub now: DateTime<Utc>,
    /// Until when the scheduler looks (its next safety-net sweep).
    pub horizon: DateTime<Utc>,
    /// R03: last activity of an agent with a live credential.
    pub dormant: (DateTime<Utc>, DateTime<Utc>),
    /// R05: issue time of a live credential.
    pub rotation: (DateTime<Utc>, DateTime<Utc>),
    /// R06: last use (or grant) of a write or admin grant.
    pub unused: (DateTime<Utc>, DateTime<Utc>),
}

/// The earliest stored time in each window (none when the window is
/// empty), and the next expiry of a live credential or token before the
/// horizon.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NextThresholds {
    pub dormant: Option<DateTime<Utc>>,
    pub rotation: Option<DateTime<Utc>>,
    pub unused: Option<DateTime<Utc>>,
    pub expiry: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait Scheduling: Send + Sync {
    /// The earliest times that cross a threshold in `windows`.
    async fn next_thresholds(&self, windows: &ThresholdWindows) -> StoreResult<NextThresholds>;
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
