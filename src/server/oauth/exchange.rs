//! `POST /v1/oauth/token`: RFC 8693 token exchange. The acting agent
//! presents its own credential (`actor_token`) and the token it acts on
//! (`subject_token`: a person's token, an agent credential, or a token
//! issued here before); it gets a short-lived JWT access token whose
//! scopes are what it asked for within the subject's and the recorded
//! delegation's, whose `act` names every agent of the chain, and which
//! never outlives the subject. Asking for more, or for a chain deeper
//! than `max_chain_depth`, is refused and raises R14.

use super::chain;
use super::errors::{OAuthError, no_store};
use super::jwt::{self, Act, Claims};
use crate::model::{Agent, Credential, PersonStatus};
use crate::secrets;
use crate::server::auth::refusal;
use crate::server::store::{Actor, ExchangeRecord, Principal};
use crate::server::{AppState, rules};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
/// Fifteen minutes, unless `[serve] token_ttl_seconds` says otherwise.
pub const DEFAULT_TTL_SECONDS: u64 = 900;
/// The longest life `[serve] token_ttl_seconds` may give (one hour).
pub const MAX_TTL_SECONDS: u64 = 3600;

/// The form's parameters; RFC 6749 §3.2 allows each at most once.
struct Params(Vec<(String, String)>);

impl Params {
    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect()
    }

    fn one(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        match self.all(name).as_slice() {
            [] => Ok(None),
            [v] => Ok(Some(v)),
            _ => Err(OAuthError::request(format!(
                "{name} is given more than once"
            ))),
        }
    }

    fn required(&self, name: &str, what: &str) -> Result<&str, OAuthError> {
        self.one(name)?
            .ok_or_else(|| OAuthError::request(format!("{name} is missing: {what}")))
    }
}

/// The token the actor acts on, as checked.
enum Subject {
    Person {
        token_id: String,
        person_id: String,
        label: String,
        expires_at: Option<DateTime<Utc>>,
    },
    Agent {
        credential: Credential,
        agent: Agent,
    },
    Derived {
        claims: Claims,
        record: ExchangeRecord,
    },
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    match exchange(&state, &headers, form).await {
        Ok(body) => no_store(StatusCode::OK, body),
        Err(e) => e.into_response(),
    }
}

fn issuer(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(iss) = &state.config.token_issuer {
        return iss.clone();
    }
    let scheme = if state.config.tls_cert.is_some() {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

async fn exchange(
    state: &AppState,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Value, OAuthError> {
    let Form(pairs) = form.map_err(|e| {
        OAuthError::request(format!(
            "send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded): {}",
            e.body_text()
        ))
    })?;
    let p = Params(pairs);
    match p.one("grant_type")? {
        Some(GRANT_TYPE) => {}
        Some(other) => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                format!(
                    "grant_type {other:?} is not served here; this endpoint does token exchange ({GRANT_TYPE})"
                ),
            ));
        }
        None => {
            return Err(OAuthError::request(format!(
                "grant_type is missing; send {GRANT_TYPE}"
            )));
        }
    }
    let subject_token = p.required("subject_token", "the token the actor acts on")?;
    let subject_type = p.required("subject_token_type", ACCESS_TOKEN)?;
    if subject_type != ACCESS_TOKEN && subject_type != JWT {
        return Err(OAuthError::request(format!(
            "subject_token_type {subject_type:?} is not accepted; send {ACCESS_TOKEN} or {JWT}"
        )));
    }
    match p.one("requested_token_type")? {
        None | Some(ACCESS_TOKEN) | Some(JWT) => {}
        Some(other) => {
            return Err(OAuthError::request(format!(
                "requested_token_type {other:?} is not issued here; this server issues JWT access tokens ({ACCESS_TOKEN})"
            )));
        }
    }
    let actor_token = p.required(
        "actor_token",
        "the acting agent's own credential (this server issues delegation tokens, never impersonation)",
    )?;
    match p.one("actor_token_type")? {
        Some(ACCESS_TOKEN) => {}
        Some(other) => {
            return Err(OAuthError::request(format!(
                "actor_token_type {other:?} is not accepted; the actor is an agent credential ({ACCESS_TOKEN})"
            )));
        }
        None => {
            return Err(OAuthError::request(format!(
                "actor_token_type is missing; it is required with actor_token (RFC 8693 §2.1): {ACCESS_TOKEN}"
            )));
        }
    }
    let (actor_credential, actor) = acting_agent(state, actor_token).await?;
    if let Some(id) = p.one("client_id")?
        && id != actor.id
        && id != actor.name
        && id != actor_credential.id
    {
        return Err(OAuthError::new(
            "invalid_client",
            format!(
                "client_id {id:?} is not the agent of actor_token ({})",
                actor.id
            ),
        ));
    }
    let mut audience: Vec<String> = p.all("audience").into_iter().map(String::from).collect();
    for r in p.all("resource") {
        if !(r.contains("://") || r.starts_with("urn:")) || r.contains('#') {
            return Err(OAuthError::new(
                "invalid_target",
                format!("resource {r:?} is not an absolute URI without a fragment (RFC 8707)"),
            ));
        }
        audience.push(r.to_string());
    }
    let requested: Option<Vec<String>> = p
        .one("scope")?
        .map(|s| s.split_whitespace().map(String::from).collect());
    let subject = subject_of(state, subject_token, subject_type).await?;
    issue(
        state,
        headers,
        subject,
        actor,
        actor_credential,
        audience,
        requested,
    )
    .await
}

