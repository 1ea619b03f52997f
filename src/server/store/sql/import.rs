//! Bulk import: a whole fleet in one transaction, each table written as a
//! stream of rows ([`Db::insert_rows`]: multi-row `INSERT`s on SQLite, a
//! binary `COPY` on PostgreSQL), so seeding 100,000 agents takes seconds
//! and a million takes a minute or two, not an hour.
//!
//! Into an empty fleet (a demo, a benchmark, a first load) the tables'
//! secondary indexes are set aside first and built again once every row
//! is in, in the same transaction: building an index from all its rows is
//! one sort, while keeping it up to date row by row is a random B-tree
//! insert per row and index (ids and hashes are random). The result is the
//! same schema and the same rows; if the import fails, the transaction
//! takes the indexes back with everything else.

use super::rows::{to_json, to_ms};
use super::tx::{append_audit, next_rev};
use crate::model::CredentialStatus;
use crate::server::store::db::bulk::{BulkTable, Cell, ColumnType};
use crate::server::store::db::{Db, Dialect, params};
use crate::server::store::{Actor, Import, ImportProgress, ImportStage, StoreResult};

/// SQLite's page cache while an import runs, in KiB (an upper bound: only
/// what the import touches is allocated). Ids are random, so every row
/// lands at a random page of its table's and indexes' B-trees; with the
/// default 2 MiB cache a 100,000-agent import spills and rereads pages all
/// the way (33,000 rows/s on the 2-core machine). A million agents make a
/// 1.8 GB file, whose unique indexes (kept during the load) need about a
/// gigabyte. Set back when the import ends, so a serving backend keeps its
/// usual footprint.
const IMPORT_CACHE_KIB: i64 = 1024 * 1024;

/// The tables an import fills, in the order it fills them.
const TABLES: [&str; 5] = ["people", "agents", "credentials", "grants", "delegations"];

use ColumnType::{Int, Text};

const PEOPLE: BulkTable = BulkTable {
    name: "people",
    columns: &[
        ("id", Text),
        ("name", Text),
        ("email", Text),
        ("team", Text),
        ("manager_id", Text),
        ("status", Text),
        ("created_at", Int),
        ("departed_at", Int),
        ("rev", Int),
    ],
};

const AGENTS: BulkTable = BulkTable {
    name: "agents",
    columns: &[
        ("id", Text),
        ("name", Text),
        ("kind", Text),
        ("environment", Text),
        ("owner_id", Text),
        ("description", Text),
        ("runtime", Text),
        ("labels", Text),
        ("status", Text),
        ("created_by", Text),
        ("created_at", Int),
        ("updated_at", Int),
        ("last_seen_at", Int),
        ("rev", Int),
        // Written here as a registration writes it: otherwise the first
        // registration after an import fills it for the whole fleet, one
        // row at a time, holding the writers' lock (9 s at 100,000 agents
        // on PostgreSQL, while ingest and every action waited).
        ("skeleton", Text),
    ],
};

const CREDENTIALS: BulkTable = BulkTable {
    name: "credentials",
    columns: &[
        ("id", Text),
        ("agent_id", Text),
        ("hash", Text),
        ("prefix", Text),
        ("scopes", Text),
        ("issued_at", Int),
        ("expires_at", Int),
        ("last_used_at", Int),
        ("status", Text),
        ("revoked_at", Int),
        ("revoked_reason", Text),
        ("replaced_by", Text),
        ("rev", Int),
    ],
};

const GRANTS: BulkTable = BulkTable {
    name: "grants",
    columns: &[
        ("id", Text),
        ("agent_id", Text),
        ("resource", Text),
        ("scope", Text),
        ("level", Text),
        ("granted_at", Int),
        ("last_used_at", Int),
        ("rev", Int),
    ],
};

const DELEGATIONS: BulkTable = BulkTable {
    name: "delegations",
    columns: &[
        ("id", Text),
        ("parent_agent", Text),
        ("parent_person", Text),
        ("child_agent", Text),
        ("on_behalf_of", Text),
        ("scopes", Text),
        ("created_at", Int),
        ("rev", Int),
    ],
};

pub fn import(tx: &Db, actor: &Actor, i: &Import) -> StoreResult<()> {
    let restore = match tx.dialect() {
        Dialect::Sqlite => {
            let old: i64 = tx.query_row("PRAGMA cache_size", params![], |r| r.get(0))?;
            tx.execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
            Some(old)
        }
        Dialect::Postgres => None,
    };
    let written = write_all(tx, actor, i);
    if let Some(old) = restore {
        tx.execute_batch(&format!("PRAGMA cache_size = {old}"))?;
    }
    written
}

