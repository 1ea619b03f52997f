//! The incident player: acts out the scenarios of [`schedule`](super::schedule)
//! with the cast of [`cast`](super::cast), over HTTP, exactly as the real
//! actors would. The directory side goes through the API with person
//! tokens (an IAM integration's admin token offboards people and grants
//! access; an on-call responder's token kills); what agents do goes
//! through each agent's own credential. Nothing is written to the database
//! directly: every alert the demo shows is the rule engine's own verdict.
//!
//! An agent the player acts as from then on (the one killed, the one that
//! bursts, the copy of a key) is claimed first, so the simulator leaves it
//! alone. What each incident did is kept in a [`Log`] for the command line
//! and the tests.

use super::cast::{Cast, Performer, Stage};
use super::names::ACTIONS;
use super::schedule::{Beat, Pace, Scenario, Step, schedule};
use super::simulator::{Claims, usual_event};
use crate::api::client::{Client, ClientError};
use crate::api::{AgentEvent, KillRequest, NewGrant};
use crate::model::OperationStatus;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Calls in one burst, reported in one batch: far above five times any
/// demo agent's usual rate, and at least the 50 calls a minute a spike
/// needs.
const BURST: usize = 1_200;

/// What one incident did: the strike, or a step that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Played {
    /// Since the demo started.
    pub at: Duration,
    pub round: u32,
    pub scenario: Scenario,
    pub step: Step,
    /// One line for a presenter.
    pub what: String,
    /// The agents its rules fire on: (id, name).
    pub agents: Vec<(String, String)>,
    /// Why the step could not be played, if it could not.
    pub error: Option<String>,
}

/// What the player has done, newest last.
pub type Log = Arc<Mutex<Vec<Played>>>;

/// The player's tokens and everything it plays with.
pub struct Player {
    pub url: String,
    pub seed: u64,
    pub pace: Pace,
    pub stage: Stage,
    pub claims: Claims,
    /// An admin token: the IAM integration (offboarding, grants).
    pub iam_token: String,
    /// A responder token: the on-call responder (the kill switch).
    pub oncall_token: String,
    pub log: Log,
}

/// The player at work: its clients, and the cast of each incident so far.
struct Run {
    p: Player,
    iam: Client,
    oncall: Client,
    agents: HashMap<String, Client>,
    casts: HashMap<(u32, Scenario), Option<Cast>>,
    start: Instant,
}

/// Plays the schedule until the task is aborted.
pub async fn run(player: Player) {
    let clients = (
        Client::new(&player.url, Some(&player.iam_token)),
        Client::new(&player.url, Some(&player.oncall_token)),
    );
    let (iam, oncall) = match clients {
        (Ok(i), Ok(o)) => (i, o),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "the incident player cannot build a client");
            return;
        }
    };
    let mut run = Run {
        p: player,
        iam,
        oncall,
        agents: HashMap::new(),
        casts: HashMap::new(),
        start: Instant::now(),
    };
    // A window at a time: the schedule is endless.
    let window = run.p.pace.gap.max(Duration::from_millis(100));
    let mut from = Duration::ZERO;
    loop {
        let to = from + window;
        for beat in schedule(run.p.seed, &run.p.pace, from, to) {
            tokio::time::sleep_until(run.start + beat.at).await;
            run.play(beat).await;
        }
        tokio::time::sleep_until(run.start + to).await;
        from = to;
    }
}

fn refs(agents: &[&Performer]) -> Vec<(String, String)> {
    agents
        .iter()
        .map(|a| (a.id().to_string(), a.name().to_string()))
        .collect()
}

fn names(agents: &[Performer]) -> String {
    let mut names: Vec<&str> = agents.iter().map(|a| a.name()).take(3).collect();
    if agents.len() > 3 {
        names.push("…");
    }
    names.join(", ")
}

impl Run {
    async fn play(&mut self, beat: Beat) {
        let key = (beat.round, beat.scenario);
        if !self.casts.contains_key(&key) {
            let cast = self.p.stage.cast(self.p.seed, beat.round, beat.scenario);
            self.casts.insert(key, cast);
        }
        let Some(cast) = self.casts.get(&key).cloned().flatten() else {
            if beat.step == Step::Strike {
                self.record(
                    beat,
                    &[],
                    "skipped".into(),
                    Some("nobody left in the fleet fits".into()),
                );
            }
            return;
        };
        let result = self.act(&cast, beat.step).await;
        let agents = cast.agents();
        match result {
            Ok(what) if beat.step == Step::Strike => self.record(beat, &agents, what, None),
            Ok(what) => tracing::debug!(scenario = ?beat.scenario, step = ?beat.step, "{what}"),
            Err(e) => {
                let what = format!("{} ({:?})", beat.scenario.title(), beat.step);
                self.record(beat, &agents, what, Some(e));
            }
        }
    }

