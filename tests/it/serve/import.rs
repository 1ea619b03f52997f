//! The bulk import (`Store::import`: how `warden demo` and `warden bench`
//! seed their fleet) writes exactly the rows a plain insert of each row
//! writes, on SQLite and on PostgreSQL: the same five tables, row for row,
//! the same indexes afterwards (they are set aside and built again when
//! the fleet was empty), an audit chain that verifies, and the progress it
//! tells on the way. PostgreSQL runs only with `WARDEN_TEST_DATABASE_URL`.

use crate::support::server::*;
use std::sync::{Arc, Mutex};
use warden::config::ServeConfig;
use warden::demo::fleet;
use warden::model::CredentialStatus;
use warden::server::store::db::{Db, params};
use warden::server::store::{Actor, Import, ImportProgress, ImportStage};

const TABLES: [&str; 5] = ["people", "agents", "credentials", "grants", "delegations"];

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// A fleet big enough that each table takes several multi-row statements.
fn generated(agents: usize, seed: u64) -> Import {
    fleet::generate(agents, seed, now()).import
}

fn fresh_sqlite() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    // Opening migrates it.
    warden::server::open_store(&format!("sqlite:{}", path.display())).unwrap();
    (dir, Database::Sqlite(path))
}

fn fresh_pg() -> Database {
    let db = PgDatabase::create();
    warden::server::open_store(&db.url).unwrap();
    Database::Postgres(db)
}

fn url(database: &Database) -> String {
    match database {
        Database::Sqlite(path) => format!("sqlite:{}", path.display()),
        Database::Postgres(db) => db.url.clone(),
    }
}

/// The rows of the import's tables, as text, each table in a fixed order.
fn fleet_rows(database: &Database) -> String {
    let dump = match database {
        Database::Sqlite(path) => dump_db(&open_db(path)),
        Database::Postgres(db) => db.with_client(dump_pg),
    };
    // In the order of their text, as `dump_pg` answers them: the same
    // rows in whatever order they went in.
    let mut rows = dump
        .lines()
        .filter(|l| TABLES.iter().any(|t| l.starts_with(&format!("{t}: "))))
        .collect::<Vec<_>>();
    rows.sort_unstable();
    rows.join("\n")
}

/// The indexes of the import's tables: what a bulk import must leave as
/// it found them.
fn indexes(database: &Database) -> Vec<String> {
    let list = TABLES.map(|t| format!("'{t}'")).join(", ");
    let sql = match database {
        Database::Sqlite(_) => format!(
            "SELECT name || ' ' || COALESCE(sql, '') FROM sqlite_master \
             WHERE type = 'index' AND tbl_name IN ({list}) ORDER BY 1"
        ),
        Database::Postgres(_) => format!(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename IN ({list}) ORDER BY 1"
        ),
    };
    with_database(database, |db| {
        db.query_map(&sql, params![], |r| r.get::<_, String>(0))
            .unwrap()
    })
}

