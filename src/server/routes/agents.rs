//! Registering and reading agents, and what they hold: credentials,
//! grants, delegations.

use super::{Body, Query, require_reason};
use crate::api::{
    AgentPage, IssuedCredential, NewAgent, NewCredential, NewDelegation, NewGrant, Reason,
};
use crate::model::{Agent, AgentDetail, Delegation, Grant};
use crate::secrets;
use crate::server::AppState;
use crate::server::auth::{Admin, Delegator, Viewer};
use crate::server::error::{ApiError, ApiResult};
use crate::server::rules::Touched;
use crate::server::store::{DelegationInput, StoreError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

const DEFAULT_PAGE: usize = 500;
const MAX_PAGE: usize = 5000;
/// Ten years: anything longer is a typo, or should be `never`.
const MAX_TTL_SECONDS: u64 = 10 * 366 * 24 * 3600;

pub async fn create(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Body(new): Body<NewAgent>,
) -> ApiResult<(StatusCode, Touched, Json<Agent>)> {
    let agent = state.store.create_agent(&actor, &new).await?;
    Ok((StatusCode::CREATED, Touched::agent(&agent.id), Json(agent)))
}

#[derive(Deserialize)]
pub struct PageQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    _: Viewer,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<AgentPage>> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_PAGE}"
        )));
    }
    let after = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            ApiError::bad_request(format!("cursor {c:?} is not one this server gave out"))
        })?),
    };
    let (items, next) = state.store.list_agents(limit, after).await?;
    Ok(Json(AgentPage {
        items,
        next_cursor: next.map(|n| n.to_string()),
    }))
}

pub async fn detail(
    State(state): State<AppState>,
    _: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<AgentDetail>> {
    let agent = state.store.resolve_agent(&id).await?;
    Ok(Json(state.store.agent_detail(&agent.id).await?))
}

pub async fn issue_credential(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<String>,
    Body(new): Body<NewCredential>,
) -> ApiResult<(StatusCode, Touched, Json<IssuedCredential>)> {
    let expires_at = match new.ttl_seconds {
        None => None,
        Some(0) => {
            return Err(ApiError::unprocessable(
                "ttl_seconds must be positive; leave it out for a credential that never expires",
            ));
        }
        Some(s) if s > MAX_TTL_SECONDS => {
            return Err(ApiError::unprocessable(
                "ttl_seconds is more than ten years; leave it out for a credential that never expires",
            ));
        }
        Some(s) => Some(chrono::Utc::now() + chrono::Duration::seconds(s as i64)),
    };
    let agent = state.store.resolve_agent(&id).await?;
    let secret = secrets::new_agent_secret();
    let credential = state
        .store
        .issue_credential(
            &actor,
            &agent.id,
            &new.scopes,
            expires_at,
            &secrets::hash(&secret),
            &secrets::display_prefix(&secret),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Touched::agent(&agent.id),
        Json(IssuedCredential { credential, secret }),
    ))
}

pub async fn add_grant(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<String>,
    Body(new): Body<NewGrant>,
) -> ApiResult<(StatusCode, Touched, Json<Grant>)> {
    let agent = state.store.resolve_agent(&id).await?;
    Ok((
        StatusCode::CREATED,
        Touched::agent(&agent.id),
        Json(state.store.add_grant(&actor, &agent.id, &new).await?),
    ))
}

/// Removing a grant takes access away; it needs the role that gives it,
/// and a reason for the audit chain. A killed agent's grants can go too.
pub async fn remove_grant(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Path((id, grant)): Path<(String, String)>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Grant>)> {
    let reason = require_reason(&body.reason)?;
    let agent = state.store.resolve_agent(&id).await?;
    let removed = state
        .store
        .remove_grant(&actor, &agent.id, &grant, reason)
        .await?;
    Ok((Touched::agent(&agent.id), Json(removed)))
}

/// An admin records any delegation (one in a person's name is recorded as
/// the admin's approval); a person's own token records one that starts
/// with them, whatever its role.
pub async fn delegate(
    State(state): State<AppState>,
    who: Delegator,
    Body(new): Body<NewDelegation>,
) -> ApiResult<(StatusCode, Touched, Json<Delegation>)> {
    let by_person = match &who.person {
        None => None,
        Some(me) => {
            let starts_with_me = new.parent_agent.is_none()
                && new
                    .parent_person
                    .as_ref()
                    .is_some_and(|p| *p == me.id || p.eq_ignore_ascii_case(&me.email));
            if !starts_with_me {
                return Err(ApiError::forbidden(
                    "without the admin role a person token may only delegate in its own \
                     person's name (parent_person: yourself)",
                ));
            }
            Some(me.id.clone())
        }
    };
    let input = DelegationInput {
        parent_agent: new.parent_agent,
        parent_person: new.parent_person,
        child_agent: new.child_agent,
        on_behalf_of: new.on_behalf_of,
        scopes: new.scopes,
        approval: new.approval,
        by_admin: by_person.is_none(),
        by_person,
    };
    let delegation = state
        .store
        .add_delegation(&who.actor, &input)
        .await
        .map_err(|e| match e {
            StoreError::Refused {
                code: "consent_required",
                message,
            } => ApiError::new(StatusCode::FORBIDDEN, "consent_required", message),
            other => other.into(),
        })?;
    // Both ends, and the people it names: a person's delegation can make
    // a scope passed on for them legitimate.
    let d = &delegation;
    let mut touched = Touched::agents(d.parent_agent.iter().chain([&d.child_agent]).cloned());
    for p in d.parent_person.iter().chain(&d.on_behalf_of) {
        touched = touched.with_person(p);
    }
    Ok((StatusCode::CREATED, touched, Json(delegation)))
}
