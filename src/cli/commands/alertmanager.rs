//! `warden alerts` and `warden ack` with the config's backends of kind
//! `alertmanager`.
//!
//! `alerts` lists the Warden backend's alerts (chosen as every command
//! chooses it; none configured is fine here) and every Alertmanager's, each
//! of those with its id qualified by the backend's name (`NAME/FINGERPRINT`),
//! `source` set, and its agent label matched to a Warden agent (by id, then
//! by name) when one matches. An Alertmanager that cannot be read gets a
//! warning on stderr and the exit code 1, after everything that could be
//! read is printed: a script sees the list is incomplete, a person still
//! sees Warden's alerts. A Warden backend that cannot be read is an error,
//! as it always was.
//!
//! `ack NAME/FINGERPRINT` makes the silence (see
//! [`crate::alertmanager::silence`]) under the responder's name: the
//! Warden backend's word for the token, else the login name.

use crate::alertmanager::client::{AmClient, AmError};
use crate::alertmanager::{Settings, read, responder, silence};
use crate::api::Changes;
use crate::api::client::Client;
use crate::cli::args::{AckArgs, Command, Global};
use crate::cli::backend;
use crate::cli::error::{CliError, CmdResult, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE};
use crate::cli::output::{self, Out, safe, when};
use crate::config::{BackendConfig, Config};
use crate::fleet::foreign::AgentMatcher;
use crate::fleet::origin::{self, SEPARATOR};
use crate::fleet::safe_text;
use crate::fleet::state::Fleet;
use crate::model::Alert;
use std::process::ExitCode;

/// The config, when `command` involves one of its Alertmanagers: `alerts`
/// with any configured, `ack` of an id qualified with one's name. A config
/// that cannot be read leaves the command to the usual path, which says
/// what is wrong with it when it needs it.
pub fn wanted(global: &Global, command: &Command) -> Option<Config> {
    let config = Config::load(global.config.as_deref()).ok()?;
    let wanted = match command {
        Command::Alerts(_) => alertmanagers(&config).next().is_some(),
        Command::Ack(a) => owner(&config, &a.alert_id).is_some(),
        _ => false,
    };
    wanted.then_some(config)
}

/// Runs `alerts` or `ack` (as [`wanted`] chose) on its own runtime.
pub fn run(global: &Global, config: &Config, command: Command) -> CmdResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    match command {
        Command::Alerts(a) => runtime.block_on(alerts(global, config, a.json)),
        Command::Ack(a) => runtime.block_on(ack(global, config, a)),
        _ => Err(CliError::failed("only alerts and ack read an Alertmanager")),
    }
}

fn alertmanagers(config: &Config) -> impl Iterator<Item = &BackendConfig> {
    config.backends.iter().filter(|b| b.kind == "alertmanager")
}

/// The Alertmanager backend `alert_id` is qualified with, and the bare
/// fingerprint.
fn owner<'a>(config: &'a Config, alert_id: &'a str) -> Option<(&'a BackendConfig, &'a str)> {
    let (name, fingerprint) = origin::split(alert_id)?;
    alertmanagers(config)
        .find(|b| b.name == name)
        .map(|b| (b, fingerprint))
}

/// A client and settings for one configured Alertmanager.
fn open(b: &BackendConfig) -> Result<(AmClient, Settings), CliError> {
    let settings = Settings::from_config(b.agent_label.as_deref(), b.silence.as_deref())
        .map_err(|e| CliError::usage(format!("backend {:?}: {e}", b.name)))?;
    let token = match (&b.token_env, &b.token_file) {
        (None, None) => None,
        _ => Some(backend::backend_token(b, None)?),
    };
    let client = AmClient::new(&b.url, token.as_deref())
        .map_err(|e| CliError::usage(format!("backend {:?}: {e}", b.name)))?;
    Ok((client, settings))
}

/// The Warden backend, as every command chooses it; `None` when there is
/// none at all (no `--url`, no `[[backend]]` of kind `warden`), which an
/// Alertmanager's alerts do not need.
fn warden(global: &Global, config: &Config) -> Result<Option<Client>, CliError> {
    let has_url = global.url.as_deref().is_some_and(|u| !u.trim().is_empty());
    if !has_url && !config.backends.iter().any(|b| b.kind == "warden") {
        return Ok(None);
    }
    Ok(Some(backend::choose(global)?.client()?))
}

