//! `warden demo`: the reference backend in this process, on loopback, over a
//! temporary database, seeded with a realistic fleet that a simulator keeps
//! alive. Everything talks HTTP, as with any other backend.

pub mod cast;
pub mod fleet;
mod names;
mod rng;
pub mod schedule;
pub mod simulator;

use crate::config::ServeConfig;
use crate::model::Role;
use crate::secrets;
use crate::server::rules::config::RuleThresholds;
use crate::server::store::Actor;
use crate::server::{self, RunningServer};
use std::net::SocketAddr;

/// The most agents a demo seeds.
pub const MAX_AGENTS: usize = 100_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub agents: usize,
    pub seed: u64,
    pub listen: SocketAddr,
    /// Run the simulator (off for a still fleet, e.g. screenshots).
    pub simulate: bool,
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

/// A running demo. Dropping it stops the simulator; call
/// [`Demo::shutdown`] to stop the server too.
pub struct Demo {
    pub url: String,
    /// A responder token: what the dashboard and `WARDEN_TOKEN` use.
    pub token: String,
    pub agents: usize,
    pub live: usize,
    server: Option<RunningServer>,
    simulator: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
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
        let fleet =
            tokio::task::spawn_blocking(move || fleet::generate(agents, seed, chrono::Utc::now()))
                .await?;
        let live = fleet.live;
        store.import(&Actor::new("demo"), fleet.import).await?;
        let token = secrets::new_person_token();
        store
            .create_token(
                &Actor::new("demo"),
                "demo-responder",
                Role::Responder,
                None,
                &secrets::hash(&token),
                &secrets::display_prefix(&token),
            )
            .await?;
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
        let server = server::start(store, ServeConfig::default(), None, listener).await?;
        let url = server.url.clone();
        let live_count = live.len();
        let simulator = opts
            .simulate
            .then(|| tokio::spawn(simulator::run(url.clone(), live, seed, Default::default())));
        Ok(Demo {
            url,
            token,
            agents,
            live: live_count,
            server: Some(server),
            simulator,
            _dir: dir,
        })
    }

    pub async fn shutdown(mut self) {
        if let Some(s) = self.simulator.take() {
            s.abort();
        }
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(s) = self.simulator.take() {
            s.abort();
        }
    }
}
