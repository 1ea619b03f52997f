//! `warden` with no command: the dashboard. On `--url`/`WARDEN_URL` (with
//! its token), else on the first `[[backend]]` of kind `warden` in the
//! config, else on the embedded local registry: the default database,
//! served in this process on loopback under an admin token made for this
//! session, and watched over HTTP like any other backend.
//!
//! Also the pieces `warden demo` shares: the terminal check, the runtime,
//! the log file and the dashboard's options from the config.

use crate::cli::args::{DashboardArgs, Global};
use crate::cli::backend;
use crate::cli::error::{CliError, CmdResult};
use crate::config::Config;
use crate::model::Role;
use crate::secrets;
use crate::server;
use crate::server::store::Actor;
use crate::sources;
use crate::tui::app::Options;
use crate::tui::run::{self, RunOptions, Target};
use crate::tui::{logging, terminal};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// How long quitting waits for the embedded server to finish requests in
/// flight; an action task still talking to it must not hold up the exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

pub fn dashboard(global: &Global, args: DashboardArgs) -> CmdResult {
    require_terminal()?;
    let config = load_config(global)?;
    let options = run_options(&config, args.readonly, args.theme.as_deref())?;
    let target = remote_target(global, &config)?;
    let runtime = runtime()?;
    start_logging();
    match target {
        Some(target) => runtime
            .block_on(run::run(target, options))
            .map_err(|e| CliError::failed(format!("{e:#}")))?,
        None => runtime.block_on(local(config, options))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The backend named by `--url` or the config, if any; `None` means the
/// embedded local registry.
fn remote_target(global: &Global, config: &Config) -> Result<Option<Target>, CliError> {
    let has_url = global.url.as_deref().is_some_and(|u| !u.trim().is_empty());
    let configured = config.backends.iter().find(|b| b.kind == "warden");
    if !has_url && configured.is_none() {
        return Ok(None);
    }
    // The same choice, token rules and messages as every other command.
    let chosen = backend::choose(global)?;
    let name = match (has_url, configured) {
        (false, Some(b)) => b.name.clone(),
        _ => short_name(&chosen.url),
    };
    Ok(Some(Target {
        name,
        url: chosen.url,
        token: chosen.token,
    }))
}

/// `host:port` of a URL, for the header.
fn short_name(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

/// The embedded local registry: the default database, served in-process.
async fn local(config: Config, mut options: RunOptions) -> Result<(), CliError> {
    let path = crate::dirs::default_database().ok_or_else(|| {
        CliError::usage(
            "cannot find the platform data directory for the local registry; \
             point the dashboard at a backend with --url and --token",
        )
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::failed(format!(
                "cannot create the data directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let database = format!("sqlite:{}", path.display());
    let store = server::open_store(&database).map_err(|e| {
        CliError::failed(format!("cannot open the local registry {database}: {e:#}"))
    })?;
    // A token for this session only: its secret lives in this process's
    // memory and nowhere else, so nothing on disk can be replayed.
    let token = secrets::new_person_token();
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty());
    let name = match &who {
        Some(u) => format!("local-dashboard ({u})"),
        None => "local-dashboard".to_string(),
    };
    let session = store
        .create_token(
            &Actor::new("local-dashboard"),
            &name,
            Role::Admin,
            None,
            &secrets::hash(&token),
            &secrets::display_prefix(&token),
        )
        .await
        .map_err(|e| CliError::failed(format!("cannot create the session token: {e}")))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| CliError::failed(format!("cannot listen on 127.0.0.1: {e}")))?;
    let running = server::start(store.clone(), config.serve, None, listener)
        .await
        .map_err(|e| CliError::failed(format!("cannot start the local registry: {e:#}")))?;
    tracing::info!(url = %running.url, %database, "local registry serving");
    options.app.welcome = Some(welcome(&path));
    let target = Target {
        name: "local".into(),
        url: running.url.clone(),
        token,
    };
    let result = run::run(target, options).await;
    if tokio::time::timeout(SHUTDOWN_GRACE, running.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("the local registry did not stop in time");
    }
    // The session's token dies with the session, so tokens do not pile up.
    if let Err(e) = store
        .delete_token(&Actor::new("local-dashboard"), &session.id)
        .await
    {
        tracing::warn!(error = %e, "could not delete the session token");
    }
    result.map_err(|e| CliError::failed(format!("{e:#}")))
}

/// What the empty local registry says: how to fill it, or see a demo.
fn welcome(database: &Path) -> String {
    format!(
        "This is your local registry, and it is empty. Its database:\n  \
         {}\n\
         \n\
         Fill it from another terminal: `warden serve` uses the same file,\n\
         and what you add shows up here within seconds.\n  \
         export WARDEN_ADMIN_TOKEN=\"wdn_pt_$(openssl rand -hex 20)\"\n  \
         warden serve &\n  \
         export WARDEN_URL=http://127.0.0.1:7878\n  \
         export WARDEN_TOKEN=\"$WARDEN_ADMIN_TOKEN\"\n  \
         warden person add \"Ada Lovelace\" ada@example.com\n  \
         warden register support-bot --kind chatbot --env prod \\\n      \
         --owner ada@example.com\n\
         \n\
         Or look around a simulated live fleet first:  warden demo\n\
         \n\
         ? shows the keys · q quits",
        database.display()
    )
}

/// The dashboard needs a terminal for keys and screen; without one (a pipe,
/// cron, CI) it is a usage error, not a hang.
pub(crate) fn require_terminal() -> Result<(), CliError> {
    match terminal::not_a_terminal() {
        None => Ok(()),
        Some(why) => Err(CliError::usage(format!(
            "the dashboard needs a terminal ({why}). For scripts use the commands, \
             e.g. `warden agents --json`; see `warden --help`"
        ))),
    }
}

pub(crate) fn load_config(global: &Global) -> Result<Config, CliError> {
    Config::load(global.config.as_deref()).map_err(|e| CliError::usage(e.to_string()))
}

/// The dashboard's options: `--readonly` or the config's `readonly`, the
/// config's `refresh`, `--theme` over the config's `theme` (checked when
/// the dashboard starts, which falls back to the default and says so), and
/// the config's `bell`.
pub(crate) fn run_options(
    config: &Config,
    readonly: bool,
    theme: Option<&str>,
) -> Result<RunOptions, CliError> {
    let refresh = match &config.refresh {
        Some(text) => sources::parse_refresh(text)
            .map_err(|e| CliError::usage(format!("invalid refresh in the config: {e}")))?,
        None => sources::DEFAULT_REFRESH,
    };
    Ok(RunOptions {
        app: Options {
            readonly: readonly || config.readonly,
            welcome: None,
        },
        refresh,
        theme: theme.map(str::to_string).or_else(|| config.theme.clone()),
        // Absent means no bell: it rings only when asked for explicitly.
        bell: config.bell == Some(true),
    })
}

/// Several threads: the dashboard, its source and action tasks, and an
/// in-process backend (demo, local registry) share it.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))
}

/// Logs go to a file; when there can be none, say so now, while stderr is
/// still the plain terminal.
pub(crate) fn start_logging() {
    if let Err(why) = logging::init() {
        eprintln!("warden: warning: running without a log file: {why}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_for_the_header() {
        assert_eq!(short_name("http://127.0.0.1:7878"), "127.0.0.1:7878");
        assert_eq!(
            short_name("https://warden.corp.example/"),
            "warden.corp.example"
        );
        assert_eq!(short_name("nonsense"), "nonsense");
    }

    #[test]
    fn options_come_from_the_flag_and_the_config() {
        let mut cfg = Config::default();
        let o = run_options(&cfg, false, None).unwrap();
        assert!(!o.app.readonly);
        assert_eq!(o.refresh, sources::DEFAULT_REFRESH);
        assert_eq!(o.theme, None);
        assert!(!o.bell, "no bell unless asked for");
        assert!(run_options(&cfg, true, None).unwrap().app.readonly);
        cfg.bell = Some(false);
        assert!(!run_options(&cfg, false, None).unwrap().bell);
        cfg.bell = Some(true);
        assert!(run_options(&cfg, false, None).unwrap().bell);
        cfg.readonly = true;
        cfg.refresh = Some("500ms".into());
        cfg.theme = Some("light".into());
        let o = run_options(&cfg, false, None).unwrap();
        assert!(o.app.readonly);
        assert_eq!(o.refresh, Duration::from_millis(500));
        assert_eq!(o.theme.as_deref(), Some("light"));
        // The flag wins over the config.
        let o = run_options(&cfg, false, Some("colorblind")).unwrap();
        assert_eq!(o.theme.as_deref(), Some("colorblind"));
        cfg.refresh = Some("soon".into());
        assert_eq!(run_options(&cfg, false, None).unwrap_err().code, 2);
    }

    #[test]
    fn the_welcome_fits_its_box() {
        // The welcome box is 76 wide with borders; longer lines are cut.
        let text = welcome(Path::new("/home/u/.local/share/warden/warden.db"));
        for line in text.lines() {
            assert!(line.chars().count() <= 74, "{line:?}");
        }
        assert!(text.contains("warden serve") && text.contains("warden demo"));
    }
}
