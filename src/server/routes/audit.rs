//! The audit trail's routes: reading it (`GET /v1/audit`, as one JSON
//! array or, streamed, one event a line: see `audit_stream`), verifying it
//! against its signed checkpoints (`GET /v1/audit/verify`), and the
//! checkpoints themselves (`GET /v1/audit/checkpoints`).

use super::Query;
use super::audit_stream;
use crate::api::{AuditCheckpoints, AuditQuery, AuditVerification};
use crate::server::AppState;
use crate::server::audit::Verifier;
use crate::server::audit::export::Format;
use crate::server::auth::Viewer;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::{AuditFilter, AuditSelect};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

/// Most entries one answer holds.
const MAX_AUDIT: usize = 10_000;
/// Entries an answer holds when the caller says neither `limit` nor `tail`.
const DEFAULT_AUDIT: usize = 1000;

pub async fn audit(
    State(state): State<AppState>,
    _: Viewer,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Response> {
    let format = match q.format.as_deref() {
        Some(f) => Some(f.parse::<Format>().map_err(ApiError::bad_request)?),
        None => wants_ndjson(&headers).then_some(Format::Jsonl),
    };
    // A stream has no size to cap: it is read from the database a page
    // at a time.
    let cap = if format.is_some() {
        usize::MAX
    } else {
        MAX_AUDIT
    };
    let (count, newest) = match (q.limit, q.tail) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give limit (the first entries) or tail (the last), not both",
            ));
        }
        (_, Some(n)) => (n, true),
        (Some(n), None) => (n, false),
        (None, None) if format.is_some() => (usize::MAX, false),
        (None, None) => (DEFAULT_AUDIT, false),
    };
    let max = if newest { MAX_AUDIT } else { cap };
    if count == 0 || count > max {
        return Err(ApiError::bad_request(format!(
            "{} must be between 1 and {MAX_AUDIT}",
            if newest { "tail" } else { "limit" }
        )));
    }
    if q.since.zip(q.until).is_some_and(|(s, u)| s >= u) {
        return Err(ApiError::bad_request("since must be before until"));
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
    let filter = AuditFilter {
        actor: non_empty(q.actor, "actor")?,
        action: non_empty(q.action, "action")?,
        since_ms: q.since.map(|t| t.timestamp_millis()),
        until_ms: q.until.map(|t| t.timestamp_millis()),
    };
    let select = AuditSelect {
        after: q.after,
        count,
        newest,
        names,
        filter,
    };
    match format {
        Some(format) => audit_stream::answer(&state, select, format).await,
        None => Ok(Json(state.store.audit_select(&select).await?).into_response()),
    }
}

fn non_empty(v: Option<String>, name: &str) -> ApiResult<Option<String>> {
    match v.map(|s| s.trim().to_string()) {
        Some(s) if s.is_empty() => Err(ApiError::bad_request(format!("{name} needs a value"))),
        v => Ok(v),
    }
}

/// `Accept: application/x-ndjson` (or `application/jsonl`) asks for lines.
fn wants_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.split(';').next().unwrap_or("").trim();
            t.eq_ignore_ascii_case("application/x-ndjson")
                || t.eq_ignore_ascii_case("application/jsonl")
        })
}

pub async fn audit_verify(
    State(state): State<AppState>,
    _: Viewer,
) -> ApiResult<Json<AuditVerification>> {
    let verifier = match &state.checkpoints {
        Some(cps) => {
            let (all, bad) = cps.file.read().map_err(|e| {
                ApiError::internal(format!("cannot read {}: {e}", cps.file.path.display()))
            })?;
            if let Some(b) = bad.first() {
                return Ok(Json(AuditVerification {
                    ok: false,
                    entries: 0,
                    first_bad: None,
                    problem: Some(format!(
                        "line {} of the checkpoint file is not a checkpoint: {}",
                        b.line, b.why
                    )),
                    attack: Some("bad_checkpoint".into()),
                    checkpoints: Some(all.len() as i64),
                }));
            }
            Verifier::with_checkpoints(all, &cps.trusted)
        }
        None => Verifier::default(),
    };
    Ok(Json(state.store.audit_verify(verifier).await?))
}

/// This server's signed checkpoints and the chain's head now, for a
/// verifier that does not trust the server (`warden audit verify
/// --checkpoints`).
pub async fn checkpoints(
    State(state): State<AppState>,
    _: Viewer,
) -> ApiResult<Json<AuditCheckpoints>> {
    let head = state.store.audit_head().await?;
    let (key, checkpoints) = match &state.checkpoints {
        Some(cps) => {
            let (all, _) = cps.file.read().map_err(|e| {
                ApiError::internal(format!("cannot read {}: {e}", cps.file.path.display()))
            })?;
            (Some(cps.key.public_hex().to_string()), all)
        }
        None => (None, Vec::new()),
    };
    Ok(Json(AuditCheckpoints {
        key,
        head_seq: head.seq,
        rev: head.rev,
        checkpoints,
    }))
}

/// `[serve] require_sink`: while that sink is failing, every action (a
/// request that changes something) is refused with 503 before it runs, so
/// nothing happens that the SIEM would not see. Reads go on, and so does
/// the agents' own API (heartbeats, events, introspection), which audits
/// nothing: refusing it would stop the fleet, not an operator.
pub async fn require_sink(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(name) = state.config.require_sink.as_deref() else {
        return next.run(req).await;
    };
    let method = req.method();
    let reads = method == axum::http::Method::GET
        || method == axum::http::Method::HEAD
        || method == axum::http::Method::OPTIONS;
    let path = req.uri().path();
    let agent_api = path.starts_with("/v1/agent/") || path == "/v1/introspect";
    if reads || agent_api {
        return next.run(req).await;
    }
    match state.sinks.iter().find(|s| s.name == name) {
        Some(sink) if !sink.is_up() => {
            let why = sink.last_error().unwrap_or_else(|| "it is failing".into());
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "audit_sink_down",
                format!(
                    "refused: the audit sink {name:?} is not taking the audit trail ({why}), and \
                     this server takes no action it cannot audit there ([serve] require_sink); \
                     nothing was changed"
                ),
            )
            .into_response()
        }
        _ => next.run(req).await,
    }
}
