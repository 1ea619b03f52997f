//! The source for one Vault (OpenBao or HashiCorp Vault): reads what the
//! backend's settings name (tokens, AppRole secret-ids, entities, leases)
//! as one [`VaultSnapshot`] every refresh interval, or at once when poked,
//! backing off after errors like every source.
//!
//! Each answer is the whole current set, sent as [`SourceEvent::Vault`]
//! with the settings that link it to agents: linking needs the fleet's
//! agents, which the dashboard holds and this task does not.

use super::{Backoff, Origin, SourceEvent, SourceHandle, SourceMsg};
use crate::config::vault::VaultSettings;
use crate::vault::{ReadPlan, VaultClient};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// How often a Vault is read when its backend names no `refresh`: each
/// read looks up every token and secret-id, one request each.
pub const DEFAULT_VAULT_REFRESH: Duration = Duration::from_secs(30);

/// What a read of `settings` asks Vault for.
pub fn plan(settings: &VaultSettings) -> ReadPlan {
    ReadPlan {
        token_accessors: settings.tokens,
        approle_mounts: settings.approle_mounts.clone(),
        entities: settings.entities,
        lease_prefixes: settings.lease_prefixes.clone(),
        concurrency: 0,
    }
}

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
    let plan = plan(&settings);
    let mut backoff = Backoff::default();
    loop {
        let started = Instant::now();
        let (event, wait) = match client.snapshot(&plan).await {
            Ok(snapshot) => {
                backoff.reset();
                let latency = started.elapsed();
                tracing::debug!(
                    vault = ?client,
                    tokens = snapshot.tokens.len(),
                    secret_ids = snapshot.secret_ids.len(),
                    ?latency,
                    "read vault"
                );
                let event = SourceEvent::Vault {
                    snapshot: Box::new(snapshot),
                    settings: settings.clone(),
                    latency,
                };
                (event, refresh)
            }
            Err(e) => {
                let retry_in = backoff.next_delay();
                tracing::warn!(vault = ?client, error = %e, ?retry_in, "vault read failed");
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
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = poke.notified() => {}
        }
    }
}
