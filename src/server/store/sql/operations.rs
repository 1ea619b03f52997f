//! Durable operations: recorded with their planned steps before anything
//! runs, each step marked as it completes, so a restart can finish them.

use super::rows::{self, OPERATION_COLS, now_ms, to_json, to_ms};
use super::tx::{append_audit, not_found};
use crate::model::*;
use crate::server::store::db::{Db, OptionalExt, params};
use crate::server::store::{Actor, StepAudit, StoreError, StoreResult};

pub fn get(conn: &Db, id: &str) -> StoreResult<Operation> {
    conn.query_row(
        &format!("SELECT {OPERATION_COLS} FROM operations WHERE id = ?1"),
        params![id],
        rows::operation,
    )
    .optional()?
    .ok_or_else(|| not_found("operation", id))
}

pub fn begin(tx: &Db, actor: &Actor, op: &Operation) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO operations (id, kind, target, actor, reason, status, steps, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7)",
        params![
            op.id,
            op.kind,
            op.target,
            op.actor,
            op.reason,
            to_json(&op.steps),
            to_ms(op.created_at)
        ],
    )?;
    append_audit(
        tx,
        actor,
        &format!("{}.start", op.kind),
        &format!("{} ({})", op.target, op.id),
        Some(&op.reason),
        &format!("planned {} steps", op.steps.len()),
    )?;
    Ok(())
}

pub fn update_step(
    tx: &Db,
    op_id: &str,
    index: usize,
    status: StepStatus,
    detail: &str,
    audit: Option<&StepAudit>,
) -> StoreResult<()> {
    let mut op = get(tx, op_id)?;
    let step = op
        .steps
        .get_mut(index)
        .ok_or_else(|| StoreError::Internal(format!("operation {op_id} has no step {index}")))?;
    step.status = status;
    step.detail = detail.to_string();
    tx.execute(
        "UPDATE operations SET steps = ?2 WHERE id = ?1",
        params![op_id, to_json(&op.steps)],
    )?;
    if let Some(a) = audit {
        append_audit(
            tx,
            &a.actor,
            &a.action,
            &format!("{} ({op_id})", a.target),
            Some(&op.reason),
            &format!("{status}: {detail}"),
        )?;
    }
    Ok(())
}

pub fn finish(
    tx: &Db,
    actor: &Actor,
    op_id: &str,
    status: OperationStatus,
) -> StoreResult<Operation> {
    let op = get(tx, op_id)?;
    tx.execute(
        "UPDATE operations SET status = ?2, finished_at = ?3 WHERE id = ?1",
        params![op_id, status.as_str(), now_ms()],
    )?;
    let summary = op
        .steps
        .iter()
        .map(|s| format!("{} {}", s.name, s.status))
        .collect::<Vec<_>>()
        .join(", ");
    append_audit(
        tx,
        actor,
        &op.kind,
        &format!("{} ({})", op.target, op.id),
        Some(&op.reason),
        &format!("{status}: {summary}"),
    )?;
    get(tx, op_id)
}

pub fn unfinished(conn: &Db) -> StoreResult<Vec<Operation>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OPERATION_COLS} FROM operations WHERE finished_at IS NULL ORDER BY created_at"
    ))?;
    let v = stmt
        .query_map(params![], rows::operation)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// The newest finished kill's step `step` for `agent_id`: its status.
/// Operations are few (one per kill), so they are read newest first until
/// one names the agent.
pub fn last_step_status(conn: &Db, agent_id: &str, step: &str) -> StoreResult<Option<StepStatus>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OPERATION_COLS} FROM operations \
         WHERE kind = 'agent.kill' AND finished_at IS NOT NULL ORDER BY created_at DESC"
    ))?;
    let ops: Vec<Operation> = stmt
        .query_map(params![], rows::operation)?
        .collect::<Result<_, _>>()?;
    Ok(ops.iter().find_map(|op| {
        op.steps
            .iter()
            .find(|s| s.name == step && s.agent_id == agent_id)
            .map(|s| s.status)
    }))
}
