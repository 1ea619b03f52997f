//! What agents call with their own credential (heartbeat, events), and
//! introspection of a credential for the services an agent calls. A stored
//! batch of events goes to the ingest rules.

use super::Body;
use crate::api::{Accepted, AgentEvent, IntrospectRequest, Introspection};
use crate::secrets;
use crate::server::auth::{Caller, Introspector, refusal};
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{EventRecord, Principal};
use crate::server::{AppState, rules};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};

/// Most events one request may carry.
pub const MAX_BATCH: usize = 10_000;
/// Longest action, target or scope accepted.
const MAX_TEXT: usize = 512;
/// Most entries in one event's `on_behalf_of` chain.
const MAX_CHAIN: usize = 32;

pub async fn heartbeat(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    let (agent, credential) = caller.require_live_agent(&state).await?;
    state
        .store
        .touch(&agent.id, &credential.id, Utc::now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn validate(i: usize, e: AgentEvent) -> ApiResult<EventRecord> {
    let now = Utc::now();
    let at = e.time.unwrap_or(now);
    if at > now + Duration::minutes(5) {
        return Err(ApiError::unprocessable(format!(
            "event {i}: time {at} is in the future"
        )));
    }
    for (field, value) in [
        ("action", Some(&e.action)),
        ("target", Some(&e.target)),
        ("scope", e.scope.as_ref()),
    ] {
        if let Some(v) = value {
            if field != "scope" && v.trim().is_empty() {
                return Err(ApiError::unprocessable(format!(
                    "event {i}: {field} must not be empty"
                )));
            }
            if v.chars().count() > MAX_TEXT {
                return Err(ApiError::unprocessable(format!(
                    "event {i}: {field} is longer than {MAX_TEXT} characters"
                )));
            }
        }
    }
    if e.on_behalf_of.len() > MAX_CHAIN {
        return Err(ApiError::unprocessable(format!(
            "event {i}: on_behalf_of has {} entries; at most {MAX_CHAIN}",
            e.on_behalf_of.len()
        )));
    }
    if let Some(bad) = e
        .on_behalf_of
        .iter()
        .find(|k| k.trim().is_empty() || k.chars().count() > MAX_TEXT)
    {
        return Err(ApiError::unprocessable(format!(
            "event {i}: on_behalf_of entry {:?} is empty or longer than {MAX_TEXT} characters",
            bad.chars().take(40).collect::<String>()
        )));
    }
    let credential_fingerprint = match e.credential_fingerprint {
        Some(f) => Some(fingerprint(&f).ok_or_else(|| {
            ApiError::unprocessable(format!(
                "event {i}: credential_fingerprint must be the SHA-256 of the secret, \
                 64 hex digits (sha256: prefix allowed), never the secret itself"
            ))
        })?),
        None => None,
    };
    Ok(EventRecord {
        at,
        action: e.action,
        target: e.target,
        scope: e.scope,
        result: e.result,
        on_behalf_of: e.on_behalf_of,
        interactive: e.interactive,
        credential_fingerprint,
    })
}

/// A reported fingerprint as stored: 64 lowercase hex digits. Anything else
/// is refused, so a secret sent by mistake is never kept.
fn fingerprint(reported: &str) -> Option<String> {
    let t = reported.trim();
    let hex = t
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("sha256:"))
        .map_or(t, |_| &t[7..]);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex.to_ascii_lowercase())
}

pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Body(batch): Body<Vec<AgentEvent>>,
) -> ApiResult<Json<Accepted>> {
    let (agent, credential) = caller.require_live_agent(&state).await?;
    if batch.len() > MAX_BATCH {
        return Err(ApiError::unprocessable(format!(
            "{} events in one batch; send at most {MAX_BATCH}",
            batch.len()
        )));
    }
    let records = batch
        .into_iter()
        .enumerate()
        .map(|(i, e)| validate(i, e))
        .collect::<ApiResult<Vec<_>>>()?;
    refuse_stopped_in_chains(&state, &agent, &credential, &records).await?;
    let recorded = state
        .store
        .record_events(&agent.id, &credential.id, &records)
        .await?;
    if recorded.new_fingerprints && state.config.rules.sweep_interval_seconds > 0 {
        // R07: the holders of what it presented are judged now, through
        // the fingerprint indexes, not at the next sweep.
        let holders = recorded.former_holders.into_iter();
        let touched = rules::Touched::agents(holders.chain([agent.id.clone()]));
        state.detector.judge(Some(touched));
    }
    let accepted = recorded.accepted;
    // The ingest rules (R08, R09, R11, R12, R13, R14, R17) judge the batch
    // once it is stored; what they find does not change the answer.
    rules::on_events(&state, &agent, &credential, &records).await;
    Ok(Json(Accepted { accepted }))
}

