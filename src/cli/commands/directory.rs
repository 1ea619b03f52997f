//! The directory and grants: `person list`, `person offboard`, `grant
//! list`, `grant add` and `grant remove`. Each prints what the backend
//! answers, never what was asked for.

use crate::api::NewGrant;
use crate::api::client::Client;
use crate::cli::args::{
    GrantAddArgs, GrantListArgs, GrantRemoveArgs, JsonFlag, PersonOffboardArgs,
};
use crate::cli::error::CmdResult;
use crate::cli::output::{self, Out, Table, ago, count, safe};
use crate::model::{Agent, AgentStatus, Grant, Person, PersonStatus};
use std::collections::HashMap;
use std::process::ExitCode;

/// Agents that count as someone's: every one not killed.
fn owned_by<'a>(agents: &'a [Agent], person: &str) -> Vec<&'a Agent> {
    agents
        .iter()
        .filter(|a| a.status != AgentStatus::Killed && a.owner.as_deref() == Some(person))
        .collect()
}

pub async fn people(client: &Client, a: JsonFlag) -> CmdResult {
    if a.json {
        output::json(&client.list_people().await?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (mut people, agents) = tokio::try_join!(client.list_people(), client.list_agents())?;
    let mut out = Out::new();
    if people.is_empty() {
        out.line("No people yet: add one with `warden person add NAME EMAIL`.");
        out.emit()?;
        return Ok(ExitCode::SUCCESS);
    }
    let email: HashMap<String, String> = people
        .iter()
        .map(|p| (p.id.clone(), p.email.clone()))
        .collect();
    let mut owns: HashMap<&str, usize> = HashMap::new();
    for agent in agents.iter().filter(|a| a.status != AgentStatus::Killed) {
        if let Some(owner) = agent.owner.as_deref() {
            *owns.entry(owner).or_default() += 1;
        }
    }
    people.sort_by(|x, y| {
        (x.status != PersonStatus::Active, &x.name)
            .cmp(&(y.status != PersonStatus::Active, &y.name))
    });
    let mut table = Table::new(&["NAME", "EMAIL", "TEAM", "MANAGER", "STATUS", "OWNS", "ID"]);
    for p in &people {
        let manager = p
            .manager
            .as_ref()
            .map(|m| email.get(m).cloned().unwrap_or_else(|| m.clone()))
            .unwrap_or_else(|| "-".into());
        table.row([
            p.name.clone(),
            p.email.clone(),
            p.team.clone().unwrap_or_else(|| "-".into()),
            manager,
            status(p),
            owns.get(p.id.as_str()).copied().unwrap_or(0).to_string(),
            p.id.clone(),
        ]);
    }
    out.table(&table);
    out.blank();
    let departed = people
        .iter()
        .filter(|p| p.status == PersonStatus::Departed)
        .count();
    let total = match people.len() {
        1 => "1 person".to_string(),
        n => format!("{n} people"),
    };
    out.line(format!("{total}, {departed} departed"));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

fn status(p: &Person) -> String {
    match (p.status, p.departed_at) {
        (PersonStatus::Departed, Some(at)) => format!("departed {}", ago(Some(at))),
        (s, _) => s.to_string(),
    }
}

pub async fn offboard(client: &Client, a: PersonOffboardArgs) -> CmdResult {
    let person = client.offboard_person(&a.person, &a.reason).await?;
    if a.json.json {
        output::json(&person)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Offboarded {} <{}> ({}): status {}; their person tokens are refused from now on.",
        safe(&person.name),
        safe(&person.email),
        safe(&person.id),
        status(&person)
    ));
    // What the responder has to do next: the agents left without an owner.
    let agents = client.list_agents().await?;
    let orphans = owned_by(&agents, &person.id);
    if orphans.is_empty() {
        out.line("They own no agent.");
    } else {
        let mut names: Vec<String> = orphans.iter().map(|a| a.name.clone()).collect();
        names.sort();
        out.line(format!(
            "{} they owned need a new owner: {}.",
            count(orphans.len(), "agent"),
            safe(&names.join(", "))
        ));
        out.line(
            "See `warden triage` for suggestions, then `warden owner AGENT PERSON --reason …`.",
        );
    }
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

/// An agent's grants, with the ids `grant remove` takes.
pub(super) fn grant_table(grants: &[Grant]) -> Table {
    let mut t = Table::new(&["ID", "RESOURCE", "SCOPE", "LEVEL", "GRANTED", "LAST USED"]);
    for g in grants {
        t.row([
            g.id.clone(),
            g.resource.clone(),
            g.scope.clone(),
            g.level.to_string(),
            ago(Some(g.granted_at)),
            ago(g.last_used_at),
        ]);
    }
    t
}

pub async fn grants(client: &Client, a: GrantListArgs) -> CmdResult {
    let detail = client.get_agent(&a.agent).await?;
    if a.json.json {
        output::json(&detail.grants)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    let agent = &detail.agent;
    if detail.grants.is_empty() {
        out.line(format!(
            "Agent {} ({}) has no grants.",
            safe(&agent.name),
            safe(&agent.id)
        ));
    } else {
        out.line(format!(
            "Grants of agent {} ({}):",
            safe(&agent.name),
            safe(&agent.id)
        ));
        out.section_table(&grant_table(&detail.grants));
    }
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn grant_add(client: &Client, a: GrantAddArgs) -> CmdResult {
    let grant = client
        .add_grant(
            &a.agent,
            &NewGrant {
                resource: a.resource,
                scope: a.scope,
                level: a.level,
            },
        )
        .await?;
    if a.json.json {
        output::json(&grant)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Granted {} {} on {} to agent {} ({}): grant {}.",
        grant.level,
        safe(&grant.scope),
        safe(&grant.resource),
        safe(&a.agent),
        safe(&grant.agent_id),
        safe(&grant.id)
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn grant_remove(client: &Client, a: GrantRemoveArgs) -> CmdResult {
    let grant = client.remove_grant(&a.agent, &a.grant, &a.reason).await?;
    if a.json.json {
        output::json(&grant)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = Out::new();
    out.line(format!(
        "Removed grant {} ({} {} on {}) from agent {} ({}).",
        safe(&grant.id),
        grant.level,
        safe(&grant.scope),
        safe(&grant.resource),
        safe(&a.agent),
        safe(&grant.agent_id)
    ));
    out.emit()?;
    Ok(ExitCode::SUCCESS)
}
