//! Health, the caller, person tokens, and the people directory.

use super::{Body, require_reason};
use crate::api::{Health, IssuedToken, NewPerson, NewToken, Reason, WhoAmI};
use crate::model::Person;
use crate::secrets;
use crate::server::AppState;
use crate::server::auth::{Admin, Caller, Viewer};
use crate::server::error::ApiResult;
use crate::server::store::Principal;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

pub async fn whoami(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<WhoAmI>> {
    Ok(Json(match &caller.0 {
        Principal::Person(t) => WhoAmI {
            kind: "person".into(),
            role: Some(t.role),
            name: t.name.clone(),
            person: t.person.clone(),
            agent_id: None,
            credential_id: None,
        },
        Principal::Agent { .. } => {
            let (agent, credential) = caller.require_live_agent(&state).await?;
            WhoAmI {
                kind: "agent".into(),
                role: None,
                name: agent.name,
                person: None,
                agent_id: Some(agent.id),
                credential_id: Some(credential.id),
            }
        }
    }))
}

pub async fn create_token(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Body(new): Body<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let token = secrets::new_person_token();
    let record = state
        .store
        .create_token(
            &actor,
            &new.name,
            new.role,
            new.person.as_deref(),
            &secrets::hash(&token),
            &secrets::display_prefix(&token),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            id: record.id,
            name: record.name,
            role: record.role,
            person: record.person.map(|p| p.id),
            token,
        }),
    ))
}

pub async fn create_person(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Body(new): Body<NewPerson>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    let person = state.store.create_person(&actor, &new).await?;
    Ok((StatusCode::CREATED, Json(person)))
}

pub async fn list_people(State(state): State<AppState>, _: Viewer) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(state.store.list_people().await?))
}

pub async fn offboard(
    State(state): State<AppState>,
    Admin(actor): Admin,
    Path(id): Path<String>,
    Body(body): Body<Reason>,
) -> ApiResult<Json<Person>> {
    let reason = require_reason(&body.reason)?;
    let person = state.store.resolve_person(&id).await?;
    Ok(Json(
        state
            .store
            .offboard_person(&actor, &person.id, reason)
            .await?,
    ))
}
