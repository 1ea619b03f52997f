//! `warden serve`: the reference governance backend. HTTP routes over a
//! [`store::Store`], the kill-switch executor, the audit chain, the rules and
//! the ownership triage, and the task that pushes its alerts to
//! Alertmanager ([`alertmanager_push`]).

pub mod alertmanager_push;
pub mod audit;
pub mod auth;
pub mod conn;
pub mod error;
pub mod guardrails;
pub mod hooks;
pub mod killswitch;
pub mod limits;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod providers;
pub mod routes;
pub mod rules;
pub mod snooze_clock;
pub mod store;
pub mod text_policy;
pub mod tls;
pub mod triage;

use crate::config::ServeConfig;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use store::Store;
use store::sqlite::SqliteStore;

/// How `warden serve` was asked to run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `sqlite:PATH`, a bare path, or (later) `postgres://…`.
    pub database: String,
    /// `WARDEN_ADMIN_TOKEN`: created or confirmed as an admin token at start;
    /// a new value revokes the bootstrap token of the old one.
    pub admin_token: Option<String>,
    pub config: ServeConfig,
}

/// A server running on its own task.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// `http://ADDR`, or `https://ADDR` when serving TLS.
    pub url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    state: AppState,
    /// The periodic rules sweep, and how to stop it.
    sweeper: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
    /// The guardrails' executor, and how to stop it.
    guard: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
    /// The tasks pushing alerts to Alertmanagers (`--alertmanager`).
    pushers: Vec<tokio::task::JoinHandle<()>>,
    /// The audit checkpointer, and how to stop it (it signs the tail once
    /// more on the way out).
    checkpointer: Option<(
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    )>,
    /// The audit sinks' tasks, and how to stop them.
    sinks: (
        tokio::sync::watch::Sender<bool>,
        Vec<tokio::task::JoinHandle<()>>,
    ),
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) {
        // A push cut short loses nothing: the next start sends it all again.
        for pusher in self.pushers.drain(..) {
            pusher.abort();
        }
        if let Some((stop, task)) = self.sweeper.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        if let Some((stop, task)) = self.guard.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        // After the last request: the final checkpoint covers every entry.
        if let Some((stop, task)) = self.checkpointer.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        // A send cut short is sent again from the saved cursor next time.
        let _ = self.sinks.0.send(true);
        for mut task in self.sinks.1.drain(..) {
            if tokio::time::timeout(std::time::Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }

    /// The rules' scheduler of this server: sweeps run, lease held.
    pub fn detector(&self) -> &rules::scheduler::Detector {
        &self.state.detector
    }

    /// Runs the rules' sweep now, as if the clock read `now`: how tests
    /// reach the thirty-day rules without waiting thirty days.
    pub async fn sweep_now(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> store::StoreResult<store::AlertsApplied> {
        rules::sweep(&self.state, now).await
    }

    /// Keeps this server's whole-fleet sweeps waiting while the guard
    /// lives: how a test stands for a long sweep under way.
    pub async fn hold_sweeps(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.state.sweep_lock.clone().lock_owned().await
    }

    /// Judges what an action touched now, as if the clock read `now`, as
    /// the evaluator does after an API write.
    pub async fn evaluate_now(
        &self,
        touched: &rules::Touched,
        now: chrono::DateTime<chrono::Utc>,
    ) -> store::StoreResult<store::AlertsApplied> {
        rules::evaluate(&self.state, touched, now, now)
            .await
            .map(|(applied, _)| applied)
    }
}

/// What every route handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServeConfig>,
    /// For webhooks.
    pub http: reqwest::Client,
    /// Held by a rules sweep, so two never overlap.
    pub sweep_lock: Arc<tokio::sync::Mutex<()>>,
    /// Wakes the rules' scheduler after an API action; counts sweeps.
    pub detector: Arc<rules::scheduler::Detector>,
    /// `[[serve.guardrail]]`: the policies, and their executor's wake-up.
    pub guard: Arc<guardrails::Guard>,
    /// What `GET /metrics` reports of the server's own work.
    pub metrics: Arc<metrics::Metrics>,
    /// `[[serve.provider]]`: where a kill also revokes credentials.
    pub providers: Arc<Vec<providers::Provider>>,
    /// The kills running in this process, so a second kill of the same
    /// agent joins the first instead of running its hooks again.
    pub kills: Arc<killswitch::Running>,
    /// The audit chain's signing key and checkpoint file, when kept.
    pub checkpoints: Option<Arc<audit::checkpointer::Checkpoints>>,
    /// The audit sinks' state: `/metrics` and `require_sink` read it.
    pub sinks: Arc<Vec<Arc<audit::sinks::SinkState>>>,
    /// The keys that sign exchanged access tokens (`[serve] token_keys`).
    pub token_keys: Arc<oauth::keys::TokenKeys>,
    /// The changes feed's summary form, its first answer kept encoded.
    pub snapshots: Arc<routes::snapshot::Snapshots>,
}

/// Opens the database named by `--database`: `sqlite:PATH`, a bare path,
/// or `postgres://user:password@host:port/database` (also `postgresql://`).
/// PostgreSQL is reached without TLS; see [`store::postgres`].
pub fn open_store(database: &str) -> anyhow::Result<Arc<dyn Store>> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        // The synchronous client runs a runtime of its own, which must not
        // start on an async worker: connect and migrate on a plain thread.
        let store = std::thread::scope(|s| {
            s.spawn(|| store::sql::SqlStore::open_postgres(database))
                .join()
                .map_err(|_| anyhow::anyhow!("opening the PostgreSQL store panicked"))
        })??;
        return Ok(Arc::new(store));
    }
    let path = database
        .strip_prefix("sqlite://")
        .or_else(|| database.strip_prefix("sqlite:"))
        .unwrap_or(database);
    if path.is_empty() {
        anyhow::bail!(
            "--database sqlite: needs a file path, e.g. sqlite:/var/lib/warden/warden.db"
        );
    }
    let store = if path == ":memory:" {
        SqliteStore::open_in_memory()?
    } else {
        SqliteStore::open(Path::new(path))?
    };
    Ok(Arc::new(store))
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .build()?)
}

