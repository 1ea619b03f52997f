//! `warden demo`: the reference backend in this process, on loopback, over a
//! temporary database, seeded with a realistic fleet that a simulator keeps
//! alive and in which incidents play, one a minute, so that every rule
//! fires within ten minutes. Everything talks HTTP, as with any other
//! backend.

pub mod cast;
pub mod fleet;
pub mod incidents;
mod names;
mod rng;
pub mod schedule;
pub mod simulator;
pub mod vault;

use crate::config::RuleThresholds;
use crate::config::{ProviderConfig, ServeConfig};
use crate::model::Role;
use crate::secrets;
use crate::server::store::{Actor, ImportProgress, Store, TokenSpec};
use crate::server::{self, RunningServer};
use incidents::{Log, Played};
use schedule::{Pace, Tempo};
use std::net::SocketAddr;
use std::sync::Arc;

/// The most agents a demo seeds.
pub const MAX_AGENTS: usize = 100_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub agents: usize,
    pub seed: u64,
    pub listen: SocketAddr,
    /// Run the simulator (off for a still fleet, e.g. screenshots).
    pub simulate: bool,
    /// Play incidents at this tempo (none: a fleet without incidents).
    pub incidents: Option<Tempo>,
    /// The backend's rule thresholds; [`thresholds`] for a demo.
    pub rules: RuleThresholds,
    /// The config's `[[serve.provider]]`s: a kill in the demo revokes the
    /// agent's linked Vault credentials as `warden serve`'s does.
    pub providers: Vec<ProviderConfig>,
    /// Told each step of the start (generating, importing n of N), so a
    /// demo of 100,000 agents never sits silent.
    pub tell: Tell,
}

/// Whoever wants to hear how a demo's start is going: one line a step.
#[derive(Clone, Default)]
pub struct Tell(Option<Arc<TellLine>>);

type TellLine = dyn Fn(&str) + Send + Sync;

impl Tell {
    pub fn new(report: impl Fn(&str) + Send + Sync + 'static) -> Tell {
        Tell(Some(Arc::new(report)))
    }

    fn line(&self, text: &str) {
        if let Some(report) = &self.0 {
            report(text);
        }
    }
}

impl std::fmt::Debug for Tell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tell")
    }
}

impl DemoOptions {
    /// What `warden demo` runs: the simulator, incidents one a minute, and
    /// the demo's thresholds.
    pub fn new(agents: usize, seed: u64, listen: SocketAddr) -> DemoOptions {
        DemoOptions {
            agents,
            seed,
            listen,
            simulate: true,
            incidents: Some(Tempo::DEMO),
            rules: thresholds(),
            providers: Vec::new(),
            tell: Tell::default(),
        }
    }
}

/// The rule thresholds of a demo: the defaults of `rules.md`, except a
/// sweep every 30 s (instead of 60) and 2 minutes of learning an agent's
/// behaviour (instead of 60), so that a ten-minute demo shows every rule.
pub fn thresholds() -> RuleThresholds {
    RuleThresholds {
        sweep_interval_seconds: 30,
        learning_minutes: 2,
        ..RuleThresholds::default()
    }
}

/// The demo's one guardrail, so a new user sees one work: an activity
/// spike (R11) on a non-production agent freezes it after 30 s unless a
/// responder stops it (`s` on the alert) or acts first.
pub fn guardrail() -> crate::config::GuardrailConfig {
    crate::config::GuardrailConfig {
        name: "freeze-spikes".into(),
        rule: vec!["R11".into()],
        severity: None,
        environment: names::ENVIRONMENTS
            .iter()
            .filter(|e| **e != "prod")
            .map(|e| e.to_string())
            .collect(),
        kind: Vec::new(),
        labels: Default::default(),
        filter: None,
        action: crate::config::GuardAction::Freeze,
        grace_seconds: 30,
        max_per_hour: 10,
    }
}

