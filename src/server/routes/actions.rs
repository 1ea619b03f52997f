//! What a responder does: reassign, suspend, resume, kill, revoke,
//! rotate, acknowledge. Each needs a reason and lands in the audit chain, and is
//! counted for `GET /metrics` once the caller is known to be a responder.

use super::{Body, require_reason};
use crate::api::{
    KillRequest, MAX_GRACE_SECONDS, NewOwner, Reason, RotateRequest, RotatedCredential,
};
use crate::model::{Agent, Alert, Credential, Operation};
use crate::secrets;
use crate::server::auth::Responder;
use crate::server::error::{ApiError, ApiResult};
use crate::server::rules::Touched;
use crate::server::store::Rotation;
use crate::server::{AppState, killswitch, rules};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub async fn owner(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<NewOwner>,
) -> ApiResult<(Touched, Json<Agent>)> {
    let result = async {
        let reason = require_reason(&body.reason)?;
        let agent = state.store.resolve_agent(&id).await?;
        let owned = state
            .store
            .set_owner(&actor, &agent.id, &body.owner, reason)
            .await?;
        Ok((Touched::agent(&owned.id), Json(owned)))
    }
    .await;
    counted(&state, "reassign", result)
}

/// Counts an action's outcome: `refused` when the request was wrong
/// (4xx: not found, a conflict, no reason), `failed` when the server was.
pub(super) fn counted<T>(
    state: &AppState,
    kind: &'static str,
    result: ApiResult<T>,
) -> ApiResult<T> {
    state.metrics.operation(kind, outcome(&result));
    result
}

fn outcome<T>(result: &ApiResult<T>) -> &'static str {
    match result {
        Ok(_) => "succeeded",
        Err(ApiError { status, .. }) if status.is_client_error() => "refused",
        Err(_) => "failed",
    }
}

async fn set_suspended(
    state: AppState,
    actor: crate::server::store::Actor,
    id: String,
    reason: String,
    suspend: bool,
) -> ApiResult<(Touched, Json<Agent>)> {
    let result = async {
        let reason = require_reason(&reason)?;
        let agent = state.store.resolve_agent(&id).await?;
        let agent = state
            .store
            .set_suspended(&actor, &agent.id, suspend, reason)
            .await?;
        if !suspend {
            // The cause of R18 is gone with the resume: its risk drops now.
            rules::agent_resumed(&state, &agent).await;
        }
        Ok((Touched::agent(&agent.id), Json(agent)))
    }
    .await;
    counted(&state, if suspend { "suspend" } else { "resume" }, result)
}

pub async fn suspend(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Agent>)> {
    set_suspended(state, actor, id, body.reason, true).await
}

pub async fn resume(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Agent>)> {
    set_suspended(state, actor, id, body.reason, false).await
}

pub async fn kill(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<KillRequest>,
) -> ApiResult<(Touched, Json<Operation>)> {
    let planned = async {
        let reason = require_reason(&body.reason)?;
        let agent = state.store.resolve_agent(&id).await?;
        Ok(killswitch::plan(&state, &actor, &agent, body.cascade, reason).await?)
    }
    .await;
    let plan = match planned {
        // A dry run is not an operation; a refused kill is counted here,
        // one that runs by the kill switch itself.
        Ok(plan) if body.dry_run => return Ok((Touched::nothing(), Json(plan))),
        Ok(plan) => plan,
        Err(e) => return counted(&state, "kill", Err(e)),
    };
    let done = killswitch::kill(&state, &actor, plan).await?;
    let killed = Touched::agents(done.steps.iter().map(|s| s.agent_id.clone()));
    Ok((killed, Json(done)))
}

pub async fn revoke(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Credential>)> {
    let result = async {
        let reason = require_reason(&body.reason)?;
        let revoked = state.store.revoke_credential(&actor, &id, reason).await?;
        Ok((Touched::agent(&revoked.agent_id), Json(revoked)))
    }
    .await;
    counted(&state, "revoke", result)
}

/// A replacement for the credential, its secret in this answer only, and
/// the old one retired after the grace period (0: at once).
pub async fn rotate(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<RotateRequest>,
) -> ApiResult<(StatusCode, Touched, Json<RotatedCredential>)> {
    let result = async {
        let reason = require_reason(&body.reason)?;
        let grace_seconds = body.grace_seconds.unwrap_or(0);
        if grace_seconds > MAX_GRACE_SECONDS {
            return Err(ApiError::bad_request(format!(
                "grace_seconds is {grace_seconds}; at most {MAX_GRACE_SECONDS} (30 days). \
                 An old credential that stays valid longer is a second live credential: \
                 issue one instead"
            )));
        }
        let secret = secrets::new_agent_secret();
        let rotation = Rotation {
            reason: reason.to_string(),
            grace_seconds,
            secret_hash: secrets::hash(&secret),
            prefix: secrets::display_prefix(&secret),
        };
        let (credential, previous) = state
            .store
            .rotate_credential(&actor, &id, &rotation)
            .await?;
        Ok((
            StatusCode::CREATED,
            Touched::agent(&credential.agent_id),
            Json(RotatedCredential {
                credential,
                secret,
                previous,
            }),
        ))
    }
    .await;
    counted(&state, "rotate", result)
}

pub async fn ack(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<Alert>)> {
    let result = async {
        let reason = require_reason(&body.reason)?;
        // An acknowledgement changes nothing a rule reads.
        let acked = state.store.ack_alert(&actor, &id, reason).await?;
        Ok((Touched::nothing(), Json(acked)))
    }
    .await;
    counted(&state, "ack", result)
}
