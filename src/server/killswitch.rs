//! The kill switch. A kill is planned (targets, and for each: revoke its
//! credentials, revoke its credentials in each `[[serve.provider]]`'s Vault
//! ([`providers`]), mark it killed, fire its runtime hook), recorded with
//! its steps before any of them runs, then run step by step with each
//! result saved, so that a server that dies half-way finishes the job at
//! start.

use crate::config::HookAction;
use crate::model::*;
use crate::secrets::new_id;
use crate::server::AppState;
use crate::server::store::{Actor, StepAudit, StoreError, StoreResult};
use crate::server::{hooks, providers};
use chrono::Utc;
use std::collections::{BTreeSet, VecDeque};

pub const REVOKE: &str = "revoke_credentials";
pub const MARK: &str = "mark_killed";
pub const HOOK: &str = "runtime_hook";

/// The agents a kill reaches: the agent, and with `cascade` every agent it
/// delegated to, transitively, each once.
async fn targets(state: &AppState, root: &Agent, cascade: bool) -> StoreResult<Vec<Agent>> {
    let mut out = vec![root.clone()];
    if !cascade {
        return Ok(out);
    }
    let mut seen = BTreeSet::from([root.id.clone()]);
    let mut queue = VecDeque::from([root.id.clone()]);
    while let Some(id) = queue.pop_front() {
        for child in state.store.delegated_children(&id).await? {
            if seen.insert(child.clone()) {
                out.push(state.store.resolve_agent(&child).await?);
                queue.push_back(child);
            }
        }
    }
    Ok(out)
}

fn hook_plan(state: &AppState, agent: &Agent) -> (StepStatus, String) {
    match state.config.hook_for(agent.runtime.as_deref()) {
        Some(hook) => {
            let what = match &hook.action {
                HookAction::Command { argv } => {
                    format!(
                        "will run command hook `{}`",
                        argv.first().map(String::as_str).unwrap_or("")
                    )
                }
                HookAction::Webhook { url, .. } => format!("will POST webhook {url}"),
            };
            (StepStatus::Pending, what)
        }
        None => match &agent.runtime {
            Some(r) => (
                StepStatus::Skipped,
                format!("no runtime hook configured for {r:?}"),
            ),
            None => (StepStatus::Skipped, "the agent has no runtime".to_string()),
        },
    }
}

/// What a kill would do, as an operation with status `planned`. An agent
/// already killed gets one skipped step saying so.
pub async fn plan(
    state: &AppState,
    actor: &Actor,
    root: &Agent,
    cascade: bool,
    reason: &str,
) -> StoreResult<Operation> {
    let mut steps = Vec::new();
    let agents = targets(state, root, cascade).await?;
    // Read once per provider for the whole kill, at plan time: a dry run
    // lists the same steps the kill then records.
    let mut vault = providers::plan_steps(&state.providers, &state.store, &agents).await?;
    // Last, each provider is read again for what appeared while the kill ran.
    let sweeps: Vec<OperationStep> = state
        .providers
        .iter()
        .map(|p| providers::sweep_step(&p.name, &root.id, agents.len()))
        .collect();
    for agent in agents {
        let vault_steps = vault.remove(&agent.id).unwrap_or_default();
        if agent.status == AgentStatus::Killed {
            steps.push(OperationStep {
                name: MARK.into(),
                agent_id: agent.id.clone(),
                status: StepStatus::Skipped,
                detail: format!("{} is already killed", agent.name),
            });
            // Vault credentials made for it since (or before a provider
            // was configured) are still revoked.
            steps.extend(vault_steps);
            continue;
        }
        let detail = state.store.agent_detail(&agent.id).await?;
        let live = detail
            .credentials
            .iter()
            .filter(|c| c.status != CredentialStatus::Revoked)
            .count();
        let step = |name: &str, status, detail: String| OperationStep {
            name: name.into(),
            agent_id: agent.id.clone(),
            status,
            detail,
        };
        steps.push(step(
            REVOKE,
            StepStatus::Pending,
            format!("will revoke {live} credential(s) of {}", agent.name),
        ));
        steps.extend(vault_steps);
        steps.push(step(
            MARK,
            StepStatus::Pending,
            format!("will mark {} killed", agent.name),
        ));
        let (status, what) = hook_plan(state, &agent);
        steps.push(step(HOOK, status, what));
    }
    steps.extend(sweeps);
    Ok(Operation {
        id: new_id("op"),
        kind: "agent.kill".into(),
        target: format!("{} ({})", root.id, root.name),
        actor: actor.label.clone(),
        reason: reason.to_string(),
        status: OperationStatus::Planned,
        steps,
        created_at: Utc::now(),
        finished_at: None,
    })
}

/// Kills: records the plan, runs it, answers the finished operation. A
/// plan with nothing to do (everything already killed) changes nothing:
/// it is answered as succeeded without being recorded.
pub async fn kill(state: &AppState, actor: &Actor, op: Operation) -> StoreResult<Operation> {
    let result = kill_now(state, actor, op).await;
    count(state, &result);
    result
}

