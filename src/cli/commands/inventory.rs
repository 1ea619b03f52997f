//! Building the inventory: `register`, `person add`, `issue`, `delegate` and
//! `token create`. The two that mint a secret print it exactly once, with a
//! warning that it cannot be shown again.

use crate::api::client::Client;
use crate::api::{NewAgent, NewCredential, NewDelegation, NewPerson, NewToken};
use crate::cli::args::{DelegateArgs, IssueArgs, PersonAddArgs, RegisterArgs, TokenCreateArgs};
use crate::cli::error::CmdResult;
use crate::cli::output::{self, Out, safe, when};
use std::process::ExitCode;

pub async fn register(client: &Client, a: RegisterArgs) -> CmdResult {
    let asked_owner = a.owner.clone();
    let agent = client
        .create_agent(&NewAgent {
            name: a.name,
            kind: a.kind,
            environment: a.env,
            owner: a.owner,
            description: a.description,
            runtime: a.runtime,
            labels: a.labels.into_iter().collect(),
        })
        .await?;
    if a.json.json {
        output::json(&agent)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Registered agent {} ({}).",
        safe(&agent.name),
        safe(&agent.id)
    ));
    out.fields(&[
        ("kind", agent.kind.to_string()),
        ("environment", agent.environment.clone()),
        (
            "owner",
            owner_shown(agent.owner.as_deref(), asked_owner.as_deref()),
        ),
        ("status", agent.status.to_string()),
    ]);
    if agent.owner.is_none() {
        out.blank();
        out.line("It has no owner: set one with `warden owner AGENT PERSON --reason …`.");
    }
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

/// The owner's id, with the email or id the user gave when it differs.
fn owner_shown(id: Option<&str>, asked: Option<&str>) -> String {
    match (id, asked) {
        (None, _) => "none".into(),
        (Some(id), Some(asked)) if asked != id => format!("{asked} ({id})"),
        (Some(id), _) => id.to_string(),
    }
}

pub async fn person_add(client: &Client, a: PersonAddArgs) -> CmdResult {
    let person = client
        .create_person(&NewPerson {
            name: a.name,
            email: a.email,
            team: a.team,
            manager: a.manager,
        })
        .await?;
    if a.json.json {
        output::json(&person)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Added person {} <{}> ({}).",
        safe(&person.name),
        safe(&person.email),
        safe(&person.id)
    ));
    let mut fields = Vec::new();
    if let Some(team) = &person.team {
        fields.push(("team", team.clone()));
    }
    if let Some(manager) = &person.manager {
        fields.push(("manager", manager.clone()));
    }
    out.fields(&fields);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn issue(client: &Client, a: IssueArgs) -> CmdResult {
    let issued = client
        .issue_credential(
            &a.agent,
            &NewCredential {
                scopes: a.scopes,
                ttl_seconds: a.ttl,
            },
        )
        .await?;
    if a.json.json {
        output::json(&issued)?;
        return Ok(ExitCode::SUCCESS);
    }
    let cred = &issued.credential;
    let expires = match cred.expires_at {
        Some(t) => when(t),
        None => "never (no --ttl was given): revoke it when it is no longer needed".into(),
    };
    let mut out = Out::new();
    out.line(format!(
        "Issued credential {} to agent {} ({}).",
        safe(&cred.id),
        safe(&a.agent),
        safe(&cred.agent_id)
    ));
    out.fields(&[("scopes", cred.scopes.join(", ")), ("expires", expires)]);
    print_secret(&mut out, "Secret", &issued.secret);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn token_create(client: &Client, a: TokenCreateArgs) -> CmdResult {
    let name = a
        .name
        .unwrap_or_else(|| format!("{}-{}", a.role, chrono::Utc::now().format("%Y%m%d%H%M%S")));
    let issued = client
        .create_token(&NewToken {
            name,
            role: a.role,
            person: a.person,
            ttl_seconds: a.ttl,
        })
        .await?;
    if a.json.json {
        output::json(&issued)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    let person = match &issued.person {
        Some(p) => format!(" for {}", safe(p)),
        None => String::new(),
    };
    out.line(format!(
        "Created {} token {} ({}){person}.",
        issued.role,
        safe(&issued.name),
        safe(&issued.id)
    ));
    let expires = match issued.expires_at {
        Some(t) => when(t),
        None => "never (no --ttl was given): revoke it with `warden token revoke` when it is no longer needed".into(),
    };
    out.fields(&[("expires", expires)]);
    print_secret(&mut out, "Token", &issued.token);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

/// The secret on a line of its own, between warnings that this is the only
/// time it is shown.
pub(super) fn print_secret(out: &mut Out, what: &str, secret: &str) {
    out.blank();
    out.line(format!(
        "{what} (shown once: it cannot be shown again, store it now):"
    ));
    out.blank();
    out.line(format!("    {}", safe(secret)));
    out.blank();
}

/// PARENT is a person when it contains `@` (an email); otherwise an agent
/// when one has that id or name, else a person id.
pub async fn delegate(client: &Client, a: DelegateArgs) -> CmdResult {
    let (parent_agent, parent_person) = if a.parent.contains('@') {
        (None, Some(a.parent.clone()))
    } else {
        match client.get_agent(&a.parent).await {
            Ok(detail) => (Some(detail.agent.id), None),
            Err(e) if e.is_not_found() => (None, Some(a.parent.clone())),
            Err(e) => return Err(e.into()),
        }
    };
    let delegation = client
        .delegate(&NewDelegation {
            parent_agent,
            parent_person,
            child_agent: a.child.clone(),
            on_behalf_of: a.on_behalf_of,
            scopes: a.scopes,
            approval: a.approval,
        })
        .await?;
    if a.json.json {
        output::json(&delegation)?;
        return Ok(ExitCode::SUCCESS);
    }
    let parent = match (&delegation.parent_agent, &delegation.parent_person) {
        (Some(agent), _) => format!("agent {agent}"),
        (None, Some(person)) => format!("person {person}"),
        (None, None) => "?".into(),
    };
    let mut out = Out::new();
    out.line(format!("Recorded delegation {}.", safe(&delegation.id)));
    out.fields(&[
        ("from", parent),
        ("to", format!("agent {}", delegation.child_agent)),
        (
            "acting for",
            delegation
                .on_behalf_of
                .clone()
                .unwrap_or_else(|| "-".into()),
        ),
        ("scopes", delegation.scopes.join(", ")),
    ]);
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}
