//! Reading routes for clients that keep a copy: the changes feed (with
//! long-poll), alerts, the ownership triage queue, and the OpenAPI
//! document. The audit trail's routes are in `audit`.

use super::Query;
use super::snapshot::Kept;
use crate::api::{Changes, TriageReport, lean};
use crate::model::Alert;
use crate::server::auth::Viewer;
use crate::server::error::{ApiError, ApiResult};
use crate::server::metrics::ChangesPath;
use crate::server::{AppState, openapi, triage};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
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
    /// `full` (the default), `summary` or `lean`.
    form: Option<String>,
}

/// `?form=`: every credential and grant in full, or counted per agent
/// (`summary`; `lean`: the first answer only, see [`crate::api::lean`]).
#[derive(Clone, Copy, PartialEq)]
enum Form {
    Full,
    Summary,
    Lean,
}

impl Form {
    fn parse(form: Option<&str>) -> ApiResult<Form> {
        match form {
            None | Some("full") => Ok(Form::Full),
            Some("summary") => Ok(Form::Summary),
            Some(lean::FORM) => Ok(Form::Lean),
            Some(other) => Err(ApiError::bad_request(format!(
                "form {other:?} is not known: `full` (the default: every credential and grant), \
                 `summary` (counted per agent in `summaries`) or `lean` (the first answer \
                 only, since=0: counts inside each agent, times in milliseconds, alerts \
                 without their evidence)"
            ))),
        }
    }
}

pub async fn changes(
    State(state): State<AppState>,
    _: Viewer,
    headers: HeaderMap,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Response> {
    if q.wait > MAX_WAIT_SECONDS {
        return Err(ApiError::bad_request(format!(
            "wait is at most {MAX_WAIT_SECONDS} seconds"
        )));
    }
    let form = Form::parse(q.form.as_deref())?;
    if form == Form::Lean && q.since != 0 {
        return Err(ApiError::bad_request(format!(
            "form=lean is a first answer only (since=0); ask the changes after cursor {} \
             with form=summary",
            q.since
        )));
    }
    let kept = match form {
        Form::Lean => Some(Kept::Lean),
        Form::Summary if q.since <= 0 => Some(Kept::Summary),
        _ => None,
    };
    if let Some(kept) = kept {
        // Everyone's first answer is the same: kept, not read again.
        state.metrics.changes_answered(ChangesPath::Store);
        let answer = state.snapshots.get(&state, kept).await?;
        // Kept compressed: the compression layer leaves an answer that
        // already says its encoding alone.
        let gzip = headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
        let mut response = if gzip {
            let encoding = [(header::CONTENT_ENCODING, "gzip")];
            (encoding, answer.gzip()?).into_response()
        } else {
            answer.json.clone().into_response()
        };
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if kept == Kept::Lean {
            h.insert(lean::FORM_HEADER, HeaderValue::from_static(lean::FORM));
        }
        return Ok(response);
    }
    Ok(Json(answer(&state, q.since, q.wait, form).await?).into_response())
}

async fn answer(state: &AppState, since: i64, wait: u64, form: Form) -> ApiResult<Changes> {
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
        let first = read_changes(state, since, form).await?;
        if wait == 0 || first.full || !first.is_empty() {
            return Ok(first);
        }
        Some(first)
    };
    let nothing = |first: Option<Changes>| {
        if first.is_none() {
            state.metrics.changes_answered(ChangesPath::Unchanged);
        }
        first.unwrap_or_else(|| nothing_since(since, form))
    };
    if wait == 0 {
        return Ok(nothing(first));
    }
    // An empty answer from the store may still move the cursor (revisions
    // taken by writes the feed does not carry): wait for one past it.
    let watermark = first.as_ref().map_or(since, |f| f.cursor.max(since));
    let woke = tokio::time::timeout(Duration::from_secs(wait), async {
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
    read_changes(state, since, form).await
}

async fn read_changes(state: &AppState, since: i64, form: Form) -> ApiResult<Changes> {
    state.metrics.changes_answered(ChangesPath::Store);
    Ok(match form {
        Form::Full => state.store.changes(since).await?,
        Form::Summary | Form::Lean => state.store.changes_summary(since).await?,
    })
}

/// The answer when nothing changed after `since`: the same cursor back.
fn nothing_since(since: i64, form: Form) -> Changes {
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
        summary: form != Form::Full,
        summaries: Vec::new(),
    }
}

/// The most credentials one page of `GET /v1/credentials` answers.
pub const MAX_CREDENTIAL_PAGE: usize = 50_000;

#[derive(Deserialize)]
pub struct CredentialsQuery {
    after: Option<String>,
    limit: Option<usize>,
}

/// `GET /v1/credentials`: every credential, for a client that syncs in the
/// summary form and lists them all (the dashboard's credentials view);
/// with `limit`, a keyset page of them after `after`, by id.
pub async fn credentials(
    State(state): State<AppState>,
    _: Viewer,
    Query(q): Query<CredentialsQuery>,
) -> ApiResult<Json<Vec<crate::model::Credential>>> {
    let after = q.after.unwrap_or_default();
    let limit = match q.limit {
        None => usize::MAX,
        Some(limit) if limit == 0 || limit > MAX_CREDENTIAL_PAGE => {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {MAX_CREDENTIAL_PAGE} (or absent, for every credential)"
            )));
        }
        Some(limit) => limit,
    };
    Ok(Json(state.store.credentials(after, limit).await?))
}

pub async fn alerts(State(state): State<AppState>, _: Viewer) -> ApiResult<Json<Vec<Alert>>> {
    Ok(Json(state.store.list_alerts().await?))
}

/// `GET /v1/alerts/{id}`: one alert in full, evidence and all (what the
/// lean first sync leaves out).
pub async fn alert(
    State(state): State<AppState>,
    _: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Json<Alert>> {
    Ok(Json(state.store.alert(&id).await?))
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