/// Counts a kill the server ran for `GET /metrics`, by how it ended.
fn count(state: &AppState, result: &StoreResult<Operation>) {
    let outcome = match result {
        Ok(op) if op.status == OperationStatus::Succeeded => "succeeded",
        Ok(_) | Err(_) => "failed",
    };
    state.metrics.operation("kill", outcome);
}

async fn kill_now(state: &AppState, actor: &Actor, mut op: Operation) -> StoreResult<Operation> {
    // A plan with a failed step (a Vault that could not be read) is
    // recorded, so that its failure is audited.
    if op
        .steps
        .iter()
        .all(|s| !matches!(s.status, StepStatus::Pending | StepStatus::Failed))
    {
        op.status = OperationStatus::Succeeded;
        op.finished_at = Some(Utc::now());
        return Ok(op);
    }
    op.status = OperationStatus::Running;
    state.store.begin_operation(actor, &op).await?;
    // A Vault step that failed when planned (its Vault could not be read)
    // never runs; it is audited here, as a step that ran would be.
    for (i, step) in op.steps.iter().enumerate() {
        if step.status == StepStatus::Failed {
            let audit = step_audit(actor, step);
            if audit.is_some() {
                let store = &state.store;
                store
                    .update_step(&op.id, i, step.status, &step.detail, audit.as_ref())
                    .await?;
            }
        }
    }
    // The steps run on their own task: a client that hangs up half-way
    // does not leave the kill half done.
    let state = state.clone();
    let actor = actor.clone();
    tokio::spawn(async move { run(&state, &actor, op).await })
        .await
        .map_err(|e| StoreError::Internal(format!("the kill task failed: {e}")))?
}

/// Runs every pending step of a recorded operation and finishes it.
async fn run(state: &AppState, actor: &Actor, op: Operation) -> StoreResult<Operation> {
    let mut failed = op.steps.iter().any(|s| s.status == StepStatus::Failed);
    for (i, step) in op.steps.iter().enumerate() {
        if step.status != StepStatus::Pending {
            continue;
        }
        let (status, detail) = match run_step(state, actor, &op, step).await {
            Ok(detail) => (StepStatus::Ok, detail),
            Err(detail) => (StepStatus::Failed, detail),
        };
        failed |= status == StepStatus::Failed;
        // A Vault step acts outside Warden's own records: it gets an audit
        // entry of its own, written with its result.
        let audit = step_audit(actor, step);
        state
            .store
            .update_step(&op.id, i, status, &detail, audit.as_ref())
            .await?;
    }
    let status = if failed {
        OperationStatus::Failed
    } else {
        OperationStatus::Succeeded
    };
    state.store.finish_operation(actor, &op.id, status).await
}

/// How a step is audited when recorded, if it acts outside Warden's own
/// records (a Vault step): Warden's own steps audit what they change.
fn step_audit(actor: &Actor, step: &OperationStep) -> Option<StepAudit> {
    providers::step_audit(step).map(|(action, target)| StepAudit {
        actor: actor.clone(),
        action: action.into(),
        target,
    })
}

async fn run_step(
    state: &AppState,
    actor: &Actor,
    op: &Operation,
    step: &OperationStep,
) -> Result<String, String> {
    let store = &state.store;
    match step.name.as_str() {
        REVOKE => store
            .revoke_all_credentials(actor, &step.agent_id, &format!("killed: {}", op.reason))
            .await
            .map(|n| format!("revoked {n} credential(s)"))
            .map_err(|e| e.to_string()),
        MARK => store
            .mark_killed(actor, &step.agent_id, &op.reason)
            .await
            .map(|changed| {
                if changed {
                    "agent marked killed".into()
                } else {
                    "agent was already killed".into()
                }
            })
            .map_err(|e| e.to_string()),
        HOOK => {
            let agent = store
                .resolve_agent(&step.agent_id)
                .await
                .map_err(|e| e.to_string())?;
            match state.config.hook_for(agent.runtime.as_deref()) {
                Some(hook) => hooks::run(hook, &agent, &state.http).await,
                None => Err("the runtime hook is no longer configured".into()),
            }
        }
        providers::VAULT_STEP => providers::run_step(&state.providers, step).await,
        providers::VAULT_SWEEP => {
            providers::run_sweep(&state.providers, &state.store, op, step).await
        }
        other => Err(format!("unknown step {other:?}")),
    }
}

/// At start: finishes every operation a previous process left running.
pub async fn resume_unfinished(state: &AppState) -> StoreResult<()> {
    for op in state.store.unfinished_operations().await? {
        tracing::warn!(operation = %op.id, target = %op.target, "resuming an interrupted operation");
        let actor = Actor::new(format!("system (resuming {} by {})", op.id, op.actor));
        let result = run(state, &actor, op).await;
        count(state, &result);
        result?;
    }
    Ok(())
}
