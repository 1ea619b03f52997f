//! Reading routes for clients that keep a copy: the changes feed (with
//! long-poll), alerts, the ownership triage queue, and the OpenAPI
//! document. The audit trail's routes are in `audit`.

use super::Query;
use crate::api::{Changes, TriageReport};
use crate::model::Alert;
use crate::server::auth::Viewer;
use crate::server::error::{ApiError, ApiResult};
use crate::server::metrics::ChangesPath;
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

pub async fn openapi(_: Viewer) -> Json<serde_json::Value> {
    Json(openapi::document())
}
