//! Acting on one thing, with a reason for the audit trail: `suspend`,
//! `resume`, `revoke`, `rotate`, `owner` and `ack`. Each prints what the backend says
//! the thing now is, never what we asked for.

use crate::api::client::Client;
use crate::api::{NewOwner, RotateRequest};
use crate::cli::args::{AckArgs, OwnerArgs, ReasonedAgent, RevokeArgs, RotateArgs, SnoozeArgs};
use crate::cli::commands::inventory::print_secret;
use crate::cli::error::CmdResult;
use crate::cli::output::{self, Out, safe, when};
use crate::model::Agent;
use crate::model::CredentialStatus;
use std::process::ExitCode;

fn agent_done(verb: &str, agent: &Agent, json: bool) -> CmdResult {
    if json {
        output::json(agent)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "{verb} agent {} ({}): status {}.",
        safe(&agent.name),
        safe(&agent.id),
        agent.status
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn suspend(client: &Client, a: ReasonedAgent) -> CmdResult {
    let agent = client.suspend(&a.agent, &a.reason).await?;
    agent_done("Suspended", &agent, a.json.json)
}

pub async fn resume(client: &Client, a: ReasonedAgent) -> CmdResult {
    let agent = client.resume(&a.agent, &a.reason).await?;
    agent_done("Resumed", &agent, a.json.json)
}

pub async fn owner(client: &Client, a: OwnerArgs) -> CmdResult {
    let agent = client
        .set_owner(
            &a.agent,
            &NewOwner {
                owner: a.person.clone(),
                reason: a.reason,
            },
        )
        .await?;
    if a.json.json {
        output::json(&agent)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Owner of agent {} ({}) is now {} ({}).",
        safe(&agent.name),
        safe(&agent.id),
        safe(&a.person),
        safe(agent.owner.as_deref().unwrap_or("none"))
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn revoke(client: &Client, a: RevokeArgs) -> CmdResult {
    let cred = client.revoke(&a.credential_id, &a.reason).await?;
    if a.json.json {
        output::json(&cred)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Revoked credential {} of agent {}: status {}.",
        safe(&cred.id),
        safe(&cred.agent_id),
        cred.status
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn rotate(client: &Client, a: RotateArgs) -> CmdResult {
    let req = RotateRequest {
        reason: a.reason,
        grace_seconds: Some(a.grace),
    };
    let rotated = client.rotate(&a.credential_id, &req).await?;
    if a.json.json {
        output::json(&rotated)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (new, old) = (&rotated.credential, &rotated.previous);
    let expires = match new.expires_at {
        Some(t) => when(t),
        None => "never, like the one it replaces".into(),
    };
    // What the backend says the old one now is, not what was asked for.
    let retired = match (old.status, old.expires_at) {
        (CredentialStatus::Revoked, _) => "revoked now: it is refused from this moment".into(),
        (CredentialStatus::Expired, _) => "expired: it is already refused".into(),
        (CredentialStatus::Active, Some(t)) => {
            format!("keeps working until {}, then is refused", when(t))
        }
        (CredentialStatus::Active, None) => "still active: revoke it yourself".into(),
    };
    let mut out = Out::new();
    out.line(format!(
        "Rotated credential {} of agent {}: the replacement is {}.",
        safe(&old.id),
        safe(&new.agent_id),
        safe(&new.id)
    ));
    out.fields(&[
        ("scopes", new.scopes.join(", ")),
        ("expires", expires),
        ("old one", retired),
    ]);
    print_secret(&mut out, "New secret", &rotated.secret);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn ack(client: &Client, a: AckArgs) -> CmdResult {
    let alert = client.ack(&a.alert_id, &a.reason).await?;
    if a.json.json {
        output::json(&alert)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Alert {} ({} {}, {}): status {}.",
        safe(&alert.id),
        alert.severity,
        safe(&alert.rule),
        safe(&alert.summary),
        alert.status
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

/// `warden snooze ALERT --for 2h --reason …`: the alert waits, out of the
/// open counts, until then or until it escalates.
pub async fn snooze(client: &Client, a: SnoozeArgs) -> CmdResult {
    let alert = client.snooze(&a.alert_id, a.seconds, &a.reason).await?;
    snoozed(&alert, a.json.json)
}

/// `warden unsnooze ALERT --reason …`: the alert counts again now.
pub async fn unsnooze(client: &Client, a: AckArgs) -> CmdResult {
    let alert = client.unsnooze(&a.alert_id, &a.reason).await?;
    snoozed(&alert, a.json.json)
}

fn snoozed(alert: &crate::model::Alert, json: bool) -> CmdResult {
    if json {
        output::json(alert)?;
        return Ok(ExitCode::SUCCESS);
    }
    let until = match alert.snoozed_until {
        Some(t) => format!("snoozed until {}", t.format("%Y-%m-%d %H:%M UTC")),
        None => "not snoozed".into(),
    };
    let mut out = Out::new();
    out.line(format!(
        "Alert {} ({} {}): {until}.",
        safe(&alert.id),
        alert.severity,
        safe(&alert.rule),
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}
