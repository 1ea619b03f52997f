//! Credentials, grants and delegations, and the lookup of an
//! agent credential by the hash of its secret.

use super::rows::{self, CREDENTIAL_COLS, DELEGATION_COLS, GRANT_COLS, now_ms, to_json, to_ms};
use super::tx::{append_audit, next_rev, not_found};
use super::{agents, people};
use crate::api::NewGrant;
use crate::model::*;
use crate::secrets::new_id;
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, DelegationInput, Principal, Rotation, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// Longest delegation chain accepted, counted in agents.
const MAX_CHAIN: usize = 16;

pub fn get(conn: &Db, id: &str) -> StoreResult<Credential> {
    conn.query_row(
        &format!("SELECT {CREDENTIAL_COLS} FROM credentials WHERE id = ?1"),
        params![id],
        rows::credential,
    )
    .optional()?
    .ok_or_else(|| not_found("credential", id))
}

pub fn find_by_hash(conn: &Db, hash: &str) -> StoreResult<Option<Principal>> {
    let credential = conn
        .query_row(
            &format!("SELECT {CREDENTIAL_COLS} FROM credentials WHERE hash = ?1"),
            params![hash],
            rows::credential,
        )
        .optional()?;
    match credential {
        Some(credential) => {
            let agent = agents::get(conn, &credential.agent_id)?;
            Ok(Some(Principal::Agent { credential, agent }))
        }
        None => Ok(None),
    }
}

fn check_scopes(scopes: &[String]) -> StoreResult<()> {
    if scopes.is_empty() {
        return Err(StoreError::Invalid("give at least one scope".into()));
    }
    if let Some(bad) = scopes
        .iter()
        .find(|s| s.trim().is_empty() || s.chars().any(char::is_whitespace))
    {
        return Err(StoreError::Invalid(format!(
            "scope {bad:?} is empty or has spaces"
        )));
    }
    for scope in scopes {
        line("scope", scope)?;
    }
    Ok(())
}

/// The text policy for a one-line field ([`crate::server::text_policy`]).
fn line(field: &str, value: &str) -> StoreResult<()> {
    use crate::server::text_policy::{Kind, check};
    check(field, value, Kind::Line).map_err(StoreError::Invalid)
}

pub fn issue(
    tx: &Db,
    actor: &Actor,
    agent_id: &str,
    scopes: &[String],
    expires_at: Option<DateTime<Utc>>,
    hash: &str,
    prefix: &str,
) -> StoreResult<Credential> {
    check_scopes(scopes)?;
    let agent = agents::get(tx, agent_id)?;
    if agent.status == AgentStatus::Killed {
        return Err(StoreError::Conflict(format!(
            "agent {} is killed; it gets no new credentials",
            agent.name
        )));
    }
    super::consent::check_credential_scopes(tx, &agent, scopes)?;
    let rev = next_rev(tx)?;
    let id = insert(tx, &agent.id, scopes, expires_at, hash, prefix, rev)?;
    let expiry = expiry(expires_at);
    append_audit(
        tx,
        actor,
        "credential.issue",
        &format!("{id} of {} ({})", agent.id, agent.name),
        None,
        &format!("ok, {expiry}"),
    )?;
    get(tx, &id)
}

fn insert(
    tx: &Db,
    agent_id: &str,
    scopes: &[String],
    expires_at: Option<DateTime<Utc>>,
    hash: &str,
    prefix: &str,
    rev: i64,
) -> StoreResult<String> {
    let id = new_id("crd");
    tx.execute(
        "INSERT INTO credentials (id, agent_id, hash, prefix, scopes, issued_at, expires_at, status, rev) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'active', ?8)",
        params![id, agent_id, hash, prefix, to_json(&scopes), now_ms(), expires_at.map(to_ms), rev],
    )?;
    Ok(id)
}

fn expiry(expires_at: Option<DateTime<Utc>>) -> String {
    match expires_at {
        Some(e) => format!("expires {}", e.to_rfc3339()),
        None => "never expires".to_string(),
    }
}

