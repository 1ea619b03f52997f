//! Many rows into one table at once, the fastest way each database takes
//! them: SQLite a prepared multi-row `INSERT` (one statement step for
//! [`SQLITE_ROWS`] rows instead of one each), PostgreSQL a binary `COPY`
//! (one stream, no round trip per row). How a fleet of a million agents is
//! seeded; everything else writes a row at a time.

use super::{Db, DbError, DbResult, Inner};
use std::borrow::Cow;

/// One value of a bulk row, borrowed from the caller's records where it
/// can be: a million-agent import would otherwise copy every string once
/// more on its way to the database.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Text(Cow<'a, str>),
}

impl<'a> Cell<'a> {
    pub fn text(s: &'a str) -> Cell<'a> {
        Cell::Text(Cow::Borrowed(s))
    }

    pub fn opt_text(s: Option<&'a str>) -> Cell<'a> {
        s.map_or(Cell::Null, Cell::text)
    }

    pub fn owned(s: String) -> Cell<'a> {
        Cell::Text(Cow::Owned(s))
    }

    pub fn opt_int(i: Option<i64>) -> Cell<'a> {
        i.map_or(Cell::Null, Cell::Int)
    }
}

impl rusqlite::ToSql for Cell<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Cell::Null => ValueRef::Null,
            Cell::Int(i) => ValueRef::Integer(*i),
            Cell::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

impl postgres::types::ToSql for Cell<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Cell::Null => Ok(postgres::types::IsNull::Yes),
            Cell::Int(i) => i.to_sql(ty, out),
            Cell::Text(s) => s.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(ty: &postgres::types::Type) -> bool {
        use postgres::types::Type;
        matches!(*ty, Type::INT8 | Type::TEXT)
    }

    postgres::types::to_sql_checked!();
}

/// A column's type, which PostgreSQL's binary `COPY` needs up front (NULLs
/// carry none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Int,
}

/// A table to fill and its columns, in the order each row gives them.
#[derive(Debug)]
pub struct BulkTable<'t> {
    pub name: &'t str,
    pub columns: &'t [(&'t str, ColumnType)],
}

/// Rows per SQLite `INSERT`: large enough that a statement step is rare,
/// small enough to stay far under SQLite's 32,766 parameters with every
/// table's columns.
const SQLITE_ROWS: usize = 128;

impl Db<'_> {
    /// Writes every row of `rows` into `table`, calling `wrote` after each;
    /// answers how many. A row with the wrong number of values is an error,
    /// and nothing is written past it (the caller's transaction undoes the
    /// rest).
    pub fn insert_rows(
        &self,
        table: &BulkTable,
        rows: &mut dyn Iterator<Item = Vec<Cell<'_>>>,
        wrote: &mut dyn FnMut(),
    ) -> DbResult<usize> {
        match &self.inner {
            Inner::Sqlite(c) => sqlite_insert(c, table, rows, wrote),
            Inner::Pg(tx) => tx.borrow_mut().copy_in(table, rows, wrote),
        }
    }
}

fn check_width(table: &BulkTable, row: &[Cell]) -> DbResult<()> {
    if row.len() == table.columns.len() {
        return Ok(());
    }
    Err(DbError::Other(format!(
        "a row of {} values for the {} columns of {}",
        row.len(),
        table.columns.len(),
        table.name
    )))
}

/// `INSERT INTO name (a, b) VALUES (?, ?), (?, ?)…` for `rows` rows.
fn insert_sql(table: &BulkTable, rows: usize) -> String {
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
    let one = format!("({})", vec!["?"; names.len()].join(", "));
    format!(
        "INSERT INTO {} ({}) VALUES {}",
        table.name,
        names.join(", "),
        vec![one.as_str(); rows].join(", ")
    )
}

