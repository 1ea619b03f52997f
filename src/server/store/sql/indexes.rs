//! Setting a table's secondary indexes aside for a bulk load and building
//! them again after it, read from the database's own catalogue so the
//! list never drifts from the migrations. Indexes that back a constraint
//! (primary keys, `UNIQUE`) stay: they are what refuses a duplicate.

use crate::server::store::StoreResult;
use crate::server::store::db::{Db, Dialect, params};

/// An index set aside: its name and the statement that makes it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub name: String,
    pub create: String,
}

/// The secondary indexes of `tables` that back no constraint, sorted by
/// name.
pub fn secondary(tx: &Db, tables: &[&str]) -> StoreResult<Vec<SetAside>> {
    let list = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match tx.dialect() {
        // An index SQLite made for a constraint has no SQL of its own.
        Dialect::Sqlite => format!(
            "SELECT name, sql FROM sqlite_master \
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({list}) ORDER BY name"
        ),
        Dialect::Postgres => format!(
            "SELECT CAST(c.relname AS TEXT), pg_get_indexdef(i.indexrelid) \
             FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_class t ON t.oid = i.indrelid \
             WHERE t.relnamespace = CAST(current_schema() AS regnamespace) \
               AND t.relname IN ({list}) \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
             ORDER BY 1"
        ),
    };
    Ok(tx.query_map(&sql, params![], |r| {
        Ok(SetAside {
            name: r.get(0)?,
            create: r.get(1)?,
        })
    })?)
}

/// Drops the secondary indexes of `tables`; answers them, to
/// [`rebuild`] in the same transaction.
pub fn set_aside(tx: &Db, tables: &[&str]) -> StoreResult<Vec<SetAside>> {
    let found = secondary(tx, tables)?;
    for index in &found {
        tx.execute_batch(&format!("DROP INDEX {}", quoted(&index.name)))?;
    }
    Ok(found)
}

/// Makes the indexes [`set_aside`] answered again.
pub fn rebuild(tx: &Db, indexes: &[SetAside]) -> StoreResult<()> {
    for index in indexes {
        tx.execute_batch(&index.create)?;
    }
    Ok(())
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
