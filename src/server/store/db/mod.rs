//! A small portable SQL layer: one handle, [`Db`], over a SQLite connection
//! or a PostgreSQL transaction, so the store's queries are written once and
//! run on both.
//!
//! The shared SQL is written in the dialect both accept, with SQLite's
//! `?1, ?2…` placeholders. The PostgreSQL side rewrites each statement once
//! (placeholders to `$1…`, SQLite's planner hints dropped, see
//! [`pg::translate`]) and caches the prepared statement per connection.
//! Values cross as [`Value`]: parameters through [`ToValue`] (the
//! [`params!`](crate::params) macro), columns through [`FromValue`]
//! ([`Row::get`]). Where the dialects truly differ the store asks
//! [`Db::dialect`] in one small place.

pub mod bulk;
pub mod pg;

use crate::server::store::StoreError;
use std::cell::RefCell;

/// One SQL value, as both databases hold it. Booleans travel as integers.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Where the second text starts in the first, 0 if not in it: SQLite's
    /// `instr`, PostgreSQL's `strpos` (same arguments).
    pub fn instr(self) -> &'static str {
        match self {
            Dialect::Sqlite => "instr",
            Dialect::Postgres => "strpos",
        }
    }

    /// The scalar larger-of-two function: SQLite's two-argument `MAX`, or
    /// PostgreSQL's `GREATEST`. They differ on NULL (SQLite's answers NULL,
    /// PostgreSQL's ignores it), so callers COALESCE the arguments first.
    pub fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "MAX",
            Dialect::Postgres => "GREATEST",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    /// `query_row` found nothing (see [`OptionalExt::optional`]).
    NoRows,
    /// A unique, foreign-key or check constraint refused the write.
    Constraint(String),
    /// A column could not be read as the type asked for.
    Conversion(String),
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::NoRows => write!(f, "the query returned no rows"),
            DbError::Constraint(m) | DbError::Conversion(m) | DbError::Other(m) => {
                write!(f, "{m}")
            }
        }
    }
}

impl std::error::Error for DbError {}

pub type DbResult<T> = Result<T, DbError>;

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Constraint(m) => {
                StoreError::Conflict(format!("conflicts with an existing record: {m}"))
            }
            other => StoreError::Internal(other.to_string()),
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            rusqlite::Error::QueryReturnedNoRows => DbError::NoRows,
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                DbError::Constraint(e.to_string())
            }
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..) => DbError::Conversion(e.to_string()),
            _ => DbError::Other(e.to_string()),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::from(e).into()
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

/// `query_row(…).optional()`: no row is `None`, not an error.
pub trait OptionalExt<T> {
    fn optional(self) -> DbResult<Option<T>>;
}

impl<T> OptionalExt<T> for DbResult<T> {
    fn optional(self) -> DbResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

// ---- parameters ----

/// A Rust value that can be bound as a parameter.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
int_to_value!(i64, i32, u32, i16, u16, u8, bool);

impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for u64 {
    fn to_value(&self) -> Value {
        Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

/// The parameters of one statement.
pub type Params<'p> = &'p [&'p dyn ToValue];

/// `params![a, b, c]`: the parameters `?1, ?2, ?3` of a statement.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::server::store::db::ToValue]
    };
    ($($x:expr),+ $(,)?) => {
        &[$(&$x as &dyn $crate::server::store::db::ToValue),+] as &[&dyn $crate::server::store::db::ToValue]
    };
}
pub use crate::params;

fn values(params: Params) -> Vec<Value> {
    params.iter().map(|p| p.to_value()).collect()
}

// ---- columns ----

/// A column value read as a Rust type.
pub trait FromValue: Sized {
    fn from_value(v: Value) -> DbResult<Self>;
}

fn wrong(v: &Value, want: &str) -> DbError {
    DbError::Conversion(format!("cannot read {v:?} as {want}"))
}

impl FromValue for Value {
    fn from_value(v: Value) -> DbResult<Self> {
        Ok(v)
    }
}

impl FromValue for i64 {
    fn from_value(v: Value) -> DbResult<Self> {
        match v {
            Value::Int(i) => Ok(i),
            other => Err(wrong(&other, "an integer")),
        }
    }
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> DbResult<Self> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| {
                    DbError::Conversion(format!("{i} is out of range for {}", stringify!($t)))
                })
            }
        }
    )*};
}
int_from_value!(i32, u32, u64, usize);

impl FromValue for f64 {
    fn from_value(v: Value) -> DbResult<Self> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(wrong(&other, "a number")),
        }
    }
}

