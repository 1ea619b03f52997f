//! Carries out the app's [`Effect`]s: each action runs on its own task
//! against the backend and its result comes back as a [`Msg`]; a kill plan
//! is a dry run; "poll now" pokes the source. Nothing here ever waits in
//! the dashboard loop.

use super::msg::{Action, Effect, Msg, Outcome};
use crate::api::client::Client;
use crate::api::{KillRequest, NewOwner};
use crate::sources::Poker;
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// Actions in flight at once: a bulk kill of thousands of marked agents
/// must not open thousands of connections to a backend mid-incident.
const IN_FLIGHT: usize = 16;

/// The reason sent with a kill plan: the backend wants one on every kill
/// request, and a dry run changes nothing, so it is never audited.
const PLAN_REASON: &str = "plan requested by the Warden dashboard (dry run)";

pub struct Runner {
    client: Client,
    tx: mpsc::Sender<Msg>,
    poker: Poker,
    slots: Arc<Semaphore>,
}

impl Runner {
    pub fn new(client: Client, tx: mpsc::Sender<Msg>, poker: Poker) -> Self {
        Runner {
            client,
            tx,
            poker,
            slots: Arc::new(Semaphore::new(IN_FLIGHT)),
        }
    }

    /// Starts `effect` and returns at once. `Effect::Quit` is the loop's
    /// business (the app sets its `quit` flag), so it is ignored here.
    pub fn handle(&self, effect: Effect) {
        match effect {
            Effect::Run { id, action } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                let slots = self.slots.clone();
                tokio::spawn(async move {
                    // Held until the backend answers; the semaphore is never
                    // closed, so waiting for it cannot fail.
                    let _slot = slots.acquire_owned().await;
                    let result = run_action(&client, action).await;
                    if let Err(e) = &result {
                        tracing::warn!(id, error = %e, "action failed");
                    }
                    // The dashboard may have quit meanwhile; nobody to tell.
                    let _ = tx.send(Msg::Action { id, result }).await;
                });
            }
            Effect::PlanKill { agent_id, cascade } => {
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let req = KillRequest {
                        reason: PLAN_REASON.into(),
                        cascade,
                        dry_run: true,
                    };
                    let result = client
                        .kill(&agent_id, &req)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx
                        .send(Msg::KillPlan {
                            agent_id,
                            cascade,
                            result,
                        })
                        .await;
                });
            }
            Effect::PollNow => self.poker.poll_now(),
            Effect::Quit => {}
            read @ (Effect::FetchAudit { .. }
            | Effect::VerifyAudit
            | Effect::FetchDetail { .. }
            | Effect::FetchTrail { .. }) => super::fetch::spawn(&self.client, &self.tx, read),
        }
    }
}

/// Sends one action; the error is the backend's own message (with its
/// status and code), for the dialog and the flash line.
async fn run_action(client: &Client, action: Action) -> Result<Outcome, String> {
    let result = match action {
        Action::Suspend {
            agent_id, reason, ..
        } => client.suspend(&agent_id, &reason).await.map(Outcome::Agent),
        Action::Resume {
            agent_id, reason, ..
        } => client.resume(&agent_id, &reason).await.map(Outcome::Agent),
        Action::Kill {
            agent_id,
            reason,
            cascade,
            ..
        } => {
            let req = KillRequest {
                reason,
                cascade,
                dry_run: false,
            };
            client.kill(&agent_id, &req).await.map(Outcome::Operation)
        }
        Action::Revoke {
            credential_id,
            reason,
        } => client
            .revoke(&credential_id, &reason)
            .await
            .map(Outcome::Credential),
        Action::Reassign {
            agent_id,
            owner,
            reason,
            ..
        } => client
            .set_owner(&agent_id, &NewOwner { owner, reason })
            .await
            .map(Outcome::Agent),
        Action::Ack { alert_id, reason } => {
            client.ack(&alert_id, &reason).await.map(Outcome::Alert)
        }
    };
    result.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::client::Client;
    use std::time::Duration;

    #[tokio::test]
    async fn an_unreachable_backend_comes_back_as_the_actions_error() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let client = Client::new(&format!("http://127.0.0.1:{port}"), Some("t")).unwrap();
        let (tx, mut rx) = mpsc::channel(4);
        let poke = std::sync::Arc::new(tokio::sync::Notify::new());
        let handle = crate::sources::SourceHandle::new(poke.clone(), tokio::spawn(async {}));
        let runner = Runner::new(client, tx, handle.poker());
        runner.handle(Effect::Run {
            id: 7,
            action: Action::Suspend {
                agent_id: "agt_1".into(),
                name: "bot".into(),
                reason: "test".into(),
            },
        });
        let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match msg {
            Msg::Action {
                id: 7,
                result: Err(e),
            } => assert!(e.contains("cannot reach"), "{e}"),
            other => panic!("{other:?}"),
        }
        // PollNow leaves a permit on the source's notifier.
        runner.handle(Effect::PollNow);
        tokio::time::timeout(Duration::from_secs(1), poke.notified())
            .await
            .unwrap();
    }
}
