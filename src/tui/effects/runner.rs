//! Carries out the app's [`Effect`]s: each action runs on its own task
//! against the backend that owns its object, and its result comes back as
//! a [`Msg`]; a kill plan is a dry run; "poll now" pokes the sources.
//! Nothing here ever waits in the dashboard loop.
//!
//! With several backends the app's ids are qualified with the backend's
//! name ([`crate::fleet::origin`]): the runner picks the backend from the
//! id, sends it the id it wrote, and qualifies the answer again.
//!
//! An acknowledgement of an Alertmanager's alert goes to that Alertmanager
//! instead, as a silence ([`crate::tui::effects::am_route`]). A revoke of a
//! Vault credential goes to that Vault, and a kill's Vault credentials are
//! revoked there after Warden's kill, each as a step of the kill
//! ([`crate::tui::effects::vault_route`]).

use crate::api::client::Client;
use crate::api::{KillRequest, NewOwner, RotateRequest};
use crate::fleet::origin::{self, Qualify};
use crate::sources::Poker;
use crate::tui::effects::am_route::{self, AmRoute};
use crate::tui::effects::vault_route::{self, VaultRoute};
use crate::tui::guardrails::{self, GuardrailsRead};
use crate::tui::msg::{Action, Effect, Msg, Outcome};
use crate::tui::popups::secret::SecretText;
use crate::tui::strings;
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// Actions in flight at once: a bulk kill of thousands of marked agents
/// must not open thousands of connections to a backend mid-incident.
const IN_FLIGHT: usize = 16;

/// The reason sent with a kill plan: the backend wants one on every kill
/// request, and a dry run changes nothing, so it is never audited.
const PLAN_REASON: &str = "plan requested by the Warden dashboard (dry run)";

/// One backend the runner acts on: its client, a way to poke its source,
/// and the name its ids are qualified with when there are several.
#[derive(Debug, Clone)]
pub struct Route {
    pub client: Client,
    pub poker: Poker,
    pub scope: Option<String>,
}

pub struct Runner {
    routes: Vec<Route>,
    tx: mpsc::Sender<Msg>,
    slots: Arc<Semaphore>,
    /// Alertmanagers: only acknowledgements of their alerts go there.
    alertmanagers: Vec<AmRoute>,
    /// Vaults: revokes of their credentials, and a kill's Vault steps.
    vaults: Arc<Vec<VaultRoute>>,
}

impl Runner {
    /// A runner on one backend, whose ids are not qualified.
    pub fn new(client: Client, tx: mpsc::Sender<Msg>, poker: Poker) -> Self {
        Self::routed(
            vec![Route {
                client,
                poker,
                scope: None,
            }],
            tx,
        )
    }

    /// A runner over several backends, in the app's order.
    pub fn routed(routes: Vec<Route>, tx: mpsc::Sender<Msg>) -> Self {
        Runner {
            routes,
            tx,
            slots: Arc::new(Semaphore::new(IN_FLIGHT)),
            alertmanagers: Vec::new(),
            vaults: Arc::default(),
        }
    }

    /// The same runner, also acting on these Vaults.
    pub fn with_vaults(mut self, routes: Vec<VaultRoute>) -> Self {
        self.vaults = Arc::new(routes);
        self
    }

    /// Rotates a Vault credential on its own task, if `action` is a
    /// rotation of one; answers whether it was.
    fn rotate_in_vault(&self, id: u64, action: &Action) -> bool {
        let Action::Rotate {
            credential_id,
            grace_seconds,
            reason,
            ..
        } = action
        else {
            return false;
        };
        let Some((route, cred)) = self
            .vaults
            .iter()
            .find_map(|r| r.owns(credential_id).map(|c| (r.clone(), c)))
        else {
            return false;
        };
        tracing::info!(id, credential = %credential_id, %reason, grace_seconds, "rotating in vault");
        let (tx, slots) = (self.tx.clone(), self.slots.clone());
        let (credential_id, reason) = (credential_id.clone(), reason.clone());
        let grace = std::time::Duration::from_secs(*grace_seconds);
        tokio::spawn(async move {
            let _slot = slots.acquire_owned().await;
            let result = vault_route::rotate_one(&route, &credential_id, &cred, grace, &reason)
                .await
                .map(|(credential, previous, secret)| Outcome::Rotated {
                    credential: Box::new(credential),
                    previous: Box::new(previous),
                    secret: crate::tui::popups::secret::SecretText::new(secret),
                });
            if let Err(e) = &result {
                tracing::warn!(id, error = %e, "vault rotation failed");
            }
            let _ = tx.send(Msg::Action { id, result }).await;
        });
        true
    }