impl FromValue for bool {
    fn from_value(v: Value) -> DbResult<Self> {
        match v {
            Value::Int(i) => Ok(i != 0),
            other => Err(wrong(&other, "a boolean")),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> DbResult<Self> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(wrong(&other, "text")),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> DbResult<Self> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A column by position or by name.
pub trait RowIndex: Copy {
    fn position(self, names: &mut dyn Iterator<Item = &str>) -> Option<usize>;
    /// The column's name, when it is given by name.
    fn name(&self) -> Option<&str> {
        None
    }
}

impl RowIndex for usize {
    fn position(self, _: &mut dyn Iterator<Item = &str>) -> Option<usize> {
        Some(self)
    }
}

impl RowIndex for &str {
    fn position(self, names: &mut dyn Iterator<Item = &str>) -> Option<usize> {
        let mut names = names;
        Iterator::position(&mut names, |n| n.eq_ignore_ascii_case(self))
    }
    fn name(&self) -> Option<&str> {
        Some(self)
    }
}

/// One result row of either database.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Pg(&'r postgres::Row),
}

impl Row<'_> {
    /// The column `idx` as `T` (the type second, as in rusqlite:
    /// `row.get::<_, i64>(0)`).
    pub fn get<I: RowIndex, T: FromValue>(&self, idx: I) -> DbResult<T> {
        T::from_value(self.value(idx)?)
    }

    pub fn value<I: RowIndex>(&self, idx: I) -> DbResult<Value> {
        match self {
            Row::Sqlite(r) => {
                let v = match idx.name() {
                    Some(name) => r.get_ref(name)?,
                    None => {
                        let i = idx
                            .position(&mut std::iter::empty())
                            .ok_or_else(|| DbError::Other("no such column".into()))?;
                        r.get_ref(i)?
                    }
                };
                Ok(match v {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                    rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                    rusqlite::types::ValueRef::Text(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Blob(_) => {
                        return Err(DbError::Conversion("a blob column".into()));
                    }
                })
            }
            Row::Pg(r) => {
                let i = idx
                    .position(&mut r.columns().iter().map(|c| c.name()))
                    .ok_or_else(|| DbError::Other("no such column".into()))?;
                pg::column(r, i)
            }
        }
    }
}

// ---- the handle ----

/// A connection (SQLite) or a transaction (PostgreSQL) that the store's
/// functions run their statements on. Usable through `&self`, so one
/// function can hand it on to another as rusqlite's `&Connection` is.
pub struct Db<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    Sqlite(&'a rusqlite::Connection),
    Pg(RefCell<pg::PgTx<'a>>),
}

impl<'a> Db<'a> {
    pub fn sqlite(conn: &'a rusqlite::Connection) -> Self {
        Db {
            inner: Inner::Sqlite(conn),
        }
    }

    pub fn postgres(tx: pg::PgTx<'a>) -> Self {
        Db {
            inner: Inner::Pg(RefCell::new(tx)),
        }
    }

    /// The PostgreSQL transaction back, to commit it.
    pub fn into_postgres(self) -> Option<pg::PgTx<'a>> {
        match self.inner {
            Inner::Pg(tx) => Some(tx.into_inner()),
            Inner::Sqlite(_) => None,
        }
    }

    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Pg(_) => Dialect::Postgres,
        }
    }

    /// Runs a statement; answers how many rows it changed.
    pub fn execute(&self, sql: &str, params: Params) -> DbResult<usize> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(values(params)))?)
            }
            Inner::Pg(tx) => tx.borrow_mut().execute(sql, &values(params)),
        }
    }

    /// Several statements with no parameters (schema, settings).
    pub fn execute_batch(&self, sql: &str) -> DbResult<()> {
        match &self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Pg(tx) => tx.borrow_mut().batch(sql),
        }
    }

    /// The first row, mapped; [`DbError::NoRows`] if there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: Params,
        f: impl FnOnce(&Row) -> DbResult<T>,
    ) -> DbResult<T> {
        let mut f = Some(f);
        let mut out = None;
        self.for_each(sql, params, |r| {
            if let Some(f) = f.take() {
                out = Some(f(r)?);
            }
            Ok(false)
        })?;
        out.ok_or(DbError::NoRows)
    }

    /// Every row, mapped.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: Params,
        mut f: impl FnMut(&Row) -> DbResult<T>,
    ) -> DbResult<Vec<T>> {
        let mut out = Vec::new();
        self.for_each(sql, params, |r| {
            out.push(f(r)?);
            Ok(true)
        })?;
        Ok(out)
    }

    /// Calls `f` on each row in turn until it answers false.
    pub fn for_each(
        &self,
        sql: &str,
        params: Params,
        mut f: impl FnMut(&Row) -> DbResult<bool>,
    ) -> DbResult<()> {
        match &self.inner {
            Inner::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(values(params)))?;
                while let Some(r) = rows.next()? {
                    if !f(&Row::Sqlite(r))? {
                        break;
                    }
                }
                Ok(())
            }
            Inner::Pg(tx) => tx
                .borrow_mut()
                .for_each(sql, &values(params), |r| f(&Row::Pg(r))),
        }
    }

    /// A statement to run more than once. Both sides cache the prepared
    /// statement by its text anyway; this only keeps call sites short.
    pub fn prepare_cached<'s>(&'s self, sql: &str) -> DbResult<Stmt<'s, 'a>> {
        Ok(Stmt {
            db: self,
            sql: sql.to_string(),
        })
    }

    /// Runs `f` so that all it reads is one snapshot. A PostgreSQL read
    /// already is one (a repeatable-read transaction), and so is a read on
    /// one of SQLite's readers; on SQLite's bare connection it opens a
    /// deferred transaction around `f`.
    pub fn snapshot<T>(&self, f: impl FnOnce(&Db) -> T) -> DbResult<T> {
        match &self.inner {
            // A reader's connection already reads in one transaction.
            Inner::Sqlite(c) if !c.is_autocommit() => Ok(f(self)),
            Inner::Sqlite(c) => {
                c.execute_batch("BEGIN DEFERRED")?;
                let out = f(self);
                c.execute_batch("COMMIT")?;
                Ok(out)
            }
            Inner::Pg(_) => Ok(f(self)),
        }
    }

    /// Lets foreign keys be checked at commit rather than per statement, so
    /// a bulk insert may name rows that come later in it.
    pub fn defer_foreign_keys(&self) -> DbResult<()> {
        match self.dialect() {
            Dialect::Sqlite => self.execute_batch("PRAGMA defer_foreign_keys = ON"),
            Dialect::Postgres => self.execute_batch("SET CONSTRAINTS ALL DEFERRED"),
        }
    }
}

