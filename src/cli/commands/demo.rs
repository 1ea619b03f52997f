//! `warden demo`: a reference backend in this process over a temporary
//! database, seeded with a simulated fleet that keeps moving, and the
//! dashboard on it over HTTP. With `--no-tui` it only serves, after
//! printing `WARDEN_URL=…` and `WARDEN_TOKEN=…` (a responder token) on
//! stdout, each on its own line; everything else goes to stderr (among it
//! a line for each incident as it plays), so the two lines can be
//! `eval`ed or read by a script.

use super::dashboard::{load_config, require_terminal, run_options, runtime, start_logging};
use crate::cli::args::{DashboardArgs, DemoArgs, Global};
use crate::cli::error::{CliError, CmdResult};
use crate::demo::incidents::Played;
use crate::demo::schedule::Tempo;
use crate::demo::vault::DemoVault;
use crate::demo::{Demo, DemoOptions};
use crate::tui::effects::vault_route::VaultTarget;
use crate::tui::event_loop::{self, WardenTarget};
use crate::vault::VaultConfig;
use std::io::Write;
use std::process::ExitCode;

pub fn demo(global: &Global, dashboard: DashboardArgs, args: DemoArgs) -> CmdResult {
    if args.no_tui && args.vault {
        return Err(CliError::usage(
            "--vault is shown in the dashboard; leave out --no-tui to see it",
        ));
    }
    if !args.no_tui {
        require_terminal()?;
    }
    let config = load_config(global)?;
    // Options given after `demo` win over the same ones before it.
    let theme = args
        .dashboard
        .theme
        .as_deref()
        .or(dashboard.theme.as_deref());
    let options = run_options(
        &config,
        dashboard.readonly || args.dashboard.readonly,
        theme,
    )?;
    let seed = args.seed.unwrap_or_else(random_seed);
    let runtime = runtime()?;
    start_logging();
    runtime.block_on(async {
        eprintln!(
            "warden: starting a demo of {} agents (seed {seed})…",
            args.agents
        );
        // While the dashboard has the screen, what the demo tells goes to
        // the log: a line on stderr would be drawn over the dashboard.
        let in_log = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let told_in_log = in_log.clone();
        let opts = DemoOptions {
            providers: config.serve.providers.clone(),
            tell: crate::demo::Tell::new(move |line| {
                if told_in_log.load(std::sync::atomic::Ordering::Relaxed) {
                    tracing::info!(target: "warden::demo", "{line}");
                } else {
                    eprintln!("warden: {line}");
                }
            }),
            ..DemoOptions::new(args.agents as usize, seed, args.listen)
        };
        let started = std::time::Instant::now();
        let failed = |e: anyhow::Error| CliError::failed(format!("cannot start the demo: {e:#}"));
        let mut demo = Demo::serve(opts).await.map_err(failed)?;
        eprintln!(
            "warden: serving on {} after {:.1} s",
            demo.url,
            started.elapsed().as_secs_f64()
        );
        if args.no_tui {
            // A script reads the two lines once the fleet's alerts are in.
            demo.ready().await.map_err(failed)?;
            eprintln!(
                "warden: the fleet and its alerts are ready after {:.1} s",
                started.elapsed().as_secs_f64()
            );
        } else {
            eprintln!(
                "warden: opening the dashboard (it syncs the fleet first); \
                 the rules' first sweep goes on beside it, its alerts shown as they are raised…"
            );
        }
        let result = if args.no_tui {
            serve_only(&demo, seed).await
        } else {
            // Held until the dashboard quits: dropping it stops the server.
            let vault = match args.vault {
                true => Some(start_vault(&demo).await?),
                false => None,
            };
            let mut options = options;
            if let Some(v) = &vault {
                options.vaults.push(VaultTarget {
                    name: "bao".into(),
                    config: VaultConfig {
                        url: v.url.clone(),
                        token: v.token.clone(),
                        ..VaultConfig::default()
                    },
                    settings: v.settings.clone(),
                    refresh: VAULT_REFRESH,
                });
            }
            let target = WardenTarget {
                name: "demo".into(),
                url: demo.url.clone(),
                token: demo.token.clone(),
                // This process's own server: the demo serves plain HTTP,
                // even on a --listen address that is not loopback.
                options: crate::api::client::ConnectOptions {
                    allow_insecure_http: true,
                    ..Default::default()
                },
            };
            if demo.sweeping() {
                let sweeping = format!(
                    "the rules' first sweep of {} agents is under way: alerts appear as it raises them",
                    demo.agents
                );
                options.notice = Some(match options.notice.take() {
                    Some(other) => format!("{other}; {sweeping}"),
                    None => sweeping,
                });
            }
            in_log.store(true, std::sync::atomic::Ordering::Relaxed);
            let (result, not_ready) = beside_the_first_sweep(
                &mut demo,
                event_loop::run(vec![target], options),
            )
            .await;
            in_log.store(false, std::sync::atomic::Ordering::Relaxed);
            let result = result
                .map_err(|e| CliError::failed(format!("{e:#}")))
                .and(not_ready.map_or(Ok(()), |e| Err(failed(e))));
            eprintln!(
                "warden: that was seed {seed}; `warden demo --agents {} --seed {seed}` \
                 shows the same fleet again",
                args.agents
            );
            result
        };
        demo.shutdown().await;
        result
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the dashboard while the demo's first sweep goes on, and then its
/// simulator and incidents start ([`Demo::ready`]). Answers the dashboard's
/// result, and why the demo could not get ready if it could not; quitting
/// before the sweep ends leaves the rest for [`Demo::shutdown`].
async fn beside_the_first_sweep<T>(
    demo: &mut Demo,
    dashboard: impl std::future::Future<Output = T>,
) -> (T, Option<anyhow::Error>) {
    tokio::pin!(dashboard);
    let ready = demo.ready();
    tokio::pin!(ready);
    let mut failed = None;
    let mut waiting = true;
    loop {
        tokio::select! {
            result = &mut dashboard => return (result, failed),
            r = &mut ready, if waiting => {
                waiting = false;
                if let Err(e) = r {
                    tracing::error!(error = %e, "the demo could not get ready");
                    failed = Some(e);
                }
            }
        }
    }
}

/// The demo's Vault is read often: it is small, and the point is to see it.
const VAULT_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// Starts the demo's Vault, seeded for the live agents of `demo`.
async fn start_vault(demo: &Demo) -> Result<DemoVault, CliError> {
    let failed = |e: String| CliError::failed(format!("cannot start the demo's Vault: {e}"));
    let client = crate::api::client::Client::new(&demo.url, Some(&demo.token))
        .map_err(|e| failed(e.to_string()))?;
    let fleet = client
        .changes(0, None)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let mut names: Vec<String> = fleet
        .agents
        .into_iter()
        .filter(|a| a.status != crate::model::AgentStatus::Killed)
        .map(|a| a.name)
        .collect();
    // The first by name are the first rows of the table: seen at once.
    names.sort();
    eprintln!("warden: starting a Vault dev server for the demo…");
    DemoVault::start(&names)
        .await
        .map_err(|e| failed(format!("{e:#}")))
}

async fn serve_only(demo: &Demo, seed: u64) -> Result<(), CliError> {
    // One write, flushed at once: a script waiting for the token line
    // finds the URL line already there, and nothing waits in a buffer.
    let lines = format!("WARDEN_URL={}\nWARDEN_TOKEN={}\n", demo.url, demo.token);
    let mut out = std::io::stdout().lock();
    out.write_all(lines.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| CliError::failed(format!("cannot write to stdout: {e}")))?;
    drop(out);
    eprintln!(
        "warden: demo of {} agents ({} live, seed {seed}) serving on {}; Ctrl-C stops it",
        demo.agents, demo.live, demo.url
    );
    eprintln!(
        "warden: an incident plays from about {}, then one every {} s; each is told here",
        clock(Tempo::DEMO.first),
        Tempo::DEMO.gap.as_secs()
    );
    let stop = crate::server::shutdown_signal();
    tokio::pin!(stop);
    let mut told = 0;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tick.tick() => {
                let played = demo.incidents();
                for p in played.iter().skip(told) {
                    eprintln!("warden: {}", incident_line(p));
                }
                told = played.len();
            }
        }
    }
    eprintln!("warden: demo stopped");
    Ok(())
}

/// Minutes and seconds since the demo started: `2:47`.
fn clock(at: std::time::Duration) -> String {
    let secs = at.as_secs();
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// `2:47 a killed agent keeps trying: deploy-bot was killed; … (R18)`
fn incident_line(p: &Played) -> String {
    let (at, title) = (clock(p.at), p.scenario.title());
    match &p.error {
        None => format!(
            "{at} {title}: {} ({})",
            p.what,
            p.scenario.rules().join(", ")
        ),
        Some(e) => format!("{at} {title}: could not play: {e}"),
    }
}

/// A seed nobody chose; it is printed, so the fleet can be seen again,
/// and kept to six digits so it is easy to type again.
fn random_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        // No OS randomness is rare and harmless here: the time will do.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    }) % 1_000_000
}
