//! What a responder does: reassign, suspend, resume, kill, revoke,
//! acknowledge. Each needs a reason and lands in the audit chain.

use super::{Body, require_reason};
use crate::api::{KillRequest, NewOwner, Reason};
use crate::model::{Agent, Alert, Credential, Operation};
use crate::server::auth::Responder;
use crate::server::error::ApiResult;
use crate::server::{AppState, killswitch};
use axum::Json;
use axum::extract::{Path, State};

pub async fn owner(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<NewOwner>,
) -> ApiResult<Json<Agent>> {
    let reason = require_reason(&body.reason)?;
    let agent = state.store.resolve_agent(&id).await?;
    Ok(Json(
        state
            .store
            .set_owner(&actor, &agent.id, &body.owner, reason)
            .await?,
    ))
}

async fn set_suspended(
    state: AppState,
    actor: crate::server::store::Actor,
    id: String,
    reason: String,
    suspend: bool,
) -> ApiResult<Json<Agent>> {
    let reason = require_reason(&reason)?;
    let agent = state.store.resolve_agent(&id).await?;
    Ok(Json(
        state
            .store
            .set_suspended(&actor, &agent.id, suspend, reason)
            .await?,
    ))
}

pub async fn suspend(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Agent>> {
    set_suspended(state, actor, id, body.reason, true).await
}

pub async fn resume(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Agent>> {
    set_suspended(state, actor, id, body.reason, false).await
}

pub async fn kill(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<KillRequest>,
) -> ApiResult<Json<Operation>> {
    let reason = require_reason(&body.reason)?;
    let agent = state.store.resolve_agent(&id).await?;
    let plan = killswitch::plan(&state, &actor, &agent, body.cascade, reason).await?;
    if body.dry_run {
        return Ok(Json(plan));
    }
    Ok(Json(killswitch::kill(&state, &actor, plan).await?))
}

pub async fn revoke(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Credential>> {
    let reason = require_reason(&body.reason)?;
    Ok(Json(
        state.store.revoke_credential(&actor, &id, reason).await?,
    ))
}

pub async fn ack(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Alert>> {
    let reason = require_reason(&body.reason)?;
    Ok(Json(state.store.ack_alert(&actor, &id, reason).await?))
}
