//! `warden bench`: seeds a reference backend in this process, drives it
//! over loopback and prints the performance figures of issue 6, each
//! measured for real.
//!
//! The dashboard's figures come from a child process (this binary again,
//! with a hidden `--client-only`) that syncs over HTTP with the same client
//! and app the dashboard uses, then draws on a 200x60 `TestBackend`: its
//! resident memory is then the dashboard's alone, not the server's. The
//! server's figures (polling, ingest, kill) are taken in this process,
//! over HTTP, once the child is done.

use crate::api::client::Client;
use crate::api::{AgentEvent, Changes, KillRequest};
use crate::cli::args::{BenchArgs, Global};
use crate::cli::error::{CliError, CmdResult};
use crate::config::ServeConfig;
use crate::demo::fleet::{self, DemoAgent};
use crate::model::{AgentStatus, Credential, CredentialStatus, Role};
use crate::secrets;
use crate::server::store::{Actor, Import, Store};
use crate::tui::app::{App, Options};
use crate::tui::msg::{Msg, SourceEvent};
use crate::tui::table::SortKey;
use crate::tui::theme::Theme;
use crate::tui::views::{self, Clock};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde::{Deserialize, Serialize};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Agents killed, one at a time, for `kill_ms`.
const KILLS: usize = 5;
/// Credentials each of them holds.
const KILL_CREDENTIALS: usize = 100;
/// Clients polling at once for `poll_p99_ms`.
const POLLERS: usize = 200;
/// Agents posting events at once, and the size of each batch.
const INGESTERS: usize = 16;
const BATCH: usize = 1_000;
/// The dashboard's size in the figures.
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
/// What the filter figure types, one key at a time, then erases.
const TYPED: &str = "support";

/// What the child (the dashboard side) measures.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ClientFigures {
    full_sync_s: f64,
    fetch_s: f64,
    apply_s: f64,
    render_ms: f64,
    filter_ms: f64,
    filter_max_ms: f64,
    sort_ms: f64,
    apply_changes_ms: f64,
    client_rss_mb: Option<f64>,
    agents_synced: usize,
}

/// The one line `--json` prints.
#[derive(Debug, Serialize)]
struct Report {
    render_ms: f64,
    filter_ms: f64,
    sort_ms: f64,
    apply_changes_ms: f64,
    full_sync_s: f64,
    client_rss_mb: Option<f64>,
    poll_p99_ms: f64,
    ingest_events_per_s: f64,
    kill_ms: f64,
    agents: usize,
    credentials: usize,
    machine: String,
    /// Detail behind the figures above.
    fetch_s: f64,
    filter_max_ms: f64,
    polls: usize,
    poll_errors: usize,
    events: usize,
}

pub fn bench(global: &Global, args: BenchArgs) -> CmdResult {
    let runtime = super::dashboard::runtime()?;
    if args.client_only {
        let url = global
            .url
            .clone()
            .ok_or_else(|| CliError::usage("--client-only needs WARDEN_URL"))?;
        let figures = runtime
            .block_on(client_side(&url, global.token.as_deref()))
            .map_err(|e| CliError::failed(format!("bench client: {e:#}")))?;
        let line = serde_json::to_string(&figures)
            .map_err(|e| CliError::failed(format!("cannot encode the figures: {e}")))?;
        println!("{line}");
        return Ok(ExitCode::SUCCESS);
    }
    let report = runtime
        .block_on(server_side(&args))
        .map_err(|e| CliError::failed(format!("bench: {e:#}")))?;
    if args.json {
        let line = serde_json::to_string(&report)
            .map_err(|e| CliError::failed(format!("cannot encode the figures: {e}")))?;
        println!("{line}");
    } else {
        print!("{}", table(&report));
    }
    Ok(ExitCode::SUCCESS)
}

fn progress(what: impl std::fmt::Display) {
    eprintln!("warden bench: {what}");
}