    fn record(&self, beat: Beat, agents: &[&Performer], what: String, error: Option<String>) {
        let at = self.start.elapsed();
        match &error {
            None => tracing::info!(scenario = ?beat.scenario, "incident: {what}"),
            Some(e) => tracing::warn!(scenario = ?beat.scenario, error = %e, "incident: {what}"),
        }
        if let Ok(mut log) = self.p.log.lock() {
            log.push(Played {
                at,
                round: beat.round,
                scenario: beat.scenario,
                step: beat.step,
                what,
                agents: refs(agents),
                error,
            });
        }
    }

    /// The client that speaks with `agent`'s own credential.
    fn agent(&mut self, agent: &Performer) -> Result<Client, String> {
        if let Some(c) = self.agents.get(agent.id()) {
            return Ok(c.clone());
        }
        let c = Client::new(&self.p.url, Some(&agent.agent.secret)).map_err(|e| e.to_string())?;
        self.agents.insert(agent.id().to_string(), c.clone());
        Ok(c)
    }

    async fn report(&mut self, agent: &Performer, events: &[AgentEvent]) -> Result<(), String> {
        let client = self.agent(agent)?;
        client
            .report_events(events)
            .await
            .map(|_| ())
            .map_err(|e| format!("{} could not report: {e}", agent.name()))
    }

    /// `n` of `agent`'s usual calls to `target`, each made into `shape`.
    fn calls(
        &self,
        agent: &Performer,
        target: &'static str,
        n: usize,
        shape: impl Fn(&mut AgentEvent),
    ) -> Vec<AgentEvent> {
        (0..n)
            .map(|i| {
                let action = ACTIONS[i % ACTIONS.len()];
                let mut e = usual_event(self.p.seed, &agent.agent, action, target, None);
                shape(&mut e);
                e
            })
            .collect()
    }

    /// Plays one step; answers what happened, for the log.
    async fn act(&mut self, cast: &Cast, step: Step) -> Result<String, String> {
        match cast {
            Cast::Shadow {
                reporter,
                person,
                shadow,
            } => {
                let chain: Vec<String> = person.iter().cloned().chain([shadow.clone()]).collect();
                let events = self.calls(reporter, reporter.usual_target(), 3, |e| {
                    e.on_behalf_of = chain.clone();
                });
                self.report(reporter, &events).await?;
                Ok(format!(
                    "{shadow:?}, in no inventory, acts through {}{}",
                    reporter.name(),
                    person
                        .as_ref()
                        .map(|p| format!(" for {p}"))
                        .unwrap_or_default()
                ))
            }
            Cast::Offboard {
                person,
                email,
                agents,
            } => {
                self.iam
                    .offboard_person(person, "left the company (HR feed)")
                    .await
                    .map_err(|e| format!("offboarding {email}: {e}"))?;
                Ok(format!(
                    "{email} left the company; their agents keep running: {}",
                    names(agents)
                ))
            }
            Cast::Kill { agent } => self.kill(agent, step).await,
            Cast::Burst { agent, host } => self.burst(agent, host, step).await,
            Cast::Escalate {
                agent,
                email,
                delegated,
                scope,
            } => {
                let events = self.calls(agent, agent.usual_target(), 3, |e| {
                    e.on_behalf_of = vec![email.clone()];
                    e.scope = Some(scope.to_string());
                });
                self.report(agent, &events).await?;
                let gave = if delegated.is_empty() {
                    "nothing".to_string()
                } else {
                    delegated.join(", ")
                };
                Ok(format!(
                    "{} acts for {email} with {scope}, which {email} never delegated (only {gave})",
                    agent.name()
                ))
            }
            Cast::Reuse {
                original,
                copy,
                target,
            } => {
                if step == Step::Strike {
                    // The original at work with its own key…
                    let events = self.calls(original, target, 1, |_| {});
                    self.report(original, &events).await?;
                    self.p.claims.claim(copy.id());
                }
                // … and the copy, configured with the same key.
                let key = super::fleet::key_fingerprint(self.p.seed, original.id(), target);
                let events = self.calls(copy, target, 2, |e| {
                    e.credential_fingerprint = key.clone();
                });
                self.report(copy, &events).await?;
                Ok(format!(
                    "{} calls {target} with {}'s API key",
                    copy.name(),
                    original.name()
                ))
            }
            Cast::Cross { agent, target } => {
                let events = self.calls(agent, target, 2, |_| {});
                self.report(agent, &events).await?;
                Ok(format!(
                    "{} agent {} reads {target}",
                    agent.environment,
                    agent.name()
                ))
            }
            Cast::Grant {
                agent,
                resource,
                scope,
                level,
            } => {
                let grant = NewGrant {
                    resource: resource.clone(),
                    scope: scope.to_string(),
                    level: *level,
                };
                self.iam
                    .add_grant(agent.id(), &grant)
                    .await
                    .map_err(|e| format!("granting {scope} to {}: {e}", agent.name()))?;
                Ok(format!(
                    "{} was granted {level} {scope} on {resource}",
                    agent.name()
                ))
            }
            Cast::Interactive { agent } => {
                let events = self.calls(agent, agent.usual_target(), 2, |e| {
                    e.action = "exec".into();
                    e.interactive = true;
                });
                self.report(agent, &events).await?;
                Ok(format!(
                    "someone drives {}'s credential from a terminal",
                    agent.name()
                ))
            }
        }
    }

