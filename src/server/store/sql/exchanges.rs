//! The exchanged-token ledger: recorded in the write that audits the
//! exchange, read back with every link of its chain in one read.

use super::rows::{self, CREDENTIAL_COLS, time, to_json, to_ms};
use super::tx::append_audit;
use super::{agents, tokens};
use crate::server::store::db::{Db, DbError, DbResult, OptionalExt, Row, params};
use crate::server::store::{Actor, ExchangeRecord, ExchangeState, StoreError, StoreResult};
use chrono::{DateTime, Utc};

const COLS: &str = "jti, sub, subject_kind, actor_agent, act_chain, credentials, person_token, \
     parent_jti, scopes, audience, issued_at, expires_at";

fn list(r: &Row, i: usize) -> DbResult<Vec<String>> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text).map_err(|e| DbError::Conversion(e.to_string()))
}

fn record(r: &Row) -> DbResult<ExchangeRecord> {
    Ok(ExchangeRecord {
        jti: r.get(0)?,
        sub: r.get(1)?,
        subject_kind: r.get(2)?,
        actor_agent: r.get(3)?,
        act_chain: list(r, 4)?,
        credentials: list(r, 5)?,
        person_token: r.get(6)?,
        parent_jti: r.get(7)?,
        scopes: list(r, 8)?,
        audience: list(r, 9)?,
        issued_at: time(r.get(10)?)?,
        expires_at: time(r.get(11)?)?,
    })
}

/// Records the token and audits its issue; the audit entry names the
/// whole chain, so the trail of each agent in it finds the exchange.
/// A rotation of the token-signing keys, in the audit alone (no row of
/// the fleet changes).
pub fn audit_key_rotation(
    tx: &Db,
    actor: &Actor,
    kid: &str,
    reason: &str,
    outcome: &str,
) -> StoreResult<()> {
    append_audit(tx, actor, "token.keys.rotate", kid, Some(reason), outcome).map(|_| ())
}

