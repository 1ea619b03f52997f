//! The server side, in this process: a seeded reference backend on
//! loopback, then the polling, ingest and kill figures taken over HTTP once
//! the dashboard side is done.

use super::dashboard::dashboard_child;
use super::report::{machine, median, ms, peak_mb, percentile, round};
use super::{
    BATCH, ClientFigures, INGESTERS, KILL_CREDENTIALS, KILLS, POLLERS, Report, progress, raw_insert,
};
use crate::api::client::Client;
use crate::api::{AgentEvent, KillRequest};
use crate::cli::args::BenchArgs;
use crate::config::ServeConfig;
use crate::demo::fleet::{self, DemoAgent};
use crate::model::{AgentStatus, Credential, CredentialStatus, Role};
use crate::secrets;
use crate::server::store::{Actor, Import, ImportProgress, Store, TokenSpec};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The demo fleet scaled to `credentials`, with `KILLS` agents holding
/// `KILL_CREDENTIALS` each; answers the import, the agents that will be
/// killed, and agents with a working secret for the ingest (none of them
/// among the killed).
pub(super) fn seed(agents: usize, credentials: usize) -> (Import, Vec<String>, Vec<DemoAgent>) {
    let now = chrono::Utc::now();
    let generated = fleet::generate(agents, 42, now);
    let mut import = generated.import;
    let victims: Vec<String> = import
        .agents
        .iter()
        .rev()
        .filter(|a| a.status == AgentStatus::Active)
        .take(KILLS)
        .map(|a| a.id.clone())
        .collect();
    let live: Vec<DemoAgent> = generated
        .live
        .into_iter()
        .filter(|a| !victims.contains(&a.agent_id))
        .take(INGESTERS)
        .collect();
    let mut extra = 0usize;
    let mut add = |import: &mut Import, agent_id: &str| {
        // These secrets are never used, so they need not be random; the
        // hash keeps each one distinct as the store requires.
        let secret = format!("{}bench-{extra}", secrets::AGENT_SECRET_PREFIX);
        let cred = Credential {
            id: format!("crd_bench{extra:09}"),
            agent_id: agent_id.to_string(),
            scopes: vec!["tickets:read".into()],
            prefix: secrets::display_prefix(&secret),
            issued_at: now - chrono::Duration::days(1),
            expires_at: None,
            last_used_at: None,
            status: CredentialStatus::Active,
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
            fingerprint: None,
            rev: 0,
        };
        import.credentials.push((cred, secrets::hash(&secret)));
        extra += 1;
    };
    for v in &victims {
        let held = import
            .credentials
            .iter()
            .filter(|(c, _)| &c.agent_id == v)
            .count();
        for _ in held..KILL_CREDENTIALS {
            add(&mut import, v);
        }
    }
    let ids: Vec<String> = import.agents.iter().map(|a| a.id.clone()).collect();
    let mut k = 0;
    while import.credentials.len() < credentials && !ids.is_empty() {
        add(&mut import, &ids[k % ids.len()]);
        k += 1;
    }
    (import, victims, live)
}

