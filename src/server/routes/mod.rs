//! The HTTP routes of API v1: one table that both builds the router and
//! lists the routes (so the OpenAPI document can be checked against it),
//! and the JSON extractors that turn bad input into the contract's errors.

mod actions;
mod agent_api;
mod agents;
mod audit;
mod audit_stream;
mod catch_up;
mod directory;
mod discoveries;
mod feed;
mod guardrails;
mod limits;
pub mod snapshot;
mod snooze;

use crate::server::error::{ApiError, ApiResult};
use crate::server::{AppState, metrics};
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::routing::{MethodRouter, delete, get, post};
use serde::de::DeserializeOwned;
use tower_http::compression::CompressionLayer;

/// Large enough for a batch of 10,000 events.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

fn table() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        ("GET", "/v1/health", get(directory::health)),
        ("GET", "/v1/whoami", get(directory::whoami)),
        ("POST", "/v1/tokens", post(directory::create_token)),
        ("GET", "/v1/tokens", get(directory::list_tokens)),
        ("DELETE", "/v1/tokens/{id}", delete(directory::revoke_token)),
        ("POST", "/v1/people", post(directory::create_person)),
        ("GET", "/v1/people", get(directory::list_people)),
        (
            "POST",
            "/v1/people/{id}/offboard",
            post(directory::offboard),
        ),
        ("POST", "/v1/agents", post(agents::create)),
        ("GET", "/v1/agents", get(agents::list)),
        ("GET", "/v1/agents/{id}", get(agents::detail)),
        (
            "POST",
            "/v1/agents/{id}/credentials",
            post(agents::issue_credential),
        ),
        ("POST", "/v1/agents/{id}/grants", post(agents::add_grant)),
        (
            "DELETE",
            "/v1/agents/{id}/grants/{grant}",
            delete(agents::remove_grant),
        ),
        ("POST", "/v1/delegations", post(agents::delegate)),
        ("POST", "/v1/agents/{id}/owner", post(actions::owner)),
        ("POST", "/v1/agents/{id}/suspend", post(actions::suspend)),
        ("POST", "/v1/agents/{id}/resume", post(actions::resume)),
        ("POST", "/v1/agents/{id}/kill", post(actions::kill)),
        ("POST", "/v1/credentials/{id}/revoke", post(actions::revoke)),
        ("POST", "/v1/credentials/{id}/rotate", post(actions::rotate)),
        ("POST", "/v1/discoveries", post(discoveries::report)),
        ("POST", "/v1/introspect", post(agent_api::introspect)),
        ("POST", "/v1/agent/heartbeat", post(agent_api::heartbeat)),
        ("POST", "/v1/agent/events", post(agent_api::events)),
        ("GET", "/v1/alerts", get(feed::alerts)),
        ("GET", "/v1/alerts/{id}", get(feed::alert)),
        ("POST", "/v1/alerts/{id}/ack", post(actions::ack)),
        ("POST", "/v1/alerts/{id}/snooze", post(snooze::snooze)),
        ("POST", "/v1/alerts/{id}/unsnooze", post(snooze::unsnooze)),
        ("GET", "/v1/triage", get(feed::triage)),
        ("GET", "/v1/changes", get(feed::changes)),
        ("GET", "/v1/credentials", get(feed::credentials)),
        ("GET", "/v1/audit", get(audit::audit)),
        ("GET", "/v1/audit/verify", get(audit::audit_verify)),
        ("GET", "/v1/audit/checkpoints", get(audit::checkpoints)),
        ("GET", "/v1/openapi.json", get(feed::openapi)),
        (
            "POST",
            "/v1/oauth/token",
            post(crate::server::oauth::exchange::token),
        ),
        (
            "POST",
            "/v1/oauth/keys/rotate",
            post(crate::server::oauth::rotate),
        ),
        (
            "POST",
            "/v1/oauth/revoke",
            post(crate::server::oauth::revoke::revoke),
        ),
        ("GET", "/v1/guardrails", get(guardrails::list)),
        ("POST", "/v1/guardrails/{id}/stop", post(guardrails::stop)),
        ("POST", "/v1/guardrails/{id}/run", post(guardrails::run)),
    ]
}