/// A running demo. Dropping it stops the simulator and the incidents; call
/// [`Demo::shutdown`] to stop the server too.
pub struct Demo {
    pub url: String,
    /// A responder token: what the dashboard and `WARDEN_TOKEN` use.
    pub token: String,
    pub agents: usize,
    pub live: usize,
    server: Option<RunningServer>,
    /// What [`Demo::ready`] starts once the first sweep is done.
    cast: Option<Cast>,
    simulator: Option<tokio::task::JoinHandle<()>>,
    player: Option<tokio::task::JoinHandle<()>>,
    log: Log,
    tell: Tell,
    _dir: tempfile::TempDir,
}

/// The simulator's agents and the incidents' stage, waiting for the fleet's
/// first sweep.
struct Cast {
    live: Vec<fleet::DemoAgent>,
    stage: Option<cast::Stage>,
    seed: u64,
    simulate: bool,
    incidents: Option<Tempo>,
    rules: RuleThresholds,
    iam_token: String,
    oncall_token: String,
    /// The scheduler sweeps at once when it starts; without one (an
    /// interval of 0) the demo sweeps itself.
    scheduled: bool,
}

/// How often a first sweep still under way is told.
const STILL_SWEEPING: std::time::Duration = std::time::Duration::from_secs(5);

/// Creates a person token and answers its secret: the demo's own setup,
/// like the fleet it seeds.
async fn new_token(store: &Arc<dyn Store>, name: &str, role: Role) -> anyhow::Result<String> {
    let token = secrets::new_person_token();
    store
        .create_token(&Actor::new("demo"), &TokenSpec::session(name, role, &token))
        .await?;
    Ok(token)
}

impl Demo {
    /// [`Demo::serve`], then [`Demo::ready`]: a demo whose first answer
    /// already holds the fleet's alerts, with the simulator and incidents
    /// running.
    pub async fn start(opts: DemoOptions) -> anyhow::Result<Demo> {
        let mut demo = Demo::serve(opts).await?;
        demo.ready().await?;
        Ok(demo)
    }

    /// Generates and imports the fleet and serves it: `url` answers when
    /// this returns, while the rules' first sweep of the fleet runs (its
    /// alerts are not all there yet; [`Demo::ready`] waits for them).
    pub async fn serve(opts: DemoOptions) -> anyhow::Result<Demo> {
        if opts.agents == 0 || opts.agents > MAX_AGENTS {
            anyhow::bail!("--agents must be between 1 and {MAX_AGENTS}");
        }
        let dir = tempfile::Builder::new().prefix("warden-demo-").tempdir()?;
        let db = dir.path().join("demo.db");
        let store = server::open_store(&format!("sqlite:{}", db.display()))?;
        let (agents, seed) = (opts.agents, opts.seed);
        let tell = opts.tell.clone();
        tell.line(&format!("generating {agents} agents…"));
        let started = std::time::Instant::now();
        let mut fleet =
            tokio::task::spawn_blocking(move || fleet::generate(agents, seed, chrono::Utc::now()))
                .await?;
        let stage = opts.incidents.is_some().then(|| cast::Stage::new(&fleet));
        let live = fleet.live;
        let rows = fleet.import.rows();
        tell.line(&format!(
            "generated {} people, {agents} agents, {} credentials, {} grants in {:.1} s; \
             importing {rows} rows…",
            fleet.import.people.len(),
            fleet.import.credentials.len(),
            fleet.import.grants.len(),
            started.elapsed().as_secs_f64()
        ));
        let started = std::time::Instant::now();
        let progress = tell.clone();
        fleet.import.progress = ImportProgress::new(move |stage| progress.line(&stage.to_string()));
        store.import(&Actor::new("demo"), fleet.import).await?;
        tell.line(&format!(
            "imported in {:.1} s; starting the server…",
            started.elapsed().as_secs_f64()
        ));
        let token = new_token(&store, "demo-responder", Role::Responder).await?;
        // The incidents' actors: an IAM integration and an on-call
        // responder, each with a token of its own, so the audit tells
        // them apart from whoever drives the dashboard.
        let iam_token = new_token(&store, "demo-iam", Role::Admin).await?;
        let oncall_token = new_token(&store, "demo-oncall", Role::Responder).await?;
        // A token once made for a CI job and for no person, long forgotten:
        // rule R21's finding at the first sweep, like the fleet's own.
        let forgotten = TokenSpec {
            origin: crate::api::TokenOrigin::Api,
            ..TokenSpec::session("ci-deploy", Role::Responder, &secrets::new_person_token())
        };
        store.create_token(&Actor::new("demo"), &forgotten).await?;
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
        let config = ServeConfig {
            rules: opts.rules.clone(),
            providers: opts.providers.clone(),
            guardrails: vec![guardrail()],
            ..ServeConfig::default()
        };
        // Its scheduler starts the first sweep of the fleet at once, so
        // the sweep runs while the caller tells the user where to look.
        let server = server::start(store, config, None, listener).await?;
        let url = server.url.clone();
        Ok(Demo {
            url,
            token,
            agents,
            live: live.len(),
            server: Some(server),
            cast: Some(Cast {
                live,
                stage,
                seed,
                simulate: opts.simulate,
                incidents: opts.incidents,
                scheduled: opts.rules.sweep_interval_seconds > 0,
                rules: opts.rules,
                iam_token,
                oncall_token,
            }),
            simulator: None,
            player: None,
            log: Log::default(),
            tell,
            _dir: dir,
        })
    }

