//! The source for one Alertmanager: polls `GET /api/v2/alerts` (and, when
//! an alert is silenced, `GET /api/v2/silences`) every refresh interval, or
//! at once when poked, backing off after errors like every source.
//!
//! Each answer is the whole current set, sent as
//! [`SourceEvent::Alerts`]: an alert Alertmanager no longer has is gone
//! from the dashboard on the next poll. There is no identity to ask for:
//! Alertmanager has no notion of who is looking.

use super::{Backoff, Origin, SourceEvent, SourceHandle, SourceMsg};
use crate::alertmanager::client::AmClient;
use crate::alertmanager::{Settings, read};
use crate::fleet::origin::SEPARATOR;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// Starts polling `client`'s Alertmanager on a new task; messages go to
/// `tx` (as whatever the receiver makes of a [`SourceMsg`]), tagged with
/// `origin`, alert ids qualified with its scope. The agents are left as the
/// label says: they name another backend's agents.
pub fn spawn<M>(
    client: AmClient,
    settings: Settings,
    refresh: Duration,
    tx: mpsc::Sender<M>,
    origin: Origin,
) -> SourceHandle
where
    M: From<SourceMsg> + Send + 'static,
{
    let poke = Arc::new(Notify::new());
    let task = tokio::spawn(run(client, settings, refresh, tx, origin, poke.clone()));
    SourceHandle::new(poke, task)
}

async fn run<M: From<SourceMsg>>(
    client: AmClient,
    settings: Settings,
    refresh: Duration,
    tx: mpsc::Sender<M>,
    origin: Origin,
    poke: Arc<Notify>,
) {
    let url = client.base_url().to_string();
    let mut backoff = Backoff::default();
    loop {
        let started = Instant::now();
        let (event, wait) = match read::alerts(&client, &settings).await {
            Ok(mut alerts) => {
                backoff.reset();
                let latency = started.elapsed();
                tracing::debug!(%url, alerts = alerts.len(), ?latency, "polled alertmanager");
                if let Some(scope) = &origin.scope {
                    for a in &mut alerts {
                        a.id.insert(0, SEPARATOR);
                        a.id.insert_str(0, scope);
                    }
                }
                (SourceEvent::Alerts { alerts, latency }, refresh)
            }
            Err(e) => {
                let retry_in = backoff.next_delay();
                tracing::warn!(%url, error = %e, ?retry_in, "alertmanager poll failed");
                let event = SourceEvent::Failed {
                    error: e.to_string(),
                    retry_in,
                };
                (event, retry_in)
            }
        };
        let msg = SourceMsg {
            backend: origin.index,
            event,
        };
        if tx.send(msg.into()).await.is_err() {
            return;
        }
        // A poke during the poll left a permit: served, never doubled.
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = poke.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::timeout;

    async fn next(rx: &mut mpsc::Receiver<SourceMsg>) -> (usize, SourceEvent) {
        match timeout(Duration::from_secs(10), rx.recv()).await {
            Ok(Some(SourceMsg { backend, event })) => (backend, event),
            other => panic!("expected a source event, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn backs_off_when_alertmanager_is_down() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = AmClient::new(&format!("http://127.0.0.1:{port}"), None).unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let origin = Origin {
            index: 2,
            scope: Some("alerts".into()),
        };
        let _h = spawn(
            client,
            Settings::default(),
            Duration::from_millis(100),
            tx,
            origin,
        );
        let mut waits = Vec::new();
        while waits.len() < 2 {
            match next(&mut rx).await {
                (2, SourceEvent::Failed { error, retry_in }) => {
                    assert!(error.contains("cannot reach the Alertmanager"), "{error}");
                    waits.push(retry_in.as_secs());
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(waits, [1, 2]);
    }
}
