//! The kill switch. A kill is planned (targets, and for each: revoke its
//! credentials, revoke its credentials in each `[[serve.provider]]`'s Vault
//! ([`providers`]), mark it killed; then, with cascade, kill the delegates
//! that appeared meanwhile; then read each Vault again; last, fire every
//! runtime hook), recorded with its steps before any of them runs, then run
//! step by step with each result saved, so that a server that dies
//! half-way finishes the job at start.
//!
//! Revocation comes first for the whole tree, as Vault revokes a token
//! tree before cleaning up: no credential of any agent the kill reaches
//! keeps working while a slow hook runs. The hooks then run together, and
//! a hook that failed is run again by the next kill of the agent, which
//! reports its real outcome. At start the revocations a crash interrupted
//! are finished before the server listens; the hooks after.

use crate::config::HookAction;
use crate::model::*;
use crate::secrets::new_id;
use crate::server::AppState;
use crate::server::store::{Actor, StepAudit, StoreError, StoreResult};
use crate::server::{hooks, providers};
use chrono::Utc;
use std::collections::{BTreeSet, HashMap, VecDeque};
use tokio::sync::watch;

pub const REVOKE: &str = "revoke_credentials";
pub const MARK: &str = "mark_killed";
pub const HOOK: &str = "runtime_hook";
/// With cascade: after every target is marked killed, the agents that came
/// to act for one of them while the kill ran, killed too.
pub const DELEGATES: &str = "late_delegates";

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

/// The revocation step's plan, counted as the dashboard counts: the live
/// credentials, and the expired ones (revoked too, so no clock change can
/// revive them) named apart, so "1 live" in a dialog matches the plan.
fn revoke_plan(credentials: &[Credential], agent: &str) -> String {
    let of = |status| credentials.iter().filter(|c| c.status == status).count();
    let (live, expired) = (of(CredentialStatus::Active), of(CredentialStatus::Expired));
    let mut plan = format!("will revoke {live} live credential(s) of {agent}");
    if expired > 0 {
        plan.push_str(&format!("; {expired} expired one(s) revoked too"));
    }
    plan
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
    let agents = targets(state, root, cascade).await?;
    // Read once per provider for the whole kill, at plan time: a dry run
    // lists the same steps the kill then records.
    let mut vault = providers::plan_steps(&state.providers, &state.store, &agents).await?;
    // Each provider is read again for what appeared while the kill ran.
    let sweeps: Vec<OperationStep> = state
        .providers
        .iter()
        .map(|p| providers::sweep_step(&p.name, &root.id, agents.len()))
        .collect();
    let mut revocations = Vec::new();
    let mut hooks = Vec::new();
    for agent in agents {
        let vault_steps = vault.remove(&agent.id).unwrap_or_default();
        let step = |name: &str, status, detail: String| OperationStep {
            name: name.into(),
            agent_id: agent.id.clone(),
            status,
            detail,
        };
        if agent.status == AgentStatus::Killed {
            revocations.push(step(
                MARK,
                StepStatus::Skipped,
                format!("{} is already killed", agent.name),
            ));
            // Vault credentials made for it since (or before a provider
            // was configured) are still revoked.
            revocations.extend(vault_steps);
            // Its runtime may still run: a hook that failed is tried again.
            let (status, what) = hook_plan(state, &agent);
            let last = state.store.last_step_status(&agent.id, HOOK).await?;
            if status == StepStatus::Pending && last == Some(StepStatus::Failed) {
                hooks.push(step(
                    HOOK,
                    status,
                    format!("{what} again: it failed last time"),
                ));
            }
            continue;
        }
        let detail = state.store.agent_detail(&agent.id).await?;
        revocations.push(step(
            REVOKE,
            StepStatus::Pending,
            revoke_plan(&detail.credentials, &agent.name)
                + &crate::server::oauth::chain::kill_ends(detail.exchanged_tokens.len()),
        ));
        revocations.extend(vault_steps);
        revocations.push(step(
            MARK,
            StepStatus::Pending,
            format!("will mark {} killed", agent.name),
        ));
        let (status, what) = hook_plan(state, &agent);
        hooks.push(step(HOOK, status, what));
    }
    let mut steps = revocations;
    // Only when something is left to kill: a kill of a dead tree changes
    // nothing and is not recorded.
    if cascade && steps.iter().any(|s| s.status == StepStatus::Pending) {
        steps.push(OperationStep {
            name: DELEGATES.into(),
            agent_id: root.id.clone(),
            status: StepStatus::Pending,
            detail: "will kill any agent that came to act for one of these while the kill ran"
                .into(),
        });
    }
    steps.extend(sweeps);
    steps.extend(hooks);
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
    let root = op
        .steps
        .first()
        .map(|s| s.agent_id.clone())
        .unwrap_or_default();
    let done = match state.kills.join_or_start(&root) {
        Join::Running(mut rx) => {
            // Another kill of this agent is under way here: its answer is
            // this one's, and nothing runs twice.
            let joined = rx.wait_for(Option::is_some).await.map(|op| op.clone());
            return match joined {
                Ok(Some(op)) => Ok(op),
                _ => Err(StoreError::Internal(
                    "the kill this one joined ended without an answer".into(),
                )),
            };
        }
        Join::Started(tx) => Registered {
            running: &state.kills,
            agent_id: root,
            tx,
        },
    };
    let result = kill_now(state, actor, op).await;
    count(state, &result);
    if let Ok(op) = &result {
        let _ = done.tx.send(Some(op.clone()));
    }
    result
}