/// Most distinct chain identities checked per batch, as the rules look up.
const MAX_CHAIN_KEYS: usize = 1_000;
/// Most stopped agents of one refused batch counted towards the relay's R17.
const MAX_FLAGGED: usize = 8;

/// Nothing may be done on behalf of a suspended or killed agent (a killed
/// shadow entry included): a batch whose chains name one is refused whole,
/// so the reporter learns it at once, and the relay is counted towards
/// its own R17 ([`rules::relay_refused`]).
async fn refuse_stopped_in_chains(
    state: &AppState,
    agent: &crate::model::Agent,
    credential: &crate::model::Credential,
    records: &[EventRecord],
) -> ApiResult<()> {
    let keys: std::collections::BTreeSet<&String> =
        records.iter().flat_map(|r| &r.on_behalf_of).collect();
    if keys.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = keys.into_iter().take(MAX_CHAIN_KEYS).cloned().collect();
    let stopped = state.store.stopped_agents(keys).await?;
    let Some(first) = stopped.first() else {
        return Ok(());
    };
    // Each is a write: a batch naming a thousand stopped agents must not
    // cost a thousand; the first few are what a responder needs to see.
    for s in stopped.iter().take(MAX_FLAGGED) {
        rules::relay_refused(state, agent, credential, s).await;
    }
    let i = records
        .iter()
        .position(|r| {
            r.on_behalf_of
                .iter()
                .any(|k| *k == first.id || *k == first.name)
        })
        .unwrap_or(0);
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "chain_refused",
        format!(
            "event {i}: on_behalf_of names {} agent {:?} ({}); nothing may be done on behalf \
             of a suspended or killed agent, so none of this batch was stored",
            first.status, first.name, first.id
        ),
    ))
}

pub async fn introspect(
    State(state): State<AppState>,
    _: Introspector,
    Body(body): Body<IntrospectRequest>,
) -> ApiResult<Json<Introspection>> {
    let inactive = |reason: Option<String>| Introspection {
        active: false,
        agent_id: None,
        scope: None,
        exp: None,
        client_id: None,
        reason,
        sub: None,
        aud: None,
        act: None,
        iss: None,
        iat: None,
        jti: None,
        token_type: None,
    };
    let token = body.token.trim();
    if crate::server::oauth::jwt::looks_like_jwt(token) {
        return Ok(Json(
            match crate::server::oauth::chain::check(&state, token).await? {
                Ok((claims, chain)) => Introspection {
                    active: true,
                    agent_id: Some(chain.record.actor_agent),
                    scope: Some(claims.scope),
                    exp: Some(claims.exp),
                    client_id: Some(claims.client_id),
                    reason: None,
                    sub: Some(claims.sub),
                    aud: Some(claims.aud),
                    act: claims.act.and_then(|a| serde_json::to_value(a).ok()),
                    iss: Some(claims.iss),
                    iat: Some(claims.iat),
                    jti: Some(claims.jti),
                    token_type: Some("Bearer".into()),
                },
                Err(why) => inactive(Some(why.reason.to_string())),
            },
        ));
    }
    let answer = match state
        .store
        .authenticate(&secrets::hash(body.token.trim()))
        .await?
    {
        Some(Principal::Agent { credential, agent }) => match refusal(&agent, &credential) {
            Some(why) => Introspection {
                agent_id: Some(agent.id),
                ..inactive(Some(why.code.trim_start_matches("credential_").to_string()))
            },
            None => Introspection {
                active: true,
                agent_id: Some(agent.id.clone()),
                scope: Some(credential.scopes.join(" ")),
                exp: credential.expires_at.map(|e| e.timestamp()),
                client_id: Some(credential.id),
                ..inactive(None)
            },
        },
        // A person token, or nothing we know: RFC 7662 says only "not active".
        _ => inactive(None),
    };
    Ok(Json(answer))
}
