//! `warden` with no command: the dashboard. On `--url`/`WARDEN_URL` (with
//! its token), else on every `[[backend]]` of kind `warden` in the config,
//! merged, else on the embedded local registry: the default database,
//! served in this process on loopback under an admin token made for this
//! session, and watched over HTTP like any other backend. Every
//! `[[backend]]` of kind `alertmanager` in the config is watched beside
//! whichever of these it is: its alerts name agents of the Warden side.
//!
//! Also the pieces `warden demo` shares: the terminal check, the runtime,
//! the log file and the dashboard's options from the config.

use crate::alertmanager::Settings;
use crate::api::client::Client;
use crate::cli::args::{DashboardArgs, Global};
use crate::cli::backend;
use crate::cli::error::{CliError, CmdResult};
use crate::config::Config;
use crate::fleet::origin;
use crate::model::Role;
use crate::secrets;
use crate::server;
use crate::server::store::{Actor, TokenSpec};
use crate::sources;
use crate::tui::app::Options;
use crate::tui::effects::am_route::AmTarget;
use crate::tui::event_loop::{self, RunOptions, WardenTarget};
use crate::tui::{logging, strings, terminal};
use std::process::ExitCode;
use std::time::Duration;

/// How long quitting waits for the embedded server to finish requests in
/// flight; an action task still talking to it must not hold up the exit.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

