//! Who is calling: the bearer secret turned into a [`Caller`], and the
//! checks each route makes of it (a role for person tokens, a live agent
//! for agent credentials).

use crate::api::TokenStatus;
use crate::model::{Agent, AgentStatus, Credential, CredentialStatus, PersonStatus, Role};
use crate::secrets;
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::rules;
use crate::server::store::{Actor, Principal, TokenRecord};
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing token: send `Authorization: Bearer TOKEN`")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("malformed Authorization header: expected `Bearer TOKEN`")
            })?;
        if crate::server::oauth::jwt::looks_like_jwt(token) {
            return exchanged(state, token).await;
        }
        match state.store.authenticate(&secrets::hash(token)).await? {
            Some(Principal::Person(t)) if t.revoked.is_some() => Err(token_revoked(&t)),
            Some(Principal::Person(t)) if t.status(Utc::now()) == TokenStatus::Expired => {
                Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "token_expired",
                    format!(
                        "token {} ({:?}) expired at {}; ask an admin for a new one",
                        t.id,
                        t.name,
                        t.expires_at
                            .map(|e| e.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                            .unwrap_or_default()
                    ),
                ))
            }
            // A person who has left the company keeps no access.
            Some(Principal::Person(t))
                if t.person
                    .as_ref()
                    .is_some_and(|p| p.status == PersonStatus::Departed) =>
            {
                Err(ApiError::unauthorized(format!(
                    "token {:?} speaks for a person who has left the company",
                    t.name
                )))
            }
            Some(p) => Ok(Caller(p)),
            None => Err(ApiError::unauthorized("unknown token")),
        }
    }
}

/// An exchanged access token speaks for the agent it was issued to, as
/// long as every link of its chain is live; a dead link refuses it at once.
async fn exchanged(state: &AppState, token: &str) -> ApiResult<Caller> {
    match crate::server::oauth::chain::check(state, token).await? {
        Ok((_, chain)) => chain
            .links
            .iter()
            .rev()
            .find(|(_, a)| a.id == chain.record.actor_agent)
            .map(|(credential, agent)| {
                Caller(Principal::Agent {
                    credential: credential.clone(),
                    agent: agent.clone(),
                })
            })
            .ok_or_else(|| ApiError::unauthorized("the token's agent no longer exists")),
        Err(why) => {
            let code = match why.reason {
                "expired" => "token_expired",
                "invalid" | "unknown" => "unauthorized",
                _ => "token_revoked",
            };
            Err(ApiError::new(StatusCode::UNAUTHORIZED, code, why.detail))
        }
    }
}

/// Why a revoked person token is refused: when, by whom, why.
fn token_revoked(t: &TokenRecord) -> ApiError {
    let (at, by, reason) = t.revoked.clone().unwrap_or_default();
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "token_revoked",
        format!(
            "token {} ({:?}) was revoked at {} by {by}: {reason}",
            t.id,
            t.name,
            at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
    )
}

/// The label written into the audit chain for a person token.
pub fn actor_of(t: &TokenRecord) -> Actor {
    match &t.person {
        Some(p) => Actor::new(format!("{} (token {})", p.email, t.name)),
        None => Actor::new(format!("token:{}", t.name)),
    }
}

impl Caller {
    /// A person token of at least `min`; agents are refused.
    pub fn require(&self, min: Role) -> ApiResult<(&TokenRecord, Actor)> {
        match &self.0 {
            Principal::Agent { .. } => Err(ApiError::forbidden(format!(
                "agent credentials may only report heartbeats and events; this needs a person token with the {min} role"
            ))),
            Principal::Person(t) if t.role < min => Err(ApiError::forbidden(format!(
                "this needs the {min} role; token {:?} is a {}",
                t.name, t.role
            ))),
            Principal::Person(t) => Ok((t, actor_of(t))),
        }
    }

    /// An agent credential that may act now. A refusal says why; a
    /// suspended or killed agent that keeps trying raises rule R18.
    pub async fn require_live_agent(&self, state: &AppState) -> ApiResult<(Agent, Credential)> {
        let (credential, agent) = match &self.0 {
            Principal::Person(_) => {
                return Err(ApiError::forbidden(
                    "this endpoint takes an agent credential, not a person token",
                ));
            }
            Principal::Agent { credential, agent } => (credential, agent),
        };
        let refusal = refusal(agent, credential);
        if let Some(err) = refusal {
            if matches!(agent.status, AgentStatus::Suspended | AgentStatus::Killed) {
                rules::killed_but_trying(state, agent, credential).await;
            }
            return Err(err);
        }
        Ok((agent.clone(), credential.clone()))
    }
}

