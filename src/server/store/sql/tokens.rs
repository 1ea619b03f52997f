//! Person tokens: created, listed, revoked (never deleted, so the trail
//! keeps what they were), and the bootstrap token of `WARDEN_ADMIN_TOKEN`,
//! retired when that value changes.

use super::people;
use super::rows::{now_ms, opt_time, time, to_ms};
use super::tx::{append_audit, not_found};
use crate::model::Role;
use crate::secrets::new_id;
use crate::server::store::db::{Db, DbError, DbResult, OptionalExt, Params, Row, params};
use crate::server::store::{
    Actor, Bootstrap, StoreError, StoreResult, SweepQuery, TokenRecord, TokenSpec,
};

const COLS: &str = "id, name, role, person_id, origin, created_at, created_by, expires_at, \
     revoked_at, revoked_by, revoked_reason";

/// A row before its person is looked up.
struct Raw {
    record: TokenRecord,
    person_id: Option<String>,
}

fn raw(r: &Row) -> DbResult<Raw> {
    let role: String = r.get(2)?;
    let origin: String = r.get(4)?;
    let revoked_at: Option<i64> = r.get(8)?;
    let revoked = match revoked_at {
        Some(at) => Some((
            time(at)?,
            r.get::<_, Option<String>>(9)?.unwrap_or_default(),
            r.get::<_, Option<String>>(10)?.unwrap_or_default(),
        )),
        None => None,
    };
    Ok(Raw {
        record: TokenRecord {
            id: r.get(0)?,
            name: r.get(1)?,
            role: role.parse::<Role>().map_err(DbError::Conversion)?,
            person: None,
            origin: origin.parse().map_err(DbError::Conversion)?,
            created_at: time(r.get(5)?)?,
            created_by: r.get(6)?,
            expires_at: opt_time(r.get(7)?)?,
            revoked,
        },
        person_id: r.get(3)?,
    })
}

fn with_person(conn: &Db, raw: Raw) -> StoreResult<TokenRecord> {
    let mut record = raw.record;
    if let Some(p) = raw.person_id {
        record.person = Some(people::resolve(conn, &p)?);
    }
    Ok(record)
}

fn select(conn: &Db, filter: &str, p: Params) -> StoreResult<Vec<TokenRecord>> {
    let rows = conn.query_map(&format!("SELECT {COLS} FROM tokens {filter}"), p, raw)?;
    rows.into_iter().map(|r| with_person(conn, r)).collect()
}

/// The token whose secret hashes to `hash`, revoked and expired ones too:
/// the caller says why it refuses them.
pub fn find(conn: &Db, hash: &str) -> StoreResult<Option<TokenRecord>> {
    let row = conn
        .query_row(
            &format!("SELECT {COLS} FROM tokens WHERE hash = ?1"),
            params![hash],
            raw,
        )
        .optional()?;
    row.map(|r| with_person(conn, r)).transpose()
}

pub fn get(conn: &Db, id: &str) -> StoreResult<TokenRecord> {
    select(conn, "WHERE id = ?1", params![id])?
        .pop()
        .ok_or_else(|| not_found("token", id))
}

pub fn list(conn: &Db) -> StoreResult<Vec<TokenRecord>> {
    select(conn, "ORDER BY created_at, id", params![])
}

