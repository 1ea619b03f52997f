//! The rule engine's reads. The sweep's facts are one set-based query per
//! condition, each going through an index to only the rows that meet it
//! (never one query per agent, nor a read of the whole fleet to find a
//! few). Writing the verdicts is [`super::verdicts`].

use super::rows::to_ms;
use super::{agents, people};
use crate::server::store::db::{Db, DbError, DbResult, Params, Row, params};
use crate::server::store::{
    AgentRef, AgentState, CredentialFact, DepartedOwnerFact, DormantFact, EscalationFact,
    GrantFact, SharedFact, StoreError, StoreResult, SweepQuery, UnownedFact,
};
use chrono::{DateTime, Utc};
use std::str::FromStr;

/// A credential that still works at `?1`.
pub(super) const LIVE: &str = "c.status = 'active' AND (c.expires_at IS NULL OR c.expires_at > ?1)";

pub(super) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(super) fn opt_time(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.map(time)
}

pub(super) fn parse<T: FromStr<Err = String>>(text: &str) -> DbResult<T> {
    T::from_str(text).map_err(DbError::Conversion)
}

pub(super) fn all<T>(
    conn: &Db,
    sql: &str,
    params: Params,
    map: impl FnMut(&Row) -> DbResult<T>,
) -> StoreResult<Vec<T>> {
    Ok(conn.query_map(sql, params, map)?)
}

/// Columns 0-4: agent id, agent name, credential id, issued, expires.
pub(super) fn credential_fact(r: &Row) -> DbResult<CredentialFact> {
    Ok(CredentialFact {
        agent: AgentRef {
            id: r.get(0)?,
            name: r.get(1)?,
        },
        credential: r.get(2)?,
        issued_at: time(r.get(3)?),
        expires_at: opt_time(r.get(4)?),
    })
}

/// Columns 0-7: agent id, agent name, grant id, resource, scope, level,
/// granted, last used.
pub(super) fn grant_fact(r: &Row) -> DbResult<GrantFact> {
    Ok(GrantFact {
        agent: AgentRef {
            id: r.get(0)?,
            name: r.get(1)?,
        },
        grant: r.get(2)?,
        resource: r.get(3)?,
        scope: r.get(4)?,
        level: parse(&r.get::<_, String>(5)?)?,
        granted_at: time(r.get(6)?),
        last_used_at: opt_time(r.get(7)?),
    })
}

pub(super) const GRANT_FACT_COLS: &str =
    "a.id, a.name, g.id, g.resource, g.scope, g.level, g.granted_at, g.last_used_at";
pub(super) const CREDENTIAL_FACT_COLS: &str = "a.id, a.name, c.id, c.issued_at, c.expires_at";

// Each condition is its own function so the store can read them one at a
// time, letting ingest in between. Join order is spelled with CROSS JOIN
// (which SQLite never reorders): without ANALYZE statistics the planner
// may otherwise scan every credential to find a few departed owners.
// PostgreSQL keeps statistics and plans the joins itself: there these
// hints become plain joins (see `db::pg::translate`).

pub fn unowned(conn: &Db, _: &SweepQuery) -> StoreResult<Vec<UnownedFact>> {
    let row = |r: &Row| {
        let created: i64 = r.get(2)?;
        let departed: Option<i64> = r.get(4)?;
        Ok(UnownedFact {
            agent: AgentRef {
                id: r.get(0)?,
                name: r.get(1)?,
            },
            since: time(departed.map_or(created, |d| d.max(created))),
            departed_owner: r.get(3)?,
        })
    };
    all(
        conn,
        "SELECT a.id, a.name, a.created_at, NULL, NULL, a.seq FROM agents a \
         WHERE a.owner_id IS NULL AND a.status != 'killed' \
         UNION ALL \
         SELECT a.id, a.name, a.created_at, p.email, p.departed_at, a.seq \
         FROM people p CROSS JOIN agents a ON a.owner_id = p.id \
         WHERE p.status = 'departed' AND a.status != 'killed' \
         ORDER BY 6",
        params![],
        row,
    )
}

pub fn departed_owner(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<DepartedOwnerFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS}, p.email, COALESCE(p.departed_at, a.created_at) \
             FROM people p CROSS JOIN agents a ON a.owner_id = p.id \
             CROSS JOIN credentials c ON c.agent_id = a.id \
             WHERE p.status = 'departed' AND a.status != 'killed' AND {LIVE} \
             ORDER BY a.seq, c.issued_at"
        ),
        params![to_ms(q.now)],
        |r| {
            Ok(DepartedOwnerFact {
                credential: credential_fact(r)?,
                owner_email: r.get(5)?,
                departed_at: time(r.get(6)?),
            })
        },
    )
}