/// The readable table: each figure, its target and whether it is met.
fn table(r: &Report) -> String {
    let rss = r.client_rss_mb.unwrap_or(f64::NAN);
    let rows: [(&str, f64, &str, bool, &str); 9] = [
        ("render_ms", r.render_ms, "<= 2", r.render_ms <= 2.0, "ms"),
        ("filter_ms", r.filter_ms, "<= 20", r.filter_ms <= 20.0, "ms"),
        ("sort_ms", r.sort_ms, "<= 50", r.sort_ms <= 50.0, "ms"),
        (
            "apply_changes_ms",
            r.apply_changes_ms,
            "<= 5",
            r.apply_changes_ms <= 5.0,
            "ms",
        ),
        (
            "full_sync_s",
            r.full_sync_s,
            "<= 1",
            r.full_sync_s <= 1.0,
            "s",
        ),
        ("client_rss_mb", rss, "<= 200", rss <= 200.0, "MiB"),
        (
            "poll_p99_ms",
            r.poll_p99_ms,
            "<= 50",
            r.poll_p99_ms <= 50.0,
            "ms",
        ),
        (
            "ingest_events_per_s",
            r.ingest_events_per_s,
            ">= 50000",
            r.ingest_events_per_s >= 50_000.0,
            "/s",
        ),
        ("kill_ms", r.kill_ms, "<= 50", r.kill_ms <= 50.0, "ms"),
    ];
    let mut out = format!(
        "{} agents, {} credentials, on {}\n\n{:<22}{:>14}  {:<10}{}\n",
        r.agents, r.credentials, r.machine, "figure", "measured", "target", "result"
    );
    for (name, value, target, met, unit) in rows {
        out.push_str(&format!(
            "{name:<22}{:>14}  {target:<10}{}\n",
            format!("{} {unit}", round(value, 3)),
            if met { "pass" } else { "MISS" }
        ));
    }
    out.push_str(&format!(
        "\nworst filter keystroke {} ms; fetch of the first sync {} s; \
         {} polls ({} failed); {} events\n",
        r.filter_max_ms, r.fetch_s, r.polls, r.poll_errors, r.events
    ));
    out
}

fn round(x: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (x * k).round() / k
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The nearest-rank percentile `p` (0–100).
fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// This process's resident memory, from `/proc/self/status` (Linux only).
fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// This process's peak resident memory (VmHWM), Linux only.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// "AMD EPYC 7B13, 2 cores, 24 GiB" from /proc where there is one.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
    });
    match mem {
        Some(kb) => format!(
            "{cpu}, {} {cores} cores, {:.0} GiB",
            std::env::consts::ARCH,
            kb / 1024.0 / 1024.0
        ),
        None => format!("{cpu}, {} {cores} cores", std::env::consts::ARCH),
    }
}

// ---- The dashboard side (the child process). ----

