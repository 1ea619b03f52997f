//! The last Vault step of a kill, one per provider: read the provider
//! again once every other step has run, and revoke (then verify) whatever
//! is still linked to the agents the kill reached.
//!
//! The plan's steps name what Vault held when the kill was planned. Between
//! then and the destruction of a secret-id, the agent may log in with it;
//! AppRole copies the secret-id's metadata onto the token it issues, so the
//! new token is linked to the agent, but no step names it. A runtime hook
//! can hold a kill for minutes, so the window is real. The sweep closes it;
//! a credential whose planned step failed is tried again here too. Doing
//! it twice (after a crash) finds nothing more: it is idempotent.

use super::{AgentIndex, Provider, partly_read};
use crate::model::{Operation, OperationStep, StepStatus};
use crate::server::hooks::escape;
use crate::server::store::Store;
use crate::vault::{Revocation, linked_credentials};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The name of the step.
pub const VAULT_SWEEP: &str = "vault_sweep";
/// Its audit action.
const AUDIT_ACTION: &str = "vault.sweep";
/// How a planned sweep's detail starts, before the provider's name.
const PREFIX: &str = "Vault ";

/// The sweep of `provider` for a kill of `agents` agents from `root_id`.
pub fn sweep_step(provider: &str, root_id: &str, agents: usize) -> OperationStep {
    OperationStep {
        name: VAULT_SWEEP.into(),
        agent_id: root_id.to_string(),
        status: StepStatus::Pending,
        detail: format!(
            "{PREFIX}{provider}: will read it again after the other steps and revoke whatever \
             is still linked to the {agents} agent(s) of this kill"
        ),
    }
}

/// The provider a sweep step is of. Its name has no `:` (the config
/// allows letters, digits, `-`, `_`, `.`), and every detail the sweep
/// writes starts the same way.
fn provider_of(step: &OperationStep) -> Option<&str> {
    let rest = step.detail.strip_prefix(PREFIX)?;
    Some(rest.split_once(':')?.0)
}

/// The audit action and target of a sweep step.
pub(super) fn audit(step: &OperationStep) -> (&'static str, String) {
    let provider = provider_of(step).unwrap_or("?");
    (
        AUDIT_ACTION,
        format!(
            "Vault {provider}: what is linked to the agents of the kill of {}",
            step.agent_id
        ),
    )
}

/// Runs a sweep: `Ok` when Vault was read in full and everything still
/// linked to the kill's agents is verified gone.
pub async fn run(
    providers: &[Provider],
    store: &Arc<dyn Store>,
    op: &Operation,
    step: &OperationStep,
) -> Result<String, String> {
    let Some(name) = provider_of(step) else {
        return Err(format!(
            "cannot tell which Vault this step is about: {}",
            step.detail
        ));
    };
    let head = format!("{PREFIX}{name}:");
    let Some(p) = providers.iter().find(|p| p.name == name) else {
        return Err(format!(
            "{head} the provider is no longer configured; nothing was read"
        ));
    };
    // Every agent the kill reached has a step of its own.
    let agents: BTreeSet<&str> = op.steps.iter().map(|s| s.agent_id.as_str()).collect();
    let index = AgentIndex::load(store)
        .await
        .map_err(|e| format!("{head} cannot list the agents: {e}"))?;
    let snap = crate::vault::read(&p.client, &p.config.settings)
        .await
        .map_err(|e| escape(&format!("{head} cannot read it again: {e}")))?;
    let found: Vec<_> = linked_credentials(&snap, &p.config.settings, |l| index.resolve(l))
        .into_iter()
        .filter(|c| agents.contains(c.link.agent_id.as_str()))
        .collect();
    let mut revoked = Vec::new();
    let mut failed = Vec::new();
    for c in &found {
        match p
            .client
            .revoke_verified(&c.cred)
            .await
            .map(Revocation::said)
        {
            Ok(_) => revoked.push(c.cred.to_string()),
            Err(e) => failed.push(format!("{}: {e}", c.cred)),
        }
    }
    let done = match revoked.len() {
        0 => "read again: nothing more was linked to the killed agents".to_string(),
        n => format!(
            "read again: revoked and verified {n} more linked to the killed agents: {}",
            revoked.join(", ")
        ),
    };
    let partly = partly_read(&snap);
    let outcome = if failed.is_empty() && partly.is_none() {
        Ok(format!("{head} {done}"))
    } else {
        let mut why = vec![format!("{head} {done}")];
        if !failed.is_empty() {
            why.push(format!("NOT revoked: {}", failed.join("; ")));
        }
        if let Some(partly) = partly {
            why.push(format!("only partly read, so some may be missed: {partly}"));
        }
        Err(why.join("; "))
    };
    match &outcome {
        Ok(d) => tracing::info!(provider = %name, detail = %d, "vault sweep done"),
        Err(d) => tracing::warn!(provider = %name, detail = %d, "vault sweep failed"),
    }
    outcome.map(|d| escape(&d)).map_err(|d| escape(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_names_its_provider_before_and_after_it_ran() {
        let planned = sweep_step("bao-2", "ag_1", 3);
        assert_eq!(provider_of(&planned), Some("bao-2"));
        assert!(planned.detail.contains("3 agent(s)"), "{}", planned.detail);
        let ran = OperationStep {
            detail: "Vault bao-2: read again: nothing more".into(),
            ..planned.clone()
        };
        assert_eq!(provider_of(&ran), Some("bao-2"));
        let (action, target) = audit(&ran);
        assert_eq!(action, "vault.sweep");
        assert!(
            target.contains("bao-2") && target.contains("ag_1"),
            "{target}"
        );
    }

    #[tokio::test]
    async fn a_sweep_whose_provider_went_fails_without_reading() {
        let store: Arc<dyn Store> =
            Arc::new(crate::server::store::sqlite::SqliteStore::open_in_memory().unwrap());
        let step = sweep_step("gone", "ag_1", 1);
        let op = Operation {
            id: "op_1".into(),
            kind: "agent.kill".into(),
            target: "ag_1".into(),
            actor: "a".into(),
            reason: "r".into(),
            status: crate::model::OperationStatus::Running,
            steps: vec![step.clone()],
            created_at: chrono::Utc::now(),
            finished_at: None,
        };
        let e = run(&[], &store, &op, &step).await.unwrap_err();
        assert!(
            e.contains("Vault gone:") && e.contains("no longer configured"),
            "{e}"
        );
    }
}
