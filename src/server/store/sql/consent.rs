//! Least privilege where access is granted (issue #17): what a chain of
//! delegations lets an agent hold, and who stands at the start of it. A
//! credential issued to an agent that acts for someone never exceeds what
//! was delegated to it, and a delegation in a person's name needs that
//! person's own token, their place at the start of the parent's chain, or
//! an admin's recorded approval.

use super::credentials::incoming;
use crate::model::{Agent, AgentStatus, Person};
use crate::server::store::db::Db;
use crate::server::store::{DelegationInput, StoreError, StoreResult};
use std::collections::BTreeSet;

/// The scopes delegated to `agent_id` (the union of its incoming
/// delegations); empty when nobody delegated to it.
pub fn delegated_scopes(conn: &Db, agent_id: &str) -> StoreResult<BTreeSet<String>> {
    Ok(incoming(conn, agent_id)?
        .into_iter()
        .flat_map(|d| d.scopes)
        .collect())
}

/// A credential for an agent that acts for someone holds only what was
/// delegated to it. An agent nobody delegated to acts for itself, and its
/// owner decides.
pub fn check_credential_scopes(conn: &Db, agent: &Agent, scopes: &[String]) -> StoreResult<()> {
    let held = delegated_scopes(conn, &agent.id)?;
    if held.is_empty() {
        return Ok(());
    }
    let extra: Vec<&str> = scopes
        .iter()
        .filter(|s| !held.contains(*s))
        .map(String::as_str)
        .collect();
    if extra.is_empty() {
        return Ok(());
    }
    Err(StoreError::Refused {
        code: "scope_exceeds_delegation",
        message: format!(
            "agent {} acts for others and was delegated only {}; a credential cannot carry {} \
             (delegate it first, or ask for less)",
            agent.name,
            held.into_iter().collect::<Vec<_>>().join(", "),
            extra.join(", ")
        ),
    })
}

/// A suspended or killed agent passes nothing on.
pub fn check_may_delegate(parent: &Agent) -> StoreResult<()> {
    match parent.status {
        AgentStatus::Killed => Err(StoreError::Conflict(format!(
            "agent {} is killed; it cannot delegate to anyone",
            parent.name
        ))),
        AgentStatus::Suspended => Err(StoreError::Refused {
            code: "agent_suspended",
            message: format!(
                "agent {} is suspended; it cannot delegate until it is resumed",
                parent.name
            ),
        }),
        AgentStatus::Active | AgentStatus::Dormant => Ok(()),
    }
}

/// The people at the start of the chains above `agent_id`.
pub fn chain_people(conn: &Db, agent_id: &str) -> StoreResult<BTreeSet<String>> {
    let mut people = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut frontier = vec![agent_id.to_string()];
    while let Some(a) = frontier.pop() {
        if !seen.insert(a.clone()) {
            continue;
        }
        for d in incoming(conn, &a)? {
            people.extend(d.on_behalf_of.clone());
            people.extend(d.parent_person.clone());
            frontier.extend(d.parent_agent);
        }
    }
    Ok(people)
}

/// How a delegation in `person`'s name is consented to, as the audit
/// chain records it; refused when nothing speaks for the person.
pub fn consent(
    conn: &Db,
    d: &DelegationInput,
    parent_agent: Option<&Agent>,
    person: &Person,
) -> StoreResult<String> {
    if d.by_person.as_deref() == Some(person.id.as_str()) {
        return Ok(format!(
            "consented by {} with their own token",
            person.email
        ));
    }
    if let Some(parent) = parent_agent
        && chain_people(conn, &parent.id)?.contains(&person.id)
    {
        return Ok(format!(
            "{} starts {}'s chain of delegations",
            person.email, parent.name
        ));
    }
    match d.approval.as_deref().map(str::trim) {
        Some(why) if !why.is_empty() => {
            Ok(format!("approved by an admin for {}: {why}", person.email))
        }
        _ if parent_agent.is_none() && d.by_admin => Ok(format!(
            "approved by an admin for {} (the admin's token recorded the delegation)",
            person.email
        )),
        _ => Err(StoreError::Refused {
            code: "consent_required",
            message: format!(
                "{} never delegated to {}; a delegation on their behalf needs their own token, \
                 or an admin's approval (give \"approval\": \"why\")",
                person.email,
                parent_agent.map_or("this chain", |a| a.name.as_str())
            ),
        }),
    }
}