pub fn dashboard(global: &Global, args: DashboardArgs) -> CmdResult {
    require_terminal()?;
    let config = load_config(global)?;
    let mut options = run_options(&config, args.readonly, args.theme.as_deref())?;
    let targets = remote_targets(global, &config)?;
    // A URL refused (plain HTTP to another host, an unreadable CA) is a
    // usage error, said before the terminal is taken.
    for t in &targets {
        Client::with_options(&t.url, Some(&t.token), &t.options).map_err(|e| {
            let e = CliError::from(e);
            CliError {
                message: format!("backend {:?}: {}", t.name, e.message),
                ..e
            }
        })?;
    }
    options.alertmanagers = alertmanager_targets(&config, &targets)?;
    let taken: Vec<&str> = targets
        .iter()
        .map(|t| t.name.as_str())
        .chain(options.alertmanagers.iter().map(|t| t.name.as_str()))
        .collect();
    options.vaults = crate::cli::vault::vault_targets(&config, &taken)?;
    let runtime = runtime()?;
    start_logging();
    if !targets.is_empty() {
        runtime
            .block_on(event_loop::run(targets, options))
            .map_err(|e| CliError::failed(format!("{e:#}")))?;
    } else {
        runtime.block_on(local(config, options))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The backends named by `--url` (that one alone) or the config (every one
/// of kind `warden`, in order); none means the embedded local registry.
/// Names must be unique and fit to qualify ids; each needs its token.
pub(crate) fn remote_targets(
    global: &Global,
    config: &Config,
) -> Result<Vec<WardenTarget>, CliError> {
    let has_url = global.url.as_deref().is_some_and(|u| !u.trim().is_empty());
    if has_url {
        // The same choice, token rules and messages as every other command.
        let chosen = backend::choose(global)?;
        return Ok(vec![WardenTarget {
            name: short_name(&chosen.url),
            url: chosen.url,
            token: chosen.token,
            options: chosen.options,
        }]);
    }
    let mut seen = std::collections::HashSet::new();
    for b in &config.backends {
        origin::valid_name(&b.name)
            .map_err(|e| CliError::usage(format!("invalid [[backend]] in the config: {e}")))?;
        if !seen.insert(b.name.as_str()) {
            return Err(CliError::usage(format!(
                "invalid config: two [[backend]]s are called {:?}; each needs its own name",
                b.name
            )));
        }
        if !matches!(b.kind.as_str(), "warden" | "alertmanager" | "vault") {
            return Err(CliError::usage(format!(
                "backend {:?} has kind {:?}; the kinds are \"warden\", \"alertmanager\" \
                 and \"vault\"",
                b.name, b.kind
            )));
        }
    }
    let explicit = global.token.as_deref().filter(|t| !t.trim().is_empty());
    config
        .backends
        .iter()
        .filter(|b| b.kind == "warden")
        .map(|b| {
            Ok(WardenTarget {
                name: b.name.clone(),
                url: b.url.clone(),
                token: backend::backend_token(b, explicit)?,
                options: backend::connect_options(global, Some(b)),
            })
        })
        .collect()
}

/// The config's backends of kind `alertmanager`, in order, watched beside
/// `warden` (the Warden backends: `--url`'s, the config's, or none for
/// the local registry). `--url` replaces the config's Warden backends, not
/// its Alertmanagers. A token is optional: only one behind an
/// authenticating proxy needs one.
pub(crate) fn alertmanager_targets(
    config: &Config,
    warden: &[WardenTarget],
) -> Result<Vec<AmTarget>, CliError> {
    let mut out = Vec::new();
    for b in config.backends.iter().filter(|b| b.kind == "alertmanager") {
        origin::valid_name(&b.name)
            .map_err(|e| CliError::usage(format!("invalid [[backend]] in the config: {e}")))?;
        if warden.iter().any(|t| t.name == b.name)
            || out.iter().any(|t: &AmTarget| t.name == b.name)
        {
            return Err(CliError::usage(format!(
                "invalid config: two backends are called {:?}; each needs its own name",
                b.name
            )));
        }
        let settings = Settings::from_config(b.agent_label.as_deref(), b.silence.as_deref())
            .map_err(|e| CliError::usage(format!("backend {:?}: {e}", b.name)))?;
        let token = match (&b.token_env, &b.token_file) {
            (None, None) => None,
            _ => Some(backend::backend_token(b, None)?),
        };
        out.push(AmTarget {
            name: b.name.clone(),
            url: b.url.clone(),
            token,
            settings,
        });
    }
    Ok(out)
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
    let path = super::serve::default_database(
        "cannot find the platform data directory for the local registry; \
         point the dashboard at a backend with --url and --token",
    )?;
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
            &TokenSpec::session(&name, Role::Admin, &token),
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
    options.app.welcome = Some(strings::welcome(&path));
    let target = WardenTarget {
        name: "local".into(),
        url: running.url.clone(),
        token,
        // This process's own server, on loopback.
        options: Default::default(),
    };
    let result = event_loop::run(vec![target], options).await;
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
        notice: None,
        keys: config.keys.clone(),
        alertmanagers: Vec::new(),
        vaults: Vec::new(),
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

    fn config(text: &str) -> Config {
        Config::parse(text).unwrap()
    }

    fn no_flags() -> Global {
        Global {
            url: None,
            token: None,
            config: None,
            allow_insecure_http: false,
            ca_cert: None,
        }
    }

    #[test]
    #[allow(unsafe_code)] // set_var, in a test of its own variables
    fn every_warden_backend_of_the_config_is_watched_in_order() {
        // SAFETY: the variable names are unique to this test.
        unsafe {
            std::env::set_var("WARDEN_TEST_DASH_PROD", "tok-prod");
            std::env::set_var("WARDEN_TEST_DASH_STG", "tok-stg");
        }
        let cfg = config(
            "[[backend]]\nname = \"prod\"\nurl = \"http://p:1\"\ntoken_env = \"WARDEN_TEST_DASH_PROD\"\n\
             [[backend]]\nname = \"alerts\"\nkind = \"alertmanager\"\nurl = \"http://a:9093\"\n\
             [[backend]]\nname = \"staging\"\nurl = \"http://s:1\"\ntoken_env = \"WARDEN_TEST_DASH_STG\"\n",
        );
        let targets = remote_targets(&no_flags(), &cfg).unwrap();
        let names: Vec<(&str, &str)> = targets
            .iter()
            .map(|t| (t.name.as_str(), t.token.as_str()))
            .collect();
        assert_eq!(names, [("prod", "tok-prod"), ("staging", "tok-stg")]);
        let ams = alertmanager_targets(&cfg, &targets).unwrap();
        assert_eq!(ams.len(), 1);
        assert_eq!(
            (ams[0].name.as_str(), ams[0].url.as_str()),
            ("alerts", "http://a:9093")
        );
        assert_eq!(ams[0].token, None, "Alertmanager needs no token");
        assert_eq!(ams[0].settings, Settings::default());
        // --url wins: that one backend alone.
        let one = remote_targets(
            &Global {
                url: Some("http://h:9".into()),
                token: Some("t".into()),
                ..no_flags()
            },
            &cfg,
        )
        .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].name, "h:9");
        // It replaces the Warden backends only: the Alertmanager joins it.
        assert_eq!(alertmanager_targets(&cfg, &one).unwrap()[0].name, "alerts");
        // None configured: the local registry.
        assert!(
            remote_targets(&no_flags(), &Config::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn backend_names_must_be_unique_and_plain_and_kinds_known() {
        let two = "[[backend]]\nname = \"prod\"\nurl = \"http://p:1\"\n\
                   [[backend]]\nname = \"prod\"\nurl = \"http://q:1\"\n";
        let e = remote_targets(&no_flags(), &config(two)).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(e.message.contains("two [[backend]]s"), "{}", e.message);
        let slash = "[[backend]]\nname = \"eu/prod\"\nurl = \"http://p:1\"\n";
        let e = remote_targets(&no_flags(), &config(slash)).unwrap_err();
        assert!(e.message.contains("eu/prod"), "{}", e.message);
        let kind = "[[backend]]\nname = \"x\"\nkind = \"splunk\"\nurl = \"http://p:1\"\n";
        let e = remote_targets(&no_flags(), &config(kind)).unwrap_err();
        assert!(e.message.contains("splunk"), "{}", e.message);
    }

    #[test]
    #[allow(unsafe_code)] // set_var, in a test of its own variables
    fn alertmanager_backends_are_checked_and_take_an_optional_token() {
        // SAFETY: the variable name is unique to this test.
        unsafe { std::env::set_var("WARDEN_TEST_DASH_AM", "am-tok") };
        let cfg = config(
            "[[backend]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"http://a:9093\"\n\
             token_env = \"WARDEN_TEST_DASH_AM\"\nagent_label = \"bot\"\nsilence = \"30m\"\n",
        );
        let ams = alertmanager_targets(&cfg, &[]).unwrap();
        assert_eq!(ams[0].token.as_deref(), Some("am-tok"));
        assert_eq!(ams[0].settings.agent_label.as_deref(), Some("bot"));
        assert_eq!(ams[0].settings.silence, Duration::from_secs(1800));
        assert!(!format!("{:?}", ams[0]).contains("am-tok"));

        let bad = "[[backend]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"http://a\"\nsilence = \"1s\"\n";
        let e = alertmanager_targets(&config(bad), &[]).unwrap_err();
        assert_eq!(e.code, 2);
        assert!(
            e.message.contains("\"am\"") && e.message.contains("silence"),
            "{}",
            e.message
        );

        let clash = WardenTarget {
            name: "am".into(),
            url: "http://w:1".into(),
            token: "t".into(),
            options: Default::default(),
        };
        let ok = "[[backend]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"http://a\"\n";
        let e = alertmanager_targets(&config(ok), &[clash]).unwrap_err();
        assert!(
            e.message.contains("two backends are called"),
            "{}",
            e.message
        );
    }
}