/// A kill registered as running; unregistered when dropped, also when the
/// request that started it is dropped half-way (its steps go on, on their
/// own task, but nobody waits for it any more).
struct Registered<'a> {
    running: &'a Running,
    agent_id: String,
    tx: watch::Sender<Option<Operation>>,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.running
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.agent_id);
    }
}

/// The kills running in this process, by the agent they were asked for.
#[derive(Debug, Default)]
pub struct Running(std::sync::Mutex<HashMap<String, watch::Receiver<Option<Operation>>>>);

enum Join {
    /// A kill of the agent is running: its answer will come on this.
    Running(watch::Receiver<Option<Operation>>),
    /// None was: this one runs, and says how it ended on this.
    Started(watch::Sender<Option<Operation>>),
}

impl Running {
    fn join_or_start(&self, agent_id: &str) -> Join {
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(rx) = running.get(agent_id) {
            return Join::Running(rx.clone());
        }
        let (tx, rx) = watch::channel(None);
        running.insert(agent_id.to_string(), rx);
        Join::Started(tx)
    }
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

/// Runs every pending step of a recorded operation and finishes it: the
/// revocations in order, then the hooks together.
async fn run(state: &AppState, actor: &Actor, op: Operation) -> StoreResult<Operation> {
    let failed = revoke_phase(state, actor, &op).await?;
    hook_phase(state, actor, op, failed).await
}

/// Every pending step but the hooks, one after the other; answers whether
/// any step of the operation failed so far.
async fn revoke_phase(state: &AppState, actor: &Actor, op: &Operation) -> StoreResult<bool> {
    let mut failed = op.steps.iter().any(|s| s.status == StepStatus::Failed);
    for (i, step) in op.steps.iter().enumerate() {
        if step.status != StepStatus::Pending || step.name == HOOK {
            continue;
        }
        let (status, detail) = match run_step(state, actor, op, step).await {
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
    Ok(failed)
}

/// The pending hooks, all at once (each has its own timeout), then the
/// operation's end.
async fn hook_phase(
    state: &AppState,
    actor: &Actor,
    op: Operation,
    mut failed: bool,
) -> StoreResult<Operation> {
    let pending: Vec<(usize, &OperationStep)> = op
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status == StepStatus::Pending && s.name == HOOK)
        .collect();
    let results = futures_util::future::join_all(
        pending
            .iter()
            .map(|(_, step)| run_step(state, actor, &op, step)),
    )
    .await;
    for ((i, _), result) in pending.iter().zip(results) {
        let (status, detail) = match result {
            Ok(detail) => (StepStatus::Ok, detail),
            Err(detail) => (StepStatus::Failed, detail),
        };
        failed |= status == StepStatus::Failed;
        state
            .store
            .update_step(&op.id, *i, status, &detail, None)
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
        DELEGATES => late_delegates(state, actor, op, step).await,
        providers::VAULT_STEP => providers::run_step(&state.providers, step).await,
        providers::VAULT_SWEEP => {
            providers::run_sweep(&state.providers, &state.store, op, step).await
        }
        other => Err(format!("unknown step {other:?}")),
    }
}

/// With cascade, after every target is marked killed: agents that came to
/// act for one of them meanwhile (a delegation recorded between the plan
/// and the mark; after the mark the store refuses it) are revoked, marked
/// killed and their hooks run, here.
async fn late_delegates(
    state: &AppState,
    actor: &Actor,
    op: &Operation,
    step: &OperationStep,
) -> Result<String, String> {
    let store = &state.store;
    let root = store
        .resolve_agent(&step.agent_id)
        .await
        .map_err(|e| e.to_string())?;
    let planned: BTreeSet<&str> = op.steps.iter().map(|s| s.agent_id.as_str()).collect();
    let tree = targets(state, &root, true)
        .await
        .map_err(|e| e.to_string())?;
    let late: Vec<Agent> = tree
        .into_iter()
        .filter(|a| !planned.contains(a.id.as_str()) && a.status != AgentStatus::Killed)
        .collect();
    if late.is_empty() {
        return Ok("no agent came to act for them meanwhile".into());
    }
    let reason = format!("killed: {}", op.reason);
    let mut problems = Vec::new();
    for agent in &late {
        let done = async {
            store
                .revoke_all_credentials(actor, &agent.id, &reason)
                .await?;
            store.mark_killed(actor, &agent.id, &op.reason).await
        };
        if let Err(e) = done.await {
            problems.push(format!("{}: {e}", agent.name));
            continue;
        }
        if let Some(hook) = state.config.hook_for(agent.runtime.as_deref())
            && let Err(e) = hooks::run(hook, agent, &state.http).await
        {
            problems.push(format!("{}'s hook: {e}", agent.name));
        }
    }
    let names: Vec<&str> = late.iter().map(|a| a.name.as_str()).collect();
    match problems.is_empty() {
        true => Ok(format!(
            "killed {} that came to act for them meanwhile: {}",
            late.len(),
            names.join(", ")
        )),
        false => Err(problems.join("; ")),
    }
}

/// At start: finishes every operation a previous process left running.
/// Their revocations run before the server listens; their hooks (slow,
/// and not what keeps a credential from working) after, on a task.
pub async fn resume_unfinished(state: &AppState) -> StoreResult<()> {
    for op in state.store.unfinished_operations().await? {
        tracing::warn!(operation = %op.id, target = %op.target, "resuming an interrupted operation");
        let actor = Actor::new(format!("system (resuming {} by {})", op.id, op.actor));
        let failed = match revoke_phase(state, &actor, &op).await {
            Ok(failed) => failed,
            Err(e) => {
                count(state, &Err(StoreError::Internal(e.to_string())));
                return Err(e);
            }
        };
        let (state, op_id) = (state.clone(), op.id.clone());
        tokio::spawn(async move {
            let result = hook_phase(&state, &actor, op, failed).await;
            if let Err(e) = &result {
                tracing::error!(operation = %op_id, error = %e, "a resumed operation's hooks failed");
            }
            count(&state, &result);
        });
    }
    Ok(())
}