fn am_error(name: &str, e: AmError) -> CliError {
    let (code, error_code) = match e {
        AmError::NoSuchAlert { .. } => (EXIT_NOT_FOUND, "not_found"),
        AmError::InvalidUrl { .. } => (EXIT_USAGE, "usage"),
        AmError::Unreachable { .. } => (EXIT_FAILED, "unreachable"),
        AmError::Timeout { .. } => (EXIT_FAILED, "timeout"),
        AmError::Malformed { .. } => (EXIT_FAILED, "malformed_answer"),
        AmError::Refused { .. } | AmError::Build(_) => (EXIT_FAILED, "failed"),
    };
    CliError {
        error_code: error_code.into(),
        ..CliError::new(code, format!("backend {name:?}: {e}"))
    }
}

async fn alerts(global: &Global, config: &Config, json: bool) -> CmdResult {
    let warden = warden(global, config)?;
    let opened = alertmanagers(config)
        .map(|b| open(b).map(|(client, settings)| (b.name.as_str(), client, settings)))
        .collect::<Result<Vec<_>, _>>()?;
    let reads = futures_util::future::join_all(
        opened
            .iter()
            .map(|(_, client, settings)| read::alerts(client, settings)),
    );
    let (mut all, answers) = match &warden {
        Some(c) => {
            let (own, answers) = tokio::join!(c.alerts(), reads);
            (own?, answers)
        }
        None => (Vec::new(), reads.await),
    };
    let mut foreign = Vec::new();
    let mut missing = 0;
    for ((name, _, _), answer) in opened.iter().zip(answers) {
        match answer {
            Ok(list) => foreign.extend(list.into_iter().map(|mut a| {
                a.id = format!("{name}{SEPARATOR}{}", a.id);
                a
            })),
            Err(e) => {
                missing += 1;
                eprintln!(
                    "warden: warning: {}; its alerts are not listed",
                    safe_text::escape(&am_error(name, e).message)
                );
            }
        }
    }
    match_agents(warden.as_ref(), &mut foreign).await?;
    all.extend(foreign);
    super::view::print_alerts(&all, json)?;
    Ok(if missing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}

/// Each alert's agent label, as the Warden backend's agent id when it names
/// exactly one of its agents; left as the label otherwise.
async fn match_agents(warden: Option<&Client>, alerts: &mut [Alert]) -> Result<(), CliError> {
    let Some(client) = warden.filter(|_| alerts.iter().any(|a| a.agent_id.is_some())) else {
        return Ok(());
    };
    let mut fleet = Fleet::new();
    fleet.apply(Changes {
        full: true,
        agents: client.list_agents().await?,
        ..Changes::default()
    });
    let mut matcher = AgentMatcher::new(&fleet, &[]);
    for a in alerts {
        if let Some(label) = &a.agent_id
            && let Some(id) = matcher.agent_for(label)
        {
            a.agent_id = Some(id);
        }
    }
    Ok(())
}

async fn ack(global: &Global, config: &Config, a: AckArgs) -> CmdResult {
    let Some((b, fingerprint)) = owner(config, &a.alert_id) else {
        return Err(CliError::failed("not an Alertmanager's alert"));
    };
    let (client, settings) = open(b)?;
    // A Warden backend that cannot say who we are does not stop the
    // silence; the login name stands in.
    let by = match warden(global, config) {
        Ok(Some(c)) => responder::name(&[c]).await,
        _ => responder::name(&[]).await,
    };
    let done = silence::acknowledge(&client, &settings, fingerprint, &by, &a.reason)
        .await
        .map_err(|e| am_error(&b.name, e))?;
    let mut alert = done.alert;
    alert.id = a.alert_id.clone();
    if a.json.json {
        output::json(&serde_json::json!({
            "alert": alert,
            "silence_id": done.silence_id,
            "already_silenced": done.already,
            "until": done.until,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    let what = format!(
        "Alert {} ({} {}, {})",
        safe(&alert.id),
        alert.severity,
        safe(&alert.rule),
        safe(&alert.summary)
    );
    if done.already {
        out.line(format!(
            "{what} was already silenced by {} (silence {}); no new silence made.",
            safe(alert.acknowledged_by.as_deref().unwrap_or("someone")),
            safe(&done.silence_id)
        ));
    } else {
        let until = done.until.map(when).unwrap_or_else(|| "-".into());
        out.line(format!(
            "{what}: silenced in Alertmanager {} by {}, until {until}. Silence {}.",
            safe(&b.name),
            safe(&by),
            safe(&done.silence_id)
        ));
    }
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}