/// Live tokens issued through the API that speak for no person (rule
/// R21): offboarding nobody stops them.
pub fn unpersoned(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<TokenRecord>> {
    select(
        conn,
        "WHERE person_id IS NULL AND origin = 'api' AND revoked_at IS NULL \
         AND (expires_at IS NULL OR expires_at > ?1) ORDER BY created_at, id",
        params![to_ms(q.now)],
    )
}

pub fn create(tx: &Db, actor: &Actor, spec: &TokenSpec) -> StoreResult<TokenRecord> {
    let name = spec.name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a token needs a name".into()));
    }
    // The name becomes the audit chain's actor for what the token does.
    crate::server::text_policy::check("name", name, crate::server::text_policy::Kind::Name)
        .map_err(StoreError::Invalid)?;
    let person = match spec.person.as_deref() {
        Some(p) => Some(people::referenced(tx, p, "person")?),
        None => None,
    };
    let id = new_id("tok");
    tx.execute(
        "INSERT INTO tokens (id, name, role, person_id, hash, prefix, created_at, created_by, \
         expires_at, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            id,
            name,
            spec.role.as_str(),
            person.as_ref().map(|p| &p.id),
            spec.hash,
            spec.prefix,
            now_ms(),
            actor.label,
            spec.expires_at.map(to_ms),
            spec.origin.as_str()
        ],
    )?;
    let expiry = match spec.expires_at {
        Some(t) => format!(", expires {}", t.format("%Y-%m-%d %H:%M UTC")),
        None => String::new(),
    };
    let whose = match &person {
        Some(p) => format!(", for {}", p.email),
        None => String::new(),
    };
    append_audit(
        tx,
        actor,
        "token.create",
        &format!("{id} ({name}, {}{whose}{expiry})", spec.role),
        None,
        "ok",
    )?;
    get(tx, &id)
}

pub fn revoke(tx: &Db, actor: &Actor, id: &str, reason: &str) -> StoreResult<TokenRecord> {
    let token = get(tx, id)?;
    if token.revoked.is_some() {
        return Ok(token);
    }
    tx.execute(
        "UPDATE tokens SET revoked_at = ?2, revoked_by = ?3, revoked_reason = ?4 WHERE id = ?1",
        params![id, now_ms(), actor.label, reason],
    )?;
    append_audit(
        tx,
        actor,
        "token.revoke",
        &format!("{id} ({}, {})", token.name, token.role),
        Some(reason),
        "ok",
    )?;
    get(tx, id)
}

pub fn ensure_bootstrap(tx: &Db, hash: &str, prefix: &str) -> StoreResult<Bootstrap> {
    let id = match find(tx, hash)? {
        Some(existing) if existing.role != Role::Admin => {
            return Err(StoreError::Conflict(format!(
                "WARDEN_ADMIN_TOKEN is already a {} token ({}); choose another secret",
                existing.role, existing.name
            )));
        }
        // Revoked on purpose: a restart with the same value must not
        // bring it back, and must not retire anything else either.
        Some(existing) if existing.revoked.is_some() => {
            return Ok(Bootstrap {
                id: existing.id,
                revoked: true,
                retired: Vec::new(),
            });
        }
        Some(existing) => existing.id,
        None => {
            let id = new_id("tok");
            tx.execute(
                "INSERT INTO tokens (id, name, role, person_id, hash, prefix, created_at, \
                 created_by, origin) \
                 VALUES (?1, 'bootstrap-admin', 'admin', NULL, ?2, ?3, ?4, 'WARDEN_ADMIN_TOKEN', \
                 'bootstrap')",
                params![id, hash, prefix, now_ms()],
            )?;
            append_audit(
                tx,
                &Actor::system(),
                "token.bootstrap",
                &id,
                Some("WARDEN_ADMIN_TOKEN at start"),
                "ok",
            )?;
            id
        }
    };
    // Every other live bootstrap token belongs to an earlier value.
    let older: Vec<String> = tx.query_map(
        "SELECT id FROM tokens WHERE origin = 'bootstrap' AND revoked_at IS NULL AND id != ?1 \
         ORDER BY created_at, id",
        params![id],
        |r| r.get(0),
    )?;
    let reason = format!("WARDEN_ADMIN_TOKEN changed: replaced by {id} at start");
    for old in &older {
        revoke(tx, &Actor::system(), old, &reason)?;
    }
    Ok(Bootstrap {
        id,
        revoked: false,
        retired: older,
    })
}

pub fn delete(tx: &Db, actor: &Actor, id: &str) -> StoreResult<()> {
    let name: Option<String> = tx
        .query_row("SELECT name FROM tokens WHERE id = ?1", params![id], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(name) = name else {
        return Err(not_found("token", id));
    };
    tx.execute("DELETE FROM tokens WHERE id = ?1", params![id])?;
    append_audit(
        tx,
        actor,
        "token.delete",
        &format!("{id} ({name})"),
        None,
        "ok",
    )?;
    Ok(())
}
