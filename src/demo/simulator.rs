//! The simulator: the demo fleet's agents at work. Each agent calls the
//! backend over HTTP with its own credential, sending heartbeats and
//! events; an agent whose credential is refused (suspended, killed,
//! revoked) stops, as a well-behaved agent would. An agent the incident
//! player has claimed ([`Claims`]) is left to it.
//!
//! An agent's first report names every place it usually goes, so that
//! what the backend learns about it is complete before learning ends (else
//! a usual host first called later would look new, R12). Calls to a
//! service that takes an API key carry the fingerprint of the agent's own
//! key (R07 compares them).

use super::fleet::{DemoAgent, key_fingerprint};
use super::names::ACTIONS;
use super::rng::Rng;
use crate::api::AgentEvent;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;

/// Requests per tick, whatever the fleet's size: the demo must stay light
/// on a laptop even at 100,000 agents.
const PER_TICK: usize = 40;
const TICK: Duration = Duration::from_millis(1000);

/// The agents the incident player has taken over: the simulator leaves
/// them alone from then on.
#[derive(Debug, Clone, Default)]
pub struct Claims(Arc<Mutex<HashSet<String>>>);

impl Claims {
    pub fn claim(&self, agent_id: &str) {
        if let Ok(mut c) = self.0.lock() {
            c.insert(agent_id.to_string());
        }
    }

    pub fn holds(&self, agent_id: &str) -> bool {
        self.0.lock().is_ok_and(|c| c.contains(agent_id))
    }
}

/// An agent in the simulator's queue.
struct Driven {
    agent: DemoAgent,
    /// Its first report (every usual target) is accepted.
    introduced: bool,
}

/// What became of one agent's call.
enum Outcome {
    Ok(Driven),
    /// Refused: the agent stops.
    Refused(String),
    /// The backend did not answer; try again later.
    Unreachable(Driven),
}

/// A call to `target` as `agent` makes it: with its key's fingerprint if
/// the target takes a key.
pub fn usual_event(
    seed: u64,
    agent: &DemoAgent,
    action: &str,
    target: &'static str,
    scope: Option<String>,
) -> AgentEvent {
    AgentEvent {
        time: None,
        action: action.to_string(),
        target: target.to_string(),
        scope,
        result: Some("ok".into()),
        on_behalf_of: Vec::new(),
        interactive: false,
        credential_fingerprint: key_fingerprint(seed, &agent.agent_id, target),
    }
}

async fn act(client: reqwest::Client, url: String, mut d: Driven, seed: u64, n: u64) -> Outcome {
    let mut rng = Rng::new(seed ^ n);
    let agent = &d.agent;
    let scope = |rng: &mut Rng| (!agent.scopes.is_empty()).then(|| rng.pick(&agent.scopes).clone());
    let request = if !d.introduced {
        let events: Vec<AgentEvent> = agent
            .targets
            .iter()
            .map(|t| usual_event(seed, agent, rng.pick::<&str>(ACTIONS), t, scope(&mut rng)))
            .collect();
        client.post(format!("{url}/v1/agent/events")).json(&events)
    } else if rng.chance(0.6) {
        client.post(format!("{url}/v1/agent/heartbeat"))
    } else {
        let events: Vec<AgentEvent> = (0..1 + rng.below(5))
            .map(|_| {
                let mut e = usual_event(
                    seed,
                    agent,
                    rng.pick::<&str>(ACTIONS),
                    rng.pick::<&str>(&agent.targets),
                    scope(&mut rng),
                );
                if !rng.chance(0.97) {
                    e.result = Some("denied".into());
                }
                e
            })
            .collect();
        client.post(format!("{url}/v1/agent/events")).json(&events)
    };
    match request.bearer_auth(&agent.secret).send().await {
        Ok(r) if r.status().is_success() => {
            d.introduced = true;
            Outcome::Ok(d)
        }
        Ok(r) if r.status() == 401 || r.status() == 403 => Outcome::Refused(d.agent.name),
        _ => Outcome::Unreachable(d),
    }
}

/// Drives `agents` against `url` until the task is aborted, leaving out
/// those `claims` holds.
pub async fn run(url: String, agents: Vec<DemoAgent>, seed: u64, claims: Claims) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the simulator cannot build an HTTP client");
            return;
        }
    };
    let mut queue: VecDeque<Driven> = agents
        .into_iter()
        .map(|agent| Driven {
            agent,
            introduced: false,
        })
        .collect();
    let mut tick = tokio::time::interval(TICK);
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        let mut calls = JoinSet::new();
        for _ in 0..PER_TICK.min(queue.len()) {
            let Some(d) = queue.pop_front() else { break };
            if claims.holds(&d.agent.agent_id) {
                tracing::debug!(agent = %d.agent.name, "left to the incident player");
                continue;
            }
            n += 1;
            calls.spawn(act(client.clone(), url.clone(), d, seed, n));
        }
        while let Some(done) = calls.join_next().await {
            match done {
                Ok(Outcome::Ok(d)) | Ok(Outcome::Unreachable(d)) => queue.push_back(d),
                Ok(Outcome::Refused(name)) => {
                    tracing::info!(agent = %name, "credential refused; the agent stops")
                }
                Err(e) => tracing::warn!(error = %e, "a simulated call panicked"),
            }
        }
    }
}
