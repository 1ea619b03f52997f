//! When snoozes end: a timer per snooze, armed when it is made
//! (`POST /v1/alerts/{id}/snooze`), and at start a clock that ends the
//! snoozes that ran out while the server was down and then each pending
//! one as it comes due. The rules sweep ends any left over as well.
//!
//! The timers hold the store weakly: once the server has shut down they
//! end without touching it.

use crate::server::store::Store;
use chrono::{DateTime, Utc};
use std::sync::{Arc, Weak};

/// Ends the snoozes due at `until` when that time comes.
pub fn end_when_due(store: &Arc<dyn Store>, until: DateTime<Utc>) {
    let store = Arc::downgrade(store);
    tokio::spawn(async move {
        sleep_until(until).await;
        end_due(&store, until).await;
    });
}

/// At start: ends what is over, then follows the pending snoozes one end
/// after the other until none is left (a snooze made later has its own
/// timer).
pub fn spawn_at_start(store: &Arc<dyn Store>) {
    let store = Arc::downgrade(store);
    tokio::spawn(async move {
        let mut due = Utc::now();
        loop {
            if !end_due(&store, due).await {
                return;
            }
            let next = match store.upgrade() {
                Some(s) => s.next_snooze_end().await,
                None => return,
            };
            match next {
                Ok(Some(t)) => {
                    sleep_until(t).await;
                    due = t;
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the pending snoozes; the sweep will end them");
                    return;
                }
            }
        }
    });
}

async fn sleep_until(t: DateTime<Utc>) {
    tokio::time::sleep((t - Utc::now()).to_std().unwrap_or_default()).await;
}

/// Ends the snoozes over at `due`; false once the server is gone.
async fn end_due(store: &Weak<dyn Store>, due: DateTime<Utc>) -> bool {
    let Some(store) = store.upgrade() else {
        return false;
    };
    if let Err(e) = store.end_snoozes(due).await {
        tracing::warn!(error = %e, "could not end the snoozes due; the sweep will");
    }
    true
}
