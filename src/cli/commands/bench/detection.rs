//! The detection-latency figure: with the seeded fleet in the store and
//! agents ingesting at full rate, how long from an API action (an agent
//! registered with no owner) to its alert (R01) in the agent's detail.
//! A server of its own, started after the other figures so its sweeps do
//! not land in them, with the rules' scheduler on and its safety-net sweep
//! an hour away: what is measured is the action's own evaluation.

use super::progress;
use super::report::{ms, percentile, round};
use super::server::ingest;
use crate::api::NewAgent;
use crate::api::client::Client;
use crate::config::ServeConfig;
use crate::demo::fleet::DemoAgent;
use crate::model::AgentKind;
use crate::secrets;
use crate::server::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Between two measured actions.
const PACE: Duration = Duration::from_millis(200);
/// A cause not seen after this long fails the figure.
const GIVE_UP: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub(super) struct Detection {
    pub first_sweep_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub samples: usize,
}

pub(super) async fn measure(
    store: Arc<dyn Store>,
    live: &[DemoAgent],
    seconds: u32,
) -> anyhow::Result<Detection> {
    let admin = secrets::new_person_token();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut config = ServeConfig::default();
    config.rules.sweep_interval_seconds = 3600;
    let started = Instant::now();
    let server = crate::server::start(store, config, Some(&admin), listener).await?;
    while server.detector().sweeps() == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first_sweep_s = started.elapsed().as_secs_f64();
    progress(format!(
        "detection: first sweep of the fleet in {first_sweep_s:.1} s; registering unowned \
         agents while {} agents ingest for {seconds} s…",
        live.len()
    ));
    let url = server.url.clone();
    let (ingest_url, agents) = (url.clone(), live.to_vec());
    let duration = Duration::from_secs(seconds.into());
    let ingesting = tokio::spawn(async move { ingest(&ingest_url, &agents, duration).await });
    let client = Client::new(&url, Some(&admin))?;
    let mut latencies = Vec::new();
    let result = async {
        let mut i = 0usize;
        while !ingesting.is_finished() {
            let t0 = Instant::now();
            let agent = client
                .create_agent(&NewAgent {
                    name: format!("bench-unowned-{i}"),
                    kind: AgentKind::Autonomous,
                    environment: "prod".into(),
                    owner: None,
                    description: None,
                    runtime: None,
                    labels: Default::default(),
                })
                .await?;
            loop {
                let d = client.get_agent(&agent.id).await?;
                if d.alerts.iter().any(|a| a.rule == "R01") {
                    break;
                }
                if t0.elapsed() > GIVE_UP {
                    anyhow::bail!("no R01 on {} after {GIVE_UP:?}", agent.name);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            latencies.push(ms(t0.elapsed()));
            i += 1;
            tokio::time::sleep(PACE).await;
        }
        Ok(())
    }
    .await;
    let ingested = ingesting.await;
    server.shutdown().await;
    // Each sample, in order: a slow one is read against what the server
    // was doing then (the first ones follow the first sweep's writes).
    progress(format!(
        "detection: each action to its alert, in order (ms): {}",
        latencies
            .iter()
            .map(|l| format!("{l:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    result?;
    ingested??;
    Ok(Detection {
        first_sweep_s: round(first_sweep_s, 2),
        p50_ms: round(percentile(latencies.clone(), 50.0), 1),
        p99_ms: round(percentile(latencies.clone(), 99.0), 1),
        samples: latencies.len(),
    })
}
