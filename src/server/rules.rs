//! Detection rules that fire on what the server sees. For now the one that
//! watches the kill switch: R18, a suspended or killed agent that keeps
//! presenting credentials.

use crate::model::{Agent, Credential, Severity};
use crate::server::AppState;
use crate::server::store::AlertInput;

/// R18: raises (or brings up to date) one critical alert per agent.
pub async fn killed_but_trying(state: &AppState, agent: &Agent, credential: &Credential) {
    let alert = AlertInput {
        agent_id: Some(agent.id.clone()),
        rule: "R18".into(),
        cause: format!("R18:{}", agent.id),
        severity: Severity::Critical,
        summary: format!("{} agent keeps presenting credentials", agent.status),
        evidence: format!(
            "credential {} refused at {} (agent {})",
            credential.id,
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC"),
            agent.status
        ),
    };
    // Failing to raise an alert must not turn a refusal into a 500: the
    // refusal is what keeps the agent out.
    if let Err(e) = state.store.raise_alert(&alert).await {
        tracing::warn!(error = %e, agent = %agent.id, "could not raise R18");
    }
}
