//! People.

use super::rows::{self, PERSON_COLS, now_ms};
use super::tx::{append_audit, next_rev, not_found};
use crate::api::NewPerson;
use crate::model::*;
use crate::secrets::new_id;
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, StoreError, StoreResult};

/// By id, then by email (case-insensitive).
pub fn resolve(conn: &Db, key: &str) -> StoreResult<Person> {
    conn.query_row(
        &format!(
            "SELECT {PERSON_COLS} FROM people WHERE id = ?1 OR lower(email) = lower(?1) LIMIT 1"
        ),
        params![key],
        rows::person,
    )
    .optional()?
    .ok_or_else(|| not_found("person", key))
}

/// A person named inside a request body: missing is the body's fault (422).
pub fn referenced(conn: &Db, key: &str, role: &str) -> StoreResult<Person> {
    resolve(conn, key).map_err(|e| match e {
        StoreError::NotFound(_) => StoreError::Invalid(format!(
            "{role} {key:?} is not a known person (give an id or email)"
        )),
        other => other,
    })
}

pub fn list(conn: &Db) -> StoreResult<Vec<Person>> {
    Ok(conn.query_map(
        &format!("SELECT {PERSON_COLS} FROM people ORDER BY name, id"),
        params![],
        rows::person,
    )?)
}

pub fn create(tx: &Db, actor: &Actor, new: &NewPerson) -> StoreResult<Person> {
    let name = new.name.trim();
    let email = new.email.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a person needs a name".into()));
    }
    use crate::server::text_policy::{Kind, check};
    check("name", name, Kind::Name).map_err(StoreError::Invalid)?;
    check("email", email, Kind::Line).map_err(StoreError::Invalid)?;
    if let Some(team) = &new.team {
        check("team", team, Kind::Line).map_err(StoreError::Invalid)?;
    }
    if !email.contains('@') || email.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid(format!(
            "{email:?} is not an email address"
        )));
    }
    if resolve(tx, email).is_ok() {
        return Err(StoreError::Conflict(format!(
            "a person with email {email} already exists"
        )));
    }
    let manager = match new.manager.as_deref() {
        Some(m) => Some(referenced(tx, m, "manager")?.id),
        None => None,
    };
    let id = new_id("per");
    let rev = next_rev(tx)?;
    tx.execute(
        "INSERT INTO people (id, name, email, team, manager_id, status, created_at, rev) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?7)",
        params![id, name, email, new.team, manager, now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "person.create",
        &format!("{id} ({email})"),
        None,
        "ok",
    )?;
    resolve(tx, &id)
}

pub fn offboard(tx: &Db, actor: &Actor, key: &str, reason: &str) -> StoreResult<Person> {
    let person = resolve(tx, key)?;
    if person.status == PersonStatus::Departed {
        return Ok(person);
    }
    let rev = next_rev(tx)?;
    tx.execute(
        "UPDATE people SET status = 'departed', departed_at = ?2, rev = ?3 WHERE id = ?1",
        params![person.id, now_ms(), rev],
    )?;
    append_audit(
        tx,
        actor,
        "person.offboard",
        &format!("{} ({})", person.id, person.email),
        Some(reason),
        "ok",
    )?;
    resolve(tx, &person.id)
}