    /// Revokes a Vault credential on its own task, verified, if `action`
    /// is a revoke of one; answers whether it was.
    fn revoke_in_vault(&self, id: u64, action: &Action) -> bool {
        let Action::Revoke {
            credential_id,
            reason,
        } = action
        else {
            return false;
        };
        let Some((route, cred)) = self
            .vaults
            .iter()
            .find_map(|r| r.owns(credential_id).map(|c| (r.clone(), c)))
        else {
            return false;
        };
        tracing::info!(id, credential = %credential_id, %reason, "revoking in vault");
        let (tx, slots) = (self.tx.clone(), self.slots.clone());
        let (credential_id, reason) = (credential_id.clone(), reason.clone());
        tokio::spawn(async move {
            let _slot = slots.acquire_owned().await;
            let result = vault_route::revoke_one(&route, &credential_id, &cred, &reason)
                .await
                .map(Outcome::Credential);
            if let Err(e) = &result {
                tracing::warn!(id, error = %e, "vault revoke failed");
            }
            let _ = tx.send(Msg::Action { id, result }).await;
        });
        true
    }

    /// The same runner, also acting on these Alertmanagers.
    pub fn with_alertmanagers(mut self, routes: Vec<AmRoute>) -> Self {
        self.alertmanagers = routes;
        self
    }

    /// The Alertmanager whose alert `action` acknowledges, with the
    /// action in its own ids; `None` for every other action.
    fn alertmanager_for(&self, action: &Action) -> Option<(AmRoute, Action)> {
        let Action::Ack { alert_id, reason } = action else {
            return None;
        };
        self.alertmanagers.iter().find_map(|r| {
            r.owns(alert_id).map(|fingerprint| {
                let local = Action::Ack {
                    alert_id: fingerprint.to_string(),
                    reason: reason.clone(),
                };
                (r.clone(), local)
            })
        })
    }

