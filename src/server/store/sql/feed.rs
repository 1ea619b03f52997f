//! Reading side of the changes feed and the audit chain.

use super::rows::{
    self, AGENT_COLS, ALERT_COLS, AUDIT_COLS, CREDENTIAL_COLS, DELEGATION_COLS, GRANT_COLS,
    PERSON_COLS,
};
use super::tx::current_rev;
use crate::api::{AuditVerification, Changes, Removed};
use crate::model::AuditEntry;
use crate::server::audit::{GENESIS, Verifier};
use crate::server::store::db::{Db, DbResult, OptionalExt, Row, ToValue, Value, params};
use crate::server::store::{AuditFilter, AuditHead, AuditSelect, StoreResult};

fn since<T>(
    conn: &Db,
    cols: &str,
    table: &str,
    rev: i64,
    map: fn(&Row) -> DbResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {cols} FROM {table} WHERE rev > ?1 ORDER BY rev"
    ))?;
    let v = stmt
        .query_map(params![rev], map)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// Everything after `since`, read in one snapshot so the cursor is exact.
pub fn changes(conn: &Db, since_rev: i64) -> StoreResult<Changes> {
    changes_in(conn, since_rev, false)
}

/// The same in the summary form: a full answer without credentials and
/// grants (their per-agent counts instead), a later one with them and the
/// counts of every agent it touches (see [`super::holdings`]).
pub fn changes_summary(conn: &Db, since_rev: i64) -> StoreResult<Changes> {
    changes_in(conn, since_rev, true)
}

fn changes_in(conn: &Db, since_rev: i64, summary: bool) -> StoreResult<Changes> {
    let cursor = current_rev(conn)?;
    // A cursor from the future means the client followed another database
    // (or this one was rebuilt): it must start over.
    let full = since_rev <= 0 || since_rev > cursor;
    let from = if full { 0 } else { since_rev };
    let mut removed_stmt =
        conn.prepare_cached("SELECT kind, id, rev FROM removed WHERE rev > ?1 ORDER BY rev")?;
    let removed = if full {
        Vec::new()
    } else {
        removed_stmt
            .query_map(params![from], |r| {
                Ok(Removed {
                    kind: r.get(0)?,
                    id: r.get(1)?,
                    rev: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?
    };
    // The summary form's first answer counts what each agent holds instead
    // of listing it: the bulk of a fleet's bytes (issue 18).
    let listed = !(summary && full);
    let agents = since(conn, AGENT_COLS, "agents", from, rows::agent)?;
    let summaries = match (summary, full) {
        (false, _) => Vec::new(),
        (true, true) => super::holdings::all(conn)?,
        (true, false) => super::holdings::touched(conn, from, &agents)?,
    };
    Ok(Changes {
        cursor,
        full,
        agents,
        people: since(conn, PERSON_COLS, "people", from, rows::person)?,
        credentials: if listed {
            since(conn, CREDENTIAL_COLS, "credentials", from, rows::credential)?
        } else {
            Vec::new()
        },
        grants: if listed {
            since(conn, GRANT_COLS, "grants", from, rows::grant)?
        } else {
            Vec::new()
        },
        delegations: since(conn, DELEGATION_COLS, "delegations", from, rows::delegation)?,
        alerts: since(conn, ALERT_COLS, "alerts", from, rows::alert)?,
        removed,
        summary,
        summaries,
    })
}

/// Up to `limit` credentials whose id sorts after `after` (all of them
/// from "" and `usize::MAX`), by id: a keyset page, read off the primary
/// key's index, so the millionth costs what the first does.
pub fn credentials(
    conn: &Db,
    after: &str,
    limit: usize,
) -> StoreResult<Vec<crate::model::Credential>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CREDENTIAL_COLS} FROM credentials WHERE id > ?1 ORDER BY id LIMIT ?2"
    ))?;
    let v = stmt
        .query_map(params![after, limit], rows::credential)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub fn audit_after(conn: &Db, after: i64, limit: usize) -> StoreResult<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {AUDIT_COLS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
    ))?;
    let v = stmt
        .query_map(params![after, limit as i64], rows::audit_entry)?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

/// The entries `q` asks for. With names, the database finds the candidates (a
/// target that contains one of them) and the whole-word check is done
/// here, row by row, until `count` have matched.
pub fn audit_select(conn: &Db, q: &AuditSelect) -> StoreResult<Vec<AuditEntry>> {
    let order = if q.newest { "DESC" } else { "ASC" };
    let mut values = vec![Value::Int(q.after)];
    let mut conds = vec!["seq > ?1".to_string()];
    filter_conditions(&q.filter, &mut conds, &mut values);
    let mut out = Vec::new();
    if q.names.is_empty() {
        values.push(Value::Int(q.count as i64));
        let sql = format!(
            "SELECT {AUDIT_COLS} FROM audit WHERE {} ORDER BY seq {order} LIMIT ?{}",
            conds.join(" AND "),
            values.len()
        );
        let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
        let mut stmt = conn.prepare_cached(&sql)?;
        out = stmt
            .query_map(&refs[..], rows::audit_entry)?
            .collect::<Result<_, _>>()?;
    } else {
        let instr = conn.dialect().instr();
        let first = values.len() + 1;
        let any = (0..q.names.len())
            .map(|i| format!("{instr}(target, ?{}) > 0", first + i))
            .collect::<Vec<_>>()
            .join(" OR ");
        let masks = lookalike_names(conn, &q.names)?;
        values.extend(q.names.iter().map(|n| Value::Text(n.clone())));
        let refs: Vec<&dyn ToValue> = values.iter().map(|v| v as &dyn ToValue).collect();
        conn.for_each(
            &format!(
                "SELECT {AUDIT_COLS} FROM audit WHERE {} AND ({any}) ORDER BY seq {order}",
                conds.join(" AND ")
            ),
            &refs,
            |row| {
                let entry = rows::audit_entry(row)?;
                let mut target = entry.target.clone();
                for mask in &masks {
                    target = target.replace(mask.as_str(), "()");
                }
                if q.names.iter().any(|n| names_word(&target, n)) {
                    out.push(entry);
                }
                Ok(out.len() < q.count)
            },
        )?;
    }
    if q.newest {
        out.reverse();
    }
    Ok(out)
}

