//! R18, suspended or killed but still trying: a stopped agent that keeps
//! presenting its credentials. Counted where the refusal happens
//! (`auth::Caller::require_live_agent`).
//!
//! The responder's own action must not page: an agent learns it was
//! stopped by being refused, so the refusals in the first
//! `refused_grace_seconds` after the agent was suspended or killed (its
//! last change, `updated_at`) are not counted. After that, the alert opens
//! at `refused_attempts` refusals in one episode (since the grace ended,
//! within the quiet period): high for a suspended agent (a person may
//! resume it), critical for a killed one (nothing legitimate presents a
//! killed agent's credentials). It resolves at once when the agent is
//! resumed ([`agent_resumed`]), and in the sweep when it stopped trying for
//! the quiet period.

use super::config::RuleThresholds;
use super::{before, finding, minutes, when};
use crate::model::{Agent, AgentStatus, Credential, Severity};
use crate::server::AppState;
use crate::server::store::{AgentState, LiveAlert, Resolution};
use chrono::{DateTime, Duration, Utc};

/// How R18 reads and weighs for an agent in `status`: the title that
/// starts its summary, and its severity.
pub fn wording(status: AgentStatus) -> (&'static str, Severity) {
    match status {
        AgentStatus::Killed => ("Killed but still trying", Severity::Critical),
        _ => ("Suspended but still trying", Severity::High),
    }
}

/// When refusals of `agent` start to count.
pub(super) fn grace_end(agent: &Agent, t: &RuleThresholds) -> DateTime<Utc> {
    let grace = Duration::try_seconds(i64::try_from(t.refused_grace_seconds).unwrap_or(i64::MAX))
        .unwrap_or(Duration::MAX);
    agent
        .updated_at
        .checked_add_signed(grace)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// R18: counts the attempt once the grace is over, and raises (or brings
/// up to date) one alert per agent once there are enough.
pub async fn killed_but_trying(state: &AppState, agent: &Agent, credential: &Credential) {
    let t = &state.config.rules;
    let now = Utc::now();
    let counted_from = grace_end(agent, t);
    if now < counted_from {
        return;
    }
    let episode_start = before(now, minutes(t.quiet_minutes)).max(counted_from);
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
    let (title, severity) = wording(agent.status);
    let mut alert = finding(
        "R18",
        &agent.id,
        format!("R18:{}", agent.id),
        severity,
        String::new(),
        format!(
            "{} refused attempt{} since {} (agent {} at {}; the {} s after that are not counted); \
             last: credential {} at {}",
            count.attempts,
            if count.attempts == 1 { "" } else { "s" },
            when(count.first_at),
            agent.status,
            when(agent.updated_at),
            t.refused_grace_seconds,
            credential.id,
            now.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        now,
    );
    alert.alert.summary = format!(
        "{title}: {} agent {} keeps presenting credentials",
        agent.status, agent.name
    );
    match state.store.apply_alerts(&[alert], &[], now).await {
        Ok(applied) => crate::server::guardrails::on_raised(state, &applied.raised).await,
        Err(e) => tracing::warn!(error = %e, agent = %agent.id, "could not raise R18"),
    }
}

/// The agent was resumed: its R18 alert, if any, resolves now rather than
/// at the next sweep, so its risk drops with the cause. A failure is
/// logged; the sweep resolves it later.
pub async fn agent_resumed(state: &AppState, agent: &Agent) {
    let now = Utc::now();
    let live = match state.store.live_alerts("R18").await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, agent = %agent.id, "could not read R18 alerts on resume");
            return;
        }
    };
    let resolve: Vec<Resolution> = live
        .into_iter()
        .filter(|a| a.agent_id.as_deref() == Some(agent.id.as_str()))
        .map(|a| Resolution {
            id: a.id,
            rule: a.rule,
            agent_id: a.agent_id,
            why: resumed(agent),
            seen_at: now,
        })
        .collect();
    if resolve.is_empty() {
        return;
    }
    if let Err(e) = state.store.apply_alerts(&[], &resolve, now).await {
        tracing::warn!(error = %e, agent = %agent.id, "could not resolve R18 on resume");
    }
}

fn resumed(agent: &Agent) -> String {
    format!(
        "agent {} is {} again; its credentials are accepted",
        agent.name, agent.status
    )
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
        return Some(resumed(&s.agent));
    }
    (alert.seen_at <= before(now, minutes(t.quiet_minutes))).then(|| {
        format!(
            "no refused attempt for {} min (last at {})",
            t.quiet_minutes,
            when(alert.seen_at)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wording_and_weight_follow_the_state() {
        assert_eq!(
            wording(AgentStatus::Suspended),
            ("Suspended but still trying", Severity::High)
        );
        assert_eq!(
            wording(AgentStatus::Killed),
            ("Killed but still trying", Severity::Critical)
        );
    }
}