    /// Whether the rules' first sweep of the fleet is still to finish.
    pub fn sweeping(&self) -> bool {
        self.cast.is_some()
            && self
                .server
                .as_ref()
                .is_some_and(|s| s.detector().sweeps() == 0)
    }

    /// Waits for the rules' first sweep of the seeded fleet (so a first
    /// screen shows its alerts, not zeros), telling every few seconds that
    /// it is still under way; then starts the simulator and the
    /// incidents. Answers how long it waited; a second call waits for
    /// nothing.
    pub async fn ready(&mut self) -> anyhow::Result<std::time::Duration> {
        let started = std::time::Instant::now();
        let (Some(cast), Some(server)) = (self.cast.take(), self.server.as_ref()) else {
            return Ok(started.elapsed());
        };
        self.tell.line(&format!(
            "the rules' first sweep of {} agents…",
            self.agents
        ));
        if cast.scheduled {
            let mut told = started;
            while server.detector().sweeps() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                if told.elapsed() >= STILL_SWEEPING {
                    told = std::time::Instant::now();
                    self.tell.line(&format!(
                        "the rules' first sweep: still under way after {:.0} s",
                        started.elapsed().as_secs_f64()
                    ));
                }
            }
        } else {
            server
                .sweep_now(chrono::Utc::now())
                .await
                .map_err(|e| anyhow::anyhow!("the first rules sweep of the demo failed: {e}"))?;
        }
        let swept = started.elapsed();
        self.tell.line(&format!(
            "the rules' first sweep done in {:.1} s",
            swept.as_secs_f64()
        ));
        let claims = simulator::Claims::default();
        let Cast {
            live,
            stage,
            seed,
            simulate,
            incidents,
            rules,
            iam_token,
            oncall_token,
            ..
        } = cast;
        let url = self.url.clone();
        self.simulator =
            simulate.then(|| tokio::spawn(simulator::run(url.clone(), live, seed, claims.clone())));
        let log = self.log.clone();
        self.player = incidents.zip(stage).map(|(tempo, stage)| {
            tokio::spawn(incidents::run(incidents::Player {
                url: url.clone(),
                seed,
                pace: Pace::new(tempo, &rules),
                stage,
                claims,
                iam_token,
                oncall_token,
                log,
            }))
        });
        Ok(swept)
    }

    /// What the incidents have done so far, oldest first.
    pub fn incidents(&self) -> Vec<Played> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn stop_tasks(&mut self) {
        for task in [self.simulator.take(), self.player.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }

    pub async fn shutdown(mut self) {
        self.stop_tasks();
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.stop_tasks();
    }
}