async fn client_side(url: &str, token: Option<&str>) -> anyhow::Result<ClientFigures> {
    let client = Client::new(url, token)?;
    let mut app = App::new("bench", url, Options::default());
    app.resize(WIDTH, HEIGHT);
    let theme = Theme::dark();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
    let mut frame = |app: &App| -> anyhow::Result<()> {
        terminal.draw(|f| views::draw(f, app, &theme, Clock::now()))?;
        Ok(())
    };
    frame(&app)?;

    // The first sync: what the Warden source does, then what the app does
    // with its message, then the frame that shows it.
    let started = Instant::now();
    let changes = client.changes(0, None).await?;
    let fetched = started.elapsed();
    let latency = fetched;
    app.handle_msg(Msg::Source {
        backend: 0,
        event: SourceEvent::Synced {
            changes: Box::new(changes),
            latency,
        },
    });
    frame(&app)?;
    let synced = started.elapsed();
    let client_rss_mb = rss_mb();
    let agents_synced = app.fleet.len();

    let mut render = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        frame(&app)?;
        render.push(ms(t.elapsed()));
    }

    // A filter typed one key at a time into `/`, then erased: each key to
    // its frame.
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    app.handle_key(key(KeyCode::Char('/')));
    let mut filter = Vec::new();
    for _ in 0..3 {
        let keys = TYPED
            .chars()
            .map(KeyCode::Char)
            .chain(std::iter::repeat_n(KeyCode::Backspace, TYPED.len()));
        for code in keys {
            let t = Instant::now();
            app.handle_key(key(code));
            frame(&app)?;
            filter.push(ms(t.elapsed()));
        }
    }
    app.handle_key(key(KeyCode::Esc));
    frame(&app)?;

    let mut sort = Vec::new();
    for _ in 0..2 {
        for k in [
            SortKey::Owner,
            SortKey::Status,
            SortKey::Risk,
            SortKey::LastSeen,
            SortKey::Alerts,
            SortKey::Name,
        ] {
            let t = Instant::now();
            app.table.sort_by(k);
            app.prepare();
            frame(&app)?;
            sort.push(ms(t.elapsed()));
        }
    }

    let mut apply = Vec::new();
    for round in 0..7 {
        let changes = thousand_changes(&app, round);
        let t = Instant::now();
        app.handle_msg(Msg::Source {
            backend: 0,
            event: SourceEvent::Synced {
                changes: Box::new(changes),
                latency: Duration::from_millis(1),
            },
        });
        apply.push(ms(t.elapsed()));
        frame(&app)?;
    }

    // The same, in its two parts (told on stderr, not in the figures):
    // the fleet taking the poll, then the views catching up with it.
    let (mut fleet_ms, mut views_ms) = (Vec::new(), Vec::new());
    for round in 7..12 {
        let changes = thousand_changes(&app, round);
        let t = Instant::now();
        app.fleet.apply(changes);
        fleet_ms.push(ms(t.elapsed()));
        let t = Instant::now();
        app.prepare();
        views_ms.push(ms(t.elapsed()));
    }
    eprintln!(
        "warden bench: a poll of 1,000 changes: the fleet {:.2} ms, the views {:.2} ms (medians); \
         the dashboard's peak memory {:.0} MiB",
        median(fleet_ms),
        median(views_ms),
        peak_mb().unwrap_or(f64::NAN)
    );

    Ok(ClientFigures {
        full_sync_s: synced.as_secs_f64(),
        fetch_s: fetched.as_secs_f64(),
        apply_s: (synced - fetched).as_secs_f64(),
        render_ms: median(render),
        filter_max_ms: filter.iter().copied().fold(0.0, f64::max),
        filter_ms: median(filter),
        sort_ms: median(sort),
        apply_changes_ms: median(apply),
        client_rss_mb,
        agents_synced,
    })
}

/// A poll of 1,000 changes as the backend would send them: 700 agents
/// seen again (one in ten changing status too) and 300 credentials
/// revoked; a different slice of the fleet each round.
fn thousand_changes(app: &App, round: usize) -> Changes {
    let agents = app.fleet.agents();
    let now = chrono::Utc::now();
    let step = (agents.len() / 700).max(1);
    let changed = (0..700.min(agents.len()))
        .map(|k| {
            let mut a = agents[(k * step + round) % agents.len()].clone();
            a.last_seen_at = Some(now);
            a.updated_at = now;
            if k % 10 == 0 {
                a.status = match a.status {
                    AgentStatus::Active => AgentStatus::Dormant,
                    _ => AgentStatus::Active,
                };
            }
            a
        })
        .collect();
    let credentials: Vec<Credential> = app
        .fleet
        .credentials()
        .skip(round * 300)
        .take(300)
        .cloned()
        .map(|mut c| {
            c.status = CredentialStatus::Revoked;
            c.revoked_at = Some(now);
            c.revoked_reason = Some("bench".into());
            c
        })
        .collect();
    Changes {
        cursor: app.fleet.cursor + 1,
        full: false,
        agents: changed,
        credentials,
        ..Changes::default()
    }
}

// ---- The server side (this process). ----