/// A statement of one [`Db`], by its text.
pub struct Stmt<'s, 'a> {
    db: &'s Db<'a>,
    sql: String,
}

impl Stmt<'_, '_> {
    pub fn execute(&mut self, params: Params) -> DbResult<usize> {
        self.db.execute(&self.sql, params)
    }

    pub fn query_row<T>(
        &mut self,
        params: Params,
        f: impl FnOnce(&Row) -> DbResult<T>,
    ) -> DbResult<T> {
        self.db.query_row(&self.sql, params, f)
    }

    /// Every row, mapped; each mapping's result is kept, as rusqlite's
    /// `query_map` yields them.
    pub fn query_map<T>(
        &mut self,
        params: Params,
        mut f: impl FnMut(&Row) -> DbResult<T>,
    ) -> DbResult<std::vec::IntoIter<DbResult<T>>> {
        let mut out = Vec::new();
        self.db.for_each(&self.sql, params, |r| {
            out.push(f(r));
            Ok(true)
        })?;
        Ok(out.into_iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_convert_both_ways() {
        assert_eq!(5i64.to_value(), Value::Int(5));
        assert_eq!(true.to_value(), Value::Int(1));
        assert_eq!(7usize.to_value(), Value::Int(7));
        assert_eq!("a".to_value(), Value::Text("a".into()));
        assert_eq!(None::<String>.to_value(), Value::Null);
        assert_eq!(Some(2.5f64).to_value(), Value::Real(2.5));
        assert_eq!(i64::from_value(Value::Int(3)), Ok(3));
        assert_eq!(u32::from_value(Value::Int(3)), Ok(3));
        assert!(u32::from_value(Value::Int(-1)).is_err());
        assert!(usize::from_value(Value::Int(-1)).is_err());
        assert_eq!(bool::from_value(Value::Int(2)), Ok(true));
        assert_eq!(f64::from_value(Value::Int(2)), Ok(2.0));
        assert_eq!(Option::<i64>::from_value(Value::Null), Ok(None));
        assert!(i64::from_value(Value::Null).is_err());
        assert!(String::from_value(Value::Int(1)).is_err());
        assert_eq!(
            Option::<String>::from_value(Value::Text("x".into())),
            Ok(Some("x".into()))
        );
    }

    #[test]
    fn sqlite_handle_reads_and_writes() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let db = Db::sqlite(&c);
        db.execute_batch("CREATE TABLE t (id INTEGER, name TEXT, score REAL)")
            .unwrap();
        let n = db
            .execute(
                "INSERT INTO t VALUES (?1, ?2, ?3), (?4, NULL, NULL)",
                params![1i64, "a", 0.5f64, 2i64],
            )
            .unwrap();
        assert_eq!(n, 2);
        let (name, score): (String, f64) = db
            .query_row("SELECT name, score FROM t WHERE id = ?1", params![1], |r| {
                Ok((r.get(0)?, r.get("score")?))
            })
            .unwrap();
        assert_eq!((name.as_str(), score), ("a", 0.5));
        let names: Vec<Option<String>> = db
            .query_map("SELECT name FROM t ORDER BY id", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(names, vec![Some("a".into()), None]);
        let none = db
            .query_row("SELECT id FROM t WHERE id = 9", params![], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