/// The reference: each row on its own with a plain `INSERT`, as the
/// import wrote them before it wrote in bulk.
fn insert_row_by_row(db: &Db, i: &Import) {
    let ms = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
    db.execute(
        "UPDATE meta SET value = value + 1 WHERE key = 'rev'",
        params![],
    )
    .unwrap();
    let rev = 1i64;
    db.defer_foreign_keys().unwrap();
    for p in &i.people {
        db.execute(
            "INSERT INTO people (id, name, email, team, manager_id, status, created_at, \
             departed_at, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                p.id,
                p.name,
                p.email,
                p.team,
                p.manager,
                p.status.as_str(),
                ms(p.created_at),
                p.departed_at.map(ms),
                rev
            ],
        )
        .unwrap();
    }
    for a in &i.agents {
        db.execute(
            "INSERT INTO agents (id, name, kind, environment, owner_id, description, runtime, \
             labels, status, created_by, created_at, updated_at, last_seen_at, rev, skeleton) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                a.id,
                a.name,
                a.kind.as_str(),
                a.environment,
                a.owner,
                a.description,
                a.runtime,
                json(&a.labels),
                a.status.as_str(),
                a.created_by,
                ms(a.created_at),
                ms(a.updated_at),
                a.last_seen_at.map(ms),
                rev,
                warden::server::text_policy::skeleton(&a.name)
            ],
        )
        .unwrap();
    }
    for (c, hash) in &i.credentials {
        let status = if c.status == CredentialStatus::Revoked {
            "revoked"
        } else {
            "active"
        };
        db.execute(
            "INSERT INTO credentials (id, agent_id, hash, prefix, scopes, issued_at, expires_at, \
             last_used_at, status, revoked_at, revoked_reason, replaced_by, rev) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                c.id,
                c.agent_id,
                hash,
                c.prefix,
                json(&c.scopes),
                ms(c.issued_at),
                c.expires_at.map(ms),
                c.last_used_at.map(ms),
                status,
                c.revoked_at.map(ms),
                c.revoked_reason,
                c.replaced_by,
                rev
            ],
        )
        .unwrap();
    }
    for g in &i.grants {
        db.execute(
            "INSERT INTO grants (id, agent_id, resource, scope, level, granted_at, \
             last_used_at, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                g.id,
                g.agent_id,
                g.resource,
                g.scope,
                g.level.as_str(),
                ms(g.granted_at),
                g.last_used_at.map(ms),
                rev
            ],
        )
        .unwrap();
    }
    for d in &i.delegations {
        db.execute(
            "INSERT INTO delegations (id, parent_agent, parent_person, child_agent, \
             on_behalf_of, scopes, created_at, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                d.id,
                d.parent_agent,
                d.parent_person,
                d.child_agent,
                d.on_behalf_of,
                json(&d.scopes),
                ms(d.created_at),
                rev
            ],
        )
        .unwrap();
    }
}

/// JSON text of a list or map, as the store writes it.
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}

/// A fleet to import into the first: its own agents (renamed, as the
/// generator's names repeat from fleet to fleet), no people of its own.
fn second_fleet() -> Import {
    let mut i = generated(50, 4);
    i.people.clear();
    i.delegations.clear();
    for a in &mut i.agents {
        a.owner = None;
        a.name = format!("second-{}", a.name);
    }
    i
}

/// Imports `import` into `database` in bulk, answering the stages told.
async fn import(database: &Database, mut import: Import) -> Vec<ImportStage> {
    let told = Arc::new(Mutex::new(Vec::new()));
    let sink = told.clone();
    import.progress = ImportProgress::new(move |s| sink.lock().unwrap().push(s));
    let store = warden::server::open_store(&url(database)).unwrap();
    store.import(&Actor::new("test"), import).await.unwrap();
    told.lock().unwrap().clone()
}

