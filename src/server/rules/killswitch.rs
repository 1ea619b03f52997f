//! R18, killed but still trying: a suspended or killed agent that keeps
//! presenting its credentials. Counted where the refusal happens
//! (`auth::Caller::require_live_agent`); the alert opens after
//! `refused_attempts` refusals in one episode (since the agent's status
//! last changed, within the quiet period), and resolves when the agent is
//! resumed or has stopped trying for the quiet period.

use super::config::RuleThresholds;
use super::{before, finding, minutes, when};
use crate::model::{Agent, AgentStatus, Credential, Severity};
use crate::server::AppState;
use crate::server::store::{AgentState, LiveAlert};
use chrono::{DateTime, Utc};

/// R18: counts the attempt, and raises (or brings up to date) one critical
/// alert per agent once there are enough.
pub async fn killed_but_trying(state: &AppState, agent: &Agent, credential: &Credential) {
    let t = &state.config.rules;
    let now = Utc::now();
    let episode_start = before(now, minutes(t.quiet_minutes)).max(agent.updated_at);
    // Failing to count or raise must not turn a refusal into a 500: the
    // refusal is what keeps the agent out.
    let count = match state
        .store
        .note_refusal(&agent.id, &credential.id, now, episode_start)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, agent = %agent.id, "could not count an R18 attempt");
            return;
        }
    };
    if count.attempts < t.refused_attempts {
        return;
    }
    let alert = finding(
        "R18",
        &agent.id,
        format!("R18:{}", agent.id),
        Severity::Critical,
        format!(
            "{} agent {} keeps presenting credentials",
            agent.status, agent.name
        ),
        format!(
            "{} refused attempt{} since {} (agent {}); last: credential {} at {}",
            count.attempts,
            if count.attempts == 1 { "" } else { "s" },
            when(count.first_at),
            agent.status,
            credential.id,
            now.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        now,
    );
    if let Err(e) = state.store.apply_alerts(&[alert], &[], now).await {
        tracing::warn!(error = %e, agent = %agent.id, "could not raise R18");
    }
}

/// Why a live R18 alert is resolved now, if it is.
pub(super) fn resolved(
    alert: &LiveAlert,
    state: Option<&AgentState>,
    t: &RuleThresholds,
    now: DateTime<Utc>,
) -> Option<String> {
    let Some(s) = state else {
        return Some("the agent is no longer in the inventory".into());
    };
    if !matches!(s.agent.status, AgentStatus::Suspended | AgentStatus::Killed) {
        return Some(format!(
            "agent {} is {} again; its credentials are accepted",
            s.agent.name, s.agent.status
        ));
    }
    (alert.seen_at <= before(now, minutes(t.quiet_minutes))).then(|| {
        format!(
            "no refused attempt for {} min (last at {})",
            t.quiet_minutes,
            when(alert.seen_at)
        )
    })
}