pub fn dormant(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<DormantFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS}, COALESCE(a.last_seen_at, a.created_at), \
                    a.last_seen_at IS NOT NULL \
             FROM agents a INDEXED BY agents_last_active CROSS JOIN credentials c ON c.agent_id = a.id \
             WHERE a.status != 'killed' AND COALESCE(a.last_seen_at, a.created_at) <= ?2 AND {LIVE} \
             ORDER BY a.seq, c.issued_at"
        ),
        params![to_ms(q.now), to_ms(q.dormant_before)],
        |r| {
            Ok(DormantFact {
                credential: credential_fact(r)?,
                last_active: time(r.get(5)?),
                ever_seen: r.get(6)?,
            })
        },
    )
}

pub fn no_expiry(conn: &Db, _: &SweepQuery) -> StoreResult<Vec<CredentialFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS} \
             FROM credentials c INDEXED BY credentials_no_expiry CROSS JOIN agents a ON a.id = c.agent_id \
             WHERE c.status = 'active' AND c.expires_at IS NULL AND a.status != 'killed' \
             ORDER BY a.seq, c.issued_at"
        ),
        params![],
        credential_fact,
    )
}

pub fn rotation_overdue(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<CredentialFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS} \
             FROM credentials c INDEXED BY credentials_active_issued CROSS JOIN agents a ON a.id = c.agent_id \
             WHERE c.status = 'active' AND c.issued_at <= ?2 AND {LIVE} AND a.status != 'killed' \
             ORDER BY a.seq, c.issued_at"
        ),
        params![to_ms(q.now), to_ms(q.rotation_before)],
        credential_fact,
    )
}