/// The demo fleet scaled to `credentials`, with `KILLS` agents holding
/// `KILL_CREDENTIALS` each; answers the import, the agents that will be
/// killed, and agents with a working secret for the ingest (none of them
/// among the killed).
fn seed(agents: usize, credentials: usize) -> (Import, Vec<String>, Vec<DemoAgent>) {
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

async fn server_side(args: &BenchArgs) -> anyhow::Result<Report> {
    let n = args.agents as usize;
    let m = args.credentials.map_or(3 * n, |c| c as usize);
    let dir = tempfile::Builder::new().prefix("warden-bench-").tempdir()?;
    let database = match &args.database {
        Some(d) => d.clone(),
        None => format!("sqlite:{}", dir.path().join("bench.db").display()),
    };
    progress(format!("generating {n} agents and {m} credentials…"));
    let t = Instant::now();
    let (import, victims, live) = tokio::task::spawn_blocking(move || seed(n, m)).await?;
    let (agents, credentials) = (import.agents.len(), import.credentials.len());
    progress(format!(
        "generated in {:.1} s; importing into {}…",
        t.elapsed().as_secs_f64(),
        database
    ));
    let t = Instant::now();
    let store: Arc<dyn Store> = crate::server::open_store(&database)?;
    store.import(&Actor::new("bench"), import).await?;
    progress(format!("imported in {:.1} s", t.elapsed().as_secs_f64()));

    let admin = secrets::new_person_token();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let mut config = ServeConfig::default();
    // A sweep of every agent would land at a random moment of the run.
    config.rules.sweep_interval_seconds = 0;
    let server = crate::server::start(store.clone(), config, Some(&admin), listener).await?;
    let url = server.url.clone();
    let result = drive(&url, &admin, &store, &victims, &live, args).await;
    server.shutdown().await;
    let mut report = result?;
    report.agents = agents;
    report.credentials = credentials;
    Ok(report)
}

async fn drive(
    url: &str,
    admin: &str,
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
                "bench-dashboard",
                Role::Responder,
                None,
                &secrets::hash(&token),
                &secrets::display_prefix(&token),
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
    let client = dashboard_child(url, &viewer).await?;
    progress(format!(
        "synced {} agents in {:.2} s (fetch {:.2} s, apply {:.2} s)",
        client.agents_synced, client.full_sync_s, client.fetch_s, client.apply_s
    ));

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
        polls,
        poll_errors,
        events,
    })
}

/// Runs this binary again as the dashboard side; answers its figures.
async fn dashboard_child(url: &str, token: &str) -> anyhow::Result<ClientFigures> {
    use anyhow::Context as _;
    // The running binary itself, even if its file was replaced since it
    // started (a rebuild): Linux keeps it reachable as /proc/self/exe.
    let proc_exe = std::path::Path::new("/proc/self/exe");
    let exe = if proc_exe.exists() {
        proc_exe.to_path_buf()
    } else {
        std::env::current_exe()?
    };
    let out = tokio::process::Command::new(&exe)
        .args(["bench", "--client-only"])
        .env("WARDEN_URL", url)
        .env("WARDEN_TOKEN", token)
        .env_remove("WARDEN_CONFIG")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .await
        .with_context(|| format!("cannot run {} for the dashboard side", exe.display()))?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        anyhow::bail!("the dashboard side failed ({})", out.status);
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .last()
        .ok_or_else(|| anyhow::anyhow!("the dashboard side printed nothing"))?;
    Ok(serde_json::from_str(line)?)
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
async fn ingest(url: &str, live: &[DemoAgent], duration: Duration) -> anyhow::Result<(usize, f64)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_medians() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(v.clone(), 99.0), 99.0);
        assert_eq!(percentile(v.clone(), 100.0), 100.0);
        assert_eq!(median(v), 50.5);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn the_seed_has_the_credentials_asked_and_heavy_victims() {
        let (import, victims, live) = seed(120, 1_000);
        assert_eq!(import.credentials.len(), 1_000);
        assert_eq!(victims.len(), KILLS);
        for v in &victims {
            let held = import
                .credentials
                .iter()
                .filter(|(c, _)| &c.agent_id == v)
                .count();
            assert!(held >= KILL_CREDENTIALS, "{held}");
        }
        assert!(!live.is_empty());
        assert!(live.iter().all(|a| !victims.contains(&a.agent_id)));
    }
}
