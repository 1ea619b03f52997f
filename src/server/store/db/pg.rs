//! The PostgreSQL side of the portable layer, over the synchronous
//! `postgres` crate (called only from blocking threads, never from async
//! code). Each statement of the shared SQL is translated once
//! ([`translate`]) and prepared once per connection; [`Value`] binds to
//! whatever type PostgreSQL inferred for the parameter.

use super::{DbError, DbResult, Value};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Statement, Transaction};
use std::collections::HashMap;

/// Prepared statements of one connection, by their shared SQL text.
pub type StatementCache = HashMap<String, Statement>;

/// Rewrites a statement of the shared SQL for PostgreSQL, outside string
/// literals and quoted names: `?N` becomes `$N`; SQLite's planner hints go
/// (`INDEXED BY name` is dropped, and `CROSS JOIN`, which SQLite uses to fix
/// the join order, becomes a plain `JOIN`; every `CROSS JOIN` in the shared
/// SQL has an `ON`).
pub fn translate(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut i = 0;
    let word_at = |i: usize| -> String {
        chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .collect()
    };
    let skip_space = |mut i: usize| {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        i
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                // Copy the literal or quoted name whole ('' and "" escape).
                out.push(c);
                i += 1;
                while i < chars.len() {
                    out.push(chars[i]);
                    if chars[i] == c {
                        if i + 1 < chars.len() && chars[i + 1] == c {
                            out.push(c);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            '?' => {
                out.push('$');
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let preceded_by_word =
                    i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_');
                let word = word_at(i);
                let end = i + word.len();
                if !preceded_by_word && word.eq_ignore_ascii_case("INDEXED") {
                    let j = skip_space(end);
                    let by = word_at(j);
                    if by.eq_ignore_ascii_case("BY") {
                        let k = skip_space(j + by.len());
                        let name = word_at(k);
                        if !name.is_empty() {
                            i = k + name.len();
                            continue;
                        }
                    }
                }
                if !preceded_by_word && word.eq_ignore_ascii_case("CROSS") {
                    let j = skip_space(end);
                    let join = word_at(j);
                    if join.eq_ignore_ascii_case("JOIN") {
                        out.push_str("JOIN");
                        i = j + join.len();
                        continue;
                    }
                }
                out.push_str(&word);
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn error(e: postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let mut m = db.message().to_string();
        if let Some(d) = db.detail() {
            m.push_str(": ");
            m.push_str(d);
        }
        if db.code().code().starts_with("23") {
            return DbError::Constraint(m);
        }
        return DbError::Other(m);
    }
    DbError::Other(e.to_string())
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        error(e)
    }
}

/// A transaction and its connection's statement cache.
pub struct PgTx<'a> {
    pub tx: Transaction<'a>,
    cache: &'a mut StatementCache,
}

impl<'a> PgTx<'a> {
    pub fn new(tx: Transaction<'a>, cache: &'a mut StatementCache) -> Self {
        PgTx { tx, cache }
    }

    pub fn commit(self) -> DbResult<()> {
        Ok(self.tx.commit()?)
    }

    fn statement(&mut self, sql: &str) -> DbResult<Statement> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.tx.prepare(&translate(sql))?;
        self.cache.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    pub fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<usize> {
        let stmt = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let n = self.tx.execute(&stmt, &refs)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.tx.batch_execute(sql)?)
    }

    pub fn for_each(
        &mut self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&postgres::Row) -> DbResult<bool>,
    ) -> DbResult<()> {
        let stmt = self.statement(sql)?;
        let mut rows = self
            .tx
            .query_raw(&stmt, params.iter().map(|v| v as &dyn ToSql))?;
        while let Some(row) = rows.next()? {
            if !f(&row)? {
                break;
            }
        }
        Ok(())
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// A parameter binds to the type PostgreSQL inferred for it: an integer to
/// any integer width (checked), a float or text column, or a boolean; text
/// to text (or, parsed, to a number).
impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => int_to_sql(*i, ty, out),
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    f.to_string().to_sql(&Type::TEXT, out)
                }
                _ => Err(format!("cannot bind a float as {ty}").into()),
            },
            Value::Text(s) => match *ty {
                Type::INT8 | Type::INT4 | Type::INT2 => {
                    let i: i64 = s
                        .parse()
                        .map_err(|_| format!("cannot bind text {s:?} as {ty}"))?;
                    int_to_sql(i, ty, out)
                }
                Type::FLOAT8 => s
                    .parse::<f64>()
                    .map_err(|_| format!("cannot bind text {s:?} as {ty}"))?
                    .to_sql(ty, out),
                _ => s.as_str().to_sql(&Type::TEXT, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn int_to_sql(i: i64, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::INT8 => i.to_sql(ty, out),
        Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
        Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
        Type::FLOAT8 => (i as f64).to_sql(ty, out),
        Type::FLOAT4 => (i as f32).to_sql(ty, out),
        Type::BOOL => (i != 0).to_sql(ty, out),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            i.to_string().to_sql(&Type::TEXT, out)
        }
        _ => Err(format!("cannot bind an integer as {ty}").into()),
    }
}

/// Column `i` as a [`Value`], by the type PostgreSQL gave it.
pub fn column(row: &postgres::Row, i: usize) -> DbResult<Value> {
    let ty = row
        .columns()
        .get(i)
        .ok_or_else(|| DbError::Other(format!("no column {i}")))?
        .type_()
        .clone();
    let conv = |e: postgres::Error| DbError::Conversion(e.to_string());
    let v = match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)
            .map_err(conv)?
            .map(Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)
            .map_err(conv)?
            .map(|v| Value::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)
            .map_err(conv)?
            .map(|v| Value::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)
            .map_err(conv)?
            .map(|v| Value::Int(v.into())),
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(i)
            .map_err(conv)?
            .map(Value::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)
            .map_err(conv)?
            .map(|v| Value::Real(v.into())),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => row
            .try_get::<_, Option<String>>(i)
            .map_err(conv)?
            .map(Value::Text),
        other => {
            return Err(DbError::Conversion(format!(
                "column {i} has type {other}, which the store does not read \
                 (CAST it to BIGINT, DOUBLE PRECISION or TEXT)"
            )));
        }
    };
    Ok(v.unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::translate;
    use super::*;
    use crate::params;
    use crate::server::store::db::{Db, OptionalExt};

    /// Runs `f` in a transaction on `WARDEN_TEST_DATABASE_URL` (rolled
    /// back), or skips without one.
    fn on_postgres(f: impl FnOnce(&Db)) {
        let Ok(url) = std::env::var("WARDEN_TEST_DATABASE_URL") else {
            // CI always runs PostgreSQL (.ci/run), so there a missing one fails.
            assert!(
                std::env::var_os("CI").is_none(),
                "WARDEN_TEST_DATABASE_URL is not set, and CI must test PostgreSQL"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped: set WARDEN_TEST_DATABASE_URL to run on PostgreSQL"
            );
            return;
        };
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut cache = StatementCache::new();
        let tx = client.transaction().unwrap();
        let db = Db::postgres(PgTx::new(tx, &mut cache));
        f(&db);
    }

    #[test]
    fn values_bind_to_the_types_postgres_infers_and_read_back() {
        on_postgres(|db| {
            db.execute_batch(
                "CREATE TEMP TABLE t (id BIGINT, small INTEGER, name TEXT, score DOUBLE PRECISION, \
                 flag BOOLEAN)",
            )
            .unwrap();
            let n = db
                .execute(
                    "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5), (?6, NULL, NULL, NULL, NULL)",
                    params![1i64, 7i64, "it's", 0.5f64, true, 2i64],
                )
                .unwrap();
            assert_eq!(n, 2);
            let row: (i64, u32, String, f64, bool) = db
                .query_row(
                    "SELECT id, small, name, score, flag FROM t WHERE id = ?1",
                    params![1],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get("name")?, r.get(3)?, r.get(4)?)),
                )
                .unwrap();
            assert_eq!(row, (1, 7, "it's".to_string(), 0.5, true));
            // An integer bound where text is expected, and booleans and
            // counts of expressions read as integers.
            let (text, exists, count): (String, bool, i64) = db
                .query_row(
                    "SELECT ?1 || 'x', EXISTS (SELECT 1 FROM t WHERE id = 2), COUNT(*) FROM t",
                    params![5],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            assert_eq!((text.as_str(), exists, count), ("5x", true, 2));
            let none = db
                .query_row("SELECT name FROM t WHERE id = 9", params![], |r| {
                    r.get::<_, Option<String>>(0)
                })
                .optional()
                .unwrap();
            assert_eq!(none, None);
            // A SUM is NUMERIC in PostgreSQL: the error says to cast it.
            let err = db
                .query_row("SELECT SUM(id) FROM t", params![], |r| r.get::<_, i64>(0))
                .unwrap_err();
            assert!(err.to_string().contains("CAST"), "{err}");
            let sum: i64 = db
                .query_row("SELECT CAST(SUM(id) AS BIGINT) FROM t", params![], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(sum, 3);
            // A unique violation is a constraint error.
            db.execute_batch("CREATE UNIQUE INDEX ON t (id)").unwrap();
            let err = db
                .execute("INSERT INTO t (id) VALUES (?1)", params![1])
                .unwrap_err();
            assert!(matches!(err, DbError::Constraint(_)), "{err:?}");
        });
    }

    #[test]
    fn placeholders_become_numbered_dollars() {
        assert_eq!(
            translate("SELECT a FROM t WHERE id = ?1 OR name = ?12"),
            "SELECT a FROM t WHERE id = $1 OR name = $12"
        );
    }

    #[test]
    fn literals_and_quoted_names_are_left_alone() {
        assert_eq!(
            translate("SELECT '?1', 'it''s ?2', \"q?3\" FROM t WHERE x = ?4"),
            "SELECT '?1', 'it''s ?2', \"q?3\" FROM t WHERE x = $4"
        );
        assert_eq!(
            translate("SELECT 'CROSS JOIN INDEXED BY x' FROM t"),
            "SELECT 'CROSS JOIN INDEXED BY x' FROM t"
        );
    }

    #[test]
    fn sqlite_planner_hints_go() {
        assert_eq!(
            translate(
                "FROM agents a INDEXED BY agents_last_active CROSS JOIN credentials c ON c.x = a.y"
            ),
            "FROM agents a  JOIN credentials c ON c.x = a.y"
        );
        assert_eq!(
            translate("FROM a\n  cross\n  join b ON 1 = 1"),
            "FROM a\n  JOIN b ON 1 = 1"
        );
        // Only whole words.
        assert_eq!(
            translate("SELECT across, reindexed FROM t"),
            "SELECT across, reindexed FROM t"
        );
    }
}