/// Fingerprints come from two places: one a discovery source wrote on a
/// credential, and the secrets agents report presenting to their targets
/// (`presented_secrets`, one per credential and destination). The stored
/// hash of an issued secret is its SHA-256, the same fingerprint, so an
/// agent presenting another agent's Warden secret is caught too (ingest
/// notes which credential's secret it is); the hash is unique, so only a
/// reported fingerprint can make two credentials the same. The candidates
/// come first, through indexes (a fingerprint on two rows, or on a Warden
/// secret, or written on a credential), and only their holders are read.
/// A credential counts once per fingerprint, with a destination it was
/// presented to, if any.
pub fn shared(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<SharedFact>> {
    all(
        conn,
        &format!(
            "WITH cand AS ( \
               SELECT fingerprint AS fp FROM presented_secrets \
                 INDEXED BY presented_secrets_fingerprint \
                 GROUP BY fingerprint HAVING COUNT(DISTINCT credential_id) > 1 \
               UNION \
               SELECT fingerprint FROM presented_secrets INDEXED BY presented_secrets_warden \
                 WHERE warden_credential IS NOT NULL \
               UNION \
               SELECT fingerprint FROM credentials INDEXED BY credentials_fingerprint \
                 WHERE fingerprint IS NOT NULL), \
             matching AS ( \
               SELECT p.credential_id AS cid, cand.fp AS fp, p.destination AS dest \
                 FROM cand CROSS JOIN presented_secrets p ON p.fingerprint = cand.fp \
               UNION ALL \
               SELECT c.id, cand.fp, NULL FROM cand CROSS JOIN credentials c \
                 ON c.fingerprint = cand.fp \
               UNION ALL \
               SELECT c.id, cand.fp, NULL FROM cand CROSS JOIN credentials c \
                 ON c.hash = cand.fp AND c.fingerprint IS NULL), \
             live AS MATERIALIZED ( \
               SELECT a.id AS agent, a.name AS name, c.id AS cid, c.issued_at AS issued, \
                      c.expires_at AS expires, m.fp AS fp, MIN(m.dest) AS dest, a.seq AS seq \
               FROM matching m CROSS JOIN credentials c ON c.id = m.cid \
               CROSS JOIN agents a ON a.id = c.agent_id \
               WHERE {LIVE} AND a.status != 'killed' \
               GROUP BY c.id, m.fp, a.id, a.name, a.seq) \
             SELECT agent, name, cid, issued, expires, fp, dest FROM live WHERE fp IN \
               (SELECT fp FROM live GROUP BY fp HAVING COUNT(DISTINCT agent) > 1) \
             ORDER BY fp, seq, cid"
        ),
        params![to_ms(q.now)],
        |r| {
            Ok(SharedFact {
                credential: credential_fact(r)?,
                fingerprint: r.get(5)?,
                presented_to: r.get(6)?,
            })
        },
    )
}

pub fn unused_grants(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<GrantFact>> {
    all(
        conn,
        &format!(
            "SELECT {GRANT_FACT_COLS} \
             FROM grants g INDEXED BY grants_privileged_use CROSS JOIN agents a ON a.id = g.agent_id \
             WHERE g.level IN ('write', 'admin') AND COALESCE(g.last_used_at, g.granted_at) <= ?1 \
               AND a.status != 'killed' \
             ORDER BY a.seq, g.granted_at"
        ),
        params![to_ms(q.unused_before)],
        grant_fact,
    )
}

pub fn new_grants(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<GrantFact>> {
    all(
        conn,
        &format!(
            "SELECT {GRANT_FACT_COLS} \
             FROM grants g INDEXED BY grants_granted CROSS JOIN agents a ON a.id = g.agent_id \
             WHERE g.granted_at > ?1 AND a.status != 'killed' \
             ORDER BY a.seq, g.granted_at"
        ),
        params![to_ms(q.new_grant_after)],
        grant_fact,
    )
}

pub fn mcp_servers(conn: &Db, _: &SweepQuery) -> StoreResult<Vec<AgentRef>> {
    all(
        conn,
        "SELECT id, name FROM agents INDEXED BY agents_mcp_servers \
         WHERE kind = 'mcp-server' AND status != 'killed' ORDER BY seq",
        params![],
        |r| {
            Ok(AgentRef {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        },
    )
}

/// A scope an agent passes on for a person must be one that person
/// delegated; a delegation straight from the person holds by definition.
pub fn escalations(conn: &Db, _: &SweepQuery) -> StoreResult<Vec<EscalationFact>> {
    all(
        conn,
        "SELECT c.id, c.name, d.id, pa.id, pa.name, p.email, s.value \
         FROM delegations d INDEXED BY delegations_on_behalf CROSS JOIN json_each(d.scopes) s ON TRUE \
         CROSS JOIN agents c ON c.id = d.child_agent \
         CROSS JOIN agents pa ON pa.id = d.parent_agent \
         CROSS JOIN people p ON p.id = d.on_behalf_of \
         WHERE d.on_behalf_of IS NOT NULL AND d.parent_agent IS NOT NULL AND c.status != 'killed' \
           AND NOT EXISTS (SELECT 1 FROM delegations r INDEXED BY delegations_person, \
                           json_each(r.scopes) rs \
                           WHERE r.parent_person = d.on_behalf_of AND rs.value = s.value) \
         ORDER BY c.seq, d.created_at, s.value",
        params![],
        |r| {
            Ok(EscalationFact {
                agent: AgentRef {
                    id: r.get(0)?,
                    name: r.get(1)?,
                },
                delegation: r.get(2)?,
                parent: AgentRef {
                    id: r.get(3)?,
                    name: r.get(4)?,
                },
                person_email: r.get(5)?,
                scope: r.get(6)?,
            })
        },
    )
}

/// Depth in agents: a person's delegate is 1, an agent's delegate one more
/// than it (an agent that nobody delegated to counts as 1). The store
/// refuses cycles; the cap is a second guard.
pub fn deep_chains(conn: &Db, q: &SweepQuery) -> StoreResult<Vec<(AgentRef, usize)>> {
    all(
        conn,
        "WITH RECURSIVE chain(agent, depth) AS ( \
            SELECT d.child_agent, CASE WHEN d.parent_agent IS NULL THEN 1 ELSE 2 END \
            FROM delegations d \
            WHERE d.parent_agent IS NULL \
               OR NOT EXISTS (SELECT 1 FROM delegations up WHERE up.child_agent = d.parent_agent) \
            UNION \
            SELECT d.child_agent, chain.depth + 1 FROM chain \
            CROSS JOIN delegations d ON d.parent_agent = chain.agent WHERE chain.depth < 64) \
         SELECT a.id, a.name, MAX(chain.depth) FROM chain CROSS JOIN agents a ON a.id = chain.agent \
         WHERE a.status != 'killed' GROUP BY a.id, a.name, a.seq HAVING MAX(chain.depth) > ?1 ORDER BY a.seq",
        params![q.max_chain_depth as i64],
        |r| {
            Ok((
                AgentRef {
                    id: r.get(0)?,
                    name: r.get(1)?,
                },
                usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            ))
        },
    )
}

pub fn agent_states(conn: &Db, ids: &[String], now: DateTime<Utc>) -> StoreResult<Vec<AgentState>> {
    let mut out = Vec::with_capacity(ids.len());
    let mut live = conn.prepare_cached(&format!(
        "SELECT COUNT(*) FROM credentials c WHERE c.agent_id = ?2 AND {LIVE}"
    ))?;
    for id in ids {
        let agent = match agents::get(conn, id) {
            Ok(a) => a,
            Err(StoreError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        let owner = match &agent.owner {
            Some(o) => Some(people::resolve(conn, o)?),
            None => None,
        };
        let n: i64 = live.query_row(params![to_ms(now), id], |r| r.get(0))?;
        out.push(AgentState {
            agent,
            owner,
            live_credentials: usize::try_from(n).unwrap_or(0),
        });
    }
    Ok(out)
}
