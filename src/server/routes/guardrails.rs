//! `GET /v1/guardrails` (the policies and their actions), and a
//! responder stopping a pending action with a reason or running it at
//! once; both audited with who and why. The rules judge what each changed
//! at once: a stop changes nothing they read, a run the agent it acted on.

use super::{Body, require_reason};
use crate::api::Reason;
use crate::api::guardrails::{GuardrailAction, GuardrailPolicy, Guardrails};
use crate::server::auth::{Responder, Viewer};
use crate::server::error::{ApiError, ApiResult};
use crate::server::rules::Touched;
use crate::server::{AppState, guardrails};
use axum::Json;
use axum::extract::{Path, State};

/// Finished actions `GET /v1/guardrails` shows after the pending ones.
const RECENT: usize = 100;

pub async fn list(State(state): State<AppState>, _: Viewer) -> ApiResult<Json<Guardrails>> {
    let policies = state
        .guard
        .policies
        .iter()
        .map(|p| GuardrailPolicy {
            name: p.config.name.clone(),
            action: p.config.action.as_str().to_string(),
            rule: p.config.rule.clone(),
            grace_seconds: p.config.grace_seconds,
            max_per_hour: p.config.max_per_hour,
        })
        .collect();
    let actions = state.store.guardrail_actions(RECENT).await?;
    Ok(Json(Guardrails { policies, actions }))
}

pub async fn stop(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<GuardrailAction>)> {
    let reason = require_reason(&body.reason)?;
    let a = state
        .store
        .stop_guardrail(&actor, &id, reason, chrono::Utc::now())
        .await?;
    Ok((Touched::nothing(), Json(a)))
}

pub async fn run(
    State(state): State<AppState>,
    Responder(actor): Responder,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<(Touched, Json<GuardrailAction>)> {
    let reason = require_reason(&body.reason)?;
    match guardrails::execute(&state, &id, Some((&actor, reason))).await? {
        // A freeze, a revocation or a kill of this agent.
        Some(done) => Ok((Touched::agent(&done.agent_id), Json(done))),
        None => {
            let a = state.store.guardrail_action(&id).await?;
            Err(ApiError::conflict(format!(
                "guardrail action {id} is {}, not pending; only a pending action can be run",
                a.status
            )))
        }
    }
}