async fn the_bulk_import_writes_what_row_by_row_inserts_write(bulk: Database, reference: Database) {
    let fleet = generated(700, 3);
    let rows = fleet.rows();
    let before = indexes(&bulk);
    assert!(before.len() > 10, "{before:?}");
    with_database(&reference, |db| insert_row_by_row(db, &fleet));
    let stages = import(&bulk, fleet).await;

    assert_eq!(fleet_rows(&bulk), fleet_rows(&reference));
    assert_eq!(indexes(&bulk), before, "the indexes are all back");
    // Told as it went, and the index build after the last row.
    assert_eq!(stages.last(), Some(&ImportStage::Indexing), "{stages:?}");
    assert!(
        stages.contains(&ImportStage::Rows {
            done: rows,
            total: rows
        }),
        "{stages:?}"
    );

    // A second fleet into the first: the indexes stay up throughout, and
    // still hold.
    let stages = import(&bulk, second_fleet()).await;
    assert!(!stages.contains(&ImportStage::Indexing), "{stages:?}");
    assert_eq!(indexes(&bulk), before);
    let agents: i64 = with_database(&bulk, |db| {
        db.query_row("SELECT COUNT(*) FROM agents", params![], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(agents, 750);

    // The chain verifies; the import is one entry of it.
    let s = TestServer::start_on_database(bulk, ServeConfig::default()).await;
    let verified = s.verify().await;
    assert_eq!(verified["ok"], true, "{verified}");
    let imports = s
        .audit()
        .await
        .iter()
        .filter(|e| e["action"] == "fleet.import")
        .count();
    assert_eq!(imports, 2);
}

/// Each imported agent's name skeleton is written with it, as a
/// registration writes it: the first registration after an import used to
/// fill it for the whole fleet, a row at a time, holding the writers' lock
/// (9 s at 100,000 agents on PostgreSQL, every action and ingest waiting).
/// A look-alike of an imported name is still refused.
async fn an_import_writes_each_name_skeleton(database: Database) {
    let fleet = generated(60, 5);
    let first = fleet.agents[0].name.clone();
    import(&database, fleet).await;
    let missing: i64 = with_database(&database, |db| {
        db.query_row(
            "SELECT COUNT(*) FROM agents WHERE skeleton IS NULL",
            params![],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(missing, 0, "agents imported without their name skeleton");
    let s = TestServer::start_on_database(database, ServeConfig::default()).await;
    let alike = first.to_uppercase();
    let body = serde_json::json!({"name": alike, "kind": "chatbot", "environment": "prod"});
    let (status, body) = s.call("POST", "/v1/agents", Some(ADMIN), Some(body)).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains(&first), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_on_sqlite_writes_each_name_skeleton() {
    let (_dir, database) = fresh_sqlite();
    an_import_writes_each_name_skeleton(database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_on_postgres_writes_each_name_skeleton() {
    if !postgres_available("the name skeletons of an import on PostgreSQL") {
        return;
    }
    an_import_writes_each_name_skeleton(fresh_pg()).await;
}

/// The file is back in WAL mode after a first load ran without it.
fn assert_wal(database: &Database) {
    let Database::Sqlite(path) = database else {
        return;
    };
    let mode: String = open_db(path)
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_import_on_sqlite_equals_inserting_row_by_row() {
    let (_a, bulk) = fresh_sqlite();
    let (_b, reference) = fresh_sqlite();
    the_bulk_import_writes_what_row_by_row_inserts_write(bulk.clone(), reference).await;
    assert_wal(&bulk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_import_on_postgres_equals_inserting_row_by_row() {
    if !postgres_available("the bulk import on PostgreSQL") {
        return;
    }
    the_bulk_import_writes_what_row_by_row_inserts_write(fresh_pg(), fresh_pg()).await;
}

/// A row the database refuses (here a second credential with the hash of
/// another) fails the whole import and leaves the fleet as it was, with its
/// indexes.
async fn a_refused_row_leaves_nothing(database: Database) {
    let before = indexes(&database);
    let mut fleet = generated(60, 5);
    let hash = fleet.credentials[0].1.clone();
    fleet.credentials.last_mut().unwrap().1 = hash;
    let store = warden::server::open_store(&url(&database)).unwrap();
    let e = store
        .import(&Actor::new("test"), fleet)
        .await
        .expect_err("a duplicate hash");
    assert!(e.to_string().contains("conflicts"), "{e}");
    assert_eq!(fleet_rows(&database), "");
    assert_eq!(indexes(&database), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_row_undoes_the_whole_import_on_sqlite() {
    let (_dir, database) = fresh_sqlite();
    a_refused_row_leaves_nothing(database.clone()).await;
    assert_wal(&database);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_row_undoes_the_whole_import_on_postgres() {
    if !postgres_available("the bulk import on PostgreSQL") {
        return;
    }
    a_refused_row_leaves_nothing(fresh_pg()).await;
}
