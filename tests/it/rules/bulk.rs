//! A sweep's verdicts written in bulk (a first sweep of a large fleet opens
//! hundreds of thousands of alerts): each alert opened has exactly one
//! `alert.open` entry naming it, as the rule, the audit chain verifies
//! across the bulk inserts and the transactions they span, and a cause
//! named twice in one batch is one alert, brought up to date by the
//! second. On SQLite and, in the PostgreSQL pass, on PostgreSQL.

use crate::support::rules::*;
use crate::support::server::*;
use std::collections::HashMap;
use warden::config::ServeConfig;
use warden::model::Severity;
use warden::server::store::{Actor, AlertInput, Finding, Store};

/// A fresh database of the pass's kind, and a store on it.
fn fresh() -> (
    Option<tempfile::TempDir>,
    Database,
    std::sync::Arc<dyn Store>,
) {
    if postgres_by_default() {
        let db = PgDatabase::create();
        let store = warden::server::open_store(&db.url).unwrap();
        return (None, Database::Postgres(db), store);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    let store = warden::server::open_store(&format!("sqlite:{}", path.display())).unwrap();
    (Some(dir), Database::Sqlite(path), store)
}

#[tokio::test]
async fn a_first_sweep_audits_each_alert_it_opens_once_and_the_chain_verifies() {
    let (_dir, database, store) = fresh();
    // Enough alerts for several transactions of the sweep, each several
    // multi-row statements.
    let fleet = warden::demo::fleet::generate(700, 11, now());
    store
        .import(&Actor::new("test"), fleet.import)
        .await
        .unwrap();
    drop(store);
    let s = TestServer::start_on_database(
        database,
        ServeConfig {
            rules: thresholds(),
            ..Default::default()
        },
    )
    .await;
    let applied = s.sweep_at(now()).await;
    assert!(applied.opened > 1_000, "{applied:?}");
    if let Database::Postgres(db) = s.database() {
        // The planner was told how many alerts there are now: plans made
        // for the empty table would read them all at each lookup.
        let tuples: f32 = db.with_client(|c| {
            c.query_one(
                "SELECT reltuples FROM pg_class WHERE relname = 'alerts'",
                &[],
            )
            .unwrap()
            .get(0)
        });
        assert_eq!(tuples as usize, applied.opened, "the alerts' statistics");
    }

    let alerts = s.get("/v1/alerts").await;
    let alerts = alerts.as_array().expect("alerts");
    assert_eq!(alerts.len(), applied.opened);
    let mut opens: HashMap<String, Vec<serde_json::Value>> = HashMap::new();
    for e in s.audit().await {
        if e["action"] == "alert.open" {
            opens
                .entry(txt(&e, "target").to_string())
                .or_default()
                .push(e);
        }
    }
    assert_eq!(opens.len(), alerts.len(), "one alert.open per alert");
    for a in alerts {
        let target = format!("{} on {}", txt(a, "id"), txt(a, "agent_id"));
        let entries = opens.get(&target).map(Vec::as_slice).unwrap_or_default();
        let [e] = entries else {
            panic!("{target}: {} alert.open entries", entries.len());
        };
        assert_eq!(e["actor"], format!("rule:{}", txt(a, "rule")));
        assert_eq!(
            txt(e, "result"),
            format!("{}: {}", txt(a, "severity"), txt(a, "summary"))
        );
    }
    assert_eq!(s.verify().await["ok"], true);
    // What the bulk wrote is what the next sweep compares with.
    assert_eq!(s.sweep_at(now()).await, Default::default());
}

fn finding(agent: &str, severity: Severity, summary: &str) -> Finding {
    Finding {
        alert: AlertInput {
            agent_id: Some(agent.to_string()),
            rule: "R01".into(),
            cause: format!("R01:{agent}"),
            severity,
            summary: summary.into(),
            evidence: "no owner".into(),
        },
        mapping: vec!["NHI1".into()],
        seen_at: now(),
    }
}

#[tokio::test]
async fn a_cause_named_twice_in_one_batch_is_one_alert_brought_up_to_date() {
    let s = server().await;
    let id = agent_in(&s, "twice", "prod").await;
    let store = warden::server::open_store(&match s.database() {
        Database::Sqlite(path) => format!("sqlite:{}", path.display()),
        Database::Postgres(db) => db.url.clone(),
    })
    .unwrap();
    let raise = [
        finding(&id, Severity::High, "Unowned agent: twice"),
        finding(&id, Severity::Critical, "Unowned agent: twice, for a week"),
    ];
    let applied = store.apply_alerts(&raise, &[], now()).await.unwrap();
    assert_eq!((applied.opened, applied.updated), (1, 1), "{applied:?}");
    assert_eq!(applied.raised.len(), 2, "opened, then risen");

    let a = open_alert(&s, "R01", &id).await;
    assert_eq!(a["severity"], "critical");
    assert_eq!(a["summary"], "Unowned agent: twice, for a week");
    let actions: Vec<String> = audited(&s, "alert.open", "R01")
        .await
        .into_iter()
        .chain(audited(&s, "alert.severity", "R01").await)
        .map(|e| format!("{} {}", txt(&e, "action"), txt(&e, "result")))
        .collect();
    assert_eq!(
        actions,
        [
            "alert.open high: Unowned agent: twice",
            "alert.severity high -> critical: no owner"
        ]
    );
    assert_eq!(s.verify().await["ok"], true);
}
