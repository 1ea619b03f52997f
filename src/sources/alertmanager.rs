//! The source for one Alertmanager: polls `GET /api/v2/alerts` (and, when
//! an alert is silenced, `GET /api/v2/silences`) every refresh interval, or
//! at once when poked, backing off after errors like every source.
//!
//! Each answer is the whole current set, sent as
//! [`SourceEvent::Alerts`]: an alert Alertmanager no longer has is gone
//! from the dashboard on the next poll. There is no identity to ask for:
//! Alertmanager has no notion of who is looking.

use super::{Origin, SourceEvent, SourceHandle, SourceMsg};
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
    let mut polling = super::Polling::new(
        client.base_url().to_string(),
        origin.clone(),
        refresh,
        tx,
        poke,
    );
    loop {
        let started = Instant::now();
        let result = read::alerts(&client, &settings).await.map(|mut alerts| {
            let latency = started.elapsed();
            tracing::debug!(url = %client.base_url(), alerts = alerts.len(), ?latency, "polled alertmanager");
            if let Some(scope) = &origin.scope {
                for a in &mut alerts {
                    a.id.insert(0, SEPARATOR);
                    a.id.insert_str(0, scope);
                }
            }
            SourceEvent::Alerts { alerts, latency }
        });
        if !polling.answer(result.map_err(|e| e.to_string())).await {
            return;
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
