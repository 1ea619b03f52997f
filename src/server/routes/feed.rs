//! Reading routes for clients that keep a copy: the changes feed (with
//! long-poll), alerts, the ownership triage queue, the audit trail and its
//! verification, and the OpenAPI document.

use super::Query;
use crate::api::{AuditQuery, AuditVerification, Changes, TriageReport};
use crate::model::{Alert, AuditEntry};
use crate::server::auth::Viewer;
use crate::server::error::{ApiError, ApiResult};
use crate::server::metrics::ChangesPath;
use crate::server::store::AuditSelect;
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
    let since = q.since;
    // Subscribe before reading, so a commit between the read and the wait
    // is not missed.
    let mut revisions = state.store.subscribe();
    // The cheap path: a client already at the latest revision is answered
    // from the watched revision alone, without a query. Only an exact
    // match counts: a cursor from the future is another database's, and
    // the store answers it with `full: true`.
    let unchanged = since > 0 && *revisions.borrow_and_update() == since;
    let first = if unchanged {
        None
    } else {
        let first = read_changes(&state, since).await?;
        if q.wait == 0 || first.full || !first.is_empty() {
            return Ok(Json(first));
        }
        Some(first)
    };
    let nothing = |first: Option<Changes>| {
        if first.is_none() {
            state.metrics.changes_answered(ChangesPath::Unchanged);
        }
        Json(first.unwrap_or_else(|| nothing_since(since)))
    };
    if q.wait == 0 {
        return Ok(nothing(first));
    }
    // An empty answer from the store may still move the cursor (revisions
    // taken by writes the feed does not carry): wait for one past it.
    let watermark = first.as_ref().map_or(since, |f| f.cursor.max(since));
    let woke = tokio::time::timeout(Duration::from_secs(q.wait), async {
        loop {
            if *revisions.borrow_and_update() > watermark {
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
        return Ok(nothing(first));
    }
    Ok(Json(read_changes(&state, since).await?))
}

async fn read_changes(state: &AppState, since: i64) -> ApiResult<Changes> {
    state.metrics.changes_answered(ChangesPath::Store);
    Ok(state.store.changes(since).await?)
}

/// The answer when nothing changed after `since`: the same cursor back.
fn nothing_since(since: i64) -> Changes {
    Changes {
        cursor: since,
        full: false,
        agents: Vec::new(),
        people: Vec::new(),
        credentials: Vec::new(),
        grants: Vec::new(),
        delegations: Vec::new(),
        alerts: Vec::new(),
        removed: Vec::new(),
    }
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

/// Most entries one answer holds.
const MAX_AUDIT: usize = 10_000;
/// Entries an answer holds when the caller says neither `limit` nor `tail`.
const DEFAULT_AUDIT: usize = 1000;

pub async fn audit(
    State(state): State<AppState>,
    _: Viewer,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let (count, newest) = match (q.limit, q.tail) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give limit (the first entries) or tail (the last), not both",
            ));
        }
        (_, Some(n)) => (n, true),
        (n, None) => (n.unwrap_or(DEFAULT_AUDIT), false),
    };
    if count == 0 || count > MAX_AUDIT {
        return Err(ApiError::bad_request(format!(
            "{} must be between 1 and {MAX_AUDIT}",
            if newest { "tail" } else { "limit" }
        )));
    }
    let mut names = Vec::new();
    if let Some(t) = q.target.as_deref().map(str::trim) {
        if t.is_empty() {
            return Err(ApiError::bad_request("target needs an id"));
        }
        names.push(t.to_string());
    }
    if let Some(key) = &q.agent {
        // The agent and every credential it holds or held: a revoked
        // credential's entries belong to the agent's trail too.
        let agent = state.store.resolve_agent(key).await?;
        let detail = state.store.agent_detail(&agent.id).await?;
        names.extend(detail.credentials.into_iter().map(|c| c.id));
        names.push(agent.id);
    }
    let select = AuditSelect {
        after: q.after,
        count,
        newest,
        names,
    };
    Ok(Json(state.store.audit_select(&select).await?))
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