/// The replacement takes the old credential's agent, scopes and lifetime
/// (a 30-day credential is replaced by a 30-day one); the old one is
/// revoked now (grace 0) or made to expire when the grace ends, unless it
/// expires sooner, so the ordinary expiry check refuses it from then on.
pub fn rotate(
    tx: &Db,
    actor: &Actor,
    id: &str,
    r: &Rotation,
) -> StoreResult<(Credential, Credential)> {
    let old = get(tx, id)?;
    // The agent first: a kill revokes every credential, and the kill is
    // what the responder needs to hear about.
    let agent = agents::get(tx, &old.agent_id)?;
    if agent.status == AgentStatus::Killed {
        return Err(StoreError::Refused {
            code: "agent_killed",
            message: format!(
                "agent {} ({}) is killed; its credentials are not replaced",
                agent.id, agent.name
            ),
        });
    }
    if old.status == CredentialStatus::Revoked {
        return Err(StoreError::Refused {
            code: "credential_revoked",
            message: format!(
                "credential {id} is already revoked ({}); there is nothing to rotate: issue a new credential instead",
                old.revoked_reason
                    .as_deref()
                    .unwrap_or("no reason recorded")
            ),
        });
    }
    if let Some(by) = &old.replaced_by {
        return Err(StoreError::Refused {
            code: "credential_replaced",
            message: format!(
                "credential {id} was already replaced by {by}; rotate {by} instead, or revoke {id} to end its grace period now"
            ),
        });
    }
    let now = Utc::now();
    let expires_at = old.expires_at.map(|e| now + (e - old.issued_at));
    let rev = next_rev(tx)?;
    let new_id = insert(
        tx,
        &agent.id,
        &old.scopes,
        expires_at,
        &r.secret_hash,
        &r.prefix,
        rev,
    )?;
    let retired = if r.grace_seconds == 0 {
        tx.execute(
            "UPDATE credentials SET status = 'revoked', revoked_at = ?2, revoked_reason = ?3, \
             rev = ?4, replaced_by = ?5 WHERE id = ?1",
            params![
                id,
                to_ms(now),
                format!("rotated, replaced by {new_id}: {}", r.reason),
                rev,
                new_id
            ],
        )?;
        format!("{id} revoked at once")
    } else {
        let grace_end = now + chrono::Duration::seconds(r.grace_seconds as i64);
        let until = old.expires_at.map_or(grace_end, |e| e.min(grace_end));
        tx.execute(
            "UPDATE credentials SET expires_at = ?2, rev = ?3, replaced_by = ?4 WHERE id = ?1",
            params![id, to_ms(until), rev, new_id],
        )?;
        format!(
            "{id} works until {} (grace {}s)",
            until.to_rfc3339(),
            r.grace_seconds
        )
    };
    append_audit(
        tx,
        actor,
        "credential.rotate",
        &format!("{id} -> {new_id} of {} ({})", agent.id, agent.name),
        Some(&r.reason),
        &format!("ok, {new_id} {}; {retired}", expiry(expires_at)),
    )?;
    Ok((get(tx, &new_id)?, get(tx, id)?))
}

pub fn revoke(tx: &Db, actor: &Actor, id: &str, reason: &str) -> StoreResult<Credential> {
    let credential = get(tx, id)?;
    if credential.status == CredentialStatus::Revoked {
        return Ok(credential);
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE credentials SET status = 'revoked', revoked_at = ?2, revoked_reason = ?3, rev = ?4 WHERE id = ?1",
        params![id, now_ms(), reason, rev],
    )?;
    append_audit(
        tx,
        actor,
        "credential.revoke",
        &format!("{id} of {}", credential.agent_id),
        Some(reason),
        "ok",
    )?;
    get(tx, id)
}

