//! OAuth 2.0 for agent chains (issue #17): RFC 8693 token exchange at
//! `POST /v1/oauth/token` ([`exchange`]), the JWT access tokens it issues
//! ([`jwt`]) and their signing keys ([`keys`], published at
//! `/.well-known/jwks.json`), the check that ends every token derived
//! from a revoked, suspended or killed link at once ([`chain`]), and RFC
//! 7009 revocation of one token and those exchanged from it ([`revoke`]).

pub mod chain;
pub mod errors;
pub mod exchange;
pub mod jwt;
pub mod keys;
pub mod revoke;
pub mod wire;

use crate::api::Reason;
use crate::server::AppState;
use crate::server::auth::Admin;
use crate::server::error::{ApiError, ApiResult};
use crate::server::routes::Body;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use serde_json::{Value, json};

/// Where the JWK Set is served, outside API v1 (no token: verifiers
/// fetch it on their own).
pub const JWKS_PATH: &str = "/.well-known/jwks.json";

pub async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    // Verifiers may cache it briefly; a rotation keeps the old key
    // published far longer than that.
    (
        [(CACHE_CONTROL, "public, max-age=300")],
        Json(state.token_keys.jwks()),
    )
}

/// `POST /v1/oauth/keys/rotate`: a new signing key from now on; the old
/// one stays in the JWKS until its last token has expired.
pub async fn rotate(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Value>> {
    let reason = crate::server::routes::require_reason(&body.reason)?;
    let (kid, retired) = match state.token_keys.rotate() {
        Ok(rotated) => rotated,
        Err(e) => {
            state
                .store
                .audit_key_rotation(&actor, "-", reason, &format!("refused: {e}"))
                .await?;
            return Err(ApiError::new(StatusCode::CONFLICT, "rotation_refused", e));
        }
    };
    // The key is already in use: an audit write that fails now must say so.
    if let Err(e) = state
        .store
        .audit_key_rotation(&actor, &kid, reason, &format!("ok, retired {retired}"))
        .await
    {
        tracing::error!(actor = %actor.label, %kid, %retired, error = %e,
            "rotated the access-token signing key but could not audit it");
        return Err(e.into());
    }
    tracing::info!(actor = %actor.label, %kid, %retired, "rotated the access-token signing key");
    Ok(Json(
        json!({"kid": kid, "retired_kid": retired, "jwks": state.token_keys.jwks()}),
    ))
}
