//! Bulk import: a whole fleet in one transaction, with prepared statements,
//! so seeding 100,000 agents takes seconds rather than minutes.

use super::rows::{to_json, to_ms};
use super::tx::{append_audit, next_rev};
use crate::server::store::db::{Db, Dialect, params};
use crate::server::store::{Actor, Import, ImportProgress, StoreResult};

/// SQLite's page cache while an import runs, in KiB. Ids are random, so
/// every row lands at a random page of its table's and indexes' B-trees;
/// with the default 2 MiB cache a 100,000-agent import spills and rereads
/// pages all the way (33,000 rows/s on the 2-core machine). Set back when
/// the import ends, so a serving backend keeps its usual footprint.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;

pub fn import(tx: &Db, actor: &Actor, i: &Import) -> StoreResult<()> {
    let restore = match tx.dialect() {
        Dialect::Sqlite => {
            let old: i64 = tx.query_row("PRAGMA cache_size", params![], |r| r.get(0))?;
            tx.execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
            Some(old)
        }
        Dialect::Postgres => None,
    };
    let written = write_rows(tx, actor, i);
    if let Some(old) = restore {
        tx.execute_batch(&format!("PRAGMA cache_size = {old}"))?;
    }
    written
}

fn write_rows(tx: &Db, actor: &Actor, i: &Import) -> StoreResult<()> {
    let rev = next_rev(tx)?;
    let total = i.rows();
    let mut done = 0usize;
    // Counts a row written, and tells the caller every so often.
    let mut row = || {
        done += 1;
        if done % ImportProgress::EVERY == 0 || done == total {
            i.progress.tell(done, total);
        }
    };
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO people (id, name, email, team, manager_id, status, created_at, departed_at, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        // Managers may come later in the list than their reports.
        tx.defer_foreign_keys()?;
        for p in &i.people {
            stmt.execute(params![
                p.id,
                p.name,
                p.email,
                p.team,
                p.manager,
                p.status.as_str(),
                to_ms(p.created_at),
                p.departed_at.map(to_ms),
                rev
            ])?;
            row();
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO agents (id, name, kind, environment, owner_id, description, runtime, labels, status, \
             created_by, created_at, updated_at, last_seen_at, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for a in &i.agents {
            stmt.execute(params![
                a.id,
                a.name,
                a.kind.as_str(),
                a.environment,
                a.owner,
                a.description,
                a.runtime,
                to_json(&a.labels),
                a.status.as_str(),
                a.created_by,
                to_ms(a.created_at),
                to_ms(a.updated_at),
                a.last_seen_at.map(to_ms),
                rev
            ])?;
            row();
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO credentials (id, agent_id, hash, prefix, scopes, issued_at, expires_at, last_used_at, \
             status, revoked_at, revoked_reason, replaced_by, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        for (c, hash) in &i.credentials {
            stmt.execute(params![
                c.id,
                c.agent_id,
                hash,
                c.prefix,
                to_json(&c.scopes),
                to_ms(c.issued_at),
                c.expires_at.map(to_ms),
                c.last_used_at.map(to_ms),
                // Expiry is derived on read; only revocation is stored.
                if c.status == crate::model::CredentialStatus::Revoked {
                    "revoked"
                } else {
                    "active"
                },
                c.revoked_at.map(to_ms),
                c.revoked_reason,
                c.replaced_by,
                rev
            ])?;
            row();
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO grants (id, agent_id, resource, scope, level, granted_at, last_used_at, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for g in &i.grants {
            stmt.execute(params![
                g.id,
                g.agent_id,
                g.resource,
                g.scope,
                g.level.as_str(),
                to_ms(g.granted_at),
                g.last_used_at.map(to_ms),
                rev
            ])?;
            row();
        }
    }
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO delegations (id, parent_agent, parent_person, child_agent, on_behalf_of, scopes, created_at, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for d in &i.delegations {
            stmt.execute(params![
                d.id,
                d.parent_agent,
                d.parent_person,
                d.child_agent,
                d.on_behalf_of,
                to_json(&d.scopes),
                to_ms(d.created_at),
                rev
            ])?;
            row();
        }
    }
    append_audit(
        tx,
        actor,
        "fleet.import",
        "fleet",
        None,
        &format!(
            "{} people, {} agents, {} credentials, {} grants, {} delegations",
            i.people.len(),
            i.agents.len(),
            i.credentials.len(),
            i.grants.len(),
            i.delegations.len()
        ),
    )?;
    Ok(())
}
