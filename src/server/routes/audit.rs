//! The audit trail's routes: reading it (`GET /v1/audit`), verifying it
//! against its signed checkpoints (`GET /v1/audit/verify`), and the
//! checkpoints themselves (`GET /v1/audit/checkpoints`).

use super::Query;
use crate::api::{AuditCheckpoints, AuditQuery, AuditVerification};
use crate::model::AuditEntry;
use crate::server::AppState;
use crate::server::audit::Verifier;
use crate::server::auth::Viewer;
use crate::server::error::{ApiError, ApiResult};
use crate::server::store::AuditSelect;
use axum::Json;
use axum::extract::State;

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
