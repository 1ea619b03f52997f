//! Guardrails: `[[serve.guardrail]]` policies that act on an alert by
//! themselves when no person has, a SOAR playbook with the caution of a
//! kill switch.
//!
//! When a rule opens an alert (or raises its severity), each matching
//! policy plans one action on its agent, due after the policy's grace
//! period and audited (`guardrail.pending`, with the alert in the target,
//! so the alert's timeline shows it). When it is due, one server claims
//! it and, unless the alert has resolved, a person has acted on the agent
//! or the alert since it was planned, or the policy's circuit breaker is
//! open (`max_per_hour` actions done in the last hour), acts: freeze
//! (suspend, undone by resume), revoke the credentials the alert names, or
//! kill through the kill switch, each an ordinary audited operation with
//! `guardrail:NAME` as the actor. A person can stop a pending action with
//! a reason, or run it at once (`POST /v1/guardrails/{id}/stop|run`).
//! Nothing acts unless configured.

pub mod policy;

use crate::api::guardrails::GuardrailAction;
use crate::server::AppState;
use crate::server::store::guardrails::PlannedAction;
use crate::server::store::{Actor, RaisedAlert, StoreResult};
use chrono::{DateTime, Utc};
use policy::Policy;
use tokio::sync::Notify;
use tokio::time::Instant;

/// The executor looks for actions another server planned (or a person
/// stopped) at least this often.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// The policies of this server, and how to wake its executor.
#[derive(Default)]
pub struct Guard {
    pub policies: Vec<Policy>,
    wake: Notify,
}

impl Guard {
    pub fn new(policies: Vec<Policy>) -> Guard {
        Guard {
            policies,
            wake: Notify::new(),
        }
    }

    fn policy(&self, name: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.config.name == name)
    }
}

/// The credential ids an alert's evidence names.
fn credentials_named(evidence: &str) -> Vec<String> {
    let mut out: Vec<String> = evidence
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("crd_") && w.len() > 4)
        .map(str::to_string)
        .collect();
    out.dedup();
    out
}

/// Plans the actions of the policies that match alerts just raised. A
/// failure is logged: the alert stands, and a person sees it.
pub async fn on_raised(state: &AppState, raised: &[RaisedAlert]) {
    let guard = &state.guard;
    if guard.policies.is_empty() || raised.is_empty() {
        return;
    }
    let now = Utc::now();
    let mut planned = false;
    for alert in raised {
        let Some(agent_id) = &alert.agent_id else {
            continue;
        };
        // Cheap keys first: a first sweep raises thousands of alerts.
        let maybe = guard.policies.iter().any(|p| {
            (p.config.rule.is_empty() || p.config.rule.contains(&alert.rule))
                && p.config.severity.is_none_or(|s| alert.severity >= s)
        });
        if !maybe {
            continue;
        }
        let agent = match state.store.resolve_agent(agent_id).await {
            Ok(a) if a.status != crate::model::AgentStatus::Killed => a,
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!(error = %e, agent = %agent_id, "guardrails: cannot read the agent");
                continue;
            }
        };
        for p in guard.policies.iter().filter(|p| p.matches(alert, &agent)) {
            let grace = chrono::Duration::seconds(
                i64::try_from(p.config.grace_seconds).unwrap_or(i64::MAX),
            );
            let plan = PlannedAction {
                policy: p.config.name.clone(),
                action: p.config.action.as_str().to_string(),
                alert_id: alert.id.clone(),
                rule: alert.rule.clone(),
                agent_id: agent.id.clone(),
                agent_name: agent.name.clone(),
                credentials: credentials_named(&alert.evidence),
                due_at: now + grace,
            };
            match state.store.plan_guardrail(&p.actor(), &plan, now).await {
                Ok(Some(a)) => {
                    planned = true;
                    tracing::info!(policy = %a.policy, action = %a.action, agent = %a.agent_name,
                        alert = %a.alert_id, due = %a.due_at, "guardrail action pending");
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, policy = %p.config.name, "guardrails: cannot plan")
                }
            }
        }
    }
    if planned {
        guard.wake.notify_one();
    }
}

/// Runs the executor until `stop` fires; none without policies.
pub fn spawn(
    state: AppState,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) -> Option<tokio::task::JoinHandle<()>> {
    if state.guard.policies.is_empty() {
        return None;
    }
    Some(tokio::spawn(async move {
        loop {
            let next = match state.store.next_guardrail_due().await {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(error = %e, "guardrails: cannot read what is due");
                    None
                }
            };
            let poll = Instant::now() + POLL;
            let wake = next.map_or(poll, |t| instant_of(t).min(poll));
            tokio::select! {
                _ = &mut stop => return,
                _ = state.guard.wake.notified() => {}
                _ = tokio::time::sleep_until(wake) => {}
            }
            match state.store.due_guardrails(Utc::now()).await {
                Ok(due) => {
                    for a in due {
                        match execute(&state, &a.id, None).await {
                            // What it froze, revoked or killed is judged at
                            // once, as a person's action through the API is.
                            Ok(Some(done)) if done.status == "done" => state
                                .detector
                                .judge(Some(crate::server::rules::Touched::agent(&done.agent_id))),
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, action = %a.id, "guardrail action failed")
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "guardrails: cannot read what is due"),
            }
        }
    }))
}

fn instant_of(t: DateTime<Utc>) -> Instant {
    Instant::now() + (t - Utc::now()).to_std().unwrap_or_default()
}

