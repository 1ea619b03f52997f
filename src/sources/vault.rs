//! The source for one Vault (OpenBao or HashiCorp Vault): reads what the
//! backend's settings name (tokens, AppRole secret-ids, entities, leases)
//! as one [`VaultSnapshot`] every refresh interval, or at once when poked,
//! backing off after errors like every source.
//!
//! Each answer is the whole current set, sent as [`SourceEvent::Vault`]
//! with the settings that link it to agents: linking needs the fleet's
//! agents, which the dashboard holds and this task does not.

use super::{Origin, SourceEvent, SourceHandle, SourceMsg};
use crate::config::vault::VaultSettings;
use crate::vault::{VaultClient, VaultSnapshot, read};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// How often a Vault is read when its backend names no `refresh`: each
/// read looks up every token and secret-id, one request each.
pub const DEFAULT_VAULT_REFRESH: Duration = Duration::from_secs(30);

/// Starts reading `client`'s Vault on a new task; messages go to `tx`,
/// tagged with `origin`.
pub fn spawn<M>(
    client: VaultClient,
    settings: Arc<VaultSettings>,
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
    client: VaultClient,
    settings: Arc<VaultSettings>,
    refresh: Duration,
    tx: mpsc::Sender<M>,
    origin: Origin,
    poke: Arc<Notify>,
) {
    // The last read sent: a read that finds the same is said as a poll with
    // no changes, so the dashboard's loop does not link 11,000 identities
    // again to learn nothing (the comparison runs here, off that loop).
    let mut last: Option<VaultSnapshot> = None;
    let mut polling = super::Polling::new(client.base_url().to_string(), origin, refresh, tx, poke);
    loop {
        let started = Instant::now();
        let result = match read(&client, &settings).await {
            Err(e) => {
                // After a failure the next read is news again, whatever it is.
                last = None;
                Err(e.to_string())
            }
            Ok(snapshot) if last.as_ref() == Some(&snapshot) => Ok(SourceEvent::Synced {
                changes: Box::default(),
                latency: started.elapsed(),
            }),
            Ok(snapshot) => {
                last = Some(snapshot.clone());
                let latency = started.elapsed();
                tracing::debug!(
                    vault = %client.base_url(),
                    tokens = snapshot.tokens.len(),
                    secret_ids = snapshot.secret_ids.len(),
                    ?latency,
                    "read vault"
                );
                Ok(SourceEvent::Vault {
                    snapshot: Box::new(snapshot),
                    settings: settings.clone(),
                    latency,
                })
            }
        };
        if !polling.answer(result).await {
            return;
        }
    }
}
