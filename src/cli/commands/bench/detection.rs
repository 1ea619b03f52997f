//! The detection-latency figures: with the seeded fleet in the store and
//! agents ingesting at full rate, how long from an API action (an agent
//! registered with no owner) to its alert (R01) in the agent's detail, and
//! from a time threshold passing (a credential expiring, which ends the
//! R02 alert of an agent whose owner left) to the alert's change. A
//! server of its own, started after the other figures so its sweeps do
//! not land in them, with the rules' scheduler on and its safety-net sweep
//! an hour away: what is measured is the action's own evaluation, and the
//! evaluation the scheduler runs at the threshold (no whole-fleet sweep:
//! the figure counts any it ran).

use super::progress;
use super::report::{ms, percentile, round};
use super::server::ingest;
use crate::api::client::Client;
use crate::api::{NewAgent, NewCredential, NewPerson};
use crate::config::ServeConfig;
use crate::demo::fleet::DemoAgent;
use crate::model::{AgentKind, AlertStatus};
use crate::secrets;
use crate::server::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Between two measured actions.
const PACE: Duration = Duration::from_millis(200);
/// A cause not seen after this long fails the figure.
const GIVE_UP: Duration = Duration::from_secs(60);
/// Between two threshold samples, each its own task.
const THRESHOLD_PACE: Duration = Duration::from_millis(500);
/// A threshold sample's credential expires this long after it is issued:
/// time for its R02 to open first.
const TTL_SECONDS: u64 = 3;

#[derive(Debug, Default)]
pub(super) struct Detection {
    pub first_sweep_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub samples: usize,
    /// A credential's expiry to its R02 resolved.
    pub threshold_p50_ms: f64,
    pub threshold_p99_ms: f64,
    pub threshold_samples: usize,
    /// Whole-fleet sweeps while measuring (the one at start excluded).
    pub sweeps: u64,
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
    let swept = server.detector().sweeps();
    let thresholds = {
        let client = Client::new(&url, Some(&admin))?;
        tokio::spawn(async move { thresholds(client, duration).await })
    };
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
    let expiries = thresholds.await;
    let sweeps = server.detector().sweeps() - swept;
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
    let (expiries, unmeasured) = expiries??;
    progress(format!(
        "detection: each credential's expiry to its R02 resolved, in order (ms): {}{}",
        expiries
            .iter()
            .map(|l| format!("{l:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        match unmeasured {
            0 => String::new(),
            n => format!(
                "; {n} not measured: their R02 had not opened before the credential expired \
                 ({TTL_SECONDS} s after it was issued)"
            ),
        }
    ));
    Ok(Detection {
        first_sweep_s: round(first_sweep_s, 2),
        p50_ms: round(percentile(latencies.clone(), 50.0), 1),
        p99_ms: round(percentile(latencies.clone(), 99.0), 1),
        samples: latencies.len(),
        threshold_p50_ms: round(percentile(expiries.clone(), 50.0), 1),
        threshold_p99_ms: round(percentile(expiries.clone(), 99.0), 1),
        threshold_samples: expiries.len(),
        sweeps,
    })
}

/// Threshold samples for `duration`, one started every
/// [`THRESHOLD_PACE`]: the milliseconds from each expiry to its alert's
/// change, and how many samples measured nothing because their R02 had
/// not opened before the expiry (an action's own detection too slow).
async fn thresholds(client: Client, duration: Duration) -> anyhow::Result<(Vec<f64>, usize)> {
    let client = Arc::new(client);
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut i = 0usize;
    // The last sample still ends within the ingest.
    let last_start = duration.saturating_sub(Duration::from_secs(TTL_SECONDS + 1));
    while started.elapsed() < last_start {
        let client = client.clone();
        samples.push(tokio::spawn(async move { expiry(&client, i).await }));
        i += 1;
        tokio::time::sleep(THRESHOLD_PACE).await;
    }
    let (mut out, mut unmeasured) = (Vec::new(), 0);
    for s in samples {
        match s.await?? {
            Some(late) => out.push(late),
            None => unmeasured += 1,
        }
    }
    Ok((out, unmeasured))
}

/// One threshold sample: an agent whose owner left, with one credential
/// that expires in [`TTL_SECONDS`] (R02 opens at the offboarding, and
/// resolves at the expiry); answers the milliseconds from the expiry to
/// the resolution in the agent's detail, or none if R02 had not opened
/// before the expiry (there was then no threshold to time).
async fn expiry(client: &Client, i: usize) -> anyhow::Result<Option<f64>> {
    let email = format!("bench-leaver-{i}@bench.example");
    client
        .create_person(&NewPerson {
            name: format!("Bench leaver {i}"),
            email: email.clone(),
            team: None,
            manager: None,
        })
        .await?;
    let agent = client
        .create_agent(&NewAgent {
            name: format!("bench-left-behind-{i}"),
            kind: AgentKind::Autonomous,
            environment: "prod".into(),
            owner: Some(email.clone()),
            description: None,
            runtime: None,
            labels: Default::default(),
        })
        .await?;
    let issued = client
        .issue_credential(
            &agent.id,
            &NewCredential {
                scopes: vec!["bench:read".into()],
                ttl_seconds: Some(TTL_SECONDS),
            },
        )
        .await?;
    let Some(expires) = issued.credential.expires_at else {
        anyhow::bail!("a credential issued with a ttl has no expiry");
    };
    client.offboard_person(&email, "bench: a leaver").await?;
    loop {
        let d = client.get_agent(&agent.id).await?;
        let r02 = d.alerts.iter().find(|a| a.rule == "R02");
        if r02.is_some_and(|a| a.status == AlertStatus::Resolved) {
            break;
        }
        if r02.is_none() && chrono::Utc::now() > expires {
            return Ok(None);
        }
        if chrono::Utc::now() - expires > chrono::Duration::from_std(GIVE_UP)? {
            anyhow::bail!(
                "R02 on {} not resolved {GIVE_UP:?} after expiry",
                agent.name
            );
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let late = (chrono::Utc::now() - expires).to_std().unwrap_or_default();
    Ok(Some(ms(late)))
}