/// SQL for the who/what/when filters, numbered after `values`. Prefixes
/// are compared with `substr`, which both databases count in characters,
/// so no `LIKE` escaping is needed.
fn filter_conditions(f: &AuditFilter, conds: &mut Vec<String>, values: &mut Vec<Value>) {
    let bind = |v: Value, values: &mut Vec<Value>| {
        values.push(v);
        values.len()
    };
    if let Some(actor) = &f.actor {
        let exact = bind(Value::Text(actor.clone()), values);
        let prefix = format!("{actor} (token ");
        let n = prefix.chars().count();
        let p = bind(Value::Text(prefix), values);
        conds.push(format!(
            "(actor = ?{exact} OR substr(actor, 1, {n}) = ?{p})"
        ));
    }
    if let Some(action) = &f.action {
        let action = action.trim_end_matches('*');
        if action.ends_with('.') {
            let n = action.chars().count();
            let p = bind(Value::Text(action.to_string()), values);
            conds.push(format!("substr(action, 1, {n}) = ?{p}"));
        } else {
            let p = bind(Value::Text(action.to_string()), values);
            conds.push(format!("action = ?{p}"));
        }
    }
    if let Some(ms) = f.since_ms {
        let p = bind(Value::Int(ms), values);
        conds.push(format!("at >= ?{p}"));
    }
    if let Some(ms) = f.until_ms {
        let p = bind(Value::Int(ms), values);
        conds.push(format!("at < ?{p}"));
    }
}

/// `(NAME)` for every agent whose name holds one of `names` as a word, as
/// targets write an agent's name after its id. Such names are refused
/// now; one left from before must not put its agent's entries in the trail
/// of the agent whose id it reads as.
fn lookalike_names(conn: &Db, names: &[String]) -> StoreResult<Vec<String>> {
    let instr = conn.dialect().instr();
    let mut out = Vec::new();
    for n in names {
        conn.for_each(
            &format!("SELECT name FROM agents WHERE {instr}(name, ?1) > 0"),
            params![n],
            |row| {
                let name: String = row.get(0)?;
                if names_word(&name, n) {
                    out.push(format!("({name})"));
                }
                Ok(true)
            },
        )?;
    }
    Ok(out)
}

/// Whether `text` has `word` in it with no id character on either side.
fn names_word(text: &str, word: &str) -> bool {
    let id_char = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            !before.is_some_and(id_char) && !after.is_some_and(id_char)
        })
}

pub fn audit_head(conn: &Db) -> StoreResult<AuditHead> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, hash) = last.unwrap_or_else(|| (0, GENESIS.to_string()));
    Ok(AuditHead {
        seq,
        hash,
        rev: current_rev(conn)?,
    })
}

pub fn audit_verify(conn: &Db, mut verifier: Verifier) -> StoreResult<AuditVerification> {
    let head: i64 = conn.query_row(
        "SELECT value FROM meta WHERE key = 'audit_head'",
        params![],
        |r| r.get(0),
    )?;
    let rev = current_rev(conn)?;
    let mut unreadable = None;
    conn.for_each(
        &format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"),
        params![],
        |row| match rows::audit_entry(row) {
            Ok(e) => {
                verifier.push(&e);
                Ok(true)
            }
            // A row so damaged it does not parse is as bad as a changed one.
            Err(_) => {
                unreadable = Some(row.get::<_, i64>(0).unwrap_or(-1));
                Ok(false)
            }
        },
    )?;
    let mut v = verifier.finish_at(head, Some(rev));
    if let Some(seq) = unreadable
        && (v.ok || v.first_bad.is_some_and(|b| b > seq))
    {
        v.ok = false;
        v.first_bad = Some(seq);
        v.problem = Some(format!("entry {seq} is unreadable"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::names_word;

    #[test]
    fn a_name_counts_only_as_a_whole_word() {
        assert!(names_word("crd_1 of agt_9", "crd_1"));
        assert!(names_word("crd_1 of agt_9", "agt_9"));
        assert!(names_word("agt_9 (bot)", "agt_9"));
        assert!(!names_word("crd_12 of agt_9", "crd_1"));
        assert!(!names_word("xcrd_1 of agt_9", "crd_1"));
        assert!(!names_word("agt_9-b", "agt_9"));
        assert!(names_word("dlg_1: agt_8 (a) -> agt_9 (b)", "agt_9"));
        assert!(!names_word("anything", ""));
    }
}