    /// The backend that owns `id`, and the id as that backend wrote it.
    fn route<'a>(&self, id: &'a str) -> Result<(&Route, &'a str), String> {
        if let [only] = self.routes.as_slice()
            && only.scope.is_none()
        {
            return Ok((only, id));
        }
        let (name, local) = origin::split(id).ok_or_else(|| strings::names_no_backend(id))?;
        self.routes
            .iter()
            .find(|r| r.scope.as_deref() == Some(name))
            .map(|r| (r, local))
            .ok_or_else(|| strings::no_backend_called(id, name))
    }

    /// The action with the backend's own ids, and the backend to send it to.
    fn localize(&self, mut action: Action) -> Result<(Route, Action), String> {
        let key = action.subject_id().to_string();
        let (route, _) = self.route(&key)?;
        let route = route.clone();
        for id in action.ids_mut() {
            let (r, local) = self.route(id)?;
            if r.scope != route.scope {
                return Err(strings::another_backend(id, &key));
            }
            *id = local.to_string();
        }
        Ok((route, action))
    }

    /// Like an action on a Warden backend: its own task, a slot, and the
    /// answer (qualified) back as a message.
    fn run_on_alertmanager(&self, id: u64, route: AmRoute, action: Action) {
        let tx = self.tx.clone();
        let slots = self.slots.clone();
        tokio::spawn(async move {
            let _slot = slots.acquire_owned().await;
            let result = am_route::run(&route, action)
                .await
                .map(|o| qualified(o, route.scope.as_deref()));
            if let Err(e) = &result {
                tracing::warn!(id, error = %e, "alertmanager action failed");
            }
            let _ = tx.send(Msg::Action { id, result }).await;
        });
    }

    /// Reads Warden backend `backend`'s guardrail actions on its own task.
    /// A backend without the route (404, 405) answers that it has none.
    fn fetch_guardrails(&self, backend: usize, seq: u64) {
        let Some(route) = self.routes.get(backend).cloned() else {
            tracing::warn!(backend, "a guardrails read for an unknown backend");
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let read = match route.client.guardrails().await {
                Ok(g) => {
                    let mut actions = g.actions;
                    if let Some(s) = &route.scope {
                        actions.iter_mut().for_each(|a| guardrails::qualify(a, s));
                    }
                    GuardrailsRead::Actions(actions)
                }
                Err(e) if matches!(e.status(), Some(404 | 405)) => GuardrailsRead::NotServed,
                Err(e) => GuardrailsRead::Failed(e.to_string()),
            };
            let _ = tx.send(Msg::Guardrails { backend, seq, read }).await;
        });
    }

    /// Starts `effect` and returns at once. `Effect::Quit` is the loop's
    /// business (the app sets its `quit` flag), so it is ignored here.
    pub fn handle(&self, effect: Effect) {
        match effect {
            Effect::Run { id, action } => {
                if let Some((route, action)) = self.alertmanager_for(&action) {
                    self.run_on_alertmanager(id, route, action);
                    return;
                }
                if self.revoke_in_vault(id, &action) || self.rotate_in_vault(id, &action) {
                    return;
                }
                let tx = self.tx.clone();
                let vault = match &action {
                    Action::Kill {
                        agent_id, vault, ..
                    } if !vault.is_empty() => Some((agent_id.clone(), vault.clone())),
                    _ => None,
                };
                let routed = self.localize(action);
                let slots = self.slots.clone();
                let vaults = self.vaults.clone();
                tokio::spawn(async move {
                    let result = match routed {
                        Ok((route, action)) => {
                            // Held until the backend answers; the semaphore
                            // is never closed, so waiting cannot fail.
                            let _slot = slots.acquire_owned().await;
                            run_action(&route.client, action)
                                .await
                                .map(|o| qualified(o, route.scope.as_deref()))
                        }
                        Err(e) => Err(e),
                    };
                    // Whatever Warden answered: access is never wrongly
                    // taken away by a kill, and a responder needs it gone.
                    let result = match vault {
                        Some((agent_id, ids)) => {
                            let steps = vault_route::kill_steps(&vaults, &agent_id, &ids).await;
                            with_vault_steps(result, steps)
                        }
                        None => result,
                    };
                    if let Err(e) = &result {
                        tracing::warn!(id, error = %e, "action failed");
                    }
                    // The dashboard may have quit meanwhile; nobody to tell.
                    let _ = tx.send(Msg::Action { id, result }).await;
                });
            }
            Effect::PlanKill { agent_id, cascade } => {
                let tx = self.tx.clone();
                let routed = self
                    .route(&agent_id)
                    .map(|(r, local)| (r.clone(), local.to_string()));
                tokio::spawn(async move {
                    let req = KillRequest {
                        reason: PLAN_REASON.into(),
                        cascade,
                        dry_run: true,
                    };
                    let result = match routed {
                        Ok((route, local)) => route
                            .client
                            .kill(&local, &req)
                            .await
                            .map(|mut op| {
                                if let Some(s) = &route.scope {
                                    op.qualify(s);
                                }
                                op
                            })
                            .map_err(|e| e.to_string()),
                        Err(e) => Err(e),
                    };
                    let _ = tx
                        .send(Msg::KillPlan {
                            agent_id,
                            cascade,
                            result,
                        })
                        .await;
                });
            }
            Effect::PollNow => {
                self.routes.iter().for_each(|r| r.poker.poll_now());
                self.alertmanagers.iter().for_each(|r| r.poker.poll_now());
                self.vaults.iter().for_each(|r| r.poker.poll_now());
            }
            Effect::FetchTriage => {
                for (backend, route) in self.routes.iter().enumerate() {
                    let (route, tx) = (route.clone(), self.tx.clone());
                    tokio::spawn(async move {
                        let result = route
                            .client
                            .triage()
                            .await
                            .map(|mut report| {
                                if let Some(s) = &route.scope {
                                    report.qualify(s);
                                }
                                report
                            })
                            .map_err(|e| e.to_string());
                        let _ = tx.send(Msg::Triage { backend, result }).await;
                    });
                }
            }
            Effect::FetchGuardrails { backend, seq } => self.fetch_guardrails(backend, seq),
            Effect::FetchCredentials { backend } => {
                let Some(route) = self.routes.get(backend).cloned() else {
                    tracing::warn!(backend, "a credentials read for an unknown backend");
                    return;
                };
                tokio::spawn(crate::tui::effects::credentials::read_pages(
                    route.client,
                    route.scope,
                    backend,
                    crate::tui::effects::credentials::PAGE,
                    self.tx.clone(),
                ));
            }
            Effect::Quit => {}
            Effect::FetchAudit { backend, .. } | Effect::VerifyAudit { backend } => {
                match self.routes.get(backend) {
                    Some(route) => {
                        crate::tui::effects::fetch::spawn(&route.client, &self.tx, effect, None)
                    }
                    None => tracing::warn!(backend, "an audit read for an unknown backend"),
                }
            }
            Effect::FetchAlert { ref alert_id } => {
                let (route, local) = match self.route(alert_id) {
                    Ok((route, local)) => (route.clone(), local.to_string()),
                    Err(e) => {
                        // Said to the view, which would otherwise read for ever.
                        let (tx, alert_id) = (self.tx.clone(), alert_id.clone());
                        tokio::spawn(async move {
                            let result = Err(e);
                            let _ = tx.send(Msg::AlertRead { alert_id, result }).await;
                        });
                        return;
                    }
                };
                crate::tui::effects::fetch::spawn(
                    &route.client,
                    &self.tx,
                    Effect::FetchAlert { alert_id: local },
                    route.scope.clone(),
                );
            }
            Effect::FetchDetail { ref agent_id } | Effect::FetchTrail { ref agent_id, .. } => {
                let (route, local) = match self.route(agent_id) {
                    Ok((route, local)) => (route.clone(), local.to_string()),
                    Err(e) => {
                        tracing::warn!(error = %e, "a read for an agent of no backend");
                        return;
                    }
                };
                let local_effect = match effect {
                    Effect::FetchTrail { tail, .. } => Effect::FetchTrail {
                        agent_id: local,
                        tail,
                    },
                    _ => Effect::FetchDetail { agent_id: local },
                };
                crate::tui::effects::fetch::spawn(
                    &route.client,
                    &self.tx,
                    local_effect,
                    route.scope.clone(),
                );
            }
        }
    }
}