/// Takes a pending action and carries it out (or says why not); `asked`
/// is the person running it early, with why. None if it was no longer
/// pending.
pub async fn execute(
    state: &AppState,
    id: &str,
    asked: Option<(&Actor, &str)>,
) -> StoreResult<Option<GuardrailAction>> {
    let Some(a) = state.store.claim_guardrail(id, asked).await? else {
        return Ok(None);
    };
    let policy = state.guard.policy(&a.policy);
    let actor = Actor::new(format!("guardrail:{}", a.policy));
    let (status, outcome) = match decide(state, &a, policy, asked.is_some()).await {
        Ok(Some(why_not)) => why_not,
        Ok(None) => act(state, &a, policy, &actor).await,
        Err(e) => ("failed", format!("could not check before acting: {e}")),
    };
    let done = state
        .store
        .finish_guardrail(&actor, &a.id, status, &outcome, Utc::now())
        .await?;
    tracing::info!(policy = %done.policy, status, outcome = %outcome, "guardrail action ended");
    Ok(Some(done))
}

/// Why an automatic action must not act now, if it must not. A person who
/// runs it early has decided: only the policy's existence is checked.
async fn decide(
    state: &AppState,
    a: &GuardrailAction,
    policy: Option<&Policy>,
    asked: bool,
) -> StoreResult<Option<(&'static str, String)>> {
    let Some(policy) = policy else {
        return Ok(Some((
            "skipped",
            format!("policy {} is no longer configured on this server", a.policy),
        )));
    };
    if asked {
        return Ok(None);
    }
    if !state.store.alert_live(&a.alert_id).await? {
        return Ok(Some((
            "skipped",
            "the alert resolved before the grace period ended".into(),
        )));
    }
    if let Some(p) = state.store.person_acted(a).await? {
        return Ok(Some((
            "skipped",
            format!(
                "{} acted first ({} at {}); the responder is in charge",
                p.actor,
                p.action,
                p.at.format("%H:%M:%S UTC")
            ),
        )));
    }
    let hour_ago = Utc::now() - chrono::Duration::hours(1);
    let done = state
        .store
        .guardrail_done_since(&a.policy, hour_ago)
        .await?;
    let max = u64::from(policy.config.max_per_hour);
    if done >= max {
        tracing::warn!(policy = %a.policy, done, max, "guardrail circuit breaker open");
        return Ok(Some((
            "held",
            format!(
                "circuit breaker: {done} actions in the last hour (max_per_hour = {max}); \
                 left for a person"
            ),
        )));
    }
    Ok(None)
}

/// Carries out the action as `actor`: an ordinary audited operation.
async fn act(
    state: &AppState,
    a: &GuardrailAction,
    policy: Option<&Policy>,
    actor: &Actor,
) -> (&'static str, String) {
    let grace = policy.map_or(0, |p| p.config.grace_seconds);
    let reason = format!(
        "guardrail {}: {} alert {} on {} had no response within {grace} s",
        a.policy, a.rule, a.alert_id, a.agent_name
    );
    let store = &state.store;
    let result: StoreResult<String> = match a.action.as_str() {
        "freeze" => store
            .set_suspended(actor, &a.agent_id, true, &reason)
            .await
            .map(|agent| {
                format!(
                    "froze {}: its credentials are refused until a responder resumes it \
                     (warden resume {} --reason …)",
                    agent.name, agent.name
                )
            }),
        "revoke" => revoke(state, a, actor, &reason).await,
        "kill" => kill(state, a, actor, &reason).await,
        other => Ok(format!("unknown action {other}; nothing done")),
    };
    match result {
        Ok(outcome) => ("done", outcome),
        Err(e) => ("failed", e.to_string()),
    }
}

async fn revoke(
    state: &AppState,
    a: &GuardrailAction,
    actor: &Actor,
    reason: &str,
) -> StoreResult<String> {
    if a.credentials.is_empty() {
        return Err(crate::server::store::StoreError::Conflict(
            "the alert names no credential; nothing revoked".into(),
        ));
    }
    let mut revoked = Vec::new();
    for id in &a.credentials {
        let c = state.store.get_credential(id).await?;
        // Only the agent's own: an R07 alert names the other holder's too.
        if c.agent_id == a.agent_id {
            state.store.revoke_credential(actor, id, reason).await?;
            revoked.push(id.clone());
        }
    }
    Ok(format!(
        "revoked {} of {} (not reversible: issue a new credential)",
        revoked.join(", "),
        a.agent_name
    ))
}

async fn kill(
    state: &AppState,
    a: &GuardrailAction,
    actor: &Actor,
    reason: &str,
) -> StoreResult<String> {
    let agent = state.store.resolve_agent(&a.agent_id).await?;
    let plan = crate::server::killswitch::plan(state, actor, &agent, false, reason).await?;
    let op = crate::server::killswitch::kill(state, actor, plan).await?;
    Ok(format!(
        "killed {} (operation {}, {:?}; final)",
        agent.name, op.id, op.status
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_an_alert_names_are_read_from_its_evidence() {
        assert_eq!(
            credentials_named(
                "1 live credential with no expiry: crd_Abc123 issued 2026-12-03; crd_Xy"
            ),
            ["crd_Abc123", "crd_Xy"]
        );
        assert!(credentials_named("100 calls/min at 14:03 UTC").is_empty());
    }
}
