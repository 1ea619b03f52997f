//! The source for one Warden backend (the reference HTTP API): asks
//! `GET /v1/whoami` once it can, then polls `GET /v1/changes?since=CURSOR`
//! every refresh interval, or at once when poked, backing off after errors.
//!
//! One loop does every request, so two polls never overlap. Each answer,
//! empty or not, goes to the app as [`SourceEvent::Synced`], so the header's
//! poll age moves even when nothing changed; each failure as
//! [`SourceEvent::Failed`] with the wait before the next try.

use super::{Backoff, Origin, SourceEvent, SourceHandle, SourceMsg};
use crate::api::client::Client;
use crate::fleet::origin::Qualify;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// Starts polling `client`'s backend on a new task; messages go to `tx`
/// (as whatever the receiver makes of a [`SourceMsg`]), tagged with
/// `origin`, ids qualified with its scope when it has one. The task ends
/// when the handle is dropped or `tx`'s receiver is gone.
pub fn spawn<M>(
    client: Client,
    refresh: Duration,
    tx: mpsc::Sender<M>,
    origin: Origin,
) -> SourceHandle
where
    M: From<SourceMsg> + Send + 'static,
{
    let poke = Arc::new(Notify::new());
    let task = tokio::spawn(run(client, refresh, Feed { tx, origin }, poke.clone()));
    SourceHandle::new(poke, task)
}

/// Where a source's events go, and as which backend.
struct Feed<M> {
    tx: mpsc::Sender<M>,
    origin: Origin,
}

impl<M: From<SourceMsg>> Feed<M> {
    async fn send(&self, event: SourceEvent) -> Result<(), ()> {
        let msg = SourceMsg {
            backend: self.origin.index,
            event,
        };
        self.tx.send(msg.into()).await.map_err(|_| ())
    }

    fn qualify(&self, item: &mut impl Qualify) {
        if let Some(scope) = &self.origin.scope {
            item.qualify(scope);
        }
    }
}

async fn run<M: From<SourceMsg>>(
    client: Client,
    refresh: Duration,
    feed: Feed<M>,
    poke: Arc<Notify>,
) {
    let url = client.base_url().to_string();
    let mut cursor: i64 = 0;
    let mut identified = false;
    let mut backoff = Backoff::default();
    loop {
        // Who we are only changes with the token, so it is asked until it
        // answers once; it must not hold up the fleet if it fails alone.
        if !identified {
            match client.whoami().await {
                Ok(mut who) => {
                    identified = true;
                    feed.qualify(&mut who);
                    if feed
                        .send(SourceEvent::Identity(Box::new(who)))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                Err(e) => tracing::warn!(%url, error = %e, "whoami failed; asking again next poll"),
            }
        }
        let started = Instant::now();
        // The first answer in the lean form (counts inside each agent,
        // alerts without their evidence), the polls after it in the
        // summary form: an agent's detail, or an alert's, brings the rest.
        let answer = if cursor == 0 {
            client.changes_first().await
        } else {
            client.changes_summary(cursor).await
        };
        let wait = match answer {
            Ok(mut changes) => {
                let latency = started.elapsed();
                // A full answer replaces everything, its cursor included,
                // even when it is lower (another database behind the URL).
                cursor = if changes.full {
                    changes.cursor
                } else {
                    cursor.max(changes.cursor)
                };
                backoff.reset();
                tracing::debug!(%url, cursor, full = changes.full, ?latency, "polled");
                feed.qualify(&mut changes);
                let event = SourceEvent::Synced {
                    changes: Box::new(changes),
                    latency,
                };
                if feed.send(event).await.is_err() {
                    return;
                }
                refresh
            }
            Err(e) => {
                let retry_in = backoff.next_delay();
                tracing::warn!(%url, error = %e, ?retry_in, "poll failed");
                let event = SourceEvent::Failed {
                    error: e.to_string(),
                    retry_in,
                };
                if feed.send(event).await.is_err() {
                    return;
                }
                retry_in
            }
        };
        // A poke during the poll above left a permit, so this returns at
        // once: the request is served, never dropped, never doubled.
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = poke.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ServeConfig;
    use crate::server;
    use tokio::time::timeout;

    const ADMIN: &str = "wdn_pt_source-test-admin-0123456789";

    async fn next(rx: &mut mpsc::Receiver<SourceMsg>) -> SourceEvent {
        match timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(SourceMsg { event, .. })) => event,
            other => panic!("expected a source event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn identifies_then_syncs_and_polls_when_poked() {
        let store = server::open_store("sqlite::memory:").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let srv = server::start(store, ServeConfig::default(), Some(ADMIN), listener)
            .await
            .unwrap();
        let client = Client::new(&srv.url, Some(ADMIN)).unwrap();
        // Something to see: on an empty database every cursor is 0, and
        // `since=0` always answers in full.
        client
            .create_person(&crate::api::NewPerson {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                team: None,
                manager: None,
            })
            .await
            .unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        // An interval far longer than the test: only a poke can poll again.
        let handle = spawn(client, Duration::from_secs(600), tx, Origin::default());

        match next(&mut rx).await {
            SourceEvent::Identity(who) => assert_eq!(who.kind, "person"),
            other => panic!("{other:?}"),
        }
        let first_cursor = match next(&mut rx).await {
            SourceEvent::Synced { changes, .. } => {
                assert!(changes.full, "the first answer replaces the copy");
                assert_eq!(changes.people.len(), 1);
                assert!(changes.cursor > 0);
                changes.cursor
            }
            other => panic!("{other:?}"),
        };
        handle.poll_now();
        match next(&mut rx).await {
            SourceEvent::Synced { changes, .. } => {
                assert!(!changes.full, "the cursor was kept");
                assert!(changes.is_empty(), "nothing changed since");
                assert!(changes.cursor >= first_cursor);
            }
            other => panic!("{other:?}"),
        }
        drop(handle);
        srv.shutdown().await;
    }

    #[tokio::test]
    async fn backs_off_when_the_backend_is_down() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = Client::new(&format!("http://127.0.0.1:{port}"), Some("t")).unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let _handle = spawn(client, Duration::from_millis(100), tx, Origin::default());
        let mut waits = Vec::new();
        while waits.len() < 2 {
            if let SourceEvent::Failed { error, retry_in } = next(&mut rx).await {
                assert!(error.contains("cannot reach"), "{error}");
                waits.push(retry_in.as_secs());
            }
        }
        assert_eq!(waits, [1, 2]);
    }
}