async fn acting_agent(state: &AppState, token: &str) -> Result<(Credential, Agent), OAuthError> {
    match state
        .store
        .authenticate(&secrets::hash(token.trim()))
        .await?
    {
        Some(Principal::Agent { credential, agent }) => {
            if let Some(why) = refusal(&agent, &credential) {
                if matches!(
                    agent.status,
                    crate::model::AgentStatus::Suspended | crate::model::AgentStatus::Killed
                ) {
                    rules::killed_but_trying(state, &agent, &credential).await;
                }
                return Err(OAuthError::request(format!(
                    "actor_token is refused ({}): {}",
                    why.code, why.message
                )));
            }
            Ok((credential, agent))
        }
        Some(Principal::Person(_)) => Err(OAuthError::request(
            "actor_token is a person's token; the actor must be an agent credential",
        )),
        None => Err(OAuthError::request(
            "actor_token is not a credential this server issued",
        )),
    }
}

async fn subject_of(state: &AppState, token: &str, kind: &str) -> Result<Subject, OAuthError> {
    if jwt::looks_like_jwt(token) {
        return match chain::check(state, token).await? {
            Ok((claims, chain)) => Ok(Subject::Derived {
                claims,
                record: chain.record,
            }),
            Err(why) => Err(OAuthError::request(format!(
                "subject_token is not active ({}): {}",
                why.reason, why.detail
            ))),
        };
    }
    if kind == JWT {
        return Err(OAuthError::request(
            "subject_token_type says jwt, but subject_token is not one",
        ));
    }
    match state
        .store
        .authenticate(&secrets::hash(token.trim()))
        .await?
    {
        Some(Principal::Person(t)) => {
            let Some(person) = t.person.clone() else {
                return Err(OAuthError::request(format!(
                    "subject_token {:?} speaks for no person; a chain starts with the token of the person who delegated",
                    t.name
                )));
            };
            if t.revoked.is_some() || t.expires_at.is_some_and(|e| e <= Utc::now()) {
                return Err(OAuthError::request(format!(
                    "subject_token {:?} is revoked or expired",
                    t.name
                )));
            }
            if person.status == PersonStatus::Departed {
                return Err(OAuthError::request(format!(
                    "subject_token speaks for {}, who has left the company",
                    person.email
                )));
            }
            Ok(Subject::Person {
                token_id: t.id,
                person_id: person.id,
                label: person.email,
                expires_at: t.expires_at,
            })
        }
        Some(Principal::Agent { credential, agent }) => {
            if let Some(why) = refusal(&agent, &credential) {
                return Err(OAuthError::request(format!(
                    "subject_token is refused ({}): {}",
                    why.code, why.message
                )));
            }
            Ok(Subject::Agent { credential, agent })
        }
        None => Err(OAuthError::request(
            "subject_token is not a token this server issued",
        )),
    }
}