pub(super) async fn server_side(args: &BenchArgs) -> anyhow::Result<Report> {
    // Only when asked: the bench's own stderr stays its progress lines.
    if std::env::var_os("WARDEN_LOG").is_some() {
        crate::server::init_logging();
    }
    let n = args.agents as usize;
    let m = args.credentials.map_or(3 * n, |c| c as usize);
    let dir = tempfile::Builder::new().prefix("warden-bench-").tempdir()?;
    let database = match &args.database {
        Some(d) => d.clone(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    let began = Instant::now();
    progress(format!("generating {n} agents and {m} credentials…"));
    let t = Instant::now();
    let (mut import, victims, live) = tokio::task::spawn_blocking(move || seed(n, m)).await?;
    let generate_s = t.elapsed().as_secs_f64();
    let (agents, credentials, rows) =
        (import.agents.len(), import.credentials.len(), import.rows());
    progress(format!(
        "generated in {generate_s:.1} s; importing {rows} rows into {}…",
        database
    ));
    import.progress = ImportProgress::new(progress);
    let t = Instant::now();
    let store: Arc<dyn Store> = crate::server::open_store(&database)?;
    store.import(&Actor::new("bench"), import).await?;
    let import_s = t.elapsed().as_secs_f64();
    progress(format!(
        "imported in {import_s:.1} s ({:.0} rows/s)",
        rows as f64 / import_s
    ));

    let admin = secrets::new_person_token();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut config = ServeConfig::default();
    // A sweep of every agent would land at a random moment of the run.
    config.rules.sweep_interval_seconds = 0;
    let server = crate::server::start(store.clone(), config, Some(&admin), listener).await?;
    let url = server.url.clone();
    let sqlite = database
        .strip_prefix("sqlite://")
        .or_else(|| database.strip_prefix("sqlite:"))
        .filter(|p| *p != ":memory:")
        .map(std::path::PathBuf::from);
    let result = drive(
        &url,
        &admin,
        sqlite.as_deref(),
        &store,
        &victims,
        &live,
        args,
    )
    .await;
    server.shutdown().await;
    let mut report = result?;
    let detection = super::detection::measure(store.clone(), &live, args.ingest_seconds).await?;
    report.detect_first_sweep_s = detection.first_sweep_s;
    report.detect_p50_ms = detection.p50_ms;
    report.detect_p99_ms = detection.p99_ms;
    report.detect_samples = detection.samples;
    report.detect_threshold_p50_ms = detection.threshold_p50_ms;
    report.detect_threshold_p99_ms = detection.threshold_p99_ms;
    report.detect_threshold_samples = detection.threshold_samples;
    report.detect_sweeps = detection.sweeps;
    report.agents = agents;
    report.credentials = credentials;
    report.generate_s = round(generate_s, 2);
    report.import_s = round(import_s, 2);
    report.import_rows = rows;
    report.store = if database.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    report.server_peak_mb = peak_mb().map(|m| round(m, 1));
    report.bench_s = round(began.elapsed().as_secs_f64(), 1);
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
async fn drive(
    url: &str,
    admin: &str,
    sqlite: Option<&std::path::Path>,
    store: &Arc<dyn Store>,
    victims: &[String],
    live: &[DemoAgent],
    args: &BenchArgs,
) -> anyhow::Result<Report> {
    progress("the dashboard side: first sync, frames, filter, sort, a poll of 1,000 changes…");
    let viewer = {
        let token = secrets::new_person_token();
        store
            .create_token(
                &Actor::new("bench"),
                &TokenSpec::session("bench-dashboard", Role::Responder, &token),
            )
            .await?;
        token
    };
    // Where the first sync's time goes on the server: the read, then the
    // encoding (told here, not part of the figures).
    let t = Instant::now();
    let all = store.changes(0).await?;
    let read = t.elapsed();
    let t = Instant::now();
    let bytes = serde_json::to_vec(&all)?.len();
    progress(format!(
        "the server reads everything in {:.2} s and encodes it ({:.0} MB) in {:.2} s",
        read.as_secs_f64(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    ));
    drop(all);
    // The same for the summary form the dashboard asks for (the server
    // keeps its answer until the fleet changes; a cold one costs this).
    let t = Instant::now();
    let summary = store.changes_summary(0).await?;
    let read = t.elapsed();
    let t = Instant::now();
    let bytes = serde_json::to_vec(&summary)?.len();
    progress(format!(
        "the summary form: read and counted in {:.2} s, encoded ({:.0} MB) in {:.2} s",
        read.as_secs_f64(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    ));
    drop(summary);
    // A dashboard side that fails (at a million agents its first sync may
    // not answer in time) leaves its figures out, says why, and the
    // server's figures are still taken; the command then fails.
    let (client, dashboard_error) = match dashboard_child(url, &viewer).await {
        Ok(client) => {
            progress(format!(
                "synced {} agents in {:.2} s (fetch {:.2} s, apply {:.2} s)",
                client.agents_synced, client.full_sync_s, client.fetch_s, client.apply_s
            ));
            (client, None)
        }
        Err(e) => {
            let why = format!("{e:#}");
            progress(format!("{why}; the server's figures follow without it"));
            (ClientFigures::missing(), Some(why))
        }
    };

    progress(format!(
        "{POLLERS} clients polling once a second for {} s…",
        args.poll_seconds
    ));
    let (polls, poll_errors, poll_p99_ms) = poll(
        url,
        &viewer,
        store,
        Duration::from_secs(args.poll_seconds.into()),
    )
    .await;

    progress(format!(
        "{} agents posting batches of {BATCH} events for {} s…",
        live.len(),
        args.ingest_seconds
    ));
    let (events, ingest_events_per_s) =
        ingest(url, live, Duration::from_secs(args.ingest_seconds.into())).await?;
    let raw_insert_rows_per_s = match (sqlite, live.first()) {
        (Some(path), Some(agent)) => {
            progress(format!(
                "the same rows straight into the SQLite file for {} s…",
                args.ingest_seconds
            ));
            let (path, agent) = (path.to_path_buf(), agent.agent_id.clone());
            let seconds = Duration::from_secs(args.ingest_seconds.into());
            let rate = tokio::task::spawn_blocking(move || {
                raw_insert::rows_per_second(&path, &agent, seconds)
            })
            .await??;
            Some(rate.round())
        }
        _ => None,
    };

    progress(format!(
        "killing {} agents with {KILL_CREDENTIALS} credentials each…",
        victims.len()
    ));
    let admin_client = Client::new(url, Some(admin))?;
    let mut kills = Vec::new();
    for v in victims {
        let t = Instant::now();
        let op = admin_client
            .kill(
                v,
                &KillRequest {
                    reason: "warden bench".into(),
                    cascade: false,
                    dry_run: false,
                },
            )
            .await?;
        kills.push(ms(t.elapsed()));
        tracing::debug!(agent = %v, status = ?op.status, "bench kill");
    }

    Ok(Report {
        render_ms: round(client.render_ms, 3),
        filter_ms: round(client.filter_ms, 3),
        sort_ms: round(client.sort_ms, 3),
        apply_changes_ms: round(client.apply_changes_ms, 3),
        full_sync_s: round(client.full_sync_s, 3),
        client_rss_mb: client.client_rss_mb.map(|m| round(m, 1)),
        poll_p99_ms: round(poll_p99_ms, 3),
        ingest_events_per_s: ingest_events_per_s.round(),
        kill_ms: round(median(kills), 3),
        agents: 0,
        credentials: 0,
        machine: machine(),
        fetch_s: round(client.fetch_s, 3),
        filter_max_ms: round(client.filter_max_ms, 3),
        filter_field_ms: round(client.filter_field_ms, 3),
        filter_field_max_ms: round(client.filter_field_max_ms, 3),
        polls,
        poll_errors,
        events,
        raw_parse_s: round(client.raw_parse_s, 3),
        sync_over_parse: round(client.full_sync_s / client.raw_parse_s, 2),
        sync_bytes: client.sync_bytes,
        creds_view_s: round(client.creds_view_s, 3),
        creds_first_page_s: round(client.creds_first_page_s, 3),
        credentials_read: client.credentials_read,
        raw_insert_rows_per_s,
        detect_p50_ms: f64::NAN,
        detect_p99_ms: f64::NAN,
        detect_samples: 0,
        detect_threshold_p50_ms: f64::NAN,
        detect_threshold_p99_ms: f64::NAN,
        detect_threshold_samples: 0,
        detect_sweeps: 0,
        detect_first_sweep_s: f64::NAN,
        generate_s: f64::NAN,
        import_s: f64::NAN,
        import_rows: 0,
        store: "",
        server_peak_mb: None,
        bench_s: f64::NAN,
        dashboard_error,
    })
}

/// `POLLERS` clients, each with its own connection, polling the changes
/// after the current cursor once a second, their starts spread over the
/// first second; answers the polls made, the failures and the p99 latency.
async fn poll(
    url: &str,
    token: &str,
    store: &Arc<dyn Store>,
    duration: Duration,
) -> (usize, usize, f64) {
    let cursor = *store.subscribe().borrow();
    // Every client connects and polls once before the clock starts: the
    // figure is the steady state of dashboards already open.
    let clients: Vec<Client> = match (0..POLLERS)
        .map(|_| Client::new(url, Some(token)))
        .collect::<Result<_, _>>()
    {
        Ok(c) => c,
        Err(_) => return (0, POLLERS, f64::NAN),
    };
    let warm =
        futures_util::future::join_all(clients.iter().map(|c| c.changes(cursor, None))).await;
    let cold_errors = warm.iter().filter(|r| r.is_err()).count();
    let begin = tokio::time::Instant::now() + Duration::from_millis(200);
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| {
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                let offset = Duration::from_secs(1) * i as u32 / POLLERS as u32;
                let start = begin + offset;
                let mut tick = tokio::time::interval_at(start, Duration::from_secs(1));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut cursor = cursor;
                let end = start + duration;
                loop {
                    let at = tick.tick().await;
                    if at >= end {
                        break;
                    }
                    let t = Instant::now();
                    match client.changes(cursor, None).await {
                        Ok(c) => {
                            latencies.push(ms(t.elapsed()));
                            cursor = cursor.max(c.cursor);
                        }
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = cold_errors;
    for t in tasks {
        match t.await {
            Ok((l, e)) => {
                all.extend(l);
                errors += e;
            }
            Err(_) => errors += 1,
        }
    }
    let n = all.len();
    progress(format!(
        "polls: median {:.2} ms, p99 {:.2} ms, worst {:.2} ms",
        median(all.clone()),
        percentile(all.clone(), 99.0),
        all.iter().copied().fold(0.0, f64::max)
    ));
    (n, errors, percentile(all, 99.0))
}

/// Agents posting batches of events with their own credentials, all at
/// once, for `duration`; answers the events accepted and the rate.
pub(super) async fn ingest(
    url: &str,
    live: &[DemoAgent],
    duration: Duration,
) -> anyhow::Result<(usize, f64)> {
    if live.is_empty() {
        anyhow::bail!("no agent with a working credential to post events");
    }
    let started = Instant::now();
    let tasks: Vec<_> = live
        .iter()
        .map(|a| {
            let url = url.to_string();
            let secret = a.secret.clone();
            let scope = a.scopes.first().cloned();
            let target = a.targets.first().copied().unwrap_or("api.internal");
            tokio::spawn(async move {
                let client = Client::new(&url, Some(&secret))?;
                let batch: Vec<AgentEvent> = (0..BATCH)
                    .map(|i| AgentEvent {
                        time: None,
                        action: if i % 4 == 0 { "write" } else { "read" }.into(),
                        target: target.into(),
                        scope: scope.clone(),
                        result: Some("ok".into()),
                        on_behalf_of: Vec::new(),
                        interactive: false,
                        credential_fingerprint: None,
                    })
                    .collect();
                let mut accepted = 0usize;
                while started.elapsed() < duration {
                    accepted += client.report_events(&batch).await?.accepted;
                }
                Ok::<usize, anyhow::Error>(accepted)
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    Ok((total, total as f64 / secs))
}
