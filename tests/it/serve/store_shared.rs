//! Two `warden serve` on one PostgreSQL database behave as one backend: a
//! credential issued through one works on the other, a kill through one is
//! enforced by the other on the next request, writes through both at once
//! leave one intact audit chain, and a long poll on either wakes for a
//! change made through the other. Runs only with
//! `WARDEN_TEST_DATABASE_URL=postgres://…` (each test makes a database of
//! its own); without it each test says so and passes.

use crate::support::server::*;
use serde_json::json;
use std::time::{Duration, Instant};
use warden::config::ServeConfig;

/// Two servers on one fresh PostgreSQL database, or None without one.
async fn pair() -> Option<(TestServer, TestServer)> {
    if !postgres_available("two servers on one database") {
        return None;
    }
    let a = TestServer::start_pg(ServeConfig::default()).await;
    let b = TestServer::start_on_same(&a, ServeConfig::default()).await;
    Some((a, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_issued_through_one_server_works_on_the_other() {
    let Some((a, b)) = pair().await else { return };
    a.agent("bot").await;
    let (_, secret) = a.credential("bot").await;
    assert_eq!(b.heartbeat(&secret).await.0, 204);
    // And the directory of either shows what was written through the other.
    assert_eq!(
        b.detail("bot").await["credentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_through_one_server_is_enforced_by_the_other_at_once() {
    let Some((a, b)) = pair().await else { return };
    a.agent("bot").await;
    let (_, secret) = a.credential("bot").await;
    assert_eq!(b.heartbeat(&secret).await.0, 204);
    a.kill("bot", json!({"reason": "incident"})).await;
    let answer = b.heartbeat(&secret).await;
    assert!(
        answer.0 == 401 || answer.0 == 403,
        "the other server still lets the killed agent in: {answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_through_both_servers_at_once_leave_one_intact_chain() {
    let Some((a, b)) = pair().await else { return };
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            s.agent(&format!("bot-{i}")).await;
            s.credential(&format!("bot-{i}")).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    for s in [&a, &b] {
        let v = s.verify().await;
        assert_eq!(v["ok"], true, "{v}");
        let audit = s.audit().await;
        let seqs: Vec<i64> = audit.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(seqs, expected, "the chain has gaps or repeats");
        assert_eq!(s.agent_count().await, 20);
    }
    assert_eq!(a.audit().await, b.audit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_on_one_server_wakes_for_a_write_through_the_other() {
    let Some((a, b)) = pair().await else { return };
    a.agent("early").await;
    let c0 = b.get("/v1/changes?since=0").await["cursor"]
        .as_i64()
        .unwrap();
    let url = format!("{}/v1/changes?since={c0}&wait=20", b.url);
    let http = b.http.clone();
    let started = Instant::now();
    let poll = tokio::spawn(async move {
        http.get(url)
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.agent("late").await;
    let changes = poll.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the long poll waited {:?}",
        started.elapsed()
    );
    let names: Vec<&str> = changes["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["late"], "{changes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_the_same_database_keeps_everything() {
    let Some((a, b)) = pair().await else { return };
    a.agent("bot").await;
    drop(b);
    let a = a.restart(ServeConfig::default()).await;
    assert_eq!(a.detail("bot").await["name"], "bot");
    assert_eq!(a.verify().await["ok"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_changed_behind_both_servers_backs_is_found_by_either() {
    let Some((a, b)) = pair().await else { return };
    for i in 0..3 {
        a.agent(&format!("bot-{i}")).await;
    }
    assert_eq!(b.verify().await["ok"], true);
    let n = a.with_db(|db| {
        db.execute(
            "UPDATE audit SET actor = ?1 WHERE seq = ?2",
            params!["mallory", 2],
        )
        .unwrap()
    });
    assert_eq!(n, 1);
    for s in [&a, &b] {
        let v = s.verify().await;
        assert_eq!(v["ok"], false, "{v}");
        assert_eq!(v["first_bad"], 2, "{v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_db_reads_and_writes_either_database() {
    let s = TestServer::start_sqlite(ServeConfig::default()).await;
    s.agent("bot").await;
    let n: i64 = s.with_db(|db| {
        db.query_row(
            "SELECT COUNT(*) FROM agents WHERE name = ?1",
            params!["bot"],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(n, 1);
}
