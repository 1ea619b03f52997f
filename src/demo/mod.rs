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
    simulator: Option<tokio::task::JoinHandle<()>>,
    player: Option<tokio::task::JoinHandle<()>>,
    log: Log,
    _dir: tempfile::TempDir,
}

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
    pub async fn start(opts: DemoOptions) -> anyhow::Result<Demo> {
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
        fleet.import.progress = ImportProgress::new(move |done, total| {
            progress.line(&format!("importing: {done} of {total} rows"));
        });
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
        let server = server::start(store, config, None, listener).await?;
        // Before the dashboard's first sync: its first screen shows the
        // seeded fleet's alerts, not zeros until the first scheduled sweep.
        server
            .sweep_now(chrono::Utc::now())
            .await
            .map_err(|e| anyhow::anyhow!("the first rules sweep of the demo failed: {e}"))?;
        let url = server.url.clone();
        let live_count = live.len();
        let claims = simulator::Claims::default();
        let simulator = opts
            .simulate
            .then(|| tokio::spawn(simulator::run(url.clone(), live, seed, claims.clone())));
        let log = Log::default();
        let player = opts.incidents.zip(stage).map(|(tempo, stage)| {
            tokio::spawn(incidents::run(incidents::Player {
                url: url.clone(),
                seed,
                pace: Pace::new(tempo, &opts.rules),
                stage,
                claims,
                iam_token,
                oncall_token,
                log: log.clone(),
            }))
        });
        Ok(Demo {
            url,
            token,
            agents,
            live: live_count,
            server: Some(server),
            simulator,
            player,
            log,
            _dir: dir,
        })
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