fn write_all(tx: &Db, actor: &Actor, i: &Import) -> StoreResult<()> {
    let set_aside = if empty_fleet(tx)? {
        super::indexes::set_aside(tx, &TABLES)?
    } else {
        Vec::new()
    };
    write_rows(tx, i)?;
    if !set_aside.is_empty() {
        if tx.dialect() == Dialect::Postgres {
            // PostgreSQL builds no index on a table with checks pending:
            // the deferred foreign keys are checked now, every row being in.
            tx.execute_batch("SET CONSTRAINTS ALL IMMEDIATE")?;
        }
        i.progress.stage(ImportStage::Indexing);
        super::indexes::rebuild(tx, &set_aside)?;
        if tx.dialect() == Dialect::Postgres {
            // Autovacuum's first look comes up to a minute later; until
            // then the rules' joins are planned for empty tables (the first
            // sweep at 100,000 agents took 17 s without this, 10.6 s with).
            tx.execute_batch("ANALYZE")?;
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

/// Whether none of the tables an import fills holds a row.
pub fn empty_fleet(tx: &Db) -> StoreResult<bool> {
    let any = TABLES
        .iter()
        .map(|t| format!("EXISTS (SELECT 1 FROM {t})"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let any: bool = tx.query_row(
        &format!("SELECT CASE WHEN {any} THEN 1 ELSE 0 END"),
        params![],
        |r| r.get(0),
    )?;
    Ok(!any)
}

fn ms(t: chrono::DateTime<chrono::Utc>) -> Cell<'static> {
    Cell::Int(to_ms(t))
}

fn opt_ms(t: Option<chrono::DateTime<chrono::Utc>>) -> Cell<'static> {
    Cell::opt_int(t.map(to_ms))
}

fn write_rows(tx: &Db, i: &Import) -> StoreResult<()> {
    let rev = Cell::Int(next_rev(tx)?);
    let total = i.rows();
    let mut done = 0usize;
    // Counts a row written, and tells the caller every so often.
    let mut row = || {
        done += 1;
        if done % ImportProgress::EVERY == 0 || done == total {
            i.progress.tell(done, total);
        }
    };
    // Managers may come later in the list than their reports, delegations
    // may name agents later in theirs: checked at commit.
    tx.defer_foreign_keys()?;
    let mut people = i.people.iter().map(|p| {
        vec![
            Cell::text(&p.id),
            Cell::text(&p.name),
            Cell::text(&p.email),
            Cell::opt_text(p.team.as_deref()),
            Cell::opt_text(p.manager.as_deref()),
            Cell::text(p.status.as_str()),
            ms(p.created_at),
            opt_ms(p.departed_at),
            rev.clone(),
        ]
    });
    tx.insert_rows(&PEOPLE, &mut people, &mut row)?;
    let mut agents = i.agents.iter().map(|a| {
        vec![
            Cell::text(&a.id),
            Cell::text(&a.name),
            Cell::text(a.kind.as_str()),
            Cell::text(&a.environment),
            Cell::opt_text(a.owner.as_deref()),
            Cell::opt_text(a.description.as_deref()),
            Cell::opt_text(a.runtime.as_deref()),
            Cell::owned(to_json(&a.labels)),
            Cell::text(a.status.as_str()),
            Cell::opt_text(a.created_by.as_deref()),
            ms(a.created_at),
            ms(a.updated_at),
            opt_ms(a.last_seen_at),
            rev.clone(),
            Cell::owned(crate::server::text_policy::skeleton(&a.name)),
        ]
    });
    tx.insert_rows(&AGENTS, &mut agents, &mut row)?;
    let mut credentials = i.credentials.iter().map(|(c, hash)| {
        vec![
            Cell::text(&c.id),
            Cell::text(&c.agent_id),
            Cell::text(hash),
            Cell::text(&c.prefix),
            Cell::owned(to_json(&c.scopes)),
            ms(c.issued_at),
            opt_ms(c.expires_at),
            opt_ms(c.last_used_at),
            // Expiry is derived on read; only revocation is stored.
            Cell::text(if c.status == CredentialStatus::Revoked {
                "revoked"
            } else {
                "active"
            }),
            opt_ms(c.revoked_at),
            Cell::opt_text(c.revoked_reason.as_deref()),
            Cell::opt_text(c.replaced_by.as_deref()),
            rev.clone(),
        ]
    });
    tx.insert_rows(&CREDENTIALS, &mut credentials, &mut row)?;
    let mut grants = i.grants.iter().map(|g| {
        vec![
            Cell::text(&g.id),
            Cell::text(&g.agent_id),
            Cell::text(&g.resource),
            Cell::text(&g.scope),
            Cell::text(g.level.as_str()),
            ms(g.granted_at),
            opt_ms(g.last_used_at),
            rev.clone(),
        ]
    });
    tx.insert_rows(&GRANTS, &mut grants, &mut row)?;
    let mut delegations = i.delegations.iter().map(|d| {
        vec![
            Cell::text(&d.id),
            Cell::opt_text(d.parent_agent.as_deref()),
            Cell::opt_text(d.parent_person.as_deref()),
            Cell::text(&d.child_agent),
            Cell::opt_text(d.on_behalf_of.as_deref()),
            Cell::owned(to_json(&d.scopes)),
            ms(d.created_at),
            rev.clone(),
        ]
    });
    tx.insert_rows(&DELEGATIONS, &mut delegations, &mut row)?;
    Ok(())
}