/// Prepares a store for serving (bootstrap admin, unfinished operations)
/// and serves it on `listener` until [`RunningServer::shutdown`].
pub async fn start(
    store: Arc<dyn Store>,
    config: ServeConfig,
    admin_token: Option<&str>,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<RunningServer> {
    // A config built in code skips the parser's checks; make them here.
    config.rules.check().map_err(anyhow::Error::msg)?;
    let policies =
        guardrails::policy::check(&config.guardrails, &config.rules).map_err(anyhow::Error::msg)?;
    // Before anything is written: a bad certificate is a usage error, and
    // so is a provider whose token or URL cannot be used.
    let tls = tls_config(&config)?;
    let limits = limits::Limits::resolve(&config, limits::raise_fd_limit())?;
    tracing::info!(
        max_connections = limits.max_connections,
        fd_limit = limits.fd_limit,
        "connection limits"
    );
    let providers = providers::build(&config.providers)?;
    let checkpoints = audit::checkpointer::Checkpoints::open(&config)?.map(Arc::new);
    let token_ttl = config
        .token_ttl_seconds
        .unwrap_or(oauth::exchange::DEFAULT_TTL_SECONDS);
    if token_ttl == 0 || token_ttl > oauth::exchange::MAX_TTL_SECONDS {
        anyhow::bail!(
            "[serve] token_ttl_seconds must be between 1 and {}",
            oauth::exchange::MAX_TTL_SECONDS
        );
    }
    let token_keys = Arc::new(oauth::keys::TokenKeys::open(
        config.token_keys.as_deref(),
        token_ttl,
    )?);
    let sinks = audit::sinks::build(&config)?;
    let sink_states = Arc::new(sinks.iter().map(|s| s.state.clone()).collect::<Vec<_>>());
    if let Some(token) = admin_token {
        if token.trim().len() < 16 {
            anyhow::bail!("WARDEN_ADMIN_TOKEN must be at least 16 characters");
        }
        let bootstrap = store
            .ensure_admin_token(
                &crate::secrets::hash(token.trim()),
                &crate::secrets::display_prefix(token),
            )
            .await?;
        if bootstrap.revoked {
            tracing::warn!(
                token = %bootstrap.id,
                "WARDEN_ADMIN_TOKEN was revoked and stays revoked; set a new value to get a \
                 bootstrap admin token again"
            );
        }
        for old in &bootstrap.retired {
            tracing::info!(token = %old, new = %bootstrap.id,
                "WARDEN_ADMIN_TOKEN changed: the previous bootstrap token is revoked");
        }
    }
    let state = AppState {
        store,
        config: Arc::new(config),
        http: http_client()?,
        sweep_lock: Arc::default(),
        detector: Arc::default(),
        guard: Arc::new(guardrails::Guard::new(policies)),
        metrics: Arc::default(),
        providers: Arc::new(providers),
        kills: Arc::default(),
        checkpoints,
        sinks: sink_states,
        token_keys,
        snapshots: Arc::default(),
    };
    providers::check_health(&state.providers);
    // An operation a crash interrupted is finished before new requests
    // are taken, so no credential of a half-killed agent stays usable.
    killswitch::resume_unfinished(&state).await?;
    snooze_clock::spawn_at_start(&state.store);
    let addr = listener.local_addr()?;
    let (stop_sweep, sweep_stopped) = tokio::sync::oneshot::channel();
    let pushers = alertmanager_push::spawn_all(&state.store, &state.config.alertmanager)
        .map_err(|e| anyhow::anyhow!("--alertmanager: {e}"))?;
    let sweeper = rules::scheduler::spawn(state.clone(), sweep_stopped).map(|t| (stop_sweep, t));
    // The first dashboard to start should not wait for the fleet to be
    // read and counted: the lean form's first answer is built now. When
    // the rules sweep at start, that sweep's changes are caught up with
    // by the first sync after it (see `routes::catch_up`), a read of what
    // the sweep wrote instead of the whole fleet's.
    {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = state
                .snapshots
                .get(&state, routes::snapshot::Kept::Lean)
                .await
            {
                tracing::warn!(error = %e.message, "could not build the first sync's answer");
            }
        });
    }
    let (stop_guard, guard_stopped) = tokio::sync::oneshot::channel();
    let guard = guardrails::spawn(state.clone(), guard_stopped).map(|t| (stop_guard, t));
    let checkpointer = state.checkpoints.clone().map(|cps| {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        (
            stop,
            audit::checkpointer::spawn(state.store.clone(), cps, stopped),
        )
    });
    let (stop_sinks, sinks_stopped) = tokio::sync::watch::channel(false);
    let sink_tasks = audit::sinks::spawn_all(
        sinks,
        &state.store,
        state
            .checkpoints
            .as_ref()
            .map(|c| (c.file.clone(), c.signed.clone())),
        &sinks_stopped,
    );
    let app = routes::router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let scheme = if tls.is_some() { "https" } else { "http" };
    let tls = tls.map(tokio_rustls::TlsAcceptor::from);
    let task = tokio::spawn(conn::serve(listener, tls, app, limits, rx));
    Ok(RunningServer {
        addr,
        url: format!("{scheme}://{addr}"),
        shutdown: Some(tx),
        task,
        state,
        sweeper,
        guard,
        pushers,
        checkpointer,
        sinks: (stop_sinks, sink_tasks),
    })
}

