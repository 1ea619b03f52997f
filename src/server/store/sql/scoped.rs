//! The sweep's conditions for a few agents only: what an API action is
//! judged on. The same conditions as [`super::rules`], each driven from the
//! scope's ids (a JSON array, read with `json_each`) through the per-agent
//! indexes instead of the whole fleet's, so an action's evaluation costs
//! its agents, not the fleet. Also the scope an action reaches (its
//! people's agents, what is delegated down from its agents, the other
//! holders of their secrets) and the live alerts of a scope.

use super::live::{LIVE_ALERT_COLS, live_alert, live_alerts};
use super::rows::to_ms;
use super::rules::{
    CREDENTIAL_FACT_COLS, GRANT_FACT_COLS, LIVE, all, credential_fact, grant_fact, time,
};
use super::tokens;
use crate::server::store::db::{Db, Row, params};
use crate::server::store::{
    AgentRef, DepartedOwnerFact, DormantFact, EscalationFact, LiveAlert, SharedFact, StoreResult,
    SweepFacts, SweepQuery, UnownedFact,
};

/// The scope's credentials (`mine`) and every fingerprint they are known
/// by (`cand`): reported for them, written on them by a discovery source,
/// or their own secret's hash. `ids` is the parameter of the scope's ids.
fn candidates(ids: &str) -> String {
    format!(
        "mine AS MATERIALIZED ( \
           SELECT c.id AS cid, c.fingerprint AS fp, c.hash AS hash \
           FROM json_each({ids}) q CROSS JOIN credentials c ON c.agent_id = q.value), \
         cand AS ( \
           SELECT p.fingerprint AS fp FROM mine CROSS JOIN presented_secrets p \
             ON p.credential_id = mine.cid \
           UNION SELECT fp FROM mine WHERE fp IS NOT NULL \
           UNION SELECT hash FROM mine)"
    )
}

/// Every condition of the sweep for the agents of `ids` (a JSON array),
/// and R21's tokens if `tokens`: one read, the scope is small.
pub fn facts(conn: &Db, q: &SweepQuery, ids: &str, tokens: bool) -> StoreResult<SweepFacts> {
    Ok(SweepFacts {
        unowned: unowned(conn, ids)?,
        departed_owner: departed_owner(conn, q, ids)?,
        dormant: dormant(conn, q, ids)?,
        no_expiry: no_expiry(conn, ids)?,
        rotation_overdue: rotation_overdue(conn, q, ids)?,
        shared: shared(conn, q, ids)?,
        unused_grants: grants(
            conn,
            ids,
            "COALESCE(g.last_used_at, g.granted_at) <= ?1 \
             AND g.level IN ('write', 'admin')",
            q.unused_before,
        )?,
        new_grants: grants(conn, ids, "g.granted_at > ?1", q.new_grant_after)?,
        mcp_servers: mcp_servers(conn, ids)?,
        escalations: escalations(conn, ids)?,
        deep_chains: deep_chains(conn, q, ids)?,
        unpersoned_tokens: if tokens {
            tokens::unpersoned(conn, q)?
        } else {
            Vec::new()
        },
    })
}

fn unowned(conn: &Db, ids: &str) -> StoreResult<Vec<UnownedFact>> {
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
        "SELECT a.id, a.name, a.created_at, NULL, NULL, a.seq \
         FROM json_each(?1) q CROSS JOIN agents a ON a.id = q.value \
         WHERE a.owner_id IS NULL AND a.status != 'killed' \
         UNION ALL \
         SELECT a.id, a.name, a.created_at, p.email, p.departed_at, a.seq \
         FROM json_each(?1) q CROSS JOIN agents a ON a.id = q.value \
         CROSS JOIN people p ON p.id = a.owner_id \
         WHERE p.status = 'departed' AND a.status != 'killed' \
         ORDER BY 6",
        params![ids],
        row,
    )
}

fn departed_owner(conn: &Db, q: &SweepQuery, ids: &str) -> StoreResult<Vec<DepartedOwnerFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS}, p.email, COALESCE(p.departed_at, a.created_at) \
             FROM json_each(?2) q CROSS JOIN agents a ON a.id = q.value \
             CROSS JOIN people p ON p.id = a.owner_id \
             CROSS JOIN credentials c ON c.agent_id = a.id \
             WHERE p.status = 'departed' AND a.status != 'killed' AND {LIVE} \
             ORDER BY a.seq, c.issued_at"
        ),
        params![to_ms(q.now), ids],
        |r| {
            Ok(DepartedOwnerFact {
                credential: credential_fact(r)?,
                owner_email: r.get(5)?,
                departed_at: time(r.get(6)?),
            })
        },
    )
}