/// What the chain so far contributes to the new token.
struct Basis {
    sub: String,
    subject_kind: &'static str,
    /// Who holds the subject now: whose delegation to the actor counts.
    holder: Option<(bool, String)>,
    /// The person at the start of the chain, if a person started it.
    person: Option<String>,
    label: String,
    prior: Vec<String>,
    credentials: Vec<String>,
    person_token: Option<String>,
    parent_jti: Option<String>,
    /// The subject's scopes; None when a person's delegation decides.
    scopes: Option<Vec<String>>,
    expires_at: Option<DateTime<Utc>>,
}

fn basis(subject: Subject, actor: &Agent) -> Basis {
    match subject {
        Subject::Person {
            token_id,
            person_id,
            label,
            expires_at,
        } => Basis {
            sub: person_id.clone(),
            subject_kind: "person",
            holder: Some((false, person_id.clone())),
            person: Some(person_id),
            label,
            prior: Vec::new(),
            credentials: Vec::new(),
            person_token: Some(token_id),
            parent_jti: None,
            scopes: None,
            expires_at,
        },
        Subject::Agent { credential, agent } => Basis {
            sub: agent.id.clone(),
            subject_kind: "agent",
            // An agent exchanging its own credential only narrows it.
            holder: (agent.id != actor.id).then(|| (true, agent.id.clone())),
            person: None,
            label: format!("{} ({})", agent.name, agent.id),
            prior: Vec::new(),
            credentials: vec![credential.id],
            person_token: None,
            parent_jti: None,
            scopes: Some(credential.scopes),
            expires_at: credential.expires_at,
        },
        Subject::Derived { claims, record } => Basis {
            holder: Some((true, record.actor_agent.clone())),
            person: (record.subject_kind == "person").then(|| record.sub.clone()),
            subject_kind: if record.subject_kind == "person" {
                "person"
            } else {
                "agent"
            },
            label: record.sub.clone(),
            sub: record.sub,
            prior: record.act_chain,
            credentials: record.credentials,
            person_token: record.person_token,
            parent_jti: Some(record.jti),
            scopes: Some(claims.scope.split_whitespace().map(String::from).collect()),
            expires_at: DateTime::from_timestamp(claims.exp, 0),
        },
    }
}