    /// Kills the agent through the kill switch, then keeps presenting its
    /// revoked credential, alternating heartbeats and events. Each attempt
    /// must be refused; one that is not is a failure of the kill switch.
    async fn kill(&mut self, agent: &Performer, step: Step) -> Result<String, String> {
        if step == Step::Strike {
            self.p.claims.claim(agent.id());
            let op = self
                .oncall
                .kill(
                    agent.id(),
                    &KillRequest {
                        reason: "suspected compromise (demo incident)".into(),
                        cascade: false,
                        dry_run: false,
                    },
                )
                .await
                .map_err(|e| format!("killing {}: {e}", agent.name()))?;
            if op.status != OperationStatus::Succeeded {
                return Err(format!("the kill of {} ended {}", agent.name(), op.status));
            }
        }
        let client = self.agent(agent)?;
        let attempt = if matches!(step, Step::Again(n) if n % 2 == 0) {
            let events = self.calls(agent, agent.usual_target(), 1, |_| {});
            client.report_events(&events).await.map(|_| ())
        } else {
            client.heartbeat().await
        };
        match attempt {
            Err(ClientError::Api { status: 403, .. }) => Ok(format!(
                "{} was killed; it keeps presenting its revoked credential",
                agent.name()
            )),
            Err(e) => Err(format!("{}'s retry: {e}", agent.name())),
            Ok(()) => Err(format!(
                "{}'s credential was accepted after the kill",
                agent.name()
            )),
        }
    }

    /// Prepare: the agent reports its last minute of usual work, as an
    /// agent that flushes its log once a minute does, for the backend to
    /// learn. (A minute, because a spike is judged by whole minutes that
    /// start after learning: so the burst's minute does, however fast the
    /// demo runs.) Strike: far more calls than usual, all to a host it
    /// never used.
    async fn burst(&mut self, agent: &Performer, host: &str, step: Step) -> Result<String, String> {
        if step == Step::Prepare {
            self.p.claims.claim(agent.id());
            let now = chrono::Utc::now();
            let mut events = Vec::new();
            for ago in [60, 40, 20] {
                for t in &agent.agent.targets {
                    events.extend(self.calls(agent, t, 1, |e| {
                        e.time = Some(now - chrono::Duration::seconds(ago));
                    }));
                }
            }
            self.report(agent, &events).await?;
            return Ok(format!("{} at its usual work", agent.name()));
        }
        let events = self.calls(agent, "docs.corp.example", BURST, |e| {
            e.action = "upload".into();
            e.target = format!("https://{host}/upload");
            e.credential_fingerprint = None;
        });
        self.report(agent, &events).await?;
        Ok(format!(
            "{} sent {BURST} calls in a few seconds to {host}, a host it never used",
            agent.name()
        ))
    }
}