fn sqlite_insert(
    conn: &rusqlite::Connection,
    table: &BulkTable,
    rows: &mut dyn Iterator<Item = Vec<Cell<'_>>>,
    wrote: &mut dyn FnMut(),
) -> DbResult<usize> {
    let width = table.columns.len();
    let mut full = conn.prepare(&insert_sql(table, SQLITE_ROWS))?;
    let mut chunk: Vec<Vec<Cell>> = Vec::with_capacity(SQLITE_ROWS);
    let mut written = 0;
    let mut flush = |chunk: &mut Vec<Vec<Cell>>, wrote: &mut dyn FnMut()| -> DbResult<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        let values = chunk.iter().flatten();
        if chunk.len() == SQLITE_ROWS {
            full.execute(rusqlite::params_from_iter(values))?;
        } else {
            conn.prepare(&insert_sql(table, chunk.len()))?
                .execute(rusqlite::params_from_iter(values))?;
        }
        for _ in chunk.iter() {
            wrote();
        }
        written += chunk.len();
        chunk.clear();
        Ok(())
    };
    for row in rows {
        check_width(table, &row)?;
        debug_assert_eq!(row.len(), width);
        chunk.push(row);
        if chunk.len() == SQLITE_ROWS {
            flush(&mut chunk, wrote)?;
        }
    }
    flush(&mut chunk, wrote)?;
    Ok(written)
}

impl super::pg::PgTx<'_> {
    /// `COPY name (a, b) FROM STDIN (FORMAT binary)`, one row at a time.
    fn copy_in(
        &mut self,
        table: &BulkTable,
        rows: &mut dyn Iterator<Item = Vec<Cell<'_>>>,
        wrote: &mut dyn FnMut(),
    ) -> DbResult<usize> {
        use postgres::binary_copy::BinaryCopyInWriter;
        use postgres::types::{ToSql, Type};
        let names: Vec<&str> = table.columns.iter().map(|(n, _)| *n).collect();
        let types: Vec<Type> = table
            .columns
            .iter()
            .map(|(_, t)| match t {
                ColumnType::Text => Type::TEXT,
                ColumnType::Int => Type::INT8,
            })
            .collect();
        let sql = format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            table.name,
            names.join(", ")
        );
        let mut writer = BinaryCopyInWriter::new(self.tx.copy_in(&sql)?, &types);
        let mut written = 0;
        for row in rows {
            // A short row would make the writer panic.
            check_width(table, &row)?;
            let refs: Vec<&(dyn ToSql + Sync)> =
                row.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
            writer.write(&refs)?;
            written += 1;
            wrote();
        }
        writer.finish()?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: BulkTable = BulkTable {
        name: "t",
        columns: &[("id", ColumnType::Int), ("name", ColumnType::Text)],
    };

    #[test]
    fn sqlite_takes_full_chunks_and_the_rest() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let db = Db::sqlite(&c);
        db.execute_batch("CREATE TABLE t (id INTEGER, name TEXT)")
            .unwrap();
        let n = SQLITE_ROWS * 2 + 5;
        let mut rows = (0..n).map(|i| {
            vec![
                Cell::Int(i as i64),
                if i % 3 == 0 {
                    Cell::Null
                } else {
                    Cell::owned(format!("n{i}"))
                },
            ]
        });
        let mut told = 0;
        let wrote = db.insert_rows(&T, &mut rows, &mut || told += 1).unwrap();
        assert_eq!((wrote, told), (n, n));
        let (count, nulls, last): (i64, i64, String) = db
            .query_row(
                "SELECT count(*), count(*) - count(name), \
                 (SELECT name FROM t ORDER BY id DESC LIMIT 1) FROM t",
                crate::params![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((count as usize, nulls as usize), (n, n.div_ceil(3)));
        assert_eq!(last, format!("n{}", n - 1));
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let db = Db::sqlite(&c);
        db.execute_batch("CREATE TABLE t (id INTEGER, name TEXT)")
            .unwrap();
        let mut rows = vec![vec![Cell::Int(1)]].into_iter();
        let e = db.insert_rows(&T, &mut rows, &mut || {}).unwrap_err();
        assert!(
            e.to_string().contains("1 values for the 2 columns of t"),
            "{e}"
        );
    }
}