async fn issue(
    state: &AppState,
    headers: &HeaderMap,
    subject: Subject,
    actor: Agent,
    actor_credential: Credential,
    audience: Vec<String>,
    requested: Option<Vec<String>>,
) -> Result<Value, OAuthError> {
    let b = basis(subject, &actor);
    let mut act_chain = b.prior.clone();
    if b.holder.is_some() {
        act_chain.push(actor.id.clone());
    }
    let shown_chain = std::iter::once(b.label.clone())
        .chain(act_chain.iter().cloned())
        .collect::<Vec<_>>()
        .join(" → ");
    // Agents in the chain: the actors, and the subject when it is an agent.
    let depth = act_chain.len() + usize::from(b.subject_kind == "agent");
    let limit = state.config.rules.max_chain_depth;
    if depth > limit {
        rules::exchange_refused(
            state,
            &actor,
            format!(
                "{} asked for a token at the end of a chain of {depth} agents",
                actor.name
            ),
            format!(
                "token exchange refused: chain of {depth} agents (limit {limit}): {shown_chain}"
            ),
        )
        .await;
        return Err(OAuthError::request(format!(
            "the chain would be {depth} agents deep; the limit is {limit} (max_chain_depth): {shown_chain}"
        )));
    }
    let allowed: BTreeSet<String> = match &b.holder {
        None => b.scopes.clone().unwrap_or_default().into_iter().collect(),
        Some((is_agent, holder)) => {
            let delegated: BTreeSet<String> = state
                .store
                .delegations_to(&actor.id)
                .await?
                .into_iter()
                .filter(|d| {
                    if *is_agent {
                        d.parent_agent.as_deref() == Some(holder.as_str())
                            && (d.on_behalf_of.is_none() || d.on_behalf_of == b.person)
                    } else {
                        d.parent_person.as_deref() == Some(holder.as_str())
                    }
                })
                .flat_map(|d| d.scopes)
                .collect();
            if delegated.is_empty() {
                return Err(OAuthError::request(format!(
                    "no delegation from {} to {} ({}) is recorded; record one first (POST /v1/delegations)",
                    if *is_agent {
                        holder.as_str()
                    } else {
                        b.label.as_str()
                    },
                    actor.name,
                    actor.id
                )));
            }
            match &b.scopes {
                Some(held) => held
                    .iter()
                    .filter(|s| delegated.contains(*s))
                    .cloned()
                    .collect(),
                None => delegated,
            }
        }
    };
    let scopes: Vec<String> = match requested {
        None => allowed.iter().cloned().collect(),
        Some(asked) => {
            let extra: Vec<&str> = asked
                .iter()
                .filter(|s| !allowed.contains(*s))
                .map(String::as_str)
                .collect();
            if !extra.is_empty() {
                rules::exchange_refused(
                    state,
                    &actor,
                    format!(
                        "{} tried to exchange for scopes it was not delegated",
                        actor.name
                    ),
                    format!(
                        "token exchange refused: asked for {} beyond {} along {shown_chain}",
                        extra.join(" "),
                        if allowed.is_empty() {
                            "nothing".to_string()
                        } else {
                            allowed.iter().cloned().collect::<Vec<_>>().join(" ")
                        }
                    ),
                )
                .await;
                return Err(OAuthError::new(
                    "invalid_scope",
                    format!(
                        "{} exceeds what this chain may hold ({}): {shown_chain}",
                        extra.join(" "),
                        allowed.iter().cloned().collect::<Vec<_>>().join(" ")
                    ),
                ));
            }
            let mut asked = asked;
            asked.sort();
            asked.dedup();
            asked
        }
    };
    if scopes.is_empty() {
        return Err(OAuthError::new(
            "invalid_scope",
            format!("the subject and the delegation have no scope in common: {shown_chain}"),
        ));
    }
    let now = Utc::now();
    let ttl = state
        .config
        .token_ttl_seconds
        .unwrap_or(DEFAULT_TTL_SECONDS) as i64;
    let exp = [b.expires_at, actor_credential.expires_at]
        .into_iter()
        .flatten()
        .fold(now + Duration::seconds(ttl), DateTime::min);
    let expires_in = (exp - now).num_seconds();
    if expires_in < 1 {
        return Err(OAuthError::request(
            "the subject_token or actor_token expires now",
        ));
    }
    let iss = issuer(state, headers);
    let audience = if audience.is_empty() {
        vec![iss.clone()]
    } else {
        audience
    };
    let jti = secrets::new_id("tkx");
    let mut credentials = b.credentials;
    if !credentials.contains(&actor_credential.id) {
        credentials.push(actor_credential.id.clone());
    }
    let record = ExchangeRecord {
        jti: jti.clone(),
        sub: b.sub.clone(),
        subject_kind: b.subject_kind.to_string(),
        actor_agent: actor.id.clone(),
        act_chain: act_chain.clone(),
        credentials,
        person_token: b.person_token,
        parent_jti: b.parent_jti,
        scopes: scopes.clone(),
        audience: audience.clone(),
        issued_at: now,
        expires_at: exp,
    };
    let claims = Claims {
        iss,
        sub: b.sub,
        aud: audience,
        exp: exp.timestamp(),
        iat: now.timestamp(),
        nbf: now.timestamp(),
        jti,
        scope: scopes.join(" "),
        client_id: actor.id.clone(),
        act: Act::nest(&act_chain),
    };
    let by = Actor::new(format!(
        "agent {} ({}, credential {})",
        actor.id, actor.name, actor_credential.id
    ));
    state.store.record_exchange(&by, &record).await?;
    Ok(json!({
        "access_token": jwt::encode(&state.token_keys, &claims),
        "issued_token_type": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": claims.scope,
    }))
}