/// Why this credential may not act now, if it may not.
pub fn refusal(agent: &Agent, credential: &Credential) -> Option<ApiError> {
    match agent.status {
        AgentStatus::Killed => {
            return Some(ApiError::new(
                StatusCode::FORBIDDEN,
                "agent_killed",
                format!("agent {} was killed; its credentials are refused", agent.id),
            ));
        }
        AgentStatus::Suspended => {
            return Some(ApiError::new(
                StatusCode::FORBIDDEN,
                "agent_suspended",
                format!(
                    "agent {} is suspended; its credentials are refused until it is resumed",
                    agent.id
                ),
            ));
        }
        AgentStatus::Active | AgentStatus::Dormant => {}
    }
    match credential.status {
        CredentialStatus::Revoked => Some(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "credential_revoked",
            format!(
                "credential {} was revoked: {}",
                credential.id,
                credential
                    .revoked_reason
                    .as_deref()
                    .unwrap_or("no reason recorded")
            ),
        )),
        CredentialStatus::Expired => Some(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "credential_expired",
            match &credential.replaced_by {
                Some(new) => format!(
                    "credential {} has expired: it was rotated, and its grace period is over; \
                     the agent must use the secret of its replacement, {new}",
                    credential.id
                ),
                None => format!("credential {} has expired", credential.id),
            },
        )),
        CredentialStatus::Active => None,
    }
}

/// Extractors that refuse a caller below a role before the body is even
/// read, so a viewer gets 403 whatever it sent.
macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        pub struct $name(pub Actor);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
                let caller = Caller::from_request_parts(parts, state).await?;
                let (_, actor) = caller.require($role)?;
                Ok($name(actor))
            }
        }
    };
}

role_extractor!(
    /// Any person token: reads.
    Viewer,
    Role::Viewer
);
role_extractor!(
    /// Acts on agents, credentials and alerts.
    Responder,
    Role::Responder
);
role_extractor!(
    /// Registers people, agents, tokens, credentials, grants, delegations.
    Admin,
    Role::Admin
);

/// Introspects tokens (RFC 7662): a resource token, or any person token
/// that reads.
pub struct Introspector(pub Actor);

impl FromRequestParts<AppState> for Introspector {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if let Principal::Person(t) = &caller.0
            && t.role == Role::Resource
        {
            return Ok(Introspector(actor_of(t)));
        }
        let (_, actor) = caller.require(Role::Viewer).map_err(|_| {
            ApiError::forbidden(
                "introspection needs a person token with the resource role or one that reads (viewer and up)",
            )
        })?;
        Ok(Introspector(actor))
    }
}

/// Records delegations: an admin, or a person token that speaks for a
/// person (who may delegate only in their own name, checked with the
/// body). Others are refused before the body is read.
pub struct Delegator {
    pub actor: Actor,
    /// The person of the caller's token, when the caller is not an admin.
    pub person: Option<crate::model::Person>,
}

impl FromRequestParts<AppState> for Delegator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        match caller.require(Role::Admin) {
            Ok((_, actor)) => Ok(Delegator {
                actor,
                person: None,
            }),
            Err(refused) => match &caller.0 {
                Principal::Person(t) if t.role >= Role::Viewer && t.person.is_some() => {
                    Ok(Delegator {
                        actor: actor_of(t),
                        person: t.person.clone(),
                    })
                }
                _ => Err(refused),
            },
        }
    }
}

/// Reports discovery findings: a discoverer token, or an admin's.
pub struct Discoverer(pub Actor);

impl FromRequestParts<AppState> for Discoverer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if let Principal::Person(t) = &caller.0
            && t.role == Role::Discoverer
        {
            return Ok(Discoverer(actor_of(t)));
        }
        let (_, actor) = caller.require(Role::Admin).map_err(|_| {
            ApiError::forbidden(
                "reporting discoveries needs a person token with the discoverer or admin role",
            )
        })?;
        Ok(Discoverer(actor))
    }
}
