//! The simulator: the demo fleet's agents at work. Each agent calls the
//! backend over HTTP with its own credential, sending heartbeats and
//! events; an agent whose credential is refused (suspended, killed,
//! revoked) stops, as a well-behaved agent would.

use super::fleet::DemoAgent;
use super::names::ACTIONS;
use super::rng::Rng;
use crate::api::AgentEvent;
use std::collections::VecDeque;
use std::time::Duration;
use tokio::task::JoinSet;

/// Requests per tick, whatever the fleet's size: the demo must stay light
/// on a laptop even at 100,000 agents.
const PER_TICK: usize = 40;
const TICK: Duration = Duration::from_millis(1000);

/// What became of one agent's call.
enum Outcome {
    Ok(DemoAgent),
    /// Refused: the agent stops.
    Refused(String),
    /// The backend did not answer; try again later.
    Unreachable(DemoAgent),
}

async fn act(client: reqwest::Client, url: String, agent: DemoAgent, seed: u64) -> Outcome {
    let mut rng = Rng::new(seed);
    let request = if rng.chance(0.6) {
        client.post(format!("{url}/v1/agent/heartbeat"))
    } else {
        let events: Vec<AgentEvent> = (0..1 + rng.below(5))
            .map(|_| AgentEvent {
                time: None,
                action: rng.pick(ACTIONS).to_string(),
                target: rng.pick(&agent.targets).to_string(),
                scope: (!agent.scopes.is_empty()).then(|| rng.pick(&agent.scopes).clone()),
                result: Some(if rng.chance(0.97) { "ok" } else { "denied" }.into()),
                on_behalf_of: Vec::new(),
                interactive: false,
                credential_fingerprint: None,
            })
            .collect();
        client.post(format!("{url}/v1/agent/events")).json(&events)
    };
    match request.bearer_auth(&agent.secret).send().await {
        Ok(r) if r.status().is_success() => Outcome::Ok(agent),
        Ok(r) if r.status() == 401 || r.status() == 403 => Outcome::Refused(agent.name),
        _ => Outcome::Unreachable(agent),
    }
}

/// Drives `agents` against `url` until the task is aborted.
pub async fn run(url: String, agents: Vec<DemoAgent>, seed: u64) {
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
    let mut queue: VecDeque<DemoAgent> = agents.into();
    let mut tick = tokio::time::interval(TICK);
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        let mut calls = JoinSet::new();
        for _ in 0..PER_TICK.min(queue.len()) {
            if let Some(agent) = queue.pop_front() {
                n += 1;
                calls.spawn(act(client.clone(), url.clone(), agent, seed ^ n));
            }
        }
        while let Some(done) = calls.join_next().await {
            match done {
                Ok(Outcome::Ok(agent)) | Ok(Outcome::Unreachable(agent)) => queue.push_back(agent),
                Ok(Outcome::Refused(name)) => {
                    tracing::info!(agent = %name, "credential refused; the agent stops")
                }
                Err(e) => tracing::warn!(error = %e, "a simulated call panicked"),
            }
        }
    }
}