/// Every (method, path) the router serves, in axum's `{param}` syntax (the
/// same as OpenAPI's).
pub fn registered_routes() -> Vec<(&'static str, &'static str)> {
    table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// Routes outside API v1: not JSON, not in the OpenAPI document.
pub const METRICS_PATH: &str = "/metrics";

pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in table() {
        router = router.route(path, handler);
    }
    router
        .route(METRICS_PATH, get(metrics::scrape))
        .route(
            crate::server::oauth::JWKS_PATH,
            get(crate::server::oauth::jwks),
        )
        .fallback(|| async { ApiError::not_found("no such route; see GET /v1/openapi.json") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method; see GET /v1/openapi.json",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::require_sink,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::server::rules::scheduler::after_action,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Inside the compression, so a request is timed to its answer's
        // head whatever the encoding; every route and the fallback pass
        // here, each with the path it matched.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        // gzip when the client accepts it (answers of 32 bytes or more): a
        // full changes feed is JSON that shrinks about tenfold. The fastest
        // level: a first sync of 100k agents is about 180 MB of JSON, and at
        // the default level compressing it would take longer than sending
        // it over a fast network.
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .with_state(state)
}

/// A JSON body whose rejection is a contract error: broken JSON is 400, JSON
/// of the wrong shape is 422, each with serde's account of what is wrong.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> ApiResult<Self> {
        // The bytes are kept: serde stops at the first problem it meets, so
        // a truncated document can first fail as one of the wrong shape
        // (an unknown field before the cut), and is still broken JSON.
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(body_refused)?;
        limits::check(&bytes)?;
        let mut again = Request::new(axum::body::Body::from(bytes.clone()));
        *again.headers_mut() = headers;
        match axum::Json::<T>::from_request(again, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                if let Err(syntax) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                    return Err(ApiError::bad_request(format!(
                        "the body is not valid JSON: {syntax}"
                    )));
                }
                Err(ApiError::unprocessable(format!(
                    "the body does not fit: {}",
                    e.body_text().trim_start_matches(
                        "Failed to deserialize the JSON body into the target type: "
                    )
                )))
            }
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::bad_request(format!(
                "the body is not valid JSON: {}",
                e.body_text()
            ))),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::bad_request(
                "send the body as JSON with `Content-Type: application/json`",
            )),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// Why a body could not be read: too large (413), too slow (408), or cut.
fn body_refused(e: axum::extract::rejection::BytesRejection) -> ApiError {
    use axum::http::StatusCode;
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the body is larger than {} MiB; send less at once (event batches: at most 10,000 events)",
                BODY_LIMIT / (1024 * 1024)
            ),
        );
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(late) = err.downcast_ref::<crate::server::conn::BodyTimedOut>() {
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                late.to_string(),
            );
        }
        source = err.source();
    }
    ApiError::bad_request(e.body_text())
}

/// Query parameters whose rejection is a 400 in the contract's shape.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(ApiError::bad_request(e.body_text()))
            }
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// Actions that change what an agent may do need a reason, for the audit.
pub fn require_reason(reason: &str) -> ApiResult<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ApiError::unprocessable(
            "a reason is required; it is written to the audit chain",
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(ApiError::unprocessable(
            "the reason is longer than 1000 characters",
        ));
    }
    crate::server::text_policy::check("reason", reason, crate::server::text_policy::Kind::Text)
        .map_err(ApiError::unprocessable)?;
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_unique() {
        let routes = registered_routes();
        let mut seen = std::collections::BTreeSet::new();
        for r in &routes {
            assert!(seen.insert(*r), "duplicate route {r:?}");
        }
        assert!(routes.len() >= 27);
    }
}
