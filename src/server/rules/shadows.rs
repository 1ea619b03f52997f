//! R17, shadow agents: identities registered agents act for that nobody
//! registered, and what the backend does once one is stopped.
//!
//! R17's signal, decided here: the backend never sees an unregistered
//! agent's own requests (it has no credential), but it does see the
//! `on_behalf_of` chains registered agents report. An agent named in a
//! chain, by id or name, that the inventory does not hold is an agent
//! acting in the fleet that nobody registered. The person slot (the first
//! entry, when it is a person or looks like an email) is not an agent.
//!
//! Each such identity gets a shadow entry in the inventory (the store's
//! `shadows`), and its R17 alert is on that entry, naming the relay. Once
//! the entry (or any agent) is suspended or killed, a batch whose chain
//! names it is refused ([`crate::server::routes`]' agent API), and a relay
//! that keeps sending them is flagged by its own R17 alert, counted like
//! R18 (after the grace, at `refused_attempts`).

use super::activity::{Batch, Use, identities, split_chain};
use super::config::RuleThresholds;
use super::killswitch::grace_end;
use super::{before, finding, minutes, plural, when};
use crate::model::{Agent, AgentStatus, Credential, Severity};
use crate::server::AppState;
use crate::server::store::{
    BatchFacts, Finding, LiveAlert, ShadowSighting, Store, StoreError, StoreResult,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The cause of a relay's R17, after `R17:`: `relay:{relay id}:{name}`.
const RELAY_CAUSE: &str = "relay:";

/// R17's signal in a batch: the identities its chains name that are
/// neither a person nor a registered agent (a shadow entry is still
/// unregistered), with how often and when.
pub(super) fn sightings(batch: &Batch, facts: &BatchFacts) -> Vec<ShadowSighting> {
    let ids = identities(facts);
    let mut shadows: BTreeMap<&str, Use> = BTreeMap::new();
    for ((chain, _), u) in &batch.chains {
        let (_, agents) = split_chain(chain, &ids);
        for key in agents {
            // Not looked up (past the cap) is not known to be unknown.
            let Some(fact) = ids.get(key.as_str()) else {
                continue;
            };
            if fact.person.is_none() && (fact.agent.is_none() || fact.shadow) {
                let s = shadows
                    .entry(key.as_str())
                    .or_insert_with(|| Use::new(u.first));
                s.calls = s.calls.saturating_add(u.calls);
                s.first = s.first.min(u.first);
                s.last = s.last.max(u.last);
            }
        }
    }
    shadows
        .into_iter()
        .map(|(key, u)| ShadowSighting {
            key: key.to_string(),
            first: u.first,
            last: u.last,
            calls: u64::from(u.calls),
        })
        .collect()
}

/// R17: one alert per shadow identity, wherever it is reported from, on
/// its shadow entry (`entries`, by id or name) with the relay named; on
/// the relay when the identity could have no entry (its name reads as an
/// id, or looks like another agent's).
pub(super) fn findings(
    relay: &Agent,
    sightings: &[ShadowSighting],
    entries: &[Agent],
) -> Vec<Finding> {
    sightings
        .iter()
        .map(|s| {
            let key = &s.key;
            let entry = entries.iter().find(|a| &a.id == key || &a.name == key);
            let subject = entry.map_or(relay.id.as_str(), |a| a.id.as_str());
            let kept = match entry {
                Some(a) => format!(
                    "kept in the inventory as shadow entry {} (unowned, no credentials)",
                    a.id
                ),
                None => "it cannot be kept in the inventory under that name".into(),
            };
            finding(
                "R17",
                subject,
                format!("R17:{key}"),
                Severity::High,
                format!(
                    "{key:?} acts through {:?}; nobody registered it",
                    relay.name
                ),
                format!(
                    "{key:?} in the delegation chain of {} reported by {:?} ({}); \
                     no registered agent has that id or name; {kept}; latest {}",
                    plural(
                        usize::try_from(s.calls).unwrap_or(usize::MAX),
                        "event",
                        "events"
                    ),
                    relay.name,
                    relay.id,
                    when(s.last)
                ),
                s.last,
            )
        })
        .collect()
}

/// R17 resolves when the identity is registered, or after the quiet
/// period without a chain naming it.
pub(super) async fn resolved(
    store: &dyn Store,
    alert: &LiveAlert,
    t: &RuleThresholds,
    now: DateTime<Utc>,
) -> StoreResult<Option<String>> {
    let Some(key) = alert.cause.strip_prefix("R17:") else {
        return Ok(None);
    };
    if let Some(relayed) = key.strip_prefix(RELAY_CAUSE) {
        let name = relayed.split_once(':').map_or(relayed, |(_, n)| n);
        return Ok(
            (alert.seen_at <= before(now, minutes(t.quiet_minutes))).then(|| {
                format!(
                    "no batch acting for {name:?} refused for {} min (last {})",
                    t.quiet_minutes,
                    when(alert.seen_at)
                )
            }),
        );
    }
    match store.resolve_agent(key).await {
        Ok(a) if a.status == AgentStatus::Killed => Ok(Some(format!(
            "{key:?} was killed ({}); anything done for it is refused",
            a.id
        ))),
        Ok(a) if !a.is_shadow() => Ok(Some(format!(
            "{key:?} is in the inventory now, as {} agent {} ({})",
            a.origin(),
            a.name,
            a.id
        ))),
        Ok(_) | Err(StoreError::NotFound(_)) => Ok((alert.seen_at
            <= before(now, minutes(t.quiet_minutes)))
        .then(|| {
            format!(
                "no event named {key:?} for {} min (last seen {})",
                t.quiet_minutes,
                when(alert.seen_at)
            )
        })),
        Err(e) => Err(e),
    }
}

/// A batch from `relay` named `stopped` (suspended or killed) in a chain
/// and was refused: counted once the grace after the stop is over, and at
/// `refused_attempts` the relay gets an R17 alert of its own (critical
/// when the identity was killed, high when suspended).
pub async fn relay_refused(
    state: &AppState,
    relay: &Agent,
    credential: &Credential,
    stopped: &Agent,
) {
    let t = &state.config.rules;
    let now = Utc::now();
    let counted_from = grace_end(stopped, t);
    if now < counted_from {
        return;
    }
    let episode_start = before(now, minutes(t.quiet_minutes)).max(counted_from);
    let key = format!("{RELAY_CAUSE}{}:{}", relay.id, stopped.id);
    // Failing to count must not turn the refusal into a 500.
    let count = match state
        .store
        .note_refusal(&key, &credential.id, now, episode_start)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, relay = %relay.id, "could not count a relayed refusal");
            return;
        }
    };
    if count.attempts < t.refused_attempts {
        return;
    }
    let severity = match stopped.status {
        AgentStatus::Killed => Severity::Critical,
        _ => Severity::High,
    };
    let alert = finding(
        "R17",
        &relay.id,
        format!("R17:{RELAY_CAUSE}{}:{}", relay.id, stopped.name),
        severity,
        format!(
            "{:?} keeps acting for {} {:?}",
            relay.name, stopped.status, stopped.name
        ),
        format!(
            "{} refused batch{} since {} named {:?} ({}) in on_behalf_of; it was {} at {} \
             (the {} s after that are not counted); last: credential {} at {}",
            count.attempts,
            if count.attempts == 1 { "" } else { "es" },
            when(count.first_at),
            stopped.name,
            stopped.id,
            stopped.status,
            when(stopped.updated_at),
            t.refused_grace_seconds,
            credential.id,
            now.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        now,
    );
    if let Err(e) = state.store.apply_alerts(&[alert], &[], now).await {
        tracing::warn!(error = %e, relay = %relay.id, "could not raise the relay's R17");
    }
}