pub fn revoke_all(tx: &Db, actor: &Actor, agent_id: &str, reason: &str) -> StoreResult<usize> {
    let agent = agents::get(tx, agent_id)?;
    // Expired credentials are revoked too, so nothing the agent held stays
    // in a state that a clock change could revive.
    let rev = next_rev(tx)?;
    let n = tx.execute(
        "UPDATE credentials SET status = 'revoked', revoked_at = ?2, revoked_reason = ?3, rev = ?4 \
         WHERE agent_id = ?1 AND status != 'revoked'",
        params![agent.id, now_ms(), reason, rev],
    )?;
    if n > 0 {
        append_audit(
            tx,
            actor,
            "credential.revoke_all",
            &format!("{} ({})", agent.id, agent.name),
            Some(reason),
            &format!("{n} revoked"),
        )?;
    }
    Ok(n)
}

pub fn add_grant(tx: &Db, actor: &Actor, agent_id: &str, g: &NewGrant) -> StoreResult<Grant> {
    let agent = agents::get(tx, agent_id)?;
    if agent.status == AgentStatus::Killed {
        return Err(StoreError::Conflict(format!(
            "agent {} is killed; it gets no new grants",
            agent.name
        )));
    }
    if g.resource.trim().is_empty() || g.scope.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a grant needs a resource and a scope".into(),
        ));
    }
    line("resource", &g.resource)?;
    line("scope", &g.scope)?;
    let id = new_id("grt");
    let rev = next_rev(tx)?;
    tx.execute(
        "INSERT INTO grants (id, agent_id, resource, scope, level, granted_at, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, agent.id, g.resource, g.scope, g.level.as_str(), now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "grant.add",
        &format!("{id} of {} ({})", agent.id, agent.name),
        None,
        &format!("{} {} on {}", g.level, g.scope, g.resource),
    )?;
    tx.query_row(
        &format!("SELECT {GRANT_COLS} FROM grants WHERE id = ?1"),
        params![&id],
        rows::grant,
    )
    .map_err(Into::into)
}

/// Deletes one grant of the agent and says so in the changes feed (a
/// `removed` row) and the audit chain; answers the grant as it was.
pub fn remove_grant(
    tx: &Db,
    actor: &Actor,
    agent_id: &str,
    grant_id: &str,
    reason: &str,
) -> StoreResult<Grant> {
    let agent = agents::get(tx, agent_id)?;
    let grant = tx
        .query_row(
            &format!("SELECT {GRANT_COLS} FROM grants WHERE id = ?1 AND agent_id = ?2"),
            params![grant_id, agent.id],
            rows::grant,
        )
        .optional()?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "agent {} holds no grant {grant_id:?} (GET /v1/agents/{} lists its grants)",
                agent.name, agent.id
            ))
        })?;
    let rev = next_rev(tx)?;
    tx.execute("DELETE FROM grants WHERE id = ?1", params![grant.id])?;
    tx.execute(
        "INSERT INTO removed (kind, id, rev) VALUES ('grant', ?1, ?2)",
        params![grant.id, rev],
    )?;
    // The deleted row leaves no agent behind: the agent's own revision
    // moves, so the summary form counts its grants again.
    tx.execute(
        "UPDATE agents SET rev = ?1 WHERE id = ?2",
        params![rev, agent.id],
    )?;
    append_audit(
        tx,
        actor,
        "grant.remove",
        &format!("{} of {} ({})", grant.id, agent.id, agent.name),
        Some(reason),
        &format!("{} {} on {}", grant.level, grant.scope, grant.resource),
    )?;
    Ok(grant)
}

pub(crate) fn incoming(conn: &Db, agent_id: &str) -> StoreResult<Vec<Delegation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {DELEGATION_COLS} FROM delegations WHERE child_agent = ?1"
    ))?;
    let v = stmt
        .query_map(params![agent_id], rows::delegation)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// How many agents deep the chain above `agent_id` goes, and whether
/// `needle` is among them.
fn ancestors(conn: &Db, agent_id: &str, needle: &str) -> StoreResult<(usize, bool)> {
    let mut depth = 0;
    let mut frontier = vec![agent_id.to_string()];
    let mut seen = BTreeSet::new();
    while !frontier.is_empty() && depth <= MAX_CHAIN {
        let mut next = Vec::new();
        for a in frontier {
            if a == needle {
                return Ok((depth, true));
            }
            if !seen.insert(a.clone()) {
                continue;
            }
            next.extend(
                incoming(conn, &a)?
                    .into_iter()
                    .filter_map(|d| d.parent_agent),
            );
        }
        frontier = next;
        depth += 1;
    }
    Ok((depth, false))
}