pub fn record_exchange(tx: &Db, actor: &Actor, t: &ExchangeRecord) -> StoreResult<()> {
    tx.execute(
        &format!("INSERT INTO exchanged_tokens ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
        params![
            t.jti,
            t.sub,
            t.subject_kind,
            t.actor_agent,
            to_json(&t.act_chain),
            to_json(&t.credentials),
            t.person_token,
            t.parent_jti,
            to_json(&t.scopes),
            to_json(&t.audience),
            to_ms(t.issued_at),
            to_ms(t.expires_at)
        ],
    )?;
    append_audit(
        tx,
        actor,
        "token.exchange",
        &format!("{} for {} via {}", t.jti, t.sub, t.act_chain.join(" -> ")),
        None,
        &format!(
            "ok, scope {} aud {} expires {}",
            t.scopes.join(" "),
            t.audience.join(" "),
            t.expires_at.to_rfc3339()
        ),
    )?;
    Ok(())
}

pub fn exchange_state(conn: &Db, jti: &str) -> StoreResult<Option<ExchangeState>> {
    let Some(record) = conn
        .query_row(
            &format!("SELECT {COLS} FROM exchanged_tokens WHERE jti = ?1"),
            params![jti],
            record,
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut links = Vec::with_capacity(record.credentials.len());
    for id in &record.credentials {
        let credential = conn
            .query_row(
                &format!("SELECT {CREDENTIAL_COLS} FROM credentials WHERE id = ?1"),
                params![id],
                rows::credential,
            )
            .optional()?;
        if let Some(c) = credential {
            let agent = agents::get(conn, &c.agent_id)?;
            links.push((c, agent));
        }
    }
    let person_token = match &record.person_token {
        Some(id) => match tokens::get(conn, id) {
            Ok(t) => Some(t),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let revoked = conn
        .query_row(
            "SELECT revoked_at, revoked_by FROM exchanged_tokens WHERE jti = ?1 AND revoked_at IS NOT NULL",
            params![jti],
            |r| {
                let at: i64 = r.get(0)?;
                let by: Option<String> = r.get(1)?;
                Ok((at, by))
            },
        )
        .optional()?
        .map(|(at, by)| Ok::<_, StoreError>((time(at)?, by.unwrap_or_default())))
        .transpose()?;
    Ok(Some(ExchangeState {
        record,
        links,
        person_token,
        revoked,
    }))
}

/// Most tokens one revocation walks down to (a token, those exchanged
/// from it, theirs…): a chain is at most `max_chain_depth` hops, so this
/// only bounds a hostile ledger.
const REVOKE_MAX: usize = 10_000;

/// Revokes the token `jti` and every token derived from it (RFC 7009), and
/// audits it as `token.exchange.revoke`. The jtis revoked now, the token's
/// first; empty if it was revoked already (nothing is written then).
pub fn revoke_exchange(
    tx: &Db,
    actor: &Actor,
    jti: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<String>> {
    let mut revoked = Vec::new();
    let mut next = vec![jti.to_string()];
    while let Some(j) = next.pop() {
        if revoked.len() >= REVOKE_MAX {
            break;
        }
        let changed = tx.execute(
            "UPDATE exchanged_tokens SET revoked_at = ?1, revoked_by = ?2 \
             WHERE jti = ?3 AND revoked_at IS NULL",
            params![to_ms(now), actor.label, j],
        )?;
        if changed == 0 {
            continue;
        }
        next.extend(tx.query_map(
            "SELECT jti FROM exchanged_tokens WHERE parent_jti = ?1",
            params![j],
            |r| r.get(0),
        )?);
        revoked.push(j);
    }
    if revoked.is_empty() {
        return Ok(revoked);
    }
    let derived = match revoked.len() {
        1 => String::new(),
        n => format!(
            ", and {} derived from it: {}",
            n - 1,
            revoked[1..]
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    append_audit(
        tx,
        actor,
        "token.exchange.revoke",
        jti,
        Some(reason),
        &format!("ok, revoked {jti}{derived}"),
    )?;
    Ok(revoked)
}

/// Tokens that have not expired at `now`, newest first, at most `limit`.
pub fn live_exchanges(
    conn: &Db,
    now: DateTime<Utc>,
    limit: usize,
) -> StoreResult<Vec<ExchangeRecord>> {
    Ok(conn.query_map(
        &format!(
            "SELECT {COLS} FROM exchanged_tokens WHERE expires_at > ?1 AND revoked_at IS NULL \
             ORDER BY issued_at DESC, jti LIMIT ?2"
        ),
        params![to_ms(now), limit as i64],
        record,
    )?)
}

/// Most live tokens listed for one agent.
const LIVE_SHOWN: usize = 50;

/// The live tokens whose chain passes through `agent_id` (its subject or
/// an actor), newest first: unexpired, and every link live now.
pub fn live_through(
    conn: &Db,
    agent_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<crate::model::LiveExchangedToken>> {
    let candidates = conn.query_map(
        &format!(
            "SELECT {COLS} FROM exchanged_tokens WHERE expires_at > ?1 \
             AND (actor_agent = ?2 OR sub = ?2 OR act_chain LIKE ?3) \
             ORDER BY issued_at DESC, jti LIMIT ?4"
        ),
        params![
            to_ms(now),
            agent_id,
            format!("%\"{agent_id}\"%"),
            (4 * LIVE_SHOWN) as i64
        ],
        record,
    )?;
    let mut live = Vec::new();
    for r in candidates {
        // The LIKE is a prefilter; the chain itself decides.
        if r.sub != agent_id && !r.act_chain.iter().any(|a| a == agent_id) {
            continue;
        }
        let Some(state) = exchange_state(conn, &r.jti)? else {
            continue;
        };
        if crate::server::oauth::chain::links_live(&state).is_ok() {
            live.push(crate::model::LiveExchangedToken {
                jti: r.jti,
                sub: r.sub,
                act: r.act_chain,
                scopes: r.scopes,
                audience: r.audience,
                expires_at: r.expires_at,
            });
        }
        if live.len() == LIVE_SHOWN {
            break;
        }
    }
    Ok(live)
}
