//! Health, the caller, person tokens (create, list, revoke), and the
//! people directory.

use super::{Body, require_reason};
use crate::api::{
    Health, IssuedToken, NewPerson, NewToken, Reason, TokenInfo, TokenOrigin, WhoAmI,
};
use crate::model::{Person, Role};
use crate::secrets;
use crate::server::AppState;
use crate::server::auth::{Admin, Caller, Viewer};
use crate::server::error::{ApiError, ApiResult};
use crate::server::rules::{self, Touched};
use crate::server::store::{Principal, StoreError, TokenRecord, TokenSpec};
use crate::server::text_policy::collides;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

pub async fn whoami(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<WhoAmI>> {
    Ok(Json(match &caller.0 {
        Principal::Person(t) => WhoAmI {
            kind: "person".into(),
            role: Some(t.role),
            name: t.name.clone(),
            person: t.person.clone(),
            agent_id: None,
            credential_id: None,
        },
        Principal::Agent { .. } => {
            let (agent, credential) = caller.require_live_agent(&state).await?;
            WhoAmI {
                kind: "agent".into(),
                role: None,
                name: agent.name,
                person: None,
                agent_id: Some(agent.id),
                credential_id: Some(credential.id),
            }
        }
    }))
}

/// Longest lifetime of a person token: ten years, as for credentials.
const MAX_TOKEN_TTL_SECONDS: u64 = 10 * 366 * 24 * 3600;

pub async fn create_token(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Body(new): Body<NewToken>,
) -> ApiResult<(StatusCode, Touched, Json<IssuedToken>)> {
    let expires_at = match new.ttl_seconds {
        None => None,
        Some(0) => {
            return Err(ApiError::unprocessable(
                "ttl_seconds must be positive; leave it out for a token that works until revoked",
            ));
        }
        Some(s) if s > MAX_TOKEN_TTL_SECONDS => {
            return Err(ApiError::unprocessable(
                "ttl_seconds is more than ten years; leave it out for a token that works until revoked",
            ));
        }
        Some(s) => Some(chrono::Utc::now() + chrono::Duration::seconds(s as i64)),
    };
    let existing = state.store.list_tokens().await?;
    if let Some(other) = collides(&new.name, existing.iter().map(|t| t.name.as_str())) {
        return Err(look_alike("token", &new.name, other));
    }
    let token = secrets::new_person_token();
    let record = state
        .store
        .create_token(
            &actor,
            &TokenSpec {
                name: new.name,
                role: new.role,
                person: new.person,
                expires_at,
                origin: TokenOrigin::Api,
                hash: secrets::hash(&token),
                prefix: secrets::display_prefix(&token),
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Touched::tokens(),
        Json(IssuedToken {
            id: record.id,
            name: record.name,
            role: record.role,
            person: record.person.map(|p| p.id),
            expires_at: record.expires_at,
            token,
        }),
    ))
}

/// Whether `caller` may see and revoke `token` without the admin role:
/// it is the caller's own token, or speaks for the same person.
fn is_own(caller: &TokenRecord, token: &TokenRecord) -> bool {
    caller.id == token.id
        || matches!((&caller.person, &token.person), (Some(a), Some(b)) if a.id == b.id)
}

fn info(t: TokenRecord, caller: &TokenRecord, now: chrono::DateTime<chrono::Utc>) -> TokenInfo {
    let status = t.status(now);
    let current = t.id == caller.id;
    let (revoked_at, revoked_by, revoked_reason) = match t.revoked {
        Some((at, by, why)) => (Some(at), Some(by), Some(why)),
        None => (None, None, None),
    };
    TokenInfo {
        id: t.id,
        name: t.name,
        role: t.role,
        person: t.person.as_ref().map(|p| p.id.clone()),
        person_email: t.person.map(|p| p.email),
        origin: t.origin,
        status,
        created_at: t.created_at,
        created_by: t.created_by,
        expires_at: t.expires_at,
        revoked_at,
        revoked_by,
        revoked_reason,
        current,
    }
}

/// An admin sees every token; anyone else sees their own.
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    let (me, _) = caller.require(Role::Viewer)?;
    let now = chrono::Utc::now();
    let all = state.store.list_tokens().await?;
    Ok(Json(
        all.into_iter()
            .filter(|t| me.role == Role::Admin || is_own(me, t))
            .map(|t| info(t, me, now))
            .collect(),
    ))
}

/// An admin revokes any token; anyone else only their own (a lost laptop's
/// token, from another device): revoking takes access away, never gives it.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<TokenInfo>)> {
    let (me, actor) = caller.require(Role::Viewer)?;
    let token = match state.store.get_token(&id).await {
        Ok(t) => t,
        // A non-admin learns nothing about tokens that are not theirs.
        Err(StoreError::NotFound(_)) if me.role != Role::Admin => {
            return Err(not_theirs(&id));
        }
        Err(e) => return Err(e.into()),
    };
    if me.role != Role::Admin && !is_own(me, &token) {
        return Err(not_theirs(&id));
    }
    let reason = require_reason(&body.reason)?;
    let revoked = state.store.revoke_token(&actor, &token.id, reason).await?;
    rules::token_revoked(&state, &revoked).await;
    Ok((
        Touched::tokens(),
        Json(info(revoked, me, chrono::Utc::now())),
    ))
}

/// A token's name becomes the audit trail's actor and a person's name and
/// email are what a responder picks an owner by: one that reads as another
/// could pass for it, so it is refused as agent names are.
fn look_alike(what: &str, name: &str, other: &str) -> ApiError {
    ApiError::conflict(format!(
        "{name:?} looks like the {what} {other:?}; names that look alike must be one"
    ))
}

fn not_theirs(id: &str) -> ApiError {
    ApiError::forbidden(format!(
        "revoking token {id:?} needs the admin role: without it, a token may revoke only itself \
         and the other tokens of its person"
    ))
}

pub async fn create_person(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Body(new): Body<NewPerson>,
) -> ApiResult<(StatusCode, Touched, Json<Person>)> {
    let people = state.store.list_people().await?;
    if let Some(other) = collides(&new.email, people.iter().map(|p| p.email.as_str())) {
        return Err(look_alike("person's email", &new.email, other));
    }
    if let Some(other) = collides(&new.name, people.iter().map(|p| p.name.as_str())) {
        return Err(look_alike("person", &new.name, other));
    }
    let person = state.store.create_person(&actor, &new).await?;
    // A new person owns nothing and delegated nothing yet.
    Ok((StatusCode::CREATED, Touched::nothing(), Json(person)))
}

pub async fn list_people(State(state): State<AppState>, _: Viewer) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(state.store.list_people().await?))
}

pub async fn offboard(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Person>)> {
    let reason = require_reason(&body.reason)?;
    let person = state.store.resolve_person(&id).await?;
    let left = state
        .store
        .offboard_person(&actor, &person.id, reason)
        .await?;
    Ok((Touched::person(&left.id), Json(left)))
}