pub fn add_delegation(tx: &Db, actor: &Actor, d: &DelegationInput) -> StoreResult<Delegation> {
    check_scopes(&d.scopes)?;
    let child = agents::referenced(tx, &d.child_agent, "child_agent")?;
    if child.status == AgentStatus::Killed {
        return Err(StoreError::Conflict(format!(
            "agent {} is killed; it cannot act for anyone",
            child.name
        )));
    }
    let (parent_agent, parent_person) = match (&d.parent_agent, &d.parent_person) {
        (Some(a), None) => {
            let parent = agents::referenced(tx, a, "parent_agent")?;
            // Checked in the write that records it: a kill marks the agent
            // killed in its own write, so one of the two always sees the other.
            super::consent::check_may_delegate(&parent)?;
            (Some(parent), None)
        }
        (None, Some(p)) => (None, Some(people::referenced(tx, p, "parent_person")?)),
        _ => {
            return Err(StoreError::Invalid(
                "give exactly one of parent_agent and parent_person".into(),
            ));
        }
    };
    let on_behalf_of = match &d.on_behalf_of {
        Some(p) => Some(people::referenced(tx, p, "on_behalf_of")?),
        None => parent_person.clone(),
    };
    if let Some(parent) = &parent_agent {
        if parent.id == child.id {
            return Err(StoreError::Invalid(
                "an agent cannot delegate to itself".into(),
            ));
        }
        let (depth, cycle) = ancestors(tx, &parent.id, &child.id)?;
        if cycle {
            return Err(StoreError::Invalid(format!(
                "{} already acts for {}; the delegation would make a cycle",
                parent.name, child.name
            )));
        }
        if depth >= MAX_CHAIN {
            return Err(StoreError::Invalid(format!(
                "the delegation chain would be deeper than {MAX_CHAIN}"
            )));
        }
        // A child never holds more than its parent was delegated.
        let held: BTreeSet<String> = incoming(tx, &parent.id)?
            .into_iter()
            .flat_map(|d| d.scopes)
            .collect();
        if !held.is_empty()
            && let Some(extra) = d.scopes.iter().find(|s| !held.contains(*s))
        {
            return Err(StoreError::Invalid(format!(
                "scope {extra:?} is not held by {} (it holds: {})",
                parent.name,
                held.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    let consent = match &on_behalf_of {
        Some(person) => Some(super::consent::consent(
            tx,
            d,
            parent_agent.as_ref(),
            person,
        )?),
        None => None,
    };
    let id = new_id("dlg");
    let rev = next_rev(tx)?;
    tx.execute(
        "INSERT INTO delegations (id, parent_agent, parent_person, child_agent, on_behalf_of, scopes, created_at, rev) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            parent_agent.as_ref().map(|a| &a.id),
            parent_person.as_ref().map(|p| &p.id),
            child.id,
            on_behalf_of.as_ref().map(|p| &p.id),
            to_json(&d.scopes),
            now_ms(),
            rev
        ],
    )?;
    // Both agents by id as well as by name, so that each one's trail
    // (`GET /v1/audit?agent=…`) finds the delegation.
    let parent_label = parent_agent
        .map(|a| format!("{} ({})", a.id, a.name))
        .or(parent_person.map(|p| p.email))
        .unwrap_or_default();
    append_audit(
        tx,
        actor,
        "delegation.add",
        &format!("{id}: {parent_label} -> {} ({})", child.id, child.name),
        consent.as_deref(),
        &format!("scopes {}", d.scopes.join(" ")),
    )?;
    tx.query_row(
        &format!("SELECT {DELEGATION_COLS} FROM delegations WHERE id = ?1"),
        params![&id],
        rows::delegation,
    )
    .map_err(Into::into)
}