fn dormant(conn: &Db, q: &SweepQuery, ids: &str) -> StoreResult<Vec<DormantFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS}, COALESCE(a.last_seen_at, a.created_at), \
                    a.last_seen_at IS NOT NULL \
             FROM json_each(?3) q CROSS JOIN agents a ON a.id = q.value \
             CROSS JOIN credentials c ON c.agent_id = a.id \
             WHERE a.status != 'killed' AND COALESCE(a.last_seen_at, a.created_at) <= ?2 AND {LIVE} \
             ORDER BY a.seq, c.issued_at"
        ),
        params![to_ms(q.now), to_ms(q.dormant_before), ids],
        |r| {
            Ok(DormantFact {
                credential: credential_fact(r)?,
                last_active: time(r.get(5)?),
                ever_seen: r.get(6)?,
            })
        },
    )
}

fn no_expiry(conn: &Db, ids: &str) -> StoreResult<Vec<crate::server::store::CredentialFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS} \
             FROM json_each(?1) q CROSS JOIN agents a ON a.id = q.value \
             CROSS JOIN credentials c ON c.agent_id = a.id \
             WHERE c.status = 'active' AND c.expires_at IS NULL AND a.status != 'killed' \
             ORDER BY a.seq, c.issued_at"
        ),
        params![ids],
        credential_fact,
    )
}

fn rotation_overdue(
    conn: &Db,
    q: &SweepQuery,
    ids: &str,
) -> StoreResult<Vec<crate::server::store::CredentialFact>> {
    all(
        conn,
        &format!(
            "SELECT {CREDENTIAL_FACT_COLS} \
             FROM json_each(?3) q CROSS JOIN agents a ON a.id = q.value \
             CROSS JOIN credentials c ON c.agent_id = a.id \
             WHERE c.status = 'active' AND c.issued_at <= ?2 AND {LIVE} AND a.status != 'killed' \
             ORDER BY a.seq, c.issued_at"
        ),
        params![to_ms(q.now), to_ms(q.rotation_before), ids],
        credential_fact,
    )
}

/// As the whole fleet's R07 query, with the candidates drawn from the
/// scope's credentials: every live holder of one of their fingerprints.
fn shared(conn: &Db, q: &SweepQuery, ids: &str) -> StoreResult<Vec<SharedFact>> {
    all(
        conn,
        &format!(
            "WITH {}, \
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
             ORDER BY fp, seq, cid",
            candidates("?2")
        ),
        params![to_ms(q.now), ids],
        |r| {
            Ok(SharedFact {
                credential: credential_fact(r)?,
                fingerprint: r.get(5)?,
                presented_to: r.get(6)?,
            })
        },
    )
}