/// A backend's answer with its ids qualified as the app's are.
fn qualified(mut outcome: Outcome, scope: Option<&str>) -> Outcome {
    if let Some(s) = scope {
        match &mut outcome {
            Outcome::Agent(a) => a.qualify(s),
            Outcome::Credential(c) => c.qualify(s),
            Outcome::Rotated {
                credential,
                previous,
                ..
            } => {
                credential.qualify(s);
                previous.qualify(s);
            }
            Outcome::Operation(op) => op.qualify(s),
            Outcome::Alert(a) => a.qualify(s),
            Outcome::Guardrail(a) => guardrails::qualify(a, s),
            // The agent is still the label: the app matches it.
            Outcome::Silenced { alert, .. } => {
                alert.id.insert(0, origin::SEPARATOR);
                alert.id.insert_str(0, s);
            }
        }
    }
    outcome
}

/// A kill's answer with its Vault steps added: a failed Vault step fails
/// the whole kill, and a failed Warden kill still reports what Vault did.
fn with_vault_steps(
    result: Result<Outcome, String>,
    steps: Vec<crate::model::OperationStep>,
) -> Result<Outcome, String> {
    use crate::model::{OperationStatus, StepStatus};
    let failed = steps.iter().any(|s| s.status == StepStatus::Failed);
    match result {
        Ok(Outcome::Operation(mut op)) => {
            op.steps.extend(steps);
            if failed {
                op.status = OperationStatus::Failed;
            }
            Ok(Outcome::Operation(op))
        }
        Err(e) => Err(strings::warden_kill_failed_vault(&e, &steps)),
        other => other,
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
        Action::Rotate {
            credential_id,
            grace_seconds,
            reason,
            ..
        } => {
            let req = RotateRequest {
                reason,
                grace_seconds: Some(grace_seconds),
            };
            client
                .rotate(&credential_id, &req)
                .await
                .map(|r| Outcome::Rotated {
                    credential: Box::new(r.credential),
                    previous: Box::new(r.previous),
                    secret: SecretText::new(r.secret),
                })
        }
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
        Action::Snooze {
            alert_id,
            seconds,
            reason,
        } => client
            .snooze(&alert_id, seconds, &reason)
            .await
            .map(Outcome::Alert),
        Action::StopGuardrail {
            action_id, reason, ..
        } => client
            .stop_guardrail(&action_id, &reason)
            .await
            .map(|a| Outcome::Guardrail(Box::new(a))),
        Action::RunGuardrail {
            action_id, reason, ..
        } => client
            .run_guardrail(&action_id, &reason)
            .await
            .map(|a| Outcome::Guardrail(Box::new(a))),
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
