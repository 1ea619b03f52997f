//! Sources: the tasks that talk to backends and feed the dashboard. One
//! module per kind of backend ([`warden`] for the reference HTTP API,
//! [`alertmanager`] for an Alertmanager's alerts, [`vault`] for the
//! identities in an OpenBao or HashiCorp Vault); what
//! they share lives here: the poll interval from the config, the back-off
//! after errors, and the handle the dashboard keeps to poke a source.
//!
//! A source runs on its own tokio task, never runs two polls at once, and
//! only ever sends its own [`SourceMsg`]s over a channel: whoever reads the
//! channel (the dashboard) turns them into its messages with a `From`. A
//! source never touches the screen and knows nothing of it.

pub mod alertmanager;
pub mod vault;
pub mod warden;

use crate::api::{Changes, WhoAmI};
use crate::config::vault::VaultSettings;
use crate::model::Alert;
use crate::vault::VaultSnapshot;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// What a source says about its backend.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    /// A poll answered; `changes` may be empty.
    Synced {
        changes: Box<Changes>,
        latency: Duration,
    },
    /// A poll failed; the source tries again after `retry_in`.
    Failed { error: String, retry_in: Duration },
    /// Who the dashboard is, as the backend sees its token.
    Identity(Box<WhoAmI>),
    /// A poll of a backend that holds alerts and nothing else
    /// (Alertmanager): every alert it has now, so one that is gone is
    /// resolved. Ids are qualified like any source's; each alert's agent is
    /// still the raw label, for the app to match to an agent of the fleet.
    Alerts {
        alerts: Vec<Alert>,
        latency: Duration,
    },
    /// A read of a Vault: every identity it holds now, to be linked to the
    /// fleet's agents under `settings` (see [`crate::fleet::vault`]).
    Vault {
        snapshot: Box<VaultSnapshot>,
        settings: Arc<VaultSettings>,
        latency: Duration,
    },
}

/// One event of a source, tagged with the backend it is about: what a
/// source sends over its channel.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMsg {
    /// The backend's place in the dashboard's list ([`Origin::index`]).
    pub backend: usize,
    pub event: SourceEvent,
}

/// Which backend a source feeds: its place in the dashboard's list, and,
/// when the dashboard merges several, the name that qualifies its ids (see
/// [`crate::fleet::origin`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub index: usize,
    pub scope: Option<String>,
}

/// The poll interval when the config names none.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(2);
/// Faster than this would only load the backend: a poll answers in
/// milliseconds, a human does not read faster.
pub const MIN_REFRESH: Duration = Duration::from_millis(100);
/// The first wait after a failed poll; it doubles up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Parses the config's `refresh`: `500ms`, `2s`, `1m`, `1h`.
pub fn parse_refresh(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    let bad = || format!("expected a poll interval like 500ms, 2s or 1m, got {text:?}");
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| bad())?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(bad()),
    };
    if d < MIN_REFRESH {
        return Err(format!(
            "a poll interval of {text:?} is too short; use {}ms or more",
            MIN_REFRESH.as_millis()
        ));
    }
    Ok(d)
}

/// Exponential back-off: 1s, 2s, 4s, … capped at 30s; reset on success.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: FIRST_BACKOFF,
        }
    }
}

impl Backoff {
    /// The wait before the next try, and doubles the one after.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(MAX_BACKOFF);
        d
    }

    pub fn reset(&mut self) {
        self.next = FIRST_BACKOFF;
    }
}

/// What every polling source does after each poll: send what it answered
/// (or the failure, with the back-off's next wait), then wait for the
/// refresh interval or a poke. A poke during a poll leaves a permit: served
/// once, never doubled.
pub(crate) struct Polling<M> {
    /// Names the backend in the log.
    what: String,
    origin: Origin,
    refresh: Duration,
    tx: tokio::sync::mpsc::Sender<M>,
    poke: Arc<Notify>,
    backoff: Backoff,
}

impl<M: From<SourceMsg>> Polling<M> {
    pub(crate) fn new(
        what: String,
        origin: Origin,
        refresh: Duration,
        tx: tokio::sync::mpsc::Sender<M>,
        poke: Arc<Notify>,
    ) -> Self {
        Polling {
            what,
            origin,
            refresh,
            tx,
            poke,
            backoff: Backoff::default(),
        }
    }

    /// Sends one poll's outcome and waits for the next poll; false once
    /// nobody listens any more (the dashboard quit).
    pub(crate) async fn answer(&mut self, result: Result<SourceEvent, String>) -> bool {
        let (event, wait) = match result {
            Ok(event) => {
                self.backoff.reset();
                (event, self.refresh)
            }
            Err(error) => {
                let retry_in = self.backoff.next_delay();
                tracing::warn!(backend = %self.what, %error, ?retry_in, "poll failed");
                (SourceEvent::Failed { error, retry_in }, retry_in)
            }
        };
        let msg = SourceMsg {
            backend: self.origin.index,
            event,
        };
        if self.tx.send(msg.into()).await.is_err() {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = self.poke.notified() => {}
        }
        true
    }
}

/// What the dashboard keeps of a running source: a way to ask for a poll
/// now, and the task, stopped when the handle is dropped.
#[derive(Debug)]
pub struct SourceHandle {
    poke: Arc<Notify>,
    task: JoinHandle<()>,
}

impl SourceHandle {
    pub fn new(poke: Arc<Notify>, task: JoinHandle<()>) -> Self {
        SourceHandle { poke, task }
    }

    /// Polls now rather than at the next interval. A poll in flight is not
    /// doubled: the request is remembered and served when it ends.
    pub fn poll_now(&self) {
        self.poke.notify_one();
    }

    /// A cheap handle that can only poke, for the action runner.
    pub fn poker(&self) -> Poker {
        Poker(self.poke.clone())
    }
}

impl Drop for SourceHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Asks a source to poll now; see [`SourceHandle::poll_now`].
#[derive(Debug, Clone)]
pub struct Poker(Arc<Notify>);

impl Poker {
    pub fn poll_now(&self) {
        self.0.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_units() {
        assert_eq!(parse_refresh("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_refresh("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_refresh(" 1m "), Ok(Duration::from_secs(60)));
        assert_eq!(parse_refresh("1h"), Ok(Duration::from_secs(3600)));
        for bad in ["", "2", "s", "2x", "-1s", "1.5s", "0s", "10ms"] {
            assert!(parse_refresh(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_resets() {
        let mut b = Backoff::default();
        let waits: Vec<u64> = (0..8).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_secs(1));
    }
}