/// The scope's grants that meet `condition` (on `g`, its cut-off `?1`).
fn grants(
    conn: &Db,
    ids: &str,
    condition: &str,
    cut_off: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Vec<crate::server::store::GrantFact>> {
    all(
        conn,
        &format!(
            "SELECT {GRANT_FACT_COLS} \
             FROM json_each(?2) q CROSS JOIN agents a ON a.id = q.value \
             CROSS JOIN grants g ON g.agent_id = a.id \
             WHERE {condition} AND a.status != 'killed' \
             ORDER BY a.seq, g.granted_at"
        ),
        params![to_ms(cut_off), ids],
        grant_fact,
    )
}

fn mcp_servers(conn: &Db, ids: &str) -> StoreResult<Vec<AgentRef>> {
    all(
        conn,
        "SELECT a.id, a.name FROM json_each(?1) q CROSS JOIN agents a ON a.id = q.value \
         WHERE a.kind = 'mcp-server' AND a.status != 'killed' ORDER BY a.seq",
        params![ids],
        |r| {
            Ok(AgentRef {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        },
    )
}

fn escalations(conn: &Db, ids: &str) -> StoreResult<Vec<EscalationFact>> {
    all(
        conn,
        "SELECT c.id, c.name, d.id, pa.id, pa.name, p.email, s.value \
         FROM json_each(?1) q CROSS JOIN delegations d ON d.child_agent = q.value \
         CROSS JOIN json_each(d.scopes) s ON TRUE \
         CROSS JOIN agents c ON c.id = d.child_agent \
         CROSS JOIN agents pa ON pa.id = d.parent_agent \
         CROSS JOIN people p ON p.id = d.on_behalf_of \
         WHERE d.on_behalf_of IS NOT NULL AND d.parent_agent IS NOT NULL AND c.status != 'killed' \
           AND NOT EXISTS (SELECT 1 FROM delegations r INDEXED BY delegations_person, \
                           json_each(r.scopes) rs \
                           WHERE r.parent_person = d.on_behalf_of AND rs.value = s.value) \
         ORDER BY c.seq, d.created_at, s.value",
        params![ids],
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

/// An agent's depth is the most agents on a path up its delegations (the
/// whole fleet's query counts the same paths down from their roots).
fn deep_chains(conn: &Db, q: &SweepQuery, ids: &str) -> StoreResult<Vec<(AgentRef, usize)>> {
    all(
        conn,
        "WITH RECURSIVE up(origin, agent, depth) AS ( \
            SELECT q.value, q.value, 1 FROM json_each(?2) q \
            UNION \
            SELECT up.origin, d.parent_agent, up.depth + 1 FROM up \
            CROSS JOIN delegations d ON d.child_agent = up.agent \
            WHERE d.parent_agent IS NOT NULL AND up.depth < 64) \
         SELECT a.id, a.name, MAX(up.depth) FROM up CROSS JOIN agents a ON a.id = up.origin \
         WHERE a.status != 'killed' GROUP BY a.id, a.name, a.seq HAVING MAX(up.depth) > ?1 \
         ORDER BY a.seq",
        params![q.max_chain_depth as i64, ids],
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

/// The agents whose rules an action on `agents` and `people` (JSON
/// arrays of ids) can change: those agents; the people's agents (owned,
/// or delegated to by them or for them); every agent delegated to down
/// from any of these (chain depth); and every other holder of a secret one
/// of them holds (R07), whatever the state of its credential.
pub fn reach(conn: &Db, agents: &str, people: &str) -> StoreResult<Vec<String>> {
    let near: Vec<String> = all(
        conn,
        "WITH RECURSIVE seed(agent) AS ( \
            SELECT q.value FROM json_each(?1) q \
            UNION SELECT a.id FROM json_each(?2) q CROSS JOIN agents a ON a.owner_id = q.value \
            UNION SELECT d.child_agent FROM json_each(?2) q \
              CROSS JOIN delegations d ON d.on_behalf_of = q.value \
            UNION SELECT d.child_agent FROM json_each(?2) q \
              CROSS JOIN delegations d ON d.parent_person = q.value), \
         down(agent, depth) AS ( \
            SELECT agent, 0 FROM seed \
            UNION \
            SELECT d.child_agent, down.depth + 1 FROM down \
            CROSS JOIN delegations d ON d.parent_agent = down.agent WHERE down.depth < 64) \
         SELECT DISTINCT agent FROM down",
        params![agents, people],
        |r| r.get(0),
    )?;
    let ids = super::rows::to_json(&near);
    let partners: Vec<String> = all(
        conn,
        &format!(
            "WITH {} \
             SELECT c.agent_id FROM cand CROSS JOIN presented_secrets p ON p.fingerprint = cand.fp \
               CROSS JOIN credentials c ON c.id = p.credential_id \
             UNION SELECT c.agent_id FROM cand CROSS JOIN credentials c ON c.fingerprint = cand.fp \
             UNION SELECT c.agent_id FROM cand CROSS JOIN credentials c ON c.hash = cand.fp",
            candidates("?1")
        ),
        params![ids],
        |r| r.get(0),
    )?;
    let mut all_ids = near;
    all_ids.extend(partners);
    all_ids.sort();
    all_ids.dedup();
    Ok(all_ids)
}

/// The open and acknowledged alerts of the agents of `ids`, and R21's if
/// `tokens`.
pub fn live_alerts_of(conn: &Db, ids: &str, tokens: bool) -> StoreResult<Vec<LiveAlert>> {
    let mut out = all(
        conn,
        &format!(
            "SELECT {LIVE_ALERT_COLS} FROM json_each(?1) q \
             CROSS JOIN alerts al ON al.agent_id = q.value WHERE al.status != 'resolved'"
        ),
        params![ids],
        live_alert,
    )?;
    if tokens {
        out.extend(live_alerts(conn, crate::server::rules::TOKEN_RULE)?);
    }
    Ok(out)
}
