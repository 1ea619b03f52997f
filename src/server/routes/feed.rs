//! Reading routes for clients that keep a copy: the changes feed (with
//! long-poll), alerts, the ownership triage queue, the audit trail and its
//! verification, and the OpenAPI document.

use super::Query;
use crate::api::{AuditVerification, Changes, TriageReport};
use crate::model::{Alert, AuditEntry};
use crate::server::auth::Viewer;
use crate::server::error::{ApiError, ApiResult};
use crate::server::{AppState, openapi, triage};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use std::time::Duration;

/// Longest a long-poll may hold a request.
const MAX_WAIT_SECONDS: u64 = 60;

#[derive(Deserialize)]
pub struct ChangesQuery {
    #[serde(default)]
    since: i64,
    #[serde(default)]
    wait: u64,
}

pub async fn changes(
    State(state): State<AppState>,
    _: Viewer,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Json<Changes>> {
    if q.wait > MAX_WAIT_SECONDS {
        return Err(ApiError::bad_request(format!(
            "wait is at most {MAX_WAIT_SECONDS} seconds"
        )));
    }
    // Subscribe before reading, so a commit between the read and the wait
    // is not missed.
    let mut revisions = state.store.subscribe();
    let first = state.store.changes(q.since).await?;
    if q.wait == 0 || first.full || !first.is_empty() {
        return Ok(Json(first));
    }
    let since = q.since;
    let woke = tokio::time::timeout(Duration::from_secs(q.wait), async {
        loop {
            if *revisions.borrow_and_update() > since {
                return true;
            }
            if revisions.changed().await.is_err() {
                return false;
            }
        }
    })
    .await
    .unwrap_or(false);
    if !woke {
        return Ok(Json(first));
    }
    Ok(Json(state.store.changes(since).await?))
}

pub async fn alerts(State(state): State<AppState>, _: Viewer) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(state.store.list_alerts().await?))
}

pub async fn triage(State(state): State<AppState>, _: Viewer) -> ApiResult<Json<TriageReport>> {
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::days(i64::from(triage::ACTIVITY_DAYS));
    let facts = state.store.triage_facts(since).await?;
    Ok(Json(triage::report(&facts, now, triage::ACTIVITY_DAYS)))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    after: i64,
    limit: Option<usize>,
}

pub async fn audit(
    State(state): State<AppState>,
    _: Viewer,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let limit = q.limit.unwrap_or(1000);
    if limit == 0 || limit > 10_000 {
        return Err(ApiError::bad_request("limit must be between 1 and 10000"));
    }
    Ok(Json(state.store.audit_after(q.after, limit).await?))
}

pub async fn audit_verify(
    State(state): State<AppState>,
    _: Viewer,
) -> ApiResult<Json<AuditVerification>> {
    Ok(Json(state.store.audit_verify().await?))
}

pub async fn openapi(_: Viewer) -> Json<serde_json::Value> {
    Json(openapi::document())
}