/// The TLS server config, when the config names a certificate and key:
/// both or neither.
fn tls_config(config: &ServeConfig) -> anyhow::Result<Option<Arc<rustls::ServerConfig>>> {
    let names = tls::Names {
        cert: "TLS certificate (--tls-cert)",
        key: "TLS key (--tls-key)",
    };
    match (&config.tls_cert, &config.tls_key) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => tls::server_config(cert, key, names).map(Some),
        (Some(_), None) => anyhow::bail!(
            "--tls-cert needs --tls-key too (or [serve] tls_key): HTTPS takes the certificate \
             and its private key, both PEM files"
        ),
        (None, Some(_)) => anyhow::bail!(
            "--tls-key needs --tls-cert too (or [serve] tls_cert): HTTPS takes the certificate \
             and its private key, both PEM files"
        ),
    }
}

/// Connections the kernel may queue before `accept` takes them (capped by
/// the system's `somaxconn`): four times tokio's default, so a burst of
/// reconnecting sockets is less likely to drop a responder's connect.
const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As tokio's own bind does: a restart need not wait out TIME_WAIT.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Opens the store, binds, and serves until Ctrl-C or SIGTERM. Prints one
/// line `warden: listening on http://ADDR` (`https://` with TLS) to stderr
/// once bound; the log
/// (level from `WARDEN_LOG`, default `info`) goes to stderr too.
pub async fn run(opts: ServeOptions) -> anyhow::Result<()> {
    init_logging();
    // Named in messages and the log without its password.
    let database = store::postgres::redacted(&opts.database);
    let store = open_store(&opts.database)
        .map_err(|e| anyhow::anyhow!("cannot open the database {database}: {e}"))?;
    let listener = listen(opts.listen)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.listen))?;
    let server = start(store, opts.config, opts.admin_token.as_deref(), listener).await?;
    eprintln!("warden: listening on {}", server.url);
    if server.url.starts_with("http://") && !opts.listen.ip().is_loopback() {
        eprintln!(
            "warden: warning: plain HTTP on a non-loopback address sends tokens in clear; \
             serve HTTPS with --tls-cert and --tls-key (clients refuse plain HTTP to another \
             host unless given --allow-insecure-http)"
        );
    }
    tracing::info!(url = %server.url, %database, "serving");
    shutdown_signal().await;
    eprintln!("warden: shutting down");
    server.shutdown().await;
    Ok(())
}

/// The server's log on stderr, filtered by `WARDEN_LOG` (default `info`).
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour only for a person at a terminal: a log file, journald or a
    // pipe would keep the escape codes as text (and NO_COLOR turns it off).
    use std::io::IsTerminal;
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // A second call (tests, embedding) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .try_init();
}

/// Ctrl-C, or SIGTERM where there is one: what stops `warden serve` and
/// `warden demo`.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
