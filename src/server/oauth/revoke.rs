//! RFC 7009 token revocation at `POST /v1/oauth/revoke`: one exchanged
//! token, and every token exchanged from it, refused from now on. A
//! responder or admin may revoke any; an agent only a token whose chain
//! names it (the one it holds, or one derived from it). Revoking a link of
//! the chain (a credential, an agent, the person's token) still ends every
//! token derived through it; this ends one token and leaves the chain.

use super::errors::{OAuthError, no_store};
use super::jwt;
use crate::model::Role;
use crate::server::AppState;
use crate::server::auth::{Caller, actor_of};
use crate::server::error::ApiError;
use crate::server::store::{Actor, Principal};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The reason written to the audit chain when the request gives none
/// (RFC 7009 clients send only the token).
pub const NO_REASON: &str = "RFC 7009 revocation request (no reason given)";

pub async fn revoke(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    match run(&state, caller, form).await {
        Ok(revoked) => no_store(StatusCode::OK, json!({ "revoked": revoked })),
        Err(e) => e.into_response(),
    }
}

async fn run(
    state: &AppState,
    caller: Result<Caller, ApiError>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Vec<String>, OAuthError> {
    // RFC 7009 §2.1: the client authenticates; here with its bearer token.
    let Caller(principal) = caller.map_err(|e| OAuthError::new("invalid_client", e.message))?;
    let Form(pairs) = form.map_err(|e| {
        OAuthError::request(format!(
            "send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded): {}",
            e.body_text()
        ))
    })?;
    let one = |name: &str| -> Result<Option<&str>, OAuthError> {
        let mut values = pairs
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str());
        match (values.next(), values.next()) {
            (first, None) => Ok(first),
            _ => Err(OAuthError::request(format!(
                "{name} is given more than once"
            ))),
        }
    };
    let token = one("token")?
        .ok_or_else(|| OAuthError::request("token is missing: the access token to revoke"))?
        .trim();
    if let Some(hint) = one("token_type_hint")?
        && hint != "access_token"
    {
        return Err(unsupported(format!(
            "token_type_hint {hint:?}: this server issues no refresh tokens; it revokes access tokens"
        )));
    }
    let reason = one("reason")?.unwrap_or(NO_REASON);
    if !jwt::looks_like_jwt(token) {
        return Err(unsupported(
            "only access tokens issued by token exchange are revoked here; revoke an agent \
             credential with POST /v1/credentials/{id}/revoke and a person token with \
             POST /v1/tokens/{id}/revoke",
        ));
    }
    // §2.2: a token that is not ours, or no longer valid, needs nothing.
    let Ok(claims) = jwt::verify(&state.token_keys, token) else {
        return Ok(Vec::new());
    };
    let Some(chain) = state.store.exchange_state(&claims.jti).await? else {
        return Ok(Vec::new());
    };
    let actor = match &principal {
        Principal::Person(t) if t.role >= Role::Responder => actor_of(t),
        Principal::Person(t) => {
            return Err(refused(format!(
                "revoking another's token needs the responder role; token {:?} is a {}",
                t.name, t.role
            )));
        }
        Principal::Agent { agent, credential } => {
            let r = &chain.record;
            if r.sub != agent.id && !r.act_chain.contains(&agent.id) {
                return Err(refused(format!(
                    "agent {} is not in the chain of token {}; it may revoke only tokens that name it",
                    agent.name, r.jti
                )));
            }
            Actor::new(format!(
                "agent {} ({}, credential {})",
                agent.id, agent.name, credential.id
            ))
        }
    };
    Ok(state
        .store
        .revoke_exchange(&actor, &claims.jti, reason, chrono::Utc::now())
        .await?)
}

fn unsupported(description: impl Into<String>) -> OAuthError {
    OAuthError::new("unsupported_token_type", description)
}

fn refused(description: String) -> OAuthError {
    OAuthError {
        status: StatusCode::FORBIDDEN,
        error: "unauthorized_client",
        description,
    }
}
